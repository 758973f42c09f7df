#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ctest install/*: fin installed into a temporary prefix is usable like any
# C library. Modes:
#   prefix  cmake --install; checks the files (headers, libfin.so.0 SONAME,
#           static archives, fin.pc, the CMake package); builds and runs
#           programs against it with pkg-config and with find_package(fin),
#           and compiles the umbrella header as strict C11 and as C++.
#   subdir  add_subdirectory(fin) with FIN_PCAP=OFF from another project:
#           builds and runs an engine-only program, and checks that neither
#           cmocka nor libpcap was even looked for.
# Usage: run.sh MODE SOURCE_DIR WORK_DIR [C_COMPILER]
set -euo pipefail
mode=${1:?usage: run.sh prefix|subdir SOURCE_DIR WORK_DIR [CC]}
src=$(cd "${2:?}" && pwd)
work=${3:?}
cc=${4:-cc}
rm -rf "$work"
mkdir -p "$work"
log="$work/log"
step() { echo "install: $*"; }
die() {
  echo "install: FAIL: $*" >&2
  [ -f "$log" ] && tail -n 30 "$log" >&2
  exit 1
}
jobs=2
common=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER="$cc" -DFIN_TESTS=OFF -DFIN_BENCH=OFF
  -DFIN_EXAMPLES=OFF)

consumer_cmake() { # DIR BODY: a CMake project in DIR whose body is BODY
  mkdir -p "$1"
  printf 'cmake_minimum_required(VERSION 3.20)\nproject(consumer C)\nset(CMAKE_C_STANDARD 11)\n%s\n' \
    "$2" >"$1/CMakeLists.txt"
}

if [ "$mode" = prefix ]; then
  prefix="$work/prefix"
  step "configure, build and install fin (libraries only) into $prefix"
  cmake -S "$src" -B "$work/build" "${common[@]}" -DFIN_CLI=OFF -DFIN_SHARED=ON >"$log" 2>&1 ||
    die "configure"
  cmake --build "$work/build" -j "$jobs" >>"$log" 2>&1 || die "build"
  cmake --install "$work/build" --prefix "$prefix" >>"$log" 2>&1 || die "install"
  libdir=$(dirname "$(find "$prefix" -name libfin.so.0 | head -n 1)")
  [ -d "$libdir" ] || die "no libfin.so.0 under $prefix"
  for f in include/fin/fin.h include/fin/engine.h include/fin/version.h include/fin/runtime.h \
    include/fin/tun.h include/fin/pcap.h include/fin/defaults.h include/fin/error.h; do
    [ -f "$prefix/$f" ] || die "missing $f"
  done
  for f in libfin.a libfin_net.a libfin.so libfin_net.so libfin_net.so.0 pkgconfig/fin.pc \
    pkgconfig/fin-engine.pc cmake/fin/finConfig.cmake cmake/fin/finConfigVersion.cmake; do
    [ -e "$libdir/$f" ] || die "missing $libdir/$f"
  done
  soname=$(objdump -p "$libdir/libfin.so" | awk '$1 == "SONAME" { print $2 }')
  [ "$soname" = libfin.so.0 ] || die "libfin.so SONAME is '$soname', not libfin.so.0"
  step "ok: headers, static + shared libraries (SONAME $soname), fin.pc, CMake package"

  export PKG_CONFIG_PATH="$libdir/pkgconfig"
  [ "$(pkg-config --modversion fin)" = "$(sed -n 's/^#define FIN_VERSION_STRING "\(.*\)"/\1/p' \
    "$src/include/fin/version.h")" ] || die "pkg-config --modversion fin"
  step "pkg-config: $(pkg-config --cflags --libs fin)"
  # shellcheck disable=SC2046
  "$cc" -std=c11 -Wall -Wextra -pedantic -Werror "$src/examples/echo_memory.c" \
    $(pkg-config --cflags --libs fin) -o "$work/echo_pc" >>"$log" 2>&1 || die "pkg-config build"
  LD_LIBRARY_PATH="$libdir" "$work/echo_pc" >>"$log" 2>&1 || die "echo_memory (pkg-config) failed"
  step "ok: examples/echo_memory.c built with pkg-config --cflags --libs fin runs (shared)"
  # The engine alone, linked statically: nothing but libc.
  # shellcheck disable=SC2046
  "$cc" -std=c11 -Wall -Wextra -pedantic -Werror "$src/tests/install/engine_only.c" \
    $(pkg-config --cflags fin-engine) "$libdir/libfin.a" -o "$work/engine_pc" >>"$log" 2>&1 ||
    die "engine-only build"
  if objdump -p "$work/engine_pc" | grep -q 'NEEDED.*libfin'; then die "engine_pc needs libfin.so"; fi
  "$work/engine_pc" >>"$log" 2>&1 || die "engine_only (static) failed"
  step "ok: an engine-only program linked with libfin.a alone runs"
  if command -v c++ >/dev/null; then
    printf '#include "fin/fin.h"\nint main() { return fin_version()[0] == 0; }\n' >"$work/umbrella.cc"
    # shellcheck disable=SC2046
    c++ -std=c++11 -Wall -Wextra -Werror "$work/umbrella.cc" $(pkg-config --cflags --libs fin) \
      -o "$work/umbrella" >>"$log" 2>&1 || die "C++ build of fin/fin.h"
    LD_LIBRARY_PATH="$libdir" "$work/umbrella" || die "C++ program"
    step "ok: fin/fin.h compiles and links as C++"
  fi

  consumer_cmake "$work/consumer" "find_package(fin 0.2 REQUIRED)
add_executable(echo_memory $src/examples/echo_memory.c)
target_link_libraries(echo_memory PRIVATE fin::net)
add_executable(engine_only $src/tests/install/engine_only.c)
target_link_libraries(engine_only PRIVATE fin::engine_static)"
  cmake -S "$work/consumer" -B "$work/consumer/build" -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_PREFIX_PATH="$prefix" >>"$log" 2>&1 || die "find_package(fin) configure"
  cmake --build "$work/consumer/build" >>"$log" 2>&1 || die "find_package(fin) build"
  "$work/consumer/build/echo_memory" >>"$log" 2>&1 || die "echo_memory (find_package) failed"
  "$work/consumer/build/engine_only" >>"$log" 2>&1 || die "engine_only (find_package) failed"
  step "ok: find_package(fin) -> fin::net, fin::engine_static: both programs run"
elif [ "$mode" = subdir ]; then
  consumer_cmake "$work/sub" "set(FIN_PCAP OFF CACHE BOOL \"\" FORCE)
add_subdirectory($src fin)
add_executable(engine_only $src/tests/install/engine_only.c)
target_link_libraries(engine_only PRIVATE fin::engine)"
  step "add_subdirectory(fin) with FIN_PCAP=OFF"
  cmake -S "$work/sub" -B "$work/sub/build" -DCMAKE_C_COMPILER="$cc" >"$log" 2>&1 ||
    die "configure"
  cmake --build "$work/sub/build" -j "$jobs" >>"$log" 2>&1 || die "build (libfin, libfin_net without pcap)"
  "$work/sub/build/engine_only" >>"$log" 2>&1 || die "engine_only failed"
  if grep -Eq '^(CMOCKA|PCAP)_LIBRARY' "$work/sub/build/CMakeCache.txt"; then
    die "a subproject build looked for cmocka or libpcap"
  fi
  step "ok: engine_only runs; cmocka and libpcap were never looked for"
else
  die "unknown mode $mode"
fi
rm -rf "$work"
