/* SPDX-License-Identifier: MIT */
/* pcapng writer: a Section Header, one Interface Description (LINKTYPE_RAW,
 * nanosecond timestamps) and an Enhanced Packet Block per datagram, with
 * its direction (epb_flags) and any number of comments (opt_comment), which
 * Wireshark shows under "Packet comments" and tshark as frame.comment.
 * libpcap only writes classic pcap, which has no comments, hence this
 * (pcapng: draft-ietf-opsawg-pcapng). */
#ifndef FIN_DRIVERS_PCAPNG_H
#define FIN_DRIVERS_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fin_pcapng;

enum fin_pcapng_dir {
  FIN_PCAPNG_DIR_UNKNOWN = 0,
  FIN_PCAPNG_DIR_IN = 1,  /* received by fin */
  FIN_PCAPNG_DIR_OUT = 2, /* sent by fin */
};

/* Opens path for writing and writes the header blocks; ifname names the
 * interface (e.g. the TUN device). NULL and a message in err on failure. */
struct fin_pcapng *fin_pcapng_open(const char *path, const char *ifname, char *err, size_t errlen);
/* Same over an open stream, which fin_pcapng_close closes when own is true. */
struct fin_pcapng *fin_pcapng_open_stream(FILE *f, bool own, const char *ifname);
/* Appends one datagram stamped time_ns (ns since the epoch the caller chose)
 * with ncomments comments (UTF-8). 0, -EINVAL (too long) or -EIO. */
int fin_pcapng_write(struct fin_pcapng *p, const uint8_t *dgram, size_t len, int64_t time_ns,
                     enum fin_pcapng_dir dir, const char *const *comments, size_t ncomments);
int fin_pcapng_flush(struct fin_pcapng *p);
void fin_pcapng_close(struct fin_pcapng *p);

#endif
