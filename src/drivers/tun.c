/* SPDX-License-Identifier: MIT */
#include "fin/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct fin_tun {
  int fd;
  char name[IFNAMSIZ];
};

int fin_tun_open(struct fin_tun **out, const char *ifname, char *err, size_t errlen) {
  if (ifname == NULL || strlen(ifname) >= IFNAMSIZ) {
    snprintf(err, errlen, "interface name too long");
    return -EINVAL;
  }
  struct fin_tun *tun = calloc(1, sizeof(*tun));
  if (tun == NULL)
    return -ENOMEM;
  tun->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (tun->fd < 0) {
    int e = errno;
    snprintf(err, errlen, "/dev/net/tun: %s", strerror(e));
    free(tun);
    return -e;
  }
  /* IFF_NO_PI: no 4-byte packet-information prefix, the datagram starts at
   * byte 0. IPv4 and IPv6 share the device: without the prefix the kernel
   * takes the protocol of what we write from the version nibble (4 or 6), and
   * what we read is a bare IPv4 or IPv6 datagram, whose first nibble
   * fin_stack_input dispatches on. */
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  memcpy(ifr.ifr_name, ifname, strlen(ifname));
  if (ioctl(tun->fd, TUNSETIFF, &ifr) < 0) {
    int e = errno;
    snprintf(err, errlen, "TUNSETIFF %s: %s", ifname, strerror(e));
    fin_tun_close(tun);
    return -e;
  }
  memcpy(tun->name, ifr.ifr_name, IFNAMSIZ);
  tun->name[IFNAMSIZ - 1] = '\0';
  *out = tun;
  return 0;
}

void fin_tun_close(struct fin_tun *tun) {
  if (tun == NULL)
    return;
  close(tun->fd);
  free(tun);
}

const char *fin_tun_name(const struct fin_tun *tun) {
  return tun->name;
}

static ssize_t tun_recv(void *ctx, uint8_t *buf, size_t cap, fin_time now) {
  struct fin_tun *tun = ctx;
  (void)now;
  ssize_t n = read(tun->fd, buf, cap);
  if (n >= 0)
    return n;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
    return 0;
  return -errno;
}

static int tun_send(void *ctx, const uint8_t *buf, size_t len, fin_time now) {
  struct fin_tun *tun = ctx;
  (void)now;
  ssize_t n = write(tun->fd, buf, len);
  if (n < 0)
    return -errno;
  return (size_t)n == len ? 0 : -EIO;
}

static int tun_fd(void *ctx) {
  return ((struct fin_tun *)ctx)->fd;
}

void fin_tun_driver(struct fin_tun *tun, struct fin_driver *drv) {
  memset(drv, 0, sizeof(*drv));
  drv->recv = tun_recv;
  drv->send = tun_send;
  drv->fd = tun_fd;
  drv->ctx = tun;
}
