/* SPDX-License-Identifier: MIT */
/* Printable names for wire errors and TCP flags (logs, ladder diagrams). */
#include "fin/wire.h"

#include <string.h>

const char *fin_wire_error_name(enum fin_wire_error e) {
  static const char *const names[FIN_WIRE_ERROR_COUNT] = {
      [FIN_WIRE_OK] = "ok",
      [FIN_WIRE_IP_TRUNCATED] = "ip-truncated",
      [FIN_WIRE_IP_VERSION] = "ip-version",
      [FIN_WIRE_IP_HEADER_LEN] = "ip-header-len",
      [FIN_WIRE_IP_TOTAL_LEN] = "ip-total-len",
      [FIN_WIRE_IP_CHECKSUM] = "ip-checksum",
      [FIN_WIRE_IP_OPTIONS] = "ip-options",
      [FIN_WIRE_IP_FRAGMENT] = "ip-fragment",
      [FIN_WIRE_IP_MARTIAN] = "ip-martian",
      [FIN_WIRE_IP_PROTOCOL] = "ip-protocol",
      [FIN_WIRE_TCP_TRUNCATED] = "tcp-truncated",
      [FIN_WIRE_TCP_DATA_OFFSET] = "tcp-data-offset",
      [FIN_WIRE_TCP_CHECKSUM] = "tcp-checksum",
      [FIN_WIRE_TCP_OPTION] = "tcp-option",
      [FIN_WIRE_TCP_FLAGS] = "tcp-flags",
      [FIN_WIRE_TCP_PORT_ZERO] = "tcp-port-zero",
      [FIN_WIRE_ICMP_MALFORMED] = "icmp-malformed",
  };
  if ((unsigned)e >= FIN_WIRE_ERROR_COUNT)
    return "?";
  return names[e];
}

/* tcpdump's order (print-tcp.c tcp_flag_values): SYN first, so a SYN-ACK
 * reads "SYN,ACK". */
static const struct {
  uint8_t bit;
  char name[4];
} flag_names[] = {
    {FIN_TCP_SYN, "SYN"}, {FIN_TCP_FIN, "FIN"}, {FIN_TCP_RST, "RST"}, {FIN_TCP_PSH, "PSH"},
    {FIN_TCP_ACK, "ACK"}, {FIN_TCP_URG, "URG"}, {FIN_TCP_ECE, "ECE"}, {FIN_TCP_CWR, "CWR"},
};

/* Writes whole names only: a short buffer gets the first flags that fit,
 * never a cut name or a dangling comma. */
const char *fin_tcp_flags_str(uint8_t flags, char *buf, size_t cap) {
  if (cap == 0)
    return "";
  buf[0] = '\0';
  if (flags == 0) {
    if (cap > 4)
      memcpy(buf, "none", 5);
    return buf;
  }
  size_t n = 0;
  for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
    if (!(flags & flag_names[i].bit))
      continue;
    if (n + (n > 0) + 3 + 1 > cap)
      break;
    if (n > 0)
      buf[n++] = ',';
    memcpy(buf + n, flag_names[i].name, 4);
    n += 3;
  }
  return buf;
}
