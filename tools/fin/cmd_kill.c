/* SPDX-License-Identifier: MIT */
/* fin kill — aborts one connection of a running `fin serve` / `fin connect`
 * by its 4-tuple, like `ss -K`: fin_stack_kill (BEHAVIOR B6) sends an RST
 * where B1 says so (not from TIME-WAIT, whose record is simply dropped). */
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "control.h"

static void kill_usage(FILE *out) {
  fprintf(out, "usage: fin kill [--pid PID | --control PATH] LOCAL REMOTE\n\n"
               "Aborts the connection LOCAL REMOTE (each A.B.C.D:PORT, fin's side first as\n"
               "'fin ss' prints it; the peer's order is accepted too). Exit status 0 when it\n"
               "was killed, 1 when there is no such connection, 2 on bad usage.\n"
               "  --pid PID            the fin process PID\n"
               "  --control PATH       the control socket (fin serve --control PATH)\n"
               "  -h, --help           this text\n");
}

enum { OPT_PID = 1, OPT_CONTROL };

static const struct option kill_options[] = {{"pid", required_argument, NULL, OPT_PID},
                                             {"control", required_argument, NULL, OPT_CONTROL},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};

int fin_cmd_kill(int argc, char **argv) {
  const char *path = NULL;
  uint64_t pid = 0;
  int c;
  cli_begin();
  while ((c = cli_next("kill", argc, argv, "h", kill_options)) != -1) {
    if (c == OPT_PID) {
      if (!cli_parse_u64(optarg, 4194304, &pid) || pid == 0)
        return cli_bad("kill", "--pid", "expected a process id");
    } else if (c == OPT_CONTROL) {
      path = optarg;
    } else if (c == 'h') {
      kill_usage(stdout);
      return 0;
    } else {
      return CLI_USAGE;
    }
  }
  if (argc - optind != 2)
    return cli_bad("kill", "LOCAL REMOTE", "expected two A.B.C.D:PORT endpoints");
  uint32_t a;
  uint16_t p;
  for (int i = optind; i < argc; i++)
    if (!cli_parse_endpoint(argv[i], &a, &p))
      return cli_bad("kill", argv[i], "expected A.B.C.D:PORT");
  char request[128];
  snprintf(request, sizeof(request), "kill %s %s", argv[optind], argv[optind + 1]);
  return control_request("kill", path, (long)pid, request);
}
