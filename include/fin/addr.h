/* SPDX-License-Identifier: MIT */
/** @file fin/addr.h
 * @brief Addresses of either family (struct fin_addr, fin/types.h): build,
 * classify, compare, parse and print them. IPv4 is held as \::ffff:a.b.c.d.
 * Pure functions on values: no allocation, no state, callable from any thread. */
#ifndef FIN_ADDR_H
#define FIN_ADDR_H

#include <stdbool.h>
#include <string.h>

#include "fin/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An IPv4 address as a fin_addr (\::ffff:a.b.c.d).
 * @param a the address in host byte order: 0x0a000001 is 10.0.0.1
 * @return the IPv4-mapped address */
static inline struct fin_addr fin_addr_v4(uint32_t a) {
  struct fin_addr r = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, (uint8_t)(a >> 24),
                        (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a}};
  return r;
}

/** An IPv6 address from its 16 bytes.
 * @param bytes the address, network byte order (not kept)
 * @return a copy as a fin_addr */
static inline struct fin_addr fin_addr_v6(const uint8_t bytes[16]) {
  struct fin_addr r;
  memcpy(r.b, bytes, 16);
  return r;
}

/** Whether an address is IPv4 (IPv4-mapped), 0.0.0.0 included. Word loads,
 * not memcmp: this runs on every segment.
 * @param a the address (not NULL)
 * @return true for \::ffff:a.b.c.d, false for any other IPv6 address */
static inline bool fin_addr_is_v4(const struct fin_addr *a) {
  static const uint8_t prefix[4] = {0, 0, 0xff, 0xff};
  uint64_t hi;
  uint32_t mid, want;
  memcpy(&hi, a->b, 8);
  memcpy(&mid, a->b + 8, 4);
  memcpy(&want, prefix, 4);
  return hi == 0 && mid == want;
}

/** The IPv4 address in host byte order.
 * @param a the address (not NULL)
 * @return its last four bytes as a number; meaningful only when fin_addr_is_v4(a) */
static inline uint32_t fin_addr_get_v4(const struct fin_addr *a) {
  return (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 | (uint32_t)a->b[14] << 8 | a->b[15];
}

/** Whether two addresses are the same (16-byte comparison; an IPv4 address
 * never equals an IPv6 one).
 * @param a first address (not NULL)
 * @param b second address (not NULL)
 * @return true when all 16 bytes match */
static inline bool fin_addr_eq(const struct fin_addr *a, const struct fin_addr *b) {
  uint64_t a0, a1, b0, b1;
  memcpy(&a0, a->b, 8);
  memcpy(&a1, a->b + 8, 8);
  memcpy(&b0, b->b, 8);
  memcpy(&b1, b->b + 8, 8);
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

/** IPv6's wildcard address.
 * @return :: (all zeros) */
static inline struct fin_addr fin_addr_any6(void) {
  struct fin_addr r;
  memset(r.b, 0, 16);
  return r;
}

/** Whether an address is a wildcard.
 * @param a the address (not NULL)
 * @return true for :: and for 0.0.0.0 (\::ffff:0.0.0.0) */
static inline bool fin_addr_is_any(const struct fin_addr *a) {
  uint64_t hi;
  uint32_t mid, lo;
  memcpy(&hi, a->b, 8);
  memcpy(&mid, a->b + 8, 4);
  memcpy(&lo, a->b + 12, 4);
  return lo == 0 && (mid == 0 || fin_addr_is_v4(a)) && hi == 0;
}

/** An IPv4 socket address (family FIN_AF_INET).
 * @param a the address in host byte order
 * @param port the port in host byte order
 * @return the socket address */
static inline struct fin_sockaddr fin_sockaddr_v4(uint32_t a, uint16_t port) {
  struct fin_sockaddr s;
  s.addr = fin_addr_v4(a);
  s.port = port;
  s.family = FIN_AF_INET;
  return s;
}

/** An IPv6 socket address (family FIN_AF_INET6).
 * @param a the address (copied; not NULL)
 * @param port the port in host byte order
 * @return the socket address */
static inline struct fin_sockaddr fin_sockaddr_v6(const struct fin_addr *a, uint16_t port) {
  struct fin_sockaddr s;
  s.addr = *a;
  s.port = port;
  s.family = FIN_AF_INET6;
  return s;
}

/** Parses an address in an RFC 4291 §2.2 text form: "10.0.0.1", "fd00::1",
 * "::ffff:10.0.0.1", "::".
 * @param text NUL-terminated text (not kept)
 * @param out the address, written only on success
 * @retval 0 parsed
 * @retval -EINVAL not an address (*out untouched) */
int fin_addr_parse(const char *text, struct fin_addr *out);

/** Bytes fin_addr_format() needs for any address, the NUL included. */
#define FIN_ADDR_STRLEN 46
/** Writes an address as text: dotted quad for IPv4, RFC 5952 for IPv6
 * ("fd00::1").
 * @param a the address (not NULL)
 * @param as_v6 write an IPv4 address as \::ffff:a.b.c.d (as an IPv6 socket shows it)
 * @param buf where the NUL-terminated text goes
 * @param cap size of buf: FIN_ADDR_STRLEN is always enough; less truncates
 * @return the length written, without the NUL */
size_t fin_addr_format(const struct fin_addr *a, bool as_v6, char *buf, size_t cap);

/** Bytes fin_endpoint_format() needs for any endpoint, the NUL included. */
#define FIN_ENDPOINT_STRLEN (FIN_ADDR_STRLEN + 8)
/** Writes an endpoint as text: "10.0.0.1:80", "[fd00::1]:80" (RFC 5952 §6);
 * port 0 prints as "*", as ss does for a listener's peer.
 * @param a the address (not NULL)
 * @param port the port, host byte order
 * @param buf where the NUL-terminated text goes
 * @param cap size of buf: FIN_ENDPOINT_STRLEN is always enough; less truncates
 * @return the length written, without the NUL */
size_t fin_endpoint_format(const struct fin_addr *a, uint16_t port, char *buf, size_t cap);

/** Parses an endpoint: "A.B.C.D:PORT" or "[IPv6]:PORT" (port 1..65535; IPv6
 * text needs its brackets, a dotted quad must not have them;
 * "[::ffff:A.B.C.D]:PORT", as Linux ss prints an IPv4 peer of an IPv6
 * socket, is that IPv4 address).
 * @param text NUL-terminated text (not kept)
 * @param addr the address, written only on success
 * @param port the port (host byte order), written only on success
 * @retval 0 parsed
 * @retval -EINVAL malformed, or port 0 or above 65535 (outputs untouched) */
int fin_endpoint_parse(const char *text, struct fin_addr *addr, uint16_t *port);

#ifdef __cplusplus
}
#endif
#endif
