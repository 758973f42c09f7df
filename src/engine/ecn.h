/* SPDX-License-Identifier: MIT */
/* Explicit Congestion Notification (RFC 3168 §6.1): negotiation in the
 * handshake, the IP ECN field of what a connection sends, the receiver's
 * echo of CE and the sender's answer to it. The hooks output, input and the
 * congestion control call (ecn.c). */
#ifndef FIN_ENGINE_ECN_H
#define FIN_ENGINE_ECN_H

#include "internal.h"

/* RFC 3168 §5: the ECN field, the low two bits of the IPv4 TOS byte and of
 * the IPv6 traffic class. */
#define FIN_ECN_MASK    0x03u
#define FIN_ECN_NOT_ECT 0x00u
#define FIN_ECN_ECT1    0x01u
#define FIN_ECN_ECT0    0x02u
#define FIN_ECN_CE      0x03u

/* The connection's mode: its own (FIN_TCP_ECN) or the stack's. */
static inline enum fin_ecn fin_conn_ecn_mode(const struct fin_stack *st, const struct fin_conn *c) {
  return c->ecn_own ? (enum fin_ecn)c->ecn_mode : st->s.ecn;
}

/* The peer's SYN or SYN-ACK decides whether the connection uses ECN
 * (§6.1.1); from fin_conn_negotiate. */
void fin_ecn_negotiate(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg);

/* Output: the ECN flags and the IP ECN field of the segment about to go
 * (new_data: it carries data never sent before, so not a retransmission,
 * a window probe or a pure ACK). */
void fin_ecn_output_ecn(const struct fin_stack *st, struct fin_conn *c, uint8_t *flags,
                        uint8_t *tos, bool new_data);
/* Every segment asks; only a SYN, a SYN-ACK or an ECN connection's segment
 * has anything to add, tested inline. */
static inline void fin_ecn_output(const struct fin_stack *st, struct fin_conn *c, uint8_t *flags,
                                  uint8_t *tos, bool new_data) {
  if (c->ecn_ok || (*flags & FIN_TCP_SYN))
    fin_ecn_output_ecn(st, c, flags, tos, new_data);
}
/* ... and once it went out. */
static inline void fin_ecn_sent(struct fin_conn *c, uint8_t flags) {
  if ((flags & (FIN_TCP_CWR | FIN_TCP_SYN)) == FIN_TCP_CWR)
    c->ecn_cwr = 0; /* §6.1.2: once, on the first new data after the reduction */
}

/* A data segment the connection accepted (in order or not): its CWR and
 * its CE mark (§6.1.3). True when the ACK it is owed should go at once: the
 * first ECE of a congestion event. */
bool fin_ecn_data_in_ecn(struct fin_conn *c, const struct fin_segment *seg);
static inline bool fin_ecn_data_in(struct fin_conn *c, const struct fin_segment *seg) {
  return c->ecn_ok && fin_ecn_data_in_ecn(c, seg);
}

/* A valid ACK (after RFC 5961 validation, before SND.UNA moves): ECE makes
 * the sender reduce cwnd once per window of data (§6.1.2). True when it
 * carried ECE: such an ACK does not grow cwnd. */
bool fin_ecn_ack_in_ecn(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg);
static inline bool fin_ecn_ack_in(struct fin_stack *st, struct fin_conn *c,
                                  const struct fin_segment *seg) {
  return c->ecn_ok && fin_ecn_ack_in_ecn(st, c, seg);
}

/* cwnd was reduced for a loss (fast retransmit, retransmission timeout):
 * the next new data carries CWR, and ECE within that window is the same
 * congestion (§6.1.2). */
void fin_ecn_cwnd_reduced(struct fin_conn *c);

#endif
