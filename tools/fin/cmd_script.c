/* SPDX-License-Identifier: MIT */
/* fin script — runs packetdrill-dialect scripts against fin on virtual
 * time. The profile comes from --profile, else from MANIFEST.tsv beside
 * the scripts' directory, else "linux". A directory argument stands for
 * the *.pkt files directly in it, in name order. With --ledger the run is
 * checked against a conformance ledger (script_ledger.h). */
#include <dirent.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "script/interp.h"
#include "script/parser.h"
#include "script/profiles.h"
#include "script_ledger.h"

struct script_cli {
  const char *profile;
  const char *ip_version; /* --ip-version: NULL, or a known name */
  const char *manifest;
  const char *suite; /* --suite: ledger names are relative to it */
  bool verbose;
  bool expect_fail;
  bool brief;
  bool have_ledger;
  struct ledger ledger;
  unsigned passed, failed, xfailed, xpassed;
};

static void usage(FILE *out) {
  fprintf(out,
          "usage: fin script [--profile P] [--manifest FILE] [--ip-version V] [--verbose]\n"
          "                  [--expect-fail] [--brief] [--ledger FILE --suite DIR]\n"
          "                  FILE.pkt|DIR...\n\n"
          "Runs packetdrill-dialect scripts against a fin stack on virtual time. A directory\n"
          "stands for the *.pkt files directly in it.\n"
          "  --profile P      stack profile: %s\n"
          "                   (default: the file's row in MANIFEST.tsv, else linux)\n"
          "  --manifest FILE  where to look the profile up (default: MANIFEST.tsv in the\n"
          "                   script's directory or its parent)\n"
          "  --ip-version V   ipv4, ipv6 or ipv4-mapped-ipv6 for scripts without their\n"
          "                   own --ip_version line (default ipv4; packetdrill's option)\n"
          "  --verbose        log every event, packet and call\n"
          "  --expect-fail    the scripts are known to fail (a BEHAVIOR policy differs):\n"
          "                   exit 0 only if every one still fails\n"
          "  --brief          one line per script: PASS|FAIL <tab> path <tab> first reason\n"
          "  --ledger FILE    conformance ledger (script, reason, decided-by): a listed\n"
          "                   script must fail and an unlisted one must pass\n"
          "  --suite DIR      the suite root that ledger names are relative to\n"
          "  -h, --help       this text\n",
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

/* The first line of a failure report that says why: the first indented
 * line ("  TCP options differ ..."), else the first line without its
 * "file:line:" prefix. Written into out. */
static void first_reason(const char *log, const char *path, char *out, size_t cap) {
  out[0] = '\0';
  for (const char *p = log; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
    if (strncmp(p, "  ", 2) == 0 && strncmp(p, "  virtual time", 14) != 0) {
      snprintf(out, cap, "%.*s", (int)strcspn(p + 2, "\n"), p + 2);
      return;
    }
  }
  const char *p = log;
  size_t n = strlen(path);
  if (strncmp(p, path, n) == 0 && p[n] == ':') {
    p += n + 1;
    while (*p && strchr("0123456789:", *p))
      p++;
    p += *p == ' ';
  }
  snprintf(out, cap, "%.*s", (int)strcspn(p, "\n"), p);
}

/* The script's name in the ledger: its path relative to --suite. */
static const char *ledger_name(const struct script_cli *cli, const char *path) {
  size_t n = cli->suite ? strlen(cli->suite) : 0;
  if (n && strncmp(path, cli->suite, n) == 0 && path[n] == '/')
    return path + n + 1;
  return path;
}

/* Runs one file into log; 0 passed, 1 an expectation failed, 2 cannot run. */
static int run_one(const struct script_cli *cli, const char *path, const char *profile, FILE *log) {
  struct script s;
  char err[512];
  if (fin_script_parse_file(path, fin_script_default_defines, fin_script_default_define_count, &s,
                            err, sizeof(err)) != 0) {
    fprintf(log, "%s\n", err);
    return 2;
  }
  struct script_run_options o = {
      .profile = profile, .verbose = cli->verbose, .ip_version = cli->ip_version};
  int rc = fin_script_run(&s, &o, log);
  fin_script_free(&s);
  return rc;
}

/* --ledger: what this outcome means for the ledger; counts it. */
static void report_ledger(struct script_cli *cli, const char *path, bool pass, const char *text) {
  const char *name = ledger_name(cli, path);
  const struct ledger_row *row = ledger_find(&cli->ledger, name);
  char why[512];
  first_reason(text, path, why, sizeof(why));
  if (pass && !row) {
    cli->passed++;
  } else if (!pass && row) {
    cli->xfailed++;
    printf("XFAIL %s [%s] %s\n", name, row->decided_by, why);
  } else if (pass) {
    cli->xpassed++;
    printf("XPASS %s passes, but the ledger lists it (%s: %s): remove its line\n", name,
           row->decided_by, row->reason);
  } else {
    cli->failed++;
    printf("FAIL %s (not in the ledger)\n%s", name, text);
  }
}

/* Runs one file and reports it in the selected format. */
static void run_file(struct script_cli *cli, const char *path) {
  char *text = NULL;
  size_t len = 0;
  FILE *log = open_memstream(&text, &len);
  if (!log)
    return;
  char *profile = profile_for(cli, path);
  int rc = run_one(cli, path, profile, log);
  fclose(log);
  const char *t = text ? text : "";
  if (cli->have_ledger) {
    report_ledger(cli, path, rc == 0, t);
  } else if (cli->brief) {
    char why[512];
    first_reason(t, path, why, sizeof(why));
    printf("%s\t%s\t%s\n", rc == 0 ? "PASS" : "FAIL", ledger_name(cli, path), rc ? why : "");
  } else {
    const char *verdict =
        rc == 0 ? (cli->expect_fail ? "XPASS" : "PASS") : (cli->expect_fail ? "XFAIL" : "FAIL");
    printf("%s %s (profile %s)\n%s", verdict, path, profile, t);
  }
  if (!cli->have_ledger)
    *(rc == 0 ? &cli->passed : &cli->failed) += 1;
  fflush(stdout);
  free(text);
  free(profile);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.pkt files directly in dir, in name order. */
static int run_dir(struct script_cli *cli, const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "fin script: %s: cannot open the directory\n", dir);
    return -1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  for (struct dirent *e; (e = readdir(d));) {
    size_t len = strlen(e->d_name);
    if (len < 5 || strcmp(e->d_name + len - 4, ".pkt") != 0)
      continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      char **nn = realloc(names, cap * sizeof(*names));
      if (!nn)
        break;
      names = nn;
    }
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  if (n)
    qsort(names, n, sizeof(*names), by_name);
  for (size_t i = 0; i < n; i++) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
    run_file(cli, path);
    free(names[i]);
  }
  free(names);
  return 0;
}

static const struct option script_options[] = {{"profile", required_argument, NULL, 'p'},
                                               {"manifest", required_argument, NULL, 'm'},
                                               {"ip-version", required_argument, NULL, 'i'},
                                               {"verbose", no_argument, NULL, 'v'},
                                               {"expect-fail", no_argument, NULL, 'x'},
                                               {"brief", no_argument, NULL, 'b'},
                                               {"ledger", required_argument, NULL, 'l'},
                                               {"suite", required_argument, NULL, 's'},
                                               {"help", no_argument, NULL, 'h'},
                                               {NULL, 0, NULL, 0}};

static int script_option(struct script_cli *cli, int c, const char **ledger) {
  struct fin_settings set;
  struct script_profile prof;
  switch (c) {
  case 'p':
    if (!fin_script_profile_get(optarg, &set, &prof))
      return cli_bad("script", "--profile", "unknown profile (see 'fin script --help')");
    cli->profile = optarg;
    return 0;
  case 'm':
    return cli->manifest = optarg, 0;
  case 'i':
    if (!fin_script_ip_version_known(optarg))
      return cli_bad("script", "--ip-version", "expected ipv4, ipv6 or ipv4-mapped-ipv6");
    return cli->ip_version = optarg, 0;
  case 'v':
    return cli->verbose = true, 0;
  case 'x':
    return cli->expect_fail = true, 0;
  case 'b':
    return cli->brief = true, 0;
  case 'l':
    return *ledger = optarg, 0;
  case 's':
    return cli->suite = optarg, 0;
  case 'h':
    usage(stdout);
    return CLI_HELP;
  default:
    return CLI_USAGE;
  }
}

/* 0 = go on, CLI_HELP = help printed, CLI_USAGE = bad usage (message printed). */
static int script_args(struct script_cli *cli, int argc, char **argv) {
  const char *ledger = NULL;
  cli_begin();
  for (int c; (c = cli_next("script", argc, argv, "vh", script_options)) != -1;) {
    int r = script_option(cli, c, &ledger);
    if (r != 0)
      return r;
  }
  if (optind == argc)
    return cli_bad("script", "FILE.pkt", "at least one script or directory is required");
  if (ledger && (cli->expect_fail || cli->brief))
    return cli_bad("script", "--ledger", "cannot be combined with --expect-fail or --brief");
  if (ledger && ledger_load(&cli->ledger, ledger) != 0)
    return CLI_USAGE;
  cli->have_ledger = ledger != NULL;
  return 0;
}

/* A script, directory or manifest that cannot be read is a usage error
 * (exit 2), found before any script runs. */
static int check_inputs(const struct script_cli *cli, int argc, char **argv) {
  FILE *f;
  if (cli->manifest != NULL) {
    if ((f = cli_open("script", "--manifest", cli->manifest, "r")) == NULL)
      return CLI_USAGE;
    fclose(f);
  }
  for (int i = optind; i < argc; i++) {
    struct stat sb;
    if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
      continue;
    if ((f = cli_open("script", "FILE.pkt", argv[i], "r")) == NULL)
      return CLI_USAGE;
    fclose(f);
  }
  return 0;
}

/* --ledger: one summary line; the run passes only if the ledger is true. */
static int ledger_verdict(const struct script_cli *cli) {
  unsigned total = cli->passed + cli->failed + cli->xfailed + cli->xpassed;
  printf("%u scripts: %u passed, %u listed in the ledger and failing as expected, %u failing "
         "but not listed, %u listed but passing\n",
         total, cli->passed, cli->xfailed, cli->failed, cli->xpassed);
  return cli->failed || cli->xpassed ? 1 : 0;
}

int fin_cmd_script(int argc, char **argv) {
  struct script_cli cli = {0};
  int rc = script_args(&cli, argc, argv);
  if (rc == 0)
    rc = check_inputs(&cli, argc, argv);
  if (rc != 0) {
    ledger_free(&cli.ledger);
    return rc == CLI_HELP ? 0 : CLI_USAGE;
  }
  for (int i = optind; i < argc; i++) {
    struct stat sb;
    if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
      if (run_dir(&cli, argv[i]) != 0)
        cli.failed++;
    } else {
      run_file(&cli, argv[i]);
    }
  }
  if (cli.have_ledger) {
    rc = ledger_verdict(&cli);
    ledger_free(&cli.ledger);
    return rc;
  }
  return (cli.expect_fail ? cli.passed : cli.failed) ? 1 : 0;
}
