/* SPDX-License-Identifier: MIT */
/* IPv6 header and extension header validation (RFC 8200). Any byte
 * sequence is safe: every read is checked against the lengths first, the
 * walk is bounded in count (FIN_IPV6_EXT_MAX) and in bytes. fin is a host,
 * never a router: a datagram is for it or it is refused. */
#include "fin/wire.h"

#include <string.h>

#include "wire_bytes.h"
#include "wire_ip.h"

#define NH_HOPOPTS    0
#define NH_ROUTING    43
#define NH_FRAGMENT   44
#define NH_NONE       59
#define NH_DSTOPTS    60
#define EXT_BYTES_MAX 1024u /* extension headers larger than this together are refused */
#define OPT_PAD1      0
#define OPT_PADN      1
#define FRAG_HDR_LEN  8u /* §4.5: the fragment header has no length field */
#define FRAG_OFFSET   0xfff8u
#define FRAG_M        0x0001u

static bool v6_is_extension(uint8_t nh) {
  return nh == NH_HOPOPTS || nh == NH_ROUTING || nh == NH_FRAGMENT || nh == NH_DSTOPTS;
}

/* RFC 8200 §4.2: options are type-length-value, Pad1 a lone byte; an
 * unknown option's two high type bits say what to do, and every action but
 * "skip" (00) discards the datagram. The options must fill the header. */
static enum fin_wire_error v6_options_check(const uint8_t *opt, size_t len) {
  size_t i = 0;
  while (i < len) {
    if (opt[i] == OPT_PAD1) {
      i++;
      continue;
    }
    if (len - i < 2 || opt[i + 1] > len - i - 2)
      return FIN_WIRE_IP6_EXT_HEADER;
    if (opt[i] != OPT_PADN && (opt[i] >> 6) != 0)
      return FIN_WIRE_IP6_EXT_HEADER;
    i += 2u + opt[i + 1];
  }
  return FIN_WIRE_OK;
}

/* RFC 8200 §4.5: fin never reassembles, so a fragment is refused, as
 * IPv4's are. A fragment header with offset 0 and M clear holds a whole
 * datagram (an "atomic fragment"): it is processed as one, in isolation
 * from any other (RFC 6946 §4), like an IPv4 datagram with MF clear and
 * offset 0. */
static enum fin_wire_error v6_fragment(const uint8_t *p, size_t *hlen) {
  *hlen = FRAG_HDR_LEN;
  return (wire_get16(p + 2) & (FRAG_OFFSET | FRAG_M)) != 0 ? FIN_WIRE_IP_FRAGMENT : FIN_WIRE_OK;
}

/* One extension header at off (its next-header byte, length, body). */
static enum fin_wire_error v6_one_extension(uint8_t nh, const uint8_t *p, size_t room,
                                            size_t *hlen) {
  if (room < 8)
    return FIN_WIRE_IP6_EXT_HEADER;
  if (nh == NH_FRAGMENT)
    return v6_fragment(p, hlen);
  *hlen = ((size_t)p[1] + 1) * 8;
  if (*hlen > room)
    return FIN_WIRE_IP6_EXT_HEADER;
  if (nh == NH_ROUTING)
    /* §4.4: segments left above zero means a node after us must see it. */
    return p[3] != 0 ? FIN_WIRE_IP6_ROUTING : FIN_WIRE_OK;
  return v6_options_check(p + 2, *hlen - 2);
}

/* RFC 8200 §4.1: the chain of extension headers; hop-by-hop may only come
 * first. Leaves *nh at the upper-layer protocol and *off after the chain. */
static enum fin_wire_error v6_walk_extensions(const uint8_t *p, size_t len, uint8_t *nh,
                                              size_t *off) {
  for (unsigned count = 0; v6_is_extension(*nh); count++) {
    if (count == FIN_IPV6_EXT_MAX || *off - FIN_IPV6_HDR_LEN > EXT_BYTES_MAX)
      return FIN_WIRE_IP6_EXT_HEADER;
    if (*nh == NH_HOPOPTS && count > 0)
      return FIN_WIRE_IP6_EXT_HEADER;
    size_t hlen = 0;
    enum fin_wire_error e = v6_one_extension(*nh, p + *off, len - *off, &hlen);
    if (e != FIN_WIRE_OK)
      return e;
    *nh = p[*off];
    *off += hlen;
  }
  return *off - FIN_IPV6_HDR_LEN > EXT_BYTES_MAX ? FIN_WIRE_IP6_EXT_HEADER : FIN_WIRE_OK;
}

/* RFC 4291 §2.5.2, §2.7; RFC 4942 §2.2: the unspecified address is never a
 * source nor a destination, multicast never a TCP end (RFC 9293 §3.9.1.1),
 * and an IPv4-mapped address never appears in an IPv6 header. ::1 is left
 * to the caller, as 127/8 is for IPv4. */
static bool v6_martian(const struct fin_addr *a) {
  static const uint8_t zero[16];
  return a->b[0] == 0xff || fin_addr_is_v4(a) || memcmp(a->b, zero, 16) == 0;
}

enum fin_wire_error fin_wire_ipv6_parse(const uint8_t *d, size_t len, struct fin_ip_info *out) {
  if (len < FIN_IPV6_HDR_LEN)
    return FIN_WIRE_IP_TRUNCATED;
  if (d[0] >> 4 != 6)
    return FIN_WIRE_IP_VERSION;
  /* Bytes past the payload length are link padding; a zero payload length
   * with data (a jumbogram, RFC 2675) is refused like a bad length. */
  size_t tot = FIN_IPV6_HDR_LEN + wire_get16(d + 4);
  if (tot > len)
    return FIN_WIRE_IP_TOTAL_LEN;
  out->saddr = fin_addr_v6(d + 8);
  out->daddr = fin_addr_v6(d + 24);
  if (v6_martian(&out->saddr) || v6_martian(&out->daddr))
    return FIN_WIRE_IP_MARTIAN;
  uint8_t nh = d[6];
  size_t off = FIN_IPV6_HDR_LEN;
  enum fin_wire_error e = v6_walk_extensions(d, tot, &nh, &off);
  if (e != FIN_WIRE_OK)
    return e;
  if (nh == NH_NONE)
    return FIN_WIRE_IP_PROTOCOL;
  out->version = 6;
  out->proto = nh;
  out->tos = (uint8_t)(wire_get16(d) >> 4);
  out->flowlabel = wire_get32(d) & 0xfffffu;
  out->ttl = d[7];
  out->ip_id = 0;
  out->payload = d + off;
  out->payload_len = tot - off;
  return FIN_WIRE_OK;
}
