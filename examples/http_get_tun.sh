#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctest examples/http_get_tun: the example fetches a page from python3's
# http.server on the kernel's side of a TUN device, inside a network
# namespace this script creates and deletes (tests/interop/lib.sh). Without
# root, ip netns or /dev/net/tun it prints one SKIPPED line and exits 77.
# Usage: examples/http_get_tun.sh PATH_TO_http_get_tun
set -euo pipefail
source "$(dirname "$0")/../tests/interop/lib.sh"
interop_setup "$@"
mkdir -p "$WORK/www"
echo "hello from the kernel's side of fin0" >"$WORK/www/index.txt"
bg http python3 -u -m http.server 8080 --bind "$LINUX_IP" --directory "$WORK/www"
wait_for_line http "Serving HTTP" 5
nsx timeout 20 "$FIN" fin0 "$FIN_IP" "$LINUX_IP" 8080 /index.txt >"$WORK/get.log" 2>&1 ||
  fail "http_get_tun exited with $?: $(tail -n 3 "$WORK/get.log")"
expect_line get "^HTTP/1\.[01] 200" "status line"
expect_line get "^hello from the kernel's side of fin0" "body"
expect_line get "then EOF; close: 0" "graceful end"
# The server closed first: the kernel holds TIME-WAIT, fin holds nothing.
ss_states | grep -q "^TIME-WAIT $LINUX_IP:8080 $FIN_IP:" || fail "no TIME-WAIT on the kernel's side"
pass
