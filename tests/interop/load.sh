#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Real HTTP clients under load against `fin serve --app http`: ApacheBench
# and wrk, each without and with keep-alive, FIN_LOAD_REQUESTS requests at
# 100 concurrent (20,000 in make test; make bench runs 100,000 and prints the
# rates). Every request must succeed (0 failed, all 200), and afterwards
# nothing of fin's is left: once TIME-WAIT (2*MSL = 2 s) has passed `fin ss`
# lists nothing and fin's gauges are 0, and the kernel holds no socket to fin
# but its own TIME-WAIT. Without keep-alive fin closes first, so the
# kernel's ports come round while fin still holds their TIME-WAIT: new SYNs
# reopen those records (BEHAVIOR E4), counted in FinTimeWaitReopened.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
command -v ab >/dev/null || skip "ab not found (Debian package apache2-utils)"
command -v wrk >/dev/null || skip "wrk not found (Debian package wrk)"
N=${FIN_LOAD_REQUESTS:-20000}
C=100
URL="http://$FIN_EP/"
ulimit -n 8192
BG_TIMEOUT=900 fin_serve fin --port 80 --app http --msl 1 --control "$WORK/fin.sock" \
  --counters "$WORK/counters.txt"

# Waits until fin holds no live connection (TIME-WAIT records may remain).
settle() {
  local i live
  for ((i = 0; i < 200; i++)); do
    live=$("$FIN" stat -z --control "$WORK/fin.sock" FinLiveConnections | awk 'NR == 2 {print $2}')
    [ "$live" = 0 ] && return 0
    sleep 0.05
  done
  "$FIN" ss --control "$WORK/fin.sock" -o | head -n 20 >&2
  fail "$1: fin still has $live live connections"
}

report() { # NAME REQUESTS SECONDS
  local rate
  rate=$(python3 -c "print(f'{$2 / $3:.0f}')")
  note "load: $1: $2 requests at $C concurrent in $3 s: $rate requests/s, 0 failed"
  echo "$1 $rate" >>"$WORK/rates"
}

run_ab() { # NAME AB-OPTIONS...
  local name=$1 log="$WORK/$1.log"
  shift
  nsx timeout 600 ab -q -r -s 10 -n "$N" -c "$C" "$@" "$URL" >"$log" 2>&1 || fail "$name: ab exited with $?: $(tail -n 3 "$log")"
  local done failed non2xx secs
  done=$(awk '/^Complete requests:/ {print $3}' "$log")
  failed=$(awk '/^Failed requests:/ {print $3}' "$log")
  non2xx=$(awk '/^Non-2xx responses:/ {print $3}' "$log")
  secs=$(awk '/^Time taken for tests:/ {print $5}' "$log")
  [ "$done" = "$N" ] && [ "$failed" = 0 ] && [ -z "$non2xx" ] ||
    fail "$name: complete=$done failed=$failed non-2xx=${non2xx:-0}: $(grep -E 'Failed|Non-2xx|Length|Exceptions' "$log")"
  if [[ " $* " == *" -k "* ]]; then
    [ "$(awk '/^Keep-Alive requests:/ {print $3}' "$log")" = "$N" ] || fail "$name: not every request kept alive"
  fi
  settle "$name"
  report "$name" "$N" "$secs"
}

run_wrk() { # NAME WRK-OPTIONS...
  local name=$1 log="$WORK/$1.log" dir="$WORK/$1.wrk"
  shift
  mkdir -p "$dir"
  FIN_WRK_PER_THREAD=$((N / 2)) FIN_WRK_DIR="$dir" nsx timeout 600 wrk -t 2 -c "$C" -d 300s \
    --timeout 10s -s "$HERE/wrk_count.lua" "$@" "$URL" >"$log" 2>&1 &
  local pid=$! i
  _PIDS+=("$pid")
  for ((i = 0; i < 600 * 50; i++)); do
    [ "$(find "$dir" -name 'stopped.*' | wc -l)" -ge 2 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  kill -INT $(pgrep -P "$pid") 2>/dev/null || true # ends wrk's timer: its threads are done
  wait "$pid" || fail "$name: wrk exited with $?: $(tail -n 3 "$log")"
  local line requests errors secs
  line=$(grep '^fin-load:' "$log") || fail "$name: no summary from wrk: $(tail -n 5 "$log")"
  requests=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$line")
  errors=$(sed 's/.*errors=\([0-9]*\).*/\1/' <<<"$line")
  secs=$(sed 's/.*seconds=\([0-9.]*\).*/\1/' <<<"$line")
  [ "$requests" -ge "$N" ] && [ "$errors" = 0 ] || fail "$name: $line"
  grep -q 'fin-load: status' "$log" && fail "$name: answers other than 200: $(grep -m 3 status "$log")"
  settle "$name"
  report "$name" "$requests" "$secs"
}

run_ab ab
run_ab ab-keepalive -k
run_wrk wrk-close -H "Connection: close"
run_wrk wrk-keepalive

# Nothing of fin's left once TIME-WAIT has passed (2*MSL = 2 s).
for ((i = 0; i < 100; i++)); do
  [ "$("$FIN" ss -H --control "$WORK/fin.sock" | wc -l)" -eq 0 ] && break
  sleep 0.05
done
"$FIN" ss -H --control "$WORK/fin.sock" >"$WORK/ss-end.txt"
[ -s "$WORK/ss-end.txt" ] && fail "fin ss after the load: $(head -n 5 "$WORK/ss-end.txt")"
"$FIN" stat -z --control "$WORK/fin.sock" 'Fin*Current' FinLiveConnections FinTimeWaitRecords \
  TcpCurrEstab TcpPassiveOpens FinTimeWaitReopened | tee "$WORK/stat-end.txt"
for k in FinLiveConnections FinTimeWaitRecords TcpCurrEstab FinOrphansCurrent FinTimeWaitCurrent; do
  grep -Eq "^$k +0 " "$WORK/stat-end.txt" || fail "$k is not 0 after the load"
done
nsx ss -tanH "dst $FIN_EP" | awk '$1 != "TIME-WAIT"' >"$WORK/kernel-end.txt"
[ -s "$WORK/kernel-end.txt" ] && fail "the kernel still has sockets to fin: $(head -n 5 "$WORK/kernel-end.txt")"
note "ok: fin ss lists nothing, the kernel holds only its own TIME-WAIT ($(nsx ss -tanH "dst $FIN_EP" | wc -l))"
kill -TERM "$FIN_PID"
wait_pid "$FIN_PID" 20 || fail "fin serve exited with $?"
expect_line fin "shutdown done: live=0 time-wait=0" "fin stopped with nothing left"
[ -n "${FIN_LOAD_RATES:-}" ] && cp "$WORK/rates" "$FIN_LOAD_RATES"
pass
