/* SPDX-License-Identifier: MIT */
/* Loading the conformance ledger (script_ledger.h). */
#include "script_ledger.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_row(struct ledger *l, char *cells[3]) {
  if (l->count == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 256;
    struct ledger_row *rows = realloc(l->rows, cap * sizeof(*rows));
    if (!rows)
      return -1;
    l->rows = rows;
    l->cap = cap;
  }
  struct ledger_row *r = &l->rows[l->count];
  r->script = strdup(cells[0]);
  r->reason = strdup(cells[1]);
  r->decided_by = strdup(cells[2]);
  if (!r->script || !r->reason || !r->decided_by) {
    free(r->script), free(r->reason), free(r->decided_by);
    return -1;
  }
  l->count++;
  return 0;
}

/* Splits a line into exactly three tab-separated cells. */
static bool split3(char *line, char *cells[3]) {
  for (int i = 0; i < 3; i++) {
    cells[i] = line;
    char *tab = strchr(line, '\t');
    if (i < 2 && !tab)
      return false;
    if (tab) {
      *tab = '\0';
      line = tab + 1;
    }
  }
  return cells[0][0] != '\0' && strchr(cells[2], '\t') == NULL;
}

int ledger_load(struct ledger *l, const char *path) {
  memset(l, 0, sizeof(*l));
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "fin script: ledger %s: %s\n", path, strerror(errno));
    return -1;
  }
  char line[4096];
  int n = 0, rc = 0;
  while (rc == 0 && fgets(line, sizeof(line), f)) {
    n++;
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '#' || line[0] == '\0' || strncmp(line, "script\t", 7) == 0)
      continue;
    char *cells[3];
    if (!split3(line, cells)) {
      fprintf(stderr, "fin script: ledger %s:%d: expected script<TAB>reason<TAB>decided-by\n", path,
              n);
      rc = -1;
    } else if (ledger_find(l, cells[0])) {
      fprintf(stderr, "fin script: ledger %s:%d: %s is listed twice\n", path, n, cells[0]);
      rc = -1;
    } else if (add_row(l, cells) != 0) {
      fprintf(stderr, "fin script: ledger %s: out of memory\n", path);
      rc = -1;
    }
  }
  fclose(f);
  if (rc != 0)
    ledger_free(l);
  return rc;
}

void ledger_free(struct ledger *l) {
  for (size_t i = 0; i < l->count; i++) {
    free(l->rows[i].script);
    free(l->rows[i].reason);
    free(l->rows[i].decided_by);
  }
  free(l->rows);
  memset(l, 0, sizeof(*l));
}

const struct ledger_row *ledger_find(const struct ledger *l, const char *script) {
  for (size_t i = 0; i < l->count; i++)
    if (strcmp(l->rows[i].script, script) == 0)
      return &l->rows[i];
  return NULL;
}
