/* SPDX-License-Identifier: MIT */
/* Receiving RST, BEHAVIOR H1-H4 (RFC 9293 §3.10.7.3, §3.10.7.4 second,
 * RFC 5961 §3): when a RST is acted on, challenged or dropped, and what the
 * application sees afterwards. A RST is never answered with a RST. */
#include <errno.h>

#include "closing.h"

/* ---- helpers ---- */

static int so_error(struct peer *p) {
  int v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p->st, p->s, FIN_SO_ERROR, &v, &len), 0);
  return v;
}

static void expect_closed(struct peer *p, enum fin_close_reason reason, int err) {
  enum fin_close_reason r;
  int e;
  assert_true(peer_find_closed(p, &r, &e));
  assert_int_equal(r, reason);
  assert_int_equal(e, err);
}

static void expect_silence_for_a_while(struct peer *p) {
  peer_expect_nothing(p);
  peer_advance(p, FIN_SEC(10));
  peer_expect_nothing(p);
}

/* The peer's SYN to the listener; learns fin's ISS from the SYN-ACK. */
static void syn_to_listener(struct peer *p) {
  peer_send(p, TCP_S, p->irs, 0, NULL, 0);
  size_t n = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now);
  assert_true(n > 0);
  assert_int_equal(fin_tcp_parse(p->buf, n, &p->last), FIN_WIRE_OK);
  assert_int_equal(p->last.flags, TCP_S | TCP_A);
  assert_int_equal(p->last.ack, R(p, 1));
  p->iss = p->last.seq;
  peer_expect_nothing(p);
}

/* ---- H1: SYN-SENT ---- */

/* BEHAVIOR H1 G4: a RST whose ACK acknowledges our SYN refuses the connect. */
/* ATTACK T33 */
static void test_syn_sent_rst_with_acceptable_ack_is_econnrefused(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send(&p, TCP_R | TCP_A, 0, L(&p, 1), NULL, 0);
  expect_silence_for_a_while(&p); /* no RST back, no SYN retransmission */
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_true(fin_poll(p.st, p.s) & FIN_POLLERR);
  assert_int_equal(so_error(&p), ECONNREFUSED);
  assert_int_equal(so_error(&p), 0); /* reading clears it */
  assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), -ECONNREFUSED);
  expect_closed(&p, FIN_REASON_REFUSED, -ECONNREFUSED);
  assert_int_equal(peer_counters(&p)->attempt_fails, 1);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR H1 G4: connect() called again reports the refusal. */
static void test_syn_sent_rst_refusal_reported_by_connect(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send(&p, TCP_R | TCP_A, 0, L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  struct fin_sockaddr dst = peer_remote(&p);
  assert_int_equal(fin_connect(p.st, p.s, &dst), -ECONNREFUSED);
  peer_free(&p);
}

/* BEHAVIOR H1: a RST without ACK is dropped; the connect goes on. */
/* ATTACK T33 */
static void test_syn_sent_rst_without_ack_dropped(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send(&p, TCP_R, 0, 0, NULL, 0);
  peer_send(&p, TCP_R, L(&p, 1), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_SYN_SENT);
  assert_int_equal(peer_counters(&p)->drop_syn_sent_bad, 2);
  assert_int_equal(so_error(&p), 0);
  peer_advance_to_deadline(&p);
  peer_expect(&p, TCP_S, L(&p, 0), 0); /* the SYN is retransmitted as usual */
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR H1 A3: a RST with an unacceptable ACK is dropped. */
/* ATTACK T33 */
static void test_syn_sent_rst_with_bad_ack_dropped(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send(&p, TCP_R | TCP_A, 0, L(&p, 0), NULL, 0);
  peer_send(&p, TCP_R | TCP_A, 0, L(&p, 2), NULL, 0);
  peer_send(&p, TCP_R | TCP_A, 0, L(&p, -1000), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_SYN_SENT);
  assert_int_equal(peer_counters(&p)->drop_syn_sent_bad, 3);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  peer_free(&p);
}

/* ---- H2: SYN-RECEIVED ---- */

/* BEHAVIOR H2: from a passive open, a valid RST sends the child back to
 * LISTEN silently: nothing sent, nothing to accept, the listener takes the
 * next SYN. */
/* ATTACK T34 */
static void test_syn_received_passive_rst_returns_to_listen_silently(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 8);
  syn_to_listener(&p);
  peer_send(&p, TCP_R, R(&p, 1), 0, NULL, 0);
  expect_silence_for_a_while(&p); /* no SYN-ACK retransmission either */
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_accept(p.st, p.listener, NULL), -EAGAIN);
  assert_int_equal(fin_sock_state(p.st, p.listener), FIN_LISTEN);
  assert_int_equal(peer_counters(&p)->embryonic_rsts, 1);
  expect_closed(&p, FIN_REASON_RESET, 0);
  p.irs = 3000000;
  syn_to_listener(&p);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  p.s = fin_accept(p.st, p.listener, NULL);
  assert_true(p.s >= 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* BEHAVIOR H2 (MUST-11): from an active (simultaneous) open, a valid RST
 * refuses the connection. */
static void test_syn_received_active_rst_is_econnrefused(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  peer_expect(&p, TCP_S | TCP_A, L(&p, 0), R(&p, 1));
  assert_int_equal(peer_state(&p), FIN_SYN_RECEIVED);
  peer_send(&p, TCP_R, R(&p, 1), 0, NULL, 0);
  expect_silence_for_a_while(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(so_error(&p), ECONNREFUSED);
  assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), -ECONNREFUSED);
  expect_closed(&p, FIN_REASON_REFUSED, -ECONNREFUSED);
  assert_int_equal(peer_counters(&p)->attempt_fails, 1);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* ---- H3: synchronized states (RFC 5961 §3) ---- */

/* BEHAVIOR H3: SEG.SEQ == RCV.NXT resets. */
/* ATTACK T30 */
static void test_rst_at_rcv_nxt_resets_established(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_R, R(&p, 1), 0, NULL, 0);
  expect_silence_for_a_while(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(so_error(&p), ECONNRESET);
  assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), -ECONNRESET);
  expect_closed(&p, FIN_REASON_RESET, -ECONNRESET);
  assert_int_equal(peer_counters(&p)->estab_resets, 1);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR H3: RCV.NXT-1 resets once the peer's FIN arrived (peers that
 * send FIN then RST with the FIN's sequence number). */
static void test_rst_at_rcv_nxt_minus_one_after_peer_fin_resets(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_close_wait(&p);
  peer_send(&p, TCP_R | TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  expect_silence_for_a_while(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(so_error(&p), ECONNRESET);
  expect_closed(&p, FIN_REASON_RESET, -ECONNRESET);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR H3 A5: without a FIN, RCV.NXT-1 lies left of the window. */
/* ATTACK T32 */
static void test_rst_at_rcv_nxt_minus_one_without_fin_dropped(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_R, R(&p, 0), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->drop_rst_out_of_window, 1);
  peer_free(&p);
}

/* BEHAVIOR H3: in the window but not exact -> challenge ACK
 * <SEQ=SND.NXT><ACK=RCV.NXT>, the connection stays. */
/* ATTACK T31 */
static void test_rst_in_window_not_exact_gets_challenge_ack(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_send(p.st, p.s, "hello", 5, 0), 5);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 5);
  peer_send(&p, TCP_R, R(&p, 2), 0, NULL, 0);
  peer_expect_len(&p, TCP_A, L(&p, 6), R(&p, 1), 0); /* SND.NXT, not SND.UNA */
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(so_error(&p), 0);
  assert_int_equal(peer_counters(&p)->challenge_acks, 1);
  assert_int_equal(peer_counters(&p)->drop_rst_challenged, 1);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 6), NULL, 0);
  peer_expect_nothing(&p);
  /* The last byte of the window is still "not exact". */
  peer_advance(&p, FIN_MS(600));
  peer_send(&p, TCP_R, R(&p, 65536), 0, NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 6), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* BEHAVIOR H3: out of the window -> dropped silently. */
/* ATTACK T32 */
static void test_rst_out_of_window_dropped_silently(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_R | TCP_A, R(&p, 1 + 65536), L(&p, 1), NULL, 0);
  peer_send(&p, TCP_R, R(&p, -1000), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->drop_rst_out_of_window, 2);
  assert_int_equal(peer_counters(&p)->challenge_acks, 0);
  peer_free(&p);
}

/* BEHAVIOR H3: compared against RCV.NXT, never the last ACK sent (the
 * FreeBSD/macOS bug): with an ACK still delayed, a RST at the last ACK sent
 * lies left of the window and is dropped; a RST at RCV.NXT resets. */
static void test_rst_at_rcv_nxt_resets_while_ack_is_delayed(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.quickack_segments = 0;
  struct peer p;
  peer_init(&p, &s);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), NULL, 10);
  peer_expect_nothing(&p);                    /* the ACK is delayed */
  peer_send(&p, TCP_R, R(&p, 1), 0, NULL, 0); /* Last.ACK.sent, not RCV.NXT */
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->drop_rst_out_of_window, 1);
  peer_send(&p, TCP_R, R(&p, 11), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), -ECONNRESET);
  expect_closed(&p, FIN_REASON_RESET, -ECONNRESET);
  peer_advance(&p, FIN_SEC(1));
  peer_expect_nothing(&p); /* the delayed ACK died with the connection */
  peer_free(&p);
}

/* ---- H4: after a valid RST ---- */

/* BEHAVIOR H4 G4: queues flushed, nothing retransmitted; recv fails with
 * ECONNRESET every time; the error is reported once, by SO_ERROR or by the
 * first send, whichever comes first (Linux sk_err), and sends then fail
 * with EPIPE. */
static void test_reset_flushes_queues_and_fails_calls(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "abcde", 5);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 6));
  assert_int_equal(fin_send(p.st, p.s, "hello", 5, 0), 5);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 6), 5);
  assert_int_equal(fin_send(p.st, p.s, "more", 4, 0), 4); /* queued behind Nagle */
  peer_expect_nothing(&p);
  peer_send(&p, TCP_R, R(&p, 6), 0, NULL, 0);
  expect_silence_for_a_while(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(fin_inq(p.st, p.s), 0); /* the unread 5 bytes are gone */
  int ev = fin_poll(p.st, p.s);
  assert_true(ev & FIN_POLLERR);
  assert_true(ev & FIN_POLLHUP);
  assert_int_equal(so_error(&p), ECONNRESET);
  assert_int_equal(so_error(&p), 0);
  assert_false(fin_poll(p.st, p.s) & FIN_POLLERR);
  assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), -ECONNRESET);
  assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), -ECONNRESET);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -EPIPE); /* SO_ERROR reported it */
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -EPIPE);
  assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), -ECONNRESET);
  expect_closed(&p, FIN_REASON_RESET, -ECONNRESET);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR H4 G4: a send before any SO_ERROR read gets ECONNRESET once,
 * then EPIPE; SO_ERROR has nothing left to report. */
static void test_reset_send_reports_econnreset_once_then_epipe(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_R, R(&p, 1), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -ECONNRESET);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -EPIPE);
  assert_int_equal(so_error(&p), 0);
  assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), -ECONNRESET);
  peer_free(&p);
}

/* BEHAVIOR H4: in CLOSING a valid RST just deletes: nothing sent, no
 * TIME-WAIT. */
/* ATTACK T67 */
static void test_rst_in_closing_deletes_silently(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  assert_int_equal(peer_state(&p), FIN_CLOSING);
  peer_send(&p, TCP_R, R(&p, 2), 0, NULL, 0);
  expect_silence_for_a_while(&p); /* no FIN retransmission */
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  enum fin_close_reason r;
  int err;
  assert_true(peer_find_closed(&p, &r, &err));
  assert_int_equal(r, FIN_REASON_RESET);
  peer_free(&p);
}

/* BEHAVIOR H4: in LAST-ACK a valid RST just deletes. */
/* ATTACK T67 */
static void test_rst_in_last_ack_deletes_silently(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_close_wait(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 2));
  peer_send(&p, TCP_R, R(&p, 2), 0, NULL, 0);
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->orphans_current, 0);
  enum fin_close_reason r;
  int err;
  assert_true(peer_find_closed(&p, &r, &err));
  assert_int_equal(r, FIN_REASON_RESET);
  peer_free(&p);
}

/* BEHAVIOR H4 E3: in TIME-WAIT a RST at RCV.NXT deletes the record. */
/* ATTACK T56 */
static void test_rst_in_time_wait_deletes_record_silently(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_send(&p, TCP_R, R(&p, 2), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->tw_killed, 1);
  expect_closed(&p, FIN_REASON_TIME_WAIT_RESET, 0);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_syn_sent_rst_with_acceptable_ack_is_econnrefused),
      cmocka_unit_test(test_syn_sent_rst_refusal_reported_by_connect),
      cmocka_unit_test(test_syn_sent_rst_without_ack_dropped),
      cmocka_unit_test(test_syn_sent_rst_with_bad_ack_dropped),
      cmocka_unit_test(test_syn_received_passive_rst_returns_to_listen_silently),
      cmocka_unit_test(test_syn_received_active_rst_is_econnrefused),
      cmocka_unit_test(test_rst_at_rcv_nxt_resets_established),
      cmocka_unit_test(test_rst_at_rcv_nxt_minus_one_after_peer_fin_resets),
      cmocka_unit_test(test_rst_at_rcv_nxt_minus_one_without_fin_dropped),
      cmocka_unit_test(test_rst_in_window_not_exact_gets_challenge_ack),
      cmocka_unit_test(test_rst_out_of_window_dropped_silently),
      cmocka_unit_test(test_rst_at_rcv_nxt_resets_while_ack_is_delayed),
      cmocka_unit_test(test_reset_flushes_queues_and_fails_calls),
      cmocka_unit_test(test_reset_send_reports_econnreset_once_then_epipe),
      cmocka_unit_test(test_rst_in_closing_deletes_silently),
      cmocka_unit_test(test_rst_in_last_ack_deletes_silently),
      cmocka_unit_test(test_rst_in_time_wait_deletes_record_silently),
  };
  return PEER_RUN_BOTH(tests);
}
