/* SPDX-License-Identifier: MIT */
/* %{ python }% snippets (README §1a.7), without Python: a small evaluator
 * for `assert EXPR[, message]` statements over a TCP_INFO snapshot of the
 * socket under test. Expressions: integers, tcpi_* fields, the Linux TCP_*
 * and nplab TCPI_* state constants, parentheses, + -, comparisons (chained
 * as in Python), not/and/or. States compare symbolically, so either
 * constant set works with any profile. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "script/run.h"

struct eval {
  struct script_run *r;
  const struct script_event *ev;
  const struct fin_conn_info *info;
  const char *p;
  bool error;
  char msg[160];
};

static void skip_ws(struct eval *e) {
  while (*e->p && (isspace((unsigned char)*e->p) || *e->p == '\\'))
    e->p++;
}

static bool eat(struct eval *e, const char *tok) {
  skip_ws(e);
  size_t n = strlen(tok);
  if (strncmp(e->p, tok, n) != 0)
    return false;
  if (isalpha((unsigned char)tok[0]) && (isalnum((unsigned char)e->p[n]) || e->p[n] == '_'))
    return false;
  e->p += n;
  return true;
}

static int64_t set_error(struct eval *e, const char *fmt, const char *arg) {
  if (!e->error)
    snprintf(e->msg, sizeof(e->msg), fmt, arg);
  e->error = true;
  return 0;
}

static const struct {
  const char *name;
  enum fin_state state;
} state_names[] = {
    {"TCP_ESTABLISHED", FIN_ESTABLISHED},
    {"TCP_SYN_SENT", FIN_SYN_SENT},
    {"TCP_SYN_RECV", FIN_SYN_RECEIVED},
    {"TCP_FIN_WAIT1", FIN_FIN_WAIT_1},
    {"TCP_FIN_WAIT2", FIN_FIN_WAIT_2},
    {"TCP_TIME_WAIT", FIN_TIME_WAIT},
    {"TCP_CLOSE", FIN_CLOSED},
    {"TCP_CLOSE_WAIT", FIN_CLOSE_WAIT},
    {"TCP_LAST_ACK", FIN_LAST_ACK},
    {"TCP_LISTEN", FIN_LISTEN},
    {"TCP_CLOSING", FIN_CLOSING},
    {"TCPI_CLOSED", FIN_CLOSED},
    {"TCPI_LISTEN", FIN_LISTEN},
    {"TCPI_SYN_SENT", FIN_SYN_SENT},
    {"TCPI_SYN_RECEIVED", FIN_SYN_RECEIVED},
    {"TCPI_ESTABLISHED", FIN_ESTABLISHED},
    {"TCPI_CLOSE_WAIT", FIN_CLOSE_WAIT},
    {"TCPI_FIN_WAIT_1", FIN_FIN_WAIT_1},
    {"TCPI_CLOSING", FIN_CLOSING},
    {"TCPI_LAST_ACK", FIN_LAST_ACK},
    {"TCPI_FIN_WAIT_2", FIN_FIN_WAIT_2},
    {"TCPI_TIME_WAIT", FIN_TIME_WAIT},
};

/* Every field of Linux's struct tcp_info (include/uapi/linux/tcp.h), in
 * order. fin fills the ones it has; the others are named as not provided. */
static const char *const linux_fields[] = {
    "tcpi_state",
    "tcpi_ca_state",
    "tcpi_retransmits",
    "tcpi_probes",
    "tcpi_backoff",
    "tcpi_options",
    "tcpi_snd_wscale",
    "tcpi_rcv_wscale",
    "tcpi_delivery_rate_app_limited",
    "tcpi_fastopen_client_fail",
    "tcpi_rto",
    "tcpi_ato",
    "tcpi_snd_mss",
    "tcpi_rcv_mss",
    "tcpi_unacked",
    "tcpi_sacked",
    "tcpi_lost",
    "tcpi_retrans",
    "tcpi_fackets",
    "tcpi_last_data_sent",
    "tcpi_last_ack_sent",
    "tcpi_last_data_recv",
    "tcpi_last_ack_recv",
    "tcpi_pmtu",
    "tcpi_rcv_ssthresh",
    "tcpi_rtt",
    "tcpi_rttvar",
    "tcpi_snd_ssthresh",
    "tcpi_snd_cwnd",
    "tcpi_advmss",
    "tcpi_reordering",
    "tcpi_rcv_rtt",
    "tcpi_rcv_space",
    "tcpi_total_retrans",
    "tcpi_pacing_rate",
    "tcpi_max_pacing_rate",
    "tcpi_bytes_acked",
    "tcpi_bytes_received",
    "tcpi_segs_out",
    "tcpi_segs_in",
    "tcpi_notsent_bytes",
    "tcpi_min_rtt",
    "tcpi_data_segs_in",
    "tcpi_data_segs_out",
    "tcpi_delivery_rate",
    "tcpi_busy_time",
    "tcpi_rwnd_limited",
    "tcpi_sndbuf_limited",
    "tcpi_delivered",
    "tcpi_delivered_ce",
    "tcpi_bytes_sent",
    "tcpi_bytes_retrans",
    "tcpi_dsack_dups",
    "tcpi_reord_seen",
    "tcpi_rcv_ooopack",
    "tcpi_snd_wnd",
    "tcpi_rcv_wnd",
    "tcpi_rehash",
    "tcpi_total_rto",
    "tcpi_total_rto_recoveries",
    "tcpi_total_rto_time",
};

/* Linux TCPI_OPT_* bits (include/uapi/linux/tcp.h), for snippets. */
static const struct {
  const char *name;
  int64_t bit;
} tcpi_opt_names[] = {
    {"TCPI_OPT_TIMESTAMPS", 1}, {"TCPI_OPT_SACK", 2},      {"TCPI_OPT_WSCALE", 4},
    {"TCPI_OPT_ECN", 8},        {"TCPI_OPT_ECN_SEEN", 16}, {"TCPI_OPT_SYN_DATA", 32},
};

/* Linux TCPI_OPT_* bits. A window scale is counted as negotiated when a
 * shift is in use (fin's snapshot has no separate flag). */
static int64_t options_bits(const struct fin_conn_info *i) {
  return (i->ts_ok ? 1 : 0) | (i->sack_ok ? 2 : 0) | (i->snd_wscale || i->rcv_wscale ? 4 : 0) |
         (i->ecn_ok ? 8 : 0) | (i->ecn_seen ? 16 : 0);
}

/* Linux counts the congestion window and ssthresh in segments, with
 * 0x7fffffff for an ssthresh not yet set. */
static int64_t in_segments(uint32_t bytes, uint32_t mss, bool ssthresh) {
  if (ssthresh && bytes >= UINT32_MAX / 4)
    return 0x7fffffff;
  return mss ? bytes / mss : 0;
}

int fin_script_tcpi_field(const struct fin_conn_info *i, const char *name, int64_t *v) {
  uint32_t notsent = i->snd_queued > i->unacked ? i->snd_queued - i->unacked : 0;
  struct {
    const char *name;
    int64_t value;
  } f[] = {
      {"tcpi_state", i->state},
      {"tcpi_retransmits", i->retransmits},
      {"tcpi_probes", i->probes},
      {"tcpi_backoff", i->backoff},
      {"tcpi_options", options_bits(i)},
      {"tcpi_snd_wscale", i->snd_wscale},
      {"tcpi_rcv_wscale", i->rcv_wscale},
      {"tcpi_rto", i->rto / 1000},
      {"tcpi_rtt", i->srtt / 1000},
      {"tcpi_rttvar", i->rttvar / 1000},
      {"tcpi_snd_mss", i->snd_mss},
      {"tcpi_rcv_mss", i->rcv_mss},
      {"tcpi_advmss", i->rcv_mss},
      {"tcpi_total_retrans", i->total_retrans},
      {"tcpi_snd_cwnd", in_segments(i->cwnd, i->snd_mss, false)},
      {"tcpi_snd_ssthresh", in_segments(i->ssthresh, i->snd_mss, true)},
      {"tcpi_snd_wnd", i->snd_wnd},
      {"tcpi_rcv_wnd", i->rcv_wnd},
      {"tcpi_notsent_bytes", notsent},
  };
  for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
    if (strcmp(f[k].name, name) == 0) {
      *v = f[k].value;
      return 1;
    }
  for (size_t k = 0; k < sizeof(linux_fields) / sizeof(linux_fields[0]); k++)
    if (strcmp(linux_fields[k], name) == 0)
      return -1;
  return 0;
}

bool fin_script_tcpi_state(const char *name, enum fin_state *out) {
  for (size_t k = 0; k < sizeof(state_names) / sizeof(state_names[0]); k++)
    if (strcmp(state_names[k].name, name) == 0)
      return (*out = state_names[k].state, true);
  return false;
}

static int64_t name_value(struct eval *e, const char *name) {
  int64_t v;
  int found = fin_script_tcpi_field(e->info, name, &v);
  if (found > 0)
    return v;
  if (found < 0)
    return set_error(e, "%s is a Linux tcp_info field fin does not provide", name);
  for (size_t k = 0; k < sizeof(state_names) / sizeof(state_names[0]); k++)
    if (strcmp(state_names[k].name, name) == 0)
      return state_names[k].state;
  for (size_t k = 0; k < sizeof(tcpi_opt_names) / sizeof(tcpi_opt_names[0]); k++)
    if (strcmp(tcpi_opt_names[k].name, name) == 0)
      return tcpi_opt_names[k].bit;
  if (strcmp(name, "True") == 0 || strcmp(name, "False") == 0)
    return name[0] == 'T';
  return set_error(e, "name '%s' is not known to fin's snippet evaluator", name);
}

static int64_t expr(struct eval *e);

static int64_t primary(struct eval *e) {
  skip_ws(e);
  if (eat(e, "(")) {
    int64_t v = expr(e);
    return eat(e, ")") ? v : set_error(e, "expected ')'%s", "");
  }
  if (eat(e, "-"))
    return -primary(e);
  if (isdigit((unsigned char)*e->p))
    return strtoll(e->p, (char **)&e->p, 0);
  char name[64];
  size_t n = 0;
  while ((isalnum((unsigned char)e->p[n]) || e->p[n] == '_') && n < sizeof(name) - 1)
    n++;
  if (n == 0)
    return set_error(e, "unexpected text '%.20s'", e->p);
  memcpy(name, e->p, n);
  name[n] = '\0';
  e->p += n;
  return name_value(e, name);
}

static int64_t sum(struct eval *e) {
  int64_t v = primary(e);
  for (;;) {
    if (eat(e, "+"))
      v += primary(e);
    else if (eat(e, "-"))
      v -= primary(e);
    else
      return v;
  }
}

/* Python binds & tighter than |, and both tighter than comparisons. */
static int64_t bit_and(struct eval *e) {
  int64_t v = sum(e);
  while (eat(e, "&"))
    v &= sum(e);
  return v;
}

static int64_t bit_or(struct eval *e) {
  int64_t v = bit_and(e);
  while (eat(e, "|"))
    v |= bit_and(e);
  return v;
}

/* Python comparison chains: a < b < c is a < b and b < c. */
static int64_t comparison(struct eval *e) {
  int64_t left = bit_or(e);
  bool result = true, any = false;
  for (;;) {
    int op;
    if (eat(e, "=="))
      op = 0;
    else if (eat(e, "!="))
      op = 1;
    else if (eat(e, "<="))
      op = 2;
    else if (eat(e, ">="))
      op = 3;
    else if (eat(e, "<"))
      op = 4;
    else if (eat(e, ">"))
      op = 5;
    else
      return any ? result : left;
    int64_t right = bit_or(e);
    bool ok[] = {left == right, left != right, left <= right, left >= right,
                 left<right, left> right};
    result = result && ok[op];
    any = true;
    left = right;
  }
}

static int64_t negation(struct eval *e) {
  if (eat(e, "not"))
    return !negation(e);
  return comparison(e);
}

static int64_t conjunction(struct eval *e) {
  int64_t v = negation(e);
  while (eat(e, "and")) {
    int64_t w = negation(e);
    v = v && w;
  }
  return v;
}

static int64_t expr(struct eval *e) {
  int64_t v = conjunction(e);
  while (eat(e, "or")) {
    int64_t w = conjunction(e);
    v = v || w;
  }
  return v;
}

/* The snapshot: the socket under test, else the connection on the
 * script's 4-tuple (it may be TIME-WAIT with no handle), else CLOSED. */
static void snapshot(struct script_run *r, struct fin_conn_info *info) {
  memset(info, 0, sizeof(*info));
  info->state = FIN_CLOSED;
  if (r->fd_under_test >= 0 && r->fds[r->fd_under_test].used) {
    size_t len = sizeof(*info);
    if (fin_getsockopt(r->st, r->fds[r->fd_under_test].sock, FIN_TCP_INFO, info, &len) == 0)
      return;
  }
  struct fin_conn_info list[16];
  size_t cursor = 0, n;
  while ((n = fin_stack_list(r->st, &cursor, list, 16)) > 0)
    for (size_t i = 0; i < n; i++)
      if (list[i].tuple.remote_port == r->remote_port && list[i].tuple.local_port == r->local_port)
        *info = list[i];
}

/* One statement: "assert EXPR[, message]". */
static bool statement(struct eval *e, const char *stmt) {
  e->p = stmt;
  skip_ws(e);
  if (!*e->p)
    return true;
  if (!eat(e, "assert"))
    return fin_script_fail(e->r, e->ev, "snippet: only 'assert EXPR[, message]' is supported: %s",
                           stmt);
  int64_t v = expr(e);
  skip_ws(e);
  if (!e->error && *e->p && *e->p != ',')
    set_error(e, "unexpected text '%.20s'", e->p);
  if (e->error)
    return fin_script_fail(e->r, e->ev, "snippet: %s", e->msg);
  if (v)
    return true;
  return fin_script_fail(e->r, e->ev, "assertion failed: %s\n  tcpi_state is %s", stmt,
                         fin_state_name(e->info->state));
}

bool fin_script_code(struct script_run *r, const struct script_event *ev) {
  struct fin_conn_info info;
  snapshot(r, &info);
  char buf[1024];
  snprintf(buf, sizeof(buf), "%s", ev->text);
  char *save = NULL;
  for (char *s = strtok_r(buf, "\n;", &save); s; s = strtok_r(NULL, "\n;", &save)) {
    struct eval e = {.r = r, .ev = ev, .info = &info};
    if (!statement(&e, s))
      return false;
  }
  return true;
}
