/* SPDX-License-Identifier: MIT */
/* Two fin stacks back to back: every close path of BEHAVIOR C, D and E end
 * to end, with byte-exact delivery. */
#include <errno.h>
#include <string.h>

#include "pair.h"

static void fill(uint8_t *b, size_t n, uint32_t seed) {
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    b[i] = (uint8_t)(seed >> 16);
  }
}

/* BEHAVIOR C1 D3 D6 D8 D1 E1: client closes first after data both ways. */
/* ATTACK T50 */
static void test_graceful_active_close_delivers_bytes_and_ends_in_time_wait(void **state) {
  (void)state;
  static struct pair p;
  pair_init(&p, NULL, NULL);
  fin_sock a, b;
  pair_connect(&p, 80, &a, &b);
  uint64_t ida = fin_sock_conn_id(p.st[0], a), idb = fin_sock_conn_id(p.st[1], b);
  static uint8_t out[200000], in[200000];
  fill(out, sizeof(out), 7);
  size_t off = 0, got = 0;
  for (int i = 0; i < 5000 && got < sizeof(out); i++) {
    ssize_t n = fin_send(p.st[0], a, out + off, sizeof(out) - off, 0);
    if (n > 0)
      off += (size_t)n;
    pair_run_for(&p, FIN_MS(5));
    got += pair_read_all(&p, 1, b, in + got, sizeof(in) - got);
  }
  assert_int_equal(off, sizeof(out));
  assert_int_equal(got, sizeof(out));
  assert_memory_equal(in, out, sizeof(out));
  assert_int_equal(fin_close(p.st[0], a), 0);
  pair_run_for(&p, FIN_MS(100));
  assert_int_equal(fin_recv(p.st[1], b, in, 10, 0), 0); /* D1: EOF */
  assert_int_equal(fin_sock_state(p.st[1], b), FIN_CLOSE_WAIT);
  assert_int_equal(fin_close(p.st[1], b), 0);
  pair_run_for(&p, FIN_MS(100));
  char path[256];
  assert_string_equal(pair_state_path(&p, 0, ida, path, sizeof(path)),
                      "SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT");
  assert_string_equal(pair_state_path(&p, 1, idb, path, sizeof(path)),
                      "SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED");
  assert_int_equal(fin_stack_time_wait_count(p.st[0]), 1);
  pair_run_for(&p, FIN_SEC(61));
  assert_int_equal(fin_stack_time_wait_count(p.st[0]), 0);
  assert_string_equal(pair_state_path(&p, 0, ida, path, sizeof(path)),
                      "SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT>CLOSED");
  assert_int_equal(fin_stack_conn_count(p.st[0]), 0);
  assert_int_equal(fin_stack_conn_count(p.st[1]), 0);
  pair_free(&p);
}

/* Streams n bytes from (src, ss) to (dst, ds) through the pair, reading as
 * they arrive; asserts byte-exact delivery. */
static void stream(struct pair *p, int src, fin_sock ss, int dst, fin_sock ds, size_t n,
                   uint32_t seed) {
  static uint8_t out[300000], in[300000];
  assert_true(n <= sizeof(out));
  fill(out, n, seed);
  size_t off = 0, got = 0;
  for (int i = 0; i < 20000 && got < n; i++) {
    if (off < n) {
      ssize_t k = fin_send(p->st[src], ss, out + off, n - off, 0);
      if (k > 0)
        off += (size_t)k;
    }
    pair_run_for(p, FIN_MS(5));
    got += pair_read_all(p, dst, ds, in + got, n - got);
  }
  assert_int_equal(got, n);
  assert_memory_equal(in, out, n);
}

static void assert_path(struct pair *p, int host, fin_sock s_or_id, bool is_id, const char *want) {
  uint64_t id = is_id ? (uint64_t)s_or_id : fin_sock_conn_id(p->st[host], s_or_id);
  char path[256];
  assert_string_equal(pair_state_path(p, host, id, path, sizeof(path)), want);
}

/* A connection a -> b:port whose listener stays open (pair_connect closes
 * it); a binds local_port when non-zero. */
static void connect_keep_listener(struct pair *p, uint16_t port, uint16_t local_port, fin_sock *l,
                                  fin_sock *a, fin_sock *b) {
  if (*l < 0) {
    *l = fin_socket(p->st[1]);
    struct fin_sockaddr any = pair_any(p, port);
    assert_int_equal(fin_bind(p->st[1], *l, &any), 0);
    assert_int_equal(fin_listen(p->st[1], *l, 16), 0);
  }
  *a = fin_socket(p->st[0]);
  if (local_port != 0) {
    assert_int_equal(fin_setsockopt(p->st[0], *a, FIN_SO_REUSEADDR, &(int){1}, sizeof(int)), 0);
    struct fin_sockaddr me = pair_sockaddr(p, 0, local_port);
    assert_int_equal(fin_bind(p->st[0], *a, &me), 0);
  }
  struct fin_sockaddr dst = pair_sockaddr(p, 1, port);
  assert_int_equal(fin_connect(p->st[0], *a, &dst), -EINPROGRESS);
  pair_run_for(p, FIN_MS(100));
  *b = fin_accept(p->st[1], *l, NULL);
  assert_true(*b >= 0);
  assert_int_equal(fin_sock_state(p->st[0], *a), FIN_ESTABLISHED);
}

/* BEHAVIOR C2 D1 D3 D6 D8 E1: the server (accepting side) closes first. */
/* ATTACK T51 */
static void test_passive_side_closes_first_delivers_bytes_and_ends_in_its_time_wait(void **state) {
  (void)state;
  static struct pair p;
  pair_init(&p, NULL, NULL);
  fin_sock a, b;
  pair_connect(&p, 80, &a, &b);
  uint64_t ida = fin_sock_conn_id(p.st[0], a), idb = fin_sock_conn_id(p.st[1], b);
  stream(&p, 0, a, 1, b, 50000, 1);
  stream(&p, 1, b, 0, a, 120000, 2);
  assert_int_equal(fin_close(p.st[1], b), 0);
  pair_run_for(&p, FIN_MS(100));
  uint8_t buf[8];
  assert_int_equal(fin_recv(p.st[0], a, buf, sizeof(buf), 0), 0);
  assert_int_equal(fin_sock_state(p.st[0], a), FIN_CLOSE_WAIT);
  assert_int_equal(fin_close(p.st[0], a), 0);
  pair_run_for(&p, FIN_MS(100));
  assert_path(&p, 1, (fin_sock)idb, true,
              "SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT");
  assert_path(&p, 0, (fin_sock)ida, true, "SYN-SENT>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED");
  assert_int_equal(pair_closed_event(&p, 0, ida)->reason, FIN_REASON_GRACEFUL);
  assert_int_equal(fin_stack_time_wait_count(p.st[1]), 1);
  assert_int_equal(fin_stack_time_wait_count(p.st[0]), 0);
  pair_run_for(&p, FIN_SEC(61));
  assert_int_equal(fin_stack_time_wait_count(p.st[1]), 0);
  assert_int_equal(pair_closed_event(&p, 1, idb)->reason, FIN_REASON_TIME_WAIT_DONE);
  assert_int_equal(fin_stack_conn_count(p.st[0]), 0);
  assert_int_equal(fin_stack_conn_count(p.st[1]), 0);
  pair_free(&p);
}

/* BEHAVIOR D12 D4 D7 (§3.6 Figure 13): both sides close at once, each
 * after sending data: both pass CLOSING into TIME-WAIT; every byte
 * arrives. */
/* ATTACK T52 */
static void test_simultaneous_close_both_sides_closing_then_time_wait(void **state) {
  (void)state;
  static struct pair p;
  pair_init(&p, NULL, NULL);
  fin_sock a, b;
  pair_connect(&p, 80, &a, &b);
  uint64_t ida = fin_sock_conn_id(p.st[0], a), idb = fin_sock_conn_id(p.st[1], b);
  static uint8_t oa[20000], ob[20000], ia[20000], ib[20000];
  fill(oa, sizeof(oa), 3);
  fill(ob, sizeof(ob), 4);
  assert_int_equal(fin_send(p.st[0], a, oa, sizeof(oa), 0), (ssize_t)sizeof(oa));
  assert_int_equal(fin_send(p.st[1], b, ob, sizeof(ob), 0), (ssize_t)sizeof(ob));
  assert_int_equal(fin_shutdown(p.st[0], a, FIN_SHUT_WR), 0);
  assert_int_equal(fin_shutdown(p.st[1], b, FIN_SHUT_WR), 0);
  pair_run_for(&p, FIN_SEC(1));
  assert_int_equal(pair_read_all(&p, 1, b, ib, sizeof(ib)), sizeof(ib));
  assert_int_equal(pair_read_all(&p, 0, a, ia, sizeof(ia)), sizeof(ia));
  assert_memory_equal(ia, ob, sizeof(ob));
  assert_memory_equal(ib, oa, sizeof(oa));
  assert_int_equal(fin_recv(p.st[0], a, ia, 1, 0), 0);
  assert_int_equal(fin_recv(p.st[1], b, ib, 1, 0), 0);
  assert_path(&p, 0, (fin_sock)ida, true, "SYN-SENT>ESTABLISHED>FIN-WAIT-1>CLOSING>TIME-WAIT");
  assert_path(&p, 1, (fin_sock)idb, true, "SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSING>TIME-WAIT");
  assert_int_equal(fin_stack_time_wait_count(p.st[0]), 1);
  assert_int_equal(fin_stack_time_wait_count(p.st[1]), 1);
  assert_int_equal(fin_close(p.st[0], a), 0);
  assert_int_equal(fin_close(p.st[1], b), 0);
  pair_run_for(&p, FIN_SEC(61));
  assert_int_equal(fin_stack_time_wait_count(p.st[0]), 0);
  assert_int_equal(fin_stack_time_wait_count(p.st[1]), 0);
  pair_free(&p);
}

/* BEHAVIOR G1 G3 D11 C2: a half-closes; b keeps sending after a's FIN
 * (CLOSE-WAIT), a keeps receiving (FIN-WAIT-2), then b closes. */
static void test_half_close_by_client_then_server_streams_after_fin(void **state) {
  (void)state;
  static struct pair p;
  pair_init(&p, NULL, NULL);
  fin_sock a, b;
  pair_connect(&p, 80, &a, &b);
  uint64_t ida = fin_sock_conn_id(p.st[0], a), idb = fin_sock_conn_id(p.st[1], b);
  stream(&p, 0, a, 1, b, 30000, 5);
  assert_int_equal(fin_shutdown(p.st[0], a, FIN_SHUT_WR), 0);
  pair_run_for(&p, FIN_MS(100));
  uint8_t buf[8];
  assert_int_equal(fin_recv(p.st[1], b, buf, sizeof(buf), 0), 0);
  assert_int_equal(fin_sock_state(p.st[0], a), FIN_FIN_WAIT_2);
  assert_int_equal(fin_sock_state(p.st[1], b), FIN_CLOSE_WAIT);
  stream(&p, 1, b, 0, a, 200000, 6);
  assert_int_equal(fin_send(p.st[0], a, "x", 1, 0), -EPIPE);
  assert_int_equal(fin_close(p.st[1], b), 0);
  pair_run_for(&p, FIN_MS(100));
  assert_int_equal(fin_recv(p.st[0], a, buf, sizeof(buf), 0), 0);
  assert_path(&p, 0, (fin_sock)ida, true, "SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT");
  assert_path(&p, 1, (fin_sock)idb, true, "SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED");
  assert_int_equal(fin_close(p.st[0], a), 0);
  pair_run_for(&p, FIN_SEC(61));
  assert_int_equal(fin_stack_conn_count(p.st[0]) + fin_stack_time_wait_count(p.st[0]), 0);
  assert_int_equal(fin_stack_conn_count(p.st[1]), 0);
  pair_free(&p);
}

/* BEHAVIOR G1 G3 D11: the same the other way: b half-closes, a streams. */
static void test_half_close_by_server_then_client_streams_after_fin(void **state) {
  (void)state;
  static struct pair p;
  pair_init(&p, NULL, NULL);
  fin_sock a, b;
  pair_connect(&p, 80, &a, &b);
  uint64_t ida = fin_sock_conn_id(p.st[0], a), idb = fin_sock_conn_id(p.st[1], b);
  assert_int_equal(fin_shutdown(p.st[1], b, FIN_SHUT_WR), 0);
  pair_run_for(&p, FIN_MS(100));
  uint8_t buf[8];
  assert_int_equal(fin_recv(p.st[0], a, buf, sizeof(buf), 0), 0);
  stream(&p, 0, a, 1, b, 200000, 7);
  assert_int_equal(fin_close(p.st[0], a), 0);
  pair_run_for(&p, FIN_MS(100));
  assert_int_equal(fin_recv(p.st[1], b, buf, sizeof(buf), 0), 0);
  assert_path(&p, 1, (fin_sock)idb, true,
              "SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT");
  assert_path(&p, 0, (fin_sock)ida, true, "SYN-SENT>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED");
  assert_int_equal(fin_close(p.st[1], b), 0);
  pair_run_for(&p, FIN_SEC(61));
  assert_int_equal(fin_stack_time_wait_count(p.st[1]), 0);
  pair_free(&p);
}

struct drops {
  uint32_t data_seen, data_dropped, fins_dropped, acks_seen, acks_dropped;
};

/* Drops data segments 2, 5 and 9 from a, a's first FIN, and b's 3rd pure
 * ACK. */
static bool drop_some(struct pair *p, int from, const struct fin_segment *seg, void *ctx) {
  (void)p;
  struct drops *d = ctx;
  if (from == 0 && (seg->flags & FIN_TCP_FIN) && d->fins_dropped == 0) {
    d->fins_dropped++;
    return true;
  }
  if (from == 0 && seg->payload_len > 0) {
    d->data_seen++;
    bool drop = d->data_seen == 2 || d->data_seen == 5 || d->data_seen == 9;
    d->data_dropped += drop;
    return drop;
  }
  if (from == 1 && seg->flags == FIN_TCP_ACK && seg->payload_len == 0) {
    d->acks_seen++;
    bool drop = d->acks_seen == 3;
    d->acks_dropped += drop;
    return drop;
  }
  return false;
}

/* BEHAVIOR C1 D13 D3 D6 E1: close() with data still in flight while
 * segments (data, the FIN, an ACK) are lost: the orphan retransmits until
 * everything is delivered in order, then the FIN; b reads every byte and
 * EOF. */
/* ATTACK T65 */
static void test_close_with_data_in_flight_under_loss_delivers_every_byte(void **state) {
  (void)state;
  static struct pair p;
  pair_init(&p, NULL, NULL);
  fin_sock a, b;
  pair_connect(&p, 80, &a, &b);
  uint64_t ida = fin_sock_conn_id(p.st[0], a);
  struct drops d = {0};
  p.filter = drop_some;
  p.filter_ctx = &d;
  static uint8_t out[60000], in[60000];
  fill(out, sizeof(out), 8);
  assert_int_equal(fin_send(p.st[0], a, out, sizeof(out), 0), (ssize_t)sizeof(out));
  assert_int_equal(fin_close(p.st[0], a), 0); /* orphan: the stack finishes */
  size_t got = 0;
  for (int i = 0; i < 2000 && got < sizeof(out); i++) {
    pair_run_for(&p, FIN_MS(10));
    got += pair_read_all(&p, 1, b, in + got, sizeof(in) - got);
  }
  assert_int_equal(got, sizeof(out));
  assert_memory_equal(in, out, sizeof(out));
  pair_run_for(&p, FIN_SEC(5));
  uint8_t buf[8];
  assert_int_equal(fin_recv(p.st[1], b, buf, sizeof(buf), 0), 0);
  assert_int_equal(d.data_dropped, 3);
  assert_int_equal(d.fins_dropped, 1);
  assert_int_equal(d.acks_dropped, 1);
  assert_true(fin_stack_counters(p.st[0])->retrans_segs >= 4);
  assert_int_equal(fin_close(p.st[1], b), 0);
  pair_run_for(&p, FIN_SEC(1));
  assert_path(&p, 0, (fin_sock)ida, true, "SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT");
  assert_int_equal(fin_stack_conn_count(p.st[1]), 0);
  pair_run_for(&p, FIN_SEC(61));
  assert_int_equal(fin_stack_time_wait_count(p.st[0]), 0);
  assert_int_equal(fin_stack_conn_count(p.st[0]), 0);
  pair_free(&p);
}

struct final_ack {
  uint32_t b_fin_end; /* SEG.SEQ + SEG.LEN of b's FIN, once seen */
  int dropped;
};

/* Drops a's first ACK of b's FIN: the last segment of the close. */
static bool drop_final_ack(struct pair *p, int from, const struct fin_segment *seg, void *ctx) {
  (void)p;
  struct final_ack *f = ctx;
  if (from == 1 && (seg->flags & FIN_TCP_FIN))
    f->b_fin_end = seg->seq + seg->payload_len + 1;
  if (from == 0 && f->b_fin_end != 0 && seg->flags == FIN_TCP_ACK && seg->ack == f->b_fin_end &&
      f->dropped == 0) {
    f->dropped++;
    return true;
  }
  return false;
}

/* BEHAVIOR E2 D8 D9: the final ACK is lost; b retransmits its FIN from
 * LAST-ACK; a's TIME-WAIT ACKs it again and restarts 2*MSL from then. */
/* ATTACK T55 */
static void test_lost_final_ack_is_recovered_by_time_wait_and_restarts_it(void **state) {
  (void)state;
  static struct pair p;
  pair_init(&p, NULL, NULL);
  fin_sock a, b;
  pair_connect(&p, 80, &a, &b);
  uint64_t ida = fin_sock_conn_id(p.st[0], a), idb = fin_sock_conn_id(p.st[1], b);
  stream(&p, 0, a, 1, b, 10000, 9);
  struct final_ack f = {0};
  p.filter = drop_final_ack;
  p.filter_ctx = &f;
  assert_int_equal(fin_close(p.st[0], a), 0);
  pair_run_for(&p, FIN_MS(100));
  uint8_t buf[8];
  assert_int_equal(fin_recv(p.st[1], b, buf, sizeof(buf), 0), 0);
  fin_time t_close = p.now;
  assert_int_equal(fin_close(p.st[1], b), 0);
  pair_run_for(&p, FIN_MS(50));
  assert_int_equal(f.dropped, 1);
  assert_int_equal(fin_stack_time_wait_count(p.st[0]), 1);
  fin_time first_deadline = fin_stack_next_deadline(p.st[0]);
  assert_int_equal(first_deadline, t_close + p.delay + FIN_SEC(60)); /* our FIN left at t_close */
  assert_int_equal(fin_stack_conn_count(p.st[1]), 1);                /* b still in LAST-ACK */
  pair_run_for(&p, FIN_SEC(5));
  assert_int_equal(fin_stack_conn_count(p.st[1]), 0);
  assert_int_equal(fin_stack_counters(p.st[0])->tw_fin_reacked, 1);
  assert_int_equal(fin_stack_counters(p.st[1])->retrans_segs, 1);
  /* The restart: 2*MSL from the arrival of the retransmitted FIN. */
  fin_time t_rexmit = 0;
  for (size_t i = 0; i < p.nevents; i++)
    if (p.events[i].host == 1 && p.events[i].ev.type == FIN_EV_TIMER &&
        p.events[i].ev.conn_id == idb && p.events[i].ev.timer == FIN_TIMER_RETRANSMIT)
      t_rexmit = p.events[i].ev.time;
  assert_true(t_rexmit > t_close);
  assert_int_equal(fin_stack_next_deadline(p.st[0]), t_rexmit + p.delay + FIN_SEC(60));
  assert_path(&p, 1, (fin_sock)idb, true, "SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED");
  assert_int_equal(pair_closed_event(&p, 1, idb)->reason, FIN_REASON_GRACEFUL);
  pair_run(&p, first_deadline + FIN_MS(1));
  assert_int_equal(fin_stack_time_wait_count(p.st[0]), 1); /* outlived the first deadline */
  pair_run(&p, t_rexmit + p.delay + FIN_SEC(60));
  assert_int_equal(fin_stack_time_wait_count(p.st[0]), 0);
  assert_path(&p, 0, (fin_sock)ida, true,
              "SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT>CLOSED");
  pair_free(&p);
}

/* BEHAVIOR E4 E1: the server's TIME-WAIT is reopened by the client's new
 * SYN on the same 4-tuple (timestamps newer); the new connection carries
 * data both ways and the record is gone, counted. */
static void test_time_wait_reopened_by_new_syn_carries_a_new_connection(void **state) {
  (void)state;
  static struct pair p;
  pair_init(&p, NULL, NULL);
  fin_sock l = -1, a, b;
  connect_keep_listener(&p, 80, 7000, &l, &a, &b);
  stream(&p, 0, a, 1, b, 20000, 10);
  assert_int_equal(fin_close(p.st[1], b), 0); /* server closes first */
  pair_run_for(&p, FIN_MS(100));
  assert_int_equal(fin_close(p.st[0], a), 0);
  pair_run_for(&p, FIN_MS(100));
  assert_int_equal(fin_stack_time_wait_count(p.st[1]), 1);
  assert_int_equal(fin_stack_conn_count(p.st[0]), 0);
  pair_run_for(&p, FIN_SEC(2));
  fin_sock a2, b2;
  connect_keep_listener(&p, 80, 7000, &l, &a2, &b2);
  assert_int_equal(fin_stack_counters(p.st[1])->tw_reopened, 1);
  assert_int_equal(fin_stack_counters(p.st[1])->tw_restored, 0);
  assert_int_equal(fin_stack_time_wait_count(p.st[1]), 0);
  stream(&p, 0, a2, 1, b2, 30000, 11);
  stream(&p, 1, b2, 0, a2, 30000, 12);
  assert_int_equal(fin_close(p.st[0], a2), 0);
  pair_run_for(&p, FIN_MS(100));
  assert_int_equal(fin_close(p.st[1], b2), 0);
  assert_int_equal(fin_close(p.st[1], l), 0);
  pair_run_for(&p, FIN_SEC(61));
  assert_int_equal(fin_stack_conn_count(p.st[0]) + fin_stack_time_wait_count(p.st[0]), 0);
  assert_int_equal(fin_stack_conn_count(p.st[1]) + fin_stack_time_wait_count(p.st[1]), 0);
  pair_free(&p);
}

/* BEHAVIOR C4 (H2): a closes in SYN-SENT while its SYN is in flight:
 * nothing more is sent; b's SYN-ACK gets <SEQ=SEG.ACK><CTL=RST>, which
 * sends b's embryonic child away; nothing is left on either side. */
/* ATTACK T63 */
static void test_close_in_syn_sent_leaves_nothing_on_either_side(void **state) {
  (void)state;
  static struct pair p;
  pair_init(&p, NULL, NULL);
  fin_sock l = fin_socket(p.st[1]);
  struct fin_sockaddr any = pair_any(&p, 80);
  assert_int_equal(fin_bind(p.st[1], l, &any), 0);
  assert_int_equal(fin_listen(p.st[1], l, 16), 0);
  fin_sock a = fin_socket(p.st[0]);
  struct fin_sockaddr dst = pair_sockaddr(&p, 1, 80);
  assert_int_equal(fin_connect(p.st[0], a, &dst), -EINPROGRESS);
  uint64_t ida = fin_sock_conn_id(p.st[0], a);
  pair_run_for(&p, FIN_MS(5)); /* the SYN is on the wire */
  assert_int_equal(fin_close(p.st[0], a), 0);
  pair_run_for(&p, FIN_SEC(1));
  assert_path(&p, 0, (fin_sock)ida, true, "SYN-SENT>CLOSED");
  assert_int_equal(pair_closed_event(&p, 0, ida)->reason, FIN_REASON_CLOSED_IN_SYN_SENT);
  assert_int_equal(fin_stack_counters(p.st[0])->rst_syn_sent_bad_ack +
                       fin_stack_counters(p.st[0])->rst_no_conn,
                   1);
  assert_int_equal(fin_stack_counters(p.st[1])->embryonic_rsts, 1);
  assert_int_equal(fin_accept(p.st[1], l, NULL), -EAGAIN);
  assert_int_equal(fin_stack_conn_count(p.st[0]), 0);
  assert_int_equal(fin_stack_conn_count(p.st[1]), 0);
  assert_int_equal(fin_close(p.st[1], l), 0);
  pair_free(&p);
}

/* BEHAVIOR C5 G4: b closes its listener with a connection still in the
 * accept queue: a is reset and reads ECONNRESET. */
/* ATTACK T62 */
static void test_listener_close_resets_unaccepted_connection(void **state) {
  (void)state;
  static struct pair p;
  pair_init(&p, NULL, NULL);
  fin_sock l = fin_socket(p.st[1]);
  struct fin_sockaddr any = pair_any(&p, 80);
  assert_int_equal(fin_bind(p.st[1], l, &any), 0);
  assert_int_equal(fin_listen(p.st[1], l, 16), 0);
  fin_sock a = fin_socket(p.st[0]);
  struct fin_sockaddr dst = pair_sockaddr(&p, 1, 80);
  assert_int_equal(fin_connect(p.st[0], a, &dst), -EINPROGRESS);
  pair_run_for(&p, FIN_MS(100));
  assert_int_equal(fin_sock_state(p.st[0], a), FIN_ESTABLISHED);
  assert_int_equal(fin_close(p.st[1], l), 0);
  pair_run_for(&p, FIN_MS(100));
  uint8_t buf[4];
  assert_int_equal(fin_recv(p.st[0], a, buf, sizeof(buf), 0), -ECONNRESET);
  uint64_t ida = fin_sock_conn_id(p.st[0], a);
  assert_int_equal(pair_closed_event(&p, 0, ida)->reason, FIN_REASON_RESET);
  assert_int_equal(fin_stack_conn_count(p.st[1]), 0);
  assert_int_equal(fin_close(p.st[0], a), 0);
  pair_free(&p);
}

static bool drop_all_from_b(struct pair *p, int from, const struct fin_segment *seg, void *ctx) {
  (void)p;
  (void)seg;
  (void)ctx;
  return from == 1;
}

/* BEHAVIOR D13 F4 J2: after a's close nothing from b arrives any more: a
 * retransmits its FIN with backoff and the orphan gives up after
 * orphan_retries; b still read every byte and the EOF. */
static void test_fin_never_acked_orphan_gives_up(void **state) {
  (void)state;
  struct fin_settings sa;
  fin_settings_default(&sa);
  sa.orphan_retries = 4;
  static struct pair p;
  pair_init(&p, &sa, NULL);
  fin_sock a, b;
  pair_connect(&p, 80, &a, &b);
  uint64_t ida = fin_sock_conn_id(p.st[0], a);
  stream(&p, 0, a, 1, b, 40000, 13);
  p.filter = drop_all_from_b;
  assert_int_equal(fin_close(p.st[0], a), 0);
  pair_run_for(&p, FIN_MS(100));
  uint8_t buf[4];
  assert_int_equal(fin_recv(p.st[1], b, buf, sizeof(buf), 0), 0);
  assert_int_equal(fin_sock_state(p.st[1], b), FIN_CLOSE_WAIT);
  pair_run_for(&p, FIN_SEC(600));
  assert_int_equal(fin_stack_conn_count(p.st[0]), 0);
  const struct fin_event *ev = pair_closed_event(&p, 0, ida);
  assert_non_null(ev);
  assert_int_equal(ev->reason, FIN_REASON_RETRANSMIT_TIMEOUT);
  assert_int_equal(ev->err, -ETIMEDOUT);
  /* orphan_retries RTO retransmissions, and the tail loss probe before
   * them (BEHAVIOR S3; a probe is no backoff). */
  assert_int_equal(fin_stack_counters(p.st[0])->retrans_segs, 5);
  assert_int_equal(fin_stack_counters(p.st[0])->loss_probes, 1);
  assert_int_equal(fin_stack_counters(p.st[0])->rst_timeout, 1);
  /* The best-effort RST reached b: b is gone too. */
  assert_int_equal(fin_stack_conn_count(p.st[1]), 0);
  assert_int_equal(fin_recv(p.st[1], b, buf, sizeof(buf), 0), -ECONNRESET);
  assert_int_equal(fin_close(p.st[1], b), 0);
  pair_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_graceful_active_close_delivers_bytes_and_ends_in_time_wait),
      cmocka_unit_test(test_passive_side_closes_first_delivers_bytes_and_ends_in_its_time_wait),
      cmocka_unit_test(test_simultaneous_close_both_sides_closing_then_time_wait),
      cmocka_unit_test(test_half_close_by_client_then_server_streams_after_fin),
      cmocka_unit_test(test_half_close_by_server_then_client_streams_after_fin),
      cmocka_unit_test(test_close_with_data_in_flight_under_loss_delivers_every_byte),
      cmocka_unit_test(test_lost_final_ack_is_recovered_by_time_wait_and_restarts_it),
      cmocka_unit_test(test_time_wait_reopened_by_new_syn_carries_a_new_connection),
      cmocka_unit_test(test_close_in_syn_sent_leaves_nothing_on_either_side),
      cmocka_unit_test(test_listener_close_resets_unaccepted_connection),
      cmocka_unit_test(test_fin_never_acked_orphan_gives_up),
  };
  return PAIR_RUN_BOTH(tests);
}
