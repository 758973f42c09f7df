/* SPDX-License-Identifier: MIT */
/* SipHash-2-4 (src/engine/siphash.c) against the reference vectors of
 * Aumasson and Bernstein (key 00..0f, message 00..len-1): the ISNs, SYN
 * cookies and timestamp offsets rest on it being exactly SipHash, whatever
 * the length's remainder modulo 8. */
#include "fin_test.h"
#include "siphash.h"

static const struct fin_siphash_key ref_key = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};

static uint64_t ref_msg(size_t len) {
  uint8_t m[64];
  for (size_t i = 0; i < sizeof(m); i++)
    m[i] = (uint8_t)i;
  return fin_siphash(&ref_key, m, len);
}

static void test_siphash_reference_vectors(void **state) {
  (void)state;
  assert_true(ref_msg(0) == 0x726fdb47dd0e0e31ull);  /* vectors_sip64[0] */
  assert_true(ref_msg(8) == 0x93f5f5799a932462ull);  /* [8]: one whole word */
  assert_true(ref_msg(15) == 0xa129ca6149be45e5ull); /* the paper's Appendix A example */
}

/* Every byte of a tail counts, in its place. */
static void test_siphash_tail_bytes_all_matter(void **state) {
  (void)state;
  uint8_t m[23];
  for (size_t i = 0; i < sizeof(m); i++)
    m[i] = (uint8_t)(i * 37 + 1);
  for (size_t len = 1; len <= sizeof(m); len++) {
    uint64_t h = fin_siphash(&ref_key, m, len);
    for (size_t i = 0; i < len; i++) {
      m[i] ^= 0x80;
      assert_true(fin_siphash(&ref_key, m, len) != h);
      m[i] ^= 0x80;
    }
    assert_true(fin_siphash(&ref_key, m, len) == h);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_siphash_reference_vectors),
      cmocka_unit_test(test_siphash_tail_bytes_all_matter),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
