/* SPDX-License-Identifier: MIT */
/* LISTEN (RFC 9293 §3.10.7.2; BEHAVIOR A2, L1, C5, E4, T1-T3): SYN queue of
 * embryonic children, accept queue of established ones (and of TFO
 * children, RFC 7413), SYN cookies when either is full. Children are full TCBs in the connection
 * hash, so their segments never pass through here. */
#include "internal.h"
#include "policy.h"

static void q_unlink(struct fin_conn **head, struct fin_conn **tail, struct fin_conn *c) {
  if (c->q_prev)
    c->q_prev->q_next = c->q_next;
  else
    *head = c->q_next;
  if (c->q_next)
    c->q_next->q_prev = c->q_prev;
  else if (tail != NULL)
    *tail = c->q_prev;
  c->q_prev = c->q_next = NULL;
}

/* RFC 7413 §5.1: a TFO child stops counting against its listener's limit
 * when it leaves SYN-RECEIVED or the listener's queues. */
static void tfo_unpend(struct fin_listener *l, struct fin_conn *c) {
  if (!c->tfo_pending)
    return;
  c->tfo_pending = 0;
  l->tfo_pending--;
}

void fin_listener_unlink_child(struct fin_stack *st, struct fin_conn *c) {
  (void)st;
  struct fin_listener *l = c->parent;
  tfo_unpend(l, c);
  if (c->in_syn_queue) {
    q_unlink(&l->syn_head, NULL, c);
    l->syn_count--;
  } else if (c->in_accept_queue) {
    q_unlink(&l->acc_head, &l->acc_tail, c);
    l->accept_count--;
  }
  c->in_syn_queue = c->in_accept_queue = 0;
  c->parent = NULL;
}

/* Linux sk_acceptq_is_full(): a backlog of N holds N+1 connections. */
bool fin_listener_accept_full(const struct fin_listener *l) {
  return l->accept_count > (uint32_t)l->backlog;
}

static void inherit_options(struct fin_conn *c, const struct fin_conn *p) {
  c->sndbuf_size = p->sndbuf_size;
  c->rcvbuf_size = p->rcvbuf_size;
  c->nodelay = p->nodelay;
  c->keepalive = p->keepalive;
  c->linger_on = p->linger_on;
  c->noopt = p->noopt;
  c->ecn_own = p->ecn_own;
  c->ecn_mode = p->ecn_mode;
}

static struct fin_conn *child_new(struct fin_stack *st, struct fin_listener *l,
                                  const struct fin_segment *seg, uint32_t iss, uint32_t ts_offset) {
  struct fin_conn *c = fin_conn_new(st);
  if (c == NULL)
    return NULL;
  inherit_options(c, &l->proto);
  if (fin_conn_opts_copy(st, c, &l->proto) != 0) {
    fin_conn_destroy(st, c);
    return NULL;
  }
  c->tuple = fin_tuple_of(seg);
  c->rcv_mss = fin_conn_adv_mss(st, c);
  /* An IPv4 client of a :: listener is seen as ::ffff:a.b.c.d (RFC 3493 §3.7). */
  c->v6_socket = !fin_addr_is_v4(&l->local.addr);
  c->passive = 1;
  c->bound = 1;
  fin_conn_negotiate(st, c, seg);
  fin_conn_round_rcvbuf(st, c);
  if (fin_conn_admit_buffers(st, c) != 0 || fin_conn_hash_insert(st, c) != 0) {
    fin_conn_destroy(st, c);
    return NULL;
  }
  c->state = FIN_LISTEN; /* so the state change below reads LISTEN -> SYN-RECEIVED */
  c->ts_offset = ts_offset;
  c->iss = iss;
  c->snd_una = c->snd_nxt = c->snd_max = iss;
  c->snd_buf_seq = iss + 1;
  c->snd_wnd = seg->wnd; /* RFC 7323 §2.2: never scaled in a SYN */
  c->max_snd_wnd = c->snd_wnd;
  c->snd_wl1 = seg->seq;
  c->first_rexmit = st->now;
  c->parent = l;
  c->in_syn_queue = 1;
  c->q_next = l->syn_head;
  if (l->syn_head)
    l->syn_head->q_prev = c;
  l->syn_head = c;
  l->syn_count++;
  st->c.passive_opens++;
  fin_conn_set_state(st, c, FIN_SYN_RECEIVED);
  fin_conn_output_mark(st, c);
  return c;
}

static void accept_queue_append(struct fin_listener *l, struct fin_conn *c) {
  c->in_accept_queue = 1;
  c->q_prev = l->acc_tail;
  c->q_next = NULL;
  if (l->acc_tail)
    l->acc_tail->q_next = c;
  else
    l->acc_head = c;
  l->acc_tail = c;
  l->accept_count++;
}

/* RFC 7413 §4.2 (BEHAVIOR T1-T3, T8): what the SYN's Fast Open option earns
 * the new child. With a valid cookie its data is the application's now, so
 * the child waits in the accept queue while its handshake completes (as in
 * Linux), counted against the listener's limit while in SYN-RECEIVED. */
static void tfo_child(struct fin_stack *st, struct fin_listener *l, struct fin_conn *c,
                      const struct fin_segment *seg) {
  bool fresh;
  enum fin_tfo_verdict v = fin_tfo_listen_syn(st, l, seg, &fresh);
  c->tfo_exp = seg->opts.fo_exp;
  c->tfo_synack_cookie = fresh;
  if (v != FIN_TFO_ACCEPT)
    return;
  q_unlink(&l->syn_head, NULL, c);
  l->syn_count--;
  c->in_syn_queue = 0;
  accept_queue_append(l, c);
  fin_tfo_take_syn_data(st, c, seg);
  if (c->state == FIN_SYN_RECEIVED) {
    c->tfo_pending = 1;
    l->tfo_pending++;
  }
  fin_event_acceptable(st, c, l->slot);
}

/* The window a SYN-cookie SYN-ACK offers (unscaled: RFC 7323 §2.2). */
static uint16_t cookie_window(const struct fin_stack *st) {
  return (uint16_t)(st->s.rcvbuf > 65535 ? 65535 : st->s.rcvbuf);
}

static void send_cookie(struct fin_stack *st, const struct fin_segment *seg) {
  struct fin_ctl k;
  memset(&k, 0, sizeof(k));
  k.tuple = fin_tuple_of(seg);
  uint16_t mss = seg->opts.has_mss ? seg->opts.mss : fin_default_mss(&k.tuple);
  k.seq = fin_syncookie_make(st, &k.tuple, seg->seq, mss);
  k.ack = seg->seq + 1;
  k.flags = FIN_TCP_SYN | FIN_TCP_ACK;
  k.wnd = cookie_window(st);
  k.syn_opts = 1;
  k.mss = (uint16_t)fin_mtu_mss(st->s.mtu, fin_tuple_v4(&k.tuple));
  if (fin_ctl_push(st, &k))
    st->c.syncookies_sent++;
}

static void listen_syn(struct fin_stack *st, struct fin_listener *l,
                       const struct fin_segment *seg) {
  if (fin_policy_drop_synfin(st, true, seg)) {
    FIN_DROP(st, NULL, drop_listen_other); /* SYN+FIN (settings.synfin) */
    return;
  }
  bool full = l->syn_count >= st->s.syn_backlog || fin_listener_accept_full(l);
  if (fin_policy_cookie_for_every_syn(st) && !fin_listener_accept_full(l)) {
    send_cookie(st, seg);
    return;
  }
  if (full) {
    if (st->s.syn_cookies) {
      send_cookie(st, seg);
      return;
    }
    FIN_DROP(st, NULL, drop_listen_syn_queue);
    return;
  }
  struct fin_4tuple t = fin_tuple_of(seg);
  uint32_t ts_offset, iss = fin_conn_isn(st, &t, &ts_offset);
  struct fin_conn *c = child_new(st, l, seg, iss, ts_offset);
  if (c != NULL) {
    if (seg->opts.has_fo) /* RFC 7413: without the option, a plain SYN */
      tfo_child(st, l, c, seg);
    return;
  }
  /* F3: no connection block for this SYN. */
  if (st->s.syn_cookies) {
    send_cookie(st, seg);
    return;
  }
  fin_send_rst_for(st, seg, &st->c.rst_syn_no_memory, false);
}

/* The ACK that returns a SYN cookie creates the connection directly. A
 * valid cookie that meets a full accept queue follows the overflow policy
 * (BEHAVIOR L1) as an embryonic child's final ACK does: dropped by default
 * (the client's next segment brings the cookie again, as Linux drops it in
 * tcp_v4_syn_recv_sock), or reset - never taken for a forged cookie. */
static bool cookie_ack(struct fin_stack *st, struct fin_listener *l,
                       const struct fin_segment *seg) {
  struct fin_4tuple t = fin_tuple_of(seg);
  uint16_t mss;
  if (!st->s.syn_cookies || !fin_syncookie_check(st, &t, seg->ack - 1, seg->seq - 1, &mss))
    return false;
  if (fin_listener_accept_full(l)) {
    st->c.drop_listen_overflow++;
    if (st->s.accept_overflow == FIN_ACCEPT_OVERFLOW_RST)
      fin_send_rst_for(st, seg, &st->c.rst_accept_overflow, false);
    return true;
  }
  struct fin_segment syn = *seg;
  syn.seq = seg->seq - 1;
  syn.opts = (struct fin_tcp_opts){.has_mss = true, .mss = mss};
  struct fin_conn *c = child_new(st, l, &syn, seg->ack - 1, fin_tw_ts_offset(st, &t));
  if (c == NULL)
    return false;
  st->c.syncookies_recv++;
  c->syn_from_cookie = 1;
  c->snd_nxt = c->snd_max = seg->ack;          /* the SYN-ACK is already out */
  c->rcv_adv = c->rcv_nxt + cookie_window(st); /* M10: what it offered */
  fin_conn_output_unmark(st, c);
  fin_conn_input(st, c, seg);
  return true;
}

void fin_listen_input(struct fin_stack *st, struct fin_listener *l, const struct fin_segment *seg) {
  struct fin_4tuple t = fin_tuple_of(seg);
  if (seg->flags & FIN_TCP_RST) {
    FIN_DROP(st, &t, drop_listen_rst); /* A2: an incoming RST is ignored */
    return;
  }
  if (fin_policy_listen_synack_dropped(st, seg)) {
    FIN_DROP(st, &t, drop_listen_other);
    return;
  }
  if (seg->flags & FIN_TCP_ACK) {
    if (!(seg->flags & FIN_TCP_SYN) && cookie_ack(st, l, seg))
      return;
    if (st->s.syn_cookies && !(seg->flags & FIN_TCP_SYN))
      st->c.drop_bad_syncookie++;
    fin_send_rst_for(st, seg, &st->c.rst_listen_ack, true); /* A2: <SEQ=SEG.ACK><CTL=RST> */
    return;
  }
  if (seg->flags & FIN_TCP_SYN) {
    listen_syn(st, l, seg);
    return;
  }
  FIN_DROP(st, &t, drop_listen_other);
}

/* BEHAVIOR E4: a new SYN takes over a TIME-WAIT 4-tuple. The new ISS lies
 * beyond the old SND.NXT (as Linux: + 65535 + 2), and the record is kept,
 * suspended, until the new connection proves itself. */
int fin_listen_reopen(struct fin_stack *st, struct fin_listener *l, const struct fin_segment *seg,
                      uint32_t tw_idx) {
  if (l->syn_count >= st->s.syn_backlog || fin_listener_accept_full(l))
    return -ENOBUFS;
  struct fin_4tuple t = fin_tuple_of(seg);
  uint32_t ts_offset, iss = fin_conn_isn(st, &t, &ts_offset), old = fin_tw_snd_nxt(st, tw_idx);
  if (seq_leq(iss, old))
    iss = old + 65535 + 2;
  struct fin_conn *c = child_new(st, l, seg, iss, ts_offset);
  if (c == NULL)
    return -ENOMEM;
  fin_tw_suspend(st, tw_idx);
  c->tw_suspended = tw_idx;
  return 0;
}

void fin_listener_child_established(struct fin_stack *st, struct fin_conn *c) {
  struct fin_listener *l = c->parent;
  if (c->in_accept_queue) { /* a TFO child, queued since its SYN (tfo_child) */
    tfo_unpend(l, c);
    fin_conn_established(st, c);
    return;
  }
  q_unlink(&l->syn_head, NULL, c);
  l->syn_count--;
  c->in_syn_queue = 0;
  accept_queue_append(l, c);
  if (c->tw_suspended != FIN_NONE_IDX) {
    uint32_t tw = c->tw_suspended;
    c->tw_suspended = FIN_NONE_IDX;
    fin_tw_unsuspend_release(st, tw);
  }
  fin_conn_established(st, c);
  fin_event_acceptable(st, c, l->slot);
}

/* BEHAVIOR C5: children waiting in the accept queue get RST; embryonic
 * ones are dropped silently. */
void fin_listener_close(struct fin_stack *st, struct fin_listener *l) {
  while (l->acc_head != NULL)
    fin_conn_abort(st, l->acc_head, FIN_REASON_LISTENER_CLOSED, -ECONNRESET, NULL);
  while (l->syn_head != NULL)
    fin_conn_terminate(st, l->syn_head, FIN_REASON_LISTENER_CLOSED, 0);
  fin_listener_remove(st, l);
  fin_conn_opts_free(st, &l->proto);
  fin_mem_free(st, l, sizeof(*l));
}
