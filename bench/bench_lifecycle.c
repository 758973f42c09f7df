/* SPDX-License-Identifier: MIT */
/* bench_lifecycle: full TCP lifecycles (handshake, 1 KB request, 1 KB
 * reply, graceful close by the client, TIME-WAIT) per second.
 *   fin:   two fin stacks back to back in this process (virtual time);
 *   linux: the kernel over 127.0.0.1 (connect/accept/write/read/close);
 * with --ipv6, fin over fd00::1/fd00::2 and the kernel over ::1.
 * Same work, same process, one run: the ratio is what to read; absolute
 * numbers move with the machine. Also prints memory per established
 * connection and per TIME-WAIT record. Usage: bench_lifecycle [N [fin]] [--ipv6]:
 * "fin" skips the kernel run (for callgrind: instructions per lifecycle). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fin/fin.h"

static void *b_alloc(void *ctx, size_t n) {
  (void)ctx;
  return malloc(n);
}
static void b_free(void *ctx, void *p, size_t n) {
  (void)ctx;
  (void)n;
  free(p);
}
static void b_rand(void *ctx, void *buf, size_t len) {
  uint64_t *s = ctx;
  for (size_t i = 0; i < len; i++) {
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    ((uint8_t *)buf)[i] = (uint8_t)(*s >> 56);
  }
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct pair {
  struct fin_stack *st[2];
  uint64_t seed[2];
  fin_time now;
  uint8_t buf[2048];
};

static void pump(struct pair *p) {
  for (int moved = 1; moved;) {
    moved = 0;
    for (int i = 0; i < 2; i++) {
      size_t n;
      while ((n = fin_stack_output(p->st[i], p->buf, sizeof(p->buf), p->now)) > 0) {
        fin_stack_input(p->st[1 - i], p->buf, n, p->now);
        moved = 1;
      }
    }
    p->now += 100000; /* 100 us per hop */
  }
}

static bool ipv6;

/* Host i's address (i = 0 client, 1 server), or the wildcard (i < 0). */
static struct fin_addr host_addr(int i) {
  if (!ipv6)
    return fin_addr_v4(i < 0 ? 0 : 0x0a000001u + (uint32_t)i);
  uint8_t b[16] = {0};
  if (i >= 0) {
    b[0] = 0xfd;
    b[15] = (uint8_t)(i + 1);
  }
  return fin_addr_v6(b);
}

static struct fin_sockaddr host_sockaddr(int i, uint16_t port) {
  struct fin_sockaddr a = {host_addr(i), port, ipv6 ? FIN_AF_INET6 : FIN_AF_INET};
  return a;
}

static void fin_setup(struct pair *p, uint32_t tw_cap) {
  memset(p, 0, sizeof(*p));
  p->now = FIN_SEC(1);
  for (int i = 0; i < 2; i++) {
    struct fin_settings s;
    fin_settings_default(&s);
    s.local_addrs[0] = host_addr(i);
    s.local_addr_count = 1;
    s.event_mask = 0;
    s.max_time_wait = tw_cap;
    s.ephemeral_port_min = 1024;
    s.ephemeral_port_max = 65535;
    struct fin_allocator a = {b_alloc, b_free, NULL};
    p->seed[i] = 1 + (uint64_t)i;
    struct fin_random r = {b_rand, &p->seed[i]};
    if (fin_stack_new(&p->st[i], &s, &a, &r, p->now) != 0)
      exit(1);
  }
}

static int fin_lifecycle(struct pair *p, fin_sock l) {
  static char msg[1024];
  fin_sock c = fin_socket(p->st[0]);
  struct fin_sockaddr dst = host_sockaddr(1, 80);
  if (fin_connect(p->st[0], c, &dst) != -EINPROGRESS)
    return -1;
  pump(p);
  fin_sock s = fin_accept(p->st[1], l, NULL);
  if (s < 0)
    return -1;
  fin_send(p->st[0], c, msg, sizeof(msg), 0);
  pump(p);
  char in[2048];
  if (fin_recv(p->st[1], s, in, sizeof(in), 0) != (ssize_t)sizeof(msg))
    return -1;
  fin_send(p->st[1], s, msg, sizeof(msg), 0);
  pump(p);
  if (fin_recv(p->st[0], c, in, sizeof(in), 0) != (ssize_t)sizeof(msg))
    return -1;
  fin_close(p->st[0], c);
  pump(p);
  fin_close(p->st[1], s);
  pump(p);
  return 0;
}

static double bench_fin(int n) {
  struct pair p;
  fin_setup(&p, 1u << 20);
  fin_sock l = fin_socket(p.st[1]);
  struct fin_sockaddr any = host_sockaddr(-1, 80);
  fin_bind(p.st[1], l, &any);
  fin_listen(p.st[1], l, 128);
  double t0 = now_s();
  for (int i = 0; i < n; i++)
    if (fin_lifecycle(&p, l) != 0) {
      fprintf(stderr, "fin lifecycle %d failed\n", i);
      exit(1);
    }
  double dt = now_s() - t0;
  size_t tw = fin_stack_time_wait_count(p.st[0]);
  size_t mem = fin_stack_memory_in_use(p.st[0]);
  printf("%s ", ipv6 ? "IPv6" : "IPv4");
  printf("fin:   %d lifecycles in %.3f s = %.0f/s; client holds %zu TIME-WAIT records in %zu "
         "bytes of stack memory (%.1f B/record incl. tables)\n",
         n, dt, n / dt, tw, mem, tw ? (double)mem / (double)tw : 0.0);
  fin_stack_free(p.st[0]);
  fin_stack_free(p.st[1]);
  return n / dt;
}

static double bench_linux(int n) {
  int fam = ipv6 ? AF_INET6 : AF_INET;
  int l = socket(fam, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_storage a;
  memset(&a, 0, sizeof(a));
  if (ipv6) {
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&a;
    a6->sin6_family = AF_INET6;
    a6->sin6_addr = in6addr_loopback;
  } else {
    struct sockaddr_in *a4 = (struct sockaddr_in *)&a;
    a4->sin_family = AF_INET;
    a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  socklen_t al = ipv6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  if (bind(l, (struct sockaddr *)&a, al) != 0 || listen(l, 128) != 0)
    return 0;
  getsockname(l, (struct sockaddr *)&a, &al);
  static char msg[1024], in[2048];
  double t0 = now_s();
  int done = 0;
  for (int i = 0; i < n; i++) {
    int c = socket(fam, SOCK_STREAM, 0);
    if (connect(c, (struct sockaddr *)&a, al) != 0) {
      close(c);
      break; /* ephemeral ports exhausted by TIME-WAIT: stop counting here */
    }
    int s = accept(l, NULL, NULL);
    if (write(c, msg, sizeof(msg)) < 0 || read(s, in, sizeof(in)) < 0 ||
        write(s, msg, sizeof(msg)) < 0 || read(c, in, sizeof(in)) < 0)
      break;
    close(c);
    close(s);
    done++;
  }
  double dt = now_s() - t0;
  close(l);
  printf("linux: %d lifecycles in %.3f s = %.0f/s (kernel loopback %s, same work)\n", done, dt,
         done / dt, ipv6 ? "::1" : "127.0.0.1");
  return done / dt;
}

int main(int argc, char **argv) {
  int n = 20000;
  bool fin_only = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--ipv6") == 0)
      ipv6 = true;
    else if (strcmp(argv[i], "fin") == 0)
      fin_only = true;
    else
      n = atoi(argv[i]);
  }
  printf("sizes: TCB %zu B, TIME-WAIT record %zu B IPv4, %zu B IPv6 (Linux: ~2 KB tcp_sock, ~250 B "
         "tw sock)\n",
         fin_tcb_size(), fin_time_wait_record_size(), fin_time_wait_record_size_v6());
  double f = bench_fin(n);
  if (fin_only)
    return 0; /* for callgrind: instructions per fin lifecycle */
  double k = bench_linux(n);
  if (k > 0)
    printf("ratio fin/linux lifecycles per second: %.2f\n", f / k);
  return 0;
}
