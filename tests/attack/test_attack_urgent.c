/* SPDX-License-Identifier: MIT */
/* Attack catalogue section C, the urgent pointer (URGENT/11, uIP,
 * NicheStack): a zero pointer, a pointer far past the data or past the
 * FIN, URG in the handshake and while closing. fin keeps no urgent state at
 * all (docs/engine.md "Known limits"; RFC 6093 §5 advises new applications
 * not to use it): the URG bit and the pointer are never used in arithmetic,
 * urgent bytes are ordinary in-band data, and nothing else about the
 * segment changes. Every group runs over IPv4 and IPv6. */
#include <string.h>

#include "attack.h"

#define TCP_U FIN_TCP_URG

/* A segment with URG set and this urgent pointer. */
static void send_urg(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t urg,
                     const char *data) {
  struct fin_segment seg = attack_seg(p, (uint8_t)(flags | TCP_U), seq, ack);
  seg.urg = urg;
  attack_send(p, &seg, NULL, 0, data, data ? strlen(data) : 0);
}

/* What the application sees: exactly want, in band, then nothing; no
 * urgent (POLLPRI) signal ever. */
static void reads_exactly(struct peer *p, const char *want) {
  assert_int_equal(fin_poll(p->st, p->s) & FIN_POLLPRI, 0);
  uint8_t buf[64];
  size_t n = attack_read_all(p, buf, sizeof(buf));
  assert_int_equal(n, strlen(want));
  assert_memory_equal(buf, want, n);
}

/* ATTACK T20 */
static void test_urgent_pointer_zero_is_ignored(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  /* Without payload: a pure ACK, nothing to do, nothing sent. */
  struct attack_snap s;
  attack_snap_take(&p, &s);
  send_urg(&p, TCP_A, R(&p, 1), L(&p, 1), 0, NULL);
  attack_expect_dropped(&p, &s, ATTACK_RX(&p), "TcpInSegs");
  /* With payload: all ten bytes in band, RCV.NXT moves by ten (a "ptr-1"
   * underflow would make 65535 of them urgent). */
  send_urg(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), 0, "0123456789");
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 11));
  peer_expect_nothing(&p);
  reads_exactly(&p, "0123456789");
  assert_int_equal(attack_info(&p, p.s).rcv_nxt, R(&p, 11));
  peer_free(&p);
}

/* ATTACK T21 */
static void test_urgent_pointer_past_data_and_fin_is_ignored(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  /* 10 bytes with the pointer at 0xFFFF: the pointer is never added to a
   * data pointer. */
  send_urg(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), 0xffff, "abcdefghij");
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 11));
  peer_expect_nothing(&p);
  reads_exactly(&p, "abcdefghij");
  /* A pointer past the FIN: the data, then the FIN, as without URG. */
  send_urg(&p, TCP_A | TCP_P | TCP_F, R(&p, 11), L(&p, 1), 100, "tail");
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 16));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  reads_exactly(&p, "tail");
  uint8_t b;
  assert_int_equal(fin_recv(p.st, p.s, &b, 1, 0), 0); /* EOF */
  peer_free(&p);
}

/* ATTACK T22 */
static void test_urgent_in_handshake_and_closing_states_is_ignored(void **state) {
  (void)state;
  /* URG on the SYN to a listener: an ordinary SYN-ACK and connection. */
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 8);
  send_urg(&p, TCP_S, p.irs, 0, 0xffff, NULL);
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  peer_expect_nothing(&p);
  send_urg(&p, TCP_A, R(&p, 1), L(&p, 1), 1, NULL);
  p.s = fin_accept(p.st, p.listener, NULL);
  assert_true(p.s >= 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  /* FIN-WAIT-1: urgent data is half-close data (D11), in band. */
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  send_urg(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), 0, "fw1");
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 4));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_1);
  reads_exactly(&p, "fw1");
  peer_free(&p);

  /* URG on the SYN-ACK of fin's connect(), carrying data: established,
   * the data in band. */
  peer_init(&p, NULL);
  peer_start_connect(&p);
  send_urg(&p, TCP_S | TCP_A, p.irs, L(&p, 1), 0, "syn-ack");
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 8));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  reads_exactly(&p, "syn-ack");
  /* CLOSE-WAIT: the peer's FIN, then URG data after it: ignored (D10),
   * counted, RCV.NXT still just past the FIN. */
  peer_send(&p, TCP_A | TCP_F, R(&p, 8), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 9));
  struct attack_snap s;
  attack_snap_take(&p, &s);
  send_urg(&p, TCP_A | TCP_P, R(&p, 9), L(&p, 1), 0, "late");
  peer_expect_nothing(&p);
  attack_expect_counters(&p, &s, ATTACK_RX(&p), "TcpInSegs", "FinDropDataAfterFin");
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  assert_int_equal(attack_info(&p, p.s).rcv_nxt, R(&p, 9));
  assert_int_equal(fin_inq(p.st, p.s), 0);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_urgent_pointer_zero_is_ignored),
      cmocka_unit_test(test_urgent_pointer_past_data_and_fin_is_ignored),
      cmocka_unit_test(test_urgent_in_handshake_and_closing_states_is_ignored),
  };
  return PEER_RUN_BOTH(tests);
}
