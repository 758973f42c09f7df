/* SPDX-License-Identifier: MIT */
/* fin — the pcap tap: writes datagrams to a capture file (LINKTYPE_RAW, so
 * Wireshark and tshark decode plain IPv4 and IPv6) through libpcap. The runtime
 * writes every datagram it moves (fin_runtime_set_pcap); anything else can
 * call fin_pcap_write itself. Only in builds with FIN_PCAP=ON (the default;
 * libpcap-dev), in libfin_net. */
#ifndef FIN_PCAP_H
#define FIN_PCAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct fin_pcap;

/* Creates (truncates) path. NULL on failure, with a message naming path
 * and the reason in err (errlen bytes). */
struct fin_pcap *fin_pcap_open(const char *path, char *err, size_t errlen);
/* Appends one datagram stamped with time_ns (the caller's clock, virtual
 * or real; negative is written as 0). 0, or -EINVAL for NULL or a datagram
 * over 65535 bytes. Buffered: see fin_pcap_flush. */
int fin_pcap_write(struct fin_pcap *p, const uint8_t *dgram, size_t len, int64_t time_ns);
/* Pushes what was written to the file, so a reader can open it while we
 * run. 0, -EINVAL (NULL) or -EIO. */
int fin_pcap_flush(struct fin_pcap *p);
/* Flushes, closes and frees p (NULL is a no-op). */
void fin_pcap_close(struct fin_pcap *p);

#ifdef __cplusplus
}
#endif
#endif
