/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "fin_test.h"

static void *test_alloc_alloc(void *ctx, size_t size) {
  struct test_alloc *ta = ctx;
  ta->total_allocs++;
  if (ta->fail_at != 0 && ta->total_allocs == ta->fail_at) {
    ta->failures++;
    return NULL;
  }
  void *p = malloc(size ? size : 1);
  if (p == NULL)
    return NULL;
  /* Poison fresh memory so code that relies on zeroed memory fails. */
  memset(p, 0xa5, size);
  ta->live_bytes += size;
  ta->live_blocks++;
  return p;
}

static void test_alloc_free(void *ctx, void *ptr, size_t size) {
  struct test_alloc *ta = ctx;
  if (ptr == NULL)
    return;
  ta->live_bytes -= size;
  ta->live_blocks--;
  free(ptr);
}

void test_alloc_init(struct test_alloc *ta, struct fin_allocator *out) {
  memset(ta, 0, sizeof(*ta));
  out->alloc = test_alloc_alloc;
  out->release = test_alloc_free;
  out->ctx = ta;
}

struct fin_stack *test_stack_default(struct test_alloc *ta, uint64_t seed) {
  struct fin_settings s;
  fin_settings_default(&s);
  struct fin_allocator a;
  struct fin_random r;
  struct test_rng rng;
  test_alloc_init(ta, &a);
  test_rng_init(&rng, seed, &r);
  struct fin_stack *st;
  assert_int_equal(fin_stack_new(&st, &s, &a, &r, 0), 0);
  return st;
}
