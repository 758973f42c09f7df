/* SPDX-License-Identifier: MIT */
/* Segmentation offload, the engine's side: fin_stack_output with room for
 * a super-segment. output.c (plan_gso) decides its length segment by
 * segment; this file sets the room and reports where it is to be cut. */
#include "internal.h"

/* Headers the payload room leaves space for: IPv6 (40) with a TCP header
 * full of options (60), the larger family. */
#define GSO_HDR_ROOM 100u

/* The payload of a datagram fin built: after the IP header and the TCP
 * header with its options (RFC 9293 §3.1 Data Offset). */
static size_t payload_len(const uint8_t *d, size_t n) {
  size_t ip = d[0] >> 4 == 6 ? 40u : (size_t)(d[0] & 0x0f) * 4;
  size_t hdr = ip + (size_t)(d[ip + 12] >> 4) * 4;
  return n > hdr ? n - hdr : 0;
}

size_t fin_stack_output_gso(struct fin_stack *st, uint8_t *buf, size_t cap, uint16_t *gso_size,
                            fin_time now) {
  size_t room = cap < FIN_GSO_DATAGRAM_MAX ? cap : FIN_GSO_DATAGRAM_MAX;
  st->gso_max = room > GSO_HDR_ROOM ? (uint32_t)(room - GSO_HDR_ROOM) : 0;
  st->gso_mss = 0;
  size_t n = fin_stack_output(st, buf, cap, now);
  uint32_t mss = st->gso_mss;
  st->gso_max = 0;
  st->gso_mss = 0;
  size_t payload = n > 0 && mss > 0 ? payload_len(buf, n) : 0;
  if (payload <= mss) {
    *gso_size = 0; /* one segment (or a segment that could not be built) */
    return n;
  }
  /* RFC 1213 tcpOutSegs, ipOutRequests: the pieces are what goes out. */
  uint64_t more = (payload + mss - 1) / mss - 1;
  st->c.out_segs += more;
  buf[0] >> 4 == 6 ? (st->c.ip6_out_requests += more) : (st->c.ip_out_requests += more);
  *gso_size = (uint16_t)mss;
  return n;
}
