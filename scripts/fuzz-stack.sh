#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the whole-stack libFuzzer harness (fuzz/fuzz_stack.c) with clang
# (ASan+UBSan) and runs it for N seconds (default 60) on one core. Corpus in
# build-fuzz/corpus-stack (kept between runs), seeded with valid programs
# (handshake, data, every close path) from fuzz/driver_stack.c and with the
# regression inputs in fuzz/regressions/; every seed program runs over IPv4
# and over IPv6 (the seed's top bit), plus IPv6 extension header and ICMPv6
# programs.
# Usage: scripts/fuzz-stack.sh [seconds] [extra libFuzzer flags...]
# A crash is written to build-fuzz/crash-*; minimise it with
#   build-fuzz/fuzz_stack -minimize_crash=1 -runs=20000 build-fuzz/crash-...
# and trace it with a -DFZ_TRACE build of fuzz/driver_stack.c.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
out=build-fuzz
mkdir -p "$out/corpus-stack"
if [ -z "$(ls -A "$out/corpus-stack")" ]; then
  clang -O1 -D_GNU_SOURCE -Iinclude -Ifuzz -Isrc/engine -Isrc/wire src/wire/*.c src/engine/*.c fuzz/driver_stack.c fuzz/driver_io.c fuzz/fuzz_stack.c \
    -o "$out/seedgen-stack"
  "$out/seedgen-stack" --seeds "$out/corpus-stack"
  cp fuzz/regressions/stack-* "$out/corpus-stack/" 2>/dev/null || true
fi
clang -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -Iinclude -Ifuzz -Isrc/engine -Isrc/wire src/wire/*.c src/engine/*.c fuzz/fuzz_stack.c -o "$out/fuzz_stack"
# -jobs=N writes fuzz-N.log into the current directory: run from $out.
cd "$out"
ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64} ./fuzz_stack -max_total_time="$secs" -max_len=4096 -timeout=10 -print_final_stats=1 \
  -artifact_prefix=./ "$@" corpus-stack
