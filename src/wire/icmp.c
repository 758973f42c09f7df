/* SPDX-License-Identifier: MIT */
/* ICMP and ICMPv6 errors about our TCP segments (RFC 1122 §4.2.3.9,
 * RFC 4443, RFC 5927). The message quotes our IP header and at least 8 bytes
 * of our TCP header (RFC 792, RFC 4443 §2.4): enough for ports and sequence
 * number, which the connection uses to check the error is about data in
 * flight (RFC 5927 §4.1). What each type and code means for TCP is decided
 * here, once, for both families (BEHAVIOR J6). */
#include "fin/wire.h"

#include "wire_bytes.h"
#include "wire_ip.h"

#define ICMP_HDR_LEN        8
#define ICMP_UNREACH        3
#define ICMP_SOURCE_QUENCH  4
#define ICMP_TIME_EXCEEDED  11
#define ICMP_PARAM_PROBLEM  12
#define ICMP6_UNREACH       1
#define ICMP6_TOO_BIG       2
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_PARAM_PROBLEM 4
#define QUOTED_TCP_MIN      8
#define IP_FRAG_OFFSET      0x1fffu

/* J6: protocol (2) and port (3) unreachable are hard; fragmentation
 * needed (4) carries the next-hop MTU (RFC 1191 §4); the rest are soft. */
static enum fin_icmp_kind icmp4_kind(uint8_t type, uint8_t code) {
  if (type == ICMP_UNREACH && (code == 2 || code == 3))
    return FIN_ICMP_HARD;
  return type == ICMP_UNREACH && code == 4 ? FIN_ICMP_TOO_BIG : FIN_ICMP_SOFT;
}

/* J6 for ICMPv6 (RFC 4443 §3): port unreachable (type 1 code 4) and an
 * unrecognized next header (type 4 code 1, IPv6's "protocol unreachable")
 * are hard; packet too big carries the MTU; the rest are soft. */
static enum fin_icmp_kind icmp6_kind(uint8_t type, uint8_t code) {
  if ((type == ICMP6_UNREACH && code == 4) || (type == ICMP6_PARAM_PROBLEM && code == 1))
    return FIN_ICMP_HARD;
  return type == ICMP6_TOO_BIG ? FIN_ICMP_TOO_BIG : FIN_ICMP_SOFT;
}

static bool icmp4_is_error(uint8_t type) {
  return type == ICMP_UNREACH || type == ICMP_SOURCE_QUENCH || type == ICMP_TIME_EXCEEDED ||
         type == ICMP_PARAM_PROBLEM;
}

static bool icmp6_is_error(uint8_t type) {
  return type >= ICMP6_UNREACH && type <= ICMP6_PARAM_PROBLEM; /* RFC 4443 §2.1: < 128 */
}

static void quoted_ports(const uint8_t *tcp, struct fin_icmp_error *err) {
  err->sport = wire_get16(tcp);
  err->dport = wire_get16(tcp + 2);
  err->seq = wire_get32(tcp + 4);
}

/* The quoted datagram is ours as a router saw it: version 4, a header
 * length that fits, TCP, a first fragment, and 8 bytes of TCP after it. Its
 * checksum is not checked: the router may have changed TTL or options. */
static enum fin_wire_error quoted_v4(const uint8_t *q, size_t len, struct fin_icmp_error *err) {
  if (len < FIN_IPV4_HDR_MIN || q[0] >> 4 != 4)
    return FIN_WIRE_ICMP_MALFORMED;
  size_t hlen = (size_t)(q[0] & 0x0f) * 4;
  if (hlen < FIN_IPV4_HDR_MIN || hlen > len || len - hlen < QUOTED_TCP_MIN)
    return FIN_WIRE_ICMP_MALFORMED;
  if (q[9] != FIN_IPPROTO_TCP || (wire_get16(q + 6) & IP_FRAG_OFFSET) != 0)
    return FIN_WIRE_ICMP_MALFORMED;
  err->saddr = fin_addr_v4(wire_get32(q + 12));
  err->daddr = fin_addr_v4(wire_get32(q + 16));
  quoted_ports(q + hlen, err);
  return FIN_WIRE_OK;
}

/* The same for IPv6: fin sends no extension headers, so TCP follows the
 * 40-byte header directly (RFC 4443 §2.4 (c): as much as fits is quoted). */
static enum fin_wire_error quoted_v6(const uint8_t *q, size_t len, struct fin_icmp_error *err) {
  if (len < FIN_IPV6_HDR_LEN + QUOTED_TCP_MIN || q[0] >> 4 != 6 || q[6] != FIN_IPPROTO_TCP)
    return FIN_WIRE_ICMP_MALFORMED;
  err->saddr = fin_addr_v6(q + 8);
  err->daddr = fin_addr_v6(q + 24);
  quoted_ports(q + FIN_IPV6_HDR_LEN, err);
  return FIN_WIRE_OK;
}

/* RFC 792 / RFC 4443 §2.3: the checksum covers the message, and for ICMPv6
 * the pseudo-header too. */
static bool icmp_checksum_ok(const struct fin_ip_info *ip) {
  uint32_t sum = ip->version == 6 ? fin_wire_pseudo_sum(&ip->saddr, &ip->daddr, FIN_IPPROTO_ICMPV6,
                                                        (uint32_t)ip->payload_len)
                                  : 0;
  return fin_csum_fold(fin_csum_add(sum, ip->payload, ip->payload_len)) == 0;
}

enum fin_wire_error fin_icmp_parse(const uint8_t *dgram, size_t len, struct fin_icmp_error *err) {
  struct fin_ip_info ip;
  enum fin_wire_error e = fin_ip_parse(dgram, len, &ip);
  if (e != FIN_WIRE_OK)
    return e;
  bool v6 = ip.version == 6;
  if (ip.proto != (v6 ? FIN_IPPROTO_ICMPV6 : FIN_IPPROTO_ICMP))
    return FIN_WIRE_IP_PROTOCOL;
  const uint8_t *m = ip.payload;
  if (ip.payload_len < ICMP_HDR_LEN || !icmp_checksum_ok(&ip))
    return FIN_WIRE_ICMP_MALFORMED;
  if (!(v6 ? icmp6_is_error(m[0]) : icmp4_is_error(m[0])))
    return FIN_WIRE_IP_PROTOCOL;
  err->version = ip.version;
  err->type = m[0];
  err->code = m[1];
  err->kind = v6 ? icmp6_kind(m[0], m[1]) : icmp4_kind(m[0], m[1]);
  err->from = ip.saddr;
  err->mtu = err->kind != FIN_ICMP_TOO_BIG ? 0 : v6 ? wire_get32(m + 4) : wire_get16(m + 6);
  const uint8_t *q = m + ICMP_HDR_LEN;
  size_t qlen = ip.payload_len - ICMP_HDR_LEN;
  return v6 ? quoted_v6(q, qlen, err) : quoted_v4(q, qlen, err);
}
