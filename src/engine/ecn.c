/* SPDX-License-Identifier: MIT */
/* Explicit Congestion Notification for TCP (RFC 3168 §6.1). A router that
 * would drop a packet of an ECN-capable transport marks it CE instead; the
 * receiver echoes that with ECE until the sender, having reduced its
 * window as for a loss, says so with CWR. Linux's and FreeBSD's choices
 * where the RFC leaves one: the mode (settings.ecn, Linux tcp_ecn), how
 * many SYN retransmissions still ask (FreeBSD ecn.maxretries, Linux
 * tcp_ecn_fallback) and an ECN-setup SYN that is itself ECT is refused
 * (Linux tcp_ecn_create_request). */
#include "ecn.h"

/* §6.1.1: the SYN asks with ECE and CWR; a retransmitted SYN asks again
 * only while settings.ecn_syn_retries allows (FreeBSD t_rxtshift <=
 * maxretries: a path that drops ECN-setup SYNs still connects). */
static bool syn_asks(const struct fin_stack *st, const struct fin_conn *c) {
  return fin_conn_ecn_mode(st, c) == FIN_ECN_ON && c->backoff <= st->s.ecn_syn_retries;
}

void fin_ecn_negotiate(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg) {
  uint8_t f = seg->flags & (FIN_TCP_SYN | FIN_TCP_ACK | FIN_TCP_ECE | FIN_TCP_CWR);
  if (f == (FIN_TCP_SYN | FIN_TCP_ACK | FIN_TCP_ECE)) {
    /* §6.1.1: an ECN-setup SYN-ACK (ECE, not CWR) answers an ECN-setup SYN. */
    c->ecn_ok = c->ecn_req;
  } else if (f == (FIN_TCP_SYN | FIN_TCP_ECE | FIN_TCP_CWR)) {
    /* §6.1.1: an ECN-setup SYN, in LISTEN or a simultaneous open. §6.1.1
     * forbids ECT on a SYN: one that has it went through something that
     * rewrites the TOS byte, and ECN over that path would be noise. */
    c->ecn_ok =
        fin_conn_ecn_mode(st, c) != FIN_ECN_OFF && (seg->tos & FIN_ECN_MASK) == FIN_ECN_NOT_ECT;
  } else {
    c->ecn_ok = 0; /* a SYN-ACK with CWR too is not an ECN-setup one (§6.1.1) */
  }
  c->ecn_ece = c->ecn_cwr = c->ecn_window = c->ecn_seen = 0;
  if (c->ecn_ok)
    st->c.ecn_negotiated++;
}

void fin_ecn_output_ecn(const struct fin_stack *st, struct fin_conn *c, uint8_t *flags,
                        uint8_t *tos, bool new_data) {
  /* §6.1.1: no ECT on a SYN or SYN-ACK, whatever was negotiated. */
  if (*flags & FIN_TCP_SYN) {
    if (*flags & FIN_TCP_ACK) {
      if (c->ecn_ok)
        *flags |= FIN_TCP_ECE; /* an ECN-setup SYN-ACK */
    } else if (syn_asks(st, c)) {
      *flags |= FIN_TCP_ECE | FIN_TCP_CWR; /* an ECN-setup SYN */
      c->ecn_req = 1;
    }
    return;
  }
  if (!c->ecn_ok)
    return;
  /* §6.1.3: ECE on every ACK until the peer's CWR arrives. */
  if (c->ecn_ece)
    *flags |= FIN_TCP_ECE;
  /* §6.1.2: ECT and CWR go only on new data: §6.1.4 no ECT on pure ACKs,
   * §6.1.5 neither on retransmissions, §6.1.6 nor on window probes. */
  if (!new_data)
    return;
  *tos = (uint8_t)((*tos & ~FIN_ECN_MASK) | FIN_ECN_ECT0);
  if (c->ecn_cwr)
    *flags |= FIN_TCP_CWR;
}

bool fin_ecn_data_in_ecn(struct fin_conn *c, const struct fin_segment *seg) {
  unsigned ecn = seg->tos & FIN_ECN_MASK;
  if (ecn != FIN_ECN_NOT_ECT)
    c->ecn_seen = 1;
  /* §6.1.3: CWR ends the echo; a CE on that very segment starts a new one. */
  if (seg->flags & FIN_TCP_CWR)
    c->ecn_ece = 0;
  if (ecn != FIN_ECN_CE)
    return false;
  bool first = !c->ecn_ece;
  c->ecn_ece = 1;
  return first; /* Linux enters quick-ACK here: the sender learns it one RTT sooner */
}

/* §6.1.2: "halves the congestion window cwnd and reduces the slow start
 * threshold ssthresh", as a loss would (RFC 5681 §3.1: never below two
 * segments), once per window of data: what was in flight now has to be
 * acknowledged before another ECE counts. */
static void reduce(struct fin_stack *st, struct fin_conn *c) {
  uint32_t half = c->cwnd / 2, floor = 2u * c->snd_mss;
  c->ssthresh = half > floor ? half : floor;
  c->cwnd = c->ssthresh;
  c->recover = c->snd_max;
  c->ecn_window = 1;
  c->ecn_cwr = 1;
  st->c.ecn_cwnd_reduced++;
}

/* Linux TCPDeliveredCE: the segments an ECE-carrying ACK newly covers. */
static uint32_t segments_acked(const struct fin_conn *c, uint32_t ack) {
  uint32_t bytes = seq_gt(ack, c->snd_una) ? ack - c->snd_una : 0,
           mss = c->snd_mss ? c->snd_mss : 1;
  return (bytes + mss - 1) / mss;
}

bool fin_ecn_ack_in_ecn(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg) {
  if (c->ecn_window && seq_gt(seg->ack, c->recover))
    c->ecn_window = 0; /* the window of the last reduction is acknowledged */
  if (!(seg->flags & FIN_TCP_ECE) || (seg->flags & FIN_TCP_SYN))
    return false;
  st->c.delivered_ce += segments_acked(c, seg->ack);
  /* NewReno recovery already answered this congestion (RFC 3168 §6.1.2:
   * at most once per window, loss and ECE alike). */
  if (!c->in_recovery && !c->ecn_window)
    reduce(st, c);
  return true;
}

void fin_ecn_cwnd_reduced(struct fin_conn *c) {
  if (!c->ecn_ok)
    return;
  /* RFC 6582 §3.2 (4): after a timeout too, recover is the highest
   * sequence number sent; fast retransmit has just set it. */
  c->recover = c->snd_max;
  c->ecn_window = 1;
  c->ecn_cwr = 1; /* §6.1.2: "for any reason" the window is reduced */
}
