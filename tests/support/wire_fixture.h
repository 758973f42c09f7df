/* SPDX-License-Identifier: MIT */
/* Test helpers for the wire layer: a default segment, datagrams with raw
 * TCP or IP options, and checksum repair after a test edits header bytes
 * (so a test reaches the check it targets instead of a checksum error). */
#ifndef FIN_WIRE_FIXTURE_H
#define FIN_WIRE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "fin/addr.h"
#include "fin/wire.h"

#define WF_SADDR 0x0a000001u /* 10.0.0.1 */
#define WF_DADDR 0x0a000002u /* 10.0.0.2 */

/* 10.0.0.1:40000 -> 10.0.0.2:80, ACK, seq 1000, ack 2000, wnd 502. */
void wf_segment_default(struct fin_segment *seg);

/* A valid datagram with seg's fields, the given raw options (multiple of 4)
 * and payload_len bytes of payload (i * 7 + 3). Returns its length. */
size_t wf_build_raw(uint8_t *buf, size_t cap, const struct fin_segment *seg, const uint8_t *opt,
                    size_t opt_len, size_t payload_len);

/* The default ACK with TS val 0x01020304 ecr 0x05060708 (NOP,NOP,TS) and
 * payload_len bytes of payload. */
size_t wf_build_ts_segment(uint8_t *buf, size_t cap, size_t payload_len);

/* Recomputes the IPv4 header checksum (over IHL*4 bytes, which must fit). */
void wf_fix_ip_checksum(uint8_t *d);

/* Recomputes the TCP checksum over total-length minus IHL*4 bytes. */
void wf_fix_tcp_checksum(uint8_t *d);

/* Inserts raw IP options (multiple of 4) after the 20-byte IP header,
 * updating IHL, total length and the IP checksum. Returns the new length,
 * 0 if it does not fit in cap. */
size_t wf_insert_ip_options(uint8_t *d, size_t len, size_t cap, const uint8_t *opt, size_t opt_len);

/* ---- IPv6 ---- */

/* fd00::1:40000 -> fd00::2:80, ACK, seq 1000, ack 2000, wnd 502, hop
 * limit 64. */
void wf_segment_default_v6(struct fin_segment *seg);

/* The IPv6 default with NOP,NOP,TS and payload_len bytes of payload (80
 * bytes with 8 of payload). */
size_t wf_build_ts_segment_v6(uint8_t *buf, size_t cap, size_t payload_len);

/* Inserts raw extension headers (ext_len bytes) between the 40-byte IPv6
 * header and what follows it: the header's next header becomes first_nh
 * and its payload length grows by ext_len. The chain's own next-header
 * bytes are the caller's. Returns the new length, 0 if it does not fit. The
 * upper-layer checksum does not change (RFC 8200 §8.1: it covers the
 * upper-layer packet, not the extension headers). */
size_t wf_insert_ipv6_ext(uint8_t *d, size_t len, size_t cap, uint8_t first_nh, const uint8_t *ext,
                          size_t ext_len);

/* Recomputes the checksum of the upper-layer packet (TCP or ICMPv6, by
 * proto) that starts at off and runs to the end of the IPv6 payload. */
void wf_fix_ipv6_checksum(uint8_t *d, size_t off, uint8_t proto);

#endif
