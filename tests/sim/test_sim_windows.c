/* SPDX-License-Identifier: MIT */
/* The zero-window and bulk-reset scenarios (BEHAVIOR M1, M3, M5, K2): a
 * sender closing behind a reader that stopped, and a stack shutdown with
 * 2,000 connections. Every step of every run is audited by the simulator
 * (a way out for every connection, progress, every ending told). */
#include <errno.h>

#include "sim_test_util.h"

static void test_zero_window_close_ends_both_sides(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("zero-window-close", 1, 0, 0, &res);
  sim_assert_conn(&res, "client", FIN_CLOSED, FIN_REASON_RETRANSMIT_TIMEOUT, -ETIMEDOUT, 0,
                  "SYN-SENT ESTABLISHED FIN-WAIT-1 CLOSED");
  sim_assert_conn(&res, "server", FIN_CLOSED, FIN_REASON_RESET, -ECONNRESET, -ECONNRESET,
                  "SYN-RECEIVED ESTABLISHED CLOSED");
  struct fin_settings def;
  fin_settings_default(&def);
  /* orphan_retries probes once orphaned; one more may come before close(). */
  assert_true(res.counters[0].persist_probes >= def.orphan_retries);
  assert_true(res.counters[0].persist_probes <= def.orphan_retries + 1);
  assert_true(res.end < FIN_SEC(600)); /* bounded: orphan_retries probes with backoff */
}

static void test_zero_window_close_across_seeds_and_loss(void **state) {
  (void)state;
  sim_sweep("zero-window-close", 0);
}

static void test_bulk_shutdown_resets_every_connection(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("bulk-shutdown", 1, 0, 0, &res);
  assert_int_equal(res.counters[1].abort_on_shutdown, 2000);
  assert_int_equal(res.counters[1].rst_queue_full, 0);
  assert_int_equal(res.counters[0].estab_resets, 2000);
}

/* Under loss some handshakes do not finish before the shutdown (those
 * clients are refused) and some RSTs are lost (those clients learn it from
 * keep-alive); still none is dropped by the stack and none is left open. */
static void test_bulk_shutdown_under_loss_leaves_nothing_open(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 2; seed++) {
    const struct fin_scenario *sc = fin_scenario_find("bulk-shutdown");
    struct fin_scenario_opts o;
    sim_opts_default(&o);
    o.seed = seed;
    o.link.loss = 0.05;
    struct fin_scn_result res;
    assert_int_equal(fin_scenario_run(sc, &o, &res), 0);
    assert_int_equal(res.sim_rc, 0);
    assert_int_equal(res.leaked, 0);
    assert_int_equal(res.counters[1].rst_queue_full, 0);
    assert_int_equal(res.counters[0].curr_estab, 0);
    sim_assert_family(&res);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_zero_window_close_ends_both_sides),
      cmocka_unit_test(test_zero_window_close_across_seeds_and_loss),
      cmocka_unit_test(test_bulk_shutdown_resets_every_connection),
      cmocka_unit_test(test_bulk_shutdown_under_loss_leaves_nothing_open),
  };
  return SIM_RUN_BOTH(tests);
}
