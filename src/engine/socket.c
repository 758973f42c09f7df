/* SPDX-License-Identifier: MIT */
/* The socket-like API (docs/design.md, "The socket layer"): BSD-shaped calls over
 * the engine, non-blocking by nature, negative errno with Linux meanings
 * (BEHAVIOR G4). Every call acts at the stack's current time. */
#include "ecn.h"
#include "internal.h"
#include "keepinit.h"
#include "sockbuf.h"

static void *lookup(struct fin_stack *st, fin_sock s, uint8_t kind) {
  if (s < 0)
    return NULL;
  uint32_t idx = (uint32_t)s, gen = (uint32_t)((uint64_t)s >> 32);
  if (idx >= st->slot_cap || st->slots[idx].gen != gen || st->slots[idx].kind != kind)
    return NULL;
  return st->slots[idx].obj;
}

static struct fin_conn *conn_of(struct fin_stack *st, fin_sock s) {
  return lookup(st, s, SLOT_CONN);
}

static struct fin_listener *listener_of(struct fin_stack *st, fin_sock s) {
  return lookup(st, s, SLOT_LISTENER);
}

static bool addr_local(const struct fin_stack *st, const struct fin_addr *addr) {
  if (fin_addr_is_any(addr) || st->s.local_addr_count == 0)
    return true;
  for (unsigned i = 0; i < st->s.local_addr_count; i++)
    if (fin_addr_eq(&st->s.local_addrs[i], addr))
      return true;
  return false;
}

/* The family a socket address speaks: its own, or its address's. */
static bool speaks_v6(const struct fin_sockaddr *a) {
  return a->family == FIN_AF_INET6 || (a->family == FIN_AF_UNSPEC && !fin_addr_is_v4(&a->addr));
}

static void sockaddr_out(const struct fin_conn *c, const struct fin_addr *addr, uint16_t port,
                         struct fin_sockaddr *out) {
  out->addr = *addr;
  out->port = port;
  out->family = c->v6_socket ? FIN_AF_INET6 : FIN_AF_INET;
}

/* RFC 3493 §3.7, Linux: an IPv6 socket may use IPv4 (as ::ffff:a.b.c.d)
 * unless IPV6_V6ONLY; an IPv4 socket only IPv4. */
static int family_check(const struct fin_conn *c, bool v6, const struct fin_addr *a) {
  if (!v6 && !fin_addr_is_v4(a))
    return -EAFNOSUPPORT;
  if (v6 && c->v6only && fin_addr_is_v4(a) && !fin_addr_is_any(a))
    return -EINVAL;
  return 0;
}

fin_sock fin_socket(struct fin_stack *st) {
  struct fin_conn *c = fin_conn_new(st);
  if (c == NULL)
    return -ENOBUFS;
  uint32_t idx;
  if (fin_slot_alloc(st, SLOT_CONN, c, &idx) != 0) {
    fin_conn_destroy(st, c);
    return -ENOMEM;
  }
  c->slot = idx;
  return fin_slot_handle(st, idx);
}

/* RFC 6056 §3.3.3 (algorithm 3): a keyed per-destination offset plus a
 * counter, so ports are hard to guess yet cycle through the range. The
 * offset is one SipHash of (local address, remote address, remote port),
 * taken once per search (port_offset), not once per port tried. */
static uint32_t port_offset(struct fin_stack *st, const struct fin_4tuple *t) {
  struct fin_4tuple k = *t;
  k.local_port = 0;
  if (!st->port_dst_ok || !fin_tuple_eq(&k, &st->port_dst)) {
    st->port_dst = k;
    st->port_dst_hash = fin_tuple_hash(st, &k);
    st->port_dst_ok = true;
  }
  return st->port_dst_hash + (uint32_t)st->next_conn_id;
}

static uint16_t ephemeral_port(const struct fin_stack *st, uint32_t off, uint32_t i) {
  uint32_t range = (uint32_t)st->s.ephemeral_port_max - st->s.ephemeral_port_min + 1;
  return (uint16_t)(st->s.ephemeral_port_min + (off + i) % range);
}

int fin_bind(struct fin_stack *st, fin_sock s, const struct fin_sockaddr *a) {
  struct fin_conn *c = conn_of(st, s);
  if (c == NULL)
    return listener_of(st, s) ? -EINVAL : -EBADF;
  if (a == NULL)
    return -EFAULT;
  if (c->bound || c->state != FIN_CLOSED || c->terminated)
    return -EINVAL;
  bool v6 = speaks_v6(a);
  int err = family_check(c, v6, &a->addr);
  if (err != 0)
    return err;
  if (!addr_local(st, &a->addr))
    return -EADDRNOTAVAIL;
  uint16_t port = a->port;
  if (port == 0) {
    struct fin_4tuple t = {a->addr, fin_addr_any6(), 0, 0};
    uint32_t range = (uint32_t)st->s.ephemeral_port_max - st->s.ephemeral_port_min + 1;
    uint32_t off = port_offset(st, &t);
    for (uint32_t i = 0; i < range && port == 0; i++) {
      uint16_t p = ephemeral_port(st, off, i);
      if (!fin_port_in_use(st, &a->addr, c->v6only, p))
        port = p;
    }
    if (port == 0)
      return -EADDRINUSE;
  } else if (!c->reuseaddr && fin_port_in_use(st, &a->addr, c->v6only, port)) {
    return -EADDRINUSE;
  }
  c->tuple.local_addr = a->addr;
  c->tuple.local_port = port;
  c->v6_socket = v6;
  err = fin_port_hold(st, c);
  if (err != 0)
    return err;
  c->bound = 1;
  return 0;
}

/* A listener already holds an overlapping binding (SO_REUSEADDR never lets
 * two listeners share one, as in Linux). */
static bool listener_taken(const struct fin_stack *st, const struct fin_conn *c) {
  return fin_listener_conflict(st, &c->tuple.local_addr, c->v6only, c->tuple.local_port);
}

int fin_listen(struct fin_stack *st, fin_sock s, int backlog) {
  struct fin_listener *l = listener_of(st, s);
  if (l != NULL) {
    l->backlog = backlog < 0 ? 0 : backlog;
    return 0;
  }
  struct fin_conn *c = conn_of(st, s);
  if (c == NULL)
    return -EBADF;
  if (c->state != FIN_CLOSED || c->terminated)
    return -EINVAL;
  if (!c->bound) {
    /* An unbound socket listens on :: (IPv6 and, unless IPV6_V6ONLY, IPv4). */
    struct fin_sockaddr any = {fin_addr_any6(), 0, FIN_AF_INET6};
    int err = fin_bind(st, s, &any);
    if (err != 0)
      return err;
  }
  if (listener_taken(st, c))
    return -EADDRINUSE;
  l = fin_mem_alloc(st, sizeof(*l));
  if (l == NULL)
    return -ENOMEM;
  memset(l, 0, sizeof(*l));
  l->local.addr = c->tuple.local_addr;
  l->local.port = c->tuple.local_port;
  l->local.family = c->v6_socket ? FIN_AF_INET6 : FIN_AF_INET;
  l->v6only = c->v6only;
  l->backlog = backlog < 0 ? 0 : backlog;
  l->tfo_qlen = (uint32_t)fin_conn_fastopen(c);
  l->proto = *c;
  c->opts = NULL; /* the listener's copy owns the option block now */
  l->slot = c->slot;
  fin_port_release(st, c); /* the listener table holds the port from now on */
  st->slots[c->slot].kind = SLOT_LISTENER;
  st->slots[c->slot].obj = l;
  c->slot = FIN_NONE_IDX;
  fin_conn_destroy(st, c);
  fin_listener_insert(st, l);
  return 0;
}

fin_sock fin_accept(struct fin_stack *st, fin_sock s, struct fin_sockaddr *peer) {
  struct fin_listener *l = listener_of(st, s);
  if (l == NULL)
    return conn_of(st, s) ? -EINVAL : -EBADF;
  struct fin_conn *c = l->acc_head;
  if (c == NULL)
    return -EAGAIN;
  uint32_t idx;
  if (fin_slot_alloc(st, SLOT_CONN, c, &idx) != 0)
    return -ENOMEM;
  fin_listener_unlink_child(st, c);
  c->slot = idx;
  if (peer != NULL)
    sockaddr_out(c, &c->tuple.remote_addr, c->tuple.remote_port, peer);
  return fin_slot_handle(st, idx);
}

/* Picks the local port for a connect: free of live connections, and of
 * TIME-WAIT records unless E9 allows reusing one (*tw_snd_nxt is then its
 * SND.NXT, for the new ISS). */
static int choose_tuple(struct fin_stack *st, struct fin_conn *c, uint32_t *tw_snd_nxt,
                        bool *reused) {
  uint32_t range = (uint32_t)st->s.ephemeral_port_max - st->s.ephemeral_port_min + 1;
  uint32_t tries = c->bound ? 1 : range, off = c->bound ? 0 : port_offset(st, &c->tuple);
  for (uint32_t i = 0; i < tries; i++) {
    if (!c->bound)
      c->tuple.local_port = ephemeral_port(st, off, i);
    uint32_t h = fin_demux_hash(st, &c->tuple); /* one hash for both tables */
    if (fin_conn_lookup_hashed(st, &c->tuple, h) != NULL)
      continue;
    if (!c->bound && fin_listener_lookup(st, &c->tuple.local_addr, c->tuple.local_port) != NULL)
      continue;
    uint32_t tw = fin_tw_lookup_hashed(st, &c->tuple, h);
    if (tw != FIN_NONE_IDX) {
      uint32_t old = fin_tw_snd_nxt(st, tw);
      if (!fin_tw_reuse_ok(st, &c->tuple))
        continue;
      *tw_snd_nxt = old;
      *reused = true;
    }
    return 0;
  }
  return c->bound ? -EADDRINUSE : -EADDRNOTAVAIL;
}

/* The local address of a connect: the bound one, or the stack's first of
 * the destination's family; the families must agree (family_check). */
static int connect_addresses(const struct fin_stack *st, struct fin_conn *c,
                             const struct fin_sockaddr *a) {
  bool v6 = c->bound ? c->v6_socket : speaks_v6(a);
  bool dst_v4 = fin_addr_is_v4(&a->addr);
  if (v6 && c->v6only && dst_v4)
    return -ENETUNREACH; /* Linux: an IPV6_V6ONLY socket cannot reach IPv4 */
  int err = family_check(c, v6, &a->addr);
  if (err != 0)
    return err;
  if (!fin_addr_is_any(&c->tuple.local_addr))
    return fin_addr_is_v4(&c->tuple.local_addr) == dst_v4 ? 0 : -EINVAL;
  for (unsigned i = 0; i < st->s.local_addr_count; i++)
    if (fin_addr_is_v4(&st->s.local_addrs[i]) == dst_v4) {
      c->tuple.local_addr = st->s.local_addrs[i];
      c->v6_socket = v6;
      return 0;
    }
  return -ENETUNREACH; /* no address of that family: no route (Linux) */
}

static int connect_status(struct fin_conn *c) {
  if (c->terminated) {
    int err = c->so_error;
    c->so_error = 0;
    return err != 0 ? err : -ECONNABORTED;
  }
  if (c->state == FIN_SYN_SENT || c->state == FIN_SYN_RECEIVED)
    return -EALREADY;
  return -EISCONN;
}

/* Whether a connect opens with TCP Fast Open (RFC 7413): the socket asked
 * with TCP_FASTOPEN (FreeBSD), TCP_FASTOPEN_CONNECT, or MSG_FASTOPEN. */
static bool wants_fastopen(const struct fin_conn *c, int flags) {
  return (flags & FIN_MSG_FASTOPEN) || c->tfo_connect || fin_conn_fastopen(c) > 0;
}

/* The connect itself, up to SYN-SENT; the caller makes the SYN due. */
static int open_connection(struct fin_stack *st, struct fin_conn *c, const struct fin_sockaddr *a,
                           bool fastopen) {
  if (fin_addr_is_any(&a->addr) || a->port == 0)
    return -EINVAL;
  int err = connect_addresses(st, c, a);
  if (err != 0)
    return err;
  c->tuple.remote_addr = a->addr;
  c->tuple.remote_port = a->port;
  c->rcv_mss = fin_conn_adv_mss(st, c);
  uint32_t tw_snd_nxt = 0;
  bool reused = false;
  err = choose_tuple(st, c, &tw_snd_nxt, &reused);
  if (err == 0)
    err = fin_conn_admit_buffers(st, c);
  if (err == 0)
    err = fin_conn_hash_insert(st, c);
  if (err != 0) {
    c->tuple.remote_addr = fin_addr_any6();
    c->tuple.remote_port = 0;
    return err;
  }
  fin_port_release(st, c); /* the connection hash holds the 4-tuple now */
  c->bound = 1;
  c->iss = fin_conn_isn(st, &c->tuple, &c->ts_offset);
  if (reused && seq_leq(c->iss, tw_snd_nxt))
    c->iss = tw_snd_nxt + 65535 + 2; /* E9: beyond anything the old connection sent */
  c->snd_una = c->snd_nxt = c->snd_max = c->iss;
  c->snd_buf_seq = c->iss + 1;
  c->rcv_wscale = st->s.window_scaling ? st->s.rcv_wscale : 0;
  c->first_rexmit = st->now;
  st->c.active_opens++;
  fin_conn_set_state(st, c, FIN_SYN_SENT);
  if (fastopen)
    fin_tfo_connect(st, c);
  return 0;
}

int fin_connect(struct fin_stack *st, fin_sock s, const struct fin_sockaddr *a) {
  struct fin_conn *c = conn_of(st, s);
  if (c == NULL)
    return listener_of(st, s) ? -EISCONN : -EBADF;
  if (a == NULL)
    return -EFAULT;
  if (c->state != FIN_CLOSED || c->terminated)
    return c->tfo_defer ? -EISCONN : connect_status(c);
  int err = open_connection(st, c, a, wants_fastopen(c, 0));
  if (err != 0)
    return err;
  if (c->tfo_connect && c->tfo_cookie) {
    /* Linux TCP_FASTOPEN_CONNECT: with a cookie, connect() returns at once
     * and the SYN leaves with the first data sent (RFC 7413 §4.2.2). */
    c->tfo_defer = 1;
    return 0;
  }
  fin_conn_output_mark(st, c);
  return -EINPROGRESS;
}

/* Data into the send buffer: how much it took, or -EAGAIN when full. */
static inline ssize_t queue_data(struct fin_stack *st, struct fin_conn *c, const void *buf,
                                 size_t len) {
  if (len == 0)
    return 0;
  if (buf == NULL)
    return -EFAULT;
  int err = fin_conn_sndbuf_ready(st, c);
  if (err != 0)
    return err == -ENOMEM ? -ENOBUFS : err;
  uint32_t n =
      fin_ring_write(st, &c->bufs->snd, buf, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
  if (n == 0)
    return fin_ring_free(fin_conn_snd(c)) == 0 ? -EAGAIN : -ENOBUFS; /* full, or no memory (F3) */
  fin_conn_schedule(st, c);
  return (ssize_t)n;
}

/* Data may be queued before the handshake completes: for the SYN of a
 * deferred TCP_FASTOPEN_CONNECT, and by a TFO child, whose peer's data
 * the application has already read (RFC 7413 §4.2.2). */
static bool early_data_ok(const struct fin_conn *c) {
  return c->tfo_defer || (c->state == FIN_SYN_RECEIVED && c->tfo_passive);
}

ssize_t fin_send(struct fin_stack *st, fin_sock s, const void *buf, size_t len, int flags) {
  (void)flags;
  struct fin_conn *c = conn_of(st, s);
  if (c == NULL)
    return listener_of(st, s) ? -ENOTCONN : -EBADF;
  if (c->terminated) {
    if (c->error != 0 && !c->error_reported) {
      c->error_reported = 1; /* Linux: the error once, then EPIPE */
      c->so_error = 0;
      return c->error;
    }
    return -EPIPE;
  }
  if (c->wr_shutdown || c->fin_queued)
    return -EPIPE; /* G1 */
  if (c->state == FIN_CLOSED)
    return -ENOTCONN;
  if (c->state != FIN_ESTABLISHED && c->state != FIN_CLOSE_WAIT && !early_data_ok(c))
    return -EAGAIN; /* still connecting */
  ssize_t n = queue_data(st, c, buf, len);
  if (n > 0 && c->tfo_defer) {
    c->tfo_defer = 0; /* the deferred SYN leaves now, with the data */
    fin_conn_output_mark(st, c);
  }
  return n;
}

/* An address on a socket not yet connected connects it first (BSD's
 * implied connect), with Fast Open when the socket asked for it. With
 * FIN_MSG_FASTOPEN, as Linux: only what the SYN carries is taken, and
 * -EINPROGRESS when it carries nothing (no cookie yet). A connected socket
 * ignores the address, as Linux does. */
ssize_t fin_sendto(struct fin_stack *st, fin_sock s, const void *buf, size_t len, int flags,
                   const struct fin_sockaddr *addr) {
  struct fin_conn *c = conn_of(st, s);
  bool fastopen = flags & FIN_MSG_FASTOPEN;
  if (c != NULL && fastopen && !st->s.fastopen_client)
    return -EOPNOTSUPP; /* Linux: client TFO is off */
  if (c == NULL || addr == NULL || c->state != FIN_CLOSED || c->terminated) {
    if (c != NULL && fastopen && c->state != FIN_CLOSED)
      return -EISCONN;
    return fin_send(st, s, buf, len, flags);
  }
  if (buf == NULL && len > 0)
    return -EFAULT;
  int err = open_connection(st, c, addr, wants_fastopen(c, flags));
  if (err != 0)
    return err;
  fin_conn_output_mark(st, c);
  if (!fastopen)
    return queue_data(st, c, buf, len);
  uint32_t room = fin_tfo_syn_room(st, c);
  if (room == 0 || len == 0)
    return -EINPROGRESS;
  return queue_data(st, c, buf, len < room ? len : room);
}

/* After the application reads, tell the peer when the window has opened
 * by enough to matter (RFC 9293 §3.8.6.2.2; Linux tcp_cleanup_rbuf). */
static void window_update(struct fin_stack *st, struct fin_conn *c) {
  if (c->terminated || !fin_state_synchronized(c->state) || c->peer_fin)
    return;
  uint32_t right = c->rcv_nxt + fin_conn_rcv_wnd(c);
  uint32_t step = c->rcvbuf_size / 2 < 2u * c->rcv_mss ? c->rcvbuf_size / 2 : 2u * c->rcv_mss;
  if (seq_gt(right, c->rcv_adv) && right - c->rcv_adv >= step) {
    c->ack_now = 1;
    fin_conn_output_mark(st, c);
  }
}

ssize_t fin_recv(struct fin_stack *st, fin_sock s, void *buf, size_t len, int flags) {
  struct fin_conn *c = conn_of(st, s);
  if (c == NULL)
    return listener_of(st, s) ? -ENOTCONN : -EBADF;
  if (fin_conn_rcv(c)->len > 0 && len > 0) {
    if (buf == NULL)
      return -EFAULT;
    uint32_t want = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    uint32_t n = fin_ring_read(st, &c->bufs->rcv, buf, want, flags & FIN_MSG_PEEK);
    if (!(flags & FIN_MSG_PEEK))
      window_update(st, c);
    return (ssize_t)n;
  }
  if (c->terminated && c->error != 0)
    return c->error; /* sticky: every read after a reset reports it */
  if (c->peer_fin || c->rd_shutdown || c->terminated)
    return 0; /* D1: EOF after the data; G2 */
  if (c->state == FIN_CLOSED)
    return -ENOTCONN;
  return len == 0 ? 0 : -EAGAIN;
}

/* Queues our FIN after all data (C1, C2, G1); the state follows the RFC's
 * CLOSE call. In SYN-RECEIVED (RFC 9293 §3.10.4, BEHAVIOR C3) the FIN goes
 * at once when nothing is queued; otherwise it waits for ESTABLISHED. */
static void queue_fin(struct fin_stack *st, struct fin_conn *c) {
  if (c->fin_queued)
    return; /* C6: never a second FIN */
  c->fin_queued = 1;
  c->wr_shutdown = 1;
  c->fin_seq = c->snd_buf_seq + fin_conn_snd(c)->len;
  if (c->state == FIN_ESTABLISHED)
    fin_conn_set_state(st, c, FIN_FIN_WAIT_1);
  else if (c->state == FIN_CLOSE_WAIT)
    fin_conn_set_state(st, c, FIN_LAST_ACK);
  else if (c->state == FIN_SYN_RECEIVED && fin_conn_snd(c)->len == 0)
    fin_conn_set_state(st, c, FIN_FIN_WAIT_1);
  fin_conn_schedule(st, c);
}

int fin_shutdown(struct fin_stack *st, fin_sock s, int how) {
  struct fin_conn *c = conn_of(st, s);
  if (c == NULL)
    return listener_of(st, s) ? -ENOTCONN : -EBADF;
  if (how < FIN_SHUT_RD || how > FIN_SHUT_RDWR)
    return -EINVAL;
  if (c->state == FIN_CLOSED || c->terminated)
    return -ENOTCONN; /* M14: never connected, in TIME-WAIT or gone (Linux) */
  if (how != FIN_SHUT_WR)
    c->rd_shutdown = 1; /* G2: nothing on the wire */
  if (c->tfo_defer && how != FIN_SHUT_RD) {
    c->tfo_defer = 0; /* the deferred SYN goes now, the FIN after the handshake */
    fin_conn_output_mark(st, c);
  }
  if (how != FIN_SHUT_RD && !c->terminated)
    queue_fin(st, c);
  return 0;
}

static void release_handle(struct fin_stack *st, struct fin_conn *c) {
  uint32_t idx = c->slot;
  fin_slot_release(st, idx);
  fin_conn_make_orphan(st, c);
}

static int orphan_fin_wait_2(struct fin_stack *st, struct fin_conn *c);

static bool our_fin_done(const struct fin_conn *c) {
  return c->terminated || c->state == FIN_FIN_WAIT_2 || c->state == FIN_TIME_WAIT ||
         c->state == FIN_CLOSED;
}

/* B5: a blocking close with SO_LINGER {1,N} waits for the ACK of our FIN
 * or N seconds, whichever comes first; then the connection goes on
 * orphaned (no RST). */
static int linger_poll(struct fin_stack *st, struct fin_conn *c) {
  if (!our_fin_done(c) && !c->linger_expired)
    return -EINPROGRESS;
  c->linger_wait = 0;
  if (!c->terminated)
    fin_conn_timer_clear(st, c, CT_LINGER);
  if (!c->terminated && c->state == FIN_FIN_WAIT_2)
    return orphan_fin_wait_2(st, c); /* F1: the ACK came while we held the handle */
  release_handle(st, c);
  return 0;
}

/* The application gives the connection up: ABORT where B1 says, then the
 * stack owns what is left (nothing, after an abort). */
static int abort_and_release(struct fin_stack *st, struct fin_conn *c, enum fin_close_reason r,
                             uint64_t *counter) {
  /* The handle is released after the abort, so the TCB (a shell by then,
   * or a TIME-WAIT shell under A8) is freed exactly once, by the release. */
  fin_conn_abort(st, c, r, 0, counter);
  release_handle(st, c);
  return 0;
}

/* F1: an orphan already in FIN-WAIT-2 gets its fin_timeout now. */
static int orphan_fin_wait_2(struct fin_stack *st, struct fin_conn *c) {
  if (fin_conn_linger2(c) < 0)
    return abort_and_release(st, c, FIN_REASON_FIN_WAIT_2_TIMEOUT, &st->c.abort_on_linger);
  fin_conn_timer_set(st, c, CT_FIN_WAIT_2, st->now + fin_conn_fin_timeout(st, c));
  release_handle(st, c);
  return 0;
}

/* Linux tcp_close() order: unread data -> RST (B7); SO_LINGER {1,0} ->
 * RST (B4); otherwise the RFC CLOSE call (C1-C6); then orphan. */
static int close_conn(struct fin_stack *st, struct fin_conn *c) {
  if (c->linger_wait)
    return linger_poll(st, c);
  c->closed_by_app = 1;
  c->rd_shutdown = 1;
  if (c->terminated || c->state == FIN_CLOSED) {
    release_handle(st, c);
    return 0;
  }
  if (fin_conn_rcv(c)->len > 0)
    return abort_and_release(st, c, FIN_REASON_UNREAD_DATA, &st->c.abort_on_close); /* B7 */
  if (c->linger_on && fin_conn_linger_sec(c) == 0)
    return abort_and_release(st, c, FIN_REASON_ABORT, &st->c.abort_on_user); /* B4 */
  if (c->state == FIN_SYN_SENT) {
    uint32_t idx = c->slot;
    c->slot = FIN_NONE_IDX;
    fin_slot_release(st, idx);
    fin_conn_terminate(st, c, FIN_REASON_CLOSED_IN_SYN_SENT, 0); /* C4: nothing sent */
    return 0;
  }
  queue_fin(st, c);
  if (c->state == FIN_FIN_WAIT_2)
    return orphan_fin_wait_2(st, c);
  if (c->linger_on && fin_conn_linger_sec(c) > 0 && !c->nonblock && !our_fin_done(c)) {
    c->linger_wait = 1;
    fin_conn_timer_set(st, c, CT_LINGER, st->now + FIN_SEC(fin_conn_linger_sec(c)));
    return -EINPROGRESS;
  }
  release_handle(st, c);
  return 0;
}

int fin_close(struct fin_stack *st, fin_sock s) {
  struct fin_listener *l = listener_of(st, s);
  if (l != NULL) {
    fin_slot_release(st, l->slot);
    fin_listener_close(st, l);
    return 0;
  }
  struct fin_conn *c = conn_of(st, s);
  if (c == NULL)
    return -EBADF;
  return close_conn(st, c);
}

/* ABORT (RFC 9293 §3.10.5). */
int fin_abort(struct fin_stack *st, fin_sock s) {
  struct fin_listener *l = listener_of(st, s);
  if (l != NULL)
    return fin_close(st, s); /* B2: no RST from LISTEN */
  struct fin_conn *c = conn_of(st, s);
  if (c == NULL)
    return -EBADF;
  if (c->terminated && c->state == FIN_TIME_WAIT) {
    /* B3 (§3.10.5 TIME-WAIT: "delete the TCB"): the record goes, no RST. */
    uint32_t tw = fin_tw_lookup(st, &c->tuple);
    if (tw != FIN_NONE_IDX) {
      st->c.abort_on_user++;
      fin_tw_release(st, tw, FIN_REASON_ABORT);
    }
  }
  if (c->terminated || c->state == FIN_CLOSED) {
    release_handle(st, c);
    return 0;
  }
  c->closed_by_app = 1;
  return abort_and_release(st, c, FIN_REASON_ABORT, &st->c.abort_on_user);
}

/* ---- options ---- */

static int get_int(const void *val, size_t len, int *out) {
  if (val == NULL || len < sizeof(int))
    return -EINVAL;
  memcpy(out, val, sizeof(int));
  return 0;
}

static int put_int(void *val, size_t *len, int v) {
  if (val == NULL || len == NULL || *len < sizeof(int))
    return -EINVAL;
  memcpy(val, &v, sizeof(int));
  *len = sizeof(int);
  return 0;
}

static int set_linger(struct fin_stack *st, struct fin_conn *c, const void *val, size_t len) {
  struct fin_linger lg;
  if (val == NULL || len < sizeof(lg))
    return -EINVAL;
  memcpy(&lg, val, sizeof(lg));
  int32_t sec = lg.linger < 0 ? 0 : lg.linger;
  /* {1, 0} (abort on close) is the common request and needs no block. */
  if (sec != fin_conn_linger_sec(c)) {
    struct fin_conn_opts *o = fin_conn_opts_set(st, c);
    if (o == NULL)
      return -ENOMEM;
    o->linger_sec = sec;
  }
  c->linger_on = lg.onoff != 0;
  return 0;
}

/* BEHAVIOR M16: requests are clamped to the stack-wide maxima (Linux
 * rmem_max / wmem_max), so no socket can claim the whole buffer budget. */
static int set_buffer_size(struct fin_stack *st, struct fin_conn *c, enum fin_sockopt opt, int v) {
  if (v < 1)
    return -EINVAL;
  bool rcv = opt == FIN_SO_RCVBUF;
  uint32_t max = rcv ? st->s.rcvbuf_max : st->s.sndbuf_max;
  uint32_t size = fin_sockbuf_size(st, (uint32_t)v > max ? max : (uint32_t)v); /* then doubled */
  if ((rcv ? fin_conn_rcv(c)->cap : fin_conn_snd(c)->cap) != 0)
    return 0; /* a ring keeps its size once used (RFC 9293 §3.8.6: no shrinking window) */
  if (rcv)
    c->rcvbuf_size = size;
  else
    c->sndbuf_size = size;
  return 0;
}

static int set_int_opt(struct fin_stack *st, struct fin_conn *c, enum fin_sockopt opt, int v) {
  struct fin_conn_opts *o;
  switch (opt) {
  case FIN_SO_KEEPALIVE:
    c->keepalive = v != 0;
    if (fin_state_synchronized(c->state) && !c->terminated)
      fin_conn_keepalive_reset(st, c);
    return 0;
  case FIN_SO_RCVBUF:
  case FIN_SO_SNDBUF:
    return set_buffer_size(st, c, opt, v);
  case FIN_SO_REUSEADDR:
    c->reuseaddr = v != 0;
    return 0;
  case FIN_IPV6_V6ONLY:
    if (c->bound || c->state != FIN_CLOSED)
      return -EINVAL; /* Linux: only before bind or connect */
    c->v6only = v != 0;
    return 0;
  case FIN_SO_NONBLOCK:
    c->nonblock = v != 0;
    return 0;
  case FIN_TCP_NODELAY:
    c->nodelay = v != 0;
    if (!c->terminated && c->state != FIN_CLOSED)
      fin_conn_schedule(st, c);
    return 0;
  case FIN_TCP_USER_TIMEOUT:
    if (v < 0)
      return -EINVAL;
    if ((o = fin_conn_opts_set(st, c)) == NULL)
      return -ENOMEM;
    o->user_timeout = FIN_MS(v);
    return 0;
  case FIN_TCP_LINGER2:
    if ((o = fin_conn_opts_set(st, c)) == NULL)
      return -ENOMEM;
    o->linger2_sec = v;
    return 0;
  case FIN_TCP_KEEPIDLE:
  case FIN_TCP_KEEPINTVL:
    if (v < 1 || v > 32767)
      return -EINVAL;
    if ((o = fin_conn_opts_set(st, c)) == NULL)
      return -ENOMEM;
    if (opt == FIN_TCP_KEEPIDLE)
      o->keep_idle = FIN_SEC(v);
    else
      o->keep_intvl = FIN_SEC(v);
    if (c->keepalive && fin_state_synchronized(c->state) && !c->terminated)
      fin_conn_keepalive_reset(st, c);
    return 0;
  case FIN_TCP_KEEPCNT:
  case FIN_TCP_SYNCNT:
    if (v < 1 || v > 255)
      return -EINVAL;
    if ((o = fin_conn_opts_set(st, c)) == NULL)
      return -ENOMEM;
    if (opt == FIN_TCP_KEEPCNT)
      o->keep_cnt = (uint32_t)v;
    else
      o->syn_retries = (uint32_t)v;
    return 0;
  case FIN_TCP_QUICKACK:
    c->quickack = v ? st->s.quickack_segments : 0;
    return 0;
  case FIN_TCP_KEEPINIT:
    if (v < 0)
      return -EINVAL;
    if ((o = fin_conn_opts_set(st, c)) == NULL)
      return -ENOMEM;
    o->keepinit = FIN_SEC(v);
    return 0;
  case FIN_TCP_NOOPT:
    c->noopt = v != 0;
    return 0;
  case FIN_TCP_ECN: /* what the next SYN or SYN-ACK decides by (ecn.c) */
    if (v < -1 || v > FIN_ECN_PASSIVE)
      return -EINVAL;
    c->ecn_own = v >= 0;
    c->ecn_mode = v >= 0 ? (unsigned)v & 3u : 0;
    return 0;
  case FIN_TCP_FASTOPEN_CONNECT: /* Linux: 0 or 1, before connect, client TFO on */
    if (v < 0 || v > 1 || c->state != FIN_CLOSED || c->terminated)
      return -EINVAL;
    if (!st->s.fastopen_client)
      return -EOPNOTSUPP;
    c->tfo_connect = v != 0;
    return 0;
  default:
    return -ENOPROTOOPT;
  }
}

/* TCP_FASTOPEN: a listener's (or future listener's) TFO queue length, as
 * Linux takes it; on a socket that connects, TFO on (FreeBSD). */
static int set_fastopen(struct fin_stack *st, fin_sock s, int v) {
  struct fin_listener *l = listener_of(st, s);
  struct fin_conn *c = l != NULL ? &l->proto : conn_of(st, s);
  if (c == NULL)
    return -EBADF;
  if (v < 0 || (l == NULL && (c->state != FIN_CLOSED || c->terminated)))
    return -EINVAL;
  struct fin_conn_opts *o = fin_conn_opts_set(st, c);
  if (o == NULL)
    return -ENOMEM;
  o->fastopen = v;
  if (l != NULL)
    l->tfo_qlen = (uint32_t)v;
  return 0;
}

static struct fin_conn *opt_target(struct fin_stack *st, fin_sock s) {
  struct fin_listener *l = listener_of(st, s);
  return l != NULL ? &l->proto : conn_of(st, s);
}

int fin_setsockopt(struct fin_stack *st, fin_sock s, enum fin_sockopt opt, const void *val,
                   size_t len) {
  struct fin_conn *c = opt_target(st, s);
  if (c == NULL)
    return -EBADF;
  if (opt == FIN_SO_LINGER)
    return set_linger(st, c, val, len);
  if (opt == FIN_SO_ERROR || opt == FIN_TCP_INFO || opt == FIN_TCP_MAXSEG)
    return -ENOPROTOOPT;
  int v;
  int err = get_int(val, len, &v);
  if (err == 0 && opt == FIN_TCP_FASTOPEN)
    return set_fastopen(st, s, v);
  return err != 0 ? err : set_int_opt(st, c, opt, v);
}

static void sock_info(struct fin_stack *st, fin_sock s, struct fin_conn *c,
                      struct fin_conn_info *o) {
  struct fin_listener *l = listener_of(st, s);
  if (l != NULL) {
    memset(o, 0, sizeof(*o));
    o->sock = s;
    o->state = FIN_LISTEN;
    o->tuple.local_addr = l->local.addr;
    o->tuple.local_port = l->local.port;
    return;
  }
  fin_conn_info(st, c, o);
  o->state = fin_sock_state(st, s);
}

static int get_int_opt(struct fin_stack *st, struct fin_conn *c, enum fin_sockopt opt, int *v) {
  switch (opt) {
  case FIN_SO_KEEPALIVE:
    return *v = c->keepalive, 0;
  case FIN_SO_ERROR:
    *v = -c->so_error; /* positive errno, like Linux; reading clears it */
    if (c->so_error != 0)
      c->error_reported = 1; /* G4: later sends say EPIPE */
    c->so_error = 0;
    return 0;
  case FIN_SO_RCVBUF:
    return *v = (int)c->rcvbuf_size, 0;
  case FIN_SO_SNDBUF:
    return *v = (int)c->sndbuf_size, 0;
  case FIN_SO_REUSEADDR:
    return *v = c->reuseaddr, 0;
  case FIN_IPV6_V6ONLY:
    return *v = c->v6only, 0;
  case FIN_SO_NONBLOCK:
    return *v = c->nonblock, 0;
  case FIN_TCP_NODELAY:
    return *v = c->nodelay, 0;
  case FIN_TCP_USER_TIMEOUT:
    return *v = (int)(fin_conn_user_timeout(c) / 1000000), 0;
  case FIN_TCP_LINGER2:
    return *v = fin_conn_linger2(c), 0;
  case FIN_TCP_KEEPIDLE:
    return *v = (int)(fin_conn_keep_idle(st, c) / 1000000000), 0;
  case FIN_TCP_KEEPINTVL:
    return *v = (int)(fin_conn_keep_intvl(st, c) / 1000000000), 0;
  case FIN_TCP_KEEPCNT:
    return *v = (int)fin_conn_keep_cnt(st, c), 0;
  case FIN_TCP_SYNCNT:
    return *v = (int)fin_conn_syn_retries(st, c), 0;
  case FIN_TCP_MAXSEG:
    return *v = c->snd_mss ? c->snd_mss : (int)fin_mtu_mss(st->s.mtu, !c->v6_socket), 0;
  case FIN_TCP_QUICKACK:
    return *v = c->quickack > 0, 0;
  case FIN_TCP_KEEPINIT:
    return *v = (int)(fin_keepinit(st, c) / 1000000000), 0;
  case FIN_TCP_NOOPT:
    return *v = c->noopt, 0;
  case FIN_TCP_ECN:
    return *v = (int)fin_conn_ecn_mode(st, c), 0;
  case FIN_TCP_FASTOPEN: /* a child: whether its SYN's data was taken (FreeBSD) */
    return *v = c->passive ? c->tfo_passive : fin_conn_fastopen(c), 0;
  case FIN_TCP_FASTOPEN_CONNECT:
    return *v = c->tfo_connect, 0;
  default:
    return -ENOPROTOOPT;
  }
}

int fin_getsockopt(struct fin_stack *st, fin_sock s, enum fin_sockopt opt, void *val, size_t *len) {
  struct fin_conn *c = opt_target(st, s);
  if (c == NULL)
    return -EBADF;
  if (val == NULL || len == NULL)
    return -EINVAL;
  if (opt == FIN_SO_LINGER) {
    if (*len < sizeof(struct fin_linger))
      return -EINVAL;
    struct fin_linger lg = {c->linger_on, fin_conn_linger_sec(c)};
    memcpy(val, &lg, sizeof(lg));
    *len = sizeof(lg);
    return 0;
  }
  if (opt == FIN_TCP_INFO) {
    if (*len < sizeof(struct fin_conn_info))
      return -EINVAL;
    sock_info(st, s, c, val);
    *len = sizeof(struct fin_conn_info);
    return 0;
  }
  int v = 0;
  int err = get_int_opt(st, c, opt, &v);
  return err != 0 ? err : put_int(val, len, v);
}

/* ---- readiness and names ---- */

/* Linux tcp_poll(): POLLHUP when both directions are shut (or CLOSED),
 * POLLIN|POLLRDHUP once the peer's FIN (or SHUT_RD) arrived, POLLERR on a
 * pending error. */
int fin_poll(struct fin_stack *st, fin_sock s) {
  struct fin_listener *l = listener_of(st, s);
  if (l != NULL)
    return l->acc_head != NULL ? FIN_POLLIN : 0;
  struct fin_conn *c = conn_of(st, s);
  if (c == NULL)
    return FIN_POLLNVAL;
  bool rcv_shut = c->peer_fin || c->rd_shutdown || c->terminated;
  bool snd_shut = c->wr_shutdown || c->terminated;
  int m = 0;
  if ((rcv_shut && snd_shut) || c->state == FIN_CLOSED)
    m |= FIN_POLLHUP;
  if (rcv_shut)
    m |= FIN_POLLIN | FIN_POLLRDHUP;
  if (c->state != FIN_SYN_SENT && c->state != FIN_SYN_RECEIVED) {
    if (fin_conn_rcv(c)->len > 0)
      m |= FIN_POLLIN;
    if (snd_shut || fin_conn_snd(c)->map == NULL || fin_ring_free(fin_conn_snd(c)) > 0)
      m |= FIN_POLLOUT;
  }
  if (c->tfo_defer)
    m |= FIN_POLLOUT; /* TCP_FASTOPEN_CONNECT: writable, the first write sends the SYN */
  if (c->so_error != 0)
    m |= FIN_POLLERR;
  return m;
}

int fin_getsockname(struct fin_stack *st, fin_sock s, struct fin_sockaddr *a) {
  struct fin_listener *l = listener_of(st, s);
  struct fin_conn *c = conn_of(st, s);
  if (a == NULL)
    return -EFAULT;
  if (l != NULL) {
    *a = l->local;
    return 0;
  }
  if (c == NULL)
    return -EBADF;
  sockaddr_out(c, &c->tuple.local_addr, c->tuple.local_port, a);
  return 0;
}

int fin_getpeername(struct fin_stack *st, fin_sock s, struct fin_sockaddr *a) {
  struct fin_conn *c = conn_of(st, s);
  if (a == NULL)
    return -EFAULT;
  if (c == NULL)
    return listener_of(st, s) ? -ENOTCONN : -EBADF;
  if (c->tuple.remote_port == 0)
    return -ENOTCONN;
  sockaddr_out(c, &c->tuple.remote_addr, c->tuple.remote_port, a);
  return 0;
}

int fin_inq(struct fin_stack *st, fin_sock s) {
  struct fin_conn *c = conn_of(st, s);
  if (c == NULL)
    return listener_of(st, s) ? -EINVAL : -EBADF;
  return (int)fin_conn_rcv(c)->len; /* the FIN is not counted */
}

/* A shell left after TIME-WAIT was entered reports TIME-WAIT while the
 * record lives, then CLOSED. */
enum fin_state fin_sock_state(struct fin_stack *st, fin_sock s) {
  if (listener_of(st, s) != NULL)
    return FIN_LISTEN;
  struct fin_conn *c = conn_of(st, s);
  if (c == NULL)
    return FIN_CLOSED;
  if (c->terminated && c->state == FIN_TIME_WAIT)
    return fin_tw_lookup(st, &c->tuple) != FIN_NONE_IDX ? FIN_TIME_WAIT : FIN_CLOSED;
  return c->state;
}

uint64_t fin_sock_conn_id(struct fin_stack *st, fin_sock s) {
  struct fin_conn *c = conn_of(st, s);
  return c != NULL ? c->id : 0;
}
