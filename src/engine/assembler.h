/* Out-of-order reassembly bookkeeping: which byte ranges beyond RCV.NXT are
 * already in the receive ring. Bounded (FIN_ASM_MAX holes' worth of ranges),
 * no allocation: the data itself sits in the ring at its final place. */
#ifndef FIN_ENGINE_ASSEMBLER_H
#define FIN_ENGINE_ASSEMBLER_H

#include <stdbool.h>
#include <stdint.h>

#define FIN_ASM_MAX 8

struct fin_assembler {
  uint8_t count;
  struct {
    uint32_t start, end; /* offsets from RCV.NXT, end exclusive */
  } r[FIN_ASM_MAX];
};

/* Records [start, end). Returns false (nothing recorded) when it would need
 * more than FIN_ASM_MAX ranges. */
bool fin_asm_add(struct fin_assembler *a, uint32_t start, uint32_t end);
/* If a range starts at offset 0, removes it and returns its length (bytes now
 * contiguous); shifts the remaining ranges down by that amount. */
uint32_t fin_asm_pop_front(struct fin_assembler *a);
/* Shifts every range down by n (RCV.NXT advanced by n in-order bytes),
 * dropping what falls below zero. */
void fin_asm_shift(struct fin_assembler *a, uint32_t n);
static inline bool fin_asm_empty(const struct fin_assembler *a) {
  return a->count == 0;
}

#endif
