/* SPDX-License-Identifier: MIT */
/* In-memory echo: two fin stacks in one process and no network at all. The
 * "wire" is a queue in this file with a 5 ms one-way delay, and time is
 * virtual, so the run is instant and the same every time.
 *
 * It follows the engine loop of docs/runtime.md literally: whenever a
 * stack's fin_stack_next_deadline() is due, run its timers and drain its
 * output; then sleep (here: jump the virtual clock) until the earliest
 * deadline or datagram. Socket calls need nothing else: a call that queues
 * a segment makes the deadline due at once.
 *
 * Build against an installed fin: cc echo_memory.c $(pkg-config --cflags --libs fin) */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fin/fin.h"

#define CLIENT_ADDR 0x0a000001u /* 10.0.0.1 */
#define SERVER_ADDR 0x0a000002u /* 10.0.0.2 */
#define PORT        7
#define DELAY       FIN_MS(5)
#define MAX_STEPS   100000

struct datagram {
  uint8_t data[2048];
  size_t len;
  int to;
  fin_time at;
};

struct host {
  const char *name;
  struct fin_stack *st;
  struct fin_allocator alloc;
  char path[256]; /* the states its connection went through */
};

static struct datagram wire[256];
static size_t wire_len;
static fin_time now;

static int host_new(struct host *h, const char *name, uint32_t addr) {
  struct fin_settings s;
  fin_settings_default(&s);
  s.local_addrs[0] = addr;
  s.local_addr_count = 1;
  s.msl = FIN_SEC(1); /* a short TIME-WAIT (2 MSL): virtual time, but a shorter printout */
  struct fin_random rnd;
  fin_random_default(&rnd);
  h->name = name;
  h->path[0] = '\0';
  int r = fin_allocator_default(&h->alloc);
  return r < 0 ? r : fin_stack_new(&h->st, &s, &h->alloc, &rnd, now);
}

static void host_free(struct host *h) {
  fin_stack_free(h->st);
  fin_allocator_default_free(&h->alloc);
}

static void send_datagram(int to, const uint8_t *buf, size_t len) {
  if (wire_len == sizeof(wire) / sizeof(wire[0]) || len > sizeof(wire[0].data))
    return; /* a full queue loses the datagram; TCP retransmits */
  struct datagram *d = &wire[wire_len++];
  memcpy(d->data, buf, len);
  d->len = len;
  d->to = to;
  d->at = now + DELAY;
}

/* The engine loop: a due deadline means "run timers AND drain output". */
static void service(struct host *hosts, int i) {
  struct fin_stack *st = hosts[i].st;
  if (fin_stack_next_deadline(st) > now)
    return;
  fin_stack_on_timers(st, now);
  uint8_t buf[2048];
  size_t n;
  while ((n = fin_stack_output(st, buf, sizeof(buf), now)) > 0)
    send_datagram(1 - i, buf, n);
}

/* Events are queued by every call (input, timers, socket calls): read them
 * each time round, not only when a deadline was due. */
static void read_events(struct host *h) {
  struct fin_event ev;
  while (fin_stack_poll_event(h->st, &ev) == 1)
    if (ev.type == FIN_EV_STATE) {
      size_t used = strlen(h->path);
      snprintf(h->path + used, sizeof(h->path) - used, "%s%s", used ? " > " : "",
               fin_state_name(ev.to));
    }
}

static void deliver_due(struct host *hosts) {
  size_t i = 0;
  while (i < wire_len) {
    if (wire[i].at > now) {
      i++;
      continue;
    }
    struct datagram d = wire[i];
    memmove(&wire[i], &wire[i + 1], (wire_len - i - 1) * sizeof(wire[0]));
    wire_len--;
    fin_stack_input(hosts[d.to].st, d.data, d.len, now);
  }
}

static fin_time next_time(const struct host *hosts) {
  fin_time t = FIN_NEVER;
  for (size_t i = 0; i < wire_len; i++)
    if (wire[i].at < t)
      t = wire[i].at;
  for (int i = 0; i < 2; i++) {
    fin_time d = fin_stack_next_deadline(hosts[i].st);
    if (d < t)
      t = d;
  }
  return t;
}

/* The applications: non-blocking socket calls, as from any event loop. */
struct apps {
  fin_sock listener, server, client;
  const char *msg;
  char echoed[64];
  size_t echoed_len;
  int sent, client_closed, server_closed;
};

static void server_app(struct fin_stack *st, struct apps *a) {
  if (a->server < 0) {
    a->server = fin_accept(st, a->listener, NULL);
    if (a->server < 0)
      return;
  }
  char buf[256];
  ssize_t n;
  while ((n = fin_recv(st, a->server, buf, sizeof(buf), 0)) > 0)
    (void)fin_send(st, a->server, buf, (size_t)n, 0); /* the echo */
  if (n == 0 && !a->server_closed) {                  /* EOF: the client closed first */
    fin_close(st, a->server);
    fin_close(st, a->listener);
    a->server_closed = 1;
  }
}

static void client_app(struct fin_stack *st, struct apps *a) {
  if (!a->sent && (fin_poll(st, a->client) & FIN_POLLOUT)) {
    a->sent = fin_send(st, a->client, a->msg, strlen(a->msg), 0) == (ssize_t)strlen(a->msg);
    return;
  }
  ssize_t n =
      fin_recv(st, a->client, a->echoed + a->echoed_len, sizeof(a->echoed) - 1 - a->echoed_len, 0);
  if (n > 0)
    a->echoed_len += (size_t)n;
  if (a->echoed_len == strlen(a->msg) && !a->client_closed) {
    fin_close(st, a->client); /* active close: the client goes through TIME-WAIT */
    a->client_closed = 1;
  }
}

static int run(struct host *h) {
  struct apps a = {.server = -1, .msg = "hello, fin"};
  a.listener = fin_socket(h[1].st);
  struct fin_sockaddr any = {.addr = 0, .port = PORT};
  if (fin_bind(h[1].st, a.listener, &any) < 0 || fin_listen(h[1].st, a.listener, 8) < 0)
    return 1;
  a.client = fin_socket(h[0].st);
  struct fin_sockaddr dst = {.addr = SERVER_ADDR, .port = PORT};
  int r = fin_connect(h[0].st, a.client, &dst);
  if (r != -EINPROGRESS) {
    fprintf(stderr, "connect: %s\n", fin_strerror(r));
    return 1;
  }
  for (int step = 0; step < MAX_STEPS; step++) {
    deliver_due(h);
    server_app(h[1].st, &a);
    client_app(h[0].st, &a);
    service(h, 0);
    service(h, 1);
    read_events(&h[0]);
    read_events(&h[1]);
    fin_time t = next_time(h);
    if (t == FIN_NEVER)
      break; /* nothing left to happen: both stacks are idle */
    if (t > now)
      now = t;
  }
  a.echoed[a.echoed_len] = '\0';
  printf("sent     \"%s\"\nechoed   \"%s\"\n", a.msg, a.echoed);
  for (int i = 0; i < 2; i++)
    printf("%-8s %s\n", h[i].name, h[i].path);
  printf("finished at t=%.3f s (virtual)\n", (double)now / 1e9);
  int left = (int)(fin_stack_conn_count(h[0].st) + fin_stack_conn_count(h[1].st) +
                   fin_stack_time_wait_count(h[0].st) + fin_stack_time_wait_count(h[1].st));
  return strcmp(a.msg, a.echoed) == 0 && left == 0 ? 0 : 1;
}

int main(void) {
  struct host h[2];
  if (host_new(&h[0], "client", CLIENT_ADDR) < 0 || host_new(&h[1], "server", SERVER_ADDR) < 0) {
    fprintf(stderr, "echo_memory: cannot create the stacks\n");
    return 1;
  }
  printf("fin %s: two stacks, one in-memory wire\n", fin_version());
  int status = run(h);
  host_free(&h[0]);
  host_free(&h[1]);
  puts(status == 0 ? "PASS" : "FAIL");
  return status;
}
