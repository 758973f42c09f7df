/* SPDX-License-Identifier: MIT */
/* `--svg FILE`: the same ladder as a self-contained SVG (no scripts, no
 * external fonts or stylesheets). Arrows slant a little downwards so time
 * visibly passes while a segment crosses; lost ones stop with a red cross. */
#include <stdlib.h>
#include <string.h>

#include "viz/viz.h"

#define SVG_W  1000
#define ROW_H  26
#define TOP    70
#define LANE_L 270
#define LANE_R 760
#define SLANT  12

static int lane_x(unsigned h, unsigned hosts) {
  if (hosts < 2)
    return LANE_L;
  return LANE_L + (int)((LANE_R - LANE_L) * h / (hosts - 1));
}

/* Labels are ours (flags, numbers, call names) but escape anyway; quotes
 * too, so the same function serves attribute values. */
void fin_svg_escape(FILE *out, const char *s) {
  for (; *s; s++) {
    if (*s == '<')
      fputs("&lt;", out);
    else if (*s == '>')
      fputs("&gt;", out);
    else if (*s == '&')
      fputs("&amp;", out);
    else if (*s == '"')
      fputs("&quot;", out);
    else
      fputc(*s, out);
  }
}

static void text(FILE *out, int x, int y, const char *anchor, const char *cls, const char *s) {
  fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" class=\"%s\">", x, y, anchor, cls);
  fin_svg_escape(out, s);
  fputs("</text>\n", out);
}

static void prologue(FILE *out, const struct fin_trace *tr, size_t rows) {
  int h = TOP + (int)rows * ROW_H + 40;
  fprintf(out,
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
          "viewBox=\"0 0 %d %d\">\n",
          SVG_W, h, SVG_W, h);
  fputs("<defs><marker id=\"arr\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
        "markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" "
        "fill=\"#1f4e8c\"/></marker></defs>\n<style>text{font-family:monospace;font-size:12px}"
        ".t{fill:#666}.st{fill:#0a6b2c;font-weight:bold}.lb{fill:#1f4e8c}.nt{fill:#7a4b00;"
        "font-style:italic}.hd{font-size:14px;font-weight:bold}</style>\n",
        out);
  fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", SVG_W, h);
  text(out, 10, 30, "start", "hd", "time (s)");
  for (unsigned i = 0; i < tr->host_count; i++) {
    char name[64];
    int x = lane_x(i, tr->host_count);
    fin_trace_host_label(tr, i, name, sizeof name);
    text(out, x, 30, "middle", "hd", name);
    fprintf(out, "<line x1=\"%d\" y1=\"40\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", x, x, h - 20);
  }
}

static void states(FILE *out, const struct fin_trace *tr, const struct fin_row *row, int y) {
  for (unsigned h = 0; h < tr->host_count && h < FIN_TRACE_MAX_HOSTS; h++) {
    if (row->state[h][0] == '\0')
      continue;
    int x = lane_x(h, tr->host_count);
    if (h == 0)
      text(out, x - 8, y + 4, "end", "st", row->state[h]);
    else
      text(out, x + 8, y + 4, "start", "st", row->state[h]);
  }
}

static void arrow(FILE *out, const struct fin_trace *tr, const struct fin_row *row, int y) {
  int x1 = lane_x(row->from, tr->host_count), x2 = lane_x(row->to, tr->host_count);
  bool lost = fin_fate_lost(row->fate);
  int xe = lost ? x1 + (x2 - x1) * 2 / 3 : x2, ye = lost ? y + SLANT * 2 / 3 : y + SLANT;
  const char *color = row->fate == FIN_FATE_CORRUPTED ? "#c77700" : "#1f4e8c";
  fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"%s%s/>\n", x1, y, xe, ye,
          color, lost ? "" : " marker-end=\"url(#arr)\"",
          row->fate == FIN_FATE_CORRUPTED ? " stroke-dasharray=\"4 3\"" : "");
  if (lost)
    fprintf(out,
            "<path d=\"M%d,%d l8,8 m0,-8 l-8,8\" stroke=\"#c00\" stroke-width=\"2\" "
            "transform=\"translate(-4,-4)\"/>\n",
            xe, ye);
  char label[FIN_ROW_LABEL_LEN + 32];
  snprintf(label, sizeof(label), "%s%s%s%s", row->label, row->dup ? " dup" : "",
           row->fate == FIN_FATE_DELIVERED ? "" : " ",
           row->fate == FIN_FATE_DELIVERED ? "" : fin_trace_fate_name(row->fate));
  text(out, (x1 + x2) / 2, y - 2, "middle", "lb", label);
}

static void note(FILE *out, const struct fin_trace *tr, const struct fin_row *row, int y) {
  int x = lane_x(row->from, tr->host_count);
  bool last = row->from == tr->host_count - 1 && tr->host_count > 1;
  text(out, last ? x - 8 : x + 8, y + 4, last ? "end" : "start", "nt", row->label);
}

int fin_svg_render(FILE *out, const struct fin_trace *tr, const struct fin_viz_opts *o) {
  struct fin_row *rows = NULL;
  size_t n = 0;
  int rc = fin_rows_build(tr, o, &rows, &n);
  if (rc != 0)
    return rc;
  prologue(out, tr, n);
  for (size_t i = 0; i < n; i++) {
    const struct fin_row *row = &rows[i];
    int y = TOP + (int)i * ROW_H;
    char t[24];
    snprintf(t, sizeof(t), "%.6f", (double)row->t / 1e9);
    text(out, 10, y + 4, "start", "t", t);
    states(out, tr, row, y);
    if (row->kind == FIN_ROW_ARROW && row->from < tr->host_count && row->to < tr->host_count)
      arrow(out, tr, row, y);
    else if (row->kind == FIN_ROW_NOTE && row->from < tr->host_count)
      note(out, tr, row, y);
  }
  fputs("</svg>\n", out);
  free(rows);
  return 0;
}
