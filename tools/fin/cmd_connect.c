/* SPDX-License-Identifier: MIT */
/* fin connect — a client on a TUN device: sends stdin, prints everything
 * that comes back until the peer's EOF, then ends the connection the way
 * the options say (close, half-close, abort, linger). It exits once the
 * connection is closed or in TIME-WAIT (--wait-time-wait stays the 2*MSL,
 * so that a lost last ACK is answered); a second SIGINT/SIGTERM exits at once. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "netcli.h"

struct client {
  struct netcli cli;
  struct fin_sockaddr peer;
  bool shutdown_after_send, abort, no_wait_eof, no_read, wait_time_wait, fastopen;
  uint64_t repeat, round; /* --repeat: connections in all, and which one this is */
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
  fprintf(out, "usage: fin connect --tun IFNAME --addr ADDR/NN [options] HOST PORT\n\n"
               "Sends stdin, prints everything received until the peer's EOF, then closes.\n\n");
  netcli_usage_common(out);
  fprintf(
      out,
      "  --shutdown-after-send  half-close (SHUT_WR) once stdin ends, then read until EOF\n"
      "  --no-wait-eof        close once stdin is sent, without waiting for the peer's EOF\n"
      "  --wait-eof           wait for the peer's EOF before closing (the default)\n"
      "  --expect N           close once N bytes have arrived (no need for EOF)\n"
      "  --hold S             before closing, wait S more seconds\n"
      "  --abort              end with SO_LINGER {1,0}: RST instead of FIN\n"
      "  --linger S           SO_LINGER {1,S}: close waits for our FIN to be acknowledged\n"
      "  --no-read            never read from the connection (close with unread data)\n"
      "  --wait-time-wait     stay until TIME-WAIT ends (2*MSL) instead of exiting there\n"
      "  --connect-timeout S  give up connecting after S seconds (default 10)\n"
      "  --fastopen           TCP Fast Open (RFC 7413, TCP_FASTOPEN_CONNECT): ask for a cookie;\n"
      "                       with one, the first data rides on the SYN\n"
      "  --repeat N           N connections one after the other, each sending all of stdin\n"
      "                       (read to its end first, at most 64 KiB); with --fastopen the\n"
      "                       later ones use the cookie the first one got\n");
}

enum {
  OPT_SHUTDOWN_AFTER_SEND = 1,
  OPT_ABORT,
  OPT_WAIT_EOF,
  OPT_NO_WAIT_EOF,
  OPT_NO_READ,
  OPT_WAIT_TIME_WAIT,
  OPT_LINGER,
  OPT_EXPECT,
  OPT_HOLD,
  OPT_CONNECT_TIMEOUT,
  OPT_FASTOPEN,
  OPT_REPEAT,
};

static const struct option connect_options[] = {
    NETCLI_LONG_OPTIONS,
    {"shutdown-after-send", no_argument, NULL, OPT_SHUTDOWN_AFTER_SEND},
    {"abort", no_argument, NULL, OPT_ABORT},
    {"wait-eof", no_argument, NULL, OPT_WAIT_EOF},
    {"no-wait-eof", no_argument, NULL, OPT_NO_WAIT_EOF},
    {"no-read", no_argument, NULL, OPT_NO_READ},
    {"wait-time-wait", no_argument, NULL, OPT_WAIT_TIME_WAIT},
    {"linger", required_argument, NULL, OPT_LINGER},
    {"expect", required_argument, NULL, OPT_EXPECT},
    {"hold", required_argument, NULL, OPT_HOLD},
    {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
    {"fastopen", no_argument, NULL, OPT_FASTOPEN},
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int connect_option(struct client *cl, int opt, const char *v) {
  bool *flag = opt == OPT_SHUTDOWN_AFTER_SEND ? &cl->shutdown_after_send
               : opt == OPT_ABORT             ? &cl->abort
               : opt == OPT_NO_WAIT_EOF       ? &cl->no_wait_eof
               : opt == OPT_NO_READ           ? &cl->no_read
               : opt == OPT_WAIT_TIME_WAIT    ? &cl->wait_time_wait
               : opt == OPT_FASTOPEN          ? &cl->fastopen
                                              : NULL;
  if (flag != NULL) {
    *flag = true;
    return 0;
  }
  if (opt == OPT_REPEAT) {
    if (!cli_parse_u64(v, 1000000, &cl->repeat) || cl->repeat == 0)
      return cli_bad("connect", "--repeat", "expected a positive count");
    return 0;
  }
  if (opt == OPT_WAIT_EOF) {
    cl->no_wait_eof = false;
    return 0;
  }
  double *dst = opt == OPT_LINGER            ? &cl->linger
                : opt == OPT_EXPECT          ? &cl->expect
                : opt == OPT_HOLD            ? &cl->hold
                : opt == OPT_CONNECT_TIMEOUT ? &cl->connect_timeout
                                             : NULL;
  if (dst == NULL)
    return CLI_USAGE;
  if (!cli_parse_double(v, 0, 1e12, dst))
    return cli_bad("connect", cli_opt_name(), "expected a non-negative number");
  return 0;
}

static int connect_positional(struct client *cl, int argc, char **argv) {
  uint64_t port;
  if (argc - optind != 2)
    return cli_bad("connect", "HOST PORT", argc - optind < 2 ? "required" : "too many arguments");
  if (!cli_parse_addr(argv[optind], &cl->peer.addr))
    return cli_bad("connect", "HOST", "expected an address (A.B.C.D or IPv6)");
  cl->peer.family = FIN_AF_UNSPEC; /* the socket speaks the destination's family */
  if (!cli_parse_u64(argv[optind + 1], 65535, &port) || port == 0)
    return cli_bad("connect", "PORT", "expected 1..65535");
  cl->peer.port = (uint16_t)port;
  return 0;
}

/* 0 = go on, CLI_HELP = help printed, CLI_USAGE = bad usage (message printed). */
static int connect_parse(struct client *cl, int argc, char **argv) {
  cli_begin();
  int c;
  while ((c = cli_next("connect", argc, argv, "h", connect_options)) != -1) {
    if (c == 'h') {
      connect_usage(stdout);
      return CLI_HELP;
    }
    int r = netcli_option(&cl->cli, c, optarg);
    if (r < 0 || (r == 0 && connect_option(cl, c, optarg) != 0))
      return CLI_USAGE;
  }
  if (connect_positional(cl, argc, argv) != 0)
    return CLI_USAGE;
  if (cl->abort && cl->linger >= 0)
    return cli_bad("connect", "--abort", "conflicts with --linger");
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
  int on = 1;
  if (cl->fastopen)
    fin_setsockopt(st, cl->s, FIN_TCP_FASTOPEN_CONNECT, &on, sizeof(on));
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
    netcli_service(&cl->cli);
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
    conn_log_bytes(&cl->cli.log, cl->conn_id, 0, (uint64_t)n);
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
    conn_log_bytes(&cl->cli.log, cl->conn_id, (uint64_t)n, 0);
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
  /* --expect: the bytes asked for are enough; otherwise the peer's EOF,
   * unless told not to wait (or unable to see it: --no-read). */
  bool wait_eof =
      cl->expect > 0 ? (double)cl->received < cl->expect : !cl->no_wait_eof && !cl->no_read;
  if (!cl->peer_eof && wait_eof)
    return FIN_NEVER;
  return cl->all_sent_at + (fin_time)(cl->hold * 1e9);
}

static void connect_end(struct client *cl) {
  int r;
  if (cl->linger >= 0 && !cl->abort) {
    while ((r = fin_rt_close(cl->cli.rt, cl->s, FIN_NEVER)) == -EINTR && !cl->cli.stop)
      netcli_service(&cl->cli);
  } else {
    r = fin_close(cl->cli.st, cl->s);
  }
  if (r < 0)
    connect_fail(cl, "close", r);
  conn_log_release(&cl->cli.log, cl->conn_id);
  cl->ended = true;
}

/* Closed by us and only a TIME-WAIT record left: nothing more to see
 * unless the user wants the 2*MSL served (a lost last ACK answered). */
static bool only_time_wait(const struct client *cl) {
  return cl->ended && !cl->wait_time_wait && fin_stack_conn_count(cl->cli.st) == 0 &&
         fin_stack_time_wait_count(cl->cli.st) > 0;
}

/* --repeat: a connection before the last is over once we have closed it
 * and it is gone or in TIME-WAIT. */
static bool round_over(const struct client *cl) {
  return cl->round + 1 < cl->repeat && cl->ended && fin_stack_conn_count(cl->cli.st) == 0;
}

static void connect_loop(struct client *cl) {
  fin_time stop_at =
      cl->cli.duration > 0 ? cl->cli.t0 + (fin_time)(cl->cli.duration * 1e9) : FIN_NEVER;
  bool progress = true;
  while (!cl->cli.stop && conn_log_open(&cl->cli.log, cl->conn_id) && fin_clock_now() < stop_at &&
         !only_time_wait(cl) && !round_over(cl)) {
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
      netcli_service(&cl->cli);
    else if (r < 0 && r != -EINTR)
      break;
    progress = !cl->ended && pump_stdin(cl);
    progress |= !cl->ended && pump_socket(cl);
  }
}

/* --repeat: all of stdin first, for every connection to send again. */
static int read_all_stdin(struct client *cl) {
  for (;;) {
    ssize_t n = read(0, cl->buf + cl->len, sizeof(cl->buf) - cl->len);
    if (n == 0)
      break;
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 || cl->len + (size_t)n == sizeof(cl->buf)) {
      fprintf(stderr, "fin connect: --repeat: stdin %s\n",
              n < 0 ? strerror(errno) : "holds more than 64 KiB");
      return CLI_USAGE;
    }
    cl->len += (size_t)n;
  }
  cl->stdin_eof = true;
  return 0;
}

/* The next connection of --repeat: a new socket, the same bytes. */
static void next_round(struct client *cl) {
  cl->round++;
  cl->off = 0;
  cl->shut_wr = cl->peer_eof = cl->ended = false;
  cl->received = 0;
  cl->all_sent_at = 0;
}

static void connect_rounds(struct client *cl) {
  for (;;) {
    int r = connect_open(cl);
    if (r < 0) {
      connect_fail(cl, "connect", r);
      fin_close(cl->cli.st, cl->s);
      conn_log_release(&cl->cli.log, cl->conn_id);
      return;
    }
    if (cl->round == 0 && cl->repeat == 1)
      stdin_setup(cl);
    connect_loop(cl);
    if (cl->round + 1 >= cl->repeat || !cl->ended || cl->cli.stop || cl->exit_code != 0)
      return;
    next_round(cl);
  }
}

int fin_cmd_connect(int argc, char **argv) {
  static struct client cl; /* large (buffers); one per process */
  memset(&cl, 0, sizeof(cl));
  netcli_init(&cl.cli, "connect");
  cl.linger = -1;
  cl.connect_timeout = 10;
  cl.repeat = 1;
  int r = connect_parse(&cl, argc, argv);
  if (r != 0)
    return r == CLI_HELP ? 0 : CLI_USAGE;
  if (cl.repeat > 1 && read_all_stdin(&cl) != 0)
    return CLI_USAGE;
  struct fin_settings s;
  fin_settings_default(&s);
  s.fastopen_client = cl.fastopen;
  if ((r = netcli_start(&cl.cli, &s)) != 0) {
    netcli_free(&cl.cli);
    return r;
  }
  connect_rounds(&cl);
  fin_time grace = netcli_grace(&cl.cli);
  if (!cl.cli.stop && only_time_wait(&cl)) {
    fprintf(stderr, "fin connect: leaving TIME-WAIT to the shutdown (--wait-time-wait stays "
                    "2*MSL)\n");
    /* Not 0: at a deadline already past, K2 could be "done" before its
     * timer has released the record, and the connection's line would be lost. */
    grace = FIN_MS(1);
  }
  int forced = netcli_finish(&cl.cli, grace);
  return forced != 0 ? forced : cl.exit_code;
}
