/* Settings that change what an arriving segment may do besides the RFC 793
 * legacy modes (policy.c): the H3 RCV.NXT-1 allowance (rst_after_fin).
 * Exact segments in and out. */
#include <errno.h>

#include "closing.h"

static int so_error(struct peer *p) {
  int v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p->st, p->s, FIN_SO_ERROR, &v, &len), 0);
  return v;
}

/* ---- rst_after_fin (BEHAVIOR H3) ---- */

/* Without the allowance (FreeBSD) a RST at RCV.NXT-1 after the peer's FIN
 * lies left of the window: dropped silently, the connection stays. */
static void test_rst_at_rcv_nxt_minus_one_after_fin_dropped_without_allowance(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.rst_after_fin = false;
  struct peer p;
  peer_init(&p, &s);
  to_close_wait(&p);
  peer_send(&p, TCP_R | TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  assert_int_equal(so_error(&p), 0);
  assert_int_equal(peer_counters(&p)->drop_rst_out_of_window, 1);
  /* RCV.NXT itself still resets. */
  peer_send(&p, TCP_R, R(&p, 2), 0, NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  peer_free(&p);
}

/* The allowance is on by default (Linux): the same RST resets. */
static void test_rst_after_fin_allowance_on_by_default(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  assert_true(fin_stack_settings(p.st)->rst_after_fin);
  to_close_wait(&p);
  peer_send(&p, TCP_R | TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(so_error(&p), ECONNRESET);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rst_at_rcv_nxt_minus_one_after_fin_dropped_without_allowance),
      cmocka_unit_test(test_rst_after_fin_allowance_on_by_default),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
