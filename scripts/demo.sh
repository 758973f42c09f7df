#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The tour `make demo` prints: four ways a TCP connection ends, each drawn as
# a ladder (time down the page, both hosts' states beside the arrows), with
# a pcap, an SVG and NDJSON events written under out/demo/.
# Usage: scripts/demo.sh BUILD_DIR
set -euo pipefail
BUILD=${1:-build}
FIN="$BUILD/fin"
OUT=out/demo
[ -x "$FIN" ] || { echo "demo: $FIN not found (run make first)" >&2; exit 1; }
mkdir -p "$OUT"
status=0
for s in graceful-active simultaneous abort lost-final-ack; do
  desc=$("$FIN" sim --list | awk -v s="$s" '$1 == s { $1 = ""; sub(/^ +/, ""); print }')
  printf '\n=== fin sim %s — %s\n\n' "$s" "$desc"
  "$FIN" sim "$s" --pcap "$OUT/$s.pcap" --svg "$OUT/$s.svg" --events "$OUT/$s.ndjson" || status=1
done
printf '\nWritten under %s/: one .pcap (open in Wireshark), .svg and .ndjson per scenario.\n' "$OUT"
printf 'Try: %s sim --list; %s sim half-close --loss 0.2 --seed 3\n' "$FIN" "$FIN"
exit $status
