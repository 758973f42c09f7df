#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# TCP Fast Open (RFC 7413, BEHAVIOR T1 T2 T4) with Linux both ways, its
# net.ipv4.tcp_fastopen=3 (client and server) in the namespace.
#  1. Linux -> `fin serve --fastopen 16`: two MSG_FASTOPEN connections; the
#     first asks for a cookie, the second's data rides on its SYN and fin's
#     SYN-ACK acknowledges it (Linux's tcpi_options says so). Linux counts
#     TcpExtTCPFastOpenActive 1, fin TcpExtTCPFastOpenCookieReqd 1 and
#     TcpExtTCPFastOpenPassive 1.
#  2. `fin connect --fastopen --repeat 2` -> a Linux TCP_FASTOPEN listener:
#     the same the other way round; Linux counts TcpExtTCPFastOpenCookieReqd 1
#     and TcpExtTCPFastOpenPassive 1, fin TcpExtTCPFastOpenActive 1.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
nsx sysctl -qw net.ipv4.tcp_fastopen=3
# nstat -a: absolute values; the namespace's counters start at zero.
linux_counter() { nsx nstat -az "$1" | awk -v n="$1" '$1 == n { print $2 }'; }

fin_serve fin --port 7 --app echo --fastopen 16 --duration 30 --grace 1
nsx timeout 20 python3 "$PEER" fastopen-client 7 >"$WORK/peer.log" 2>&1 || fail "peer: $(tail -n 3 "$WORK/peer.log")"
cat "$WORK/peer.log"
"$FIN" stat -z -j 'TcpExtTCPFastOpen*' >"$WORK/stat.json"
python3 - "$WORK/stat.json" <<'PY' || fail "fin's counters: $(cat "$WORK/stat.json")"
import json, sys
d = json.load(open(sys.argv[1]))["fin"]
assert d["TcpExtTCPFastOpenCookieReqd"] == 1 and d["TcpExtTCPFastOpenPassive"] == 1, d
assert d["TcpExtTCPFastOpenPassiveFail"] == 0 and d["TcpExtTCPFastOpenListenOverflow"] == 0, d
PY
note "ok: fin: $(cat "$WORK/stat.json")"
[ "$(linux_counter TcpExtTCPFastOpenActive)" = 1 ] || fail "Linux TcpExtTCPFastOpenActive is $(linux_counter TcpExtTCPFastOpenActive), want 1"
note "ok: Linux TcpExtTCPFastOpenActive 1"
kill -TERM "$FIN_PID"
wait_pid "$FIN_PID" 10 || fail "fin serve exited with $? on SIGTERM"

bg peer python3 "$PEER" fastopen-server 9
PEER_PID=$LAST_PID
wait_for_line peer ready 10
printf 'hello over fast open\n' >"$WORK/in"
nsx timeout 20 "$FIN" connect --tun fin0 --addr "$FIN_CIDR" --fastopen --repeat 2 \
  --counters "$WORK/counters.txt" "$LINUX_IP" 9 <"$WORK/in" >"$WORK/out" 2>"$WORK/fin2.log" ||
  fail "fin connect exited with $?"
wait_pid "$PEER_PID" 10 || fail "peer: $(tail -n 3 "$WORK/peer.log")"
cat "$WORK/peer.log"
[ "$(cat "$WORK/out")" = "$(printf 'hello over fast open\nhello over fast open')" ] ||
  fail "fin connect printed: $(cat "$WORK/out")"
grep -Eq '^TcpExtTCPFastOpenActive +1( |$)' "$WORK/counters.txt" ||
  fail "fin TcpExtTCPFastOpenActive: $(grep FastOpen "$WORK/counters.txt" || echo none)"
note "ok: fin TcpExtTCPFastOpenActive 1"
[ "$(linux_counter TcpExtTCPFastOpenPassive)" = 1 ] || fail "Linux TcpExtTCPFastOpenPassive is $(linux_counter TcpExtTCPFastOpenPassive), want 1"
[ "$(linux_counter TcpExtTCPFastOpenCookieReqd)" = 1 ] || fail "Linux TcpExtTCPFastOpenCookieReqd is $(linux_counter TcpExtTCPFastOpenCookieReqd), want 1"
note "ok: Linux TcpExtTCPFastOpenPassive 1, TcpExtTCPFastOpenCookieReqd 1"
pass
