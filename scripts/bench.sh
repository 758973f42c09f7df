#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench (issue 14): the lifecycle workload of bench-anchors on fin's API
# (bench/bench_lifecycle: 64 B request and reply, 7 segments), both families:
#   1. instructions per lifecycle (callgrind, (Ir(2N) - Ir(N)) / N over the
#      measured windows only: stable on a noisy box), graceful and RST close,
#      and the TIME-WAIT curve (100, 10 k, 1 M records);
#   2. wall rate (median of 5 windows, with the range), with glibc's default
#      allocator and with heap trimming off;
#   3. memory: bench_scale (1 M connections, TIME-WAIT records, the return
#      after the burst; 100 k busy connections holding 16 KiB each);
#   4. when ../shared/bench-anchors is present, its table: fin, lean lwIP and
#      Linux in one run, with ratios (scripts/bench-anchors.sh);
#   5. real HTTP clients (ab, wrk) against fin serve in a network namespace
#      (needs root);
#   6. loss recovery (issue 11): time to CLOSED of a 100 KB transfer at 1, 5
#      and 10 % loss over 1,000 seeds, NewReno against SACK+RACK-TLP
#      (bench/bench_recovery, virtual time).
set -euo pipefail
rel=build-rel
cmake -S . -B "$rel" -DCMAKE_BUILD_TYPE=Release -DFIN_TESTS=OFF -DCMAKE_C_FLAGS_RELEASE="-O2 -g -DNDEBUG" >/dev/null
cmake --build "$rel" -j "$(nproc)" --target bench_lifecycle bench_wire bench_scale bench_recovery fin >/dev/null
lc="$rel/bench_lifecycle"
"$lc" -T -n 1 -w 0 | sed -n '1,8p'
echo "sizes: TCB $("$lc" -n 1 -w 0 | awk '/^tcb_size/ {print $2}') B, TIME-WAIT record" \
  "$("$lc" -n 1 -w 0 | awk '/^tw_record_size/ {print $2}') B IPv4, $("$lc" -6 -n 1 -w 0 | awk '/^tw_record_size/ {print $2}') B IPv6"

if command -v valgrind >/dev/null; then
  # instructions NAME N ARGS...: (Ir(2N) - Ir(N)) / N, the measured windows only.
  instructions() {
    local n=$1 tmp a b
    shift
    tmp=$(mktemp -d)
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$tmp/a" "$lc" "$@" -n "$n" >/dev/null 2>&1 &
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$tmp/b" "$lc" "$@" -n $((2 * n)) >/dev/null 2>&1
    wait
    a=$(awk '/^totals:/ {print $2}' "$tmp/a")
    b=$(awk '/^totals:/ {print $2}' "$tmp/b")
    rm -rf "$tmp"
    echo $(((b - a) / n))
  }
  echo
  echo "instructions per lifecycle (both endpoints; callgrind, -O2):"
  printf '  %-34s %8s %8s\n' "" IPv4 IPv6
  row() { # LABEL N ARGS...
    local label=$1 n=$2
    shift 2
    printf '  %-34s %8s %8s\n' "$label" "$(instructions "$n" "$@")" "$(instructions "$n" -6 "$@")"
  }
  row "graceful, ~100 TIME-WAIT" 2000 -d 600000000 -w 2000
  row "graceful, ~10 k TIME-WAIT" 2000 -d 6000000 -w 12000
  [ "${FIN_BENCH_QUICK:-0}" = 1 ] || row "graceful, ~1 M TIME-WAIT (K=31)" 2000 -d 60000 -k 31 -w 1050000
  row "RST close (SO_LINGER {1,0})" 2000 -r -w 2000
  row "graceful, MSS only (-m)" 2000 -m -d 600000000 -w 2000
fi

echo
echo "wall rate, lifecycles/s: median of 5 windows (min-max)"
wall() { # LABEL ARGS...
  local label=$1
  shift
  "$@" | awk -v l="$label" '/^rate_median/ {m=$2} /^rate_min/ {lo=$2} /^rate_max/ {hi=$2}
    END {printf "  %-44s %8.0f (%.0f-%.0f)\n", l, m, lo, hi}'
}
wall "graceful ~100 TIME-WAIT, IPv4" "$lc" -d 600000000 -w 2000 -n 50000 -R 5
wall "graceful ~100 TIME-WAIT, IPv6" "$lc" -6 -d 600000000 -w 2000 -n 50000 -R 5
wall "RST close, glibc malloc default" "$lc" -r -w 2000 -n 50000 -R 5
wall "RST close, heap trimming off" env GLIBC_TUNABLES=glibc.malloc.trim_threshold=268435456 \
  "$lc" -r -w 2000 -n 50000 -R 5

echo
"$rel/bench_wire" 2>/dev/null | tail -3 || true
"$rel/bench_scale" "${FIN_BENCH_CONNECTIONS:-1000000}"
"$rel/bench_scale" "${FIN_BENCH_CONNECTIONS:-1000000}" --ipv6
"$rel/bench_scale" "${FIN_BENCH_BUSY_CONNECTIONS:-100000}" --busy 16384

echo
"$rel/bench_recovery" -s "${FIN_BENCH_RECOVERY_SEEDS:-1000}"

echo
scripts/bench-anchors.sh

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

echo
# TUN offload (issue 11 item 5): throughput, writes and reads per MB, with and
# without --offload side by side; one SKIPPED line without root or TUN.
off=$(mktemp)
if bash scripts/bench-offload.sh "$rel/fin" >"$off" 2>&1; then
  grep -v '^\[' "$off"
elif grep -q '^SKIPPED' "$off"; then
  echo "TUN offload: $(grep '^SKIPPED' "$off")"
else
  echo "TUN offload bench failed:" >&2
  tail -n 20 "$off" >&2
  rm -f "$off"
  exit 1
fi
rm -f "$off"
