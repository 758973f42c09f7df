/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "fin_test.h"

uint64_t test_rng_next(struct test_rng *r) {
  uint64_t x = r->state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->state = x;
  return x * 0x2545F4914F6CDD1DULL;
}

static void test_rng_fill(void *ctx, void *buf, size_t len) {
  struct test_rng *r = ctx;
  uint8_t *p = buf;
  while (len > 0) {
    uint64_t v = test_rng_next(r);
    size_t n = len < sizeof(v) ? len : sizeof(v);
    memcpy(p, &v, n);
    p += n;
    len -= n;
  }
}

void test_rng_init(struct test_rng *r, uint64_t seed, struct fin_random *out) {
  r->state = seed ? seed : 0x9E3779B97F4A7C15ULL;
  out->fill = test_rng_fill;
  out->ctx = r;
}
