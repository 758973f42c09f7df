#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Linux closes first: Linux FIN-WAIT-2 -> TIME-WAIT; fin CLOSE-WAIT -> LAST-ACK -> CLOSED.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
fin_serve fin --port 7 --app echo --exit-after 1 --pcap "$WORK/fin.pcap"
nsx timeout 20 python3 "$PEER" linux-closes-first 7 >"$WORK/peer.log" 2>&1 || fail "peer: $(tail -n 3 "$WORK/peer.log")"
cat "$WORK/peer.log"
wait_pid "$FIN_PID" 10 || fail "fin serve exited with $?"
expect_line fin "ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED reason=graceful err=0 app_err=0 in=17 out=17" \
  "fin CLOSE-WAIT -> LAST-ACK -> CLOSED"
# Linux passed through FIN-WAIT-2: fin acknowledged Linux's FIN before sending its own.
python3 "$PEER" pcap "$WORK/fin.pcap" >"$WORK/pcap.txt"
grep -n '\[' "$WORK/pcap.txt" | tail -n 4
awk -v fin="$FIN_EP:" 'index($2, fin) == 1 && $5 == "[A]" {a=NR} index($2, fin) == 1 && $5 ~ /F/ {f=NR} index($2, fin) != 1 && $5 ~ /F/ {l=NR}
  END {exit !(l && a > l && f > a)}' "$WORK/pcap.txt" || fail "capture: no ACK of Linux's FIN before fin's FIN"
note "ok: capture shows ACK of Linux's FIN before fin's FIN (Linux FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT)"
pass
