/* SPDX-License-Identifier: MIT */
/* The IP-layer counters of the whole stack (issue 10 item 3): every way an
 * IPv6 datagram is refused increments its /proc/net/snmp6 counter (as Linux
 * ip6_rcv_core / ip6_input_finish count them) and its Fin... reason, and
 * nothing else; what reaches TCP or ICMPv6 is Ip6InDelivers, what fin sends
 * Ip6OutRequests, and every datagram's ECN field its In*Pkts counter.
 * TCP's counters are one MIB for both families, as Linux's: the same
 * exchange over IPv4 and IPv6 counts the same. Each check compares every
 * counter, by the name `fin stat` prints. */
#include <string.h>

#include "peer.h"
#include "wire_ip.h" /* fin_wire_pseudo_sum */

#define NH_TCP      6
#define NH_UDP      17
#define NH_ROUTING  43
#define NH_FRAGMENT 44
#define NH_ICMPV6   58
#define NH_NONE     59
#define NH_DSTOPTS  60
#define NH_HOPOPTS  0

struct delta {
  const char *name;
  uint64_t by;
};

static void snapshot(const struct peer *p, uint64_t *out) {
  const struct fin_counters *c = fin_stack_counters(p->st);
  for (size_t i = 0; i < fin_counters_count(); i++)
    out[i] = fin_counters_value(c, i);
}

/* Every counter moved by exactly what want says (the rest not at all). */
static void assert_deltas(const struct peer *p, const uint64_t *before, const struct delta *want,
                          size_t n) {
  const struct fin_counters *c = fin_stack_counters(p->st);
  for (size_t i = 0; i < fin_counters_count(); i++) {
    const char *name = fin_counters_name(i);
    uint64_t by = 0;
    for (size_t k = 0; k < n; k++)
      if (strcmp(want[k].name, name) == 0)
        by = want[k].by;
    uint64_t got = fin_counters_value(c, i) - before[i];
    if (got != by)
      fail_msg("%s moved by %llu, want %llu", name, (unsigned long long)got,
               (unsigned long long)by);
  }
}

#define ASSERT_DELTAS(p, before, ...)                                                              \
  do {                                                                                             \
    const struct delta want_[] = {__VA_ARGS__};                                                    \
    assert_deltas((p), (before), want_, sizeof(want_) / sizeof(want_[0]));                         \
  } while (0)

/* A SYN from the peer to fin's listener port, as fin_tcp_build writes it. */
static size_t syn_datagram(const struct peer *p, uint8_t *d, size_t cap) {
  struct fin_segment seg;
  peer_segment_init(p, &seg);
  seg.dport = FIN_PORT;
  seg.seq = p->irs;
  seg.flags = TCP_S;
  size_t n = fin_tcp_build(d, cap, &seg, NULL, 0, NULL, 0, NULL, 0);
  assert_true(n > 0);
  return n;
}

static void set_payload_len(uint8_t *d, size_t payload) {
  d[4] = (uint8_t)(payload >> 8);
  d[5] = (uint8_t)payload;
}

/* Puts an extension header of 8*units bytes (type nh, zero-filled body:
 * Pad1 options, segments left 0) right after the fixed header. The TCP
 * checksum still holds: the pseudo-header length is TCP's own (RFC 8200
 * §8.1). Returns the new length. */
static size_t insert_ext(uint8_t *d, size_t len, uint8_t nh, size_t units) {
  size_t hlen = 8 * units;
  memmove(d + FIN_IPV6_HDR_LEN + hlen, d + FIN_IPV6_HDR_LEN, len - FIN_IPV6_HDR_LEN);
  memset(d + FIN_IPV6_HDR_LEN, 0, hlen);
  d[FIN_IPV6_HDR_LEN] = d[6]; /* its next header: what followed the fixed header */
  d[FIN_IPV6_HDR_LEN + 1] = (uint8_t)(units - 1);
  d[6] = nh;
  set_payload_len(d, len + hlen - FIN_IPV6_HDR_LEN);
  return len + hlen;
}

static void init6(struct peer *p) {
  peer_family = FIN_AF_INET6;
  peer_init(p, NULL);
  peer_family = FIN_AF_INET;
  peer_listen(p, 8);
}

static void input(struct peer *p, const uint8_t *d, size_t len) {
  fin_stack_input(p->st, d, len, p->now);
}

/* Drops at the IPv6 header: too short for one (Linux "inhdr_error"), fewer
 * bytes than its payload length (truncated), a source or destination that
 * is no unicast peer, a destination that is not ours. */
static void test_ipv6_header_drops_have_their_counters(void **state) {
  (void)state;
  struct peer p;
  init6(&p);
  static uint8_t d[4096];
  uint64_t before[512];
  size_t n = syn_datagram(&p, d, sizeof(d));

  snapshot(&p, before);
  input(&p, d, FIN_IPV6_HDR_LEN - 1);
  ASSERT_DELTAS(&p, before, {"Ip6InReceives", 1}, {"Ip6InHdrErrors", 1}, {"FinDropIpTruncated", 1});

  snapshot(&p, before);
  input(&p, d, n - 1); /* the payload length says one byte more */
  ASSERT_DELTAS(&p, before, {"Ip6InReceives", 1}, {"Ip6InNoECTPkts", 1}, {"Ip6InTruncatedPkts", 1},
                {"FinDropIpTotalLen", 1});

  snapshot(&p, before);
  d[24] = 0xff; /* a multicast destination */
  input(&p, d, n);
  d[24] = p.fin_ip.b[0];
  ASSERT_DELTAS(&p, before, {"Ip6InReceives", 1}, {"Ip6InNoECTPkts", 1}, {"Ip6InAddrErrors", 1},
                {"FinDropIpMartianSource", 1});

  snapshot(&p, before);
  struct peer other;
  memcpy(&other, &p, sizeof(other));
  other.fin_ip.b[15] ^= 0x40; /* not fin's address */
  n = syn_datagram(&other, d, sizeof(d));
  input(&p, d, n);
  ASSERT_DELTAS(&p, before, {"Ip6InReceives", 1}, {"Ip6InNoECTPkts", 1}, {"Ip6InAddrErrors", 1},
                {"FinDropIpNotLocal", 1});
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* RFC 8200 §4: extension headers fin walks (at most FIN_IPV6_EXT_MAX, at
 * most 1024 bytes, hop-by-hop only first) and those it refuses: each
 * refusal is Ip6InHdrErrors; a routing header with segments left is not for
 * a host; a fragment asks for a reassembly fin never does. */
static void test_ipv6_extension_header_drops_have_their_counters(void **state) {
  (void)state;
  struct peer p;
  init6(&p);
  static uint8_t d[4096];
  uint64_t before[512];

  /* The limit itself is fine: FIN_IPV6_EXT_MAX headers reach TCP. */
  size_t n = syn_datagram(&p, d, sizeof(d));
  for (int i = 0; i < FIN_IPV6_EXT_MAX; i++)
    n = insert_ext(d, n, NH_DSTOPTS, 1);
  snapshot(&p, before);
  input(&p, d, n);
  (void)peer_expect_syn_ack(&p, R(&p, 1));
  ASSERT_DELTAS(&p, before, {"Ip6InReceives", 1}, {"Ip6InNoECTPkts", 1}, {"Ip6InDelivers", 1},
                {"Ip6OutRequests", 1}, {"TcpInSegs", 1}, {"TcpOutSegs", 1}, {"TcpPassiveOpens", 1});
  p.irs += 100000;
  p.peer_port++;

  n = insert_ext(d, syn_datagram(&p, d, sizeof(d)), NH_DSTOPTS, 1);
  for (int i = 0; i < FIN_IPV6_EXT_MAX; i++)
    n = insert_ext(d, n, NH_DSTOPTS, 1);
  snapshot(&p, before);
  input(&p, d, n);
  ASSERT_DELTAS(&p, before, {"Ip6InReceives", 1}, {"Ip6InNoECTPkts", 1}, {"Ip6InHdrErrors", 1},
                {"FinDropIp6ExtHeader", 1});

  n = insert_ext(d, syn_datagram(&p, d, sizeof(d)), NH_DSTOPTS, 130); /* 1040 bytes */
  snapshot(&p, before);
  input(&p, d, n);
  ASSERT_DELTAS(&p, before, {"Ip6InReceives", 1}, {"Ip6InNoECTPkts", 1}, {"Ip6InHdrErrors", 1},
                {"FinDropIp6ExtHeader", 1});

  n = insert_ext(d, syn_datagram(&p, d, sizeof(d)), NH_HOPOPTS, 1);
  n = insert_ext(d, n, NH_DSTOPTS, 1); /* hop-by-hop second */
  snapshot(&p, before);
  input(&p, d, n);
  ASSERT_DELTAS(&p, before, {"Ip6InReceives", 1}, {"Ip6InNoECTPkts", 1}, {"Ip6InHdrErrors", 1},
                {"FinDropIp6ExtHeader", 1});

  n = insert_ext(d, syn_datagram(&p, d, sizeof(d)), NH_ROUTING, 3);
  d[FIN_IPV6_HDR_LEN + 3] = 1; /* segments left */
  snapshot(&p, before);
  input(&p, d, n);
  ASSERT_DELTAS(&p, before, {"Ip6InReceives", 1}, {"Ip6InNoECTPkts", 1}, {"Ip6InHdrErrors", 1},
                {"FinDropIp6Routing", 1});

  n = insert_ext(d, syn_datagram(&p, d, sizeof(d)), NH_FRAGMENT, 1);
  d[FIN_IPV6_HDR_LEN + 3] = 1; /* M: the first of two fragments */
  snapshot(&p, before);
  input(&p, d, n);
  ASSERT_DELTAS(&p, before, {"Ip6InReceives", 1}, {"Ip6InNoECTPkts", 1}, {"Ip6ReasmReqds", 1},
                {"Ip6ReasmFails", 1}, {"FinDropIpFragment", 1});
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* An upper layer fin does not have (UDP, or No Next Header after an
 * extension header) is Ip6InUnknownProtos; ICMPv6 is known even when the
 * message is one fin ignores (an echo request): Icmp6InMsgs, delivered. */
static void test_ipv6_unknown_next_header_and_icmpv6_counters(void **state) {
  (void)state;
  struct peer p;
  init6(&p);
  static uint8_t d[4096];
  uint64_t before[512];

  size_t n = syn_datagram(&p, d, sizeof(d));
  d[6] = NH_UDP;
  snapshot(&p, before);
  input(&p, d, n);
  ASSERT_DELTAS(&p, before, {"Ip6InReceives", 1}, {"Ip6InNoECTPkts", 1}, {"Ip6InUnknownProtos", 1},
                {"FinDropIpProtocol", 1});

  n = insert_ext(d, syn_datagram(&p, d, sizeof(d)), NH_DSTOPTS, 1);
  d[FIN_IPV6_HDR_LEN] = NH_NONE;
  snapshot(&p, before);
  input(&p, d, n);
  ASSERT_DELTAS(&p, before, {"Ip6InReceives", 1}, {"Ip6InNoECTPkts", 1}, {"Ip6InUnknownProtos", 1},
                {"FinDropIpProtocol", 1});

  /* ICMPv6 echo request (RFC 4443 §4.1), with its checksum. */
  n = syn_datagram(&p, d, sizeof(d));
  uint8_t echo[8] = {128, 0, 0, 0, 0x12, 0x34, 0, 1};
  memcpy(d + FIN_IPV6_HDR_LEN, echo, sizeof(echo));
  d[6] = NH_ICMPV6;
  set_payload_len(d, sizeof(echo));
  uint32_t sum = fin_wire_pseudo_sum(&p.peer_ip, &p.fin_ip, NH_ICMPV6, sizeof(echo));
  uint16_t ck = fin_csum_fold(fin_csum_add(sum, echo, sizeof(echo)));
  d[FIN_IPV6_HDR_LEN + 2] = (uint8_t)(ck >> 8);
  d[FIN_IPV6_HDR_LEN + 3] = (uint8_t)ck;
  snapshot(&p, before);
  input(&p, d, FIN_IPV6_HDR_LEN + sizeof(echo));
  ASSERT_DELTAS(&p, before, {"Ip6InReceives", 1}, {"Ip6InNoECTPkts", 1}, {"Ip6InDelivers", 1},
                {"Icmp6InMsgs", 1}, {"FinDropIcmpIgnored", 1});
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* A TCP checksum error passed the IP layer: delivered, then refused by
 * TCP (TcpInErrs, TcpInCsumErrors), as Linux counts it. */
static void test_tcp_error_over_ipv6_is_delivered_then_counted_by_tcp(void **state) {
  (void)state;
  struct peer p;
  init6(&p);
  static uint8_t d[4096];
  uint64_t before[512];
  size_t n = syn_datagram(&p, d, sizeof(d));
  d[n - 1] ^= 1;
  snapshot(&p, before);
  input(&p, d, n);
  ASSERT_DELTAS(&p, before, {"Ip6InReceives", 1}, {"Ip6InNoECTPkts", 1}, {"Ip6InDelivers", 1},
                {"TcpInErrs", 1}, {"TcpInCsumErrors", 1}, {"FinDropTcpChecksum", 1});
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* RFC 3168 §5: each datagram's ECN field moves the counter of its
 * codepoint and family (Linux IpExtIn*Pkts, snmp6 Ip6In*Pkts), whatever
 * happens to it next: a checksum error counts too, a datagram shorter than
 * its header does not. */
static void test_ecn_field_counted_per_codepoint(void **state) {
  (void)state;
  static const char *names[2][4] = {
      {"IpExtInNoECTPkts", "IpExtInECT1Pkts", "IpExtInECT0Pkts", "IpExtInCEPkts"},
      {"Ip6InNoECTPkts", "Ip6InECT1Pkts", "Ip6InECT0Pkts", "Ip6InCEPkts"}};
  for (int v6 = 0; v6 < 2; v6++) {
    struct peer p;
    peer_family = v6 ? FIN_AF_INET6 : FIN_AF_INET;
    peer_init(&p, NULL);
    peer_family = FIN_AF_INET;
    static uint8_t d[256];
    uint64_t before[512];
    for (uint8_t ecn = 0; ecn < 4; ecn++) {
      p.tos = (uint8_t)(0x20 | ecn); /* a DSCP beside it changes nothing */
      size_t n = syn_datagram(&p, d, sizeof(d));
      d[n - 1] ^= 1;
      snapshot(&p, before);
      input(&p, d, n);
      ASSERT_DELTAS(&p, before, {v6 ? "Ip6InReceives" : "IpInReceives", 1}, {names[v6][ecn], 1},
                    {v6 ? "Ip6InDelivers" : "IpInDelivers", 1}, {"TcpInErrs", 1},
                    {"TcpInCsumErrors", 1}, {"FinDropTcpChecksum", 1});
    }
    snapshot(&p, before);
    input(&p, d, v6 ? FIN_IPV6_HDR_LEN - 1 : FIN_IPV4_HDR_MIN - 1);
    ASSERT_DELTAS(&p, before, {v6 ? "Ip6InReceives" : "IpInReceives", 1},
                  {v6 ? "Ip6InHdrErrors" : "IpInHdrErrors", 1}, {"FinDropIpTruncated", 1});
    peer_free(&p);
  }
}

/* One exchange: handshake, 100 bytes each way, fin closes first (TIME-WAIT);
 * then a SYN to a closed port (RST) and a segment with a bad checksum. */
static void exchange(struct peer *p) {
  peer_establish_passive(p);
  peer_send(p, TCP_A | TCP_P, R(p, 1), L(p, 1), NULL, 100);
  peer_expect(p, TCP_A, L(p, 1), R(p, 101));
  assert_int_equal(fin_send(p->st, p->s, p->buf, 100, 0), 100);
  peer_expect_len(p, TCP_A | TCP_P, L(p, 1), R(p, 101), 100);
  uint8_t buf[128];
  assert_int_equal(fin_recv(p->st, p->s, buf, sizeof(buf), 0), 100);
  assert_int_equal(fin_close(p->st, p->s), 0);
  peer_expect(p, TCP_A | TCP_F, L(p, 101), R(p, 101));
  peer_send(p, TCP_A | TCP_F, R(p, 101), L(p, 102), NULL, 0);
  peer_expect(p, TCP_A, L(p, 102), R(p, 102));
  p->fin_port = 81;
  peer_send(p, TCP_S, 7, 0, NULL, 0);
  peer_expect(p, TCP_R | TCP_A, 0, 8);
  static uint8_t d[256];
  size_t n = syn_datagram(p, d, sizeof(d));
  d[n - 1] ^= 1;
  input(p, d, n);
  peer_expect_nothing(p);
}

/* Linux keeps one TCP MIB for both families: fin's Tcp* and TcpExt*
 * counters read the same after the same exchange over IPv4 and over IPv6;
 * the IP counters are each family's own. */
static void test_tcp_counters_cover_both_families(void **state) {
  (void)state;
  static uint64_t got[2][512];
  for (int v6 = 0; v6 < 2; v6++) {
    struct peer p;
    peer_family = v6 ? FIN_AF_INET6 : FIN_AF_INET;
    peer_init(&p, NULL);
    peer_family = FIN_AF_INET;
    exchange(&p);
    snapshot(&p, got[v6]);
    const struct fin_counters *c = peer_counters(&p);
    uint64_t in = v6 ? c->ip6_in_receives : c->ip_in_receives;
    assert_int_equal(in, c->in_segs + 1); /* the bad checksum is no segment */
    assert_int_equal(v6 ? c->ip6_in_delivers : c->ip_in_delivers, in);
    assert_int_equal(v6 ? c->ip6_out_requests : c->ip_out_requests, c->out_segs);
    assert_int_equal(
        v6 ? c->ip_in_receives + c->ip_out_requests : c->ip6_in_receives + c->ip6_out_requests, 0);
    peer_free(&p);
  }
  size_t tcp = 0;
  for (size_t i = 0; i < fin_counters_count(); i++) {
    const char *name = fin_counters_name(i);
    if (strncmp(name, "Ip", 2) == 0 || strncmp(name, "Icmp", 4) == 0)
      continue;
    if (got[0][i] != got[1][i])
      fail_msg("%s: %llu over IPv4, %llu over IPv6", name, (unsigned long long)got[0][i],
               (unsigned long long)got[1][i]);
    tcp += got[0][i] != 0;
  }
  /* TcpPassiveOpens, InSegs, OutSegs, OutRsts, InErrs, InCsumErrors,
   * TcpExtTW, FinRstNoConn, FinDropTcpChecksum, FinTimeWaitCurrent */
  assert_int_equal(tcp, 10);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ipv6_header_drops_have_their_counters),
      cmocka_unit_test(test_ipv6_extension_header_drops_have_their_counters),
      cmocka_unit_test(test_ipv6_unknown_next_header_and_icmpv6_counters),
      cmocka_unit_test(test_tcp_error_over_ipv6_is_delivered_then_counted_by_tcp),
      cmocka_unit_test(test_tcp_counters_cover_both_families),
      cmocka_unit_test(test_ecn_field_counted_per_codepoint),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
