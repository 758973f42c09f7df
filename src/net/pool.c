/* SPDX-License-Identifier: MIT */
/* fin_allocator_default(): malloc with free lists per exact size, so the
 * blocks a stack allocates again and again (TCBs, send and receive rings)
 * are reused instead of going through malloc each time a connection opens
 * and closes. Sizes are learnt from releases; a class that was never
 * reused makes room for a new size. Not thread-safe: one per stack (or per
 * thread). Under ASan a kept block is poisoned, so a use after release is
 * still reported. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fin/defaults.h"

#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif
#ifdef POOL_ASAN
#include <sanitizer/asan_interface.h>
#define POOL_POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define POOL_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POOL_POISON(p, n)   ((void)(p), (void)(n))
#define POOL_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define POOL_CLASSES    16
#define POOL_MAX_BLOCKS 4096u
#define POOL_MAX_BYTES  ((size_t)64 << 20)
#define POOL_MAX_SIZE   ((size_t)1 << 20) /* bigger blocks are tables: malloc/free */

struct pool_class {
  size_t size; /* 0 = unused */
  void *head;  /* free list, linked through the blocks' first word */
  uint32_t count;
  uint64_t reuse; /* allocations served from this class */
  uint64_t born;  /* creation order, to evict the oldest unused class */
};

struct pool {
  struct pool_class cls[POOL_CLASSES];
  uint64_t births;
  struct fin_allocator_stats stats;
};

static struct pool_class *pool_find(struct pool *p, size_t size) {
  for (size_t i = 0; i < POOL_CLASSES; i++)
    if (p->cls[i].size == size)
      return &p->cls[i];
  return NULL;
}

static void class_drop(struct pool *p, struct pool_class *c) {
  while (c->head != NULL) {
    void *b = c->head;
    POOL_UNPOISON(b, c->size);
    memcpy(&c->head, b, sizeof(void *));
    free(b);
    p->stats.kept_bytes -= c->size;
  }
  memset(c, 0, sizeof(*c));
}

/* A free slot, or the oldest class never reused (its blocks are freed). */
static struct pool_class *pool_make(struct pool *p, size_t size) {
  struct pool_class *victim = NULL;
  for (size_t i = 0; i < POOL_CLASSES; i++) {
    struct pool_class *c = &p->cls[i];
    if (c->size == 0) {
      victim = c;
      break;
    }
    if (c->reuse == 0 && (victim == NULL || c->born < victim->born))
      victim = c;
  }
  if (victim == NULL)
    return NULL;
  class_drop(p, victim);
  victim->size = size;
  victim->born = ++p->births;
  return victim;
}

static void *pool_alloc(void *ctx, size_t size) {
  struct pool *p = ctx;
  p->stats.allocs++;
  struct pool_class *c = size >= sizeof(void *) ? pool_find(p, size) : NULL;
  void *b;
  if (c != NULL && c->head != NULL) {
    b = c->head;
    POOL_UNPOISON(b, size);
    memcpy(&c->head, b, sizeof(void *));
    c->count--;
    c->reuse++;
    p->stats.reused++;
    p->stats.kept_bytes -= size;
  } else if ((b = malloc(size ? size : 1)) == NULL) {
    return NULL;
  }
  p->stats.live_bytes += size;
  return b;
}

static void pool_release(void *ctx, void *ptr, size_t size) {
  struct pool *p = ctx;
  if (ptr == NULL)
    return;
  p->stats.releases++;
  p->stats.live_bytes -= size;
  struct pool_class *c = NULL;
  if (size >= sizeof(void *) && size <= POOL_MAX_SIZE &&
      p->stats.kept_bytes + size <= POOL_MAX_BYTES) {
    c = pool_find(p, size);
    if (c == NULL)
      c = pool_make(p, size);
  }
  if (c == NULL || c->count >= POOL_MAX_BLOCKS) {
    free(ptr);
    return;
  }
  memcpy(ptr, &c->head, sizeof(void *));
  POOL_POISON(ptr, size);
  c->head = ptr;
  c->count++;
  p->stats.kept++;
  p->stats.kept_bytes += size;
}

int fin_allocator_default(struct fin_allocator *out) {
  struct pool *p = calloc(1, sizeof(*p));
  if (p == NULL)
    return -ENOMEM;
  *out = (struct fin_allocator){.alloc = pool_alloc, .release = pool_release, .ctx = p};
  return 0;
}

void fin_allocator_default_free(struct fin_allocator *a) {
  if (a == NULL || a->ctx == NULL)
    return;
  struct pool *p = a->ctx;
  for (size_t i = 0; i < POOL_CLASSES; i++)
    class_drop(p, &p->cls[i]);
  free(p);
  a->ctx = NULL;
}

void fin_allocator_default_stats(const struct fin_allocator *a, struct fin_allocator_stats *out) {
  const struct pool *p = a->ctx;
  *out = p->stats;
}
