/* SPDX-License-Identifier: MIT */
/* fin inside a libuv loop: two runtimes (client, echo server) over a
 * datagram socketpair. Each runtime is one uv_poll_t on fin_runtime_fd()
 * and one uv_timer_t armed at fin_runtime_next_deadline() after every step.
 *
 * The client's connect() and send() run from a separate uv timer, as an
 * application's code would, and re-arm nothing: what makes their SYN and
 * data leave is fin_runtime_fd() becoming readable (the runtime's eventfd),
 * which wakes libuv's poll. A 5 s watchdog fails the run if that ever
 * stops working.
 *
 * Build: cc libuv_echo.c $(pkg-config --cflags --libs fin libuv) */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "dgram_driver.h"

#define CLIENT_ADDR 0x0a000001u
#define SERVER_ADDR 0x0a000002u
#define PORT        7

struct side {
  struct fin_runtime *rt;
  uv_poll_t poll;
  uv_timer_t timer;
};

static struct side sides[2]; /* 0 client, 1 server */
static uv_timer_t app_timer, watchdog;
static fin_sock listener, server = -1, client = -1;
static const char *msg = "hello over libuv";
static char echoed[64];
static size_t echoed_len;
static int connected, sent, client_closed, server_closed, status = 1;

static void on_fin_timer(uv_timer_t *t);

static int idle(struct fin_runtime *rt) {
  struct fin_stack *st = fin_runtime_stack(rt);
  return fin_stack_conn_count(st) == 0 && fin_stack_time_wait_count(st) == 0;
}

static void stop_all(int result) {
  status = result;
  for (int i = 0; i < 2; i++) {
    uv_poll_stop(&sides[i].poll);
    uv_timer_stop(&sides[i].timer);
  }
  uv_timer_stop(&app_timer);
  uv_timer_stop(&watchdog);
}

/* The server reacts to what a step delivered: accept, echo, close on EOF. */
static void server_app(struct fin_stack *st) {
  if (server < 0 && (server = fin_accept(st, listener, NULL)) < 0)
    return;
  char buf[256];
  ssize_t n;
  while ((n = fin_recv(st, server, buf, sizeof(buf), 0)) > 0)
    (void)fin_send(st, server, buf, (size_t)n, 0);
  if (n == 0 && !server_closed) {
    fin_close(st, server);
    fin_close(st, listener);
    server_closed = 1;
  }
}

static void client_read(struct fin_stack *st) {
  if (client < 0 || client_closed)
    return;
  ssize_t n = fin_recv(st, client, echoed + echoed_len, sizeof(echoed) - 1 - echoed_len, 0);
  if (n > 0)
    echoed_len += (size_t)n;
  if (echoed_len == strlen(msg)) {
    fin_close(st, client);
    client_closed = 1;
  }
}

/* After every step: application work, then the timer at the new deadline. */
static void after_step(struct side *s) {
  server_app(fin_runtime_stack(sides[1].rt));
  client_read(fin_runtime_stack(sides[0].rt));
  fin_time d = fin_runtime_next_deadline(s->rt), now = fin_clock_now();
  if (d == FIN_NEVER)
    uv_timer_stop(&s->timer);
  else
    uv_timer_start(&s->timer, on_fin_timer, d <= now ? 0 : (uint64_t)((d - now + 999999) / 1000000),
                   0);
  if (client_closed && server_closed && idle(sides[0].rt) && idle(sides[1].rt))
    stop_all(strcmp(msg, echoed) == 0 ? 0 : 1);
}

static void on_readable(uv_poll_t *p, int st, int events) {
  (void)st;
  (void)events;
  struct side *s = p->data;
  fin_runtime_run_once(s->rt, 0);
  after_step(s);
}

static void on_fin_timer(uv_timer_t *t) {
  struct side *s = t->data;
  fin_runtime_run_once(s->rt, 0);
  after_step(s);
}

/* The application: connect, then send once connected. Touches no timer. */
static void on_app_timer(uv_timer_t *t) {
  (void)t;
  struct fin_stack *st = fin_runtime_stack(sides[0].rt);
  if (client < 0) {
    client = fin_socket(st);
    struct fin_sockaddr dst = {.addr = SERVER_ADDR, .port = PORT};
    connected = fin_connect(st, client, &dst) == -EINPROGRESS;
    if (!connected)
      stop_all(1);
  } else if (!sent && (fin_poll(st, client) & FIN_POLLOUT)) {
    sent = fin_send(st, client, msg, strlen(msg), 0) == (ssize_t)strlen(msg);
    uv_timer_stop(&app_timer);
  }
}

static void on_watchdog(uv_timer_t *t) {
  (void)t;
  fprintf(stderr, "libuv_echo: stuck for 5 s (connected=%d sent=%d echoed=%zu)\n", connected, sent,
          echoed_len);
  stop_all(1);
}

/* Both runtimes and the listener first: nothing for libuv to undo if they fail. */
static int setup(uv_loop_t *loop, int sv[2]) {
  uint32_t addrs[2] = {CLIENT_ADDR, SERVER_ADDR};
  for (int i = 0; i < 2; i++)
    if (dgram_runtime(&sides[i].rt, &sv[i], addrs[i]) < 0)
      return -1;
  struct fin_stack *st = fin_runtime_stack(sides[1].rt);
  listener = fin_socket(st);
  struct fin_sockaddr any = {.addr = 0, .port = PORT};
  if (fin_bind(st, listener, &any) < 0 || fin_listen(st, listener, 8) < 0)
    return -1;
  for (int i = 0; i < 2; i++) {
    struct side *s = &sides[i];
    uv_poll_init(loop, &s->poll, fin_runtime_fd(s->rt));
    uv_timer_init(loop, &s->timer);
    s->poll.data = s->timer.data = s;
    uv_poll_start(&s->poll, UV_READABLE, on_readable);
  }
  uv_timer_init(loop, &app_timer);
  uv_timer_start(&app_timer, on_app_timer, 1, 5);
  uv_timer_init(loop, &watchdog);
  uv_timer_start(&watchdog, on_watchdog, 5000, 0);
  return 0;
}

int main(void) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0) {
    perror("socketpair");
    return 1;
  }
  uv_loop_t *loop = uv_default_loop();
  fin_time t0 = fin_clock_now();
  int ok = setup(loop, sv) == 0;
  if (ok)
    uv_run(loop, UV_RUN_DEFAULT);
  echoed[echoed_len] = '\0';
  printf("libuv %s, fin %s: sent \"%s\", echoed \"%s\" in %.1f ms\n", uv_version_string(),
         fin_version(), msg, echoed, (double)(fin_clock_now() - t0) / 1e6);
  if (ok) {
    for (int i = 0; i < 2; i++) {
      uv_close((uv_handle_t *)&sides[i].poll, NULL);
      uv_close((uv_handle_t *)&sides[i].timer, NULL);
    }
    uv_close((uv_handle_t *)&app_timer, NULL);
    uv_close((uv_handle_t *)&watchdog, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
  }
  uv_loop_close(loop);
  for (int i = 0; i < 2; i++)
    fin_runtime_free(sides[i].rt);
  close(sv[0]);
  close(sv[1]);
  puts(status == 0 ? "PASS" : "FAIL");
  return status;
}
