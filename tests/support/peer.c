/* SPDX-License-Identifier: MIT */
#include "peer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h" /* fin_stack_timer_deadline */
#include "wire_ip.h"  /* fin_wire_pseudo_sum */

enum fin_family peer_family = FIN_AF_INET;

int peer_run_both(const char *name, const struct CMUnitTest *tests, size_t count) {
  char label[128];
  int failed = 0;
  const enum fin_family fams[] = {FIN_AF_INET, FIN_AF_INET6};
  for (size_t i = 0; i < 2; i++) {
    peer_family = fams[i];
    snprintf(label, sizeof(label), "%s/%s", name, fams[i] == FIN_AF_INET ? "ipv4" : "ipv6");
    failed += _cmocka_run_group_tests(label, tests, count, NULL, NULL);
  }
  peer_family = FIN_AF_INET;
  return failed;
}

struct fin_addr peer_addr_of(bool v6, bool fin_side) {
  if (!v6)
    return fin_addr_v4(fin_side ? PEER_FIN_ADDR4 : PEER_ADDR4);
  uint8_t b[16] = {0xfd, 0x00};
  b[15] = fin_side ? 1 : 2;
  return fin_addr_v6(b);
}

void peer_add_other_family(struct peer *p) {
  struct fin_settings s = *fin_stack_settings(p->st);
  s.local_addrs[s.local_addr_count++] = peer_addr_of(!p->v6, true);
  assert_int_equal(fin_stack_set_settings(p->st, &s), 0);
}

void peer_use_family(struct peer *p, bool v6) {
  p->v6 = v6;
  p->fin_ip = peer_addr_of(v6, true);
  p->peer_ip = peer_addr_of(v6, false);
}

struct fin_sockaddr peer_remote(const struct peer *p) {
  struct fin_sockaddr a = {p->peer_ip, p->peer_port, p->v6 ? FIN_AF_INET6 : FIN_AF_INET};
  return a;
}

struct fin_sockaddr peer_local(const struct peer *p, uint16_t port) {
  struct fin_sockaddr a = {p->fin_ip, port, p->v6 ? FIN_AF_INET6 : FIN_AF_INET};
  return a;
}

struct fin_sockaddr peer_any(const struct peer *p, uint16_t port) {
  struct fin_sockaddr a = {p->v6 ? fin_addr_any6() : fin_addr_v4(0), port,
                           p->v6 ? FIN_AF_INET6 : FIN_AF_INET};
  return a;
}

struct fin_4tuple peer_tuple(const struct peer *p) {
  struct fin_4tuple t = {p->fin_ip, p->peer_ip, p->fin_port ? p->fin_port : FIN_PORT, p->peer_port};
  return t;
}

void peer_segment_init(const struct peer *p, struct fin_segment *seg) {
  memset(seg, 0, sizeof(*seg));
  seg->saddr = p->peer_ip;
  seg->daddr = p->fin_ip;
  seg->sport = p->peer_port;
  seg->dport = p->fin_port ? p->fin_port : FIN_PORT;
  seg->wnd = p->wnd;
  seg->ttl = 64;
  seg->tos = p->tos;
}

static void init(struct peer *p, const struct fin_settings *s, bool ts) {
  memset(p, 0, sizeof(*p));
  p->v6 = peer_family == FIN_AF_INET6;
  p->fin_ip = peer_addr_of(p->v6, true);
  p->peer_ip = peer_addr_of(p->v6, false);
  struct fin_settings set;
  if (s != NULL)
    set = *s;
  else
    fin_settings_default(&set);
  set.local_addrs[0] = p->fin_ip;
  set.local_addr_count = 1;
  set.event_mask = FIN_EVENTS_ALL;
  set.event_queue_max = 1u << 20;
  struct fin_allocator a;
  struct fin_random r;
  test_alloc_init(&p->ta, &a);
  test_rng_init(&p->rng, 42, &r);
  p->now = FIN_SEC(100);
  assert_int_equal(fin_stack_new(&p->st, &set, &a, &r, p->now), 0);
  p->irs = 1000000;
  p->wnd = 65535;
  p->ts = ts;
  p->ts_val = 5000;
  p->listener = p->s = -1;
  p->peer_port = PEER_PORT;
}

void peer_init(struct peer *p, const struct fin_settings *s) {
  init(p, s, false);
}

void peer_init_ts(struct peer *p, const struct fin_settings *s) {
  init(p, s, true);
}

/* The engine's invariants hold whenever fin is quiet (audit.c). */
void peer_audit(struct peer *p) {
  struct fin_audit a;
  if (fin_stack_audit(p->st, &a) != 0)
    fail_msg("invariant broken: %s (conn %llu, %s)", a.what, (unsigned long long)a.conn_id,
             fin_state_name(a.state));
}

void peer_free(struct peer *p) {
  peer_audit(p);
  fin_stack_free(p->st);
  assert_no_leaks(&p->ta);
}

static size_t default_opts(struct peer *p, uint8_t flags, uint8_t *opt) {
  struct fin_tcp_opts_out o;
  memset(&o, 0, sizeof(o));
  if (flags & FIN_TCP_SYN) {
    o.mss = true;
    o.mss_value = (uint16_t)PEER_MSS(p);
    o.wscale = p->ts;
    o.wscale_value = 7;
    o.sack_permitted = p->ts;
  }
  if (p->ts) {
    o.ts = true;
    o.ts_val = p->ts_val;
    o.ts_ecr = (flags & FIN_TCP_ACK) ? p->fin_tsval : 0;
  }
  return fin_tcp_opts_write(opt, &o, FIN_LAYOUT_LINUX, flags & FIN_TCP_SYN);
}

void peer_send_opts(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack, const uint8_t *opt,
                    size_t optlen, const void *data, size_t len) {
  static uint8_t fill[1500];
  memset(fill, 'x', sizeof(fill));
  assert_true(len <= sizeof(fill));
  struct fin_segment seg;
  peer_segment_init(p, &seg);
  seg.seq = seq;
  seg.ack = ack;
  seg.flags = flags;
  uint8_t dgram[1600];
  size_t n =
      fin_tcp_build(dgram, sizeof(dgram), &seg, opt, optlen, data ? data : fill, len, NULL, 0);
  assert_true(n > 0);
  fin_stack_input(p->st, dgram, n, p->now);
}

void peer_send(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack, const void *data,
               size_t len) {
  uint8_t opt[40];
  size_t olen = default_opts(p, flags, opt);
  peer_send_opts(p, flags, seq, ack, opt, olen, data, len);
  if (p->ts)
    p->ts_val++;
}

static void describe(const struct fin_segment *s, char *out, size_t cap) {
  char f[40];
  fin_tcp_flags_str(s->flags, f, sizeof(f));
  snprintf(out, cap, "[%s] seq=%u ack=%u len=%u", f, s->seq, s->ack, s->payload_len);
}

const struct fin_segment *peer_expect(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack) {
  size_t n = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now);
  if (n == 0) {
    char f[40];
    fin_tcp_flags_str(flags, f, sizeof(f));
    fail_msg("expected [%s] seq=%u ack=%u, fin sent nothing", f, seq, ack);
  }
  assert_int_equal(fin_tcp_parse(p->buf, n, &p->last), FIN_WIRE_OK);
  struct fin_segment *s = &p->last;
  bool ok = s->flags == flags && s->seq == seq && fin_addr_eq(&s->saddr, &p->fin_ip) &&
            fin_addr_eq(&s->daddr, &p->peer_ip) && s->dport == p->peer_port;
  if ((flags & FIN_TCP_ACK) || (flags & FIN_TCP_RST))
    ok = ok && s->ack == ((flags & FIN_TCP_ACK) ? ack : 0);
  if (!ok) {
    char got[96], f[40];
    describe(s, got, sizeof(got));
    fin_tcp_flags_str(flags, f, sizeof(f));
    fail_msg("expected [%s] seq=%u ack=%u, fin sent %s", f, seq, ack, got);
  }
  if (s->opts.has_ts)
    p->fin_tsval = s->opts.ts_val;
  return s;
}

uint32_t peer_expect_syn_ack(struct peer *p, uint32_t ack) {
  size_t n = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now);
  if (n == 0)
    fail_msg("expected [SYN,ACK] ack=%u, fin sent nothing", ack);
  assert_int_equal(fin_tcp_parse(p->buf, n, &p->last), FIN_WIRE_OK);
  if (p->last.flags != (TCP_S | TCP_A) || p->last.ack != ack || p->last.dport != p->peer_port) {
    char got[96];
    describe(&p->last, got, sizeof(got));
    fail_msg("expected [SYN,ACK] ack=%u to port %u, fin sent %s", ack, p->peer_port, got);
  }
  if (p->last.opts.has_ts)
    p->fin_tsval = p->last.opts.ts_val;
  return p->last.seq;
}

void peer_expect_nothing(struct peer *p) {
  size_t n = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now);
  if (n == 0) {
    peer_audit(p);
    return;
  }
  struct fin_segment s;
  assert_int_equal(fin_tcp_parse(p->buf, n, &s), FIN_WIRE_OK);
  char got[96];
  describe(&s, got, sizeof(got));
  fail_msg("expected nothing, fin sent %s", got);
}

void peer_advance(struct peer *p, fin_time dt) {
  fin_time end = p->now + dt;
  for (int guard = 0; guard < 100000; guard++) {
    /* Timers only: what they queue stays queued until peer_expect reads it. */
    fin_time d = fin_stack_timer_deadline(p->st);
    if (d > end)
      break;
    if (d > p->now)
      p->now = d;
    fin_stack_on_timers(p->st, p->now);
  }
  p->now = end;
  fin_stack_set_now(p->st, p->now);
}

fin_time peer_advance_to_deadline(struct peer *p) {
  fin_time d = fin_stack_timer_deadline(p->st);
  assert_true(d != FIN_NEVER);
  fin_time dt = d > p->now ? d - p->now : 0;
  p->now = d > p->now ? d : p->now;
  fin_stack_on_timers(p->st, p->now);
  return dt;
}

void peer_listen(struct peer *p, int backlog) {
  p->listener = fin_socket(p->st);
  struct fin_sockaddr any = peer_any(p, FIN_PORT);
  assert_int_equal(fin_bind(p->st, p->listener, &any), 0);
  assert_int_equal(fin_listen(p->st, p->listener, backlog), 0);
  p->fin_port = FIN_PORT;
}

void peer_establish_passive(struct peer *p) {
  peer_listen(p, 8);
  p->fin_port = FIN_PORT;
  peer_send(p, TCP_S, p->irs, 0, NULL, 0);
  size_t n = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now);
  assert_true(n > 0);
  assert_int_equal(fin_tcp_parse(p->buf, n, &p->last), FIN_WIRE_OK);
  assert_int_equal(p->last.flags, TCP_S | TCP_A);
  assert_int_equal(p->last.ack, R(p, 1));
  p->iss = p->last.seq;
  if (p->last.opts.has_ts)
    p->fin_tsval = p->last.opts.ts_val;
  peer_expect_nothing(p);
  p->now += FIN_MS(10);
  peer_send(p, TCP_A, R(p, 1), L(p, 1), NULL, 0);
  p->s = fin_accept(p->st, p->listener, NULL);
  assert_true(p->s >= 0);
  assert_int_equal(fin_sock_state(p->st, p->s), FIN_ESTABLISHED);
  peer_expect_nothing(p);
}

void peer_start_connect(struct peer *p) {
  fin_stack_set_now(p->st, p->now);
  if (p->s < 0)
    p->s = fin_socket(p->st);
  struct fin_sockaddr dst = peer_remote(p);
  assert_int_equal(fin_connect(p->st, p->s, &dst), -EINPROGRESS);
  size_t n = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now);
  assert_true(n > 0);
  assert_int_equal(fin_tcp_parse(p->buf, n, &p->last), FIN_WIRE_OK);
  assert_int_equal(p->last.flags, TCP_S);
  p->iss = p->last.seq;
  p->fin_port = p->last.sport;
  if (p->last.opts.has_ts)
    p->fin_tsval = p->last.opts.ts_val;
  peer_expect_nothing(p);
}

void peer_establish_active(struct peer *p) {
  peer_start_connect(p);
  p->now += FIN_MS(10);
  peer_send(p, TCP_S | TCP_A, p->irs, L(p, 1), NULL, 0);
  peer_expect(p, TCP_A, L(p, 1), R(p, 1));
  peer_expect_nothing(p);
  assert_int_equal(fin_sock_state(p->st, p->s), FIN_ESTABLISHED);
}

enum fin_state peer_state(struct peer *p) {
  return fin_sock_state(p->st, p->s);
}

const struct fin_counters *peer_counters(struct peer *p) {
  return fin_stack_counters(p->st);
}

bool peer_find_closed(struct peer *p, enum fin_close_reason *reason, int *err) {
  struct fin_event ev;
  bool found = false;
  while (fin_stack_poll_event(p->st, &ev)) {
    if (ev.type == FIN_EV_CLOSED) {
      *reason = ev.reason;
      *err = ev.err;
      found = true;
    }
  }
  return found;
}

/* ICMPv6 equivalents of the ICMP errors the tests send (RFC 4443 §3). */
static void icmp6_of(uint8_t type, uint8_t code, uint8_t *t6, uint8_t *c6) {
  *t6 = 1; /* destination unreachable */
  *c6 = 0; /* no route: soft */
  if (type == 3 && code == 1)
    *c6 = 3; /* address unreachable (soft, RFC 1122 host unreachable) */
  else if (type == 3 && (code == 9 || code == 10 || code == 13))
    *c6 = 1; /* administratively prohibited */
  else if (type == 3 && code == 3)
    *c6 = 4; /* port unreachable: hard */
  else if (type == 3 && code == 2) {
    *t6 = 4; /* parameter problem: unrecognized next header (protocol unreachable) */
    *c6 = 1;
  } else if (type == 3 && code == 4) {
    *t6 = 2; /* packet too big */
    *c6 = 0;
  } else if (type == 11) {
    *t6 = 3; /* time exceeded */
    *c6 = code;
  }
}

/* Fills the checksum of the ICMP (IPv4) or ICMPv6 message after the hl-byte
 * IP header (RFC 4443 §2.3: ICMPv6 sums the pseudo-header too) and hands
 * the datagram to fin. */
static void icmp_finish(struct peer *p, uint8_t *d, size_t hl, size_t len) {
  memcpy(d + hl + 8, p->buf, len - hl - 8); /* fin's IP header + 8 bytes of TCP */
  uint32_t sum =
      p->v6 ? fin_wire_pseudo_sum(&p->peer_ip, &p->fin_ip, FIN_IPPROTO_ICMPV6, (uint32_t)(len - hl))
            : 0;
  uint16_t ic = fin_csum_fold(fin_csum_add(sum, d + hl, len - hl));
  d[hl + 2] = (uint8_t)(ic >> 8);
  d[hl + 3] = (uint8_t)ic;
  fin_stack_input(p->st, d, len, p->now);
}

void peer_send_icmp6(struct peer *p, uint8_t type, uint8_t code, uint32_t word) {
  assert_true(p->v6);
  uint8_t d[48 + 48];
  memset(d, 0, sizeof(d));
  d[0] = 0x60;
  d[5] = 8 + 48;
  d[6] = FIN_IPPROTO_ICMPV6;
  d[7] = 64;
  memcpy(d + 8, p->peer_ip.b, 16);
  memcpy(d + 24, p->fin_ip.b, 16);
  d[40] = type;
  d[41] = code;
  for (int i = 0; i < 4; i++) /* RFC 4443 §3.2 MTU, §3.4 pointer */
    d[44 + i] = (uint8_t)(word >> (24 - 8 * i));
  icmp_finish(p, d, 40, sizeof(d));
}

void peer_send_icmp(struct peer *p, uint8_t type, uint8_t code, uint32_t mtu) {
  if (p->v6) {
    uint8_t t6, c6;
    icmp6_of(type, code, &t6, &c6);
    peer_send_icmp6(p, t6, c6, t6 == 2 ? mtu : 0);
    return;
  }
  uint8_t d[28 + 28];
  memset(d, 0, sizeof(d));
  d[0] = 0x45;
  d[3] = (uint8_t)sizeof(d);
  d[8] = 64;
  d[9] = FIN_IPPROTO_ICMP;
  memcpy(d + 12, p->peer_ip.b + 12, 4);
  memcpy(d + 16, p->fin_ip.b + 12, 4);
  uint16_t ipc = fin_csum_fold(fin_csum_add(0, d, 20));
  d[10] = (uint8_t)(ipc >> 8);
  d[11] = (uint8_t)ipc;
  d[20] = type;
  d[21] = code;
  if (type == 3 && code == 4) {
    d[26] = (uint8_t)(mtu >> 8); /* RFC 1191 §4: next-hop MTU */
    d[27] = (uint8_t)mtu;
  }
  icmp_finish(p, d, 20, sizeof(d));
}
