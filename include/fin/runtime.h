/* SPDX-License-Identifier: MIT */
/** @file fin/runtime.h
 * @brief The runtime (libfin_net): one driver (a device that moves IPv4
 * datagrams), a real monotonic clock and one engine stack.
 *
 * Everything is built on a single step, fin_runtime_run_once(): wait on the
 * driver's fd until data or the next deadline, feed every ready datagram,
 * run due timers, drain output. The blocking helpers (fin_rt_*) and the CLI
 * are loops over that step, and fin_runtime_fd() + fin_runtime_next_deadline()
 * let another event loop (epoll, libuv, libev) drive it instead.
 *
 * Threads: a runtime and its stack are used from one thread at a time; no
 * call takes a lock (docs/runtime.md, "Threads"). */
#ifndef FIN_RUNTIME_H
#define FIN_RUNTIME_H

#include <sys/types.h>

#include "fin/socket.h"
#include "fin/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A device that moves whole IPv4 or IPv6 datagrams. The runtime copies the
 * struct; ctx must outlive the runtime. fin_tun_driver() and
 * fin_fault_driver() fill one. */
struct fin_driver {
  /** One datagram into buf (cap bytes): its length, 0 when nothing is ready
   * (never blocks) or a negative errno (ends fin_runtime_run_once with it). */
  ssize_t (*recv)(void *ctx, uint8_t *buf, size_t cap, fin_time now);
  /** Sends one datagram: 0 or a negative errno (a full device queue is a
   * drop, like a real link; the runtime does not retry). */
  int (*send)(void *ctx, const uint8_t *buf, size_t len, fin_time now);
  /** A file descriptor that polls readable when recv() has input. */
  int (*fd)(void *ctx);
  /** Optional (NULL): when a driver that holds datagrams (a delay line)
   * needs on_timer(); FIN_NEVER when it holds none. */
  fin_time (*next_deadline)(void *ctx);
  /** Optional (NULL): releases what is due at now. */
  void (*on_timer)(void *ctx, fin_time now);
  void *ctx; /**< passed to every operation */
  /** Optional (NULL): a device that segments (GSO/TSO); last, so that
   * initializers written before it stay valid. The runtime then drains
   * fin_stack_output_gso() and hands every datagram here: gso_size 0 is a
   * datagram to send as it is, otherwise a super-segment the device cuts
   * every gso_size payload bytes. The driver may rewrite the buffer (its
   * checksum field, for a device that completes it). 0 or a negative errno,
   * as send(). */
  int (*send_gso)(void *ctx, uint8_t *buf, size_t len, uint16_t gso_size, fin_time now);
};

struct fin_runtime;
struct fin_pcap;

/** Receives every event the stack queues, in order, as fin_runtime_run_once()
 * drains them. ev is valid during the call only. The sink may make socket
 * calls on the runtime's stack; it must not free the runtime. */
typedef void (*fin_event_sink)(void *ctx, const struct fin_event *ev);

/** CLOCK_MONOTONIC in nanoseconds: the only clock fin ever reads (the engine
 * reads none: the runtime passes this in).
 * @return the time now */
fin_time fin_clock_now(void);

/** Creates a runtime: the stack over drv, with fin_allocator_default() and
 * fin_random_default() (fin/defaults.h), an epoll fd and an eventfd.
 * @param out the runtime, written on success; free it with fin_runtime_free()
 * @param settings the stack's settings (copied)
 * @param drv the device (copied; its ctx must outlive the runtime)
 * @retval 0 created
 * @retval -ENOMEM out of memory
 * @retval -EINVAL invalid settings (see fin_stack_new())
 * @retval -EMFILE (or another errno of epoll_create1/eventfd/epoll_ctl) no fd */
int fin_runtime_new(struct fin_runtime **out, const struct fin_settings *settings,
                    const struct fin_driver *drv);
/** Frees the runtime, its stack and its fds at once (no packets: every
 * connection vanishes without FIN or RST); see fin_runtime_shutdown() for an
 * orderly end. Does not close the driver.
 * @param rt the runtime, or NULL (no-op) */
void fin_runtime_free(struct fin_runtime *rt);
/** The runtime's stack, for socket calls (fin/socket.h) and listings.
 * @param rt the runtime
 * @return the stack, owned by rt (valid until fin_runtime_free()) */
struct fin_stack *fin_runtime_stack(struct fin_runtime *rt);

/** Captures every datagram the runtime moves, in and out.
 * @param rt the runtime
 * @param pcap an open capture (fin/pcap.h), not owned: close it after the
 *        runtime; NULL stops capturing */
void fin_runtime_set_pcap(struct fin_runtime *rt, struct fin_pcap *pcap);
/** Where events go (without a sink they are discarded as they are drained).
 * @param rt the runtime
 * @param sink called once per event, or NULL
 * @param ctx passed to sink */
void fin_runtime_set_event_sink(struct fin_runtime *rt, fin_event_sink sink, void *ctx);
/** Adds fd (EPOLLIN) to the runtime's wait: when it is ready,
 * fin_runtime_run_once() returns 1 so the caller can act (stdin, a signalfd).
 * @param rt the runtime
 * @param fd a pollable descriptor, not owned
 * @retval 0 watched
 * @retval -EEXIST already watched (or another epoll_ctl errno) */
int fin_runtime_watch(struct fin_runtime *rt, int fd);
/** Removes a descriptor added with fin_runtime_watch().
 * @param rt the runtime
 * @param fd the descriptor
 * @retval 0 removed
 * @retval -ENOENT not watched (or another epoll_ctl errno) */
int fin_runtime_unwatch(struct fin_runtime *rt, int fd);

/** One step: waits at most max_wait or until the stack's next deadline,
 * then reads every ready datagram, runs due timers, drains output and
 * events (to the sink).
 * @param rt the runtime
 * @param max_wait longest wait in ns: 0 polls, FIN_NEVER waits until
 *        something happens
 * @retval 1 a watched fd is ready
 * @retval 0 otherwise
 * @retval -EINTR a signal interrupted the wait (the step still ran)
 * @retval <0 the driver's recv() error, or epoll_wait's */
int fin_runtime_run_once(struct fin_runtime *rt, fin_time max_wait);

/** For another event loop (docs/runtime.md, "The loop"): an epoll fd that
 * becomes readable when the runtime has input or when a socket call made
 * outside fin_runtime_run_once() queued output (an eventfd inside it). Arm
 * a timer at fin_runtime_next_deadline() before every wait, and call
 * fin_runtime_run_once(rt, 0) when either fires.
 * @param rt the runtime
 * @return the fd, owned by rt (do not close it) */
int fin_runtime_fd(const struct fin_runtime *rt);
/** The absolute time (fin_clock_now()) the runtime next needs a step.
 * @param rt the runtime
 * @return FIN_NEVER when idle, now while output is queued, else the earliest
 *         timer of the stack or the driver */
fin_time fin_runtime_next_deadline(const struct fin_runtime *rt);

/** BEHAVIOR K2: orderly shutdown. Listeners close, every connection is closed
 * gracefully (FIN), and whatever is still synchronized at now + grace gets an
 * RST; runs until the stack is done or a watched fd is ready. The first call
 * fixes the deadline; later calls continue towards it.
 * @param rt the runtime
 * @param grace how long connections get to finish, ns
 * @retval 0 nothing is left (TIME-WAIT records are dropped at the deadline)
 * @retval 1 a watched fd is ready: handle it and call again
 * @retval <0 a driver or epoll error */
int fin_runtime_shutdown(struct fin_runtime *rt, fin_time grace);

/** Blocking connect: fin_connect() then fin_runtime_run_once() until the
 * handshake ends (SYN-SENT to ESTABLISHED) or timeout passes.
 * @param rt the runtime
 * @param s a socket of the runtime's stack
 * @param addr the peer
 * @param timeout ns; FIN_NEVER waits as long as the stack tries
 * @retval 0 connected (ESTABLISHED)
 * @retval -ETIMEDOUT timeout passed (the attempt goes on; fin_close() it)
 * @retval -EINTR a watched fd is ready: handle it and call again
 * @retval -ECONNREFUSED an RST answered the SYN (BEHAVIOR G4)
 * @retval <0 any other error of fin_connect() */
int fin_rt_connect(struct fin_runtime *rt, fin_sock s, const struct fin_sockaddr *addr,
                   fin_time timeout);
/** Blocking accept: fin_accept() until a connection is ready.
 * @param rt the runtime
 * @param listener a listening socket
 * @param peer the peer's address, or NULL
 * @param timeout ns, or FIN_NEVER
 * @return a new socket (ESTABLISHED or later; the caller owns it and must
 *         fin_close() it), -ETIMEDOUT, -EINTR (a watched fd is ready), or an
 *         error of fin_accept() (-EBADF, -EINVAL, -ENOMEM) */
fin_sock fin_rt_accept(struct fin_runtime *rt, fin_sock listener, struct fin_sockaddr *peer,
                       fin_time timeout);
/** Sends all len bytes, waiting for send space.
 * @param rt the runtime
 * @param s a connected socket (ESTABLISHED or CLOSE-WAIT)
 * @param buf the bytes (copied into the send buffer)
 * @param len how many
 * @param timeout ns, or FIN_NEVER
 * @return len, or the error (bytes already queued are not reported):
 *         -ETIMEDOUT, -EINTR, or an error of fin_send() (-EPIPE, -ECONNRESET...) */
ssize_t fin_rt_send_all(struct fin_runtime *rt, fin_sock s, const void *buf, size_t len,
                        fin_time timeout);
/** Receives at least one byte, waiting for data or EOF.
 * @param rt the runtime
 * @param s a socket
 * @param buf where the bytes go
 * @param len its size
 * @param timeout ns, or FIN_NEVER
 * @return bytes read (> 0), 0 at EOF (the peer's FIN: CLOSE-WAIT and later),
 *         -ETIMEDOUT, -EINTR, or an error of fin_recv() (-ECONNRESET...) */
ssize_t fin_rt_recv(struct fin_runtime *rt, fin_sock s, void *buf, size_t len, fin_time timeout);
/** fin_close(), repeated while SO_LINGER {1,N} makes it return -EINPROGRESS.
 * @param rt the runtime
 * @param s the socket; released when this returns 0
 * @param timeout ns, or FIN_NEVER
 * @retval 0 released (the stack finishes the termination, orphaned)
 * @retval -ETIMEDOUT still lingering: the handle is still held
 * @retval -EINTR a watched fd is ready: call again
 * @retval -EBADF not a socket */
int fin_rt_close(struct fin_runtime *rt, fin_sock s, fin_time timeout);

#ifdef __cplusplus
}
#endif
#endif
