/* SPDX-License-Identifier: MIT */
/* The runtime's fd wakes a loop that sleeps on it (docs/runtime.md): a
 * socket call that queues output makes fin_runtime_fd() readable (an
 * eventfd in its epoll set) and fin_runtime_next_deadline() due; one step
 * sends it and the fd is quiet again. The wire is a datagram socketpair
 * whose far end the test reads itself. */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fin/runtime.h"
#include "fin_test.h"

#define LOCAL  0x0a4d0002u /* 10.77.0.2 */
#define REMOTE 0x0a4d0001u

struct rig {
  int sv[2];
  struct fin_runtime *rt;
  struct fin_stack *st;
};

static ssize_t rig_recv(void *ctx, uint8_t *buf, size_t cap, fin_time now) {
  (void)now;
  ssize_t n = recv(*(int *)ctx, buf, cap, MSG_DONTWAIT);
  return n >= 0 ? n : errno == EAGAIN ? 0 : -errno;
}

static int rig_send(void *ctx, const uint8_t *buf, size_t len, fin_time now) {
  (void)now;
  return send(*(int *)ctx, buf, len, MSG_DONTWAIT) < 0 ? -errno : 0;
}

static int rig_fd(void *ctx) {
  return *(int *)ctx;
}

static void rig_init(struct rig *r) {
  assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, r->sv), 0);
  struct fin_driver d = {.recv = rig_recv, .send = rig_send, .fd = rig_fd, .ctx = &r->sv[0]};
  struct fin_settings s;
  fin_settings_default(&s);
  s.local_addrs[0] = LOCAL;
  s.local_addr_count = 1;
  assert_int_equal(fin_runtime_new(&r->rt, &s, &d), 0);
  r->st = fin_runtime_stack(r->rt);
}

static void rig_free(struct rig *r) {
  fin_runtime_free(r->rt);
  close(r->sv[0]);
  close(r->sv[1]);
}

static bool readable(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* The flags of the next datagram on the wire, or -1 when there is none. */
static int wire_flags(struct rig *r) {
  uint8_t buf[2048];
  ssize_t n = recv(r->sv[1], buf, sizeof(buf), MSG_DONTWAIT);
  if (n <= 0)
    return -1;
  struct fin_segment seg;
  assert_int_equal(fin_tcp_parse(buf, (size_t)n, &seg), FIN_WIRE_OK);
  return seg.flags;
}

static void test_connect_wakes_the_fd_and_one_step_sends_the_syn(void **state) {
  (void)state;
  struct rig r;
  rig_init(&r);
  assert_false(readable(fin_runtime_fd(r.rt)));
  assert_int_equal(fin_runtime_next_deadline(r.rt), FIN_NEVER);
  fin_sock s = fin_socket(r.st);
  struct fin_sockaddr dst = {REMOTE, 9};
  fin_stack_set_now(r.st, fin_clock_now());
  assert_int_equal(fin_connect(r.st, s, &dst), -EINPROGRESS);
  assert_true(readable(fin_runtime_fd(r.rt)));
  assert_true(fin_runtime_next_deadline(r.rt) <= fin_clock_now());
  assert_int_equal(wire_flags(&r), -1);               /* queued, not sent: nobody stepped yet */
  assert_int_equal(fin_runtime_run_once(r.rt, 0), 0); /* the wake-up is not a watched fd */
  assert_int_equal(wire_flags(&r), FIN_TCP_SYN);
  assert_int_equal(wire_flags(&r), -1);
  assert_false(readable(fin_runtime_fd(r.rt)));
  assert_true(fin_runtime_next_deadline(r.rt) > fin_clock_now()); /* the SYN's RTO */
  rig_free(&r);
}

/* What must not happen: calls that queue nothing leave the fd quiet. */
static void test_calls_without_output_leave_the_fd_quiet(void **state) {
  (void)state;
  struct rig r;
  rig_init(&r);
  fin_sock l = fin_socket(r.st);
  struct fin_sockaddr any = {0, 80};
  assert_int_equal(fin_bind(r.st, l, &any), 0);
  assert_int_equal(fin_listen(r.st, l, 8), 0);
  assert_int_equal(fin_accept(r.st, l, NULL), -EAGAIN);
  assert_false(readable(fin_runtime_fd(r.rt)));
  assert_int_equal(fin_runtime_next_deadline(r.rt), FIN_NEVER);
  assert_int_equal(fin_close(r.st, l), 0);
  assert_false(readable(fin_runtime_fd(r.rt)));
  assert_int_equal(fin_runtime_run_once(r.rt, 0), 0);
  assert_int_equal(wire_flags(&r), -1);
  rig_free(&r);
}

/* A watched fd is still reported as such (1), and the wake-up's eventfd
 * never is. */
static void test_watched_fd_still_returns_one(void **state) {
  (void)state;
  struct rig r;
  rig_init(&r);
  int p[2];
  assert_int_equal(pipe(p), 0);
  assert_int_equal(fin_runtime_watch(r.rt, p[0]), 0);
  fin_sock s = fin_socket(r.st);
  struct fin_sockaddr dst = {REMOTE, 9};
  assert_int_equal(fin_connect(r.st, s, &dst), -EINPROGRESS);
  assert_int_equal(fin_runtime_run_once(r.rt, 0), 0);
  assert_int_equal(wire_flags(&r), FIN_TCP_SYN);
  assert_int_equal(write(p[1], "x", 1), 1);
  assert_int_equal(fin_runtime_run_once(r.rt, FIN_SEC(1)), 1);
  assert_int_equal(fin_runtime_unwatch(r.rt, p[0]), 0);
  close(p[0]);
  close(p[1]);
  rig_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_connect_wakes_the_fd_and_one_step_sends_the_syn),
      cmocka_unit_test(test_calls_without_output_leave_the_fd_quiet),
      cmocka_unit_test(test_watched_fd_still_returns_one),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
