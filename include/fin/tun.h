/* SPDX-License-Identifier: MIT */
/** @file fin/tun.h
 * @brief The Linux TUN driver (libfin_net): a layer-3 device (IFF_TUN | IFF_NO_PI), so
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

/** An attached TUN device (opaque). */
struct fin_tun;

/** Attaches to (or creates) a TUN device.
 * @param out the device, written on success; close it with fin_tun_close()
 * @param ifname "fin0", or a pattern like "fin%d"
 * @param err on failure, a message naming the step that failed (may be NULL
 *        when errlen is 0)
 * @param errlen size of err
 * @retval 0 attached
 * @retval -EINVAL name too long
 * @retval -ENOMEM out of memory
 * @retval -ENOENT no /dev/net/tun
 * @retval -EPERM no CAP_NET_ADMIN
 * @retval -EBUSY the device is attached elsewhere
 * @retval <0 the errno of another step that failed (*out untouched) */
int fin_tun_open(struct fin_tun **out, const char *ifname, char *err, size_t errlen);
/** Closes the fd and frees the device handle (the kernel device stays
 * unless it was created non-persistent by fin_tun_open()). A runtime using
 * its driver must be freed first.
 * @param tun the device, or NULL (no-op) */
void fin_tun_close(struct fin_tun *tun);
/** The device name the kernel gave (the pattern expanded).
 * @param tun the device
 * @return the name, owned by tun */
const char *fin_tun_name(const struct fin_tun *tun);
/** This device's operations for fin_runtime_new(): recv returns 0 when
 * nothing is ready; send of a datagram the device refuses returns its errno,
 * which the runtime counts as a loss.
 * @param tun the device
 * @param drv filled; valid until fin_tun_close() */
void fin_tun_driver(struct fin_tun *tun, struct fin_driver *drv);

#ifdef __cplusplus
}
#endif
#endif
