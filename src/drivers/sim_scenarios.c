/* SPDX-License-Identifier: MIT */
/* Every way a connection ends, one function each. Host a (10.0.0.1, or
 * fd00::1 with --ipv6) is the client, host b (10.0.0.2 or fd00::2) the
 * server on port 80. Each function says what the two applications do and
 * what must hold at the end; nothing depends on the family. */
#include <errno.h>
#include <string.h>

#include "drivers/sim_app.h"

#define PORT        80
#define CLIENT_PORT 40000
#define A           0
#define B           1

/* The state sequences of the textbook closes (RFC 9293 §3.6). */
#define CLIENT_ACTIVE  "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED"
#define CLIENT_PASSIVE "SYN-SENT ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED"
#define SERVER_ACTIVE  "SYN-RECEIVED ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED"
#define SERVER_PASSIVE "SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED"

void fin_scenario_opts_default(struct fin_scenario_opts *o) {
  memset(o, 0, sizeof(*o));
  o->seed = 1;
  o->link.delay = FIN_MS(10);
}

static void client(struct scn_def *d, uint64_t send, enum app_close how, enum app_when when) {
  struct app_plan *p = &d->plan[A];
  p->port = PORT;
  p->connects = 1;
  p->send = send;
  p->close_how = how;
  p->close_when = when;
}

static void server(struct scn_def *d, uint64_t send, enum app_close how, enum app_when when) {
  struct app_plan *p = &d->plan[B];
  p->server = true;
  p->port = PORT;
  p->send = send;
  p->close_how = how;
  p->close_when = when;
}

static void graceful_active(struct scn_def *d, const struct fin_scenario_opts *o) {
  (void)o;
  client(d, 3000, APP_CLOSE, WHEN_ACKED);
  server(d, 0, APP_CLOSE, WHEN_EOF);
  fin_scn_expect(d, "client", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0, CLIENT_ACTIVE);
  fin_scn_expect(d, "server", FIN_CLOSED, FIN_REASON_GRACEFUL, 0, 0, SERVER_PASSIVE);
}

static void graceful_passive(struct scn_def *d, const struct fin_scenario_opts *o) {
  (void)o;
  client(d, 0, APP_CLOSE, WHEN_EOF);
  server(d, 3000, APP_CLOSE, WHEN_ACKED);
  fin_scn_expect(d, "client", FIN_CLOSED, FIN_REASON_GRACEFUL, 0, 0, CLIENT_PASSIVE);
  fin_scn_expect(d, "server", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0, SERVER_ACTIVE);
}

/* Both applications close at the same instant, once each has all its data:
 * the FINs cross, both ends pass through CLOSING (RFC 9293 Figure 13). */
static void simultaneous_hook(struct scn_ctx *ctx, unsigned host, unsigned conn,
                              enum hook_point p) {
  (void)host;
  (void)conn;
  if (p == HOOK_ALL_IN && fin_scn_bump(ctx) == 2)
    fin_scn_set_sync(ctx, fin_sim_now(fin_scn_sim(ctx)) + FIN_MS(100));
}

static void simultaneous(struct scn_def *d, const struct fin_scenario_opts *o) {
  (void)o;
  client(d, 1000, APP_CLOSE, WHEN_SYNC);
  server(d, 1000, APP_CLOSE, WHEN_SYNC);
  d->hook = simultaneous_hook;
  fin_scn_expect(d, "client", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0,
                 "SYN-SENT ESTABLISHED FIN-WAIT-1 CLOSING TIME-WAIT CLOSED");
  fin_scn_expect(d, "server", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0,
                 "SYN-RECEIVED ESTABLISHED FIN-WAIT-1 CLOSING TIME-WAIT CLOSED");
}

static void half_close(struct scn_def *d, const struct fin_scenario_opts *o) {
  (void)o;
  client(d, 2000, APP_SHUT_WR, WHEN_SENT);
  server(d, 6000, APP_CLOSE, WHEN_EOF);
  d->plan[B].send_after_eof = true;
  fin_scn_expect(d, "client", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0, CLIENT_ACTIVE);
  fin_scn_expect(d, "server", FIN_CLOSED, FIN_REASON_GRACEFUL, 0, 0, SERVER_PASSIVE);
}

/* Drops the client's first pure ACK sent from TIME-WAIT: the ACK of the
 * server's FIN. The server retransmits its FIN; TIME-WAIT re-ACKs it. */
static bool lost_final_ack_filter(struct scn_ctx *ctx, unsigned from,
                                  const struct fin_trace_seg *seg) {
  bool pure_ack = seg->flags == 0x10 && seg->len == 0;
  return from == A && pure_ack && fin_scn_host_in_time_wait(ctx, A) && fin_scn_bump(ctx) == 1;
}

static const char *lost_final_ack_check(const struct fin_scn_result *res,
                                        const struct fin_scenario_opts *o) {
  /* A duplicated ACK would stand in for the dropped one. */
  if (o->link.dup == 0 && res->counters[A].tw_fin_reacked == 0)
    return "a: no retransmitted FIN was re-ACKed in TIME-WAIT (E2)";
  return NULL;
}

static void lost_final_ack(struct scn_def *d, const struct fin_scenario_opts *o) {
  graceful_active(d, o);
  d->filter = lost_final_ack_filter;
  d->check = lost_final_ack_check;
}

/* A8 (--rst-time-wait): the side that sends an abortive RST (an abort, or
 * a timeout giving up with J2's RST) keeps a TIME-WAIT record, and its
 * connection is reported closed when that record expires. */
static void a8_alt(struct scn_def *d, const struct fin_scenario_opts *o) {
  if (o->rst_time_wait) {
    d->expect[0].reason_alt = FIN_REASON_TIME_WAIT_DONE;
    d->expect[0].close_err = 0; /* the record's expiry carries no error */
  }
}

static void abort_linger0(struct scn_def *d, const struct fin_scenario_opts *o) {
  client(d, 2000, APP_ABORT, WHEN_ACKED);
  server(d, 0, APP_KEEP, WHEN_NEVER);
  fin_scn_expect(d, "client", FIN_CLOSED, FIN_REASON_ABORT, 0, 0, "SYN-SENT ESTABLISHED CLOSED");
  a8_alt(d, o);
  fin_scn_expect(d, "server", FIN_CLOSED, FIN_REASON_RESET, -ECONNRESET, -ECONNRESET,
                 "SYN-RECEIVED ESTABLISHED CLOSED");
}

static void unread_data(struct scn_def *d, const struct fin_scenario_opts *o) {
  client(d, 0, APP_CLOSE, WHEN_INQ);
  d->plan[A].no_read = true;
  d->plan[A].inq = 3000;
  server(d, 3000, APP_KEEP, WHEN_NEVER);
  fin_scn_expect(d, "client", FIN_CLOSED, FIN_REASON_UNREAD_DATA, 0, 0,
                 "SYN-SENT ESTABLISHED CLOSED");
  a8_alt(d, o);
  fin_scn_expect(d, "server", FIN_CLOSED, FIN_REASON_RESET, -ECONNRESET, -ECONNRESET,
                 "SYN-RECEIVED ESTABLISHED CLOSED");
}

static void refused(struct scn_def *d, const struct fin_scenario_opts *o) {
  (void)o;
  client(d, 0, APP_KEEP, WHEN_NEVER);
  d->plan[A].port = PORT + 1;
  server(d, 0, APP_KEEP, WHEN_NEVER);
  fin_scn_expect(d, "client", FIN_CLOSED, FIN_REASON_REFUSED, -ECONNREFUSED, -ECONNREFUSED,
                 "SYN-SENT CLOSED");
}

/* The server host vanishes once it has half the request: no FIN, no RST.
 * The client's retransmissions run out (R2). */
static void dead_peer_hook(struct scn_ctx *ctx, unsigned host, unsigned conn, enum hook_point p) {
  (void)conn;
  struct fin_sim *sim = fin_scn_sim(ctx);
  if (host == B && p == HOOK_HALF_IN)
    fin_sim_crash(sim, B, fin_sim_now(sim), FIN_NEVER);
}

static void dead_peer(struct scn_def *d, const struct fin_scenario_opts *o) {
  (void)o;
  client(d, 20000, APP_KEEP, WHEN_NEVER);
  server(d, 0, APP_KEEP, WHEN_NEVER);
  d->hook = dead_peer_hook;
  fin_scn_expect(d, "client", FIN_CLOSED, FIN_REASON_RETRANSMIT_TIMEOUT, -ETIMEDOUT, -ETIMEDOUT,
                 "SYN-SENT ESTABLISHED CLOSED");
  a8_alt(d, o);
  fin_scn_expect_crashed(d, "server", "SYN-RECEIVED ESTABLISHED");
}

/* The client closes; the server application keeps its end open. The
 * orphaned FIN-WAIT-2 is reaped after fin_timeout (F1) with an RST, as
 * Linux does, which resets the server's CLOSE-WAIT. Should that RST be
 * lost, the server's late close sends a FIN that meets an RST anyway. */
static void fin_wait_2_timeout(struct scn_def *d, const struct fin_scenario_opts *o) {
  fin_time reap = o->fin_timeout ? o->fin_timeout : d->cfg.settings[A].fin_timeout;
  client(d, 2000, APP_CLOSE, WHEN_SENT);
  server(d, 0, APP_CLOSE, WHEN_AT);
  d->plan[B].at = reap + FIN_SEC(30);
  fin_scn_expect(d, "client", FIN_CLOSED, FIN_REASON_FIN_WAIT_2_TIMEOUT, 0, 0,
                 "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 CLOSED");
  a8_alt(d, o);
  fin_scn_expect(d, "server", FIN_CLOSED, FIN_REASON_RESET, -ECONNRESET, 0,
                 "SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED");
}

/* Once the request is acknowledged the link goes down for good; the
 * client's keep-alive probes go unanswered (J4). The server, without
 * keep-alive, keeps its connection. */
static void keepalive_hook(struct scn_ctx *ctx, unsigned host, unsigned conn, enum hook_point p) {
  (void)conn;
  struct fin_sim *sim = fin_scn_sim(ctx);
  if (host == A && p == HOOK_ACKED)
    fin_sim_partition(sim, A, B, fin_sim_now(sim), FIN_NEVER);
}

static void keepalive_timeout(struct scn_def *d, const struct fin_scenario_opts *o) {
  (void)o;
  client(d, 2000, APP_KEEP, WHEN_NEVER);
  struct app_plan *p = &d->plan[A];
  p->keepalive = true;
  p->ka_idle = 10;
  p->ka_intvl = 5;
  p->ka_cnt = 3;
  server(d, 0, APP_KEEP, WHEN_NEVER);
  d->hook = keepalive_hook;
  fin_scn_expect(d, "client", FIN_CLOSED, FIN_REASON_KEEPALIVE_TIMEOUT, -ETIMEDOUT, -ETIMEDOUT,
                 "SYN-SENT ESTABLISHED CLOSED");
  a8_alt(d, o);
  fin_scn_expect(d, "server", FIN_ESTABLISHED, FIN_REASON_NONE, 0, 0, "SYN-RECEIVED ESTABLISHED");
}

/* The client host crashes and comes back one second later with a fresh
 * stack; it reconnects from the same port. The server's stale connection
 * answers the SYN with a challenge ACK (I1), the client's stack answers
 * that with an RST (A3), which clears the stale connection (H3). */
static void half_open_hook(struct scn_ctx *ctx, unsigned host, unsigned conn, enum hook_point p) {
  struct fin_sim *sim = fin_scn_sim(ctx);
  fin_time now = fin_sim_now(sim);
  if (host == A && conn == 0 && p == HOOK_ACKED)
    fin_sim_crash(sim, A, now, now + FIN_SEC(1));
}

/* Whatever check answers the new SYN first (PAWS: the restarted client's
 * timestamps start over; the window: its new ISN; or the SYN check, RFC
 * 5961 §4), the answer must be an ACK carrying the stale connection's
 * numbers, never an RST and never silence. */
static const char *half_open_check(const struct fin_scn_result *res,
                                   const struct fin_scenario_opts *o) {
  (void)o;
  const struct fin_counters *b = &res->counters[B];
  if (b->challenge_acks + b->syn_challenges + b->drop_paws + b->drop_out_of_window == 0)
    return "b: the SYN on the stale connection was not answered with an ACK (I1)";
  return NULL;
}

static void half_open(struct scn_def *d, const struct fin_scenario_opts *o) {
  (void)o;
  client(d, 2000, APP_CLOSE, WHEN_SENT);
  d->plan[A].bind_port = CLIENT_PORT;
  d->plan[A].connects = 2;
  d->plan[A].keep_first = true;
  server(d, 0, APP_CLOSE, WHEN_EOF);
  d->hook = half_open_hook;
  d->check = half_open_check;
  fin_scn_expect_crashed(d, "client", "SYN-SENT ESTABLISHED");
  fin_scn_expect(d, "server", FIN_CLOSED, FIN_REASON_RESET, -ECONNRESET, -ECONNRESET,
                 "SYN-RECEIVED ESTABLISHED CLOSED");
  fin_scn_expect(d, "client2", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0, CLIENT_ACTIVE);
  fin_scn_expect(d, "server2", FIN_CLOSED, FIN_REASON_GRACEFUL, 0, 0, SERVER_PASSIVE);
}

/* Under faults a stray RST may end the server's TIME-WAIT before the new
 * SYN comes (E3); then there is nothing to reopen. */
static const char *time_wait_reopen_check(const struct fin_scn_result *res,
                                          const struct fin_scenario_opts *o) {
  (void)o;
  bool assassinated = false;
  for (size_t i = 0; i < res->count; i++)
    if (strcmp(res->conns[i].role, "server") == 0)
      assassinated = res->conns[i].reason == FIN_REASON_TIME_WAIT_RESET;
  if (res->counters[B].tw_reopened != (assassinated ? 0u : 1u))
    return "b: the SYN did not reopen the TIME-WAIT 4-tuple exactly once (E4)";
  return NULL;
}

/* The server closes first and sits in TIME-WAIT; the client reconnects
 * from the same port 100 ms after its side closed: the SYN reopens the
 * 4-tuple (E4). */
static void time_wait_reopen(struct scn_def *d, const struct fin_scenario_opts *o) {
  (void)o;
  client(d, 0, APP_CLOSE, WHEN_EOF);
  d->plan[A].bind_port = CLIENT_PORT;
  d->plan[A].connects = 2;
  d->plan[A].reconnect_gap = FIN_MS(100);
  server(d, 2000, APP_CLOSE, WHEN_SENT);
  d->check = time_wait_reopen_check;
  fin_scn_expect(d, "client", FIN_CLOSED, FIN_REASON_GRACEFUL, 0, 0, CLIENT_PASSIVE);
  fin_scn_expect(d, "server", FIN_CLOSED, FIN_REASON_TIME_WAIT_REOPENED, 0, 0, SERVER_ACTIVE);
  d->expect[d->expect_count - 1].reason_alt = FIN_REASON_TIME_WAIT_RESET;
  fin_scn_expect(d, "client2", FIN_CLOSED, FIN_REASON_GRACEFUL, 0, 0, CLIENT_PASSIVE);
  fin_scn_expect(d, "server2", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0, SERVER_ACTIVE);
}

/* An off-path attacker who knows the 4-tuple (RFC 5961 §1: the client's
 * fixed port, the server's well-known one) but not the sequence numbers
 * sprays forged RSTs at the server, one per window's width across the whole
 * sequence space: 1024 for the server's 4 MiB window. With the RFC 793
 * rule (--insecure-rst) whichever lands in the window resets the
 * connection; with RFC 5961 §3 (the default) only SEG.SEQ == RCV.NXT
 * would, and the one in-window guess draws a challenge ACK instead. */
#define BLIND_WINDOW (1u << 22)
#define BLIND_OFFSET 12345u /* where the attacker starts; the stride never lands on RCV.NXT */

static void blind_reset_hook(struct scn_ctx *ctx, unsigned host, unsigned conn, enum hook_point p) {
  if (host != A || conn != 0 || p != HOOK_ACKED)
    return;
  struct fin_sim *sim = fin_scn_sim(ctx);
  uint8_t buf[64];
  for (uint64_t k = 0; k < (1ull << 32) / BLIND_WINDOW; k++) {
    struct fin_segment rst = {.saddr = fin_sim_addr(sim, A),
                              .daddr = fin_sim_addr(sim, B),
                              .ttl = 64,
                              .sport = CLIENT_PORT,
                              .dport = PORT,
                              .seq = (uint32_t)(k * BLIND_WINDOW + BLIND_OFFSET),
                              .flags = FIN_TCP_RST};
    size_t n = fin_tcp_build(buf, sizeof buf, &rst, NULL, 0, NULL, 0, NULL, 0);
    if (n == 0 || fin_sim_inject(sim, B, buf, n) != 0)
      return;
  }
}

static const char *blind_reset_check(const struct fin_scn_result *res,
                                     const struct fin_scenario_opts *o) {
  const struct fin_counters *b = &res->counters[B];
  if (o->insecure_rst && b->legacy_rst_resets != 1)
    return "b: no forged RST reset the connection under insecure_rst";
  if (!o->insecure_rst && (b->legacy_rst_resets != 0 || b->drop_rst_challenged != 1))
    return "b: RFC 5961 did not answer the one in-window forged RST with a challenge ACK (H3)";
  /* Once the connection is gone, the rest meet the listener (A2: ignored). */
  uint64_t seen = b->drop_rst_out_of_window + b->drop_rst_challenged + b->legacy_rst_resets +
                  b->drop_listen_rst + b->drop_rst_no_conn;
  if (seen != (1ull << 32) / BLIND_WINDOW)
    return "b: not every forged RST was seen";
  return NULL;
}

static void blind_reset(struct scn_def *d, const struct fin_scenario_opts *o) {
  client(d, 2000, APP_KEEP, WHEN_NEVER);
  d->plan[A].bind_port = CLIENT_PORT;
  server(d, 0, APP_KEEP, WHEN_NEVER);
  d->cfg.settings[B].rcvbuf = BLIND_WINDOW;
  d->hook = blind_reset_hook;
  d->check = blind_reset_check;
  fin_scn_expect(d, "client", FIN_ESTABLISHED, FIN_REASON_NONE, 0, 0, "SYN-SENT ESTABLISHED");
  if (o->insecure_rst)
    fin_scn_expect(d, "server", FIN_CLOSED, FIN_REASON_RESET, -ECONNRESET, -ECONNRESET,
                   "SYN-RECEIVED ESTABLISHED CLOSED");
  else
    fin_scn_expect(d, "server", FIN_ESTABLISHED, FIN_REASON_NONE, 0, 0, "SYN-RECEIVED ESTABLISHED");
}

static void data_then_close(struct scn_def *d, const struct fin_scenario_opts *o) {
  uint64_t n = o->bytes ? o->bytes : 1u << 20;
  /* Not close(): data still arriving after close() is answered with RST (B8). */
  client(d, n, APP_SHUT_WR, WHEN_SENT);
  server(d, n, APP_CLOSE, WHEN_EOF);
  fin_scn_expect(d, "client", FIN_CLOSED, FIN_REASON_TIME_WAIT_DONE, 0, 0, CLIENT_ACTIVE);
  fin_scn_expect(d, "server", FIN_CLOSED, FIN_REASON_GRACEFUL, 0, 0, SERVER_PASSIVE);
}

/* BEHAVIOR M3, M1, F4: the server application never reads, so its 8 KiB
 * buffer fills and its window shuts; the client sends 40,000 bytes and
 * closes. Its orphan in FIN-WAIT-1 probes the zero window, gives up after
 * orphan_retries probes and resets the server with an RST the zero window
 * accepts; should that RST be lost, the server's keep-alive probe meets the
 * RST of a closed port (A1). Both ends CLOSED, in bounded time. */
static void zero_window_close(struct scn_def *d, const struct fin_scenario_opts *o) {
  client(d, 40000, APP_CLOSE, WHEN_SENT);
  server(d, 0, APP_KEEP, WHEN_NEVER);
  struct app_plan *s = &d->plan[B];
  s->no_read = true;
  s->keepalive = true;
  s->ka_idle = 60;
  s->ka_intvl = 10;
  s->ka_cnt = 15;
  d->cfg.settings[B].rcvbuf = 8192;
  fin_scn_expect(d, "client", FIN_CLOSED, FIN_REASON_RETRANSMIT_TIMEOUT, -ETIMEDOUT, 0,
                 "SYN-SENT ESTABLISHED FIN-WAIT-1 CLOSED");
  a8_alt(d, o);
  fin_scn_expect(d, "server", FIN_CLOSED, FIN_REASON_RESET, -ECONNRESET, -ECONNRESET,
                 "SYN-RECEIVED ESTABLISHED CLOSED");
}

#define BULK_CONNS 2000

/* Every connection got its RST: none lost in a fixed queue (M5). */
static const char *bulk_shutdown_check(const struct fin_scn_result *res,
                                       const struct fin_scenario_opts *o) {
  const struct fin_counters *a = &res->counters[A], *b = &res->counters[B];
  if (b->rst_queue_full != 0)
    return "b: RSTs dropped from a full control queue (M5)";
  if (a->curr_estab != 0)
    return "a: a connection was left established";
  bool fault_free =
      o->link.loss == 0 && o->link.dup == 0 && o->link.reorder == 0 && o->link.corrupt == 0;
  if (fault_free && (b->abort_on_shutdown != BULK_CONNS || a->estab_resets != BULK_CONNS))
    return "b: not every connection was reset at the shutdown deadline (K2, M5)";
  return NULL;
}

/* BEHAVIOR M5, K2: 2,000 clients connect at once and keep their ends open;
 * at 5 s the server host shuts its stack down with a 2 s grace: every
 * connection gets a FIN, and at the deadline (the clients never closed)
 * every one gets its RST - more than any fixed queue held. A client whose
 * RST is lost learns of it from its keep-alive probe. */
static void bulk_shutdown(struct scn_def *d, const struct fin_scenario_opts *o) {
  (void)o;
  client(d, 0, APP_KEEP, WHEN_NEVER);
  struct app_plan *c = &d->plan[A];
  c->connects = BULK_CONNS;
  c->parallel = true;
  c->keepalive = true;
  c->ka_idle = 10;
  c->ka_intvl = 5;
  c->ka_cnt = 15;
  server(d, 0, APP_KEEP, WHEN_NEVER);
  d->plan[B].shutdown_at = FIN_SEC(5);
  d->plan[B].shutdown_grace = FIN_SEC(2);
  d->cfg.settings[B].syn_backlog = 4096;
  d->check = bulk_shutdown_check;
  fin_scn_expect(d, "client*", FIN_CLOSED, FIN_REASON_RESET, -ECONNRESET, 0,
                 "SYN-SENT ESTABLISHED CLOSE-WAIT CLOSED");
  fin_scn_expect(d, "server*", FIN_CLOSED, FIN_REASON_STACK_SHUTDOWN, -ECONNABORTED, 0,
                 "SYN-RECEIVED ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 CLOSED");
}

static const struct fin_scenario scenarios[] = {
    {"graceful-active", "client closes first: FIN-WAIT-1/2, TIME-WAIT; server CLOSE-WAIT, LAST-ACK",
     true, true, graceful_active},
    {"graceful-passive", "server closes first: the server waits in TIME-WAIT", true, true,
     graceful_passive},
    {"simultaneous", "both close at once: the FINs cross, both pass CLOSING", true, true,
     simultaneous},
    {"half-close", "client shuts down writes, server keeps sending, then closes", true, true,
     half_close},
    {"lost-final-ack", "the last ACK is lost: TIME-WAIT re-ACKs the retransmitted FIN (E2)", true,
     true, lost_final_ack},
    {"abort", "SO_LINGER {1,0} + close: RST, the peer reads ECONNRESET (B4)", false, true,
     abort_linger0},
    {"unread-data", "close with unread received data: RST instead of FIN (B7)", false, true,
     unread_data},
    {"refused", "SYN to a closed port: RST, connect fails with ECONNREFUSED", true, false, refused},
    {"dead-peer", "peer vanishes: retransmissions run out, RST + ETIMEDOUT (J2)", true, true,
     dead_peer},
    {"fin-wait-2-timeout", "orphaned FIN-WAIT-2 reaped silently after fin_timeout (F1)", true, true,
     fin_wait_2_timeout},
    {"keepalive-timeout", "link goes down: keep-alive probes run out, ETIMEDOUT (J4)", true, true,
     keepalive_timeout},
    {"half-open", "client restarts: challenge ACK, its RST clears the stale connection", true, true,
     half_open},
    {"time-wait-reopen", "a new SYN reopens a TIME-WAIT 4-tuple (E4)", true, true,
     time_wait_reopen},
    {"data-then-close", "megabytes each way under the faults, then a graceful close", true, true,
     data_then_close},
    {"zero-window-close", "the reader stops, the sender closes: probes, then RST (M3, M1)", true,
     false, zero_window_close},
    {"bulk-shutdown", "stack shutdown with 2,000 connections: every RST sent (K2, M5)", false,
     false, bulk_shutdown},
    {"blind-reset", "an off-path attacker sprays forged RSTs: RFC 5961 holds, --insecure-rst falls",
     true, true, blind_reset},
};

size_t fin_scenario_count(void) {
  return sizeof(scenarios) / sizeof(scenarios[0]);
}

const struct fin_scenario *fin_scenario_at(size_t i) {
  return i < fin_scenario_count() ? &scenarios[i] : NULL;
}

const struct fin_scenario *fin_scenario_find(const char *name) {
  for (size_t i = 0; i < fin_scenario_count(); i++)
    if (strcmp(scenarios[i].name, name) == 0)
      return &scenarios[i];
  return NULL;
}

/* Stack settings every scenario starts from: the defaults plus the
 * BEHAVIOR options given on the command line. */
static void scn_init(struct scn_def *d, const struct fin_scenario_opts *o) {
  memset(d, 0, sizeof(*d));
  d->cfg.seed = o->seed;
  d->cfg.host_count = SCN_HOSTS;
  d->cfg.link = o->link;
  d->cfg.max_time = FIN_SEC(6 * 3600);
  d->cfg.trace = o->trace;
  d->cfg.pcap = o->pcap;
  d->cfg.ipv6 = o->ipv6;
  for (unsigned h = 0; h < SCN_HOSTS; h++) {
    struct fin_settings *s = &d->cfg.settings[h];
    fin_settings_default(s);
    if (o->msl)
      s->msl = o->msl;
    if (o->fin_timeout)
      s->fin_timeout = o->fin_timeout;
    s->rfc1337 |= o->rfc1337;
    s->rst_time_wait |= o->rst_time_wait;
    s->strict_malformed_abort |= o->strict;
    s->syn_cookies |= o->syn_cookies;
    s->insecure_rst |= o->insecure_rst;
  }
  d->inexact = o->rfc1337 || o->rst_time_wait || o->strict || o->syn_cookies || o->insecure_rst;
}

int fin_scenario_run(const struct fin_scenario *sc, const struct fin_scenario_opts *o,
                     struct fin_scn_result *res) {
  struct scn_def d;
  scn_init(&d, o);
  sc->define(&d, o);
  return fin_scn_run(&d, sc, o, res);
}
