/* SPDX-License-Identifier: MIT */
/* One schedule from start to verdict: the lifecycle runs to quiescence; the
 * applications must have finished or wait where they may; then they close
 * what they still hold, the run quiesces again, and the end is checked. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static const char *const kinds[] = {[EXPLORE_DROP] = "drop",
                                    [EXPLORE_DUP] = "dup",
                                    [EXPLORE_DELAY] = "delay",
                                    [EXPLORE_MANGLE] = "mangle"};

const char *explore_kind_name(enum explore_fault_kind k) {
  return (unsigned)k <= EXPLORE_MANGLE ? kinds[k] : "?";
}

void explore_config_default(struct explore_config *cfg, enum explore_lifecycle lc,
                            enum fin_family family) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->lc = lc;
  cfg->family = family;
  cfg->bytes = 300;
  cfg->index_bound = 64;
  cfg->datagram_cap = 400;
  cfg->time_cap = FIN_SEC(600);
}

void explore_schedule_format(const struct explore_schedule *s, char *buf, size_t cap) {
  size_t pos = 0;
  buf[0] = '\0';
  if (s->n == 0)
    snprintf(buf, cap, "-");
  for (unsigned i = 0; i < s->n; i++) {
    int n = snprintf(buf + pos, cap - pos, "%s%u:%s", i ? "," : "", s->f[i].index,
                     explore_kind_name(s->f[i].kind));
    if (n < 0 || (size_t)n >= cap - pos)
      return;
    pos += (size_t)n;
  }
}

static int parse_kind(const char *t, size_t len, enum explore_fault_kind *k) {
  for (int i = 0; i <= EXPLORE_MANGLE; i++)
    if (strlen(kinds[i]) == len && strncmp(t, kinds[i], len) == 0) {
      *k = (enum explore_fault_kind)i;
      return 0;
    }
  return -EINVAL;
}

int explore_schedule_parse(const char *text, struct explore_schedule *s) {
  memset(s, 0, sizeof(*s));
  if (strcmp(text, "-") == 0 || *text == '\0')
    return 0;
  const char *p = text;
  while (*p != '\0') {
    char *end;
    unsigned long idx = strtoul(p, &end, 10);
    if (end == p || *end != ':' || s->n == EXPLORE_MAX_FAULTS)
      return -EINVAL;
    p = end + 1;
    size_t len = strcspn(p, ",");
    struct explore_fault *f = &s->f[s->n];
    if (parse_kind(p, len, &f->kind) != 0)
      return -EINVAL;
    f->index = (unsigned)idx;
    if (s->n > 0 && f->index <= s->f[s->n - 1].index)
      return -EINVAL; /* increasing, one fault per datagram */
    s->n++;
    p += len;
    if (*p == ',')
      p++;
  }
  return 0;
}

void explore_describe(const struct explore_config *cfg, const struct explore_schedule *s, char *buf,
                      size_t cap) {
  char faults[200];
  explore_schedule_format(s, faults, sizeof(faults));
  snprintf(buf, cap, "%s/%s/%s", explore_lifecycle_name(cfg->lc),
           cfg->family == FIN_AF_INET6 ? "ipv6" : "ipv4", faults);
}

void explore_run(const struct explore_config *cfg, const struct explore_schedule *s,
                 struct explore_result *res) {
  static struct explore_run r; /* ~300 KB: queue and data buffers */
  memset(&r, 0, sizeof(r));
  r.cfg = cfg;
  r.sched = s;
  explore_net_init(&r);
  if (!r.failed)
    explore_apps_init(&r);
  if (!r.failed)
    explore_net_quiesce(&r);
  if (!r.failed && explore_apps_settled(&r)) {
    explore_apps_release(&r);
    explore_net_quiesce(&r);
  }
  memset(res, 0, sizeof(*res));
  if (!r.failed)
    explore_check_end(&r, res);
  res->datagrams = r.produced;
  res->elapsed = r.now - r.start;
  res->waited = r.waited;
  for (int h = 0; h < 2; h++)
    explore_state_path(&r, h, res->path[h], sizeof(res->path[h]));
  explore_net_free(&r);
  res->ok = !r.failed;
  snprintf(res->why, sizeof(res->why), "%s", r.failed ? r.why : "");
}
