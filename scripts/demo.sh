#!/usr/bin/env bash
# make demo: fin's main job, on the simulated network (no root, no setup).
set -euo pipefail
build=${1:-build}
exec "$build/fin" demo
