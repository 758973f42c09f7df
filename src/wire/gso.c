/* SPDX-License-Identifier: MIT */
/* Segmentation offload in software, and the checksum halves of offload a
 * device does in hardware. A super-segment (fin_stack_output_gso) is cut
 * the way Linux's tcp_gso_segment cuts one: every piece gets the headers,
 * its own IP length and checksum, the sequence number of its first byte;
 * FIN and PSH stay on the last piece only, CWR on the first only (RFC 3168
 * §6.1.2). The IPv4 ID is copied: fin sends only atomic datagrams (DF,
 * ID 0, RFC 6864 §4.1), so the pieces are the segments fin would have sent
 * one by one, byte for byte. */
#include "fin/wire.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "wire_bytes.h"

#define TCP_OFF_SEQ   4
#define TCP_OFF_FLAGS 13
#define TCP_OFF_CSUM  16

struct gso_shape {
  size_t ip, hdr, payload; /* IP header, IP + TCP headers, TCP data */
};

/* The headers of a TCP datagram fin built: IPv4 without fragmentation or
 * IPv6 with TCP as next header (fin sends no extension headers). */
static bool gso_shape(const uint8_t *d, size_t len, struct gso_shape *s) {
  if (len < 1)
    return false;
  bool v4 = d[0] >> 4 == 4;
  if (!v4 && d[0] >> 4 != 6)
    return false;
  s->ip = v4 ? (size_t)(d[0] & 0x0f) * 4 : FIN_IPV6_HDR_LEN;
  if (s->ip < FIN_IPV4_HDR_MIN || len < s->ip + FIN_TCP_HDR_MIN)
    return false;
  if (d[v4 ? 9 : 6] != FIN_IPPROTO_TCP)
    return false;
  s->hdr = s->ip + (size_t)(d[s->ip + 12] >> 4) * 4;
  if (s->hdr < s->ip + FIN_TCP_HDR_MIN || s->hdr > len)
    return false;
  s->payload = len - s->hdr;
  return true;
}

/* RFC 9293 §3.1 (IPv4), RFC 8200 §8.1 (IPv6): the pseudo-header. */
static uint32_t pseudo_sum(const uint8_t *ip, size_t tcp_len) {
  uint8_t ph[40];
  memset(ph, 0, sizeof(ph));
  if (ip[0] >> 4 == 4) {
    memcpy(ph, ip + 12, 8);
    ph[9] = FIN_IPPROTO_TCP;
    wire_put16(ph + 10, (uint16_t)tcp_len);
    return fin_csum_add(0, ph, 12);
  }
  memcpy(ph, ip + 8, 32);
  wire_put32(ph + 32, (uint32_t)tcp_len);
  ph[39] = FIN_IPPROTO_TCP;
  return fin_csum_add(0, ph, 40);
}

size_t fin_gso_segment(const uint8_t *dgram, size_t len, uint16_t gso_size, size_t index,
                       uint8_t *out, size_t cap) {
  struct gso_shape s;
  if (!gso_shape(dgram, len, &s))
    return 0;
  size_t step = gso_size != 0 && s.payload > gso_size ? gso_size : s.payload;
  size_t pieces = step == 0 ? 1 : (s.payload + step - 1) / step;
  if (index >= pieces)
    return 0;
  size_t off = index * step, plen = s.payload - off < step ? s.payload - off : step;
  size_t total = s.hdr + plen;
  if (total > cap)
    return 0;
  memcpy(out, dgram, s.hdr);
  if (plen > 0)
    memcpy(out + s.hdr, dgram + s.hdr + off, plen);
  if (out[0] >> 4 == 4) {
    wire_put16(out + 2, (uint16_t)total); /* RFC 791 §3.1 */
    wire_put16(out + 10, 0);
    wire_put16(out + 10, fin_csum_fold(fin_csum_add(0, out, s.ip)));
  } else {
    wire_put16(out + 4, (uint16_t)(total - FIN_IPV6_HDR_LEN));
  }
  uint8_t *t = out + s.ip;
  wire_put32(t + TCP_OFF_SEQ, wire_get32(t + TCP_OFF_SEQ) + (uint32_t)off);
  if (index + 1 < pieces)
    t[TCP_OFF_FLAGS] &= (uint8_t) ~(FIN_TCP_FIN | FIN_TCP_PSH);
  if (index > 0)
    t[TCP_OFF_FLAGS] &= (uint8_t)~FIN_TCP_CWR;
  size_t tcp_len = total - s.ip;
  wire_put16(t + TCP_OFF_CSUM, 0);
  wire_put16(t + TCP_OFF_CSUM, fin_csum_fold(fin_csum_add(pseudo_sum(out, tcp_len), t, tcp_len)));
  return total;
}

size_t fin_gso_count(const uint8_t *dgram, size_t len, uint16_t gso_size) {
  struct gso_shape s;
  if (!gso_shape(dgram, len, &s))
    return 0;
  if (gso_size == 0 || s.payload <= gso_size)
    return 1;
  return (s.payload + gso_size - 1) / gso_size;
}

int fin_csum_partial_tcp(uint8_t *dgram, size_t len, uint16_t *csum_start) {
  struct gso_shape s;
  if (!gso_shape(dgram, len, &s))
    return -EINVAL;
  /* The folded pseudo-header sum, not complemented: what the device adds
   * the TCP header and data to (Linux __tcp_v4_send_check, CHECKSUM_PARTIAL). */
  uint16_t partial = (uint16_t)~fin_csum_fold(pseudo_sum(dgram, len - s.ip));
  wire_put16(dgram + s.ip + TCP_OFF_CSUM, partial);
  *csum_start = (uint16_t)s.ip;
  return 0;
}

int fin_csum_complete(uint8_t *buf, size_t len, size_t csum_start, size_t csum_offset) {
  if (csum_start > len || csum_offset + 2 > len - csum_start)
    return -EINVAL;
  /* The field holds the pseudo-header sum: summing over it from csum_start
   * to the end and complementing gives the checksum (virtio 1.1 §5.1.6.2). */
  uint16_t v = fin_csum_fold(fin_csum_add(0, buf + csum_start, len - csum_start));
  wire_put16(buf + csum_start + csum_offset, v);
  return 0;
}

size_t fin_tcp_fill_placed(uint8_t *dgram, size_t hdr_len, size_t payload_len) {
  struct gso_shape s;
  size_t total = hdr_len + payload_len;
  if (!gso_shape(dgram, hdr_len, &s) || s.hdr != hdr_len || total > FIN_GSO_DATAGRAM_MAX)
    return 0;
  if (dgram[0] >> 4 == 4) {
    wire_put16(dgram + 2, (uint16_t)total); /* RFC 791 §3.1 */
    wire_put16(dgram + 10, 0);
    wire_put16(dgram + 10, fin_csum_fold(fin_csum_add(0, dgram, s.ip)));
  } else {
    wire_put16(dgram + 4, (uint16_t)(total - FIN_IPV6_HDR_LEN)); /* RFC 8200 §3 */
  }
  uint8_t *t = dgram + s.ip;
  size_t tcp_len = total - s.ip;
  wire_put16(t + TCP_OFF_CSUM, 0);
  wire_put16(t + TCP_OFF_CSUM, fin_csum_fold(fin_csum_add(pseudo_sum(dgram, tcp_len), t, tcp_len)));
  return total;
}
