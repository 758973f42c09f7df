#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Half-close each way: the side that sent its FIN keeps receiving data.
#  1. Linux shuts down writing after 1 MB; fin's echo keeps sending it back.
#  2. fin shuts down writing (--shutdown-after-send); Linux then sends 1 MB.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"

fin_serve fin --port 7 --app echo --exit-after 1 --pcap "$WORK/fin.pcap"
nsx timeout 40 python3 "$PEER" half-close-linux 7 1048576 >"$WORK/peer1.log" 2>&1 ||
  fail "peer: $(tail -n 3 "$WORK/peer1.log")"
cat "$WORK/peer1.log"
wait_pid "$FIN_PID" 10 || fail "fin serve exited with $?"
expect_line fin "ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED reason=graceful err=0 app_err=0 in=1048576 out=1048576" \
  "fin echoed 1 MB after Linux's FIN, then CLOSE-WAIT -> LAST-ACK -> CLOSED"

bg peer2 python3 "$PEER" server-half-close-fin 9000 15 1048576
PEER_PID=$LAST_PID
wait_for_line peer2 ready 5
printf 'hello from fin\n' >"$WORK/in"
nsx timeout 30 "$FIN" connect --tun fin0 --addr "$FIN_CIDR" --msl 1 --shutdown-after-send --wait-time-wait \
  "$LINUX_IP" 9000 <"$WORK/in" >"$WORK/out" 2>"$WORK/fin2.log" || fail "fin connect exited with $?"
wait_pid "$PEER_PID" 10 || fail "peer: $(tail -n 3 "$WORK/peer2.log")"
cat "$WORK/peer2.log"
want=$(sed -n 's/^linux-sha256=//p' "$WORK/peer2.log")
got=$(sha256sum <"$WORK/out" | cut -d' ' -f1)
[ "$want" = "$got" ] || fail "fin received data with SHA-256 $got, Linux sent $want"
note "ok: fin received all 1 MB after its own FIN (SHA-256 $got)"
expect_line fin2 "ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT>CLOSED reason=time-wait-done err=0 app_err=0 in=1048576 out=15" \
  "fin FIN-WAIT-2 kept receiving, then TIME-WAIT -> CLOSED"
pass
