/* Shared plumbing of `fin serve` and `fin connect`. */
#include "netcli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

void netcli_init(struct netcli *c, const char *cmd) {
  memset(c, 0, sizeof(*c));
  c->cmd = cmd;
  c->prefix = 32;
  c->grace = -1;
  c->seed = 1;
  c->sigfd = -1;
  c->log.out = stderr;
}

int netcli_bad(const struct netcli *c, const char *opt, const char *why) {
  fprintf(stderr, "fin %s: %s: %s\n", c->cmd, opt, why);
  return -1;
}

const char *netcli_value(const struct netcli *c, int argc, char **argv, int *i) {
  if (*i + 1 >= argc) {
    netcli_bad(c, argv[*i], "needs a value");
    return NULL;
  }
  return argv[++*i];
}

bool netcli_parse_num(const char *s, double min, double max, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
    return false;
  *out = v;
  return true;
}

bool netcli_parse_ipv4(const char *s, uint32_t *out) {
  unsigned a, b, cc, d;
  char tail;
  if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &cc, &d, &tail) != 4 || a > 255 || b > 255 || cc > 255 ||
      d > 255)
    return false;
  *out = a << 24 | b << 16 | cc << 8 | d;
  return true;
}

static int parse_addr(struct netcli *c, const char *opt, const char *v) {
  char host[32];
  const char *slash = strchr(v, '/');
  size_t len = slash ? (size_t)(slash - v) : strlen(v);
  double prefix = 32;
  if (len >= sizeof(host))
    return netcli_bad(c, opt, "expected A.B.C.D/NN");
  memcpy(host, v, len);
  host[len] = '\0';
  if (!netcli_parse_ipv4(host, &c->addr) || (slash && !netcli_parse_num(slash + 1, 1, 32, &prefix)))
    return netcli_bad(c, opt, "expected A.B.C.D/NN");
  c->prefix = (int)prefix;
  return 1;
}

/* Options that take a number: name, range, where it goes. */
static int parse_number_option(struct netcli *c, const char *opt, const char *v) {
  static const struct {
    const char *name;
    double min, max;
    size_t offset;
  } nums[] = {
      {"--msl", 0.001, 600, offsetof(struct netcli, msl)},
      {"--grace", 0, 3600, offsetof(struct netcli, grace)},
      {"--drop", 0, 1, offsetof(struct netcli, drop)},
      {"--delay", 0, 10000, offsetof(struct netcli, delay_ms)},
      {"--duration", 0.001, 86400, offsetof(struct netcli, duration)},
  };
  for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
    if (strcmp(opt, nums[k].name) != 0)
      continue;
    double *dst = (double *)(void *)((char *)c + nums[k].offset);
    if (!netcli_parse_num(v, nums[k].min, nums[k].max, dst))
      return netcli_bad(c, opt, "number out of range or malformed");
    c->have_msl |= strcmp(opt, "--msl") == 0;
    return 1;
  }
  return 0;
}

static bool takes_value(const char *opt) {
  static const char *const names[] = {"--tun",  "--addr",     "--events",  "--pcap",
                                      "--msl",  "--grace",    "--drop",    "--delay",
                                      "--seed", "--duration", "--counters"};
  for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
    if (strcmp(opt, names[k]) == 0)
      return true;
  return false;
}

int netcli_option(struct netcli *c, int argc, char **argv, int *i) {
  const char *opt = argv[*i];
  if (!takes_value(opt))
    return 0;
  const char *v = netcli_value(c, argc, argv, i);
  if (v == NULL)
    return -1;
  if (strcmp(opt, "--tun") == 0)
    c->tun_name = v;
  else if (strcmp(opt, "--addr") == 0)
    return parse_addr(c, opt, v);
  else if (strcmp(opt, "--events") == 0)
    c->events_path = v;
  else if (strcmp(opt, "--pcap") == 0)
    c->pcap_path = v;
  else if (strcmp(opt, "--counters") == 0)
    c->counters_path = v;
  else if (strcmp(opt, "--seed") == 0) {
    double seed;
    if (!netcli_parse_num(v, 0, 1e15, &seed))
      return netcli_bad(c, opt, "expected a non-negative integer");
    c->seed = (uint64_t)seed;
  } else
    return parse_number_option(c, opt, v);
  return 1;
}

void netcli_usage_common(FILE *out) {
  fprintf(out, "  --tun IFNAME       TUN device to attach to (created if missing; configure the\n"
               "                     kernel side with: ip addr add 10.77.0.1/24 dev IFNAME;\n"
               "                     ip link set IFNAME up)\n"
               "  --addr A.B.C.D/NN  fin's own address on that subnet (e.g. 10.77.0.2/24)\n"
               "  --events FILE      NDJSON log of the stack's events\n"
               "  --pcap FILE        capture of every datagram in and out (LINKTYPE_RAW)\n"
               "  --counters FILE    counters (nstat style) written at exit\n"
               "  --msl S            maximum segment lifetime; TIME-WAIT lasts 2*S\n"
               "  --grace S          K2 shutdown grace on SIGINT/SIGTERM/--duration\n"
               "  --duration S       run at most S seconds, then shut down in order\n"
               "  --drop P           lose each datagram in or out with probability P (seeded)\n"
               "  --delay MS         hold each outbound datagram MS milliseconds\n"
               "  --seed N           seed for --drop\n");
}

double netcli_elapsed(const struct netcli *c) {
  return (double)(fin_clock_now() - c->t0) / 1e9;
}
