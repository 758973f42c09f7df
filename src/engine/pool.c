/* SPDX-License-Identifier: MIT */
#include "pool.h"

#include "internal.h"

uint32_t fin_pool_chunk_size(uint32_t mtu) {
  uint32_t c = 2048;
  while (c < mtu)
    c <<= 1;
  return c;
}

static uint8_t *pop(struct fin_chunk_pool *p) {
  uint8_t *c = p->free;
  memcpy(&p->free, c, sizeof(p->free));
  p->free_count--;
  return c;
}

uint8_t *fin_chunk_get(struct fin_stack *st) {
  struct fin_chunk_pool *p = &st->pool;
  if (!fin_conn_make_room(st, p->chunk, NULL))
    return NULL;
  uint8_t *c = p->free != NULL ? pop(p) : fin_mem_alloc(st, p->chunk);
  if (c == NULL)
    return NULL;
  p->in_use++;
  st->buf_mem += p->chunk;
  return c;
}


/* The free list never grows past max(FIN_POOL_KEEP_MIN, chunks in use):
 * each put beyond that frees this chunk and one more, so after a burst
 * the list shrinks as fast as the rings empty. */
void fin_chunk_put(struct fin_stack *st, uint8_t *c) {
  struct fin_chunk_pool *p = &st->pool;
  p->in_use--;
  st->buf_mem -= p->chunk;
  uint32_t keep = p->in_use > FIN_POOL_KEEP_MIN ? p->in_use : FIN_POOL_KEEP_MIN;
  if (p->free_count < keep) {
    memcpy(c, &p->free, sizeof(p->free));
    p->free = c;
    p->free_count++;
    return;
  }
  fin_mem_free(st, c, p->chunk);
  if (p->free_count > keep)
    fin_mem_free(st, pop(p), p->chunk);
}

void fin_pool_drain(struct fin_stack *st) {
  struct fin_chunk_pool *p = &st->pool;
  while (p->free != NULL)
    fin_mem_free(st, pop(p), p->chunk);
}
