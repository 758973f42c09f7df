/* SPDX-License-Identifier: MIT */
/* fin ss — the connections of a running `fin serve` / `fin connect`, in
 * the columns of `ss -tanoi`: state, receive and send queues, the 4-tuple,
 * fin's connection id; -o the next timer with its time left (TIME-WAIT
 * remaining included), -i rtt/rto, windows, MSS, retransmissions. */
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "control.h"

static void ss_usage(FILE *out) {
  fprintf(out, "usage: fin ss [-tanloiH] [--pid PID | --control PATH]\n\n"
               "Lists the connections of a running fin serve / fin connect (ss -tanoi columns).\n"
               "  -l, --listening      listeners only (Recv-Q: accept queue, Send-Q: backlog)\n"
               "  -a, --all            listeners and connections\n"
               "  -o, --options        the next timer: timer:(NAME,TIME-LEFT,RETRANSMITS)\n"
               "  -i, --info           rto, rtt/rttvar (ms), mss, cwnd, windows, retransmissions\n"
               "  -H, --no-header      no header line\n"
               "  -t, -n               accepted for ss habits (fin is TCP and numeric only)\n"
               "  --pid PID            the fin process PID (its socket in the default directory)\n"
               "  --control PATH       the control socket (fin serve --control PATH)\n"
               "  -h, --help           this text\n\n"
               "Without --pid or --control: the only running fin process. Exit status 0, 1 when\n"
               "no fin process answers, 2 on bad usage.\n");
}

enum { OPT_PID = 1, OPT_CONTROL };

static const struct option ss_options[] = {{"listening", no_argument, NULL, 'l'},
                                           {"all", no_argument, NULL, 'a'},
                                           {"options", no_argument, NULL, 'o'},
                                           {"info", no_argument, NULL, 'i'},
                                           {"no-header", no_argument, NULL, 'H'},
                                           {"tcp", no_argument, NULL, 't'},
                                           {"numeric", no_argument, NULL, 'n'},
                                           {"pid", required_argument, NULL, OPT_PID},
                                           {"control", required_argument, NULL, OPT_CONTROL},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};

int fin_cmd_ss(int argc, char **argv) {
  char request[64] = "ss";
  const char *path = NULL;
  uint64_t pid = 0;
  int c;
  cli_begin();
  while ((c = cli_next("ss", argc, argv, "laoiHtnh", ss_options)) != -1) {
    switch (c) {
    case 'l':
    case 'a':
    case 'o':
    case 'i':
    case 'H': {
      size_t len = strlen(request);
      snprintf(request + len, sizeof(request) - len, " -%c", c);
      break;
    }
    case 't':
    case 'n':
      break;
    case OPT_PID:
      if (!cli_parse_u64(optarg, 4194304, &pid) || pid == 0)
        return cli_bad("ss", "--pid", "expected a process id");
      break;
    case OPT_CONTROL:
      path = optarg;
      break;
    case 'h':
      ss_usage(stdout);
      return 0;
    default:
      return CLI_USAGE;
    }
  }
  if (optind < argc)
    return cli_bad("ss", argv[optind], "unexpected argument (filters are not supported)");
  return control_request("ss", path, (long)pid, request);
}
