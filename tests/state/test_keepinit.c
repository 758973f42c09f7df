/* SPDX-License-Identifier: MIT */
/* The connection-establishment timeout (FreeBSD TCP_KEEPINIT,
 * settings.keepinit): a connection still in SYN-SENT keepinit after
 * connect() gives up with ETIMEDOUT, between two SYN retransmissions if
 * need be, sending nothing (BEHAVIOR B2: no RST from SYN-SENT). Once
 * established the limit no longer applies. */
#include <errno.h>

#include "peer.h"

static int getopt_int(struct peer *p, enum fin_sockopt opt) {
  int v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p->st, p->s, opt, &v, &len), 0);
  return v;
}

/* TCP_KEEPINIT 5: SYNs at 0, 1, 3 s; the next would be at 7 s, so the
 * attempt ends at 5 s exactly, silently. */
static void test_keepinit_ends_syn_sent_between_retransmissions(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  p.s = fin_socket(p.st);
  int five = 5;
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_TCP_KEEPINIT, &five, sizeof(five)), 0);
  assert_int_equal(getopt_int(&p, FIN_TCP_KEEPINIT), 5);
  fin_time start = p.now;
  peer_start_connect(&p);
  peer_advance_to_deadline(&p);
  peer_expect(&p, TCP_S, L(&p, 0), 0);
  peer_advance_to_deadline(&p);
  assert_int_equal(p.now - start, FIN_SEC(3));
  peer_expect(&p, TCP_S, L(&p, 0), 0);
  peer_advance_to_deadline(&p);
  assert_int_equal(p.now - start, FIN_SEC(5));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(getopt_int(&p, FIN_SO_ERROR), ETIMEDOUT);
  enum fin_close_reason r;
  int e;
  assert_true(peer_find_closed(&p, &r, &e));
  assert_int_equal(r, FIN_REASON_SYN_TIMEOUT);
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  peer_free(&p);
}

/* A socket without TCP_KEEPINIT uses settings.keepinit and reports it. */
static void test_keepinit_from_settings(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.keepinit = FIN_SEC(2);
  struct peer p;
  peer_init(&p, &s);
  p.s = fin_socket(p.st);
  assert_int_equal(getopt_int(&p, FIN_TCP_KEEPINIT), 2);
  fin_time start = p.now;
  peer_start_connect(&p);
  peer_advance_to_deadline(&p);
  peer_expect(&p, TCP_S, L(&p, 0), 0);
  peer_advance_to_deadline(&p);
  assert_int_equal(p.now - start, FIN_SEC(2));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  peer_free(&p);
}

/* Default: no limit beyond J3; after the handshake keepinit is moot. */
static void test_keepinit_off_by_default_and_moot_once_established(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  p.s = fin_socket(p.st);
  assert_int_equal(getopt_int(&p, FIN_TCP_KEEPINIT), 0);
  int one = 1;
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_TCP_KEEPINIT, &one, sizeof(one)), 0);
  peer_establish_active(&p);
  assert_int_equal(fin_send(p.st, p.s, "x", 1, 0), 1);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 1);
  peer_advance(&p, FIN_SEC(3)); /* retransmissions, past the limit */
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  int minus = -1;
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_TCP_KEEPINIT, &minus, sizeof(minus)), -EINVAL);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_keepinit_ends_syn_sent_between_retransmissions),
      cmocka_unit_test(test_keepinit_from_settings),
      cmocka_unit_test(test_keepinit_off_by_default_and_moot_once_established),
  };
  return PEER_RUN_BOTH(tests);
}
