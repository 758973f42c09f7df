/* SPDX-License-Identifier: MIT */
/* Where TIME-WAIT records live (BEHAVIOR E7): two slabs, IPv4 records of
 * 48 bytes and IPv6 records of 72 (indices, not pointers; an IPv6 index has
 * TW_V6 set), one keyed hash by 4-tuple over both, and one doubly linked
 * FIFO ordered by deadline: every record lasts 2*MSL, so appending keeps it
 * sorted whatever the family. time_wait.c is the state itself. */
#include "internal.h"

#define TW_INITIAL      64u
#define BUCKETS_INITIAL 64u

static struct fin_tw4 *v4(const struct fin_stack *st, uint32_t i) {
  return &((struct fin_tw4 *)st->tw4.mem)[i];
}

static struct fin_tw6 *v6(const struct fin_stack *st, uint32_t i) {
  return &((struct fin_tw6 *)st->tw6.mem)[i & ~TW_V6];
}

struct fin_tw *fin_tw_rec(const struct fin_stack *st, uint32_t i) {
  return i & TW_V6 ? &v6(st, i)->r : &v4(st, i)->r;
}

void fin_tw_tuple(const struct fin_stack *st, uint32_t i, struct fin_4tuple *out) {
  if (i & TW_V6) {
    const struct fin_tw6 *r = v6(st, i);
    *out = (struct fin_4tuple){r->local_addr, r->remote_addr, r->local_port, r->remote_port};
    return;
  }
  const struct fin_tw4 *r = v4(st, i);
  *out = (struct fin_4tuple){fin_addr_v4(r->local_addr), fin_addr_v4(r->remote_addr), r->local_port,
                             r->remote_port};
}

static bool tuple_is(const struct fin_stack *st, uint32_t i, const struct fin_4tuple *t) {
  if (i & TW_V6) {
    const struct fin_tw6 *r = v6(st, i);
    return r->local_port == t->local_port && r->remote_port == t->remote_port &&
           fin_addr_eq(&r->local_addr, &t->local_addr) &&
           fin_addr_eq(&r->remote_addr, &t->remote_addr);
  }
  const struct fin_tw4 *r = v4(st, i);
  return fin_tuple_v4(t) && r->local_port == t->local_port && r->remote_port == t->remote_port &&
         r->local_addr == fin_addr_get_v4(&t->local_addr) &&
         r->remote_addr == fin_addr_get_v4(&t->remote_addr);
}

static uint32_t bucket(const struct fin_stack *st, const struct fin_4tuple *t) {
  return fin_demux_hash(st, t) & st->tw_bucket_mask;
}

static size_t rec_size(bool is_v6) {
  return is_v6 ? sizeof(struct fin_tw6) : sizeof(struct fin_tw4);
}

/* Doubles a slab; the new records go on its free list. */
static int grow_slab(struct fin_stack *st, struct fin_tw_slab *sl, bool is_v6) {
  uint32_t cap = sl->cap ? sl->cap * 2 : TW_INITIAL, tag = is_v6 ? TW_V6 : 0;
  if (cap >= TW_V6)
    return -ENOMEM;
  size_t size = rec_size(is_v6);
  uint8_t *mem = fin_mem_alloc(st, cap * size);
  if (mem == NULL)
    return -ENOMEM;
  if (sl->cap)
    memcpy(mem, sl->mem, sl->cap * size);
  fin_mem_free(st, sl->mem, sl->cap * size);
  sl->mem = mem;
  for (uint32_t i = sl->cap; i < cap; i++) {
    struct fin_tw *r = fin_tw_rec(st, i | tag);
    r->flags = TW_FREE;
    r->fifo_next = i + 1 < cap ? (i + 1) | tag : sl->free;
  }
  sl->free = sl->cap | tag;
  sl->cap = cap;
  return 0;
}

/* Every live record of a slab into the current bucket array. */
static void rehash_slab(struct fin_stack *st, const struct fin_tw_slab *sl, uint32_t tag) {
  for (uint32_t i = 0; i < sl->cap; i++) {
    struct fin_tw *r = fin_tw_rec(st, i | tag);
    if (r->flags & TW_FREE)
      continue;
    struct fin_4tuple t;
    fin_tw_tuple(st, i | tag, &t);
    uint32_t h = bucket(st, &t);
    r->hash_next = st->tw_buckets[h];
    st->tw_buckets[h] = i | tag;
  }
}

static void resize_buckets(struct fin_stack *st, uint32_t to) {
  uint32_t n = st->tw_bucket_mask + 1;
  uint32_t *b = fin_mem_alloc(st, (size_t)to * sizeof(*b));
  if (b == NULL)
    return; /* longer or emptier chains, still correct */
  fin_mem_free(st, st->tw_buckets, n * sizeof(*b));
  st->tw_buckets = b;
  st->tw_bucket_mask = to - 1;
  for (uint32_t i = 0; i < to; i++)
    b[i] = FIN_NONE_IDX;
  rehash_slab(st, &st->tw4, 0);
  rehash_slab(st, &st->tw6, TW_V6);
}

/* Load factor at most 1: the bucket array doubles with the records, and
 * halves when they fall below a quarter of it (issue 14). */
static void grow_buckets(struct fin_stack *st) {
  uint32_t n = st->tw_bucket_mask + 1;
  if (st->tw_count >= n && n < (1u << 30))
    resize_buckets(st, 2 * n);
}

static void shrink_buckets(struct fin_stack *st) {
  uint32_t n = st->tw_bucket_mask + 1;
  if (n > BUCKETS_INITIAL && st->tw_count < n / 4)
    resize_buckets(st, n / 2);
}

/* A slab whose last record went gives its memory back: the IPv4 slab
 * starts again at its first size, the IPv6 one is made again on need. A
 * slab at its first size stays, so one record coming and going costs no
 * allocation. No index of the slab is held anywhere once it is empty. */
static void reset_if_empty(struct fin_stack *st, struct fin_tw_slab *sl, bool is_v6) {
  uint32_t first = is_v6 ? 0 : TW_INITIAL;
  if (sl->live > 0 || sl->cap <= (first > 0 ? first : TW_INITIAL))
    return;
  fin_mem_free(st, sl->mem, sl->cap * rec_size(is_v6));
  *sl = (struct fin_tw_slab){NULL, 0, FIN_NONE_IDX, 0};
  if (first > 0)
    grow_slab(st, sl, is_v6); /* on failure the next alloc grows it */
}

int fin_tw_init(struct fin_stack *st) {
  st->tw4 = (struct fin_tw_slab){NULL, 0, FIN_NONE_IDX, 0};
  st->tw6 = (struct fin_tw_slab){NULL, 0, FIN_NONE_IDX, 0};
  st->tw_fifo_head = st->tw_fifo_tail = FIN_NONE_IDX;
  st->tw_buckets = fin_mem_alloc(st, BUCKETS_INITIAL * sizeof(*st->tw_buckets));
  if (st->tw_buckets == NULL)
    return -ENOMEM;
  st->tw_bucket_mask = BUCKETS_INITIAL - 1;
  for (uint32_t i = 0; i < BUCKETS_INITIAL; i++)
    st->tw_buckets[i] = FIN_NONE_IDX;
  return grow_slab(st, &st->tw4, false);
}

void fin_tw_free_all(struct fin_stack *st) {
  fin_mem_free(st, st->tw4.mem, st->tw4.cap * rec_size(false));
  fin_mem_free(st, st->tw6.mem, st->tw6.cap * rec_size(true));
  fin_mem_free(st, st->tw_buckets, (st->tw_bucket_mask + 1u) * sizeof(*st->tw_buckets));
  st->tw4 = st->tw6 = (struct fin_tw_slab){NULL, 0, FIN_NONE_IDX, 0};
  st->tw_buckets = NULL;
}

uint32_t fin_tw_lookup(const struct fin_stack *st, const struct fin_4tuple *t) {
  uint32_t i = st->tw_buckets[bucket(st, t)];
  while (i != FIN_NONE_IDX && !tuple_is(st, i, t))
    i = fin_tw_rec(st, i)->hash_next;
  return i;
}

/* A free record for t, zeroed, its 4-tuple set and in the hash; not yet
 * in the FIFO. FIN_NONE_IDX when memory runs out. */
uint32_t fin_tw_store_alloc(struct fin_stack *st, const struct fin_4tuple *t) {
  bool is_v6 = !fin_tuple_v4(t);
  struct fin_tw_slab *sl = is_v6 ? &st->tw6 : &st->tw4;
  if (sl->free == FIN_NONE_IDX && grow_slab(st, sl, is_v6) != 0)
    return FIN_NONE_IDX;
  uint32_t i = sl->free;
  struct fin_tw *r = fin_tw_rec(st, i);
  sl->free = r->fifo_next;
  sl->live++;
  memset(r, 0, sizeof(*r));
  if (is_v6) {
    struct fin_tw6 *x = v6(st, i);
    x->local_addr = t->local_addr;
    x->remote_addr = t->remote_addr;
    x->local_port = t->local_port;
    x->remote_port = t->remote_port;
  } else {
    struct fin_tw4 *x = v4(st, i);
    x->local_addr = fin_addr_get_v4(&t->local_addr);
    x->remote_addr = fin_addr_get_v4(&t->remote_addr);
    x->local_port = t->local_port;
    x->remote_port = t->remote_port;
  }
  uint32_t h = bucket(st, t);
  r->hash_next = st->tw_buckets[h];
  st->tw_buckets[h] = i;
  st->tw_count++;
  grow_buckets(st);
  return i;
}

void fin_tw_store_free(struct fin_stack *st, uint32_t i) {
  struct fin_4tuple t;
  fin_tw_tuple(st, i, &t);
  uint32_t *pp = &st->tw_buckets[bucket(st, &t)];
  while (*pp != FIN_NONE_IDX && *pp != i)
    pp = &fin_tw_rec(st, *pp)->hash_next;
  if (*pp == i)
    *pp = fin_tw_rec(st, i)->hash_next;
  struct fin_tw_slab *sl = i & TW_V6 ? &st->tw6 : &st->tw4;
  struct fin_tw *r = fin_tw_rec(st, i);
  r->flags = TW_FREE;
  r->fifo_next = sl->free;
  sl->free = i;
  sl->live--;
  st->tw_count--;
  reset_if_empty(st, sl, (i & TW_V6) != 0);
  shrink_buckets(st);
}

void fin_tw_fifo_unlink(struct fin_stack *st, uint32_t i) {
  struct fin_tw *tw = fin_tw_rec(st, i);
  if (tw->fifo_prev != FIN_NONE_IDX)
    fin_tw_rec(st, tw->fifo_prev)->fifo_next = tw->fifo_next;
  else
    st->tw_fifo_head = tw->fifo_next;
  if (tw->fifo_next != FIN_NONE_IDX)
    fin_tw_rec(st, tw->fifo_next)->fifo_prev = tw->fifo_prev;
  else
    st->tw_fifo_tail = tw->fifo_prev;
}

void fin_tw_fifo_append(struct fin_stack *st, uint32_t i) {
  struct fin_tw *tw = fin_tw_rec(st, i);
  tw->fifo_next = FIN_NONE_IDX;
  tw->fifo_prev = st->tw_fifo_tail;
  if (st->tw_fifo_tail != FIN_NONE_IDX)
    fin_tw_rec(st, st->tw_fifo_tail)->fifo_next = i;
  else
    st->tw_fifo_head = i;
  st->tw_fifo_tail = i;
}

static size_t list_slab(const struct fin_stack *st, const struct fin_tw_slab *sl, uint32_t tag,
                        size_t cursor, size_t *pos, struct fin_conn_info *out, size_t max) {
  size_t n = 0;
  for (uint32_t i = 0; i < sl->cap && n < max; i++) {
    const struct fin_tw *tw = fin_tw_rec(st, i | tag);
    if (tw->flags & (TW_FREE | TW_SUSPENDED))
      continue;
    if ((*pos)++ >= cursor)
      fin_tw_info(st, i | tag, &out[n++]);
  }
  return n;
}

size_t fin_tw_list(const struct fin_stack *st, size_t cursor, size_t *pos,
                   struct fin_conn_info *out, size_t max) {
  size_t n = list_slab(st, &st->tw4, 0, cursor, pos, out, max);
  return n + list_slab(st, &st->tw6, TW_V6, cursor, pos, out + n, max - n);
}

size_t fin_time_wait_record_size(void) {
  return sizeof(struct fin_tw4);
}

size_t fin_time_wait_record_size_v6(void) {
  return sizeof(struct fin_tw6);
}
