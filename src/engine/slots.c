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
    n[i].gen = st->slot_gen_base > 0 ? st->slot_gen_base : 1;
    n[i].kind = SLOT_FREE;
    n[i].obj = NULL;
    n[i].next_free = i + 1 < cap ? i + 1 : st->slot_free;
  }
  st->slot_free = st->slot_cap;
  fin_mem_free(st, st->slots, st->slot_cap * sizeof(*n));
  st->slots = n;
  st->slot_cap = cap;
  st->slot_upper = 0; /* every used slot is in the lower half now */
  return 0;
}

int fin_slot_alloc(struct fin_stack *st, uint8_t kind, void *obj, uint32_t *idx_out) {
  if (st->slot_free == FIN_NONE_IDX && slots_grow(st) != 0)
    return -ENOMEM;
  uint32_t i = st->slot_free;
  st->slot_free = st->slots[i].next_free;
  st->slots[i].kind = kind;
  st->slots[i].obj = obj;
  st->slot_used++;
  st->slot_upper += i >= st->slot_cap / 2;
  *idx_out = i;
  return 0;
}

/* Issue 14: after a burst the handle table shrinks. Once sockets fall
 * below a quarter of the table and its upper half holds none, the upper
 * half goes (again, while that holds); slots made later start above every
 * generation it had, so a stale handle into it never names a new socket
 * (-EBADF, as always). */
static void slots_trim(struct fin_stack *st) {
  while (st->slot_cap > 64 && st->slot_upper == 0 && st->slot_used < st->slot_cap / 4) {
    uint32_t half = st->slot_cap / 2, gen = st->slot_gen_base;
    for (uint32_t i = half; i < st->slot_cap; i++)
      if (st->slots[i].gen >= gen)
        gen = st->slots[i].gen + 1;
    if (gen >= 0x7fffffffu)
      gen = 1;
    struct fin_slot *n = fin_mem_alloc(st, half * sizeof(*n));
    if (n == NULL)
      return;
    memcpy(n, st->slots, half * sizeof(*n));
    fin_mem_free(st, st->slots, st->slot_cap * sizeof(*n));
    st->slots = n;
    st->slot_cap = half;
    st->slot_gen_base = gen;
    st->slot_free = FIN_NONE_IDX; /* the free list again, without the upper half */
    st->slot_upper = 0;
    for (uint32_t i = half; i-- > 0;) {
      if (n[i].kind == SLOT_FREE) {
        n[i].next_free = st->slot_free;
        st->slot_free = i;
      } else if (i >= half / 2) {
        st->slot_upper++;
      }
    }
  }
}

void fin_slot_release(struct fin_stack *st, uint32_t i) {
  struct fin_slot *s = &st->slots[i];
  s->kind = SLOT_FREE;
  s->obj = NULL;
  s->gen = s->gen + 1 >= 0x7fffffffu ? 1 : s->gen + 1;
  s->next_free = st->slot_free;
  st->slot_free = i;
  st->slot_used--;
  if (i >= st->slot_cap / 2 && --st->slot_upper == 0)
    slots_trim(st);
  else if (st->slot_upper == 0 && st->slot_used < st->slot_cap / 4)
    slots_trim(st);
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
