/* SPDX-License-Identifier: MIT */
/* Byte ring for the send and receive buffers. Fixed capacity chosen at
 * allocation; no allocation on the data path. Offsets are logical, counted
 * from the oldest byte. */
#ifndef FIN_ENGINE_RING_H
#define FIN_ENGINE_RING_H

#include <stddef.h>
#include <stdint.h>

struct fin_ring {
  uint8_t *buf;
  uint32_t cap;
  uint32_t head; /* physical index of logical offset 0 */
  uint32_t len;  /* bytes held (contiguous from offset 0) */
};

static inline uint32_t fin_ring_free(const struct fin_ring *r) {
  return r->cap - r->len;
}

/* Appends up to n bytes; returns how many fit. */
uint32_t fin_ring_write(struct fin_ring *r, const void *data, uint32_t n);
/* Copies n bytes at logical offset off (off + n <= cap) without changing len:
 * out-of-order data lands in place and is committed when the hole fills. */
void fin_ring_write_at(struct fin_ring *r, uint32_t off, const void *data, uint32_t n);
/* Makes n more bytes (already written with write_at) part of len. */
void fin_ring_commit(struct fin_ring *r, uint32_t n);
/* Copies up to n bytes from offset 0 into out, consuming them unless peek. */
uint32_t fin_ring_read(struct fin_ring *r, void *out, uint32_t n, int peek);
/* Drops n bytes from offset 0. */
void fin_ring_consume(struct fin_ring *r, uint32_t n);
/* The n bytes at offset off as at most two contiguous pieces. */
void fin_ring_peek(const struct fin_ring *r, uint32_t off, uint32_t n, const uint8_t **p1,
                   uint32_t *l1, const uint8_t **p2, uint32_t *l2);

#endif
