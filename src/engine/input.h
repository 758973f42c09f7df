/* SPDX-License-Identifier: MIT */
/* SEGMENT ARRIVES, RFC 9293 §3.10.7.4, shared by its three files: input.c
 * (the driver and the first four checks: sequence number, RST, SYN),
 * input_ack.c (the fifth: the ACK field) and input_text.c (the seventh and
 * eighth: text and FIN). Each step returns a disposition that
 * fin_conn_input acts on; a step that ends the connection returns GONE and
 * nothing touches the TCB after it. */
#ifndef FIN_ENGINE_INPUT_H
#define FIN_ENGINE_INPUT_H

#include "internal.h"

enum disposition {
  CONTINUE = 0,
  DROP,     /* silently */
  DROP_ACK, /* drop, answer with the rate-limited <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (A5, A6) */
  DROP_RST, /* drop, answer with <SEQ=SEG.ACK><CTL=RST> (A4) */
  GONE,     /* the connection ended; its TCB may be freed */
};

/* An ACK the segment is owed whatever the later steps decide. */
enum reply {
  REPLY_NONE = 0,
  REPLY_ACK,     /* owed, never rate-limited: a zero-window probe (M2), our lost ACK (D9) */
  REPLY_DUP_ACK, /* for an old duplicate: the rate-limited kind (A6) */
};

/* The segment as trimmed to the receive window. */
struct seg_view {
  const struct fin_segment *seg;
  uint32_t seq;
  const uint8_t *data;
  uint32_t len;
  bool syn, fin;
  bool syn_accepted; /* K3: the SYN of a simultaneous-open SYN-ACK, already had */
  bool dup_head;     /* bytes before RCV.NXT were trimmed off (a D-SACK, M8) */
  bool dup_dsack;    /* an old duplicate's D-SACK, reported only with its ACK (A6) */
  uint32_t dup_left, dup_right;
  enum reply reply;
};

static inline uint32_t seg_len(const struct seg_view *v) {
  return v->len + v->syn + v->fin;
}

/* Fifth step (input_ack.c). */
enum disposition fin_input_ack(struct fin_stack *st, struct fin_conn *c, struct seg_view *v);
/* RFC 5681 §3.1 window growth outside recovery, slow start by RFC 3465
 * (settings.abc_limit). */
void fin_cc_grow(const struct fin_stack *st, struct fin_conn *c, uint32_t acked);
/* Seventh and eighth steps (input_text.c). */
enum disposition fin_input_text(struct fin_stack *st, struct fin_conn *c, const struct seg_view *v);
enum disposition fin_input_fin(struct fin_stack *st, struct fin_conn *c, const struct seg_view *v);
/* BEHAVIOR M11: text on a SYN in SYN-SENT is held, then released once
 * ESTABLISHED (input_text.c). */
void fin_input_hold_syn_text(struct fin_stack *st, struct fin_conn *c,
                             const struct fin_segment *seg);
void fin_input_release_syn_text(struct fin_stack *st, struct fin_conn *c);
/* BEHAVIOR M8: the duplicate [left, right) goes first in the next SACK option
 * as a D-SACK block (RFC 2883). */
void fin_input_dsack(struct fin_conn *c, uint32_t left, uint32_t right);

#endif
