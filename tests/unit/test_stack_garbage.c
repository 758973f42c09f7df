/* SPDX-License-Identifier: MIT */
/* Garbage into the whole stack (issue 2 "Garbage in", BEHAVIOR A9, K4):
 * random datagrams, truncations, and segments with valid checksums but
 * random flags, sequence numbers (near 2^32 too), options and lengths,
 * thrown at a stack holding a listener, live connections and a TIME-WAIT
 * record, over IPv4 and over IPv6 (there a third of the segments behind
 * extension headers: some walked, some refused). Nothing crashes
 * (ASan/UBSan), nothing leaks, the output stays bounded, and every
 * datagram is either processed or counted as a drop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"
#include "wire_fixture.h"

static uint64_t wire_drops(const struct fin_counters *c) {
  return c->drop_ip_truncated + c->drop_ip_version + c->drop_ip_header_len + c->drop_ip_total_len +
         c->drop_ip_checksum + c->drop_ip_options + c->drop_ip_fragment + c->drop_ip_martian +
         c->drop_ip_protocol + c->drop_tcp_truncated + c->drop_tcp_data_offset +
         c->drop_tcp_checksum + c->drop_tcp_option + c->drop_tcp_flags + c->drop_tcp_port_zero +
         c->drop_ip_not_local + c->icmp_in_msgs + c->drop_ip6_ext_header + c->drop_ip6_routing +
         c->icmp6_in_msgs;
}

static void drain(struct peer *p) {
  uint8_t buf[1600];
  for (int i = 0; i < 64; i++)
    if (fin_stack_output(p->st, buf, sizeof(buf), p->now) == 0)
      return;
  fail_msg("one datagram made the stack send more than 64 segments");
}

/* Up to three extension headers of random types (hop-by-hop, routing,
 * fragment, destination options), some of them refused (a real fragment,
 * segments left, an option that must be understood, hop-by-hop not first),
 * in front of an IPv6 segment; its checksum stays right (RFC 8200 §8.1). */
static size_t random_extensions(struct test_rng *r, uint8_t *d, size_t len, size_t cap) {
  static const uint8_t types[4] = {0, 43, 44, 60};
  uint8_t ext[24], first = FIN_IPPROTO_TCP;
  size_t count = 1 + test_rng_next(r) % 3;
  for (size_t i = count; i-- > 0;) {
    uint64_t x = test_rng_next(r);
    uint8_t *h = ext + 8 * i, t = types[x % 4];
    memset(h, 0, 8);
    h[0] = first;
    h[2] = t == 44 ? 0 : 1;            /* fragment offset high / PadN */
    h[3] = t == 44 || t == 43 ? 0 : 4; /* M, segments left / PadN length */
    if ((x >> 8) % 8 == 0)
      h[t == 0 || t == 60 ? 2 : 3] = 0x81; /* must understand; M; segments left */
    first = t;
  }
  size_t n = wf_insert_ipv6_ext(d, len, cap, first, ext, 8 * count);
  return n > 0 ? n : len;
}

/* A checksum-valid segment to fin with random fields. */
static void random_segment(struct peer *p, struct test_rng *r) {
  uint64_t x = test_rng_next(r);
  struct fin_segment seg;
  memset(&seg, 0, sizeof(seg));
  seg.saddr = p->peer_ip;
  seg.daddr = p->fin_ip;
  uint16_t ports[] = {PEER_PORT, 40001, 40002, 1};
  seg.sport = ports[x & 3];
  seg.dport = (x >> 2) & 1 ? FIN_PORT : (uint16_t)(x >> 8);
  if (seg.dport == 0)
    seg.dport = 9;
  seg.flags = (uint8_t)(x >> 24);
  if ((seg.flags & (FIN_TCP_SYN | FIN_TCP_RST)) == (FIN_TCP_SYN | FIN_TCP_RST))
    seg.flags &= (uint8_t)~FIN_TCP_RST;
  uint32_t near = (x >> 32) & 1 ? p->irs : (uint32_t)test_rng_next(r);
  seg.seq = near + (uint32_t)((int32_t)(test_rng_next(r) % 140000) - 70000);
  seg.ack = (x >> 33) & 1 ? p->iss + (uint32_t)(test_rng_next(r) % 3000) - 1000
                          : (uint32_t)test_rng_next(r);
  seg.wnd = (uint16_t)test_rng_next(r);
  seg.ttl = 64;
  uint8_t opt[40];
  size_t olen = (test_rng_next(r) % 11) * 4;
  for (size_t i = 0; i < olen; i++)
    opt[i] = (uint8_t)test_rng_next(r);
  static uint8_t payload[1400];
  size_t plen = test_rng_next(r) % 4 == 0 ? test_rng_next(r) % sizeof(payload) : 0;
  uint8_t d[1700];
  size_t n = fin_tcp_build(d, sizeof(d), &seg, opt, olen, payload, plen, NULL, 0);
  assert_true(n > 0);
  if (p->v6 && (x >> 40) % 3 == 0)
    n = random_extensions(r, d, n, sizeof(d));
  fin_stack_input(p->st, d, n, p->now);
}

/* Raw bytes: random, or a valid segment truncated / bit-flipped / padded. */
static void random_bytes(struct peer *p, struct test_rng *r, const uint8_t *valid, size_t vlen) {
  static uint8_t d[70000];
  size_t n;
  uint64_t kind = test_rng_next(r) % 4;
  if (kind == 0) {
    n = test_rng_next(r) % 100;
    for (size_t i = 0; i < n; i++)
      d[i] = (uint8_t)test_rng_next(r);
  } else if (kind == 1) {
    n = test_rng_next(r) % vlen;
    memcpy(d, valid, n);
  } else if (kind == 2) {
    memcpy(d, valid, vlen);
    n = vlen;
    d[test_rng_next(r) % n] ^= (uint8_t)(1u << (test_rng_next(r) % 8));
  } else {
    n = vlen + test_rng_next(r) % (sizeof(d) - vlen);
    memcpy(d, valid, vlen);
    memset(d + vlen, 0xee, n - vlen); /* oversized: padding past total length */
  }
  fin_stack_input(p->st, d, n, p->now);
}

static void test_garbage_into_stack_in_every_state_is_counted_and_harmless(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  peer_establish_passive(&p); /* a listener and an established connection */
  p.peer_port = 40001;        /* a second one, half-closed by the peer */
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  uint32_t iss2 = peer_expect_syn_ack(&p, R(&p, 1));
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), iss2 + 1, NULL, 0);
  p.peer_port = PEER_PORT;
  uint8_t valid[1600];
  size_t vlen = fin_tcp_build(valid, sizeof(valid),
                              &(struct fin_segment){.saddr = p.peer_ip,
                                                    .daddr = p.fin_ip,
                                                    .sport = PEER_PORT,
                                                    .dport = FIN_PORT,
                                                    .seq = R(&p, 1),
                                                    .ack = L(&p, 1),
                                                    .flags = TCP_A,
                                                    .wnd = 1000,
                                                    .ttl = 64},
                              NULL, 0, (const uint8_t *)"data", 4, NULL, 0);
  struct test_rng r;
  struct fin_random unused;
  test_rng_init(&r, 99, &unused);
  const struct fin_counters *c = peer_counters(&p);
  static char dump[8192];
  uint64_t base_in = c->ip_in_receives + c->ip6_in_receives, base_ok = c->in_segs,
           base_drop = wire_drops(c);
  for (int i = 0; i < 60000; i++) {
    if (i % 2)
      random_segment(&p, &r);
    else
      random_bytes(&p, &r, valid, vlen);
    drain(&p);
    if (i % 1000 == 0)
      peer_advance(&p, FIN_MS(300));
    assert_true(fin_stack_conn_count(p.st) < 64);
  }
  uint64_t in = c->ip_in_receives + c->ip6_in_receives - base_in;
  assert_int_equal(in, 60000);
  /* Every datagram was processed by TCP or dropped and counted by reason. */
  assert_int_equal((c->in_segs - base_ok) + (wire_drops(c) - base_drop), in);
  assert_true(c->drop_tcp_checksum > 0 && c->drop_ip_truncated > 0 && c->drop_tcp_option > 0);
  if (p.v6) /* extension headers refused, each by its reason */
    assert_true(c->drop_ip6_ext_header > 0 && c->drop_ip6_routing > 0 && c->drop_ip_fragment > 0 &&
                c->ip6_reasm_fails == c->drop_ip_fragment);
  fin_counters_format(c, 0, dump, sizeof(dump));
  if (getenv("FIN_GARBAGE_DUMP"))
    fprintf(stderr, "%s", dump);
  peer_advance(&p, FIN_SEC(3600)); /* every state has a way out */
  drain(&p);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_garbage_into_stack_in_every_state_is_counted_and_harmless),
  };
  return PEER_RUN_BOTH(tests);
}
