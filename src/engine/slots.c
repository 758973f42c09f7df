/* SPDX-License-Identifier: MIT */
/* Socket handles: slot index + generation. A stale handle (its slot freed
 * and perhaps reused) fails the generation check: -EBADF, never a
 * use-after-free. */
#include "internal.h"

static int slots_grow(struct fin_stack *st) {
  uint32_t cap = st->slot_cap ? st->slot_cap * 2 : 16;
  struct fin_slot *n = fin_mem_alloc(st, cap * sizeof(*n));
  if (n == NULL)
    return -ENOMEM;
  if (st->slot_cap)
    memcpy(n, st->slots, st->slot_cap * sizeof(*n));
  for (uint32_t i = st->slot_cap; i < cap; i++) {
    n[i].gen = 1;
    n[i].kind = SLOT_FREE;
    n[i].obj = NULL;
    n[i].next_free = i + 1 < cap ? i + 1 : st->slot_free;
  }
  st->slot_free = st->slot_cap;
  fin_mem_free(st, st->slots, st->slot_cap * sizeof(*n));
  st->slots = n;
  st->slot_cap = cap;
  return 0;
}

int fin_slot_alloc(struct fin_stack *st, uint8_t kind, void *obj, uint32_t *idx_out) {
  if (st->slot_free == FIN_NONE_IDX && slots_grow(st) != 0)
    return -ENOMEM;
  uint32_t i = st->slot_free;
  st->slot_free = st->slots[i].next_free;
  st->slots[i].kind = kind;
  st->slots[i].obj = obj;
  *idx_out = i;
  return 0;
}

void fin_slot_release(struct fin_stack *st, uint32_t i) {
  struct fin_slot *s = &st->slots[i];
  s->kind = SLOT_FREE;
  s->obj = NULL;
  s->gen = s->gen + 1 >= 0x7fffffffu ? 1 : s->gen + 1;
  s->next_free = st->slot_free;
  st->slot_free = i;
}

fin_sock fin_slot_handle(const struct fin_stack *st, uint32_t i) {
  return (fin_sock)((uint64_t)st->slots[i].gen << 32 | i);
}

void fin_slots_free(struct fin_stack *st) {
  for (uint32_t i = 0; i < st->slot_cap; i++) {
    struct fin_slot *s = &st->slots[i];
    if (s->kind == SLOT_CONN && s->obj != NULL) {
      struct fin_conn *c = s->obj;
      c->slot = FIN_NONE_IDX;
      fin_conn_destroy(st, c);
    } else if (s->kind == SLOT_LISTENER && s->obj != NULL) {
      struct fin_listener *l = s->obj;
      fin_conn_opts_free(st, &l->proto);
      fin_mem_free(st, l, sizeof(*l));
    }
  }
  fin_mem_free(st, st->slots, st->slot_cap * sizeof(*st->slots));
  st->slots = NULL;
  st->slot_cap = 0;
}
