/* SPDX-License-Identifier: MIT */
/** @file fin/socket.h
 * @brief The socket-like API: BSD-shaped, non-blocking by nature.
 *
 * Calls never wait; they return -EAGAIN / -EINPROGRESS and the caller drives
 * the stack (the runtime in fin/runtime.h has blocking helpers built on this).
 * Every call acts at the stack's current time (fin_stack_set_now()). Errors
 * are negative errno values with Linux meanings (BEHAVIOR G4). Every call on
 * a handle that is not (or no longer) a socket of this stack returns -EBADF.
 *
 * Ownership: fin_socket() and fin_accept() give the caller a handle; it is
 * released by fin_close() or fin_abort() (after which the stack owns what is
 * left of the connection: an orphan that finishes its termination, or
 * nothing). A connection that ended (RST, timeout) keeps its handle until
 * closed; every call then reports the outcome, which is sticky: after a
 * reset every read returns -ECONNRESET. */
#ifndef FIN_SOCKET_H
#define FIN_SOCKET_H

#include <sys/types.h>
#include "fin/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name fin_poll() bits (same values as <poll.h> on Linux) */
/** @{ */
#define FIN_POLLIN    0x001  /**< data, EOF or a connection to accept */
#define FIN_POLLPRI   0x002  /**< never set (no urgent data) */
#define FIN_POLLOUT   0x004  /**< send space (or the connect completed) */
#define FIN_POLLERR   0x008  /**< a pending error (FIN_SO_ERROR) */
#define FIN_POLLHUP   0x010  /**< both directions shut, or CLOSED */
#define FIN_POLLNVAL  0x020  /**< not a socket (stale handle) */
#define FIN_POLLRDHUP 0x2000 /**< the peer's FIN (or SHUT_RD) arrived */
/** @} */

/** @name fin_shutdown() how */
/** @{ */
#define FIN_SHUT_RD   0 /**< stop reading (nothing on the wire, G2) */
#define FIN_SHUT_WR   1 /**< send our FIN after the queued data (G1) */
#define FIN_SHUT_RDWR 2 /**< both */
/** @} */

/** @name fin_recv() / fin_send() flags */
/** @{ */
#define FIN_MSG_PEEK     0x2  /**< fin_recv(): read without consuming */
#define FIN_MSG_DONTWAIT 0x40 /**< accepted and ignored: every call is non-blocking */
#define FIN_MSG_FASTOPEN 0x20000000 /**< fin_sendto(): data on the SYN (RFC 7413; Linux) */
/** @} */

/** Socket options for fin_setsockopt() / fin_getsockopt(). Values are int
 * unless said otherwise. */
enum fin_sockopt {
  FIN_SO_LINGER = 1,    /**< struct fin_linger: {1,0} makes close an abort (B4), {1,N} waits (B5) */
  FIN_SO_KEEPALIVE,     /**< int: keep-alive probes (J4) */
  FIN_SO_ERROR,         /**< int (get only; reading clears it; positive errno like Linux) */
  FIN_SO_RCVBUF,        /**< int bytes (clamped to settings.rcvbuf_max, M16) */
  FIN_SO_SNDBUF,        /**< int bytes (clamped to settings.sndbuf_max, M16) */
  FIN_SO_REUSEADDR,     /**< int: bind a port other sockets use */
  FIN_SO_NONBLOCK,      /**< int: fcntl O_NONBLOCK (affects SO_LINGER {1,N} waiting only) */
  FIN_TCP_NODELAY,      /**< int: no Nagle */
  FIN_TCP_USER_TIMEOUT, /**< int milliseconds, 0 = off (RFC 5482) */
  FIN_TCP_LINGER2,   /**< int seconds; <0 = RST at once instead of FIN-WAIT-2, 0 = stack default */
  FIN_TCP_KEEPIDLE,  /**< int seconds (1..32767) */
  FIN_TCP_KEEPINTVL, /**< int seconds (1..32767) */
  FIN_TCP_KEEPCNT,   /**< int (1..255) */
  FIN_TCP_MAXSEG,    /**< int (get only) */
  FIN_TCP_SYNCNT,    /**< int (1..255): SYN retransmissions for this socket */
  FIN_TCP_INFO,      /**< struct fin_conn_info (get only) */
  FIN_TCP_QUICKACK,  /**< int: ACK at once for a while */
  FIN_IPV6_V6ONLY,   /**< int: a socket bound to :: takes no IPv4 (before bind/connect only) */
  FIN_TCP_KEEPINIT,  /**< int seconds: SYN-SENT gives up this long after connect (FreeBSD);
                      * 0 = settings.keepinit */
  FIN_TCP_NOOPT,     /**< int: no TCP options offered or used (FreeBSD TCP_NOOPT) */
  FIN_TCP_ECN,       /**< int: this socket's enum fin_ecn instead of settings.ecn (before
                      * connect or listen); -1 = the stack's again */
  FIN_TCP_FASTOPEN,  /**< int: TCP Fast Open (RFC 7413; settings.fastopen_*). On a listener (set
                      * before or after listen): the queue length, how many TFO requests may
                      * wait in SYN-RECEIVED (Linux); 0 = off. On a socket that connects:
                      * nonzero opens with a cookie and data (FreeBSD). Reading it on an
                      * accepted socket tells whether its SYN's data was taken. */
  FIN_TCP_FASTOPEN_CONNECT, /**< int 0/1 before connect (Linux): with a cached cookie,
                             * fin_connect returns 0 at once and the SYN leaves with the first
                             * fin_send; -EOPNOTSUPP while settings.fastopen_client is off */
};

/** FIN_SO_LINGER's value, as struct linger. */
struct fin_linger {
  int onoff;  /**< nonzero: linger */
  int linger; /**< seconds; 0 with onoff makes close an abort (RST) */
};

/** Creates a socket (state CLOSED, no address).
 * @param stack the stack
 * @return a handle the caller owns (release it with fin_close()), or
 *         -ENOBUFS (settings.max_connections reached or no memory for a TCB)
 *         or -ENOMEM (no room for the handle) */
fin_sock fin_socket(struct fin_stack *stack);
/** Gives a socket its local address (CLOSED sockets only).
 * @param stack the stack
 * @param s the socket
 * @param addr the address (a wildcard is allowed) and port (0 picks an
 *        ephemeral one, RFC 6056 §3.3.3)
 * @retval 0 bound
 * @retval -EBADF not a socket
 * @retval -EFAULT addr is NULL
 * @retval -EINVAL already bound, not CLOSED, a listener, or an IPv4 address on
 *         an IPV6_V6ONLY socket
 * @retval -EAFNOSUPPORT an IPv6 address for an IPv4 socket address
 * @retval -EADDRNOTAVAIL not one of settings.local_addrs
 * @retval -EADDRINUSE the port is taken (without SO_REUSEADDR), or no
 *         ephemeral port is free
 * @retval -ENOMEM no memory for the port table */
int fin_bind(struct fin_stack *stack, fin_sock s, const struct fin_sockaddr *addr);
/** Turns a CLOSED socket into a listener (LISTEN); an unbound one listens on
 * :: (IPv6 and, unless IPV6_V6ONLY, IPv4) with an ephemeral port. On a
 * listener, changes the backlog.
 * @param stack the stack
 * @param s the socket (the same handle then names the listener)
 * @param backlog accept queue length (< 0 is 0)
 * @retval 0 listening
 * @retval -EBADF not a socket
 * @retval -EINVAL not CLOSED (connecting, connected or ended)
 * @retval -EADDRINUSE another listener holds the address and port
 * @retval -ENOMEM no memory for the listener
 * @retval <0 an error of the implicit fin_bind() */
int fin_listen(struct fin_stack *stack, fin_sock s, int backlog);
/** Takes an established connection (ESTABLISHED, or already CLOSE-WAIT if
 * the peer closed) from a listener's accept queue.
 * @param stack the stack
 * @param s the listener
 * @param peer the peer's address, or NULL
 * @return a new handle the caller owns (release it with fin_close()),
 *         -EAGAIN when the accept queue is empty, -EINVAL when s is not a
 *         listener, -EBADF when it is no socket, -ENOMEM (no room for a handle;
 *         the connection stays queued) */
fin_sock fin_accept(struct fin_stack *stack, fin_sock s, struct fin_sockaddr *peer);
/** Active open: sends the SYN (CLOSED to SYN-SENT). Poll for FIN_POLLOUT;
 * FIN_SO_ERROR tells the outcome. Calling again reports the progress.
 * @param stack the stack
 * @param s a CLOSED socket (bound or not)
 * @param addr the peer (not a wildcard, port not 0)
 * @retval -EINPROGRESS the SYN is queued (the first call's success)
 * @retval -EALREADY still in SYN-SENT / SYN-RECEIVED
 * @retval -EISCONN connected (ESTABLISHED or later), or s is a listener
 * @retval -ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH... the attempt failed
 *         (reported once; then -ECONNABORTED)
 * @retval -EBADF not a socket
 * @retval -EFAULT addr is NULL
 * @retval -EINVAL wildcard address or port 0, or families that do not agree
 * @retval -EAFNOSUPPORT an IPv6 peer for an IPv4 socket
 * @retval -ENETUNREACH no local address of the peer's family, or IPv4 on an
 *         IPV6_V6ONLY socket
 * @retval -EADDRNOTAVAIL no ephemeral port free for this peer
 * @retval -EADDRINUSE the bound 4-tuple is in use (or in TIME-WAIT, E9)
 * @retval -ENOBUFS buffer memory limit reached (F3) */
int fin_connect(struct fin_stack *stack, fin_sock s, const struct fin_sockaddr *addr);
/** Queues bytes to send, in ESTABLISHED and CLOSE-WAIT.
 * @param stack the stack
 * @param s the socket
 * @param buf the bytes (copied)
 * @param len how many
 * @param flags ignored (every call is non-blocking)
 * @return bytes queued (may be fewer than len; 0 for len 0), or
 *         -EAGAIN (buffer full, or still connecting),
 *         -EPIPE (after shutdown(SHUT_WR) or close: FIN-WAIT-*, LAST-ACK,
 *         CLOSING, TIME-WAIT (G1); or after the connection's error was reported),
 *         the connection's error once when it ended abruptly (-ECONNRESET,
 *         -ETIMEDOUT..., G4), -ENOTCONN (never connected, or a listener),
 *         -ENOBUFS (buffer memory limit, F3), -EFAULT (buf NULL), -EBADF */
ssize_t fin_send(struct fin_stack *stack, fin_sock s, const void *buf, size_t len, int flags);
/** fin_send() with an address. On a socket not yet connected it connects
 * first (BSD's implied connect), with TCP Fast Open if the socket asked for
 * it (FIN_TCP_FASTOPEN, FIN_TCP_FASTOPEN_CONNECT), and queues the data: the
 * SYN carries what fits when a cookie is cached, the rest follows the
 * handshake. A connected socket otherwise ignores the address (Linux).
 * @param stack the stack
 * @param s the socket
 * @param buf the bytes
 * @param len their count
 * @param flags FIN_MSG_FASTOPEN for Linux's sendto semantics on a
 *        non-blocking socket: only what the SYN carries is taken
 * @param addr where to connect (NULL on a connected socket)
 * @return bytes queued; with FIN_MSG_FASTOPEN -EINPROGRESS when that is
 *         nothing (no cookie yet: the SYN asks for one), -EISCONN on a
 *         connected socket, -EOPNOTSUPP while client TFO is off; otherwise
 *         what fin_connect() and fin_send() return */
ssize_t fin_sendto(struct fin_stack *stack, fin_sock s, const void *buf, size_t len, int flags,
                   const struct fin_sockaddr *addr);

/** Reads received bytes, in any state that has them queued (data stays
 * readable after the peer's FIN: half-close, D11).
 * @param stack the stack
 * @param s the socket
 * @param buf where they go
 * @param len its size
 * @param flags FIN_MSG_PEEK to leave them queued
 * @return bytes read (> 0); 0 at EOF (the peer's FIN was reached: CLOSE-WAIT,
 *         LAST-ACK, CLOSING, TIME-WAIT; or after SHUT_RD, D1, G2); -EAGAIN
 *         (nothing yet); the connection's sticky error once it ended abruptly
 *         (-ECONNRESET, -ECONNREFUSED, -ETIMEDOUT..., G4); -ENOTCONN (never
 *         connected, or a listener); -EFAULT (buf NULL); -EBADF */
ssize_t fin_recv(struct fin_stack *stack, fin_sock s, void *buf, size_t len, int flags);
/** Half-close. SHUT_WR queues our FIN after the data (ESTABLISHED to
 * FIN-WAIT-1, CLOSE-WAIT to LAST-ACK; in SYN-RECEIVED it waits for
 * ESTABLISHED, C3); SHUT_RD sends nothing (G2). A second SHUT_WR sends no
 * second FIN (C6).
 * @param stack the stack
 * @param s the socket
 * @param how FIN_SHUT_RD, FIN_SHUT_WR or FIN_SHUT_RDWR
 * @retval 0 done
 * @retval -EINVAL bad how
 * @retval -ENOTCONN never connected, in TIME-WAIT or gone (M14), or a listener
 * @retval -EBADF not a socket */
int fin_shutdown(struct fin_stack *stack, fin_sock s, int how);
/** The CLOSE call (RFC 9293 §3.10.4) and the release of the handle: the stack
 * finishes the termination (orphan). In Linux's order: unread data makes it
 * an abort with RST (B7); SO_LINGER {1,0} aborts (B4); in SYN-SENT the
 * attempt is dropped with nothing sent (C4); otherwise our FIN is queued
 * after the data (ESTABLISHED to FIN-WAIT-1, CLOSE-WAIT to LAST-ACK) and an
 * orphaned FIN-WAIT-2 gets settings.fin_timeout (F1). On a listener, closes
 * it and resets its queued connections (C5).
 * @param stack the stack
 * @param s the socket; invalid once this returns 0
 * @retval 0 released
 * @retval -EINPROGRESS SO_LINGER {1,N>0} on a blocking socket: the handle is
 *         kept until our FIN is ACKed or N seconds pass; drive the stack and
 *         call again until it returns 0 (B5)
 * @retval -EBADF not a socket */
int fin_close(struct fin_stack *stack, fin_sock s);
/** ABORT (RFC 9293 §3.10.5) and the release of the handle: an RST
 * `<SEQ=SND.NXT><CTL=RST,ACK>` in SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2 and
 * CLOSE-WAIT (B1); nothing from LISTEN (B2), SYN-SENT, CLOSING, LAST-ACK; a
 * TIME-WAIT record is deleted (B3). Queued data is discarded.
 * @param stack the stack
 * @param s the socket; invalid once this returns
 * @retval 0 released
 * @retval -EBADF not a socket */
int fin_abort(struct fin_stack *stack, fin_sock s);
/** Sets a socket option (on a listener, what its connections inherit).
 * @param stack the stack
 * @param s the socket
 * @param opt the option
 * @param val an int, or a struct fin_linger for FIN_SO_LINGER (copied)
 * @param len size of *val
 * @retval 0 set
 * @retval -EINVAL val NULL or too short, a value out of range, or
 *         FIN_IPV6_V6ONLY after bind/connect
 * @retval -ENOPROTOOPT a get-only or unknown option
 * @retval -EBADF not a socket */
int fin_setsockopt(struct fin_stack *stack, fin_sock s, enum fin_sockopt opt, const void *val,
                   size_t len);
/** Reads a socket option. FIN_SO_ERROR returns the pending error as a
 * positive errno and clears it.
 * @param stack the stack
 * @param s the socket
 * @param opt the option
 * @param val where the value goes (int, struct fin_linger, struct fin_conn_info)
 * @param len in: size of *val; out: size written
 * @retval 0 read
 * @retval -EINVAL val or len NULL, or *len too small
 * @retval -ENOPROTOOPT unknown option
 * @retval -EBADF not a socket */
int fin_getsockopt(struct fin_stack *stack, fin_sock s, enum fin_sockopt opt, void *val,
                   size_t *len);
/** Readiness, as Linux tcp_poll() computes it: FIN_POLLHUP when both
 * directions are shut (or CLOSED), FIN_POLLIN|FIN_POLLRDHUP once the peer's
 * FIN (or SHUT_RD) arrived, FIN_POLLOUT with send space outside SYN-SENT and
 * SYN-RECEIVED, FIN_POLLERR on a pending error; FIN_POLLIN on a listener
 * with a connection to accept.
 * @param stack the stack
 * @param s the socket
 * @return FIN_POLL* bits ready now (FIN_POLLNVAL for a stale handle) */
int fin_poll(struct fin_stack *stack, fin_sock s);
/** The local address.
 * @param stack the stack
 * @param s the socket or listener
 * @param addr written on success
 * @retval 0 written
 * @retval -EFAULT addr is NULL
 * @retval -EBADF not a socket */
int fin_getsockname(struct fin_stack *stack, fin_sock s, struct fin_sockaddr *addr);
/** The peer's address (from SYN-SENT on; kept after the connection ended).
 * @param stack the stack
 * @param s the socket
 * @param addr written on success
 * @retval 0 written
 * @retval -ENOTCONN never connected, or a listener
 * @retval -EFAULT addr is NULL
 * @retval -EBADF not a socket */
int fin_getpeername(struct fin_stack *stack, fin_sock s, struct fin_sockaddr *addr);
/** SIOCINQ: bytes readable now (the FIN is not counted).
 * @param stack the stack
 * @param s the socket
 * @return bytes, -EINVAL for a listener, -EBADF for no socket */
int fin_inq(struct fin_stack *stack, fin_sock s);
/** The state of the connection behind a handle. A handle whose connection
 * entered TIME-WAIT reports TIME-WAIT while the record lives, then CLOSED.
 * @param stack the stack
 * @param s the socket
 * @return the state; FIN_LISTEN for a listener, FIN_CLOSED for unconnected
 *         sockets and stale handles */
enum fin_state fin_sock_state(struct fin_stack *stack, fin_sock s);
/** The stable connection number behind a handle (what events and
 * fin_conn_info carry).
 * @param stack the stack
 * @param s the socket
 * @return the number, or 0 if none */
uint64_t fin_sock_conn_id(struct fin_stack *stack, fin_sock s);

#ifdef __cplusplus
}
#endif
#endif
