/* SPDX-License-Identifier: MIT */
/* Connection-establishment timeout (keepinit.h). */
#include "keepinit.h"

#include "internal.h"

fin_time fin_keepinit(const struct fin_stack *st, const struct fin_conn *c) {
  fin_time own = fin_conn_keepinit_opt(c);
  return own > 0 ? own : st->s.keepinit;
}

static bool applies(const struct fin_stack *st, const struct fin_conn *c) {
  return c->state == FIN_SYN_SENT && fin_keepinit(st, c) > 0;
}

fin_time fin_keepinit_clamp(const struct fin_stack *st, const struct fin_conn *c, fin_time at) {
  if (!applies(st, c))
    return at;
  fin_time limit = c->first_rexmit + fin_keepinit(st, c);
  if (limit >= at)
    return at;
  return limit > st->now ? limit : st->now;
}

bool fin_keepinit_expired(const struct fin_stack *st, const struct fin_conn *c) {
  return applies(st, c) && st->now - c->first_rexmit >= fin_keepinit(st, c);
}
