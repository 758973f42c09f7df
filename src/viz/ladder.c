/* SPDX-License-Identifier: MIT */
/* The ASCII ladder: time down the page, one lane per host, an arrow per
 * segment, each host's state beside its lane when it changes. Fits in 100
 * columns:
 *
 *   time(s)  state         |<------------- 58 columns of arrow ------------->|  state
 *   0.000000     SYN-SENT  |-- SYN seq=0 len=0 ----------------------------->|
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/viz.h"

#define LINE_W     100
#define LANE_FIRST 25
#define LANE_LAST  84
#define STATE_W    13
#define TIME_END   9 /* "  time (s)" ends here */
/* Runs of plain delivered segments longer than FOLD_MIN rows show their
 * first and last FOLD_KEEP rows around one "..." line (bulk data would
 * otherwise bury the handshake and the close). */
#define FOLD_MIN  24
#define FOLD_KEEP 6

struct layout {
  unsigned hosts;
  int lane[FIN_TRACE_MAX_HOSTS];
};

static void layout_init(struct layout *l, unsigned hosts) {
  l->hosts = hosts < 2 ? 2 : hosts;
  for (unsigned i = 0; i < l->hosts; i++)
    l->lane[i] = LANE_FIRST + (int)((LANE_LAST - LANE_FIRST) * i / (l->hosts - 1));
}

static void put(char *line, int col, const char *s) {
  for (; *s && col < LINE_W; s++, col++)
    if (col >= 0)
      line[col] = *s;
}

static void blank(char *line, const struct layout *l) {
  memset(line, ' ', LINE_W);
  line[LINE_W] = '\0';
  for (unsigned i = 0; i < l->hosts; i++)
    line[l->lane[i]] = '|';
}

static void emit(FILE *out, char *line) {
  int end = LINE_W;
  while (end > 0 && line[end - 1] == ' ')
    end--;
  fprintf(out, "%.*s\n", end, line);
}

/* First host's state ends just left of its lane, the last host's starts just
 * right of it; middle hosts are named in brackets at the far right. */
static void put_states(char *line, const struct layout *l, const struct fin_row *row) {
  int extra = LANE_LAST + 2 + STATE_W + 1;
  for (unsigned h = 0; h < l->hosts; h++) {
    const char *s = row->state[h];
    if (s[0] == '\0')
      continue;
    if (h == 0)
      put(line, l->lane[0] - 2 - (int)strlen(s) + 1, s);
    else if (h == l->hosts - 1)
      put(line, l->lane[h] + 2, s);
    else {
      char buf[32];
      snprintf(buf, sizeof(buf), "[%c:%s]", 'a' + h, s);
      put(line, extra, buf);
      extra += (int)strlen(buf) + 1;
    }
  }
}

static const char *fate_suffix(const struct fin_row *row) {
  switch (row->fate) {
  case FIN_FATE_CORRUPTED:
    return " corrupt";
  case FIN_FATE_QUEUE:
    return " queue-full";
  case FIN_FATE_PARTITION:
    return " link-down";
  case FIN_FATE_SCRIPTED:
    return " dropped";
  case FIN_FATE_HOST_DOWN:
    return " host-down";
  case FIN_FATE_NO_ROUTE:
    return " no-route";
  default:
    return "";
  }
}

/* Arrow between lanes x1 < x2 (exclusive). Lost segments stop two thirds of
 * the way (one third when going left) with an x. */
static void put_arrow(char *line, const struct layout *l, const struct fin_row *row) {
  int from = l->lane[row->from], to = l->lane[row->to];
  bool right = to > from;
  int lo = (right ? from : to) + 1, hi = (right ? to : from) - 1;
  char text[FIN_ROW_LABEL_LEN + 32];
  snprintf(text, sizeof(text), " %s%s%s ", row->label, row->dup ? " dup" : "", fate_suffix(row));
  char fill = row->fate == FIN_FATE_CORRUPTED ? '~' : '-';
  int tl = (int)strlen(text), width = hi - lo + 1;
  bool lost = fin_fate_lost(row->fate);
  int span = lost ? (width * 2) / 3 : width;
  if (span < tl + 4)
    span = tl + 4 < width ? tl + 4 : width;
  int start = right ? lo : hi - span + 1;
  for (int c = start; c < start + span; c++)
    line[c] = fill;
  put(line, start + (right ? 2 : 3), text);
  if (right)
    line[start + span - 1] = lost ? 'x' : '>';
  else
    line[start] = lost ? 'x' : '<';
}

static void put_note(char *line, const struct layout *l, const struct fin_row *row) {
  int lane = l->lane[row->from];
  if (row->from == l->hosts - 1 && l->hosts > 1)
    put(line, lane - 2 - (int)strlen(row->label) + 1, row->label);
  else
    put(line, lane + 2, row->label);
}

/* Whether host h's "name address" label of len columns fits its place on
 * the header line: the first ends at its lane, after "time (s)"; the last
 * starts at its lane and ends by LINE_W; a middle one, centred on its lane,
 * is narrower than the gap between two lanes. */
static bool label_fits(const struct layout *l, unsigned h, int len) {
  if (h == 0)
    return l->lane[0] - len + 1 > TIME_END;
  if (h == l->hosts - 1)
    return l->lane[h] + len <= LINE_W;
  return len < l->lane[1] - l->lane[0];
}

static bool labels_fit(const struct fin_trace *tr, const struct layout *l) {
  for (unsigned h = 0; h < l->hosts && h < tr->host_count; h++) {
    char name[64];
    fin_trace_host_label(tr, h, name, sizeof name);
    if (!label_fits(l, h, (int)strlen(name)))
      return false;
  }
  return true;
}

/* The header names each lane. Long addresses (a global IPv6 address is up
 * to 39 characters) do not fit beside the lanes: then each host gets a line
 * of its own above a header of bare names, so no line is ever cut. */
static void header(FILE *out, const struct fin_trace *tr, const struct layout *l) {
  char line[LINE_W + 1];
  bool fit = labels_fit(tr, l);
  for (unsigned h = 0; !fit && h < tr->host_count; h++) {
    char name[64];
    fin_trace_host_label(tr, h, name, sizeof name);
    fprintf(out, "  %s\n", name);
  }
  memset(line, ' ', LINE_W);
  line[LINE_W] = '\0';
  put(line, 2, "time (s)");
  for (unsigned h = 0; h < l->hosts && h < tr->host_count; h++) {
    char name[64];
    if (fit)
      fin_trace_host_label(tr, h, name, sizeof name);
    else
      snprintf(name, sizeof name, "%s", tr->host_names[h]);
    int len = (int)strlen(name);
    if (h == 0)
      put(line, l->lane[0] - len + 1, name);
    else if (h == l->hosts - 1)
      put(line, l->lane[h], name);
    else
      put(line, l->lane[h] - len / 2, name);
  }
  emit(out, line);
}

static void render_row(FILE *out, const struct layout *l, const struct fin_row *row) {
  char line[LINE_W + 1], tbuf[24];
  blank(line, l);
  snprintf(tbuf, sizeof(tbuf), "%10.6f", (double)row->t / 1e9);
  put(line, 0, tbuf);
  put_states(line, l, row);
  if (row->kind == FIN_ROW_ARROW && row->from != row->to && row->from < l->hosts &&
      row->to < l->hosts)
    put_arrow(line, l, row);
  else if (row->kind == FIN_ROW_NOTE && row->from < l->hosts)
    put_note(line, l, row);
  emit(out, line);
}

/* A row nobody needs to see when it sits in a long run of its kind. */
static bool plain(const struct fin_row *row) {
  if (row->kind != FIN_ROW_ARROW || row->fate != FIN_FATE_DELIVERED || row->dup)
    return false;
  for (unsigned h = 0; h < FIN_TRACE_MAX_HOSTS; h++)
    if (row->state[h][0] != '\0')
      return false;
  return true;
}

static void render_fold(FILE *out, const struct layout *l, size_t n) {
  char line[LINE_W + 1], text[64];
  blank(line, l);
  snprintf(text, sizeof(text), " ... %zu more segments (--full shows them) ... ", n);
  int mid = (l->lane[0] + l->lane[l->hosts - 1]) / 2;
  put(line, mid - (int)strlen(text) / 2, text);
  put(line, 0, "       ...");
  emit(out, line);
}

static void render_rows(FILE *out, const struct layout *l, const struct fin_row *rows, size_t n,
                        bool full) {
  for (size_t i = 0; i < n;) {
    size_t run = 0;
    while (!full && i + run < n && plain(&rows[i + run]))
      run++;
    if (run < FOLD_MIN) {
      size_t k = run ? run : 1;
      for (size_t j = 0; j < k; j++)
        render_row(out, l, &rows[i + j]);
      i += k;
      continue;
    }
    for (size_t j = 0; j < FOLD_KEEP; j++)
      render_row(out, l, &rows[i + j]);
    render_fold(out, l, run - 2 * FOLD_KEEP);
    for (size_t j = run - FOLD_KEEP; j < run; j++)
      render_row(out, l, &rows[i + j]);
    i += run;
  }
}

int fin_ladder_render(FILE *out, const struct fin_trace *tr, const struct fin_viz_opts *o) {
  struct fin_row *rows = NULL;
  size_t n = 0;
  int rc = fin_rows_build(tr, o, &rows, &n);
  if (rc != 0)
    return rc;
  struct layout l;
  layout_init(&l, tr->host_count);
  header(out, tr, &l);
  char line[LINE_W + 1];
  blank(line, &l);
  emit(out, line);
  render_rows(out, &l, rows, n, o != NULL && o->full);
  free(rows);
  return 0;
}
