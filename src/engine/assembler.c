/* SPDX-License-Identifier: MIT */
#include "assembler.h"

#include <string.h>

static void remove_at(struct fin_assembler *a, unsigned i) {
  memmove(&a->r[i], &a->r[i + 1], (a->count - i - 1) * sizeof(a->r[0]));
  a->count--;
}

/* Merges range i with its successors while they overlap or touch. */
static void coalesce(struct fin_assembler *a, unsigned i) {
  while (i + 1 < a->count && a->r[i + 1].start <= a->r[i].end) {
    if (a->r[i + 1].end > a->r[i].end)
      a->r[i].end = a->r[i + 1].end;
    remove_at(a, i + 1);
  }
}

/* Overlaps or touches range i: widen it. */
static enum fin_asm_result widen(struct fin_assembler *a, unsigned i, uint32_t start,
                                 uint32_t end) {
  bool dup = start >= a->r[i].start && end <= a->r[i].end;
  if (start < a->r[i].start)
    a->r[i].start = start;
  if (end > a->r[i].end)
    a->r[i].end = end;
  coalesce(a, i);
  a->r[i].stamp = ++a->clock;
  return dup ? FIN_ASM_DUPLICATE : FIN_ASM_ADDED;
}

enum fin_asm_result fin_asm_add(struct fin_assembler *a, uint32_t start, uint32_t end) {
  if (start >= end)
    return FIN_ASM_ADDED;
  unsigned i = 0;
  while (i < a->count && a->r[i].end < start)
    i++;
  if (i < a->count && a->r[i].start <= end)
    return widen(a, i, start, end);
  enum fin_asm_result res = FIN_ASM_ADDED;
  if (a->count == FIN_ASM_MAX) {
    if (i == a->count)
      return FIN_ASM_REFUSED;
    a->count--; /* forget the furthest range (M15) */
    res = FIN_ASM_PRUNED;
  }
  memmove(&a->r[i + 1], &a->r[i], (a->count - i) * sizeof(a->r[0]));
  a->r[i].start = start;
  a->r[i].end = end;
  a->r[i].stamp = ++a->clock;
  a->count++;
  return res;
}

bool fin_asm_first_overlap(const struct fin_assembler *a, uint32_t start, uint32_t end,
                           uint32_t *os, uint32_t *oe) {
  for (unsigned i = 0; i < a->count && a->r[i].start < end; i++)
    if (a->r[i].end > start) {
      *os = a->r[i].start > start ? a->r[i].start : start;
      *oe = a->r[i].end < end ? a->r[i].end : end;
      return true;
    }
  return false;
}

void fin_asm_shift(struct fin_assembler *a, uint32_t n) {
  unsigned i = 0;
  while (i < a->count) {
    if (a->r[i].end <= n) {
      remove_at(a, i);
      continue;
    }
    a->r[i].start = a->r[i].start > n ? a->r[i].start - n : 0;
    a->r[i].end -= n;
    i++;
  }
}

uint32_t fin_asm_pop_front(struct fin_assembler *a) {
  if (a->count == 0 || a->r[0].start != 0)
    return 0;
  uint32_t n = a->r[0].end;
  remove_at(a, 0);
  fin_asm_shift(a, n);
  return n;
}

unsigned fin_asm_recent(const struct fin_assembler *a, unsigned *idx, unsigned max) {
  unsigned n = 0;
  uint32_t below = UINT32_MAX; /* stamps are distinct: take them in descending order */
  while (n < max && n < a->count) {
    unsigned best = FIN_ASM_MAX;
    for (unsigned i = 0; i < a->count; i++)
      if (a->r[i].stamp < below && (best == FIN_ASM_MAX || a->r[i].stamp > a->r[best].stamp))
        best = i;
    if (best == FIN_ASM_MAX)
      break; /* only after 2^32 stamps on one connection: order is advisory */
    idx[n++] = best;
    below = a->r[best].stamp;
  }
  return n;
}
