/* SPDX-License-Identifier: MIT */
/* Shared plumbing of `fin serve` and `fin connect`: start, signals, the
 * control socket, the orderly finish. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli.h"
#include "drivers/pcapng.h"
#include "control.h"
#include "netcli.h"
#include "netcli_tap.h"

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
  for (unsigned i = 0; i < c->naddr; i++)
    s->local_addrs[i] = c->addr[i];
  s->local_addr_count = c->naddr;
  if (c->have_msl)
    s->msl = (fin_time)(c->msl * 1e9);
  if (c->ecn >= 0)
    s->ecn = (enum fin_ecn)c->ecn;
  s->event_mask |= (1u << FIN_EV_STATE) | (1u << FIN_EV_CLOSED) | (1u << FIN_EV_ACCEPTABLE);
  if (c->events != NULL || c->tap != NULL)
    s->event_mask |= (1u << FIN_EV_TIMER) | (1u << FIN_EV_DROP) | (1u << FIN_EV_RST_SENT);
  /* The runtime drains events every step; a large queue only matters between steps. */
  if (s->event_queue_max < 65536)
    s->event_queue_max = 65536;
}

/* Every file named on the command line is opened before anything runs: a
 * path that cannot be written is a usage error (exit 2) that loses nothing. */
static int netcli_open_files(struct netcli *c) {
  char err[256];
  if (c->pcap_path != NULL && (c->pcap = fin_pcap_open(c->pcap_path, err, sizeof(err))) == NULL) {
    fprintf(stderr, "fin %s: --pcap: %s\n", c->cmd, err);
    return CLI_USAGE;
  }
  if (c->pcapng_path != NULL &&
      (c->pcapng = fin_pcapng_open(c->pcapng_path, c->tun_name, err, sizeof(err))) == NULL) {
    fprintf(stderr, "fin %s: --pcapng: %s\n", c->cmd, err);
    return CLI_USAGE;
  }
  if (c->events_path != NULL &&
      (c->events = cli_open(c->cmd, "--events", c->events_path, "w")) == NULL)
    return CLI_USAGE;
  if (c->counters_path != NULL &&
      (c->counters = cli_open(c->cmd, "--counters", c->counters_path, "w")) == NULL)
    return CLI_USAGE;
  return 0;
}

static int netcli_open_driver(struct netcli *c, struct fin_driver *drv) {
  char err[256];
  int r =
      fin_tun_open_flags(&c->tun, c->tun_name, c->offload ? FIN_TUN_OFFLOAD : 0, err, sizeof(err));
  if (r < 0) {
    fprintf(stderr, "fin %s: --tun: %s\n", c->cmd, err);
    return 1;
  }
  fin_tun_driver(c->tun, drv);
  if (c->drop > 0 || c->delay_ms > 0) {
    struct fin_fault_config fc = {
        .drop = c->drop, .delay = (fin_time)(c->delay_ms * 1e6), .seed = c->seed};
    struct fin_driver inner = *drv;
    if (fin_fault_new(&c->fault, &inner, &fc) < 0) {
      fprintf(stderr, "fin %s: fault injection: out of memory\n", c->cmd);
      return 1;
    }
    fin_fault_driver(c->fault, drv);
  }
  /* Outermost, so it sees exactly what the stack sends and receives. */
  if (c->pcapng != NULL || c->events != NULL)
    return netcli_tap_new(c, drv);
  return 0;
}

/* The default socket is a convenience: without it fin still runs. A path
 * the user named must work. */
static int netcli_open_control(struct netcli *c) {
  if (c->no_control)
    return 0;
  if (control_open(&c->control, c->control_path, c) < 0) {
    if (c->control_path != NULL)
      return CLI_USAGE;
    fprintf(stderr,
            "fin %s: no control socket ('fin ss' will not see this process; "
            "--control PATH chooses another place)\n",
            c->cmd);
    return 0;
  }
  return 0;
}

static void netcli_names(struct netcli *c) {
  fin_trace_init(&c->names);
  struct fin_addr none = fin_addr_v4(0);
  fin_trace_set_host(&c->names, 0, &c->addr[0]);
  fin_trace_set_host(&c->names, 1, &none);
  snprintf(c->names.host_names[0], sizeof(c->names.host_names[0]), "fin");
  snprintf(c->names.host_names[1], sizeof(c->names.host_names[1]), "tun");
  fin_rel_init(&c->rel);
}

int netcli_start(struct netcli *c, struct fin_settings *s) {
  if (c->tun_name == NULL)
    return cli_bad(c->cmd, "--tun", "required");
  if (c->naddr == 0)
    return cli_bad(c->cmd, "--addr", "required");
  c->t0 = fin_clock_now();
  netcli_names(c);
  struct fin_driver drv;
  int r = netcli_open_files(c);
  if (r == 0)
    r = netcli_open_control(c);
  if (r == 0)
    r = netcli_open_driver(c, &drv);
  if (r != 0)
    return r;
  netcli_settings(c, s);
  if ((r = fin_runtime_new(&c->rt, s, &drv)) < 0) {
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
  if (c->control != NULL && control_attach(c->control) < 0)
    return 1;
  if (c->control != NULL)
    fprintf(stderr, "fin %s: control socket %s\n", c->cmd, control_path(c->control));
  return 0;
}

static void netcli_list(struct netcli *c) {
  struct fin_conn_info info[64];
  size_t cursor = 0, n;
  while ((n = fin_stack_list(c->st, &cursor, info, 64)) > 0) {
    for (size_t k = 0; k < n; k++) {
      char tuple[64];
      format_tuple(&info[k].tuple, tuple, sizeof(tuple));
      fprintf(stderr, "list %s %s\n", tuple, fin_state_name(info[k].state));
    }
  }
  fprintf(stderr, "list end live=%zu time-wait=%zu\n", fin_stack_conn_count(c->st),
          fin_stack_time_wait_count(c->st));
}

/* A repeat this soon after the first stop signal is the same request:
 * timeout(1) and service managers send SIGTERM to the process and to its
 * group, so one "stop" often arrives twice within microseconds. */
#define NETCLI_REPEAT_WINDOW FIN_MS(200)

static void netcli_signals(struct netcli *c) {
  struct signalfd_siginfo si;
  while (read(c->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
    int sig = (int)si.ssi_signo;
    fin_time now = fin_clock_now();
    if (sig == SIGUSR1) {
      netcli_list(c);
    } else if (c->stop_signal == 0) {
      c->stop_signal = sig;
      c->stop_at = now;
      c->stop = true;
    } else if (now - c->stop_at >= NETCLI_REPEAT_WINDOW) {
      c->force_signal = sig; /* a second one: the user does not want to wait */
    }
  }
}

void netcli_service(struct netcli *c) {
  netcli_signals(c);
  if (c->control != NULL)
    control_service(c->control);
}

fin_time netcli_grace(const struct netcli *c) {
  return c->grace >= 0 ? (fin_time)(c->grace * 1e9) : fin_stack_settings(c->st)->shutdown_grace;
}

static void netcli_write_counters(struct netcli *c) {
  if (c->counters == NULL)
    return;
  netcli_counters_text(c, c->counters, true, 0, NULL);
  if (fclose(c->counters) != 0)
    fprintf(stderr, "fin %s: --counters: %s: %s\n", c->cmd, c->counters_path, strerror(errno));
  c->counters = NULL;
}

/* K2 until done, or until a second SIGINT/SIGTERM says not to wait. */
static int netcli_shutdown(struct netcli *c, fin_time grace) {
  int r = 1;
  while (c->force_signal == 0 && (r = fin_runtime_shutdown(c->rt, grace)) == 1)
    netcli_service(c);
  return c->force_signal != 0 ? -EINTR : r;
}

int netcli_finish(struct netcli *c, fin_time grace) {
  fprintf(stderr, "fin %s: stopping after %.3fs: live=%zu time-wait=%zu ended=%llu\n", c->cmd,
          netcli_elapsed(c), fin_stack_conn_count(c->st), fin_stack_time_wait_count(c->st),
          (unsigned long long)c->log.ended);
  if (c->fault != NULL) {
    struct fin_fault_stats fs = fin_fault_stats(c->fault);
    fprintf(stderr, "fin %s: fault: dropped in=%llu out=%llu, delayed=%llu, overflow=%llu\n",
            c->cmd, (unsigned long long)fs.dropped_in, (unsigned long long)fs.dropped_out,
            (unsigned long long)fs.delayed, (unsigned long long)fs.overflow);
  }
  int r = netcli_shutdown(c, grace);
  if (c->tun != NULL) {
    struct fin_tun_stats ts = fin_tun_stats(c->tun);
    fprintf(stderr,
            "fin %s: tun: offload=%s writes=%llu segments=%llu reads=%llu super-segments "
            "out=%llu in=%llu\n",
            c->cmd, fin_tun_offload(c->tun) ? "on" : "off", (unsigned long long)ts.tx_writes,
            (unsigned long long)ts.tx_pieces, (unsigned long long)ts.rx_reads,
            (unsigned long long)ts.tx_super, (unsigned long long)ts.rx_super);
  }
  if (r == -EINTR)
    fprintf(stderr, "fin %s: second %s: exiting without finishing the shutdown\n", c->cmd,
            strsignal(c->force_signal));
  fprintf(stderr, "fin %s: shutdown %s: live=%zu time-wait=%zu\n", c->cmd,
          r == 0        ? "done"
          : r == -EINTR ? "interrupted"
                        : strerror(-r),
          fin_stack_conn_count(c->st), fin_stack_time_wait_count(c->st));
  netcli_write_counters(c); /* after the shutdown: the final numbers */
  int code = c->force_signal != 0 ? 128 + c->force_signal : 0;
  netcli_free(c);
  return code;
}

void netcli_free(struct netcli *c) {
  control_close(c->control); /* first: it unwatches from the runtime */
  netcli_tap_free(c->tap);   /* while the stack lives: the held datagram's events */
  c->tap = NULL;
  fin_runtime_free(c->rt);
  c->rt = NULL;
  fin_fault_free(c->fault);
  fin_tun_close(c->tun);
  fin_pcap_close(c->pcap);
  fin_pcapng_close(c->pcapng);
  if (c->events != NULL)
    fclose(c->events);
  if (c->counters != NULL)
    fclose(c->counters);
  if (c->sigfd >= 0)
    close(c->sigfd);
  conn_log_free(&c->log);
  fin_trace_free(&c->names);
  memset(c, 0, sizeof(*c));
}
