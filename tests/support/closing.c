/* SPDX-License-Identifier: MIT */
#include "closing.h"

#include <stdio.h>
#include <string.h>

void seen_drain(struct peer *p, struct seen *s) {
  memset(s, 0, sizeof(*s));
  struct fin_event ev;
  size_t pos = 0;
  while (fin_stack_poll_event(p->st, &ev)) {
    if (ev.type == FIN_EV_STATE && pos < sizeof(s->path)) {
      int n = snprintf(s->path + pos, sizeof(s->path) - pos, "%s%s", pos ? ">" : "",
                       fin_state_name(ev.to));
      pos += n > 0 ? (size_t)n : 0;
    }
    if (ev.type == FIN_EV_CLOSED) {
      s->closed = true;
      s->reason = ev.reason;
      s->err = ev.err;
    }
  }
}

void drain_events(struct peer *p) {
  struct seen s;
  seen_drain(p, &s);
}

void to_fin_wait_1(struct peer *p) {
  peer_establish_passive(p);
  assert_int_equal(fin_shutdown(p->st, p->s, FIN_SHUT_WR), 0);
  peer_expect(p, TCP_A | TCP_F, L(p, 1), R(p, 1));
  peer_expect_nothing(p);
  assert_int_equal(peer_state(p), FIN_FIN_WAIT_1);
}

void to_fin_wait_2(struct peer *p) {
  to_fin_wait_1(p);
  peer_send(p, TCP_A, R(p, 1), L(p, 2), NULL, 0);
  peer_expect_nothing(p);
  assert_int_equal(peer_state(p), FIN_FIN_WAIT_2);
}

void to_close_wait(struct peer *p) {
  peer_establish_passive(p);
  peer_send(p, TCP_A | TCP_F, R(p, 1), L(p, 1), NULL, 0);
  peer_expect(p, TCP_A, L(p, 1), R(p, 2));
  peer_expect_nothing(p);
  assert_int_equal(peer_state(p), FIN_CLOSE_WAIT);
}

void to_closing(struct peer *p) {
  to_fin_wait_1(p);
  peer_send(p, TCP_A | TCP_F, R(p, 1), L(p, 1), NULL, 0);
  peer_expect(p, TCP_A, L(p, 2), R(p, 2));
  peer_expect_nothing(p);
  assert_int_equal(peer_state(p), FIN_CLOSING);
}

void to_last_ack(struct peer *p) {
  to_close_wait(p);
  assert_int_equal(fin_shutdown(p->st, p->s, FIN_SHUT_WR), 0);
  peer_expect(p, TCP_A | TCP_F, L(p, 1), R(p, 2));
  peer_expect_nothing(p);
  assert_int_equal(peer_state(p), FIN_LAST_ACK);
}

void to_time_wait_via_fin_wait_2(struct peer *p) {
  to_fin_wait_2(p);
  peer_send(p, TCP_A | TCP_F, R(p, 1), L(p, 2), NULL, 0);
  peer_expect(p, TCP_A, L(p, 2), R(p, 2));
  peer_expect_nothing(p);
  assert_int_equal(peer_state(p), FIN_TIME_WAIT);
  assert_int_equal(fin_stack_time_wait_count(p->st), 1);
}

int retransmit_fin_until_give_up(struct peer *p, uint32_t fin_seq, uint32_t ack) {
  int n = 0;
  fin_time prev = 0;
  for (;;) {
    fin_time dt = peer_advance_to_deadline(p);
    size_t len = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now);
    if (len == 0)
      fail_msg("gave up after %d FIN retransmissions without a RST", n);
    assert_int_equal(fin_tcp_parse(p->buf, len, &p->last), FIN_WIRE_OK);
    if (p->last.flags & TCP_R) {
      assert_int_equal(p->last.flags, TCP_R | TCP_A);
      assert_int_equal(p->last.seq, fin_seq + 1);
      assert_int_equal(p->last.ack, ack);
      peer_expect_nothing(p);
      return n;
    }
    assert_int_equal(p->last.flags, TCP_A | TCP_F);
    assert_int_equal(p->last.seq, fin_seq);
    assert_int_equal(p->last.ack, ack);
    if (prev > 0 && 2 * prev <= FIN_SEC(120))
      assert_int_equal(dt, 2 * prev);
    prev = dt;
    n++;
    peer_expect_nothing(p);
    assert_true(n <= 100);
  }
}

void raw_send(struct peer *p, uint16_t sport, uint8_t flags, uint32_t seq, uint32_t ack) {
  struct fin_segment seg;
  memset(&seg, 0, sizeof(seg));
  seg.saddr = PEER_ADDR;
  seg.daddr = PEER_FIN_ADDR;
  seg.sport = sport;
  seg.dport = p->fin_port ? p->fin_port : FIN_PORT;
  seg.seq = seq;
  seg.ack = ack;
  seg.flags = flags;
  seg.wnd = p->wnd;
  seg.ttl = 64;
  uint8_t dgram[128];
  size_t n = fin_tcp_build(dgram, sizeof(dgram), &seg, NULL, 0, NULL, 0, NULL, 0);
  assert_true(n > 0);
  fin_stack_input(p->st, dgram, n, p->now);
}

const struct fin_segment *raw_expect(struct peer *p, uint16_t dport, uint8_t flags, uint32_t seq,
                                     uint32_t ack) {
  size_t n = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now);
  if (n == 0)
    fail_msg("expected a segment to port %u, fin sent nothing", dport);
  assert_int_equal(fin_tcp_parse(p->buf, n, &p->last), FIN_WIRE_OK);
  assert_int_equal(p->last.dport, dport);
  assert_int_equal(p->last.flags, flags);
  assert_int_equal(p->last.seq, seq);
  if (flags & (TCP_A | TCP_R))
    assert_int_equal(p->last.ack, (flags & TCP_A) ? ack : 0);
  return &p->last;
}
