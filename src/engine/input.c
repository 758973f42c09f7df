/* SPDX-License-Identifier: MIT */
/* SEGMENT ARRIVES in SYN-RECEIVED and the synchronized states, in the order
 * of RFC 9293 §3.10.7.4: this file holds the driver and the first four
 * checks (PAWS, sequence number, RST, SYN); input_ack.c the ACK field and
 * input_text.c the text and the FIN. */
#include "input.h"
#include "policy.h"

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

/* RCV.WND for the acceptability test (BEHAVIOR M10): the window fin
 * advertised, as the peer saw it after scaling and rounding - never the
 * free buffer space, which can be larger - and never more than fits. */
static uint32_t acceptable_window(const struct fin_conn *c) {
  uint32_t adv = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
  uint32_t room = fin_conn_rcv_wnd(c);
  return adv < room ? adv : room;
}

/* §3.10.7.4 first check. A zero-length segment at the right edge itself is
 * accepted, as Linux (tcp_sequence) and FreeBSD do: it is what a peer
 * sends when it filled our window exactly. */
static bool seq_acceptable(const struct fin_conn *c, const struct seg_view *v, uint32_t wnd) {
  uint32_t len = seg_len(v), nxt = c->rcv_nxt;
  if (len == 0)
    return seq_geq(v->seq, nxt) && seq_leq(v->seq, nxt + wnd);
  if (wnd == 0)
    return false;
  return seq_in(v->seq, nxt, nxt + wnd) || seq_in(v->seq + len - 1, nxt, nxt + wnd);
}

/* Trims what lies before RCV.NXT or beyond the window (RFC 9293 §3.10.7.4
 * first, "segments with higher beginning sequence numbers..."). What lay
 * before RCV.NXT was a duplicate: it is reported as a D-SACK (M8). */
static void trim_to_window(struct fin_conn *c, struct seg_view *v, uint32_t wnd) {
  if (v->syn && seq_lt(v->seq, c->rcv_nxt)) {
    v->syn = false;
    v->seq++;
  }
  if (seq_lt(v->seq, c->rcv_nxt)) {
    uint32_t cut = c->rcv_nxt - v->seq;
    if (cut > v->len)
      cut = v->len;
    if (cut > 0) {
      fin_input_dsack(c, v->seq, v->seq + cut);
      v->dup_head = true;
    }
    v->data += cut;
    v->len -= cut;
    v->seq += cut;
    if (v->fin && seq_lt(v->seq, c->rcv_nxt))
      v->fin = false; /* the FIN itself was already received */
  }
  uint32_t right = c->rcv_nxt + wnd;
  if (seq_gt(v->seq + v->len, right)) {
    v->len = seq_gt(right, v->seq) ? right - v->seq : 0;
    v->fin = false;
  }
}

/* BEHAVIOR M2 (§3.8.6.1 MUST): with a zero window a segment at RCV.NXT is
 * still acknowledged - the ACK repeats the zero window - and its ACK field
 * processed; its data is not taken, but a bare FIN needs no buffer and is. */
static enum disposition zero_window_at_rcv_nxt(struct fin_stack *st, struct fin_conn *c,
                                               struct seg_view *v) {
  if (v->len > 0)
    FIN_DROP(st, &c->tuple, drop_zero_window);
  v->fin = v->fin && v->len == 0;
  v->len = 0;
  v->reply = REPLY_ACK;
  return CONTINUE;
}

/* BEHAVIOR M13: an entirely old duplicate (SEG.SEQ+SEG.LEN <= RCV.NXT) still
 * has its ACK field processed after RFC 5961 validation, as Linux and
 * FreeBSD do: a retransmitted FIN that acknowledges ours ends CLOSING at
 * once. A retransmission of exactly what we acknowledged last (it ends at
 * RCV.NXT: our ACK was lost, D9) is owed an ACK; any other gets the
 * rate-limited one (A6), so a blind attacker cannot make fin send duplicate
 * ACKs at will. */
static enum disposition old_duplicate(struct fin_stack *st, struct fin_conn *c,
                                      struct seg_view *v) {
  bool resent_last = v->seq + seg_len(v) == c->rcv_nxt && (v->len > 0 || v->fin);
  if (v->len > 0 && resent_last) {
    fin_input_dsack(c, v->seq, v->seq + v->len);
  } else if (v->len > 0) {
    v->dup_dsack = true; /* act() reports it if the rate limit lets the ACK go */
    v->dup_left = v->seq;
    v->dup_right = v->seq + v->len;
  }
  if (v->len > 0 || v->fin)
    st->c.old_duplicates++;
  v->len = 0;
  v->fin = false;
  v->seq = c->rcv_nxt;
  v->reply = resent_last ? REPLY_ACK : REPLY_DUP_ACK;
  return CONTINUE;
}

/* First: the sequence number (BEHAVIOR A5, M2, M10, M13). */
static enum disposition check_sequence(struct fin_stack *st, struct fin_conn *c,
                                       struct seg_view *v) {
  uint32_t wnd = fin_policy_acceptance_window(st, c, acceptable_window(c));
  if (seq_acceptable(c, v, wnd) && !fin_policy_rst_at_right_edge_outside(st, c, v->seg, wnd)) {
    trim_to_window(c, v, wnd);
    return CONTINUE;
  }
  if (v->seg->flags & FIN_TCP_RST) {
    if (v->seg->seq == c->rcv_nxt)
      return CONTINUE; /* M2 (§3.5.3 SHLD-2): a zero window still takes it */
    FIN_DROP(st, &c->tuple, drop_rst_out_of_window);
    return DROP;
  }
  if (v->seq == c->rcv_nxt && !v->syn) /* unacceptable there only with a zero window */
    return zero_window_at_rcv_nxt(st, c, v);
  if (!v->syn && seq_leq(v->seq + seg_len(v), c->rcv_nxt))
    return old_duplicate(st, c, v);
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
  if (c->state == FIN_SYN_RECEIVED && c->passive && !c->tfo_passive) {
    /* H2: from a passive open, back to LISTEN silently: the listener lives
     * on; this embryonic child simply goes. */
    st->c.embryonic_rsts++;
    fin_conn_terminate(st, c, FIN_REASON_RESET, 0);
    return GONE;
  }
  if (c->state == FIN_SYN_RECEIVED && !c->passive) {
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
  if ((d = fin_input_ack(st, c, v)) != CONTINUE)
    return d;
  if ((d = fin_input_text(st, c, v)) != CONTINUE)
    return d;
  return fin_input_fin(st, c, v);
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

/* The answers a step asked for. A5/A6: every ACK for an unacceptable
 * segment is the rate-limited kind; only what is owed (M2's probe, our lost
 * ACK) is not. */
static void act(struct fin_stack *st, struct fin_conn *c, const struct seg_view *v,
                enum disposition d) {
  if (d == DROP_RST) {
    fin_send_rst_for(st, v->seg, &st->c.rst_syn_recv_bad_ack, false);
    return;
  }
  if (v->reply == REPLY_ACK) {
    c->ack_now = 1;
    fin_conn_output_mark(st, c);
  } else if (d == DROP_ACK || v->reply == REPLY_DUP_ACK) {
    /* RFC 2883 §4: a D-SACK reports the duplicate in the ACK that answers
     * it. Held back by A6, that ACK reports nothing, and no later segment
     * does: half the sequence space is "old", so a blind attacker's data
     * would otherwise choose what the next real segment carries (and, the
     * SACK option shrinking the MSS, release a segment Nagle held). Linux
     * too sets it in tcp_send_dupack, with the ACK that carries it. */
    if (fin_challenge_ack(st, c) && v->dup_dsack)
      fin_input_dsack(c, v->dup_left, v->dup_right);
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
                       .fin = (seg->flags & FIN_TCP_FIN) != 0};
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
  fin_conn_schedule(st, c);
}
