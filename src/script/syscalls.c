/* System calls (README §1a.4) mapped onto fin's socket API. Script fds
 * 3, 4, ... map to fin handles. A call written S...E is retried after
 * every step of virtual time while it would block (-EAGAIN, -EINPROGRESS,
 * -EALREADY, poll with nothing ready); the interpreter checks when it
 * returned. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "script/run.h"
#include "script/symbols.h"

struct call {
  struct script_run *r;
  const struct script_event *ev;
  const struct script_syscall *c;
  bool blocking, first;
  int64_t ret;      /* value, or negative errno */
  bool would_block; /* still blocking: retry later */
  bool fd_result;   /* ret is a fin handle to map to the script's fd */
};

/* ---- arguments ---- */

static bool eval(struct call *k, const struct script_expr *e, int64_t *v) {
  switch (e->kind) {
  case SCRIPT_EXPR_INT:
    *v = e->num;
    return true;
  case SCRIPT_EXPR_WORD:
    if (script_symbol(e->text, v))
      return true;
    return script_fail(k->r, k->ev, "unknown symbol '%s' in %s()", e->text, k->c->name);
  case SCRIPT_EXPR_OR: {
    int64_t a, b;
    if (!eval(k, e->lhs, &a) || !eval(k, e->rhs, &b))
      return false;
    *v = a | b;
    return true;
  }
  case SCRIPT_EXPR_LIST:
    if (e->count == 1)
      return eval(k, e->items[0], v);
    break;
  case SCRIPT_EXPR_FIELD:
    return eval(k, e->lhs, v);
  default:
    break;
  }
  return script_fail(k->r, k->ev, "%s(): expected a number here (line %d col %d)", k->c->name,
                     e->loc.line, e->loc.col);
}

static bool argc_is(struct call *k, size_t n) {
  if (k->c->argc == n)
    return true;
  return script_fail(k->r, k->ev, "%s() takes %zu arguments here, the script gives %zu", k->c->name,
                     n, k->c->argc);
}

static bool arg_int(struct call *k, size_t i, int64_t *v) {
  return eval(k, k->c->args[i], v);
}

static struct script_fd *fd_slot(struct call *k, int64_t fd) {
  if (fd < 0 || fd >= SCRIPT_MAX_FDS || !k->r->fds[fd].used)
    return NULL;
  return &k->r->fds[fd];
}

/* The fin handle behind a script fd; -1 (a stale handle: -EBADF) if none. */
static bool arg_sock(struct call *k, size_t i, fin_sock *s, int64_t *fdout) {
  int64_t fd;
  if (!arg_int(k, i, &fd))
    return false;
  struct script_fd *slot = fd_slot(k, fd);
  *s = slot ? slot->sock : -1;
  if (fdout)
    *fdout = fd;
  return true;
}

/* A struct field by name, or by position when the struct is positional. */
static const struct script_expr *field(const struct script_expr *e, const char *name, size_t pos) {
  if (!e || e->kind != SCRIPT_EXPR_STRUCT)
    return NULL;
  for (size_t i = 0; i < e->count; i++)
    if (e->items[i]->kind == SCRIPT_EXPR_FIELD && strcmp(e->items[i]->text, name) == 0)
      return e->items[i]->lhs;
  if (pos < e->count && e->items[pos]->kind != SCRIPT_EXPR_FIELD)
    return e->items[pos];
  return NULL;
}

/* ---- socket options ---- */

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

static bool sc_setsockopt(struct call *k) {
  fin_sock s;
  int64_t level, name;
  enum fin_sockopt opt = FIN_SO_ERROR; /* set by sockopt(); -O3 cannot see that */
  if (!argc_is(k, 5) || !arg_sock(k, 0, &s, NULL) || !arg_int(k, 1, &level) ||
      !arg_int(k, 2, &name) || !sockopt(k, level, name, &opt))
    return false;
  const struct script_expr *v = k->c->args[3];
  if (opt == FIN_SO_LINGER) {
    const struct script_expr *on = field(v, "onoff", 0), *sec = field(v, "linger", 1);
    int64_t a, b;
    if (!on || !sec)
      return script_fail(k->r, k->ev, "SO_LINGER needs {onoff=N, linger=N}");
    if (!eval(k, on, &a) || !eval(k, sec, &b))
      return false;
    struct fin_linger l = {(int)a, (int)b};
    k->ret = fin_setsockopt(k->r->st, s, opt, &l, sizeof(l));
    return true;
  }
  int64_t val;
  if (!eval(k, v, &val))
    return false;
  int iv = (int)val;
  k->ret = fin_setsockopt(k->r->st, s, opt, &iv, sizeof(iv));
  return true;
}

static bool compare_int(struct call *k, const char *what, const struct script_expr *e,
                        int64_t got) {
  if (!e || e->kind == SCRIPT_EXPR_ELLIPSIS)
    return true;
  int64_t want;
  if (!eval(k, e, &want))
    return false;
  if (want == got)
    return true;
  return script_fail(k->r, k->ev, "%s(): %s is %lld, the script expects %lld", k->c->name, what,
                     (long long)got, (long long)want);
}

static bool get_linger(struct call *k, fin_sock s, const struct script_expr *v) {
  struct fin_linger l = {0, 0};
  size_t len = sizeof(l);
  k->ret = fin_getsockopt(k->r->st, s, FIN_SO_LINGER, &l, &len);
  if (k->ret < 0)
    return true;
  return compare_int(k, "onoff", field(v, "onoff", 0), l.onoff) &&
         compare_int(k, "linger", field(v, "linger", 1), l.linger);
}

static bool sc_getsockopt(struct call *k) {
  fin_sock s;
  int64_t level, name;
  enum fin_sockopt opt = FIN_SO_ERROR; /* set by sockopt(); -O3 cannot see that */
  if (!argc_is(k, 5) || !arg_sock(k, 0, &s, NULL) || !arg_int(k, 1, &level) ||
      !arg_int(k, 2, &name) || !sockopt(k, level, name, &opt))
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
  return compare_int(k, what, v, iv);
}

/* ---- sockets ---- */

static bool sc_socket(struct call *k) {
  int64_t type;
  if (!argc_is(k, 3) || !arg_int(k, 1, &type))
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
  if (!argc_is(k, 3) || !arg_sock(k, 0, &s, NULL))
    return false;
  struct fin_sockaddr a = {k->r->local_addr, SCRIPT_PORT};
  k->ret = fin_bind(k->r->st, s, &a);
  return true;
}

static bool sc_listen(struct call *k) {
  fin_sock s;
  int64_t backlog;
  if (!argc_is(k, 2) || !arg_sock(k, 0, &s, NULL) || !arg_int(k, 1, &backlog))
    return false;
  k->ret = fin_listen(k->r->st, s, (int)backlog);
  return true;
}

static bool sc_accept(struct call *k) {
  fin_sock s;
  if (!argc_is(k, 3) || !arg_sock(k, 0, &s, NULL))
    return false;
  struct fin_sockaddr peer;
  k->ret = fin_accept(k->r->st, s, &peer);
  k->would_block = k->ret == -EAGAIN;
  k->fd_result = true;
  return true;
}

static bool sc_connect(struct call *k) {
  fin_sock s;
  if (!argc_is(k, 3) || !arg_sock(k, 0, &s, NULL))
    return false;
  struct script_run *r = k->r;
  struct fin_sockaddr a = {r->remote_addr, SCRIPT_PORT};
  k->ret = fin_connect(r->st, s, &a);
  if (k->first) {
    /* A new connection under test: fin picks the local port and ISN. */
    struct fin_sockaddr local;
    r->remote_port = SCRIPT_PORT;
    r->isn_known = false;
    if (fin_getsockname(r->st, s, &local) == 0)
      r->local_port = local.port;
  }
  if (k->blocking) {
    k->would_block = k->ret == -EINPROGRESS || k->ret == -EALREADY;
    if (k->ret == -EISCONN && !k->first)
      k->ret = 0;
  }
  return true;
}

static bool sc_read(struct call *k) {
  fin_sock s;
  int64_t n, flags = 0;
  bool recv = strcmp(k->c->name, "recv") == 0;
  if (!argc_is(k, recv ? 4 : 3) || !arg_sock(k, 0, &s, NULL) || !arg_int(k, 2, &n) ||
      (recv && !arg_int(k, 3, &flags)))
    return false;
  void *buf = malloc(n > 0 ? (size_t)n : 1);
  if (!buf)
    return script_fail(k->r, k->ev, "out of memory");
  k->ret = fin_recv(k->r->st, s, buf, (size_t)(n > 0 ? n : 0), (int)flags);
  free(buf);
  k->would_block = k->ret == -EAGAIN;
  return true;
}

static bool sc_write(struct call *k) {
  fin_sock s;
  int64_t n, flags = 0;
  bool send = strcmp(k->c->name, "send") == 0;
  if (!argc_is(k, send ? 4 : 3) || !arg_sock(k, 0, &s, NULL) || !arg_int(k, 2, &n) ||
      (send && !arg_int(k, 3, &flags)))
    return false;
  struct script_pending *p = &k->r->pending;
  size_t done = k->blocking && !k->first ? p->progress : 0;
  size_t want = (size_t)(n > 0 ? n : 0);
  void *zeros = calloc(want > done ? want - done : 1, 1);
  if (!zeros)
    return script_fail(k->r, k->ev, "out of memory");
  ssize_t rc = fin_send(k->r->st, s, zeros, want - done, (int)flags);
  free(zeros);
  /* A blocking write returns when all of it is queued (or on error). */
  if (k->blocking && (rc == -EAGAIN || (rc >= 0 && done + (size_t)rc < want))) {
    p->progress = done + (size_t)(rc > 0 ? rc : 0);
    k->would_block = true;
  }
  k->ret = rc >= 0 ? (int64_t)(done + (size_t)rc) : rc;
  return true;
}

static bool sc_close(struct call *k) {
  fin_sock s;
  int64_t fd;
  if (!argc_is(k, 1) || !arg_sock(k, 0, &s, &fd))
    return false;
  k->ret = fin_close(k->r->st, s);
  /* SO_LINGER {1,N} on a blocking socket: call again until done. */
  k->would_block = k->blocking && k->ret == -EINPROGRESS;
  struct script_fd *slot = fd_slot(k, fd);
  if (slot && k->ret != -EINPROGRESS)
    slot->used = false;
  return true;
}

static bool sc_shutdown(struct call *k) {
  fin_sock s;
  int64_t how;
  if (!argc_is(k, 2) || !arg_sock(k, 0, &s, NULL) || !arg_int(k, 1, &how))
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
    return argc_is(k, 3);
  if (!arg_sock(k, 0, &s, &fd) || !arg_int(k, 1, &cmd))
    return false;
  struct script_fd *slot = fd_slot(k, fd);
  if (cmd == F_GETFL) {
    k->ret = slot ? (int64_t)k->r->profile.fcntl_rdwr | (slot->nonblock ? O_NONBLOCK : 0) : -EBADF;
    return true;
  }
  if (cmd != F_SETFL)
    return script_fail(k->r, k->ev, "fcntl: only F_GETFL and F_SETFL are supported");
  if (!argc_is(k, 3) || !arg_int(k, 2, &arg))
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
  if (!argc_is(k, 3) || !arg_sock(k, 0, &s, NULL) || !arg_int(k, 1, &req))
    return false;
  int64_t siocinq;
  script_symbol("SIOCINQ", &siocinq);
  if (req != siocinq)
    return script_fail(k->r, k->ev, "ioctl: only SIOCINQ/FIONREAD is supported");
  int n = fin_inq(k->r->st, s);
  k->ret = n < 0 ? n : 0;
  return n < 0 || compare_int(k, "the SIOCINQ byte count", k->c->args[2], n);
}

/* ---- poll ---- */

static void poll_bits_text(int64_t bits, char *out, size_t cap) {
  static const char *names[] = {"POLLIN",  "POLLPRI",  "POLLOUT",  "POLLERR",
                                "POLLHUP", "POLLNVAL", "POLLRDHUP"};
  static const int values[] = {POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL, 0x2000};
  size_t w = 0;
  out[0] = '\0';
  for (size_t i = 0; i < 7 && w < cap; i++)
    if (bits & values[i])
      w += (size_t)snprintf(out + w, cap - w, "%s%s", w ? "|" : "", names[i]);
  if (w == 0)
    snprintf(out, cap, "0");
}

/* revents of one pollfd struct; checks the scripted revents when the call
 * is done. */
static bool poll_one(struct call *k, const struct script_expr *pfd, bool check, int *ready) {
  const struct script_expr *fe = field(pfd, "fd", 0), *ee = field(pfd, "events", 1),
                           *re = field(pfd, "revents", 2);
  int64_t fd, events;
  if (!fe || !ee)
    return script_fail(k->r, k->ev, "poll: each entry needs {fd=N, events=..., revents=...}");
  if (!eval(k, fe, &fd) || !eval(k, ee, &events))
    return false;
  struct script_fd *slot = fd_slot(k, fd);
  int bits = slot ? fin_poll(k->r->st, slot->sock) : POLLNVAL;
  int64_t rev = bits & (events | POLLERR | POLLHUP | POLLNVAL);
  *ready += rev != 0;
  if (!check || !re)
    return true;
  int64_t want;
  if (!eval(k, re, &want))
    return false;
  if (want == rev)
    return true;
  char a[96], b[96];
  poll_bits_text(rev, a, sizeof(a));
  poll_bits_text(want, b, sizeof(b));
  return script_fail(k->r, k->ev, "poll: fd %lld revents are %s, the script expects %s",
                     (long long)fd, a, b);
}

static bool poll_pass(struct call *k, bool check, int *ready) {
  const struct script_expr *list = k->c->args[0];
  *ready = 0;
  for (size_t i = 0; i < list->count; i++)
    if (!poll_one(k, list->items[i], check, ready))
      return false;
  return true;
}

static bool sc_poll(struct call *k) {
  int64_t nfds, timeout;
  if (!argc_is(k, 3) || !arg_int(k, 1, &nfds) || !arg_int(k, 2, &timeout))
    return false;
  if (k->c->args[0]->kind != SCRIPT_EXPR_LIST || (int64_t)k->c->args[0]->count != nfds)
    return script_fail(k->r, k->ev, "poll: expected a list of %lld pollfd structs",
                       (long long)nfds);
  struct script_pending *p = &k->r->pending;
  if (k->blocking && k->first && timeout > 0)
    p->timeout = p->start + FIN_MS(timeout);
  int ready;
  if (!poll_pass(k, false, &ready))
    return false;
  bool expired = timeout == 0 || (timeout > 0 && k->r->now >= p->timeout);
  k->would_block = k->blocking && ready == 0 && !expired;
  k->ret = ready;
  return k->would_block || poll_pass(k, true, &ready);
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
    {"read", sc_read},
    {"recv", sc_read},
    {"write", sc_write},
    {"send", sc_write},
    {"close", sc_close},
    {"shutdown", sc_shutdown},
    {"setsockopt", sc_setsockopt},
    {"getsockopt", sc_getsockopt},
    {"fcntl", sc_fcntl},
    {"ioctl", sc_ioctl},
    {"poll", sc_poll},
};

static void result_text(int64_t v, char *out, size_t cap) {
  if (v >= 0) {
    snprintf(out, cap, "%lld", (long long)v);
    return;
  }
  const char *name = script_errno_name((int)-v);
  snprintf(out, cap, "-1 %s", name ? name : "(unknown errno)");
}

/* fd-returning calls bind the script's fd number to the new handle. */
static bool map_fd(struct call *k, int64_t want) {
  if (want < 0 || want >= SCRIPT_MAX_FDS)
    return script_fail(k->r, k->ev, "%s(): fd %lld is out of the runner's range", k->c->name,
                       (long long)want);
  if (k->r->fds[want].used)
    return script_fail(k->r, k->ev, "%s(): script fd %lld is already open", k->c->name,
                       (long long)want);
  k->r->fds[want] = (struct script_fd){.used = true, .sock = k->ret};
  k->r->fd_under_test = (int)want;
  return true;
}

static bool check_result(struct call *k) {
  int64_t want;
  if (!eval(k, k->c->result, &want))
    return false;
  int64_t want_errno = 0;
  if (k->c->errno_name && !script_symbol(k->c->errno_name, &want_errno))
    return script_fail(k->r, k->ev, "unknown errno '%s'", k->c->errno_name);
  bool ok;
  if (want < 0)
    ok = k->ret < 0 && (!k->c->errno_name || -k->ret == want_errno);
  else
    ok = k->ret == want || (k->fd_result && k->ret >= 0);
  if (!ok) {
    char got[64];
    result_text(k->ret, got, sizeof(got));
    return script_fail(k->r, k->ev, "%s() returned %s, the script expects %lld%s%s", k->c->name,
                       got, (long long)want, k->c->errno_name ? " " : "",
                       k->c->errno_name ? k->c->errno_name : "");
  }
  return !k->fd_result || want < 0 || map_fd(k, want);
}

int script_syscall(struct script_run *r, const struct script_event *ev, bool blocking, bool first) {
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
      script_note(r, "%s() = %s", k.c->name, got);
    }
    return check_result(&k) ? 1 : -1;
  }
  script_fail(r, ev, "system call %s() is not supported by fin's runner", k.c->name);
  return -1;
}

/* packetdrill resets every connection at the end (README §1a.10); that is
 * cleanup, never checked, and fin_stack_free() releases everything, so
 * the runner only forgets its fds. */
void script_close_all(struct script_run *r) {
  for (int fd = 0; fd < SCRIPT_MAX_FDS; fd++)
    r->fds[fd].used = false;
}
