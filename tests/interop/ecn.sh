#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ECN (RFC 3168) with the Linux kernel, each way, net.ipv4.tcp_ecn=1 set in
# this test's own namespace only (the sysctl is per namespace):
#  1. a Linux client asks in its SYN and fin serve --ecn 2 agrees;
#  2. fin connect --ecn 1 asks and the Linux server agrees.
# fin's capture shows the ECN-setup SYN and SYN-ACK and ECT(0) on every data
# segment both ways (none on fin's pure ACKs); the kernel's TCP_INFO has
# TCPI_OPT_ECN and TCPI_OPT_ECN_SEEN (it saw fin's ECT); fin's counters show
# the negotiation and the kernel's ECT(0) datagrams.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
nsx sysctl -qw net.ipv4.tcp_ecn=1
[ "$(nsx sysctl -n net.ipv4.tcp_ecn)" = 1 ] || skip "cannot set net.ipv4.tcp_ecn in the namespace"

# counter FILE NAME: a counter's value in a --counters file (nstat layout).
counter() { awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' "$1"; }

fin_serve fin --port 7 --app echo --exit-after 1 --ecn 2 --pcap "$WORK/fin.pcap" \
  --counters "$WORK/fin.counters"
nsx timeout 30 python3 "$PEER" ecn-client 7 100000 >"$WORK/peer1.log" 2>&1 ||
  fail "peer: $(tail -n 3 "$WORK/peer1.log")"
cat "$WORK/peer1.log"
wait_pid "$FIN_PID" 10 || fail "fin serve exited with $?"
python3 "$PEER" pcap-ecn "$WORK/fin.pcap" "$LINUX_IP" "$FIN_IP" || fail "Linux client -> fin serve"
[ "$(counter "$WORK/fin.counters" FinEcnNegotiated)" = 1 ] || fail "fin serve: FinEcnNegotiated is not 1"
if [ "$FIN_FAMILY" = 6 ]; then ect0_name=Ip6InECT0Pkts; else ect0_name=IpExtInECT0Pkts; fi
ect0=$(counter "$WORK/fin.counters" $ect0_name)
[ "$ect0" -gt 0 ] || fail "fin serve counted no ECT(0) datagram from Linux"
note "ok: fin serve: FinEcnNegotiated 1, $ect0 ECT(0) datagrams from Linux"

bg peer2 python3 "$PEER" ecn-server 9000 4 100000
PEER_PID=$LAST_PID
wait_for_line peer2 ready 5
printf 'ping' | nsx timeout 30 "$FIN" connect --tun fin0 --addr "$FIN_CIDR" --ecn 1 \
  --pcap "$WORK/fin2.pcap" --counters "$WORK/fin2.counters" "$LINUX_IP" 9000 \
  >"$WORK/out2" 2>"$WORK/fin2.log" || fail "fin connect exited with $?"
wait_pid "$PEER_PID" 10 || fail "peer: $(tail -n 3 "$WORK/peer2.log")"
cat "$WORK/peer2.log"
[ "$(wc -c <"$WORK/out2")" -eq 100000 ] || fail "fin connect received $(wc -c <"$WORK/out2") bytes"
python3 "$PEER" pcap-ecn "$WORK/fin2.pcap" "$FIN_IP" "$FIN_IP" || fail "fin connect -> Linux server"
[ "$(counter "$WORK/fin2.counters" FinEcnNegotiated)" = 1 ] || fail "fin connect: FinEcnNegotiated is not 1"
note "ok: fin connect: FinEcnNegotiated 1"
pass
