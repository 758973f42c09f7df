/* SPDX-License-Identifier: MIT */
/* Memory follows the load both ways (issue 14): after a burst of
 * connections has opened, carried data, closed and left TIME-WAIT, the
 * stacks' tables (connection hash, timer heap, handle slots, TIME-WAIT
 * slab and buckets) are back near their size before it (pair_connect
 * opens each through a listener of its own, closed once accepted), and handles of
 * the burst stay stale (-EBADF) even after the handle table has shrunk
 * and grown again. Under ASan: every resize is checked for use after free. */
#include <errno.h>
#include <string.h>

#include "internal.h" /* struct fin_conn_bufs */
#include "pair.h"

#define BURST 1000

static fin_sock cs[BURST], ss[BURST];

static void test_tables_give_memory_back_after_a_burst(void **state) {
  (void)state;
  struct pair p;
  pair_init(&p, NULL, NULL);
  /* One connection first, so one-time tables (the port map) exist. */
  fin_sock c0, s0;
  pair_connect(&p, 80, &c0, &s0);
  fin_close(p.st[0], c0);
  fin_close(p.st[1], s0);
  pair_run_for(&p, FIN_SEC(200));
  size_t base[2] = {fin_stack_memory_in_use(p.st[0]), fin_stack_memory_in_use(p.st[1])};
  for (int i = 0; i < BURST; i++)
    pair_connect(&p, 80, &cs[i], &ss[i]);
  pair_run_for(&p, FIN_MS(100));
  assert_int_equal(fin_stack_conn_count(p.st[0]), BURST);
  size_t peak = fin_stack_memory_in_use(p.st[0]);
  for (int i = 0; i < BURST; i++) {
    fin_close(p.st[0], cs[i]);
    fin_close(p.st[1], ss[i]);
    if (i % 50 == 49)
      pair_run_for(&p, FIN_MS(10)); /* a window of FINs at a time: the wire holds 512 */
  }
  pair_run_for(&p, FIN_SEC(200)); /* past 2*MSL: every record expires */
  assert_int_equal(fin_stack_conn_count(p.st[0]), 0);
  assert_int_equal(fin_stack_conn_count(p.st[1]), 0);
  assert_int_equal(fin_stack_time_wait_count(p.st[0]), 0);
  size_t after[2] = {fin_stack_memory_in_use(p.st[0]), fin_stack_memory_in_use(p.st[1])};
  /* Within 10 % of before (no data was carried, so the buffer pool keeps
   * nothing; test_ring checks that it gives back what it held). */
  for (int h = 0; h < 2; h++)
    assert_true(after[h] <= base[h] + base[h] / 10);
  assert_true(peak > after[0] + BURST * fin_tcb_size()); /* the burst did cost memory */
  /* Stale handles stay stale after the slot table shrank... */
  assert_int_equal(fin_send(p.st[0], cs[BURST - 1], "x", 1, 0), -EBADF);
  assert_int_equal(fin_close(p.st[1], ss[BURST / 2]), -EBADF);
  /* ... and after it grew again: no new socket answers to an old handle. */
  static fin_sock again[BURST];
  for (int i = 0; i < BURST; i++) {
    again[i] = fin_socket(p.st[0]);
    assert_true(again[i] >= 0);
  }
  for (int i = 0; i < BURST; i++) {
    assert_int_equal(fin_close(p.st[0], cs[i]), -EBADF);
    for (int k = i; k < i + 1; k++)
      assert_true(again[k] != cs[i]);
  }
  for (int i = 0; i < BURST; i++)
    assert_int_equal(fin_close(p.st[0], again[i]), 0);
  pair_free(&p);
}

/* An idle connection that has carried data holds no buffer memory: its
 * rings gave back their chunks as the bytes were read or acknowledged,
 * and their chunk maps once empty (issue 14: "<= 320 B per idle
 * connection"). 1,000 connections exchange 100 bytes each way, then sit
 * idle: beyond their TCBs, their ring blocks and tables only what the
 * pool keeps for reuse remains (at most FIN_POOL_KEEP_MIN chunks and
 * maps). */
static void test_idle_connections_hold_no_buffers(void **state) {
  (void)state;
  struct pair p;
  pair_init(&p, NULL, NULL);
  fin_sock c0, s0;
  pair_connect(&p, 80, &c0, &s0);
  size_t one = fin_stack_memory_in_use(p.st[0]);
  for (int i = 0; i < BURST; i++)
    pair_connect(&p, 80, &cs[i], &ss[i]);
  size_t idle = fin_stack_memory_in_use(p.st[0]);
  static uint8_t msg[100], in[200];
  for (int i = 0; i < BURST; i++) {
    assert_int_equal(fin_send(p.st[0], cs[i], msg, sizeof(msg), 0), sizeof(msg));
    assert_int_equal(fin_send(p.st[1], ss[i], msg, sizeof(msg), 0), sizeof(msg));
    if (i % 50 == 49)
      pair_run_for(&p, FIN_MS(10));
  }
  pair_run_for(&p, FIN_SEC(1));
  for (int i = 0; i < BURST; i++) {
    assert_int_equal(pair_read_all(&p, 0, cs[i], in, sizeof(in)), sizeof(msg));
    assert_int_equal(pair_read_all(&p, 1, ss[i], in, sizeof(in)), sizeof(msg));
  }
  pair_run_for(&p, FIN_SEC(1)); /* the last ACKs */
  assert_int_equal(fin_stack_buffer_memory(p.st[0]), 0);
  size_t after = fin_stack_memory_in_use(p.st[0]);
  size_t map = (65536 / fin_stack_buffer_chunk(p.st[0]) + 1) * sizeof(void *);
  size_t pool = 64 * fin_stack_buffer_chunk(p.st[0]) + 64 * map;
  /* Each connection that carried data keeps its block of two rings (the
   * ring state a TCB held inline before issue 14 moved it out for the
   * connections that never carry any): no buffer, no chunk map. */
  assert_true(after <= idle + pool + BURST * sizeof(struct fin_conn_bufs));
  assert_true(idle - one >= BURST * fin_tcb_size());
  for (int i = 0; i < BURST; i++) {
    fin_close(p.st[0], cs[i]);
    fin_close(p.st[1], ss[i]);
    if (i % 50 == 49)
      pair_run_for(&p, FIN_MS(10));
  }
  fin_close(p.st[0], c0);
  fin_close(p.st[1], s0);
  pair_run_for(&p, FIN_SEC(200));
  pair_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tables_give_memory_back_after_a_burst),
      cmocka_unit_test(test_idle_connections_hold_no_buffers),
  };
  return PAIR_RUN_BOTH(tests);
}
