/* SPDX-License-Identifier: MIT */
/* Demultiplexing: connections by 4-tuple in a chained hash table with a
 * keyed hash (SipHash: no attacker-chosen collisions), grown by doubling;
 * listeners by local port in a small table of their own. */
#include "internal.h"

#define INITIAL_BUCKETS 256u

int fin_demux_init(struct fin_stack *st) {
  st->conn_buckets = fin_mem_alloc(st, INITIAL_BUCKETS * sizeof(*st->conn_buckets));
  if (st->conn_buckets == NULL)
    return -ENOMEM;
  memset(st->conn_buckets, 0, INITIAL_BUCKETS * sizeof(*st->conn_buckets));
  st->conn_bucket_mask = INITIAL_BUCKETS - 1;
  return 0;
}

void fin_demux_free(struct fin_stack *st) {
  fin_mem_free(st, st->bound_ports, 65536 * sizeof(uint16_t));
  fin_mem_free(st, st->bound_ports6, 65536 * sizeof(uint16_t));
  st->bound_ports = st->bound_ports6 = NULL;
  if (st->conn_buckets != NULL)
    fin_mem_free(st, st->conn_buckets, (st->conn_bucket_mask + 1u) * sizeof(*st->conn_buckets));
  st->conn_buckets = NULL;
}

/* IPv4 keys are the 12 bytes they were before IPv6 came (the addresses as
 * host-order words): ISNs, timestamp offsets and cookies of IPv4
 * connections are what they always were. */
uint32_t fin_tuple_hash(const struct fin_stack *st, const struct fin_4tuple *t) {
  uint8_t k[36];
  size_t n = fin_tuple_key(t, k);
  return (uint32_t)fin_siphash(&st->hash_key, k, n);
}

struct fin_conn *fin_conn_lookup_hashed(const struct fin_stack *st, const struct fin_4tuple *t,
                                        uint32_t h) {
  struct fin_conn *c = st->conn_buckets[h & st->conn_bucket_mask];
  while (c != NULL && !fin_tuple_eq(&c->tuple, t))
    c = c->hash_next;
  return c;
}

struct fin_conn *fin_conn_lookup(const struct fin_stack *st, const struct fin_4tuple *t) {
  return fin_conn_lookup_hashed(st, t, fin_demux_hash(st, t));
}

/* Moves every connection into a table of `to` buckets; on allocation
 * failure the table stays as it is (longer or emptier chains, still
 * correct). */
static void rehash(struct fin_stack *st, uint32_t to) {
  uint32_t n = st->conn_bucket_mask + 1u;
  struct fin_conn **nb = fin_mem_alloc(st, (size_t)to * sizeof(*nb));
  if (nb == NULL)
    return;
  memset(nb, 0, (size_t)to * sizeof(*nb));
  uint32_t mask = to - 1;
  for (uint32_t b = 0; b < n; b++) {
    struct fin_conn *c = st->conn_buckets[b];
    while (c != NULL) {
      struct fin_conn *next = c->hash_next;
      uint32_t h = fin_demux_hash(st, &c->tuple) & mask;
      c->hash_next = nb[h];
      nb[h] = c;
      c = next;
    }
  }
  fin_mem_free(st, st->conn_buckets, n * sizeof(*nb));
  st->conn_buckets = nb;
  st->conn_bucket_mask = mask;
}

/* Doubles the table when the load factor passes 1. */
static void maybe_grow(struct fin_stack *st) {
  uint32_t n = st->conn_bucket_mask + 1u;
  if (st->conn_count >= n && n < (1u << 30))
    rehash(st, 2 * n);
}

/* Halves it when the load factor falls below 1/4 (issue 14: memory goes
 * back after a burst; the gap to the growth point keeps a table that
 * hovers at one size from rehashing back and forth). */
static void maybe_shrink(struct fin_stack *st) {
  uint32_t n = st->conn_bucket_mask + 1u;
  if (!st->hash_walk && n > INITIAL_BUCKETS && st->conn_count < n / 4)
    rehash(st, n / 2);
}

void fin_demux_trim(struct fin_stack *st) {
  for (uint32_t n = 0; n != st->conn_bucket_mask + 1u;) {
    n = st->conn_bucket_mask + 1u;
    maybe_shrink(st);
  }
}

int fin_conn_hash_insert(struct fin_stack *st, struct fin_conn *c) {
  uint32_t full = fin_demux_hash(st, &c->tuple);
  if (fin_conn_lookup_hashed(st, &c->tuple, full) != NULL)
    return -EADDRINUSE;
  uint32_t h = full & st->conn_bucket_mask;
  c->hash_next = st->conn_buckets[h];
  st->conn_buckets[h] = c;
  st->conn_count++;
  st->lifecycles_open++; /* its CLOSED event is owed from now on (audit.c) */
  maybe_grow(st);
  return 0;
}

void fin_conn_hash_remove(struct fin_stack *st, struct fin_conn *c) {
  struct fin_conn **pp = &st->conn_buckets[fin_demux_hash(st, &c->tuple) & st->conn_bucket_mask];
  while (*pp != NULL && *pp != c)
    pp = &(*pp)->hash_next;
  if (*pp == NULL)
    return;
  *pp = c->hash_next;
  c->hash_next = NULL;
  st->conn_count--;
  maybe_shrink(st);
  fin_heap_trim(st);
}

static unsigned port_bucket(uint16_t port) {
  return (unsigned)(port * 40503u) >> 10 & 63u;
}

/* How well listener l matches a segment to addr: 3 its exact address, 2
 * the wildcard of addr's family, 1 :: taking IPv4 too (no IPV6_V6ONLY,
 * RFC 3493 §3.7), 0 not at all. */
static int listener_match(const struct fin_listener *l, const struct fin_addr *addr) {
  const struct fin_addr *la = &l->local.addr;
  if (fin_addr_eq(la, addr))
    return 3;
  if (!fin_addr_is_any(la) || fin_addr_is_v4(la) != fin_addr_is_v4(addr))
    return fin_addr_is_any(la) && !fin_addr_is_v4(la) && !l->v6only ? 1 : 0;
  return 2;
}

/* The best match wins: an exact-address listener over a wildcard one, an
 * IPv4 0.0.0.0 listener over a dual-stack :: one (Linux inet_lookup). */
struct fin_listener *fin_listener_lookup(const struct fin_stack *st, const struct fin_addr *addr,
                                         uint16_t port) {
  struct fin_listener *best = NULL;
  int best_score = 0;
  for (struct fin_listener *l = st->listen_buckets[port_bucket(port)]; l; l = l->hash_next) {
    if (l->local.port != port)
      continue;
    int score = listener_match(l, addr);
    if (score > best_score) {
      best = l;
      best_score = score;
    }
  }
  return best;
}

void fin_listener_insert(struct fin_stack *st, struct fin_listener *l) {
  unsigned b = port_bucket(l->local.port);
  l->hash_next = st->listen_buckets[b];
  st->listen_buckets[b] = l;
}

void fin_listener_remove(struct fin_stack *st, struct fin_listener *l) {
  struct fin_listener **pp = &st->listen_buckets[port_bucket(l->local.port)];
  while (*pp != NULL && *pp != l)
    pp = &(*pp)->hash_next;
  if (*pp != NULL)
    *pp = l->hash_next;
}

bool fin_bindings_overlap(const struct fin_addr *a, bool a_v6only, const struct fin_addr *b,
                          bool b_v6only) {
  if (fin_addr_eq(a, b))
    return true;
  bool a4 = fin_addr_is_v4(a), b4 = fin_addr_is_v4(b);
  if (!a4 && fin_addr_is_any(a))
    return !b4 || !a_v6only;
  if (!b4 && fin_addr_is_any(b))
    return !a4 || !b_v6only;
  return a4 && b4 && (fin_addr_is_any(a) || fin_addr_is_any(b));
}

bool fin_listener_conflict(const struct fin_stack *st, const struct fin_addr *addr, bool v6only,
                           uint16_t port) {
  for (struct fin_listener *l = st->listen_buckets[port_bucket(port)]; l; l = l->hash_next)
    if (l->local.port == port && fin_bindings_overlap(&l->local.addr, l->v6only, addr, v6only))
      return true;
  return false;
}

/* Which per-family counts a binding takes: IPv4 addresses the IPv4 one,
 * IPv6 addresses the IPv6 one, a dual-stack :: both. */
static bool binds_v4(const struct fin_addr *a, bool v6only) {
  return fin_addr_is_v4(a) || (fin_addr_is_any(a) && !v6only);
}

static bool binds_v6(const struct fin_addr *a) {
  return !fin_addr_is_v4(a);
}

bool fin_port_in_use(const struct fin_stack *st, const struct fin_addr *addr, bool v6only,
                     uint16_t port) {
  if (fin_listener_conflict(st, addr, v6only, port))
    return true;
  /* Within a family the counts are conservative: any bound socket of the
   * family holds the port (docs/engine.md, Known limits). */
  return (binds_v4(addr, v6only) && st->bound_ports != NULL && st->bound_ports[port] > 0) ||
         (binds_v6(addr) && st->bound_ports6 != NULL && st->bound_ports6[port] > 0);
}

static int count_up(struct fin_stack *st, uint16_t **arr, uint16_t port) {
  if (*arr == NULL) {
    *arr = fin_mem_alloc(st, 65536 * sizeof(uint16_t));
    if (*arr == NULL)
      return -ENOMEM;
    memset(*arr, 0, 65536 * sizeof(uint16_t));
  }
  if ((*arr)[port] == UINT16_MAX)
    return -EADDRINUSE;
  (*arr)[port]++;
  return 0;
}

/* The counts taken are remembered: connect may yet turn a :: binding into
 * an address of one family. */
int fin_port_hold(struct fin_stack *st, struct fin_conn *c) {
  const struct fin_addr *a = &c->tuple.local_addr;
  uint16_t port = c->tuple.local_port;
  if (binds_v4(a, c->v6only)) {
    int err = count_up(st, &st->bound_ports, port);
    if (err != 0)
      return err;
    c->port_held4 = 1;
  }
  if (binds_v6(a)) {
    int err = count_up(st, &st->bound_ports6, port);
    if (err != 0) {
      fin_port_release(st, c);
      return err;
    }
    c->port_held6 = 1;
  }
  return 0;
}

void fin_port_release(struct fin_stack *st, struct fin_conn *c) {
  if (c->port_held4)
    st->bound_ports[c->tuple.local_port]--;
  if (c->port_held6)
    st->bound_ports6[c->tuple.local_port]--;
  c->port_held4 = c->port_held6 = 0;
}
