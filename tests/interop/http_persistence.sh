#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fin serve --app http keeps or closes connections as HTTP clients expect:
# HTTP/1.0 closes unless the client asked for keep-alive, and then says
# "Connection: keep-alive"; HTTP/1.1 persists, answers pipelined requests in
# order (GET, HEAD, a POST whose body is skipped, 404) and closes after
# "Connection: close"; a malformed request gets 400 and the connection ends.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
fin_serve fin --port 80 --app http --msl 1 --exit-after 4
nsx timeout 20 python3 "$PEER" http-persistence 80 >"$WORK/peer.log" 2>&1 ||
  fail "peer: $(tail -n 3 "$WORK/peer.log")"
cat "$WORK/peer.log"
wait_pid "$FIN_PID" 10 || fail "fin serve exited with $?"
[ "$(grep -c '^conn ' "$WORK/fin.log")" -eq 4 ] || fail "want 4 connections in fin's log"
grep '^conn ' "$WORK/fin.log" | grep -v 'reason=\(graceful\|time-wait-done\)' &&
  fail "a connection ended other than gracefully"
pass
