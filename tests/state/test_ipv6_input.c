/* SPDX-License-Identifier: MIT */
/* IPv6 at the stack (docs/wire.md, RFC 8200, RFC 4443): a SYN behind
 * extension headers reaches the listener; every datagram the IPv6 layer
 * refuses is dropped silently and counted twice, by its reason
 * (FinDrop...) and in the IPv6 MIB (Ip6..., Linux /proc/net/snmp6 names);
 * ICMPv6 errors of every type and code map onto BEHAVIOR J6 (hard ones
 * abort a connection attempt, packet too big lowers the MSS but never below
 * what a 1280-byte path carries, the rest change nothing). */
#include <errno.h>
#include <string.h>

#include "peer.h"
#include "wire_fixture.h"

#define NH_HOPOPTS  0
#define NH_ROUTING  43
#define NH_FRAGMENT 44
#define NH_DSTOPTS  60

static void init6(struct peer *p) {
  peer_family = FIN_AF_INET6;
  peer_init(p, NULL);
  peer_family = FIN_AF_INET;
  assert_true(p->v6);
}

/* The peer's SYN to fin's listener as bytes (its IPv6 header, then TCP). */
static size_t syn_bytes(struct peer *p, uint8_t *d, size_t cap) {
  struct fin_segment seg;
  peer_segment_init(p, &seg);
  seg.dport = FIN_PORT;
  seg.seq = p->irs;
  seg.flags = TCP_S;
  size_t n = fin_tcp_build(d, cap, &seg, NULL, 0, NULL, 0, NULL, 0);
  assert_true(n == 60);
  return n;
}

/* The SYN with ext (ext_len bytes, first header type first) inserted. */
static void send_syn_with(struct peer *p, uint8_t first, const uint8_t *ext, size_t ext_len) {
  uint8_t d[2048];
  size_t n = syn_bytes(p, d, sizeof(d));
  n = wf_insert_ipv6_ext(d, n, sizeof(d), first, ext, ext_len);
  assert_true(n > 0);
  fin_stack_input(p->st, d, n, p->now);
}

static void test_syn_behind_extension_headers_reaches_the_listener(void **state) {
  (void)state;
  struct peer p;
  init6(&p);
  peer_listen(&p, 8);
  /* Hop-by-hop (PadN), an atomic fragment (RFC 6946), destination options. */
  const uint8_t ext[24] = {NH_FRAGMENT,     0, 1, 4, 0, 0, 0, 0, NH_DSTOPTS, 0, 0, 0, 0, 0, 0, 1,
                           FIN_IPPROTO_TCP, 0, 1, 4, 0, 0, 0, 0};
  send_syn_with(&p, NH_HOPOPTS, ext, sizeof(ext));
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  assert_int_equal(p.last.opts.mss, 1440);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->ip6_in_receives, 1);
  assert_int_equal(peer_counters(&p)->ip_in_receives, 0);
  peer_free(&p);
}

struct drop_case {
  const char *what;
  uint8_t first;
  uint8_t ext[16];
  size_t ext_len;
  size_t fin_counters_off, mib_off; /* offsetof(struct fin_counters, ...) */
};

static uint64_t counter_at(const struct fin_counters *c, size_t off) {
  uint64_t v;
  memcpy(&v, (const uint8_t *)c + off, sizeof(v));
  return v;
}

#define C(f) offsetof(struct fin_counters, f)

/* BEHAVIOR A9 for the IPv6 layer: each refusal sends nothing, makes no
 * connection and raises its two counters by one. */
static void test_refused_ipv6_datagrams_are_dropped_and_counted(void **state) {
  (void)state;
  static const struct drop_case cases[] = {
      {"routing header, segments left 1",
       NH_ROUTING,
       {FIN_IPPROTO_TCP, 0, 4, 1, 0, 0, 0, 0},
       8,
       C(drop_ip6_routing),
       C(ip6_in_hdr_errors)},
      {"first fragment",
       NH_FRAGMENT,
       {FIN_IPPROTO_TCP, 0, 0, 1, 0, 0, 0, 9},
       8,
       C(drop_ip_fragment),
       C(ip6_reasm_fails)},
      {"later fragment",
       NH_FRAGMENT,
       {FIN_IPPROTO_TCP, 0, 0, 0xb8, 0, 0, 0, 9},
       8,
       C(drop_ip_fragment),
       C(ip6_reasm_fails)},
      {"hop-by-hop not first",
       NH_DSTOPTS,
       {NH_HOPOPTS, 0, 1, 4, 0, 0, 0, 0, FIN_IPPROTO_TCP, 0, 1, 4, 0, 0, 0, 0},
       16,
       C(drop_ip6_ext_header),
       C(ip6_in_hdr_errors)},
      {"option that must be understood",
       NH_DSTOPTS,
       {FIN_IPPROTO_TCP, 0, 0x85, 2, 0, 0, 0, 0},
       8,
       C(drop_ip6_ext_header),
       C(ip6_in_hdr_errors)},
      {"UDP after the chain",
       NH_DSTOPTS,
       {17, 0, 1, 4, 0, 0, 0, 0},
       8,
       C(drop_ip_protocol),
       C(ip6_in_unknown_protos)},
      {"no next header",
       NH_HOPOPTS,
       {59, 0, 1, 4, 0, 0, 0, 0},
       8,
       C(drop_ip_protocol),
       C(ip6_in_unknown_protos)},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct peer p;
    init6(&p);
    peer_listen(&p, 8);
    struct fin_counters before = *peer_counters(&p);
    send_syn_with(&p, cases[i].first, cases[i].ext, cases[i].ext_len);
    peer_expect_nothing(&p);
    const struct fin_counters *c = peer_counters(&p);
    if (counter_at(c, cases[i].fin_counters_off) !=
            counter_at(&before, cases[i].fin_counters_off) + 1 ||
        counter_at(c, cases[i].mib_off) != counter_at(&before, cases[i].mib_off) + 1)
      fail_msg("%s: not counted", cases[i].what);
    assert_int_equal(c->in_segs, 0);
    assert_int_equal(c->ip6_in_receives, 1);
    assert_int_equal(fin_stack_conn_count(p.st), 0);
    peer_free(&p);
  }
}

/* BEHAVIOR A9: lengths and addresses the IPv6 header lies about. */
static void test_lying_ipv6_headers_are_dropped_and_counted(void **state) {
  (void)state;
  struct peer p;
  init6(&p);
  peer_listen(&p, 8);
  uint8_t d[128];
  size_t n = syn_bytes(&p, d, sizeof(d));
  fin_stack_input(p.st, d, 39, p.now); /* shorter than the IPv6 header */
  assert_int_equal(peer_counters(&p)->drop_ip_truncated, 1);
  assert_int_equal(peer_counters(&p)->ip6_in_hdr_errors, 1); /* Linux ip6_rcv_core */
  d[5] = 21; /* payload length past the datagram */
  fin_stack_input(p.st, d, n, p.now);
  assert_int_equal(peer_counters(&p)->drop_ip_total_len, 1);
  assert_int_equal(peer_counters(&p)->ip6_in_truncated, 1);
  d[5] = 20;
  memset(d + 8, 0, 16); /* source :: */
  wf_fix_ipv6_checksum(d, 40, FIN_IPPROTO_TCP);
  fin_stack_input(p.st, d, n, p.now);
  assert_int_equal(peer_counters(&p)->drop_ip_martian, 1);
  assert_int_equal(peer_counters(&p)->ip6_in_addr_errors, 1);
  n = syn_bytes(&p, d, sizeof(d));
  d[39] = 9; /* to fd00::9: not ours */
  wf_fix_ipv6_checksum(d, 40, FIN_IPPROTO_TCP);
  fin_stack_input(p.st, d, n, p.now);
  assert_int_equal(peer_counters(&p)->drop_ip_not_local, 1);
  assert_int_equal(peer_counters(&p)->ip6_in_addr_errors, 2);
  assert_int_equal(peer_counters(&p)->ip6_in_hdr_errors, 1);
  assert_int_equal(peer_counters(&p)->ip6_in_receives, 4);
  assert_int_equal(peer_counters(&p)->ip6_in_delivers, 0);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* ---- ICMPv6 (RFC 4443) about our SYN ---- */

static int so_error(struct peer *p) {
  int v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p->st, p->s, FIN_SO_ERROR, &v, &len), 0);
  return v;
}

/* BEHAVIOR J6: of every ICMPv6 error type and code, port unreachable (1/4) and an
 * unrecognized next header (4/1, IPv6's protocol unreachable) end a
 * connection attempt with ECONNREFUSED; every other leaves it alone and
 * sends nothing (MUST-56: soft errors never abort). */
static void test_icmp6_hard_errors_abort_the_attempt_soft_do_not(void **state) {
  (void)state;
  static const struct {
    uint8_t type, code;
    bool hard;
  } cases[] = {{1, 0, false}, {1, 1, false}, {1, 2, false}, {1, 3, false}, {1, 4, true},
               {1, 5, false}, {1, 6, false}, {3, 0, false}, {3, 1, false}, {4, 0, false},
               {4, 1, true},  {4, 2, false}, {4, 3, false}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct peer p;
    init6(&p);
    peer_start_connect(&p);
    peer_send_icmp6(&p, cases[i].type, cases[i].code, 40);
    peer_expect_nothing(&p); /* B2: no RST from SYN-SENT */
    if (cases[i].hard) {
      assert_int_equal(peer_state(&p), FIN_CLOSED);
      assert_int_equal(so_error(&p), ECONNREFUSED);
      assert_int_equal(peer_counters(&p)->abort_on_icmp, 1);
    } else {
      assert_int_equal(peer_state(&p), FIN_SYN_SENT);
      assert_int_equal(so_error(&p), 0);
      assert_int_equal(peer_counters(&p)->drop_icmp_ignored, 1);
    }
    assert_int_equal(peer_counters(&p)->icmp6_in_msgs, 1);
    peer_free(&p);
  }
}

/* An ICMPv6 message that is not an error about a TCP segment: counted,
 * nothing else (an echo request gets no reply: fin is TCP only). */
static void test_icmp6_informational_and_malformed_are_counted(void **state) {
  (void)state;
  struct peer p;
  init6(&p);
  peer_start_connect(&p);
  peer_send_icmp6(&p, 128, 0, 0); /* echo request */
  peer_send_icmp6(&p, 135, 0, 0); /* neighbor solicitation */
  /* ICMPv6 is a protocol fin has: delivered, then ignored (not unknown). */
  assert_int_equal(peer_counters(&p)->drop_icmp_ignored, 2);
  assert_int_equal(peer_counters(&p)->ip6_in_unknown_protos, 0);
  assert_int_equal(peer_counters(&p)->ip6_in_delivers, 2);
  p.buf[6] = 17; /* the quoted datagram is UDP */
  peer_send_icmp6(&p, 1, 4, 0);
  assert_int_equal(peer_counters(&p)->drop_icmp_malformed, 1);
  assert_int_equal(peer_counters(&p)->icmp6_in_msgs, 3);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_SYN_SENT);
  peer_free(&p);
}

/* BEHAVIOR J6, RFC 8201 §4, RFC 8200 §5: packet too big lowers the MSS of a synchronized
 * connection to what fits the reported MTU, but no IPv6 path is below 1280,
 * so never under 1280 - 60 (1220); an MTU above the current one changes
 * nothing; either way the error never aborts (J6). */
static void test_icmp6_packet_too_big_floors_at_1280(void **state) {
  (void)state;
  static const struct {
    uint32_t mtu, want;
  } cases[] = {{1400, 1340}, {1280, 1220}, {1279, 1220}, {576, 1220}, {0, 1220}, {9000, 1440}};
  static const char data[1440];
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct peer p;
    init6(&p);
    peer_establish_active(&p);
    assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), 1440);
    peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 1440);
    peer_send_icmp6(&p, 2, 0, cases[i].mtu);
    if (cases[i].want < 1440) {
      peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), cases[i].want);
      peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1 + cases[i].want), R(&p, 1), 1440 - cases[i].want);
      assert_int_equal(peer_counters(&p)->pmtu_updates, 1);
    } else {
      assert_int_equal(peer_counters(&p)->drop_icmp_ignored, 1);
    }
    peer_expect_nothing(&p);
    assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
    peer_free(&p);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_syn_behind_extension_headers_reaches_the_listener),
      cmocka_unit_test(test_refused_ipv6_datagrams_are_dropped_and_counted),
      cmocka_unit_test(test_lying_ipv6_headers_are_dropped_and_counted),
      cmocka_unit_test(test_icmp6_hard_errors_abort_the_attempt_soft_do_not),
      cmocka_unit_test(test_icmp6_informational_and_malformed_are_counted),
      cmocka_unit_test(test_icmp6_packet_too_big_floors_at_1280),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
