/* SPDX-License-Identifier: MIT */
/* Half-close and what the application sees, BEHAVIOR G1-G4. */
#include <errno.h>
#include <string.h>

#include "closing.h"

/* BEHAVIOR G1: shutdown(SHUT_WR) sends our FIN; receiving goes on; every
 * later send fails with EPIPE. */
static void test_shutdown_wr_sends_fin_keeps_receiving_and_send_fails_with_epipe(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -EPIPE);
  assert_int_equal(fin_poll(p.st, p.s) & (FIN_POLLHUP | FIN_POLLRDHUP | FIN_POLLIN), 0);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 2), "after", 5);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 6));
  peer_expect_nothing(&p);
  assert_int_equal(fin_poll(p.st, p.s) & FIN_POLLIN, FIN_POLLIN);
  char buf[8];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 5);
  assert_memory_equal(buf, "after", 5);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -EPIPE);
  peer_send(&p, TCP_A | TCP_F, R(&p, 6), L(&p, 2), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 7));
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 0);
  assert_int_equal(fin_poll(p.st, p.s) & (FIN_POLLHUP | FIN_POLLRDHUP | FIN_POLLIN),
                   FIN_POLLHUP | FIN_POLLRDHUP | FIN_POLLIN);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -EPIPE);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR G2: shutdown(SHUT_RD) puts nothing on the wire; data already
 * queued and data arriving later stay readable (Linux semantics); with
 * nothing queued recv says EOF. */
static void test_shutdown_rd_sends_nothing_and_data_stays_readable(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "early", 5);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 6));
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_RD), 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(fin_poll(p.st, p.s) & (FIN_POLLIN | FIN_POLLRDHUP | FIN_POLLHUP),
                   FIN_POLLIN | FIN_POLLRDHUP);
  char buf[8];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 5);
  assert_memory_equal(buf, "early", 5);
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 0);
  peer_send(&p, TCP_A | TCP_P, R(&p, 6), L(&p, 1), "later", 5);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 11));
  peer_expect_nothing(&p);
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 5);
  assert_memory_equal(buf, "later", 5);
  /* The send side is untouched. */
  assert_int_equal(fin_send(p.st, p.s, "ok", 2, 0), 2);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 11), 2);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR G3: sending in CLOSE-WAIT works; close then sends the FIN
 * after that data. */
static void test_close_wait_send_works_and_fin_follows_the_data(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  to_close_wait(&p);
  assert_int_equal(fin_send(p.st, p.s, "reply", 5, 0), 5);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 2), 5);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 2), L(&p, 6), NULL, 0);
  assert_int_equal(fin_send(p.st, p.s, "more", 4, 0), 4);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect_len(&p, TCP_A | TCP_P | TCP_F, L(&p, 6), R(&p, 2), 4);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  peer_send(&p, TCP_A, R(&p, 2), L(&p, 11), NULL, 0);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* BEHAVIOR G4: a FIN reads as 0 (after the data), POLLIN|POLLRDHUP, no
 * error. */
static void test_app_sees_fin_as_eof(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  peer_send(&p, TCP_A | TCP_P | TCP_F, R(&p, 1), L(&p, 1), "ab", 2);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 4));
  char buf[8];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 2);
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), 0);
  assert_int_equal(fin_poll(p.st, p.s) & (FIN_POLLIN | FIN_POLLRDHUP | FIN_POLLERR | FIN_POLLHUP),
                   FIN_POLLIN | FIN_POLLRDHUP);
  int err = -1;
  size_t len = sizeof(err);
  assert_int_equal(fin_getsockopt(p.st, p.s, FIN_SO_ERROR, &err, &len), 0);
  assert_int_equal(err, 0);
  peer_free(&p);
}

/* BEHAVIOR G4: a RST reads as ECONNRESET (sticky); send reports the error
 * once, then EPIPE; POLLERR|POLLHUP; the close reason is "reset". */
static void test_app_sees_rst_as_econnreset_then_epipe(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  drain_events(&p);
  peer_send(&p, TCP_R | TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  struct seen s;
  seen_drain(&p, &s);
  assert_true(s.closed);
  assert_int_equal(s.reason, FIN_REASON_RESET);
  assert_int_equal(s.err, -ECONNRESET);
  assert_int_equal(fin_poll(p.st, p.s) & (FIN_POLLERR | FIN_POLLHUP), FIN_POLLERR | FIN_POLLHUP);
  char buf[8];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), -ECONNRESET);
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), -ECONNRESET);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -ECONNRESET);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -EPIPE);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), -EPIPE);
  struct fin_conn_info info;
  size_t len = sizeof(info);
  assert_int_equal(fin_getsockopt(p.st, p.s, FIN_TCP_INFO, &info, &len), 0);
  assert_int_equal(info.close_reason, FIN_REASON_RESET);
  assert_string_equal(fin_close_reason_name(info.close_reason), "reset");
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR G4: a RST in SYN-SENT is ECONNREFUSED (connect, SO_ERROR,
 * recv), reason "refused". */
/* ATTACK T33 */
static void test_app_sees_rst_in_syn_sent_as_econnrefused(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  drain_events(&p);
  peer_send(&p, TCP_R | TCP_A, 0, L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  struct seen s;
  seen_drain(&p, &s);
  assert_int_equal(s.reason, FIN_REASON_REFUSED);
  assert_int_equal(s.err, -ECONNREFUSED);
  assert_int_equal(fin_poll(p.st, p.s) & (FIN_POLLERR | FIN_POLLHUP), FIN_POLLERR | FIN_POLLHUP);
  int err = 0;
  size_t len = sizeof(err);
  assert_int_equal(fin_getsockopt(p.st, p.s, FIN_SO_ERROR, &err, &len), 0);
  assert_int_equal(err, ECONNREFUSED);
  char buf[4];
  assert_int_equal(fin_recv(p.st, p.s, buf, sizeof(buf), 0), -ECONNREFUSED);
  assert_int_equal(peer_counters(&p)->attempt_fails, 1);
  peer_free(&p);
}

/* BEHAVIOR G4: the error from connect() itself once the RST arrived. */
static void test_connect_reports_econnrefused(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send(&p, TCP_R | TCP_A, 0, L(&p, 1), NULL, 0);
  struct fin_sockaddr dst = peer_remote(&p);
  assert_int_equal(fin_connect(p.st, p.s, &dst), -ECONNREFUSED);
  peer_free(&p);
}

/* BEHAVIOR G4: every close reason has its own name (events, counters and
 * tools show it). */
static void test_every_close_reason_has_a_distinct_name(void **state) {
  (void)state;
  for (int i = 0; i < FIN_REASON_COUNT; i++) {
    const char *a = fin_close_reason_name((enum fin_close_reason)i);
    assert_non_null(a);
    assert_true(strlen(a) > 0);
    for (int j = 0; j < i; j++)
      assert_string_not_equal(a, fin_close_reason_name((enum fin_close_reason)j));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shutdown_wr_sends_fin_keeps_receiving_and_send_fails_with_epipe),
      cmocka_unit_test(test_shutdown_rd_sends_nothing_and_data_stays_readable),
      cmocka_unit_test(test_close_wait_send_works_and_fin_follows_the_data),
      cmocka_unit_test(test_app_sees_fin_as_eof),
      cmocka_unit_test(test_app_sees_rst_as_econnreset_then_epipe),
      cmocka_unit_test(test_app_sees_rst_in_syn_sent_as_econnrefused),
      cmocka_unit_test(test_connect_reports_econnrefused),
      cmocka_unit_test(test_every_close_reason_has_a_distinct_name),
  };
  return PEER_RUN_BOTH(tests);
}
