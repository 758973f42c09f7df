/* SPDX-License-Identifier: MIT */
/* ICMP packet lines (README §1a.5): "< icmp unreachable port_unreachable
 * [0:0(0)]" parses into a type, a code, an optional next-hop MTU and the
 * sequence range of the TCP segment it is about; injected, it is an ICMP
 * error (or, with --ip_version=ipv6, an ICMPv6 one) quoting that segment
 * as fin sent it (RFC 792, RFC 4443 §2.4: IP header and the first 8 bytes
 * of TCP). The engine acts on it per BEHAVIOR J6. */
#include <stdio.h>
#include <string.h>

#include "script/parse_internal.h"
#include "script/run.h"

struct icmp_name {
  const char *name;
  uint8_t value;
};

struct icmp_type {
  const char *name;
  uint8_t value;
  const struct icmp_name *codes; /* NULL: only code_N, or none */
  size_t code_count;
};

#define TABLE(t) t, sizeof(t) / sizeof(t[0])

/* ICMPv4 types and codes by packetdrill's names (RFC 792, RFC 1812). */
static const struct icmp_name unreachable_codes[] = {
    {"net_unreachable", 0},
    {"host_unreachable", 1},
    {"protocol_unreachable", 2},
    {"port_unreachable", 3},
    {"frag_needed", 4},
    {"source_route_failed", 5},
    {"net_unknown", 6},
    {"host_unknown", 7},
    {"source_host_isolated", 8},
    {"net_prohibited", 9},
    {"host_prohibited", 10},
    {"net_unreachable_for_tos", 11},
    {"host_unreachable_for_tos", 12},
    {"packet_filtered", 13},
    {"precedence_violation", 14},
    {"precedence_cutoff", 15},
};

static const struct icmp_name time_exceeded_codes[] = {
    {"ttl_exceeded", 0},
    {"ttl_exceeded_in_transit", 0},
    {"frag_reass_exceeded", 1},
};

static const struct icmp_name redirect_codes[] = {{"redirect_net", 0}, {"redirect_host", 1}};

static const struct icmp_type v4_types[] = {
    {"echo_reply", 0, NULL, 0},         {"unreachable", 3, TABLE(unreachable_codes)},
    {"source_quench", 4, NULL, 0},      {"redirect", 5, TABLE(redirect_codes)},
    {"echo_request", 8, NULL, 0},       {"time_exceeded", 11, TABLE(time_exceeded_codes)},
    {"parameter_problem", 12, NULL, 0}, {"timestamp_request", 13, NULL, 0},
    {"timestamp_reply", 14, NULL, 0},
};

/* ICMPv6 (RFC 4443 §3, §4) by packetdrill's names, with RFC 4443's
 * spellings beside them. */
static const struct icmp_name v6_unreachable_codes[] = {
    {"no_route", 0},
    {"admin_prohibited", 1},
    {"beyond_scope", 2},
    {"not_neighbour", 2},
    {"address_unreachable", 3},
    {"port_unreachable", 4},
    {"source_policy_failed", 5},
    {"reject_route", 6},
};

static const struct icmp_name v6_time_exceeded_codes[] = {
    {"exceeded_hop_limit", 0},
    {"exceeded_frag_time", 1},
    {"reassembly_exceeded", 1},
};

static const struct icmp_name v6_param_codes[] = {
    {"header_field", 0},   {"erroneous_header", 0},         {"unknown_next_header", 1},
    {"unknown_option", 2}, {"unrecognized_ipv6_option", 2},
};

static const struct icmp_type v6_types[] = {
    {"unreachable", 1, TABLE(v6_unreachable_codes)},
    {"packet_too_big", 2, NULL, 0},
    {"time_exceeded", 3, TABLE(v6_time_exceeded_codes)},
    {"parameter_problem", 4, TABLE(v6_param_codes)},
    {"echo_request", 128, NULL, 0},
    {"echo_reply", 129, NULL, 0},
};

/* "type_N"/"code_N" (tcpdump's notation, packetdrill takes it too). */
static bool numbered(const char *name, const char *prefix, uint8_t *out) {
  size_t n = strlen(prefix);
  unsigned v;
  char extra;
  if (strncmp(name, prefix, n) != 0 || sscanf(name + n, "%u%c", &v, &extra) != 1 || v > 255)
    return false;
  *out = (uint8_t)v;
  return true;
}

/* One family's reading of "type [code]": false if it names no message. */
static bool resolve(const struct icmp_type *t, size_t n, const char *type, const char *code,
                    uint8_t *type_out, uint8_t *code_out) {
  const struct icmp_type *found = NULL;
  for (size_t i = 0; i < n && !found; i++)
    if (strcmp(t[i].name, type) == 0)
      found = &t[i];
  if (found)
    *type_out = found->value;
  else if (!numbered(type, "type_", type_out))
    return false;
  *code_out = 0; /* no code: 0 */
  if (!code || numbered(code, "code_", code_out))
    return true;
  for (size_t i = 0; found && i < found->code_count; i++)
    if (strcmp(found->codes[i].name, code) == 0)
      return (*code_out = found->codes[i].value, true);
  return false;
}

static bool word(struct parser *p, char *buf, size_t cap) {
  struct script_token *t = fin_script_p_peek(p);
  if (t->kind != TOK_WORD)
    return false;
  snprintf(buf, cap, "%.*s", (int)t->len, t->text);
  return true;
}

static bool parse_type_code(struct parser *p, struct script_icmp *ic) {
  char type[40], code[40];
  struct script_loc loc = fin_script_p_peek(p)->loc;
  if (!word(p, type, sizeof(type)))
    return fin_script_p_expected(p, "an ICMP type (unreachable, time_exceeded, source_quench, "
                                    "packet_too_big, parameter_problem, ...)");
  fin_script_p_next(p);
  bool has_code = word(p, code, sizeof(code)) && strcmp(code, "mtu") != 0;
  if (has_code)
    fin_script_p_next(p);
  const char *c = has_code ? code : NULL;
  ic->v4 = resolve(TABLE(v4_types), type, c, &ic->type, &ic->code);
  ic->v6 = resolve(TABLE(v6_types), type, c, &ic->type6, &ic->code6);
  if (ic->v4 || ic->v6)
    return true;
  if (!resolve(TABLE(v4_types), type, NULL, &ic->type, &ic->code) &&
      !resolve(TABLE(v6_types), type, NULL, &ic->type6, &ic->code6))
    return fin_script_p_fail_at(p, loc, "'%s' is not an ICMP or ICMPv6 type", type);
  return fin_script_p_fail_at(p, loc, "ICMP code '%s' is not known for this type", code);
}

/* [start:end(len)]: the TCP segment the message is about (fin's numbers,
 * relative to its ISN like any fin-side sequence number). */
static bool parse_echoed(struct parser *p, struct script_packet *pk) {
  if (!fin_script_p_accept_punct(p, '['))
    return true;
  if (fin_script_p_is_word(p, "udp"))
    return fin_script_p_expected(p, "a TCP segment start:end(len) (fin has no UDP)");
  pk->icmp.has_echoed = true;
  if (!fin_script_p_expect_uint(p, "start:end(len) of the quoted segment", &pk->start) ||
      !fin_script_p_expect_punct(p, ':', "':' in start:end(len)") ||
      !fin_script_p_expect_uint(p, "the end sequence number", &pk->end) ||
      !fin_script_p_expect_punct(p, '(', "'(' in start:end(len)") ||
      !fin_script_p_expect_uint(p, "the payload length", &pk->len) ||
      !fin_script_p_expect_punct(p, ')', "')' in start:end(len)"))
    return false;
  return fin_script_parse_udp_suffix(p, pk) &&
         fin_script_p_expect_punct(p, ']', "']' after the quoted segment");
}

bool fin_script_parse_icmp(struct parser *p, struct script_packet *pk) {
  pk->is_icmp = true;
  if (!parse_type_code(p, &pk->icmp))
    return false;
  if (fin_script_p_is_word(p, "mtu")) {
    fin_script_p_next(p);
    pk->icmp.has_mtu = true;
    if (!fin_script_p_expect_uint(p, "the next-hop MTU", &pk->icmp.mtu))
      return false;
  }
  return parse_echoed(p, pk);
}

/* ---- running ---- */

static void put16(uint8_t *o, uint32_t v) {
  o[0] = (uint8_t)(v >> 8);
  o[1] = (uint8_t)v;
}

static void put32(uint8_t *o, uint32_t v) {
  put16(o, v >> 16);
  put16(o + 2, v);
}

/* The IP header of an injected message, from the peer to fin: RFC 791
 * (checksummed here) or RFC 8200 §3 (version, traffic class, flow label,
 * payload length, next header, hop limit). The prefix's TOS/class,
 * TTL/hlim and flow label are honoured. Returns the header's length. */
static size_t ip_header(const struct script_run *r, const struct script_packet *pk, uint8_t *ip,
                        size_t payload_len) {
  uint8_t tos = pk->has_tos ? pk->tos : 0, ttl = pk->has_ttl ? pk->ttl : 64;
  memset(ip, 0, FIN_IPV6_HDR_LEN);
  if (!fin_script_wire_v6(r)) {
    ip[0] = 0x45;
    ip[1] = tos;
    put16(ip + 2, (uint32_t)(FIN_IPV4_HDR_MIN + payload_len));
    ip[8] = ttl;
    ip[9] = FIN_IPPROTO_ICMP;
    memcpy(ip + 12, r->remote_addr.b + 12, 4);
    memcpy(ip + 16, r->local_addr.b + 12, 4);
    put16(ip + 10, fin_csum_fold(fin_csum_add(0, ip, FIN_IPV4_HDR_MIN)));
    return FIN_IPV4_HDR_MIN;
  }
  uint32_t flow = pk->has_flowlabel ? pk->flowlabel & 0xfffffu : 0;
  put32(ip, 6u << 28 | (uint32_t)tos << 20 | flow);
  put16(ip + 4, (uint32_t)payload_len);
  ip[6] = FIN_IPPROTO_ICMPV6;
  ip[7] = ttl;
  memcpy(ip + 8, r->remote_addr.b, 16);
  memcpy(ip + 24, r->local_addr.b, 16);
  return FIN_IPV6_HDR_LEN;
}

/* RFC 4443 §2.3: the ICMPv6 checksum covers the RFC 8200 §8.1
 * pseudo-header (addresses, 32-bit length, next header) too. */
static uint32_t icmp6_pseudo_sum(const struct script_run *r, size_t len) {
  uint8_t ph[40] = {0};
  memcpy(ph, r->remote_addr.b, 16);
  memcpy(ph + 16, r->local_addr.b, 16);
  put32(ph + 32, (uint32_t)len);
  ph[39] = FIN_IPPROTO_ICMPV6;
  return fin_csum_add(0, ph, sizeof(ph));
}

/* RFC 792 / RFC 4443: type, code, checksum, then the word that carries a
 * next-hop MTU (RFC 1191: the low half, for "fragmentation needed"; RFC
 * 4443 §3.2: all of it, for "packet too big"), then the quote: the IP
 * header and the first 8 bytes of the TCP header fin sent. */
static size_t build_icmp(const struct script_run *r, const struct script_packet *pk, uint8_t *buf,
                         const uint8_t *quote, size_t qlen) {
  bool v6 = fin_script_wire_v6(r);
  size_t mlen = 8 + qlen;
  size_t hlen = ip_header(r, pk, buf, mlen);
  uint8_t *m = buf + hlen;
  memset(m, 0, 8);
  m[0] = v6 ? pk->icmp.type6 : pk->icmp.type;
  m[1] = v6 ? pk->icmp.code6 : pk->icmp.code;
  if (pk->icmp.has_mtu && v6)
    put32(m + 4, pk->icmp.mtu);
  else if (pk->icmp.has_mtu)
    put16(m + 6, pk->icmp.mtu);
  memcpy(m + 8, quote, qlen);
  put16(m + 2, fin_csum_fold(fin_csum_add(v6 ? icmp6_pseudo_sum(r, mlen) : 0, m, mlen)));
  return hlen + mlen;
}

/* The line's message in the wire's family, or a failure naming why not. */
static bool family_message(struct script_run *r, const struct script_event *ev) {
  const struct script_icmp *ic = &ev->packet.icmp;
  if (fin_script_wire_v6(r) ? ic->v6 : ic->v4)
    return true;
  return fin_script_fail(r, ev, "the ICMP line names no %s message (its type or code is %s's)",
                         fin_script_wire_v6(r) ? "ICMPv6" : "ICMPv4",
                         fin_script_wire_v6(r) ? "ICMPv4" : "ICMPv6");
}

bool fin_script_inject_icmp(struct script_run *r, const struct script_event *ev) {
  const struct script_packet *pk = &ev->packet;
  if (pk->has_flowlabel && !fin_script_wire_v6(r))
    return fin_script_fail(r, ev, "(flowlabel N) is IPv6's; the script runs IPv4 (--ip_version)");
  if (pk->udp_encap)
    return fin_script_fail(r, ev, "out of scope: FreeBSD TCP-over-UDP encapsulation");
  if (!family_message(r, ev))
    return false;
  /* The quoted segment, as fin would have sent it on the connection under
   * test: its numbers are fin's (relative to its ISN). */
  struct fin_segment q = {
      .saddr = r->local_addr,
      .daddr = r->remote_addr,
      .ttl = 64,
      .sport = r->local_port,
      .dport = r->remote_port,
      .seq = pk->icmp.has_echoed ? fin_script_to_live(r, pk, pk->start) : 0,
      .flags = FIN_TCP_ACK,
  };
  uint8_t seg[FIN_IPV6_HDR_LEN + FIN_TCP_HDR_MIN], buf[2 * FIN_IPV6_HDR_LEN + 16];
  if (fin_tcp_build(seg, sizeof(seg), &q, NULL, 0, NULL, 0, NULL, 0) == 0)
    return fin_script_fail(r, ev, "could not build the quoted segment");
  size_t qlen = fin_script_headers_len(r) - FIN_TCP_HDR_MIN + 8;
  size_t n = build_icmp(r, pk, buf, seg, qlen);
  bool v6 = fin_script_wire_v6(r);
  fin_script_note(r, "inject < icmp%s type %u code %u about seq %u", v6 ? "v6" : "",
                  v6 ? pk->icmp.type6 : pk->icmp.type, v6 ? pk->icmp.code6 : pk->icmp.code, q.seq);
  fin_stack_input(r->st, buf, n, r->now);
  return true;
}

bool fin_script_icmp_matches(const struct script_run *r, const struct script_packet *pk,
                             const uint8_t *buf, size_t len, char *why, size_t cap) {
  bool v6 = fin_script_wire_v6(r);
  uint8_t type = v6 ? pk->icmp.type6 : pk->icmp.type, code = v6 ? pk->icmp.code6 : pk->icmp.code;
  struct fin_ip_info ip;
  if (fin_ip_parse(buf, len, &ip) != FIN_WIRE_OK ||
      ip.proto != (v6 ? FIN_IPPROTO_ICMPV6 : FIN_IPPROTO_ICMP) || ip.payload_len < 8) {
    snprintf(why, cap, "fin sent a TCP segment, the script expects %s type %u code %u",
             v6 ? "ICMPv6" : "ICMP", type, code);
    return false;
  }
  if (!(v6 ? pk->icmp.v6 : pk->icmp.v4) || ip.payload[0] != type || ip.payload[1] != code) {
    snprintf(why, cap, "ICMP type/code differ");
    return false;
  }
  return true;
}
