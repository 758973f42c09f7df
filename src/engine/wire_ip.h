/* SPDX-License-Identifier: MIT */
/* Private to the wire files: the IPv4 layer as TCP and ICMP parsing see it. */
#ifndef FIN_WIRE_IP_H
#define FIN_WIRE_IP_H

#include "fin/wire.h"

struct wire_ip {
  uint32_t saddr, daddr; /* host order */
  const uint8_t *payload;
  size_t payload_len;
};

/* fin_ipv4_parse, then FIN_WIRE_IP_PROTOCOL unless the datagram carries
 * proto. */
enum fin_wire_error fin_wire_ipv4_expect(const uint8_t *dgram, size_t len, uint8_t proto,
                                         struct wire_ip *ip);

#endif
