/* SPDX-License-Identifier: MIT */
/* One row model for every diagram: an arrow per segment, a note per
 * application call / timer / close, and each host's new state written on the
 * first row at the moment it changed (a row of its own when nothing else
 * happens at that instant, so the time beside a state is always exact). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/viz.h"

struct builder {
  const struct fin_trace *tr;
  const struct fin_viz_opts *o;
  struct fin_row *rows;
  size_t n, cap;
  int err;
  struct fin_rel rel;
  bool pending[FIN_TRACE_MAX_HOSTS];
  fin_time pending_t[FIN_TRACE_MAX_HOSTS];
  char pending_state[FIN_TRACE_MAX_HOSTS][FIN_ROW_STATE_LEN];
};

bool fin_fate_lost(enum fin_trace_fate f) {
  return f != FIN_FATE_DELIVERED && f != FIN_FATE_CORRUPTED && f != FIN_FATE_STACK;
}

static struct fin_row *row_append(struct builder *b, fin_time t, enum fin_row_kind kind) {
  if (b->n == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 128;
    struct fin_row *r = realloc(b->rows, cap * sizeof(*r));
    if (r == NULL) {
      b->err = -ENOMEM;
      return NULL;
    }
    b->rows = r;
    b->cap = cap;
  }
  struct fin_row *row = &b->rows[b->n++];
  memset(row, 0, sizeof(*row));
  row->t = t;
  row->kind = kind;
  return row;
}

/* Moves every pending state stamped t onto row. */
static void attach_pending(struct builder *b, struct fin_row *row, fin_time t) {
  for (unsigned h = 0; h < FIN_TRACE_MAX_HOSTS; h++) {
    if (!b->pending[h] || b->pending_t[h] != t)
      continue;
    memcpy(row->state[h], b->pending_state[h], FIN_ROW_STATE_LEN);
    b->pending[h] = false;
  }
}

/* States that changed before t and found no row at their instant get one. */
static void flush_before(struct builder *b, fin_time t) {
  for (;;) {
    fin_time first = FIN_NEVER;
    bool any = false;
    for (unsigned h = 0; h < FIN_TRACE_MAX_HOSTS; h++)
      if (b->pending[h] && b->pending_t[h] != t && (!any || b->pending_t[h] < first)) {
        first = b->pending_t[h];
        any = true;
      }
    if (!any)
      return;
    struct fin_row *row = row_append(b, first, FIN_ROW_STATE);
    if (row == NULL)
      return;
    attach_pending(b, row, first);
  }
}

static struct fin_row *row_new(struct builder *b, fin_time t, enum fin_row_kind kind) {
  flush_before(b, t);
  struct fin_row *row = row_append(b, t, kind);
  if (row != NULL)
    attach_pending(b, row, t);
  return row;
}

static void on_state(struct builder *b, const struct fin_trace_rec *r) {
  unsigned h = r->host;
  if (h >= FIN_TRACE_MAX_HOSTS)
    return;
  struct fin_row *last = b->n ? &b->rows[b->n - 1] : NULL;
  if (!b->pending[h] && last != NULL && last->kind == FIN_ROW_NOTE && last->from == h &&
      last->t == r->t && last->state[h][0] == '\0') {
    /* The note explaining the change (e.g. "closed: graceful") came first. */
    snprintf(last->state[h], FIN_ROW_STATE_LEN, "%s", fin_state_name(r->to));
    return;
  }
  if (b->pending[h]) {
    /* A second change at the same host before any row: the first gets its own. */
    struct fin_row *row = row_new(b, b->pending_t[h], FIN_ROW_STATE);
    (void)row;
  }
  b->pending[h] = true;
  b->pending_t[h] = r->t;
  snprintf(b->pending_state[h], FIN_ROW_STATE_LEN, "%s", fin_state_name(r->to));
}

static void on_send(struct builder *b, const struct fin_trace_rec *r) {
  uint32_t seq, ack;
  fin_rel_apply(&b->rel, &r->seg, &seq, &ack);
  if (b->o->absolute) {
    seq = r->seg.seq;
    ack = (r->seg.flags & 0x10) ? r->seg.ack : 0;
  }
  struct fin_row *row = row_new(b, r->t, FIN_ROW_ARROW);
  if (row == NULL)
    return;
  row->from = r->host;
  row->to = r->peer;
  row->fate = r->fate;
  row->dup = r->dup;
  fin_trace_seg_label(&r->seg, seq, ack, row->label, sizeof(row->label));
}

static void note(struct builder *b, const struct fin_trace_rec *r, const char *fmt, const char *a,
                 const char *c) {
  struct fin_row *row = row_new(b, r->t, FIN_ROW_NOTE);
  if (row == NULL)
    return;
  row->from = r->host;
  row->to = r->host;
  snprintf(row->label, sizeof(row->label), fmt, a, c);
}

static void on_app(struct builder *b, const struct fin_trace_rec *r) {
  char res[24];
  if (r->verbose && !b->o->verbose_apps)
    return;
  if (r->result < 0)
    snprintf(res, sizeof(res), "-%s", fin_strerror((int)r->result));
  else
    snprintf(res, sizeof(res), "%lld", (long long)r->result);
  note(b, r, "%s = %s", r->call, res);
}

static void on_close(struct builder *b, const struct fin_trace_rec *r) {
  if (r->err == 0)
    note(b, r, "closed: %s%s", fin_close_reason_name(r->reason), "");
  else
    note(b, r, "closed: %s, %s", fin_close_reason_name(r->reason), fin_strerror(r->err));
}

static void on_record(struct builder *b, const struct fin_trace_rec *r) {
  switch (r->kind) {
  case FIN_TR_STATE:
    on_state(b, r);
    break;
  case FIN_TR_SEND:
    on_send(b, r);
    break;
  case FIN_TR_APP:
    on_app(b, r);
    break;
  case FIN_TR_TIMER:
    /* Delayed ACKs fire all the time and explain nothing about the close. */
    if (r->timer != FIN_TIMER_DELACK)
      note(b, r, "%s timer%s", fin_timer_name(r->timer), "");
    break;
  case FIN_TR_CLOSE:
    on_close(b, r);
    break;
  case FIN_TR_DROP:
    if (r->fate == FIN_FATE_STACK)
      note(b, r, "dropped: %s%s", fin_counters_name(r->counter), "");
    break;
  case FIN_TR_RECV:
  case FIN_TR_RST: /* the RST itself is drawn as the SEND that follows */
  case FIN_TR_KIND_COUNT:
    break;
  }
}

int fin_rows_build(const struct fin_trace *tr, const struct fin_viz_opts *o, struct fin_row **rows,
                   size_t *count) {
  static const struct fin_viz_opts defaults;
  struct builder b;
  memset(&b, 0, sizeof(b));
  b.tr = tr;
  b.o = o ? o : &defaults;
  fin_rel_init(&b.rel);
  for (size_t i = 0; i < tr->len && b.err == 0; i++)
    on_record(&b, &tr->recs[i]);
  flush_before(&b, FIN_NEVER);
  if (b.err != 0) {
    free(b.rows);
    return b.err;
  }
  *rows = b.rows;
  *count = b.n;
  return 0;
}
