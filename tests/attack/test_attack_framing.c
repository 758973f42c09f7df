/* SPDX-License-Identifier: MIT */
/* Attack catalogue section A, framing and length fields (AMNESIA:33,
 * Ripple20, INFRA:HALT, NUCLEUS:13): raw datagrams with lying length
 * fields, checksums, truncations, fragments and forbidden addresses, fed to
 * a live connection in heap blocks of exactly their length. Each must be
 * dropped with its own counter (BEHAVIOR A9), leave every connection and
 * every byte of memory as it was, and send nothing; the same datagram with
 * honest fields is then taken, so the test shows it was the lie that
 * mattered. Every group runs over IPv4 and IPv6. */
#include <string.h>

#include "attack.h"

/* ---- helpers ---- */

/* The honest datagram the tests corrupt: 10 bytes "0123456789" at RCV.NXT. */
static size_t data_dgram(struct peer *p, uint8_t *out, size_t cap) {
  struct fin_segment seg = attack_seg(p, TCP_A | TCP_P, R(p, 1), L(p, 1));
  return attack_build(&seg, NULL, 0, "0123456789", 10, out, cap);
}

/* The honest datagram is taken: ACKed and readable, so the connection the
 * drops left alone is still a working one. */
static void honest_data_taken(struct peer *p) {
  uint8_t d[128];
  size_t n = data_dgram(p, d, sizeof(d));
  attack_input(p, d, n);
  peer_expect(p, TCP_A, L(p, 1), R(p, 11));
  peer_expect_nothing(p);
  uint8_t buf[32];
  assert_int_equal(attack_read_all(p, buf, sizeof(buf)), 10);
  assert_memory_equal(buf, "0123456789", 10);
}

/* The length field of the IP header: IPv4 total length, IPv6 payload length. */
static void set_ip_len(struct peer *p, uint8_t *d, unsigned v) {
  size_t at = p->v6 ? 4 : 2;
  d[at] = (uint8_t)(v >> 8);
  d[at + 1] = (uint8_t)v;
}

#define HDR_ERRORS(p) ((p)->v6 ? "Ip6InHdrErrors" : "IpInHdrErrors")
/* A length field claiming more than arrived: Linux counts it as truncated in
 * IPv6 (ip6_rcv_core); IPv4's IpExtInTruncatedPkts is not kept, so there it
 * is a header error. */
#define TRUNC_ERRORS(p) ((p)->v6 ? "Ip6InTruncatedPkts" : "IpInHdrErrors")

static void establish(struct peer *p) {
  peer_init(p, NULL);
  peer_establish_passive(p);
}

/* ---- T01 ---- */

/* ATTACK T01 */
static void test_ip_length_shorter_than_headers_dropped(void **state) {
  (void)state;
  struct peer p;
  establish(&p);
  uint8_t d[128];
  size_t n = data_dgram(&p, d, sizeof(d));
  size_t ip = ATTACK_TCP_OFF(&p);
  /* IPv4: a total length below the IP header itself (12) is the IP
   * layer's lie; one that leaves room for the IP header but not for a
   * TCP header (20..39) is TCP's; IPv6's payload length only has the
   * second kind. The checksums are fixed so only the length is wrong. */
  static const unsigned v4_short[] = {0, 12, 19};
  for (size_t i = 0; !p.v6 && i < sizeof(v4_short) / sizeof(v4_short[0]); i++) {
    uint8_t bad[128];
    memcpy(bad, d, n);
    set_ip_len(&p, bad, v4_short[i]);
    attack_fix_checksums(bad);
    struct attack_snap s;
    attack_snap_take(&p, &s);
    attack_input(&p, bad, n);
    attack_expect_dropped(&p, &s, ATTACK_RX(&p), "FinDropIpTotalLen", TRUNC_ERRORS(&p));
  }
  for (unsigned tcp = 0; tcp < 20; tcp++) {
    uint8_t bad[128];
    memcpy(bad, d, n);
    set_ip_len(&p, bad, (unsigned)(p.v6 ? tcp : ip + tcp));
    if (!p.v6)
      attack_fix_checksums(bad); /* IPv4 header checksum; TCP's never reached */
    struct attack_snap s;
    attack_snap_take(&p, &s);
    attack_input(&p, bad, n);
    attack_expect_dropped(&p, &s, ATTACK_RX(&p), "FinDropTcpTruncated", "TcpInErrs");
  }
  honest_data_taken(&p);
  peer_free(&p);
}

/* ---- T02 ---- */

/* ATTACK T02 */
static void test_ip_length_longer_than_frame_dropped_padding_trimmed(void **state) {
  (void)state;
  struct peer p;
  establish(&p);
  uint8_t d[1600];
  size_t n = data_dgram(&p, d, sizeof(d));
  size_t ip = ATTACK_TCP_OFF(&p);
  /* The header claims 1500 bytes (and every length up to one past the
   * frame) in a frame of n: dropped before any byte past n is read. */
  static const unsigned claims[] = {1500, 65535};
  for (size_t i = 0; i < 2 + 1; i++) {
    unsigned total = i < 2 ? claims[i] : (unsigned)n + 1;
    uint8_t bad[1600];
    memcpy(bad, d, n);
    set_ip_len(&p, bad, p.v6 ? total - 40 : total);
    if (!p.v6) {
      bad[10] = bad[11] = 0;
      uint16_t c = fin_csum_fold(fin_csum_add(0, bad, 20));
      bad[10] = (uint8_t)(c >> 8);
      bad[11] = (uint8_t)c;
    }
    struct attack_snap s;
    attack_snap_take(&p, &s);
    attack_input(&p, bad, n);
    attack_expect_dropped(&p, &s, ATTACK_RX(&p), "FinDropIpTotalLen", TRUNC_ERRORS(&p));
  }
  /* More frame than the header claims is link padding: trimmed to the
   * claimed length, whose checksum is right; the padding is never data. */
  uint8_t padded[1600];
  memcpy(padded, d, n);
  memset(padded + n, '!', 40);
  attack_input(&p, padded, n + 40);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 11));
  peer_expect_nothing(&p);
  uint8_t buf[64];
  assert_int_equal(attack_read_all(&p, buf, sizeof(buf)), 10);
  assert_memory_equal(buf, "0123456789", 10);
  (void)ip;
  peer_free(&p);
}

/* ---- T03, T04 ---- */

/* A bare 20-byte TCP header (no options, no data) with this data offset. */
static void send_data_offset(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack,
                             unsigned words) {
  struct fin_segment seg = attack_seg(p, flags, seq, ack);
  uint8_t d[128];
  size_t n = attack_build(&seg, NULL, 0, NULL, 0, d, sizeof(d));
  d[ATTACK_TCP_OFF(p) + 12] = (uint8_t)(words << 4);
  attack_fix_checksums(d);
  attack_input(p, d, n);
}

/* ATTACK T03 */
static void test_data_offset_below_five_words_dropped(void **state) {
  (void)state;
  struct peer p;
  establish(&p);
  for (unsigned w = 0; w < 5; w++) {
    struct attack_snap s;
    attack_snap_take(&p, &s);
    send_data_offset(&p, TCP_A, R(&p, 1), L(&p, 1), w);
    send_data_offset(&p, TCP_R, R(&p, 1), 0, w); /* an exact RST, had it been parsed */
    attack_expect_dropped(&p, &s, ATTACK_RX(&p), ATTACK_RX(&p), "FinDropTcpDataOffset",
                          "FinDropTcpDataOffset", "TcpInErrs", "TcpInErrs");
  }
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  honest_data_taken(&p);
  peer_free(&p);
}

/* ATTACK T04 */
static void test_data_offset_past_segment_dropped_at_listener_and_connection(void **state) {
  (void)state;
  struct peer p;
  establish(&p);
  /* 6..15 words in a 20-byte segment: the option walker would start past
   * the end; lwIP's case is 15. A SYN to the listener too: no SYN-ACK, no
   * half-open connection. */
  for (unsigned w = 6; w < 16; w++) {
    struct attack_snap s;
    attack_snap_take(&p, &s);
    send_data_offset(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 1), w);
    p.peer_port = 40001;
    send_data_offset(&p, TCP_S, 777, 0, w);
    p.peer_port = PEER_PORT;
    attack_expect_dropped(&p, &s, ATTACK_RX(&p), ATTACK_RX(&p), "FinDropTcpDataOffset",
                          "FinDropTcpDataOffset", "TcpInErrs", "TcpInErrs");
  }
  honest_data_taken(&p);
  peer_free(&p);
}

/* ---- T05 ---- */

/* The TCP checksum field of d. */
static uint16_t tcp_csum(struct peer *p, const uint8_t *d) {
  size_t o = ATTACK_TCP_OFF(p) + 16;
  return (uint16_t)(d[o] << 8 | d[o + 1]);
}

static void set_tcp_csum(struct peer *p, uint8_t *d, uint16_t v) {
  size_t o = ATTACK_TCP_OFF(p) + 16;
  d[o] = (uint8_t)(v >> 8);
  d[o + 1] = (uint8_t)v;
}

/* ATTACK T05 */
static void test_checksum_over_the_validated_length_only(void **state) {
  (void)state;
  struct peer p;
  establish(&p);
  uint8_t d[128], bad[128];
  size_t n = data_dgram(&p, d, sizeof(d));
  /* A wrong checksum: dropped before any state change (even as an exact
   * RST would have been). */
  struct attack_snap s;
  attack_snap_take(&p, &s);
  memcpy(bad, d, n);
  set_tcp_csum(&p, bad, (uint16_t)(tcp_csum(&p, d) ^ 0x0100));
  attack_input(&p, bad, n);
  attack_expect_dropped(&p, &s, ATTACK_RX(&p), "FinDropTcpChecksum", "TcpInErrs",
                        "TcpInCsumErrors");
  /* The attacker shortens the IP length by 4 bytes but leaves the
   * checksum good for the whole frame: fin sums what the header claims, so
   * the checksum fails. */
  memcpy(bad, d, n);
  set_ip_len(&p, bad, (unsigned)(p.v6 ? n - 40 - 4 : n - 4));
  if (!p.v6) {
    bad[10] = bad[11] = 0;
    uint16_t c = fin_csum_fold(fin_csum_add(0, bad, 20));
    bad[10] = (uint8_t)(c >> 8);
    bad[11] = (uint8_t)c;
  }
  attack_snap_take(&p, &s);
  attack_input(&p, bad, n);
  attack_expect_dropped(&p, &s, ATTACK_RX(&p), "FinDropTcpChecksum", "TcpInErrs",
                        "TcpInCsumErrors");
  /* ... and with the checksum made good for the claimed 6 bytes, fin takes
   * those 6 and never the 4 the frame carries past them. */
  attack_fix_checksums(bad);
  attack_input(&p, bad, n);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 7));
  peer_expect_nothing(&p);
  uint8_t buf[32];
  assert_int_equal(attack_read_all(&p, buf, sizeof(buf)), 6);
  assert_memory_equal(buf, "012345", 6);
  peer_free(&p);
}

/* Odd lengths: the last byte is summed as the high half of a word (RFC
 * 1071 §4.1); corrupting only it is caught. */
/* ATTACK T05 */
static void test_checksum_odd_lengths_and_last_byte(void **state) {
  (void)state;
  struct peer p;
  establish(&p);
  uint32_t at = 1;
  for (size_t len = 1; len <= 9; len += 2) {
    struct fin_segment seg = attack_seg(&p, TCP_A | TCP_P, R(&p, at), L(&p, 1));
    uint8_t d[128];
    size_t n = attack_build(&seg, NULL, 0, "abcdefghi", len, d, sizeof(d));
    uint8_t bad[128];
    memcpy(bad, d, n);
    bad[n - 1] ^= 0x01;
    struct attack_snap s;
    attack_snap_take(&p, &s);
    attack_input(&p, bad, n);
    attack_expect_dropped(&p, &s, ATTACK_RX(&p), "FinDropTcpChecksum", "TcpInErrs",
                          "TcpInCsumErrors");
    attack_input(&p, d, n);
    peer_expect(&p, TCP_A, L(&p, 1), R(&p, at + len));
    peer_expect_nothing(&p);
    at += (uint32_t)len;
  }
  assert_int_equal(fin_inq(p.st, p.s), 1 + 3 + 5 + 7 + 9);
  peer_free(&p);
}

/* 0x0000 and 0xFFFF are the two one's complement zeros (RFC 1624 §3): a
 * segment whose checksum is zero verifies with either in the field, and
 * with nothing else; and 0 is never "no checksum" in TCP (RFC 9293 §3.1,
 * unlike UDP): a segment whose checksum is not zero is dropped with 0. */
/* ATTACK T05 */
static void test_checksum_zero_and_all_ones(void **state) {
  (void)state;
  struct peer p;
  establish(&p);
  /* Tune the last two payload bytes until the checksum comes out 0x0000. */
  struct fin_segment seg = attack_seg(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1));
  uint8_t d[128], payload[8] = "zzzzzz";
  size_t n = 0;
  for (unsigned v = 0; v < 65536; v++) {
    payload[6] = (uint8_t)(v >> 8);
    payload[7] = (uint8_t)v;
    n = attack_build(&seg, NULL, 0, payload, 8, d, sizeof(d));
    if (tcp_csum(&p, d) == 0)
      break;
  }
  assert_int_equal(tcp_csum(&p, d), 0);
  uint8_t ones[128];
  memcpy(ones, d, n);
  set_tcp_csum(&p, ones, 0xffff);
  attack_input(&p, ones, n);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 9));
  peer_expect_nothing(&p);
  /* The honest zero form of the same bytes is now an old duplicate. */
  assert_int_equal(fin_inq(p.st, p.s), 8);
  /* A segment whose checksum is not zero, sent with 0 in the field. */
  struct fin_segment next = attack_seg(&p, TCP_A | TCP_P, R(&p, 9), L(&p, 1));
  uint8_t e[128];
  size_t m = attack_build(&next, NULL, 0, "0123456789", 10, e, sizeof(e));
  assert_true(tcp_csum(&p, e) != 0 && tcp_csum(&p, e) != 0xffff);
  set_tcp_csum(&p, e, 0);
  struct attack_snap s;
  attack_snap_take(&p, &s);
  attack_input(&p, e, m);
  attack_expect_dropped(&p, &s, ATTACK_RX(&p), "FinDropTcpChecksum", "TcpInErrs",
                        "TcpInCsumErrors");
  peer_free(&p);
}

/* ---- T06 ---- */

/* ATTACK T06 */
static void test_every_truncation_of_a_datagram_dropped(void **state) {
  (void)state;
  struct peer p;
  establish(&p);
  uint8_t d[128];
  size_t n = data_dgram(&p, d, sizeof(d));
  size_t iph = ATTACK_TCP_OFF(&p);
  /* 0 bytes; then every prefix of the datagram: shorter than an IP header,
   * or shorter than the IP header says. (fin is fed IP datagrams: there is
   * no link header to truncate.) */
  struct attack_snap s;
  attack_snap_take(&p, &s);
  attack_input(&p, d, 0);
  attack_expect_dropped(&p, &s, "IpInReceives", "FinDropIpTruncated", "IpInHdrErrors");
  for (size_t len = 1; len < n; len++) {
    attack_snap_take(&p, &s);
    attack_input(&p, d, len);
    if (len < iph)
      attack_expect_dropped(&p, &s, ATTACK_RX(&p), "FinDropIpTruncated", HDR_ERRORS(&p));
    else
      attack_expect_dropped(&p, &s, ATTACK_RX(&p), "FinDropIpTotalLen", TRUNC_ERRORS(&p));
  }
  /* A TCP header cut short with every length field agreeing: TCP's own
   * check (the T01 test covers the IP length alone). */
  for (size_t tcp = 0; tcp < 20; tcp++) {
    uint8_t cut[128];
    memcpy(cut, d, iph + tcp);
    set_ip_len(&p, cut, (unsigned)(p.v6 ? tcp : iph + tcp));
    if (!p.v6)
      attack_fix_checksums(cut);
    attack_snap_take(&p, &s);
    attack_input(&p, cut, iph + tcp);
    attack_expect_dropped(&p, &s, ATTACK_RX(&p), "FinDropTcpTruncated", "TcpInErrs");
  }
  honest_data_taken(&p);
  peer_free(&p);
}

/* ---- T07 ---- */

/* ATTACK T07 */
static void test_fragments_dropped_without_holding_memory(void **state) {
  (void)state;
  struct peer p;
  establish(&p);
  uint8_t d[128];
  size_t n = data_dgram(&p, d, sizeof(d));
  struct attack_snap s;
  attack_snap_take(&p, &s);
  size_t sent = 0;
  if (!p.v6) {
    /* A tiny first fragment that cuts the TCP header after 8 bytes (MF),
     * the rest at offset 1 (8 bytes), overlapping fragments, and 9,000
     * fragments of a datagram that would reassemble past 64 KiB and never
     * completes. */
    for (unsigned i = 0; i < 9000; i++) {
      uint8_t f[128];
      memcpy(f, d, n);
      unsigned off = i % 3 == 0 ? 0 : (i % 3 == 1 ? 1 : 8190 - (i % 7));
      unsigned flags = 0x2000 | off; /* MF */
      size_t len = i % 3 == 0 ? 28 : n;
      f[2] = (uint8_t)(len >> 8);
      f[3] = (uint8_t)len;
      f[6] = (uint8_t)(flags >> 8);
      f[7] = (uint8_t)flags;
      f[10] = f[11] = 0;
      uint16_t c = fin_csum_fold(fin_csum_add(0, f, 20));
      f[10] = (uint8_t)(c >> 8);
      f[11] = (uint8_t)c;
      attack_input(&p, f, len);
      sent++;
    }
  } else {
    /* RFC 8200 §4.5: a fragment header before the TCP header (first
     * fragment, more to come; and a later one), 9,000 times. */
    for (unsigned i = 0; i < 9000; i++) {
      uint8_t f[160];
      memcpy(f, d, 40);
      f[6] = 44; /* next header: fragment */
      uint8_t *fh = f + 40;
      memset(fh, 0, 8);
      fh[0] = FIN_IPPROTO_TCP;
      unsigned off = i % 2 ? 1 + i % 100 : 0;
      fh[2] = (uint8_t)(off >> 5);
      fh[3] = (uint8_t)((off << 3) | 1); /* M */
      fh[4] = 0x12;
      memcpy(f + 48, d + 40, n - 40);
      size_t len = n + 8;
      f[4] = (uint8_t)((len - 40) >> 8);
      f[5] = (uint8_t)(len - 40);
      attack_input(&p, f, len);
      sent++;
    }
  }
  peer_expect_nothing(&p);
  const struct fin_counters *c = peer_counters(&p);
  assert_int_equal(c->drop_ip_fragment - s.c.drop_ip_fragment, sent);
  assert_int_equal(p.v6 ? c->ip6_reasm_fails - s.c.ip6_reasm_fails
                        : c->ip_reasm_fails - s.c.ip_reasm_fails,
                   sent);
  assert_int_equal(fin_stack_memory_in_use(p.st), s.mem);
  assert_int_equal(fin_inq(p.st, p.s), 0);
  honest_data_taken(&p);
  peer_free(&p);
}

/* ---- T08 ---- */

/* A SYN from src:sport to dst:dport. */
static void syn_between(struct peer *p, struct fin_addr src, uint16_t sport, struct fin_addr dst,
                        uint16_t dport, uint8_t flags) {
  struct fin_segment seg = attack_seg(p, flags, 5555, flags & TCP_A ? 6666 : 0);
  seg.saddr = src;
  seg.daddr = dst;
  seg.sport = sport;
  seg.dport = dport;
  attack_send(p, &seg, NULL, 0, NULL, 0);
}

static struct fin_addr addr6(uint8_t b0, uint8_t b1, uint8_t last) {
  uint8_t b[16] = {b0, b1};
  b[15] = last;
  return fin_addr_v6(b);
}

/* ATTACK T08 */
static void test_broadcast_multicast_and_land_get_no_answer(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 8);
  struct attack_snap s;
  attack_snap_take(&p, &s);
  const struct fin_addr me = p.fin_ip, peer = p.peer_ip;
  /* A SYN to the limited broadcast, to a multicast group, and to the
   * subnet broadcast (not an address of fin's); an ACK to a closed port
   * from a multicast or broadcast source, which would earn a RST to it
   * from a unicast source (A1): never answered (RFC 1122 §4.2.3.10). */
  struct fin_addr bcast = p.v6 ? addr6(0xff, 0x02, 1) : fin_addr_v4(0xffffffffu);
  struct fin_addr mcast = p.v6 ? addr6(0xff, 0x05, 2) : fin_addr_v4(0xe0000001u);
  struct fin_addr subnet = p.v6 ? addr6(0xfd, 0x00, 0xff) : fin_addr_v4(0x0a0000ffu);
  syn_between(&p, peer, PEER_PORT, bcast, FIN_PORT, TCP_S);
  syn_between(&p, peer, PEER_PORT, mcast, FIN_PORT, TCP_S);
  syn_between(&p, peer, PEER_PORT, subnet, FIN_PORT, TCP_S);
  syn_between(&p, mcast, PEER_PORT, me, 81, TCP_A);
  syn_between(&p, bcast, PEER_PORT, me, 81, TCP_A);
  /* LAND: source = destination, same port, to the listener and to a
   * closed port: no SYN-ACK to itself, no RST, no half-open connection. */
  syn_between(&p, me, FIN_PORT, me, FIN_PORT, TCP_S);
  syn_between(&p, me, 81, me, 81, TCP_S);
  attack_expect_dropped(
      &p, &s, ATTACK_RX(&p), ATTACK_RX(&p), ATTACK_RX(&p), ATTACK_RX(&p), ATTACK_RX(&p),
      ATTACK_RX(&p), ATTACK_RX(&p), "FinDropIpMartianSource", "FinDropIpMartianSource",
      "FinDropIpMartianSource", "FinDropIpMartianSource",
      p.v6 ? "Ip6InAddrErrors" : "IpInAddrErrors", p.v6 ? "Ip6InAddrErrors" : "IpInAddrErrors",
      p.v6 ? "Ip6InAddrErrors" : "IpInAddrErrors", p.v6 ? "Ip6InAddrErrors" : "IpInAddrErrors",
      p.v6 ? "Ip6InAddrErrors" : "IpInAddrErrors", "FinDropIpNotLocal", "TcpInSegs", "TcpInSegs",
      "FinDropSynLand", "FinDropSynLand");
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  /* A real peer's SYN still gets its SYN-ACK. */
  syn_between(&p, peer, PEER_PORT, me, FIN_PORT, TCP_S);
  peer_expect_syn_ack(&p, 5556);
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ip_length_shorter_than_headers_dropped),
      cmocka_unit_test(test_ip_length_longer_than_frame_dropped_padding_trimmed),
      cmocka_unit_test(test_data_offset_below_five_words_dropped),
      cmocka_unit_test(test_data_offset_past_segment_dropped_at_listener_and_connection),
      cmocka_unit_test(test_checksum_over_the_validated_length_only),
      cmocka_unit_test(test_checksum_odd_lengths_and_last_byte),
      cmocka_unit_test(test_checksum_zero_and_all_ones),
      cmocka_unit_test(test_every_truncation_of_a_datagram_dropped),
      cmocka_unit_test(test_fragments_dropped_without_holding_memory),
      cmocka_unit_test(test_broadcast_multicast_and_land_get_no_answer),
  };
  return PEER_RUN_BOTH(tests);
}
