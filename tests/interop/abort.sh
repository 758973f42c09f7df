#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Aborts each way.
#  1. fin aborts (SO_LINGER {1,0}): Linux's next recv gives ECONNRESET.
#  2. Linux aborts (SO_LINGER {1,0}): fin's recv gives ECONNRESET.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"

bg peer python3 "$PEER" server-expect-reset 9000 15 abort
PEER_PID=$LAST_PID
wait_for_line peer ready 5
printf 'hello from fin\n' >"$WORK/in"
nsx timeout 20 "$FIN" connect --tun fin0 --addr "$FIN_CIDR" --abort --expect 1000 \
  --pcap "$WORK/fin.pcap" "$LINUX_IP" 9000 <"$WORK/in" >"$WORK/out" 2>"$WORK/fin.log" ||
  fail "fin connect exited with $?"
wait_pid "$PEER_PID" 10 || fail "peer: $(tail -n 3 "$WORK/peer.log")"
cat "$WORK/peer.log"
expect_line fin "ESTABLISHED>CLOSED reason=abort err=0 app_err=0 in=1000 out=15" "fin ESTABLISHED -> CLOSED by abort"
python3 "$PEER" pcap "$WORK/fin.pcap" | grep -q "$FIN_RE:.* \[RA\?\]" || fail "no RST from fin in the capture"
python3 "$PEER" pcap "$WORK/fin.pcap" | grep "$FIN_RE:[0-9]* >" | grep -q '\[F' && fail "fin sent a FIN"
note "ok: capture: fin sent RST, no FIN"

fin_serve fin2 --port 7 --app echo --exit-after 1
nsx timeout 20 python3 "$PEER" linux-aborts 7 >"$WORK/peer2.log" 2>&1 || fail "peer: $(tail -n 3 "$WORK/peer2.log")"
cat "$WORK/peer2.log"
wait_pid "$FIN_PID" 10 || fail "fin serve exited with $?"
expect_line fin2 "ESTABLISHED>CLOSED reason=reset err=ECONNRESET app_err=ECONNRESET in=11 out=11" \
  "fin's recv gave ECONNRESET"
pass
