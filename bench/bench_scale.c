/* SPDX-License-Identifier: MIT */
/* bench_scale: many connections in one process (DESIGN "data structures
 * that must scale"). Two fin stacks back to back open N connections
 * (default 1,000,000; at most 1,032,192), hold them, then close them all (client first) and
 * let TIME-WAIT expire. Prints the rate of each phase and the memory per
 * established connection and per TIME-WAIT record, as the stacks' own
 * allocators count it. Usage: bench_scale [N] [--ipv6] [--busy BYTES]
 * (IPv6: client fd00::100-103, server fd00::2; IPv4: 10.0.1.0-3 and
 * 10.0.0.2). --busy: once open, every client sends BYTES that the server
 * holds unread, and the memory per connection is printed again (issue 14:
 * "100 k busy connections with 16 KiB in flight each fit in memory"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fin/fin.h"

static void *b_alloc(void *ctx, size_t n) {
  (void)ctx;
  return malloc(n);
}
static void b_free(void *ctx, void *p, size_t n) {
  (void)ctx;
  (void)n;
  free(p);
}
static void b_rand(void *ctx, void *buf, size_t len) {
  uint64_t *s = ctx;
  for (size_t i = 0; i < len; i++) {
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    ((uint8_t *)buf)[i] = (uint8_t)(*s >> 56);
  }
}
static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool ipv6;

/* Client address a (0..3) or the server's (a = -1) of the family under test. */
static struct fin_addr addr_of(int a) {
  if (!ipv6)
    return fin_addr_v4(a < 0 ? 0x0a000002u : 0x0a000100u + (uint32_t)a);
  uint8_t b[16] = {0xfd, 0x00};
  b[14] = a < 0 ? 0 : 1;
  b[15] = (uint8_t)(a < 0 ? 2 : a);
  return fin_addr_v6(b);
}

struct world {
  struct fin_stack *st[2];
  uint64_t seed[2];
  fin_time now;
};

static void pump(struct world *w) {
  uint8_t buf[2048];
  for (int moved = 1; moved;) {
    moved = 0;
    for (int i = 0; i < 2; i++) {
      size_t n;
      while ((n = fin_stack_output(w->st[i], buf, sizeof(buf), w->now)) > 0) {
        fin_stack_input(w->st[1 - i], buf, n, w->now);
        moved = 1;
      }
    }
  }
}

static void open_world(struct world *w, uint32_t n) {
  memset(w, 0, sizeof(*w));
  w->now = FIN_SEC(1);
  for (int i = 0; i < 2; i++) {
    struct fin_settings s;
    fin_settings_default(&s);
    /* The client spreads over 4 addresses: 1M 4-tuples need more than one
     * address's ephemeral ports towards a single server port. */
    s.local_addr_count = i == 0 ? 4 : 1;
    for (unsigned a = 0; a < s.local_addr_count; a++)
      s.local_addrs[a] = addr_of(i == 0 ? (int)a : -1);
    s.ephemeral_port_min = 1024;
    s.ephemeral_port_max = 65535;
    s.event_mask = 0;
    s.max_connections = 2 * n + 16;
    s.max_time_wait = n + 16;
    s.max_orphans = n + 16;
    struct fin_allocator a = {b_alloc, b_free, NULL};
    w->seed[i] = 7 + (uint64_t)i;
    struct fin_random r = {b_rand, &w->seed[i]};
    if (fin_stack_new(&w->st[i], &s, &a, &r, w->now) != 0)
      exit(1);
  }
}

static int usage(const char *bad) {
  fprintf(stderr,
          "bench_scale: %s\nusage: bench_scale [N] [--ipv6] [--busy BYTES]\n"
          "  N        connections per side, 1..1032192 (default 1000000)\n"
          "  --ipv6   over IPv6 (default IPv4)\n"
          "  --busy   each client sends BYTES (1..65536) the server holds unread\n",
          bad);
  return 2;
}

/* A whole decimal number in [lo, hi], or false. */
static bool parse_count(const char *s, unsigned long lo, unsigned long hi, uint32_t *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < lo || v > hi)
    return false;
  *out = (uint32_t)v;
  return true;
}

/* --busy: every client sends `bytes`; the server reads none of it. */
static void make_busy(struct world *w, const fin_sock *c, uint32_t n, uint32_t bytes) {
  static uint8_t data[65536];
  memset(data, 'b', sizeof(data));
  for (uint32_t i = 0; i < n; i++) {
    if (fin_send(w->st[0], c[i], data, bytes, 0) != (ssize_t)bytes) {
      fprintf(stderr, "send on connection %u did not take %u bytes\n", i, bytes);
      exit(1);
    }
    if (i % 256 == 255 || i == n - 1)
      pump(w);
  }
}

/* Reads what --busy left, so the close phase is the usual graceful one. */
static void drain(struct world *w, const fin_sock *s, uint32_t n) {
  static uint8_t sink[65536];
  for (uint32_t i = 0; i < n; i++) {
    while (fin_recv(w->st[1], s[i], sink, sizeof(sink), 0) > 0)
      ;
    if (i % 256 == 255 || i == n - 1)
      pump(w);
  }
}

int main(int argc, char **argv) {
  uint32_t n = 1000000, busy = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--ipv6") == 0)
      ipv6 = true;
    else if (strcmp(argv[i], "--busy") == 0) {
      if (i + 1 >= argc || !parse_count(argv[i + 1], 1, 65536, &busy))
        return usage("--busy needs a byte count from 1 to 65536");
      i++;
    } else if (!parse_count(argv[i], 1, 1032192, &n))
      return usage(argv[i][0] == '-' ? "unknown option" : "N must be 1..1032192");
  }
  enum fin_family fam = ipv6 ? FIN_AF_INET6 : FIN_AF_INET;
  struct fin_addr any = ipv6 ? fin_addr_any6() : fin_addr_v4(0);
  printf("%s, %u connections\n", ipv6 ? "IPv6" : "IPv4", n);
  struct world w;
  open_world(&w, n);
  /* 4 client addresses x 64,512 ports x 4 server ports: 1M+ 4-tuples. */
  fin_sock ls[4];
  for (int k = 0; k < 4; k++) {
    ls[k] = fin_socket(w.st[1]);
    fin_bind(w.st[1], ls[k], &(struct fin_sockaddr){any, (uint16_t)(80 + k), fam});
    fin_listen(w.st[1], ls[k], 1 << 30);
  }
  fin_sock *c = malloc(n * sizeof(*c)), *s = malloc(n * sizeof(*s));
  size_t base[2] = {fin_stack_memory_in_use(w.st[0]), fin_stack_memory_in_use(w.st[1])};
  double t0 = now_s();
  uint32_t accepted = 0;
  for (uint32_t i = 0; i < n; i++) {
    c[i] = fin_socket(w.st[0]);
    /* Explicit source address and port (distinct 4-tuples). */
    struct fin_sockaddr src = {addr_of((int)(i % 4)), (uint16_t)(1024 + (i / 4) % 64512), fam};
    fin_bind(w.st[0], c[i], &src);
    uint16_t dport = (uint16_t)(80 + i / (4u * 64512u));
    if (fin_connect(w.st[0], c[i], &(struct fin_sockaddr){addr_of(-1), dport, fam}) !=
        -EINPROGRESS) {
      fprintf(stderr, "connect %u failed\n", i);
      return 1;
    }
    if (i % 256 == 255 || i == n - 1) {
      pump(&w);
      for (int k = 0; k < 4; k++)
        for (fin_sock a; accepted < n && (a = fin_accept(w.st[1], ls[k], NULL)) >= 0;)
          s[accepted++] = a;
    }
  }
  double t1 = now_s();
  size_t est = fin_stack_conn_count(w.st[0]);
  if (accepted != n || est != n) {
    fprintf(stderr, "expected %u connections, have %zu (%u accepted)\n", n, est, accepted);
    return 1;
  }
  size_t m0 = fin_stack_memory_in_use(w.st[0]) - base[0];
  size_t m1 = fin_stack_memory_in_use(w.st[1]) - base[1];
  printf("open:  %zu connections established in %.2f s (%.0f/s)\n", est, t1 - t0,
         (double)est / (t1 - t0));
  printf("       client %.1f B/connection, server %.1f B/connection (TCB %zu B + tables; no data "
         "carried, so no buffers)\n",
         (double)m0 / (double)est, (double)m1 / (double)est, fin_tcb_size());
  if (busy > 0) {
    double tb = now_s();
    make_busy(&w, c, n, busy);
    size_t b0 = fin_stack_memory_in_use(w.st[0]) - base[0];
    size_t b1 = fin_stack_memory_in_use(w.st[1]) - base[1];
    printf("busy:  %u B sent on each connection and held unread in %.2f s: client %.1f "
           "B/connection, server %.1f B/connection (%.1f MB for all of them, both sides)\n",
           busy, now_s() - tb, (double)b0 / (double)est, (double)b1 / (double)est,
           (double)(b0 + b1) / 1e6);
    drain(&w, s, accepted);
  }
  double t2 = now_s();
  for (uint32_t i = 0; i < n; i++) {
    fin_close(w.st[0], c[i]);
    if (i % 256 == 255 || i == n - 1)
      pump(&w);
  }
  for (uint32_t i = 0; i < accepted; i++) {
    fin_close(w.st[1], s[i]);
    if (i % 256 == 255 || i == n - 1)
      pump(&w);
  }
  double t3 = now_s();
  size_t tw = fin_stack_time_wait_count(w.st[0]);
  size_t mtw = fin_stack_memory_in_use(w.st[0]) - base[0];
  size_t store = fin_stack_time_wait_memory(w.st[0]);
  printf("close: %u graceful closes in %.2f s (%.0f/s); client holds %zu TIME-WAIT records, "
         "%.1f B each incl. tables (record %zu B)\n",
         2 * n, t3 - t2, 2.0 * n / (t3 - t2), tw, tw ? (double)mtw / (double)tw : 0.0,
         ipv6 ? fin_time_wait_record_size_v6() : fin_time_wait_record_size());
  /* The figure above is all the client holds over its start, the port map
   * it made at its first bind too; this one is the record store alone. */
  printf("       TIME-WAIT store %.1f B/record (records, pages, page rings, hash buckets)\n",
         tw ? (double)store / (double)tw : 0.0);
  w.now += FIN_SEC(61);
  double t4 = now_s();
  fin_stack_on_timers(w.st[0], w.now);
  fin_stack_on_timers(w.st[1], w.now);
  double t5 = now_s();
  printf("expiry: %zu TIME-WAIT records expired in %.3f s; %zu left\n", tw, t5 - t4,
         fin_stack_time_wait_count(w.st[0]));
  /* Issue 14: after the burst the tables give their memory back. */
  size_t after[2] = {fin_stack_memory_in_use(w.st[0]), fin_stack_memory_in_use(w.st[1])};
  /* The client's one-time tables (the 128 KiB map of bound ports, made
   * at its first bind) came with the burst; the server had its own
   * before (its listeners). */
  printf("after: client %zu B in use (%zu B before the burst, %+.1f %%: its port map is made at "
         "the first bind), server %zu B (%zu B, %+.1f %%)\n",
         after[0], base[0], 100.0 * ((double)after[0] - (double)base[0]) / (double)base[0],
         after[1], base[1], 100.0 * ((double)after[1] - (double)base[1]) / (double)base[1]);
  fin_stack_free(w.st[0]);
  fin_stack_free(w.st[1]);
  free(c);
  free(s);
  return 0;
}
