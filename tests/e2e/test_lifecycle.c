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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_graceful_active_close_delivers_bytes_and_ends_in_time_wait),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
