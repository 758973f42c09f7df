/* SPDX-License-Identifier: MIT */
/* The buffer pool: fixed-size chunks that the send and receive rings take
 * as data actually needs them (ring.c) and give back as it leaves, so a
 * 64-byte exchange touches one chunk each way, not a 64 KiB ring, and a
 * burst's memory goes back to the allocator once it is over. Free chunks
 * are kept for reuse only while they are fewer than the chunks in use (and
 * a small floor): no allocator call on a steady data path, and after a
 * burst at most as much idle memory as was busy at the end. */
#ifndef FIN_ENGINE_POOL_H
#define FIN_ENGINE_POOL_H

#include <stdint.h>

struct fin_stack;

#define FIN_POOL_KEEP_MIN 64u /* free chunks always kept for reuse */

/* Free ring maps (ring.h) of one length, linked through their first
 * pointer: a connection's rings take their maps from here, not from the
 * allocator, on the busy path of short connections. */
#define FIN_POOL_MAP_CLASSES 4u
struct fin_map_class {
  void *free;
  uint32_t len;   /* pointers per map */
  uint32_t count; /* maps on the list (at most FIN_POOL_KEEP_MIN) */
};

struct fin_chunk_pool {
  struct fin_map_class maps[FIN_POOL_MAP_CLASSES];
  void *free;           /* free chunks, linked through their first bytes */
  uint32_t chunk;       /* bytes per chunk: a power of two, at least 2 KiB */
  uint32_t free_count;  /* chunks on the free list */
  uint32_t in_use;      /* chunks held by rings */
  void *blocks;         /* free ring blocks, linked through their first bytes */
  uint32_t block_count; /* at most FIN_POOL_KEEP_MIN */
};

/* A connection's block of two rings (conn.c, struct fin_conn_bufs), made
 * with its first byte of data: kept for reuse like the maps. */
#define FIN_POOL_BLOCK 48u

/* The chunk size for an MTU: the smallest power of two >= max(mtu, 2048),
 * so a segment's payload never spans more than two chunks. */
uint32_t fin_pool_chunk_size(uint32_t mtu);
/* A chunk, counted against settings.max_buffer_memory (BEHAVIOR F3: the
 * oldest orphans give their buffers first); NULL when none can be had. */
uint8_t *fin_chunk_get(struct fin_stack *st);
void fin_chunk_put(struct fin_stack *st, uint8_t *chunk);
/* A zeroed ring map of len pointers; NULL when memory cannot be had. */
uint8_t **fin_map_get(struct fin_stack *st, uint32_t len);
void fin_map_put(struct fin_stack *st, uint8_t **map, uint32_t len);
/* A zeroed ring block of FIN_POOL_BLOCK bytes; NULL without memory. */
void *fin_block_get(struct fin_stack *st);
void fin_block_put(struct fin_stack *st, void *block);
/* Gives every free chunk and map back to the allocator (stack teardown). */
void fin_pool_drain(struct fin_stack *st);

#endif
