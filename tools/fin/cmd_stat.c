/* SPDX-License-Identifier: MIT */
/* fin stat — the counters of a running `fin serve` / `fin connect`, live,
 * in nstat's layouts: text ("#fin", name, value, rate per second) and with
 * -j the JSON of `nstat -j` ({"fin":{"TcpActiveOpens":1,...}}). */
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "control.h"

static void stat_usage(FILE *out) {
  fprintf(out, "usage: fin stat [-jz] [--pid PID | --control PATH] [PATTERN...]\n\n"
               "Prints the counters of a running fin serve / fin connect like nstat -a.\n"
               "  -j, --json           JSON, shaped like nstat -j\n"
               "  -z, --zeros          counters that are zero too\n"
               "  -a, --ignore         accepted for nstat habits (values are always absolute)\n"
               "  --pid PID            the fin process PID\n"
               "  --control PATH       the control socket (fin serve --control PATH)\n"
               "  -h, --help           this text\n"
               "PATTERN: shell patterns on counter names (TcpExt*, Fin*Rst*).\n");
}

enum { OPT_PID = 1, OPT_CONTROL };

static const struct option stat_options[] = {{"json", no_argument, NULL, 'j'},
                                             {"zeros", no_argument, NULL, 'z'},
                                             {"ignore", no_argument, NULL, 'a'},
                                             {"pid", required_argument, NULL, OPT_PID},
                                             {"control", required_argument, NULL, OPT_CONTROL},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};

static int add_word(char *request, size_t cap, const char *w) {
  size_t len = strlen(request);
  if (len + 1 + strlen(w) >= cap)
    return cli_bad("stat", "PATTERN", "too many or too long");
  snprintf(request + len, cap - len, " %s", w);
  return 0;
}

int fin_cmd_stat(int argc, char **argv) {
  char request[480] = "stat";
  const char *path = NULL;
  uint64_t pid = 0;
  int c;
  cli_begin();
  while ((c = cli_next("stat", argc, argv, "jzah", stat_options)) != -1) {
    switch (c) {
    case 'j':
      add_word(request, sizeof(request), "-j");
      break;
    case 'z':
      add_word(request, sizeof(request), "-z");
      break;
    case 'a':
      break;
    case OPT_PID:
      if (!cli_parse_u64(optarg, 4194304, &pid) || pid == 0)
        return cli_bad("stat", "--pid", "expected a process id");
      break;
    case OPT_CONTROL:
      path = optarg;
      break;
    case 'h':
      stat_usage(stdout);
      return 0;
    default:
      return CLI_USAGE;
    }
  }
  for (int i = optind; i < argc; i++) {
    if (argv[i][0] == '-' || strpbrk(argv[i], " \t\r\n") != NULL)
      return cli_bad("stat", argv[i], "not a counter name pattern");
    if (add_word(request, sizeof(request), argv[i]) != 0)
      return CLI_USAGE;
  }
  return control_request("stat", path, (long)pid, request);
}
