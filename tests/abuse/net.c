/* SPDX-License-Identifier: MIT */
/* The virtual network of the abuse runs: up to two fin stacks and whatever
 * the mode scripts (attackers, hostile peers), joined by a queue of
 * datagrams and ticks ordered by arrival time. The clock jumps to the next
 * arrival or deadline. fin_stack_audit() runs every audit_every steps and
 * at the end (docs/engine.md "Invariants"), and no deadline may be left in
 * the past once the timers ran. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "abuse.h"

enum { ITEM_TO_STACK, ITEM_TO_PEER, ITEM_TICK };

void abuse_fail(struct abuse_net *n, const char *fmt, ...) {
  if (n->failed)
    return;
  n->failed = true;
  int k = snprintf(n->why, sizeof(n->why), "t=%.3fs: ", (double)n->now / 1e9);
  va_list ap;
  va_start(ap, fmt);
  if (k > 0 && (size_t)k < sizeof(n->why))
    vsnprintf(n->why + k, sizeof(n->why) - (size_t)k, fmt, ap);
  va_end(ap);
}

int abuse_net_init(struct abuse_net *n, unsigned hosts, struct fin_settings *const *settings,
                   uint64_t seed) {
  memset(n, 0, sizeof(*n));
  n->hosts = hosts;
  n->now = FIN_SEC(1);
  n->max_steps = 200000000;
  n->audit_every = 1000;
  for (unsigned i = 0; i < hosts; i++) {
    n->addr[i] = fin_addr_v4(0x0a000001u + i); /* 10.0.0.1, 10.0.0.2 */
    struct fin_settings set;
    if (settings != NULL && settings[i] != NULL)
      set = *settings[i];
    else
      fin_settings_default(&set);
    set.local_addrs[0] = n->addr[i];
    set.local_addr_count = 1;
    struct fin_allocator a;
    struct fin_random rnd;
    test_alloc_init(&n->ta[i], &a);
    test_rng_init(&n->rng[i], seed * 7919 + 1234 + i, &rnd);
    if (fin_stack_new(&n->st[i], &set, &a, &rnd, n->now) != 0) {
      abuse_fail(n, "host %u: fin_stack_new failed", i);
      return -1;
    }
  }
  return 0;
}

static void buf_put(struct abuse_net *n, uint8_t *b) {
  if (n->nfree == n->free_cap) {
    size_t cap = n->free_cap ? n->free_cap * 2 : 256;
    uint8_t **f = realloc(n->free_bufs, cap * sizeof(*f));
    if (f == NULL) {
      free(b);
      return;
    }
    n->free_bufs = f;
    n->free_cap = cap;
  }
  n->free_bufs[n->nfree++] = b;
}

static uint8_t *buf_get(struct abuse_net *n) {
  if (n->nfree > 0)
    return n->free_bufs[--n->nfree];
  return malloc(ABUSE_DGRAM);
}

void abuse_net_free(struct abuse_net *n) {
  for (size_t i = 0; i < n->qlen; i++)
    free(n->q[i].buf);
  free(n->q);
  for (size_t i = 0; i < n->nfree; i++)
    free(n->free_bufs[i]);
  free(n->free_bufs);
  n->q = NULL;
  n->free_bufs = NULL;
  for (unsigned i = 0; i < n->hosts; i++) {
    fin_stack_free(n->st[i]);
    n->st[i] = NULL;
    if (n->ta[i].live_bytes != 0 || n->ta[i].live_blocks != 0)
      abuse_fail(n, "host %u leaked %zu bytes in %zu blocks", i, n->ta[i].live_bytes,
                 n->ta[i].live_blocks);
  }
}

/* ---- the queue ---- */

static bool item_before(const struct abuse_item *a, const struct abuse_item *b) {
  return a->at < b->at || (a->at == b->at && a->order < b->order);
}

static void q_push(struct abuse_net *n, struct abuse_item it) {
  if (n->qlen == n->qcap) {
    size_t cap = n->qcap ? n->qcap * 2 : 1024;
    struct abuse_item *q = realloc(n->q, cap * sizeof(*q));
    if (q == NULL) {
      abuse_fail(n, "queue: out of memory");
      free(it.buf);
      return;
    }
    n->q = q;
    n->qcap = cap;
  }
  it.order = n->order++;
  size_t i = n->qlen++;
  while (i > 0 && item_before(&it, &n->q[(i - 1) / 2])) {
    n->q[i] = n->q[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  n->q[i] = it;
}

static struct abuse_item q_pop(struct abuse_net *n) {
  struct abuse_item top = n->q[0];
  struct abuse_item last = n->q[--n->qlen];
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, m = i;
    const struct abuse_item *best = &last;
    if (l < n->qlen && item_before(&n->q[l], best)) {
      m = l;
      best = &n->q[l];
    }
    if (l + 1 < n->qlen && item_before(&n->q[l + 1], best))
      m = l + 1;
    if (m == i)
      break;
    n->q[i] = n->q[m];
    i = m;
  }
  if (n->qlen > 0)
    n->q[i] = last;
  return top;
}

static void push_dgram(struct abuse_net *n, uint8_t kind, int to, const uint8_t *d, size_t len,
                       fin_time at) {
  if (len > ABUSE_DGRAM) {
    abuse_fail(n, "datagram of %zu bytes", len);
    return;
  }
  uint8_t *b = buf_get(n);
  if (b == NULL) {
    abuse_fail(n, "queue: out of memory");
    return;
  }
  memcpy(b, d, len);
  q_push(n, (struct abuse_item){
                .at = at, .kind = kind, .to = (uint8_t)to, .len = (uint16_t)len, .buf = b});
}

void abuse_net_to_stack(struct abuse_net *n, int to, const uint8_t *d, size_t len, fin_time delay) {
  push_dgram(n, ITEM_TO_STACK, to, d, len, n->now + delay);
}

void abuse_net_to_peer(struct abuse_net *n, const uint8_t *d, size_t len) {
  push_dgram(n, ITEM_TO_PEER, 0, d, len, n->now + ABUSE_ONE_WAY);
}

void abuse_net_at(struct abuse_net *n, fin_time at, uint32_t arg) {
  q_push(n, (struct abuse_item){.at = at < n->now ? n->now : at, .kind = ITEM_TICK, .arg = arg});
}

/* ---- stepping ---- */

static int host_of(const struct abuse_net *n, const struct fin_addr *a) {
  for (unsigned i = 0; i < n->hosts; i++)
    if (fin_addr_eq(a, &n->addr[i]))
      return (int)i;
  return -1;
}

static void drain(struct abuse_net *n) {
  for (unsigned i = 0; i < n->hosts; i++) {
    uint8_t buf[ABUSE_DGRAM];
    size_t len;
    for (int guard = 0;
         guard < 1000000 && (len = fin_stack_output(n->st[i], buf, sizeof(buf), n->now)) > 0;
         guard++) {
      struct fin_segment seg;
      if (fin_tcp_parse(buf, len, &seg) != FIN_WIRE_OK) {
        abuse_fail(n, "host %u sent a datagram that does not parse", i);
        return;
      }
      n->sent[i]++;
      if (n->h.tap != NULL)
        n->h.tap(n, (int)i, &seg);
      int to = host_of(n, &seg.daddr);
      if (to >= 0)
        abuse_net_to_stack(n, to, buf, len, ABUSE_ONE_WAY);
      else if (n->h.route != NULL)
        n->h.route(n, (int)i, buf, len, &seg);
    }
    struct fin_event ev;
    while (fin_stack_poll_event(n->st[i], &ev))
      if (n->h.event != NULL)
        n->h.event(n, (int)i, &ev);
    size_t mem = fin_stack_memory_in_use(n->st[i]);
    if (mem > n->mem_peak[i])
      n->mem_peak[i] = mem;
  }
}

void abuse_net_audit(struct abuse_net *n) {
  for (unsigned i = 0; i < n->hosts; i++) {
    struct fin_audit a;
    if (fin_stack_audit(n->st[i], &a) != 0)
      abuse_fail(n, "host %u: invariant broken: %s (conn %llu, %s)", i, a.what,
                 (unsigned long long)a.conn_id, fin_state_name(a.state));
  }
}

size_t abuse_reserve(const struct fin_stack *st) {
  const struct fin_settings *s = fin_stack_settings(st);
  size_t chunk = fin_stack_buffer_chunk(st);
  size_t snd = (s->sndbuf + chunk - 1) / chunk, rcv = (s->rcvbuf + chunk - 1) / chunk;
  size_t maps = 64 * sizeof(void *) * (snd + (rcv != snd ? rcv : 0));
  /* The pool also keeps 64 connections' blocks of two rings (48 bytes,
   * 6 pointers each, src/engine/pool.h FIN_POOL_BLOCK). */
  size_t blocks = 64 * 6 * sizeof(void *);
  return 64 * chunk + maps + blocks + 64 * sizeof(struct fin_event);
}

void abuse_net_inject(struct abuse_net *n, int to, const uint8_t *d, size_t len) {
  fin_stack_input(n->st[to], d, len, n->now);
  drain(n);
}

static fin_time next_time(const struct abuse_net *n) {
  fin_time t = n->qlen > 0 ? n->q[0].at : FIN_NEVER;
  for (unsigned i = 0; i < n->hosts; i++) {
    fin_time d = fin_stack_next_deadline(n->st[i]);
    if (d < t)
      t = d;
  }
  return t;
}

static void dispatch(struct abuse_net *n, struct abuse_item *it) {
  switch (it->kind) {
  case ITEM_TO_STACK:
    fin_stack_input(n->st[it->to], it->buf, it->len, n->now);
    break;
  case ITEM_TO_PEER:
    if (n->h.peer != NULL)
      n->h.peer(n, it->buf, it->len);
    break;
  case ITEM_TICK:
    if (n->h.tick != NULL)
      n->h.tick(n, it->arg);
    break;
  }
  if (it->buf != NULL)
    buf_put(n, it->buf);
}

static void step(struct abuse_net *n) {
  while (n->qlen > 0 && n->q[0].at <= n->now && !n->failed) {
    struct abuse_item it = q_pop(n);
    dispatch(n, &it);
    drain(n);
  }
  for (unsigned i = 0; i < n->hosts; i++)
    if (fin_stack_next_deadline(n->st[i]) <= n->now)
      fin_stack_on_timers(n->st[i], n->now);
  drain(n);
  if (n->h.app != NULL) {
    n->h.app(n);
    drain(n);
  }
  for (unsigned i = 0; i < n->hosts; i++)
    if (fin_stack_next_deadline(n->st[i]) <= n->now)
      abuse_fail(n, "host %u: a deadline in the past after on_timers and output", i);
  if (++n->steps % n->audit_every == 0)
    abuse_net_audit(n);
}

int abuse_net_run(struct abuse_net *n, fin_time until) {
  while (!n->failed) {
    if (n->h.done != NULL && n->h.done(n))
      break;
    if (n->steps >= n->max_steps) {
      abuse_fail(n, "step bound (%llu) reached", (unsigned long long)n->max_steps);
      break;
    }
    fin_time t = next_time(n);
    if (t > until) {
      if (n->now < until)
        n->now = until;
      for (unsigned i = 0; i < n->hosts; i++)
        fin_stack_set_now(n->st[i], n->now);
      break;
    }
    if (t > n->now)
      n->now = t;
    for (unsigned i = 0; i < n->hosts; i++)
      fin_stack_set_now(n->st[i], n->now);
    step(n);
  }
  abuse_net_audit(n);
  return n->failed ? -1 : 0;
}
