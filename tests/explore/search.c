/* SPDX-License-Identifier: MIT */
/* Every schedule of up to k faults, depth first. A schedule is run before
 * its extensions, so they can name any datagram the faulted run produced
 * after its last fault, retransmissions included (datagram numbers mean the
 * same up to the first fault: runs are deterministic). A failing schedule
 * is reported and not extended. */
#include <stdio.h>
#include <string.h>

#include "explore.h"
#include "viz/viz.h"

struct search {
  const struct explore_config *cfg;
  unsigned k;
  FILE *out;
  unsigned max_print;
  bool ladders;
  struct explore_stats *stats;
  struct explore_schedule cur;
};

static bool same_outcome(const struct explore_stats *st, unsigned i,
                         const struct explore_result *res) {
  if (st->outcome[i].conns != res->conns)
    return false;
  for (int h = 0; h < 2; h++)
    for (unsigned k = 0; k < res->conns; k++)
      if (st->outcome[i].reason[h][k] != res->reason[h][k])
        return false;
  return true;
}

static void count_outcome(struct explore_stats *st, const struct explore_result *res) {
  for (unsigned i = 0; i < st->outcomes; i++)
    if (same_outcome(st, i, res)) {
      st->outcome[i].count++;
      return;
    }
  if (st->outcomes == EXPLORE_OUTCOMES)
    return;
  st->outcome[st->outcomes].conns = res->conns;
  memcpy(st->outcome[st->outcomes].reason, res->reason, sizeof(res->reason));
  st->outcome[st->outcomes].count = 1;
  st->outcomes++;
}

static void print_ladder(const struct explore_config *cfg, const struct explore_schedule *s,
                         FILE *out) {
  struct fin_trace tr;
  fin_trace_init(&tr);
  tr.host_count = 2;
  struct explore_config c = *cfg;
  c.trace = &tr;
  struct explore_result res;
  explore_run(&c, s, &res);
  struct fin_viz_opts o = {.full = true};
  fin_ladder_render(out, &tr, &o);
  fin_trace_free(&tr);
}

static void report(struct search *se, const struct explore_result *res) {
  struct explore_stats *st = se->stats;
  if (st->failures > se->max_print)
    return;
  char desc[256];
  explore_describe(se->cfg, &se->cur, desc, sizeof(desc));
  if (st->failures == se->max_print) {
    fprintf(se->out, "explore: more failures not shown\n");
    return;
  }
  const char *profile = se->cfg->profile != NULL ? se->cfg->profile : "default";
  fprintf(se->out,
          "explore: FAIL %s: %s [a %s | b %s] (replay: fin_explore --profile %s --bytes %zu "
          "--replay %s)\n",
          desc, res->why, res->path[0], res->path[1], profile, se->cfg->bytes, desc);
  if (se->ladders && st->failures == 0)
    print_ladder(se->cfg, &se->cur, se->out);
}

static void visit(struct search *se) {
  struct explore_result res;
  explore_run(se->cfg, &se->cur, &res);
  struct explore_stats *st = se->stats;
  st->schedules++;
  st->by_faults[se->cur.n]++;
  if (res.datagrams > st->max_datagrams)
    st->max_datagrams = res.datagrams;
  if (res.elapsed > st->max_elapsed)
    st->max_elapsed = res.elapsed;
  if (!res.ok) {
    report(se, &res);
    st->failures++;
    return;
  }
  count_outcome(st, &res);
  st->waited += res.waited;
  if (se->cur.n == se->k)
    return;
  unsigned from = se->cur.n ? se->cur.f[se->cur.n - 1].index + 1 : 0;
  unsigned to = res.datagrams < se->cfg->index_bound ? res.datagrams : se->cfg->index_bound;
  for (unsigned j = from; j < to; j++)
    for (int kind = 0; kind < EXPLORE_KIND_COUNT; kind++) {
      se->cur.f[se->cur.n] = (struct explore_fault){j, (enum explore_fault_kind)kind};
      se->cur.n++;
      visit(se);
      se->cur.n--;
    }
}

void explore_search(const struct explore_config *cfg, unsigned k, FILE *out, unsigned max_print,
                    bool ladders, struct explore_stats *stats) {
  memset(stats, 0, sizeof(*stats));
  struct search se = {
      cfg,     k < EXPLORE_MAX_FAULTS ? k : EXPLORE_MAX_FAULTS, out, max_print, ladders, stats,
      {.n = 0}};
  visit(&se);
}
