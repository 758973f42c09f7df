/* SPDX-License-Identifier: MIT */
/* Explicit Congestion Notification (RFC 3168 §6.1, src/engine/ecn.c): the
 * negotiation both ways and its refusal, ECT(0) on new data only, the
 * receiver's ECE from a CE mark until CWR, the sender's one cwnd reduction
 * per window and its CWR, the settings' modes and FIN_TCP_ECN. Exact
 * segments, IP ECN field included; both families. */
#include <errno.h>

#include "peer.h"

#define TCP_E FIN_TCP_ECE
#define TCP_C FIN_TCP_CWR

/* RFC 3168 §5: the ECN field of the TOS byte / traffic class. */
#define NOT_ECT 0u
#define ECT0    2u
#define CE      3u

static unsigned ecn_of(const struct fin_segment *s) {
  return s->tos & 3u;
}

static void init_mode(struct peer *p, enum fin_ecn mode) {
  struct fin_settings s;
  fin_settings_default(&s);
  s.ecn = mode;
  peer_init(p, &s);
}

/* The next segment fin sends, whatever it is. */
static const struct fin_segment *next_out(struct peer *p) {
  size_t n = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now);
  if (n == 0)
    fail_msg("fin sent nothing");
  assert_int_equal(fin_tcp_parse(p->buf, n, &p->last), FIN_WIRE_OK);
  return &p->last;
}

/* fin's SYN or SYN-ACK: the flags it must carry, never ECT (§6.1.1). */
static const struct fin_segment *expect_syn(struct peer *p, uint8_t flags) {
  const struct fin_segment *s = next_out(p);
  char got[40], want[40];
  if (s->flags != flags)
    fail_msg("expected [%s], fin sent [%s]", fin_tcp_flags_str(flags, want, sizeof(want)),
             fin_tcp_flags_str(s->flags, got, sizeof(got)));
  assert_int_equal(ecn_of(s), NOT_ECT);
  return s;
}

static void expect_ecn(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack, unsigned ecn) {
  assert_int_equal(ecn_of(peer_expect(p, flags, seq, ack)), ecn);
}

static void connect_now(struct peer *p) {
  fin_stack_set_now(p->st, p->now);
  if (p->s < 0)
    p->s = fin_socket(p->st);
  struct fin_sockaddr dst = peer_remote(p);
  assert_int_equal(fin_connect(p->st, p->s, &dst), -EINPROGRESS);
}

/* Active open; syn_ack_flags is what the peer answers the SYN with. */
static void open_active(struct peer *p, uint8_t syn_flags, uint8_t syn_ack_flags) {
  connect_now(p);
  const struct fin_segment *syn = expect_syn(p, syn_flags);
  p->iss = syn->seq;
  p->fin_port = syn->sport;
  peer_expect_nothing(p);
  p->now += FIN_MS(10);
  peer_send(p, syn_ack_flags, p->irs, L(p, 1), NULL, 0);
  expect_ecn(p, TCP_A, L(p, 1), R(p, 1), NOT_ECT);
  peer_expect_nothing(p);
  assert_int_equal(peer_state(p), FIN_ESTABLISHED);
}

/* Passive open; the peer's SYN carries syn_flags, fin answers synack_flags. */
static void open_passive(struct peer *p, uint8_t syn_flags, uint8_t synack_flags) {
  peer_listen(p, 8);
  peer_send(p, syn_flags, p->irs, 0, NULL, 0);
  const struct fin_segment *sa = expect_syn(p, synack_flags);
  assert_int_equal(sa->ack, R(p, 1));
  p->iss = sa->seq;
  peer_expect_nothing(p);
  p->now += FIN_MS(10);
  peer_send(p, TCP_A, R(p, 1), L(p, 1), NULL, 0);
  p->s = fin_accept(p->st, p->listener, NULL);
  assert_true(p->s >= 0);
  peer_expect_nothing(p);
}

static struct fin_conn_info info_of(struct peer *p) {
  struct fin_conn_info i;
  size_t len = sizeof(i);
  assert_int_equal(fin_getsockopt(p->st, p->s, FIN_TCP_INFO, &i, &len), 0);
  return i;
}

static void send_bytes(struct peer *p, size_t n) {
  static char buf[32768];
  assert_true(n <= sizeof(buf));
  fin_stack_set_now(p->st, p->now);
  assert_int_equal(fin_send(p->st, p->s, buf, n, 0), (ssize_t)n);
}

/* ---- negotiation (§6.1.1) ---- */

/* ecn = on: the SYN asks (ECE, CWR), an ECN-setup SYN-ACK (ECE alone)
 * agrees; fin's data is then ECT(0), its pure ACKs are not (§6.1.4).
 * BEHAVIOR N1 N3. */
static void test_ecn_active_open_negotiates(void **state) {
  (void)state;
  struct peer p;
  init_mode(&p, FIN_ECN_ON);
  open_active(&p, TCP_S | TCP_E | TCP_C, TCP_S | TCP_A | TCP_E);
  assert_true(info_of(&p).ecn_ok);
  assert_int_equal(peer_counters(&p)->ecn_negotiated, 1);
  send_bytes(&p, 100);
  expect_ecn(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), ECT0);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 101), NULL, 10);
  expect_ecn(&p, TCP_A, L(&p, 101), R(&p, 11), NOT_ECT);
  peer_free(&p);
}

/* A SYN-ACK without ECE, or with ECE and CWR (a reflecting middlebox, not
 * an ECN-setup SYN-ACK), leaves ECN off: data is Not-ECT. BEHAVIOR N1. */
static void test_ecn_active_open_refused(void **state) {
  (void)state;
  const uint8_t answers[] = {TCP_S | TCP_A, TCP_S | TCP_A | TCP_E | TCP_C};
  for (size_t i = 0; i < sizeof(answers); i++) {
    struct peer p;
    init_mode(&p, FIN_ECN_ON);
    open_active(&p, TCP_S | TCP_E | TCP_C, answers[i]);
    assert_false(info_of(&p).ecn_ok);
    send_bytes(&p, 100);
    expect_ecn(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), NOT_ECT);
    assert_int_equal(peer_counters(&p)->ecn_negotiated, 0);
    peer_free(&p);
  }
}

/* ecn = passive (Linux tcp_ecn=2): an ECN-setup SYN gets an ECN-setup
 * SYN-ACK (ECE, no CWR, Not-ECT) and ECN is on. BEHAVIOR N1. */
static void test_ecn_passive_open_accepts(void **state) {
  (void)state;
  struct peer p;
  init_mode(&p, FIN_ECN_PASSIVE);
  open_passive(&p, TCP_S | TCP_E | TCP_C, TCP_S | TCP_A | TCP_E);
  assert_true(info_of(&p).ecn_ok);
  send_bytes(&p, 100);
  expect_ecn(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), ECT0);
  peer_free(&p);
}

/* ecn = off answers an ECN-setup SYN with a plain SYN-ACK; so does any
 * mode when the SYN is itself ECT (§6.1.1 forbids it: Linux refuses), or
 * carries ECE alone. BEHAVIOR N1. */
static void test_ecn_passive_open_refused(void **state) {
  (void)state;
  struct {
    enum fin_ecn mode;
    uint8_t syn, tos;
  } cases[] = {
      {FIN_ECN_OFF, TCP_S | TCP_E | TCP_C, NOT_ECT},
      {FIN_ECN_PASSIVE, TCP_S | TCP_E | TCP_C, ECT0},
      {FIN_ECN_ON, TCP_S | TCP_E | TCP_C, CE},
      {FIN_ECN_ON, TCP_S | TCP_E, NOT_ECT},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct peer p;
    init_mode(&p, cases[i].mode);
    p.tos = cases[i].tos;
    open_passive(&p, cases[i].syn, TCP_S | TCP_A);
    p.tos = 0;
    assert_false(info_of(&p).ecn_ok);
    send_bytes(&p, 100);
    expect_ecn(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), NOT_ECT);
    peer_free(&p);
  }
}

/* Only ecn = on asks: passive and off connect with a plain SYN. BEHAVIOR N1. */
static void test_ecn_only_mode_on_asks(void **state) {
  (void)state;
  const enum fin_ecn modes[] = {FIN_ECN_OFF, FIN_ECN_PASSIVE};
  for (size_t i = 0; i < 2; i++) {
    struct peer p;
    init_mode(&p, modes[i]);
    open_active(&p, TCP_S, TCP_S | TCP_A | TCP_E); /* an unasked ECE is ignored */
    assert_false(info_of(&p).ecn_ok);
    peer_free(&p);
  }
}

/* Simultaneous open (K3): the peer's ECN-setup SYN in SYN-SENT is
 * answered with an ECN-setup SYN-ACK even though fin did not ask
 * (FreeBSD syn-rcvd-via-syn-sent-ipv4-ecn01). BEHAVIOR N1. */
static void test_ecn_simultaneous_open_accepts(void **state) {
  (void)state;
  struct peer p;
  init_mode(&p, FIN_ECN_PASSIVE);
  connect_now(&p);
  const struct fin_segment *syn = expect_syn(&p, TCP_S);
  p.iss = syn->seq;
  p.fin_port = syn->sport;
  peer_send(&p, TCP_S | TCP_E | TCP_C, p.irs, 0, NULL, 0);
  expect_syn(&p, TCP_S | TCP_A | TCP_E);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  send_bytes(&p, 10);
  expect_ecn(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), ECT0);
  peer_free(&p);
}

/* A retransmitted SYN asks again only ecn_syn_retries times (FreeBSD
 * ecn.maxretries; 0, the default, is Linux's tcp_ecn_fallback). BEHAVIOR N2. */
static void test_ecn_syn_retransmissions_stop_asking(void **state) {
  (void)state;
  for (uint8_t retries = 0; retries <= 2; retries++) {
    struct fin_settings s;
    fin_settings_default(&s);
    s.ecn = FIN_ECN_ON;
    s.ecn_syn_retries = retries;
    struct peer p;
    peer_init(&p, &s);
    connect_now(&p);
    expect_syn(&p, TCP_S | TCP_E | TCP_C);
    for (uint8_t k = 1; k <= 3; k++) {
      peer_advance_to_deadline(&p);
      expect_syn(&p, k <= retries ? TCP_S | TCP_E | TCP_C : TCP_S);
    }
    peer_free(&p);
  }
}

/* FIN_TCP_ECN overrides settings.ecn for one socket, listeners' children
 * included; -1 returns to the stack's. BEHAVIOR N1. */
static void test_ecn_socket_option_overrides_settings(void **state) {
  (void)state;
  struct peer p;
  init_mode(&p, FIN_ECN_OFF);
  p.s = fin_socket(p.st);
  int v = FIN_ECN_ON, got = -5;
  size_t len = sizeof(got);
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_TCP_ECN, &v, sizeof(v)), 0);
  assert_int_equal(fin_getsockopt(p.st, p.s, FIN_TCP_ECN, &got, &len), 0);
  assert_int_equal(got, FIN_ECN_ON);
  v = 3;
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_TCP_ECN, &v, sizeof(v)), -EINVAL);
  open_active(&p, TCP_S | TCP_E | TCP_C, TCP_S | TCP_A | TCP_E);
  assert_true(info_of(&p).ecn_ok);
  peer_free(&p);

  init_mode(&p, FIN_ECN_PASSIVE);
  peer_listen(&p, 8);
  v = FIN_ECN_OFF;
  assert_int_equal(fin_setsockopt(p.st, p.listener, FIN_TCP_ECN, &v, sizeof(v)), 0);
  peer_send(&p, TCP_S | TCP_E | TCP_C, p.irs, 0, NULL, 0);
  expect_syn(&p, TCP_S | TCP_A);
  peer_free(&p);

  init_mode(&p, FIN_ECN_PASSIVE);
  p.s = fin_socket(p.st);
  v = FIN_ECN_ON;
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_TCP_ECN, &v, sizeof(v)), 0);
  v = -1;
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_TCP_ECN, &v, sizeof(v)), 0);
  assert_int_equal(fin_getsockopt(p.st, p.s, FIN_TCP_ECN, &got, &len), 0);
  assert_int_equal(got, FIN_ECN_PASSIVE);
  open_active(&p, TCP_S, TCP_S | TCP_A);
  peer_free(&p);
}

/* ---- the receiver (§6.1.3) ---- */

/* A CE mark is echoed with ECE on every ACK - at once for the first, past
 * the delayed ACK - and on fin's data too, until a segment with CWR; a CE
 * on that segment itself starts a new echo. BEHAVIOR N4. */
static void test_ecn_ce_echoed_until_cwr(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.ecn = FIN_ECN_PASSIVE;
  s.quickack_segments = 0; /* delayed ACKs from the start */
  struct peer p;
  peer_init(&p, &s);
  open_passive(&p, TCP_S | TCP_E | TCP_C, TCP_S | TCP_A | TCP_E);
  p.tos = ECT0;
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 100);
  peer_expect_nothing(&p); /* delayed */
  p.tos = CE;
  peer_send(&p, TCP_A, R(&p, 101), L(&p, 1), NULL, 100);
  expect_ecn(&p, TCP_A | TCP_E, L(&p, 1), R(&p, 201), NOT_ECT);
  peer_expect_nothing(&p);
  assert_true(info_of(&p).ecn_seen);
  p.tos = ECT0;
  peer_send(&p, TCP_A, R(&p, 201), L(&p, 1), NULL, 100);
  peer_expect_nothing(&p);
  peer_advance_to_deadline(&p); /* the delayed ACK echoes it too */
  expect_ecn(&p, TCP_A | TCP_E, L(&p, 1), R(&p, 301), NOT_ECT);
  send_bytes(&p, 10);
  expect_ecn(&p, TCP_A | TCP_P | TCP_E, L(&p, 1), R(&p, 301), ECT0);
  peer_send(&p, TCP_A | TCP_C, R(&p, 301), L(&p, 11), NULL, 100);
  peer_expect_nothing(&p);
  peer_advance_to_deadline(&p);
  expect_ecn(&p, TCP_A, L(&p, 11), R(&p, 401), NOT_ECT); /* CWR ended the echo */
  p.tos = CE;
  peer_send(&p, TCP_A | TCP_C, R(&p, 401), L(&p, 11), NULL, 100);
  expect_ecn(&p, TCP_A | TCP_E, L(&p, 11), R(&p, 501), NOT_ECT);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* Without ECN negotiated a CE mark means nothing to TCP (it is counted). BEHAVIOR N4. */
static void test_ecn_ce_ignored_without_ecn(void **state) {
  (void)state;
  struct peer p;
  init_mode(&p, FIN_ECN_PASSIVE);
  open_passive(&p, TCP_S, TCP_S | TCP_A);
  p.tos = CE;
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 100);
  expect_ecn(&p, TCP_A, L(&p, 1), R(&p, 101), NOT_ECT); /* quick ACK, no ECE */
  const struct fin_counters *c = peer_counters(&p);
  assert_int_equal(p.v6 ? c->ip6_in_ce : c->ip_in_ce, 1);
  assert_int_equal(p.v6 ? c->ip_in_ce : c->ip6_in_ce, 0);
  assert_int_equal(p.v6 ? c->ip6_in_noect : c->ip_in_noect, 2); /* SYN, ACK */
  peer_free(&p);
}

/* ---- the sender (§6.1.2, §6.1.5, §6.1.6) ---- */

/* Ten ECT(0) segments of the initial window; an ECE halves cwnd (and sets
 * ssthresh) once: a second ECE for data sent before the reduction changes
 * nothing, and the next new segment - only that one - carries CWR. Once
 * the reduction's window is acknowledged, ECE counts again. BEHAVIOR N5. */
static void test_ecn_ece_reduces_cwnd_once_per_window(void **state) {
  (void)state;
  struct peer p;
  init_mode(&p, FIN_ECN_ON);
  open_active(&p, TCP_S | TCP_E | TCP_C, TCP_S | TCP_A | TCP_E);
  uint32_t mss = info_of(&p).snd_mss, iw = 10 * mss;
  send_bytes(&p, 30000);
  for (uint32_t k = 0; k < 10; k++)
    expect_ecn(&p, TCP_A, L(&p, 1 + k * mss), R(&p, 1), ECT0);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A | TCP_E, R(&p, 1), L(&p, 1 + 2 * mss), NULL, 0);
  struct fin_conn_info i = info_of(&p);
  assert_int_equal(i.cwnd, iw / 2);
  assert_int_equal(i.ssthresh, iw / 2);
  assert_int_equal(peer_counters(&p)->ecn_cwnd_reduced, 1);
  assert_int_equal(peer_counters(&p)->delivered_ce, 2);
  peer_expect_nothing(&p); /* 8 segments in flight, cwnd 5 */
  peer_send(&p, TCP_A | TCP_E, R(&p, 1), L(&p, 1 + 6 * mss), NULL, 0);
  assert_int_equal(info_of(&p).cwnd, iw / 2); /* same window: no second cut, no growth */
  assert_int_equal(peer_counters(&p)->ecn_cwnd_reduced, 1);
  expect_ecn(&p, TCP_A | TCP_C, L(&p, 1 + 10 * mss), R(&p, 1), ECT0);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1 + 8 * mss), NULL, 0); /* cwnd grows again */
  expect_ecn(&p, TCP_A, L(&p, 1 + 11 * mss), R(&p, 1), ECT0);  /* CWR went once */
  expect_ecn(&p, TCP_A, L(&p, 1 + 12 * mss), R(&p, 1), ECT0);
  peer_expect_nothing(&p);
  uint32_t cwnd = info_of(&p).cwnd;
  /* Beyond the data in flight at the cut: a new congestion event. */
  peer_send(&p, TCP_A | TCP_E, R(&p, 1), L(&p, 1 + 12 * mss), NULL, 0);
  assert_int_equal(info_of(&p).cwnd, cwnd / 2 > 2 * mss ? cwnd / 2 : 2 * mss);
  assert_int_equal(peer_counters(&p)->ecn_cwnd_reduced, 2);
  expect_ecn(&p, TCP_A | TCP_C, L(&p, 1 + 13 * mss), R(&p, 1), ECT0);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* §6.1.5: a retransmission is Not-ECT and carries no CWR; the timeout's
 * window reduction puts CWR on the next new data (§6.1.2, "for any
 * reason"). A bare FIN is no data: Not-ECT. BEHAVIOR N3. */
static void test_ecn_no_ect_on_retransmission(void **state) {
  (void)state;
  struct peer p;
  init_mode(&p, FIN_ECN_ON);
  open_active(&p, TCP_S | TCP_E | TCP_C, TCP_S | TCP_A | TCP_E);
  send_bytes(&p, 100);
  expect_ecn(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), ECT0);
  peer_advance_to_deadline(&p); /* RTO */
  expect_ecn(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), NOT_ECT);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 101), NULL, 0);
  send_bytes(&p, 100);
  expect_ecn(&p, TCP_A | TCP_P | TCP_C, L(&p, 101), R(&p, 1), ECT0);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  expect_ecn(&p, TCP_A | TCP_F, L(&p, 201), R(&p, 1), NOT_ECT);
  peer_free(&p);
}

/* §6.1.6: a zero-window probe is Not-ECT. BEHAVIOR N3. */
static void test_ecn_no_ect_on_window_probe(void **state) {
  (void)state;
  struct peer p;
  init_mode(&p, FIN_ECN_ON);
  open_active(&p, TCP_S | TCP_E | TCP_C, TCP_S | TCP_A | TCP_E);
  p.wnd = 0;
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  send_bytes(&p, 100);
  peer_expect_nothing(&p);
  peer_advance_to_deadline(&p); /* persist */
  assert_int_equal(peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1))->payload_len, 1);
  assert_int_equal(ecn_of(&p.last), NOT_ECT);
  peer_free(&p);
}

/* A fast retransmit's reduction also owes CWR, and an ECE during NewReno
 * recovery is the same congestion: no second cut. BEHAVIOR N5. */
static void test_ecn_fast_retransmit_owes_cwr(void **state) {
  (void)state;
  struct peer p;
  init_mode(&p, FIN_ECN_ON);
  open_active(&p, TCP_S | TCP_E | TCP_C, TCP_S | TCP_A | TCP_E);
  uint32_t mss = info_of(&p).snd_mss;
  send_bytes(&p, 4 * mss);
  for (uint32_t k = 0; k < 4; k++)
    expect_ecn(&p, k == 3 ? TCP_A | TCP_P : TCP_A, L(&p, 1 + k * mss), R(&p, 1), ECT0);
  for (int d = 0; d < 3; d++)
    peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  expect_ecn(&p, TCP_A, L(&p, 1), R(&p, 1), NOT_ECT); /* fast retransmit */
  uint32_t cwnd = info_of(&p).cwnd;
  peer_send(&p, TCP_A | TCP_E, R(&p, 1), L(&p, 1), NULL, 0); /* a fourth, with ECE */
  assert_int_equal(peer_counters(&p)->ecn_cwnd_reduced, 0);
  assert_true(info_of(&p).cwnd >= cwnd);                       /* inflation, no cut */
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1 + 4 * mss), NULL, 0); /* full ACK */
  send_bytes(&p, 10);
  expect_ecn(&p, TCP_A | TCP_P | TCP_C, L(&p, 1 + 4 * mss), R(&p, 1), ECT0);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ecn_active_open_negotiates),
      cmocka_unit_test(test_ecn_active_open_refused),
      cmocka_unit_test(test_ecn_passive_open_accepts),
      cmocka_unit_test(test_ecn_passive_open_refused),
      cmocka_unit_test(test_ecn_only_mode_on_asks),
      cmocka_unit_test(test_ecn_simultaneous_open_accepts),
      cmocka_unit_test(test_ecn_syn_retransmissions_stop_asking),
      cmocka_unit_test(test_ecn_socket_option_overrides_settings),
      cmocka_unit_test(test_ecn_ce_echoed_until_cwr),
      cmocka_unit_test(test_ecn_ce_ignored_without_ecn),
      cmocka_unit_test(test_ecn_ece_reduces_cwnd_once_per_window),
      cmocka_unit_test(test_ecn_no_ect_on_retransmission),
      cmocka_unit_test(test_ecn_no_ect_on_window_probe),
      cmocka_unit_test(test_ecn_fast_retransmit_owes_cwr),
  };
  return PEER_RUN_BOTH(tests);
}
