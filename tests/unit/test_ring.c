/* SPDX-License-Identifier: MIT */
/* The chunked byte ring (src/engine/ring.c) against a trivially correct
 * model: a flat array indexed by absolute stream offset. Random writes in
 * and out of order, commits, peeks, reads and consumes; after every step
 * the bytes agree and the ring holds exactly the chunks its live bytes
 * need (memory follows data, issue 14). */
#include <string.h>

#include "fin_test.h"
#include "internal.h"

#define CAP   (64u * 1024u + 700u) /* not a multiple of the chunk: the span rounds up */
#define BYTES (1u << 20)

struct model {
  uint8_t *data;    /* absolute offset -> byte */
  uint8_t *written; /* absolute offset -> 1 once written */
  uint32_t base;    /* absolute offset of logical 0 */
  uint32_t len, hi;
};

static struct fin_stack *stack_for(struct test_alloc *ta) {
  return test_stack_default(ta, 5);
}

/* Chunks needed for logical [0, hi) starting at the ring's head. */
static uint32_t chunks_needed(const struct fin_stack *st, const struct fin_ring *r) {
  if (r->hi == 0)
    return 0;
  uint32_t c = st->pool.chunk, all = (r->cap + c - 1) / c;
  uint32_t n = (r->head % c + r->hi + c - 1) / c;
  return n < all ? n : all; /* a full ring's first and last bytes may share a chunk */
}

static void check(struct fin_stack *st, struct fin_ring *r, const struct model *m) {
  assert_int_equal(r->len, m->len);
  assert_int_equal(r->hi, m->hi);
  static uint8_t out[CAP];
  uint32_t n = fin_ring_read(st, r, out, m->len, 1);
  assert_int_equal(n, m->len);
  assert_memory_equal(out, m->data + m->base, m->len);
  /* Never more chunks than the live bytes span; exactly that many when
   * nothing is held out of order (every byte of [0, len) was written). */
  if (r->hi == r->len)
    assert_int_equal(st->pool.in_use, chunks_needed(st, r));
  else
    assert_true(st->pool.in_use <= chunks_needed(st, r));
}

static void test_ring_matches_model(void **state) {
  (void)state;
  struct test_alloc ta;
  struct fin_stack *st = stack_for(&ta);
  struct fin_ring r;
  assert_int_equal(fin_ring_init(st, &r, CAP), 0);
  struct model m = {test_calloc(1, BYTES + 2 * CAP), test_calloc(1, BYTES + 2 * CAP), 0, 0, 0};
  struct test_rng rng;
  struct fin_random unused;
  test_rng_init(&rng, 11, &unused);
  static uint8_t buf[CAP];
  for (int step = 0; step < 20000 && m.base < BYTES; step++) {
    uint32_t op = (uint32_t)(test_rng_next(&rng) % 6), room = CAP - m.len;
    uint32_t n = (uint32_t)(test_rng_next(&rng) % 3000);
    for (uint32_t i = 0; i < sizeof(buf) && i < 3000; i++)
      buf[i] = (uint8_t)test_rng_next(&rng);
    if (op <= 1) { /* append */
      uint32_t w = fin_ring_write(st, &r, buf, n);
      assert_int_equal(w, n < room ? n : room);
      /* an append lands after what the model holds out of order too */
      memcpy(m.data + m.base + m.len, buf, w);
      memset(m.written + m.base + m.len, 1, w);
      m.len += w;
      if (m.len > m.hi)
        m.hi = m.len;
    } else if (op == 2 && room > 0) { /* out of order, ahead of len */
      uint32_t off = m.len + (uint32_t)(test_rng_next(&rng) % room);
      if (off + n > CAP)
        n = CAP - off;
      assert_int_equal(fin_ring_write_at(st, &r, off, buf, n), 0);
      memcpy(m.data + m.base + off, buf, n);
      memset(m.written + m.base + off, 1, n);
      if (n > 0 && off + n > m.hi)
        m.hi = off + n;
    } else if (op == 3) { /* commit bytes written after len (as the assembler would) */
      uint32_t k = 0;
      while (k < n && m.len + k < m.hi && m.written[m.base + m.len + k])
        k++;
      fin_ring_commit(&r, k);
      m.len += k;
    } else { /* consume */
      uint32_t k = n < m.len ? n : m.len;
      fin_ring_consume(st, &r, k);
      m.base += k;
      m.len -= k;
      m.hi -= k;
    }
    check(st, &r, &m);
    if (m.len > 0) { /* a peek of at most one chunk is two pieces that read right */
      const uint8_t *p1, *p2;
      uint32_t l1, l2, off = (uint32_t)(test_rng_next(&rng) % m.len), k = m.len - off;
      if (k > st->pool.chunk)
        k = st->pool.chunk;
      fin_ring_peek(st, &r, off, k, &p1, &l1, &p2, &l2);
      assert_int_equal(l1 + l2, k);
      assert_memory_equal(p1, m.data + m.base + off, l1);
      if (l2 > 0)
        assert_memory_equal(p2, m.data + m.base + off + l1, l2);
    }
  }
  assert_true(m.base > 100000); /* the stream wrapped the ring many times */
  fin_ring_consume(st, &r, r.len);
  fin_ring_release(st, &r);
  assert_int_equal(st->pool.in_use, 0);
  test_free(m.data);
  test_free(m.written);
  fin_stack_free(st);
  assert_no_leaks(&ta);
}

/* After a burst the pool gives memory back: once every ring is empty, at
 * most max(FIN_POOL_KEEP_MIN, in use) free chunks stay, and at most
 * FIN_POOL_KEEP_MIN free maps of a size. */
static void test_pool_returns_memory_after_burst(void **state) {
  (void)state;
  struct test_alloc ta;
  struct fin_stack *st = stack_for(&ta);
  static struct fin_ring rings[200];
  static uint8_t data[16384];
  size_t before = fin_stack_memory_in_use(st);
  for (int i = 0; i < 200; i++) {
    assert_int_equal(fin_ring_init(st, &rings[i], 65536), 0);
    assert_int_equal(fin_ring_write(st, &rings[i], data, sizeof(data)), sizeof(data));
  }
  assert_int_equal(st->pool.in_use, 200 * 8);
  assert_int_equal(fin_stack_buffer_memory(st), 200 * 16384);
  for (int i = 0; i < 200; i++) {
    fin_ring_consume(st, &rings[i], sizeof(data));
    fin_ring_release(st, &rings[i]);
  }
  assert_int_equal(fin_stack_buffer_memory(st), 0);
  assert_true(st->pool.free_count <= FIN_POOL_KEEP_MIN);
  size_t after = fin_stack_memory_in_use(st);
  size_t map = (65536 / st->pool.chunk) * sizeof(void *); /* one ring's chunk map */
  assert_true(after <= before + FIN_POOL_KEEP_MIN * (st->pool.chunk + map));
  fin_stack_free(st);
  assert_no_leaks(&ta);
}

/* A write that cannot have every chunk it needs takes none (all or
 * nothing): chunks taken before the failing one go back, so an empty ring
 * holds no chunk and release finds none to leak (CI run of 91adbf3: a
 * failed fin_send left them behind an empty ring). */
static void test_failed_write_gives_back_its_chunks(void **state) {
  (void)state;
  struct test_alloc ta;
  struct fin_stack *st = stack_for(&ta);
  struct fin_ring r;
  static uint8_t data[3 * 2048];
  assert_int_equal(fin_ring_init(st, &r, 65536), 0);
  ta.fail_at = ta.total_allocs + 3; /* the third chunk of the write */
  assert_int_equal(fin_ring_write(st, &r, data, sizeof(data)), 0);
  assert_int_equal(r.len, 0);
  assert_int_equal(st->pool.in_use, 0);
  assert_int_equal(fin_stack_buffer_memory(st), 0);
  /* The chunks came back to the free list; the next write succeeds. */
  assert_int_equal(fin_ring_write(st, &r, data, sizeof(data)), sizeof(data));
  assert_int_equal(st->pool.in_use, 3);
  fin_ring_release(st, &r);
  fin_stack_free(st);
  assert_no_leaks(&ta);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ring_matches_model),
      cmocka_unit_test(test_pool_returns_memory_after_burst),
      cmocka_unit_test(test_failed_write_gives_back_its_chunks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
