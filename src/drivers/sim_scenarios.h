/* SPDX-License-Identifier: MIT */
/* The scenarios of `fin sim`: each one a pair of small applications on a
 * simulated network, plus what must hold at the end (final states, close
 * reasons, what each application saw, the exact state sequence on a
 * fault-free run, stream integrity). */
#ifndef FIN_DRIVERS_SIM_SCENARIOS_H
#define FIN_DRIVERS_SIM_SCENARIOS_H

#include "drivers/sim.h"

struct fin_scenario_opts {
  uint64_t seed;
  struct fin_sim_link_params link;
  fin_time msl;         /* 0: stack default */
  fin_time fin_timeout; /* 0: stack default */
  bool rfc1337, rst_time_wait, strict, syn_cookies;
  bool insecure_rst; /* RFC 793 legacy RST rule (dangerous; blind-reset shows why) */
  bool ipv6;         /* hosts fd00::1 and fd00::2 instead of 10.0.0.1 and 10.0.0.2 */
  uint64_t bytes;    /* data-then-close volume; 0: scenario default */
  struct fin_trace *trace;
  struct fin_pcap *pcap;
};
void fin_scenario_opts_default(struct fin_scenario_opts *o);

#define FIN_SCN_MAX_CONNS  8
#define FIN_SCN_STATES_LEN 200

/* One connection as both its stack and its application saw it. */
struct fin_scn_conn {
  unsigned host, gen;
  uint64_t conn_id;
  char role[12]; /* "client", "server", "client2", ... ("" when no app held it) */
  bool crashed;  /* its host crashed while it was alive */
  bool closed;   /* FIN_EV_CLOSED seen */
  enum fin_state state;
  char states[FIN_SCN_STATES_LEN]; /* every state entered, in order */
  enum fin_close_reason reason;
  int close_err;
  int app_err;  /* first error a call returned to the application (negative errno), or 0 */
  bool app_eof; /* the application read end-of-stream */
  uint64_t sent, rcvd, hash_sent, hash_rcvd;
  bool order_ok; /* every byte read was the byte expected at that offset */
};

struct fin_scn_result {
  int sim_rc;
  char failure[200]; /* sim_rc == -EPROTO: the invariant a stack broke */
  fin_time end;
  uint64_t steps;
  size_t leaked;
  struct fin_scn_conn conns[FIN_SCN_MAX_CONNS];
  size_t count;
  struct fin_counters counters[FIN_SIM_MAX_HOSTS];
  bool ok;
  char why[320]; /* the first assertion that failed */
};

struct scn_def; /* sim_app.h */

struct fin_scenario {
  const char *name;
  const char *desc;
  bool allows_loss;  /* the outcome holds whatever the network loses */
  bool carries_data; /* stream integrity is asserted */
  void (*define)(struct scn_def *d, const struct fin_scenario_opts *o);
};

size_t fin_scenario_count(void);
const struct fin_scenario *fin_scenario_at(size_t i);
const struct fin_scenario *fin_scenario_find(const char *name);

/* Runs one scenario. 0 when it ran (res->ok says whether its assertions
 * held), negative errno when it could not start. */
int fin_scenario_run(const struct fin_scenario *sc, const struct fin_scenario_opts *o,
                     struct fin_scn_result *res);

/* Connection paired with c (client <-> server with the same number), or NULL. */
const struct fin_scn_conn *fin_scn_peer(const struct fin_scn_result *res,
                                        const struct fin_scn_conn *c);

#endif
