/* SPDX-License-Identifier: MIT */
/* fin — the socket-like API. BSD-shaped, non-blocking by nature: calls
 * never wait; they return -EAGAIN / -EINPROGRESS and the caller drives the
 * stack (the runtime in fin/runtime.h has blocking helpers built on this).
 * Every call acts at the stack's current time (fin_stack_set_now).
 * Errors are negative errno values with Linux meanings (BEHAVIOR G4). */
#ifndef FIN_SOCKET_H
#define FIN_SOCKET_H

#include <sys/types.h>
#include "fin/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/* poll bits, same values as <poll.h> on Linux. */
#define FIN_POLLIN    0x001
#define FIN_POLLPRI   0x002
#define FIN_POLLOUT   0x004
#define FIN_POLLERR   0x008
#define FIN_POLLHUP   0x010
#define FIN_POLLNVAL  0x020
#define FIN_POLLRDHUP 0x2000

/* shutdown how */
#define FIN_SHUT_RD   0
#define FIN_SHUT_WR   1
#define FIN_SHUT_RDWR 2

/* recv/send flags */
#define FIN_MSG_PEEK     0x2
#define FIN_MSG_DONTWAIT 0x40
#define FIN_MSG_FASTOPEN 0x20000000 /* fin_sendto: data on the SYN (RFC 7413; Linux) */

enum fin_sockopt {
  FIN_SO_LINGER = 1,    /* struct fin_linger */
  FIN_SO_KEEPALIVE,     /* int */
  FIN_SO_ERROR,         /* int (get only; reading clears it; positive errno like Linux) */
  FIN_SO_RCVBUF,        /* int bytes */
  FIN_SO_SNDBUF,        /* int bytes */
  FIN_SO_REUSEADDR,     /* int */
  FIN_SO_NONBLOCK,      /* int: fcntl O_NONBLOCK (affects SO_LINGER {1,N} waiting only) */
  FIN_TCP_NODELAY,      /* int */
  FIN_TCP_USER_TIMEOUT, /* int milliseconds, 0 = off */
  FIN_TCP_LINGER2,      /* int seconds; <0 = RST at once instead of FIN-WAIT-2, 0 = stack default */
  FIN_TCP_KEEPIDLE,     /* int seconds */
  FIN_TCP_KEEPINTVL,    /* int seconds */
  FIN_TCP_KEEPCNT,      /* int */
  FIN_TCP_MAXSEG,       /* int (get) */
  FIN_TCP_SYNCNT,       /* int: SYN retransmissions for this socket */
  FIN_TCP_INFO,         /* struct fin_conn_info (get only) */
  FIN_TCP_QUICKACK,     /* int */
  FIN_IPV6_V6ONLY,      /* int: a socket bound to :: takes no IPv4 (before bind/connect only) */
  FIN_TCP_KEEPINIT,     /* int seconds: SYN-SENT gives up this long after connect (FreeBSD);
                         * 0 = settings.keepinit */
  FIN_TCP_NOOPT,        /* int: no TCP options offered or used (FreeBSD TCP_NOOPT) */
  FIN_TCP_FASTOPEN,     /* int: TCP Fast Open (RFC 7413; settings.fastopen_*). On a listener (set
                         * before or after listen): the queue length, how many TFO requests may
                         * wait in SYN-RECEIVED (Linux); 0 = off. On a socket that connects: nonzero
                         * opens with a cookie and data (FreeBSD). Reading it on an accepted socket
                         * tells whether its SYN's data was taken. */
  FIN_TCP_FASTOPEN_CONNECT, /* int 0/1 before connect (Linux): with a cached cookie, fin_connect
                             * returns 0 at once and the SYN leaves with the first fin_send;
                             * -EOPNOTSUPP while settings.fastopen_client is off */
};

struct fin_linger {
  int onoff;
  int linger; /* seconds */
};

fin_sock fin_socket(struct fin_stack *stack);
int fin_bind(struct fin_stack *stack, fin_sock s, const struct fin_sockaddr *addr);
int fin_listen(struct fin_stack *stack, fin_sock s, int backlog);
/* Returns a new handle, or -EAGAIN when the accept queue is empty. */
fin_sock fin_accept(struct fin_stack *stack, fin_sock s, struct fin_sockaddr *peer);
/* Sends the SYN; returns -EINPROGRESS. Poll for FIN_POLLOUT; SO_ERROR tells the outcome.
 * Calling again: -EALREADY while in progress, 0 (or -EISCONN) once connected,
 * the error (e.g. -ECONNREFUSED) once failed. */
int fin_connect(struct fin_stack *stack, fin_sock s, const struct fin_sockaddr *addr);
ssize_t fin_send(struct fin_stack *stack, fin_sock s, const void *buf, size_t len, int flags);
/* fin_send with an address. On a socket not yet connected it connects
 * first (BSD's implied connect), with TCP Fast Open if the socket asked for
 * it (FIN_TCP_FASTOPEN, FIN_TCP_FASTOPEN_CONNECT), and queues the data: the
 * SYN carries what fits when a cookie is cached, the rest follows the
 * handshake. With FIN_MSG_FASTOPEN (Linux sendto semantics for a
 * non-blocking socket) it takes only what the SYN carries and returns
 * -EINPROGRESS when that is nothing (no cookie yet: the SYN asks for one),
 * -EISCONN on a connected socket, -EOPNOTSUPP while client TFO is off. A
 * connected socket otherwise ignores the address (Linux). */
ssize_t fin_sendto(struct fin_stack *stack, fin_sock s, const void *buf, size_t len, int flags,
                   const struct fin_sockaddr *addr);
ssize_t fin_recv(struct fin_stack *stack, fin_sock s, void *buf, size_t len, int flags);
int fin_shutdown(struct fin_stack *stack, fin_sock s, int how);
/* Releases the handle; the stack finishes the termination (orphan).
 * With SO_LINGER {1,N>0} on a blocking socket it returns -EINPROGRESS and
 * keeps the handle until our FIN is ACKed or N seconds pass: call again
 * (after driving the stack) until it returns 0. */
int fin_close(struct fin_stack *stack, fin_sock s);
/* ABORT (RFC 9293 §3.10.5): RST where BEHAVIOR B1 says, release the handle. */
int fin_abort(struct fin_stack *stack, fin_sock s);
int fin_setsockopt(struct fin_stack *stack, fin_sock s, enum fin_sockopt opt, const void *val,
                   size_t len);
int fin_getsockopt(struct fin_stack *stack, fin_sock s, enum fin_sockopt opt, void *val,
                   size_t *len);
/* FIN_POLL* bits now ready (FIN_POLLNVAL for a stale handle). */
int fin_poll(struct fin_stack *stack, fin_sock s);
int fin_getsockname(struct fin_stack *stack, fin_sock s, struct fin_sockaddr *addr);
int fin_getpeername(struct fin_stack *stack, fin_sock s, struct fin_sockaddr *addr);
/* SIOCINQ: bytes readable now (the FIN is not counted). */
int fin_inq(struct fin_stack *stack, fin_sock s);
/* State of the connection behind a handle (FIN_CLOSED for unconnected sockets). */
enum fin_state fin_sock_state(struct fin_stack *stack, fin_sock s);
/* Stable connection number behind a handle (0 if none). */
uint64_t fin_sock_conn_id(struct fin_stack *stack, fin_sock s);

#ifdef __cplusplus
}
#endif
#endif
