/* SPDX-License-Identifier: MIT */
/* What the control socket answers (control.h): `fin ss` listings in
 * `ss -tanoi` columns, `fin stat` counters, `fin kill` by 4-tuple. Run in
 * the process that owns the stack, between two runtime steps. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "control.h"
#include "netcli.h"

#define SS_BATCH 256

struct ss_opts {
  bool listening, all, info, timers, no_header;
};

/* ss prints timers as "236ms", "59sec", "1min39sec"; fin keeps the unit
 * readable and the precision useful. */
static void fmt_left(fin_time left, char *buf, size_t cap) {
  long long ms = left <= 0 ? 0 : (long long)((left + 999999) / 1000000);
  if (ms < 1000)
    snprintf(buf, cap, "%lldms", ms);
  else if (ms < 60000)
    snprintf(buf, cap, "%.3fs", (double)ms / 1000.0);
  else
    snprintf(buf, cap, "%lldmin%llds", ms / 60000, (ms / 1000) % 60);
}

/* ss prints an IPv4 wildcard as 0.0.0.0:* and IPv6 as [::]:*. */
static void fmt_ep(const struct fin_addr *a, uint16_t port, char *buf, size_t cap) {
  fin_endpoint_format(a, port, buf, cap);
}

static void ss_header(FILE *out, const struct ss_opts *o) {
  if (!o->no_header)
    fprintf(out, "%-12s %6s %6s %-21s %-21s %s\n", "State", "Recv-Q", "Send-Q",
            "Local Address:Port", "Peer Address:Port", "Conn");
}

static void ss_listeners(struct netcli *c, FILE *out, const struct ss_opts *o) {
  struct fin_listener_info l[SS_BATCH];
  size_t cursor = 0, n;
  while ((n = fin_stack_list_listeners(c->st, &cursor, l, SS_BATCH)) > 0)
    for (size_t i = 0; i < n; i++) {
      char local[FIN_ENDPOINT_STRLEN], peer[FIN_ENDPOINT_STRLEN];
      struct fin_addr any = l[i].local.family == FIN_AF_INET6 ? fin_addr_any6() : fin_addr_v4(0);
      fmt_ep(&l[i].local.addr, l[i].local.port, local, sizeof(local));
      fmt_ep(&any, 0, peer, sizeof(peer));
      /* ss: for a listener Recv-Q is the accept queue and Send-Q the backlog. */
      fprintf(out, "%-12s %6u %6d %-21s %-21s -\n", fin_state_name(FIN_LISTEN), l[i].accept_queued,
              l[i].backlog, local, peer);
      if (o->info)
        fprintf(out, "\t syn_queue:%u\n", l[i].syn_queued);
    }
}

static uint32_t timer_count(const struct fin_conn_info *k) {
  if (k->next_timer == FIN_TIMER_RETRANSMIT)
    return k->retransmits;
  if (k->next_timer == FIN_TIMER_KEEPALIVE || k->next_timer == FIN_TIMER_PERSIST)
    return k->probes;
  return 0;
}

/* The -i line: ss's names and units (rtt, rto in ms) where ss has the field. */
static void ss_info(FILE *out, const struct fin_conn_info *k) {
  if (k->state == FIN_TIME_WAIT) {
    fprintf(out, "\t%s wscale:-,%u snd_nxt:%u rcv_nxt:%u\n", k->ts_ok ? " ts" : "", k->rcv_wscale,
            k->snd_nxt, k->rcv_nxt);
    return;
  }
  /* cwnd in segments, as ss prints it (fin counts bytes). */
  uint32_t mss = k->snd_mss ? k->snd_mss : 1;
  fprintf(out, "\t%s%s%s%s wscale:%u,%u rto:%g rtt:%.3f/%.3f mss:%u rcvmss:%u cwnd:%u",
          k->ts_ok ? " ts" : "", k->sack_ok ? " sack" : "", k->ecn_ok ? " ecn" : "",
          k->ecn_seen ? " ecnseen" : "", k->snd_wscale, k->rcv_wscale, (double)k->rto / 1e6,
          (double)k->srtt / 1e6, (double)k->rttvar / 1e6, k->snd_mss, k->rcv_mss,
          (k->cwnd + mss - 1) / mss);
  if (k->ssthresh < 0x7fffffffu)
    fprintf(out, " ssthresh:%u", k->ssthresh / mss);
  fprintf(out, " snd_wnd:%u rcv_wnd:%u unacked:%u retrans:%u/%u%s%s%s\n", k->snd_wnd, k->rcv_wnd,
          k->unacked, k->retransmits, k->total_retrans, k->orphan ? " orphan" : "",
          k->error ? " error:" : "", k->error ? errno_name(k->error) : "");
}

static void ss_conn(FILE *out, const struct fin_conn_info *k, const struct ss_opts *o,
                    fin_time now) {
  char local[FIN_ENDPOINT_STRLEN], peer[FIN_ENDPOINT_STRLEN];
  fmt_ep(&k->tuple.local_addr, k->tuple.local_port, local, sizeof(local));
  fmt_ep(&k->tuple.remote_addr, k->tuple.remote_port, peer, sizeof(peer));
  fprintf(out, "%-12s %6u %6u %-21s %-21s %llu", fin_state_name(k->state), k->rcv_queued,
          k->snd_queued, local, peer, (unsigned long long)k->conn_id);
  if (o->timers && k->next_timer != FIN_TIMER_NONE && k->next_deadline != FIN_NEVER) {
    char left[32];
    fmt_left(k->next_deadline - now, left, sizeof(left));
    fprintf(out, " timer:(%s,%s,%u)", fin_timer_name(k->next_timer), left, timer_count(k));
  }
  fputc('\n', out);
  if (o->info)
    ss_info(out, k);
}

static void ss_conns(struct netcli *c, FILE *out, const struct ss_opts *o) {
  static struct fin_conn_info k[SS_BATCH];
  size_t cursor = 0, n;
  fin_time now = fin_clock_now();
  while ((n = fin_stack_list(c->st, &cursor, k, SS_BATCH)) > 0)
    for (size_t i = 0; i < n; i++)
      ss_conn(out, &k[i], o, now);
}

static void answer_ss(struct netcli *c, char **w, int nw, FILE *out) {
  struct ss_opts o = {0};
  for (int i = 0; i < nw; i++) {
    bool *flag = strcmp(w[i], "-l") == 0   ? &o.listening
                 : strcmp(w[i], "-a") == 0 ? &o.all
                 : strcmp(w[i], "-i") == 0 ? &o.info
                 : strcmp(w[i], "-o") == 0 ? &o.timers
                 : strcmp(w[i], "-H") == 0 ? &o.no_header
                                           : NULL;
    if (flag == NULL) {
      fprintf(out, "error: unknown ss flag '%s'\n", w[i]);
      return;
    }
    *flag = true;
  }
  fprintf(out, "ok\n");
  ss_header(out, &o);
  if (o.listening || o.all)
    ss_listeners(c, out, &o);
  if (!o.listening || o.all)
    ss_conns(c, out, &o);
}

static void answer_stat(struct netcli *c, char **w, int nw, FILE *out) {
  bool json = false, zeros = false;
  int first = 0;
  for (; first < nw && w[first][0] == '-'; first++) {
    if (strcmp(w[first], "-j") == 0)
      json = true;
    else if (strcmp(w[first], "-z") == 0)
      zeros = true;
    else {
      fprintf(out, "error: unknown stat flag '%s'\n", w[first]);
      return;
    }
  }
  fprintf(out, "ok\n");
  if (json)
    netcli_counters_json(c, out, zeros, nw - first, w + first);
  else
    netcli_counters_text(c, out, zeros, nw - first, w + first);
}

/* The state of a 4-tuple, from the listing (an admin command: a scan is fine). */
static bool find_conn(struct netcli *c, const struct fin_4tuple *t, struct fin_conn_info *found) {
  static struct fin_conn_info k[SS_BATCH];
  size_t cursor = 0, n;
  while ((n = fin_stack_list(c->st, &cursor, k, SS_BATCH)) > 0)
    for (size_t i = 0; i < n; i++)
      if (memcmp(&k[i].tuple, t, sizeof(*t)) == 0) {
        *found = k[i];
        return true;
      }
  return false;
}

/* BEHAVIOR B6 through fin_stack_kill. The tuple may be given from either
 * side (fin's view LOCAL REMOTE, or the peer's, as the kernel's ss prints it). */
static void answer_kill(struct netcli *c, char **w, int nw, FILE *out) {
  struct fin_4tuple t, rev;
  if (nw != 2 || !cli_parse_endpoint(w[0], &t.local_addr, &t.local_port) ||
      !cli_parse_endpoint(w[1], &t.remote_addr, &t.remote_port)) {
    fprintf(out, "error: expected LOCAL REMOTE, each A.B.C.D:PORT or [IPv6]:PORT\n");
    return;
  }
  rev = (struct fin_4tuple){t.remote_addr, t.local_addr, t.remote_port, t.local_port};
  struct fin_conn_info k;
  const struct fin_4tuple *hit = find_conn(c, &t, &k) ? &t : find_conn(c, &rev, &k) ? &rev : NULL;
  if (hit == NULL || fin_stack_kill(c->st, hit) != 0) {
    fprintf(out, "error: no connection %s %s\n", w[0], w[1]);
    return;
  }
  char tuple[2 * FIN_ENDPOINT_STRLEN];
  format_tuple(hit, tuple, sizeof(tuple));
  fprintf(out, "ok\nkilled %s conn %llu (was %s)\n", tuple, (unsigned long long)k.conn_id,
          fin_state_name(k.state));
}

void control_answer(struct netcli *c, char *request, FILE *out) {
  char *w[64], *save = NULL;
  int nw = 0;
  for (char *tok = strtok_r(request, " \t\r", &save); tok != NULL && nw < 64;
       tok = strtok_r(NULL, " \t\r", &save))
    w[nw++] = tok;
  fin_stack_set_now(c->st, fin_clock_now());
  if (nw > 0 && strcmp(w[0], "ss") == 0)
    answer_ss(c, w + 1, nw - 1, out);
  else if (nw > 0 && strcmp(w[0], "stat") == 0)
    answer_stat(c, w + 1, nw - 1, out);
  else if (nw > 0 && strcmp(w[0], "kill") == 0)
    answer_kill(c, w + 1, nw - 1, out);
  else
    fprintf(out, "error: unknown request '%s'\n", nw > 0 ? w[0] : "");
}
