/* SPDX-License-Identifier: MIT */
/* The one family-neutral entry to the IP layer: the version nibble picks
 * the parser; the pseudo-header sum serves TCP and ICMPv6 of either family. */
#include "fin/wire.h"

#include "wire_bytes.h"
#include "wire_ip.h"

enum fin_wire_error fin_ip_parse(const uint8_t *dgram, size_t len, struct fin_ip_info *out) {
  if (len < 1)
    return FIN_WIRE_IP_TRUNCATED;
  switch (dgram[0] >> 4) {
  case 4:
    return fin_wire_ipv4_parse(dgram, len, out);
  case 6:
    return fin_wire_ipv6_parse(dgram, len, out);
  default:
    return len < FIN_IPV4_HDR_MIN ? FIN_WIRE_IP_TRUNCATED : FIN_WIRE_IP_VERSION;
  }
}

enum fin_wire_error fin_wire_ip_expect(const uint8_t *dgram, size_t len, uint8_t proto,
                                       struct fin_ip_info *ip) {
  enum fin_wire_error e = fin_ip_parse(dgram, len, ip);
  if (e != FIN_WIRE_OK)
    return e;
  return ip->proto == proto ? FIN_WIRE_OK : FIN_WIRE_IP_PROTOCOL;
}

static uint32_t sum16(const uint8_t *p, unsigned n) {
  uint32_t s = 0;
  for (unsigned i = 0; i < n; i += 2)
    s += wire_get16(p + i);
  return s;
}

uint32_t fin_wire_pseudo_sum6(const struct fin_addr *src, const struct fin_addr *dst, uint8_t proto,
                              uint32_t len) {
  uint32_t s = sum16(src->b, 16) + sum16(dst->b, 16);
  s += proto + (len >> 16) + (len & 0xffffu);
  /* Folded so chained additions in fin_csum_add cannot reach bit 31. */
  while (s >> 16)
    s = (s & 0xffffu) + (s >> 16);
  return s;
}
