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
/* RTO for the given number of backoffs, clamped to rto_max. */
fin_time fin_rtt_backed_off(const struct fin_rtt *r, unsigned backoff,
                            const struct fin_settings *s);

#endif
