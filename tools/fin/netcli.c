/* SPDX-License-Identifier: MIT */
/* Shared options of `fin serve` and `fin connect`. */
#include "netcli.h"

#include <string.h>

#include "cli.h"

void netcli_init(struct netcli *c, const char *cmd) {
  memset(c, 0, sizeof(*c));
  c->cmd = cmd;
  c->prefix = 32;
  c->grace = -1;
  c->seed = 1;
  c->sigfd = -1;
  c->listener = -1;
  c->log.out = stderr;
}

static int bad(const struct netcli *c, const char *why) {
  fprintf(stderr, "fin %s: %s: %s\n", c->cmd, cli_opt_name(), why);
  return -1;
}

static int parse_addr(struct netcli *c, const char *v) {
  char host[32];
  const char *slash = strchr(v, '/');
  size_t len = slash ? (size_t)(slash - v) : strlen(v);
  double prefix = 32;
  if (len >= sizeof(host))
    return bad(c, "expected A.B.C.D/NN");
  memcpy(host, v, len);
  host[len] = '\0';
  if (!cli_parse_ipv4(host, &c->addr) || (slash && !cli_parse_double(slash + 1, 1, 32, &prefix)) ||
      prefix != (int)prefix)
    return bad(c, "expected A.B.C.D/NN");
  c->prefix = (int)prefix;
  return 1;
}

/* Options that take a number of seconds or a probability. */
static int parse_number(struct netcli *c, int opt, const char *v) {
  static const struct {
    int opt;
    double min, max;
    size_t offset;
  } nums[] = {
      {NETCLI_OPT_MSL, 0.001, 600, offsetof(struct netcli, msl)},
      {NETCLI_OPT_GRACE, 0, 3600, offsetof(struct netcli, grace)},
      {NETCLI_OPT_DROP, 0, 1, offsetof(struct netcli, drop)},
      {NETCLI_OPT_DELAY, 0, 10000, offsetof(struct netcli, delay_ms)},
      {NETCLI_OPT_DURATION, 0.001, 86400, offsetof(struct netcli, duration)},
  };
  for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
    if (opt != nums[k].opt)
      continue;
    double *dst = (double *)(void *)((char *)c + nums[k].offset);
    if (!cli_parse_double(v, nums[k].min, nums[k].max, dst))
      return bad(c, "number out of range or malformed");
    c->have_msl |= opt == NETCLI_OPT_MSL;
    return 1;
  }
  return 0;
}

int netcli_option(struct netcli *c, int opt, const char *v) {
  switch (opt) {
  case NETCLI_OPT_TUN:
    c->tun_name = v;
    return 1;
  case NETCLI_OPT_ADDR:
    return parse_addr(c, v);
  case NETCLI_OPT_EVENTS:
    c->events_path = v;
    return 1;
  case NETCLI_OPT_PCAP:
    c->pcap_path = v;
    return 1;
  case NETCLI_OPT_PCAPNG:
    c->pcapng_path = v;
    return 1;
  case NETCLI_OPT_COUNTERS:
    c->counters_path = v;
    return 1;
  case NETCLI_OPT_CONTROL:
    c->control_path = v;
    return 1;
  case NETCLI_OPT_NO_CONTROL:
    c->no_control = true;
    return 1;
  case NETCLI_OPT_SEED:
    if (!cli_parse_u64(v, UINT64_MAX, &c->seed))
      return bad(c, "expected a non-negative integer");
    return 1;
  default:
    return parse_number(c, opt, v);
  }
}

void netcli_usage_common(FILE *out) {
  fprintf(out,
          "  --tun IFNAME         TUN device to attach to (created if missing; configure the\n"
          "                       kernel side with: ip addr add 10.77.0.1/24 dev IFNAME;\n"
          "                       ip link set IFNAME up)\n"
          "  --addr A.B.C.D/NN    fin's own address on that subnet (e.g. 10.77.0.2/24)\n"
          "  --events FILE        NDJSON events: states, closes, timers, drops, RSTs, every\n"
          "                       datagram in and out (schema: docs/events.md)\n"
          "  --pcap FILE          capture of every datagram in and out (LINKTYPE_RAW)\n"
          "  --pcapng FILE        the same as pcapng, each packet commented with the state\n"
          "                       changes it caused or that preceded it\n"
          "  --counters FILE      counters (nstat layout) written once shutdown completes\n"
          "  --control PATH       control socket for 'fin ss', 'fin stat', 'fin kill'\n"
          "                       (default $XDG_RUNTIME_DIR/fin/PID.sock or\n"
          "                       /run/fin/PID.sock; removed on exit)\n"
          "  --no-control         no control socket\n"
          "  --msl S              maximum segment lifetime; TIME-WAIT lasts 2*S\n"
          "  --grace S            K2 shutdown grace on SIGINT/SIGTERM/--duration; a second\n"
          "                       SIGINT/SIGTERM (0.2 s or more after the first) exits at once\n"
          "  --duration S         run at most S seconds, then shut down in order\n"
          "  --drop P             lose each datagram in or out with probability P (seeded)\n"
          "  --delay MS           hold each outbound datagram MS milliseconds\n"
          "  --seed N             seed for --drop\n"
          "  -h, --help           this text\n");
}

double netcli_elapsed(const struct netcli *c) {
  return (double)(fin_clock_now() - c->t0) / 1e9;
}
