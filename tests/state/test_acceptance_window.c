/* SPDX-License-Identifier: MIT */
/* Settings that change the window the §3.10.7.4 acceptability test uses
 * (policy.c): rst_right_edge_outside (a RST at exactly RCV.NXT+RCV.WND,
 * RFC 9293's strict test for zero-length segments, as FreeBSD tests RSTs).
 * The peer offers no window scale, so fin advertises 65535 with a 65536-byte
 * buffer. Exact segments in and out. */
#include "closing.h"

/* ---- rst_right_edge_outside ---- */

/* Default (Linux tcp_sequence, BEHAVIOR M10): a zero-length segment at the
 * right edge is acceptable, so a RST there is in the window but not at
 * RCV.NXT: challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (RFC 5961 §3.2). */
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rst_at_right_edge_challenged_by_default),
      cmocka_unit_test(test_rst_at_right_edge_dropped_when_strict),
      cmocka_unit_test(test_ack_at_right_edge_still_acceptable_when_strict),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
