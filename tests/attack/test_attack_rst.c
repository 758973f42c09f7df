/* SPDX-License-Identifier: MIT */
/* Attack catalogue section D, sequence and ACK acceptance, RST and SYN
 * (RFC 5961, RFC 9293 §3.10.7; blind in-window attacks, CVE-2004-0230):
 * RSTs swept over the whole sequence space, SYNs and unacceptable ACKs in
 * every synchronized state, out-of-window segments of every kind at the
 * window's edge, flag sets no stack should act on, sequence numbers around
 * 2^31 and 2^32 through a whole lifecycle, and a peer that shrinks its
 * window. Where the catalogue cites a case fin's own tests already replay,
 * those carry the ATTACK tag instead (docs/attack-coverage.md). Every group
 * runs over IPv4 and IPv6. */
#include <errno.h>
#include <string.h>

#include "attack.h"
#include "closing.h"

/* ---- T32 ---- */

/* ATTACK T32 */
static void test_rst_sweep_over_sequence_space_never_resets(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  struct attack_snap s;
  attack_snap_take(&p, &s);
  struct test_rng rng;
  struct fin_random fr;
  test_rng_init(&rng, 5961, &fr);
  /* 100,000 blind RSTs, one per millisecond, at uniformly random sequence
   * numbers (RCV.NXT itself excluded: that is the 1 in 2^32 guess T30
   * covers), half with a random ACK, a quarter carrying data. */
  int acks = 0, in_window = 0;
  for (int i = 0; i < 100000; i++) {
    p.now += FIN_MS(1);
    uint32_t seq = (uint32_t)test_rng_next(&rng);
    if (seq == R(&p, 1))
      seq++;
    in_window += (uint32_t)(seq - R(&p, 1)) <= 65535u;
    uint8_t flags = (uint8_t)(TCP_R | (i % 2 ? TCP_A : 0));
    struct fin_segment seg = attack_seg(&p, flags, seq, i % 2 ? (uint32_t)test_rng_next(&rng) : 0);
    attack_send(&p, &seg, NULL, 0, NULL, i % 4 == 0 ? 10 : 0);
    size_t n;
    while ((n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now)) > 0) {
      assert_int_equal(fin_tcp_parse(p.buf, n, &p.last), FIN_WIRE_OK);
      assert_int_equal(p.last.flags, TCP_A); /* a challenge ACK, never a RST */
      assert_int_equal(p.last.seq, L(&p, 1));
      assert_int_equal(p.last.ack, R(&p, 1));
      acks++;
    }
    if (i % 1000 == 0)
      attack_drain_events(&p);
  }
  /* Out of the window: silence. In it (about 1.5 in 100,000 here): one
   * challenge ACK each, this far apart. */
  const struct fin_counters *c = peer_counters(&p);
  assert_int_equal(c->drop_rst_out_of_window - s.c.drop_rst_out_of_window + c->drop_rst_challenged -
                       s.c.drop_rst_challenged,
                   100000);
  assert_int_equal(c->drop_rst_challenged - s.c.drop_rst_challenged, in_window);
  assert_int_equal(acks, in_window);
  assert_int_equal(c->estab_resets, 0);
  assert_int_equal(c->out_rsts, 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  attack_drain_events(&p);
  assert_true(fin_stack_memory_in_use(p.st) <= s.mem); /* flat: nothing held per RST */
  /* The connection is intact: the real peer's data is taken. */
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "ok", 2);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 3));
  peer_free(&p);
}

/* ---- T33 ---- */

/* ATTACK T33 */
static void test_syn_sent_only_rst_acking_our_syn_refuses(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  /* Pending calls while connecting (gVisor tcp_queue_send_recv_in_syn_sent). */
  uint8_t b[8];
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -EAGAIN);
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), -EAGAIN);
  /* RST without ACK; RST,ACK with SEG.ACK != SND.NXT (ISS, ISS+2): dropped. */
  struct attack_snap s;
  attack_snap_take(&p, &s);
  peer_send(&p, TCP_R, p.irs, 0, NULL, 0);
  peer_send(&p, TCP_R | TCP_A, p.irs, L(&p, 0), NULL, 0);
  peer_send(&p, TCP_R | TCP_A, p.irs, L(&p, 2), NULL, 0);
  attack_expect_dropped(&p, &s, ATTACK_RX(&p), ATTACK_RX(&p), ATTACK_RX(&p), "TcpInSegs",
                        "TcpInSegs", "TcpInSegs", "FinDropSynSentBad", "FinDropSynSentBad",
                        "FinDropSynSentBad");
  assert_int_equal(peer_state(&p), FIN_SYN_SENT);
  /* RST,ACK with SEG.ACK = SND.NXT: refused, nothing sent, the calls fail. */
  peer_send(&p, TCP_R | TCP_A, p.irs, L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -ECONNREFUSED);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -EPIPE);
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), -ECONNREFUSED);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* ---- T34 ---- */

/* ATTACK T34 */
static void test_syn_received_rst_frees_embryo_later_ack_gets_rst(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 8);
  /* A first embryo grows the tables (they shrink only after a burst);
   * the second is the one measured. */
  p.peer_port = 40001;
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  peer_expect_syn_ack(&p, R(&p, 1));
  peer_send(&p, TCP_R, R(&p, 1), 0, NULL, 0);
  p.peer_port = PEER_PORT;
  attack_drain_events(&p);
  size_t base = fin_stack_memory_in_use(p.st);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  peer_send(&p, TCP_R, R(&p, 1), 0, NULL, 0);
  peer_expect_nothing(&p);
  attack_drain_events(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_stack_memory_in_use(p.st), base);
  assert_int_equal(fin_sock_state(p.st, p.listener), FIN_LISTEN);
  /* The ACK that would have completed the embryo reaches the listener
   * (RFC 9293 §3.10.7.2: <SEQ=SEG.ACK><CTL=RST>), up to five times. */
  for (int i = 0; i < 5; i++) {
    peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
    peer_expect(&p, TCP_R, L(&p, 1), 0);
    peer_expect_nothing(&p);
  }
  assert_int_equal(fin_accept(p.st, p.listener, NULL), -EAGAIN);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* ---- T35 ---- */

/* 501 ms on, past the A6 limit; an unacknowledged FIN of ours at fin_seq
 * may be retransmitted meanwhile (and only that). */
static void advance_past_rate_limit(struct peer *p, uint32_t fin_seq) {
  peer_advance(p, FIN_MS(501));
  while (attack_drain(p) > 0) {
    assert_int_equal(p->last.flags, TCP_A | TCP_F);
    assert_int_equal(p->last.seq, fin_seq);
  }
}

/* ATTACK T35 */
static void test_syn_with_data_in_closing_states_gets_challenge_ack(void **state) {
  (void)state;
  void (*reach[])(struct peer *) = {to_fin_wait_2, to_close_wait, to_last_ack};
  const enum fin_state want[] = {FIN_FIN_WAIT_2, FIN_CLOSE_WAIT, FIN_LAST_ACK};
  const uint32_t snd_k[] = {2, 1, 2}, rcv_k[] = {1, 2, 2};
  for (size_t i = 0; i < 3; i++) {
    struct peer p;
    peer_init(&p, NULL);
    reach[i](&p);
    /* At RCV.NXT, far right, and the original ISN: each with 100 bytes. */
    const uint32_t seqs[] = {R(&p, rcv_k[i]), R(&p, rcv_k[i]) + 3000000u, p.irs};
    for (size_t k = 0; k < 3; k++) {
      peer_send(&p, TCP_S, seqs[k], 0, NULL, 100);
      peer_expect_len(&p, TCP_A, L(&p, snd_k[i]), R(&p, rcv_k[i]), 0);
      peer_send(&p, TCP_S, seqs[k], 0, NULL, 100); /* at once: rate-limited */
      peer_expect_nothing(&p);
      assert_int_equal(peer_state(&p), want[i]);
      assert_int_equal(fin_inq(p.st, p.s), 0);
      advance_past_rate_limit(&p, L(&p, snd_k[i] - 1));
    }
    /* (The SYN at the original ISN is an old duplicate: the same
     * rate-limited ACK, counted as such rather than as a SYN challenge.) */
    assert_int_equal(peer_counters(&p)->ack_rate_limited, 3);
    assert_int_equal(peer_counters(&p)->out_rsts, 0);
    peer_free(&p);
  }
}

/* ---- T37 ---- */

/* TIME-WAIT, reached through FIN-WAIT-2: fin's SND.NXT is L(2), RCV.NXT R(2). */
static void to_time_wait(struct peer *p) {
  to_time_wait_via_fin_wait_2(p);
}

/* ATTACK T37 */
static void test_ack_of_unsent_data_in_closing_states_gets_ack(void **state) {
  (void)state;
  void (*reach[])(struct peer *) = {to_fin_wait_2, to_time_wait, to_closing, to_close_wait,
                                    to_last_ack};
  const uint32_t snd_k[] = {2, 2, 2, 1, 2}, rcv_k[] = {1, 2, 2, 2, 2};
  for (size_t i = 0; i < 5; i++) {
    for (int data = 0; data <= 1; data++) {
      struct peer p;
      peer_init(&p, NULL);
      reach[i](&p);
      enum fin_state st = peer_state(&p);
      size_t tw = fin_stack_time_wait_count(p.st);
      /* SEG.ACK = SND.NXT+1, SND.NXT+2 (RFC 5961 §5.2, BEHAVIOR I3): an
       * ACK <SEQ=SND.NXT><ACK=RCV.NXT>, and nothing changes. With data
       * (gVisor's "Sample Data") and without. */
      for (uint32_t off = 1; off <= 2; off++) {
        peer_send(&p, TCP_A | (data ? TCP_P : 0), R(&p, rcv_k[i]), L(&p, snd_k[i] + off),
                  data ? "Sample Data" : NULL, data ? 11 : 0);
        peer_expect_len(&p, TCP_A, L(&p, snd_k[i]), R(&p, rcv_k[i]), 0);
        peer_expect_nothing(&p);
        assert_int_equal(peer_state(&p), st);
        assert_int_equal(fin_stack_time_wait_count(p.st), tw);
        advance_past_rate_limit(&p, L(&p, snd_k[i] - 1));
      }
      assert_int_equal(fin_inq(p.st, p.s), 0);
      assert_int_equal(peer_counters(&p)->out_rsts, 0);
      peer_free(&p);
    }
  }
}

/* ---- T38 ---- */

enum otw_kind { OTW_SYN, OTW_SYN_ACK, OTW_ACK, OTW_FIN, OTW_DATA, OTW_KINDS };

static void send_otw(struct peer *p, enum otw_kind k, uint32_t seq, uint32_t ack) {
  static const uint8_t flags[OTW_KINDS] = {TCP_S, TCP_S | TCP_A, TCP_A, TCP_F | TCP_A,
                                           TCP_A | TCP_P};
  peer_send(p, flags[k], seq, k == OTW_SYN ? 0 : ack, NULL, k == OTW_DATA ? 10 : 0);
}

/* ATTACK T38 */
static void test_out_of_window_segments_of_every_kind_get_rate_limited_ack(void **state) {
  (void)state;
  for (int closing = 0; closing <= 1; closing++) {
    for (int k = 0; k < OTW_KINDS; k++) {
      for (uint32_t off = 0; off <= 2; off++) {
        struct peer p;
        peer_init(&p, NULL);
        if (closing)
          to_closing(&p);
        else
          peer_establish_active(&p);
        /* The right edge of the window fin last advertised. */
        uint32_t edge = p.last.ack + p.last.wnd, snd = p.last.seq, rcv = p.last.ack;
        enum fin_state st = peer_state(&p);
        struct attack_snap s;
        attack_snap_take(&p, &s);
        /* ACKs carry SND.UNA: in CLOSING they must not acknowledge our FIN. */
        uint32_t una = L(&p, 1);
        send_otw(&p, (enum otw_kind)k, edge + off, una);
        /* fin takes a zero-length segment at the edge itself as Linux does
         * (docs/engine.md): a pure ACK there is acceptable, and silent. */
        if (k == OTW_ACK && off == 0) {
          attack_expect_dropped(&p, &s, ATTACK_RX(&p), "TcpInSegs");
        } else {
          peer_expect_len(&p, TCP_A, snd, rcv, 0);
          peer_expect_nothing(&p);
          /* A second one at once: the A6 limit, one per 500 ms. */
          send_otw(&p, (enum otw_kind)k, edge + off, una);
          peer_expect_nothing(&p);
          assert_int_equal(peer_counters(&p)->ack_rate_limited - s.c.ack_rate_limited, 1);
        }
        assert_int_equal(peer_state(&p), st);
        assert_int_equal(attack_info(&p, p.s).rcv_nxt, rcv);
        assert_int_equal(fin_inq(p.st, p.s), 0);
        assert_int_equal(peer_counters(&p)->out_rsts, 0);
        peer_free(&p);
      }
    }
  }
}

/* ---- T39 ---- */

/* ATTACK T39 */
static void test_segment_without_flags_dropped_not_queued(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  struct attack_snap s;
  attack_snap_take(&p, &s);
  peer_send(&p, 0, R(&p, 1), 0, NULL, 1000);
  peer_send(&p, TCP_P, R(&p, 1), 0, NULL, 1000);
  attack_expect_dropped(&p, &s, ATTACK_RX(&p), ATTACK_RX(&p), "TcpInSegs", "TcpInSegs",
                        "FinDropNoAckFlag", "FinDropNoAckFlag");
  assert_int_equal(fin_inq(p.st, p.s), 0);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), "real", 4);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 5));
  peer_free(&p);
}

/* ---- T40 ---- */

enum where { IN_CLOSED, IN_LISTEN, IN_ESTABLISHED, IN_TIME_WAIT, WHERES };
enum combo { SYN_FIN, SYN_RST, FIN_RST, RST_ACK_DATA, XMAS, COMBOS };
enum outcome { SILENT, RST_ACK_BACK, CHALLENGE_ACK, RESET, GONE_SILENTLY };

/* What fin does, by RFC 9293 §3.10.7 in the order of its checks (an RST
 * at RCV.NXT wins over a FIN in the same segment, a SYN in a synchronized
 * state is challenged before its FIN is looked at) and BEHAVIOR A9 (SYN
 * with RST is dropped by the parser). */
static const enum outcome t40[WHERES][COMBOS] = {
    [IN_CLOSED] = {RST_ACK_BACK, SILENT, SILENT, SILENT, SILENT},
    [IN_LISTEN] = {SILENT, SILENT, SILENT, SILENT, SILENT},
    [IN_ESTABLISHED] = {CHALLENGE_ACK, SILENT, RESET, RESET, SILENT},
    [IN_TIME_WAIT] = {CHALLENGE_ACK, SILENT, GONE_SILENTLY, GONE_SILENTLY, SILENT},
};

/* ATTACK T40 */
static void test_illegal_flag_combinations_get_the_spec_answer(void **state) {
  (void)state;
  static const uint8_t flags[COMBOS] = {TCP_S | TCP_F, TCP_S | TCP_R, TCP_F | TCP_R,
                                        TCP_R | TCP_A | TCP_P, 0xff};
  for (int w = 0; w < WHERES; w++) {
    for (int k = 0; k < COMBOS; k++) {
      struct peer p;
      peer_init(&p, NULL);
      uint32_t seq = 5000, ack = 0, snd = 0;
      if (w == IN_LISTEN) {
        peer_listen(&p, 8);
      } else if (w == IN_ESTABLISHED) {
        peer_establish_passive(&p);
        seq = R(&p, 1);
        ack = snd = L(&p, 1);
      } else if (w == IN_TIME_WAIT) {
        to_time_wait_via_fin_wait_2(&p);
        seq = R(&p, 2);
        ack = snd = L(&p, 2);
      } else {
        p.fin_port = 81;
      }
      attack_drain_events(&p);
      struct fin_segment seg = attack_seg(&p, flags[k], seq, flags[k] & TCP_A ? ack : 0);
      attack_send(&p, &seg, NULL, 0, NULL, k == RST_ACK_DATA ? 10 : 0);
      switch (t40[w][k]) {
      case SILENT:
        peer_expect_nothing(&p);
        break;
      case RST_ACK_BACK: /* A1: SEG.LEN counts the SYN and the FIN */
        peer_expect(&p, TCP_R | TCP_A, 0, seq + 2);
        peer_expect_nothing(&p);
        break;
      case CHALLENGE_ACK:
        peer_expect(&p, TCP_A, snd, seq);
        peer_expect_nothing(&p);
        break;
      case RESET:
        peer_expect_nothing(&p);
        assert_int_equal(peer_state(&p), FIN_CLOSED);
        assert_int_equal(fin_recv(p.st, p.s, p.buf, 8, 0), -ECONNRESET);
        break;
      case GONE_SILENTLY:
        peer_expect_nothing(&p);
        assert_int_equal(fin_stack_time_wait_count(p.st), 0);
        break;
      }
      if (w == IN_ESTABLISHED && t40[w][k] != RESET)
        assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
      if (w == IN_TIME_WAIT && t40[w][k] != GONE_SILENTLY)
        assert_int_equal(fin_stack_time_wait_count(p.st), 1);
      if (w == IN_LISTEN)
        assert_int_equal(fin_stack_conn_count(p.st), 0);
      if (k == SYN_RST || k == XMAS)
        assert_int_equal(peer_counters(&p)->drop_tcp_flags, 1);
      peer_free(&p);
    }
  }
}

/* ---- T42 ---- */

/* ATTACK T42 */
static void test_syn_received_bad_ack_gets_rst_embryo_unchanged(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 8);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  struct attack_snap s;
  attack_snap_take(&p, &s);
  /* ACK = ISS+0 and ISS+2: <SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.4,
   * SYN-RECEIVED), the embryo and the listener as they were. */
  for (uint32_t k = 0; k <= 2; k += 2) {
    peer_send(&p, TCP_A, R(&p, 1), L(&p, k), NULL, 0);
    peer_expect(&p, TCP_R, L(&p, k), 0);
    peer_expect_nothing(&p);
  }
  attack_expect_counters(&p, &s, ATTACK_RX(&p), ATTACK_RX(&p), "TcpInSegs", "TcpInSegs",
                         "TcpOutSegs", "TcpOutSegs", "TcpOutRsts", "TcpOutRsts",
                         "FinRstSynRecvBadAck", "FinRstSynRecvBadAck");
  attack_drain_events(&p);
  assert_int_equal(fin_stack_memory_in_use(p.st), s.mem);
  assert_int_equal(s.nconn, 1);
  struct fin_conn_info now = attack_info(&p, -1);
  assert_int_equal(now.state, FIN_SYN_RECEIVED);
  assert_int_equal(now.next_deadline, s.conn[0].next_deadline);
  assert_int_equal(fin_accept(p.st, p.listener, NULL), -EAGAIN);
  /* ISS+1 completes it. */
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  p.s = fin_accept(p.st, p.listener, NULL);
  assert_true(p.s >= 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* ---- T43 ---- */

static const uint32_t wrap_values[] = {0u, 0x7fffffffu, 0x80000000u, 0xfffffff0u};

/* Data both ways across the value's boundary (2^31 or 2^32), one segment
 * out of order; then `closer` (fin or the peer) closes first, the other
 * follows, and fin's side ends: TIME-WAIT for 2*MSL when fin closed first,
 * retransmitted FIN re-ACKed; a later segment then finds nothing (RST). */
static void wrap_lifecycle(struct peer *p, bool fin_closes) {
  static const char chunk[4][11] = {"0123456789", "abcdefghij", "ABCDEFGHIJ", "9876543210"};
  peer_send(p, TCP_A, R(p, 1), L(p, 1), chunk[0], 10);
  peer_expect(p, TCP_A, L(p, 1), R(p, 11));
  peer_send(p, TCP_A, R(p, 21), L(p, 1), chunk[2], 10); /* out of order */
  peer_expect(p, TCP_A, L(p, 1), R(p, 11));
  peer_send(p, TCP_A, R(p, 11), L(p, 1), chunk[1], 10);
  peer_expect(p, TCP_A, L(p, 1), R(p, 31));
  peer_send(p, TCP_A | TCP_P, R(p, 31), L(p, 1), chunk[3], 10);
  peer_expect(p, TCP_A, L(p, 1), R(p, 41));
  uint8_t got[64];
  assert_int_equal(attack_read_all(p, got, sizeof(got)), 40);
  assert_memory_equal(got, "0123456789abcdefghijABCDEFGHIJ9876543210", 40);
  assert_int_equal(fin_send(p->st, p->s, "fin->peer!", 10, 0), 10);
  peer_expect_len(p, TCP_A | TCP_P, L(p, 1), R(p, 41), 10);
  peer_send(p, TCP_A, R(p, 41), L(p, 11), NULL, 0);
  peer_expect_nothing(p);
  if (fin_closes) {
    assert_int_equal(fin_close(p->st, p->s), 0);
    peer_expect(p, TCP_A | TCP_F, L(p, 11), R(p, 41));
    peer_send(p, TCP_A, R(p, 41), L(p, 12), NULL, 0);
    assert_int_equal(attack_info(p, -1).state, FIN_FIN_WAIT_2);
    peer_send(p, TCP_A | TCP_F, R(p, 41), L(p, 12), NULL, 0);
    peer_expect(p, TCP_A, L(p, 12), R(p, 42));
    assert_int_equal(fin_stack_time_wait_count(p->st), 1);
    peer_advance(p, FIN_SEC(30));
    peer_send(p, TCP_A | TCP_F, R(p, 41), L(p, 12), NULL, 0); /* E2 */
    peer_expect(p, TCP_A, L(p, 12), R(p, 42));
    peer_send(p, TCP_R, R(p, 41), 0, NULL, 0); /* RCV.NXT-1: left of the window */
    peer_expect_nothing(p);
    peer_advance(p, FIN_SEC(60) - 1);
    assert_int_equal(fin_stack_time_wait_count(p->st), 1);
    peer_advance(p, FIN_MS(1)); /* records keep 1 ms deadlines, rounded up */
    assert_int_equal(fin_stack_time_wait_count(p->st), 0);
    peer_send(p, TCP_A, R(p, 42), L(p, 12), NULL, 0);
    peer_expect(p, TCP_R, L(p, 12), 0);
  } else {
    peer_send(p, TCP_A | TCP_F, R(p, 41), L(p, 11), NULL, 0);
    peer_expect(p, TCP_A, L(p, 11), R(p, 42));
    assert_int_equal(fin_recv(p->st, p->s, got, sizeof(got), 0), 0);
    assert_int_equal(fin_close(p->st, p->s), 0);
    peer_expect(p, TCP_A | TCP_F, L(p, 11), R(p, 42));
    peer_send(p, TCP_A, R(p, 42), L(p, 12), NULL, 0);
    peer_expect_nothing(p);
    assert_int_equal(fin_stack_conn_count(p->st), 0);
    assert_int_equal(fin_stack_time_wait_count(p->st), 0);
    peer_send(p, TCP_A, R(p, 42), L(p, 12), NULL, 0);
    peer_expect(p, TCP_R, L(p, 12), 0);
  }
  peer_expect_nothing(p);
}

/* fin's connect() from port 6000 with ISS = want: the ISN is the 4 us clock
 * plus a keyed hash of the 4-tuple (K1), so the clock is moved to where the
 * hash puts it there. */
static void connect_with_iss(struct peer *p, uint32_t want) {
  p->s = fin_socket(p->st);
  struct fin_sockaddr local = peer_local(p, 6000);
  assert_int_equal(fin_bind(p->st, p->s, &local), 0);
  peer_start_connect(p);
  assert_int_equal(fin_close(p->st, p->s), 0); /* C4: gone, nothing sent */
  p->now += (fin_time)(uint32_t)(want - p->iss) * 4000;
  p->s = fin_socket(p->st);
  assert_int_equal(fin_bind(p->st, p->s, &local), 0);
  peer_start_connect(p);
  assert_int_equal(p->iss, want);
  peer_send(p, TCP_S | TCP_A, p->irs, L(p, 1), NULL, 0);
  peer_expect(p, TCP_A, L(p, 1), R(p, 1));
}

/* ATTACK T43 */
static void test_sequence_numbers_at_the_wrap_points_through_a_lifecycle(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(wrap_values) / sizeof(wrap_values[0]); i++) {
    for (int fin_closes = 0; fin_closes <= 1; fin_closes++) {
      /* The peer's ISN at the value (fin passive)... */
      struct peer p;
      peer_init(&p, NULL);
      p.irs = wrap_values[i];
      peer_establish_passive(&p);
      wrap_lifecycle(&p, fin_closes);
      peer_free(&p);
      /* ... and fin's own ISS there (fin active). */
      peer_init(&p, NULL);
      p.irs = wrap_values[(i + 1) % 4];
      connect_with_iss(&p, wrap_values[i]);
      wrap_lifecycle(&p, fin_closes);
      peer_free(&p);
    }
  }
}

/* ---- T44 ---- */

/* A peer that ACKs what arrives in order and advertises `wnd` (bytes, no
 * scaling) from its ACK, checking that fin never sends past the right edge
 * it last advertised, except a one-byte probe of a closed window. Runs
 * fin's timers when it is quiet. Returns when `want` bytes have arrived
 * (and, if fin_expected, the FIN) or after `rounds`. */
struct shrinker {
  uint32_t rcv;  /* next byte the peer expects (fin's sequence space) */
  uint32_t edge; /* right edge the peer advertised */
  uint32_t got;  /* bytes received in order */
  bool fin;      /* fin's FIN arrived */
  int probes;    /* one-byte probes of a zero window */
  int past_edge; /* segments that carried bytes past the edge */
};

static void shrinker_ack(struct peer *p, struct shrinker *m, uint32_t peer_seq, uint16_t wnd) {
  p->wnd = wnd;
  peer_send(p, TCP_A, peer_seq, m->rcv, NULL, 0);
  m->edge = m->rcv + wnd;
}

static void shrinker_run(struct peer *p, struct shrinker *m, uint32_t peer_seq, uint16_t wnd,
                         uint32_t want, int rounds) {
  for (int r = 0; r < rounds && (m->got < want || !m->fin); r++) {
    size_t n;
    bool any = false;
    while ((n = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now)) > 0) {
      assert_int_equal(fin_tcp_parse(p->buf, n, &p->last), FIN_WIRE_OK);
      const struct fin_segment *s = &p->last;
      assert_false(s->flags & TCP_R);
      uint32_t end = s->seq + s->payload_len;
      if (s->payload_len == 1 && s->seq == m->edge)
        m->probes++;
      else if ((int32_t)(end - m->edge) > 0)
        m->past_edge++;
      if (s->seq == m->rcv && (int32_t)(end - m->edge) <= 0) {
        m->rcv = end;
        m->got += s->payload_len;
        if (s->flags & TCP_F) {
          m->rcv++;
          m->fin = true;
        }
      }
      any = true;
    }
    if (any)
      shrinker_ack(p, m, peer_seq, wnd);
    else
      peer_advance_to_deadline(p);
    peer_audit(p);
  }
}

/* ATTACK T44 */
static void test_peer_shrinking_its_window_is_coped_with(void **state) {
  (void)state;
  for (int close_wait = 0; close_wait <= 1; close_wait++) {
    struct peer p;
    peer_init(&p, NULL);
    peer_establish_passive(&p);
    uint32_t peer_seq = R(&p, 1);
    if (close_wait) { /* smoltcp #489: the underflow was in CLOSE-WAIT */
      peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 1), NULL, 0);
      peer_expect(&p, TCP_A, L(&p, 1), R(&p, 2));
      peer_seq = R(&p, 2);
    }
    static uint8_t data[40000];
    memset(data, 's', sizeof(data));
    assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), 40000);
    struct shrinker m = {.rcv = L(&p, 1), .edge = L(&p, 1) + 65535};
    /* 64 KiB offered; the first flight (IW) is in the air. */
    shrinker_run(&p, &m, peer_seq, 65535, 1, 1);
    assert_true(m.got >= 1460);
    /* The peer moves its right edge left, below what fin has sent, without
     * acknowledging anything new: 1000 bytes, then none at all. */
    p.wnd = 1000;
    peer_send(&p, TCP_A, peer_seq, m.rcv, NULL, 0);
    m.edge = m.rcv + 1000;
    p.wnd = 0;
    peer_send(&p, TCP_A, peer_seq, m.rcv, NULL, 0);
    m.edge = m.rcv;
    /* No underflow: nothing past the edge, the send timer armed (M3), and
     * a closed window is probed, one byte at a time, for a while. */
    assert_true(fin_stack_next_deadline(p.st) != FIN_NEVER);
    shrinker_run(&p, &m, peer_seq, 0, 40000, 12);
    assert_true(m.probes >= 3);
    assert_int_equal(m.past_edge, 0);
    struct fin_conn_info info = attack_info(&p, p.s);
    assert_int_equal(info.snd_wnd, 0);
    assert_int_equal(info.state, close_wait ? FIN_CLOSE_WAIT : FIN_ESTABLISHED);
    /* The window opens again: every byte arrives, in order, then the FIN. */
    assert_int_equal(fin_close(p.st, p.s), 0);
    shrinker_ack(&p, &m, peer_seq, 65535);
    shrinker_run(&p, &m, peer_seq, 65535, 40000, 400);
    assert_int_equal(m.got, 40000);
    assert_true(m.fin);
    assert_int_equal(m.past_edge, 0);
    if (close_wait) {
      assert_int_equal(fin_stack_conn_count(p.st), 0); /* LAST-ACK done */
    } else {
      peer_send(&p, TCP_A | TCP_F, peer_seq, m.rcv, NULL, 0);
      peer_expect(&p, TCP_A, m.rcv, peer_seq + 1);
      assert_int_equal(fin_stack_time_wait_count(p.st), 1);
    }
    /* Every buffer chunk went back (the pool keeps some for reuse). */
    assert_int_equal(fin_stack_buffer_memory(p.st), 0);
    peer_free(&p);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rst_sweep_over_sequence_space_never_resets),
      cmocka_unit_test(test_syn_sent_only_rst_acking_our_syn_refuses),
      cmocka_unit_test(test_syn_received_rst_frees_embryo_later_ack_gets_rst),
      cmocka_unit_test(test_syn_with_data_in_closing_states_gets_challenge_ack),
      cmocka_unit_test(test_ack_of_unsent_data_in_closing_states_gets_ack),
      cmocka_unit_test(test_out_of_window_segments_of_every_kind_get_rate_limited_ack),
      cmocka_unit_test(test_segment_without_flags_dropped_not_queued),
      cmocka_unit_test(test_illegal_flag_combinations_get_the_spec_answer),
      cmocka_unit_test(test_syn_received_bad_ack_gets_rst_embryo_unchanged),
      cmocka_unit_test(test_sequence_numbers_at_the_wrap_points_through_a_lifecycle),
      cmocka_unit_test(test_peer_shrinking_its_window_is_coped_with),
  };
  return PEER_RUN_BOTH(tests);
}
