/* SPDX-License-Identifier: MIT */
/* fin — IPv4 + TCP on the wire: strict parsing (any byte sequence is safe),
 * building, checksums, options. Pure functions, no state. Used by the engine
 * and by tools (ladder diagrams, script runner, pcap decoding). */
#ifndef FIN_WIRE_H
#define FIN_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

#define FIN_IPPROTO_ICMP 1
#define FIN_IPPROTO_TCP 6

#define FIN_IPV4_HDR_MIN 20
#define FIN_TCP_HDR_MIN 20
#define FIN_TCP_OPT_MAX 40
#define FIN_SACK_MAX_BLOCKS 4

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
};

/* A parsed TCP/IPv4 segment. Pointers refer into the caller's datagram. */
struct fin_segment {
  uint32_t saddr, daddr; /* host order */
  uint8_t ttl, tos;
  uint16_t ip_id;
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
  FIN_WIRE_IP_TRUNCATED,   /* shorter than an IPv4 header */
  FIN_WIRE_IP_VERSION,     /* version != 4 */
  FIN_WIRE_IP_HEADER_LEN,  /* IHL < 5 or past the datagram */
  FIN_WIRE_IP_TOTAL_LEN,   /* total length < IHL*4 or > datagram length */
  FIN_WIRE_IP_CHECKSUM,
  FIN_WIRE_IP_OPTIONS,     /* malformed IP options (bad length, past header) */
  FIN_WIRE_IP_FRAGMENT,    /* MF set or fragment offset != 0: fragments are dropped */
  FIN_WIRE_IP_MARTIAN,     /* source or destination 0, multicast, broadcast, 240/4 (127/8 allowed) */
  FIN_WIRE_IP_PROTOCOL,    /* neither TCP nor ICMP */
  FIN_WIRE_TCP_TRUNCATED,  /* shorter than a TCP header */
  FIN_WIRE_TCP_DATA_OFFSET,/* data offset < 5 or past the segment */
  FIN_WIRE_TCP_CHECKSUM,
  FIN_WIRE_TCP_OPTION,     /* option length 0/1, past the header, or wrong fixed length */
  FIN_WIRE_TCP_FLAGS,      /* illegal flag combination (SYN+RST) */
  FIN_WIRE_TCP_PORT_ZERO,
  FIN_WIRE_ICMP_MALFORMED,
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

/* Validates the IPv4 header (options skipped and validated) and finds the
 * payload. On success *proto, *payload, *payload_len are set. */
enum fin_wire_error fin_ipv4_parse(const uint8_t *dgram, size_t len, uint8_t *proto,
                                   uint32_t *saddr, uint32_t *daddr, const uint8_t **payload,
                                   size_t *payload_len);

/* Parses a whole IPv4+TCP datagram, checksums included. On an error *seg
 * is left partly filled and must not be used. */
enum fin_wire_error fin_tcp_parse(const uint8_t *dgram, size_t len, struct fin_segment *seg);

/* Parses a TCP options area (strict: any malformed option rejects the
 * segment). SACK blocks beyond FIN_SACK_MAX_BLOCKS are ignored. */
enum fin_wire_error fin_tcp_opts_parse(const uint8_t *opt, size_t len, struct fin_tcp_opts *out);

/* An ICMP destination-unreachable / time-exceeded about one of our TCP
 * segments (RFC 1122 4.2.3.9, RFC 5927). */
struct fin_icmp_error {
  uint8_t type, code;
  uint32_t saddr, daddr;     /* of the quoted (our) segment */
  uint16_t sport, dport;
  uint32_t seq;              /* of the quoted segment */
  uint32_t from;             /* who sent the ICMP */
  uint16_t mtu;              /* "fragmentation needed": next-hop MTU (RFC 1191 §4), else 0 */
};
/* Parses an IPv4 datagram carrying ICMP. Returns FIN_WIRE_OK and fills err
 * only for types 3 (unreachable), 4 (source quench), 11, 12 with a quoted
 * TCP header of at least 8 bytes; other ICMP types give FIN_WIRE_IP_PROTOCOL. */
enum fin_wire_error fin_icmp_parse(const uint8_t *dgram, size_t len, struct fin_icmp_error *err);

/* What to put in the options area of an outgoing segment. */
struct fin_tcp_opts_out {
  bool mss, wscale, sack_permitted, ts;
  uint16_t mss_value;
  uint8_t wscale_value;
  uint32_t ts_val, ts_ecr;
  uint8_t sack_count;
  struct fin_sack_block sack[FIN_SACK_MAX_BLOCKS];
};

/* Writes the options area (padded to a multiple of 4) in the given layout;
 * returns its length (<= 40). syn selects the SYN/SYN-ACK layout. */
size_t fin_tcp_opts_write(uint8_t *out, const struct fin_tcp_opts_out *o,
                          enum fin_option_layout layout, bool syn);

/* Builds an IPv4+TCP datagram: 20-byte IP header (DF set, id from seg.ip_id,
 * ttl from seg.ttl), TCP header, options, then payload1 + payload2 (a ring
 * may hand over its data in two pieces). Fills both checksums. Returns the
 * datagram length, 0 if it does not fit in cap. seg.opts is ignored; options
 * come from opt/opt_len. */
size_t fin_tcp_build(uint8_t *buf, size_t cap, const struct fin_segment *seg,
                     const uint8_t *opt, size_t opt_len, const uint8_t *payload1,
                     size_t len1, const uint8_t *payload2, size_t len2);

/* "SYN,ACK" style text for logs (tcpdump order: SYN,FIN,RST,PSH,ACK,URG,
 * ECE,CWR; "none" for 0): writes into buf, which needs 32 bytes for all
 * eight flags; a shorter buffer gets only the names that fit. */
const char *fin_tcp_flags_str(uint8_t flags, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
