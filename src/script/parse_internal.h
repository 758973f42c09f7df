/* SPDX-License-Identifier: MIT */
/* The parser's shared state and primitives, for the parts of the grammar
 * that live in their own files (parse_packet.c: packet lines). */
#ifndef FIN_SCRIPT_PARSE_INTERNAL_H
#define FIN_SCRIPT_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "script/ast.h"
#include "script/lexer.h"

struct parser {
  struct script_lexer lx;
  struct script_token tok;
  bool have;
  struct script *s;
  const char *path;
  char *err;
  size_t errcap;
  bool failed;
  size_t event_cap, option_cap;
};

bool fin_script_p_fail_at(struct parser *p, struct script_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
struct script_token *fin_script_p_peek(struct parser *p);
struct script_token fin_script_p_next(struct parser *p);
/* "expected X, got Y" at the next token; always false. */
bool fin_script_p_expected(struct parser *p, const char *what);
bool fin_script_p_is_punct(struct parser *p, char c);
bool fin_script_p_accept_punct(struct parser *p, char c);
bool fin_script_p_expect_punct(struct parser *p, char c, const char *what);
bool fin_script_p_is_word(struct parser *p, const char *w);
const char *fin_script_p_dup_tok(struct parser *p, const struct script_token *t);
bool fin_script_p_expect_uint(struct parser *p, const char *what, uint32_t *out);

/* parse_packet.c: "< flags seq ..." or "< icmp ..." after the time. */
bool fin_script_parse_packet(struct parser *p, struct script_event *ev);
/* "/udp(sport > dport)" (FreeBSD TCP-over-UDP) after a segment, if there. */
bool fin_script_parse_udp_suffix(struct parser *p, struct script_packet *pk);
/* icmp.c: the rest of an ICMP line after the word "icmp". */
bool fin_script_parse_icmp(struct parser *p, struct script_packet *pk);

#endif
