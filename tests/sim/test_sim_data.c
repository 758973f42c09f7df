/* SPDX-License-Identifier: MIT */
/* Bulk data each way, then a graceful close: every byte delivered once, in
 * order (running hash and per-offset pattern check), under loss and under
 * every other fault the links can produce. */
#include "sim_test_util.h"

#define BYTES 200000

static void test_data_then_close_fault_free_exact(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("data-then-close", 1, 0, BYTES, &res);
  sim_assert_conn(&res, "client", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0,
                  "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
  sim_assert_conn(&res, "server", FIN_CLOSED, FIN_REASON_GRACEFUL, 0, 0,
                  "SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED");
  sim_assert_stream(&res, "client");
  sim_assert_stream(&res, "server");
  assert_int_equal(sim_role(&res, "server")->rcvd, BYTES);
}

static void test_data_then_close_across_seeds_and_loss(void **state) {
  (void)state;
  sim_sweep("data-then-close", BYTES);
}

/* Duplication, reordering, corruption, jitter and a rate-limited link with
 * a small queue, all at once. */
static void test_data_then_close_under_every_fault(void **state) {
  (void)state;
  const struct fin_scenario *sc = fin_scenario_find("data-then-close");
  for (uint64_t seed = 1; seed <= SIM_SEEDS; seed++) {
    struct fin_scenario_opts o;
    sim_opts_default(&o);
    o.seed = seed;
    o.bytes = BYTES;
    o.link = (struct fin_sim_link_params){.delay = FIN_MS(5),
                                          .jitter = FIN_MS(3),
                                          .rate_bps = 20000000,
                                          .queue_limit = 32,
                                          .loss = 0.02,
                                          .dup = 0.05,
                                          .reorder = 0.05,
                                          .corrupt = 0.02};
    struct fin_scn_result res;
    assert_int_equal(fin_scenario_run(sc, &o, &res), 0);
    if (!res.ok)
      fail_msg("seed %llu%s: %s", (unsigned long long)seed, sim_ipv6 ? " --ipv6" : "", res.why);
    sim_assert_family(&res);
    sim_assert_stream(&res, "client");
    sim_assert_stream(&res, "server");
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_data_then_close_fault_free_exact),
      cmocka_unit_test(test_data_then_close_across_seeds_and_loss),
      cmocka_unit_test(test_data_then_close_under_every_fault),
  };
  return SIM_RUN_BOTH(tests);
}
