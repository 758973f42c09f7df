/* SPDX-License-Identifier: MIT */
/* fin demo — the engine's own end-to-end example: two fin stacks wired
 * back to back in one process on a virtual clock, showing four ways a
 * connection ends. Every segment and every state change is printed in
 * three columns: a's states, the segments, b's states. (fin sim draws the
 * same endings as ladders, with faults and outputs; this is the plain
 * engine API with nothing in between.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fin/fin.h"

#define HOST_A 0x0a000001u
#define HOST_B 0x0a000002u

struct demo {
  struct fin_stack *st[2];
  uint64_t rng[2];
  fin_time now, t0;
  int drop_next_from_a_ack_after_fin; /* lost-final-ack */
};

static void *demo_alloc(void *ctx, size_t n) {
  (void)ctx;
  return malloc(n);
}

static void demo_free(void *ctx, void *p, size_t n) {
  (void)ctx;
  (void)n;
  free(p);
}

static void demo_random(void *ctx, void *buf, size_t len) {
  uint64_t *s = ctx;
  for (size_t i = 0; i < len; i++) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    ((uint8_t *)buf)[i] = (uint8_t)*s;
  }
}

static int demo_open(struct demo *d) {
  memset(d, 0, sizeof(*d));
  d->now = d->t0 = FIN_SEC(1);
  for (int i = 0; i < 2; i++) {
    struct fin_settings s;
    fin_settings_default(&s);
    s.local_addrs[0] = i == 0 ? HOST_A : HOST_B;
    s.local_addr_count = 1;
    s.event_mask = 1u << FIN_EV_STATE;
    s.msl = FIN_SEC(1); /* short TIME-WAIT keeps the demo quick */
    struct fin_allocator a = {demo_alloc, demo_free, NULL};
    d->rng[i] = 0x9E3779B97F4A7C15ull + (uint64_t)i;
    struct fin_random r = {demo_random, &d->rng[i]};
    if (fin_stack_new(&d->st[i], &s, &a, &r, d->now) != 0)
      return -1;
  }
  return 0;
}

/* Columns: time, a's new state, the segments, b's new state (the previous
 * state is the one on the line above). */
#define COL_STATE 12
#define COL_SEG   56

static void print_states(struct demo *d) {
  struct fin_event ev;
  for (int i = 0; i < 2; i++)
    while (fin_stack_poll_event(d->st[i], &ev)) {
      if (i == 0)
        printf("  %8.3f  %s\n", (double)(d->now - d->t0) / 1e9, fin_state_name(ev.to));
      else
        printf("  %8.3f  %-*s %-*s %s\n", (double)(d->now - d->t0) / 1e9, COL_STATE, "", COL_SEG,
               "", fin_state_name(ev.to));
    }
}

static void print_segment(struct demo *d, int from, const struct fin_segment *s, bool lost) {
  char flags[40];
  fin_tcp_flags_str(s->flags, flags, sizeof(flags));
  printf("  %8.3f  %-*s %s %-9s seq=%-10u ack=%-10u len=%u%s\n", (double)(d->now - d->t0) / 1e9,
         COL_STATE, "", from ? "a <-- b" : "a --> b", flags, s->seq, s->ack, s->payload_len,
         lost ? " (lost)" : "");
}

struct flight {
  uint8_t data[1600];
  size_t len;
  int to;
};

/* Collects what both stacks send now: both sides' segments are in flight
 * together, which is what makes a simultaneous close simultaneous. */
static size_t collect(struct demo *d, struct flight *f, size_t cap) {
  size_t n = 0;
  for (int i = 0; i < 2; i++) {
    size_t len;
    while (n < cap && (len = fin_stack_output(d->st[i], f[n].data, sizeof(f[n].data), d->now))) {
      struct fin_segment seg;
      if (fin_tcp_parse(f[n].data, len, &seg) != FIN_WIRE_OK)
        continue;
      bool lost = i == 1 && d->drop_next_from_a_ack_after_fin && seg.flags == FIN_TCP_ACK &&
                  fin_stack_time_wait_count(d->st[1]) > 0;
      lost = lost || (i == 0 && d->drop_next_from_a_ack_after_fin && seg.flags == FIN_TCP_ACK &&
                      fin_stack_time_wait_count(d->st[0]) > 0);
      print_segment(d, i, &seg, lost);
      if (lost) {
        d->drop_next_from_a_ack_after_fin = 0;
        continue;
      }
      f[n].len = len;
      f[n].to = 1 - i;
      n++;
    }
  }
  return n;
}

/* One-way delay 10 ms; timers run in deadline order until `until`. */
static void demo_run(struct demo *d, fin_time until) {
  static struct flight f[64];
  for (int steps = 0; steps < 100000; steps++) {
    print_states(d);
    size_t n = collect(d, f, 64);
    if (n > 0) {
      d->now += FIN_MS(10);
      for (size_t i = 0; i < n; i++)
        fin_stack_input(d->st[f[i].to], f[i].data, f[i].len, d->now);
      continue;
    }
    fin_time t = fin_stack_next_deadline(d->st[0]);
    fin_time t2 = fin_stack_next_deadline(d->st[1]);
    if (t2 < t)
      t = t2;
    if (t > until || t == FIN_NEVER)
      return;
    d->now = t > d->now ? t : d->now;
    for (int i = 0; i < 2; i++)
      fin_stack_on_timers(d->st[i], d->now);
  }
}

static void connect_pair(struct demo *d, fin_sock *a, fin_sock *b) {
  fin_sock l = fin_socket(d->st[1]);
  struct fin_sockaddr any = {0, 80}, dst = {HOST_B, 80};
  fin_bind(d->st[1], l, &any);
  fin_listen(d->st[1], l, 4);
  *a = fin_socket(d->st[0]);
  fin_connect(d->st[0], *a, &dst);
  print_states(d);
  demo_run(d, d->now + FIN_SEC(1));
  *b = fin_accept(d->st[1], l, NULL);
  fin_close(d->st[1], l);
}

static void step(struct demo *d, fin_time dt) {
  demo_run(d, d->now + dt);
  for (int i = 0; i < 2; i++)
    fin_stack_set_now(d->st[i], d->now);
}

static void scenario(const char *title, int kind) {
  struct demo d;
  if (demo_open(&d) != 0)
    return;
  printf("\n== %s ==\n  %8s  %-*s %-*s %s\n", title, "time (s)", COL_STATE, "a 10.0.0.1", COL_SEG,
         "segments (a: client, b: server)", "b 10.0.0.2:80");
  print_states(&d);
  fin_sock a, b;
  connect_pair(&d, &a, &b);
  fin_send(d.st[0], a, "hello", 5, 0);
  step(&d, FIN_MS(100));
  char buf[16];
  fin_recv(d.st[1], b, buf, sizeof(buf), 0);
  if (kind == 0 || kind == 3) { /* graceful, client first */
    d.drop_next_from_a_ack_after_fin = kind == 3;
    fin_close(d.st[0], a);
    step(&d, FIN_MS(100));
    fin_close(d.st[1], b);
  } else if (kind == 1) { /* simultaneous */
    fin_close(d.st[0], a);
    fin_close(d.st[1], b);
  } else { /* abort: SO_LINGER {1,0} */
    struct fin_linger lg = {1, 0};
    fin_setsockopt(d.st[0], a, FIN_SO_LINGER, &lg, sizeof(lg));
    fin_close(d.st[0], a);
    step(&d, FIN_MS(100));
    printf("  b: recv -> %zd (ECONNRESET is %d)\n", fin_recv(d.st[1], b, buf, sizeof(buf), 0),
           -104);
    fin_close(d.st[1], b);
  }
  step(&d, FIN_SEC(5));
  printf("  connections left: a=%zu b=%zu, TIME-WAIT records: a=%zu b=%zu\n",
         fin_stack_conn_count(d.st[0]), fin_stack_conn_count(d.st[1]),
         fin_stack_time_wait_count(d.st[0]), fin_stack_time_wait_count(d.st[1]));
  fin_stack_free(d.st[0]);
  fin_stack_free(d.st[1]);
}

static void demo_usage(FILE *out) {
  fprintf(out, "usage: fin demo\n\n"
               "Two fin stacks back to back in one process (virtual time, MSL 1 s): a graceful\n"
               "close, a simultaneous close, an abort and a lost final ACK, every segment and\n"
               "state change printed. 'fin sim --list' has more endings, with faults.\n"
               "  -h, --help           this text\n");
}

int fin_cmd_demo(int argc, char **argv) {
  static const struct option demo_options[] = {{"help", no_argument, NULL, 'h'},
                                               {NULL, 0, NULL, 0}};
  cli_begin();
  int c;
  while ((c = cli_next("demo", argc, argv, "h", demo_options)) != -1) {
    if (c != 'h')
      return CLI_USAGE;
    demo_usage(stdout);
    return 0;
  }
  if (optind < argc)
    return cli_bad("demo", argv[optind], "unexpected argument");
  printf("fin demo: two fin stacks back to back (virtual time, MSL 1 s)\n");
  scenario("graceful close, client first (FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT)", 0);
  scenario("simultaneous close (both CLOSING, then TIME-WAIT)", 1);
  scenario("abort with SO_LINGER {1,0} (RST)", 2);
  scenario("lost final ACK (TIME-WAIT re-ACKs the retransmitted FIN)", 3);
  return 0;
}
