#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench: fin side by side with the Linux kernel (loopback), then the
# instruction count per fin lifecycle (callgrind; stable on a noisy box:
# the difference of two runs cancels the fixed costs), then real HTTP
# clients (ab, wrk) against fin serve in a network namespace: 100,000
# requests at 100 concurrent each, requests/s printed (needs root).
set -euo pipefail
build=${1:-build}
rel=build-rel
cmake -S . -B "$rel" -DCMAKE_BUILD_TYPE=Release -DFIN_TESTS=OFF >/dev/null
cmake --build "$rel" -j "$(nproc)" --target bench_lifecycle bench_wire bench_scale fin >/dev/null
# Both families (issue 10: IPv4's figures must not get worse for IPv6).
"$rel/bench_lifecycle" 20000
"$rel/bench_lifecycle" 20000 --ipv6
if command -v valgrind >/dev/null; then
  count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$rel/bench_lifecycle" "$@" fin 2>&1 |
    awk '/Collected/ {print $4}'; }
  for fam in "" --ipv6; do
    a=$(count 1000 $fam); b=$(count 2000 $fam)
    echo "instructions per fin lifecycle ${fam:+(IPv6) }(both stacks, callgrind): $(( (b - a) / 1000 ))"
  done
fi
"$rel/bench_wire" 2>/dev/null | tail -3 || true
"$rel/bench_scale" "${FIN_BENCH_CONNECTIONS:-1000000}"
"$rel/bench_scale" "${FIN_BENCH_CONNECTIONS:-1000000}" --ipv6
rates=$(mktemp)
if FIN_LOAD_REQUESTS=${FIN_BENCH_REQUESTS:-100000} FIN_LOAD_RATES="$rates" \
  bash tests/interop/load.sh "$rel/fin" >"$rates.log" 2>&1; then
  echo "fin serve --app http over TUN, ${FIN_BENCH_REQUESTS:-100000} requests, 100 concurrent:"
  awk '{ printf "  %-14s %8d requests/s, 0 failed\n", $1, $2 }' "$rates"
elif grep -q '^SKIPPED' "$rates.log"; then
  echo "HTTP load: $(grep '^SKIPPED' "$rates.log")"
else
  echo "HTTP load failed:" >&2
  tail -n 20 "$rates.log" >&2
  rm -f "$rates" "$rates.log"
  exit 1
fi
rm -f "$rates" "$rates.log"
