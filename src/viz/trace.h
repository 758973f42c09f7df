/* SPDX-License-Identifier: MIT */
/* A recorded run: what every host sent, received, dropped, which states it
 * went through, which timers fired and what its applications called. The
 * simulator appends records in time order; the renderers (ladder, mermaid,
 * svg, ndjson) only read them, so they are tested on synthetic traces. */
#ifndef FIN_VIZ_TRACE_H
#define FIN_VIZ_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fin/error.h"
#include "fin/stack.h"

#define FIN_TRACE_MAX_HOSTS 8

enum fin_trace_kind {
  FIN_TR_STATE = 0, /* from -> to */
  FIN_TR_SEND,      /* a datagram put onto a link: seg, peer, fate, arrive */
  FIN_TR_RECV,      /* a datagram handed to a stack */
  FIN_TR_DROP,      /* dropped by the network (fate) or by the stack (counter) */
  FIN_TR_TIMER,     /* timer fired */
  FIN_TR_APP,       /* an application call and its result */
  FIN_TR_CLOSE,     /* connection gone: reason, err */
  FIN_TR_RST,       /* the stack queued an RST (counter says why); the datagram is a SEND */
  FIN_TR_KIND_COUNT
};

/* What the network did with a datagram. */
enum fin_trace_fate {
  FIN_FATE_DELIVERED = 0,
  FIN_FATE_CORRUPTED, /* delivered with a flipped bit */
  FIN_FATE_LOST,      /* random loss */
  FIN_FATE_QUEUE,     /* tail drop: the link queue was full */
  FIN_FATE_PARTITION, /* the link was down */
  FIN_FATE_SCRIPTED,  /* the scenario dropped it on purpose */
  FIN_FATE_HOST_DOWN, /* arrived at a crashed host */
  FIN_FATE_NO_ROUTE,  /* no host owns the destination address */
  FIN_FATE_STACK,     /* the receiving stack dropped it (counter says why) */
  FIN_FATE_COUNT
};

/* The TCP/IPv4 header fields the renderers show. Decoded leniently (no
 * checksum checks) so corrupted datagrams still draw. */
struct fin_trace_seg {
  uint32_t saddr, daddr;
  uint16_t sport, dport;
  uint32_t seq, ack, len;
  uint16_t win;
  uint8_t flags;
  bool valid; /* false: not TCP/IPv4, only len is meaningful */
};

struct fin_trace_rec {
  fin_time t;
  enum fin_trace_kind kind;
  uint8_t host;            /* who: sender for SEND, receiver for RECV */
  uint8_t peer;            /* SEND/RECV: the other end of the link */
  uint64_t conn;           /* the host's connection number (0 = none) */
  struct fin_4tuple tuple; /* STATE, CLOSE, TIMER, DROP by a stack, RST: when has_tuple */
  bool has_tuple;
  struct fin_trace_seg seg;
  enum fin_trace_fate fate; /* SEND: what the network did; DROP: where it died */
  fin_time arrive;          /* SEND: delivery time, FIN_NEVER when it never arrives */
  bool dup;                 /* SEND: an extra copy made by the link */
  enum fin_state from, to;
  enum fin_close_reason reason;
  int err; /* CLOSE: negative errno; APP: result when negative */
  enum fin_timer_kind timer;
  uint32_t counter; /* DROP by a stack, RST: index into the counters list */
  int64_t result;   /* APP: the call's return value */
  uint32_t pkt;     /* SEND, RECV: 1 + index of the datagram's bytes in tr->pkts; 0 = none */
  bool verbose;     /* APP: bulk send/recv, left out of diagrams */
  char call[40];    /* APP: "connect 10.0.0.2:80" */
};

/* A datagram's bytes, kept when the trace is asked to (keep_packets). */
struct fin_trace_pkt {
  uint8_t *data;
  size_t len;
};

struct fin_trace {
  struct fin_trace_rec *recs;
  size_t len, cap;
  bool keep_packets; /* the recorder stores every datagram sent (for --pcapng) */
  struct fin_trace_pkt *pkts;
  size_t npkts, pkts_cap;
  unsigned host_count;
  char host_names[FIN_TRACE_MAX_HOSTS][8]; /* "a", "b", ... (fin serve/connect: "fin", "tun") */
  uint32_t host_addrs[FIN_TRACE_MAX_HOSTS];
};

void fin_trace_init(struct fin_trace *tr);
void fin_trace_free(struct fin_trace *tr);
/* Names host i "a", "b", ... with its address. */
void fin_trace_set_host(struct fin_trace *tr, unsigned host, uint32_t addr);
/* Appends a copy of rec. 0 or -ENOMEM. */
int fin_trace_add(struct fin_trace *tr, const struct fin_trace_rec *rec);

/* Stores a copy of a datagram; *pkt = its 1-based number. 0 or -ENOMEM. */
int fin_trace_add_packet(struct fin_trace *tr, const uint8_t *d, size_t len, uint32_t *pkt);

/* Lenient decode of an IPv4+TCP datagram for display. */
void fin_trace_decode(const uint8_t *dgram, size_t len, struct fin_trace_seg *out);

/* "SYN,ACK": writes into buf (>= 32 bytes). */
const char *fin_trace_flags(uint8_t flags, char *buf, size_t cap);
const char *fin_trace_fate_name(enum fin_trace_fate f);
const char *fin_trace_kind_name(enum fin_trace_kind k);

/* Relative sequence numbers, like Wireshark: per direction of a 4-tuple the
 * base is the ISN of the latest SYN (or the first sequence number seen). */
#define FIN_REL_MAX_FLOWS 32
struct fin_rel_flow {
  uint32_t saddr, daddr;
  uint16_t sport, dport;
  uint32_t base;
};
struct fin_rel {
  struct fin_rel_flow flows[FIN_REL_MAX_FLOWS];
  size_t count;
};
void fin_rel_init(struct fin_rel *rel);
/* Learns from seg (in trace order) and writes its relative seq/ack. */
void fin_rel_apply(struct fin_rel *rel, const struct fin_trace_seg *seg, uint32_t *seq,
                   uint32_t *ack);

/* The label of a segment: "FIN,ACK seq=1 ack=1 len=0". */
size_t fin_trace_seg_label(const struct fin_trace_seg *seg, uint32_t seq, uint32_t ack, char *buf,
                           size_t cap);

#endif
