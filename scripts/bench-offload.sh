#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench, TUN offload (issue 11 item 5): bulk throughput between fin and
# Linux over TUN, with and without --offload, in one namespace this script
# creates and deletes (tests/interop/lib.sh; nothing leaves it).
#   fin -> Linux   fin connect --shutdown-after-send < SIZE bytes, Linux sink
#   Linux -> fin   Linux sends SIZE bytes to fin serve --app discard
# Each cell is the median of RUNS transfers: MB/s (Linux's clock: first byte
# to EOF), and fin's TUN writes and reads per MB (its own count of syscalls
# on the device, printed on exit); the last column is offload / no offload.
# Usage: bench-offload.sh PATH_TO_fin  (FIN_BENCH_OFFLOAD_MB, FIN_BENCH_OFFLOAD_RUNS)
# Without root, `ip netns` or /dev/net/tun it prints one line and exits 77.
set -euo pipefail
source "$(dirname "$0")/../tests/interop/lib.sh"
interop_setup "$@"
MB=${FIN_BENCH_OFFLOAD_MB:-64}
RUNS=${FIN_BENCH_OFFLOAD_RUNS:-5}
SIZE=$((MB * 1048576))
head -c "$SIZE" /dev/urandom >"$WORK/in"
want=$(sha256sum <"$WORK/in" | cut -d' ' -f1)

# tun_field LOG NAME: a number from fin's "tun:" exit line.
tun_field() { sed -n "s/.*tun: .*[ ]$2=\\([0-9]*\\).*/\\1/p" "$1"; }

# One fin -> Linux transfer; prints "MB/s writes/MB reads/MB".
run_tx() {
  local mode=$1
  rm -f "$WORK/sink.log" # wait_for_line must not see the last run's "ready"
  bg sink python3 "$PEER" server-sink 9000
  local pid=$LAST_PID
  wait_for_line sink ready 5
  nsx timeout 60 "$FIN" connect --tun fin0 --addr "$FIN_CIDR" --no-control "$mode" \
    --shutdown-after-send "$LINUX_IP" 9000 <"$WORK/in" >/dev/null 2>"$WORK/tx.log" ||
    fail "fin connect $mode exited with $?"
  wait_pid "$pid" 10 || fail "sink: $(tail -n 3 "$WORK/sink.log")"
  [ "$(sed -n 's/^linux-sha256=//p' "$WORK/sink.log")" = "$want" ] || fail "fin -> Linux $mode: wrong data"
  local secs
  secs=$(sed -n 's/.* seconds=\([0-9.]*\)$/\1/p' "$WORK/sink.log")
  awk -v mb="$MB" -v s="$secs" -v w="$(tun_field "$WORK/tx.log" writes)" \
    -v r="$(tun_field "$WORK/tx.log" reads)" 'BEGIN { printf "%.1f %.1f %.1f\n", mb / s, w / mb, r / mb }'
}

# One Linux -> fin transfer; prints "MB/s writes/MB reads/MB".
run_rx() {
  local mode=$1
  rm -f "$WORK/rx.log"
  # discard, not sink: the sink's SHA-256 (tools/fin/sha256.c, ~70 MB/s) would be what is
  # measured; interop/offload checks the bytes.
  BG_TIMEOUT=60 fin_serve rx --port 5001 --app discard --exit-after 1 --no-control "$mode"
  nsx timeout 60 python3 "$PEER" bulk-send 5001 "$SIZE" >"$WORK/send.log" 2>&1 ||
    fail "Linux -> fin $mode: $(tail -n 3 "$WORK/send.log")"
  wait_pid "$FIN_PID" 10 || fail "fin serve $mode exited with $?"
  grep -q "reason=graceful err=0 app_err=0 in=$SIZE " "$WORK/rx.log" || fail "Linux -> fin $mode: not $SIZE bytes"
  local secs
  secs=$(sed -n 's/.*sent [0-9]* bytes in \([0-9.]*\) s.*/\1/p' "$WORK/send.log")
  awk -v mb="$MB" -v s="$secs" -v w="$(tun_field "$WORK/rx.log" writes)" \
    -v r="$(tun_field "$WORK/rx.log" reads)" 'BEGIN { printf "%.1f %.1f %.1f\n", mb / s, w / mb, r / mb }'
}

# median FILE COLUMN
median() { awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "bulk TCP over TUN to Linux, $MB MB per transfer, median of $RUNS (FIN_FAMILY=$FIN_FAMILY):"
printf '  %-16s %-12s %10s %10s %10s\n' direction offload MB/s writes/MB reads/MB
for dir in tx rx; do
  for mode in --no-offload --offload; do
    : >"$WORK/$dir$mode.txt"
    for ((i = 0; i < RUNS; i++)); do "run_$dir" "$mode" >>"$WORK/$dir$mode.txt"; done
  done
  label=$([ $dir = tx ] && echo "fin -> Linux" || echo "Linux -> fin")
  for mode in --no-offload --offload; do
    f="$WORK/$dir$mode.txt"
    printf '  %-16s %-12s %10s %10s %10s\n' "$label" "${mode#--}" "$(median "$f" 1)" \
      "$(median "$f" 2)" "$(median "$f" 3)"
  done
  awk -v a="$(median "$WORK/$dir--offload.txt" 1)" -v b="$(median "$WORK/$dir--no-offload.txt" 1)" \
    -v wa="$(median "$WORK/$dir--offload.txt" 2)" -v wb="$(median "$WORK/$dir--no-offload.txt" 2)" \
    -v ra="$(median "$WORK/$dir--offload.txt" 3)" -v rb="$(median "$WORK/$dir--no-offload.txt" 3)" \
    -v l="$label" 'BEGIN { printf "  %-16s %-12s %9.2fx %9.3fx %9.3fx\n", l, "ratio", a / b,
      (wb > 0 ? wa / wb : 0), (rb > 0 ? ra / rb : 0) }'
done
