/* SPDX-License-Identifier: MIT */
/* fin serve — a server on a TUN device: echo, discard, sink (SHA-256 of what
 * arrived) or a tiny HTTP/1.1 server. Exits on SIGINT/SIGTERM, --duration or
 * --exit-after, always through the orderly shutdown of BEHAVIOR K2. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "serve.h"

static void serve_usage(FILE *out) {
  fprintf(out, "usage: fin serve --tun IFNAME --addr ADDR/NN [--addr ADDR/NN] --port N\n"
               "                 [--app echo|discard|sink|http] [options]\n\n"
               "Serves on a TUN device until SIGINT/SIGTERM, --duration or --exit-after, then\n"
               "shuts down in order (BEHAVIOR K2). 'fin ss', 'fin stat' and 'fin kill' talk to\n"
               "it through its control socket.\n\n");
  netcli_usage_common(out);
  fprintf(out, "  --port N             port to listen on\n"
               "  --app NAME           echo (default), discard, sink (prints SHA-256), http\n"
               "                       (HTTP/1.0 and 1.1 with keep-alive)\n"
               "  --v6only             listen on [::] with IPV6_V6ONLY: IPv6 clients only; an\n"
               "                       IPv4 SYN gets RST (needs an IPv6 --addr)\n"
               "  --exit-after N       shut down once N connections have ended\n"
               "  --max-conns N        accept at most N connections in total\n"
               "  --fastopen N         TCP Fast Open (RFC 7413): take data on SYNs with a valid\n"
               "                       cookie, at most N of them waiting in SYN-RECEIVED\n");
}

enum { OPT_PORT = 1, OPT_APP, OPT_EXIT_AFTER, OPT_MAX_CONNS, OPT_V6ONLY, OPT_FASTOPEN };

static const struct option serve_options[] = {
    NETCLI_LONG_OPTIONS,
    {"port", required_argument, NULL, OPT_PORT},
    {"app", required_argument, NULL, OPT_APP},
    {"exit-after", required_argument, NULL, OPT_EXIT_AFTER},
    {"max-conns", required_argument, NULL, OPT_MAX_CONNS},
    {"v6only", no_argument, NULL, OPT_V6ONLY},
    {"fastopen", required_argument, NULL, OPT_FASTOPEN},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_app(struct server *sv, const char *v) {
  static const char *const names[] = {"echo", "discard", "sink", "http"};
  for (size_t k = 0; k < 4; k++)
    if (strcmp(v, names[k]) == 0) {
      sv->app = (enum app)k;
      return 0;
    }
  return cli_bad("serve", "--app", "expected echo, discard, sink or http");
}

static int serve_option(struct server *sv, int opt, const char *v) {
  uint64_t n;
  switch (opt) {
  case OPT_APP:
    return parse_app(sv, v);
  case OPT_PORT:
    if (!cli_parse_u64(v, 65535, &n) || n == 0)
      return cli_bad("serve", "--port", "expected 1..65535");
    sv->port = (uint16_t)n;
    return 0;
  case OPT_V6ONLY:
    sv->v6only = true;
    return 0;
  case OPT_EXIT_AFTER:
  case OPT_MAX_CONNS:
  case OPT_FASTOPEN:
    if (!cli_parse_u64(v, 1000000000, &n) || n == 0)
      return cli_bad("serve", cli_opt_name(), "expected a positive count");
    *(opt == OPT_EXIT_AFTER  ? &sv->exit_after
      : opt == OPT_MAX_CONNS ? &sv->max_conns
                             : &sv->fastopen) = n;
    return 0;
  default:
    return CLI_USAGE;
  }
}

/* --v6only is about an IPv6 listener: without an IPv6 address there is none. */
static int serve_check_v6only(const struct server *sv) {
  if (!sv->v6only)
    return 0;
  for (unsigned i = 0; i < sv->cli.naddr; i++)
    if (!fin_addr_is_v4(&sv->cli.addr[i]))
      return 0;
  return cli_bad("serve", "--v6only", "needs an IPv6 --addr");
}

/* 0 = go on, CLI_HELP = help printed, CLI_USAGE = bad usage (message printed). */
static int serve_parse(struct server *sv, int argc, char **argv) {
  cli_begin();
  int c;
  while ((c = cli_next("serve", argc, argv, "h", serve_options)) != -1) {
    if (c == 'h') {
      serve_usage(stdout);
      return CLI_HELP;
    }
    int r = netcli_option(&sv->cli, c, optarg);
    if (r < 0 || (r == 0 && serve_option(sv, c, optarg) != 0))
      return CLI_USAGE;
  }
  if (optind < argc)
    return cli_bad("serve", argv[optind], "unexpected argument");
  if (sv->port == 0)
    return cli_bad("serve", "--port", "required");
  return serve_check_v6only(sv);
}

static int serve_listen(struct server *sv) {
  struct fin_stack *st = sv->cli.st;
  /* One address: bind it. Both families, or --v6only: [::] (dual stack
   * unless IPV6_V6ONLY, RFC 3493 §3.7; an IPv4 SYN then finds no listener
   * and gets RST, RFC 9293 §3.10.7.1). */
  struct fin_sockaddr a = {sv->cli.addr[0], sv->port, FIN_AF_UNSPEC};
  if (sv->cli.naddr > 1 || sv->v6only)
    a = (struct fin_sockaddr){fin_addr_any6(), sv->port, FIN_AF_INET6};
  int on = 1;
  sv->listener = fin_socket(st);
  int r = sv->listener < 0 ? (int)sv->listener : 0;
  if (r == 0 && sv->v6only)
    r = fin_setsockopt(st, sv->listener, FIN_IPV6_V6ONLY, &on, sizeof(on));
  if (r == 0)
    r = fin_bind(st, sv->listener, &a);
  if (r == 0)
    r = fin_listen(st, sv->listener, 1024);
  int qlen = (int)sv->fastopen;
  if (r == 0 && qlen > 0)
    r = fin_setsockopt(st, sv->listener, FIN_TCP_FASTOPEN, &qlen, sizeof(qlen));
  if (r < 0)
    fprintf(stderr, "fin serve: listen on port %u: %s\n", sv->port, strerror(-r));
  sv->cli.listener = sv->listener;
  return r;
}

static int serve_add(struct server *sv, fin_sock s) {
  if (sv->n == sv->cap) {
    size_t cap = sv->cap ? sv->cap * 2 : 64;
    struct client **v = realloc(sv->clients, cap * sizeof(*v));
    if (v == NULL)
      return -ENOMEM;
    sv->clients = v;
    sv->cap = cap;
  }
  struct client *c = calloc(1, sizeof(*c));
  if (c == NULL || (c->out = malloc(CLIENT_BUF)) == NULL) {
    free(c);
    return -ENOMEM;
  }
  c->s = s;
  c->conn_id = fin_sock_conn_id(sv->cli.st, s);
  sha256_init(&c->sha);
  conn_log_hold(&sv->cli.log, c->conn_id);
  sv->clients[sv->n++] = c;
  return 0;
}

static bool serve_accept(struct server *sv) {
  bool progress = false;
  while (sv->max_conns == 0 || sv->accepted < sv->max_conns) {
    fin_sock s = fin_accept(sv->cli.st, sv->listener, NULL);
    if (s < 0)
      break;
    sv->accepted++;
    progress = true;
    if (serve_add(sv, s) < 0)
      fin_abort(sv->cli.st, s); /* out of memory: refuse this one loudly rather than leak it */
  }
  return progress;
}

static bool serve_clients(struct server *sv) {
  bool progress = false;
  for (size_t k = 0; k < sv->n;) {
    struct client *c = sv->clients[k];
    progress |= client_service(sv, c);
    if (!c->closing) {
      k++;
      continue;
    }
    free(c->out);
    free(c);
    sv->clients[k] = sv->clients[--sv->n];
  }
  return progress;
}

static bool serve_done(struct server *sv, fin_time end) {
  if (sv->cli.stop)
    return true;
  if (sv->exit_after > 0 && sv->cli.log.ended >= sv->exit_after)
    return true;
  return fin_clock_now() >= end;
}

/* Handles still open at the end are left to the K2 shutdown; their lines
 * are printed as the stack ends them. */
static void serve_release_all(struct server *sv) {
  for (size_t k = 0; k < sv->n; k++) {
    conn_log_release(&sv->cli.log, sv->clients[k]->conn_id);
    free(sv->clients[k]->out);
    free(sv->clients[k]);
  }
  sv->n = 0;
  free(sv->clients);
}

static void serve_loop(struct server *sv) {
  fin_time end = sv->cli.duration > 0 ? sv->cli.t0 + (fin_time)(sv->cli.duration * 1e9) : FIN_NEVER;
  bool progress = true;
  while (!serve_done(sv, end)) {
    fin_time wait = progress ? 0 : end - fin_clock_now();
    int r = fin_runtime_run_once(sv->cli.rt, wait < 0 ? 0 : wait);
    if (r == 1)
      netcli_service(&sv->cli);
    else if (r < 0 && r != -EINTR) {
      fprintf(stderr, "fin serve: %s\n", strerror(-r));
      break;
    }
    progress = serve_accept(sv);
    progress |= serve_clients(sv);
  }
}

int fin_cmd_serve(int argc, char **argv) {
  static struct server sv; /* large (buffers); one per process */
  memset(&sv, 0, sizeof(sv));
  netcli_init(&sv.cli, "serve");
  int r = serve_parse(&sv, argc, argv);
  if (r != 0)
    return r == CLI_HELP ? 0 : CLI_USAGE;
  struct fin_settings s;
  fin_settings_default(&s);
  s.fastopen_server = sv.fastopen > 0;
  if ((r = netcli_start(&sv.cli, &s)) != 0 || serve_listen(&sv) < 0) {
    netcli_free(&sv.cli);
    return r == CLI_USAGE ? CLI_USAGE : 1;
  }
  fprintf(stderr, "fin serve: listening on %s port %u\n", sv.cli.tun_name, sv.port);
  serve_loop(&sv);
  serve_release_all(&sv);
  return netcli_finish(&sv.cli, netcli_grace(&sv.cli));
}
