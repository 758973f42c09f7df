/* SPDX-License-Identifier: MIT */
/* One system call being run (syscalls.c) and the helpers the call
 * handlers in sys_*.c share: argument evaluation, fds, struct fields. */
#ifndef FIN_SCRIPT_SYSCALL_INTERNAL_H
#define FIN_SCRIPT_SYSCALL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "script/run.h"

struct call {
  struct script_run *r;
  const struct script_event *ev;
  const struct script_syscall *c;
  bool blocking, first;
  int64_t ret;      /* value, or negative errno */
  bool would_block; /* still blocking: retry later */
  bool fd_result;   /* ret is a fin handle to map to the script's fd */
  bool fd_is_epoll; /* ... or an epoll instance (epoll_create) */
};

/* Value of an argument expression (numbers, symbols, a|b, [x], calls);
 * false with a message naming the call if it has none. */
bool fin_script_sc_eval(struct call *k, const struct script_expr *e, int64_t *v);
bool fin_script_sc_argc_is(struct call *k, size_t n);
bool fin_script_sc_arg_int(struct call *k, size_t i, int64_t *v);
struct script_fd *fin_script_sc_fd_slot(struct call *k, int64_t fd);
/* The fin handle behind a script fd; -1 (a stale handle: -EBADF) if none. */
bool fin_script_sc_arg_sock(struct call *k, size_t i, fin_sock *s, int64_t *fdout);
/* A struct field by name, or by position when the struct is positional. */
const struct script_expr *fin_script_sc_field(const struct script_expr *e, const char *name,
                                              size_t pos);
/* Compares got with the script's expression (... matches anything). */
bool fin_script_sc_compare_int(struct call *k, const char *what, const struct script_expr *e,
                               int64_t got);

/* The script's remote address (--remote_ip, the suites' port 8080). */
struct fin_sockaddr fin_script_sc_peer(const struct script_run *r);
/* After connect() or an implied connect on s: a new connection under test
 * (its local port and ISN are learnt afresh). */
void fin_script_sc_connecting(struct call *k, fin_sock s);

/* Handlers: true when the call ran (k->ret set), false after a failure. */
bool fin_script_sc_setsockopt(struct call *k); /* sys_sockopt.c */
bool fin_script_sc_getsockopt(struct call *k);
bool fin_script_sc_io(struct call *k);   /* sys_io.c: read ... sendmsg */
bool fin_script_sc_poll(struct call *k); /* sys_poll.c */
bool fin_script_sc_epoll_create(struct call *k);
bool fin_script_sc_epoll_ctl(struct call *k);
bool fin_script_sc_epoll_wait(struct call *k);

#endif
