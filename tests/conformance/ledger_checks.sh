#!/bin/sh
# SPDX-License-Identifier: MIT
# `fin script --ledger` and `conformance-report.sh --ledger` on a two-script
# suite made here: one script that passes, one that fails. The ledger check
# must fail for an unlisted failure and for a listed pass, and pass only
# when the ledger is true; the report must regenerate a ledger that keeps
# the reasons of scripts still failing and drops those that pass.
# usage: ledger_checks.sh FIN REPO_ROOT
set -u
fin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/suite/dir"
cat >"$tmp/suite/dir/pass.pkt" <<'PKT'
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 close(3) = 0
PKT
cat >"$tmp/suite/dir/fail.pkt" <<'PKT'
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 close(3) = -1 EBADF
PKT
fail() { echo "FAIL: $*"; exit 1; }
run() { "$fin" script --profile fin --ledger "$tmp/ledger.tsv" --suite "$tmp/suite" "$tmp/suite/dir" >"$tmp/out" 2>&1; }
ledger() { printf 'script\treason\tdecided-by\n' >"$tmp/ledger.tsv"; for r in "$@"; do printf '%s\n' "$r" >>"$tmp/ledger.tsv"; done; }

ledger "dir/fail.pkt	close fails	BEHAVIOR X1"
run || fail "a true ledger must pass: $(cat "$tmp/out")"
grep -q '^XFAIL dir/fail.pkt \[BEHAVIOR X1\] close() returned 0' "$tmp/out" || fail "XFAIL line: $(cat "$tmp/out")"
grep -q '2 scripts: 1 passed, 1 listed' "$tmp/out" || fail "summary: $(cat "$tmp/out")"

ledger
run && fail "an unlisted failing script must fail the run"
grep -q '^FAIL dir/fail.pkt (not in the ledger)' "$tmp/out" || fail "unlisted: $(cat "$tmp/out")"
grep -q 'close() returned 0, the script expects -1 EBADF' "$tmp/out" || fail "runner message missing"

ledger "dir/fail.pkt	close fails	BEHAVIOR X1" "dir/pass.pkt	stale	BEHAVIOR X2"
run && fail "a listed passing script must fail the run"
grep -q '^XPASS dir/pass.pkt passes, but the ledger lists it (BEHAVIOR X2: stale): remove its line' \
  "$tmp/out" || fail "XPASS: $(cat "$tmp/out")"

printf 'script\treason\n' >"$tmp/ledger.tsv"
printf 'dir/fail.pkt\tonly two cells\n' >>"$tmp/ledger.tsv"
"$fin" script --profile fin --ledger "$tmp/ledger.tsv" --suite "$tmp/suite" "$tmp/suite/dir" >"$tmp/out" 2>&1
[ $? -eq 2 ] || fail "a malformed ledger must be a usage error"
grep -q "ledger.tsv:2: expected script<TAB>reason<TAB>decided-by" "$tmp/out" || fail "malformed: $(cat "$tmp/out")"

# Regeneration: the stale row goes, the failing row keeps its reason.
ledger "dir/pass.pkt	stale	BEHAVIOR X2" "dir/fail.pkt	close fails	BEHAVIOR X1"
"$root/scripts/conformance-report.sh" --fin "$fin" --profile fin --jobs 1 --ledger "$tmp/ledger.tsv" \
  "$tmp/suite" >"$tmp/new.tsv" 2>"$tmp/diff" || fail "report --ledger failed: $(cat "$tmp/diff")"
grep -q '^dir/fail.pkt	close fails	BEHAVIOR X1$' "$tmp/new.tsv" || fail "kept row: $(cat "$tmp/new.tsv")"
grep -q 'dir/pass.pkt' "$tmp/new.tsv" && fail "the passing script's row must go"
grep -q '1 rows kept, 1 dropped (now passing), 0 added' "$tmp/diff" || fail "summary: $(cat "$tmp/diff")"
ledger
"$root/scripts/conformance-report.sh" --fin "$fin" --profile fin --jobs 1 --ledger "$tmp/ledger.tsv" \
  --update "$tmp/suite" 2>/dev/null || fail "report --update failed"
grep -q '^dir/fail.pkt	UNTRIAGED: close() returned 0, the script expects -1 EBADF	?$' "$tmp/ledger.tsv" ||
  fail "new failure row: $(cat "$tmp/ledger.tsv")"

# The report itself: pass counts per directory and the grouped reasons.
"$root/scripts/conformance-report.sh" --fin "$fin" --profile fin --jobs 1 "$tmp/suite" >"$tmp/report" ||
  fail "report failed"
grep -q '^dir  *1/2 ' "$tmp/report" || fail "per-directory counts: $(cat "$tmp/report")"
grep -q '^ *1  close() returned N, the script expects -N EBADF' "$tmp/report" || fail "grouping: $(cat "$tmp/report")"
echo "ledger checks passed"
