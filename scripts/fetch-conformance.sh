#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Downloads the upstream conformance scripts fin's tests run (packetdrill
# scripts from Linux, FreeBSD, gVisor and nplab; the FreeBSD tcp-testsuite)
# at the commits pinned in tests/conformance/upstream.tsv, checks each
# file's sha256, and lays them out as the build expects:
#   DIR/packetdrill/scripts/*.pkt and DIR/packetdrill/MANIFEST.tsv (each
#   script's fin profile), DIR/freebsd-tcp-testsuite/... and its COMMIT
# They are other projects' files under their own licences (BSD, GPL-2.0,
# Apache-2.0): fetched, never committed to fin.
#
# Usage: scripts/fetch-conformance.sh [DIR]      (default: .conformance in the checkout,
#        which the build finds by itself; else configure with -DFIN_CONFORMANCE_DIR=DIR)
# Environment:
#   FIN_CONFORMANCE_MIRROR    base URL, files at BASE/OWNER/REPO/COMMIT/PATH
#                             (default https://raw.githubusercontent.com)
#   FIN_CONFORMANCE_MANIFEST  the manifest (default tests/conformance/upstream.tsv)
# Files already present with the right sha256 are kept; a download with a
# wrong sha256 is refused and nothing is written for it. Exit 0 when every
# file is in place, 1 otherwise (each failure named on stderr), 2 on bad usage.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -le 1 ] || { echo "usage: fetch-conformance.sh [DIR]" >&2; exit 2; }
dir=${1:-$here/.conformance}
base=${FIN_CONFORMANCE_MIRROR:-https://raw.githubusercontent.com}
base=${base%/}
manifest=${FIN_CONFORMANCE_MANIFEST:-$here/tests/conformance/upstream.tsv}
[ -f "$manifest" ] || { echo "fetch-conformance: manifest $manifest not found" >&2; exit 2; }
command -v curl >/dev/null || { echo "fetch-conformance: needs curl (apt-get install curl)" >&2; exit 1; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
stage="$dir/.partial"
rm -rf "$stage"
mkdir -p "$stage"
trap 'rm -rf "$stage"' EXIT

# One curl run for every missing file (in parallel), then each is verified.
want="$stage/want.tsv"
config="$stage/curl.cfg"
: >"$want"
: >"$config"
have=0
todo=0
while IFS=$'\t' read -r dest repo path commit sum _; do
  case "$dest" in '' | '#'*) continue ;; esac
  case "$dest$path" in *..*) echo "fetch-conformance: refusing path with '..': $dest" >&2; exit 1 ;; esac
  if [ -f "$dir/$dest" ] && [ "$(sha256sum "$dir/$dest" | cut -d' ' -f1)" = "$sum" ]; then
    have=$((have + 1))
    continue
  fi
  printf '%s\t%s\t%s\n' "$dest" "$sum" "$base/$repo/$commit/$path" >>"$want"
  printf 'url = "%s"\noutput = "%s/%d"\n' "$base/$repo/$commit/$path" "$stage" "$todo" >>"$config"
  todo=$((todo + 1))
done <"$manifest"
if [ "$todo" -gt 0 ]; then
  echo "fetch-conformance: downloading $todo files from $base ($have already there)"
  # --fail: an HTTP error is an error; each transfer's outcome is checked below.
  curl --silent --show-error --fail --location --retry 2 --connect-timeout 20 --max-time 120 \
    --parallel --parallel-max 8 --config "$config" \
    --write-out '%{filename_effective}\t%{http_code}\n' >"$stage/codes.tsv" 2>"$stage/curl.log" || true
fi
# What each transfer returned, and the sha256 of everything that arrived.
declare -A code actual
if [ "$todo" -gt 0 ]; then
  while IFS=$'\t' read -r f c; do code[$f]=$c; done <"$stage/codes.tsv"
  while read -r s f; do actual[$f]=$s; done < <(find "$stage" -name '[0-9]*' -type f -exec sha256sum {} +)
fi
failed=0
n=0
while IFS=$'\t' read -r dest sum url; do
  got="$stage/$n"
  n=$((n + 1))
  if [ ! -f "$got" ] || [ "${code[$got]:-000}" != 200 ]; then
    echo "fetch-conformance: $dest: download failed (HTTP ${code[$got]:-000}): $url" >&2
    failed=$((failed + 1))
  elif [ "${actual[$got]:-}" != "$sum" ]; then
    echo "fetch-conformance: $dest: sha256 mismatch (want $sum): $url" >&2
    failed=$((failed + 1))
  else
    mkdir -p "$(dirname "$dir/$dest")"
    mv "$got" "$dir/$dest"
  fi
done <"$want"
if [ "$failed" -gt 0 ]; then
  grep -v '^$' "$stage/curl.log" 2>/dev/null | head -n 5 | sed 's/^/fetch-conformance: curl: /' >&2 || true
  echo "fetch-conformance: $failed of $todo files failed; nothing was written for them" >&2
  exit 1
fi
# What fin script and the build read beside the files, as in ../shared:
# packetdrill/MANIFEST.tsv (each script's profile) and the suite's COMMIT.
mkdir -p "$dir/packetdrill"
{
  printf 'file\tsource_repo\tupstream_path\tcommit\tprofile\n'
  awk -F'\t' '$1 ~ /^packetdrill\/scripts\// { sub(/^packetdrill\/scripts\//, "", $1);
    printf "%s\t%s\t%s\t%s\t%s\n", $1, $2, $3, $4, $6 }' "$manifest"
} >"$dir/packetdrill/MANIFEST.tsv"
commits=$(awk -F'\t' '$1 ~ /^freebsd-tcp-testsuite\// { print $4 }' "$manifest" | sort -u)
if [ -n "$commits" ] && [ "$(echo "$commits" | wc -l)" -eq 1 ]; then
  echo "$commits" >"$dir/freebsd-tcp-testsuite/COMMIT"
fi
echo "fetch-conformance: $todo downloaded, $have already there: $dir"
