/* SEGMENT ARRIVES in SYN-RECEIVED and the synchronized states, in the order
 * of RFC 9293 §3.10.7.4: one short function per step, each returning a
 * disposition that fin_conn_input acts on. A step that ends the connection
 * returns GONE and nothing touches the TCB after it. */
#include "internal.h"
#include "policy.h"

enum disposition {
  CONTINUE = 0,
  DROP,     /* silently */
  DROP_ACK, /* drop, answer with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (A5) */
  DROP_RST, /* drop, answer with <SEQ=SEG.ACK><CTL=RST> (A4) */
  GONE,     /* the connection ended; its TCB may be freed */
};

/* The segment as trimmed to the receive window. */
struct seg_view {
  const struct fin_segment *seg;
  uint32_t seq;
  const uint8_t *data;
  uint32_t len;
  bool syn, fin;
  bool syn_accepted; /* K3: the SYN of a simultaneous-open SYN-ACK, already had */
};

static uint32_t seg_len(const struct seg_view *v) {
  return v->len + v->syn + v->fin;
}

/* A6: challenge and duplicate ACKs are rate-limited per connection. */
bool fin_challenge_ack(struct fin_stack *st, struct fin_conn *c) {
  fin_time iv = st->s.challenge_ack_interval;
  if (iv > 0 && c->last_challenge != 0 && st->now - c->last_challenge < iv) {
    st->c.ack_rate_limited++;
    return false;
  }
  c->last_challenge = st->now == 0 ? 1 : st->now;
  c->ack_now = 1;
  fin_conn_output_mark(st, c);
  return true;
}

/* RFC 7323 §5.3 R1-R3 (BEHAVIOR E5): PAWS, RST exempt. */
static enum disposition check_paws(struct fin_stack *st, struct fin_conn *c,
                                   const struct seg_view *v) {
  const struct fin_segment *seg = v->seg;
  if (fin_policy_missing_ts_drops(st, c, seg)) {
    FIN_DROP(st, &c->tuple, drop_missing_ts); /* RFC 7323 §3.2 */
    return DROP;
  }
  if (!c->ts_ok || !seg->opts.has_ts || (seg->flags & FIN_TCP_RST))
    return CONTINUE;
  /* RFC 7323 §5.5: a TS.Recent idle for more than 24 days is invalid. */
  if (st->now - c->ts_recent_stamp > FIN_SEC(24LL * 24 * 3600))
    return CONTINUE;
  if (!seq_lt(seg->opts.ts_val, c->ts_recent))
    return CONTINUE;
  FIN_DROP(st, &c->tuple, drop_paws);
  return DROP_ACK;
}

static bool seq_acceptable(const struct fin_conn *c, const struct seg_view *v) {
  uint32_t wnd = fin_conn_rcv_wnd(c), len = seg_len(v), nxt = c->rcv_nxt;
  if (len == 0)
    return wnd == 0 ? v->seq == nxt : seq_in(v->seq, nxt, nxt + wnd);
  if (wnd == 0)
    return false;
  return seq_in(v->seq, nxt, nxt + wnd) || seq_in(v->seq + len - 1, nxt, nxt + wnd);
}

/* Trims what lies before RCV.NXT or beyond the window (RFC 9293 §3.10.7.4
 * first, "segments with higher beginning sequence numbers..."). */
static void trim_to_window(const struct fin_conn *c, struct seg_view *v) {
  if (v->syn && seq_lt(v->seq, c->rcv_nxt)) {
    v->syn = false;
    v->seq++;
  }
  if (seq_lt(v->seq, c->rcv_nxt)) {
    uint32_t cut = c->rcv_nxt - v->seq;
    if (cut > v->len)
      cut = v->len;
    v->data += cut;
    v->len -= cut;
    v->seq += cut;
    if (v->fin && seq_lt(v->seq, c->rcv_nxt))
      v->fin = false; /* the FIN itself was already received */
  }
  uint32_t right = c->rcv_nxt + fin_conn_rcv_wnd(c);
  if (seq_gt(v->seq + v->len, right)) {
    v->len = seq_gt(right, v->seq) ? right - v->seq : 0;
    v->fin = false;
  }
}

/* First: the sequence number (BEHAVIOR A5). */
static enum disposition check_sequence(struct fin_stack *st, struct fin_conn *c,
                                       struct seg_view *v) {
  if (seq_acceptable(c, v)) {
    trim_to_window(c, v);
    return CONTINUE;
  }
  if (v->seg->flags & FIN_TCP_RST) {
    FIN_DROP(st, &c->tuple, drop_rst_out_of_window);
    return DROP;
  }
  if (fin_conn_rcv_wnd(c) == 0 && v->seq == c->rcv_nxt) {
    /* §3.10.7.4: with a zero window, ACKs are still processed; text is not. */
    v->len = 0;
    v->fin = false;
    return CONTINUE;
  }
  FIN_DROP(st, &c->tuple, drop_out_of_window);
  return DROP_ACK;
}

static bool rst_is_exact(const struct fin_conn *c, uint32_t seq) {
  /* H3: RCV.NXT-1 is accepted after a FIN, for peers that send FIN then RST. */
  return seq == c->rcv_nxt || (c->peer_fin && seq == c->rcv_nxt - 1);
}

/* Second: RST (RFC 5961 §3, BEHAVIOR H2-H4). Compared against RCV.NXT,
 * never against the last ACK sent. */
static enum disposition check_rst(struct fin_stack *st, struct fin_conn *c,
                                  const struct seg_view *v) {
  if (!(v->seg->flags & FIN_TCP_RST))
    return CONTINUE;
  bool exact = rst_is_exact(c, v->seg->seq);
  if (!exact && fin_policy_rst_in_window_resets(st))
    st->c.legacy_rst_resets++; /* insecure_rst (RFC 793 §3.4): in the window is enough */
  else if (!exact) {
    st->c.drop_rst_challenged++;
    if (fin_challenge_ack(st, c))
      st->c.challenge_acks++;
    return DROP;
  }
  if (c->state == FIN_SYN_RECEIVED && c->passive) {
    /* H2: from a passive open, back to LISTEN silently: the listener lives
     * on; this embryonic child simply goes. */
    st->c.embryonic_rsts++;
    fin_conn_terminate(st, c, FIN_REASON_RESET, 0);
    return GONE;
  }
  if (c->state == FIN_SYN_RECEIVED) {
    fin_conn_terminate(st, c, FIN_REASON_REFUSED, -ECONNREFUSED); /* MUST-11 */
    return GONE;
  }
  fin_conn_terminate(st, c, FIN_REASON_RESET, -ECONNRESET);
  return GONE;
}

/* Fourth: SYN (RFC 5961 §4, BEHAVIOR I1): a challenge ACK, never a RST. */
static enum disposition check_syn(struct fin_stack *st, struct fin_conn *c,
                                  const struct seg_view *v) {
  if (!(v->seg->flags & FIN_TCP_SYN) || v->syn_accepted)
    return CONTINUE;
  if (fin_policy_syn_resets(st, c, v->seg)) {
    /* insecure_syn (RFC 793 §3.9): RST, and the connection is reset. */
    st->c.legacy_syn_resets++;
    fin_send_rst_from_conn(st, c, &st->c.rst_abort);
    fin_conn_terminate(st, c, FIN_REASON_RESET, -ECONNRESET);
    return GONE;
  }
  st->c.syn_challenges++;
  if (fin_challenge_ack(st, c))
    st->c.challenge_acks++;
  return DROP;
}

/* The SYN-RECEIVED part of the fifth step (BEHAVIOR A4, L1). */
static enum disposition ack_syn_received(struct fin_stack *st, struct fin_conn *c,
                                         const struct fin_segment *seg) {
  if (!(seq_gt(seg->ack, c->snd_una) && seq_leq(seg->ack, c->snd_max)))
    return DROP_RST; /* counted by act() when the RST is queued */
  if (c->parent != NULL && fin_listener_accept_full(c->parent)) {
    st->c.drop_listen_overflow++;
    if (st->s.accept_overflow == FIN_ACCEPT_OVERFLOW_DROP)
      return DROP; /* the peer retransmits its ACK; we retransmit SYN-ACK */
    st->c.rst_accept_overflow++;
    fin_conn_abort(st, c, FIN_REASON_RESET, 0, NULL);
    return GONE;
  }
  /* RFC 7323 §2.2: the window in a SYN is never scaled; later ones are. */
  c->snd_wnd = (uint32_t)seg->wnd << c->snd_wscale;
  c->snd_wl1 = seg->seq;
  c->snd_wl2 = seg->ack;
  if (c->parent != NULL)
    fin_listener_child_established(st, c);
  else
    fin_conn_established(st, c);
  return CONTINUE;
}

static void rtt_measure(struct fin_stack *st, struct fin_conn *c, uint32_t ack) {
  if (c->rtt_start == 0 || !seq_gt(ack, c->rtt_seq))
    return;
  fin_rtt_sample(&c->rtt, st->now - c->rtt_start, &st->s);
  c->rtt_start = 0;
}

/* RFC 5681 §3.1 / RFC 6582 (NewReno): congestion window on a new ACK. */
static void cc_on_ack(struct fin_conn *c, uint32_t acked) {
  if (c->in_recovery) {
    if (seq_geq(c->snd_una, c->recover)) {
      c->in_recovery = 0; /* full ACK: deflate */
      c->cwnd = c->ssthresh;
    } else {
      c->rexmit_one = 1; /* partial ACK: retransmit the next hole */
      c->cwnd = c->cwnd > acked ? c->cwnd - acked + c->snd_mss : c->snd_mss;
    }
    return;
  }
  if (c->cwnd < c->ssthresh)
    c->cwnd += acked < c->snd_mss ? acked : c->snd_mss;
  else
    c->cwnd += (uint32_t)((uint64_t)c->snd_mss * c->snd_mss / c->cwnd) + 1;
}

static void consume_acked(struct fin_conn *c, uint32_t ack) {
  if (!seq_gt(ack, c->snd_buf_seq))
    return;
  uint32_t n = ack - c->snd_buf_seq;
  if (n > c->sndbuf.len)
    n = c->sndbuf.len;
  fin_ring_consume(&c->sndbuf, n);
  c->snd_buf_seq += n;
}

static void new_ack(struct fin_stack *st, struct fin_conn *c, uint32_t ack) {
  uint32_t acked = ack - c->snd_una;
  rtt_measure(st, c, ack);
  c->snd_una = ack;
  if (seq_lt(c->snd_nxt, ack))
    c->snd_nxt = ack;
  consume_acked(c, ack);
  cc_on_ack(c, acked);
  c->dupacks = 0;
  c->backoff = 0;
  c->first_rexmit = st->now;
  if (c->snd_una == c->snd_max)
    fin_conn_timer_clear(st, c, CT_REXMIT);
  else
    fin_conn_rexmit_arm(st, c); /* RFC 6298 (5.3) */
  if (fin_ring_free(&c->sndbuf) > 0 && !c->wr_shutdown)
    fin_event_simple(st, c, FIN_EV_WRITABLE);
}

/* RFC 5681 §3.2: the third duplicate ACK starts fast retransmit. */
static void dup_ack(struct fin_stack *st, struct fin_conn *c, const struct seg_view *v) {
  if (v->len > 0 || v->fin || c->snd_una == c->snd_max || c->persist || c->snd_wnd == 0 ||
      ((uint32_t)v->seg->wnd << c->snd_wscale) != c->snd_wnd)
    return;
  c->dupacks++;
  if (c->in_recovery) {
    c->cwnd += c->snd_mss; /* inflation */
    fin_conn_output_mark(st, c);
    return;
  }
  if (c->dupacks != 3)
    return;
  uint32_t flight = c->snd_max - c->snd_una;
  c->ssthresh = flight / 2 > 2u * c->snd_mss ? flight / 2 : 2u * c->snd_mss;
  c->cwnd = c->ssthresh + 3u * c->snd_mss;
  c->recover = c->snd_max;
  c->in_recovery = 1;
  c->rexmit_one = 1;
  c->rtt_start = 0; /* Karn */
  st->c.fast_retrans++;
  fin_conn_output_mark(st, c);
}

/* RFC 9293 §3.10.7.4 fifth, SND.WND update rule. */
static void update_window(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg) {
  if (!(seq_lt(c->snd_wl1, seg->seq) || (c->snd_wl1 == seg->seq && seq_leq(c->snd_wl2, seg->ack))))
    return;
  uint32_t old = c->snd_wnd;
  c->snd_wnd = (uint32_t)seg->wnd << c->snd_wscale;
  c->snd_wl1 = seg->seq;
  c->snd_wl2 = seg->ack;
  if (c->snd_wnd > c->max_snd_wnd)
    c->max_snd_wnd = c->snd_wnd;
  if (old == 0 && c->snd_wnd > 0) {
    c->persist = 0;          /* J5: the window opened */
    c->snd_nxt = c->snd_una; /* a probe byte the peer did not take goes again */
    fin_conn_timer_clear(st, c, CT_REXMIT);
    if (c->snd_una != c->snd_max)
      fin_conn_rexmit_arm(st, c);
    fin_conn_output_mark(st, c);
  }
}

static bool our_fin_acked(const struct fin_conn *c) {
  return c->fin_sent && seq_gt(c->snd_una, c->fin_seq);
}

/* D3, F1: FIN-WAIT-2 for an orphan is bounded by fin_timeout; a negative
 * TCP_LINGER2 means RST at once instead (Linux). */
static enum disposition enter_fin_wait_2(struct fin_stack *st, struct fin_conn *c) {
  fin_conn_set_state(st, c, FIN_FIN_WAIT_2);
  if (!c->closed_by_app || c->slot != FIN_NONE_IDX)
    return CONTINUE; /* F2: shutdown(SHUT_WR) with the socket open waits */
  if (c->linger2_sec < 0) {
    fin_conn_abort(st, c, FIN_REASON_FIN_WAIT_2_TIMEOUT, 0, &st->c.abort_on_linger);
    return GONE;
  }
  fin_conn_timer_set(st, c, CT_FIN_WAIT_2, st->now + fin_conn_fin_timeout(st, c));
  return CONTINUE;
}

/* The segment starts at RCV.NXT and carries the peer's FIN: the seventh
 * step takes its text and the eighth its FIN. */
static bool fin_in_order(const struct fin_conn *c, const struct seg_view *v) {
  return v->fin && !c->peer_fin && v->seq == c->rcv_nxt;
}

/* The state-specific part of the fifth step (D3, D7, D8). */
static enum disposition ack_closing_states(struct fin_stack *st, struct fin_conn *c,
                                           const struct seg_view *v) {
  if (!our_fin_acked(c))
    return CONTINUE;
  switch (c->state) {
  case FIN_FIN_WAIT_1:
    /* BEHAVIOR D5, RFC 9293 §3.10.7.4 eighth: a FIN that also ACKs ours
     * goes to TIME-WAIT directly; passing through FIN-WAIT-2 would arm (or,
     * with a negative TCP_LINGER2, fire) the orphan's FIN-WAIT-2 rule. */
    if (fin_in_order(c, v))
      return CONTINUE;
    return enter_fin_wait_2(st, c);
  case FIN_CLOSING:
    fin_tw_enter(st, c, false); /* D7 */
    return GONE;
  case FIN_LAST_ACK:
    fin_conn_terminate(st, c, FIN_REASON_GRACEFUL, 0); /* D8 */
    return GONE;
  default:
    return CONTINUE;
  }
}

/* Fifth: the ACK field (RFC 5961 §5, BEHAVIOR I2, I3). */
static enum disposition check_ack(struct fin_stack *st, struct fin_conn *c,
                                  const struct seg_view *v) {
  const struct fin_segment *seg = v->seg;
  if (!(seg->flags & FIN_TCP_ACK)) {
    FIN_DROP(st, &c->tuple, drop_no_ack_flag);
    return DROP;
  }
  if (c->state == FIN_SYN_RECEIVED) {
    enum disposition d = ack_syn_received(st, c, seg);
    if (d != CONTINUE)
      return d;
  }
  c->probes = 0; /* J4, J5: the peer is alive */
  if (seq_gt(seg->ack, c->snd_max)) {
    FIN_DROP(st, &c->tuple, drop_ack_too_new); /* I3 */
    if (fin_challenge_ack(st, c))
      st->c.challenge_acks++;
    return DROP;
  }
  if (seq_lt(seg->ack, c->snd_una - c->max_snd_wnd)) {
    FIN_DROP(st, &c->tuple, drop_ack_too_old); /* I2 */
    if (fin_challenge_ack(st, c))
      st->c.challenge_acks++;
    return DROP;
  }
  if (seq_gt(seg->ack, c->snd_una))
    new_ack(st, c, seg->ack);
  else if (seg->ack == c->snd_una)
    dup_ack(st, c, v);
  update_window(st, c, seg);
  return ack_closing_states(st, c, v);
}

/* D2: out-of-order data waits in the ring; a FIN after a hole waits too. */
static void queue_out_of_order(struct fin_stack *st, struct fin_conn *c, const struct seg_view *v) {
  uint32_t off = v->seq - c->rcv_nxt;
  if (v->len > 0) {
    if (fin_asm_add(&c->ooo, off, off + v->len)) {
      fin_ring_write_at(&c->rcvbuf, c->rcvbuf.len + off, v->data, v->len);
      st->c.ooo_queued++;
    } else {
      FIN_DROP(st, &c->tuple, drop_ooo_no_room);
      return;
    }
  }
  if (v->fin) {
    c->rcv_fin_pending = 1;
    c->rcv_fin_seq = v->seq + v->len;
  }
}

/* In-order bytes go in; whatever out-of-order data they reach is joined. */
static uint32_t deliver_in_order(struct fin_conn *c, const struct seg_view *v) {
  fin_ring_write_at(&c->rcvbuf, c->rcvbuf.len, v->data, v->len);
  fin_asm_add(&c->ooo, 0, v->len);
  uint32_t n = fin_asm_pop_front(&c->ooo);
  fin_ring_commit(&c->rcvbuf, n);
  c->rcv_nxt += n;
  return n;
}

/* RFC 1122 4.2.3.2, RFC 5681 §4.2: ACK at once in quick-ACK mode, for every
 * second full-sized segment, and when a hole fills; otherwise delay. */
static void schedule_ack(struct fin_stack *st, struct fin_conn *c, uint32_t len, bool filled) {
  if (fin_policy_segment_counts_for_ack(st, c, len))
    c->unacked_segs++;
  if (filled || st->s.delack == 0 || c->quickack > 0 || c->unacked_segs >= 2) {
    if (c->quickack > 0)
      c->quickack--;
    c->ack_now = 1;
    fin_conn_output_mark(st, c);
    return;
  }
  if (c->timer[CT_DELACK] == FIN_NEVER)
    fin_conn_timer_set(st, c, CT_DELACK, st->now + st->s.delack);
}

static bool accepts_text(enum fin_state s) {
  return s == FIN_ESTABLISHED || s == FIN_FIN_WAIT_1 || s == FIN_FIN_WAIT_2;
}

/* Seventh: segment text (BEHAVIOR D2, D10, D11, B8). */
static enum disposition process_text(struct fin_stack *st, struct fin_conn *c,
                                     const struct seg_view *v) {
  if (v->len == 0)
    return CONTINUE;
  if (!accepts_text(c->state)) {
    FIN_DROP(st, &c->tuple, drop_after_fin); /* D10 */
    return CONTINUE;
  }
  if (c->closed_by_app && c->slot == FIN_NONE_IDX) {
    /* B8 (RFC 2525 §2.16): nobody will ever read this. Linux answers the
     * segment with <SEQ=SEG.ACK><CTL=RST>. */
    fin_send_rst_for(st, v->seg, &st->c.rst_closed_socket, false);
    st->c.abort_on_data++;
    fin_conn_terminate(st, c, FIN_REASON_DATA_AFTER_CLOSE, -ECONNRESET);
    return GONE;
  }
  c->last_recv = st->now;
  if (fin_conn_rcvbuf_ready(st, c) != 0) {
    /* F3: no memory for the receive ring now; unacknowledged, the data
     * comes again. */
    FIN_DROP(st, &c->tuple, drop_rcv_no_room);
    return CONTINUE;
  }
  if (v->seq != c->rcv_nxt) {
    queue_out_of_order(st, c, v);
    c->ack_now = 1; /* RFC 5681 §4.2: a duplicate ACK at once */
    fin_conn_output_mark(st, c);
    return CONTINUE;
  }
  bool had_holes = !fin_asm_empty(&c->ooo);
  deliver_in_order(c, v);
  schedule_ack(st, c, v->len, had_holes);
  fin_event_simple(st, c, FIN_EV_READABLE);
  return CONTINUE;
}

/* Eighth: FIN (BEHAVIOR D1, D4, D5, D6, D9). */
static enum disposition process_fin(struct fin_stack *st, struct fin_conn *c) {
  c->rcv_nxt++;
  c->peer_fin = 1;
  c->rcv_fin_pending = 0;
  c->ack_now = 1; /* D1: ACK at once */
  fin_conn_output_mark(st, c);
  fin_event_simple(st, c, FIN_EV_READABLE);
  switch (c->state) {
  case FIN_SYN_RECEIVED:
  case FIN_ESTABLISHED:
    fin_conn_set_state(st, c, FIN_CLOSE_WAIT);
    return CONTINUE;
  case FIN_FIN_WAIT_1:
    if (our_fin_acked(c)) {
      fin_tw_enter(st, c, true); /* D5 */
      return GONE;
    }
    fin_conn_set_state(st, c, FIN_CLOSING); /* D4 */
    return CONTINUE;
  case FIN_FIN_WAIT_2:
    fin_tw_enter(st, c, true); /* D6 */
    return GONE;
  default:
    return CONTINUE; /* D9: re-ACK, stay */
  }
}

static enum disposition check_fin(struct fin_stack *st, struct fin_conn *c,
                                  const struct seg_view *v) {
  if (v->fin && v->seq + v->len == c->rcv_nxt && !c->peer_fin)
    return process_fin(st, c);
  if (v->fin && !c->peer_fin && !c->rcv_fin_pending && seq_gt(v->seq + v->len, c->rcv_nxt)) {
    c->rcv_fin_pending = 1; /* D2: the FIN waits for the hole */
    c->rcv_fin_seq = v->seq + v->len;
    c->ack_now = 1; /* RFC 5681 §4.2: an out-of-order segment gets a duplicate ACK at once */
    fin_conn_output_mark(st, c);
  }
  if (c->rcv_fin_pending && c->rcv_fin_seq == c->rcv_nxt)
    return process_fin(st, c);
  return CONTINUE;
}

/* RFC 7323 §4.3: TS.Recent follows the segment that covers Last.ACK.sent. */
static void update_ts_recent(struct fin_stack *st, struct fin_conn *c, const struct seg_view *v) {
  const struct fin_segment *seg = v->seg;
  if (!c->ts_ok || !seg->opts.has_ts || (seg->flags & FIN_TCP_RST))
    return;
  if (seq_geq(seg->opts.ts_val, c->ts_recent) && seq_leq(seg->seq, c->last_ack_sent)) {
    c->ts_recent = seg->opts.ts_val;
    c->ts_recent_stamp = st->now;
  }
}

static enum disposition run_steps(struct fin_stack *st, struct fin_conn *c, struct seg_view *v) {
  enum disposition d;
  if ((d = check_paws(st, c, v)) != CONTINUE)
    return d;
  if ((d = check_sequence(st, c, v)) != CONTINUE)
    return d;
  if ((d = check_rst(st, c, v)) != CONTINUE)
    return d;
  if ((d = check_syn(st, c, v)) != CONTINUE)
    return d;
  update_ts_recent(st, c, v);
  if ((d = check_ack(st, c, v)) != CONTINUE)
    return d;
  if ((d = process_text(st, c, v)) != CONTINUE)
    return d;
  return check_fin(st, c, v);
}

/* A retransmitted SYN in SYN-RECEIVED: our SYN-ACK was lost; send it again. */
static bool syn_received_dup_syn(struct fin_stack *st, struct fin_conn *c,
                                 const struct fin_segment *seg) {
  if (c->state != FIN_SYN_RECEIVED ||
      (seg->flags & (FIN_TCP_SYN | FIN_TCP_ACK | FIN_TCP_RST)) != FIN_TCP_SYN || seg->seq != c->irs)
    return false;
  c->snd_nxt = c->iss;
  fin_conn_output_mark(st, c);
  return true;
}

/* RFC 9293 §3.5 Figure 8 (and RFC 5961 §4 as Linux reads it): in an
 * active SYN-RECEIVED the peer's SYN-ACK repeats the SYN we already have and
 * carries the ACK that establishes the connection. So too in the FIN-WAIT-1
 * a close in that SYN-RECEIVED leads to, while our SYN is unACKed (C3). */
static bool simultaneous_syn_ack(const struct fin_conn *c, const struct fin_segment *seg) {
  bool syn_received =
      c->state == FIN_SYN_RECEIVED || (c->state == FIN_FIN_WAIT_1 && c->snd_una == c->iss);
  return syn_received && !c->passive &&
         (seg->flags & (FIN_TCP_SYN | FIN_TCP_ACK | FIN_TCP_RST)) == (FIN_TCP_SYN | FIN_TCP_ACK) &&
         seg->seq == c->irs;
}

static void act(struct fin_stack *st, struct fin_conn *c, const struct seg_view *v,
                enum disposition d) {
  switch (d) {
  case DROP_ACK:
    /* A5. Data or FIN out of window is owed an ACK (never throttled);
     * empty segments and SYNs get the rate-limited one (A6). */
    if ((v->seg->payload_len > 0 || (v->seg->flags & FIN_TCP_FIN)) &&
        !(v->seg->flags & FIN_TCP_SYN)) {
      c->ack_now = 1;
      fin_conn_output_mark(st, c);
    } else {
      fin_challenge_ack(st, c);
    }
    break;
  case DROP_RST:
    fin_send_rst_for(st, v->seg, &st->c.rst_syn_recv_bad_ack, false);
    break;
  default:
    break;
  }
}

void fin_conn_input(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg) {
  if (c->state == FIN_SYN_SENT) {
    fin_syn_sent_input(st, c, seg);
    return;
  }
  if (syn_received_dup_syn(st, c, seg))
    return;
  if (fin_policy_rst_after_fin(st, c, seg)) {
    /* H3: RCV.NXT-1 after the peer's FIN lies left of the window but is
     * valid, so it is looked at before the sequence check. */
    fin_conn_terminate(st, c, FIN_REASON_RESET, -ECONNRESET);
    return;
  }
  struct seg_view v = {.seg = seg,
                       .seq = seg->seq,
                       .data = seg->payload,
                       .len = seg->payload_len,
                       .syn = (seg->flags & FIN_TCP_SYN) != 0,
                       .fin = (seg->flags & FIN_TCP_FIN) != 0,
                       .syn_accepted = false};
  if (simultaneous_syn_ack(c, seg)) {
    v.syn = false; /* K3: the peer's SYN-ACK completes a simultaneous open */
    v.syn_accepted = true;
    v.seq++;
  }
  enum disposition d = run_steps(st, c, &v);
  if (d == GONE)
    return;
  act(st, c, &v, d);
  if (d == CONTINUE)
    fin_conn_keepalive_reset(st, c);
  fin_conn_send_data_possible(st, c);
}
