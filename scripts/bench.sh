#!/usr/bin/env bash
# make bench: fin side by side with the Linux kernel (loopback), then the
# instruction count per fin lifecycle (callgrind; stable on a noisy box:
# the difference of two runs cancels the fixed costs).
set -euo pipefail
build=${1:-build}
rel=build-rel
cmake -S . -B "$rel" -DCMAKE_BUILD_TYPE=Release -DFIN_TESTS=OFF >/dev/null
cmake --build "$rel" -j "$(nproc)" --target bench_lifecycle bench_wire bench_scale >/dev/null
"$rel/bench_lifecycle" 20000
if command -v valgrind >/dev/null; then
  count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$rel/bench_lifecycle" "$1" fin 2>&1 |
    awk '/Collected/ {print $4}'; }
  a=$(count 1000); b=$(count 2000)
  echo "instructions per fin lifecycle (both stacks, callgrind): $(( (b - a) / 1000 ))"
fi
"$rel/bench_wire" 2>/dev/null | tail -3 || true
"$rel/bench_scale" "${FIN_BENCH_CONNECTIONS:-1000000}"
