/* SPDX-License-Identifier: MIT */
/* The verdict on a run that reached its end (everything closed, nothing in
 * flight): nothing left behind, every ending told once (M17), close reasons
 * the lifecycle allows, errnos that match them (G4), both ends agreeing on
 * how the connection ended (RFC 9293 MUST-12), and the bytes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

#define R(x) (1u << FIN_REASON_##x)

/* The end of TIME-WAIT: it expires, or a RST at RCV.NXT cuts it short
 * (BEHAVIOR E3, Linux; RFC 1337's assassination): a duplicated last FIN
 * makes the TIME-WAIT end ACK twice, and the second ACK finds the LAST-ACK
 * end gone and is answered <SEQ=SEG.ACK><CTL=RST> (A1), which is RCV.NXT.
 * Either way both FINs were exchanged and acknowledged. */
#define TW (R(TIME_WAIT_DONE) | R(TIME_WAIT_RESET))

/* The reasons each end may report, per lifecycle and connection. */
static const uint32_t expected[EXPLORE_LIFECYCLE_COUNT][2][EXPLORE_CONNS] = {
    [EXPLORE_GRACEFUL] = {{TW}, {R(GRACEFUL)}},
    [EXPLORE_PASSIVE] = {{R(GRACEFUL)}, {TW}},
    [EXPLORE_SIMULTANEOUS] = {{TW}, {TW}},
    [EXPLORE_CROSSING] = {{TW}, {TW}},
    [EXPLORE_HALF_CLOSE] = {{TW}, {R(GRACEFUL)}},
    [EXPLORE_HALF_HOLD] = {{TW}, {R(GRACEFUL)}},
    [EXPLORE_LINGER] = {{TW}, {R(GRACEFUL)}},
    [EXPLORE_LINGER0] = {{R(ABORT)}, {R(RESET)}},
    [EXPLORE_ABORT] = {{R(ABORT)}, {R(RESET)}},
    [EXPLORE_UNREAD] = {{R(UNREAD_DATA)}, {R(RESET)}},
    /* F1: when the RST was lost, the client's close in FIN-WAIT-2 (at the
     * end of the run) leaves an orphan that fin_timeout reaps. */
    [EXPLORE_HALF_ABORT] = {{R(RESET) | R(FIN_WAIT_2_TIMEOUT)}, {R(ABORT)}},
    /* E4: the second SYN takes over the server's TIME-WAIT; or it is
     * challenged, the client's RST for the challenge ACK kills the record (E3)
     * and the SYN's retransmission finds the listener; or (no E4 reopen
     * allowed) the SYN outlasts the record. */
    [EXPLORE_REOPEN] = {{R(GRACEFUL), TW}, {R(TIME_WAIT_REOPENED) | TW, R(GRACEFUL)}},
};

/* The end that is reset in an abortive lifecycle, -1 in a graceful one. */
static int reset_end(enum explore_lifecycle lc) {
  switch (lc) {
  case EXPLORE_LINGER0:
  case EXPLORE_ABORT:
  case EXPLORE_UNREAD:
    return 1;
  case EXPLORE_HALF_ABORT:
    return 0;
  default:
    return -1;
  }
}

static bool graceful_reason(enum fin_close_reason r) {
  return (R(GRACEFUL) | TW | R(TIME_WAIT_REOPENED)) & (1u << r);
}

/* The errno an ending leaves for the application (G4); `held`: the
 * application still holds the handle (it will read this errno). */
static bool err_matches(enum fin_close_reason r, int err, bool held) {
  switch (r) {
  case FIN_REASON_GRACEFUL:
  case FIN_REASON_TIME_WAIT_DONE:
  case FIN_REASON_TIME_WAIT_RESET:
  case FIN_REASON_TIME_WAIT_REOPENED:
  case FIN_REASON_ABORT:
  case FIN_REASON_UNREAD_DATA:
  case FIN_REASON_FIN_WAIT_2_TIMEOUT:
    return err == 0;
  case FIN_REASON_RESET:
    /* 0 only where no application can hear it: a passive SYN-RECEIVED
     * child (H2) or a connection whose application already closed. */
    return err == -ECONNRESET || (err == 0 && !held);
  default:
    return false;
  }
}

void explore_state_path(const struct explore_run *r, int host, char *buf, size_t cap) {
  size_t pos = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < r->nev[host]; i++) {
    const struct fin_event *e = &r->ev[host][i];
    if (e->type != FIN_EV_STATE)
      continue;
    int n = snprintf(buf + pos, cap - pos, "%s%s", pos ? ">" : "", fin_state_name(e->to));
    if (n < 0 || (size_t)n >= cap - pos)
      return;
    pos += (size_t)n;
  }
}

/* The connections of host h in the order they appeared (as many as the
 * lifecycle makes), each ended by its STATE>CLOSED then its one CLOSED
 * event (stack.h event order, M17). Events of two connections interleave:
 * a reopened TIME-WAIT record ends while its successor is being set up. */
static bool endings(struct explore_run *r, int h, const struct fin_event *end[EXPLORE_CONNS]) {
  uint64_t id[EXPLORE_CONNS] = {0};
  const struct fin_event *last[EXPLORE_CONNS] = {NULL};
  unsigned n = 0, want = r->cfg->lc == EXPLORE_REOPEN ? 2 : 1;
  for (size_t i = 0; i < r->nev[h]; i++) {
    const struct fin_event *e = &r->ev[h][i];
    unsigned k = 0;
    while (k < n && id[k] != e->conn_id)
      k++;
    if (k == n) {
      if (n == want) {
        explore_fail(r, "host %c had another connection (%s)", 'a' + h,
                     fin_state_name(e->type == FIN_EV_STATE ? e->to : e->from));
        return false;
      }
      id[n++] = e->conn_id;
      end[k] = NULL;
    }
    if (end[k] != NULL) {
      explore_fail(r, "host %c: an event after the CLOSED event", 'a' + h);
      return false;
    }
    if (e->type == FIN_EV_CLOSED) {
      if (last[k] == NULL || last[k]->type != FIN_EV_STATE || last[k]->to != FIN_CLOSED) {
        explore_fail(r, "host %c: CLOSED without STATE>CLOSED before it", 'a' + h);
        return false;
      }
      end[k] = e;
    }
    last[k] = e;
  }
  for (unsigned k = 0; k < want; k++)
    if (k >= n || end[k] == NULL) {
      explore_fail(r, "host %c: connection %u never told its ending (no CLOSED event)", 'a' + h,
                   k + 1);
      return false;
    }
  return true;
}

static void check_gone(struct explore_run *r) {
  for (int h = 0; h < 2; h++) {
    size_t c = fin_stack_conn_count(r->st[h]), tw = fin_stack_time_wait_count(r->st[h]);
    if (c != 0 || tw != 0)
      explore_fail(r, "host %c still has %zu connections and %zu TIME-WAIT records", 'a' + h, c,
                   tw);
  }
}

static void check_reasons(struct explore_run *r, const struct fin_event *end[2][EXPLORE_CONNS],
                          unsigned conns) {
  for (unsigned k = 0; k < conns && !r->failed; k++) {
    const char *name[2] = {fin_close_reason_name(end[0][k]->reason),
                           fin_close_reason_name(end[1][k]->reason)};
    for (int h = 0; h < 2; h++) {
      const struct fin_event *e = end[h][k];
      uint32_t want =
          r->cfg->expect_override[h] ? r->cfg->expect_override[h] : expected[r->cfg->lc][h][k];
      if (!(want & (1u << e->reason))) {
        explore_fail(r, "host %c ended %s (a %s, b %s): not how %s ends", 'a' + h, name[h], name[0],
                     name[1], explore_lifecycle_name(r->cfg->lc));
        return;
      }
      if (!err_matches(e->reason, e->err, e->sock >= 0)) {
        explore_fail(r, "host %c ended %s with errno %d", 'a' + h, name[h], -e->err);
        return;
      }
      if (e->reason == FIN_REASON_FIN_WAIT_2_TIMEOUT && !r->waited) {
        explore_fail(r, "host %c: FIN-WAIT-2 timed out although the RST arrived", 'a' + h);
        return;
      }
      /* What the application read is what the stack recorded. */
      const struct explore_app *a = &r->app[h];
      if (k == conns - 1 && a->err != 0 && a->err != e->err) {
        explore_fail(r, "host %c: recv said %d, the connection ended %s with %d", 'a' + h, a->err,
                     name[h], e->err);
        return;
      }
    }
    /* MUST-12: a graceful ending on one side is a graceful ending on both. */
    if (graceful_reason(end[0][k]->reason) != graceful_reason(end[1][k]->reason))
      explore_fail(r, "the ends disagree: a ended %s, b ended %s", name[0], name[1]);
  }
}

/* Graceful lifecycles: every byte, once, in order (read_some checked the
 * order as they came), and EOF where the script reads to the end. */
static void check_bytes(struct explore_run *r) {
  enum explore_lifecycle lc = r->cfg->lc;
  int victim = reset_end(lc);
  if (victim >= 0) {
    if (r->app[victim].eof)
      explore_fail(r, "host %c read EOF although host %c reset the connection (G4)", 'a' + victim,
                   'a' + (1 - victim));
    else if (lc == EXPLORE_LINGER0 && r->app[0].got != r->app[1].out_len)
      explore_fail(r, "host a aborted before the whole reply was in");
    else if (lc == EXPLORE_HALF_ABORT && r->app[1].got != r->app[0].out_len)
      explore_fail(r, "host b read %zu of the %zu bytes before its EOF", r->app[1].got,
                   r->app[0].out_len);
    return;
  }
  for (int h = 0; h < 2; h++) {
    const struct explore_app *a = &r->app[h];
    if (a->got != r->app[1 - h].out_len) {
      explore_fail(r, "host %c read %zu of the %zu bytes sent", 'a' + h, a->got,
                   r->app[1 - h].out_len);
      return;
    }
    if (a->err != 0) {
      explore_fail(r, "host %c: recv returned %d in a graceful close", 'a' + h, a->err);
      return;
    }
  }
  /* reopen: the first connection's bytes were checked when it ended. */
  bool eof_a = lc == EXPLORE_PASSIVE || lc == EXPLORE_HALF_CLOSE || lc == EXPLORE_CROSSING;
  bool eof_b = lc == EXPLORE_GRACEFUL || lc == EXPLORE_HALF_CLOSE || lc == EXPLORE_HALF_HOLD ||
               lc == EXPLORE_CROSSING || lc == EXPLORE_REOPEN;
  if ((eof_a && !r->app[0].eof) || (eof_b && !r->app[1].eof))
    explore_fail(r, "an application never read EOF");
  if ((lc == EXPLORE_HALF_CLOSE || lc == EXPLORE_HALF_HOLD) && r->app[0].epipe != -EPIPE)
    explore_fail(r, "host a: send after shutdown(SHUT_WR) returned %d, not -EPIPE (G1)",
                 r->app[0].epipe);
}

void explore_check_end(struct explore_run *r, struct explore_result *res) {
  check_gone(r);
  const struct fin_event *end[2][EXPLORE_CONNS];
  for (int h = 0; h < 2 && !r->failed; h++)
    endings(r, h, end[h]);
  if (r->failed)
    return;
  unsigned conns = r->cfg->lc == EXPLORE_REOPEN ? 2 : 1;
  res->conns = conns;
  for (int h = 0; h < 2; h++)
    for (unsigned k = 0; k < conns; k++)
      res->reason[h][k] = end[h][k]->reason;
  check_reasons(r, end, conns);
  if (!r->failed)
    check_bytes(r);
}
