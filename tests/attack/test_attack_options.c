/* SPDX-License-Identifier: MIT */
/* Attack catalogue section B, TCP option parsing (picoTCP, RIOT, uIP,
 * FreeRTOS+TCP, Linux SACK Panic): zero and one-byte lengths, options past
 * the header, wrong fixed lengths, degenerate MSS and window scale values,
 * SYN options outside the SYN, filler, unknown authentication options.
 * fin's policy for a malformed option list is BEHAVIOR A9: the segment is
 * dropped and counted, never answered (the catalogue also allows stopping
 * the parse; docs/attack-coverage.md notes the choice). Values fin does
 * take are clamped before use. Every group runs over IPv4 and IPv6. */
#include <string.h>

#include "attack.h"

/* ---- helpers ---- */

/* A SYN to the listener from peer port `port` with this options area. */
static void syn_opts(struct peer *p, uint16_t port, const uint8_t *opt, size_t len) {
  p->peer_port = port;
  struct fin_segment seg = attack_seg(p, TCP_S, p->irs, 0);
  attack_send(p, &seg, opt, len, NULL, 0);
}

/* A data segment at RCV.NXT with this options area. */
static void data_opts(struct peer *p, uint32_t k, const uint8_t *opt, size_t len,
                      const char *data) {
  struct fin_segment seg = attack_seg(p, TCP_A | TCP_P, R(p, k), L(p, 1));
  attack_send(p, &seg, opt, len, data, strlen(data));
}

/* One malformed options area, first in a SYN to the listener, then in a
 * data segment at RCV.NXT of the established connection: both dropped and
 * counted, nothing sent, nothing half-open, nothing delivered. */
static void check_malformed(struct peer *p, const uint8_t *opt, size_t len) {
  struct attack_snap s;
  attack_snap_take(p, &s);
  syn_opts(p, 40001, opt, len);
  p->peer_port = PEER_PORT;
  data_opts(p, 1, opt, len, "payload");
  attack_expect_dropped(p, &s, ATTACK_RX(p), ATTACK_RX(p), "FinDropTcpOption", "FinDropTcpOption",
                        "TcpInErrs", "TcpInErrs");
  assert_int_equal(fin_inq(p->st, p->s), 0);
}

/* The honest segment is still taken afterwards. */
static void honest_data_taken(struct peer *p) {
  data_opts(p, 1, NULL, 0, "ok");
  peer_expect(p, TCP_A, L(p, 1), R(p, 3));
  peer_expect_nothing(p);
  assert_int_equal(fin_inq(p->st, p->s), 2);
}

/* Passive open whose SYN carries exactly this options area; returns with
 * the connection accepted in p->s. */
static void establish_with_syn_opts(struct peer *p, const uint8_t *opt, size_t len) {
  peer_listen(p, 8);
  syn_opts(p, PEER_PORT, opt, len);
  p->iss = peer_expect_syn_ack(p, R(p, 1));
  peer_expect_nothing(p);
  peer_send(p, TCP_A, R(p, 1), L(p, 1), NULL, 0);
  p->s = fin_accept(p->st, p->listener, NULL);
  assert_true(p->s >= 0);
  peer_expect_nothing(p);
}

/* ---- T10, T11, T12, T13 ---- */

/* ATTACK T10 */
static void test_zero_length_option_dropped_not_looped(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  /* RIOT's PoC: SYN, data offset 6, 50 00 00 00; then every kind that is
   * not EOL or NOP with length 0, after 0 to 3 NOPs. */
  static const uint8_t riot[4] = {0x50, 0x00, 0x00, 0x00};
  check_malformed(&p, riot, sizeof(riot));
  for (unsigned kind = 2; kind < 256; kind += 1 + kind / 16) {
    for (size_t nops = 0; nops < 4; nops++) {
      uint8_t opt[8] = {1, 1, 1, 1, 1, 1, 1, 1};
      opt[nops] = (uint8_t)kind;
      opt[nops + 1] = 0;
      check_malformed(&p, opt, 8);
    }
  }
  honest_data_taken(&p);
  peer_free(&p);
}

/* ATTACK T11 */
static void test_length_one_option_dropped(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  static const uint8_t ts_len1[4] = {8, 1, 0, 0};
  check_malformed(&p, ts_len1, sizeof(ts_len1));
  static const uint8_t after_nops[8] = {1, 1, 1, 1, 1, 2, 1, 0};
  check_malformed(&p, after_nops, sizeof(after_nops));
  honest_data_taken(&p);
  peer_free(&p);
}

/* ATTACK T12 */
static void test_option_overrunning_header_dropped(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  peer_establish_passive(&p);
  /* Timestamps (10 bytes) starting 4 bytes before the end of the header;
   * SACK and MSS the same way. */
  static const uint8_t ts[12] = {1, 1, 1, 1, 1, 1, 1, 1, 8, 10, 0xff, 0xff};
  static const uint8_t sack[12] = {1, 1, 1, 1, 1, 1, 1, 1, 5, 10, 0xff, 0xff};
  static const uint8_t mss[4] = {1, 1, 2, 4};
  check_malformed(&p, ts, sizeof(ts));
  check_malformed(&p, sack, sizeof(sack));
  check_malformed(&p, mss, sizeof(mss));
  /* The dropped TSval 0xffff.... never became TS.Recent: the next honest
   * segment is not refused by PAWS and its TSval is echoed. */
  uint32_t good = p.ts_val;
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "ok", 2);
  const struct fin_segment *a = peer_expect(&p, TCP_A, L(&p, 1), R(&p, 3));
  assert_int_equal(a->opts.ts_ecr, good);
  assert_int_equal(peer_counters(&p)->drop_paws, 0);
  peer_free(&p);
}

/* ATTACK T13 */
static void test_kind_as_last_header_byte_dropped(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  /* The kind byte is the last byte of the header: a length byte read would
   * be the first data byte (or past the datagram for the SYN). */
  static const uint8_t kinds[] = {2, 3, 4, 5, 8, 19, 29, 30, 254};
  for (size_t i = 0; i < sizeof(kinds); i++) {
    uint8_t opt[4] = {1, 1, 1, kinds[i]};
    check_malformed(&p, opt, sizeof(opt));
  }
  honest_data_taken(&p);
  peer_free(&p);
}

/* ---- T14 ---- */

/* ATTACK T14 */
static void test_wrong_fixed_option_length_dropped_value_never_used(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  static const struct {
    uint8_t kind, len;
  } bad[] = {{2, 3}, {2, 5},  {3, 2},  {3, 4},  {4, 3},  {8, 9},  {8, 11},
             {5, 9}, {5, 11}, {5, 17}, {5, 35}, {5, 37}, {5, 39}, {5, 40}};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    uint8_t opt[40];
    memset(opt, 1, sizeof(opt));
    opt[0] = bad[i].kind;
    opt[1] = bad[i].len;
    memset(opt + 2, 0, bad[i].len - 2); /* MSS 0, wscale 0... never taken */
    size_t area = (bad[i].len + 3u) / 4u * 4u;
    check_malformed(&p, opt, area);
  }
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  honest_data_taken(&p);
  peer_free(&p);
}

/* ---- T15, T16 ---- */

/* ATTACK T15 */
static void test_degenerate_mss_clamped_in_syn_and_syn_ack(void **state) {
  (void)state;
  static const uint16_t values[] = {0, 1, 8, 47};
  for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
    for (int active = 0; active <= 1; active++) {
      struct peer p;
      peer_init(&p, NULL);
      uint8_t opt[4] = {2, 4, (uint8_t)(values[i] >> 8), (uint8_t)values[i]};
      if (active) {
        peer_start_connect(&p);
        struct fin_segment seg = attack_seg(&p, TCP_S | TCP_A, p.irs, L(&p, 1));
        attack_send(&p, &seg, opt, sizeof(opt), NULL, 0);
        peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
      } else {
        establish_with_syn_opts(&p, opt, sizeof(opt));
      }
      assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
      /* Clamped to fin's floor of 64 bytes: no division by zero, no storm
       * of 1-byte (or, with a wrapped MSS, 64 KiB) segments. */
      assert_int_equal(attack_info(&p, p.s).snd_mss, 64);
      static uint8_t data[1000];
      memset(data, 'm', sizeof(data));
      assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), 1000);
      int segs = 0;
      uint32_t seq = L(&p, 1);
      size_t len;
      while ((len = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now)) > 0) {
        assert_int_equal(fin_tcp_parse(p.buf, len, &p.last), FIN_WIRE_OK);
        assert_int_equal(p.last.seq, seq);
        assert_int_equal(p.last.payload_len, 64); /* IW: 10 full segments */
        seq += 64;
        segs++;
      }
      assert_int_equal(segs, 10);
      for (int round = 0; round < 4 && seq != L(&p, 1001); round++) {
        peer_send(&p, TCP_A, R(&p, 1), seq, NULL, 0);
        while ((len = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now)) > 0) {
          assert_int_equal(fin_tcp_parse(p.buf, len, &p.last), FIN_WIRE_OK);
          assert_true(p.last.payload_len == 64 || p.last.seq + p.last.payload_len == L(&p, 1001));
          seq = p.last.seq + p.last.payload_len;
        }
      }
      assert_int_equal(seq, L(&p, 1001));
      peer_free(&p);
    }
  }
}

/* ATTACK T16 */
static void test_window_scale_above_14_clamped(void **state) {
  (void)state;
  static const uint8_t shifts[] = {15, 255};
  for (size_t i = 0; i < sizeof(shifts); i++) {
    for (int active = 0; active <= 1; active++) {
      struct peer p;
      peer_init(&p, NULL);
      uint8_t opt[8] = {2, 4, 0x05, 0xb4, 1, 3, 3, shifts[i]};
      if (active) {
        peer_start_connect(&p);
        struct fin_segment seg = attack_seg(&p, TCP_S | TCP_A, p.irs, L(&p, 1));
        attack_send(&p, &seg, opt, sizeof(opt), NULL, 0);
        peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
      } else {
        establish_with_syn_opts(&p, opt, sizeof(opt));
      }
      /* RFC 7323 §2.3: "If a Window Scale option is received with a
       * shift.cnt value larger than 14, the TCP SHOULD log the error but
       * MUST use 14 instead". A full window is then 65535 << 14, no shift
       * by 15 or 255 (undefined behaviour in C). */
      assert_int_equal(attack_info(&p, p.s).snd_wscale, 14);
      p.wnd = 0xffff;
      peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
      peer_expect_nothing(&p);
      assert_int_equal(attack_info(&p, p.s).snd_wnd, 0xffffu << 14);
      peer_free(&p);
    }
  }
}

/* ---- T17 ---- */

/* An ACK at RCV.NXT carrying MSS 100, window scale 0 and SACK-permitted:
 * options only a SYN may carry (RFC 9293 §3.7.1, RFC 7323 §2.2, RFC 2018
 * §2). */
static void syn_options_outside_syn(struct peer *p, uint8_t flags, uint32_t k, uint32_t ack_k) {
  static const uint8_t opt[12] = {2, 4, 0, 100, 1, 3, 3, 0, 1, 1, 4, 2};
  struct fin_segment seg = attack_seg(p, flags, R(p, k), L(p, ack_k));
  attack_send(p, &seg, opt, sizeof(opt), NULL, 0);
}

/* ATTACK T17 */
static void test_syn_options_outside_syn_ignored(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  uint8_t syn[8] = {2, 4, 0x05, 0xb4, 1, 3, 3, 2};
  establish_with_syn_opts(&p, syn, sizeof(syn));
  struct fin_conn_info before = attack_info(&p, p.s);
  assert_int_equal(before.snd_wscale, 2);
  /* ESTABLISHED: nothing renegotiated. */
  syn_options_outside_syn(&p, TCP_A, 1, 1);
  peer_expect_nothing(&p);
  struct fin_conn_info after = attack_info(&p, p.s);
  assert_int_equal(after.snd_mss, before.snd_mss);
  assert_int_equal(after.snd_wscale, 2);
  assert_int_equal(after.sack_ok, before.sack_ok);
  /* Data still goes in segments of the MSS from the SYN, not 100. */
  assert_int_equal(fin_setsockopt(p.st, p.s, FIN_TCP_NODELAY, &(int){1}, sizeof(int)), 0);
  static uint8_t data[3000];
  memset(data, 'd', sizeof(data));
  assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), 3000);
  peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), before.snd_mss);
  peer_expect_len(&p, TCP_A, L(&p, 1 + before.snd_mss), R(&p, 1), before.snd_mss);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1 + 2 * before.snd_mss), R(&p, 1),
                  3000 - 2 * before.snd_mss);
  peer_expect_nothing(&p);
  /* FIN-WAIT-2: the same options on the ACK of our FIN change nothing. */
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 3001), R(&p, 1));
  syn_options_outside_syn(&p, TCP_A, 1, 3002);
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_2);
  assert_int_equal(attack_info(&p, p.s).snd_wscale, 2);
  /* TIME-WAIT: the peer's FIN with them is an ordinary FIN; its
   * retransmission with them is re-ACKed as E2 says. */
  syn_options_outside_syn(&p, TCP_A | TCP_F, 1, 3002);
  peer_expect(&p, TCP_A, L(&p, 3002), R(&p, 2));
  syn_options_outside_syn(&p, TCP_A | TCP_F, 1, 3002);
  peer_expect(&p, TCP_A, L(&p, 3002), R(&p, 2));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  assert_int_equal(peer_counters(&p)->tw_fin_reacked, 1);
  peer_free(&p);
}

/* ---- T18 ---- */

/* ATTACK T18 */
static void test_filler_nops_eol_garbage_and_repeated_timestamps(void **state) {
  (void)state;
  struct peer p;
  peer_init_ts(&p, NULL);
  peer_establish_passive(&p);
  /* 40 bytes of NOP: a well-formed empty list. (Without a timestamp the
   * segment is kept: RFC 7323 §3.2 tolerance, fin's default.) */
  uint8_t nops[40];
  memset(nops, 1, sizeof(nops));
  data_opts(&p, 1, nops, sizeof(nops), "a");
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 2));
  /* EOL, then what would be a malformed MSS: not parsed (RFC 9293 §3.2
   * "End of Option List"). */
  static const uint8_t eol[8] = {0, 2, 1, 0xff, 8, 0, 0, 0};
  data_opts(&p, 2, eol, sizeof(eol), "b");
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 3));
  /* Four timestamp options, as many as fit in 40 bytes: the last wins
   * (as Linux, which stores each one it meets), and it is the TSval fin
   * echoes. */
  uint8_t four[40];
  memset(four, 1, sizeof(four));
  uint32_t vals[4] = {p.ts_val + 1, p.ts_val + 2, p.ts_val + 3, p.ts_val + 4};
  for (int i = 0; i < 4; i++) {
    uint8_t *o = four + i * 10;
    o[0] = 8;
    o[1] = 10;
    for (int b = 0; b < 4; b++) {
      o[2 + b] = (uint8_t)(vals[i] >> (24 - 8 * b));
      o[6 + b] = (uint8_t)(p.fin_tsval >> (24 - 8 * b));
    }
  }
  data_opts(&p, 3, four, sizeof(four), "c");
  const struct fin_segment *a = peer_expect(&p, TCP_A, L(&p, 1), R(&p, 4));
  assert_int_equal(a->opts.ts_ecr, vals[3]);
  peer_expect_nothing(&p);
  assert_int_equal(fin_inq(p.st, p.s), 3);
  assert_int_equal(peer_counters(&p)->drop_tcp_option, 0);
  peer_free(&p);
}

/* ---- T19 ---- */

/* ATTACK T19 */
static void test_unknown_auth_options_skipped_never_change_state(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 8);
  /* TCP-AO (kind 29, RFC 5925) and MD5 (kind 19, RFC 2385) are not
   * supported: well-formed ones are skipped by their length (RFC 9293
   * §3.2), so the SYN gets its ordinary SYN-ACK; a malformed one (length
   * 1) makes the list malformed: dropped (A9). */
  static const uint8_t ao_bad[4] = {29, 1, 0xde, 0xad};
  struct attack_snap s;
  attack_snap_take(&p, &s);
  syn_opts(&p, PEER_PORT, ao_bad, sizeof(ao_bad));
  attack_expect_dropped(&p, &s, ATTACK_RX(&p), "FinDropTcpOption", "TcpInErrs");
  uint8_t md5[20] = {19, 18};
  memset(md5 + 2, 0xa5, 16);
  md5[18] = md5[19] = 1;
  syn_opts(&p, PEER_PORT, md5, sizeof(md5));
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  p.s = fin_accept(p.st, p.listener, NULL);
  assert_true(p.s >= 0);
  /* ESTABLISHED: garbage AO and MD5 on data that also has URG and an
   * urgent pointer: the data is in-band, in order, and RCV.NXT moves by its
   * length alone. */
  uint8_t ao[16] = {29, 14, 0x11, 0x22};
  memset(ao + 4, 0x7f, 10);
  ao[14] = ao[15] = 1;
  struct fin_segment seg = attack_seg(&p, TCP_A | TCP_P | FIN_TCP_URG, R(&p, 1), L(&p, 1));
  seg.urg = 3;
  attack_send(&p, &seg, ao, sizeof(ao), "hello", 5);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 6));
  seg = attack_seg(&p, TCP_A | TCP_P | FIN_TCP_URG, R(&p, 6), L(&p, 1));
  seg.urg = 0xffff;
  attack_send(&p, &seg, md5, sizeof(md5), "world", 5);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 11));
  peer_expect_nothing(&p);
  uint8_t buf[16];
  assert_int_equal(attack_read_all(&p, buf, sizeof(buf)), 10);
  assert_memory_equal(buf, "helloworld", 10);
  assert_int_equal(attack_info(&p, p.s).rcv_nxt, R(&p, 11));
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_zero_length_option_dropped_not_looped),
      cmocka_unit_test(test_length_one_option_dropped),
      cmocka_unit_test(test_option_overrunning_header_dropped),
      cmocka_unit_test(test_kind_as_last_header_byte_dropped),
      cmocka_unit_test(test_wrong_fixed_option_length_dropped_value_never_used),
      cmocka_unit_test(test_degenerate_mss_clamped_in_syn_and_syn_ack),
      cmocka_unit_test(test_window_scale_above_14_clamped),
      cmocka_unit_test(test_syn_options_outside_syn_ignored),
      cmocka_unit_test(test_filler_nops_eol_garbage_and_repeated_timestamps),
      cmocka_unit_test(test_unknown_auth_options_skipped_never_change_state),
  };
  return PEER_RUN_BOTH(tests);
}
