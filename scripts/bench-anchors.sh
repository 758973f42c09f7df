#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bench-anchors table (fin, lean lwIP 2.1.3, Linux: one workload, one run)
# with fin measured by this checkout's bench/bench_lifecycle.
#
#   scripts/bench-anchors.sh [ANCHORS_DIR [OUT_DIR]]
#     ANCHORS_DIR  default ../shared/bench-anchors (skipped with one line if absent)
#     OUT_DIR      default /tmp/fin-bench-anchors
#   QUICK=1, NO_LINUX=1 as the anchors' run.sh takes them.
#
# Why not the anchors' own fin harness: it is written against fin's API
# before IPv6 (struct fin_sockaddr and local_addrs took a uint32_t), so it no
# longer builds. bench_lifecycle runs the identical workload (same options,
# same key-value output), so the anchors' run.sh is used as it is, from a
# temporary copy whose fin/build.sh builds bench_lifecycle and bench_scale
# from this checkout instead. Nothing of the anchors is written into the repo.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
anchors=${1:-$repo/../shared/bench-anchors}
out=${2:-/tmp/fin-bench-anchors}
if [ ! -x "$anchors/run.sh" ]; then
  echo "bench-anchors: skipped ($anchors/run.sh not found; the anchors live in ../shared)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$anchors/." "$tmp/"
cat >"$tmp/fin/build.sh" <<'BUILD'
#!/usr/bin/env bash
# (written by fin's scripts/bench-anchors.sh) fin/build.sh FIN_CHECKOUT OUT_DIR:
# OUT_DIR/lc_fin is fin's bench_lifecycle, built -O2 -g like the anchors' harness.
set -euo pipefail
fin=$(cd "$1" && pwd)
out=$(mkdir -p "$2" && cd "$2" && pwd)
b="$out/fin-build"
cmake -S "$fin" -B "$b" -DCMAKE_BUILD_TYPE=Release -DFIN_TESTS=OFF \
  -DCMAKE_C_FLAGS_RELEASE="${OPT:--O2} -g -DNDEBUG" >"$out/fin-cmake.log" 2>&1
cmake --build "$b" -j "$(nproc)" --target fin_engine bench_scale bench_lifecycle >"$out/fin-build.log" 2>&1 ||
  { tail -30 "$out/fin-build.log"; exit 1; }
cp "$b/bench_lifecycle" "$out/lc_fin"
echo "built $out/lc_fin = bench_lifecycle ($(cd "$fin" && git rev-parse --short HEAD 2>/dev/null || echo unknown))"
BUILD
chmod +x "$tmp/fin/build.sh"
"$tmp/run.sh" "$repo" "$out"
