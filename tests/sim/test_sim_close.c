/* SPDX-License-Identifier: MIT */
/* Graceful closes on the simulated network: the exact state sequences of
 * RFC 9293 §3.6 on a fault-free run, then the same outcome across 20 seeds
 * at 0 %, 5 % and 20 % loss. */
#include <errno.h>

#include "sim_test_util.h"

#define CLIENT_ACTIVE  "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED"
#define CLIENT_PASSIVE "SYN-SENT ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED"
#define SERVER_ACTIVE  "SYN-RECEIVED ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED"
#define SERVER_PASSIVE "SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED"

static void test_graceful_active_client_passes_time_wait(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("graceful-active", 1, 0, 0, &res);
  sim_assert_conn(&res, "client", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0, CLIENT_ACTIVE);
  sim_assert_conn(&res, "server", FIN_CLOSED, FIN_REASON_GRACEFUL, 0, 0, SERVER_PASSIVE);
  sim_assert_stream(&res, "server");
  assert_true(sim_role(&res, "server")->app_eof);
  /* TIME-WAIT lasts 2*MSL (60 s by default) after the last FIN. */
  assert_true(res.end >= FIN_SEC(60));
}

static void test_graceful_active_across_seeds_and_loss(void **state) {
  (void)state;
  sim_sweep("graceful-active", 0);
}

static void test_graceful_passive_server_passes_time_wait(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("graceful-passive", 1, 0, 0, &res);
  sim_assert_conn(&res, "client", FIN_CLOSED, FIN_REASON_GRACEFUL, 0, 0, CLIENT_PASSIVE);
  sim_assert_conn(&res, "server", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0, SERVER_ACTIVE);
  sim_assert_stream(&res, "client");
}

static void test_graceful_passive_across_seeds_and_loss(void **state) {
  (void)state;
  sim_sweep("graceful-passive", 0);
}

static void test_simultaneous_close_both_pass_closing(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("simultaneous", 1, 0, 0, &res);
  sim_assert_conn(&res, "client", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0,
                  "SYN-SENT ESTABLISHED FIN-WAIT-1 CLOSING TIME-WAIT CLOSED");
  sim_assert_conn(&res, "server", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0,
                  "SYN-RECEIVED ESTABLISHED FIN-WAIT-1 CLOSING TIME-WAIT CLOSED");
  sim_assert_stream(&res, "client");
  sim_assert_stream(&res, "server");
}

static void test_simultaneous_across_seeds_and_loss(void **state) {
  (void)state;
  sim_sweep("simultaneous", 0);
}

static void test_half_close_server_sends_after_client_fin(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("half-close", 1, 0, 0, &res);
  sim_assert_conn(&res, "client", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0, CLIENT_ACTIVE);
  sim_assert_conn(&res, "server", FIN_CLOSED, FIN_REASON_GRACEFUL, 0, 0, SERVER_PASSIVE);
  sim_assert_stream(&res, "client");
  sim_assert_stream(&res, "server");
  assert_int_equal(sim_role(&res, "client")->rcvd, 6000);
}

static void test_half_close_across_seeds_and_loss(void **state) {
  (void)state;
  sim_sweep("half-close", 0);
}

static void test_lost_final_ack_time_wait_reacks_fin(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("lost-final-ack", 1, 0, 0, &res);
  sim_assert_conn(&res, "client", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0, CLIENT_ACTIVE);
  sim_assert_conn(&res, "server", FIN_CLOSED, FIN_REASON_GRACEFUL, 0, 0, SERVER_PASSIVE);
  assert_int_equal(res.counters[0].tw_fin_reacked, 1);
  /* E2: the re-ACK restarted 2*MSL, so TIME-WAIT ends a full 60 s after
   * the FIN sent again: a loss probe 2 SRTT + 2 ms after the first (RFC
   * 8985 §7.2; 20 ms RTT). */
  assert_true(res.end >= FIN_SEC(60) + FIN_MS(42));
}

static void test_lost_final_ack_across_seeds_and_loss(void **state) {
  (void)state;
  sim_sweep("lost-final-ack", 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_graceful_active_client_passes_time_wait),
      cmocka_unit_test(test_graceful_active_across_seeds_and_loss),
      cmocka_unit_test(test_graceful_passive_server_passes_time_wait),
      cmocka_unit_test(test_graceful_passive_across_seeds_and_loss),
      cmocka_unit_test(test_simultaneous_close_both_pass_closing),
      cmocka_unit_test(test_simultaneous_across_seeds_and_loss),
      cmocka_unit_test(test_half_close_server_sends_after_client_fin),
      cmocka_unit_test(test_half_close_across_seeds_and_loss),
      cmocka_unit_test(test_lost_final_ack_time_wait_reacks_fin),
      cmocka_unit_test(test_lost_final_ack_across_seeds_and_loss),
  };
  return SIM_RUN_BOTH(tests);
}
