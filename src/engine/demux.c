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
  st->bound_ports = NULL;
  if (st->conn_buckets != NULL)
    fin_mem_free(st, st->conn_buckets, (st->conn_bucket_mask + 1u) * sizeof(*st->conn_buckets));
  st->conn_buckets = NULL;
}

uint32_t fin_tuple_hash(const struct fin_stack *st, const struct fin_4tuple *t) {
  uint8_t k[12];
  memcpy(k, &t->local_addr, 4);
  memcpy(k + 4, &t->remote_addr, 4);
  memcpy(k + 8, &t->local_port, 2);
  memcpy(k + 10, &t->remote_port, 2);
  return (uint32_t)fin_siphash(&st->hash_key, k, sizeof(k));
}

static bool tuple_eq(const struct fin_4tuple *a, const struct fin_4tuple *b) {
  return a->local_addr == b->local_addr && a->remote_addr == b->remote_addr &&
         a->local_port == b->local_port && a->remote_port == b->remote_port;
}

struct fin_conn *fin_conn_lookup(const struct fin_stack *st, const struct fin_4tuple *t) {
  struct fin_conn *c = st->conn_buckets[fin_tuple_hash(st, t) & st->conn_bucket_mask];
  while (c != NULL && !tuple_eq(&c->tuple, t))
    c = c->hash_next;
  return c;
}

/* Doubles the table when the load factor passes 1; on allocation failure
 * the table just stays longer-chained. */
static void maybe_grow(struct fin_stack *st) {
  uint32_t n = st->conn_bucket_mask + 1u;
  if (st->conn_count < n || n >= (1u << 30))
    return;
  struct fin_conn **nb = fin_mem_alloc(st, 2 * (size_t)n * sizeof(*nb));
  if (nb == NULL)
    return;
  memset(nb, 0, 2 * (size_t)n * sizeof(*nb));
  uint32_t mask = 2 * n - 1;
  for (uint32_t b = 0; b < n; b++) {
    struct fin_conn *c = st->conn_buckets[b];
    while (c != NULL) {
      struct fin_conn *next = c->hash_next;
      uint32_t h = fin_tuple_hash(st, &c->tuple) & mask;
      c->hash_next = nb[h];
      nb[h] = c;
      c = next;
    }
  }
  fin_mem_free(st, st->conn_buckets, n * sizeof(*nb));
  st->conn_buckets = nb;
  st->conn_bucket_mask = mask;
}

int fin_conn_hash_insert(struct fin_stack *st, struct fin_conn *c) {
  if (fin_conn_lookup(st, &c->tuple) != NULL)
    return -EADDRINUSE;
  uint32_t h = fin_tuple_hash(st, &c->tuple) & st->conn_bucket_mask;
  c->hash_next = st->conn_buckets[h];
  st->conn_buckets[h] = c;
  st->conn_count++;
  st->lifecycles_open++; /* its CLOSED event is owed from now on (audit.c) */
  maybe_grow(st);
  return 0;
}

void fin_conn_hash_remove(struct fin_stack *st, struct fin_conn *c) {
  struct fin_conn **pp = &st->conn_buckets[fin_tuple_hash(st, &c->tuple) & st->conn_bucket_mask];
  while (*pp != NULL && *pp != c)
    pp = &(*pp)->hash_next;
  if (*pp == NULL)
    return;
  *pp = c->hash_next;
  c->hash_next = NULL;
  st->conn_count--;
}

static unsigned port_bucket(uint16_t port) {
  return (unsigned)(port * 40503u) >> 10 & 63u;
}

/* An exact-address listener wins over a wildcard (0.0.0.0) one. */
struct fin_listener *fin_listener_lookup(const struct fin_stack *st, uint32_t addr, uint16_t port) {
  struct fin_listener *wild = NULL;
  for (struct fin_listener *l = st->listen_buckets[port_bucket(port)]; l; l = l->hash_next) {
    if (l->local.port != port)
      continue;
    if (l->local.addr == addr)
      return l;
    if (l->local.addr == 0)
      wild = l;
  }
  return wild;
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

/* A local port is in use when a listener or a bound, unconnected socket
 * has it. O(1): the latter are counted per port, so bind never scans. */
bool fin_port_in_use(const struct fin_stack *st, uint32_t addr, uint16_t port) {
  for (struct fin_listener *l = st->listen_buckets[port_bucket(port)]; l; l = l->hash_next)
    if (l->local.port == port && (l->local.addr == 0 || addr == 0 || l->local.addr == addr))
      return true;
  return st->bound_ports != NULL && st->bound_ports[port] > 0;
}

int fin_port_hold(struct fin_stack *st, struct fin_conn *c) {
  if (st->bound_ports == NULL) {
    st->bound_ports = fin_mem_alloc(st, 65536 * sizeof(uint16_t));
    if (st->bound_ports == NULL)
      return -ENOMEM;
    memset(st->bound_ports, 0, 65536 * sizeof(uint16_t));
  }
  if (st->bound_ports[c->tuple.local_port] == UINT16_MAX)
    return -EADDRINUSE;
  st->bound_ports[c->tuple.local_port]++;
  c->port_held = 1;
  return 0;
}

void fin_port_release(struct fin_stack *st, struct fin_conn *c) {
  if (!c->port_held)
    return;
  st->bound_ports[c->tuple.local_port]--;
  c->port_held = 0;
}
