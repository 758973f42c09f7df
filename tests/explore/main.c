/* SPDX-License-Identifier: MIT */
/* fin_explore: every schedule of up to K faults for each lifecycle, or one
 * schedule replayed with its ladder.
 *
 *   fin_explore [-k K] [--lifecycle NAME|all] [--family 4|6|both] [--bytes N]
 *               [--profile default|bsd|noopt|mixed] [--bound N] [--max-print N] [--ladder]
 *   fin_explore [--profile P] [--bytes N] --replay graceful/ipv4/3:drop,7:dup
 *
 * Exit status 0 when every schedule passed, 1 when one failed, 2 on usage. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "explore.h"
#include "viz/viz.h"

struct opts {
  unsigned k;
  int lifecycle; /* -1 = all */
  int family;    /* 4, 6 or 0 = both */
  size_t bytes;
  unsigned bound;
  unsigned max_print;
  bool ladder;
  const char *replay;
  const char *profile;
  struct fin_settings settings[2];
};

static int usage(void) {
  fprintf(stderr, "usage: fin_explore [-k K] [--lifecycle NAME|all] [--family 4|6|both] "
                  "[--bytes N] [--profile P] [--bound N] [--max-print N] [--ladder]\n"
                  "       fin_explore [--profile P] [--bytes N] --replay "
                  "LIFECYCLE/ipv4|ipv6/FAULTS\n"
                  "profiles: " EXPLORE_PROFILES "\nlifecycles:");
  for (int i = 0; i < EXPLORE_LIFECYCLE_COUNT; i++)
    fprintf(stderr, " %s", explore_lifecycle_name((enum explore_lifecycle)i));
  fprintf(stderr, "\n");
  return 2;
}

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse(int argc, char **argv, struct opts *o) {
  *o = (struct opts){.k = 3,
                     .lifecycle = -1,
                     .family = 0,
                     .bytes = 300,
                     .bound = 64,
                     .max_print = 10,
                     .profile = "default"};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--ladder") == 0) {
      o->ladder = true;
      continue;
    }
    if (v == NULL)
      return -EINVAL;
    i++;
    if (strcmp(a, "-k") == 0)
      o->k = (unsigned)atoi(v);
    else if (strcmp(a, "--bytes") == 0)
      o->bytes = (size_t)atol(v);
    else if (strcmp(a, "--bound") == 0)
      o->bound = (unsigned)atoi(v);
    else if (strcmp(a, "--max-print") == 0)
      o->max_print = (unsigned)atoi(v);
    else if (strcmp(a, "--replay") == 0)
      o->replay = v;
    else if (strcmp(a, "--profile") == 0)
      o->profile = v;
    else if (strcmp(a, "--family") == 0)
      o->family = strcmp(v, "both") == 0 ? 0 : atoi(v);
    else if (strcmp(a, "--lifecycle") == 0) {
      enum explore_lifecycle lc;
      if (strcmp(v, "all") == 0)
        o->lifecycle = -1;
      else if (explore_lifecycle_parse(v, &lc) == 0)
        o->lifecycle = (int)lc;
      else
        return -EINVAL;
    } else
      return -EINVAL;
  }
  if (o->k > EXPLORE_MAX_FAULTS || (o->family != 0 && o->family != 4 && o->family != 6) ||
      explore_profile(o->profile, o->settings) != 0)
    return -EINVAL;
  return 0;
}

/* "graceful/ipv4/3:drop,7:dup": one run, its verdict and its ladder. */
static void configure(const struct opts *o, struct explore_config *cfg) {
  cfg->bytes = o->bytes;
  cfg->index_bound = o->bound;
  cfg->settings[0] = &o->settings[0];
  cfg->settings[1] = &o->settings[1];
  cfg->profile = o->profile;
}

static int replay(const struct opts *o) {
  char buf[256];
  snprintf(buf, sizeof(buf), "%s", o->replay);
  char *fam = strchr(buf, '/');
  char *faults = fam != NULL ? strchr(fam + 1, '/') : NULL;
  if (faults == NULL)
    return usage();
  *fam++ = '\0';
  *faults++ = '\0';
  enum explore_lifecycle lc;
  struct explore_schedule s;
  if (explore_lifecycle_parse(buf, &lc) != 0 || explore_schedule_parse(faults, &s) != 0 ||
      (strcmp(fam, "ipv4") != 0 && strcmp(fam, "ipv6") != 0))
    return usage();
  struct explore_config cfg;
  explore_config_default(&cfg, lc, strcmp(fam, "ipv6") == 0 ? FIN_AF_INET6 : FIN_AF_INET);
  configure(o, &cfg);
  struct fin_trace tr;
  fin_trace_init(&tr);
  tr.host_count = 2;
  cfg.trace = &tr;
  cfg.segments = stdout;
  printf("datagrams (the numbers faults name):\n");
  struct explore_result res;
  explore_run(&cfg, &s, &res);
  printf("\n");
  struct fin_viz_opts vo = {.full = true};
  fin_ladder_render(stdout, &tr, &vo);
  fin_trace_free(&tr);
  printf("%s: %s (%u datagrams, %.3fs virtual)\n  a %s\n  b %s\n", o->replay,
         res.ok ? "ok" : res.why, res.datagrams, (double)res.elapsed / 1e9, res.path[0],
         res.path[1]);
  return res.ok ? 0 : 1;
}

static void print_stats(const struct explore_config *cfg, unsigned k,
                        const struct explore_stats *st, double secs) {
  printf("explored %llu schedules (%s/%s: K=%u, %zu bytes each way, %s, by faults",
         (unsigned long long)st->schedules, explore_lifecycle_name(cfg->lc),
         cfg->family == FIN_AF_INET6 ? "ipv6" : "ipv4", k, cfg->bytes, cfg->profile);
  for (unsigned i = 0; i <= k; i++)
    printf("%s%llu", i ? "/" : " ", (unsigned long long)st->by_faults[i]);
  printf("; longest run %u datagrams, slowest %.1fs virtual; outcomes", st->max_datagrams,
         (double)st->max_elapsed / 1e9);
  for (unsigned i = 0; i < st->outcomes; i++) {
    printf("%s", i ? "," : "");
    for (int h = 0; h < 2; h++) {
      printf(" %c", 'a' + h);
      for (unsigned c = 0; c < st->outcome[i].conns; c++)
        printf("%s%s", c ? "+" : " ", fin_close_reason_name(st->outcome[i].reason[h][c]));
    }
    printf(" x%llu", (unsigned long long)st->outcome[i].count);
  }
  printf("; %llu waited for the application; %llu failures) in %.1fs\n",
         (unsigned long long)st->waited, (unsigned long long)st->failures, secs);
  fflush(stdout);
}

int main(int argc, char **argv) {
  /* Each stack's first bind takes a 128 KiB port table: keep such blocks
   * on the heap instead of an mmap and munmap per run (glibc). */
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  mallopt(M_TRIM_THRESHOLD, 16 << 20);
  struct opts o;
  if (parse(argc, argv, &o) != 0)
    return usage();
  if (o.replay != NULL)
    return replay(&o);
  uint64_t failures = 0, total = 0;
  double t0 = seconds();
  for (int lc = 0; lc < EXPLORE_LIFECYCLE_COUNT; lc++) {
    if (o.lifecycle >= 0 && lc != o.lifecycle)
      continue;
    for (int f = 4; f <= 6; f += 2) {
      if (o.family != 0 && f != o.family)
        continue;
      struct explore_config cfg;
      explore_config_default(&cfg, (enum explore_lifecycle)lc, f == 6 ? FIN_AF_INET6 : FIN_AF_INET);
      configure(&o, &cfg);
      struct explore_stats st;
      double t = seconds();
      explore_search(&cfg, o.k, stdout, o.max_print, o.ladder, &st);
      print_stats(&cfg, o.k, &st, seconds() - t);
      failures += st.failures;
      total += st.schedules;
    }
  }
  printf("explored %llu schedules in all, %llu failures, %.1fs\n", (unsigned long long)total,
         (unsigned long long)failures, seconds() - t0);
  return failures == 0 ? 0 : 1;
}
