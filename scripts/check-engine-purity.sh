#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The engine links against nothing but libc memory/string functions
# (docs/design.md). Lists the undefined symbols of the engine archive (libfin.a) that are not
# defined inside the archive itself, and fails on any outside the allow-list.
set -euo pipefail
lib=${1:?usage: check-engine-purity.sh libfin.a}
allowed='^(memcpy|memmove|memset|memcmp|memchr|strlen|strcmp|strncmp|strchr|__stack_chk_fail|__asan_.*|__ubsan_.*|__sanitizer_.*|_GLOBAL_OFFSET_TABLE_)$'
defined=$(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF==3{print $3}' | sort -u)
undefined=$(nm -g --undefined-only "$lib" 2>/dev/null | awk '{print $NF}' | grep -v ':$' | sort -u)
bad=$(comm -23 <(echo "$undefined") <(echo "$defined") | grep -Ev "$allowed" | grep -v '^$' || true)
if [ -n "$bad" ]; then
  echo "engine purity: $(basename "$lib") needs symbols outside libc memory/string functions:"
  echo "$bad" | sed 's/^/  /'
  exit 1
fi
echo "engine purity: ok ($(echo "$undefined" | grep -c . || true) external references, all allowed)"
