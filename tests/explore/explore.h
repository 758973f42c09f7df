/* SPDX-License-Identifier: MIT */
/* Exhaustive small-scope exploration of the close handshakes (issue 12,
 * item 3). Two fin stacks back to back on a virtual clock play one
 * lifecycle (graceful close, simultaneous close, half-close, abortive
 * close, ...); a schedule names up to a few faults, each applied to one
 * datagram by its number in the order the run produces them (so the
 * retransmissions an earlier fault causes can be faulted too). Every
 * schedule runs to quiescence with fin_stack_audit() after every step, and
 * then the explorer checks that both ends converged to CLOSED (or to a state
 * only the application may end, BEHAVIOR F2) with close reasons and errnos
 * that agree (BEHAVIOR G4, RFC 9293 MUST-12), that the applications saw
 * every byte once and in order, that every ending was told (M17), that
 * TIME-WAIT expired and that nothing leaked. */
#ifndef FIN_TEST_EXPLORE_H
#define FIN_TEST_EXPLORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fin/fin.h"

/* What the network does to one datagram. */
enum explore_fault_kind {
  EXPLORE_DROP = 0, /* never delivered */
  EXPLORE_DUP,      /* delivered twice, back to back */
  EXPLORE_DELAY,    /* held until the next datagram in the same direction has
                     * been delivered (reordered past it), at most
                     * EXPLORE_HOLD_MAX late */
  EXPLORE_KIND_COUNT,
  /* Not explored: a payload byte swapped with the one two places on, which
   * leaves the TCP checksum valid, so the stack accepts bytes that were never
   * sent. Only for the test that proves the stream check can fail. */
  EXPLORE_MANGLE = EXPLORE_KIND_COUNT,
};
#define EXPLORE_HOLD_MAX FIN_SEC(3)

#define EXPLORE_MAX_FAULTS 8
struct explore_fault {
  unsigned index; /* datagram number in the faulted run, 0 = the first SYN */
  enum explore_fault_kind kind;
};
/* Faults in increasing index order, at most one per datagram. */
struct explore_schedule {
  struct explore_fault f[EXPLORE_MAX_FAULTS];
  unsigned n;
};

enum explore_lifecycle {
  EXPLORE_GRACEFUL = 0, /* client closes first once it has the reply; server closes at EOF */
  EXPLORE_PASSIVE,      /* server closes first; client closes at EOF */
  EXPLORE_SIMULTANEOUS, /* both close at the same instant: FIN-WAIT-1 > CLOSING (D12) */
  EXPLORE_CROSSING,     /* both shut down writing at the same instant, their data and FINs
                         * in flight both ways, then each closes at EOF */
  EXPLORE_HALF_CLOSE,   /* client shuts down writing, server sends more after EOF, closes */
  EXPLORE_HALF_HOLD,    /* as half-close, but both applications keep their sockets:
                         * FIN-WAIT-2 (F2) and CLOSE-WAIT wait; closed at the end */
  EXPLORE_LINGER,       /* as graceful, the client's close with SO_LINGER {1,5}: it waits
                         * for the ACK of its FIN (B5) */
  EXPLORE_LINGER0,      /* client closes with SO_LINGER {1,0} once it has the reply (B4) */
  EXPLORE_ABORT,        /* client aborts with its data in flight (B1) */
  EXPLORE_UNREAD,       /* client closes with the reply unread: RST (B7) */
  EXPLORE_HALF_ABORT,   /* client shuts down writing; the server sends more after EOF and
                         * aborts with it in flight (B1 in CLOSE-WAIT) */
  EXPLORE_REOPEN,       /* passive close, then the client connects again from the same port:
                         * its SYN meets the server's TIME-WAIT (E4); then a graceful close */
  EXPLORE_LIFECYCLE_COUNT
};
const char *explore_lifecycle_name(enum explore_lifecycle lc);
/* 0 and *out, or -EINVAL. */
int explore_lifecycle_parse(const char *name, enum explore_lifecycle *out);
const char *explore_kind_name(enum explore_fault_kind k);

struct explore_config {
  enum explore_lifecycle lc;
  enum fin_family family;                 /* FIN_AF_INET or FIN_AF_INET6 */
  size_t bytes;                           /* what each application sends (a little: a segment) */
  const struct fin_settings *settings[2]; /* NULL: fin_settings_default */
  const char *profile;                    /* their name, for the replay line (NULL: default) */
  unsigned index_bound;                   /* faults apply to datagrams [0, index_bound) */
  unsigned datagram_cap;                  /* a run that produces more has not converged */
  fin_time time_cap;                      /* virtual time a run may take to quiesce */
  /* The test that proves the checker can fail: expect other reasons than
   * the lifecycle's (bit i of expect_override[h] = enum fin_close_reason i). */
  uint32_t expect_override[2];
  struct fin_trace *trace; /* when set, the run is recorded (for the ladder) */
  FILE *segments;          /* when set, one line per datagram: its number, what it is, its fault */
};
/* The settings of both stacks: "default", "bsd" (FreeBSD's closing
 * policies: rfc1337, the FIN repeated with every ACK, no RCV.NXT-1 RST, its
 * delayed ACK), "noopt" (no timestamps, window scaling or SACK) or "mixed"
 * (a default client, a bsd server). 0 or -EINVAL. */
int explore_profile(const char *name, struct fin_settings out[2]);
#define EXPLORE_PROFILES "default bsd noopt mixed"

/* bytes 300, index_bound 64, datagram_cap 400, time_cap 10 minutes. */
void explore_config_default(struct explore_config *cfg, enum explore_lifecycle lc,
                            enum fin_family family);

#define EXPLORE_WHY_LEN 320
#define EXPLORE_CONNS   2
struct explore_result {
  bool ok;
  char why[EXPLORE_WHY_LEN]; /* the first broken check, "" when ok */
  unsigned datagrams;        /* datagrams the run produced */
  fin_time elapsed;          /* virtual time to quiescence */
  bool waited;               /* the lifecycle's script ended with a connection waiting for its
                              * application (F2, or a peer whose RST was lost) */
  unsigned conns;            /* connections per host: 2 for reopen, else 1 */
  enum fin_close_reason reason[2][EXPLORE_CONNS];
  char path[2][240]; /* each host's state path, "SYN-SENT>ESTABLISHED>..." */
};

/* Runs one schedule to quiescence and checks it. */
void explore_run(const struct explore_config *cfg, const struct explore_schedule *s,
                 struct explore_result *res);

/* "3:drop,7:dup,9:delay" ("-" when empty) into buf; parse returns 0 or -EINVAL. */
void explore_schedule_format(const struct explore_schedule *s, char *buf, size_t cap);
int explore_schedule_parse(const char *text, struct explore_schedule *s);

/* Every schedule of up to k faults, depth first. */
#define EXPLORE_OUTCOMES 12
struct explore_stats {
  uint64_t schedules;
  uint64_t by_faults[EXPLORE_MAX_FAULTS + 1];
  uint64_t failures;
  uint64_t waited;        /* runs that ended their script in a waiting state */
  unsigned max_datagrams; /* the longest run */
  fin_time max_elapsed;   /* the slowest run to quiesce (virtual) */
  /* Distinct end states seen: "a TIME-WAIT>CLOSED time-wait-done, b ...". */
  struct {
    unsigned conns;
    enum fin_close_reason reason[2][EXPLORE_CONNS];
    uint64_t count;
  } outcome[EXPLORE_OUTCOMES];
  unsigned outcomes;
};
/* Prints one line per failing schedule on out (at most max_print of them,
 * with a ladder for the first when ladders is set) and returns the stats. */
void explore_search(const struct explore_config *cfg, unsigned k, FILE *out, unsigned max_print,
                    bool ladders, struct explore_stats *stats);
/* The replay description of a schedule: "graceful/ipv4/3:drop,7:dup". */
void explore_describe(const struct explore_config *cfg, const struct explore_schedule *s, char *buf,
                      size_t cap);

#endif
