/* SPDX-License-Identifier: MIT */
/* bench_recovery: time-to-CLOSED under random loss, NewReno against
 * SACK + RACK-TLP (issue 11 item 5; docs/engine.md, Loss recovery).
 *
 * One run: a client connects, sends -b bytes (100 KB) and closes; the
 * server reads to EOF and closes. Two fin stacks in this process on virtual
 * time joined by a link of -d ms one way (10) at -r Mbit/s (10) each way,
 * whose every datagram, either way, is lost with probability p. The time
 * measured is from connect() to both ends done: the server CLOSED and the
 * client in TIME-WAIT (its 2 MSL that follows is the same in both modes and
 * left out). Each loss rate runs -s seeds (1,000) per mode; the table gives
 * the median and the 99th percentile, and the ratio NewReno / SACK+RACK-TLP.
 *
 *   bench_recovery [-s seeds] [-b bytes] [-d ms] [-r mbit]
 *
 * Every loop is bounded: a run stops after 10 minutes of virtual time or
 * 200,000 datagrams (counted as failed, and reported). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fin/fin.h"

#define QCAP          4096
#define MAX_DATAGRAMS 200000
#define TIME_LIMIT    FIN_SEC(600)

struct datagram {
  fin_time at;
  uint16_t len;
  uint8_t data[1600];
};

/* One direction of the link: FIFO (a fixed rate keeps the order). */
struct direction {
  struct datagram *q;
  uint32_t head, len;
  fin_time busy_until;
};

struct run {
  struct fin_stack *st[2]; /* 0 = client, 1 = server */
  struct direction dir[2]; /* dir[h]: datagrams from host h */
  uint64_t rng, seed[2];
  fin_time now, delay, per_byte;
  double loss;
  uint64_t datagrams;
  fin_sock listener, client, server;
  size_t to_send, sent, rcvd;
  bool client_closed, server_closed, server_done, client_tw;
};

static void *heap_alloc(void *ctx, size_t n) {
  (void)ctx;
  return malloc(n);
}

static void heap_free(void *ctx, void *p, size_t n) {
  (void)ctx;
  (void)n;
  free(p);
}

static uint64_t next_u64(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static void fill_random(void *ctx, void *buf, size_t len) {
  for (size_t i = 0; i < len; i++)
    ((uint8_t *)buf)[i] = (uint8_t)(next_u64(ctx) >> 56);
}

static void die(const char *what) {
  fprintf(stderr, "bench_recovery: %s\n", what);
  exit(1);
}

static struct fin_sockaddr addr(int h, uint16_t port) {
  return (struct fin_sockaddr){fin_addr_v4(h == 0 ? 0x0a000002u : 0x0a000001u), port, FIN_AF_INET};
}

static void setup(struct run *r, enum fin_recovery mode, uint64_t seed) {
  for (int h = 0; h < 2; h++) {
    struct fin_settings s;
    fin_settings_default(&s);
    s.local_addrs[0] = addr(h, 0).addr;
    s.local_addr_count = 1;
    s.recovery = mode;
    s.tlp = mode != FIN_RECOVERY_NEWRENO;
    s.event_mask = (1u << FIN_EV_STATE) | (1u << FIN_EV_CLOSED);
    struct fin_allocator al = {heap_alloc, heap_free, NULL};
    r->seed[h] = seed * 2 + (uint64_t)h + 1;
    struct fin_random rn = {fill_random, &r->seed[h]};
    if (fin_stack_new(&r->st[h], &s, &al, &rn, 0) != 0)
      die("fin_stack_new failed");
  }
  struct fin_sockaddr any = {fin_addr_v4(0), 80, FIN_AF_INET}, dst = addr(1, 80);
  r->listener = fin_socket(r->st[1]);
  if (fin_bind(r->st[1], r->listener, &any) != 0 || fin_listen(r->st[1], r->listener, 8) != 0)
    die("listen failed");
  r->client = fin_socket(r->st[0]);
  if (fin_connect(r->st[0], r->client, &dst) != -EINPROGRESS)
    die("connect failed");
}

static void teardown(struct run *r) {
  fin_stack_free(r->st[0]);
  fin_stack_free(r->st[1]);
}

static void client_reacts(struct run *r) {
  static const uint8_t chunk[16384];
  while (!r->client_closed && r->sent < r->to_send) {
    size_t n = r->to_send - r->sent < sizeof(chunk) ? r->to_send - r->sent : sizeof(chunk);
    ssize_t k = fin_send(r->st[0], r->client, chunk, n, 0);
    if (k <= 0)
      break;
    r->sent += (size_t)k;
  }
  if (!r->client_closed && r->sent == r->to_send) {
    fin_close(r->st[0], r->client);
    r->client_closed = true;
  }
}

static void server_reacts(struct run *r) {
  uint8_t buf[16384];
  if (r->server < 0 && (r->server = fin_accept(r->st[1], r->listener, NULL)) < 0)
    return;
  for (int i = 0; i < 64 && !r->server_closed; i++) {
    ssize_t k = fin_recv(r->st[1], r->server, buf, sizeof(buf), 0);
    if (k > 0) {
      r->rcvd += (size_t)k;
      continue;
    }
    if (k == 0 || (k < 0 && k != -EAGAIN)) {
      fin_close(r->st[1], r->server);
      r->server_closed = true;
    }
    break;
  }
}

/* The ends this benchmark waits for: the server's CLOSED, the client's
 * TIME-WAIT. */
static void drain_events(struct run *r) {
  struct fin_event ev;
  for (int n = 0; n < 256 && fin_stack_poll_event(r->st[0], &ev); n++)
    if (ev.type == FIN_EV_STATE && ev.to == FIN_TIME_WAIT)
      r->client_tw = true;
  for (int n = 0; n < 256 && fin_stack_poll_event(r->st[1], &ev); n++)
    if (ev.type == FIN_EV_CLOSED)
      r->server_done = true;
}

/* Everything host h has to send now goes on its link (or is lost). */
static void transmit(struct run *r, int h) {
  struct direction *d = &r->dir[h];
  for (int i = 0; i < 4096; i++) {
    uint8_t buf[1600];
    size_t n = fin_stack_output(r->st[h], buf, sizeof(buf), r->now);
    if (n == 0)
      return;
    r->datagrams++;
    fin_time depart = d->busy_until > r->now ? d->busy_until : r->now;
    d->busy_until = depart + (fin_time)n * r->per_byte;
    if ((double)(next_u64(&r->rng) >> 11) / 9007199254740992.0 < r->loss || d->len == QCAP)
      continue;
    struct datagram *g = &d->q[(d->head + d->len++) % QCAP];
    g->at = d->busy_until + r->delay;
    g->len = (uint16_t)n;
    memcpy(g->data, buf, n);
  }
}

static fin_time next_time(const struct run *r) {
  fin_time t = FIN_NEVER;
  for (int h = 0; h < 2; h++) {
    const struct direction *d = &r->dir[h];
    if (d->len > 0 && d->q[d->head].at < t)
      t = d->q[d->head].at;
    fin_time dl = fin_stack_next_deadline(r->st[h]);
    if (dl < t)
      t = dl;
  }
  return t;
}

/* One run; returns the time to both ends done, or -1. */
static fin_time one_run(enum fin_recovery mode, uint64_t seed, double loss, size_t bytes,
                        fin_time delay, fin_time per_byte, struct direction dirs[2]) {
  struct run r;
  memset(&r, 0, sizeof(r));
  r.dir[0] = dirs[0];
  r.dir[1] = dirs[1];
  for (int h = 0; h < 2; h++)
    r.dir[h].head = r.dir[h].len = 0, r.dir[h].busy_until = 0;
  r.rng = seed * 0x9e3779b97f4a7c15ull + 12345;
  r.loss = loss;
  r.delay = delay;
  r.per_byte = per_byte;
  r.to_send = bytes;
  r.server = -1;
  setup(&r, mode, seed);
  fin_time result = -1;
  while (r.now < TIME_LIMIT && r.datagrams < MAX_DATAGRAMS) {
    client_reacts(&r);
    server_reacts(&r);
    transmit(&r, 0);
    transmit(&r, 1);
    drain_events(&r);
    if (r.server_done && r.client_tw) {
      result = r.now;
      break;
    }
    fin_time t = next_time(&r);
    if (t == FIN_NEVER)
      break;
    r.now = t > r.now ? t : r.now;
    for (int h = 0; h < 2; h++) {
      struct direction *d = &r.dir[h];
      while (d->len > 0 && d->q[d->head].at <= r.now) {
        struct datagram *g = &d->q[d->head];
        fin_stack_input(r.st[1 - h], g->data, g->len, r.now);
        d->head = (d->head + 1) % QCAP;
        d->len--;
      }
      fin_stack_on_timers(r.st[h], r.now);
    }
  }
  if (result >= 0 && r.rcvd != bytes)
    result = -1;
  teardown(&r);
  return result;
}

static int cmp_time(const void *a, const void *b) {
  fin_time x = *(const fin_time *)a, y = *(const fin_time *)b;
  return x < y ? -1 : x > y;
}

struct stats {
  double median_ms, p99_ms;
  unsigned failed;
};

static struct stats measure(enum fin_recovery mode, double loss, unsigned seeds, size_t bytes,
                            fin_time delay, fin_time per_byte, struct direction dirs[2]) {
  fin_time *t = calloc(seeds, sizeof(*t));
  if (t == NULL)
    die("out of memory");
  struct stats s = {0, 0, 0};
  unsigned n = 0;
  for (unsigned i = 0; i < seeds; i++) {
    fin_time v = one_run(mode, i + 1, loss, bytes, delay, per_byte, dirs);
    if (v < 0)
      s.failed++;
    else
      t[n++] = v;
  }
  if (n > 0) {
    qsort(t, n, sizeof(*t), cmp_time);
    s.median_ms = (double)t[(n - 1) / 2] / 1e6;
    s.p99_ms = (double)t[(size_t)((n - 1) * 99 / 100)] / 1e6;
  }
  free(t);
  return s;
}

int main(int argc, char **argv) {
  unsigned seeds = 1000;
  size_t bytes = 100000;
  long delay_ms = 10, mbit = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "-s") == 0)
      seeds = (unsigned)atol(argv[i + 1]);
    else if (strcmp(argv[i], "-b") == 0)
      bytes = (size_t)atol(argv[i + 1]);
    else if (strcmp(argv[i], "-d") == 0)
      delay_ms = atol(argv[i + 1]);
    else if (strcmp(argv[i], "-r") == 0)
      mbit = atol(argv[i + 1]);
    else
      die("usage: bench_recovery [-s seeds] [-b bytes] [-d ms] [-r mbit]");
  }
  if (seeds == 0 || mbit <= 0 || delay_ms < 0)
    die("bad arguments");
  struct direction dirs[2];
  for (int h = 0; h < 2; h++) {
    dirs[h].q = malloc(QCAP * sizeof(struct datagram));
    if (dirs[h].q == NULL)
      die("out of memory");
  }
  fin_time per_byte = 8000 / mbit; /* ns per byte at mbit Mbit/s */
  printf("time to CLOSED: %zu bytes then close, %ld ms one way, %ld Mbit/s, random loss both "
         "ways, %u seeds\n",
         bytes, delay_ms, mbit, seeds);
  printf("%-6s | %-21s | %-21s | %-15s\n", "", "NewReno", "SACK+RACK-TLP", "ratio NR/RACK");
  printf("%-6s | %10s %10s | %10s %10s | %7s %7s\n", "loss", "median ms", "p99 ms", "median ms",
         "p99 ms", "median", "p99");
  const double rates[] = {0.01, 0.05, 0.10};
  unsigned failed = 0;
  for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
    struct stats a =
        measure(FIN_RECOVERY_NEWRENO, rates[i], seeds, bytes, FIN_MS(delay_ms), per_byte, dirs);
    struct stats b =
        measure(FIN_RECOVERY_SACK_RACK, rates[i], seeds, bytes, FIN_MS(delay_ms), per_byte, dirs);
    printf("%4.0f %% | %10.1f %10.1f | %10.1f %10.1f | %7.2f %7.2f\n", rates[i] * 100, a.median_ms,
           a.p99_ms, b.median_ms, b.p99_ms, b.median_ms > 0 ? a.median_ms / b.median_ms : 0,
           b.p99_ms > 0 ? a.p99_ms / b.p99_ms : 0);
    failed += a.failed + b.failed;
  }
  printf("runs that did not complete: %u\n", failed);
  free(dirs[0].q);
  free(dirs[1].q);
  return failed == 0 ? 0 : 1;
}
