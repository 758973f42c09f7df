/* SPDX-License-Identifier: MIT */
/* The client's Fast Open cookie cache (RFC 7413 §4.1.3, BEHAVIOR T7): "at
 * most one (most recently received) cookie per client and server IP
 * address pair", with the server's MSS, or the negative response that
 * turns TFO off towards it (§4.1.3.1). A chained hash over an array of
 * entries, bounded by settings.fastopen_cache_max with the least recently
 * used entry out first. Memory is given back: entries unused for
 * fastopen_cache_ttl leave, the table halves when three quarters of it are
 * unused, and goes back to the allocator entirely with its last entry or
 * when client TFO is turned off. */
#include "internal.h"

#define CACHE_MIN 8u

static uint32_t hash_of(const struct fin_stack *st, const struct fin_addr *l,
                        const struct fin_addr *r) {
  uint8_t k[32];
  memcpy(k, l->b, 16);
  memcpy(k + 16, r->b, 16);
  return (uint32_t)fin_siphash(&st->hash_key, k, sizeof(k));
}

struct fin_tfo_entry *fin_tfo_cache_find(const struct fin_stack *st, const struct fin_addr *local,
                                         const struct fin_addr *remote) {
  const struct fin_tfo *t = &st->tfo;
  if (t->ent == NULL)
    return NULL;
  uint32_t i = t->buckets[hash_of(st, local, remote) & (t->cap - 1)];
  for (; i != FIN_NONE_IDX; i = t->ent[i].hash_next)
    if (fin_addr_eq(&t->ent[i].local, local) && fin_addr_eq(&t->ent[i].remote, remote))
      return &t->ent[i];
  return NULL;
}

static void lru_unlink(struct fin_tfo *t, uint32_t i) {
  struct fin_tfo_entry *e = &t->ent[i];
  if (e->lru_prev != FIN_NONE_IDX)
    t->ent[e->lru_prev].lru_next = e->lru_next;
  else
    t->lru_head = e->lru_next;
  if (e->lru_next != FIN_NONE_IDX)
    t->ent[e->lru_next].lru_prev = e->lru_prev;
  else
    t->lru_tail = e->lru_prev;
}

static void lru_push(struct fin_tfo *t, uint32_t i) {
  struct fin_tfo_entry *e = &t->ent[i];
  e->lru_prev = FIN_NONE_IDX;
  e->lru_next = t->lru_head;
  if (t->lru_head != FIN_NONE_IDX)
    t->ent[t->lru_head].lru_prev = i;
  else
    t->lru_tail = i;
  t->lru_head = i;
}

static uint32_t *bucket_of(struct fin_stack *st, const struct fin_tfo_entry *e) {
  return &st->tfo.buckets[hash_of(st, &e->local, &e->remote) & (st->tfo.cap - 1)];
}

static void hash_link(struct fin_stack *st, uint32_t i) {
  uint32_t *b = bucket_of(st, &st->tfo.ent[i]);
  st->tfo.ent[i].hash_next = *b;
  *b = i;
}

static void hash_unlink(struct fin_stack *st, uint32_t i) {
  uint32_t *p = bucket_of(st, &st->tfo.ent[i]);
  while (*p != i)
    p = &st->tfo.ent[*p].hash_next;
  *p = st->tfo.ent[i].hash_next;
}

void fin_tfo_cache_clear(struct fin_stack *st) {
  struct fin_tfo *t = &st->tfo;
  fin_mem_free(st, t->ent, (size_t)t->cap * sizeof(*t->ent));
  fin_mem_free(st, t->buckets, (size_t)t->cap * sizeof(*t->buckets));
  t->ent = NULL;
  t->buckets = NULL;
  t->cap = t->count = 0;
  t->free_head = t->lru_head = t->lru_tail = FIN_NONE_IDX;
}

/* A table of cap entries holding the current ones, in the same LRU order. */
static bool resize(struct fin_stack *st, uint32_t cap) {
  struct fin_tfo *t = &st->tfo, old = *t;
  struct fin_tfo_entry *ent = fin_mem_alloc(st, (size_t)cap * sizeof(*ent));
  uint32_t *buckets = fin_mem_alloc(st, (size_t)cap * sizeof(*buckets));
  if (ent == NULL || buckets == NULL) {
    fin_mem_free(st, ent, (size_t)cap * sizeof(*ent));
    fin_mem_free(st, buckets, (size_t)cap * sizeof(*buckets));
    return false;
  }
  t->ent = ent;
  t->buckets = buckets;
  t->cap = cap;
  t->count = 0;
  t->lru_head = t->lru_tail = FIN_NONE_IDX;
  for (uint32_t b = 0; b < cap; b++)
    buckets[b] = FIN_NONE_IDX;
  /* Oldest first, so that the most recently used ends at the head. */
  for (uint32_t i = old.ent != NULL ? old.lru_tail : FIN_NONE_IDX; i != FIN_NONE_IDX;
       i = old.ent[i].lru_prev) {
    uint32_t n = t->count++;
    ent[n] = old.ent[i];
    hash_link(st, n);
    lru_push(t, n);
  }
  for (uint32_t i = t->count; i < cap; i++)
    ent[i].hash_next = i + 1 < cap ? i + 1 : FIN_NONE_IDX;
  t->free_head = t->count < cap ? t->count : FIN_NONE_IDX;
  fin_mem_free(st, old.ent, (size_t)old.cap * sizeof(*old.ent));
  fin_mem_free(st, old.buckets, (size_t)old.cap * sizeof(*old.buckets));
  return true;
}

static void remove_entry(struct fin_stack *st, uint32_t i) {
  struct fin_tfo *t = &st->tfo;
  hash_unlink(st, i);
  lru_unlink(t, i);
  t->ent[i].hash_next = t->free_head;
  t->free_head = i;
  if (--t->count == 0)
    fin_tfo_cache_clear(st);
  else if (t->cap > CACHE_MIN && t->count <= t->cap / 4)
    resize(st, t->cap / 2); /* without memory the table simply stays as it is */
}

/* Entries unused for fastopen_cache_ttl (0: never) leave, oldest first. */
static void expire(struct fin_stack *st) {
  struct fin_tfo *t = &st->tfo;
  fin_time ttl = st->s.fastopen_cache_ttl;
  while (ttl > 0 && t->ent != NULL && st->now - t->ent[t->lru_tail].last_used >= ttl)
    remove_entry(st, t->lru_tail);
}

struct fin_tfo_entry *fin_tfo_cache_use(struct fin_stack *st, const struct fin_addr *local,
                                        const struct fin_addr *remote) {
  expire(st);
  struct fin_tfo_entry *e = fin_tfo_cache_find(st, local, remote);
  if (e == NULL)
    return NULL;
  uint32_t i = (uint32_t)(e - st->tfo.ent);
  e->last_used = st->now;
  lru_unlink(&st->tfo, i);
  lru_push(&st->tfo, i);
  return e;
}

/* Room for one more entry: the least recently used one goes when the
 * cache is at its bound, or when the table cannot grow. */
static bool make_room(struct fin_stack *st) {
  struct fin_tfo *t = &st->tfo;
  if (t->count >= st->s.fastopen_cache_max && t->count > 0)
    remove_entry(st, t->lru_tail);
  if (t->count < t->cap)
    return true;
  if (resize(st, t->cap != 0 ? t->cap * 2 : CACHE_MIN))
    return true;
  if (t->count == 0)
    return false;
  remove_entry(st, t->lru_tail);
  return t->ent != NULL;
}

struct fin_tfo_entry *fin_tfo_cache_get(struct fin_stack *st, const struct fin_addr *local,
                                        const struct fin_addr *remote) {
  struct fin_tfo_entry *e = fin_tfo_cache_use(st, local, remote);
  if (e != NULL || st->s.fastopen_cache_max == 0 || !make_room(st))
    return e;
  struct fin_tfo *t = &st->tfo;
  uint32_t i = t->free_head;
  t->free_head = t->ent[i].hash_next;
  e = &t->ent[i];
  memset(e, 0, sizeof(*e));
  e->local = *local;
  e->remote = *remote;
  e->last_used = st->now;
  t->count++;
  hash_link(st, i);
  lru_push(t, i);
  return e;
}
