/* SPDX-License-Identifier: MIT */
/* A whole IPv4+TCP or IPv6+TCP datagram in, a struct fin_segment out, or
 * the one reason it is dropped (BEHAVIOR A9: malformed segments are counted,
 * never answered). Nothing past len is ever read. */
#include "fin/wire.h"

#include "wire_bytes.h"
#include "wire_ip.h"

/* RFC 9293 §3.1: the checksum covers the pseudo-header, the header, the
 * options and the data; summing it all, checksum field included, gives all
 * ones. */
static bool tcp_checksum_ok(const struct fin_ip_info *ip, const uint8_t *tcp, size_t len) {
  uint32_t sum = fin_wire_pseudo_sum(&ip->saddr, &ip->daddr, FIN_IPPROTO_TCP, (uint32_t)len);
  return fin_wire_csum(sum, tcp, len) == 0;
}

/* RFC 9293 §3.1: the fixed header fields, converted to host order. */
static void tcp_fill_header(const uint8_t *t, size_t len, struct fin_segment *seg) {
  seg->sport = wire_get16(t);
  seg->dport = wire_get16(t + 2);
  seg->seq = wire_get32(t + 4);
  seg->ack = wire_get32(t + 8);
  seg->data_offset = (uint8_t)((t[12] >> 4) * 4);
  seg->flags = t[13];
  seg->wnd = wire_get16(t + 14);
  seg->urg = wire_get16(t + 18);
  seg->payload = t + seg->data_offset;
  seg->payload_len = (uint32_t)(len - seg->data_offset);
}

/* Header sanity once the bytes are known to be intact. SYN with RST is
 * meaningless (RFC 9293 §3.10.7 has no case that accepts both: a RST aborts,
 * a SYN opens) and is a classic scanner/evasion probe; BEHAVIOR A9 says drop
 * and count, never answer. Port 0 is reserved and never a connection end. */
static enum fin_wire_error tcp_check_header(const struct fin_segment *seg) {
  if ((seg->flags & (FIN_TCP_SYN | FIN_TCP_RST)) == (FIN_TCP_SYN | FIN_TCP_RST))
    return FIN_WIRE_TCP_FLAGS;
  if (seg->sport == 0 || seg->dport == 0)
    return FIN_WIRE_TCP_PORT_ZERO;
  return FIN_WIRE_OK;
}

/* The IP fields a TCP receiver keeps (RFC 9293 §3.9.1 "TTL", "Type of
 * Service"; RFC 8200 §3 hop limit, traffic class, flow label). */
static void tcp_fill_ip(const struct fin_ip_info *ip, struct fin_segment *seg) {
  seg->saddr = ip->saddr;
  seg->daddr = ip->daddr;
  seg->tos = ip->tos;
  seg->ip_id = ip->ip_id;
  seg->ttl = ip->ttl;
  seg->flowlabel = ip->flowlabel;
}

enum fin_wire_error fin_tcp_parse(const uint8_t *dgram, size_t len, struct fin_segment *seg) {
  struct fin_ip_info ip;
  enum fin_wire_error e = fin_wire_ip_expect(dgram, len, FIN_IPPROTO_TCP, &ip);
  if (e != FIN_WIRE_OK)
    return e;
  const uint8_t *t = ip.payload;
  size_t tlen = ip.payload_len;
  if (tlen < FIN_TCP_HDR_MIN)
    return FIN_WIRE_TCP_TRUNCATED;
  size_t doff = (size_t)(t[12] >> 4) * 4;
  if (doff < FIN_TCP_HDR_MIN || doff > tlen)
    return FIN_WIRE_TCP_DATA_OFFSET;
  if (!tcp_checksum_ok(&ip, t, tlen))
    return FIN_WIRE_TCP_CHECKSUM;
  e = fin_tcp_opts_parse(t + FIN_TCP_HDR_MIN, doff - FIN_TCP_HDR_MIN, &seg->opts);
  if (e != FIN_WIRE_OK)
    return e;
  tcp_fill_header(t, tlen, seg);
  tcp_fill_ip(&ip, seg);
  return tcp_check_header(seg);
}
