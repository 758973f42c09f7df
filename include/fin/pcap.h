/* SPDX-License-Identifier: MIT */
/** @file fin/pcap.h
 * @brief The pcap tap: writes datagrams to a capture file (LINKTYPE_RAW, so
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

/** An open capture file (opaque). */
struct fin_pcap;

/** Creates (truncates) a capture file.
 * @param path where to write
 * @param err on failure, a message naming path and the reason
 * @param errlen size of err
 * @return the capture (close it with fin_pcap_close()), or NULL on failure */
struct fin_pcap *fin_pcap_open(const char *path, char *err, size_t errlen);
/** Appends one datagram. Buffered: see fin_pcap_flush().
 * @param p the capture
 * @param dgram the IPv4 or IPv6 datagram (copied)
 * @param len its length
 * @param time_ns its time stamp (the caller's clock, virtual or real;
 *        negative is written as 0)
 * @retval 0 written
 * @retval -EINVAL p or dgram NULL, or a datagram over 65535 bytes */
int fin_pcap_write(struct fin_pcap *p, const uint8_t *dgram, size_t len, int64_t time_ns);
/** Pushes what was written to the file, so a reader can open it while we run.
 * @param p the capture
 * @retval 0 flushed
 * @retval -EINVAL p is NULL
 * @retval -EIO the write failed */
int fin_pcap_flush(struct fin_pcap *p);
/** Flushes, closes and frees a capture.
 * @param p the capture, or NULL (no-op) */
void fin_pcap_close(struct fin_pcap *p);

#ifdef __cplusplus
}
#endif
#endif
