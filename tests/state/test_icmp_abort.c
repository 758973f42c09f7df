/* SPDX-License-Identifier: MIT */
/* BEHAVIOR J6 with settings.icmp_abort: which ICMP errors about our SYN end
 * the connection attempt. J6 (default, Linux): protocol and port
 * unreachable quoting SND.UNA <= SEG.SEQ <= SND.NXT. FreeBSD
 * (icmp_may_rst=1): also the administratively-prohibited codes (ECONNREFUSED)
 * and TTL exceeded in transit (EHOSTUNREACH), quoting SND.UNA <= SEG.SEQ <
 * SND.MAX, in SYN-SENT only. NEVER (icmp_may_rst=0): none. An error that
 * does not abort changes nothing and sends nothing. */
#include <errno.h>
#include <string.h>

#include "peer.h"

/* ICMP type/code quoting a segment of the connection under test with
 * sequence number seq (an IP header + 8 bytes of TCP, RFC 792). */
static void send_icmp(struct peer *p, uint8_t type, uint8_t code, uint32_t seq) {
  struct fin_segment q;
  peer_segment_init(p, &q); /* the peer's view: reversed below */
  q.saddr = p->fin_ip;
  q.daddr = p->peer_ip;
  q.sport = p->fin_port;
  q.dport = p->peer_port;
  q.seq = seq;
  q.flags = TCP_S;
  assert_true(fin_tcp_build(p->buf, sizeof(p->buf), &q, NULL, 0, NULL, 0, NULL, 0) > 0);
  peer_send_icmp(p, type, code, 0);
}

static void start(struct peer *p, enum fin_icmp_abort mode) {
  struct fin_settings s;
  fin_settings_default(&s);
  s.icmp_abort = mode;
  peer_init(p, &s);
  peer_start_connect(p);
}

static int so_error(struct peer *p) {
  int v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p->st, p->s, FIN_SO_ERROR, &v, &len), 0);
  return v;
}

/* The attempt survives the error: still SYN-SENT, nothing sent. */
static void expect_alive(struct peer *p) {
  peer_expect_nothing(p);
  assert_int_equal(peer_state(p), FIN_SYN_SENT);
  assert_int_equal(so_error(p), 0);
}

static void expect_aborted(struct peer *p, int err) {
  peer_expect_nothing(p); /* B2: no RST from SYN-SENT */
  assert_int_equal(peer_state(p), FIN_CLOSED);
  assert_int_equal(so_error(p), err);
  assert_int_equal(peer_counters(p)->abort_on_icmp, 1);
}

static void test_freebsd_admin_prohibited_aborts_about_iss_only(void **state) {
  (void)state;
  struct peer p;
  start(&p, FIN_ICMP_ABORT_FREEBSD);
  send_icmp(&p, 3, 13, L(&p, 1)); /* SND.MAX itself: not in flight */
  send_icmp(&p, 3, 13, L(&p, -1));
  expect_alive(&p);
  send_icmp(&p, 3, 13, L(&p, 0));
  expect_aborted(&p, ECONNREFUSED);
  peer_free(&p);
}

static void test_freebsd_ttl_exceeded_aborts_with_ehostunreach(void **state) {
  (void)state;
  struct peer p;
  start(&p, FIN_ICMP_ABORT_FREEBSD);
  send_icmp(&p, 11, 1, L(&p, 0)); /* reassembly time exceeded: soft */
  send_icmp(&p, 3, 0, L(&p, 0));  /* net unreachable: soft */
  expect_alive(&p);
  send_icmp(&p, 11, 0, L(&p, 0));
  expect_aborted(&p, EHOSTUNREACH);
  peer_free(&p);
}

static void test_never_mode_ignores_port_unreachable(void **state) {
  (void)state;
  struct peer p;
  start(&p, FIN_ICMP_ABORT_NEVER);
  send_icmp(&p, 3, 3, L(&p, 0));
  expect_alive(&p);
  assert_int_equal(peer_counters(&p)->drop_icmp_ignored, 1);
  peer_free(&p);
}

/* Default J6: SEG.SEQ = SND.NXT counts (Linux between()), and the
 * prohibited codes are soft. */
static void test_j6_default_is_linux(void **state) {
  (void)state;
  struct peer p;
  start(&p, FIN_ICMP_ABORT_J6);
  send_icmp(&p, 3, 13, L(&p, 0));
  send_icmp(&p, 11, 0, L(&p, 0));
  expect_alive(&p);
  send_icmp(&p, 3, 3, L(&p, 1));
  expect_aborted(&p, ECONNREFUSED);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_freebsd_admin_prohibited_aborts_about_iss_only),
      cmocka_unit_test(test_freebsd_ttl_exceeded_aborts_with_ehostunreach),
      cmocka_unit_test(test_never_mode_ignores_port_unreachable),
      cmocka_unit_test(test_j6_default_is_linux),
  };
  return PEER_RUN_BOTH(tests);
}
