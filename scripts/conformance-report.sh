#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Conformance triage (issue 9): runs every *.pkt under a suite directory with
# `fin script --brief` and prints pass/fail per directory (IPv4, IPv6, all)
# and the failures grouped by their first reason (numbers folded to N), the
# most common first, so the next person sees what blocks the most scripts.
#
#   scripts/conformance-report.sh [options] SUITE_DIR
#     --fin BIN        the fin binary (default: build/fin)
#     --profile P      profile for every script (default: freebsd)
#     --jobs N         scripts run in parallel (default: nproc)
#     --ledger FILE    instead of the report, print FILE brought up to date with
#                      this run: rows of scripts that now pass are dropped, rows
#                      of scripts still failing keep their reason, new failures
#                      are added as "UNTRIAGED: <first reason>"; a diff goes to
#                      stderr
#     --update         with --ledger: rewrite FILE in place
#
# Example (regenerate the ledger after engine fixes):
#   scripts/conformance-report.sh --ledger tests/conformance/freebsd-expected.tsv \
#       --update ../shared/conformance/freebsd-tcp-testsuite
set -euo pipefail

fin=build/fin
profile=freebsd
jobs=$(nproc)
ledger=
update=0
usage() {
  sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
  --fin) fin=$2; shift 2 ;;
  --profile) profile=$2; shift 2 ;;
  --jobs) jobs=$2; shift 2 ;;
  --ledger) ledger=$2; shift 2 ;;
  --update) update=1; shift ;;
  -h | --help) usage ;;
  -*) echo "conformance-report: unknown option $1" >&2; usage ;;
  *) break ;;
  esac
done
[ $# -eq 1 ] || usage
suite=${1%/}
[ -d "$suite" ] || { echo "conformance-report: $suite: not a directory" >&2; exit 2; }
[ -x "$fin" ] || { echo "conformance-report: $fin not found (build first or pass --fin)" >&2; exit 2; }
[ -z "$ledger" ] || [ -f "$ledger" ] || { echo "conformance-report: $ledger: no such file" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One line per script: STATUS <tab> path-relative-to-suite <tab> reason <tab> ip.
find "$suite" -name '*.pkt' -print0 | sort -z |
  xargs -0 -n 16 -P "$jobs" "$fin" script --brief --profile "$profile" --suite "$suite" \
    >"$tmp/runs" || true
while IFS=$'\t' read -r status name reason; do
  ip=ipv4
  grep -q -- '--ip_version=ipv6' "$suite/$name" && ip=ipv6
  printf '%s\t%s\t%s\t%s\n' "$status" "$name" "$reason" "$ip"
done <"$tmp/runs" | sort -t$'\t' -k2 >"$tmp/results"

if [ -n "$ledger" ]; then
  # Header comments stay; rows are regrouped by decided-by and reason.
  grep '^#' "$ledger" >"$tmp/new" || true
  echo $'script\treason\tdecided-by' >>"$tmp/new"
  awk -F'\t' -v OFS='\t' '
    NR == FNR { if ($0 !~ /^#/ && $1 != "script" && NF >= 3) { reason[$1] = $2; by[$1] = $3 }; next }
    $1 == "FAIL" {
      if ($2 in reason) print by[$2], reason[$2], $2
      else print "~UNTRIAGED", "UNTRIAGED: " $3, $2
    }' "$ledger" "$tmp/results" | sort -t$'\t' -k1,1 -k2,2 -k3,3 |
    awk -F'\t' -v OFS='\t' '{ print $3, $2, ($1 == "~UNTRIAGED" ? "?" : $1) }' >>"$tmp/new"
  kept=$(awk -F'\t' 'NR == FNR { if ($1 == "FAIL") f[$2] = 1; next }
    $0 !~ /^#/ && $1 != "script" && ($1 in f) { n++ } END { print n + 0 }' "$tmp/results" "$ledger")
  gone=$(awk -F'\t' 'NR == FNR { if ($1 == "FAIL") f[$2] = 1; next }
    $0 !~ /^#/ && $1 != "script" && !($1 in f) { n++ } END { print n + 0 }' "$tmp/results" "$ledger")
  added=$(grep -c $'\tUNTRIAGED: ' "$tmp/new" || true)
  diff -u "$ledger" "$tmp/new" >&2 || true
  echo "conformance-report: $kept rows kept, $gone dropped (now passing), $added added (UNTRIAGED: give each a reason and a BEHAVIOR row or missing feature)" >&2
  if [ "$update" = 1 ]; then
    cp "$tmp/new" "$ledger"
  else
    cat "$tmp/new"
  fi
  exit 0
fi

echo "Pass counts per directory ($profile profile, $(wc -l <"$tmp/results") scripts)"
printf '%-48s %11s %11s %11s\n' directory IPv4 IPv6 all
awk -F'\t' -v OFS='\t' '
  { d = $2; sub(/\/[^\/]*$/, "", d); if (d == $2) d = "."
    for (k = 0; k < 2; k++) { key = k ? "~total" : d; all[key]++
      if ($4 == "ipv4") v4[key]++; else v6[key]++
      if ($1 == "PASS") { pa[key]++; if ($4 == "ipv4") p4[key]++; else p6[key]++ } } }
  END { for (d in all) print d, p4[d] + 0, v4[d] + 0, p6[d] + 0, v6[d] + 0, pa[d] + 0, all[d] }' \
  "$tmp/results" | sort | sed 's/^~total/total/' |
  awk -F'\t' '{ printf "%-48s %5d/%-5d %5d/%-5d %5d/%-5d\n", $1, $2, $3, $4, $5, $6, $7 }'
echo
echo "Failures by first reason (most common first; numbers folded to N)"
awk -F'\t' -v OFS='\t' '$1 == "FAIL" {
    key = $3; gsub(/[0-9]+/, "N", key); n[key]++
    if (n[key] <= 3) ex[key] = ex[key] "|" $2 }
  END { for (k in n) print n[k], k, ex[k] }' "$tmp/results" | sort -t$'\t' -k1,1nr -k2,2 |
  awk -F'\t' '{ printf "%6d  %s\n", $1, $2; m = split($3, e, "|")
    for (i = 2; i <= m; i++) printf "          e.g. %s\n", e[i] }'
