/* SPDX-License-Identifier: MIT */
/* Tokens of the packetdrill dialect (README §1a.1). The lexer also applies
 * nplab's `#ifdef NAME` / `#endif` blocks and -D word substitution, and
 * offers raw scans for the context-dependent pieces (TCP flags, the free
 * text after an errno). */
#ifndef FIN_SCRIPT_LEXER_H
#define FIN_SCRIPT_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "script/ast.h"

enum script_tok {
  TOK_EOF = 0,
  TOK_INT,      /* 123, 0x1f */
  TOK_FLOAT,    /* 1.5, .01 */
  TOK_WORD,     /* [A-Za-z_][A-Za-z0-9_]* */
  TOK_STRING,   /* "..." (text without quotes) */
  TOK_BACKTICK, /* `...` (text without backquotes) */
  TOK_CODE,     /* %{ ... }% (text trimmed) */
  TOK_ELLIPSIS, /* ... */
  TOK_OPTION,   /* --name[=value] (text without the dashes) */
  TOK_PUNCT,    /* one character: < > : ( ) [ ] { } , = | ~ * + - . ! ; */
  TOK_ERROR,
};

struct script_token {
  enum script_tok kind;
  struct script_loc loc;
  const char *text; /* into the source, or into a define's value */
  size_t len;
  int64_t num; /* TOK_INT */
  char ch;     /* TOK_PUNCT */
};

/* NAME or NAME=value; NAME alone only matters for #ifdef. */
struct script_define {
  const char *name;
  const char *value;
};

struct script_lexer {
  const char *src;
  size_t len, pos;
  int line, col;
  const struct script_define *defines;
  size_t define_count;
  bool in_ifdef;
  char err[256];
};

void fin_script_lexer_init(struct script_lexer *lx, const char *src, size_t len,
                           const struct script_define *defines, size_t define_count);
struct script_token fin_script_lexer_next(struct script_lexer *lx);
/* TCP flags after the packet direction: [SFRPUEWA.-]+ and AccECN digits. */
struct script_token fin_script_lexer_flags(struct script_lexer *lx);
/* A run of hex digits (an option's cookie or signature), after blanks;
 * an empty token (len 0) when none follows. */
struct script_token fin_script_lexer_hex(struct script_lexer *lx);
/* The "(free text)" after a syscall result; the opening '(' is next. */
struct script_token fin_script_lexer_note(struct script_lexer *lx);
/* Next non-blank character (comments skipped), -1 at the end. */
int fin_script_lexer_peek_char(struct script_lexer *lx);
/* Position of the next token, for messages. */
struct script_loc fin_script_lexer_peek_loc(struct script_lexer *lx);
const char *fin_script_tok_name(enum script_tok kind);

#endif
