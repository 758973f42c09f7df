/* SPDX-License-Identifier: MIT */
/* Connection timers: retransmission (RFC 6298) with the give-up rules of
 * BEHAVIOR J2/J3/F4, persist (J5), delayed ACK, keep-alive (J4), FIN-WAIT-2
 * (F1) and SO_LINGER waiting (B5). Each fires at most once per call and
 * either clears itself or re-arms later, so on_timers always progresses. */
#include "ecn.h"
#include "internal.h"
#include "keepinit.h"
#include "recovery.h"

/* c->deadline is always the earliest of c->timer[] (the audit checks it),
 * so the heap is touched only when that minimum moves: a timer set before
 * it, or the timer that was the minimum moved or cleared. Re-arming a
 * later timer (the retransmission timer on every segment while a delayed
 * ACK is pending, say) costs nothing. */
void fin_conn_timer_set(struct fin_stack *st, struct fin_conn *c, enum conn_timer t, fin_time at) {
  fin_time old = c->timer[t];
  c->timer[t] = at;
  if (c->terminated)
    return;
  if (at < c->deadline)
    fin_heap_earlier(st, c, at);
  else if (old == c->deadline && at != old)
    fin_heap_update(st, c);
}

void fin_conn_timer_clear(struct fin_stack *st, struct fin_conn *c, enum conn_timer t) {
  fin_time old = c->timer[t];
  if (old == FIN_NEVER)
    return;
  c->timer[t] = FIN_NEVER;
  if (old == c->deadline)
    fin_heap_update(st, c);
}

/* RFC 6298 (5.1/5.5) with the backoff; clamped so a user timeout fires on
 * time, as Linux tcp_clamp_rto_to_user_timeout() does. */
void fin_conn_rexmit_arm(struct fin_stack *st, struct fin_conn *c) {
  fin_time at = st->now + fin_rtt_backed_off(&c->rtt, c->backoff, &st->s);
  if (c->state == FIN_SYN_SENT) /* the only state the limit applies to */
    at = fin_keepinit_clamp(st, c, at);
  fin_time user_timeout = fin_conn_user_timeout(c);
  if (user_timeout > 0 && !c->persist) {
    fin_time limit = c->first_rexmit + user_timeout;
    if (limit < at)
      at = limit > st->now ? limit : st->now;
  }
  if (c->sack_rec)
    at = fin_rec_timer_at(st, c, at); /* RFC 8985 §7.2: a probe before the RTO */
  fin_conn_timer_set(st, c, CT_REXMIT, at);
}

/* J4: the keep-alive timer runs from the last segment received. */
void fin_conn_keepalive_reset(struct fin_stack *st, struct fin_conn *c) {
  c->last_recv = st->now;
  if (!c->keepalive || c->terminated) {
    fin_conn_timer_clear(st, c, CT_KEEPALIVE);
    return;
  }
  c->probes = c->persist ? c->probes : 0;
  fin_conn_timer_set(st, c, CT_KEEPALIVE, st->now + fin_conn_keep_idle(st, c));
}

/* J2: giving up sends one best-effort RST (the peer may be back) and
 * reports ETIMEDOUT. */
static void give_up(struct fin_stack *st, struct fin_conn *c, enum fin_close_reason reason) {
  st->c.abort_on_timeout++;
  if (st->s.timeout_rst && (c->state == FIN_CLOSING || c->state == FIN_LAST_ACK)) {
    /* BEHAVIOR D13/J2: the RST goes out from CLOSING and LAST-ACK too; the
     * B3 "no RST" rule is for the ABORT call, which fin_conn_abort follows. */
    fin_send_rst_from_conn(st, c, &st->c.rst_timeout);
    fin_conn_terminate(st, c, reason, -ETIMEDOUT);
    return;
  }
  if (st->s.timeout_rst) {
    fin_conn_abort(st, c, reason, -ETIMEDOUT, NULL);
    return;
  }
  fin_conn_terminate(st, c, reason, -ETIMEDOUT);
}

static bool user_timeout_expired(const struct fin_stack *st, const struct fin_conn *c) {
  fin_time user_timeout = fin_conn_user_timeout(c);
  return user_timeout > 0 && st->now - c->first_rexmit >= user_timeout;
}

/* J3 (MUST-23): SYN retransmission lasts at least syn_timeout and at least
 * syn_retries retransmissions. */
static void syn_timeout(struct fin_stack *st, struct fin_conn *c) {
  bool passive = c->state == FIN_SYN_RECEIVED && c->passive;
  uint32_t limit = passive ? st->s.synack_retries : fin_conn_syn_retries(st, c);
  bool timed_out =
      c->backoff >= limit && (passive || st->now - c->first_rexmit >= st->s.syn_timeout);
  if (timed_out || user_timeout_expired(st, c) || fin_keepinit_expired(st, c)) {
    if (passive) {
      /* An embryonic child is nobody's yet; a TFO child (T1) is in the
       * accept queue since its SYN, maybe accepted and read: its holder
       * learns that the handshake timed out, not an end of stream. */
      st->c.syn_recv_timeouts++;
      fin_conn_terminate(st, c, FIN_REASON_SYN_RECV_TIMEOUT, c->tfo_passive ? -ETIMEDOUT : 0);
    } else {
      fin_conn_terminate(st, c, FIN_REASON_SYN_TIMEOUT, -ETIMEDOUT); /* counts attempt_fails */
    }
    return;
  }
  c->backoff++;
  st->c.syn_retrans++;
  c->rtt_start = 0; /* Karn */
  c->snd_nxt = c->iss;
  fin_conn_rexmit_arm(st, c);
  fin_conn_output_mark(st, c);
}

/* RFC 5681 §3.1 (eq. 4) and §3.2: on a timeout the window collapses to one
 * segment and everything outstanding is resent (go-back-N from SND.UNA). */
static void rexmit_timeout(struct fin_stack *st, struct fin_conn *c) {
  uint32_t limit =
      c->slot == FIN_NONE_IDX && c->closed_by_app ? st->s.orphan_retries : st->s.retries_r2;
  if (user_timeout_expired(st, c)) {
    give_up(st, c, FIN_REASON_USER_TIMEOUT);
    return;
  }
  if (c->backoff >= limit) {
    give_up(st, c, FIN_REASON_RETRANSMIT_TIMEOUT);
    return;
  }
  uint32_t flight = c->snd_max - c->snd_una;
  c->ssthresh = flight / 2 > 2u * c->snd_mss ? flight / 2 : 2u * c->snd_mss;
  c->cwnd = c->snd_mss;
  c->backoff++;
  c->snd_nxt = c->snd_una;
  c->rtt_start = 0; /* Karn */
  c->in_recovery = 0;
  c->dupacks = 0;
  fin_ecn_cwnd_reduced(c); /* RFC 3168 §6.1.2 */
  st->c.rto_timeouts++;
  fin_conn_rexmit_arm(st, c);
  fin_conn_output_mark(st, c);
}

/* BEHAVIOR M4: the persist timer, clamped so a user timeout fires on time. */
void fin_conn_persist_arm(struct fin_stack *st, struct fin_conn *c, fin_time at) {
  c->pto = 0;
  fin_time user_timeout = fin_conn_user_timeout(c);
  if (user_timeout > 0) {
    fin_time limit = c->persist_since + user_timeout;
    if (limit < at)
      at = limit > st->now ? limit : st->now;
  }
  fin_conn_timer_set(st, c, CT_REXMIT, at);
}

/* J5, M4: persist probes back off like retransmissions. A connection whose
 * probes are answered stays open; unanswered, it gives up after R2 probes.
 * An orphan behind a window that stays shut is bounded even when answered:
 * orphan_retries backoffs (F4, Linux tcp_probe_timer); one whose peer keeps
 * taking data, however slowly, is progressing (docs/engine.md). TCP_USER_TIMEOUT bounds how long
 * the window may stay shut, answered or not (Linux icsk_probes_tstamp). */
static void persist_timeout(struct fin_stack *st, struct fin_conn *c) {
  bool orphan = c->slot == FIN_NONE_IDX && c->closed_by_app;
  fin_time user_timeout = fin_conn_user_timeout(c);
  if (user_timeout > 0 && st->now - c->persist_since >= user_timeout) {
    give_up(st, c, FIN_REASON_USER_TIMEOUT);
    return;
  }
  if (orphan ? c->backoff >= st->s.orphan_retries : c->probes >= st->s.retries_r2) {
    give_up(st, c, FIN_REASON_RETRANSMIT_TIMEOUT);
    return;
  }
  c->probes++;
  st->c.persist_probes++;
  c->probe_window = 1;
  if (c->backoff < 16)
    c->backoff++;
  fin_conn_persist_arm(st, c, st->now + fin_rtt_backed_off(&c->rtt, c->backoff, &st->s));
  fin_conn_output_mark(st, c);
}

/* MUST-35: the peer shrank its window to zero under data in flight. The
 * retransmissions become persist probes (one byte at SND.UNA): a live peer
 * that keeps its window shut is not timed out (Linux tcp_retransmit_timer). */
static void window_shrunk_to_zero(struct fin_stack *st, struct fin_conn *c) {
  fin_rec_free(st, c);
  c->pto = 0;
  c->persist = 1;
  c->persist_since = st->now;
  c->snd_nxt = c->snd_una;
  c->rtt_start = 0; /* Karn */
  persist_timeout(st, c);
}

static void on_rexmit(struct fin_stack *st, struct fin_conn *c) {
  fin_conn_timer_clear(st, c, CT_REXMIT);
  fin_event_timer(st, c, c->persist ? FIN_TIMER_PERSIST : FIN_TIMER_RETRANSMIT);
  if (c->state == FIN_SYN_SENT || c->state == FIN_SYN_RECEIVED)
    syn_timeout(st, c);
  else if (c->persist)
    persist_timeout(st, c);
  else if (c->snd_una != c->snd_max && c->snd_wnd == 0)
    window_shrunk_to_zero(st, c);
  else if (c->snd_una != c->snd_max && !(c->sack_rec && fin_rec_timer_fired(st, c)))
    rexmit_timeout(st, c); /* not a RACK reorder timeout nor a loss probe (recovery.c) */
  else
    fin_heap_update(st, c);
}

static bool keepalive_state(enum fin_state s) {
  return s == FIN_ESTABLISHED || s == FIN_CLOSE_WAIT || s == FIN_FIN_WAIT_2;
}

/* J4: idle for keep_idle, then a probe every keep_intvl; keep_cnt
 * unanswered probes end the connection. A probe carries no data. */
static void on_keepalive(struct fin_stack *st, struct fin_conn *c) {
  fin_conn_timer_clear(st, c, CT_KEEPALIVE);
  if (!c->keepalive || !keepalive_state(c->state)) {
    fin_heap_update(st, c);
    return;
  }
  fin_event_timer(st, c, FIN_TIMER_KEEPALIVE);
  if (c->timer[CT_REXMIT] != FIN_NEVER) {
    /* M4: data queued or in flight has its retransmission or persist
     * timer (fin_conn_schedule_timers): that timer is the judge. */
    fin_conn_timer_set(st, c, CT_KEEPALIVE, st->now + fin_conn_keep_intvl(st, c));
    return;
  }
  if (c->probes >= fin_conn_keep_cnt(st, c)) {
    give_up(st, c, FIN_REASON_KEEPALIVE_TIMEOUT);
    return;
  }
  c->probes++;
  st->c.keepalive_probes++;
  c->probe_keepalive = 1;
  fin_conn_output_mark(st, c);
  fin_conn_timer_set(st, c, CT_KEEPALIVE, st->now + fin_conn_keep_intvl(st, c));
}

static void on_delack(struct fin_stack *st, struct fin_conn *c) {
  fin_conn_timer_clear(st, c, CT_DELACK);
  fin_event_timer(st, c, FIN_TIMER_DELACK);
  st->c.delayed_acks++;
  c->ack_now = 1;
  fin_conn_output_mark(st, c);
}

/* F1: an orphan that waited fin_timeout in FIN-WAIT-2 is reaped silently,
 * as Linux does (a later segment finds no connection and gets A1's RST);
 * settings.fin_wait_2_rst sends one RST at reaping instead. */
static void on_fin_wait_2(struct fin_stack *st, struct fin_conn *c) {
  fin_conn_timer_clear(st, c, CT_FIN_WAIT_2);
  fin_event_timer(st, c, FIN_TIMER_FIN_WAIT_2);
  st->c.fin_wait2_timeouts++;
  if (st->s.fin_wait_2_rst)
    fin_conn_abort(st, c, FIN_REASON_FIN_WAIT_2_TIMEOUT, 0, &st->c.abort_on_timeout);
  else
    fin_conn_terminate(st, c, FIN_REASON_FIN_WAIT_2_TIMEOUT, 0);
}

/* B5: the linger wait is over; fin_close() now returns and the
 * connection carries on orphaned. The timer only wakes the caller. */
static void on_linger(struct fin_stack *st, struct fin_conn *c) {
  fin_conn_timer_clear(st, c, CT_LINGER);
  c->linger_expired = 1;
  fin_event_timer(st, c, FIN_TIMER_LINGER);
  fin_event_simple(st, c, FIN_EV_WRITABLE);
}

void fin_conn_timers_fire(struct fin_stack *st, struct fin_conn *c, fin_time now) {
  /* One timer per call, earliest first: handlers may end the connection. */
  int which = 0;
  for (int i = 1; i < CT_COUNT; i++)
    if (c->timer[i] < c->timer[which])
      which = i;
  if (c->timer[which] > now) {
    fin_heap_update(st, c);
    return;
  }
  switch ((enum conn_timer)which) {
  case CT_REXMIT:
    on_rexmit(st, c);
    break;
  case CT_DELACK:
    on_delack(st, c);
    break;
  case CT_KEEPALIVE:
    on_keepalive(st, c);
    break;
  case CT_FIN_WAIT_2:
    on_fin_wait_2(st, c);
    break;
  case CT_LINGER:
    on_linger(st, c);
    break;
  case CT_COUNT:
    break;
  }
}
