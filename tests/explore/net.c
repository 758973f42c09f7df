/* SPDX-License-Identifier: MIT */
/* The faulty network between the two stacks: every datagram either stack
 * sends gets the next number; the schedule's fault for that number (drop,
 * duplicate, delay past the next datagram the same way) is applied; the
 * virtual clock jumps to the next arrival or deadline. fin_stack_audit()
 * runs on both stacks after every step (docs/engine.md "Invariants"), and no
 * deadline may be left in the past once the timers ran. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "viz/trace.h"

#define ONE_WAY FIN_MS(10)

void explore_fail(struct explore_run *r, const char *fmt, ...) {
  if (r->failed)
    return;
  r->failed = true;
  int n = snprintf(r->why, sizeof(r->why), "t=%.3fs: ", (double)(r->now - r->start) / 1e9);
  va_list ap;
  va_start(ap, fmt);
  if (n > 0 && (size_t)n < sizeof(r->why))
    vsnprintf(r->why + n, sizeof(r->why) - (size_t)n, fmt, ap);
  va_end(ap);
}

/* Each stack's first bind takes a 128 KiB port table per family; under ASan
 * every such block is an mmap, 32 page faults and a munmap, a fifth of a
 * run. Blocks that large are kept for the next run; test_alloc still
 * counts them (the leak check), and the cache is emptied at exit. */
#define BIG_BLOCK   65536
#define CACHE_SLOTS 8
static struct {
  void *p[CACHE_SLOTS];
  size_t size[CACHE_SLOTS];
  unsigned n;
} cache;

static void cache_empty(void) {
  for (unsigned i = 0; i < cache.n; i++)
    free(cache.p[i]);
  cache.n = 0;
}

static void *cached_alloc(void *ctx, size_t size) {
  struct fin_allocator *inner = ctx;
  struct test_alloc *ta = inner->ctx;
  for (unsigned i = 0; size >= BIG_BLOCK && i < cache.n; i++)
    if (cache.size[i] == size) {
      void *p = cache.p[i];
      cache.n--;
      cache.p[i] = cache.p[cache.n];
      cache.size[i] = cache.size[cache.n];
      memset(p, 0xa5, size); /* as test_alloc: poisoned, never zeroed */
      ta->total_allocs++;
      ta->live_bytes += size;
      ta->live_blocks++;
      return p;
    }
  return inner->alloc(inner->ctx, size);
}

static void cached_release(void *ctx, void *p, size_t size) {
  struct fin_allocator *inner = ctx;
  struct test_alloc *ta = inner->ctx;
  if (p == NULL || size < BIG_BLOCK || cache.n == CACHE_SLOTS) {
    inner->release(inner->ctx, p, size);
    return;
  }
  static bool registered;
  if (!registered)
    registered = atexit(cache_empty) == 0;
  cache.p[cache.n] = p;
  cache.size[cache.n++] = size;
  ta->live_bytes -= size;
  ta->live_blocks--;
}

static struct fin_addr host_addr(bool v6, int host) {
  if (!v6)
    return fin_addr_v4(0x0a000001u + (uint32_t)host); /* 10.0.0.1, 10.0.0.2 */
  uint8_t b[16] = {0xfd, 0x00};
  b[15] = (uint8_t)(host + 1); /* fd00::1, fd00::2 */
  return fin_addr_v6(b);
}

void explore_net_init(struct explore_run *r) {
  bool v6 = r->cfg->family == FIN_AF_INET6;
  r->start = r->now = FIN_SEC(1);
  fin_rel_init(&r->rel);
  for (int i = 0; i < 2; i++) {
    r->addr[i] = host_addr(v6, i);
    struct fin_settings set;
    if (r->cfg->settings[i] != NULL)
      set = *r->cfg->settings[i];
    else
      fin_settings_default(&set);
    set.local_addrs[0] = r->addr[i];
    set.local_addr_count = 1;
    set.event_mask = (1u << FIN_EV_STATE) | (1u << FIN_EV_CLOSED);
    struct fin_allocator a = {cached_alloc, cached_release, &r->inner[i]};
    struct fin_random rnd;
    test_alloc_init(&r->ta[i], &r->inner[i]);
    /* The same seeds for every schedule: a run is a function of its faults,
     * so datagram numbers mean the same thing up to the first fault. */
    test_rng_init(&r->rng[i], 1234 + (uint64_t)i, &rnd);
    if (fin_stack_new(&r->st[i], &set, &a, &rnd, r->now) != 0)
      explore_fail(r, "host %c: fin_stack_new failed", 'a' + i);
    if (r->cfg->trace != NULL)
      fin_trace_set_host(r->cfg->trace, (unsigned)i, &r->addr[i]);
  }
}

void explore_net_free(struct explore_run *r) {
  for (int i = 0; i < 2; i++) {
    if (r->st[i] == NULL)
      continue;
    fin_stack_free(r->st[i]);
    r->st[i] = NULL;
    if (r->ta[i].live_bytes != 0 || r->ta[i].live_blocks != 0)
      explore_fail(r, "host %c leaked %zu bytes in %zu blocks", 'a' + i, r->ta[i].live_bytes,
                   r->ta[i].live_blocks);
  }
}

/* ---- the trace (only when a ladder is wanted) ---- */

static struct fin_trace_rec rec_base(const struct explore_run *r, enum fin_trace_kind k, int host) {
  struct fin_trace_rec rec;
  memset(&rec, 0, sizeof(rec));
  rec.t = r->now;
  rec.kind = k;
  rec.host = (uint8_t)host;
  rec.arrive = FIN_NEVER;
  return rec;
}

static size_t trace_add(struct explore_run *r, const struct fin_trace_rec *rec) {
  struct fin_trace *tr = r->cfg->trace;
  if (tr == NULL || fin_trace_add(tr, rec) != 0)
    return SIZE_MAX;
  return tr->len - 1;
}

void explore_trace_app(struct explore_run *r, int host, const char *call, int64_t result) {
  if (r->cfg->trace == NULL)
    return;
  struct fin_trace_rec rec = rec_base(r, FIN_TR_APP, host);
  snprintf(rec.call, sizeof(rec.call), "%s", call);
  rec.result = result;
  rec.err = result < 0 ? (int)result : 0;
  trace_add(r, &rec);
}

static size_t trace_send(struct explore_run *r, int from, const uint8_t *d, size_t len,
                         enum fin_trace_fate fate, bool dup) {
  if (r->cfg->trace == NULL)
    return SIZE_MAX;
  struct fin_trace_rec rec = rec_base(r, FIN_TR_SEND, from);
  rec.peer = (uint8_t)(1 - from);
  fin_trace_decode(d, len, &rec.seg);
  rec.fate = fate;
  rec.dup = dup;
  rec.arrive = fate == FIN_FATE_DELIVERED ? r->now + ONE_WAY : FIN_NEVER;
  return trace_add(r, &rec);
}

/* ---- events ---- */

static void collect_events(struct explore_run *r, int h) {
  struct fin_event ev;
  while (fin_stack_poll_event(r->st[h], &ev)) {
    if (r->nev[h] == EXPLORE_EVENTS) {
      explore_fail(r, "host %c: more than %d events", 'a' + h, EXPLORE_EVENTS);
      continue;
    }
    r->ev[h][r->nev[h]++] = ev;
    if (r->cfg->trace == NULL)
      continue;
    struct fin_trace_rec rec =
        rec_base(r, ev.type == FIN_EV_STATE ? FIN_TR_STATE : FIN_TR_CLOSE, h);
    rec.conn = ev.conn_id;
    rec.tuple = ev.tuple;
    rec.has_tuple = true;
    rec.from = ev.from;
    rec.to = ev.to;
    rec.reason = ev.reason;
    rec.err = ev.err;
    trace_add(r, &rec);
  }
}

/* ---- datagrams ---- */

static int fault_at(const struct explore_run *r, unsigned index) {
  if (index >= r->cfg->index_bound)
    return -1;
  for (unsigned i = 0; i < r->sched->n; i++)
    if (r->sched->f[i].index == index)
      return (int)r->sched->f[i].kind;
  return -1;
}

static void enqueue(struct explore_run *r, int from, const uint8_t *d, size_t len, unsigned index,
                    bool held, size_t tidx) {
  if (r->qlen == EXPLORE_QUEUE) {
    explore_fail(r, "more than %d datagrams in flight", EXPLORE_QUEUE);
    return;
  }
  struct explore_flight *f = &r->q[r->qlen++];
  memcpy(f->data, d, len);
  f->len = (uint16_t)len;
  f->to = (uint8_t)(1 - from);
  f->held = held;
  f->index = index;
  f->at = r->now + ONE_WAY + (held ? EXPLORE_HOLD_MAX : 0);
  f->trace_idx = tidx;
}

/* EXPLORE_MANGLE: swaps payload bytes p and p+2, which sit at the same
 * place in two 16-bit words, so the ones' complement sum is unchanged. */
static void mangle(uint8_t *d, size_t len) {
  struct fin_segment seg;
  if (fin_tcp_parse(d, len, &seg) != FIN_WIRE_OK || seg.payload_len < 3)
    return;
  uint8_t *p = d + (seg.payload - d);
  for (uint32_t i = 0; i + 2 < seg.payload_len; i++)
    if (p[i] != p[i + 2]) {
      uint8_t t = p[i];
      p[i] = p[i + 2];
      p[i + 2] = t;
      return;
    }
}

/* "#7 1.040s a>b FIN,ACK seq=301 ack=301 len=0 drop": the numbers faults name. */
static void list_segment(struct explore_run *r, int from, const uint8_t *d, size_t len,
                         unsigned index, int fault) {
  struct fin_trace_seg seg;
  uint32_t seq, ack;
  char label[80];
  fin_trace_decode(d, len, &seg);
  fin_rel_apply(&r->rel, &seg, &seq, &ack);
  fin_trace_seg_label(&seg, seq, ack, label, sizeof(label));
  fprintf(r->cfg->segments, "#%-3u %8.3fs %c>%c %s%s%s\n", index, (double)r->now / 1e9, 'a' + from,
          'a' + (1 - from), label, fault >= 0 ? " " : "",
          fault >= 0 ? explore_kind_name((enum explore_fault_kind)fault) : "");
}

static void send_one(struct explore_run *r, int from, uint8_t *d, size_t len) {
  unsigned index = r->produced++;
  if (r->produced > r->cfg->datagram_cap) {
    explore_fail(r, "more than %u datagrams: the exchange does not converge", r->cfg->datagram_cap);
    return;
  }
  if (r->cfg->segments != NULL)
    list_segment(r, from, d, len, index, fault_at(r, index));
  switch (fault_at(r, index)) {
  case EXPLORE_DROP:
    trace_send(r, from, d, len, FIN_FATE_SCRIPTED, false);
    return;
  case EXPLORE_DUP:
    enqueue(r, from, d, len, index, false, trace_send(r, from, d, len, FIN_FATE_DELIVERED, false));
    enqueue(r, from, d, len, index, false, trace_send(r, from, d, len, FIN_FATE_DELIVERED, true));
    return;
  case EXPLORE_DELAY:
    enqueue(r, from, d, len, index, true, trace_send(r, from, d, len, FIN_FATE_DELIVERED, false));
    return;
  case EXPLORE_MANGLE:
    mangle(d, len);
    break;
  default:
    break;
  }
  enqueue(r, from, d, len, index, false, trace_send(r, from, d, len, FIN_FATE_DELIVERED, false));
}

static void drain_host(struct explore_run *r, int h) {
  uint8_t buf[1600];
  size_t n;
  collect_events(r, h);
  for (int guard = 0; guard < 10000 && !r->failed; guard++) {
    n = fin_stack_output(r->st[h], buf, sizeof(buf), r->now);
    if (n == 0)
      break;
    send_one(r, h, buf, n);
  }
  collect_events(r, h);
}

/* The engine's invariants, and no deadline in the past once timers ran. */
static void audit(struct explore_run *r, bool timers_ran) {
  for (int i = 0; i < 2 && !r->failed; i++) {
    struct fin_audit a;
    if (fin_stack_audit(r->st[i], &a) != 0)
      explore_fail(r, "host %c: invariant broken: %s (conn %" PRIu64 ", %s)", 'a' + i, a.what,
                   a.conn_id, fin_state_name(a.state));
    else if (timers_ran && fin_stack_next_deadline(r->st[i]) <= r->now)
      explore_fail(r, "host %c: a deadline in the past after the timers ran", 'a' + i);
  }
}

static void settle(struct explore_run *r, bool timers_ran) {
  for (int i = 0; i < 2 && !r->failed; i++)
    drain_host(r, i);
  audit(r, timers_ran);
}

static fin_time next_time(const struct explore_run *r) {
  fin_time t = FIN_NEVER;
  for (size_t i = 0; i < r->qlen; i++)
    if (r->q[i].at < t)
      t = r->q[i].at;
  for (int i = 0; i < 2; i++) {
    fin_time d = fin_stack_next_deadline(r->st[i]);
    if (d < t)
      t = d;
  }
  return t;
}

static void deliver(struct explore_run *r, const struct explore_flight *f) {
  if (f->trace_idx != SIZE_MAX && r->cfg->trace != NULL)
    r->cfg->trace->recs[f->trace_idx].arrive = r->now;
  uint8_t buf[1600];
  memcpy(buf, f->data, f->len);
  fin_stack_input(r->st[f->to], buf, f->len, r->now);
}

static void take(struct explore_run *r, size_t i, struct explore_flight *out) {
  *out = r->q[i];
  memmove(&r->q[i], &r->q[i + 1], (r->qlen - i - 1) * sizeof(r->q[0]));
  r->qlen--;
}

/* Datagrams due now, in the order they were sent; a held one goes right
 * after the next datagram to the same host (EXPLORE_DELAY). */
static void deliver_due(struct explore_run *r) {
  static struct explore_flight f, h; /* 1.6 KB each: off the stack */
  for (;;) {
    size_t i = 0;
    while (i < r->qlen && r->q[i].at > r->now)
      i++;
    if (i == r->qlen)
      return;
    take(r, i, &f);
    deliver(r, &f);
    if (f.held)
      continue;
    for (size_t j = 0; j < r->qlen;) {
      if (r->q[j].held && r->q[j].to == f.to && r->q[j].index < f.index) {
        take(r, j, &h);
        deliver(r, &h);
      } else {
        j++;
      }
    }
  }
}

/* "a FIN-WAIT-2 (fin-wait-2 in 29.9s), b: TIME-WAIT (...)": what is left. */
static void live_summary(const struct explore_run *r, char *buf, size_t cap) {
  size_t pos = 0;
  buf[0] = '\0';
  for (int h = 0; h < 2; h++) {
    size_t cursor = 0;
    struct fin_conn_info info[4];
    size_t n = fin_stack_list(r->st[h], &cursor, info, 4);
    for (size_t i = 0; i < n && pos < cap; i++) {
      fin_time in = info[i].next_deadline - r->now;
      int w = snprintf(buf + pos, cap - pos, "%s%c %s (%s in %.1fs)", pos ? ", " : "", 'a' + h,
                       fin_state_name(info[i].state), fin_timer_name(info[i].next_timer),
                       info[i].next_deadline == FIN_NEVER ? -1.0 : (double)in / 1e9);
      if (w < 0)
        return;
      pos += (size_t)w;
    }
  }
  if (pos == 0)
    snprintf(buf, cap, "no connection left (%zu datagrams in flight)", r->qlen);
}

void explore_net_quiesce(struct explore_run *r) {
  for (int steps = 0; steps < 100000 && !r->failed; steps++) {
    settle(r, false);
    for (int k = 0; k < 16 && !r->failed && explore_apps_step(r); k++)
      settle(r, false);
    if (r->failed)
      return;
    fin_time t = next_time(r);
    if (t == FIN_NEVER)
      return;
    if (t - r->start > r->cfg->time_cap) {
      char live[200];
      live_summary(r, live, sizeof(live));
      explore_fail(r, "not quiescent after %.0fs of virtual time: %s",
                   (double)r->cfg->time_cap / 1e9, live);
      return;
    }
    if (t > r->now)
      r->now = t;
    deliver_due(r);
    for (int i = 0; i < 2; i++)
      fin_stack_on_timers(r->st[i], r->now);
    settle(r, true);
  }
  explore_fail(r, "step bound reached");
}
