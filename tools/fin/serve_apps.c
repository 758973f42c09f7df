/* The applications behind `fin serve`: each turns what a client sent into
 * what goes back. All of them read until EOF and then close, so the peer
 * that closes first decides who ends up in TIME-WAIT. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "serve.h"

static const char http_page[] =
    "<!doctype html><html><head><title>fin</title></head>"
    "<body><h1>fin</h1><p>Served by fin, a userspace TCP/IP stack.</p></body></html>\n";

static void out_put(struct client *c, const void *data, size_t len) {
  size_t room = CLIENT_BUF - c->out_len;
  if (len > room)
    len = room; /* callers only add when there is room; this guards the buffer */
  memcpy(c->out + c->out_len, data, len);
  c->out_len += len;
}

/* True when the request headers ask for the connection to end after the reply. */
static bool http_wants_close(const char *req) {
  if (strstr(req, " HTTP/1.0\r\n") != NULL && strcasestr(req, "connection: keep-alive") == NULL)
    return true;
  return strcasestr(req, "\r\nconnection: close") != NULL;
}

static void http_answer(struct client *c) {
  char head[256];
  bool ok = strncmp(c->req, "GET / ", 6) == 0 || strncmp(c->req, "GET /index.html ", 16) == 0;
  bool close = http_wants_close(c->req);
  const char *body = ok ? http_page : "not found\n";
  size_t blen = strlen(body);
  int n = snprintf(head, sizeof(head),
                   "HTTP/1.1 %s\r\nContent-Type: text/%s\r\nContent-Length: %zu\r\n"
                   "Server: fin\r\n%s\r\n",
                   ok ? "200 OK" : "404 Not Found", ok ? "html" : "plain", blen,
                   close ? "Connection: close\r\n" : "");
  out_put(c, head, (size_t)n);
  out_put(c, body, blen);
  c->close_after_out = close;
}

/* Feeds received bytes to the HTTP parser; answers each complete request. */
static void http_input(struct client *c, const uint8_t *data, size_t len) {
  for (size_t k = 0; k < len; k++) {
    if (c->req_len < sizeof(c->req) - 1)
      c->req[c->req_len++] = (char)data[k];
    c->req[c->req_len] = '\0';
    if (c->req_len >= 4 && strcmp(c->req + c->req_len - 4, "\r\n\r\n") == 0) {
      http_answer(c);
      c->req_len = 0;
    }
  }
}

static void app_input(struct server *sv, struct client *c, const uint8_t *data, size_t len) {
  switch (sv->app) {
  case APP_ECHO:
    out_put(c, data, len);
    break;
  case APP_SINK:
    sha256_update(&c->sha, data, len);
    break;
  case APP_HTTP:
    http_input(c, data, len);
    break;
  case APP_DISCARD:
    break;
  }
}

/* How much we may read now: echo and http must have room for what they
 * produce, so a slow reader applies back-pressure instead of growing memory. */
static size_t app_room(const struct server *sv, const struct client *c) {
  if (sv->app == APP_ECHO)
    return CLIENT_BUF - c->out_len;
  if (sv->app == APP_HTTP)
    return c->out_len > c->out_off ? 0 : 1024;
  return sizeof(sv->buf);
}

static int client_flush(struct server *sv, struct client *c, bool *progress) {
  while (c->out_off < c->out_len) {
    ssize_t n = fin_send(sv->cli.st, c->s, c->out + c->out_off, c->out_len - c->out_off, 0);
    if (n == -EAGAIN)
      return 0;
    if (n < 0)
      return (int)n;
    c->out_off += (size_t)n;
    conn_log_get(&sv->cli.log, c->conn_id)->bytes_out += (uint64_t)n;
    *progress = true;
  }
  c->out_off = c->out_len = 0; /* all sent: the whole buffer is free again */
  return 0;
}

static int client_read(struct server *sv, struct client *c, bool *progress) {
  size_t room;
  while (!c->peer_eof && (room = app_room(sv, c)) > 0) {
    if (room > sizeof(sv->buf))
      room = sizeof(sv->buf);
    ssize_t n = fin_recv(sv->cli.st, c->s, sv->buf, room, 0);
    if (n == -EAGAIN)
      return 0;
    if (n < 0)
      return (int)n;
    *progress = true;
    if (n == 0) {
      c->peer_eof = true;
      return 0;
    }
    conn_log_get(&sv->cli.log, c->conn_id)->bytes_in += (uint64_t)n;
    app_input(sv, c, sv->buf, (size_t)n);
  }
  return 0;
}

static void client_note(struct server *sv, struct client *c) {
  if (sv->app != APP_SINK)
    return;
  struct conn_entry *e = conn_log_get(&sv->cli.log, c->conn_id);
  char hex[65];
  sha256_final_hex(&c->sha, hex);
  if (e != NULL)
    snprintf(e->note, sizeof(e->note), "sha256=%s", hex);
}

/* Closes the handle; the stack finishes the termination (orphan). */
static void client_close(struct server *sv, struct client *c) {
  client_note(sv, c);
  fin_close(sv->cli.st, c->s);
  conn_log_release(&sv->cli.log, c->conn_id);
  c->closing = true;
}

/* One pass over a client: read, answer, and close when the exchange is done
 * (peer EOF with nothing left to send, an error, or http's Connection: close). */
bool client_service(struct server *sv, struct client *c) {
  bool progress = false;
  int r = client_flush(sv, c, &progress);
  if (r == 0)
    r = client_read(sv, c, &progress);
  if (r == 0)
    r = client_flush(sv, c, &progress);
  bool drained = c->out_off == c->out_len;
  if (r < 0)
    conn_log_app_error(&sv->cli.log, c->conn_id, r);
  if (r < 0 || (drained && (c->peer_eof || c->close_after_out))) {
    client_close(sv, c);
    progress = true;
  }
  return progress;
}
