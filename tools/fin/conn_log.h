/* SPDX-License-Identifier: MIT */
/* The per-connection log of `fin serve` / `fin connect`: one line per
 * connection once it has ended and the application has let go of it:
 *   conn LOCAL REMOTE PATH reason=R err=E app_err=A in=N out=M [note]
 * Entries are found by connection id and by 4-tuple in O(1), so a server
 * with 100,000 connections in TIME-WAIT costs no scan per event. */
#ifndef FIN_TOOLS_CONN_LOG_H
#define FIN_TOOLS_CONN_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fin/fin.h"

/* One connection, from its first state change to CLOSED and the
 * application letting go of its handle. */
struct conn_entry {
  uint64_t conn_id;
  struct fin_4tuple tuple;
  char path[160];
  enum fin_close_reason reason;
  int err;            /* negative errno the stack reported at CLOSED */
  int app_err;        /* first error a socket call returned to the app */
  uint64_t bytes_in;  /* read by the application */
  uint64_t bytes_out; /* accepted by fin_send */
  char note[80];      /* app detail, e.g. the sink's SHA-256 */
  bool closed, held, has_tuple;
};

struct conn_log {
  struct conn_entry **by_id, **by_tuple; /* open addressing, linear probing */
  size_t n, cap;                         /* entries, table size (a power of two) */
  uint64_t ended;                        /* lines printed */
  FILE *out;
};

/* The entry of conn_id, created if new; NULL for id 0 or out of memory. */
struct conn_entry *conn_log_get(struct conn_log *log, uint64_t conn_id);
/* Whether conn_id has an entry whose line is still to come. */
bool conn_log_open(const struct conn_log *log, uint64_t conn_id);
void conn_log_hold(struct conn_log *log, uint64_t conn_id);
/* The app closed its handle; prints the line if the connection already ended. */
void conn_log_release(struct conn_log *log, uint64_t conn_id);
void conn_log_app_error(struct conn_log *log, uint64_t conn_id, int err);
void conn_log_bytes(struct conn_log *log, uint64_t conn_id, uint64_t in, uint64_t out);
void conn_log_note(struct conn_log *log, uint64_t conn_id, const char *note);
/* Every event the stack queues goes through here. */
void conn_log_event(struct conn_log *log, const struct fin_event *ev);
/* The connection a 4-tuple belongs to (0 when none is followed): the engine
 * names the connection of state events, this names it for drops and RSTs. */
uint64_t conn_log_conn_of(const struct conn_log *log, const struct fin_4tuple *t);
void conn_log_free(struct conn_log *log);

const char *errno_name(int err); /* "ECONNRESET" for 104 or -104, "0" for 0 */
void format_tuple(const struct fin_4tuple *t, char *buf, size_t cap);

#endif
