/* SPDX-License-Identifier: MIT */
/* fin — addresses of either family (struct fin_addr, fin/types.h): build,
 * classify, compare, parse and print them. IPv4 is held as ::ffff:a.b.c.d. */
#ifndef FIN_ADDR_H
#define FIN_ADDR_H

#include <stdbool.h>
#include <string.h>

#include "fin/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An IPv4 address (host byte order, 0x0a000001 is 10.0.0.1). */
static inline struct fin_addr fin_addr_v4(uint32_t a) {
  struct fin_addr r = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, (uint8_t)(a >> 24),
                        (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a}};
  return r;
}

/* An IPv6 address from its 16 bytes, network byte order. */
static inline struct fin_addr fin_addr_v6(const uint8_t bytes[16]) {
  struct fin_addr r;
  memcpy(r.b, bytes, 16);
  return r;
}

/* True for IPv4 (IPv4-mapped) addresses, 0.0.0.0 included. Word loads,
 * not memcmp: this runs on every segment. */
static inline bool fin_addr_is_v4(const struct fin_addr *a) {
  static const uint8_t prefix[4] = {0, 0, 0xff, 0xff};
  uint64_t hi;
  uint32_t mid, want;
  memcpy(&hi, a->b, 8);
  memcpy(&mid, a->b + 8, 4);
  memcpy(&want, prefix, 4);
  return hi == 0 && mid == want;
}

/* The IPv4 address in host byte order (meaningful when fin_addr_is_v4). */
static inline uint32_t fin_addr_get_v4(const struct fin_addr *a) {
  return (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 | (uint32_t)a->b[14] << 8 | a->b[15];
}

static inline bool fin_addr_eq(const struct fin_addr *a, const struct fin_addr *b) {
  uint64_t a0, a1, b0, b1;
  memcpy(&a0, a->b, 8);
  memcpy(&a1, a->b + 8, 8);
  memcpy(&b0, b->b, 8);
  memcpy(&b1, b->b + 8, 8);
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

/* :: (IPv6's wildcard, all zeros). */
static inline struct fin_addr fin_addr_any6(void) {
  struct fin_addr r;
  memset(r.b, 0, 16);
  return r;
}

/* Either wildcard: :: or 0.0.0.0. */
static inline bool fin_addr_is_any(const struct fin_addr *a) {
  uint64_t hi;
  uint32_t mid, lo;
  memcpy(&hi, a->b, 8);
  memcpy(&mid, a->b + 8, 4);
  memcpy(&lo, a->b + 12, 4);
  return lo == 0 && (mid == 0 || fin_addr_is_v4(a)) && hi == 0;
}

/* An IPv4 socket address (address in host byte order). */
static inline struct fin_sockaddr fin_sockaddr_v4(uint32_t a, uint16_t port) {
  struct fin_sockaddr s;
  s.addr = fin_addr_v4(a);
  s.port = port;
  s.family = FIN_AF_INET;
  return s;
}

/* An IPv6 socket address. */
static inline struct fin_sockaddr fin_sockaddr_v6(const struct fin_addr *a, uint16_t port) {
  struct fin_sockaddr s;
  s.addr = *a;
  s.port = port;
  s.family = FIN_AF_INET6;
  return s;
}

/* Parses "10.0.0.1", "fd00::1", "::ffff:10.0.0.1", "::" (RFC 4291 §2.2
 * text forms): 0, or -EINVAL and *out untouched. */
int fin_addr_parse(const char *text, struct fin_addr *out);

/* Writes an address as text: dotted quad for IPv4, RFC 5952 for IPv6
 * ("fd00::1"; ::ffff:a.b.c.d for an IPv4 address when as_v6). Needs 46
 * bytes (FIN_ADDR_STRLEN) for any address. Returns the length written. */
#define FIN_ADDR_STRLEN 46
size_t fin_addr_format(const struct fin_addr *a, bool as_v6, char *buf, size_t cap);

/* An endpoint as text: "10.0.0.1:80", "[fd00::1]:80" (RFC 5952 §6); port
 * 0 prints as "*", as ss does for a listener's peer. Needs
 * FIN_ENDPOINT_STRLEN bytes for any endpoint. Returns the length written. */
#define FIN_ENDPOINT_STRLEN (FIN_ADDR_STRLEN + 8)
size_t fin_endpoint_format(const struct fin_addr *a, uint16_t port, char *buf, size_t cap);

/* Parses "A.B.C.D:PORT" or "[IPv6]:PORT" (port 1..65535; IPv6 text needs
 * its brackets, a dotted quad must not have them; "[::ffff:A.B.C.D]:PORT"
 * is the IPv4 address): 0, or -EINVAL and the outputs untouched. */
int fin_endpoint_parse(const char *text, struct fin_addr *addr, uint16_t *port);

#ifdef __cplusplus
}
#endif
#endif
