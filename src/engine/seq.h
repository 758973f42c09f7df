/* SPDX-License-Identifier: MIT */
/* Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4; BEHAVIOR K4).
 * Comparisons use the signed 32-bit difference, correct across the wrap for
 * values less than 2^31 apart. */
#ifndef FIN_ENGINE_SEQ_H
#define FIN_ENGINE_SEQ_H

#include <stdbool.h>
#include <stdint.h>

static inline int32_t seq_diff(uint32_t a, uint32_t b) {
  return (int32_t)(a - b);
}
static inline bool seq_lt(uint32_t a, uint32_t b) {
  return seq_diff(a, b) < 0;
}
static inline bool seq_leq(uint32_t a, uint32_t b) {
  return seq_diff(a, b) <= 0;
}
static inline bool seq_gt(uint32_t a, uint32_t b) {
  return seq_diff(a, b) > 0;
}
static inline bool seq_geq(uint32_t a, uint32_t b) {
  return seq_diff(a, b) >= 0;
}
/* lo <= x < hi */
static inline bool seq_in(uint32_t x, uint32_t lo, uint32_t hi) {
  return seq_geq(x, lo) && seq_lt(x, hi);
}
static inline uint32_t seq_max(uint32_t a, uint32_t b) {
  return seq_gt(a, b) ? a : b;
}
static inline uint32_t seq_min(uint32_t a, uint32_t b) {
  return seq_lt(a, b) ? a : b;
}

#endif
