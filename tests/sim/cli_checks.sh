#!/bin/sh
# fin sim from the outside: usage errors, listing, output formats, pcap
# decoding by tshark, byte-identical pcaps for one seed. Usage:
#   cli_checks.sh FIN_BINARY CHECK
set -u
FIN=$1
CHECK=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# A bad option: exit 2 and a message that names the option.
bad() {
  opt=$1
  shift
  "$FIN" sim "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  [ $rc -ne 0 ] || fail "fin sim $* exited 0"
  grep -q -- "$opt" "$TMP/err" || fail "fin sim $*: message does not name $opt: $(cat "$TMP/err")"
}

case $CHECK in
bad-options)
  bad --loss graceful-active --loss 2
  bad --loss graceful-active --loss abc
  bad --delay graceful-active --delay -5
  bad --rate graceful-active --rate fast
  bad --seed graceful-active --seed -1
  bad --format graceful-active --format png
  bad --bogus graceful-active --bogus
  bad --pcap graceful-active --pcap
  bad no-such-scenario no-such-scenario
  "$FIN" sim graceful-active --loss 2 >/dev/null 2>&1
  [ $? -eq 2 ] || fail "bad option must exit 2"
  ;;
list)
  "$FIN" sim --list >"$TMP/list" || fail "--list failed"
  for s in graceful-active graceful-passive simultaneous half-close lost-final-ack abort \
    unread-data refused dead-peer fin-wait-2-timeout keepalive-timeout half-open \
    time-wait-reopen data-then-close zero-window-close bulk-shutdown; do
    grep -q "^  $s  *[a-zA-Z]" "$TMP/list" || fail "--list lacks $s"
  done
  "$FIN" sim --help | grep -q -- "--loss" || fail "--help lacks --loss"
  ;;
formats)
  "$FIN" sim simultaneous --format mermaid --svg "$TMP/s.svg" --events "$TMP/e.ndjson" \
    >"$TMP/m" || fail "simultaneous failed"
  head -1 "$TMP/m" | grep -q '^sequenceDiagram$' || fail "mermaid header"
  grep -q 'Note left of a: CLOSING' "$TMP/m" || fail "mermaid lacks CLOSING"
  head -c 4 "$TMP/s.svg" | grep -q '<svg' || fail "svg header"
  tail -1 "$TMP/s.svg" | grep -q '</svg>' || fail "svg end"
  python3 - "$TMP/e.ndjson" <<'PY' || fail "ndjson"
import json, sys
types = set()
for line in open(sys.argv[1]):
    e = json.loads(line)
    for k in ("t", "host", "conn", "type"):
        assert k in e, (k, e)
    types.add(e["type"])
    if e["type"] == "state":
        assert e["from"] and e["to"]
    if e["type"] in ("send", "recv"):
        for k in ("flags", "seq", "ack", "len", "win"):
            assert k in e, (k, e)
    if e["type"] == "close":
        assert "reason" in e and "errno" in e
    if e["type"] == "app":
        assert "call" in e and "result" in e
assert {"state", "send", "recv", "app", "close"} <= types, types
PY
  "$FIN" sim graceful-active | awk 'length > 100 { exit 1 }' || fail "ladder wider than 100"
  "$FIN" sim graceful-active | grep -q 'TIME-WAIT' || fail "ladder lacks TIME-WAIT"
  "$FIN" sim graceful-active --absolute | grep -q 'SYN seq=[1-9]' || fail "--absolute"
  ;;
pcap-tshark)
  # Decoding is checked here, not the scenario's outcome (exit 1 is fine).
  "$FIN" sim data-then-close --bytes 100000 --loss 0.05 --dup 0.05 --reorder 0.05 \
    --corrupt 0.02 --seed 3 --quiet --pcap "$TMP/d.pcap" >/dev/null
  [ $? -le 1 ] || fail "data-then-close did not run"
  n=$(tshark -r "$TMP/d.pcap" 2>/dev/null | wc -l)
  [ "$n" -gt 100 ] || fail "tshark decoded only $n packets"
  m=$(tshark -r "$TMP/d.pcap" -Y _ws.malformed 2>/dev/null | wc -l)
  [ "$m" -eq 0 ] || fail "$m malformed packets"
  tshark -r "$TMP/d.pcap" -T fields -e ip.proto 2>/dev/null | sort -u | grep -qx 6 ||
    fail "not TCP"
  ;;
pcap-same-seed)
  for i in 1 2; do
    "$FIN" sim half-open --loss 0.1 --dup 0.05 --jitter 3 --seed 11 --quiet \
      --pcap "$TMP/$i.pcap" >/dev/null
  done
  cmp "$TMP/1.pcap" "$TMP/2.pcap" || fail "same seed, different pcap"
  "$FIN" sim half-open --loss 0.1 --dup 0.05 --jitter 3 --seed 12 --quiet \
    --pcap "$TMP/3.pcap" >/dev/null
  ! cmp -s "$TMP/1.pcap" "$TMP/3.pcap" || fail "another seed, same pcap"
  ;;
*)
  fail "unknown check $CHECK"
  ;;
esac
echo "ok: $CHECK"
