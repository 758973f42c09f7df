#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man pages cannot go stale: for fin(1) and every command, each option
# that `--help` prints is in the command's page (docs/man/fin-CMD.1.scd) and
# each option the page documents is in `--help`; every command of `fin
# --help` has a page and fin(1) lists it, and there is no page for a command
# that does not exist. With scdoc installed, every page must also compile.
#   check-man.sh FIN_BINARY               (ctest docs/man)
#   check-man.sh --install BUILD_DIR WORK  (ctest docs/man_install): cmake
#     --install BUILD_DIR into WORK puts every page, built, in share/man/man1
#     (exit 77, skipped, when the build found no scdoc)
# An option is a token starting with '-' at the head of an option line:
# in --help, a line indented by spaces whose first word starts with '-'
# ("  -l, --listening   ..."); in a page, a line starting with "*-"
# ("*-l*, *--listening*").
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--install" ]; then
  build=${2:?usage: check-man.sh --install BUILD_DIR WORK}
  work=${3:?usage: check-man.sh --install BUILD_DIR WORK}
  if ! grep -q '^SCDOC_EXECUTABLE:FILEPATH=/' "$build/CMakeCache.txt"; then
    echo "check-man: skipped: the build found no scdoc, so it has no man pages (Debian: apt-get install scdoc)"
    exit 77
  fi
  rm -rf "$work"
  cmake --install "$build" --prefix "$work" >"$work.log" 2>&1 || {
    cat "$work.log" >&2
    echo "check-man: cmake --install failed" >&2
    exit 1
  }
  n=0
  for page in docs/man/*.scd; do
    f=$work/share/man/man1/$(basename "$page" .scd)
    [ -s "$f" ] && grep -q '^\.TH ' "$f" || {
      echo "check-man: cmake --install did not put a man page at $f" >&2
      exit 1
    }
    n=$((n + 1))
  done
  echo "check-man: cmake --install: $n man pages in $work/share/man/man1"
  exit 0
fi
fin=${1:?usage: check-man.sh FIN_BINARY}
man=docs/man
bad=0
complain() {
  echo "check-man: $*" >&2
  bad=1
}

help_options() { # stdin: --help text
  awk '/^ +-/ { for (i = 1; i <= NF; i++) { w = $i; sub(/,$/, "", w); if (w !~ /^-/) break; print w } }' |
    grep -E '^--?[A-Za-z0-9][A-Za-z0-9-]*$' | sort -u
}
page_options() { # $1: page source
  grep -E '^\*-' "$1" | grep -oE '\*--?[A-Za-z0-9][A-Za-z0-9-]*\*' | tr -d '*' | sort -u
}
compare() { # $1: what, $2: help list, $3: page list, $4: page
  local only
  only=$(comm -23 <(echo "$2") <(echo "$3") | tr '\n' ' ')
  [ -z "${only// /}" ] || complain "$1: in --help but not in $4: $only"
  only=$(comm -13 <(echo "$2") <(echo "$3") | tr '\n' ' ')
  [ -z "${only// /}" ] || complain "$1: in $4 but not in --help: $only"
}

top=$("$fin" --help)
commands=$(echo "$top" | awk '/^commands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }' | sort)
[ -n "$commands" ] || complain "fin --help lists no commands"
[ -f "$man/fin.1.scd" ] || complain "no $man/fin.1.scd"
compare "fin" "$(echo "$top" | help_options)" "$(page_options "$man/fin.1.scd")" "$man/fin.1.scd"
listed=$(awk '/^# COMMANDS/ { on = 1; next } /^# / { on = 0 } on && /^\*[a-z]+\*$/ { gsub(/\*/, ""); print }' \
  "$man/fin.1.scd" | sort)
compare "fin commands" "$commands" "$listed" "fin(1) COMMANDS"

for cmd in $commands; do
  page=$man/fin-$cmd.1.scd
  if [ ! -f "$page" ]; then
    complain "fin $cmd has no page $page"
    continue
  fi
  compare "fin $cmd" "$("$fin" "$cmd" --help | help_options)" "$(page_options "$page")" "$page"
  grep -q "^fin-$cmd(1)\$" "$page" || complain "$page does not start with fin-$cmd(1)"
done
for page in "$man"/fin-*.1.scd; do
  cmd=$(basename "$page" .1.scd)
  cmd=${cmd#fin-}
  echo "$commands" | grep -qx "$cmd" || complain "$page documents 'fin $cmd', which fin --help does not list"
done

if command -v scdoc >/dev/null 2>&1; then
  for page in "$man"/*.scd; do
    scdoc <"$page" >/dev/null 2>"${TMPDIR:-/tmp}/check-man.$$" || {
      complain "$page does not compile: $(cat "${TMPDIR:-/tmp}/check-man.$$")"
    }
    rm -f "${TMPDIR:-/tmp}/check-man.$$"
  done
else
  echo "check-man: scdoc not installed: pages not compiled (Debian: apt-get install scdoc)"
fi
[ "$bad" -eq 0 ] || exit 1
echo "check-man: $(echo "$commands" | wc -w) commands: every --help option is in its page and back"
