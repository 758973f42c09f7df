/* SPDX-License-Identifier: MIT */
/* fin — the runtime: one driver (a device that moves IPv4 datagrams), a
 * real monotonic clock and one engine stack. Everything is built on a single
 * step, fin_runtime_run_once(): wait on the driver's fd until data or the
 * next deadline, feed every ready datagram, run due timers, drain output.
 * The blocking helpers (fin_rt_*) and the CLI are loops over that step, and
 * fin_runtime_fd() + fin_runtime_next_deadline() let another event loop
 * (epoll, libuv, libev) drive it instead. */
#ifndef FIN_RUNTIME_H
#define FIN_RUNTIME_H

#include <sys/types.h>

#include "fin/socket.h"
#include "fin/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A device that moves whole IPv4 datagrams. recv returns the length, 0 when
 * nothing is ready (never blocks) or a negative errno; send returns 0 or a
 * negative errno (a full device queue is a drop, like a real link). fd is
 * pollable for input. next_deadline/on_timer are optional (NULL): a driver
 * that holds datagrams (a delay line) tells the runtime when to wake it. */
struct fin_driver {
  ssize_t (*recv)(void *ctx, uint8_t *buf, size_t cap, fin_time now);
  int (*send)(void *ctx, const uint8_t *buf, size_t len, fin_time now);
  int (*fd)(void *ctx);
  fin_time (*next_deadline)(void *ctx);
  void (*on_timer)(void *ctx, fin_time now);
  void *ctx;
};

struct fin_runtime;
struct fin_pcap;

/* Receives every event the stack queues, in order, as run_once drains them. */
typedef void (*fin_event_sink)(void *ctx, const struct fin_event *ev);

/* CLOCK_MONOTONIC in nanoseconds: the only clock fin ever reads. */
fin_time fin_clock_now(void);

/* Creates the stack over drv (copied; its ctx must outlive the runtime),
 * with fin_allocator_default() and fin_random_default() (fin/defaults.h).
 * 0, -ENOMEM, -EINVAL (bad settings), or the epoll/eventfd error. Use it from
 * one thread at a time (docs/runtime.md, "Threads"). */
int fin_runtime_new(struct fin_runtime **out, const struct fin_settings *settings,
                    const struct fin_driver *drv);
/* Frees the stack at once (no packets): see fin_runtime_shutdown for an orderly end. */
void fin_runtime_free(struct fin_runtime *rt);
struct fin_stack *fin_runtime_stack(struct fin_runtime *rt);

/* Optional: a capture of every datagram in and out (not owned). */
void fin_runtime_set_pcap(struct fin_runtime *rt, struct fin_pcap *pcap);
/* Optional: where events go (without a sink they are discarded). */
void fin_runtime_set_event_sink(struct fin_runtime *rt, fin_event_sink sink, void *ctx);
/* Adds fd (EPOLLIN) to the runtime's wait: when it is ready, run_once
 * returns 1 so the caller can act (stdin, a signalfd). 0 or -errno. */
int fin_runtime_watch(struct fin_runtime *rt, int fd);
int fin_runtime_unwatch(struct fin_runtime *rt, int fd);

/* One step: waits at most max_wait ns (0 = poll, FIN_NEVER = until something
 * happens) or until the stack's next deadline, then reads every ready
 * datagram, runs due timers, drains output and events. Returns 1 when a
 * watched fd is ready, 0 otherwise, -EINTR on a signal, or a driver error. */
int fin_runtime_run_once(struct fin_runtime *rt, fin_time max_wait);

/* For another event loop (docs/runtime.md, "The loop"): an epoll fd that
 * becomes readable when the runtime has input or when a socket call made
 * outside run_once queued output (an eventfd inside it), and the absolute
 * time (fin_clock_now) of its next deadline: FIN_NEVER when idle, now while
 * output is queued. Arm a timer at the deadline before every wait, and call
 * run_once(rt, 0) when either fires. */
int fin_runtime_fd(const struct fin_runtime *rt);
fin_time fin_runtime_next_deadline(const struct fin_runtime *rt);

/* BEHAVIOR K2: closes everything gracefully, RSTs what is left at
 * now + grace, and runs until the stack is done or a watched fd is ready
 * (returns 1 then; call again to continue). 0 when done. */
int fin_runtime_shutdown(struct fin_runtime *rt, fin_time grace);

/* Blocking helpers: loops over run_once until the call completes or
 * `timeout` ns pass (-ETIMEDOUT). A ready watched fd returns -EINTR so the
 * caller can handle it (a signal) and call again. */
int fin_rt_connect(struct fin_runtime *rt, fin_sock s, const struct fin_sockaddr *addr,
                   fin_time timeout);
fin_sock fin_rt_accept(struct fin_runtime *rt, fin_sock listener, struct fin_sockaddr *peer,
                       fin_time timeout);
/* Sends all len bytes: len, or the error (bytes already queued are not reported). */
ssize_t fin_rt_send_all(struct fin_runtime *rt, fin_sock s, const void *buf, size_t len,
                        fin_time timeout);
/* At least one byte, 0 at EOF, or the error. */
ssize_t fin_rt_recv(struct fin_runtime *rt, fin_sock s, void *buf, size_t len, fin_time timeout);
/* fin_close, repeated while SO_LINGER {1,N} makes it return -EINPROGRESS. */
int fin_rt_close(struct fin_runtime *rt, fin_sock s, fin_time timeout);

#ifdef __cplusplus
}
#endif
#endif
