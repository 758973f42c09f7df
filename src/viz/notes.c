/* SPDX-License-Identifier: MIT */
/* One line of text per record that says what a host's stack did: the
 * packet comments of --pcapng ("b conn 2: LISTEN -> SYN-RECEIVED"). */
#include "viz/viz.h"

size_t fin_trace_note(const struct fin_trace *tr, const struct fin_trace_rec *r, char *buf,
                      size_t cap) {
  char who[32];
  const char *host = r->host < tr->host_count ? tr->host_names[r->host] : "?";
  if (r->conn != 0)
    snprintf(who, sizeof(who), "%s conn %llu", host, (unsigned long long)r->conn);
  else
    snprintf(who, sizeof(who), "%s", host);
  int n = 0;
  switch (r->kind) {
  case FIN_TR_STATE:
    n = snprintf(buf, cap, "%s: %s -> %s", who, fin_state_name(r->from), fin_state_name(r->to));
    break;
  case FIN_TR_CLOSE:
    n = snprintf(buf, cap, "%s: closed (%s%s%s)", who, fin_close_reason_name(r->reason),
                 r->err ? ", " : "", r->err ? fin_strerror(r->err) : "");
    break;
  case FIN_TR_RST:
    n = snprintf(buf, cap, "%s: RST sent (%s)", who, fin_counters_name(r->counter));
    break;
  case FIN_TR_DROP:
    if (r->fate == FIN_FATE_STACK)
      n = snprintf(buf, cap, "%s: dropped (%s)", who, fin_counters_name(r->counter));
    break;
  case FIN_TR_TIMER:
    if (r->timer != FIN_TIMER_DELACK) /* delayed ACKs explain nothing */
      n = snprintf(buf, cap, "%s: %s timer", who, fin_timer_name(r->timer));
    break;
  case FIN_TR_SEND:
  case FIN_TR_RECV:
  case FIN_TR_APP:
  case FIN_TR_KIND_COUNT:
    break;
  }
  if (n <= 0 && cap > 0)
    buf[0] = '\0';
  return n < 0 ? 0 : (size_t)n;
}
