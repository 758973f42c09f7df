/* SPDX-License-Identifier: MIT */
/* The scenario applications: one small state machine per host, configured
 * by a plan (when to connect, what to send, when and how to close), and the
 * expectations a scenario checks at the end. Internal to the simulator. */
#ifndef FIN_DRIVERS_SIM_APP_H
#define FIN_DRIVERS_SIM_APP_H

#include "drivers/sim_scenarios.h"

enum app_close {
  APP_KEEP = 0, /* never close on its own (closes only after an error) */
  APP_CLOSE,    /* close() */
  APP_SHUT_WR,  /* shutdown(SHUT_WR), then close() once the peer's FIN is read */
  APP_ABORT,    /* SO_LINGER {1,0} + close(): RST */
};

enum app_when {
  WHEN_NEVER = 0,
  WHEN_SENT,  /* everything it meant to send is in the stack */
  WHEN_EOF,   /* the peer's FIN was read (and everything was sent) */
  WHEN_ACKED, /* everything sent was acknowledged */
  WHEN_INQ,   /* `inq` bytes are waiting unread */
  WHEN_AT,    /* at time `at` */
  WHEN_SYNC,  /* at the time a hook chose (both hosts at once) */
};

struct app_plan {
  bool server;
  uint16_t port;      /* listen on it (server) or connect to it (client) */
  uint16_t bind_port; /* client: fixed local port, 0 = ephemeral */
  unsigned connects;  /* client: connections made one after another */
  fin_time reconnect_gap;
  uint64_t send; /* bytes to send on each connection */
  bool send_after_eof;
  bool no_read;
  enum app_close close_how;
  enum app_when close_when;
  fin_time at;
  uint64_t inq;
  bool keep_first; /* client: the first connection never closes on its own */
  bool parallel;   /* client: all `connects` connections at once, not one after another */
  bool keepalive;
  int ka_idle, ka_intvl, ka_cnt; /* seconds, seconds, probes */
  fin_time shutdown_at;          /* K2: the host shuts its stack down then (0: never) */
  fin_time shutdown_grace;       /* ... with this long to finish its closes */
};

/* Points where a scenario may intervene (crash a host, cut a link...). */
enum hook_point {
  HOOK_ACKED,   /* everything this connection sent was acknowledged */
  HOOK_HALF_IN, /* this connection received at least half of what its peer sends */
  HOOK_ALL_IN,  /* this connection received everything its peer sends */
};

/* What must hold for one connection (matched by role; a role ending in
 * '*' matches every connection whose role starts with what precedes it,
 * at least one). */
struct expect {
  const char *role;
  enum fin_state final;
  bool crashed;
  enum fin_close_reason reason, reason_alt; /* alt: also fine under faults */
  int close_err;
  int app_err;
  const char *states; /* exact sequence on the fault-free run; NULL: unchecked */
};

#define SCN_MAX_EXPECT 6
#define SCN_HOSTS      2

struct scn_ctx;

struct scn_def {
  struct fin_sim_config cfg;
  struct app_plan plan[SCN_HOSTS];
  struct expect expect[SCN_MAX_EXPECT];
  unsigned expect_count;
  void (*hook)(struct scn_ctx *ctx, unsigned host, unsigned conn_index, enum hook_point p);
  bool (*filter)(struct scn_ctx *ctx, unsigned from, const struct fin_trace_seg *seg);
  bool inexact; /* a BEHAVIOR option changes the sequences: check outcomes only */
  /* Extra end-of-run assertions (counters...). Returns NULL or what failed. */
  const char *(*check)(const struct fin_scn_result *res, const struct fin_scenario_opts *o);
};

/* Expectation helpers used by the scenario table. */
void fin_scn_expect(struct scn_def *d, const char *role, enum fin_state final,
                    enum fin_close_reason reason, int close_err, int app_err, const char *states);

void fin_scn_expect_crashed(struct scn_def *d, const char *role, const char *states);

/* Hooks act through these. */
struct fin_sim *fin_scn_sim(struct scn_ctx *ctx);
/* A counter scenarios may use for "only the first time" decisions. */
unsigned fin_scn_bump(struct scn_ctx *ctx);
void fin_scn_set_sync(struct scn_ctx *ctx, fin_time at);
/* The connection of host's app with index i has this many bytes unacked, etc. */
bool fin_scn_host_in_time_wait(const struct scn_ctx *ctx, unsigned host);

int fin_scn_run(struct scn_def *d, const struct fin_scenario *sc, const struct fin_scenario_opts *o,
                struct fin_scn_result *res);

#endif
