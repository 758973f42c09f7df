/* SPDX-License-Identifier: MIT */
/* HTTP GET over a TUN device with fin's blocking helpers: fin is the
 * client, at ADDR on the TUN device's subnet; the server is any program on
 * the kernel's side of the device (curl's peer, python3 -m http.server).
 *
 *   http_get_tun TUN ADDR HOST PORT PATH      e.g.  fin0 10.77.0.2 10.77.0.1 8080 /
 *
 * Prints the whole response (status line, headers, body) on stdout and
 * exits 0 when the server answered and the connection ended gracefully.
 * Needs CAP_NET_ADMIN for /dev/net/tun; run it inside a network namespace
 * (docs/runtime.md, "Use it with real programs"; examples/http_get_tun.sh).
 *
 * Build against an installed fin: cc http_get_tun.c $(pkg-config --cflags --libs fin) */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fin/fin.h"

#define TIMEOUT FIN_SEC(10)

static int parse_addr(const char *text, uint32_t *out) {
  struct in_addr a;
  if (inet_pton(AF_INET, text, &a) != 1)
    return -1;
  *out = ntohl(a.s_addr);
  return 0;
}

static int get(struct fin_runtime *rt, uint32_t host, uint16_t port, const char *host_name,
               const char *path) {
  struct fin_stack *st = fin_runtime_stack(rt);
  fin_sock s = fin_socket(st);
  struct fin_sockaddr dst = {.addr = host, .port = port};
  int r = fin_rt_connect(rt, s, &dst, TIMEOUT);
  if (r < 0) {
    fprintf(stderr, "http_get_tun: connect: %s\n", fin_strerror(r));
    return 1;
  }
  char req[512];
  int n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: fin/%s\r\n\r\n",
                   path, host_name, fin_version());
  if (n < 0 || (size_t)n >= sizeof(req) || fin_rt_send_all(rt, s, req, (size_t)n, TIMEOUT) != n) {
    fprintf(stderr, "http_get_tun: the request could not be sent\n");
    return 1;
  }
  /* HTTP/1.0: the server closes after the response; EOF ends it. */
  char buf[4096];
  ssize_t got;
  size_t total = 0;
  while ((got = fin_rt_recv(rt, s, buf, sizeof(buf), TIMEOUT)) > 0) {
    fwrite(buf, 1, (size_t)got, stdout);
    total += (size_t)got;
  }
  if (got < 0)
    fprintf(stderr, "http_get_tun: recv: %s\n", fin_strerror((int)got));
  r = fin_rt_close(rt, s, TIMEOUT);
  fprintf(stderr, "http_get_tun: %zu bytes, then EOF; close: %s\n", total, fin_strerror(r));
  return got == 0 && total > 0 && r == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  uint32_t addr, host;
  if (argc != 6 || parse_addr(argv[2], &addr) < 0 || parse_addr(argv[3], &host) < 0 ||
      atoi(argv[4]) <= 0 || atoi(argv[4]) > 65535) {
    fprintf(stderr, "usage: http_get_tun TUN ADDR HOST PORT PATH\n");
    return 2;
  }
  char err[256] = "";
  struct fin_tun *tun;
  int r = fin_tun_open(&tun, argv[1], err, sizeof(err));
  if (r < 0) {
    fprintf(stderr, "http_get_tun: %s\n", err);
    return 1;
  }
  struct fin_driver drv;
  fin_tun_driver(tun, &drv);
  struct fin_settings s;
  fin_settings_default(&s);
  s.local_addrs[0] = addr;
  s.local_addr_count = 1;
  struct fin_runtime *rt;
  if ((r = fin_runtime_new(&rt, &s, &drv)) < 0) {
    fprintf(stderr, "http_get_tun: runtime: %s\n", fin_strerror(r));
    fin_tun_close(tun);
    return 1;
  }
  int status = get(rt, host, (uint16_t)atoi(argv[4]), argv[3], argv[5]);
  /* BEHAVIOR K2: an orderly end; the server closed first, so no TIME-WAIT here. */
  fin_runtime_shutdown(rt, FIN_SEC(2));
  fin_runtime_free(rt);
  fin_tun_close(tun);
  return status;
}
