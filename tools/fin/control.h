/* SPDX-License-Identifier: MIT */
/* The control socket of a running `fin serve` / `fin connect`: a unix
 * stream socket, one per process, that `fin ss`, `fin stat` and `fin kill`
 * talk to. One request line per connection, then the reply until EOF:
 *   request:  "ss [-l] [-a] [-i] [-o] [-H]" | "stat [-j] [-z] [PATTERN...]" |
 *             "kill A.B.C.D:P A.B.C.D:P"
 *   reply:    "ok\n" then the text, or "error: MESSAGE\n"
 * The server never blocks on a client for long: requests are read as they
 * arrive (the fds are in the runtime's epoll set), a reply is written with
 * a send timeout, and a client that sends nothing is dropped. */
#ifndef FIN_TOOLS_CONTROL_H
#define FIN_TOOLS_CONTROL_H

#include <stddef.h>
#include <stdio.h>

struct control;
struct netcli;

/* Where a process's socket goes by default: $XDG_RUNTIME_DIR/fin, else /run/fin. */
void control_default_dir(char *buf, size_t cap);

/* Binds the socket (path NULL: the default directory, named PID.sock). A
 * stale socket left by a dead process is replaced; a live one is an error.
 * 0 or a negative errno (message printed). */
int control_open(struct control **out, const char *path, struct netcli *c);
/* Watches it in c's runtime, once that exists. */
int control_attach(struct control *ctl);
const char *control_path(const struct control *ctl);
/* Accepts, reads and answers whatever is ready; never waits for a client. */
void control_service(struct control *ctl);
/* Closes every client and the socket, and removes the socket file. */
void control_close(struct control *ctl);

/* Answers one request line into out (control_cmds.c). */
void control_answer(struct netcli *c, char *request, FILE *out);

/* Client side (control_client.c): sends request to the socket at path, or
 * of process pid (> 0), or the only live one in the default directory;
 * copies the reply to stdout (an error reply to stderr). Returns the exit
 * status: 0, 1 (no such process, error reply) or 2 (ambiguous choice). */
int control_request(const char *cmd, const char *path, long pid, const char *request);

#endif
