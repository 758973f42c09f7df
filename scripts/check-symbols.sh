#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# No library of fin's may claim a name outside the fin_ prefix in its
# user's program. Static archives: every defined global symbol starts with
# fin_ (names starting with __ belong to the compiler and sanitizers).
# Shared libraries: the dynamic symbol table is exactly the functions the
# public headers declare (the .names file written with the version script),
# nothing internal and nothing missing.
# Usage: check-symbols.sh [--archive LIB.a]... [--shared LIB.so NAMES_FILE]...
set -euo pipefail
status=0
while [ $# -gt 0 ]; do
  case "$1" in
  --archive)
    bad=$(nm -g --defined-only "$2" | awk 'NF == 3 { print $3 }' | grep -v '^fin_' | grep -v '^__' |
      sort -u || true)
    if [ -n "$bad" ]; then
      echo "symbols: $(basename "$2") defines globals without the fin_ prefix:"
      echo "$bad" | sed 's/^/  /'
      status=1
    else
      echo "symbols: $(basename "$2"): every global is fin_*"
    fi
    shift 2
    ;;
  --shared)
    exported=$(nm -D --defined-only "$2" | awk 'NF == 3 && $2 != "A" { print $3 }' | sed 's/@.*//' | sort -u)
    declared=$(tr ' ' '\n' <"$3" | grep . | sort -u)
    extra=$(comm -23 <(echo "$exported") <(echo "$declared"))
    missing=$(comm -13 <(echo "$exported") <(echo "$declared"))
    if [ -n "$extra" ]; then
      echo "symbols: $(basename "$2") exports what no public header declares:"
      echo "$extra" | sed 's/^/  /'
      status=1
    fi
    if [ -n "$missing" ]; then
      echo "symbols: $(basename "$2") lacks functions its public headers declare:"
      echo "$missing" | sed 's/^/  /'
      status=1
    fi
    [ -z "$extra$missing" ] && echo "symbols: $(basename "$2"): exports exactly the $(echo "$declared" | wc -l) declared functions"
    shift 3
    ;;
  *)
    echo "usage: check-symbols.sh [--archive LIB.a]... [--shared LIB.so NAMES_FILE]..." >&2
    exit 2
    ;;
  esac
done
exit $status
