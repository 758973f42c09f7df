#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the wire-layer libFuzzer harness with clang (ASan+UBSan) and runs it
# for N seconds (default 30). Corpus in build-fuzz/corpus-wire (kept between
# runs), seeded with valid IPv4 and IPv6 segments (extension headers and
# their limits included), ICMP and ICMPv6 errors from fuzz/driver.c.
# Usage: scripts/fuzz-wire.sh [seconds] [extra libFuzzer flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
shift || true
out=build-fuzz
mkdir -p "$out/corpus-wire"
if [ -z "$(ls -A "$out/corpus-wire")" ]; then
  clang -O1 -Iinclude -Ifuzz -Isrc/engine -Isrc/wire src/wire/*.c src/engine/*.c fuzz/driver.c fuzz/driver_io.c fuzz/fuzz_wire.c -o "$out/seedgen"
  "$out/seedgen" --seeds "$out/corpus-wire"
fi
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -Iinclude -Ifuzz -Isrc/engine -Isrc/wire src/wire/*.c src/engine/*.c fuzz/fuzz_wire.c -o "$out/fuzz_wire"
"$out/fuzz_wire" -max_total_time="$secs" -max_len=2048 -print_final_stats=1 \
  -artifact_prefix="$out/" "$@" "$out/corpus-wire"
