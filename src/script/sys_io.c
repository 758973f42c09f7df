/* Data calls (README §1a.4): read/recv/write/send. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "script/symbols.h"
#include "script/syscall_internal.h"

bool script_sc_read(struct call *k) {
  fin_sock s;
  int64_t n, flags = 0;
  bool recv = strcmp(k->c->name, "recv") == 0;
  if (!script_sc_argc_is(k, recv ? 4 : 3) || !script_sc_arg_sock(k, 0, &s, NULL) ||
      !script_sc_arg_int(k, 2, &n) || (recv && !script_sc_arg_int(k, 3, &flags)))
    return false;
  void *buf = malloc(n > 0 ? (size_t)n : 1);
  if (!buf)
    return script_fail(k->r, k->ev, "out of memory");
  k->ret = fin_recv(k->r->st, s, buf, (size_t)(n > 0 ? n : 0), (int)flags);
  free(buf);
  k->would_block = k->ret == -EAGAIN;
  return true;
}

bool script_sc_write(struct call *k) {
  fin_sock s;
  int64_t n, flags = 0;
  bool send = strcmp(k->c->name, "send") == 0;
  if (!script_sc_argc_is(k, send ? 4 : 3) || !script_sc_arg_sock(k, 0, &s, NULL) ||
      !script_sc_arg_int(k, 2, &n) || (send && !script_sc_arg_int(k, 3, &flags)))
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
