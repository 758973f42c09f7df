/* SPDX-License-Identifier: MIT */
/* fin — the Linux TUN driver: a layer-3 device (IFF_TUN | IFF_NO_PI), so
 * every read and write is one bare IPv4 datagram. Non-blocking; its fd goes
 * into the runtime's epoll set. The kernel side of the device (address,
 * route, link up) is configured with iproute2: fin only attaches to it.
 * Opening /dev/net/tun needs CAP_NET_ADMIN (or a persistent device owned by
 * the user: `ip tuntap add dev fin0 mode tun user NAME`). */
#ifndef FIN_TUN_H
#define FIN_TUN_H

#include <stddef.h>

#include "fin/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

struct fin_tun;

/* Attaches to (or creates) the TUN device ifname ("fin0", or a pattern like
 * "fin%d"). 0, -EINVAL (name too long), -ENOMEM, or the errno of the step
 * that failed (-ENOENT: no /dev/net/tun; -EPERM: no CAP_NET_ADMIN; -EBUSY:
 * the device is attached elsewhere). On failure err (errlen bytes, may be
 * 0) holds a message naming that step and *out is untouched. */
int fin_tun_open(struct fin_tun **out, const char *ifname, char *err, size_t errlen);
/* Closes the fd and frees tun (NULL is a no-op). A runtime using its driver
 * must be freed first. */
void fin_tun_close(struct fin_tun *tun);
/* The device name the kernel gave (the pattern expanded). Owned by tun. */
const char *fin_tun_name(const struct fin_tun *tun);
/* Fills drv with this device's operations for fin_runtime_new (valid until
 * fin_tun_close). recv returns 0 when nothing is ready; send of a datagram
 * the device refuses returns its errno, which the runtime counts as a loss. */
void fin_tun_driver(struct fin_tun *tun, struct fin_driver *drv);

#ifdef __cplusplus
}
#endif
#endif
