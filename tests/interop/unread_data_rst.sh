#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fin closes with unread data -> RST, not FIN (RFC 2525 / BEHAVIOR B7): Linux's recv gives ECONNRESET.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
bg peer python3 "$PEER" server-expect-reset 9000 15 close-with-unread-data
PEER_PID=$LAST_PID
wait_for_line peer ready 5
printf 'hello from fin\n' >"$WORK/in"
nsx timeout 20 "$FIN" connect --tun fin0 --addr "$FIN_CIDR" --no-read --hold 0.5 \
  --pcap "$WORK/fin.pcap" "$LINUX_IP" 9000 <"$WORK/in" >"$WORK/out" 2>"$WORK/fin.log" ||
  fail "fin connect exited with $?"
wait_pid "$PEER_PID" 10 || fail "peer: $(tail -n 3 "$WORK/peer.log")"
cat "$WORK/peer.log"
expect_line fin "ESTABLISHED>CLOSED reason=unread-data err=0 app_err=0 in=0 out=15" "fin closed with unread data"
python3 "$PEER" pcap "$WORK/fin.pcap" | grep "$FIN_RE:[0-9]* >" | grep -q '\[F' && fail "fin sent a FIN"
python3 "$PEER" pcap "$WORK/fin.pcap" | grep "$FIN_RE:[0-9]* >" | grep -q '\[RA\?\]' || fail "no RST from fin"
note "ok: capture: RST, no FIN"
pass
