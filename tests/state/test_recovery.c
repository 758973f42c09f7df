/* SPDX-License-Identifier: MIT */
/* Loss recovery of fin as a sender, BEHAVIOR S1-S5: the SACK scoreboard
 * (RFC 6675), RACK's time rule and the tail loss probe (RFC 8985), PRR
 * (RFC 6937), and NewReno as a setting. fin is the passive side; the peer
 * offers timestamps and SACK and acknowledges what the test says. One
 * warm-up exchange gives fin an RTT sample of 50 ms: SRTT 50 ms, RTO
 * 200 ms (the floor), PTO 2 * SRTT + 2 ms = 102 ms. */
#include <string.h>

#include "peer.h"

#define RTT FIN_MS(50)
#define PTO (2 * RTT + FIN_MS(2))
#define RTO FIN_MS(200)

struct blk {
  uint32_t left, right;
};

static void settings_for(struct fin_settings *s, enum fin_recovery mode) {
  fin_settings_default(s);
  s->recovery = mode;
  s->rtt_sample_passive_handshake = false; /* the warm-up's is the only sample */
}

/* fin's segment size: the peer's MSS less the timestamps option. */
static uint32_t mss(const struct peer *p) {
  return PEER_MSS(p) - 12;
}

/* fin's data byte k (k >= 1): the warm-up took bytes 1..100. */
#define D(p, k) L(p, 100 + (k))
/* Start of fin's segment i (0-based) of full size. */
#define SEG(p, i) D(p, 1 + (i)*mss(p))

/* An ACK from the peer with SACK blocks (and its timestamps). */
static void sack_ack(struct peer *p, uint32_t ack, const struct blk *b, unsigned n) {
  struct fin_tcp_opts_out o;
  memset(&o, 0, sizeof(o));
  o.ts = true;
  o.ts_val = p->ts_val++;
  o.ts_ecr = p->fin_tsval;
  o.sack_count = (uint8_t)n;
  for (unsigned i = 0; i < n; i++) {
    o.sack[i].left = b[i].left;
    o.sack[i].right = b[i].right;
  }
  uint8_t opt[40];
  size_t olen = fin_tcp_opts_write(opt, &o, FIN_LAYOUT_LINUX, false);
  peer_send_opts(p, TCP_A, R(p, 1), ack, opt, olen, NULL, 0);
}

static void app_send(struct peer *p, size_t n) {
  static uint8_t buf[65536];
  assert_true(n <= sizeof(buf));
  assert_int_equal(fin_send(p->st, p->s, buf, n, 0), (ssize_t)n);
}

/* Established, then 100 bytes ACKed after 50 ms: SRTT 50 ms. */
static void setup(struct peer *p, const struct fin_settings *s) {
  peer_init_ts(p, s);
  peer_establish_passive(p);
  app_send(p, 100);
  peer_expect_len(p, TCP_A | TCP_P, L(p, 1), R(p, 1), 100);
  p->now += RTT;
  peer_send(p, TCP_A, R(p, 1), L(p, 101), NULL, 0);
  peer_expect_nothing(p);
}

/* setup() on the defaults with the given recovery mode. */
static void setup_mode(struct peer *p, enum fin_recovery mode) {
  struct fin_settings s;
  settings_for(&s, mode);
  setup(p, &s);
}

/* fin sends n full segments (the last with PSH if it empties the queue). */
static void expect_segments(struct peer *p, unsigned from, unsigned n, bool last_psh) {
  for (unsigned i = from; i < from + n; i++) {
    bool psh = last_psh && i == from + n - 1;
    peer_expect_len(p, TCP_A | (psh ? TCP_P : 0), SEG(p, i), R(p, 1), mss(p));
  }
}

static struct fin_conn_info info(struct peer *p) {
  struct fin_conn_info ci;
  size_t len = sizeof(ci);
  assert_int_equal(fin_getsockopt(p->st, p->s, FIN_TCP_INFO, &ci, &len), 0);
  return ci;
}

/* Segments 0..4 out, segment 0 lost; the peer SACKs 1, 2, 3 one ACK each. */
static void lose_first_of_five(struct peer *p) {
  app_send(p, 5 * mss(p));
  expect_segments(p, 0, 5, true);
  p->now += RTT;
  for (unsigned k = 1; k <= 3; k++) {
    sack_ack(p, SEG(p, 0), (struct blk[]){{SEG(p, 1), SEG(p, 1 + k)}}, 1);
    if (k < 3)
      peer_expect_nothing(p);
  }
}

/* BEHAVIOR S1 (RFC 6675 §5, DupThresh): the third SACKed segment above a
 * hole makes it lost: it alone is retransmitted, nothing SACKed is, and the
 * cumulative ACK ends recovery with cwnd = ssthresh. */
static void test_sack_hole_retransmitted_after_dupthresh(void **state) {
  (void)state;
  struct peer p;
  setup_mode(&p, FIN_RECOVERY_SACK);
  lose_first_of_five(&p);
  peer_expect_len(&p, TCP_A, SEG(&p, 0), R(&p, 1), mss(&p));
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->sack_recovery, 1);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  sack_ack(&p, SEG(&p, 4), (struct blk[]){{SEG(&p, 4), SEG(&p, 5)}}, 1);
  sack_ack(&p, SEG(&p, 5), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->retrans_segs, 1); /* no SACKed byte went again */
  struct fin_conn_info ci = info(&p);
  assert_int_equal(ci.cwnd, ci.ssthresh);
  peer_free(&p);
}

/* BEHAVIOR S1 with RACK (RFC 8985 §6.2): three SACKed segments make the
 * reordering window zero, so the hole is lost at once here too. */
static void test_rack_hole_retransmitted_after_three_sacks(void **state) {
  (void)state;
  struct peer p;
  setup_mode(&p, FIN_RECOVERY_SACK_RACK);
  lose_first_of_five(&p);
  peer_expect_len(&p, TCP_A, SEG(&p, 0), R(&p, 1), mss(&p));
  peer_expect_nothing(&p);
  sack_ack(&p, SEG(&p, 5), NULL, 0);
  assert_int_equal(peer_counters(&p)->retrans_segs, 1);
  assert_int_equal(peer_counters(&p)->sack_recovery, 1);
  peer_free(&p);
}

/* BEHAVIOR S2 (RFC 8985 §6.2 step 5): one SACKed segment is not enough for
 * DupThresh, but RACK calls the hole lost once it had an RTT plus the
 * reordering window (min RTT / 4) to arrive: the reorder timer sends it,
 * long before the RTO. */
static void test_rack_time_rule_retransmits_hole(void **state) {
  (void)state;
  struct peer p;
  setup_mode(&p, FIN_RECOVERY_SACK_RACK);
  app_send(&p, 3 * mss(&p));
  expect_segments(&p, 0, 3, true);
  p.now += RTT;
  sack_ack(&p, SEG(&p, 0), (struct blk[]){{SEG(&p, 1), SEG(&p, 2)}}, 1);
  peer_expect_nothing(&p);
  assert_true(peer_advance_to_deadline(&p) == RTT / 4);
  peer_expect_len(&p, TCP_A, SEG(&p, 0), R(&p, 1), mss(&p));
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->rto_timeouts, 0);
  sack_ack(&p, SEG(&p, 3), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->retrans_segs, 1);
  peer_free(&p);
}

/* BEHAVIOR S2: the same with FIN_RECOVERY_SACK waits for the RTO. */
static void test_sack_without_rack_waits_for_rto_with_one_sack(void **state) {
  (void)state;
  struct fin_settings s;
  settings_for(&s, FIN_RECOVERY_SACK);
  s.tlp = false;
  struct peer p;
  setup(&p, &s);
  app_send(&p, 3 * mss(&p));
  expect_segments(&p, 0, 3, true);
  p.now += RTT;
  sack_ack(&p, SEG(&p, 0), (struct blk[]){{SEG(&p, 1), SEG(&p, 2)}}, 1);
  peer_expect_nothing(&p);
  assert_true(peer_advance_to_deadline(&p) == RTO - RTT);
  peer_expect_len(&p, TCP_A, SEG(&p, 0), R(&p, 1), mss(&p));
  assert_int_equal(peer_counters(&p)->rto_timeouts, 1);
  peer_free(&p);
}

/* BEHAVIOR S1 (RFC 2018 §3, RFC 5961 §5): blocks outside SND.UNA..SND.MAX
 * or empty ones are ignored and counted; they make nothing lost. */
static void test_bad_sack_blocks_ignored(void **state) {
  (void)state;
  struct peer p;
  setup_mode(&p, FIN_RECOVERY_SACK);
  app_send(&p, 5 * mss(&p));
  expect_segments(&p, 0, 5, true);
  uint32_t max = SEG(&p, 5);
  for (int k = 0; k < 3; k++)
    sack_ack(&p, SEG(&p, 0),
             (struct blk[]){{SEG(&p, 1), SEG(&p, 1)}, {max, max + 1000}, {SEG(&p, 2), max + 1}}, 3);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->sack_discard, 9);
  assert_int_equal(peer_counters(&p)->sack_recovery, 0);
  assert_int_equal(peer_counters(&p)->retrans_segs, 0);
  peer_free(&p);
}

/* RFC 2883 §4: a first block below the cumulative ACK is a D-SACK: counted,
 * not SACKed data, no recovery. */
static void test_dsack_counted_not_taken_as_new_data(void **state) {
  (void)state;
  struct peer p;
  setup_mode(&p, FIN_RECOVERY_SACK_RACK);
  app_send(&p, 2 * mss(&p));
  expect_segments(&p, 0, 2, true);
  sack_ack(&p, SEG(&p, 1), (struct blk[]){{SEG(&p, 0), SEG(&p, 1)}}, 1);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->dsack_recv, 1);
  assert_int_equal(peer_counters(&p)->sack_recovery, 0);
  sack_ack(&p, SEG(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR S4 (RFC 6937 §3): in recovery fin sends about ssthresh /
 * RecoverFS (here one half) of what the receiver reports delivered. Ten
 * segments in flight, the first lost, 10 more queued; the peer SACKs the
 * other nine one by one. */
static void test_prr_sends_half_of_delivered(void **state) {
  (void)state;
  struct peer p;
  setup_mode(&p, FIN_RECOVERY_SACK_RACK);
  uint32_t inflight = info(&p).cwnd / mss(&p);
  assert_true(inflight >= 10);
  app_send(&p, 20 * mss(&p));
  expect_segments(&p, 0, inflight, false);
  peer_expect_nothing(&p);
  p.now += RTT;
  unsigned sent = 0;
  for (unsigned k = 1; k < 10; k++) {
    sack_ack(&p, SEG(&p, 0), (struct blk[]){{SEG(&p, 1), SEG(&p, 1 + k)}}, 1);
    while (fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now) > 0)
      sent++;
  }
  /* Delivered: 9 segments since recovery began at the third: 7; half of
   * them, one more for the retransmission PRR always lets go. */
  assert_int_equal(peer_counters(&p)->sack_recovery, 1);
  assert_true(sent >= 3 && sent <= 5);
  peer_free(&p);
}

/* BEHAVIOR S2 (RFC 8985 §6.2): a retransmission can be lost too. Segments
 * sent after it are SACKed while it is not: RACK calls it lost (counted
 * TcpExtTCPLostRetransmit) and it goes once more, before any RTO. */
static void test_rack_detects_lost_retransmission(void **state) {
  (void)state;
  struct peer p;
  setup_mode(&p, FIN_RECOVERY_SACK_RACK);
  uint32_t inflight = info(&p).cwnd / mss(&p);
  app_send(&p, 20 * mss(&p));
  expect_segments(&p, 0, inflight, false);
  p.now += RTT;
  uint32_t high = SEG(&p, inflight); /* end of what fin has sent */
  for (unsigned k = 1; k < inflight; k++) {
    sack_ack(&p, SEG(&p, 0), (struct blk[]){{SEG(&p, 1), SEG(&p, 1 + k)}}, 1);
    if (k == 3)
      peer_expect_len(&p, TCP_A, SEG(&p, 0), R(&p, 1), mss(&p)); /* the retransmission: lost */
    for (size_t n; (n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now)) > 0;) {
      assert_int_equal(fin_tcp_parse(p.buf, n, &p.last), FIN_WIRE_OK);
      assert_true(p.last.seq == high); /* new data only */
      high += p.last.payload_len;
    }
  }
  assert_true(high > SEG(&p, inflight)); /* something was sent after the retransmission */
  p.now += RTT;
  sack_ack(&p, SEG(&p, 0), (struct blk[]){{SEG(&p, 1), high}}, 1);
  assert_int_equal(peer_counters(&p)->lost_retransmit, 1);
  bool again = false;
  for (size_t n; (n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now)) > 0;) {
    assert_int_equal(fin_tcp_parse(p.buf, n, &p.last), FIN_WIRE_OK);
    again = again || p.last.seq == SEG(&p, 0);
  }
  assert_true(again);
  assert_int_equal(peer_counters(&p)->rto_timeouts, 0);
  peer_free(&p);
}

/* BEHAVIOR S3 (RFC 8985 §7.3): the whole flight is lost; with data still
 * queued the probe at PTO is one segment of new data, before the RTO. */
static void test_tlp_probes_new_data(void **state) {
  (void)state;
  struct peer p;
  setup_mode(&p, FIN_RECOVERY_SACK_RACK);
  uint32_t inflight = info(&p).cwnd / mss(&p);
  app_send(&p, (inflight + 2) * mss(&p));
  expect_segments(&p, 0, inflight, false);
  peer_expect_nothing(&p);
  assert_true(peer_advance_to_deadline(&p) == PTO);
  peer_expect_len(&p, TCP_A, SEG(&p, inflight), R(&p, 1), mss(&p));
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->loss_probes, 1);
  assert_int_equal(peer_counters(&p)->retrans_segs, 0);
  /* The RTO stands behind the probe. */
  assert_true(peer_advance_to_deadline(&p) == RTO);
  peer_expect_len(&p, TCP_A, SEG(&p, 0), R(&p, 1), mss(&p));
  peer_free(&p);
}

/* BEHAVIOR S3: nothing new to send: the probe is the last segment again;
 * its ACK (no D-SACK: the original was lost) counts a loss repaired by the
 * probe and reduces cwnd. */
static void test_tlp_retransmits_last_segment(void **state) {
  (void)state;
  struct peer p;
  setup_mode(&p, FIN_RECOVERY_SACK_RACK);
  app_send(&p, 3 * mss(&p));
  expect_segments(&p, 0, 3, true);
  assert_true(peer_advance_to_deadline(&p) == PTO);
  peer_expect_len(&p, TCP_A | TCP_P, SEG(&p, 2), R(&p, 1), mss(&p));
  peer_expect_nothing(&p);
  uint32_t cwnd = info(&p).cwnd;
  p.now += RTT;
  sack_ack(&p, SEG(&p, 3), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->loss_probes, 1);
  assert_int_equal(peer_counters(&p)->loss_probe_recovery, 1);
  assert_true(info(&p).cwnd < cwnd);
  peer_free(&p);
}

/* BEHAVIOR S3: a lost FIN. The data is ACKed, our FIN alone is lost: the
 * probe sends it again one PTO later (a FIN's ACK is not delayed, so no
 * allowance), well before the RTO, and the close completes: FIN-WAIT-2,
 * then TIME-WAIT. */
static void test_tlp_recovers_lost_fin(void **state) {
  (void)state;
  struct peer p;
  setup_mode(&p, FIN_RECOVERY_SACK_RACK);
  app_send(&p, 2 * mss(&p));
  expect_segments(&p, 0, 2, true);
  p.now += RTT;
  sack_ack(&p, SEG(&p, 2), NULL, 0);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  peer_expect(&p, TCP_A | TCP_F, SEG(&p, 2), R(&p, 1)); /* lost */
  peer_expect_nothing(&p);
  fin_time dt = peer_advance_to_deadline(&p);
  assert_true(dt == PTO && dt < RTO);
  peer_expect(&p, TCP_A | TCP_F, SEG(&p, 2), R(&p, 1));
  peer_expect_nothing(&p);
  p.now += RTT;
  peer_send(&p, TCP_A, R(&p, 1), SEG(&p, 2) + 1, NULL, 0);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_2);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), SEG(&p, 2) + 1, NULL, 0);
  peer_expect(&p, TCP_A, SEG(&p, 2) + 1, R(&p, 2));
  assert_int_equal(peer_state(&p), FIN_TIME_WAIT);
  assert_int_equal(peer_counters(&p)->loss_probes, 1);
  assert_int_equal(peer_counters(&p)->rto_timeouts, 0);
  peer_free(&p);
}

/* BEHAVIOR S3: the last data segment carries the FIN and is lost; the
 * ACK of the others restarts the PTO, the probe resends data and FIN. */
static void test_tlp_recovers_lost_last_data_and_fin(void **state) {
  (void)state;
  struct peer p;
  setup_mode(&p, FIN_RECOVERY_SACK_RACK);
  app_send(&p, 3 * mss(&p));
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  expect_segments(&p, 0, 2, false);
  peer_expect(&p, TCP_A | TCP_P | TCP_F, SEG(&p, 2), R(&p, 1)); /* lost */
  p.now += RTT;
  sack_ack(&p, SEG(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  assert_true(peer_advance_to_deadline(&p) == PTO);
  peer_expect(&p, TCP_A | TCP_P | TCP_F, SEG(&p, 2), R(&p, 1));
  p.now += RTT;
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), SEG(&p, 3) + 1, NULL, 0);
  peer_expect(&p, TCP_A, SEG(&p, 3) + 1, R(&p, 2));
  assert_int_equal(peer_state(&p), FIN_TIME_WAIT);
  assert_int_equal(peer_counters(&p)->rto_timeouts, 0);
  peer_free(&p);
}

/* BEHAVIOR S5: with FIN_RECOVERY_NEWRENO the SACK blocks are not used
 * (three duplicate ACKs still start fast retransmit) and a lost FIN waits
 * for the RTO: no probe. */
static void test_newreno_setting_ignores_sack_and_probes(void **state) {
  (void)state;
  struct peer p;
  setup_mode(&p, FIN_RECOVERY_NEWRENO);
  lose_first_of_five(&p);
  peer_expect_len(&p, TCP_A, SEG(&p, 0), R(&p, 1), mss(&p));
  assert_int_equal(peer_counters(&p)->fast_retrans, 1);
  assert_int_equal(peer_counters(&p)->sack_recovery, 0);
  sack_ack(&p, SEG(&p, 5), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  peer_expect(&p, TCP_A | TCP_F, SEG(&p, 5), R(&p, 1));
  fin_time dt = peer_advance_to_deadline(&p);
  assert_true(dt >= RTO);
  peer_expect(&p, TCP_A | TCP_F, SEG(&p, 5), R(&p, 1));
  assert_int_equal(peer_counters(&p)->loss_probes, 0);
  assert_int_equal(peer_counters(&p)->rto_timeouts, 1);
  peer_free(&p);
}

/* RFC 3465 §2.2: slow start grows by the bytes an ACK covers, at most
 * abc_limit segments: an ACK of two segments adds two with L = 2, one with
 * L = 1. */
static void test_abc_limit_bounds_slow_start_growth(void **state) {
  (void)state;
  for (uint32_t limit = 1; limit <= 2; limit++) {
    struct fin_settings s;
    settings_for(&s, FIN_RECOVERY_SACK_RACK);
    s.abc_limit = limit;
    struct peer p;
    setup(&p, &s);
    uint32_t cwnd = info(&p).cwnd;
    app_send(&p, 2 * mss(&p));
    expect_segments(&p, 0, 2, true);
    sack_ack(&p, SEG(&p, 2), NULL, 0);
    assert_int_equal(info(&p).cwnd, cwnd + limit * mss(&p));
    peer_free(&p);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sack_hole_retransmitted_after_dupthresh),
      cmocka_unit_test(test_rack_hole_retransmitted_after_three_sacks),
      cmocka_unit_test(test_rack_time_rule_retransmits_hole),
      cmocka_unit_test(test_sack_without_rack_waits_for_rto_with_one_sack),
      cmocka_unit_test(test_bad_sack_blocks_ignored),
      cmocka_unit_test(test_dsack_counted_not_taken_as_new_data),
      cmocka_unit_test(test_prr_sends_half_of_delivered),
      cmocka_unit_test(test_rack_detects_lost_retransmission),
      cmocka_unit_test(test_tlp_probes_new_data),
      cmocka_unit_test(test_tlp_retransmits_last_segment),
      cmocka_unit_test(test_tlp_recovers_lost_fin),
      cmocka_unit_test(test_tlp_recovers_lost_last_data_and_fin),
      cmocka_unit_test(test_newreno_setting_ignores_sack_and_probes),
      cmocka_unit_test(test_abc_limit_bounds_slow_start_growth),
  };
  return PEER_RUN_BOTH(tests);
}
