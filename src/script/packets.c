/* SPDX-License-Identifier: MIT */
/* Packets: building the peer's datagrams and comparing fin's with the
 * script (README §1a.5, §1a.6). fin-side numbers in the script are
 * relative to fin's ISN, learnt from its SYN or SYN-ACK; the peer's are
 * literal. */
#include <stdio.h>
#include <string.h>

#include "script/run.h"

/* fin-side sequence space: script number -> wire number. */
uint32_t fin_script_to_live(const struct script_run *r, const struct script_packet *pk,
                            uint32_t v) {
  return r->isn_known && !pk->absolute_seq ? v + r->isn : v;
}

static size_t put32(uint8_t *o, uint32_t v) {
  o[0] = (uint8_t)(v >> 24);
  o[1] = (uint8_t)(v >> 16);
  o[2] = (uint8_t)(v >> 8);
  o[3] = (uint8_t)v;
  return 4;
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Options carried as bytes: MD5 (RFC 2385: kind 19, 16-byte signature,
 * zeros for "valid"/"invalid": fin has no TCP-MD5), Fast Open (RFC 7413
 * kind 34, or the experimental kind 254 with magic 0xF989) and "kind N". */
static size_t encode_bytes_opt(const struct script_opt *o, uint8_t *out) {
  size_t n = 2;
  if (o->kind == SCRIPT_OPT_MD5)
    out[0] = 19;
  else if (o->kind == SCRIPT_OPT_FO)
    out[0] = 34;
  else if (o->kind == SCRIPT_OPT_GENERIC)
    out[0] = (uint8_t)o->a;
  else {
    out[0] = 254, out[2] = 0xf9, out[3] = 0x89;
    n = 4;
  }
  memcpy(out + n, o->data, o->data_len);
  n += o->data_len;
  out[1] = (uint8_t)n;
  return n;
}

/* Encodes one option as written. SACK blocks name fin's data when the
 * packet is inbound (mapped) and the peer's when outbound (literal). */
static size_t encode_opt(const struct script_run *r, const struct script_packet *pk,
                         const struct script_opt *o, uint8_t *out) {
  switch (o->kind) {
  case SCRIPT_OPT_NOP:
    out[0] = 1;
    return 1;
  case SCRIPT_OPT_EOL:
    out[0] = 0;
    return 1;
  case SCRIPT_OPT_MSS:
    out[0] = 2, out[1] = 4, out[2] = (uint8_t)(o->a >> 8), out[3] = (uint8_t)o->a;
    return 4;
  case SCRIPT_OPT_WSCALE:
    out[0] = 3, out[1] = 3, out[2] = (uint8_t)o->a;
    return 3;
  case SCRIPT_OPT_SACK_OK:
    out[0] = 4, out[1] = 2;
    return 2;
  case SCRIPT_OPT_TS:
    out[0] = 8, out[1] = 10;
    put32(out + 2, o->a);
    put32(out + 6, o->b);
    return 10;
  case SCRIPT_OPT_MD5:
  case SCRIPT_OPT_FO:
  case SCRIPT_OPT_FO_EXP:
  case SCRIPT_OPT_GENERIC:
    return encode_bytes_opt(o, out);
  case SCRIPT_OPT_SACK:
    out[0] = 5, out[1] = (uint8_t)(2 + 8 * o->sack_count);
    for (size_t i = 0; i < o->sack_count; i++) {
      uint32_t l = pk->inbound ? fin_script_to_live(r, pk, o->sack[i][0]) : o->sack[i][0];
      uint32_t rr = pk->inbound ? fin_script_to_live(r, pk, o->sack[i][1]) : o->sack[i][1];
      put32(out + 2 + 8 * i, l);
      put32(out + 6 + 8 * i, rr);
    }
    return 2 + 8 * (size_t)o->sack_count;
  }
  return 0;
}

static size_t encode_opts(const struct script_run *r, const struct script_packet *pk,
                          uint8_t out[FIN_TCP_OPT_MAX + 64]) {
  size_t n = 0;
  for (size_t i = 0; i < pk->opt_count && n <= FIN_TCP_OPT_MAX; i++)
    n += encode_opt(r, pk, &pk->opts[i], out + n);
  return n;
}

/* README §1a.6: an inbound TS ecr must echo a TS val fin sent (the script
 * names the script-side value; the live one is substituted). */
static bool map_ecr(struct script_run *r, const struct script_event *ev, uint32_t *ecr) {
  if (*ecr == 0)
    return true;
  for (size_t i = r->ts_count; i-- > 0;)
    if (r->ts_map[i].script == *ecr) {
      *ecr = r->ts_map[i].live;
      return true;
    }
  return fin_script_fail(r, ev, "unable to infer live TS ecr %u: no outbound packet had TS val %u",
                         *ecr, *ecr);
}

/* The IP TOS byte of an injected packet: "(tos N)" with the ECN field
 * from "[ect0]" and friends (RFC 3168 §5; no mark: Not-ECT). */
static uint8_t inbound_tos(const struct script_packet *pk) {
  static const uint8_t ecn_bits[] = {
      [SCRIPT_ECN_ANY] = 0,  [SCRIPT_ECN_NOT_ECT] = 0, [SCRIPT_ECN_ECT1] = 1,
      [SCRIPT_ECN_ECT0] = 2, [SCRIPT_ECN_CE] = 3,      [SCRIPT_ECN_ECT01] = 2,
  };
  uint8_t tos = pk->has_tos ? pk->tos : 0;
  if (pk->ecn != SCRIPT_ECN_ANY)
    tos = (uint8_t)((tos & ~3u) | ecn_bits[pk->ecn]);
  return tos;
}

static void inject_one(struct script_run *r, const struct fin_segment *seg, const uint8_t *opts,
                       size_t olen, uint32_t len, uint8_t *buf) {
  static const uint8_t zeros[SCRIPT_PKT_MAX];
  size_t n = fin_tcp_build(buf, SCRIPT_PKT_MAX, seg, opts, olen, zeros, len, NULL, 0);
  if (r->verbose) {
    char text[512];
    fin_script_format_live(r, buf, n, text, sizeof(text));
    fin_script_note(r, "inject < %s", text);
  }
  fin_stack_input(r->st, buf, n, r->now);
}

/* A payload larger than --mss, or than one MTU, goes in several segments
 * as packetdrill's GSO injection does: the same header and options on
 * each, the sequence number advancing, FIN and PSH only on the last. */
static bool inject_split(struct script_run *r, const struct script_event *ev,
                         struct fin_segment *seg, const uint8_t *opts, size_t olen, uint32_t len) {
  uint32_t room = r->set.mtu - fin_script_headers_len(r) - (uint32_t)olen;
  uint32_t piece = r->inbound_mss ? r->inbound_mss : room;
  if (piece > room)
    piece = room;
  if (piece > SCRIPT_PKT_MAX - 100)
    piece = SCRIPT_PKT_MAX - 100;
  if (piece == 0)
    return fin_script_fail(r, ev, "no room for payload in a %u-byte MTU", r->set.mtu);
  uint8_t last_flags = seg->flags, buf[SCRIPT_PKT_MAX];
  for (uint32_t off = 0; off < len || off == 0; off += piece) {
    uint32_t n = len - off < piece ? len - off : piece;
    bool last = off + n >= len;
    seg->flags = last ? last_flags : (uint8_t)(last_flags & ~(FIN_TCP_FIN | FIN_TCP_PSH));
    inject_one(r, seg, opts, olen, n, buf);
    seg->seq += n;
    if (last)
      break;
  }
  return true;
}

static const char udp_refused[] =
    "out of scope: FreeBSD TCP-over-UDP encapsulation ('/udp(...)' packets)";
static const char flowlabel_v4[] = "(flowlabel N) is IPv6's; the script runs IPv4 (--ip_version)";

bool fin_script_inject(struct script_run *r, const struct script_event *ev) {
  if (ev->packet.is_icmp)
    return fin_script_inject_icmp(r, ev);
  if (ev->packet.udp_encap)
    return fin_script_fail(r, ev, "%s", udp_refused);
  struct script_packet pk = ev->packet;
  for (size_t i = 0; i < pk.opt_count; i++)
    if (pk.opts[i].kind == SCRIPT_OPT_TS && !map_ecr(r, ev, &pk.opts[i].b))
      return false;
  uint8_t opts[FIN_TCP_OPT_MAX + 64];
  size_t olen = encode_opts(r, &pk, opts);
  while (olen % 4)
    opts[olen++] = 0; /* EOL padding to the 32-bit boundary */
  if (olen > FIN_TCP_OPT_MAX)
    return fin_script_fail(r, ev, "TCP options take %zu bytes, more than 40", olen);
  if (pk.has_flowlabel && !fin_script_wire_v6(r))
    return fin_script_fail(r, ev, "%s", flowlabel_v4);
  struct fin_segment seg = {
      .saddr = r->remote_addr,
      .daddr = r->local_addr,
      .ttl = pk.has_ttl ? pk.ttl : 64,
      .tos = inbound_tos(&pk),
      .flowlabel = pk.has_flowlabel ? pk.flowlabel & 0xfffffu : 0,
      .sport = r->remote_port,
      .dport = r->local_port,
      .seq = pk.start,
      .ack = pk.has_ack ? fin_script_to_live(r, &pk, pk.ack) : 0,
      .flags = pk.flags,
      .wnd = (uint16_t)pk.win,
      .urg = (uint16_t)pk.urg,
  };
  return inject_split(r, ev, &seg, opts, olen, pk.len);
}

/* ---- comparing ---- */

/* A parsed segment's options area, whatever IP header came before it. */
static const uint8_t *tcp_options(const struct fin_segment *seg) {
  return seg->payload - seg->data_offset + FIN_TCP_HDR_MIN;
}

static bool opts_match(const struct script_run *r, const struct script_packet *pk,
                       const uint8_t *live, size_t live_len, char *why, size_t cap) {
  uint8_t want[FIN_TCP_OPT_MAX + 64];
  size_t n = encode_opts(r, pk, want);
  if (n != live_len) {
    snprintf(why, cap, "TCP options differ: %zu bytes expected, %zu sent", n, live_len);
    return false;
  }
  /* Values are compared except TS val/ecr (README §1a.5). */
  for (size_t i = 0; i < n;) {
    size_t len = want[i] <= 1 ? 1 : want[i + 1];
    /* TS values are not checked (README §1a.5); an MD5 signature cannot be
     * (fin has no TCP-MD5 key): kind and length only. */
    bool ts = want[i] == 8 || want[i] == 19;
    size_t cmp = ts ? 2 : len;
    if (memcmp(want + i, live + i, cmp) != 0 || len == 0) {
      snprintf(why, cap, "TCP options differ at byte %zu (kind/length/order/value)", i);
      return false;
    }
    i += len;
  }
  return true;
}

static bool all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i])
      return false;
  return true;
}

/* TS val must follow a clock of 1 tick per ts_tick_usecs (README §1a.5). */
static bool ts_clock_ok(const struct script_run *r, const struct script_packet *pk,
                        const struct fin_segment *seg, char *why, size_t cap) {
  if (r->ts_tick_usecs == 0 || !seg->opts.has_ts || !r->ts_first_known)
    return true;
  for (size_t i = 0; i < pk->opt_count; i++) {
    if (pk->opts[i].kind != SCRIPT_OPT_TS)
      continue;
    int64_t want = (int64_t)(pk->opts[i].a - r->ts_script_first);
    int64_t got = (int64_t)(uint32_t)(seg->opts.ts_val - r->ts_live_first);
    int64_t tol = r->tolerance_usecs / r->ts_tick_usecs;
    int64_t pct = (int64_t)((double)(want < 0 ? -want : want) * r->tolerance_percent / 100.0);
    tol = (pct > tol ? pct : tol) + 1;
    if (got - want > tol || want - got > tol) {
      snprintf(why, cap, "TS val %u is %lld ticks after the first, the script expects %lld +- %lld",
               seg->opts.ts_val, (long long)got, (long long)want, (long long)tol);
      return false;
    }
  }
  return true;
}

/* TTL (hop limit), TOS (traffic class), the flow label and the ECN field,
 * each only when the script writes it. */
static bool ip_fields_match(const struct script_run *r, const struct script_packet *pk,
                            const struct fin_segment *seg, char *why, size_t cap) {
  unsigned ecn = seg->tos & 3u;
  static const char *names[] = {"not-ECT", "ECT(1)", "ECT(0)", "CE"};
  static const int want_ecn[] = {
      [SCRIPT_ECN_ANY] = -1, [SCRIPT_ECN_NOT_ECT] = 0, [SCRIPT_ECN_ECT1] = 1,
      [SCRIPT_ECN_ECT0] = 2, [SCRIPT_ECN_CE] = 3,      [SCRIPT_ECN_ECT01] = -1};
  if (pk->has_ttl && seg->ttl != pk->ttl)
    snprintf(why, cap, "IP TTL is %u, the script expects %u", seg->ttl, pk->ttl);
  else if (pk->has_tos && (seg->tos & ~3u) != (pk->tos & ~3u))
    snprintf(why, cap, "IP TOS is 0x%02x, the script expects 0x%02x", seg->tos, pk->tos);
  else if (pk->has_flowlabel && !fin_script_wire_v6(r))
    snprintf(why, cap, "%s", flowlabel_v4);
  else if (pk->has_flowlabel && seg->flowlabel != (pk->flowlabel & 0xfffffu))
    snprintf(why, cap, "IPv6 flow label is 0x%05x, the script expects 0x%05x", seg->flowlabel,
             pk->flowlabel & 0xfffffu);
  else if (pk->ecn == SCRIPT_ECN_ECT01 && ecn != 1 && ecn != 2)
    snprintf(why, cap, "ECN field is %s, the script expects ECT(0) or ECT(1)", names[ecn]);
  else if (want_ecn[pk->ecn] >= 0 && (int)ecn != want_ecn[pk->ecn])
    snprintf(why, cap, "ECN field is %s, the script expects %s", names[ecn],
             names[want_ecn[pk->ecn]]);
  else
    return true;
  return false;
}

static bool header_matches(const struct script_run *r, const struct script_packet *pk,
                           const struct fin_segment *seg, char *why, size_t cap) {
  bool syn = pk->flags & FIN_TCP_SYN;
  uint32_t want_ack = pk->has_ack ? pk->ack : 0;
  if (!fin_addr_eq(&seg->saddr, &r->local_addr) || !fin_addr_eq(&seg->daddr, &r->remote_addr))
    snprintf(why, cap, "addresses differ from --local_ip -> --remote_ip");
  else if (seg->dport != r->remote_port || (seg->sport != r->local_port && !syn))
    snprintf(why, cap, "ports %u -> %u, expected %u -> %u", seg->sport, seg->dport, r->local_port,
             r->remote_port);
  else if (seg->flags != pk->flags)
    snprintf(why, cap, "flags differ");
  else if (!(syn && !pk->absolute_seq) && !pk->any_seq &&
           seg->seq != fin_script_to_live(r, pk, pk->start))
    snprintf(why, cap, "sequence number differs");
  else if (seg->ack != want_ack)
    snprintf(why, cap, "ack field differs (%u expected%s)", want_ack,
             pk->flags & FIN_TCP_ACK ? "" : ", compared even without the ACK bit");
  else if (pk->has_win && seg->wnd != pk->win)
    snprintf(why, cap, "window differs");
  else if (seg->urg != (pk->has_urg ? pk->urg : 0))
    snprintf(why, cap, "urgent pointer differs");
  else if (seg->payload_len != pk->len)
    snprintf(why, cap, "payload length differs");
  else if (!all_zero(seg->payload, seg->payload_len))
    snprintf(why, cap, "payload bytes differ (write() sends zeros)");
  else
    return ip_fields_match(r, pk, seg, why, cap);
  return false;
}

bool fin_script_packet_matches(struct script_run *r, const struct script_packet *pk,
                               const uint8_t *buf, size_t len, char *why, size_t cap) {
  if (pk->is_icmp)
    return fin_script_icmp_matches(r, pk, buf, len, why, cap);
  if (pk->udp_encap) {
    snprintf(why, cap, "%s", udp_refused);
    return false;
  }
  struct fin_segment seg;
  enum fin_wire_error e = fin_tcp_parse(buf, len, &seg);
  if (e != FIN_WIRE_OK) {
    snprintf(why, cap, "fin sent a datagram that does not parse: %s", fin_wire_error_name(e));
    return false;
  }
  if (!header_matches(r, pk, &seg, why, cap))
    return false;
  if (!pk->opts_any &&
      !opts_match(r, pk, tcp_options(&seg), seg.data_offset - FIN_TCP_HDR_MIN, why, cap))
    return false;
  return ts_clock_ok(r, pk, &seg, why, cap);
}

static void learn_ts(struct script_run *r, const struct script_packet *pk,
                     const struct fin_segment *seg) {
  if (!seg->opts.has_ts)
    return;
  for (size_t i = 0; i < pk->opt_count; i++) {
    if (pk->opts[i].kind != SCRIPT_OPT_TS)
      continue;
    if (!r->ts_first_known) {
      r->ts_first_known = true;
      r->ts_script_first = pk->opts[i].a;
      r->ts_live_first = seg->opts.ts_val;
    }
    if (r->ts_count == SCRIPT_TS_MAP) {
      memmove(r->ts_map, r->ts_map + 1, sizeof(r->ts_map[0]) * (SCRIPT_TS_MAP - 1));
      r->ts_count--;
    }
    r->ts_map[r->ts_count].script = pk->opts[i].a;
    r->ts_map[r->ts_count++].live = seg->opts.ts_val;
  }
}

void fin_script_learn(struct script_run *r, const struct script_packet *pk, const uint8_t *buf,
                      size_t len) {
  struct fin_segment seg;
  if (fin_tcp_parse(buf, len, &seg) != FIN_WIRE_OK)
    return;
  if ((seg.flags & FIN_TCP_SYN) && !pk->absolute_seq) {
    uint32_t isn = seg.seq - pk->start;
    r->prev_isn_known = r->isn_known && r->isn != isn;
    r->prev_isn = r->isn;
    r->isn = isn;
    r->isn_known = true;
    r->local_port = seg.sport;
  }
  learn_ts(r, pk, &seg);
}

void fin_script_isn_after_input(struct script_run *r) {
  if (!r->prev_isn_known)
    return;
  struct fin_conn_info info[16];
  size_t cursor = 0, n;
  bool time_wait = false, other = false;
  while ((n = fin_stack_list(r->st, &cursor, info, 16)) > 0)
    for (size_t i = 0; i < n; i++) {
      const struct fin_4tuple *t = &info[i].tuple;
      if (t->local_port != r->local_port || t->remote_port != r->remote_port)
        continue;
      time_wait = time_wait || info[i].state == FIN_TIME_WAIT;
      other = other || info[i].state != FIN_TIME_WAIT;
    }
  if (time_wait && !other) {
    r->isn = r->prev_isn;
    r->prev_isn_known = false;
  }
}

/* ---- formatting ---- */

static void flags_text(uint8_t f, char *out) {
  size_t n = 0;
  static const struct {
    uint8_t bit;
    char c;
  } order[] = {{FIN_TCP_SYN, 'S'}, {FIN_TCP_FIN, 'F'}, {FIN_TCP_RST, 'R'}, {FIN_TCP_PSH, 'P'},
               {FIN_TCP_URG, 'U'}, {FIN_TCP_ECE, 'E'}, {FIN_TCP_CWR, 'W'}, {FIN_TCP_ACK, '.'}};
  for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
    if (f & order[i].bit)
      out[n++] = order[i].c;
  if (n == 0)
    out[n++] = '-';
  out[n] = '\0';
}

/* "sack L:R L:R": the blocks as on the wire. */
static size_t sack_text(const uint8_t *o, size_t len, const char *sep, char *out, size_t cap) {
  size_t w = (size_t)snprintf(out, cap, "%ssack", sep);
  for (size_t b = 2; b + 8 <= len && w < cap; b += 8)
    w += (size_t)snprintf(out + w, cap - w, " %u:%u", get32(o + b), get32(o + b + 4));
  return w < cap ? w : cap;
}

/* "md5 <hex>", "FO <hex>" or "kind N <hex>": options fin does not parse. */
static size_t bytes_text(const uint8_t *o, size_t len, const char *sep, char *out, size_t cap) {
  size_t w;
  if (o[0] == 19)
    w = (size_t)snprintf(out, cap, "%smd5 ", sep);
  else if (o[0] == 34)
    w = (size_t)snprintf(out, cap, "%sFO ", sep);
  else
    w = (size_t)snprintf(out, cap, "%skind %u ", sep, o[0]);
  for (size_t b = 2; b < len && w < cap; b++)
    w += (size_t)snprintf(out + w, cap - w, "%02x", o[b]);
  return w < cap ? w : cap;
}

/* Decodes an options area into "<mss 1460,nop,...>" text. */
static void opts_text(const uint8_t *o, size_t n, char *out, size_t cap) {
  size_t w = (size_t)snprintf(out, cap, "<");
  for (size_t i = 0; i < n && w < cap;) {
    uint8_t kind = o[i];
    size_t len = kind <= 1 ? 1 : (i + 1 < n ? o[i + 1] : 0);
    const char *sep = i ? "," : "";
    if (len == 0 || i + len > n) {
      w += (size_t)snprintf(out + w, cap - w, "%s<malformed>", sep);
      break;
    }
    if (kind == 0 || kind == 1)
      w += (size_t)snprintf(out + w, cap - w, "%s%s", sep, kind ? "nop" : "eol");
    else if (kind == 2 && len == 4)
      w +=
          (size_t)snprintf(out + w, cap - w, "%smss %u", sep, (unsigned)(o[i + 2] << 8 | o[i + 3]));
    else if (kind == 3 && len == 3)
      w += (size_t)snprintf(out + w, cap - w, "%swscale %u", sep, o[i + 2]);
    else if (kind == 4)
      w += (size_t)snprintf(out + w, cap - w, "%ssackOK", sep);
    else if (kind == 8 && len == 10)
      w += (size_t)snprintf(out + w, cap - w, "%sTS val %u ecr %u", sep, get32(o + i + 2),
                            get32(o + i + 6));
    else if (kind == 5 && len >= 10 && (len - 2) % 8 == 0)
      w += sack_text(o + i, len, sep, out + w, cap - w);
    else
      w += bytes_text(o + i, len, sep, out + w, cap - w);
    i += len;
  }
  if (w < cap)
    snprintf(out + w, cap - w, ">");
}

void fin_script_format_expected(const struct script_run *r, const struct script_packet *pk,
                                char *buf, size_t cap) {
  char f[12], opt[320] = "";
  flags_text(pk->flags, f);
  if (pk->opts_any) {
    snprintf(opt, sizeof(opt), " <...>");
  } else if (pk->opt_count) {
    uint8_t o[FIN_TCP_OPT_MAX + 64];
    size_t n = encode_opts(r, pk, o);
    opt[0] = ' ';
    opts_text(o, n, opt + 1, sizeof(opt) - 1);
  }
  char win[24] = "";
  if (pk->has_win)
    snprintf(win, sizeof(win), " win %u", pk->win);
  snprintf(buf, cap, "%s %u:%u(%u) ack %u%s%s", f, pk->start, pk->end, pk->len,
           pk->has_ack ? pk->ack : 0, win, opt);
}

void fin_script_format_live(const struct script_run *r, const uint8_t *dgram, size_t len, char *buf,
                            size_t cap) {
  struct fin_segment seg;
  enum fin_wire_error e = fin_tcp_parse(dgram, len, &seg);
  if (e != FIN_WIRE_OK) {
    snprintf(buf, cap, "(unparsable datagram of %zu bytes: %s)", len, fin_wire_error_name(e));
    return;
  }
  bool outbound = fin_addr_eq(&seg.saddr, &r->local_addr);
  uint32_t base = r->isn_known ? r->isn : 0;
  /* A SYN names fin's ISN: show it relative to itself until it is learnt. */
  if (outbound && (seg.flags & FIN_TCP_SYN) && !r->isn_known)
    base = seg.seq;
  uint32_t seq = outbound ? seg.seq - base : seg.seq;
  uint32_t ack = outbound || !(seg.flags & FIN_TCP_ACK) ? seg.ack : seg.ack - base;
  char f[12], opt[320] = "";
  flags_text(seg.flags, f);
  if (seg.data_offset > FIN_TCP_HDR_MIN) {
    opt[0] = ' ';
    opts_text(tcp_options(&seg), seg.data_offset - FIN_TCP_HDR_MIN, opt + 1, sizeof(opt) - 1);
  }
  snprintf(buf, cap, "%s %u:%u(%u) ack %u win %u%s [%u->%u]", f, seq, seq + seg.payload_len,
           seg.payload_len, ack, seg.wnd, opt, seg.sport, seg.dport);
}
