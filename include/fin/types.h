/* SPDX-License-Identifier: MIT */
/* fin — basic types shared by every public header. */
#ifndef FIN_TYPES_H
#define FIN_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Time is always passed in by the caller: nanoseconds on a monotonic clock
 * of the caller's choosing (a real clock, a virtual one, a script's). */
typedef int64_t fin_time;
#define FIN_NEVER  INT64_MAX
#define FIN_MS(x)  ((fin_time)(x)*1000000LL)
#define FIN_SEC(x) ((fin_time)(x)*1000000000LL)

/* An IPv4 or IPv6 address, its 16 bytes in network byte order. An IPv4
 * address is held in its IPv4-mapped form ::ffff:a.b.c.d (RFC 4291
 * §2.5.5.2), so one comparison and one keyed hash serve both families;
 * fin_addr_is_v4() tells which family goes on the wire. The wildcards differ:
 * :: (all zeros) is IPv6's (and, on a socket without IPV6_V6ONLY, IPv4's too),
 * ::ffff:0.0.0.0 is IPv4's 0.0.0.0. Helpers: fin/addr.h. */
struct fin_addr {
  uint8_t b[16];
};

/* The family a socket speaks (what getsockname/getpeername report). */
enum fin_family {
  FIN_AF_UNSPEC = 0, /* on input: follow the address */
  FIN_AF_INET = 4,
  FIN_AF_INET6 = 6,
};

/* A socket address. Ports are in host byte order everywhere in the API. On
 * input (bind, connect) family may be FIN_AF_UNSPEC: it follows the address.
 * An FIN_AF_INET6 socket shows an IPv4 peer as ::ffff:a.b.c.d, as Linux does;
 * fin_sockaddr_v4() builds an IPv4 one. */
struct fin_sockaddr {
  struct fin_addr addr;
  uint16_t port;
  uint8_t family; /* enum fin_family */
};

struct fin_4tuple {
  struct fin_addr local_addr;
  struct fin_addr remote_addr;
  uint16_t local_port;
  uint16_t remote_port;
};

/* RFC 9293 §3.3.2 states. CLOSED is 0 so a zeroed TCB is closed. */
enum fin_state {
  FIN_CLOSED = 0,
  FIN_LISTEN,
  FIN_SYN_SENT,
  FIN_SYN_RECEIVED,
  FIN_ESTABLISHED,
  FIN_FIN_WAIT_1,
  FIN_FIN_WAIT_2,
  FIN_CLOSE_WAIT,
  FIN_CLOSING,
  FIN_LAST_ACK,
  FIN_TIME_WAIT,
  FIN_STATE_COUNT
};

/* "FIN-WAIT-1": RFC spelling. */
const char *fin_state_name(enum fin_state state);

/* Injected allocator. free() receives the size that was allocated so a
 * test allocator can account for every byte (leak check at the end of
 * every test). alloc returns NULL on failure; the engine handles it. */
struct fin_allocator {
  void *(*alloc)(void *ctx, size_t size);
  void (*release)(void *ctx, void *ptr, size_t size);
  void *ctx;
};

/* Injected randomness: fills buf with len random bytes. */
struct fin_random {
  void (*fill)(void *ctx, void *buf, size_t len);
  void *ctx;
};

#ifdef __cplusplus
}
#endif
#endif
