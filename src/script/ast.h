/* SPDX-License-Identifier: MIT */
/* The parsed form of a packetdrill-dialect script (README §1a): header
 * options, init/cleanup commands and a list of timed events. Everything is
 * allocated from one arena owned by struct script and freed at once. */
#ifndef FIN_SCRIPT_AST_H
#define FIN_SCRIPT_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bump allocator: the AST has no individual lifetimes worth tracking. */
struct script_arena_block;
struct script_arena {
  struct script_arena_block *head;
};
void *fin_script_arena_alloc(struct script_arena *a, size_t size);
char *fin_script_arena_strndup(struct script_arena *a, const char *s, size_t n);
void fin_script_arena_free(struct script_arena *a);

/* Where something came from, for messages a person can act on. */
struct script_loc {
  int line, col;
};

enum script_time_kind {
  SCRIPT_TIME_ABSOLUTE = 0, /* T */
  SCRIPT_TIME_RELATIVE,     /* +T */
  SCRIPT_TIME_ANY,          /* '*': outbound packets only */
};

struct script_time {
  enum script_time_kind kind;
  int64_t usecs;
};

/* A syscall argument or result (README §1a.4). */
enum script_expr_kind {
  SCRIPT_EXPR_INT = 0,
  SCRIPT_EXPR_WORD,     /* symbol: SOL_SOCKET, ECONNRESET, ... */
  SCRIPT_EXPR_ELLIPSIS, /* ... : the interpreter fills it in */
  SCRIPT_EXPR_STRING,   /* "text" */
  SCRIPT_EXPR_LIST,     /* [a, b]: pointer to int / array */
  SCRIPT_EXPR_STRUCT,   /* {a, b} or {name=value, ...} */
  SCRIPT_EXPR_FIELD,    /* name=value inside a struct; name(n)=value keeps n in rhs */
  SCRIPT_EXPR_OR,       /* a|b */
  SCRIPT_EXPR_CALL,     /* htons(8080), inet_addr("192.0.2.1"): text(items) */
};

struct script_expr {
  enum script_expr_kind kind;
  struct script_loc loc;
  int64_t num;                /* INT */
  const char *text;           /* WORD, STRING, FIELD name */
  struct script_expr *lhs;    /* OR left, FIELD value */
  struct script_expr *rhs;    /* OR right, FIELD count annotation (a CALL) */
  struct script_expr **items; /* LIST, STRUCT, CALL arguments */
  size_t count;
};

struct script_syscall {
  const char *name;
  struct script_expr **args;
  size_t argc;
  struct script_expr *result; /* INT or WORD */
  const char *errno_name;     /* NULL when not given */
  const char *note;           /* "(free text)", ignored */
};

/* TCP options as written (README §1a.5); order matters. */
enum script_opt_kind {
  SCRIPT_OPT_NOP = 0,
  SCRIPT_OPT_EOL,
  SCRIPT_OPT_MSS,
  SCRIPT_OPT_WSCALE,
  SCRIPT_OPT_SACK_OK,
  SCRIPT_OPT_TS,
  SCRIPT_OPT_SACK,
  SCRIPT_OPT_MD5,     /* kind 19 (RFC 2385): "md5 valid|invalid" or 16 hex bytes */
  SCRIPT_OPT_FO,      /* kind 34 (RFC 7413): "FO [cookie hex]" */
  SCRIPT_OPT_FO_EXP,  /* kind 254, magic 0xF989: "FOEXP [cookie hex]" */
  SCRIPT_OPT_GENERIC, /* "kind N [hex]": any other option, as bytes */
};

#define SCRIPT_MAX_OPTS     16
#define SCRIPT_MAX_SACK     4
#define SCRIPT_OPT_DATA_MAX 38

struct script_opt {
  enum script_opt_kind kind;
  uint32_t a, b; /* MSS/WSCALE value in a; TS val in a, ecr in b; GENERIC kind in a */
  uint8_t sack_count;
  uint32_t sack[SCRIPT_MAX_SACK][2];
  uint8_t data_len; /* MD5 signature, FO cookie, GENERIC payload */
  uint8_t data[SCRIPT_OPT_DATA_MAX];
};

/* IP ECN codepoints (RFC 3168 §5) as written in "[ect0]" and friends. */
enum script_ecn {
  SCRIPT_ECN_ANY = 0, /* not written: not checked outbound, Not-ECT inbound */
  SCRIPT_ECN_NOT_ECT,
  SCRIPT_ECN_ECT1,
  SCRIPT_ECN_ECT0,
  SCRIPT_ECN_CE,
  SCRIPT_ECN_ECT01, /* "[ect01]": either ECT codepoint */
};

/* An ICMP packet line (README §1a.5): type and code by name, an optional
 * next-hop MTU, and the TCP sequence range of the segment it is about.
 * packetdrill reads the names as ICMPv4's or ICMPv6's by --ip_version
 * ("unreachable port_unreachable" is 3/3 or 1/4), so both readings are
 * kept and the run picks one; a name only one family knows leaves the
 * other reading unset. */
struct script_icmp {
  bool v4, v6;          /* the names are an ICMPv4 / an ICMPv6 message */
  uint8_t type, code;   /* ICMPv4 (RFC 792) */
  uint8_t type6, code6; /* ICMPv6 (RFC 4443) */
  bool has_mtu, has_echoed;
  uint32_t mtu;
};

struct script_packet {
  bool inbound; /* '<' injected, '>' expected */
  bool is_icmp; /* an ICMP line: start/end/len are the echoed TCP segment's */
  struct script_icmp icmp;
  uint8_t flags; /* FIN_TCP_* bits */
  uint32_t start, end, len;
  bool absolute_seq; /* nplab '!' */
  bool any_seq;      /* "...(len)": the sequence number is not checked */
  bool has_ack, has_win, has_urg;
  uint32_t ack;
  uint32_t win;
  uint32_t urg;
  bool opts_any; /* <...>: options not checked */
  size_t opt_count;
  struct script_opt opts[SCRIPT_MAX_OPTS];
  /* IP prefix "(tos 0x10, ttl 3, flowlabel 7)" and ECN mark "[ect0]". */
  bool has_tos, has_ttl, has_flowlabel;
  uint8_t tos, ttl;
  uint32_t flowlabel;
  enum script_ecn ecn;
  /* "/udp(sport > dport)": FreeBSD's TCP-over-UDP encapsulation, parsed so
   * the script can be named, refused at run time (out of fin's scope). */
  bool udp_encap;
  uint32_t udp_sport, udp_dport;
};

enum script_event_kind {
  SCRIPT_EV_PACKET = 0,
  SCRIPT_EV_SYSCALL,
  SCRIPT_EV_COMMAND, /* `shell` */
  SCRIPT_EV_CODE,    /* %{ python }% */
};

struct script_event {
  enum script_event_kind kind;
  struct script_loc loc;
  struct script_time time;
  /* '~' (packets: window end) or '...' (syscalls: blocking end). */
  bool has_end;
  bool blocking; /* the end came from '...' */
  struct script_time end;
  struct script_packet packet;
  struct script_syscall call;
  const char *text; /* COMMAND, CODE */
};

struct script_option {
  const char *name, *value; /* value NULL for flags without '=' */
  struct script_loc loc;
};

struct script {
  const char *path;
  char *source; /* the text, for quoting script lines in messages */
  size_t source_len;
  struct script_arena arena;
  struct script_option *options;
  size_t option_count;
  const char *init_command;    /* before the first event, NULL if none */
  const char *cleanup_command; /* after the last event, NULL if none */
  struct script_event *events;
  size_t event_count;
};

void fin_script_free(struct script *s);

#endif
