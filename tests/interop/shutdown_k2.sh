#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SIGTERM runs the orderly shutdown (BEHAVIOR K2): fin closes the established
# connection with a FIN, Linux answers, and fin exits 0 with nothing left.
# Then a Linux peer that never closes: at the deadline fin resets it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
fin_serve fin --port 7 --app echo --grace 3 --msl 1 --duration 30
bg peer python3 "$PEER" k2-client 7
PEER_PID=$LAST_PID
wait_for_line peer established 10
kill -TERM "$FIN_PID"
rc=0
wait_pid "$FIN_PID" 10 || rc=$?
[ $rc -eq 0 ] || fail "fin serve exited with $rc after SIGTERM, want 0"
wait_pid "$PEER_PID" 10 || fail "peer: $(tail -n 3 "$WORK/peer.log")"
cat "$WORK/peer.log"
# FIN-WAIT-2 is skipped when Linux acknowledges our FIN together with its own FIN
# (its application closed at once); both are RFC 9293 paths to TIME-WAIT.
expect_line fin "ESTABLISHED>FIN-WAIT-1>(FIN-WAIT-2>)?TIME-WAIT>CLOSED reason=(time-wait-done|stack-shutdown) err=0 app_err=0 in=16 out=16" \
  "fin closed gracefully on SIGTERM"
expect_line fin "shutdown done: live=0 time-wait=0" "K2 finished with nothing left"

fin_serve fin2 --port 7 --app echo --grace 2 --duration 30
bg peer2 python3 "$PEER" k2-hold 7 2
PEER_PID=$LAST_PID
wait_for_line peer2 established 10
kill -TERM "$FIN_PID"
rc=0
wait_pid "$FIN_PID" 10 || rc=$?
[ $rc -eq 0 ] || fail "fin serve exited with $rc after SIGTERM, want 0"
wait_pid "$PEER_PID" 10 || fail "peer: $(tail -n 3 "$WORK/peer2.log")"
cat "$WORK/peer2.log"
expect_line fin2 "ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>CLOSED reason=stack-shutdown" \
  "fin's FIN-WAIT-2 ended by the K2 deadline"
expect_line fin2 "shutdown done: live=0 time-wait=0" "K2 finished with nothing left"
pass
