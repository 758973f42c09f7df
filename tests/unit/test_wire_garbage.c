/* SPDX-License-Identifier: MIT */
/* Garbage in: every malformed datagram is rejected with the exact reason
 * (BEHAVIOR A9: drop and count by reason), and no input, however random,
 * makes the parser crash or read past the datagram - IPv4 and IPv6 (random
 * extension header chains included; the exact IPv6 reasons are in
 * test_wire_ipv6.c). Inputs are copied into heap blocks of exactly their
 * length so ASan catches any over-read. */
#include <stdlib.h>
#include <string.h>

#include "fin_test.h"
#include "wire_fixture.h"

/* Parses a copy of d[0..len) held in a block of exactly len bytes. */
static enum fin_wire_error parse_exact(const uint8_t *d, size_t len, struct fin_segment *s) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  if (len)
    memcpy(copy, d, len);
  enum fin_wire_error e = fin_tcp_parse(copy, len, s);
  if (e == FIN_WIRE_OK) {
    assert_true(s->payload >= copy + 40 && s->payload + s->payload_len <= copy + len);
  }
  free(copy);
  return e;
}

static enum fin_wire_error parse(const uint8_t *d, size_t len) {
  struct fin_segment s;
  return parse_exact(d, len, &s);
}

/* The default data segment: NOP,NOP,TS and 8 bytes of payload, 60 bytes. */
static size_t valid(uint8_t *buf, size_t cap) {
  size_t n = wf_build_ts_segment(buf, cap, 8);
  assert_int_equal(n, 60);
  assert_int_equal(parse(buf, n), FIN_WIRE_OK);
  return n;
}

/* ATTACK T06 */
static void test_empty_datagram_is_ip_truncated(void **state) {
  (void)state;
  struct fin_segment s;
  assert_int_equal(fin_tcp_parse(NULL, 0, &s), FIN_WIRE_IP_TRUNCATED);
  assert_int_equal(parse((const uint8_t *)"", 0), FIN_WIRE_IP_TRUNCATED);
}

/* ATTACK T06 */
static void test_every_truncation_of_a_valid_segment(void **state) {
  (void)state;
  uint8_t buf[128];
  size_t n = valid(buf, sizeof(buf));
  for (size_t len = 1; len < n; len++)
    assert_int_equal(parse(buf, len), len < 20 ? FIN_WIRE_IP_TRUNCATED : FIN_WIRE_IP_TOTAL_LEN);
}

static void test_largest_datagram_parses_and_larger_is_not_built(void **state) {
  (void)state;
  size_t cap = 70000;
  uint8_t *buf = malloc(cap);
  assert_non_null(buf);
  size_t n = wf_build_ts_segment(buf, cap, 65535 - 52);
  assert_int_equal(n, 65535);
  struct fin_segment s;
  assert_int_equal(parse_exact(buf, n, &s), FIN_WIRE_OK);
  assert_int_equal(s.payload_len, 65535 - 52);
  /* More bytes than the total length says: link padding, ignored. */
  memset(buf + n, 0xa5, cap - n);
  assert_int_equal(parse_exact(buf, cap, &s), FIN_WIRE_OK);
  assert_int_equal(s.payload_len, 65535 - 52);
  assert_int_equal(wf_build_ts_segment(buf, cap, 65535 - 51), 0);
  free(buf);
}

/* Versions other than 4 and 6 are refused; an IPv4 header relabelled 6 is
 * parsed as IPv6 and refused by IPv6's own checks. */
static void test_ip_version_other_than_4_or_6(void **state) {
  (void)state;
  uint8_t buf[128];
  size_t n = valid(buf, sizeof(buf));
  for (unsigned v = 0; v < 16; v++) {
    buf[0] = (uint8_t)(v << 4 | 5);
    enum fin_wire_error e = parse(buf, n);
    if (v == 4)
      assert_int_equal(e, FIN_WIRE_OK);
    else if (v == 6)
      assert_true(e != FIN_WIRE_OK && e != FIN_WIRE_IP_VERSION);
    else
      assert_int_equal(e, FIN_WIRE_IP_VERSION);
  }
}

static void test_ip_header_length_below_5_or_past_datagram(void **state) {
  (void)state;
  uint8_t buf[128];
  size_t n = valid(buf, sizeof(buf));
  for (unsigned ihl = 0; ihl < 5; ihl++) {
    buf[0] = (uint8_t)(0x40 | ihl);
    assert_int_equal(parse(buf, n), FIN_WIRE_IP_HEADER_LEN);
  }
  buf[0] = 0x4f; /* 60 bytes of header in a 40-byte datagram */
  assert_int_equal(parse(buf, 40), FIN_WIRE_IP_HEADER_LEN);
  assert_int_equal(parse(buf, 59), FIN_WIRE_IP_HEADER_LEN);
}

static void set_total_len(uint8_t *buf, unsigned tot) {
  buf[2] = (uint8_t)(tot >> 8);
  buf[3] = (uint8_t)tot;
  wf_fix_ip_checksum(buf);
}

/* ATTACK T01 T02 */
static void test_ip_total_length_too_small_or_too_large(void **state) {
  (void)state;
  uint8_t buf[128];
  size_t n = valid(buf, sizeof(buf));
  static const unsigned bad[] = {0, 1, 19, 61, 65535};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    set_total_len(buf, bad[i]);
    assert_int_equal(parse(buf, n), FIN_WIRE_IP_TOTAL_LEN);
  }
  /* Room for the IP header but not for a TCP header. */
  for (unsigned tot = 20; tot < 40; tot++) {
    set_total_len(buf, tot);
    assert_int_equal(parse(buf, n), FIN_WIRE_TCP_TRUNCATED);
  }
}

static void test_ip_checksum_and_protocol(void **state) {
  (void)state;
  uint8_t buf[128];
  size_t n = valid(buf, sizeof(buf));
  buf[10] ^= 0x40;
  assert_int_equal(parse(buf, n), FIN_WIRE_IP_CHECKSUM);
  buf[10] ^= 0x40;
  static const uint8_t protos[] = {0, 1, 17, 41, 255};
  for (size_t i = 0; i < sizeof(protos); i++) {
    buf[9] = protos[i];
    wf_fix_ip_checksum(buf);
    assert_int_equal(parse(buf, n), FIN_WIRE_IP_PROTOCOL);
  }
}

static enum fin_wire_error parse_with_ip_options(const uint8_t *opt, size_t len) {
  uint8_t buf[128];
  size_t n = valid(buf, sizeof(buf));
  n = wf_insert_ip_options(buf, n, sizeof(buf), opt, len);
  assert_int_not_equal(n, 0);
  return parse(buf, n);
}

static void test_ip_options_with_bad_lengths(void **state) {
  (void)state;
  static const uint8_t len0[4] = {0x94, 0, 0, 0};
  static const uint8_t len1[4] = {0x94, 1, 0, 0};
  static const uint8_t past[4] = {0x94, 5, 0, 0};
  static const uint8_t past_after_nop[8] = {1, 1, 1, 1, 1, 0x07, 4, 0};
  static const uint8_t no_len_byte[4] = {1, 1, 1, 0x83};
  assert_int_equal(parse_with_ip_options(len0, 4), FIN_WIRE_IP_OPTIONS);
  assert_int_equal(parse_with_ip_options(len1, 4), FIN_WIRE_IP_OPTIONS);
  assert_int_equal(parse_with_ip_options(past, 4), FIN_WIRE_IP_OPTIONS);
  assert_int_equal(parse_with_ip_options(past_after_nop, 8), FIN_WIRE_IP_OPTIONS);
  assert_int_equal(parse_with_ip_options(no_len_byte, 4), FIN_WIRE_IP_OPTIONS);
  static const uint8_t exact[4] = {0x94, 4, 0, 0};
  static const uint8_t eol_then_junk[4] = {0, 0x94, 0, 0};
  static const uint8_t longest[40] = {0x44, 40};
  assert_int_equal(parse_with_ip_options(exact, 4), FIN_WIRE_OK);
  assert_int_equal(parse_with_ip_options(eol_then_junk, 4), FIN_WIRE_OK);
  assert_int_equal(parse_with_ip_options(longest, 40), FIN_WIRE_OK);
}

static void set_frag(uint8_t *buf, unsigned v) {
  buf[6] = (uint8_t)(v >> 8);
  buf[7] = (uint8_t)v;
  wf_fix_ip_checksum(buf);
}

/* ATTACK T07 */
static void test_ip_fragments_are_dropped(void **state) {
  (void)state;
  uint8_t buf[128];
  size_t n = valid(buf, sizeof(buf));
  static const unsigned frags[] = {0x2000, 0x0001, 0x1fff, 0x2001, 0x4001, 0x8001};
  for (size_t i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
    set_frag(buf, frags[i]);
    assert_int_equal(parse(buf, n), FIN_WIRE_IP_FRAGMENT);
  }
  set_frag(buf, 0); /* DF clear is fine */
  assert_int_equal(parse(buf, n), FIN_WIRE_OK);
  set_frag(buf, 0x8000); /* reserved bit: not a fragment */
  assert_int_equal(parse(buf, n), FIN_WIRE_OK);
}

static void set_addr(uint8_t *buf, size_t at, uint32_t a) {
  for (size_t i = 0; i < 4; i++)
    buf[at + i] = (uint8_t)(a >> (24 - 8 * i));
  wf_fix_ip_checksum(buf);
  wf_fix_tcp_checksum(buf);
}

/* ATTACK T08 */
static void test_martian_addresses(void **state) {
  (void)state;
  uint8_t buf[128];
  size_t n = valid(buf, sizeof(buf));
  static const uint32_t martians[] = {0, 0xffffffff, 0xe0000001, 0xefffffff, 0xf0000001};
  for (size_t at = 12; at <= 16; at += 4) {
    for (size_t i = 0; i < sizeof(martians) / sizeof(martians[0]); i++) {
      set_addr(buf, at, martians[i]);
      assert_int_equal(parse(buf, n), FIN_WIRE_IP_MARTIAN);
    }
    set_addr(buf, at, 0x7f000001); /* loopback is the caller's business */
    assert_int_equal(parse(buf, n), FIN_WIRE_OK);
    set_addr(buf, at, 0xdfffffff); /* last class C address */
    assert_int_equal(parse(buf, n), FIN_WIRE_OK);
  }
}

/* ATTACK T03 T04 */
static void test_tcp_data_offset_below_5_or_past_segment(void **state) {
  (void)state;
  uint8_t buf[128];
  size_t n = valid(buf, sizeof(buf));
  for (unsigned doff = 0; doff < 16; doff++) {
    buf[32] = (uint8_t)(doff << 4);
    wf_fix_tcp_checksum(buf);
    /* 6, 7: the TS option runs past the header; 9, 10: payload bytes
     * (3, 10, ...) read as a wscale option of length 10. */
    enum fin_wire_error want = FIN_WIRE_TCP_OPTION;
    if (doff < 5 || doff * 4 > 40)
      want = FIN_WIRE_TCP_DATA_OFFSET;
    else if (doff == 5 || doff == 8)
      want = FIN_WIRE_OK;
    assert_int_equal(parse(buf, n), want);
  }
  /* A bare header: any options at all would run past it. */
  struct fin_segment seg;
  wf_segment_default(&seg);
  n = wf_build_raw(buf, sizeof(buf), &seg, NULL, 0, 0);
  buf[32] = 0x60;
  wf_fix_tcp_checksum(buf);
  assert_int_equal(parse(buf, n), FIN_WIRE_TCP_DATA_OFFSET);
}

/* ATTACK T05 */
static void test_tcp_checksum(void **state) {
  (void)state;
  uint8_t buf[128];
  size_t n = valid(buf, sizeof(buf));
  buf[36] ^= 1;
  assert_int_equal(parse(buf, n), FIN_WIRE_TCP_CHECKSUM);
  buf[36] ^= 1;
  buf[59] ^= 0x80; /* last payload byte */
  assert_int_equal(parse(buf, n), FIN_WIRE_TCP_CHECKSUM);
}

/* A segment whose options area is opt padded with NOPs to area bytes. */
static enum fin_wire_error parse_tcp_options(const uint8_t *opt, size_t len, size_t area) {
  uint8_t o[40], buf[128];
  memset(o, 1, sizeof(o));
  memcpy(o, opt, len);
  struct fin_segment seg;
  wf_segment_default(&seg);
  size_t n = wf_build_raw(buf, sizeof(buf), &seg, o, area, 4);
  assert_int_equal(n, 44 + area);
  enum fin_wire_error e = parse(buf, n);
  /* The options parser alone agrees with the whole-segment parse. */
  struct fin_tcp_opts parsed;
  assert_int_equal(fin_tcp_opts_parse(o, area, &parsed), e);
  return e;
}

/* ATTACK T10 T11 */
static void test_tcp_option_lengths_0_and_1_for_every_kind(void **state) {
  (void)state;
  static const uint8_t kinds[] = {2, 3, 4, 5, 8, 30, 254};
  for (size_t i = 0; i < sizeof(kinds); i++)
    for (uint8_t len = 0; len < 2; len++) {
      const uint8_t opt[4] = {kinds[i], len, 0, 0};
      assert_int_equal(parse_tcp_options(opt, 4, 4), FIN_WIRE_TCP_OPTION);
    }
}

/* ATTACK T14 */
static void test_tcp_option_wrong_fixed_length(void **state) {
  (void)state;
  static const struct {
    uint8_t kind, len;
  } bad[] = {{2, 2}, {2, 3}, {2, 5},  {2, 6},  {3, 2}, {3, 4}, {4, 3},  {4, 4},  {5, 2},
             {5, 3}, {5, 9}, {5, 11}, {5, 17}, {8, 2}, {8, 9}, {8, 11}, {8, 12}, {5, 36}};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    uint8_t opt[40] = {bad[i].kind, bad[i].len};
    assert_int_equal(parse_tcp_options(opt, bad[i].len, 40), FIN_WIRE_TCP_OPTION);
  }
  static const struct {
    uint8_t kind, len;
  } good[] = {{2, 4}, {3, 3}, {4, 2}, {5, 10}, {5, 34}, {8, 10}, {30, 2}, {30, 40}, {254, 12}};
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    uint8_t opt[40] = {good[i].kind, good[i].len};
    assert_int_equal(parse_tcp_options(opt, good[i].len, 40), FIN_WIRE_OK);
  }
}

/* ATTACK T12 T13 */
static void test_tcp_option_running_past_the_header(void **state) {
  (void)state;
  static const uint8_t kinds[] = {2, 3, 4, 5, 8, 30};
  static const uint8_t fixed[] = {4, 3, 2, 10, 10, 6};
  for (size_t i = 0; i < sizeof(kinds); i++) {
    /* The option starts 2 bytes before the end and claims its real length. */
    /* (SACK-permitted's 2 bytes fit there; its case is the one below.) */
    uint8_t opt[8] = {1, 1, 1, 1, 1, 1, kinds[i], fixed[i]};
    assert_int_equal(parse_tcp_options(opt, 8, 8),
                     kinds[i] == 4 ? FIN_WIRE_OK : FIN_WIRE_TCP_OPTION);
    /* The kind is the last byte: no room for the length. */
    uint8_t last[4] = {1, 1, 1, kinds[i]};
    assert_int_equal(parse_tcp_options(last, 4, 4), FIN_WIRE_TCP_OPTION);
    /* Length one past a 40-byte area. */
    uint8_t big[40] = {kinds[i], 41};
    assert_int_equal(parse_tcp_options(big, 40, 40), FIN_WIRE_TCP_OPTION);
  }
}

/* ATTACK T40 */
static void test_every_flag_combination_only_syn_rst_rejected(void **state) {
  (void)state;
  uint8_t buf[128];
  size_t n = valid(buf, sizeof(buf));
  for (unsigned f = 0; f < 256; f++) {
    buf[33] = (uint8_t)f;
    wf_fix_tcp_checksum(buf);
    struct fin_segment s;
    bool syn_rst = (f & (FIN_TCP_SYN | FIN_TCP_RST)) == (FIN_TCP_SYN | FIN_TCP_RST);
    assert_int_equal(parse_exact(buf, n, &s), syn_rst ? FIN_WIRE_TCP_FLAGS : FIN_WIRE_OK);
    if (!syn_rst)
      assert_int_equal(s.flags, f);
  }
}

static void test_port_zero(void **state) {
  (void)state;
  uint8_t buf[128];
  size_t n = valid(buf, sizeof(buf));
  for (size_t at = 20; at <= 22; at += 2) {
    uint8_t save[2] = {buf[at], buf[at + 1]};
    buf[at] = buf[at + 1] = 0;
    wf_fix_tcp_checksum(buf);
    assert_int_equal(parse(buf, n), FIN_WIRE_TCP_PORT_ZERO);
    memcpy(buf + at, save, 2);
  }
}

/* Accepted segments must be self-consistent: lengths add up (for IPv6,
 * the extension headers fin_ip_parse walked take the rest). */
static void check_any(const uint8_t *d, size_t len) {
  struct fin_segment s;
  enum fin_wire_error e = parse_exact(d, len, &s);
  assert_true((unsigned)e < FIN_WIRE_ERROR_COUNT);
  if (e == FIN_WIRE_OK && d[0] >> 4 == 4) {
    size_t ihl = (size_t)(d[0] & 0xf) * 4, tot = (size_t)d[2] << 8 | d[3];
    assert_int_equal(ihl + s.data_offset + s.payload_len, tot);
  } else if (e == FIN_WIRE_OK) {
    struct fin_ip_info ip;
    assert_int_equal(fin_ip_parse(d, len, &ip), FIN_WIRE_OK);
    size_t tot = 40 + ((size_t)d[4] << 8 | d[5]);
    assert_int_equal((size_t)(ip.payload - d) + s.data_offset + s.payload_len, tot);
    assert_true(ip.payload >= d + 40 && ip.payload - d <= 40 + 1024 + 2048);
  }
  if (e == FIN_WIRE_OK)
    assert_true(s.opts.sack_count <= FIN_SACK_MAX_BLOCKS);
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  if (len)
    memcpy(copy, d, len);
  struct fin_icmp_error ie;
  assert_true((unsigned)fin_icmp_parse(copy, len, &ie) < FIN_WIRE_ERROR_COUNT);
  free(copy);
}

static void fill(struct test_rng *r, uint8_t *p, size_t len) {
  for (size_t i = 0; i < len; i++)
    p[i] = (uint8_t)test_rng_next(r);
}

/* Random bytes behind a plausible IPv4 header with both checksums right,
 * so the random part reaches the TCP and option parsers. */
static void make_plausible(struct test_rng *r, uint8_t *d, size_t len) {
  d[0] = (uint8_t)(0x40 | (5 + test_rng_next(r) % 3));
  d[2] = (uint8_t)(len >> 8);
  d[3] = (uint8_t)len;
  d[6] = d[7] = 0;
  d[9] = (test_rng_next(r) % 8) ? FIN_IPPROTO_TCP : FIN_IPPROTO_ICMP;
  d[12] = 10;
  d[16] = 10;
  if ((size_t)(d[0] & 0xf) * 4 + 20 <= len && d[9] == FIN_IPPROTO_TCP) {
    size_t ihl = (size_t)(d[0] & 0xf) * 4;
    memset(d + 20, 1, ihl - 20);
    d[ihl + 12] = (uint8_t)((5 + test_rng_next(r) % 11) << 4);
    wf_fix_tcp_checksum(d);
  }
  wf_fix_ip_checksum(d);
}

static void test_random_datagrams_never_crash(void **state) {
  (void)state;
  struct test_rng r;
  struct fin_random fr;
  test_rng_init(&r, 20240601, &fr);
  static uint8_t d[1600];
  size_t accepted = 0;
  for (int i = 0; i < 100000; i++) {
    size_t len = (size_t)(test_rng_next(&r) % (i % 2 ? 120 : sizeof(d)));
    fill(&r, d, len);
    if (i % 4 != 0 && len >= 20)
      make_plausible(&r, d, len);
    check_any(d, len);
    struct fin_segment s;
    accepted += fin_tcp_parse(d, len, &s) == FIN_WIRE_OK;
  }
  assert_true(accepted > 1000); /* the plausible half goes deep */
}

static void test_random_mutations_of_a_valid_segment(void **state) {
  (void)state;
  struct test_rng r;
  struct fin_random fr;
  test_rng_init(&r, 99, &fr);
  uint8_t good[128], d[160];
  size_t n = valid(good, sizeof(good));
  for (int i = 0; i < 100000; i++) {
    memcpy(d, good, n);
    size_t len = n;
    unsigned edits = 1 + (unsigned)(test_rng_next(&r) % 6);
    for (unsigned k = 0; k < edits; k++)
      d[test_rng_next(&r) % n] = (uint8_t)test_rng_next(&r);
    if (test_rng_next(&r) % 4 == 0)
      len = (size_t)(test_rng_next(&r) % (sizeof(d) + 1));
    if (len > n)
      fill(&r, d + n, len - n);
    if (i % 2 && len >= 20 && (size_t)(d[0] & 0xf) * 4 <= len) {
      wf_fix_ip_checksum(d);
      size_t tot = (size_t)d[2] << 8 | d[3], ihl = (size_t)(d[0] & 0xf) * 4;
      if (tot <= len && tot >= ihl + 20)
        wf_fix_tcp_checksum(d);
    }
    check_any(d, len);
  }
}

/* A plausible IPv6 header (payload length of the bytes, addresses that
 * are not martians, TCP or ICMPv6 or an extension header next) in front of
 * random bytes, which often start with a random extension header chain
 * (random types among the four fin walks, random lengths and options);
 * the upper-layer checksum repaired where the chain leads to one. */
static size_t make_plausible_v6(struct test_rng *r, uint8_t *d, size_t len) {
  static const uint8_t next[] = {
      FIN_IPPROTO_TCP, FIN_IPPROTO_TCP, FIN_IPPROTO_ICMPV6, 0, 43, 44, 60, 59};
  d[0] = 0x60;
  d[4] = (uint8_t)((len - 40) >> 8);
  d[5] = (uint8_t)(len - 40);
  d[6] = next[test_rng_next(r) % sizeof(next)];
  d[8] = d[24] = 0xfd;
  size_t off = 40;
  for (uint8_t *nh = &d[6]; (*nh == 0 || *nh == 43 || *nh == 44 || *nh == 60) && off + 8 <= len;) {
    uint8_t *h = d + off;
    h[0] = next[test_rng_next(r) % sizeof(next)];
    if (*nh == 44) {
      h[2] = 0;
      h[3] = test_rng_next(r) % 4 ? 0 : 1; /* mostly atomic */
      off += 8;
    } else {
      h[1] = (uint8_t)(test_rng_next(r) % 3);
      if (*nh == 43)
        h[3] = test_rng_next(r) % 4 ? 0 : 1; /* segments left */
      for (size_t k = 2; *nh != 43 && k < 8u * (h[1] + 1) && off + k < len; k++)
        if (test_rng_next(r) % 2)
          h[k] = k % 2 ? (uint8_t)(test_rng_next(r) % 8) : (uint8_t)(test_rng_next(r) % 3);
      off += 8u * (h[1] + 1);
    }
    nh = &h[0];
  }
  struct fin_ip_info ip;
  if (fin_ip_parse(d, len, &ip) == FIN_WIRE_OK && ip.proto == FIN_IPPROTO_TCP &&
      ip.payload_len >= 20) {
    d[ip.payload - d + 12] = (uint8_t)((5 + test_rng_next(r) % 11) << 4);
    wf_fix_ipv6_checksum(d, (size_t)(ip.payload - d), FIN_IPPROTO_TCP);
  } else if (fin_ip_parse(d, len, &ip) == FIN_WIRE_OK && ip.proto == FIN_IPPROTO_ICMPV6 &&
             ip.payload_len >= 8) {
    wf_fix_ipv6_checksum(d, (size_t)(ip.payload - d), FIN_IPPROTO_ICMPV6);
  }
  return off;
}

static void test_random_ipv6_datagrams_never_crash(void **state) {
  (void)state;
  struct test_rng r;
  struct fin_random fr;
  test_rng_init(&r, 8200, &fr);
  static uint8_t d[1600];
  size_t accepted = 0, behind_chain = 0;
  for (int i = 0; i < 100000; i++) {
    size_t len = 40 + (size_t)(test_rng_next(&r) % (i % 2 ? 120 : sizeof(d) - 40));
    fill(&r, d, len);
    size_t off = 40;
    if (i % 4 != 0)
      off = make_plausible_v6(&r, d, len);
    else
      d[0] = (uint8_t)(0x60 | (d[0] & 0x0f));
    check_any(d, len);
    struct fin_segment s;
    bool ok = fin_tcp_parse(d, len, &s) == FIN_WIRE_OK;
    accepted += ok;
    behind_chain += ok && off > 40;
  }
  assert_true(accepted > 1000 && behind_chain > 100); /* the plausible part goes deep */
}

/* Mutations of valid IPv6 segments, bare or behind a chain of hop-by-hop,
 * routing, atomic fragment and destination options headers, with the
 * checksum repaired half the time. */
static void test_random_mutations_of_a_valid_ipv6_segment(void **state) {
  (void)state;
  struct test_rng r;
  struct fin_random fr;
  test_rng_init(&r, 4443, &fr);
  static const uint8_t chain[32] = {
      43, 0, 1, 4, 0, 0, 0, 0, 44, 0, 4, 0, 0, 0, 0, 0, 60, 0, 0, 0, 0, 0, 0, 0, FIN_IPPROTO_TCP,
      0,  1, 4, 0, 0, 0, 0};
  uint8_t good[2][160], d[200];
  size_t n[2];
  n[0] = wf_build_ts_segment_v6(good[0], sizeof(good[0]), 8);
  n[1] = wf_insert_ipv6_ext(good[1], wf_build_ts_segment_v6(good[1], sizeof(good[1]), 8),
                            sizeof(good[1]), 0, chain, sizeof(chain));
  assert_int_equal(parse(good[0], n[0]), FIN_WIRE_OK);
  assert_int_equal(parse(good[1], n[1]), FIN_WIRE_OK);
  for (int i = 0; i < 100000; i++) {
    size_t g = (size_t)i % 2, len = n[g];
    memcpy(d, good[g], len);
    unsigned edits = 1 + (unsigned)(test_rng_next(&r) % 6);
    for (unsigned k = 0; k < edits; k++)
      d[test_rng_next(&r) % len] = (uint8_t)test_rng_next(&r);
    if (test_rng_next(&r) % 4 == 0)
      len = (size_t)(test_rng_next(&r) % (sizeof(d) + 1));
    if (len > n[g])
      fill(&r, d + n[g], len - n[g]);
    struct fin_ip_info ip;
    if (i % 4 < 2 && len >= 40 && fin_ip_parse(d, len, &ip) == FIN_WIRE_OK &&
        ip.proto == FIN_IPPROTO_TCP && ip.payload_len >= 20)
      wf_fix_ipv6_checksum(d, (size_t)(ip.payload - d), FIN_IPPROTO_TCP);
    check_any(d, len);
  }
}

/* ATTACK T10 */
static void test_random_option_areas_never_crash(void **state) {
  (void)state;
  struct test_rng r;
  struct fin_random fr;
  test_rng_init(&r, 5, &fr);
  uint8_t area[64];
  for (int i = 0; i < 100000; i++) {
    size_t len = (size_t)(test_rng_next(&r) % sizeof(area));
    fill(&r, area, len);
    for (size_t k = 0; k < len; k++) /* favour known kinds and small lengths */
      if (area[k] > 40 && test_rng_next(&r) % 2)
        area[k] = (uint8_t)(area[k] % 12);
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, area, len);
    struct fin_tcp_opts o;
    enum fin_wire_error e = fin_tcp_opts_parse(copy, len, &o);
    assert_true(e == FIN_WIRE_OK || e == FIN_WIRE_TCP_OPTION);
    free(copy);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty_datagram_is_ip_truncated),
      cmocka_unit_test(test_every_truncation_of_a_valid_segment),
      cmocka_unit_test(test_largest_datagram_parses_and_larger_is_not_built),
      cmocka_unit_test(test_ip_version_other_than_4_or_6),
      cmocka_unit_test(test_ip_header_length_below_5_or_past_datagram),
      cmocka_unit_test(test_ip_total_length_too_small_or_too_large),
      cmocka_unit_test(test_ip_checksum_and_protocol),
      cmocka_unit_test(test_ip_options_with_bad_lengths),
      cmocka_unit_test(test_ip_fragments_are_dropped),
      cmocka_unit_test(test_martian_addresses),
      cmocka_unit_test(test_tcp_data_offset_below_5_or_past_segment),
      cmocka_unit_test(test_tcp_checksum),
      cmocka_unit_test(test_tcp_option_lengths_0_and_1_for_every_kind),
      cmocka_unit_test(test_tcp_option_wrong_fixed_length),
      cmocka_unit_test(test_tcp_option_running_past_the_header),
      cmocka_unit_test(test_every_flag_combination_only_syn_rst_rejected),
      cmocka_unit_test(test_port_zero),
      cmocka_unit_test(test_random_datagrams_never_crash),
      cmocka_unit_test(test_random_mutations_of_a_valid_segment),
      cmocka_unit_test(test_random_option_areas_never_crash),
      cmocka_unit_test(test_random_ipv6_datagrams_never_crash),
      cmocka_unit_test(test_random_mutations_of_a_valid_ipv6_segment),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
