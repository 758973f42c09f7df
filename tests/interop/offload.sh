#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Segmentation offload over TUN (--offload: IFF_VNET_HDR, TSO4/TSO6, GRO):
#  1. Linux sends 8 MB to fin's sink: the kernel hands fin super-segments
#     (GRO) and fin's SHA-256 of what it received is Linux's.
#  2. fin sends 8 MB to a Linux sink in a second namespace, routed through
#     the first: fin writes super-segments, and the kernel forwards them out
#     of a veth that takes one segment at a time (gso_max_segs 1), so it
#     cuts them in software at the gso_size fin gave. The capture on the TUN
#     device shows the super-segments arriving, the capture on the veth the
#     pieces leaving: none longer than the MSS, as many as the bytes need.
#     fin's --pcap (super-segments cut by fin_gso_segment) has the same pieces.
#     Linux's SHA-256 of what it received is the SHA-256 of what fin sent.
# Both namespaces are created here and deleted on exit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_setup "$@"
SIZE=8388608
if [ "$FIN_FAMILY" = 6 ]; then
  R1=fd78::1 R2=fd78::2 NET=fd77::/64 PLEN=64 IPF=ipv6 MSS=1428
else
  R1=10.78.0.1 R2=10.78.0.2 NET=10.77.0.0/24 PLEN=24 IPF=ip MSS=1448
fi

# ---- 1. Linux -> fin ----
BG_TIMEOUT=60 fin_serve fin1 --port 5001 --app sink --exit-after 1 --no-control --offload
nsx timeout 60 python3 "$PEER" bulk-send 5001 "$SIZE" >"$WORK/peer1.log" 2>&1 ||
  fail "peer: $(tail -n 3 "$WORK/peer1.log")"
wait_pid "$FIN_PID" 10 || fail "fin serve exited with $?"
want=$(sed -n 's/^linux-sha256=//p' "$WORK/peer1.log")
expect_line fin1 "CLOSED reason=graceful err=0 app_err=0 in=$SIZE out=0 sha256=$want" \
  "fin received 8 MB over offload with Linux's SHA-256"
rx=$(sed -n 's/.*tun: offload=on .* in=\([0-9]*\)$/\1/p' "$WORK/fin1.log")
[ "${rx:-0}" -gt 0 ] || fail "no super-segment came from the kernel ($(grep tun: "$WORK/fin1.log"))"
note "ok: the kernel handed fin $rx super-segments"

# ---- 2. fin -> Linux, cut by the kernel ----
NS2="${NS}-b"
trap 'rc=$?; ip netns del "$NS2" 2>/dev/null || true; set +e; (exit $rc); _cleanup' EXIT
ip netns add "$NS2" || skip "cannot create a second network namespace"
ns2() { ip netns exec "$NS2" "$@"; }
nsx ip link add vA type veth peer name vB netns "$NS2"
ns2 ip link set lo up
if [ "$FIN_FAMILY" = 6 ]; then
  nsx sysctl -qw net.ipv6.conf.all.forwarding=1
  nsx ip -6 addr add "$R1/$PLEN" dev vA nodad
  ns2 ip -6 addr add "$R2/$PLEN" dev vB nodad
else
  nsx sysctl -qw net.ipv4.ip_forward=1
  nsx ip addr add "$R1/$PLEN" dev vA
  ns2 ip addr add "$R2/$PLEN" dev vB
fi
# One segment per transmission on vA: the kernel segments every super-segment
# it forwards there itself (gso_features_check: longer than gso_max_size),
# at the skb's gso_size.
nsx ip link set vA gso_max_segs 1 gso_max_size 1500 || skip "ip link cannot set gso_max_segs and gso_max_size"
nsx ip link set vA up
ns2 ip link set vB up
ns2 ip route add "$NET" via "$R1"
head -c "$SIZE" /dev/urandom >"$WORK/in"
sent=$(sha256sum <"$WORK/in" | cut -d' ' -f1)
caps=()
if command -v dumpcap >/dev/null && command -v tshark >/dev/null; then
  bg cap-tun dumpcap -q -s 128 -i fin0 -f "tcp and src host $FIN_IP" -w "$WORK/tun.pcapng"
  caps+=("$LAST_PID")
  bg cap-veth dumpcap -q -s 128 -i vA -f "tcp and src host $FIN_IP" -w "$WORK/veth.pcapng"
  caps+=("$LAST_PID")
  sleep 1 # dumpcap attaches its filters (bounded: one second, once)
else
  note "no dumpcap/tshark: the bytes are checked, the cut is not"
fi
ip netns exec "$NS2" timeout -k 5 60 env FIN_FAMILY="$FIN_FAMILY" LINUX_IP="$R2" \
  python3 "$PEER" server-sink 9000 >"$WORK/peer2.log" 2>&1 &
PEER_PID=$!
_PIDS+=("$PEER_PID")
wait_for_line peer2 ready 5
nsx timeout 60 "$FIN" connect --tun fin0 --addr "$FIN_CIDR" --no-control --offload \
  --pcap "$WORK/fin.pcap" --shutdown-after-send "$R2" 9000 <"$WORK/in" >/dev/null 2>"$WORK/fin2.log" ||
  fail "fin connect exited with $?"
wait_pid "$PEER_PID" 10 || fail "peer: $(tail -n 3 "$WORK/peer2.log")"
got=$(sed -n 's/^linux-sha256=//p' "$WORK/peer2.log")
[ "$got" = "$sent" ] || fail "Linux received SHA-256 $got, fin sent $sent"
note "ok: Linux received fin's 8 MB through the router (SHA-256 $got)"
tx=$(sed -n 's/.*tun: offload=on writes=\([0-9]*\) segments=\([0-9]*\) .* out=\([0-9]*\) in=.*/\1 \2 \3/p' \
  "$WORK/fin2.log")
read -r writes pieces supers <<<"$tx"
[ "${supers:-0}" -gt 0 ] || fail "fin wrote no super-segment ($(grep tun: "$WORK/fin2.log"))"
note "ok: fin wrote $pieces segments in $writes writes ($supers super-segments)"

if [ ${#caps[@]} -gt 0 ]; then
  sleep 0.5 # the last packets reach the capture files (bounded, once)
  for p in "${caps[@]}"; do kill_program "$p" INT; done
  for p in "${caps[@]}"; do wait "$p" 2>/dev/null || true; done
  lens() { tshark -r "$1" -T fields -e tcp.len -Y "$IPF.src == $FIN_IP && tcp.len > 0" 2>/dev/null; }
  lens "$WORK/tun.pcapng" >"$WORK/tun.lens"
  lens "$WORK/veth.pcapng" >"$WORK/veth.lens"
  big=$(awk -v m="$MSS" '$1 > m' "$WORK/tun.lens" | wc -l)
  [ "$big" -gt 0 ] || fail "the TUN capture shows no datagram longer than the MSS $MSS"
  # What the kernel must make of what came in: each datagram cut every MSS bytes.
  awk -v m="$MSS" '{ for (n = $1; n > m; n -= m) print m; print n }' "$WORK/tun.lens" >"$WORK/cut.lens"
  over=$(awk -v m="$MSS" '$1 > m' "$WORK/veth.lens" | wc -l)
  [ "$over" -eq 0 ] || fail "$over segments longer than the MSS $MSS left the veth"
  cmp -s "$WORK/cut.lens" "$WORK/veth.lens" ||
    fail "the veth's segments ($(wc -l <"$WORK/veth.lens")) are not the TUN's datagrams cut at $MSS ($(wc -l <"$WORK/cut.lens"))"
  # fin's own --pcap records each super-segment as fin_gso_segment cuts it: the same pieces.
  lens "$WORK/fin.pcap" >"$WORK/fin.lens"
  cmp -s "$WORK/fin.lens" "$WORK/veth.lens" ||
    fail "fin's --pcap ($(wc -l <"$WORK/fin.lens") data segments) differs from the kernel's cut"
  bytes=$(awk '{ s += $1 } END { print s + 0 }' "$WORK/veth.lens")
  [ "$bytes" -ge "$SIZE" ] || fail "the veth capture holds $bytes bytes of data, fin sent $SIZE"
  note "ok: $big super-segments (up to $(sort -n "$WORK/tun.lens" | tail -n 1) bytes) into the" \
    "TUN; the kernel cut them into exactly the $(wc -l <"$WORK/veth.lens") segments of at most $MSS bytes expected," \
    "the pieces of fin's --pcap"
fi
pass
