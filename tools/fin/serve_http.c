/* SPDX-License-Identifier: MIT */
/* `fin serve --app http`: a tiny HTTP/1.x server with the persistence
 * rules clients rely on (RFC 9112 §9.3):
 *   - HTTP/1.1: the connection persists unless a "close" connection option
 *     is present; the answer then carries "Connection: close".
 *   - HTTP/1.0: the connection closes after the answer unless the client
 *     sent "keep-alive"; the answer then says "Connection: keep-alive"
 *     (without it an HTTP/1.0 client such as `ab -k` waits for the close).
 * Every answer has a Content-Length, so a persistent client knows where it
 * ends. GET and HEAD are served; a request body (Content-Length) is read
 * and skipped; anything malformed gets 400 and the connection closes. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "serve.h"

static const char http_page[] =
    "<!doctype html><html><head><title>fin</title></head>"
    "<body><h1>fin</h1><p>Served by fin, a userspace TCP/IP stack.</p></body></html>\n";

struct http_req {
  char method[16];
  char target[256];
  int minor;         /* HTTP/1.minor */
  bool opt_close;    /* Connection: close */
  bool opt_keep;     /* Connection: keep-alive */
  bool bad;          /* 400 */
  uint64_t body_len; /* Content-Length */
};

/* "Connection: keep-alive, Upgrade": comma-separated, case-insensitive tokens. */
static void connection_options(struct http_req *r, const char *v) {
  while (*v != '\0') {
    v += strspn(v, " \t,");
    size_t n = strcspn(v, " \t,");
    if (n == 5 && strncasecmp(v, "close", 5) == 0)
      r->opt_close = true;
    if (n == 10 && strncasecmp(v, "keep-alive", 10) == 0)
      r->opt_keep = true;
    v += n;
  }
}

static void header_line(struct http_req *r, char *line) {
  char *colon = strchr(line, ':');
  if (colon == NULL || colon == line) {
    r->bad = true;
    return;
  }
  *colon = '\0';
  const char *v = colon + 1 + strspn(colon + 1, " \t");
  if (strcasecmp(line, "connection") == 0) {
    connection_options(r, v);
  } else if (strcasecmp(line, "content-length") == 0) {
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    if (end == v || (*end != '\0' && *end != ' ' && *end != '\t'))
      r->bad = true;
    r->body_len = n;
  } else if (strcasecmp(line, "transfer-encoding") == 0) {
    r->bad = true; /* no chunked bodies here: the request's end could not be found */
  }
}

/* The request head (NUL-terminated, ends with an empty line) into r. */
static void parse_head(char *head, struct http_req *r) {
  memset(r, 0, sizeof(*r));
  char *save = NULL;
  char *line = strtok_r(head, "\r\n", &save);
  char version[16];
  if (line == NULL || sscanf(line, "%15s %255s %15s", r->method, r->target, version) != 3 ||
      strncmp(version, "HTTP/1.", 7) != 0 || version[7] < '0' || version[7] > '9' ||
      version[8] != '\0') {
    r->bad = true;
    return;
  }
  r->minor = version[7] - '0';
  while ((line = strtok_r(NULL, "\r\n", &save)) != NULL && !r->bad)
    header_line(r, line);
}

static bool wants_close(const struct http_req *r) {
  if (r->bad || r->opt_close)
    return true;
  return r->minor == 0 && !r->opt_keep;
}

/* The status of a request and, for errors, the one-line body that says it. */
static int status_of(const struct http_req *r, const char **text) {
  bool get = strcmp(r->method, "GET") == 0, head = strcmp(r->method, "HEAD") == 0;
  bool found = strcmp(r->target, "/") == 0 || strcmp(r->target, "/index.html") == 0;
  int code = r->bad ? 400 : !(get || head) ? 405 : !found ? 404 : 200;
  *text = code == 400   ? "Bad Request"
          : code == 405 ? "Method Not Allowed"
          : code == 404 ? "Not Found"
                        : "OK";
  return code;
}

static void answer(struct client *c, const struct http_req *r) {
  const char *text;
  int code = status_of(r, &text);
  char err[48];
  snprintf(err, sizeof(err), "%d %s\n", code, text);
  const char *body = code == 200 ? http_page : err;
  bool close = wants_close(r);
  /* An HTTP/1.0 client keeps the connection only if the answer says so. */
  const char *conn = close           ? "Connection: close\r\n"
                     : r->minor == 0 ? "Connection: keep-alive\r\n"
                                     : "";
  char hdr[320];
  int n = snprintf(hdr, sizeof(hdr),
                   "HTTP/1.1 %d %s\r\nContent-Type: text/%s\r\nContent-Length: %zu\r\n"
                   "Server: fin\r\n%s%s\r\n",
                   code, text, code == 200 ? "html" : "plain", strlen(body),
                   code == 405 ? "Allow: GET, HEAD\r\n" : "", conn);
  client_out(c, hdr, (size_t)n);
  if (strcmp(r->method, "HEAD") != 0) /* HEAD: the length GET would send, no body */
    client_out(c, body, strlen(body));
  c->close_after_out = close;
}

static void complete(struct client *c) {
  struct http_req r;
  parse_head(c->req, &r);
  answer(c, &r);
  c->body_left = r.bad ? 0 : r.body_len;
  c->req_len = 0;
}

void http_input(struct client *c, const uint8_t *data, size_t len) {
  for (size_t k = 0; k < len && !c->close_after_out; k++) {
    if (c->body_left > 0) {
      c->body_left--;
      continue;
    }
    if (c->req_len == sizeof(c->req) - 1) {
      /* A head that does not fit: answered as malformed, then closed. */
      c->req[0] = '\0';
      complete(c);
      return;
    }
    c->req[c->req_len++] = (char)data[k];
    c->req[c->req_len] = '\0';
    size_t n = c->req_len;
    if ((n >= 4 && memcmp(c->req + n - 4, "\r\n\r\n", 4) == 0) ||
        (n >= 2 && memcmp(c->req + n - 2, "\n\n", 2) == 0))
      complete(c);
  }
}
