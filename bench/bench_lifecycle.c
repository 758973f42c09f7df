/* SPDX-License-Identifier: MIT */
/* bench_lifecycle: the "lifecycle" workload of ../shared/bench-anchors on
 * fin's public API, so fin's figures sit beside lean lwIP's and Linux's in
 * one table (scripts/bench-anchors.sh; issue 14).
 *
 * One lifecycle: the client connects, sends 64 B, the server answers 64 B,
 * the client closes first, the server closes on EOF, the client ends in
 * TIME-WAIT. Two stacks back to back in this process on virtual time; one
 * buffer is the wire (what one stack outputs is the other's input). Each
 * application reacts after every datagram it receives, before the next
 * output - as lwIP's callbacks do - so the handshake's ACK carries the
 * request, the reply carries the ACK and the FINs carry ACKs: 7 segments.
 *
 * Virtual time stands still inside a lifecycle and moves -d ns after it;
 * due timers run then, so about 2*MSL/d TIME-WAIT records are held (MSL
 * 30 s: -d 600000000 -> 100, 6000000 -> 10 k, 60000 -> 1 M). -k K
 * listeners on ports 80.., lifecycle i on 80 + i % K: with K coprime to
 * the 64,512 ephemeral ports a 4-tuple comes back only every K * 64,512
 * lifecycles (what 1 M records need).
 *
 * -w W lifecycles warm up, then -R R windows of -n N are measured (wall
 * rate per window, the median and range printed). Under callgrind with
 * --instr-atstart=no only the measured windows are counted, so
 * (Ir(2N) - Ir(N)) / N is one steady-state lifecycle.
 *
 *   bench_lifecycle [-n N] [-w W] [-R R] [-d ns] [-k K] [-r] [-e none|default|all]
 *                   [-t tw_cap] [-T] [-m] [-6]
 *   -r  RST close: the client sets SO_LINGER {1,0} before close()
 *   -e  event mask; with events the applications drain them after every datagram
 *   -T  print the segments of the first lifecycle
 *   -m  MSS only: no timestamps, window scaling or SACK (what lean lwIP sends)
 *   -6  IPv6 (fd00::2 -> fd00::1) instead of IPv4 (10.0.0.2 -> 10.0.0.1)
 * Output: "key value" lines (the keys bench-anchors' tools read). Every
 * loop is bounded: a lifecycle that needs more than 64 datagrams fails. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "fin/fin.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

#define MAX_PORTS   64
#define MAX_WINDOWS 64
#define MAX_HOPS    64
#define MSG_LEN     64

struct options {
  long lifecycles, warmup, windows;
  fin_time step;
  int ports;
  bool rst, trace, mss_only, ipv6;
  uint32_t events, tw_cap;
};

struct bench {
  const struct options *o;
  struct fin_stack *st[2]; /* 0 = client, 1 = server */
  uint64_t seed[2];
  fin_time now;
  fin_sock listener[MAX_PORTS];
  uint64_t datagrams, wire_bytes, events;
  uint8_t wire[2048];
};

/* One lifecycle's two applications. */
struct exchange {
  fin_sock client, server;
  int port;
  bool asked, client_closed, answered, server_closed;
};

static const char message[MSG_LEN] =
    "a 64-byte request or reply, as in the bench-anchors workload..";

static void *heap_alloc(void *ctx, size_t n) {
  (void)ctx;
  return malloc(n);
}

static void heap_free(void *ctx, void *p, size_t n) {
  (void)ctx;
  (void)n;
  free(p);
}

static void lcg_bytes(void *ctx, void *buf, size_t len) {
  uint64_t *s = ctx;
  for (size_t i = 0; i < len; i++) {
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    ((uint8_t *)buf)[i] = (uint8_t)(*s >> 56);
  }
}

static double wall_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "bench_lifecycle: %s\n", what);
  exit(1);
}

/* Host 0 is the client (.2 / ::2), host 1 the server (.1 / ::1). */
static struct fin_sockaddr host(const struct options *o, int h, uint16_t port) {
  if (!o->ipv6)
    return (struct fin_sockaddr){fin_addr_v4(h == 0 ? 0x0a000002u : 0x0a000001u), port,
                                 FIN_AF_INET};
  uint8_t b[16] = {0xfd};
  b[15] = h == 0 ? 2 : 1;
  return (struct fin_sockaddr){fin_addr_v6(b), port, FIN_AF_INET6};
}

static void drain_events(struct bench *b) {
  struct fin_event ev;
  for (int i = 0; i < 2; i++)
    for (int n = 0; n < 256 && fin_stack_poll_event(b->st[i], &ev); n++)
      b->events++;
}

static void client_reacts(struct bench *b, struct exchange *x) {
  struct fin_stack *st = b->st[0];
  char in[2 * MSG_LEN];
  if (!x->asked) {
    x->asked = fin_send(st, x->client, message, MSG_LEN, 0) == MSG_LEN;
    return;
  }
  if (x->client_closed || fin_recv(st, x->client, in, sizeof(in), 0) != MSG_LEN)
    return;
  if (b->o->rst) {
    struct fin_linger abort_on_close = {1, 0};
    fin_setsockopt(st, x->client, FIN_SO_LINGER, &abort_on_close, sizeof(abort_on_close));
  }
  fin_close(st, x->client);
  x->client_closed = true;
}

static void server_reacts(struct bench *b, struct exchange *x) {
  struct fin_stack *st = b->st[1];
  char in[2 * MSG_LEN];
  if (x->server < 0 && (x->server = fin_accept(st, b->listener[x->port], NULL)) < 0)
    return;
  if (x->server_closed)
    return;
  ssize_t r = fin_recv(st, x->server, in, sizeof(in), 0);
  if (!x->answered && r == MSG_LEN) {
    fin_send(st, x->server, message, MSG_LEN, 0);
    x->answered = true;
    r = fin_recv(st, x->server, in, sizeof(in), 0);
  }
  if (x->answered && (r == 0 || r == -ECONNRESET)) {
    fin_close(st, x->server);
    x->server_closed = true;
  }
}

static void print_segment(const struct options *o, const uint8_t *d, size_t n, int from) {
  size_t ip = o->ipv6 ? 40 : (size_t)(d[0] & 15) * 4;
  const uint8_t *t = d + ip;
  size_t hdr = (size_t)(t[12] >> 4) * 4;
  uint8_t f = t[13];
  printf("  %s %s%s%s%s%slen=%zu payload=%zu opts=%zu\n", from == 0 ? "cli->srv" : "srv->cli",
         f & 0x02 ? "SYN " : "", f & 0x01 ? "FIN " : "", f & 0x04 ? "RST " : "",
         f & 0x10 ? "ACK " : "", f & 0x08 ? "PSH " : "", n, n - ip - hdr, hdr - 20);
}

/* Moves datagrams until neither stack has one to send; the receiving
 * side's application (if any) reacts after each. */
static void pump(struct bench *b, struct exchange *x, bool trace) {
  for (int hop = 0; hop < MAX_HOPS; hop++) {
    int from = 0;
    size_t n = fin_stack_output(b->st[0], b->wire, sizeof(b->wire), b->now);
    if (n == 0 && (n = fin_stack_output(b->st[1], b->wire, sizeof(b->wire), b->now)) > 0)
      from = 1;
    if (n == 0)
      return;
    if (trace)
      print_segment(b->o, b->wire, n, from);
    b->datagrams++;
    b->wire_bytes += n;
    fin_stack_input(b->st[1 - from], b->wire, n, b->now);
    if (x != NULL) {
      if (from == 0)
        server_reacts(b, x);
      else
        client_reacts(b, x);
    }
    if (b->o->events)
      drain_events(b);
  }
  die("a lifecycle needed more than 64 datagrams");
}

static void lifecycle(struct bench *b, long i, bool trace) {
  struct exchange x = {
      .client = fin_socket(b->st[0]), .server = -1, .port = (int)(i % b->o->ports)};
  struct fin_sockaddr dst = host(b->o, 1, (uint16_t)(80 + x.port));
  if (fin_connect(b->st[0], x.client, &dst) != -EINPROGRESS)
    die("connect did not start");
  pump(b, &x, trace);
  if (!x.client_closed || !x.server_closed)
    die("a lifecycle did not finish");
  b->now += b->o->step;
  for (int h = 0; h < 2; h++)
    if (fin_stack_next_deadline(b->st[h]) <= b->now)
      fin_stack_on_timers(b->st[h], b->now);
  pump(b, NULL, false);
}

static void setup(struct bench *b, const struct options *o) {
  memset(b, 0, sizeof(*b));
  b->o = o;
  b->now = FIN_SEC(1);
  for (int h = 0; h < 2; h++) {
    struct fin_settings s;
    fin_settings_default(&s);
    s.local_addrs[0] = host(o, h, 0).addr;
    s.local_addr_count = 1;
    s.event_mask = o->events;
    s.max_time_wait = o->tw_cap;
    s.ephemeral_port_min = 1024;
    s.ephemeral_port_max = 65535;
    if (o->mss_only) {
      s.timestamps = false;
      s.window_scaling = false;
      s.sack_permitted = false;
    }
    struct fin_allocator al = {heap_alloc, heap_free, NULL};
    b->seed[h] = 1 + (uint64_t)h;
    struct fin_random rn = {lcg_bytes, &b->seed[h]};
    if (fin_stack_new(&b->st[h], &s, &al, &rn, b->now) != 0)
      die("fin_stack_new failed");
  }
  for (int k = 0; k < o->ports; k++) {
    b->listener[k] = fin_socket(b->st[1]);
    struct fin_sockaddr any = host(o, 1, (uint16_t)(80 + k));
    any.addr = o->ipv6 ? fin_addr_v6((const uint8_t[16]){0}) : fin_addr_v4(0);
    if (fin_bind(b->st[1], b->listener[k], &any) != 0 ||
        fin_listen(b->st[1], b->listener[k], 128) != 0)
      die("listen failed");
  }
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static uint32_t event_mask(const char *s) {
  if (strcmp(s, "default") == 0)
    return FIN_EVENTS_DEFAULT;
  if (strcmp(s, "all") == 0)
    return FIN_EVENTS_ALL;
  if (strcmp(s, "none") == 0)
    return 0;
  fprintf(stderr, "bench_lifecycle: -e takes none, default or all, not '%s'\n", s);
  exit(2);
}

static void usage(void) {
  fprintf(stderr, "usage: bench_lifecycle [-n N] [-w W] [-R R] [-d ns] [-k K] [-r] "
                  "[-e none|default|all] [-t tw_cap] [-T] [-m] [-6]\n");
  exit(2);
}

static void report(const struct bench *b, double *rate, long measured, uint64_t d0, uint64_t w0,
                   uint64_t e0, size_t mem0) {
  const struct options *o = b->o;
  double sorted[MAX_WINDOWS];
  memcpy(sorted, rate, sizeof(double) * (size_t)o->windows);
  qsort(sorted, (size_t)o->windows, sizeof(double), by_value);
  size_t tw = fin_stack_time_wait_count(b->st[0]);
  size_t mem = fin_stack_memory_in_use(b->st[0]);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("fin: %s dt=%lld ns K=%d rst=%d events=0x%x minopts=%d warmup=%ld measured=%ld x %ld\n",
         o->ipv6 ? "IPv6" : "IPv4", (long long)o->step, o->ports, o->rst, o->events, o->mss_only,
         o->warmup, o->lifecycles, o->windows);
  printf("rate_per_window:");
  for (long r = 0; r < o->windows; r++)
    printf(" %.0f", rate[r]);
  printf("\nrate_median %.0f\nrate_min %.0f\nrate_max %.0f\n", sorted[o->windows / 2], sorted[0],
         sorted[o->windows - 1]);
  printf("segments_per_lifecycle %.3f\nwire_bytes_per_lifecycle %.1f\nevents_per_lifecycle %.2f\n",
         (double)(b->datagrams - d0) / (double)measured,
         (double)(b->wire_bytes - w0) / (double)measured,
         (double)(b->events - e0) / (double)measured);
  printf("time_wait_records %zu\nclient_conns %zu\nserver_conns %zu\n", tw,
         fin_stack_conn_count(b->st[0]), fin_stack_conn_count(b->st[1]));
  printf("client_stack_bytes %zu\nclient_stack_bytes_at_start %zu\nserver_stack_bytes %zu\n", mem,
         mem0, fin_stack_memory_in_use(b->st[1]));
  printf("bytes_per_tw_record_incl_tables %.1f\n", tw ? (double)(mem - mem0) / (double)tw : 0.0);
  printf("tcb_size %zu\ntw_record_size %zu\n", fin_tcb_size(),
         o->ipv6 ? fin_time_wait_record_size_v6() : fin_time_wait_record_size());
  const struct fin_counters *c = fin_stack_counters(b->st[0]), *s = fin_stack_counters(b->st[1]);
  printf("counters: out_segs %llu/%llu retrans %llu/%llu tw_recycled %llu tw_overflow %llu\n",
         (unsigned long long)c->out_segs, (unsigned long long)s->out_segs,
         (unsigned long long)c->retrans_segs, (unsigned long long)s->retrans_segs,
         (unsigned long long)c->tw_recycled, (unsigned long long)c->tw_overflow);
  printf("peak_rss_kb %ld\n", ru.ru_maxrss);
}

int main(int argc, char **argv) {
  struct options o = {.lifecycles = 20000,
                      .warmup = 2000,
                      .windows = 1,
                      .step = FIN_MS(600),
                      .ports = 1,
                      .tw_cap = 1u << 22};
  int opt;
  while ((opt = getopt(argc, argv, "n:w:R:d:k:re:t:Tm6h")) != -1) {
    switch (opt) {
    case 'n':
      o.lifecycles = atol(optarg);
      break;
    case 'w':
      o.warmup = atol(optarg);
      break;
    case 'R':
      o.windows = atol(optarg);
      break;
    case 'd':
      o.step = (fin_time)atoll(optarg);
      break;
    case 'k':
      o.ports = atoi(optarg);
      break;
    case 'r':
      o.rst = true;
      break;
    case 'e':
      o.events = event_mask(optarg);
      break;
    case 't':
      o.tw_cap = (uint32_t)strtoul(optarg, NULL, 10);
      break;
    case 'T':
      o.trace = true;
      break;
    case 'm':
      o.mss_only = true;
      break;
    case '6':
      o.ipv6 = true;
      break;
    default:
      usage();
    }
  }
  if (optind != argc || o.ports < 1 || o.ports > MAX_PORTS || o.lifecycles < 1 || o.windows < 1 ||
      o.windows > MAX_WINDOWS || o.warmup < 0 || o.step <= 0)
    usage();
  struct bench *b = malloc(sizeof(*b));
  if (b == NULL)
    die("out of memory");
  setup(b, &o);
  size_t mem0 = fin_stack_memory_in_use(b->st[0]);
  long i = 0;
  if (o.trace) {
    printf("trace of lifecycle 0:\n");
    lifecycle(b, i++, true);
  }
  for (; i < o.warmup; i++)
    lifecycle(b, i, false);
  double rate[MAX_WINDOWS];
  uint64_t d0 = b->datagrams, w0 = b->wire_bytes, e0 = b->events;
  for (long r = 0; r < o.windows; r++) {
    CALLGRIND_START_INSTRUMENTATION;
    double t0 = wall_seconds();
    for (long j = 0; j < o.lifecycles; j++, i++)
      lifecycle(b, i, false);
    double t1 = wall_seconds();
    CALLGRIND_STOP_INSTRUMENTATION;
    rate[r] = (double)o.lifecycles / (t1 - t0);
  }
  report(b, rate, o.lifecycles * o.windows, d0, w0, e0, mem0);
  fin_stack_free(b->st[0]);
  fin_stack_free(b->st[1]);
  free(b);
  return 0;
}
