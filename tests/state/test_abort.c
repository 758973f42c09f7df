/* SPDX-License-Identifier: MIT */
/* ABORT and abortive close, BEHAVIOR B1-B8 (RFC 9293 §3.10.5, RFC 2525
 * §2.16-2.17): reach the state through real segments, abort (fin_abort,
 * SO_LINGER, fin_stack_kill, close with unread data, data after close),
 * assert the exact RST (or that nothing at all goes out), what the
 * application sees, the close reason and the counters. */
#include <errno.h>
#include <string.h>

#include "closing.h"

/* ---- helpers ---- */

static const struct fin_4tuple *tuple_of(const struct peer *p) {
  static struct fin_4tuple t;
  t = (struct fin_4tuple){p->fin_ip, p->peer_ip, p->fin_port, PEER_PORT};
  return &t;
}

static int so_error(struct peer *p) {
  int v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p->st, p->s, FIN_SO_ERROR, &v, &len), 0);
  return v;
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

/* Nothing goes out now, nor at any later deadline. */
static void expect_silence_for_a_while(struct peer *p) {
  peer_expect_nothing(p);
  peer_advance(p, FIN_SEC(10));
  peer_expect_nothing(p);
}

/* ---- B1: RST from SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT ---- */

/* BEHAVIOR B1: SYN-RECEIVED through the API is a simultaneous open (a
 * passive child has no handle until ESTABLISHED; B6 kills one). */
static void test_abort_syn_received_sends_rst_snd_nxt_rcv_nxt(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  peer_expect(&p, TCP_S | TCP_A, L(&p, 0), R(&p, 1));
  assert_int_equal(peer_state(&p), FIN_SYN_RECEIVED);
  assert_int_equal(fin_abort(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 1));
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -EBADF); /* the handle is gone */
  expect_closed(&p, FIN_REASON_ABORT, 0);
  assert_int_equal(peer_counters(&p)->rst_abort, 1);
  assert_int_equal(peer_counters(&p)->abort_on_user, 1);
  peer_free(&p);
}

/* BEHAVIOR B1: SND.NXT covers data in flight, RCV.NXT data received; the
 * queued data is flushed, never retransmitted. */
static void test_abort_established_sends_rst_at_snd_nxt_rcv_nxt(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_send(p.st, p.s, "hello", 5, 0), 5);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 5);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "abc", 3);
  peer_expect(&p, TCP_A, L(&p, 6), R(&p, 4));
  assert_int_equal(fin_abort(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 6), R(&p, 4));
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), -EBADF);
  expect_closed(&p, FIN_REASON_ABORT, 0);
  assert_int_equal(peer_counters(&p)->rst_abort, 1);
  assert_int_equal(peer_counters(&p)->curr_estab, 0);
  peer_free(&p);
}

/* BEHAVIOR B1: FIN-WAIT-1: SND.NXT includes our FIN. */
static void test_abort_fin_wait_1_sends_rst_after_fin(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_fin_wait_1(&p);
  assert_int_equal(fin_abort(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 2), R(&p, 1));
  expect_silence_for_a_while(&p); /* no FIN retransmission */
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  expect_closed(&p, FIN_REASON_ABORT, 0);
  assert_int_equal(peer_counters(&p)->rst_abort, 1);
  peer_free(&p);
}

/* BEHAVIOR B1: FIN-WAIT-2. */
static void test_abort_fin_wait_2_sends_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_fin_wait_2(&p);
  assert_int_equal(fin_abort(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 2), R(&p, 1));
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  expect_closed(&p, FIN_REASON_ABORT, 0);
  peer_free(&p);
}

/* BEHAVIOR B1: CLOSE-WAIT: RCV.NXT includes the peer's FIN. */
static void test_abort_close_wait_sends_rst_acking_peer_fin(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_close_wait(&p);
  assert_int_equal(fin_abort(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 2));
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  expect_closed(&p, FIN_REASON_ABORT, 0);
  peer_free(&p);
}

/* ---- B2: LISTEN, SYN-SENT ---- */

/* BEHAVIOR B2: aborting a listener sends nothing; the port is then closed. */
static void test_abort_listen_sends_nothing(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 8);
  assert_int_equal(fin_abort(p.st, p.listener), 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_sock_state(p.st, p.listener), FIN_CLOSED);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  peer_expect(&p, TCP_R | TCP_A, 0, R(&p, 1)); /* A1: nobody listens */
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR B2: aborting in SYN-SENT sends nothing, not even a later SYN
 * retransmission; a late SYN-ACK meets no connection (A1). */
static void test_abort_syn_sent_sends_nothing(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  assert_int_equal(fin_abort(p.st, p.s), 0);
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  expect_closed(&p, FIN_REASON_ABORT, 0);
  peer_send(&p, TCP_S | TCP_A, p.irs, L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_R, L(&p, 1), 0);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* ---- B3: CLOSING, LAST-ACK, TIME-WAIT ---- */

/* BEHAVIOR B3: CLOSING: delete, no RST, no FIN retransmission. */
static void test_abort_closing_deletes_without_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_closing(&p);
  assert_int_equal(fin_abort(p.st, p.s), 0);
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  expect_closed(&p, FIN_REASON_ABORT, 0);
  peer_free(&p);
}

/* BEHAVIOR B3: LAST-ACK: delete, no RST. */
static void test_abort_last_ack_deletes_without_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_last_ack(&p);
  assert_int_equal(fin_abort(p.st, p.s), 0);
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  expect_closed(&p, FIN_REASON_ABORT, 0);
  peer_free(&p);
}

/* BEHAVIOR B3: TIME-WAIT: ABORT deletes the record (RFC 9293 §3.10.5:
 * "delete the TCB"), no RST; a retransmitted FIN then meets no connection. */
static void test_abort_time_wait_deletes_record_without_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_time_wait_via_fin_wait_2(&p);
  assert_int_equal(fin_abort(p.st, p.s), 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  expect_closed(&p, FIN_REASON_ABORT, 0);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_R, L(&p, 2), 0);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* The peer shuts its window (ACKing all), fin queues n bytes it cannot send. */
static void shut_window_and_queue(struct peer *p, uint32_t peer_seq, size_t n) {
  p->wnd = 0;
  peer_send(p, TCP_A, peer_seq, L(p, 1), NULL, 0);
  static const char data[4000];
  assert_int_equal(fin_send(p->st, p->s, data, n, 0), (ssize_t)n);
  peer_expect_nothing(p);
}

/* CLOSE-WAIT, 4000 bytes held back by the peer's zero window, then
 * shutdown(SHUT_WR): fin's state is LAST-ACK, but the FIN waits behind the
 * data (what RFC 9293 §3.10.4 still calls CLOSE-WAIT). */
static void to_last_ack_with_fin_unsent(struct peer *p) {
  to_close_wait(p);
  shut_window_and_queue(p, R(p, 2), 4000);
  assert_int_equal(fin_shutdown(p->st, p->s, FIN_SHUT_WR), 0);
  peer_expect_nothing(p);
  assert_int_equal(peer_state(p), FIN_LAST_ACK);
}

/* BEHAVIOR B3 (changed in turn 2), B4: SO_LINGER {1,0} there: 4000 bytes
 * and the FIN would vanish unreported, so the abort sends B1's RST. */
static void test_abort_last_ack_with_data_and_fin_unsent_sends_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_last_ack_with_fin_unsent(&p);
  set_linger(&p, 1, 0);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 2));
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  expect_closed(&p, FIN_REASON_ABORT, 0);
  assert_int_equal(peer_counters(&p)->rst_abort, 1);
  peer_free(&p);
}

/* BEHAVIOR B3: the same in CLOSING, reached with our FIN still queued
 * behind data the peer's zero window holds back. */
static void test_abort_closing_with_fin_unsent_sends_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  shut_window_and_queue(&p, R(&p, 1), 100);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 2));
  assert_int_equal(peer_state(&p), FIN_CLOSING);
  assert_int_equal(fin_abort(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 2));
  expect_silence_for_a_while(&p);
  expect_closed(&p, FIN_REASON_ABORT, 0);
  peer_free(&p);
}

/* BEHAVIOR B3, K2: stack shutdown reaches the same state through its own
 * abort path: at the deadline the LAST-ACK with data unsent gets the RST. */
static void test_stack_shutdown_resets_last_ack_with_fin_unsent(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_last_ack_with_fin_unsent(&p);
  fin_time deadline = p.now + FIN_SEC(2);
  fin_stack_shutdown(p.st, deadline);
  struct fin_segment last;
  memset(&last, 0, sizeof(last));
  for (int i = 0; i < 32 && fin_stack_conn_count(p.st) > 0; i++) {
    peer_advance_to_deadline(&p); /* persist probes, then the deadline */
    size_t n;
    while ((n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now)) > 0)
      assert_int_equal(fin_tcp_parse(p.buf, n, &last), FIN_WIRE_OK);
  }
  assert_int_equal(p.now, deadline);
  assert_int_equal(last.flags, TCP_R | TCP_A);
  assert_int_equal(last.seq, L(&p, 1));
  assert_int_equal(last.ack, R(&p, 2));
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->abort_on_shutdown, 1);
  peer_free(&p);
}

/* BEHAVIOR B3, F3: and so does orphan eviction (here max_orphans 0: the
 * orphan is evicted as soon as it exists). */
static void test_orphan_eviction_resets_last_ack_with_fin_unsent(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.max_orphans = 0;
  struct peer p;
  peer_init(&p, &s);
  to_last_ack_with_fin_unsent(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 2));
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  expect_closed(&p, FIN_REASON_MEMORY, -ENOMEM);
  assert_int_equal(peer_counters(&p)->abort_on_memory, 1);
  peer_free(&p);
}

/* BEHAVIOR B3 stays: LAST-ACK with everything sent (FIN included) is
 * deleted silently on abort - nothing would vanish unreported. */

/* ---- B4: SO_LINGER {1,0} ---- */

/* BEHAVIOR B4: close with SO_LINGER {1,0} sends RST, whatever is queued:
 * no FIN, no queued data. */
/* ATTACK T61 */
static void test_linger_zero_close_sends_rst_whatever_is_queued(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_send(p.st, p.s, "hello", 5, 0), 5);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 5);
  assert_int_equal(fin_send(p.st, p.s, "more", 4, 0), 4); /* held back by Nagle */
  peer_expect_nothing(&p);
  set_linger(&p, 1, 0);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 6), R(&p, 1));
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  expect_closed(&p, FIN_REASON_ABORT, 0);
  assert_int_equal(peer_counters(&p)->rst_abort, 1);
  assert_int_equal(peer_counters(&p)->abort_on_user, 1);
  peer_free(&p);
}

/* BEHAVIOR B4: the same with nothing queued, in CLOSE-WAIT. */
static void test_linger_zero_close_in_close_wait_sends_rst_not_fin(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_close_wait(&p);
  set_linger(&p, 1, 0);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 2));
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* ---- B5: SO_LINGER {1,N} ---- */

/* BEHAVIOR B5: close waits (-EINPROGRESS) until our FIN is ACKed, then
 * returns 0 and the orphan carries on (F1: reaped after fin_timeout). */
/* ATTACK T61 */
static void test_linger_close_waits_until_fin_acked(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  set_linger(&p, 1, 5);
  assert_int_equal(fin_close(p.st, p.s), -EINPROGRESS);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_1);
  p.now += FIN_MS(100);
  assert_int_equal(fin_close(p.st, p.s), -EINPROGRESS);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  assert_int_equal(peer_state(&p), FIN_CLOSED); /* the handle is released */
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  assert_int_equal(peer_counters(&p)->orphans_current, 1);
  peer_advance(&p, fin_stack_settings(p.st)->fin_timeout);
  peer_expect_nothing(&p); /* F1: reaped silently */
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR B5: after N seconds close returns 0 and the connection goes on
 * orphaned: no RST, the FIN is still retransmitted and the close finishes. */
/* ATTACK T61 */
static void test_linger_expiry_returns_and_connection_continues_without_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  set_linger(&p, 1, 2);
  assert_int_equal(fin_close(p.st, p.s), -EINPROGRESS);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_advance(&p, FIN_MS(1999));
  assert_int_equal(fin_close(p.st, p.s), -EINPROGRESS);
  peer_advance(&p, FIN_MS(1));
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1)); /* the retransmission due at 1 s */
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_free(&p);
}

/* BEHAVIOR B5: a non-blocking socket does not wait. */
/* ATTACK T61 */
static void test_linger_nonblocking_close_does_not_wait(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  set_linger(&p, 1, 5);
  int one = 1;
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_SO_NONBLOCK, &one, sizeof(one)), 0);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  peer_free(&p);
}

/* ---- B6: administrative kill ---- */

/* BEHAVIOR B6: killing an ESTABLISHED connection sends B1's RST; the
 * application still holding the handle learns ECONNABORTED. */
static void test_kill_established_sends_rst_and_app_sees_econnaborted(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_stack_kill(p.st, tuple_of(&p)), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 1));
  expect_silence_for_a_while(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), -ECONNABORTED);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -ECONNABORTED); /* once (G4) */
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -EPIPE);
  assert_int_equal(so_error(&p), 0);                                 /* the send reported it */
  assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), -ECONNABORTED); /* sticky */
  expect_closed(&p, FIN_REASON_ADMIN_KILL, -ECONNABORTED);
  assert_int_equal(peer_counters(&p)->abort_on_admin, 1);
  assert_int_equal(peer_counters(&p)->rst_abort, 1);
  assert_int_equal(fin_close(p.st, p.s), 0);
  assert_int_equal(fin_stack_kill(p.st, tuple_of(&p)), -ENOENT);
  peer_free(&p);
}

/* BEHAVIOR B6: an embryonic SYN-RECEIVED child gets the RST too; the
 * listener lives on. */
static void test_kill_syn_received_child_sends_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 8);
  p.fin_port = FIN_PORT;
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  size_t n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now);
  assert_int_equal(fin_tcp_parse(p.buf, n, &p.last), FIN_WIRE_OK);
  assert_int_equal(p.last.flags, TCP_S | TCP_A);
  p.iss = p.last.seq;
  assert_int_equal(fin_stack_kill(p.st, tuple_of(&p)), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 1));
  expect_silence_for_a_while(&p); /* no SYN-ACK retransmission */
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_accept(p.st, p.listener, NULL), -EAGAIN);
  assert_int_equal(fin_sock_state(p.st, p.listener), FIN_LISTEN);
  expect_closed(&p, FIN_REASON_ADMIN_KILL, -ECONNABORTED);
  assert_int_equal(peer_counters(&p)->abort_on_admin, 1);
  peer_free(&p);
}

/* BEHAVIOR B6 B3: killing a TIME-WAIT record deletes it, no RST. */
static void test_kill_time_wait_deletes_record_silently(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_time_wait_via_fin_wait_2(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  assert_int_equal(fin_stack_kill(p.st, tuple_of(&p)), 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  expect_closed(&p, FIN_REASON_ADMIN_KILL, 0);
  assert_int_equal(peer_counters(&p)->abort_on_admin, 1);
  assert_int_equal(fin_stack_kill(p.st, tuple_of(&p)), -ENOENT);
  peer_free(&p);
}

/* ---- B7: close with unread data ---- */

/* BEHAVIOR B7 (RFC 2525 §2.17): unread data at close -> RST, not FIN. */
/* ATTACK T60 */
static void test_close_with_unread_data_sends_rst_not_fin(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "0123456789", 10);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 11));
  assert_int_equal(fin_recv(p.st, p.s, p.buf, 4, 0), 4); /* 6 bytes stay unread */
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 11));
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  expect_closed(&p, FIN_REASON_UNREAD_DATA, 0);
  assert_int_equal(peer_counters(&p)->abort_on_close, 1);
  assert_int_equal(peer_counters(&p)->rst_closed_socket, 1);
  peer_free(&p);
}

/* BEHAVIOR B7 (changed in turn 2): in LAST-ACK too, unread data at close
 * means RST: the peer must learn its data was never read. */
static void test_close_in_last_ack_with_unread_data_sends_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_P | TCP_F, R(&p, 1), L(&p, 1), "abc", 3);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 5));
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 5));
  assert_int_equal(peer_state(&p), FIN_LAST_ACK);
  assert_int_equal(fin_close(p.st, p.s), 0); /* 3 bytes never read */
  peer_expect(&p, TCP_R | TCP_A, L(&p, 2), R(&p, 5));
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  expect_closed(&p, FIN_REASON_UNREAD_DATA, 0);
  assert_int_equal(peer_counters(&p)->abort_on_close, 1);
  peer_free(&p);
}

/* BEHAVIOR B7: once everything was read, close is graceful. */
/* ATTACK T60 */
static void test_close_after_reading_everything_sends_fin(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "0123456789", 10);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 11));
  assert_int_equal(fin_recv(p.st, p.s, p.buf, sizeof(p.buf), 0), 10);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 11));
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  peer_free(&p);
}

/* ---- B8: data after close ---- */

/* BEHAVIOR B8 (RFC 2525 §2.16): new data for an orphaned FIN-WAIT-1 ->
 * RST (<SEQ=SEG.ACK>, as Linux answers the segment), connection gone. */
/* ATTACK T64 */
static void test_data_for_orphaned_fin_wait_1_gets_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), NULL, 5);
  peer_expect(&p, TCP_R, L(&p, 1), 0);
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  expect_closed(&p, FIN_REASON_DATA_AFTER_CLOSE, -ECONNRESET);
  assert_int_equal(peer_counters(&p)->abort_on_data, 1);
  assert_int_equal(peer_counters(&p)->rst_closed_socket, 1);
  peer_free(&p);
}

/* BEHAVIOR B8: the same in an orphaned FIN-WAIT-2. */
/* ATTACK T64 */
static void test_data_for_orphaned_fin_wait_2_gets_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 2), NULL, 5);
  peer_expect(&p, TCP_R, L(&p, 2), 0);
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  expect_closed(&p, FIN_REASON_DATA_AFTER_CLOSE, -ECONNRESET);
  assert_int_equal(peer_counters(&p)->abort_on_data, 1);
  peer_free(&p);
}

/* BEHAVIOR M6 (RFC 1122 §4.2.2.13): data arriving while a blocking
 * SO_LINGER {1,N} close() waits can never be read: RST (<SEQ=SEG.ACK>, as
 * B8), never an ACK for data thrown away. close() then returns. */
static void test_data_during_linger_close_gets_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  set_linger(&p, 1, 5);
  assert_int_equal(fin_close(p.st, p.s), -EINPROGRESS);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "zz", 2);
  peer_expect(&p, TCP_R, L(&p, 1), 0);
  expect_silence_for_a_while(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_close(p.st, p.s), 0);
  expect_closed(&p, FIN_REASON_DATA_AFTER_CLOSE, -ECONNRESET);
  assert_int_equal(peer_counters(&p)->abort_on_data, 1);
  peer_free(&p);
}

/* BEHAVIOR D11 (changed in turn 2): after shutdown(SHUT_RDWR) new data in
 * FIN-WAIT-1 or FIN-WAIT-2 gets RST (Linux TCPAbortOnData), socket open
 * or not; the application sees ECONNRESET. */
static void test_data_after_shutdown_rdwr_gets_rst(void **state) {
  (void)state;
  for (int wait_2 = 0; wait_2 <= 1; wait_2++) {
    struct peer p;
    peer_init(&p, NULL);
    peer_establish_passive(&p);
    assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_RDWR), 0);
    peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
    uint32_t ack = L(&p, wait_2 ? 2 : 1);
    if (wait_2) {
      peer_send(&p, TCP_A, R(&p, 1), ack, NULL, 0);
      assert_int_equal(peer_state(&p), FIN_FIN_WAIT_2);
    }
    peer_send(&p, TCP_A | TCP_P, R(&p, 1), ack, "zz", 2);
    peer_expect(&p, TCP_R, ack, 0);
    peer_expect_nothing(&p);
    assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), -ECONNRESET);
    assert_int_equal(peer_counters(&p)->abort_on_data, 1);
    peer_free(&p);
  }
}

/* BEHAVIOR D11, G2: shutdown(SHUT_RD) alone keeps the half-close: in
 * FIN-WAIT-2 after shutdown(SHUT_WR) data is still delivered. */
static void test_data_in_fin_wait_2_after_shut_wr_is_delivered(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_fin_wait_2(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 2), "zz", 2);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 3));
  assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), 2);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_abort_syn_received_sends_rst_snd_nxt_rcv_nxt),
      cmocka_unit_test(test_abort_established_sends_rst_at_snd_nxt_rcv_nxt),
      cmocka_unit_test(test_abort_fin_wait_1_sends_rst_after_fin),
      cmocka_unit_test(test_abort_fin_wait_2_sends_rst),
      cmocka_unit_test(test_abort_close_wait_sends_rst_acking_peer_fin),
      cmocka_unit_test(test_abort_listen_sends_nothing),
      cmocka_unit_test(test_abort_syn_sent_sends_nothing),
      cmocka_unit_test(test_abort_closing_deletes_without_rst),
      cmocka_unit_test(test_abort_last_ack_deletes_without_rst),
      cmocka_unit_test(test_abort_time_wait_deletes_record_without_rst),
      cmocka_unit_test(test_abort_last_ack_with_data_and_fin_unsent_sends_rst),
      cmocka_unit_test(test_abort_closing_with_fin_unsent_sends_rst),
      cmocka_unit_test(test_stack_shutdown_resets_last_ack_with_fin_unsent),
      cmocka_unit_test(test_orphan_eviction_resets_last_ack_with_fin_unsent),
      cmocka_unit_test(test_linger_zero_close_sends_rst_whatever_is_queued),
      cmocka_unit_test(test_linger_zero_close_in_close_wait_sends_rst_not_fin),
      cmocka_unit_test(test_linger_close_waits_until_fin_acked),
      cmocka_unit_test(test_linger_expiry_returns_and_connection_continues_without_rst),
      cmocka_unit_test(test_linger_nonblocking_close_does_not_wait),
      cmocka_unit_test(test_kill_established_sends_rst_and_app_sees_econnaborted),
      cmocka_unit_test(test_kill_syn_received_child_sends_rst),
      cmocka_unit_test(test_kill_time_wait_deletes_record_silently),
      cmocka_unit_test(test_close_with_unread_data_sends_rst_not_fin),
      cmocka_unit_test(test_close_in_last_ack_with_unread_data_sends_rst),
      cmocka_unit_test(test_close_after_reading_everything_sends_fin),
      cmocka_unit_test(test_data_for_orphaned_fin_wait_1_gets_rst),
      cmocka_unit_test(test_data_for_orphaned_fin_wait_2_gets_rst),
      cmocka_unit_test(test_data_during_linger_close_gets_rst),
      cmocka_unit_test(test_data_after_shutdown_rdwr_gets_rst),
      cmocka_unit_test(test_data_in_fin_wait_2_after_shut_wr_is_delivered),
  };
  return PEER_RUN_BOTH(tests);
}
