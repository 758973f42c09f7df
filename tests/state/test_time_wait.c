/* SPDX-License-Identifier: MIT */
/* TIME-WAIT, BEHAVIOR E1-E9: reach TIME-WAIT through real segments, then
 * assert the exact segments out and nothing else, the deadline, the
 * counters and what the record answers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "closing.h"
#include "internal.h" /* struct fin_conn_bufs */

/* From ESTABLISHED: our FIN (close, or shutdown(SHUT_WR) when keep), then
 * the peer's FIN that ACKs it: TIME-WAIT, with our ACK <L(2), R(2)>. */
static void close_to_time_wait(struct peer *p, bool keep) {
  if (keep)
    assert_int_equal(fin_shutdown(p->st, p->s, FIN_SHUT_WR), 0);
  else
    assert_int_equal(fin_close(p->st, p->s), 0);
  peer_expect(p, TCP_A | TCP_F, L(p, 1), R(p, 1));
  peer_send(p, TCP_A | TCP_F, R(p, 1), L(p, 2), NULL, 0);
  peer_expect(p, TCP_A, L(p, 2), R(p, 2));
  peer_expect_nothing(p);
  assert_true(fin_stack_time_wait_count(p->st) >= 1);
  assert_int_equal(fin_stack_conn_count(p->st), 0);
}

static void to_time_wait(struct peer *p, bool keep) {
  peer_establish_passive(p);
  close_to_time_wait(p, keep);
  assert_int_equal(fin_stack_time_wait_count(p->st), 1);
}

/* Sends n bytes from fin to the peer, the peer ACKing everything. */
static void pump_to_peer(struct peer *p, size_t n) {
  static uint8_t data[65536];
  assert_true(n <= sizeof(data));
  memset(data, 'd', n);
  assert_int_equal(fin_send(p->st, p->s, data, n, 0), (ssize_t)n);
  uint32_t acked = L(p, 1), end = L(p, 1) + (uint32_t)n;
  for (int guard = 0; acked != end && guard < 1000; guard++) {
    size_t len;
    while ((len = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now)) > 0) {
      assert_int_equal(fin_tcp_parse(p->buf, len, &p->last), FIN_WIRE_OK);
      if (p->ts && p->last.opts.has_ts)
        p->fin_tsval = p->last.opts.ts_val;
      acked = p->last.seq + p->last.payload_len;
    }
    p->now += FIN_MS(1);
    peer_send(p, TCP_A, R(p, 1), acked, NULL, 0);
  }
  assert_int_equal(acked, end);
  peer_expect_nothing(p);
}

/* BEHAVIOR E1: TIME-WAIT lasts exactly 2*MSL (60 s by default); the record
 * then goes, reason time-wait-done, counted. */
/* ATTACK T50 */
static void test_time_wait_lasts_exactly_two_msl(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  drain_events(&p);
  fin_time t0 = p.now;
  close_to_time_wait(&p, false);
  assert_int_equal(fin_stack_next_deadline(p.st), t0 + FIN_SEC(60));
  assert_int_equal(peer_counters(&p)->tw_entered, 1);
  assert_int_equal(peer_counters(&p)->tw_current, 1);
  size_t cursor = 0;
  struct fin_conn_info info[4];
  assert_int_equal(fin_stack_list(p.st, &cursor, info, 4), 1);
  assert_int_equal(info[0].state, FIN_TIME_WAIT);
  assert_int_equal(info[0].next_deadline, t0 + FIN_SEC(60));
  assert_int_equal(info[0].next_timer, FIN_TIMER_TIME_WAIT);
  peer_advance(&p, FIN_SEC(60) - 1);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_advance(&p, 1);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->tw_expired, 1);
  assert_int_equal(peer_counters(&p)->tw_current, 0);
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  struct seen s;
  seen_drain(&p, &s);
  assert_string_equal(s.path, "FIN-WAIT-1>TIME-WAIT>CLOSED");
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_TIME_WAIT_DONE);
  peer_free(&p);
}

/* BEHAVIOR E1: MSL is configurable; a deadline that is not a whole
 * millisecond is rounded up (never shorter than 2*MSL). */
static void test_time_wait_follows_configured_msl_rounded_up_to_a_millisecond(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.msl = FIN_SEC(5);
  struct peer p;
  peer_init(&p, &set);
  peer_establish_passive(&p);
  p.now += FIN_MS(1) / 2;
  fin_time t0 = p.now;
  close_to_time_wait(&p, false);
  assert_int_equal(fin_stack_next_deadline(p.st), t0 + FIN_SEC(10) + FIN_MS(1) / 2);
  peer_advance(&p, FIN_SEC(10));
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_advance(&p, FIN_MS(1) / 2);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR E1 (G4): the application holding the socket sees TIME-WAIT,
 * EOF and POLLHUP, then CLOSED when the record expires. */
static void test_time_wait_socket_view_until_expiry(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_time_wait(&p, true);
  assert_int_equal(peer_state(&p), FIN_TIME_WAIT);
  char buf[4];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 0);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -EPIPE);
  assert_int_equal(fin_poll(p.st, p.s) & (FIN_POLLHUP | FIN_POLLERR | FIN_POLLRDHUP),
                   FIN_POLLHUP | FIN_POLLRDHUP);
  peer_advance(&p, FIN_SEC(60));
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR E2: a retransmitted FIN is ACKed (every time: the ACK is owed)
 * and restarts 2*MSL from its arrival. */
/* ATTACK T55 */
static void test_time_wait_retransmitted_fin_is_acked_and_restarts_timer(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_time_wait(&p, false);
  peer_advance(&p, FIN_SEC(40));
  for (int i = 0; i < 2; i++) {
    peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
    peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
    peer_expect_nothing(&p);
    assert_int_equal(fin_stack_next_deadline(p.st), p.now + FIN_SEC(60));
  }
  assert_int_equal(peer_counters(&p)->tw_fin_reacked, 2);
  fin_time restarted = p.now;
  peer_advance(&p, FIN_SEC(30)); /* past the original deadline */
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_advance(&p, restarted + FIN_SEC(60) - p.now);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR E3: by default a RST kills TIME-WAIT only at SEG.SEQ ==
 * RCV.NXT; any other RST is dropped; nothing is ever sent. */
/* ATTACK T56 */
static void test_time_wait_rst_kills_only_at_rcv_nxt(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_time_wait(&p, false);
  drain_events(&p);
  peer_send(&p, TCP_R, R(&p, 3), 0, NULL, 0);
  peer_send(&p, TCP_R | TCP_A, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  assert_int_equal(peer_counters(&p)->drop_rst_time_wait, 2);
  assert_int_equal(peer_counters(&p)->tw_killed, 0);
  peer_send(&p, TCP_R, R(&p, 2), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->tw_killed, 1);
  struct seen s;
  seen_drain(&p, &s);
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_TIME_WAIT_RESET);
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  peer_free(&p);
}

/* BEHAVIOR E3: with rfc1337 every RST in TIME-WAIT is ignored. */
/* ATTACK T56 */
static void test_time_wait_rfc1337_ignores_every_rst(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.rfc1337 = true;
  struct peer p;
  peer_init(&p, &set);
  to_time_wait(&p, false);
  peer_send(&p, TCP_R, R(&p, 2), 0, NULL, 0);
  peer_send(&p, TCP_R | TCP_A, R(&p, 2), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  assert_int_equal(peer_counters(&p)->tw_killed, 0);
  assert_int_equal(peer_counters(&p)->drop_rst_time_wait, 2);
  peer_free(&p);
}

/* Peer sends a SYN for a new incarnation; fin answers with a SYN-ACK whose
 * ISS is returned. */
static uint32_t reopen_syn(struct peer *p, uint32_t new_irs) {
  peer_send(p, TCP_S, new_irs, 0, NULL, 0);
  size_t n = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now);
  assert_true(n > 0);
  assert_int_equal(fin_tcp_parse(p->buf, n, &p->last), FIN_WIRE_OK);
  assert_int_equal(p->last.flags, TCP_S | TCP_A);
  assert_int_equal(p->last.ack, new_irs + 1);
  if (p->last.opts.has_ts)
    p->fin_tsval = p->last.opts.ts_val;
  peer_expect_nothing(p);
  return p->last.seq;
}

/* BEHAVIOR E4: without timestamps a SYN with SEG.SEQ > RCV.NXT reopens
 * TIME-WAIT; the new ISS lies beyond the old SND.NXT even when the ISN
 * clock has not moved that far; the record goes once the new connection is
 * established. */
/* ATTACK T57 T77 */
static void test_time_wait_syn_above_rcv_nxt_reopens_with_iss_beyond_old_snd_nxt(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  pump_to_peer(&p, 40000); /* the ISN clock moves 250/ms: far less in this test */
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 40001), R(&p, 1));
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 40002), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 40002), R(&p, 2));
  uint32_t old_snd_nxt = L(&p, 40002);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  drain_events(&p);
  p.now += FIN_MS(5);
  uint32_t irs2 = R(&p, 2) + 100000;
  uint32_t iss2 = reopen_syn(&p, irs2);
  assert_true((int32_t)(iss2 - old_snd_nxt) > 0);
  assert_int_equal(peer_counters(&p)->tw_reopened, 1);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1); /* suspended, not yet gone */
  p.irs = irs2;
  p.iss = iss2;
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->tw_restored, 0);
  fin_sock s2 = fin_accept(p.st, p.listener, NULL);
  assert_true(s2 >= 0);
  assert_int_equal(fin_sock_state(p.st, s2), FIN_ESTABLISHED);
  struct seen s;
  seen_drain(&p, &s);
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_TIME_WAIT_REOPENED);
  peer_free(&p);
}

/* BEHAVIOR E4 (A6): without timestamps a SYN at or below RCV.NXT gets a
 * (rate-limited) challenge ACK and TIME-WAIT stays. */
/* ATTACK T57 */
static void test_time_wait_old_syn_gets_challenge_ack(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_time_wait(&p, false);
  peer_send(&p, TCP_S, R(&p, 2), 0, NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  peer_send(&p, TCP_S, R(&p, 0), 0, NULL, 0);
  peer_expect_nothing(&p); /* A6: one per 500 ms */
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  assert_int_equal(peer_counters(&p)->syn_challenges, 2);
  assert_int_equal(peer_counters(&p)->challenge_acks, 1);
  assert_int_equal(peer_counters(&p)->tw_reopened, 0);
  p.now += FIN_MS(500);
  peer_send(&p, TCP_S, R(&p, 1), 0, NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR E4: with timestamps the TSval decides (RFC 6191): a newer one
 * reopens even with SEG.SEQ below RCV.NXT. */
/* ATTACK T57 */
static void test_time_wait_syn_with_newer_tsval_reopens(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  to_time_wait(&p, false);
  p.now += FIN_MS(5);
  uint32_t irs2 = R(&p, 0) - 70000;
  uint32_t iss2 = reopen_syn(&p, irs2);
  assert_true((int32_t)(iss2 - L(&p, 2)) > 0);
  assert_int_equal(peer_counters(&p)->tw_reopened, 1);
  peer_free(&p);
}

/* BEHAVIOR E4: with timestamps an older TSval gets the challenge ACK even
 * with SEG.SEQ above RCV.NXT. */
/* ATTACK T57 */
static void test_time_wait_syn_with_older_tsval_gets_challenge_ack(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  to_time_wait(&p, false);
  p.ts_val = 10; /* older than every TSval the peer sent */
  peer_send(&p, TCP_S, R(&p, 2) + 100000, 0, NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->tw_reopened, 0);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_free(&p);
}

/* BEHAVIOR E4 (RFC 6191 §2): an equal TSval reopens only with SEG.SEQ
 * beyond RCV.NXT; at or below it the SYN gets the challenge ACK. */
/* ATTACK T57 */
static void test_time_wait_syn_with_equal_tsval_reopens_only_above_rcv_nxt(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  to_time_wait(&p, false);
  uint32_t last_tsval = p.ts_val - 1; /* what the record holds as TS.Recent */
  p.ts_val = last_tsval;
  peer_send(&p, TCP_S, R(&p, 2), 0, NULL, 0); /* equal, not beyond RCV.NXT */
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->tw_reopened, 0);
  p.ts_val = last_tsval;
  reopen_syn(&p, R(&p, 2) + 1000); /* equal, beyond RCV.NXT */
  assert_int_equal(peer_counters(&p)->tw_reopened, 1);
  peer_free(&p);
}

/* BEHAVIOR M12 (§3.10.7.4 fifth check): in TIME-WAIT an acceptable segment
 * without the ACK bit is dropped silently; an unacceptable one (a FIN
 * without ACK ending at RCV.NXT lies left of the window) gets the
 * rate-limited ACK; neither restarts 2*MSL - only E2's FIN with ACK does. */
/* ATTACK T58 */
static void test_time_wait_segments_without_ack_bit(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  fin_time t0 = p.now;
  close_to_time_wait(&p, false);
  p.now += FIN_SEC(1);
  peer_send(&p, TCP_P, R(&p, 2), 0, "data", 4); /* acceptable, no ACK */
  peer_expect_nothing(&p);
  peer_send(&p, TCP_F, R(&p, 1), 0, NULL, 0); /* unacceptable, no ACK */
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_next_deadline(p.st), t0 + FIN_SEC(60));
  assert_int_equal(peer_counters(&p)->tw_fin_reacked, 0);
  peer_free(&p);
}

/* BEHAVIOR M17, E4: the record a reopening SYN suspended expires while the
 * new SYN-RECEIVED waits for its ACK: the old connection still ends with
 * STATE TIME-WAIT->CLOSED and CLOSED (time-wait-done), the new one later
 * with its own CLOSED (syn-recv-timeout). */
static void test_suspended_record_that_expires_emits_closed(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  uint64_t old_id = fin_sock_conn_id(p.st, p.s);
  fin_time t0 = p.now;
  close_to_time_wait(&p, false);
  drain_events(&p);
  p.now = t0 + FIN_MS(59500);
  reopen_syn(&p, R(&p, 2) + 100000); /* never ACKed: the peer went away */
  bool old_closed = false, new_closed = false;
  for (int i = 0; i < 64 && fin_stack_conn_count(p.st) + fin_stack_time_wait_count(p.st) > 0; i++) {
    peer_advance_to_deadline(&p);
    while (fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now) > 0)
      ; /* SYN-ACK retransmissions, unanswered */
    peer_audit(&p);
    struct fin_event ev;
    while (fin_stack_poll_event(p.st, &ev))
      if (ev.type == FIN_EV_CLOSED && ev.conn_id == old_id) {
        assert_int_equal(ev.reason, FIN_REASON_TIME_WAIT_DONE);
        old_closed = true;
      } else if (ev.type == FIN_EV_CLOSED) {
        assert_int_equal(ev.reason, FIN_REASON_SYN_RECV_TIMEOUT);
        new_closed = true;
      }
  }
  assert_true(old_closed);
  assert_true(new_closed);
  peer_free(&p);
}

/* BEHAVIOR E4: the SYN that reopened TIME-WAIT proves an old duplicate
 * (the peer answers our SYN-ACK with RST): the record is restored with its
 * original deadline and answers as before. */
static void test_time_wait_reopen_by_old_duplicate_restores_record(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  fin_time t0 = p.now;
  close_to_time_wait(&p, false);
  uint32_t irs = p.irs;
  p.now += FIN_SEC(1);
  uint32_t irs2 = R(&p, 2) + 5000;
  reopen_syn(&p, irs2);
  assert_int_equal(peer_counters(&p)->tw_reopened, 1);
  drain_events(&p);
  peer_send(&p, TCP_R, irs2 + 1, 0, NULL, 0); /* <SEQ=SEG.ACK><CTL=RST> */
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->tw_restored, 1);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_stack_next_deadline(p.st), t0 + FIN_SEC(60));
  size_t cursor = 0;
  struct fin_conn_info info[4];
  assert_int_equal(fin_stack_list(p.st, &cursor, info, 4), 1);
  assert_int_equal(info[0].state, FIN_TIME_WAIT);
  /* The restored record still answers the old connection's FIN. */
  p.irs = irs;
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR E5: PAWS in ESTABLISHED: an old TSval is dropped and ACKed;
 * a RST is exempt. */
/* ATTACK T41 */
static void test_paws_drops_old_tsval_in_established_rst_exempt(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  peer_establish_passive(&p);
  uint32_t good = p.ts_val;
  p.ts_val = good - 100;
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "old", 3);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(fin_inq(p.st, p.s), 0);
  assert_int_equal(peer_counters(&p)->drop_paws, 1);
  p.ts_val = good;
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "new", 3);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 4));
  assert_int_equal(fin_inq(p.st, p.s), 3);
  p.ts_val = good - 100;
  peer_send(&p, TCP_R | TCP_A, R(&p, 4), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  char buf[8];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), -ECONNRESET); /* H4: flushed */
  peer_free(&p);
}

/* BEHAVIOR E5: PAWS in TIME-WAIT: an old TSval is dropped (counted) with
 * an ACK; a RST with an old TSval at RCV.NXT still kills (exempt). */
/* ATTACK T41 */
static void test_paws_in_time_wait_rst_exempt(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  to_time_wait(&p, false);
  uint32_t good = p.ts_val;
  p.ts_val = good - 100;
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->drop_paws_tw, 1);
  assert_int_equal(peer_counters(&p)->tw_fin_reacked, 0); /* not taken as a FIN */
  peer_send(&p, TCP_R, R(&p, 2), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->tw_killed, 1);
  peer_free(&p);
}

/* BEHAVIOR E6: other segments in TIME-WAIT get an ACK, at most one per
 * 500 ms (A6), nothing else; the timer is not restarted. */
/* ATTACK T58 */
static void test_time_wait_other_segments_get_rate_limited_ack(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  fin_time t0 = p.now;
  close_to_time_wait(&p, false);
  peer_send(&p, TCP_A | TCP_P, R(&p, 2), L(&p, 2), "data", 4);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 9), L(&p, 2), NULL, 0);
  peer_send(&p, TCP_A | TCP_P, R(&p, 2), L(&p, 2), "data", 4);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->drop_tw_segment, 3);
  assert_int_equal(peer_counters(&p)->ack_rate_limited, 2);
  p.now += FIN_MS(500);
  peer_send(&p, TCP_A, R(&p, 9), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  /* The peer's duplicate final ACK is not answered at all. */
  p.now += FIN_SEC(1);
  peer_send(&p, TCP_A, R(&p, 2), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_next_deadline(p.st), t0 + FIN_SEC(60));
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_free(&p);
}

/* BEHAVIOR E7: the record is at most 40 bytes (48 for IPv6), and entering
 * TIME-WAIT frees the connection block and both buffers. */
static void test_time_wait_entry_frees_tcb_and_buffers(void **state) {
  (void)state;
  assert_true(fin_time_wait_record_size() <= 40);
  assert_true(fin_time_wait_record_size_v6() <= 48);
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  /* Data both ways first: rings are allocated on first use. */
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "q", 1);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 2));
  char b;
  assert_int_equal(fin_recv(p.st, p.s, &b, 1, 0), 1);
  assert_int_equal(fin_send(p.st, p.s, "r", 1, 0), 1);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 2), 1);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 2), R(&p, 2));
  peer_send(&p, TCP_A, R(&p, 2), L(&p, 3), NULL, 0);
  drain_events(&p);
  size_t before = fin_stack_memory_in_use(p.st);
  peer_send(&p, TCP_A | TCP_F, R(&p, 2), L(&p, 3), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 3), R(&p, 3));
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  size_t after = fin_stack_memory_in_use(p.st);
  /* The first IPv6 record allocates a page of its log (128 records) and
   * the log's ring of page pointers (one); IPv4's exist from the start. */
  size_t slab = p.v6 ? 128 * fin_time_wait_record_size_v6() + sizeof(void *) : 0;
  /* The TCB goes back to the allocator; the two chunks, both rings' chunk
   * maps and their block go back to the pool (kept for the next
   * connection). */
  assert_int_equal(before - after, fin_tcb_size() - slab);
  assert_int_equal(fin_stack_buffer_memory(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR E7 (and DESIGN "millions of connections"): a connection that
 * carries no data holds no buffers - its TCB is all it costs; the rings
 * appear on first use. */
static void test_idle_connection_costs_only_its_tcb(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p); /* a first connection grows the tables */
  drain_events(&p);
  size_t before = fin_stack_memory_in_use(p.st);
  p.peer_port = 40001; /* the connection measured */
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  p.s = fin_accept(p.st, p.listener, NULL);
  assert_true(p.s >= 0);
  drain_events(&p);
  assert_int_equal(fin_stack_memory_in_use(p.st) - before, fin_tcb_size());
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "z", 1);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 2));
  drain_events(&p);
  /* The block of both rings (made with the first byte), one chunk and the
   * ring's chunk map, not the 64 KiB the ring may hold. */
  size_t chunk = fin_stack_buffer_chunk(p.st), map = 65536 / chunk * sizeof(void *);
  assert_int_equal(fin_stack_memory_in_use(p.st) - before,
                   fin_tcb_size() + sizeof(struct fin_conn_bufs) + map + chunk);
  assert_int_equal(fin_stack_buffer_memory(p.st), chunk);
  peer_free(&p);
}

/* Active open from fin (a new ephemeral port), then fin closes first and
 * the connection reaches TIME-WAIT. Returns fin's port. */
static uint16_t active_to_time_wait(struct peer *p, uint32_t irs) {
  p->s = -1;
  p->irs = irs;
  peer_establish_active(p);
  close_to_time_wait(p, false);
  return p->fin_port;
}

/* BEHAVIOR E8: at the cap the oldest record is recycled, counted, with a
 * CLOSED event; the recycled 4-tuple is unknown afterwards (RST). */
/* ATTACK T77 */
static void test_time_wait_cap_recycles_oldest_record(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.max_time_wait = 2;
  struct peer p;
  peer_init(&p, &set);
  uint16_t port1 = active_to_time_wait(&p, 1000000);
  p.now += FIN_MS(10);
  uint16_t port2 = active_to_time_wait(&p, 2000000);
  assert_int_equal(fin_stack_time_wait_count(p.st), 2);
  assert_true(port1 != port2);
  drain_events(&p);
  p.now += FIN_MS(10);
  uint16_t port3 = active_to_time_wait(&p, 3000000);
  assert_true(port3 != port1 && port3 != port2);
  assert_int_equal(fin_stack_time_wait_count(p.st), 2);
  assert_int_equal(peer_counters(&p)->tw_recycled, 1);
  assert_int_equal(peer_counters(&p)->tw_entered, 3);
  struct seen s;
  seen_drain(&p, &s);
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_TIME_WAIT_RECYCLED);
  /* The oldest 4-tuple is gone: its FIN gets a RST, the second still ACKs. */
  p.fin_port = port1;
  p.irs = 1000000;
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), 12345, NULL, 0);
  peer_expect(&p, TCP_R, 12345, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->tw_recycled, 1);
  peer_free(&p);
}

/* BEHAVIOR E9: connect() may reuse a TIME-WAIT 4-tuple only with
 * timestamps (and not in the first second), counted; the new ISS lies
 * beyond the old SND.NXT. */
/* ATTACK T77 */
static void test_connect_reuses_time_wait_tuple_only_with_timestamps(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  struct fin_sockaddr local = peer_local(&p, 5000);
  struct fin_sockaddr dst = peer_remote(&p);
  p.s = fin_socket(p.st);
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_SO_REUSEADDR, &(int){1}, sizeof(int)), 0);
  assert_int_equal(fin_bind(p.st, p.s, &local), 0);
  peer_establish_active(&p);
  assert_int_equal(p.fin_port, 5000);
  close_to_time_wait(&p, false);
  uint32_t old_snd_nxt = L(&p, 2);
  fin_sock s2 = fin_socket(p.st);
  assert_int_equal(fin_setsockopt(p.st, s2, FIN_SO_REUSEADDR, &(int){1}, sizeof(int)), 0);
  assert_int_equal(fin_bind(p.st, s2, &local), 0);
  p.now += FIN_MS(500);
  fin_stack_set_now(p.st, p.now);
  assert_int_equal(fin_connect(p.st, s2, &dst), -EADDRINUSE); /* too young */
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->tw_recycled, 0);
  p.now += FIN_SEC(1);
  fin_stack_set_now(p.st, p.now);
  p.s = s2;
  peer_start_connect(&p);
  assert_int_equal(p.fin_port, 5000);
  assert_true((int32_t)(p.iss - old_snd_nxt) > 0);
  assert_int_equal(peer_counters(&p)->tw_recycled, 1);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  p.irs += 100000;
  peer_send(&p, TCP_S | TCP_A, p.irs, L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* BEHAVIOR E9: without timestamps the TIME-WAIT 4-tuple is never reused. */
static void test_connect_never_reuses_time_wait_tuple_without_timestamps(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  struct fin_sockaddr local = peer_local(&p, 5000);
  struct fin_sockaddr dst = peer_remote(&p);
  p.s = fin_socket(p.st);
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_SO_REUSEADDR, &(int){1}, sizeof(int)), 0);
  assert_int_equal(fin_bind(p.st, p.s, &local), 0);
  peer_establish_active(&p);
  close_to_time_wait(&p, false);
  fin_sock s2 = fin_socket(p.st);
  assert_int_equal(fin_setsockopt(p.st, s2, FIN_SO_REUSEADDR, &(int){1}, sizeof(int)), 0);
  assert_int_equal(fin_bind(p.st, s2, &local), 0);
  p.now += FIN_SEC(30);
  fin_stack_set_now(p.st, p.now);
  assert_int_equal(fin_connect(p.st, s2, &dst), -EADDRINUSE);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  assert_int_equal(peer_counters(&p)->tw_recycled, 0);
  peer_free(&p);
}

/* BEHAVIOR E9: an ephemeral connect() skips a TIME-WAIT 4-tuple it may not
 * reuse and picks another port. */
static void test_ephemeral_connect_skips_time_wait_tuple_without_timestamps(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.ephemeral_port_min = 6000;
  set.ephemeral_port_max = 6001;
  struct peer p;
  peer_init(&p, &set);
  uint16_t port1 = active_to_time_wait(&p, 1000000);
  p.s = -1;
  p.irs = 2000000;
  peer_establish_active(&p);
  assert_true(p.fin_port != port1);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  assert_int_equal(peer_counters(&p)->tw_recycled, 0);
  fin_sock s3 = fin_socket(p.st);
  struct fin_sockaddr dst = peer_remote(&p);
  assert_int_equal(fin_connect(p.st, s3, &dst), -EADDRNOTAVAIL);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_time_wait_lasts_exactly_two_msl),
      cmocka_unit_test(test_time_wait_follows_configured_msl_rounded_up_to_a_millisecond),
      cmocka_unit_test(test_time_wait_socket_view_until_expiry),
      cmocka_unit_test(test_time_wait_retransmitted_fin_is_acked_and_restarts_timer),
      cmocka_unit_test(test_time_wait_rst_kills_only_at_rcv_nxt),
      cmocka_unit_test(test_time_wait_rfc1337_ignores_every_rst),
      cmocka_unit_test(test_time_wait_syn_above_rcv_nxt_reopens_with_iss_beyond_old_snd_nxt),
      cmocka_unit_test(test_time_wait_old_syn_gets_challenge_ack),
      cmocka_unit_test(test_time_wait_syn_with_newer_tsval_reopens),
      cmocka_unit_test(test_time_wait_syn_with_older_tsval_gets_challenge_ack),
      cmocka_unit_test(test_time_wait_reopen_by_old_duplicate_restores_record),
      cmocka_unit_test(test_time_wait_syn_with_equal_tsval_reopens_only_above_rcv_nxt),
      cmocka_unit_test(test_time_wait_segments_without_ack_bit),
      cmocka_unit_test(test_suspended_record_that_expires_emits_closed),
      cmocka_unit_test(test_paws_drops_old_tsval_in_established_rst_exempt),
      cmocka_unit_test(test_paws_in_time_wait_rst_exempt),
      cmocka_unit_test(test_time_wait_other_segments_get_rate_limited_ack),
      cmocka_unit_test(test_time_wait_entry_frees_tcb_and_buffers),
      cmocka_unit_test(test_idle_connection_costs_only_its_tcb),
      cmocka_unit_test(test_time_wait_cap_recycles_oldest_record),
      cmocka_unit_test(test_connect_reuses_time_wait_tuple_only_with_timestamps),
      cmocka_unit_test(test_connect_never_reuses_time_wait_tuple_without_timestamps),
      cmocka_unit_test(test_ephemeral_connect_skips_time_wait_tuple_without_timestamps),
  };
  return PEER_RUN_BOTH(tests);
}
