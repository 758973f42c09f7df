/* SPDX-License-Identifier: MIT */
/* SEGMENT ARRIVES, fifth check: the ACK field (RFC 9293 §3.10.7.4, RFC 5961
 * §5, RFC 5681 / RFC 6582 congestion control, RFC 7323 §4.3 TS.Recent):
 * what the peer acknowledges, its window, and the state changes an ACK of
 * our FIN brings (D3, D7, D8). */
#include "ecn.h"
#include "input.h"
#include "recovery.h"

/* The SYN-RECEIVED part of the fifth step (BEHAVIOR A4, L1). */
static enum disposition ack_syn_received(struct fin_stack *st, struct fin_conn *c,
                                         const struct fin_segment *seg) {
  if (!(seq_gt(seg->ack, c->snd_una) && seq_leq(seg->ack, c->snd_max)))
    return DROP_RST; /* counted by act() when the RST is queued */
  /* A TFO child is in the accept queue since its SYN (BEHAVIOR T1). */
  if (c->parent != NULL && !c->in_accept_queue && fin_listener_accept_full(c->parent)) {
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
  if (c->parent != NULL) {
    fin_listener_child_established(st, c);
  } else {
    fin_conn_established(st, c);
    fin_input_release_syn_text(st, c); /* M11 */
  }
  /* C3: a close in SYN-RECEIVED with data still queued (an active open's,
   * or a TFO child's, T1) waited for ESTABLISHED; the FIN follows the data. */
  if (c->fin_queued)
    fin_conn_set_state(st, c, c->state == FIN_CLOSE_WAIT ? FIN_LAST_ACK : FIN_FIN_WAIT_1);
  return CONTINUE;
}

static void rtt_measure(struct fin_stack *st, struct fin_conn *c, uint32_t ack) {
  if (c->rtt_start == 0 || !seq_gt(ack, c->rtt_seq))
    return;
  fin_rtt_sample(&c->rtt, st->now - c->rtt_start, &st->s);
  c->rtt_start = 0;
}

/* RFC 5681 §3.1: slow start grows cwnd by what was acknowledged, at most
 * abc_limit segments per ACK (RFC 3465 §2.2 L; 0: no limit, as Linux
 * tcp_slow_start), congestion avoidance by about one segment per RTT. */
static inline void cc_grow(const struct fin_stack *st, struct fin_conn *c, uint32_t acked) {
  if (c->cwnd < c->ssthresh) {
    uint32_t limit = st->s.abc_limit * c->snd_mss;
    c->cwnd += limit != 0 && acked > limit ? limit : acked;
  } else {
    c->cwnd += (uint32_t)((uint64_t)c->snd_mss * c->snd_mss / c->cwnd) + 1;
  }
}

/* RFC 5681 §3.1 / RFC 6582 (NewReno): congestion window on a new ACK. */
static void cc_on_ack(const struct fin_stack *st, struct fin_conn *c, uint32_t acked) {
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
  cc_grow(st, c, acked);
}

static void consume_acked(struct fin_stack *st, struct fin_conn *c, uint32_t ack) {
  if (!seq_gt(ack, c->snd_buf_seq))
    return;
  uint32_t n = ack - c->snd_buf_seq;
  if (n > fin_conn_snd(c)->len)
    n = fin_conn_snd(c)->len;
  if (n > 0)
    fin_ring_consume(st, &c->bufs->snd, n);
  c->snd_buf_seq += n;
}

/* ece: RFC 3168 §6.1.2, an ACK with ECN-Echo does not grow cwnd (NewReno's
 * recovery still sees it). */
static void new_ack(struct fin_stack *st, struct fin_conn *c, uint32_t ack, bool ece) {
  uint32_t acked = ack - c->snd_una;
  rtt_measure(st, c, ack);
  c->snd_una = ack;
  if (seq_lt(c->snd_nxt, ack))
    c->snd_nxt = ack;
  consume_acked(st, c, ack);
  if (c->rec == NULL && (!ece || c->in_recovery))
    cc_on_ack(st, c, acked);
  c->dupacks = 0;
  c->first_rexmit = st->now;
  if (!c->persist) {
    /* J5: a persisting connection whose probe byte was taken keeps its
     * probe timing; fin_conn_schedule_timers ends it once nothing is owed. */
    c->backoff = 0;
    if (c->snd_una == c->snd_max)
      fin_conn_timer_clear(st, c, CT_REXMIT);
    else
      fin_conn_rexmit_arm(st, c); /* RFC 6298 (5.3) */
  }
  if (fin_ring_free(fin_conn_snd(c)) > 0 && !c->wr_shutdown)
    fin_event_simple(st, c, FIN_EV_WRITABLE);
}

/* For recovery.c (cc_grow stays inline on the common path). */
void fin_cc_grow(const struct fin_stack *st, struct fin_conn *c, uint32_t acked) {
  cc_grow(st, c, acked);
}

/* RFC 5681 §2 "DUPLICATE ACKNOWLEDGMENT": outstanding data, no data or
 * SYN/FIN in the segment (as received: an old duplicate that carried data
 * is not one), the same ACK and the same window. §3.2: the third starts fast
 * retransmit. */
static void dup_ack(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg) {
  if (seg->payload_len > 0 || (seg->flags & (FIN_TCP_FIN | FIN_TCP_SYN)) ||
      c->snd_una == c->snd_max || c->persist || c->snd_wnd == 0 ||
      ((uint32_t)seg->wnd << c->snd_wscale) != c->snd_wnd)
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
  fin_ecn_cwnd_reduced(c); /* RFC 3168 §6.1.2: CWR follows any reduction */
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
    c->backoff = 0;          /* Linux tcp_ack_probe */
    c->snd_nxt = c->snd_una; /* a probe byte the peer did not take goes again */
    fin_conn_timer_clear(st, c, CT_REXMIT);
    if (c->snd_una != c->snd_max)
      fin_conn_rexmit_arm(st, c);
    fin_conn_output_mark(st, c);
  }
}

/* RFC 7323 §4.3: TS.Recent follows the segment that covers Last.ACK.sent.
 * BEHAVIOR M7: called only once the segment has passed every acceptance
 * check, ACK validation included, so a discarded segment never moves it. */
static void update_ts_recent(struct fin_stack *st, struct fin_conn *c,
                             const struct fin_segment *seg) {
  if (!c->ts_ok || !seg->opts.has_ts || (seg->flags & FIN_TCP_RST))
    return;
  if (seq_geq(seg->opts.ts_val, c->ts_recent) && seq_leq(seg->seq, c->last_ack_sent)) {
    c->ts_recent = seg->opts.ts_val;
    c->ts_recent_stamp = st->now;
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
  if (fin_conn_linger2(c) < 0) {
    fin_conn_abort(st, c, FIN_REASON_FIN_WAIT_2_TIMEOUT, 0, &st->c.abort_on_linger);
    return GONE;
  }
  fin_conn_timer_set(st, c, CT_FIN_WAIT_2, st->now + fin_conn_fin_timeout(st, c));
  return CONTINUE;
}

/* The state-specific part of the fifth step (D3, D7, D8). An old duplicate
 * FIN that completes CLOSING or LAST-ACK is owed its ACK (M13): the peer
 * resent it because our ACK of it was lost. */
static enum disposition ack_closing_states(struct fin_stack *st, struct fin_conn *c,
                                           const struct seg_view *v) {
  if (!our_fin_acked(c))
    return CONTINUE;
  switch (c->state) {
  case FIN_FIN_WAIT_1:
    /* BEHAVIOR D5, RFC 9293 §3.10.7.4 eighth: a FIN that also ACKs ours
     * goes to TIME-WAIT directly; passing through FIN-WAIT-2 would arm (or,
     * with a negative TCP_LINGER2, fire) the orphan's FIN-WAIT-2 rule. */
    if (v->fin && !c->peer_fin && v->seq == c->rcv_nxt)
      return CONTINUE;
    return enter_fin_wait_2(st, c);
  case FIN_CLOSING:
    fin_tw_enter(st, c, v->reply == REPLY_ACK); /* D7 */
    return GONE;
  case FIN_LAST_ACK:
    if (v->reply == REPLY_ACK)
      fin_send_ack_from_conn(st, c);
    fin_conn_terminate(st, c, FIN_REASON_GRACEFUL, 0); /* D8 */
    return GONE;
  default:
    return CONTINUE;
  }
}

/* Fifth: the ACK field (RFC 5961 §5, BEHAVIOR I2, I3, M7). */
enum disposition fin_input_ack(struct fin_stack *st, struct fin_conn *c, struct seg_view *v) {
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
  update_ts_recent(st, c, seg);
  c->probes = 0; /* J4, J5: the peer is alive */
  bool ece = fin_ecn_ack_in(st, c, seg);
  /* SACK-based recovery (recovery.c) when the connection uses it, else
   * RFC 5681 / RFC 6582. */
  bool sack = fin_rec_wanted(c, seg) && fin_rec_ack_begin(st, c, seg);
  if (seq_gt(seg->ack, c->snd_una))
    new_ack(st, c, seg->ack, ece);
  else if (seg->ack == c->snd_una && !sack)
    dup_ack(st, c, seg);
  if (sack)
    fin_rec_ack_end(st, c, seg->ack, ece);
  update_window(st, c, seg);
  return ack_closing_states(st, c, v);
}
