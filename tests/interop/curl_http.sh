#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# curl against `fin serve --app http`: the page arrives and the connection ends
# gracefully, with keep-alive (curl closes first) and with Connection: close
# (fin closes first, TIME-WAIT on fin's side).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
command -v curl >/dev/null || skip "curl not found"
fin_serve fin --port 80 --app http --msl 1 --exit-after 2
nsx timeout 10 curl "$FAMILY_OPT" -gsS --max-time 5 "http://$FIN_EP:80/" >"$WORK/page1.html"
grep -q '<h1>fin</h1>' "$WORK/page1.html" || fail "page: $(head -c 200 "$WORK/page1.html")"
note "ok: curl got the page ($(wc -c <"$WORK/page1.html") bytes)"
nsx timeout 10 curl "$FAMILY_OPT" -gsS --max-time 5 -H 'Connection: close' "http://$FIN_EP:80/" >"$WORK/page2.html"
cmp -s "$WORK/page1.html" "$WORK/page2.html" || fail "second page differs"
note "ok: curl with Connection: close got the page"
wait_pid "$FIN_PID" 10 || fail "fin serve exited with $?"
expect_line fin "ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED reason=graceful err=0 app_err=0" "keep-alive: curl closed first"
# FIN-WAIT-2 is skipped when Linux acknowledges our FIN together with its own FIN
# (its application closed at once); both are RFC 9293 paths to TIME-WAIT.
expect_line fin "ESTABLISHED>FIN-WAIT-1>(FIN-WAIT-2>)?TIME-WAIT>CLOSED reason=time-wait-done err=0 app_err=0" \
  "Connection: close: fin closed first"
pass
