/* CLOSE (graceful), BEHAVIOR C1-C6: reach the state through real segments,
 * call close/shutdown, assert the exact segments out and nothing else. */
#include <errno.h>

#include "peer.h"

/* BEHAVIOR C1: FIN after all queued data; FIN-WAIT-1; FIN implies PSH. */
static void test_established_close_sends_fin_after_data(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_send(p.st, p.s, "hello", 5, 0), 5);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect_len(&p, TCP_A | TCP_P | TCP_F, L(&p, 1), R(&p, 1), 5);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR C1 D13: the FIN is retransmitted until ACKed, with backoff. */
static void test_fin_wait_1_retransmits_fin_with_backoff(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_1);
  fin_time gap1 = peer_advance_to_deadline(&p);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  fin_time gap2 = peer_advance_to_deadline(&p);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  assert_int_equal(gap2, 2 * gap1);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 2), NULL, 0);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_2);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR C2: CLOSE-WAIT close sends FIN after queued data -> LAST-ACK. */
static void test_close_wait_close_sends_fin_enters_last_ack(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 2));
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  assert_int_equal(fin_send(p.st, p.s, "bye", 3, 0), 3); /* G3 */
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect_len(&p, TCP_A | TCP_P | TCP_F, L(&p, 1), R(&p, 2), 3);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 2), L(&p, 5), NULL, 0);
  assert_int_equal(fin_stack_conn_count(p.st), 0); /* D8 */
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR C4: close in SYN-SENT sends nothing; a later SYN-ACK gets
 * <SEQ=SEG.ACK><CTL=RST>. */
static void test_syn_sent_close_sends_nothing_and_late_syn_ack_gets_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_S | TCP_A, p.irs, L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_R, L(&p, 1), 0);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR C6: a second close or shutdown never sends a second FIN. */
static void test_second_shutdown_sends_no_second_fin(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_RDWR), 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect_nothing(&p);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_established_close_sends_fin_after_data),
      cmocka_unit_test(test_fin_wait_1_retransmits_fin_with_backoff),
      cmocka_unit_test(test_close_wait_close_sends_fin_enters_last_ack),
      cmocka_unit_test(test_syn_sent_close_sends_nothing_and_late_syn_ack_gets_rst),
      cmocka_unit_test(test_second_shutdown_sends_no_second_fin),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
