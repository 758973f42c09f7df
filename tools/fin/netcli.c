/* SPDX-License-Identifier: MIT */
/* Shared options of `fin serve` and `fin connect`. */
#include "netcli.h"

#include <string.h>

#include "cli.h"

void netcli_init(struct netcli *c, const char *cmd) {
  memset(c, 0, sizeof(*c));
  c->cmd = cmd;
  c->grace = -1;
  c->seed = 1;
  c->sigfd = -1;
  c->listener = -1;
  c->ecn = -1;
  c->log.out = stderr;
}

static int bad(const struct netcli *c, const char *why) {
  fprintf(stderr, "fin %s: %s: %s\n", c->cmd, cli_opt_name(), why);
  return -1;
}

/* --addr A.B.C.D[/NN] or IPv6[/NN]; once per family (dual stack: both). */
static int parse_addr(struct netcli *c, const char *v) {
  char host[FIN_ADDR_STRLEN];
  const char *slash = strchr(v, '/');
  size_t len = slash ? (size_t)(slash - v) : strlen(v);
  struct fin_addr a;
  if (len >= sizeof(host))
    return bad(c, "expected A.B.C.D/NN or an IPv6 address/NN");
  memcpy(host, v, len);
  host[len] = '\0';
  if (!cli_parse_addr(host, &a))
    return bad(c, "expected A.B.C.D/NN or an IPv6 address/NN");
  bool v4 = fin_addr_is_v4(&a);
  double prefix = v4 ? 32 : 128;
  if ((slash && !cli_parse_double(slash + 1, 1, v4 ? 32 : 128, &prefix)) || prefix != (int)prefix)
    return bad(c, v4 ? "prefix length must be 1..32" : "prefix length must be 1..128");
  if (fin_addr_is_any(&a))
    return bad(c, "a wildcard is not an address of fin's");
  for (unsigned i = 0; i < c->naddr; i++)
    if (fin_addr_is_v4(&c->addr[i]) == v4)
      return bad(c, v4 ? "one IPv4 address only" : "one IPv6 address only");
  c->addr[c->naddr] = a;
  c->prefix[c->naddr++] = (int)prefix;
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
  case NETCLI_OPT_OFFLOAD:
  case NETCLI_OPT_NO_OFFLOAD:
    c->offload = opt == NETCLI_OPT_OFFLOAD;
    return 1;
  case NETCLI_OPT_SEED:
    if (!cli_parse_u64(v, UINT64_MAX, &c->seed))
      return bad(c, "expected a non-negative integer");
    return 1;
  case NETCLI_OPT_ECN: {
    uint64_t mode;
    if (!cli_parse_u64(v, FIN_ECN_PASSIVE, &mode))
      return bad(c, "expected 0 (off), 1 (ask and accept) or 2 (accept when asked)");
    c->ecn = (int)mode;
    return 1;
  }
  default:
    return parse_number(c, opt, v);
  }
}

void netcli_usage_common(FILE *out) {
  fprintf(out,
          "  --tun IFNAME         TUN device to attach to (created if missing; configure the\n"
          "                       kernel side with: ip addr add 10.77.0.1/24 dev IFNAME;\n"
          "                       ip -6 addr add fd77::1/64 dev IFNAME nodad; ip link set\n"
          "                       IFNAME up)\n"
          "  --addr ADDR/NN       fin's own address on that subnet (10.77.0.2/24 or\n"
          "                       fd77::2/64); give one of each family for a dual stack\n"
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
          "  --ecn 0|1|2          ECN (RFC 3168) as Linux tcp_ecn: 0 off (default), 1 ask\n"
          "                       and accept, 2 accept when the peer asks\n"
          "  --offload            TUN segmentation offload: send TCP super-segments of up\n"
          "                       to 64 KiB for the kernel to cut (TSO), take its GRO'd\n"
          "                       ones whole; needs IFF_VNET_HDR; not with --drop,\n"
          "                       --delay, --pcapng or --events (they see single segments)\n"
          "  --no-offload         one datagram per segment each way (the default)\n"
          "  -h, --help           this text\n");
}

double netcli_elapsed(const struct netcli *c) {
  return (double)(fin_clock_now() - c->t0) / 1e9;
}
