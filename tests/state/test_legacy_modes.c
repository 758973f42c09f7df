/* SPDX-License-Identifier: MIT */
/* RFC 793 legacy modes (settings insecure_rst, insecure_syn; off by default
 * and dangerous): what RFC 5961 §3 and §4 replaced. With insecure_rst any
 * RST inside the receive window resets the connection (RFC 793 §3.4);
 * with insecure_syn a SYN inside the window is answered with RST and resets
 * it (RFC 793 §3.9), in every synchronized state and in TIME-WAIT. Outside
 * the window nothing changes, and by default BEHAVIOR H3 and I1 hold. */
#include <errno.h>

#include "closing.h"

static int so_error(struct peer *p) {
  int v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p->st, p->s, FIN_SO_ERROR, &v, &len), 0);
  return v;
}

static void init_legacy(struct peer *p, bool rst, bool syn) {
  struct fin_settings s;
  fin_settings_default(&s);
  s.insecure_rst = rst;
  s.insecure_syn = syn;
  peer_init(p, &s);
}

static void expect_reset(struct peer *p) {
  enum fin_close_reason r;
  int e;
  assert_int_equal(peer_state(p), FIN_CLOSED);
  assert_int_equal(so_error(p), ECONNRESET);
  assert_true(peer_find_closed(p, &r, &e));
  assert_int_equal(r, FIN_REASON_RESET);
  assert_int_equal(e, -ECONNRESET);
  assert_int_equal(fin_stack_conn_count(p->st), 0);
}

/* ---- insecure_rst ---- */

/* RFC 793 §3.4 (H3 relaxed): a RST anywhere in the window resets, with
 * nothing sent back; the last byte of the window counts. */
static void test_insecure_rst_in_window_resets_silently(void **state) {
  (void)state;
  uint32_t offsets[] = {1000, 65536}; /* RCV.WND = 65536: R(1 + 65535) is the last byte */
  for (size_t i = 0; i < 2; i++) {
    struct peer p;
    init_legacy(&p, true, false);
    peer_establish_passive(&p);
    peer_send(&p, TCP_R, R(&p, offsets[i]), 0, NULL, 0);
    peer_expect_nothing(&p);
    expect_reset(&p);
    assert_int_equal(peer_counters(&p)->legacy_rst_resets, 1);
    assert_int_equal(peer_counters(&p)->challenge_acks, 0);
    assert_int_equal(peer_counters(&p)->out_rsts, 0);
    peer_free(&p);
  }
}

/* Outside the window a RST is still dropped silently (A5). */
static void test_insecure_rst_outside_window_dropped(void **state) {
  (void)state;
  struct peer p;
  init_legacy(&p, true, false);
  peer_establish_passive(&p);
  peer_send(&p, TCP_R, R(&p, 1 + 65536), 0, NULL, 0);
  peer_send(&p, TCP_R, R(&p, 0), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->drop_rst_out_of_window, 2);
  assert_int_equal(peer_counters(&p)->legacy_rst_resets, 0);
  peer_free(&p);
}

/* In a passive SYN-RECEIVED an in-window RST takes the embryonic child
 * away (H2) instead of drawing a challenge ACK. */
static void test_insecure_rst_in_syn_received_returns_to_listen(void **state) {
  (void)state;
  struct peer p;
  init_legacy(&p, true, false);
  p.listener = fin_socket(p.st);
  struct fin_sockaddr any = peer_any(&p, FIN_PORT);
  assert_int_equal(fin_bind(p.st, p.listener, &any), 0);
  assert_int_equal(fin_listen(p.st, p.listener, 8), 0);
  p.fin_port = FIN_PORT;
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  peer_send(&p, TCP_R, R(&p, 500), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->legacy_rst_resets, 1);
  assert_int_equal(fin_accept(p.st, p.listener, NULL), -EAGAIN);
  peer_free(&p);
}

/* Off by default: the same RST draws a challenge ACK (H3, RFC 5961 §3.2). */
static void test_insecure_rst_off_by_default(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  assert_false(fin_stack_settings(p.st)->insecure_rst);
  peer_establish_passive(&p);
  peer_send(&p, TCP_R, R(&p, 1000), 0, NULL, 0);
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->legacy_rst_resets, 0);
  peer_free(&p);
}

/* ---- insecure_syn ---- */

/* RFC 793 §3.9: an in-window SYN gets <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>
 * and the connection is reset. */
static void test_insecure_syn_in_window_resets_with_rst(void **state) {
  (void)state;
  struct peer p;
  init_legacy(&p, false, true);
  peer_establish_passive(&p);
  peer_send(&p, TCP_S, R(&p, 1), 0, NULL, 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  expect_reset(&p);
  assert_int_equal(peer_counters(&p)->legacy_syn_resets, 1);
  assert_int_equal(peer_counters(&p)->challenge_acks, 0);
  peer_free(&p);
}

/* The closing states answer with RST too (RFC 793 has no exception),
 * SEQ=SND.NXT covering our FIN. */
static void test_insecure_syn_in_closing_resets_with_rst(void **state) {
  (void)state;
  struct peer p;
  init_legacy(&p, false, true);
  to_closing(&p);
  peer_send(&p, TCP_S, R(&p, 2 + 1000), 0, NULL, 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  expect_reset(&p);
  peer_free(&p);
}

/* Outside the window (left or right) it is still a challenge ACK (I1). */
static void test_insecure_syn_outside_window_gets_challenge_ack(void **state) {
  (void)state;
  struct peer p;
  init_legacy(&p, false, true);
  peer_establish_passive(&p);
  peer_send(&p, TCP_S, R(&p, 0), 0, NULL, 0);
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), 0);
  peer_advance(&p, FIN_MS(600));
  peer_send(&p, TCP_S, R(&p, 1 + 65536), 0, NULL, 0);
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->legacy_syn_resets, 0);
  peer_free(&p);
}

/* TIME-WAIT: an in-window SYN ends the record with RST, even one beyond
 * RCV.NXT that could reopen the 4-tuple (E4) while a listener waits. */
static void test_insecure_syn_in_time_wait_resets_record(void **state) {
  (void)state;
  struct peer p;
  init_legacy(&p, false, true);
  to_time_wait_via_fin_wait_2(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_send(&p, TCP_S, R(&p, 2 + 5000), 0, NULL, 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->legacy_syn_resets, 1);
  peer_free(&p);
}

/* Off by default: a SYN in the window draws a challenge ACK (I1). */
static void test_insecure_syn_off_by_default(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  assert_false(fin_stack_settings(p.st)->insecure_syn);
  peer_establish_passive(&p);
  peer_send(&p, TCP_S, R(&p, 1), 0, NULL, 0);
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->legacy_syn_resets, 0);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_insecure_rst_in_window_resets_silently),
      cmocka_unit_test(test_insecure_rst_outside_window_dropped),
      cmocka_unit_test(test_insecure_rst_in_syn_received_returns_to_listen),
      cmocka_unit_test(test_insecure_rst_off_by_default),
      cmocka_unit_test(test_insecure_syn_in_window_resets_with_rst),
      cmocka_unit_test(test_insecure_syn_in_closing_resets_with_rst),
      cmocka_unit_test(test_insecure_syn_outside_window_gets_challenge_ack),
      cmocka_unit_test(test_insecure_syn_in_time_wait_resets_record),
      cmocka_unit_test(test_insecure_syn_off_by_default),
  };
  return PEER_RUN_BOTH(tests);
}
