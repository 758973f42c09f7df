/* SPDX-License-Identifier: MIT */
/* CLOSE (graceful), BEHAVIOR C1-C6: reach the state through real segments,
 * call close/shutdown, assert the exact segments out and nothing else. */
#include <errno.h>

#include "closing.h"

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
/* ATTACK T52 */
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
/* ATTACK T51 */
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

/* Simultaneous open (K3): fin's SYN crosses the peer's SYN; fin answers
 * with <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and is in SYN-RECEIVED. */
static void to_syn_received(struct peer *p) {
  peer_start_connect(p);
  peer_send(p, TCP_S, R(p, 0), 0, NULL, 0);
  peer_expect(p, TCP_S | TCP_A, L(p, 0), R(p, 1));
  peer_expect_nothing(p);
  assert_int_equal(peer_state(p), FIN_SYN_RECEIVED);
}

/* BEHAVIOR K3 (how C3's SYN-RECEIVED is reached): the peer's SYN-ACK
 * completes the simultaneous open without a challenge ACK. */
static void test_simultaneous_open_syn_ack_establishes(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_syn_received(&p);
  peer_send(&p, TCP_S | TCP_A, R(&p, 0), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->syn_challenges, 0);
  peer_free(&p);
}

/* BEHAVIOR C3: close in SYN-RECEIVED with nothing queued sends the FIN at
 * once and enters FIN-WAIT-1 (RFC 9293 §3.10.4); the peer's SYN-ACK and
 * then the ACK of the FIN lead to FIN-WAIT-2. */
static void test_syn_received_close_sends_fin_enters_fin_wait_1(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_syn_received(&p);
  drain_events(&p);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_1);
  struct seen s;
  seen_drain(&p, &s);
  assert_string_equal(s.path, "FIN-WAIT-1");
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -EPIPE);
  /* The peer's half of the simultaneous open: its SYN-ACK ACKs our SYN. */
  peer_send(&p, TCP_S | TCP_A, R(&p, 0), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_1);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_2);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  assert_int_equal(peer_state(&p), FIN_TIME_WAIT);
  peer_free(&p);
}

/* BEHAVIOR C3: while our SYN is unacknowledged in FIN-WAIT-1 the
 * retransmission resends the SYN-ACK, then the FIN. */
static void test_syn_received_close_retransmits_syn_ack_then_fin(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_syn_received(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  peer_advance_to_deadline(&p);
  peer_expect(&p, TCP_S | TCP_A, L(&p, 0), R(&p, 1));
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  assert_int_equal(fin_stack_next_deadline(p.st), p.now + FIN_SEC(60)); /* F1 orphan timer */
  peer_free(&p);
}

/* BEHAVIOR C5: closing a listener sends RST to children waiting in the
 * accept queue and drops embryonic (SYN-RECEIVED) ones silently. */
/* ATTACK T62 */
static void test_listener_close_resets_accept_queue_and_drops_embryonic(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 8);
  p.fin_port = FIN_PORT;
  peer_send(&p, TCP_S, R(&p, 0), 0, NULL, 0);
  size_t n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now);
  assert_int_equal(fin_tcp_parse(p.buf, n, &p.last), FIN_WIRE_OK);
  p.iss = p.last.seq;
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0); /* established, not accepted */
  raw_send(&p, PEER_PORT + 1, TCP_S, 5000, 0);       /* embryonic */
  n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now);
  assert_int_equal(fin_tcp_parse(p.buf, n, &p.last), FIN_WIRE_OK);
  assert_int_equal(p.last.flags, TCP_S | TCP_A);
  assert_int_equal(p.last.dport, PEER_PORT + 1);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 2);
  drain_events(&p);
  assert_int_equal(fin_close(p.st, p.listener), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->rst_listen_close, 1);
  struct seen s;
  seen_drain(&p, &s);
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_LISTENER_CLOSED);
  /* The embryonic child is gone: its ACK now meets no connection (A1). */
  raw_send(&p, PEER_PORT + 1, TCP_A, 5001, 777);
  raw_expect(&p, PEER_PORT + 1, TCP_R, 777, 0);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR C4: close in SYN-SENT sends nothing; a later SYN-ACK gets
 * <SEQ=SEG.ACK><CTL=RST>. */
/* ATTACK T63 */
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

/* In CLOSING, LAST-ACK and TIME-WAIT, shutdown and close are no-ops that
 * send nothing: shutdown returns 0, or -ENOTCONN once in TIME-WAIT (M14,
 * Linux); send fails with EPIPE; the handle is then gone. */
static void no_second_fin(struct peer *p) {
  int shut = peer_state(p) == FIN_TIME_WAIT ? -ENOTCONN : 0;
  assert_int_equal(fin_send(p->st, p->s, "x", 1, 0), -EPIPE);
  assert_int_equal(fin_shutdown(p->st, p->s, FIN_SHUT_WR), shut);
  assert_int_equal(fin_shutdown(p->st, p->s, FIN_SHUT_RDWR), shut);
  peer_expect_nothing(p);
  assert_int_equal(fin_close(p->st, p->s), 0);
  peer_expect_nothing(p);
  assert_int_equal(fin_close(p->st, p->s), -EBADF);
}

/* BEHAVIOR C6 M14: calls in CLOSING, LAST-ACK and TIME-WAIT never send a
 * second FIN (or anything) and return defined values. */
static void test_calls_in_closing_last_ack_time_wait_send_nothing(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_closing(&p);
  no_second_fin(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  peer_free(&p);

  peer_init(&p, NULL);
  to_last_ack(&p);
  no_second_fin(&p);
  peer_send(&p, TCP_A, R(&p, 2), L(&p, 2), NULL, 0);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);

  peer_init(&p, NULL);
  to_fin_wait_2(&p);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  assert_int_equal(peer_state(&p), FIN_TIME_WAIT);
  no_second_fin(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_established_close_sends_fin_after_data),
      cmocka_unit_test(test_fin_wait_1_retransmits_fin_with_backoff),
      cmocka_unit_test(test_close_wait_close_sends_fin_enters_last_ack),
      cmocka_unit_test(test_simultaneous_open_syn_ack_establishes),
      cmocka_unit_test(test_syn_received_close_sends_fin_enters_fin_wait_1),
      cmocka_unit_test(test_syn_received_close_retransmits_syn_ack_then_fin),
      cmocka_unit_test(test_listener_close_resets_accept_queue_and_drops_embryonic),
      cmocka_unit_test(test_syn_sent_close_sends_nothing_and_late_syn_ack_gets_rst),
      cmocka_unit_test(test_second_shutdown_sends_no_second_fin),
      cmocka_unit_test(test_calls_in_closing_last_ack_time_wait_send_nothing),
  };
  return PEER_RUN_BOTH(tests);
}
