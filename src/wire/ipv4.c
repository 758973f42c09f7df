/* SPDX-License-Identifier: MIT */
/* IPv4 header validation (RFC 791, RFC 1122 §3.2.1). Any byte sequence is
 * safe: every read is checked against the lengths first. */
#include "fin/wire.h"

#include "wire_bytes.h"
#include "wire_ip.h"

#define IP_OPT_EOL     0
#define IP_OPT_NOP     1
#define IP_FLAG_MF     0x2000u
#define IP_FRAG_OFFSET 0x1fffu

/* RFC 791 §3.1 "Options": EOL ends the list, NOP is one byte, every other
 * option is type, length (counting both), data, and must end inside the
 * header. */
static enum fin_wire_error ipv4_options_check(const uint8_t *opt, size_t len) {
  size_t i = 0;
  while (i < len) {
    if (opt[i] == IP_OPT_EOL)
      return FIN_WIRE_OK;
    if (opt[i] == IP_OPT_NOP) {
      i++;
      continue;
    }
    if (len - i < 2 || opt[i + 1] < 2 || opt[i + 1] > len - i)
      return FIN_WIRE_IP_OPTIONS;
    i += opt[i + 1];
  }
  return FIN_WIRE_OK;
}

/* RFC 1122 §3.2.1.3: 0.0.0.0 is only "this host" at boot, 255.255.255.255
 * is limited broadcast, 224/4 is multicast and 240/4 reserved (class E):
 * none may be the source of a segment we accept. TCP is unicast only
 * (RFC 1122 §4.2.3.10), so the same set is refused as a destination. 127/8
 * is left to the caller (loopback stacks in tests use it). */
static bool ipv4_martian(uint32_t a) {
  return a - 1u >= 0xdfffffffu; /* 0 wraps to the top; 224/4 and 240/4 are the top */
}

/* ::ffff:a.b.c.d straight from the header's bytes (already in network
 * order, as struct fin_addr holds them). */
static void ipv4_mapped(struct fin_addr *a, const uint8_t *p) {
  static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  __builtin_memcpy(a->b, prefix, 12);
  __builtin_memcpy(a->b + 12, p, 4);
}

/* Lengths and version, in the order a receiver must trust them
 * (RFC 1122 §3.2.1.1, §3.2.1.2): nothing past the datagram is read. */
static enum fin_wire_error ipv4_check_lengths(const uint8_t *d, size_t len, size_t *hlen,
                                              size_t *tot) {
  if (len < FIN_IPV4_HDR_MIN)
    return FIN_WIRE_IP_TRUNCATED;
  if (d[0] >> 4 != 4)
    return FIN_WIRE_IP_VERSION;
  *hlen = (size_t)(d[0] & 0x0f) * 4;
  if (*hlen < FIN_IPV4_HDR_MIN || *hlen > len)
    return FIN_WIRE_IP_HEADER_LEN;
  /* Bytes past the total length are link padding (Ethernet) and ignored. */
  *tot = wire_get16(d + 2);
  if (*tot < *hlen || *tot > len)
    return FIN_WIRE_IP_TOTAL_LEN;
  return FIN_WIRE_OK;
}

/* Fragments are dropped, not reassembled: fin never sends them (DF is set,
 * see fin_tcp_build) and a lone first fragment would be a partial segment. */
static bool ipv4_is_fragment(const uint8_t *d) {
  return (wire_get16(d + 6) & (IP_FLAG_MF | IP_FRAG_OFFSET)) != 0;
}

enum fin_wire_error fin_wire_ipv4_parse(const uint8_t *dgram, size_t len, struct fin_ip_info *out) {
  size_t hlen = 0, tot = 0;
  enum fin_wire_error e = ipv4_check_lengths(dgram, len, &hlen, &tot);
  if (e != FIN_WIRE_OK)
    return e;
  /* RFC 791 §3.1 "Header Checksum": the sum over the header, checksum
   * included, is all ones. */
  if ((hlen == FIN_IPV4_HDR_MIN ? fin_csum_ipv4_header(dgram)
                                : fin_csum_fold(fin_csum_add(0, dgram, hlen))) != 0)
    return FIN_WIRE_IP_CHECKSUM;
  e = ipv4_options_check(dgram + FIN_IPV4_HDR_MIN, hlen - FIN_IPV4_HDR_MIN);
  if (e != FIN_WIRE_OK)
    return e;
  if (ipv4_is_fragment(dgram))
    return FIN_WIRE_IP_FRAGMENT;
  uint32_t src = wire_get32(dgram + 12), dst = wire_get32(dgram + 16);
  if (ipv4_martian(src) || ipv4_martian(dst))
    return FIN_WIRE_IP_MARTIAN;
  out->version = 4;
  out->proto = dgram[9];
  out->tos = dgram[1];
  out->ip_id = wire_get16(dgram + 4);
  out->ttl = dgram[8];
  out->flowlabel = 0;
  ipv4_mapped(&out->saddr, dgram + 12);
  ipv4_mapped(&out->daddr, dgram + 16);
  out->payload = dgram + hlen;
  out->payload_len = tot - hlen;
  return FIN_WIRE_OK;
}
