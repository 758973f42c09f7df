#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SACK-based loss recovery with the Linux kernel (issue 11, BEHAVIOR S1):
# Linux sends 2 MB to `fin serve --app echo`, which echoes them back, with
# 3 % of the datagrams lost each way (fin's seeded --drop, both directions).
# Data flows both ways under loss, so each side is a SACK receiver and a SACK
# sender: a capture taken inside the namespace (tshark on the kernel's side
# of the TUN device) must show SACK blocks from fin to Linux and from Linux
# to fin; the echo must come back byte for byte; fin's counters must show
# that it recovered with the peer's blocks (TcpExtTCPSackRecovery).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
command -v tshark >/dev/null || skip "tshark not found (needed for the capture)"

# counter FILE NAME: a counter's value in a --counters file (nstat layout).
counter() { awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' "$1"; }

BG_TIMEOUT=90 bg capture tshark -i fin0 -w "$WORK/ns.pcap" -f tcp
CAPTURE_PID=$LAST_PID
for ((i = 0; i < 100; i++)); do
  grep -q "Capturing on" "$WORK/capture.log" 2>/dev/null && break
  sleep 0.1
done
grep -q "Capturing on" "$WORK/capture.log" || skip "tshark cannot capture in the namespace"

BG_TIMEOUT=90 fin_serve fin --port 5001 --app echo --exit-after 1 --drop 0.03 --seed 11 \
  --counters "$WORK/counters.txt"
nsx timeout 90 python3 "$PEER" half-close-linux 5001 2097152 >"$WORK/peer.log" 2>&1 ||
  fail "peer: $(tail -n 3 "$WORK/peer.log")"
cat "$WORK/peer.log"
wait_pid "$FIN_PID" 15 || fail "fin serve exited with $?"
sleep 0.5 # the last segments reach the capture
kill_program "$CAPTURE_PID" INT
wait_pid "$CAPTURE_PID" 10 || true

if [ "$FIN_FAMILY" = 6 ]; then src=ipv6.src; else src=ip.src; fi
tshark -r "$WORK/ns.pcap" -Y tcp.options.sack_le -T fields -e "$src" >"$WORK/sack-sources.txt" 2>/dev/null ||
  fail "tshark cannot read the capture"
from_fin=$(grep -cx -- "$FIN_IP" "$WORK/sack-sources.txt" || true)
from_linux=$(grep -cx -- "$LINUX_IP" "$WORK/sack-sources.txt" || true)
note "segments with SACK blocks in the capture: fin -> Linux $from_fin, Linux -> fin $from_linux"
[ "$from_fin" -gt 0 ] || fail "no SACK block from fin to Linux in the capture"
[ "$from_linux" -gt 0 ] || fail "no SACK block from Linux to fin in the capture"

grep -E '^(TcpRetransSegs|TcpExtTCPSackRecovery|TcpExtTCPLossProbes|TcpExtTCPLossProbeRecovery|TcpExtTCPDSACKRecv|TcpExtTCPSACKDiscard|TcpExtTCPTimeouts) ' \
  "$WORK/counters.txt" || true
recoveries=$(counter "$WORK/counters.txt" TcpExtTCPSackRecovery)
[ "$recoveries" -gt 0 ] || fail "fin never entered SACK recovery (TcpExtTCPSackRecovery 0)"
[ "$(counter "$WORK/counters.txt" TcpExtTCPSACKDiscard)" = 0 ] || fail "fin discarded SACK blocks from Linux"
note "ok: fin recovered $recoveries times with Linux's SACK blocks"
pass
