/* SPDX-License-Identifier: MIT */
/* Counters of a running fin in nstat's two layouts (`fin stat`, --counters):
 *   text:  "#fin" then "%-32s%-16llu%6.1f" name, value, rate  (nstat -a)
 *   JSON:  {"fin":{"TcpActiveOpens":1,...}}                   (nstat -j)
 * The rate is the average per second since the stack started (nstat's is
 * an average kept by its daemon). Two gauges follow the engine's counters:
 * FinLiveConnections and FinTimeWaitRecords. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "netcli.h"

struct counter_row {
  const char *name;
  uint64_t value;
};

/* Every counter, then the gauges; returns how many rows (fills at most cap). */
static size_t counter_rows(const struct netcli *c, struct counter_row *rows, size_t cap) {
  const struct fin_counters *k = fin_stack_counters(c->st);
  size_t n = 0, total = fin_counters_count();
  for (size_t i = 0; i < total && n < cap; i++)
    rows[n++] = (struct counter_row){fin_counters_name(i), fin_counters_value(k, i)};
  if (n < cap)
    rows[n++] = (struct counter_row){"FinLiveConnections", fin_stack_conn_count(c->st)};
  if (n < cap)
    rows[n++] = (struct counter_row){"FinTimeWaitRecords", fin_stack_time_wait_count(c->st)};
  return n;
}

/* nstat: zero counters only with -z; with patterns, only the names that match one. */
static bool wanted(const struct counter_row *r, bool zeros, int npat, char *const *pat) {
  if (r->value == 0 && !zeros)
    return false;
  if (npat == 0)
    return true;
  for (int i = 0; i < npat; i++)
    if (fnmatch(pat[i], r->name, 0) == 0)
      return true;
  return false;
}

#define MAX_ROWS 256

void netcli_counters_text(const struct netcli *c, FILE *out, bool zeros, int npat,
                          char *const *pat) {
  struct counter_row rows[MAX_ROWS];
  size_t n = counter_rows(c, rows, MAX_ROWS);
  double up = netcli_elapsed(c);
  fprintf(out, "#fin\n");
  for (size_t i = 0; i < n; i++)
    if (wanted(&rows[i], zeros, npat, pat))
      fprintf(out, "%-32s%-16llu%6.1f\n", rows[i].name, (unsigned long long)rows[i].value,
              up > 0 ? (double)rows[i].value / up : 0.0);
}

void netcli_counters_json(const struct netcli *c, FILE *out, bool zeros, int npat,
                          char *const *pat) {
  struct counter_row rows[MAX_ROWS];
  size_t n = counter_rows(c, rows, MAX_ROWS);
  const char *sep = "";
  fprintf(out, "{\"fin\":{");
  for (size_t i = 0; i < n; i++)
    if (wanted(&rows[i], zeros, npat, pat)) {
      fprintf(out, "%s\"%s\":%llu", sep, rows[i].name, (unsigned long long)rows[i].value);
      sep = ",";
    }
  fprintf(out, "}}\n");
}
