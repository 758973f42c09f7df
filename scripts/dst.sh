#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Deterministic simulation testing at scale: `fin sim --random` over the seeds
# FIRST..FIRST+SEEDS-1 split into JOBS processes, the totals added up:
# seeds per hour, failures (each with its replay command), how every
# connection ended, the faults and applications drawn, how often each
# invariant was checked. A failing seed's pcap, NDJSON and ladder land in
# OUT (fin-dst-SEED.*).
#   dst.sh FIN [SEEDS [JOBS [FIRST [OUT]]]]   (make dst: 100000 seeds, nproc jobs)
# Extra `fin sim` options (--ipv6, --break KIND) come from DST_OPTS.
set -euo pipefail
fin=$(realpath "${1:?usage: dst.sh FIN [SEEDS [JOBS [FIRST [OUT]]]]}")
seeds=${2:-100000}
jobs=${3:-$(nproc)}
first=${4:-0}
out=${5:-dst-out}
mkdir -p "$out"
cd "$out"
[ "$jobs" -ge 1 ] && [ "$seeds" -ge 1 ] || { echo "dst: SEEDS and JOBS must be >= 1" >&2; exit 2; }
# Chunks of at most 2000 seeds, so the jobs stay busy until the end.
chunk=$(((seeds + jobs - 1) / jobs))
[ "$chunk" -gt 2000 ] && chunk=2000
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
start=$(date +%s.%N)
i=0
for ((s = first; s < first + seeds; s += chunk)); do
  n=$((first + seeds - s < chunk ? first + seeds - s : chunk))
  printf '%d %d %06d\n' "$s" "$n" "$i"
  i=$((i + 1))
done | xargs -P "$jobs" -L 1 sh -c \
  '"$0" sim --random "$1" --repeat "$2" ${DST_OPTS:-} >"'"$logs"'/$3.out" 2>"'"$logs"'/$3.err" || true' "$fin"
end=$(date +%s.%N)
cat "$logs"/*.err >&2 || true
cat "$logs"/*.out | awk -v start="$start" -v end="$end" -v jobs="$jobs" '
  $1 == "dst" {
    cat = ($2 ~ /=/) ? "run" : $2
    for (i = ($2 ~ /=/) ? 2 : 3; i <= NF; i++) {
      split($i, kv, "=")
      key = cat SUBSEP kv[1]
      if (!(key in sum)) { order[++n] = key; sum[key] = 0 }
      if (kv[1] == "peak_bytes") { if (kv[2] + 0 > sum[key]) sum[key] = kv[2] + 0 }
      else sum[key] += kv[2]
    }
  }
  END {
    wall = end - start
    seeds = sum["run" SUBSEP "seeds"]
    failed = sum["run" SUBSEP "failed"]
    printf "dst: %d seeds, %d failed, %.1f s wall on %d jobs: %.0f seeds/hour\n", seeds, failed, wall, jobs, (wall > 0 ? seeds * 3600 / wall : 0)
    last = ""
    for (i = 1; i <= n; i++) {
      split(order[i], p, SUBSEP)
      if (p[2] == "wall" || p[2] == "seeds_per_hour" || p[2] == "first" || p[2] == "seeds") continue
      if (p[1] != last) { printf "%s%s:", last == "" ? "" : "\n", p[1]; last = p[1] }
      printf " %s=%.0f", p[2], sum[order[i]]
    }
    printf "\n"
    if (seeds == 0) exit 1
    exit (failed > 0 ? 1 : 0)
  }'
