/* SPDX-License-Identifier: MIT */
/* The runtime: driver + CLOCK_MONOTONIC + engine, stepped by run_once.
 * Its fd is an epoll set of the driver's fd, the watched fds and an eventfd
 * that the stack's wake-up writes when a socket call made outside a step
 * queues output, so a loop sleeping on that fd wakes to send it. */
#include "fin/runtime.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "fin/defaults.h"
#include "fin/wire.h"
#ifdef FIN_HAVE_PCAP
#include "fin/pcap.h"
#define RT_TAP(rt, d, n, t)                                                                        \
  ((rt)->pcap != NULL ? (void)fin_pcap_write((rt)->pcap, d, n, t) : (void)0)
#else
#define RT_TAP(rt, d, n, t) ((void)(rt), (void)(d), (void)(n), (void)(t))
#endif

/* Datagrams read per step: bounded so timers and output are never starved
 * by a flood; level-triggered epoll brings us straight back for the rest. */
#define RT_INPUT_BUDGET 256
#define RT_MAX_EVENTS   16

struct fin_runtime {
  struct fin_stack *stack;
  struct fin_driver drv;
  int epfd;
  int drv_fd;
  int wake_fd;  /* eventfd: output queued outside a step */
  bool in_step; /* inside run_once: it drains before returning, no wake needed */
  bool woken;   /* wake_fd has been written and not read yet */
  struct fin_pcap *pcap;
  fin_event_sink sink;
  void *sink_ctx;
  struct fin_allocator alloc;
  struct fin_random rnd;
  int shutting_down;
  uint8_t *piece; /* a super-segment's pieces for the capture, taken when first needed */
  uint8_t buf[65536];
};

fin_time fin_clock_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (fin_time)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int rt_epoll_add(int epfd, int fd) {
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
  return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* The stack's wake-up: output was queued while none was. Inside a step the
 * step drains it; outside (the application's socket call) the eventfd
 * makes fin_runtime_fd() readable. One write until the next step reads it. */
static void rt_wake(void *ctx) {
  struct fin_runtime *rt = ctx;
  if (rt->in_step || rt->woken)
    return;
  uint64_t one = 1;
  if (write(rt->wake_fd, &one, sizeof(one)) == (ssize_t)sizeof(one))
    rt->woken = true;
}

static void rt_unwake(struct fin_runtime *rt) {
  uint64_t n;
  if (rt->woken && read(rt->wake_fd, &n, sizeof(n)) == (ssize_t)sizeof(n))
    rt->woken = false;
}

static void rt_close_fds(struct fin_runtime *rt) {
  if (rt->epfd >= 0)
    close(rt->epfd);
  if (rt->wake_fd >= 0)
    close(rt->wake_fd);
}

static int rt_open_fds(struct fin_runtime *rt) {
  rt->epfd = epoll_create1(EPOLL_CLOEXEC);
  rt->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (rt->epfd < 0 || rt->wake_fd < 0)
    return -errno;
  int r = rt_epoll_add(rt->epfd, rt->drv_fd);
  return r == 0 ? rt_epoll_add(rt->epfd, rt->wake_fd) : r;
}

int fin_runtime_new(struct fin_runtime **out, const struct fin_settings *settings,
                    const struct fin_driver *drv) {
  struct fin_runtime *rt = calloc(1, sizeof(*rt));
  if (rt == NULL)
    return -ENOMEM;
  rt->drv = *drv;
  rt->drv_fd = drv->fd(drv->ctx);
  fin_random_default(&rt->rnd);
  int r = fin_allocator_default(&rt->alloc);
  if (r < 0) {
    free(rt);
    return r;
  }
  r = rt_open_fds(rt);
  if (r == 0)
    r = fin_stack_new(&rt->stack, settings, &rt->alloc, &rt->rnd, fin_clock_now());
  if (r < 0) {
    rt_close_fds(rt);
    fin_allocator_default_free(&rt->alloc);
    free(rt);
    return r;
  }
  fin_stack_set_wakeup(rt->stack, rt_wake, rt);
  *out = rt;
  return 0;
}

void fin_runtime_free(struct fin_runtime *rt) {
  if (rt == NULL)
    return;
  fin_stack_free(rt->stack);
  fin_allocator_default_free(&rt->alloc);
  rt_close_fds(rt);
  free(rt->piece);
  free(rt);
}

struct fin_stack *fin_runtime_stack(struct fin_runtime *rt) {
  return rt->stack;
}

void fin_runtime_set_pcap(struct fin_runtime *rt, struct fin_pcap *pcap) {
  rt->pcap = pcap;
}

void fin_runtime_set_event_sink(struct fin_runtime *rt, fin_event_sink sink, void *ctx) {
  rt->sink = sink;
  rt->sink_ctx = ctx;
}

int fin_runtime_watch(struct fin_runtime *rt, int fd) {
  return rt_epoll_add(rt->epfd, fd);
}

int fin_runtime_unwatch(struct fin_runtime *rt, int fd) {
  return epoll_ctl(rt->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0;
}

int fin_runtime_fd(const struct fin_runtime *rt) {
  return rt->epfd;
}

fin_time fin_runtime_next_deadline(const struct fin_runtime *rt) {
  fin_time d = fin_stack_next_deadline(rt->stack);
  if (rt->drv.next_deadline != NULL) {
    fin_time dd = rt->drv.next_deadline(rt->drv.ctx);
    if (dd < d)
      d = dd;
  }
  return d;
}

#ifdef FIN_HAVE_PCAP
/* The capture holds the segments, as without offload: a super-segment is
 * recorded as the pieces the device cuts it into (fin_gso_segment). */
static void rt_tap_gso(struct fin_runtime *rt, size_t n, uint16_t gso, fin_time now) {
  size_t m;
  if (rt->pcap == NULL)
    return;
  if (gso == 0 || (rt->piece == NULL && (rt->piece = malloc(FIN_GSO_DATAGRAM_MAX)) == NULL)) {
    (void)fin_pcap_write(rt->pcap, rt->buf, n, now); /* no room to cut: recorded whole */
    return;
  }
  for (size_t k = 0; (m = fin_gso_segment(rt->buf, n, gso, k, rt->piece, FIN_GSO_DATAGRAM_MAX)) > 0;
       k++)
    (void)fin_pcap_write(rt->pcap, rt->piece, m, now);
}
#else
#define rt_tap_gso(rt, n, gso, now) ((void)(rt), (void)(n), (void)(gso), (void)(now))
#endif

/* A driver that segments gets super-segments (docs/runtime.md, "Offload"). */
static void rt_send_all_gso(struct fin_runtime *rt, fin_time now) {
  uint16_t gso;
  size_t n;
  while ((n = fin_stack_output_gso(rt->stack, rt->buf, sizeof(rt->buf), &gso, now)) > 0) {
    rt_tap_gso(rt, n, gso, now);
    (void)rt->drv.send_gso(rt->drv.ctx, rt->buf, n, gso, now);
  }
}

static void rt_send_all(struct fin_runtime *rt) {
  fin_time now = fin_clock_now();
  size_t n;
  if (rt->drv.send_gso != NULL) {
    rt_send_all_gso(rt, now);
    return;
  }
  while ((n = fin_stack_output(rt->stack, rt->buf, sizeof(rt->buf), now)) > 0) {
    RT_TAP(rt, rt->buf, n, now);
    /* A failed write is a lost datagram, as on a real link: TCP recovers. */
    (void)rt->drv.send(rt->drv.ctx, rt->buf, n, now);
  }
}

/* Output and events are drained before every wait, so whatever the
 * application's socket calls queued since the last step leaves at once.
 * An event sink may itself send: its output leaves in the next round. */
static size_t rt_drain(struct fin_runtime *rt) {
  size_t events = 0;
  for (int round = 0; round < 4; round++) {
    rt_send_all(rt);
    struct fin_event ev;
    size_t got = 0;
    for (; fin_stack_poll_event(rt->stack, &ev) == 1; got++)
      if (rt->sink != NULL)
        rt->sink(rt->sink_ctx, &ev);
    events += got;
    if (got == 0)
      break;
  }
  return events;
}

/* epoll timeout in ms, rounded up so we never wake before the deadline and spin. */
static int rt_timeout_ms(const struct fin_runtime *rt, fin_time max_wait) {
  fin_time now = fin_clock_now();
  fin_time until = fin_runtime_next_deadline(rt);
  fin_time wait = until == FIN_NEVER ? FIN_NEVER : until - now;
  if (max_wait < wait)
    wait = max_wait;
  if (wait == FIN_NEVER)
    return -1;
  if (wait <= 0)
    return 0;
  fin_time ms = (wait + 999999) / 1000000;
  return ms > 3600000 ? 3600000 : (int)ms;
}

static int rt_input(struct fin_runtime *rt) {
  for (int i = 0; i < RT_INPUT_BUDGET; i++) {
    fin_time now = fin_clock_now();
    ssize_t n = rt->drv.recv(rt->drv.ctx, rt->buf, sizeof(rt->buf), now);
    if (n < 0)
      return (int)n;
    if (n == 0)
      break;
    RT_TAP(rt, rt->buf, (size_t)n, now);
    fin_stack_input(rt->stack, rt->buf, (size_t)n, now);
  }
  return 0;
}

static void rt_timers(struct fin_runtime *rt) {
  fin_time now = fin_clock_now();
  if (rt->drv.on_timer != NULL)
    rt->drv.on_timer(rt->drv.ctx, now);
  if (fin_stack_next_deadline(rt->stack) <= now)
    fin_stack_on_timers(rt->stack, now);
}

/* After a step nothing should be due; if an event sink queued more than
 * the drain rounds sent, keep the fd readable so the caller comes back. */
static void rt_end_step(struct fin_runtime *rt) {
  fin_stack_set_now(rt->stack, fin_clock_now());
  rt->in_step = false;
  if (fin_stack_next_deadline(rt->stack) <= fin_stack_now(rt->stack))
    rt_wake(rt);
}

int fin_runtime_run_once(struct fin_runtime *rt, fin_time max_wait) {
  rt->in_step = true;
  rt_unwake(rt); /* what it announced is drained right here */
  /* Events just delivered may be what the caller waits for: do not sleep
   * before it has seen them. */
  if (rt_drain(rt) > 0)
    max_wait = 0;
  struct epoll_event evs[RT_MAX_EVENTS];
  int n = epoll_wait(rt->epfd, evs, RT_MAX_EVENTS, rt_timeout_ms(rt, max_wait));
  if (n < 0 && errno != EINTR) {
    int e = -errno;
    rt_end_step(rt);
    return e;
  }
  int interrupted = n < 0;
  int watched = 0;
  for (int i = 0; i < n; i++)
    if (evs[i].data.fd != rt->drv_fd && evs[i].data.fd != rt->wake_fd)
      watched = 1;
  int r = rt_input(rt);
  rt_timers(rt);
  rt_drain(rt);
  rt_end_step(rt);
  if (r < 0)
    return r;
  return interrupted ? -EINTR : watched;
}

int fin_runtime_shutdown(struct fin_runtime *rt, fin_time grace) {
  /* Only the first call starts K2; later calls (after a watched fd
   * interrupted us) continue towards the same deadline. */
  if (!rt->shutting_down) {
    fin_time now = fin_clock_now();
    fin_stack_shutdown(rt->stack, now + grace);
    rt->shutting_down = 1;
  }
  while (!fin_stack_shutdown_done(rt->stack)) {
    int r = fin_runtime_run_once(rt, FIN_MS(100));
    if (r == 1)
      return 1;
    if (r < 0 && r != -EINTR)
      return r;
  }
  rt->in_step = true;
  rt_drain(rt);
  rt_end_step(rt);
  return 0;
}

/* One wait of a blocking helper: -ETIMEDOUT past `end`, -EINTR when a
 * watched fd (a signal) needs the caller. */
static int rt_wait(struct fin_runtime *rt, fin_time end) {
  fin_time now = fin_clock_now();
  if (now >= end)
    return -ETIMEDOUT;
  int r = fin_runtime_run_once(rt, end == FIN_NEVER ? FIN_NEVER : end - now);
  if (r == 1)
    return -EINTR;
  return r < 0 ? r : 0;
}

static fin_time rt_end(fin_time timeout) {
  fin_time now = fin_clock_now();
  return timeout >= FIN_NEVER - now ? FIN_NEVER : now + timeout;
}

int fin_rt_connect(struct fin_runtime *rt, fin_sock s, const struct fin_sockaddr *addr,
                   fin_time timeout) {
  fin_time end = rt_end(timeout);
  fin_stack_set_now(rt->stack, fin_clock_now());
  int r = fin_connect(rt->stack, s, addr);
  while (r == -EINPROGRESS || r == -EALREADY) {
    int w = rt_wait(rt, end);
    if (w < 0)
      return w;
    r = fin_connect(rt->stack, s, addr);
  }
  return r == -EISCONN ? 0 : r;
}

fin_sock fin_rt_accept(struct fin_runtime *rt, fin_sock listener, struct fin_sockaddr *peer,
                       fin_time timeout) {
  fin_time end = rt_end(timeout);
  fin_stack_set_now(rt->stack, fin_clock_now());
  fin_sock r;
  while ((r = fin_accept(rt->stack, listener, peer)) == -EAGAIN) {
    int w = rt_wait(rt, end);
    if (w < 0)
      return w;
  }
  return r;
}

ssize_t fin_rt_send_all(struct fin_runtime *rt, fin_sock s, const void *buf, size_t len,
                        fin_time timeout) {
  fin_time end = rt_end(timeout);
  fin_stack_set_now(rt->stack, fin_clock_now());
  size_t done = 0;
  while (done < len) {
    ssize_t n = fin_send(rt->stack, s, (const uint8_t *)buf + done, len - done, 0);
    if (n > 0) {
      done += (size_t)n;
      continue;
    }
    if (n != -EAGAIN && n != 0)
      return n;
    int w = rt_wait(rt, end);
    if (w < 0)
      return w;
  }
  return (ssize_t)len;
}

ssize_t fin_rt_recv(struct fin_runtime *rt, fin_sock s, void *buf, size_t len, fin_time timeout) {
  fin_time end = rt_end(timeout);
  fin_stack_set_now(rt->stack, fin_clock_now());
  ssize_t n;
  while ((n = fin_recv(rt->stack, s, buf, len, 0)) == -EAGAIN) {
    int w = rt_wait(rt, end);
    if (w < 0)
      return w;
  }
  return n;
}

int fin_rt_close(struct fin_runtime *rt, fin_sock s, fin_time timeout) {
  fin_time end = rt_end(timeout);
  fin_stack_set_now(rt->stack, fin_clock_now());
  int r;
  while ((r = fin_close(rt->stack, s)) == -EINPROGRESS) {
    int w = rt_wait(rt, end);
    if (w < 0)
      return w;
  }
  return r;
}
