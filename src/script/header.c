/* SPDX-License-Identifier: MIT */
/* Header options (README §1a.2): the "--name=value" lines at the top of a
 * script, which packetdrill also takes on its command line. Each one fin's
 * runner knows is honoured; an option it cannot honour stops the script
 * with a message naming it (exit 2), never silently. --ip_version picks
 * the families and the default addresses (packetdrill's config.c). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "script/interp.h"
#include "script/run.h"

static int cannot(struct script_run *r, const struct script_option *o, const char *why) {
  fprintf(r->out, "%s:%d: --%s%s%s: %s\n", r->s->path, o->loc.line, o->name, o->value ? "=" : "",
          o->value ? o->value : "", why);
  return 2;
}

static bool number(const char *v, long long lo, long long hi, long long *out) {
  char *end;
  long long n = strtoll(v, &end, 0);
  if (*v == '\0' || *end != '\0' || n < lo || n > hi)
    return false;
  *out = n;
  return true;
}

/* An address for --local_ip and friends, of the wire's family: IPv6 with
 * --ip_version=ipv6, IPv4 otherwise (ipv4-mapped-ipv6 has IPv4 packets). */
static int address(struct script_run *r, const struct script_option *o, struct fin_addr *out) {
  const char *v = o->value ? o->value : "";
  struct fin_addr a;
  bool v6 = fin_script_wire_v6(r);
  if (fin_addr_parse(v, &a) != 0 || fin_addr_is_v4(&a) == v6)
    return cannot(r, o,
                  v6 ? "expected an IPv6 address (--ip_version=ipv6)"
                     : "expected an IPv4 address (IPv6 addresses need --ip_version=ipv6)");
  *out = a;
  return 0;
}

/* packetdrill's three flavours (config.c): the socket family and the wire
 * family. */
static const struct {
  const char *name;
  enum script_ip_version v;
} ip_versions[] = {
    {"ipv4", SCRIPT_IPV4}, {"ipv4-mapped-ipv6", SCRIPT_IPV4_MAPPED_IPV6}, {"ipv6", SCRIPT_IPV6}};

bool fin_script_ip_version_parse(const char *name, enum script_ip_version *out) {
  for (size_t i = 0; name && i < sizeof(ip_versions) / sizeof(ip_versions[0]); i++)
    if (strcmp(name, ip_versions[i].name) == 0)
      return *out = ip_versions[i].v, true;
  return false;
}

bool fin_script_ip_version_known(const char *name) {
  enum script_ip_version v;
  return fin_script_ip_version_parse(name, &v);
}

/* Taken before the other options, whose addresses it checks. */
static int ip_version(struct script_run *r, const struct script_option *o) {
  if (fin_script_ip_version_parse(o->value, &r->ip_version))
    return 0;
  return cannot(r, o, "expected ipv4, ipv6 or ipv4-mapped-ipv6");
}

/* Options that need something fin does not have, with the reason. */
static const struct {
  const char *name, *why;
} unsupported[] = {
    {"udp_encapsulation", "out of scope: FreeBSD TCP-over-UDP encapsulation"},
    {"tcp_md5_secret", "missing feature: TCP-MD5 signatures (RFC 2385)"},
    {"psp_udp_port", "missing feature: PSP encryption"},
    {"tcp_ts_ecr_scaled", "not supported by fin's runner (TS ecr is always matched exactly)"},
    {"so_filename", "not supported by fin's runner (no shared-object socket layer)"},
};

static int numeric(struct script_run *r, const struct script_option *o, const char *v) {
  long long n;
  if (strcmp(o->name, "tolerance_usecs") == 0 && number(v, 0, 100000000, &n))
    return r->tolerance_usecs = n, 0;
  if (strcmp(o->name, "tcp_ts_tick_usecs") == 0 && number(v, 0, 100000000, &n))
    return r->ts_tick_usecs = n, 0;
  if (strcmp(o->name, "mtu") == 0 && number(v, 68, 65535, &n))
    return r->set.mtu = (uint16_t)n, 0;
  if (strcmp(o->name, "mss") == 0 && number(v, 1, 65495, &n))
    return r->inbound_mss = (uint32_t)n, 0;
  if (strcmp(o->name, "tolerance_percent") == 0) {
    char *end;
    r->tolerance_percent = strtod(v, &end);
    if (*v != '\0' && *end == '\0' && r->tolerance_percent >= 0)
      return 0;
  }
  return cannot(r, o, "bad value");
}

static int one_option(struct script_run *r, const struct script_option *o) {
  const char *v = o->value ? o->value : "";
  const char *numbers[] = {"tolerance_usecs", "tolerance_percent", "tcp_ts_tick_usecs", "mtu",
                           "mss"};
  for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
    if (strcmp(o->name, numbers[i]) == 0)
      return numeric(r, o, v);
  if (strcmp(o->name, "ip_version") == 0)
    return 0; /* taken first */
  if (strcmp(o->name, "local_ip") == 0)
    return address(r, o, &r->local_addr);
  if (strcmp(o->name, "remote_ip") == 0)
    return address(r, o, &r->remote_addr);
  struct fin_addr unused;
  if (strcmp(o->name, "gateway_ip") == 0)
    return address(r, o, &unused);        /* no routing in a one-link world */
  if (strcmp(o->name, "netmask_ip") == 0) /* IPv4's; packetdrill ignores it for IPv6 (/48) */
    return fin_addr_parse(v, &unused) == 0 ? 0 : cannot(r, o, "expected an address mask");
  if (strcmp(o->name, "strict_segments") == 0)
    return 0; /* fin's runner always matches segment by segment */
  if (strcmp(o->name, "non_fatal") == 0 && strcmp(v, "syscall") == 0)
    return r->non_fatal_syscall = true, 0;
  for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
    if (strcmp(o->name, unsupported[i].name) == 0)
      return cannot(r, o, unsupported[i].why);
  return cannot(r, o, "header option not supported by fin's runner");
}

int fin_script_header_options(struct script_run *r) {
  for (size_t i = 0; i < r->s->option_count; i++) {
    const struct script_option *o = &r->s->options[i];
    int rc = strcmp(o->name, "ip_version") == 0 ? ip_version(r, o) : 0;
    if (rc != 0)
      return rc;
  }
  bool v6 = fin_script_wire_v6(r);
  r->local_addr = v6 ? SCRIPT_LOCAL_ADDR6 : SCRIPT_LOCAL_ADDR;
  r->remote_addr = v6 ? SCRIPT_REMOTE_ADDR6 : SCRIPT_REMOTE_ADDR;
  for (size_t i = 0; i < r->s->option_count; i++) {
    int rc = one_option(r, &r->s->options[i]);
    if (rc != 0)
      return rc;
  }
  r->set.local_addrs[0] = r->local_addr;
  return 0;
}
