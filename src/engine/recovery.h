/* SPDX-License-Identifier: MIT */
/* SACK-based loss recovery of a sender (recovery.c): the RFC 6675
 * scoreboard, RACK-TLP (RFC 8985) and PRR (RFC 6937). Out of line: a
 * connection holds a pointer, NULL until the first SACK block or the first
 * suspected loss, and the block goes back once everything is acknowledged,
 * so a connection that loses nothing carries none of it. */
#ifndef FIN_ENGINE_RECOVERY_H
#define FIN_ENGINE_RECOVERY_H

#include "internal.h"

/* Transmission records at most. Past it a new segment joins the last
 * record (its bytes then share one send time and one fate): recovery gets
 * coarser, never stalls, and the RTO still stands behind it. */
#define FIN_REC_MAX 64

#define TX_SACKED  0x01 /* every byte of it was SACKed */
#define TX_LOST    0x02 /* marked lost (RFC 6675 IsLost, RFC 8985 §6.2) */
#define TX_RETRANS 0x04 /* retransmitted since it was marked lost */
#define TX_EVER_RX 0x08 /* sent more than once: its RTT is ambiguous (Karn) */

/* One transmission record: [start, end) of sequence space (a FIN counts),
 * sent last at xmit. Records are kept in sequence order from SND.UNA. */
struct fin_txrec {
  uint32_t start, end;
  fin_time xmit;
  uint8_t flags;
};

struct fin_rec {
  uint32_t count;        /* records in r[] */
  uint32_t pipe;         /* RFC 6675 §4 SetPipe, while in recovery */
  uint32_t sacked_segs;  /* records SACKed above SND.UNA */
  uint32_t sacked_bytes; /* their bytes */
  /* RFC 8985 §6.1: the most recently sent segment delivered. */
  fin_time rack_xmit, rack_rtt, min_rtt;
  uint32_t rack_end, rack_fack;
  fin_time reo_at; /* the RACK reorder timer (§6.2 step 5), or FIN_NEVER */
  fin_time rto_at; /* the RTO it took the send timer's slot from */
  uint32_t dsack_round;
  uint8_t reo_wnd_mult, reo_wnd_persist;
  bool dsack_round_on, reordering_seen, dsack_seen;
  /* RFC 6937 §3. */
  uint32_t prr_delivered, prr_out, recover_fs;
  uint32_t acked, sacked_before; /* of the ACK being processed (DeliveredData) */
  /* RFC 8985 §7: one probe per episode; TLP.end_seq. */
  uint32_t tlp_end;
  bool tlp_out, tlp_retrans, probe_due;
  struct fin_txrec r[FIN_REC_MAX];
};

/* The ACK goes through the SACK path: the connection has a block, or the
 * ACK carries SACK blocks on a connection that uses them. */
static inline bool fin_rec_wanted(const struct fin_conn *c, const struct fin_segment *seg) {
  return c->rec != NULL || (seg->opts.sack_count > 0 && c->sack_rec && c->snd_una != c->snd_max &&
                            c->snd_nxt == c->snd_max && !c->persist);
}
/* The fifth step's ACK on the SACK path, in two halves around the new-ACK
 * processing (SND.UNA, timers: input_ack.c). The first takes the SACK
 * blocks and the cumulative ACK into the scoreboard; false when no block
 * can be had (the caller then takes the NewReno path). The second detects
 * losses and runs recovery; it may give the block back. */
bool fin_rec_ack_begin(struct fin_stack *st, struct fin_conn *c, const struct fin_segment *seg);
void fin_rec_ack_end(struct fin_stack *st, struct fin_conn *c, uint32_t ack, bool ece);
/* A segment [seq, end) of sequence space went out (output.c). */
void fin_rec_sent(struct fin_stack *st, struct fin_conn *c, uint32_t seq, uint32_t end,
                  bool retransmit);
/* RFC 6675 §4 NextSeg() rule 1: the first lost hole not yet retransmitted,
 * or false. */
bool fin_rec_next_hole(const struct fin_conn *c, uint32_t *seq, uint32_t *end);
/* The TLP probe is due (RFC 8985 §7.3). */
static inline bool fin_rec_probe_due(const struct fin_conn *c) {
  return c->rec != NULL && c->rec->probe_due;
}
/* §7.3: the probe went out; TLP.end_seq is set. */
void fin_rec_probe_sent(struct fin_stack *st, struct fin_conn *c, bool retransmit);
/* The last segment sent, for a probe with no new data to send. */
void fin_rec_last_segment(const struct fin_conn *c, uint32_t mss, uint32_t *seq, uint32_t *end);
/* In SACK recovery: the data in flight is the pipe, not SND.NXT - SND.UNA. */
static inline bool fin_rec_in_recovery(const struct fin_conn *c) {
  return c->rec != NULL && c->in_recovery;
}
/* The PTO (RFC 8985 §7.2) for a send timer that would fire at rto_at,
 * or rto_at itself when no probe is to be scheduled; sets c->pto. */
fin_time fin_rec_timer_at(struct fin_stack *st, struct fin_conn *c, fin_time rto_at);
/* New data went out with the send timer running: RFC 8985 §7.2 restarts
 * the PTO (the RTO keeps its deadline). */
void fin_rec_data_sent(struct fin_stack *st, struct fin_conn *c);
/* CT_REXMIT fired: a RACK reorder timeout or a PTO was handled (true), or
 * it is the RTO (false, and the block is given back: go-back-N follows). */
bool fin_rec_timer_fired(struct fin_stack *st, struct fin_conn *c);
void fin_rec_free(struct fin_stack *st, struct fin_conn *c);

#endif
