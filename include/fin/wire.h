/* SPDX-License-Identifier: MIT */
/** @file fin/wire.h
 * @brief IPv4, IPv6 and TCP on the wire: strict parsing (any byte sequence
 * is safe), building, checksums, options, ICMP and ICMPv6 errors. Pure
 * functions, no state. Used by the engine and by tools (ladder diagrams,
 * script runner, pcap decoding). Addresses are struct fin_addr (fin/addr.h):
 * one representation for both families. Callable from any thread. */
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

/** @name TCP header flags (struct fin_segment.flags) */
/** @{ */
#define FIN_TCP_FIN 0x01 /**< no more data from the sender */
#define FIN_TCP_SYN 0x02 /**< synchronize sequence numbers */
#define FIN_TCP_RST 0x04 /**< reset the connection */
#define FIN_TCP_PSH 0x08 /**< push */
#define FIN_TCP_ACK 0x10 /**< the acknowledgment field is significant */
#define FIN_TCP_URG 0x20 /**< the urgent pointer is significant */
#define FIN_TCP_ECE 0x40 /**< ECN echo (RFC 3168) */
#define FIN_TCP_CWR 0x80 /**< congestion window reduced (RFC 3168) */
/** @} */

/** @name IP protocol numbers */
/** @{ */
#define FIN_IPPROTO_ICMP   1  /**< ICMP */
#define FIN_IPPROTO_TCP    6  /**< TCP */
#define FIN_IPPROTO_ICMPV6 58 /**< ICMPv6 */
/** @} */

/** @name Sizes */
/** @{ */
#define FIN_IPV4_HDR_MIN    20   /**< IPv4 header without options */
#define FIN_IPV6_HDR_LEN    40   /**< IPv6 fixed header */
#define FIN_IPV6_MIN_MTU    1280 /**< RFC 8200 §5 */
#define FIN_IPV6_EXT_MAX    8    /**< extension headers walked before a datagram is refused */
#define FIN_TCP_HDR_MIN     20   /**< TCP header without options */
#define FIN_TCP_OPT_MAX     40   /**< largest TCP options area */
#define FIN_SACK_MAX_BLOCKS 4    /**< SACK blocks kept from one segment */
/** @} */
/** @name Fast Open cookie lengths (RFC 7413 §4.1.1: 4 to 16 bytes, even) */
/** @{ */
#define FIN_TCP_FO_COOKIE_MIN 4  /**< shortest cookie */
#define FIN_TCP_FO_COOKIE_MAX 16 /**< longest cookie */
/** @} */

/** One SACK block (RFC 2018 §3): the bytes [left, right) were received. */
struct fin_sack_block {
  uint32_t left;  /**< first sequence number of the block */
  uint32_t right; /**< sequence number just after the block */
};

/** Parsed TCP options (RFC 9293 §3.2, RFC 7323, RFC 2018). */
struct fin_tcp_opts {
  bool has_mss;        /**< an MSS option was present */
  bool has_wscale;     /**< a window scale option was present */
  bool sack_permitted; /**< SACK-permitted was present */
  bool has_ts;         /**< a timestamps option was present */
  uint16_t mss;        /**< the MSS value */
  uint8_t wscale;      /**< shift as received; callers clamp to 14 (RFC 7323 §2.3) */
  uint32_t ts_val;     /**< TSval */
  uint32_t ts_ecr;     /**< TSecr */
  uint8_t sack_count;  /**< SACK blocks in sack[] */
  struct fin_sack_block sack[FIN_SACK_MAX_BLOCKS]; /**< the SACK blocks */
  /* RFC 7413 §4.1.1: the Fast Open option, kind 34, or kind 254 with the
   * ExID 0xF989 (RFC 6994, the form before kind 34 was assigned). */
  bool has_fo;                              /**< a Fast Open option was present */
  bool fo_exp;                              /**< in the experimental form */
  uint8_t fo_len;                           /**< the cookie's length as received (0: a request) */
  uint8_t fo_cookie[FIN_TCP_FO_COOKIE_MAX]; /**< its first FIN_TCP_FO_COOKIE_MAX bytes */
};

/** A parsed TCP segment of either family (fin_tcp_parse()), or one to build
 * (fin_tcp_build()). Pointers refer into the caller's datagram. */
struct fin_segment {
  struct fin_addr saddr;    /**< source address */
  struct fin_addr daddr;    /**< destination address */
  uint8_t ttl;              /**< IPv4 TTL, IPv6 hop limit */
  uint8_t tos;              /**< IPv4 type of service, IPv6 traffic class */
  uint16_t ip_id;           /**< IPv4 only */
  uint32_t flowlabel;       /**< IPv6 only (20 bits) */
  uint16_t sport;           /**< source port, host byte order */
  uint16_t dport;           /**< destination port, host byte order */
  uint32_t seq;             /**< SEG.SEQ */
  uint32_t ack;             /**< SEG.ACK */
  uint8_t flags;            /**< FIN_TCP_* */
  uint16_t wnd;             /**< raw header value, unscaled */
  uint16_t urg;             /**< urgent pointer */
  uint8_t data_offset;      /**< TCP header length, bytes */
  struct fin_tcp_opts opts; /**< parsed options */
  const uint8_t *payload;   /**< the data, inside the caller's datagram */
  uint32_t payload_len;     /**< SEG.LEN without SYN and FIN */
};

/** Why a datagram was rejected. 0 = accepted. Each maps to one counter. */
enum fin_wire_error {
  FIN_WIRE_OK = 0,          /**< accepted */
  FIN_WIRE_IP_TRUNCATED,    /**< shorter than an IPv4 / IPv6 header */
  FIN_WIRE_IP_VERSION,      /**< version neither 4 nor 6 */
  FIN_WIRE_IP_HEADER_LEN,   /**< IHL < 5 or past the datagram */
  FIN_WIRE_IP_TOTAL_LEN,    /**< total length < IHL*4 or > datagram length */
  FIN_WIRE_IP_CHECKSUM,     /**< bad IPv4 header checksum */
  FIN_WIRE_IP_OPTIONS,      /**< malformed IP options (bad length, past header) */
  FIN_WIRE_IP_FRAGMENT,     /**< MF set or fragment offset != 0: fragments are dropped */
  FIN_WIRE_IP_MARTIAN,      /**< source or destination 0, multicast, broadcast, 240/4 (127/8
                             * allowed); IPv6: unspecified or multicast source, multicast
                             * destination, an IPv4-mapped address on the wire */
  FIN_WIRE_IP_PROTOCOL,     /**< neither TCP nor ICMP / ICMPv6 */
  FIN_WIRE_TCP_TRUNCATED,   /**< shorter than a TCP header */
  FIN_WIRE_TCP_DATA_OFFSET, /**< data offset < 5 or past the segment */
  FIN_WIRE_TCP_CHECKSUM,    /**< bad TCP checksum */
  FIN_WIRE_TCP_OPTION,      /**< option length 0/1, past the header, or wrong fixed length */
  FIN_WIRE_TCP_FLAGS,       /**< illegal flag combination (SYN+RST) */
  FIN_WIRE_TCP_PORT_ZERO,   /**< source or destination port 0 */
  FIN_WIRE_ICMP_MALFORMED,  /**< an ICMP error too short to name a TCP segment */
  FIN_WIRE_IP6_EXT_HEADER,  /**< an IPv6 extension header malformed, misplaced, too many or
                             * too long */
  FIN_WIRE_IP6_ROUTING,     /**< a routing header with segments left: not for this host */
  FIN_WIRE_ERROR_COUNT      /**< number of values (not an error) */
};
/** The name of a wire error.
 * @param e any value
 * @return a static string ("tcp-checksum"...); "?" outside the enum */
const char *fin_wire_error_name(enum fin_wire_error e);

/** Adds bytes to an Internet checksum (RFC 1071). Chain it over pieces of
 * any length, odd ones included: bit 31 of the partial sum records an odd
 * byte count, so chain the returned value, never add two partial sums.
 * @param sum 0 to start, or a pseudo-header sum of host-order 16-bit fields,
 *        or the value a previous call returned
 * @param data the bytes
 * @param len their count
 * @return the partial sum, for another call or fin_csum_fold() */
uint32_t fin_csum_add(uint32_t sum, const void *data, size_t len);
/** Finishes an Internet checksum.
 * @param sum a partial sum from fin_csum_add()
 * @return the one's complement of the folded sum: the value for a checksum
 *         field, and 0 when verifying data that includes a correct checksum */
uint16_t fin_csum_fold(uint32_t sum);
/** The Internet checksum of a 20-byte IPv4 header (RFC 791 §3.1), in five
 * word loads: the fast path of fin_csum_fold(fin_csum_add(0, hdr, 20)).
 * @param hdr the header, any alignment; exactly 20 bytes are read
 * @return the value for the checksum field when that field holds zero, and
 *         0 over a received header whose checksum is right */
uint16_t fin_csum_ipv4_header(const uint8_t *hdr);

/** The IP layer of a datagram of either family, once validated: addresses,
 * the upper-layer protocol (after any IPv6 extension headers) and its bytes.
 * Pointers refer into the caller's datagram. */
struct fin_ip_info {
  uint8_t version;        /**< 4 or 6 */
  uint8_t proto;          /**< IPv4 protocol / the IPv6 next header after the extension headers */
  uint8_t ttl;            /**< IPv4 TTL, IPv6 hop limit */
  uint8_t tos;            /**< IPv4 type of service, IPv6 traffic class */
  uint16_t ip_id;         /**< IPv4 identification */
  uint32_t flowlabel;     /**< IPv6 flow label */
  struct fin_addr saddr;  /**< source address */
  struct fin_addr daddr;  /**< destination address */
  const uint8_t *payload; /**< the upper-layer bytes, inside the caller's datagram */
  size_t payload_len;     /**< their length */
};

/** Validates an IPv4 header (RFC 791, options validated) or an IPv6 header
 * and its extension headers (RFC 8200 §4: at most FIN_IPV6_EXT_MAX, hop-by-hop
 * first only, fragments refused, a routing header with segments left refused)
 * and finds the upper-layer payload. Any byte sequence is safe.
 * @param dgram the datagram
 * @param len its length
 * @param out filled on FIN_WIRE_OK; pointers into dgram
 * @return FIN_WIRE_OK or why it was rejected */
enum fin_wire_error fin_ip_parse(const uint8_t *dgram, size_t len, struct fin_ip_info *out);

/** Parses a whole IPv4+TCP or IPv6+TCP datagram, checksums included. Any
 * byte sequence is safe.
 * @param dgram the datagram
 * @param len its length
 * @param seg filled on FIN_WIRE_OK (pointers into dgram); on an error it is
 *        left partly filled and must not be used
 * @return FIN_WIRE_OK or why it was rejected */
enum fin_wire_error fin_tcp_parse(const uint8_t *dgram, size_t len, struct fin_segment *seg);

/** Parses a TCP options area (strict: any malformed option rejects the
 * segment). SACK blocks beyond FIN_SACK_MAX_BLOCKS are ignored.
 * @param opt the options area
 * @param len its length (0..40)
 * @param out the options found
 * @return FIN_WIRE_OK or FIN_WIRE_TCP_OPTION */
enum fin_wire_error fin_tcp_opts_parse(const uint8_t *opt, size_t len, struct fin_tcp_opts *out);

/** What an ICMP or ICMPv6 error means for the TCP connection it is about
 * (RFC 1122 4.2.3.9, RFC 4443, RFC 5927; BEHAVIOR J6). */
enum fin_icmp_kind {
  FIN_ICMP_SOFT = 0, /**< never aborts (MUST-56) */
  FIN_ICMP_HARD,     /**< protocol or port unreachable: aborts a connection attempt */
  FIN_ICMP_TOO_BIG,  /**< fragmentation needed / packet too big: lowers the path MTU */
};

/** An ICMP (IPv4) or ICMPv6 error about one of our TCP segments. */
struct fin_icmp_error {
  uint8_t version;         /**< 4: ICMP, 6: ICMPv6 */
  uint8_t type;            /**< ICMP type */
  uint8_t code;            /**< ICMP code */
  enum fin_icmp_kind kind; /**< what it means for TCP */
  struct fin_addr saddr;   /**< source of the quoted (our) segment */
  struct fin_addr daddr;   /**< destination of the quoted segment */
  uint16_t sport;          /**< source port of the quoted segment */
  uint16_t dport;          /**< destination port of the quoted segment */
  uint32_t seq;            /**< SEG.SEQ of the quoted segment */
  struct fin_addr from;    /**< who sent the error */
  uint32_t mtu; /**< FIN_ICMP_TOO_BIG: next-hop MTU (RFC 1191 §4, RFC 4443 §3.2), else 0 */
};
/** Parses a datagram carrying an ICMP error (IPv4 types 3, 4, 11, 12) or an
 * ICMPv6 error (types 1-4) that quotes at least 8 bytes of a TCP header.
 * @param dgram the datagram
 * @param len its length
 * @param err filled on FIN_WIRE_OK
 * @return FIN_WIRE_OK; FIN_WIRE_IP_PROTOCOL for other ICMP and ICMPv6 types;
 *         FIN_WIRE_ICMP_MALFORMED or an IP error otherwise */
enum fin_wire_error fin_icmp_parse(const uint8_t *dgram, size_t len, struct fin_icmp_error *err);

/** What to put in the options area of an outgoing segment. */
struct fin_tcp_opts_out {
  bool mss;                                        /**< write an MSS option */
  bool wscale;                                     /**< write a window scale option */
  bool sack_permitted;                             /**< write SACK-permitted */
  bool ts;                                         /**< write timestamps */
  uint16_t mss_value;                              /**< the MSS */
  uint8_t wscale_value;                            /**< the shift */
  uint32_t ts_val;                                 /**< TSval */
  uint32_t ts_ecr;                                 /**< TSecr */
  uint8_t sack_count;                              /**< SACK blocks to write */
  struct fin_sack_block sack[FIN_SACK_MAX_BLOCKS]; /**< the blocks */
  /* RFC 7413 §4.1.1 (SYN and SYN-ACK layouts only); left out when the
   * area has no room for it. */
  bool fo;                                  /**< write a Fast Open option */
  bool fo_exp;                              /**< in the experimental form (kind 254, 0xF989) */
  uint8_t fo_len;                           /**< cookie bytes (0: a cookie request) */
  uint8_t fo_cookie[FIN_TCP_FO_COOKIE_MAX]; /**< the cookie */
};

/** Writes a TCP options area, padded to a multiple of 4.
 * @param out at least FIN_TCP_OPT_MAX bytes
 * @param o what to write
 * @param layout the option order (Linux or FreeBSD)
 * @param syn use the SYN/SYN-ACK layout
 * @return its length (<= 40) */
size_t fin_tcp_opts_write(uint8_t *out, const struct fin_tcp_opts_out *o,
                          enum fin_option_layout layout, bool syn);

/** Builds a TCP datagram of the family of seg.saddr/seg.daddr: a 20-byte
 * IPv4 header (DF set, id from seg.ip_id, ttl from seg.ttl) or a 40-byte IPv6
 * header (hop limit seg.ttl, traffic class seg.tos, flow label
 * seg.flowlabel), TCP header, options, then payload1 + payload2 (a ring may
 * hand over its data in two pieces). Fills the checksums. seg.opts,
 * seg.payload, seg.payload_len and seg.data_offset are ignored; options come
 * from opt/opt_len, and are not copied when opt already points where they go
 * (right after the 20-byte TCP header in buf).
 * @param buf where the datagram goes
 * @param cap its size
 * @param seg addresses, ports, sequence numbers, flags, window
 * @param opt an options area (fin_tcp_opts_write()), or NULL
 * @param opt_len its length, a multiple of 4
 * @param payload1 first piece of data, or NULL
 * @param len1 its length
 * @param payload2 second piece of data, or NULL
 * @param len2 its length
 * @return the datagram length, 0 if it does not fit in cap or the families of
 *         the two addresses differ */
size_t fin_tcp_build(uint8_t *buf, size_t cap, const struct fin_segment *seg, const uint8_t *opt,
                     size_t opt_len, const uint8_t *payload1, size_t len1, const uint8_t *payload2,
                     size_t len2);

/** Software segmentation offload: one piece of a super-segment
 * (fin_stack_output_gso()), cut every gso_size payload bytes. Piece index
 * has the headers with its own IP length and checksum, the sequence number
 * of its first byte, FIN and PSH only if it is the last, CWR only if it is
 * the first, and its TCP checksum: exactly the segment fin_stack_output()
 * would have sent.
 * @param dgram the super-segment (a TCP datagram of either family)
 * @param len its length
 * @param gso_size payload bytes per piece; 0 (or a payload no larger)
 *        makes the datagram its only piece
 * @param index 0 for the first piece
 * @param out where the piece goes
 * @param cap its size
 * @return the piece's length; 0 past the last piece, when the piece does
 *         not fit in cap, or when dgram is not a TCP datagram */
size_t fin_gso_segment(const uint8_t *dgram, size_t len, uint16_t gso_size, size_t index,
                       uint8_t *out, size_t cap);
/** Completes a TCP datagram whose payload was written in place: dgram
 * holds what fin_tcp_build() made without payload (hdr_len bytes), then
 * payload_len bytes of data; sets the IP length (and IPv4 header checksum)
 * and the TCP checksum for the whole. The engine builds super-segments so.
 * @param dgram the datagram, changed in place
 * @param hdr_len the length fin_tcp_build() returned
 * @param payload_len the data after it
 * @return the datagram's length, 0 if dgram is not such a datagram or the
 *         total exceeds FIN_GSO_DATAGRAM_MAX */
size_t fin_tcp_fill_placed(uint8_t *dgram, size_t hdr_len, size_t payload_len);
/** How many pieces fin_gso_segment() cuts a datagram into.
 * @param dgram the datagram
 * @param len its length
 * @param gso_size payload bytes per piece, or 0
 * @return the count (1 for a datagram that is not cut), 0 if dgram is not a
 *         TCP datagram */
size_t fin_gso_count(const uint8_t *dgram, size_t len, uint16_t gso_size);
/** For a device that completes checksums (CHECKSUM_PARTIAL, virtio
 * VIRTIO_NET_HDR_F_NEEDS_CSUM): replaces a TCP datagram's checksum with the
 * folded pseudo-header sum, which the device adds the TCP header and data to.
 * @param dgram the datagram, changed in place
 * @param len its length
 * @param csum_start set to where the TCP header starts (the checksum field is
 *        16 bytes further)
 * @retval 0 done
 * @retval -EINVAL not a TCP datagram */
int fin_csum_partial_tcp(uint8_t *dgram, size_t len, uint16_t *csum_start);
/** Completes a partial checksum as a device would: the Internet checksum
 * of buf[csum_start..len), whose field at csum_start + csum_offset holds the
 * pseudo-header sum, stored into that field.
 * @param buf the datagram, changed in place
 * @param len its length
 * @param csum_start where the summed bytes begin
 * @param csum_offset where the field is, from csum_start
 * @retval 0 done
 * @retval -EINVAL the field lies outside the datagram */
int fin_csum_complete(uint8_t *buf, size_t len, size_t csum_start, size_t csum_offset);

/** Flags as text for logs, in tcpdump order (SYN,FIN,RST,PSH,ACK,URG,ECE,CWR).
 * @param flags FIN_TCP_* bits
 * @param buf where the text goes: 32 bytes hold all eight flags; a shorter
 *        buffer gets only the names that fit
 * @param cap its size
 * @return buf: "SYN,ACK", or "none" for 0 */
const char *fin_tcp_flags_str(uint8_t flags, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
