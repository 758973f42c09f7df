#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/termination.md shows real runs of `fin sim`. Between marker comments
# this script writes what fin prints now:
#   <!-- fin-sim ARGS -->          ... <!-- /fin-sim -->
#       the output of `fin sim ARGS`, as a text block;
#   <!-- fin-states SCENARIO FILE -->  ... <!-- /fin-states -->
#       `fin sim SCENARIO --states docs/FILE` (SVG, or Mermaid for .mmd),
#       and a Markdown image of FILE (for .mmd: the diagram inline).
# Everything else in the file is left as written.
#   gen-termination-doc.sh FIN_BINARY          rewrite docs/termination.md and docs/img/
#   gen-termination-doc.sh --check FIN_BINARY  fail, with a diff and the command that
#                                              regenerates them, when they differ
#                                              (ctest docs/termination)
# fin sim runs on virtual time with a fixed seed: the same binary prints the
# same bytes on every machine.
set -euo pipefail
check=0
if [ "${1:-}" = "--check" ]; then
  check=1
  shift
fi
fin=${1:?usage: gen-termination-doc.sh [--check] FIN_BINARY}
fin=$(cd "$(dirname "$fin")" && pwd)/$(basename "$fin")
cd "$(dirname "$0")/.."
doc=docs/termination.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/docs/img"

# The file as it should be, into $tmp/docs; figures into $tmp/docs/img.
generate() {
  local line skip=0 args
  while IFS= read -r line || [ -n "$line" ]; do
    if [ "$skip" -eq 1 ]; then
      case "$line" in
      '<!-- /fin-sim -->' | '<!-- /fin-states -->')
        skip=0
        echo "$line"
        ;;
      esac
      continue
    fi
    echo "$line"
    case "$line" in
    '<!-- fin-sim '*' -->')
      args=${line#<!-- fin-sim }
      args=${args% -->}
      echo '```text'
      echo "\$ fin sim $args"
      # shellcheck disable=SC2086 # the marker holds the arguments, word-split on purpose
      "$fin" sim $args || {
        echo "gen-termination-doc: 'fin sim $args' failed" >&2
        return 1
      }
      echo '```'
      skip=1
      ;;
    '<!-- fin-states '*' -->')
      args=${line#<!-- fin-states }
      args=${args% -->}
      local scenario=${args%% *} file=${args#* }
      "$fin" sim "$scenario" --quiet --states "$tmp/docs/$file" >/dev/null || {
        echo "gen-termination-doc: 'fin sim $scenario --states' failed" >&2
        return 1
      }
      case "$file" in
      *.mmd)
        echo '```mermaid'
        cat "$tmp/docs/$file"
        echo '```'
        ;;
      *) echo "![fin sim $scenario --states $file: the state machine, each host's path numbered]($file)" ;;
      esac
      skip=1
      ;;
    esac
  done <"$doc"
  [ "$skip" -eq 0 ] || {
    echo "gen-termination-doc: $doc: a marker is never closed" >&2
    return 1
  }
}

generate >"$tmp/docs/termination.md"
figures=$(cd "$tmp/docs" && find img -type f | sort)

if [ "$check" -eq 0 ]; then
  cp "$tmp/docs/termination.md" "$doc"
  for f in $figures; do cp "$tmp/docs/$f" "docs/$f"; done
  echo "gen-termination-doc: wrote $doc and $(echo "$figures" | wc -w) figure(s) in docs/img"
  exit 0
fi

stale=0
for f in termination.md $figures; do
  if [ ! -f "docs/$f" ] || ! cmp -s "$tmp/docs/$f" "docs/$f"; then
    echo "gen-termination-doc: docs/$f differs from what fin sim prints now:" >&2
    diff -u "docs/$f" "$tmp/docs/$f" | head -n 60 >&2 || true
    stale=1
  fi
done
if [ "$stale" -ne 0 ]; then
  echo "gen-termination-doc: FAIL: regenerate with 'make termination-doc' (or scripts/gen-termination-doc.sh build/fin) and commit the result" >&2
  exit 1
fi
echo "gen-termination-doc: $doc and $(echo "$figures" | wc -w) figure(s) match fin sim"
