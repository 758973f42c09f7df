/* SPDX-License-Identifier: MIT */
/* The TIME-WAIT record store (src/engine/time_wait_store.c) against a model:
 * random records of both families (IPv6 over more local addresses than
 * there are compact logs, so the wide log is used too) are made, freed and
 * renewed (E2's restart); after every step each live record is found by
 * its 4-tuple with its contents, no dead one is, the oldest is the one of
 * the earliest deadline, and no log holds more holes than the compaction
 * rule allows. The sequence numbers start just below their wrap. */
#include <string.h>

#include "fin_test.h"
#include "internal.h"

#define TUPLES 700
#define PAGE   (1u << TW_PAGE_BITS)

struct entry {
  struct fin_4tuple t;
  uint32_t id;
  uint32_t deadline;
  bool alive;
};

static struct fin_stack *stack_for(struct test_alloc *ta) {
  return test_stack_default(ta, 9);
}

static uint64_t rnd_state = 88172645463325252ull;
static uint32_t rnd(uint32_t n) {
  rnd_state ^= rnd_state << 13;
  rnd_state ^= rnd_state >> 7;
  rnd_state ^= rnd_state << 17;
  return (uint32_t)(rnd_state % n);
}

static struct fin_4tuple tuple_for(uint32_t k) {
  struct fin_4tuple t;
  memset(&t, 0, sizeof(t));
  if (k % 5 < 2) {
    t.local_addr = fin_addr_v4(0x0a000001u + k % 3);
    t.remote_addr = fin_addr_v4(0x0a010000u + k);
  } else {
    uint8_t l[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)(1 + k % 8)};
    uint8_t r[16] = {0xfd, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)(k >> 8), (uint8_t)k};
    t.local_addr = fin_addr_v6(l);
    t.remote_addr = fin_addr_v6(r);
  }
  t.local_port = (uint16_t)(1000 + k % 7);
  t.remote_port = (uint16_t)(40000 + k);
  return t;
}

static void check(struct fin_stack *st, const struct entry *e) {
  uint32_t alive = 0, min = UINT32_MAX;
  for (uint32_t k = 0; k < TUPLES; k++) {
    uint32_t i = fin_tw_lookup(st, &e[k].t);
    if (!e[k].alive) {
      assert_int_equal(i, FIN_NONE_IDX);
      continue;
    }
    alive++;
    assert_int_not_equal(i, FIN_NONE_IDX);
    const struct fin_tw *r = fin_tw_rec(st, i);
    assert_int_equal(r->snd_nxt, e[k].id);
    assert_int_equal(r->deadline_ms, e[k].deadline);
    struct fin_4tuple t;
    fin_tw_tuple(st, i, &t);
    assert_true(fin_tuple_eq(&t, &e[k].t));
    if (e[k].deadline < min)
      min = e[k].deadline;
  }
  assert_int_equal(st->tw_count, alive);
  uint32_t o = fin_tw_oldest(st);
  if (alive == 0) {
    assert_int_equal(o, FIN_NONE_IDX);
  } else {
    assert_int_not_equal(o, FIN_NONE_IDX);
    assert_int_equal(fin_tw_rec(st, o)->deadline_ms, min);
  }
  for (uint32_t log = 0; log < TW_LOGS; log++) {
    const struct fin_tw_log *l = &st->tw_logs[log];
    assert_true(l->holes < PAGE || l->holes <= l->live);
  }
}

/* The logs start 3 pages below the wrap of their sequence numbers. */
static void near_wrap(struct fin_stack *st) {
  for (uint32_t log = 0; log < TW_LOGS; log++)
    st->tw_logs[log].head = st->tw_logs[log].tail = (TW_SEQ_MASK + 1) - 3 * PAGE;
}

static void test_store_matches_model(void **state) {
  (void)state;
  struct test_alloc ta;
  struct fin_stack *st = stack_for(&ta);
  near_wrap(st);
  size_t base = fin_stack_memory_in_use(st);
  static struct entry e[TUPLES];
  for (uint32_t k = 0; k < TUPLES; k++)
    e[k] = (struct entry){tuple_for(k), 0, 0, false};
  uint32_t clock = 1, ids = 1;
  bool wide_used = false;
  for (int step = 0; step < 30000; step++) {
    struct entry *x = &e[rnd(TUPLES)];
    uint32_t op = rnd(10);
    if (!x->alive) {
      if (op < 6) {
        uint32_t i = fin_tw_store_alloc(st, &x->t);
        assert_int_not_equal(i, FIN_NONE_IDX);
        struct fin_tw *r = fin_tw_rec(st, i);
        r->snd_nxt = x->id = ids++;
        r->deadline_ms = x->deadline = clock++;
        x->alive = true;
        wide_used |= i >> TW_SEQ_BITS == TW_LOG_V6;
      }
    } else if (op < 4) {
      fin_tw_store_free(st, fin_tw_lookup(st, &x->t), &x->t);
      x->alive = false;
    } else if (op < 7) {
      uint32_t j = fin_tw_store_renew(st, fin_tw_lookup(st, &x->t));
      assert_int_not_equal(j, FIN_NONE_IDX);
      fin_tw_rec(st, j)->deadline_ms = x->deadline = clock++;
    }
    check(st, e);
  }
  assert_true(wide_used);
  /* Expiry order: the oldest each time, deadlines never going back. */
  uint32_t last = 0;
  for (uint32_t i; (i = fin_tw_oldest(st)) != FIN_NONE_IDX;) {
    uint32_t d = fin_tw_rec(st, i)->deadline_ms;
    assert_true(d >= last);
    last = d;
    struct fin_4tuple t;
    fin_tw_tuple(st, i, &t);
    fin_tw_store_free(st, i, &t);
  }
  assert_int_equal(st->tw_count, 0);
  /* Back to where it started but for at most two pages per log (the
   * part-used one at the tail and the spare) and the rings of page
   * pointers, which halve as pages go. */
  size_t spare = 2 * (size_t)PAGE * sizeof(struct fin_tw6) + 8 * sizeof(void *);
  assert_true(fin_stack_memory_in_use(st) <= base + TW_LOGS * spare);
  fin_stack_free(st);
  assert_int_equal(ta.live_bytes, 0);
}

/* E2 again and again on two records among many: the holes the restarts
 * leave are compacted, so memory stays that of the records. */
static void test_renewals_do_not_grow_memory(void **state) {
  (void)state;
  struct test_alloc ta;
  struct fin_stack *st = stack_for(&ta);
  uint32_t clock = 1;
  for (uint32_t k = 0; k < 1000; k++) {
    struct fin_4tuple t = tuple_for(k * 5); /* IPv4 */
    uint32_t i = fin_tw_store_alloc(st, &t);
    fin_tw_rec(st, i)->deadline_ms = clock++;
  }
  size_t held = fin_stack_memory_in_use(st);
  struct fin_4tuple a = tuple_for(0), b = tuple_for(5);
  for (int n = 0; n < 100000; n++) {
    const struct fin_4tuple *t = n % 2 ? &a : &b;
    uint32_t j = fin_tw_store_renew(st, fin_tw_lookup(st, t));
    assert_int_not_equal(j, FIN_NONE_IDX);
    fin_tw_rec(st, j)->deadline_ms = clock++;
  }
  /* At most the pages of 2 x 1000 record slots and their ring. */
  assert_true(fin_stack_memory_in_use(st) <= held + 9 * PAGE * sizeof(struct fin_tw4));
  assert_int_equal(st->tw_count, 1000);
  uint32_t o = fin_tw_oldest(st);
  struct fin_4tuple t, third = tuple_for(10);
  fin_tw_tuple(st, o, &t);
  assert_true(fin_tuple_eq(&t, &third));
  assert_int_equal(fin_tw_rec(st, o)->deadline_ms, 3); /* the third made; 1 and 2 renewed */
  fin_stack_free(st);
  assert_int_equal(ta.live_bytes, 0);
}

/* Issue 14: at most 56 bytes a record with the tables, IPv4 and IPv6 (one
 * local address, as a server or a client of one address has), at 10 k and
 * at 300 k records. */
static void check_cost(bool v6, uint32_t n) {
  struct test_alloc ta;
  struct fin_stack *st = stack_for(&ta);
  uint32_t clock = 1;
  for (uint32_t k = 0; k < n; k++) {
    struct fin_4tuple t;
    memset(&t, 0, sizeof(t));
    if (v6) {
      uint8_t l[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
      uint8_t r[16] = {
          0xfd,      1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)(k >> 16), (uint8_t)(k >> 8),
          (uint8_t)k};
      t.local_addr = fin_addr_v6(l);
      t.remote_addr = fin_addr_v6(r);
    } else {
      t.local_addr = fin_addr_v4(0x0a000001u);
      t.remote_addr = fin_addr_v4(0x0b000000u + k);
    }
    t.local_port = 80;
    t.remote_port = 40000;
    uint32_t i = fin_tw_store_alloc(st, &t);
    assert_int_not_equal(i, FIN_NONE_IDX);
    fin_tw_rec(st, i)->deadline_ms = clock++;
  }
  assert_int_equal(st->tw_count, n);
  assert_true(fin_stack_time_wait_memory(st) <= 56 * (size_t)n);
  fin_stack_free(st);
  assert_int_equal(ta.live_bytes, 0);
}

static void test_record_cost_with_tables(void **state) {
  (void)state;
  check_cost(false, 10000);
  check_cost(true, 10000);
  check_cost(false, 300000);
  check_cost(true, 300000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_store_matches_model),
      cmocka_unit_test(test_renewals_do_not_grow_memory),
      cmocka_unit_test(test_record_cost_with_tables),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
