/* SPDX-License-Identifier: MIT */
/* Data calls (README §1a.4): read/recv/recvfrom/readv/recvmsg and
 * write/send/sendto/writev/sendmsg, with their buffers written as "...",
 * iovec lists [{..., N}] and msghdr structs {msg_iov(1)=[...], ...}. The
 * payload is zeros (what packetdrill sends); a NULL or literal pointer is
 * the kernel's -1 EFAULT; MSG_* flags fin has no meaning for fail with a
 * message naming them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "script/symbols.h"
#include "script/syscall_internal.h"

enum io_form { IO_PLAIN, IO_VEC, IO_MSG };

/* Where a call keeps its fd (always 0), buffer, length and flags. */
struct io_shape {
  const char *name;
  bool send;
  enum io_form form;
  size_t argc;
  int len_arg, flags_arg; /* -1: none */
};

static const struct io_shape shapes[] = {
    {"read", false, IO_PLAIN, 3, 2, -1},    {"recv", false, IO_PLAIN, 4, 2, 3},
    {"recvfrom", false, IO_PLAIN, 6, 2, 3}, {"readv", false, IO_VEC, 3, 2, -1},
    {"recvmsg", false, IO_MSG, 3, -1, 2},   {"write", true, IO_PLAIN, 3, 2, -1},
    {"send", true, IO_PLAIN, 4, 2, 3},      {"sendto", true, IO_PLAIN, 6, 2, 3},
    {"writev", true, IO_VEC, 3, 2, -1},     {"sendmsg", true, IO_MSG, 3, -1, 2},
};

/* What one data call asks for. */
struct io_req {
  const struct io_shape *shape;
  fin_sock sock;
  size_t len;
  int64_t flags;
  bool bad_pointer; /* NULL or a literal address: -EFAULT */
  bool to_peer;     /* sendto() names an address: the script's remote one */
};

/* A buffer argument: "..." is a buffer the runner provides; NULL or a
 * number is a pointer the script chose, which no test could make valid. */
static void check_pointer(const struct script_expr *e, struct io_req *q) {
  if (e->kind == SCRIPT_EXPR_INT || (e->kind == SCRIPT_EXPR_WORD && strcmp(e->text, "NULL") == 0))
    q->bad_pointer = true;
}

/* [{..., 100}, {iov_base=..., iov_len=200}]: the lengths add up. */
static bool iovec_len(struct call *k, const struct script_expr *list, struct io_req *q) {
  if (!list || list->kind != SCRIPT_EXPR_LIST)
    return fin_script_fail(k->r, k->ev, "%s(): expected an iovec list [{..., len}, ...]",
                           k->c->name);
  for (size_t i = 0; i < list->count; i++) {
    const struct script_expr *base = fin_script_sc_field(list->items[i], "iov_base", 0);
    const struct script_expr *len = fin_script_sc_field(list->items[i], "iov_len", 1);
    int64_t n;
    if (!base || !len)
      return fin_script_fail(k->r, k->ev, "%s(): each iovec needs {iov_base, iov_len}", k->c->name);
    if (!fin_script_sc_eval(k, len, &n))
      return false;
    check_pointer(base, q);
    q->len += (size_t)(n > 0 ? n : 0);
  }
  return true;
}

/* {msg_name(...)=..., msg_iov(N)=[...], msg_control(...)=..., msg_flags=F}. */
static bool msghdr_len(struct call *k, const struct script_expr *m, struct io_req *q) {
  const struct script_expr *iov = fin_script_sc_field(m, "msg_iov", 99);
  const struct script_expr *ctl = fin_script_sc_field(m, "msg_control", 99);
  if (!m || m->kind != SCRIPT_EXPR_STRUCT || !iov)
    return fin_script_fail(k->r, k->ev, "%s(): expected a msghdr {msg_iov(N)=[...], ...}",
                           k->c->name);
  if (ctl && ctl->kind != SCRIPT_EXPR_ELLIPSIS)
    return fin_script_fail(
        k->r, k->ev, "%s(): msg_control (ancillary data) is not supported by fin", k->c->name);
  return iovec_len(k, iov, q);
}

/* MSG_* flags: what fin honours passes, the rest is refused by name. */
static bool check_flags(struct call *k, const struct io_req *q) {
  static const struct {
    const char *name, *why;
  } refused[] = {
      {"MSG_ZEROCOPY", "not supported by fin (no zero-copy sends)"},
      {"MSG_ERRQUEUE", "not supported by fin (no error queue)"},
      {"MSG_OOB", "not supported by fin (no urgent data, BEHAVIOR D10)"},
      {"MSG_MORE", "not supported by fin (no corking)"},
      {"MSG_TRUNC", "not supported by fin"},
  };
  int64_t known = MSG_PEEK | MSG_DONTWAIT | MSG_WAITALL | MSG_EOR | MSG_NOSIGNAL | MSG_FASTOPEN;
  for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
    int64_t bit;
    if (fin_script_symbol(refused[i].name, &bit) && (q->flags & bit))
      return fin_script_fail(k->r, k->ev, "%s(): %s: %s", k->c->name, refused[i].name,
                             refused[i].why);
  }
  if (q->flags & ~known)
    return fin_script_fail(k->r, k->ev, "%s(): flags 0x%llx are not known to fin's runner",
                           k->c->name, (unsigned long long)(q->flags & ~known));
  if (q->shape->send && (q->flags & MSG_PEEK))
    return fin_script_fail(k->r, k->ev, "%s(): MSG_PEEK on a send", k->c->name);
  return true;
}

static bool parse_req(struct call *k, struct io_req *q) {
  const struct io_shape *sh = q->shape;
  int64_t n = 0;
  if (!fin_script_sc_argc_is(k, sh->argc) || !fin_script_sc_arg_sock(k, 0, &q->sock, NULL))
    return false;
  if (sh->flags_arg >= 0 && !fin_script_sc_arg_int(k, (size_t)sh->flags_arg, &q->flags))
    return false;
  if (sh->form == IO_MSG)
    return msghdr_len(k, k->c->args[1], q) && check_flags(k, q);
  if (!fin_script_sc_arg_int(k, (size_t)sh->len_arg, &n))
    return false;
  if (sh->form == IO_VEC) {
    if (!iovec_len(k, k->c->args[1], q))
      return false;
    if ((size_t)n != k->c->args[1]->count)
      return fin_script_fail(k->r, k->ev, "%s(): iovcnt %lld, the list has %zu", sh->name,
                             (long long)n, k->c->args[1]->count);
    return check_flags(k, q);
  }
  check_pointer(k->c->args[1], q);
  q->len = (size_t)(n > 0 ? n : 0);
  /* sendto(fd, buf, len, flags, addr, addrlen): "..." or a sockaddr is the
   * script's remote address, as packetdrill fills it in. */
  const struct script_expr *to = sh->argc == 6 && sh->send ? k->c->args[4] : NULL;
  q->to_peer = to != NULL && !(to->kind == SCRIPT_EXPR_WORD && strcmp(to->text, "NULL") == 0) &&
               to->kind != SCRIPT_EXPR_INT;
  return check_flags(k, q);
}

static void do_recv(struct call *k, const struct io_req *q) {
  void *buf = malloc(q->len ? q->len : 1);
  if (!buf) {
    k->ret = -ENOMEM;
    return;
  }
  int flags =
      (q->flags & MSG_PEEK ? FIN_MSG_PEEK : 0) | (q->flags & MSG_DONTWAIT ? FIN_MSG_DONTWAIT : 0);
  k->ret = fin_recv(k->r->st, q->sock, buf, q->len, flags);
  free(buf);
  k->would_block = k->ret == -EAGAIN && !(q->flags & MSG_DONTWAIT);
}

/* A blocking send returns when all of it is queued (or on error). */
static void do_send(struct call *k, const struct io_req *q) {
  struct script_pending *p = &k->r->pending;
  size_t done = k->blocking && !k->first ? p->progress : 0;
  void *zeros = calloc(q->len > done ? q->len - done : 1, 1);
  if (!zeros) {
    k->ret = -ENOMEM;
    return;
  }
  int flags = (q->flags & MSG_DONTWAIT ? FIN_MSG_DONTWAIT : 0) |
              (q->flags & MSG_FASTOPEN ? FIN_MSG_FASTOPEN : 0);
  ssize_t rc;
  if (q->to_peer) {
    /* On a socket not yet connected, an implied connect (MSG_FASTOPEN, or
     * BSD's sendto): a new connection under test, as connect() makes. */
    bool unconnected = fin_sock_state(k->r->st, q->sock) == FIN_CLOSED;
    struct fin_sockaddr to = fin_script_sc_peer(k->r);
    rc = fin_sendto(k->r->st, q->sock, zeros, q->len - done, flags, &to);
    if (unconnected && fin_sock_state(k->r->st, q->sock) != FIN_CLOSED)
      fin_script_sc_connecting(k, q->sock);
  } else {
    rc = fin_send(k->r->st, q->sock, zeros, q->len - done, flags);
  }
  free(zeros);
  if (k->blocking && !(q->flags & MSG_DONTWAIT) &&
      (rc == -EAGAIN || (rc >= 0 && done + (size_t)rc < q->len))) {
    p->progress = done + (size_t)(rc > 0 ? rc : 0);
    k->would_block = true;
  }
  k->ret = rc >= 0 ? (int64_t)(done + (size_t)rc) : rc;
}

/* recvmsg: msg_flags, when written, is what the kernel reports: fin never
 * truncates or signals anything, so 0. */
static bool check_msg_flags(struct call *k) {
  const struct script_expr *f = fin_script_sc_field(k->c->args[1], "msg_flags", 99);
  return k->ret < 0 || fin_script_sc_compare_int(k, "msg_flags", f, 0);
}

bool fin_script_sc_io(struct call *k) {
  struct io_req q = {0};
  for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
    if (strcmp(shapes[i].name, k->c->name) == 0)
      q.shape = &shapes[i];
  if (!q.shape || !parse_req(k, &q))
    return false;
  if (q.bad_pointer && q.len > 0) {
    k->ret = -EFAULT; /* the kernel's answer to a buffer it cannot touch */
    return true;
  }
  if (q.shape->send)
    do_send(k, &q);
  else
    do_recv(k, &q);
  return q.shape->form != IO_MSG || q.shape->send || check_msg_flags(k);
}
