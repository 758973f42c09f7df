/* SPDX-License-Identifier: MIT */
/* Shared by the scenario tests: run a scenario across seeds and losses and
 * fail with the scenario's own explanation; SIM_RUN_BOTH runs a test group
 * once over IPv4 (10.0.0.1, 10.0.0.2) and once over IPv6 (fd00::1,
 * fd00::2), with the same expectations. Virtual time only. */
#ifndef FIN_TESTS_SIM_TEST_UTIL_H
#define FIN_TESTS_SIM_TEST_UTIL_H

#include <stdio.h>
#include <string.h>

#include "drivers/sim_scenarios.h"
#include "fin_test.h"

#define SIM_SEEDS 20

/* The family the scenarios run over (set by SIM_RUN_BOTH). */
static bool sim_ipv6;

/* Scenario options for the family under test. */
static inline void sim_opts_default(struct fin_scenario_opts *o) {
  fin_scenario_opts_default(o);
  o->ipv6 = sim_ipv6;
}

/* Every datagram a stack received was of the family under test. */
static inline void sim_assert_family(const struct fin_scn_result *res) {
  uint64_t v4 = 0, v6 = 0;
  for (unsigned h = 0; h < FIN_SIM_MAX_HOSTS; h++) {
    v4 += res->counters[h].ip_in_receives;
    v6 += res->counters[h].ip6_in_receives;
  }
  assert_int_equal(sim_ipv6 ? v4 : v6, 0);
  assert_true((sim_ipv6 ? v6 : v4) > 0);
}

/* Runs a cmocka group over IPv4, then over IPv6. */
static inline int sim_run_both(const char *name, const struct CMUnitTest *tests, size_t count) {
  char label[128];
  int failed = 0;
  for (int v6 = 0; v6 < 2; v6++) {
    sim_ipv6 = v6;
    snprintf(label, sizeof(label), "%s/%s", name, v6 ? "ipv6" : "ipv4");
    failed += _cmocka_run_group_tests(label, tests, count, NULL, NULL);
  }
  sim_ipv6 = false;
  return failed;
}
#define SIM_RUN_BOTH(tests) sim_run_both(#tests, (tests), sizeof(tests) / sizeof((tests)[0]))

static inline void sim_run_one(const char *name, uint64_t seed, double loss, uint64_t bytes,
                               struct fin_scn_result *res) {
  const struct fin_scenario *sc = fin_scenario_find(name);
  assert_non_null(sc);
  struct fin_scenario_opts o;
  sim_opts_default(&o);
  o.seed = seed;
  o.link.loss = loss;
  o.bytes = bytes;
  assert_int_equal(fin_scenario_run(sc, &o, res), 0);
  if (!res->ok)
    fail_msg("%s%s seed %llu loss %g: %s", name, sim_ipv6 ? " --ipv6" : "",
             (unsigned long long)seed, loss, res->why);
  assert_int_equal(res->leaked, 0);
  sim_assert_family(res);
}

/* 20 seeds at 0 %, and at 5 % and 20 % loss when the scenario allows loss. */
static inline void sim_sweep(const char *name, uint64_t bytes) {
  const struct fin_scenario *sc = fin_scenario_find(name);
  assert_non_null(sc);
  static const double losses[] = {0, 0.05, 0.2};
  size_t nloss = sc->allows_loss ? 3 : 1;
  for (size_t l = 0; l < nloss; l++)
    for (uint64_t seed = 1; seed <= SIM_SEEDS; seed++) {
      struct fin_scn_result res;
      sim_run_one(name, seed, losses[l], bytes, &res);
    }
}

static inline const struct fin_scn_conn *sim_role(const struct fin_scn_result *res,
                                                  const char *role) {
  for (size_t i = 0; i < res->count; i++)
    if (strcmp(res->conns[i].role, role) == 0)
      return &res->conns[i];
  fail_msg("no connection with role %s", role);
  return NULL;
}

/* The fault-free run, asserted field by field in the test itself. */
static inline void sim_assert_conn(const struct fin_scn_result *res, const char *role,
                                   enum fin_state final, enum fin_close_reason reason,
                                   int close_err, int app_err, const char *states) {
  const struct fin_scn_conn *c = sim_role(res, role);
  assert_string_equal(c->states, states);
  assert_string_equal(fin_state_name(c->state), fin_state_name(final));
  assert_string_equal(fin_close_reason_name(c->reason), fin_close_reason_name(reason));
  assert_int_equal(c->close_err, close_err);
  assert_int_equal(c->app_err, app_err);
}

/* Stream integrity: everything the peer sent arrived once, in order. */
static inline void sim_assert_stream(const struct fin_scn_result *res, const char *role) {
  const struct fin_scn_conn *c = sim_role(res, role), *p = fin_scn_peer(res, c);
  assert_non_null(p);
  assert_true(c->order_ok);
  assert_int_equal(c->rcvd, p->sent);
  assert_true(c->hash_rcvd == p->hash_sent);
}

#endif
