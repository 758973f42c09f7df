/* SPDX-License-Identifier: MIT */
/* fin — basic types shared by every public header. */
#ifndef FIN_TYPES_H
#define FIN_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Time is always passed in by the caller: nanoseconds on a monotonic clock
 * of the caller's choosing (a real clock, a virtual one, a script's). */
typedef int64_t fin_time;
#define FIN_NEVER INT64_MAX
#define FIN_MS(x) ((fin_time)(x) * 1000000LL)
#define FIN_SEC(x) ((fin_time)(x) * 1000000000LL)

/* Addresses and ports are in host byte order everywhere in the API. */
struct fin_sockaddr {
  uint32_t addr;
  uint16_t port;
};

struct fin_4tuple {
  uint32_t local_addr;
  uint32_t remote_addr;
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
