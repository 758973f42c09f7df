/* SPDX-License-Identifier: MIT */
/* fin script — runs packetdrill-dialect scripts against fin on virtual
 * time. The profile comes from --profile, else from MANIFEST.tsv beside
 * the scripts' directory, else "linux". */
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "script/interp.h"
#include "script/parser.h"
#include "script/profiles.h"

struct script_cli {
  const char *profile;
  const char *manifest;
  bool verbose;
  bool expect_fail;
};

static void usage(FILE *out) {
  fprintf(out,
          "usage: fin script [--profile P] [--manifest FILE] [--verbose] [--expect-fail] "
          "FILE.pkt...\n\n"
          "Runs packetdrill-dialect scripts against a fin stack on virtual time.\n"
          "  --profile P      stack profile: %s\n"
          "                   (default: the file's row in MANIFEST.tsv, else linux)\n"
          "  --manifest FILE  where to look the profile up (default: MANIFEST.tsv in the\n"
          "                   script's directory or its parent)\n"
          "  --verbose        log every event, packet and call\n"
          "  --expect-fail    the scripts are known to fail (a BEHAVIOR policy differs):\n"
          "                   exit 0 only if every one still fails\n",
          fin_script_profile_names());
}

/* The profile column of `name`'s row in a MANIFEST.tsv; NULL if absent. */
static char *manifest_profile(const char *manifest, const char *name) {
  FILE *f = fopen(manifest, "r");
  if (!f)
    return NULL;
  char line[4096];
  int col = -1;
  char *found = NULL;
  while (!found && fgets(line, sizeof(line), f)) {
    line[strcspn(line, "\r\n")] = '\0';
    char *save = NULL, *cell = strtok_r(line, "\t", &save);
    bool match = cell && strcmp(cell, name) == 0;
    for (int i = 0; cell; i++, cell = strtok_r(NULL, "\t", &save)) {
      if (col < 0 && strcmp(cell, "profile") == 0)
        col = i;
      else if (match && i == col)
        found = strdup(cell);
    }
  }
  fclose(f);
  return found;
}

static char *profile_for(const struct script_cli *cli, const char *path) {
  if (cli->profile)
    return strdup(cli->profile);
  char *a = strdup(path), *b = strdup(path);
  const char *base = basename(a), *dir = dirname(b);
  char candidate[4096];
  char *found = NULL;
  if (cli->manifest) {
    found = manifest_profile(cli->manifest, base);
  } else {
    snprintf(candidate, sizeof(candidate), "%s/MANIFEST.tsv", dir);
    found = manifest_profile(candidate, base);
    snprintf(candidate, sizeof(candidate), "%s/../MANIFEST.tsv", dir);
    if (!found)
      found = manifest_profile(candidate, base);
  }
  free(a);
  free(b);
  return found ? found : strdup("linux");
}

/* Runs one file; true if it passed. The report goes to stdout. */
static bool run_file(const struct script_cli *cli, const char *path) {
  char *text = NULL;
  size_t len = 0;
  FILE *log = open_memstream(&text, &len);
  if (!log)
    return false;
  struct script s;
  char err[512];
  int rc = 2;
  char *profile = profile_for(cli, path);
  if (fin_script_parse_file(path, fin_script_default_defines, fin_script_default_define_count, &s,
                            err, sizeof(err)) != 0) {
    fprintf(log, "%s\n", err);
  } else {
    struct script_run_options o = {.profile = profile, .verbose = cli->verbose};
    rc = fin_script_run(&s, &o, log);
    fin_script_free(&s);
  }
  fclose(log);
  const char *verdict =
      rc == 0 ? (cli->expect_fail ? "XPASS" : "PASS") : (cli->expect_fail ? "XFAIL" : "FAIL");
  printf("%s %s (profile %s)\n%s", verdict, path, profile, text ? text : "");
  fflush(stdout);
  free(text);
  free(profile);
  return rc == 0;
}

static const struct option script_options[] = {
    {"profile", required_argument, NULL, 'p'}, {"manifest", required_argument, NULL, 'm'},
    {"verbose", no_argument, NULL, 'v'},       {"expect-fail", no_argument, NULL, 'x'},
    {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};

/* 0 = go on, CLI_HELP = help printed, CLI_USAGE = bad usage (message printed). */
static int script_args(struct script_cli *cli, int argc, char **argv) {
  cli_begin();
  int c;
  while ((c = cli_next("script", argc, argv, "vh", script_options)) != -1) {
    switch (c) {
    case 'p': {
      struct fin_settings set;
      struct script_profile prof;
      if (!fin_script_profile_get(optarg, &set, &prof))
        return cli_bad("script", "--profile", "unknown profile (see 'fin script --help')");
      cli->profile = optarg;
      break;
    }
    case 'm':
      cli->manifest = optarg;
      break;
    case 'v':
      cli->verbose = true;
      break;
    case 'x':
      cli->expect_fail = true;
      break;
    case 'h':
      usage(stdout);
      return CLI_HELP;
    default:
      return CLI_USAGE;
    }
  }
  if (optind == argc)
    return cli_bad("script", "FILE.pkt", "at least one script is required");
  return 0;
}

/* A script or manifest that cannot be read is a usage error (exit 2), found
 * before any script runs. */
static int check_inputs(const struct script_cli *cli, int argc, char **argv) {
  FILE *f;
  if (cli->manifest != NULL) {
    if ((f = cli_open("script", "--manifest", cli->manifest, "r")) == NULL)
      return CLI_USAGE;
    fclose(f);
  }
  for (int i = optind; i < argc; i++) {
    if ((f = cli_open("script", "FILE.pkt", argv[i], "r")) == NULL)
      return CLI_USAGE;
    fclose(f);
  }
  return 0;
}

int fin_cmd_script(int argc, char **argv) {
  struct script_cli cli = {0};
  int r = script_args(&cli, argc, argv);
  if (r == 0)
    r = check_inputs(&cli, argc, argv);
  if (r != 0)
    return r == CLI_HELP ? 0 : CLI_USAGE;
  int bad = 0;
  for (int i = optind; i < argc; i++)
    bad += run_file(&cli, argv[i]) == cli.expect_fail;
  return bad ? 1 : 0;
}
