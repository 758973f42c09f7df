/* SPDX-License-Identifier: MIT */
/* Timers that end connections, BEHAVIOR J1-J6: RTO (RFC 6298), R2 and the
 * user timeout, SYN retransmission, keep-alive, zero-window persist, ICMP. */
#include <errno.h>
#include <string.h>

#include "peer.h"

static int so_error(struct peer *p) {
  int v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p->st, p->s, FIN_SO_ERROR, &v, &len), 0);
  return v;
}

static void set_int(struct peer *p, enum fin_sockopt o, int v) {
  assert_int_equal(fin_setsockopt(p->st, p->s, o, &v, sizeof(v)), 0);
}

/* BEHAVIOR J1: initial RTO 1 s, then exponential backoff (SYN-SENT). */
static void test_syn_retransmitted_after_1s_then_doubling(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  fin_time expected = FIN_SEC(1);
  for (int i = 0; i < 4; i++) {
    assert_int_equal(peer_advance_to_deadline(&p), expected);
    peer_expect(&p, TCP_S, L(&p, 0), 0);
    peer_expect_nothing(&p);
    expected *= 2;
  }
  assert_int_equal(peer_counters(&p)->syn_retrans, 4);
  peer_free(&p);
}

/* BEHAVIOR J1: after a 10 ms RTT sample the RTO is floored at 200 ms, and
 * doubles per retransmission; Karn: the ACK of a retransmission gives no
 * sample, so the RTO keeps its value. */
static void test_data_rto_floor_200ms_backoff_and_karn(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_active(&p);
  assert_int_equal(fin_send(p.st, p.s, "abcd", 4, 0), 4);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 4);
  assert_int_equal(peer_advance_to_deadline(&p), FIN_MS(200));
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 4);
  assert_int_equal(peer_advance_to_deadline(&p), FIN_MS(400));
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 4);
  p.now += FIN_SEC(5); /* a very late ACK of the retransmission */
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 5), NULL, 0);
  struct fin_conn_info ti;
  size_t len = sizeof(ti);
  assert_int_equal(fin_getsockopt(p.st, p.s, FIN_TCP_INFO, &ti, &len), 0);
  assert_int_equal(ti.rto, FIN_MS(200)); /* no 5 s sample taken */
  assert_int_equal(ti.unacked, 0);
  assert_int_equal(ti.total_retrans, 2);
  peer_free(&p);
}

/* BEHAVIOR J2: after R2 retransmissions the connection gives up: one
 * best-effort RST, ETIMEDOUT for the application. */
static void test_r2_exhausted_sends_rst_and_reports_etimedout(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.retries_r2 = 3;
  struct peer p;
  peer_init(&p, &s);
  peer_establish_active(&p);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), 1);
  peer_expect(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1));
  for (int i = 0; i < 3; i++) {
    peer_advance_to_deadline(&p);
    peer_expect(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1));
  }
  peer_advance_to_deadline(&p);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 2), R(&p, 1));
  peer_expect_nothing(&p);
  char b[4];
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), -ETIMEDOUT);
  assert_int_equal(so_error(&p), ETIMEDOUT);
  enum fin_close_reason r;
  int err;
  assert_true(peer_find_closed(&p, &r, &err));
  assert_int_equal(r, FIN_REASON_RETRANSMIT_TIMEOUT);
  assert_int_equal(err, -ETIMEDOUT);
  assert_int_equal(peer_counters(&p)->abort_on_timeout, 1);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR J2: TCP_USER_TIMEOUT ends the connection exactly when unacked
 * data has waited that long (the RTO is clamped to it). */
/* ATTACK T68 */
static void test_user_timeout_gives_up_on_time(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_active(&p);
  set_int(&p, FIN_TCP_USER_TIMEOUT, 1000);
  fin_time t0 = p.now;
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), 1);
  peer_expect(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1));
  peer_advance_to_deadline(&p); /* +200 ms */
  peer_expect(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1));
  peer_advance_to_deadline(&p); /* +600 ms */
  peer_expect(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1));
  peer_advance_to_deadline(&p); /* clamped: +1000 ms */
  assert_int_equal(p.now - t0, FIN_MS(1000));
  peer_expect(&p, TCP_R | TCP_A, L(&p, 2), R(&p, 1));
  enum fin_close_reason r;
  int err;
  assert_true(peer_find_closed(&p, &r, &err));
  assert_int_equal(r, FIN_REASON_USER_TIMEOUT);
  assert_int_equal(err, -ETIMEDOUT);
  peer_free(&p);
}

/* BEHAVIOR J3: by default SYN retransmission lasts at least 3 minutes. */
static void test_syn_retransmission_lasts_at_least_three_minutes(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  fin_time t0 = p.now;
  int syns = 0;
  while (fin_sock_state(p.st, p.s) == FIN_SYN_SENT && syns < 100) {
    peer_advance_to_deadline(&p);
    if (fin_sock_state(p.st, p.s) == FIN_SYN_SENT) {
      peer_expect(&p, TCP_S, L(&p, 0), 0);
      syns++;
    }
  }
  peer_expect_nothing(&p);
  assert_true(p.now - t0 >= FIN_SEC(180));
  assert_int_equal(syns, 7);
  assert_int_equal(
      fin_connect(p.st, p.s, &(struct fin_sockaddr){p.peer_ip, PEER_PORT, FIN_AF_UNSPEC}),
      -ETIMEDOUT);
  assert_int_equal(peer_counters(&p)->attempt_fails, 1);
  peer_free(&p);
}

static void keepalive_setup(struct peer *p) {
  peer_establish_active(p);
  set_int(p, FIN_TCP_KEEPIDLE, 10);
  set_int(p, FIN_TCP_KEEPINTVL, 2);
  set_int(p, FIN_TCP_KEEPCNT, 3);
  set_int(p, FIN_SO_KEEPALIVE, 1);
}

/* BEHAVIOR J4: after idle, a probe <SEQ=SND.NXT-1> with no data; an answer
 * keeps the connection; one lost probe is no verdict. */
static void test_keepalive_probe_answered_keeps_connection(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  keepalive_setup(&p);
  assert_int_equal(peer_advance_to_deadline(&p), FIN_SEC(10));
  peer_expect_len(&p, TCP_A, L(&p, 0), R(&p, 1), 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_advance_to_deadline(&p), FIN_SEC(2)); /* first probe lost */
  peer_expect_len(&p, TCP_A, L(&p, 0), R(&p, 1), 0);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_advance_to_deadline(&p), FIN_SEC(10)); /* idle again */
  peer_expect_len(&p, TCP_A, L(&p, 0), R(&p, 1), 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->keepalive_probes, 3);
  peer_free(&p);
}

/* BEHAVIOR J4: keep_cnt unanswered probes: RST and ETIMEDOUT. */
static void test_keepalive_exhausted_resets_with_etimedout(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  keepalive_setup(&p);
  for (int i = 0; i < 3; i++) {
    peer_advance_to_deadline(&p);
    peer_expect_len(&p, TCP_A, L(&p, 0), R(&p, 1), 0);
  }
  peer_advance_to_deadline(&p);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  char b[1];
  assert_int_equal(fin_recv(p.st, p.s, b, 1, 0), -ETIMEDOUT);
  enum fin_close_reason r;
  int err;
  assert_true(peer_find_closed(&p, &r, &err));
  assert_int_equal(r, FIN_REASON_KEEPALIVE_TIMEOUT);
  peer_free(&p);
}

/* BEHAVIOR J4: keep-alive is off by default: an idle connection sends
 * nothing for hours. */
static void test_keepalive_off_by_default(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_active(&p);
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  peer_advance(&p, FIN_SEC(3 * 3600));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* BEHAVIOR J5: a zero window is probed with backoff; while the probes are
 * answered the connection stays open; when the window opens data flows. */
/* ATTACK T73 */
static void test_zero_window_persist_probes_keep_connection_open(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_active(&p);
  p.wnd = 0;
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  assert_int_equal(fin_send(p.st, p.s, "0123456789", 10, 0), 10);
  peer_expect_nothing(&p);
  fin_time last_gap = 0;
  for (int i = 0; i < 20; i++) {
    fin_time gap = peer_advance_to_deadline(&p);
    peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), 1);
    peer_expect_nothing(&p);
    assert_true(gap >= last_gap);
    last_gap = gap;
    peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0); /* still zero */
  }
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_true(peer_counters(&p)->persist_probes >= 20);
  p.wnd = 65535;
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 10);
  peer_free(&p);
}

static void send_icmp_mtu(struct peer *p, uint8_t type, uint8_t code, uint16_t mtu) {
  peer_send_icmp(p, type, code, mtu);
}

static void send_icmp(struct peer *p, uint8_t type, uint8_t code) {
  peer_send_icmp(p, type, code, 0);
}

/* BEHAVIOR J6: a hard ICMP error (port unreachable) aborts SYN-SENT with
 * ECONNREFUSED; soft errors (net unreachable) never abort. */
/* ATTACK T95 */
static void test_icmp_hard_error_aborts_syn_sent_soft_does_not(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  send_icmp(&p, 3, 0); /* net unreachable: soft */
  assert_int_equal(fin_sock_state(p.st, p.s), FIN_SYN_SENT);
  send_icmp(&p, 3, 3); /* port unreachable: hard */
  assert_int_equal(
      fin_connect(p.st, p.s, &(struct fin_sockaddr){p.peer_ip, PEER_PORT, FIN_AF_UNSPEC}),
      -ECONNREFUSED);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->abort_on_icmp, 1);
  peer_free(&p);
}

/* BEHAVIOR J6: even a hard ICMP error leaves an established connection. */
/* ATTACK T95 */
static void test_icmp_hard_error_ignored_when_established(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_active(&p);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), 1);
  peer_expect(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1));
  send_icmp(&p, 3, 3);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->drop_icmp_ignored, 1);
  peer_free(&p);
}

/* BEHAVIOR J6 (changed in turn 2): a hard error about the SYN-ACK of a
 * passive open deletes the half-open child silently (Linux): no RST. */
static void test_icmp_hard_error_deletes_passive_syn_received_silently(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 8);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  peer_expect_syn_ack(&p, R(&p, 1)); /* p.buf holds it */
  send_icmp(&p, 3, 3);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  peer_advance(&p, FIN_SEC(10));
  peer_expect_nothing(&p); /* no SYN-ACK retransmission either */
  peer_free(&p);
}

/* BEHAVIOR J6 (changed in turn 2): "fragmentation needed" is soft: it
 * never aborts a connect. */
/* ATTACK T95 */
static void test_icmp_fragmentation_needed_never_aborts_connect(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  send_icmp_mtu(&p, 3, 4, 1000);
  assert_int_equal(fin_sock_state(p.st, p.s), FIN_SYN_SENT);
  assert_int_equal(peer_counters(&p)->abort_on_icmp, 0);
  peer_send(&p, TCP_S | TCP_A, p.irs, L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* BEHAVIOR J6, RFC 1191 (RFC 8201 for IPv6's Packet Too Big): in a
 * synchronized state it lowers the path MTU: the segment that was too big
 * goes again, cut to the new MSS (MTU 1000: 960; IPv6 MTU 1280: 1220). */
/* ATTACK T95 */
static void test_icmp_fragmentation_needed_lowers_mss_and_resends(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_active(&p);
  static const char data[1460];
  uint32_t mss = PEER_MSS(&p), mtu = p.v6 ? 1280 : 1000, cut = p.v6 ? 1220 : 960;
  assert_int_equal(fin_send(p.st, p.s, data, mss, 0), mss);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), mss);
  send_icmp_mtu(&p, 3, 4, (uint16_t)mtu);
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), cut);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1 + cut), R(&p, 1), mss - cut);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->pmtu_updates, 1);
  peer_free(&p);
}

/* BEHAVIOR J6, RFC 1191 §3 / RFC 8201 §4: a too-big error about our SYN
 * lowers the path MTU of the connection attempt. Over IPv6 the
 * retransmitted SYN offers the path's MSS (1300 - 60 = 1240, as Linux and
 * FreeBSD do); over IPv4 it keeps the link's (RFC 6691 §2). Once the
 * SYN-ACK comes, data goes in segments that fit the path in both families
 * (IPv4 MTU 1000: 960). A larger MTU changes nothing. */
static void test_icmp_too_big_in_syn_sent_lowers_the_path_mtu(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  uint32_t mtu = p.v6 ? 1300 : 1000, cut = p.v6 ? 1240 : 960;
  send_icmp_mtu(&p, 3, 4, 1500);
  assert_int_equal(peer_counters(&p)->drop_icmp_ignored, 1);
  send_icmp_mtu(&p, 3, 4, (uint16_t)mtu);
  assert_int_equal(peer_counters(&p)->pmtu_updates, 1);
  peer_expect_nothing(&p);
  peer_advance_to_deadline(&p);
  const struct fin_segment *syn = peer_expect(&p, TCP_S, L(&p, 0), 0);
  assert_int_equal(syn->opts.mss, p.v6 ? cut : 1460);
  peer_send(&p, TCP_S | TCP_A, p.irs, L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  static const char data[1460];
  int one = 1;
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_TCP_NODELAY, &one, sizeof(one)), 0);
  assert_int_equal(fin_send(p.st, p.s, data, PEER_MSS(&p), 0), PEER_MSS(&p));
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), cut);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1 + cut), R(&p, 1), PEER_MSS(&p) - cut);
  peer_expect_nothing(&p);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_syn_retransmitted_after_1s_then_doubling),
      cmocka_unit_test(test_data_rto_floor_200ms_backoff_and_karn),
      cmocka_unit_test(test_r2_exhausted_sends_rst_and_reports_etimedout),
      cmocka_unit_test(test_user_timeout_gives_up_on_time),
      cmocka_unit_test(test_syn_retransmission_lasts_at_least_three_minutes),
      cmocka_unit_test(test_keepalive_probe_answered_keeps_connection),
      cmocka_unit_test(test_keepalive_exhausted_resets_with_etimedout),
      cmocka_unit_test(test_keepalive_off_by_default),
      cmocka_unit_test(test_zero_window_persist_probes_keep_connection_open),
      cmocka_unit_test(test_icmp_hard_error_aborts_syn_sent_soft_does_not),
      cmocka_unit_test(test_icmp_hard_error_ignored_when_established),
      cmocka_unit_test(test_icmp_hard_error_deletes_passive_syn_received_silently),
      cmocka_unit_test(test_icmp_fragmentation_needed_never_aborts_connect),
      cmocka_unit_test(test_icmp_fragmentation_needed_lowers_mss_and_resends),
      cmocka_unit_test(test_icmp_too_big_in_syn_sent_lowers_the_path_mtu),
  };
  return PEER_RUN_BOTH(tests);
}
