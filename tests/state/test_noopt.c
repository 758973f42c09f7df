/* SPDX-License-Identifier: MIT */
/* SYNs with fewer options. TCP_NOOPT (FreeBSD): a socket that offers no TCP
 * options at all, not even MSS, on its SYN or its SYN-ACK, and uses none
 * the peer offers (RFC 7323 §1.3, RFC 2018 §2: an option is used only if
 * both sides sent it), so the MSS is the RFC 9293 §3.7.1 default (536 for
 * IPv4, 1220 for IPv6) when the peer sends none. settings.syn_rexmit_drop_options (FreeBSD
 * rexmit_drop_options): from the third SYN retransmission on only MSS is
 * offered, in case a middlebox drops SYNs with options. */
#include <errno.h>

#include "peer.h"

static void set_noopt(struct peer *p, fin_sock s) {
  int one = 1, v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_setsockopt(p->st, s, FIN_TCP_NOOPT, &one, sizeof(one)), 0);
  assert_int_equal(fin_getsockopt(p->st, s, FIN_TCP_NOOPT, &v, &len), 0);
  assert_int_equal(v, 1);
}

/* Active open: a bare SYN; the peer's options are not used. */
static void test_noopt_syn_has_no_options_and_ignores_the_peers(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL); /* the peer offers wscale, SACK and TS */
  p.s = fin_socket(p.st);
  set_noopt(&p, p.s);
  peer_start_connect(&p);
  assert_int_equal(p.last.data_offset, 20);
  peer_send(&p, TCP_S | TCP_A, p.irs, L(&p, 1), NULL, 0);
  const struct fin_segment *ack = peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  assert_int_equal(ack->data_offset, 20); /* no timestamps */
  peer_expect_nothing(&p);
  struct fin_conn_info info;
  size_t len = sizeof(info);
  assert_int_equal(fin_getsockopt(p.st, p.s, FIN_TCP_INFO, &info, &len), 0);
  assert_false(info.ts_ok);
  assert_false(info.sack_ok);
  assert_int_equal(info.snd_wscale, 0);
  assert_int_equal(info.rcv_wscale, 0);
  peer_free(&p);
}

/* Passive open: a listener with TCP_NOOPT answers with a bare SYN-ACK. */
static void test_noopt_listener_sends_bare_syn_ack(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  p.listener = fin_socket(p.st);
  set_noopt(&p, p.listener);
  struct fin_sockaddr any = peer_any(&p, FIN_PORT);
  assert_int_equal(fin_bind(p.st, p.listener, &any), 0);
  assert_int_equal(fin_listen(p.st, p.listener, 8), 0);
  p.fin_port = FIN_PORT;
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  assert_int_equal(p.last.data_offset, 20);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* Without the option the SYN carries MSS and the rest (the default). */
static void test_options_offered_by_default(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  assert_true(p.last.opts.has_mss);
  assert_true(p.last.data_offset > 20);
  peer_free(&p);
}

/* The first two retransmissions keep every option, the third and later
 * carry MSS alone; a SYN-ACK offering TS and SACK then gets neither used. */
static void test_syn_rexmit_drops_options_from_the_third(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.syn_rexmit_drop_options = true;
  struct peer p;
  peer_init_ts(&p, &s);
  peer_start_connect(&p);
  assert_true(p.last.opts.has_ts && p.last.opts.has_wscale && p.last.opts.sack_permitted);
  for (int i = 1; i <= 4; i++) {
    peer_advance_to_deadline(&p);
    const struct fin_segment *syn = peer_expect(&p, TCP_S, L(&p, 0), 0);
    assert_true(syn->opts.has_mss);
    bool full = i < 3;
    assert_int_equal(syn->opts.has_ts, full);
    assert_int_equal(syn->opts.has_wscale, full);
    assert_int_equal(syn->opts.sack_permitted, full);
    assert_int_equal(syn->data_offset, full ? 40 : 24);
  }
  peer_send(&p, TCP_S | TCP_A, p.irs, L(&p, 1), NULL, 0);
  const struct fin_segment *ack = peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  assert_int_equal(ack->data_offset, 20); /* no TS on the ACK */
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* Off by default: every retransmission repeats the options. */
static void test_syn_rexmit_keeps_options_by_default(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  for (int i = 1; i <= 4; i++) {
    peer_advance_to_deadline(&p);
    assert_true(peer_expect(&p, TCP_S, L(&p, 0), 0)->opts.has_ts);
  }
  peer_free(&p);
}

/* RFC 9293 §3.7.1 MUST-15: a peer that sends no MSS option gets the
 * family's default send MSS, 536 (576 - 40) over IPv4 and 1220 (1280 - 60)
 * over IPv6, whether it connects, is connected to, or is answered with a
 * SYN cookie. */
static uint32_t default_mss(const struct peer *p) {
  return p->v6 ? 1220u : 536u;
}

static void send_and_expect_default_mss(struct peer *p) {
  static const char data[3000];
  int one = 1;
  assert_int_equal(fin_setsockopt(p->st, p->s, FIN_TCP_NODELAY, &one, sizeof(one)), 0);
  assert_int_equal(fin_send(p->st, p->s, data, sizeof(data), 0), (ssize_t)sizeof(data));
  peer_expect_len(p, TCP_A, L(p, 1), R(p, 1), default_mss(p));
  peer_expect_len(p, TCP_A, L(p, 1 + default_mss(p)), R(p, 1), default_mss(p));
}

static void test_no_mss_option_active_open_uses_the_family_default(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send_opts(&p, TCP_S | TCP_A, p.irs, L(&p, 1), NULL, 0, NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  send_and_expect_default_mss(&p);
  peer_free(&p);
}

static void test_no_mss_option_passive_open_uses_the_family_default(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  for (int cookie = 0; cookie < 2; cookie++) {
    s.syncookies_only = cookie;
    struct peer p;
    peer_init(&p, &s);
    peer_listen(&p, 8);
    peer_send_opts(&p, TCP_S, p.irs, 0, NULL, 0, NULL, 0);
    p.iss = peer_expect_syn_ack(&p, R(&p, 1));
    peer_send_opts(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0, NULL, 0);
    p.s = fin_accept(p.st, p.listener, NULL);
    assert_true(p.s >= 0);
    send_and_expect_default_mss(&p);
    peer_free(&p);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_noopt_syn_has_no_options_and_ignores_the_peers),
      cmocka_unit_test(test_noopt_listener_sends_bare_syn_ack),
      cmocka_unit_test(test_options_offered_by_default),
      cmocka_unit_test(test_syn_rexmit_drops_options_from_the_third),
      cmocka_unit_test(test_syn_rexmit_keeps_options_by_default),
      cmocka_unit_test(test_no_mss_option_active_open_uses_the_family_default),
      cmocka_unit_test(test_no_mss_option_passive_open_uses_the_family_default),
  };
  return PEER_RUN_BOTH(tests);
}
