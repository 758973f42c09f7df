/* SPDX-License-Identifier: MIT */
/* One explored run, shared by its parts: the network that applies the
 * schedule (net.c), the two applications that play the lifecycle
 * (lifecycle.c) and the verdict (check.c). */
#ifndef FIN_TEST_EXPLORE_RUN_H
#define FIN_TEST_EXPLORE_RUN_H

#include "explore.h"
#include "fin_test.h"
#include "viz/trace.h"

#define EXPLORE_PORT   80
#define EXPLORE_QUEUE  128   /* datagrams in flight */
#define EXPLORE_EVENTS 256   /* STATE and CLOSED events kept per host */
#define EXPLORE_DATA   16384 /* the largest exchange */

struct explore_flight {
  uint8_t data[1600];
  uint16_t len;
  uint8_t to;
  bool held; /* EXPLORE_DELAY: waits for the next datagram the same way */
  unsigned index;
  fin_time at;
  size_t trace_idx; /* its SEND record, SIZE_MAX when not tracing */
};

/* What one application did and saw. */
struct explore_app {
  fin_sock s, listener; /* -1 once released */
  uint64_t conn_id;     /* of s, once connected */
  uint8_t out[EXPLORE_DATA], in[EXPLORE_DATA];
  size_t out_len;    /* what it sends */
  size_t send_limit; /* how much of it may be written so far */
  size_t sent, got;
  bool eof;  /* recv returned 0 */
  int err;   /* the first error recv returned (negative errno), 0 if none */
  int epipe; /* what a send after shutdown(SHUT_WR) returned */
  bool shut_wr, closed, done;
  int phase;
  fin_time phase_at;
};

struct explore_run {
  const struct explore_config *cfg;
  const struct explore_schedule *sched;
  struct fin_stack *st[2];
  struct test_alloc ta[2];
  struct fin_allocator inner[2]; /* test_alloc's, under the block cache (net.c) */
  struct test_rng rng[2];
  struct fin_addr addr[2];
  fin_time now, start;
  struct explore_flight q[EXPLORE_QUEUE];
  size_t qlen;
  unsigned produced;
  struct fin_rel rel; /* relative sequence numbers for cfg->segments */
  struct fin_event ev[2][EXPLORE_EVENTS];
  size_t nev[2];
  struct explore_app app[2];
  bool waited;   /* phase one ended with a connection where only the application ends it */
  bool epilogue; /* the applications closed what they still held */
  bool failed;
  char why[EXPLORE_WHY_LEN];
};

/* Records the first failure (later ones are consequences). */
void explore_fail(struct explore_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* net.c: the stacks, the faulty network and the loop. */
void explore_net_init(struct explore_run *r);
/* Moves datagrams and fires timers until nothing is left to do (no datagram
 * in flight, no deadline, the applications idle) or a failure. */
void explore_net_quiesce(struct explore_run *r);
void explore_net_free(struct explore_run *r); /* frees both stacks, checks for leaks */
/* Appends an application call to the trace (when tracing). */
void explore_trace_app(struct explore_run *r, int host, const char *call, int64_t result);

/* lifecycle.c: the applications. */
void explore_apps_init(struct explore_run *r);
/* One pass of both applications; true when either did something. */
bool explore_apps_step(struct explore_run *r);
/* The applications close whatever they still hold (end of the run). */
void explore_apps_release(struct explore_run *r);
/* Phase one's end: both applications finished their script, or wait where
 * the lifecycle lets them; false (and a failure) otherwise. */
bool explore_apps_settled(struct explore_run *r);

/* check.c: the verdict once everything is closed. */
void explore_check_end(struct explore_run *r, struct explore_result *res);
/* The state path of host's connection ("SYN-SENT>...>CLOSED") into buf. */
void explore_state_path(const struct explore_run *r, int host, char *buf, size_t cap);

#endif
