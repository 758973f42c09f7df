#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The API reference: doxygen over include/fin/*.h with docs/Doxyfile, every
# warning an error (an undocumented function, struct, field or enum value,
# a @param that names no parameter...). Writes OUTDIR/html/index.html.
#   api-docs.sh [OUTDIR]          build (default build/docs); exit 1 on any warning
#   api-docs.sh --check [OUTDIR]  the same, after proving on a scratch header
#                                 that an undocumented function does fail
#                                 (ctest docs/api)
# Exit 77 (ctest: skipped) with one line when doxygen is not installed.
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
if [ "${1:-}" = "--check" ]; then
  check=1
  shift
fi
out=${1:-build/docs}
if ! command -v doxygen >/dev/null 2>&1; then
  echo "api-docs: skipped: doxygen is not installed (Debian: apt-get install doxygen, or ./scripts/install-deps.sh)"
  exit 77
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Runs doxygen with docs/Doxyfile plus overrides ($@ lines); prints the
# warnings; fails when there is any.
run() {
  local log=$1
  shift
  {
    cat docs/Doxyfile
    for line in "$@"; do echo "$line"; done
  } | doxygen - >"$log.out" 2>"$log" || true
  if [ -s "$log" ]; then
    cat "$log" >&2
    return 1
  fi
}

if [ "$check" -eq 1 ]; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  mkdir -p "$scratch/include/fin"
  printf '/** @file fin/scratch.h\n * @brief A header with one undocumented function. */\nint fin_scratch(int x);\n' \
    >"$scratch/include/fin/scratch.h"
  if run "$scratch/doxygen.log" "INPUT = $scratch/include/fin" "USE_MDFILE_AS_MAINPAGE =" \
    "STRIP_FROM_PATH = $scratch" "OUTPUT_DIRECTORY = $scratch/out" 2>/dev/null; then
    echo "api-docs: doxygen accepted an undocumented function: docs/Doxyfile does not fail on warnings" >&2
    exit 1
  fi
  grep -q 'fin_scratch' "$scratch/doxygen.log" || {
    echo "api-docs: the scratch header's warning does not name fin_scratch:" >&2
    cat "$scratch/doxygen.log" >&2
    exit 1
  }
fi

if ! run "$out/doxygen-warnings.log" "OUTPUT_DIRECTORY = $out"; then
  echo "api-docs: FAIL: doxygen $(doxygen --version) warned (above); every public name needs documentation" >&2
  exit 1
fi
echo "api-docs: $(find "$out/html" -name '*.html' | wc -l) pages, no warning: $out/html/index.html"
