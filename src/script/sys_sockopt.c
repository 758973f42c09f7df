/* setsockopt / getsockopt (README §1a.4): SOL_SOCKET and IPPROTO_TCP
 * options mapped onto fin's, SO_LINGER structs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "script/symbols.h"
#include "script/syscall_internal.h"

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
  };
  for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
    if (map[i].level == level && map[i].name == name) {
      *out = map[i].opt;
      return true;
    }
  return script_fail(k->r, k->ev, "%s(): socket option %lld at level %lld is not supported",
                     k->c->name, (long long)name, (long long)level);
}

bool script_sc_setsockopt(struct call *k) {
  fin_sock s;
  int64_t level, name;
  enum fin_sockopt opt = FIN_SO_ERROR; /* set by sockopt(); -O3 cannot see that */
  if (!script_sc_argc_is(k, 5) || !script_sc_arg_sock(k, 0, &s, NULL) ||
      !script_sc_arg_int(k, 1, &level) || !script_sc_arg_int(k, 2, &name) ||
      !sockopt(k, level, name, &opt))
    return false;
  const struct script_expr *v = k->c->args[3];
  if (opt == FIN_SO_LINGER) {
    const struct script_expr *on = script_sc_field(v, "onoff", 0),
                             *sec = script_sc_field(v, "linger", 1);
    int64_t a, b;
    if (!on || !sec)
      return script_fail(k->r, k->ev, "SO_LINGER needs {onoff=N, linger=N}");
    if (!script_sc_eval(k, on, &a) || !script_sc_eval(k, sec, &b))
      return false;
    struct fin_linger l = {(int)a, (int)b};
    k->ret = fin_setsockopt(k->r->st, s, opt, &l, sizeof(l));
    return true;
  }
  int64_t val;
  if (!script_sc_eval(k, v, &val))
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
  return script_sc_compare_int(k, "onoff", script_sc_field(v, "onoff", 0), l.onoff) &&
         script_sc_compare_int(k, "linger", script_sc_field(v, "linger", 1), l.linger);
}

bool script_sc_getsockopt(struct call *k) {
  fin_sock s;
  int64_t level, name;
  enum fin_sockopt opt = FIN_SO_ERROR; /* set by sockopt(); -O3 cannot see that */
  if (!script_sc_argc_is(k, 5) || !script_sc_arg_sock(k, 0, &s, NULL) ||
      !script_sc_arg_int(k, 1, &level) || !script_sc_arg_int(k, 2, &name) ||
      !sockopt(k, level, name, &opt))
    return false;
  const struct script_expr *v = k->c->args[3];
  if (opt == FIN_SO_LINGER)
    return get_linger(k, s, v);
  int iv = 0;
  size_t len = sizeof(iv);
  k->ret = fin_getsockopt(k->r->st, s, opt, &iv, &len);
  if (k->ret < 0)
    return true;
  /* SO_ERROR holds a positive errno, like Linux. */
  char what[64];
  snprintf(what, sizeof(what), "the option value%s%s", opt == FIN_SO_ERROR ? " " : "",
           opt == FIN_SO_ERROR && script_errno_name(iv) ? script_errno_name(iv) : "");
  return script_sc_compare_int(k, what, v, iv);
}
