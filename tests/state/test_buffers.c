/* SPDX-License-Identifier: MIT */
/* Buffer sizing that profiles change: the receive buffer rounded up to a
 * multiple of the MSS on every open path (FreeBSD tcp_mss(),
 * settings.rcvbuf_round_to_mss) and the window scale chosen from the
 * buffer space (settings.wscale_space), Linux's doubling of SO_RCVBUF and
 * SO_SNDBUF (settings.sockbuf_double). Exact segments in and out. */
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

/* The receive buffer rounded up to whole segments of the peer's MSS:
 * 65536 -> 45 * 1460 = 65700 (IPv6: 46 * 1440 = 66240). */
static int rounded(const struct peer *p) {
  return p->v6 ? 66240 : 65700;
}

/* Simultaneous open (K3): the SYN received in SYN-SENT carries the MSS, so
 * the buffer is rounded there too. */
static void test_rcvbuf_rounded_in_simultaneous_open(void **state) {
  (void)state;
  struct peer p;
  init_rounding(&p);
  peer_start_connect(&p);
  assert_int_equal(rcvbuf_of(&p), 65536);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0); /* the peer's SYN: mss 1460 (1440) */
  const struct fin_segment *sa = peer_expect(&p, TCP_S | TCP_A, L(&p, 0), R(&p, 1));
  assert_int_equal(sa->wnd, 65535); /* RFC 7323 §2.2: unscaled, at most 65535 */
  peer_expect_nothing(&p);
  assert_int_equal(rcvbuf_of(&p), rounded(&p));
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(rcvbuf_of(&p), rounded(&p));
  peer_free(&p);
}

/* The active open's SYN-ACK rounds the same way. */
static void test_rcvbuf_rounded_on_syn_ack(void **state) {
  (void)state;
  struct peer p;
  init_rounding(&p);
  peer_establish_active(&p);
  assert_int_equal(rcvbuf_of(&p), rounded(&p));
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

/* With timestamps the segments carry 12 bytes less, but FreeBSD rounds to
 * t_maxseg, the MSS before options: still 45 * 1460 (46 * 1440), not
 * 46 * 1448 (FreeBSD socket-api-getsockopt-tcpinfo: win 1027 at shift 6). */
static void test_rcvbuf_rounded_to_mss_before_options(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.rcvbuf = 65536;
  s.rcvbuf_round_to_mss = true;
  struct peer p;
  peer_init_ts(&p, &s);
  peer_establish_active(&p);
  assert_int_equal(rcvbuf_of(&p), rounded(&p));
  peer_free(&p);
}

/* settings.rcv_wnd_round_up (FreeBSD tcp_output, roundup2(recwin, 1 <<
 * rcv_scale)): the scaled window is rounded up, not down. 65700 >> 7 is
 * 513.3: 514 (IPv6 66240 >> 7 = 517.5: 518); off, 513 (517). */
static void test_scaled_window_rounded_up_or_down(void **state) {
  (void)state;
  for (int up = 0; up <= 1; up++) {
    struct fin_settings s;
    fin_settings_default(&s);
    s.rcvbuf = 65536;
    s.rcvbuf_round_to_mss = true;
    s.rcv_wnd_round_up = up;
    struct peer p;
    peer_init_ts(&p, &s); /* the peer offers wscale 7 too: fin's shift is 7 */
    peer_establish_active(&p);
    assert_int_equal(p.last.wnd, (p.v6 ? 517 : 513) + up);
    peer_free(&p);
  }
}

/* ---- window scale from the buffer space (RFC 7323 §2.3) ---- */

/* The wscale fin offers in its SYN for a given wscale_space. */
static uint8_t offered_wscale(uint32_t space) {
  struct fin_settings s;
  fin_settings_default(&s);
  s.wscale_space = space;
  struct peer p;
  peer_init(&p, &s);
  peer_start_connect(&p);
  assert_true(p.last.opts.has_wscale);
  uint8_t w = p.last.opts.wscale;
  assert_int_equal(fin_stack_settings(p.st)->rcv_wscale, w);
  peer_free(&p);
  return w;
}

/* The smallest shift whose window reaches the space, as FreeBSD picks it
 * from kern.ipc.maxsockbuf and Linux from max(tcp_rmem[2], rmem_max). */
static void test_wscale_is_smallest_shift_that_reaches_the_space(void **state) {
  (void)state;
  assert_int_equal(offered_wscale(65535), 0);
  assert_int_equal(offered_wscale(73728), 1);   /* FreeBSD maxsockbuf=73728 */
  assert_int_equal(offered_wscale(2097152), 6); /* FreeBSD default 2 MiB */
  assert_int_equal(offered_wscale(6291456), 7); /* Linux tcp_rmem[2] */
  assert_int_equal(offered_wscale(8388608), 8);
  assert_int_equal(offered_wscale(UINT32_MAX), 14); /* RFC 7323 §2.3: at most 14 */
}

/* The default space is Linux's 6 MiB: the shift stays 7. With space 0 the
 * fixed rcv_wscale is used as given. */
static void test_wscale_default_and_fixed(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  assert_int_equal(s.wscale_space, 6291456);
  s.wscale_space = 0;
  s.rcv_wscale = 3;
  struct peer p;
  peer_init(&p, &s);
  peer_start_connect(&p);
  assert_int_equal(p.last.opts.wscale, 3);
  peer_free(&p);
}

/* ---- Linux doubling of SO_RCVBUF / SO_SNDBUF ---- */

static int sockopt_of(struct peer *p, fin_sock s, enum fin_sockopt opt) {
  int v = -1;
  size_t len = sizeof(v);
  assert_int_equal(fin_getsockopt(p->st, s, opt, &v, &len), 0);
  return v;
}

/* sockbuf_double: the buffer is twice the request and getsockopt says so;
 * the window in the SYN is what that buffer holds. */
static void test_sockbuf_double_stores_twice_the_request(void **state) {
  (void)state;
  struct fin_settings s;
  fin_settings_default(&s);
  s.sockbuf_double = true;
  struct peer p;
  peer_init(&p, &s);
  p.s = fin_socket(p.st);
  int v = 10000;
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_SO_RCVBUF, &v, sizeof(v)), 0);
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_SO_SNDBUF, &v, sizeof(v)), 0);
  assert_int_equal(sockopt_of(&p, p.s, FIN_SO_RCVBUF), 20000);
  assert_int_equal(sockopt_of(&p, p.s, FIN_SO_SNDBUF), 20000);
  peer_start_connect(&p);
  assert_int_equal(p.last.wnd, 20000);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* Off by default: the request is the buffer. */
static void test_sockbuf_not_doubled_by_default(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  assert_false(fin_stack_settings(p.st)->sockbuf_double);
  p.s = fin_socket(p.st);
  int v = 10000;
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_SO_RCVBUF, &v, sizeof(v)), 0);
  assert_int_equal(sockopt_of(&p, p.s, FIN_SO_RCVBUF), 10000);
  peer_start_connect(&p);
  assert_int_equal(p.last.wnd, 10000);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rcvbuf_rounded_in_simultaneous_open),
      cmocka_unit_test(test_rcvbuf_rounded_on_syn_ack),
      cmocka_unit_test(test_rcvbuf_not_rounded_by_default),
      cmocka_unit_test(test_rcvbuf_rounded_to_mss_before_options),
      cmocka_unit_test(test_scaled_window_rounded_up_or_down),
      cmocka_unit_test(test_wscale_is_smallest_shift_that_reaches_the_space),
      cmocka_unit_test(test_wscale_default_and_fixed),
      cmocka_unit_test(test_sockbuf_double_stores_twice_the_request),
      cmocka_unit_test(test_sockbuf_not_doubled_by_default),
  };
  return PEER_RUN_BOTH(tests);
}
