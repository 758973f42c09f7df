/* The per-connection log of `fin serve` / `fin connect`: builds each
 * connection's state path from FIN_EV_STATE events and prints one line when
 * the connection has ended (FIN_EV_CLOSED) and the application has let go
 * of its handle, so the line carries the app's view (bytes, errno) too. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netcli.h"

const char *errno_name(int err) {
  if (err < 0)
    err = -err;
  if (err == 0)
    return "0";
  const char *name = strerrorname_np(err);
  return name != NULL ? name : "E?";
}

void netcli_format_tuple(const struct fin_4tuple *t, char *buf, size_t cap) {
  snprintf(buf, cap, "%u.%u.%u.%u:%u %u.%u.%u.%u:%u", t->local_addr >> 24,
           (t->local_addr >> 16) & 255, (t->local_addr >> 8) & 255, t->local_addr & 255,
           t->local_port, t->remote_addr >> 24, (t->remote_addr >> 16) & 255,
           (t->remote_addr >> 8) & 255, t->remote_addr & 255, t->remote_port);
}

static struct conn_entry *conn_log_find(struct conn_log *log, uint64_t conn_id) {
  for (size_t i = 0; i < log->n; i++)
    if (log->v[i].conn_id == conn_id)
      return &log->v[i];
  return NULL;
}

struct conn_entry *conn_log_get(struct conn_log *log, uint64_t conn_id) {
  struct conn_entry *e = conn_log_find(log, conn_id);
  if (e != NULL || conn_id == 0)
    return e;
  if (log->n == log->cap) {
    size_t cap = log->cap ? log->cap * 2 : 64;
    struct conn_entry *v = realloc(log->v, cap * sizeof(*v));
    if (v == NULL)
      return NULL;
    log->v = v;
    log->cap = cap;
  }
  e = &log->v[log->n++];
  memset(e, 0, sizeof(*e));
  e->conn_id = conn_id;
  return e;
}

static void conn_log_print(struct conn_log *log, struct conn_entry *e) {
  char tuple[64];
  netcli_format_tuple(&e->tuple, tuple, sizeof(tuple));
  fprintf(log->out, "conn %s %s reason=%s err=%s app_err=%s in=%llu out=%llu%s%s\n", tuple, e->path,
          fin_close_reason_name(e->reason), errno_name(e->err), errno_name(e->app_err),
          (unsigned long long)e->bytes_in, (unsigned long long)e->bytes_out, e->note[0] ? " " : "",
          e->note);
  fflush(log->out);
  log->ended++;
  *e = log->v[--log->n]; /* swap-remove */
}

static void conn_log_maybe_print(struct conn_log *log, struct conn_entry *e) {
  if (e->closed && !e->held)
    conn_log_print(log, e);
}

void conn_log_hold(struct conn_log *log, uint64_t conn_id) {
  struct conn_entry *e = conn_log_get(log, conn_id);
  if (e != NULL)
    e->held = true;
}

void conn_log_release(struct conn_log *log, uint64_t conn_id) {
  struct conn_entry *e = conn_log_find(log, conn_id);
  if (e == NULL)
    return;
  e->held = false;
  conn_log_maybe_print(log, e);
}

void conn_log_app_error(struct conn_log *log, uint64_t conn_id, int err) {
  struct conn_entry *e = conn_log_get(log, conn_id);
  if (e != NULL && e->app_err == 0)
    e->app_err = err;
}

static void path_append(struct conn_entry *e, enum fin_state s) {
  size_t len = strlen(e->path);
  snprintf(e->path + len, sizeof(e->path) - len, "%s%s", len ? ">" : "", fin_state_name(s));
}

void conn_log_event(struct conn_log *log, const struct fin_event *ev) {
  if (ev->type != FIN_EV_STATE && ev->type != FIN_EV_CLOSED)
    return;
  /* A STATE event to CLOSED may come before or after the CLOSED event: it
   * never starts an entry (the line may be printed already) nor repeats CLOSED. */
  bool to_closed = ev->type == FIN_EV_CLOSED || ev->to == FIN_CLOSED;
  struct conn_entry *e =
      to_closed ? conn_log_find(log, ev->conn_id) : conn_log_get(log, ev->conn_id);
  if (e == NULL && ev->type == FIN_EV_CLOSED)
    e = conn_log_get(log, ev->conn_id);
  if (e == NULL)
    return;
  e->tuple = ev->tuple;
  if (e->path[0] == '\0')
    path_append(e, ev->from);
  size_t len = strlen(e->path);
  if (!to_closed || len < 6 || strcmp(e->path + len - 6, "CLOSED") != 0)
    path_append(e, ev->type == FIN_EV_CLOSED ? FIN_CLOSED : ev->to);
  if (ev->type == FIN_EV_STATE)
    return;
  e->reason = ev->reason;
  e->err = ev->err;
  e->closed = true;
  conn_log_maybe_print(log, e);
}
