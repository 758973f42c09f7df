/* Shared plumbing of `fin serve` and `fin connect`: start, signals, events
 * log, orderly finish. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "netcli.h"

static void ip_text(uint32_t a, char *buf, size_t cap) {
  snprintf(buf, cap, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* One NDJSON line per event; time in ms since the tool started. */
static void events_write(struct netcli *c, const struct fin_event *ev) {
  char l[16], r[16];
  ip_text(ev->tuple.local_addr, l, sizeof(l));
  ip_text(ev->tuple.remote_addr, r, sizeof(r));
  fprintf(c->events, "{\"t_ms\":%.3f,\"ev\":\"%s\",\"conn\":%llu,\"local\":\"%s:%u\",",
          (double)(ev->time - c->t0) / 1e6, fin_event_type_name(ev->type),
          (unsigned long long)ev->conn_id, l, ev->tuple.local_port);
  fprintf(c->events, "\"remote\":\"%s:%u\"", r, ev->tuple.remote_port);
  if (ev->type == FIN_EV_STATE)
    fprintf(c->events, ",\"from\":\"%s\",\"to\":\"%s\"", fin_state_name(ev->from),
            fin_state_name(ev->to));
  if (ev->type == FIN_EV_CLOSED)
    fprintf(c->events, ",\"reason\":\"%s\",\"err\":\"%s\"", fin_close_reason_name(ev->reason),
            errno_name(ev->err));
  if (ev->type == FIN_EV_TIMER)
    fprintf(c->events, ",\"timer\":\"%s\"", fin_timer_name(ev->timer));
  if (ev->type == FIN_EV_DROP || ev->type == FIN_EV_RST_SENT)
    fprintf(c->events, ",\"counter\":\"%s\"", fin_counters_name(ev->counter));
  fprintf(c->events, "}\n");
}

static void netcli_on_event(void *ctx, const struct fin_event *ev) {
  struct netcli *c = ctx;
  if (c->events != NULL)
    events_write(c, ev);
  conn_log_event(&c->log, ev);
}

static int netcli_signalfd(struct netcli *c) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  /* Blocked and read from a signalfd in the runtime's epoll set: no race
   * between checking a flag and going to sleep. */
  if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
    return -errno;
  signal(SIGPIPE, SIG_IGN);
  c->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  return c->sigfd < 0 ? -errno : 0;
}

static void netcli_settings(struct netcli *c, struct fin_settings *s) {
  s->local_addrs[0] = c->addr;
  s->local_addr_count = 1;
  if (c->have_msl)
    s->msl = (fin_time)(c->msl * 1e9);
  s->event_mask |= (1u << FIN_EV_STATE) | (1u << FIN_EV_CLOSED) | (1u << FIN_EV_ACCEPTABLE);
  if (c->events != NULL)
    s->event_mask |= (1u << FIN_EV_TIMER) | (1u << FIN_EV_DROP) | (1u << FIN_EV_RST_SENT);
  /* The runtime drains events every step; a large queue only matters between steps. */
  if (s->event_queue_max < 65536)
    s->event_queue_max = 65536;
}

static int netcli_open_files(struct netcli *c) {
  char err[256];
  if (c->pcap_path != NULL && (c->pcap = fin_pcap_open(c->pcap_path, err, sizeof(err))) == NULL) {
    fprintf(stderr, "fin %s: --pcap: %s\n", c->cmd, err);
    return 1;
  }
  if (c->events_path != NULL && (c->events = fopen(c->events_path, "w")) == NULL) {
    fprintf(stderr, "fin %s: --events: %s: %s\n", c->cmd, c->events_path, strerror(errno));
    return 1;
  }
  return 0;
}

static int netcli_open_driver(struct netcli *c, struct fin_driver *drv) {
  char err[256];
  int r = fin_tun_open(&c->tun, c->tun_name, err, sizeof(err));
  if (r < 0) {
    fprintf(stderr, "fin %s: --tun: %s\n", c->cmd, err);
    return 1;
  }
  fin_tun_driver(c->tun, drv);
  if (c->drop <= 0 && c->delay_ms <= 0)
    return 0;
  struct fin_fault_config fc = {
      .drop = c->drop, .delay = (fin_time)(c->delay_ms * 1e6), .seed = c->seed};
  struct fin_driver inner = *drv;
  if (fin_fault_new(&c->fault, &inner, &fc) < 0) {
    fprintf(stderr, "fin %s: fault injection: out of memory\n", c->cmd);
    return 1;
  }
  fin_fault_driver(c->fault, drv);
  return 0;
}

int netcli_start(struct netcli *c, struct fin_settings *s) {
  if (c->tun_name == NULL)
    return netcli_bad(c, "--tun", "required"), 2;
  if (c->addr == 0)
    return netcli_bad(c, "--addr", "required"), 2;
  c->t0 = fin_clock_now();
  struct fin_driver drv;
  if (netcli_open_files(c) || netcli_open_driver(c, &drv))
    return 1;
  netcli_settings(c, s);
  int r = fin_runtime_new(&c->rt, s, &drv);
  if (r < 0) {
    fprintf(stderr, "fin %s: runtime: %s\n", c->cmd, strerror(-r));
    return 1;
  }
  c->st = fin_runtime_stack(c->rt);
  fin_runtime_set_pcap(c->rt, c->pcap);
  fin_runtime_set_event_sink(c->rt, netcli_on_event, c);
  if ((r = netcli_signalfd(c)) < 0 || (r = fin_runtime_watch(c->rt, c->sigfd)) < 0) {
    fprintf(stderr, "fin %s: signals: %s\n", c->cmd, strerror(-r));
    return 1;
  }
  return 0;
}

static void netcli_list(struct netcli *c) {
  struct fin_conn_info info[64];
  size_t cursor = 0, n;
  while ((n = fin_stack_list(c->st, &cursor, info, 64)) > 0) {
    for (size_t k = 0; k < n; k++) {
      char tuple[64];
      netcli_format_tuple(&info[k].tuple, tuple, sizeof(tuple));
      fprintf(stderr, "list %s %s\n", tuple, fin_state_name(info[k].state));
    }
  }
  fprintf(stderr, "list end live=%zu time-wait=%zu\n", fin_stack_conn_count(c->st),
          fin_stack_time_wait_count(c->st));
}

void netcli_signals(struct netcli *c) {
  struct signalfd_siginfo si;
  while (read(c->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
    if (si.ssi_signo == SIGUSR1)
      netcli_list(c);
    else
      c->stop = true;
  }
}

static void netcli_write_counters(struct netcli *c) {
  if (c->counters_path == NULL)
    return;
  FILE *f = fopen(c->counters_path, "w");
  if (f == NULL) {
    fprintf(stderr, "fin %s: --counters: %s: %s\n", c->cmd, c->counters_path, strerror(errno));
    return;
  }
  const struct fin_counters *k = fin_stack_counters(c->st);
  size_t need = fin_counters_format(k, 1, NULL, 0) + 1;
  char *buf = malloc(need);
  if (buf != NULL) {
    fin_counters_format(k, 1, buf, need);
    fputs(buf, f);
    free(buf);
  }
  fprintf(f, "FinLiveConnections %zu\nFinTimeWaitRecords %zu\n", fin_stack_conn_count(c->st),
          fin_stack_time_wait_count(c->st));
  fclose(f);
}

int netcli_finish(struct netcli *c) {
  fprintf(stderr, "fin %s: stopping after %.3fs: live=%zu time-wait=%zu ended=%llu\n", c->cmd,
          netcli_elapsed(c), fin_stack_conn_count(c->st), fin_stack_time_wait_count(c->st),
          (unsigned long long)c->log.ended);
  if (c->fault != NULL) {
    struct fin_fault_stats fs = fin_fault_stats(c->fault);
    fprintf(stderr, "fin %s: fault: dropped in=%llu out=%llu, delayed=%llu, overflow=%llu\n",
            c->cmd, (unsigned long long)fs.dropped_in, (unsigned long long)fs.dropped_out,
            (unsigned long long)fs.delayed, (unsigned long long)fs.overflow);
  }
  netcli_write_counters(c);
  const struct fin_settings *s = fin_stack_settings(c->st);
  fin_time grace = c->grace >= 0 ? (fin_time)(c->grace * 1e9) : s->shutdown_grace;
  int r;
  while ((r = fin_runtime_shutdown(c->rt, grace)) == 1)
    netcli_signals(c);
  fprintf(stderr, "fin %s: shutdown %s: live=%zu time-wait=%zu\n", c->cmd,
          r == 0 ? "done" : strerror(-r), fin_stack_conn_count(c->st),
          fin_stack_time_wait_count(c->st));
  netcli_free(c);
  return 0;
}

void netcli_free(struct netcli *c) {
  fin_runtime_free(c->rt);
  c->rt = NULL;
  fin_fault_free(c->fault);
  fin_tun_close(c->tun);
  fin_pcap_close(c->pcap);
  if (c->events != NULL)
    fclose(c->events);
  if (c->sigfd >= 0)
    close(c->sigfd);
  free(c->log.v);
  memset(c, 0, sizeof(*c));
}
