/* SPDX-License-Identifier: MIT */
/* SEGMENT ARRIVES in SYN-SENT (RFC 9293 §3.10.7.3; BEHAVIOR A3, H1, K3, T5). */
#include "ecn.h"
#include "input.h"
#include "policy.h"

/* Options from the peer's SYN or SYN-ACK decide what this connection uses:
 * each extension only when both sides offered it (RFC 7323 §1.3, §2.2). */
void fin_conn_negotiate(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg) {
  c->ts_ok = st->s.timestamps && seg->opts.has_ts;
  c->ws_ok = st->s.window_scaling && seg->opts.has_wscale;
  c->sack_ok = st->s.sack_permitted && seg->opts.sack_permitted;
  if (c->noopt || fin_policy_syn_options_dropped(st, c)) /* not offered, so not used */
    c->ts_ok = c->ws_ok = c->sack_ok = 0;
  c->sack_rec = c->sack_ok && st->s.recovery != FIN_RECOVERY_NEWRENO; /* recovery.c */
  c->snd_wscale = c->ws_ok ? (uint8_t)(seg->opts.wscale > 14 ? 14 : seg->opts.wscale) : 0;
  c->rcv_wscale = c->ws_ok ? st->s.rcv_wscale : 0;
  if (c->ts_ok) {
    c->ts_recent = seg->opts.ts_val;
    c->ts_recent_stamp = st->now;
  }
  c->irs = seg->seq;
  c->rcv_nxt = seg->seq + 1;
  c->rcv_adv = c->rcv_nxt; /* what the SYN advertised was relative to nothing */
  fin_conn_init_mss(st, c, seg);
  fin_conn_init_cc(st, c);
  fin_ecn_negotiate(st, c, seg); /* RFC 3168 §6.1.1 */
}

static bool ack_acceptable(const struct fin_conn *c, const struct fin_segment *seg) {
  return seq_gt(seg->ack, c->snd_una) && seq_leq(seg->ack, c->snd_max);
}

/* Data or FIN riding on the SYN-ACK is processed as in ESTABLISHED. */
static void rest_of_syn_ack(struct fin_stack *st, struct fin_conn *c,
                            const struct fin_segment *seg) {
  if (seg->payload_len == 0 && !(seg->flags & FIN_TCP_FIN))
    return;
  struct fin_segment rest = *seg;
  rest.flags &= (uint8_t)~FIN_TCP_SYN;
  rest.seq = seg->seq + 1;
  fin_conn_input(st, c, &rest);
}

/* M10: the window our SYN offered (never scaled, RFC 7323 §2.2) is what the
 * peer may fill from RCV.NXT on, text on its SYN-ACK included. */
static void syn_window_seen(struct fin_conn *c) {
  uint32_t w = fin_conn_rcv_wnd(c);
  c->rcv_adv = c->rcv_nxt + (w > 65535 ? 65535 : w);
}

static void syn_ack(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg) {
  fin_conn_negotiate(st, c, seg);
  syn_window_seen(c);
  fin_conn_round_rcvbuf(st, c);
  if (c->rtt_start != 0)
    fin_rtt_sample(&c->rtt, st->now - c->rtt_start, &st->s); /* Karn: only if not retransmitted */
  c->rtt_start = 0;
  c->snd_una = seg->ack;
  c->snd_buf_seq = c->iss + 1;
  /* RFC 7413 §4.2.2: the data on our SYN, the cookie cache. */
  if (c->tfo_syn || c->snd_max != c->iss + 1)
    fin_tfo_syn_ack(st, c, seg);
  c->snd_wnd = seg->wnd; /* RFC 7323 §2.2: never scaled in a SYN */
  c->max_snd_wnd = c->snd_wnd;
  c->snd_wl1 = seg->seq;
  c->snd_wl2 = seg->ack;
  c->backoff = 0;
  fin_conn_timer_clear(st, c, CT_REXMIT);
  c->ack_now = 1;
  fin_conn_output_mark(st, c);
  fin_conn_established(st, c);
  if (c->fin_queued) {
    c->fin_seq = c->snd_buf_seq + fin_conn_snd(c)->len;
    fin_conn_set_state(st, c, FIN_FIN_WAIT_1);
  }
  rest_of_syn_ack(st, c, seg);
}

/* K3 (MUST-10): SYN without ACK in SYN-SENT is a simultaneous open. */
static void simultaneous_open(struct fin_stack *st, struct fin_conn *c,
                              const struct fin_segment *seg) {
  fin_conn_negotiate(st, c, seg);
  fin_conn_round_rcvbuf(st, c); /* FreeBSD tcp_mss() runs for any SYN in SYN-SENT */
  c->snd_wnd = seg->wnd;
  c->max_snd_wnd = c->snd_wnd;
  c->snd_wl1 = seg->seq;
  c->rtt_start = 0;
  fin_conn_set_state(st, c, FIN_SYN_RECEIVED);
  c->snd_nxt = c->iss; /* send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> */
  fin_conn_output_mark(st, c);
  fin_input_hold_syn_text(st, c, seg); /* M11 */
}

void fin_syn_sent_input(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg) {
  bool has_ack = seg->flags & FIN_TCP_ACK;
  if (fin_policy_drop_synfin(st, false, seg)) {
    FIN_DROP(st, &c->tuple, drop_syn_sent_bad); /* SYN+FIN (settings.synfin) */
    return;
  }
  if (has_ack && (seq_leq(seg->ack, c->iss) || seq_gt(seg->ack, c->snd_max))) {
    if (seg->flags & FIN_TCP_RST) {
      FIN_DROP(st, &c->tuple, drop_syn_sent_bad);
      return;
    }
    fin_send_rst_for(st, seg, &st->c.rst_syn_sent_bad_ack, false); /* A3 */
    return;
  }
  if (seg->flags & FIN_TCP_RST) {
    if (has_ack && ack_acceptable(c, seg))
      fin_conn_terminate(st, c, FIN_REASON_REFUSED, -ECONNREFUSED); /* H1 */
    else
      FIN_DROP(st, &c->tuple, drop_syn_sent_bad);
    return;
  }
  if (!(seg->flags & FIN_TCP_SYN)) {
    FIN_DROP(st, &c->tuple, drop_syn_sent_bad);
    return;
  }
  if (has_ack)
    syn_ack(st, c, seg);
  else
    simultaneous_open(st, c, seg);
}
