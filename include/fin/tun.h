/* SPDX-License-Identifier: MIT */
/** @file fin/tun.h
 * @brief The Linux TUN driver (libfin_net): a layer-3 device (IFF_TUN | IFF_NO_PI), so
 * every read and write is one bare IPv4 or IPv6 datagram (after a
 * virtio_net_hdr with FIN_TUN_OFFLOAD). Non-blocking; its fd goes
 * into the runtime's epoll set. The kernel side of the device (address,
 * route, link up) is configured with iproute2: fin only attaches to it.
 * Opening /dev/net/tun needs CAP_NET_ADMIN (or a persistent device owned by
 * the user: `ip tuntap add dev fin0 mode tun user NAME`). */
#ifndef FIN_TUN_H
#define FIN_TUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/** fin_tun_open_flags(): segmentation offload. The device is opened with
 * IFF_VNET_HDR and TUNSETOFFLOAD (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6):
 * the runtime writes TCP super-segments (fin_stack_output_gso()) that the
 * kernel cuts, and reads the kernel's own (GRO'd or TSO) ones whole, their
 * partial checksums completed by the driver. */
#define FIN_TUN_OFFLOAD 1u

/** What the driver did (for benchmarks and tests). */
struct fin_tun_stats {
  uint64_t tx_writes;         /**< write()/writev() calls */
  uint64_t tx_pieces;         /**< segments they carried (a super-segment counts its pieces) */
  uint64_t tx_super;          /**< super-segments written (gso_size != 0) */
  uint64_t rx_reads;          /**< read()/readv() calls that returned a datagram */
  uint64_t rx_super;          /**< super-segments read (a GSO type in the vnet header) */
  uint64_t rx_csum_completed; /**< partial checksums completed on read (NEEDS_CSUM) */
};

/** fin_tun_open() with options.
 * @param out the device, written on success; close it with fin_tun_close()
 * @param ifname "fin0", or a pattern like "fin%d"
 * @param flags 0 or FIN_TUN_OFFLOAD
 * @param err on failure, a message naming the step that failed
 * @param errlen size of err
 * @retval 0 attached
 * @retval -EINVAL name too long, or a kernel without the offload asked for
 * @retval <0 as fin_tun_open() */
int fin_tun_open_flags(struct fin_tun **out, const char *ifname, unsigned flags, char *err,
                       size_t errlen);
/** Whether the device was opened with FIN_TUN_OFFLOAD.
 * @param tun the device
 * @return true when its driver offers send_gso */
bool fin_tun_offload(const struct fin_tun *tun);
/** The driver's counters.
 * @param tun the device
 * @return a copy */
struct fin_tun_stats fin_tun_stats(const struct fin_tun *tun);
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
