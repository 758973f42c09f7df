/* SPDX-License-Identifier: MIT */
/* Segmentation offload (fin_stack_output_gso, docs/engine.md "Segmentation
 * offload"): two stacks given the same seed, segments and time, one drained
 * with fin_stack_output, the other with fin_stack_output_gso and its
 * super-segments cut by fin_gso_segment. The pieces must be the segments,
 * byte for byte and in order: same headers, options, flags, checksums, and
 * the same accounting afterwards (what the next ACK makes each send). */
#include <string.h>

#include "peer.h"

#define OUT_MAX 256
#define DG_MAX  FIN_GSO_DATAGRAM_MAX

struct capture {
  uint8_t *dg[OUT_MAX];
  size_t len[OUT_MAX];
  size_t n;
  size_t supers;    /* datagrams with gso_size != 0 */
  size_t datagrams; /* what fin_stack_output_gso returned, super or not */
  size_t max_payload;
};

static void capture_add(struct capture *c, const uint8_t *d, size_t len) {
  assert_true(c->n < OUT_MAX);
  c->dg[c->n] = test_malloc(len);
  memcpy(c->dg[c->n], d, len);
  c->len[c->n++] = len;
}

static void capture_free(struct capture *c) {
  for (size_t i = 0; i < c->n; i++)
    test_free(c->dg[i]);
  memset(c, 0, sizeof(*c));
}

/* Everything due from a, one segment per call, as today. */
static void drain_plain(struct peer *a, struct capture *out) {
  uint8_t buf[1600];
  size_t n;
  while ((n = fin_stack_output(a->st, buf, sizeof(buf), a->now)) > 0)
    capture_add(out, buf, n);
}

/* Everything due from b with offload, each super-segment cut in software. */
static void drain_gso(struct peer *b, struct capture *out) {
  static uint8_t big[DG_MAX + 1];
  uint8_t piece[1600];
  uint16_t gso = 0;
  size_t n;
  while ((n = fin_stack_output_gso(b->st, big, sizeof(big), &gso, b->now)) > 0) {
    struct fin_segment seg;
    assert_int_equal(fin_tcp_parse(big, n, &seg), FIN_WIRE_OK); /* the whole checksum is right */
    out->datagrams++;
    if (seg.payload_len > out->max_payload)
      out->max_payload = seg.payload_len;
    if (gso != 0) {
      out->supers++;
      assert_true(seg.payload_len > gso);
    }
    size_t k, m;
    for (k = 0; (m = fin_gso_segment(big, n, gso, k, piece, sizeof(piece))) > 0; k++)
      capture_add(out, piece, m);
    assert_int_equal(k, fin_gso_count(big, n, gso));
  }
}

static void assert_same(const struct capture *a, const struct capture *b) {
  assert_int_equal(a->n, b->n);
  for (size_t i = 0; i < a->n; i++) {
    assert_int_equal(a->len[i], b->len[i]);
    assert_memory_equal(a->dg[i], b->dg[i], a->len[i]);
  }
}

static void assert_same_free(struct capture *a, struct capture *b) {
  assert_same(a, b);
  capture_free(a);
  capture_free(b);
}

/* Drains both; asserts the same segments; returns how many and the peer's
 * ACK point (the highest end of data seen). */
static size_t drain_compare(struct peer *a, struct peer *b, size_t *supers, uint32_t *end) {
  struct capture ca, cb;
  memset(&ca, 0, sizeof(ca));
  memset(&cb, 0, sizeof(cb));
  drain_plain(a, &ca);
  drain_gso(b, &cb);
  assert_same(&ca, &cb);
  for (size_t i = 0; i < ca.n; i++) {
    struct fin_segment seg;
    assert_int_equal(fin_tcp_parse(ca.dg[i], ca.len[i], &seg), FIN_WIRE_OK);
    uint32_t e = seg.seq + (uint32_t)seg.payload_len + !!(seg.flags & FIN_TCP_FIN);
    if (end != NULL && (int32_t)(e - *end) > 0)
      *end = e;
  }
  if (supers != NULL)
    *supers += cb.supers;
  size_t n = ca.n;
  capture_free(&ca);
  capture_free(&cb);
  return n;
}

static void both_init(struct peer *a, struct peer *b, const struct fin_settings *s) {
  peer_init_ts(a, s);
  peer_init_ts(b, s);
  peer_establish_passive(a);
  peer_establish_passive(b);
}

static void both_send(struct peer *a, struct peer *b, size_t len) {
  static uint8_t data[1 << 18];
  for (size_t i = 0; i < len && i < sizeof(data); i++)
    data[i] = (uint8_t)(i * 7 + 3);
  assert_int_equal(fin_send(a->st, a->s, data, len, 0), (ssize_t)len);
  assert_int_equal(fin_send(b->st, b->s, data, len, 0), (ssize_t)len);
}

/* The peer ACKs up to `ack` on both, dt later. */
static void both_ack(struct peer *a, struct peer *b, uint32_t ack, fin_time dt) {
  a->now += dt;
  b->now += dt;
  peer_send(a, TCP_A, R(a, 1), ack, NULL, 0);
  peer_send(b, TCP_A, R(b, 1), ack, NULL, 0);
}

static void both_free(struct peer *a, struct peer *b) {
  peer_free(a);
  peer_free(b);
}

static void settings_big_buffers(struct fin_settings *s) {
  fin_settings_default(s);
  s->sndbuf = 1u << 18;
  s->sndbuf_max = 1u << 18;
}

/* Bulk transfer in slow start: every flight is one super-segment of what
 * cwnd allows (IW10 first), cut back into exactly the segments. */
static void test_gso_bulk_pieces_equal_segments(void **state) {
  (void)state;
  struct fin_settings s;
  settings_big_buffers(&s);
  struct peer a, b;
  both_init(&a, &b, &s);
  both_send(&a, &b, 200000);
  uint32_t end = L(&a, 1);
  size_t supers = 0, total = 0;
  for (int round = 0; round < 12; round++) {
    total += drain_compare(&a, &b, &supers, &end);
    both_ack(&a, &b, end, FIN_MS(10));
  }
  total += drain_compare(&a, &b, &supers, &end);
  assert_true(supers >= 5); /* offload was used, not just allowed */
  assert_int_equal(end, L(&a, 1 + 200000));
  assert_true(total >= 200000 / PEER_MSS(&a));
  assert_int_equal(peer_counters(&a)->out_segs, peer_counters(&b)->out_segs);
  assert_int_equal(peer_counters(&a)->ip_out_requests, peer_counters(&b)->ip_out_requests);
  both_free(&a, &b);
}

/* The first flight is IW10 whole: ten MSS in one datagram, gso_size the
 * MSS; PSH only on the last piece (the one that empties the queue). */
static void test_gso_initial_window_one_super_segment(void **state) {
  (void)state;
  struct peer b;
  peer_init_ts(&b, NULL);
  peer_establish_passive(&b);
  static const uint8_t data[10 * 1460];
  uint32_t mss = PEER_MSS(&b) - 12; /* timestamps */
  size_t len = 10 * mss;
  assert_int_equal(fin_send(b.st, b.s, data, len, 0), (ssize_t)len);
  static uint8_t big[DG_MAX];
  uint16_t gso = 0;
  size_t n = fin_stack_output_gso(b.st, big, sizeof(big), &gso, b.now);
  struct fin_segment seg;
  assert_int_equal(fin_tcp_parse(big, n, &seg), FIN_WIRE_OK);
  assert_int_equal(gso, mss);
  assert_int_equal(seg.payload_len, len);
  assert_int_equal(seg.flags, TCP_A | TCP_P);
  uint8_t piece[1600];
  for (size_t k = 0; k < 10; k++) {
    size_t m = fin_gso_segment(big, n, gso, k, piece, sizeof(piece));
    assert_int_equal(fin_tcp_parse(piece, m, &seg), FIN_WIRE_OK);
    assert_int_equal(seg.seq, L(&b, 1 + k * mss));
    assert_int_equal(seg.payload_len, mss);
    assert_int_equal(seg.flags, k == 9 ? (TCP_A | TCP_P) : TCP_A);
  }
  assert_int_equal(fin_gso_segment(big, n, gso, 10, piece, sizeof(piece)), 0);
  assert_int_equal(fin_stack_output_gso(b.st, big, sizeof(big), &gso, b.now), 0);
  peer_free(&b);
}

/* A FIN queued behind 3.5 MSS: the super-segment carries it, and only its
 * last piece has FIN (and PSH); Nagle would have held the half segment
 * without the FIN, with it nothing is held. */
static void test_gso_fin_and_psh_only_on_last_piece(void **state) {
  (void)state;
  struct peer a, b;
  both_init(&a, &b, NULL);
  uint32_t mss = PEER_MSS(&a) - 12;
  both_send(&a, &b, 3 * mss + mss / 2);
  assert_int_equal(fin_close(a.st, a.s), 0);
  assert_int_equal(fin_close(b.st, b.s), 0);
  static uint8_t big[DG_MAX];
  uint16_t gso = 0;
  size_t n = fin_stack_output_gso(b.st, big, sizeof(big), &gso, b.now);
  struct fin_segment seg;
  assert_int_equal(fin_tcp_parse(big, n, &seg), FIN_WIRE_OK);
  assert_int_equal(gso, mss);
  assert_int_equal(seg.payload_len, 3 * mss + mss / 2);
  assert_int_equal(seg.flags, TCP_A | TCP_P | TCP_F);
  uint8_t piece[1600];
  for (size_t k = 0; k < 4; k++) {
    size_t m = fin_gso_segment(big, n, gso, k, piece, sizeof(piece));
    assert_int_equal(fin_tcp_parse(piece, m, &seg), FIN_WIRE_OK);
    assert_int_equal(seg.flags, k == 3 ? (TCP_A | TCP_P | TCP_F) : TCP_A);
  }
  /* The same as the plain stack's four segments, byte for byte. */
  struct capture ca, cb;
  memset(&ca, 0, sizeof(ca));
  memset(&cb, 0, sizeof(cb));
  drain_plain(&a, &ca);
  for (size_t k = 0; k < 4; k++)
    capture_add(&cb, piece, fin_gso_segment(big, n, gso, k, piece, sizeof(piece)));
  assert_same_free(&ca, &cb);
  assert_int_equal(fin_stack_output_gso(b.st, big, sizeof(big), &gso, b.now), 0);
  both_free(&a, &b);
}

/* The peer's window (5000 bytes, not a multiple of the MSS) bounds the
 * super-segment: three MSS, and the rest waits (sender SWS avoidance,
 * RFC 9293 §3.8.6.2.1) exactly as without offload. */
static void test_gso_bounded_by_send_window(void **state) {
  (void)state;
  struct peer a, b;
  peer_init(&a, NULL);
  peer_init(&b, NULL);
  peer_establish_passive(&a);
  peer_establish_passive(&b);
  uint32_t end = L(&a, 1);
  both_send(&a, &b, 20000);
  drain_compare(&a, &b, NULL, &end);
  /* peer_init offers no window scaling: the window is the raw field. */
  a.wnd = b.wnd = 5000;
  both_ack(&a, &b, end, FIN_MS(10));
  uint32_t before = end;
  size_t supers = 0;
  drain_compare(&a, &b, &supers, &end);
  assert_int_equal(supers, 1);
  assert_true(end - before <= 5000);
  assert_int_equal(end - before, 3 * PEER_MSS(&a));
  both_free(&a, &b);
}

/* cwnd bounds it: after the IW10 flight, an ACK of one segment (slow
 * start: cwnd + 1 MSS, two segments' room) lets exactly two more go. */
static void test_gso_bounded_by_cwnd(void **state) {
  (void)state;
  struct fin_settings s;
  settings_big_buffers(&s);
  struct peer a, b;
  both_init(&a, &b, &s);
  uint32_t mss = PEER_MSS(&a) - 12, end = L(&a, 1);
  both_send(&a, &b, 100000);
  size_t supers = 0;
  assert_int_equal(drain_compare(&a, &b, &supers, &end), 10);
  assert_int_equal(supers, 1);
  both_ack(&a, &b, L(&a, 1 + mss), FIN_MS(10));
  uint32_t before = end;
  assert_int_equal(drain_compare(&a, &b, &supers, &end), 2);
  assert_int_equal(supers, 2);
  assert_int_equal(end - before, 2 * mss);
  both_free(&a, &b);
}

/* A buffer of one MTU leaves no room for more than a segment: offload
 * then sends exactly what fin_stack_output sends, gso_size 0 throughout. */
static void test_gso_one_mtu_buffer_is_plain_output(void **state) {
  (void)state;
  struct peer a, b;
  both_init(&a, &b, NULL);
  both_send(&a, &b, 30000);
  struct capture ca, cb;
  memset(&ca, 0, sizeof(ca));
  memset(&cb, 0, sizeof(cb));
  drain_plain(&a, &ca);
  uint8_t buf[1500];
  uint16_t gso = 1;
  size_t n;
  while ((n = fin_stack_output_gso(b.st, buf, sizeof(buf), &gso, b.now)) > 0) {
    assert_int_equal(gso, 0);
    capture_add(&cb, buf, n);
  }
  assert_same_free(&ca, &cb);
  both_free(&a, &b);
}

static void both_init_sack(struct peer *a, struct peer *b) {
  struct fin_settings s;
  settings_big_buffers(&s);
  s.sack_permitted = true;
  both_init(a, b, &s);
}

/* The peer sends len bytes at its ISN + k to both. */
static void both_peer_data(struct peer *a, struct peer *b, uint32_t k, size_t len) {
  peer_send(a, TCP_A, R(a, k), L(a, 1), NULL, len);
  peer_send(b, TCP_A, R(b, k), L(b, 1), NULL, len);
}

/* Out-of-order data from the peer: SACK blocks ride on every piece, as on
 * every segment. */
static void test_gso_sack_blocks_on_every_piece(void **state) {
  (void)state;
  struct peer a, b;
  both_init_sack(&a, &b);
  both_peer_data(&a, &b, 101, 50); /* a hole at R+1 */
  uint32_t end = L(&a, 1);
  drain_compare(&a, &b, NULL, &end); /* the duplicate ACK with its block */
  both_send(&a, &b, 30000);
  size_t supers = 0;
  drain_compare(&a, &b, &supers, &end);
  assert_int_equal(supers, 1);
  both_free(&a, &b);
}

/* A duplicate from the peer: its D-SACK block goes on the next segment
 * only (RFC 2883 §4), so that segment leaves alone and the rest of the
 * flight after it as one super-segment. */
static void test_gso_dsack_block_on_first_segment_only(void **state) {
  (void)state;
  struct peer a, b;
  both_init_sack(&a, &b);
  both_peer_data(&a, &b, 1, 100);
  uint32_t end = L(&a, 1);
  drain_compare(&a, &b, NULL, &end);
  both_send(&a, &b, 30000);
  both_peer_data(&a, &b, 1, 100); /* the same bytes again */
  size_t supers = 0;
  assert_int_equal(drain_compare(&a, &b, &supers, &end), 10);
  assert_int_equal(supers, 1);
  both_free(&a, &b);
}

/* ECN passive open: the peer's SYN asks (ECE, CWR), fin's SYN-ACK has ECE. */
static void open_passive_ecn(struct peer *p) {
  peer_listen(p, 8);
  peer_send(p, TCP_S | FIN_TCP_ECE | FIN_TCP_CWR, p->irs, 0, NULL, 0);
  size_t n = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now);
  assert_int_equal(fin_tcp_parse(p->buf, n, &p->last), FIN_WIRE_OK);
  assert_int_equal(p->last.flags, TCP_S | TCP_A | FIN_TCP_ECE);
  p->iss = p->last.seq;
  p->fin_tsval = p->last.opts.ts_val;
  peer_send(p, TCP_A, R(p, 1), L(p, 1), NULL, 0);
  p->s = fin_accept(p->st, p->listener, NULL);
  assert_true(p->s >= 0);
}

/* ECN (RFC 3168 §6.1.2): ECT(0) on every piece; after an ECE the first new
 * segment carries CWR, once, and leaves alone; the flight behind it goes
 * as one super-segment without CWR. */
static void test_gso_ecn_ect_on_pieces_cwr_once(void **state) {
  (void)state;
  struct fin_settings s;
  settings_big_buffers(&s);
  s.ecn = FIN_ECN_ON;
  struct peer a, b;
  peer_init_ts(&a, &s);
  peer_init_ts(&b, &s);
  open_passive_ecn(&a);
  open_passive_ecn(&b);
  uint32_t mss = PEER_MSS(&a) - 12, end = L(&a, 1);
  both_send(&a, &b, 100000);
  size_t supers = 0;
  assert_int_equal(drain_compare(&a, &b, &supers, &end), 10);
  assert_int_equal(supers, 1);
  peer_send(&a, TCP_A | FIN_TCP_ECE, R(&a, 1), L(&a, 1 + 2 * mss), NULL, 0); /* cwnd halves */
  peer_send(&b, TCP_A | FIN_TCP_ECE, R(&b, 1), L(&b, 1 + 2 * mss), NULL, 0);
  drain_compare(&a, &b, NULL, &end);
  both_ack(&a, &b, end, FIN_MS(10)); /* room for more: CWR first */
  supers = 0;
  struct capture cb;
  memset(&cb, 0, sizeof(cb));
  drain_gso(&b, &cb);
  struct fin_segment seg;
  assert_true(cb.n >= 3);
  for (size_t i = 0; i < cb.n; i++) {
    assert_int_equal(fin_tcp_parse(cb.dg[i], cb.len[i], &seg), FIN_WIRE_OK);
    assert_int_equal(seg.tos & 3u, 2u); /* ECT(0) */
    assert_int_equal(!!(seg.flags & FIN_TCP_CWR), i == 0);
  }
  assert_int_equal(cb.supers, 1); /* the CWR segment alone, then the rest */
  assert_int_equal(cb.datagrams, 2);
  struct capture ca;
  memset(&ca, 0, sizeof(ca));
  drain_plain(&a, &ca);
  assert_same_free(&ca, &cb);
  both_free(&a, &b);
}

/* A super-segment received (a driver passing the kernel's GRO'd datagram
 * whole) is the segments it joins: all its data is taken, and, holding at
 * least two full-sized segments, it is ACKed at once (RFC 5681 §4.2), not
 * after the delayed-ACK timer. */
static void test_gso_received_super_segment_acked_at_once(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.quickack_segments = 0; /* past the quick-ACK start: only the segment count acks at once */
  struct peer p;
  peer_init(&p, &s);
  peer_establish_passive(&p);
  static uint8_t data[3 * 1460], dg[3 * 1460 + 100], got[3 * 1460];
  uint32_t len = 3 * PEER_MSS(&p);
  for (size_t i = 0; i < len; i++)
    data[i] = (uint8_t)(i * 13);
  struct fin_segment seg;
  peer_segment_init(&p, &seg);
  seg.seq = R(&p, 1);
  seg.ack = L(&p, 1);
  seg.flags = TCP_A | TCP_P;
  size_t n = fin_tcp_build(dg, sizeof(dg), &seg, NULL, 0, data, len, NULL, 0);
  assert_true(n > 0);
  fin_stack_input(p.st, dg, n, p.now);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1 + len));
  peer_expect_nothing(&p);
  assert_int_equal(fin_recv(p.st, p.s, got, sizeof(got), 0), (ssize_t)len);
  assert_memory_equal(got, data, len);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gso_bulk_pieces_equal_segments),
      cmocka_unit_test(test_gso_initial_window_one_super_segment),
      cmocka_unit_test(test_gso_fin_and_psh_only_on_last_piece),
      cmocka_unit_test(test_gso_bounded_by_send_window),
      cmocka_unit_test(test_gso_bounded_by_cwnd),
      cmocka_unit_test(test_gso_one_mtu_buffer_is_plain_output),
      cmocka_unit_test(test_gso_sack_blocks_on_every_piece),
      cmocka_unit_test(test_gso_dsack_block_on_first_segment_only),
      cmocka_unit_test(test_gso_ecn_ect_on_pieces_cwr_once),
      cmocka_unit_test(test_gso_received_super_segment_acked_at_once),
  };
  return PEER_RUN_BOTH(tests);
}
