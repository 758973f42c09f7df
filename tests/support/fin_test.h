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

/* A stack with the default settings on a fresh counting allocator and a
 * random source seeded with seed (unit tests of one engine part). */
struct fin_stack *test_stack_default(struct test_alloc *ta, uint64_t seed);

/* Asserts two addresses (struct fin_addr values) are equal, printing both
 * as text when they are not; assert_addr_v4 compares with an IPv4 address
 * given in host byte order. */
static inline void fin_test_addr_equal(struct fin_addr x, struct fin_addr y, const char *file,
                                       int line) {
  char tx[FIN_ADDR_STRLEN], ty[FIN_ADDR_STRLEN];
  fin_addr_format(&x, false, tx, sizeof(tx));
  fin_addr_format(&y, false, ty, sizeof(ty));
  _assert_string_equal(tx, ty, file, line);
}
#define assert_addr_equal(x, y) fin_test_addr_equal((x), (y), __FILE__, __LINE__)
#define assert_addr_v4(x, v4)   fin_test_addr_equal((x), fin_addr_v4(v4), __FILE__, __LINE__)

/* Asserts that every allocation was freed. */
#define assert_no_leaks(ta)                                                                        \
  do {                                                                                             \
    assert_int_equal((ta)->live_bytes, 0);                                                         \
    assert_int_equal((ta)->live_blocks, 0);                                                        \
  } while (0)

#endif
