/* SPDX-License-Identifier: MIT */
/* Predicates for the settings that change what an arriving segment may do
 * (policy.h). */
#include "policy.h"

#include "internal.h"

bool fin_policy_rst_in_window_resets(const struct fin_stack *st) {
  return st->s.insecure_rst;
}

/* RFC 793 §3.9 "If the SYN is in the window it is an error": SEG.SEQ in
 * [RCV.NXT, RCV.NXT + RCV.WND), as FreeBSD's insecure_syn tests it. */
static bool syn_in_window(uint32_t seq, uint32_t rcv_nxt, uint32_t wnd) {
  return wnd > 0 && seq_in(seq, rcv_nxt, rcv_nxt + wnd);
}

bool fin_policy_syn_resets(const struct fin_stack *st, const struct fin_conn *c,
                           const struct fin_segment *seg) {
  return st->s.insecure_syn && syn_in_window(seg->seq, c->rcv_nxt, fin_conn_rcv_wnd(c));
}

bool fin_policy_syn_resets_tw(const struct fin_stack *st, const struct fin_tw *tw,
                              const struct fin_segment *seg) {
  uint32_t scale = (tw->flags >> 4) == 15 ? 0 : (uint32_t)(tw->flags >> 4);
  return st->s.insecure_syn && syn_in_window(seg->seq, tw->rcv_nxt, (uint32_t)tw->wnd << scale);
}

bool fin_policy_listen_synack_dropped(const struct fin_stack *st, const struct fin_segment *seg) {
  return st->s.listen_synack_drop &&
         (seg->flags & (FIN_TCP_SYN | FIN_TCP_ACK)) == (FIN_TCP_SYN | FIN_TCP_ACK);
}

bool fin_policy_drop_synfin(const struct fin_stack *st, bool listen,
                            const struct fin_segment *seg) {
  if ((seg->flags & (FIN_TCP_SYN | FIN_TCP_FIN)) != (FIN_TCP_SYN | FIN_TCP_FIN))
    return false;
  switch (st->s.synfin) {
  case FIN_SYNFIN_DROP_IN_LISTEN:
    return listen;
  case FIN_SYNFIN_ACCEPT:
    return false;
  case FIN_SYNFIN_DROP:
    return true;
  }
  return false;
}

bool fin_policy_cookie_for_every_syn(const struct fin_stack *st) {
  return st->s.syncookies_only;
}

/* J6 as fin has it: protocol and port unreachable about a segment in
 * [SND.UNA, SND.MAX], in SYN-SENT and a passive SYN-RECEIVED (Linux
 * tcp_v4_err: between(seq, snd_una, snd_nxt)). */
static int icmp_abort_j6(const struct fin_conn *c, const struct fin_icmp_error *e) {
  bool hard = e->kind == FIN_ICMP_HARD; /* fin_icmp_parse: J6 for ICMP and ICMPv6 */
  bool attempt = c->state == FIN_SYN_SENT || (c->state == FIN_SYN_RECEIVED && c->passive);
  if (!hard || !attempt || !seq_in(e->seq, c->snd_una, c->snd_max + 1))
    return 0;
  return -ECONNREFUSED;
}

/* FreeBSD tcp_ctlinput with icmp_may_rst: SYN-SENT only, the quoted
 * SEG.SEQ in [SND.UNA, SND.MAX). */
static int icmp_abort_freebsd(const struct fin_conn *c, const struct fin_icmp_error *e) {
  if (c->state != FIN_SYN_SENT || !seq_in(e->seq, c->snd_una, c->snd_max))
    return 0;
  if (e->version == 6) {
    /* tcp6_ctlinput with icmp_may_rst: administratively prohibited and
     * port unreachable (RFC 4443 §3.1), an unrecognized next header (§3.4);
     * hop limit exceeded in transit (§3.3). */
    if ((e->type == 1 && (e->code == 1 || e->code == 4)) || (e->type == 4 && e->code == 1))
      return -ECONNREFUSED;
    return e->type == 3 && e->code == 0 ? -EHOSTUNREACH : 0;
  }
  if (e->type == 3 &&
      (e->code == 2 || e->code == 3 || e->code == 9 || e->code == 10 || e->code == 13))
    return -ECONNREFUSED;
  return e->type == 11 && e->code == 0 ? -EHOSTUNREACH : 0;
}

int fin_policy_icmp_abort(const struct fin_stack *st, const struct fin_conn *c,
                          const struct fin_icmp_error *e) {
  switch (st->s.icmp_abort) {
  case FIN_ICMP_ABORT_J6:
    return icmp_abort_j6(c, e);
  case FIN_ICMP_ABORT_FREEBSD:
    return icmp_abort_freebsd(c, e);
  case FIN_ICMP_ABORT_NEVER:
    return 0;
  }
  return 0;
}

bool fin_policy_syn_options_dropped(const struct fin_stack *st, const struct fin_conn *c) {
  return st->s.syn_rexmit_drop_options && c->state == FIN_SYN_SENT && c->backoff >= 3;
}
