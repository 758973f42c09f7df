/* SPDX-License-Identifier: MIT */
/* `fin sim blind-reset`: an off-path attacker who knows the 4-tuple sprays
 * forged RSTs across the whole sequence space, one per window's width. The
 * RFC 793 rule (settings.insecure_rst) lets the one that lands in the window
 * reset the server's connection; RFC 5961 §3 (the default, BEHAVIOR H3)
 * answers it with a challenge ACK and the connection lives on. Both are
 * asserted, on the fault-free run and across seeds and losses. */
#include <errno.h>

#include "sim_test_util.h"

static void run(bool insecure, uint64_t seed, double loss, struct fin_scn_result *res) {
  const struct fin_scenario *sc = fin_scenario_find("blind-reset");
  assert_non_null(sc);
  struct fin_scenario_opts o;
  sim_opts_default(&o);
  o.seed = seed;
  o.link.loss = loss;
  o.insecure_rst = insecure;
  assert_int_equal(fin_scenario_run(sc, &o, res), 0);
  if (!res->ok)
    fail_msg("blind-reset%s%s seed %llu loss %g: %s", insecure ? " --insecure-rst" : "",
             sim_ipv6 ? " --ipv6" : "", (unsigned long long)seed, loss, res->why);
  assert_int_equal(res->leaked, 0);
  sim_assert_family(res);
}

/* BEHAVIOR H3: the forged RSTs fail against the default. */
/* ATTACK T31 T32 */
static void test_blind_reset_fails_against_rfc5961(void **state) {
  (void)state;
  struct fin_scn_result res;
  run(false, 1, 0, &res);
  sim_assert_conn(&res, "server", FIN_ESTABLISHED, FIN_REASON_NONE, 0, 0,
                  "SYN-RECEIVED ESTABLISHED");
  sim_assert_conn(&res, "client", FIN_ESTABLISHED, FIN_REASON_NONE, 0, 0, "SYN-SENT ESTABLISHED");
  assert_int_equal(res.counters[1].drop_rst_challenged, 1);
  assert_int_equal(res.counters[1].challenge_acks, 1);
  assert_int_equal(res.counters[1].drop_rst_out_of_window, 1023);
  assert_int_equal(res.counters[1].legacy_rst_resets, 0);
  sim_assert_stream(&res, "server");
}

/* insecure_rst: one of them resets the server's connection. */
static void test_blind_reset_succeeds_against_insecure_rst(void **state) {
  (void)state;
  struct fin_scn_result res;
  run(true, 1, 0, &res);
  sim_assert_conn(&res, "server", FIN_CLOSED, FIN_REASON_RESET, -ECONNRESET, -ECONNRESET,
                  "SYN-RECEIVED ESTABLISHED CLOSED");
  assert_int_equal(res.counters[1].legacy_rst_resets, 1);
  assert_int_equal(res.counters[1].challenge_acks, 0);
}

static void test_blind_reset_across_seeds_and_loss(void **state) {
  (void)state;
  static const double losses[] = {0, 0.05, 0.2};
  for (size_t l = 0; l < 3; l++)
    for (uint64_t seed = 1; seed <= SIM_SEEDS; seed++) {
      struct fin_scn_result res;
      run(false, seed, losses[l], &res);
      run(true, seed, losses[l], &res);
    }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_blind_reset_fails_against_rfc5961),
      cmocka_unit_test(test_blind_reset_succeeds_against_insecure_rst),
      cmocka_unit_test(test_blind_reset_across_seeds_and_loss),
  };
  return SIM_RUN_BOTH(tests);
}
