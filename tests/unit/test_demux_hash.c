/* SPDX-License-Identifier: MIT */
/* The demux hash (src/engine/demux_hash.h): keyed, spreads the 4-tuples a
 * busy server sees (one server address and port, clients varying in port
 * or address) evenly over buckets for either family, and looks at every
 * byte of an IPv6 address. */
#include <string.h>

#include "fin_test.h"
#include "demux_hash.h"

static struct fin_nh_key key_from(uint64_t seed) {
  struct fin_nh_key k;
  struct test_rng r;
  struct fin_random unused;
  test_rng_init(&r, seed, &unused);
  for (int i = 0; i < 10; i++)
    k.k[i] = (uint32_t)test_rng_next(&r);
  return k;
}

static struct fin_4tuple client(bool v6, uint32_t n) {
  struct fin_4tuple t;
  if (v6) {
    uint8_t l[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    uint8_t r[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    r[13] = (uint8_t)(n >> 16); /* vary the client's address too */
    t.local_addr = fin_addr_v6(l);
    t.remote_addr = fin_addr_v6(r);
  } else {
    t.local_addr = fin_addr_v4(0x0a000001u);
    t.remote_addr = fin_addr_v4(0x0a000002u + (n >> 16));
  }
  t.local_port = 80;
  t.remote_port = (uint16_t)n;
  return t;
}

/* 65,536 client tuples into 4,096 buckets: a chi-square statistic far
 * below what clustering gives (expected ~4,095 for uniform; a hash that
 * kept only a few bits of the port would be in the hundreds of thousands). */
static void check_spread(bool v6) {
  static uint32_t bucket[4096];
  memset(bucket, 0, sizeof(bucket));
  struct fin_nh_key k = key_from(7);
  const uint32_t n = 65536;
  for (uint32_t i = 0; i < n; i++) {
    struct fin_4tuple t = client(v6, i * 7919u);
    bucket[fin_nh_tuple(&k, &t) & 4095]++;
  }
  double expect = (double)n / 4096, chi = 0;
  for (int b = 0; b < 4096; b++)
    chi += ((double)bucket[b] - expect) * ((double)bucket[b] - expect) / expect;
  assert_true(chi < 4096 * 1.3);
}

static void test_demux_hash_spreads_ipv4(void **state) {
  (void)state;
  check_spread(false);
}

static void test_demux_hash_spreads_ipv6(void **state) {
  (void)state;
  check_spread(true);
}

/* Keyed: another key sends the same tuples to other buckets. */
static void test_demux_hash_depends_on_the_key(void **state) {
  (void)state;
  struct fin_nh_key a = key_from(1), b = key_from(2);
  int same = 0;
  for (uint32_t i = 0; i < 1000; i++) {
    struct fin_4tuple t = client(false, i);
    same += (fin_nh_tuple(&a, &t) & 1023) == (fin_nh_tuple(&b, &t) & 1023);
  }
  assert_true(same < 20); /* ~1 expected */
}

/* Every byte of an IPv6 address counts: tuples that differ only in one
 * byte of the upper 96 bits hash apart. */
static void test_demux_hash_uses_whole_ipv6_address(void **state) {
  (void)state;
  struct fin_nh_key k = key_from(3);
  struct fin_4tuple base = client(true, 1);
  uint32_t h0 = fin_nh_tuple(&k, &base);
  for (int byte = 0; byte < 12; byte++) {
    struct fin_4tuple t = base;
    t.remote_addr.b[byte] ^= 0x40;
    assert_int_not_equal(fin_nh_tuple(&k, &t), h0);
    t = base;
    t.local_addr.b[byte] ^= 0x01;
    assert_int_not_equal(fin_nh_tuple(&k, &t), h0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_demux_hash_spreads_ipv4),
      cmocka_unit_test(test_demux_hash_spreads_ipv6),
      cmocka_unit_test(test_demux_hash_depends_on_the_key),
      cmocka_unit_test(test_demux_hash_uses_whole_ipv6_address),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
