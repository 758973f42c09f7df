#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A Linux client reconnects on the same 4-tuple while fin holds it in
# TIME-WAIT (fin closed first: HTTP Connection: close, --msl 30): the new
# connection must succeed within one second (RFC 6191 / BEHAVIOR E4).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
fin_serve fin --port 80 --app http --msl 30 --duration 20 --grace 1 --pcap "$WORK/fin.pcap"
nsx timeout 20 python3 "$PEER" tw-reuse 80 >"$WORK/peer.log" 2>&1 || fail "peer: $(tail -n 3 "$WORK/peer.log")"
cat "$WORK/peer.log"
kill -TERM "$FIN_PID"
wait_pid "$FIN_PID" 10 || fail "fin serve exited with $? on SIGTERM"
# FIN-WAIT-2 is skipped when Linux acknowledges our FIN together with its own FIN
# (its application closed at once); both are RFC 9293 paths to TIME-WAIT.
expect_line fin "ESTABLISHED>FIN-WAIT-1>(FIN-WAIT-2>)?TIME-WAIT>CLOSED reason=time-wait-reopened" \
  "fin's TIME-WAIT gave way to the new SYN"
[ "$(grep -c '^conn ' "$WORK/fin.log")" -eq 2 ] || fail "want 2 connection lines"
pass
