/* SPDX-License-Identifier: MIT */
/* fin_abuse MODE [--scale modest|full] [--count N] [--seed S] [--kind K]
 *
 * Load and abuse on virtual time (issue 12 item 5). MODE is spoof (blind
 * spoofed RST/SYN/data/FIN into a live connection), synflood (spoofed SYNs
 * at 10 k/s with real connects among them), orphans (orphans held by
 * hostile peers: silent, zero-window, shrinking, slow-reader,
 * trickle, fin-wait-2; --kind runs one) or all. --scale picks the counts:
 * modest (ctest, label abuse: 10^5 segments, 10^4 SYNs, 200 orphans per
 * kind) or full (`make abuse`: 10^6, 10^5, 1,000); --count overrides.
 * --sabotage runs the stacks with a setting that breaks the contract (no A6
 * limit, no SYN cookies, orphan budgets past F4 and F1) while the checks
 * hold to the defaults: the run must fail. ABUSE_DEBUG=1 prints every
 * answer to a spoofed segment. Prints a table of figures per run; exits 1
 * if a check failed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abuse.h"

static void usage(FILE *f) {
  fprintf(f, "usage: fin_abuse spoof|synflood|orphans|all [--scale modest|full] [--count N] "
             "[--seed S] [--sabotage]\n                 [--kind "
             "silent|zero-window|trickle|shrinking|slow-reader|fin-wait-2]\n");
}

static uint64_t default_count(const char *mode, bool full) {
  if (strcmp(mode, "spoof") == 0)
    return full ? 1000000 : 100000;
  if (strcmp(mode, "synflood") == 0)
    return full ? 100000 : 10000;
  return full ? 1000 : 200;
}

static unsigned run_mode(const char *prog, const char *mode, bool full, uint64_t count,
                         uint64_t seed, const char *kind, bool sabotage) {
  struct abuse_opts o = {.count = count ? count : default_count(mode, full),
                         .seed = seed,
                         .full = full,
                         .sabotage = sabotage};
  char cmd[512];
  snprintf(cmd, sizeof(cmd), "%s %s --count %" PRIu64 " --seed %" PRIu64 "%s%s%s", prog, mode,
           o.count, seed, kind ? " --kind " : "", kind ? kind : "", sabotage ? " --sabotage" : "");
  o.cmd = cmd;
  if (strcmp(mode, "spoof") == 0)
    return abuse_spoof(&o);
  if (strcmp(mode, "synflood") == 0)
    return abuse_synflood(&o);
  return abuse_orphans(&o, kind);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *mode = argv[1];
  bool full = false;
  uint64_t count = 0, seed = 1;
  const char *kind = NULL;
  bool sabotage = false;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
      const char *s = argv[++i];
      if (strcmp(s, "full") == 0)
        full = true;
      else if (strcmp(s, "modest") != 0) {
        usage(stderr);
        return 2;
      }
    } else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
      count = strtoull(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
      seed = strtoull(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc) {
      kind = argv[++i];
    } else if (strcmp(argv[i], "--sabotage") == 0) {
      sabotage = true;
    } else {
      usage(stderr);
      return 2;
    }
  }
  unsigned failed = 0;
  if (strcmp(mode, "all") == 0) {
    static const char *const modes[] = {"spoof", "synflood", "orphans"};
    for (int m = 0; m < 3; m++)
      failed += run_mode(argv[0], modes[m], full, count, seed, NULL, sabotage);
  } else if (strcmp(mode, "spoof") == 0 || strcmp(mode, "synflood") == 0 ||
             strcmp(mode, "orphans") == 0) {
    failed = run_mode(argv[0], mode, full, count, seed, kind, sabotage);
  } else {
    usage(stderr);
    return 2;
  }
  return failed == 0 ? 0 : 1;
}
