/* SPDX-License-Identifier: MIT */
/* The out-of-order store (src/engine/assembler.c, BEHAVIOR M15) against a
 * byte-map model that is correct by construction: 200,000 random inserts
 * and in-order pops, the ranges compared after every step. The model keeps
 * one flag per offset; when a new range would be a ninth, it forgets its
 * furthest run - unless the new range would itself be the furthest. */
#include <string.h>

#include "assembler.h"
#include "fin_test.h"

#define SPAN 4096u

struct model {
  bool held[SPAN * 2];
};

/* Runs of held offsets, in order: what the assembler's ranges must be. */
static unsigned model_runs(const struct model *m, uint32_t *start, uint32_t *end, unsigned max) {
  unsigned n = 0;
  for (uint32_t i = 0; i < SPAN * 2; i++) {
    if (!m->held[i] || (i > 0 && m->held[i - 1]))
      continue;
    uint32_t j = i;
    while (j < SPAN * 2 && m->held[j])
      j++;
    assert_true(n < max);
    start[n] = i;
    end[n] = j;
    n++;
  }
  return n;
}

static bool model_touches(const struct model *m, uint32_t s, uint32_t e) {
  for (uint32_t i = s > 0 ? s - 1 : 0; i <= e && i < SPAN * 2; i++)
    if (m->held[i])
      return true;
  return false;
}

static enum fin_asm_result model_add(struct model *m, uint32_t s, uint32_t e) {
  uint32_t rs[FIN_ASM_MAX + 1], re[FIN_ASM_MAX + 1];
  unsigned n = model_runs(m, rs, re, FIN_ASM_MAX + 1);
  enum fin_asm_result res = FIN_ASM_ADDED;
  if (!model_touches(m, s, e) && n == FIN_ASM_MAX) {
    if (s > re[n - 1])
      return FIN_ASM_REFUSED;
    memset(&m->held[rs[n - 1]], 0, re[n - 1] - rs[n - 1]);
    res = FIN_ASM_PRUNED;
  }
  bool dup = true;
  for (uint32_t i = s; i < e; i++) {
    dup = dup && m->held[i];
    m->held[i] = true;
  }
  return dup && res == FIN_ASM_ADDED ? FIN_ASM_DUPLICATE : res;
}

static uint32_t model_pop(struct model *m) {
  uint32_t n = 0;
  while (n < SPAN * 2 && m->held[n])
    n++;
  memmove(m->held, m->held + n, sizeof(m->held) - n);
  memset(m->held + sizeof(m->held) - n, 0, n);
  return n;
}

static void expect_same(const struct fin_assembler *a, const struct model *m) {
  uint32_t rs[FIN_ASM_MAX + 1], re[FIN_ASM_MAX + 1];
  unsigned n = model_runs(m, rs, re, FIN_ASM_MAX + 1);
  assert_int_equal(a->count, n);
  for (unsigned i = 0; i < n; i++) {
    assert_int_equal(a->r[i].start, rs[i]);
    assert_int_equal(a->r[i].end, re[i]);
  }
}

/* ATTACK T78 */
static void test_assembler_matches_byte_map_model(void **state) {
  (void)state;
  struct test_rng rng;
  test_rng_init(&rng, 7, &(struct fin_random){0});
  struct fin_assembler a;
  memset(&a, 0, sizeof(a));
  static struct model m;
  memset(&m, 0, sizeof(m));
  unsigned refused = 0, pruned = 0, pops = 0;
  for (int step = 0; step < 200000; step++) {
    uint64_t r = test_rng_next(&rng);
    if (r % 16 == 0) { /* an in-order segment: always taken (M15) */
      uint32_t len = 1 + (uint32_t)(r >> 8) % 300;
      enum fin_asm_result got = fin_asm_add(&a, 0, len), want = model_add(&m, 0, len);
      assert_int_equal(got, want);
      assert_true(got != FIN_ASM_REFUSED);
      assert_int_equal(fin_asm_pop_front(&a), model_pop(&m));
      pops++;
    } else {
      uint32_t s = 1 + (uint32_t)(r >> 8) % SPAN, len = 1 + (uint32_t)(r >> 24) % 200;
      enum fin_asm_result got = fin_asm_add(&a, s, s + len), want = model_add(&m, s, s + len);
      assert_int_equal(got, want);
      refused += got == FIN_ASM_REFUSED;
      pruned += got == FIN_ASM_PRUNED;
    }
    expect_same(&a, &m);
  }
  /* Every path was taken. */
  assert_true(refused > 100 && pruned > 100 && pops > 1000);
}

/* RFC 2018 §4: ranges in the order they last grew, newest first. */
static void test_assembler_recent_order(void **state) {
  (void)state;
  struct fin_assembler a;
  memset(&a, 0, sizeof(a));
  fin_asm_add(&a, 100, 200);
  fin_asm_add(&a, 300, 400);
  fin_asm_add(&a, 500, 600);
  fin_asm_add(&a, 150, 250); /* the first grows */
  unsigned idx[FIN_ASM_MAX];
  assert_int_equal(fin_asm_recent(&a, idx, 3), 3);
  assert_int_equal(a.r[idx[0]].start, 100);
  assert_int_equal(a.r[idx[1]].start, 500);
  assert_int_equal(a.r[idx[2]].start, 300);
  assert_int_equal(fin_asm_recent(&a, idx, 2), 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_assembler_matches_byte_map_model),
      cmocka_unit_test(test_assembler_recent_order),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
