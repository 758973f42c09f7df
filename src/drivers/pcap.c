/* SPDX-License-Identifier: MIT */
#include "fin/pcap.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

struct fin_pcap {
  pcap_t *handle;
  pcap_dumper_t *dumper;
};

struct fin_pcap *fin_pcap_open(const char *path, char *err, size_t errlen) {
  struct fin_pcap *p = calloc(1, sizeof(*p));
  if (p == NULL) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  /* DLT_RAW (LINKTYPE_RAW, 101 in the file): each record is a bare IPv4 or
   * IPv6 datagram, its version nibble says which. 65535 snaplen keeps whole
   * segments. */
  p->handle = pcap_open_dead(DLT_RAW, 65535);
  if (p->handle == NULL) {
    snprintf(err, errlen, "pcap_open_dead failed");
    free(p);
    return NULL;
  }
  p->dumper = pcap_dump_open(p->handle, path);
  if (p->dumper == NULL) {
    snprintf(err, errlen, "%s: %s", path, pcap_geterr(p->handle));
    pcap_close(p->handle);
    free(p);
    return NULL;
  }
  return p;
}

int fin_pcap_write(struct fin_pcap *p, const uint8_t *dgram, size_t len, int64_t time_ns) {
  if (p == NULL || len > 65535)
    return -EINVAL;
  struct pcap_pkthdr h;
  if (time_ns < 0)
    time_ns = 0;
  h.ts.tv_sec = (time_t)(time_ns / 1000000000LL);
  h.ts.tv_usec = (suseconds_t)((time_ns % 1000000000LL) / 1000);
  h.caplen = (bpf_u_int32)len;
  h.len = (bpf_u_int32)len;
  pcap_dump((u_char *)p->dumper, &h, dgram);
  return 0;
}

int fin_pcap_flush(struct fin_pcap *p) {
  if (p == NULL)
    return -EINVAL;
  return pcap_dump_flush(p->dumper) == 0 ? 0 : -EIO;
}

void fin_pcap_close(struct fin_pcap *p) {
  if (p == NULL)
    return;
  pcap_dump_close(p->dumper);
  pcap_close(p->handle);
  free(p);
}
