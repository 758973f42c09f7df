/* SPDX-License-Identifier: MIT */
/* Scenario applications: per host a tiny state machine that connects or
 * accepts, streams a known byte pattern (hashed on both sides), and closes
 * the way its plan says. It polls its sockets whenever the simulator says
 * something happened at its host; it never blocks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/sim_app.h"

#define CHUNK       16384
#define FNV_INIT    0xcbf29ce484222325ULL
#define SALT_CLIENT 0x3c
#define SALT_SERVER 0xc3

struct app_conn {
  fin_sock s;
  int out; /* index into res->conns, -1 when unknown */
  bool connected, eof, shut, primary_done, released, failed;
  bool hooked[3];
  uint64_t sent, rcvd;
};

struct app_host {
  const struct app_plan *plan;
  /* The pattern bytes [stage_off, stage_off + stage_len) of connection
   * stage_conn, made once and offered until the stack takes them: a full
   * send buffer costs a poll, not a refill. */
  uint8_t stage[CHUNK];
  int stage_conn;
  uint64_t stage_off;
  size_t stage_len;
  fin_sock listener;
  unsigned listener_gen;
  struct app_conn *conns; /* cap of them, for every connection the run can make */
  unsigned n, cap;
  unsigned connects, accepts;
  fin_time next_connect;
  bool shut_down; /* K2 asked for (plan.shutdown_at) */
};

struct scn_ctx {
  struct scn_def *d;
  struct fin_sim *sim;
  struct fin_scn_result *res;
  struct app_host apps[SCN_HOSTS];
  bool listener[FIN_SCN_MAX_CONNS];
  fin_time sync_at;
  bool in_time_wait[SCN_HOSTS];
  unsigned bumps;
};

struct fin_sim *fin_scn_sim(struct scn_ctx *ctx) {
  return ctx->sim;
}

void fin_scn_set_sync(struct scn_ctx *ctx, fin_time at) {
  if (ctx->sync_at == FIN_NEVER)
    ctx->sync_at = at;
}

unsigned fin_scn_bump(struct scn_ctx *ctx) {
  return ++ctx->bumps;
}

bool fin_scn_host_in_time_wait(const struct scn_ctx *ctx, unsigned host) {
  return host < SCN_HOSTS && ctx->in_time_wait[host];
}

void fin_scn_expect(struct scn_def *d, const char *role, enum fin_state final,
                    enum fin_close_reason reason, int close_err, int app_err, const char *states) {
  if (d->expect_count == SCN_MAX_EXPECT)
    return;
  struct expect *e = &d->expect[d->expect_count++];
  memset(e, 0, sizeof(*e));
  e->role = role;
  e->final = final;
  e->reason = reason;
  /* E3: under faults a stray RST (e.g. answering a duplicate final ACK)
   * may end TIME-WAIT early, which fin's default accepts as Linux does. */
  e->reason_alt = reason == FIN_REASON_TIME_WAIT_DONE ? FIN_REASON_TIME_WAIT_RESET : reason;
  e->close_err = close_err;
  e->app_err = app_err;
  e->states = states;
}

void fin_scn_expect_crashed(struct scn_def *d, const char *role, const char *states) {
  fin_scn_expect(d, role, FIN_CLOSED, FIN_REASON_NONE, 0, 0, states);
  d->expect[d->expect_count - 1].crashed = true;
}

/* ---- the byte stream: a pattern both sides can verify, and its hash ---- */

static uint8_t pattern(uint64_t off, uint8_t salt) {
  return (uint8_t)((off * 131u) ^ (off >> 10) ^ salt);
}

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

static uint8_t my_salt(const struct app_plan *p) {
  return p->server ? SALT_SERVER : SALT_CLIENT;
}

/* ---- outcomes: one per connection a stack reported ---- */

static struct fin_scn_conn *outcome(struct scn_ctx *ctx, unsigned host, uint64_t conn_id) {
  struct fin_scn_result *res = ctx->res;
  unsigned gen = fin_sim_generation(ctx->sim, host);
  for (size_t i = 0; i < res->count; i++) {
    struct fin_scn_conn *c = &res->conns[i];
    if (c->host == host && c->gen == gen && c->conn_id == conn_id)
      return c;
  }
  /* Each host gets its share of the table, so a host with thousands of
   * connections (bulk-shutdown) leaves room for its peer's; the rest go
   * untracked (scenarios check them through the counters). */
  size_t mine = 0;
  for (size_t i = 0; i < res->count; i++)
    mine += res->conns[i].host == host;
  if (mine == FIN_SCN_MAX_CONNS / SCN_HOSTS || conn_id == 0)
    return NULL;
  struct fin_scn_conn *c = &res->conns[res->count++];
  memset(c, 0, sizeof(*c));
  c->host = host;
  c->gen = gen;
  c->conn_id = conn_id;
  c->order_ok = true;
  c->hash_sent = c->hash_rcvd = FNV_INIT;
  return c;
}

static struct fin_scn_conn *conn_out(struct scn_ctx *ctx, const struct app_conn *c) {
  return c->out >= 0 ? &ctx->res->conns[c->out] : NULL;
}

static void app_trace(struct scn_ctx *ctx, unsigned h, fin_sock s, const char *call, int64_t rc,
                      bool verbose) {
  fin_sim_trace_app(ctx->sim, h, s, call, rc, verbose);
}

static void fail(struct scn_ctx *ctx, unsigned h, struct app_conn *c, int64_t err,
                 const char *call) {
  struct fin_scn_conn *o = conn_out(ctx, c);
  if (o != NULL && o->app_err == 0)
    o->app_err = (int)err;
  c->failed = true;
  app_trace(ctx, h, c->s, call, err, false);
}

static void release(struct scn_ctx *ctx, unsigned h, struct fin_stack *st, struct app_conn *c) {
  if (c->released)
    return;
  int rc = fin_close(st, c->s);
  app_trace(ctx, h, c->s, "close()", rc, false);
  c->released = true;
}

/* ---- connection setup ---- */

static struct app_conn *conn_add(struct scn_ctx *ctx, unsigned h, struct fin_stack *st, fin_sock s,
                                 const char *role, unsigned nth) {
  struct app_host *ah = &ctx->apps[h];
  if (ah->n == ah->cap)
    return NULL;
  struct app_conn *c = &ah->conns[ah->n++];
  memset(c, 0, sizeof(*c));
  c->s = s;
  c->out = -1;
  struct fin_scn_conn *o = outcome(ctx, h, fin_sock_conn_id(st, s));
  if (o != NULL) {
    c->out = (int)(o - ctx->res->conns);
    if (nth > 1)
      snprintf(o->role, sizeof(o->role), "%s%u", role, nth);
    else
      snprintf(o->role, sizeof(o->role), "%s", role);
  }
  return c;
}

static void set_keepalive(struct fin_stack *st, fin_sock s, const struct app_plan *p) {
  int on = 1;
  fin_setsockopt(st, s, FIN_SO_KEEPALIVE, &on, sizeof on);
  fin_setsockopt(st, s, FIN_TCP_KEEPIDLE, &p->ka_idle, sizeof p->ka_idle);
  fin_setsockopt(st, s, FIN_TCP_KEEPINTVL, &p->ka_intvl, sizeof p->ka_intvl);
  fin_setsockopt(st, s, FIN_TCP_KEEPCNT, &p->ka_cnt, sizeof p->ka_cnt);
}

static void server_accept(struct scn_ctx *ctx, unsigned h, struct fin_stack *st) {
  struct app_host *ah = &ctx->apps[h];
  unsigned gen = fin_sim_generation(ctx->sim, h);
  if (ah->listener_gen != gen) {
    ah->listener_gen = gen;
    ah->listener = fin_socket(st);
    struct fin_sockaddr a = {fin_sim_addr(h), ah->plan->port};
    if (ah->plan->keepalive)
      set_keepalive(st, ah->listener, ah->plan); /* accepted connections inherit it */
    int rc = fin_bind(st, ah->listener, &a);
    if (rc == 0)
      rc = fin_listen(st, ah->listener, ah->cap > 16 ? (int)ah->cap : 16);
    app_trace(ctx, h, ah->listener, "listen()", rc, false);
  }
  struct fin_sockaddr peer;
  fin_sock s;
  while ((s = fin_accept(st, ah->listener, &peer)) >= 0) {
    struct app_conn *c = conn_add(ctx, h, st, s, "server", ++ah->accepts);
    app_trace(ctx, h, s, "accept()", 0, false);
    if (c != NULL)
      c->connected = true;
  }
}

static bool conn_active(const struct scn_ctx *ctx, const struct app_conn *c) {
  const struct fin_scn_conn *o = c->out >= 0 ? &ctx->res->conns[c->out] : NULL;
  return !c->released || (o != NULL && !o->closed && !o->crashed);
}

static bool client_busy(const struct scn_ctx *ctx, const struct app_host *ah) {
  for (unsigned i = 0; i < ah->n; i++)
    if (conn_active(ctx, &ah->conns[i]))
      return true;
  return false;
}

static void client_connect(struct scn_ctx *ctx, unsigned h, struct fin_stack *st) {
  struct app_host *ah = &ctx->apps[h];
  const struct app_plan *p = ah->plan;
  fin_time now = fin_sim_now(ctx->sim);
  if (ah->connects >= p->connects || now < ah->next_connect ||
      (!p->parallel && client_busy(ctx, ah)))
    return;
  ah->connects++;
  fin_sock s = fin_socket(st);
  if (p->bind_port != 0) {
    struct fin_sockaddr local = {fin_sim_addr(h), p->bind_port};
    int rc = fin_bind(st, s, &local);
    app_trace(ctx, h, s, "bind()", rc, false);
  }
  if (p->keepalive)
    set_keepalive(st, s, p);
  struct fin_sockaddr to = {fin_sim_addr(SCN_HOSTS - 1 - h), p->port};
  int rc = fin_connect(st, s, &to);
  char call[40];
  snprintf(call, sizeof call, "connect(:%u)", (unsigned)p->port);
  app_trace(ctx, h, s, call, rc, false);
  struct app_conn *c = conn_add(ctx, h, st, s, "client", ah->connects);
  if (c != NULL && rc != 0 && rc != -EINPROGRESS) {
    fail(ctx, h, c, rc, "connect()");
    release(ctx, h, st, c);
  }
}

/* ---- one connection's work: finish connecting, read, write, close ---- */

static bool finish_connect(struct scn_ctx *ctx, unsigned h, struct fin_stack *st,
                           struct app_conn *c) {
  if (c->connected)
    return true;
  int ev = fin_poll(st, c->s);
  if ((ev & FIN_POLLOUT) && !(ev & FIN_POLLERR)) {
    c->connected = true;
    return true;
  }
  if (!(ev & (FIN_POLLERR | FIN_POLLHUP | FIN_POLLNVAL)))
    return false;
  int err = 0;
  size_t len = sizeof err;
  fin_getsockopt(st, c->s, FIN_SO_ERROR, &err, &len);
  fail(ctx, h, c, err ? -err : -ECONNABORTED, "connect result");
  return false;
}

static void do_read(struct scn_ctx *ctx, unsigned h, struct fin_stack *st, struct app_conn *c) {
  const struct app_plan *p = ctx->apps[h].plan;
  struct fin_scn_conn *o = conn_out(ctx, c);
  uint8_t buf[CHUNK];
  uint8_t salt = p->server ? SALT_CLIENT : SALT_SERVER;
  while (!c->eof && !c->failed) {
    ssize_t n = fin_recv(st, c->s, buf, sizeof buf, 0);
    if (n == -EAGAIN)
      return;
    if (n < 0) {
      fail(ctx, h, c, n, "recv()");
      return;
    }
    if (n == 0) {
      c->eof = true;
      if (o != NULL)
        o->app_eof = true;
      app_trace(ctx, h, c->s, "recv() EOF", 0, false);
      return;
    }
    for (ssize_t i = 0; o != NULL && i < n; i++)
      if (buf[i] != pattern(c->rcvd + (uint64_t)i, salt))
        o->order_ok = false;
    if (o != NULL)
      o->hash_rcvd = fnv(o->hash_rcvd, buf, (size_t)n);
    c->rcvd += (uint64_t)n;
    if (o != NULL)
      o->rcvd = c->rcvd;
    app_trace(ctx, h, c->s, "recv()", n, true);
  }
}

/* The staged bytes starting at c->sent, refilled only when used up. */
static const uint8_t *staged(struct app_host *ah, unsigned i, uint64_t sent, size_t *len) {
  uint64_t left = ah->plan->send - sent;
  if (ah->stage_conn != (int)i || sent < ah->stage_off || sent >= ah->stage_off + ah->stage_len) {
    ah->stage_conn = (int)i;
    ah->stage_off = sent;
    ah->stage_len = left < CHUNK ? (size_t)left : CHUNK;
    for (size_t k = 0; k < ah->stage_len; k++)
      ah->stage[k] = pattern(sent + k, my_salt(ah->plan));
  }
  *len = (size_t)(ah->stage_off + ah->stage_len - sent);
  return ah->stage + (sent - ah->stage_off);
}

static void do_send(struct scn_ctx *ctx, unsigned h, struct fin_stack *st, unsigned i) {
  struct app_host *ah = &ctx->apps[h];
  struct app_conn *c = &ah->conns[i];
  struct fin_scn_conn *o = conn_out(ctx, c);
  if (c->shut || c->failed || (ah->plan->send_after_eof && !c->eof))
    return;
  while (c->sent < ah->plan->send) {
    size_t len;
    const uint8_t *p = staged(ah, i, c->sent, &len);
    ssize_t n = fin_send(st, c->s, p, len, 0);
    if (n == -EAGAIN)
      return;
    if (n < 0) {
      fail(ctx, h, c, n, "send()");
      return;
    }
    c->sent += (uint64_t)n;
    if (o != NULL) {
      o->hash_sent = fnv(o->hash_sent, p, (size_t)n);
      o->sent = c->sent;
    }
    app_trace(ctx, h, c->s, "send()", n, true);
  }
}

static bool all_acked(struct fin_stack *st, const struct app_conn *c, const struct app_plan *p) {
  if (c->sent < p->send)
    return false;
  struct fin_conn_info info;
  size_t len = sizeof info;
  if (fin_getsockopt(st, c->s, FIN_TCP_INFO, &info, &len) != 0)
    return false;
  return info.snd_queued == 0;
}

static void run_hooks(struct scn_ctx *ctx, unsigned h, struct fin_stack *st, unsigned i) {
  struct app_conn *c = &ctx->apps[h].conns[i];
  const struct app_plan *p = ctx->apps[h].plan, *peer = ctx->apps[SCN_HOSTS - 1 - h].plan;
  bool due[3] = {p->send > 0 && all_acked(st, c, p), peer->send > 0 && c->rcvd >= peer->send / 2,
                 peer->send > 0 && c->rcvd >= peer->send};
  for (int k = 0; k < 3 && ctx->d->hook != NULL; k++)
    if (due[k] && !c->hooked[k]) {
      c->hooked[k] = true;
      ctx->d->hook(ctx, h, i, (enum hook_point)k);
    }
}

static bool close_due(struct scn_ctx *ctx, unsigned h, struct fin_stack *st,
                      const struct app_conn *c) {
  const struct app_plan *p = ctx->apps[h].plan;
  fin_time now = fin_sim_now(ctx->sim);
  switch (p->close_when) {
  case WHEN_SENT:
    return c->sent >= p->send;
  case WHEN_EOF:
    return c->eof && c->sent >= p->send;
  case WHEN_ACKED:
    return all_acked(st, c, p);
  case WHEN_INQ:
    return fin_inq(st, c->s) >= (int)p->inq;
  case WHEN_AT:
    return now >= p->at;
  case WHEN_SYNC:
    return ctx->sync_at != FIN_NEVER && now >= ctx->sync_at;
  case WHEN_NEVER:
    break;
  }
  return false;
}

static void do_close(struct scn_ctx *ctx, unsigned h, struct fin_stack *st, struct app_conn *c) {
  const struct app_plan *p = ctx->apps[h].plan;
  if (c->failed) {
    release(ctx, h, st, c);
    return;
  }
  bool first = c == &ctx->apps[h].conns[0];
  if (p->keep_first && first)
    return;
  if (!c->primary_done && p->close_how != APP_KEEP && close_due(ctx, h, st, c)) {
    c->primary_done = true;
    if (p->close_how == APP_SHUT_WR) {
      c->shut = true;
      app_trace(ctx, h, c->s, "shutdown(WR)", fin_shutdown(st, c->s, FIN_SHUT_WR), false);
    } else if (p->close_how == APP_ABORT) {
      struct fin_linger lg = {1, 0};
      int rc = fin_setsockopt(st, c->s, FIN_SO_LINGER, &lg, sizeof lg);
      app_trace(ctx, h, c->s, "SO_LINGER {1,0}", rc, false);
      release(ctx, h, st, c);
    } else {
      release(ctx, h, st, c);
    }
  }
  /* After a half-close the application still reads until the peer's FIN. */
  if (c->primary_done && p->close_how == APP_SHUT_WR && c->eof)
    release(ctx, h, st, c);
}

static void conn_step(struct scn_ctx *ctx, unsigned h, struct fin_stack *st, unsigned i) {
  struct app_conn *c = &ctx->apps[h].conns[i];
  const struct app_plan *p = ctx->apps[h].plan;
  if (!finish_connect(ctx, h, st, c)) {
    if (c->failed)
      release(ctx, h, st, c);
    return;
  }
  if (!p->no_read)
    do_read(ctx, h, st, c);
  else if (fin_poll(st, c->s) & FIN_POLLERR) {
    int err = 0;
    size_t len = sizeof err;
    fin_getsockopt(st, c->s, FIN_SO_ERROR, &err, &len);
    fail(ctx, h, c, err ? -err : -ECONNRESET, "SO_ERROR");
  }
  do_send(ctx, h, st, i);
  run_hooks(ctx, h, st, i);
  do_close(ctx, h, st, c);
}

/* ---- the simulator's hooks ---- */

/* K2: the host's stack shuts down; it closes every socket itself, so
 * the application lets go of its handles. */
static void shutdown_step(struct scn_ctx *ctx, unsigned h, struct fin_stack *st) {
  struct app_host *ah = &ctx->apps[h];
  fin_time now = fin_sim_now(ctx->sim);
  if (ah->shut_down || ah->plan->shutdown_at == 0 || now < ah->plan->shutdown_at)
    return;
  ah->shut_down = true;
  fin_stack_shutdown(st, now + ah->plan->shutdown_grace);
  app_trace(ctx, h, -1, "stack shutdown", 0, false);
  for (unsigned i = 0; i < ah->n; i++)
    ah->conns[i].released = true;
}

static void app_step(void *vctx, struct fin_sim *sim, unsigned h) {
  struct scn_ctx *ctx = vctx;
  struct fin_stack *st = fin_sim_stack(sim, h);
  if (h >= SCN_HOSTS || st == NULL)
    return;
  struct app_host *ah = &ctx->apps[h];
  shutdown_step(ctx, h, st);
  if (ah->shut_down)
    return;
  if (ah->plan->server)
    server_accept(ctx, h, st);
  else
    client_connect(ctx, h, st);
  for (unsigned i = 0; i < ah->n; i++)
    if (!ah->conns[i].released)
      conn_step(ctx, h, st, i);
}

static void state_event(struct scn_ctx *ctx, unsigned h, const struct fin_event *ev) {
  struct fin_scn_conn *o = outcome(ctx, h, ev->conn_id);
  if (ev->to == FIN_TIME_WAIT)
    ctx->in_time_wait[h] = true;
  if (o == NULL)
    return;
  if (ev->to == FIN_LISTEN)
    ctx->listener[o - ctx->res->conns] = true;
  o->state = ev->to;
  size_t len = strlen(o->states);
  snprintf(o->states + len, sizeof(o->states) - len, "%s%s", len ? " " : "",
           fin_state_name(ev->to));
}

static void app_event(void *vctx, struct fin_sim *sim, unsigned h, const struct fin_event *ev) {
  struct scn_ctx *ctx = vctx;
  if (h >= SCN_HOSTS)
    return;
  if (ev->type == FIN_EV_STATE) {
    state_event(ctx, h, ev);
  } else if (ev->type == FIN_EV_CLOSED) {
    struct fin_scn_conn *o = outcome(ctx, h, ev->conn_id);
    if (o == NULL)
      return;
    o->closed = true;
    o->reason = ev->reason;
    o->close_err = ev->err;
    struct app_host *ah = &ctx->apps[h];
    if (!ah->plan->server)
      ah->next_connect = fin_sim_now(sim) + ah->plan->reconnect_gap;
  }
}

static fin_time app_wakeup(void *vctx, unsigned h) {
  struct scn_ctx *ctx = vctx;
  if (h >= SCN_HOSTS)
    return FIN_NEVER;
  const struct app_host *ah = &ctx->apps[h];
  fin_time t = FIN_NEVER;
  if (!ah->plan->server && ah->connects < ah->plan->connects)
    t = ah->next_connect;
  if (ah->plan->close_when == WHEN_AT && ah->plan->at < t)
    t = ah->plan->at;
  if (ah->plan->close_when == WHEN_SYNC && ctx->sync_at < t)
    t = ctx->sync_at;
  if (!ah->shut_down && ah->plan->shutdown_at != 0 && ah->plan->shutdown_at < t)
    t = ah->plan->shutdown_at;
  return t;
}

static void app_crash(void *vctx, struct fin_sim *sim, unsigned h) {
  struct scn_ctx *ctx = vctx;
  unsigned gen = fin_sim_generation(sim, h);
  for (size_t i = 0; i < ctx->res->count; i++) {
    struct fin_scn_conn *o = &ctx->res->conns[i];
    if (o->host == h && o->gen == gen && !o->closed)
      o->crashed = true;
  }
  /* The handles died with the stack. */
  struct app_host *ah = &ctx->apps[h];
  for (unsigned i = 0; i < ah->n; i++)
    ah->conns[i].released = true;
  ctx->in_time_wait[h] = false;
}

static void app_restart(void *vctx, struct fin_sim *sim, unsigned h) {
  struct scn_ctx *ctx = vctx;
  ctx->apps[h].next_connect = fin_sim_now(sim);
}

static bool app_filter(void *vctx, struct fin_sim *sim, unsigned from, unsigned to,
                       const struct fin_trace_seg *seg) {
  struct scn_ctx *ctx = vctx;
  (void)sim;
  (void)to;
  return ctx->d->filter != NULL && ctx->d->filter(ctx, from, seg);
}

/* ---- end of run: compare with the expectations ---- */

#define FAIL(...)                                                                                  \
  do {                                                                                             \
    if (res->ok)                                                                                   \
      snprintf(res->why, sizeof(res->why), __VA_ARGS__);                                           \
    res->ok = false;                                                                               \
  } while (0)

static bool fault_free(const struct fin_scenario_opts *o) {
  const struct fin_sim_link_params *l = &o->link;
  return l->loss == 0 && l->dup == 0 && l->reorder == 0 && l->corrupt == 0;
}

const struct fin_scn_conn *fin_scn_peer(const struct fin_scn_result *res,
                                        const struct fin_scn_conn *c) {
  char want[16];
  if (strncmp(c->role, "client", 6) == 0)
    snprintf(want, sizeof want, "server%s", c->role + 6);
  else if (strncmp(c->role, "server", 6) == 0)
    snprintf(want, sizeof want, "client%s", c->role + 6);
  else
    return NULL;
  for (size_t i = 0; i < res->count; i++)
    if (strcmp(res->conns[i].role, want) == 0)
      return &res->conns[i];
  return NULL;
}

static bool role_matches(const char *pattern, const char *role) {
  size_t n = strlen(pattern);
  if (n > 0 && pattern[n - 1] == '*')
    return strncmp(pattern, role, n - 1) == 0;
  return strcmp(pattern, role) == 0;
}

static void check_one(struct fin_scn_result *res, const struct expect *e,
                      const struct fin_scn_conn *c, bool exact) {
  if (c->crashed != e->crashed)
    FAIL("%s: crashed=%d, expected %d", e->role, c->crashed, e->crashed);
  if (!c->crashed && c->state != e->final)
    FAIL("%s: final state %s, expected %s", e->role, fin_state_name(c->state),
         fin_state_name(e->final));
  if (c->reason != e->reason && (exact || c->reason != e->reason_alt))
    FAIL("%s: close reason %s, expected %s", e->role, fin_close_reason_name(c->reason),
         fin_close_reason_name(e->reason));
  if (c->close_err != e->close_err)
    FAIL("%s: close errno %s, expected %s", e->role, fin_strerror(c->close_err),
         fin_strerror(e->close_err));
  if (c->app_err != e->app_err)
    FAIL("%s: application saw %s, expected %s", e->role, fin_strerror(c->app_err),
         fin_strerror(e->app_err));
  if (exact && e->states != NULL && strcmp(c->states, e->states) != 0)
    FAIL("%s: states \"%s\", expected \"%s\"", e->role, c->states, e->states);
}

static void check_expect(struct fin_scn_result *res, const struct expect *e, bool exact) {
  bool any = false;
  for (size_t i = 0; i < res->count; i++)
    if (role_matches(e->role, res->conns[i].role)) {
      any = true;
      check_one(res, e, &res->conns[i], exact);
    }
  if (!any)
    FAIL("%s: no such connection", e->role);
}

static bool graceful(enum fin_close_reason r) {
  return r == FIN_REASON_GRACEFUL || r == FIN_REASON_TIME_WAIT_DONE ||
         r == FIN_REASON_TIME_WAIT_REOPENED;
}

/* Every byte read was the right byte at the right offset; when both ends
 * closed gracefully, everything sent arrived (same length, same hash). */
static void check_stream(struct fin_scn_result *res, const struct scn_def *d) {
  for (size_t i = 0; i < res->count; i++) {
    const struct fin_scn_conn *c = &res->conns[i], *p = fin_scn_peer(res, c);
    if (!c->order_ok)
      FAIL("%s: received bytes out of order or corrupted", c->role);
    if (p == NULL || !graceful(c->reason) || !graceful(p->reason))
      continue;
    const struct app_plan *pp = &d->plan[p->host];
    if (p->sent != pp->send || c->rcvd != p->sent || c->hash_rcvd != p->hash_sent)
      FAIL("%s: received %llu bytes (hash %016llx), %s sent %llu (hash %016llx)", c->role,
           (unsigned long long)c->rcvd, (unsigned long long)c->hash_rcvd, p->role,
           (unsigned long long)p->sent, (unsigned long long)p->hash_sent);
  }
}

static bool expected_role(const struct scn_def *d, const char *role) {
  for (unsigned i = 0; i < d->expect_count; i++)
    if (role_matches(d->expect[i].role, role))
      return true;
  return false;
}

static void evaluate(struct scn_ctx *ctx, const struct fin_scenario *sc,
                     const struct fin_scenario_opts *o) {
  struct fin_scn_result *res = ctx->res;
  res->ok = true;
  if (res->sim_rc == -EPROTO)
    FAIL("invariant broken: %s", res->failure);
  else if (res->sim_rc != 0)
    FAIL("simulation did not settle: %s",
         res->sim_rc == -ETIME ? "max virtual time reached" : "max event count reached");
  if (res->leaked != 0)
    FAIL("stacks leaked %zu bytes", res->leaked);
  for (unsigned i = 0; i < ctx->d->expect_count; i++)
    check_expect(res, &ctx->d->expect[i], fault_free(o) && !ctx->d->inexact);
  for (size_t i = 0; i < res->count; i++)
    if (!expected_role(ctx->d, res->conns[i].role))
      FAIL("unexpected connection on host %c (%s) ending %s", 'a' + res->conns[i].host,
           res->conns[i].states, fin_state_name(res->conns[i].state));
  if (sc->carries_data)
    check_stream(res, ctx->d);
  const char *why = ctx->d->check ? ctx->d->check(res, o) : NULL;
  if (why != NULL)
    FAIL("%s", why);
}

/* Listeners are plumbing, not connections: leave them out of the result. */
static void drop_listeners(struct scn_ctx *ctx) {
  struct fin_scn_result *res = ctx->res;
  size_t n = 0;
  for (size_t i = 0; i < res->count; i++)
    if (!ctx->listener[i])
      res->conns[n++] = res->conns[i];
  res->count = n;
}

int fin_scn_run(struct scn_def *d, const struct fin_scenario *sc, const struct fin_scenario_opts *o,
                struct fin_scn_result *res) {
  memset(res, 0, sizeof(*res));
  struct scn_ctx *ctx = calloc(1, sizeof(*ctx)); /* staging buffers: too big for the stack */
  if (ctx == NULL)
    return -ENOMEM;
  ctx->d = d;
  ctx->res = res;
  ctx->sync_at = FIN_NEVER;
  int rc = 0;
  for (unsigned h = 0; h < SCN_HOSTS; h++) {
    const struct app_plan *mine = &d->plan[h], *peer = &d->plan[SCN_HOSTS - 1 - h];
    unsigned most = mine->server ? peer->connects : mine->connects;
    ctx->apps[h].plan = mine;
    ctx->apps[h].stage_conn = -1;
    ctx->apps[h].cap = most > 8 ? most : 8;
    ctx->apps[h].conns = calloc(ctx->apps[h].cap, sizeof(struct app_conn));
    if (ctx->apps[h].conns == NULL)
      rc = -ENOMEM;
  }
  d->cfg.app = (struct fin_sim_app){ctx,       app_event,   app_step,  app_wakeup,
                                    app_crash, app_restart, app_filter};
  if (rc == 0)
    rc = fin_sim_new(&ctx->sim, &d->cfg);
  if (rc == 0) {
    res->sim_rc = fin_sim_run(ctx->sim);
    snprintf(res->failure, sizeof res->failure, "%s", fin_sim_failure(ctx->sim));
    res->end = fin_sim_now(ctx->sim);
    res->steps = fin_sim_steps(ctx->sim);
    for (unsigned h = 0; h < SCN_HOSTS; h++)
      if (fin_sim_stack(ctx->sim, h) != NULL)
        res->counters[h] = *fin_stack_counters(fin_sim_stack(ctx->sim, h));
    res->leaked = fin_sim_free(ctx->sim);
    drop_listeners(ctx);
    evaluate(ctx, sc, o);
  }
  for (unsigned h = 0; h < SCN_HOSTS; h++)
    free(ctx->apps[h].conns);
  free(ctx);
  return rc;
}
