/* SPDX-License-Identifier: MIT */
#include "rtt.h"

/* RFC 6298 (2.1): until a measurement is made, RTO = 1 s (configurable). */
void fin_rtt_init(struct fin_rtt *r, const struct fin_settings *s) {
  r->srtt = -1; /* no measurement yet */
  r->rttvar = 0;
  r->rto = s->rto_initial;
}

static fin_time clamp_rto(fin_time rto, const struct fin_settings *s) {
  if (rto < s->rto_min)
    rto = s->rto_min;
  if (rto > s->rto_max)
    rto = s->rto_max;
  return rto;
}

/* RFC 6298 (2.1): clock granularity G; fin's clock is nanoseconds, but a
 * 1 ms G keeps RTO from collapsing onto SRTT on a perfectly steady path. */
#define RTT_GRANULARITY FIN_MS(1)

void fin_rtt_sample(struct fin_rtt *r, fin_time m, const struct fin_settings *s) {
  if (m < 0)
    m = 0;
  if (!fin_rtt_has_sample(r)) {
    /* RFC 6298 (2.2): first measurement. */
    r->srtt = m;
    r->rttvar = m / 2;
  } else {
    /* RFC 6298 (2.3): alpha = 1/8, beta = 1/4, RTTVAR updated first. */
    fin_time err = r->srtt > m ? r->srtt - m : m - r->srtt;
    r->rttvar = (3 * r->rttvar + err) / 4;
    r->srtt = (7 * r->srtt + m) / 8;
  }
  fin_time var = 4 * r->rttvar;
  if (s->rto_floor == FIN_RTO_FLOOR_VARIANCE) {
    /* Linux: the floor bounds the variance term, so RTO >= SRTT + rto_min. */
    r->rto = clamp_rto(r->srtt + (var > s->rto_min ? var : s->rto_min), s);
    return;
  }
  /* RFC 6298 (2.4): RTO = SRTT + max(G, K*RTTVAR), at least rto_min. */
  r->rto = clamp_rto(r->srtt + (var > RTT_GRANULARITY ? var : RTT_GRANULARITY), s);
}
