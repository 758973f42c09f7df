#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A bounded fuzzing campaign over every libFuzzer harness in fuzz/: wire
# (segments, ICMP, IPv6 extension headers, address and endpoint text), stack
# (two stacks back to back, with fin_stack_audit after every drain and a
# memory budget) and reassembly (the out-of-order store and the receive ring
# against a flat-array model).
#
# Usage: scripts/fuzz-campaign.sh HOURS [--corpus DIR] [--jobs N]
#                                       [--only NAME[,NAME...]] [--update-corpus]
#   HOURS            wall-clock budget of the whole campaign (fractions work: 0.5)
#   --corpus DIR     persistent corpora, DIR/<harness>/, kept between campaigns
#                    (default $FIN_FUZZ_CORPUS or ~/.cache/fin-fuzz); findings
#                    go to DIR/findings/<harness>/, logs to DIR/logs/
#   --jobs N         harnesses run at once (default 2: the machine's 2 cores);
#                    the harnesses are dealt round-robin to N lanes and each
#                    lane splits the budget evenly between its harnesses
#   --only LIST      run only these harnesses
#   --update-corpus  afterwards, minimise (libFuzzer -merge=1) the committed
#                    corpus fuzz/corpus/<harness>/ together with the campaign's
#                    into a fresh fuzz/corpus/<harness>/: only inputs that add
#                    edges stay (ctest fuzz-smoke/corpus_* replays them);
#                    HOURS 0 just merges (and fuzzes for a second)
#
# A harness that crashes is restarted (with the time left, at most 5 times):
# every crash-*, leak-*, timeout-* and oom-* file is a finding. Replay one
# with the gcc smoke drivers (build-test/tests/fuzz_<harness>_smoke FILE) or
# with the libFuzzer binary (build-fuzz/campaign/fuzz_<harness> FILE). A fix
# commits the minimised input under fuzz/regressions/<harness>-<what>.
#
# Prints, per harness: seconds, executions, edges (libFuzzer's cov: the
# edges covered by the corpus), features (ft:), corpus size and findings.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

usage() {
  sed -n '/^# Usage/,/^# Prints/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 1 ] || usage
hours=$1
shift
corpus=${FIN_FUZZ_CORPUS:-$HOME/.cache/fin-fuzz}
jobs=2
only=""
update=0
while [ $# -gt 0 ]; do
  case $1 in
  --corpus) corpus=$2; shift 2 ;;
  --jobs) jobs=$2; shift 2 ;;
  --only) only=$2; shift 2 ;;
  --update-corpus) update=1; shift ;;
  *) usage ;;
  esac
done
secs=$(awk -v h="$hours" 'BEGIN { s = int(h * 3600); if (s < 1) s = 1; print s }')

# name, smoke/seed driver, max_len, per-input timeout (s)
all="wire stack reassembly"
declare -A driver=([wire]=driver.c [stack]=driver_stack.c [reassembly]=driver_reassembly.c)
declare -A maxlen=([wire]=2048 [stack]=4096 [reassembly]=2048)
declare -A tmo=([wire]=5 [stack]=10 [reassembly]=10)
harnesses=${only//,/ }
harnesses=${harnesses:-$all}
for h in $harnesses; do
  [ -n "${driver[$h]:-}" ] || { echo "unknown harness: $h" >&2; exit 2; }
done

bin=build-fuzz/campaign
mkdir -p "$bin" "$corpus/findings" "$corpus/logs"
corpus=$(cd "$corpus" && pwd)
src=(src/wire/*.c src/engine/*.c)
cflags=(-D_GNU_SOURCE -Iinclude -Ifuzz -Isrc/engine -Isrc/wire)

# Builds one at a time (the cores are shared), then the campaign.
for h in $harnesses; do
  clang -g -O1 "${cflags[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    "${src[@]}" "fuzz/fuzz_$h.c" -o "$bin/fuzz_$h"
  mkdir -p "$corpus/$h" "$corpus/findings/$h"
  if [ -z "$(ls -A "$corpus/$h")" ]; then # a new corpus starts from the seed generator's
    clang -O1 "${cflags[@]}" "${src[@]}" "fuzz/${driver[$h]}" fuzz/driver_io.c "fuzz/fuzz_$h.c" -o "$bin/seedgen_$h"
    "$bin/seedgen_$h" --seeds "$corpus/$h"
    cp fuzz/regressions/"$h"-* "$corpus/$h/" 2>/dev/null || true
  fi
done

# One harness for t seconds; restarts after a finding while time is left.
run_harness() {
  local h=$1 t=$2 start end left n=0
  local log="$corpus/logs/$h.log" extra=()
  [ -d "fuzz/corpus/$h" ] && extra+=("$root/fuzz/corpus/$h") # read-only seeds
  : >"$log"
  start=$(date +%s)
  end=$((start + t))
  while left=$((end - $(date +%s))) && [ "$left" -gt 0 ] && [ "$n" -lt 6 ]; do
    n=$((n + 1))
    # The first directory gets the new inputs; the committed corpus only seeds.
    (cd "$corpus/findings/$h" &&
      ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64} "$root/$bin/fuzz_$h" \
        -max_total_time="$left" -max_len="${maxlen[$h]}" -timeout="${tmo[$h]}" \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=./ \
        "$corpus/$h" "${extra[@]}" >>"$log" 2>&1) || true
  done
  echo "$(($(date +%s) - start))" >"$corpus/logs/$h.secs"
}

# Deal the harnesses to the lanes; each lane splits the budget.
declare -a lane
i=0
for h in $harnesses; do
  lane[i % jobs]+="$h "
  i=$((i + 1))
done
echo "campaign: $secs s over ${harnesses// /, } in $jobs lanes; corpora in $corpus"
findings() { # the finding files of harness $1, one a line
  find "$corpus/findings/$1" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort
}
declare -A before
for h in $harnesses; do before[$h]=$(findings "$h"); done
pids=()
for l in "${!lane[@]}"; do
  # shellcheck disable=SC2086 # the lane is a list of words
  set -- ${lane[$l]}
  share=$((secs / $# > 0 ? secs / $# : 1))
  (for h in "$@"; do run_harness "$h" "$share"; done) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

total=0
printf '%-11s %7s %12s %7s %7s %7s %s\n' harness seconds executions edges ft corpus findings
for h in $harnesses; do
  log="$corpus/logs/$h.log"
  execs=$(awk -F: '/stat::number_of_executed_units/ { s += $NF } END { print s + 0 }' "$log")
  edges=$({ grep -o 'cov: [0-9]*' "$log" || true; } | awk '{ if ($2 > m) m = $2 } END { print m + 0 }')
  ft=$({ grep -o 'ft: [0-9]*' "$log" || true; } | awk '{ if ($2 > m) m = $2 } END { print m + 0 }')
  new=$(comm -13 <(echo "${before[$h]}") <(findings "$h") | sed '/^$/d')
  newcount=$(echo -n "$new" | grep -c . || true)
  total=$((total + newcount))
  printf '%-11s %7s %12s %7s %7s %7s %s\n' "$h" "$(cat "$corpus/logs/$h.secs")" "$execs" "$edges" "$ft" \
    "$(ls "$corpus/$h" | wc -l)" "$newcount${new:+: $(echo "$new" | sed "s|^$corpus/||" | tr '\n' ' ')}"
done
echo "new findings: $total (every finding is kept under $corpus/findings)"

if [ "$update" = 1 ]; then
  for h in $harnesses; do
    fresh=$(mktemp -d)
    old=()
    [ -d "fuzz/corpus/$h" ] && old+=("fuzz/corpus/$h")
    # -use_counters=0: an input stays for the edges it adds, not for hit
    # counts (the stack's corpus would be thousands of files).
    "$bin/fuzz_$h" -merge=1 -use_counters=0 -max_len="${maxlen[$h]}" -timeout="${tmo[$h]}" -rss_limit_mb=2048 \
      -artifact_prefix="$corpus/findings/$h/" "$fresh" "${old[@]}" "$corpus/$h" >"$corpus/logs/$h.merge.log" 2>&1
    rm -rf "fuzz/corpus/$h"
    mkdir -p "fuzz/corpus/$h"
    cp "$fresh"/* "fuzz/corpus/$h/"
    rm -rf "$fresh"
    echo "fuzz/corpus/$h: $(ls "fuzz/corpus/$h" | wc -l) files, $(du -sk "fuzz/corpus/$h" | cut -f1) KiB"
  done
fi
[ "$total" -eq 0 ]
