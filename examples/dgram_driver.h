/* SPDX-License-Identifier: MIT */
/* A fin driver over a datagram socket: each read and write is one IPv4
 * datagram. With socketpair(AF_UNIX, SOCK_DGRAM) it joins two runtimes in
 * one process, which the examples use in place of a TUN device. A driver is
 * four functions (include/fin/runtime.h): recv never blocks (0 = nothing
 * ready), send reports a full queue as an error (the stack sees a loss),
 * fd is what the runtime waits on. */
#ifndef FIN_EXAMPLE_DGRAM_DRIVER_H
#define FIN_EXAMPLE_DGRAM_DRIVER_H

#include <errno.h>
#include <sys/socket.h>

#include "fin/fin.h"

static ssize_t dgram_recv(void *ctx, uint8_t *buf, size_t cap, fin_time now) {
  (void)now;
  ssize_t n = recv(*(int *)ctx, buf, cap, MSG_DONTWAIT);
  if (n >= 0)
    return n;
  return errno == EAGAIN || errno == EINTR ? 0 : -errno;
}

static int dgram_send(void *ctx, const uint8_t *buf, size_t len, fin_time now) {
  (void)now;
  return send(*(int *)ctx, buf, len, MSG_DONTWAIT) < 0 ? -errno : 0;
}

static int dgram_fd(void *ctx) {
  return *(int *)ctx;
}

/* A runtime for address addr over the socket *fd (which must outlive it). */
static int dgram_runtime(struct fin_runtime **rt, int *fd, uint32_t addr) {
  struct fin_driver d = {.recv = dgram_recv, .send = dgram_send, .fd = dgram_fd, .ctx = fd};
  struct fin_settings s;
  fin_settings_default(&s);
  s.local_addrs[0] = addr;
  s.local_addr_count = 1;
  s.msl = FIN_MS(50); /* a short TIME-WAIT so the example ends quickly */
  return fin_runtime_new(rt, &s, &d);
}

#endif
