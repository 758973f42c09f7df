#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# interop: dual
# `fin serve --v6only`: the listener is [::] with IPV6_V6ONLY (RFC 3493
# §5.3), so with an address of each family an IPv4 client finds no listener
# and gets RST (ECONNREFUSED; RFC 9293 §3.10.7.1, BEHAVIOR A1) while IPv6
# clients connect. (dual_stack.sh is the same fin without --v6only: IPv4 is
# accepted there.)
set -euo pipefail
FIN_FAMILY=dual
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
fin_serve fin --addr "$FIN_IP6/64" --v6only --port 7 --app echo --duration 30 --grace 1 \
  --control "$WORK/fin.sock" --pcap "$WORK/fin.pcap"
"$FIN" ss -l -H --control "$WORK/fin.sock" >"$WORK/ssl.txt"
grep -Eq '^LISTEN +0 +1024 +\[::\]:7 +\[::\]:\*' "$WORK/ssl.txt" || fail "fin ss -l: $(cat "$WORK/ssl.txt")"

FIN_FAMILY=4 FIN_IP=$FIN_IP4 nsx timeout 10 python3 "$PEER" refused 7 >"$WORK/peer4.log" 2>&1 ||
  fail "IPv4 peer: $(tail -n 3 "$WORK/peer4.log")"
cat "$WORK/peer4.log"
FIN_FAMILY=6 FIN_IP=$FIN_IP6 nsx timeout 10 python3 "$PEER" linux-closes-first 7 >"$WORK/peer6.log" 2>&1 ||
  fail "IPv6 peer: $(tail -n 3 "$WORK/peer6.log")"
cat "$WORK/peer6.log"
if command -v curl >/dev/null; then
  rc=0
  nsx timeout 10 curl -4 -sS --max-time 5 "http://$FIN_IP4:7/" >/dev/null 2>"$WORK/curl.err" || rc=$?
  [ $rc -eq 7 ] || fail "curl -4: exit $rc, want 7 (could not connect): $(cat "$WORK/curl.err")"
  note "ok: curl -4: $(cat "$WORK/curl.err")"
fi
"$FIN" stat -j --control "$WORK/fin.sock" TcpPassiveOpens FinRstNoConn >"$WORK/stat.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['fin']; assert d['TcpPassiveOpens'] == 1 and d['FinRstNoConn'] >= 1, d" \
  "$WORK/stat.json" || fail "fin stat -j: $(cat "$WORK/stat.json")"
note "ok: fin stat: $(cat "$WORK/stat.json")"
kill -TERM "$FIN_PID"
wait_pid "$FIN_PID" 10 || fail "fin serve exited with $?"
expect_line fin "^conn $(re "[$FIN_IP6]"):7 $(re "[$LINUX_IP6]"):[0-9]+ .*ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED reason=graceful" \
  "the IPv6 client was served"
[ "$(grep -c '^conn ' "$WORK/fin.log")" -eq 1 ] || fail "want exactly one connection in fin's log"
python3 "$PEER" pcap "$WORK/fin.pcap" >"$WORK/pcap.txt"
grep -Eq "^ *[0-9.]+ $(re "$LINUX_IP4"):[0-9]+ > $(re "$FIN_IP4"):7 \[S\]" "$WORK/pcap.txt" || fail "no IPv4 SYN in the capture"
grep -Eq "^ *[0-9.]+ $(re "$FIN_IP4"):7 > $(re "$LINUX_IP4"):[0-9]+ \[RA\]" "$WORK/pcap.txt" ||
  fail "capture: no RST+ACK for the IPv4 SYN: $(grep "$(re "$FIN_IP4"):7 >" "$WORK/pcap.txt")"
grep "$(re "$FIN_IP4"):7 >" "$WORK/pcap.txt" | grep -qv '\[RA\]' && fail "fin sent more than RSTs over IPv4"
note "ok: capture: every IPv4 SYN got RST+ACK, nothing else"
pass
