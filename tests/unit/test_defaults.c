/* SPDX-License-Identifier: MIT */
/* What a user no longer has to write: fin_allocator_default() (malloc with
 * free lists per size, so TCBs and buffers are reused), fin_random_default()
 * (getrandom), fin_strerror() and fin_version(). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fin_test.h"

static void test_released_block_is_reused_for_the_same_size(void **state) {
  (void)state;
  struct fin_allocator a;
  assert_int_equal(fin_allocator_default(&a), 0);
  void *p = a.alloc(a.ctx, 544);
  assert_non_null(p);
  memset(p, 0xab, 544);
  a.release(a.ctx, p, 544);
  void *other = a.alloc(a.ctx, 600); /* another size: not that block */
  assert_ptr_not_equal(other, p);
  void *again = a.alloc(a.ctx, 544);
  assert_ptr_equal(again, p);
  struct fin_allocator_stats st;
  fin_allocator_default_stats(&a, &st);
  assert_int_equal(st.allocs, 3);
  assert_int_equal(st.reused, 1);
  assert_int_equal(st.live_bytes, 544 + 600);
  assert_int_equal(st.kept_bytes, 0);
  a.release(a.ctx, other, 600);
  a.release(a.ctx, again, 544);
  fin_allocator_default_stats(&a, &st);
  assert_int_equal(st.live_bytes, 0);
  assert_int_equal(st.kept_bytes, 1144);
  fin_allocator_default_free(&a); /* frees the kept blocks: LeakSanitizer checks */
  assert_null(a.ctx);
}

/* Big blocks (tables) go back to libc; so do blocks past the per-class cap. */
static void test_large_blocks_are_not_kept(void **state) {
  (void)state;
  struct fin_allocator a;
  assert_int_equal(fin_allocator_default(&a), 0);
  size_t big = (size_t)2 << 20;
  a.release(a.ctx, a.alloc(a.ctx, big), big);
  struct fin_allocator_stats st;
  fin_allocator_default_stats(&a, &st);
  assert_int_equal(st.kept, 0);
  assert_int_equal(st.kept_bytes, 0);
  enum { N = 5000 };
  static void *blocks[N];
  for (int i = 0; i < N; i++)
    blocks[i] = a.alloc(a.ctx, 64);
  for (int i = 0; i < N; i++)
    a.release(a.ctx, blocks[i], 64);
  fin_allocator_default_stats(&a, &st);
  assert_int_equal(st.kept, 4096);
  assert_int_equal(st.kept_bytes, 4096 * 64);
  fin_allocator_default_free(&a);
}

/* More distinct sizes than classes: a size never reused makes room. */
static void test_unused_class_gives_way(void **state) {
  (void)state;
  struct fin_allocator a;
  assert_int_equal(fin_allocator_default(&a), 0);
  void *p = a.alloc(a.ctx, 100);
  a.release(a.ctx, p, 100);
  assert_ptr_equal(a.alloc(a.ctx, 100), p); /* class 100 is now reused */
  for (size_t size = 200; size < 200 + 20 * 8; size += 8)
    a.release(a.ctx, a.alloc(a.ctx, size), size);
  a.release(a.ctx, p, 100);
  assert_ptr_equal(a.alloc(a.ctx, 100), p); /* the reused class survived */
  a.release(a.ctx, p, 100);
  struct fin_allocator_stats st;
  fin_allocator_default_stats(&a, &st);
  assert_int_equal(st.live_bytes, 0);
  fin_allocator_default_free(&a);
}

/* A stack on the default allocator: connections that come and go reuse
 * their TCBs and buffers, and everything is returned at the end. */
static void test_stack_on_default_allocator_reuses_tcbs(void **state) {
  (void)state;
  struct fin_allocator a;
  assert_int_equal(fin_allocator_default(&a), 0);
  struct fin_random r;
  fin_random_default(&r);
  struct fin_settings s;
  fin_settings_default(&s);
  s.local_addrs[0] = 0x0a000001u;
  s.local_addr_count = 1;
  struct fin_stack *st;
  assert_int_equal(fin_stack_new(&st, &s, &a, &r, FIN_SEC(1)), 0);
  uint8_t buf[2048];
  for (int i = 0; i < 50; i++) {
    fin_sock c = fin_socket(st);
    struct fin_sockaddr dst = {0x0a000002u, 80};
    assert_int_equal(fin_connect(st, c, &dst), -EINPROGRESS);
    assert_int_equal(fin_send(st, c, "x", 1, 0), -EAGAIN);
    while (fin_stack_output(st, buf, sizeof(buf), FIN_SEC(1)) > 0)
      ;
    assert_int_equal(fin_close(st, c), 0); /* BEHAVIOR C4: gone at once */
  }
  struct fin_allocator_stats stats;
  fin_allocator_default_stats(&a, &stats);
  assert_true(stats.reused >= 49);
  assert_int_equal(stats.live_bytes, fin_stack_memory_in_use(st));
  fin_stack_free(st);
  fin_allocator_default_stats(&a, &stats);
  assert_int_equal(stats.live_bytes, 0);
  fin_allocator_default_free(&a);
}

static void test_random_default_fills_unpredictably(void **state) {
  (void)state;
  struct fin_random r;
  fin_random_default(&r);
  uint8_t x[32] = {0}, y[32] = {0}, zero[32] = {0};
  r.fill(r.ctx, x, sizeof(x));
  r.fill(r.ctx, y, sizeof(y));
  /* 2^-256 chance each of a false failure. */
  assert_memory_not_equal(x, zero, sizeof(x));
  assert_memory_not_equal(x, y, sizeof(x));
}

static void test_strerror_names_fins_errnos(void **state) {
  (void)state;
  assert_string_equal(fin_strerror(-ECONNRESET), "ECONNRESET");
  assert_string_equal(fin_strerror(ECONNRESET), "ECONNRESET");
  assert_string_equal(fin_strerror(-EINPROGRESS), "EINPROGRESS");
  assert_string_equal(fin_strerror(-ETIMEDOUT), "ETIMEDOUT");
  assert_string_equal(fin_strerror(-ENOBUFS), "ENOBUFS");
  assert_string_equal(fin_strerror(0), "0");
  assert_string_equal(fin_strerror(-4095), "E?");
}

static void test_version_matches_the_header(void **state) {
  (void)state;
  assert_string_equal(fin_version(), FIN_VERSION_STRING);
  char want[32];
  snprintf(want, sizeof(want), "%d.%d.%d", FIN_VERSION_MAJOR, FIN_VERSION_MINOR, FIN_VERSION_PATCH);
  assert_string_equal(fin_version(), want);
  assert_true(FIN_VERSION_NUMBER >= FIN_VERSION_ENCODE(0, 2, 0));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_released_block_is_reused_for_the_same_size),
      cmocka_unit_test(test_large_blocks_are_not_kept),
      cmocka_unit_test(test_unused_class_gives_way),
      cmocka_unit_test(test_stack_on_default_allocator_reuses_tcbs),
      cmocka_unit_test(test_random_default_fills_unpredictably),
      cmocka_unit_test(test_strerror_names_fins_errnos),
      cmocka_unit_test(test_version_matches_the_header),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
