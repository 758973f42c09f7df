/* SPDX-License-Identifier: MIT */
#include "attack.h"

#include <stdlib.h>
#include <string.h>

#include "wire_ip.h" /* fin_wire_pseudo_sum */

void attack_drain_events(struct peer *p) {
  struct fin_event ev;
  while (fin_stack_poll_event(p->st, &ev))
    ;
}

void attack_snap_take(struct peer *p, struct attack_snap *s) {
  /* The event ring grows as events queue up: empty it, so one dropped
   * segment's FIN_EV_DROP fits without allocating. */
  attack_drain_events(p);
  memset(s, 0, sizeof(*s));
  s->c = *fin_stack_counters(p->st);
  s->mem = fin_stack_memory_in_use(p->st);
  size_t cursor = 0;
  s->nconn = fin_stack_list(p->st, &cursor, s->conn, ATTACK_MAX_CONNS);
  assert_true(s->nconn < ATTACK_MAX_CONNS);
}

static unsigned named(const char *const *names, const char *name) {
  unsigned n = 0;
  for (size_t i = 0; names[i] != NULL; i++)
    n += strcmp(names[i], name) == 0;
  return n;
}

static bool ecn_codepoint(const char *name) {
  static const char *const ecn[] = {"IpExtInNoECTPkts", "IpExtInECT1Pkts", "IpExtInECT0Pkts",
                                    "IpExtInCEPkts",    "Ip6InNoECTPkts",  "Ip6InECT1Pkts",
                                    "Ip6InECT0Pkts",    "Ip6InCEPkts",     NULL};
  return named(ecn, name) > 0;
}

void attack_expect_counters_(struct peer *p, const struct attack_snap *s,
                             const char *const *names) {
  const struct fin_counters *now = fin_stack_counters(p->st);
  for (size_t i = 0; names[i] != NULL; i++) {
    bool known = false;
    for (size_t k = 0; k < fin_counters_count() && !known; k++)
      known = strcmp(fin_counters_name(k), names[i]) == 0;
    if (!known)
      fail_msg("no counter is called %s", names[i]);
  }
  /* InDelivers and OutRequests follow from the rest unless a test names
   * them: every datagram received (IpInReceives / Ip6InReceives named) that
   * the IP layer did not drop (a FinDropIp... counter named) went up to TCP
   * or ICMP, whatever they made of it; every TCP segment sent (TcpOutSegs)
   * is a datagram out. */
  unsigned rx = named(names, "IpInReceives") + named(names, "Ip6InReceives"), ip_drops = 0;
  for (size_t i = 0; names[i] != NULL; i++)
    ip_drops += strncmp(names[i], "FinDropIp", 9) == 0;
  const char *delivers = p->v6 ? "Ip6InDelivers" : "IpInDelivers";
  const char *out = p->v6 ? "Ip6OutRequests" : "IpOutRequests";
  bool own_delivers = named(names, delivers) > 0, own_out = named(names, out) > 0;
  for (size_t k = 0; k < fin_counters_count(); k++) {
    const char *name = fin_counters_name(k);
    uint64_t want = fin_counters_value(&s->c, k) + named(names, name);
    if (!own_delivers && strcmp(name, delivers) == 0)
      want += rx > ip_drops ? rx - ip_drops : 0;
    if (!own_out && strcmp(name, out) == 0)
      want += named(names, "TcpOutSegs");
    /* The ECN codepoint counters (IpExtInNoECTPkts ... Ip6InCEPkts) count every
     * datagram with a whole header, whatever comes of it: test_ip_counters
     * checks them; here they are followed only when a test names one. */
    if (ecn_codepoint(name) && named(names, name) == 0)
      continue;
    uint64_t got = fin_counters_value(now, k);
    if (got != want)
      fail_msg("counter %s is %llu, expected %llu", fin_counters_name(k), (unsigned long long)got,
               (unsigned long long)want);
  }
}

/* The parts of a connection a dropped segment must not touch. */
static void conn_unchanged(const struct fin_conn_info *a, const struct fin_conn_info *b) {
  assert_int_equal(a->conn_id, b->conn_id);
  assert_int_equal(a->state, b->state);
  assert_int_equal(a->error, b->error);
  assert_int_equal(a->snd_una, b->snd_una);
  assert_int_equal(a->snd_nxt, b->snd_nxt);
  assert_int_equal(a->rcv_nxt, b->rcv_nxt);
  assert_int_equal(a->snd_queued, b->snd_queued);
  assert_int_equal(a->rcv_queued, b->rcv_queued);
  assert_int_equal(a->snd_wnd, b->snd_wnd);
  assert_int_equal(a->rcv_wnd, b->rcv_wnd);
  assert_int_equal(a->cwnd, b->cwnd);
  assert_int_equal(a->ssthresh, b->ssthresh);
  assert_int_equal(a->snd_mss, b->snd_mss);
  assert_int_equal(a->snd_wscale, b->snd_wscale);
  assert_int_equal(a->probes, b->probes);
  assert_int_equal(a->next_deadline, b->next_deadline);
  assert_int_equal(a->next_timer, b->next_timer);
}

void attack_expect_dropped_(struct peer *p, const struct attack_snap *s, const char *const *names) {
  peer_expect_nothing(p);
  attack_expect_counters_(p, s, names);
  assert_int_equal(fin_stack_memory_in_use(p->st), s->mem);
  struct fin_conn_info now[ATTACK_MAX_CONNS];
  size_t cursor = 0;
  size_t n = fin_stack_list(p->st, &cursor, now, ATTACK_MAX_CONNS);
  assert_int_equal(n, s->nconn);
  for (size_t i = 0; i < n; i++)
    conn_unchanged(&now[i], &s->conn[i]);
}

struct fin_segment attack_seg(const struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack) {
  struct fin_segment seg;
  peer_segment_init(p, &seg);
  seg.flags = flags;
  seg.seq = seq;
  seg.ack = ack;
  return seg;
}

size_t attack_build(const struct fin_segment *seg, const uint8_t *opt, size_t optlen,
                    const void *data, size_t len, uint8_t *out, size_t cap) {
  static uint8_t fill[1500];
  memset(fill, 'x', sizeof(fill));
  assert_true(len <= sizeof(fill));
  size_t n = fin_tcp_build(out, cap, seg, opt, optlen, data ? data : fill, len, NULL, 0);
  assert_true(n > 0);
  return n;
}

void attack_input(struct peer *p, const uint8_t *d, size_t len) {
  uint8_t *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  if (len > 0)
    memcpy(copy, d, len);
  fin_stack_input(p->st, copy, len, p->now);
  free(copy);
}

void attack_send(struct peer *p, const struct fin_segment *seg, const uint8_t *opt, size_t optlen,
                 const void *data, size_t len) {
  uint8_t d[1600];
  size_t n = attack_build(seg, opt, optlen, data, len, d, sizeof(d));
  attack_input(p, d, n);
}

static void put16(uint8_t *d, uint16_t v) {
  d[0] = (uint8_t)(v >> 8);
  d[1] = (uint8_t)v;
}

void attack_fix_checksums(uint8_t *d) {
  struct fin_addr s, t;
  size_t hl, tlen;
  if (d[0] >> 4 == 4) {
    hl = (size_t)(d[0] & 0xf) * 4;
    put16(d + 10, 0);
    put16(d + 10, fin_csum_fold(fin_csum_add(0, d, hl)));
    size_t tot = (size_t)d[2] << 8 | d[3];
    if (tot < hl + FIN_TCP_HDR_MIN)
      return; /* no TCP header to sum */
    tlen = tot - hl;
    s = fin_addr_v4((uint32_t)d[12] << 24 | (uint32_t)d[13] << 16 | (uint32_t)d[14] << 8 | d[15]);
    t = fin_addr_v4((uint32_t)d[16] << 24 | (uint32_t)d[17] << 16 | (uint32_t)d[18] << 8 | d[19]);
  } else {
    hl = 40;
    tlen = (size_t)d[4] << 8 | d[5];
    if (tlen < FIN_TCP_HDR_MIN)
      return;
    s = fin_addr_v6(d + 8);
    t = fin_addr_v6(d + 24);
  }
  uint8_t *tcp = d + hl;
  put16(tcp + 16, 0);
  uint32_t sum = fin_wire_pseudo_sum(&s, &t, FIN_IPPROTO_TCP, (uint32_t)tlen);
  put16(tcp + 16, fin_csum_fold(fin_csum_add(sum, tcp, tlen)));
}

struct fin_conn_info attack_info(struct peer *p, fin_sock s) {
  struct fin_conn_info info;
  memset(&info, 0, sizeof(info));
  if (s >= 0) {
    size_t len = sizeof(info);
    assert_int_equal(fin_getsockopt(p->st, s, FIN_TCP_INFO, &info, &len), 0);
    return info;
  }
  size_t cursor = 0;
  assert_int_equal(fin_stack_list(p->st, &cursor, &info, 1), 1);
  return info;
}

size_t attack_read_all(struct peer *p, uint8_t *buf, size_t cap) {
  size_t got = 0;
  for (;;) {
    ssize_t n = fin_recv(p->st, p->s, buf + got, cap - got, 0);
    if (n <= 0)
      return got;
    got += (size_t)n;
    if (got == cap)
      return got;
  }
}

int attack_drain(struct peer *p) {
  int n = 0;
  size_t len;
  while ((len = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now)) > 0) {
    assert_int_equal(fin_tcp_parse(p->buf, len, &p->last), FIN_WIRE_OK);
    if (p->last.opts.has_ts)
      p->fin_tsval = p->last.opts.ts_val;
    n++;
    assert_true(n < 100000);
  }
  return n;
}
