/* SPDX-License-Identifier: MIT */
/* fin — the sans-IO engine: a stack is fed datagrams and time, and yields
 * datagrams, deadlines and events. It never reads a clock, allocates except
 * through the injected allocator, draws randomness except from the injected
 * source, or touches the OS. Same inputs, same bytes out. */
#ifndef FIN_STACK_H
#define FIN_STACK_H

#include "fin/counters.h"
#include "fin/settings.h"
#include "fin/types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct fin_stack;

/* Socket handles: index + generation, so a stale handle is -EBADF, never a
 * use-after-free. Always >= 0 when valid. */
typedef int64_t fin_sock;

/* Why a connection ended (BEHAVIOR G4). One per connection, fixed list. */
enum fin_close_reason {
  FIN_REASON_NONE = 0,
  FIN_REASON_GRACEFUL,           /* FIN exchange completed (LAST-ACK acked or TIME-WAIT done) */
  FIN_REASON_TIME_WAIT_DONE,     /* TIME-WAIT expired */
  FIN_REASON_RESET,              /* valid RST received in a synchronized state */
  FIN_REASON_REFUSED,            /* RST received in SYN-SENT / active SYN-RECEIVED */
  FIN_REASON_RETRANSMIT_TIMEOUT, /* R2 exhausted */
  FIN_REASON_USER_TIMEOUT,       /* TCP_USER_TIMEOUT */
  FIN_REASON_SYN_TIMEOUT,        /* connect gave up */
  FIN_REASON_KEEPALIVE_TIMEOUT,  /* J4 */
  FIN_REASON_FIN_WAIT_2_TIMEOUT, /* F1 */
  FIN_REASON_ABORT,              /* application abort / SO_LINGER {1,0} */
  FIN_REASON_UNREAD_DATA,        /* B7: close with unread data */
  FIN_REASON_DATA_AFTER_CLOSE,   /* B8 */
  FIN_REASON_MEMORY,             /* F3: evicted for resources */
  FIN_REASON_ADMIN_KILL,         /* B6 */
  FIN_REASON_STACK_SHUTDOWN,     /* K2 */
  FIN_REASON_ICMP_UNREACHABLE,   /* J6 */
  FIN_REASON_CLOSED_IN_SYN_SENT, /* C4 */
  FIN_REASON_LISTENER_CLOSED,    /* C5 */
  FIN_REASON_SYN_RECV_TIMEOUT,   /* L1 */
  FIN_REASON_TIME_WAIT_RECYCLED, /* E8 */
  FIN_REASON_TIME_WAIT_RESET,    /* E3: RST accepted in TIME-WAIT */
  FIN_REASON_TIME_WAIT_REOPENED, /* E4: a SYN reused the 4-tuple */
  FIN_REASON_MALFORMED,          /* A9 strict mode */
  FIN_REASON_COUNT
};
const char *fin_close_reason_name(enum fin_close_reason r); /* "reset", "user-timeout", ... */

enum fin_timer_kind {
  FIN_TIMER_NONE = 0,
  FIN_TIMER_RETRANSMIT,
  FIN_TIMER_PERSIST,
  FIN_TIMER_KEEPALIVE,
  FIN_TIMER_DELACK,
  FIN_TIMER_TIME_WAIT,
  FIN_TIMER_FIN_WAIT_2,
  FIN_TIMER_LINGER,
  FIN_TIMER_SYN_RECV,
  FIN_TIMER_USER_TIMEOUT,
  FIN_TIMER_COUNT
};
const char *fin_timer_name(enum fin_timer_kind k);

enum fin_event_type {
  FIN_EV_STATE = 0,  /* from -> to */
  FIN_EV_CLOSED,     /* connection gone: reason, err (negative errno the app sees, or 0) */
  FIN_EV_ACCEPTABLE, /* a listener has a connection to accept */
  FIN_EV_READABLE,   /* data or EOF to read */
  FIN_EV_WRITABLE,   /* send space became available / connect completed */
  FIN_EV_TIMER,      /* a timer fired: timer */
  FIN_EV_DROP,       /* an inbound segment was dropped: drop_counter = counter index */
  FIN_EV_RST_SENT,   /* an RST was queued: rst_counter = counter index */
  FIN_EV_TYPE_COUNT
};
#define FIN_EVENTS_ALL ((1u << FIN_EV_TYPE_COUNT) - 1u)
#define FIN_EVENTS_DEFAULT                                                                         \
  ((1u << FIN_EV_STATE) | (1u << FIN_EV_CLOSED) | (1u << FIN_EV_ACCEPTABLE))

/* "state", "closed", "acceptable", ... */
const char *fin_event_type_name(enum fin_event_type t);

/* Order: for one connection, events come in the order things happened; a
 * connection's last two events are always FIN_EV_STATE (to FIN_CLOSED)
 * then FIN_EV_CLOSED (with the reason), whether it ended from a TCB or
 * from a TIME-WAIT record. */
struct fin_event {
  enum fin_event_type type;
  fin_time time;
  uint64_t conn_id; /* stable per-stack connection number (never reused); 0 = none */
  fin_sock sock;    /* the handle if the application still holds one, else -1 */
  struct fin_4tuple tuple;
  enum fin_state from, to;
  enum fin_close_reason reason;
  int err;
  enum fin_timer_kind timer;
  uint32_t counter; /* FIN_EV_DROP / FIN_EV_RST_SENT: index into the counters list */
};

/* Snapshot of one connection (TCP_INFO-like, and for `ss`-style listings). */
struct fin_conn_info {
  uint64_t conn_id;
  fin_sock sock;
  struct fin_4tuple tuple;
  enum fin_state state;
  enum fin_close_reason close_reason;
  int error; /* pending/sticky error (negative errno) */
  bool orphan;
  fin_time srtt, rttvar, rto;
  uint32_t retransmits; /* consecutive retransmissions of the head segment */
  uint32_t total_retrans;
  uint32_t backoff;
  uint32_t unacked;    /* bytes in flight (SND.NXT - SND.UNA, SYN/FIN included) */
  uint32_t snd_queued; /* bytes in the send buffer not yet acknowledged */
  uint32_t rcv_queued; /* bytes readable */
  uint32_t snd_mss, rcv_mss;
  uint32_t snd_wnd, rcv_wnd;
  uint32_t cwnd, ssthresh;
  uint8_t snd_wscale, rcv_wscale;
  bool ts_ok, sack_ok;
  uint32_t probes; /* keepalive / persist probes outstanding */
  uint32_t iss, irs, snd_una, snd_nxt, rcv_nxt;
  fin_time next_deadline;
  enum fin_timer_kind next_timer;
};

/* Lifecycle. fin_stack_new returns 0 or -ENOMEM / -EINVAL. */
int fin_stack_new(struct fin_stack **out, const struct fin_settings *settings,
                  const struct fin_allocator *alloc, const struct fin_random *rnd, fin_time now);
/* Frees everything immediately (no packets). For an orderly end see fin_stack_shutdown. */
void fin_stack_free(struct fin_stack *stack);

const struct fin_settings *fin_stack_settings(const struct fin_stack *stack);
/* Change settings at run time; applies to new connections (and TIME-WAIT
 * records created from now on). Returns -EINVAL for invalid values. */
int fin_stack_set_settings(struct fin_stack *stack, const struct fin_settings *settings);

/* Advance the stack's notion of "now" (monotonic; earlier values are
 * ignored). Socket calls act at this time. Every entry point below that
 * takes `now` does this first. */
void fin_stack_set_now(struct fin_stack *stack, fin_time now);
fin_time fin_stack_now(const struct fin_stack *stack);

/* One IPv4 datagram in. Never fails: bad input is counted and dropped. */
void fin_stack_input(struct fin_stack *stack, const uint8_t *datagram, size_t len, fin_time now);

/* Writes at most one datagram into buf and returns its length, 0 when
 * nothing is due. Call until it returns 0. cap should be >= settings.mtu;
 * a smaller cap makes the stack send smaller segments (never truncates). */
size_t fin_stack_output(struct fin_stack *stack, uint8_t *buf, size_t cap, fin_time now);

/* When the stack next needs the caller: the earliest timer, FIN_NEVER when
 * idle, or fin_stack_now() while output is queued (a socket call queued a
 * SYN, data, a FIN or an RST; input or a timer queued a reply). When it is
 * due, call fin_stack_on_timers() and then fin_stack_output() until it
 * returns 0; after that it is later than now (or FIN_NEVER). O(1). */
fin_time fin_stack_next_deadline(const struct fin_stack *stack);

/* Optional wake-up for a loop that sleeps on file descriptors: fn(ctx) is
 * called from inside the call that queues output while none was queued (a
 * socket call, fin_stack_input, fin_stack_on_timers; never from inside
 * fin_stack_output). Typically it writes an eventfd. fn must not call into
 * the stack. fn NULL turns it off. */
void fin_stack_set_wakeup(struct fin_stack *stack, void (*fn)(void *ctx), void *ctx);

/* Runs every timer due at or before now. */
void fin_stack_on_timers(struct fin_stack *stack, fin_time now);

/* 1 and fills ev when an event is queued, 0 when none. */
int fin_stack_poll_event(struct fin_stack *stack, struct fin_event *ev);

const struct fin_counters *fin_stack_counters(const struct fin_stack *stack);

/* Number of live connections (all states but TIME-WAIT), TIME-WAIT records. */
size_t fin_stack_conn_count(const struct fin_stack *stack);
size_t fin_stack_time_wait_count(const struct fin_stack *stack);

/* Lists connections (TIME-WAIT records included, with state FIN_TIME_WAIT)
 * into out[0..max), starting at the cursor (0 to begin). Returns how many
 * were written; *cursor is advanced; 0 means the end. Not O(1): a tool call. */
size_t fin_stack_list(const struct fin_stack *stack, size_t *cursor, struct fin_conn_info *out,
                      size_t max);

/* Snapshot of one listener, for `ss -l`-style listings. */
struct fin_listener_info {
  fin_sock sock;
  struct fin_sockaddr local;
  int backlog;
  uint32_t syn_queued;    /* embryonic connections (SYN-RECEIVED) */
  uint32_t accept_queued; /* established, waiting for fin_accept */
};

/* Lists listeners into out[0..max) from the cursor, like fin_stack_list. */
size_t fin_stack_list_listeners(const struct fin_stack *stack, size_t *cursor,
                                struct fin_listener_info *out, size_t max);

/* B6: administrative kill by 4-tuple (like `ss -K`), any state including
 * embryonic and TIME-WAIT. RST where BEHAVIOR B1 would send one.
 * 0 or -ENOENT. */
int fin_stack_kill(struct fin_stack *stack, const struct fin_4tuple *tuple);

/* K2: orderly stack shutdown. Listeners close; every connection is closed
 * gracefully; at `deadline` whatever is still synchronized gets an RST and
 * is deleted. fin_stack_shutdown_done() tells when nothing is left (TIME-WAIT
 * records are dropped silently at the deadline). */
void fin_stack_shutdown(struct fin_stack *stack, fin_time deadline);
bool fin_stack_shutdown_done(const struct fin_stack *stack);

/* Bytes currently held by the stack's allocator (for leak checks and limits). */
size_t fin_stack_memory_in_use(const struct fin_stack *stack);

/* Of that, the bytes of send and receive buffer the connections hold now:
 * buffers are pool chunks taken as data needs them and given back as it
 * leaves (what settings.max_buffer_memory limits, BEHAVIOR F3); idle
 * chunks kept for reuse are not counted. */
size_t fin_stack_buffer_memory(const struct fin_stack *stack);
/* The size of one buffer chunk (a power of two >= max(mtu, 2048)). */
size_t fin_stack_buffer_chunk(const struct fin_stack *stack);

/* The engine's self-check (docs/engine.md "Invariants"): every connection
 * has a way out - a deadline, output due, or a state in which only the
 * application may end it (idle ESTABLISHED or CLOSE-WAIT without keep-alive,
 * FIN-WAIT-2 after shutdown(SHUT_WR) with the socket open) with nothing
 * unsent or unacknowledged; in-order data was never refused while the
 * receive buffer had room; every connection and TIME-WAIT record that ended
 * emitted its CLOSED event, once. O(connections): for tests, simulators and
 * fuzzers. Returns 0, or -EPROTO and the first broken invariant in *out
 * (out may be NULL). */
struct fin_audit {
  const char *what; /* static text naming the invariant */
  uint64_t conn_id; /* the connection that breaks it; 0 when stack-wide */
  struct fin_4tuple tuple;
  enum fin_state state;
};
int fin_stack_audit(const struct fin_stack *stack, struct fin_audit *out);

/* TCP Fast Open (RFC 7413 §4.1.2): the key the server's cookies are made
 * with (SipHash-2-4 of the client address, key bytes as in the SipHash
 * reference), instead of one drawn from the random source on first use:
 * for servers that share cookies or keep them across restarts. The key it
 * replaces stays valid for one settings.fastopen_key_lifetime, and rotation
 * goes on from the new one. */
void fin_stack_set_fastopen_key(struct fin_stack *stack, const uint8_t key[16]);

/* Sizes for the record: the full TCB and the compact TIME-WAIT record. */
size_t fin_tcb_size(void);
size_t fin_time_wait_record_size(void);    /* an IPv4 record */
size_t fin_time_wait_record_size_v6(void); /* an IPv6 record */

#ifdef __cplusplus
}
#endif
#endif
