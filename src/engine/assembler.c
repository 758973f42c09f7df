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

bool fin_asm_add(struct fin_assembler *a, uint32_t start, uint32_t end) {
  if (start >= end)
    return true;
  unsigned i = 0;
  while (i < a->count && a->r[i].end < start)
    i++;
  if (i < a->count && a->r[i].start <= end) {
    /* Overlaps or touches range i: widen it. */
    if (start < a->r[i].start)
      a->r[i].start = start;
    if (end > a->r[i].end)
      a->r[i].end = end;
    coalesce(a, i);
    return true;
  }
  if (a->count == FIN_ASM_MAX)
    return false;
  memmove(&a->r[i + 1], &a->r[i], (a->count - i) * sizeof(a->r[0]));
  a->r[i].start = start;
  a->r[i].end = end;
  a->count++;
  return true;
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
