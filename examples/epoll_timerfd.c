/* SPDX-License-Identifier: MIT */
/* fin inside your own epoll loop: two runtimes (a client and an echo
 * server) joined by a datagram socketpair, one thread, one epoll set, one
 * timerfd per runtime. This is the loop of docs/runtime.md, literally:
 *
 *   before every wait: arm the runtime's timer at fin_runtime_next_deadline()
 *   wait on fin_runtime_fd() and that timer
 *   when either is ready: fin_runtime_run_once(rt, 0)
 *   make socket calls whenever the application wants to
 *
 * A socket call that queues a segment makes fin_runtime_fd() readable (an
 * eventfd inside) and the deadline due, so nothing is ever left unsent. If
 * nothing wakes the loop for 2 s while work remains, the example fails
 * with "stuck": that is the hang this contract rules out.
 *
 * Build against an installed fin: cc epoll_timerfd.c $(pkg-config --cflags --libs fin) */
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "dgram_driver.h"

#define CLIENT_ADDR 0x0a000001u
#define SERVER_ADDR 0x0a000002u
#define PORT        7
#define STUCK_MS    2000
#define MAX_WAKEUPS 10000

/* Absolute CLOCK_MONOTONIC, the clock fin_clock_now() reads. FIN_NEVER
 * disarms; a deadline already past fires at once. */
static void arm(int tfd, fin_time deadline) {
  struct itimerspec its;
  memset(&its, 0, sizeof(its));
  if (deadline != FIN_NEVER) {
    if (deadline <= 0)
      deadline = 1; /* 0 would disarm */
    its.it_value.tv_sec = (time_t)(deadline / 1000000000LL);
    its.it_value.tv_nsec = (long)(deadline % 1000000000LL);
  }
  timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

struct echo {
  struct fin_stack *cst, *sst;
  fin_sock listener, server, client;
  const char *msg;
  char echoed[64];
  size_t echoed_len;
  int sent, client_closed, server_closed;
};

static void server_app(struct echo *e) {
  if (e->server < 0 && (e->server = fin_accept(e->sst, e->listener, NULL)) < 0)
    return;
  char buf[256];
  ssize_t n;
  while ((n = fin_recv(e->sst, e->server, buf, sizeof(buf), 0)) > 0)
    (void)fin_send(e->sst, e->server, buf, (size_t)n, 0);
  if (n == 0 && !e->server_closed) {
    fin_close(e->sst, e->server);
    fin_close(e->sst, e->listener);
    e->server_closed = 1;
  }
}

static void client_app(struct echo *e) {
  size_t len = strlen(e->msg);
  if (!e->sent && (fin_poll(e->cst, e->client) & FIN_POLLOUT)) {
    e->sent = fin_send(e->cst, e->client, e->msg, len, 0) == (ssize_t)len;
    return;
  }
  ssize_t n = fin_recv(e->cst, e->client, e->echoed + e->echoed_len,
                       sizeof(e->echoed) - 1 - e->echoed_len, 0);
  if (n > 0)
    e->echoed_len += (size_t)n;
  if (e->echoed_len == len && !e->client_closed) {
    fin_close(e->cst, e->client);
    e->client_closed = 1;
  }
}

static int idle(struct fin_stack *st) {
  return fin_stack_conn_count(st) == 0 && fin_stack_time_wait_count(st) == 0;
}

static int start(struct echo *e) {
  e->listener = fin_socket(e->sst);
  struct fin_sockaddr any = {.addr = 0, .port = PORT};
  if (fin_bind(e->sst, e->listener, &any) < 0 || fin_listen(e->sst, e->listener, 8) < 0)
    return -1;
  e->client = fin_socket(e->cst);
  struct fin_sockaddr dst = {.addr = SERVER_ADDR, .port = PORT};
  int r = fin_connect(e->cst, e->client, &dst); /* queues the SYN; nothing else to do */
  return r == -EINPROGRESS ? 0 : r;
}

/* rt[0] client, rt[1] server; epoll data: 2*i = runtime fd, 2*i+1 = its timer. */
static int loop(struct fin_runtime *rt[2], int tfd[2], struct echo *e) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  for (int i = 0; i < 2; i++) {
    struct epoll_event a = {.events = EPOLLIN, .data.u32 = (uint32_t)(2 * i)};
    struct epoll_event b = {.events = EPOLLIN, .data.u32 = (uint32_t)(2 * i + 1)};
    epoll_ctl(ep, EPOLL_CTL_ADD, fin_runtime_fd(rt[i]), &a);
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd[i], &b);
  }
  int status = 1;
  for (int wakeups = 0; wakeups < MAX_WAKEUPS; wakeups++) {
    if (e->client_closed && e->server_closed && idle(e->cst) && idle(e->sst)) {
      status = 0;
      break;
    }
    for (int i = 0; i < 2; i++)
      arm(tfd[i], fin_runtime_next_deadline(rt[i]));
    struct epoll_event evs[4];
    int n = epoll_wait(ep, evs, 4, STUCK_MS);
    if (n == 0) {
      fprintf(stderr, "epoll_timerfd: stuck: nothing woke the loop for %d ms\n", STUCK_MS);
      break;
    }
    for (int k = 0; k < n; k++) {
      int i = (int)(evs[k].data.u32 / 2);
      if (evs[k].data.u32 % 2 == 1) {
        uint64_t expirations;
        (void)read(tfd[i], &expirations, sizeof(expirations));
      }
      fin_runtime_run_once(rt[i], 0);
    }
    server_app(e);
    client_app(e);
  }
  close(ep);
  return status;
}

int main(void) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0) {
    perror("socketpair");
    return 1;
  }
  struct fin_runtime *rt[2];
  if (dgram_runtime(&rt[0], &sv[0], CLIENT_ADDR) < 0 ||
      dgram_runtime(&rt[1], &sv[1], SERVER_ADDR) < 0) {
    fprintf(stderr, "epoll_timerfd: cannot create the runtimes\n");
    return 1;
  }
  int tfd[2] = {timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC),
                timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)};
  struct echo e = {.cst = fin_runtime_stack(rt[0]),
                   .sst = fin_runtime_stack(rt[1]),
                   .server = -1,
                   .msg = "hello over epoll"};
  fin_time t0 = fin_clock_now();
  int status = start(&e) == 0 ? loop(rt, tfd, &e) : 1;
  e.echoed[e.echoed_len] = '\0';
  printf("sent \"%s\", echoed \"%s\", both stacks idle after %.1f ms (TIME-WAIT 100 ms)\n", e.msg,
         e.echoed, (double)(fin_clock_now() - t0) / 1e6);
  if (strcmp(e.msg, e.echoed) != 0)
    status = 1;
  for (int i = 0; i < 2; i++) {
    fin_runtime_free(rt[i]);
    close(tfd[i]);
    close(sv[i]);
  }
  puts(status == 0 ? "PASS" : "FAIL");
  return status;
}
