#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What `fin connect` does without options: it reads until the peer's EOF and
# prints everything (an answer in two parts arrives whole); it does not sit
# through TIME-WAIT (2*MSL = 60 s by default) unless --wait-time-wait; and a
# second SIGTERM during the orderly shutdown exits at once. `fin ss --pid`
# reaches fin connect's own control socket.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"

bg peer python3 "$PEER" server-reply-close 9000 4 0.5
PEER_PID=$LAST_PID
wait_for_line peer ready 5
printf 'ping' | nsx timeout 20 "$FIN" connect --tun fin0 --addr "$FIN_CIDR" "$LINUX_IP" 9000 \
  >"$WORK/out" 2>"$WORK/fin.log" || fail "fin connect exited with $?"
wait_pid "$PEER_PID" 10 || fail "peer: $(tail -n 3 "$WORK/peer.log")"
[ "$(cat "$WORK/out")" = "$(printf 'first part\nsecond part')" ] || fail "fin printed '$(cat "$WORK/out")'"
expect_line fin "ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED reason=graceful err=0 app_err=0 in=23 out=4" \
  "read until the peer's EOF, then closed"

# fin closes first (--expect): TIME-WAIT is left to the shutdown at once.
bg peer2 python3 "$PEER" server-fin-closes-first 9000 4
PEER_PID=$LAST_PID
wait_for_line peer2 ready 5
t0=$(date +%s.%N)
printf 'ping' | nsx timeout 20 "$FIN" connect --tun fin0 --addr "$FIN_CIDR" --expect 5 \
  "$LINUX_IP" 9000 >"$WORK/out2" 2>"$WORK/fin2.log" || fail "fin connect exited with $?"
took=$(python3 -c "import time; print(f'{time.time() - $t0:.2f}')")
wait_pid "$PEER_PID" 10 || fail "peer: $(tail -n 3 "$WORK/peer2.log")"
python3 -c "import sys; sys.exit(not $took < 5)" || fail "fin connect took $took s (TIME-WAIT held?)"
expect_line fin2 "FIN-WAIT-2>TIME-WAIT>CLOSED reason=stack-shutdown err=0 app_err=0 in=5 out=4" \
  "left TIME-WAIT to the shutdown"
expect_line fin2 "leaving TIME-WAIT" "said why"
note "ok: fin connect exited after $took s with the default MSL of 30 s"

# Two SIGTERMs: the first starts the orderly shutdown (the peer never
# answers our FIN, so it would wait the whole --grace), the second ends it.
bg peer3 python3 "$PEER" server-hold 9000 30
PEER_PID=$LAST_PID
wait_for_line peer3 ready 5
bg fin3 "$FIN" connect --tun fin0 --addr "$FIN_CIDR" --grace 30 "$LINUX_IP" 9000
CONN_PID=$LAST_PID
wait_for_line peer3 established 5
# fin connect has a control socket too (default path, found by --pid).
"$FIN" ss --pid "$(pgrep -P "$CONN_PID")" -H >"$WORK/ss.txt" || fail "fin ss --pid: exit $?"
grep -Eq "^ESTABLISHED +0 +0 +$FIN_RE:[0-9]+ +$LINUX_RE:9000 " "$WORK/ss.txt" ||
  fail "fin ss of fin connect: $(cat "$WORK/ss.txt")"
sleep 0.2
kill_program "$CONN_PID" TERM
wait_for_line peer3 eof 5
sleep 0.3 # a repeat within 0.2 s counts as the same signal (timeout(1) sends two)
kill_program "$CONN_PID" TERM
rc=0
wait_pid "$CONN_PID" 3 || rc=$?
[ $rc -eq 143 ] || fail "after two SIGTERMs fin connect exited with $rc, want 143 (128+SIGTERM)"
expect_line fin3 "second Terminated: exiting without finishing the shutdown" "the second SIGTERM forced the exit"
pass
