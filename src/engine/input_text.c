/* SPDX-License-Identifier: MIT */
/* SEGMENT ARRIVES, seventh and eighth checks (RFC 9293 §3.10.7.4): the
 * segment text - in order into the receive ring, out of order into the
 * reassembly store (BEHAVIOR D2, M15), the ACK it is owed (RFC 1122 4.2.3.2)
 * and its SACK/D-SACK report (RFC 2018, RFC 2883, M8) - and the FIN
 * (D1, D4-D6, D9). */
#include "ecn.h"
#include "input.h"
#include "policy.h"

void fin_input_dsack(struct fin_conn *c, uint32_t left, uint32_t right) {
  if (!c->sack_ok)
    return;
  c->dsack = 1;
  c->dsack_left = left;
  c->dsack_right = right;
}

/* RFC 2883 §4.1.3, Linux tcp_dsack_extend: a D-SACK already owed grows to
 * take a duplicate that touches it; otherwise the first one stays. */
static void dsack_extend(struct fin_conn *c, uint32_t left, uint32_t right) {
  if (!c->dsack) {
    fin_input_dsack(c, left, right);
    return;
  }
  if (seq_leq(left, c->dsack_right) && seq_leq(c->dsack_left, right)) {
    if (seq_lt(left, c->dsack_left))
      c->dsack_left = left;
    if (seq_gt(right, c->dsack_right))
      c->dsack_right = right;
  }
}

/* M8: bytes of [off, off+len) (relative to RCV.NXT) already held out of
 * order are a duplicate; the lowest such run is reported (RFC 2883 §4). */
static bool held_overlap(const struct fin_conn *c, uint32_t off, uint32_t len, uint32_t *left,
                         uint32_t *right) {
  uint32_t os, oe;
  if (c->ooo == NULL || !fin_asm_first_overlap(c->ooo, off, off + len, &os, &oe))
    return false;
  *left = c->rcv_nxt + os;
  *right = c->rcv_nxt + oe;
  return true;
}

/* D2, M15: out-of-order data waits in the ring; a FIN after a hole waits
 * too. A full store forgets its furthest range (counted), never the range
 * nearer RCV.NXT that this segment brings. */
static void queue_out_of_order(struct fin_stack *st, struct fin_conn *c, const struct seg_view *v) {
  uint32_t off = v->seq - c->rcv_nxt, left, right;
  if (v->len > 0) {
    /* The bytes go in first: the store records only what the ring holds. */
    if (fin_ring_write_at(st, &c->bufs->rcv, c->bufs->rcv.len + off, v->data, v->len) != 0) {
      FIN_DROP(st, &c->tuple, drop_rcv_no_room); /* F3: no chunk now; it comes again */
      return;
    }
    /* RFC 2883 §4.1.2 (Linux tcp_data_queue_ofo): a partial duplicate of
     * held data reports the duplicated bytes. */
    if (held_overlap(c, off, v->len, &left, &right))
      fin_input_dsack(c, left, right);
    struct fin_assembler *ooo = fin_conn_ooo(st, c);
    if (ooo == NULL) {
      FIN_DROP(st, &c->tuple, drop_ooo_no_room); /* no memory now: it comes again */
      return;
    }
    switch (fin_asm_add(ooo, off, off + v->len)) {
    case FIN_ASM_REFUSED:
      FIN_DROP(st, &c->tuple, drop_ooo_no_room);
      return;
    case FIN_ASM_DUPLICATE: /* RFC 2883 §4: reported above, every byte */
      break;
    case FIN_ASM_PRUNED:
      st->c.ooo_pruned++;
      break;
    case FIN_ASM_ADDED:
      break;
    }
    st->c.ooo_queued++;
  }
  if (v->fin) {
    c->rcv_fin_pending = 1;
    c->rcv_fin_seq = v->seq + v->len;
  }
}

/* Bytes the reassembly store holds from RCV.NXT on join the stream; the
 * store goes back once no hole is left. */
static uint32_t commit_front(struct fin_stack *st, struct fin_conn *c) {
  uint32_t n = fin_asm_pop_front(c->ooo);
  fin_conn_ooo_release(st, c);
  fin_ring_commit(&c->bufs->rcv, n);
  c->rcv_nxt += n;
  return n;
}

/* In-order bytes go in; whatever out-of-order data they reach is joined.
 * M15: the store always takes the range at offset 0. */
static uint32_t deliver_in_order(struct fin_stack *st, struct fin_conn *c,
                                 const struct seg_view *v) {
  uint32_t left, right;
  if (fin_ring_write_at(st, &c->bufs->rcv, c->bufs->rcv.len, v->data, v->len) != 0)
    return 0;           /* no chunk now (F3): dropped, it comes again */
  if (c->ooo == NULL) { /* no hole: the bytes simply join the stream */
    fin_ring_commit(&c->bufs->rcv, v->len);
    c->rcv_nxt += v->len;
    return v->len;
  }
  if (held_overlap(c, 0, v->len, &left, &right))
    dsack_extend(c, left, right); /* RFC 2883 §4.1.3, Linux tcp_ofo_queue */
  if (fin_asm_add(c->ooo, 0, v->len) == FIN_ASM_PRUNED)
    st->c.ooo_pruned++;
  return commit_front(st, c);
}

static void ack_owed(struct fin_stack *st, struct fin_conn *c) {
  c->ack_now = 1;
  c->ack_data = 1;
  fin_conn_output_mark(st, c);
}

/* RFC 1122 4.2.3.2, RFC 5681 §4.2: ACK at once in quick-ACK mode, for every
 * second full-sized segment, and when a hole fills; otherwise delay. */
static void schedule_ack(struct fin_stack *st, struct fin_conn *c, uint32_t len, bool filled) {
  if (fin_policy_segment_counts_for_ack(st, c, len))
    c->unacked_segs += len >= 2 * c->rcv_mss ? 2 : 1; /* a super-segment (GRO) is several */
  if (filled || st->s.delack == 0 || c->quickack > 0 || c->unacked_segs >= 2) {
    if (c->quickack > 0)
      c->quickack--;
    ack_owed(st, c);
    return;
  }
  if (c->timer[CT_DELACK] == FIN_NEVER)
    fin_conn_timer_set(st, c, CT_DELACK, st->now + st->s.delack);
}

static bool accepts_text(enum fin_state s) {
  return s == FIN_ESTABLISHED || s == FIN_FIN_WAIT_1 || s == FIN_FIN_WAIT_2;
}

/* BEHAVIOR B8, D11, M6: after close() (orphaned, or still waiting in a
 * SO_LINGER {1,N} close), or after shutdown of the receive side once our FIN
 * is queued, nobody will ever read new data: it is answered with RST, never
 * ACKed and thrown away (RFC 1122 §4.2.2.13, Linux TCPAbortOnData). */
static bool nobody_reads(const struct fin_conn *c) {
  return c->closed_by_app ||
         (c->rd_shutdown && (c->state == FIN_FIN_WAIT_1 || c->state == FIN_FIN_WAIT_2));
}

/* Seventh: segment text (BEHAVIOR D2, D10, D11, B8, M6, M15). */
enum disposition fin_input_text(struct fin_stack *st, struct fin_conn *c,
                                const struct seg_view *v) {
  if (v->len == 0)
    return CONTINUE;
  if (!accepts_text(c->state)) {
    FIN_DROP(st, &c->tuple, drop_after_fin); /* D10 */
    return CONTINUE;
  }
  if (nobody_reads(c)) {
    /* Linux answers the segment with <SEQ=SEG.ACK><CTL=RST>. */
    fin_send_rst_for(st, v->seg, &st->c.rst_closed_socket, false);
    st->c.abort_on_data++;
    fin_conn_terminate(st, c, FIN_REASON_DATA_AFTER_CLOSE, -ECONNRESET);
    return GONE;
  }
  bool ce = fin_ecn_data_in(c, v->seg); /* RFC 3168 §6.1.3 */
  c->last_recv = st->now;
  if (fin_conn_rcvbuf_ready(st, c) != 0) {
    /* F3: no memory for the receive ring now; unacknowledged, the data
     * comes again. */
    FIN_DROP(st, &c->tuple, drop_rcv_no_room);
    return CONTINUE;
  }
  if (v->seq != c->rcv_nxt) {
    queue_out_of_order(st, c, v);
    c->ack_now = 1; /* RFC 5681 §4.2: a duplicate ACK at once */
    fin_conn_output_mark(st, c);
    return CONTINUE;
  }
  bool had_holes = fin_conn_ooo_count(c) > 0;
  if (deliver_in_order(st, c, v) == 0) {
    FIN_DROP(st, &c->tuple, drop_rcv_no_room); /* F3: unacknowledged, it comes again */
    return CONTINUE;
  }
  /* RFC 5681 §4.2: a segment that began before RCV.NXT is out of order
   * too; its D-SACK (M8) goes out at once, as FreeBSD sends it. */
  schedule_ack(st, c, v->len, had_holes || v->dup_head || ce); /* ce: the first ECE goes now */
  fin_event_simple(st, c, FIN_EV_READABLE);
  return CONTINUE;
}

/* Eighth: FIN (BEHAVIOR D1, D4, D5, D6, D9). */
static enum disposition process_fin(struct fin_stack *st, struct fin_conn *c) {
  c->rcv_nxt++;
  c->peer_fin = 1;
  c->rcv_fin_pending = 0;
  c->dsack = 0;    /* the stream is complete: no SACK information left (Linux tcp_fin) */
  ack_owed(st, c); /* D1: ACK at once */
  fin_event_simple(st, c, FIN_EV_READABLE);
  switch (c->state) {
  case FIN_SYN_RECEIVED:
  case FIN_ESTABLISHED:
    fin_conn_set_state(st, c, FIN_CLOSE_WAIT);
    return CONTINUE;
  case FIN_FIN_WAIT_1:
    if (c->fin_sent && seq_gt(c->snd_una, c->fin_seq)) {
      fin_tw_enter(st, c, true); /* D5 */
      return GONE;
    }
    fin_conn_set_state(st, c, FIN_CLOSING); /* D4 */
    return CONTINUE;
  case FIN_FIN_WAIT_2:
    fin_tw_enter(st, c, true); /* D6 */
    return GONE;
  default:
    return CONTINUE; /* D9: re-ACK, stay */
  }
}

enum disposition fin_input_fin(struct fin_stack *st, struct fin_conn *c, const struct seg_view *v) {
  if (v->fin && v->seq + v->len == c->rcv_nxt && !c->peer_fin)
    return process_fin(st, c);
  if (v->fin && !c->peer_fin && !c->rcv_fin_pending && seq_gt(v->seq + v->len, c->rcv_nxt)) {
    c->rcv_fin_pending = 1; /* D2: the FIN waits for the hole */
    c->rcv_fin_seq = v->seq + v->len;
    c->ack_now = 1; /* RFC 5681 §4.2: an out-of-order segment gets a duplicate ACK at once */
    fin_conn_output_mark(st, c);
  }
  if (c->rcv_fin_pending && c->rcv_fin_seq == c->rcv_nxt)
    return process_fin(st, c);
  return CONTINUE;
}

/* BEHAVIOR M11 (§3.10.7.3): text (and a FIN) that came on a SYN in
 * SYN-SENT waits, held at RCV.NXT, until the connection is ESTABLISHED. */
void fin_input_hold_syn_text(struct fin_stack *st, struct fin_conn *c,
                             const struct fin_segment *seg) {
  uint32_t len = seg->payload_len, room = fin_conn_rcv_wnd(c);
  if (len > room)
    len = room;
  if (len > 0 && (fin_conn_rcvbuf_ready(st, c) != 0 || fin_conn_ooo(st, c) == NULL ||
                  fin_ring_write_at(st, &c->bufs->rcv, 0, seg->payload, len) != 0))
    len = 0; /* no room now: the peer sends it again, the FIN with it */
  if (len > 0)
    fin_asm_add(c->ooo, 0, len);
  if ((seg->flags & FIN_TCP_FIN) && len == seg->payload_len) {
    c->rcv_fin_pending = 1;
    c->rcv_fin_seq = c->rcv_nxt + len;
  }
}

/* ... and joins the stream once the handshake completes. */
void fin_input_release_syn_text(struct fin_stack *st, struct fin_conn *c) {
  if (c->ooo != NULL && commit_front(st, c) > 0) {
    ack_owed(st, c);
    fin_event_simple(st, c, FIN_EV_READABLE);
  }
  if (c->rcv_fin_pending && c->rcv_fin_seq == c->rcv_nxt)
    process_fin(st, c);
}
