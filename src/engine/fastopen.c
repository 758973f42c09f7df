/* SPDX-License-Identifier: MIT */
/* TCP Fast Open (RFC 7413; BEHAVIOR T1-T8): data on the SYN, authorised by
 * a cookie the server handed out earlier. The server's cookies are a MAC of
 * the client's address under a key from the random source that is replaced
 * every settings.fastopen_key_lifetime; the client keeps what each server
 * answered in its cookie cache (fastopen_cache.c). Off unless settings and
 * the socket both ask. */
#include "internal.h"

/* ---- server: cookies (RFC 7413 §4.1.2) ---- */

static void draw_key(struct fin_stack *st, struct fin_siphash_key *k) {
  st->rnd.fill(st->rnd.ctx, k, sizeof(*k));
}

static fin_time add_sat(fin_time a, fin_time b) {
  return a > FIN_NEVER - b ? FIN_NEVER : a + b;
}

/* §4.1.2 (5): cookies expire. The key is drawn on first use and replaced
 * every fastopen_key_lifetime - at the first use after that, the engine
 * having no clock of its own - and the key it replaces stays valid for one
 * lifetime more, so a cookie handed out just before the change still works
 * (FreeBSD keeps its two newest autokeys so). */
static void keys_current(struct fin_stack *st) {
  struct fin_tfo *t = &st->tfo;
  fin_time life = st->s.fastopen_key_lifetime;
  if (!t->have_key) {
    draw_key(st, &t->key);
    t->key_born = st->now;
    t->have_key = true;
    return;
  }
  if (st->now - t->key_born < life)
    return;
  t->prev_key = t->key;
  t->prev_until = add_sat(t->key_born, add_sat(life, life));
  t->have_prev = st->now < t->prev_until;
  draw_key(st, &t->key);
  t->key_born = st->now;
}

void fin_stack_set_fastopen_key(struct fin_stack *st, const uint8_t key[16]) {
  struct fin_tfo *t = &st->tfo;
  if (t->have_key) { /* the one it replaces keeps its grace, as after a rotation */
    t->prev_key = t->key;
    t->prev_until = add_sat(st->now, st->s.fastopen_key_lifetime);
    t->have_prev = true;
  }
  t->key.k0 = t->key.k1 = 0;
  for (int i = 7; i >= 0; i--) { /* little-endian, as the SipHash reference reads its key */
    t->key.k0 = t->key.k0 << 8 | key[i];
    t->key.k1 = t->key.k1 << 8 | key[8 + i];
  }
  t->key_born = st->now;
  t->have_key = true;
}

/* §4.1.2 (1): the cookie authenticates the client's address, IPv4 as
 * ::ffff:a.b.c.d; SipHash-2-4 gives the 64-bit tag, in the reference's
 * little-endian byte order (FreeBSD uses SipHash-2-4 too). */
static void mac(const struct fin_siphash_key *k, const struct fin_addr *client,
                uint8_t out[FIN_TFO_COOKIE_LEN]) {
  uint64_t h = fin_siphash(k, client->b, sizeof(client->b));
  for (int i = 0; i < FIN_TFO_COOKIE_LEN; i++)
    out[i] = (uint8_t)(h >> (8 * i));
}

void fin_tfo_cookie(struct fin_stack *st, const struct fin_addr *client,
                    uint8_t out[FIN_TFO_COOKIE_LEN]) {
  keys_current(st);
  mac(&st->tfo.key, client, out);
}

/* A MAC is compared in constant time: the time taken must not tell an
 * attacker how many leading bytes of a forged cookie were right. */
static bool same_tag(const uint8_t *a, const uint8_t *b) {
  uint8_t d = 0;
  for (int i = 0; i < FIN_TFO_COOKIE_LEN; i++)
    d |= (uint8_t)(a[i] ^ b[i]);
  return d == 0;
}

enum cookie_check { COOKIE_INVALID, COOKIE_CURRENT, COOKIE_PREVIOUS };

static enum cookie_check check_cookie(struct fin_stack *st, const struct fin_addr *client,
                                      const uint8_t *cookie, uint8_t len) {
  uint8_t want[FIN_TFO_COOKIE_LEN];
  if (len != FIN_TFO_COOKIE_LEN)
    return COOKIE_INVALID;
  keys_current(st);
  mac(&st->tfo.key, client, want);
  if (same_tag(want, cookie))
    return COOKIE_CURRENT;
  if (!st->tfo.have_prev || st->now >= st->tfo.prev_until)
    return COOKIE_INVALID;
  mac(&st->tfo.prev_key, client, want);
  return same_tag(want, cookie) ? COOKIE_PREVIOUS : COOKIE_INVALID;
}

/* ---- server: the SYN (RFC 7413 §4.2, §5.1) ---- */

/* BEHAVIOR T1-T3. Linux tcp_try_fastopen() makes the same choices and
 * counts them under the same names. */
enum fin_tfo_verdict fin_tfo_listen_syn(struct fin_stack *st, const struct fin_listener *l,
                                        const struct fin_segment *seg, bool *fresh_cookie) {
  *fresh_cookie = false;
  /* A SYN without the option is an ordinary SYN whatever it carries: its
   * data is not taken, no cookie is offered unasked (Linux since 3.19). */
  if (!st->s.fastopen_server || l->tfo_qlen == 0 || !seg->opts.has_fo)
    return FIN_TFO_PLAIN;
  /* §5.1: past the listener's limit of pending TFO requests, Fast Open is
   * off for this SYN: a plain handshake, no cookie, no data (T3). */
  if (l->tfo_pending >= l->tfo_qlen) {
    st->c.tfo_listen_overflow++;
    return FIN_TFO_PLAIN;
  }
  struct fin_addr client = seg->saddr;
  if (seg->opts.fo_len == 0) { /* §4.2.1: a cookie request */
    st->c.tfo_cookie_reqd++;
    *fresh_cookie = true;
    return FIN_TFO_COOKIE;
  }
  switch (check_cookie(st, &client, seg->opts.fo_cookie, seg->opts.fo_len)) {
  case COOKIE_CURRENT:
    return FIN_TFO_ACCEPT;
  case COOKIE_PREVIOUS: /* §4.1.2: still valid; the SYN-ACK hands out the new one */
    st->c.tfo_passive_altkey++;
    *fresh_cookie = true;
    return FIN_TFO_ACCEPT;
  case COOKIE_INVALID:
    break;
  }
  /* §4.2.2 (2B): an invalid cookie: the data is dropped, the SYN-ACK acks
   * only the SYN and carries a valid cookie (T2). */
  st->c.tfo_passive_fail++;
  *fresh_cookie = true;
  return FIN_TFO_COOKIE;
}

/* §4.2.2 (2A), BEHAVIOR T1, T8: the data of a SYN with a valid cookie is
 * the application's at once, as far as the receive window goes (the rest
 * is not acknowledged and comes again). RFC 9293 §3.10.7.2: what else the
 * SYN carries is processed in SYN-RECEIVED, where a FIN (eighth step)
 * enters CLOSE-WAIT; the SYN-ACK then acknowledges it with the data. */
void fin_tfo_take_syn_data(struct fin_stack *st, struct fin_conn *c,
                           const struct fin_segment *seg) {
  st->c.tfo_passive++;
  c->tfo_passive = 1;
  uint32_t len = seg->payload_len, room = fin_conn_rcv_wnd(c);
  if (len > room)
    len = room;
  if (len > 0 && (fin_conn_rcvbuf_ready(st, c) != 0 ||
                  fin_ring_write_at(st, &c->bufs->rcv, c->bufs->rcv.len, seg->payload, len) != 0))
    len = 0; /* no memory now: unacknowledged, the client sends it again */
  if (len > 0) {
    fin_ring_commit(&c->bufs->rcv, len);
    c->rcv_nxt += len;
    fin_event_simple(st, c, FIN_EV_READABLE);
  }
  if ((seg->flags & FIN_TCP_FIN) && len == seg->payload_len) {
    c->rcv_nxt++;
    c->peer_fin = 1;
    fin_event_simple(st, c, FIN_EV_READABLE);
    fin_conn_set_state(st, c, FIN_CLOSE_WAIT);
  }
  c->rcv_adv = c->rcv_nxt;
}

/* ---- client (RFC 7413 §4.1.3, §4.2) ---- */

/* BEHAVIOR T4, T6: with a cached cookie the SYN carries it (and data);
 * without one it asks for one; after a negative response it carries
 * nothing until fastopen_path_disable has passed, then asks again. */
void fin_tfo_connect(struct fin_stack *st, struct fin_conn *c) {
  c->tfo_syn = c->tfo_cookie = c->tfo_exp = 0;
  if (!st->s.fastopen_client || c->noopt)
    return;
  struct fin_tfo_entry *e = fin_tfo_cache_use(st, &c->tuple.local_addr, &c->tuple.remote_addr);
  if (e != NULL && e->disabled) {
    if (st->now < e->disabled_until)
      return; /* §4.1.3.1: the negative response still stands */
    e->disabled = 0;
    e->cookie_len = 0; /* FreeBSD: forget the old MSS and cookie, ask anew */
    e->mss = 0;
  }
  c->tfo_syn = 1;
  if (e != NULL && e->cookie_len > 0) {
    c->tfo_cookie = 1;
    c->tfo_exp = e->exp;
  }
}

/* §4.1.3: the server's cached MSS bounds the data on the SYN; room is left
 * for any options the SYN carries (Linux tcp_send_syn_data). */
uint32_t fin_tfo_syn_room(const struct fin_stack *st, const struct fin_conn *c) {
  if (!c->tfo_cookie)
    return 0;
  const struct fin_tfo_entry *e =
      fin_tfo_cache_find(st, &c->tuple.local_addr, &c->tuple.remote_addr);
  if (e == NULL || e->cookie_len == 0)
    return 0;
  uint32_t mss = fin_mtu_mss(st->s.mtu, fin_tuple_v4(&c->tuple));
  if (e->mss != 0 && e->mss < mss)
    mss = e->mss;
  return mss > FIN_TCP_OPT_MAX ? mss - FIN_TCP_OPT_MAX : 0;
}

static bool cookie_usable(const struct fin_tcp_opts *o) {
  return o->has_fo && o->fo_len >= FIN_TCP_FO_COOKIE_MIN && o->fo_len <= FIN_TCP_FO_COOKIE_MAX &&
         o->fo_len % 2 == 0; /* §4.1.1 */
}

/* §4.1.3, §4.1.3.1 (BEHAVIOR T5, T6): what the SYN-ACK tells about the
 * server. A usable cookie is cached with the server's MSS. A server that
 * took our data took our cookie, so an unusable option beside it changes
 * nothing. Anything else - no cookie, an unusable one, our data not
 * acknowledged - is a negative response. */
static void update_cache(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg,
                         bool data_taken) {
  struct fin_tfo_entry *e = fin_tfo_cache_get(st, &c->tuple.local_addr, &c->tuple.remote_addr);
  if (e == NULL)
    return;
  if (cookie_usable(&seg->opts)) {
    memcpy(e->cookie, seg->opts.fo_cookie, seg->opts.fo_len);
    e->cookie_len = seg->opts.fo_len;
    e->exp = seg->opts.fo_exp;
    e->mss = seg->opts.has_mss ? seg->opts.mss : 0;
    e->disabled = 0;
    return;
  }
  if (data_taken) {
    if (seg->opts.has_mss)
      e->mss = seg->opts.mss;
    return;
  }
  e->disabled = 1;
  e->disabled_until = add_sat(st->now, st->s.fastopen_path_disable);
  e->cookie_len = 0;
  e->mss = 0;
}

/* §4.2.2 (4), BEHAVIOR T5: data our SYN carried that the SYN-ACK does not
 * acknowledge is sent again at once, after the handshake; what it does
 * acknowledge leaves the send buffer. */
void fin_tfo_syn_ack(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg) {
  uint32_t sent = c->snd_max - c->iss - 1, acked = seg->ack - c->iss - 1;
  if (acked > 0) {
    if (c->bufs != NULL)
      fin_ring_consume(st, &c->bufs->snd, acked);
    c->snd_buf_seq += acked;
  }
  if (acked < sent)
    c->snd_nxt = seg->ack;
  if (!c->tfo_syn)
    return;
  if (sent > 0 && acked == sent)
    st->c.tfo_active++;
  else if (sent > 0)
    st->c.tfo_active_fail++;
  update_cache(st, c, seg, sent > 0 && acked == sent);
}

/* ---- both: the option on our SYN or SYN-ACK (RFC 7413 §4.1.1) ---- */

void fin_tfo_syn_option(struct fin_stack *st, const struct fin_conn *c, bool synack,
                        struct fin_tcp_opts_out *o) {
  if (synack) {
    if (!c->tfo_synack_cookie)
      return;
    o->fo = true;
    o->fo_exp = c->tfo_exp; /* answered in the form it was asked in (Linux) */
    o->fo_len = FIN_TFO_COOKIE_LEN;
    fin_tfo_cookie(st, &c->tuple.remote_addr, o->fo_cookie);
    return;
  }
  /* Only the first SYN: a retransmission goes without the option and the
   * data, in case they are what a middlebox dropped (§4.1.3.1; Linux). */
  if (!c->tfo_syn || c->snd_max != c->iss)
    return;
  o->fo = true;
  const struct fin_tfo_entry *e =
      c->tfo_cookie ? fin_tfo_cache_find(st, &c->tuple.local_addr, &c->tuple.remote_addr) : NULL;
  if (e == NULL || e->cookie_len == 0)
    return; /* a cookie request */
  o->fo_exp = e->exp;
  o->fo_len = e->cookie_len;
  memcpy(o->fo_cookie, e->cookie, e->cookie_len);
}

/* ---- settings ---- */

/* FreeBSD: turning client TFO off clears the cookie cache, turning server
 * TFO off removes the keys (new ones are drawn when it is back on). */
void fin_tfo_settings_changed(struct fin_stack *st, bool was_client, bool was_server) {
  if (was_client && !st->s.fastopen_client)
    fin_tfo_cache_clear(st);
  if (was_server && !st->s.fastopen_server)
    st->tfo.have_key = st->tfo.have_prev = false;
}

void fin_tfo_free(struct fin_stack *st) {
  fin_tfo_cache_clear(st);
}
