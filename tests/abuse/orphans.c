/* SPDX-License-Identifier: MIT */
/* Orphans held by hostile peers (issue 12 item 5; attack catalogue T59,
 * T73-T75: FIN-WAIT-2 parking, Sockstress, Netkill; BEHAVIOR F1, F4,
 * J5, M3, M4, MUST-35). A fin server (10.0.0.1:80) accepts `count`
 * connections from a scripted peer (10.0.0.2, one a millisecond), writes
 * 16 KiB on each and closes it at once: every one becomes an orphan, with
 * the peer of one kind:
 *
 *   silent       after the handshake it never sends again (Netkill)
 *   zero-window  its handshake ACK shuts the window and it answers every
 *                probe with the window still shut (Sockstress)
 *   trickle      the same, but it takes each probe's byte: progress, one
 *                byte a probe, with the window shut again
 *   shrinking    it takes the first segment and answers with a zero window,
 *                moving the right edge left under the data in flight
 *   slow-reader  a 512-byte window it reopens as soon as it has the bytes,
 *                never its FIN: the orphan progresses, 512 bytes a round
 *   fin-wait-2   it takes everything, acknowledges our FIN, never sends
 *                its own, and sends a keep-alive every 10 s to hold on
 *
 * Held to: every orphan ends with one CLOSED event, the reason its bound
 * names, within that bound - the orphan retry budget for silent,
 * zero-window, trickle and shrinking (RTT + sum over k = 0..orphan_retries of
 * min(RTO * 2^k, rto_max): F4, and M4: answered probes count); for the slow
 * reader, which takes data and so is never timed out (as Linux: a probe
 * that sends data hands over to the retransmission timer), its queue in
 * rounds of one SWS override (§3.8.6.2.1: min(RTO, 1 s)) and an RTT, then
 * F1; fin_timeout from entering FIN-WAIT-2 for the parked ones (F1) - and
 * once they are gone the server's memory is back to what the listener
 * alone held, plus the fixed reserve of abuse_reserve(). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abuse.h"

#define SRV        0
#define PEER_ADDR  0x0a000002u
#define FIRST_PORT 20000
#define OPEN_EVERY FIN_MS(1)
#define DATA       16384
#define SLOW_WND   512
#define PARK_EVERY FIN_SEC(10)
#define TICK_OPEN  0x80000000u /* arg: open the next connection; else arg = index, a park tick */

enum kind { SILENT, ZERO_WINDOW, TRICKLE, SHRINKING, SLOW_READER, FIN_WAIT_2, KIND_COUNT };
static const char *const kind_names[KIND_COUNT] = {"silent",    "zero-window", "trickle",
                                                   "shrinking", "slow-reader", "fin-wait-2"};

struct hconn {
  /* the hostile peer's side */
  uint32_t iss, snd_nxt, rcv_nxt;
  bool synced, shrunk, got_rst, fin_acked;
  uint64_t taken;
  /* fin's side, seen through the API and the events */
  fin_sock s;
  uint64_t conn_id;
  fin_time closed_at, fw2_at, end_at, rto;
  enum fin_close_reason reason;
  unsigned closed_events;
};

struct orphans {
  struct abuse_net n;
  enum kind kind;
  uint64_t count, opened, accepted, ended;
  fin_sock listener;
  struct hconn *c;
  size_t base_mem, end_mem;
  uint64_t rsts_at_peer, orphans_peak;
  fin_time start;
};

static struct hconn *by_port(struct orphans *o, uint16_t port) {
  if (port < FIRST_PORT || (uint64_t)(port - FIRST_PORT) >= o->count)
    return NULL;
  return &o->c[port - FIRST_PORT];
}

static void peer_send(struct orphans *o, size_t i, uint8_t flags, uint32_t seq, uint16_t wnd,
                      bool mss) {
  struct hconn *h = &o->c[i];
  struct fin_segment seg;
  memset(&seg, 0, sizeof(seg));
  seg.saddr = fin_addr_v4(PEER_ADDR);
  seg.daddr = o->n.addr[SRV];
  seg.sport = (uint16_t)(FIRST_PORT + i);
  seg.dport = 80;
  seg.seq = seq;
  seg.ack = (flags & FIN_TCP_ACK) ? h->rcv_nxt : 0;
  seg.flags = flags;
  seg.wnd = wnd;
  seg.ttl = 64;
  uint8_t opt[4] = {2, 4, 0x05, 0xb4}; /* MSS 1460; no window scale, SACK or timestamps */
  uint8_t d[ABUSE_DGRAM];
  size_t len = fin_tcp_build(d, sizeof(d), &seg, mss ? opt : NULL, mss ? 4 : 0, NULL, 0, NULL, 0);
  if (len == 0) {
    abuse_fail(&o->n, "peer: build failed");
    return;
  }
  abuse_net_to_stack(&o->n, SRV, d, len, ABUSE_ONE_WAY);
}

static void peer_ack(struct orphans *o, size_t i, uint16_t wnd) {
  peer_send(o, i, FIN_TCP_ACK, o->c[i].snd_nxt, wnd, false);
}

/* The window the peer's handshake ACK offers. */
static uint16_t first_window(enum kind k) {
  return k == ZERO_WINDOW || k == TRICKLE ? 0 : k == SLOW_READER ? SLOW_WND : 65535;
}

/* Takes what lies at RCV.NXT, up to `room` bytes (and the FIN if all of the
 * segment fitted). */
static void take(struct hconn *h, const struct fin_segment *seg, uint32_t room) {
  if (seg->seq != h->rcv_nxt)
    return;
  uint32_t n = seg->payload_len < room ? seg->payload_len : room;
  h->rcv_nxt += n;
  h->taken += n;
  if ((seg->flags & FIN_TCP_FIN) && n == seg->payload_len) {
    h->rcv_nxt++;
    h->fin_acked = true;
  }
}

/* The hostile peer reads what fin sent to connection i. */
static void peer_segment(struct orphans *o, size_t i, const struct fin_segment *seg) {
  struct hconn *h = &o->c[i];
  if (seg->flags & FIN_TCP_RST) {
    h->got_rst = true;
    o->rsts_at_peer++;
    return;
  }
  if (h->got_rst)
    return;
  if ((seg->flags & FIN_TCP_SYN) && (seg->flags & FIN_TCP_ACK)) {
    bool first = !h->synced;
    h->synced = true;
    h->rcv_nxt = seg->seq + 1;
    h->snd_nxt = h->iss + 1;
    if (first || o->kind != SILENT)
      peer_ack(o, i, first_window(o->kind));
    return;
  }
  switch (o->kind) {
  case SILENT:
    return;
  case ZERO_WINDOW:
    take(h, seg, 0); /* a bare FIN at RCV.NXT would fit, data never */
    peer_ack(o, i, 0);
    return;
  case TRICKLE:
    take(h, seg, 1); /* J5: the probe byte taken keeps the probe timing */
    peer_ack(o, i, 0);
    return;
  case SHRINKING:
    if (!h->shrunk && seg->payload_len > 0 && seg->seq == h->rcv_nxt) {
      take(h, seg, seg->payload_len);
      h->shrunk = true; /* the right edge goes back from 64 KiB ahead to RCV.NXT */
    }
    peer_ack(o, i, 0);
    return;
  case SLOW_READER:
    take(h, seg, SLOW_WND);
    peer_ack(o, i, SLOW_WND);
    return;
  case FIN_WAIT_2:
    take(h, seg, UINT32_MAX);
    peer_ack(o, i, 65535);
    return;
  case KIND_COUNT:
    return;
  }
}

static void route(struct abuse_net *n, int from, const uint8_t *d, size_t len,
                  const struct fin_segment *seg) {
  (void)from, (void)seg;
  abuse_net_to_peer(n, d, len);
}

static void peer(struct abuse_net *n, const uint8_t *d, size_t len) {
  struct orphans *o = n->h.ctx;
  struct fin_segment seg;
  if (fin_tcp_parse(d, len, &seg) != FIN_WIRE_OK) {
    abuse_fail(n, "peer: a datagram from fin does not parse");
    return;
  }
  struct hconn *h = by_port(o, seg.dport);
  if (h == NULL) {
    abuse_fail(n, "peer: a segment for port %u", seg.dport);
    return;
  }
  peer_segment(o, (size_t)(h - o->c), &seg);
}

static void tick(struct abuse_net *n, uint32_t arg) {
  struct orphans *o = n->h.ctx;
  if (arg == TICK_OPEN) {
    size_t i = (size_t)o->opened++;
    struct hconn *h = &o->c[i];
    h->iss = (uint32_t)(0x10000000u + i * 0x01000193u);
    h->s = -1;
    peer_send(o, i, FIN_TCP_SYN, h->iss, 65535, true);
    if (o->kind == FIN_WAIT_2)
      abuse_net_at(n, n->now + PARK_EVERY, (uint32_t)i);
    if (o->opened < o->count)
      abuse_net_at(n, n->now + OPEN_EVERY, TICK_OPEN);
    return;
  }
  /* A parking peer's keep-alive: <SEQ=SND.NXT-1><CTL=ACK> (RFC 1122
   * 4.2.3.6), until fin resets it. */
  struct hconn *h = &o->c[arg];
  if (h->got_rst)
    return;
  peer_send(o, arg, FIN_TCP_ACK, h->snd_nxt - 1, 65535, false);
  abuse_net_at(n, n->now + PARK_EVERY, arg);
}

static void event(struct abuse_net *n, int host, const struct fin_event *ev) {
  struct orphans *o = n->h.ctx;
  (void)host;
  struct hconn *h = by_port(o, ev->tuple.remote_port);
  if (h == NULL || ev->conn_id == 0)
    return;
  if (ev->type == FIN_EV_STATE && ev->to == FIN_FIN_WAIT_2)
    h->fw2_at = ev->time;
  if (ev->type != FIN_EV_CLOSED)
    return;
  h->closed_events++;
  h->end_at = ev->time;
  h->reason = ev->reason;
  o->ended++;
}

/* The server application: accept, write 16 KiB, close (the orphan). */
static void app(struct abuse_net *n) {
  struct orphans *o = n->h.ctx;
  struct fin_stack *st = n->st[SRV];
  static uint8_t data[DATA];
  for (int guard = 0; guard < 10000; guard++) {
    struct fin_sockaddr peer_addr;
    fin_sock s = fin_accept(st, o->listener, &peer_addr);
    if (s < 0)
      break;
    struct hconn *h = by_port(o, peer_addr.port);
    if (h == NULL) {
      abuse_fail(n, "accepted an unknown peer port %u", peer_addr.port);
      fin_abort(st, s);
      continue;
    }
    o->accepted++;
    h->conn_id = fin_sock_conn_id(st, s);
    memset(data, 'o', sizeof(data));
    ssize_t w = fin_send(st, s, data, sizeof(data), 0);
    if (w != (ssize_t)sizeof(data))
      abuse_fail(n, "server: send returned %zd", w);
    struct fin_conn_info ci;
    size_t len = sizeof(ci);
    if (fin_getsockopt(st, s, FIN_TCP_INFO, &ci, &len) == 0)
      h->rto = ci.rto;
    h->closed_at = n->now;
    if (fin_close(st, s) != 0)
      abuse_fail(n, "server: close failed");
  }
  uint64_t orphans = fin_stack_counters(st)->orphans_current;
  if (orphans > o->orphans_peak)
    o->orphans_peak = orphans;
}

static bool all_ended(struct abuse_net *n) {
  struct orphans *o = n->h.ctx;
  return o->opened == o->count && o->ended == o->count && fin_stack_conn_count(n->st[SRV]) == 0;
}

/* F4 with M4: the orphan's budget after its last RTO-based timer started. */
static fin_time retry_bound(const struct fin_settings *s, fin_time rto) {
  fin_time total = 2 * ABUSE_ONE_WAY; /* the peer's first answer */
  for (uint32_t k = 0; k <= s->orphan_retries; k++) {
    fin_time t = k < 40 ? rto << k : s->rto_max;
    total += t < s->rto_max ? t : s->rto_max;
  }
  return total;
}

/* The slow reader: ceil(DATA / SLOW_WND) rounds of data and one for the
 * FIN, each at most the SWS override and an RTT, then F1. */
static fin_time slow_bound(const struct fin_settings *s, fin_time rto) {
  fin_time sws = rto < FIN_SEC(1) ? rto : FIN_SEC(1);
  fin_time rounds = (DATA + SLOW_WND - 1) / SLOW_WND + 1;
  return 2 * ABUSE_ONE_WAY + rounds * (sws + 2 * ABUSE_ONE_WAY) + s->fin_timeout;
}

static fin_time bound_of(const struct orphans *o, const struct fin_settings *s, fin_time rto) {
  switch (o->kind) {
  case FIN_WAIT_2:
    return s->fin_timeout;
  case SLOW_READER:
    return slow_bound(s, rto);
  default:
    return retry_bound(s, rto);
  }
}

static void figures(struct orphans *o, struct abuse_report *rp) {
  struct fin_settings contract; /* the bounds: the defaults, whatever the stack ran with */
  fin_settings_default(&contract);
  const struct fin_settings *set = &contract;
  const struct fin_counters *c = fin_stack_counters(o->n.st[SRV]);
  enum fin_close_reason want = o->kind == FIN_WAIT_2 || o->kind == SLOW_READER
                                   ? FIN_REASON_FIN_WAIT_2_TIMEOUT
                                   : FIN_REASON_RETRANSMIT_TIMEOUT;
  uint64_t right_reason = 0, once = 0, within = 0;
  fin_time max_life = 0, max_bound = 0, min_life = FIN_NEVER;
  for (uint64_t i = 0; i < o->count; i++) {
    struct hconn *h = &o->c[i];
    right_reason += h->reason == want;
    once += h->closed_events == 1;
    fin_time from = o->kind == FIN_WAIT_2 ? h->fw2_at : h->closed_at;
    fin_time bound = bound_of(o, set, h->rto);
    fin_time life = h->closed_events ? h->end_at - from : FIN_NEVER;
    if (h->closed_events && (o->kind != FIN_WAIT_2 || h->fw2_at != 0) && life <= bound)
      within++;
    if (life > max_life)
      max_life = life;
    if (life < min_life)
      min_life = life;
    if (bound > max_bound)
      max_bound = bound;
  }
  char b[96];
  abuse_figure(rp, "orphans (16 KiB written, then close)", "",
               "%" PRIu64 " of %" PRIu64 " accepted", o->accepted, o->count);
  abuse_figure(rp, "orphans at once (FinOrphansCurrent peak)", "", "%" PRIu64, o->orphans_peak);
  abuse_check(rp, once == o->count, "orphans with exactly one CLOSED event", "all", "%" PRIu64,
              once);
  snprintf(b, sizeof(b), "all: %s", fin_close_reason_name(want));
  abuse_check(rp, right_reason == o->count, "reason", b, "%" PRIu64, right_reason);
  const char *what = "reaped within the retry budget";
  if (o->kind == FIN_WAIT_2) {
    what = "reaped within F1 of FIN-WAIT-2";
    snprintf(b, sizeof(b), "<= fin_timeout %.0f s (F1)", (double)set->fin_timeout / 1e9);
  } else if (o->kind == SLOW_READER) {
    what = "reaped within its queue's rounds + F1";
    snprintf(b, sizeof(b), "<= %.2f s (%u rounds + F1)", (double)max_bound / 1e9,
             (DATA + SLOW_WND - 1) / SLOW_WND + 1);
  } else {
    snprintf(b, sizeof(b), "<= %.1f s (F4: %u retries)", (double)max_bound / 1e9,
             set->orphan_retries);
  }
  abuse_check(rp, within == o->count, what, b, "%" PRIu64, within);
  abuse_figure(rp, o->kind == FIN_WAIT_2 ? "time in FIN-WAIT-2 min / max" : "lifetime min / max",
               "", "%.3f / %.3f s", (double)min_life / 1e9, (double)max_life / 1e9);
  uint64_t taken = 0;
  for (uint64_t i = 0; i < o->count; i++)
    taken += o->c[i].taken;
  abuse_figure(rp, "bytes the peers took (of 16 KiB each)", "", "%" PRIu64 " (%.0f each)", taken,
               o->count ? (double)taken / (double)o->count : 0.0);
  abuse_figure(rp, "FinPersistProbes / TcpExtTCPTimeouts", "", "%" PRIu64 " / %" PRIu64,
               c->persist_probes, c->rto_timeouts);
  abuse_figure(rp, "TcpExtTCPAbortOnTimeout / FinFinWait2Timeouts", "", "%" PRIu64 " / %" PRIu64,
               c->abort_on_timeout, c->fin_wait2_timeouts);
  abuse_figure(rp, "RSTs the peers received (A7 limits A1's)", "",
               "%" PRIu64 " (%" PRIu64 " rate-limited)", o->rsts_at_peer, c->rst_rate_limited);
  abuse_figure(rp, "peak server memory", "", "%zu B (%.0f per orphan)", o->n.mem_peak[SRV],
               o->count ? (double)(o->n.mem_peak[SRV] - o->base_mem) / (double)o->count : 0.0);
  size_t reserve = abuse_reserve(o->n.st[SRV]);
  snprintf(b, sizeof(b), "<= listener alone %zu + reserve %zu", o->base_mem, reserve);
  abuse_check(rp, o->end_mem <= o->base_mem + reserve, "server memory once all are gone", b,
              "%zu B", o->end_mem);
  abuse_check(rp, fin_stack_conn_count(o->n.st[SRV]) == 0 && c->orphans_current == 0,
              "connections / orphans left", "0 / 0", "%zu / %" PRIu64,
              fin_stack_conn_count(o->n.st[SRV]), c->orphans_current);
}

static unsigned run_kind(const struct abuse_opts *opts, enum kind k) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct orphans *o = calloc(1, sizeof(*o));
  struct hconn *conns = calloc(opts->count ? opts->count : 1, sizeof(*conns));
  if (o == NULL || conns == NULL || opts->count > 40000) {
    free(o);
    free(conns);
    return 1;
  }
  o->kind = k;
  o->count = opts->count;
  o->c = conns;
  struct fin_settings set;
  fin_settings_default(&set);
  set.event_mask = (1u << FIN_EV_STATE) | (1u << FIN_EV_CLOSED);
  if (opts->sabotage) {
    set.orphan_retries = 10;       /* past F4's budget */
    set.fin_timeout = FIN_SEC(90); /* past F1's */
  }
  struct fin_settings *sets[1] = {&set};
  char cmd[600];
  snprintf(cmd, sizeof(cmd), "%s%s%s", opts->cmd, strstr(opts->cmd, "--kind") ? "" : " --kind ",
           strstr(opts->cmd, "--kind") ? "" : kind_names[k]);
  struct abuse_report rp = {.out = stdout, .cmd = cmd};
  char title[160];
  snprintf(title, sizeof(title),
           "abuse orphans: %" PRIu64 " orphans against a %s peer (seed %" PRIu64 ")", o->count,
           kind_names[k], opts->seed);
  abuse_report_begin(&rp, title);
  struct abuse_net *n = &o->n;
  int rc = abuse_net_init(n, 1, sets, opts->seed);
  n->h = (struct abuse_hooks){.ctx = o,
                              .route = route,
                              .peer = peer,
                              .tick = tick,
                              .event = event,
                              .app = app,
                              .done = all_ended};
  fin_sock l = rc == 0 ? fin_socket(n->st[SRV]) : -1;
  struct fin_sockaddr any = fin_sockaddr_v4(0, 80);
  if (l < 0 || fin_bind(n->st[SRV], l, &any) != 0 || fin_listen(n->st[SRV], l, 1024) != 0) {
    abuse_check(&rp, false, "listener", "", "%s", n->why);
  } else {
    o->listener = l;
    o->base_mem = fin_stack_memory_in_use(n->st[SRV]);
    o->start = n->now;
    if (o->count > 0)
      abuse_net_at(n, n->now, TICK_OPEN);
    fin_time span = (fin_time)o->count * OPEN_EVERY;
    fin_time bound = retry_bound(&set, set.rto_max) + slow_bound(&set, set.rto_max);
    abuse_net_run(n, n->now + span + bound);
    o->end_mem = fin_stack_memory_in_use(n->st[SRV]);
    /* A quiet period: the last RSTs arrive, a parked peer's next keep-alive
     * finds no connection (A1). */
    n->h.done = NULL;
    abuse_net_run(n, n->now + (k == FIN_WAIT_2 ? PARK_EVERY : 0) + FIN_SEC(1));
    figures(o, &rp);
    abuse_check(&rp, !n->failed, "invariants (fin_stack_audit), bounds", "hold", "%s",
                n->failed ? n->why : "yes");
    abuse_figure(&rp, "virtual time / steps", "", "%.1f s / %" PRIu64,
                 (double)(n->now - o->start) / 1e9, n->steps);
    fin_close(n->st[SRV], l);
  }
  abuse_net_free(n);
  abuse_check(&rp, !n->failed, "leaks at fin_stack_free", "none", "%s",
              n->failed ? n->why : "none");
  clock_gettime(CLOCK_MONOTONIC, &t1);
  abuse_report_end(&rp, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  unsigned f = rp.failures;
  free(conns);
  free(o);
  return f;
}

unsigned abuse_orphans(const struct abuse_opts *opts, const char *only) {
  unsigned failed = 0;
  bool any = false;
  for (int k = 0; k < KIND_COUNT; k++) {
    if (only != NULL && strcmp(only, kind_names[k]) != 0)
      continue;
    any = true;
    failed += run_kind(opts, (enum kind)k);
  }
  if (!any) {
    fprintf(stderr, "fin_abuse: no peer kind %s\n", only);
    return 1;
  }
  return failed;
}
