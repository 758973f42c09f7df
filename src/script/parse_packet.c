/* SPDX-License-Identifier: MIT */
/* Packet lines of the packetdrill dialect (README §1a.5): TCP segments with
 * their IP prefixes, flags, sequence numbers, ack, window, urgent pointer
 * and options, and ICMP messages about a TCP segment. */
#include <stdio.h>
#include <string.h>

#include "fin/wire.h"
#include "script/parse_internal.h"

static bool parse_flags(struct parser *p, struct script_packet *pk) {
  struct script_token t = fin_script_lexer_flags(&p->lx);
  if (t.kind == TOK_ERROR)
    return fin_script_p_fail_at(p, t.loc, "%s", p->lx.err);
  static const struct {
    char c;
    uint8_t bit;
  } map[] = {{'S', FIN_TCP_SYN}, {'F', FIN_TCP_FIN}, {'R', FIN_TCP_RST}, {'P', FIN_TCP_PSH},
             {'.', FIN_TCP_ACK}, {'U', FIN_TCP_URG}, {'E', FIN_TCP_ECE}, {'W', FIN_TCP_CWR}};
  for (size_t i = 0; i < t.len; i++) {
    bool known = t.text[i] == '-';
    for (size_t j = 0; j < sizeof(map) / sizeof(map[0]); j++)
      if (map[j].c == t.text[i]) {
        pk->flags |= map[j].bit;
        known = true;
      }
    if (!known)
      return fin_script_p_fail_at(
          p, t.loc, "flag '%c' is not supported by fin's runner (AccECN/AE)", t.text[i]);
  }
  return true;
}

/* "...(len)": the length is checked, the sequence number is not. */
static bool parse_any_seq(struct parser *p, struct script_packet *pk) {
  fin_script_p_next(p);
  pk->any_seq = true;
  if (!fin_script_p_expect_punct(p, '(', "'(' in ...(len)") ||
      !fin_script_p_expect_uint(p, "the payload length", &pk->len) ||
      !fin_script_p_expect_punct(p, ')', "')' in ...(len)"))
    return false;
  pk->end = pk->len;
  return pk->inbound ? fin_script_p_fail_at(p, p->tok.loc, "'...(len)' only on outbound packets")
                     : true;
}

static bool parse_seq(struct parser *p, struct script_packet *pk) {
  if (fin_script_p_peek(p)->kind == TOK_ELLIPSIS)
    return parse_any_seq(p, pk);
  struct script_loc loc = fin_script_p_peek(p)->loc;
  if (!fin_script_p_expect_uint(p, "start:end(len) sequence numbers", &pk->start) ||
      !fin_script_p_expect_punct(p, ':', "':' in start:end(len)") ||
      !fin_script_p_expect_uint(p, "the end sequence number", &pk->end) ||
      !fin_script_p_expect_punct(p, '(', "'(' in start:end(len)") ||
      !fin_script_p_expect_uint(p, "the payload length", &pk->len) ||
      !fin_script_p_expect_punct(p, ')', "')' in start:end(len)"))
    return false;
  if (pk->end - pk->start != pk->len)
    return fin_script_p_fail_at(p, loc,
                                "inconsistent sequence numbers: %u:%u(%u) needs end = start + len",
                                pk->start, pk->end, pk->len);
  pk->absolute_seq = fin_script_p_accept_punct(p, '!');
  return true;
}

static bool parse_sack_blocks(struct parser *p, struct script_opt *o) {
  while (fin_script_p_peek(p)->kind == TOK_INT) {
    if (o->sack_count == SCRIPT_MAX_SACK)
      return fin_script_p_expected(p, "at most 4 SACK blocks");
    uint32_t *b = o->sack[o->sack_count++];
    if (!fin_script_p_expect_uint(p, "SACK left edge", &b[0]) ||
        !fin_script_p_expect_punct(p, ':', "':' in a SACK block") ||
        !fin_script_p_expect_uint(p, "SACK right edge", &b[1]))
      return false;
  }
  return o->sack_count > 0 || fin_script_p_expected(p, "a SACK block left:right");
}

/* A cookie or signature written as hex digits, into o->data. */
static bool parse_hex(struct parser *p, struct script_opt *o, const char *what) {
  struct script_token t = fin_script_lexer_hex(&p->lx);
  if (t.kind == TOK_ERROR)
    return fin_script_p_fail_at(p, t.loc, "%s", p->lx.err);
  if (t.len % 2 != 0 || t.len / 2 > SCRIPT_OPT_DATA_MAX)
    return fin_script_p_fail_at(p, t.loc, "%s: an even number of hex digits, at most %d bytes",
                                what, SCRIPT_OPT_DATA_MAX);
  for (size_t i = 0; i < t.len; i += 2) {
    unsigned v;
    char byte[3] = {t.text[i], t.text[i + 1], '\0'};
    sscanf(byte, "%2x", &v);
    o->data[o->data_len++] = (uint8_t)v;
  }
  return true;
}

static bool hex_follows(struct parser *p) {
  int c = fin_script_lexer_peek_char(&p->lx);
  return c != -1 && strchr("0123456789abcdefABCDEF", c) != NULL;
}

/* md5 valid | md5 invalid | md5 <16 bytes hex> (RFC 2385 kind 19). */
static bool parse_md5(struct parser *p, struct script_opt *o) {
  o->kind = SCRIPT_OPT_MD5;
  int c = fin_script_lexer_peek_char(&p->lx); /* a token peeked now would eat the hex digits */
  if ((c == 'v' || c == 'i') &&
      (fin_script_p_is_word(p, "valid") || fin_script_p_is_word(p, "invalid"))) {
    o->a = fin_script_p_is_word(p, "valid");
    fin_script_p_next(p);
    o->data_len = 16; /* the signature itself is not computed: fin has no TCP-MD5 */
    return true;
  }
  if (!parse_hex(p, o, "md5 signature"))
    return false;
  return o->data_len == 16 || fin_script_p_expected(p, "md5 valid, md5 invalid or 16 bytes of hex");
}

static bool parse_ts(struct parser *p, struct script_opt *o) {
  o->kind = SCRIPT_OPT_TS;
  if (!fin_script_p_is_word(p, "val"))
    return fin_script_p_expected(p, "'val' after TS");
  fin_script_p_next(p);
  if (!fin_script_p_expect_uint(p, "the TS value", &o->a))
    return false;
  if (!fin_script_p_is_word(p, "ecr"))
    return fin_script_p_expected(p, "'ecr' after TS val N");
  fin_script_p_next(p);
  return fin_script_p_expect_uint(p, "the TS echo reply", &o->b);
}

/* kind N [hex]: an option by number, matched as bytes. */
static bool parse_generic(struct parser *p, struct script_opt *o) {
  o->kind = SCRIPT_OPT_GENERIC;
  if (!fin_script_p_expect_uint(p, "the option kind", &o->a))
    return false;
  if (o->a < 2 || o->a > 255)
    return fin_script_p_fail_at(p, p->tok.loc, "option kind %u: 2..255 (0 is eol, 1 is nop)", o->a);
  return !hex_follows(p) || parse_hex(p, o, "option data");
}

static bool parse_option_word(struct parser *p, const char *name, struct script_token w,
                              struct script_opt *o) {
  static const struct {
    const char *name;
    enum script_opt_kind kind;
  } bare[] = {{"nop", SCRIPT_OPT_NOP}, {"eol", SCRIPT_OPT_EOL}, {"sackOK", SCRIPT_OPT_SACK_OK}};
  for (size_t i = 0; i < sizeof(bare) / sizeof(bare[0]); i++)
    if (strcmp(name, bare[i].name) == 0)
      return (o->kind = bare[i].kind, true);
  if (strcmp(name, "mss") == 0)
    return (o->kind = SCRIPT_OPT_MSS, fin_script_p_expect_uint(p, "the MSS value", &o->a));
  if (strcmp(name, "wscale") == 0)
    return (o->kind = SCRIPT_OPT_WSCALE, fin_script_p_expect_uint(p, "the window scale", &o->a));
  if (strcmp(name, "sack") == 0)
    return (o->kind = SCRIPT_OPT_SACK, parse_sack_blocks(p, o));
  if (strcmp(name, "TS") == 0)
    return parse_ts(p, o);
  if (strcmp(name, "md5") == 0)
    return parse_md5(p, o);
  if (strcmp(name, "FO") == 0 || strcmp(name, "FOEXP") == 0) {
    o->kind = name[2] ? SCRIPT_OPT_FO_EXP : SCRIPT_OPT_FO;
    return !hex_follows(p) || parse_hex(p, o, "Fast Open cookie");
  }
  if (strcmp(name, "kind") == 0)
    return parse_generic(p, o);
  return fin_script_p_fail_at(
      p, w.loc,
      "TCP option '%s' is not supported by fin's runner (known: nop, eol, mss, "
      "wscale, sackOK, sack, TS, md5, FO, FOEXP, kind N [hex])",
      name);
}

static bool parse_option(struct parser *p, struct script_opt *o) {
  if (fin_script_p_peek(p)->kind != TOK_WORD)
    return fin_script_p_expected(
        p, "a TCP option (nop, eol, mss N, wscale N, sackOK, TS val N ecr N, sack, md5, FO)");
  struct script_token w = fin_script_p_next(p);
  char name[16];
  snprintf(name, sizeof(name), "%.*s", (int)(w.len < 15 ? w.len : 15), w.text);
  return parse_option_word(p, name, w, o);
}

static bool parse_options(struct parser *p, struct script_packet *pk) {
  if (fin_script_p_peek(p)->kind == TOK_ELLIPSIS) {
    fin_script_p_next(p);
    pk->opts_any = true;
    return fin_script_p_expect_punct(p, '>', "'>' after '<...'");
  }
  do {
    if (pk->opt_count == SCRIPT_MAX_OPTS)
      return fin_script_p_expected(p, "at most 16 TCP options");
    if (!parse_option(p, &pk->opts[pk->opt_count++]))
      return false;
  } while (fin_script_p_accept_punct(p, ','));
  return fin_script_p_expect_punct(p, '>', "',' or '>' in the TCP options");
}

static bool parse_win(struct parser *p, struct script_packet *pk) {
  pk->has_win = true;
  if (!fin_script_p_expect_uint(p, "the window", &pk->win))
    return false;
  if (pk->win > 65535)
    return fin_script_p_fail_at(p, p->tok.loc, "window %u does not fit in 16 bits", pk->win);
  return true;
}

/* ack N, win N, urg N, then options. */
static bool parse_packet_tail(struct parser *p, struct script_packet *pk) {
  for (;;) {
    bool ok;
    if (fin_script_p_is_word(p, "ack"))
      ok = (fin_script_p_next(p), pk->has_ack = true,
            fin_script_p_expect_uint(p, "the ack number", &pk->ack));
    else if (fin_script_p_is_word(p, "win"))
      ok = (fin_script_p_next(p), parse_win(p, pk));
    else if (fin_script_p_is_word(p, "urg"))
      ok = (fin_script_p_next(p), pk->has_urg = true,
            fin_script_p_expect_uint(p, "the urgent pointer", &pk->urg));
    else
      break;
    if (!ok)
      return false;
  }
  if (fin_script_p_accept_punct(p, '<'))
    return parse_options(p, pk);
  return true;
}

/* [noecn] [ect0] [ect1] [ce] [ect01] (RFC 3168 §5). */
static bool parse_ecn(struct parser *p, struct script_packet *pk) {
  static const struct {
    const char *name;
    enum script_ecn ecn;
  } marks[] = {{"noecn", SCRIPT_ECN_NOT_ECT},
               {"ect0", SCRIPT_ECN_ECT0},
               {"ect1", SCRIPT_ECN_ECT1},
               {"ce", SCRIPT_ECN_CE},
               {"ect01", SCRIPT_ECN_ECT01}};
  fin_script_p_next(p); /* '[' */
  for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
    if (fin_script_p_is_word(p, marks[i].name)) {
      fin_script_p_next(p);
      pk->ecn = marks[i].ecn;
      return fin_script_p_expect_punct(p, ']', "']' after the ECN mark");
    }
  return fin_script_p_expected(p, "an ECN mark (noecn, ect0, ect1, ce, ect01)");
}

/* One "name N" of an IP prefix. IPv6 spells TOS "class" and TTL "hlim". */
static bool parse_ip_field(struct parser *p, struct script_packet *pk) {
  static const char *names[] = {"tos", "class", "ttl", "hlim", "flowlabel"};
  size_t i = 0;
  while (i < 5 && !fin_script_p_is_word(p, names[i]))
    i++;
  if (i == 5)
    return fin_script_p_expected(p, "tos N, ttl N, class N, hlim N or flowlabel N");
  struct script_token w = fin_script_p_next(p);
  uint32_t v;
  if (!fin_script_p_expect_uint(p, "a number", &v))
    return false;
  if (i < 4 && v > 255)
    return fin_script_p_fail_at(p, w.loc, "%s %u does not fit in 8 bits", names[i], v);
  if (i < 2)
    pk->has_tos = true, pk->tos = (uint8_t)v;
  else if (i < 4)
    pk->has_ttl = true, pk->ttl = (uint8_t)v;
  else
    pk->has_flowlabel = true, pk->flowlabel = v;
  return true;
}

/* (tos 0x10, ttl 3, flowlabel 0x12345): IP header fields of the packet. */
static bool parse_ip_fields(struct parser *p, struct script_packet *pk) {
  fin_script_p_next(p); /* '(' */
  do {
    if (!parse_ip_field(p, pk))
      return false;
  } while (fin_script_p_accept_punct(p, ','));
  return fin_script_p_expect_punct(p, ')', "',' or ')' after the IP fields");
}

/* What may stand between the direction and the flags, in any order. */
static bool parse_ip_prefix(struct parser *p, struct script_packet *pk) {
  for (;;) {
    int c = fin_script_lexer_peek_char(&p->lx);
    if (c == '[' && !parse_ecn(p, pk))
      return false;
    if (c == '(' && !parse_ip_fields(p, pk))
      return false;
    if (c != '[' && c != '(')
      return true;
  }
}

/* "/udp(sport > dport)" after a segment, if present. */
bool fin_script_parse_udp_suffix(struct parser *p, struct script_packet *pk) {
  if (!fin_script_p_accept_punct(p, '/'))
    return true;
  pk->udp_encap = true;
  if (!fin_script_p_is_word(p, "udp"))
    return fin_script_p_expected(p, "'udp(sport > dport)' after '/'");
  fin_script_p_next(p);
  return fin_script_p_expect_punct(p, '(', "'(' after udp") &&
         fin_script_p_expect_uint(p, "the UDP source port", &pk->udp_sport) &&
         fin_script_p_expect_punct(p, '>', "'>' in udp(sport > dport)") &&
         fin_script_p_expect_uint(p, "the UDP destination port", &pk->udp_dport) &&
         fin_script_p_expect_punct(p, ')', "')' after udp(sport > dport)");
}

static bool parse_tcp(struct parser *p, struct script_event *ev) {
  struct script_packet *pk = &ev->packet;
  if (!parse_flags(p, pk) || !parse_seq(p, pk) || !parse_packet_tail(p, pk))
    return false;
  if (!fin_script_parse_udp_suffix(p, pk))
    return false;
  if (pk->inbound && !pk->has_win)
    return fin_script_p_fail_at(p, ev->loc, "inbound packet needs 'win N'");
  if (pk->inbound && pk->opts_any)
    return fin_script_p_fail_at(p, ev->loc, "'<...>' options are only allowed on outbound packets");
  return true;
}

bool fin_script_parse_packet(struct parser *p, struct script_event *ev) {
  struct script_packet *pk = &ev->packet;
  pk->inbound = fin_script_p_next(p).ch == '<';
  if (!parse_ip_prefix(p, pk))
    return false;
  if (fin_script_lexer_peek_char(&p->lx) == 'i') {
    if (!fin_script_p_is_word(p, "icmp"))
      return fin_script_p_expected(p, "TCP flags or 'icmp'");
    fin_script_p_next(p);
    return fin_script_parse_icmp(p, pk);
  }
  return parse_tcp(p, ev);
}
