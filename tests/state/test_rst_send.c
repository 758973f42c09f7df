/* SPDX-License-Identifier: MIT */
/* Sending RST, BEHAVIOR A1-A9 (RFC 9293 §3.5.2, §3.10.7): which segment
 * earns a RST and with which numbers, which earns an empty ACK instead, the
 * per-connection ACK and stack-wide RST rate limits, the optional TIME-WAIT
 * after an abortive RST, and malformed input. Each test asserts the exact
 * segments out and that nothing else went out. */
#include <errno.h>
#include <string.h>

#include "peer.h"

/* ---- helpers ---- */

/* A datagram as peer_send_opts would build it, for the caller to corrupt. */
static size_t raw_build(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack,
                        const uint8_t *opt, size_t optlen, size_t len, uint8_t *dgram) {
  static uint8_t fill[64];
  memset(fill, 'x', sizeof(fill));
  assert_true(len <= sizeof(fill));
  struct fin_segment seg;
  memset(&seg, 0, sizeof(seg));
  seg.saddr = p->peer_ip;
  seg.daddr = p->fin_ip;
  seg.sport = PEER_PORT;
  seg.dport = p->fin_port ? p->fin_port : FIN_PORT;
  seg.seq = seq;
  seg.ack = ack;
  seg.flags = flags;
  seg.wnd = p->wnd;
  seg.ttl = 64;
  size_t n = fin_tcp_build(dgram, 1600, &seg, opt, optlen, fill, len, NULL, 0);
  assert_true(n > 0);
  return n;
}

/* fin_tcp_build writes a 20-byte IPv4 or a 40-byte IPv6 header */
#define TCP_OFF (p->v6 ? 40 : 20)

static void send_bad_checksum(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack,
                              size_t len) {
  uint8_t d[1600];
  size_t n = raw_build(p, flags, seq, ack, NULL, 0, len, d);
  d[TCP_OFF + 16] ^= 0x5a;
  fin_stack_input(p->st, d, n, p->now);
}

static void send_bad_data_offset(struct peer *p, uint32_t seq, uint32_t ack, uint8_t words) {
  uint8_t d[1600];
  size_t n = raw_build(p, TCP_A, seq, ack, NULL, 0, 0, d);
  d[TCP_OFF + 12] = (uint8_t)(words << 4);
  fin_stack_input(p->st, d, n, p->now);
}

/* MSS option claiming 8 bytes in a 4-byte options area. */
static const uint8_t overrun_opt[4] = {2, 8, 0x05, 0xb4};

/* The one connection's state from the stack's listing (for children that
 * have no handle yet). */
static enum fin_state only_conn_state(struct peer *p) {
  struct fin_conn_info info[2];
  size_t cursor = 0;
  size_t n = fin_stack_list(p->st, &cursor, info, 2);
  assert_int_equal(n, 1);
  return info[0].state;
}

/* Listen, take the peer's SYN, answer SYN-ACK: a SYN-RECEIVED child. */
static void start_passive(struct peer *p) {
  peer_listen(p, 8);
  peer_send(p, TCP_S, p->irs, 0, NULL, 0);
  size_t n = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now);
  assert_true(n > 0);
  assert_int_equal(fin_tcp_parse(p->buf, n, &p->last), FIN_WIRE_OK);
  assert_int_equal(p->last.flags, TCP_S | TCP_A);
  assert_int_equal(p->last.ack, R(p, 1));
  p->iss = p->last.seq;
  peer_expect_nothing(p);
}

static int so_error(struct peer *p) {
  int v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p->st, p->s, FIN_SO_ERROR, &v, &len), 0);
  return v;
}

/* ---- A1: no connection ---- */

/* BEHAVIOR A1 */
/* ATTACK T94 */
static void test_no_conn_segment_with_ack_gets_rst_seq_seg_ack(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_send(&p, TCP_A, 5000, 777777, NULL, 0);
  peer_expect(&p, TCP_R, 777777, 0);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A | TCP_P, 5000, 888888, NULL, 10);
  peer_expect(&p, TCP_R, 888888, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->rst_no_conn, 2);
  assert_int_equal(peer_counters(&p)->out_rsts, 2);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR A1 */
/* ATTACK T94 */
static void test_no_conn_syn_gets_rst_ack_seq_zero_ack_seq_plus_one(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  peer_expect(&p, TCP_R | TCP_A, 0, R(&p, 1));
  peer_expect_nothing(&p);
  /* SEG.SEQ + SEG.LEN wraps modulo 2^32 (K4). */
  peer_send(&p, TCP_S, 0xffffffffu, 0, NULL, 0);
  peer_expect(&p, TCP_R | TCP_A, 0, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->rst_no_conn, 2);
  peer_free(&p);
}

/* BEHAVIOR A1: SEG.LEN counts the data, the SYN and the FIN. */
/* ATTACK T40 */
static void test_no_conn_seg_len_counts_syn_fin_and_data(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_send(&p, TCP_S | TCP_F, 1000, 0, NULL, 10);
  peer_expect(&p, TCP_R | TCP_A, 0, 1000 + 12);
  peer_send(&p, TCP_F, 2000, 0, NULL, 3);
  peer_expect(&p, TCP_R | TCP_A, 0, 2000 + 4);
  peer_send(&p, TCP_F, 3000, 0, NULL, 0);
  peer_expect(&p, TCP_R | TCP_A, 0, 3000 + 1);
  peer_send(&p, TCP_P, 4000, 0, NULL, 7);
  peer_expect(&p, TCP_R | TCP_A, 0, 4000 + 7);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->rst_no_conn, 4);
  peer_free(&p);
}

/* BEHAVIOR A1: never answer a RST. */
/* ATTACK T94 */
static void test_no_conn_rst_is_never_answered(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_send(&p, TCP_R, 5000, 0, NULL, 0);
  peer_send(&p, TCP_R | TCP_A, 5000, 6000, NULL, 0);
  peer_send(&p, TCP_R | TCP_F, 5000, 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->drop_rst_no_conn, 3);
  assert_int_equal(peer_counters(&p)->rst_no_conn, 0);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  peer_free(&p);
}

/* ---- A2: LISTEN ---- */

/* BEHAVIOR A2: RST ignored. */
/* ATTACK T94 */
static void test_listen_rst_is_ignored(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 8);
  peer_send(&p, TCP_R, p.irs, 0, NULL, 0);
  peer_send(&p, TCP_R | TCP_A, p.irs, 12345, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->drop_listen_rst, 2);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_sock_state(p.st, p.listener), FIN_LISTEN);
  peer_free(&p);
}

/* BEHAVIOR A2: any ACK -> <SEQ=SEG.ACK><CTL=RST>. */
/* ATTACK T71 */
static void test_listen_ack_gets_rst_seq_seg_ack(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 8);
  peer_send(&p, TCP_A, R(&p, 1), 12345, NULL, 0);
  peer_expect(&p, TCP_R, 12345, 0);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), 54321, NULL, 20);
  peer_expect(&p, TCP_R, 54321, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->rst_listen_ack, 2);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_accept(p.st, p.listener, NULL), -EAGAIN);
  peer_free(&p);
}

/* BEHAVIOR A2: SYN -> SYN-RECEIVED with a SYN-ACK. */
static void test_listen_syn_enters_syn_received(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  start_passive(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  assert_int_equal(only_conn_state(&p), FIN_SYN_RECEIVED);
  assert_int_equal(peer_counters(&p)->passive_opens, 1);
  peer_free(&p);
}

/* BEHAVIOR A2: anything else (no SYN, ACK or RST) is dropped. */
static void test_listen_other_segments_dropped_silently(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 8);
  peer_send(&p, TCP_F, p.irs, 0, NULL, 0);
  peer_send(&p, TCP_P, p.irs, 0, NULL, 10);
  peer_send(&p, 0, p.irs, 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->drop_listen_other, 3);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* ---- A3: SYN-SENT ---- */

/* BEHAVIOR A3: SEG.ACK <= ISS -> <SEQ=SEG.ACK><CTL=RST>, state unchanged. */
static void test_syn_sent_ack_at_or_below_iss_gets_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send(&p, TCP_S | TCP_A, p.irs, L(&p, 0), NULL, 0);
  peer_expect(&p, TCP_R, L(&p, 0), 0);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, p.irs, L(&p, -100), NULL, 0);
  peer_expect(&p, TCP_R, L(&p, -100), 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_SYN_SENT);
  assert_int_equal(peer_counters(&p)->rst_syn_sent_bad_ack, 2);
  /* The lowest acceptable value, ISS+1 = SND.NXT, still connects. */
  peer_send(&p, TCP_S | TCP_A, p.irs, L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* BEHAVIOR A3: SEG.ACK > SND.NXT -> <SEQ=SEG.ACK><CTL=RST>. */
static void test_syn_sent_ack_above_snd_nxt_gets_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send(&p, TCP_S | TCP_A, p.irs, L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_R, L(&p, 2), 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_SYN_SENT);
  assert_int_equal(peer_counters(&p)->rst_syn_sent_bad_ack, 1);
  peer_free(&p);
}

/* BEHAVIOR A3: an unacceptable ACK on a RST is dropped, not answered. */
static void test_syn_sent_rst_with_bad_ack_dropped_not_answered(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send(&p, TCP_R | TCP_A, 0, L(&p, 2), NULL, 0);
  peer_send(&p, TCP_R | TCP_A, 0, L(&p, 0), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_SYN_SENT);
  assert_int_equal(peer_counters(&p)->drop_syn_sent_bad, 2);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  peer_free(&p);
}

/* ---- A4: SYN-RECEIVED ---- */

/* BEHAVIOR A4: unacceptable ACK -> <SEQ=SEG.ACK><CTL=RST>; the child stays
 * and a good ACK still completes it. */
/* ATTACK T42 */
static void test_syn_received_unacceptable_ack_gets_rst_seq_seg_ack(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  start_passive(&p);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 5), NULL, 0);
  peer_expect(&p, TCP_R, L(&p, 5), 0);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 0), NULL, 0); /* SEG.ACK = SND.UNA: not > SND.UNA */
  peer_expect(&p, TCP_R, L(&p, 0), 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->rst_syn_recv_bad_ack, 2);
  assert_int_equal(only_conn_state(&p), FIN_SYN_RECEIVED);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  p.s = fin_accept(p.st, p.listener, NULL);
  assert_true(p.s >= 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* ---- A5: synchronized states ---- */

/* BEHAVIOR A5: out-of-window data gets <SEQ=SND.NXT><ACK=RCV.NXT>, no RST. */
/* ATTACK T38 */
static void test_established_out_of_window_data_gets_empty_ack(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A, R(&p, 1 + 65536), L(&p, 1), NULL, 10); /* right of the window */
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), 0);
  peer_expect_nothing(&p);
  p.now += FIN_MS(500);                               /* A6: one such ACK per 500 ms */
  peer_send(&p, TCP_A, R(&p, -9), L(&p, 1), NULL, 5); /* an old duplicate */
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->drop_out_of_window, 1);
  assert_int_equal(peer_counters(&p)->old_duplicates, 1); /* M13: its ACK field was processed */
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  assert_int_equal(fin_inq(p.st, p.s), 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* BEHAVIOR A5: the same in CLOSE-WAIT, where RCV.NXT includes the FIN. */
/* ATTACK T38 */
static void test_close_wait_out_of_window_data_gets_empty_ack(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 2));
  peer_send(&p, TCP_A, R(&p, 2 + 65536), L(&p, 1), NULL, 10);
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 2), 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  peer_free(&p);
}

/* BEHAVIOR A5: an out-of-window RST is dropped silently. */
/* ATTACK T32 */
static void test_established_out_of_window_rst_dropped_silently(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_R, R(&p, 1 + 65536), 0, NULL, 0);
  peer_send(&p, TCP_R | TCP_A, R(&p, 1 + 100000), L(&p, 1), NULL, 0);
  peer_send(&p, TCP_R, R(&p, 0), 0, NULL, 0); /* RCV.NXT-1 without a FIN: left of it */
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->drop_rst_out_of_window, 3);
  assert_int_equal(peer_counters(&p)->challenge_acks, 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* ---- A6: per-connection ACK rate limit ---- */

/* BEHAVIOR A6: two challenge ACKs 100 ms apart -> one. */
/* ATTACK T31 */
static void test_challenge_acks_100ms_apart_send_one(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_R, R(&p, 100), 0, NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  peer_advance(&p, FIN_MS(100));
  peer_send(&p, TCP_R, R(&p, 200), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->challenge_acks, 1);
  assert_int_equal(peer_counters(&p)->ack_rate_limited, 1);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* BEHAVIOR A6: two challenge ACKs 600 ms apart -> two. */
/* ATTACK T31 */
static void test_challenge_acks_600ms_apart_send_two(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_R, R(&p, 100), 0, NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  peer_advance(&p, FIN_MS(600));
  peer_send(&p, TCP_R, R(&p, 200), 0, NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->challenge_acks, 2);
  assert_int_equal(peer_counters(&p)->ack_rate_limited, 0);
  peer_free(&p);
}

/* The identity of one connection under test, to switch between two. */
struct conn_id {
  uint32_t iss, irs;
  uint16_t fin_port;
  fin_sock s;
};

static void save_conn(const struct peer *p, struct conn_id *c) {
  *c = (struct conn_id){p->iss, p->irs, p->fin_port, p->s};
}

static void use_conn(struct peer *p, const struct conn_id *c) {
  p->iss = c->iss;
  p->irs = c->irs;
  p->fin_port = c->fin_port;
  p->s = c->s;
}

/* BEHAVIOR A6: the limit is per connection, never a global counter
 * (CVE-2016-5696): a challenge on one does not silence the other. */
/* ATTACK T92 */
static void test_challenge_ack_limit_is_per_connection(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  struct conn_id a, b;
  peer_establish_passive(&p); /* 10.0.0.1:80 <- 10.0.0.2:40000 */
  save_conn(&p, &a);
  p.s = -1;
  p.irs = 5000000;
  peer_establish_active(&p); /* 10.0.0.1:ephemeral -> 10.0.0.2:40000 */
  save_conn(&p, &b);
  use_conn(&p, &a);
  peer_send(&p, TCP_R, R(&p, 100), 0, NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  peer_advance(&p, FIN_MS(100));
  use_conn(&p, &b);
  peer_send(&p, TCP_R, R(&p, 100), 0, NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  /* Each connection is limited on its own. */
  use_conn(&p, &a);
  peer_send(&p, TCP_R, R(&p, 200), 0, NULL, 0);
  use_conn(&p, &b);
  peer_send(&p, TCP_R, R(&p, 200), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->challenge_acks, 2);
  assert_int_equal(peer_counters(&p)->ack_rate_limited, 2);
  peer_free(&p);
}

/* BEHAVIOR A6 (changed in turn 2): every ACK for an unacceptable segment is
 * rate-limited - out-of-window data, old duplicates - so spoofed segments
 * cannot make fin send the duplicate ACKs that trigger the real peer's fast
 * retransmit. What is owed is never throttled: the retransmission of exactly
 * what we acknowledged last (it ends at RCV.NXT: our ACK was lost; D9 for
 * a FIN) is re-ACKed every time. */
static void test_ack_rate_limit_spares_only_what_is_owed(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A, R(&p, -9), L(&p, 1), NULL, 5); /* old, not the last */
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  peer_send(&p, TCP_A, R(&p, -9), L(&p, 1), NULL, 5);
  peer_send(&p, TCP_A, R(&p, 1 + 70000), L(&p, 1), NULL, 5); /* out of window */
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->ack_rate_limited, 2);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "abcde", 5);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 6));
  for (int i = 0; i < 3; i++) { /* our ACK was lost: the peer resends */
    peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "abcde", 5);
    peer_expect(&p, TCP_A, L(&p, 1), R(&p, 6));
  }
  peer_send(&p, TCP_A | TCP_F, R(&p, 6), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 7));
  for (int i = 0; i < 3; i++) { /* D9: a retransmitted FIN in CLOSE-WAIT */
    peer_send(&p, TCP_A | TCP_F, R(&p, 6), L(&p, 1), NULL, 0);
    peer_expect(&p, TCP_A, L(&p, 1), R(&p, 7));
  }
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->ack_rate_limited, 2);
  assert_int_equal(fin_inq(p.st, p.s), 5); /* the data once */
  peer_free(&p);
}

/* ---- A7: stack-wide RST rate limit ---- */

/* BEHAVIOR A7: RSTs for closed ports share one stack-wide budget, whatever
 * the port; the suppressed ones are counted; the budget refills. */
/* ATTACK T71 T94 */
static void test_closed_port_rsts_rate_limited_stack_wide_and_counted(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.rst_rate_per_sec = 3;
  struct peer p;
  peer_init(&p, &s);
  for (uint16_t i = 0; i < 5; i++) {
    p.fin_port = (uint16_t)(81 + i);
    peer_send(&p, TCP_S, 1000u * i, 0, NULL, 0);
  }
  peer_expect(&p, TCP_R | TCP_A, 0, 1);
  peer_expect(&p, TCP_R | TCP_A, 0, 1001);
  peer_expect(&p, TCP_R | TCP_A, 0, 2001);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->rst_no_conn, 3);
  assert_int_equal(peer_counters(&p)->rst_rate_limited, 2);
  peer_advance(&p, FIN_SEC(1));
  p.fin_port = 90;
  peer_send(&p, TCP_A, 7000, 4242, NULL, 0);
  peer_expect(&p, TCP_R, 4242, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->rst_no_conn, 4);
  assert_int_equal(peer_counters(&p)->rst_rate_limited, 2);
  peer_free(&p);
}

/* BEHAVIOR A7 B1: the limit is for closed ports only; an ABORT's RST goes
 * out even when the budget is spent. */
static void test_rst_rate_limit_does_not_hold_back_abort(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.rst_rate_per_sec = 1;
  struct peer p;
  peer_init(&p, &s);
  peer_establish_passive(&p);
  p.fin_port = 81;
  peer_send(&p, TCP_S, 1000, 0, NULL, 0);
  peer_send(&p, TCP_S, 2000, 0, NULL, 0);
  peer_expect(&p, TCP_R | TCP_A, 0, 1001);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->rst_rate_limited, 1);
  p.fin_port = FIN_PORT;
  assert_int_equal(fin_abort(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->rst_abort, 1);
  peer_free(&p);
}

/* ---- A8: TIME-WAIT after an abortive RST ---- */

/* BEHAVIOR A8: off by default: after an ABORT a straggler meets no
 * connection and gets a RST (A1). */
static void test_abort_without_rst_time_wait_leaves_nothing(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_abort(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 10);
  peer_expect(&p, TCP_R, L(&p, 1), 0);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR A8: with rst_time_wait, the side that sent the abortive RST
 * keeps a TIME-WAIT record that absorbs stragglers silently, for 2*MSL. */
static void test_rst_time_wait_record_absorbs_stragglers_silently(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.rst_time_wait = true;
  struct peer p;
  peer_init(&p, &s);
  peer_establish_passive(&p);
  assert_int_equal(fin_abort(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  assert_int_equal(peer_counters(&p)->abort_on_user, 1);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), NULL, 10); /* data in flight */
  peer_send(&p, TCP_A, R(&p, 11), L(&p, 1), NULL, 0);         /* a bare ACK */
  peer_send(&p, TCP_A | TCP_F, R(&p, 11), L(&p, 1), NULL, 0); /* its FIN */
  peer_send(&p, TCP_A | TCP_F, R(&p, 0), L(&p, 1), NULL, 0);  /* FIN at the record's RCV.NXT */
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->out_rsts, 1);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_advance(&p, 2 * s.msl);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  peer_send(&p, TCP_A, R(&p, 12), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_R, L(&p, 1), 0); /* the record is gone: A1 again */
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR A8 B6: an administrative kill with rst_time_wait leaves the
 * record, and the application still learns the connection was aborted. */
static void test_rst_time_wait_kill_still_reports_econnaborted(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.rst_time_wait = true;
  struct peer p;
  peer_init(&p, &s);
  peer_establish_passive(&p);
  struct fin_4tuple t = {p.fin_ip, p.peer_ip, FIN_PORT, PEER_PORT};
  assert_int_equal(fin_stack_kill(p.st, &t), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  uint8_t b[8];
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), -ECONNABORTED);
  assert_int_equal(so_error(&p), ECONNABORTED);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), NULL, 10);
  peer_expect_nothing(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_free(&p);
}

/* ---- A9: malformed segments ---- */

/* BEHAVIOR A9: a bad checksum is dropped, counted, never answered: not on
 * a connection, not to a closed port. */
/* ATTACK T05 */
static void test_malformed_bad_checksum_dropped_counted_unanswered(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  send_bad_checksum(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), 10);
  send_bad_checksum(&p, TCP_R, R(&p, 1), 0, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_inq(p.st, p.s), 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  p.fin_port = 81;
  send_bad_checksum(&p, TCP_S, 1000, 0, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->drop_tcp_checksum, 3);
  assert_int_equal(peer_counters(&p)->in_csum_errors, 3);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  peer_free(&p);
}

/* BEHAVIOR A9: a data offset below 5 words or past the segment. */
/* ATTACK T03 T04 */
static void test_malformed_bad_data_offset_dropped_counted_unanswered(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  send_bad_data_offset(&p, R(&p, 1), L(&p, 1), 4);
  send_bad_data_offset(&p, R(&p, 1), L(&p, 1), 15);
  peer_expect_nothing(&p);
  p.fin_port = 81;
  send_bad_data_offset(&p, 1000, 2000, 2);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->drop_tcp_data_offset, 3);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  p.fin_port = FIN_PORT;
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* BEHAVIOR A9: an option running past the header. */
/* ATTACK T12 */
static void test_malformed_option_overrunning_header_dropped_unanswered(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send_opts(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), overrun_opt, sizeof(overrun_opt), NULL, 10);
  peer_expect_nothing(&p);
  assert_int_equal(fin_inq(p.st, p.s), 0);
  p.fin_port = 81;
  peer_send_opts(&p, TCP_S, 1000, 0, overrun_opt, sizeof(overrun_opt), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->drop_tcp_option, 2);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  p.fin_port = FIN_PORT;
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* BEHAVIOR A9: SYN+RST is an illegal flag set: dropped, never answered,
 * even at RCV.NXT of a live connection or aimed at a listener. */
/* ATTACK T40 */
static void test_malformed_syn_rst_dropped_unanswered(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_S | TCP_R, R(&p, 1), 0, NULL, 0);
  peer_send(&p, TCP_S | TCP_R | TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  p.fin_port = 81;
  peer_send(&p, TCP_S | TCP_R, 1000, 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->drop_tcp_flags, 3);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  assert_int_equal(peer_counters(&p)->challenge_acks, 0);
  peer_free(&p);
}

/* BEHAVIOR A9 (strict, off by default): a malformed segment at exactly
 * RCV.NXT with a good checksum aborts the connection with RST. */
static void test_strict_malformed_at_rcv_nxt_aborts_with_rst(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.strict_malformed_abort = true;
  struct peer p;
  peer_init(&p, &s);
  peer_establish_passive(&p);
  peer_send_opts(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), overrun_opt, sizeof(overrun_opt), NULL, 10);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(so_error(&p), ECONNRESET);
  uint8_t b[8];
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), -ECONNRESET);
  enum fin_close_reason r;
  int err;
  assert_true(peer_find_closed(&p, &r, &err));
  assert_int_equal(r, FIN_REASON_MALFORMED);
  assert_int_equal(err, -ECONNRESET);
  assert_int_equal(peer_counters(&p)->abort_on_malformed, 1);
  assert_int_equal(peer_counters(&p)->rst_malformed_strict, 1);
  assert_int_equal(peer_counters(&p)->rst_abort, 0); /* one RST, one reason */
  assert_int_equal(peer_counters(&p)->out_rsts, 1);
  peer_free(&p);
}

/* BEHAVIOR A9 (strict): SYN+RST at RCV.NXT is malformed too. */
static void test_strict_malformed_syn_rst_at_rcv_nxt_aborts_with_rst(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.strict_malformed_abort = true;
  struct peer p;
  peer_init(&p, &s);
  peer_establish_passive(&p);
  peer_send(&p, TCP_S | TCP_R | TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(so_error(&p), ECONNRESET);
  assert_int_equal(peer_counters(&p)->rst_malformed_strict, 1);
  peer_free(&p);
}

/* BEHAVIOR A9 (strict): only the exact sequence check qualifies; in window
 * but not at RCV.NXT, or with a bad checksum, it is dropped as usual. */
static void test_strict_malformed_not_exact_or_bad_checksum_only_dropped(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.strict_malformed_abort = true;
  struct peer p;
  peer_init(&p, &s);
  peer_establish_passive(&p);
  peer_send_opts(&p, TCP_A | TCP_P, R(&p, 5), L(&p, 1), overrun_opt, sizeof(overrun_opt), NULL, 10);
  send_bad_checksum(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), 10);
  send_bad_data_offset(&p, R(&p, 1), L(&p, 1), 4);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  assert_int_equal(peer_counters(&p)->abort_on_malformed, 0);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_no_conn_segment_with_ack_gets_rst_seq_seg_ack),
      cmocka_unit_test(test_no_conn_syn_gets_rst_ack_seq_zero_ack_seq_plus_one),
      cmocka_unit_test(test_no_conn_seg_len_counts_syn_fin_and_data),
      cmocka_unit_test(test_no_conn_rst_is_never_answered),
      cmocka_unit_test(test_listen_rst_is_ignored),
      cmocka_unit_test(test_listen_ack_gets_rst_seq_seg_ack),
      cmocka_unit_test(test_listen_syn_enters_syn_received),
      cmocka_unit_test(test_listen_other_segments_dropped_silently),
      cmocka_unit_test(test_syn_sent_ack_at_or_below_iss_gets_rst),
      cmocka_unit_test(test_syn_sent_ack_above_snd_nxt_gets_rst),
      cmocka_unit_test(test_syn_sent_rst_with_bad_ack_dropped_not_answered),
      cmocka_unit_test(test_syn_received_unacceptable_ack_gets_rst_seq_seg_ack),
      cmocka_unit_test(test_established_out_of_window_data_gets_empty_ack),
      cmocka_unit_test(test_close_wait_out_of_window_data_gets_empty_ack),
      cmocka_unit_test(test_established_out_of_window_rst_dropped_silently),
      cmocka_unit_test(test_challenge_acks_100ms_apart_send_one),
      cmocka_unit_test(test_challenge_acks_600ms_apart_send_two),
      cmocka_unit_test(test_challenge_ack_limit_is_per_connection),
      cmocka_unit_test(test_ack_rate_limit_spares_only_what_is_owed),
      cmocka_unit_test(test_closed_port_rsts_rate_limited_stack_wide_and_counted),
      cmocka_unit_test(test_rst_rate_limit_does_not_hold_back_abort),
      cmocka_unit_test(test_abort_without_rst_time_wait_leaves_nothing),
      cmocka_unit_test(test_rst_time_wait_record_absorbs_stragglers_silently),
      cmocka_unit_test(test_rst_time_wait_kill_still_reports_econnaborted),
      cmocka_unit_test(test_malformed_bad_checksum_dropped_counted_unanswered),
      cmocka_unit_test(test_malformed_bad_data_offset_dropped_counted_unanswered),
      cmocka_unit_test(test_malformed_option_overrunning_header_dropped_unanswered),
      cmocka_unit_test(test_malformed_syn_rst_dropped_unanswered),
      cmocka_unit_test(test_strict_malformed_at_rcv_nxt_aborts_with_rst),
      cmocka_unit_test(test_strict_malformed_syn_rst_at_rcv_nxt_aborts_with_rst),
      cmocka_unit_test(test_strict_malformed_not_exact_or_bad_checksum_only_dropped),
  };
  return PEER_RUN_BOTH(tests);
}
