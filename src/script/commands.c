/* SPDX-License-Identifier: MIT */
/* Backtick commands (README §1a.8): sysctl settings become fin settings,
 * `sockstat ... | grep -c STATE | grep N` counts fin's connections in a
 * state, the helper scripts of the upstream suites are no-ops (the
 * profile already holds what they set). Anything else fails loudly: a
 * command silently skipped could make a script pass vacuously. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "script/run.h"

enum knob_unit { UNIT_BOOL, UNIT_COUNT, UNIT_MS, UNIT_SEC, UNIT_NOOP, UNIT_ONLY };

struct knob {
  const char *name;
  enum knob_unit unit;
  size_t offset; /* into struct fin_settings */
  size_t size;
  int64_t only;    /* UNIT_ONLY: the one value fin can honour */
  const char *why; /* UNIT_ONLY: what any other value would need */
};

#define K(n, u, f)                                                                                 \
  { n, u, offsetof(struct fin_settings, f), sizeof(((struct fin_settings *)0)->f), 0, NULL }
#define NOOP(n)                                                                                    \
  { n, UNIT_NOOP, 0, 0, 0, NULL }
/* A mode fin does not have: only the value that says what fin does is
 * honoured, any other is refused with the sysctl's name and the reason. */
#define ONLY(n, v, why)                                                                            \
  { n, UNIT_ONLY, 0, 0, v, why }

/* FreeBSD net.inet.tcp.* and kern.ipc.* (tcp-testsuite preamble). */
static const struct knob freebsd_knobs[] = {
    K("net.inet.tcp.sack.enable", UNIT_BOOL, sack_permitted),
    K("net.inet.tcp.recvspace", UNIT_COUNT, rcvbuf),
    K("net.inet.tcp.sendspace", UNIT_COUNT, sndbuf),
    K("net.inet.tcp.rexmit_initial", UNIT_MS, rto_initial),
    K("net.inet.tcp.keepinit", UNIT_MS, keepinit), K("net.inet.tcp.msl", UNIT_MS, msl),
    K("net.inet.tcp.finwait2_timeout", UNIT_MS, fin_timeout),
    K("net.inet.tcp.keepidle", UNIT_MS, keepalive_idle),
    K("net.inet.tcp.keepintvl", UNIT_MS, keepalive_interval),
    K("net.inet.tcp.keepcnt", UNIT_COUNT, keepalive_probes),
    K("net.inet.tcp.insecure_rst", UNIT_BOOL, insecure_rst),
    K("net.inet.tcp.insecure_syn", UNIT_BOOL, insecure_syn),
    K("net.inet.tcp.tolerate_missing_ts", UNIT_BOOL, tolerate_missing_ts),
    K("net.inet.tcp.syncookies", UNIT_BOOL, syn_cookies),
    K("net.inet.tcp.delacktime", UNIT_MS, delack), K("net.inet.tcp.rexmit_slop", UNIT_MS, rto_slop),
    K("net.inet.tcp.rexmit_min", UNIT_MS, rto_min),
    K("kern.ipc.maxsockbuf", UNIT_COUNT, wscale_space),
    ONLY("net.inet.tcp.blackhole", 0, "fin has no such mode (it always answers)"),
    /* RFC 7413: 0 forgets the client's cookies, as FreeBSD clears its cache. */
    K("net.inet.tcp.fastopen.client_enable", UNIT_BOOL, fastopen_client),
    K("net.inet.tcp.fastopen.server_enable", UNIT_BOOL, fastopen_server),
    K("net.inet.tcp.fastopen.path_disable_time", UNIT_SEC, fastopen_path_disable),
    ONLY("net.inet.tcp.fastopen.acceptany", 0, "fin checks every cookie (RFC 7413 §4.1.2)"),
    ONLY("net.inet.tcp.fastopen.psk_enable", 0,
         "missing feature: TCP Fast Open pre-shared keys (FreeBSD)"),
    ONLY("net.inet.tcp.udp_tunneling_port", 0, "out of scope: FreeBSD TCP-over-UDP encapsulation"),
    ONLY("net.inet.tcp.udp_tunneling_overhead", 0,
         "out of scope: FreeBSD TCP-over-UDP encapsulation"),
    ONLY("net.inet.tcp.path_mtu_discovery", 1, "fin always does PMTU discovery (DF set)"),
    ONLY("net.inet.tcp.pmtud_blackhole_detection", 0,
         "missing feature: PMTU black-hole detection (RFC 4821)"),
    ONLY("net.inet.tcp.mssdflt", 536, "fin's default MSS is RFC 9293's 536, not a setting"),
    ONLY("net.inet.tcp.v6mssdflt", 1220,
         "fin's default IPv6 MSS is RFC 9293's 1220, not a setting"),
    NOOP("net.inet.tcp.pmtud_blackhole_mss"),   /* only used by black-hole detection */
    NOOP("net.inet.tcp.v6pmtud_blackhole_mss"), /* idem */
    K("net.inet.tcp.ecn.maxretries", UNIT_COUNT, ecn_syn_retries),
    K("net.inet.tcp.rexmit_drop_options", UNIT_BOOL, syn_rexmit_drop_options),
    K("net.inet.tcp.abc_l_var", UNIT_COUNT, abc_limit), /* RFC 3465 L */
    NOOP("net.inet.tcp.hostcache.purgenow"),            /* fin keeps no host cache */
};

/* Linux net.ipv4.* (also written /proc/sys/net/ipv4/...). */
static const struct knob linux_knobs[] = {
    K("net.ipv4.tcp_sack", UNIT_BOOL, sack_permitted),
    K("net.ipv4.tcp_window_scaling", UNIT_BOOL, window_scaling),
    K("net.ipv4.tcp_rfc1337", UNIT_BOOL, rfc1337),
    K("net.ipv4.tcp_fin_timeout", UNIT_SEC, fin_timeout),
    K("net.ipv4.tcp_keepalive_time", UNIT_SEC, keepalive_idle),
    K("net.ipv4.tcp_keepalive_intvl", UNIT_SEC, keepalive_interval),
    K("net.ipv4.tcp_keepalive_probes", UNIT_COUNT, keepalive_probes),
    K("net.ipv4.tcp_orphan_retries", UNIT_COUNT, orphan_retries),
    K("net.ipv4.tcp_retries1", UNIT_COUNT, retries_r1),
    K("net.ipv4.tcp_retries2", UNIT_COUNT, retries_r2),
    K("net.ipv4.tcp_syn_retries", UNIT_COUNT, syn_retries),
    K("net.ipv4.tcp_synack_retries", UNIT_COUNT, synack_retries),
    K("net.ipv4.tcp_invalid_ratelimit", UNIT_MS, challenge_ack_interval),
    K("net.ipv4.tcp_max_tw_buckets", UNIT_COUNT, max_time_wait),
    K("net.ipv4.tcp_syncookies", UNIT_BOOL, syn_cookies),
    K("net.ipv4.tcp_abc_l_var", UNIT_COUNT, abc_limit), /* Linux < 3.9, RFC 3465 L */
    ONLY("net.ipv4.tcp_fastopen_blackhole_timeout_sec", 0,
         "fin has no global TFO black-hole detection (negative responses are cached per "
         "destination, RFC 7413 §4.1.3.1)"),
    NOOP("net.ipv4.tcp_challenge_ack_limit"), /* A6: fin has no global limit */
    NOOP("net.ipv4.tcp_min_tso_segs"),        /* fin does no TSO */
    NOOP("net.ipv4.tcp_wmem"),                /* fin's sndbuf is the profile's */
    NOOP("net.core.wmem_max"),
};

/* A value: one number, or several separated by blanks ("4096 87380 6291456"). */
struct sysctl_value {
  int64_t v[4];
  size_t count;
};

static bool parse_value(const char *text, struct sysctl_value *out) {
  out->count = 0;
  const char *p = text;
  while (*p) {
    char *end;
    while (isspace((unsigned char)*p))
      p++;
    if (!*p)
      break;
    if (out->count == 4)
      return false;
    out->v[out->count++] = strtoll(p, &end, 0);
    if (end == p)
      return false;
    p = end;
  }
  return out->count > 0;
}

static bool set_field(struct script_run *r, const struct knob *k, int64_t v) {
  void *p = (char *)&r->set + k->offset;
  switch (k->unit) {
  case UNIT_BOOL:
    *(bool *)p = v != 0;
    return true;
  case UNIT_MS:
  case UNIT_SEC:
    *(fin_time *)p = k->unit == UNIT_MS ? FIN_MS(v) : FIN_SEC(v);
    return true;
  case UNIT_COUNT:
    if (k->size == sizeof(uint32_t))
      *(uint32_t *)p = (uint32_t)v;
    else if (k->size == sizeof(uint8_t))
      *(uint8_t *)p = (uint8_t)v;
    return true;
  case UNIT_NOOP:
  case UNIT_ONLY:
    break;
  }
  return true;
}

/* Sysctls that set more than one field, or an enum, or several values. */
static void set_syncookies_only(struct script_run *r, const struct sysctl_value *v) {
  r->set.syncookies_only = v->v[0] != 0;
  r->set.syn_cookies = r->set.syn_cookies || v->v[0] != 0; /* FreeBSD turns syncookies on too */
}
static void set_icmp_may_rst(struct script_run *r, const struct sysctl_value *v) {
  r->set.icmp_abort = v->v[0] ? FIN_ICMP_ABORT_FREEBSD : FIN_ICMP_ABORT_NEVER;
}
static void set_drop_synfin(struct script_run *r, const struct sysctl_value *v) {
  r->set.synfin = v->v[0] ? FIN_SYNFIN_DROP : FIN_SYNFIN_ACCEPT;
}
static void set_rfc1323(struct script_run *r, const struct sysctl_value *v) {
  r->set.timestamps = r->set.window_scaling = v->v[0] != 0; /* FreeBSD: both */
}
/* net.inet.tcp.ecn.enable and net.ipv4.tcp_ecn: 0 off, 1 ask and accept, 2
 * accept when asked (RFC 3168), fin's enum fin_ecn; 3 and 4 (Accurate ECN)
 * are refused in apply_knob. */
static void set_ecn(struct script_run *r, const struct sysctl_value *v) {
  r->set.ecn = (enum fin_ecn)v->v[0];
}
/* Linux tcp_ecn_fallback=1: a retransmitted SYN no longer asks for ECN. */
static void set_ecn_fallback(struct script_run *r, const struct sysctl_value *v) {
  r->set.ecn_syn_retries = v->v[0] ? 0 : UINT8_MAX;
}
/* FreeBSD fastopen.autokey: seconds between new server keys, 0 never. */
static void set_autokey(struct script_run *r, const struct sysctl_value *v) {
  r->set.fastopen_key_lifetime = v->v[0] > 0 ? FIN_SEC(v->v[0]) : FIN_NEVER;
}
static void set_timestamps(struct script_run *r, const struct sysctl_value *v) {
  r->set.timestamps = v->v[0] != 0;
}
/* Linux tcp_recovery: bit 0x1 is RACK loss detection (RFC 8985); without it
 * SACK recovery counts DupThresh (RFC 6675). */
static void set_recovery(struct script_run *r, const struct sysctl_value *v) {
  r->set.recovery = (v->v[0] & 1) ? FIN_RECOVERY_SACK_RACK : FIN_RECOVERY_SACK;
}
/* Linux tcp_early_retrans: 3 and 4 enable the tail loss probe. */
static void set_early_retrans(struct script_run *r, const struct sysctl_value *v) {
  r->set.tlp = v->v[0] >= 3;
}
/* Linux picks the window scale from max(tcp_rmem[2], rmem_max). */
static void set_rmem_max(struct script_run *r, const struct sysctl_value *v) {
  r->linux_rmem_max = (uint32_t)v->v[0];
  r->set.wscale_space = r->linux_rmem_max > r->linux_rmem2 ? r->linux_rmem_max : r->linux_rmem2;
}
static void set_tcp_rmem(struct script_run *r, const struct sysctl_value *v) {
  r->linux_rmem2 = (uint32_t)v->v[2];
  r->set.wscale_space = r->linux_rmem_max > r->linux_rmem2 ? r->linux_rmem_max : r->linux_rmem2;
}

static const struct {
  const char *name;
  size_t fields;
  void (*fn)(struct script_run *r, const struct sysctl_value *v);
} specials[] = {
    {"net.inet.tcp.syncookies_only", 1, set_syncookies_only},
    {"net.inet.tcp.icmp_may_rst", 1, set_icmp_may_rst},
    {"net.inet.tcp.drop_synfin", 1, set_drop_synfin},
    {"net.inet.tcp.rfc1323", 1, set_rfc1323},
    {"net.inet.tcp.fastopen.autokey", 1, set_autokey},
    {"net.ipv4.tcp_timestamps", 1, set_timestamps},
    {"net.inet.tcp.ecn.enable", 1, set_ecn},
    {"net.ipv4.tcp_ecn", 1, set_ecn},
    {"net.ipv4.tcp_ecn_fallback", 1, set_ecn_fallback},
    {"net.core.rmem_max", 1, set_rmem_max},
    {"net.ipv4.tcp_rmem", 3, set_tcp_rmem},
    {"net.ipv4.tcp_recovery", 1, set_recovery},
    {"net.ipv4.tcp_early_retrans", 1, set_early_retrans},
};

/* A knob from the tables; false after a failure. */
static bool table_knob(struct script_run *r, const struct script_event *ev, const struct knob *k,
                       const char *name, const char *text, const struct sysctl_value *v) {
  if (k->unit == UNIT_ONLY && v->v[0] != k->only)
    return fin_script_fail(r, ev, "sysctl %s=%s: %s", name, text, k->why);
  if (k->unit == UNIT_NOOP || k->unit == UNIT_ONLY)
    return true;
  set_field(r, k, v->v[0]);
  fin_script_note(r, "sysctl %s=%s", name, text);
  return fin_script_apply_settings(r, ev);
}

/* Linux net.ipv4.tcp_fastopen: bit 0x1 client, 0x2 server (RFC 7413); the
 * other bits are modes without a cookie or without TCP_FASTOPEN, which fin
 * does not have. */
static bool linux_fastopen(struct script_run *r, const struct script_event *ev, const char *text,
                           const struct sysctl_value *v) {
  if (v->count != 1 || (v->v[0] & ~(int64_t)3) != 0)
    return fin_script_fail(r, ev,
                           "sysctl net.ipv4.tcp_fastopen=%s: fin has bits 0x1 (client) and 0x2 "
                           "(server) only: no TFO without a cookie (0x4, 0x200) or without "
                           "TCP_FASTOPEN on the listener (0x400)",
                           text);
  r->set.fastopen_client = (v->v[0] & 1) != 0;
  r->set.fastopen_server = (v->v[0] & 2) != 0;
  fin_script_note(r, "sysctl net.ipv4.tcp_fastopen=%s", text);
  return fin_script_apply_settings(r, ev);
}

/* Linux net.ipv4.tcp_fastopen_key: 32 hex digits (Linux writes them in four
 * groups joined by '-'), the server's cookie key (fin_stack_set_fastopen_key);
 * fin takes one key, not Linux's "primary,backup" pair. */
static bool fastopen_key(struct script_run *r, const struct script_event *ev, const char *text) {
  uint8_t key[16];
  size_t n = 0;
  for (const char *p = text; *p && n < 32; p++) {
    if (*p == '-')
      continue;
    if (!isxdigit((unsigned char)*p))
      break;
    int d = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
    key[n / 2] = (uint8_t)(n % 2 ? key[n / 2] | d : d << 4);
    n++;
  }
  if (n != 32 || strspn(text, "0123456789abcdefABCDEF-") != strlen(text))
    return fin_script_fail(r, ev,
                           "sysctl net.ipv4.tcp_fastopen_key=%s: expected one key of 32 hex "
                           "digits (fin keeps no backup key)",
                           text);
  fin_stack_set_fastopen_key(r->st, key);
  fin_script_note(r, "sysctl net.ipv4.tcp_fastopen_key=%s", text);
  return true;
}

static bool apply_knob(struct script_run *r, const struct script_event *ev, const char *name,
                       const char *text) {
  struct sysctl_value v;
  if (strcmp(name, "net.ipv4.tcp_fastopen_key") == 0)
    return fastopen_key(r, ev, text);
  if (!parse_value(text, &v))
    return fin_script_fail(r, ev, "sysctl %s=%s: expected a number (or several, in quotes)", name,
                           text);
  if (strcmp(name, "net.ipv4.tcp_fastopen") == 0)
    return linux_fastopen(r, ev, text, &v);
  for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
    if (strcmp(specials[i].name, name) == 0) {
      if (v.count != specials[i].fields)
        return fin_script_fail(r, ev, "sysctl %s=%s: expected %zu value(s)", name, text,
                               specials[i].fields);
      if (specials[i].fn == set_ecn && (v.v[0] < 0 || v.v[0] > FIN_ECN_PASSIVE))
        return fin_script_fail(r, ev, "sysctl %s=%s: missing feature: Accurate ECN", name, text);
      specials[i].fn(r, &v);
      return fin_script_apply_settings(r, ev);
    }
  bool fbsd = strncmp(name, "net.inet", 8) == 0 || strncmp(name, "kern.", 5) == 0;
  const struct knob *t = fbsd ? freebsd_knobs : linux_knobs;
  size_t n = fbsd ? sizeof(freebsd_knobs) / sizeof(t[0]) : sizeof(linux_knobs) / sizeof(t[0]);
  for (size_t i = 0; i < n; i++)
    if (strcmp(t[i].name, name) == 0) {
      if (v.count != 1 && t[i].unit != UNIT_NOOP)
        return fin_script_fail(r, ev, "sysctl %s=%s: expected one number", name, text);
      return table_knob(r, ev, &t[i], name, text, &v);
    }
  return fin_script_fail(r, ev, "sysctl %s: no fin setting corresponds to it", name);
}

/* "name=value" with the name in dotted form. */
static bool assignment(struct script_run *r, const struct script_event *ev, const char *word) {
  char name[128];
  const char *eq = strchr(word, '=');
  if (!eq || (size_t)(eq - word) >= sizeof(name))
    return fin_script_fail(r, ev, "expected name=value, got '%s'", word);
  memcpy(name, word, (size_t)(eq - word));
  name[eq - word] = '\0';
  if (strncmp(name, "/proc/sys/", 10) == 0) {
    memmove(name, name + 10, strlen(name + 10) + 1);
    for (char *c = name; *c; c++)
      if (*c == '/')
        *c = '.';
  }
  return apply_knob(r, ev, name, eq + 1);
}

/* Splits a command line into words in place, as a shell would for these
 * commands: blanks separate, '...' and "..." quote (and are removed).
 * Returns the count. */
static size_t split(char *line, char **words, size_t max) {
  size_t n = 0;
  char *r = line, *w = line;
  while (*r && n < max) {
    while (*r == ' ' || *r == '\t')
      r++;
    if (!*r)
      break;
    words[n++] = w;
    char quote = 0;
    for (; *r && (quote || (*r != ' ' && *r != '\t')); r++) {
      if (!quote && (*r == '\'' || *r == '"'))
        quote = *r;
      else if (quote && *r == quote)
        quote = 0;
      else
        *w++ = *r;
    }
    if (*r)
      r++;
    *w++ = '\0';
  }
  return n;
}

static const char *freebsd_state_name(enum fin_state s) {
  static const char *names[] = {"CLOSED",      "LISTEN",     "SYN_SENT",   "SYN_RCVD",
                                "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT",
                                "CLOSING",     "LAST_ACK",   "TIME_WAIT"};
  return s < FIN_STATE_COUNT ? names[s] : "?";
}

/* Listeners live in their own table, not in fin_stack_list(): count the
 * script's listening sockets. */
static size_t count_listeners(struct script_run *r, long port) {
  size_t count = 0;
  for (int fd = 0; fd < SCRIPT_MAX_FDS; fd++) {
    struct fin_sockaddr a;
    if (!r->fds[fd].used || fin_sock_state(r->st, r->fds[fd].sock) != FIN_LISTEN)
      continue;
    count += port < 0 || (fin_getsockname(r->st, r->fds[fd].sock, &a) == 0 && a.port == port);
  }
  return count;
}

/* A socket the application still holds after its connection ended (or
 * before it began) is CLOSED in sockstat; fin lists only live connections,
 * so these are the script's sockets in CLOSED. */
static size_t count_closed_sockets(struct script_run *r, long port) {
  size_t count = 0;
  for (int fd = 0; fd < SCRIPT_MAX_FDS; fd++) {
    struct fin_sockaddr a;
    if (!r->fds[fd].used || fin_sock_state(r->st, r->fds[fd].sock) != FIN_CLOSED)
      continue;
    count += port < 0 || (fin_getsockname(r->st, r->fds[fd].sock, &a) == 0 && a.port == port);
  }
  return count;
}

static size_t count_state(struct script_run *r, const char *state, long port) {
  struct fin_conn_info info[16];
  size_t cursor = 0, n, count = 0;
  if (strcmp(state, "LISTEN") == 0)
    return count_listeners(r, port);
  if (strcmp(state, "CLOSED") == 0)
    return count_closed_sockets(r, port);
  while ((n = fin_stack_list(r->st, &cursor, info, 16)) > 0)
    for (size_t i = 0; i < n; i++) {
      const struct fin_4tuple *t = &info[i].tuple;
      bool port_ok = port < 0 || t->local_port == port || t->remote_port == port;
      count += port_ok && strcmp(freebsd_state_name(info[i].state), state) == 0;
    }
  return count;
}

/* `sockstat [-p PORT] ... | grep -c STATE | grep N`: a state probe. */
static bool sockstat(struct script_run *r, const struct script_event *ev, char *cmd) {
  long port = -1;
  const char *state = NULL, *want = NULL;
  char *words[64];
  size_t n = split(cmd, words, 64);
  for (size_t i = 0; i + 1 < n; i++) {
    if (strcmp(words[i], "-p") == 0)
      port = strtol(words[i + 1], NULL, 10);
    else if (strcmp(words[i], "-c") == 0)
      state = words[i + 1];
    else if (strcmp(words[i], "grep") == 0 && isdigit((unsigned char)words[i + 1][0]))
      want = words[i + 1];
  }
  if (!state || !want)
    return fin_script_fail(r, ev, "sockstat: expected '| grep -c STATE | grep N'");
  size_t got = count_state(r, state, port);
  fin_script_note(r, "sockstat: %zu connection(s) in %s", got, state);
  if (got == (size_t)strtoul(want, NULL, 10))
    return true;
  return fin_script_fail(r, ev, "state probe: %zu connection(s) in %s, the script expects %s", got,
                         state, want);
}

static bool one_line(struct script_run *r, const struct script_event *ev, char *line) {
  char copy[512];
  snprintf(copy, sizeof(copy), "%s", line);
  char *words[64];
  size_t n = split(line, words, 64);
  if (n == 0)
    return true;
  const char *cmd = strrchr(words[0], '/') ? strrchr(words[0], '/') + 1 : words[0];
  if (strcmp(cmd, "defaults.sh") == 0 || strncmp(cmd, "sysctl_restore_", 15) == 0)
    return true; /* the profile already holds what these set */
  if (strcmp(cmd, "sysctl") == 0 || strcmp(cmd, "set_sysctls.py") == 0) {
    for (size_t i = 1; i < n; i++)
      if (words[i][0] != '-' && !assignment(r, ev, words[i]))
        return false;
    return true;
  }
  if (strcmp(cmd, "sockstat") == 0)
    return sockstat(r, ev, copy);
  return fin_script_fail(r, ev, "command `%s` is not supported by fin's runner", copy);
}

bool fin_script_command(struct script_run *r, const struct script_event *ev, const char *cmd) {
  char buf[2048];
  snprintf(buf, sizeof(buf), "%s", cmd);
  char *save = NULL;
  for (char *line = strtok_r(buf, "\n;", &save); line; line = strtok_r(NULL, "\n;", &save))
    if (!one_line(r, ev, line))
      return false;
  return true;
}
