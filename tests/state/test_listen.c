/* SPDX-License-Identifier: MIT */
/* Listening, BEHAVIOR L1: separate SYN and accept queues, the accept-queue
 * overflow policy, SYN cookies as the overflow fallback, SYN-RECEIVED
 * timeout. */
#include <errno.h>
#include <string.h>

#include "peer.h"

/* SYN from peer_port `port`; returns fin's ISS from the SYN-ACK. */
static uint32_t syn_from(struct peer *p, uint16_t port) {
  p->peer_port = port;
  peer_send(p, TCP_S, p->irs, 0, NULL, 0);
  return peer_expect_syn_ack(p, R(p, 1));
}

static struct fin_settings no_cookies(void) {
  struct fin_settings s;
  fin_settings_default(&s);
  s.syn_cookies = false;
  return s;
}

/* BEHAVIOR L1: accept queue full, policy "drop": the final ACK is dropped
 * and the child stays in SYN-RECEIVED; once accept() makes room the
 * peer's retransmitted ACK completes it. (A backlog of N holds N+1, as in
 * Linux.) */
/* ATTACK T72 */
static void test_accept_overflow_drop_keeps_child_until_room(void **state) {
  (void)state;
  struct fin_settings s = no_cookies();
  struct peer p;
  peer_init(&p, &s);
  peer_listen(&p, 0);
  uint32_t iss1 = syn_from(&p, 41001);
  uint32_t iss2 = syn_from(&p, 41002);
  p.peer_port = 41001;
  peer_send(&p, TCP_A, R(&p, 1), iss1 + 1, NULL, 0);
  p.peer_port = 41002;
  peer_send(&p, TCP_A, R(&p, 1), iss2 + 1, NULL, 0); /* queue full: dropped */
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->drop_listen_overflow, 1);
  fin_sock a1 = fin_accept(p.st, p.listener, NULL);
  assert_true(a1 >= 0);
  assert_int_equal(fin_accept(p.st, p.listener, NULL), -EAGAIN);
  peer_send(&p, TCP_A, R(&p, 1), iss2 + 1, NULL, 0); /* retransmitted ACK */
  fin_sock a2 = fin_accept(p.st, p.listener, NULL);
  assert_true(a2 >= 0);
  assert_int_equal(fin_sock_state(p.st, a2), FIN_ESTABLISHED);
  peer_free(&p);
}

/* BEHAVIOR L1: accept queue full, policy "RST": the child is reset. */
/* ATTACK T72 */
static void test_accept_overflow_rst_resets_child(void **state) {
  (void)state;
  struct fin_settings s = no_cookies();
  s.accept_overflow = FIN_ACCEPT_OVERFLOW_RST;
  struct peer p;
  peer_init(&p, &s);
  peer_listen(&p, 0);
  uint32_t iss1 = syn_from(&p, 41001);
  uint32_t iss2 = syn_from(&p, 41002);
  p.peer_port = 41001;
  peer_send(&p, TCP_A, R(&p, 1), iss1 + 1, NULL, 0);
  p.peer_port = 41002;
  peer_send(&p, TCP_A, R(&p, 1), iss2 + 1, NULL, 0);
  peer_expect(&p, TCP_R | TCP_A, iss2 + 1, R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->rst_accept_overflow, 1);
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  peer_free(&p);
}

/* BEHAVIOR L1: with the SYN queue full, a SYN gets a SYN cookie (no state
 * kept); the ACK carrying the cookie creates an acceptable connection that
 * carries data; a forged ACK gets a RST. */
/* ATTACK T70 T71 */
static void test_syn_cookie_when_syn_queue_full(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.syn_backlog = 1;
  struct peer p;
  peer_init(&p, &s);
  peer_listen(&p, 8);
  syn_from(&p, 41001); /* fills the SYN queue */
  size_t conns = fin_stack_conn_count(p.st);
  uint32_t cookie = syn_from(&p, 41002);
  assert_int_equal(fin_stack_conn_count(p.st), conns); /* no state */
  assert_int_equal(peer_counters(&p)->syncookies_sent, 1);
  peer_send(&p, TCP_A, R(&p, 1), cookie + 1 + 7, NULL, 0); /* forged */
  peer_expect(&p, TCP_R, cookie + 8, 0);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), cookie + 1, "hi", 2);
  fin_sock a = fin_accept(p.st, p.listener, NULL);
  assert_true(a >= 0);
  char b[4];
  assert_int_equal(fin_recv(p.st, a, b, sizeof(b), 0), 2);
  assert_int_equal(peer_counters(&p)->syncookies_recv, 1);
  p.s = a;
  assert_int_equal(fin_send(p.st, a, "ok", 2, 0), 2);
  peer_expect_len(&p, TCP_A | TCP_P, cookie + 1, R(&p, 3), 2);
  peer_free(&p);
}

/* BEHAVIOR L1: an embryonic child whose SYN-ACK is never answered is
 * dropped silently after synack_retries retransmissions. */
static void test_syn_received_timeout_drops_child_silently(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.synack_retries = 2;
  struct peer p;
  peer_init(&p, &s);
  peer_listen(&p, 8);
  uint32_t iss = syn_from(&p, 41001);
  for (int i = 0; i < 2; i++) {
    peer_advance_to_deadline(&p);
    peer_expect(&p, TCP_S | TCP_A, iss, R(&p, 1));
  }
  peer_advance_to_deadline(&p);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->syn_recv_timeouts, 1);
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  peer_free(&p);
}

/* BEHAVIOR L1: a retransmitted SYN in SYN-RECEIVED gets the SYN-ACK again. */
static void test_retransmitted_syn_gets_syn_ack_again(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 8);
  uint32_t iss = syn_from(&p, 41001);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  peer_expect(&p, TCP_S | TCP_A, iss, R(&p, 1));
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* A SYN to fin's port 80 from saddr:41000 (the peer harness only speaks
 * from the peer's address). */
static void syn_from_addr(struct peer *p, struct fin_addr saddr) {
  struct fin_segment seg;
  memset(&seg, 0, sizeof(seg));
  seg.saddr = saddr;
  seg.daddr = p->fin_ip;
  seg.sport = 41000;
  seg.dport = FIN_PORT;
  seg.seq = 7777;
  seg.flags = TCP_S;
  seg.wnd = 65535;
  seg.ttl = 64;
  uint8_t d[64];
  size_t n = fin_tcp_build(d, sizeof(d), &seg, NULL, 0, NULL, 0, NULL, 0);
  assert_true(n > 0);
  fin_stack_input(p->st, d, n, p->now);
}

/* BEHAVIOR M18: a SYN whose source is the destination itself (LAND), or
 * another of fin's own addresses, or 0.0.0.0/8, or loopback that fin does
 * not own, is dropped silently and counted: no SYN-ACK, no half-open
 * connection. A SYN from a real peer still gets its SYN-ACK. */
/* ATTACK T08 */
static void test_syn_from_own_or_martian_source_dropped(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  struct peer p;
  peer_init(&p, &s);
  struct fin_settings two = *fin_stack_settings(p.st);
  /* 10.0.0.9 / fd00::9 is fin's too */
  struct fin_addr nine = p.fin_ip;
  nine.b[15] = 9;
  two.local_addrs[1] = nine;
  two.local_addr_count = 2;
  assert_int_equal(fin_stack_set_settings(p.st, &two), 0);
  peer_listen(&p, 8);
  syn_from_addr(&p, p.fin_ip); /* LAND */
  syn_from_addr(&p, nine);
  uint8_t loop6[16] = {[15] = 1};
  if (p.v6) {
    syn_from_addr(&p, fin_addr_v6(loop6)); /* ::1, not fin's */
  } else {
    syn_from_addr(&p, fin_addr_v4(0x00000005u)); /* 0.0.0.0/8 */
    syn_from_addr(&p, fin_addr_v4(0x7f000001u));
  }
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->drop_syn_land, 2);
  assert_int_equal(peer_counters(&p)->drop_syn_martian, p.v6 ? 1 : 2);
  syn_from(&p, 41001);
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_accept_overflow_drop_keeps_child_until_room),
      cmocka_unit_test(test_accept_overflow_rst_resets_child),
      cmocka_unit_test(test_syn_cookie_when_syn_queue_full),
      cmocka_unit_test(test_syn_received_timeout_drops_child_silently),
      cmocka_unit_test(test_retransmitted_syn_gets_syn_ack_again),
      cmocka_unit_test(test_syn_from_own_or_martian_source_dropped),
  };
  return PEER_RUN_BOTH(tests);
}
