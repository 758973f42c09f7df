/* SPDX-License-Identifier: MIT */
/* getopt_long with fin's messages (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char opt_name[64];

void cli_begin(void) {
  optind = 0; /* 0, not 1: glibc then also resets its internal state */
  opterr = 0; /* messages are ours: they name the command */
}

static void name_token(const char *arg) {
  size_t len = strcspn(arg, "=");
  if (len >= sizeof(opt_name))
    len = sizeof(opt_name) - 1;
  memcpy(opt_name, arg, len);
  opt_name[len] = '\0';
}

static void name_short(int c) {
  snprintf(opt_name, sizeof(opt_name), "-%c", c);
}

/* After getopt_long, which option was it, as typed? */
static void remember(int argc, char **argv, int c, int longindex, const struct option *longopts) {
  if (longindex >= 0)
    snprintf(opt_name, sizeof(opt_name), "--%s", longopts[longindex].name);
  else if (c != '?' && c != ':')
    name_short(c);
  else if (optopt != 0 && optopt < 256 && strncmp(argv[optind - 1], "--", 2) != 0)
    name_short(optopt);
  else if (optind > 0 && optind <= argc)
    name_token(argv[optind - 1]);
  else
    snprintf(opt_name, sizeof(opt_name), "?");
}

int cli_next(const char *cmd, int argc, char **argv, const char *shortopts,
             const struct option *longopts) {
  char spec[128];
  snprintf(spec, sizeof(spec), ":%s", shortopts); /* ':' first: a missing value returns ':' */
  int longindex = -1;
  int c = getopt_long(argc, argv, spec, longopts, &longindex);
  if (c == -1)
    return -1;
  remember(argc, argv, c, longindex, longopts);
  if (c == ':') {
    fprintf(stderr, "fin %s: option '%s' needs a value\n", cmd, opt_name);
    return '?';
  }
  if (c == '?') {
    const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
    if (optopt != 0 && strncmp(arg, "--", 2) == 0 && strchr(arg, '=') != NULL)
      fprintf(stderr, "fin %s: option '%s' takes no value\n", cmd, opt_name);
    else
      fprintf(stderr, "fin %s: unknown option '%s' (see 'fin %s --help')\n", cmd, opt_name, cmd);
    return '?';
  }
  return c;
}

const char *cli_opt_name(void) {
  return opt_name;
}

int cli_bad(const char *cmd, const char *what, const char *why) {
  fprintf(stderr, "fin %s: %s: %s\n", cmd, what, why);
  return CLI_USAGE;
}

bool cli_parse_double(const char *s, double min, double max, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max))
    return false;
  *out = v;
  return true;
}

bool cli_parse_u64(const char *s, uint64_t max, uint64_t *out) {
  char *end;
  errno = 0;
  if (s[0] < '0' || s[0] > '9')
    return false; /* strtoull accepts "-1" and " 1" */
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0' || v > max)
    return false;
  *out = v;
  return true;
}

bool cli_parse_ipv4(const char *s, uint32_t *out) {
  unsigned a, b, c, d;
  char tail;
  if (sscanf(s, "%3u.%3u.%3u.%3u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 || c > 255 ||
      d > 255)
    return false;
  *out = a << 24 | b << 16 | c << 8 | d;
  return true;
}

bool cli_parse_endpoint(const char *s, uint32_t *addr, uint16_t *port) {
  const char *colon = strrchr(s, ':');
  char host[32];
  uint64_t p;
  if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
    return false;
  memcpy(host, s, (size_t)(colon - s));
  host[colon - s] = '\0';
  if (!cli_parse_ipv4(host, addr) || !cli_parse_u64(colon + 1, 65535, &p) || p == 0)
    return false;
  *port = (uint16_t)p;
  return true;
}

FILE *cli_open(const char *cmd, const char *opt, const char *path, const char *mode) {
  FILE *f = fopen(path, mode);
  if (f == NULL)
    fprintf(stderr, "fin %s: %s: %s: %s\n", cmd, opt, path, strerror(errno));
  return f;
}
