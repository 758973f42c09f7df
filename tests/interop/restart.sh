#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fin restarts (killed without notice) while Linux holds an established
# connection: the new fin answers Linux's next segment with RST, so Linux
# gets ECONNRESET promptly. The killed fin's control socket is left behind;
# the new one, told the same --control path, replaces it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
fin_serve fin --port 7 --app echo --duration 30 --control "$WORK/fin.sock"
bg peer python3 "$PEER" restart-hold 7 "$WORK/go"
PEER_PID=$LAST_PID
wait_for_line peer established 10
kill_program "$FIN_PID" KILL
wait "$FIN_PID" 2>/dev/null || true
note "fin killed; kernel: $(ss_states)"
[ -S "$WORK/fin.sock" ] || fail "the killed fin's socket is gone (the test proves nothing)"
fin_serve fin2 --port 7 --app echo --duration 10 --grace 1 --pcap "$WORK/fin2.pcap" \
  --control "$WORK/fin.sock"
"$FIN" ss -l -H --control "$WORK/fin.sock" >"$WORK/ss.txt" || fail "fin ss: exit $?"
grep -q "^LISTEN " "$WORK/ss.txt" || fail "the new fin does not answer on the replaced socket"
touch "$WORK/go"
wait_pid "$PEER_PID" 30 || fail "peer: $(tail -n 3 "$WORK/peer.log")"
cat "$WORK/peer.log"
kill -TERM "$FIN_PID"
wait_pid "$FIN_PID" 10 || fail "fin serve exited with $? on SIGTERM"
[ -e "$WORK/fin.sock" ] && fail "control socket left behind"
python3 "$PEER" pcap "$WORK/fin2.pcap" | grep "$FIN_RE:7 >" | grep -q '\[R' || fail "the new fin sent no RST"
note "ok: capture: the new fin answered with RST"
pass
