/* SPDX-License-Identifier: MIT */
#include "ring.h"

#include <string.h>

static uint32_t phys(const struct fin_ring *r, uint32_t off) {
  uint32_t i = r->head + off;
  return i >= r->cap ? i - r->cap : i;
}

void fin_ring_write_at(struct fin_ring *r, uint32_t off, const void *data, uint32_t n) {
  const uint8_t *src = data;
  uint32_t start = phys(r, off);
  uint32_t first = r->cap - start < n ? r->cap - start : n;
  memcpy(r->buf + start, src, first);
  memcpy(r->buf, src + first, n - first);
}

void fin_ring_commit(struct fin_ring *r, uint32_t n) {
  r->len += n;
}

uint32_t fin_ring_write(struct fin_ring *r, const void *data, uint32_t n) {
  uint32_t room = fin_ring_free(r);
  if (n > room)
    n = room;
  if (n == 0)
    return 0;
  fin_ring_write_at(r, r->len, data, n);
  r->len += n;
  return n;
}

void fin_ring_peek(const struct fin_ring *r, uint32_t off, uint32_t n, const uint8_t **p1,
                   uint32_t *l1, const uint8_t **p2, uint32_t *l2) {
  uint32_t start = phys(r, off);
  uint32_t first = r->cap - start < n ? r->cap - start : n;
  *p1 = r->buf + start;
  *l1 = first;
  *p2 = r->buf;
  *l2 = n - first;
}

void fin_ring_consume(struct fin_ring *r, uint32_t n) {
  if (n > r->len)
    n = r->len;
  r->head = phys(r, n);
  r->len -= n;
  /* head must not jump back to 0 when len reaches 0: out-of-order bytes held
   * beyond len (fin_ring_write_at) are addressed from head. */
}

uint32_t fin_ring_read(struct fin_ring *r, void *out, uint32_t n, int peek) {
  if (n > r->len)
    n = r->len;
  const uint8_t *p1, *p2;
  uint32_t l1, l2;
  fin_ring_peek(r, 0, n, &p1, &l1, &p2, &l2);
  memcpy(out, p1, l1);
  memcpy((uint8_t *)out + l1, p2, l2);
  if (!peek)
    fin_ring_consume(r, n);
  return n;
}
