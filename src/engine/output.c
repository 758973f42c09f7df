/* SPDX-License-Identifier: MIT */
/* Segment generation: one segment per call, decided from the TCB (what is
 * due: SYN, SYN-ACK, data, FIN, ACK, probes). RFC 9293 §3.8.6 (windows,
 * Nagle, SWS avoidance), RFC 5681 (cwnd), RFC 7323 (TS), RFC 2018 (SACK). */
#include "ecn.h"
#include "internal.h"
#include "policy.h"
#include "recovery.h"

struct out_plan {
  uint32_t seq, len; /* data bytes from the send ring at seq */
  uint8_t flags;
  uint8_t tos; /* the IP ECN field (RFC 3168 §5; ecn.c) */
  bool retransmit;
  bool window_probe; /* J5: the persist timer owns the timer slot */
  bool loss_probe;   /* RFC 8985 §7.3 TLP */
};

/* Receiver-side SWS avoidance (RFC 9293 §3.8.6.2.2): while less than half
 * the buffer is free, the right edge moves only by at least
 * min(buffer/2, MSS) (Linux __tcp_select_window applies it the same way);
 * it never moves left. */
static uint32_t window_to_advertise(struct fin_conn *c) {
  uint32_t free = fin_conn_rcv_wnd(c);
  uint32_t right = c->rcv_nxt + free;
  uint32_t step = c->rcvbuf_size / 2 < c->rcv_mss ? c->rcvbuf_size / 2 : c->rcv_mss;
  if (free < c->rcvbuf_size / 2 && seq_gt(c->rcv_adv, c->rcv_nxt) && seq_gt(right, c->rcv_adv) &&
      right - c->rcv_adv < step)
    right = c->rcv_adv;
  if (seq_lt(right, c->rcv_adv))
    right = c->rcv_adv;
  return right - c->rcv_nxt;
}

static uint16_t encode_window(const struct fin_stack *st, struct fin_conn *c, bool syn) {
  uint32_t wnd = window_to_advertise(c);
  /* FreeBSD tcp_output: roundup2(recwin, 1 << rcv_scale). */
  if (!syn && st->s.rcv_wnd_round_up)
    wnd += (1u << c->rcv_wscale) - 1;
  uint32_t raw = syn ? wnd : wnd >> c->rcv_wscale; /* RFC 7323 §2.2 */
  if (raw > 0xffff)
    raw = 0xffff;
  uint32_t adv = syn ? raw : raw << c->rcv_wscale;
  if (seq_gt(c->rcv_nxt + adv, c->rcv_adv))
    c->rcv_adv = c->rcv_nxt + adv;
  return (uint16_t)raw;
}

/* How many SACK blocks fit beside the other options: 3 next to
 * timestamps, 4 without (RFC 2018 §3). */
static unsigned sack_room(const struct fin_conn *c) {
  return c->ts_ok ? 3 : 4;
}

/* BEHAVIOR M8, RFC 2018 §4: the first block holds the segment that
 * triggered this ACK (the range that grew last), then the others most
 * recently changed first; a duplicate goes before them all as a D-SACK
 * block (RFC 2883 §4), followed by the range it duplicated. */
static unsigned sack_blocks(const struct fin_conn *c, struct fin_sack_block *out) {
  unsigned n = 0, room = sack_room(c), idx[FIN_ASM_MAX];
  if (c->dsack) {
    out[n].left = c->dsack_left;
    out[n].right = c->dsack_right;
    n++;
  }
  unsigned k = c->ooo != NULL ? fin_asm_recent(c->ooo, idx, room - n) : 0;
  for (unsigned i = 0; i < k; i++, n++) {
    out[n].left = c->rcv_nxt + c->ooo->r[idx[i]].start;
    out[n].right = c->rcv_nxt + c->ooo->r[idx[i]].end;
  }
  return n;
}

static size_t build_options(struct fin_stack *st, struct fin_conn *c, uint8_t flags, uint8_t *opt) {
  if (c->noopt)
    return 0; /* TCP_NOOPT (FreeBSD): not even MSS */
  struct fin_tcp_opts_out o;
  memset(&o, 0, sizeof(o));
  bool syn = flags & FIN_TCP_SYN;
  if (syn) {
    bool synack = flags & FIN_TCP_ACK;
    bool bare = !synack && fin_policy_syn_options_dropped(st, c); /* MSS only */
    o.mss = true;
    o.mss_value = c->rcv_mss;
    /* On a SYN-ACK, echo only what the peer offered (RFC 7323 §1.3). */
    o.wscale = synack ? c->ws_ok : st->s.window_scaling && !bare;
    o.wscale_value = st->s.rcv_wscale;
    o.sack_permitted = synack ? c->sack_ok : st->s.sack_permitted && !bare;
    o.ts = synack ? c->ts_ok : st->s.timestamps && !bare;
    if (c->tfo_syn || c->tfo_synack_cookie)
      fin_tfo_syn_option(st, c, synack, &o); /* RFC 7413 §4.1.1 */
  } else {
    o.ts = c->ts_ok;
  }
  if (o.ts) {
    o.ts_val = fin_conn_tsval(st, c);
    o.ts_ecr = (syn && !(flags & FIN_TCP_ACK)) ? 0 : c->ts_recent;
  }
  if (!syn && c->sack_ok)
    o.sack_count = (uint8_t)sack_blocks(c, o.sack);
  return fin_tcp_opts_write(opt, &o, st->s.option_layout, syn);
}

/* A super-segment (plan_gso) spans many chunks: the headers are built
 * alone, the payload copied after them, and the lengths and checksums
 * made the whole datagram's. */
static size_t build_super(struct fin_stack *st, struct fin_conn *c, const struct out_plan *p,
                          const struct fin_segment *seg, const uint8_t *opt, size_t olen,
                          uint8_t *buf, size_t cap) {
  size_t hdr = fin_tcp_build(buf, cap, seg, opt, olen, NULL, 0, NULL, 0);
  if (hdr == 0 || p->len > cap - hdr)
    return 0;
  fin_ring_copy(st, fin_conn_snd(c), p->seq - c->snd_buf_seq, p->len, buf + hdr);
  return fin_tcp_fill_placed(buf, hdr, p->len);
}

static size_t emit(struct fin_stack *st, struct fin_conn *c, const struct out_plan *p, uint8_t *buf,
                   size_t cap) {
  /* The options are written where they go when the buffer has room for
   * the largest area (fin_tcp_build then leaves them in place). */
  uint8_t local[FIN_TCP_OPT_MAX];
  size_t at = fin_tuple_hdr(&c->tuple);
  uint8_t *opt = cap >= at + FIN_TCP_OPT_MAX ? buf + at : local;
  size_t olen = build_options(st, c, p->flags, opt);
  struct fin_segment seg;
  fin_segment_init(st, &seg, &c->tuple, p->seq, (p->flags & FIN_TCP_ACK) ? c->rcv_nxt : 0,
                   p->flags);
  seg.wnd = encode_window(st, c, p->flags & FIN_TCP_SYN);
  seg.tos = p->tos;
  const uint8_t *p1 = NULL, *p2 = NULL;
  uint32_t l1 = 0, l2 = 0;
  uint32_t data_seq = p->seq + !!(p->flags & FIN_TCP_SYN); /* a TFO SYN's data follows the SYN */
  size_t n;
  if (p->len > 0 && p->len > st->pool.chunk) {
    n = build_super(st, c, p, &seg, opt, olen, buf, cap);
  } else {
    if (p->len > 0)
      fin_ring_peek(st, fin_conn_snd(c), data_seq - c->snd_buf_seq, p->len, &p1, &l1, &p2, &l2);
    n = fin_tcp_build(buf, cap, &seg, opt, olen, p1, l1, p2, l2);
  }
  if (n > 0 && (p->flags & FIN_TCP_ACK)) {
    c->ack_now = 0;
    c->ack_data = 0;
    c->dsack = 0; /* reported once (RFC 2883 §4) */
    c->unacked_segs = 0;
    c->last_ack_sent = c->rcv_nxt;
    fin_conn_timer_clear(st, c, CT_DELACK);
  }
  return n;
}

/* Bookkeeping after a segment that occupies sequence space went out. */
static void sent(struct fin_stack *st, struct fin_conn *c, const struct out_plan *p) {
  uint32_t end = p->seq + p->len + !!(p->flags & FIN_TCP_SYN) + !!(p->flags & FIN_TCP_FIN);
  if (p->flags & FIN_TCP_FIN)
    c->fin_sent = 1;
  if (p->retransmit) {
    st->c.retrans_segs++;
    c->total_retrans++;
  } else if (c->rtt_start == 0 && !((p->flags & FIN_TCP_SYN) && (p->flags & FIN_TCP_ACK) &&
                                    !st->s.rtt_sample_passive_handshake)) {
    c->rtt_start = st->now == 0 ? 1 : st->now; /* RFC 6298 (3): time one segment */
    c->rtt_seq = p->seq;
  }
  if (c->snd_una == c->snd_max)
    c->first_rexmit = st->now; /* the oldest unacknowledged data leaves now */
  if (seq_gt(end, c->snd_nxt))
    c->snd_nxt = end;
  if (seq_gt(end, c->snd_max))
    c->snd_max = end;
  if (p->window_probe)
    return; /* J5: persist timing continues, not retransmission */
  if (c->rec != NULL)
    fin_rec_sent(st, c, p->seq, end, p->retransmit);
  if (c->timer[CT_REXMIT] == FIN_NEVER || c->persist) {
    c->persist = 0;
    fin_conn_rexmit_arm(st, c); /* RFC 6298 (5.1) */
  } else if (c->sack_rec && !p->retransmit) {
    fin_rec_data_sent(st, c); /* RFC 8985 §7.2: new data restarts the PTO */
  }
}

static uint32_t data_avail(const struct fin_conn *c, uint32_t seq) {
  uint32_t off = seq - c->snd_buf_seq;
  return off < fin_conn_snd(c)->len ? fin_conn_snd(c)->len - off : 0;
}

/* RFC 9293 §3.10.4: a FIN queued in SYN-RECEIVED waits for ESTABLISHED
 * (only a TFO child sends data there, T1). */
static bool fin_due(const struct fin_conn *c, uint32_t seq, uint32_t len) {
  return c->fin_queued && c->state != FIN_SYN_RECEIVED && seq + len == c->fin_seq &&
         (!c->fin_sent || seq_leq(seq, c->fin_seq));
}

/* RFC 5681 §3.2 fast retransmit / RFC 6582 partial ACK: one segment from
 * SND.UNA, whatever the window says. */
static bool plan_rexmit_one(struct fin_conn *c, uint32_t mss, struct out_plan *p) {
  c->rexmit_one = 0;
  uint32_t seq = c->snd_una, len = data_avail(c, seq);
  if (len > mss)
    len = mss;
  if (len == 0 && !fin_due(c, seq, 0))
    return false;
  p->seq = seq;
  p->len = len;
  p->flags = FIN_TCP_ACK |
             (len > 0 && seq + len == c->snd_buf_seq + fin_conn_snd(c)->len ? FIN_TCP_PSH : 0);
  if (fin_due(c, seq, len))
    p->flags |= FIN_TCP_FIN;
  p->retransmit = true;
  return true;
}

/* Nagle (RFC 9293 §3.7.4) and sender SWS avoidance (§3.8.6.2.1), for new
 * data: what the peer was already sent (go-back-N after a timeout or a
 * smaller path MTU) goes again as soon as the window allows. */
static bool may_send_small(const struct fin_conn *c, uint32_t seq, uint32_t len, uint32_t avail,
                           bool fin) {
  if (fin || seq_lt(seq, c->snd_max))
    return true; /* a FIN-carrying segment is never held back (Linux does the same) */
  if (len < avail)
    return len >= c->max_snd_wnd / 2 && len > 0;
  /* Our unacknowledged SYN is not data: a TFO child's first reply (T1)
   * is not held back by it. */
  uint32_t una = c->snd_una == c->iss ? c->iss + 1 : c->snd_una;
  return c->nodelay || c->snd_nxt == una;
}

/* What the send side can do at SND.NXT now. The one decision both output
 * (what to send) and fin_conn_schedule (which timer a blocked queue needs)
 * rest on, so they can never disagree. */
enum data_verdict {
  DATA_SEND,         /* a segment goes now */
  DATA_NONE,         /* nothing unsent */
  DATA_HELD,         /* Nagle, cwnd or a full window, with data in flight to clock it out */
  DATA_ZERO_WINDOW,  /* nothing in flight, the peer's window is zero: persist (J5) */
  DATA_SMALL_WINDOW, /* nothing in flight, the window is too small for SWS avoidance */
};

struct data_plan {
  uint32_t seq, len;
  bool fin;
};

/* force: the SWS override (§3.8.6.2.1): send what the window allows. */
static enum data_verdict plan_data_at(const struct fin_conn *c, uint32_t mss, bool force,
                                      struct data_plan *d) {
  uint32_t seq = c->snd_nxt, avail = data_avail(c, seq);
  uint32_t flight = c->snd_nxt - c->snd_una;
  uint32_t wnd = c->snd_wnd < c->cwnd ? c->snd_wnd : c->cwnd;
  uint32_t usable = wnd > flight ? wnd - flight : 0;
  if (fin_rec_in_recovery(c)) {
    /* In SACK recovery cwnd bounds the pipe (RFC 6675 §5 (C)), the
     * peer's window the sequence space. */
    uint32_t room = c->cwnd > c->rec->pipe ? c->cwnd - c->rec->pipe : 0;
    usable = c->snd_wnd > flight ? c->snd_wnd - flight : 0;
    if (room < usable)
      usable = room;
  }
  uint32_t len = avail < usable ? avail : usable;
  if (len > mss)
    len = mss;
  d->seq = seq;
  d->len = len;
  d->fin = fin_due(c, seq, len) && !(c->fin_sent && seq_gt(seq, c->fin_seq));
  if (len == 0 && !d->fin) {
    if (avail == 0)
      return DATA_NONE;
    return flight == 0 ? DATA_ZERO_WINDOW : DATA_HELD; /* cwnd >= 1 MSS: the window is 0 */
  }
  if (len < mss && !force && !may_send_small(c, seq, len, avail, d->fin))
    return flight == 0 && len < avail ? DATA_SMALL_WINDOW : DATA_HELD;
  return DATA_SEND;
}

static void plan_from(const struct fin_conn *c, const struct data_plan *d, struct out_plan *p) {
  p->seq = d->seq;
  p->len = d->len;
  p->flags = FIN_TCP_ACK;
  if (d->len > 0 && d->len == data_avail(c, d->seq))
    p->flags |= FIN_TCP_PSH; /* the segment empties the queue */
  if (d->fin)
    p->flags |= FIN_TCP_FIN;
  p->retransmit = seq_lt(d->seq, c->snd_max);
}

static bool plan_data(struct fin_conn *c, uint32_t mss, struct out_plan *p) {
  struct data_plan d;
  if (plan_data_at(c, mss, false, &d) != DATA_SEND)
    return false;
  plan_from(c, &d, p);
  return true;
}

/* A retransmission of [seq, end) (recovery.c), at most one MSS of data;
 * our FIN goes with the data it follows. */
static void plan_range(const struct fin_conn *c, uint32_t seq, uint32_t end, uint32_t mss,
                       struct out_plan *p) {
  uint32_t data_end = c->fin_sent && end == c->fin_seq + 1 ? c->fin_seq : end;
  uint32_t len = data_end - seq > mss ? mss : data_end - seq;
  p->seq = seq;
  p->len = len;
  p->flags = FIN_TCP_ACK | (len > 0 && len == data_avail(c, seq) ? FIN_TCP_PSH : 0);
  if (fin_due(c, seq, len))
    p->flags |= FIN_TCP_FIN;
  p->retransmit = true;
}

/* RFC 6675 §5 (C) with NextSeg() rule 1: a lost hole while the pipe has
 * room (PRR sets cwnd, recovery.c), else new data as the pipe allows. */
static bool plan_sack_recovery(struct fin_conn *c, uint32_t mss, struct out_plan *p) {
  uint32_t seq, end;
  if (c->rec->pipe < c->cwnd && fin_rec_next_hole(c, &seq, &end)) {
    plan_range(c, seq, end, mss, p);
    return true;
  }
  return plan_data(c, mss, p);
}

/* RFC 8985 §7.3: the probe is one segment of new data if the peer's
 * window takes it, whatever cwnd says, else the last segment sent again. */
static bool plan_loss_probe(struct fin_conn *c, uint32_t mss, struct out_plan *p) {
  uint32_t seq = c->snd_nxt, avail = data_avail(c, seq), flight = c->snd_nxt - c->snd_una;
  uint32_t wnd = c->snd_wnd > flight ? c->snd_wnd - flight : 0;
  p->loss_probe = true;
  if (avail > 0 && wnd > 0) {
    struct data_plan d = {seq, avail < wnd ? avail : wnd, false};
    if (d.len > mss)
      d.len = mss;
    d.fin = fin_due(c, seq, d.len) && !c->fin_sent;
    plan_from(c, &d, p);
    return true;
  }
  uint32_t end;
  fin_rec_last_segment(c, mss, &seq, &end);
  plan_range(c, seq, end, mss, p);
  return true;
}

/* Segmentation offload (fin_stack_output_gso): a full-MSS segment of new
 * data takes on the segments that would follow it now, up to gso_max bytes.
 * Each is planned as output would plan it once the one before had left
 * (SND.NXT = SND.MAX moved on), so the window, cwnd, Nagle and SWS rules
 * bound the whole, and the flags are the last piece's (PSH, FIN): the
 * super-segment is the concatenation of the segments. Not while CWR is due
 * (first segment only, RFC 3168 §6.1.2) nor a D-SACK block (sent once, RFC
 * 2883 §4): those segments differ from the next. */
static void plan_gso(struct fin_stack *st, struct fin_conn *c, uint32_t mss, struct out_plan *p) {
  if (p->retransmit || p->len != mss || (p->flags & FIN_TCP_FIN) || c->dsack ||
      (c->ecn_ok && c->ecn_cwr) || c->snd_nxt != c->snd_max)
    return;
  uint32_t nxt = c->snd_nxt;
  struct data_plan d;
  struct out_plan q;
  for (;;) {
    c->snd_nxt = c->snd_max = p->seq + p->len;
    if (plan_data_at(c, mss, false, &d) != DATA_SEND || d.len == 0 || d.len > st->gso_max - p->len)
      break;
    plan_from(c, &d, &q);
    p->len += d.len;
    p->flags = q.flags;
    if (d.len < mss || d.fin)
      break;
  }
  c->snd_nxt = c->snd_max = nxt;
  if (p->len > mss)
    st->gso_mss = mss;
}

/* RFC 9293 §3.8.6.1 (BEHAVIOR J5): a zero window is probed with one byte. */
static bool plan_window_probe(struct fin_conn *c, struct out_plan *p) {
  uint32_t seq = c->snd_una;
  if (data_avail(c, seq) == 0)
    return false;
  p->seq = seq;
  p->len = 1;
  p->flags = FIN_TCP_ACK;
  p->retransmit = seq_lt(seq, c->snd_max);
  p->window_probe = true;
  return true;
}

/* The persist timer fired (BEHAVIOR M3): what a small window allows goes
 * (the SWS override); a zero window gets its one-byte probe. */
static bool plan_persist(struct fin_conn *c, uint32_t mss, struct out_plan *p) {
  struct data_plan d;
  if (plan_data_at(c, mss, true, &d) == DATA_SEND) {
    plan_from(c, &d, p);
    return true;
  }
  return plan_window_probe(c, p);
}

static bool plan_syn(const struct fin_stack *st, struct fin_conn *c, struct out_plan *p) {
  if (c->snd_nxt != c->iss)
    return false;
  p->seq = c->iss;
  p->len = 0;
  p->flags = FIN_TCP_SYN | (c->state != FIN_SYN_SENT ? FIN_TCP_ACK : 0);
  p->retransmit = c->snd_max != c->iss;
  if (c->tfo_cookie && c->state == FIN_SYN_SENT && !p->retransmit) { /* RFC 7413 §4.2.2 */
    uint32_t room = fin_tfo_syn_room(st, c);
    p->len = fin_conn_snd(c)->len < room ? fin_conn_snd(c)->len : room;
  }
  return true;
}

/* BEHAVIOR C3: a FIN-WAIT-1 entered from SYN-RECEIVED owes the peer its
 * SYN-ACK (first sending or retransmission) until our SYN is ACKed; so do
 * the CLOSE-WAIT and LAST-ACK a TFO SYN carrying a FIN leads to (T8). */
static bool syn_ack_due(const struct fin_conn *c) {
  return (c->state == FIN_FIN_WAIT_1 || c->state == FIN_CLOSE_WAIT || c->state == FIN_LAST_ACK) &&
         c->snd_una == c->iss && c->snd_nxt == c->iss;
}

/* settings.resend_fin_with_ack (FreeBSD tcp_output): while our FIN is
 * unacknowledged, an ACK we send repeats it, <SEQ=FIN><CTL=FIN,ACK>. The
 * peer's view is the same as a FIN retransmission that also ACKs. */
static bool fin_repeat_unacked(struct fin_stack *st, struct fin_conn *c, struct out_plan *p) {
  if (!st->s.resend_fin_with_ack || !c->fin_sent || seq_gt(c->snd_una, c->fin_seq) ||
      c->snd_max != c->fin_seq + 1)
    return false;
  p->seq = c->fin_seq;
  p->flags |= FIN_TCP_FIN;
  p->retransmit = true;
  return true;
}

static bool can_send_data(enum fin_state s) {
  return s == FIN_ESTABLISHED || s == FIN_CLOSE_WAIT || s == FIN_FIN_WAIT_1 || s == FIN_CLOSING ||
         s == FIN_LAST_ACK;
}

/* RFC 7413 §4.2.2 step 3 (BEHAVIOR T1): a TFO child may send data once its
 * SYN-ACK is out, before the handshake completes (Linux does). */
static bool tfo_early_data(const struct fin_conn *c) {
  return c->state == FIN_SYN_RECEIVED && c->tfo_passive && c->snd_nxt != c->iss;
}

/* Bytes the SACK blocks of build_options() take: NOP,NOP,kind,len + 8 per
 * block, at most 3 next to timestamps, 4 without (RFC 2018 §3). */
static uint32_t sack_option_len(const struct fin_conn *c) {
  if (!c->sack_ok || (c->ooo == NULL && !c->dsack))
    return 0; /* in-order data: no blocks (the common case, one test) */
  uint32_t blocks = fin_conn_ooo_count(c) + c->dsack, room = sack_room(c);
  if (blocks == 0)
    return 0;
  return 4 + 8 * (blocks < room ? blocks : room);
}

/* RFC 9293 §3.7.1 (MUST-16, TCPhdrsize), RFC 6691: the data of a segment is the
 * effective MSS less the options it carries. snd_mss already excludes the
 * timestamps; SACK blocks come and go with out-of-order data, so they are
 * subtracted per segment (else the datagram exceeds the MTU). A caller's
 * buffer smaller than that makes the segment smaller, never larger: a cap of
 * the MTU or more gives the MSS exactly. */
static uint32_t segment_room(const struct fin_stack *st, const struct fin_conn *c, size_t cap) {
  uint32_t mss = c->snd_mss ? c->snd_mss : fin_default_mss(&c->tuple), sack = sack_option_len(c);
  mss = mss > sack + 1 ? mss - sack : 1;
  if (mss > st->pool.chunk)
    mss = st->pool.chunk; /* a payload spans at most two chunks (an MTU raised at run time) */
  size_t hdr = fin_tuple_hdr(&c->tuple) + (c->ts_ok ? 12 : 0) + sack;
  size_t room = cap > hdr ? cap - hdr : 0;
  return room < mss ? (uint32_t)room : mss;
}

/* What output would do with the largest buffer: the strictest verdict, so
 * a timer is armed whenever any output call might hold the data back. */
#define PLAN_CAP SIZE_MAX

size_t fin_conn_output(struct fin_stack *st, struct fin_conn *c, uint8_t *buf, size_t cap) {
  if (c->terminated)
    return 0;
  struct out_plan p;
  memset(&p, 0, sizeof(p));
  bool seqspace = false;
  uint32_t mss = segment_room(st, c, cap);
  if (c->state == FIN_SYN_SENT || c->state == FIN_SYN_RECEIVED || syn_ack_due(c)) {
    seqspace = plan_syn(st, c, &p);
    if (!seqspace && tfo_early_data(c))
      seqspace = plan_data(c, mss, &p);
  } else if (can_send_data(c->state)) {
    if (c->rec != NULL && (c->rec->probe_due || c->in_recovery))
      seqspace = c->rec->probe_due ? plan_loss_probe(c, mss, &p) : plan_sack_recovery(c, mss, &p);
    else if (c->rexmit_one)
      seqspace = plan_rexmit_one(c, mss, &p);
    else if (c->probe_window)
      seqspace = plan_persist(c, mss, &p);
    else if ((seqspace = plan_data(c, mss, &p)) && st->gso_max > mss)
      plan_gso(st, c, mss, &p);
  }
  c->probe_window = 0;
  if (!seqspace)
    fin_conn_schedule_timers(st, c); /* M3: what stays queued gets its timer */
  if (!seqspace && !c->ack_now && !c->probe_keepalive)
    return 0;
  if (!seqspace) {
    /* A pure ACK (M1: at the sequence number the peer accepts); a
     * keep-alive probe is <SEQ=SND.UNA-1> (RFC 1122 4.2.3.6). M9: only an
     * ACK owed for data or a FIN may repeat our FIN under the FreeBSD policy,
     * never a challenge or duplicate ACK or a window update. */
    p.seq = c->probe_keepalive ? c->snd_una - 1 : fin_conn_ctl_seq(c);
    p.flags = FIN_TCP_ACK;
    c->probe_keepalive = 0;
    seqspace = c->ack_data && fin_repeat_unacked(st, c, &p);
  }
  fin_ecn_output(st, c, &p.flags, &p.tos,
                 seqspace && p.len > 0 && !p.retransmit && !p.window_probe);
  size_t n = emit(st, c, &p, buf, cap);
  if (n > 0 && seqspace)
    sent(st, c, &p);
  if (n > 0 && p.loss_probe)
    fin_rec_probe_sent(st, c, p.retransmit);
  if (n > 0)
    fin_ecn_sent(c, p.flags);
  return n;
}

/* After a segment went out: whether another fin_conn_output() call could
 * do anything. When it says no, that call would plan nothing and find the
 * timers as this one left them (a segment that occupies sequence space
 * armed the retransmission timer in sent(); a pure ACK ran
 * fin_conn_schedule_timers first), so the connection leaves the output
 * list at once instead of costing one more pass. Anything unusual (the
 * handshake states, a flag, unsent data or FIN) answers yes. */
bool fin_conn_more_due(const struct fin_conn *c) {
  if (c->ack_now || c->rexmit_one || c->probe_window || c->probe_keepalive || c->persist)
    return true;
  if (c->state != FIN_ESTABLISHED && c->state != FIN_CLOSE_WAIT && c->state != FIN_FIN_WAIT_1 &&
      c->state != FIN_FIN_WAIT_2 && c->state != FIN_CLOSING && c->state != FIN_LAST_ACK)
    return true;
  /* Unsent data or FIN, also after go-back-N (SND.NXT moved back). */
  if (syn_ack_due(c) || data_avail(c, c->snd_nxt) > 0 ||
      (c->fin_queued && (!c->fin_sent || seq_leq(c->snd_nxt, c->fin_seq))))
    return true;
  return c->snd_una != c->snd_max && c->timer[CT_REXMIT] == FIN_NEVER;
}

/* The persist timer (BEHAVIOR J5, M3) takes the send timer's slot: its
 * first firing comes after the RTO for a zero window, and after at most
 * 1 s for a small one (the SWS override timeout, §3.8.6.2.1). */
static void start_persist(struct fin_stack *st, struct fin_conn *c, enum data_verdict v) {
  fin_time at = fin_rtt_backed_off(&c->rtt, v == DATA_ZERO_WINDOW ? c->backoff : 0, &st->s);
  if (v == DATA_SMALL_WINDOW && at > FIN_SEC(1))
    at = FIN_SEC(1);
  c->persist = 1;
  c->persist_since = st->now;
  fin_conn_persist_arm(st, c, st->now + at);
}

/* The one place a connection's send timer is decided (BEHAVIOR M3): data or
 * a FIN in flight has the retransmission timer (armed as it goes out);
 * with nothing in flight, data or a FIN that the peer's window keeps back
 * has the persist timer; persist ends when nothing is owed any more (the
 * window opening ends it in the ACK processing). */
void fin_conn_schedule_timers(struct fin_stack *st, struct fin_conn *c) {
  if (c->terminated || !(can_send_data(c->state) || tfo_early_data(c)) || syn_ack_due(c))
    return;
  struct data_plan d;
  enum data_verdict v = plan_data_at(c, segment_room(st, c, PLAN_CAP), false, &d);
  if (c->persist) {
    if (v == DATA_NONE && c->snd_una == c->snd_max) {
      c->persist = 0;
      fin_conn_timer_clear(st, c, CT_REXMIT);
    }
    return;
  }
  if (c->snd_una != c->snd_max) {
    if (c->timer[CT_REXMIT] == FIN_NEVER)
      fin_conn_rexmit_arm(st, c);
    return;
  }
  if (v == DATA_ZERO_WINDOW || v == DATA_SMALL_WINDOW)
    start_persist(st, c, v);
}

/* After anything that may let the connection send: output now, or the
 * timer that will send what is held back. */
void fin_conn_schedule(struct fin_stack *st, struct fin_conn *c) {
  if (c->terminated)
    return;
  if (c->ack_now || c->rexmit_one || c->probe_window || c->probe_keepalive ||
      fin_rec_probe_due(c)) {
    fin_conn_output_mark(st, c);
    return;
  }
  struct data_plan d;
  if ((can_send_data(c->state) || tfo_early_data(c)) && !syn_ack_due(c) &&
      plan_data_at(c, segment_room(st, c, PLAN_CAP), false, &d) == DATA_SEND) {
    fin_conn_output_mark(st, c);
    return;
  }
  fin_conn_schedule_timers(st, c);
}
