/* SPDX-License-Identifier: MIT */
/* SACK-based loss recovery of a sender: the scoreboard of RFC 6675 §4
 * (SACKed ranges validated as RFC 2018 §3 and RFC 5961 §5 want, D-SACK
 * blocks of RFC 2883 kept apart), loss detection by DupThresh (RFC 6675
 * IsLost) or by time (RACK, RFC 8985 §6), the tail loss probe (RFC 8985
 * §7) and the send rate of Proportional Rate Reduction (RFC 6937 §3,
 * PRR-SSRB). One list of transmission records in sequence order serves
 * all of them: a record is a segment as sent (its range, its last send
 * time, SACKed / lost / retransmitted), from a fixed array, no allocation
 * per segment. docs/engine.md, Loss recovery. */
#include "recovery.h"

#include "ecn.h"
#include "input.h"

#define DUPTHRESH 3           /* RFC 6675 §2, RFC 8985 §6.2 */
#define WCDELACKT FIN_MS(200) /* RFC 8985 §7.2: worst-case delayed-ACK timer */
#define TLP_MIN   FIN_MS(2)   /* Linux TCP_TIMEOUT_MIN: a floor for a PTO on a short path */

static uint32_t mss_of(const struct fin_conn *c) {
  return c->snd_mss != 0 ? c->snd_mss : 536;
}

static void rec_init(struct fin_rec *r) {
  memset(r, 0, sizeof(*r));
  r->reo_at = FIN_NEVER;
  r->rto_at = FIN_NEVER;
  r->rack_xmit = -1; /* no segment delivered yet */
  r->min_rtt = FIN_NEVER;
  r->reo_wnd_mult = 1;
}

/* What is in flight when the block is made, as records of one MSS each.
 * Their send times are unknown; they all get one, the time the oldest was
 * sent (or the last ACK): RACK then orders them by sequence (RFC 8985
 * §6.2, RACK_sent_after), so a hole among them is lost one reordering
 * window after a record above it is SACKed, as if they left together. */
static void rec_seed(struct fin_rec *r, const struct fin_conn *c) {
  uint32_t mss = mss_of(c);
  for (uint32_t s = c->snd_una; seq_lt(s, c->snd_max);) {
    uint32_t e = c->snd_max - s > mss ? s + mss : c->snd_max;
    if (r->count == FIN_REC_MAX - 1 || c->snd_max - e == 1)
      e = c->snd_max; /* the rest in one record; a FIN with its data */
    r->r[r->count++] = (struct fin_txrec){s, e, c->first_rexmit, 0};
    s = e;
  }
}

static struct fin_rec *rec_get(struct fin_stack *st, struct fin_conn *c) {
  if (c->rec != NULL)
    return c->rec;
  struct fin_rec *r = fin_mem_alloc(st, sizeof(*r));
  if (r == NULL)
    return NULL;
  rec_init(r);
  r->rack_fack = c->snd_una;
  rec_seed(r, c);
  if (c->in_recovery) {
    /* NewReno's recovery (dupacks without SACK blocks) is under way: PRR
     * takes it over from here; its pending retransmission is NextSeg's. */
    r->recover_fs = c->snd_max - c->snd_una;
    c->rexmit_one = 0;
  }
  c->rec = r;
  return r;
}

void fin_rec_free(struct fin_stack *st, struct fin_conn *c) {
  if (c->rec == NULL)
    return;
  fin_mem_free(st, c->rec, sizeof(*c->rec));
  c->rec = NULL;
}

/* Splits record i at `at` (inside it); false when the array is full. */
static bool split(struct fin_rec *r, uint32_t i, uint32_t at) {
  if (r->count == FIN_REC_MAX)
    return false;
  memmove(&r->r[i + 1], &r->r[i], (r->count - i) * sizeof(r->r[0]));
  r->count++;
  r->r[i].end = at;
  r->r[i + 1].start = at;
  return true;
}

static uint32_t rec_len(const struct fin_txrec *x) {
  return x->end - x->start;
}

/* RFC 8985 §6.2: RACK_sent_after(t1, seq1, t2, seq2). */
static bool sent_after(fin_time t1, uint32_t seq1, fin_time t2, uint32_t seq2) {
  return t1 > t2 || (t1 == t2 && seq_gt(seq1, seq2));
}

/* RFC 8985 §6.2 steps 2 and 3, for a segment newly ACKed or SACKed. */
static void rack_update(struct fin_stack *st, struct fin_rec *r, const struct fin_txrec *x) {
  fin_time rtt = st->now - x->xmit;
  /* Step 2: a retransmitted segment's ACK may be for the original; one
   * that comes sooner than the path allows is taken for that. */
  if (!((x->flags & TX_EVER_RX) && rtt < r->min_rtt)) {
    r->rack_rtt = rtt;
    if (rtt < r->min_rtt)
      r->min_rtt = rtt;
    if (sent_after(x->xmit, x->end, r->rack_xmit, r->rack_end)) {
      r->rack_xmit = x->xmit;
      r->rack_end = x->end;
    }
  }
  /* Step 3: delivered below what was already delivered, never resent. */
  if (seq_lt(x->end, r->rack_fack) && !(x->flags & TX_EVER_RX)) {
    if (!r->reordering_seen)
      st->c.sack_reorder++;
    r->reordering_seen = true;
  }
  if (seq_gt(x->end, r->rack_fack))
    r->rack_fack = x->end;
}

static void mark_sacked(struct fin_stack *st, struct fin_rec *r, struct fin_txrec *x) {
  x->flags |= TX_SACKED;
  r->sacked_segs++;
  r->sacked_bytes += rec_len(x);
  rack_update(st, r, x);
}

/* One valid SACK block [left, right): records inside it are SACKed; a
 * record it covers in part is split at the block's edges first (a full
 * array leaves that part unmarked: it is retransmitted at worst). */
static void apply_block(struct fin_stack *st, struct fin_rec *r, uint32_t left, uint32_t right) {
  for (uint32_t i = 0; i < r->count; i++) {
    struct fin_txrec *x = &r->r[i];
    if (seq_leq(x->end, left))
      continue;
    if (seq_geq(x->start, right))
      break;
    if (x->flags & TX_SACKED)
      continue;
    if (seq_lt(x->start, left)) {
      split(r, i, left); /* the next iteration sees the part from left */
      continue;
    }
    if (seq_gt(x->end, right) && !split(r, i, right))
      break;
    mark_sacked(st, r, &r->r[i]);
  }
}

/* RFC 2883 §4: the first block is a D-SACK when it lies below the
 * cumulative ACK or inside the second block. It reports a duplicate, not
 * new data: it is counted and grows RACK's reordering window (RFC 8985
 * §6.2 step 4); a D-SACK of our probe says the original arrived (§7.4). */
static bool is_dsack(const struct fin_segment *seg) {
  const struct fin_sack_block *b = seg->opts.sack;
  if (seq_lt(b[0].left, seg->ack))
    return true;
  return seg->opts.sack_count > 1 && seq_geq(b[0].left, b[1].left) &&
         seq_leq(b[0].right, b[1].right);
}

static void take_blocks(struct fin_stack *st, struct fin_conn *c, struct fin_rec *r,
                        const struct fin_segment *seg) {
  unsigned first = 0;
  uint32_t lower = seq_max(seg->ack, c->snd_una);
  if (seg->opts.sack_count > 0 && is_dsack(seg)) {
    st->c.dsack_recv++;
    r->dsack_seen = true;
    if (r->tlp_out && r->tlp_retrans && seq_leq(seg->opts.sack[0].right, r->tlp_end) &&
        seq_gt(seg->opts.sack[0].right, r->tlp_end - mss_of(c) - 1))
      r->tlp_retrans = false; /* the probe was a duplicate: nothing was lost */
    first = 1;
  }
  for (unsigned i = first; i < seg->opts.sack_count; i++) {
    uint32_t left = seg->opts.sack[i].left, right = seg->opts.sack[i].right;
    /* RFC 2018 §3, RFC 5961 §5: only what lies in SND.UNA..SND.MAX. */
    if (!seq_lt(left, right) || seq_lt(left, lower) || seq_gt(right, c->snd_max)) {
      st->c.sack_discard++;
      continue;
    }
    apply_block(st, r, left, right);
  }
}

/* The cumulative ACK: records at or below it go (those not SACKed are
 * delivered now, RACK learns from them). */
static void take_ack(struct fin_stack *st, struct fin_rec *r, uint32_t ack) {
  uint32_t gone = 0;
  for (; gone < r->count && seq_leq(r->r[gone].end, ack); gone++) {
    struct fin_txrec *x = &r->r[gone];
    if (x->flags & TX_SACKED) {
      r->sacked_segs--;
      r->sacked_bytes -= rec_len(x);
    } else {
      rack_update(st, r, x);
    }
  }
  memmove(&r->r[0], &r->r[gone], (r->count - gone) * sizeof(r->r[0]));
  r->count -= gone;
  if (r->count > 0 && seq_lt(r->r[0].start, ack)) {
    struct fin_txrec *x = &r->r[0];
    if (x->flags & TX_SACKED)
      r->sacked_bytes -= ack - x->start;
    x->start = ack;
    x->flags &= (uint8_t)~TX_RETRANS; /* a partial ACK: the rest goes again if lost */
  }
}

/* RFC 6675 §4 SetPipe(): octets not SACKed and not lost, plus those
 * retransmitted. */
static uint32_t set_pipe(const struct fin_rec *r) {
  uint32_t pipe = 0;
  for (uint32_t i = 0; i < r->count; i++) {
    const struct fin_txrec *x = &r->r[i];
    if (x->flags & TX_SACKED)
      continue;
    if (!(x->flags & TX_LOST))
      pipe += rec_len(x);
    if (x->flags & TX_RETRANS)
      pipe += rec_len(x);
  }
  return pipe;
}

/* RFC 6675 §4 IsLost(): DupThresh discontiguous SACKed segments above it,
 * or more than (DupThresh - 1) * SMSS SACKed bytes. */
static bool mark_dupthresh(const struct fin_conn *c, struct fin_rec *r) {
  uint32_t segs = 0, bytes = 0, limit = (DUPTHRESH - 1) * mss_of(c);
  bool any = false;
  for (uint32_t i = r->count; i-- > 0;) {
    struct fin_txrec *x = &r->r[i];
    if (x->flags & TX_SACKED) {
      segs++;
      bytes += rec_len(x);
    } else if (!(x->flags & TX_LOST) && (segs >= DUPTHRESH || bytes > limit)) {
      x->flags |= TX_LOST;
      any = true;
    }
  }
  return any;
}

/* RFC 8985 §6.2 step 4, RACK_update_reo_wnd(). */
static fin_time reo_wnd(const struct fin_conn *c, const struct fin_rec *r) {
  if (!r->reordering_seen && (c->in_recovery || r->sacked_segs >= DUPTHRESH))
    return 0;
  fin_time min_rtt = r->min_rtt == FIN_NEVER ? 0 : r->min_rtt;
  fin_time w = r->reo_wnd_mult * min_rtt / 4;
  return fin_rtt_has_sample(&c->rtt) && w > c->rtt.srtt ? c->rtt.srtt : w;
}

static void dsack_round(const struct fin_conn *c, struct fin_rec *r, bool recovery_ended) {
  if (r->dsack_round_on && seq_geq(c->snd_una, r->dsack_round))
    r->dsack_round_on = false;
  if (!r->dsack_round_on && r->dsack_seen) {
    r->dsack_round_on = true;
    r->dsack_round = c->snd_max;
    if (r->reo_wnd_mult < 255)
      r->reo_wnd_mult++;
    r->reo_wnd_persist = 16;
  } else if (recovery_ended && r->reo_wnd_persist > 0 && --r->reo_wnd_persist == 0) {
    r->reo_wnd_mult = 1;
  }
  r->dsack_seen = false;
}

/* RFC 8985 §6.2 step 5, RACK_detect_loss(): marks what was sent before
 * the most recently sent segment delivered and has had an RTT plus the
 * reordering window to arrive; returns when the next one would be due. */
static bool mark_rack(struct fin_stack *st, struct fin_conn *c, struct fin_rec *r,
                      fin_time *timeout) {
  bool any = false;
  *timeout = 0;
  if (r->rack_xmit < 0)
    return false;
  fin_time wnd = reo_wnd(c, r);
  for (uint32_t i = 0; i < r->count; i++) {
    struct fin_txrec *x = &r->r[i];
    if ((x->flags & TX_SACKED) || (x->flags & (TX_LOST | TX_RETRANS)) == TX_LOST)
      continue;
    if (!sent_after(r->rack_xmit, r->rack_end, x->xmit, x->end))
      continue;
    fin_time remaining = x->xmit + r->rack_rtt + wnd - st->now;
    if (remaining > 0) {
      if (remaining > *timeout)
        *timeout = remaining;
      continue;
    }
    if (x->flags & TX_RETRANS)
      st->c.lost_retransmit++; /* the retransmission was lost too */
    x->flags = (uint8_t)((x->flags & ~TX_RETRANS) | TX_LOST);
    any = true;
  }
  return any;
}

/* The RACK reorder timer takes the send timer's slot while it is the
 * earlier of the two (RFC 8985 §6.3). */
static void arm_reo(struct fin_stack *st, struct fin_conn *c, struct fin_rec *r, fin_time timeout) {
  if (timeout <= 0)
    return;
  fin_time at = st->now + timeout;
  if (r->reo_at == FIN_NEVER)
    r->rto_at = c->timer[CT_REXMIT];
  if (at < r->rto_at) {
    r->reo_at = at;
    fin_conn_timer_set(st, c, CT_REXMIT, at);
  }
}

static bool detect_losses(struct fin_stack *st, struct fin_conn *c, struct fin_rec *r) {
  if (st->s.recovery == FIN_RECOVERY_SACK)
    return mark_dupthresh(c, r);
  fin_time timeout;
  bool any = mark_rack(st, c, r, &timeout);
  arm_reo(st, c, r, timeout);
  return any;
}

/* RFC 6675 §5 (4.2), RFC 6937 §3 "at the beginning of recovery". */
static void enter_recovery(struct fin_stack *st, struct fin_conn *c, struct fin_rec *r) {
  uint32_t flight = c->snd_max - c->snd_una, mss = mss_of(c);
  c->ssthresh = flight / 2 > 2u * mss ? flight / 2 : 2u * mss;
  c->recover = c->snd_max;
  c->in_recovery = 1;
  c->rtt_start = 0; /* Karn */
  r->prr_delivered = 0;
  r->prr_out = 0;
  r->recover_fs = flight;
  st->c.sack_recovery++;
  fin_ecn_cwnd_reduced(c); /* RFC 3168 §6.1.2 */
}

/* RFC 6937 §3, on every ACK in recovery (PRR-SSRB): the sending rate
 * follows what the receiver got, towards ssthresh; cwnd is what may be in
 * the pipe after this ACK. */
static void prr(struct fin_conn *c, struct fin_rec *r, uint32_t delivered) {
  uint32_t mss = mss_of(c);
  r->prr_delivered += delivered;
  r->pipe = set_pipe(r);
  int64_t sndcnt;
  if (r->pipe > c->ssthresh) {
    uint64_t fs = r->recover_fs != 0 ? r->recover_fs : 1;
    sndcnt = (int64_t)(((uint64_t)r->prr_delivered * c->ssthresh + fs - 1) / fs) - r->prr_out;
  } else {
    int64_t room = (int64_t)r->prr_delivered - r->prr_out;
    int64_t limit = (room > (int64_t)delivered ? room : (int64_t)delivered) + mss;
    sndcnt = (int64_t)c->ssthresh - r->pipe;
    if (sndcnt > limit)
      sndcnt = limit;
  }
  if (sndcnt < 0)
    sndcnt = 0;
  if (sndcnt == 0 && r->prr_out == 0)
    sndcnt = mss; /* the fast retransmit itself always goes */
  c->cwnd = r->pipe + (uint32_t)sndcnt;
  if (c->cwnd < mss)
    c->cwnd = mss; /* an empty pipe may always take one segment */
}

/* RFC 8985 §7.4: the ACK of our probe ends the episode. A probe that
 * retransmitted the last segment and drew no D-SACK repaired a loss: the
 * congestion controller hears of it (a reduction, as Linux's CWR). */
static void tlp_ack(struct fin_stack *st, struct fin_conn *c, struct fin_rec *r, uint32_t ack) {
  if (!r->tlp_out || seq_lt(ack, r->tlp_end))
    return;
  r->tlp_out = false;
  if (!r->tlp_retrans || c->in_recovery)
    return;
  st->c.loss_probe_recovery++;
  uint32_t mss = mss_of(c);
  c->ssthresh = c->cwnd / 2 > 2u * mss ? c->cwnd / 2 : 2u * mss;
  c->cwnd = c->ssthresh;
  fin_ecn_cwnd_reduced(c);
}

bool fin_rec_ack_begin(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg) {
  struct fin_rec *r = rec_get(st, c);
  if (r == NULL)
    return false;
  uint32_t ack = seg->ack;
  r->acked = seq_gt(ack, c->snd_una) ? ack - c->snd_una : 0;
  r->sacked_before = r->sacked_bytes;
  take_blocks(st, c, r, seg);
  if (r->acked > 0)
    take_ack(st, r, ack);
  return true;
}

void fin_rec_ack_end(struct fin_stack *st, struct fin_conn *c, uint32_t ack, bool ece) {
  struct fin_rec *r = c->rec;
  uint32_t acked = r->acked, delivered = acked + r->sacked_bytes - r->sacked_before;
  tlp_ack(st, c, r, ack);
  bool ended = c->in_recovery && seq_geq(c->snd_una, c->recover);
  dsack_round(c, r, ended);
  if (ended) {
    c->in_recovery = 0; /* RFC 6937 §3: cwnd = ssthresh at the end */
    c->cwnd = c->ssthresh;
  }
  if (c->snd_una == c->snd_max) {
    fin_rec_free(st, c); /* everything acknowledged */
    return;
  }
  bool lost = detect_losses(st, c, r);
  if (lost && !c->in_recovery)
    enter_recovery(st, c, r);
  if (c->in_recovery)
    prr(c, r, delivered);
  else if (acked > 0 && !ece)
    fin_cc_grow(st, c, acked);
  if (lost || c->in_recovery)
    fin_conn_output_mark(st, c);
}

void fin_rec_sent(struct fin_stack *st, struct fin_conn *c, uint32_t seq, uint32_t end,
                  bool retransmit) {
  struct fin_rec *r = c->rec;
  uint32_t len = end - seq;
  if (c->in_recovery) {
    r->pipe += len;
    r->prr_out += len;
  }
  struct fin_txrec *last = r->count > 0 ? &r->r[r->count - 1] : NULL;
  if (last == NULL || seq_geq(seq, last->end)) {
    if (r->count < FIN_REC_MAX) {
      r->r[r->count++] = (struct fin_txrec){seq, end, st->now, retransmit ? TX_EVER_RX : 0};
      return;
    }
    if (last->flags & TX_SACKED) {
      r->sacked_segs--;
      r->sacked_bytes -= rec_len(last);
    }
    last->end = end; /* the array is full: the last record grows */
    last->xmit = st->now;
    last->flags = 0;
    return;
  }
  for (uint32_t i = 0; i < r->count; i++) {
    struct fin_txrec *x = &r->r[i];
    if (seq_leq(x->end, seq))
      continue;
    if (seq_lt(x->start, seq) && split(r, i, seq))
      x = &r->r[++i];
    if (seq_gt(x->end, end))
      split(r, i, end);
    x->flags |= TX_RETRANS | TX_EVER_RX;
    x->xmit = st->now;
    return;
  }
}

bool fin_rec_next_hole(const struct fin_conn *c, uint32_t *seq, uint32_t *end) {
  const struct fin_rec *r = c->rec;
  for (uint32_t i = 0; i < r->count; i++) {
    const struct fin_txrec *x = &r->r[i];
    if ((x->flags & (TX_SACKED | TX_LOST | TX_RETRANS)) == TX_LOST) {
      *seq = x->start;
      *end = x->end;
      return true;
    }
  }
  return false;
}

void fin_rec_last_segment(const struct fin_conn *c, uint32_t mss, uint32_t *seq, uint32_t *end) {
  *end = c->snd_max;
  uint32_t data_end = c->fin_sent && c->snd_max == c->fin_seq + 1 ? c->fin_seq : c->snd_max;
  *seq = data_end - c->snd_una > mss ? data_end - mss : c->snd_una;
}

void fin_rec_probe_sent(struct fin_stack *st, struct fin_conn *c, bool retransmit) {
  struct fin_rec *r = c->rec;
  r->probe_due = false;
  r->tlp_out = true;
  r->tlp_retrans = retransmit;
  r->tlp_end = c->snd_max;
  fin_conn_rexmit_arm(st, c); /* §7.3: the RTO stands behind the probe */
}

/* RFC 8985 §7.2: a probe is scheduled with data in flight, outside loss
 * recovery, when nothing is SACKed (RACK's reorder timer has those) and no
 * probe of this episode is out. (fin_rec_timer_at has checked the rest.) */
static bool pto_wanted(const struct fin_conn *c) {
  if (c->in_recovery || c->persist)
    return false;
  if (c->state != FIN_ESTABLISHED && c->state != FIN_CLOSE_WAIT && c->state != FIN_FIN_WAIT_1 &&
      c->state != FIN_CLOSING && c->state != FIN_LAST_ACK)
    return false;
  const struct fin_rec *r = c->rec;
  return r == NULL || (!r->tlp_out && !r->probe_due && r->sacked_segs == 0);
}

/* RFC 8985 §7.2: PTO = 2 * SRTT, plus WCDelAckT when one segment is in
 * flight (its ACK may be delayed), capped by the RTO. A segment carrying
 * our FIN is not waited for so unless settings.tlp_fin_no_delack is off
 * (Linux): its ACK is not delayed ("since we received a FIN then no more
 * input can be expected, send ACK now", FreeBSD tcp_input; fin too). No
 * probe before an RTT sample: the PTO would be the initial RTO. The
 * cheapest tests go first: this runs whenever the send timer is armed. */
fin_time fin_rec_timer_at(struct fin_stack *st, struct fin_conn *c, fin_time rto_at) {
  c->pto = 0;
  if (c->rec != NULL) {
    c->rec->reo_at = FIN_NEVER;
    c->rec->rto_at = rto_at;
  }
  if (!st->s.tlp || !fin_rtt_has_sample(&c->rtt) || c->backoff != 0 || c->snd_una == c->snd_max)
    return rto_at;
  bool one = c->snd_max - c->snd_una <= mss_of(c) + 1u;
  fin_time at = st->now + 2 * c->rtt.srtt +
                (one && !(c->fin_sent && st->s.tlp_fin_no_delack) ? WCDELACKT : TLP_MIN);
  if (at >= rto_at || !pto_wanted(c))
    return rto_at;
  c->pto = 1;
  return at;
}

void fin_rec_data_sent(struct fin_stack *st, struct fin_conn *c) {
  if (!st->s.tlp || (c->rec != NULL && c->rec->reo_at != FIN_NEVER))
    return;
  /* The RTO the PTO is capped by runs from the oldest segment outstanding
   * (Linux tcp_rto_delta_us); while the PTO holds the slot it is not kept. */
  fin_time rto_at =
      c->pto ? c->first_rexmit + fin_rtt_backed_off(&c->rtt, 0, &st->s) : c->timer[CT_REXMIT];
  fin_time at = fin_rec_timer_at(st, c, rto_at);
  if (at != c->timer[CT_REXMIT])
    fin_conn_timer_set(st, c, CT_REXMIT, at);
}

/* RFC 8985 §6.3: the reorder timer fired: what has waited long enough is
 * lost; recovery starts, or goes on with room for one segment. */
static void reo_timeout(struct fin_stack *st, struct fin_conn *c, struct fin_rec *r) {
  r->reo_at = FIN_NEVER;
  fin_conn_timer_set(st, c, CT_REXMIT, r->rto_at);
  fin_time timeout;
  bool lost = mark_rack(st, c, r, &timeout);
  arm_reo(st, c, r, timeout);
  if (!lost)
    return;
  if (!c->in_recovery)
    enter_recovery(st, c, r);
  r->pipe = set_pipe(r);
  if (c->cwnd < r->pipe + mss_of(c))
    c->cwnd = r->pipe + mss_of(c);
  fin_conn_output_mark(st, c);
}

bool fin_rec_timer_fired(struct fin_stack *st, struct fin_conn *c) {
  if (c->rec != NULL && c->rec->reo_at != FIN_NEVER && c->rec->reo_at <= st->now) {
    reo_timeout(st, c, c->rec);
    return true;
  }
  if (c->pto) {
    c->pto = 0;
    struct fin_rec *r = rec_get(st, c);
    if (r != NULL) {
      st->c.loss_probes++;
      r->probe_due = true;
      fin_conn_rexmit_arm(st, c); /* the RTO, should the probe not go out */
      fin_conn_output_mark(st, c);
      return true;
    }
  }
  fin_rec_free(st, c); /* the RTO: go-back-N from SND.UNA (RFC 6675 §5.1) */
  return false;
}
