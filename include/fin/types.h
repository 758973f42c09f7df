/* SPDX-License-Identifier: MIT */
/** @file fin/types.h
 * @brief Basic types shared by every public header: time, addresses, socket
 * addresses, 4-tuples, the RFC 9293 states, and the injected allocator and
 * randomness. */
#ifndef FIN_TYPES_H
#define FIN_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Time is always passed in by the caller: nanoseconds on a monotonic clock
 * of the caller's choosing (a real clock, a virtual one, a script's). The
 * engine never reads a clock itself. */
typedef int64_t fin_time;
/** "No deadline": what fin_stack_next_deadline() returns for an idle stack. */
#define FIN_NEVER INT64_MAX
/** @p x milliseconds as a fin_time. */
#define FIN_MS(x) ((fin_time)(x)*1000000LL)
/** @p x seconds as a fin_time. */
#define FIN_SEC(x) ((fin_time)(x)*1000000000LL)

/** The largest datagram fin_stack_output_gso() writes (the IPv4 total
 * length and the IPv6 payload length are 16-bit fields). */
#define FIN_GSO_DATAGRAM_MAX 65535u

/** An IPv4 or IPv6 address, its 16 bytes in network byte order. An IPv4
 * address is held in its IPv4-mapped form \::ffff:a.b.c.d (RFC 4291
 * §2.5.5.2), so one comparison and one keyed hash serve both families;
 * fin_addr_is_v4() tells which family goes on the wire. The wildcards differ:
 * :: (all zeros) is IPv6's (and, on a socket without IPV6_V6ONLY, IPv4's too),
 * \::ffff:0.0.0.0 is IPv4's 0.0.0.0. Helpers: fin/addr.h. A plain value:
 * copy it freely. */
struct fin_addr {
  uint8_t b[16]; /**< the address, network byte order (IPv4 in bytes 12..15) */
};

/** The family a socket speaks (what getsockname/getpeername report). */
enum fin_family {
  FIN_AF_UNSPEC = 0, /**< on input: follow the address */
  FIN_AF_INET = 4,   /**< IPv4 */
  FIN_AF_INET6 = 6,  /**< IPv6 (an IPv4 peer then shows as \::ffff:a.b.c.d) */
};

/** A socket address. Ports are in host byte order everywhere in the API. On
 * input (bind, connect) family may be FIN_AF_UNSPEC: it follows the address.
 * An FIN_AF_INET6 socket shows an IPv4 peer as \::ffff:a.b.c.d, as Linux does;
 * fin_sockaddr_v4() builds an IPv4 one. */
struct fin_sockaddr {
  struct fin_addr addr; /**< the address, either family */
  uint16_t port;        /**< host byte order; 0 in fin_bind() picks an ephemeral port */
  uint8_t family;       /**< enum fin_family */
};

/** A connection's identity, seen from this stack. Ports in host byte order. */
struct fin_4tuple {
  struct fin_addr local_addr;  /**< this stack's address */
  struct fin_addr remote_addr; /**< the peer's address */
  uint16_t local_port;         /**< this stack's port */
  uint16_t remote_port;        /**< the peer's port */
};

/** The RFC 9293 §3.3.2 connection states. CLOSED is 0 so a zeroed TCB is
 * closed. fin_state_name() gives the RFC spelling. */
enum fin_state {
  FIN_CLOSED = 0,   /**< no connection (also: a handle whose connection is gone) */
  FIN_LISTEN,       /**< a listener waiting for SYNs */
  FIN_SYN_SENT,     /**< our SYN sent (active open), waiting for SYN-ACK */
  FIN_SYN_RECEIVED, /**< SYN received and SYN-ACK sent, waiting for the ACK */
  FIN_ESTABLISHED,  /**< synchronized: data flows both ways */
  FIN_FIN_WAIT_1,   /**< we closed: our FIN sent, not yet ACKed */
  FIN_FIN_WAIT_2,   /**< our FIN ACKed, waiting for the peer's FIN */
  FIN_CLOSE_WAIT,   /**< the peer's FIN received; waiting for our close */
  FIN_CLOSING,      /**< both FINs crossed (simultaneous close); waiting for the ACK of ours */
  FIN_LAST_ACK,     /**< we closed after the peer's FIN; waiting for the ACK of ours */
  FIN_TIME_WAIT,    /**< both FINs done; 2*MSL wait (a compact record, not a TCB) */
  FIN_STATE_COUNT   /**< number of states (not a state) */
};

/** The RFC spelling of a state: "FIN-WAIT-1", "TIME-WAIT".
 * @param state any value; one outside the enum gives "?"
 * @return a static string, never NULL, never freed */
const char *fin_state_name(enum fin_state state);

/** Injected allocator. release() receives the size that was allocated so a
 * test allocator can account for every byte (leak check at the end of
 * every test). alloc returns NULL on failure; the engine handles it (the
 * call that needed memory fails with -ENOMEM or -ENOBUFS, input that needed
 * it is dropped and counted). The struct is copied by fin_stack_new(); ctx
 * must outlive the stack. fin_allocator_default() (fin/defaults.h) is one
 * over libc. */
struct fin_allocator {
  void *(*alloc)(void *ctx, size_t size);             /**< size bytes, or NULL */
  void (*release)(void *ctx, void *ptr, size_t size); /**< ptr from alloc, with its size */
  void *ctx;                                          /**< passed to both */
};

/** Injected randomness (ISNs, ephemeral ports, SYN cookie and hash keys):
 * fill() must fill buf with len bytes and cannot fail. Copied by
 * fin_stack_new(); ctx must outlive the stack. fin_random_default()
 * (fin/defaults.h) reads getrandom(2). */
struct fin_random {
  void (*fill)(void *ctx, void *buf, size_t len); /**< writes len random bytes */
  void *ctx;                                      /**< passed to fill */
};

#ifdef __cplusplus
}
#endif
#endif
