/* SPDX-License-Identifier: MIT */
/* `fin sim --states FILE.mmd` (or --states-format mermaid): the same figure
 * as states_svg.c as a Mermaid stateDiagram-v2, one composite state per
 * host side by side. Mermaid cannot colour one arrow, so the path is in the
 * labels: each transition taken starts with its step numbers, "(3)" or
 * "(2,5)", and the states visited are in class `visited`. */
#include <string.h>

#include "viz/states.h"

/* Mermaid ids: letters, digits and '_' only. */
static void id(FILE *out, const char *host, unsigned node) {
  fprintf(out, "%s_%s", host, fin_fig_node_id(node));
}

/* Labels cannot hold ':' or ';' (they end the label or the statement). */
static void label(FILE *out, const char *s) {
  for (; *s; s++)
    fputc(*s == ':' || *s == ';' ? ' ' : *s, out);
}

static void host_block(FILE *out, const struct fin_trace *tr, const struct fin_states_path *p,
                       struct fin_fig_marks *m) {
  const char *h = tr->host_names[p->host][0] ? tr->host_names[p->host] : "host";
  char head[96];
  fin_trace_host_label(tr, p->host, head, sizeof head);
  const char *role = fin_states_role(p);
  fprintf(out, "  state \"%s%s%s, connection %llu", head, role[0] ? ", " : "", role,
          (unsigned long long)p->conn);
  if (p->conns > 1)
    fprintf(out, " (the first of %zu)", p->conns);
  fprintf(out, "\" as %s {\n    direction TB\n", h);
  for (unsigned n = 0; n < FIN_FIG_NODES; n++) {
    fprintf(out, "    state \"%s\" as ", fin_fig_node_name(n));
    id(out, h, n);
    fputc('\n', out);
  }
  fputs("    [*] --> ", out);
  id(out, h, FIN_CLOSED);
  fputc('\n', out);
  for (size_t i = 0; i < m->edge_count; i++) {
    const struct fin_fig_edge *e = &m->edges[i];
    fputs("    ", out);
    id(out, h, e->from);
    fputs(" --> ", out);
    id(out, h, e->to);
    fputs(": ", out);
    if (m->nums[i][0])
      fprintf(out, "(%s) ", m->nums[i]);
    label(out, e->event);
    if (e->action[0]) {
      fputs(" / ", out);
      label(out, e->action);
    }
    fputc('\n', out);
  }
  fputs("    ", out);
  id(out, h, FIN_FIG_CLOSED_END);
  fputs(" --> [*]\n  }\n", out);
}

int fin_states_mermaid_render(FILE *out, const struct fin_trace *tr, const struct fin_viz_opts *o) {
  struct fin_states_path paths[FIN_TRACE_MAX_HOSTS];
  size_t n = fin_states_paths(tr, paths, FIN_TRACE_MAX_HOSTS);
  if (o != NULL && o->title != NULL) {
    fputs("---\ntitle: ", out);
    label(out, o->title);
    fputs(" - RFC 9293 state machine, the path of each host numbered\n---\n", out);
  }
  fputs("stateDiagram-v2\n  direction LR\n", out);
  struct fin_fig_marks m;
  if (n == 0) {
    struct fin_states_path none;
    memset(&none, 0, sizeof none);
    fin_fig_mark(&none, &m);
    host_block(out, tr, &none, &m);
  }
  fputs("  classDef visited fill:#ffe3a3,stroke:#d9480f,stroke-width:2px\n", out);
  for (size_t i = 0; i < n; i++) {
    fin_fig_mark(&paths[i], &m);
    host_block(out, tr, &paths[i], &m);
    const char *h = tr->host_names[paths[i].host][0] ? tr->host_names[paths[i].host] : "host";
    fputs("  class ", out);
    bool first = true;
    for (unsigned k = 0; k < FIN_FIG_NODES; k++) {
      if (!m.visited[k])
        continue;
      if (!first)
        fputc(',', out);
      id(out, h, k);
      first = false;
    }
    fputs(" visited\n", out);
  }
  return 0;
}
