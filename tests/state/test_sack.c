/* SPDX-License-Identifier: MIT */
/* SACK blocks fin sends, BEHAVIOR M8 (RFC 2018 §4, RFC 2883): the block
 * holding the segment that triggered the ACK first, then the others most
 * recently changed first; a duplicate reported first as a D-SACK block.
 * The peer offers timestamps and SACK, so 3 blocks fit. */
#include <string.h>

#include "peer.h"

struct block {
  uint32_t left, right;
};

static void expect_sack(const struct fin_segment *s, const struct block *want, unsigned n) {
  assert_int_equal(s->opts.sack_count, n);
  for (unsigned i = 0; i < n; i++) {
    assert_int_equal(s->opts.sack[i].left, want[i].left);
    assert_int_equal(s->opts.sack[i].right, want[i].right);
  }
}

/* The peer sends [R(from), R(to)). */
static void data(struct peer *p, uint32_t from, uint32_t to) {
  peer_send(p, TCP_A, R(p, from), L(p, 1), NULL, to - from);
}

/* BEHAVIOR M8: three out-of-order segments: each ACK lists the newest
 * block first. */
static void test_sack_blocks_most_recent_first(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  peer_establish_passive(&p);
  data(&p, 1001, 2001);
  expect_sack(peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1)),
              (struct block[]){{R(&p, 1001), R(&p, 2001)}}, 1);
  data(&p, 3001, 4001);
  expect_sack(peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1)),
              (struct block[]){{R(&p, 3001), R(&p, 4001)}, {R(&p, 1001), R(&p, 2001)}}, 2);
  data(&p, 5001, 6001);
  expect_sack(peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1)),
              (struct block[]){{R(&p, 5001), R(&p, 6001)},
                               {R(&p, 3001), R(&p, 4001)},
                               {R(&p, 1001), R(&p, 2001)}},
              3);
  data(&p, 2001, 2501); /* grows the first block: it goes first */
  expect_sack(peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1)),
              (struct block[]){{R(&p, 1001), R(&p, 2501)},
                               {R(&p, 5001), R(&p, 6001)},
                               {R(&p, 3001), R(&p, 4001)}},
              3);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR M8 (RFC 2883 §4): a segment wholly inside a block fin holds is
 * reported first as a D-SACK block, then the block it duplicated; once,
 * the next ACK no longer carries it. */
static void test_duplicate_of_held_block_reported_as_dsack(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  peer_establish_passive(&p);
  data(&p, 1001, 2001);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  data(&p, 3001, 4001);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  data(&p, 1001, 2001); /* a spurious retransmission */
  expect_sack(peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1)),
              (struct block[]){{R(&p, 1001), R(&p, 2001)},
                               {R(&p, 1001), R(&p, 2001)},
                               {R(&p, 3001), R(&p, 4001)}},
              3);
  data(&p, 5001, 6001);
  expect_sack(peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1)),
              (struct block[]){{R(&p, 5001), R(&p, 6001)},
                               {R(&p, 1001), R(&p, 2001)},
                               {R(&p, 3001), R(&p, 4001)}},
              3);
  peer_free(&p);
}

/* BEHAVIOR M8 (RFC 2883 §4.1): data below RCV.NXT again: the D-SACK block
 * lies below the cumulative ACK, the held blocks follow. */
static void test_old_duplicate_reported_as_dsack_below_ack(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  peer_establish_passive(&p);
  data(&p, 1, 1001);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1001));
  data(&p, 2001, 3001);
  expect_sack(peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1001)),
              (struct block[]){{R(&p, 2001), R(&p, 3001)}}, 1);
  data(&p, 1, 1001); /* its ACK was lost: it comes again */
  expect_sack(peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1001)),
              (struct block[]){{R(&p, 1), R(&p, 1001)}, {R(&p, 2001), R(&p, 3001)}}, 2);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR M8: a segment that is partly old reports its old part. */
static void test_partly_old_segment_reports_old_part_as_dsack(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  peer_establish_passive(&p);
  data(&p, 1, 1001);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1001));
  data(&p, 501, 1501);
  expect_sack(peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1501)),
              (struct block[]){{R(&p, 501), R(&p, 1001)}}, 1);
  assert_int_equal(fin_inq(p.st, p.s), 1500);
  peer_free(&p);
}

/* BEHAVIOR M8 (RFC 2883 §4.1.2): an out-of-order segment that partly
 * repeats a block fin holds reports the repeated bytes as a D-SACK, then
 * the grown block. */
static void test_partial_duplicate_of_held_block_reports_overlap(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  peer_establish_passive(&p);
  data(&p, 1001, 2001);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  data(&p, 3001, 4001);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  data(&p, 1501, 2501);
  expect_sack(peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1)),
              (struct block[]){{R(&p, 1501), R(&p, 2001)},
                               {R(&p, 1001), R(&p, 2501)},
                               {R(&p, 3001), R(&p, 4001)}},
              3);
  data(&p, 2501, 3501); /* joins both blocks and repeats 3001..3501 */
  expect_sack(peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1)),
              (struct block[]){{R(&p, 3001), R(&p, 3501)}, {R(&p, 1001), R(&p, 4001)}}, 2);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR M8 (RFC 2883 §4.1.3, Linux tcp_ofo_queue): an in-order segment
 * that runs over a held block reports the bytes it repeated; the blocks
 * still held follow. */
static void test_in_order_segment_over_held_block_reports_overlap(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  peer_establish_passive(&p);
  data(&p, 501, 1001);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  data(&p, 1501, 2001);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  data(&p, 1, 1001);
  expect_sack(peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1001)),
              (struct block[]){{R(&p, 501), R(&p, 1001)}, {R(&p, 1501), R(&p, 2001)}}, 2);
  peer_expect_nothing(&p);
  assert_int_equal(fin_inq(p.st, p.s), 1000);
  peer_free(&p);
}

/* BEHAVIOR M8 with RFC 5681 §4.2: past quick-ACK mode one in-order segment
 * waits for the delayed ACK, but a segment that began before RCV.NXT is
 * out of order: its ACK, with the D-SACK, goes at once. */
static void test_partly_old_segment_acked_at_once_after_quickack(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.quickack_segments = 0;
  struct peer p;
  peer_init_ts(&p, &s);
  peer_establish_passive(&p);
  data(&p, 1, 101);
  peer_expect_nothing(&p); /* delayed */
  peer_advance(&p, s.delack);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 101));
  data(&p, 51, 201);
  expect_sack(peer_expect(&p, TCP_A, L(&p, 1), R(&p, 201)),
              (struct block[]){{R(&p, 51), R(&p, 101)}}, 1);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR A6 with M8 (ATTACK T36, blind duplicate-ACK injection; found by
 * tests/abuse spoof): an old duplicate whose ACK the rate limit holds back
 * is reported by no later segment. Half the sequence space lies "below"
 * RCV.NXT, so a blind attacker's data would otherwise choose the D-SACK
 * block of the next real segment and, that option shrinking the MSS,
 * release at once a segment Nagle was holding. */
static void test_rate_limited_old_duplicate_reports_no_dsack(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  peer_establish_passive(&p);
  data(&p, 1, 1001);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1001));
  int mss = 0;
  size_t len = sizeof(mss);
  assert_int_equal(fin_getsockopt(p.st, p.s, FIN_TCP_MAXSEG, &mss, &len), 0);
  uint8_t buf[4096];
  memset(buf, 'a', sizeof(buf));
  size_t total = 2 * (size_t)mss - 12; /* a full segment, then one a SACK block's size short */
  assert_int_equal(fin_send(p.st, p.s, buf, total, 0), (ssize_t)total);
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1001), (uint32_t)mss);
  peer_expect_nothing(&p); /* Nagle holds the rest behind the unacknowledged segment */
  peer_send(&p, TCP_S, R(&p, 5000000), 0, NULL, 0); /* takes this 500 ms's challenge ACK */
  peer_expect(&p, TCP_A, L(&p, 1 + mss), R(&p, 1001));
  peer_send(&p, TCP_A | TCP_P, R(&p, 1) - 100000u, L(&p, 1), NULL, 100); /* "old" data */
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 1001), L(&p, 1 + mss), NULL, 0);
  const struct fin_segment *s = peer_expect(&p, TCP_A | TCP_P, L(&p, 1 + mss), R(&p, 1001));
  assert_int_equal(s->payload_len, (uint32_t)mss - 12);
  assert_int_equal(s->opts.sack_count, 0);
  peer_expect_nothing(&p);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sack_blocks_most_recent_first),
      cmocka_unit_test(test_duplicate_of_held_block_reported_as_dsack),
      cmocka_unit_test(test_old_duplicate_reported_as_dsack_below_ack),
      cmocka_unit_test(test_partly_old_segment_reports_old_part_as_dsack),
      cmocka_unit_test(test_partial_duplicate_of_held_block_reports_overlap),
      cmocka_unit_test(test_in_order_segment_over_held_block_reports_overlap),
      cmocka_unit_test(test_partly_old_segment_acked_at_once_after_quickack),
      cmocka_unit_test(test_rate_limited_old_duplicate_reports_no_dsack),
  };
  return PEER_RUN_BOTH(tests);
}
