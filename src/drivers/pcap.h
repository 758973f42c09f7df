/* pcap tap: writes the datagrams that cross any driver to a capture file
 * (LINKTYPE_RAW, so Wireshark/tshark decode plain IPv4), through libpcap. */
#ifndef FIN_DRIVERS_PCAP_H
#define FIN_DRIVERS_PCAP_H

#include <stddef.h>
#include <stdint.h>

struct fin_pcap;

/* Opens path for writing. Returns NULL and writes a message to err on failure. */
struct fin_pcap *fin_pcap_open(const char *path, char *err, size_t errlen);
/* Appends one datagram stamped with time_ns (the caller's clock, virtual or real). */
int fin_pcap_write(struct fin_pcap *p, const uint8_t *dgram, size_t len, int64_t time_ns);
/* Pushes what was written to the file (a reader can open it while we run). */
int fin_pcap_flush(struct fin_pcap *p);
void fin_pcap_close(struct fin_pcap *p);

#endif
