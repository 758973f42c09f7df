#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ECONNREFUSED both ways.
#  1. Linux connects to a fin port nobody listens on.
#  2. fin connects to a closed Linux port.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
fin_serve fin --port 7 --app echo --duration 10 --grace 1
nsx timeout 10 python3 "$PEER" refused 9 >"$WORK/peer.log" 2>&1 || fail "peer: $(tail -n 3 "$WORK/peer.log")"
cat "$WORK/peer.log"
kill -TERM "$FIN_PID"
wait_pid "$FIN_PID" 10 || fail "fin serve exited with $? on SIGTERM"

rc=0
nsx timeout 20 "$FIN" connect --tun fin0 --addr "$FIN_CIDR" "$LINUX_IP" 9 </dev/null >"$WORK/out" \
  2>"$WORK/fin2.log" || rc=$?
[ $rc -eq 1 ] || fail "fin connect exited with $rc, want 1"
expect_line fin2 "connect: ECONNREFUSED" "fin's connect gave ECONNREFUSED"
expect_line fin2 "SYN-SENT>CLOSED reason=refused err=ECONNREFUSED app_err=ECONNREFUSED" "fin SYN-SENT -> CLOSED (refused)"
pass
