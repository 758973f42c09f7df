/* SPDX-License-Identifier: MIT */
/* The two applications of each lifecycle: host a (client) connects to host
 * b (server), each sends a little data, then they end the connection the
 * lifecycle's way. They react to what they see (the reply is in, EOF, an
 * error; an abort waits only for the next step after its data left), never
 * to a timer of their own, so a faulted run plays the same script. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

static const char *const names[EXPLORE_LIFECYCLE_COUNT] = {
    [EXPLORE_GRACEFUL] = "graceful",
    [EXPLORE_PASSIVE] = "passive",
    [EXPLORE_SIMULTANEOUS] = "simultaneous",
    [EXPLORE_CROSSING] = "crossing",
    [EXPLORE_HALF_CLOSE] = "half-close",
    [EXPLORE_HALF_ABORT] = "half-abort",
    [EXPLORE_REOPEN] = "reopen",
    [EXPLORE_HALF_HOLD] = "half-hold",
    [EXPLORE_LINGER] = "linger",
    [EXPLORE_LINGER0] = "linger0",
    [EXPLORE_ABORT] = "abort",
    [EXPLORE_UNREAD] = "unread",
};

const char *explore_lifecycle_name(enum explore_lifecycle lc) {
  return (unsigned)lc < EXPLORE_LIFECYCLE_COUNT ? names[lc] : "?";
}

int explore_lifecycle_parse(const char *name, enum explore_lifecycle *out) {
  for (int i = 0; i < EXPLORE_LIFECYCLE_COUNT; i++)
    if (strcmp(name, names[i]) == 0) {
      *out = (enum explore_lifecycle)i;
      return 0;
    }
  return -EINVAL;
}

static void fill(uint8_t *b, size_t n, uint32_t seed) {
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    b[i] = (uint8_t)(seed >> 16);
  }
}

/* reopen binds the client's port, so the second connection has the first
 * one's 4-tuple. */
#define CLIENT_PORT 40000

static void client_connect(struct explore_run *r) {
  struct explore_app *a = &r->app[0];
  a->s = fin_socket(r->st[0]);
  if (r->cfg->lc == EXPLORE_REOPEN) {
    int one = 1;
    struct fin_sockaddr me = {r->addr[0], CLIENT_PORT, (uint8_t)r->cfg->family};
    if (fin_setsockopt(r->st[0], a->s, FIN_SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        fin_bind(r->st[0], a->s, &me) != 0)
      explore_fail(r, "host a cannot bind port %d", CLIENT_PORT);
  }
  struct fin_sockaddr dst = {r->addr[1], EXPLORE_PORT, (uint8_t)r->cfg->family};
  int err = fin_connect(r->st[0], a->s, &dst);
  explore_trace_app(r, 0, "connect", err);
  if (err != -EINPROGRESS)
    explore_fail(r, "connect returned %d", err);
}

void explore_apps_init(struct explore_run *r) {
  size_t n = r->cfg->bytes < EXPLORE_DATA ? r->cfg->bytes : EXPLORE_DATA;
  for (int h = 0; h < 2; h++) {
    struct explore_app *a = &r->app[h];
    a->s = a->listener = -1;
    a->out_len = a->send_limit = n;
    fill(a->out, n, 17u + (uint32_t)h);
  }
  /* Half-close: the server sends half before the client's FIN, half after. */
  if (r->cfg->lc == EXPLORE_HALF_CLOSE || r->cfg->lc == EXPLORE_HALF_HOLD ||
      r->cfg->lc == EXPLORE_HALF_ABORT)
    r->app[1].send_limit = n / 2;
  struct explore_app *b = &r->app[1];
  b->listener = fin_socket(r->st[1]);
  struct fin_sockaddr any = {r->cfg->family == FIN_AF_INET6 ? fin_addr_any6() : fin_addr_v4(0),
                             EXPLORE_PORT, (uint8_t)r->cfg->family};
  if (fin_bind(r->st[1], b->listener, &any) != 0 || fin_listen(r->st[1], b->listener, 16) != 0)
    explore_fail(r, "host b cannot listen");
  client_connect(r);
}

/* ---- what every application does: accept, write, read ---- */

static bool can_send(enum fin_state s) {
  switch (s) {
  case FIN_ESTABLISHED:
  case FIN_CLOSE_WAIT:
    return true;
  default:
    return false;
  }
}

static bool accept_one(struct explore_run *r, int h) {
  struct explore_app *a = &r->app[h];
  if (a->s >= 0 || a->listener < 0)
    return false;
  fin_sock s = fin_accept(r->st[h], a->listener, NULL);
  if (s < 0)
    return false;
  explore_trace_app(r, h, "accept", s);
  a->s = s;
  a->conn_id = fin_sock_conn_id(r->st[h], s);
  /* One connection per run (reopen: two): a late duplicate SYN finds no
   * listener (A1). */
  if (r->cfg->lc != EXPLORE_REOPEN || a->phase == 1) {
    fin_close(r->st[h], a->listener);
    a->listener = -1;
  }
  return true;
}

static bool write_some(struct explore_run *r, int h) {
  struct explore_app *a = &r->app[h];
  if (a->s < 0 || a->shut_wr || a->sent >= a->send_limit ||
      !can_send(fin_sock_state(r->st[h], a->s)))
    return false;
  ssize_t n = fin_send(r->st[h], a->s, a->out + a->sent, a->send_limit - a->sent, 0);
  explore_trace_app(r, h, "send", n);
  if (n <= 0)
    return false;
  a->sent += (size_t)n;
  return true;
}

/* Reads what is there; every byte must be the next one the peer sent. */
static bool read_some(struct explore_run *r, int h) {
  struct explore_app *a = &r->app[h];
  const struct explore_app *peer = &r->app[1 - h];
  if (a->s < 0)
    return false;
  bool progress = false;
  for (int guard = 0; guard < 64; guard++) {
    uint8_t buf[4096];
    ssize_t n = fin_recv(r->st[h], a->s, buf, sizeof(buf), 0);
    if (n > 0) {
      if (a->got + (size_t)n > peer->out_len || memcmp(buf, peer->out + a->got, (size_t)n) != 0) {
        explore_fail(r, "host %c read %zd bytes at offset %zu that host %c never sent there",
                     'a' + h, n, a->got, 'a' + (1 - h));
        return false;
      }
      a->got += (size_t)n;
      progress = true;
      continue;
    }
    if (n == 0 && !a->eof) {
      explore_trace_app(r, h, "recv EOF", 0);
      if (a->got != peer->out_len)
        explore_fail(r, "host %c read EOF after %zu of %zu bytes", 'a' + h, a->got, peer->out_len);
      a->eof = true;
      progress = true;
    } else if (n < 0 && n != -EAGAIN && a->err == 0) {
      explore_trace_app(r, h, "recv", n);
      a->err = (int)n;
      progress = true;
    }
    break;
  }
  return progress;
}

static bool pump(struct explore_run *r, int h) {
  bool p = accept_one(r, h);
  p |= write_some(r, h);
  if (!(r->cfg->lc == EXPLORE_UNREAD && h == 0))
    p |= read_some(r, h);
  return p;
}

static bool all_sent(const struct explore_run *r, int h) {
  return r->app[h].sent == r->app[h].out_len;
}

static bool all_got(const struct explore_run *r, int h) {
  return r->app[h].got == r->app[1 - h].out_len;
}

static void app_close(struct explore_run *r, int h) {
  struct explore_app *a = &r->app[h];
  int err = fin_close(r->st[h], a->s);
  explore_trace_app(r, h, "close", err);
  if (err != 0)
    explore_fail(r, "host %c: close returned %d", 'a' + h, err);
  a->s = -1;
  a->closed = true;
}

/* ---- the lifecycles ---- */

/* BEHAVIOR C1 C2 D1 D3 D6 D8 E1: `first` closes once it has the reply, the
 * other end at EOF. */
static bool graceful(struct explore_run *r, int first) {
  struct explore_app *f = &r->app[first], *o = &r->app[1 - first];
  bool p = pump(r, 0);
  p |= pump(r, 1);
  if (!f->closed && f->s >= 0 && all_sent(r, first) && all_got(r, first)) {
    app_close(r, first);
    f->done = p = true;
  }
  if (!o->closed && o->s >= 0 && o->eof && all_sent(r, 1 - first)) {
    app_close(r, 1 - first);
    o->done = p = true;
  }
  return p;
}

/* BEHAVIOR D4 D7 D12: both close in the same instant, once each has
 * everything the other sent, so both FINs cross. */
static bool simultaneous(struct explore_run *r) {
  struct explore_app *a = &r->app[0], *b = &r->app[1];
  bool p = pump(r, 0);
  p |= pump(r, 1);
  if (!a->closed && a->s >= 0 && b->s >= 0 && all_sent(r, 0) && all_sent(r, 1) && all_got(r, 0) &&
      all_got(r, 1)) {
    app_close(r, 0);
    app_close(r, 1);
    a->done = b->done = p = true;
  }
  return p;
}

/* BEHAVIOR D12 G1: both shut down writing in the same instant, with their
 * data still in flight; each closes at EOF. */
static bool crossing(struct explore_run *r) {
  struct explore_app *a = &r->app[0], *b = &r->app[1];
  bool p = pump(r, 0);
  p |= pump(r, 1);
  if (!a->shut_wr && a->s >= 0 && b->s >= 0 && all_sent(r, 0) && all_sent(r, 1)) {
    for (int h = 0; h < 2; h++) {
      int err = fin_shutdown(r->st[h], r->app[h].s, FIN_SHUT_WR);
      explore_trace_app(r, h, "shutdown(SHUT_WR)", err);
      if (err != 0)
        explore_fail(r, "host %c: shutdown returned %d", 'a' + h, err);
      r->app[h].shut_wr = true;
    }
    p = true;
  }
  for (int h = 0; h < 2; h++) {
    struct explore_app *x = &r->app[h];
    if (!x->closed && x->shut_wr && x->eof) {
      app_close(r, h);
      x->done = p = true;
    }
  }
  return p;
}

static bool shut_down_after_data(struct explore_run *r) {
  struct explore_app *a = &r->app[0];
  if (a->shut_wr || a->s < 0 || !all_sent(r, 0))
    return false;
  int err = fin_shutdown(r->st[0], a->s, FIN_SHUT_WR);
  explore_trace_app(r, 0, "shutdown(SHUT_WR)", err);
  if (err != 0)
    explore_fail(r, "host a: shutdown returned %d", err);
  a->shut_wr = true;
  a->epipe = (int)fin_send(r->st[0], a->s, "x", 1, 0); /* G1: EPIPE */
  return true;
}

/* BEHAVIOR G1 G3 D11 F2: a shuts down writing after its data; b sends the
 * rest of its data after a's FIN. Half-close: then b closes, and a at EOF;
 * half-hold: both keep their sockets (FIN-WAIT-2 and CLOSE-WAIT wait). */
static bool half_close(struct explore_run *r, bool hold) {
  struct explore_app *a = &r->app[0], *b = &r->app[1];
  bool p = pump(r, 0);
  p |= pump(r, 1);
  p |= shut_down_after_data(r);
  if (b->eof && b->send_limit < b->out_len) {
    b->send_limit = b->out_len;
    p |= pump(r, 1);
  }
  if (hold) {
    a->done = a->shut_wr && all_got(r, 0);
    b->done = b->eof && all_sent(r, 1);
    return p;
  }
  if (!b->closed && b->s >= 0 && b->eof && all_sent(r, 1)) {
    app_close(r, 1);
    b->done = p = true;
  }
  if (!a->closed && a->s >= 0 && a->eof) {
    app_close(r, 0);
    a->done = p = true;
  }
  return p;
}

/* b reads until the connection ends: EOF or, here, the reset. */
static bool server_until_end(struct explore_run *r) {
  struct explore_app *b = &r->app[1];
  bool p = pump(r, 1);
  if (!b->closed && b->s >= 0 && (b->err != 0 || b->eof)) {
    app_close(r, 1);
    b->done = p = true;
  }
  return p;
}

/* BEHAVIOR B4: SO_LINGER {1,0} close once the reply is in: RST. */
static bool linger0(struct explore_run *r) {
  struct explore_app *a = &r->app[0];
  bool p = pump(r, 0);
  if (!a->closed && a->s >= 0 && all_sent(r, 0) && all_got(r, 0)) {
    struct fin_linger lg = {1, 0};
    int err = fin_setsockopt(r->st[0], a->s, FIN_SO_LINGER, &lg, sizeof(lg));
    if (err != 0)
      explore_fail(r, "host a: SO_LINGER returned %d", err);
    app_close(r, 0);
    a->done = p = true;
  }
  p |= server_until_end(r);
  return p;
}

/* BEHAVIOR B5: a blocking close with SO_LINGER {1,5} once the reply is in:
 * close() says -EINPROGRESS until our FIN is acknowledged (or 5 s pass) and
 * is called again after every step; b closes at EOF. */
static bool linger(struct explore_run *r) {
  struct explore_app *a = &r->app[0], *b = &r->app[1];
  bool p = a->phase == 0 && pump(r, 0); /* after close() the application only calls it again */
  p |= pump(r, 1);
  if (!a->closed && a->s >= 0 && all_sent(r, 0) && all_got(r, 0)) {
    if (a->phase == 0) {
      struct fin_linger lg = {1, 5};
      if (fin_setsockopt(r->st[0], a->s, FIN_SO_LINGER, &lg, sizeof(lg)) != 0)
        explore_fail(r, "host a: SO_LINGER refused");
      a->phase = 1;
    }
    int err = fin_close(r->st[0], a->s);
    if (a->phase == 1)
      explore_trace_app(r, 0, "close", err);
    a->phase = 2;
    if (err != -EINPROGRESS) {
      explore_trace_app(r, 0, "close", err);
      if (err != 0)
        explore_fail(r, "host a: close returned %d", err);
      a->s = -1;
      a->closed = a->done = p = true;
    }
  }
  if (!b->closed && b->s >= 0 && b->eof && all_sent(r, 1)) {
    app_close(r, 1);
    b->done = p = true;
  }
  return p;
}

/* BEHAVIOR B7: close with the reply arrived but unread: RST. */
static bool unread(struct explore_run *r) {
  struct explore_app *a = &r->app[0];
  bool p = pump(r, 0);
  if (!a->closed && a->s >= 0 && all_sent(r, 0) && fin_inq(r->st[0], a->s) > 0) {
    app_close(r, 0);
    a->done = p = true;
  }
  p |= server_until_end(r);
  return p;
}

/* BEHAVIOR B1 (CLOSE-WAIT) H4 G4: a shuts down writing; b sends the rest of
 * its data after EOF and aborts at the first moment after, with that data
 * in flight; a, in FIN-WAIT-2, reads until ECONNRESET. */
static bool half_abort(struct explore_run *r) {
  struct explore_app *a = &r->app[0], *b = &r->app[1];
  bool p = pump(r, 0);
  p |= pump(r, 1);
  p |= shut_down_after_data(r);
  if (b->eof && b->send_limit < b->out_len) {
    b->send_limit = b->out_len;
    p |= pump(r, 1);
  }
  if (b->phase == 0 && b->eof && all_sent(r, 1)) {
    b->phase = 1;
    b->phase_at = r->now;
    p = true;
  } else if (b->phase == 1 && r->now > b->phase_at) {
    int err = fin_abort(r->st[1], b->s);
    explore_trace_app(r, 1, "abort", err);
    if (err != 0)
      explore_fail(r, "host b: abort returned %d", err);
    b->s = -1;
    b->closed = b->done = p = true;
    b->phase = 2;
  }
  if (!a->closed && a->s >= 0 && (a->err != 0 || a->eof)) {
    app_close(r, 0);
    a->done = p = true;
  }
  return p;
}

/* BEHAVIOR E4 E1 C2 D8: the first connection ends server first, so the
 * server holds TIME-WAIT; once the client's side is gone it connects again
 * from the same port, its SYN meets that record, and the second connection
 * plays graceful. */
static bool reopen(struct explore_run *r) {
  struct explore_app *a = &r->app[0], *b = &r->app[1];
  if (a->phase == 1)
    return graceful(r, 0);
  bool p = pump(r, 0);
  p |= pump(r, 1);
  if (!b->closed && b->s >= 0 && all_sent(r, 1) && all_got(r, 1)) {
    app_close(r, 1);
    p = true;
  }
  if (!a->closed && a->s >= 0 && a->eof) {
    app_close(r, 0);
    p = true;
  }
  if (!a->closed || !b->closed || fin_stack_conn_count(r->st[0]) != 0)
    return p;
  /* The first connection is over on the client: its bytes were all there. */
  if (!all_got(r, 0) || !all_got(r, 1) || !a->eof)
    explore_fail(r, "reopen: the first connection ended without all its bytes or EOF");
  for (int h = 0; h < 2; h++) {
    struct explore_app *x = &r->app[h];
    x->sent = x->got = 0;
    x->eof = x->closed = false;
    x->err = 0;
    x->phase = 1;
  }
  client_connect(r);
  return true;
}

/* BEHAVIOR B1: abort at the first moment after the data left, while it is
 * in flight. */
static bool abort_in_flight(struct explore_run *r) {
  struct explore_app *a = &r->app[0];
  bool p = pump(r, 0);
  if (a->phase == 0 && a->s >= 0 && all_sent(r, 0)) {
    a->phase = 1;
    a->phase_at = r->now;
    p = true;
  } else if (a->phase == 1 && r->now > a->phase_at) {
    int err = fin_abort(r->st[0], a->s);
    explore_trace_app(r, 0, "abort", err);
    if (err != 0)
      explore_fail(r, "host a: abort returned %d", err);
    a->s = -1;
    a->closed = a->done = p = true;
    a->phase = 2;
  }
  p |= server_until_end(r);
  return p;
}

bool explore_apps_step(struct explore_run *r) {
  if (r->epilogue)
    return false;
  switch (r->cfg->lc) {
  case EXPLORE_GRACEFUL:
    return graceful(r, 0);
  case EXPLORE_PASSIVE:
    return graceful(r, 1);
  case EXPLORE_SIMULTANEOUS:
    return simultaneous(r);
  case EXPLORE_CROSSING:
    return crossing(r);
  case EXPLORE_HALF_CLOSE:
    return half_close(r, false);
  case EXPLORE_HALF_HOLD:
    return half_close(r, true);
  case EXPLORE_LINGER:
    return linger(r);
  case EXPLORE_LINGER0:
    return linger0(r);
  case EXPLORE_ABORT:
    return abort_in_flight(r);
  case EXPLORE_UNREAD:
    return unread(r);
  case EXPLORE_HALF_ABORT:
    return half_abort(r);
  case EXPLORE_REOPEN:
    return reopen(r);
  default:
    return false;
  }
}

/* The peer of an abortive close may wait for ever when the RST was lost and
 * it has nothing to send (TCP cannot tell a silent peer without sending,
 * and keep-alive is off): the server in ESTABLISHED, or in accept() when
 * the RST found its connection still in SYN-RECEIVED (H2: back to LISTEN);
 * the half-closed client in FIN-WAIT-2 with its socket open (F2). */
static bool may_wait(const struct explore_run *r, int h) {
  const struct explore_app *a = &r->app[h];
  switch (r->cfg->lc) {
  case EXPLORE_LINGER0:
  case EXPLORE_ABORT:
  case EXPLORE_UNREAD:
    if (h != 1)
      return false;
    if (a->s < 0)
      return a->listener >= 0;
    return fin_sock_state(r->st[h], a->s) == FIN_ESTABLISHED;
  case EXPLORE_HALF_ABORT:
    return h == 0 && a->s >= 0 && fin_sock_state(r->st[h], a->s) == FIN_FIN_WAIT_2;
  default:
    return false;
  }
}

bool explore_apps_settled(struct explore_run *r) {
  for (int h = 0; h < 2; h++) {
    const struct explore_app *a = &r->app[h];
    if (a->done)
      continue;
    if (may_wait(r, h)) {
      r->waited = true;
      continue;
    }
    explore_fail(r, "application %c never finished: %s, %zu of %zu bytes read, eof %d, error %d",
                 'a' + h, a->s >= 0 ? fin_state_name(fin_sock_state(r->st[h], a->s)) : "no socket",
                 a->got, r->app[1 - h].out_len, a->eof, a->err);
    return false;
  }
  if (r->cfg->lc == EXPLORE_HALF_HOLD) {
    enum fin_state sa = fin_sock_state(r->st[0], r->app[0].s);
    enum fin_state sb = fin_sock_state(r->st[1], r->app[1].s);
    if (sa != FIN_FIN_WAIT_2 || sb != FIN_CLOSE_WAIT) {
      explore_fail(r, "half-hold: a %s and b %s, not FIN-WAIT-2 (F2) and CLOSE-WAIT",
                   fin_state_name(sa), fin_state_name(sb));
      return false;
    }
    r->waited = true;
  }
  return true;
}

void explore_apps_release(struct explore_run *r) {
  r->epilogue = true;
  for (int h = 0; h < 2; h++) {
    struct explore_app *a = &r->app[h];
    if (a->listener >= 0) {
      fin_close(r->st[h], a->listener);
      a->listener = -1;
    }
    if (a->s >= 0)
      app_close(r, h);
  }
}
