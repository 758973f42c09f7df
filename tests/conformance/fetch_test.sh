#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctest conformance/fetch and conformance/fetch-manifest: scripts/fetch-conformance.sh
# against a mirror laid out like raw.githubusercontent.com (OWNER/REPO/COMMIT/PATH),
# served by python3 -m http.server on 127.0.0.1 (the machine may have no
# internet; FIN_CONFORMANCE_MIRROR points the script at the mirror).
#   fetch           a two-file manifest: files land verified; a second run
#                   downloads nothing; a wrong sha256 and a 404 fail, naming
#                   the file, and write nothing.
#   fetch-manifest  the real tests/conformance/upstream.tsv against a mirror
#                   built from ../shared/conformance: every pinned file is
#                   found and matches (skipped without ../shared).
# Usage: fetch_test.sh fetch|fetch-manifest SOURCE_DIR WORK_DIR
set -euo pipefail
mode=${1:?}
src=$(cd "${2:?}" && pwd)
work=${3:?}
skip() {
  echo "SKIPPED: $*"
  exit 77
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
command -v python3 >/dev/null || skip "python3 not found (the test serves a local mirror with it)"
command -v curl >/dev/null || skip "curl not found"
shared="$src/../shared/conformance"
if [ "$mode" = fetch-manifest ] && [ ! -f "$shared/packetdrill/MANIFEST.tsv" ]; then
  skip "../shared/conformance not beside the checkout: nothing to build a mirror from"
fi
rm -rf "$work"
mkdir -p "$work/mirror"
server=
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# mirror_add REPO COMMIT PATH FILE: the mirror serves FILE at REPO/COMMIT/PATH.
mirror_add() {
  mkdir -p "$(dirname "$work/mirror/$1/$2/$3")"
  ln -sf "$4" "$work/mirror/$1/$2/$3"
}

serve() {
  : >"$work/server.log" # exists before the poll below reads it (the server starts asynchronously)
  python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$work/mirror" >>"$work/server.log" 2>&1 &
  server=$!
  local i port=
  for ((i = 0; i < 100; i++)); do
    port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$work/server.log" | head -n 1 || true)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || fail "http.server did not start: $(cat "$work/server.log")"
  export FIN_CONFORMANCE_MIRROR="http://127.0.0.1:$port"
}

fetch() { "$src/scripts/fetch-conformance.sh" "$@"; }

if [ "$mode" = fetch ]; then
  c1=1111111111111111111111111111111111111111
  printf 'first file\n' >"$work/a.pkt"
  printf 'second file\n' >"$work/b.pkt"
  mirror_add owner/repo "$c1" dir/a.pkt "$work/a.pkt"
  mirror_add other/repo "$c1" b.pkt "$work/b.pkt"
  sa=$(sha256sum "$work/a.pkt" | cut -d' ' -f1)
  sb=$(sha256sum "$work/b.pkt" | cut -d' ' -f1)
  m="$work/manifest.tsv"
  printf '# test manifest\npacketdrill/scripts/a.pkt\towner/repo\tdir/a.pkt\t%s\t%s\tlinux-ws8\n' "$c1" "$sa" >"$m"
  printf 'freebsd-tcp-testsuite/x/b.pkt\tother/repo\tb.pkt\t%s\t%s\t-\n' "$c1" "$sb" >>"$m"
  serve
  export FIN_CONFORMANCE_MANIFEST="$m"
  fetch "$work/out" >"$work/run1.log" 2>&1 || fail "first fetch: $(cat "$work/run1.log")"
  cmp -s "$work/out/packetdrill/scripts/a.pkt" "$work/a.pkt" || fail "a.pkt not fetched"
  cmp -s "$work/out/freebsd-tcp-testsuite/x/b.pkt" "$work/b.pkt" || fail "b.pkt not fetched"
  grep -q "2 downloaded, 0 already there" "$work/run1.log" || fail "run 1: $(cat "$work/run1.log")"
  grep -qx "a.pkt	owner/repo	dir/a.pkt	$c1	linux-ws8" "$work/out/packetdrill/MANIFEST.tsv" ||
    fail "packetdrill/MANIFEST.tsv: $(cat "$work/out/packetdrill/MANIFEST.tsv")"
  grep -qx "$c1" "$work/out/freebsd-tcp-testsuite/COMMIT" || fail "no freebsd-tcp-testsuite/COMMIT"
  echo "ok: both files fetched and verified; MANIFEST.tsv carries the profile"
  fetch "$work/out" >"$work/run2.log" 2>&1 || fail "second fetch: $(cat "$work/run2.log")"
  grep -q "0 downloaded, 2 already there" "$work/run2.log" || fail "run 2: $(cat "$work/run2.log")"
  echo "ok: a second run downloads nothing"
  # A mirror that serves other bytes than pinned: refused, nothing written.
  rm "$work/out/packetdrill/scripts/a.pkt"
  printf 'tampered\n' >"$work/a.pkt"
  if fetch "$work/out" >"$work/run3.log" 2>&1; then fail "a wrong sha256 was accepted"; fi
  grep -q "packetdrill/scripts/a.pkt: sha256 mismatch" "$work/run3.log" || fail "run 3: $(cat "$work/run3.log")"
  [ ! -e "$work/out/packetdrill/scripts/a.pkt" ] || fail "the tampered file was written"
  echo "ok: a wrong sha256 is refused and not written"
  # A file the mirror does not have: named, with its URL.
  rm "$work/mirror/owner/repo/$c1/dir/a.pkt"
  if fetch "$work/out" >"$work/run4.log" 2>&1; then fail "a 404 was accepted"; fi
  grep -q "a.pkt: download failed (HTTP 404): http://127.0.0.1:.*/owner/repo/$c1/dir/a.pkt" \
    "$work/run4.log" || fail "run 4: $(cat "$work/run4.log")"
  echo "ok: a missing upstream file is named with its URL"
  exit 0
fi

# fetch-manifest: the mirror holds what ../shared holds, where upstream has it.
manifest="$src/tests/conformance/upstream.tsv"
while IFS=$'\t' read -r dest repo path commit sum _; do
  case "$dest" in '' | '#'*) continue ;; esac
  mirror_add "$repo" "$commit" "$path" "$shared/$dest"
done <"$manifest"
serve
fetch "$work/out" >"$work/run.log" 2>&1 || fail "fetch: $(tail -n 5 "$work/run.log")"
total=$(grep -vc '^#' "$manifest")
grep -q "$total downloaded, 0 already there" "$work/run.log" || fail "$(tail -n 2 "$work/run.log")"
[ "$(ls "$work/out/packetdrill/scripts" | wc -l)" -eq "$(ls "$shared/packetdrill/scripts" | wc -l)" ] ||
  fail "packetdrill/scripts differs from ../shared"
echo "ok: all $total pinned files fetched, each matching its sha256 and ../shared"
# fin script takes each script's profile from packetdrill/MANIFEST.tsv: the
# fetched one must give every script the profile ../shared gives it.
profiles() { awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "profile") c = i; next }
  { print $1, $c }' "$1" | sort; }
diff <(profiles "$shared/packetdrill/MANIFEST.tsv") <(profiles "$work/out/packetdrill/MANIFEST.tsv") ||
  fail "packetdrill/MANIFEST.tsv profiles differ from ../shared"
cmp -s "$work/out/freebsd-tcp-testsuite/COMMIT" "$shared/freebsd-tcp-testsuite/COMMIT" ||
  fail "freebsd-tcp-testsuite/COMMIT differs from ../shared"
echo "ok: packetdrill/MANIFEST.tsv gives every script the profile ../shared does; COMMIT matches"
