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

/* An address's 16 bytes as two native 8-byte words, one's complement
 * added (end-around carry); folded and put in big-endian word order by the
 * caller (RFC 1071 §2(B)). */
static uint64_t sum_addr(const struct fin_addr *a, uint64_t acc) {
  uint64_t w[2];
  __builtin_memcpy(w, a->b, 16);
  for (int i = 0; i < 2; i++) {
    acc += w[i];
    acc += acc < w[i];
  }
  return acc;
}

uint32_t fin_wire_pseudo_sum6(const struct fin_addr *src, const struct fin_addr *dst, uint8_t proto,
                              uint32_t len) {
  uint64_t acc = sum_addr(dst, sum_addr(src, 0));
  uint32_t s = (uint32_t)acc + (uint32_t)(acc >> 32);
  s += s < (uint32_t)acc;
  s = (s & 0xffffu) + (s >> 16);
  s = (s & 0xffffu) + (s >> 16); /* the addresses' sum, native word order */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  s = (uint16_t)(s << 8 | s >> 8);
#endif
  s += proto + (len >> 16) + (len & 0xffffu);
  /* Folded so chained additions in fin_csum_add cannot reach bit 31. */
  while (s >> 16)
    s = (s & 0xffffu) + (s >> 16);
  return s;
}
