/* SPDX-License-Identifier: MIT */
/* Control segments sent without a TCB: RSTs (for unknown connections and
 * for aborted ones, which are gone by the time the RST leaves), TIME-WAIT
 * ACKs and SYN-cookie SYN-ACKs. BEHAVIOR M5: a ring that doubles when full,
 * so a bulk reset (stack shutdown, a listener closing with thousands of
 * queued clients) sends every RST it owes; once drained after a burst it
 * shrinks back. Only a failed allocation drops (counted). */
#include "internal.h"

#define CTL_INITIAL 64u

int fin_ctl_init(struct fin_stack *st) {
  st->ctl = fin_mem_alloc(st, CTL_INITIAL * sizeof(*st->ctl));
  if (st->ctl == NULL)
    return -ENOMEM;
  st->ctl_cap = CTL_INITIAL;
  return 0;
}

/* Moves the queued segments, oldest first, into a ring of cap entries. */
static bool ctl_resize(struct fin_stack *st, uint32_t cap) {
  struct fin_ctl *n = fin_mem_alloc(st, cap * sizeof(*n));
  if (n == NULL)
    return false;
  for (uint32_t i = 0; i < st->ctl_len; i++)
    n[i] = st->ctl[(st->ctl_head + i) % st->ctl_cap];
  fin_mem_free(st, st->ctl, st->ctl_cap * sizeof(*st->ctl));
  st->ctl = n;
  st->ctl_cap = cap;
  st->ctl_head = 0;
  return true;
}

void fin_segment_init(struct fin_stack *st, struct fin_segment *seg, const struct fin_4tuple *t,
                      uint32_t seq, uint32_t ack, uint8_t flags) {
  /* The header fields fin_tcp_build reads, and only those: the parse-side
   * fields (options, payload) of an outgoing segment are never looked at,
   * and clearing the whole struct cost more than building the header. */
  seg->saddr = t->local_addr;
  seg->daddr = t->remote_addr;
  seg->sport = t->local_port;
  seg->dport = t->remote_port;
  seg->seq = seq;
  seg->ack = ack;
  seg->flags = flags;
  seg->ttl = st->s.ttl;
  seg->tos = 0;
  seg->wnd = 0;
  seg->urg = 0;
  seg->flowlabel = 0;
  seg->ip_id = 0;
  /* IPv4 ID 0: every datagram fin sends is atomic (DF set, never
   * fragmented), so the ID means nothing (RFC 6864 §4.1-4.2), and a
   * counter shared by every flow would let anyone who sees two of fin's
   * datagrams count what it sent to others in between (idle scans,
   * CVE-2020-36516); Linux sends 0 on DF datagrams not tied to a socket
   * too. */
}

bool fin_ctl_push(struct fin_stack *st, const struct fin_ctl *ctl) {
  if (st->ctl_len == st->ctl_cap && !ctl_resize(st, st->ctl_cap * 2)) {
    st->c.rst_queue_full++;
    return false;
  }
  fin_stack_wake(st);
  st->ctl[(st->ctl_head + st->ctl_len) % st->ctl_cap] = *ctl;
  st->ctl_len++;
  return true;
}

size_t fin_ctl_pop_one(struct fin_stack *st, uint8_t *buf, size_t cap) {
  const struct fin_ctl *k = &st->ctl[st->ctl_head];
  struct fin_tcp_opts_out o;
  memset(&o, 0, sizeof(o));
  o.ts = k->has_ts;
  o.ts_val = k->ts_val;
  o.ts_ecr = k->ts_ecr;
  o.mss = k->syn_opts;
  o.mss_value = k->mss;
  o.wscale = k->has_ws;
  o.wscale_value = k->wscale;
  o.sack_permitted = k->sack_perm;
  uint8_t opt[FIN_TCP_OPT_MAX];
  size_t olen = fin_tcp_opts_write(opt, &o, st->s.option_layout, k->syn_opts);
  struct fin_segment seg;
  fin_segment_init(st, &seg, &k->tuple, k->seq, k->ack, k->flags);
  seg.wnd = k->wnd;
  size_t n = fin_tcp_build(buf, cap, &seg, opt, olen, NULL, 0, NULL, 0);
  if (n == 0)
    return 0; /* caller's buffer too small: keep it queued */
  st->c.out_segs++;
  if (k->flags & FIN_TCP_RST)
    st->c.out_rsts++;
  st->ctl_head = (st->ctl_head + 1) % st->ctl_cap;
  st->ctl_len--;
  if (st->ctl_len == 0 && st->ctl_cap > CTL_INITIAL)
    ctl_resize(st, CTL_INITIAL); /* the burst is over: give the memory back */
  return n;
}

/* BEHAVIOR A7: stack-wide token bucket for RSTs to closed ports. */
static bool rst_allowed(struct fin_stack *st) {
  uint32_t rate = st->s.rst_rate_per_sec;
  if (rate == 0)
    return true;
  fin_time elapsed = st->now - st->rst_refill;
  if (elapsed > 0) {
    uint64_t add = (uint64_t)elapsed * rate / 1000000000ull;
    if (add > 0) {
      st->rst_tokens = st->rst_tokens + add > rate ? rate : st->rst_tokens + add;
      st->rst_refill += (fin_time)(add * 1000000000ull / rate);
    }
  }
  if (st->rst_tokens == 0)
    return false;
  st->rst_tokens--;
  return true;
}

/* RFC 9293 §3.10.7.1 (BEHAVIOR A1): if the segment has ACK,
 * <SEQ=SEG.ACK><CTL=RST>; else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>,
 * SEG.LEN counting SYN and FIN. */
void fin_send_rst_for(struct fin_stack *st, const struct fin_segment *seg, uint64_t *counter,
                      bool rate_limited) {
  struct fin_4tuple t = fin_tuple_of(seg);
  if (rate_limited && !rst_allowed(st)) {
    st->c.rst_rate_limited++;
    return;
  }
  struct fin_ctl k;
  memset(&k, 0, sizeof(k));
  k.tuple = t;
  if (seg->flags & FIN_TCP_ACK) {
    k.seq = seg->ack;
    k.flags = FIN_TCP_RST;
  } else {
    uint32_t len = seg->payload_len + !!(seg->flags & FIN_TCP_SYN) + !!(seg->flags & FIN_TCP_FIN);
    k.ack = seg->seq + len;
    k.flags = FIN_TCP_RST | FIN_TCP_ACK;
  }
  if (fin_ctl_push(st, &k)) {
    (*counter)++;
    fin_event_counter(st, &t, FIN_EV_RST_SENT, counter);
  }
}

/* A control segment from a live TCB: <SEQ=SND.NXT><ACK=RCV.NXT>, SND.NXT as
 * the peer accepts it (BEHAVIOR M1: SND.MAX, even while go-back-N has wound
 * our sending point back, but never past the peer's window). */
static void ctl_from_conn(struct fin_stack *st, const struct fin_conn *c, uint8_t flags,
                          struct fin_ctl *k) {
  memset(k, 0, sizeof(*k));
  k->tuple = c->tuple;
  k->seq = fin_conn_ctl_seq(c);
  k->ack = c->rcv_nxt;
  k->flags = flags;
  if (c->ts_ok) {
    k->has_ts = 1;
    k->ts_val = fin_conn_tsval(st, c);
    k->ts_ecr = c->ts_recent;
  }
}

/* The ACK a connection owes as it ends (M13: a retransmitted FIN that
 * completes LAST-ACK): the connection is gone when it leaves. */
void fin_send_ack_from_conn(struct fin_stack *st, const struct fin_conn *c) {
  struct fin_ctl k;
  ctl_from_conn(st, c, FIN_TCP_ACK, &k);
  uint32_t w = fin_conn_rcv_wnd(c) >> c->rcv_wscale;
  k.wnd = (uint16_t)(w > 0xffff ? 0xffff : w);
  fin_ctl_push(st, &k);
}

/* RFC 9293 §3.10.5 (BEHAVIOR B1): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>. */
void fin_send_rst_from_conn(struct fin_stack *st, const struct fin_conn *c, uint64_t *counter) {
  struct fin_ctl k;
  ctl_from_conn(st, c, FIN_TCP_RST | FIN_TCP_ACK, &k);
  if (fin_ctl_push(st, &k)) {
    (*counter)++;
    fin_event_counter(st, &c->tuple, FIN_EV_RST_SENT, counter);
  }
}
