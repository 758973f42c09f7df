#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fin closes first: Linux CLOSE-WAIT -> LAST-ACK; fin FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT,
# then CLOSED after 2*MSL (--msl 1: 2 s).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
bg peer python3 "$PEER" server-fin-closes-first 9000 15
PEER_PID=$LAST_PID
wait_for_line peer ready 5
printf 'hello from fin\n' >"$WORK/in"
nsx timeout 20 "$FIN" connect --tun fin0 --addr "$FIN_CIDR" --msl 1 --expect 5 --wait-time-wait \
  --events "$WORK/events.ndjson" "$LINUX_IP" 9000 <"$WORK/in" >"$WORK/out" 2>"$WORK/fin.log" ||
  fail "fin connect exited with $?"
wait_pid "$PEER_PID" 10 || fail "peer: $(tail -n 3 "$WORK/peer.log")"
cat "$WORK/peer.log"
[ "$(cat "$WORK/out")" = "LINUX" ] || fail "fin received '$(cat "$WORK/out")'"
expect_line fin "ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT>CLOSED reason=time-wait-done err=0 app_err=0 in=5 out=15" \
  "fin FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT -> CLOSED"
tw=$(python3 "$PEER" time-wait-seconds "$WORK/events.ndjson")
note "fin TIME-WAIT lasted ${tw} s (2*MSL = 2 s)"
python3 -c "import sys; sys.exit(not 1.95 <= $tw <= 2.5)" || fail "TIME-WAIT lasted $tw s, want 2*MSL = 2 s"
pass
