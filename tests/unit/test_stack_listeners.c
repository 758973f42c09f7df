/* SPDX-License-Identifier: MIT */
/* fin_stack_list_listeners: what `fin ss -l` shows (local address, backlog,
 * SYN queue and accept queue), paged by a cursor like fin_stack_list. */
#include "peer.h"

static size_t list_all(struct peer *p, struct fin_listener_info *out, size_t max) {
  size_t cursor = 0, n = 0, got;
  while (n < max && (got = fin_stack_list_listeners(p->st, &cursor, out + n, 1)) > 0)
    n += got;
  return n;
}

static fin_sock listen_on(struct peer *p, uint16_t port, int backlog) {
  fin_sock l = fin_socket(p->st);
  struct fin_sockaddr a = peer_local(p, port);
  assert_int_equal(fin_bind(p->st, l, &a), 0);
  assert_int_equal(fin_listen(p->st, l, backlog), 0);
  return l;
}

static void test_listeners_none_without_listen(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  struct fin_listener_info info[2];
  size_t cursor = 0;
  assert_int_equal(fin_stack_list_listeners(p.st, &cursor, info, 2), 0);
  fin_sock s = fin_socket(p.st); /* a socket that is not listening is not listed */
  assert_true(s >= 0);
  assert_int_equal(fin_stack_list_listeners(p.st, &cursor, info, 2), 0);
  fin_close(p.st, s);
  peer_free(&p);
}

static void test_listeners_show_queues_through_handshake(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  p.listener = listen_on(&p, FIN_PORT, 4);
  p.fin_port = FIN_PORT;
  struct fin_listener_info info[2];
  assert_int_equal(list_all(&p, info, 2), 1);
  assert_true(info[0].sock == p.listener);
  assert_true(fin_addr_eq(&info[0].local.addr, &p.fin_ip));
  assert_int_equal(info[0].local.port, FIN_PORT);
  assert_int_equal(info[0].backlog, 4);
  assert_int_equal(info[0].syn_queued, 0);
  assert_int_equal(info[0].accept_queued, 0);
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  p.iss = peer_expect_syn_ack(&p, R(&p, 1));
  assert_int_equal(list_all(&p, info, 2), 1);
  assert_int_equal(info[0].syn_queued, 1);
  assert_int_equal(info[0].accept_queued, 0);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  assert_int_equal(list_all(&p, info, 2), 1);
  assert_int_equal(info[0].syn_queued, 0);
  assert_int_equal(info[0].accept_queued, 1);
  p.s = fin_accept(p.st, p.listener, NULL);
  assert_true(p.s >= 0);
  assert_int_equal(list_all(&p, info, 2), 1);
  assert_int_equal(info[0].accept_queued, 0);
  fin_abort(p.st, p.s);
  fin_close(p.st, p.listener);
  assert_int_equal(list_all(&p, info, 2), 0); /* a closed listener is gone at once */
  peer_free(&p);
}

static void test_listeners_cursor_pages_each_once(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  fin_sock a = listen_on(&p, 80, 8), b = listen_on(&p, 81, 8), c = listen_on(&p, 8080, 8);
  struct fin_listener_info info[4];
  assert_int_equal(list_all(&p, info, 4), 3);
  unsigned seen = 0;
  for (int i = 0; i < 3; i++)
    seen |= info[i].local.port == 80 ? 1u : info[i].local.port == 81 ? 2u : 4u;
  assert_int_equal(seen, 7);
  size_t cursor = 0;
  assert_int_equal(fin_stack_list_listeners(p.st, &cursor, info, 4), 3);
  assert_int_equal(fin_stack_list_listeners(p.st, &cursor, info, 4), 0); /* the end */
  fin_close(p.st, a);
  fin_close(p.st, b);
  fin_close(p.st, c);
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_listeners_none_without_listen),
      cmocka_unit_test(test_listeners_show_queues_through_handshake),
      cmocka_unit_test(test_listeners_cursor_pages_each_once),
  };
  return PEER_RUN_BOTH(tests);
}
