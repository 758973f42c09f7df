#!/bin/sh
# SPDX-License-Identifier: MIT
# fin from the outside: usage errors of every command (bad option named,
# exit 2; --help per command; missing files exit 2), fin sim's listing,
# output formats, pcap and pcapng decoding by tshark, byte-identical pcaps
# for one seed. None of it needs root: serve/connect fail on their files
# before they open a TUN device. Usage:
#   cli_checks.sh FIN_BINARY CHECK
set -u
FIN=$1
CHECK=$2
CHECK_EVENTS="$(dirname "$0")/../support/check_events.py"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The tshark checks skip (exit 77, ctest SKIP_RETURN_CODE) without tshark.
need_tshark() {
  command -v tshark >/dev/null 2>&1 || { echo "skip: tshark is not installed"; exit 77; }
}

# tshark_clean FILE FAMILY MIN: tshark decodes at least MIN packets, every
# one of them TCP over FAMILY (ip or ipv6), none malformed, none with an
# expert error, every IP (IPv4) and TCP checksum verified good.
tshark_clean() {
  file=$1
  fam=$2
  min=$3
  set -- -r "$file" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE
  n=$(tshark "$@" 2>/dev/null | wc -l)
  [ "$n" -ge "$min" ] || fail "$file: tshark decoded only $n packets"
  for filter in "!($fam && tcp)" "_ws.malformed" '_ws.expert.severity >= "error"' \
    "tcp.checksum.status != 1" "ip.checksum.status && ip.checksum.status != 1"; do
    m=$(tshark "$@" -Y "$filter" 2>/dev/null | wc -l)
    [ "$m" -eq 0 ] || fail "$file: $m of $n packets match '$filter'"
  done
}

# A bad option: exit 2 and a message that names the option.
bad() {
  opt=$1
  shift
  "$FIN" sim "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  [ $rc -ne 0 ] || fail "fin sim $* exited 0"
  grep -q -- "$opt" "$TMP/err" || fail "fin sim $*: message does not name $opt: $(cat "$TMP/err")"
}

# usage CODE PATTERN CMD...: exit status CODE and stderr matching PATTERN
# (the option or file the user got wrong).
usage() {
  code=$1
  pat=$2
  shift 2
  "$FIN" "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  [ $rc -eq "$code" ] || fail "fin $*: exit $rc, want $code ($(cat "$TMP/err"))"
  grep -q -- "$pat" "$TMP/err" || fail "fin $*: message does not name '$pat': $(cat "$TMP/err")"
  [ -s "$TMP/out" ] && fail "fin $*: wrote to stdout on a usage error"
  return 0
}

COMMANDS="sim script serve connect demo ss stat kill"
NET="--tun fin-cli-none --addr 10.77.0.2/24"

case $CHECK in
bad-options-all)
  for c in $COMMANDS; do
    usage 2 "'--bogus'" $c --bogus
    usage 2 "'-q'" $c -q
  done
  usage 2 "'--pcap' needs a value" serve --pcap
  usage 2 "'--port' needs a value" serve $NET --port
  usage 2 "--port" serve $NET --port 0
  usage 2 "--port" serve $NET --port 80x
  usage 2 "--port" serve $NET
  usage 2 "--app" serve $NET --port 80 --app ftp
  usage 2 "--addr" serve --tun x --addr 10.77.0.300/24 --port 80
  usage 2 "--msl" serve $NET --port 80 --msl -1
  usage 2 "--tun" serve --addr 10.77.0.2/24 --port 80
  usage 2 "--v6only: needs an IPv6 --addr" serve $NET --port 80 --v6only
  usage 2 "--linger" connect $NET --linger soon 10.77.0.1 80
  usage 2 "HOST" connect $NET 10.77.0.999 80
  usage 2 "PORT" connect $NET 10.77.0.1 65536
  usage 2 "HOST PORT" connect $NET 10.77.0.1
  usage 2 "--abort" connect $NET --abort --linger 1 10.77.0.1 80
  usage 2 "'--wait-time-wait' takes no value" connect $NET --wait-time-wait=1 10.77.0.1 80
  usage 2 "--pid" ss --pid x
  usage 2 "unexpected" ss state established
  usage 2 "'--json' takes no value" stat --json=yes
  usage 2 "LOCAL REMOTE" kill 10.77.0.2:80
  usage 2 "10.77.0.2:0" kill 10.77.0.2:0 10.77.0.1:4000
  usage 2 "kill: fd00::2:80: expected" kill fd00::2:80 "[fd00::1]:4000"
  usage 2 "kill: \[fd00::1\]: expected" kill "[fd00::2]:80" "[fd00::1]"
  usage 2 "--profile" script --profile bsd x.pkt
  usage 2 "FILE.pkt" script
  usage 2 "unknown command" nosuchcommand
  ;;
help)
  for c in $COMMANDS; do
    "$FIN" $c --help >"$TMP/out" 2>"$TMP/err" || fail "fin $c --help exited $?"
    grep -q "^usage: fin $c" "$TMP/out" || fail "fin $c --help: no usage line"
    [ -s "$TMP/err" ] && fail "fin $c --help wrote to stderr"
    "$FIN" $c -h | cmp -s - "$TMP/out" || fail "fin $c -h differs from --help"
    "$FIN" help $c | cmp -s - "$TMP/out" || fail "fin help $c differs from --help"
  done
  "$FIN" --help | grep -q "^  ss " || fail "fin --help does not list ss"
  "$FIN" --version | grep -Eqx 'fin [0-9]+\.[0-9]+\.[0-9]+' || fail "fin --version: $("$FIN" --version)"
  "$FIN" -V | grep -q '^fin ' || fail "fin -V"
  "$FIN" serve --help | grep -q -- "--pcapng" || fail "serve --help lacks --pcapng"
  "$FIN" connect --help | grep -q -- "--wait-time-wait" || fail "connect --help lacks --wait-time-wait"
  ;;
missing-files)
  # A file named on the command line that cannot be read or written: exit 2,
  # the message names it, and nothing ran.
  usage 2 "/nonexistent/x.pkt" script /nonexistent/x.pkt
  usage 2 "/nonexistent/M.tsv" script --manifest /nonexistent/M.tsv x.pkt
  for o in --pcap --pcapng --svg --events; do
    usage 2 "/nonexistent/out" sim graceful-active $o /nonexistent/out
  done
  for o in --pcap --pcapng --events --counters; do
    usage 2 "/nonexistent/out" serve $NET --port 80 $o /nonexistent/out
    usage 2 "/nonexistent/out" connect $NET $o /nonexistent/out 10.77.0.1 80
  done
  usage 2 "/nonexistent/x.sock" serve $NET --port 80 --control /nonexistent/x.sock
  usage 2 "/nonexistent/c.sock" ss --control /nonexistent/c.sock
  usage 2 "/nonexistent/c.sock" stat --control /nonexistent/c.sock
  usage 2 "/nonexistent/c.sock" kill --control /nonexistent/c.sock 10.77.0.2:80 10.77.0.1:4000
  ;;
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
  # The events schema (docs/events.md), shared with fin serve / fin connect.
  python3 "$CHECK_EVENTS" "$TMP/e.ndjson" --types state,send,recv,app,close || fail "ndjson"
  "$FIN" sim half-open --quiet --events "$TMP/h.ndjson" >/dev/null || fail "half-open failed"
  python3 "$CHECK_EVENTS" "$TMP/h.ndjson" --types drop,rst,timer || fail "ndjson half-open"
  # Drops and RSTs name the connection they belong to.
  grep -E '"type":"(drop|rst)"' "$TMP/h.ndjson" | grep -q '"conn":0,' &&
    fail "a drop or RST of half-open lacks its connection id"
  "$FIN" sim graceful-active | awk 'length > 100 { exit 1 }' || fail "ladder wider than 100"
  "$FIN" sim graceful-active | grep -q 'TIME-WAIT' || fail "ladder lacks TIME-WAIT"
  "$FIN" sim graceful-active --absolute | grep -q 'SYN seq=[1-9]' || fail "--absolute"
  ;;
states)
  # --states: the RFC 9293 state machine with each host's path (SVG, or
  # Mermaid for .mmd / --states-format mermaid). Well-formed XML (xmllint
  # when installed; tests/sim/test_sim_states checks it without).
  "$FIN" sim simultaneous --quiet --states "$TMP/s.svg" >/dev/null || fail "simultaneous --states"
  head -c 4 "$TMP/s.svg" | grep -q '<svg' || fail "states svg header"
  if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$TMP/s.svg" || fail "states svg is not well-formed XML"
  fi
  [ "$(grep -c 'class="node visited" data-state="CLOSING"' "$TMP/s.svg")" -eq 2 ] ||
    fail "CLOSING not highlighted on both hosts"
  grep -q 'data-step="4" data-from="FIN-WAIT-1" data-to="CLOSING"' "$TMP/s.svg" ||
    fail "step 4 is not FIN-WAIT-1 -> CLOSING"
  "$FIN" sim graceful-active --quiet --states "$TMP/g.mmd" >/dev/null || fail "--states .mmd"
  grep -qx 'stateDiagram-v2' "$TMP/g.mmd" || fail ".mmd is not a Mermaid stateDiagram-v2"
  grep -q 'a_FIN_WAIT_2 --> a_TIME_WAIT: (5) rcv FIN / snd ACK' "$TMP/g.mmd" ||
    fail "mermaid step 5 is not FIN-WAIT-2 -> TIME-WAIT"
  "$FIN" sim graceful-active --quiet --states "$TMP/g.svg" --states-format mermaid >/dev/null ||
    fail "--states-format mermaid"
  grep -qx 'stateDiagram-v2' "$TMP/g.svg" || fail "--states-format mermaid ignored"
  usage 2 '--states-format' sim graceful-active --states "$TMP/x.svg" --states-format png
  usage 2 "$TMP/no/such/dir/x.svg" sim graceful-active --states "$TMP/no/such/dir/x.svg"
  ;;
pcap-tshark | pcap-tshark-ipv6)
  # Decoding is checked here, not the scenario's outcome (exit 1 is fine).
  need_tshark
  fam=ip
  v6=
  [ "$CHECK" = pcap-tshark-ipv6 ] && fam=ipv6 && v6=--ipv6
  "$FIN" sim data-then-close $v6 --bytes 100000 --loss 0.05 --dup 0.05 --reorder 0.05 \
    --corrupt 0.02 --seed 3 --quiet --pcap "$TMP/d.pcap" >/dev/null
  [ $? -le 1 ] || fail "data-then-close did not run"
  tshark_clean "$TMP/d.pcap" $fam 100
  if [ -n "$v6" ]; then
    tshark -r "$TMP/d.pcap" -T fields -e ipv6.src -e ipv6.dst 2>/dev/null | sort -u >"$TMP/addrs"
    printf 'fd00::1\tfd00::2\nfd00::2\tfd00::1\n' | cmp -s - "$TMP/addrs" ||
      fail "not between fd00::1 and fd00::2: $(cat "$TMP/addrs")"
  fi
  ;;
demo)
  # fin demo: three aligned columns (a's state, segments, b's state), no line
  # wider than 100, no trailing blanks, every ending printed.
  "$FIN" demo >"$TMP/demo" || fail "fin demo exited $?"
  awk 'length > 100 { exit 1 }' "$TMP/demo" || fail "fin demo: a line wider than 100"
  grep -q ' $' "$TMP/demo" && fail "fin demo: trailing blanks"
  cols=$(grep -E 'a (-->|<--) b' "$TMP/demo" | awk '{ print index($0, "a ") }' | sort -u | wc -l)
  [ "$cols" -eq 1 ] || fail "fin demo: the segments do not start in one column"
  cols=$(grep -E '^ +[0-9.]+ {20,}[A-Z]' "$TMP/demo" | grep -v ' a ' |
    awk '{ print length($0) - length($NF) }' | sort -u | wc -l)
  [ "$cols" -eq 1 ] || fail "fin demo: b's states do not start in one column"
  for t in "graceful close" "simultaneous close" "abort" "lost final ACK"; do
    grep -q "== $t" "$TMP/demo" || fail "fin demo lacks '$t'"
  done
  ;;
pcapng-tshark | pcapng-tshark-ipv6)
  # --pcapng: the same datagrams as --pcap, each commented with the state
  # changes around it; tshark decodes it and shows the comments.
  need_tshark
  fam=ip
  v6=
  [ "$CHECK" = pcapng-tshark-ipv6 ] && fam=ipv6 && v6=--ipv6
  "$FIN" sim lost-final-ack $v6 --quiet --pcap "$TMP/l.pcap" --pcapng "$TMP/l.pcapng" >/dev/null ||
    fail "lost-final-ack failed"
  tshark -r "$TMP/l.pcap" -T fields -e frame.len -e tcp.flags 2>/dev/null >"$TMP/classic"
  tshark -r "$TMP/l.pcapng" -T fields -e frame.len -e tcp.flags 2>/dev/null >"$TMP/ng"
  [ -s "$TMP/ng" ] || fail "tshark read nothing from the pcapng"
  cmp -s "$TMP/classic" "$TMP/ng" || fail "pcapng and pcap hold different datagrams"
  tshark_clean "$TMP/l.pcapng" $fam 10
  tshark -r "$TMP/l.pcapng" -T fields -e frame.comment 2>/dev/null >"$TMP/comments"
  for want in "a conn 1: CLOSED -> SYN-SENT" "b conn 2: LISTEN -> SYN-RECEIVED" \
    "a conn 1: FIN-WAIT-2 -> TIME-WAIT" "network: scripted-loss" "b conn 2: retransmit timer" \
    "b conn 2: closed (graceful)"; do
    grep -qF "$want" "$TMP/comments" || fail "no packet comment '$want'"
  done
  # A comment sits on the packet it belongs to: a's SYN-SENT on a's SYN (the
  # call before it), b's CLOSED on the ACK whose arrival ended LAST-ACK.
  tshark -r "$TMP/l.pcapng" -Y 'frame.comment contains "LAST-ACK -> CLOSED"' -T fields \
    -e tcp.flags.str 2>/dev/null | grep -q 'A' || fail "LAST-ACK -> CLOSED not on an ACK"
  tshark -r "$TMP/l.pcapng" -Y 'frame.comment contains "CLOSED -> SYN-SENT"' -T fields \
    -e tcp.flags.syn -e tcp.flags.ack 2>/dev/null | grep -qx '1.0' ||
    fail "CLOSED -> SYN-SENT not on the SYN"
  ;;
formats-ipv6)
  # --ipv6: hosts fd00::1 and fd00::2 in every output format.
  "$FIN" sim simultaneous --ipv6 --format mermaid --svg "$TMP/s.svg" --events "$TMP/e.ndjson" \
    >"$TMP/m" || fail "simultaneous --ipv6 failed"
  grep -qx '    participant a as a fd00::1' "$TMP/m" || fail "mermaid lacks a fd00::1"
  grep -qx '    participant b as b fd00::2' "$TMP/m" || fail "mermaid lacks b fd00::2"
  grep -q 'Note left of a: CLOSING' "$TMP/m" || fail "mermaid --ipv6 lacks CLOSING"
  grep -q '>a fd00::1</text>' "$TMP/s.svg" || fail "svg lacks a fd00::1"
  tail -1 "$TMP/s.svg" | grep -q '</svg>' || fail "svg end"
  python3 "$CHECK_EVENTS" "$TMP/e.ndjson" --types state,send,recv,app,close || fail "ndjson"
  grep -q '"local":"\[fd00::1\]:[0-9]*","remote":"\[fd00::2\]:80"' "$TMP/e.ndjson" ||
    fail "ndjson lacks [fd00::1]:port -> [fd00::2]:80"
  grep -q '10\.0\.0\.' "$TMP/e.ndjson" "$TMP/m" "$TMP/s.svg" && fail "an IPv4 address in --ipv6 output"
  "$FIN" sim graceful-active --ipv6 | head -1 | grep -Eq '^  time \(s\) +a fd00::1 +b fd00::2$' ||
    fail "ladder header does not name fd00::1 and fd00::2"
  ;;
ladder-width)
  # Every scenario, both families: no ladder line wider than 100 columns
  # (the widest scenario's labels included), every summary a PASS.
  for s in $("$FIN" sim --list | awk '{ print $1 }'); do
    for v6 in "" --ipv6; do
      "$FIN" sim "$s" $v6 >"$TMP/l" || fail "fin sim $s $v6 failed: $(tail -1 "$TMP/l")"
      w=$(awk '{ if (length > m) m = length } END { print m }' "$TMP/l")
      [ "$w" -le 100 ] || fail "fin sim $s $v6: a line of $w columns"
      tail -1 "$TMP/l" | grep -qx PASS || fail "fin sim $s $v6: $(tail -1 "$TMP/l")"
    done
  done
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
