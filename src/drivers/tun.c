/* SPDX-License-Identifier: MIT */
#include "fin/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fin/wire.h"

struct fin_tun {
  int fd;
  bool offload; /* IFF_VNET_HDR: every read and write starts with a virtio_net_hdr */
  char name[IFNAMSIZ];
  struct fin_tun_stats stats;
};

/* TUNSETOFFLOAD: the kernel may hand us TCP super-segments (GRO, its own
 * TSO) with a partial checksum, and takes ours to cut (Documentation/
 * networking/tuntap.rst). IFF_VNET_HDR alone changes nothing else. The
 * setting belongs to the device, not the fd: without offload it is cleared
 * on open, or a reader without a virtio header would get partial checksums
 * (and super-segments) that a persistent device kept from an earlier run. */
static int tun_offload(struct fin_tun *tun, char *err, size_t errlen) {
  if (ioctl(tun->fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) < 0) {
    int e = errno;
    snprintf(err, errlen, "TUNSETOFFLOAD %s: %s", tun->name, strerror(e));
    return -e;
  }
  tun->offload = true;
  return 0;
}

int fin_tun_open(struct fin_tun **out, const char *ifname, char *err, size_t errlen) {
  return fin_tun_open_flags(out, ifname, 0, err, errlen);
}

int fin_tun_open_flags(struct fin_tun **out, const char *ifname, unsigned flags, char *err,
                       size_t errlen) {
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
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | ((flags & FIN_TUN_OFFLOAD) ? IFF_VNET_HDR : 0);
  memcpy(ifr.ifr_name, ifname, strlen(ifname));
  if (ioctl(tun->fd, TUNSETIFF, &ifr) < 0) {
    int e = errno;
    snprintf(err, errlen, "TUNSETIFF %s: %s", ifname, strerror(e));
    fin_tun_close(tun);
    return -e;
  }
  memcpy(tun->name, ifr.ifr_name, IFNAMSIZ);
  tun->name[IFNAMSIZ - 1] = '\0';
  int r = 0;
  if (flags & FIN_TUN_OFFLOAD)
    r = tun_offload(tun, err, errlen);
  else /* the device's features outlive the fd: another opener may have set them */
    (void)ioctl(tun->fd, TUNSETOFFLOAD, 0UL);
  if (r < 0) {
    fin_tun_close(tun);
    return r;
  }
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

static ssize_t tun_read_errno(void) {
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
    return 0;
  return -errno;
}

static ssize_t tun_recv(void *ctx, uint8_t *buf, size_t cap, fin_time now) {
  struct fin_tun *tun = ctx;
  (void)now;
  ssize_t n = read(tun->fd, buf, cap);
  if (n < 0)
    return tun_read_errno();
  tun->stats.rx_reads++;
  return n;
}

/* With IFF_VNET_HDR: a datagram the kernel did not finish. NEEDS_CSUM is a
 * partial checksum (the pseudo-header sum) that we complete, as a device
 * would; a GSO type is a received super-segment (GRO or the kernel's own
 * TSO), passed whole: fin_stack_input takes a segment longer than the MSS
 * as the segments it joins (RFC 9293 sets no upper bound on a received
 * segment; the window trims it). */
static ssize_t tun_recv_vnet(void *ctx, uint8_t *buf, size_t cap, fin_time now) {
  struct fin_tun *tun = ctx;
  (void)now;
  struct virtio_net_hdr h;
  struct iovec iov[2] = {{&h, sizeof(h)}, {buf, cap}};
  ssize_t n = readv(tun->fd, iov, 2);
  if (n < 0)
    return tun_read_errno();
  if ((size_t)n < sizeof(h))
    return 0;
  n -= (ssize_t)sizeof(h);
  tun->stats.rx_reads++;
  if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE)
    tun->stats.rx_super++;
  if ((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
      fin_csum_complete(buf, (size_t)n, h.csum_start, h.csum_offset) == 0)
    tun->stats.rx_csum_completed++;
  return n;
}

static int tun_write_result(ssize_t n, size_t len) {
  if (n < 0)
    return -errno;
  return (size_t)n == len ? 0 : -EIO;
}

static int tun_send(void *ctx, const uint8_t *buf, size_t len, fin_time now) {
  struct fin_tun *tun = ctx;
  (void)now;
  tun->stats.tx_writes++;
  tun->stats.tx_pieces++;
  return tun_write_result(write(tun->fd, buf, len), len);
}

/* A super-segment goes with a virtio_net_hdr saying how to cut it: TCP
 * over IPv4 or IPv6, gso_size payload bytes a piece, the headers hdr_len
 * long; the checksum is left partial (NEEDS_CSUM: the pseudo-header sum at
 * csum_start + 16), which the kernel completes per piece. gso_size 0 is a
 * datagram as it is, its checksum complete. */
static int tun_send_gso(void *ctx, uint8_t *dg, size_t len, uint16_t gso_size, fin_time now) {
  struct fin_tun *tun = ctx;
  (void)now;
  struct virtio_net_hdr h;
  memset(&h, 0, sizeof(h));
  uint16_t start = 0;
  if (gso_size != 0 && fin_csum_partial_tcp(dg, len, &start) == 0) {
    h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    h.gso_type = (dg[0] >> 4) == 6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
    h.gso_size = gso_size;
    h.hdr_len = (uint16_t)(start + (dg[start + 12] >> 4) * 4);
    h.csum_start = start;
    h.csum_offset = 16; /* RFC 9293 §3.1: the TCP checksum field */
    tun->stats.tx_super++;
    tun->stats.tx_pieces += fin_gso_count(dg, len, gso_size);
  } else {
    tun->stats.tx_pieces++;
  }
  struct iovec iov[2] = {{&h, sizeof(h)}, {dg, len}};
  tun->stats.tx_writes++;
  return tun_write_result(writev(tun->fd, iov, 2), sizeof(h) + len);
}

/* Without offload every write is a datagram; a vnet header says nothing. */
static int tun_send_vnet(void *ctx, const uint8_t *buf, size_t len, fin_time now) {
  struct fin_tun *tun = ctx;
  (void)now;
  struct virtio_net_hdr h;
  memset(&h, 0, sizeof(h));
  struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)(uintptr_t)buf, len}};
  tun->stats.tx_writes++;
  tun->stats.tx_pieces++;
  return tun_write_result(writev(tun->fd, iov, 2), sizeof(h) + len);
}

static int tun_fd(void *ctx) {
  return ((struct fin_tun *)ctx)->fd;
}

void fin_tun_driver(struct fin_tun *tun, struct fin_driver *drv) {
  memset(drv, 0, sizeof(*drv));
  drv->recv = tun->offload ? tun_recv_vnet : tun_recv;
  drv->send = tun->offload ? tun_send_vnet : tun_send;
  drv->send_gso = tun->offload ? tun_send_gso : NULL;
  drv->fd = tun_fd;
  drv->ctx = tun;
}

bool fin_tun_offload(const struct fin_tun *tun) {
  return tun->offload;
}

struct fin_tun_stats fin_tun_stats(const struct fin_tun *tun) {
  return tun->stats;
}
