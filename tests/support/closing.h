/* SPDX-License-Identifier: MIT */
/* Helpers shared by the closing state tests (BEHAVIOR C-G) on top of the
 * peer harness: the state path and close reason from the event queue,
 * reaching the closing states, and driving FIN retransmission to the end. */
#ifndef FIN_TEST_CLOSING_H
#define FIN_TEST_CLOSING_H

#include "peer.h"

/* Every state change ("FIN-WAIT-1>TIME-WAIT") and the last CLOSED event,
 * drained from the queue. */
struct seen {
  char path[256];
  bool closed;
  enum fin_close_reason reason;
  int err;
};
void seen_drain(struct peer *p, struct seen *s);
void drain_events(struct peer *p);

/* From a fresh peer: ESTABLISHED (passive) then ... */
void to_fin_wait_1(struct peer *p);               /* shutdown(SHUT_WR): FIN at L(1) */
void to_fin_wait_2(struct peer *p);               /* ... and the peer ACKs it */
void to_close_wait(struct peer *p);               /* the peer's FIN at R(1) */
void to_closing(struct peer *p);                  /* FIN-WAIT-1 + the peer's FIN, ours unacked */
void to_last_ack(struct peer *p);                 /* CLOSE-WAIT + shutdown(SHUT_WR) */
void to_time_wait_via_fin_wait_2(struct peer *p); /* FIN-WAIT-2 + the peer's FIN at R(1) */

/* Lets the retransmission timer run until fin gives up: asserts every
 * retransmission is <SEQ=fin_seq><ACK=ack><CTL=FIN,ACK>, that the gap
 * doubles (up to rto_max) and that giving up sends exactly one
 * <SEQ=fin_seq+1><ACK=ack><CTL=RST,ACK> (J2). Returns the retransmissions. */
int retransmit_fin_until_give_up(struct peer *p, uint32_t fin_seq, uint32_t ack);

/* Raw segments on another peer port (the peer harness uses PEER_PORT). */
void raw_send(struct peer *p, uint16_t sport, uint8_t flags, uint32_t seq, uint32_t ack);
/* Next segment fin sends: asserts dport, flags, seq and (for ACK or RST)
 * ack. Returns it (p->last). */
const struct fin_segment *raw_expect(struct peer *p, uint16_t dport, uint8_t flags, uint32_t seq,
                                     uint32_t ack);

#endif
