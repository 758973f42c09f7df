/* SPDX-License-Identifier: MIT */
/* The link model and the PRNG on their own: no stacks involved. */
#include <string.h>

#include "drivers/sim.h"
#include "fin_test.h"

static void test_rng_same_seed_same_stream(void **state) {
  (void)state;
  struct fin_sim_rng a, b, c;
  fin_sim_rng_seed(&a, 42, 7);
  fin_sim_rng_seed(&b, 42, 7);
  fin_sim_rng_seed(&c, 42, 8);
  bool differs = false;
  for (int i = 0; i < 100; i++) {
    uint64_t x = fin_sim_rng_next(&a);
    assert_true(x == fin_sim_rng_next(&b));
    differs |= x != fin_sim_rng_next(&c);
  }
  assert_true(differs);
}

static void test_loss_rate_is_close_to_asked(void **state) {
  (void)state;
  struct fin_sim_link l;
  struct fin_sim_link_params p = {.delay = FIN_MS(10), .loss = 0.2};
  assert_int_equal(fin_sim_link_init(&l, &p, 1, 0), 0);
  int lost = 0;
  for (int i = 0; i < 10000; i++) {
    struct fin_sim_verdict v;
    fin_sim_link_decide(&l, FIN_MS(i), 100, &v);
    lost += v.fate == FIN_FATE_LOST;
    if (v.fate != FIN_FATE_LOST)
      assert_int_equal(v.arrive, FIN_MS(i) + FIN_MS(10));
  }
  assert_in_range(lost, 1800, 2200);
  fin_sim_link_free(&l);
}

static void test_jitter_never_reorders_without_reorder(void **state) {
  (void)state;
  struct fin_sim_link l;
  struct fin_sim_link_params p = {.delay = FIN_MS(10), .jitter = FIN_MS(20)};
  assert_int_equal(fin_sim_link_init(&l, &p, 3, 1), 0);
  fin_time last = 0;
  for (int i = 0; i < 1000; i++) {
    struct fin_sim_verdict v;
    fin_sim_link_decide(&l, FIN_MS(i) / 10, 100, &v);
    assert_true(v.arrive >= last);
    assert_true(v.arrive >= FIN_MS(i) / 10 + FIN_MS(10));
    last = v.arrive;
  }
  fin_sim_link_free(&l);
}

static void test_rate_serializes_and_queue_limit_drops(void **state) {
  (void)state;
  struct fin_sim_link l;
  /* 8 Mbit/s: a 1000-byte datagram takes exactly 1 ms on the wire. */
  struct fin_sim_link_params p = {.delay = FIN_MS(5), .rate_bps = 8000000, .queue_limit = 3};
  assert_int_equal(fin_sim_link_init(&l, &p, 1, 2), 0);
  struct fin_sim_verdict v;
  for (int i = 0; i < 3; i++) {
    fin_sim_link_decide(&l, 0, 1000, &v);
    assert_int_equal(v.fate, FIN_FATE_DELIVERED);
    assert_int_equal(v.arrive, FIN_MS(i + 1) + FIN_MS(5));
  }
  fin_sim_link_decide(&l, 0, 1000, &v);
  assert_int_equal(v.fate, FIN_FATE_QUEUE);
  /* Once the first left the queue there is room again. */
  fin_sim_link_decide(&l, FIN_MS(1), 1000, &v);
  assert_int_equal(v.fate, FIN_FATE_DELIVERED);
  assert_int_equal(v.arrive, FIN_MS(4) + FIN_MS(5));
  fin_sim_link_free(&l);
}

static void test_partition_drops_inside_window_only(void **state) {
  (void)state;
  struct fin_sim_link l;
  struct fin_sim_link_params p = {.delay = FIN_MS(1)};
  assert_int_equal(fin_sim_link_init(&l, &p, 1, 3), 0);
  assert_int_equal(fin_sim_link_add_down(&l, FIN_SEC(1), FIN_SEC(2)), 0);
  struct fin_sim_verdict v;
  fin_sim_link_decide(&l, FIN_SEC(1) - 1, 60, &v);
  assert_int_equal(v.fate, FIN_FATE_DELIVERED);
  fin_sim_link_decide(&l, FIN_SEC(1), 60, &v);
  assert_int_equal(v.fate, FIN_FATE_PARTITION);
  assert_int_equal(v.arrive, FIN_NEVER);
  fin_sim_link_decide(&l, FIN_SEC(2), 60, &v);
  assert_int_equal(v.fate, FIN_FATE_DELIVERED);
  fin_sim_link_free(&l);
}

static void test_dup_and_corrupt_are_marked(void **state) {
  (void)state;
  struct fin_sim_link l;
  struct fin_sim_link_params p = {.delay = FIN_MS(1), .dup = 1.0, .corrupt = 1.0};
  assert_int_equal(fin_sim_link_init(&l, &p, 1, 4), 0);
  struct fin_sim_verdict v;
  fin_sim_link_decide(&l, 0, 60, &v);
  assert_true(v.dup);
  assert_true(v.dup_arrive > v.arrive);
  assert_true(v.corrupt);
  assert_int_equal(v.fate, FIN_FATE_CORRUPTED);
  assert_true(v.corrupt_bit < 60 * 8);
  fin_sim_link_free(&l);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rng_same_seed_same_stream),
      cmocka_unit_test(test_loss_rate_is_close_to_asked),
      cmocka_unit_test(test_jitter_never_reorders_without_reorder),
      cmocka_unit_test(test_rate_serializes_and_queue_limit_drops),
      cmocka_unit_test(test_partition_drops_inside_window_only),
      cmocka_unit_test(test_dup_and_corrupt_are_marked),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
