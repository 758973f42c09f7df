/* SPDX-License-Identifier: MIT */
/* The Internet checksum (RFC 1071): known vectors, odd lengths, unaligned
 * buffers and chaining over pieces of any parity agree with a byte-at-a-time
 * reference. */
#include <string.h>

#include "fin_test.h"

/* RFC 1071 §1 taken literally: big-endian 16-bit words, odd byte padded. */
static uint16_t ref_checksum(const uint8_t *p, size_t len) {
  uint64_t sum = 0;
  for (size_t i = 0; i < len; i++)
    sum += (i % 2 == 0) ? (uint64_t)p[i] << 8 : p[i];
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static void fill_random(struct test_rng *r, uint8_t *p, size_t len) {
  for (size_t i = 0; i < len; i++)
    p[i] = (uint8_t)test_rng_next(r);
}

static void test_checksum_rfc1071_example(void **state) {
  (void)state;
  /* RFC 1071 §3: the sum of 0001 f203 f4f5 f6f7 is ddf2. */
  const uint8_t d[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  assert_int_equal(fin_csum_fold(fin_csum_add(0, d, sizeof(d))), (uint16_t)~0xddf2);
}

static void test_checksum_ipv4_header_vector_and_verify(void **state) {
  (void)state;
  uint8_t h[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  uint16_t c = fin_csum_fold(fin_csum_add(0, h, sizeof(h)));
  assert_int_equal(c, 0xb861);
  h[10] = 0xb8;
  h[11] = 0x61;
  assert_int_equal(fin_csum_fold(fin_csum_add(0, h, sizeof(h))), 0);
}

static void test_checksum_empty_and_single_byte(void **state) {
  (void)state;
  const uint8_t b = 0xab;
  assert_int_equal(fin_csum_fold(fin_csum_add(0, &b, 0)), 0xffff);
  assert_int_equal(fin_csum_fold(fin_csum_add(0, &b, 1)), (uint16_t)~0xab00);
}

/* ATTACK T05 */
static void test_checksum_every_length_and_alignment_matches_reference(void **state) {
  (void)state;
  struct test_rng r;
  struct fin_random fr;
  test_rng_init(&r, 1071, &fr);
  uint8_t buf[300];
  fill_random(&r, buf, sizeof(buf));
  for (size_t off = 0; off < 8; off++)
    for (size_t len = 0; len + off <= sizeof(buf); len++)
      assert_int_equal(fin_csum_fold(fin_csum_add(0, buf + off, len)),
                       ref_checksum(buf + off, len));
}

static void test_checksum_all_ones_data_folds_carries(void **state) {
  (void)state;
  uint8_t buf[1500];
  memset(buf, 0xff, sizeof(buf));
  for (size_t len = 0; len <= sizeof(buf); len += 7)
    assert_int_equal(fin_csum_fold(fin_csum_add(0, buf, len)), ref_checksum(buf, len));
}

/* A caller may start from any partial sum below bit 31 (pseudo-header
 * fields added as host numbers): the largest one must not carry into the
 * parity bit, for data of either parity. */
static void test_checksum_largest_starting_sum(void **state) {
  (void)state;
  uint8_t buf[64];
  memset(buf, 0xff, sizeof(buf));
  for (size_t len = 0; len <= sizeof(buf); len++) {
    uint32_t s = fin_csum_add(0x7fffffffu, buf, len);
    assert_true((s & 0x7fffffffu) < 0x20000u);
    /* 0x7fffffff is 0x7fff + 0xffff = 0x7fff in one's complement. */
    uint64_t ref = (uint64_t)(uint16_t)~ref_checksum(buf, len) + 0x7fff;
    while (ref >> 16)
      ref = (ref & 0xffff) + (ref >> 16);
    assert_int_equal(fin_csum_fold(s), (uint16_t)~ref);
  }
}

static void test_checksum_chained_two_pieces_any_split(void **state) {
  (void)state;
  struct test_rng r;
  struct fin_random fr;
  test_rng_init(&r, 42, &fr);
  uint8_t buf[97];
  fill_random(&r, buf, sizeof(buf));
  uint16_t want = ref_checksum(buf, sizeof(buf));
  for (size_t cut = 0; cut <= sizeof(buf); cut++) {
    uint32_t s = fin_csum_add(0, buf, cut);
    s = fin_csum_add(s, buf + cut, sizeof(buf) - cut);
    assert_int_equal(fin_csum_fold(s), want);
  }
}

static void test_checksum_chained_three_pieces_odd_first(void **state) {
  (void)state;
  struct test_rng r;
  struct fin_random fr;
  test_rng_init(&r, 7, &fr);
  uint8_t buf[64];
  fill_random(&r, buf, sizeof(buf));
  for (size_t a = 0; a <= sizeof(buf); a++)
    for (size_t b = a; b <= sizeof(buf); b++) {
      uint32_t s = fin_csum_add(0, buf, a);
      s = fin_csum_add(s, buf + a, b - a);
      s = fin_csum_add(s, buf + b, sizeof(buf) - b);
      assert_int_equal(fin_csum_fold(s), ref_checksum(buf, sizeof(buf)));
    }
}

static void test_checksum_byte_at_a_time_chain(void **state) {
  (void)state;
  struct test_rng r;
  struct fin_random fr;
  test_rng_init(&r, 3, &fr);
  uint8_t buf[41];
  fill_random(&r, buf, sizeof(buf));
  uint32_t s = 0;
  for (size_t i = 0; i < sizeof(buf); i++)
    s = fin_csum_add(s, buf + i, 1);
  assert_int_equal(fin_csum_fold(s), ref_checksum(buf, sizeof(buf)));
}

static void test_checksum_initial_pseudo_sum_is_added(void **state) {
  (void)state;
  /* A host-order starting value behaves like two data bytes in front. */
  const uint8_t d[] = {0x12, 0x34, 0x56};
  const uint8_t with[] = {0xbe, 0xef, 0x12, 0x34, 0x56};
  assert_int_equal(fin_csum_fold(fin_csum_add(0xbeef, d, sizeof(d))),
                   ref_checksum(with, sizeof(with)));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_checksum_rfc1071_example),
      cmocka_unit_test(test_checksum_ipv4_header_vector_and_verify),
      cmocka_unit_test(test_checksum_empty_and_single_byte),
      cmocka_unit_test(test_checksum_every_length_and_alignment_matches_reference),
      cmocka_unit_test(test_checksum_all_ones_data_folds_carries),
      cmocka_unit_test(test_checksum_largest_starting_sum),
      cmocka_unit_test(test_checksum_chained_two_pieces_any_split),
      cmocka_unit_test(test_checksum_chained_three_pieces_odd_first),
      cmocka_unit_test(test_checksum_byte_at_a_time_chain),
      cmocka_unit_test(test_checksum_initial_pseudo_sum_is_added),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
