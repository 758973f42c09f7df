/* SPDX-License-Identifier: MIT */
/* RTO computation per RFC 6298 (BEHAVIOR J1). */
#ifndef FIN_ENGINE_RTT_H
#define FIN_ENGINE_RTT_H

#include <stdbool.h>

#include "fin/settings.h"

/* SRTT is negative until the first measurement (fin_rtt_has_sample): a
 * measurement is never negative, and the flag's byte would cost the TCB 8
 * with its padding (issue 14). */
struct fin_rtt {
  fin_time srtt, rttvar, rto;
};

static inline bool fin_rtt_has_sample(const struct fin_rtt *r) {
  return r->srtt >= 0;
}
/* SRTT as reported (tcp_info): 0 before the first measurement. */
static inline fin_time fin_rtt_srtt(const struct fin_rtt *r) {
  return r->srtt >= 0 ? r->srtt : 0;
}

void fin_rtt_init(struct fin_rtt *r, const struct fin_settings *s);
/* Feeds one measurement R (Karn's rule is the caller's: never sample a
 * retransmitted segment). */
void fin_rtt_sample(struct fin_rtt *r, fin_time measured, const struct fin_settings *s);
/* RTO for the given number of backoffs (RFC 6298 (5.5): doubling), clamped
 * to rto_max. FreeBSD's rexmit_slop (TCPT_RANGESET) is added after the
 * doubling, to every RTO but the initial one: its SYN goes at 0, 1, 3.2,
 * 7.4 ... s. Inline: every segment that arms the send timer asks. */
static inline fin_time fin_rtt_backed_off(const struct fin_rtt *r, unsigned backoff,
                                          const struct fin_settings *s) {
  fin_time rto = r->rto;
  for (unsigned i = 0; i < backoff && rto < s->rto_max; i++)
    rto *= 2;
  if (backoff > 0 || fin_rtt_has_sample(r))
    rto += s->rto_slop;
  return rto > s->rto_max ? s->rto_max : rto;
}

#endif
