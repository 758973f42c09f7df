/* poll (README §1a.4): revents from fin_poll, blocking with a timeout. */
#include <poll.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "script/symbols.h"
#include "script/syscall_internal.h"

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
  const struct script_expr *fe = script_sc_field(pfd, "fd", 0),
                           *ee = script_sc_field(pfd, "events", 1),
                           *re = script_sc_field(pfd, "revents", 2);
  int64_t fd, events;
  if (!fe || !ee)
    return script_fail(k->r, k->ev, "poll: each entry needs {fd=N, events=..., revents=...}");
  if (!script_sc_eval(k, fe, &fd) || !script_sc_eval(k, ee, &events))
    return false;
  struct script_fd *slot = script_sc_fd_slot(k, fd);
  int bits = slot ? fin_poll(k->r->st, slot->sock) : POLLNVAL;
  int64_t rev = bits & (events | POLLERR | POLLHUP | POLLNVAL);
  *ready += rev != 0;
  if (!check || !re)
    return true;
  int64_t want;
  if (!script_sc_eval(k, re, &want))
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

bool script_sc_poll(struct call *k) {
  int64_t nfds, timeout;
  if (!script_sc_argc_is(k, 3) || !script_sc_arg_int(k, 1, &nfds) ||
      !script_sc_arg_int(k, 2, &timeout))
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
