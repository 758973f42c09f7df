/* SPDX-License-Identifier: MIT */
/* Network byte order by hand: the engine has no <arpa/inet.h> (docs/design.md,
 * engine purity). Every multi-byte field on the wire is big-endian
 * (RFC 791 Appendix B, RFC 9293 §3.1). Private to the wire files. */
#ifndef FIN_WIRE_BYTES_H
#define FIN_WIRE_BYTES_H

#include <stdint.h>

#ifndef __BYTE_ORDER__
#error "wire_bytes.h needs __BYTE_ORDER__ (GCC or clang)"
#endif

/* One load or store and a byte swap each (GCC does not always merge the
 * byte-wise form); the builtins because the engine is freestanding. */
static inline uint16_t wire_be16(uint16_t v) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return __builtin_bswap16(v);
#else
  return v;
#endif
}

static inline uint32_t wire_be32(uint32_t v) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return __builtin_bswap32(v);
#else
  return v;
#endif
}

static inline uint16_t wire_get16(const uint8_t *p) {
  uint16_t v;
  __builtin_memcpy(&v, p, 2);
  return wire_be16(v);
}

static inline uint32_t wire_get32(const uint8_t *p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return wire_be32(v);
}

static inline void wire_put16(uint8_t *p, uint16_t v) {
  v = wire_be16(v);
  __builtin_memcpy(p, &v, 2);
}

static inline void wire_put32(uint8_t *p, uint32_t v) {
  v = wire_be32(v);
  __builtin_memcpy(p, &v, 4);
}

#endif
