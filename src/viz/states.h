/* SPDX-License-Identifier: MIT */
/* `fin sim --states FILE`: the RFC 9293 state machine (§3.3.2, Figure 5)
 * with the path each host's connection took in a recorded run highlighted
 * and numbered. states.c holds the figure (nodes, labelled transitions,
 * where they are drawn) and reads the paths out of a trace; states_svg.c and
 * states_mermaid.c draw the same marks, so the two outputs always agree. */
#ifndef FIN_VIZ_STATES_H
#define FIN_VIZ_STATES_H

#include <stdbool.h>
#include <stdio.h>

#include "viz/trace.h"
#include "viz/viz.h"

/* ---- the path of one connection, from the trace ---- */

#define FIN_STATES_MAX_STEPS 32

struct fin_states_step {
  fin_time t;
  enum fin_state from, to;
};

/* The first connection of one host: every state change it made, in order,
 * until it was CLOSED (or the run ended, or the host crashed and its next
 * connection started afresh). */
struct fin_states_path {
  unsigned host;
  uint64_t conn;
  size_t conns; /* connections the host opened in the run (1 = the one drawn) */
  size_t count;
  bool truncated; /* more than FIN_STATES_MAX_STEPS steps: the rest is not drawn */
  struct fin_states_step steps[FIN_STATES_MAX_STEPS];
  enum fin_close_reason reason; /* how it ended, FIN_REASON_NONE while still open */
};

/* One path per host that changed state, in host order, at most max (the
 * trace holds FIN_TRACE_MAX_HOSTS). Returns how many were written. */
size_t fin_states_paths(const struct fin_trace *tr, struct fin_states_path *out, size_t max);
/* "active open", "passive open", or "" when the path starts elsewhere. */
const char *fin_states_role(const struct fin_states_path *p);

/* ---- the figure ---- */

/* The figure's nodes: the eleven states in enum fin_state order, and
 * CLOSED once more at the bottom where connections end (RFC 9293 Figure 5
 * draws it twice too). */
#define FIN_FIG_CLOSED_END FIN_STATE_COUNT
#define FIN_FIG_NODES      (FIN_STATE_COUNT + 1)

/* One transition drawn in the figure: the event that causes it and the
 * action taken ("rcv FIN" / "snd ACK"); where its label goes (anchor 0: lx
 * is a side, +1 right of the direction of travel or -1 left; else an
 * explicit position); for a curved arrow its control points (cx = 0:
 * straight; c2x = 0: one control point). */
struct fin_fig_edge {
  uint8_t from, to; /* nodes */
  const char *event, *action;
  bool extra; /* not in Figure 5: an abrupt end this run took (RST, timeout) */
  int lx, ly;
  char anchor; /* label alignment: 's'tart, 'm'iddle, 'e'nd */
  int cx, cy;
  int c2x, c2y;
};

#define FIN_FIG_MAX_EDGES 48
#define FIN_FIG_NUMS_LEN  24

/* What one path marks on the figure: the edges (Figure 5's, then the extra
 * ones it needed), the step numbers on each ("3" or "2,5"), the nodes visited. */
struct fin_fig_marks {
  struct fin_fig_edge edges[FIN_FIG_MAX_EDGES];
  size_t edge_count;
  char nums[FIN_FIG_MAX_EDGES][FIN_FIG_NUMS_LEN];
  int step_edge[FIN_STATES_MAX_STEPS]; /* the edge each step was drawn on */
  bool visited[FIN_FIG_NODES];
};

void fin_fig_mark(const struct fin_states_path *p, struct fin_fig_marks *m);
/* Node name ("FIN-WAIT-1"; the bottom node is "CLOSED" too) and position. */
const char *fin_fig_node_name(unsigned node);
void fin_fig_node_pos(unsigned node, int *x, int *y);
/* A Mermaid-safe identifier for a node: "FIN_WAIT_1", "CLOSED_END". */
const char *fin_fig_node_id(unsigned node);

/* The renderers: the diagrams side by side, one per host that changed state
 * (client and server); a run without any state change gets the bare
 * figure. Return 0. */
int fin_states_svg_render(FILE *out, const struct fin_trace *tr, const struct fin_viz_opts *o);
int fin_states_mermaid_render(FILE *out, const struct fin_trace *tr, const struct fin_viz_opts *o);

#endif
