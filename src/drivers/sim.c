/* SPDX-License-Identifier: MIT */
/* The simulator's hosts, clock and main loop. Datagrams in flight live in a
 * pool ordered by a binary heap on (arrival time, send order), so ties
 * resolve the same way on every run. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/sim.h"

#define SIM_BUF       2048
#define CONN_MAP      16
#define SETTLE_ROUNDS 64
#define MAX_ACTIONS   16

struct conn_map_ent {
  struct fin_4tuple tuple;
  uint64_t conn;
};

struct host {
  struct fin_sim *sim;
  struct fin_stack *st;
  struct fin_settings settings;
  struct fin_sim_rng rng; /* the stack's injected randomness */
  struct fin_random rnd;
  struct fin_allocator alloc;
  size_t live_bytes;
  unsigned gen;
  struct conn_map_ent map[CONN_MAP];
  unsigned map_next;
};

struct flight {
  fin_time at;
  uint64_t order;
  size_t trace_idx; /* the SEND record, SIZE_MAX when untraced */
  uint16_t len;
  uint8_t from, to;
  uint8_t data[SIM_BUF];
};

struct action {
  fin_time t;
  uint64_t seq; /* scheduling order breaks ties */
  unsigned host;
  bool restart;
};

struct fin_sim {
  struct fin_sim_config cfg;
  fin_time now;
  uint64_t steps, order;
  size_t leaked;
  struct host hosts[FIN_SIM_MAX_HOSTS];
  struct fin_sim_link links[FIN_SIM_MAX_HOSTS * FIN_SIM_MAX_HOSTS];
  struct flight *pool;
  size_t pool_cap;
  size_t *free_idx, free_count;
  size_t *heap, heap_len;
  struct action actions[MAX_ACTIONS];
  unsigned action_count;
  uint64_t action_seq;
  struct flight scratch; /* the datagram being delivered */
  char failure[200];     /* the invariant that stopped the run (-EPROTO) */
};

/* ---- per-host allocator: counts bytes so a leak shows at the end ---- */

static void *host_alloc(void *ctx, size_t size) {
  struct host *h = ctx;
  void *p = malloc(size ? size : 1);
  if (p != NULL)
    h->live_bytes += size;
  return p;
}

static void host_free(void *ctx, void *ptr, size_t size) {
  struct host *h = ctx;
  if (ptr == NULL)
    return;
  h->live_bytes -= size;
  free(ptr);
}

struct fin_addr fin_sim_addr(const struct fin_sim *sim, unsigned host) {
  if (!sim->cfg.ipv6)
    return fin_addr_v4(0x0a000001u + host);              /* 10.0.0.1, 10.0.0.2, ... */
  uint8_t b[16] = {0xfd, 0, [15] = (uint8_t)(host + 1)}; /* fd00::1, fd00::2 (RFC 4193) */
  return fin_addr_v6(b);
}

static unsigned host_index(const struct fin_sim *sim, const struct host *h) {
  return (unsigned)(h - sim->hosts);
}

static int host_start(struct fin_sim *sim, struct host *h) {
  unsigned i = host_index(sim, h);
  h->gen++;
  /* A fresh stream per generation: a restarted host picks new ISNs/ports. */
  fin_sim_rng_seed(&h->rng, sim->cfg.seed, 0x484f535400000000ULL + ((uint64_t)i << 16) + h->gen);
  fin_sim_rng_random(&h->rng, &h->rnd);
  h->alloc = (struct fin_allocator){host_alloc, host_free, h};
  h->map_next = 0;
  memset(h->map, 0, sizeof(h->map));
  return fin_stack_new(&h->st, &h->settings, &h->alloc, &h->rnd, sim->now);
}

static void host_stop(struct fin_sim *sim, struct host *h) {
  if (h->st == NULL)
    return;
  fin_stack_free(h->st);
  h->st = NULL;
  sim->leaked += h->live_bytes;
  h->live_bytes = 0;
}

/* ---- trace helpers ---- */

static bool tracing(const struct fin_sim *sim) {
  return sim->cfg.trace != NULL;
}

static size_t trace_add(struct fin_sim *sim, const struct fin_trace_rec *r) {
  if (!tracing(sim) || fin_trace_add(sim->cfg.trace, r) != 0)
    return SIZE_MAX;
  return sim->cfg.trace->len - 1;
}

static struct fin_trace_rec rec_base(const struct fin_sim *sim, enum fin_trace_kind k, unsigned h) {
  struct fin_trace_rec r;
  memset(&r, 0, sizeof(r));
  r.t = sim->now;
  r.kind = k;
  r.host = (uint8_t)h;
  r.arrive = FIN_NEVER;
  return r;
}

static void map_learn(struct host *h, const struct fin_event *ev) {
  for (unsigned i = 0; i < CONN_MAP; i++)
    if (h->map[i].conn == ev->conn_id ||
        memcmp(&h->map[i].tuple, &ev->tuple, sizeof ev->tuple) == 0) {
      h->map[i] = (struct conn_map_ent){ev->tuple, ev->conn_id};
      return;
    }
  h->map[h->map_next] = (struct conn_map_ent){ev->tuple, ev->conn_id};
  h->map_next = (h->map_next + 1) % CONN_MAP;
}

/* The host-local connection of a 4-tuple (0 when unknown). */
static uint64_t map_find_tuple(const struct host *h, const struct fin_4tuple *q) {
  for (unsigned i = 0; i < CONN_MAP; i++) {
    const struct fin_4tuple *t = &h->map[i].tuple;
    if (h->map[i].conn && t->local_port == q->local_port && t->remote_port == q->remote_port &&
        fin_addr_eq(&t->local_addr, &q->local_addr) &&
        fin_addr_eq(&t->remote_addr, &q->remote_addr))
      return h->map[i].conn;
  }
  return 0;
}

/* The host-local connection a segment belongs to (0 when unknown). */
static uint64_t map_find(const struct host *h, const struct fin_trace_seg *seg, bool outbound) {
  struct fin_4tuple t = {outbound ? seg->saddr : seg->daddr, outbound ? seg->daddr : seg->saddr,
                         (uint16_t)(outbound ? seg->sport : seg->dport),
                         (uint16_t)(outbound ? seg->dport : seg->sport)};
  return map_find_tuple(h, &t);
}

void fin_sim_trace_app(struct fin_sim *sim, unsigned host, fin_sock s, const char *call,
                       int64_t result, bool verbose) {
  if (!tracing(sim) || host >= sim->cfg.host_count)
    return;
  struct fin_trace_rec r = rec_base(sim, FIN_TR_APP, host);
  struct fin_stack *st = sim->hosts[host].st;
  r.conn = (st != NULL && s >= 0) ? fin_sock_conn_id(st, s) : 0;
  snprintf(r.call, sizeof(r.call), "%s", call);
  r.result = result;
  r.err = result < 0 ? (int)result : 0;
  r.verbose = verbose;
  trace_add(sim, &r);
}

/* ---- the in-flight heap ---- */

static bool flight_before(const struct fin_sim *sim, size_t a, size_t b) {
  const struct flight *x = &sim->pool[a], *y = &sim->pool[b];
  return x->at < y->at || (x->at == y->at && x->order < y->order);
}

static void heap_swap(struct fin_sim *sim, size_t i, size_t j) {
  size_t t = sim->heap[i];
  sim->heap[i] = sim->heap[j];
  sim->heap[j] = t;
}

static void heap_up(struct fin_sim *sim, size_t i) {
  while (i > 0 && flight_before(sim, sim->heap[i], sim->heap[(i - 1) / 2])) {
    heap_swap(sim, i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
}

static void heap_down(struct fin_sim *sim, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < sim->heap_len && flight_before(sim, sim->heap[l], sim->heap[m]))
      m = l;
    if (r < sim->heap_len && flight_before(sim, sim->heap[r], sim->heap[m]))
      m = r;
    if (m == i)
      return;
    heap_swap(sim, i, m);
    i = m;
  }
}

static int pool_grow(struct fin_sim *sim) {
  size_t cap = sim->pool_cap ? sim->pool_cap * 2 : 64;
  struct flight *p = realloc(sim->pool, cap * sizeof(*p));
  if (p == NULL)
    return -ENOMEM;
  sim->pool = p;
  size_t *f = realloc(sim->free_idx, cap * sizeof(*f));
  size_t *hp = f ? realloc(sim->heap, cap * sizeof(*hp)) : NULL;
  if (f)
    sim->free_idx = f;
  if (hp == NULL)
    return -ENOMEM;
  sim->heap = hp;
  for (size_t i = sim->pool_cap; i < cap; i++)
    sim->free_idx[sim->free_count++] = cap - 1 - (i - sim->pool_cap);
  sim->pool_cap = cap;
  return 0;
}

static int flight_push(struct fin_sim *sim, const struct flight *f, const uint8_t *data) {
  if (sim->free_count == 0 && pool_grow(sim) != 0)
    return -ENOMEM;
  size_t idx = sim->free_idx[--sim->free_count];
  struct flight *dst = &sim->pool[idx];
  memcpy(dst, f, offsetof(struct flight, data));
  memcpy(dst->data, data, f->len);
  dst->order = sim->order++;
  sim->heap[sim->heap_len++] = idx;
  heap_up(sim, sim->heap_len - 1);
  return 0;
}

static size_t flight_pop(struct fin_sim *sim) {
  size_t idx = sim->heap[0];
  sim->heap[0] = sim->heap[--sim->heap_len];
  heap_down(sim, 0);
  sim->free_idx[sim->free_count++] = idx;
  return idx; /* valid until the next push */
}

/* ---- links ---- */

struct fin_sim_link *fin_sim_link(struct fin_sim *sim, unsigned from, unsigned to) {
  if (from >= sim->cfg.host_count || to >= sim->cfg.host_count || from == to)
    return NULL;
  return &sim->links[from * FIN_SIM_MAX_HOSTS + to];
}

/* The host owning the destination address, of either family. */
static int route(const struct fin_sim *sim, const uint8_t *d, size_t len) {
  struct fin_addr daddr;
  if (len >= 20 && d[0] >> 4 == 4)
    daddr =
        fin_addr_v4((uint32_t)d[16] << 24 | (uint32_t)d[17] << 16 | (uint32_t)d[18] << 8 | d[19]);
  else if (len >= 40 && d[0] >> 4 == 6)
    daddr = fin_addr_v6(d + 24);
  else
    return -1;
  for (unsigned i = 0; i < sim->cfg.host_count; i++) {
    struct fin_addr a = fin_sim_addr(sim, i);
    if (fin_addr_eq(&a, &daddr))
      return (int)i;
  }
  return -1;
}

static size_t trace_send(struct fin_sim *sim, unsigned from, int to,
                         const struct fin_trace_seg *seg, enum fin_trace_fate fate, fin_time arrive,
                         bool dup, uint32_t pkt) {
  if (!tracing(sim))
    return SIZE_MAX;
  struct fin_trace_rec r = rec_base(sim, FIN_TR_SEND, from);
  r.pkt = pkt;
  r.peer = (uint8_t)(to < 0 ? from : (unsigned)to);
  r.conn = map_find(&sim->hosts[from], seg, true);
  r.seg = *seg;
  r.fate = fate;
  r.arrive = arrive;
  r.dup = dup;
  return trace_add(sim, &r);
}

static void enqueue(struct fin_sim *sim, unsigned from, unsigned to, const uint8_t *d, size_t len,
                    fin_time at, size_t tidx, const struct fin_sim_verdict *v) {
  struct flight f = {.at = at, .trace_idx = tidx, .len = (uint16_t)len};
  f.from = (uint8_t)from;
  f.to = (uint8_t)to;
  uint8_t copy[SIM_BUF];
  memcpy(copy, d, len);
  if (v != NULL && v->corrupt)
    copy[v->corrupt_bit / 8] ^= (uint8_t)(1u << (v->corrupt_bit % 8));
  if (flight_push(sim, &f, copy) != 0)
    fprintf(stderr, "fin sim: out of memory for a datagram in flight\n");
}

/* A stack handed a datagram to its link: tap it, let the link decide. */
static void link_send(struct fin_sim *sim, unsigned from, const uint8_t *d, size_t len) {
  struct fin_trace_seg seg;
  bool need_seg = tracing(sim) || sim->cfg.app.filter != NULL;
  if (need_seg)
    fin_trace_decode(d, len, &seg);
  if (sim->cfg.pcap != NULL)
    fin_pcap_write(sim->cfg.pcap, d, len, sim->now);
  /* The bytes, for renderers that write packets (pcapng): one copy, shared
   * by a duplicate's record and by the RECV records of its arrivals. */
  uint32_t pkt = 0;
  if (tracing(sim) && sim->cfg.trace->keep_packets)
    (void)fin_trace_add_packet(sim->cfg.trace, d, len, &pkt);
  int to = route(sim, d, len);
  if (to < 0) {
    trace_send(sim, from, to, &seg, FIN_FATE_NO_ROUTE, FIN_NEVER, false, pkt);
    return;
  }
  const struct fin_sim_app *app = &sim->cfg.app;
  if (app->filter != NULL && app->filter(app->ctx, sim, from, (unsigned)to, &seg)) {
    trace_send(sim, from, to, &seg, FIN_FATE_SCRIPTED, FIN_NEVER, false, pkt);
    return;
  }
  struct fin_sim_verdict v;
  fin_sim_link_decide(fin_sim_link(sim, from, (unsigned)to), sim->now, len, &v);
  size_t tidx = trace_send(sim, from, to, &seg, v.fate, v.arrive, false, pkt);
  if (v.arrive == FIN_NEVER)
    return;
  enqueue(sim, from, (unsigned)to, d, len, v.arrive, tidx, &v);
  if (v.dup) {
    tidx = trace_send(sim, from, to, &seg, FIN_FATE_DELIVERED, v.dup_arrive, true, pkt);
    enqueue(sim, from, (unsigned)to, d, len, v.dup_arrive, tidx, NULL);
  }
}

int fin_sim_inject(struct fin_sim *sim, unsigned to, const uint8_t *d, size_t len) {
  if (to >= sim->cfg.host_count || len < 20 || len > SIM_BUF)
    return -EINVAL;
  struct fin_ip_info ip;
  unsigned from = to;
  if (fin_ip_parse(d, len, &ip) == FIN_WIRE_OK)
    for (unsigned i = 0; i < sim->cfg.host_count; i++) {
      struct fin_addr a = fin_sim_addr(sim, i);
      if (fin_addr_eq(&a, &ip.saddr))
        from = i;
    }
  struct flight f = {.at = sim->now, .trace_idx = SIZE_MAX, .len = (uint16_t)len};
  f.from = (uint8_t)from;
  f.to = (uint8_t)to;
  return flight_push(sim, &f, d);
}

/* ---- draining a host: events, then the datagrams they explain ---- */

static void trace_event(struct fin_sim *sim, unsigned hi, const struct fin_event *ev) {
  static const enum fin_trace_kind kinds[FIN_EV_TYPE_COUNT] = {
      [FIN_EV_STATE] = FIN_TR_STATE,           [FIN_EV_CLOSED] = FIN_TR_CLOSE,
      [FIN_EV_TIMER] = FIN_TR_TIMER,           [FIN_EV_DROP] = FIN_TR_DROP,
      [FIN_EV_ACCEPTABLE] = FIN_TR_KIND_COUNT, [FIN_EV_READABLE] = FIN_TR_KIND_COUNT,
      [FIN_EV_WRITABLE] = FIN_TR_KIND_COUNT,   [FIN_EV_RST_SENT] = FIN_TR_RST};
  if ((unsigned)ev->type >= FIN_EV_TYPE_COUNT || kinds[ev->type] == FIN_TR_KIND_COUNT)
    return;
  struct fin_trace_rec r = rec_base(sim, kinds[ev->type], hi);
  r.conn = ev->conn_id;
  r.tuple = ev->tuple;
  r.has_tuple = true;
  /* The engine names the connection of state events only; drops and RSTs
   * get it from the 4-tuple. */
  if (r.conn == 0 && (ev->type == FIN_EV_DROP || ev->type == FIN_EV_RST_SENT))
    r.conn = map_find_tuple(&sim->hosts[hi], &ev->tuple);
  r.from = ev->from;
  r.to = ev->to;
  r.reason = ev->reason;
  r.err = ev->err;
  r.timer = ev->timer;
  r.counter = ev->counter;
  r.fate = FIN_FATE_STACK;
  trace_add(sim, &r);
}

static size_t drain_events(struct fin_sim *sim, struct host *h) {
  struct fin_event ev;
  size_t n = 0;
  unsigned hi = host_index(sim, h);
  while (h->st != NULL && fin_stack_poll_event(h->st, &ev)) {
    n++;
    if (ev.type == FIN_EV_STATE && tracing(sim))
      map_learn(h, &ev);
    trace_event(sim, hi, &ev);
    if (sim->cfg.app.on_event != NULL)
      sim->cfg.app.on_event(sim->cfg.app.ctx, sim, hi, &ev);
  }
  return n;
}

static size_t drain_output(struct fin_sim *sim, struct host *h) {
  uint8_t buf[SIM_BUF];
  size_t len, n = 0;
  while (h->st != NULL && (len = fin_stack_output(h->st, buf, sizeof buf, sim->now)) > 0) {
    link_send(sim, host_index(sim, h), buf, len);
    n++;
  }
  return n;
}

static size_t drain(struct fin_sim *sim, struct host *h) {
  size_t total = 0;
  for (int i = 0; i < SETTLE_ROUNDS; i++) {
    size_t n = drain_events(sim, h);
    n += drain_output(sim, h);
    if (n == 0)
      break;
    total += n;
  }
  return total;
}

/* Lets the host's applications react until nothing more happens. */
static void settle(struct fin_sim *sim, struct host *h) {
  const struct fin_sim_app *app = &sim->cfg.app;
  for (int round = 0; round < SETTLE_ROUNDS; round++) {
    size_t n = drain(sim, h);
    if (app->step != NULL && h->st != NULL) {
      fin_stack_set_now(h->st, sim->now);
      app->step(app->ctx, sim, host_index(sim, h));
    }
    n += drain(sim, h);
    if (n == 0)
      return;
  }
}

static void settle_all(struct fin_sim *sim) {
  for (unsigned i = 0; i < sim->cfg.host_count; i++)
    settle(sim, &sim->hosts[i]);
}

/* ---- delivery, timers, crashes ---- */

/* f is a copy: delivering makes the stack send, which may grow the pool. */
static void deliver(struct fin_sim *sim, const struct flight *f) {
  struct host *h = &sim->hosts[f->to];
  struct fin_trace_seg seg;
  if (tracing(sim))
    fin_trace_decode(f->data, f->len, &seg);
  if (h->st == NULL) {
    if (f->trace_idx != SIZE_MAX)
      sim->cfg.trace->recs[f->trace_idx].fate = FIN_FATE_HOST_DOWN;
    struct fin_trace_rec r = rec_base(sim, FIN_TR_DROP, f->to);
    r.peer = f->from;
    r.seg = seg;
    r.fate = FIN_FATE_HOST_DOWN;
    trace_add(sim, &r);
    return;
  }
  struct fin_trace_rec r = rec_base(sim, FIN_TR_RECV, f->to);
  r.peer = f->from;
  r.seg = seg;
  if (f->trace_idx != SIZE_MAX)
    r.pkt = sim->cfg.trace->recs[f->trace_idx].pkt;
  size_t ridx = trace_add(sim, &r);
  fin_stack_input(h->st, f->data, f->len, sim->now);
  drain_events(sim, h);
  if (ridx != SIZE_MAX)
    sim->cfg.trace->recs[ridx].conn = map_find(h, &seg, false);
  settle(sim, h);
}

static void deliver_due(struct fin_sim *sim) {
  while (sim->heap_len > 0 && sim->pool[sim->heap[0]].at <= sim->now) {
    size_t idx = flight_pop(sim);
    memcpy(&sim->scratch, &sim->pool[idx], offsetof(struct flight, data) + sim->pool[idx].len);
    deliver(sim, &sim->scratch);
  }
}

static void run_timers(struct fin_sim *sim) {
  for (unsigned i = 0; i < sim->cfg.host_count; i++) {
    struct host *h = &sim->hosts[i];
    if (h->st != NULL && fin_stack_next_deadline(h->st) <= sim->now) {
      fin_stack_on_timers(h->st, sim->now);
      settle(sim, h);
    }
  }
}

static void do_action(struct fin_sim *sim, const struct action *a) {
  struct host *h = &sim->hosts[a->host];
  const struct fin_sim_app *app = &sim->cfg.app;
  if (!a->restart) {
    if (h->st == NULL)
      return;
    fin_sim_trace_app(sim, a->host, -1, "host crash", 0, false);
    if (app->on_crash != NULL)
      app->on_crash(app->ctx, sim, a->host);
    host_stop(sim, h);
    return;
  }
  if (h->st != NULL)
    return;
  int rc = host_start(sim, h);
  fin_sim_trace_app(sim, a->host, -1, "host restart", rc, false);
  if (rc == 0 && app->on_restart != NULL)
    app->on_restart(app->ctx, sim, a->host);
}

/* Due actions run in (time, scheduling) order: a crash and a restart
 * scheduled for the same instant happen in the order they were asked for. */
static void run_actions(struct fin_sim *sim) {
  for (;;) {
    int best = -1;
    for (unsigned i = 0; i < sim->action_count; i++) {
      const struct action *a = &sim->actions[i];
      if (a->t <= sim->now && (best < 0 || a->t < sim->actions[best].t ||
                               (a->t == sim->actions[best].t && a->seq < sim->actions[best].seq)))
        best = (int)i;
    }
    if (best < 0)
      return;
    struct action a = sim->actions[best];
    sim->actions[best] = sim->actions[--sim->action_count];
    do_action(sim, &a);
  }
}

static fin_time next_time(struct fin_sim *sim) {
  fin_time t = FIN_NEVER;
  if (sim->heap_len > 0)
    t = sim->pool[sim->heap[0]].at;
  for (unsigned i = 0; i < sim->action_count; i++)
    if (sim->actions[i].t < t)
      t = sim->actions[i].t;
  for (unsigned i = 0; i < sim->cfg.host_count; i++) {
    struct host *h = &sim->hosts[i];
    if (h->st == NULL)
      continue;
    fin_time d = fin_stack_next_deadline(h->st);
    if (d < t)
      t = d;
    fin_time w = sim->cfg.app.wakeup ? sim->cfg.app.wakeup(sim->cfg.app.ctx, i) : FIN_NEVER;
    if (w > sim->now && w < t)
      t = w;
  }
  return t;
}

/* After every step each stack keeps its invariants (fin_stack_audit: a
 * way out for every connection, progress, every ending told) and has no
 * deadline left in the past. */
static int check_invariants(struct fin_sim *sim) {
  for (unsigned i = 0; i < sim->cfg.host_count; i++) {
    struct host *h = &sim->hosts[i];
    if (h->st == NULL)
      continue;
    struct fin_audit a;
    if (fin_stack_audit(h->st, &a) != 0) {
      snprintf(sim->failure, sizeof sim->failure, "host %c at %.6f s, conn %llu (%s): %s", 'a' + i,
               (double)sim->now / 1e9, (unsigned long long)a.conn_id, fin_state_name(a.state),
               a.what);
      return -EPROTO;
    }
    if (fin_stack_next_deadline(h->st) <= sim->now) {
      snprintf(sim->failure, sizeof sim->failure, "host %c at %.6f s: a deadline in the past",
               'a' + i, (double)sim->now / 1e9);
      return -EPROTO;
    }
  }
  return 0;
}

const char *fin_sim_failure(const struct fin_sim *sim) {
  return sim->failure;
}

int fin_sim_run(struct fin_sim *sim) {
  /* At time zero the last host starts first, so servers listen before
   * clients connect. */
  for (unsigned i = sim->cfg.host_count; i-- > 0;)
    settle(sim, &sim->hosts[i]);
  for (;;) {
    fin_time t = next_time(sim);
    if (t == FIN_NEVER)
      return 0;
    if (t > sim->cfg.max_time)
      return -ETIME;
    if (++sim->steps > sim->cfg.max_steps)
      return -ELOOP;
    if (t > sim->now)
      sim->now = t;
    run_actions(sim);
    deliver_due(sim);
    run_timers(sim);
    settle_all(sim);
    if (check_invariants(sim) != 0)
      return -EPROTO;
  }
}

/* ---- setup ---- */

static int sim_init_hosts(struct fin_sim *sim) {
  for (unsigned i = 0; i < sim->cfg.host_count; i++) {
    struct host *h = &sim->hosts[i];
    h->sim = sim;
    h->settings = sim->cfg.settings[i];
    h->settings.local_addrs[0] = fin_sim_addr(sim, i);
    h->settings.local_addr_count = 1;
    h->settings.event_mask = FIN_EVENTS_ALL;
    if (sim->cfg.trace != NULL)
      fin_trace_set_host(sim->cfg.trace, i, &h->settings.local_addrs[0]);
    int rc = host_start(sim, h);
    if (rc != 0)
      return rc;
  }
  return 0;
}

static int sim_init_links(struct fin_sim *sim) {
  for (unsigned a = 0; a < sim->cfg.host_count; a++)
    for (unsigned b = 0; b < sim->cfg.host_count; b++) {
      if (a == b)
        continue;
      int rc = fin_sim_link_init(fin_sim_link(sim, a, b), &sim->cfg.link, sim->cfg.seed,
                                 a * FIN_SIM_MAX_HOSTS + b);
      if (rc != 0)
        return rc;
    }
  return 0;
}

int fin_sim_new(struct fin_sim **out, const struct fin_sim_config *cfg) {
  if (cfg->host_count < 1 || cfg->host_count > FIN_SIM_MAX_HOSTS)
    return -EINVAL;
  struct fin_sim *sim = calloc(1, sizeof(*sim));
  if (sim == NULL)
    return -ENOMEM;
  sim->cfg = *cfg;
  if (sim->cfg.max_time <= 0)
    sim->cfg.max_time = FIN_SEC(24 * 3600);
  if (sim->cfg.max_steps == 0)
    sim->cfg.max_steps = 50u * 1000u * 1000u;
  int rc = sim_init_links(sim);
  if (rc == 0)
    rc = pool_grow(sim);
  if (rc == 0)
    rc = sim_init_hosts(sim);
  if (rc != 0) {
    fin_sim_free(sim);
    return rc;
  }
  *out = sim;
  return 0;
}

size_t fin_sim_free(struct fin_sim *sim) {
  if (sim == NULL)
    return 0;
  for (unsigned i = 0; i < FIN_SIM_MAX_HOSTS; i++)
    host_stop(sim, &sim->hosts[i]);
  for (size_t i = 0; i < FIN_SIM_MAX_HOSTS * FIN_SIM_MAX_HOSTS; i++)
    fin_sim_link_free(&sim->links[i]);
  size_t leaked = sim->leaked;
  free(sim->pool);
  free(sim->free_idx);
  free(sim->heap);
  free(sim);
  return leaked;
}

/* ---- accessors and scheduling ---- */

fin_time fin_sim_now(const struct fin_sim *sim) {
  return sim->now;
}

struct fin_stack *fin_sim_stack(struct fin_sim *sim, unsigned host) {
  return host < sim->cfg.host_count ? sim->hosts[host].st : NULL;
}

unsigned fin_sim_generation(const struct fin_sim *sim, unsigned host) {
  return host < sim->cfg.host_count ? sim->hosts[host].gen : 0;
}

uint64_t fin_sim_steps(const struct fin_sim *sim) {
  return sim->steps;
}

size_t fin_sim_host_bytes(const struct fin_sim *sim, unsigned host) {
  return host < sim->cfg.host_count ? sim->hosts[host].live_bytes : 0;
}

int fin_sim_partition(struct fin_sim *sim, unsigned a, unsigned b, fin_time t1, fin_time t2) {
  struct fin_sim_link *ab = fin_sim_link(sim, a, b), *ba = fin_sim_link(sim, b, a);
  if (ab == NULL || ba == NULL)
    return -EINVAL;
  int rc = fin_sim_link_add_down(ab, t1, t2);
  return rc != 0 ? rc : fin_sim_link_add_down(ba, t1, t2);
}

static int add_action(struct fin_sim *sim, fin_time t, unsigned host, bool restart) {
  if (sim->action_count == MAX_ACTIONS)
    return -ENOSPC;
  sim->actions[sim->action_count++] = (struct action){t, sim->action_seq++, host, restart};
  return 0;
}

int fin_sim_crash(struct fin_sim *sim, unsigned host, fin_time at, fin_time restart) {
  if (host >= sim->cfg.host_count || at < sim->now || restart < at)
    return -EINVAL;
  int rc = add_action(sim, at, host, false);
  if (rc == 0 && restart != FIN_NEVER)
    rc = add_action(sim, restart, host, true);
  return rc;
}
