#!/bin/sh
# SPDX-License-Identifier: MIT
# Deterministic simulation testing in the suite (ctest label dst):
#   dst_checks.sh FIN seeds FIRST N   seeds FIRST..FIRST+N-1 of fin sim --random pass,
#                                     over both families
#   dst_checks.sh FIN break KIND      a deliberately broken checker input (--break
#                                     KIND) fails: exit 1, the replay command, and the
#                                     failing seed's pcap, NDJSON and ladder written
#   dst_checks.sh FIN replay          one seed twice gives the same events byte for
#                                     byte; --ipv6 forces IPv6; bad --break is exit 2
set -u
FIN=$1
CHECK=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$TMP" || exit 1

case $CHECK in
seeds)
  first=$3
  n=$4
  "$FIN" sim --random "$first" --repeat "$n" >out 2>err
  rc=$?
  cat out
  cat err >&2
  [ "$rc" -eq 0 ] || fail "seeds $first..$((first + n - 1)): some failed (the replay commands are above)"
  grep -q "^dst seeds=$n .*failed=0 " out || fail "no totals line for $n seeds"
  # Both families, every host count, graceful and abortive endings, faults.
  for want in 'ipv6=[1-9]' 'hosts2=[1-9]' 'hosts3=[1-9]' 'hosts4=[1-9]' ' graceful=[1-9]' \
    ' reset=[1-9]' ' refused=[1-9]' ' time-wait-done=[1-9]' ' crash=[1-9]' ' partition=[1-9]' \
    ' eof-complete=[1-9]' ' peer-sent-rst=[1-9]'; do
    grep -q -- "$want" out || fail "the run did not exercise $want"
  done
  ;;
break)
  kind=$3
  "$FIN" sim --random 0 --repeat 20 --break "$kind" >out 2>err
  rc=$?
  [ "$rc" -eq 1 ] || fail "--break $kind: exit $rc, expected 1 (the checker did not trip)"
  # Seeds with no stream past byte 1000 or no reset do not exercise the check.
  grep -q "failed=[1-9][0-9]* " out || fail "--break $kind: no seed failed: $(head -1 out)"
  seed=$(sed -n 's/^replay: fin sim --random \([0-9]*\) --break '"$kind"' --pcap .*/\1/p' err | head -1)
  [ -n "$seed" ] || fail "--break $kind: no replay command"
  for f in "fin-dst-$seed.pcap" "fin-dst-$seed.ndjson" "fin-dst-$seed.ladder"; do
    [ -s "$f" ] || fail "--break $kind: $f not written"
  done
  # The replay fails the same way, alone.
  "$FIN" sim --random "$seed" --break "$kind" --quiet >one 2>&1
  [ $? -eq 1 ] || fail "--break $kind: the replay of seed $seed passed"
  grep -q "^FAIL: " one || fail "--break $kind: the replay names no invariant"
  ;;
replay)
  "$FIN" sim --random 7 --quiet --events a.ndjson --pcap a.pcap >a.out || fail "seed 7 failed"
  "$FIN" sim --random 7 --quiet --events b.ndjson --pcap b.pcap >b.out || fail "seed 7 failed again"
  cmp -s a.ndjson b.ndjson || fail "seed 7: two runs, different events"
  cmp -s a.pcap b.pcap || fail "seed 7: two runs, different captures"
  cmp -s a.out b.out || fail "seed 7: two runs, different summaries"
  [ -s a.ndjson ] && [ -s a.pcap ] || fail "seed 7: empty events or capture"
  "$FIN" sim --random 7 --ipv6 --quiet --events c.ndjson >c.out || fail "seed 7 --ipv6 failed"
  grep -q "IPv6" c.out || fail "--ipv6: the history is not IPv6"
  grep -q '"local":"\[fd00::' c.ndjson || fail "--ipv6: no IPv6 address in the events"
  "$FIN" sim --random 7 --break nonsense >/dev/null 2>&1
  [ $? -eq 2 ] || fail "--break nonsense is not a usage error"
  "$FIN" sim --random 7 graceful-active >/dev/null 2>&1
  [ $? -eq 2 ] || fail "--random with a scenario is not a usage error"
  ;;
*)
  fail "unknown check $CHECK"
  ;;
esac
echo "ok: $CHECK ${3:-} ${4:-}"
