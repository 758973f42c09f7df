/* SPDX-License-Identifier: MIT */
/* Bulk resets are never lost, BEHAVIOR M5: stack shutdown with 5,000
 * connections (K2) and a listener closing with 1,500 clients waiting in its
 * accept queue (C5) send every RST they owe - each counted on the wire, one
 * per 4-tuple - and the control queue gives its memory back afterwards. */
#include <stdlib.h>
#include <string.h>

#include "closing.h"

#define BASE_PORT 10000u

static struct fin_settings many_settings(void) {
  struct fin_settings s;
  fin_settings_default(&s);
  s.syn_backlog = 8192;
  s.syn_cookies = false;
  return s;
}

/* n clients from ports BASE_PORT.. complete the handshake with fin's port
 * 80; fin accepts them when `accept_them`. */
static void connect_many(struct peer *p, unsigned n, bool accept_them) {
  for (unsigned i = 0; i < n; i++) {
    uint16_t port = (uint16_t)(BASE_PORT + i);
    raw_send(p, port, TCP_S, p->irs, 0);
    size_t len = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now);
    assert_int_equal(fin_tcp_parse(p->buf, len, &p->last), FIN_WIRE_OK);
    assert_int_equal(p->last.flags, TCP_S | TCP_A);
    assert_int_equal(p->last.dport, port);
    raw_send(p, port, TCP_A, R(p, 1), p->last.seq + 1);
    if (accept_them)
      assert_true(fin_accept(p->st, p->listener, NULL) >= 0);
  }
  peer_expect_nothing(p);
  assert_int_equal(fin_stack_conn_count(p->st), n);
}

/* Drains fin's output: counts RSTs (each 4-tuple once) and FINs. */
static void count_out(struct peer *p, unsigned n, unsigned *rsts, unsigned *fins) {
  static bool seen[65536];
  memset(seen, 0, sizeof(seen));
  *rsts = *fins = 0;
  size_t len;
  while ((len = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now)) > 0) {
    struct fin_segment s;
    assert_int_equal(fin_tcp_parse(p->buf, len, &s), FIN_WIRE_OK);
    assert_true(s.dport >= BASE_PORT && s.dport < BASE_PORT + n);
    if (s.flags & TCP_R) {
      assert_false(seen[s.dport]);
      seen[s.dport] = true;
      (*rsts)++;
    }
    *fins += (s.flags & TCP_F) != 0;
  }
}

/* BEHAVIOR M5, K2: 5,000 connections: shutdown FINs them all, and at the
 * deadline (no peer answered) resets every one. */
static void test_stack_shutdown_resets_all_5000(void **state) {
  (void)state;
  struct fin_settings s = many_settings();
  struct peer p;
  peer_init(&p, &s);
  peer_listen(&p, 5000);
  connect_many(&p, 5000, true);
  unsigned rsts, fins;
  fin_stack_shutdown(p.st, p.now + FIN_MS(100));
  count_out(&p, 5000, &rsts, &fins);
  assert_int_equal(fins, 5000);
  assert_int_equal(rsts, 0);
  p.now += FIN_MS(100);
  fin_stack_on_timers(p.st, p.now);
  count_out(&p, 5000, &rsts, &fins);
  assert_int_equal(rsts, 5000);
  assert_int_equal(peer_counters(&p)->rst_queue_full, 0);
  assert_int_equal(peer_counters(&p)->abort_on_shutdown, 5000);
  assert_true(fin_stack_shutdown_done(p.st));
  peer_free(&p);
}

/* BEHAVIOR M5, C5: 1,500 clients in the accept queue when the listener
 * closes: 1,500 RSTs; and the control queue shrinks back once drained. */
/* ATTACK T62 */
static void test_listener_close_resets_all_1500_queued(void **state) {
  (void)state;
  struct fin_settings s = many_settings();
  struct peer p;
  peer_init(&p, &s);
  peer_listen(&p, 1500);
  size_t before = fin_stack_memory_in_use(p.st);
  connect_many(&p, 1500, false);
  assert_int_equal(fin_close(p.st, p.listener), 0);
  unsigned rsts, fins;
  count_out(&p, 1500, &rsts, &fins);
  assert_int_equal(rsts, 1500);
  assert_int_equal(fins, 0);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(peer_counters(&p)->rst_listen_close, 1500);
  /* Memory back to within the tables that grew (connection hash, timer
   * heap: < 32 KiB): the 1,500 queued RSTs are not held any more. */
  drain_events(&p);
  size_t after = fin_stack_memory_in_use(p.st);
  if (after >= before + 32 * 1024)
    fail_msg("memory in use %zu bytes after the burst, %zu before", after, before);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stack_shutdown_resets_all_5000),
      cmocka_unit_test(test_listener_close_resets_all_1500_queued),
  };
  return PEER_RUN_BOTH(tests);
}
