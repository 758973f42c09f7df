/* SPDX-License-Identifier: MIT */
/* fin — IPv4, IPv6 and TCP on the wire: strict parsing (any byte sequence
 * is safe), building, checksums, options, ICMP and ICMPv6 errors. Pure
 * functions, no state. Used by the engine and by tools (ladder diagrams,
 * script runner, pcap decoding). Addresses are struct fin_addr (fin/addr.h):
 * one representation for both families. */
#ifndef FIN_WIRE_H
#define FIN_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fin/addr.h"
#include "fin/settings.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FIN_TCP_FIN 0x01
#define FIN_TCP_SYN 0x02
#define FIN_TCP_RST 0x04
#define FIN_TCP_PSH 0x08
#define FIN_TCP_ACK 0x10
#define FIN_TCP_URG 0x20
#define FIN_TCP_ECE 0x40
#define FIN_TCP_CWR 0x80

#define FIN_IPPROTO_ICMP   1
#define FIN_IPPROTO_TCP    6
#define FIN_IPPROTO_ICMPV6 58

#define FIN_IPV4_HDR_MIN    20
#define FIN_IPV6_HDR_LEN    40
#define FIN_IPV6_MIN_MTU    1280 /* RFC 8200 §5 */
#define FIN_IPV6_EXT_MAX    8    /* extension headers walked before a datagram is refused */
#define FIN_TCP_HDR_MIN     20
#define FIN_TCP_OPT_MAX     40
#define FIN_SACK_MAX_BLOCKS 4
/* RFC 7413 §4.1.1: a Fast Open cookie is 4 to 16 bytes, an even number. */
#define FIN_TCP_FO_COOKIE_MIN 4
#define FIN_TCP_FO_COOKIE_MAX 16

struct fin_sack_block {
  uint32_t left, right;
};

/* Parsed TCP options (RFC 9293 §3.2, RFC 7323, RFC 2018). */
struct fin_tcp_opts {
  bool has_mss, has_wscale, sack_permitted, has_ts;
  uint16_t mss;
  uint8_t wscale; /* as received; callers clamp to 14 (RFC 7323 §2.3) */
  uint32_t ts_val, ts_ecr;
  uint8_t sack_count;
  struct fin_sack_block sack[FIN_SACK_MAX_BLOCKS];
  /* RFC 7413 §4.1.1: the Fast Open option, kind 34, or kind 254 with the
   * ExID 0xF989 (RFC 6994, the form before kind 34 was assigned). fo_len
   * is the cookie's length as received, whatever it is (0: a cookie
   * request); fo_cookie holds its first FIN_TCP_FO_COOKIE_MAX bytes. */
  bool has_fo, fo_exp;
  uint8_t fo_len;
  uint8_t fo_cookie[FIN_TCP_FO_COOKIE_MAX];
};

/* A parsed TCP segment of either family. Pointers refer into the caller's
 * datagram. */
struct fin_segment {
  struct fin_addr saddr, daddr;
  uint8_t ttl;        /* IPv4 TTL, IPv6 hop limit */
  uint8_t tos;        /* IPv4 type of service, IPv6 traffic class */
  uint16_t ip_id;     /* IPv4 only */
  uint32_t flowlabel; /* IPv6 only (20 bits) */
  uint16_t sport, dport;
  uint32_t seq, ack;
  uint8_t flags; /* FIN_TCP_* */
  uint16_t wnd;  /* raw header value, unscaled */
  uint16_t urg;
  uint8_t data_offset; /* bytes */
  struct fin_tcp_opts opts;
  const uint8_t *payload;
  uint32_t payload_len;
};

/* Why a datagram was rejected. 0 = accepted. Each maps to one counter. */
enum fin_wire_error {
  FIN_WIRE_OK = 0,
  FIN_WIRE_IP_TRUNCATED,  /* shorter than an IPv4 / IPv6 header */
  FIN_WIRE_IP_VERSION,    /* version neither 4 nor 6 */
  FIN_WIRE_IP_HEADER_LEN, /* IHL < 5 or past the datagram */
  FIN_WIRE_IP_TOTAL_LEN,  /* total length < IHL*4 or > datagram length */
  FIN_WIRE_IP_CHECKSUM,
  FIN_WIRE_IP_OPTIONS,      /* malformed IP options (bad length, past header) */
  FIN_WIRE_IP_FRAGMENT,     /* MF set or fragment offset != 0: fragments are dropped */
  FIN_WIRE_IP_MARTIAN,      /* source or destination 0, multicast, broadcast, 240/4 (127/8 allowed);
                               IPv6: unspecified or multicast source, multicast destination,
                               an IPv4-mapped address on the wire */
  FIN_WIRE_IP_PROTOCOL,     /* neither TCP nor ICMP / ICMPv6 */
  FIN_WIRE_TCP_TRUNCATED,   /* shorter than a TCP header */
  FIN_WIRE_TCP_DATA_OFFSET, /* data offset < 5 or past the segment */
  FIN_WIRE_TCP_CHECKSUM,
  FIN_WIRE_TCP_OPTION, /* option length 0/1, past the header, or wrong fixed length */
  FIN_WIRE_TCP_FLAGS,  /* illegal flag combination (SYN+RST) */
  FIN_WIRE_TCP_PORT_ZERO,
  FIN_WIRE_ICMP_MALFORMED,
  FIN_WIRE_IP6_EXT_HEADER, /* an IPv6 extension header malformed, misplaced, too many or too long */
  FIN_WIRE_IP6_ROUTING,    /* a routing header with segments left: not for this host */
  FIN_WIRE_ERROR_COUNT
};
const char *fin_wire_error_name(enum fin_wire_error e);

/* Internet checksum helpers (RFC 1071). fin_csum_add continues a partial
 * sum (start from 0, or from a pseudo-header sum of host-order 16-bit
 * fields) and may be chained over pieces of any length, odd ones included:
 * bit 31 of the partial sum records an odd byte count, so chain the returned
 * value, never add two partial sums. fin_csum_fold returns the one's
 * complement of the folded sum: the value for a checksum field, and 0 when
 * verifying data that includes a correct checksum. */
uint32_t fin_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t fin_csum_fold(uint32_t sum);
/* The checksum field's value for a 20-byte IPv4 header whose checksum
 * field holds zero; over a received header (field included) it is 0 when
 * the checksum is right (RFC 791 §3.1). Five word loads, no loop. */
uint16_t fin_csum_ipv4_header(const uint8_t *hdr);

/* The IP layer of a datagram of either family, once validated: addresses,
 * the upper-layer protocol (after any IPv6 extension headers) and its bytes.
 * Pointers refer into the caller's datagram. */
struct fin_ip_info {
  uint8_t version; /* 4 or 6 */
  uint8_t proto;   /* IPv4 protocol / the IPv6 next header after the extension headers */
  uint8_t ttl, tos;
  uint16_t ip_id;
  uint32_t flowlabel;
  struct fin_addr saddr, daddr;
  const uint8_t *payload;
  size_t payload_len;
};

/* Validates an IPv4 header (RFC 791, options validated) or an IPv6 header
 * and its extension headers (RFC 8200 §4: at most FIN_IPV6_EXT_MAX, hop-by-hop
 * first only, fragments refused, a routing header with segments left refused)
 * and finds the upper-layer payload. */
enum fin_wire_error fin_ip_parse(const uint8_t *dgram, size_t len, struct fin_ip_info *out);

/* Parses a whole IPv4+TCP or IPv6+TCP datagram, checksums included. On an
 * error *seg is left partly filled and must not be used. */
enum fin_wire_error fin_tcp_parse(const uint8_t *dgram, size_t len, struct fin_segment *seg);

/* Parses a TCP options area (strict: any malformed option rejects the
 * segment). SACK blocks beyond FIN_SACK_MAX_BLOCKS are ignored. */
enum fin_wire_error fin_tcp_opts_parse(const uint8_t *opt, size_t len, struct fin_tcp_opts *out);

/* What an ICMP or ICMPv6 error means for the TCP connection it is about
 * (RFC 1122 4.2.3.9, RFC 4443, RFC 5927; BEHAVIOR J6). */
enum fin_icmp_kind {
  FIN_ICMP_SOFT = 0, /* never aborts (MUST-56) */
  FIN_ICMP_HARD,     /* protocol or port unreachable: aborts a connection attempt */
  FIN_ICMP_TOO_BIG,  /* fragmentation needed / packet too big: lowers the path MTU */
};

/* An ICMP (IPv4) or ICMPv6 error about one of our TCP segments. */
struct fin_icmp_error {
  uint8_t version; /* 4: ICMP, 6: ICMPv6 */
  uint8_t type, code;
  enum fin_icmp_kind kind;
  struct fin_addr saddr, daddr; /* of the quoted (our) segment */
  uint16_t sport, dport;
  uint32_t seq;         /* of the quoted segment */
  struct fin_addr from; /* who sent the error */
  uint32_t mtu;         /* FIN_ICMP_TOO_BIG: next-hop MTU (RFC 1191 §4, RFC 4443 §3.2), else 0 */
};
/* Parses a datagram carrying an ICMP error (IPv4 types 3, 4, 11, 12) or an
 * ICMPv6 error (types 1-4) that quotes at least 8 bytes of a TCP header.
 * Other ICMP and ICMPv6 types give FIN_WIRE_IP_PROTOCOL. */
enum fin_wire_error fin_icmp_parse(const uint8_t *dgram, size_t len, struct fin_icmp_error *err);

/* What to put in the options area of an outgoing segment. */
struct fin_tcp_opts_out {
  bool mss, wscale, sack_permitted, ts;
  uint16_t mss_value;
  uint8_t wscale_value;
  uint32_t ts_val, ts_ecr;
  uint8_t sack_count;
  struct fin_sack_block sack[FIN_SACK_MAX_BLOCKS];
  /* RFC 7413 §4.1.1 (SYN and SYN-ACK layouts only): a Fast Open option
   * with fo_len cookie bytes (0: a cookie request), in the experimental
   * form when fo_exp. Left out when the area has no room for it. */
  bool fo, fo_exp;
  uint8_t fo_len;
  uint8_t fo_cookie[FIN_TCP_FO_COOKIE_MAX];
};

/* Writes the options area (padded to a multiple of 4) in the given layout;
 * returns its length (<= 40). syn selects the SYN/SYN-ACK layout. */
size_t fin_tcp_opts_write(uint8_t *out, const struct fin_tcp_opts_out *o,
                          enum fin_option_layout layout, bool syn);

/* Builds a TCP datagram of the family of seg.saddr/seg.daddr (both the same
 * family): a 20-byte IPv4 header (DF set, id from seg.ip_id, ttl from
 * seg.ttl) or a 40-byte IPv6 header (hop limit seg.ttl, traffic class
 * seg.tos, flow label seg.flowlabel), TCP header, options, then payload1 +
 * payload2 (a ring may hand over its data in two pieces). Fills the
 * checksums. Returns the datagram length, 0 if it does not fit in cap or the
 * families differ. seg.opts is ignored; options come from opt/opt_len. */
size_t fin_tcp_build(uint8_t *buf, size_t cap, const struct fin_segment *seg, const uint8_t *opt,
                     size_t opt_len, const uint8_t *payload1, size_t len1, const uint8_t *payload2,
                     size_t len2);

/* "SYN,ACK" style text for logs (tcpdump order: SYN,FIN,RST,PSH,ACK,URG,
 * ECE,CWR; "none" for 0): writes into buf, which needs 32 bytes for all
 * eight flags; a shorter buffer gets only the names that fit. */
const char *fin_tcp_flags_str(uint8_t flags, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
