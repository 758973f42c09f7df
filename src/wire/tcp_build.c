/* SPDX-License-Identifier: MIT */
/* Outgoing TCP datagrams of either family. The payload is copied next to
 * the headers first and summed in place, so a ring's two pieces are
 * checksummed as one contiguous run whatever the parity of the first piece. */
#include "fin/wire.h"

#include <string.h>

#include "wire_bytes.h"
#include "wire_ip.h"

#define IP_FLAG_DF     0x4000u
#define IP_TTL_DEFAULT 64 /* RFC 1700 / Linux ip_default_ttl */
#define IP_TOTAL_MAX   65535u

/* RFC 791 §3.1: no options, so IHL is 5. DF is always set: fin does PMTU
 * discovery by ICMP (RFC 1191) and never fragments (RFC 1122 §3.3.4.3). */
static void build_ipv4(uint8_t *ip, const struct fin_segment *seg, size_t total) {
  ip[0] = 0x45;
  ip[1] = seg->tos;
  wire_put16(ip + 2, (uint16_t)total);
  wire_put16(ip + 4, seg->ip_id);
  wire_put16(ip + 6, IP_FLAG_DF);
  ip[8] = seg->ttl != 0 ? seg->ttl : IP_TTL_DEFAULT;
  ip[9] = FIN_IPPROTO_TCP;
  wire_put16(ip + 10, 0);
  wire_put32(ip + 12, fin_addr_get_v4(&seg->saddr));
  wire_put32(ip + 16, fin_addr_get_v4(&seg->daddr));
  wire_put16(ip + 10, fin_csum_ipv4_header(ip));
}

/* RFC 8200 §3: version 6, traffic class, flow label, payload length, next
 * header TCP (fin sends no extension headers), hop limit. */
static void build_ipv6(uint8_t *ip, const struct fin_segment *seg, size_t total) {
  wire_put32(ip, 6u << 28 | (uint32_t)seg->tos << 20 | (seg->flowlabel & 0xfffffu));
  wire_put16(ip + 4, (uint16_t)(total - FIN_IPV6_HDR_LEN));
  ip[6] = FIN_IPPROTO_TCP;
  ip[7] = seg->ttl != 0 ? seg->ttl : IP_TTL_DEFAULT;
  memcpy(ip + 8, seg->saddr.b, 16);
  memcpy(ip + 24, seg->daddr.b, 16);
}

/* RFC 9293 §3.1: the fixed header; reserved bits are zero. */
static void build_tcp(uint8_t *t, const struct fin_segment *seg, size_t opt_len) {
  wire_put16(t, seg->sport);
  wire_put16(t + 2, seg->dport);
  wire_put32(t + 4, seg->seq);
  wire_put32(t + 8, seg->ack);
  t[12] = (uint8_t)(((FIN_TCP_HDR_MIN + opt_len) / 4) << 4);
  t[13] = seg->flags;
  wire_put16(t + 14, seg->wnd);
  wire_put16(t + 16, 0);
  wire_put16(t + 18, seg->urg);
}

/* The options may already be in place (a caller that wrote them at the
 * header's end): no copy then. */
static size_t copy_piece(uint8_t *dst, const uint8_t *src, size_t len) {
  if (len > 0 && dst != src)
    memcpy(dst, src, len);
  return len;
}

size_t fin_tcp_build(uint8_t *buf, size_t cap, const struct fin_segment *seg, const uint8_t *opt,
                     size_t opt_len, const uint8_t *payload1, size_t len1, const uint8_t *payload2,
                     size_t len2) {
  /* RFC 9293 §3.1 "Data Offset": options fill whole 32-bit words, 40 max. */
  if (opt_len % 4 != 0 || opt_len > FIN_TCP_OPT_MAX)
    return 0;
  bool v4 = fin_addr_is_v4(&seg->saddr);
  if (v4 != fin_addr_is_v4(&seg->daddr))
    return 0;
  size_t iph = v4 ? FIN_IPV4_HDR_MIN : FIN_IPV6_HDR_LEN;
  size_t hdr = iph + FIN_TCP_HDR_MIN + opt_len;
  /* The IPv4 total length and the IPv6 payload length are 16-bit fields. */
  size_t limit = IP_TOTAL_MAX + (v4 ? 0 : FIN_IPV6_HDR_LEN);
  if (len1 > IP_TOTAL_MAX || len2 > IP_TOTAL_MAX || hdr + len1 + len2 > limit)
    return 0;
  size_t total = hdr + len1 + len2;
  if (total > cap)
    return 0;
  uint8_t *t = buf + iph;
  if (v4)
    build_ipv4(buf, seg, total);
  else
    build_ipv6(buf, seg, total);
  build_tcp(t, seg, opt_len);
  size_t n = FIN_TCP_HDR_MIN;
  n += copy_piece(t + n, opt, opt_len);
  n += copy_piece(t + n, payload1, len1);
  n += copy_piece(t + n, payload2, len2);
  uint32_t sum = fin_wire_pseudo_sum(&seg->saddr, &seg->daddr, FIN_IPPROTO_TCP, (uint32_t)n);
  wire_put16(t + 16, fin_wire_csum(sum, t, n));
  return total;
}
