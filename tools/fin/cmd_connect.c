/* fin connect — a client on a TUN device: sends stdin, prints what comes
 * back, then ends the connection the way the options say (close, half-close,
 * abort, linger). It waits for the connection's last state (TIME-WAIT
 * included) so its line shows the whole path. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "netcli.h"

struct client {
  struct netcli cli;
  struct fin_sockaddr peer;
  bool shutdown_after_send, abort, wait_eof, no_read;
  double linger, expect, hold, connect_timeout;
  fin_sock s;
  uint64_t conn_id;
  uint8_t buf[65536]; /* stdin bytes not yet accepted by fin_send */
  size_t len, off;
  bool stdin_eof, stdin_pollable, stdin_watched, shut_wr, peer_eof, ended;
  uint64_t received;
  fin_time all_sent_at;
  uint8_t rbuf[65536];
  int exit_code;
};

static void connect_usage(FILE *out) {
  fprintf(out, "usage: fin connect --tun IFNAME --addr A.B.C.D/NN [options] HOST PORT\n\n");
  netcli_usage_common(out);
  fprintf(out, "  --shutdown-after-send  half-close (SHUT_WR) after stdin ends, read until EOF\n"
               "  --wait-eof         after stdin ends, read until the peer's EOF, then close\n"
               "  --abort            end with SO_LINGER {1,0}: RST instead of FIN\n"
               "  --linger S         SO_LINGER {1,S}: close waits for our FIN to be acknowledged\n"
               "  --expect N         before ending, wait until N bytes have arrived\n"
               "  --hold S           before ending, wait S more seconds\n"
               "  --no-read          never read from the connection (close with unread data)\n"
               "  --connect-timeout S  give up connecting after S seconds (default 10)\n");
}

static int connect_flag(struct client *cl, const char *opt) {
  bool *flag = strcmp(opt, "--shutdown-after-send") == 0 ? &cl->shutdown_after_send
               : strcmp(opt, "--abort") == 0             ? &cl->abort
               : strcmp(opt, "--wait-eof") == 0          ? &cl->wait_eof
               : strcmp(opt, "--no-read") == 0           ? &cl->no_read
                                                         : NULL;
  if (flag == NULL)
    return 0;
  *flag = true;
  return 1;
}

static int connect_option(struct client *cl, int argc, char **argv, int *i) {
  const char *opt = argv[*i];
  int r = connect_flag(cl, opt);
  if (r != 0)
    return r;
  double *dst = strcmp(opt, "--linger") == 0            ? &cl->linger
                : strcmp(opt, "--expect") == 0          ? &cl->expect
                : strcmp(opt, "--hold") == 0            ? &cl->hold
                : strcmp(opt, "--connect-timeout") == 0 ? &cl->connect_timeout
                                                        : NULL;
  if (dst == NULL)
    return netcli_bad(&cl->cli, opt, "unknown option");
  const char *v = netcli_value(&cl->cli, argc, argv, i);
  if (v == NULL)
    return -1;
  if (!netcli_parse_num(v, 0, 1e12, dst))
    return netcli_bad(&cl->cli, opt, "expected a non-negative number");
  return 1;
}

static int connect_positional(struct client *cl, const char *arg, int *npos) {
  double port;
  if (*npos == 0 && !netcli_parse_ipv4(arg, &cl->peer.addr))
    return netcli_bad(&cl->cli, "HOST", "expected an IPv4 address A.B.C.D");
  if (*npos == 1) {
    if (!netcli_parse_num(arg, 1, 65535, &port) || port != (uint16_t)port)
      return netcli_bad(&cl->cli, "PORT", "expected 1..65535");
    cl->peer.port = (uint16_t)port;
  }
  if (*npos >= 2)
    return netcli_bad(&cl->cli, arg, "unexpected argument");
  (*npos)++;
  return 1;
}

static int connect_parse(struct client *cl, int argc, char **argv) {
  int npos = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      connect_usage(stdout);
      return 1;
    }
    int r = netcli_option(&cl->cli, argc, argv, &i);
    if (r == 0)
      r = strncmp(argv[i], "--", 2) == 0 ? connect_option(cl, argc, argv, &i)
                                         : connect_positional(cl, argv[i], &npos);
    if (r < 0)
      return 2;
  }
  if (npos != 2)
    return netcli_bad(&cl->cli, "HOST PORT", "required"), 2;
  if (cl->abort && cl->linger >= 0)
    return netcli_bad(&cl->cli, "--abort", "conflicts with --linger"), 2;
  return 0;
}

static void connect_fail(struct client *cl, const char *what, int err) {
  fprintf(stderr, "fin connect: %s: %s (%s)\n", what, errno_name(err), strerror(-err));
  conn_log_app_error(&cl->cli.log, cl->conn_id, err);
  cl->exit_code = 1;
}

/* Loops over the blocking connect so a signal can still stop us. */
static int connect_open(struct client *cl) {
  struct fin_stack *st = cl->cli.st;
  cl->s = fin_socket(st);
  if (cl->s < 0)
    return (int)cl->s;
  if (cl->linger >= 0 || cl->abort) {
    struct fin_linger l = {1, cl->abort ? 0 : (int)cl->linger};
    fin_setsockopt(st, cl->s, FIN_SO_LINGER, &l, sizeof(l));
  }
  fin_time end = fin_clock_now() + (fin_time)(cl->connect_timeout * 1e9);
  /* The first call sends the SYN and names the connection: hold its log
   * entry before any outcome, so a refusal's line carries our errno too. */
  fin_stack_set_now(st, fin_clock_now());
  int r = fin_connect(st, cl->s, &cl->peer);
  cl->conn_id = fin_sock_conn_id(st, cl->s);
  conn_log_hold(&cl->cli.log, cl->conn_id);
  while (r == -EINPROGRESS || r == -EALREADY || r == -EINTR) {
    r = fin_rt_connect(cl->cli.rt, cl->s, &cl->peer, end - fin_clock_now());
    if (r != -EINTR)
      break;
    netcli_signals(&cl->cli);
    if (cl->cli.stop)
      break;
  }
  return r;
}

static void stdin_setup(struct client *cl) {
  int fl = fcntl(0, F_GETFL);
  if (fl >= 0)
    fcntl(0, F_SETFL, fl | O_NONBLOCK);
  /* epoll refuses regular files (EPERM): those are always readable anyway. */
  cl->stdin_pollable = fin_runtime_watch(cl->cli.rt, 0) == 0;
  cl->stdin_watched = cl->stdin_pollable;
}

/* Keeps stdin in the wait set only while we want its bytes: a readable fd
 * we do not read would wake level-triggered epoll forever. */
static void stdin_want(struct client *cl, bool want) {
  if (!cl->stdin_pollable || want == cl->stdin_watched)
    return;
  if (want)
    fin_runtime_watch(cl->cli.rt, 0);
  else
    fin_runtime_unwatch(cl->cli.rt, 0);
  cl->stdin_watched = want;
}

static bool pump_stdin(struct client *cl) {
  bool progress = false;
  if (cl->off == cl->len && !cl->stdin_eof) {
    ssize_t n = read(0, cl->buf, sizeof(cl->buf));
    if (n > 0) {
      cl->off = 0;
      cl->len = (size_t)n;
      progress = true;
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      cl->stdin_eof = true;
      progress = true;
    }
  }
  while (cl->off < cl->len) {
    ssize_t n = fin_send(cl->cli.st, cl->s, cl->buf + cl->off, cl->len - cl->off, 0);
    if (n == -EAGAIN)
      break;
    if (n < 0) {
      connect_fail(cl, "send", (int)n);
      cl->len = cl->off = 0;
      cl->stdin_eof = true;
      return true;
    }
    cl->off += (size_t)n;
    conn_log_get(&cl->cli.log, cl->conn_id)->bytes_out += (uint64_t)n;
    progress = true;
  }
  stdin_want(cl, !cl->stdin_eof && cl->off == cl->len);
  return progress || (!cl->stdin_pollable && !cl->stdin_eof && cl->off == cl->len);
}

static bool pump_socket(struct client *cl) {
  bool progress = false;
  while (!cl->no_read && !cl->peer_eof) {
    ssize_t n = fin_recv(cl->cli.st, cl->s, cl->rbuf, sizeof(cl->rbuf), 0);
    if (n == -EAGAIN)
      break;
    progress = true;
    if (n < 0) {
      connect_fail(cl, "recv", (int)n);
      cl->peer_eof = true;
      break;
    }
    if (n == 0) {
      cl->peer_eof = true;
      break;
    }
    cl->received += (uint64_t)n;
    conn_log_get(&cl->cli.log, cl->conn_id)->bytes_in += (uint64_t)n;
    /* stdout is the user's: a closed pipe must not stop the TCP exchange. */
    (void)!fwrite(cl->rbuf, 1, (size_t)n, stdout);
    fflush(stdout);
  }
  return progress;
}

/* When ending may start (FIN_NEVER while waiting for bytes or EOF). */
static fin_time end_time(struct client *cl) {
  if (!cl->stdin_eof || cl->off < cl->len)
    return FIN_NEVER;
  if (cl->all_sent_at == 0)
    cl->all_sent_at = fin_clock_now();
  if (cl->shutdown_after_send && !cl->shut_wr) {
    int r = fin_shutdown(cl->cli.st, cl->s, FIN_SHUT_WR);
    if (r < 0)
      connect_fail(cl, "shutdown", r);
    cl->shut_wr = true;
  }
  if (!cl->peer_eof && (double)cl->received < cl->expect)
    return FIN_NEVER;
  if (!cl->peer_eof && (cl->wait_eof || cl->shutdown_after_send))
    return FIN_NEVER;
  return cl->all_sent_at + (fin_time)(cl->hold * 1e9);
}

static void connect_end(struct client *cl) {
  int r;
  if (cl->linger >= 0 && !cl->abort) {
    while ((r = fin_rt_close(cl->cli.rt, cl->s, FIN_NEVER)) == -EINTR && !cl->cli.stop)
      netcli_signals(&cl->cli);
  } else {
    r = fin_close(cl->cli.st, cl->s);
  }
  if (r < 0)
    connect_fail(cl, "close", r);
  conn_log_release(&cl->cli.log, cl->conn_id);
  cl->ended = true;
}

static void connect_loop(struct client *cl) {
  fin_time stop_at =
      cl->cli.duration > 0 ? cl->cli.t0 + (fin_time)(cl->cli.duration * 1e9) : FIN_NEVER;
  bool progress = true;
  while (!cl->cli.stop && cl->cli.log.ended == 0 && fin_clock_now() < stop_at) {
    fin_time now = fin_clock_now();
    fin_time until = cl->ended ? FIN_NEVER : end_time(cl);
    if (!cl->ended && until <= now) {
      connect_end(cl);
      progress = true; /* deliver the events the close caused before waiting */
      continue;
    }
    if (until > stop_at)
      until = stop_at;
    int r = fin_runtime_run_once(cl->cli.rt, progress ? 0 : until - now);
    if (r == 1)
      netcli_signals(&cl->cli);
    else if (r < 0 && r != -EINTR)
      break;
    progress = !cl->ended && pump_stdin(cl);
    progress |= !cl->ended && pump_socket(cl);
  }
}

int fin_cmd_connect(int argc, char **argv) {
  static struct client cl; /* large (buffers); one per process */
  memset(&cl, 0, sizeof(cl));
  netcli_init(&cl.cli, "connect");
  cl.linger = -1;
  cl.connect_timeout = 10;
  int r = connect_parse(&cl, argc, argv);
  if (r != 0)
    return r == 1 ? 0 : 2;
  struct fin_settings s;
  fin_settings_default(&s);
  if ((r = netcli_start(&cl.cli, &s)) != 0) {
    netcli_free(&cl.cli);
    return r;
  }
  r = connect_open(&cl);
  if (r < 0) {
    connect_fail(&cl, "connect", r);
    fin_close(cl.cli.st, cl.s);
    conn_log_release(&cl.cli.log, cl.conn_id);
  } else {
    stdin_setup(&cl);
    connect_loop(&cl);
  }
  int code = cl.exit_code;
  netcli_finish(&cl.cli);
  return code;
}
