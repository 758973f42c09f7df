/* SPDX-License-Identifier: MIT */
/* `fin sim --states FILE.svg`: the RFC 9293 state machine once per host,
 * side by side, with the path the host's connection took drawn thick and
 * numbered in order, and the numbered steps listed under each diagram with
 * their times. Self-contained SVG: no scripts, no external fonts or
 * stylesheets. Elements carry data-* attributes (state, step, from, to) so
 * tests can read the path back. */
#include <math.h>
#include <string.h>

#include "viz/states.h"

#define PANEL_W 700
#define FIG_X   20 /* room left of the figure for labels */
#define FIG_H   630
#define TOP     44
#define HEAD_H  28
#define STEP_H  16
#define BOX_HW  58
#define BOX_HH  14
#define TAKEN   "#d9480f"
#define UNTAKEN "#a0a0a0"
#define LABEL_D 18.0

struct pt {
  double x, y;
};

static struct pt node_pt(unsigned node) {
  int x, y;
  fin_fig_node_pos(node, &x, &y);
  return (struct pt){x, y};
}

/* Where the ray from a node's centre towards `to` leaves its box. */
static struct pt clip(struct pt c, struct pt to) {
  double dx = to.x - c.x, dy = to.y - c.y;
  double tx = dx != 0 ? BOX_HW / fabs(dx) : 1e9, ty = dy != 0 ? BOX_HH / fabs(dy) : 1e9;
  double t = tx < ty ? tx : ty;
  if (t > 1)
    t = 1;
  return (struct pt){c.x + dx * t, c.y + dy * t};
}

/* An edge's geometry: both ends on the box borders, its control points and
 * its middle (where the step number goes). */
struct geom {
  struct pt a, b, c1, c2, mid;
  int curve; /* 0 straight, 1 quadratic, 2 cubic */
};

static struct geom edge_geom(const struct fin_fig_edge *e) {
  struct geom g;
  struct pt p0 = node_pt(e->from), p1 = node_pt(e->to);
  g.curve = e->cx == 0 ? 0 : e->c2x == 0 ? 1 : 2;
  g.c1 = g.curve ? (struct pt){e->cx, e->cy} : p1;
  g.c2 = g.curve == 2 ? (struct pt){e->c2x, e->c2y} : g.c1;
  g.a = clip(p0, g.curve ? g.c1 : p1);
  g.b = clip(p1, g.curve ? g.c2 : p0);
  if (g.curve == 0)
    g.mid = (struct pt){(g.a.x + g.b.x) / 2, (g.a.y + g.b.y) / 2};
  else if (g.curve == 1)
    g.mid = (struct pt){.25 * g.a.x + .5 * g.c1.x + .25 * g.b.x,
                        .25 * g.a.y + .5 * g.c1.y + .25 * g.b.y};
  else
    g.mid = (struct pt){.125 * g.a.x + .375 * (g.c1.x + g.c2.x) + .125 * g.b.x,
                        .125 * g.a.y + .375 * (g.c1.y + g.c2.y) + .125 * g.b.y};
  return g;
}

static void text_line(FILE *out, double x, double y, char anchor, const char *cls, const char *s) {
  const char *a = anchor == 's' ? "start" : anchor == 'e' ? "end" : "middle";
  fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"%s\" class=\"%s\">", x, y, a, cls);
  fin_svg_escape(out, s);
  fputs("</text>\n", out);
}

/* The event and action beside the arrow, on the side the figure says. */
static void edge_label(FILE *out, const struct fin_fig_edge *e, const struct geom *g, bool taken) {
  const char *cls = taken ? "lt" : "lb";
  bool two = e->action[0] != '\0';
  double x, y;
  char anchor = e->anchor;
  if (anchor != 0) {
    x = e->lx;
    y = e->ly;
  } else {
    double dx = g->b.x - g->a.x, dy = g->b.y - g->a.y, len = sqrt(dx * dx + dy * dy);
    double nx = -dy / len * e->lx, ny = dx / len * e->lx; /* right normal times the side */
    x = g->mid.x + nx * LABEL_D;
    y = g->mid.y + ny * LABEL_D;
    anchor = nx > 0.35 ? 's' : nx < -0.35 ? 'e' : 'm';
    if (anchor == 'm') {
      /* Above or below a level arrow: clear of the step number on it. */
      double first = ny > 0 ? g->mid.y + 21 : g->mid.y - (two ? 25 : 13);
      text_line(out, x, first, 'm', cls, e->event);
      if (two)
        text_line(out, x, first + 12, 'm', cls, e->action);
      return;
    }
  }
  text_line(out, x, two ? y - 2 : y + 4, anchor, cls, e->event);
  if (two)
    text_line(out, x, y + 10, anchor, cls, e->action);
}

static void edge(FILE *out, const struct fin_fig_edge *e, const char *nums) {
  struct geom g = edge_geom(e);
  bool taken = nums[0] != '\0';
  fprintf(out, "<path d=\"M%.1f,%.1f ", g.a.x, g.a.y);
  if (g.curve == 1)
    fprintf(out, "Q%.1f,%.1f ", g.c1.x, g.c1.y);
  else if (g.curve == 2)
    fprintf(out, "C%.1f,%.1f %.1f,%.1f ", g.c1.x, g.c1.y, g.c2.x, g.c2.y);
  else
    fputs("L", out);
  fprintf(
      out,
      "%.1f,%.1f\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s marker-end=\"url(#%s)\"/>\n",
      g.b.x, g.b.y, taken ? TAKEN : UNTAKEN, taken ? "2.5" : "1",
      e->extra ? " stroke-dasharray=\"6 3\"" : "", taken ? "mt" : "mu");
  edge_label(out, e, &g, taken);
  if (!taken)
    return;
  double w = 18 + 7 * (double)(strlen(nums) > 1 ? strlen(nums) - 1 : 0);
  fprintf(out,
          "<g class=\"num\" data-steps=\"%s\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
          "height=\"18\" rx=\"9\" fill=\"%s\"/>",
          nums, g.mid.x - w / 2, g.mid.y - 9, w, TAKEN);
  fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"nm\">%s</text></g>\n",
          g.mid.x, g.mid.y + 4, nums);
}

static void node(FILE *out, unsigned n, bool visited) {
  struct pt c = node_pt(n);
  fprintf(out, "<g class=\"node%s\" data-state=\"%s\" data-node=\"%s\">", visited ? " visited" : "",
          fin_fig_node_name(n), fin_fig_node_id(n));
  fprintf(out,
          "<rect x=\"%.0f\" y=\"%.0f\" width=\"%d\" height=\"%d\" rx=\"6\" fill=\"%s\" "
          "stroke=\"%s\" stroke-width=\"%s\"/>",
          c.x - BOX_HW, c.y - BOX_HH, 2 * BOX_HW, 2 * BOX_HH, visited ? "#ffe3a3" : "#f4f4f4",
          visited ? TAKEN : "#888", visited ? "2" : "1");
  fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" class=\"%s\">%s</text></g>\n",
          c.x, c.y + 4, visited ? "sv" : "su", fin_fig_node_name(n));
}

static void step_list(FILE *out, const struct fin_states_path *p, const struct fin_fig_marks *m,
                      int y0) {
  for (size_t i = 0; i < p->count; i++) {
    const struct fin_states_step *s = &p->steps[i];
    const struct fin_fig_edge *e = m->step_edge[i] >= 0 ? &m->edges[m->step_edge[i]] : NULL;
    fprintf(out,
            "<text x=\"0\" y=\"%zu\" class=\"leg\" xml:space=\"preserve\" data-step=\"%zu\" "
            "data-from=\"%s\" "
            "data-to=\"%s\">",
            (size_t)y0 + i * STEP_H, i + 1, fin_state_name(s->from), fin_state_name(s->to));
    fprintf(out, "%2zu  %10.6f s  %s -&gt; %s", i + 1, (double)s->t / 1e9, fin_state_name(s->from),
            fin_state_name(s->to));
    if (e != NULL && e->event[0]) {
      fputs("  (", out);
      fin_svg_escape(out, e->event);
      if (e->action[0]) {
        fputs(" / ", out);
        fin_svg_escape(out, e->action);
      }
      fputs(")", out);
    }
    fputs("</text>\n", out);
  }
  if (p->truncated)
    fprintf(out, "<text x=\"0\" y=\"%zu\" class=\"leg\">... (more steps not drawn)</text>\n",
            (size_t)y0 + p->count * STEP_H);
}

static void panel(FILE *out, const struct fin_trace *tr, const struct fin_states_path *p, int x0) {
  struct fin_fig_marks m;
  fin_fig_mark(p, &m);
  char head[96];
  fin_trace_host_label(tr, p->host, head, sizeof head);
  const char *role = fin_states_role(p);
  fprintf(out,
          "<g class=\"panel\" data-host=\"%s\" data-role=\"%s\" transform=\"translate(%d,%d)\">\n",
          tr->host_names[p->host], role, x0, TOP);
  char title[160];
  snprintf(title, sizeof title, "%s%s%s, connection %llu", head, role[0] ? ": " : "", role,
           (unsigned long long)p->conn);
  if (p->conns > 1)
    snprintf(title + strlen(title), sizeof title - strlen(title), " (the first of %zu)", p->conns);
  text_line(out, PANEL_W / 2.0, 16, 'm', "hd", title);
  fprintf(out, "<g transform=\"translate(%d,%d)\">\n", FIG_X, HEAD_H);
  for (size_t i = 0; i < m.edge_count; i++)
    if (m.nums[i][0] == '\0')
      edge(out, &m.edges[i], m.nums[i]); /* untaken first, so the path is drawn over them */
  for (unsigned n = 0; n < FIN_FIG_NODES; n++)
    node(out, n, m.visited[n]);
  for (size_t i = 0; i < m.edge_count; i++)
    if (m.nums[i][0] != '\0')
      edge(out, &m.edges[i], m.nums[i]);
  step_list(out, p, &m, FIG_H + 10);
  fputs("</g>\n</g>\n", out);
}

static void prologue(FILE *out, int w, int h, const char *title) {
  fprintf(out,
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
          "viewBox=\"0 0 %d %d\">\n",
          w, h, w, h);
  fputs("<defs>", out);
  const char *ids[2] = {"mu", "mt"}, *colors[2] = {UNTAKEN, TAKEN};
  for (int i = 0; i < 2; i++)
    fprintf(out,
            "<marker id=\"%s\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
            "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/>"
            "</marker>",
            ids[i], colors[i]);
  fputs("</defs>\n<style>text{font-family:monospace;font-size:11px}"
        ".lb,.lt{paint-order:stroke;stroke:white;stroke-width:3px}.lb{fill:#777}"
        ".lt{fill:" TAKEN ";font-weight:bold}.su{fill:#555}.sv{font-weight:bold}"
        ".nm{fill:white;font-weight:bold}.hd{font-size:13px;font-weight:bold}"
        ".tt{font-size:14px;font-weight:bold}.leg{font-size:11px}</style>\n",
        out);
  fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", w, h);
  text_line(out, 12, 22, 's', "tt", title);
}

int fin_states_svg_render(FILE *out, const struct fin_trace *tr, const struct fin_viz_opts *o) {
  struct fin_states_path paths[FIN_TRACE_MAX_HOSTS];
  size_t n = fin_states_paths(tr, paths, FIN_TRACE_MAX_HOSTS);
  size_t steps = 0;
  for (size_t i = 0; i < n; i++)
    steps = paths[i].count + (paths[i].truncated ? 1 : 0) > steps
                ? paths[i].count + (paths[i].truncated ? 1 : 0)
                : steps;
  size_t panels = n > 0 ? n : 1;
  int w = (int)panels * PANEL_W, h = TOP + HEAD_H + FIG_H + 10 + (int)steps * STEP_H + 10;
  char title[160];
  snprintf(title, sizeof title, "%s%sRFC 9293 state machine: the path of each host, numbered",
           o != NULL && o->title != NULL ? o->title : "",
           o != NULL && o->title != NULL ? ": " : "");
  prologue(out, w, h, title);
  if (n == 0) {
    struct fin_states_path none;
    memset(&none, 0, sizeof none);
    none.host = 0;
    panel(out, tr, &none, 0);
  }
  for (size_t i = 0; i < n; i++)
    panel(out, tr, &paths[i], (int)i * PANEL_W);
  fputs("</svg>\n", out);
  return 0;
}
