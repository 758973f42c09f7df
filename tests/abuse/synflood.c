/* SPDX-License-Identifier: MIT */
/* A SYN flood among real connects (issue 12 item 5; attack catalogue T70;
 * BEHAVIOR L1, F3; RFC 4987 §3.6). A fin server listens on 10.0.0.1:80
 * with the default SYN queue (syn_backlog) and SYN cookies. `count`
 * spoofed SYNs arrive at 10,000 a second from random sources in
 * 198.18.0.0/15 (their SYN-ACKs go nowhere), and meanwhile a second fin
 * stack (10.0.0.2) opens 100 real connections a second, each sending a
 * 64-byte request and reading a 64-byte reply to EOF. The SYN queue fills
 * within 1024 spoofed SYNs and stays full (an embryo lives through its
 * synack_retries, 63 s), so the real connects that come later complete
 * through SYN cookies.
 *
 * Held to: >= 95 % of the real connects complete within 3 s of connect();
 * the embryos never exceed the SYN queue; memory is bounded by the queue
 * (an embryo costs a TCB and its table slots), not by the flood; after the
 * flood, once the embryos timed out and TIME-WAIT expired, memory is back
 * to what the listener alone held. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abuse.h"

#define SYN_RATE      10000u /* spoofed SYNs per second (virtual) */
#define CONNECT_EVERY FIN_MS(10)
#define MSG           64 /* request and reply bytes */
#define DEADLINE      FIN_SEC(3)
#define SRV           0
#define CLI           1

enum { TICK_SYN, TICK_CONNECT };

struct client {
  fin_sock s;
  fin_time start, done_at;
  uint32_t got;
  bool sent, done, failed;
};

struct server_conn {
  fin_sock s;
  uint32_t got;
};

struct flood {
  struct abuse_net n;
  const struct abuse_opts *o;
  fin_sock listener;
  uint64_t rng;
  uint64_t syns_sent;
  fin_time start, end;
  struct client *cli;
  size_t ncli, cli_cap, active_from; /* clients before active_from are done or failed */
  struct server_conn *srv;
  size_t nsrv, srv_cap;
  uint64_t synacks_spoofed, synacks_real, rsts_spoofed, other_spoofed;
  size_t base_mem, mem_at_full, conn_peak;
  fin_time full_at;
  bool flood_on;
};

static void send_spoofed_syn(struct flood *f) {
  uint64_t r = abuse_rand(&f->rng);
  struct fin_segment seg;
  memset(&seg, 0, sizeof(seg));
  seg.saddr = fin_addr_v4(0xc6120000u | (uint32_t)(r & 0x1ffff)); /* 198.18.0.0/15 */
  seg.daddr = f->n.addr[SRV];
  seg.sport = (uint16_t)(1024 + (r >> 17) % 64512);
  seg.dport = 80;
  seg.seq = (uint32_t)(r >> 32);
  seg.flags = FIN_TCP_SYN;
  seg.wnd = 65535;
  seg.ttl = 64;
  uint8_t opt[4] = {2, 4, 0x05, 0xb4}; /* MSS 1460 */
  uint8_t d[ABUSE_DGRAM];
  size_t len = fin_tcp_build(d, sizeof(d), &seg, opt, sizeof(opt), NULL, 0, NULL, 0);
  if (len == 0) {
    abuse_fail(&f->n, "synflood: build failed");
    return;
  }
  f->syns_sent++;
  abuse_net_inject(&f->n, SRV, d, len);
}

static void start_client(struct flood *f) {
  if (f->ncli == f->cli_cap) {
    size_t cap = f->cli_cap ? f->cli_cap * 2 : 256;
    struct client *c = realloc(f->cli, cap * sizeof(*c));
    if (c == NULL) {
      abuse_fail(&f->n, "out of memory");
      return;
    }
    f->cli = c;
    f->cli_cap = cap;
  }
  struct client *c = &f->cli[f->ncli++];
  memset(c, 0, sizeof(*c));
  c->start = f->n.now;
  c->s = fin_socket(f->n.st[CLI]);
  struct fin_sockaddr dst = fin_sockaddr_v4(0x0a000001u, 80);
  if (c->s < 0 || fin_connect(f->n.st[CLI], c->s, &dst) != -EINPROGRESS)
    c->failed = true;
}

static void tick(struct abuse_net *n, uint32_t arg) {
  struct flood *f = n->h.ctx;
  if (arg == TICK_SYN) {
    if (f->syns_sent < f->o->count)
      send_spoofed_syn(f);
    if (f->syns_sent < f->o->count)
      abuse_net_at(n, f->start + (fin_time)(f->syns_sent * (uint64_t)FIN_SEC(1) / SYN_RATE),
                   TICK_SYN);
    else
      f->flood_on = false;
    return;
  }
  if (n->now < f->end) {
    start_client(f);
    abuse_net_at(n, n->now + CONNECT_EVERY, TICK_CONNECT);
  }
}

/* Only the spoofed sources' answers come here (they own no stack). */
static void route(struct abuse_net *n, int from, const uint8_t *d, size_t len,
                  const struct fin_segment *seg) {
  struct flood *f = n->h.ctx;
  (void)from, (void)d, (void)len;
  if ((seg->flags & (FIN_TCP_SYN | FIN_TCP_ACK)) == (FIN_TCP_SYN | FIN_TCP_ACK))
    f->synacks_spoofed++;
  else if (seg->flags & FIN_TCP_RST)
    f->rsts_spoofed++;
  else
    f->other_spoofed++;
}

static void tap(struct abuse_net *n, int from, const struct fin_segment *seg) {
  struct flood *f = n->h.ctx;
  if (from == SRV && fin_addr_eq(&seg->daddr, &n->addr[CLI]) &&
      (seg->flags & (FIN_TCP_SYN | FIN_TCP_ACK)) == (FIN_TCP_SYN | FIN_TCP_ACK))
    f->synacks_real++;
}

static void server_app(struct flood *f) {
  struct fin_stack *st = f->n.st[SRV];
  for (int guard = 0; guard < 10000; guard++) {
    fin_sock s = fin_accept(st, f->listener, NULL);
    if (s < 0)
      break;
    if (f->nsrv == f->srv_cap) {
      size_t cap = f->srv_cap ? f->srv_cap * 2 : 256;
      struct server_conn *c = realloc(f->srv, cap * sizeof(*c));
      if (c == NULL) {
        abuse_fail(&f->n, "out of memory");
        return;
      }
      f->srv = c;
      f->srv_cap = cap;
    }
    f->srv[f->nsrv++] = (struct server_conn){.s = s};
  }
  /* Read the request; answer and close (the server closes first). */
  for (size_t i = 0; i < f->nsrv;) {
    struct server_conn *c = &f->srv[i];
    uint8_t buf[MSG];
    ssize_t r = fin_recv(st, c->s, buf, sizeof(buf), 0);
    if (r > 0)
      c->got += (uint32_t)r;
    bool drop = r == 0 || (r < 0 && r != -EAGAIN);
    if (c->got >= MSG) {
      memset(buf, 'r', sizeof(buf));
      if (fin_send(st, c->s, buf, MSG, 0) != MSG)
        abuse_fail(&f->n, "server: send failed");
      drop = true;
    }
    if (drop) {
      fin_close(st, c->s);
      f->srv[i] = f->srv[--f->nsrv];
      continue;
    }
    i++;
  }
}

static void client_step(struct flood *f, struct client *c) {
  struct fin_stack *st = f->n.st[CLI];
  fin_time now = f->n.now;
  if (!c->sent) {
    enum fin_state s = fin_sock_state(st, c->s);
    if (s == FIN_ESTABLISHED) {
      uint8_t req[MSG];
      memset(req, 'q', sizeof(req));
      c->sent = fin_send(st, c->s, req, MSG, 0) == MSG;
    } else if (s == FIN_CLOSED || now - c->start > DEADLINE) {
      c->failed = true;
    }
    if (!c->sent)
      return;
  }
  uint8_t buf[MSG * 2];
  for (int guard = 0; guard < 8; guard++) {
    ssize_t r = fin_recv(st, c->s, buf, sizeof(buf), 0);
    if (r > 0) {
      c->got += (uint32_t)r;
      continue;
    }
    if (r == 0 && c->got == MSG) {
      c->done = true;
      c->done_at = now;
    } else if (r != -EAGAIN || now - c->start > DEADLINE) {
      c->failed = true;
    }
    break;
  }
}

static void app(struct abuse_net *n) {
  struct flood *f = n->h.ctx;
  server_app(f);
  for (size_t i = f->active_from; i < f->ncli; i++) {
    struct client *c = &f->cli[i];
    if (c->done || c->failed)
      continue;
    client_step(f, c);
    if (c->done || c->failed)
      fin_close(n->st[CLI], c->s);
  }
  while (f->active_from < f->ncli && (f->cli[f->active_from].done || f->cli[f->active_from].failed))
    f->active_from++;
  size_t conns = fin_stack_conn_count(n->st[SRV]);
  if (conns > f->conn_peak)
    f->conn_peak = conns;
  if (f->full_at == 0 && fin_stack_counters(n->st[SRV])->syncookies_sent > 0) {
    f->full_at = n->now;
    f->mem_at_full = fin_stack_memory_in_use(n->st[SRV]);
  }
}

static bool all_gone(struct abuse_net *n) {
  struct flood *f = n->h.ctx;
  return !f->flood_on && n->now >= f->end && f->active_from == f->ncli &&
         fin_stack_conn_count(n->st[SRV]) == 0 && fin_stack_time_wait_count(n->st[SRV]) == 0 &&
         fin_stack_conn_count(n->st[CLI]) == 0 && fin_stack_time_wait_count(n->st[CLI]) == 0;
}

static int percentile(const fin_time *v, size_t n, unsigned pct, fin_time *out) {
  if (n == 0)
    return -1;
  size_t i = (n * pct + 99) / 100;
  *out = v[i > 0 ? i - 1 : 0];
  return 0;
}

static int cmp_time(const void *a, const void *b) {
  fin_time x = *(const fin_time *)a, y = *(const fin_time *)b;
  return x < y ? -1 : x > y;
}

static void figures(struct flood *f, struct abuse_report *rp) {
  struct fin_settings contract; /* the bounds: the defaults, whatever the stacks ran with */
  fin_settings_default(&contract);
  const struct fin_settings *set = &contract;
  const struct fin_counters *c = fin_stack_counters(f->n.st[SRV]);
  size_t done = 0, failed = 0;
  fin_time *lat = malloc((f->ncli + 1) * sizeof(*lat));
  for (size_t i = 0; i < f->ncli; i++) {
    if (f->cli[i].done && f->cli[i].done_at - f->cli[i].start <= DEADLINE && lat != NULL)
      lat[done++] = f->cli[i].done_at - f->cli[i].start;
    else
      failed++;
  }
  char b[96];
  abuse_figure(rp, "spoofed SYNs", "", "%" PRIu64 " at %u/s over %.1f s", f->syns_sent, SYN_RATE,
               (double)f->syns_sent / SYN_RATE);
  abuse_figure(rp, "real connects (100/s during the flood)", "", "%zu", f->ncli);
  double pct = f->ncli ? 100.0 * (double)done / (double)f->ncli : 0;
  abuse_check(rp, f->ncli > 0 && pct >= 95.0, "real connects completed within 3 s", ">= 95 %",
              "%zu (%.1f %%)", done, pct);
  if (lat != NULL && done > 0) {
    qsort(lat, done, sizeof(*lat), cmp_time);
    fin_time p50 = 0, p99 = 0;
    percentile(lat, done, 50, &p50);
    percentile(lat, done, 99, &p99);
    abuse_figure(rp, "completion time p50 / p99 / max", "(RTT 20 ms)", "%.0f / %.0f / %.0f ms",
                 (double)p50 / 1e6, (double)p99 / 1e6, (double)lat[done - 1] / 1e6);
  }
  free(lat);
  abuse_figure(rp, "SYN-ACKs sent: to spoofed / to real", "", "%" PRIu64 " / %" PRIu64,
               f->synacks_spoofed, f->synacks_real);
  abuse_check(rp, f->rsts_spoofed == 0 && f->other_spoofed == 0, "other segments to spoofed", "= 0",
              "%" PRIu64, f->rsts_spoofed + f->other_spoofed);
  abuse_figure(rp, "TcpExtSyncookiesSent / Recv / Failed", "",
               "%" PRIu64 " / %" PRIu64 " / %" PRIu64, c->syncookies_sent, c->syncookies_recv,
               c->drop_bad_syncookie);
  abuse_figure(rp, "TcpExtTCPSynRetrans (embryos' SYN-ACKs again)", "", "%" PRIu64, c->syn_retrans);
  abuse_figure(rp, "FinSynRecvTimeouts / TcpExtListenDrops", "", "%" PRIu64 " / %" PRIu64,
               c->syn_recv_timeouts, c->drop_listen_syn_queue);
  snprintf(b, sizeof(b), "<= syn_backlog %u + real", set->syn_backlog);
  abuse_check(rp, f->conn_peak <= set->syn_backlog + 64, "peak connections at the server", b, "%zu",
              f->conn_peak);
  abuse_figure(rp, "SYN queue full after", "", "%.1f ms (%.0f SYNs)",
               (double)(f->full_at - f->start) / 1e6,
               (double)(f->full_at - f->start) * SYN_RATE / 1e9);
  /* An embryo holds its TCB and its table slots; the real connections
   * (at most 64 at once here) their buffers too. */
  size_t per_embryo = fin_tcb_size() + 64;
  size_t bound = f->base_mem + set->syn_backlog * per_embryo +
                 64 * (fin_tcb_size() + 2 * fin_stack_buffer_chunk(f->n.st[SRV]) + 512) +
                 f->ncli * 128 + 65536;
  snprintf(b, sizeof(b), "<= %zu (queue-bound)", bound);
  abuse_check(rp, f->n.mem_peak[SRV] <= bound, "peak server memory", b, "%zu B",
              f->n.mem_peak[SRV]);
  abuse_figure(rp, "server memory: listener alone / at queue full", "",
               "%zu / %zu B (%.0f B an embryo)", f->base_mem, f->mem_at_full,
               (double)(f->mem_at_full - f->base_mem) / (double)set->syn_backlog);
  size_t end_mem = fin_stack_memory_in_use(f->n.st[SRV]);
  size_t reserve = abuse_reserve(f->n.st[SRV]);
  snprintf(b, sizeof(b), "<= listener alone + reserve %zu", reserve);
  abuse_check(rp, end_mem <= f->base_mem + reserve, "server memory after the flood", b, "%zu B",
              end_mem);
}

unsigned abuse_synflood(const struct abuse_opts *o) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct flood *f = calloc(1, sizeof(*f));
  if (f == NULL)
    return 1;
  f->o = o;
  f->rng = o->seed * 0x9E3779B97F4A7C15ULL + 7;
  struct fin_settings set;
  fin_settings_default(&set);
  set.event_mask = 0;
  if (o->sabotage)
    set.syn_cookies = false; /* a full SYN queue drops the real SYNs too */
  struct fin_settings *sets[2] = {&set, &set};
  struct abuse_report rp = {.out = stdout, .cmd = o->cmd};
  char title[160];
  snprintf(title, sizeof(title),
           "abuse synflood: %" PRIu64 " spoofed SYNs at %u/s among real connects (seed %" PRIu64
           ")",
           o->count, SYN_RATE, o->seed);
  abuse_report_begin(&rp, title);
  struct abuse_net *n = &f->n;
  int rc = abuse_net_init(n, 2, sets, o->seed);
  n->h = (struct abuse_hooks){
      .ctx = f, .route = route, .tap = tap, .tick = tick, .app = app, .done = all_gone};
  fin_sock l = rc == 0 ? fin_socket(n->st[SRV]) : -1;
  struct fin_sockaddr any = fin_sockaddr_v4(0, 80);
  if (l < 0 || fin_bind(n->st[SRV], l, &any) != 0 || fin_listen(n->st[SRV], l, 128) != 0) {
    abuse_check(&rp, false, "listener", "", "%s", n->why);
    abuse_net_free(n);
    free(f);
    abuse_report_end(&rp, 0);
    return rp.failures;
  }
  f->listener = l;
  f->base_mem = fin_stack_memory_in_use(n->st[SRV]);
  f->start = n->now;
  f->end = n->now + (fin_time)(o->count * (uint64_t)FIN_SEC(1) / SYN_RATE);
  f->flood_on = o->count > 0;
  if (o->count > 0)
    abuse_net_at(n, n->now, TICK_SYN);
  abuse_net_at(n, n->now + FIN_MS(5), TICK_CONNECT);
  /* The embryos' SYN-ACK retransmissions (63 s) and TIME-WAIT (60 s) end
   * well within two minutes of the flood. */
  abuse_net_run(n, f->end + FIN_SEC(180));
  figures(f, &rp);
  abuse_check(&rp, all_gone(n), "every connection and record ended", "yes", "%s",
              all_gone(n) ? "yes" : "no");
  abuse_check(&rp, !n->failed, "invariants (fin_stack_audit), bounds", "hold", "%s",
              n->failed ? n->why : "yes");
  abuse_figure(&rp, "virtual time / steps", "", "%.1f s / %" PRIu64,
               (double)(n->now - FIN_SEC(1)) / 1e9, n->steps);
  fin_close(n->st[SRV], l);
  abuse_net_free(n);
  abuse_check(&rp, !n->failed, "leaks at fin_stack_free", "none", "%s",
              n->failed ? n->why : "none");
  clock_gettime(CLOCK_MONOTONIC, &t1);
  abuse_report_end(&rp, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  unsigned failures = rp.failures;
  free(f->cli);
  free(f->srv);
  free(f);
  return failures;
}
