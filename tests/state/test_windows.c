/* SPDX-License-Identifier: MIT */
/* Windows, acknowledgements and the ways out, BEHAVIOR M1-M4 and M10
 * (RFC 9293 §3.8.6): the sequence number control segments carry after a
 * window probe, what a zero receive window still acknowledges, the timers
 * that every blocked send queue needs (persist, SWS override, shrunk
 * windows), and dead peers behind a closed window. Every test reaches its
 * state through real segments; peer_expect_nothing also checks that every
 * connection has a way out (fin_stack_audit). */
#include <errno.h>
#include <string.h>

#include "closing.h"

static void set_int(struct peer *p, enum fin_sockopt o, int v) {
  assert_int_equal(fin_setsockopt(p->st, p->s, o, &v, sizeof(v)), 0);
}

static void set_linger(struct peer *p, int onoff, int sec) {
  struct fin_linger lg = {onoff, sec};
  assert_int_equal(fin_setsockopt(p->st, p->s, FIN_SO_LINGER, &lg, sizeof(lg)), 0);
}

static void expect_closed(struct peer *p, enum fin_close_reason reason, int err) {
  enum fin_close_reason r;
  int e;
  assert_true(peer_find_closed(p, &r, &e));
  assert_int_equal(r, reason);
  assert_int_equal(e, err);
}

/* The next segment fin sends, whatever it is (fails when there is none). */
static const struct fin_segment *next_out(struct peer *p) {
  size_t n = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now);
  assert_true(n > 0);
  assert_int_equal(fin_tcp_parse(p->buf, n, &p->last), FIN_WIRE_OK);
  return &p->last;
}

/* The peer announces window w (the ACK of everything fin sent so far). */
static void peer_window(struct peer *p, uint16_t w, uint32_t seq, uint32_t ack) {
  p->wnd = w;
  peer_send(p, TCP_A, seq, ack, NULL, 0);
}

/* ESTABLISHED (passive), the peer's window shut, `n` bytes queued, and the
 * first persist probe sent and refused: SND.MAX is SND.UNA + 1. */
static void to_probe_refused(struct peer *p, size_t n) {
  peer_establish_passive(p);
  peer_window(p, 0, R(p, 1), L(p, 1));
  static const char data[4096];
  assert_int_equal(fin_send(p->st, p->s, data, n, 0), (ssize_t)n);
  peer_expect_nothing(p);
  peer_advance_to_deadline(p);
  peer_expect_len(p, TCP_A, L(p, 1), R(p, 1), 1); /* J5: one byte at SND.UNA */
  peer_expect_nothing(p);
  peer_send(p, TCP_A, R(p, 1), L(p, 1), NULL, 0); /* not taken: still zero */
  peer_expect_nothing(p);
}

/* ---- M1: control segments carry the sequence number the peer accepts ---- */

/* BEHAVIOR M1: the probe byte lies beyond the peer's zero window; the ACK
 * of the peer's data carries SND.UNA, the one sequence number a zero
 * window accepts (§3.10.7.4 first check). */
static void test_m1_ack_after_refused_probe_carries_snd_una(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_probe_refused(&p, 100);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "hello", 5);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 6));
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR M1, B4: SO_LINGER {1,0} in that state: the RST is at SND.UNA,
 * where the peer's zero window takes it, not one past the probe byte. */
static void test_m1_abort_after_refused_probe_rst_at_snd_una(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_probe_refused(&p, 100);
  set_linger(&p, 1, 0);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  expect_closed(&p, FIN_REASON_ABORT, 0);
  peer_free(&p);
}

/* BEHAVIOR M1, H3: a challenge ACK after the probe carries SND.UNA too. */
static void test_m1_challenge_ack_after_refused_probe_carries_snd_una(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_probe_refused(&p, 100);
  peer_send(&p, TCP_R, R(&p, 100), 0, NULL, 0); /* in window, not RCV.NXT */
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* ---- M2: a zero receive window still acknowledges ---- */

static struct fin_settings small_rcvbuf(uint32_t size) {
  struct fin_settings s;
  fin_settings_default(&s);
  s.rcvbuf = size;
  return s;
}

/* ESTABLISHED with fin's 1000-byte receive buffer full: window 0. */
static void to_receive_window_full(struct peer *p) {
  struct fin_settings s = small_rcvbuf(1000);
  peer_init(p, &s);
  peer_establish_passive(p);
  peer_send(p, TCP_A | TCP_P, R(p, 1), L(p, 1), NULL, 1000);
  assert_int_equal(peer_expect(p, TCP_A, L(p, 1), R(p, 1001))->wnd, 0);
  peer_expect_nothing(p);
}

/* BEHAVIOR M2 (§3.8.6.1 MUST): a probe at RCV.NXT gets an ACK that repeats
 * the zero window; its byte is not taken. */
static void test_m2_zero_window_probe_is_acknowledged(void **state) {
  (void)state;
  struct peer p;
  to_receive_window_full(&p);
  for (int i = 0; i < 3; i++) {
    p.now += FIN_MS(100); /* answered every time, never rate-limited */
    peer_send(&p, TCP_A, R(&p, 1001), L(&p, 1), "p", 1);
    assert_int_equal(peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1001))->wnd, 0);
    peer_expect_nothing(&p);
  }
  assert_int_equal(fin_inq(p.st, p.s), 1000);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* BEHAVIOR M2: a FIN at RCV.NXT needs no buffer: accepted, CLOSE-WAIT; the
 * application reads the 1000 bytes, then EOF. */
static void test_m2_fin_at_rcv_nxt_accepted_with_zero_window(void **state) {
  (void)state;
  struct peer p;
  to_receive_window_full(&p);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1001), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1002));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  uint8_t b[1200];
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), 1000);
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), 0);
  peer_free(&p);
}

/* BEHAVIOR M2 (§3.5.3 SHLD-2): a RST at RCV.NXT carrying data is accepted
 * with a zero window. */
static void test_m2_rst_with_data_at_rcv_nxt_resets_with_zero_window(void **state) {
  (void)state;
  struct peer p;
  to_receive_window_full(&p);
  peer_send(&p, TCP_R | TCP_A, R(&p, 1001), L(&p, 1), "why", 3);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  uint8_t b[8];
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), -ECONNRESET);
  expect_closed(&p, FIN_REASON_RESET, -ECONNRESET);
  peer_free(&p);
}

/* ---- M3: every blocked send queue has a timer ---- */

/* BEHAVIOR M3 (a), F4: close() with data queued behind a zero window: the
 * orphan in FIN-WAIT-1 keeps probing, and when nobody answers it is
 * aborted after orphan_retries probes with one RST at SND.UNA (M1). */
/* ATTACK T74 */
static void test_m3_orphan_fin_wait_1_behind_zero_window_probes_then_aborts(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_window(&p, 0, R(&p, 1), L(&p, 1));
  static const char data[4000];
  assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), 4000);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect_nothing(&p);
  fin_time start = p.now;
  uint32_t probes = 0;
  for (;;) {
    assert_true(fin_stack_next_deadline(p.st) != FIN_NEVER);
    peer_advance_to_deadline(&p);
    const struct fin_segment *s = next_out(&p);
    assert_int_equal(s->seq, L(&p, 1));
    assert_int_equal(s->ack, R(&p, 1));
    if (s->flags & TCP_R) {
      assert_int_equal(s->flags, TCP_R | TCP_A);
      break;
    }
    assert_int_equal(s->payload_len, 1);
    probes++;
    peer_expect_nothing(&p);
  }
  assert_int_equal(probes, fin_stack_settings(p.st)->orphan_retries);
  assert_true(p.now - start < FIN_SEC(600));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->abort_on_timeout, 1);
  peer_free(&p);
}

/* BEHAVIOR M3 (a), F4: the same from LAST-ACK, with every probe answered by
 * a zero window: an orphan is bounded even when the peer answers. */
/* ATTACK T73 */
static void test_m3_orphan_last_ack_behind_answered_zero_window_is_bounded(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_close_wait(&p);
  peer_window(&p, 0, R(&p, 2), L(&p, 1));
  static const char data[4000];
  assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), 4000);
  assert_int_equal(fin_close(p.st, p.s), 0);
  assert_int_equal(peer_state(&p), FIN_CLOSED); /* the handle is gone */
  peer_expect_nothing(&p);
  for (int i = 0; i < 64 && fin_stack_conn_count(p.st) > 0; i++) {
    peer_advance_to_deadline(&p);
    assert_int_equal(next_out(&p)->seq, L(&p, 1));
    peer_send(&p, TCP_A, R(&p, 2), L(&p, 1), NULL, 0); /* alive, still zero */
  }
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_true(p.last.flags & TCP_R);
  peer_free(&p);
}

/* BEHAVIOR M3 (b), §3.8.6.2.1: the peer offers 100 bytes, less than sender
 * SWS avoidance sends; the override timer sends them within 1 s. */
static void test_m3_small_window_sent_by_sws_override_within_1s(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_window(&p, 100, R(&p, 1), L(&p, 1));
  static const char data[4000];
  assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), 4000);
  peer_expect_nothing(&p);
  fin_time waited = peer_advance_to_deadline(&p);
  assert_true(waited > 0 && waited <= FIN_SEC(1));
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), 100);
  peer_expect_nothing(&p);
  p.wnd = 65535; /* the window opens: the rest flows */
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 101), NULL, 0);
  peer_expect_len(&p, TCP_A, L(&p, 101), R(&p, 1), PEER_MSS(&p));
  peer_free(&p);
}

/* BEHAVIOR M3 (c), J4: keep-alive on, data held by a small window, and the
 * peer dead: the connection still ends (ETIMEDOUT), in bounded time. */
static void test_m3_dead_peer_behind_small_window_times_out(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  set_int(&p, FIN_SO_KEEPALIVE, 1);
  set_int(&p, FIN_TCP_KEEPIDLE, 10);
  peer_window(&p, 100, R(&p, 1), L(&p, 1));
  static const char data[4000];
  assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), 4000);
  peer_expect_nothing(&p);
  for (int i = 0; i < 100 && fin_stack_conn_count(p.st) > 0; i++) {
    peer_advance_to_deadline(&p);
    while (fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now) > 0)
      ; /* the peer is dead: nothing comes back */
    peer_audit(&p);
  }
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_true(p.now < FIN_SEC(100 + 3600));
  char b[4];
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), -ETIMEDOUT);
  peer_free(&p);
}

/* BEHAVIOR M3 (d), MUST-35: the peer shrinks its window to zero with 1000
 * bytes in flight. fin probes (one byte at SND.UNA) instead of giving up
 * after R2 retransmissions; while the probes are answered it stays open. */
/* ATTACK T44 */
static void test_m3_window_shrunk_to_zero_is_probed_not_timed_out(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  static const char data[1000];
  assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), 1000);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 1000);
  peer_window(&p, 0, R(&p, 1), L(&p, 1)); /* shrunk: 1000 bytes beyond it */
  peer_expect_nothing(&p);
  for (int i = 0; i < 20; i++) {
    peer_advance_to_deadline(&p);
    peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), 1);
    peer_expect_nothing(&p);
    peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  }
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  p.wnd = 65535;
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 1000);
  peer_free(&p);
}

/* ---- M4: dead peers are found while data is queued ---- */

/* BEHAVIOR M4: TCP_USER_TIMEOUT bounds how long the window may stay shut,
 * even with every probe answered (Linux tcp_probe_timer). */
/* ATTACK T68 T73 */
static void test_m4_user_timeout_bounds_zero_window(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  set_int(&p, FIN_TCP_USER_TIMEOUT, 5000);
  peer_window(&p, 0, R(&p, 1), L(&p, 1));
  assert_int_equal(fin_send(p.st, p.s, "abc", 3, 0), 3);
  fin_time start = p.now;
  while (fin_stack_conn_count(p.st) > 0) {
    assert_true(p.now - start < FIN_SEC(30));
    peer_advance_to_deadline(&p);
    size_t n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now);
    if (n > 0)
      peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  }
  assert_true(p.now - start >= FIN_MS(5000));
  assert_true(p.now - start < FIN_MS(5000) + FIN_SEC(2));
  char b[4];
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), -ETIMEDOUT);
  expect_closed(&p, FIN_REASON_USER_TIMEOUT, -ETIMEDOUT);
  peer_free(&p);
}

/* ---- M10: acceptability against the window fin advertised ---- */

/* BEHAVIOR M10: without window scaling fin advertises 65535 of its 65536
 * bytes; a byte at RCV.NXT + 65535 lies outside what the peer was told
 * and is dropped (and answered), not queued out of order. */
static void test_m10_byte_past_advertised_window_dropped(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A, R(&p, 1 + 65535), L(&p, 1), "z", 1);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->ooo_queued, 0);
  assert_int_equal(peer_counters(&p)->drop_out_of_window, 1);
  peer_free(&p);
}

/* BEHAVIOR M10: the same in SYN-RECEIVED: the SYN-ACK offered 65535; the
 * segment stays unacceptable and does not complete the handshake. */
static void test_m10_syn_received_tests_advertised_window(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 8);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  assert_int_equal(p.last.wnd, 65535);
  peer_send(&p, TCP_A, R(&p, 1 + 65535), L(&p, 1), "z", 1);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(fin_accept(p.st, p.listener, NULL), -EAGAIN);
  peer_free(&p);
}

/* BEHAVIOR M10 (§3.10.7.3): text on the SYN-ACK lies in the window our
 * SYN offered - the one the peer saw - and is taken. */
static void test_m10_text_on_syn_ack_taken_within_syn_window(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send(&p, TCP_S | TCP_A, p.irs, L(&p, 1), "abc", 3);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 4));
  peer_expect_nothing(&p);
  char b[4];
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), 3);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_m1_ack_after_refused_probe_carries_snd_una),
      cmocka_unit_test(test_m1_abort_after_refused_probe_rst_at_snd_una),
      cmocka_unit_test(test_m1_challenge_ack_after_refused_probe_carries_snd_una),
      cmocka_unit_test(test_m2_zero_window_probe_is_acknowledged),
      cmocka_unit_test(test_m2_fin_at_rcv_nxt_accepted_with_zero_window),
      cmocka_unit_test(test_m2_rst_with_data_at_rcv_nxt_resets_with_zero_window),
      cmocka_unit_test(test_m3_orphan_fin_wait_1_behind_zero_window_probes_then_aborts),
      cmocka_unit_test(test_m3_orphan_last_ack_behind_answered_zero_window_is_bounded),
      cmocka_unit_test(test_m3_small_window_sent_by_sws_override_within_1s),
      cmocka_unit_test(test_m3_dead_peer_behind_small_window_times_out),
      cmocka_unit_test(test_m3_window_shrunk_to_zero_is_probed_not_timed_out),
      cmocka_unit_test(test_m4_user_timeout_bounds_zero_window),
      cmocka_unit_test(test_m10_byte_past_advertised_window_dropped),
      cmocka_unit_test(test_m10_syn_received_tests_advertised_window),
      cmocka_unit_test(test_m10_text_on_syn_ack_taken_within_syn_window),
  };
  return PEER_RUN_BOTH(tests);
}
