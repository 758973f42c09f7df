/* SPDX-License-Identifier: MIT */
/* Abortive ends on the simulated network: RST from SO_LINGER {1,0}, from
 * unread data, from a closed port, from a restarted peer; and a SYN that
 * reopens TIME-WAIT. Scenarios built on a single RST run fault-free only:
 * a lost RST is, by design, never retransmitted. */
#include <errno.h>

#include "sim_test_util.h"

static void test_abort_linger0_sends_rst_peer_reads_econnreset(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("abort", 1, 0, 0, &res);
  sim_assert_conn(&res, "client", FIN_CLOSED, FIN_REASON_ABORT, 0, 0,
                  "SYN-SENT ESTABLISHED CLOSED");
  sim_assert_conn(&res, "server", FIN_CLOSED, FIN_REASON_RESET, -ECONNRESET, -ECONNRESET,
                  "SYN-RECEIVED ESTABLISHED CLOSED");
  sim_assert_stream(&res, "server");
}

static void test_abort_across_seeds(void **state) {
  (void)state;
  sim_sweep("abort", 0);
}

static void test_unread_data_close_sends_rst(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("unread-data", 1, 0, 0, &res);
  sim_assert_conn(&res, "client", FIN_CLOSED, FIN_REASON_UNREAD_DATA, 0, 0,
                  "SYN-SENT ESTABLISHED CLOSED");
  sim_assert_conn(&res, "server", FIN_CLOSED, FIN_REASON_RESET, -ECONNRESET, -ECONNRESET,
                  "SYN-RECEIVED ESTABLISHED CLOSED");
  assert_int_equal(sim_role(&res, "client")->rcvd, 0);
}

static void test_unread_data_across_seeds(void **state) {
  (void)state;
  sim_sweep("unread-data", 0);
}

static void test_refused_connect_sees_econnrefused(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("refused", 1, 0, 0, &res);
  assert_int_equal(res.count, 1);
  sim_assert_conn(&res, "client", FIN_CLOSED, FIN_REASON_REFUSED, -ECONNREFUSED, -ECONNREFUSED,
                  "SYN-SENT CLOSED");
}

static void test_refused_across_seeds_and_loss(void **state) {
  (void)state;
  sim_sweep("refused", 0);
}

static void test_half_open_stale_connection_cleared_by_rst(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("half-open", 1, 0, 0, &res);
  assert_true(sim_role(&res, "client")->crashed);
  sim_assert_conn(&res, "server", FIN_CLOSED, FIN_REASON_RESET, -ECONNRESET, -ECONNRESET,
                  "SYN-RECEIVED ESTABLISHED CLOSED");
  sim_assert_conn(&res, "client2", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0,
                  "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
  sim_assert_conn(&res, "server2", FIN_CLOSED, FIN_REASON_GRACEFUL, 0, 0,
                  "SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED");
  sim_assert_stream(&res, "server2");
}

static void test_half_open_across_seeds_and_loss(void **state) {
  (void)state;
  sim_sweep("half-open", 0);
}

static void test_time_wait_reopen_by_new_syn_e4(void **state) {
  (void)state;
  struct fin_scn_result res;
  sim_run_one("time-wait-reopen", 1, 0, 0, &res);
  sim_assert_conn(&res, "server", FIN_CLOSED, FIN_REASON_TIME_WAIT_REOPENED, 0, 0,
                  "SYN-RECEIVED ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
  sim_assert_conn(&res, "server2", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0,
                  "SYN-RECEIVED ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
  sim_assert_conn(&res, "client2", FIN_CLOSED, FIN_REASON_GRACEFUL, 0, 0,
                  "SYN-SENT ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED");
  assert_int_equal(res.counters[1].tw_reopened, 1);
  sim_assert_stream(&res, "client2");
}

static void test_time_wait_reopen_across_seeds_and_loss(void **state) {
  (void)state;
  sim_sweep("time-wait-reopen", 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_abort_linger0_sends_rst_peer_reads_econnreset),
      cmocka_unit_test(test_abort_across_seeds),
      cmocka_unit_test(test_unread_data_close_sends_rst),
      cmocka_unit_test(test_unread_data_across_seeds),
      cmocka_unit_test(test_refused_connect_sees_econnrefused),
      cmocka_unit_test(test_refused_across_seeds_and_loss),
      cmocka_unit_test(test_half_open_stale_connection_cleared_by_rst),
      cmocka_unit_test(test_half_open_across_seeds_and_loss),
      cmocka_unit_test(test_time_wait_reopen_by_new_syn_e4),
      cmocka_unit_test(test_time_wait_reopen_across_seeds_and_loss),
  };
  return SIM_RUN_BOTH(tests);
}
