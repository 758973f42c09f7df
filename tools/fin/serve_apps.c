/* SPDX-License-Identifier: MIT */
/* The applications behind `fin serve`: each turns what a client sent into
 * what goes back. All of them read until EOF and then close, so the peer
 * that closes first decides who ends up in TIME-WAIT. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

void client_out(struct client *c, const void *data, size_t len) {
  size_t room = CLIENT_BUF - c->out_len;
  if (len > room)
    len = room; /* callers only add when there is room; this guards the buffer */
  memcpy(c->out + c->out_len, data, len);
  c->out_len += len;
}

static void app_input(struct server *sv, struct client *c, const uint8_t *data, size_t len) {
  switch (sv->app) {
  case APP_ECHO:
    client_out(c, data, len);
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
    conn_log_bytes(&sv->cli.log, c->conn_id, 0, (uint64_t)n);
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
    conn_log_bytes(&sv->cli.log, c->conn_id, (uint64_t)n, 0);
    app_input(sv, c, sv->buf, (size_t)n);
  }
  return 0;
}

static void client_note(struct server *sv, struct client *c) {
  if (sv->app != APP_SINK)
    return;
  char hex[65], note[80];
  sha256_final_hex(&c->sha, hex);
  snprintf(note, sizeof(note), "sha256=%s", hex);
  conn_log_note(&sv->cli.log, c->conn_id, note);
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
