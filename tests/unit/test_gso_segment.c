/* SPDX-License-Identifier: MIT */
/* The software segmenter (src/wire/gso.c) and the checksum halves of
 * offload: a super-segment built with fin_tcp_build, cut, must give the
 * datagrams fin_tcp_build makes for each segment on its own. */
#include <errno.h>
#include <string.h>

#include "fin_test.h"

#define BIG 65535

static uint8_t payload[BIG];

static void fill_payload(void) {
  for (size_t i = 0; i < sizeof(payload); i++)
    payload[i] = (uint8_t)(i * 31 + (i >> 8));
}

static struct fin_segment seg_of(bool v6, uint32_t seq, uint8_t flags) {
  struct fin_segment s;
  memset(&s, 0, sizeof(s));
  if (v6) {
    uint8_t a[16] = {0xfd, 0, [15] = 1}, b[16] = {0xfd, 0, [15] = 2};
    s.saddr = fin_addr_v6(a);
    s.daddr = fin_addr_v6(b);
    s.flowlabel = 0x12345;
  } else {
    s.saddr = fin_addr_v4(0x0a000001u);
    s.daddr = fin_addr_v4(0x0a000002u);
  }
  s.sport = 80;
  s.dport = 40000;
  s.seq = seq;
  s.ack = 0x01020304u;
  s.flags = flags;
  s.wnd = 502;
  s.tos = 0x02;
  return s;
}

/* A timestamps option area (NOP NOP TS), as fin sends on data. */
static const uint8_t ts_opt[12] = {1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9};

/* Cuts a super-segment of len bytes at mss and checks every piece against
 * the datagram fin_tcp_build makes for that segment alone. */
static void check_cut(bool v6, size_t len, uint16_t mss, uint8_t flags) {
  static uint8_t big[BIG + 1];
  uint32_t seq = 0xfffff000u; /* the pieces wrap the sequence space */
  struct fin_segment s = seg_of(v6, seq, flags);
  size_t n = fin_tcp_build(big, sizeof(big), &s, ts_opt, sizeof(ts_opt), payload, len, NULL, 0);
  assert_true(n > 0);
  size_t pieces = (len + mss - 1) / mss;
  assert_int_equal(fin_gso_count(big, n, mss), pieces);
  uint8_t want[1600], got[1600];
  for (size_t k = 0; k < pieces; k++) {
    size_t off = k * mss, plen = len - off < mss ? len - off : mss;
    bool last = k + 1 == pieces;
    uint8_t f = flags;
    if (!last)
      f &= (uint8_t) ~(FIN_TCP_FIN | FIN_TCP_PSH);
    if (k > 0)
      f &= (uint8_t)~FIN_TCP_CWR;
    struct fin_segment one = seg_of(v6, seq + (uint32_t)off, f);
    size_t w = fin_tcp_build(want, sizeof(want), &one, ts_opt, sizeof(ts_opt), payload + off, plen,
                             NULL, 0);
    size_t g = fin_gso_segment(big, n, mss, k, got, sizeof(got));
    assert_int_equal(g, w);
    assert_memory_equal(got, want, w);
  }
  assert_int_equal(fin_gso_segment(big, n, mss, pieces, got, sizeof(got)), 0);
}

static void test_gso_cut_ipv4_equals_segments(void **state) {
  (void)state;
  fill_payload();
  check_cut(false, 10 * 1448, 1448, FIN_TCP_ACK | FIN_TCP_PSH);
  check_cut(false, 3 * 1448 + 724, 1448, FIN_TCP_ACK | FIN_TCP_PSH | FIN_TCP_FIN);
  check_cut(false, 65535 - 20 - 32, 1448, FIN_TCP_ACK | FIN_TCP_CWR);
  check_cut(false, 1001, 7, FIN_TCP_ACK); /* odd sizes: checksums of odd-length runs */
}

static void test_gso_cut_ipv6_equals_segments(void **state) {
  (void)state;
  fill_payload();
  check_cut(true, 10 * 1428, 1428, FIN_TCP_ACK | FIN_TCP_PSH);
  check_cut(true, 2 * 1428 + 1, 1428, FIN_TCP_ACK | FIN_TCP_FIN | FIN_TCP_CWR);
  check_cut(true, 65535 - 40 - 32, 1428, FIN_TCP_ACK);
}

/* gso_size 0, or a payload no larger than it: the datagram is its one piece. */
static void test_gso_small_datagram_is_its_own_piece(void **state) {
  (void)state;
  fill_payload();
  uint8_t big[1600], out[1600];
  struct fin_segment s = seg_of(false, 1, FIN_TCP_ACK | FIN_TCP_FIN);
  size_t n = fin_tcp_build(big, sizeof(big), &s, NULL, 0, payload, 500, NULL, 0);
  for (uint16_t g = 0; g <= 1000; g += 500) {
    assert_int_equal(fin_gso_count(big, n, g), 1);
    assert_int_equal(fin_gso_segment(big, n, g, 0, out, sizeof(out)), n);
    assert_memory_equal(out, big, n);
    assert_int_equal(fin_gso_segment(big, n, g, 1, out, sizeof(out)), 0);
  }
  assert_int_equal(fin_gso_segment(big, n, 100, 0, out, 100), 0); /* no room */
}

static void test_gso_rejects_what_is_not_tcp(void **state) {
  (void)state;
  uint8_t junk[64], out[64];
  memset(junk, 0, sizeof(junk));
  assert_int_equal(fin_gso_segment(junk, sizeof(junk), 8, 0, out, sizeof(out)), 0);
  junk[0] = 0x45;
  junk[9] = 17; /* UDP */
  assert_int_equal(fin_gso_count(junk, sizeof(junk), 8), 0);
  junk[9] = FIN_IPPROTO_TCP;
  junk[20 + 12] = 0xf0; /* a 60-byte TCP header in a 64-byte datagram */
  assert_int_equal(fin_gso_segment(junk, sizeof(junk), 8, 0, out, sizeof(out)), 0);
  assert_int_equal(fin_gso_segment(junk, 10, 8, 0, out, sizeof(out)), 0);
}

/* What a device does with CHECKSUM_PARTIAL gives back the full checksum. */
static void test_gso_partial_checksum_completes_to_full(void **state) {
  (void)state;
  fill_payload();
  for (int v6 = 0; v6 <= 1; v6++) {
    static uint8_t d[BIG], orig[BIG];
    struct fin_segment s = seg_of(v6, 77, FIN_TCP_ACK);
    size_t n = fin_tcp_build(d, sizeof(d), &s, ts_opt, sizeof(ts_opt), payload, 3001, NULL, 0);
    memcpy(orig, d, n);
    uint16_t start = 0;
    assert_int_equal(fin_csum_partial_tcp(d, n, &start), 0);
    assert_int_equal(start, v6 ? 40 : 20);
    assert_memory_not_equal(d + start + 16, orig + start + 16, 2);
    assert_int_equal(fin_csum_complete(d, n, start, 16), 0);
    assert_memory_equal(d, orig, n);
  }
  uint8_t small[8] = {0};
  assert_int_equal(fin_csum_complete(small, sizeof(small), 7, 16), -EINVAL);
  assert_int_equal(fin_csum_complete(small, sizeof(small), 9, 0), -EINVAL);
  assert_int_equal(fin_csum_partial_tcp(small, sizeof(small), &(uint16_t){0}), -EINVAL);
}

/* Headers built alone, the payload written after them, then completed:
 * the datagram fin_tcp_build makes with that payload. */
static void test_gso_fill_placed_equals_build(void **state) {
  (void)state;
  fill_payload();
  for (int v6 = 0; v6 <= 1; v6++) {
    static uint8_t want[BIG], got[BIG];
    struct fin_segment s = seg_of(v6, 5, FIN_TCP_ACK | FIN_TCP_PSH);
    size_t len = 40000 + (size_t)v6; /* an odd length too */
    size_t w = fin_tcp_build(want, sizeof(want), &s, ts_opt, sizeof(ts_opt), payload, len, NULL, 0);
    size_t hdr = fin_tcp_build(got, sizeof(got), &s, ts_opt, sizeof(ts_opt), NULL, 0, NULL, 0);
    memcpy(got + hdr, payload, len);
    assert_int_equal(fin_tcp_fill_placed(got, hdr, len), w);
    assert_memory_equal(got, want, w);
    assert_int_equal(fin_tcp_fill_placed(got, hdr - 4, len), 0); /* not where the header ends */
    assert_int_equal(fin_tcp_fill_placed(got, hdr, FIN_GSO_DATAGRAM_MAX), 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gso_cut_ipv4_equals_segments),
      cmocka_unit_test(test_gso_cut_ipv6_equals_segments),
      cmocka_unit_test(test_gso_small_datagram_is_its_own_piece),
      cmocka_unit_test(test_gso_rejects_what_is_not_tcp),
      cmocka_unit_test(test_gso_partial_checksum_completes_to_full),
      cmocka_unit_test(test_gso_fill_placed_equals_build),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
