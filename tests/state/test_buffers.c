/* Buffer sizing that profiles change: the receive buffer rounded up to a
 * multiple of the MSS on every open path (FreeBSD tcp_mss(),
 * settings.rcvbuf_round_to_mss). Exact segments in and out. */
#include <errno.h>

#include "peer.h"

static int rcvbuf_of(struct peer *p) {
  int v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p->st, p->s, FIN_SO_RCVBUF, &v, &len), 0);
  return v;
}

static void init_rounding(struct peer *p) {
  struct fin_settings s;
  fin_settings_default(&s);
  s.rcvbuf = 65536;
  s.rcvbuf_round_to_mss = true;
  peer_init(p, &s);
}

/* Simultaneous open (K3): the SYN received in SYN-SENT carries the MSS, so
 * the buffer is rounded there too: 65536 -> 45 * 1460 = 65700. */
static void test_rcvbuf_rounded_in_simultaneous_open(void **state) {
  (void)state;
  struct peer p;
  init_rounding(&p);
  peer_start_connect(&p);
  assert_int_equal(rcvbuf_of(&p), 65536);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0); /* the peer's SYN: mss 1460 */
  const struct fin_segment *sa = peer_expect(&p, TCP_S | TCP_A, L(&p, 0), R(&p, 1));
  assert_int_equal(sa->wnd, 65535); /* RFC 7323 §2.2: unscaled, at most 65535 */
  peer_expect_nothing(&p);
  assert_int_equal(rcvbuf_of(&p), 65700);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(rcvbuf_of(&p), 65700);
  peer_free(&p);
}

/* The active open's SYN-ACK rounds the same way. */
static void test_rcvbuf_rounded_on_syn_ack(void **state) {
  (void)state;
  struct peer p;
  init_rounding(&p);
  peer_establish_active(&p);
  assert_int_equal(rcvbuf_of(&p), 65700);
  peer_free(&p);
}

/* Without the setting the buffer keeps its size. */
static void test_rcvbuf_not_rounded_by_default(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_start_connect(&p);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  peer_expect(&p, TCP_S | TCP_A, L(&p, 0), R(&p, 1));
  assert_int_equal(rcvbuf_of(&p), 65536);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rcvbuf_rounded_in_simultaneous_open),
      cmocka_unit_test(test_rcvbuf_rounded_on_syn_ack),
      cmocka_unit_test(test_rcvbuf_not_rounded_by_default),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
