/* SPDX-License-Identifier: MIT */
/* The figures table every run prints: one line per figure with its value
 * and the bound it is held to, the command that reproduces the run, and
 * PASS or FAIL with the checks that failed. */
#include <stdarg.h>
#include <stdio.h>

#include "abuse.h"

#define NAME_W  52
#define VALUE_W 22

void abuse_report_begin(struct abuse_report *r, const char *title) {
  r->failures = 0;
  fprintf(r->out, "== %s\n   reproduce: %s\n", title, r->cmd);
  fprintf(r->out, "   %-*s %-*s %s\n", NAME_W, "figure", VALUE_W, "value", "bound");
}

static void line(struct abuse_report *r, bool ok, const char *name, const char *bound,
                 const char *fmt, va_list ap) {
  char value[128];
  vsnprintf(value, sizeof(value), fmt, ap);
  fprintf(r->out, "%s %-*s %-*s %s\n", ok ? "  " : "!!", NAME_W, name, VALUE_W, value, bound);
}

void abuse_figure(struct abuse_report *r, const char *name, const char *bound, const char *fmt,
                  ...) {
  va_list ap;
  va_start(ap, fmt);
  line(r, true, name, bound, fmt, ap);
  va_end(ap);
}

void abuse_check(struct abuse_report *r, bool ok, const char *name, const char *bound,
                 const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  line(r, ok, name, bound, fmt, ap);
  va_end(ap);
  if (!ok)
    r->failures++;
}

void abuse_report_end(struct abuse_report *r, double seconds) {
  if (r->failures == 0)
    fprintf(r->out, "   PASS in %.1f s\n\n", seconds);
  else
    fprintf(r->out, "   FAIL: %u check(s) marked !! (%.1f s); reproduce: %s\n\n", r->failures,
            seconds, r->cmd);
  fflush(r->out);
}
