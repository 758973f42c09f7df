/* Linux TUN driver: a layer-3 device (IFF_TUN | IFF_NO_PI), so every read and
 * write is one bare IPv4 datagram. Non-blocking; its fd goes into the
 * runtime's epoll set. The kernel side of the device is configured with
 * iproute2 (address, route, link up): fin only attaches to it. */
#ifndef FIN_DRIVERS_TUN_H
#define FIN_DRIVERS_TUN_H

#include "fin/runtime.h"

struct fin_tun;

/* Attaches to (or creates) the TUN device ifname. 0 or negative errno;
 * on failure err holds a message naming the step that failed. */
int fin_tun_open(struct fin_tun **out, const char *ifname, char *err, size_t errlen);
void fin_tun_close(struct fin_tun *tun);
/* The device name the kernel gave (ifname may have been a pattern like "fin%d"). */
const char *fin_tun_name(const struct fin_tun *tun);
/* Fills drv with this device's operations (valid until fin_tun_close). */
void fin_tun_driver(struct fin_tun *tun, struct fin_driver *drv);

#endif
