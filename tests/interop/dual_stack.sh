#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# interop: dual
# One fin with an address of each family (--addr 10.77.0.2/24 --addr
# fd77::2/64; fin serve listens on [::], RFC 3493 §3.7):
#  1. IPv4 and IPv6 clients at once: two Linux peers hold connections of
#     each family while `fin ss` lists all four; then 200 connections, IPv4
#     and IPv6 in turn, all open together, plus nc -4 and nc -6, echo and
#     close. fin logs IPv4 peers as IPv4 (not ::ffff:), its TCP counters
#     count both families, its IP counters each its own.
#  2. `fin connect` with both addresses reaches `nc -4 -l` and `nc -6 -l`,
#     from the address of the destination's family.
set -euo pipefail
FIN_FAMILY=dual
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
command -v nc >/dev/null || skip "nc not found (Debian package netcat-openbsd)"
N=200
ulimit -n 4096
fin_serve fin --addr "$FIN_IP6/64" --port 7 --app echo --duration 60 --control "$WORK/fin.sock" \
  --counters "$WORK/counters.txt"
stat_of() { "$FIN" stat -z --control "$WORK/fin.sock" "$1" | awk -v n="$1" '$1 == n {print $2}'; }

# Both families held open at the same time.
FIN_FAMILY=4 FIN_IP=$FIN_IP4 bg hold4 python3 "$PEER" hold 7 2 30 "$WORK/go"
HOLD4=$LAST_PID
FIN_FAMILY=6 FIN_IP=$FIN_IP6 bg hold6 python3 "$PEER" hold 7 2 30 "$WORK/go"
HOLD6=$LAST_PID
wait_for_line hold4 ready 10
wait_for_line hold6 ready 10
"$FIN" ss -H --control "$WORK/fin.sock" >"$WORK/ss.txt"
cat "$WORK/ss.txt"
[ "$(grep -cE "^ESTABLISHED +0 +0 +$(re "$FIN_IP4"):7 +$(re "$LINUX_IP4"):[0-9]+ " "$WORK/ss.txt")" -eq 2 ] ||
  fail "fin ss: want 2 IPv4 connections"
[ "$(grep -cE "^ESTABLISHED +0 +0 +$(re "[$FIN_IP6]"):7 +$(re "[$LINUX_IP6]"):[0-9]+ " "$WORK/ss.txt")" -eq 2 ] ||
  fail "fin ss: want 2 IPv6 connections"
"$FIN" ss -l -H --control "$WORK/fin.sock" >"$WORK/ssl.txt"
grep -Eq '^LISTEN +0 +1024 +\[::\]:7 +\[::\]:\*' "$WORK/ssl.txt" || fail "fin ss -l: $(cat "$WORK/ssl.txt")"
note "ok: one listener on [::]:7 holds 2 IPv4 and 2 IPv6 connections at once"
touch "$WORK/go"
wait_pid "$HOLD4" 10 || fail "hold4: $(tail -n 3 "$WORK/hold4.log")"
wait_pid "$HOLD6" 10 || fail "hold6: $(tail -n 3 "$WORK/hold6.log")"

# Many of both families at once, and nc of each.
bg many python3 "$PEER" dual-many 7 $N
MANY=$LAST_PID
bg nc4 sh -c "printf 'nc over IPv4\n' | nc -4 -N -w 10 $FIN_IP4 7"
NC4=$LAST_PID
bg nc6 sh -c "printf 'nc over IPv6\n' | nc -6 -N -w 10 $FIN_IP6 7"
NC6=$LAST_PID
wait_pid "$MANY" 60 || fail "peer: $(tail -n 3 "$WORK/many.log")"
wait_pid "$NC4" 15 || fail "nc -4 exited with $?"
wait_pid "$NC6" 15 || fail "nc -6 exited with $?"
cat "$WORK/many.log"
[ "$(cat "$WORK/nc4.log")" = "nc over IPv4" ] || fail "nc -4 got '$(cat "$WORK/nc4.log")'"
[ "$(cat "$WORK/nc6.log")" = "nc over IPv6" ] || fail "nc -6 got '$(cat "$WORK/nc6.log")'"
note "ok: nc -4 and nc -6 echoed"
total=$((4 + N + 2))
for ((i = 0; i < 100; i++)); do
  [ "$(stat_of FinLiveConnections)" = 0 ] && [ "$(grep -c '^conn ' "$WORK/fin.log")" -eq $total ] && break
  sleep 0.05
done
v4=$(grep -cE "^conn $(re "$FIN_IP4"):7 $(re "$LINUX_IP4"):[0-9]+ .*CLOSED reason=graceful" "$WORK/fin.log" || true)
v6=$(grep -cE "^conn $(re "[$FIN_IP6]"):7 $(re "[$LINUX_IP6]"):[0-9]+ .*CLOSED reason=graceful" "$WORK/fin.log" || true)
note "fin: $v4 IPv4 and $v6 IPv6 connections ended gracefully"
[ "$v4" -eq $((total / 2)) ] && [ "$v6" -eq $((total / 2)) ] || fail "want $((total / 2)) of each family"
grep -q '::ffff:' "$WORK/fin.log" && fail "an IPv4 peer logged as IPv4-mapped"
"$FIN" stat -j --control "$WORK/fin.sock" 'TcpPassiveOpens' 'Ip*InReceives' >"$WORK/stat.json"
python3 - "$WORK/stat.json" $total <<'EOF' || fail "fin stat -j: $(cat "$WORK/stat.json")"
import json, sys
d = json.load(open(sys.argv[1]))["fin"]
total = int(sys.argv[2])
assert d["TcpPassiveOpens"] == total, d
# Each connection brought at least SYN, ACK, data, FIN and ACK of its family.
assert d["IpInReceives"] >= 5 * total // 2 and d["Ip6InReceives"] >= 5 * total // 2, d
EOF
note "ok: fin stat: $(cat "$WORK/stat.json")"
# fin's IP counters against the kernel's (nstat reads /proc/net/snmp and
# snmp6): what one side sent, the other received, family by family. Nothing
# else talks in this namespace (no router solicitation, no DAD).
nsx nstat -asz IpOutRequests IpInReceives Ip6OutRequests Ip6InReceives >"$WORK/nstat.txt"
kern() { awk -v n="$1" '$1 == n {print $2}' "$WORK/nstat.txt"; }
drops=$(nsx cat /sys/class/net/fin0/statistics/tx_dropped)
for pair in IpInReceives:IpOutRequests Ip6InReceives:Ip6OutRequests \
  IpOutRequests:IpInReceives Ip6OutRequests:Ip6InReceives; do
  f=$(stat_of "${pair%:*}") k=$(kern "${pair#*:}")
  note "fin ${pair%:*} $f, kernel ${pair#*:} $k"
  # What the kernel sent and its TUN queue dropped never reached fin.
  [ "$f" -le "$k" ] && [ $((f + drops)) -ge "$k" ] || fail "fin ${pair%:*} $f, kernel ${pair#*:} $k (tx_dropped $drops)"
done
[ "$(stat_of Ip6InDelivers)" -eq "$(stat_of Ip6InReceives)" ] || fail "an IPv6 datagram was not delivered"
[ "$(stat_of IpInDelivers)" -eq "$(stat_of IpInReceives)" ] || fail "an IPv4 datagram was not delivered"
note "ok: fin's IP counters match the kernel's (nstat); every datagram delivered (tx_dropped $drops)"
kill -TERM "$FIN_PID"
wait_pid "$FIN_PID" 10 || fail "fin serve exited with $?"

# fin connect, dual stack, to a Linux listener of each family.
for fam in 4 6; do
  if [ $fam = 4 ]; then lip=$LINUX_IP4 fip=$FIN_IP4; else lip=$LINUX_IP6 fip=[$FIN_IP6]; fi
  bg nc-l$fam nc -$fam -l -N -w 10 "$lip" 9000 </dev/null
  NCL=$LAST_PID
  for ((i = 0; i < 100; i++)); do
    [ -n "$(nsx ss -ltnH -$fam 'sport = :9000')" ] && break
    sleep 0.05
  done
  printf 'fin over IPv%s\n' $fam >"$WORK/in"
  nsx timeout 20 "$FIN" connect --tun fin0 --addr "$FIN_IP4/24" --addr "$FIN_IP6/64" "$lip" 9000 \
    <"$WORK/in" >"$WORK/out$fam" 2>"$WORK/connect$fam.log" || fail "fin connect to $lip exited with $?"
  wait_pid "$NCL" 15 || fail "nc -$fam -l exited with $?"
  [ "$(cat "$WORK/nc-l$fam.log")" = "fin over IPv$fam" ] || fail "nc -$fam -l got '$(cat "$WORK/nc-l$fam.log")'"
  expect_line connect$fam "^conn $(re "$fip"):[0-9]+ $(re "$(ep "$lip")"):9000 .*CLOSED reason=" \
    "fin connect used its IPv$fam address"
done
pass
