/* SPDX-License-Identifier: MIT */
/* Timers that end connections, on the simulated network: retransmission
 * exhaustion against a vanished peer (J2), the orphaned FIN-WAIT-2 reaper
 * (F1) and keep-alive (J4). Hours of virtual time, milliseconds of real. */
#include <errno.h>

#include "sim_test_util.h"

static void test_dead_peer_retransmissions_run_out_etimedout(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("dead-peer", 1, 0, 0, &res);
  sim_assert_conn(&res, "client", FIN_CLOSED, FIN_REASON_RETRANSMIT_TIMEOUT, -ETIMEDOUT, -ETIMEDOUT,
                  "SYN-SENT ESTABLISHED CLOSED");
  assert_true(sim_role(&res, "server")->crashed);
  assert_true(sim_role(&res, "server")->order_ok);
}

static void test_dead_peer_across_seeds_and_loss(void **state) {
  (void)state;
  sim_sweep("dead-peer", 0);
}

static void test_fin_wait_2_orphan_reaped_after_fin_timeout(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("fin-wait-2-timeout", 1, 0, 0, &res);
  sim_assert_conn(&res, "client", FIN_CLOSED, FIN_REASON_FIN_WAIT_2_TIMEOUT, 0, 0,
                  "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 CLOSED");
  /* F1: the reaping is silent; the server's late FIN meets A1's RST. */
  sim_assert_conn(&res, "server", FIN_CLOSED, FIN_REASON_RESET, -ECONNRESET, 0,
                  "SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED");
  assert_int_equal(res.counters[0].fin_wait2_timeouts, 1);
  sim_assert_stream(&res, "server");
}

static void test_fin_wait_2_timeout_across_seeds_and_loss(void **state) {
  (void)state;
  sim_sweep("fin-wait-2-timeout", 0);
}

static void test_keepalive_probes_run_out_etimedout(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("keepalive-timeout", 1, 0, 0, &res);
  sim_assert_conn(&res, "client", FIN_CLOSED, FIN_REASON_KEEPALIVE_TIMEOUT, -ETIMEDOUT, -ETIMEDOUT,
                  "SYN-SENT ESTABLISHED CLOSED");
  /* The server has no keep-alive: its connection stays, as the RFC allows. */
  sim_assert_conn(&res, "server", FIN_ESTABLISHED, FIN_REASON_NONE, 0, 0,
                  "SYN-RECEIVED ESTABLISHED");
  assert_int_equal(res.counters[0].keepalive_probes, 3);
}

static void test_keepalive_timeout_across_seeds_and_loss(void **state) {
  (void)state;
  sim_sweep("keepalive-timeout", 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dead_peer_retransmissions_run_out_etimedout),
      cmocka_unit_test(test_dead_peer_across_seeds_and_loss),
      cmocka_unit_test(test_fin_wait_2_orphan_reaped_after_fin_timeout),
      cmocka_unit_test(test_fin_wait_2_timeout_across_seeds_and_loss),
      cmocka_unit_test(test_keepalive_probes_run_out_etimedout),
      cmocka_unit_test(test_keepalive_timeout_across_seeds_and_loss),
  };
  return SIM_RUN_BOTH(tests);
}
