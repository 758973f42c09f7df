#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make explore (issue 12 item 3): the exhaustive small-scope exploration of
# the close handshakes, deeper than make test - every schedule of up to K
# faults (drop, duplicate, delay past the next segment; reopen, whose two
# connections make twice the datagrams, K-1) with BYTES each way,
# every lifecycle, IPv4 and IPv6, for each settings profile (default bsd
# noopt mixed: tests/explore/profile.c), without sanitizers; one process per
# lifecycle and profile, JOBS at a time. Prints each "explored N schedules"
# line and the total; exits 1 when a schedule failed (its replay line is
# printed above).
#   scripts/explore.sh BUILD_DIR [K] [BYTES] [JOBS] [PROFILES]
set -euo pipefail
build=${1:?usage: scripts/explore.sh BUILD_DIR [K] [BYTES] [JOBS] [PROFILES]}
k=${2:-4}
bytes=${3:-3000}
jobs=${4:-$(nproc)}
profiles=${5:-default}
bin="$build/tests/fin_explore"
[ -x "$bin" ] || { echo "explore: $bin not built (FIN_TESTS=ON)" >&2; exit 2; }
lifecycles="graceful passive simultaneous crossing half-close half-hold linger linger0 abort unread
  half-abort reopen"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
status=0
runs=$(for p in $profiles; do for lc in $lifecycles; do echo "$p.$lc"; done; done)
echo "$runs" |
  xargs -P "$jobs" -I{} sh -c \
    'run=$5; k=$2; [ "${run#*.}" = reopen ] && k=$((k - 1))
     "$1" -k "$k" --bytes "$3" --profile "${run%%.*}" --lifecycle "${run#*.}" \
       >"$4/$run.log" 2>&1' sh "$bin" "$k" "$bytes" "$out" {} || status=1
for run in $runs; do
  grep -v '^explored .* in all' "$out/$run.log" || true
done
total=$(cat "$out"/*.log | awk '/^explored .* in all/ {n += $2; f += $6} END {print n, f}')
echo "explore: K=$k, $bytes bytes each way, profiles $profiles: ${total% *} schedules," \
  "${total#* } failures, $(($(date +%s) - start)) s with $jobs jobs"
exit $status
