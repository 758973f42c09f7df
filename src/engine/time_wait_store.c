/* SPDX-License-Identifier: MIT */
/* Where TIME-WAIT records live (BEHAVIOR E7): logs of records in the order
 * they entered TIME-WAIT (internal.h, struct fin_tw_log), one keyed hash by
 * 4-tuple over all of them. Every record lasts 2*MSL, so a log's order is
 * its deadline order: its head is the next to expire, and no record needs
 * FIFO links. A record that leaves early (RST, reopen, reuse, kill) is a
 * hole until the head passes it; E2's restart moves the record to its
 * log's end. Holes cost memory only until the head passes them, and a log
 * with more holes than records is compacted (each hole is moved over at
 * most twice: amortized O(1)). IPv6 records of one local address go to a
 * compact log that holds that address once (issue 14: 48 bytes instead of
 * 64). Memory is pages of 128 records: a few hundred bytes of slack per
 * log at any count, instead of a slab that doubles. time_wait.c is the
 * state itself. */
#include "internal.h"

#define PAGE            (1u << TW_PAGE_BITS)
#define PAGE_NO_MASK    (TW_SEQ_MASK >> TW_PAGE_BITS)
#define BUCKETS_INITIAL 64u
/* A log spans at most this many sequence numbers, far inside the modulus. */
#define SPAN_MAX (1u << (TW_SEQ_BITS - 1))

/* The store's memory goes through these: fin_stack_time_wait_memory(). */
static void *mem_alloc(struct fin_stack *st, size_t n) {
  void *p = fin_mem_alloc(st, n);
  if (p != NULL)
    st->tw_mem += n;
  return p;
}

static void mem_free(struct fin_stack *st, void *p, size_t n) {
  if (p != NULL)
    st->tw_mem -= n;
  fin_mem_free(st, p, n);
}

static const uint8_t rec_size[TW_LOGS] = {sizeof(struct fin_tw4),  sizeof(struct fin_tw6),
                                          sizeof(struct fin_tw6c), sizeof(struct fin_tw6c),
                                          sizeof(struct fin_tw6c), sizeof(struct fin_tw6c),
                                          sizeof(struct fin_tw6c)};

static uint32_t log_of(uint32_t i) {
  return i >> TW_SEQ_BITS;
}

static uint32_t seq_of(uint32_t i) {
  return i & TW_SEQ_MASK;
}

static uint32_t idx_of(uint32_t log, uint32_t seq) {
  return log << TW_SEQ_BITS | seq;
}

static uint32_t page_no(uint32_t seq) {
  return seq >> TW_PAGE_BITS;
}

static uint8_t *at(const struct fin_stack *st, uint32_t log, uint32_t seq) {
  return fin_tw_at(st, log, seq);
}

void fin_tw_tuple(const struct fin_stack *st, uint32_t i, struct fin_4tuple *out) {
  uint32_t log = log_of(i);
  const uint8_t *p = at(st, log, seq_of(i));
  if (log == TW_LOG_V4) {
    const struct fin_tw4 *r = (const struct fin_tw4 *)(const void *)p;
    *out = (struct fin_4tuple){fin_addr_v4(r->local_addr), fin_addr_v4(r->remote_addr),
                               r->local_port, r->remote_port};
  } else if (log == TW_LOG_V6) {
    const struct fin_tw6 *r = (const struct fin_tw6 *)(const void *)p;
    *out = (struct fin_4tuple){r->local_addr, r->remote_addr, r->local_port, r->remote_port};
  } else {
    const struct fin_tw6c *r = (const struct fin_tw6c *)(const void *)p;
    *out =
        (struct fin_4tuple){st->tw_logs[log].local, r->remote_addr, r->local_port, r->remote_port};
  }
}

static bool tuple_is(const struct fin_stack *st, uint32_t i, const struct fin_4tuple *t) {
  uint32_t log = log_of(i);
  const uint8_t *p = at(st, log, seq_of(i));
  if (log == TW_LOG_V4) {
    const struct fin_tw4 *r = (const struct fin_tw4 *)(const void *)p;
    return fin_tuple_v4(t) && r->local_port == t->local_port && r->remote_port == t->remote_port &&
           r->local_addr == fin_addr_get_v4(&t->local_addr) &&
           r->remote_addr == fin_addr_get_v4(&t->remote_addr);
  }
  if (log == TW_LOG_V6) {
    const struct fin_tw6 *r = (const struct fin_tw6 *)(const void *)p;
    return r->local_port == t->local_port && r->remote_port == t->remote_port &&
           fin_addr_eq(&r->local_addr, &t->local_addr) &&
           fin_addr_eq(&r->remote_addr, &t->remote_addr);
  }
  const struct fin_tw6c *r = (const struct fin_tw6c *)(const void *)p;
  return r->local_port == t->local_port && r->remote_port == t->remote_port &&
         fin_addr_eq(&r->remote_addr, &t->remote_addr) &&
         fin_addr_eq(&st->tw_logs[log].local, &t->local_addr);
}

static uint32_t bucket(const struct fin_stack *st, const struct fin_4tuple *t) {
  return fin_demux_hash(st, t) & st->tw_bucket_mask;
}

/* ---- pages ---- */

static size_t page_bytes(uint32_t log) {
  return (size_t)PAGE * rec_size[log];
}

/* Pages from the head's to the one holding seq `to` - 1 (the ones a log
 * with that tail holds), modulo the page numbers. */
static uint32_t pages_spanned(const struct fin_tw_log *l, uint32_t to) {
  if (l->head == to)
    return (l->head & (PAGE - 1)) != 0; /* empty: a part-used page stays */
  return ((page_no((to - 1) & TW_SEQ_MASK) - page_no(l->head)) & PAGE_NO_MASK) + 1;
}

/* Moves the ring of page pointers to `slots` slots (a power of two at least
 * the pages the log spans). */
static int ring_resize(struct fin_stack *st, struct fin_tw_log *l, uint32_t slots) {
  uint8_t **p = mem_alloc(st, (size_t)slots * sizeof(*p));
  if (p == NULL)
    return -ENOMEM;
  uint32_t n = pages_spanned(l, l->tail), first = page_no(l->head);
  for (uint32_t k = 0; k < n; k++) {
    uint32_t pn = (first + k) & PAGE_NO_MASK;
    p[pn & (slots - 1)] = l->pages[pn & l->page_mask];
  }
  if (l->pages != NULL)
    mem_free(st, l->pages, (l->page_mask + 1u) * sizeof(*p));
  l->pages = p;
  l->page_mask = slots - 1;
  return 0;
}

static void page_free(struct fin_stack *st, uint32_t log, uint8_t *page) {
  struct fin_tw_log *l = &st->tw_logs[log];
  if (l->spare == NULL)
    l->spare = page;
  else
    mem_free(st, page, page_bytes(log));
}

/* The ring gives memory back once the log spans under a quarter of it. */
static void ring_trim(struct fin_stack *st, struct fin_tw_log *l) {
  uint32_t slots = l->page_mask + 1;
  if (slots > 1 && pages_spanned(l, l->tail) < slots / 4)
    ring_resize(st, l, slots / 2); /* on failure the ring stays as it is */
}

/* log_push at a page boundary: a page for the tail (and room in the ring). */
static __attribute__((noinline)) uint32_t log_push_page(struct fin_stack *st, uint32_t log) {
  struct fin_tw_log *l = &st->tw_logs[log];
  uint32_t seq = l->tail;
  if (((seq - l->head) & TW_SEQ_MASK) >= SPAN_MAX)
    return FIN_NONE_IDX;
  uint32_t need = pages_spanned(l, (seq + 1) & TW_SEQ_MASK), slots = l->page_mask + 1;
  if (l->pages == NULL || need > slots) {
    while (slots < need)
      slots *= 2;
    if (ring_resize(st, l, l->pages == NULL ? 1 : slots) != 0)
      return FIN_NONE_IDX;
  }
  uint8_t *page = l->spare;
  if (page != NULL)
    l->spare = NULL;
  else if ((page = mem_alloc(st, page_bytes(log))) == NULL)
    return FIN_NONE_IDX;
  l->pages[page_no(seq) & l->page_mask] = page;
  return seq;
}

/* A slot for a new record at the log's tail; FIN_NONE_IDX without memory.
 * The span is checked once a page (SPAN_MAX is a multiple of a page). */
static inline uint32_t log_push(struct fin_stack *st, uint32_t log) {
  struct fin_tw_log *l = &st->tw_logs[log];
  uint32_t seq = l->tail;
  if ((seq & (PAGE - 1)) == 0 && log_push_page(st, log) == FIN_NONE_IDX)
    return FIN_NONE_IDX;
  l->tail = (seq + 1) & TW_SEQ_MASK;
  l->live++;
  st->tw_nonempty |= 1u << log;
  return idx_of(log, seq);
}

/* The head's record is gone: the head passes it and the holes behind it;
 * a page it leaves goes. */
static __attribute__((noinline)) void head_pass_slow(struct fin_stack *st, uint32_t log) {
  struct fin_tw_log *l = &st->tw_logs[log];
  for (;;) {
    uint32_t old = l->head;
    l->head = (old + 1) & TW_SEQ_MASK;
    if ((l->head & (PAGE - 1)) == 0) {
      page_free(st, log, l->pages[page_no(old) & l->page_mask]);
      ring_trim(st, l);
    }
    if (l->head == l->tail || !(fin_tw_rec(st, idx_of(log, l->head))->flags & TW_FREE))
      return;
    l->holes--;
  }
}

static inline void head_pass(struct fin_stack *st, uint32_t log) {
  struct fin_tw_log *l = &st->tw_logs[log];
  uint32_t next = (l->head + 1) & TW_SEQ_MASK;
  /* Usually: inside a page, and the next record is live or the log ends. */
  if ((next & (PAGE - 1)) != 0 &&
      (next == l->tail || !(fin_tw_rec(st, idx_of(log, next))->flags & TW_FREE))) {
    l->head = next;
    return;
  }
  head_pass_slow(st, log);
}

/* ---- the hash ---- */

/* Where index i sits in its bucket's chain. */
static uint32_t *chain_slot(struct fin_stack *st, uint32_t i) {
  struct fin_4tuple t;
  fin_tw_tuple(st, i, &t);
  uint32_t *pp = &st->tw_buckets[bucket(st, &t)];
  while (*pp != FIN_NONE_IDX && *pp != i)
    pp = &fin_tw_rec(st, *pp)->hash_next;
  return pp;
}

static void rehash_log(struct fin_stack *st, uint32_t log) {
  const struct fin_tw_log *l = &st->tw_logs[log];
  for (uint32_t s = l->head; s != l->tail; s = (s + 1) & TW_SEQ_MASK) {
    struct fin_tw *r = fin_tw_rec(st, idx_of(log, s));
    if (r->flags & TW_FREE)
      continue;
    struct fin_4tuple t;
    fin_tw_tuple(st, idx_of(log, s), &t);
    uint32_t h = bucket(st, &t);
    r->hash_next = st->tw_buckets[h];
    st->tw_buckets[h] = idx_of(log, s);
  }
}

static void resize_buckets(struct fin_stack *st, uint32_t to) {
  uint32_t n = st->tw_bucket_mask + 1;
  uint32_t *b = mem_alloc(st, (size_t)to * sizeof(*b));
  if (b == NULL)
    return; /* longer or emptier chains, still correct */
  mem_free(st, st->tw_buckets, n * sizeof(*b));
  st->tw_buckets = b;
  st->tw_bucket_mask = to - 1;
  for (uint32_t i = 0; i < to; i++)
    b[i] = FIN_NONE_IDX;
  for (uint32_t log = 0; log < TW_LOGS; log++)
    rehash_log(st, log);
}

/* Load factor at most 1 while the array is small (its bytes do not
 * matter; chains stay short on the busy path), at most 2 from 4096
 * buckets on (chains of 1.5 on average: still O(1)), so the bucket array
 * costs 2-4 bytes a record at scale; it doubles with the records and
 * halves when they fall below a quarter of it (issue 14). */
#define BUCKETS_DENSE 4096u
static void grow_buckets(struct fin_stack *st) {
  uint32_t n = st->tw_bucket_mask + 1;
  if (st->tw_count >= (n < BUCKETS_DENSE ? n : 2 * n) && n < (1u << 30))
    resize_buckets(st, 2 * n);
}

static void shrink_buckets(struct fin_stack *st) {
  uint32_t n = st->tw_bucket_mask + 1;
  if (n > BUCKETS_INITIAL && st->tw_count < n / 4)
    resize_buckets(st, n / 2);
}

/* ---- compaction ---- */

/* A record moved from index `from` to `to`: a reopened connection that
 * holds it (E4) follows. */
static void renamed_conn(struct fin_stack *st, uint32_t from, uint32_t to) {
  struct fin_tw *r = fin_tw_rec(st, to);
  if (r->flags & TW_SUSPENDED) {
    struct fin_4tuple t;
    fin_tw_tuple(st, to, &t);
    struct fin_conn *c = fin_conn_lookup(st, &t);
    if (c != NULL && c->tw_suspended == from)
      c->tw_suspended = to;
  }
}

/* Slides the log's records down over its holes, in order. */
static void log_compact(struct fin_stack *st, uint32_t log) {
  struct fin_tw_log *l = &st->tw_logs[log];
  size_t size = rec_size[log];
  uint32_t w = l->head;
  for (uint32_t s = l->head; s != l->tail; s = (s + 1) & TW_SEQ_MASK) {
    uint8_t *src = at(st, log, s);
    if (((struct fin_tw *)(void *)src)->flags & TW_FREE)
      continue;
    if (s != w) {
      /* The chain still names s: rename it before w takes the record (a
       * chain walk reads the record under each index it passes). */
      uint32_t *pp = chain_slot(st, idx_of(log, s));
      memcpy(at(st, log, w), src, size);
      ((struct fin_tw *)(void *)src)->flags = TW_FREE;
      *pp = idx_of(log, w);
      renamed_conn(st, idx_of(log, s), idx_of(log, w));
    }
    w = (w + 1) & TW_SEQ_MASK;
  }
  /* Pages past the new tail go (the tail's own page stays if part-used). */
  uint32_t keep = pages_spanned(l, w), had = pages_spanned(l, l->tail), first = page_no(l->head);
  for (uint32_t k = keep; k < had; k++)
    page_free(st, log, l->pages[((first + k) & PAGE_NO_MASK) & l->page_mask]);
  l->tail = w;
  l->holes = 0;
  ring_trim(st, l);
}

/* ---- records ---- */

static void logs_reset(struct fin_stack *st) {
  memset(st->tw_logs, 0, sizeof(st->tw_logs));
  for (uint32_t log = 0; log < TW_LOGS; log++)
    st->tw_logs[log].rec_size = rec_size[log];
}

int fin_tw_init(struct fin_stack *st) {
  logs_reset(st);
  st->tw_mem = 0;
  st->tw_nonempty = 0;
  st->tw_buckets = mem_alloc(st, BUCKETS_INITIAL * sizeof(*st->tw_buckets));
  if (st->tw_buckets == NULL)
    return -ENOMEM;
  st->tw_bucket_mask = BUCKETS_INITIAL - 1;
  for (uint32_t i = 0; i < BUCKETS_INITIAL; i++)
    st->tw_buckets[i] = FIN_NONE_IDX;
  /* IPv4's first page and ring exist from the start: the first record
   * costs no allocation. */
  struct fin_tw_log *l = &st->tw_logs[TW_LOG_V4];
  if (ring_resize(st, l, 1) != 0)
    return -ENOMEM;
  l->spare = mem_alloc(st, page_bytes(TW_LOG_V4));
  return l->spare != NULL ? 0 : -ENOMEM;
}

void fin_tw_free_all(struct fin_stack *st) {
  for (uint32_t log = 0; log < TW_LOGS; log++) {
    struct fin_tw_log *l = &st->tw_logs[log];
    uint32_t n = pages_spanned(l, l->tail), first = page_no(l->head);
    for (uint32_t k = 0; k < n; k++)
      mem_free(st, l->pages[((first + k) & PAGE_NO_MASK) & l->page_mask], page_bytes(log));
    if (l->spare != NULL)
      mem_free(st, l->spare, page_bytes(log));
    if (l->pages != NULL)
      mem_free(st, l->pages, (l->page_mask + 1u) * sizeof(*l->pages));
  }
  logs_reset(st);
  st->tw_nonempty = 0;
  mem_free(st, st->tw_buckets, (st->tw_bucket_mask + 1u) * sizeof(*st->tw_buckets));
  st->tw_buckets = NULL;
}

uint32_t fin_tw_lookup(const struct fin_stack *st, const struct fin_4tuple *t) {
  return fin_tw_lookup_hashed(st, t, fin_demux_hash(st, t));
}

uint32_t fin_tw_lookup_hashed(const struct fin_stack *st, const struct fin_4tuple *t, uint32_t h) {
  uint32_t i = st->tw_buckets[h & st->tw_bucket_mask];
  if (i == FIN_NONE_IDX)
    return i;
  if (fin_tuple_v4(t)) {
    /* Only the IPv4 log can hold it: compare its layout alone. */
    uint32_t l = fin_addr_get_v4(&t->local_addr), r = fin_addr_get_v4(&t->remote_addr);
    for (; i != FIN_NONE_IDX; i = fin_tw_rec(st, i)->hash_next) {
      const struct fin_tw4 *x = (const struct fin_tw4 *)(const void *)fin_tw_rec(st, i);
      if (log_of(i) == TW_LOG_V4 && x->local_port == t->local_port &&
          x->remote_port == t->remote_port && x->remote_addr == r && x->local_addr == l)
        return i;
    }
    return FIN_NONE_IDX;
  }
  while (i != FIN_NONE_IDX && !tuple_is(st, i, t))
    i = fin_tw_rec(st, i)->hash_next;
  return i;
}

/* The log an IPv6 record of local address a goes to: the compact log that
 * holds a, else an empty one (it takes a), else the wide log. */
static uint32_t v6_log(struct fin_stack *st, const struct fin_addr *a) {
  uint32_t empty = TW_LOG_V6;
  for (uint32_t log = TW_LOG_V6C; log < TW_LOGS; log++) {
    struct fin_tw_log *l = &st->tw_logs[log];
    if (l->head == l->tail) {
      if (empty == TW_LOG_V6)
        empty = log;
    } else if (fin_addr_eq(&l->local, a)) {
      return log;
    }
  }
  if (empty != TW_LOG_V6)
    st->tw_logs[empty].local = *a;
  return empty;
}

static void write_tuple(struct fin_stack *st, uint32_t i, const struct fin_4tuple *t) {
  uint32_t log = log_of(i);
  uint8_t *p = at(st, log, seq_of(i));
  if (log == TW_LOG_V4) {
    struct fin_tw4 *x = (struct fin_tw4 *)(void *)p;
    x->local_addr = fin_addr_get_v4(&t->local_addr);
    x->remote_addr = fin_addr_get_v4(&t->remote_addr);
    x->local_port = t->local_port;
    x->remote_port = t->remote_port;
  } else if (log == TW_LOG_V6) {
    struct fin_tw6 *x = (struct fin_tw6 *)(void *)p;
    x->local_addr = t->local_addr;
    x->remote_addr = t->remote_addr;
    x->local_port = t->local_port;
    x->remote_port = t->remote_port;
  } else {
    struct fin_tw6c *x = (struct fin_tw6c *)(void *)p;
    x->remote_addr = t->remote_addr;
    x->local_port = t->local_port;
    x->remote_port = t->remote_port;
  }
}

/* A record for t at the end of its log, zeroed, its 4-tuple set and in the
 * hash. FIN_NONE_IDX when memory runs out. */
uint32_t fin_tw_store_alloc(struct fin_stack *st, const struct fin_4tuple *t) {
  uint32_t log = fin_tuple_v4(t) ? TW_LOG_V4 : v6_log(st, &t->local_addr);
  uint32_t i = log_push(st, log);
  if (i == FIN_NONE_IDX)
    return FIN_NONE_IDX;
  /* The shared part zeroed; write_tuple sets every byte of the rest. */
  struct fin_tw *r = fin_tw_rec(st, i);
  memset(r, 0, sizeof(*r));
  write_tuple(st, i, t);
  uint32_t h = bucket(st, t);
  r->hash_next = st->tw_buckets[h];
  st->tw_buckets[h] = i;
  st->tw_count++;
  grow_buckets(st);
  return i;
}

/* The record at seq went (TW_FREE): the head passes it, or it is a hole. */
static inline void gone(struct fin_stack *st, uint32_t log, uint32_t seq) {
  struct fin_tw_log *l = &st->tw_logs[log];
  if (--l->live == 0)
    st->tw_nonempty &= ~(1u << log);
  if (seq == l->head)
    head_pass(st, log);
  else if (++l->holes >= PAGE && l->holes > l->live)
    log_compact(st, log);
}

void fin_tw_store_free(struct fin_stack *st, uint32_t i, const struct fin_4tuple *t) {
  struct fin_tw *r = fin_tw_rec(st, i);
  uint32_t *pp = &st->tw_buckets[bucket(st, t)];
  while (*pp != FIN_NONE_IDX && *pp != i)
    pp = &fin_tw_rec(st, *pp)->hash_next;
  if (*pp == i)
    *pp = r->hash_next;
  r->flags = TW_FREE;
  st->tw_count--;
  gone(st, log_of(i), seq_of(i));
  shrink_buckets(st);
}

uint32_t fin_tw_store_renew(struct fin_stack *st, uint32_t i) {
  uint32_t log = log_of(i);
  struct fin_tw_log *l = &st->tw_logs[log];
  if (((seq_of(i) + 1) & TW_SEQ_MASK) == l->tail)
    return i; /* already last */
  uint32_t j = log_push(st, log);
  if (j == FIN_NONE_IDX)
    return FIN_NONE_IDX;
  /* The chain names i: it names j once the record is there. */
  uint32_t *pp = chain_slot(st, i);
  memcpy(at(st, log, seq_of(j)), at(st, log, seq_of(i)), rec_size[log]);
  *pp = j;
  fin_tw_rec(st, i)->flags = TW_FREE;
  gone(st, log, seq_of(i));
  /* Compaction may have moved the record again: it is the log's last. */
  return idx_of(log, (l->tail - 1) & TW_SEQ_MASK);
}

uint32_t fin_tw_oldest_of_many(const struct fin_stack *st) {
  uint32_t best = FIN_NONE_IDX, best_ms = 0;
  for (uint32_t m = st->tw_nonempty; m != 0; m &= m - 1) {
    uint32_t log = (uint32_t)__builtin_ctz(m), i = idx_of(log, st->tw_logs[log].head);
    uint32_t d = fin_tw_rec(st, i)->deadline_ms;
    if (best == FIN_NONE_IDX || (int32_t)(d - best_ms) < 0) {
      best = i;
      best_ms = d;
    }
  }
  return best;
}

size_t fin_tw_list(const struct fin_stack *st, size_t cursor, size_t *pos,
                   struct fin_conn_info *out, size_t max) {
  size_t n = 0;
  for (uint32_t log = 0; log < TW_LOGS; log++) {
    const struct fin_tw_log *l = &st->tw_logs[log];
    for (uint32_t s = l->head; s != l->tail && n < max; s = (s + 1) & TW_SEQ_MASK) {
      const struct fin_tw *tw = fin_tw_rec(st, idx_of(log, s));
      if (tw->flags & (TW_FREE | TW_SUSPENDED))
        continue;
      if ((*pos)++ >= cursor)
        fin_tw_info(st, idx_of(log, s), &out[n++]);
    }
  }
  return n;
}

size_t fin_stack_time_wait_memory(const struct fin_stack *st) {
  return st->tw_mem;
}

size_t fin_time_wait_record_size(void) {
  return sizeof(struct fin_tw4);
}

size_t fin_time_wait_record_size_v6(void) {
  return sizeof(struct fin_tw6c);
}
