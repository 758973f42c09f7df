/* SPDX-License-Identifier: MIT */
/* Fuzz harness for the whole stack: the input is a program (format in
 * fuzz/fuzz_stack.h) run against two fin stacks wired back to back, so real
 * handshakes, transfers and closes happen - over IPv4 or, when the seed's
 * top bit says so, over IPv6 with extension headers - and the fuzzer
 * perturbs them:
 * datagrams are delivered, dropped, duplicated, reordered or forged (with
 * sequence numbers taken relative to the live connections), time jumps,
 * every socket call is made on live, stale and invalid handles, settings
 * change, connections are killed, stacks shut down, and the Nth allocation
 * fails. Invariants (abort() on violation):
 *   - every datagram out parses with fin_tcp_parse, comes from the host's
 *     own address and fits the MTU; output of one call sequence is bounded;
 *   - after fin_stack_on_timers(now) and draining the output,
 *     fin_stack_next_deadline() > now (queued output makes it now);
 *   - events have known types, states and reasons, in the documented order;
 *   - fin_stack_memory_in_use() equals the allocator's live bytes, and stays
 *     under a budget (MEM_BUDGET: buffer memory is capped at 8 MiB, every
 *     socket buffer request at the stack-wide maximum, BEHAVIOR M16);
 *   - after every drain, fin_stack_audit() holds: every connection has a
 *     way out (a deadline, output due, or a state only the application may
 *     end), no in-order data was refused while the buffer had room, every
 *     connection and TIME-WAIT record that ended emitted its CLOSED event;
 *   - calls return >= 0 or a negative errno > -4096;
 *   - fin_stack_free leaves zero live bytes and blocks in the allocator.
 *
 * libFuzzer: scripts/fuzz-stack.sh [seconds]. Without clang,
 * fuzz/driver_stack.c runs it on seeded inputs (ctest fuzz-smoke/stack) and
 * replays files (fuzz/regressions/stack-*). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifdef FZ_TRACE /* -DFZ_TRACE: print ops, events and datagrams on stderr */
#include <stdio.h>
#define TRACE(...)     fprintf(stderr, __VA_ARGS__)
#define FLAGS(f)       fin_tcp_flags_str((f), (char[32]){0}, 32)
#define ENDPOINT(a, p) fz_endpoint((a), (p), (char[FIN_ENDPOINT_STRLEN]){0})
#else
#define TRACE(...) ((void)0)
#define FLAGS(f)   ""
#endif

#include "fin/fin.h"
#include "fuzz.h"
#include "fuzz_stack.h"

#ifdef FZ_TRACE
static const char *fz_endpoint(const struct fin_addr *a, uint16_t port, char *buf) {
  fin_endpoint_format(a, port, buf, FIN_ENDPOINT_STRLEN);
  return buf;
}
#endif

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond))                                                                                   \
      abort();                                                                                     \
  } while (0)

#define NSOCK      16
#define QMAX       32
#define DGRAM_MAX  2048
#define MAX_OPS    2000
#define MAX_OUT    4096 /* datagrams one drain may yield before we call it a loop */
#define RUN_STEPS  2000
#define TIME_LIMIT FIN_SEC(4 * 3600)
#define T0         FIN_SEC(1)
#define MEM_BUDGET (64u << 20)

struct fz_alloc {
  size_t live_bytes, live_blocks, total, fail_at;
};

/* Per connection id (small ids only): what its events said so far. */
#define TRACKED 1024
struct track {
  uint8_t seen, state, closed, last_was_state_closed;
};

struct host {
  struct fin_stack *st;
  struct track tr[TRACKED];
  struct fz_alloc ta;
  uint64_t rng;
  struct fin_settings set;
  uint16_t mtu;
  fin_sock socks[NSOCK];
  size_t nsocks, next_sock;
  bool woken; /* the wake-up fired since output was last drained */
};

struct dgram {
  uint8_t data[DGRAM_MAX];
  size_t len;
  int to;
};

struct world {
  struct host h[2];
  bool v6; /* FZ_SEED_IPV6: every address and forged datagram is IPv6 */
  fin_time now;
  struct dgram q[QMAX];
  size_t qlen;
  const uint8_t *p;
  size_t n;
};

static struct world W;

/* ---- input reading: past the end everything is 0 ---- */

static uint8_t take8(void) {
  if (W.n == 0)
    return 0;
  W.n--;
  return *W.p++;
}

static uint16_t take16(void) {
  uint16_t hi = take8();
  return (uint16_t)(hi << 8 | take8());
}

static uint32_t take32(void) {
  uint32_t hi = take16();
  return hi << 16 | take16();
}

static struct host *take_host(void) {
  return &W.h[take8() & 1];
}

/* ---- allocator and randomness ---- */

static void *fz_alloc(void *ctx, size_t size) {
  struct fz_alloc *a = ctx;
  a->total++;
  if (a->fail_at != 0 && a->total == a->fail_at)
    return NULL;
  CHECK(a->live_bytes + size <= MEM_BUDGET);
  void *p = malloc(size ? size : 1);
  CHECK(p != NULL);
  memset(p, 0xa5, size); /* code relying on zeroed memory fails */
  a->live_bytes += size;
  a->live_blocks++;
  return p;
}

static void fz_release(void *ctx, void *ptr, size_t size) {
  struct fz_alloc *a = ctx;
  if (ptr == NULL)
    return;
  CHECK(a->live_blocks > 0 && a->live_bytes >= size);
  a->live_bytes -= size;
  a->live_blocks--;
  free(ptr);
}

static void fz_fill(void *ctx, void *buf, size_t len) {
  uint64_t *s = ctx;
  uint8_t *b = buf;
  for (size_t i = 0; i < len; i++) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    b[i] = (uint8_t)((*s * 0x2545F4914F6CDD1DULL) >> 56);
  }
}

/* ---- invariants on what comes out ---- */

static void check_ret(int64_t r) {
  CHECK(r > -4096);
}

static void check_event(const struct fin_event *ev) {
  TRACE("  %lld ev %s conn %llu %s>%s %s %d\n", (long long)W.now, fin_event_type_name(ev->type),
        (unsigned long long)ev->conn_id, fin_state_name(ev->from), fin_state_name(ev->to),
        fin_close_reason_name(ev->reason), ev->err);
  CHECK((unsigned)ev->type < FIN_EV_TYPE_COUNT);
  CHECK(fin_event_type_name(ev->type)[0] != '?');
  CHECK((unsigned)ev->from < FIN_STATE_COUNT && (unsigned)ev->to < FIN_STATE_COUNT);
  CHECK((unsigned)ev->reason < FIN_REASON_COUNT && (unsigned)ev->timer < FIN_TIMER_COUNT);
  CHECK(ev->err <= 0 && ev->err > -4096);
  CHECK(ev->time <= W.now);
}

/* The documented order (stack.h): for one connection, STATE events chain
 * (each from = the previous to), the last two are STATE (to CLOSED) then
 * CLOSED, and nothing follows. Unchecked once events were dropped. */
static void check_order(struct host *h, const struct fin_event *ev) {
  if (ev->conn_id == 0 || ev->conn_id >= TRACKED || fin_stack_counters(h->st)->events_dropped)
    return;
  struct track *t = &h->tr[ev->conn_id];
  CHECK(!t->closed);
  if (ev->type == FIN_EV_CLOSED) {
    CHECK(t->last_was_state_closed);
    t->closed = 1;
  }
  t->last_was_state_closed = ev->type == FIN_EV_STATE && ev->to == FIN_CLOSED;
  if (ev->type != FIN_EV_STATE)
    return;
  CHECK(!t->seen || ev->from == t->state);
  t->seen = 1;
  t->state = (uint8_t)ev->to;
}

static void drain_events(struct host *h) {
  struct fin_event ev;
  for (int i = 0; i < 1000000 && fin_stack_poll_event(h->st, &ev); i++) {
    check_event(&ev);
    check_order(h, &ev);
  }
}

/* Host A (1), B (2) or the third address (3) of the family under test:
 * 10.0.0.n or fd00::n. */
static struct fin_addr fz_addr(unsigned n) {
  if (!W.v6)
    return fin_addr_v4(FZ_ADDR_A - 1 + n);
  uint8_t b[16] = {0xfd, [15] = (uint8_t)n};
  return fin_addr_v6(b);
}

static int route(struct fin_addr a) {
  struct fin_addr ha = fz_addr(1), hb = fz_addr(2);
  if (fin_addr_eq(&a, &ha))
    return 0;
  return fin_addr_eq(&a, &hb) ? 1 : -1;
}

static void enqueue(const uint8_t *d, size_t len, int to) {
  if (W.qlen == QMAX) { /* the link is full: the oldest is lost */
    memmove(&W.q[0], &W.q[1], (QMAX - 1) * sizeof(W.q[0]));
    W.qlen--;
  }
  memcpy(W.q[W.qlen].data, d, len);
  W.q[W.qlen].len = len;
  W.q[W.qlen].to = to;
  W.qlen++;
}

static void check_output(struct host *h, const uint8_t *d, size_t len) {
  struct fin_segment seg;
  CHECK(fin_tcp_parse(d, len, &seg) == FIN_WIRE_OK);
  CHECK((seg.flags & (FIN_TCP_SYN | FIN_TCP_RST)) != (FIN_TCP_SYN | FIN_TCP_RST));
  CHECK(fin_addr_eq(&seg.saddr, &h->set.local_addrs[0]));
  CHECK(len <= h->mtu);
  TRACE("  %lld out %s > %s %s seq %u ack %u len %u\n", (long long)W.now,
        ENDPOINT(&seg.saddr, seg.sport), ENDPOINT(&seg.daddr, seg.dport), FLAGS(seg.flags), seg.seq,
        seg.ack, seg.payload_len);
  int to = route(seg.daddr);
  if (to >= 0)
    enqueue(d, len, to);
}

static void drain_host(struct host *h) {
  static uint8_t buf[DGRAM_MAX];
  size_t n, count = 0;
  while ((n = fin_stack_output(h->st, buf, sizeof(buf), W.now)) > 0) {
    /* Every path that queues output woke the embedder first. */
    CHECK(h->woken);
    CHECK(n <= sizeof(buf));
    CHECK(++count <= MAX_OUT);
    check_output(h, buf, n);
  }
  h->woken = false;
  drain_events(h);
  /* The stack's own accounting (used for its memory limits) is exact. */
  CHECK(fin_stack_memory_in_use(h->st) == h->ta.live_bytes);
  /* Liveness: what no check of the datagrams can see (docs/engine.md). */
#ifdef FZ_TRACE
  struct fin_audit au;
  if (fin_stack_audit(h->st, &au) != 0) {
    TRACE("audit: %s (conn %llu, %s)\n", au.what, (unsigned long long)au.conn_id,
          fin_state_name(au.state));
    struct fin_conn_info ci[8];
    size_t cur = 0, k = fin_stack_list(h->st, &cur, ci, 8);
    for (size_t i = 0; i < k; i++)
      TRACE("  conn %llu %s una %u nxt %u queued %u unacked %u snd_wnd %u cwnd %u mss %u "
            "rcv_wnd %u timer %s\n",
            (unsigned long long)ci[i].conn_id, fin_state_name(ci[i].state), ci[i].snd_una,
            ci[i].snd_nxt, ci[i].snd_queued, ci[i].unacked, ci[i].snd_wnd, ci[i].cwnd,
            ci[i].snd_mss, ci[i].rcv_wnd, fin_timer_name(ci[i].next_timer));
  }
#endif
  CHECK(fin_stack_audit(h->st, NULL) == 0);
}

static void drain_all(void) {
  drain_host(&W.h[0]);
  drain_host(&W.h[1]);
}

/* ---- time ---- */

static void run_timers(void) {
  for (int i = 0; i < 2; i++) {
    struct host *h = &W.h[i];
    fin_stack_on_timers(h->st, W.now);
    CHECK(fin_stack_now(h->st) == W.now);
  }
}

/* Timers run and output drained: nothing is due until later. */
static void check_deadlines(void) {
  for (int i = 0; i < 2; i++)
    CHECK(fin_stack_next_deadline(W.h[i].st) > W.now);
}

static void set_time(fin_time t) {
  if (t > T0 + TIME_LIMIT)
    t = T0 + TIME_LIMIT;
  if (t < W.now)
    t = W.now;
  W.now = t;
  run_timers();
  drain_all();
  check_deadlines();
}

static fin_time take_duration(void) {
  static const fin_time scale[FZ_SCALES] = {FIN_MS(1), FIN_MS(10), FIN_SEC(1), FIN_SEC(60),
                                            FIN_SEC(600)};
  fin_time amount = take8();
  return amount * scale[take8() % FZ_SCALES];
}

static fin_time next_deadline(void) {
  fin_time a = fin_stack_next_deadline(W.h[0].st), b = fin_stack_next_deadline(W.h[1].st);
  return a < b ? a : b;
}

static void deliver(size_t i) {
  static struct dgram d;
  d = W.q[i];
  memmove(&W.q[i], &W.q[i + 1], (W.qlen - i - 1) * sizeof(W.q[0]));
  W.qlen--;
  fin_stack_input(W.h[d.to].st, d.data, d.len, W.now);
}

/* Like the simulator: a 1 ms link, timers fired in deadline order. */
static void op_run(void) {
  fin_time end = W.now + take_duration();
  for (int step = 0; step < RUN_STEPS && W.now < end; step++) {
    fin_time t = W.qlen > 0 ? W.now + FIN_MS(1) : next_deadline();
    if (t > end)
      t = end;
    W.now = t > W.now ? t : W.now;
    size_t k = W.qlen;
    for (size_t i = 0; i < k && W.qlen > 0; i++)
      deliver(0);
    drain_all();
    set_time(W.now);
  }
}

static void op_advance(void) {
  set_time(W.now + take_duration());
}

/* ---- the queue between the stacks ---- */

static void op_queue(enum fz_op op) {
  size_t i = take8(), j = take8();
  if (W.qlen == 0)
    return;
  i %= W.qlen;
  j %= W.qlen;
  if (op == FZ_OP_DELIVER) {
    deliver(i);
  } else if (op == FZ_OP_DROP) {
    memmove(&W.q[i], &W.q[i + 1], (W.qlen - i - 1) * sizeof(W.q[0]));
    W.qlen--;
  } else if (op == FZ_OP_DUP) {
    static struct dgram d;
    d = W.q[i];
    enqueue(d.data, d.len, d.to);
  } else {
    static struct dgram d;
    d = W.q[i];
    W.q[i] = W.q[j];
    W.q[j] = d;
  }
}

/* ---- handles ---- */

static void remember(struct host *h, fin_sock s) {
  check_ret(s);
  if (s < 0)
    return;
  h->socks[h->next_sock] = s;
  h->next_sock = (h->next_sock + 1) % NSOCK;
  if (h->nsocks < NSOCK)
    h->nsocks++;
}

/* A handle the program has seen (live or stale), or an invalid one. */
static fin_sock take_sock(struct host *h) {
  static const fin_sock bad[] = {-1, 0, 1, INT64_MAX, INT64_MIN, 1ll << 32, 0xffff, -4096};
  uint8_t b = take8();
  if (b >= 0xf8 || h->nsocks == 0)
    return bad[b % 8];
  return h->socks[b % h->nsocks];
}

static struct fin_addr other_addr(const struct host *h) {
  return fz_addr(h == &W.h[0] ? 2 : 1);
}

static void op_socket(void) {
  struct host *h = take_host();
  remember(h, fin_socket(h->st));
}

static void op_bind(void) {
  struct host *h = take_host();
  fin_sock s = take_sock(h);
  uint8_t as = take8(), ps = take8();
  uint16_t port = take16();
  struct fin_addr addrs[4] = {W.v6 ? fin_addr_any6() : fin_addr_v4(0), h->set.local_addrs[0],
                              other_addr(h), fin_addr_v4(0)};
  uint16_t ports[4] = {0, 80, 81, port};
  struct fin_sockaddr a = {addrs[as % (W.v6 ? 4 : 3)], ports[ps % 4], FIN_AF_UNSPEC};
  check_ret(fin_bind(h->st, s, &a));
}

static void op_listen(void) {
  struct host *h = take_host();
  fin_sock s = take_sock(h);
  check_ret(fin_listen(h->st, s, (int)(int8_t)take8()));
}

static void op_connect(void) {
  struct host *h = take_host();
  fin_sock s = take_sock(h);
  uint8_t sel = take8();
  uint16_t port = take16();
  struct fin_sockaddr a[6] = {
      {other_addr(h), 80, FIN_AF_UNSPEC},
      {other_addr(h), 81, FIN_AF_UNSPEC},
      {other_addr(h), port, FIN_AF_UNSPEC},
      {h->set.local_addrs[0], 80, FIN_AF_UNSPEC},
      {fz_addr(3), port, FIN_AF_UNSPEC},
      {fin_addr_v4(h == &W.h[0] ? FZ_ADDR_B : FZ_ADDR_A), 80, FIN_AF_UNSPEC}};
  check_ret(fin_connect(h->st, s, &a[sel % (W.v6 ? 6 : 5)]));
}

static void op_accept(void) {
  struct host *h = take_host();
  fin_sock s = take_sock(h);
  struct fin_sockaddr peer;
  remember(h, fin_accept(h->st, s, (take8() & 1) ? &peer : NULL));
}

static size_t take_len(void) {
  uint16_t v = take16();
  return (v & 0x8000) ? (size_t)(v & 0x7fff) * 4 : (size_t)(v & 0x7ff);
}

static void op_send(void) {
  static uint8_t buf[0x8000 * 4];
  struct host *h = take_host();
  fin_sock s = take_sock(h);
  size_t len = take_len();
  uint8_t how = take8();
  int flags = how & (FIN_MSG_PEEK | FIN_MSG_DONTWAIT);
  memset(buf, 'a' + (int)(len % 26), len);
  /* RFC 7413: data on the SYN, Linux's sendto(MSG_FASTOPEN) implied connect. */
  struct fin_sockaddr to = {other_addr(h), 80, FIN_AF_UNSPEC};
  ssize_t r = (how & 0x80) ? fin_sendto(h->st, s, buf, len, flags | FIN_MSG_FASTOPEN, &to)
                           : fin_send(h->st, s, buf, len, flags);
  check_ret(r);
  CHECK(r < 0 || (size_t)r <= len);
}

static void op_recv(void) {
  static uint8_t buf[0x8000 * 4];
  struct host *h = take_host();
  fin_sock s = take_sock(h);
  size_t len = take_len();
  int flags = take8() & (FIN_MSG_PEEK | FIN_MSG_DONTWAIT);
  ssize_t r = fin_recv(h->st, s, len ? buf : NULL, len, flags);
  check_ret(r);
  CHECK(r < 0 || (size_t)r <= len);
}

static void op_close_like(enum fz_op op) {
  struct host *h = take_host();
  fin_sock s = take_sock(h);
  if (op == FZ_OP_SHUTDOWN)
    check_ret(fin_shutdown(h->st, s, (int)(take8() % 4)));
  else if (op == FZ_OP_CLOSE)
    check_ret(fin_close(h->st, s));
  else
    check_ret(fin_abort(h->st, s));
}

/* An option value: small signed, a few interesting ones, or 32 fuzz bits. */
static int take_int(void) {
  static const int special[] = {0, 1, -1, 2, 60, 3600, INT32_MAX, INT32_MIN};
  uint8_t sel = take8();
  if (sel < 128)
    return (int)(int8_t)take8();
  if (sel < 240)
    return special[sel % 8];
  return (int)take32();
}

static size_t take_optlen(size_t natural) {
  static const size_t lens[] = {0, 1, 2, 3, 5, 64};
  uint8_t sel = take8();
  return sel < 200 ? natural : lens[sel % 6];
}

/* Every socket option, and one value past the last. */
#define FZ_SOCKOPTS (FIN_TCP_FASTOPEN_CONNECT + 2)

static void op_setsockopt(void) {
  struct host *h = take_host();
  fin_sock s = take_sock(h);
  enum fin_sockopt opt = (enum fin_sockopt)(take8() % FZ_SOCKOPTS);
  union {
    struct fin_linger l;
    int i;
    uint8_t pad[64];
  } v;
  memset(&v, 0, sizeof(v));
  size_t natural = sizeof(int);
  if (opt == FIN_SO_LINGER) {
    v.l.onoff = take_int();
    v.l.linger = take_int();
    natural = sizeof(v.l);
  } else {
    v.i = take_int();
  }
  check_ret(fin_setsockopt(h->st, s, opt, &v, take_optlen(natural)));
}

static void op_getsockopt(void) {
  struct host *h = take_host();
  fin_sock s = take_sock(h);
  enum fin_sockopt opt = (enum fin_sockopt)(take8() % FZ_SOCKOPTS);
  union {
    struct fin_conn_info info;
    uint8_t pad[sizeof(struct fin_conn_info) + 64];
  } v;
  size_t len = take_optlen(opt == FIN_TCP_INFO ? sizeof(v.info) : sizeof(int));
  size_t before = len;
  int r = fin_getsockopt(h->st, s, opt, &v, &len);
  check_ret(r);
  CHECK(r < 0 || len <= before);
}

static void op_query(void) {
  struct host *h = take_host();
  fin_sock s = take_sock(h);
  struct fin_sockaddr a;
  int ev = fin_poll(h->st, s);
  CHECK(ev >= 0);
  check_ret(fin_inq(h->st, s));
  check_ret(fin_getsockname(h->st, s, &a));
  check_ret(fin_getpeername(h->st, s, &a));
  CHECK((unsigned)fin_sock_state(h->st, s) < FIN_STATE_COUNT);
  (void)fin_sock_conn_id(h->st, s);
}

/* ---- forged segments ---- */

/* The k-th connection of the host's listing (TIME-WAIT records included);
 * false when it has fewer. */
static bool pick_conn(struct host *h, uint8_t k, struct fin_conn_info *out) {
  static struct fin_conn_info list[16];
  size_t cursor = 0;
  size_t n = fin_stack_list(h->st, &cursor, list, 16);
  CHECK(n <= 16);
  if (n == 0 || k % 17 == 16)
    return false;
  *out = list[k % n];
  return true;
}

/* A sequence number around a live one: exact, +-small, +-window, +-2^31,
 * anywhere. */
static uint32_t take_near(uint32_t base) {
  uint8_t mode = take8();
  switch (mode % 6) {
  case 0:
    return base;
  case 1:
    return base + (uint32_t)(int32_t)(int8_t)take8();
  case 2:
    return base + (uint32_t)(int32_t)(int16_t)take16();
  case 3:
    return base + ((uint32_t)(int32_t)(int16_t)take16() << 8);
  case 4:
    return base + 0x80000000u + (uint32_t)(int32_t)(int8_t)take8();
  default:
    return take32();
  }
}

static void forged_addresses(struct host *h, struct fin_segment *seg, struct fin_conn_info *ci) {
  uint8_t k = take8();
  if (pick_conn(h, k, ci)) {
    seg->saddr = ci->tuple.remote_addr;
    seg->daddr = ci->tuple.local_addr;
    seg->sport = ci->tuple.remote_port;
    seg->dport = ci->tuple.local_port;
    return;
  }
  memset(ci, 0, sizeof(*ci));
  static const uint16_t lports[4] = {80, 81, 32768, 0};
  seg->saddr = (k & 1) ? other_addr(h) : fz_addr(3);
  seg->daddr = h->set.local_addrs[0];
  seg->sport = take16();
  seg->dport = lports[(k >> 1) % 4];
  if (seg->dport == 0)
    seg->dport = take16();
}

static size_t forged_options(uint8_t *opt, const struct fin_segment *seg,
                             const struct fin_conn_info *ci) {
  uint8_t sel = take8();
  if (sel % 3 == 0)
    return 0;
  if (sel % 3 == 1) {
    size_t len = (size_t)(take8() % 11) * 4;
    for (size_t i = 0; i < len; i++)
      opt[i] = take8();
    return len;
  }
  struct fin_tcp_opts_out o = {.mss = sel & 8,
                               .mss_value = take16(),
                               .wscale = sel & 16,
                               .wscale_value = take8(),
                               .sack_permitted = sel & 32,
                               .ts = sel & 64,
                               .ts_val = take_near((uint32_t)(W.now / FIN_MS(1))),
                               .ts_ecr = take32(),
                               .sack_count = (uint8_t)(take8() % 5)};
  for (size_t i = 0; i < o.sack_count; i++)
    o.sack[i] = (struct fin_sack_block){take_near(ci->snd_una), take_near(ci->snd_nxt)};
  (void)seg;
  return fin_tcp_opts_write(opt, &o, (enum fin_option_layout)(sel >> 7),
                            (seg->flags & FIN_TCP_SYN) != 0);
}

/* ---- IPv6 extension headers (RFC 8200 §4) ---- */

#define NH_HOPOPTS  0
#define NH_ROUTING  43
#define NH_FRAGMENT 44
#define NH_DSTOPTS  60

/* The FZ_EXT_CHAINS chains FZ_OP_INJECT can put in front of a segment:
 * types in order and one "odd" flag per header (a fragment with M set, a
 * routing header with segments left, an option that must be understood).
 * Some pass (the segment reaches TCP), some are refused and counted. */
static const struct {
  uint8_t n, type[4], odd[4];
} ext_chains[FZ_EXT_CHAINS] = {
    {0, {0}, {0}},
    {1, {NH_HOPOPTS}, {0}},
    {1, {NH_DSTOPTS}, {0}},
    {1, {NH_ROUTING}, {0}},
    {1, {NH_FRAGMENT}, {0}}, /* atomic: processed (RFC 6946) */
    {1, {NH_FRAGMENT}, {1}}, /* a first fragment: refused */
    {1, {NH_ROUTING}, {1}},  /* segments left: refused */
    {4, {NH_HOPOPTS, NH_DSTOPTS, NH_ROUTING, NH_DSTOPTS}, {0}},
    {2, {NH_DSTOPTS, NH_HOPOPTS}, {0}}, /* hop-by-hop not first: refused */
    {1, {NH_DSTOPTS}, {1}},             /* must-understand option: refused */
};

/* One 8-byte extension header of the given type, its next header nh. */
static void ext_header(uint8_t *h, uint8_t type, uint8_t nh, bool odd) {
  memset(h, 0, 8);
  h[0] = nh;
  if (type == NH_FRAGMENT) {
    h[3] = odd; /* M */
    h[7] = 0x42;
  } else if (type == NH_ROUTING) {
    h[2] = 4; /* segment routing (RFC 8754) */
    h[3] = odd;
  } else {
    h[2] = odd ? 0x85 : 1; /* 10xxxxxx: discard; PadN */
    h[3] = 4;
  }
}

/* Inserts chain k after the 40-byte header of an IPv6 datagram of len
 * bytes (cap permitting): the upper-layer checksum stays right (§8.1). */
static size_t insert_chain(uint8_t *d, size_t len, size_t cap, unsigned k) {
  size_t el = (size_t)ext_chains[k].n * 8, plen = (size_t)d[4] << 8 | d[5];
  if (el == 0 || len + el > cap || plen + el > 65535)
    return len;
  memmove(d + 40 + el, d + 40, len - 40);
  uint8_t nh = d[6];
  for (size_t i = ext_chains[k].n; i-- > 0;) {
    ext_header(d + 40 + 8 * i, ext_chains[k].type[i], nh, ext_chains[k].odd[i]);
    nh = ext_chains[k].type[i];
  }
  d[6] = nh;
  d[4] = (uint8_t)((plen + el) >> 8);
  d[5] = (uint8_t)(plen + el);
  return len + el;
}

static void op_inject(void) {
  static uint8_t payload[4096], buf[4096 + 256];
  struct host *h = take_host();
  struct fin_segment seg;
  struct fin_conn_info ci;
  memset(&seg, 0, sizeof(seg));
  forged_addresses(h, &seg, &ci);
  seg.flags = take8();
  uint32_t seqs[4] = {ci.rcv_nxt, ci.irs, ci.rcv_nxt + ci.rcv_wnd, 0};
  uint32_t acks[4] = {ci.snd_una, ci.snd_nxt, ci.iss, ci.snd_una - ci.snd_wnd};
  seg.seq = take_near(seqs[take8() % 4]);
  seg.ack = take_near(acks[take8() % 4]);
  seg.wnd = take16();
  seg.urg = (seg.flags & FIN_TCP_URG) ? take16() : 0;
  /* The ECN field (RFC 3168 §5) from the ECE and CWR bits: CE and ECT
   * marks on forged segments without taking more input bytes. */
  seg.tos = (uint8_t)(seg.flags >> 6);
  uint8_t opt[FIN_TCP_OPT_MAX];
  size_t ol = forged_options(opt, &seg, &ci);
  size_t len = take16() % sizeof(payload);
  memset(payload, 'z', len);
  size_t n = fin_tcp_build(buf, sizeof(buf), &seg, opt, ol, payload, len, NULL, 0);
  if (W.v6 && n > 0)
    n = insert_chain(buf, n, sizeof(buf), take8() % FZ_EXT_CHAINS);
  if (n > 0)
    fin_stack_input(h->st, buf, n, W.now);
}

static void put_csum(uint8_t *field, uint32_t sum, const uint8_t *p, size_t len) {
  field[0] = field[1] = 0;
  uint16_t c = fin_csum_fold(fin_csum_add(sum, p, len));
  field[0] = (uint8_t)(c >> 8);
  field[1] = (uint8_t)c;
}

static void fix_checksums(uint8_t *d, size_t len) {
  size_t ihl = (size_t)(d[0] & 0x0f) * 4;
  if (ihl < FIN_IPV4_HDR_MIN || ihl > len)
    return;
  put_csum(d + 10, 0, d, ihl);
  size_t tot = (size_t)d[2] << 8 | d[3];
  if (tot > len || tot < ihl)
    return;
  size_t l4 = tot - ihl;
  uint32_t pseudo = (uint32_t)(d[12] << 8 | d[13]) + (uint32_t)(d[14] << 8 | d[15]) +
                    (uint32_t)(d[16] << 8 | d[17]) + (uint32_t)(d[18] << 8 | d[19]) +
                    FIN_IPPROTO_TCP + (uint32_t)l4;
  if (d[9] == FIN_IPPROTO_TCP && l4 >= FIN_TCP_HDR_MIN)
    put_csum(d + ihl + 16, pseudo, d + ihl, l4);
  if (d[9] == FIN_IPPROTO_ICMP && l4 >= 8)
    put_csum(d + ihl + 2, 0, d + ihl, l4);
}

/* IPv6: the upper layer (TCP or ICMPv6) after any extension headers gets
 * its checksum over the RFC 8200 §8.1 pseudo-header, summed here
 * independently of the stack. */
static void fix_checksums_v6(uint8_t *d, size_t len) {
  struct fin_ip_info ip;
  if (fin_ip_parse(d, len, &ip) != FIN_WIRE_OK)
    return;
  uint8_t *up = d + (ip.payload - d);
  uint32_t sum = ip.proto + (uint32_t)ip.payload_len;
  for (size_t i = 8; i < 40; i += 2)
    sum += (uint32_t)(d[i] << 8 | d[i + 1]);
  if (ip.proto == FIN_IPPROTO_TCP && ip.payload_len >= FIN_TCP_HDR_MIN)
    put_csum(up + 16, sum, up, ip.payload_len);
  if (ip.proto == FIN_IPPROTO_ICMPV6 && ip.payload_len >= 8)
    put_csum(up + 2, sum, up, ip.payload_len);
}

/* The IPv6 form of op_raw's fix: version 6, the payload length of the
 * bytes, TCP or ICMPv6 (or, fix bit 8, the fuzzer's own next header: an
 * extension chain), from the other host or the third address to us. */
static void raw_header_v6(struct host *h, uint8_t *buf, size_t len, uint8_t fix) {
  buf[0] = (uint8_t)(0x60 | (buf[0] & 0x0f));
  buf[4] = (uint8_t)((len - 40) >> 8);
  buf[5] = (uint8_t)(len - 40);
  if (!(fix & 8))
    buf[6] = (fix & 2) ? FIN_IPPROTO_ICMPV6 : FIN_IPPROTO_TCP;
  struct fin_addr src = (fix & 4) ? fz_addr(3) : other_addr(h);
  memcpy(buf + 8, src.b, 16);
  memcpy(buf + 24, h->set.local_addrs[0].b, 16);
  fix_checksums_v6(buf, len);
}

/* Raw bytes; with fix set, a plausible IPv4 (or IPv6) header to our address
 * with the checksums repaired, so mutations get past them. */
static void op_raw(void) {
  static uint8_t buf[DGRAM_MAX];
  struct host *h = take_host();
  uint8_t fix = take8();
  size_t len = take16() % DGRAM_MAX;
  for (size_t i = 0; i < len; i++)
    buf[i] = take8();
  if (W.v6 && (fix & 1) && len >= FIN_IPV6_HDR_LEN)
    raw_header_v6(h, buf, len, fix);
  else if (!W.v6 && (fix & 1) && len >= FIN_IPV4_HDR_MIN) {
    buf[0] = 0x45;
    buf[2] = (uint8_t)(len >> 8);
    buf[3] = (uint8_t)len;
    buf[9] = (fix & 2) ? FIN_IPPROTO_ICMP : FIN_IPPROTO_TCP;
    struct fin_addr o = other_addr(h);
    uint32_t src = (fix & 4) ? FZ_ADDR_THIRD : fin_addr_get_v4(&o);
    uint32_t dst = fin_addr_get_v4(&h->set.local_addrs[0]);
    for (int k = 0; k < 4; k++) {
      buf[12 + k] = (uint8_t)(src >> (24 - 8 * k));
      buf[16 + k] = (uint8_t)(dst >> (24 - 8 * k));
    }
    fix_checksums(buf, len);
  }
  fin_stack_input(h->st, buf, len, W.now);
}

/* ICMPv6 (RFC 4443): destination unreachable, packet too big with a
 * 32-bit MTU, time exceeded, parameter problem, quoting up to 88 bytes of
 * a queued (IPv6) datagram, from its destination to its source. */
static void icmp6_error(const struct dgram *d, uint8_t type, uint8_t code, uint32_t word) {
  static uint8_t buf[48 + 88];
  size_t quote = d->len < 88 ? d->len : 88;
  memset(buf, 0, 48);
  buf[0] = 0x60;
  buf[4] = (uint8_t)((8 + quote) >> 8);
  buf[5] = (uint8_t)(8 + quote);
  buf[6] = FIN_IPPROTO_ICMPV6;
  buf[7] = 64;
  memcpy(buf + 8, d->data + 24, 16);
  memcpy(buf + 24, d->data + 8, 16);
  buf[40] = type;
  buf[41] = code;
  for (int k = 0; k < 4; k++)
    buf[44 + k] = (uint8_t)(word >> (24 - 8 * k));
  memcpy(buf + 48, d->data, quote);
  fix_checksums_v6(buf, 48 + quote);
  fin_stack_input(W.h[1 - d->to].st, buf, 48 + quote, W.now);
}

/* An ICMP error (unreachable, frag-needed with an MTU, time exceeded...)
 * quoting a queued datagram, sent back to its sender; ICMPv6 over IPv6. */
static void op_icmp(void) {
  static uint8_t buf[28 + 68];
  static const uint8_t types[4] = {3, 4, 11, 12};
  size_t i = take8();
  uint8_t tsel = take8() % 4, code = take8() % 16;
  uint8_t type = types[tsel];
  uint16_t mtu = take16();
  if (W.qlen == 0)
    return;
  const struct dgram *d = &W.q[i % W.qlen];
  if (W.v6) {
    icmp6_error(d, (uint8_t)(1 + tsel), code % 8, mtu);
    return;
  }
  size_t quote = d->len < 68 ? d->len : 68;
  int to = 1 - d->to;
  memset(buf, 0, 28);
  buf[0] = 0x45;
  buf[2] = (uint8_t)((28 + quote) >> 8);
  buf[3] = (uint8_t)(28 + quote);
  buf[8] = 64;
  buf[9] = FIN_IPPROTO_ICMP;
  memcpy(buf + 12, d->data + 16, 4); /* from the quoted datagram's destination */
  memcpy(buf + 16, d->data + 12, 4); /* to its source */
  buf[20] = type;
  buf[21] = code;
  buf[26] = (uint8_t)(mtu >> 8);
  buf[27] = (uint8_t)mtu;
  memcpy(buf + 28, d->data, quote);
  fix_checksums(buf, 28 + quote);
  fin_stack_input(W.h[to].st, buf, 28 + quote, W.now);
}

/* ---- stack-level operations ---- */

static void op_kill(void) {
  struct host *h = take_host();
  struct fin_conn_info ci;
  uint8_t k = take8();
  if (!pick_conn(h, k, &ci)) {
    ci.tuple = (struct fin_4tuple){h->set.local_addrs[0], other_addr(h), 80, take16()};
  }
  int r = fin_stack_kill(h->st, &ci.tuple);
  CHECK(r == 0 || r == -ENOENT);
}

static void op_stack_shutdown(void) {
  struct host *h = take_host();
  fin_stack_shutdown(h->st, W.now + (fin_time)take8() * FIN_MS(100));
  (void)fin_stack_shutdown_done(h->st);
}

static void toggle(struct fin_settings *s, uint8_t which, uint8_t v) {
  switch (which % 16) {
  case 0:
    s->rfc1337 = v & 1;
    break;
  case 1:
    s->rst_time_wait = v & 1;
    break;
  case 2:
    s->strict_malformed_abort = v & 1;
    break;
  case 3:
    s->syn_cookies = v & 1;
    break;
  case 4:
    s->max_time_wait = v % 4;
    break;
  case 5:
    s->max_orphans = v % 4;
    break;
  case 6:
    s->sndbuf = v ? (uint32_t)v * 16 : 65536;
    break;
  case 7:
    s->rcvbuf = v ? (uint32_t)v * 16 : 65536;
    break;
  case 8:
    s->syn_backlog = v % 4;
    break;
  case 9:
    s->max_connections = v % 8;
    break;
  case 10:
    s->event_queue_max = v % 8;
    break;
  case 11:
    s->challenge_ack_interval = (v & 1) ? 0 : FIN_MS(500);
    break;
  case 12:
    s->rst_rate_per_sec = v % 4;
    break;
  case 13:
    s->accept_overflow = (enum fin_accept_overflow)(v & 1);
    break;
  case 14:
    s->tw_reuse = v & 1;
    break;
  default:
    s->max_buffer_memory = v ? (uint64_t)v * 1024 : 1ull << 31;
    break;
  }
}

static void op_settings(void) {
  struct host *h = take_host();
  uint8_t which = take8(), v = take8();
  toggle(&h->set, which, v);
  check_ret(fin_stack_set_settings(h->st, &h->set));
}

static void op_alloc_fail(void) {
  struct host *h = take_host();
  uint8_t n = take8();
  h->ta.fail_at = n == 255 ? 0 : h->ta.total + 1 + n;
}

/* ---- the program ---- */

static void run_op(uint8_t op) {
  TRACE("op %u\n", op % FZ_OP_COUNT);
  switch ((enum fz_op)(op % FZ_OP_COUNT)) {
  case FZ_OP_SOCKET:
    op_socket();
    break;
  case FZ_OP_BIND:
    op_bind();
    break;
  case FZ_OP_LISTEN:
    op_listen();
    break;
  case FZ_OP_CONNECT:
    op_connect();
    break;
  case FZ_OP_ACCEPT:
    op_accept();
    break;
  case FZ_OP_SEND:
    op_send();
    break;
  case FZ_OP_RECV:
    op_recv();
    break;
  case FZ_OP_SHUTDOWN:
    op_close_like(FZ_OP_SHUTDOWN);
    break;
  case FZ_OP_CLOSE:
    op_close_like(FZ_OP_CLOSE);
    break;
  case FZ_OP_ABORT:
    op_close_like(FZ_OP_ABORT);
    break;
  case FZ_OP_SETSOCKOPT:
    op_setsockopt();
    break;
  case FZ_OP_GETSOCKOPT:
    op_getsockopt();
    break;
  case FZ_OP_QUERY:
    op_query();
    break;
  case FZ_OP_DELIVER:
    op_queue(FZ_OP_DELIVER);
    break;
  case FZ_OP_DROP:
    op_queue(FZ_OP_DROP);
    break;
  case FZ_OP_DUP:
    op_queue(FZ_OP_DUP);
    break;
  case FZ_OP_SWAP:
    op_queue(FZ_OP_SWAP);
    break;
  case FZ_OP_RUN:
    op_run();
    break;
  case FZ_OP_ADVANCE:
    op_advance();
    break;
  case FZ_OP_INJECT:
    op_inject();
    break;
  case FZ_OP_RAW:
    op_raw();
    break;
  case FZ_OP_ICMP:
    op_icmp();
    break;
  case FZ_OP_KILL:
    op_kill();
    break;
  case FZ_OP_STACK_SHUTDOWN:
    op_stack_shutdown();
    break;
  case FZ_OP_SETTINGS:
    op_settings();
    break;
  default:
    op_alloc_fail();
    break;
  }
}

static void configure(struct fin_settings *s, uint8_t cfg, struct fin_addr addr) {
  fin_settings_default(s);
  s->local_addrs[0] = addr;
  s->local_addr_count = 1;
  s->event_mask = FIN_EVENTS_ALL;
  s->timestamps = !(cfg & FZ_CFG_NO_TS);
  s->window_scaling = !(cfg & FZ_CFG_NO_WS);
  s->sack_permitted = !(cfg & FZ_CFG_NO_SACK);
  s->max_buffer_memory = 8u << 20; /* F3 keeps the stack inside the budget */
  s->ecn = FIN_ECN_ON;             /* RFC 3168 between the two hosts (ecn.c) */
  /* RFC 7413 both ways: TFO starts once a listener sets TCP_FASTOPEN and a
   * client asks (TCP_FASTOPEN_CONNECT, MSG_FASTOPEN, TCP_FASTOPEN). */
  s->fastopen_client = true;
  s->fastopen_server = true;
  if (cfg & FZ_CFG_FREEBSD) {
    s->option_layout = FIN_LAYOUT_FREEBSD;
    s->resend_fin_with_ack = true;
    s->rcvbuf_round_to_mss = true;
    s->rcv_wnd_round_up = true;
  }
  if (cfg & FZ_CFG_NO_DELACK)
    s->delack = 0;
  if (cfg & FZ_CFG_SMALL_MTU)
    s->mtu = 576;
  if (cfg & FZ_CFG_SMALL_BUF)
    s->sndbuf = s->rcvbuf = 4096;
  if (cfg & FZ_CFG_FAST_TIMER) {
    s->msl = FIN_SEC(1);
    s->fin_timeout = FIN_SEC(2);
    s->keepalive_idle = FIN_SEC(10);
    s->keepalive_interval = FIN_SEC(1);
    s->keepalive_probes = 3;
  }
}

static void on_wake(void *ctx) {
  struct host *h = ctx;
  h->woken = true;
}

static void host_new(struct host *h, uint8_t cfg, struct fin_addr addr, uint64_t seed) {
  memset(h, 0, sizeof(*h));
  configure(&h->set, cfg, addr);
  /* RFC 8200 §5: an IPv6 link carries 1280 bytes whatever the MTU says. */
  h->mtu = W.v6 && h->set.mtu < FIN_IPV6_MIN_MTU ? FIN_IPV6_MIN_MTU : h->set.mtu;
  h->rng = seed | 1;
  struct fin_allocator a = {fz_alloc, fz_release, &h->ta};
  struct fin_random r = {fz_fill, &h->rng};
  CHECK(fin_stack_new(&h->st, &h->set, &a, &r, T0) == 0);
  h->woken = false;
  fin_stack_set_wakeup(h->st, on_wake, h);
}

static void host_free(struct host *h) {
  fin_stack_free(h->st);
  CHECK(h->ta.live_bytes == 0 && h->ta.live_blocks == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  W.p = data;
  W.n = size;
  W.qlen = 0;
  W.now = T0;
  uint8_t ca = take8(), cb = take8();
  uint32_t seed = take32();
  W.v6 = (seed & FZ_SEED_IPV6) != 0;
  host_new(&W.h[0], ca, fz_addr(1), seed);
  host_new(&W.h[1], cb, fz_addr(2), (uint64_t)seed << 32 | 7);
  for (int ops = 0; ops < MAX_OPS && W.n > 0; ops++) {
    run_op(take8());
    drain_all();
  }
  host_free(&W.h[0]);
  host_free(&W.h[1]);
  return 0;
}
