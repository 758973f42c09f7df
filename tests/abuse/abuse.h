/* SPDX-License-Identifier: MIT */
/* Load and abuse, bounded (issue 12 item 5): fin stacks on virtual time
 * under blind spoofing, a SYN flood and hostile peers that hold orphans.
 * No real network: datagrams move between the stacks and the scripted
 * parties through a queue ordered by arrival time. Every loop is bounded
 * in steps and in virtual time; every seed is fixed. */
#ifndef FIN_ABUSE_H
#define FIN_ABUSE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fin_test.h"

#define ABUSE_HOSTS   2
#define ABUSE_DGRAM   1600
#define ABUSE_ONE_WAY FIN_MS(10) /* every link's one-way delay */

struct abuse_net;

/* What a mode plugs into the network. Every hook is optional. */
struct abuse_hooks {
  void *ctx;
  /* A datagram a stack sent to an address no stack owns (a scripted peer,
   * or a spoofed source that goes nowhere). */
  void (*route)(struct abuse_net *n, int from, const uint8_t *d, size_t len,
                const struct fin_segment *seg);
  /* Every datagram a stack sends, before it is routed. */
  void (*tap)(struct abuse_net *n, int from, const struct fin_segment *seg);
  /* A datagram scheduled with abuse_net_to_peer() arrives. */
  void (*peer)(struct abuse_net *n, const uint8_t *d, size_t len);
  /* A tick scheduled with abuse_net_at(). */
  void (*tick)(struct abuse_net *n, uint32_t arg);
  /* Each event a stack queued. */
  void (*event)(struct abuse_net *n, int host, const struct fin_event *ev);
  /* After every step: the applications poll their sockets. */
  void (*app)(struct abuse_net *n);
  /* true: the run is over (checked after every step). */
  bool (*done)(struct abuse_net *n);
};

struct abuse_item {
  fin_time at;
  uint64_t order; /* FIFO among items due at the same time */
  uint8_t kind;
  uint8_t to;
  uint16_t len;
  uint32_t arg;
  uint8_t *buf;
};

struct abuse_net {
  struct fin_stack *st[ABUSE_HOSTS];
  struct test_alloc ta[ABUSE_HOSTS];
  struct test_rng rng[ABUSE_HOSTS];
  struct fin_addr addr[ABUSE_HOSTS];
  unsigned hosts;
  fin_time now;
  struct abuse_hooks h;
  /* the queue: a binary min-heap on (at, order) */
  struct abuse_item *q;
  size_t qlen, qcap;
  uint64_t order;
  uint8_t **free_bufs; /* datagram buffers for reuse */
  size_t nfree, free_cap;
  uint64_t steps, max_steps;
  uint64_t audit_every; /* fin_stack_audit every this many steps (and at the end) */
  size_t mem_peak[ABUSE_HOSTS];
  uint64_t sent[ABUSE_HOSTS];
  bool failed;
  char why[512];
};

/* hosts stacks at 10.0.0.1, 10.0.0.2 with these settings (NULL: defaults);
 * the event mask is the caller's. Seeds are fixed per host. */
int abuse_net_init(struct abuse_net *n, unsigned hosts, struct fin_settings *const *settings,
                   uint64_t seed);
/* Frees the stacks and the queue; a leak is a failure. */
void abuse_net_free(struct abuse_net *n);
/* Records the first failure (what the run prints and exits 1 for). */
void abuse_fail(struct abuse_net *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs until hooks.done says so, virtual time passes `until`, or the step
 * bound is reached (a failure). 0 or -1 when a failure was recorded. */
int abuse_net_run(struct abuse_net *n, fin_time until);
/* A datagram into a stack, arriving after the one-way delay (or now, with
 * delay 0). */
void abuse_net_to_stack(struct abuse_net *n, int to, const uint8_t *d, size_t len, fin_time delay);
/* A datagram to the scripted peer (hooks.peer), after the one-way delay. */
void abuse_net_to_peer(struct abuse_net *n, const uint8_t *d, size_t len);
/* hooks.tick(arg) at `at`. */
void abuse_net_at(struct abuse_net *n, fin_time at, uint32_t arg);
/* Feeds a datagram to a stack at once, then drains every stack's output
 * and events: what the stack answers is seen by hooks.tap before anything
 * else happens. */
void abuse_net_inject(struct abuse_net *n, int to, const uint8_t *d, size_t len);
/* Checks every stack's invariants now (also done every audit_every steps). */
void abuse_net_audit(struct abuse_net *n);
/* What an idle stack keeps for reuse by design, whatever the load was: the
 * pool's free list (64 chunks, 64 ring maps of each size and 64 ring
 * blocks, pool.c) and the event ring's first 64 entries. "Memory returned" means back to the
 * baseline plus at most this. */
size_t abuse_reserve(const struct fin_stack *st);

/* ---- the figures table ---- */
struct abuse_report {
  FILE *out;
  const char *cmd; /* the command that reproduces the run */
  unsigned failures;
};
void abuse_report_begin(struct abuse_report *r, const char *title);
/* One figure: a name, its value, and the bound it is held to ("" when only
 * reported). */
void abuse_figure(struct abuse_report *r, const char *name, const char *bound, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A checked figure: prints it and counts a failure when !ok. */
void abuse_check(struct abuse_report *r, bool ok, const char *name, const char *bound,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void abuse_report_end(struct abuse_report *r, double seconds);

/* ---- the modes ---- */
struct abuse_opts {
  uint64_t count; /* spoofed segments, spoofed SYNs, or orphans per peer kind */
  uint64_t seed;
  const char *cmd; /* how to reproduce (printed with the figures) */
  bool full;       /* the full-scale defaults */
  /* Runs the stacks with a setting that breaks the contract the checks
   * hold to (which stay those of fin_settings_default()): the run must
   * fail - proof that its checks can (ctest abuse/sabotage-*). */
  bool sabotage;
};
/* Each returns the number of failed checks (0 = pass). */
unsigned abuse_spoof(const struct abuse_opts *o);
unsigned abuse_synflood(const struct abuse_opts *o);
unsigned abuse_orphans(const struct abuse_opts *o, const char *only_kind);

/* A deterministic 64-bit generator for the attackers (splitmix64). */
static inline uint64_t abuse_rand(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* The stream a real endpoint sends: byte i of direction dir. */
static inline uint8_t abuse_stream_byte(int dir, uint64_t i) {
  uint64_t x = i * 0x9E3779B97F4A7C15ULL + (uint64_t)dir * 0x632BE59BD9B4E019ULL;
  x ^= x >> 29;
  return (uint8_t)(x ^ (x >> 8));
}

#endif
