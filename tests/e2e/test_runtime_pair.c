/* SPDX-License-Identifier: MIT */
/* Two runtimes joined by a datagram socketpair, each in its own thread:
 * the blocking helpers (connect, accept, send_all, recv, close) work over
 * run_once with a real clock, and both ends finish cleanly. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fin/runtime.h"
#include "fin_test.h"

#define A_ADDR 0x0a4d0001u /* 10.77.0.1 */
#define B_ADDR 0x0a4d0002u /* 10.77.0.2 */
#define PORT   7

static ssize_t pair_recv(void *ctx, uint8_t *buf, size_t cap, fin_time now) {
  (void)now;
  ssize_t n = recv(*(int *)ctx, buf, cap, MSG_DONTWAIT);
  if (n >= 0)
    return n;
  return errno == EAGAIN ? 0 : -errno;
}

static int pair_send(void *ctx, const uint8_t *buf, size_t len, fin_time now) {
  (void)now;
  return send(*(int *)ctx, buf, len, MSG_DONTWAIT) < 0 ? -errno : 0;
}

static int pair_fd(void *ctx) {
  return *(int *)ctx;
}

static struct fin_runtime *pair_runtime(int *fd, uint32_t addr) {
  struct fin_driver d = {.recv = pair_recv, .send = pair_send, .fd = pair_fd, .ctx = fd};
  struct fin_settings s;
  fin_settings_default(&s);
  s.local_addrs[0] = addr;
  s.local_addr_count = 1;
  s.msl = FIN_MS(50);
  struct fin_runtime *rt;
  assert_int_equal(fin_runtime_new(&rt, &s, &d), 0);
  return rt;
}

/* The server: accept one connection, echo until EOF, close. */
static void *echo_server(void *arg) {
  struct fin_runtime *rt = arg;
  struct fin_stack *st = fin_runtime_stack(rt);
  fin_sock l = fin_socket(st);
  struct fin_sockaddr a = {.addr = A_ADDR, .port = PORT};
  if (fin_bind(st, l, &a) < 0 || fin_listen(st, l, 8) < 0)
    return (void *)1;
  fin_sock s = fin_rt_accept(rt, l, NULL, FIN_SEC(5));
  if (s < 0)
    return (void *)2;
  uint8_t buf[4096];
  ssize_t n;
  while ((n = fin_rt_recv(rt, s, buf, sizeof(buf), FIN_SEC(5))) > 0)
    if (fin_rt_send_all(rt, s, buf, (size_t)n, FIN_SEC(5)) != n)
      return (void *)3;
  if (n < 0 || fin_rt_close(rt, s, FIN_SEC(5)) < 0)
    return (void *)4;
  fin_close(st, l);
  /* LAST-ACK needs the client's ACK: run until nothing is left. */
  fin_time end = fin_clock_now() + FIN_SEC(5);
  while (fin_stack_conn_count(st) > 0 && fin_clock_now() < end)
    fin_runtime_run_once(rt, FIN_MS(50));
  return fin_stack_conn_count(st) == 0 ? NULL : (void *)5;
}

static void test_runtime_pair_echo_and_graceful_close(void **state) {
  (void)state;
  int fds[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds), 0);
  struct fin_runtime *ra = pair_runtime(&fds[0], A_ADDR);
  struct fin_runtime *rb = pair_runtime(&fds[1], B_ADDR);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, echo_server, ra), 0);

  struct fin_stack *st = fin_runtime_stack(rb);
  fin_sock s = fin_socket(st);
  struct fin_sockaddr a = {.addr = A_ADDR, .port = PORT};
  int r = -1;
  for (int i = 0; i < 50 && r != 0; i++) /* the server thread may not listen yet */
    if ((r = fin_rt_connect(rb, s, &a, FIN_SEC(5))) == -ECONNREFUSED) {
      fin_close(st, s);
      s = fin_socket(st);
      usleep(10000);
    }
  assert_int_equal(r, 0);
  static uint8_t out[200000], in[200000];
  for (size_t i = 0; i < sizeof(out); i++)
    out[i] = (uint8_t)(i * 7 + i / 251);
  assert_int_equal(fin_rt_send_all(rb, s, out, sizeof(out), FIN_SEC(5)), (ssize_t)sizeof(out));
  assert_int_equal(fin_shutdown(st, s, FIN_SHUT_WR), 0);
  size_t got = 0;
  ssize_t n;
  while ((n = fin_rt_recv(rb, s, in + got, sizeof(in) - got, FIN_SEC(5))) > 0)
    got += (size_t)n;
  assert_int_equal(n, 0);
  assert_int_equal(got, sizeof(out));
  assert_memory_equal(in, out, sizeof(out));
  assert_int_equal(fin_rt_close(rb, s, FIN_SEC(5)), 0);

  void *res;
  /* Keep answering the server until it is done (its FIN needs our ACK). */
  for (int i = 0; i < 100 && pthread_tryjoin_np(t, &res) == EBUSY; i++)
    fin_runtime_run_once(rb, FIN_MS(20));
  assert_null(res);
  /* Our side holds TIME-WAIT for 2*MSL = 100 ms, then nothing. */
  fin_time end = fin_clock_now() + FIN_SEC(2);
  while ((fin_stack_conn_count(st) || fin_stack_time_wait_count(st)) && fin_clock_now() < end)
    fin_runtime_run_once(rb, FIN_MS(20));
  assert_int_equal(fin_stack_conn_count(st), 0);
  assert_int_equal(fin_stack_time_wait_count(st), 0);
  assert_true(fin_runtime_fd(rb) >= 0);
  assert_int_equal(fin_runtime_next_deadline(rb), FIN_NEVER);
  fin_runtime_free(ra);
  fin_runtime_free(rb);
  close(fds[0]);
  close(fds[1]);
}

static void test_runtime_rt_accept_times_out(void **state) {
  (void)state;
  int fds[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds), 0);
  struct fin_runtime *rt = pair_runtime(&fds[0], A_ADDR);
  struct fin_stack *st = fin_runtime_stack(rt);
  fin_sock l = fin_socket(st);
  struct fin_sockaddr a = {.addr = A_ADDR, .port = PORT};
  assert_int_equal(fin_bind(st, l, &a), 0);
  assert_int_equal(fin_listen(st, l, 8), 0);
  fin_time t0 = fin_clock_now();
  assert_int_equal(fin_rt_accept(rt, l, NULL, FIN_MS(100)), -ETIMEDOUT);
  fin_time took = fin_clock_now() - t0;
  assert_in_range(took, FIN_MS(100), FIN_MS(400));
  fin_close(st, l);
  fin_runtime_free(rt);
  close(fds[0]);
  close(fds[1]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_runtime_pair_echo_and_graceful_close),
      cmocka_unit_test(test_runtime_rt_accept_times_out),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
