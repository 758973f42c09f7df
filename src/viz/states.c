/* SPDX-License-Identifier: MIT */
/* The state-machine figure of `fin sim --states`: RFC 9293 §3.3.2 Figure 5
 * (the eleven states, each transition labelled with its event and action),
 * the paths the hosts took read out of a trace, and the marks a path puts on
 * the figure. The SVG and Mermaid renderers only draw these marks. */
#include <string.h>

#include "viz/states.h"

/* ---- paths ---- */

/* A connection starts with an open: CLOSED -> SYN-SENT (active) or
 * LISTEN -> SYN-RECEIVED (passive; the listener's own CLOSED -> LISTEN is
 * not a connection's). */
static bool is_open(const struct fin_trace_rec *r) {
  return r->from == FIN_CLOSED || (r->from == FIN_LISTEN && r->to == FIN_SYN_RECEIVED);
}

static void path_reason(const struct fin_trace *tr, struct fin_states_path *p, size_t from) {
  for (size_t i = from; i < tr->len; i++) {
    const struct fin_trace_rec *r = &tr->recs[i];
    if (r->kind == FIN_TR_CLOSE && r->host == p->host && r->conn == p->conn) {
      p->reason = r->reason;
      return;
    }
  }
}

/* The host's first connection: its state changes until CLOSED, or until a
 * change that does not continue from the last state (a crashed host's next
 * connection may reuse the number). */
static bool path_of(const struct fin_trace *tr, unsigned host, struct fin_states_path *p) {
  memset(p, 0, sizeof(*p));
  p->host = host;
  size_t first = tr->len;
  bool done = false;
  for (size_t i = 0; i < tr->len; i++) {
    const struct fin_trace_rec *r = &tr->recs[i];
    if (r->kind != FIN_TR_STATE || r->host != host)
      continue;
    if (is_open(r))
      p->conns++;
    if (first == tr->len) {
      first = i;
      p->conn = r->conn;
    } else if (r->conn != p->conn) {
      continue;
    } else if (done || r->from != p->steps[p->count - 1].to) {
      done = true;
      continue;
    }
    if (p->count == FIN_STATES_MAX_STEPS) {
      p->truncated = true;
      done = true;
      continue;
    }
    p->steps[p->count++] = (struct fin_states_step){r->t, r->from, r->to};
    done = r->to == FIN_CLOSED;
  }
  if (p->conns == 0 && p->count > 0)
    p->conns = 1;
  if (first < tr->len)
    path_reason(tr, p, first);
  return p->count > 0;
}

size_t fin_states_paths(const struct fin_trace *tr, struct fin_states_path *out, size_t max) {
  size_t n = 0;
  for (unsigned h = 0; h < tr->host_count && h < FIN_TRACE_MAX_HOSTS && n < max; h++)
    if (path_of(tr, h, &out[n]))
      n++;
  return n;
}

const char *fin_states_role(const struct fin_states_path *p) {
  if (p->count == 0)
    return "";
  if (p->steps[0].from == FIN_CLOSED && p->steps[0].to == FIN_SYN_SENT)
    return "active open";
  if (p->steps[0].from == FIN_LISTEN)
    return "passive open";
  return "";
}

/* ---- the figure ---- */

#define END FIN_FIG_CLOSED_END

/* Where each node is drawn (its centre), in a 660 x 640 panel laid out like
 * Figure 5: opens at the top, ESTABLISHED in the middle, the active close
 * down the left, the simultaneous close in the centre, the passive close
 * down the right. */
static const struct {
  int x, y;
} node_pos[FIN_FIG_NODES] = {
    [FIN_CLOSED] = {330, 50},        [FIN_LISTEN] = {170, 140},      [FIN_SYN_SENT] = {540, 230},
    [FIN_SYN_RECEIVED] = {120, 230}, [FIN_ESTABLISHED] = {330, 320}, [FIN_FIN_WAIT_1] = {120, 410},
    [FIN_FIN_WAIT_2] = {120, 500},   [FIN_CLOSE_WAIT] = {540, 410},  [FIN_CLOSING] = {330, 410},
    [FIN_LAST_ACK] = {540, 500},     [FIN_TIME_WAIT] = {330, 500},   [END] = {435, 590},
};

static const char *const node_ids[FIN_FIG_NODES] = {
    "CLOSED",     "LISTEN",     "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",  "LAST_ACK",     "TIME_WAIT",   "CLOSED_END",
};

const char *fin_fig_node_name(unsigned node) {
  return node == END ? "CLOSED" : fin_state_name((enum fin_state)node);
}

const char *fin_fig_node_id(unsigned node) {
  return node < FIN_FIG_NODES ? node_ids[node] : "UNKNOWN";
}

void fin_fig_node_pos(unsigned node, int *x, int *y) {
  *x = node < FIN_FIG_NODES ? node_pos[node].x : 0;
  *y = node < FIN_FIG_NODES ? node_pos[node].y : 0;
}

/* Where a label goes: SIDE(+1) beside the arrow on the right of its
 * direction of travel, SIDE(-1) on its left (the renderer works out the spot
 * and the alignment); or an explicit position and alignment. */
#define SIDE(s) (s), 0, 0

/* RFC 9293 Figure 5 and §3.10 (FIN-WAIT-1 -> TIME-WAIT when one segment
 * carries the peer's FIN and the ACK of ours, §3.10.7.4 "FIN-WAIT-1 STATE"),
 * then the abrupt ends a run may take (drawn only when taken). */
static const struct fin_fig_edge figure[] = {
    {FIN_CLOSED, FIN_LISTEN, "passive open", "", false, SIDE(-1), 0, 0, 0, 0},
    {FIN_LISTEN, FIN_CLOSED, "close", "", false, SIDE(-1), 170, 50, 0, 0},
    {FIN_CLOSED, FIN_SYN_SENT, "active open", "snd SYN", false, SIDE(-1), 0, 0, 0, 0},
    {FIN_SYN_SENT, FIN_CLOSED, "close", "timeout", false, SIDE(1), 560, 60, 0, 0},
    {FIN_LISTEN, FIN_SYN_RECEIVED, "rcv SYN", "snd SYN,ACK", false, SIDE(-1), 0, 0, 0, 0},
    {FIN_SYN_RECEIVED, FIN_LISTEN, "rcv RST", "", false, 70, 180, 'e', 40, 160, 0, 0},
    {FIN_LISTEN, FIN_SYN_SENT, "send", "snd SYN", false, SIDE(-1), 0, 0, 0, 0},
    {FIN_SYN_SENT, FIN_SYN_RECEIVED, "rcv SYN", "snd SYN,ACK", false, SIDE(-1), 0, 0, 0, 0},
    {FIN_SYN_SENT, FIN_ESTABLISHED, "rcv SYN,ACK", "snd ACK", false, SIDE(-1), 0, 0, 0, 0},
    {FIN_SYN_RECEIVED, FIN_ESTABLISHED, "rcv ACK of SYN", "", false, SIDE(1), 0, 0, 0, 0},
    {FIN_SYN_RECEIVED, FIN_FIN_WAIT_1, "close", "snd FIN", false, SIDE(1), 0, 0, 0, 0},
    {FIN_ESTABLISHED, FIN_FIN_WAIT_1, "close", "snd FIN", false, SIDE(1), 0, 0, 0, 0},
    {FIN_ESTABLISHED, FIN_CLOSE_WAIT, "rcv FIN", "snd ACK", false, SIDE(-1), 0, 0, 0, 0},
    {FIN_FIN_WAIT_1, FIN_FIN_WAIT_2, "rcv ACK of FIN", "", false, SIDE(1), 0, 0, 0, 0},
    {FIN_FIN_WAIT_1, FIN_CLOSING, "rcv FIN", "snd ACK", false, SIDE(-1), 0, 0, 0, 0},
    {FIN_FIN_WAIT_1, FIN_TIME_WAIT, "rcv FIN,ACK", "snd ACK", false, SIDE(-1), 0, 0, 0, 0},
    {FIN_FIN_WAIT_2, FIN_TIME_WAIT, "rcv FIN", "snd ACK", false, SIDE(-1), 0, 0, 0, 0},
    {FIN_CLOSING, FIN_TIME_WAIT, "rcv ACK of FIN", "", false, SIDE(-1), 0, 0, 0, 0},
    {FIN_CLOSE_WAIT, FIN_LAST_ACK, "close", "snd FIN", false, SIDE(-1), 0, 0, 0, 0},
    {FIN_LAST_ACK, END, "rcv ACK of FIN", "", false, SIDE(-1), 0, 0, 0, 0},
    {FIN_TIME_WAIT, END, "timeout=2MSL", "", false, SIDE(1), 0, 0, 0, 0},
    /* Abrupt ends: the label is replaced by how the connection ended. */
    {FIN_ESTABLISHED, END, "", "", true, SIDE(-1), 438, 433, 0, 0},
    {FIN_FIN_WAIT_1, END, "", "", true, SIDE(1), 2, 430, 40, 640},
    {FIN_FIN_WAIT_2, END, "", "", true, SIDE(1), 250, 610, 0, 0},
    {FIN_CLOSE_WAIT, END, "", "", true, SIDE(-1), 640, 430, 640, 600},
    {FIN_CLOSING, END, "", "", true, SIDE(-1), 420, 470, 0, 0},
    {FIN_SYN_RECEIVED, END, "", "", true, SIDE(1), 10, 600, 0, 0},
};

#define FIGURE_EDGES (sizeof(figure) / sizeof(figure[0]))
#define FIGURE_BASE  21 /* Figure 5's own edges come first */

/* The nodes a state change joins: CLOSED is the top node as a start; an
 * end in CLOSED is the bottom node, except from LISTEN and SYN-SENT, which
 * Figure 5 takes back up (nothing was synchronized). */
static unsigned node_from(enum fin_state s) {
  return (unsigned)s;
}

static unsigned node_to(enum fin_state from, enum fin_state to) {
  if (to != FIN_CLOSED || from == FIN_LISTEN || from == FIN_SYN_SENT)
    return (unsigned)to;
  return END;
}

/* How an abrupt end happened, for the extra edge's label. */
static void abrupt_label(enum fin_close_reason r, const char **event, const char **action) {
  *action = fin_close_reason_name(r);
  switch (r) {
  case FIN_REASON_RESET:
  case FIN_REASON_REFUSED:
  case FIN_REASON_TIME_WAIT_RESET:
    *event = "rcv RST";
    return;
  case FIN_REASON_RETRANSMIT_TIMEOUT:
  case FIN_REASON_USER_TIMEOUT:
  case FIN_REASON_SYN_TIMEOUT:
  case FIN_REASON_KEEPALIVE_TIMEOUT:
  case FIN_REASON_SYN_RECV_TIMEOUT:
    *event = "timeout, snd RST";
    return;
  case FIN_REASON_FIN_WAIT_2_TIMEOUT:
    *event = "timeout";
    return;
  case FIN_REASON_NONE:
    *event = "end";
    *action = "";
    return;
  default:
    *event = "snd RST";
    return;
  }
}

static int find_edge(const struct fin_fig_marks *m, unsigned from, unsigned to) {
  for (size_t i = 0; i < m->edge_count; i++)
    if (m->edges[i].from == from && m->edges[i].to == to)
      return (int)i;
  return -1;
}

/* An edge for a step Figure 5 does not draw: the table's if it has one
 * (a route that avoids the other nodes), else a curve the renderer bends. */
static int add_extra(struct fin_fig_marks *m, const struct fin_states_path *p, unsigned from,
                     unsigned to) {
  if (m->edge_count == FIN_FIG_MAX_EDGES)
    return -1;
  struct fin_fig_edge e = {(uint8_t)from, (uint8_t)to, "", "", true, SIDE(1), 0, 0, 0, 0};
  for (size_t i = FIGURE_BASE; i < FIGURE_EDGES; i++)
    if (figure[i].from == from && figure[i].to == to)
      e = figure[i];
  if (to == END)
    abrupt_label(p->reason, &e.event, &e.action);
  else
    e.event = "(not in RFC 9293 Figure 5)";
  m->edges[m->edge_count] = e;
  return (int)m->edge_count++;
}

static void add_number(char *nums, size_t n) {
  size_t len = strlen(nums);
  snprintf(nums + len, FIN_FIG_NUMS_LEN - len, "%s%zu", len ? "," : "", n);
}

void fin_fig_mark(const struct fin_states_path *p, struct fin_fig_marks *m) {
  memset(m, 0, sizeof(*m));
  for (size_t i = 0; i < FIGURE_BASE; i++)
    m->edges[m->edge_count++] = figure[i];
  for (size_t i = 0; i < p->count; i++) {
    unsigned from = node_from(p->steps[i].from), to = node_to(p->steps[i].from, p->steps[i].to);
    m->visited[from] = m->visited[to] = true;
    int e = find_edge(m, from, to);
    if (e < 0)
      e = add_extra(m, p, from, to);
    m->step_edge[i] = e;
    if (e >= 0)
      add_number(m->nums[e], i + 1);
  }
}
