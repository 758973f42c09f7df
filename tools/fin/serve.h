/* SPDX-License-Identifier: MIT */
/* fin serve internals shared by cmd_serve.c (accepting, the loop) and
 * serve_apps.c (what each application does with a client's bytes). */
#ifndef FIN_TOOLS_SERVE_H
#define FIN_TOOLS_SERVE_H

#include "netcli.h"
#include "sha256.h"

enum app { APP_ECHO, APP_DISCARD, APP_SINK, APP_HTTP };

#define CLIENT_BUF 65536

struct client {
  fin_sock s;
  uint64_t conn_id;
  uint8_t *out; /* bytes accepted from the app's side but not yet in the stack */
  size_t out_len, out_off;
  char req[4096]; /* http: the request head being read */
  size_t req_len;
  uint64_t body_left; /* http: request body bytes still to skip (Content-Length) */
  bool peer_eof, close_after_out, closing;
  struct sha256 sha;
};

struct server {
  struct netcli cli;
  enum app app;
  uint16_t port;
  uint64_t exit_after, max_conns;
  uint64_t fastopen; /* --fastopen: the listener's TFO queue length, 0 = off */
  bool v6only;       /* --v6only: the listener is [::] with IPV6_V6ONLY */
  fin_sock listener;
  struct client **clients;
  size_t n, cap;
  uint64_t accepted;
  uint8_t buf[CLIENT_BUF];
};

/* One pass over a client; true when anything moved. Sets c->closing once
 * the handle is closed (the caller then frees the client). */
bool client_service(struct server *sv, struct client *c);
/* serve_http.c: feeds a client's bytes to the HTTP/1.x parser, which queues
 * one answer per complete request (and sets close_after_out). */
void http_input(struct client *c, const uint8_t *data, size_t len);
/* Appends to the client's output (bounded by CLIENT_BUF). */
void client_out(struct client *c, const void *data, size_t len);

#endif
