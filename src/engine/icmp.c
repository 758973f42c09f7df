/* SPDX-License-Identifier: MIT */
/* ICMP errors about our TCP segments (RFC 1122 §4.2.3.9, RFC 5927). The
 * message quotes our IP header and at least 8 bytes of our TCP header
 * (RFC 792): enough for ports and sequence number, which the connection
 * uses to check the error is about data in flight (RFC 5927 §4.1). */
#include "fin/wire.h"

#include "wire_bytes.h"
#include "wire_ip.h"

#define ICMP_HDR_LEN       8
#define ICMP_UNREACH       3
#define ICMP_SOURCE_QUENCH 4
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAM_PROBLEM 12
#define QUOTED_TCP_MIN     8
#define IP_FRAG_OFFSET     0x1fffu

static bool icmp_type_is_error(uint8_t type) {
  return type == ICMP_UNREACH || type == ICMP_SOURCE_QUENCH || type == ICMP_TIME_EXCEEDED ||
         type == ICMP_PARAM_PROBLEM;
}

/* The quoted datagram is ours as a router saw it: version 4, a header
 * length that fits, TCP, a first fragment, and 8 bytes of TCP after it. Its
 * checksum is not checked: the router may have changed TTL or options. */
static enum fin_wire_error icmp_quoted(const uint8_t *q, size_t len, struct fin_icmp_error *err) {
  if (len < FIN_IPV4_HDR_MIN || q[0] >> 4 != 4)
    return FIN_WIRE_ICMP_MALFORMED;
  size_t hlen = (size_t)(q[0] & 0x0f) * 4;
  if (hlen < FIN_IPV4_HDR_MIN || hlen > len || len - hlen < QUOTED_TCP_MIN)
    return FIN_WIRE_ICMP_MALFORMED;
  if (q[9] != FIN_IPPROTO_TCP || (wire_get16(q + 6) & IP_FRAG_OFFSET) != 0)
    return FIN_WIRE_ICMP_MALFORMED;
  err->saddr = wire_get32(q + 12);
  err->daddr = wire_get32(q + 16);
  err->sport = wire_get16(q + hlen);
  err->dport = wire_get16(q + hlen + 2);
  err->seq = wire_get32(q + hlen + 4);
  return FIN_WIRE_OK;
}

enum fin_wire_error fin_icmp_parse(const uint8_t *dgram, size_t len, struct fin_icmp_error *err) {
  struct wire_ip ip;
  enum fin_wire_error e = fin_wire_ipv4_expect(dgram, len, FIN_IPPROTO_ICMP, &ip);
  if (e != FIN_WIRE_OK)
    return e;
  const uint8_t *m = ip.payload;
  /* RFC 792: the checksum covers the whole ICMP message. */
  if (ip.payload_len < ICMP_HDR_LEN || fin_csum_fold(fin_csum_add(0, m, ip.payload_len)) != 0)
    return FIN_WIRE_ICMP_MALFORMED;
  if (!icmp_type_is_error(m[0]))
    return FIN_WIRE_IP_PROTOCOL;
  err->type = m[0];
  err->code = m[1];
  err->from = ip.saddr;
  err->mtu = m[0] == ICMP_UNREACH && m[1] == 4 ? wire_get16(m + 6) : 0; /* RFC 1191 §4 */
  return icmp_quoted(m + ICMP_HDR_LEN, ip.payload_len - ICMP_HDR_LEN, err);
}
