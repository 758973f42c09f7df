/* SPDX-License-Identifier: MIT */
/* Test support shared by every test layer: a counting allocator (every test
 * ends with a leak check), a deterministic random source, and a stack
 * fixture. Use with cmocka. */
#ifndef FIN_TEST_H
#define FIN_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fin/fin.h"

/* Counting allocator: tracks live bytes and blocks; can fail the Nth
 * allocation (fail_at = N, 1-based; 0 = never) or every allocation after
 * fail_after successful ones (0 = never). */
struct test_alloc {
  size_t live_bytes;
  size_t live_blocks;
  size_t total_allocs;
  size_t fail_at;
  size_t failures;
};
void test_alloc_init(struct test_alloc *ta, struct fin_allocator *out);

/* Deterministic random source (xorshift64*), seeded. */
struct test_rng {
  uint64_t state;
};
void test_rng_init(struct test_rng *r, uint64_t seed, struct fin_random *out);
uint64_t test_rng_next(struct test_rng *r);

/* Asserts that every allocation was freed. */
#define assert_no_leaks(ta)                                                                        \
  do {                                                                                             \
    assert_int_equal((ta)->live_bytes, 0);                                                         \
    assert_int_equal((ta)->live_blocks, 0);                                                        \
  } while (0)

#endif
