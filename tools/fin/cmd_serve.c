/* fin serve — a server on a TUN device: echo, discard, sink (SHA-256 of what
 * arrived) or a tiny HTTP/1.1 server. Exits on SIGINT/SIGTERM, --duration or
 * --exit-after, always through the orderly shutdown of BEHAVIOR K2. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "serve.h"

static void serve_usage(FILE *out) {
  fprintf(out, "usage: fin serve --tun IFNAME --addr A.B.C.D/NN --port N\n"
               "                 [--app echo|discard|sink|http] [options]\n\n");
  netcli_usage_common(out);
  fprintf(out, "  --port N           port to listen on\n"
               "  --app NAME         echo (default), discard, sink (prints SHA-256), http\n"
               "  --exit-after N     shut down once N connections have ended\n"
               "  --max-conns N      accept at most N connections in total\n");
}

static int parse_app(struct server *sv, const char *v) {
  static const char *const names[] = {"echo", "discard", "sink", "http"};
  for (size_t k = 0; k < 4; k++)
    if (strcmp(v, names[k]) == 0) {
      sv->app = (enum app)k;
      return 1;
    }
  return netcli_bad(&sv->cli, "--app", "expected echo, discard, sink or http");
}

static int serve_option(struct server *sv, int argc, char **argv, int *i) {
  const char *opt = argv[*i];
  double port;
  double *dst = strcmp(opt, "--exit-after") == 0  ? &sv->exit_after
                : strcmp(opt, "--max-conns") == 0 ? &sv->max_conns
                                                  : NULL;
  if (dst == NULL && strcmp(opt, "--app") != 0 && strcmp(opt, "--port") != 0)
    return netcli_bad(&sv->cli, opt, "unknown option");
  const char *v = netcli_value(&sv->cli, argc, argv, i);
  if (v == NULL)
    return -1;
  if (strcmp(opt, "--app") == 0)
    return parse_app(sv, v);
  if (strcmp(opt, "--port") == 0) {
    if (!netcli_parse_num(v, 1, 65535, &port) || port != (uint16_t)port)
      return netcli_bad(&sv->cli, opt, "expected 1..65535");
    sv->port = (uint16_t)port;
    return 1;
  }
  if (!netcli_parse_num(v, 1, 1e9, dst))
    return netcli_bad(&sv->cli, opt, "expected a positive count");
  return 1;
}

/* 0 = go on, 1 = help printed, 2 = bad usage. */
static int serve_parse(struct server *sv, int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      serve_usage(stdout);
      return 1;
    }
    int r = netcli_option(&sv->cli, argc, argv, &i);
    if (r == 0 && strncmp(argv[i], "--", 2) == 0)
      r = serve_option(sv, argc, argv, &i);
    else if (r == 0)
      r = netcli_bad(&sv->cli, argv[i], "unexpected argument");
    if (r < 0)
      return 2;
  }
  if (sv->port == 0)
    return netcli_bad(&sv->cli, "--port", "required"), 2;
  return 0;
}

static int serve_listen(struct server *sv) {
  struct fin_stack *st = sv->cli.st;
  struct fin_sockaddr a = {.addr = sv->cli.addr, .port = sv->port};
  sv->listener = fin_socket(st);
  int r = sv->listener < 0 ? (int)sv->listener : fin_bind(st, sv->listener, &a);
  if (r == 0)
    r = fin_listen(st, sv->listener, 1024);
  if (r < 0)
    fprintf(stderr, "fin serve: listen on port %u: %s\n", sv->port, strerror(-r));
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
  while (sv->max_conns == 0 || (double)sv->accepted < sv->max_conns) {
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
  if (sv->exit_after > 0 && (double)sv->cli.log.ended >= sv->exit_after)
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
      netcli_signals(&sv->cli);
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
    return r == 1 ? 0 : 2;
  struct fin_settings s;
  fin_settings_default(&s);
  if ((r = netcli_start(&sv.cli, &s)) != 0 || serve_listen(&sv) < 0) {
    netcli_free(&sv.cli);
    return r == 2 ? 2 : 1;
  }
  fprintf(stderr, "fin serve: listening on %s port %u\n", sv.cli.tun_name, sv.port);
  serve_loop(&sv);
  serve_release_all(&sv);
  return netcli_finish(&sv.cli);
}
