/* Packet lines of the packetdrill dialect (README §1a.5): TCP segments with
 * their IP prefixes, flags, sequence numbers, ack, window, urgent pointer
 * and options, and ICMP messages about a TCP segment. */
#include <stdio.h>
#include <string.h>

#include "fin/wire.h"
#include "script/parse_internal.h"

static bool parse_flags(struct parser *p, struct script_packet *pk) {
  struct script_token t = script_lexer_flags(&p->lx);
  if (t.kind == TOK_ERROR)
    return script_p_fail_at(p, t.loc, "%s", p->lx.err);
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
      return script_p_fail_at(p, t.loc, "flag '%c' is not supported by fin's runner (AccECN/AE)",
                              t.text[i]);
  }
  return true;
}

static bool parse_seq(struct parser *p, struct script_packet *pk) {
  struct script_loc loc = script_p_peek(p)->loc;
  if (!script_p_expect_uint(p, "start:end(len) sequence numbers", &pk->start) ||
      !script_p_expect_punct(p, ':', "':' in start:end(len)") ||
      !script_p_expect_uint(p, "the end sequence number", &pk->end) ||
      !script_p_expect_punct(p, '(', "'(' in start:end(len)") ||
      !script_p_expect_uint(p, "the payload length", &pk->len) ||
      !script_p_expect_punct(p, ')', "')' in start:end(len)"))
    return false;
  if (pk->end - pk->start != pk->len)
    return script_p_fail_at(p, loc,
                            "inconsistent sequence numbers: %u:%u(%u) needs end = start + len",
                            pk->start, pk->end, pk->len);
  pk->absolute_seq = script_p_accept_punct(p, '!');
  return true;
}

static bool parse_sack_blocks(struct parser *p, struct script_opt *o) {
  while (script_p_peek(p)->kind == TOK_INT) {
    if (o->sack_count == SCRIPT_MAX_SACK)
      return script_p_expected(p, "at most 4 SACK blocks");
    uint32_t *b = o->sack[o->sack_count++];
    if (!script_p_expect_uint(p, "SACK left edge", &b[0]) ||
        !script_p_expect_punct(p, ':', "':' in a SACK block") ||
        !script_p_expect_uint(p, "SACK right edge", &b[1]))
      return false;
  }
  return o->sack_count > 0 || script_p_expected(p, "a SACK block left:right");
}

static bool parse_option(struct parser *p, struct script_opt *o) {
  if (script_p_peek(p)->kind != TOK_WORD)
    return script_p_expected(
        p, "a TCP option (nop, eol, mss N, wscale N, sackOK, TS val N ecr N, sack)");
  struct script_token w = script_p_next(p);
  char name[16];
  snprintf(name, sizeof(name), "%.*s", (int)(w.len < 15 ? w.len : 15), w.text);
  if (strcmp(name, "nop") == 0)
    o->kind = SCRIPT_OPT_NOP;
  else if (strcmp(name, "eol") == 0)
    o->kind = SCRIPT_OPT_EOL;
  else if (strcmp(name, "sackOK") == 0)
    o->kind = SCRIPT_OPT_SACK_OK;
  else if (strcmp(name, "mss") == 0)
    return (o->kind = SCRIPT_OPT_MSS, script_p_expect_uint(p, "the MSS value", &o->a));
  else if (strcmp(name, "wscale") == 0)
    return (o->kind = SCRIPT_OPT_WSCALE, script_p_expect_uint(p, "the window scale", &o->a));
  else if (strcmp(name, "sack") == 0)
    return (o->kind = SCRIPT_OPT_SACK, parse_sack_blocks(p, o));
  else if (strcmp(name, "TS") == 0) {
    o->kind = SCRIPT_OPT_TS;
    if (!script_p_is_word(p, "val"))
      return script_p_expected(p, "'val' after TS");
    script_p_next(p);
    if (!script_p_expect_uint(p, "the TS value", &o->a))
      return false;
    if (!script_p_is_word(p, "ecr"))
      return script_p_expected(p, "'ecr' after TS val N");
    script_p_next(p);
    return script_p_expect_uint(p, "the TS echo reply", &o->b);
  } else
    return script_p_fail_at(p, w.loc, "TCP option '%s' is not supported by fin's runner", name);
  return true;
}

static bool parse_options(struct parser *p, struct script_packet *pk) {
  if (script_p_peek(p)->kind == TOK_ELLIPSIS) {
    script_p_next(p);
    pk->opts_any = true;
    return script_p_expect_punct(p, '>', "'>' after '<...'");
  }
  do {
    if (pk->opt_count == SCRIPT_MAX_OPTS)
      return script_p_expected(p, "at most 16 TCP options");
    if (!parse_option(p, &pk->opts[pk->opt_count++]))
      return false;
  } while (script_p_accept_punct(p, ','));
  return script_p_expect_punct(p, '>', "',' or '>' in the TCP options");
}

/* ack N, win N, urg N, then options. */
static bool parse_packet_tail(struct parser *p, struct script_packet *pk) {
  for (;;) {
    if (script_p_is_word(p, "ack")) {
      script_p_next(p);
      pk->has_ack = true;
      if (!script_p_expect_uint(p, "the ack number", &pk->ack))
        return false;
    } else if (script_p_is_word(p, "win")) {
      script_p_next(p);
      pk->has_win = true;
      if (!script_p_expect_uint(p, "the window", &pk->win))
        return false;
      if (pk->win > 65535)
        return script_p_fail_at(p, p->tok.loc, "window %u does not fit in 16 bits", pk->win);
    } else if (script_p_is_word(p, "urg")) {
      script_p_next(p);
      pk->has_urg = true;
      if (!script_p_expect_uint(p, "the urgent pointer", &pk->urg))
        return false;
    } else {
      break;
    }
  }
  if (script_p_accept_punct(p, '<'))
    return parse_options(p, pk);
  return true;
}

/* [noecn] before the flags: the only ip-info fin's runner understands. */
static bool parse_ip_info(struct parser *p) {
  if (script_lexer_peek_char(&p->lx) != '[')
    return true;
  script_p_next(p);
  if (!script_p_is_word(p, "noecn"))
    return script_p_expected(p, "'noecn' (ECN marks are not supported by fin's runner)");
  script_p_next(p);
  return script_p_expect_punct(p, ']', "']' after the ECN mark");
}

bool script_parse_packet(struct parser *p, struct script_event *ev) {
  struct script_packet *pk = &ev->packet;
  pk->inbound = script_p_next(p).ch == '<';
  if (!parse_ip_info(p) || !parse_flags(p, pk) || !parse_seq(p, pk) || !parse_packet_tail(p, pk))
    return false;
  if (pk->inbound && !pk->has_win)
    return script_p_fail_at(p, ev->loc, "inbound packet needs 'win N'");
  if (pk->inbound && pk->opts_any)
    return script_p_fail_at(p, ev->loc, "'<...>' options are only allowed on outbound packets");
  return true;
}
