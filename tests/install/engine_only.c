/* SPDX-License-Identifier: MIT */
/* An embedder's program that uses the engine alone: its own allocator and
 * randomness, no runtime, no OS calls from fin. It opens a socket, starts a
 * connection, and prints the SYN fin wants to send. Built by
 * tests/install/run.sh against an installed fin (strict C11, static libfin). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fin/engine.h"

static void *my_alloc(void *ctx, size_t size) {
  (void)ctx;
  return malloc(size ? size : 1);
}

static void my_release(void *ctx, void *ptr, size_t size) {
  (void)ctx;
  (void)size;
  free(ptr);
}

/* Not random: fine for this check, never for a real stack (RFC 6528). */
static void my_fill(void *ctx, void *buf, size_t len) {
  (void)ctx;
  memset(buf, 0x5a, len);
}

int main(void) {
  struct fin_allocator a = {my_alloc, my_release, NULL};
  struct fin_random r = {my_fill, NULL};
  struct fin_settings s;
  fin_settings_default(&s);
  s.local_addrs[0] = 0x0a000001u;
  s.local_addr_count = 1;
  struct fin_stack *st;
  if (fin_stack_new(&st, &s, &a, &r, FIN_SEC(1)) != 0)
    return 1;
  fin_sock c = fin_socket(st);
  struct fin_sockaddr dst = {0x0a000002u, 80};
  int rc = fin_connect(st, c, &dst);
  int due = fin_stack_next_deadline(st) == fin_stack_now(st);
  uint8_t buf[1500];
  size_t n = fin_stack_output(st, buf, sizeof(buf), FIN_SEC(1));
  struct fin_segment seg;
  int ok = rc == -EINPROGRESS && due && n > 0 && fin_tcp_parse(buf, n, &seg) == FIN_WIRE_OK &&
           seg.flags == FIN_TCP_SYN;
  printf("fin %s (headers %s): connect %s, SYN due at once: %s, %zu-byte SYN\n", fin_version(),
         FIN_VERSION_STRING, fin_strerror(rc), due ? "yes" : "no", n);
  fin_stack_free(st);
  return ok && strcmp(fin_version(), FIN_VERSION_STRING) == 0 ? 0 : 1;
}
