/* SPDX-License-Identifier: MIT */
/* Dual stack (docs/engine.md, issue 10): one fin with 10.0.0.1 and fd00::1.
 * Listeners on :: take IPv4 unless IPV6_V6ONLY, IPv4 peers of an IPv6
 * socket show as ::ffff:a.b.c.d (RFC 3493 §3.7, RFC 4291 §2.5.5.2, as
 * Linux), bindings conflict as Linux's do, the MSS follows the IPv6 MTU
 * (RFC 8200 §5, RFC 8201 §5), and keys hash the whole IPv6 address. Every
 * other BEHAVIOR row runs over both families in the other state tests. */
#include <errno.h>
#include <string.h>

#include "peer.h"

/* fin has both addresses; the peer starts out speaking IPv6. */
static void init_dual(struct peer *p, const struct fin_settings *s) {
  peer_family = FIN_AF_INET6;
  peer_init(p, s);
  peer_family = FIN_AF_INET;
  peer_add_other_family(p);
}

static struct fin_sockaddr any6(uint16_t port) {
  struct fin_sockaddr a = {fin_addr_any6(), port, FIN_AF_INET6};
  return a;
}

static struct fin_addr mapped(uint32_t v4) {
  return fin_addr_v4(v4); /* ::ffff:a.b.c.d is how fin holds IPv4 */
}

static fin_sock listen_sock(struct peer *p, struct fin_sockaddr a, bool v6only) {
  fin_sock l = fin_socket(p->st);
  assert_true(l >= 0);
  if (v6only)
    assert_int_equal(fin_setsockopt(p->st, l, FIN_IPV6_V6ONLY, &(int){1}, sizeof(int)), 0);
  assert_int_equal(fin_bind(p->st, l, &a), 0);
  assert_int_equal(fin_listen(p->st, l, 8), 0);
  return l;
}

/* The peer completes a handshake with listener l; returns the accepted
 * handle. The SYN-ACK comes from fin's address of the peer's family. */
static fin_sock handshake(struct peer *p, fin_sock l) {
  p->fin_port = FIN_PORT;
  peer_send(p, TCP_S, p->irs, 0, NULL, 0);
  p->iss = peer_expect_syn_ack(p, R(p, 1));
  assert_addr_equal(p->last.saddr, p->fin_ip);
  assert_int_equal(p->last.opts.mss, PEER_MSS(p));
  peer_send(p, TCP_A, R(p, 1), L(p, 1), NULL, 0);
  peer_expect_nothing(p);
  fin_sock s = fin_accept(p->st, l, NULL);
  assert_true(s >= 0);
  return s;
}

static void assert_sockaddr(const struct fin_sockaddr *a, struct fin_addr addr, uint16_t port,
                            enum fin_family family) {
  assert_addr_equal(a->addr, addr);
  assert_int_equal(a->port, port);
  assert_int_equal(a->family, family);
}

/* RFC 3493 §3.7: a listener on :: without IPV6_V6ONLY takes IPv4 too; its
 * IPv4 connections speak IPv4 on the wire and show their ends as
 * ::ffff:10.0.0.x with family AF_INET6, as Linux does. */
static void test_dual_listener_takes_both_families(void **state) {
  (void)state;
  struct peer p;
  init_dual(&p, NULL);
  fin_sock l = listen_sock(&p, any6(FIN_PORT), false);
  fin_sock s6 = handshake(&p, l);
  struct fin_sockaddr a;
  assert_int_equal(fin_getpeername(p.st, s6, &a), 0);
  assert_sockaddr(&a, p.peer_ip, PEER_PORT, FIN_AF_INET6);

  peer_use_family(&p, false);
  p.peer_port = 40001;
  fin_sock s4 = handshake(&p, l);
  assert_true(fin_addr_is_v4(&p.last.saddr)); /* an IPv4 header */
  assert_int_equal(fin_getpeername(p.st, s4, &a), 0);
  assert_sockaddr(&a, mapped(PEER_ADDR4), 40001, FIN_AF_INET6);
  assert_int_equal(fin_getsockname(p.st, s4, &a), 0);
  assert_sockaddr(&a, mapped(PEER_FIN_ADDR4), FIN_PORT, FIN_AF_INET6);
  peer_free(&p);
}

/* IPV6_V6ONLY: the :: listener is IPv6's alone; an IPv4 SYN finds no
 * listener and gets <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK> (A1). */
static void test_v6only_listener_refuses_ipv4(void **state) {
  (void)state;
  struct peer p;
  init_dual(&p, NULL);
  fin_sock l = listen_sock(&p, any6(FIN_PORT), true);
  peer_use_family(&p, false);
  p.fin_port = FIN_PORT;
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  peer_expect(&p, TCP_R | TCP_A, 0, R(&p, 1));
  peer_expect_nothing(&p);
  peer_use_family(&p, true);
  assert_true(handshake(&p, l) >= 0);
  peer_free(&p);
}

/* An IPv4 listener (0.0.0.0) never takes IPv6. */
static void test_ipv4_listener_refuses_ipv6(void **state) {
  (void)state;
  struct peer p;
  init_dual(&p, NULL);
  listen_sock(&p, fin_sockaddr_v4(0, FIN_PORT), false);
  p.fin_port = FIN_PORT;
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  peer_expect(&p, TCP_R | TCP_A, 0, R(&p, 1));
  assert_false(fin_addr_is_v4(&p.last.saddr));
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* The listener of the segment's own family wins over the dual-stack one,
 * and an exact address over a wildcard (Linux inet_lookup). */
static void test_listener_of_the_segments_family_wins(void **state) {
  (void)state;
  struct peer p;
  init_dual(&p, NULL);
  fin_sock l6 = listen_sock(&p, any6(FIN_PORT), true);
  fin_sock l4 = listen_sock(&p, fin_sockaddr_v4(0, FIN_PORT), false);
  peer_use_family(&p, false);
  assert_true(handshake(&p, l4) >= 0);
  assert_int_equal(fin_accept(p.st, l6, NULL), -EAGAIN);
  peer_use_family(&p, true);
  p.peer_port = 40001;
  assert_true(handshake(&p, l6) >= 0);
  assert_int_equal(fin_accept(p.st, l4, NULL), -EAGAIN);
  peer_free(&p);
}

/* Bind conflicts as Linux has them (inet_rcv_saddr_equal): :: takes IPv4
 * unless V6ONLY, so 0.0.0.0:80 and [::]:80 conflict unless the latter is
 * V6ONLY; addresses of different families never conflict; SO_REUSEADDR
 * never lets a second listener share an address. */
static void test_bind_conflicts_across_families(void **state) {
  (void)state;
  struct peer p;
  init_dual(&p, NULL);
  struct fin_sockaddr a4 = fin_sockaddr_v4(0, 80), a6 = any6(80);
  fin_sock s4 = fin_socket(p.st), s6 = fin_socket(p.st), s6b = fin_socket(p.st);
  assert_int_equal(fin_bind(p.st, s4, &a4), 0);
  assert_int_equal(fin_bind(p.st, s6, &a6), -EADDRINUSE); /* dual :: takes 0.0.0.0's port */
  assert_int_equal(fin_setsockopt(p.st, s6b, FIN_IPV6_V6ONLY, &(int){1}, sizeof(int)), 0);
  assert_int_equal(fin_bind(p.st, s6b, &a6), 0); /* bound both, then listen both (nginx) */
  assert_int_equal(fin_listen(p.st, s4, 8), 0);
  assert_int_equal(fin_listen(p.st, s6b, 8), 0);
  assert_int_equal(fin_close(p.st, s6), 0);

  /* Specific addresses of the two families share a port. */
  struct fin_sockaddr b4 = peer_local(&p, 81), b6 = {peer_addr_of(true, true), 81, FIN_AF_INET6};
  b4.addr = peer_addr_of(false, true);
  b4.family = FIN_AF_INET;
  fin_sock t4 = fin_socket(p.st), t6 = fin_socket(p.st);
  assert_int_equal(fin_bind(p.st, t4, &b4), 0);
  assert_int_equal(fin_bind(p.st, t6, &b6), 0);

  /* A dual [::]:82 listener holds 10.0.0.1:82 even with SO_REUSEADDR. */
  listen_sock(&p, any6(82), false);
  fin_sock r = fin_socket(p.st);
  assert_int_equal(fin_setsockopt(p.st, r, FIN_SO_REUSEADDR, &(int){1}, sizeof(int)), 0);
  struct fin_sockaddr c4 = fin_sockaddr_v4(PEER_FIN_ADDR4, 82);
  assert_int_equal(fin_bind(p.st, r, &c4), 0);
  assert_int_equal(fin_listen(p.st, r, 8), -EADDRINUSE);
  peer_free(&p);
}

/* A :: binding that connect() turns into an IPv4 address gives back the
 * counts it took in both families: the port is free for a new binding of
 * either family afterwards. */
static void test_bound_wildcard_connecting_ipv4_frees_both_families(void **state) {
  (void)state;
  struct peer p;
  init_dual(&p, NULL);
  fin_sock s = fin_socket(p.st);
  struct fin_sockaddr b = any6(5000);
  assert_int_equal(fin_bind(p.st, s, &b), 0);
  struct fin_sockaddr dst = {mapped(PEER_ADDR4), PEER_PORT, FIN_AF_INET6};
  assert_int_equal(fin_connect(p.st, s, &dst), -EINPROGRESS);
  uint8_t buf[128];
  struct fin_segment seg;
  size_t n = fin_stack_output(p.st, buf, sizeof(buf), p.now);
  assert_int_equal(fin_tcp_parse(buf, n, &seg), FIN_WIRE_OK);
  assert_true(fin_addr_is_v4(&seg.saddr)); /* RFC 4291 §2.5.5.2: mapped means IPv4 */
  assert_int_equal(seg.sport, 5000);
  fin_sock s6 = fin_socket(p.st), s4 = fin_socket(p.st);
  struct fin_sockaddr other = {peer_addr_of(true, true), 5000, FIN_AF_INET6};
  struct fin_sockaddr four = fin_sockaddr_v4(PEER_FIN_ADDR4, 5001);
  assert_int_equal(fin_bind(p.st, s6, &other), 0);
  assert_int_equal(fin_bind(p.st, s4, &four), 0);
  peer_free(&p);
}

/* An IPv6 socket reaches IPv4 through ::ffff:a.b.c.d unless V6ONLY (then
 * ENETUNREACH, Linux); an IPv4 socket cannot speak IPv6 (EAFNOSUPPORT); a
 * stack without an address of the destination's family has no route. */
static void test_connect_family_rules(void **state) {
  (void)state;
  struct peer p;
  init_dual(&p, NULL);
  struct fin_sockaddr to4 = {mapped(PEER_ADDR4), PEER_PORT, FIN_AF_INET6};
  fin_sock a = fin_socket(p.st);
  assert_int_equal(fin_setsockopt(p.st, a, FIN_IPV6_V6ONLY, &(int){1}, sizeof(int)), 0);
  assert_int_equal(fin_connect(p.st, a, &to4), -ENETUNREACH);
  fin_sock b = fin_socket(p.st);
  struct fin_sockaddr b4 = fin_sockaddr_v4(0, 0);
  assert_int_equal(fin_bind(p.st, b, &b4), 0);
  struct fin_sockaddr to6 = peer_remote(&p);
  assert_int_equal(fin_connect(p.st, b, &to6), -EAFNOSUPPORT);
  peer_expect_nothing(&p);
  peer_free(&p);

  struct peer q; /* IPv4 only */
  peer_init(&q, NULL);
  fin_sock c = fin_socket(q.st);
  struct fin_sockaddr dst6 = {peer_addr_of(true, false), PEER_PORT, FIN_AF_INET6};
  assert_int_equal(fin_connect(q.st, c, &dst6), -ENETUNREACH);
  peer_free(&q);
}

/* The V6ONLY option exists only before bind, like Linux. */
static void test_v6only_only_before_bind(void **state) {
  (void)state;
  struct peer p;
  init_dual(&p, NULL);
  fin_sock s = fin_socket(p.st);
  struct fin_sockaddr a = any6(6000);
  assert_int_equal(fin_bind(p.st, s, &a), 0);
  assert_int_equal(fin_setsockopt(p.st, s, FIN_IPV6_V6ONLY, &(int){1}, sizeof(int)), -EINVAL);
  int v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p.st, s, FIN_IPV6_V6ONLY, &v, &len), 0);
  assert_int_equal(v, 0);
  peer_free(&p);
}

/* settings.bindv6only (Linux net.ipv6.bindv6only) makes V6ONLY the default. */
static void test_bindv6only_setting_is_the_default(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.bindv6only = true;
  struct peer p;
  init_dual(&p, &s);
  listen_sock(&p, any6(FIN_PORT), false);
  peer_use_family(&p, false);
  p.fin_port = FIN_PORT;
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  peer_expect(&p, TCP_R | TCP_A, 0, R(&p, 1));
  peer_free(&p);
}

/* The MSS fin offers over IPv6: MTU - 60, and never below 1220 (RFC 8200
 * §5: every IPv6 link carries 1280); a Packet Too Big under 1280 does not
 * lower it further (RFC 8201 §5). */
static void test_ipv6_mss_from_mtu(void **state) {
  (void)state;
  const uint16_t mtus[] = {1500, 1280, 1000};
  const uint16_t want[] = {1440, 1220, 1220};
  for (size_t i = 0; i < 3; i++) {
    struct fin_settings s;
    fin_settings_default(&s);
    s.mtu = mtus[i];
    struct peer p;
    init_dual(&p, &s);
    peer_start_connect(&p);
    assert_int_equal(p.last.opts.mss, want[i]);
    peer_free(&p);
  }
  struct peer p;
  init_dual(&p, NULL);
  peer_establish_active(&p);
  static const char data[1440];
  assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), 1440);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 1440);
  peer_send_icmp(&p, 3, 4, 600); /* Packet Too Big, MTU 600 */
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), 1220);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1221), R(&p, 1), 220);
  peer_free(&p);
}

/* RFC 4942 §2.2, RFC 6890: an IPv4-mapped source in an IPv6 header would
 * pose as an IPv4 peer; it never reaches TCP (counted Ip6InAddrErrors). */
/* ATTACK T08 */
static void test_ipv4_mapped_source_in_ipv6_header_dropped(void **state) {
  (void)state;
  struct peer p;
  init_dual(&p, NULL);
  listen_sock(&p, any6(FIN_PORT), false);
  uint64_t before = peer_counters(&p)->ip6_in_addr_errors;
  struct fin_segment seg;
  peer_segment_init(&p, &seg);
  seg.saddr = mapped(PEER_ADDR4);
  seg.dport = FIN_PORT;
  seg.seq = 1;
  seg.flags = TCP_S;
  uint8_t d[128];
  size_t n = fin_tcp_build(d, sizeof(d), &seg, NULL, 0, NULL, 0, NULL, 0);
  assert_int_equal(n, 0); /* the builder will not mix families ... */
  n = fin_tcp_build(d, sizeof(d),
                    &(struct fin_segment){.saddr = p.peer_ip,
                                          .daddr = p.fin_ip,
                                          .sport = PEER_PORT,
                                          .dport = FIN_PORT,
                                          .seq = 1,
                                          .flags = TCP_S,
                                          .wnd = 65535,
                                          .ttl = 64},
                    NULL, 0, NULL, 0, NULL, 0);
  assert_true(n > 0);
  memcpy(d + 8, seg.saddr.b, 16); /* ... so rewrite the source by hand */
  fin_stack_input(p.st, d, n, p.now);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->ip6_in_addr_errors, before + 1);
  peer_free(&p);
}

/* RFC 6528 / RFC 7323 §5.4 keys use the whole IPv6 address: peers that
 * differ only in the upper 96 bits get different ISNs. */
/* ATTACK T90 */
static void test_isn_keyed_on_the_whole_ipv6_address(void **state) {
  (void)state;
  struct peer p;
  init_dual(&p, NULL);
  fin_sock l = listen_sock(&p, any6(FIN_PORT), false);
  (void)handshake(&p, l);
  uint32_t iss1 = p.iss;
  p.peer_ip.b[1] = 0x99; /* fd99::2: the same low 32 bits, the same ports */
  (void)handshake(&p, l);
  /* The clock moved 10 ms (40,000 ISN ticks at 4 us, RFC 6528 §3); a
   * different key moves the ISN anywhere in 2^32. */
  uint32_t d = p.iss - iss1;
  assert_true(d > 100000u && d < 0xffffff00u);
  peer_free(&p);
}

/* SYN cookies (K1 under flood) over IPv6: the cookie SYN-ACK's ACK opens
 * the connection. */
static void test_syn_cookie_over_ipv6(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.syncookies_only = true;
  struct peer p;
  init_dual(&p, &s);
  fin_sock l = listen_sock(&p, any6(FIN_PORT), false);
  assert_true(handshake(&p, l) >= 0);
  assert_true(peer_counters(&p)->syncookies_sent > 0);
  peer_free(&p);
}

/* The record sizes (issue 14: at most 56 bytes a record with the tables):
 * IPv4 40 bytes, IPv6 48 (the local address is its log's). */
static void test_time_wait_record_sizes(void **state) {
  (void)state;
  assert_int_equal(fin_time_wait_record_size(), 40);
  assert_int_equal(fin_time_wait_record_size_v6(), 48);
}

/* fin_stack_list shows an IPv6 connection's tuple; fin_stack_kill takes it. */
static void test_list_and_kill_ipv6_tuple(void **state) {
  (void)state;
  struct peer p;
  init_dual(&p, NULL);
  peer_establish_passive(&p);
  struct fin_conn_info info[2];
  size_t cursor = 0;
  assert_int_equal(fin_stack_list(p.st, &cursor, info, 2), 1);
  assert_addr_equal(info[0].tuple.local_addr, p.fin_ip);
  assert_addr_equal(info[0].tuple.remote_addr, p.peer_ip);
  assert_int_equal(fin_stack_kill(p.st, &info[0].tuple), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 1), R(&p, 1));
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dual_listener_takes_both_families),
      cmocka_unit_test(test_v6only_listener_refuses_ipv4),
      cmocka_unit_test(test_ipv4_listener_refuses_ipv6),
      cmocka_unit_test(test_listener_of_the_segments_family_wins),
      cmocka_unit_test(test_bind_conflicts_across_families),
      cmocka_unit_test(test_bound_wildcard_connecting_ipv4_frees_both_families),
      cmocka_unit_test(test_connect_family_rules),
      cmocka_unit_test(test_v6only_only_before_bind),
      cmocka_unit_test(test_bindv6only_setting_is_the_default),
      cmocka_unit_test(test_ipv6_mss_from_mtu),
      cmocka_unit_test(test_ipv4_mapped_source_in_ipv6_header_dropped),
      cmocka_unit_test(test_isn_keyed_on_the_whole_ipv6_address),
      cmocka_unit_test(test_syn_cookie_over_ipv6),
      cmocka_unit_test(test_time_wait_record_sizes),
      cmocka_unit_test(test_list_and_kill_ipv6_tuple),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
