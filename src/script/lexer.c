/* SPDX-License-Identifier: MIT */
/* Lexer for the packetdrill dialect (README §1a.1, §1a.9). */
#include "script/lexer.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void fin_script_lexer_init(struct script_lexer *lx, const char *src, size_t len,
                           const struct script_define *defines, size_t define_count) {
  memset(lx, 0, sizeof(*lx));
  lx->src = src;
  lx->len = len;
  lx->line = 1;
  lx->col = 1;
  lx->defines = defines;
  lx->define_count = define_count;
}

const char *fin_script_tok_name(enum script_tok kind) {
  switch (kind) {
  case TOK_EOF:
    return "end of file";
  case TOK_INT:
    return "integer";
  case TOK_FLOAT:
    return "number";
  case TOK_WORD:
    return "word";
  case TOK_STRING:
    return "string";
  case TOK_BACKTICK:
    return "`command`";
  case TOK_CODE:
    return "%{ code }%";
  case TOK_ELLIPSIS:
    return "'...'";
  case TOK_OPTION:
    return "--option";
  case TOK_PUNCT:
    return "punctuation";
  case TOK_ERROR:
    return "error";
  }
  return "?";
}

static int peekc(const struct script_lexer *lx, size_t ahead) {
  size_t i = lx->pos + ahead;
  return i < lx->len ? (unsigned char)lx->src[i] : -1;
}

static void advance(struct script_lexer *lx) {
  if (lx->pos >= lx->len)
    return;
  if (lx->src[lx->pos] == '\n') {
    lx->line++;
    lx->col = 1;
  } else {
    lx->col++;
  }
  lx->pos++;
}

static struct script_token error_token(struct script_lexer *lx, struct script_loc loc,
                                       const char *msg) {
  snprintf(lx->err, sizeof(lx->err), "%s", msg);
  struct script_token t = {.kind = TOK_ERROR, .loc = loc};
  return t;
}

static struct script_loc here(const struct script_lexer *lx) {
  struct script_loc loc = {lx->line, lx->col};
  return loc;
}

static bool starts_with(const struct script_lexer *lx, const char *s) {
  size_t n = strlen(s);
  return lx->len - lx->pos >= n && memcmp(lx->src + lx->pos, s, n) == 0;
}

static void skip_to_eol(struct script_lexer *lx) {
  while (peekc(lx, 0) != -1 && peekc(lx, 0) != '\n')
    advance(lx);
}

/* Skips "/ * ... * /"; false if it never ends. */
static bool skip_block_comment(struct script_lexer *lx) {
  advance(lx);
  advance(lx);
  while (peekc(lx, 0) != -1) {
    if (starts_with(lx, "*/")) {
      advance(lx);
      advance(lx);
      return true;
    }
    advance(lx);
  }
  return false;
}

static bool is_defined(const struct script_lexer *lx, const char *name, size_t n) {
  for (size_t i = 0; i < lx->define_count; i++)
    if (strlen(lx->defines[i].name) == n && memcmp(lx->defines[i].name, name, n) == 0)
      return true;
  return false;
}

static size_t word_len(const struct script_lexer *lx) {
  size_t n = 0;
  while (lx->pos + n < lx->len &&
         (isalnum((unsigned char)lx->src[lx->pos + n]) || lx->src[lx->pos + n] == '_'))
    n++;
  return n;
}

/* Skips whole lines up to and including the one holding "#endif". */
static bool skip_ifdef_body(struct script_lexer *lx) {
  while (peekc(lx, 0) != -1) {
    skip_to_eol(lx);
    advance(lx);
    while (peekc(lx, 0) == ' ' || peekc(lx, 0) == '\t')
      advance(lx);
    if (starts_with(lx, "#endif")) {
      skip_to_eol(lx);
      return true;
    }
  }
  return false;
}

/* nplab: "#ifdef NAME" ... "#endif", no #else, no nesting. Returns NULL on
 * success or an error message. */
static const char *directive(struct script_lexer *lx) {
  advance(lx); /* '#' */
  size_t n = word_len(lx);
  const char *w = lx->src + lx->pos;
  if (n == 5 && memcmp(w, "endif", 5) == 0) {
    if (!lx->in_ifdef)
      return "#endif without #ifdef";
    lx->in_ifdef = false;
    skip_to_eol(lx);
    return NULL;
  }
  if (n != 5 || memcmp(w, "ifdef", 5) != 0)
    return "unknown directive (expected #ifdef NAME or #endif)";
  if (lx->in_ifdef)
    return "nested #ifdef (not supported by the dialect)";
  for (size_t i = 0; i < n; i++)
    advance(lx);
  while (peekc(lx, 0) == ' ' || peekc(lx, 0) == '\t')
    advance(lx);
  size_t nn = word_len(lx);
  if (nn == 0)
    return "expected a name after #ifdef";
  bool def = is_defined(lx, lx->src + lx->pos, nn);
  skip_to_eol(lx);
  if (def) {
    lx->in_ifdef = true;
    return NULL;
  }
  return skip_ifdef_body(lx) ? NULL : "#ifdef without #endif";
}

/* Whitespace, comments and directives. NULL or an error message. */
static const char *skip_space(struct script_lexer *lx, struct script_loc *where) {
  for (;;) {
    int c = peekc(lx, 0);
    *where = here(lx);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      advance(lx);
    } else if (c == '/' && peekc(lx, 1) == '/') {
      skip_to_eol(lx);
    } else if (c == '/' && peekc(lx, 1) == '*') {
      if (!skip_block_comment(lx))
        return "unterminated /* comment";
    } else if (c == '#') {
      const char *err = directive(lx);
      if (err)
        return err;
    } else {
      return NULL;
    }
  }
}

static struct script_token make(enum script_tok kind, struct script_loc loc, const char *text,
                                size_t len) {
  struct script_token t = {.kind = kind, .loc = loc, .text = text, .len = len};
  return t;
}

/* Text between `open` and `close` delimiters (both multi-char allowed). */
static struct script_token delimited(struct script_lexer *lx, enum script_tok kind,
                                     struct script_loc loc, const char *open, const char *close,
                                     const char *what) {
  for (size_t i = 0; open[i]; i++)
    advance(lx);
  size_t start = lx->pos;
  while (peekc(lx, 0) != -1 && !starts_with(lx, close))
    advance(lx);
  if (peekc(lx, 0) == -1)
    return error_token(lx, loc, what);
  size_t end = lx->pos;
  for (size_t i = 0; close[i]; i++)
    advance(lx);
  if (kind == TOK_CODE) {
    while (start < end && isspace((unsigned char)lx->src[start]))
      start++;
    while (end > start && isspace((unsigned char)lx->src[end - 1]))
      end--;
  }
  return make(kind, loc, lx->src + start, end - start);
}

static struct script_token number(struct script_lexer *lx, struct script_loc loc) {
  size_t start = lx->pos;
  if (peekc(lx, 0) == '0' && (peekc(lx, 1) == 'x' || peekc(lx, 1) == 'X')) {
    advance(lx);
    advance(lx);
    int64_t v = 0;
    size_t digits = 0;
    while (isxdigit(peekc(lx, 0))) {
      int c = peekc(lx, 0);
      v = v * 16 + (isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
      digits++;
      advance(lx);
    }
    if (digits == 0)
      return error_token(lx, loc, "expected hex digits after 0x");
    struct script_token t = make(TOK_INT, loc, lx->src + start, lx->pos - start);
    t.num = v;
    return t;
  }
  int64_t v = 0;
  while (isdigit(peekc(lx, 0))) {
    v = v * 10 + (peekc(lx, 0) - '0');
    advance(lx);
  }
  if (peekc(lx, 0) == '.' && isdigit(peekc(lx, 1))) {
    advance(lx);
    while (isdigit(peekc(lx, 0)))
      advance(lx);
    return make(TOK_FLOAT, loc, lx->src + start, lx->pos - start);
  }
  struct script_token t = make(TOK_INT, loc, lx->src + start, lx->pos - start);
  t.num = v;
  return t;
}

/* -D NAME=value: the word is replaced by the value (lexed as a number when
 * it is one, else as a word). */
static struct script_token substitute(const struct script_lexer *lx, struct script_token t) {
  for (size_t i = 0; i < lx->define_count; i++) {
    const struct script_define *d = &lx->defines[i];
    if (!d->value || strlen(d->name) != t.len || memcmp(d->name, t.text, t.len) != 0)
      continue;
    t.text = d->value;
    t.len = strlen(d->value);
    if (t.len > 0 && isdigit((unsigned char)d->value[0])) {
      struct script_lexer sub;
      fin_script_lexer_init(&sub, d->value, t.len, NULL, 0);
      struct script_token n = number(&sub, t.loc);
      if (n.kind == TOK_INT && sub.pos == t.len)
        return n;
    }
    return t;
  }
  return t;
}

static struct script_token option(struct script_lexer *lx, struct script_loc loc) {
  advance(lx);
  advance(lx);
  size_t start = lx->pos;
  skip_to_eol(lx);
  size_t end = lx->pos;
  while (end > start && isspace((unsigned char)lx->src[end - 1]))
    end--;
  return make(TOK_OPTION, loc, lx->src + start, end - start);
}

struct script_token fin_script_lexer_next(struct script_lexer *lx) {
  struct script_loc loc;
  const char *err = skip_space(lx, &loc);
  if (err)
    return error_token(lx, loc, err);
  int c = peekc(lx, 0);
  if (c == -1)
    return make(TOK_EOF, loc, lx->src + lx->pos, 0);
  if (isdigit(c) || (c == '.' && isdigit(peekc(lx, 1))))
    return number(lx, loc);
  if (isalpha(c) || c == '_') {
    size_t n = word_len(lx);
    struct script_token t = make(TOK_WORD, loc, lx->src + lx->pos, n);
    for (size_t i = 0; i < n; i++)
      advance(lx);
    return substitute(lx, t);
  }
  if (starts_with(lx, "...")) {
    struct script_token t = make(TOK_ELLIPSIS, loc, lx->src + lx->pos, 3);
    advance(lx);
    advance(lx);
    advance(lx);
    return t;
  }
  if (c == '-' && peekc(lx, 1) == '-' && isalpha(peekc(lx, 2)))
    return option(lx, loc);
  if (c == '`')
    return delimited(lx, TOK_BACKTICK, loc, "`", "`", "unterminated `command`");
  if (c == '"')
    return delimited(lx, TOK_STRING, loc, "\"", "\"", "unterminated \"string\"");
  if (c == '%' && peekc(lx, 1) == '{')
    return delimited(lx, TOK_CODE, loc, "%{", "}%", "unterminated %{ code }%");
  if (strchr("<>:()[]{},=|~*+-.!;/", c)) {
    struct script_token t = make(TOK_PUNCT, loc, lx->src + lx->pos, 1);
    t.ch = (char)c;
    advance(lx);
    return t;
  }
  return error_token(lx, loc, "unexpected character");
}

struct script_token fin_script_lexer_flags(struct script_lexer *lx) {
  struct script_loc loc;
  const char *err = skip_space(lx, &loc);
  if (err)
    return error_token(lx, loc, err);
  size_t start = lx->pos;
  while (peekc(lx, 0) != -1 && strchr("SFRPUEWA.-01234567", peekc(lx, 0)))
    advance(lx);
  if (lx->pos == start)
    return error_token(lx, loc, "expected TCP flags (S F R P . U E W A or -)");
  return make(TOK_WORD, loc, lx->src + start, lx->pos - start);
}

struct script_token fin_script_lexer_hex(struct script_lexer *lx) {
  struct script_loc loc;
  const char *err = skip_space(lx, &loc);
  if (err)
    return error_token(lx, loc, err);
  size_t start = lx->pos;
  while (isxdigit(peekc(lx, 0)))
    advance(lx);
  return make(TOK_WORD, loc, lx->src + start, lx->pos - start);
}

struct script_token fin_script_lexer_note(struct script_lexer *lx) {
  struct script_loc loc;
  const char *err = skip_space(lx, &loc);
  if (err)
    return error_token(lx, loc, err);
  int depth = 0;
  size_t start = lx->pos;
  do {
    int c = peekc(lx, 0);
    if (c == -1 || c == '\n')
      return error_token(lx, loc, "unterminated '(' note");
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    advance(lx);
  } while (depth > 0);
  return make(TOK_STRING, loc, lx->src + start + 1, lx->pos - start - 2);
}

struct script_loc fin_script_lexer_peek_loc(struct script_lexer *lx) {
  struct script_lexer copy = *lx;
  struct script_loc loc;
  if (skip_space(&copy, &loc))
    return here(lx);
  return loc;
}

int fin_script_lexer_peek_char(struct script_lexer *lx) {
  struct script_lexer copy = *lx;
  struct script_loc loc;
  if (skip_space(&copy, &loc))
    return -1;
  return peekc(&copy, 0);
}
