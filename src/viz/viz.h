/* SPDX-License-Identifier: MIT */
/* Renderers of a recorded run (viz/trace.h): the ASCII ladder, a Mermaid
 * sequenceDiagram, a self-contained SVG ladder and NDJSON events. The three
 * diagrams share one row model, so they always show the same thing. */
#ifndef FIN_VIZ_VIZ_H
#define FIN_VIZ_VIZ_H

#include <stdbool.h>
#include <stdio.h>

#include "viz/trace.h"

struct fin_viz_opts {
  bool absolute;     /* absolute sequence numbers instead of relative ones */
  bool verbose_apps; /* also show bulk send/recv calls in diagrams */
  bool full;         /* ASCII ladder: never fold long runs of plain segments */
  const char *title; /* --states figure: what ran (the scenario's name); NULL: none */
};

enum fin_row_kind {
  FIN_ROW_ARROW, /* a segment from -> to */
  FIN_ROW_NOTE,  /* text beside host `from`: an app call, a timer, a close */
  FIN_ROW_STATE, /* only state labels */
};

#define FIN_ROW_STATE_LEN 14
#define FIN_ROW_LABEL_LEN 72

struct fin_row {
  fin_time t;
  enum fin_row_kind kind;
  uint8_t from, to;
  enum fin_trace_fate fate;
  bool dup;
  char label[FIN_ROW_LABEL_LEN];
  /* New state written beside host i on this row, "" when unchanged. */
  char state[FIN_TRACE_MAX_HOSTS][FIN_ROW_STATE_LEN];
};

/* Builds the rows of a trace. *rows is malloc'd (free it). 0 or -ENOMEM. */
int fin_rows_build(const struct fin_trace *tr, const struct fin_viz_opts *o, struct fin_row **rows,
                   size_t *count);
/* True when the datagram never reached the other host. */
bool fin_fate_lost(enum fin_trace_fate f);

int fin_ladder_render(FILE *out, const struct fin_trace *tr, const struct fin_viz_opts *o);
int fin_mermaid_render(FILE *out, const struct fin_trace *tr, const struct fin_viz_opts *o);
int fin_svg_render(FILE *out, const struct fin_trace *tr, const struct fin_viz_opts *o);
/* Writes s with < > & " escaped for SVG text and attribute values. */
void fin_svg_escape(FILE *out, const char *s);
int fin_ndjson_render(FILE *out, const struct fin_trace *tr, const struct fin_viz_opts *o);
/* pcapng of every datagram sent, commented with the state changes around
 * it (needs tr->keep_packets while recording). */
int fin_pcapng_render(FILE *out, const struct fin_trace *tr, const struct fin_viz_opts *o);
/* One line of the events schema (docs/events.md) for record r; host names
 * come from tr, relative sequence numbers from rel (learns as it goes).
 * fin serve / fin connect write their events through this too. */
void fin_ndjson_record(FILE *out, const struct fin_trace *tr, const struct fin_trace_rec *r,
                       struct fin_rel *rel);
/* What a host's stack did, as one line ("b conn 2: LISTEN -> SYN-RECEIVED"):
 * the packet comments of --pcapng. Returns the length; 0 (and "") for records
 * that say nothing (segments, app calls, delayed-ACK timers). */
size_t fin_trace_note(const struct fin_trace *tr, const struct fin_trace_rec *r, char *buf,
                      size_t cap);

#endif
