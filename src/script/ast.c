/* SPDX-License-Identifier: MIT */
/* Arena for the script AST: one free() for the whole parse. */
#include "script/ast.h"

#include <stdlib.h>
#include <string.h>

struct script_arena_block {
  struct script_arena_block *next;
  size_t used, cap;
  _Alignas(max_align_t) unsigned char data[];
};

enum { ARENA_BLOCK = 16384 };

void *fin_script_arena_alloc(struct script_arena *a, size_t size) {
  size = (size + 15u) & ~(size_t)15u;
  struct script_arena_block *b = a->head;
  if (!b || b->cap - b->used < size) {
    size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
    b = malloc(sizeof(*b) + cap);
    if (!b)
      return NULL;
    b->next = a->head;
    b->used = 0;
    b->cap = cap;
    a->head = b;
  }
  void *p = b->data + b->used;
  b->used += size;
  memset(p, 0, size);
  return p;
}

char *fin_script_arena_strndup(struct script_arena *a, const char *s, size_t n) {
  char *p = fin_script_arena_alloc(a, n + 1);
  if (p) {
    memcpy(p, s, n);
    p[n] = '\0';
  }
  return p;
}

void fin_script_arena_free(struct script_arena *a) {
  while (a->head) {
    struct script_arena_block *next = a->head->next;
    free(a->head);
    a->head = next;
  }
}

void fin_script_free(struct script *s) {
  fin_script_arena_free(&s->arena);
  free(s->source);
  memset(s, 0, sizeof(*s));
}
