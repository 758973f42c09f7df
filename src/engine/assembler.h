/* SPDX-License-Identifier: MIT */
/* Out-of-order reassembly bookkeeping: which byte ranges beyond RCV.NXT are
 * already in the receive ring. Bounded (FIN_ASM_MAX ranges), no allocation:
 * the data itself sits in the ring at its final place. Each range remembers
 * when it last grew, for SACK blocks in the order RFC 2018 §4 wants. */
#ifndef FIN_ENGINE_ASSEMBLER_H
#define FIN_ENGINE_ASSEMBLER_H

#include <stdbool.h>
#include <stdint.h>

#define FIN_ASM_MAX 8

struct fin_assembler {
  uint8_t count;
  uint32_t clock; /* stamps ranges as they grow: higher is more recent */
  struct {
    uint32_t start, end; /* offsets from RCV.NXT, end exclusive */
    uint32_t stamp;
  } r[FIN_ASM_MAX];
};

enum fin_asm_result {
  FIN_ASM_ADDED,     /* recorded (new bytes, joined or not) */
  FIN_ASM_DUPLICATE, /* every byte was already held */
  FIN_ASM_PRUNED,    /* recorded by forgetting the range furthest from RCV.NXT */
  FIN_ASM_REFUSED,   /* the store is full and this range would be the furthest */
};

/* Records [start, end). BEHAVIOR M15: a full store makes room by
 * forgetting its furthest range, so a range nearer RCV.NXT - above all the
 * in-order one, start 0 - is always recorded; only a range that would itself
 * be the furthest is refused. */
enum fin_asm_result fin_asm_add(struct fin_assembler *a, uint32_t start, uint32_t end);
/* The lowest held bytes within [start, end): true and *os, *oe, or false
 * when none of them is held (RFC 2883 §4: what a D-SACK reports). */
bool fin_asm_first_overlap(const struct fin_assembler *a, uint32_t start, uint32_t end,
                           uint32_t *os, uint32_t *oe);
/* If a range starts at offset 0, removes it and returns its length (bytes now
 * contiguous); shifts the remaining ranges down by that amount. */
uint32_t fin_asm_pop_front(struct fin_assembler *a);
/* Shifts every range down by n (RCV.NXT advanced by n in-order bytes),
 * dropping what falls below zero. */
void fin_asm_shift(struct fin_assembler *a, uint32_t n);
/* Indices of up to max ranges, most recently grown first (RFC 2018 §4). */
unsigned fin_asm_recent(const struct fin_assembler *a, unsigned *idx, unsigned max);
static inline bool fin_asm_empty(const struct fin_assembler *a) {
  return a->count == 0;
}

#endif
