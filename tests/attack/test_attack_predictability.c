/* SPDX-License-Identifier: MIT */
/* Attack catalogue section G, predictability, side channels, amplification
 * and ICMP: ISNs and ephemeral ports an off-path attacker could guess
 * (NUMBER:JACK, RFC 6528, RFC 6056), counters shared across flows that
 * leak one flow's traffic to another (CVE-2016-5696's challenge-ACK limit,
 * a global IPv4 ID), ACK wars, and forged ICMP errors (RFC 5927). Every
 * group runs over IPv4 and IPv6. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attack.h"
#include "closing.h"

/* ---- helpers ---- */

/* A second stack like p's but keyed from another random seed. */
static void rekey(struct peer *p, uint64_t seed) {
  struct fin_settings s = *fin_stack_settings(p->st);
  fin_stack_free(p->st);
  assert_no_leaks(&p->ta);
  struct fin_allocator a;
  struct fin_random r;
  test_alloc_init(&p->ta, &a);
  test_rng_init(&p->rng, seed, &r);
  assert_int_equal(fin_stack_new(&p->st, &s, &a, &r, p->now), 0);
}

/* fin's ISS for a connect from local port `port` to the peer's p->peer_port;
 * the attempt is then closed (C4: nothing sent). */
static uint32_t isn_for(struct peer *p, uint16_t port) {
  p->s = fin_socket(p->st);
  struct fin_sockaddr local = peer_local(p, port);
  assert_int_equal(fin_bind(p->st, p->s, &local), 0);
  peer_start_connect(p);
  assert_int_equal(fin_close(p->st, p->s), 0);
  return p->iss;
}

/* The local port of an ephemeral connect() to the peer's p->peer_port. */
static uint16_t port_for(struct peer *p) {
  p->s = -1;
  peer_start_connect(p);
  assert_int_equal(fin_close(p->st, p->s), 0);
  return p->fin_port;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* How many distinct values v[0..n) holds (sorts v). */
static size_t distinct(uint32_t *v, size_t n) {
  qsort(v, n, sizeof(*v), cmp_u32);
  size_t d = n > 0;
  for (size_t i = 1; i < n; i++)
    d += v[i] != v[i - 1];
  return d;
}

/* ---- T90 ---- */

#define ISNS 100000

/* ATTACK T90 */
static void test_isn_keyed_per_tuple_monotone_within_two_msl(void **state) {
  (void)state;
  static uint32_t isn[ISNS], other[ISNS], diff[ISNS];
  struct peer p;
  peer_init(&p, NULL);
  /* 100,000 connects at one instant: 50,000 local ports to 2 peer ports. */
  for (uint32_t i = 0; i < ISNS; i++) {
    p.peer_port = (uint16_t)(40000 + i / 50000);
    isn[i] = isn_for(&p, (uint16_t)(1024 + i % 50000));
  }
  /* RFC 6528: ISN = M + F(4-tuple, secret). Neighbouring 4-tuples differ
   * by unrelated amounts (a counter, a timer or an LCG would repeat its
   * step); every bit of the ISN varies. */
  for (uint32_t i = 0; i + 1 < ISNS; i++)
    diff[i] = isn[i + 1] - isn[i];
  assert_true(distinct(diff, ISNS - 1) >= ISNS - 10);
  for (int bit = 0; bit < 32; bit++) {
    uint32_t ones = 0;
    for (uint32_t i = 0; i < ISNS; i++)
      ones += (isn[i] >> bit) & 1;
    assert_true(ones > ISNS * 47 / 100 && ones < ISNS * 53 / 100);
  }
  /* Another key (the injected random source), the same 4-tuples and
   * instant: other ISNs. */
  rekey(&p, 4242);
  for (uint32_t i = 0; i < ISNS; i++) {
    p.peer_port = (uint16_t)(40000 + i / 50000);
    other[i] = isn_for(&p, (uint16_t)(1024 + i % 50000));
  }
  uint32_t same = 0;
  for (uint32_t i = 0; i < ISNS; i++)
    same += other[i] == isn[i];
  assert_true(same < 10);
  /* One 4-tuple over 2*MSL: M, the 4 us clock, moves it on exactly; it
   * never repeats or goes back within 2*MSL (RFC 9293 §3.4.1). */
  p.peer_port = 40000;
  uint32_t first = isn_for(&p, 5000), prev = first;
  for (int i = 0; i < 1000; i++) {
    p.now += FIN_MS(60);
    uint32_t now = isn_for(&p, 5000);
    assert_int_equal(now - prev, 15000u);
    prev = now;
  }
  assert_true((int32_t)(prev - first) > 0);
  peer_free(&p);
}

/* ---- T91 ---- */

/* ATTACK T91 */
static void test_ephemeral_ports_keyed_per_destination(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  const struct fin_settings *s = fin_stack_settings(p.st);
  uint32_t lo = s->ephemeral_port_min, hi = s->ephemeral_port_max;
  /* RFC 6056 §3.3.3 (Algorithm 3): a keyed offset per destination. The
   * first port toward each of 2,000 destinations: spread over the range,
   * unrelated to the destination's neighbours. */
  static uint32_t first[2000], other[2000];
  uint32_t buckets[16] = {0};
  for (uint32_t d = 0; d < 2000; d++) {
    p.peer_port = (uint16_t)(20000 + d);
    first[d] = port_for(&p);
    assert_true(first[d] >= lo && first[d] <= hi);
    buckets[(first[d] - lo) * 16 / (hi - lo + 1)]++;
  }
  for (int b = 0; b < 16; b++)
    assert_true(buckets[b] > 2000 / 16 / 2 && buckets[b] < 2000 / 16 * 2);
  uint32_t copy[2000];
  memcpy(copy, first, sizeof(copy));
  assert_true(distinct(copy, 2000) >= 1900);
  /* 10,000 opens toward one destination reuse no port (the range is
   * 28,232 ports): a port comes back as late as it can. */
  static uint32_t seq[10000];
  p.peer_port = 40000;
  for (int i = 0; i < 10000; i++)
    seq[i] = port_for(&p);
  assert_int_equal(distinct(seq, 10000), 10000);
  /* Another key: other ports for the same destinations. */
  rekey(&p, 777);
  uint32_t same = 0;
  for (uint32_t d = 0; d < 2000; d++) {
    p.peer_port = (uint16_t)(20000 + d);
    other[d] = port_for(&p);
    same += other[d] == first[d];
  }
  assert_true(same < 20);
  peer_free(&p);
}

/* ---- T92 ---- */

/* Two connections to fin's listener, from peer ports 40000 (A) and 40001
 * (B); fin's ISS for each; returns A's accepted handle. */
static fin_sock two_connections(struct peer *p, uint32_t *iss_a, uint32_t *iss_b) {
  peer_listen(p, 8);
  uint32_t *iss[2] = {iss_a, iss_b};
  for (uint16_t i = 0; i < 2; i++) {
    p->peer_port = (uint16_t)(40000 + i);
    peer_send(p, TCP_S, p->irs, 0, NULL, 0);
    *iss[i] = p->iss = peer_expect_syn_ack(p, R(p, 1));
    peer_send(p, TCP_A, R(p, 1), L(p, 1), NULL, 0);
  }
  peer_expect_nothing(p);
  return fin_accept(p->st, p->listener, NULL);
}

/* The attacker's own connection (peer port 40001) probes with an in-window
 * RST every 100 ms for 3 s; the victim's (40000) gets `spoofed` in-window
 * RSTs between probes. Returns the challenge ACKs the attacker saw. */
static int attacker_view(int spoofed) {
  struct peer p;
  peer_init(&p, NULL);
  uint32_t iss_a, iss_b;
  two_connections(&p, &iss_a, &iss_b);
  int seen = 0;
  for (int t = 0; t < 30; t++) {
    p.peer_port = 40000;
    p.iss = iss_a;
    for (int k = 0; k < spoofed; k++) {
      peer_send(&p, TCP_R, R(&p, 2 + (uint32_t)k * 7), 0, NULL, 0);
      attack_drain(&p); /* the victim's challenge ACKs: not the attacker's to see */
    }
    p.peer_port = 40001;
    p.iss = iss_b;
    peer_send(&p, TCP_R, R(&p, 5), 0, NULL, 0);
    size_t n;
    while ((n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now)) > 0) {
      assert_int_equal(fin_tcp_parse(p.buf, n, &p.last), FIN_WIRE_OK);
      if (p.last.dport == 40001)
        seen++;
    }
    attack_drain_events(&p);
    peer_advance(&p, FIN_MS(100));
  }
  assert_int_equal(peer_counters(&p)->estab_resets, 0);
  peer_free(&p);
  return seen;
}

/* ATTACK T92 */
static void test_challenge_ack_budget_leaks_nothing_across_flows(void **state) {
  (void)state;
  /* CVE-2016-5696: with a global challenge-ACK budget the attacker counts
   * how many of its own challenge ACKs are missing and learns whether its
   * guess hit the victim's window. fin's budget is per connection (A6):
   * the attacker sees exactly the same with 0, 1 or 100 spoofed RSTs a
   * round at the victim. */
  int quiet = attacker_view(0);
  assert_int_equal(quiet, 6); /* 3 s, one per 500 ms */
  assert_int_equal(attacker_view(1), quiet);
  assert_int_equal(attacker_view(100), quiet);
}

/* ---- T93 ---- */

/* fin B: a second stack at the peer's address, listening on 80. */
static void stack_b(struct peer *b) {
  peer_init(b, NULL);
  struct fin_settings s = *fin_stack_settings(b->st);
  s.local_addrs[0] = b->peer_ip;
  assert_int_equal(fin_stack_set_settings(b->st, &s), 0);
  b->listener = fin_socket(b->st);
  struct fin_sockaddr any = peer_any(b, FIN_PORT);
  assert_int_equal(fin_bind(b->st, b->listener, &any), 0);
  assert_int_equal(fin_listen(b->st, b->listener, 8), 0);
}

/* Moves every datagram between the two stacks until both are quiet;
 * `rewrite` adds to the SEQ of each (a broken middlebox). Returns the
 * datagrams moved; fails past `max`. */
static int shuttle(struct peer *a, struct peer *b, uint32_t rewrite, int max) {
  int moved = 0;
  for (bool any = true; any;) {
    any = false;
    struct peer *from[2] = {a, b}, *to[2] = {b, a};
    for (int d = 0; d < 2; d++) {
      uint8_t buf[1600];
      size_t n;
      while ((n = fin_stack_output(from[d]->st, buf, sizeof(buf), a->now)) > 0) {
        size_t tcp = (buf[0] >> 4) == 4 ? 20 : 40;
        uint32_t seq = (uint32_t)buf[tcp + 4] << 24 | (uint32_t)buf[tcp + 5] << 16 |
                       (uint32_t)buf[tcp + 6] << 8 | buf[tcp + 7];
        seq += rewrite;
        for (int k = 0; k < 4; k++)
          buf[tcp + 4 + k] = (uint8_t)(seq >> (24 - 8 * k));
        attack_fix_checksums(buf);
        fin_stack_input(to[d]->st, buf, n, a->now);
        moved++;
        any = true;
        assert_true(moved <= max);
      }
    }
  }
  return moved;
}

/* ATTACK T93 */
static void test_ack_war_through_a_rewriting_middlebox_is_bounded(void **state) {
  (void)state;
  struct peer a, b;
  peer_init(&a, NULL);
  stack_b(&b);
  fin_sock s = fin_socket(a.st);
  struct fin_sockaddr dst = peer_remote(&a);
  dst.port = FIN_PORT;
  assert_int_equal(fin_connect(a.st, s, &dst), -EINPROGRESS);
  shuttle(&a, &b, 0, 10);
  fin_sock t = fin_accept(b.st, b.listener, NULL);
  assert_true(t >= 0);
  /* From now on the middlebox shifts every SEQ by 2^30: each end sees the
   * other's segments far outside its window and answers with a duplicate
   * ACK, which the other end sees the same way - an ACK war, without the
   * A6 limit an endless one. */
  assert_int_equal(fin_send(a.st, s, "ping", 4, 0), 4);
  int total = 0;
  for (int ms = 0; ms < 10000; ms += 10) {
    total += shuttle(&a, &b, 0x40000000u, 1000);
    a.now += FIN_MS(10);
    b.now = a.now;
    fin_stack_on_timers(a.st, a.now);
    fin_stack_on_timers(b.st, b.now);
    attack_drain_events(&a);
    attack_drain_events(&b);
  }
  /* 10 s: at most one duplicate ACK per 500 ms per end (21 each), plus
   * A's retransmissions of "ping" (backed off from 1 s: at most 4). */
  assert_true(total <= 2 * 21 + 4);
  assert_true(peer_counters(&a)->ack_rate_limited + peer_counters(&b)->ack_rate_limited > 0);
  assert_int_equal(fin_sock_state(a.st, s), FIN_ESTABLISHED);
  assert_int_equal(fin_sock_state(b.st, t), FIN_ESTABLISHED);
  peer_free(&a);
  peer_free(&b);
}

/* ATTACK T93 */
static void test_nat_answering_with_seq_zero_gets_rate_limited_acks(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  /* A NAT that lost its state answers every segment fin sends with an ACK
   * at SEQ 0 (not a RST): fin's duplicate ACKs stay at one per 500 ms. */
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), 1);
  int out = 0;
  for (int ms = 0; ms < 10000; ms += 5) {
    int n = attack_drain(&p);
    out += n;
    if (n > 0)
      peer_send(&p, TCP_A, 0, L(&p, 1), NULL, 0);
    p.now += FIN_MS(5);
    fin_stack_on_timers(p.st, p.now);
    attack_drain_events(&p);
  }
  assert_true(out <= 21 + 6); /* ACKs, and the byte's own backed-off retransmissions */
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* ---- T95 ---- */

/* An ICMP error about fin's last segment (p->buf) with its quoted SEQ
 * replaced by seq. */
static void icmp_quoting(struct peer *p, uint8_t type, uint8_t code, uint32_t mtu, uint32_t seq) {
  size_t tcp = p->v6 ? 40 : 20;
  for (int k = 0; k < 4; k++)
    p->buf[tcp + 4 + k] = (uint8_t)(seq >> (24 - 8 * k));
  peer_send_icmp(p, type, code, mtu);
}

/* ATTACK T95 */
static void test_forged_icmp_is_checked_against_what_is_in_flight(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_active(&p);
  static const char data[1460];
  uint32_t mss = PEER_MSS(&p);
  assert_int_equal(fin_send(p.st, p.s, data, mss, 0), mss);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), mss);
  uint8_t quote[1600];
  memcpy(quote, p.buf, sizeof(quote));
  /* "Fragmentation needed" / Packet Too Big quoting a SEQ below SND.UNA or
   * at or above SND.NXT: not about anything in flight (RFC 5927 §4.1):
   * ignored, the MSS stays. */
  const uint32_t wrong[] = {L(&p, 0), L(&p, 1) - 70000, L(&p, 1 + mss) + 1, L(&p, 1) + 0x40000000};
  for (size_t i = 0; i < 4; i++) {
    memcpy(p.buf, quote, sizeof(quote));
    struct attack_snap s;
    attack_snap_take(&p, &s);
    icmp_quoting(&p, 3, 4, p.v6 ? 1280 : 576, wrong[i]);
    attack_expect_dropped(&p, &s, ATTACK_RX(&p), p.v6 ? "Icmp6InMsgs" : "IcmpInMsgs",
                          "FinDropIcmpIgnored");
  }
  /* A hard error (port unreachable) quoting the data in flight: soft in a
   * synchronized state (J6, MUST-56), the connection stays. */
  memcpy(p.buf, quote, sizeof(quote));
  icmp_quoting(&p, 3, 3, 0, L(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  /* A valid one with a tiny MTU (68): the path MTU floor holds (552 for
   * IPv4 as Linux min_pmtu; 1280 for IPv6, RFC 8201 §4). */
  memcpy(p.buf, quote, sizeof(quote));
  icmp_quoting(&p, 3, 4, 68, L(&p, 1));
  uint32_t floor_mss = p.v6 ? 1220 : 512;
  assert_int_equal(attack_info(&p, p.s).snd_mss, floor_mss);
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), floor_mss);
  peer_free(&p);

  /* SYN-SENT: a hard error must quote a SEQ in [SND.UNA, SND.NXT] - ISS or
   * ISS+1, as Linux's between() - to refuse the connect. */
  peer_init(&p, NULL);
  peer_start_connect(&p);
  memcpy(quote, p.buf, sizeof(quote));
  icmp_quoting(&p, 3, 3, 0, L(&p, 2));
  icmp_quoting(&p, 3, 3, 0, L(&p, -5));
  icmp_quoting(&p, 3, 3, 0, L(&p, 0) + 0x80000000u);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_SYN_SENT);
  memcpy(p.buf, quote, sizeof(quote));
  icmp_quoting(&p, 3, 3, 0, L(&p, 0));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  int err = 0;
  size_t len = sizeof(err);
  assert_int_equal(fin_getsockopt(p.st, p.s, FIN_SO_ERROR, &err, &len), 0);
  assert_int_equal(err, ECONNREFUSED);
  peer_free(&p);
}

/* ---- T96 ---- */

/* The IPv4 IDs fin puts on connection A's segments while connection B
 * does `b_traffic` exchanges between each of A's. */
static void ids_of_a(int b_traffic, uint16_t ids[20]) {
  struct fin_settings set;
  fin_settings_default(&set);
  set.delack = 0; /* every segment ACKed at once */
  struct peer p;
  peer_init(&p, &set);
  uint32_t iss_a, iss_b;
  fin_sock a = two_connections(&p, &iss_a, &iss_b);
  for (uint32_t i = 0; i < 20; i++) {
    p.peer_port = 40000;
    p.iss = iss_a;
    p.s = a;
    peer_send(&p, TCP_A | TCP_P, R(&p, 1 + i), L(&p, 1), "a", 1);
    peer_expect(&p, TCP_A, L(&p, 1), R(&p, 2 + i));
    ids[i] = (uint16_t)(p.buf[4] << 8 | p.buf[5]);
    /* B's traffic, and RSTs fin sends for closed ports, in between. */
    p.peer_port = 40001;
    p.iss = iss_b;
    for (int k = 0; k < b_traffic; k++) {
      peer_send(&p, TCP_A | TCP_P, R(&p, 1 + i * (uint32_t)b_traffic + (uint32_t)k), L(&p, 1), "b",
                1);
      attack_drain(&p);
      p.peer_port = 40002;
      peer_send(&p, TCP_A, 1, 2, NULL, 0);
      attack_drain(&p);
      p.peer_port = 40001;
    }
    attack_drain_events(&p);
  }
  peer_free(&p);
}

/* ATTACK T96 */
static void test_no_counter_shared_across_flows_and_no_icmp(void **state) {
  (void)state;
  /* IPv4 ID (CVE-2020-36516, idle scans): the IDs a peer sees on its own
   * connection must not move with anybody else's traffic. (IPv6 has no ID
   * in its header: RFC 8200 carries it only in fragments, which fin never
   * sends.) */
  if (peer_family == FIN_AF_INET) {
    uint16_t quiet[20], busy[20];
    ids_of_a(0, quiet);
    ids_of_a(5, busy);
    assert_memory_equal(quiet, busy, sizeof(quiet));
  }
  /* ICMP rate limits cannot leak: fin sends no ICMP at all - not for a
   * datagram of another protocol (UDP to a closed port), nor for a TCP
   * port nobody listens on (that gets TCP's RST). */
  struct peer p;
  peer_init(&p, NULL);
  struct fin_segment seg = attack_seg(&p, TCP_A, 1, 2);
  uint8_t d[128];
  size_t n = attack_build(&seg, NULL, 0, NULL, 8, d, sizeof(d));
  d[p.v6 ? 6 : 9] = 17; /* UDP */
  attack_fix_checksums(d);
  for (int i = 0; i < 100; i++)
    attack_input(&p, d, n);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->out_segs, 0);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_isn_keyed_per_tuple_monotone_within_two_msl),
      cmocka_unit_test(test_ephemeral_ports_keyed_per_destination),
      cmocka_unit_test(test_challenge_ack_budget_leaks_nothing_across_flows),
      cmocka_unit_test(test_ack_war_through_a_rewriting_middlebox_is_bounded),
      cmocka_unit_test(test_nat_answering_with_seq_zero_gets_rate_limited_acks),
      cmocka_unit_test(test_forged_icmp_is_checked_against_what_is_in_flight),
      cmocka_unit_test(test_no_counter_shared_across_flows_and_no_icmp),
  };
  return PEER_RUN_BOTH(tests);
}
