/* SPDX-License-Identifier: MIT */
/* Segments arriving while closing, BEHAVIOR D1-D13: reach the state through
 * real segments, send the stimulus, assert the exact segments out and
 * nothing else, the new state, what the application sees, the close reason
 * and the counters. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "closing.h"

/* BEHAVIOR D1: in-order FIN -> CLOSE-WAIT, RCV.NXT+1, ACK at once; the
 * application reads the data, then EOF. */
static void
test_established_fin_enters_close_wait_acks_at_once_and_reads_eof_after_data(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  drain_events(&p);
  peer_send(&p, TCP_A | TCP_P | TCP_F, R(&p, 1), L(&p, 1), "abc", 3);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 5)); /* 3 bytes + FIN */
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  struct seen s;
  seen_drain(&p, &s);
  assert_string_equal(s.path, "CLOSE-WAIT");
  assert_int_equal(fin_poll(p.st, p.s), FIN_POLLIN | FIN_POLLRDHUP | FIN_POLLOUT);
  assert_int_equal(fin_inq(p.st, p.s), 3);
  char buf[16];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 3);
  assert_memory_equal(buf, "abc", 3);
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 0);
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 0);
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR D2: data+FIN after a hole is held (not dropped) until the hole
 * fills; then data and FIN are taken together and ACKed once. */
/* ATTACK T54 */
static void test_fin_after_hole_is_held_until_the_hole_fills(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_F, R(&p, 4), L(&p, 1), "def", 3);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1)); /* duplicate ACK at once */
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  char buf[16];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), -EAGAIN);
  assert_int_equal(fin_poll(p.st, p.s) & (FIN_POLLIN | FIN_POLLRDHUP), 0);
  assert_int_equal(peer_counters(&p)->ooo_queued, 1);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), "abc", 3);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 8));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 6);
  assert_memory_equal(buf, "abcdef", 6);
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 0);
  peer_free(&p);
}

/* BEHAVIOR D2: the application reading everything in order while a FIN
 * and its data wait beyond a hole does not disturb them. */
/* ATTACK T54 */
static void test_held_fin_and_data_survive_reads_while_the_hole_is_open(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "abc", 3);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 4));
  peer_send(&p, TCP_A | TCP_F, R(&p, 7), L(&p, 1), "ghi", 3);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 4));
  char buf[16];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 3);
  assert_memory_equal(buf, "abc", 3);
  peer_send(&p, TCP_A, R(&p, 4), L(&p, 1), "def", 3);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 11));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 6);
  assert_memory_equal(buf, "defghi", 6);
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 0);
  peer_free(&p);
}

/* BEHAVIOR D2: a bare FIN beyond a hole (RFC 5681 §4.2: an out-of-order
 * segment is answered by an immediate duplicate ACK) waits for the hole. */
/* ATTACK T54 */
static void test_bare_fin_after_hole_is_held_until_the_hole_fills(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_F, R(&p, 3), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), "ab", 2);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 4));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  char buf[8];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 2);
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 0);
  peer_free(&p);
}

/* BEHAVIOR D3: FIN-WAIT-1 + ACK of our FIN -> FIN-WAIT-2, nothing sent. */
static void test_fin_wait_1_ack_of_fin_enters_fin_wait_2(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_fin_wait_1(&p);
  drain_events(&p);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_2);
  struct seen s;
  seen_drain(&p, &s);
  assert_string_equal(s.path, "FIN-WAIT-2");
  assert_false(s.closed);
  /* The retransmission timer is off: the FIN is acknowledged. */
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  peer_free(&p);
}

/* BEHAVIOR D3: an ACK that does not cover our FIN leaves FIN-WAIT-1. */
static void test_fin_wait_1_ack_below_fin_stays(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_send(p.st, p.s, "hello", 5, 0), 5);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  peer_expect_len(&p, TCP_A | TCP_P | TCP_F, L(&p, 1), R(&p, 1), 5);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 6), NULL, 0); /* data acked, FIN not */
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_1);
  assert_true(fin_stack_next_deadline(p.st) != FIN_NEVER);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 7), NULL, 0);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_2);
  peer_free(&p);
}

/* BEHAVIOR D4: FIN-WAIT-1 + FIN, ours not ACKed -> CLOSING, ACK the FIN. */
static void test_fin_wait_1_fin_without_ack_enters_closing(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_fin_wait_1(&p);
  drain_events(&p);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSING);
  struct seen s;
  seen_drain(&p, &s);
  assert_string_equal(s.path, "CLOSING");
  char buf[4];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 0);
  assert_int_equal(fin_poll(p.st, p.s) & (FIN_POLLIN | FIN_POLLRDHUP | FIN_POLLHUP),
                   FIN_POLLIN | FIN_POLLRDHUP | FIN_POLLHUP);
  /* Our FIN is still unacknowledged: its retransmission is armed. */
  fin_time dt = peer_advance_to_deadline(&p);
  assert_true(dt > 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSING);
  peer_free(&p);
}

/* BEHAVIOR D5: FIN-WAIT-1 + FIN that also ACKs our FIN -> TIME-WAIT
 * directly (no FIN-WAIT-2), ACK. */
static void test_fin_wait_1_fin_acking_our_fin_enters_time_wait_directly(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_fin_wait_1(&p);
  drain_events(&p);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_TIME_WAIT);
  struct seen s;
  seen_drain(&p, &s);
  assert_string_equal(s.path, "TIME-WAIT");
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->tw_entered, 1);
  assert_int_equal(fin_stack_next_deadline(p.st), p.now + FIN_SEC(60));
  peer_free(&p);
}

/* BEHAVIOR D5 (F1): an orphan with a negative TCP_LINGER2 (RST instead of
 * FIN-WAIT-2) whose FIN is ACKed by the peer's FIN goes to TIME-WAIT: it
 * never was in FIN-WAIT-2, so no RST. */
static void test_orphan_fin_acking_our_fin_enters_time_wait_despite_negative_linger2(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_TCP_LINGER2, &(int){-1}, sizeof(int)), 0);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  drain_events(&p);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  assert_int_equal(peer_counters(&p)->abort_on_linger, 0);
  struct seen s;
  seen_drain(&p, &s);
  assert_string_equal(s.path, "TIME-WAIT");
  peer_free(&p);
}

/* BEHAVIOR D6: FIN-WAIT-2 + FIN -> TIME-WAIT, ACK, 2*MSL starts and every
 * other timer stops (here the orphan's FIN-WAIT-2 timer). */
/* ATTACK T50 */
static void test_fin_wait_2_fin_enters_time_wait_and_stops_other_timers(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.fin_timeout = FIN_SEC(10);
  set.msl = FIN_SEC(7);
  struct peer p;
  peer_init(&p, &set);
  peer_establish_passive(&p);
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_SO_KEEPALIVE, &(int){1}, sizeof(int)), 0);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p); /* drains the output queue: the deadline is a timer again */
  assert_int_equal(fin_stack_next_deadline(p.st), p.now + FIN_SEC(10)); /* F1 */
  p.now += FIN_SEC(3);
  drain_events(&p);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  struct seen s;
  seen_drain(&p, &s);
  assert_string_equal(s.path, "TIME-WAIT");
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_stack_next_deadline(p.st), p.now + FIN_SEC(14));
  peer_advance(&p, FIN_SEC(14) - 1);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  assert_int_equal(peer_counters(&p)->fin_wait2_timeouts, 0);
  peer_advance(&p, 1);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  seen_drain(&p, &s);
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_TIME_WAIT_DONE);
  peer_free(&p);
}

/* BEHAVIOR D7: CLOSING + ACK of our FIN -> TIME-WAIT, nothing sent. */
/* ATTACK T52 */
static void test_closing_ack_of_fin_enters_time_wait(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_closing(&p);
  drain_events(&p);
  peer_send(&p, TCP_A, R(&p, 2), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_TIME_WAIT);
  struct seen s;
  seen_drain(&p, &s);
  assert_string_equal(s.path, "TIME-WAIT");
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  assert_int_equal(fin_stack_next_deadline(p.st), p.now + FIN_SEC(60));
  peer_free(&p);
}

/* BEHAVIOR D8: LAST-ACK + ACK of our FIN -> CLOSED, reason graceful; the
 * application (still holding the socket) sees EOF and POLLHUP. */
/* ATTACK T51 */
static void test_last_ack_ack_of_fin_closes_gracefully(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_last_ack(&p);
  drain_events(&p);
  peer_send(&p, TCP_A, R(&p, 2), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  struct seen s;
  seen_drain(&p, &s);
  assert_string_equal(s.path, "CLOSED");
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_GRACEFUL);
  assert_int_equal(s.err, 0);
  char buf[4];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 0);
  assert_int_equal(fin_poll(p.st, p.s) & (FIN_POLLHUP | FIN_POLLERR), FIN_POLLHUP);
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_free(&p);
}

/* BEHAVIOR D9: a retransmitted FIN in CLOSE-WAIT is re-ACKed (every time:
 * an ACK owed for a FIN is never throttled), the state stays. */
static void test_close_wait_retransmitted_fin_is_reacked(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_close_wait(&p);
  for (int i = 0; i < 3; i++) {
    peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 1), NULL, 0);
    peer_expect(&p, TCP_A, L(&p, 1), R(&p, 2));
    peer_expect_nothing(&p);
    assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  }
  peer_free(&p);
}

/* BEHAVIOR D9: ... in CLOSING. */
static void test_closing_retransmitted_fin_is_reacked(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_closing(&p);
  for (int i = 0; i < 2; i++) {
    peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 1), NULL, 0);
    peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
    peer_expect_nothing(&p);
    assert_int_equal(peer_state(&p), FIN_CLOSING);
  }
  peer_free(&p);
}

/* BEHAVIOR D9: ... in LAST-ACK. */
static void test_last_ack_retransmitted_fin_is_reacked(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_last_ack(&p);
  for (int i = 0; i < 2; i++) {
    peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 1), NULL, 0);
    peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
    peer_expect_nothing(&p);
    assert_int_equal(peer_state(&p), FIN_LAST_ACK);
  }
  peer_free(&p);
}

/* BEHAVIOR M13: in CLOSING the peer's retransmitted FIN also acknowledges
 * our FIN (it got our FIN, we lost our ACK of its FIN): its ACK field is
 * processed although the segment is an old duplicate, as Linux and FreeBSD
 * do: TIME-WAIT at once, with the ACK it is owed - no retransmission
 * timeout spent waiting. */
static void test_closing_retransmitted_fin_acking_ours_enters_time_wait(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_closing(&p);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_TIME_WAIT);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_free(&p);
}

/* BEHAVIOR M13: the same in LAST-ACK: CLOSED (graceful), and the ACK the
 * resent FIN is owed still goes out. */
static void test_last_ack_retransmitted_fin_acking_ours_closes(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_last_ack(&p);
  drain_events(&p);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  struct seen s;
  seen_drain(&p, &s);
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_GRACEFUL);
  peer_free(&p);
}

/* BEHAVIOR M9: with the FreeBSD policy of repeating an unacknowledged FIN
 * on every ACK (settings.resend_fin_with_ack), a challenge ACK, a duplicate
 * ACK and a window update stay <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; only an
 * ACK owed for data repeats the FIN. */
static void test_challenge_and_duplicate_acks_never_carry_fin(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.resend_fin_with_ack = true;
  struct peer p;
  peer_init(&p, &set);
  to_fin_wait_1(&p);
  peer_send(&p, TCP_R, R(&p, 100), 0, NULL, 0); /* in window, not RCV.NXT */
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 1));
  peer_expect_nothing(&p);
  p.now += FIN_MS(10);
  peer_send(&p, TCP_A, R(&p, 2001), L(&p, 1), NULL, 10); /* out of order */
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 1));
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 10); /* in order: owed */
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 11));
  peer_free(&p);
}

/* BEHAVIOR D10: data after the peer's FIN is ignored: not delivered, not
 * ACKed beyond the FIN, counted. */
static void test_data_after_peer_fin_is_ignored(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_close_wait(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 2), L(&p, 1), "late", 4);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  assert_int_equal(fin_inq(p.st, p.s), 0);
  char buf[8];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 0);
  assert_int_equal(peer_counters(&p)->drop_after_fin, 1);
  /* The next ACK we send still says RCV.NXT = FIN + 1. */
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), 1);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 2), 1);
  peer_free(&p);
}

/* BEHAVIOR D10: URG data after the FIN is ignored the same way. */
/* ATTACK T22 */
static void test_urgent_data_after_peer_fin_is_ignored(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_closing(&p);
  peer_send(&p, TCP_A | TCP_P | FIN_TCP_URG, R(&p, 2), L(&p, 1), "u", 1);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSING);
  assert_int_equal(fin_inq(p.st, p.s), 0);
  assert_int_equal(peer_counters(&p)->drop_after_fin, 1);
  peer_free(&p);
}

/* BEHAVIOR D11: FIN-WAIT-1 still receives and delivers data. */
static void test_fin_wait_1_receives_and_delivers_data(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_fin_wait_1(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "hello", 5);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 6));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_1);
  char buf[8];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 5);
  assert_memory_equal(buf, "hello", 5);
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), -EAGAIN);
  peer_free(&p);
}

/* BEHAVIOR D11: FIN-WAIT-2 too, while the application holds the socket. */
static void test_fin_wait_2_receives_and_delivers_data(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_fin_wait_2(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 2), "world", 5);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 6));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_2);
  assert_int_equal(fin_poll(p.st, p.s) & FIN_POLLIN, FIN_POLLIN);
  char buf[8];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 5);
  assert_memory_equal(buf, "world", 5);
  peer_send(&p, TCP_A | TCP_F, R(&p, 6), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 7));
  assert_int_equal(peer_state(&p), FIN_TIME_WAIT);
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 0);
  peer_free(&p);
}

/* BEHAVIOR D11 (B8): once the application closed, data arriving in
 * FIN-WAIT-2 gets <SEQ=SEG.ACK><CTL=RST> and the connection ends. */
static void test_orphaned_fin_wait_2_data_gets_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 2), NULL, 0);
  drain_events(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 2), "zz", 2);
  peer_expect(&p, TCP_R, L(&p, 2), 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  struct seen s;
  seen_drain(&p, &s);
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_DATA_AFTER_CLOSE);
  peer_free(&p);
}

/* BEHAVIOR D13 (J2): FIN-WAIT-1 with the socket open: the FIN is
 * retransmitted with backoff R2 (15) times, then one RST and ETIMEDOUT. */
static void test_fin_wait_1_unacked_fin_gives_up_after_r2_with_etimedout(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_fin_wait_1(&p);
  drain_events(&p);
  assert_int_equal(retransmit_fin_until_give_up(&p, L(&p, 1), R(&p, 1)), 15);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  struct seen s;
  seen_drain(&p, &s);
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_RETRANSMIT_TIMEOUT);
  assert_int_equal(s.err, -ETIMEDOUT);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  char buf[4];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), -ETIMEDOUT);
  assert_int_equal(fin_poll(p.st, p.s) & (FIN_POLLERR | FIN_POLLHUP), FIN_POLLERR | FIN_POLLHUP);
  int err = 0;
  size_t len = sizeof(err);
  assert_int_equal(fin_getsockopt(p.st, p.s, FIN_SO_ERROR, &err, &len), 0);
  assert_int_equal(err, ETIMEDOUT);
  assert_int_equal(peer_counters(&p)->abort_on_timeout, 1);
  assert_int_equal(peer_counters(&p)->rst_timeout, 1);
  peer_free(&p);
}

/* BEHAVIOR D13 (F4): an orphan (close()) gives up after orphan_retries. */
static void test_orphan_fin_wait_1_unacked_fin_gives_up_after_orphan_retries(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  drain_events(&p);
  assert_int_equal(retransmit_fin_until_give_up(&p, L(&p, 1), R(&p, 1)), 8);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  struct seen s;
  seen_drain(&p, &s);
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_RETRANSMIT_TIMEOUT);
  assert_int_equal(s.err, -ETIMEDOUT);
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  peer_free(&p);
}

/* BEHAVIOR D13 (J2): in CLOSING the FIN is retransmitted the same way and
 * giving up still sends the best-effort RST. */
/* ATTACK T52 */
static void test_closing_unacked_fin_gives_up_after_r2(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_closing(&p);
  drain_events(&p);
  assert_int_equal(retransmit_fin_until_give_up(&p, L(&p, 1), R(&p, 2)), 15);
  struct seen s;
  seen_drain(&p, &s);
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_RETRANSMIT_TIMEOUT);
  assert_int_equal(s.err, -ETIMEDOUT);
  char buf[4];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), -ETIMEDOUT);
  peer_free(&p);
}

/* BEHAVIOR D13 (J2): in LAST-ACK too. */
/* ATTACK T66 */
static void test_last_ack_unacked_fin_gives_up_after_r2(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_last_ack(&p);
  drain_events(&p);
  assert_int_equal(retransmit_fin_until_give_up(&p, L(&p, 1), R(&p, 2)), 15);
  struct seen s;
  seen_drain(&p, &s);
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_RETRANSMIT_TIMEOUT);
  assert_int_equal(s.err, -ETIMEDOUT);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR D13 (J2): TCP_USER_TIMEOUT bounds the wait for the FIN's ACK. */
/* ATTACK T68 */
static void test_fin_wait_1_user_timeout_gives_up_on_time(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_TCP_USER_TIMEOUT, &(int){3000}, sizeof(int)), 0);
  fin_time t0 = p.now;
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  drain_events(&p);
  retransmit_fin_until_give_up(&p, L(&p, 1), R(&p, 1));
  assert_int_equal(p.now, t0 + FIN_SEC(3));
  struct seen s;
  seen_drain(&p, &s);
  assert_int_equal(s.reason, FIN_REASON_USER_TIMEOUT);
  assert_int_equal(s.err, -ETIMEDOUT);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          test_established_fin_enters_close_wait_acks_at_once_and_reads_eof_after_data),
      cmocka_unit_test(test_fin_after_hole_is_held_until_the_hole_fills),
      cmocka_unit_test(test_held_fin_and_data_survive_reads_while_the_hole_is_open),
      cmocka_unit_test(test_bare_fin_after_hole_is_held_until_the_hole_fills),
      cmocka_unit_test(test_fin_wait_1_ack_of_fin_enters_fin_wait_2),
      cmocka_unit_test(test_fin_wait_1_ack_below_fin_stays),
      cmocka_unit_test(test_fin_wait_1_fin_without_ack_enters_closing),
      cmocka_unit_test(test_fin_wait_1_fin_acking_our_fin_enters_time_wait_directly),
      cmocka_unit_test(test_orphan_fin_acking_our_fin_enters_time_wait_despite_negative_linger2),
      cmocka_unit_test(test_fin_wait_2_fin_enters_time_wait_and_stops_other_timers),
      cmocka_unit_test(test_closing_ack_of_fin_enters_time_wait),
      cmocka_unit_test(test_last_ack_ack_of_fin_closes_gracefully),
      cmocka_unit_test(test_close_wait_retransmitted_fin_is_reacked),
      cmocka_unit_test(test_closing_retransmitted_fin_is_reacked),
      cmocka_unit_test(test_last_ack_retransmitted_fin_is_reacked),
      cmocka_unit_test(test_closing_retransmitted_fin_acking_ours_enters_time_wait),
      cmocka_unit_test(test_last_ack_retransmitted_fin_acking_ours_closes),
      cmocka_unit_test(test_challenge_and_duplicate_acks_never_carry_fin),
      cmocka_unit_test(test_data_after_peer_fin_is_ignored),
      cmocka_unit_test(test_urgent_data_after_peer_fin_is_ignored),
      cmocka_unit_test(test_fin_wait_1_receives_and_delivers_data),
      cmocka_unit_test(test_fin_wait_2_receives_and_delivers_data),
      cmocka_unit_test(test_orphaned_fin_wait_2_data_gets_rst),
      cmocka_unit_test(test_fin_wait_1_unacked_fin_gives_up_after_r2_with_etimedout),
      cmocka_unit_test(test_orphan_fin_wait_1_unacked_fin_gives_up_after_orphan_retries),
      cmocka_unit_test(test_closing_unacked_fin_gives_up_after_r2),
      cmocka_unit_test(test_last_ack_unacked_fin_gives_up_after_r2),
      cmocka_unit_test(test_fin_wait_1_user_timeout_gives_up_on_time),
  };
  return PEER_RUN_BOTH(tests);
}
