/* SPDX-License-Identifier: MIT */
/* Settings that change the window the §3.10.7.4 acceptability test uses
 * (policy.c): rst_right_edge_outside (a RST at exactly RCV.NXT+RCV.WND,
 * RFC 9293's strict test for zero-length segments, as FreeBSD tests RSTs)
 * and rcv_wnd_space (RCV.WND is max(advertised, free space), FreeBSD's
 * tcp_input). The peer offers no window scale, so fin advertises at most
 * 65535. Exact segments in and out. */
#include "closing.h"

/* A 131072-byte receive buffer behind a 65535 window. */
static void init_big_buffer(struct peer *p, bool space) {
  struct fin_settings s;
  fin_settings_default(&s);
  s.rcvbuf = 131072;
  s.rcv_wnd_space = space;
  peer_init(p, &s);
}

/* ---- rst_right_edge_outside ---- */

/* Default (Linux tcp_sequence, BEHAVIOR M10): a zero-length segment at the
 * right edge is acceptable, so a RST there is in the window but not at
 * RCV.NXT: challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (RFC 5961 §3.2). */
/* ATTACK T31 T32 */
static void test_rst_at_right_edge_challenged_by_default(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  assert_false(fin_stack_settings(p.st)->rst_right_edge_outside);
  peer_establish_active(&p);
  peer_send(&p, TCP_R, R(&p, 1 + 65535), 0, NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->challenge_acks, 1);
  peer_free(&p);
}

/* rst_right_edge_outside (FreeBSD; RFC 9293 §3.10.7.4 "RCV.NXT =< SEG.SEQ <
 * RCV.NXT+RCV.WND"): the same RST is outside the window, dropped silently
 * (RFC 5961 §3.2 first bullet); one byte left of the edge is still
 * challenged. */
/* ATTACK T32 */
static void test_rst_at_right_edge_dropped_when_strict(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.rst_right_edge_outside = true;
  struct peer p;
  peer_init(&p, &s);
  peer_establish_active(&p);
  peer_send(&p, TCP_R, R(&p, 1 + 65535), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->drop_rst_out_of_window, 1);
  assert_int_equal(peer_counters(&p)->challenge_acks, 0);
  peer_send(&p, TCP_R, R(&p, 65535), 0, NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* Only RSTs: a pure ACK at the right edge stays acceptable (FreeBSD trims
 * nothing from a zero-length segment there), so it draws no ACK. */
static void test_ack_at_right_edge_still_acceptable_when_strict(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.rst_right_edge_outside = true;
  struct peer p;
  peer_init(&p, &s);
  peer_establish_active(&p);
  peer_send(&p, TCP_A, R(&p, 1 + 65535), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* ---- rcv_wnd_space ---- */

/* Default (BEHAVIOR M10): RCV.WND is the 65535 fin advertised, so a RST at
 * RCV.NXT+100000 is outside it and dropped silently (RFC 5961 §3.2). */
/* ATTACK T32 */
static void test_rst_beyond_advertised_window_dropped_by_default(void **state) {
  (void)state;
  struct peer p;
  init_big_buffer(&p, false);
  assert_false(fin_stack_settings(p.st)->rcv_wnd_space);
  peer_establish_active(&p);
  peer_send(&p, TCP_R, R(&p, 1 + 100000), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->drop_rst_out_of_window, 1);
  peer_free(&p);
}

/* rcv_wnd_space (FreeBSD: rcv_wnd = imax(sbspace, rcv_adv - rcv_nxt)):
 * RCV.WND is the 131072 free bytes, the same RST is in the window and
 * challenged; one at RCV.NXT+131072 is still outside. */
static void test_rst_in_free_space_challenged_with_space_window(void **state) {
  (void)state;
  struct peer p;
  init_big_buffer(&p, true);
  peer_establish_active(&p);
  peer_send(&p, TCP_R, R(&p, 1 + 100000), 0, NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->challenge_acks, 1);
  peer_send(&p, TCP_R, R(&p, 1 + 131073), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->drop_rst_out_of_window, 1);
  peer_free(&p);
}

/* A passive SYN-RECEIVED keeps the window of its SYN-ACK (FreeBSD's
 * syncache): the RST beyond 65535 is dropped, the handshake completes. */
static void test_passive_syn_received_keeps_advertised_window(void **state) {
  (void)state;
  struct peer p;
  init_big_buffer(&p, true);
  peer_listen(&p, 8);
  p.fin_port = FIN_PORT;
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  peer_expect_nothing(&p);
  peer_send(&p, TCP_R, R(&p, 1 + 100000), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->drop_rst_out_of_window, 1);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  p.s = fin_accept(p.st, p.listener, NULL);
  assert_true(p.s >= 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rst_at_right_edge_challenged_by_default),
      cmocka_unit_test(test_rst_at_right_edge_dropped_when_strict),
      cmocka_unit_test(test_ack_at_right_edge_still_acceptable_when_strict),
      cmocka_unit_test(test_rst_beyond_advertised_window_dropped_by_default),
      cmocka_unit_test(test_rst_in_free_space_challenged_with_space_window),
      cmocka_unit_test(test_passive_syn_received_keeps_advertised_window),
  };
  return PEER_RUN_BOTH(tests);
}
