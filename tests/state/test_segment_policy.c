/* SPDX-License-Identifier: MIT */
/* Settings that change what an arriving segment may do besides the RFC 793
 * legacy modes (policy.c): the H3 RCV.NXT-1 allowance (rst_after_fin) and
 * SYN+FIN in LISTEN and SYN-SENT (synfin; RFC 9293 does not forbid the
 * combination, stacks differ) and segments without TSopt once timestamps
 * are negotiated (tolerate_missing_ts), SYN cookies for every SYN
 * (syncookies_only), which segments count toward the immediate ACK
 * (delack_any_size), a SYN+ACK arriving at a listener (listen_synack_drop).
 * Exact segments in and out. */
#include <errno.h>

#include "closing.h"

static int so_error(struct peer *p) {
  int v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p->st, p->s, FIN_SO_ERROR, &v, &len), 0);
  return v;
}

/* ---- rst_after_fin (BEHAVIOR H3) ---- */

/* Without the allowance (FreeBSD) a RST at RCV.NXT-1 after the peer's FIN
 * lies left of the window: dropped silently, the connection stays. */
static void test_rst_at_rcv_nxt_minus_one_after_fin_dropped_without_allowance(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.rst_after_fin = false;
  struct peer p;
  peer_init(&p, &s);
  to_close_wait(&p);
  peer_send(&p, TCP_R | TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  assert_int_equal(so_error(&p), 0);
  assert_int_equal(peer_counters(&p)->drop_rst_out_of_window, 1);
  /* RCV.NXT itself still resets. */
  peer_send(&p, TCP_R, R(&p, 2), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  peer_free(&p);
}

/* The allowance is on by default (Linux): the same RST resets. */
static void test_rst_after_fin_allowance_on_by_default(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  assert_true(fin_stack_settings(p.st)->rst_after_fin);
  to_close_wait(&p);
  peer_send(&p, TCP_R | TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(so_error(&p), ECONNRESET);
  peer_free(&p);
}

/* ---- synfin ---- */

static void init_synfin(struct peer *p, enum fin_synfin mode) {
  struct fin_settings s;
  fin_settings_default(&s);
  s.synfin = mode;
  peer_init(p, &s);
}

static void listen_on(struct peer *p) {
  p->listener = fin_socket(p->st);
  struct fin_sockaddr any = peer_any(p, FIN_PORT);
  assert_int_equal(fin_bind(p->st, p->listener, &any), 0);
  assert_int_equal(fin_listen(p->st, p->listener, 8), 0);
  p->fin_port = FIN_PORT;
}

/* Default (Linux): LISTEN discards a SYN+FIN without an answer. */
/* ATTACK T40 */
static void test_synfin_to_listener_dropped_by_default(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  listen_on(&p);
  peer_send(&p, TCP_S | TCP_F, p.irs, 0, NULL, 3);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->drop_listen_other, 1);
  peer_free(&p);
}

/* FIN_SYNFIN_ACCEPT (FreeBSD drop_synfin=0): the SYN is taken, the FIN and
 * the data are not: <SEQ=ISS><ACK=SEG.SEQ+1><CTL=SYN,ACK>. */
static void test_synfin_to_listener_accepted(void **state) {
  (void)state;
  struct peer p;
  init_synfin(&p, FIN_SYNFIN_ACCEPT);
  listen_on(&p);
  peer_send(&p, TCP_S | TCP_F, p.irs, 0, NULL, 3);
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  peer_free(&p);
}

/* FIN_SYNFIN_DROP (FreeBSD drop_synfin=1): LISTEN and SYN-SENT drop it; the
 * SYN is retransmitted on its own schedule. */
/* ATTACK T40 */
static void test_synfin_dropped_in_listen_and_syn_sent(void **state) {
  (void)state;
  struct peer p;
  init_synfin(&p, FIN_SYNFIN_DROP);
  listen_on(&p);
  peer_send(&p, TCP_S | TCP_F, p.irs, 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  p.peer_port = PEER_PORT + 1;
  peer_start_connect(&p);
  peer_send(&p, TCP_S | TCP_F, p.irs, 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_SYN_SENT);
  assert_int_equal(peer_counters(&p)->drop_syn_sent_bad, 1);
  peer_advance_to_deadline(&p);
  peer_expect(&p, TCP_S, L(&p, 0), 0);
  peer_free(&p);
}

/* Default and FIN_SYNFIN_ACCEPT: SYN-SENT takes a SYN+FIN as a
 * simultaneous open (K3). */
static void test_synfin_in_syn_sent_is_simultaneous_open(void **state) {
  (void)state;
  enum fin_synfin modes[] = {FIN_SYNFIN_DROP_IN_LISTEN, FIN_SYNFIN_ACCEPT};
  for (size_t i = 0; i < 2; i++) {
    struct peer p;
    init_synfin(&p, modes[i]);
    peer_start_connect(&p);
    peer_send(&p, TCP_S | TCP_F, p.irs, 0, NULL, 0);
    peer_expect(&p, TCP_S | TCP_A, L(&p, 0), R(&p, 1));
    peer_expect_nothing(&p);
    assert_int_equal(peer_state(&p), FIN_SYN_RECEIVED);
    peer_free(&p);
  }
}

/* ---- tolerate_missing_ts (RFC 7323 §3.2) ---- */

static void establish_with_ts(struct peer *p, bool tolerate) {
  struct fin_settings s;
  fin_settings_default(&s);
  s.tolerate_missing_ts = tolerate;
  peer_init_ts(p, &s);
  peer_establish_passive(p);
}

/* Off: once TS is negotiated, data without TSopt is dropped silently (not
 * ACKed, not delivered), the connection stays; a RST without TSopt still
 * resets (RFC 7323 §3.2: RSTs are exempt). */
static void test_missing_ts_dropped_when_not_tolerated(void **state) {
  (void)state;
  struct peer p;
  establish_with_ts(&p, false);
  peer_send_opts(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), NULL, 0, NULL, 100);
  peer_expect_nothing(&p);
  peer_advance(&p, FIN_SEC(1));
  peer_expect_nothing(&p);
  assert_int_equal(fin_inq(p.st, p.s), 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->drop_missing_ts, 1);
  peer_send_opts(&p, TCP_R, R(&p, 1), 0, NULL, 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  peer_free(&p);
}

/* Default (Linux): the segment is taken as if it had TSopt. */
static void test_missing_ts_tolerated_by_default(void **state) {
  (void)state;
  struct fin_settings d;
  fin_settings_default(&d);
  assert_true(d.tolerate_missing_ts);
  struct peer p;
  establish_with_ts(&p, true);
  peer_send_opts(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), NULL, 0, NULL, 100);
  assert_int_equal(fin_inq(p.st, p.s), 100);
  assert_int_equal(peer_counters(&p)->drop_missing_ts, 0);
  peer_free(&p);
}

/* ---- syncookies_only (RFC 4987 §3.6) ---- */

/* Every SYN is answered with a cookie, the queues are never used: no TCB
 * until the ACK returns the cookie, which establishes the connection. */
static void test_syncookies_only_answers_every_syn_with_a_cookie(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.syncookies_only = true;
  struct peer p;
  peer_init(&p, &s);
  listen_on(&p);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->syncookies_sent, 1);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  p.s = fin_accept(p.st, p.listener, NULL);
  assert_true(p.s >= 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->syncookies_recv, 1);
  peer_free(&p);
}

/* Off by default; on without syn_cookies the settings are rejected. */
static void test_syncookies_only_off_by_default_and_needs_cookies(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  struct fin_settings s = *fin_stack_settings(p.st);
  assert_false(s.syncookies_only);
  listen_on(&p);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  assert_int_equal(fin_stack_conn_count(p.st), 1); /* a SYN-RECEIVED child */
  assert_int_equal(peer_counters(&p)->syncookies_sent, 0);
  s.syncookies_only = true;
  s.syn_cookies = false;
  assert_int_equal(fin_stack_set_settings(p.st, &s), -EINVAL);
  peer_free(&p);
}

/* ---- delack_any_size (RFC 5681 §4.2, FreeBSD DELAY_ACK) ---- */

/* Two small in-order segments: with delack_any_size the second is ACKed at
 * once; without it neither counts as full-sized and the ACK waits for the
 * delayed-ACK timer. Quick-ACK is off in both, as in FreeBSD. */
static void two_small_segments(bool any_size) {
  struct fin_settings s;
  fin_settings_default(&s);
  s.quickack_segments = 0;
  s.delack = FIN_MS(40);
  s.delack_any_size = any_size;
  struct peer p;
  peer_init(&p, &s);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), NULL, 1);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 2), L(&p, 1), NULL, 2);
  if (any_size) {
    peer_expect(&p, TCP_A, L(&p, 1), R(&p, 4));
  } else {
    peer_expect_nothing(&p);
    fin_time t = p.now;
    peer_advance_to_deadline(&p);
    assert_int_equal(p.now - t, FIN_MS(40));
    peer_expect(&p, TCP_A, L(&p, 1), R(&p, 4));
  }
  peer_expect_nothing(&p);
  peer_free(&p);
}

static void test_delack_any_size_acks_every_second_segment(void **state) {
  (void)state;
  two_small_segments(true);
}

static void test_delack_counts_full_sized_segments_by_default(void **state) {
  (void)state;
  struct fin_settings d;
  fin_settings_default(&d);
  assert_false(d.delack_any_size);
  two_small_segments(false);
}

/* ---- listen_synack_drop ---- */

/* Default (BEHAVIOR A2, RFC 9293 §3.10.7.2): a SYN+ACK at a listener is an
 * ACK-bearing segment, answered with <SEQ=SEG.ACK><CTL=RST>. */
static void test_synack_to_listener_reset_by_default(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  assert_false(fin_stack_settings(p.st)->listen_synack_drop);
  listen_on(&p);
  peer_send(&p, TCP_S | TCP_A, p.irs, 34, NULL, 0);
  peer_expect(&p, TCP_R, 34, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* listen_synack_drop (FreeBSD: "(SYN|ACK) is bogus on a listen socket"):
 * dropped silently; the listener still answers the next SYN. */
static void test_synack_to_listener_dropped(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.listen_synack_drop = true;
  struct peer p;
  peer_init(&p, &s);
  listen_on(&p);
  peer_send(&p, TCP_S | TCP_A, p.irs, 34, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->drop_listen_other, 1);
  assert_int_equal(peer_counters(&p)->rst_listen_ack, 0);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  peer_expect_nothing(&p);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rst_at_rcv_nxt_minus_one_after_fin_dropped_without_allowance),
      cmocka_unit_test(test_rst_after_fin_allowance_on_by_default),
      cmocka_unit_test(test_synfin_to_listener_dropped_by_default),
      cmocka_unit_test(test_synfin_to_listener_accepted),
      cmocka_unit_test(test_synfin_dropped_in_listen_and_syn_sent),
      cmocka_unit_test(test_synfin_in_syn_sent_is_simultaneous_open),
      cmocka_unit_test(test_missing_ts_dropped_when_not_tolerated),
      cmocka_unit_test(test_missing_ts_tolerated_by_default),
      cmocka_unit_test(test_syncookies_only_answers_every_syn_with_a_cookie),
      cmocka_unit_test(test_syncookies_only_off_by_default_and_needs_cookies),
      cmocka_unit_test(test_delack_any_size_acks_every_second_segment),
      cmocka_unit_test(test_delack_counts_full_sized_segments_by_default),
      cmocka_unit_test(test_synack_to_listener_reset_by_default),
      cmocka_unit_test(test_synack_to_listener_dropped),
  };
  return PEER_RUN_BOTH(tests);
}
