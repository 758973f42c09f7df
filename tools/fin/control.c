/* SPDX-License-Identifier: MIT */
/* The control socket's server side (control.h). */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "netcli.h"

#define CONTROL_CLIENTS 8
#define CONTROL_LINE    512
#define CONTROL_IDLE    FIN_SEC(5) /* a client that sends no request is dropped after this */

struct control_client {
  int fd; /* -1 when the slot is free */
  fin_time since;
  size_t len;
  char line[CONTROL_LINE];
};

struct control {
  struct netcli *cli;
  int fd;
  bool attached; /* in the runtime's epoll set */
  char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  struct control_client clients[CONTROL_CLIENTS];
};

void control_default_dir(char *buf, size_t cap) {
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  if (xdg != NULL && xdg[0] == '/')
    snprintf(buf, cap, "%s/fin", xdg);
  else
    snprintf(buf, cap, "/run/fin");
}

static int control_fail(const struct control *ctl, const char *what, int err) {
  fprintf(stderr, "fin %s: --control: %s: %s\n", ctl->cli->cmd, what, strerror(err));
  return -err;
}

/* A socket file that refuses connections belongs to a process that is gone. */
static bool control_stale(const struct sockaddr_un *a) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  bool stale = connect(fd, (const struct sockaddr *)a, sizeof(*a)) < 0 && errno == ECONNREFUSED;
  close(fd);
  return stale;
}

static int control_bind(struct control *ctl) {
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  memcpy(a.sun_path, ctl->path, sizeof(a.sun_path));
  ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (ctl->fd < 0)
    return control_fail(ctl, "socket", errno);
  mode_t old = umask(077); /* only the owner (root) may inspect or kill connections */
  int r = bind(ctl->fd, (struct sockaddr *)&a, sizeof(a));
  if (r < 0 && errno == EADDRINUSE && control_stale(&a) && unlink(ctl->path) == 0)
    r = bind(ctl->fd, (struct sockaddr *)&a, sizeof(a));
  int err = errno;
  umask(old);
  if (r < 0)
    return control_fail(ctl, ctl->path, err == EADDRINUSE ? EADDRINUSE : err);
  if (listen(ctl->fd, CONTROL_CLIENTS) < 0)
    return control_fail(ctl, ctl->path, errno);
  return 0;
}

static int control_set_path(struct control *ctl, const char *path) {
  char dir[256];
  int n;
  if (path != NULL) {
    n = snprintf(ctl->path, sizeof(ctl->path), "%s", path);
  } else {
    control_default_dir(dir, sizeof(dir));
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
      return control_fail(ctl, dir, errno);
    n = snprintf(ctl->path, sizeof(ctl->path), "%s/%ld.sock", dir, (long)getpid());
  }
  if (n < 0 || (size_t)n >= sizeof(ctl->path))
    return control_fail(ctl, "path too long for a unix socket", ENAMETOOLONG);
  return 0;
}

int control_open(struct control **out, const char *path, struct netcli *c) {
  struct control *ctl = calloc(1, sizeof(*ctl));
  if (ctl == NULL)
    return -ENOMEM;
  ctl->cli = c;
  ctl->fd = -1;
  for (int i = 0; i < CONTROL_CLIENTS; i++)
    ctl->clients[i].fd = -1;
  int r = control_set_path(ctl, path);
  if (r == 0)
    r = control_bind(ctl);
  if (r < 0) {
    if (ctl->fd >= 0)
      close(ctl->fd);
    free(ctl);
    return r;
  }
  *out = ctl;
  return 0;
}

int control_attach(struct control *ctl) {
  int r = fin_runtime_watch(ctl->cli->rt, ctl->fd);
  if (r < 0)
    control_fail(ctl, "watch", -r);
  ctl->attached = r == 0;
  return r;
}

const char *control_path(const struct control *ctl) {
  return ctl->path;
}

static void client_drop(struct control *ctl, struct control_client *k) {
  fin_runtime_unwatch(ctl->cli->rt, k->fd);
  close(k->fd);
  k->fd = -1;
}

/* The reply goes out in one blocking write with a timeout: a client that
 * does not read costs us at most that long, once. */
static void client_reply(struct control *ctl, struct control_client *k, const char *text,
                         size_t len) {
  struct timeval tv = {.tv_sec = 2};
  int fl = fcntl(k->fd, F_GETFL);
  if (fl >= 0)
    fcntl(k->fd, F_SETFL, fl & ~O_NONBLOCK);
  setsockopt(k->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  while (len > 0) {
    ssize_t n = send(k->fd, text, len, MSG_NOSIGNAL);
    if (n <= 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    text += n;
    len -= (size_t)n;
  }
  client_drop(ctl, k);
}

static void client_answer(struct control *ctl, struct control_client *k) {
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  if (out == NULL) {
    client_reply(ctl, k, "error: out of memory\n", 21);
    return;
  }
  control_answer(ctl->cli, k->line, out);
  fclose(out);
  client_reply(ctl, k, text, len);
  free(text);
}

/* Reads what a client sent; answers once the request line is complete. */
static void client_read(struct control *ctl, struct control_client *k) {
  ssize_t n = recv(k->fd, k->line + k->len, sizeof(k->line) - 1 - k->len, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0) {
    client_drop(ctl, k);
    return;
  }
  k->len += (size_t)n;
  k->line[k->len] = '\0';
  char *nl = strchr(k->line, '\n');
  if (nl != NULL) {
    *nl = '\0';
    client_answer(ctl, k);
  } else if (k->len == sizeof(k->line) - 1) {
    client_reply(ctl, k, "error: request too long\n", 24);
  }
}

static void control_accept(struct control *ctl, fin_time now) {
  int fd;
  while ((fd = accept4(ctl->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
    struct control_client *k = NULL;
    for (int i = 0; i < CONTROL_CLIENTS && k == NULL; i++)
      if (ctl->clients[i].fd < 0)
        k = &ctl->clients[i];
    if (k == NULL || fin_runtime_watch(ctl->cli->rt, fd) < 0) {
      (void)!send(fd, "error: busy\n", 12, MSG_NOSIGNAL | MSG_DONTWAIT);
      close(fd);
      continue;
    }
    *k = (struct control_client){.fd = fd, .since = now};
    client_read(ctl, k); /* the request is often there already */
  }
}

void control_service(struct control *ctl) {
  fin_time now = fin_clock_now();
  control_accept(ctl, now);
  for (int i = 0; i < CONTROL_CLIENTS; i++) {
    struct control_client *k = &ctl->clients[i];
    if (k->fd >= 0)
      client_read(ctl, k);
    if (k->fd >= 0 && now - k->since > CONTROL_IDLE)
      client_drop(ctl, k);
  }
}

void control_close(struct control *ctl) {
  if (ctl == NULL)
    return;
  for (int i = 0; i < CONTROL_CLIENTS; i++)
    if (ctl->clients[i].fd >= 0)
      client_drop(ctl, &ctl->clients[i]);
  if (ctl->fd >= 0) {
    if (ctl->attached)
      fin_runtime_unwatch(ctl->cli->rt, ctl->fd);
    close(ctl->fd);
  }
  unlink(ctl->path);
  free(ctl);
}
