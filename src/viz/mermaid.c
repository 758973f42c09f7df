/* SPDX-License-Identifier: MIT */
/* `--format mermaid`: the ladder as a Mermaid sequenceDiagram (GitHub and
 * most Markdown viewers draw it). Lost segments use the "-x" arrow. */
#include <stdlib.h>

#include "viz/viz.h"

static void state_notes(FILE *out, const struct fin_trace *tr, const struct fin_row *row) {
  unsigned hosts = tr->host_count;
  for (unsigned h = 0; h < hosts && h < FIN_TRACE_MAX_HOSTS; h++) {
    if (row->state[h][0] == '\0')
      continue;
    const char *where = h == 0 ? "left of" : h == hosts - 1 ? "right of" : "over";
    fprintf(out, "    Note %s %s: %s\n", where, tr->host_names[h], row->state[h]);
  }
}

static void arrow(FILE *out, const struct fin_trace *tr, const struct fin_row *row) {
  char fate[32] = "";
  if (row->fate != FIN_FATE_DELIVERED)
    snprintf(fate, sizeof(fate), " (%s)", fin_trace_fate_name(row->fate));
  fprintf(out, "    %s%s%s: %.6f %s%s%s\n", tr->host_names[row->from],
          fin_fate_lost(row->fate) ? "-x" : "->>", tr->host_names[row->to], (double)row->t / 1e9,
          row->label, row->dup ? " dup" : "", fate);
}

int fin_mermaid_render(FILE *out, const struct fin_trace *tr, const struct fin_viz_opts *o) {
  struct fin_row *rows = NULL;
  size_t n = 0;
  int rc = fin_rows_build(tr, o, &rows, &n);
  if (rc != 0)
    return rc;
  fprintf(out, "sequenceDiagram\n");
  for (unsigned h = 0; h < tr->host_count; h++) {
    uint32_t a = tr->host_addrs[h];
    fprintf(out, "    participant %s as %s %u.%u.%u.%u\n", tr->host_names[h], tr->host_names[h],
            a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
  }
  for (size_t i = 0; i < n; i++) {
    const struct fin_row *row = &rows[i];
    state_notes(out, tr, row);
    if (row->kind == FIN_ROW_ARROW && row->from < tr->host_count && row->to < tr->host_count)
      arrow(out, tr, row);
    else if (row->kind == FIN_ROW_NOTE && row->from < tr->host_count)
      fprintf(out, "    Note over %s: %s\n", tr->host_names[row->from], row->label);
  }
  free(rows);
  return 0;
}
