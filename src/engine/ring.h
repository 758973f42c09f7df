/* SPDX-License-Identifier: MIT */
/* Byte ring for the send and receive buffers, held in pool chunks
 * (pool.h): the ring's capacity is the buffer size, but only the chunks
 * that hold bytes exist - taken when data is written, given back when it
 * is consumed. Offsets are logical, counted from the oldest byte; out-of-
 * order data is written at its final offset and committed when the hole
 * fills, so no segment is ever copied twice. */
#ifndef FIN_ENGINE_RING_H
#define FIN_ENGINE_RING_H

#include <stddef.h>
#include <stdint.h>

struct fin_stack;

struct fin_ring {
  uint8_t **map; /* one pointer per chunk of the span, NULL where no byte is held */
  uint32_t cap;  /* bytes the ring may hold (the buffer size) */
  uint32_t head; /* physical offset of logical 0 in the span (chunks x chunk size) */
  uint32_t len;  /* bytes held from offset 0 */
  uint32_t hi;   /* bytes written from offset 0 on, in order or not (len <= hi <= cap) */
};

static inline uint32_t fin_ring_free(const struct fin_ring *r) {
  return r->cap - r->len;
}

/* Sets up an empty ring of cap bytes (its chunk map only); -ENOMEM. */
int fin_ring_init(struct fin_stack *st, struct fin_ring *r, uint32_t cap);
/* Gives back every chunk and the map; the ring is empty and unallocated. */
void fin_ring_release(struct fin_stack *st, struct fin_ring *r);
/* Appends up to n bytes; returns how many were taken (fewer when the ring
 * is full or no chunk can be had). */
uint32_t fin_ring_write(struct fin_stack *st, struct fin_ring *r, const void *data, uint32_t n);
/* Copies n bytes at logical offset off (off + n <= cap) without changing
 * len; -ENOBUFS (nothing written) when a chunk cannot be had. */
int fin_ring_write_at(struct fin_stack *st, struct fin_ring *r, uint32_t off, const void *data,
                      uint32_t n);
/* Makes n more bytes (already written with write_at) part of len. */
void fin_ring_commit(struct fin_ring *r, uint32_t n);
/* Copies up to n bytes from offset 0 into out, consuming them unless peek. */
uint32_t fin_ring_read(struct fin_stack *st, struct fin_ring *r, void *out, uint32_t n, int peek);
/* Drops n bytes from offset 0; chunks no byte lives in any more go back,
 * and once the ring is empty its map too (map NULL, cap kept: the next
 * fin_ring_init of the same cap takes one again). */
void fin_ring_consume(struct fin_stack *st, struct fin_ring *r, uint32_t n);
/* Copies the n bytes at offset off (off + n <= len, any number of chunks)
 * into out, without consuming them. */
void fin_ring_copy(const struct fin_stack *st, const struct fin_ring *r, uint32_t off, uint32_t n,
                   uint8_t *out);
/* The n bytes at offset off (n at most one chunk) as at most two pieces. */
void fin_ring_peek(const struct fin_stack *st, const struct fin_ring *r, uint32_t off, uint32_t n,
                   const uint8_t **p1, uint32_t *l1, const uint8_t **p2, uint32_t *l2);

#endif
