/* SPDX-License-Identifier: MIT */
/* ICMP packet lines (README §1a.5): "< icmp unreachable port_unreachable
 * [0:0(0)]" parses into a type, a code, an optional next-hop MTU and the
 * sequence range of the TCP segment it is about; injected, it is an ICMP
 * error quoting that segment as fin sent it (RFC 792: IP header and the
 * first 8 bytes of TCP). The engine acts on it per BEHAVIOR J6. */
#include <stdio.h>
#include <string.h>

#include "script/parse_internal.h"
#include "script/run.h"

struct icmp_name {
  const char *name;
  uint8_t value;
};

/* ICMPv4 types and codes by packetdrill's names (RFC 792, RFC 1812). */
static const struct icmp_name types[] = {
    {"echo_reply", 0},         {"unreachable", 3},        {"source_quench", 4},
    {"redirect", 5},           {"echo_request", 8},       {"time_exceeded", 11},
    {"parameter_problem", 12}, {"timestamp_request", 13}, {"timestamp_reply", 14},
};

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

static const struct icmp_name other_codes[] = {
    {"ttl_exceeded", 0}, {"ttl_exceeded_in_transit", 0}, {"frag_reass_exceeded", 1},
    {"redirect_net", 0}, {"redirect_host", 1},
};

/* ICMPv6 names (RFC 4443) that ICMPv4 does not use, with their ICMPv6
 * values: IPv6 scripts parse, and stop at --ip_version (issue 10). */
static const struct icmp_name v6_names[] = {
    {"packet_too_big", 2},      {"no_route", 0},
    {"admin_prohibited", 1},    {"beyond_scope", 2},
    {"address_unreachable", 3}, {"source_policy_failed", 5},
    {"reject_route", 6},        {"exceeded_hop_limit", 0},
    {"reassembly_exceeded", 1}, {"erroneous_header", 0},
    {"unknown_next_header", 1}, {"unrecognized_ipv6_option", 2},
    {"not_neighbour", 2},       {"header_field", 0},
    {"unknown_option", 2},      {"exceeded_frag_time", 1},
};

static bool lookup(const struct icmp_name *t, size_t n, const char *name, uint8_t *out) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(t[i].name, name) == 0)
      return (*out = t[i].value, true);
  unsigned v;
  if (strncmp(name, "code_", 5) == 0 && sscanf(name + 5, "%u", &v) == 1 && v < 256)
    return (*out = (uint8_t)v, true); /* code_N for any type */
  for (size_t i = 0; i < sizeof(v6_names) / sizeof(v6_names[0]); i++)
    if (strcmp(v6_names[i].name, name) == 0)
      return (*out = v6_names[i].value, true);
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
  char name[40];
  struct script_loc loc = fin_script_p_peek(p)->loc;
  if (!word(p, name, sizeof(name)) ||
      !lookup(types, sizeof(types) / sizeof(types[0]), name, &ic->type))
    return fin_script_p_expected(p, "an ICMP type (unreachable, time_exceeded, source_quench, "
                                    "redirect, parameter_problem, ...)");
  fin_script_p_next(p);
  if (!word(p, name, sizeof(name)) || strcmp(name, "mtu") == 0)
    return true; /* no code: 0 */
  bool ok =
      ic->type == 3
          ? lookup(unreachable_codes, sizeof(unreachable_codes) / sizeof(unreachable_codes[0]),
                   name, &ic->code)
          : lookup(other_codes, sizeof(other_codes) / sizeof(other_codes[0]), name, &ic->code);
  if (!ok)
    return fin_script_p_fail_at(p, loc, "ICMP code '%s' is not known for this type", name);
  fin_script_p_next(p);
  return true;
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

/* RFC 792 / RFC 1191: type, code, checksum, then the unused word with the
 * next-hop MTU in its low half for "fragmentation needed", then the quote:
 * the IP header and the first 8 bytes of the TCP header fin sent. */
static size_t build_icmp(const struct script_run *r, const struct script_packet *pk, uint8_t *buf,
                         const uint8_t *quote, size_t qlen) {
  uint8_t *ip = buf, *m = buf + FIN_IPV4_HDR_MIN;
  size_t total = FIN_IPV4_HDR_MIN + 8 + qlen;
  memset(buf, 0, total);
  ip[0] = 0x45;
  ip[1] = pk->has_tos ? pk->tos : 0;
  put16(ip + 2, (uint32_t)total);
  ip[8] = pk->has_ttl ? pk->ttl : 64;
  ip[9] = FIN_IPPROTO_ICMP;
  memcpy(ip + 12, r->remote_addr.b + 12, 4);
  memcpy(ip + 16, r->local_addr.b + 12, 4);
  put16(ip + 10, fin_csum_fold(fin_csum_add(0, ip, FIN_IPV4_HDR_MIN)));
  m[0] = pk->icmp.type;
  m[1] = pk->icmp.code;
  if (pk->icmp.has_mtu)
    put16(m + 6, pk->icmp.mtu);
  memcpy(m + 8, quote, qlen);
  put16(m + 2, fin_csum_fold(fin_csum_add(0, m, 8 + qlen)));
  return total;
}

bool fin_script_inject_icmp(struct script_run *r, const struct script_event *ev) {
  const struct script_packet *pk = &ev->packet;
  if (pk->has_flowlabel)
    return fin_script_fail(r, ev,
                           "(flowlabel N) needs IPv6, which fin does not speak yet (issue 10)");
  if (pk->udp_encap)
    return fin_script_fail(r, ev, "out of scope: FreeBSD TCP-over-UDP encapsulation");
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
  uint8_t seg[64], buf[128];
  if (fin_tcp_build(seg, sizeof(seg), &q, NULL, 0, NULL, 0, NULL, 0) == 0)
    return fin_script_fail(r, ev, "could not build the quoted segment");
  size_t n = build_icmp(r, pk, buf, seg, FIN_IPV4_HDR_MIN + 8);
  fin_script_note(r, "inject < icmp type %u code %u about seq %u", pk->icmp.type, pk->icmp.code,
                  q.seq);
  fin_stack_input(r->st, buf, n, r->now);
  return true;
}

bool fin_script_icmp_matches(const struct script_run *r, const struct script_packet *pk,
                             const uint8_t *buf, size_t len, char *why, size_t cap) {
  (void)r;
  if (len < FIN_IPV4_HDR_MIN + 8 || buf[9] != FIN_IPPROTO_ICMP) {
    snprintf(why, cap, "fin sent a TCP segment, the script expects ICMP type %u code %u",
             pk->icmp.type, pk->icmp.code);
    return false;
  }
  size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
  if (ihl + 2 > len || buf[ihl] != pk->icmp.type || buf[ihl + 1] != pk->icmp.code) {
    snprintf(why, cap, "ICMP type/code differ");
    return false;
  }
  return true;
}
