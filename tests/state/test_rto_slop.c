/* SPDX-License-Identifier: MIT */
/* settings.rto_slop (FreeBSD net.inet.tcp.rexmit_slop, TCPT_RANGESET): a
 * constant added to every retransmission timeout computed from a
 * measurement or a backoff, never to the initial RTO (RFC 6298 (2.1)). With
 * rexmit_initial 1 s and slop 200 ms FreeBSD sends its SYN at 0, 1, 3.2 and
 * 7.4 s; without slop the RFC 6298 (5.5) doubling gives 0, 1, 3, 7 s. */
#include "peer.h"

/* The SYN and its first three retransmissions: exact segments and the gap
 * before each, nothing else on the wire. */
static void expect_syn_schedule(struct peer *p, const fin_time gaps[3]) {
  peer_start_connect(p);
  for (int i = 0; i < 3; i++) {
    fin_time t = p->now;
    peer_advance_to_deadline(p);
    assert_int_equal(p->now - t, gaps[i]);
    peer_expect(p, TCP_S, L(p, 0), 0);
    peer_expect_nothing(p);
  }
}

static void test_syn_retransmissions_with_freebsd_slop(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.rto_slop = FIN_MS(200);
  struct peer p;
  peer_init(&p, &s);
  const fin_time gaps[3] = {FIN_SEC(1), FIN_MS(2200), FIN_MS(4200)};
  expect_syn_schedule(&p, gaps);
  peer_free(&p);
}

static void test_syn_retransmissions_without_slop(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  assert_int_equal(fin_stack_settings(p.st)->rto_slop, 0);
  const fin_time gaps[3] = {FIN_SEC(1), FIN_SEC(2), FIN_SEC(4)};
  expect_syn_schedule(&p, gaps);
  peer_free(&p);
}

/* After a measurement the slop is added to the RFC 6298 RTO itself: a
 * handshake RTT of 100 ms gives RTO = 100 + 4 * 50 = 300 ms, so the first
 * data retransmission comes 300 + 200 ms after the segment. */
static void test_data_rto_after_sample_includes_slop(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.rto_min = FIN_MS(30);
  s.rto_slop = FIN_MS(200);
  struct peer p;
  peer_init(&p, &s);
  peer_start_connect(&p);
  p.now += FIN_MS(100);
  peer_send(&p, TCP_S | TCP_A, p.irs, L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  assert_int_equal(fin_send(p.st, p.s, "data", 4, 0), 4);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 4);
  fin_time t = p.now;
  peer_advance_to_deadline(&p);
  assert_int_equal(p.now - t, FIN_MS(500));
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 4);
  peer_expect_nothing(&p);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_syn_retransmissions_with_freebsd_slop),
      cmocka_unit_test(test_syn_retransmissions_without_slop),
      cmocka_unit_test(test_data_rto_after_sample_includes_slop),
  };
  return PEER_RUN_BOTH(tests);
}
