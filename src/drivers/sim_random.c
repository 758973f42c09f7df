/* SPDX-License-Identifier: MIT */
/* Deterministic simulation testing: one seed draws a whole history (hosts,
 * link faults, partitions, crashes, applications on every connection) and
 * the invariants are checked while it runs and once it is quiet. Every
 * random choice comes from a PRNG stream of the seed: same seed, same
 * history, byte for byte. */
#include "drivers/sim_random.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DST_PORT      7000
#define DST_MAX_EP    64
#define DST_MAX_REQ   12
#define DST_MAX_RST   512
#define DST_CHUNK     8192
#define DST_FNV       0xcbf29ce484222325ULL
#define DST_BREAK_OFF 1000

struct dst_plan {
  enum fin_dst_app reader; /* READ, SLOW or STOPPED */
  enum fin_dst_app close;  /* CLOSE .. KEEP */
  uint64_t send;
  fin_time close_at, read_period, stop_until;
  bool shut_rd, keepalive, shrink;
  int user_timeout_ms, linger2_s; /* 0: not set */
  fin_time kill_at;               /* FIN_NEVER: no administrator */
  fin_time shut_rd_at;
  int ka_idle, ka_intvl, ka_cnt, linger_s;
};

struct dst_ep {
  unsigned host, gen, peer_host;
  uint64_t conn_id;
  fin_sock s;
  bool client, has_tuple, connected, released, failed, eof, fin_asked, closed, crashed;
  bool primary_done, shut_rd_done, shrunk, killed;
  bool lingering; /* close() said -EINPROGRESS (SO_LINGER {1,N}): call it again */
  bool held;      /* the application still held the handle when it ended */
  bool probed;    /* ... and has asked the handle how it ended */
  struct fin_4tuple tuple;
  struct dst_plan plan;
  fin_time next_read;
  uint64_t sent, rcvd, hash_sent, hash_rcvd;
  bool order_ok;
  uint64_t bad_at;
  enum fin_close_reason reason;
  enum fin_state closed_from; /* the state it left for CLOSED */
  int close_err, app_err;
};

struct dst_req {
  unsigned host, to;
  uint16_t port; /* DST_PORT, or one nobody listens on (RST: refused, H1) */
  fin_time at;
  bool done;
  struct dst_plan plan;
};

struct dst_rst {
  unsigned host;
  uint16_t lport, rport;
};

struct dst_ctx {
  const struct fin_dst_opts *o;
  struct fin_dst_result *res;
  struct fin_sim *sim;
  unsigned hosts;
  struct fin_sim_rng gen, apps[FIN_SIM_MAX_HOSTS];
  struct fin_settings settings[FIN_SIM_MAX_HOSTS];
  struct dst_req reqs[DST_MAX_REQ];
  unsigned nreq;
  struct dst_ep eps[DST_MAX_EP];
  unsigned nep;
  fin_sock listener[FIN_SIM_MAX_HOSTS];
  unsigned listener_gen[FIN_SIM_MAX_HOSTS];
  struct dst_rst rsts[DST_MAX_RST];
  unsigned nrst;
  bool rst_overflow;
  fin_time t_final; /* the applications close every handle they still hold */
  fin_time quiet_pair[FIN_SIM_MAX_HOSTS][FIN_SIM_MAX_HOSTS]; /* the last partition ends */
  bool progress_checked[FIN_SIM_MAX_HOSTS];
  uint8_t stage[DST_CHUNK];
  char why[400];
};

static const char *const fault_names[FIN_DST_FAULT_COUNT] = {
    "loss",       "dup",       "reorder", "corrupt",       "jitter",
    "rate-queue", "partition", "crash",   "rcvbuf-shrink", "small-buffers"};
static const char *const app_names[FIN_DST_APP_COUNT] = {
    "read",      "slow-reader",  "stopped-reader", "close",     "shutdown-wr", "close-after-eof",
    "close-at",  "linger-0",     "linger-n",       "abort",     "keep-open",   "shutdown-rd",
    "keepalive", "user-timeout", "linger2",        "admin-kill"};
static const char *const check_names[FIN_DST_CHK_COUNT] = {
    "audit-step",    "byte-order", "eof-complete", "reason-errno", "app-error", "peer-asked-fin",
    "peer-sent-rst", "way-out",    "memory-bound", "no-leak",      "progress"};

const char *fin_dst_fault_name(enum fin_dst_fault f) {
  return (unsigned)f < FIN_DST_FAULT_COUNT ? fault_names[f] : "?";
}

const char *fin_dst_app_name(enum fin_dst_app a) {
  return (unsigned)a < FIN_DST_APP_COUNT ? app_names[a] : "?";
}

const char *fin_dst_check_name(enum fin_dst_check c) {
  return (unsigned)c < FIN_DST_CHK_COUNT ? check_names[c] : "?";
}

int fin_dst_break_parse(const char *s, enum fin_dst_break *out) {
  static const char *const names[] = {"none", "stream", "rst", "memory", "progress"};
  for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(s, names[i]) == 0) {
      *out = (enum fin_dst_break)i;
      return 0;
    }
  return -EINVAL;
}

/* ---- drawing ---- */

static uint64_t below(struct fin_sim_rng *r, uint64_t n) {
  return n ? fin_sim_rng_next(r) % n : 0;
}

static bool chance(struct fin_sim_rng *r, double p) {
  return fin_sim_rng_unit(r) < p;
}

static fin_time ms(struct fin_sim_rng *r, uint64_t lo, uint64_t hi) {
  return FIN_MS(lo + below(r, hi - lo + 1));
}

static void fail(struct dst_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct dst_ctx *ctx, const char *fmt, ...) {
  if (ctx->why[0] != '\0')
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->why, sizeof ctx->why, fmt, ap);
  va_end(ap);
}

/* One connection end's application: what it sends, how it reads, how it ends. */
static void draw_plan(struct dst_ctx *ctx, struct fin_sim_rng *r, struct dst_plan *p) {
  memset(p, 0, sizeof(*p));
  /* Log-uniform volume up to 256 KiB; one in five sends nothing. */
  p->send = chance(r, 0.2) ? 0 : (uint64_t)1 << below(r, 19);
  p->send += below(r, p->send + 1);
  unsigned rd = (unsigned)below(r, 8);
  p->reader = rd < 5 ? FIN_DST_APP_READ : rd < 7 ? FIN_DST_APP_SLOW : FIN_DST_APP_STOPPED;
  p->read_period = ms(r, 10, 2000);
  p->stop_until = chance(r, 0.3) ? FIN_NEVER : ms(r, 100, 90000);
  static const enum fin_dst_app closes[] = {
      FIN_DST_APP_CLOSE,     FIN_DST_APP_CLOSE,    FIN_DST_APP_SHUT_WR, FIN_DST_APP_SHUT_WR,
      FIN_DST_APP_CLOSE_EOF, FIN_DST_APP_CLOSE_AT, FIN_DST_APP_LINGER0, FIN_DST_APP_LINGER_N,
      FIN_DST_APP_ABORT,     FIN_DST_APP_KEEP};
  p->close = closes[below(r, sizeof(closes) / sizeof(closes[0]))];
  p->close_at = ms(r, 0, 20000);
  p->linger_s = 1 + (int)below(r, 5);
  p->shut_rd = chance(r, 0.08);
  p->shut_rd_at = ms(r, 0, 5000);
  p->keepalive = chance(r, 0.25);
  p->ka_idle = 1 + (int)below(r, 20);
  p->ka_intvl = 1 + (int)below(r, 5);
  p->ka_cnt = 1 + (int)below(r, 5);
  p->shrink = chance(r, 0.1);
  p->kill_at = chance(r, 0.05) ? ms(r, 0, 30000) : FIN_NEVER;
  p->user_timeout_ms = chance(r, 0.1) ? 500 + (int)below(r, 30000) : 0;
  p->linger2_s = chance(r, 0.1) ? (chance(r, 0.3) ? -1 : 1 + (int)below(r, 10)) : 0;
  struct fin_dst_result *res = ctx->res;
  res->apps[p->reader]++;
  res->apps[p->close]++;
  res->apps[FIN_DST_APP_SHUT_RD] += p->shut_rd;
  res->apps[FIN_DST_APP_KEEPALIVE] += p->keepalive;
  res->apps[FIN_DST_APP_USER_TIMEOUT] += p->user_timeout_ms != 0;
  res->apps[FIN_DST_APP_LINGER2] += p->linger2_s != 0;
  res->apps[FIN_DST_APP_ADMIN_KILL] += p->kill_at != FIN_NEVER;
  res->faults[FIN_DST_SHRINK] += p->shrink;
}

static void draw_link(struct dst_ctx *ctx, struct fin_sim_link_params *l) {
  struct fin_sim_rng *r = &ctx->gen;
  uint64_t *f = ctx->res->faults;
  memset(l, 0, sizeof(*l));
  l->delay = ms(r, 1, 60);
  if (chance(r, 0.4) && ++f[FIN_DST_LOSS])
    l->loss = fin_sim_rng_unit(r) * 0.1;
  if (chance(r, 0.3) && ++f[FIN_DST_DUP])
    l->dup = fin_sim_rng_unit(r) * 0.05;
  if (chance(r, 0.3) && ++f[FIN_DST_REORDER])
    l->reorder = fin_sim_rng_unit(r) * 0.1;
  if (chance(r, 0.25) && ++f[FIN_DST_CORRUPT])
    l->corrupt = fin_sim_rng_unit(r) * 0.03;
  if (chance(r, 0.3) && ++f[FIN_DST_JITTER])
    l->jitter = ms(r, 1, 30);
  if (chance(r, 0.2) && ++f[FIN_DST_RATE]) {
    l->rate_bps = 1000000 + below(r, 99000000);
    l->queue_limit = 8 + (uint32_t)below(r, 100);
  }
}

static void draw_settings(struct dst_ctx *ctx, struct fin_settings *s) {
  struct fin_sim_rng *r = &ctx->gen;
  fin_settings_default(s);
  if (chance(r, 0.25)) {
    ctx->res->faults[FIN_DST_SMALL_BUF]++;
    s->sndbuf = 2048 + (uint32_t)below(r, 16384);
    s->rcvbuf = 1024 + (uint32_t)below(r, 16384);
  }
  s->syn_cookies = chance(r, 0.2);
  s->timestamps = !chance(r, 0.15);
  s->sack_permitted = !chance(r, 0.15);
  s->window_scaling = !chance(r, 0.15);
  if (chance(r, 0.5))
    s->msl = FIN_SEC(1 + below(r, 30));
}

static void generate(struct dst_ctx *ctx, struct fin_sim_config *cfg) {
  struct fin_sim_rng *r = &ctx->gen;
  struct fin_dst_result *res = ctx->res;
  fin_sim_rng_seed(r, ctx->o->seed, 0x4453540000000000ULL); /* "DST" */
  ctx->hosts = 2 + (unsigned)below(r, 3);
  bool v6 = below(r, 4) == 0;
  res->ipv6 = ctx->o->ipv6 || v6;
  memset(cfg, 0, sizeof(*cfg));
  cfg->seed = ctx->o->seed;
  cfg->host_count = ctx->hosts;
  cfg->ipv6 = res->ipv6;
  cfg->max_time = FIN_SEC(6 * 3600);
  cfg->max_steps = 3u * 1000u * 1000u;
  cfg->trace = ctx->o->trace;
  cfg->pcap = ctx->o->pcap;
  draw_link(ctx, &cfg->link);
  for (unsigned h = 0; h < ctx->hosts; h++) {
    draw_settings(ctx, &cfg->settings[h]);
    ctx->settings[h] = cfg->settings[h];
    fin_sim_rng_seed(&ctx->apps[h], ctx->o->seed, 0x4453544100000000ULL + h);
  }
  ctx->t_final = FIN_SEC(60 + below(r, 540));
  /* Connections: every host listens; each makes 0..3 to random others. */
  for (unsigned h = 0; h < ctx->hosts; h++) {
    unsigned n = (unsigned)below(r, 4);
    if (h == 0 && n == 0)
      n = 1;
    for (unsigned i = 0; i < n && ctx->nreq < DST_MAX_REQ; i++) {
      struct dst_req *q = &ctx->reqs[ctx->nreq++];
      q->host = h;
      q->to = (h + 1 + (unsigned)below(r, ctx->hosts - 1)) % ctx->hosts;
      q->at = ms(r, 0, 3000);
      q->port = chance(r, 0.05) ? DST_PORT + 1 : DST_PORT;
      draw_plan(ctx, r, &q->plan);
    }
  }
  int pos =
      snprintf(res->desc, sizeof res->desc,
               "%u hosts %s, %u connections, delay %.0f ms loss %.3f dup %.3f reorder %.3f "
               "corrupt %.3f jitter %.0f ms rate %.1f Mbit/s",
               ctx->hosts, res->ipv6 ? "IPv6" : "IPv4", ctx->nreq, (double)cfg->link.delay / 1e6,
               cfg->link.loss, cfg->link.dup, cfg->link.reorder, cfg->link.corrupt,
               (double)cfg->link.jitter / 1e6, (double)cfg->link.rate_bps / 1e6);
  (void)pos;
}

/* Partitions and crashes, once the sim exists. */
static void schedule(struct dst_ctx *ctx) {
  struct fin_sim_rng *r = &ctx->gen;
  struct fin_dst_result *res = ctx->res;
  size_t len = strlen(res->desc);
  if (chance(r, 0.3)) {
    unsigned n = 1 + (unsigned)below(r, 2);
    for (unsigned i = 0; i < n; i++) {
      unsigned a = (unsigned)below(r, ctx->hosts);
      unsigned b = (a + 1 + (unsigned)below(r, ctx->hosts - 1)) % ctx->hosts;
      fin_time t1 = ms(r, 0, 8000), t2 = t1 + ms(r, 100, 40000);
      if (fin_sim_partition(ctx->sim, a, b, t1, t2) == 0) {
        res->faults[FIN_DST_PARTITION]++;
        if (t2 > ctx->quiet_pair[a][b])
          ctx->quiet_pair[a][b] = ctx->quiet_pair[b][a] = t2;
        len += (size_t)snprintf(res->desc + len, sizeof res->desc - len,
                                ", partition %c-%c %.1f-%.1f s", 'a' + a, 'a' + b, (double)t1 / 1e9,
                                (double)t2 / 1e9);
      }
    }
  }
  if (chance(r, 0.15)) {
    unsigned h = (unsigned)below(r, ctx->hosts);
    fin_time at = ms(r, 20, 8000);
    fin_time back = chance(r, 0.2) ? FIN_NEVER : at + ms(r, 100, 30000);
    if (fin_sim_crash(ctx->sim, h, at, back) == 0) {
      res->faults[FIN_DST_CRASH]++;
      if (len < sizeof res->desc)
        snprintf(res->desc + len, sizeof res->desc - len, ", host %c crashes at %.2f s%s", 'a' + h,
                 (double)at / 1e9, back == FIN_NEVER ? " for good" : ", restarts");
    }
  }
}

/* ---- the byte stream ---- */

static uint8_t pattern(uint64_t off, uint8_t salt) {
  return (uint8_t)((off * 131u) ^ (off >> 9) ^ (off >> 17) ^ salt);
}

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/* The sender's salt: its host and port, so every stream differs. */
static uint8_t salt_of(unsigned host, uint16_t port) {
  return (uint8_t)(host * 37u + port + (port >> 8));
}

static unsigned addr_host(const struct fin_addr *a) {
  return (unsigned)a->b[15] - 1; /* 10.0.0.<i+1> or fd00::<i+1> */
}

/* ---- endpoints ---- */

static struct dst_ep *ep_add(struct dst_ctx *ctx, unsigned h, fin_sock s, bool client) {
  if (ctx->nep == DST_MAX_EP)
    return NULL;
  struct fin_stack *st = fin_sim_stack(ctx->sim, h);
  struct dst_ep *e = &ctx->eps[ctx->nep++];
  memset(e, 0, sizeof(*e));
  e->host = h;
  e->gen = fin_sim_generation(ctx->sim, h);
  e->s = s;
  e->client = client;
  e->conn_id = fin_sock_conn_id(st, s);
  e->order_ok = true;
  e->hash_sent = e->hash_rcvd = DST_FNV;
  ctx->res->conns++;
  return e;
}

static struct dst_ep *ep_find(struct dst_ctx *ctx, unsigned h, uint64_t conn_id) {
  unsigned gen = fin_sim_generation(ctx->sim, h);
  for (unsigned i = 0; i < ctx->nep; i++) {
    struct dst_ep *e = &ctx->eps[i];
    if (e->host == h && e->gen == gen && e->conn_id == conn_id)
      return e;
  }
  return NULL;
}

static bool learn_tuple(struct dst_ctx *ctx, struct fin_stack *st, struct dst_ep *e) {
  if (e->has_tuple)
    return true;
  struct fin_conn_info info;
  size_t len = sizeof info;
  if (fin_getsockopt(st, e->s, FIN_TCP_INFO, &info, &len) != 0 || info.tuple.local_port == 0 ||
      info.tuple.remote_port == 0)
    return false;
  e->tuple = info.tuple;
  e->peer_host = addr_host(&info.tuple.remote_addr);
  e->has_tuple = true;
  (void)ctx;
  return true;
}

static void app_fail(struct dst_ctx *ctx, struct dst_ep *e, int64_t err, const char *call) {
  if (e->app_err == 0)
    e->app_err = (int)err;
  e->failed = true;
  fin_sim_trace_app(ctx->sim, e->host, e->s, call, err, false);
}

/* close(); with SO_LINGER {1,N} the handle stays ours (-EINPROGRESS) until
 * the FIN is acknowledged or N s pass, so the caller calls again (B5). */
static void release(struct dst_ctx *ctx, struct fin_stack *st, struct dst_ep *e, bool fin) {
  if (e->released)
    return;
  int rc = fin_close(st, e->s);
  if (!e->lingering || rc != -EINPROGRESS)
    fin_sim_trace_app(ctx->sim, e->host, e->s, "close()", rc, false);
  e->lingering = rc == -EINPROGRESS;
  e->released = !e->lingering;
  e->fin_asked |= fin;
}

static void set_options(struct fin_stack *st, fin_sock s, const struct dst_plan *p) {
  if (p->user_timeout_ms != 0)
    fin_setsockopt(st, s, FIN_TCP_USER_TIMEOUT, &p->user_timeout_ms, sizeof p->user_timeout_ms);
  if (p->linger2_s != 0)
    fin_setsockopt(st, s, FIN_TCP_LINGER2, &p->linger2_s, sizeof p->linger2_s);
  if (!p->keepalive)
    return;
  int on = 1;
  fin_setsockopt(st, s, FIN_SO_KEEPALIVE, &on, sizeof on);
  fin_setsockopt(st, s, FIN_TCP_KEEPIDLE, &p->ka_idle, sizeof p->ka_idle);
  fin_setsockopt(st, s, FIN_TCP_KEEPINTVL, &p->ka_intvl, sizeof p->ka_intvl);
  fin_setsockopt(st, s, FIN_TCP_KEEPCNT, &p->ka_cnt, sizeof p->ka_cnt);
}

static void do_listen(struct dst_ctx *ctx, unsigned h, struct fin_stack *st) {
  unsigned gen = fin_sim_generation(ctx->sim, h);
  if (ctx->listener_gen[h] == gen)
    return;
  ctx->listener_gen[h] = gen;
  ctx->listener[h] = fin_socket(st);
  struct fin_sockaddr a = {fin_sim_addr(ctx->sim, h), DST_PORT, FIN_AF_UNSPEC};
  int rc = fin_bind(st, ctx->listener[h], &a);
  if (rc == 0)
    rc = fin_listen(st, ctx->listener[h], 16);
  fin_sim_trace_app(ctx->sim, h, ctx->listener[h], "listen()", rc, false);
  if (rc != 0)
    fail(ctx, "host %c: listen failed: %s", 'a' + h, fin_strerror(rc));
}

static void do_accept(struct dst_ctx *ctx, unsigned h, struct fin_stack *st) {
  struct fin_sockaddr peer;
  fin_sock s;
  while ((s = fin_accept(st, ctx->listener[h], &peer)) >= 0) {
    fin_sim_trace_app(ctx->sim, h, s, "accept()", 0, false);
    struct dst_ep *e = ep_add(ctx, h, s, false);
    if (e == NULL) {
      struct fin_linger lg = {1, 0};
      fin_setsockopt(st, s, FIN_SO_LINGER, &lg, sizeof lg);
      fin_close(st, s);
      continue;
    }
    e->connected = true;
    draw_plan(ctx, &ctx->apps[h], &e->plan);
    set_options(st, s, &e->plan);
  }
}

static void do_connects(struct dst_ctx *ctx, unsigned h, struct fin_stack *st) {
  fin_time now = fin_sim_now(ctx->sim);
  for (unsigned i = 0; i < ctx->nreq; i++) {
    struct dst_req *q = &ctx->reqs[i];
    if (q->host != h || q->done || now < q->at)
      continue;
    q->done = true;
    fin_sock s = fin_socket(st);
    if (s < 0)
      continue;
    set_options(st, s, &q->plan);
    struct fin_sockaddr to = {fin_sim_addr(ctx->sim, q->to), q->port, FIN_AF_UNSPEC};
    int rc = fin_connect(st, s, &to);
    char call[40];
    snprintf(call, sizeof call, "connect(%c)", 'a' + q->to);
    fin_sim_trace_app(ctx->sim, h, s, call, rc, false);
    struct dst_ep *e = ep_add(ctx, h, s, true);
    if (e == NULL) {
      fin_close(st, s);
      continue;
    }
    e->plan = q->plan;
    e->peer_host = q->to;
    if (rc != 0 && rc != -EINPROGRESS) {
      app_fail(ctx, e, rc, "connect()");
      release(ctx, st, e, false);
    }
  }
}

/* ---- one endpoint's work ---- */

static bool finish_connect(struct dst_ctx *ctx, struct fin_stack *st, struct dst_ep *e) {
  if (e->connected)
    return true;
  int ev = fin_poll(st, e->s);
  if ((ev & FIN_POLLOUT) && !(ev & FIN_POLLERR)) {
    e->connected = true;
    return true;
  }
  if (!(ev & (FIN_POLLERR | FIN_POLLHUP | FIN_POLLNVAL)))
    return false;
  int err = 0;
  size_t len = sizeof err;
  fin_getsockopt(st, e->s, FIN_SO_ERROR, &err, &len);
  app_fail(ctx, e, err ? -err : -ECONNABORTED, "connect result");
  return false;
}

static bool reading(const struct dst_ep *e, fin_time now) {
  if (e->plan.reader == FIN_DST_APP_STOPPED && now < e->plan.stop_until)
    return false;
  if (e->plan.reader == FIN_DST_APP_SLOW && now < e->next_read)
    return false;
  return !e->shut_rd_done;
}

static void account(struct dst_ctx *ctx, struct dst_ep *e, uint8_t *buf, size_t n) {
  uint8_t salt = salt_of(e->peer_host, e->tuple.remote_port);
  if (ctx->o->brk == FIN_DST_BREAK_STREAM && e->rcvd <= DST_BREAK_OFF &&
      e->rcvd + n > DST_BREAK_OFF) {
    size_t k = (size_t)(DST_BREAK_OFF - e->rcvd);
    memmove(buf + k, buf + k + 1, n - k - 1); /* a stack that lost one byte */
    n--;
  }
  for (size_t i = 0; i < n; i++)
    if (buf[i] != pattern(e->rcvd + i, salt) && e->order_ok) {
      e->order_ok = false;
      e->bad_at = e->rcvd + i;
    }
  ctx->res->checks[FIN_DST_CHK_ORDER] += n;
  e->hash_rcvd = fnv(e->hash_rcvd, buf, n);
  e->rcvd += n;
}

static void do_read(struct dst_ctx *ctx, struct fin_stack *st, struct dst_ep *e) {
  fin_time now = fin_sim_now(ctx->sim);
  uint8_t buf[DST_CHUNK];
  while (!e->eof && !e->failed && reading(e, now)) {
    size_t want = e->plan.reader == FIN_DST_APP_SLOW ? 700 : sizeof buf;
    ssize_t n = fin_recv(st, e->s, buf, want, 0);
    if (n == -EAGAIN)
      return;
    if (n < 0) {
      app_fail(ctx, e, n, "recv()");
      return;
    }
    if (n == 0) {
      e->eof = true;
      fin_sim_trace_app(ctx->sim, e->host, e->s, "recv() EOF", 0, false);
      return;
    }
    account(ctx, e, buf, (size_t)n);
    fin_sim_trace_app(ctx->sim, e->host, e->s, "recv()", n, true);
    if (e->plan.shrink && !e->shrunk) {
      /* A receiver that shrinks its buffer mid-stream (RFC 9293 §3.8.6:
       * the window it offered must still be honoured by the sender). */
      int small = 512;
      e->shrunk = true;
      fin_setsockopt(st, e->s, FIN_SO_RCVBUF, &small, sizeof small);
    }
    if (e->plan.reader == FIN_DST_APP_SLOW) {
      e->next_read = now + e->plan.read_period;
      return;
    }
  }
}

static void do_send(struct dst_ctx *ctx, struct fin_stack *st, struct dst_ep *e) {
  if (e->failed || e->primary_done)
    return;
  uint8_t salt = salt_of(e->host, e->tuple.local_port);
  while (e->sent < e->plan.send) {
    uint64_t left = e->plan.send - e->sent;
    size_t len = left < DST_CHUNK ? (size_t)left : DST_CHUNK;
    for (size_t k = 0; k < len; k++)
      ctx->stage[k] = pattern(e->sent + k, salt);
    ssize_t n = fin_send(st, e->s, ctx->stage, len, 0);
    if (n == -EAGAIN)
      return;
    if (n < 0) {
      app_fail(ctx, e, n, "send()");
      return;
    }
    e->hash_sent = fnv(e->hash_sent, ctx->stage, (size_t)n);
    e->sent += (uint64_t)n;
    fin_sim_trace_app(ctx->sim, e->host, e->s, "send()", n, true);
  }
}

static void do_close(struct dst_ctx *ctx, struct fin_stack *st, struct dst_ep *e) {
  const struct dst_plan *p = &e->plan;
  fin_time now = fin_sim_now(ctx->sim);
  if (e->failed) {
    release(ctx, st, e, false);
    return;
  }
  if (p->shut_rd && !e->shut_rd_done && now >= p->shut_rd_at) {
    e->shut_rd_done = true;
    fin_sim_trace_app(ctx->sim, e->host, e->s, "shutdown(RD)", fin_shutdown(st, e->s, FIN_SHUT_RD),
                      false);
  }
  bool sent = e->sent >= p->send;
  if (!e->primary_done) {
    bool due = false;
    switch (p->close) {
    case FIN_DST_APP_CLOSE:
    case FIN_DST_APP_SHUT_WR:
    case FIN_DST_APP_LINGER_N:
      due = sent;
      break;
    case FIN_DST_APP_CLOSE_EOF:
      due = sent && e->eof;
      break;
    case FIN_DST_APP_CLOSE_AT:
    case FIN_DST_APP_LINGER0:
    case FIN_DST_APP_ABORT:
      due = now >= p->close_at;
      break;
    default:
      break;
    }
    if (!due)
      return;
    e->primary_done = true;
    if (p->close == FIN_DST_APP_SHUT_WR) {
      e->fin_asked = true;
      fin_sim_trace_app(ctx->sim, e->host, e->s, "shutdown(WR)",
                        fin_shutdown(st, e->s, FIN_SHUT_WR), false);
    } else if (p->close == FIN_DST_APP_LINGER0 || p->close == FIN_DST_APP_LINGER_N) {
      struct fin_linger lg = {1, p->close == FIN_DST_APP_LINGER0 ? 0 : p->linger_s};
      int rc = fin_setsockopt(st, e->s, FIN_SO_LINGER, &lg, sizeof lg);
      fin_sim_trace_app(ctx->sim, e->host, e->s, lg.linger ? "SO_LINGER {1,N}" : "SO_LINGER {1,0}",
                        rc, false);
      release(ctx, st, e, lg.linger != 0);
    } else if (p->close == FIN_DST_APP_ABORT) {
      int rc = fin_abort(st, e->s);
      fin_sim_trace_app(ctx->sim, e->host, e->s, "abort()", rc, false);
      e->released = true;
    } else {
      release(ctx, st, e, true);
    }
    return;
  }
  if (p->close == FIN_DST_APP_SHUT_WR && e->eof)
    release(ctx, st, e, true);
}

/* The connection ended under a handle the application holds: it asks,
 * as any application would, by reading (and then SO_ERROR) - G4: it must
 * learn how the connection ended. */
static void probe_end(struct dst_ctx *ctx, struct fin_stack *st, struct dst_ep *e) {
  uint8_t buf[DST_CHUNK];
  e->probed = true;
  for (int i = 0; i < 64 && !e->failed; i++) {
    ssize_t n = fin_recv(st, e->s, buf, sizeof buf, 0);
    if (n > 0 && learn_tuple(ctx, st, e)) {
      account(ctx, e, buf, (size_t)n);
      continue;
    }
    if (n == 0 && !e->eof)
      e->eof = true;
    if (n < 0 && n != -EAGAIN)
      app_fail(ctx, e, n, "recv() after the end");
    break;
  }
  if (!e->failed) {
    int err = 0;
    size_t len = sizeof err;
    fin_getsockopt(st, e->s, FIN_SO_ERROR, &err, &len);
    if (err != 0)
      app_fail(ctx, e, -err, "SO_ERROR after the end");
  }
  release(ctx, st, e, false);
}

static bool alive(const struct dst_ep *e) {
  return e->connected && e->has_tuple && !e->closed && !e->released && !e->failed && !e->crashed &&
         !e->lingering;
}

static const struct dst_ep *ep_peer(const struct dst_ctx *ctx, const struct dst_ep *e);

/* Progress: when the applications exit, a reader that always read got
 * everything its live peer handed its stack, unless a partition ended
 * less than PROGRESS_SLACK before (the retransmission backoff may still
 * be waiting; RFC 6298 caps it at rto_max). */
#define PROGRESS_SLACK FIN_SEC(130)
static void check_progress(struct dst_ctx *ctx, unsigned h) {
  fin_time now = fin_sim_now(ctx->sim);
  unsigned gen = fin_sim_generation(ctx->sim, h);
  for (unsigned i = 0; i < ctx->nep; i++) {
    const struct dst_ep *e = &ctx->eps[i];
    if (e->host != h || e->gen != gen || !alive(e) || e->plan.reader != FIN_DST_APP_READ ||
        e->plan.shut_rd || e->plan.shrink || e->eof)
      continue;
    const struct dst_ep *p = ep_peer(ctx, e);
    if (p == NULL || !alive(p) || now < ctx->quiet_pair[h][e->peer_host] + PROGRESS_SLACK)
      continue;
    ctx->res->checks[FIN_DST_CHK_PROGRESS]++;
    if (e->rcvd + (ctx->o->brk == FIN_DST_BREAK_PROGRESS) != p->sent)
      fail(ctx,
           "host %c conn %llu at %.3f s: read %llu bytes, its peer on host %c has sent %llu: "
           "no progress",
           'a' + h, (unsigned long long)e->conn_id, (double)now / 1e9, (unsigned long long)e->rcvd,
           'a' + p->host, (unsigned long long)p->sent);
  }
}

static void ep_step(struct dst_ctx *ctx, struct fin_stack *st, struct dst_ep *e) {
  if (e->closed && e->held && !e->probed) {
    probe_end(ctx, st, e);
    return;
  }
  if (e->lingering) {
    release(ctx, st, e, false);
    return;
  }
  if (fin_sim_now(ctx->sim) >= ctx->t_final) {
    /* The applications exit: every handle is closed, whatever its state;
     * from here on every connection must find its way to CLOSED. */
    release(ctx, st, e, true);
    return;
  }
  if (!finish_connect(ctx, st, e)) {
    if (e->failed)
      release(ctx, st, e, false);
    return;
  }
  if (!learn_tuple(ctx, st, e))
    return;
  do_read(ctx, st, e);
  if (e->failed) {
    release(ctx, st, e, false);
    return;
  }
  if (!reading(e, fin_sim_now(ctx->sim)) && (fin_poll(st, e->s) & FIN_POLLERR)) {
    int err = 0;
    size_t len = sizeof err;
    fin_getsockopt(st, e->s, FIN_SO_ERROR, &err, &len);
    app_fail(ctx, e, err ? -err : -ECONNRESET, "SO_ERROR");
  }
  if (!e->killed && fin_sim_now(ctx->sim) >= e->plan.kill_at) {
    e->killed = true;
    fin_sim_trace_app(ctx->sim, e->host, e->s, "fin_stack_kill()", fin_stack_kill(st, &e->tuple),
                      false);
    return; /* the application learns of it from its next call */
  }
  do_send(ctx, st, e);
  do_close(ctx, st, e);
}

/* Memory bound: a fixed allowance plus, per connection the host ever had,
 * its TCB, full buffers both ways and an out-of-order store as large as
 * the receive buffer (M16 clamps what the application may ask for). */
static void check_memory(struct dst_ctx *ctx, unsigned h) {
  size_t live = fin_sim_host_bytes(ctx->sim, h);
  if (live > ctx->res->mem_peak)
    ctx->res->mem_peak = live;
  unsigned n = 1;
  for (unsigned i = 0; i < ctx->nep; i++)
    n += ctx->eps[i].host == h;
  const struct fin_settings *s = &ctx->settings[h];
  size_t per = fin_tcb_size() + s->sndbuf + 2u * s->rcvbuf + 16384;
  size_t bound = ctx->o->brk == FIN_DST_BREAK_MEMORY ? 1 : 512 * 1024 + (size_t)n * per;
  ctx->res->checks[FIN_DST_CHK_MEMORY]++;
  if (live > bound)
    fail(ctx, "host %c at %.6f s: %zu bytes live, bound %zu (%u connections)", 'a' + h,
         (double)fin_sim_now(ctx->sim) / 1e9, live, bound, n);
}

/* ---- the simulator's hooks ---- */

static void app_step(void *vctx, struct fin_sim *sim, unsigned h) {
  struct dst_ctx *ctx = vctx;
  struct fin_stack *st = fin_sim_stack(sim, h);
  if (st == NULL)
    return;
  do_listen(ctx, h, st);
  if (fin_sim_now(sim) >= ctx->t_final && !ctx->progress_checked[h]) {
    ctx->progress_checked[h] = true;
    check_progress(ctx, h);
  }
  do_accept(ctx, h, st);
  do_connects(ctx, h, st);
  unsigned gen = fin_sim_generation(sim, h);
  for (unsigned i = 0; i < ctx->nep; i++) {
    struct dst_ep *e = &ctx->eps[i];
    if (e->host == h && e->gen == gen && !e->released)
      ep_step(ctx, st, e);
  }
  check_memory(ctx, h);
}

static void app_event(void *vctx, struct fin_sim *sim, unsigned h, const struct fin_event *ev) {
  struct dst_ctx *ctx = vctx;
  (void)sim;
  if (ev->type == FIN_EV_RST_SENT && ctx->o->brk != FIN_DST_BREAK_RST) {
    for (unsigned i = 0; i < ctx->nrst; i++)
      if (ctx->rsts[i].host == h && ctx->rsts[i].lport == ev->tuple.local_port &&
          ctx->rsts[i].rport == ev->tuple.remote_port)
        return;
    if (ctx->nrst == DST_MAX_RST) {
      ctx->rst_overflow = true;
      return;
    }
    ctx->rsts[ctx->nrst++] = (struct dst_rst){h, ev->tuple.local_port, ev->tuple.remote_port};
    return;
  }
  if (ev->type == FIN_EV_STATE && ev->to == FIN_CLOSED) {
    struct dst_ep *e = ep_find(ctx, h, ev->conn_id);
    if (e != NULL)
      e->closed_from = ev->from;
    return;
  }
  if (ev->type != FIN_EV_CLOSED)
    return;
  struct dst_ep *e = ep_find(ctx, h, ev->conn_id);
  if (e == NULL)
    return;
  if (!e->has_tuple && ev->tuple.local_port != 0 && ev->tuple.remote_port != 0) {
    e->tuple = ev->tuple;
    e->has_tuple = true;
  }
  e->closed = true;
  e->held = !e->released && !e->lingering && !e->failed;
  e->reason = ev->reason;
  e->close_err = ev->err;
}

static fin_time app_wakeup(void *vctx, unsigned h) {
  struct dst_ctx *ctx = vctx;
  fin_time t = FIN_NEVER, now = fin_sim_now(ctx->sim);
#define WAKE(x)                                                                                    \
  do {                                                                                             \
    fin_time w_ = (x);                                                                             \
    if (w_ > now && w_ < t)                                                                        \
      t = w_;                                                                                      \
  } while (0)
  for (unsigned i = 0; i < ctx->nreq; i++)
    if (ctx->reqs[i].host == h && !ctx->reqs[i].done)
      WAKE(ctx->reqs[i].at);
  unsigned gen = fin_sim_generation(ctx->sim, h);
  for (unsigned i = 0; i < ctx->nep; i++) {
    const struct dst_ep *e = &ctx->eps[i];
    if (e->host != h || e->gen != gen || e->released)
      continue;
    WAKE(ctx->t_final);
    if (e->failed)
      continue;
    /* Timed actions matter only while they can still do something. */
    if (e->plan.reader == FIN_DST_APP_SLOW && !e->eof && !e->closed)
      WAKE(e->next_read);
    if (e->plan.reader == FIN_DST_APP_STOPPED && !e->eof)
      WAKE(e->plan.stop_until);
    if (!e->primary_done &&
        (e->plan.close == FIN_DST_APP_CLOSE_AT || e->plan.close == FIN_DST_APP_LINGER0 ||
         e->plan.close == FIN_DST_APP_ABORT))
      WAKE(e->plan.close_at);
    if (e->plan.shut_rd && !e->shut_rd_done)
      WAKE(e->plan.shut_rd_at);
    if (!e->killed && !e->closed)
      WAKE(e->plan.kill_at);
  }
#undef WAKE
  return t;
}

static void app_crash(void *vctx, struct fin_sim *sim, unsigned h) {
  struct dst_ctx *ctx = vctx;
  unsigned gen = fin_sim_generation(sim, h);
  for (unsigned i = 0; i < ctx->nep; i++) {
    struct dst_ep *e = &ctx->eps[i];
    if (e->host == h && e->gen == gen) {
      e->crashed = !e->closed;
      e->released = true;
    }
  }
}

static void app_restart(void *vctx, struct fin_sim *sim, unsigned h) {
  (void)vctx;
  (void)sim;
  (void)h; /* the next step listens again (listener_gen) */
}

/* ---- end of run ---- */

static bool graceful(enum fin_close_reason r) {
  return r == FIN_REASON_GRACEFUL || r == FIN_REASON_TIME_WAIT_DONE ||
         r == FIN_REASON_TIME_WAIT_REOPENED || r == FIN_REASON_TIME_WAIT_RECYCLED;
}

/* G4 / RFC 9293 MUST-12: how it ended and the errno the application reads
 * say the same thing. */
static bool errno_fits(enum fin_close_reason r, int err, enum fin_state from) {
  switch (r) {
  case FIN_REASON_GRACEFUL:
  case FIN_REASON_TIME_WAIT_DONE:
  case FIN_REASON_TIME_WAIT_REOPENED:
  case FIN_REASON_TIME_WAIT_RECYCLED:
  case FIN_REASON_TIME_WAIT_RESET:
  case FIN_REASON_CLOSED_IN_SYN_SENT:
    return err == 0;
  case FIN_REASON_RESET:
    return err == -ECONNRESET || err == -EPIPE;
  case FIN_REASON_REFUSED:
    return err == -ECONNREFUSED;
  case FIN_REASON_ADMIN_KILL:
    /* A kill in TIME-WAIT ends an exchange that already completed: like
     * ABORT there (RFC 9293 §3.10.5) it reports nothing. */
    return err == -ECONNABORTED || (from == FIN_TIME_WAIT && err == 0);
  case FIN_REASON_RETRANSMIT_TIMEOUT:
  case FIN_REASON_USER_TIMEOUT:
  case FIN_REASON_SYN_TIMEOUT:
  case FIN_REASON_KEEPALIVE_TIMEOUT:
    return err == -ETIMEDOUT;
  default:
    return true; /* local endings: the application chose them */
  }
}

static const struct dst_ep *ep_peer(const struct dst_ctx *ctx, const struct dst_ep *e) {
  const struct dst_ep *found = NULL;
  for (unsigned i = 0; i < ctx->nep; i++) {
    const struct dst_ep *p = &ctx->eps[i];
    if (p == e || !p->has_tuple || p->host != e->peer_host || p->client == e->client ||
        p->tuple.local_port != e->tuple.remote_port || p->tuple.remote_port != e->tuple.local_port)
      continue;
    if (found != NULL)
      return NULL; /* the 4-tuple was reused across a restart: ambiguous */
    found = p;
  }
  return found;
}

static bool rst_sent(const struct dst_ctx *ctx, unsigned host, uint16_t lport, uint16_t rport) {
  for (unsigned i = 0; i < ctx->nrst; i++)
    if (ctx->rsts[i].host == host && ctx->rsts[i].lport == lport && ctx->rsts[i].rport == rport)
      return true;
  return ctx->rst_overflow;
}

static void check_ep(struct dst_ctx *ctx, const struct dst_ep *e) {
  uint64_t *chk = ctx->res->checks;
  char who[48];
  snprintf(who, sizeof who, "host %c %s conn %llu (:%u->%c:%u)", 'a' + e->host,
           e->client ? "client" : "server", (unsigned long long)e->conn_id,
           (unsigned)e->tuple.local_port, 'a' + e->peer_host, (unsigned)e->tuple.remote_port);
  if (!e->order_ok)
    fail(ctx, "%s: byte %llu read is not the byte sent at that offset", who,
         (unsigned long long)e->bad_at);
  if (e->closed) {
    ctx->res->endings[e->reason]++;
    chk[FIN_DST_CHK_ERRNO]++;
    if (!errno_fits(e->reason, e->close_err, e->closed_from))
      fail(ctx, "%s: close reason %s with errno %s", who, fin_close_reason_name(e->reason),
           fin_strerror(e->close_err));
  }
  if (e->released && !e->closed && !e->crashed) {
    chk[FIN_DST_CHK_WAY_OUT]++;
    fail(ctx, "%s: released by the application, never ended", who);
  } else if (e->released) {
    chk[FIN_DST_CHK_WAY_OUT]++;
  }
  if (e->app_err == -ECONNREFUSED || e->app_err == -ETIMEDOUT || e->app_err == -ECONNRESET) {
    chk[FIN_DST_CHK_APP_ERR]++;
    if (e->closed && e->close_err != e->app_err &&
        !(e->reason == FIN_REASON_RESET && e->app_err == -ECONNRESET))
      fail(ctx, "%s: the application saw %s, the connection ended %s (%s)", who,
           fin_strerror(e->app_err), fin_close_reason_name(e->reason), fin_strerror(e->close_err));
  }
  /* G4 (MUST-12): an application holding the handle learns of a reset or
   * a timeout through the errno of its next call. */
  int want = 0;
  if (e->reason == FIN_REASON_RESET)
    want = -ECONNRESET;
  else if (e->reason == FIN_REASON_REFUSED)
    want = -ECONNREFUSED;
  else if (e->reason == FIN_REASON_ADMIN_KILL && e->closed_from != FIN_TIME_WAIT)
    want = -ECONNABORTED;
  else if (e->reason == FIN_REASON_RETRANSMIT_TIMEOUT || e->reason == FIN_REASON_USER_TIMEOUT ||
           e->reason == FIN_REASON_SYN_TIMEOUT || e->reason == FIN_REASON_KEEPALIVE_TIMEOUT)
    want = -ETIMEDOUT;
  if (e->closed && e->held && want != 0) {
    chk[FIN_DST_CHK_APP_ERR]++;
    if (e->app_err != want && !(want == -ECONNRESET && e->app_err == -EPIPE))
      fail(ctx, "%s: ended %s while the application held it, which saw %s", who,
           fin_close_reason_name(e->reason), fin_strerror(e->app_err));
  }
  const struct dst_ep *p = ep_peer(ctx, e);
  if (p == NULL)
    return;
  if (e->eof) {
    /* The peer's FIN comes after all its data: EOF means all of it. */
    chk[FIN_DST_CHK_EOF]++;
    if (e->rcvd != p->sent || e->hash_rcvd != p->hash_sent)
      fail(ctx, "%s: EOF after %llu bytes (hash %016llx), the peer sent %llu (hash %016llx)", who,
           (unsigned long long)e->rcvd, (unsigned long long)e->hash_rcvd,
           (unsigned long long)p->sent, (unsigned long long)p->hash_sent);
    chk[FIN_DST_CHK_PEER_FIN]++;
    if (!p->fin_asked && !p->crashed)
      fail(ctx, "%s: read EOF, but the peer's application never closed or shut down", who);
  }
  if (e->closed && (e->reason == FIN_REASON_RESET || e->reason == FIN_REASON_REFUSED ||
                    e->reason == FIN_REASON_TIME_WAIT_RESET)) {
    chk[FIN_DST_CHK_PEER_RST]++;
    if (!rst_sent(ctx, e->peer_host, e->tuple.remote_port, e->tuple.local_port))
      fail(ctx, "%s: ended %s, but host %c never sent an RST for it", who,
           fin_close_reason_name(e->reason), 'a' + e->peer_host);
  }
  (void)graceful;
}

static void evaluate(struct dst_ctx *ctx, int rc) {
  if (rc == -EPROTO)
    fail(ctx, "invariant broken: %s", fin_sim_failure(ctx->sim));
  else if (rc == -ETIME)
    fail(ctx, "no progress: still busy after %.0f s of virtual time",
         (double)fin_sim_now(ctx->sim) / 1e9);
  else if (rc == -ELOOP)
    fail(ctx, "no progress: still busy after %llu steps",
         (unsigned long long)fin_sim_steps(ctx->sim));
  for (unsigned i = 0; i < ctx->nep; i++)
    check_ep(ctx, &ctx->eps[i]);
}

int fin_dst_run(const struct fin_dst_opts *o, struct fin_dst_result *res) {
  memset(res, 0, sizeof(*res));
  struct dst_ctx *ctx = calloc(1, sizeof(*ctx));
  if (ctx == NULL)
    return -ENOMEM;
  ctx->o = o;
  ctx->res = res;
  struct fin_sim_config cfg;
  generate(ctx, &cfg);
  res->hosts = ctx->hosts;
  cfg.app =
      (struct fin_sim_app){ctx, app_event, app_step, app_wakeup, app_crash, app_restart, NULL};
  int rc = fin_sim_new(&ctx->sim, &cfg);
  if (rc != 0) {
    free(ctx);
    return rc;
  }
  schedule(ctx);
  int sim_rc = fin_sim_run(ctx->sim);
  res->checks[FIN_DST_CHK_AUDIT] = fin_sim_steps(ctx->sim);
  res->steps = fin_sim_steps(ctx->sim);
  res->end = fin_sim_now(ctx->sim);
  evaluate(ctx, sim_rc);
  res->leaked = fin_sim_free(ctx->sim);
  res->checks[FIN_DST_CHK_LEAK]++;
  if (res->leaked != 0)
    fail(ctx, "the stacks leaked %zu bytes", res->leaked);
  res->ok = ctx->why[0] == '\0';
  snprintf(res->why, sizeof res->why, "%s", ctx->why);
  free(ctx);
  return 0;
}
