/* SPDX-License-Identifier: MIT */
/* Connection blocks: creation, the one function for every state change,
 * termination (TCB freed, or kept as a shell while the application still
 * holds its handle), abort, orphans. */
#include "internal.h"
#include "recovery.h"

struct fin_conn *fin_conn_new(struct fin_stack *st) {
  if (st->conn_count >= st->s.max_connections ||
      !fin_heap_reserve(st, (uint32_t)st->conn_count + 2))
    return NULL;
  struct fin_conn *c = fin_mem_alloc(st, sizeof(*c));
  if (c == NULL)
    return NULL;
  memset(c, 0, sizeof(*c));
  c->id = st->next_conn_id++;
  c->slot = FIN_NONE_IDX;
  c->heap_idx = FIN_NONE_IDX;
  c->tw_suspended = FIN_NONE_IDX;
  for (int i = 0; i < CT_COUNT; i++)
    c->timer[i] = FIN_NEVER;
  c->deadline = FIN_NEVER;
  c->sndbuf_size = st->s.sndbuf;
  c->rcvbuf_size = st->s.rcvbuf;
  c->nodelay = st->s.nodelay;
  c->rcv_mss = (uint16_t)fin_mtu_mss(st->s.mtu, true); /* fin_conn_set_family for IPv6 */
  c->v6only = st->s.bindv6only;
  fin_rtt_init(&c->rtt, &st->s);
  return c;
}

/* BEHAVIOR F3: room for `need` more buffer bytes comes from the oldest
 * orphans (never from `self`); false when even that is not enough. */
bool fin_conn_make_room(struct fin_stack *st, uint64_t need, const struct fin_conn *self) {
  while (st->buf_mem + need > st->s.max_buffer_memory && st->orph_head != NULL &&
         st->orph_head != self)
    fin_conn_abort(st, st->orph_head, FIN_REASON_MEMORY, -ENOMEM, &st->c.abort_on_memory);
  return st->buf_mem + need <= st->s.max_buffer_memory;
}

/* Admission when a connection opens: a chunk each way must fit under
 * max_buffer_memory now. Buffer memory is what the rings actually hold
 * (pool chunks, taken as data comes and given back as it goes), so a
 * connection that carries no data costs its TCB alone - what lets a process
 * hold millions of mostly idle connections - and a busy one grows to its
 * configured size only while its data needs it. */
int fin_conn_admit_buffers(struct fin_stack *st, struct fin_conn *c) {
  return fin_conn_make_room(st, 2ull * st->pool.chunk, c) ? 0 : -ENOBUFS;
}

/* The block of both rings comes with the first byte either way and stays
 * until the connection goes (issue 14: an idle TCB holds no ring); the
 * pool keeps blocks for reuse, out of malloc on the path of short
 * connections, as it does the rings' maps. */
_Static_assert(sizeof(struct fin_conn_bufs) == FIN_POOL_BLOCK, "the pool's ring block");

static int bufs_ready(struct fin_stack *st, struct fin_conn *c) {
  if (c->bufs == NULL && (c->bufs = fin_block_get(st)) == NULL) /* zeroed */
    return -ENOMEM;
  return 0;
}

static int ring_ready(struct fin_stack *st, struct fin_ring *r, uint32_t size) {
  /* A ring emptied gave its map back (ring.c) but keeps its size. */
  return r->map != NULL ? 0 : fin_ring_init(st, r, r->cap != 0 ? r->cap : size);
}

int fin_conn_sndbuf_ready(struct fin_stack *st, struct fin_conn *c) {
  if (c->bufs != NULL && c->bufs->snd.map != NULL)
    return 0;
  int err = bufs_ready(st, c);
  return err != 0 ? err : ring_ready(st, &c->bufs->snd, c->sndbuf_size);
}

int fin_conn_rcvbuf_ready(struct fin_stack *st, struct fin_conn *c) {
  if (c->bufs != NULL && c->bufs->rcv.map != NULL)
    return 0;
  int err = bufs_ready(st, c);
  return err != 0 ? err : ring_ready(st, &c->bufs->rcv, c->rcvbuf_size);
}

/* FreeBSD rounds the receive buffer up to a multiple of the MSS once the
 * MSS is known (settings.rcvbuf_round_to_mss). The ring is still empty
 * then, so it is simply reallocated at the new size. */
void fin_conn_round_rcvbuf(struct fin_stack *st, struct fin_conn *c) {
  if (!st->s.rcvbuf_round_to_mss || c->snd_mss == 0)
    return;
  /* FreeBSD tcp_mss() rounds to t_maxseg, which counts no options. */
  uint32_t mss = c->snd_mss + (c->ts_ok ? 12u : 0u), size = (c->rcvbuf_size + mss - 1) / mss * mss;
  if (size == c->rcvbuf_size)
    return;
  if (fin_conn_rcv(c)->cap != 0) {
    if (c->bufs->rcv.hi != 0)
      return; /* data already held: keep the old size (correct, only not rounded) */
    fin_ring_release(st, &c->bufs->rcv);
  }
  c->rcvbuf_size = size;
}

static void free_sndbuf(struct fin_stack *st, struct fin_conn *c) {
  if (c->bufs != NULL)
    fin_ring_release(st, &c->bufs->snd);
  if (c->rec != NULL)
    fin_rec_free(st, c); /* its records name bytes of the ring */
}

struct fin_assembler *fin_conn_ooo(struct fin_stack *st, struct fin_conn *c) {
  if (c->ooo == NULL && (c->ooo = fin_mem_alloc(st, sizeof(*c->ooo))) != NULL)
    memset(c->ooo, 0, sizeof(*c->ooo));
  return c->ooo;
}

static void ooo_free(struct fin_stack *st, struct fin_conn *c) {
  fin_mem_free(st, c->ooo, sizeof(*c->ooo));
  c->ooo = NULL;
}

void fin_conn_ooo_release(struct fin_stack *st, struct fin_conn *c) {
  if (c->ooo != NULL && fin_asm_empty(c->ooo))
    ooo_free(st, c);
}

static void free_rcvbuf(struct fin_stack *st, struct fin_conn *c) {
  if (c->ooo != NULL)
    ooo_free(st, c); /* its ranges name bytes of the ring */
  if (c->bufs != NULL)
    fin_ring_release(st, &c->bufs->rcv);
}

static void orphan_unlink(struct fin_stack *st, struct fin_conn *c) {
  if (!c->is_orphan)
    return;
  if (c->orph_prev)
    c->orph_prev->orph_next = c->orph_next;
  else
    st->orph_head = c->orph_next;
  if (c->orph_next)
    c->orph_next->orph_prev = c->orph_prev;
  else
    st->orph_tail = c->orph_prev;
  c->orph_prev = c->orph_next = NULL;
  c->is_orphan = 0;
  st->orphan_count--;
  st->c.orphans_current--;
}

/* Takes the connection out of every table; idempotent. */
static void conn_detach(struct fin_stack *st, struct fin_conn *c) {
  if (!c->terminated && c->state != FIN_CLOSED)
    fin_conn_hash_remove(st, c);
  if (c->parent != NULL)
    fin_listener_unlink_child(st, c);
  for (int i = 0; i < CT_COUNT; i++)
    c->timer[i] = FIN_NEVER;
  c->deadline = FIN_NEVER;
  fin_heap_remove(st, c);
  fin_conn_output_unmark(st, c);
  orphan_unlink(st, c);
}

void fin_conn_destroy(struct fin_stack *st, struct fin_conn *c) {
  conn_detach(st, c);
  fin_port_release(st, c);
  if (c->state == FIN_ESTABLISHED || c->state == FIN_CLOSE_WAIT)
    st->c.curr_estab--;
  free_sndbuf(st, c);
  free_rcvbuf(st, c);
  if (c->bufs != NULL)
    fin_block_put(st, c->bufs);
  fin_conn_opts_free(st, c);
  fin_mem_free(st, c, sizeof(*c));
}

struct fin_conn_opts *fin_conn_opts_set(struct fin_stack *st, struct fin_conn *c) {
  if (c->opts != NULL)
    return c->opts;
  struct fin_conn_opts *o = fin_mem_alloc(st, sizeof(*o));
  if (o == NULL)
    return NULL;
  *o = (struct fin_conn_opts){.keep_idle = st->s.keepalive_idle,
                              .keep_intvl = st->s.keepalive_interval,
                              .keep_cnt = st->s.keepalive_probes,
                              .syn_retries = st->s.syn_retries};
  c->opts = o;
  return o;
}

int fin_conn_opts_copy(struct fin_stack *st, struct fin_conn *c, const struct fin_conn *p) {
  if (p->opts == NULL)
    return 0;
  struct fin_conn_opts *o = fin_conn_opts_set(st, c);
  if (o == NULL)
    return -ENOMEM;
  *o = *p->opts;
  return 0;
}

void fin_conn_opts_free(struct fin_stack *st, struct fin_conn *c) {
  if (c->opts != NULL)
    fin_mem_free(st, c->opts, sizeof(*c->opts));
  c->opts = NULL;
}

static bool counts_as_established(enum fin_state s) {
  return s == FIN_ESTABLISHED || s == FIN_CLOSE_WAIT; /* RFC 4022 tcpCurrEstab */
}

/* The one place a connection changes state. */
void fin_conn_set_state(struct fin_stack *st, struct fin_conn *c, enum fin_state to) {
  enum fin_state from = c->state;
  if (from == to)
    return;
  if (counts_as_established(from) && !counts_as_established(to))
    st->c.curr_estab--;
  if (!counts_as_established(from) && counts_as_established(to))
    st->c.curr_estab++;
  c->state = to;
  fin_event_state(st, c, from, to);
}

/* RFC 4022 tcpEstabResets / tcpAttemptFails bookkeeping for a reset. */
static void count_reset(struct fin_stack *st, const struct fin_conn *c) {
  if (c->state == FIN_SYN_SENT || c->state == FIN_SYN_RECEIVED)
    st->c.attempt_fails++;
  else if (c->state == FIN_ESTABLISHED || c->state == FIN_CLOSE_WAIT)
    st->c.estab_resets++;
}

void fin_conn_terminate(struct fin_stack *st, struct fin_conn *c, enum fin_close_reason reason,
                        int err) {
  if (c->terminated)
    return;
  if (err != 0)
    count_reset(st, c);
  conn_detach(st, c);
  c->reason = reason;
  c->error = (int16_t)err;
  c->so_error = (int16_t)err;
  if (c->tw_suspended != FIN_NONE_IDX) {
    /* BEHAVIOR E4: the SYN that reopened TIME-WAIT proved an old duplicate. */
    fin_tw_restore(st, c->tw_suspended);
    c->tw_suspended = FIN_NONE_IDX;
  }
  /* Event order (stack.h): a wake-up for a holder of the handle, then the
   * STATE event to CLOSED, then CLOSED. */
  if (c->slot != FIN_NONE_IDX)
    fin_event_simple(st, c, FIN_EV_READABLE);
  enum fin_state from = c->state;
  fin_conn_set_state(st, c, FIN_CLOSED);
  fin_event_closed(st, c, from);
  c->terminated = 1;
  if (err != 0)
    free_rcvbuf(st, c); /* BEHAVIOR H4: a reset flushes the queues */
  free_sndbuf(st, c);
  if (c->slot == FIN_NONE_IDX)
    fin_conn_destroy(st, c);
}

/* BEHAVIOR B1/B2/B3/B7: RST from SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2
 * and CLOSE-WAIT. From CLOSING and LAST-ACK only when something would
 * otherwise vanish unreported (Linux tcp_disconnect): data or our FIN not yet
 * sent, or received data the application never read (B7). Never from
 * LISTEN, SYN-SENT or TIME-WAIT. */
static bool abort_sends_rst(const struct fin_conn *c, enum fin_close_reason reason) {
  switch (c->state) {
  case FIN_SYN_RECEIVED:
  case FIN_ESTABLISHED:
  case FIN_FIN_WAIT_1:
  case FIN_FIN_WAIT_2:
  case FIN_CLOSE_WAIT:
    return true;
  case FIN_CLOSING:
  case FIN_LAST_ACK:
    return fin_conn_unsent(c) > 0 || !c->fin_sent || reason == FIN_REASON_UNREAD_DATA;
  default:
    return false;
  }
}

static uint64_t *rst_counter(struct fin_stack *st, enum fin_close_reason reason) {
  switch (reason) {
  case FIN_REASON_LISTENER_CLOSED:
    return &st->c.rst_listen_close;
  case FIN_REASON_RETRANSMIT_TIMEOUT:
  case FIN_REASON_USER_TIMEOUT:
  case FIN_REASON_KEEPALIVE_TIMEOUT:
  case FIN_REASON_FIN_WAIT_2_TIMEOUT:
    return &st->c.rst_timeout;
  case FIN_REASON_UNREAD_DATA:
    return &st->c.rst_closed_socket;
  case FIN_REASON_MALFORMED:
    return &st->c.rst_malformed_strict; /* A9 strict mode */
  default:
    return &st->c.rst_abort;
  }
}

void fin_conn_abort(struct fin_stack *st, struct fin_conn *c, enum fin_close_reason reason, int err,
                    uint64_t *abort_counter) {
  if (c->terminated)
    return;
  if (abort_counter != NULL)
    (*abort_counter)++;
  bool rst = abort_sends_rst(c, reason);
  if (rst)
    fin_send_rst_from_conn(st, c, rst_counter(st, reason));
  if (rst && st->s.rst_time_wait && fin_state_synchronized(c->state)) {
    /* BEHAVIOR A8: keep a TIME-WAIT record that absorbs stragglers. The
     * outcome is recorded first: entering TIME-WAIT frees an orphaned TCB,
     * and a shell the application holds must still report the abort. */
    if (err != 0) {
      count_reset(st, c);
      free_rcvbuf(st, c); /* B1: flush the queues */
    }
    c->reason = reason;
    c->error = (int16_t)err;
    c->so_error = (int16_t)err;
    c->snd_nxt = c->snd_max;
    fin_tw_enter_abortive(st, c);
    return;
  }
  fin_conn_terminate(st, c, reason, err);
}

void fin_conn_terminate_quiet(struct fin_stack *st, struct fin_conn *c) {
  conn_detach(st, c);
  c->terminated = 1;
  free_sndbuf(st, c);
  if (c->slot == FIN_NONE_IDX)
    fin_conn_destroy(st, c);
  else
    fin_event_simple(st, c, FIN_EV_READABLE);
}

void fin_conn_make_orphan(struct fin_stack *st, struct fin_conn *c) {
  c->slot = FIN_NONE_IDX;
  if (c->terminated || c->state == FIN_CLOSED) {
    fin_conn_destroy(st, c); /* a shell, or a socket that never connected */
    return;
  }
  if (c->is_orphan)
    return;
  c->is_orphan = 1;
  c->orph_prev = st->orph_tail;
  c->orph_next = NULL;
  if (st->orph_tail)
    st->orph_tail->orph_next = c;
  else
    st->orph_head = c;
  st->orph_tail = c;
  st->orphan_count++;
  st->c.orphans_current++;
  fin_orphans_enforce(st);
}

/* BEHAVIOR F3: over the orphan cap, or over the buffer memory cap, the
 * oldest orphans are aborted with RST. */
void fin_orphans_enforce(struct fin_stack *st) {
  while (st->orph_head != NULL &&
         (st->orphan_count > st->s.max_orphans || st->buf_mem > st->s.max_buffer_memory)) {
    fin_conn_abort(st, st->orph_head, FIN_REASON_MEMORY, -ENOMEM, &st->c.abort_on_memory);
  }
}

void fin_conn_output_link(struct fin_stack *st, struct fin_conn *c) {
  fin_stack_wake(st);
  c->in_out_list = 1;
  c->out_next = NULL;
  c->out_prev = st->out_tail;
  if (st->out_tail)
    st->out_tail->out_next = c;
  else
    st->out_head = c;
  st->out_tail = c;
}

void fin_conn_output_unlink(struct fin_stack *st, struct fin_conn *c) {
  if (c->out_prev)
    c->out_prev->out_next = c->out_next;
  else
    st->out_head = c->out_next;
  if (c->out_next)
    c->out_next->out_prev = c->out_prev;
  else
    st->out_tail = c->out_prev;
  c->out_prev = c->out_next = NULL;
  c->in_out_list = 0;
}

/* F(4-tuple, key) of RFC 6528 and the timestamp offset of RFC 7323 §5.4
 * from one SipHash-2-4 evaluation: its low 32 bits for the ISN, its high 32
 * bits for the offset. The halves of a PRF output are independent, so an
 * offset an observer can read from TSval says nothing of the ISN. */
static uint64_t conn_secret(const struct fin_stack *st, const struct fin_4tuple *t) {
  uint8_t k[36];
  size_t n = fin_tuple_key(t, k);
  return fin_siphash(&st->isn_key, k, n);
}

/* RFC 6528 / RFC 9293 §3.4.1 (BEHAVIOR K1): ISN = M + F(4-tuple, key),
 * M a 4 microsecond clock, F SipHash keyed from the injected random source;
 * *ts_offset (if not NULL) gets the connection's timestamp offset. */
uint32_t fin_conn_isn(const struct fin_stack *st, const struct fin_4tuple *t, uint32_t *ts_offset) {
  uint64_t f = conn_secret(st, t);
  if (ts_offset != NULL)
    *ts_offset = (uint32_t)(f >> 32);
  return (uint32_t)(st->now / 4000) + (uint32_t)f;
}

/* RFC 7323 §5.4: a 1 ms (ts_hz) clock plus a per-connection offset, a keyed
 * hash of the 4-tuple so the TIME-WAIT record can recompute it. */
uint32_t fin_tw_ts_offset(const struct fin_stack *st, const struct fin_4tuple *t) {
  return (uint32_t)(conn_secret(st, t) >> 32);
}

/* BEHAVIOR M1 (Linux tcp_acceptable_seq): a pure ACK or RST carries SND.NXT
 * as the peer can accept it. A zero-window probe byte, or data a shrinking
 * peer no longer has room for, lies beyond the peer's right window edge;
 * the peer drops a control segment numbered past that edge, so it carries
 * the edge itself (with a zero window: SND.UNA, the one acceptable number). */
uint32_t fin_conn_ctl_seq(const struct fin_conn *c) {
  uint32_t right = c->snd_una + c->snd_wnd;
  return seq_gt(c->snd_max, right) ? right : c->snd_max;
}

uint32_t fin_conn_unsent(const struct fin_conn *c) {
  uint32_t sent = seq_gt(c->snd_max, c->snd_buf_seq) ? c->snd_max - c->snd_buf_seq : 0;
  return sent < fin_conn_snd(c)->len ? fin_conn_snd(c)->len - sent : 0;
}

bool fin_state_synchronized(enum fin_state s) {
  switch (s) {
  case FIN_ESTABLISHED:
  case FIN_FIN_WAIT_1:
  case FIN_FIN_WAIT_2:
  case FIN_CLOSE_WAIT:
  case FIN_CLOSING:
  case FIN_LAST_ACK:
  case FIN_TIME_WAIT:
    return true;
  default:
    return false;
  }
}

/* RFC 9293 §3.7.1: the effective send MSS is the peer's MSS option (536,
 * or 1220 over IPv6, if absent: MUST-15, RFC 1122 4.2.2.6), bounded by our
 * MTU and by a path MTU learnt while our SYN was out (J6, RFC 1191 §3, RFC
 * 8201 §4); timestamps take 12 bytes of each segment. */
void fin_conn_init_mss(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg) {
  uint32_t mss = seg->opts.has_mss ? seg->opts.mss : fin_default_mss(&c->tuple);
  uint32_t ours = fin_mtu_mss(st->s.mtu, fin_tuple_v4(&c->tuple));
  if (c->pmtu != 0 && c->pmtu - fin_tuple_hdr(&c->tuple) < ours)
    ours = c->pmtu - fin_tuple_hdr(&c->tuple);
  if (mss > ours)
    mss = ours;
  /* A peer MSS below the 12 bytes of timestamps must not wrap around (it
   * made 64 KiB segments); the floor keeps a tiny advertised MSS from making
   * us spin on 1-byte segments, and stays within our own MTU. */
  uint32_t ts = c->ts_ok ? 12 : 0, lo = ours - ts < 64 ? ours - ts : 64;
  mss = mss > ts ? mss - ts : 0;
  if (mss < lo)
    mss = lo;
  c->snd_mss = (uint16_t)mss;
}

/* RFC 5681 §3.1 with RFC 6928 initial window. */
void fin_conn_init_cc(struct fin_stack *st, struct fin_conn *c) {
  c->cwnd = st->s.initial_cwnd_segments * c->snd_mss;
  c->ssthresh = UINT32_MAX / 2;
}

void fin_conn_established(struct fin_stack *st, struct fin_conn *c) {
  fin_conn_set_state(st, c, FIN_ESTABLISHED);
  c->quickack = st->s.quickack_segments;
  c->last_recv = st->now;
  fin_conn_keepalive_reset(st, c);
  fin_event_simple(st, c, FIN_EV_WRITABLE);
}

/* BEHAVIOR F1: TCP_LINGER2 per socket, else the stack's fin_timeout. */
fin_time fin_conn_fin_timeout(const struct fin_stack *st, const struct fin_conn *c) {
  int32_t linger2 = fin_conn_linger2(c);
  return linger2 > 0 ? FIN_SEC(linger2) : st->s.fin_timeout;
}

void fin_conn_info(const struct fin_stack *st, const struct fin_conn *c, struct fin_conn_info *o) {
  memset(o, 0, sizeof(*o));
  o->conn_id = c->id;
  o->sock = c->slot == FIN_NONE_IDX ? -1 : fin_slot_handle(st, c->slot);
  o->tuple = c->tuple;
  o->state = c->state;
  o->close_reason = c->reason;
  o->error = c->error;
  o->orphan = c->slot == FIN_NONE_IDX;
  o->srtt = fin_rtt_srtt(&c->rtt);
  o->rttvar = c->rtt.rttvar;
  o->rto = c->rtt.rto;
  o->retransmits = c->backoff;
  o->total_retrans = c->total_retrans;
  o->backoff = c->backoff;
  o->unacked = c->snd_max - c->snd_una;
  o->snd_queued = fin_conn_snd(c)->len;
  o->rcv_queued = fin_conn_rcv(c)->len;
  o->snd_mss = c->snd_mss;
  o->rcv_mss = c->rcv_mss;
  o->snd_wnd = c->snd_wnd;
  o->rcv_wnd = fin_conn_rcv_wnd(c);
  o->cwnd = c->cwnd;
  o->ssthresh = c->ssthresh;
  o->snd_wscale = c->snd_wscale;
  o->rcv_wscale = c->rcv_wscale;
  o->ts_ok = c->ts_ok;
  o->sack_ok = c->sack_ok;
  o->ecn_ok = c->ecn_ok;
  o->ecn_seen = c->ecn_seen;
  o->probes = c->probes;
  o->iss = c->iss;
  o->irs = c->irs;
  o->snd_una = c->snd_una;
  o->snd_nxt = c->snd_max;
  o->rcv_nxt = c->rcv_nxt;
  o->next_deadline = c->deadline;
  o->next_timer = FIN_TIMER_NONE;
  static const enum fin_timer_kind kinds[CT_COUNT] = {FIN_TIMER_RETRANSMIT, FIN_TIMER_DELACK,
                                                      FIN_TIMER_KEEPALIVE, FIN_TIMER_FIN_WAIT_2,
                                                      FIN_TIMER_LINGER};
  for (int i = 0; i < CT_COUNT; i++)
    if (c->deadline != FIN_NEVER && c->timer[i] == c->deadline)
      o->next_timer = c->persist && i == CT_REXMIT ? FIN_TIMER_PERSIST : kinds[i];
}
