/* SPDX-License-Identifier: MIT */
/* Deterministic simulation testing (`fin sim --random SEED`): from one seed,
 * a whole history on the simulator — 2 to 4 hosts, random applications on
 * random connections, random link faults, crashes and restarts — checked
 * after every step (fin_stack_audit(), no deadline in the past, bounded
 * memory) and at the end (stream integrity, both ends agree on how each
 * connection ended, a way out for every orphan, no leak). */
#ifndef FIN_DRIVERS_SIM_RANDOM_H
#define FIN_DRIVERS_SIM_RANDOM_H

#include "drivers/sim.h"

/* What the generator may draw, counted for the coverage report. */
enum fin_dst_fault {
  FIN_DST_LOSS,
  FIN_DST_DUP,
  FIN_DST_REORDER,
  FIN_DST_CORRUPT,
  FIN_DST_JITTER,
  FIN_DST_RATE,      /* a rate-limited link with a small queue */
  FIN_DST_PARTITION, /* a scheduled partition between two hosts */
  FIN_DST_CRASH,     /* a host crashes (and maybe restarts) */
  FIN_DST_SHRINK,    /* a receiver shrinks its SO_RCVBUF mid-stream */
  FIN_DST_SMALL_BUF, /* small send/receive buffers: zero windows */
  FIN_DST_FAULT_COUNT
};

enum fin_dst_app {
  FIN_DST_APP_READ,         /* reads everything at once */
  FIN_DST_APP_SLOW,         /* reads a little now and then */
  FIN_DST_APP_STOPPED,      /* stops reading for a while (or for good): zero window */
  FIN_DST_APP_CLOSE,        /* close() once everything is sent */
  FIN_DST_APP_SHUT_WR,      /* shutdown(SHUT_WR), close() after EOF */
  FIN_DST_APP_CLOSE_EOF,    /* close() after EOF */
  FIN_DST_APP_CLOSE_AT,     /* close() at a random time, maybe with unread data */
  FIN_DST_APP_LINGER0,      /* SO_LINGER {1,0} + close(): RST */
  FIN_DST_APP_LINGER_N,     /* SO_LINGER {1,N} + close() */
  FIN_DST_APP_ABORT,        /* fin_abort() */
  FIN_DST_APP_KEEP,         /* never closes */
  FIN_DST_APP_SHUT_RD,      /* shutdown(SHUT_RD) at some point */
  FIN_DST_APP_KEEPALIVE,    /* SO_KEEPALIVE with short timers */
  FIN_DST_APP_USER_TIMEOUT, /* TCP_USER_TIMEOUT of a few seconds */
  FIN_DST_APP_LINGER2,      /* TCP_LINGER2: a short or negative orphaned FIN-WAIT-2 */
  FIN_DST_APP_ADMIN_KILL,   /* an administrator kills the connection (fin_stack_kill, B6) */
  FIN_DST_APP_COUNT
};

/* The invariants, counted each time one was checked on something. */
enum fin_dst_check {
  FIN_DST_CHK_AUDIT,    /* steps audited (fin_stack_audit, no deadline in the past) */
  FIN_DST_CHK_ORDER,    /* bytes read checked against the pattern */
  FIN_DST_CHK_EOF,      /* EOF read: everything the peer sent arrived, once, in order */
  FIN_DST_CHK_ERRNO,    /* close reason and errno consistent (G4, MUST-12) */
  FIN_DST_CHK_APP_ERR,  /* what the application saw matches the close reason */
  FIN_DST_CHK_PEER_FIN, /* a graceful end: the peer application asked for its FIN */
  FIN_DST_CHK_PEER_RST, /* a reset: the peer's stack did send an RST */
  FIN_DST_CHK_WAY_OUT,  /* every connection the application let go of ended */
  FIN_DST_CHK_MEMORY,   /* a host's memory within its bound */
  FIN_DST_CHK_LEAK,     /* runs whose stacks returned every byte */
  FIN_DST_CHK_PROGRESS, /* at the applications' exit, a reader has all its live peer sent */
  FIN_DST_CHK_COUNT
};

/* A deliberately broken checker input, to prove that the checks can fail. */
enum fin_dst_break {
  FIN_DST_BREAK_NONE = 0,
  FIN_DST_BREAK_STREAM,   /* the receiver's accounting loses byte 1000 of each stream */
  FIN_DST_BREAK_RST,      /* RSTs the stacks send are not recorded */
  FIN_DST_BREAK_MEMORY,   /* the memory bound is one byte */
  FIN_DST_BREAK_PROGRESS, /* a reader checked for progress counts one byte too many */
};

struct fin_dst_opts {
  uint64_t seed;
  bool ipv6; /* force IPv6; otherwise the seed picks the family (one in four IPv6) */
  enum fin_dst_break brk;
  struct fin_trace *trace;
  struct fin_pcap *pcap;
};

struct fin_dst_result {
  bool ok;
  char why[400];  /* the first invariant that failed */
  char desc[400]; /* what the seed generated, one line */
  bool ipv6;
  unsigned hosts, conns;
  uint64_t steps;
  fin_time end;
  size_t leaked;
  size_t mem_peak; /* largest live bytes of one host */
  uint64_t endings[FIN_REASON_COUNT];
  uint64_t faults[FIN_DST_FAULT_COUNT];
  uint64_t apps[FIN_DST_APP_COUNT];
  uint64_t checks[FIN_DST_CHK_COUNT];
};

const char *fin_dst_fault_name(enum fin_dst_fault f);
const char *fin_dst_app_name(enum fin_dst_app a);
const char *fin_dst_check_name(enum fin_dst_check c);
/* "stream", "rst", "memory", "progress": the break mode, or -EINVAL. */
int fin_dst_break_parse(const char *s, enum fin_dst_break *out);

/* Runs the seed's history. 0 when it ran (res->ok says whether every
 * invariant held), negative errno when it could not start. */
int fin_dst_run(const struct fin_dst_opts *o, struct fin_dst_result *res);

#endif
