/* SPDX-License-Identifier: MIT */
/* Two fin stacks wired back to back on a virtual clock: the end-to-end
 * harness (BEHAVIOR C, D, E lifecycles with byte-exact delivery). A
 * per-direction filter can drop chosen datagrams. Every run is bounded. */
#ifndef FIN_TEST_PAIR_H
#define FIN_TEST_PAIR_H

#include "fin_test.h"

#define PAIR_ADDR_A     0x0a000001u /* 10.0.0.1 */
#define PAIR_ADDR_B     0x0a000002u /* 10.0.0.2 */
#define PAIR_MAX_EVENTS 4096

struct pair;
/* Returns true to drop the datagram going from `from` (0 = a, 1 = b). */
typedef bool (*pair_filter)(struct pair *p, int from, const struct fin_segment *seg, void *ctx);

struct pair_event {
  int host;
  struct fin_event ev;
};

struct pair {
  struct fin_stack *st[2];
  struct test_alloc ta[2];
  struct test_rng rng[2];
  fin_time now;
  fin_time delay; /* one-way delay */
  fin_time gap;   /* serialisation: datagrams from one host leave at least this far apart */
  fin_time last_at[2];
  pair_filter filter;
  void *filter_ctx;
  /* datagrams in flight */
  struct {
    uint8_t data[1600];
    size_t len;
    int to;
    fin_time at;
  } q[512];
  size_t qlen;
  uint64_t sent[2], dropped[2];
  struct pair_event events[PAIR_MAX_EVENTS];
  size_t nevents;
};

/* settings may be NULL (defaults); the event mask is forced to all. */
void pair_init(struct pair *p, const struct fin_settings *sa, const struct fin_settings *sb);
void pair_free(struct pair *p); /* frees both stacks and asserts no leaks */
/* Moves datagrams and fires timers until virtual time `until` or until
 * nothing is left to do; bounded by `max_steps`. */
void pair_run(struct pair *p, fin_time until);
void pair_run_for(struct pair *p, fin_time duration);
/* Opens a connection a -> b:port; returns the two handles (b's accepted). */
void pair_connect(struct pair *p, uint16_t port, fin_sock *a, fin_sock *b);
/* Reads everything available into buf (up to cap); returns the count. */
size_t pair_read_all(struct pair *p, int host, fin_sock s, uint8_t *buf, size_t cap);
/* The sequence of states host went through (from STATE events) as
 * "SYN-SENT>ESTABLISHED>..." for one connection id. */
const char *pair_state_path(struct pair *p, int host, uint64_t conn_id, char *buf, size_t cap);
/* Last CLOSED event of a connection on host, or NULL. */
const struct fin_event *pair_closed_event(struct pair *p, int host, uint64_t conn_id);

#endif
