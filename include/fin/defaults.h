/* SPDX-License-Identifier: MIT */
/** @file fin/defaults.h
 * @brief The allocator and randomness a hosted program would otherwise
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

/** A malloc-backed allocator that keeps released blocks of the sizes a stack
 * allocates again and again (TCBs, send and receive buffers) on free lists
 * and hands them out again, so opening and closing connections does not go
 * to malloc each time. A size class is made for a size when a block of it
 * is released; classes never reused give their place to new sizes (tables
 * that grew are released once). At most 16 classes, 4096 blocks per class
 * and 64 MiB kept in all; everything else goes straight to malloc/free.
 *
 * One allocator per stack, or per thread with several stacks in it: it
 * takes no lock.
 * @param out filled with the allocator (its ctx is the pool, owned by the
 *        caller: free it with fin_allocator_default_free())
 * @retval 0 ready
 * @retval -ENOMEM no memory for the pool */
int fin_allocator_default(struct fin_allocator *out);
/** Frees the kept blocks and the pool. Every stack that used it must have
 * been freed (fin_stack_free()) first.
 * @param a an allocator filled by fin_allocator_default() */
void fin_allocator_default_free(struct fin_allocator *a);

/** What the default allocator has done (fin_allocator_default_stats()). */
struct fin_allocator_stats {
  uint64_t allocs;   /**< calls to alloc */
  uint64_t reused;   /**< of those, served from a free list */
  uint64_t releases; /**< calls to release */
  uint64_t kept;     /**< of those, kept on a free list */
  size_t live_bytes; /**< allocated and not released */
  size_t kept_bytes; /**< on free lists now */
};
/** Reads the default allocator's statistics.
 * @param a an allocator filled by fin_allocator_default()
 * @param out the statistics now */
void fin_allocator_default_stats(const struct fin_allocator *a, struct fin_allocator_stats *out);

/** Randomness from getrandom(2) (the kernel's CSPRNG: RFC 6528 ISNs, SYN
 * cookies and hash keys need unpredictable bytes). Blocks only before the
 * kernel's pool is first initialised, early at boot. Without getrandom it
 * reads /dev/urandom; if neither works the process aborts: a stack with
 * guessable keys is worse than none.
 * @param out filled with the source (no state: ctx is NULL; nothing to free) */
void fin_random_default(struct fin_random *out);

#ifdef __cplusplus
}
#endif
#endif
