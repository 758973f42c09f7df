#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what a fresh Debian 12 machine lacks to build and test fin.
# Quiet and quick when everything is already there.
#   install-deps.sh           everything `make` and `make test` use
#   install-deps.sh --demo    only what `make demo` uses (a C compiler, CMake, libpcap)
#   install-deps.sh --list [--demo]   print the package list and exit
set -euo pipefail
demo=(cmake gcc make libc6-dev libpcap-dev)
# Tests: cmocka; tshark decodes the pcaps; iproute2, curl, python3 for the
# interop and example tests; apache2-utils (ab) and wrk for the load test;
# netcat-openbsd (nc -4/-6) for the dual-stack interop row;
# libuv1-dev and pkg-config for the examples and the install test;
# clang-format for `make format`; doxygen for the API reference (`make docs`,
# ctest -L docs; no graphviz or LaTeX) and scdoc for the man pages.
full=("${demo[@]}" libcmocka-dev tshark iproute2 curl python3 apache2-utils wrk netcat-openbsd pkg-config
  libuv1-dev clang-format doxygen scdoc)
pkgs=("${full[@]}")
list=0
for arg in "$@"; do
  case "$arg" in
  --demo) pkgs=("${demo[@]}") ;;
  --list) list=1 ;;
  *)
    echo "usage: install-deps.sh [--demo] [--list]" >&2
    exit 2
    ;;
  esac
done
if [ "$list" -eq 1 ]; then
  echo "${pkgs[*]}"
  exit 0
fi
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in "${pkgs[@]}"; do
  have_pkg "$p" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
  exit 1
fi
echo "install-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
