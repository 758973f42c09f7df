/* SPDX-License-Identifier: MIT */
/* Reassembly never stalls a transfer, BEHAVIOR M15: with its 8 ranges
 * full, the out-of-order store forgets the range furthest from RCV.NXT to
 * take a nearer one, and always takes the in-order segment; a range that
 * would itself be the furthest is refused (counted). */
#include <string.h>

#include "peer.h"

static void data(struct peer *p, uint32_t from, uint32_t to) {
  peer_send(p, TCP_A, R(p, from), L(p, 1), NULL, to - from);
}

/* ESTABLISHED with 8 out-of-order ranges held: [1001+2000k, 2001+2000k). */
static void hold_eight_ranges(struct peer *p) {
  peer_init(p, NULL);
  peer_establish_passive(p);
  for (uint32_t k = 0; k < 8; k++) {
    data(p, 1001 + 2000 * k, 2001 + 2000 * k);
    peer_expect(p, TCP_A, L(p, 1), R(p, 1));
  }
  assert_int_equal(peer_counters(p)->ooo_queued, 8);
}

/* BEHAVIOR M15: the in-order segment does not reach the first range; it
 * still advances RCV.NXT (the furthest range is forgotten to make room),
 * and the transfer goes on: the filler joins the first range. */
/* ATTACK T78 */
static void test_in_order_segment_advances_with_store_full(void **state) {
  (void)state;
  struct peer p;
  hold_eight_ranges(&p);
  data(&p, 1, 301);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 301));
  assert_int_equal(peer_counters(&p)->ooo_pruned, 1);
  data(&p, 301, 1001);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 2001));
  assert_int_equal(fin_inq(p.st, p.s), 2000);
  peer_expect_nothing(&p); /* the audit: no in-order segment was refused */
  peer_free(&p);
}

/* BEHAVIOR M15: a ninth range beyond all eight is refused (TCPOFODrop);
 * a nearer one takes the place of the furthest (OfoPruned), which the
 * sender then simply resends. */
/* ATTACK T78 */
static void test_full_store_refuses_furthest_prunes_for_nearer(void **state) {
  (void)state;
  struct peer p;
  hold_eight_ranges(&p);
  data(&p, 17001, 18001);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  assert_int_equal(peer_counters(&p)->drop_ooo_no_room, 1);
  data(&p, 501, 601);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  assert_int_equal(peer_counters(&p)->ooo_pruned, 1);
  /* Everything arrives in order at last, the forgotten range included. */
  uint32_t acked = 0;
  for (uint32_t from = 1; from < 17001; from += 1000) {
    data(&p, from, from + 1000);
    size_t n;
    while ((n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now)) > 0) {
      assert_int_equal(fin_tcp_parse(p.buf, n, &p.last), FIN_WIRE_OK);
      acked = p.last.ack;
    }
  }
  peer_advance(&p, FIN_SEC(1)); /* a delayed ACK, if any */
  size_t n;
  while ((n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now)) > 0) {
    assert_int_equal(fin_tcp_parse(p.buf, n, &p.last), FIN_WIRE_OK);
    acked = p.last.ack;
  }
  assert_int_equal(acked, R(&p, 17001));
  assert_int_equal(fin_inq(p.st, p.s), 17000);
  peer_free(&p);
}

/* Memory follows the holes (issue 14): the out-of-order store exists only
 * while a hole does - made by the first segment beyond RCV.NXT, given back
 * when the filler arrives - so a connection that never sees reordering
 * carries none of it. */
static void test_store_exists_only_while_a_hole_does(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  data(&p, 1, 101); /* in order: the ring takes its chunk, no store */
  peer_advance(&p, FIN_SEC(1));
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 101));
  size_t in_order = fin_stack_memory_in_use(p.st);
  data(&p, 201, 301);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 101));
  size_t holding = fin_stack_memory_in_use(p.st);
  assert_true(holding > in_order);
  data(&p, 101, 201); /* the filler */
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 301));
  assert_int_equal(fin_stack_memory_in_use(p.st), in_order);
  assert_int_equal(fin_inq(p.st, p.s), 300);
  peer_expect_nothing(&p);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_in_order_segment_advances_with_store_full),
      cmocka_unit_test(test_full_store_refuses_furthest_prunes_for_nearer),
      cmocka_unit_test(test_store_exists_only_while_a_hole_does),
  };
  return PEER_RUN_BOTH(tests);
}
