/* SPDX-License-Identifier: MIT */
/* The other RFC 5961 defences, BEHAVIOR I1-I3: a SYN in any synchronized
 * state gets a challenge ACK and never a RST (§4); an ACK outside
 * [SND.UNA - MAX.SND.WND, SND.NXT] is answered with an ACK and dropped
 * (§5, RFC 9293 §3.10.7.4 fifth). */
#include <errno.h>

#include "closing.h"

/* ---- helpers: reach each synchronized state through real segments ---- */

static int so_error_of(struct peer *p) {
  int v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p->st, p->s, FIN_SO_ERROR, &v, &len), 0);
  return v;
}

static void reach_established(struct peer *p) {
  peer_establish_passive(p);
}

/* Reach `want` (SND.NXT = ISS + snd_k, RCV.NXT = IRS + rcv_k there), send a
 * SYN at RCV.NXT: one challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>, no RST,
 * same state. A second SYN at once is rate-limited (A6): still no RST. */
static void check_syn_challenged(void (*reach)(struct peer *), enum fin_state want, uint32_t snd_k,
                                 uint32_t rcv_k) {
  struct peer p;
  peer_init(&p, NULL);
  reach(&p);
  assert_int_equal(peer_state(&p), want);
  peer_send(&p, TCP_S, R(&p, rcv_k), 0, NULL, 0);
  peer_expect_len(&p, TCP_A, L(&p, snd_k), R(&p, rcv_k), 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), want);
  peer_send(&p, TCP_S, R(&p, rcv_k), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), want);
  assert_int_equal(peer_counters(&p)->syn_challenges, 2);
  assert_int_equal(peer_counters(&p)->challenge_acks, 1);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  assert_int_equal(so_error_of(&p), 0);
  peer_free(&p);
}

/* ---- I1 ---- */

/* BEHAVIOR I1 */
/* ATTACK T35 */
static void test_syn_in_established_gets_challenge_ack_never_rst(void **state) {
  (void)state;
  check_syn_challenged(reach_established, FIN_ESTABLISHED, 1, 1);
}

/* BEHAVIOR I1 */
/* ATTACK T35 */
static void test_syn_in_fin_wait_1_gets_challenge_ack_never_rst(void **state) {
  (void)state;
  check_syn_challenged(to_fin_wait_1, FIN_FIN_WAIT_1, 2, 1);
}

/* BEHAVIOR I1 */
/* ATTACK T35 */
static void test_syn_in_fin_wait_2_gets_challenge_ack_never_rst(void **state) {
  (void)state;
  check_syn_challenged(to_fin_wait_2, FIN_FIN_WAIT_2, 2, 1);
}

/* BEHAVIOR I1 */
/* ATTACK T35 */
static void test_syn_in_close_wait_gets_challenge_ack_never_rst(void **state) {
  (void)state;
  check_syn_challenged(to_close_wait, FIN_CLOSE_WAIT, 1, 2);
}

/* BEHAVIOR I1 */
/* ATTACK T35 */
static void test_syn_in_closing_gets_challenge_ack_never_rst(void **state) {
  (void)state;
  check_syn_challenged(to_closing, FIN_CLOSING, 2, 2);
}

/* BEHAVIOR I1 */
/* ATTACK T35 */
static void test_syn_in_last_ack_gets_challenge_ack_never_rst(void **state) {
  (void)state;
  check_syn_challenged(to_last_ack, FIN_LAST_ACK, 2, 2);
}

/* BEHAVIOR I1 E4: a SYN at RCV.NXT (not beyond it) cannot reopen TIME-WAIT. */
/* ATTACK T35 T57 */
static void test_syn_in_time_wait_gets_challenge_ack_never_rst(void **state) {
  (void)state;
  check_syn_challenged(to_time_wait_via_fin_wait_2, FIN_TIME_WAIT, 2, 2);
}

/* BEHAVIOR I1: wherever the SYN lies (an old retransmission, far right of
 * the window, a SYN-ACK), the answer is a challenge ACK. */
/* ATTACK T35 */
static void test_syn_anywhere_in_established_gets_challenge_ack(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0); /* the original SYN again */
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_advance(&p, FIN_MS(501));
  peer_send(&p, TCP_S, R(&p, 1 + 1000000), 0, NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_advance(&p, FIN_MS(501));
  peer_send(&p, TCP_S | TCP_A, R(&p, 50), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_advance(&p, FIN_MS(501));
  peer_send(&p, TCP_S, R(&p, 1), 0, NULL, 10); /* with data: not accepted */
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(fin_inq(p.st, p.s), 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  peer_free(&p);
}

/* ---- I2 ---- */

/* BEHAVIOR I2: SEG.ACK < SND.UNA - MAX.SND.WND -> ACK and drop (the data
 * with it is not taken). */
/* ATTACK T36 */
static void test_ack_below_snd_una_minus_max_snd_wnd_gets_ack_and_drop(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p); /* MAX.SND.WND = 65535 (unscaled) */
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1 - 65536), NULL, 5);
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_inq(p.st, p.s), 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->drop_ack_too_old, 1);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  peer_free(&p);
}

/* BEHAVIOR I2: SEG.ACK = SND.UNA - MAX.SND.WND is still acceptable: the
 * data is taken and ACKed as usual. */
static void test_ack_at_snd_una_minus_max_snd_wnd_is_acceptable(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1 - 65535), NULL, 5);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 6));
  peer_expect_nothing(&p);
  assert_int_equal(fin_inq(p.st, p.s), 5);
  assert_int_equal(peer_counters(&p)->drop_ack_too_old, 0);
  peer_free(&p);
}

/* ---- I3 ---- */

/* BEHAVIOR I3: SEG.ACK > SND.NXT -> ACK and drop. */
/* ATTACK T36 T81 */
static void test_ack_above_snd_nxt_gets_ack_and_drop(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_send(p.st, p.s, "hello", 5, 0), 5);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 5);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 7), NULL, 5);
  peer_expect_len(&p, TCP_A, L(&p, 6), R(&p, 1), 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_inq(p.st, p.s), 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->drop_ack_too_new, 1);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  /* Nothing was taken as acknowledged: the data is still retransmitted. */
  peer_advance_to_deadline(&p);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 5);
  peer_free(&p);
}

/* BEHAVIOR I3: SEG.ACK = SND.NXT is acceptable. */
static void test_ack_at_snd_nxt_is_acceptable(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_send(p.st, p.s, "hello", 5, 0), 5);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 5);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 6), NULL, 5);
  peer_expect(&p, TCP_A, L(&p, 6), R(&p, 6));
  peer_expect_nothing(&p);
  assert_int_equal(fin_inq(p.st, p.s), 5);
  assert_int_equal(peer_counters(&p)->drop_ack_too_new, 0);
  peer_free(&p);
}

/* BEHAVIOR I3: the same in FIN-WAIT-1, where SND.NXT includes our FIN. */
/* ATTACK T37 */
static void test_ack_above_snd_nxt_in_fin_wait_1_gets_ack_and_drop(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_fin_wait_1(&p);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 3), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_1); /* our FIN is not taken as ACKed */
  assert_int_equal(peer_counters(&p)->drop_ack_too_new, 1);
  peer_free(&p);
}

/* BEHAVIOR M7: a segment that acknowledges data fin never sent is
 * discarded (RFC 5961 §5.2) before it may touch TS.Recent: a spoofed TSval
 * far ahead does not make PAWS drop the real peer's next segment. */
static void test_discarded_segment_never_moves_ts_recent(void **state) {
  (void)state;
  for (int too_old = 0; too_old <= 1; too_old++) {
    struct peer p;
    peer_init_ts(&p, NULL);
    peer_establish_passive(&p);
    uint32_t good = p.ts_val;
    p.ts_val = good + 1000000; /* the attacker's guess of "newer" */
    uint32_t bad_ack = too_old ? L(&p, 1) - 0x40000000u : L(&p, 1000);
    peer_send(&p, TCP_A | TCP_P, R(&p, 1), bad_ack, NULL, 5);
    peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1)); /* the challenge ACK */
    p.ts_val = good;
    p.now += FIN_MS(10);
    peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "hello", 5);
    const struct fin_segment *a = peer_expect(&p, TCP_A, L(&p, 1), R(&p, 6));
    assert_int_equal(a->opts.ts_ecr, good); /* TS.Recent is the real peer's */
    assert_int_equal(fin_inq(p.st, p.s), 5);
    assert_int_equal(peer_counters(&p)->drop_paws, 0);
    peer_free(&p);
  }
}

/* BEHAVIOR A6 (changed in turn 2; ATTACK: blind duplicate-ACK injection):
 * 2,000 spoofed out-of-window data and FIN segments in one second get at
 * most one ACK per 500 ms - not 2,000 duplicate ACKs for the real peer to
 * count toward fast retransmit - and the connection carries on. */
/* ATTACK T38 T93 */
static void test_spoofed_out_of_window_segments_get_rate_limited_acks(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  int acks = 0;
  for (int i = 0; i < 2000; i++) {
    p.now += FIN_MS(1) / 2;
    uint32_t seq = R(&p, 1) + 100000u + (uint32_t)i * 1000u; /* no guess of RCV.NXT */
    peer_send(&p, TCP_A | (i % 2 ? TCP_F : TCP_P), seq, L(&p, 1), NULL, i % 2 ? 0 : 10);
    while (fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now) > 0)
      acks++;
  }
  assert_true(acks >= 2 && acks <= 3);
  assert_int_equal(peer_counters(&p)->drop_out_of_window, 2000);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "ok", 2);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 3));
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_syn_in_established_gets_challenge_ack_never_rst),
      cmocka_unit_test(test_syn_in_fin_wait_1_gets_challenge_ack_never_rst),
      cmocka_unit_test(test_syn_in_fin_wait_2_gets_challenge_ack_never_rst),
      cmocka_unit_test(test_syn_in_close_wait_gets_challenge_ack_never_rst),
      cmocka_unit_test(test_syn_in_closing_gets_challenge_ack_never_rst),
      cmocka_unit_test(test_syn_in_last_ack_gets_challenge_ack_never_rst),
      cmocka_unit_test(test_syn_in_time_wait_gets_challenge_ack_never_rst),
      cmocka_unit_test(test_syn_anywhere_in_established_gets_challenge_ack),
      cmocka_unit_test(test_ack_below_snd_una_minus_max_snd_wnd_gets_ack_and_drop),
      cmocka_unit_test(test_ack_at_snd_una_minus_max_snd_wnd_is_acceptable),
      cmocka_unit_test(test_ack_above_snd_nxt_gets_ack_and_drop),
      cmocka_unit_test(test_ack_at_snd_nxt_is_acceptable),
      cmocka_unit_test(test_ack_above_snd_nxt_in_fin_wait_1_gets_ack_and_drop),
      cmocka_unit_test(test_discarded_segment_never_moves_ts_recent),
      cmocka_unit_test(test_spoofed_out_of_window_segments_get_rate_limited_acks),
  };
  return PEER_RUN_BOTH(tests);
}
