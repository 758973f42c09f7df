/* SPDX-License-Identifier: MIT */
/* System calls (README §1a.4) mapped onto fin's socket API. Script fds
 * 3, 4, ... map to fin handles. A call written S...E is retried after
 * every step of virtual time while it would block (-EAGAIN, -EINPROGRESS,
 * -EALREADY, poll with nothing ready); the interpreter checks when it
 * returned. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "script/run.h"
#include "script/symbols.h"
#include "script/syscall_internal.h"

/* ---- arguments ---- */

/* htons(N), ntohs, htonl, ntohl: the number itself (fields are compared
 * in host order); inet_addr("a.b.c.d"): the address in host order. */
static bool eval_call(struct call *k, const struct script_expr *e, int64_t *v) {
  const char *f = e->text;
  if (e->count != 1)
    return fin_script_fail(k->r, k->ev, "%s(): %s() takes one argument", k->c->name, f);
  const struct script_expr *a = e->items[0];
  if (strcmp(f, "htons") == 0 || strcmp(f, "ntohs") == 0 || strcmp(f, "htonl") == 0 ||
      strcmp(f, "ntohl") == 0)
    return fin_script_sc_eval(k, a, v);
  if (strcmp(f, "inet_addr") == 0 && a->kind == SCRIPT_EXPR_STRING) {
    struct in_addr in;
    if (inet_pton(AF_INET, a->text, &in) != 1)
      return fin_script_fail(k->r, k->ev, "%s(): inet_addr(\"%s\") is not an IPv4 address",
                             k->c->name, a->text);
    *v = ntohl(in.s_addr);
    return true;
  }
  if (strcmp(f, "inet6_addr") == 0)
    return fin_script_fail(
        k->r, k->ev, "%s(): inet6_addr() is an IPv6 address: only sin6_addr takes one", k->c->name);
  return fin_script_fail(k->r, k->ev, "%s(): function %s() is not known to fin's runner",
                         k->c->name, f);
}

bool fin_script_sc_eval(struct call *k, const struct script_expr *e, int64_t *v) {
  switch (e->kind) {
  case SCRIPT_EXPR_CALL:
    return eval_call(k, e, v);
  case SCRIPT_EXPR_INT:
    *v = e->num;
    return true;
  case SCRIPT_EXPR_WORD:
    if (fin_script_symbol(e->text, v))
      return true;
    return fin_script_fail(k->r, k->ev, "unknown symbol '%s' in %s()", e->text, k->c->name);
  case SCRIPT_EXPR_OR: {
    int64_t a, b;
    if (!fin_script_sc_eval(k, e->lhs, &a) || !fin_script_sc_eval(k, e->rhs, &b))
      return false;
    *v = a | b;
    return true;
  }
  case SCRIPT_EXPR_LIST:
    if (e->count == 1)
      return fin_script_sc_eval(k, e->items[0], v);
    break;
  case SCRIPT_EXPR_FIELD:
    return fin_script_sc_eval(k, e->lhs, v);
  default:
    break;
  }
  return fin_script_fail(k->r, k->ev, "%s(): expected a number here (line %d col %d)", k->c->name,
                         e->loc.line, e->loc.col);
}

bool fin_script_sc_argc_is(struct call *k, size_t n) {
  if (k->c->argc == n)
    return true;
  return fin_script_fail(k->r, k->ev, "%s() takes %zu arguments here, the script gives %zu",
                         k->c->name, n, k->c->argc);
}

bool fin_script_sc_arg_int(struct call *k, size_t i, int64_t *v) {
  return fin_script_sc_eval(k, k->c->args[i], v);
}

struct script_fd *fin_script_sc_fd_slot(struct call *k, int64_t fd) {
  if (fd < 0 || fd >= SCRIPT_MAX_FDS || !k->r->fds[fd].used)
    return NULL;
  return &k->r->fds[fd];
}

/* The fin handle behind a script fd; -1 (a stale handle: -EBADF) if none. */
bool fin_script_sc_arg_sock(struct call *k, size_t i, fin_sock *s, int64_t *fdout) {
  int64_t fd;
  if (!fin_script_sc_arg_int(k, i, &fd))
    return false;
  struct script_fd *slot = fin_script_sc_fd_slot(k, fd);
  *s = slot ? slot->sock : -1;
  if (fdout)
    *fdout = fd;
  return true;
}

/* A struct field by name, or by position when the struct is positional. */
const struct script_expr *fin_script_sc_field(const struct script_expr *e, const char *name,
                                              size_t pos) {
  if (!e || e->kind != SCRIPT_EXPR_STRUCT)
    return NULL;
  for (size_t i = 0; i < e->count; i++)
    if (e->items[i]->kind == SCRIPT_EXPR_FIELD && strcmp(e->items[i]->text, name) == 0)
      return e->items[i]->lhs;
  if (pos < e->count && e->items[pos]->kind != SCRIPT_EXPR_FIELD)
    return e->items[pos];
  return NULL;
}

bool fin_script_sc_compare_int(struct call *k, const char *what, const struct script_expr *e,
                               int64_t got) {
  if (!e || e->kind == SCRIPT_EXPR_ELLIPSIS)
    return true;
  int64_t want;
  if (!fin_script_sc_eval(k, e, &want))
    return false;
  if (want == got)
    return true;
  return fin_script_fail(k->r, k->ev, "%s(): %s is %lld, the script expects %lld", k->c->name, what,
                         (long long)got, (long long)want);
}

/* ---- sockets ---- */

static bool sc_socket(struct call *k) {
  int64_t type;
  if (!fin_script_sc_argc_is(k, 3) || !fin_script_sc_arg_int(k, 1, &type))
    return false;
  k->ret = fin_socket(k->r->st);
  k->fd_result = true;
  if (k->ret >= 0 && (type & SOCK_NONBLOCK)) {
    int one = 1;
    fin_setsockopt(k->r->st, k->ret, FIN_SO_NONBLOCK, &one, sizeof(one));
  }
  return true;
}

static bool sc_bind(struct call *k) {
  fin_sock s;
  if (!fin_script_sc_argc_is(k, 3) || !fin_script_sc_arg_sock(k, 0, &s, NULL))
    return false;
  struct fin_sockaddr a = {k->r->local_addr, SCRIPT_PORT, (uint8_t)fin_script_sock_family(k->r)};
  k->ret = fin_bind(k->r->st, s, &a);
  return true;
}

static bool sc_listen(struct call *k) {
  fin_sock s;
  int64_t backlog;
  if (!fin_script_sc_argc_is(k, 2) || !fin_script_sc_arg_sock(k, 0, &s, NULL) ||
      !fin_script_sc_arg_int(k, 1, &backlog))
    return false;
  k->ret = fin_listen(k->r->st, s, (int)backlog);
  return true;
}

static bool sc_accept(struct call *k) {
  fin_sock s;
  if (!fin_script_sc_argc_is(k, 3) || !fin_script_sc_arg_sock(k, 0, &s, NULL))
    return false;
  struct fin_sockaddr peer;
  k->ret = fin_accept(k->r->st, s, &peer);
  k->would_block = k->ret == -EAGAIN;
  k->fd_result = true;
  return true;
}

struct fin_sockaddr fin_script_sc_peer(const struct script_run *r) {
  struct fin_sockaddr a = {r->remote_addr, SCRIPT_PORT, (uint8_t)fin_script_sock_family(r)};
  return a;
}

void fin_script_sc_connecting(struct call *k, fin_sock s) {
  if (!k->first)
    return;
  /* A new connection under test: fin picks the local port and ISN. */
  struct script_run *r = k->r;
  struct fin_sockaddr local;
  r->remote_port = SCRIPT_PORT;
  r->isn_known = false;
  if (fin_getsockname(r->st, s, &local) == 0)
    r->local_port = local.port;
}

static bool sc_connect(struct call *k) {
  fin_sock s;
  if (!fin_script_sc_argc_is(k, 3) || !fin_script_sc_arg_sock(k, 0, &s, NULL))
    return false;
  struct script_run *r = k->r;
  struct fin_sockaddr a = fin_script_sc_peer(r);
  k->ret = fin_connect(r->st, s, &a);
  fin_script_sc_connecting(k, s);
  if (k->blocking) {
    k->would_block = k->ret == -EINPROGRESS || k->ret == -EALREADY;
    if (k->ret == -EISCONN && !k->first)
      k->ret = 0;
  }
  return true;
}

static bool sc_close(struct call *k) {
  fin_sock s;
  int64_t fd;
  if (!fin_script_sc_argc_is(k, 1) || !fin_script_sc_arg_sock(k, 0, &s, &fd))
    return false;
  struct script_fd *ep = fin_script_sc_fd_slot(k, fd);
  if (ep && ep->epoll) {
    ep->used = false;
    k->ret = 0;
    return true;
  }
  k->ret = fin_close(k->r->st, s);
  /* SO_LINGER {1,N} on a blocking socket: call again until done. */
  k->would_block = k->blocking && k->ret == -EINPROGRESS;
  struct script_fd *slot = fin_script_sc_fd_slot(k, fd);
  if (slot && k->ret != -EINPROGRESS)
    slot->used = false;
  return true;
}

/* A sockaddr field under either of its names (sa_family or sin6_family). */
static const struct script_expr *sa_field(const struct script_expr *v, const char *name,
                                          const char *alias, size_t pos) {
  const struct script_expr *e = fin_script_sc_field(v, name, pos);
  return e ? e : fin_script_sc_field(v, alias, SIZE_MAX);
}

/* sin6_addr=inet6_addr("2001:db8::1") (or the address as a string) against
 * fin's address; "..." or no field matches anything. */
static bool compare_addr6(struct call *k, const struct script_expr *e, const struct fin_addr *got) {
  if (!e || e->kind == SCRIPT_EXPR_ELLIPSIS)
    return true;
  if (e->kind == SCRIPT_EXPR_CALL && strcmp(e->text, "inet6_addr") == 0 && e->count == 1)
    e = e->items[0];
  struct fin_addr want;
  if (e->kind != SCRIPT_EXPR_STRING || fin_addr_parse(e->text, &want) != 0)
    return fin_script_fail(k->r, k->ev, "%s(): sin6_addr takes inet6_addr(\"IPv6 address\")",
                           k->c->name);
  if (fin_addr_eq(&want, got))
    return true;
  char a[FIN_ADDR_STRLEN], b[FIN_ADDR_STRLEN];
  fin_addr_format(got, true, a, sizeof(a));
  fin_addr_format(&want, true, b, sizeof(b));
  return fin_script_fail(k->r, k->ev, "%s(): sin6_addr is %s, the script expects %s", k->c->name, a,
                         b);
}

/* {sa_family=AF_INET, sin_port=htons(N), sin_addr=inet_addr("a.b.c.d")}
 * or, for an AF_INET6 socket, {sin6_family=AF_INET6, sin6_port=htons(N),
 * sin6_addr=inet6_addr("x::y")} with length 28; each field compared when
 * written, "..." matches anything. */
static bool sc_sockname(struct call *k) {
  fin_sock s;
  if (!fin_script_sc_argc_is(k, 3) || !fin_script_sc_arg_sock(k, 0, &s, NULL))
    return false;
  struct fin_sockaddr a;
  bool peer = strcmp(k->c->name, "getpeername") == 0;
  k->ret = peer ? fin_getpeername(k->r->st, s, &a) : fin_getsockname(k->r->st, s, &a);
  const struct script_expr *v = k->c->args[1];
  if (k->ret < 0 || v->kind == SCRIPT_EXPR_ELLIPSIS)
    return true;
  if (a.family == FIN_AF_INET6)
    return fin_script_sc_compare_int(k, "sa_family", sa_field(v, "sa_family", "sin6_family", 0),
                                     AF_INET6) &&
           fin_script_sc_compare_int(k, "sin6_port", fin_script_sc_field(v, "sin6_port", 1),
                                     a.port) &&
           compare_addr6(k, fin_script_sc_field(v, "sin6_addr", 3), &a.addr) &&
           fin_script_sc_compare_int(k, "the address length", k->c->args[2],
                                     (int64_t)sizeof(struct sockaddr_in6));
  return fin_script_sc_compare_int(k, "sa_family", sa_field(v, "sa_family", "sin_family", 0),
                                   AF_INET) &&
         fin_script_sc_compare_int(k, "sin_port", fin_script_sc_field(v, "sin_port", 1), a.port) &&
         fin_script_sc_compare_int(k, "sin_addr", fin_script_sc_field(v, "sin_addr", 2),
                                   fin_addr_get_v4(&a.addr)) &&
         fin_script_sc_compare_int(k, "the address length", k->c->args[2],
                                   (int64_t)sizeof(struct sockaddr_in));
}

static bool sc_shutdown(struct call *k) {
  fin_sock s;
  int64_t how;
  if (!fin_script_sc_argc_is(k, 2) || !fin_script_sc_arg_sock(k, 0, &s, NULL) ||
      !fin_script_sc_arg_int(k, 1, &how))
    return false;
  k->ret = fin_shutdown(k->r->st, s, (int)how);
  return true;
}

/* F_GETFL reports O_RDWR plus O_NONBLOCK; F_SETFL O_NONBLOCK maps to
 * FIN_SO_NONBLOCK. */
static bool sc_fcntl(struct call *k) {
  fin_sock s;
  int64_t fd, cmd, arg = 0;
  if (k->c->argc < 2 || k->c->argc > 3)
    return fin_script_sc_argc_is(k, 3);
  if (!fin_script_sc_arg_sock(k, 0, &s, &fd) || !fin_script_sc_arg_int(k, 1, &cmd))
    return false;
  struct script_fd *slot = fin_script_sc_fd_slot(k, fd);
  if (cmd == F_GETFL) {
    k->ret = slot ? (int64_t)k->r->profile.fcntl_rdwr | (slot->nonblock ? O_NONBLOCK : 0) : -EBADF;
    return true;
  }
  if (cmd != F_SETFL)
    return fin_script_fail(k->r, k->ev, "fcntl: only F_GETFL and F_SETFL are supported");
  if (!fin_script_sc_argc_is(k, 3) || !fin_script_sc_arg_int(k, 2, &arg))
    return false;
  int on = (arg & O_NONBLOCK) != 0;
  k->ret = fin_setsockopt(k->r->st, s, FIN_SO_NONBLOCK, &on, sizeof(on));
  if (k->ret == 0 && slot)
    slot->nonblock = on;
  return true;
}

static bool sc_ioctl(struct call *k) {
  fin_sock s;
  int64_t req;
  if (!fin_script_sc_argc_is(k, 3) || !fin_script_sc_arg_sock(k, 0, &s, NULL) ||
      !fin_script_sc_arg_int(k, 1, &req))
    return false;
  int64_t siocinq;
  fin_script_symbol("SIOCINQ", &siocinq);
  if (req != siocinq)
    return fin_script_fail(k->r, k->ev, "ioctl: only SIOCINQ/FIONREAD is supported");
  int n = fin_inq(k->r->st, s);
  k->ret = n < 0 ? n : 0;
  return n < 0 || fin_script_sc_compare_int(k, "the SIOCINQ byte count", k->c->args[2], n);
}

/* ---- dispatch and results ---- */

static const struct {
  const char *name;
  bool (*fn)(struct call *k);
} calls[] = {
    {"socket", sc_socket},
    {"bind", sc_bind},
    {"listen", sc_listen},
    {"accept", sc_accept},
    {"connect", sc_connect},
    {"read", fin_script_sc_io},
    {"recv", fin_script_sc_io},
    {"recvfrom", fin_script_sc_io},
    {"readv", fin_script_sc_io},
    {"recvmsg", fin_script_sc_io},
    {"write", fin_script_sc_io},
    {"send", fin_script_sc_io},
    {"sendto", fin_script_sc_io},
    {"writev", fin_script_sc_io},
    {"sendmsg", fin_script_sc_io},
    {"close", sc_close},
    {"shutdown", sc_shutdown},
    {"setsockopt", fin_script_sc_setsockopt},
    {"getsockopt", fin_script_sc_getsockopt},
    {"fcntl", sc_fcntl},
    {"ioctl", sc_ioctl},
    {"poll", fin_script_sc_poll},
    {"epoll_create", fin_script_sc_epoll_create},
    {"epoll_create1", fin_script_sc_epoll_create},
    {"epoll_ctl", fin_script_sc_epoll_ctl},
    {"epoll_wait", fin_script_sc_epoll_wait},
    {"getsockname", sc_sockname},
    {"getpeername", sc_sockname},
};

static void result_text(int64_t v, char *out, size_t cap) {
  if (v >= 0) {
    snprintf(out, cap, "%lld", (long long)v);
    return;
  }
  const char *name = fin_script_errno_name((int)-v);
  snprintf(out, cap, "-1 %s", name ? name : "(unknown errno)");
}

/* fd-returning calls bind the script's fd number to the new handle. */
static bool map_fd(struct call *k, int64_t want) {
  if (want < 0 || want >= SCRIPT_MAX_FDS)
    return fin_script_fail(k->r, k->ev, "%s(): fd %lld is out of the runner's range", k->c->name,
                           (long long)want);
  if (k->r->fds[want].used)
    return fin_script_fail(k->r, k->ev, "%s(): script fd %lld is already open", k->c->name,
                           (long long)want);
  k->r->fds[want] = (struct script_fd){.used = true, .sock = k->ret, .epoll = k->fd_is_epoll};
  k->r->fd_under_test = (int)want;
  return true;
}

static bool check_result(struct call *k) {
  int64_t want;
  if (!fin_script_sc_eval(k, k->c->result, &want))
    return false;
  int64_t want_errno = 0;
  if (k->c->errno_name && !fin_script_symbol(k->c->errno_name, &want_errno))
    return fin_script_fail(k->r, k->ev, "unknown errno '%s'", k->c->errno_name);
  bool ok;
  if (want < 0)
    ok = k->ret < 0 && (!k->c->errno_name || -k->ret == want_errno);
  else
    ok = k->ret == want || (k->fd_result && k->ret >= 0);
  if (!ok) {
    char got[64];
    result_text(k->ret, got, sizeof(got));
    if (k->r->non_fatal_syscall) {
      /* --non_fatal=syscall: reported, the script goes on. */
      fprintf(k->r->out,
              "%s:%d: warning (--non_fatal=syscall): %s() returned %s, the script "
              "expects %lld\n",
              k->r->s->path, k->ev->loc.line, k->c->name, got, (long long)want);
      return true;
    }
    return fin_script_fail(k->r, k->ev, "%s() returned %s, the script expects %lld%s%s", k->c->name,
                           got, (long long)want, k->c->errno_name ? " " : "",
                           k->c->errno_name ? k->c->errno_name : "");
  }
  return !k->fd_result || want < 0 || map_fd(k, want);
}

int fin_script_syscall(struct script_run *r, const struct script_event *ev, bool blocking,
                       bool first) {
  struct call k = {.r = r, .ev = ev, .c = &ev->call, .blocking = blocking, .first = first};
  fin_stack_set_now(r->st, r->now);
  for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
    if (strcmp(calls[i].name, k.c->name) != 0)
      continue;
    if (!calls[i].fn(&k))
      return -1;
    /* Without '...' a call must complete now: the would-block result
     * (-EAGAIN, -EINPROGRESS) is what the script is checked against. */
    if (k.would_block && blocking)
      return 0;
    if (r->verbose) {
      char got[64];
      result_text(k.ret, got, sizeof(got));
      fin_script_note(r, "%s() = %s", k.c->name, got);
    }
    return check_result(&k) ? 1 : -1;
  }
  fin_script_fail(r, ev, "system call %s() is not supported by fin's runner", k.c->name);
  return -1;
}

/* packetdrill resets every connection at the end (README §1a.10); that is
 * cleanup, never checked, and fin_stack_free() releases everything, so
 * the runner only forgets its fds. */
void fin_script_close_all(struct script_run *r) {
  for (int fd = 0; fd < SCRIPT_MAX_FDS; fd++)
    r->fds[fd].used = false;
}
