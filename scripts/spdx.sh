#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Puts the SPDX licence line at the top of every source file of fin that
# lacks it: "/* SPDX-License-Identifier: MIT */" in C and packetdrill
# scripts, "# SPDX-License-Identifier: MIT" in shell, Python, CMake, make and
# pkg-config files (after a #! line). Idempotent: run it again after any
# merge. --check only lists the files without it and fails if there are any
# (ctest unit/spdx). Source files are the tracked ones (git ls-files), or
# every file outside build directories when this is not a git checkout.
# Usage: scripts/spdx.sh [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
case "${1:-}" in
--check) check=1 ;;
'') ;;
*)
  echo "usage: spdx.sh [--check]" >&2
  exit 2
  ;;
esac
tag="SPDX-License-Identifier: MIT"

files() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files
  else
    find . -type f ! -path './build*' ! -path './.git/*' ! -path './.conformance/*' ! -path './out/*' |
      sed 's#^\./##'
  fi
}

# The comment style of a source file, or nothing for files that are not source.
style() {
  case "$1" in
  *.c | *.h | *.pkt) echo c ;;
  *.sh | *.py | *.cmake | *.in | */CMakeLists.txt | CMakeLists.txt | Makefile) echo hash ;;
  esac
}

missing=0
while read -r f; do
  s=$(style "$f")
  [ -n "$s" ] && [ -f "$f" ] || continue
  head -n 3 "$f" | grep -q "$tag" && continue
  if [ "$check" -eq 1 ]; then
    echo "spdx: $f has no '$tag' line (scripts/spdx.sh adds it)"
    missing=$((missing + 1))
    continue
  fi
  tmp=$(mktemp)
  if [ "$s" = c ]; then
    { echo "/* $tag */"; cat "$f"; } >"$tmp"
  elif head -n 1 "$f" | grep -q '^#!'; then
    { head -n 1 "$f"; echo "# $tag"; tail -n +2 "$f"; } >"$tmp"
  else
    { echo "# $tag"; cat "$f"; } >"$tmp"
  fi
  cat "$tmp" >"$f" # keeps the file's mode (scripts stay executable)
  rm -f "$tmp"
  echo "spdx: added to $f"
done < <(files)
if [ "$check" -eq 1 ]; then
  [ "$missing" -eq 0 ] && echo "spdx: every source file has its licence line"
  [ "$missing" -eq 0 ]
fi
