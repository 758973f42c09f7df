#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Simultaneous close: both FINs cross on the wire. fin holds its outbound
# datagrams 400 ms (--delay) so each side sends its FIN before it sees the
# other's: Linux FIN-WAIT-1 -> CLOSING -> TIME-WAIT, fin the same.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
bg peer python3 "$PEER" server-simultaneous 9000 5 0.4 1.0
PEER_PID=$LAST_PID
wait_for_line peer ready 5
printf 'hello' >"$WORK/in"
nsx timeout 20 "$FIN" connect --tun fin0 --addr "$FIN_CIDR" --msl 1 --delay 400 --expect 1 --wait-time-wait \
  --hold 1.0 --pcap "$WORK/fin.pcap" "$LINUX_IP" 9000 <"$WORK/in" >"$WORK/out" 2>"$WORK/fin.log" ||
  fail "fin connect exited with $?"
wait_pid "$PEER_PID" 10 || fail "peer: $(tail -n 3 "$WORK/peer.log")"
cat "$WORK/peer.log"
expect_line fin "ESTABLISHED>FIN-WAIT-1>CLOSING>TIME-WAIT>CLOSED reason=time-wait-done err=0 app_err=0 in=1 out=5" \
  "fin FIN-WAIT-1 -> CLOSING -> TIME-WAIT -> CLOSED"
pass
