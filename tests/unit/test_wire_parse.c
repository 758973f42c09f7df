/* SPDX-License-Identifier: MIT */
/* The wire layer's good path: build-then-parse round trips, a real Linux
 * SYN, byte-exact option layouts (Linux and FreeBSD), ICMP errors, names,
 * and corruption of any single byte never parsing as a valid segment. */
#include <string.h>

#include "fin_test.h"
#include "wire_fixture.h"

/* Captured from Linux 6.18 over lo (connect() to 127.0.0.1:9):
 * <mss 65495,sackOK,TS val 3271414688 ecr 0,nop,wscale 10>. Loopback leaves
 * the TCP checksum as a partial pseudo-header sum (CHECKSUM_PARTIAL, 0xfe30
 * on the wire); bytes 36-37 hold the completed checksum, all others are as
 * captured. */
static const uint8_t linux_syn[] = {
    0x45, 0x00, 0x00, 0x3c, 0x41, 0x13, 0x40, 0x00, 0x40, 0x06, 0xfb, 0xa6, 0x7f, 0x00, 0x00,
    0x01, 0x7f, 0x00, 0x00, 0x01, 0xb3, 0x12, 0x00, 0x09, 0x14, 0x9a, 0x77, 0x4c, 0x00, 0x00,
    0x00, 0x00, 0xa0, 0x02, 0xff, 0xd7, 0x7a, 0x5e, 0x00, 0x00, 0x02, 0x04, 0xff, 0xd7, 0x04,
    0x02, 0x08, 0x0a, 0xc2, 0xfd, 0xd3, 0xa0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a};

static void test_linux_syn_capture_parses_every_field(void **state) {
  (void)state;
  struct fin_segment s;
  assert_int_equal(fin_tcp_parse(linux_syn, sizeof(linux_syn), &s), FIN_WIRE_OK);
  assert_addr_v4(s.saddr, 0x7f000001);
  assert_addr_v4(s.daddr, 0x7f000001);
  assert_int_equal(s.ttl, 64);
  assert_int_equal(s.tos, 0);
  assert_int_equal(s.ip_id, 0x4113);
  assert_int_equal(s.sport, 45842);
  assert_int_equal(s.dport, 9);
  assert_int_equal(s.seq, 0x149a774c);
  assert_int_equal(s.ack, 0);
  assert_int_equal(s.flags, FIN_TCP_SYN);
  assert_int_equal(s.wnd, 65495);
  assert_int_equal(s.urg, 0);
  assert_int_equal(s.data_offset, 40);
  assert_true(s.opts.has_mss && s.opts.sack_permitted && s.opts.has_ts && s.opts.has_wscale);
  assert_int_equal(s.opts.mss, 65495);
  assert_int_equal(s.opts.ts_val, 0xc2fdd3a0u);
  assert_int_equal(s.opts.ts_ecr, 0);
  assert_int_equal(s.opts.wscale, 10);
  assert_int_equal(s.opts.sack_count, 0);
  assert_int_equal(s.payload_len, 0);
  assert_ptr_equal(s.payload, linux_syn + sizeof(linux_syn));
}

static void test_linux_syn_capture_options_rewrite_byte_exact(void **state) {
  (void)state;
  struct fin_tcp_opts_out o = {.mss = true,
                               .mss_value = 65495,
                               .sack_permitted = true,
                               .ts = true,
                               .ts_val = 0xc2fdd3a0u,
                               .wscale = true,
                               .wscale_value = 10};
  uint8_t out[40];
  size_t n = fin_tcp_opts_write(out, &o, FIN_LAYOUT_LINUX, true);
  assert_int_equal(n, 20);
  assert_memory_equal(out, linux_syn + 40, 20);
}

static void test_linux_syn_partial_checksum_is_rejected(void **state) {
  (void)state;
  uint8_t d[sizeof(linux_syn)];
  memcpy(d, linux_syn, sizeof(d));
  d[36] = 0xfe;
  d[37] = 0x30;
  struct fin_segment s;
  assert_int_equal(fin_tcp_parse(d, sizeof(d), &s), FIN_WIRE_TCP_CHECKSUM);
}

static void assert_round_trip(const struct fin_segment *in, const uint8_t *opt, size_t opt_len) {
  uint8_t buf[128];
  size_t n = fin_tcp_build(buf, sizeof(buf), in, opt, opt_len, NULL, 0, NULL, 0);
  assert_int_equal(n, 40 + opt_len);
  struct fin_segment out;
  assert_int_equal(fin_tcp_parse(buf, n, &out), FIN_WIRE_OK);
  assert_addr_equal(out.saddr, in->saddr);
  assert_addr_equal(out.daddr, in->daddr);
  assert_int_equal(out.sport, in->sport);
  assert_int_equal(out.dport, in->dport);
  assert_int_equal(out.seq, in->seq);
  assert_int_equal(out.ack, in->ack);
  assert_int_equal(out.flags, in->flags);
  assert_int_equal(out.wnd, in->wnd);
  assert_int_equal(out.urg, in->urg);
  assert_int_equal(out.tos, in->tos);
  assert_int_equal(out.ip_id, in->ip_id);
  assert_int_equal(out.ttl, in->ttl ? in->ttl : 64);
  assert_int_equal(out.data_offset, 20 + opt_len);
}

static void test_round_trip_every_legal_flag_combination(void **state) {
  (void)state;
  struct fin_segment seg;
  wf_segment_default(&seg);
  for (unsigned f = 0; f < 256; f++) {
    if ((f & (FIN_TCP_SYN | FIN_TCP_RST)) == (FIN_TCP_SYN | FIN_TCP_RST))
      continue;
    seg.flags = (uint8_t)f;
    assert_round_trip(&seg, NULL, 0);
  }
}

static void test_round_trip_sequence_numbers_near_wrap(void **state) {
  (void)state;
  static const uint32_t v[] = {0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff};
  struct fin_segment seg;
  wf_segment_default(&seg);
  for (size_t i = 0; i < 6; i++)
    for (size_t j = 0; j < 6; j++) {
      seg.seq = v[i];
      seg.ack = v[j];
      seg.wnd = (uint16_t)v[j];
      seg.urg = (uint16_t)v[i];
      assert_round_trip(&seg, NULL, 0);
    }
}

static void test_round_trip_ip_fields_and_default_ttl(void **state) {
  (void)state;
  struct fin_segment seg;
  wf_segment_default(&seg);
  seg.tos = 0xb8;
  seg.ip_id = 0xfffe;
  seg.ttl = 0;
  seg.saddr = fin_addr_v4(0x7f000001); /* loopback sources are legal */
  seg.sport = 65535;
  seg.dport = 1;
  assert_round_trip(&seg, NULL, 0);
  seg.ttl = 255;
  assert_round_trip(&seg, NULL, 0);
}

static void test_build_sets_df_ihl5_and_protocol(void **state) {
  (void)state;
  uint8_t buf[64];
  struct fin_segment seg;
  wf_segment_default(&seg);
  assert_int_equal(fin_tcp_build(buf, sizeof(buf), &seg, NULL, 0, NULL, 0, NULL, 0), 40);
  assert_int_equal(buf[0], 0x45);
  assert_int_equal(buf[6], 0x40); /* DF, offset 0 */
  assert_int_equal(buf[7], 0);
  assert_int_equal(buf[9], 6);
  assert_int_equal(buf[32], 0x50); /* data offset 5, reserved 0 */
}

static void test_round_trip_each_option_kind(void **state) {
  (void)state;
  struct fin_segment seg;
  wf_segment_default(&seg);
  struct fin_tcp_opts_out o = {.mss = true,
                               .mss_value = 536,
                               .wscale = true,
                               .wscale_value = 14,
                               .sack_permitted = true,
                               .ts = true,
                               .ts_val = 0xffffffff,
                               .ts_ecr = 0x80000001};
  uint8_t opt[40], buf[128];
  for (int layout = FIN_LAYOUT_LINUX; layout <= FIN_LAYOUT_FREEBSD; layout++) {
    size_t ol = fin_tcp_opts_write(opt, &o, (enum fin_option_layout)layout, true);
    size_t n = fin_tcp_build(buf, sizeof(buf), &seg, opt, ol, NULL, 0, NULL, 0);
    struct fin_segment s;
    assert_int_equal(fin_tcp_parse(buf, n, &s), FIN_WIRE_OK);
    assert_true(s.opts.has_mss && s.opts.has_wscale && s.opts.sack_permitted && s.opts.has_ts);
    assert_int_equal(s.opts.mss, 536);
    assert_int_equal(s.opts.wscale, 14);
    assert_int_equal(s.opts.ts_val, 0xffffffff);
    assert_int_equal(s.opts.ts_ecr, 0x80000001);
  }
}

static void test_round_trip_sack_blocks_limited_by_timestamps(void **state) {
  (void)state;
  struct fin_tcp_opts_out o = {.sack_count = 4,
                               .sack = {{1, 2}, {0xfffffff0, 0x10}, {5, 6}, {7, 8}}};
  uint8_t opt[40], buf[128];
  struct fin_segment seg, s;
  wf_segment_default(&seg);
  for (int ts = 0; ts <= 1; ts++) {
    o.ts = ts;
    o.ts_val = 99;
    size_t ol = fin_tcp_opts_write(opt, &o, FIN_LAYOUT_LINUX, false);
    assert_int_equal(ol, ts ? 40 : 36);
    size_t n = fin_tcp_build(buf, sizeof(buf), &seg, opt, ol, NULL, 0, NULL, 0);
    assert_int_equal(fin_tcp_parse(buf, n, &s), FIN_WIRE_OK);
    assert_int_equal(s.opts.has_ts, ts);
    assert_int_equal(s.opts.sack_count, ts ? 3 : 4);
    for (size_t i = 0; i < s.opts.sack_count; i++) {
      assert_int_equal(s.opts.sack[i].left, o.sack[i].left);
      assert_int_equal(s.opts.sack[i].right, o.sack[i].right);
    }
  }
}

static void test_round_trip_payload_in_two_pieces_any_split(void **state) {
  (void)state;
  uint8_t data[1461], one[1600], two[1600];
  for (size_t i = 0; i < sizeof(data); i++)
    data[i] = (uint8_t)(i * 31 + 17);
  struct fin_segment seg, s;
  wf_segment_default(&seg);
  static const uint8_t ts[12] = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
  for (size_t len = 1459; len <= 1461; len++) {
    size_t n1 = fin_tcp_build(one, sizeof(one), &seg, ts, 12, data, len, NULL, 0);
    assert_int_equal(n1, 52 + len);
    for (size_t cut = 0; cut <= len; cut++) {
      size_t n2 = fin_tcp_build(two, sizeof(two), &seg, ts, 12, data, cut, data + cut, len - cut);
      assert_int_equal(n2, n1);
      assert_memory_equal(one, two, n1);
    }
    assert_int_equal(fin_tcp_parse(two, n1, &s), FIN_WIRE_OK);
    assert_int_equal(s.payload_len, len);
    assert_ptr_equal(s.payload, two + 52);
    assert_memory_equal(s.payload, data, len);
  }
}

static void test_build_rejects_bad_option_length_and_small_buffer(void **state) {
  (void)state;
  uint8_t buf[100], opt[44] = {0};
  struct fin_segment seg;
  wf_segment_default(&seg);
  assert_int_equal(fin_tcp_build(buf, sizeof(buf), &seg, opt, 3, NULL, 0, NULL, 0), 0);
  assert_int_equal(fin_tcp_build(buf, sizeof(buf), &seg, opt, 44, NULL, 0, NULL, 0), 0);
  assert_int_equal(fin_tcp_build(buf, 59, &seg, opt, 20, NULL, 0, NULL, 0), 0);
  assert_int_equal(fin_tcp_build(buf, 60, &seg, opt, 20, NULL, 0, NULL, 0), 60);
  assert_int_equal(fin_tcp_build(buf, 60, &seg, NULL, 0, opt, 10, opt, 11), 0);
  assert_int_equal(fin_tcp_build(buf, 61, &seg, NULL, 0, opt, 10, opt, 11), 61);
}

/* ATTACK T02 */
static void test_trailing_link_padding_is_ignored(void **state) {
  (void)state;
  uint8_t buf[128];
  size_t n = wf_build_ts_segment(buf, sizeof(buf), 1);
  memset(buf + n, 0, 6);
  struct fin_segment s;
  assert_int_equal(fin_tcp_parse(buf, n + 6, &s), FIN_WIRE_OK);
  assert_int_equal(s.payload_len, 1);
}

static void test_valid_ip_options_are_skipped(void **state) {
  (void)state;
  /* NOP, router alert (RFC 2113, len 4), NOP, EOL and zero padding. */
  static const uint8_t ipopt[8] = {1, 0x94, 4, 0, 0, 0, 1, 0};
  uint8_t buf[128];
  size_t n = wf_build_ts_segment(buf, sizeof(buf), 5);
  n = wf_insert_ip_options(buf, n, sizeof(buf), ipopt, sizeof(ipopt));
  struct fin_segment s;
  assert_int_equal(fin_tcp_parse(buf, n, &s), FIN_WIRE_OK);
  assert_int_equal(s.payload_len, 5);
  assert_ptr_equal(s.payload, buf + 28 + 32);
  assert_int_equal(s.opts.ts_val, 0x01020304);
}

static void assert_layout(const struct fin_tcp_opts_out *o, enum fin_option_layout layout, bool syn,
                          const uint8_t *want, size_t want_len) {
  uint8_t out[48];
  memset(out, 0xee, sizeof(out));
  size_t n = fin_tcp_opts_write(out, o, layout, syn);
  assert_int_equal(n, want_len);
  assert_memory_equal(out, want, want_len);
  assert_int_equal(out[n], 0xee); /* nothing written past the length */
}

static void test_layout_linux_mss_sackok_ts_nop_wscale(void **state) {
  (void)state;
  struct fin_tcp_opts_out o = {.mss = true,
                               .mss_value = 1460,
                               .sack_permitted = true,
                               .ts = true,
                               .ts_val = 1,
                               .wscale = true,
                               .wscale_value = 7};
  const uint8_t want[] = {2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
  assert_layout(&o, FIN_LAYOUT_LINUX, true, want, sizeof(want));
}

static void test_layout_linux_without_ts(void **state) {
  (void)state;
  struct fin_tcp_opts_out o = {
      .mss = true, .mss_value = 1460, .sack_permitted = true, .wscale = true, .wscale_value = 8};
  const uint8_t want[] = {2, 4, 5, 0xb4, 1, 1, 4, 2, 1, 3, 3, 8};
  assert_layout(&o, FIN_LAYOUT_LINUX, true, want, sizeof(want));
  o.wscale = false;
  assert_layout(&o, FIN_LAYOUT_LINUX, true, want, 8);
}

static void test_layout_linux_ts_without_wscale_and_mss_only(void **state) {
  (void)state;
  struct fin_tcp_opts_out o = {
      .mss = true, .mss_value = 1460, .sack_permitted = true, .ts = true, .ts_val = 5, .ts_ecr = 6};
  const uint8_t want[] = {2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 5, 0, 0, 0, 6};
  assert_layout(&o, FIN_LAYOUT_LINUX, true, want, sizeof(want));
  const uint8_t ws[] = {2, 4, 5, 0xb4, 1, 3, 3, 7};
  struct fin_tcp_opts_out w = {.mss = true, .mss_value = 1460, .wscale = true, .wscale_value = 7};
  assert_layout(&w, FIN_LAYOUT_LINUX, true, ws, sizeof(ws));
  w.wscale = false;
  assert_layout(&w, FIN_LAYOUT_LINUX, true, ws, 4);
}

static void test_layout_linux_ts_without_sackok_uses_nops(void **state) {
  (void)state;
  struct fin_tcp_opts_out o = {.mss = true, .mss_value = 1460, .ts = true, .ts_val = 5};
  const uint8_t want[] = {2, 4, 5, 0xb4, 1, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 0};
  assert_layout(&o, FIN_LAYOUT_LINUX, true, want, sizeof(want));
}

static void test_layout_freebsd_mss_nop_wscale_sackok_ts(void **state) {
  (void)state;
  struct fin_tcp_opts_out o = {.mss = true,
                               .mss_value = 1460,
                               .wscale = true,
                               .wscale_value = 6,
                               .sack_permitted = true,
                               .ts = true,
                               .ts_val = 100};
  const uint8_t want[] = {2, 4, 5, 0xb4, 1, 3, 3, 6, 4, 2, 8, 10, 0, 0, 0, 100, 0, 0, 0, 0};
  assert_layout(&o, FIN_LAYOUT_FREEBSD, true, want, sizeof(want));
}

static void test_layout_freebsd_mss_sackok_eol_eol(void **state) {
  (void)state;
  struct fin_tcp_opts_out o = {.mss = true, .mss_value = 1460, .sack_permitted = true};
  const uint8_t want[] = {2, 4, 5, 0xb4, 4, 2, 0, 0};
  assert_layout(&o, FIN_LAYOUT_FREEBSD, true, want, sizeof(want));
}

static void test_layout_freebsd_ts_aligned_with_nops(void **state) {
  (void)state;
  /* FreeBSD puts TS at 4n+2: mss,nop,nop,TS and mss,nop,wscale,nop,nop,TS. */
  struct fin_tcp_opts_out o = {.mss = true, .mss_value = 1460, .ts = true, .ts_val = 1};
  const uint8_t want[] = {2, 4, 5, 0xb4, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0};
  assert_layout(&o, FIN_LAYOUT_FREEBSD, true, want, sizeof(want));
  o.wscale = true;
  o.wscale_value = 3;
  const uint8_t want2[] = {2, 4, 5, 0xb4, 1, 3, 3, 3, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0};
  assert_layout(&o, FIN_LAYOUT_FREEBSD, true, want2, sizeof(want2));
}

static void test_layout_established_ts_then_sack(void **state) {
  (void)state;
  struct fin_tcp_opts_out o = {.mss = true,
                               .wscale = true,
                               .sack_permitted = true,
                               .ts = true,
                               .ts_val = 7,
                               .ts_ecr = 9,
                               .sack_count = 1,
                               .sack = {{10, 20}}};
  const uint8_t want[] = {1, 1, 8, 10, 0, 0, 0, 7,  0, 0, 0, 9,
                          1, 1, 5, 10, 0, 0, 0, 10, 0, 0, 0, 20};
  for (int layout = FIN_LAYOUT_LINUX; layout <= FIN_LAYOUT_FREEBSD; layout++) {
    assert_layout(&o, (enum fin_option_layout)layout, false, want, sizeof(want));
    o.sack_count = 0;
    assert_layout(&o, (enum fin_option_layout)layout, false, want, 12);
    o.sack_count = 1;
  }
  struct fin_tcp_opts_out none = {.mss = true, .mss_value = 1460};
  assert_layout(&none, FIN_LAYOUT_LINUX, false, want, 0);
}

/* ATTACK T18 */
static void test_duplicate_options_last_wins(void **state) {
  (void)state;
  const uint8_t opt[] = {2, 4, 1, 0, 2, 4, 2, 0, 3, 3, 1, 3, 3, 2, 0, 0};
  struct fin_tcp_opts o;
  assert_int_equal(fin_tcp_opts_parse(opt, sizeof(opt), &o), FIN_WIRE_OK);
  assert_int_equal(o.mss, 512);
  assert_int_equal(o.wscale, 2);
}

/* ATTACK T18 */
static void test_options_after_eol_are_not_parsed(void **state) {
  (void)state;
  const uint8_t opt[] = {1, 0, 2, 0, 0xff, 0xff, 0, 0};
  struct fin_tcp_opts o;
  assert_int_equal(fin_tcp_opts_parse(opt, sizeof(opt), &o), FIN_WIRE_OK);
  assert_false(o.has_mss);
}

/* ATTACK T79 */
static void test_more_than_four_sack_blocks_keeps_first_four(void **state) {
  (void)state;
  uint8_t opt[42] = {5, 42};
  for (size_t i = 2; i < sizeof(opt); i++)
    opt[i] = (uint8_t)i;
  struct fin_tcp_opts o;
  assert_int_equal(fin_tcp_opts_parse(opt, sizeof(opt), &o), FIN_WIRE_OK);
  assert_int_equal(o.sack_count, 4);
  assert_int_equal(o.sack[0].left, 0x02030405);
  assert_int_equal(o.sack[3].right, 0x1e1f2021);
}

/* ATTACK T05 */
static void test_any_single_byte_corruption_is_detected(void **state) {
  (void)state;
  uint8_t good[128], bad[128];
  size_t n = wf_build_ts_segment(good, sizeof(good), 11);
  static const uint8_t masks[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff, 0x5a};
  for (size_t i = 0; i < n; i++)
    for (size_t m = 0; m < sizeof(masks); m++) {
      memcpy(bad, good, n);
      bad[i] ^= masks[m];
      struct fin_segment s;
      enum fin_wire_error e = fin_tcp_parse(bad, n, &s);
      assert_int_not_equal(e, FIN_WIRE_OK);
      assert_true(e < FIN_WIRE_ERROR_COUNT);
    }
}

static size_t build_icmp(uint8_t *buf, uint8_t type, const uint8_t *quote, size_t qlen) {
  memset(buf, 0, 28);
  buf[0] = 0x45;
  buf[2] = (uint8_t)((28 + qlen) >> 8);
  buf[3] = (uint8_t)(28 + qlen);
  buf[8] = 64;
  buf[9] = FIN_IPPROTO_ICMP;
  const uint8_t router[4] = {192, 0, 2, 1}, us[4] = {10, 0, 0, 1};
  memcpy(buf + 12, router, 4);
  memcpy(buf + 16, us, 4);
  wf_fix_ip_checksum(buf);
  buf[20] = type;
  buf[21] = 4;    /* fragmentation needed (with type 3) */
  buf[27] = 0xdc; /* MTU 1500 */
  buf[26] = 0x05;
  memcpy(buf + 28, quote, qlen);
  uint16_t c = fin_csum_fold(fin_csum_add(0, buf + 20, 8 + qlen));
  buf[22] = (uint8_t)(c >> 8);
  buf[23] = (uint8_t)c;
  return 28 + qlen;
}

static void test_icmp_unreachable_quoting_our_segment(void **state) {
  (void)state;
  uint8_t seg[128], buf[256];
  wf_build_ts_segment(seg, sizeof(seg), 0);
  size_t n = build_icmp(buf, 3, seg, 28);
  struct fin_icmp_error e;
  assert_int_equal(fin_icmp_parse(buf, n, &e), FIN_WIRE_OK);
  assert_int_equal(e.type, 3);
  assert_int_equal(e.code, 4);
  assert_addr_v4(e.from, 0xc0000201);
  assert_addr_v4(e.saddr, WF_SADDR);
  assert_addr_v4(e.daddr, WF_DADDR);
  assert_int_equal(e.sport, 40000);
  assert_int_equal(e.dport, 80);
  assert_int_equal(e.seq, 1000);
  static const uint8_t types[] = {4, 11, 12};
  for (size_t i = 0; i < 3; i++) {
    n = build_icmp(buf, types[i], seg, 60);
    assert_int_equal(fin_icmp_parse(buf, n, &e), FIN_WIRE_OK);
    assert_int_equal(e.type, types[i]);
  }
}

/* ATTACK T95 */
static void test_icmp_malformed_and_foreign(void **state) {
  (void)state;
  uint8_t seg[128], q[128], buf[256];
  wf_build_ts_segment(seg, sizeof(seg), 0);
  struct fin_icmp_error e;
  size_t n = build_icmp(buf, 3, seg, 27); /* 7 bytes of TCP */
  assert_int_equal(fin_icmp_parse(buf, n, &e), FIN_WIRE_ICMP_MALFORMED);
  n = build_icmp(buf, 0, seg, 28); /* echo reply: not an error about TCP */
  assert_int_equal(fin_icmp_parse(buf, n, &e), FIN_WIRE_IP_PROTOCOL);
  n = build_icmp(buf, 3, seg, 28);
  buf[30] ^= 1; /* ICMP checksum */
  assert_int_equal(fin_icmp_parse(buf, n, &e), FIN_WIRE_ICMP_MALFORMED);
  memcpy(q, seg, 28);
  q[9] = 17; /* quoted UDP */
  n = build_icmp(buf, 3, q, 28);
  assert_int_equal(fin_icmp_parse(buf, n, &e), FIN_WIRE_ICMP_MALFORMED);
  memcpy(q, seg, 28);
  q[0] = 0x65; /* quoted version 6 */
  n = build_icmp(buf, 3, q, 28);
  assert_int_equal(fin_icmp_parse(buf, n, &e), FIN_WIRE_ICMP_MALFORMED);
  memcpy(q, seg, 28);
  q[0] = 0x47; /* quoted IHL 7: TCP header not quoted */
  n = build_icmp(buf, 3, q, 28);
  assert_int_equal(fin_icmp_parse(buf, n, &e), FIN_WIRE_ICMP_MALFORMED);
  n = build_icmp(buf, 3, seg, 0);
  assert_int_equal(fin_icmp_parse(buf, n, &e), FIN_WIRE_ICMP_MALFORMED);
  assert_int_equal(fin_icmp_parse(buf, 24, &e), FIN_WIRE_IP_TOTAL_LEN);
  struct fin_segment s;
  assert_int_equal(fin_tcp_parse(buf, n, &s), FIN_WIRE_IP_PROTOCOL);
  n = wf_build_ts_segment(seg, sizeof(seg), 0);
  assert_int_equal(fin_icmp_parse(seg, n, &e), FIN_WIRE_IP_PROTOCOL);
}

static void test_error_names_are_unique_kebab_case(void **state) {
  (void)state;
  assert_string_equal(fin_wire_error_name(FIN_WIRE_OK), "ok");
  assert_string_equal(fin_wire_error_name(FIN_WIRE_IP_TRUNCATED), "ip-truncated");
  assert_string_equal(fin_wire_error_name(FIN_WIRE_TCP_DATA_OFFSET), "tcp-data-offset");
  assert_string_equal(fin_wire_error_name(FIN_WIRE_ICMP_MALFORMED), "icmp-malformed");
  assert_string_equal(fin_wire_error_name(FIN_WIRE_ERROR_COUNT), "?");
  for (int i = 0; i < FIN_WIRE_ERROR_COUNT; i++) {
    const char *a = fin_wire_error_name((enum fin_wire_error)i);
    assert_non_null(a);
    for (const char *p = a; *p; p++)
      assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-');
    for (int j = i + 1; j < FIN_WIRE_ERROR_COUNT; j++)
      assert_string_not_equal(a, fin_wire_error_name((enum fin_wire_error)j));
  }
}

static void test_flags_str_tcpdump_order(void **state) {
  (void)state;
  char buf[32];
  assert_string_equal(fin_tcp_flags_str(FIN_TCP_SYN | FIN_TCP_ACK, buf, sizeof(buf)), "SYN,ACK");
  assert_string_equal(fin_tcp_flags_str(0, buf, sizeof(buf)), "none");
  assert_string_equal(fin_tcp_flags_str(FIN_TCP_FIN | FIN_TCP_ACK, buf, sizeof(buf)), "FIN,ACK");
  assert_string_equal(fin_tcp_flags_str(0xff, buf, sizeof(buf)), "SYN,FIN,RST,PSH,ACK,URG,ECE,CWR");
  assert_string_equal(fin_tcp_flags_str(0xff, buf, 23), "SYN,FIN,RST,PSH,ACK");
  assert_string_equal(fin_tcp_flags_str(FIN_TCP_RST, buf, 4), "RST");
  assert_string_equal(fin_tcp_flags_str(FIN_TCP_RST, buf, 3), "");
  assert_string_equal(fin_tcp_flags_str(FIN_TCP_RST, buf, 0), "");
}

/* RFC 7413 §4.1.1: kind 34 with a cookie, an empty one (a cookie request)
 * and the RFC 6994 experimental form (kind 254, ExID 0xF989); another
 * experiment's kind 254 is skipped; an invalid length is kept as it came,
 * for the engine to judge. */
static void test_fast_open_option_forms(void **state) {
  (void)state;
  struct fin_tcp_opts o;
  const uint8_t fo[] = {34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1};
  assert_int_equal(fin_tcp_opts_parse(fo, sizeof(fo), &o), FIN_WIRE_OK);
  assert_true(o.has_fo && !o.fo_exp);
  assert_int_equal(o.fo_len, 8);
  assert_memory_equal(o.fo_cookie, fo + 2, 8);
  const uint8_t req[] = {1, 1, 34, 2};
  assert_int_equal(fin_tcp_opts_parse(req, sizeof(req), &o), FIN_WIRE_OK);
  assert_true(o.has_fo && o.fo_len == 0);
  const uint8_t exp[] = {254, 8, 0xf9, 0x89, 9, 8, 7, 6};
  assert_int_equal(fin_tcp_opts_parse(exp, sizeof(exp), &o), FIN_WIRE_OK);
  assert_true(o.has_fo && o.fo_exp && o.fo_len == 4);
  assert_memory_equal(o.fo_cookie, exp + 4, 4);
  const uint8_t other[] = {254, 4, 0x12, 0x34};
  assert_int_equal(fin_tcp_opts_parse(other, sizeof(other), &o), FIN_WIRE_OK);
  assert_false(o.has_fo);
  uint8_t odd[40] = {34, 40};
  for (int i = 2; i < 40; i++)
    odd[i] = (uint8_t)i;
  assert_int_equal(fin_tcp_opts_parse(odd, sizeof(odd), &o), FIN_WIRE_OK);
  assert_true(o.has_fo && o.fo_len == 38);
  assert_memory_equal(o.fo_cookie, odd + 2, FIN_TCP_FO_COOKIE_MAX);
}

/* The option in each SYN layout: Linux after wscale, NOP-padded; FreeBSD
 * after the timestamps, then EOL padding (the FreeBSD tcp-testsuite's
 * "TS val 0 ecr 0,FO,eol,eol"); left out when it does not fit. */
static void test_fast_open_option_layouts(void **state) {
  (void)state;
  struct fin_tcp_opts_out o = {.mss = true,
                               .mss_value = 1460,
                               .sack_permitted = true,
                               .ts = true,
                               .wscale = true,
                               .wscale_value = 6,
                               .fo = true};
  uint8_t out[40];
  size_t n = fin_tcp_opts_write(out, &o, FIN_LAYOUT_FREEBSD, true);
  assert_int_equal(n, 24);
  const uint8_t bsd_req[] = {34, 2, 0, 0};
  assert_memory_equal(out + 20, bsd_req, 4);
  n = fin_tcp_opts_write(out, &o, FIN_LAYOUT_LINUX, true);
  assert_int_equal(n, 24);
  const uint8_t linux_req[] = {34, 2, 1, 1};
  assert_memory_equal(out + 20, linux_req, 4);
  o.fo_len = 8;
  memcpy(o.fo_cookie, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
  n = fin_tcp_opts_write(out, &o, FIN_LAYOUT_FREEBSD, true);
  assert_int_equal(n, 32);
  assert_int_equal(out[20], 34);
  assert_int_equal(out[21], 10);
  assert_memory_equal(out + 22, o.fo_cookie, 8);
  assert_int_equal(out[30] | out[31], 0);
  o.fo_exp = true;
  n = fin_tcp_opts_write(out, &o, FIN_LAYOUT_LINUX, true);
  assert_int_equal(n, 32);
  const uint8_t exp_head[] = {254, 12, 0xf9, 0x89};
  assert_memory_equal(out + 20, exp_head, 4);
  struct fin_tcp_opts back;
  assert_int_equal(fin_tcp_opts_parse(out, n, &back), FIN_WIRE_OK);
  assert_true(back.has_fo && back.fo_exp && back.fo_len == 8 && back.has_ts && back.has_mss);
  o.fo_exp = false;
  o.fo_len = FIN_TCP_FO_COOKIE_MAX; /* 20 + 18 bytes: fits, 2 EOL to 40 */
  assert_int_equal(fin_tcp_opts_write(out, &o, FIN_LAYOUT_FREEBSD, true), 40);
  assert_int_equal(out[21], 18);
  o.fo_exp = true; /* 20 + 20 bytes: fits exactly */
  assert_int_equal(fin_tcp_opts_write(out, &o, FIN_LAYOUT_FREEBSD, true), 40);
  o.fo_len = FIN_TCP_FO_COOKIE_MAX + 2; /* no cookie is that long: left out */
  assert_int_equal(fin_tcp_opts_write(out, &o, FIN_LAYOUT_FREEBSD, true), 20);
  o.fo_len = FIN_TCP_FO_COOKIE_MAX;
  o.sack_permitted = false; /* Linux's mss,nop,nop,TS,nop,wscale: 20 bytes, then 20 of FOEXP */
  n = fin_tcp_opts_write(out, &o, FIN_LAYOUT_LINUX, true);
  assert_int_equal(n, 40);
  o.fo_len = 0;
  o.fo = false;
  assert_int_equal(fin_tcp_opts_write(out, &o, FIN_LAYOUT_LINUX, false),
                   12); /* never established */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fast_open_option_forms),
      cmocka_unit_test(test_fast_open_option_layouts),
      cmocka_unit_test(test_linux_syn_capture_parses_every_field),
      cmocka_unit_test(test_linux_syn_capture_options_rewrite_byte_exact),
      cmocka_unit_test(test_linux_syn_partial_checksum_is_rejected),
      cmocka_unit_test(test_round_trip_every_legal_flag_combination),
      cmocka_unit_test(test_round_trip_sequence_numbers_near_wrap),
      cmocka_unit_test(test_round_trip_ip_fields_and_default_ttl),
      cmocka_unit_test(test_build_sets_df_ihl5_and_protocol),
      cmocka_unit_test(test_round_trip_each_option_kind),
      cmocka_unit_test(test_round_trip_sack_blocks_limited_by_timestamps),
      cmocka_unit_test(test_round_trip_payload_in_two_pieces_any_split),
      cmocka_unit_test(test_build_rejects_bad_option_length_and_small_buffer),
      cmocka_unit_test(test_trailing_link_padding_is_ignored),
      cmocka_unit_test(test_valid_ip_options_are_skipped),
      cmocka_unit_test(test_layout_linux_mss_sackok_ts_nop_wscale),
      cmocka_unit_test(test_layout_linux_without_ts),
      cmocka_unit_test(test_layout_linux_ts_without_wscale_and_mss_only),
      cmocka_unit_test(test_layout_linux_ts_without_sackok_uses_nops),
      cmocka_unit_test(test_layout_freebsd_mss_nop_wscale_sackok_ts),
      cmocka_unit_test(test_layout_freebsd_mss_sackok_eol_eol),
      cmocka_unit_test(test_layout_freebsd_ts_aligned_with_nops),
      cmocka_unit_test(test_layout_established_ts_then_sack),
      cmocka_unit_test(test_duplicate_options_last_wins),
      cmocka_unit_test(test_options_after_eol_are_not_parsed),
      cmocka_unit_test(test_more_than_four_sack_blocks_keeps_first_four),
      cmocka_unit_test(test_any_single_byte_corruption_is_detected),
      cmocka_unit_test(test_icmp_unreachable_quoting_our_segment),
      cmocka_unit_test(test_icmp_malformed_and_foreign),
      cmocka_unit_test(test_error_names_are_unique_kebab_case),
      cmocka_unit_test(test_flags_str_tcpdump_order),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
