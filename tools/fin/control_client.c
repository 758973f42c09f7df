/* SPDX-License-Identifier: MIT */
/* The client side of the control socket (control.h): finds the socket of
 * the fin process meant, sends one request line, copies the reply. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "control.h"

/* A PID.sock in the default directory whose process is alive. */
static bool live_socket(const char *name, long *pid) {
  char *end;
  long p = strtol(name, &end, 10);
  if (end == name || strcmp(end, ".sock") != 0 || p <= 0)
    return false;
  *pid = p;
  return kill((pid_t)p, 0) == 0 || errno == EPERM;
}

/* With neither --control nor --pid: the one live fin, or say why not. */
static int find_default(const char *cmd, char *path, size_t cap) {
  char dir[256];
  control_default_dir(dir, sizeof(dir));
  DIR *d = opendir(dir);
  long found = 0, pid, count = 0;
  char others[128] = "";
  for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
    if (!live_socket(e->d_name, &pid))
      continue;
    if (count++ == 0)
      found = pid;
    size_t len = strlen(others);
    snprintf(others + len, sizeof(others) - len, "%s%ld", len ? ", " : "", pid);
  }
  if (d != NULL)
    closedir(d);
  if (count == 0) {
    fprintf(stderr, "fin %s: no running fin serve or fin connect in %s (--control PATH)\n", cmd,
            dir);
    return 1;
  }
  if (count > 1) {
    fprintf(stderr, "fin %s: %ld fin processes (pids %s): choose one with --pid or --control\n",
            cmd, count, others);
    return CLI_USAGE;
  }
  snprintf(path, cap, "%s/%ld.sock", dir, found);
  return 0;
}

/* The connected fd, or the exit status: 2 when the path does not exist
 * (a missing file named on the command line), 1 when nobody answers. */
static int dial(const char *cmd, const char *path, int *fd_out) {
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof(a.sun_path)) {
    fprintf(stderr, "fin %s: --control: %s: path too long\n", cmd, path);
    return CLI_USAGE;
  }
  memcpy(a.sun_path, path, strlen(path) + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
    *fd_out = fd;
    return 0;
  }
  int err = errno;
  if (err == ECONNREFUSED)
    fprintf(stderr, "fin %s: %s: no fin process behind it (it has exited)\n", cmd, path);
  else
    fprintf(stderr, "fin %s: %s: %s\n", cmd, path, strerror(err));
  if (fd >= 0)
    close(fd);
  return err == ENOENT || err == ENOTDIR ? CLI_USAGE : 1;
}

/* Reads the whole reply (the server closes after it). */
static char *read_reply(int fd, size_t *len) {
  size_t cap = 4096;
  char *buf = malloc(cap + 1);
  *len = 0;
  while (buf != NULL) {
    if (*len == cap) {
      char *b = realloc(buf, cap * 2 + 1);
      if (b == NULL)
        break;
      buf = b;
      cap *= 2;
    }
    ssize_t n = read(fd, buf + *len, cap - *len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    *len += (size_t)n;
  }
  if (buf != NULL)
    buf[*len] = '\0';
  return buf;
}

static int show_reply(const char *cmd, const char *reply, size_t len) {
  if (len >= 3 && strncmp(reply, "ok\n", 3) == 0) {
    fwrite(reply + 3, 1, len - 3, stdout);
    return 0;
  }
  if (strncmp(reply, "error: ", 7) == 0)
    fprintf(stderr, "fin %s: %s", cmd, reply + 7);
  else
    fprintf(stderr, "fin %s: no reply from the fin process\n", cmd);
  return 1;
}

int control_request(const char *cmd, const char *path, long pid, const char *request) {
  char found[300];
  if (path == NULL && pid > 0) {
    char dir[256];
    control_default_dir(dir, sizeof(dir));
    snprintf(found, sizeof(found), "%s/%ld.sock", dir, pid);
    path = found;
    if (access(path, F_OK) != 0) {
      fprintf(stderr, "fin %s: no fin process %ld (no %s)\n", cmd, pid, path);
      return 1;
    }
  } else if (path == NULL) {
    int r = find_default(cmd, found, sizeof(found));
    if (r != 0)
      return r;
    path = found;
  }
  int fd, r = dial(cmd, path, &fd);
  if (r != 0)
    return r;
  size_t rlen = strlen(request);
  bool sent = write(fd, request, rlen) == (ssize_t)rlen && write(fd, "\n", 1) == 1;
  size_t len = 0;
  char *reply = sent ? read_reply(fd, &len) : NULL;
  close(fd);
  int code = reply != NULL ? show_reply(cmd, reply, len) : 1;
  if (reply == NULL)
    fprintf(stderr, "fin %s: %s: %s\n", cmd, path, strerror(errno));
  free(reply);
  return code;
}
