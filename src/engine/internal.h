/* SPDX-License-Identifier: MIT */
/* fin engine internals: the TCB, listeners, TIME-WAIT records and the stack.
 * Field names follow RFC 9293 §3.3.1. */
#ifndef FIN_ENGINE_INTERNAL_H
#define FIN_ENGINE_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "assembler.h"
#include "fin/engine.h"
#include "ring.h"
#include "rtt.h"
#include "seq.h"
#include "demux_hash.h"
#include "pool.h"
#include "siphash.h"
#include "fastopen.h"

#define FIN_NONE_IDX UINT32_MAX

struct fin_listener;
struct fin_rec;

/* Timers a connection can have armed; the connection's heap key is the
 * earliest. Retransmission and persist share one slot (never both). */
enum conn_timer {
  CT_REXMIT = 0, /* RTO for SYN, SYN-ACK, data, FIN; or persist probes */
  CT_DELACK,
  CT_KEEPALIVE,
  CT_FIN_WAIT_2,
  CT_LINGER,
  CT_COUNT
};

/* Field order packs the holes (a TCB per connection: docs/engine.md,
 * Data structures): 4-byte fields sit beside the 36-byte tuple and
 * between the 8-byte ones. */
/* Timer-related socket options of one connection (socket.c). Most
 * connections keep the stack's defaults and hold no block at all. */
struct fin_conn_opts {
  fin_time user_timeout; /* TCP_USER_TIMEOUT; 0 = off */
  fin_time keep_idle, keep_intvl;
  fin_time keepinit;   /* TCP_KEEPINIT: 0 = settings.keepinit (keepinit.c) */
  int32_t linger2_sec; /* TCP_LINGER2: 0 = stack default, < 0 = RST instead of FIN-WAIT-2 */
  int32_t linger_sec;  /* SO_LINGER seconds when linger_on */
  uint32_t keep_cnt, syn_retries;
  int32_t fastopen; /* TCP_FASTOPEN: a listener's TFO queue length; on a client, TFO on */
};

/* A connection's send and receive rings (out of line: see c->bufs). */
struct fin_conn_bufs {
  struct fin_ring snd, rcv;
};

struct fin_conn {
  struct fin_4tuple tuple;
  uint32_t slot; /* socket handle slot, FIN_NONE_IDX when orphaned */
  struct fin_conn *hash_next;
  uint64_t id;
  uint32_t heap_idx; /* FIN_NONE_IDX when no timer */
  uint32_t rtt_seq;  /* RFC 6298: the segment being timed */
  fin_time deadline; /* min of timer[] */
  fin_time timer[CT_COUNT];
  /* 8 bits hold every state and reason, 16 every errno (issue 14). */
  enum fin_state state : 8;
  enum fin_close_reason reason : 8;
  int16_t error;    /* terminal error the application sees (negative errno), 0 */
  int16_t so_error; /* pending SO_ERROR (negative errno), cleared when read */

  /* RFC 9293 §3.3.1 send sequence variables. */
  uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2, max_snd_wnd;
  uint32_t snd_buf_seq; /* sequence number of the first byte in sndbuf */
  uint32_t fin_seq;     /* our FIN's sequence number once queued */
  /* Receive sequence variables. */
  uint32_t irs, rcv_nxt, rcv_adv;   /* rcv_adv: right edge last advertised */
  uint32_t dsack_left, dsack_right; /* M8: a duplicate to report first (RFC 2883) */
  uint32_t rcv_fin_seq;             /* a FIN that arrived after a hole (BEHAVIOR D2) */
  uint16_t snd_mss, rcv_mss;
  uint16_t pmtu; /* a path MTU learnt in SYN-SENT (J6), 0 if none: bounds snd_mss */
  uint8_t snd_wscale, rcv_wscale;
  uint8_t probe_window : 1, probe_keepalive : 1; /* J5 / J4 probe due */
  uint8_t linger_expired : 1;                    /* B5: the SO_LINGER wait is over */
  uint8_t port_held4 : 1; /* counted in stack.bound_ports (the binding as it was made) */
  uint8_t port_held6 : 1; /* counted in stack.bound_ports6 */
  uint8_t v6_socket : 1;  /* the application speaks AF_INET6 (IPv4 peers as ::ffff:a.b.c.d) */
  uint8_t v6only : 1;     /* IPV6_V6ONLY */
  uint8_t noopt : 1;      /* TCP_NOOPT: no options on SYN/SYN-ACK, none used */
  /* ECN, RFC 3168 §6.1 (ecn.c); in the padding before ts_recent. */
  uint8_t ecn_ok : 1;     /* negotiated in the handshake (§6.1.1) */
  uint8_t ecn_req : 1;    /* our SYN asked for it */
  uint8_t ecn_ece : 1;    /* receiver: CE arrived; ECE on every ACK until CWR does (§6.1.3) */
  uint8_t ecn_cwr : 1;    /* sender: cwnd was reduced; CWR on the next new data (§6.1.2) */
  uint8_t ecn_window : 1; /* what was in flight at that reduction (recover) is not all ACKed */
  uint8_t ecn_seen : 1;   /* an ECT or CE segment arrived (Linux TCPI_OPT_ECN_SEEN) */
  uint8_t ecn_own : 1, ecn_mode : 2; /* FIN_TCP_ECN: this socket's mode, not settings.ecn */
  /* Loss recovery (recovery.h), in the same spare bits. */
  uint8_t sack_rec : 1; /* SACK-based recovery (settings.recovery, SACK negotiated) */
  uint8_t pto : 1;      /* CT_REXMIT is a tail loss probe timeout (RFC 8985 §7.2) */
  /* TCP Fast Open (RFC 7413, fastopen.c). */
  uint8_t tfo_connect : 1;       /* TCP_FASTOPEN_CONNECT (Linux) */
  uint8_t tfo_defer : 1;         /* connect() returned; the SYN waits for the first send */
  uint8_t tfo_syn : 1;           /* our SYN carries the option: a cookie or a request */
  uint8_t tfo_cookie : 1;        /* ... with a cached cookie, so data may ride on it */
  uint8_t tfo_exp : 1;           /* the experimental option form (RFC 6994) */
  uint8_t tfo_synack_cookie : 1; /* our SYN-ACK carries a cookie */
  uint8_t tfo_passive : 1;       /* a child whose SYN data was accepted */
  uint8_t tfo_pending : 1;       /* ... counted in its listener's tfo_pending */

  /* RFC 7323 timestamps. */
  uint32_t ts_recent, ts_offset, last_ack_sent;
  uint32_t probes;       /* unanswered keep-alive / zero-window probes */
  uint32_t tw_suspended; /* BEHAVIOR E4: TIME-WAIT record this SYN-RECEIVED reopened */
  fin_time ts_recent_stamp;

  /* RFC 6298 / RFC 5681. */
  struct fin_rtt rtt;
  fin_time rtt_start;
  uint32_t cwnd, ssthresh, dupacks, recover;
  uint32_t backoff, total_retrans;
  fin_time first_rexmit;  /* when the oldest unacked data was first sent (user timeout) */
  fin_time persist_since; /* M4: when the peer's window first held data back */
  fin_time last_recv;     /* keep-alive idle reference */
  fin_time last_challenge;
  uint32_t quickack;
  uint32_t unacked_segs; /* full-sized segments received since our last ACK */

  /* Socket options beyond the stack's defaults: NULL until the
   * application sets one (fin_conn_opts_set), read through the
   * fin_conn_* accessors below. */
  struct fin_conn_opts *opts;
  uint32_t sndbuf_size, rcvbuf_size;

  /* The two rings (struct fin_conn_bufs), made with the first byte either
   * way: a connection that never carries data holds none (issue 14).
   * Read through fin_conn_snd() / fin_conn_rcv(); written through
   * c->bufs after fin_conn_sndbuf_ready() / fin_conn_rcvbuf_ready(). */
  struct fin_conn_bufs *bufs;
  /* Out-of-order ranges held in rcvbuf: allocated with the first segment
   * that arrives beyond RCV.NXT, given back when the holes are filled, so
   * a connection that never sees reordering carries none of it. */
  struct fin_assembler *ooo;
  /* The sender's loss recovery (recovery.h): made with the first SACK
   * block or the first loss probe, given back once all is acknowledged. */
  struct fin_rec *rec;

  /* Listener linkage: SYN queue or accept queue of `parent`. */
  struct fin_listener *parent;
  /* A connection waits in a listener's queue before any application has
   * it, and is an orphan only after an application closed it: never both,
   * so the two lists share their links. */
  union {
    struct {
      struct fin_conn *q_prev, *q_next;
    };
    struct {
      struct fin_conn *orph_prev, *orph_next;
    };
  };
  struct fin_conn *out_prev, *out_next; /* output list */

  uint8_t passive : 1; /* opened from LISTEN (MUST-11) */
  uint8_t ts_ok : 1, sack_ok : 1, ws_ok : 1;
  uint8_t fin_queued : 1; /* application asked for our FIN */
  uint8_t fin_sent : 1;
  uint8_t peer_fin : 1; /* peer's FIN received and processed */
  uint8_t rcv_fin_pending : 1;
  uint8_t rd_shutdown : 1, wr_shutdown : 1;
  uint8_t closed_by_app : 1; /* close() called: orphan unless linger wait */
  uint8_t linger_wait : 1;   /* SO_LINGER {1,N}: handle held until FIN acked */
  uint8_t linger_on : 1, nodelay : 1, keepalive : 1, nonblock : 1;
  uint8_t ack_now : 1, rexmit_one : 1, in_recovery : 1, in_out_list : 1;
  uint8_t ack_data : 1; /* M9: the pending ACK is owed for data or a FIN (not a challenge) */
  uint8_t dsack : 1;    /* dsack_left/right is to be reported */
  uint8_t error_reported : 1, eof_reported : 1, in_accept_queue : 1, in_syn_queue : 1;
  uint8_t persist : 1, reuseaddr : 1, bound : 1, syn_from_cookie : 1, is_orphan : 1;
  uint8_t terminated : 1; /* out of demux/timers: a shell the app still holds */
};

/* Issue 14: the TCB's budget (256 bytes is the target; docs/performance.md). */
_Static_assert(sizeof(struct fin_conn) <= 408, "TCB grew"); /* 400 + the recovery block pointer */

struct fin_listener {
  struct fin_sockaddr local;
  bool v6only; /* a :: listener that takes no IPv4 */
  struct fin_listener *hash_next;
  uint32_t slot;
  int backlog;
  uint32_t syn_count, accept_count;
  /* RFC 7413 §5.1: TFO children in SYN-RECEIVED still in the queues, at
   * most tfo_qlen (TCP_FASTOPEN; 0: no Fast Open on this listener). */
  uint32_t tfo_qlen, tfo_pending;
  struct fin_conn *syn_head;
  struct fin_conn *acc_head, *acc_tail;
  /* Options inherited by children. */
  struct fin_conn proto;
};

/* Compact TIME-WAIT record (BEHAVIOR E7): the part every record holds
 * whatever its family, 28 bytes, first in each record. With its 4-tuple a
 * record is 40 bytes for IPv4 (struct fin_tw4), 48 for IPv6 (struct
 * fin_tw6c: its local address is its log's, see below) and 64 for an IPv6
 * record whose local address found no log of its own (struct fin_tw6).
 * The TS offset is not stored (a keyed hash of the 4-tuple, recomputed when
 * needed) and the deadline is kept in milliseconds, compared modulo 2^32
 * against now: a TIME-WAIT lasts minutes, far inside the 49-day wrap. No
 * FIFO links: a record's place in its log is its age (time_wait_store.c). */
struct fin_tw {
  uint32_t snd_nxt, rcv_nxt;
  uint32_t ts_recent;
  uint32_t conn_id; /* low 32 bits of the connection id, for events */
  uint16_t wnd;     /* raw window value last advertised */
  uint8_t flags;    /* TW_* (low nibble) | rcv_wscale << 4 */
  uint8_t ack_tick; /* A6 per-record ACK rate limit: time of last ACK, in 1/4 intervals */
  uint32_t hash_next;
  uint32_t deadline_ms;
};
struct fin_tw4 {
  struct fin_tw r;
  uint32_t local_addr, remote_addr; /* host order */
  uint16_t local_port, remote_port;
};
struct fin_tw6c {
  struct fin_tw r;
  struct fin_addr remote_addr;
  uint16_t local_port, remote_port;
};
struct fin_tw6 {
  struct fin_tw r;
  struct fin_addr local_addr, remote_addr;
  uint16_t local_port, remote_port;
};
/* Issue 14's budget: at most 56 bytes a record with its tables. */
_Static_assert(sizeof(struct fin_tw4) == 40, "IPv4 TIME-WAIT record");
_Static_assert(sizeof(struct fin_tw6c) == 48, "IPv6 TIME-WAIT record (compact log)");
_Static_assert(sizeof(struct fin_tw6) == 64, "IPv6 TIME-WAIT record (wide log)");
/* The record logs (time_wait_store.c): one for IPv4, one for IPv6 records
 * of any local address, and TW_V6C_LOGS for IPv6 records of one local
 * address each. A record index is its log's number in the top 3 bits and
 * its sequence number in its log below (7 is no log: FIN_NONE_IDX). */
#define TW_LOG_V4    0u
#define TW_LOG_V6    1u
#define TW_LOG_V6C   2u /* the first compact IPv6 log */
#define TW_V6C_LOGS  5u
#define TW_LOGS      (TW_LOG_V6C + TW_V6C_LOGS)
#define TW_SEQ_BITS  29
#define TW_SEQ_MASK  ((1u << TW_SEQ_BITS) - 1)
#define TW_PAGE_BITS 7 /* records per page: 128 */
/* Records of one log in the order they entered TIME-WAIT, which is the
 * order of their deadlines (every record lasts 2*MSL), in pages of
 * 2^TW_PAGE_BITS records: a ring of page pointers indexed by page number.
 * A record that leaves early is a hole until the head passes it. */
struct fin_tw_log {
  uint8_t **pages;
  uint8_t *spare;      /* one page kept back, so a steady trickle allocates nothing */
  uint32_t page_mask;  /* ring slots - 1 */
  uint32_t head, tail; /* sequence numbers, modulo 2^TW_SEQ_BITS */
  uint32_t live, holes;
  uint32_t rec_size;     /* bytes a record of this log */
  struct fin_addr local; /* compact IPv6 logs: every record's local address */
};
#define TW_TS_OK     0x01
#define TW_SUSPENDED 0x02 /* BEHAVIOR E4: a reopened SYN-RECEIVED holds it */
#define TW_FREE      0x04
#define TW_ACKED     0x08 /* ack_tick is valid */
/* BEHAVIOR A8: left by our abortive RST; it sends nothing. Kept in the
 * rcv_wscale nibble as 15, a shift RFC 7323 §2.3 never allows (max 14):
 * such a record never sends a window, so it needs no scale. */
#define TW_ABORTIVE 0xF0

/* A segment the stack sends without a TCB: RSTs for unknown or aborted
 * connections, TIME-WAIT ACKs, SYN-cookie SYN-ACKs. */
struct fin_ctl {
  struct fin_4tuple tuple;
  uint32_t seq, ack, ts_val, ts_ecr;
  uint16_t wnd, mss;
  uint8_t flags, wscale;
  uint8_t has_ts : 1, syn_opts : 1, sack_perm : 1, has_ws : 1;
};

struct fin_slot {
  uint32_t gen;
  uint8_t kind; /* SLOT_* */
  uint32_t next_free;
  void *obj;
};
#define SLOT_FREE     0
#define SLOT_CONN     1
#define SLOT_LISTENER 2

struct fin_stack {
  struct fin_settings s;
  struct fin_allocator alloc;
  struct fin_random rnd;
  fin_time now;
  size_t mem_in_use;
  uint64_t buf_mem;           /* bytes in pool chunks the rings hold (F3's measure) */
  struct fin_chunk_pool pool; /* pool.h */
  struct fin_counters c;
  struct fin_siphash_key hash_key, isn_key, cookie_key;
  struct fin_tfo tfo;          /* TCP Fast Open keys and client cookie cache (fastopen.h) */
  struct fin_nh_key demux_key; /* buckets of connections and TIME-WAIT records (demux_hash.h) */
  /* The last destination's RFC 6056 port offset (socket.c): a client that
   * connects to one server again and again pays its SipHash once. */
  struct fin_4tuple port_dst;
  uint32_t port_dst_hash;
  bool port_dst_ok;
  uint64_t next_conn_id;

  /* Handles. */
  struct fin_slot *slots;
  uint32_t slot_cap, slot_free;
  bool hash_walk;         /* a walk over the connection buckets removes as it goes:
                             the table keeps its size until it ends (demux.c) */
  uint32_t slot_used;     /* slots holding a socket or listener */
  uint32_t slot_upper;    /* of them, in the table's upper half */
  uint32_t slot_gen_base; /* generation new slots start at: above any handle
                             of a slot given back by a shrink (slots.c) */

  /* Demux: connections by 4-tuple, listeners by port. */
  struct fin_conn **conn_buckets;
  uint32_t conn_bucket_mask;
  size_t conn_count;
  struct fin_listener *listen_buckets[64];
  /* bound, not yet connected sockets per local port (each lazy, 128 KiB):
   * IPv4 bindings, IPv6 ones; a dual-stack :: counts in both */
  uint16_t *bound_ports, *bound_ports6;

  /* Timers: binary heap of connections keyed by deadline. */
  struct fin_conn **heap;
  uint32_t heap_len, heap_cap;

  /* TIME-WAIT records: logs in deadline order + one hash over them. */
  struct fin_tw_log tw_logs[TW_LOGS];
  uint32_t tw_nonempty; /* bit per log holding a live record */
  size_t tw_mem;        /* bytes of pages, rings and buckets */
  uint32_t tw_count;
  uint32_t *tw_buckets;
  uint32_t tw_bucket_mask;

  /* Output. */
  struct fin_ctl *ctl;
  uint32_t ctl_cap, ctl_head, ctl_len;
  struct fin_conn *out_head, *out_tail;
  /* A7: token bucket for RSTs to closed ports. */
  uint64_t rst_tokens;
  fin_time rst_refill;

  /* Orphans, oldest first (F3). */
  struct fin_conn *orph_head, *orph_tail;
  uint32_t orphan_count;

  /* Events. */
  struct fin_event *ev;
  uint32_t ev_cap, ev_head, ev_len;

  /* Self-check (audit.c): lifecycles whose CLOSED event is still owed,
   * and in-order segments refused while the buffer had room (never > 0). */
  uint64_t lifecycles_open;
  uint64_t stalls;

  /* Output wake-up (fin_stack_set_wakeup): called when output becomes
   * queued while none was; not from inside fin_stack_output. */
  void (*wake_fn)(void *ctx);
  void *wake_ctx;
  bool in_output;

  /* Segmentation offload (gso.c): set only inside fin_stack_output_gso. A
   * new-data segment may grow to gso_max payload bytes, cut by the driver
   * at gso_mss; gso_mss stays 0 when the datagram is one segment. */
  uint32_t gso_max;
  uint32_t gso_mss;

  /* K2. */
  bool shutting_down;
  bool shutdown_expired; /* the deadline has been acted on: no longer a timer */
  fin_time shutdown_deadline;
};

/* ---- the 4-tuple of either family ---- */

/* The connection a segment belongs to, seen from this stack. */
static inline struct fin_4tuple fin_tuple_of(const struct fin_segment *seg) {
  struct fin_4tuple t = {seg->daddr, seg->saddr, seg->dport, seg->sport};
  return t;
}

static inline bool fin_tuple_eq(const struct fin_4tuple *a, const struct fin_4tuple *b) {
  return a->local_port == b->local_port && a->remote_port == b->remote_port &&
         fin_addr_eq(&a->local_addr, &b->local_addr) &&
         fin_addr_eq(&a->remote_addr, &b->remote_addr);
}

static inline bool fin_tuple_v4(const struct fin_4tuple *t) {
  return fin_addr_is_v4(&t->remote_addr);
}

/* The bytes keyed hashes of a 4-tuple take (demux, ISN, TS offset, SYN
 * cookies): 12 for IPv4 (the addresses' last 4 bytes), 36 for IPv6. */
static inline size_t fin_tuple_key(const struct fin_4tuple *t, uint8_t k[36]) {
  if (fin_tuple_v4(t)) {
    uint32_t l = fin_addr_get_v4(&t->local_addr), r = fin_addr_get_v4(&t->remote_addr);
    memcpy(k, &l, 4);
    memcpy(k + 4, &r, 4);
    memcpy(k + 8, &t->local_port, 2);
    memcpy(k + 10, &t->remote_port, 2);
    return 12;
  }
  memcpy(k, t->local_addr.b, 16);
  memcpy(k + 16, t->remote_addr.b, 16);
  memcpy(k + 32, &t->local_port, 2);
  memcpy(k + 34, &t->remote_port, 2);
  return 36;
}

/* IP + TCP header bytes of a segment without options: 40, or 60 for IPv6. */
static inline uint32_t fin_tuple_hdr(const struct fin_4tuple *t) {
  return fin_tuple_v4(t) ? 40u : 60u;
}

/* RFC 9293 §3.7.1 MUST-15: the send MSS when the peer offers none is the
 * family's smallest datagram every host takes (576, RFC 791; 1280, RFC 8200
 * §5) less the headers: 536 for IPv4, 1220 for IPv6. */
static inline uint16_t fin_default_mss(const struct fin_4tuple *t) {
  return (uint16_t)((fin_tuple_v4(t) ? 576u : FIN_IPV6_MIN_MTU) - fin_tuple_hdr(t));
}

/* The largest MSS a segment of this family can carry on the stack's MTU
 * (RFC 9293 §3.7.1; IPv6 never below its 1280-byte minimum, RFC 8200 §5). */
static inline uint32_t fin_mtu_mss(uint16_t mtu, bool v4) {
  return v4 ? (uint32_t)mtu - 40u : (mtu < 1280 ? 1280u : (uint32_t)mtu) - 60u;
}

/* The MSS a connection's SYN offers: what the link carries (RFC 6691 §2)
 * and, over IPv6, no more than a path MTU learnt in SYN-SENT: IPv6 routers
 * never fragment (RFC 8200 §5), so a path too small one way is taken as too
 * small both ways, as Linux (ip6_default_advmss) and FreeBSD (tcp_mssopt)
 * do; for IPv4 both keep the link's (ipv4_default_advmss). */
static inline uint16_t fin_conn_adv_mss(const struct fin_stack *st, const struct fin_conn *c) {
  bool v4 = fin_tuple_v4(&c->tuple);
  uint32_t mss = fin_mtu_mss(st->s.mtu, v4);
  if (!v4 && c->pmtu != 0 && c->pmtu - fin_tuple_hdr(&c->tuple) < mss)
    mss = c->pmtu - fin_tuple_hdr(&c->tuple);
  return (uint16_t)mss;
}

/* An outgoing segment's header, addressed from a connection's 4-tuple,
 * with the stack's TTL and IP id 0 (ctl.c). Only the fields
 * fin_tcp_build() reads are set. */
void fin_segment_init(struct fin_stack *st, struct fin_segment *seg, const struct fin_4tuple *t,
                      uint32_t seq, uint32_t ack, uint8_t flags);

/* Output is queued: a connection on the output list or a control segment. */
static inline bool fin_output_queued(const struct fin_stack *st) {
  return st->out_head != NULL || st->ctl_len > 0;
}

/* Called just before output is queued: tells the embedder (an eventfd
 * write) when the stack goes from nothing to send to something to send. */
static inline void fin_stack_wake(struct fin_stack *st) {
  if (st->wake_fn != NULL && !st->in_output && !fin_output_queued(st))
    st->wake_fn(st->wake_ctx);
}

/* The earliest timer (connections, TIME-WAIT records, the K2 grace
 * deadline), ignoring queued output (stack.c). */
fin_time fin_stack_timer_deadline(const struct fin_stack *st);

/* ---- memory (stack.c) ---- */
void *fin_mem_alloc(struct fin_stack *st, size_t size);
void fin_mem_free(struct fin_stack *st, void *p, size_t size);

/* ---- events (events.c) ---- */
/* Each event is queued only when settings.event_mask asks for it; the
 * wrappers test the mask here, inline, so a masked event (the common case
 * of an embedded engine) costs a test and no call. */
static inline bool fin_event_wanted(const struct fin_stack *st, enum fin_event_type type) {
  return (st->s.event_mask & (1u << type)) != 0;
}
void fin_event_state_push(struct fin_stack *st, const struct fin_conn *c, enum fin_state from,
                          enum fin_state to);
void fin_event_closed_push(struct fin_stack *st, const struct fin_conn *c, enum fin_state from);
void fin_event_simple_push(struct fin_stack *st, const struct fin_conn *c, enum fin_event_type t);
void fin_event_timer_push(struct fin_stack *st, const struct fin_conn *c, enum fin_timer_kind k);
void fin_event_counter_push(struct fin_stack *st, const struct fin_4tuple *t,
                            enum fin_event_type type, const uint64_t *counter);
void fin_event_acceptable_push(struct fin_stack *st, const struct fin_conn *c,
                               uint32_t listener_slot);
static inline void fin_event_state(struct fin_stack *st, const struct fin_conn *c,
                                   enum fin_state from, enum fin_state to) {
  if (fin_event_wanted(st, FIN_EV_STATE))
    fin_event_state_push(st, c, from, to);
}
/* Also what the audit's "every ending told" invariant counts. */
static inline void fin_event_closed(struct fin_stack *st, const struct fin_conn *c,
                                    enum fin_state from) {
  st->lifecycles_open--;
  if (fin_event_wanted(st, FIN_EV_CLOSED))
    fin_event_closed_push(st, c, from);
}
static inline void fin_event_simple(struct fin_stack *st, const struct fin_conn *c,
                                    enum fin_event_type t) {
  if (fin_event_wanted(st, t))
    fin_event_simple_push(st, c, t);
}
static inline void fin_event_timer(struct fin_stack *st, const struct fin_conn *c,
                                   enum fin_timer_kind k) {
  if (fin_event_wanted(st, FIN_EV_TIMER))
    fin_event_timer_push(st, c, k);
}
static inline void fin_event_counter(struct fin_stack *st, const struct fin_4tuple *t,
                                     enum fin_event_type type, const uint64_t *counter) {
  if (fin_event_wanted(st, type))
    fin_event_counter_push(st, t, type, counter);
}
static inline void fin_event_acceptable(struct fin_stack *st, const struct fin_conn *c,
                                        uint32_t listener_slot) {
  if (fin_event_wanted(st, FIN_EV_ACCEPTABLE))
    fin_event_acceptable_push(st, c, listener_slot);
}
void fin_event_tw(struct fin_stack *st, const struct fin_4tuple *t, uint32_t conn_id,
                  enum fin_close_reason reason);
void fin_events_free(struct fin_stack *st);

/* Bumps a counter and, when enabled, queues FIN_EV_DROP. */
#define FIN_DROP(st, tuple, field)                                                                 \
  do {                                                                                             \
    (st)->c.field++;                                                                               \
    fin_event_counter((st), (tuple), FIN_EV_DROP, &(st)->c.field);                                 \
  } while (0)

/* ---- demux (demux.c) ---- */
/* Shrinks the connection table to its load (after a walk that removed). */
void fin_demux_trim(struct fin_stack *st);
int fin_demux_init(struct fin_stack *st);
void fin_demux_free(struct fin_stack *st);
/* SipHash of the 4-tuple under hash_key: a PRF, for what an observer must
 * not predict (RFC 6056 ephemeral ports). */
uint32_t fin_tuple_hash(const struct fin_stack *st, const struct fin_4tuple *t);
/* The bucket hash of connections and TIME-WAIT records (NH, demux_hash.h). */
static inline uint32_t fin_demux_hash(const struct fin_stack *st, const struct fin_4tuple *t) {
  return fin_nh_tuple(&st->demux_key, t);
}
struct fin_conn *fin_conn_lookup(const struct fin_stack *st, const struct fin_4tuple *t);
/* The same with h = fin_demux_hash(st, t), which the TIME-WAIT table
 * shares: a segment that finds no connection hashes its tuple once. */
struct fin_conn *fin_conn_lookup_hashed(const struct fin_stack *st, const struct fin_4tuple *t,
                                        uint32_t h);
int fin_conn_hash_insert(struct fin_stack *st, struct fin_conn *c);
void fin_conn_hash_remove(struct fin_stack *st, struct fin_conn *c);
/* The listener for a segment to addr:port: an exact address wins over a
 * wildcard; :: also takes IPv4 unless IPV6_V6ONLY. */
struct fin_listener *fin_listener_lookup(const struct fin_stack *st, const struct fin_addr *addr,
                                         uint16_t port);
void fin_listener_insert(struct fin_stack *st, struct fin_listener *l);
void fin_listener_remove(struct fin_stack *st, struct fin_listener *l);
/* Whether two bindings of one port share an address (RFC 3493 §3.7 as
 * Linux applies it): equal addresses; 0.0.0.0 and any IPv4 address; :: and
 * any IPv6 address, and any IPv4 one unless that :: is IPV6_V6ONLY. */
bool fin_bindings_overlap(const struct fin_addr *a, bool a_v6only, const struct fin_addr *b,
                          bool b_v6only);
/* A listener on port whose binding overlaps (addr, v6only). */
bool fin_listener_conflict(const struct fin_stack *st, const struct fin_addr *addr, bool v6only,
                           uint16_t port);
/* A listener or a bound, unconnected socket holds an overlapping binding
 * (bound sockets are counted per port and family, never scanned). */
bool fin_port_in_use(const struct fin_stack *st, const struct fin_addr *addr, bool v6only,
                     uint16_t port);
/* A bound socket that is not connected (nor listening) holds its port. */
int fin_port_hold(struct fin_stack *st, struct fin_conn *c);
void fin_port_release(struct fin_stack *st, struct fin_conn *c);

/* ---- timer heap (heap.c) ---- */
int fin_heap_init(struct fin_stack *st);
void fin_heap_free(struct fin_stack *st);
/* Recomputes c->deadline from c->timer[] and fixes the heap. */
void fin_heap_update(struct fin_stack *st, struct fin_conn *c);
void fin_heap_earlier(struct fin_stack *st, struct fin_conn *c, fin_time d);
void fin_heap_remove(struct fin_stack *st, struct fin_conn *c);
/* Makes room for n entries; false on allocation failure. */
bool fin_heap_reserve(struct fin_stack *st, uint32_t n);
/* Gives memory back once connections fall well below the array (heap.c). */
void fin_heap_trim(struct fin_stack *st);

/* ---- TIME-WAIT (time_wait.c) ---- */
int fin_tw_init(struct fin_stack *st);
void fin_tw_free_all(struct fin_stack *st);
uint32_t fin_tw_lookup(const struct fin_stack *st, const struct fin_4tuple *t);
uint32_t fin_tw_lookup_hashed(const struct fin_stack *st, const struct fin_4tuple *t, uint32_t h);
/* Moves a connection into TIME-WAIT (BEHAVIOR E7), ACKing the peer's FIN
 * when send_ack. The TCB is freed (or left as a shell the app holds). */
void fin_tw_enter(struct fin_stack *st, struct fin_conn *c, bool send_ack);
/* BEHAVIOR A8: the same after our abortive RST: a record that absorbs
 * stragglers silently. */
void fin_tw_enter_abortive(struct fin_stack *st, struct fin_conn *c);
/* Segment for a TIME-WAIT record (BEHAVIOR E2-E6). */
void fin_tw_input(struct fin_stack *st, uint32_t idx, const struct fin_segment *seg);
void fin_tw_expire(struct fin_stack *st, fin_time now);
fin_time fin_tw_next_deadline(const struct fin_stack *st);
void fin_tw_release(struct fin_stack *st, uint32_t idx, enum fin_close_reason reason);
void fin_tw_restore(struct fin_stack *st, uint32_t idx);
uint32_t fin_tw_ts_offset(const struct fin_stack *st, const struct fin_4tuple *t);
/* Lists records into out[0..max) from *pos (a running count shared with
 * the connections the caller listed first); returns how many it wrote. */
size_t fin_tw_list(const struct fin_stack *st, size_t cursor, size_t *pos,
                   struct fin_conn_info *out, size_t max);
void fin_tw_info(const struct fin_stack *st, uint32_t idx, struct fin_conn_info *out);
/* The record store (time_wait_store.c). */
/* The record at idx (its shared part; the 4-tuple follows it). */
static inline uint8_t *fin_tw_at(const struct fin_stack *st, uint32_t log, uint32_t seq) {
  const struct fin_tw_log *l = &st->tw_logs[log];
  return l->pages[(seq >> TW_PAGE_BITS) & l->page_mask] +
         (seq & ((1u << TW_PAGE_BITS) - 1)) * l->rec_size;
}
static inline struct fin_tw *fin_tw_rec(const struct fin_stack *st, uint32_t idx) {
  return (struct fin_tw *)(void *)fin_tw_at(st, idx >> TW_SEQ_BITS, idx & TW_SEQ_MASK);
}
void fin_tw_tuple(const struct fin_stack *st, uint32_t idx, struct fin_4tuple *out);
uint32_t fin_tw_store_alloc(struct fin_stack *st, const struct fin_4tuple *t);
/* t: the record's 4-tuple (the caller has it). */
void fin_tw_store_free(struct fin_stack *st, uint32_t idx, const struct fin_4tuple *t);
/* The record due first (the head of a log), FIN_NONE_IDX when none. */
uint32_t fin_tw_oldest_of_many(const struct fin_stack *st);
static inline uint32_t fin_tw_oldest(const struct fin_stack *st) {
  uint32_t m = st->tw_nonempty;
  if (m == 1u << TW_LOG_V4)
    return st->tw_logs[TW_LOG_V4].head; /* IPv4 records alone: the index is the seq */
  if ((m & (m - 1)) != 0)
    return fin_tw_oldest_of_many(st);
  /* No log or one (the usual case: one family, one address). */
  if (m == 0)
    return FIN_NONE_IDX;
  uint32_t log = (uint32_t)__builtin_ctz(m);
  return log << TW_SEQ_BITS | st->tw_logs[log].head;
}
/* E2: the record moves to the end of its log (the caller sets its new
 * deadline); returns its new index, or FIN_NONE_IDX (no memory: the record
 * stays where it is, with its deadline). */
uint32_t fin_tw_store_renew(struct fin_stack *st, uint32_t idx);
bool fin_tw_reuse_ok(struct fin_stack *st, const struct fin_4tuple *t);
void fin_tw_suspend(struct fin_stack *st, uint32_t idx);
/* E4: the reopened connection is established; the old record goes. */
void fin_tw_unsuspend_release(struct fin_stack *st, uint32_t idx);
uint32_t fin_tw_snd_nxt(const struct fin_stack *st, uint32_t idx);

/* ---- control segments (ctl.c) ---- */
int fin_ctl_init(struct fin_stack *st);
bool fin_ctl_push(struct fin_stack *st, const struct fin_ctl *ctl);
size_t fin_ctl_pop_one(struct fin_stack *st, uint8_t *buf, size_t cap);
/* The next queued control segment; the queue is empty on almost every
 * call, which costs one load here. */
static inline size_t fin_ctl_pop(struct fin_stack *st, uint8_t *buf, size_t cap) {
  return st->ctl_len == 0 ? 0 : fin_ctl_pop_one(st, buf, cap);
}
/* BEHAVIOR A1: RST for a segment without a connection (rate-limited, A7). */
void fin_send_rst_for(struct fin_stack *st, const struct fin_segment *seg, uint64_t *counter,
                      bool rate_limited);
/* The ACK a connection owes as it ends, through the control queue. */
void fin_send_ack_from_conn(struct fin_stack *st, const struct fin_conn *c);
/* BEHAVIOR B1: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> for a live TCB. */
void fin_send_rst_from_conn(struct fin_stack *st, const struct fin_conn *c, uint64_t *counter);

/* ---- connections (conn.c) ---- */
struct fin_conn *fin_conn_new(struct fin_stack *st);
int fin_conn_admit_buffers(struct fin_stack *st, struct fin_conn *c);
/* BEHAVIOR F3: room for `need` more buffer bytes, found by aborting the
 * oldest orphans (never `self`, which may be NULL); false if not enough. */
bool fin_conn_make_room(struct fin_stack *st, uint64_t need, const struct fin_conn *self);
/* Allocate a ring on first use: 0, -ENOBUFS (F3 cap) or -ENOMEM. */
int fin_conn_sndbuf_ready(struct fin_stack *st, struct fin_conn *c);
int fin_conn_rcvbuf_ready(struct fin_stack *st, struct fin_conn *c);
void fin_conn_destroy(struct fin_stack *st, struct fin_conn *c);
void fin_conn_round_rcvbuf(struct fin_stack *st, struct fin_conn *c);
void fin_conn_set_state(struct fin_stack *st, struct fin_conn *c, enum fin_state to);
/* Ends the TCB: out of demux, timers, output; CLOSED event; freed if
 * orphaned, else kept as a shell the application still reads from. */
void fin_conn_terminate(struct fin_stack *st, struct fin_conn *c, enum fin_close_reason reason,
                        int err);
/* ABORT (§3.10.5): RST where B1 says, then terminate. */
void fin_conn_abort(struct fin_stack *st, struct fin_conn *c, enum fin_close_reason reason, int err,
                    uint64_t *abort_counter);
void fin_conn_make_orphan(struct fin_stack *st, struct fin_conn *c);
/* Ends the TCB without a CLOSED event or state change (TIME-WAIT takes over). */
void fin_conn_terminate_quiet(struct fin_stack *st, struct fin_conn *c);
void fin_conn_output_link(struct fin_stack *st, struct fin_conn *c);
void fin_conn_output_unlink(struct fin_stack *st, struct fin_conn *c);
/* Puts the connection on the output list (at its end) unless it is on it
 * or gone; takes it off. Most calls find nothing to do: tested inline. */
static inline void fin_conn_output_mark(struct fin_stack *st, struct fin_conn *c) {
  if (!c->in_out_list && !c->terminated)
    fin_conn_output_link(st, c);
}
static inline void fin_conn_output_unmark(struct fin_stack *st, struct fin_conn *c) {
  if (c->in_out_list)
    fin_conn_output_unlink(st, c);
}
uint32_t fin_conn_isn(const struct fin_stack *st, const struct fin_4tuple *t, uint32_t *ts_offset);
/* A connection's socket options: its own block if it has one, else the
 * stack's defaults. */
static inline fin_time fin_conn_user_timeout(const struct fin_conn *c) {
  return c->opts != NULL ? c->opts->user_timeout : 0;
}
static inline fin_time fin_conn_keep_idle(const struct fin_stack *st, const struct fin_conn *c) {
  return c->opts != NULL ? c->opts->keep_idle : st->s.keepalive_idle;
}
static inline fin_time fin_conn_keep_intvl(const struct fin_stack *st, const struct fin_conn *c) {
  return c->opts != NULL ? c->opts->keep_intvl : st->s.keepalive_interval;
}
static inline uint32_t fin_conn_keep_cnt(const struct fin_stack *st, const struct fin_conn *c) {
  return c->opts != NULL ? c->opts->keep_cnt : st->s.keepalive_probes;
}
static inline int32_t fin_conn_fastopen(const struct fin_conn *c) {
  return c->opts != NULL ? c->opts->fastopen : 0;
}
static inline uint32_t fin_conn_syn_retries(const struct fin_stack *st, const struct fin_conn *c) {
  return c->opts != NULL ? c->opts->syn_retries : st->s.syn_retries;
}
static inline fin_time fin_conn_keepinit_opt(const struct fin_conn *c) {
  return c->opts != NULL ? c->opts->keepinit : 0;
}
static inline int32_t fin_conn_linger2(const struct fin_conn *c) {
  return c->opts != NULL ? c->opts->linger2_sec : 0;
}
static inline int32_t fin_conn_linger_sec(const struct fin_conn *c) {
  return c->opts != NULL ? c->opts->linger_sec : 0;
}
/* The connection's own option block, made (from the defaults) on first
 * use; NULL when no memory can be had. */
struct fin_conn_opts *fin_conn_opts_set(struct fin_stack *st, struct fin_conn *c);
/* A copy of p's block for c (accepted children inherit); -ENOMEM. */
int fin_conn_opts_copy(struct fin_stack *st, struct fin_conn *c, const struct fin_conn *p);
void fin_conn_opts_free(struct fin_stack *st, struct fin_conn *c);
/* The connection's out-of-order store, made on first need; NULL when no
 * memory can be had (the segment is dropped and comes again). */
struct fin_assembler *fin_conn_ooo(struct fin_stack *st, struct fin_conn *c);
/* Gives the store back once it holds no range. */
void fin_conn_ooo_release(struct fin_stack *st, struct fin_conn *c);
static inline unsigned fin_conn_ooo_count(const struct fin_conn *c) {
  return c->ooo != NULL ? c->ooo->count : 0;
}
/* A connection's rings for reading: an empty one (capacity 0: the
 * connection's sizes are not taken yet) until its first byte. Constant. */
static inline const struct fin_ring *fin_ring_none(void) {
  static const struct fin_ring none;
  return &none;
}
static inline const struct fin_ring *fin_conn_snd(const struct fin_conn *c) {
  return c->bufs != NULL ? &c->bufs->snd : fin_ring_none();
}
static inline const struct fin_ring *fin_conn_rcv(const struct fin_conn *c) {
  return c->bufs != NULL ? &c->bufs->rcv : fin_ring_none();
}
/* RFC 7323 §5.4: a ts_hz clock plus the connection's offset. */
static inline uint32_t fin_conn_tsval(const struct fin_stack *st, const struct fin_conn *c) {
  fin_time tick = 1000000000LL / st->s.ts_hz;
  return (uint32_t)(st->now / tick) + c->ts_offset;
}
/* RCV.WND: the receive buffer space not holding in-order data. Out-of-order
 * data sits inside this space, so the right edge never moves left. */
static inline uint32_t fin_conn_rcv_wnd(const struct fin_conn *c) {
  if (c->bufs != NULL && c->bufs->rcv.cap != 0)
    return fin_ring_free(&c->bufs->rcv);
  return c->rcvbuf_size;
}
/* BEHAVIOR M1: the sequence number of a pure ACK or RST. */
uint32_t fin_conn_ctl_seq(const struct fin_conn *c);
/* Bytes in the send buffer never sent (at or beyond SND.MAX). */
uint32_t fin_conn_unsent(const struct fin_conn *c);
bool fin_state_synchronized(enum fin_state s);
void fin_conn_info(const struct fin_stack *st, const struct fin_conn *c, struct fin_conn_info *o);
void fin_conn_init_mss(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg);
void fin_conn_init_cc(struct fin_stack *st, struct fin_conn *c);
void fin_conn_established(struct fin_stack *st, struct fin_conn *c);
fin_time fin_conn_fin_timeout(const struct fin_stack *st, const struct fin_conn *c);
void fin_orphans_enforce(struct fin_stack *st);

/* ---- input (input.c, input_syn_sent.c, listen.c) ---- */
void fin_conn_input(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg);
/* Options from the peer's SYN / SYN-ACK (input_syn_sent.c). */
void fin_conn_negotiate(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg);
void fin_syn_sent_input(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg);
void fin_listen_input(struct fin_stack *st, struct fin_listener *l, const struct fin_segment *seg);
void fin_listener_child_established(struct fin_stack *st, struct fin_conn *c);
bool fin_listener_accept_full(const struct fin_listener *l);
void fin_listener_unlink_child(struct fin_stack *st, struct fin_conn *c);
void fin_listener_close(struct fin_stack *st, struct fin_listener *l);
/* BEHAVIOR E4: a SYN reopens TIME-WAIT record tw_idx through listener l. */
int fin_listen_reopen(struct fin_stack *st, struct fin_listener *l, const struct fin_segment *seg,
                      uint32_t tw_idx);
bool fin_challenge_ack(struct fin_stack *st, struct fin_conn *c);
uint32_t fin_syncookie_make(struct fin_stack *st, const struct fin_4tuple *t, uint32_t peer_isn,
                            uint16_t mss);
bool fin_syncookie_check(struct fin_stack *st, const struct fin_4tuple *t, uint32_t cookie,
                         uint32_t peer_isn, uint16_t *mss);

/* ---- output (output.c) ---- */
size_t fin_conn_output(struct fin_stack *st, struct fin_conn *c, uint8_t *buf, size_t cap);
/* After a segment: whether the connection stays on the output list. */
bool fin_conn_more_due(const struct fin_conn *c);
/* After anything that may let the connection send: marks it for output,
 * or arms the timer that will send what the peer's window holds back. */
void fin_conn_schedule(struct fin_stack *st, struct fin_conn *c);
/* The timer half of it (BEHAVIOR M3): retransmission or persist. */
void fin_conn_schedule_timers(struct fin_stack *st, struct fin_conn *c);

/* ---- timers (timers.c) ---- */
void fin_conn_timer_set(struct fin_stack *st, struct fin_conn *c, enum conn_timer t, fin_time at);
void fin_conn_timer_clear(struct fin_stack *st, struct fin_conn *c, enum conn_timer t);
void fin_conn_timers_fire(struct fin_stack *st, struct fin_conn *c, fin_time now);
void fin_conn_rexmit_arm(struct fin_stack *st, struct fin_conn *c);
void fin_conn_persist_arm(struct fin_stack *st, struct fin_conn *c, fin_time at);
void fin_conn_keepalive_reset(struct fin_stack *st, struct fin_conn *c);

/* ---- sockets (socket.c) ---- */
void fin_slots_free(struct fin_stack *st);
void fin_slot_release(struct fin_stack *st, uint32_t idx);
fin_sock fin_slot_handle(const struct fin_stack *st, uint32_t idx);
int fin_slot_alloc(struct fin_stack *st, uint8_t kind, void *obj, uint32_t *idx_out);

#endif
