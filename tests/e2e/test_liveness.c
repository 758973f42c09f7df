/* SPDX-License-Identifier: MIT */
/* Two fin stacks back to back, for what must not happen: a transfer that
 * stops advancing, a connection left without a deadline, throughput lost
 * to control segments the peer must drop. BEHAVIOR M1, M3, M15 (and the
 * pair harness audits both stacks after every step). Virtual time bounds
 * every wait. */
#include <errno.h>
#include <string.h>

#include "pair.h"

static void fill(uint8_t *b, size_t n, uint32_t seed) {
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    b[i] = (uint8_t)(seed >> 16);
  }
}

/* Sends all of out from host `from` to `to` (socket sf -> st), reading as it
 * arrives, until done or `limit` of virtual time passed; returns bytes read. */
static size_t transfer(struct pair *p, int from, fin_sock sf, fin_sock sto, const uint8_t *out,
                       uint8_t *in, size_t n, fin_time limit) {
  size_t off = 0, got = 0;
  fin_time end = p->now + limit;
  while (got < n && p->now < end) {
    ssize_t k = off < n ? fin_send(p->st[from], sf, out + off, n - off, 0) : 0;
    if (k > 0)
      off += (size_t)k;
    pair_run_for(p, FIN_MS(10));
    got += pair_read_all(p, 1 - from, sto, in + got, n - got);
  }
  return got;
}

/* BEHAVIOR M1: a is probing b's zero window (b's application stopped
 * reading) while b sends 200 KB the other way. a's ACKs carry SND.UNA, not
 * the probe byte's SND.UNA+1, so b accepts every one: the reverse transfer
 * runs at full speed, with no retransmission timeout at b. */
static void test_reverse_transfer_unharmed_by_zero_window_probes(void **state) {
  (void)state;
  static struct pair p;
  struct fin_settings sb;
  fin_settings_default(&sb);
  sb.rcvbuf = 4096;
  pair_init(&p, NULL, &sb);
  fin_sock a, b;
  pair_connect(&p, 80, &a, &b);
  static uint8_t fwd[20000];
  assert_int_equal(fin_send(p.st[0], a, fwd, sizeof(fwd), 0), (ssize_t)sizeof(fwd));
  pair_run_for(&p, FIN_SEC(5)); /* b's window shuts; a probes */
  assert_true(fin_stack_counters(p.st[0])->persist_probes > 0);
  static uint8_t out[200000], in[200000];
  fill(out, sizeof(out), 3);
  fin_time t0 = p.now;
  assert_int_equal(transfer(&p, 1, b, a, out, in, sizeof(out), FIN_SEC(60)), sizeof(out));
  assert_memory_equal(in, out, sizeof(out));
  assert_true(p.now - t0 < FIN_SEC(2)); /* 10 ms each way: ~20 RTTs of slow start */
  assert_int_equal(fin_stack_counters(p.st[1])->rto_timeouts, 0);
  pair_free(&p);
}

/* BEHAVIOR M3 (a), F4, M1: b's application never reads; a sends 100 KB and
 * closes. The orphan in FIN-WAIT-1 probes b's zero window, gives up after
 * orphan_retries probes, and its RST (at the sequence number b's zero
 * window accepts) resets b: both ends CLOSED, in bounded time. */
/* ATTACK T73 */
static void test_close_behind_zero_window_ends_both_sides(void **state) {
  (void)state;
  static struct pair p;
  struct fin_settings sb;
  fin_settings_default(&sb);
  sb.rcvbuf = 8192;
  pair_init(&p, NULL, &sb);
  fin_sock a, b;
  pair_connect(&p, 80, &a, &b);
  uint64_t ida = fin_sock_conn_id(p.st[0], a), idb = fin_sock_conn_id(p.st[1], b);
  static uint8_t data[60000];
  assert_int_equal(fin_send(p.st[0], a, data, sizeof(data), 0), (ssize_t)sizeof(data));
  pair_run_for(&p, FIN_SEC(1));
  assert_int_equal(fin_close(p.st[0], a), 0);
  pair_run_for(&p, FIN_SEC(600));
  assert_int_equal(fin_stack_conn_count(p.st[0]), 0);
  const struct fin_event *ea = pair_closed_event(&p, 0, ida), *eb = pair_closed_event(&p, 1, idb);
  assert_non_null(ea);
  assert_int_equal(ea->reason, FIN_REASON_RETRANSMIT_TIMEOUT);
  assert_non_null(eb);
  assert_int_equal(eb->reason, FIN_REASON_RESET);
  assert_int_equal(fin_recv(p.st[1], b, data, 10, 0), -ECONNRESET); /* H4 flushes */
  pair_free(&p);
}

struct drop_update {
  bool armed;
  int dropped;
};

/* Drops b's first window update once b starts reading again. */
static bool drop_window_update(struct pair *p, int from, const struct fin_segment *seg, void *ctx) {
  (void)p;
  struct drop_update *d = ctx;
  if (from == 1 && d->armed && d->dropped == 0 && seg->payload_len == 0 && seg->wnd > 0) {
    d->dropped++;
    return true;
  }
  return false;
}

/* BEHAVIOR J5, M3: b's window shut, then b reads everything; its window
 * update is lost. a, with nothing in flight, still has its persist timer,
 * whose probe brings the open window back: the transfer completes. */
static void test_lost_window_update_does_not_stall(void **state) {
  (void)state;
  static struct pair p;
  struct fin_settings sb;
  fin_settings_default(&sb);
  sb.rcvbuf = 4096;
  pair_init(&p, NULL, &sb);
  struct drop_update d = {0};
  p.filter = drop_window_update;
  p.filter_ctx = &d;
  fin_sock a, b;
  pair_connect(&p, 80, &a, &b);
  static uint8_t out[30000], in[30000];
  fill(out, sizeof(out), 9);
  assert_int_equal(fin_send(p.st[0], a, out, sizeof(out), 0), (ssize_t)sizeof(out));
  pair_run_for(&p, FIN_MS(500)); /* b's 4 KiB fill up */
  d.armed = true;
  size_t got = pair_read_all(&p, 1, b, in, sizeof(in));
  for (int i = 0; i < 6000 && got < sizeof(out); i++) {
    pair_run_for(&p, FIN_MS(10));
    got += pair_read_all(&p, 1, b, in + got, sizeof(in) - got);
  }
  assert_int_equal(d.dropped, 1);
  assert_int_equal(got, sizeof(out));
  assert_memory_equal(in, out, sizeof(out));
  pair_free(&p);
}

struct drop_first {
  uint32_t seq[20];
  unsigned n, seen;
};

/* Once slow start has opened the window (after 60 data segments), drops
 * the first transmission of two data segments in every three: ten holes of
 * two segments in one window at b, more ranges than its out-of-order store
 * holds; each hole's first retransmission is in order without reaching the
 * range beyond it. */
static bool drop_ten_first_transmissions(struct pair *p, int from, const struct fin_segment *seg,
                                         void *ctx) {
  (void)p;
  struct drop_first *d = ctx;
  if (from != 0 || seg->payload_len == 0)
    return false;
  for (unsigned i = 0; i < d->n; i++)
    if (d->seq[i] == seg->seq)
      return false; /* retransmissions go through */
  if (++d->seen > 60 && d->n < 20 && d->seen % 3 != 0) {
    d->seq[d->n++] = seg->seq;
    return true;
  }
  return false;
}

/* BEHAVIOR M15: twenty first transmissions lost in one window leave b with
 * more out-of-order ranges than its store holds. In-order data always gets
 * in, so the transfer of 600,000 bytes completes, byte for byte, in seconds
 * of virtual time - not a stall ending in ETIMEDOUT after 925 s. */
/* ATTACK T78 */
static void test_ten_holes_in_one_window_do_not_stall(void **state) {
  (void)state;
  static struct pair p;
  struct fin_settings big;
  fin_settings_default(&big);
  big.sndbuf = big.rcvbuf = 256 * 1024; /* room for ~180 segments in flight */
  pair_init(&p, &big, &big);
  p.gap = FIN_MS(1) / 10; /* 100 us a datagram: segments arrive one by one */
  struct drop_first d = {0};
  fin_sock a, b;
  pair_connect(&p, 80, &a, &b);
  p.filter = drop_ten_first_transmissions;
  p.filter_ctx = &d;
  static uint8_t out[200000], in[200000];
  fill(out, sizeof(out), 11);
  /* b reads only at the end: its window stays put, so each hole draws
   * honest duplicate ACKs (RFC 5681 §2) and fast retransmission. */
  assert_int_equal(fin_send(p.st[0], a, out, sizeof(out), 0), (ssize_t)sizeof(out));
  fin_time t0 = p.now;
  for (int i = 0; i < 600 && fin_inq(p.st[1], b) < (int)sizeof(out); i++)
    pair_run_for(&p, FIN_MS(100));
  assert_true(p.now - t0 < FIN_SEC(10));
  assert_int_equal(pair_read_all(&p, 1, b, in, sizeof(in)), sizeof(out));
  assert_memory_equal(in, out, sizeof(out));
  assert_int_equal(d.n, 20);
  pair_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reverse_transfer_unharmed_by_zero_window_probes),
      cmocka_unit_test(test_close_behind_zero_window_ends_both_sides),
      cmocka_unit_test(test_lost_window_update_does_not_stall),
      cmocka_unit_test(test_ten_holes_in_one_window_do_not_stall),
  };
  return PAIR_RUN_BOTH(tests);
}
