#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 5 % loss during a 10 MB transfer, then a graceful close: the SHA-256 of what
# Linux sent equals the SHA-256 of what fin received. Loss comes from
# `tc netem` on the TUN device when the kernel has sch_netem; otherwise from
# fin's own seeded --drop 0.05 (both directions).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
loss=()
if nsx tc qdisc add dev fin0 root netem loss 5% 2>/dev/null; then
  note "loss: tc netem 5% on fin0 (the kernel's side of the TUN device)"
else
  note "loss: sch_netem unavailable; fin --drop 0.05 (each datagram in or out, seeded)"
  loss=(--drop 0.05 --seed 5)
fi
BG_TIMEOUT=150 fin_serve fin --port 5001 --app sink --exit-after 1 --counters "$WORK/counters.txt" "${loss[@]}"
nsx timeout 150 python3 "$PEER" bulk-send 5001 10485760 >"$WORK/peer.log" 2>&1 ||
  fail "peer: $(tail -n 3 "$WORK/peer.log")"
cat "$WORK/peer.log"
wait_pid "$FIN_PID" 10 || fail "fin serve exited with $?"
want=$(sed -n 's/^linux-sha256=//p' "$WORK/peer.log")
expect_line fin "ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED reason=graceful err=0 app_err=0 in=10485760 out=0 sha256=$want" \
  "fin received 10 MB with the same SHA-256 and closed gracefully"
grep -E 'stopping|fault' "$WORK/fin.log"
grep -E '^(TcpRetransSegs|TcpExtTCPOFOQueue|TcpOutSegs|TcpInSegs) ' "$WORK/counters.txt"
pass
