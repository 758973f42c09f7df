/* SPDX-License-Identifier: MIT */
/* Recursive-descent parser for the packetdrill dialect (README §1a).
 * Every error names file:line:column and what was expected. */
#include "script/parser.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fin/wire.h"
#include "script/parse_internal.h"

const struct script_define fin_script_default_defines[] = {{"STANDARD", NULL}};
const size_t fin_script_default_define_count = 1;

bool fin_script_p_fail_at(struct parser *p, struct script_loc loc, const char *fmt, ...) {
  if (p->failed)
    return false;
  p->failed = true;
  int n = snprintf(p->err, p->errcap, "%s:%d:%d: ", p->path, loc.line, loc.col);
  if (n < 0 || (size_t)n >= p->errcap)
    return false;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->err + n, p->errcap - (size_t)n, fmt, ap);
  va_end(ap);
  return false;
}

struct script_token *fin_script_p_peek(struct parser *p) {
  if (!p->have) {
    p->tok = fin_script_lexer_next(&p->lx);
    p->have = true;
  }
  return &p->tok;
}

struct script_token fin_script_p_next(struct parser *p) {
  fin_script_p_peek(p);
  p->have = false;
  return p->tok;
}

/* "got X" text for messages. */
static const char *describe(const struct script_token *t, char *buf, size_t cap) {
  if (t->kind == TOK_PUNCT || t->kind == TOK_WORD || t->kind == TOK_INT || t->kind == TOK_FLOAT)
    snprintf(buf, cap, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->text);
  else
    snprintf(buf, cap, "%s", fin_script_tok_name(t->kind));
  return buf;
}

bool fin_script_p_expected(struct parser *p, const char *what) {
  struct script_token *t = fin_script_p_peek(p);
  if (t->kind == TOK_ERROR)
    return fin_script_p_fail_at(p, t->loc, "%s", p->lx.err);
  char buf[64];
  return fin_script_p_fail_at(p, t->loc, "expected %s, got %s", what,
                              describe(t, buf, sizeof(buf)));
}

bool fin_script_p_is_punct(struct parser *p, char c) {
  struct script_token *t = fin_script_p_peek(p);
  return t->kind == TOK_PUNCT && t->ch == c;
}

bool fin_script_p_accept_punct(struct parser *p, char c) {
  if (!fin_script_p_is_punct(p, c))
    return false;
  fin_script_p_next(p);
  return true;
}

bool fin_script_p_expect_punct(struct parser *p, char c, const char *what) {
  if (fin_script_p_accept_punct(p, c))
    return true;
  return fin_script_p_expected(p, what);
}

bool fin_script_p_is_word(struct parser *p, const char *w) {
  struct script_token *t = fin_script_p_peek(p);
  return t->kind == TOK_WORD && t->len == strlen(w) && memcmp(t->text, w, t->len) == 0;
}

const char *fin_script_p_dup_tok(struct parser *p, const struct script_token *t) {
  return fin_script_arena_strndup(&p->s->arena, t->text, t->len);
}

bool fin_script_p_expect_uint(struct parser *p, const char *what, uint32_t *out) {
  struct script_token *t = fin_script_p_peek(p);
  if (t->kind != TOK_INT || t->num > UINT32_MAX)
    return fin_script_p_expected(p, what);
  *out = (uint32_t)fin_script_p_next(p).num;
  return true;
}

/* Seconds ("1", "0.100", ".01") to microseconds, exactly. */
static bool time_value(struct parser *p, int64_t *usecs) {
  struct script_token t = fin_script_p_next(p);
  if (t.kind == TOK_INT) {
    *usecs = t.num * 1000000;
    return true;
  }
  if (t.kind != TOK_FLOAT) {
    p->have = true;
    p->tok = t;
    return fin_script_p_expected(p, "a time in seconds");
  }
  int64_t whole = 0, frac = 0, scale = 1000000;
  size_t i = 0;
  for (; i < t.len && t.text[i] != '.'; i++)
    whole = whole * 10 + (t.text[i] - '0');
  for (i++; i < t.len; i++) {
    scale /= 10;
    if (scale == 0)
      return fin_script_p_fail_at(p, t.loc, "time '%.*s' is finer than a microsecond", (int)t.len,
                                  t.text);
    frac += (t.text[i] - '0') * scale;
  }
  *usecs = whole * 1000000 + frac;
  return true;
}

static bool parse_time(struct parser *p, struct script_time *out) {
  if (fin_script_p_accept_punct(p, '*')) {
    out->kind = SCRIPT_TIME_ANY;
    out->usecs = 0;
    return true;
  }
  out->kind = fin_script_p_accept_punct(p, '+') ? SCRIPT_TIME_RELATIVE : SCRIPT_TIME_ABSOLUTE;
  return time_value(p, &out->usecs);
}

/* ---- expressions (syscall arguments) ---- */

static bool parse_expr(struct parser *p, struct script_expr **out, bool in_struct);

static struct script_expr *new_expr(struct parser *p, enum script_expr_kind kind,
                                    struct script_loc loc) {
  struct script_expr *e = fin_script_arena_alloc(&p->s->arena, sizeof(*e));
  if (e) {
    e->kind = kind;
    e->loc = loc;
  }
  return e;
}

/* Items up to `close`, separated by commas. */
static bool parse_items(struct parser *p, struct script_expr *e, char close, bool in_struct) {
  struct script_expr *items[64];
  size_t n = 0;
  while (!fin_script_p_is_punct(p, close)) {
    if (n == 64)
      return fin_script_p_expected(p, "at most 64 items");
    if (!parse_expr(p, &items[n++], in_struct))
      return false;
    if (!fin_script_p_accept_punct(p, ','))
      break;
  }
  char what[16];
  snprintf(what, sizeof(what), "',' or '%c'", close);
  if (!fin_script_p_expect_punct(p, close, what))
    return false;
  e->items = fin_script_arena_alloc(&p->s->arena, sizeof(*items) * (n ? n : 1));
  memcpy(e->items, items, sizeof(*items) * n);
  e->count = n;
  return true;
}

/* A word, a call "htons(8080)", or in a struct a field "name=value" or
 * "msg_iov(1)=[...]" (the parenthesised count is kept in rhs). */
static bool parse_word_expr(struct parser *p, struct script_expr **out, bool in_struct) {
  struct script_token t = fin_script_p_next(p);
  struct script_expr *args = NULL;
  if (fin_script_p_accept_punct(p, '(')) {
    args = new_expr(p, SCRIPT_EXPR_CALL, t.loc);
    args->text = fin_script_p_dup_tok(p, &t);
    if (!parse_items(p, args, ')', false))
      return false;
  }
  if (in_struct && fin_script_p_accept_punct(p, '=')) {
    struct script_expr *f = new_expr(p, SCRIPT_EXPR_FIELD, t.loc);
    f->text = fin_script_p_dup_tok(p, &t);
    f->rhs = args;
    *out = f;
    return parse_expr(p, &f->lhs, false);
  }
  if (args) {
    *out = args;
    return true;
  }
  *out = new_expr(p, SCRIPT_EXPR_WORD, t.loc);
  (*out)->text = fin_script_p_dup_tok(p, &t);
  return true;
}

static bool parse_primary(struct parser *p, struct script_expr **out, bool in_struct) {
  struct script_token *t = fin_script_p_peek(p);
  struct script_loc loc = t->loc;
  if (t->kind == TOK_INT) {
    *out = new_expr(p, SCRIPT_EXPR_INT, loc);
    (*out)->num = fin_script_p_next(p).num;
    return true;
  }
  if (t->kind == TOK_PUNCT && t->ch == '-') {
    fin_script_p_next(p);
    if (fin_script_p_peek(p)->kind != TOK_INT)
      return fin_script_p_expected(p, "an integer after '-'");
    *out = new_expr(p, SCRIPT_EXPR_INT, loc);
    (*out)->num = -fin_script_p_next(p).num;
    return true;
  }
  if (t->kind == TOK_WORD)
    return parse_word_expr(p, out, in_struct);
  if (t->kind == TOK_ELLIPSIS || t->kind == TOK_STRING) {
    struct script_token s = fin_script_p_next(p);
    *out = new_expr(p, s.kind == TOK_STRING ? SCRIPT_EXPR_STRING : SCRIPT_EXPR_ELLIPSIS, loc);
    (*out)->text = fin_script_p_dup_tok(p, &s);
    return true;
  }
  if (t->kind == TOK_PUNCT && (t->ch == '[' || t->ch == '{')) {
    bool brace = fin_script_p_next(p).ch == '{';
    *out = new_expr(p, brace ? SCRIPT_EXPR_STRUCT : SCRIPT_EXPR_LIST, loc);
    return parse_items(p, *out, brace ? '}' : ']', brace);
  }
  return fin_script_p_expected(p, "an argument (number, symbol, '...', [..] or {..})");
}

static bool parse_expr(struct parser *p, struct script_expr **out, bool in_struct) {
  if (!parse_primary(p, out, in_struct))
    return false;
  while (fin_script_p_is_punct(p, '|')) {
    struct script_expr *e = new_expr(p, SCRIPT_EXPR_OR, fin_script_p_next(p).loc);
    e->lhs = *out;
    if (!parse_primary(p, &e->rhs, false))
      return false;
    *out = e;
  }
  return true;
}

/* ---- syscalls ---- */

static bool parse_result(struct parser *p, struct script_syscall *c) {
  if (!fin_script_p_expect_punct(p, '=', "'=' and the expected result"))
    return false;
  struct script_token *t = fin_script_p_peek(p);
  if (t->kind != TOK_INT && t->kind != TOK_WORD && !(t->kind == TOK_PUNCT && t->ch == '-'))
    return fin_script_p_expected(p, "a result (integer or symbol)");
  if (!parse_primary(p, &c->result, false))
    return false;
  int ch = fin_script_lexer_peek_char(&p->lx);
  if (ch != -1 && (ch == '_' || (ch >= 'A' && ch <= 'Z'))) {
    struct script_token e = fin_script_p_next(p);
    c->errno_name = fin_script_p_dup_tok(p, &e);
    ch = fin_script_lexer_peek_char(&p->lx);
  }
  if (ch == '(') {
    struct script_token note = fin_script_lexer_note(&p->lx);
    if (note.kind == TOK_ERROR)
      return fin_script_p_fail_at(p, note.loc, "%s", p->lx.err);
    c->note = fin_script_p_dup_tok(p, &note);
  }
  return true;
}

static bool parse_syscall(struct parser *p, struct script_syscall *c) {
  struct script_token name = fin_script_p_next(p);
  c->name = fin_script_p_dup_tok(p, &name);
  if (!fin_script_p_expect_punct(p, '(', "'(' after the syscall name"))
    return false;
  struct script_expr tmp = {0};
  if (!parse_items(p, &tmp, ')', false))
    return false;
  c->args = tmp.items;
  c->argc = tmp.count;
  return parse_result(p, c);
}

/* ---- events and the file ---- */

static bool parse_time_spec(struct parser *p, struct script_event *ev) {
  if (!parse_time(p, &ev->time))
    return false;
  if (fin_script_p_accept_punct(p, '~')) {
    ev->has_end = true;
    return parse_time(p, &ev->end);
  }
  if (fin_script_p_peek(p)->kind == TOK_ELLIPSIS) {
    fin_script_p_next(p);
    ev->has_end = true;
    ev->blocking = true;
    ev->end.kind = ev->time.kind;
    return time_value(p, &ev->end.usecs);
  }
  return true;
}

static bool check_time_use(struct parser *p, struct script_event *ev, bool tilde) {
  bool outbound = ev->kind == SCRIPT_EV_PACKET && !ev->packet.inbound;
  if ((ev->time.kind == SCRIPT_TIME_ANY || tilde) && !outbound)
    return fin_script_p_fail_at(p, ev->loc,
                                "'*' and '~' times are only allowed on outbound packets");
  if (ev->has_end && !tilde && ev->kind != SCRIPT_EV_SYSCALL)
    return fin_script_p_fail_at(p, ev->loc, "'S...E' times are only allowed on system calls");
  return true;
}

static bool parse_event(struct parser *p, struct script_event *ev) {
  ev->loc = fin_script_p_peek(p)->loc;
  if (!parse_time_spec(p, ev))
    return false;
  struct script_token *t = fin_script_p_peek(p);
  if (t->kind == TOK_PUNCT && (t->ch == '<' || t->ch == '>')) {
    ev->kind = SCRIPT_EV_PACKET;
    if (!fin_script_parse_packet(p, ev))
      return false;
  } else if (t->kind == TOK_WORD) {
    ev->kind = SCRIPT_EV_SYSCALL;
    if (!parse_syscall(p, &ev->call))
      return false;
  } else if (t->kind == TOK_BACKTICK || t->kind == TOK_CODE) {
    struct script_token c = fin_script_p_next(p);
    ev->kind = c.kind == TOK_CODE ? SCRIPT_EV_CODE : SCRIPT_EV_COMMAND;
    ev->text = fin_script_p_dup_tok(p, &c);
  } else {
    return fin_script_p_expected(p,
                                 "a packet ('<' or '>'), a system call, a `command` or %{ code }%");
  }
  return check_time_use(p, ev, ev->has_end && !ev->blocking);
}

static bool grow(struct parser *p, void **arr, size_t *cap, size_t count, size_t elem) {
  if (count < *cap)
    return true;
  size_t ncap = *cap ? *cap * 2 : 64;
  void *n = fin_script_arena_alloc(&p->s->arena, ncap * elem);
  if (!n)
    return fin_script_p_fail_at(p, fin_script_p_peek(p)->loc, "out of memory");
  if (count)
    memcpy(n, *arr, count * elem);
  *arr = n;
  *cap = ncap;
  return true;
}

static bool parse_header_option(struct parser *p) {
  struct script_token t = fin_script_p_next(p);
  if (!grow(p, (void **)&p->s->options, &p->option_cap, p->s->option_count,
            sizeof(struct script_option)))
    return false;
  struct script_option *o = &p->s->options[p->s->option_count++];
  o->loc = t.loc;
  const char *eq = memchr(t.text, '=', t.len);
  size_t nlen = eq ? (size_t)(eq - t.text) : t.len;
  o->name = fin_script_arena_strndup(&p->s->arena, t.text, nlen);
  if (eq)
    o->value = fin_script_arena_strndup(&p->s->arena, eq + 1, t.len - nlen - 1);
  return true;
}

static bool is_event_start(struct parser *p) {
  struct script_token *t = fin_script_p_peek(p);
  return t->kind == TOK_INT || t->kind == TOK_FLOAT ||
         (t->kind == TOK_PUNCT && (t->ch == '+' || t->ch == '*'));
}

static bool parse_prologue(struct parser *p) {
  for (;;) {
    struct script_token *t = fin_script_p_peek(p);
    if (t->kind == TOK_OPTION && p->s->event_count == 0 && !p->s->init_command) {
      if (!parse_header_option(p))
        return false;
    } else if (t->kind == TOK_BACKTICK && !p->s->init_command) {
      struct script_token c = fin_script_p_next(p);
      p->s->init_command = fin_script_p_dup_tok(p, &c);
    } else {
      return true;
    }
  }
}

static bool parse_events(struct parser *p) {
  while (is_event_start(p)) {
    if (!grow(p, (void **)&p->s->events, &p->event_cap, p->s->event_count,
              sizeof(struct script_event)))
      return false;
    struct script_event *ev = &p->s->events[p->s->event_count];
    memset(ev, 0, sizeof(*ev));
    if (!parse_event(p, ev))
      return false;
    p->s->event_count++;
  }
  return true;
}

static bool parse_file(struct parser *p) {
  if (!parse_prologue(p) || !parse_events(p))
    return false;
  if (p->s->event_count == 0)
    return fin_script_p_expected(p, "an event (a time followed by a packet, a call or a command)");
  if (fin_script_p_peek(p)->kind == TOK_BACKTICK) {
    struct script_token c = fin_script_p_next(p);
    p->s->cleanup_command = fin_script_p_dup_tok(p, &c);
  }
  if (fin_script_p_peek(p)->kind != TOK_EOF)
    return fin_script_p_expected(p, "an event starting with a time (e.g. '+0', '0.100', '*')");
  if (p->lx.in_ifdef)
    return fin_script_p_fail_at(p, fin_script_p_peek(p)->loc, "#ifdef without #endif");
  const struct script_event *first = &p->s->events[0];
  if (first->time.kind == SCRIPT_TIME_ANY || first->time.usecs != 0)
    return fin_script_p_fail_at(p, first->loc, "first event should be at time 0");
  return true;
}

int fin_script_parse(const char *path, const char *src, size_t len,
                     const struct script_define *defines, size_t define_count, struct script *out,
                     char *err, size_t errcap) {
  memset(out, 0, sizeof(*out));
  struct parser p = {.s = out, .path = path, .err = err, .errcap = errcap};
  fin_script_lexer_init(&p.lx, src, len, defines, define_count);
  out->path = fin_script_arena_strndup(&out->arena, path, strlen(path));
  if (!parse_file(&p)) {
    fin_script_free(out);
    return -1;
  }
  out->source = malloc(len + 1);
  if (out->source) {
    memcpy(out->source, src, len);
    out->source[len] = '\0';
    out->source_len = len;
  }
  return 0;
}

int fin_script_parse_file(const char *path, const struct script_define *defines,
                          size_t define_count, struct script *out, char *err, size_t errcap) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errcap, "%s: %s", path, strerror(errno));
    return -1;
  }
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb)
        free(buf);
      buf = nb;
      cap *= 2;
    }
  }
  fclose(f);
  if (!buf) {
    snprintf(err, errcap, "%s: out of memory", path);
    return -1;
  }
  int rc = fin_script_parse(path, buf, len, defines, define_count, out, err, errcap);
  free(buf);
  return rc;
}
