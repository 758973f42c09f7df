/* SPDX-License-Identifier: MIT */
/* Timers: a binary min-heap of connections keyed by their earliest
 * deadline. Next deadline is O(1), arm/disarm O(log n), no periodic scans. */
#include "internal.h"

int fin_heap_init(struct fin_stack *st) {
  st->heap_cap = 64;
  st->heap = fin_mem_alloc(st, st->heap_cap * sizeof(*st->heap));
  return st->heap ? 0 : -ENOMEM;
}

void fin_heap_free(struct fin_stack *st) {
  fin_mem_free(st, st->heap, st->heap_cap * sizeof(*st->heap));
  st->heap = NULL;
}

static void heap_set(struct fin_stack *st, uint32_t i, struct fin_conn *c) {
  st->heap[i] = c;
  c->heap_idx = i;
}

static void sift_up(struct fin_stack *st, uint32_t i) {
  struct fin_conn *c = st->heap[i];
  while (i > 0) {
    uint32_t p = (i - 1) / 2;
    if (st->heap[p]->deadline <= c->deadline)
      break;
    heap_set(st, i, st->heap[p]);
    i = p;
  }
  heap_set(st, i, c);
}

static void sift_down(struct fin_stack *st, uint32_t i) {
  struct fin_conn *c = st->heap[i];
  for (;;) {
    uint32_t l = 2 * i + 1, m = i;
    fin_time best = c->deadline;
    if (l < st->heap_len && st->heap[l]->deadline < best)
      m = l, best = st->heap[l]->deadline;
    if (l + 1 < st->heap_len && st->heap[l + 1]->deadline < best)
      m = l + 1;
    if (m == i)
      break;
    heap_set(st, i, st->heap[m]);
    i = m;
  }
  heap_set(st, i, c);
}

static bool heap_resize(struct fin_stack *st, uint32_t cap) {
  struct fin_conn **h = fin_mem_alloc(st, cap * sizeof(*h));
  if (h == NULL)
    return false;
  memcpy(h, st->heap, st->heap_len * sizeof(*h));
  fin_mem_free(st, st->heap, st->heap_cap * sizeof(*h));
  st->heap = h;
  st->heap_cap = cap;
  return true;
}

/* Halves the array once connections fall below a quarter of it; every
 * connection keeps its reserved place (conn_count + 2, fin_heap_reserve). */
void fin_heap_trim(struct fin_stack *st) {
  uint32_t half = st->heap_cap / 2;
  if (st->heap_cap > 64 && (uint64_t)st->conn_count + 2 < st->heap_cap / 4 && st->heap_len <= half)
    heap_resize(st, half);
}

bool fin_heap_reserve(struct fin_stack *st, uint32_t n) {
  if (n <= st->heap_cap)
    return true;
  return heap_resize(st, st->heap_cap * 2 > n ? st->heap_cap * 2 : n);
}

void fin_heap_remove(struct fin_stack *st, struct fin_conn *c) {
  uint32_t i = c->heap_idx;
  if (i == FIN_NONE_IDX)
    return;
  c->heap_idx = FIN_NONE_IDX;
  st->heap_len--;
  if (i == st->heap_len)
    return;
  heap_set(st, i, st->heap[st->heap_len]);
  /* The moved element goes down, or up, or stays. */
  sift_down(st, i);
  sift_up(st, i);
}

/* A deadline earlier than the connection's present one: it can only move
 * up the heap. Never fails (fin_heap_reserve). */
void fin_heap_earlier(struct fin_stack *st, struct fin_conn *c, fin_time d) {
  c->deadline = d;
  if (c->heap_idx == FIN_NONE_IDX)
    heap_set(st, st->heap_len++, c);
  sift_up(st, c->heap_idx);
}

/* Never fails: every connection reserved its heap slot when it was
 * created (fin_heap_reserve), so no connection can end up without a timer. */
void fin_heap_update(struct fin_stack *st, struct fin_conn *c) {
  fin_time d = FIN_NEVER;
  for (int i = 0; i < CT_COUNT; i++)
    if (c->timer[i] < d)
      d = c->timer[i];
  c->deadline = d;
  if (d == FIN_NEVER) {
    fin_heap_remove(st, c);
    return;
  }
  if (c->heap_idx == FIN_NONE_IDX) {
    heap_set(st, st->heap_len++, c);
    sift_up(st, c->heap_idx);
    return;
  }
  sift_up(st, c->heap_idx);
  sift_down(st, c->heap_idx);
}
