/* SPDX-License-Identifier: MIT */
/* TIME-WAIT (RFC 9293 §3.10.7.4 "TIME-WAIT STATE", BEHAVIOR E1-E9): once a
 * connection enters TIME-WAIT its TCB and buffers are freed and a 48-byte
 * record carries the state. Records live in a slab (indices, not pointers),
 * a keyed hash by 4-tuple, and a doubly linked FIFO ordered by deadline:
 * every record lasts 2*MSL, so appending keeps the FIFO sorted, restarting
 * (E2) is unlink + append, expiry and recycling (E8) take the head. */
#include "internal.h"
#include "policy.h"

#define TW_INITIAL 64u

static struct fin_tw *rec(const struct fin_stack *st, uint32_t i) {
  return &st->tw[i];
}

static uint32_t now_ms(const struct fin_stack *st) {
  return (uint32_t)(st->now / 1000000);
}

static bool tw_expired(const struct fin_stack *st, const struct fin_tw *tw) {
  return (int32_t)(now_ms(st) - tw->deadline_ms) >= 0;
}

static fin_time tw_deadline_ns(const struct fin_stack *st, const struct fin_tw *tw) {
  int32_t ahead = (int32_t)(tw->deadline_ms - now_ms(st));
  return (st->now / 1000000 + ahead) * 1000000;
}

static void tw_set_deadline(struct fin_stack *st, struct fin_tw *tw) {
  /* Rounded up to the next millisecond: never shorter than 2*MSL. */
  fin_time d = st->now + 2 * st->s.msl;
  tw->deadline_ms = (uint32_t)((d + 999999) / 1000000);
}

static int grow_slab(struct fin_stack *st) {
  uint32_t cap = st->tw_cap ? st->tw_cap * 2 : TW_INITIAL;
  struct fin_tw *n = fin_mem_alloc(st, cap * sizeof(*n));
  uint32_t *b = fin_mem_alloc(st, cap * sizeof(*b));
  if (n == NULL || b == NULL) {
    fin_mem_free(st, n, cap * sizeof(*n));
    fin_mem_free(st, b, cap * sizeof(*b));
    return -ENOMEM;
  }
  if (st->tw_cap)
    memcpy(n, st->tw, st->tw_cap * sizeof(*n));
  for (uint32_t i = st->tw_cap; i < cap; i++) {
    n[i].flags = TW_FREE;
    n[i].fifo_next = i + 1 < cap ? i + 1 : st->tw_free;
  }
  st->tw_free = st->tw_cap;
  fin_mem_free(st, st->tw, st->tw_cap * sizeof(*n));
  fin_mem_free(st, st->tw_buckets, st->tw_cap * sizeof(*b));
  st->tw = n;
  st->tw_buckets = b;
  st->tw_cap = cap;
  st->tw_bucket_mask = cap - 1;
  /* Rehash every live record into the bigger bucket array. */
  for (uint32_t i = 0; i < cap; i++)
    b[i] = FIN_NONE_IDX;
  for (uint32_t i = 0; i < cap; i++) {
    if (n[i].flags & TW_FREE)
      continue;
    uint32_t h = fin_tuple_hash(st, &n[i].tuple) & st->tw_bucket_mask;
    n[i].hash_next = b[h];
    b[h] = i;
  }
  return 0;
}

int fin_tw_init(struct fin_stack *st) {
  st->tw_free = FIN_NONE_IDX;
  st->tw_fifo_head = st->tw_fifo_tail = FIN_NONE_IDX;
  return grow_slab(st);
}

void fin_tw_free_all(struct fin_stack *st) {
  fin_mem_free(st, st->tw, st->tw_cap * sizeof(*st->tw));
  fin_mem_free(st, st->tw_buckets, st->tw_cap * sizeof(*st->tw_buckets));
  st->tw = NULL;
  st->tw_buckets = NULL;
  st->tw_cap = 0;
}

uint32_t fin_tw_lookup(const struct fin_stack *st, const struct fin_4tuple *t) {
  uint32_t i = st->tw_buckets[fin_tuple_hash(st, t) & st->tw_bucket_mask];
  while (i != FIN_NONE_IDX) {
    const struct fin_tw *tw = rec(st, i);
    if (tw->tuple.remote_addr == t->remote_addr && tw->tuple.remote_port == t->remote_port &&
        tw->tuple.local_addr == t->local_addr && tw->tuple.local_port == t->local_port)
      return i;
    i = tw->hash_next;
  }
  return FIN_NONE_IDX;
}

static void fifo_unlink(struct fin_stack *st, uint32_t i) {
  struct fin_tw *tw = rec(st, i);
  if (tw->fifo_prev != FIN_NONE_IDX)
    rec(st, tw->fifo_prev)->fifo_next = tw->fifo_next;
  else
    st->tw_fifo_head = tw->fifo_next;
  if (tw->fifo_next != FIN_NONE_IDX)
    rec(st, tw->fifo_next)->fifo_prev = tw->fifo_prev;
  else
    st->tw_fifo_tail = tw->fifo_prev;
}

static void fifo_append(struct fin_stack *st, uint32_t i) {
  struct fin_tw *tw = rec(st, i);
  tw->fifo_next = FIN_NONE_IDX;
  tw->fifo_prev = st->tw_fifo_tail;
  if (st->tw_fifo_tail != FIN_NONE_IDX)
    rec(st, st->tw_fifo_tail)->fifo_next = i;
  else
    st->tw_fifo_head = i;
  st->tw_fifo_tail = i;
}

static void hash_unlink(struct fin_stack *st, uint32_t i) {
  uint32_t *pp = &st->tw_buckets[fin_tuple_hash(st, &rec(st, i)->tuple) & st->tw_bucket_mask];
  while (*pp != FIN_NONE_IDX && *pp != i)
    pp = &rec(st, *pp)->hash_next;
  if (*pp == i)
    *pp = rec(st, i)->hash_next;
}

/* Frees a record; the CLOSED event says why (BEHAVIOR M17: a suspended
 * record too - it ends here, whoever held it). A suspended record (E4) also
 * unhooks the reopened connection that held it. */
void fin_tw_release(struct fin_stack *st, uint32_t i, enum fin_close_reason reason) {
  struct fin_tw *tw = rec(st, i);
  if (tw->flags & TW_SUSPENDED) {
    struct fin_conn *c = fin_conn_lookup(st, &tw->tuple);
    if (c != NULL && c->tw_suspended == i)
      c->tw_suspended = FIN_NONE_IDX;
  }
  fin_event_tw(st, tw, reason);
  fifo_unlink(st, i);
  hash_unlink(st, i);
  tw->flags = TW_FREE;
  tw->fifo_next = st->tw_free;
  st->tw_free = i;
  st->tw_count--;
  st->c.tw_current--;
}

static uint32_t tw_alloc(struct fin_stack *st) {
  if (st->tw_count >= st->s.max_time_wait && st->tw_fifo_head != FIN_NONE_IDX) {
    /* BEHAVIOR E8: at the cap the oldest record is recycled, counted. */
    st->c.tw_recycled++;
    fin_tw_release(st, st->tw_fifo_head, FIN_REASON_TIME_WAIT_RECYCLED);
  }
  if (st->tw_count >= st->s.max_time_wait || (st->tw_free == FIN_NONE_IDX && grow_slab(st) != 0))
    return FIN_NONE_IDX;
  uint32_t i = st->tw_free;
  st->tw_free = rec(st, i)->fifo_next;
  return i;
}

static void tw_fill(struct fin_stack *st, struct fin_tw *tw, const struct fin_conn *c) {
  memset(tw, 0, sizeof(*tw));
  tw->tuple = c->tuple;
  tw->snd_nxt = c->snd_max;
  tw->rcv_nxt = c->rcv_nxt;
  tw->ts_recent = c->ts_recent;
  tw->conn_id = (uint32_t)c->id;
  uint32_t w = fin_conn_rcv_wnd(c) >> c->rcv_wscale;
  tw->wnd = (uint16_t)(w > 0xffff ? 0xffff : w);
  tw->flags = (uint8_t)((c->ts_ok ? TW_TS_OK : 0) | (c->rcv_wscale << 4));
  tw_set_deadline(st, tw);
}

static void tw_send_ack(struct fin_stack *st, const struct fin_tw *tw) {
  struct fin_ctl k;
  memset(&k, 0, sizeof(k));
  k.tuple = tw->tuple;
  k.seq = tw->snd_nxt;
  k.ack = tw->rcv_nxt;
  k.flags = FIN_TCP_ACK;
  k.wnd = tw->wnd;
  if (tw->flags & TW_TS_OK) {
    k.has_ts = 1;
    fin_time tick = 1000000000LL / st->s.ts_hz;
    k.ts_val = (uint32_t)(st->now / tick) + fin_tw_ts_offset(st, &tw->tuple);
    k.ts_ecr = tw->ts_recent;
  }
  fin_ctl_push(st, &k);
}

/* The connection leaves the hash, timers and output list; what the
 * application may still hold is a shell reporting TIME-WAIT, then CLOSED. */
static void retire_conn(struct fin_stack *st, struct fin_conn *c) {
  if (c->reason == FIN_REASON_NONE)
    c->reason = FIN_REASON_GRACEFUL;
  fin_conn_terminate_quiet(st, c);
}

void fin_tw_enter(struct fin_stack *st, struct fin_conn *c, bool send_ack) {
  fin_conn_set_state(st, c, FIN_TIME_WAIT);
  st->c.tw_entered++;
  uint32_t i = tw_alloc(st);
  if (i == FIN_NONE_IDX) {
    /* No record: the ACK still goes out, TIME-WAIT is skipped (counted)
     * and the connection ends here, with its CLOSED event (M17). */
    st->c.tw_overflow++;
    struct fin_tw tmp;
    tw_fill(st, &tmp, c);
    if (send_ack)
      tw_send_ack(st, &tmp);
    fin_conn_terminate(st, c, FIN_REASON_GRACEFUL, 0);
    return;
  }
  struct fin_tw *tw = rec(st, i);
  tw_fill(st, tw, c);
  uint32_t h = fin_tuple_hash(st, &tw->tuple) & st->tw_bucket_mask;
  tw->hash_next = st->tw_buckets[h];
  st->tw_buckets[h] = i;
  fifo_append(st, i);
  st->tw_count++;
  st->c.tw_current++;
  if (send_ack)
    tw_send_ack(st, tw);
  retire_conn(st, c);
}

void fin_tw_enter_abortive(struct fin_stack *st, struct fin_conn *c) {
  struct fin_4tuple t = c->tuple;
  fin_tw_enter(st, c, false);
  uint32_t i = fin_tw_lookup(st, &t);
  if (i != FIN_NONE_IDX)
    rec(st, i)->flags |= TW_ABORTIVE;
}

static bool tw_abortive(const struct fin_tw *tw) {
  return (tw->flags & TW_ABORTIVE) == TW_ABORTIVE;
}

/* BEHAVIOR A6/E6: at most one unsolicited ACK per challenge interval per
 * record. The last ACK time is kept in 8 bits of quarter intervals; a gap
 * of exactly 64 intervals can alias and delay one ACK, never send extra. */
static bool tw_ack_allowed(struct fin_stack *st, struct fin_tw *tw) {
  fin_time unit = st->s.challenge_ack_interval / 4;
  if (unit <= 0)
    return true;
  uint8_t tick = (uint8_t)(st->now / unit);
  if ((tw->flags & TW_ACKED) && (uint8_t)(tick - tw->ack_tick) < 4) {
    st->c.ack_rate_limited++;
    return false;
  }
  tw->flags |= TW_ACKED;
  tw->ack_tick = tick;
  return true;
}

static void tw_restart(struct fin_stack *st, uint32_t i) {
  tw_set_deadline(st, rec(st, i));
  fifo_unlink(st, i);
  fifo_append(st, i);
}

/* BEHAVIOR E4 (RFC 9293 §3.10.7.4 MAY-2, RFC 6191 §2): a SYN may reopen
 * the 4-tuple if its timestamp is newer, or equal with a sequence number
 * beyond RCV.NXT; without timestamps, if its sequence number is beyond
 * RCV.NXT. */
static bool syn_may_reopen(const struct fin_tw *tw, const struct fin_segment *seg) {
  if ((tw->flags & TW_TS_OK) && seg->opts.has_ts)
    return seq_gt(seg->opts.ts_val, tw->ts_recent) ||
           (seg->opts.ts_val == tw->ts_recent && seq_gt(seg->seq, tw->rcv_nxt));
  return seq_gt(seg->seq, tw->rcv_nxt);
}

/* insecure_syn (RFC 793 §3.9): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, as
 * from the connection, and the record goes. */
static void tw_syn_reset(struct fin_stack *st, uint32_t i) {
  struct fin_tw *tw = rec(st, i);
  struct fin_ctl k;
  memset(&k, 0, sizeof(k));
  k.tuple = tw->tuple;
  k.seq = tw->snd_nxt;
  k.ack = tw->rcv_nxt;
  k.flags = FIN_TCP_RST | FIN_TCP_ACK;
  if (fin_ctl_push(st, &k))
    st->c.rst_abort++;
  st->c.legacy_syn_resets++;
  fin_tw_release(st, i, FIN_REASON_TIME_WAIT_RESET);
}

static void tw_syn(struct fin_stack *st, uint32_t i, const struct fin_segment *seg) {
  struct fin_tw *tw = rec(st, i);
  if (!tw_abortive(tw) && fin_policy_syn_resets_tw(st, tw, seg)) {
    tw_syn_reset(st, i);
    return;
  }
  struct fin_listener *l = fin_listener_lookup(st, seg->daddr, seg->dport);
  if (l != NULL && !(seg->flags & FIN_TCP_ACK) && syn_may_reopen(tw, seg) &&
      fin_listen_reopen(st, l, seg, i) == 0)
    return;
  if (tw_abortive(tw)) {
    FIN_DROP(st, &tw->tuple, drop_tw_segment); /* A8: absorbed silently */
    return;
  }
  /* RFC 5961 §4: otherwise a challenge ACK. */
  st->c.syn_challenges++;
  if (tw_ack_allowed(st, tw)) {
    st->c.challenge_acks++;
    tw_send_ack(st, tw);
  }
}

/* BEHAVIOR E3: the default kills TIME-WAIT only on an exact SEG.SEQ ==
 * RCV.NXT (Linux); rfc1337 ignores every RST (RFC 1337 TIME-WAIT
 * assassination). RSTs are exempt from PAWS (E5). */
static void tw_rst(struct fin_stack *st, uint32_t i, const struct fin_segment *seg) {
  struct fin_tw *tw = rec(st, i);
  if (st->s.rfc1337 || seg->seq != tw->rcv_nxt) {
    FIN_DROP(st, &tw->tuple, drop_rst_time_wait);
    return;
  }
  st->c.tw_killed++;
  fin_tw_release(st, i, FIN_REASON_TIME_WAIT_RESET);
}

/* RFC 7323 §5.3 (BEHAVIOR E5): PAWS in TIME-WAIT. */
static bool tw_paws_reject(const struct fin_tw *tw, const struct fin_segment *seg) {
  return (tw->flags & TW_TS_OK) && seg->opts.has_ts && seq_lt(seg->opts.ts_val, tw->ts_recent);
}

/* §3.10.7.4 first check, against the window the record last advertised. */
static bool tw_acceptable(const struct fin_tw *tw, const struct fin_segment *seg) {
  uint32_t wnd = (uint32_t)tw->wnd << (tw->flags >> 4);
  uint32_t len = seg->payload_len + !!(seg->flags & FIN_TCP_FIN), nxt = tw->rcv_nxt;
  if (len == 0)
    return seq_geq(seg->seq, nxt) && seq_leq(seg->seq, nxt + wnd);
  return wnd > 0 &&
         (seq_in(seg->seq, nxt, nxt + wnd) || seq_in(seg->seq + len - 1, nxt, nxt + wnd));
}

/* BEHAVIOR M12: without the ACK bit an acceptable segment is dropped
 * silently (§3.10.7.4 fifth check); only an unacceptable one is answered,
 * with the rate-limited ACK of the first check. Neither restarts 2*MSL. */
static void tw_no_ack(struct fin_stack *st, struct fin_tw *tw, const struct fin_segment *seg) {
  FIN_DROP(st, &tw->tuple, drop_tw_segment);
  if (!tw_acceptable(tw, seg) && tw_ack_allowed(st, tw))
    tw_send_ack(st, tw);
}

void fin_tw_input(struct fin_stack *st, uint32_t i, const struct fin_segment *seg) {
  struct fin_tw *tw = rec(st, i);
  if (seg->flags & FIN_TCP_RST) {
    tw_rst(st, i, seg);
    return;
  }
  if (seg->flags & FIN_TCP_SYN) {
    tw_syn(st, i, seg);
    return;
  }
  if (tw_abortive(tw)) {
    /* A8: stragglers the peer sent before our RST reached it. */
    FIN_DROP(st, &tw->tuple, drop_tw_segment);
    return;
  }
  if (tw_paws_reject(tw, seg)) {
    FIN_DROP(st, &tw->tuple, drop_paws_tw);
    if (tw_ack_allowed(st, tw))
      tw_send_ack(st, tw);
    return;
  }
  if (!(seg->flags & FIN_TCP_ACK)) {
    tw_no_ack(st, tw, seg);
    return;
  }
  uint32_t end = seg->seq + seg->payload_len + !!(seg->flags & FIN_TCP_FIN);
  if ((seg->flags & FIN_TCP_FIN) && end == tw->rcv_nxt) {
    /* BEHAVIOR E2: the retransmitted FIN means our last ACK was lost: ACK
     * it (never throttled: the peer is owed this ACK) and restart 2*MSL. */
    if (seg->opts.has_ts && (tw->flags & TW_TS_OK) && seq_geq(seg->opts.ts_val, tw->ts_recent))
      tw->ts_recent = seg->opts.ts_val;
    st->c.tw_fin_reacked++;
    tw_send_ack(st, tw);
    tw_restart(st, i);
    return;
  }
  bool old_dup_ack =
      seg->seq == tw->rcv_nxt && seg->payload_len == 0 && !(seg->flags & FIN_TCP_FIN);
  FIN_DROP(st, &tw->tuple, drop_tw_segment);
  if (!old_dup_ack && tw_ack_allowed(st, tw))
    tw_send_ack(st, tw); /* BEHAVIOR E6 */
}

void fin_tw_expire(struct fin_stack *st, fin_time now) {
  (void)now;
  while (st->tw_fifo_head != FIN_NONE_IDX && tw_expired(st, rec(st, st->tw_fifo_head))) {
    st->c.tw_expired++;
    fin_tw_release(st, st->tw_fifo_head, FIN_REASON_TIME_WAIT_DONE);
  }
}

fin_time fin_tw_next_deadline(const struct fin_stack *st) {
  if (st->tw_fifo_head == FIN_NONE_IDX)
    return FIN_NEVER;
  return tw_deadline_ns(st, rec(st, st->tw_fifo_head));
}

/* BEHAVIOR E4: the reopened connection failed (the SYN was an old
 * duplicate): the record takes over again where it was. */
void fin_tw_restore(struct fin_stack *st, uint32_t i) {
  struct fin_tw *tw = rec(st, i);
  tw->flags &= (uint8_t)~TW_SUSPENDED;
  st->c.tw_restored++;
  if (tw_expired(st, tw)) {
    st->c.tw_expired++;
    fin_tw_release(st, i, FIN_REASON_TIME_WAIT_DONE);
  }
}

void fin_tw_suspend(struct fin_stack *st, uint32_t i) {
  rec(st, i)->flags |= TW_SUSPENDED;
  st->c.tw_reopened++;
}

void fin_tw_unsuspend_release(struct fin_stack *st, uint32_t i) {
  rec(st, i)->flags &= (uint8_t)~TW_SUSPENDED;
  fin_tw_release(st, i, FIN_REASON_TIME_WAIT_REOPENED);
}

uint32_t fin_tw_snd_nxt(const struct fin_stack *st, uint32_t i) {
  return rec(st, i)->snd_nxt;
}

/* BEHAVIOR E9: an outgoing connection may take over a TIME-WAIT 4-tuple
 * only when timestamps protect the new one from the old one's segments
 * (like Linux tcp_tw_reuse): the record has TS and is at least 1 s old. */
bool fin_tw_reuse_ok(struct fin_stack *st, const struct fin_4tuple *t) {
  uint32_t i = fin_tw_lookup(st, t);
  if (i == FIN_NONE_IDX)
    return true;
  struct fin_tw *tw = rec(st, i);
  fin_time entered = tw_deadline_ns(st, tw) - 2 * st->s.msl;
  if (!st->s.tw_reuse || !(tw->flags & TW_TS_OK) || (tw->flags & TW_SUSPENDED) ||
      st->now - entered < FIN_SEC(1))
    return false;
  st->c.tw_recycled++;
  fin_tw_release(st, i, FIN_REASON_TIME_WAIT_RECYCLED);
  return true;
}

void fin_tw_info(const struct fin_stack *st, const struct fin_tw *tw, struct fin_conn_info *o) {
  memset(o, 0, sizeof(*o));
  o->conn_id = tw->conn_id;
  o->sock = -1;
  o->tuple = tw->tuple;
  o->state = FIN_TIME_WAIT;
  o->close_reason = FIN_REASON_GRACEFUL;
  o->orphan = true;
  o->ts_ok = (tw->flags & TW_TS_OK) != 0;
  o->rcv_wscale = tw_abortive(tw) ? 0 : (uint8_t)(tw->flags >> 4);
  o->snd_nxt = o->snd_una = tw->snd_nxt;
  o->rcv_nxt = tw->rcv_nxt;
  o->next_deadline = tw_deadline_ns(st, tw);
  o->next_timer = FIN_TIMER_TIME_WAIT;
}
