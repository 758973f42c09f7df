#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 1,000 connections opened, used and closed concurrently by a Linux client
# against `fin serve --app echo`: Linux closes first, so every one ends
# Linux TIME-WAIT / fin CLOSE-WAIT -> LAST-ACK -> CLOSED, and fin holds nothing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
N=1000
ulimit -n 4096
BG_TIMEOUT=90 fin_serve fin --port 7 --app echo --exit-after $N --counters "$WORK/counters.txt"
nsx timeout 80 python3 "$PEER" many 7 $N >"$WORK/peer.log" 2>&1 || fail "peer: $(tail -n 3 "$WORK/peer.log")"
cat "$WORK/peer.log"
wait_pid "$FIN_PID" 20 || fail "fin serve exited with $?"
lines=$(grep -c '^conn ' "$WORK/fin.log" || true)
good=$(grep -cE '^conn .*ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED reason=graceful err=0 app_err=0 in=27 out=27$' "$WORK/fin.log" || true)
note "fin: $lines connection lines, $good of them ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED graceful"
[ "$lines" -eq $N ] && [ "$good" -eq $N ] || {
  grep '^conn ' "$WORK/fin.log" | grep -vE 'CLOSE-WAIT>LAST-ACK>CLOSED reason=graceful' | head -n 5
  fail "not every connection ended as expected"
}
expect_line fin "stopping after .* live=0 time-wait=0 ended=$N" "fin holds no connection afterwards"
# --counters: nstat's layout (name, value, rate), written once the shutdown is done.
counter() { awk -v n="$1" '$1 == n { print $2 }' "$WORK/counters.txt"; }
grep -E '^(TcpPassiveOpens|TcpCurrEstab|FinLiveConnections|FinTimeWaitRecords|FinOrphansCurrent) ' "$WORK/counters.txt"
[ "$(head -n 1 "$WORK/counters.txt")" = "#fin" ] || fail "counters file does not start with #fin"
[ "$(counter TcpPassiveOpens)" = "$N" ] || fail "TcpPassiveOpens is not $N"
[ "$(counter FinLiveConnections)" = 0 ] || fail "live connections left"
[ "$(counter FinOrphansCurrent)" = 0 ] || fail "orphans left"
pass
