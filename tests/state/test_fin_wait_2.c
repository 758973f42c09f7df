/* SPDX-License-Identifier: MIT */
/* FIN-WAIT-2, orphans and resources, BEHAVIOR F1-F4. */
#include <errno.h>
#include <string.h>

#include "closing.h"

/* ESTABLISHED -> close() -> orphaned FIN-WAIT-1 -> the peer ACKs the FIN. */
static void close_to_orphan_fin_wait_2(struct peer *p) {
  assert_int_equal(fin_close(p->st, p->s), 0);
  peer_expect(p, TCP_A | TCP_F, L(p, 1), R(p, 1));
  peer_send(p, TCP_A, R(p, 1), L(p, 2), NULL, 0);
  peer_expect_nothing(p);
  assert_int_equal(fin_stack_conn_count(p->st), 1);
}

/* BEHAVIOR F1: an orphaned FIN-WAIT-2 is reaped after fin_timeout (60 s by
 * default), silently as Linux does, counted, reason fin-wait-2-timeout; the
 * peer's later FIN finds no connection and gets A1's RST. */
/* ATTACK T59 T75 */
static void test_orphan_fin_wait_2_reaped_after_fin_timeout(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  close_to_orphan_fin_wait_2(&p);
  fin_time t0 = p.now;
  assert_int_equal(fin_stack_next_deadline(p.st), t0 + FIN_SEC(60));
  size_t cursor = 0;
  struct fin_conn_info info[2];
  assert_int_equal(fin_stack_list(p.st, &cursor, info, 2), 1);
  assert_int_equal(info[0].state, FIN_FIN_WAIT_2);
  assert_true(info[0].orphan);
  assert_int_equal(info[0].next_timer, FIN_TIMER_FIN_WAIT_2);
  drain_events(&p);
  peer_advance(&p, FIN_SEC(60) - 1);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  peer_advance(&p, 1);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_stack_time_wait_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->fin_wait2_timeouts, 1);
  assert_int_equal(peer_counters(&p)->out_rsts, 0);
  assert_int_equal(peer_counters(&p)->orphans_current, 0);
  struct seen s;
  seen_drain(&p, &s);
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_FIN_WAIT_2_TIMEOUT);
  assert_int_equal(s.err, 0);
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_R, L(&p, 2), 0); /* A1 */
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR F1: fin_timeout is a setting, and so is one RST at reaping
 * (fin_wait_2_rst). */
/* ATTACK T75 */
static void test_orphan_fin_wait_2_follows_configured_fin_timeout(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.fin_timeout = FIN_SEC(7);
  set.fin_wait_2_rst = true;
  struct peer p;
  peer_init(&p, &set);
  peer_establish_passive(&p);
  close_to_orphan_fin_wait_2(&p);
  assert_int_equal(fin_stack_next_deadline(p.st), p.now + FIN_SEC(7));
  peer_advance(&p, FIN_SEC(7));
  peer_expect(&p, TCP_R | TCP_A, L(&p, 2), R(&p, 1));
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR F1: a positive TCP_LINGER2 replaces fin_timeout per socket. */
static void test_orphan_fin_wait_2_follows_tcp_linger2(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_TCP_LINGER2, &(int){5}, sizeof(int)), 0);
  close_to_orphan_fin_wait_2(&p);
  assert_int_equal(fin_stack_next_deadline(p.st), p.now + FIN_SEC(5));
  peer_advance(&p, FIN_SEC(5) - 1);
  peer_expect_nothing(&p);
  peer_advance(&p, 1);
  peer_expect_nothing(&p); /* silent (F1) */
  assert_int_equal(peer_counters(&p)->fin_wait2_timeouts, 1);
  peer_free(&p);
}

/* BEHAVIOR F1: a negative TCP_LINGER2 sends RST at once instead of
 * entering FIN-WAIT-2. */
static void test_negative_tcp_linger2_resets_instead_of_fin_wait_2(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_TCP_LINGER2, &(int){-1}, sizeof(int)), 0);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  drain_events(&p);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 2), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->abort_on_linger, 1);
  struct seen s;
  seen_drain(&p, &s);
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_FIN_WAIT_2_TIMEOUT);
  peer_free(&p);
}

/* BEHAVIOR F1 (F2): a FIN-WAIT-2 reached by shutdown() becomes an orphan
 * at close(): fin_timeout runs from then; a negative TCP_LINGER2 resets at
 * once. */
static void test_close_in_fin_wait_2_starts_fin_timeout_then(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_fin_wait_2(&p);
  peer_advance(&p, FIN_SEC(3600));
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_next_deadline(p.st), p.now + FIN_SEC(60));
  peer_advance(&p, FIN_SEC(60));
  peer_expect_nothing(&p); /* reaped silently */
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR F1: a negative TCP_LINGER2 set before close() in FIN-WAIT-2
 * resets at once. */
static void test_close_in_fin_wait_2_with_negative_linger2_resets_at_once(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_fin_wait_2(&p);
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_TCP_LINGER2, &(int){-1}, sizeof(int)), 0);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 2), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR F2: FIN-WAIT-2 reached by shutdown(SHUT_WR) with the socket
 * open waits indefinitely: no timer, nothing sent for hours; the peer's
 * FIN still completes it. */
static void test_fin_wait_2_with_open_socket_waits_indefinitely(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_fin_wait_2(&p);
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  peer_advance(&p, FIN_SEC(10 * 3600));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_2);
  assert_int_equal(peer_counters(&p)->fin_wait2_timeouts, 0);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 2), "late", 4);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 5));
  char buf[8];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 4);
  peer_send(&p, TCP_A | TCP_F, R(&p, 5), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 6));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_TIME_WAIT);
  peer_free(&p);
}

/* BEHAVIOR F3: over max_orphans the oldest orphan is aborted with RST,
 * counted, reason memory. */
/* ATTACK T74 T75 */
static void test_orphan_cap_aborts_oldest_orphan_with_rst(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.max_orphans = 1;
  struct peer p;
  peer_init(&p, &set);
  p.irs = 1000000;
  peer_establish_active(&p);
  uint16_t port1 = p.fin_port;
  uint32_t iss1 = p.iss;
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  assert_int_equal(peer_counters(&p)->orphans_current, 1);
  p.s = -1;
  p.irs = 2000000;
  peer_establish_active(&p);
  uint16_t port2 = p.fin_port;
  uint32_t iss2 = p.iss;
  drain_events(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  /* The oldest orphan (port1) goes first, with <SEQ=SND.NXT><ACK=RCV.NXT>. */
  p.iss = iss1;
  p.irs = 1000000;
  peer_expect(&p, TCP_R | TCP_A, L(&p, 2), R(&p, 1));
  assert_int_equal(p.last.sport, port1);
  p.iss = iss2;
  p.irs = 2000000;
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  assert_int_equal(p.last.sport, port2);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  assert_int_equal(peer_counters(&p)->orphans_current, 1);
  assert_int_equal(peer_counters(&p)->abort_on_memory, 1);
  struct seen s;
  seen_drain(&p, &s);
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_MEMORY);
  peer_free(&p);
}

/* BEHAVIOR F3: over max_buffer_memory, a new connection's buffers are
 * found by aborting the oldest orphan with RST. Buffer memory is what the
 * rings hold: the orphan's unacknowledged byte keeps one chunk, and a new
 * connection is admitted with room for a chunk each way. */
/* ATTACK T73 T74 */
static void test_buffer_memory_cap_aborts_oldest_orphan_for_new_connection(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.max_buffer_memory = 2 * 2048 + 1000; /* MTU 1500: 2 KiB chunks */
  struct peer p;
  peer_init(&p, &set);
  assert_int_equal(fin_stack_buffer_chunk(p.st), 2048);
  p.irs = 1000000;
  peer_establish_active(&p);
  uint16_t port1 = p.fin_port;
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), 1);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 1); /* never acknowledged */
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 2), R(&p, 1));
  assert_int_equal(fin_stack_buffer_memory(p.st), 2048);
  p.s = fin_socket(p.st);
  struct fin_sockaddr dst = peer_remote(&p);
  assert_int_equal(fin_connect(p.st, p.s, &dst), -EINPROGRESS);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 3), R(&p, 1));
  assert_int_equal(p.last.sport, port1);
  size_t n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now);
  assert_true(n > 0);
  assert_int_equal(fin_tcp_parse(p.buf, n, &p.last), FIN_WIRE_OK);
  assert_int_equal(p.last.flags, TCP_S);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->abort_on_memory, 1);
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  assert_int_equal(fin_stack_buffer_memory(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR F3: at max_connections a SYN that cannot get a connection block
 * is answered with RST when SYN cookies are off, counted. */
static void test_connection_cap_answers_syn_with_rst(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.max_connections = 1;
  set.syn_cookies = false;
  struct peer p;
  peer_init(&p, &set);
  peer_establish_passive(&p);
  raw_send(&p, PEER_PORT + 1, TCP_S, 777, 0);
  raw_expect(&p, PEER_PORT + 1, TCP_R | TCP_A, 0, 778);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->rst_syn_no_memory, 1);
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  peer_free(&p);
}

/* BEHAVIOR F3: ... and with a SYN cookie when they are on. */
/* ATTACK T70 */
static void test_connection_cap_answers_syn_with_cookie(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.max_connections = 1;
  struct peer p;
  peer_init(&p, &set);
  peer_establish_passive(&p);
  raw_send(&p, PEER_PORT + 1, TCP_S, 777, 0);
  size_t n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now);
  assert_true(n > 0);
  assert_int_equal(fin_tcp_parse(p.buf, n, &p.last), FIN_WIRE_OK);
  assert_int_equal(p.last.dport, PEER_PORT + 1);
  assert_int_equal(p.last.flags, TCP_S | TCP_A);
  assert_int_equal(p.last.ack, 778);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->syncookies_sent, 1);
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  peer_free(&p);
}

/* BEHAVIOR F4: orphans get orphan_retries, connections with an owner R2. */
static void test_orphan_gives_up_after_orphan_retries_owner_after_r2(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.orphan_retries = 3;
  set.retries_r2 = 5;
  struct peer p;
  peer_init(&p, &set);
  peer_establish_passive(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  assert_int_equal(retransmit_fin_until_give_up(&p, L(&p, 1), R(&p, 1)), 3);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);

  peer_init(&p, &set);
  to_fin_wait_1(&p);
  assert_int_equal(retransmit_fin_until_give_up(&p, L(&p, 1), R(&p, 1)), 5);
  peer_free(&p);
}

/* BEHAVIOR F4: an orphan in LAST-ACK has the same smaller budget. */
/* ATTACK T66 */
static void test_orphan_last_ack_gives_up_after_orphan_retries(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.orphan_retries = 2;
  struct peer p;
  peer_init(&p, &set);
  to_close_wait(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 2));
  drain_events(&p);
  assert_int_equal(retransmit_fin_until_give_up(&p, L(&p, 1), R(&p, 2)), 2);
  struct seen s;
  seen_drain(&p, &s);
  assert_int_equal(s.reason, FIN_REASON_RETRANSMIT_TIMEOUT);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR F4: orphaned data that never gets ACKed is bounded the same
 * way (the FIN waits behind it). */
/* ATTACK T74 */
static void test_orphan_with_unacked_data_gives_up_after_orphan_retries(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.orphan_retries = 2;
  struct peer p;
  peer_init(&p, &set);
  peer_establish_passive(&p);
  assert_int_equal(fin_send(p.st, p.s, "abc", 3, 0), 3);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 3);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 4), R(&p, 1));
  for (int i = 0; i < 2; i++) {
    peer_advance_to_deadline(&p);
    peer_expect_len(&p, TCP_A | TCP_P | TCP_F, L(&p, 1), R(&p, 1), 3); /* resent together */
    peer_expect_nothing(&p);
  }
  peer_advance_to_deadline(&p);
  peer_expect(&p, TCP_R | TCP_A, L(&p, 5), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_orphan_fin_wait_2_reaped_after_fin_timeout),
      cmocka_unit_test(test_orphan_fin_wait_2_follows_configured_fin_timeout),
      cmocka_unit_test(test_orphan_fin_wait_2_follows_tcp_linger2),
      cmocka_unit_test(test_negative_tcp_linger2_resets_instead_of_fin_wait_2),
      cmocka_unit_test(test_close_in_fin_wait_2_starts_fin_timeout_then),
      cmocka_unit_test(test_close_in_fin_wait_2_with_negative_linger2_resets_at_once),
      cmocka_unit_test(test_fin_wait_2_with_open_socket_waits_indefinitely),
      cmocka_unit_test(test_orphan_cap_aborts_oldest_orphan_with_rst),
      cmocka_unit_test(test_buffer_memory_cap_aborts_oldest_orphan_for_new_connection),
      cmocka_unit_test(test_connection_cap_answers_syn_with_rst),
      cmocka_unit_test(test_connection_cap_answers_syn_with_cookie),
      cmocka_unit_test(test_orphan_gives_up_after_orphan_retries_owner_after_r2),
      cmocka_unit_test(test_orphan_last_ack_gives_up_after_orphan_retries),
      cmocka_unit_test(test_orphan_with_unacked_data_gives_up_after_orphan_retries),
  };
  return PEER_RUN_BOTH(tests);
}
