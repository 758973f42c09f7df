/* SPDX-License-Identifier: MIT */
/* setsockopt / getsockopt (README §1a.4): SOL_SOCKET and IPPROTO_TCP
 * options mapped onto fin's, SO_LINGER structs, TCP_INFO structs compared
 * field by field, TCP_CONGESTION by name, SOL_IP's TTL and TOS and their
 * SOL_IPV6 twins, IPV6_V6ONLY. Options
 * fin has no engine support for fail with their name and the reason;
 * NULL option pointers are the kernel's -1 EFAULT. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "script/symbols.h"
#include "script/syscall_internal.h"

/* Options scripts use that fin cannot honour, with the reason. */
static const struct {
  const char *name, *why;
} refused[] = {
    {"TCP_CORK", "not supported by fin (no corking)"},
    {"TCP_NOTSENT_LOWAT", "not supported by fin (no send low-water mark)"},
    {"TCP_MD5SIG", "missing feature: TCP-MD5 signatures (RFC 2385)"},
    {"TCP_FASTOPEN_KEY",
     "not supported by fin (the TFO cookie key comes from the stack's random source)"},
    {"TCP_REMOTE_UDP_ENCAPS_PORT", "out of scope: FreeBSD TCP-over-UDP encapsulation"},
    {"TCP_FUNCTION_BLK", "not supported by fin (FreeBSD TCP stack selection)"},
    {"TCP_RACK_PACE_MAX_SEG", "not supported by fin (FreeBSD RACK pacing)"},
    {"TCP_RACK_PACE_RATE_SS", "not supported by fin (FreeBSD RACK pacing)"},
    {"TCP_RACK_PACE_ALWAYS", "not supported by fin (FreeBSD RACK pacing)"},
    {"TCP_WINDOW_CLAMP", "not supported by fin"},
    {"TCP_DEFER_ACCEPT", "not supported by fin"},
    {"TCP_THIN_LINEAR_TIMEOUTS", "not supported by fin"},
    {"TCP_ULP", "not supported by fin (no upper-layer protocols)"},
    {"TCP_ZEROCOPY_RECEIVE", "not supported by fin (no zero-copy)"},
    {"SO_ZEROCOPY", "not supported by fin (no zero-copy)"},
    {"SO_RCVLOWAT", "not supported by fin"},
    {"SO_SNDLOWAT", "not supported by fin"},
    {"SO_PRIORITY", "not supported by fin"},
    {"IPV6_USE_MIN_MTU", "not supported by fin (FreeBSD; segments follow the path MTU)"},
};

/* The option's name as the script wrote it, for messages. */
static const char *opt_name(struct call *k) {
  const struct script_expr *e = k->c->args[2];
  return e->kind == SCRIPT_EXPR_WORD ? e->text : "(a number)";
}

static bool refuse(struct call *k, int64_t level, int64_t name) {
  const char *n = opt_name(k);
  for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
    if (strcmp(refused[i].name, n) == 0)
      return fin_script_fail(k->r, k->ev, "%s(): %s: %s", k->c->name, n, refused[i].why);
  return fin_script_fail(k->r, k->ev,
                         "%s(): socket option %s (%lld at level %lld) is not known to fin's runner",
                         k->c->name, n, (long long)name, (long long)level);
}

static bool sockopt(struct call *k, int64_t level, int64_t name, enum fin_sockopt *out) {
  static const struct {
    int level, name;
    enum fin_sockopt opt;
  } map[] = {
      {SOL_SOCKET, SO_LINGER, FIN_SO_LINGER},
      {SOL_SOCKET, SO_KEEPALIVE, FIN_SO_KEEPALIVE},
      {SOL_SOCKET, SO_ERROR, FIN_SO_ERROR},
      {SOL_SOCKET, SO_RCVBUF, FIN_SO_RCVBUF},
      {SOL_SOCKET, SO_SNDBUF, FIN_SO_SNDBUF},
      {SOL_SOCKET, SO_REUSEADDR, FIN_SO_REUSEADDR},
      {IPPROTO_TCP, 1 /* TCP_NODELAY */, FIN_TCP_NODELAY},
      {IPPROTO_TCP, 18 /* TCP_USER_TIMEOUT */, FIN_TCP_USER_TIMEOUT},
      {IPPROTO_TCP, 8 /* TCP_LINGER2 */, FIN_TCP_LINGER2},
      {IPPROTO_TCP, 4 /* TCP_KEEPIDLE */, FIN_TCP_KEEPIDLE},
      {IPPROTO_TCP, 5 /* TCP_KEEPINTVL */, FIN_TCP_KEEPINTVL},
      {IPPROTO_TCP, 6 /* TCP_KEEPCNT */, FIN_TCP_KEEPCNT},
      {IPPROTO_TCP, 2 /* TCP_MAXSEG */, FIN_TCP_MAXSEG},
      {IPPROTO_TCP, 7 /* TCP_SYNCNT */, FIN_TCP_SYNCNT},
      {IPPROTO_TCP, 12 /* TCP_QUICKACK */, FIN_TCP_QUICKACK},
      {IPPROTO_TCP, SCRIPT_TCP_KEEPINIT, FIN_TCP_KEEPINIT},
      {IPPROTO_TCP, SCRIPT_TCP_NOOPT, FIN_TCP_NOOPT},
      {IPPROTO_TCP, 11 /* TCP_INFO */, FIN_TCP_INFO},
      {IPPROTO_TCP, 23 /* TCP_FASTOPEN */, FIN_TCP_FASTOPEN},
      {IPPROTO_TCP, 30 /* TCP_FASTOPEN_CONNECT */, FIN_TCP_FASTOPEN_CONNECT},
      {IPPROTO_IPV6, IPV6_V6ONLY, FIN_IPV6_V6ONLY},
  };
  for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
    if (map[i].level == level && map[i].name == name) {
      *out = map[i].opt;
      return true;
    }
  return refuse(k, level, name);
}

/* A NULL (or literal) option pointer or length pointer: -1 EFAULT. */
static bool bad_pointer(const struct script_expr *e) {
  return e->kind == SCRIPT_EXPR_INT ||
         (e->kind == SCRIPT_EXPR_WORD && strcmp(e->text, "NULL") == 0);
}

/* SOL_IP's IP_TTL and IP_TOS, SOL_IPV6's IPV6_UNICAST_HOPS and
 * IPV6_TCLASS: fin has one TTL / hop limit for the whole stack
 * (settings.ttl) and sends TOS / traffic class 0; reading them works,
 * setting another value is refused. */
static bool ip_level(struct call *k, fin_sock s, int64_t level, int64_t name, bool set) {
  bool ttl = level == IPPROTO_IP ? name == IP_TTL : name == IPV6_UNICAST_HOPS;
  bool tos = level == IPPROTO_IP ? name == IP_TOS : name == IPV6_TCLASS;
  int64_t have = ttl ? fin_stack_settings(k->r->st)->ttl : 0, v;
  if (!ttl && !tos)
    return refuse(k, level, name);
  if (s < 0)
    return (k->ret = -EBADF, true);
  if (!set) {
    k->ret = 0;
    return fin_script_sc_compare_int(k, opt_name(k), k->c->args[3], have);
  }
  if (!fin_script_sc_eval(k, k->c->args[3], &v))
    return false;
  if (v != have && !(ttl && level == IPPROTO_IPV6 && v == -1)) /* -1: the route's default */
    return fin_script_fail(k->r, k->ev,
                           "setsockopt(): %s %lld: not supported by fin (every segment carries "
                           "%s %lld%s)",
                           opt_name(k), (long long)v, opt_name(k), (long long)have,
                           ttl ? ", settings.ttl" : "");
  k->ret = 0;
  return true;
}

/* TCP_CONGESTION: fin's one algorithm is NewReno, "reno" to Linux. */
static bool congestion(struct call *k, bool set) {
  const struct script_expr *v = k->c->args[3];
  if (v->kind == SCRIPT_EXPR_ELLIPSIS ||
      (v->kind == SCRIPT_EXPR_STRING && strcmp(v->text, "reno") == 0))
    return (k->ret = 0, true);
  if (v->kind != SCRIPT_EXPR_STRING)
    return fin_script_fail(k->r, k->ev, "%s(): TCP_CONGESTION takes a string", k->c->name);
  if (!set)
    return fin_script_fail(k->r, k->ev,
                           "getsockopt(): TCP_CONGESTION is \"reno\", the script expects \"%s\"",
                           v->text);
  return fin_script_fail(
      k->r, k->ev, "setsockopt(): TCP_CONGESTION \"%s\": fin has only NewReno (\"reno\")", v->text);
}

/* The options that are not a fin_sockopt int: true when handled here. */
static bool special(struct call *k, fin_sock s, int64_t level, int64_t name, bool set, bool *ok) {
  if (bad_pointer(k->c->args[3]) || (!set && bad_pointer(k->c->args[4]))) {
    k->ret = -EFAULT;
    return (*ok = true);
  }
  if (level == IPPROTO_IPV6 && k->r->ip_version == SCRIPT_IPV4)
    return (k->ret = -ENOPROTOOPT, *ok = true); /* Linux: no IPv6 options on an AF_INET socket */
  if (level == IPPROTO_IP || (level == IPPROTO_IPV6 && name != IPV6_V6ONLY))
    return (*ok = ip_level(k, s, level, name, set), true);
  if (level == IPPROTO_TCP && name == 13 /* TCP_CONGESTION */)
    return (*ok = congestion(k, set), true);
  return false;
}

bool fin_script_sc_setsockopt(struct call *k) {
  fin_sock s;
  int64_t level, name;
  enum fin_sockopt opt = FIN_SO_ERROR; /* set by sockopt(); -O3 cannot see that */
  if (!fin_script_sc_argc_is(k, 5) || !fin_script_sc_arg_sock(k, 0, &s, NULL) ||
      !fin_script_sc_arg_int(k, 1, &level) || !fin_script_sc_arg_int(k, 2, &name))
    return false;
  bool ok;
  if (special(k, s, level, name, true, &ok))
    return ok;
  if (!sockopt(k, level, name, &opt))
    return false;
  const struct script_expr *v = k->c->args[3];
  if (opt == FIN_TCP_INFO)
    return fin_script_fail(k->r, k->ev, "setsockopt(): TCP_INFO can only be read");
  if (opt == FIN_SO_LINGER) {
    const struct script_expr *on = fin_script_sc_field(v, "onoff", 0),
                             *sec = fin_script_sc_field(v, "linger", 1);
    int64_t a, b;
    if (!on || !sec)
      return fin_script_fail(k->r, k->ev, "SO_LINGER needs {onoff=N, linger=N}");
    if (!fin_script_sc_eval(k, on, &a) || !fin_script_sc_eval(k, sec, &b))
      return false;
    struct fin_linger l = {(int)a, (int)b};
    k->ret = fin_setsockopt(k->r->st, s, opt, &l, sizeof(l));
    return true;
  }
  int64_t val;
  if (!fin_script_sc_eval(k, v, &val))
    return false;
  int iv = (int)val;
  k->ret = fin_setsockopt(k->r->st, s, opt, &iv, sizeof(iv));
  return true;
}

static bool get_linger(struct call *k, fin_sock s, const struct script_expr *v) {
  struct fin_linger l = {0, 0};
  size_t len = sizeof(l);
  k->ret = fin_getsockopt(k->r->st, s, FIN_SO_LINGER, &l, &len);
  if (k->ret < 0)
    return true;
  return fin_script_sc_compare_int(k, "onoff", fin_script_sc_field(v, "onoff", 0), l.onoff) &&
         fin_script_sc_compare_int(k, "linger", fin_script_sc_field(v, "linger", 1), l.linger);
}

/* getsockopt(TCP_INFO, {tcpi_state=..., tcpi_snd_cwnd=10}, ...): each
 * field written is compared, in Linux units; one fin does not provide is
 * named. */
static bool get_tcp_info(struct call *k, fin_sock s, const struct script_expr *v) {
  struct fin_conn_info info;
  size_t len = sizeof(info);
  k->ret = fin_getsockopt(k->r->st, s, FIN_TCP_INFO, &info, &len);
  if (k->ret < 0 || v->kind == SCRIPT_EXPR_ELLIPSIS)
    return true;
  if (v->kind != SCRIPT_EXPR_STRUCT)
    return fin_script_fail(k->r, k->ev, "getsockopt(): TCP_INFO takes {tcpi_name=value, ...}");
  for (size_t i = 0; i < v->count; i++) {
    const struct script_expr *f = v->items[i];
    int64_t got;
    if (f->kind != SCRIPT_EXPR_FIELD)
      return fin_script_fail(k->r, k->ev, "getsockopt(): TCP_INFO fields are written name=value");
    enum fin_state want_state;
    if (strcmp(f->text, "tcpi_state") == 0 && f->lhs->kind == SCRIPT_EXPR_WORD &&
        fin_script_tcpi_state(f->lhs->text, &want_state)) {
      if (info.state == want_state)
        continue;
      return fin_script_fail(k->r, k->ev, "getsockopt(): tcpi_state is %s, the script expects %s",
                             fin_state_name(info.state), f->lhs->text);
    }
    int found = fin_script_tcpi_field(&info, f->text, &got);
    if (found < 0)
      return fin_script_fail(k->r, k->ev,
                             "getsockopt(): %s is a Linux tcp_info field fin does not "
                             "provide",
                             f->text);
    if (found == 0)
      return fin_script_fail(k->r, k->ev, "getsockopt(): no tcp_info field %s", f->text);
    if (!fin_script_sc_compare_int(k, f->text, f->lhs, got))
      return false;
  }
  return true;
}

bool fin_script_sc_getsockopt(struct call *k) {
  fin_sock s;
  int64_t level, name;
  enum fin_sockopt opt = FIN_SO_ERROR; /* set by sockopt(); -O3 cannot see that */
  if (!fin_script_sc_argc_is(k, 5) || !fin_script_sc_arg_sock(k, 0, &s, NULL) ||
      !fin_script_sc_arg_int(k, 1, &level) || !fin_script_sc_arg_int(k, 2, &name))
    return false;
  bool ok;
  if (special(k, s, level, name, false, &ok))
    return ok;
  if (!sockopt(k, level, name, &opt))
    return false;
  const struct script_expr *v = k->c->args[3];
  if (opt == FIN_SO_LINGER)
    return get_linger(k, s, v);
  if (opt == FIN_TCP_INFO)
    return get_tcp_info(k, s, v);
  int iv = 0;
  size_t len = sizeof(iv);
  k->ret = fin_getsockopt(k->r->st, s, opt, &iv, &len);
  if (k->ret < 0)
    return true;
  /* SO_ERROR holds a positive errno, like Linux. */
  char what[64];
  snprintf(what, sizeof(what), "the option value%s%s", opt == FIN_SO_ERROR ? " " : "",
           opt == FIN_SO_ERROR && fin_script_errno_name(iv) ? fin_script_errno_name(iv) : "");
  return fin_script_sc_compare_int(k, what, v, iv);
}
