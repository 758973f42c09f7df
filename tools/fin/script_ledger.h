/* SPDX-License-Identifier: MIT */
/* The conformance ledger (tests/conformance/freebsd-expected.tsv): scripts of an upstream
 * suite that are known not to pass yet, each with its reason and the
 * BEHAVIOR row or missing feature that decides it. `fin script --ledger`
 * checks a run against it both ways: an unlisted script that fails and a
 * listed script that passes are both errors, so the ledger stays true. */
#ifndef FIN_TOOL_SCRIPT_LEDGER_H
#define FIN_TOOL_SCRIPT_LEDGER_H

#include <stdbool.h>
#include <stddef.h>

struct ledger_row {
  char *script; /* path relative to the suite root */
  char *reason;
  char *decided_by; /* "BEHAVIOR M8", "missing feature: IPv6 (issue 10)", ... */
};

struct ledger {
  struct ledger_row *rows;
  size_t count, cap;
};

/* Loads a TSV (script, reason, decided-by; '#' lines and the header row
 * skipped). 0, or -1 with a message naming the file and line on stderr. */
int ledger_load(struct ledger *l, const char *path);
void ledger_free(struct ledger *l);
/* The row for a script, NULL if it is not listed. */
const struct ledger_row *ledger_find(const struct ledger *l, const char *script);

#endif
