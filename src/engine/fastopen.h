/* SPDX-License-Identifier: MIT */
/* TCP Fast Open (RFC 7413): the server's cookies from a rotating key, the
 * client's cookie cache, and what a SYN, a SYN-ACK and our own SYN do with
 * the option (fastopen.c, fastopen_cache.c). */
#ifndef FIN_ENGINE_FASTOPEN_H
#define FIN_ENGINE_FASTOPEN_H

#include <stdbool.h>
#include <stdint.h>

#include "fin/addr.h"
#include "fin/types.h"
#include "siphash.h"

/* The cookies fin's server makes: a 64-bit MAC (RFC 7413 §4.1.2). */
#define FIN_TFO_COOKIE_LEN 8

struct fin_stack;
struct fin_conn;
struct fin_listener;
struct fin_segment;
struct fin_tcp_opts_out;

/* One destination the client has opened to (RFC 7413 §4.1.3): its cookie
 * and MSS, or a negative response (§4.1.3.1) that turns TFO off towards
 * it until disabled_until. */
struct fin_tfo_entry {
  struct fin_addr local, remote;
  fin_time last_used, disabled_until;
  uint16_t mss; /* the server's MSS option, 0 if it sent none */
  uint8_t cookie_len;
  uint8_t exp : 1;      /* learnt in the experimental option form */
  uint8_t disabled : 1; /* a negative response is cached */
  uint8_t cookie[16];
  uint32_t hash_next, lru_prev, lru_next; /* indices; FIN_NONE_IDX ends a list */
};

/* The stack's Fast Open state. */
struct fin_tfo {
  /* Server (RFC 7413 §4.1.2): the current key and, until prev_until, the
   * one it replaced; drawn from the random source on first use. */
  struct fin_siphash_key key, prev_key;
  fin_time key_born, prev_until;
  bool have_key, have_prev;
  /* Client cookie cache (§4.1.3): entries in a table that grows by
   * doubling up to settings.fastopen_cache_max, least recently used first
   * out, shrinking (and given back entirely) as entries leave. */
  struct fin_tfo_entry *ent;
  uint32_t *buckets; /* cap heads, cap a power of two */
  uint32_t cap, count, free_head, lru_head, lru_tail;
};

/* ---- server (fastopen.c) ---- */

/* What a listener does with a SYN (RFC 7413 §4.2). */
enum fin_tfo_verdict {
  FIN_TFO_PLAIN = 0, /* no Fast Open: a normal handshake, the SYN's data ignored */
  FIN_TFO_COOKIE,    /* a normal handshake whose SYN-ACK carries a cookie */
  FIN_TFO_ACCEPT,    /* the cookie is valid: the SYN's data is taken */
};
enum fin_tfo_verdict fin_tfo_listen_syn(struct fin_stack *st, const struct fin_listener *l,
                                        const struct fin_segment *seg, bool *fresh_cookie);
/* An accepted TFO SYN's data (and FIN) join the child's stream now. */
void fin_tfo_take_syn_data(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg);
/* The cookie for a client address under the current key. */
void fin_tfo_cookie(struct fin_stack *st, const struct fin_addr *client,
                    uint8_t out[FIN_TFO_COOKIE_LEN]);

/* ---- client (fastopen.c) ---- */

/* At connect: whether our SYN carries the option, and a cookie (§4.2.1,
 * §4.2.2, §4.1.3.1). */
void fin_tfo_connect(struct fin_stack *st, struct fin_conn *c);
/* Bytes of data our first SYN may carry (0 without a cookie). */
uint32_t fin_tfo_syn_room(const struct fin_stack *st, const struct fin_conn *c);
/* The SYN-ACK of a connection whose SYN carried the option. */
void fin_tfo_syn_ack(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg);

/* The option our SYN or SYN-ACK carries, if any. */
void fin_tfo_syn_option(struct fin_stack *st, const struct fin_conn *c, bool synack,
                        struct fin_tcp_opts_out *o);

/* ---- the client cookie cache (fastopen_cache.c) ---- */

/* The entry for a local and remote address pair, or NULL; changes nothing. */
struct fin_tfo_entry *fin_tfo_cache_find(const struct fin_stack *st, const struct fin_addr *local,
                                         const struct fin_addr *remote);
/* The same, marked as just used (entries unused for fastopen_cache_ttl go
 * first). */
struct fin_tfo_entry *fin_tfo_cache_use(struct fin_stack *st, const struct fin_addr *local,
                                        const struct fin_addr *remote);
/* Found or made, the least recently used entry recycled when the cache is
 * full; NULL without memory or with fastopen_cache_max 0. */
struct fin_tfo_entry *fin_tfo_cache_get(struct fin_stack *st, const struct fin_addr *local,
                                        const struct fin_addr *remote);
void fin_tfo_cache_clear(struct fin_stack *st);

/* Settings changed: turning a side off forgets its state (FreeBSD). */
void fin_tfo_settings_changed(struct fin_stack *st, bool was_client, bool was_server);
void fin_tfo_free(struct fin_stack *st);

#endif
