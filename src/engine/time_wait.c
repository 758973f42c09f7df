/* SPDX-License-Identifier: MIT */
/* TIME-WAIT (RFC 9293 §3.10.7.4 "TIME-WAIT STATE", BEHAVIOR E1-E9): once a
 * connection enters TIME-WAIT its TCB and buffers are freed and a compact
 * record carries the state (40 bytes for IPv4, 48 for IPv6; where they live:
 * time_wait_store.c). Restarting (E2) moves the record to the end of its
 * log, expiry and recycling (E8) take the oldest log head. */
#include "internal.h"
#include "policy.h"

static struct fin_tw *rec(const struct fin_stack *st, uint32_t i) {
  return fin_tw_rec(st, i);
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

/* Frees a record; the CLOSED event says why (BEHAVIOR M17: a suspended
 * record too - it ends here, whoever held it). A suspended record (E4) also
 * unhooks the reopened connection that held it. */
void fin_tw_release(struct fin_stack *st, uint32_t i, enum fin_close_reason reason) {
  struct fin_tw *tw = rec(st, i);
  struct fin_4tuple t;
  fin_tw_tuple(st, i, &t); /* its bucket, the events, a suspended record's connection */
  if (tw->flags & TW_SUSPENDED) {
    struct fin_conn *c = fin_conn_lookup(st, &t);
    if (c != NULL && c->tw_suspended == i)
      c->tw_suspended = FIN_NONE_IDX;
  }
  fin_event_tw(st, &t, tw->conn_id, reason);
  fin_tw_store_free(st, i, &t);
  st->c.tw_current--;
}

static uint32_t tw_alloc(struct fin_stack *st, const struct fin_4tuple *t) {
  uint32_t oldest = st->tw_count >= st->s.max_time_wait ? fin_tw_oldest(st) : FIN_NONE_IDX;
  if (oldest != FIN_NONE_IDX) {
    /* BEHAVIOR E8: at the cap the oldest record is recycled, counted. */
    st->c.tw_recycled++;
    fin_tw_release(st, oldest, FIN_REASON_TIME_WAIT_RECYCLED);
  }
  if (st->tw_count >= st->s.max_time_wait)
    return FIN_NONE_IDX;
  return fin_tw_store_alloc(st, t);
}

static void tw_fill(struct fin_stack *st, struct fin_tw *tw, const struct fin_conn *c) {
  uint32_t hash_next = tw->hash_next;
  memset(tw, 0, sizeof(*tw));
  tw->hash_next = hash_next;
  tw->snd_nxt = c->snd_max;
  tw->rcv_nxt = c->rcv_nxt;
  tw->ts_recent = c->ts_recent;
  tw->conn_id = (uint32_t)c->id;
  uint32_t w = fin_conn_rcv_wnd(c) >> c->rcv_wscale;
  tw->wnd = (uint16_t)(w > 0xffff ? 0xffff : w);
  tw->flags = (uint8_t)((c->ts_ok ? TW_TS_OK : 0) | (c->rcv_wscale << 4));
  tw_set_deadline(st, tw);
}

/* ts_offset: the connection's RFC 7323 offset (a record recomputes it). */
static void tw_send_ack(struct fin_stack *st, const struct fin_tw *tw, const struct fin_4tuple *t,
                        uint32_t ts_offset) {
  struct fin_ctl k;
  memset(&k, 0, sizeof(k));
  k.tuple = *t;
  k.seq = tw->snd_nxt;
  k.ack = tw->rcv_nxt;
  k.flags = FIN_TCP_ACK;
  k.wnd = tw->wnd;
  if (tw->flags & TW_TS_OK) {
    k.has_ts = 1;
    fin_time tick = 1000000000LL / st->s.ts_hz;
    k.ts_val = (uint32_t)(st->now / tick) + ts_offset;
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
  uint32_t i = tw_alloc(st, &c->tuple);
  if (i == FIN_NONE_IDX) {
    /* No record: the ACK still goes out, TIME-WAIT is skipped (counted)
     * and the connection ends here, with its CLOSED event (M17). */
    st->c.tw_overflow++;
    struct fin_tw tmp = {0};
    tw_fill(st, &tmp, c);
    if (send_ack)
      tw_send_ack(st, &tmp, &c->tuple, c->ts_offset);
    fin_conn_terminate(st, c, FIN_REASON_GRACEFUL, 0);
    return;
  }
  struct fin_tw *tw = rec(st, i);
  tw_fill(st, tw, c);
  st->c.tw_current++;
  if (send_ack)
    tw_send_ack(st, tw, &c->tuple, c->ts_offset);
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

/* The record goes to the end of its log, the place of the latest deadline
 * (without memory for that it keeps its place and its deadline). */
static void tw_restart(struct fin_stack *st, uint32_t i) {
  uint32_t j = fin_tw_store_renew(st, i);
  if (j != FIN_NONE_IDX)
    tw_set_deadline(st, rec(st, j));
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
static void tw_syn_reset(struct fin_stack *st, uint32_t i, const struct fin_4tuple *t) {
  struct fin_tw *tw = rec(st, i);
  struct fin_ctl k;
  memset(&k, 0, sizeof(k));
  k.tuple = *t;
  k.seq = tw->snd_nxt;
  k.ack = tw->rcv_nxt;
  k.flags = FIN_TCP_RST | FIN_TCP_ACK;
  if (fin_ctl_push(st, &k))
    st->c.rst_abort++;
  st->c.legacy_syn_resets++;
  fin_tw_release(st, i, FIN_REASON_TIME_WAIT_RESET);
}

static void tw_syn(struct fin_stack *st, uint32_t i, const struct fin_segment *seg,
                   const struct fin_4tuple *t) {
  struct fin_tw *tw = rec(st, i);
  if (!tw_abortive(tw) && fin_policy_syn_resets_tw(st, tw, seg)) {
    tw_syn_reset(st, i, t);
    return;
  }
  struct fin_listener *l = fin_listener_lookup(st, &seg->daddr, seg->dport);
  if (l != NULL && !(seg->flags & FIN_TCP_ACK) && syn_may_reopen(tw, seg) &&
      fin_listen_reopen(st, l, seg, i) == 0)
    return;
  if (tw_abortive(tw)) {
    FIN_DROP(st, t, drop_tw_segment); /* A8: absorbed silently */
    return;
  }
  /* RFC 5961 §4: otherwise a challenge ACK. */
  st->c.syn_challenges++;
  if (tw_ack_allowed(st, tw)) {
    st->c.challenge_acks++;
    tw_send_ack(st, tw, t, fin_tw_ts_offset(st, t));
  }
}

/* BEHAVIOR E3: the default kills TIME-WAIT only on an exact SEG.SEQ ==
 * RCV.NXT (Linux); rfc1337 ignores every RST (RFC 1337 TIME-WAIT
 * assassination). RSTs are exempt from PAWS (E5). */
static void tw_rst(struct fin_stack *st, uint32_t i, const struct fin_segment *seg,
                   const struct fin_4tuple *t) {
  struct fin_tw *tw = rec(st, i);
  if (st->s.rfc1337 || seg->seq != tw->rcv_nxt) {
    FIN_DROP(st, t, drop_rst_time_wait);
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
static void tw_no_ack(struct fin_stack *st, struct fin_tw *tw, const struct fin_segment *seg,
                      const struct fin_4tuple *t) {
  FIN_DROP(st, t, drop_tw_segment);
  if (!tw_acceptable(tw, seg) && tw_ack_allowed(st, tw))
    tw_send_ack(st, tw, t, fin_tw_ts_offset(st, t));
}

void fin_tw_input(struct fin_stack *st, uint32_t i, const struct fin_segment *seg) {
  struct fin_tw *tw = rec(st, i);
  struct fin_4tuple t = fin_tuple_of(seg);
  if (seg->flags & FIN_TCP_RST) {
    tw_rst(st, i, seg, &t);
    return;
  }
  if (seg->flags & FIN_TCP_SYN) {
    tw_syn(st, i, seg, &t);
    return;
  }
  if (tw_abortive(tw)) {
    /* A8: stragglers the peer sent before our RST reached it. */
    FIN_DROP(st, &t, drop_tw_segment);
    return;
  }
  if (tw_paws_reject(tw, seg)) {
    FIN_DROP(st, &t, drop_paws_tw);
    if (tw_ack_allowed(st, tw))
      tw_send_ack(st, tw, &t, fin_tw_ts_offset(st, &t));
    return;
  }
  if (!(seg->flags & FIN_TCP_ACK)) {
    tw_no_ack(st, tw, seg, &t);
    return;
  }
  uint32_t end = seg->seq + seg->payload_len + !!(seg->flags & FIN_TCP_FIN);
  if ((seg->flags & FIN_TCP_FIN) && end == tw->rcv_nxt) {
    /* BEHAVIOR E2: the retransmitted FIN means our last ACK was lost: ACK
     * it (never throttled: the peer is owed this ACK) and restart 2*MSL. */
    if (seg->opts.has_ts && (tw->flags & TW_TS_OK) && seq_geq(seg->opts.ts_val, tw->ts_recent))
      tw->ts_recent = seg->opts.ts_val;
    st->c.tw_fin_reacked++;
    tw_send_ack(st, tw, &t, fin_tw_ts_offset(st, &t));
    tw_restart(st, i);
    return;
  }
  /* The peer's duplicate final ACK needs no answer; an ACK of data never
   * sent (SEG.ACK > SND.NXT) does, in TIME-WAIT as in every synchronized
   * state (RFC 5961 §5.2, BEHAVIOR I3; FreeBSD tcp_twcheck). */
  bool old_dup_ack = seg->seq == tw->rcv_nxt && seg->payload_len == 0 &&
                     !(seg->flags & FIN_TCP_FIN) && !seq_gt(seg->ack, tw->snd_nxt);
  FIN_DROP(st, &t, drop_tw_segment);
  if (!old_dup_ack && tw_ack_allowed(st, tw))
    tw_send_ack(st, tw, &t, fin_tw_ts_offset(st, &t)); /* BEHAVIOR E6 */
}

void fin_tw_expire(struct fin_stack *st, fin_time now) {
  (void)now;
  for (uint32_t i; (i = fin_tw_oldest(st)) != FIN_NONE_IDX && tw_expired(st, rec(st, i));) {
    st->c.tw_expired++;
    fin_tw_release(st, i, FIN_REASON_TIME_WAIT_DONE);
  }
}

fin_time fin_tw_next_deadline(const struct fin_stack *st) {
  uint32_t i = fin_tw_oldest(st);
  if (i == FIN_NONE_IDX)
    return FIN_NEVER;
  return tw_deadline_ns(st, rec(st, i));
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

void fin_tw_info(const struct fin_stack *st, uint32_t i, struct fin_conn_info *o) {
  const struct fin_tw *tw = rec(st, i);
  memset(o, 0, sizeof(*o));
  o->conn_id = tw->conn_id;
  o->sock = -1;
  fin_tw_tuple(st, i, &o->tuple);
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
