/* SPDX-License-Identifier: MIT */
/* The per-connection log (conn_log.h): builds each connection's state path
 * from FIN_EV_STATE events and prints one line when the connection has
 * ended (FIN_EV_CLOSED) and the application has let go of its handle, so
 * the line carries the app's view (bytes, errno) too. */
#include "conn_log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *errno_name(int err) {
  if (err < 0)
    err = -err;
  if (err == 0)
    return "0";
  const char *name = strerrorname_np(err);
  return name != NULL ? name : "E?";
}

void format_tuple(const struct fin_4tuple *t, char *buf, size_t cap) {
  char l[FIN_ENDPOINT_STRLEN], r[FIN_ENDPOINT_STRLEN];
  fin_endpoint_format(&t->local_addr, t->local_port, l, sizeof(l));
  fin_endpoint_format(&t->remote_addr, t->remote_port, r, sizeof(r));
  snprintf(buf, cap, "%s %s", l, r);
}

/* ---- two hash indexes over the same entries ---- */

static size_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return (size_t)(x ^ (x >> 33));
}

static uint64_t addr_word(const struct fin_addr *a, int half) {
  uint64_t w;
  memcpy(&w, a->b + 8 * half, sizeof(w));
  return w;
}

static size_t hash_tuple(const struct fin_4tuple *t) {
  uint64_t h = mix((uint64_t)t->local_port << 16 | t->remote_port);
  for (int i = 0; i < 2; i++)
    h = mix(h ^ addr_word(&t->local_addr, i)) ^ mix(h + addr_word(&t->remote_addr, i));
  return (size_t)h;
}

static size_t hash_of(const struct conn_entry *e, bool by_tuple) {
  return by_tuple ? hash_tuple(&e->tuple) : mix(e->conn_id);
}

static void table_put(struct conn_entry **tab, size_t mask, struct conn_entry *e, bool by_tuple) {
  size_t i = hash_of(e, by_tuple) & mask;
  while (tab[i] != NULL)
    i = (i + 1) & mask;
  tab[i] = e;
}

/* Linear probing deletion by backward shift: no tombstones, so lookups
 * stay short however many connections came and went. */
static void table_del(struct conn_entry **tab, size_t mask, const struct conn_entry *e,
                      bool by_tuple) {
  size_t i = hash_of(e, by_tuple) & mask;
  while (tab[i] != e) {
    if (tab[i] == NULL)
      return;
    i = (i + 1) & mask;
  }
  for (size_t j = (i + 1) & mask; tab[j] != NULL; j = (j + 1) & mask) {
    size_t k = hash_of(tab[j], by_tuple) & mask;
    /* tab[j] may move to the hole at i unless its home k lies cyclically in (i, j]. */
    bool stays = i <= j ? (k > i && k <= j) : (k > i || k <= j);
    if (!stays) {
      tab[i] = tab[j];
      i = j;
    }
  }
  tab[i] = NULL;
}

static int log_grow(struct conn_log *log) {
  size_t cap = log->cap ? log->cap * 2 : 64;
  struct conn_entry **id = calloc(cap, sizeof(*id)), **tu = calloc(cap, sizeof(*tu));
  if (id == NULL || tu == NULL) {
    free(id);
    free(tu);
    return -ENOMEM;
  }
  for (size_t i = 0; i < log->cap; i++) {
    struct conn_entry *e = log->by_id[i];
    if (e == NULL)
      continue;
    table_put(id, cap - 1, e, false);
    if (e->has_tuple)
      table_put(tu, cap - 1, e, true);
  }
  free(log->by_id);
  free(log->by_tuple);
  log->by_id = id;
  log->by_tuple = tu;
  log->cap = cap;
  return 0;
}

static struct conn_entry *conn_log_find(const struct conn_log *log, uint64_t conn_id) {
  if (log->cap == 0)
    return NULL;
  for (size_t i = mix(conn_id) & (log->cap - 1); log->by_id[i] != NULL;
       i = (i + 1) & (log->cap - 1))
    if (log->by_id[i]->conn_id == conn_id)
      return log->by_id[i];
  return NULL;
}

bool conn_log_open(const struct conn_log *log, uint64_t conn_id) {
  return conn_log_find(log, conn_id) != NULL;
}

static bool tuple_eq(const struct fin_4tuple *a, const struct fin_4tuple *b) {
  return fin_addr_eq(&a->local_addr, &b->local_addr) && fin_addr_eq(&a->remote_addr, &b->remote_addr) &&
         a->local_port == b->local_port && a->remote_port == b->remote_port;
}

uint64_t conn_log_conn_of(const struct conn_log *log, const struct fin_4tuple *t) {
  if (log->cap == 0)
    return 0;
  size_t mask = log->cap - 1;
  for (size_t i = hash_tuple(t) & mask; log->by_tuple[i] != NULL; i = (i + 1) & mask)
    if (tuple_eq(&log->by_tuple[i]->tuple, t))
      return log->by_tuple[i]->conn_id;
  return 0;
}

struct conn_entry *conn_log_get(struct conn_log *log, uint64_t conn_id) {
  struct conn_entry *e = conn_log_find(log, conn_id);
  if (e != NULL || conn_id == 0)
    return e;
  if ((log->n + 1) * 2 > log->cap && log_grow(log) < 0)
    return NULL;
  if ((e = calloc(1, sizeof(*e))) == NULL)
    return NULL;
  e->conn_id = conn_id;
  table_put(log->by_id, log->cap - 1, e, false);
  log->n++;
  return e;
}

static void conn_log_remove(struct conn_log *log, struct conn_entry *e) {
  table_del(log->by_id, log->cap - 1, e, false);
  if (e->has_tuple)
    table_del(log->by_tuple, log->cap - 1, e, true);
  log->n--;
  free(e);
}

void conn_log_free(struct conn_log *log) {
  for (size_t i = 0; i < log->cap; i++)
    free(log->by_id[i]);
  free(log->by_id);
  free(log->by_tuple);
  log->by_id = log->by_tuple = NULL;
  log->n = log->cap = 0;
}

/* ---- the lines ---- */

static void conn_log_print(struct conn_log *log, struct conn_entry *e) {
  char tuple[2 * FIN_ENDPOINT_STRLEN];
  format_tuple(&e->tuple, tuple, sizeof(tuple));
  fprintf(log->out, "conn %s %s reason=%s err=%s app_err=%s in=%llu out=%llu%s%s\n", tuple, e->path,
          fin_close_reason_name(e->reason), errno_name(e->err), errno_name(e->app_err),
          (unsigned long long)e->bytes_in, (unsigned long long)e->bytes_out, e->note[0] ? " " : "",
          e->note);
  fflush(log->out);
  log->ended++;
  conn_log_remove(log, e);
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

void conn_log_bytes(struct conn_log *log, uint64_t conn_id, uint64_t in, uint64_t out) {
  struct conn_entry *e = conn_log_get(log, conn_id);
  if (e != NULL) {
    e->bytes_in += in;
    e->bytes_out += out;
  }
}

void conn_log_note(struct conn_log *log, uint64_t conn_id, const char *note) {
  struct conn_entry *e = conn_log_get(log, conn_id);
  if (e != NULL)
    snprintf(e->note, sizeof(e->note), "%s", note);
}

static void path_append(struct conn_entry *e, enum fin_state s) {
  size_t len = strlen(e->path);
  snprintf(e->path + len, sizeof(e->path) - len, "%s%s", len ? ">" : "", fin_state_name(s));
}

static void set_tuple(struct conn_log *log, struct conn_entry *e, const struct fin_4tuple *t) {
  if (e->has_tuple)
    return;
  e->tuple = *t;
  e->has_tuple = true;
  table_put(log->by_tuple, log->cap - 1, e, true);
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
  set_tuple(log, e, &ev->tuple);
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
