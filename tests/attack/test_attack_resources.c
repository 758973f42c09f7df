/* SPDX-License-Identifier: MIT */
/* Attack catalogue section F, resource exhaustion: SYN and ACK floods at
 * a listener, accept-queue overflow, peers that hold connections open
 * (Sockstress, Netkill, FIN-WAIT-2 parking, CLOSE-WAIT piles, TIME-WAIT
 * churn), out-of-order and SACK abuse, floods above the challenge-ACK
 * limit, optimistic ACKs. Each is replayed at a scale a unit test can
 * afford (thousands, not millions: issue 12 item 5 runs the large ones),
 * and each asserts a bound - embryos, memory, answers per input, the time
 * every held connection is reaped by - not just that nothing crashed.
 * Every group runs over IPv4 and IPv6. */
#include <errno.h>
#include <string.h>

#include "attack.h"
#include "closing.h"

/* ---- helpers ---- */

/* An address of the peer's family nobody owns: 10.1.x.y or fd00::1:x:y. */
static struct fin_addr spoofed(const struct peer *p, uint32_t n) {
  if (!p->v6)
    return fin_addr_v4(0x0a010000u | (n & 0xffffu));
  uint8_t b[16] = {0xfd, 0x00};
  b[11] = 1;
  b[12] = (uint8_t)(n >> 24);
  b[13] = (uint8_t)(n >> 16);
  b[14] = (uint8_t)(n >> 8);
  b[15] = (uint8_t)n;
  return fin_addr_v6(b);
}

/* A passive connection from peer port `port`: returns the accepted handle
 * and fin's ISS in *iss. */
static fin_sock accept_from(struct peer *p, uint16_t port, uint32_t *iss) {
  p->peer_port = port;
  peer_send(p, TCP_S, p->irs, 0, NULL, 0);
  *iss = peer_expect_syn_ack(p, R(p, 1));
  p->iss = *iss;
  peer_send(p, TCP_A, R(p, 1), L(p, 1), NULL, 0);
  fin_sock s = fin_accept(p->st, p->listener, NULL);
  assert_true(s >= 0);
  peer_expect_nothing(p);
  return s;
}

/* Works on connection i of many: the peer harness talks to one at a time. */
static void use(struct peer *p, uint16_t port, uint32_t iss, fin_sock s) {
  p->peer_port = port;
  p->iss = iss;
  p->s = s;
}

/* The SYN-ACK among fin's output for peer port `port` (others are
 * dropped), or 0 if none. */
static uint32_t syn_ack_for(struct peer *p, uint16_t port) {
  uint32_t iss = 0;
  size_t n;
  while ((n = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now)) > 0) {
    struct fin_segment s;
    assert_int_equal(fin_tcp_parse(p->buf, n, &s), FIN_WIRE_OK);
    if (s.dport == port && s.flags == (TCP_S | TCP_A) && fin_addr_eq(&s.daddr, &p->peer_ip))
      iss = s.seq;
  }
  return iss;
}

/* ---- T70 ---- */

/* ATTACK T70 */
static void test_syn_flood_bounded_and_real_clients_still_connect(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.syn_backlog = 256;
  struct peer p;
  peer_init(&p, &set);
  peer_listen(&p, 128);
  uint32_t iss0;
  fin_sock s0 = accept_from(&p, PEER_PORT, &iss0); /* established before the flood */
  attack_drain_events(&p);
  size_t base = fin_stack_memory_in_use(p.st), peak = base;
  struct test_rng rng;
  struct fin_random fr;
  test_rng_init(&rng, 4987, &fr);
  /* 20,000 spoofed SYNs at 10,000/s, a real client every 1,000. Timers do
   * not run during the flood, so every output comes from the SYN before it. */
  int real_ok = 0, real = 0;
  for (uint32_t i = 0; i < 20000; i++) {
    p.now += ((fin_time)100 * 1000);
    struct fin_segment syn = attack_seg(&p, TCP_S, (uint32_t)test_rng_next(&rng), 0);
    syn.saddr = spoofed(&p, (uint32_t)test_rng_next(&rng));
    syn.sport = (uint16_t)(1024 + test_rng_next(&rng) % 60000);
    uint8_t mss[4] = {2, 4, 0x05, 0x00};
    attack_send(&p, &syn, mss, sizeof(mss), NULL, 0);
    int out = attack_drain(&p);
    assert_true(out <= 1); /* at most one SYN-ACK per SYN, no amplification */
    if (out == 1) {
      assert_int_equal(p.last.flags, TCP_S | TCP_A);
      assert_int_equal(p.last.ack, syn.seq + 1);
      assert_addr_equal(p.last.daddr, syn.saddr);
    }
    /* Half-open state stays under the SYN backlog; past it, SYN cookies. */
    assert_true(fin_stack_conn_count(p.st) <= 1 + 256 + (size_t)real_ok);
    size_t mem = fin_stack_memory_in_use(p.st);
    peak = mem > peak ? mem : peak;
    if (i % 1000 == 999) {
      attack_drain_events(&p);
      real++;
      uint16_t port = (uint16_t)(50000 + real);
      p.peer_port = port;
      peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
      uint32_t iss = syn_ack_for(&p, port);
      assert_true(iss != 0);
      use(&p, port, iss, -1);
      peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "hello", 5);
      fin_sock s = fin_accept(p.st, p.listener, NULL);
      if (s >= 0) {
        char b[8];
        real_ok += fin_recv(p.st, s, b, sizeof(b), 0) == 5;
        assert_int_equal(fin_close(p.st, s), 0); /* all read: a FIN */
      }
      attack_drain(&p);
    }
  }
  assert_int_equal(real_ok, real); /* every real client got through */
  assert_true(peer_counters(&p)->syncookies_sent > 10000);
  /* Memory: at most the SYN backlog's worth of connection blocks (and the
   * tables they need) above the start. */
  assert_true(peak - base <= (size_t)256 * 2 * fin_tcb_size() + 65536);
  /* The connection from before the flood still carries data. */
  use(&p, PEER_PORT, iss0, s0);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "still", 5);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 6));
  /* The embryos time out (SYN-RECEIVED timeout, L1): only it is left, plus
   * the real clients' closes. */
  for (int i = 0; i < 200 && fin_stack_conn_count(p.st) > 1; i++) {
    peer_advance_to_deadline(&p);
    attack_drain(&p);
    attack_drain_events(&p);
  }
  assert_int_equal(fin_stack_conn_count(p.st), 1);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* ---- T71 ---- */

/* ATTACK T71 */
static void test_ack_flood_at_listener_allocates_nothing(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, 128);
  /* One ACK first: the event ring and the control queue exist before the
   * flood (they are allocated on first use). */
  peer_send(&p, TCP_A, 1, 2, NULL, 0);
  peer_expect(&p, TCP_R, 2, 0);
  attack_drain_events(&p);
  size_t base = fin_stack_memory_in_use(p.st);
  struct test_rng rng;
  struct fin_random fr;
  test_rng_init(&rng, 4988, &fr);
  /* 20,000 ACKs over 2 s carrying bogus cookies: no connection, no memory;
   * the A2 RSTs come out of the stack-wide A7 budget (200/s). */
  int rsts = 0;
  for (uint32_t i = 0; i < 20000; i++) {
    p.now += ((fin_time)100 * 1000);
    struct fin_segment ack =
        attack_seg(&p, TCP_A, (uint32_t)test_rng_next(&rng), (uint32_t)test_rng_next(&rng));
    ack.saddr = spoofed(&p, (uint32_t)test_rng_next(&rng));
    ack.sport = (uint16_t)(1024 + test_rng_next(&rng) % 60000);
    attack_send(&p, &ack, NULL, 0, NULL, 0);
    int out = attack_drain(&p);
    assert_true(out <= 1);
    if (out) {
      assert_int_equal(p.last.flags, TCP_R);
      assert_int_equal(p.last.seq, ack.ack);
      rsts++;
    }
    attack_drain_events(&p); /* the RST_SENT events would grow the event ring */
  }
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_true(fin_stack_memory_in_use(p.st) <= base);
  assert_int_equal(peer_counters(&p)->drop_bad_syncookie, 20001);
  assert_true(rsts >= 200 && rsts <= 200 + 2 * 200 + 1);
  assert_int_equal(peer_counters(&p)->rst_rate_limited, (uint64_t)(20000 - rsts));
  peer_free(&p);
}

/* ---- T72 ---- */

/* ATTACK T72 */
static void test_accept_queue_overflow_final_acks_dropped(void **state) {
  (void)state;
  for (int rst = 0; rst <= 1; rst++) {
    struct fin_settings set;
    fin_settings_default(&set);
    set.accept_overflow = rst ? FIN_ACCEPT_OVERFLOW_RST : FIN_ACCEPT_OVERFLOW_DROP;
    struct peer p;
    peer_init(&p, &set);
    peer_listen(&p, 1); /* holds 2 (Linux) */
    uint32_t iss;
    for (uint16_t port = 41001; port <= 41002; port++) {
      p.peer_port = port;
      peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
      iss = peer_expect_syn_ack(&p, R(&p, 1));
      p.iss = iss;
      peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
      peer_expect_nothing(&p);
    }
    /* A third handshake: the SYN is still answered (by the L1 policy, with
     * a SYN cookie: nothing kept), its final ACK meets a full queue. */
    p.peer_port = 41003;
    peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
    p.iss = peer_expect_syn_ack(&p, R(&p, 1));
    assert_int_equal(fin_stack_conn_count(p.st), 2);
    struct attack_snap s;
    attack_snap_take(&p, &s);
    peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
    if (rst) {
      peer_expect(&p, TCP_R, L(&p, 1), 0);
      peer_expect_nothing(&p);
    } else {
      /* Dropped: no connection block, no RST; counted as an overflow. */
      attack_expect_dropped(&p, &s, ATTACK_RX(&p), "TcpInSegs", "TcpExtListenOverflows");
    }
    assert_int_equal(peer_counters(&p)->drop_listen_overflow, 1);
    assert_int_equal(fin_stack_conn_count(p.st), 2);
    if (!rst) {
      /* Once accept() makes room, the client's next segment (its data; the
       * cookie is still good) completes it. */
      assert_true(fin_accept(p.st, p.listener, NULL) >= 0);
      peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "late", 4);
      assert_true(fin_accept(p.st, p.listener, NULL) >= 0); /* 41002, queued before it */
      fin_sock c = fin_accept(p.st, p.listener, NULL);
      assert_true(c >= 0);
      p.s = c;
      assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
      peer_expect(&p, TCP_A, L(&p, 1), R(&p, 5));
      assert_int_equal(fin_inq(p.st, c), 4);
    }
    assert_int_equal(peer_counters(&p)->drop_bad_syncookie, 0);
    peer_free(&p);
  }
}

/* ---- T73 ---- */

/* ATTACK T73 */
static void test_sockstress_zero_window_forever_backs_off_and_holds_sndbuf(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  static uint8_t data[65536];
  memset(data, 'z', sizeof(data));
  /* The peer asks for data, then shuts its window and ACKs every probe. */
  p.wnd = 0;
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), 65536);
  assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), -EAGAIN); /* sndbuf full */
  size_t held = fin_stack_buffer_memory(p.st);
  assert_true(held <= 65536 + fin_stack_buffer_chunk(p.st));
  fin_time prev = 0;
  int at_max = 0;
  for (int i = 0; i < 60; i++) {
    fin_time gap = peer_advance_to_deadline(&p);
    peer_expect_len(&p, TCP_A, L(&p, 1), R(&p, 1), 1);
    peer_expect_nothing(&p);
    peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
    /* Exponential backoff up to rto_max (J1, J5: SHLD-30). */
    if (prev > 0)
      assert_int_equal(gap, 2 * prev < FIN_SEC(120) ? 2 * prev : FIN_SEC(120));
    at_max += gap == FIN_SEC(120);
    prev = gap;
    assert_int_equal(fin_stack_buffer_memory(p.st), held);
  }
  assert_true(at_max >= 40); /* more than an hour of probing at one a 2 minutes */
  /* RFC 9293 §3.8.6.1 MUST-36: answered probes keep a connection the
   * application holds open; its bounds are TCP_USER_TIMEOUT (T68) and, once
   * orphaned, the orphan's probe budget (F4): closing it now ends it. */
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(fin_close(p.st, p.s), 0);
  for (int i = 0; i < 64 && fin_stack_conn_count(p.st) > 0; i++) {
    peer_advance_to_deadline(&p);
    if (attack_drain(&p) > 0 && !(p.last.flags & TCP_R))
      peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  }
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_stack_buffer_memory(p.st), 0);
  peer_free(&p);
}

/* ---- T74, T75 ---- */

#define MANY 200

/* ATTACK T74 */
static void test_netkill_orphans_with_full_send_queues_are_reclaimed(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.max_orphans = 64;
  struct peer p;
  peer_init(&p, &set);
  peer_listen(&p, MANY);
  static uint8_t data[16384];
  memset(data, 'n', sizeof(data));
  /* Each attacker connection requests a large object, never ACKs it, and
   * the application closes: an orphan in FIN-WAIT-1 with data queued. */
  for (uint16_t i = 0; i < MANY; i++) {
    uint32_t iss;
    fin_sock s = accept_from(&p, (uint16_t)(42000 + i), &iss);
    assert_int_equal(fin_send(p.st, s, data, sizeof(data), 0), (ssize_t)sizeof(data));
    assert_int_equal(fin_close(p.st, s), 0);
    attack_drain(&p);
    attack_drain_events(&p);
    /* F3: never more orphans than the cap; the oldest are aborted. */
    assert_true(peer_counters(&p)->orphans_current <= 64);
  }
  assert_int_equal(peer_counters(&p)->abort_on_memory, MANY - 64);
  /* The rest give up after their orphan retries (F4), silence throughout. */
  fin_time start = p.now;
  for (int i = 0; i < 10000 && fin_stack_conn_count(p.st) > 0; i++) {
    peer_advance_to_deadline(&p);
    attack_drain(&p);
    attack_drain_events(&p);
  }
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_true(p.now - start < FIN_SEC(200)); /* 8 backed-off RTOs from 1 s */
  assert_int_equal(fin_stack_buffer_memory(p.st), 0);
  assert_int_equal(peer_counters(&p)->orphans_current, 0);
  peer_free(&p);
}

/* ATTACK T75 */
static void test_fin_wait_2_parking_reaped_and_capped(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.max_orphans = 150;
  struct peer p;
  peer_init(&p, &set);
  peer_listen(&p, MANY);
  /* The peer ACKs every FIN and never sends its own. */
  for (uint16_t i = 0; i < MANY; i++) {
    uint32_t iss;
    fin_sock s = accept_from(&p, (uint16_t)(43000 + i), &iss);
    assert_int_equal(fin_close(p.st, s), 0);
    /* Our FIN - and past the cap, F3's RST to the oldest orphan. */
    int fins = 0, rsts = 0;
    size_t n;
    while ((n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now)) > 0) {
      assert_int_equal(fin_tcp_parse(p.buf, n, &p.last), FIN_WIRE_OK);
      if (p.last.dport == p.peer_port) {
        assert_int_equal(p.last.flags, TCP_A | TCP_F);
        assert_int_equal(p.last.seq, L(&p, 1));
        fins++;
      } else {
        assert_int_equal(p.last.flags, TCP_R | TCP_A);
        assert_true(p.last.dport < p.peer_port);
        rsts++;
      }
    }
    assert_int_equal(fins, 1);
    assert_int_equal(rsts, i >= 150 ? 1 : 0);
    peer_send(&p, TCP_A, R(&p, 1), L(&p, 2), NULL, 0);
    peer_expect_nothing(&p);
    attack_drain_events(&p);
    p.now += FIN_MS(10);
  }
  assert_int_equal(fin_stack_conn_count(p.st), 150);
  assert_int_equal(peer_counters(&p)->abort_on_memory, MANY - 150);
  /* F1: each is reaped fin_timeout after it parked, silently. */
  peer_advance(&p, FIN_SEC(60));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->fin_wait2_timeouts, 150);
  assert_int_equal(peer_counters(&p)->orphans_current, 0);
  attack_drain_events(&p);
  peer_free(&p);
}

/* ---- T76 ---- */

/* ATTACK T76 */
static void test_close_wait_pile_up_is_visible_and_leaks_nothing(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_listen(&p, MANY);
  fin_sock socks[MANY];
  uint32_t isss[MANY];
  for (uint16_t i = 0; i < MANY; i++) {
    socks[i] = accept_from(&p, (uint16_t)(44000 + i), &isss[i]);
    peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 1), NULL, 0);
    peer_expect(&p, TCP_A, L(&p, 1), R(&p, 2));
  }
  attack_drain_events(&p);
  /* The application never closes: every one is listed in CLOSE-WAIT (an
   * application-held state: the audit allows it to wait), none has a
   * deadline, and no timer runs for them. */
  size_t cursor = 0, n, in_close_wait = 0;
  struct fin_conn_info info[64];
  while ((n = fin_stack_list(p.st, &cursor, info, 64)) > 0)
    for (size_t i = 0; i < n; i++) {
      in_close_wait += info[i].state == FIN_CLOSE_WAIT;
      assert_int_equal(info[i].next_deadline, FIN_NEVER);
    }
  assert_int_equal(in_close_wait, MANY);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  peer_advance(&p, FIN_SEC(3600));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), MANY);
  /* When it does close them, each ends (LAST-ACK, the peer's ACK) and
   * nothing is left behind. */
  for (uint16_t i = 0; i < MANY; i++) {
    use(&p, (uint16_t)(44000 + i), isss[i], socks[i]);
    assert_int_equal(fin_close(p.st, socks[i]), 0);
    peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 2));
    peer_send(&p, TCP_A, R(&p, 2), L(&p, 2), NULL, 0);
  }
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_stack_buffer_memory(p.st), 0);
  attack_drain_events(&p);
  peer_free(&p);
}

/* ---- T77 ---- */

/* ATTACK T77 */
static void test_time_wait_churn_bounded_oldest_recycled(void **state) {
  (void)state;
  struct fin_settings set;
  fin_settings_default(&set);
  set.max_time_wait = 500;
  struct peer p;
  peer_init(&p, &set);
  /* 3,000 short connections fin opens and closes first, to one peer port:
   * every one leaves TIME-WAIT; the table never passes its cap, the
   * oldest record goes first (E8), and no connect() ever fails. */
  for (int i = 0; i < 3000; i++) {
    p.s = -1;
    p.irs = 1000000u + (uint32_t)i * 100000u;
    peer_establish_active(&p);
    assert_int_equal(fin_close(p.st, p.s), 0);
    peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
    peer_send(&p, TCP_A | TCP_F, R(&p, 1), L(&p, 2), NULL, 0);
    peer_expect(&p, TCP_A, L(&p, 2), R(&p, 2));
    assert_true(fin_stack_time_wait_count(p.st) <= 500);
    attack_drain_events(&p);
    p.now += FIN_MS(1);
  }
  assert_int_equal(fin_stack_time_wait_count(p.st), 500);
  assert_int_equal(peer_counters(&p)->tw_recycled, 2500);
  assert_int_equal(peer_counters(&p)->tw_entered, 3000);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  peer_free(&p);
}

/* ---- T78 ---- */

/* ATTACK T78 */
static void test_out_of_order_flood_bounded_stream_intact(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  static uint8_t stream[65535];
  for (size_t i = 0; i < sizeof(stream); i++)
    stream[i] = (uint8_t)(i * 31 + 7);
  /* One byte, a hole, one byte... across the whole window (32,767
   * segments), then the same with overlapping 3-byte retransmissions. */
  for (uint32_t off = 1; off < 65535; off += 2) {
    peer_send(&p, TCP_A, R(&p, 1 + off), L(&p, 1), stream + off, 1);
    assert_true(attack_drain(&p) <= 1);
  }
  for (uint32_t off = 2; off + 3 <= 65535; off += 4) {
    peer_send(&p, TCP_A, R(&p, 1 + off), L(&p, 1), stream + off, 3);
    assert_true(attack_drain(&p) <= 1);
    if (off % 4096 == 2)
      attack_drain_events(&p);
  }
  attack_drain_events(&p);
  /* Bounded: the store keeps at most 8 ranges (engine.md), the ring at
   * most the receive buffer, and every refused or forgotten range is
   * counted. */
  const struct fin_counters *c = peer_counters(&p);
  assert_true(c->drop_ooo_no_room + c->ooo_pruned > 30000);
  assert_true(fin_stack_buffer_memory(p.st) <= 65536 + fin_stack_buffer_chunk(p.st));
  assert_int_equal(fin_inq(p.st, p.s), 0);
  /* The real stream, in order: delivered exactly, whatever the store
   * kept of the flood (M15: in-order data is never refused). */
  static uint8_t got[65535];
  size_t total = 0;
  for (uint32_t off = 0; off < 65535; off += 1000) {
    uint32_t len = off + 1000 <= 65535 ? 1000 : 65535 - off;
    peer_send(&p, TCP_A, R(&p, 1 + off), L(&p, 1), stream + off, len);
    attack_drain(&p);
    total += attack_read_all(&p, got + total, sizeof(got) - total);
  }
  assert_int_equal(total, 65535);
  assert_memory_equal(got, stream, 65535);
  peer_free(&p);
}

/* The in-order check of T78 with the reads compared byte for byte. */
/* ATTACK T78 */
static void test_out_of_order_overlaps_never_corrupt_the_stream(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  static uint8_t stream[20000], got[20000];
  for (size_t i = 0; i < sizeof(stream); i++)
    stream[i] = (uint8_t)(i * 31 + 7);
  /* Every other byte, then overlapping 3-byte pieces, out of order. */
  for (uint32_t off = 1; off < 20000; off += 2)
    peer_send(&p, TCP_A, R(&p, 1 + off), L(&p, 1), stream + off, 1);
  for (uint32_t off = 19996; off >= 2; off -= 4)
    peer_send(&p, TCP_A, R(&p, 1 + off), L(&p, 1), stream + off, 3);
  attack_drain(&p);
  attack_drain_events(&p);
  /* Then the stream in order, 500 bytes at a time. */
  size_t total = 0;
  for (uint32_t off = 0; off < 20000; off += 500) {
    peer_send(&p, TCP_A, R(&p, 1 + off), L(&p, 1), stream + off, 500);
    attack_drain(&p);
    total += attack_read_all(&p, got + total, sizeof(got) - total);
    attack_drain_events(&p);
  }
  assert_int_equal(total, 20000);
  assert_memory_equal(got, stream, 20000);
  assert_int_equal(attack_info(&p, p.s).rcv_nxt, R(&p, 20001));
  peer_free(&p);
}

/* ---- T79 ---- */

/* Sends 30,000 bytes from fin to a peer (MSS 48: fin's floor of 64) that
 * ACKs every segment, each ACK carrying SACK blocks that are garbage when
 * `garbage`: left > right, outside [SND.UNA, SND.NXT], four repeating.
 * Returns a hash of every byte fin sent. */
static uint64_t sack_run(bool garbage) {
  struct peer p;
  peer_init_ts(&p, NULL);
  peer_listen(&p, 8);
  uint8_t syn_opts[20] = {2, 4, 0, 48, 4, 2, 8, 10, 0, 0, 0x13, 0x88, 0, 0, 0, 0, 1, 3, 3, 7};
  struct fin_segment syn = attack_seg(&p, TCP_S, p.irs, 0);
  attack_send(&p, &syn, syn_opts, sizeof(syn_opts), NULL, 0);
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  p.s = fin_accept(p.st, p.listener, NULL);
  assert_true(p.s >= 0);
  assert_true(attack_info(&p, p.s).sack_ok);
  static uint8_t data[30000];
  memset(data, 'k', sizeof(data));
  assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), 30000);
  uint64_t h = 1469598103934665603ull;
  uint32_t acked = L(&p, 1);
  for (int round = 0; round < 2000 && acked != L(&p, 30001); round++) {
    size_t n;
    while ((n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now)) > 0) {
      for (size_t i = 0; i < n; i++)
        h = (h ^ p.buf[i]) * 1099511628211ull;
      assert_int_equal(fin_tcp_parse(p.buf, n, &p.last), FIN_WIRE_OK);
      assert_true(p.last.payload_len <= 64);
      uint32_t end = p.last.seq + p.last.payload_len;
      if ((int32_t)(end - acked) > 0 && p.last.seq == acked)
        acked = end;
      uint8_t opt[40];
      size_t olen = 0;
      if (garbage) {
        const uint32_t una = acked, nxt = end;
        const uint32_t blocks[4][2] = {
            {nxt + 100, nxt + 50},  /* left > right */
            {una - 5000, una - 10}, /* below SND.UNA */
            {nxt + 1, nxt + 70000}, /* beyond SND.NXT */
            {nxt + 1, nxt + 70000}, /* repeated */
        };
        opt[0] = opt[1] = 1;
        opt[2] = 5;
        opt[3] = 2 + 8 * 4;
        for (int b = 0; b < 4; b++)
          for (int k = 0; k < 2; k++)
            for (int j = 0; j < 4; j++)
              opt[4 + b * 8 + k * 4 + j] = (uint8_t)(blocks[b][k] >> (24 - 8 * j));
        olen = 36;
      }
      struct fin_segment a = attack_seg(&p, TCP_A, R(&p, 1), acked);
      attack_send(&p, &a, opt, olen, NULL, 0);
    }
    p.now += FIN_MS(1);
    fin_stack_on_timers(p.st, p.now);
  }
  assert_int_equal(acked, L(&p, 30001));
  peer_free(&p);
  return h;
}

/* ATTACK T79 */
static void test_sack_garbage_changes_nothing_fin_sends(void **state) {
  (void)state;
  /* fin parses SACK blocks (RFC 2018) but does not recover with them yet
   * (NewReno): a differential run - the same transfer with and without
   * garbage SACK on every ACK - must put exactly the same bytes on the
   * wire, in segments never above the 64-byte MSS floor. */
  assert_true(sack_run(false) == sack_run(true));
}

/* ---- T80 ---- */

/* ATTACK T80 */
static void test_flood_above_challenge_ack_limit_leaks_nothing(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  attack_drain_events(&p);
  size_t base = fin_stack_memory_in_use(p.st);
  /* 100,000 in-window RSTs and SYNs within one second: one challenge ACK
   * per 500 ms goes out, the rest are suppressed - and hold nothing. */
  int acks = 0;
  for (uint32_t i = 0; i < 100000; i++) {
    p.now += ((fin_time)10 * 1000);
    if (i % 2)
      peer_send(&p, TCP_R, R(&p, 2 + i % 60000), 0, NULL, 0);
    else
      peer_send(&p, TCP_S, R(&p, 2 + i % 60000), 0, NULL, 0);
    acks += attack_drain(&p);
    if (i % 1000 == 0) {
      attack_drain_events(&p);
      assert_true(fin_stack_memory_in_use(p.st) <= base);
    }
  }
  attack_drain_events(&p);
  assert_true(acks >= 2 && acks <= 3);
  assert_int_equal(peer_counters(&p)->ack_rate_limited, (uint64_t)(100000 - acks));
  assert_true(fin_stack_memory_in_use(p.st) <= base);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_free(&p);
}

/* ---- T81 ---- */

/* ATTACK T81 */
static void test_optimistic_ack_never_inflates_cwnd(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  static uint8_t data[60000];
  memset(data, 'o', sizeof(data));
  assert_int_equal(fin_send(p.st, p.s, data, sizeof(data), 0), 60000);
  assert_int_equal(attack_drain(&p), 10); /* the initial window */
  struct fin_conn_info before = attack_info(&p, p.s);
  uint32_t nxt = before.snd_nxt;
  /* ACKs for data not yet sent, a segment, ten, a window ahead: each is
   * dropped (I3) - at most one ACK in reply per 500 ms - and the
   * congestion window, SND.UNA and what is in flight stay. */
  int replies = 0;
  for (uint32_t i = 0; i < 300; i++) {
    p.now += FIN_MS(1);
    uint32_t ahead = 1 + (i % 3) * PEER_MSS(&p) * 10;
    peer_send(&p, TCP_A, R(&p, 1), nxt + ahead, NULL, 0);
    replies += attack_drain(&p);
    assert_true(p.last.seq == nxt || replies == 0);
  }
  assert_true(replies <= 1);
  struct fin_conn_info after = attack_info(&p, p.s);
  assert_int_equal(after.cwnd, before.cwnd);
  assert_int_equal(after.snd_una, before.snd_una);
  assert_int_equal(after.snd_nxt, nxt);
  assert_int_equal(peer_counters(&p)->drop_ack_too_new, 300);
  /* A real ACK still grows it as usual (slow start: one MSS). */
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1) + PEER_MSS(&p), NULL, 0);
  assert_int_equal(attack_info(&p, p.s).cwnd, before.cwnd + PEER_MSS(&p));
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_syn_flood_bounded_and_real_clients_still_connect),
      cmocka_unit_test(test_ack_flood_at_listener_allocates_nothing),
      cmocka_unit_test(test_accept_queue_overflow_final_acks_dropped),
      cmocka_unit_test(test_sockstress_zero_window_forever_backs_off_and_holds_sndbuf),
      cmocka_unit_test(test_netkill_orphans_with_full_send_queues_are_reclaimed),
      cmocka_unit_test(test_fin_wait_2_parking_reaped_and_capped),
      cmocka_unit_test(test_close_wait_pile_up_is_visible_and_leaks_nothing),
      cmocka_unit_test(test_time_wait_churn_bounded_oldest_recycled),
      cmocka_unit_test(test_out_of_order_flood_bounded_stream_intact),
      cmocka_unit_test(test_out_of_order_overlaps_never_corrupt_the_stream),
      cmocka_unit_test(test_sack_garbage_changes_nothing_fin_sends),
      cmocka_unit_test(test_flood_above_challenge_ack_limit_leaks_nothing),
      cmocka_unit_test(test_optimistic_ack_never_inflates_cwnd),
  };
  return PEER_RUN_BOTH(tests);
}
