/* SPDX-License-Identifier: MIT */
/* The IPv6 wire layer (src/wire/ipv6.c, RFC 8200): the header built and
 * parsed field by field, a real Linux SYN and RST, the pseudo-header
 * checksum against vectors checked by tshark, the extension header walk
 * (hop-by-hop, routing, destination options, fragment) with its bounds in
 * count and bytes, what is refused and why (each reason is one drop
 * counter), truncated and lying payload lengths, and ICMPv6 errors.
 * Inputs are copied into heap blocks of exactly their length so ASan
 * catches any over-read. */
#include <stdlib.h>
#include <string.h>

#include "fin_test.h"
#include "wire_fixture.h"
#include "wire_ip.h"

#define NH_HOPOPTS  0
#define NH_ROUTING  43
#define NH_FRAGMENT 44
#define NH_NONE     59
#define NH_DSTOPTS  60

static enum fin_wire_error parse_exact(const uint8_t *d, size_t len, struct fin_segment *s) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  if (len)
    memcpy(copy, d, len);
  enum fin_wire_error e = fin_tcp_parse(copy, len, s);
  if (e == FIN_WIRE_OK)
    assert_true(s->payload >= copy + 60 && s->payload + s->payload_len <= copy + len);
  free(copy);
  return e;
}

static enum fin_wire_error parse(const uint8_t *d, size_t len) {
  struct fin_segment s;
  return parse_exact(d, len, &s);
}

static enum fin_wire_error icmp_parse(const uint8_t *d, size_t len, struct fin_icmp_error *e) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, d, len);
  enum fin_wire_error r = fin_icmp_parse(copy, len, e);
  free(copy);
  return r;
}

static struct fin_addr addr(const char *text) {
  struct fin_addr a;
  assert_int_equal(fin_addr_parse(text, &a), 0);
  return a;
}

/* ---- the header ---- */

/* Captured from Linux 6.18 over lo (connect() to [::1]:9, refused):
 * <mss 65476,sackOK,TS val 1804660916 ecr 0,nop,wscale 10> with flow label
 * 0xe0b40, and the kernel's RST. Loopback leaves the TCP checksum as the
 * pseudo-header sum (0x0030 and 0x001c on the wire, CHECKSUM_PARTIAL);
 * bytes 56-57 hold the completed checksums, which tshark 4.0 verifies
 * (tcp.checksum.status good). All other bytes are as captured. */
static const uint8_t linux_syn6[] = {
    0x60, 0x0e, 0x0b, 0x40, 0x00, 0x28, 0x06, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xd8, 0xba, 0x00, 0x09, 0x10, 0xf8, 0xcc, 0xa9,
    0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xff, 0xc4, 0x3b, 0x7b, 0x00, 0x00, 0x02, 0x04, 0xff, 0xc4,
    0x04, 0x02, 0x08, 0x0a, 0x6b, 0x90, 0xf0, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a};
static const uint8_t linux_rst6[] = {
    0x60, 0x04, 0xb0, 0xd8, 0x00, 0x14, 0x06, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x09, 0xd8, 0xba, 0x00,
    0x00, 0x00, 0x00, 0x10, 0xf8, 0xcc, 0xaa, 0x50, 0x14, 0x00, 0x00, 0xf9, 0x68, 0x00, 0x00};

static void test_linux_ipv6_syn_capture_parses_every_field(void **state) {
  (void)state;
  struct fin_segment s;
  assert_int_equal(parse_exact(linux_syn6, sizeof(linux_syn6), &s), FIN_WIRE_OK);
  assert_int_equal(fin_tcp_parse(linux_syn6, sizeof(linux_syn6), &s), FIN_WIRE_OK);
  assert_addr_equal(s.saddr, addr("::1"));
  assert_addr_equal(s.daddr, addr("::1"));
  assert_false(fin_addr_is_v4(&s.saddr));
  assert_int_equal(s.ttl, 64);
  assert_int_equal(s.tos, 0);
  assert_int_equal(s.flowlabel, 0xe0b40);
  assert_int_equal(s.ip_id, 0);
  assert_int_equal(s.sport, 55482);
  assert_int_equal(s.dport, 9);
  assert_int_equal(s.seq, 0x10f8cca9);
  assert_int_equal(s.flags, FIN_TCP_SYN);
  assert_int_equal(s.wnd, 65476);
  assert_int_equal(s.data_offset, 40);
  assert_true(s.opts.has_mss && s.opts.sack_permitted && s.opts.has_ts && s.opts.has_wscale);
  assert_int_equal(s.opts.mss, 65476); /* 65536 - 60: lo's MTU less the IPv6 and TCP headers */
  assert_int_equal(s.opts.ts_val, 1804660916u);
  assert_int_equal(s.opts.wscale, 10);
  assert_int_equal(s.payload_len, 0);
  assert_ptr_equal(s.payload, linux_syn6 + sizeof(linux_syn6));
  assert_int_equal(fin_tcp_parse(linux_rst6, sizeof(linux_rst6), &s), FIN_WIRE_OK);
  assert_int_equal(s.flags, FIN_TCP_RST | FIN_TCP_ACK);
  assert_int_equal(s.ack, 0x10f8ccaa);
  assert_int_equal(s.flowlabel, 0x4b0d8);
}

/* What Linux left on the wire is the pseudo-header sum (RFC 8200 §8.1:
 * source, destination, 32-bit upper-layer length, 24 zero bits, next
 * header): fin's sum of the same fields gives those values, and the
 * partial checksum itself is refused. */
static void test_linux_partial_checksum_is_the_pseudo_header_sum(void **state) {
  (void)state;
  struct fin_addr lo = addr("::1");
  assert_int_equal(fin_wire_pseudo_sum6(&lo, &lo, FIN_IPPROTO_TCP, 40), 0x0030);
  assert_int_equal(fin_wire_pseudo_sum6(&lo, &lo, FIN_IPPROTO_TCP, 20), 0x001c);
  uint8_t d[sizeof(linux_syn6)];
  memcpy(d, linux_syn6, sizeof(d));
  d[56] = 0x00;
  d[57] = 0x30;
  assert_int_equal(parse(d, sizeof(d)), FIN_WIRE_TCP_CHECKSUM);
}

/* A vector with carries in every address word: the checksum computed by an
 * independent implementation of RFC 8200 §8.1 and verified by tshark 4.0.
 * fin builds exactly these bytes and parses them back. */
static void test_pseudo_header_checksum_known_vector_with_carries(void **state) {
  (void)state;
  struct fin_segment seg = {.saddr = addr("2001:db8:85a3::8a2e:370:7334"),
                            .daddr = addr("2001:db8:ffff:ffff:ffff:ffff:ffff:fffe"),
                            .sport = 443,
                            .dport = 65535,
                            .seq = 0xfffffffe,
                            .ack = 0x80000000,
                            .flags = FIN_TCP_PSH | FIN_TCP_ACK,
                            .wnd = 0xffff};
  assert_int_equal(fin_wire_pseudo_sum6(&seg.saddr, &seg.daddr, FIN_IPPROTO_TCP, 25), 0xe206);
  uint8_t d[128];
  size_t n = fin_tcp_build(d, sizeof(d), &seg, NULL, 0, (const uint8_t *)"hello", 5, NULL, 0);
  assert_int_equal(n, 65);
  assert_int_equal(d[56], 0x08);
  assert_int_equal(d[57], 0x54);
  struct fin_segment s;
  assert_int_equal(parse_exact(d, n, &s), FIN_WIRE_OK);
  assert_int_equal(s.payload_len, 5);
  /* The fixture's independent checksum agrees. */
  d[56] = d[57] = 0;
  wf_fix_ipv6_checksum(d, 40, FIN_IPPROTO_TCP);
  assert_int_equal(d[56] << 8 | d[57], 0x0854);
}

/* RFC 8200 §3: version 6, traffic class, flow label, payload length (the
 * bytes after the 40-byte header), next header TCP, hop limit (64 when the
 * segment says 0); fin sends no extension headers. */
static void test_build_writes_the_rfc8200_header(void **state) {
  (void)state;
  struct fin_segment seg;
  wf_segment_default_v6(&seg);
  seg.tos = 0xb8;
  seg.flowlabel = 0xfedcba98; /* only the low 20 bits are a flow label */
  seg.ttl = 0;
  uint8_t d[128];
  size_t n = wf_build_raw(d, sizeof(d), &seg, NULL, 0, 3);
  assert_int_equal(n, 40 + 20 + 3);
  static const uint8_t want[8] = {0x6b, 0x8c, 0xba, 0x98, 0x00, 23, FIN_IPPROTO_TCP, 64};
  assert_memory_equal(d, want, 8);
  assert_memory_equal(d + 8, seg.saddr.b, 16);
  assert_memory_equal(d + 24, seg.daddr.b, 16);
  struct fin_segment s;
  assert_int_equal(parse_exact(d, n, &s), FIN_WIRE_OK);
  assert_int_equal(s.tos, 0xb8);
  assert_int_equal(s.flowlabel, 0xcba98);
  assert_int_equal(s.ttl, 64);
  assert_int_equal(s.ip_id, 0);
}

static void test_round_trip_every_flag_option_and_split(void **state) {
  (void)state;
  static const uint8_t ts_sack[24] = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2,
                                      1, 1, 5, 10, 0, 0, 1, 0, 0, 0, 2, 0};
  static uint8_t payload[3000];
  for (size_t i = 0; i < sizeof(payload); i++)
    payload[i] = (uint8_t)(i * 13 + 1);
  struct fin_segment seg;
  wf_segment_default_v6(&seg);
  uint8_t d[3200];
  for (unsigned f = 0; f < 256; f++) {
    if ((f & (FIN_TCP_SYN | FIN_TCP_RST)) == (FIN_TCP_SYN | FIN_TCP_RST))
      continue;
    seg.flags = (uint8_t)f;
    seg.flowlabel = f * 4099u;
    size_t len = f * 11 % sizeof(payload), cut = f % (len + 1);
    size_t n = fin_tcp_build(d, sizeof(d), &seg, ts_sack, sizeof(ts_sack), payload, cut,
                             payload + cut, len - cut);
    assert_int_equal(n, 40 + 20 + sizeof(ts_sack) + len);
    struct fin_segment s;
    assert_int_equal(parse_exact(d, n, &s), FIN_WIRE_OK);
    assert_int_equal(s.flags, f);
    assert_int_equal(s.flowlabel, seg.flowlabel & 0xfffff);
    assert_true(s.opts.has_ts && s.opts.sack_count == 1);
    assert_int_equal(s.payload_len, len);
    assert_memory_equal(s.payload, payload, len);
  }
}

/* The payload length is 16 bits: a 65,535-byte payload (65,575-byte
 * datagram) parses; one byte more is not built. The families of the two
 * addresses must agree. */
static void test_largest_ipv6_datagram_and_mixed_families(void **state) {
  (void)state;
  size_t cap = 70000;
  uint8_t *d = malloc(cap);
  assert_non_null(d);
  struct fin_segment seg;
  wf_segment_default_v6(&seg);
  size_t n = wf_build_raw(d, cap, &seg, NULL, 0, 65535 - 20);
  assert_int_equal(n, 65575);
  struct fin_segment s;
  assert_int_equal(parse_exact(d, n, &s), FIN_WIRE_OK);
  assert_int_equal(s.payload_len, 65535 - 20);
  assert_int_equal(wf_build_raw(d, cap, &seg, NULL, 0, 65535 - 19), 0);
  seg.daddr = fin_addr_v4(WF_DADDR);
  assert_int_equal(wf_build_raw(d, cap, &seg, NULL, 0, 0), 0);
  free(d);
}

/* ---- lengths ---- */

static size_t valid6(uint8_t *buf, size_t cap) {
  size_t n = wf_build_ts_segment_v6(buf, cap, 8);
  assert_int_equal(n, 80);
  assert_int_equal(parse(buf, n), FIN_WIRE_OK);
  return n;
}

static void test_every_truncation_of_an_ipv6_segment(void **state) {
  (void)state;
  uint8_t d[128];
  size_t n = valid6(d, sizeof(d));
  for (size_t len = 1; len < n; len++)
    assert_int_equal(parse(d, len), len < 40 ? FIN_WIRE_IP_TRUNCATED : FIN_WIRE_IP_TOTAL_LEN);
}

/* The payload length is trusted only as far as the bytes go: longer than
 * the datagram is refused; shorter cuts the segment (what remains must
 * still be a TCP segment whose checksum holds); bytes past it are link
 * padding. Zero (a jumbogram, RFC 2675, without its hop-by-hop option)
 * leaves no TCP header. */
static void test_lying_payload_lengths(void **state) {
  (void)state;
  uint8_t d[200];
  size_t n = valid6(d, sizeof(d));
  for (unsigned plen = 0; plen < 300; plen++) {
    d[4] = (uint8_t)(plen >> 8);
    d[5] = (uint8_t)plen;
    enum fin_wire_error e = parse(d, n);
    if (plen > n - 40)
      assert_int_equal(e, FIN_WIRE_IP_TOTAL_LEN);
    else if (plen < 20)
      assert_int_equal(e, FIN_WIRE_TCP_TRUNCATED);
    else if (plen < 32) /* the data offset says 32 bytes of header */
      assert_int_equal(e, FIN_WIRE_TCP_DATA_OFFSET);
    else if (plen != n - 40)
      assert_int_equal(e, FIN_WIRE_TCP_CHECKSUM); /* the pseudo-header length changed */
    else
      assert_int_equal(e, FIN_WIRE_OK);
  }
  d[4] = 0;
  d[5] = (uint8_t)(n - 40);
  memset(d + n, 0xee, sizeof(d) - n);
  struct fin_segment s;
  assert_int_equal(parse_exact(d, sizeof(d), &s), FIN_WIRE_OK);
  assert_int_equal(s.payload_len, 8);
}

static void test_version_and_ipv4_sized_input(void **state) {
  (void)state;
  uint8_t d[128];
  size_t n = valid6(d, sizeof(d));
  assert_int_equal(parse(d, 39), FIN_WIRE_IP_TRUNCATED);
  assert_int_equal(parse(d, 20), FIN_WIRE_IP_TRUNCATED); /* IPv4-sized, version 6 */
  struct fin_ip_info ip;
  assert_int_equal(fin_ip_parse(d, 1, &ip), FIN_WIRE_IP_TRUNCATED);
  for (unsigned v = 0; v < 16; v++) {
    d[0] = (uint8_t)(v << 4 | (d[0] & 0x0f));
    enum fin_wire_error e = parse(d, n);
    if (v == 6)
      assert_int_equal(e, FIN_WIRE_OK);
    else if (v != 4)
      assert_int_equal(e, FIN_WIRE_IP_VERSION);
    else
      assert_int_not_equal(e, FIN_WIRE_OK); /* an IPv6 header read as IPv4 */
  }
}

/* RFC 4291 §2.5.2, §2.7; RFC 4942 §2.2: never a TCP end. ::1 is left to
 * the stack (as 127/8 is for IPv4). */
static void test_ipv6_martian_addresses(void **state) {
  (void)state;
  static const struct {
    const char *a;
    bool src_ok, dst_ok;
  } cases[] = {
      {"::", false, false},
      {"ff02::1", false, false},
      {"ff0e::1:2", false, false},
      {"::ffff:10.0.0.1", false, false},
      {"::ffff:0.0.0.0", false, false},
      {"::1", true, true},
      {"fe80::1", true, true},
      {"2001:db8::1", true, true},
      {"::10.0.0.1", true, true},
  };
  struct fin_segment seg;
  uint8_t d[128];
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    for (int dst = 0; dst < 2; dst++) {
      wf_segment_default_v6(&seg);
      size_t n = wf_build_raw(d, sizeof(d), &seg, NULL, 0, 0);
      memcpy(d + (dst ? 24 : 8), addr(cases[i].a).b, 16);
      wf_fix_ipv6_checksum(d, 40, FIN_IPPROTO_TCP);
      bool ok = dst ? cases[i].dst_ok : cases[i].src_ok;
      if (ok)
        assert_int_equal(parse(d, n), FIN_WIRE_OK);
      else
        assert_int_equal(parse(d, n), FIN_WIRE_IP_MARTIAN);
    }
  }
}

/* IPv6 has no header checksum: the pseudo-header makes the TCP checksum
 * cover the addresses and the upper-layer length, so a change to any byte
 * but the traffic class, flow label and hop limit is refused. */
static void test_any_byte_corruption_outside_tc_flow_label_hop_limit_is_detected(void **state) {
  (void)state;
  uint8_t good[128], bad[128];
  size_t n = valid6(good, sizeof(good));
  static const uint8_t masks[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff, 0x5a};
  for (size_t i = 0; i < n; i++)
    for (size_t m = 0; m < sizeof(masks); m++) {
      memcpy(bad, good, n);
      bad[i] ^= masks[m];
      bool unprotected = (i == 0 && masks[m] < 0x10) || i == 1 || i == 2 || i == 3 || i == 7;
      enum fin_wire_error e = parse(bad, n);
      if (unprotected)
        assert_int_equal(e, FIN_WIRE_OK);
      else
        assert_int_not_equal(e, FIN_WIRE_OK);
    }
}

/* ---- extension headers (RFC 8200 §4) ---- */

/* A chain of extension headers built one at a time; each knows the type of
 * the next only when it is added (or when the chain ends). */
struct chain {
  uint8_t b[4096];
  size_t len;
  uint8_t first;
  size_t last_nh; /* offset of the last header's next-header byte, SIZE_MAX: none yet */
};

static void chain_init(struct chain *c) {
  memset(c, 0, sizeof(*c));
  c->first = FIN_IPPROTO_TCP;
  c->last_nh = SIZE_MAX;
}

static void chain_link(struct chain *c, uint8_t type) {
  if (c->last_nh == SIZE_MAX)
    c->first = type;
  else
    c->b[c->last_nh] = type;
}

/* An options header (hop-by-hop or destination) of len bytes (a multiple
 * of 8, >= 8), filled with one PadN option, or the given options. */
static uint8_t *chain_opts(struct chain *c, uint8_t type, size_t len, const uint8_t *opt,
                           size_t opt_len) {
  chain_link(c, type);
  uint8_t *h = c->b + c->len;
  h[0] = FIN_IPPROTO_TCP;
  h[1] = (uint8_t)(len / 8 - 1);
  if (opt != NULL) {
    memcpy(h + 2, opt, opt_len);
  } else {
    h[2] = 1; /* PadN */
    h[3] = (uint8_t)(len - 4);
  }
  c->last_nh = c->len;
  c->len += len;
  return h;
}

/* A routing header (type 4, a segment routing header, RFC 8754) with
 * segments left. */
static void chain_routing(struct chain *c, uint8_t segments_left) {
  chain_link(c, NH_ROUTING);
  uint8_t *h = c->b + c->len;
  h[0] = FIN_IPPROTO_TCP;
  h[1] = 2; /* 24 bytes: one 16-byte segment */
  h[2] = 4;
  h[3] = segments_left;
  c->last_nh = c->len;
  c->len += 24;
}

static void chain_fragment(struct chain *c, uint16_t offset, bool more) {
  chain_link(c, NH_FRAGMENT);
  uint8_t *h = c->b + c->len;
  h[0] = FIN_IPPROTO_TCP;
  h[1] = 0;
  h[2] = (uint8_t)(offset >> 5);
  h[3] = (uint8_t)((offset & 0x1f) << 3 | more);
  h[4] = 0x12; /* identification */
  h[7] = 0x34;
  c->last_nh = c->len;
  c->len += 8;
}

/* The default segment with the chain between its IPv6 and TCP headers. */
static size_t with_chain(uint8_t *d, size_t cap, const struct chain *c, size_t payload) {
  size_t n = wf_build_ts_segment_v6(d, cap, payload);
  n = wf_insert_ipv6_ext(d, n, cap, c->first, c->b, c->len);
  assert_true(n > 0);
  return n;
}

static enum fin_wire_error parse_chain(const struct chain *c) {
  static uint8_t d[8192];
  size_t n = with_chain(d, sizeof(d), c, 8);
  struct fin_segment s;
  enum fin_wire_error e = parse_exact(d, n, &s);
  if (e == FIN_WIRE_OK) {
    assert_int_equal(s.payload_len, 8);
    assert_int_equal(s.seq, 1000);
    assert_true(s.opts.has_ts);
  }
  return e;
}

static void test_each_extension_header_is_walked(void **state) {
  (void)state;
  struct chain c;
  chain_init(&c);
  chain_opts(&c, NH_HOPOPTS, 8, NULL, 0);
  assert_int_equal(parse_chain(&c), FIN_WIRE_OK);
  chain_init(&c);
  chain_opts(&c, NH_DSTOPTS, 16, NULL, 0);
  assert_int_equal(parse_chain(&c), FIN_WIRE_OK);
  chain_init(&c);
  chain_routing(&c, 0); /* §4.4: segments left 0, the header is skipped */
  assert_int_equal(parse_chain(&c), FIN_WIRE_OK);
  /* RFC 8200 §4.1's order: hop-by-hop, destination, routing, destination. */
  chain_init(&c);
  chain_opts(&c, NH_HOPOPTS, 8, NULL, 0);
  chain_opts(&c, NH_DSTOPTS, 8, NULL, 0);
  chain_routing(&c, 0);
  chain_opts(&c, NH_DSTOPTS, 24, NULL, 0);
  assert_int_equal(parse_chain(&c), FIN_WIRE_OK);
  struct fin_ip_info ip;
  static uint8_t d[512];
  size_t n = with_chain(d, sizeof(d), &c, 8);
  assert_int_equal(fin_ip_parse(d, n, &ip), FIN_WIRE_OK);
  assert_int_equal(ip.version, 6);
  assert_int_equal(ip.proto, FIN_IPPROTO_TCP);
  assert_ptr_equal(ip.payload, d + 40 + 64);
  assert_int_equal(ip.payload_len, 40);
}

/* Options are type-length-value; Pad1 is one byte. An unknown option's two
 * high bits say what to do (§4.2): 00 skip it, anything else discard. */
static void test_hop_by_hop_options_pad_skip_and_discard(void **state) {
  (void)state;
  struct chain c;
  static const uint8_t pad1[6] = {0, 0, 0, 0, 0, 0};
  static const uint8_t router_alert[6] = {5, 2, 0, 0, 0, 0}; /* RFC 2711 */
  static const uint8_t skip_unknown[6] = {0x1e, 1, 0xaa, 1, 0, 0};
  const uint8_t *good[] = {pad1, router_alert, skip_unknown};
  for (size_t i = 0; i < 3; i++) {
    chain_init(&c);
    chain_opts(&c, NH_HOPOPTS, 8, good[i], 6);
    assert_int_equal(parse_chain(&c), FIN_WIRE_OK);
  }
  static const uint8_t bad[][6] = {
      {0x5e, 0, 1, 2, 0, 0}, /* 01: discard */
      {0x9e, 0, 1, 2, 0, 0}, /* 10: discard, send ICMP */
      {0xc2, 4, 0, 1, 0, 0}, /* 11 (the jumbo payload option, RFC 2675) */
      {1, 5, 0, 0, 0, 0},    /* PadN running past the header */
      {0, 0, 0, 0, 0, 1},    /* a type with no room for its length */
      {1, 2, 0, 0, 0x5e, 0}, /* a discard option after padding */
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    chain_init(&c);
    chain_opts(&c, i % 2 ? NH_DSTOPTS : NH_HOPOPTS, 8, bad[i], 6);
    assert_int_equal(parse_chain(&c), FIN_WIRE_IP6_EXT_HEADER);
  }
}

/* §4.1: hop-by-hop only right after the IPv6 header. */
static void test_hop_by_hop_after_another_header_is_refused(void **state) {
  (void)state;
  struct chain c;
  chain_init(&c);
  chain_opts(&c, NH_DSTOPTS, 8, NULL, 0);
  chain_opts(&c, NH_HOPOPTS, 8, NULL, 0);
  assert_int_equal(parse_chain(&c), FIN_WIRE_IP6_EXT_HEADER);
  chain_init(&c);
  chain_opts(&c, NH_HOPOPTS, 8, NULL, 0);
  chain_opts(&c, NH_HOPOPTS, 8, NULL, 0);
  assert_int_equal(parse_chain(&c), FIN_WIRE_IP6_EXT_HEADER);
}

/* §4.4: segments left above zero means the datagram is for a node after
 * us; a host refuses it (counted FinDropIp6Routing). */
static void test_routing_header_with_segments_left_is_refused(void **state) {
  (void)state;
  struct chain c;
  for (unsigned left = 1; left < 256; left += 50) {
    chain_init(&c);
    chain_routing(&c, (uint8_t)left);
    assert_int_equal(parse_chain(&c), FIN_WIRE_IP6_ROUTING);
  }
}

/* The walk is bounded: at most FIN_IPV6_EXT_MAX headers and 1,024 bytes of
 * them, whatever the datagram's length. */
static void test_extension_walk_is_bounded_in_count_and_bytes(void **state) {
  (void)state;
  struct chain c;
  chain_init(&c);
  for (int i = 0; i < FIN_IPV6_EXT_MAX; i++)
    chain_opts(&c, NH_DSTOPTS, 8, NULL, 0);
  assert_int_equal(parse_chain(&c), FIN_WIRE_OK);
  chain_opts(&c, NH_DSTOPTS, 8, NULL, 0);
  assert_int_equal(parse_chain(&c), FIN_WIRE_IP6_EXT_HEADER);
  chain_init(&c);
  chain_opts(&c, NH_DSTOPTS, 512, NULL, 0);
  chain_opts(&c, NH_DSTOPTS, 512, NULL, 0);
  assert_int_equal(parse_chain(&c), FIN_WIRE_OK); /* exactly 1,024 bytes */
  chain_opts(&c, NH_DSTOPTS, 8, NULL, 0);
  assert_int_equal(parse_chain(&c), FIN_WIRE_IP6_EXT_HEADER);
  chain_init(&c);
  chain_opts(&c, NH_HOPOPTS, 1032, NULL, 0);
  assert_int_equal(parse_chain(&c), FIN_WIRE_IP6_EXT_HEADER);
  chain_init(&c);
  uint8_t *h = chain_opts(&c, NH_DSTOPTS, 8, NULL, 0);
  h[1] = 255; /* claims 2,048 bytes: past the payload */
  assert_int_equal(parse_chain(&c), FIN_WIRE_IP6_EXT_HEADER);
}

/* A header that does not fit in what the payload length leaves: fewer than
 * 8 bytes left, or a length past the end. The payload length, not the
 * datagram, bounds the walk. */
static void test_truncated_extension_headers(void **state) {
  (void)state;
  struct chain c;
  chain_init(&c);
  chain_opts(&c, NH_DSTOPTS, 16, NULL, 0);
  uint8_t d[256];
  size_t n = with_chain(d, sizeof(d), &c, 0);
  for (size_t plen = 0; plen < 16; plen++) {
    d[4] = 0;
    d[5] = (uint8_t)plen;
    assert_int_equal(parse(d, n), FIN_WIRE_IP6_EXT_HEADER);
    assert_int_equal(parse(d, 40 + plen), FIN_WIRE_IP6_EXT_HEADER);
  }
  d[5] = 16; /* the header fits, nothing after it */
  assert_int_equal(parse(d, n), FIN_WIRE_TCP_TRUNCATED);
}

/* §4.5: fin never reassembles. A fragment (offset or M set) is refused
 * (counted FinDropIpFragment and Ip6ReasmFails); an atomic fragment (offset
 * 0, M 0: a whole datagram, RFC 6946) is processed as one. */
static void test_fragments_are_refused_atomic_fragments_processed(void **state) {
  (void)state;
  struct chain c;
  chain_init(&c);
  chain_fragment(&c, 0, true);
  assert_int_equal(parse_chain(&c), FIN_WIRE_IP_FRAGMENT);
  chain_init(&c);
  chain_fragment(&c, 185, false);
  assert_int_equal(parse_chain(&c), FIN_WIRE_IP_FRAGMENT);
  chain_init(&c);
  chain_opts(&c, NH_HOPOPTS, 8, NULL, 0);
  chain_fragment(&c, 1, true);
  assert_int_equal(parse_chain(&c), FIN_WIRE_IP_FRAGMENT);
  chain_init(&c);
  chain_fragment(&c, 0, false);
  assert_int_equal(parse_chain(&c), FIN_WIRE_OK);
  chain_init(&c);
  chain_opts(&c, NH_HOPOPTS, 8, NULL, 0);
  chain_fragment(&c, 0, false);
  chain_opts(&c, NH_DSTOPTS, 8, NULL, 0);
  assert_int_equal(parse_chain(&c), FIN_WIRE_OK);
}

/* Anything after the chain but TCP or ICMPv6 is not ours: "no next header"
 * (59), UDP, ESP and AH (fin has no IPsec), mobility, HIP, the
 * experimental values, and types nobody assigned. */
static void test_unknown_next_headers_are_ip_protocol(void **state) {
  (void)state;
  static const uint8_t nh[] = {NH_NONE, 17, 50, 51, 135, 139, 140, 253, 254, 255, 2, 41};
  uint8_t d[128];
  for (size_t i = 0; i < sizeof(nh); i++) {
    size_t n = valid6(d, sizeof(d));
    d[6] = nh[i];
    assert_int_equal(parse(d, n), FIN_WIRE_IP_PROTOCOL);
    struct chain c;
    chain_init(&c);
    chain_opts(&c, NH_DSTOPTS, 8, NULL, 0);
    n = with_chain(d, sizeof(d), &c, 8);
    d[40] = nh[i];
    assert_int_equal(parse(d, n), FIN_WIRE_IP_PROTOCOL);
    struct fin_ip_info ip;
    assert_int_equal(fin_ip_parse(d, n, &ip),
                     nh[i] == NH_NONE ? FIN_WIRE_IP_PROTOCOL : FIN_WIRE_OK);
  }
}

/* ---- ICMPv6 errors (RFC 4443) ---- */

/* An ICMPv6 error from 2001:db8::1 to fd00::1 quoting qlen bytes of our
 * default segment. */
static size_t build_icmp6(uint8_t *d, uint8_t type, uint8_t code, uint32_t word, size_t qlen) {
  uint8_t seg[128];
  size_t sn = wf_build_ts_segment_v6(seg, sizeof(seg), 0);
  if (qlen > sn)
    qlen = sn;
  memset(d, 0, 48);
  d[0] = 0x60;
  d[4] = (uint8_t)((8 + qlen) >> 8);
  d[5] = (uint8_t)(8 + qlen);
  d[6] = FIN_IPPROTO_ICMPV6;
  d[7] = 64;
  memcpy(d + 8, addr("2001:db8::1").b, 16);
  memcpy(d + 24, seg + 8, 16); /* to the quoted segment's source */
  d[40] = type;
  d[41] = code;
  for (int i = 0; i < 4; i++)
    d[44 + i] = (uint8_t)(word >> (24 - 8 * i));
  memcpy(d + 48, seg, qlen);
  wf_fix_ipv6_checksum(d, 40, FIN_IPPROTO_ICMPV6);
  return 48 + qlen;
}

/* BEHAVIOR J6 for ICMPv6: port unreachable and an unrecognized next header
 * are hard; packet too big carries the MTU (32 bits); the rest soft. */
static void test_icmp6_errors_map_to_j6_kinds(void **state) {
  (void)state;
  static const struct {
    uint8_t type, code;
    enum fin_icmp_kind kind;
  } cases[] = {
      {1, 0, FIN_ICMP_SOFT},                           /* no route */
      {1, 1, FIN_ICMP_SOFT},                           /* administratively prohibited */
      {1, 2, FIN_ICMP_SOFT},                           /* beyond the scope of the source */
      {1, 3, FIN_ICMP_SOFT},                           /* address unreachable */
      {1, 4, FIN_ICMP_HARD},                           /* port unreachable */
      {1, 5, FIN_ICMP_SOFT},                           /* source address failed policy */
      {1, 6, FIN_ICMP_SOFT},                           /* reject route */
      {2, 0, FIN_ICMP_TOO_BIG}, {3, 0, FIN_ICMP_SOFT}, /* hop limit exceeded */
      {3, 1, FIN_ICMP_SOFT},                           /* reassembly time exceeded */
      {4, 0, FIN_ICMP_SOFT},                           /* erroneous header field */
      {4, 1, FIN_ICMP_HARD},                           /* unrecognized next header */
      {4, 2, FIN_ICMP_SOFT},                           /* unrecognized option */
  };
  uint8_t d[256];
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    size_t n = build_icmp6(d, cases[i].type, cases[i].code, 1000, 48);
    struct fin_icmp_error e;
    assert_int_equal(icmp_parse(d, n, &e), FIN_WIRE_OK);
    assert_int_equal(e.version, 6);
    assert_int_equal(e.type, cases[i].type);
    assert_int_equal(e.code, cases[i].code);
    assert_int_equal(e.kind, cases[i].kind);
    assert_int_equal(e.mtu, cases[i].kind == FIN_ICMP_TOO_BIG ? 1000 : 0);
    assert_addr_equal(e.from, addr("2001:db8::1"));
    assert_addr_equal(e.saddr, addr("fd00::1"));
    assert_addr_equal(e.daddr, addr("fd00::2"));
    assert_int_equal(e.sport, 40000);
    assert_int_equal(e.dport, 80);
    assert_int_equal(e.seq, 1000);
  }
  /* RFC 4443 §3.2: the MTU is a 32-bit field; the floor of 1280 is the
   * stack's to apply (RFC 8201 §4), the parser reports what was sent. */
  struct fin_icmp_error e;
  size_t n = build_icmp6(d, 2, 0, 0x00012345, 48);
  assert_int_equal(icmp_parse(d, n, &e), FIN_WIRE_OK);
  assert_int_equal(e.mtu, 0x12345);
  n = build_icmp6(d, 2, 0, 576, 48);
  assert_int_equal(icmp_parse(d, n, &e), FIN_WIRE_OK);
  assert_int_equal(e.mtu, 576);
}

static void test_icmp6_malformed_and_foreign(void **state) {
  (void)state;
  uint8_t d[256];
  struct fin_icmp_error e;
  /* Informational messages (RFC 4443 §2.1: type >= 128) and unassigned
   * error types are not about our segments. */
  static const uint8_t other[] = {0, 5, 100, 127, 128, 129, 133, 135, 136, 255};
  for (size_t i = 0; i < sizeof(other); i++) {
    size_t n = build_icmp6(d, other[i], 0, 0, 48);
    assert_int_equal(icmp_parse(d, n, &e), FIN_WIRE_IP_PROTOCOL);
  }
  /* 8 bytes of the quoted TCP header are needed: 40 + 8. */
  size_t n = build_icmp6(d, 1, 4, 0, 47);
  assert_int_equal(icmp_parse(d, n, &e), FIN_WIRE_ICMP_MALFORMED);
  n = build_icmp6(d, 1, 4, 0, 48);
  assert_int_equal(icmp_parse(d, n, &e), FIN_WIRE_OK);
  /* §2.3: the checksum covers the pseudo-header. One computed without it
   * (as ICMPv4's) is refused, and so is any flipped bit. */
  d[42] = d[43] = 0;
  uint16_t plain = fin_csum_fold(fin_csum_add(0, d + 40, n - 40));
  d[42] = (uint8_t)(plain >> 8);
  d[43] = (uint8_t)plain;
  assert_int_equal(icmp_parse(d, n, &e), FIN_WIRE_ICMP_MALFORMED);
  n = build_icmp6(d, 1, 4, 0, 48);
  d[60] ^= 0x10;
  assert_int_equal(icmp_parse(d, n, &e), FIN_WIRE_ICMP_MALFORMED);
  /* The quote must be IPv6 carrying TCP (fin sends no extension headers). */
  n = build_icmp6(d, 1, 4, 0, 48);
  d[48 + 6] = 17;
  wf_fix_ipv6_checksum(d, 40, FIN_IPPROTO_ICMPV6);
  assert_int_equal(icmp_parse(d, n, &e), FIN_WIRE_ICMP_MALFORMED);
  n = build_icmp6(d, 1, 4, 0, 48);
  d[48] = 0x45;
  wf_fix_ipv6_checksum(d, 40, FIN_IPPROTO_ICMPV6);
  assert_int_equal(icmp_parse(d, n, &e), FIN_WIRE_ICMP_MALFORMED);
  /* Shorter than an ICMPv6 header; an ICMPv4 type over IPv6. */
  n = build_icmp6(d, 1, 4, 0, 0);
  d[5] = 7;
  assert_int_equal(icmp_parse(d, 47, &e), FIN_WIRE_ICMP_MALFORMED);
  n = build_icmp6(d, 1, 4, 0, 48);
  d[6] = FIN_IPPROTO_ICMP;
  assert_int_equal(icmp_parse(d, n, &e), FIN_WIRE_IP_PROTOCOL);
  /* ICMPv6 is not TCP; TCP is not ICMPv6. */
  n = build_icmp6(d, 1, 4, 0, 48);
  struct fin_segment s;
  assert_int_equal(parse_exact(d, n, &s), FIN_WIRE_IP_PROTOCOL);
  n = valid6(d, sizeof(d));
  assert_int_equal(icmp_parse(d, n, &e), FIN_WIRE_IP_PROTOCOL);
}

/* An ICMPv6 error behind an extension header is found like TCP is. */
static void test_icmp6_after_extension_headers(void **state) {
  (void)state;
  uint8_t d[512];
  size_t n = build_icmp6(d, 2, 0, 1400, 48);
  uint8_t ext[8] = {FIN_IPPROTO_ICMPV6, 0, 1, 4, 0, 0, 0, 0};
  n = wf_insert_ipv6_ext(d, n, sizeof(d), NH_HOPOPTS, ext, sizeof(ext));
  struct fin_icmp_error e;
  assert_int_equal(icmp_parse(d, n, &e), FIN_WIRE_OK);
  assert_int_equal(e.kind, FIN_ICMP_TOO_BIG);
  assert_int_equal(e.mtu, 1400);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_linux_ipv6_syn_capture_parses_every_field),
      cmocka_unit_test(test_linux_partial_checksum_is_the_pseudo_header_sum),
      cmocka_unit_test(test_pseudo_header_checksum_known_vector_with_carries),
      cmocka_unit_test(test_build_writes_the_rfc8200_header),
      cmocka_unit_test(test_round_trip_every_flag_option_and_split),
      cmocka_unit_test(test_largest_ipv6_datagram_and_mixed_families),
      cmocka_unit_test(test_every_truncation_of_an_ipv6_segment),
      cmocka_unit_test(test_lying_payload_lengths),
      cmocka_unit_test(test_version_and_ipv4_sized_input),
      cmocka_unit_test(test_ipv6_martian_addresses),
      cmocka_unit_test(test_any_byte_corruption_outside_tc_flow_label_hop_limit_is_detected),
      cmocka_unit_test(test_each_extension_header_is_walked),
      cmocka_unit_test(test_hop_by_hop_options_pad_skip_and_discard),
      cmocka_unit_test(test_hop_by_hop_after_another_header_is_refused),
      cmocka_unit_test(test_routing_header_with_segments_left_is_refused),
      cmocka_unit_test(test_extension_walk_is_bounded_in_count_and_bytes),
      cmocka_unit_test(test_truncated_extension_headers),
      cmocka_unit_test(test_fragments_are_refused_atomic_fragments_processed),
      cmocka_unit_test(test_unknown_next_headers_are_ip_protocol),
      cmocka_unit_test(test_icmp6_errors_map_to_j6_kinds),
      cmocka_unit_test(test_icmp6_malformed_and_foreign),
      cmocka_unit_test(test_icmp6_after_extension_headers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
