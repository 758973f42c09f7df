/* SPDX-License-Identifier: MIT */
/* fin — the allocator and randomness a hosted program would otherwise
 * write itself, for fin_stack_new() (the runtime uses them too). In
 * libfin_net: the engine itself never calls malloc or getrandom. */
#ifndef FIN_DEFAULTS_H
#define FIN_DEFAULTS_H

#include <stddef.h>
#include <stdint.h>

#include "fin/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A malloc-backed allocator that keeps released blocks of the sizes a stack
 * allocates again and again (TCBs, send and receive buffers) on free lists
 * and hands them out again, so opening and closing connections does not go
 * to malloc each time. A size class is made for a size when a block of it
 * is released; classes never reused give their place to new sizes (tables
 * that grew are released once). At most 16 classes, 4096 blocks per class
 * and 64 MiB kept in all; everything else goes straight to malloc/free.
 *
 * One allocator per stack, or per thread with several stacks in it: it
 * takes no lock. Fills *out (whose ctx is the pool). 0 or -ENOMEM. */
int fin_allocator_default(struct fin_allocator *out);
/* Frees the kept blocks and the pool. Every stack that used it must have
 * been freed (fin_stack_free) first. */
void fin_allocator_default_free(struct fin_allocator *a);

struct fin_allocator_stats {
  uint64_t allocs;   /* calls to alloc */
  uint64_t reused;   /* ... served from a free list */
  uint64_t releases; /* calls to release */
  uint64_t kept;     /* ... kept on a free list */
  size_t live_bytes; /* allocated and not released */
  size_t kept_bytes; /* on free lists now */
};
void fin_allocator_default_stats(const struct fin_allocator *a, struct fin_allocator_stats *out);

/* Randomness from getrandom(2) (the kernel's CSPRNG: RFC 6528 ISNs, SYN
 * cookies and hash keys need unpredictable bytes). Blocks only before the
 * kernel's pool is first initialised, early at boot. Without getrandom it
 * reads /dev/urandom; if neither works the process aborts: a stack with
 * guessable keys is worse than none. No state: ctx is NULL. */
void fin_random_default(struct fin_random *out);

#ifdef __cplusplus
}
#endif
#endif
