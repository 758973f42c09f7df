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

static struct fin_map_class *map_class(struct fin_chunk_pool *p, uint32_t len, bool claim) {
  for (uint32_t i = 0; i < FIN_POOL_MAP_CLASSES; i++)
    if (p->maps[i].len == len)
      return &p->maps[i];
  for (uint32_t i = 0; claim && i < FIN_POOL_MAP_CLASSES; i++)
    if (p->maps[i].count == 0) {
      p->maps[i].len = len;
      return &p->maps[i];
    }
  return NULL;
}

uint8_t **fin_map_get(struct fin_stack *st, uint32_t len) {
  size_t bytes = (size_t)len * sizeof(uint8_t *);
  struct fin_map_class *k = map_class(&st->pool, len, false);
  uint8_t **m;
  if (k != NULL && k->free != NULL) {
    m = k->free;
    memcpy(&k->free, m, sizeof(k->free));
    k->count--;
  } else if ((m = fin_mem_alloc(st, bytes)) == NULL) {
    return NULL;
  }
  memset(m, 0, bytes);
  return m;
}

void fin_map_put(struct fin_stack *st, uint8_t **m, uint32_t len) {
  struct fin_map_class *k = map_class(&st->pool, len, true);
  if (k == NULL || k->count >= FIN_POOL_KEEP_MIN) {
    fin_mem_free(st, m, (size_t)len * sizeof(uint8_t *));
    return;
  }
  memcpy(m, &k->free, sizeof(k->free));
  k->free = m;
  k->count++;
}

void *fin_block_get(struct fin_stack *st) {
  struct fin_chunk_pool *p = &st->pool;
  void *b = p->blocks;
  if (b != NULL) {
    memcpy(&p->blocks, b, sizeof(p->blocks));
    p->block_count--;
  } else if ((b = fin_mem_alloc(st, FIN_POOL_BLOCK)) == NULL) {
    return NULL;
  }
  memset(b, 0, FIN_POOL_BLOCK);
  return b;
}

void fin_block_put(struct fin_stack *st, void *b) {
  struct fin_chunk_pool *p = &st->pool;
  if (p->block_count >= FIN_POOL_KEEP_MIN) {
    fin_mem_free(st, b, FIN_POOL_BLOCK);
    return;
  }
  memcpy(b, &p->blocks, sizeof(p->blocks));
  p->blocks = b;
  p->block_count++;
}

void fin_pool_drain(struct fin_stack *st) {
  struct fin_chunk_pool *p = &st->pool;
  while (p->blocks != NULL) {
    void *b = p->blocks;
    memcpy(&p->blocks, b, sizeof(p->blocks));
    fin_mem_free(st, b, FIN_POOL_BLOCK);
  }
  p->block_count = 0;
  while (p->free != NULL)
    fin_mem_free(st, pop(p), p->chunk);
  for (uint32_t i = 0; i < FIN_POOL_MAP_CLASSES; i++) {
    struct fin_map_class *k = &p->maps[i];
    while (k->free != NULL) {
      void *m = k->free;
      memcpy(&k->free, m, sizeof(k->free));
      fin_mem_free(st, m, (size_t)k->len * sizeof(uint8_t *));
    }
    k->count = 0;
  }
}
