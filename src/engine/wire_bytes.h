/* SPDX-License-Identifier: MIT */
/* Network byte order by hand: the engine has no <arpa/inet.h> (docs/design.md,
 * engine purity). Every multi-byte field on the wire is big-endian
 * (RFC 791 Appendix B, RFC 9293 §3.1). Private to the wire files. */
#ifndef FIN_WIRE_BYTES_H
#define FIN_WIRE_BYTES_H

#include <stdint.h>

static inline uint16_t wire_get16(const uint8_t *p) {
  return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t wire_get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void wire_put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static inline void wire_put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* The TCP pseudo-header (RFC 9293 §3.1, "Checksum"): source, destination,
 * zero, protocol, TCP length. Returned as a partial sum for fin_csum_add. */
static inline uint32_t wire_pseudo_sum(uint32_t saddr, uint32_t daddr, uint8_t proto,
                                       uint32_t tcp_len) {
  return (saddr >> 16) + (saddr & 0xffffu) + (daddr >> 16) + (daddr & 0xffffu) + proto +
         (tcp_len >> 16) + (tcp_len & 0xffffu);
}

#endif
