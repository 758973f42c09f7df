/* SPDX-License-Identifier: MIT */
/* Private to the wire files: the IP layer of either family as TCP and ICMP
 * parsing see it (fin_ip_parse dispatches on the version nibble). */
#ifndef FIN_WIRE_IP_H
#define FIN_WIRE_IP_H

#include "fin/addr.h"
#include "fin/wire.h"

enum fin_wire_error fin_wire_ipv4_parse(const uint8_t *dgram, size_t len, struct fin_ip_info *out);
enum fin_wire_error fin_wire_ipv6_parse(const uint8_t *dgram, size_t len, struct fin_ip_info *out);

/* The pseudo-header of the upper-layer checksum, as a partial sum for
 * fin_csum_add: RFC 9293 §3.1 for IPv4 (addresses, zero, protocol, length),
 * RFC 8200 §8.1 for IPv6 (addresses, 32-bit length, zero, next header). */
uint32_t fin_wire_pseudo_sum6(const struct fin_addr *src, const struct fin_addr *dst, uint8_t proto,
                              uint32_t len);
/* Inline for IPv4: four words, on every segment. */
static inline uint32_t fin_wire_pseudo_sum(const struct fin_addr *src, const struct fin_addr *dst,
                                           uint8_t proto, uint32_t len) {
  if (!fin_addr_is_v4(src))
    return fin_wire_pseudo_sum6(src, dst, proto, len);
  const uint8_t *s = src->b + 12, *d = dst->b + 12;
  uint32_t sum = (uint32_t)(s[0] << 8 | s[1]) + (uint32_t)(s[2] << 8 | s[3]) +
                 (uint32_t)(d[0] << 8 | d[1]) + (uint32_t)(d[2] << 8 | d[3]) + proto + len;
  return (sum & 0xffffu) + (sum >> 16); /* < 2^17: chained additions stay below bit 31 */
}

/* fin_csum_fold(fin_csum_add(sum, data, len)) in one call: what every
 * segment built or verified needs. */
uint16_t fin_wire_csum(uint32_t sum, const void *data, size_t len);

/* fin_ip_parse, then FIN_WIRE_IP_PROTOCOL unless the payload is `proto`.
 * Inline: the first step of every segment's parse. */
static inline enum fin_wire_error fin_wire_ip_expect(const uint8_t *dgram, size_t len,
                                                     uint8_t proto, struct fin_ip_info *ip) {
  enum fin_wire_error e = len > 0 && dgram[0] >> 4 == 4 ? fin_wire_ipv4_parse(dgram, len, ip)
                                                        : fin_ip_parse(dgram, len, ip);
  if (e != FIN_WIRE_OK)
    return e;
  return ip->proto == proto ? FIN_WIRE_OK : FIN_WIRE_IP_PROTOCOL;
}

#endif
