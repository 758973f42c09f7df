/* SPDX-License-Identifier: MIT */
/** @file fin/stack.h
 * @brief The sans-IO engine: a stack is fed datagrams and time, and yields
 * datagrams, deadlines and events.
 *
 * It never reads a clock, allocates except through the injected allocator,
 * draws randomness except from the injected source, or touches the OS. Same
 * inputs, same bytes out. A stack is used from one thread at a time; stacks
 * share nothing, so one per thread runs in parallel (docs/runtime.md,
 * "Threads"). The loop: feed fin_stack_input(), call fin_stack_on_timers()
 * when fin_stack_next_deadline() is due, drain fin_stack_output() until it
 * returns 0, read fin_stack_poll_event(). */
#ifndef FIN_STACK_H
#define FIN_STACK_H

#include "fin/counters.h"
#include "fin/settings.h"
#include "fin/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One TCP/IP stack (opaque): its connections, listeners, TIME-WAIT records,
 * timers, counters and settings. */
struct fin_stack;

/** A socket handle: index + generation, so a stale handle is -EBADF, never a
 * use-after-free. Always >= 0 when valid; calls that return one return a
 * negative errno instead on failure. */
typedef int64_t fin_sock;

/** Why a connection ended (BEHAVIOR G4): one per connection, from this fixed
 * list, carried by FIN_EV_CLOSED and struct fin_conn_info. The comments name
 * the docs/behavior.md row. */
enum fin_close_reason {
  FIN_REASON_NONE = 0,           /**< not ended (yet) */
  FIN_REASON_GRACEFUL,           /**< FIN exchange completed (LAST-ACK acked or TIME-WAIT done) */
  FIN_REASON_TIME_WAIT_DONE,     /**< TIME-WAIT expired after 2*MSL (E1) */
  FIN_REASON_RESET,              /**< valid RST received in a synchronized state (H3, H4) */
  FIN_REASON_REFUSED,            /**< RST received in SYN-SENT / active SYN-RECEIVED (H1, H2) */
  FIN_REASON_RETRANSMIT_TIMEOUT, /**< R2 exhausted (J2) */
  FIN_REASON_USER_TIMEOUT,       /**< TCP_USER_TIMEOUT passed */
  FIN_REASON_SYN_TIMEOUT,        /**< connect gave up (J3) */
  FIN_REASON_KEEPALIVE_TIMEOUT,  /**< keep-alive probes unanswered (J4) */
  FIN_REASON_FIN_WAIT_2_TIMEOUT, /**< orphaned FIN-WAIT-2 reaped (F1) */
  FIN_REASON_ABORT,              /**< application abort / SO_LINGER {1,0} (B1, B4) */
  FIN_REASON_UNREAD_DATA,        /**< close with unread data: RST (B7) */
  FIN_REASON_DATA_AFTER_CLOSE,   /**< data arrived after close: RST (B8) */
  FIN_REASON_MEMORY,             /**< evicted for resources (F3) */
  FIN_REASON_ADMIN_KILL,         /**< fin_stack_kill() (B6) */
  FIN_REASON_STACK_SHUTDOWN,     /**< still open at the fin_stack_shutdown() deadline (K2) */
  FIN_REASON_ICMP_UNREACHABLE,   /**< ICMP error aborted the attempt (J6) */
  FIN_REASON_CLOSED_IN_SYN_SENT, /**< closed in SYN-SENT: nothing sent (C4) */
  FIN_REASON_LISTENER_CLOSED,    /**< its listener closed before accept (C5) */
  FIN_REASON_SYN_RECV_TIMEOUT,   /**< embryonic connection timed out (L1) */
  FIN_REASON_TIME_WAIT_RECYCLED, /**< TIME-WAIT record evicted at the cap (E8) */
  FIN_REASON_TIME_WAIT_RESET,    /**< RST accepted in TIME-WAIT (E3) */
  FIN_REASON_TIME_WAIT_REOPENED, /**< a new SYN reused the TIME-WAIT 4-tuple (E4) */
  FIN_REASON_MALFORMED,          /**< malformed in-window segment, strict mode (A9) */
  FIN_REASON_COUNT               /**< number of reasons (not a reason) */
};
/** The name of a close reason, as tools print it.
 * @param r any value
 * @return "reset", "user-timeout", ...; "?" outside the enum. Static. */
const char *fin_close_reason_name(enum fin_close_reason r);

/** The timers a connection (or a TIME-WAIT record) runs. */
enum fin_timer_kind {
  FIN_TIMER_NONE = 0,     /**< no timer */
  FIN_TIMER_RETRANSMIT,   /**< RTO (RFC 6298): SYN, data and FIN retransmission */
  FIN_TIMER_PERSIST,      /**< zero-window probes (RFC 9293 §3.8.6.1) */
  FIN_TIMER_KEEPALIVE,    /**< keep-alive probes (RFC 1122 §4.2.3.6, J4) */
  FIN_TIMER_DELACK,       /**< delayed ACK (RFC 9293 §3.8.6.3) */
  FIN_TIMER_TIME_WAIT,    /**< 2*MSL (RFC 9293 §3.10.7.4 eighth, E1) */
  FIN_TIMER_FIN_WAIT_2,   /**< orphaned FIN-WAIT-2 (F1) */
  FIN_TIMER_LINGER,       /**< SO_LINGER {1,N} close wait (B5) */
  FIN_TIMER_SYN_RECV,     /**< embryonic SYN-RECEIVED lifetime (L1) */
  FIN_TIMER_USER_TIMEOUT, /**< TCP_USER_TIMEOUT (RFC 5482) */
  FIN_TIMER_COUNT         /**< number of kinds (not a kind) */
};
/** The name of a timer.
 * @param k any value
 * @return "retransmit", "time-wait", ...; "?" outside the enum. Static. */
const char *fin_timer_name(enum fin_timer_kind k);

/** What happened (struct fin_event). Only the types in settings.event_mask
 * are queued (FIN_EVENTS_DEFAULT unless changed). */
enum fin_event_type {
  FIN_EV_STATE = 0,  /**< a state change: from, to */
  FIN_EV_CLOSED,     /**< connection gone: reason, err (negative errno the app sees, or 0) */
  FIN_EV_ACCEPTABLE, /**< a listener has a connection to accept */
  FIN_EV_READABLE,   /**< data or EOF to read */
  FIN_EV_WRITABLE,   /**< send space became available / connect completed */
  FIN_EV_TIMER,      /**< a timer fired: timer */
  FIN_EV_DROP,       /**< an inbound segment was dropped: counter = counter index */
  FIN_EV_RST_SENT,   /**< an RST was queued: counter = counter index */
  FIN_EV_TYPE_COUNT  /**< number of types (not a type) */
};
/** settings.event_mask that queues every event type. */
#define FIN_EVENTS_ALL ((1u << FIN_EV_TYPE_COUNT) - 1u)
/** The default settings.event_mask: state changes, closes, acceptable. */
#define FIN_EVENTS_DEFAULT                                                                         \
  ((1u << FIN_EV_STATE) | (1u << FIN_EV_CLOSED) | (1u << FIN_EV_ACCEPTABLE))

/** The name of an event type, as the NDJSON events show it (docs/events.md).
 * @param t any value
 * @return "state", "closed", "acceptable", ...; "?" outside the enum. Static. */
const char *fin_event_type_name(enum fin_event_type t);

/** One event, copied out by fin_stack_poll_event(). Order: for one
 * connection, events come in the order things happened; a connection's last
 * two events are always FIN_EV_STATE (to FIN_CLOSED) then FIN_EV_CLOSED (with
 * the reason), whether it ended from a TCB or from a TIME-WAIT record. Fields
 * a type does not use are zero. */
struct fin_event {
  enum fin_event_type type;     /**< what happened */
  fin_time time;                /**< the stack's time when it happened */
  uint64_t conn_id;             /**< stable per-stack connection number (never reused); 0 = none */
  fin_sock sock;                /**< the handle if the application still holds one, else -1 */
  struct fin_4tuple tuple;      /**< the connection's 4-tuple */
  enum fin_state from;          /**< FIN_EV_STATE: the state left */
  enum fin_state to;            /**< FIN_EV_STATE: the state entered */
  enum fin_close_reason reason; /**< FIN_EV_CLOSED: why (BEHAVIOR G4) */
  int err;                   /**< FIN_EV_CLOSED: the negative errno the application reads, or 0 */
  enum fin_timer_kind timer; /**< FIN_EV_TIMER: which timer fired */
  uint32_t counter;          /**< FIN_EV_DROP / FIN_EV_RST_SENT: index into the counters list
                              * (fin_counters_name()) */
};

/** Snapshot of one connection (TCP_INFO-like, and for `ss`-style listings):
 * fin_stack_list(), FIN_TCP_INFO. Sequence numbers are absolute; times are
 * nanoseconds. A plain copy: nothing to free. */
struct fin_conn_info {
  uint64_t conn_id;                   /**< stable per-stack connection number */
  fin_sock sock;                      /**< the application's handle, -1 for an orphan */
  struct fin_4tuple tuple;            /**< the 4-tuple */
  enum fin_state state;               /**< the RFC 9293 state */
  enum fin_close_reason close_reason; /**< FIN_REASON_NONE while alive */
  int error;                          /**< pending/sticky error (negative errno) */
  bool orphan;                        /**< the application closed it; the stack finishes it */
  fin_time srtt;                      /**< smoothed RTT (RFC 6298), 0 before a sample */
  fin_time rttvar;                    /**< RTT variance (RFC 6298) */
  fin_time rto;                       /**< retransmission timeout now (with backoff) */
  uint32_t retransmits;               /**< consecutive retransmissions of the head segment */
  uint32_t total_retrans;             /**< retransmissions over the connection's life */
  uint32_t backoff;                   /**< RTO doublings in force */
  uint32_t unacked;                   /**< bytes in flight (SND.NXT - SND.UNA, SYN/FIN included) */
  uint32_t snd_queued;                /**< bytes in the send buffer not yet acknowledged */
  uint32_t rcv_queued;                /**< bytes readable */
  uint32_t snd_mss;                   /**< MSS we send with */
  uint32_t rcv_mss;                   /**< MSS we announced */
  uint32_t snd_wnd;                   /**< the peer's window (SND.WND, scaled) */
  uint32_t rcv_wnd;                   /**< our window (RCV.WND) */
  uint32_t cwnd;                      /**< congestion window, bytes (RFC 5681) */
  uint32_t ssthresh;                  /**< slow-start threshold, bytes */
  uint8_t snd_wscale;                 /**< the peer's window scale shift (RFC 7323) */
  uint8_t rcv_wscale;                 /**< our window scale shift */
  bool ts_ok;                         /**< timestamps negotiated (RFC 7323) */
  bool sack_ok;                       /**< SACK permitted by both (RFC 2018) */
  bool ecn_ok;                        /**< ECN negotiated (RFC 3168) */
  bool ecn_seen;                      /**< an ECT or CE segment arrived since */
  uint32_t probes;                    /**< keepalive / persist probes outstanding */
  uint32_t iss;                       /**< ISS: our initial sequence number */
  uint32_t irs;                       /**< IRS: the peer's initial sequence number */
  uint32_t snd_una;                   /**< SND.UNA */
  uint32_t snd_nxt;                   /**< SND.NXT */
  uint32_t rcv_nxt;                   /**< RCV.NXT */
  fin_time next_deadline;             /**< when its next timer fires, FIN_NEVER if none */
  enum fin_timer_kind next_timer;     /**< which timer that is */
};

/** Creates a stack.
 * @param out the stack, written on success; free it with fin_stack_free()
 * @param settings copied (fin_settings_default() then changes)
 * @param alloc copied; every byte the stack holds comes from it
 * @param rnd copied; ISNs, ports and keys come from it
 * @param now the caller's clock now
 * @retval 0 created
 * @retval -EINVAL a NULL argument or callback, or invalid settings
 * @retval -ENOMEM the allocator failed */
int fin_stack_new(struct fin_stack **out, const struct fin_settings *settings,
                  const struct fin_allocator *alloc, const struct fin_random *rnd, fin_time now);
/** Frees everything immediately: connections vanish without FIN or RST, and
 * every handle becomes invalid. For an orderly end see fin_stack_shutdown().
 * @param stack the stack, or NULL (no-op) */
void fin_stack_free(struct fin_stack *stack);

/** The settings in force.
 * @param stack the stack
 * @return owned by the stack, valid until the next fin_stack_set_settings() */
const struct fin_settings *fin_stack_settings(const struct fin_stack *stack);
/** Changes settings at run time; applies to new connections (and TIME-WAIT
 * records created from now on), not to existing ones.
 * @param stack the stack
 * @param settings copied
 * @retval 0 applied
 * @retval -EINVAL an invalid value (nothing changed) */
int fin_stack_set_settings(struct fin_stack *stack, const struct fin_settings *settings);

/** Advances the stack's notion of "now". Socket calls act at this time.
 * Every entry point below that takes `now` does this first.
 * @param stack the stack
 * @param now monotonic; a value earlier than the stack's time is ignored */
void fin_stack_set_now(struct fin_stack *stack, fin_time now);
/** The stack's time.
 * @param stack the stack
 * @return the latest time it was given */
fin_time fin_stack_now(const struct fin_stack *stack);

/** One IPv4 or IPv6 datagram in, processed per RFC 9293 §3.10.7 in any state.
 * Never fails: bad input is counted (fin_stack_counters()) and dropped, and
 * an answer it calls for (ACK, RST, SYN-ACK) is queued for fin_stack_output().
 * @param stack the stack
 * @param datagram the bytes, read during the call only (not kept)
 * @param len their length
 * @param now the caller's clock */
void fin_stack_input(struct fin_stack *stack, const uint8_t *datagram, size_t len, fin_time now);

/** Takes the next datagram due out.
 * @param stack the stack
 * @param buf where it is written
 * @param cap should be >= settings.mtu; a smaller cap makes the stack send
 *        smaller segments (never truncates)
 * @param now the caller's clock
 * @return its length, 0 when nothing is due. Call until it returns 0. */
size_t fin_stack_output(struct fin_stack *stack, uint8_t *buf, size_t cap, fin_time now);

/** fin_stack_output() for a driver that segments (GSO/TSO; docs/engine.md,
 * "Segmentation offload"): new data may leave as one super-segment of up to
 * about 64 KiB, which is exactly the segments fin_stack_output() would have
 * sent one after another at this instant, concatenated: one TCP header (the
 * first segment's, with the last one's PSH and FIN), the same options on
 * every piece (timestamps included), a complete checksum over the whole.
 * The driver cuts it every *gso_size payload bytes (fin_gso_segment() does
 * it in software). Retransmissions, control segments and ACKs stay single.
 * @param stack the stack
 * @param buf where the datagram is written
 * @param cap its size: the super-segment never exceeds it (nor
 *        FIN_GSO_DATAGRAM_MAX); one below settings.mtu makes segments smaller
 * @param gso_size set to the MSS to cut at when the datagram carries more,
 *        else 0 (a datagram to send as it is)
 * @param now the caller's clock
 * @return its length, 0 when nothing is due. Call until it returns 0. */
size_t fin_stack_output_gso(struct fin_stack *stack, uint8_t *buf, size_t cap, uint16_t *gso_size,
                            fin_time now);

/** When the stack next needs the caller. When it is due, call
 * fin_stack_on_timers() and then fin_stack_output() until it returns 0;
 * after that it is later than now (or FIN_NEVER). O(1).
 * @param stack the stack
 * @return the earliest timer, FIN_NEVER when idle, or fin_stack_now() while
 *         output is queued (a socket call queued a SYN, data, a FIN or an RST;
 *         input or a timer queued a reply) */
fin_time fin_stack_next_deadline(const struct fin_stack *stack);

/** Optional wake-up for a loop that sleeps on file descriptors: fn(ctx) is
 * called from inside the call that queues output while none was queued (a
 * socket call, fin_stack_input(), fin_stack_on_timers(); never from inside
 * fin_stack_output()). Typically it writes an eventfd.
 * @param stack the stack
 * @param fn must not call into the stack; NULL turns the wake-up off
 * @param ctx passed to fn */
void fin_stack_set_wakeup(struct fin_stack *stack, void (*fn)(void *ctx), void *ctx);

/** Runs every timer due at or before now (retransmission, persist,
 * keep-alive, delayed ACK, TIME-WAIT, FIN-WAIT-2, linger, SYN-RECEIVED,
 * user timeout); what they send is queued for fin_stack_output().
 * @param stack the stack
 * @param now the caller's clock */
void fin_stack_on_timers(struct fin_stack *stack, fin_time now);

/** Takes the oldest queued event (settings.event_mask chooses which are
 * queued; beyond settings.event_queue_max they are dropped and counted).
 * @param stack the stack
 * @param ev filled when one is queued
 * @return 1 and *ev filled, or 0 when none is queued */
int fin_stack_poll_event(struct fin_stack *stack, struct fin_event *ev);

/** The stack's counters (nstat-style, fin/counters.h).
 * @param stack the stack
 * @return owned by the stack and updated in place; valid until fin_stack_free() */
const struct fin_counters *fin_stack_counters(const struct fin_stack *stack);

/** Live connections: every state but TIME-WAIT (embryonic and orphans included).
 * @param stack the stack
 * @return how many */
size_t fin_stack_conn_count(const struct fin_stack *stack);
/** TIME-WAIT records (each a compact record, not a TCB).
 * @param stack the stack
 * @return how many */
size_t fin_stack_time_wait_count(const struct fin_stack *stack);

/** Lists connections, TIME-WAIT records included (with state FIN_TIME_WAIT).
 * Not O(1): a tool call.
 * @param stack the stack
 * @param cursor 0 to begin; advanced past what was written
 * @param out where the snapshots go
 * @param max room in out
 * @return how many were written; 0 means the end */
size_t fin_stack_list(const struct fin_stack *stack, size_t *cursor, struct fin_conn_info *out,
                      size_t max);

/** Snapshot of one listener, for `ss -l`-style listings. */
struct fin_listener_info {
  fin_sock sock;             /**< the listener's handle */
  struct fin_sockaddr local; /**< the address and port it listens on */
  int backlog;               /**< as given to fin_listen() */
  uint32_t syn_queued;       /**< embryonic connections (SYN-RECEIVED) */
  uint32_t accept_queued;    /**< established, waiting for fin_accept() */
};

/** Lists listeners (LISTEN), like fin_stack_list().
 * @param stack the stack
 * @param cursor 0 to begin; advanced past what was written
 * @param out where the snapshots go
 * @param max room in out
 * @return how many were written; 0 means the end */
size_t fin_stack_list_listeners(const struct fin_stack *stack, size_t *cursor,
                                struct fin_listener_info *out, size_t max);

/** B6: administrative kill by 4-tuple (like `ss -K`), in any state including
 * SYN-RECEIVED (embryonic) and TIME-WAIT. An RST is sent where BEHAVIOR B1
 * would send one (SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT); the
 * connection ends with FIN_REASON_ADMIN_KILL and an application still
 * holding it reads -ECONNABORTED; a TIME-WAIT connection (the exchange
 * already complete, RFC 9293 §3.10.5) ends with errno 0.
 * @param stack the stack
 * @param tuple the connection, seen from this stack
 * @retval 0 killed
 * @retval -ENOENT no connection or TIME-WAIT record has that 4-tuple */
int fin_stack_kill(struct fin_stack *stack, const struct fin_4tuple *tuple);

/** K2: orderly stack shutdown. Listeners close; every connection is closed
 * gracefully (ESTABLISHED and CLOSE-WAIT send their FIN); at `deadline`
 * whatever is still synchronized gets an RST and is deleted, and TIME-WAIT
 * records are dropped silently. Keep driving the stack until
 * fin_stack_shutdown_done().
 * @param stack the stack
 * @param deadline absolute time, the caller's clock */
void fin_stack_shutdown(struct fin_stack *stack, fin_time deadline);
/** Whether a shutdown has finished.
 * @param stack the stack
 * @return true when no connection, listener or TIME-WAIT record is left */
bool fin_stack_shutdown_done(const struct fin_stack *stack);

/** Bytes currently held from the stack's allocator (for leak checks and limits).
 * @param stack the stack
 * @return the total */
size_t fin_stack_memory_in_use(const struct fin_stack *stack);

/** Of fin_stack_memory_in_use(), the bytes the TIME-WAIT records take with
 * their tables (pages of records, the page rings, the hash buckets): what
 * fin_stack_time_wait_count() records cost (issue 14).
 * @param stack the stack
 * @return bytes */
size_t fin_stack_time_wait_memory(const struct fin_stack *stack);

/** Of fin_stack_memory_in_use(), the bytes of send and receive buffer the
 * connections hold now: buffers are pool chunks taken as data needs them and
 * given back as it leaves (what settings.max_buffer_memory limits, BEHAVIOR
 * F3); idle chunks kept for reuse are not counted.
 * @param stack the stack
 * @return bytes */
size_t fin_stack_buffer_memory(const struct fin_stack *stack);
/** The size of one buffer chunk.
 * @param stack the stack
 * @return a power of two >= max(mtu, 2048) */
size_t fin_stack_buffer_chunk(const struct fin_stack *stack);

/** A broken invariant, reported by fin_stack_audit(). */
struct fin_audit {
  const char *what;        /**< static text naming the invariant */
  uint64_t conn_id;        /**< the connection that breaks it; 0 when stack-wide */
  struct fin_4tuple tuple; /**< its 4-tuple */
  enum fin_state state;    /**< its state */
};
/** The engine's self-check (docs/engine.md "Invariants"): every connection
 * has a way out - a deadline, output due, or a state in which only the
 * application may end it (idle ESTABLISHED or CLOSE-WAIT without keep-alive,
 * FIN-WAIT-2 after shutdown(SHUT_WR) with the socket open) with nothing
 * unsent or unacknowledged; in-order data was never refused while the
 * receive buffer had room; every connection and TIME-WAIT record that ended
 * emitted its CLOSED event, once. O(connections): for tests, simulators and
 * fuzzers.
 * @param stack the stack
 * @param out the first broken invariant, or NULL
 * @retval 0 every invariant holds
 * @retval -EPROTO one is broken (*out says which) */
int fin_stack_audit(const struct fin_stack *stack, struct fin_audit *out);

/** TCP Fast Open (RFC 7413 §4.1.2): sets the key the server's cookies are
 * made with (SipHash-2-4 of the client address, key bytes as in the SipHash
 * reference) instead of one drawn from the random source on first use: for
 * servers that share cookies or keep them across restarts. The key it
 * replaces stays valid for one settings.fastopen_key_lifetime, and rotation
 * goes on from the new one.
 * @param stack the stack
 * @param key 16 key bytes (copied) */
void fin_stack_set_fastopen_key(struct fin_stack *stack, const uint8_t key[16]);

/** The size of the full TCB, for the record.
 * @return bytes */
size_t fin_tcb_size(void);
/** The size of an IPv4 TIME-WAIT record (what a connection in TIME-WAIT keeps).
 * @return bytes */
size_t fin_time_wait_record_size(void);
/** The size of an IPv6 TIME-WAIT record.
 * @return bytes */
size_t fin_time_wait_record_size_v6(void);

#ifdef __cplusplus
}
#endif
#endif
