/* SPDX-License-Identifier: MIT */
/* The engine's self-check (docs/engine.md "Invariants"): what tests, the
 * simulator and the fuzzers assert after every step. It looks for what must
 * not happen - a connection left with no way out, in-order data refused
 * while the buffer had room, an ending without its CLOSED event - which no
 * check of what did happen can see. O(connections): never on the fast path. */
#include "internal.h"

static bool owes_nothing(const struct fin_conn *c) {
  bool fin_unsent = c->fin_queued && !c->fin_sent;
  return c->snd_una == c->snd_max && fin_conn_unsent(c) == 0 && !fin_unsent;
}

/* BEHAVIOR M3/F2: the states in which only the application (or the peer)
 * may end a connection, so it may wait without a timer: idle ESTABLISHED,
 * CLOSE-WAIT before the application closes, FIN-WAIT-2 while the
 * application holds its handle: after shutdown(SHUT_WR), or in a SO_LINGER
 * close() that has yet to be called again to return. */
static bool may_wait_without_deadline(const struct fin_conn *c) {
  if (c->keepalive || !owes_nothing(c))
    return false;
  switch (c->state) {
  case FIN_ESTABLISHED:
    return true;
  case FIN_CLOSE_WAIT:
    return !c->closed_by_app;
  case FIN_FIN_WAIT_2:
    return c->slot != FIN_NONE_IDX;
  case FIN_SYN_SENT:
    return c->tfo_defer; /* TCP_FASTOPEN_CONNECT: the SYN waits for the application's data */
  default:
    return false;
  }
}

static fin_time earliest_timer(const struct fin_conn *c) {
  fin_time d = FIN_NEVER;
  for (int i = 0; i < CT_COUNT; i++)
    if (c->timer[i] < d)
      d = c->timer[i];
  return d;
}

static int report(struct fin_audit *out, const struct fin_conn *c, const char *what) {
  if (out != NULL) {
    memset(out, 0, sizeof(*out));
    out->what = what;
    if (c != NULL) {
      out->conn_id = c->id;
      out->tuple = c->tuple;
      out->state = c->state;
    }
  }
  return -EPROTO;
}

static int audit_conn(const struct fin_conn *c, struct fin_audit *out) {
  if (c->deadline != earliest_timer(c))
    return report(out, c, "deadline is not the earliest of its timers");
  if ((c->deadline != FIN_NEVER) != (c->heap_idx != FIN_NONE_IDX))
    return report(out, c, "deadline and timer heap disagree");
  if (c->is_orphan && (c->in_syn_queue || c->in_accept_queue))
    return report(out, c, "an orphan in a listener's queue (the two share their links)");
  if (c->deadline == FIN_NEVER && !c->in_out_list && !may_wait_without_deadline(c))
    return report(out, c, "no way out: no deadline, no output due, not a state that may wait");
  return 0;
}

int fin_stack_audit(const struct fin_stack *st, struct fin_audit *out) {
  if (st->stalls != 0)
    return report(out, NULL, "in-order data was refused while the receive buffer had room");
  if (st->lifecycles_open != st->conn_count + st->tw_count)
    return report(out, NULL, "a connection or TIME-WAIT record ended without its CLOSED event");
  for (uint32_t b = 0; b <= st->conn_bucket_mask; b++)
    for (const struct fin_conn *c = st->conn_buckets[b]; c != NULL; c = c->hash_next) {
      int err = audit_conn(c, out);
      if (err != 0)
        return err;
    }
  return 0;
}
