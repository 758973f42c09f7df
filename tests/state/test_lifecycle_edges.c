/* SPDX-License-Identifier: MIT */
/* Sequence numbers and lifecycle edges, BEHAVIOR K1-K4: RFC 6528 ISNs,
 * orderly stack shutdown, simultaneous open, arithmetic across 2^32. */
#include <errno.h>
#include <string.h>

#include "peer.h"

static uint32_t connect_from_port(struct peer *p, uint16_t port) {
  p->s = fin_socket(p->st);
  struct fin_sockaddr local = peer_local(p, port);
  assert_int_equal(fin_bind(p->st, p->s, &local), 0);
  peer_start_connect(p);
  return p->iss;
}

/* BEHAVIOR K1: ISN = 4 us clock + keyed hash of the 4-tuple: two 4-tuples
 * at the same instant differ; the same 4-tuple one second later is exactly
 * 250,000 further on; the key comes from the injected random source. */
/* ATTACK T90 */
static void test_isn_is_clock_plus_keyed_hash_of_tuple(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  uint32_t a = connect_from_port(&p, 5555);
  assert_int_equal(fin_close(p.st, p.s), 0); /* C4: deleted, nothing sent */
  p.s = -1;
  uint32_t b = connect_from_port(&p, 5556);
  assert_int_not_equal(a, b);
  assert_int_equal(fin_close(p.st, p.s), 0);
  p.now += FIN_SEC(1);
  p.s = -1;
  uint32_t a2 = connect_from_port(&p, 5555);
  assert_int_equal((uint32_t)(a2 - a), 250000u);
  peer_free(&p);

  struct peer q;
  peer_init(&q, NULL); /* same seed, same time: same ISN */
  assert_int_equal(connect_from_port(&q, 5555), a);
  peer_free(&q);
  struct peer r;
  peer_init(&r, NULL);
  r.rng.state ^= 0xdeadbeef; /* too late: the key was drawn at creation */
  fin_stack_free(r.st);
  assert_no_leaks(&r.ta);
  struct fin_allocator al;
  struct fin_random rnd;
  test_alloc_init(&r.ta, &al);
  test_rng_init(&r.rng, 77, &rnd);
  struct fin_settings s;
  fin_settings_default(&s);
  s.local_addrs[0] = r.fin_ip;
  s.local_addr_count = 1;
  assert_int_equal(fin_stack_new(&r.st, &s, &al, &rnd, r.now), 0);
  r.s = -1;
  assert_int_not_equal(connect_from_port(&r, 5555), a); /* another key */
  peer_free(&r);
}

/* BEHAVIOR K2: stack shutdown closes gracefully until the deadline, then
 * RSTs what is still synchronized, and reports done. */
static void test_stack_shutdown_fins_then_rsts_at_deadline(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  fin_stack_shutdown(p.st, p.now + FIN_SEC(5));
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_false(fin_stack_shutdown_done(p.st));
  p.peer_port = 40001;
  peer_send(&p, TCP_S, p.irs + 5000, 0, NULL, 0); /* listener closed: SYN refused */
  peer_expect(&p, TCP_R | TCP_A, 0, p.irs + 5001);
  p.peer_port = PEER_PORT;
  while (p.now < FIN_SEC(105) && !fin_stack_shutdown_done(p.st)) {
    peer_advance_to_deadline(&p);
    if (fin_stack_conn_count(p.st) > 0)
      peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1)); /* FIN retransmissions */
  }
  peer_expect(&p, TCP_R | TCP_A, L(&p, 2), R(&p, 1));
  peer_expect_nothing(&p);
  assert_true(fin_stack_shutdown_done(p.st));
  assert_int_equal(peer_counters(&p)->abort_on_shutdown, 1);
  peer_free(&p);
}

/* BEHAVIOR K2: connections that finish before the deadline need no RST. */
static void test_stack_shutdown_graceful_when_peer_cooperates(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  fin_stack_shutdown(p.st, p.now + FIN_SEC(5));
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_advance(&p, FIN_SEC(6)); /* TIME-WAIT is dropped at the deadline */
  assert_true(fin_stack_shutdown_done(p.st));
  assert_int_equal(peer_counters(&p)->abort_on_shutdown, 0);
  peer_free(&p);
}

/* BEHAVIOR K3: simultaneous open (MUST-10): SYN crosses SYN; fin answers
 * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and the peer's SYN-ACK establishes. */
static void test_simultaneous_open_establishes(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  assert_int_equal(peer_state(&p), FIN_SYN_RECEIVED);
  peer_expect(&p, TCP_S | TCP_A, L(&p, 0), R(&p, 1));
  peer_send(&p, TCP_S | TCP_A, p.irs, L(&p, 1), NULL, 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), 1);
  peer_expect(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1));
  peer_free(&p);
}

/* BEHAVIOR K3: SYN-RECEIVED remembers the active open (MUST-11): a RST
 * there is ECONNREFUSED, not a silent return to LISTEN. */
static void test_simultaneous_open_rst_is_connection_refused(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  peer_expect(&p, TCP_S | TCP_A, L(&p, 0), R(&p, 1));
  peer_send(&p, TCP_R, R(&p, 1), 0, NULL, 0);
  assert_int_equal(
      fin_connect(p.st, p.s, &(struct fin_sockaddr){p.peer_ip, PEER_PORT, FIN_AF_UNSPEC}),
      -ECONNREFUSED);
  peer_free(&p);
}

/* BEHAVIOR K4: the peer's ISN just below 2^32; data and FIN across the
 * wrap are delivered exactly. */
/* ATTACK T43 */
static void test_peer_sequence_wrap_delivers_data_and_fin(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  p.irs = 0xFFFFFE00u;
  peer_establish_passive(&p);
  uint8_t data[1000];
  for (size_t i = 0; i < sizeof(data); i++)
    data[i] = (uint8_t)i;
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), data, 500);
  peer_send(&p, TCP_A | TCP_F, R(&p, 501), L(&p, 1), data + 500, 500);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1002));
  assert_true(R(&p, 1002) < 0x1000u); /* the wrap was crossed */
  uint8_t got[1200];
  assert_int_equal(fin_recv(p.st, p.s, got, sizeof(got), 0), 1000);
  assert_memory_equal(got, data, 1000);
  assert_int_equal(fin_recv(p.st, p.s, got, sizeof(got), 0), 0);
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  peer_free(&p);
}

/* BEHAVIOR K4: fin's own ISS just below 2^32 (time chosen so the 4 us
 * clock puts it there): data, retransmission and FIN across the wrap. */
/* ATTACK T43 */
static void test_own_sequence_wrap_data_retransmit_and_fin(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  uint32_t iss0 = connect_from_port(&p, 6000);
  assert_int_equal(fin_close(p.st, p.s), 0);
  uint32_t want = 0xFFFFFF00u;
  p.now += (fin_time)(uint32_t)(want - iss0) * 4000;
  p.s = -1;
  assert_int_equal(connect_from_port(&p, 6000), want);
  p.now += FIN_MS(10);
  peer_send(&p, TCP_S | TCP_A, p.irs, L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  uint8_t data[600];
  memset(data, 'w', sizeof(data));
  assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), 600);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 600);
  peer_advance_to_deadline(&p);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 600);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 601), NULL, 0);
  assert_true(L(&p, 601) < 0x1000u);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 601), R(&p, 1));
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 602), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 602), R(&p, 2));
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_free(&p);
}

/* The last two events of a connection, in order. */
static void last_two_events(struct peer *p, uint64_t id, struct fin_event out[2]) {
  struct fin_event ev;
  int n = 0;
  while (fin_stack_poll_event(p->st, &ev))
    if (ev.conn_id == id || (uint32_t)ev.conn_id == (uint32_t)id) {
      out[0] = out[1];
      out[1] = ev;
      n++;
    }
  assert_true(n >= 2);
}

/* BEHAVIOR G4: how a connection ended reaches tools in a fixed order: the
 * STATE event to CLOSED, then CLOSED with the reason - from a TCB (abort)
 * and from a TIME-WAIT record alike. */
static void test_events_end_with_state_closed_then_closed(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  uint64_t id = fin_sock_conn_id(p.st, p.s);
  assert_int_equal(fin_abort(p.st, p.s), 0);
  struct fin_event e[2];
  last_two_events(&p, id, e);
  assert_int_equal(e[0].type, FIN_EV_STATE);
  assert_int_equal(e[0].to, FIN_CLOSED);
  assert_int_equal(e[1].type, FIN_EV_CLOSED);
  assert_int_equal(e[1].reason, FIN_REASON_ABORT);
  assert_int_equal(e[1].from, FIN_ESTABLISHED);
  peer_free(&p);

  peer_init(&p, NULL);
  peer_establish_active(&p);
  id = fin_sock_conn_id(p.st, p.s);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
  peer_advance(&p, FIN_SEC(61));
  last_two_events(&p, id, e);
  assert_int_equal(e[0].type, FIN_EV_STATE);
  assert_int_equal(e[0].from, FIN_TIME_WAIT);
  assert_int_equal(e[0].to, FIN_CLOSED);
  assert_int_equal(e[1].type, FIN_EV_CLOSED);
  assert_int_equal(e[1].reason, FIN_REASON_TIME_WAIT_DONE);
  peer_free(&p);
}

/* BEHAVIOR M11 (§3.10.7.3): text on the peer's SYN in SYN-SENT is queued:
 * the SYN-ACK acknowledges only the SYN, and once ESTABLISHED the text is
 * delivered and acknowledged. */
static void test_simultaneous_open_delivers_data_on_syn(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send(&p, TCP_S, p.irs, 0, "hello", 5);
  peer_expect(&p, TCP_S | TCP_A, L(&p, 0), R(&p, 1));
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 6), L(&p, 1), NULL, 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 6));
  char b[8];
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), 5);
  assert_memory_equal(b, "hello", 5);
  peer_free(&p);
}

/* BEHAVIOR M16: SO_RCVBUF and SO_SNDBUF requests are clamped to the
 * stack-wide maxima (Linux rmem_max / wmem_max): one socket cannot claim the
 * whole buffer budget; requests below stay as they are. */
static void test_socket_buffer_requests_clamped_to_stack_maxima(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  fin_sock s = fin_socket(p.st);
  const struct fin_settings *set = fin_stack_settings(p.st);
  int v = 1 << 30, got = 0;
  size_t len = sizeof(got);
  assert_int_equal(fin_setsockopt(p.st, s, FIN_SO_RCVBUF, &v, sizeof(v)), 0);
  assert_int_equal(fin_getsockopt(p.st, s, FIN_SO_RCVBUF, &got, &len), 0);
  assert_int_equal(got, (int)set->rcvbuf_max);
  assert_int_equal(fin_setsockopt(p.st, s, FIN_SO_SNDBUF, &v, sizeof(v)), 0);
  assert_int_equal(fin_getsockopt(p.st, s, FIN_SO_SNDBUF, &got, &len), 0);
  assert_int_equal(got, (int)set->sndbuf_max);
  v = 4096;
  assert_int_equal(fin_setsockopt(p.st, s, FIN_SO_RCVBUF, &v, sizeof(v)), 0);
  assert_int_equal(fin_getsockopt(p.st, s, FIN_SO_RCVBUF, &got, &len), 0);
  assert_int_equal(got, 4096);
  assert_int_equal(fin_close(p.st, s), 0);
  peer_free(&p);
}

/* BEHAVIOR M14: shutdown() on a connection that is gone (here: reset)
 * returns -ENOTCONN, as Linux does (TIME-WAIT: test_close.c). */
static void test_shutdown_on_reset_connection_is_enotconn(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_R, R(&p, 1), 0, NULL, 0);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), -ENOTCONN);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_RD), -ENOTCONN);
  peer_free(&p);
}

/* Issue 14 (TCB diet): timer socket options live in a block a connection
 * gets only when the application sets one; SO_LINGER {1,0} (abort on
 * close) needs none; the values read back and the block goes with the
 * socket. */
static void test_socket_options_cost_nothing_until_set(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  fin_sock s = fin_socket(p.st);
  size_t bare = fin_stack_memory_in_use(p.st);
  struct fin_linger abort_on_close = {1, 0};
  assert_int_equal(fin_setsockopt(p.st, s, FIN_SO_LINGER, &abort_on_close, sizeof(abort_on_close)),
                   0);
  assert_int_equal(fin_stack_memory_in_use(p.st), bare);
  int idle = 10, v = 0;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p.st, s, FIN_TCP_KEEPCNT, &v, &len), 0);
  assert_int_equal(v, 9); /* the stack default, read without a block */
  assert_int_equal(fin_setsockopt(p.st, s, FIN_TCP_KEEPIDLE, &idle, sizeof(idle)), 0);
  assert_true(fin_stack_memory_in_use(p.st) > bare);
  len = sizeof(v);
  assert_int_equal(fin_getsockopt(p.st, s, FIN_TCP_KEEPIDLE, &v, &len), 0);
  assert_int_equal(v, 10);
  len = sizeof(v);
  assert_int_equal(fin_getsockopt(p.st, s, FIN_TCP_KEEPCNT, &v, &len), 0);
  assert_int_equal(v, 9); /* the block starts from the defaults */
  assert_int_equal(fin_close(p.st, s), 0);
  assert_int_equal(fin_stack_memory_in_use(p.st),
                   bare - fin_tcb_size()); /* the handle table stays */
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_isn_is_clock_plus_keyed_hash_of_tuple),
      cmocka_unit_test(test_socket_options_cost_nothing_until_set),
      cmocka_unit_test(test_stack_shutdown_fins_then_rsts_at_deadline),
      cmocka_unit_test(test_stack_shutdown_graceful_when_peer_cooperates),
      cmocka_unit_test(test_simultaneous_open_establishes),
      cmocka_unit_test(test_simultaneous_open_rst_is_connection_refused),
      cmocka_unit_test(test_peer_sequence_wrap_delivers_data_and_fin),
      cmocka_unit_test(test_own_sequence_wrap_data_retransmit_and_fin),
      cmocka_unit_test(test_events_end_with_state_closed_then_closed),
      cmocka_unit_test(test_simultaneous_open_delivers_data_on_syn),
      cmocka_unit_test(test_socket_buffer_requests_clamped_to_stack_maxima),
      cmocka_unit_test(test_shutdown_on_reset_connection_is_enotconn),
  };
  return PEER_RUN_BOTH(tests);
}
