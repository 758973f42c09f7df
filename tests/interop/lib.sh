# SPDX-License-Identifier: MIT
# Shared by every interop test: sourced after `set -euo pipefail`.
# Each test gets its own network namespace with a persistent TUN device fin0.
# FIN_FAMILY chooses the addresses (interop.cmake runs every row with 4 and 6):
#   4     kernel 10.77.0.1/24, fin 10.77.0.2 (fin's --addr)
#   6     kernel fd77::1/64,   fin fd77::2
#   dual  both on the kernel's side; FIN_IP and LINUX_IP are the IPv4 ones,
#         FIN_IP6 and LINUX_IP6 the IPv6 ones (a test gives fin both --addr)
# Nothing is sent outside that namespace; it is deleted on exit, even on failure.
# Usage in a test:  source lib.sh; interop_setup "$@"; ...; pass
FIN_FAMILY=${FIN_FAMILY:-4}
FIN_IP4=10.77.0.2
LINUX_IP4=10.77.0.1
FIN_IP6=fd77::2
LINUX_IP6=fd77::1
case "$FIN_FAMILY" in
4 | dual) FIN_IP=$FIN_IP4 LINUX_IP=$LINUX_IP4 FIN_PREFIX=24 ;;
6) FIN_IP=$FIN_IP6 LINUX_IP=$LINUX_IP6 FIN_PREFIX=64 ;;
*)
  echo "FIN_FAMILY must be 4, 6 or dual, not '$FIN_FAMILY'" >&2
  exit 2
  ;;
esac
export FIN_FAMILY FIN_IP LINUX_IP FIN_IP4 LINUX_IP4 FIN_IP6 LINUX_IP6
# fin's --addr.
FIN_CIDR="$FIN_IP/$FIN_PREFIX"
# ep ADDR: the address as written before ":PORT" (ss, fin ss, fin's log, URLs).
ep() { if [[ $1 == *:* ]]; then echo "[$1]"; else echo "$1"; fi; }
# re TEXT: TEXT as a literal inside a grep -E pattern.
re() { sed 's/[].*^$+?(){}|[]/\\&/g' <<<"$1"; }
FIN_EP=$(ep "$FIN_IP")
LINUX_EP=$(ep "$LINUX_IP")
FIN_RE=$(re "$FIN_EP")
LINUX_RE=$(re "$LINUX_EP")
# -4 or -6 for ss and curl (a dual row names each client's family itself).
FAMILY_OPT=-${FIN_FAMILY/dual/4}
# What ss prints for the wildcard peer of a listener of the family.
if [ "$FIN_FAMILY" = 6 ]; then ANY_RE='\[::\]'; else ANY_RE='0\.0\.0\.0'; fi
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEER="$HERE/peer.py"

skip() {
  echo "SKIPPED: $*"
  exit 77
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
note() { echo "[$(date +%T.%3N)] $*"; }

_PIDS=()
_cleanup() {
  local rc=$?
  # Each tracked pid is a `timeout` we started; its child is the program.
  for p in "${_PIDS[@]}"; do kill -9 $(pgrep -P "$p") "$p" 2>/dev/null || true; done
  for p in "${_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "${NS:-}" ]; then ip netns del "$NS" 2>/dev/null || true; fi
  if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -n "${WORK:-}" ]; then
    [ -n "${KEEP_WORK:-}" ] && echo "kept $WORK" >&2
    echo "---- logs in $WORK ----" >&2
    for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "== $f" >&2; tail -n 40 "$f" >&2; }; done
  fi
  exit $rc
}

# interop_setup FIN_BINARY: checks prerequisites (else SKIP), makes the namespace.
interop_setup() {
  FIN=${1:?usage: $0 PATH_TO_fin}
  [ "$(id -u)" -eq 0 ] || skip "interop tests need root (network namespaces and TUN)"
  command -v ip >/dev/null || skip "iproute2 'ip' not found"
  [ -c /dev/net/tun ] || skip "/dev/net/tun missing (no TUN support in this kernel/container)"
  command -v python3 >/dev/null || skip "python3 not found"
  NAME=$(basename "$0" .sh)
  NS="fin-${NAME:0:16}-$FIN_FAMILY-$$"
  WORK=$(mktemp -d "/tmp/fin-interop-$NAME-$FIN_FAMILY.XXXXXX")
  # fin's default control sockets go under $XDG_RUNTIME_DIR/fin: keep those
  # of a test (and of a fin the test kills) out of /run/fin.
  export XDG_RUNTIME_DIR="$WORK/run"
  mkdir -p "$XDG_RUNTIME_DIR"
  trap _cleanup EXIT
  ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace (ip netns add failed)"
  nsx ip link set lo up
  nsx ip tuntap add dev fin0 mode tun || skip "cannot create a TUN device in a namespace"
  if [ "$FIN_FAMILY" = 4 ]; then
    # The kernel would otherwise send IPv6 router solicitations into fin.
    nsx sysctl -qw net.ipv6.conf.fin0.disable_ipv6=1 2>/dev/null || true
  else
    [ -e /proc/sys/net/ipv6 ] || skip "no IPv6 in this kernel"
    # No link-local address, router solicitation or DAD: nothing but the
    # test's own traffic goes into fin, and the address is usable at once
    # (nodad) instead of after a second of duplicate address detection.
    nsx ip link set fin0 addrgenmode none
    nsx sysctl -qw net.ipv6.conf.fin0.router_solicitations=0 net.ipv6.conf.fin0.accept_ra=0
    nsx ip -6 addr add "$LINUX_IP6/64" dev fin0 nodad
  fi
  [ "$FIN_FAMILY" = 6 ] || nsx ip addr add "$LINUX_IP4/24" dev fin0
  nsx ip link set fin0 up
}

nsx() { ip netns exec "$NS" "$@"; }

# bg NAME CMD...: runs CMD inside the namespace in the background, bounded by
# `timeout`, output in $WORK/NAME.log; its pid in $LAST_PID.
bg() {
  local name=$1
  shift
  ip netns exec "$NS" timeout -k 15 "${BG_TIMEOUT:-60}" "$@" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  _PIDS+=("$LAST_PID")
}

# fin_serve NAME ARGS...: starts `fin serve` in the namespace and waits until it listens.
fin_serve() {
  local name=$1
  shift
  bg "$name" "$FIN" serve --tun fin0 --addr "$FIN_CIDR" "$@"
  FIN_PID=$LAST_PID
  wait_for_line "$name" "listening on" 5
}

# kill_program PID SIGNAL: signals the program a `bg` timeout wrapper runs
# (timeout forwards TERM/INT itself, but KILL must go to the program).
kill_program() {
  local child
  child=$(pgrep -P "$1" || true)
  [ -n "$child" ] || fail "no program under pid $1"
  kill -"$2" $child
}

# wait_for_line NAME PATTERN SECONDS: waits until $WORK/NAME.log has a line matching PATTERN.
wait_for_line() {
  local i
  for ((i = 0; i < $3 * 20; i++)); do
    grep -q -- "$2" "$WORK/$1.log" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "no '$2' in $1.log after $3 s"
}

# wait_pid PID SECONDS: waits for a background process to exit; returns its status.
wait_pid() {
  local i
  for ((i = 0; i < $2 * 20; i++)); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.05
  done
  kill -0 "$1" 2>/dev/null && fail "process $1 still running after $2 s"
  local rc=0
  wait "$1" || rc=$?
  return $rc
}

# expect_line NAME REGEX WHAT: asserts that $WORK/NAME.log has a line matching REGEX.
expect_line() {
  grep -Eq -- "$2" "$WORK/$1.log" || fail "$3: no line matching /$2/ in $1.log"
  note "ok: $3: $(grep -E -- "$2" "$WORK/$1.log" | head -n 1)"
}

# The kernel's view: `ss -tan` (-4 or -6) inside the namespace, without header.
ss_states() { nsx ss -tanH "$FAMILY_OPT" "$@" | awk '{print $1, $4, $5}'; }

pass() {
  note "PASS $NAME (FIN_FAMILY=$FIN_FAMILY)"
  exit 0
}
