/* SPDX-License-Identifier: MIT */
/* Settings that change what an arriving segment may do: one predicate per
 * setting, so that the input steps ask a question instead of testing
 * settings inline. Each cites the rule it relaxes or tightens. */
#ifndef FIN_ENGINE_POLICY_H
#define FIN_ENGINE_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

/* The predicates asked of every segment are inline (a call each cost more
 * than the test); the rest live in policy.c. */

/* insecure_rst (RFC 793 §3.4): an in-window RST that is not at RCV.NXT
 * resets instead of drawing a challenge ACK (RFC 5961 §3.2). */
bool fin_policy_rst_in_window_resets(const struct fin_stack *st);
/* BEHAVIOR H3: a RST at RCV.NXT-1 after the peer's FIN resets. */
static inline bool fin_policy_rst_after_fin(const struct fin_stack *st, const struct fin_conn *c,
                                            const struct fin_segment *seg) {
  return st->s.rst_after_fin && (seg->flags & FIN_TCP_RST) && c->peer_fin &&
         seg->seq == c->rcv_nxt - 1;
}
/* insecure_syn (RFC 793 §3.9): a SYN whose SEG.SEQ lies in the receive
 * window resets the connection (RST) instead of drawing a challenge ACK
 * (RFC 5961 §4.2). */
bool fin_policy_syn_resets(const struct fin_stack *st, const struct fin_conn *c,
                           const struct fin_segment *seg);
/* The same for a TIME-WAIT record: an in-window SYN ends it with RST. */
bool fin_policy_syn_resets_tw(const struct fin_stack *st, const struct fin_tw *tw,
                              const struct fin_segment *seg);

/* tolerate_missing_ts off (RFC 7323 §3.2 SHOULD): once timestamps are
 * negotiated, a non-RST segment without TSopt is dropped silently. */
static inline bool fin_policy_missing_ts_drops(const struct fin_stack *st, const struct fin_conn *c,
                                               const struct fin_segment *seg) {
  return !st->s.tolerate_missing_ts && c->ts_ok && !seg->opts.has_ts && !(seg->flags & FIN_TCP_RST);
}

/* RCV.WND for the acceptability test: fin's advertised-window test
 * (adv_wnd, BEHAVIOR M10) or, with rcv_wnd_space, what FreeBSD's tcp_input
 * uses - max(free receive space, RCV.ADV - RCV.NXT) - in every state but a
 * passive SYN-RECEIVED (FreeBSD's syncache tests the SYN-ACK's window). */
static inline uint32_t fin_policy_acceptance_window(const struct fin_stack *st,
                                                    const struct fin_conn *c, uint32_t adv_wnd) {
  if (!st->s.rcv_wnd_space || (c->state == FIN_SYN_RECEIVED && c->passive))
    return adv_wnd;
  uint32_t adv = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
  uint32_t room = fin_conn_rcv_wnd(c);
  return adv > room ? adv : room;
}
/* rst_right_edge_outside: a RST with SEG.SEQ == RCV.NXT + wnd is not
 * acceptable (RFC 9293 §3.10.7.4: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND). */
static inline bool fin_policy_rst_at_right_edge_outside(const struct fin_stack *st,
                                                        const struct fin_conn *c,
                                                        const struct fin_segment *seg,
                                                        uint32_t wnd) {
  return st->s.rst_right_edge_outside && (seg->flags & FIN_TCP_RST) && wnd > 0 &&
         seg->seq == c->rcv_nxt + wnd;
}

/* syncookies_only (FreeBSD): every SYN to a listener is answered with a
 * SYN cookie (RFC 4987 §3.6), not only when the queues are full (L1). */
bool fin_policy_cookie_for_every_syn(const struct fin_stack *st);

/* RFC 9293 §3.8.6.3 / RFC 5681 §4.2 ("at least every second full-sized
 * segment"): does an in-order segment of len bytes count toward the
 * immediate ACK? Full-sized ones always do; with delack_any_size every one
 * does (FreeBSD). */
static inline bool fin_policy_segment_counts_for_ack(const struct fin_stack *st,
                                                     const struct fin_conn *c, uint32_t len) {
  return len >= c->rcv_mss || (st->s.delack_any_size && len > 0);
}

/* BEHAVIOR J6 with settings.icmp_abort: 0 when the ICMP error leaves the
 * connection alone, else the negative errno it aborts with. */
struct fin_icmp_error;
int fin_policy_icmp_abort(const struct fin_stack *st, const struct fin_conn *c,
                          const struct fin_icmp_error *e);

/* syn_rexmit_drop_options (FreeBSD): from the third retransmission of our
 * SYN on, only MSS is offered, and what the SYN-ACK offers is not used. */
bool fin_policy_syn_options_dropped(const struct fin_stack *st, const struct fin_conn *c);

/* listen_synack_drop: a SYN+ACK arriving in LISTEN is dropped silently
 * (FreeBSD tcp_input: "(SYN|ACK) is bogus on a listen socket") instead of
 * the RST of RFC 9293 §3.10.7.2 ("should be formed", BEHAVIOR A2). */
bool fin_policy_listen_synack_dropped(const struct fin_stack *st, const struct fin_segment *seg);

/* settings.synfin: a SYN+FIN arriving in LISTEN or SYN-SENT is dropped. */
bool fin_policy_drop_synfin(const struct fin_stack *st, bool listen, const struct fin_segment *seg);

#endif
