/* SPDX-License-Identifier: MIT */
/* poll and epoll (README §1a.4): readiness from fin_poll, blocking with a
 * timeout. */
#include <poll.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/epoll.h>
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
  const struct script_expr *fe = fin_script_sc_field(pfd, "fd", 0),
                           *ee = fin_script_sc_field(pfd, "events", 1),
                           *re = fin_script_sc_field(pfd, "revents", 2);
  int64_t fd, events;
  if (!fe || !ee)
    return fin_script_fail(k->r, k->ev, "poll: each entry needs {fd=N, events=..., revents=...}");
  if (!fin_script_sc_eval(k, fe, &fd) || !fin_script_sc_eval(k, ee, &events))
    return false;
  struct script_fd *slot = fin_script_sc_fd_slot(k, fd);
  int bits = slot ? fin_poll(k->r->st, slot->sock) : POLLNVAL;
  int64_t rev = bits & (events | POLLERR | POLLHUP | POLLNVAL);
  *ready += rev != 0;
  if (!check || !re)
    return true;
  int64_t want;
  if (!fin_script_sc_eval(k, re, &want))
    return false;
  if (want == rev)
    return true;
  char a[96], b[96];
  poll_bits_text(rev, a, sizeof(a));
  poll_bits_text(want, b, sizeof(b));
  return fin_script_fail(k->r, k->ev, "poll: fd %lld revents are %s, the script expects %s",
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

bool fin_script_sc_poll(struct call *k) {
  int64_t nfds, timeout;
  if (!fin_script_sc_argc_is(k, 3) || !fin_script_sc_arg_int(k, 1, &nfds) ||
      !fin_script_sc_arg_int(k, 2, &timeout))
    return false;
  if (k->c->args[0]->kind != SCRIPT_EXPR_LIST || (int64_t)k->c->args[0]->count != nfds)
    return fin_script_fail(k->r, k->ev, "poll: expected a list of %lld pollfd structs",
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

/* ---- epoll (level-triggered; fin has no edge events) ---- */

static struct script_fd *epoll_slot(struct call *k, size_t arg) {
  int64_t fd;
  if (!fin_script_sc_arg_int(k, arg, &fd))
    return NULL;
  struct script_fd *slot = fin_script_sc_fd_slot(k, fd);
  if (!slot || !slot->epoll) {
    fin_script_fail(k->r, k->ev, "%s(): fd %lld is not an epoll instance", k->c->name,
                    (long long)fd);
    return NULL;
  }
  return slot;
}

bool fin_script_sc_epoll_create(struct call *k) {
  int64_t n;
  if (!fin_script_sc_argc_is(k, 1) || !fin_script_sc_arg_int(k, 0, &n))
    return false;
  bool create1 = strcmp(k->c->name, "epoll_create1") == 0;
  k->ret = (!create1 && n <= 0) || (create1 && n != 0 && n != EPOLL_CLOEXEC) ? -EINVAL : 0;
  k->fd_result = true;
  k->fd_is_epoll = true;
  return true;
}

/* {events=EPOLLIN, fd=4} (or u32=/u64=/ptr= for the data). */
static bool epoll_event(struct call *k, const struct script_expr *e, int64_t *events,
                        int64_t *data) {
  const struct script_expr *ev = fin_script_sc_field(e, "events", 0);
  const struct script_expr *d = fin_script_sc_field(e, "fd", 1);
  for (const char *alt = "u32\0u64\0ptr\0"; !d && *alt; alt += strlen(alt) + 1)
    d = fin_script_sc_field(e, alt, 99);
  if (!ev || !fin_script_sc_eval(k, ev, events))
    return ev ? false
              : fin_script_fail(k->r, k->ev, "%s(): expected {events=..., fd=N}", k->c->name);
  if (*events & EPOLLET)
    return fin_script_fail(k->r, k->ev,
                           "%s(): EPOLLET is not supported by fin's runner (level "
                           "triggered only)",
                           k->c->name);
  *data = 0;
  return !d || d->kind == SCRIPT_EXPR_ELLIPSIS || fin_script_sc_eval(k, d, data);
}

static struct script_epoll_entry *epoll_find(struct script_fd *ep, int64_t fd) {
  for (size_t i = 0; i < ep->ep_count; i++)
    if (ep->ep[i].fd == fd)
      return &ep->ep[i];
  return NULL;
}

bool fin_script_sc_epoll_ctl(struct call *k) {
  int64_t op, fd, events = 0, data = 0;
  struct script_fd *ep;
  if (!fin_script_sc_argc_is(k, 4) || !(ep = epoll_slot(k, 0)) ||
      !fin_script_sc_arg_int(k, 1, &op) || !fin_script_sc_arg_int(k, 2, &fd))
    return false;
  if (op != EPOLL_CTL_DEL && !epoll_event(k, k->c->args[3], &events, &data))
    return false;
  struct script_fd *target = fin_script_sc_fd_slot(k, fd);
  struct script_epoll_entry *e = epoll_find(ep, fd);
  if (!target || target->epoll)
    k->ret = target ? -EINVAL : -EBADF;
  else if (op == EPOLL_CTL_ADD && e)
    k->ret = -EEXIST;
  else if (op != EPOLL_CTL_ADD && !e)
    k->ret = -ENOENT;
  else if (op == EPOLL_CTL_ADD && ep->ep_count == SCRIPT_EPOLL_MAX)
    return fin_script_fail(k->r, k->ev, "epoll_ctl(): more than %d fds", SCRIPT_EPOLL_MAX);
  else if (op == EPOLL_CTL_DEL)
    *e = ep->ep[--ep->ep_count], k->ret = 0;
  else if (op == EPOLL_CTL_ADD || op == EPOLL_CTL_MOD) {
    e = e ? e : &ep->ep[ep->ep_count++];
    *e = (struct script_epoll_entry){(int)fd, (uint32_t)events, (uint64_t)data};
    k->ret = 0;
  } else
    k->ret = -EINVAL;
  return true;
}

/* The ready entries, in registration order, as (events, data) pairs. */
static int epoll_ready(struct call *k, struct script_fd *ep, int max, uint32_t *ev,
                       uint64_t *data) {
  int n = 0;
  for (size_t i = 0; i < ep->ep_count && n < max; i++) {
    struct script_fd *slot = fin_script_sc_fd_slot(k, ep->ep[i].fd);
    uint32_t bits = slot ? (uint32_t)fin_poll(k->r->st, slot->sock) : 0;
    bits &= ep->ep[i].events | EPOLLERR | EPOLLHUP;
    if (bits) {
      ev[n] = bits;
      data[n++] = ep->ep[i].data;
    }
  }
  return n;
}

/* The script's expected events: one struct or a list of them. */
static bool epoll_check(struct call *k, int n, const uint32_t *ev, const uint64_t *data) {
  const struct script_expr *want = k->c->args[1];
  if (want->kind == SCRIPT_EXPR_ELLIPSIS)
    return true;
  size_t count = want->kind == SCRIPT_EXPR_LIST ? want->count : 1;
  for (size_t i = 0; i < count && (int)i < n; i++) {
    const struct script_expr *e = want->kind == SCRIPT_EXPR_LIST ? want->items[i] : want;
    int64_t events, d;
    if (!epoll_event(k, e, &events, &d))
      return false;
    if (events != ev[i] || (uint64_t)d != data[i]) {
      char a[96], b[96];
      poll_bits_text(ev[i], a, sizeof(a));
      poll_bits_text(events, b, sizeof(b));
      return fin_script_fail(
          k->r, k->ev, "epoll_wait(): event %zu is %s for %llu, the script expects %s for %lld", i,
          a, (unsigned long long)data[i], b, (long long)d);
    }
  }
  return true;
}

bool fin_script_sc_epoll_wait(struct call *k) {
  int64_t max, timeout;
  struct script_fd *ep;
  if (!fin_script_sc_argc_is(k, 4) || !(ep = epoll_slot(k, 0)) ||
      !fin_script_sc_arg_int(k, 2, &max) || !fin_script_sc_arg_int(k, 3, &timeout))
    return false;
  if (max <= 0)
    return (k->ret = -EINVAL, true);
  struct script_pending *p = &k->r->pending;
  if (k->blocking && k->first && timeout > 0)
    p->timeout = p->start + FIN_MS(timeout);
  uint32_t ev[SCRIPT_EPOLL_MAX];
  uint64_t data[SCRIPT_EPOLL_MAX];
  int n = epoll_ready(k, ep, max < SCRIPT_EPOLL_MAX ? (int)max : SCRIPT_EPOLL_MAX, ev, data);
  bool expired = timeout == 0 || (timeout > 0 && k->r->now >= p->timeout);
  k->would_block = k->blocking && n == 0 && !expired;
  k->ret = n;
  return k->would_block || epoll_check(k, n, ev, data);
}
