/* SPDX-License-Identifier: MIT */
/* Attack catalogue section E, the termination state machine (FIN,
 * TIME-WAIT, RST, close semantics): the exact traces of both closes, FIN
 * retransmission, FIN reordering, RSTs in TIME-WAIT at every edge, close
 * with unread data, SO_LINGER, data after close, data in flight at close,
 * LAST-ACK liveness, RST while closing, the user timeout. Every trace is
 * asserted segment by segment, with the states the connection went
 * through, what the application sees, and that it all ends with nothing
 * held. Every group runs over IPv4 and IPv6. */
#include <errno.h>
#include <string.h>

#include "attack.h"
#include "closing.h"

static int so_error(struct peer *p) {
  int v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p->st, p->s, FIN_SO_ERROR, &v, &len), 0);
  return v;
}

static void set_linger(struct peer *p, int on, int secs) {
  struct fin_linger l = {on, secs};
  assert_int_equal(fin_setsockopt(p->st, p->s, FIN_SO_LINGER, &l, sizeof(l)), 0);
}

/* Nothing left: no connection, no record, no deadline, no buffer. */
static void nothing_left(struct peer *p) {
  assert_int_equal(fin_stack_conn_count(p->st), 0);
  assert_int_equal(fin_stack_time_wait_count(p->st), 0);
  assert_int_equal(fin_stack_next_deadline(p->st), FIN_NEVER);
  assert_int_equal(fin_stack_buffer_memory(p->st), 0);
}

/* ---- T50, T51 ---- */

/* ATTACK T50 */
static void test_active_close_exact_trace(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  drain_events(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  p.now += FIN_MS(100);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  fin_time tw = p.now;
  /* RFC 9293 §3.6 MUST-13: TIME-WAIT for 2*MSL, then CLOSED. */
  assert_int_equal(fin_stack_next_deadline(p.st), tw + FIN_SEC(60));
  peer_advance(&p, FIN_SEC(60) - 1);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_expect_nothing(&p);
  peer_advance(&p, 1);
  peer_expect_nothing(&p);
  struct seen s;
  seen_drain(&p, &s);
  assert_string_equal(s.path, "FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT>CLOSED");
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_TIME_WAIT_DONE);
  nothing_left(&p);
  /* A later segment meets no connection: RST (A1). */
  peer_send(&p, TCP_A, R(&p, 2), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_R, L(&p, 2), 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->out_rsts, 1);
  peer_free(&p);
}

/* ATTACK T51 */
static void test_passive_close_exact_trace(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  drain_events(&p);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  uint8_t b[4];
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), 0);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 2));
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 2), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  struct seen s;
  seen_drain(&p, &s);
  assert_string_equal(s.path, "CLOSE-WAIT>LAST-ACK>CLOSED");
  assert_int_equal(s.reason, FIN_REASON_GRACEFUL);
  nothing_left(&p); /* the passive closer has no TIME-WAIT */
  peer_send(&p, TCP_A, R(&p, 2), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_R, L(&p, 2), 0);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* ---- T52 ---- */

/* ATTACK T52 */
static void test_fin_retransmitted_with_same_seq_in_closing_and_fin_wait_1(void **state) {
  (void)state;
  /* CLOSING: our FIN crossed the peer's; neither ACK arrives. */
  struct peer p;
  peer_init(&p, NULL);
  to_closing(&p);
  peer_advance_to_deadline(&p);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 2));
  peer_expect_nothing(&p);
  peer_advance_to_deadline(&p);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 2));
  peer_send(&p, TCP_A, R(&p, 2), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_TIME_WAIT);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_free(&p);

  /* FIN-WAIT-1: the peer acknowledges the data but not the FIN. */
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_send(p.st, p.s, "hello", 5, 0), 5);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  peer_expect_len(&p, TCP_A | TCP_P | TCP_F, L(&p, 1), R(&p, 1), 5);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 6), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_1);
  peer_advance_to_deadline(&p);
  peer_expect_len(&p, TCP_A | TCP_F, L(&p, 6), R(&p, 1), 0); /* the FIN alone, same SEQ */
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 7), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 7), R(&p, 2));
  assert_int_equal(peer_state(&p), FIN_TIME_WAIT);
  peer_free(&p);
}

/* ---- T53 ---- */

/* ATTACK T53 */
static void test_late_fin_with_old_ack_after_ack_of_our_fin(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_fin_wait_1(&p);
  /* "." ack 2 first, then the peer's FIN that was sent before it, whose
   * ACK field (1) is older than SND.UNA (2) - still acceptable (RFC 5961
   * §5.2: SND.UNA - MAX.SND.WND <= SEG.ACK): the FIN is taken and ACKed
   * (Linux 795a7dfbc3d9). */
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_2);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_TIME_WAIT);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_free(&p);
}

/* ---- T54 ---- */

/* ATTACK T54 */
static void test_fin_ahead_of_missing_data_waits_for_it(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  uint8_t data[300];
  for (size_t i = 0; i < sizeof(data); i++)
    data[i] = (uint8_t)(i * 13 + 1);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), data, 100); /* 1-100 */
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 101));
  peer_send(&p, TCP_A | TCP_F, R(&p, 201), L(&p, 1), data + 200, 100); /* 201-300 + FIN */
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 101));                        /* not the FIN */
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  uint8_t got[400];
  assert_int_equal(fin_recv(p.st, p.s, got, sizeof(got), 0), 100);
  assert_int_equal(fin_recv(p.st, p.s, got, sizeof(got), 0), -EAGAIN); /* no EOF yet */
  assert_int_equal(fin_poll(p.st, p.s) & FIN_POLLRDHUP, 0);
  peer_send(&p, TCP_A, R(&p, 101), L(&p, 1), data + 100, 100); /* 101-200, last */
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 302));                /* 300 bytes and the FIN */
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  assert_int_equal(fin_recv(p.st, p.s, got, sizeof(got), 0), 200);
  assert_memory_equal(got, data + 100, 200);
  assert_int_equal(fin_recv(p.st, p.s, got, sizeof(got), 0), 0);
  peer_free(&p);
}

/* ---- T56 ---- */

/* ATTACK T56 */
static void test_rst_in_time_wait_at_every_edge(void **state) {
  (void)state;
  for (int rfc1337 = 0; rfc1337 <= 1; rfc1337++) {
    struct fin_settings set;
    fin_settings_default(&set);
    set.rfc1337 = rfc1337;
    struct peer p;
    peer_init(&p, &set);
    to_time_wait_via_fin_wait_2(&p);
    uint32_t wnd = p.last.wnd; /* the window of fin's last ACK (no scaling) */
    /* RCV.NXT-1, RCV.NXT+WND-1, RCV.NXT+WND: never acted on. */
    const uint32_t off[] = {(uint32_t)-1, wnd - 1, wnd};
    for (size_t i = 0; i < 3; i++) {
      peer_send(&p, TCP_R, R(&p, 2) + off[i], 0, NULL, 0);
      peer_send(&p, TCP_R | TCP_A, R(&p, 2) + off[i], L(&p, 2), NULL, 0);
    }
    peer_expect_nothing(&p);
    assert_int_equal(fin_stack_time_wait_count(p.st), 1);
    /* RCV.NXT itself: BEHAVIOR E3 kills the record by default (Linux);
     * rfc1337 (RFC 1337's TIME-WAIT assassination fix) ignores it too. */
    peer_send(&p, TCP_R, R(&p, 2), 0, NULL, 0);
    peer_expect_nothing(&p);
    assert_int_equal(fin_stack_time_wait_count(p.st), rfc1337 ? 1 : 0);
    assert_int_equal(peer_counters(&p)->drop_rst_time_wait, rfc1337 ? 7 : 6);
    assert_int_equal(peer_counters(&p)->tw_killed, rfc1337 ? 0 : 1);
    assert_int_equal(peer_counters(&p)->out_rsts, 0);
    peer_free(&p);
  }
}

/* ---- T60 ---- */

/* ATTACK T60 */
static void test_close_with_unread_data_resets_otherwise_fin_only(void **state) {
  (void)state;
  /* (a) 1000 bytes received and unread: close sends RST, not FIN
   * (RFC 2525 §2.17). */
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), NULL, 1000);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1001));
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 1001));
  peer_expect_nothing(&p);
  peer_advance(&p, FIN_SEC(10));
  peer_expect_nothing(&p);
  nothing_left(&p);
  peer_free(&p);
  /* (b) everything read, the peer's FIN, then close: FIN, and no RST ever. */
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), NULL, 1000);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1001));
  uint8_t buf[1200];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 1000);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1001), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1002));
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 0);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1002));
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 1002), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  nothing_left(&p);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  peer_free(&p);
}

/* ---- T61 ---- */

/* ATTACK T61 */
static void test_so_linger_variants(void **state) {
  (void)state;
  /* {1,3 s} with data the peer's closed window holds back: close() waits
   * (-EINPROGRESS) exactly 3 s, returns, and the orphan still delivers the
   * data and then the FIN once the window opens - no RST. */
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  p.wnd = 0;
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  assert_int_equal(fin_send(p.st, p.s, "lingering data", 14, 0), 14);
  set_linger(&p, 1, 3);
  fin_time t0 = p.now;
  assert_int_equal(fin_close(p.st, p.s), -EINPROGRESS);
  int probes = 0;
  while (fin_close(p.st, p.s) == -EINPROGRESS) {
    assert_true(p.now - t0 < FIN_SEC(3));
    peer_advance_to_deadline(&p);
    probes += attack_drain(&p); /* zero-window probes, unanswered */
  }
  assert_int_equal(p.now - t0, FIN_SEC(3));
  assert_true(probes >= 1);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  p.wnd = 65535;
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  const struct fin_segment *d = peer_expect(&p, TCP_A | TCP_P | TCP_F, L(&p, 1), R(&p, 1));
  assert_int_equal(d->payload_len, 14);
  assert_memory_equal(d->payload, "lingering data", 14);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 16), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 16), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  peer_free(&p);

  /* shutdown(SHUT_RDWR), then close with {1,0}: the FIN from the shutdown,
   * then the abortive RST (after the FIN: SEQ = SND.NXT). */
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_RDWR), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  set_linger(&p, 1, 0);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 2), R(&p, 1));
  peer_expect_nothing(&p);
  nothing_left(&p);
  peer_free(&p);

  /* SO_LINGER on a socket that never connected: close returns at once and
   * nothing goes out; the same for a socket still in SYN-SENT (C4). */
  peer_init(&p, NULL);
  p.s = fin_socket(p.st);
  set_linger(&p, 1, 3);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect_nothing(&p);
  p.s = -1;
  peer_start_connect(&p);
  set_linger(&p, 1, 3);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect_nothing(&p);
  nothing_left(&p);
  peer_free(&p);
}

/* ---- T64 ---- */

/* ATTACK T64 */
static void test_data_after_our_fin_was_acked_gets_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_last_ack(&p);
  peer_send(&p, TCP_A, R(&p, 2), L(&p, 2), NULL, 0); /* our FIN ACKed: CLOSED */
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  /* Extra data from the peer: it is lost, and the peer is told (RST). */
  peer_send(&p, TCP_A | TCP_P, R(&p, 2), L(&p, 2), "Sample Data", 11);
  peer_expect(&p, TCP_R, L(&p, 2), 0);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* ---- T65 ---- */

/* ATTACK T65 */
static void test_close_with_data_in_flight_keeps_connection_until_all_acked(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  static uint8_t data[10000];
  for (size_t i = 0; i < sizeof(data); i++)
    data[i] = (uint8_t)(i * 7 + 5);
  assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), 10000);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_RDWR), 0);
  assert_int_equal(fin_close(p.st, p.s), 0);
  /* The data, then the FIN after it (on the last segment). */
  static uint8_t seen[10000];
  uint32_t next = L(&p, 1);
  bool fin = false;
  int n = 0;
  size_t len;
  while ((len = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now)) > 0) {
    assert_int_equal(fin_tcp_parse(p.buf, len, &p.last), FIN_WIRE_OK);
    assert_int_equal(p.last.seq, next);
    assert_false(p.last.flags & TCP_R);
    memcpy(seen + (next - L(&p, 1)), p.last.payload, p.last.payload_len);
    next += p.last.payload_len;
    fin = p.last.flags & TCP_F;
    n++;
  }
  assert_int_equal(next, L(&p, 10001));
  assert_true(fin);
  assert_memory_equal(seen, data, sizeof(data));
  /* The peer is slow: nothing ACKed until the RTO resends from SND.UNA. */
  peer_advance_to_deadline(&p);
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), attack_info(&p, -1).snd_mss);
  attack_drain(&p);
  /* All data ACKed, not the FIN: it is retransmitted, same SEQ. */
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 10001), NULL, 0);
  while (attack_drain(&p) == 0)
    peer_advance_to_deadline(&p);
  assert_int_equal(p.last.flags & (TCP_F | TCP_R), TCP_F);
  assert_int_equal(p.last.seq + p.last.payload_len, L(&p, 10001));
  assert_int_equal(attack_info(&p, -1).state, FIN_FIN_WAIT_1);
  /* The FIN ACKed, the peer's FIN: TIME-WAIT, no RST at any point. */
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 10002), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 10002), R(&p, 2));
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  (void)n;
  peer_free(&p);
}

/* ---- T66 ---- */

/* ATTACK T66 */
static void test_last_ack_never_stuck(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_close_wait(&p);
  assert_int_equal(fin_send(p.st, p.s, "bye", 3, 0), 3);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect_len(&p, TCP_A | TCP_P | TCP_F, L(&p, 1), R(&p, 2), 3);
  /* An ACK of the data, not of the FIN; then three duplicates of it:
   * LAST-ACK stays, and nothing but FIN retransmissions goes out. */
  for (int i = 0; i < 4; i++) {
    peer_send(&p, TCP_A, R(&p, 2), L(&p, 4), NULL, 0);
    while (attack_drain(&p) > 0)
      assert_int_equal(p.last.flags, TCP_A | TCP_F);
    assert_int_equal(attack_info(&p, -1).state, FIN_LAST_ACK);
  }
  /* Then total silence: the FIN is retransmitted with backoff until the
   * orphan's budget (F4) runs out: one RST, CLOSED - never forever. */
  int rexmits = retransmit_fin_until_give_up(&p, L(&p, 4), R(&p, 2));
  assert_int_equal(rexmits, (int)fin_stack_settings(p.st)->orphan_retries);
  nothing_left(&p);
  peer_free(&p);
}

/* ---- T67 ---- */

/* One CLOSED event for the connection, reason reset. */
static void closed_once_by_reset(struct peer *p) {
  struct fin_event ev;
  int closed = 0;
  while (fin_stack_poll_event(p->st, &ev))
    if (ev.type == FIN_EV_CLOSED) {
      closed++;
      assert_int_equal(ev.reason, FIN_REASON_RESET);
    }
  assert_int_equal(closed, 1);
}

static void fin_wait_1_with_data(struct peer *p) {
  peer_establish_passive(p);
  static uint8_t data[5000];
  memset(data, 'q', sizeof(data));
  assert_int_equal(fin_send(p->st, p->s, data, sizeof(data), 0), 5000);
  assert_int_equal(fin_shutdown(p->st, p->s, FIN_SHUT_WR), 0);
  assert_true(attack_drain(p) >= 4);
  assert_true(p->last.flags & TCP_F);
  assert_int_equal(peer_state(p), FIN_FIN_WAIT_1);
}

/* ATTACK T67 */
static void test_rst_while_closing_frees_everything_once(void **state) {
  (void)state;
  void (*reach[])(struct peer *) = {fin_wait_1_with_data, to_fin_wait_2, to_closing, to_last_ack};
  const uint32_t rcv_k[] = {1, 1, 2, 2};
  for (size_t i = 0; i < 4; i++) {
    struct peer p;
    peer_init(&p, NULL);
    reach[i](&p);
    drain_events(&p);
    peer_send(&p, TCP_R, R(&p, rcv_k[i]), 0, NULL, 0);
    peer_expect_nothing(&p);
    peer_advance(&p, FIN_SEC(200)); /* nothing retransmitted, no timer left */
    peer_expect_nothing(&p);
    nothing_left(&p);
    closed_once_by_reset(&p);
    assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), -ECONNRESET);
    assert_int_equal(peer_counters(&p)->out_rsts, 0);
    peer_free(&p);
  }
}

/* ---- T68 ---- */

/* ATTACK T68 */
static void test_user_timeout_ends_fin_retransmission_and_zero_window(void **state) {
  (void)state;
  for (int zero_window = 0; zero_window <= 1; zero_window++) {
    struct peer p;
    peer_init(&p, NULL);
    peer_establish_passive(&p);
    assert_int_equal(fin_setsockopt(p.st, p.s, FIN_TCP_USER_TIMEOUT, &(int){5000}, sizeof(int)), 0);
    fin_time t0 = p.now;
    if (zero_window) {
      /* The peer keeps its window shut and answers every probe. */
      p.wnd = 0;
      peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
      assert_int_equal(fin_send(p.st, p.s, "stuck", 5, 0), 5);
      t0 = p.now;
      while (fin_stack_conn_count(p.st) > 0) {
        assert_true(p.now - t0 < FIN_SEC(30));
        peer_advance_to_deadline(&p);
        if (attack_drain(&p) > 0 && !(p.last.flags & TCP_R))
          peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
      }
      assert_true(p.now - t0 >= FIN_SEC(5) && p.now - t0 < FIN_SEC(7));
    } else {
      /* The peer goes silent after our FIN. */
      assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
      peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
      retransmit_fin_until_give_up(&p, L(&p, 1), R(&p, 1));
      assert_int_equal(p.now - t0, FIN_SEC(5));
    }
    assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), -ETIMEDOUT);
    assert_int_equal(so_error(&p), ETIMEDOUT);
    /* The peer comes back: its next segment finds no connection (RST). */
    peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
    peer_expect(&p, TCP_R, L(&p, 1), 0);
    peer_expect_nothing(&p);
    nothing_left(&p);
    peer_free(&p);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_active_close_exact_trace),
      cmocka_unit_test(test_passive_close_exact_trace),
      cmocka_unit_test(test_fin_retransmitted_with_same_seq_in_closing_and_fin_wait_1),
      cmocka_unit_test(test_late_fin_with_old_ack_after_ack_of_our_fin),
      cmocka_unit_test(test_fin_ahead_of_missing_data_waits_for_it),
      cmocka_unit_test(test_rst_in_time_wait_at_every_edge),
      cmocka_unit_test(test_close_with_unread_data_resets_otherwise_fin_only),
      cmocka_unit_test(test_so_linger_variants),
      cmocka_unit_test(test_data_after_our_fin_was_acked_gets_rst),
      cmocka_unit_test(test_close_with_data_in_flight_keeps_connection_until_all_acked),
      cmocka_unit_test(test_last_ack_never_stuck),
      cmocka_unit_test(test_rst_while_closing_frees_everything_once),
      cmocka_unit_test(test_user_timeout_ends_fin_retransmission_and_zero_window),
  };
  return PEER_RUN_BOTH(tests);
}
