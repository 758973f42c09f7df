#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Operating a running `fin serve` through its control socket: `fin ss` lists
# the Linux client's connections and the listener (ss -tanoi columns, timers
# with time left, TIME-WAIT remaining), `fin stat` shows live counters (nstat
# text and -j JSON), `fin kill` resets one connection by 4-tuple (Linux sees
# ECONNRESET, the others live on), and the socket disappears on exit. The
# default socket path is $XDG_RUNTIME_DIR/fin/PID.sock. The capture and the
# events record the kill.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
export XDG_RUNTIME_DIR="$WORK/xdg"
mkdir -p "$XDG_RUNTIME_DIR"
fin_serve fin --port 7 --app echo --msl 1 --pcapng "$WORK/fin.pcapng" \
  --events "$WORK/events.ndjson" --counters "$WORK/counters.txt" --duration 40
SOCK="$XDG_RUNTIME_DIR/fin/$(pgrep -P "$FIN_PID").sock"
expect_line fin "control socket $SOCK" "the socket is named by pid under \$XDG_RUNTIME_DIR"
[ -S "$SOCK" ] || fail "no socket at $SOCK"

bg peer python3 "$PEER" hold 7 3 30 "$WORK/go"
PEER_PID=$LAST_PID
wait_for_line peer ready 10
read -r -a PORTS <<<"$(sed -n 's/.*ready //p' "$WORK/peer.log")"

# fin ss: no --control needed, the only fin in $XDG_RUNTIME_DIR/fin is found.
"$FIN" ss -tanoi >"$WORK/ss.txt" || fail "fin ss exited with $?"
cat "$WORK/ss.txt"
head -n 1 "$WORK/ss.txt" | grep -q '^State *Recv-Q *Send-Q *Local Address:Port *Peer Address:Port' ||
  fail "fin ss header"
grep -Eq "^LISTEN +0 +1024 +$FIN_RE:7 +$ANY_RE:\*" "$WORK/ss.txt" || fail "fin ss -a lacks the listener"
for p in "${PORTS[@]}"; do
  grep -Eq "^ESTABLISHED +0 +0 +$FIN_RE:7 +$LINUX_RE:$p +[1-9]" "$WORK/ss.txt" ||
    fail "fin ss lacks $LINUX_EP:$p"
done
[ "$(grep -c $'^\t.*rto:' "$WORK/ss.txt")" -eq 3 ] || fail "fin ss -i: want an info line per connection"
"$FIN" ss -l -H --control "$SOCK" >"$WORK/ssl.txt"
[ "$(wc -l <"$WORK/ssl.txt")" -eq 1 ] && grep -q '^LISTEN ' "$WORK/ssl.txt" || fail "fin ss -l: $(cat "$WORK/ssl.txt")"
[ "$("$FIN" ss -H | wc -l)" -eq 3 ] || fail "fin ss without -a lists connections only"
note "ok: fin ss lists the listener and the 3 connections"

# fin stat: live counters, text and JSON, with patterns.
"$FIN" stat >"$WORK/stat.txt"
head -n 1 "$WORK/stat.txt" | grep -qx '#fin' || fail "fin stat: no #fin header"
grep -Eq '^TcpPassiveOpens +3 ' "$WORK/stat.txt" || fail "fin stat: TcpPassiveOpens is not 3"
grep -Eq '^TcpCurrEstab +3 ' "$WORK/stat.txt" || fail "fin stat: TcpCurrEstab is not 3"
grep -q ' 0 ' <(grep -v '^#' "$WORK/stat.txt") && fail "fin stat shows zeros without -z"
# (Into files, not straight into grep -q: under pipefail a reader that stops
# early would fail the writer with SIGPIPE.)
"$FIN" stat -z >"$WORK/statz.txt"
grep -Eq '^TcpActiveOpens +0 ' "$WORK/statz.txt" || fail "fin stat -z lacks a zero counter"
"$FIN" stat -j 'TcpPassive*' 'FinLive*' >"$WORK/stat.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d == {'fin': {'TcpPassiveOpens': 3, 'FinLiveConnections': 3}}, d" \
  "$WORK/stat.json" || fail "fin stat -j: $(cat "$WORK/stat.json")"
note "ok: fin stat: $(cat "$WORK/stat.json")"
# The IP layer's counters are the row's family's (Ip... or Ip6..., snmp6 names).
"$FIN" stat -j 'Ip*' >"$WORK/stat-ip.json"
python3 - "$WORK/stat-ip.json" "$FIN_FAMILY" <<'EOF' || fail "fin stat -j 'Ip*': $(cat "$WORK/stat-ip.json")"
import json, sys
d = json.load(open(sys.argv[1]))["fin"]
mine, other = ("Ip6", "Ip") if sys.argv[2] == "6" else ("Ip", "Ip6")
for k in ("InReceives", "InDelivers", "OutRequests"):
    assert d.get(mine + k, 0) > 0, (mine + k, d)
    assert other + k not in d, (other + k, d)
assert d[mine + "InDelivers"] == d[mine + "InReceives"], d
EOF
"$FIN" stat 'Ip6*' 'IpIn*' 'IpOut*' >"$WORK/stat-ip.txt"
note "ok: fin stat: $(grep -v '^#' "$WORK/stat-ip.txt" | awk '{printf "%s=%s ", $1, $2}')"

# fin kill: an RST for one connection, in fin's order; another in the kernel's order.
"$FIN" kill "$FIN_EP:7" "$LINUX_EP:${PORTS[0]}" >"$WORK/kill.txt" || fail "fin kill exited with $?"
grep -q "^killed $FIN_RE:7 $LINUX_RE:${PORTS[0]} conn [0-9]* (was ESTABLISHED)" "$WORK/kill.txt" ||
  fail "fin kill: $(cat "$WORK/kill.txt")"
wait_for_line peer "econnreset ${PORTS[0]}" 5
"$FIN" kill --control "$SOCK" "$LINUX_EP:${PORTS[1]}" "$FIN_EP:7" >/dev/null ||
  fail "fin kill in the kernel's order"
wait_for_line peer "econnreset ${PORTS[1]}" 5
rc=0
"$FIN" kill "$FIN_EP:7" "$LINUX_EP:${PORTS[0]}" 2>"$WORK/kill2.err" || rc=$?
[ $rc -eq 1 ] && grep -q "no connection" "$WORK/kill2.err" || fail "killing it again: exit $rc, $(cat "$WORK/kill2.err")"
"$FIN" ss -H >"$WORK/ss2.txt"
[ "$(wc -l <"$WORK/ss2.txt")" -eq 1 ] && grep -q ":${PORTS[2]} " "$WORK/ss2.txt" ||
  fail "after two kills fin ss shows: $(cat "$WORK/ss2.txt")"
grep -q "eof ${PORTS[2]}\|reset ${PORTS[2]}" "$WORK/peer.log" && fail "the third connection was touched"
"$FIN" stat 'FinAbortOnAdmin' >"$WORK/stat-admin.txt"
grep -Eq '^FinAbortOnAdmin +2 ' "$WORK/stat-admin.txt" || fail "FinAbortOnAdmin is not 2"
note "ok: fin kill reset two connections; the third is untouched"

# The end: the peer closes the last one, fin stops, the socket goes away.
touch "$WORK/go"
wait_pid "$PEER_PID" 10 || fail "peer: $(tail -n 3 "$WORK/peer.log")"
kill -TERM "$FIN_PID"
wait_pid "$FIN_PID" 10 || fail "fin serve exited with $?"
[ -e "$SOCK" ] && fail "control socket left behind"
rc=0
"$FIN" ss 2>"$WORK/ss-none.err" || rc=$?
[ $rc -eq 1 ] && grep -q "no running fin" "$WORK/ss-none.err" || fail "fin ss with no fin: exit $rc"
expect_line fin "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSED reason=admin-kill err=ECONNABORTED" "killed, as fin logs it"
# --counters: written after the shutdown completed.
grep -Eq '^FinLiveConnections +0 ' "$WORK/counters.txt" || fail "counters: live connections at exit"
grep -Eq '^FinAbortOnAdmin +2 ' "$WORK/counters.txt" || fail "counters: FinAbortOnAdmin"

# The events and the capture tell the same story.
python3 "$HERE/../support/check_events.py" "$WORK/events.ndjson" --types state,close,rst,send,recv
grep '"type":"rst"' "$WORK/events.ndjson" | grep -q '"conn":0,' && fail "an RST event without its connection"
tshark -r "$WORK/fin.pcapng" -T fields -e frame.comment 2>/dev/null >"$WORK/comments.txt" ||
  fail "tshark cannot read the pcapng"
grep -q "fin conn [0-9]*: LISTEN -> SYN-RECEIVED" "$WORK/comments.txt" || fail "pcapng: no SYN-RECEIVED comment"
tshark -r "$WORK/fin.pcapng" -Y 'frame.comment contains "admin-kill"' -T fields -e tcp.flags.reset \
  2>/dev/null | sort -u | grep -qx '1\|True' || fail "pcapng: the kill is not on the RST"
note "ok: events and pcapng record the kills ($(wc -l <"$WORK/events.ndjson") events)"
# TIME-WAIT remaining: an HTTP-style exchange where fin closes first.
fin_serve fin2 --port 80 --app http --msl 5 --control "$WORK/fin2.sock" --duration 40
FIN2_PID=$FIN_PID
nsx timeout 10 curl "$FAMILY_OPT" -gsS --max-time 5 -H 'Connection: close' "http://$FIN_EP/" >/dev/null
"$FIN" ss -o --control "$WORK/fin2.sock" >"$WORK/ss3.txt"
cat "$WORK/ss3.txt"
grep -Eq "^TIME-WAIT +0 +0 +$FIN_RE:80 .* timer:\(time-wait,[0-9.]+s,0\)" "$WORK/ss3.txt" ||
  fail "fin ss -o: no TIME-WAIT with its time left"
left=$(sed -n 's/.*timer:(time-wait,\([0-9.]*\)s,0).*/\1/p' "$WORK/ss3.txt")
python3 -c "import sys; sys.exit(not 8.0 < $left <= 10.0)" || fail "TIME-WAIT left $left s, want (8, 10] of 2*MSL = 10"
TW=$(awk '/^TIME-WAIT/ {print $4, $5}' "$WORK/ss3.txt")
"$FIN" kill --control "$WORK/fin2.sock" $TW >"$WORK/kill-tw.txt"
grep -q "(was TIME-WAIT)" "$WORK/kill-tw.txt" || fail "kill of a TIME-WAIT record"
[ "$("$FIN" ss -H --control "$WORK/fin2.sock" | wc -l)" -eq 0 ] || fail "the TIME-WAIT record is still listed"
note "ok: TIME-WAIT listed with ${left}s left, then killed"
kill -TERM "$FIN2_PID"
wait_pid "$FIN2_PID" 10 || fail "fin serve (http) exited with $?"
[ -e "$WORK/fin2.sock" ] && fail "--control socket left behind"

pass
