/* SPDX-License-Identifier: MIT */
/* Allocation-failure torture (curl-style): a full lifecycle - listen,
 * connect, data both ways, close, TIME-WAIT - is run once per allocation,
 * with that allocation failing. Whatever the outcome, nothing crashes,
 * nothing leaks, every call returns 0 or a negative errno, and the stacks
 * stay usable. */
#include <errno.h>
#include <string.h>

#include "fin_test.h"

#define A 0x0a000001u
#define B 0x0a000002u

struct world {
  struct fin_stack *st[2];
  struct test_alloc ta[2];
  struct test_rng rng[2];
  fin_time now;
};

static int world_open(struct world *w, size_t fail_at_a) {
  memset(w, 0, sizeof(*w));
  w->now = FIN_SEC(1);
  for (int i = 0; i < 2; i++) {
    struct fin_settings s;
    fin_settings_default(&s);
    s.local_addrs[0] = i ? B : A;
    s.local_addr_count = 1;
    s.event_mask = FIN_EVENTS_ALL;
    struct fin_allocator al;
    struct fin_random r;
    test_alloc_init(&w->ta[i], &al);
    if (i == 0)
      w->ta[0].fail_at = fail_at_a;
    test_rng_init(&w->rng[i], 5 + (uint64_t)i, &r);
    int err = fin_stack_new(&w->st[i], &s, &al, &r, w->now);
    if (err != 0) {
      assert_int_equal(err, -ENOMEM);
      if (i == 1)
        fin_stack_free(w->st[0]);
      return err;
    }
  }
  return 0;
}

static void pump(struct world *w, fin_time dur) {
  fin_time end = w->now + dur;
  for (int step = 0; step < 20000; step++) {
    bool moved = false;
    for (int i = 0; i < 2; i++) {
      uint8_t buf[1600];
      size_t n;
      while ((n = fin_stack_output(w->st[i], buf, sizeof(buf), w->now)) > 0) {
        fin_stack_input(w->st[1 - i], buf, n, w->now + FIN_MS(1));
        moved = true;
      }
      struct fin_event ev;
      while (fin_stack_poll_event(w->st[i], &ev))
        ;
    }
    if (moved) {
      w->now += FIN_MS(1);
      continue;
    }
    fin_time t = fin_stack_next_deadline(w->st[0]);
    fin_time t2 = fin_stack_next_deadline(w->st[1]);
    t = t2 < t ? t2 : t;
    if (t > end)
      break;
    w->now = t > w->now ? t : w->now;
    fin_stack_on_timers(w->st[0], w->now);
    fin_stack_on_timers(w->st[1], w->now);
  }
  w->now = end;
  fin_stack_set_now(w->st[0], w->now);
  fin_stack_set_now(w->st[1], w->now);
}

static bool is_errno(long r) {
  return r >= 0 || (r < 0 && r > -4096);
}

/* One lifecycle with A as the server side and the client side at once. */
static size_t lifecycle(struct world *w) {
  size_t got = 0;
  fin_sock l = fin_socket(w->st[0]);
  assert_true(is_errno((long)l));
  if (l >= 0) {
    assert_true(is_errno(fin_bind(w->st[0], l, &(struct fin_sockaddr){0, 80})));
    assert_true(is_errno(fin_listen(w->st[0], l, 4)));
  }
  fin_sock c = fin_socket(w->st[1]);
  assert_true(c >= 0);
  fin_connect(w->st[1], c, &(struct fin_sockaddr){A, 80});
  fin_sock o = fin_socket(w->st[0]); /* and an outgoing one from A */
  if (o >= 0)
    assert_true(is_errno(fin_connect(w->st[0], o, &(struct fin_sockaddr){B, 9})));
  pump(w, FIN_MS(50));
  fin_sock s = l >= 0 ? fin_accept(w->st[0], l, NULL) : -EBADF;
  static uint8_t data[30000];
  for (int i = 0; i < 5; i++) {
    if (s >= 0)
      assert_true(is_errno((long)fin_send(w->st[0], s, data, sizeof(data), 0)));
    assert_true(is_errno((long)fin_send(w->st[1], c, data, 1000, 0)));
    pump(w, FIN_MS(20));
    uint8_t buf[65536];
    ssize_t n;
    while ((n = fin_recv(w->st[1], c, buf, sizeof(buf), 0)) > 0)
      got += (size_t)n;
    while (s >= 0 && fin_recv(w->st[0], s, buf, sizeof(buf), 0) > 0)
      ;
  }
  if (s >= 0)
    fin_close(w->st[0], s);
  for (int i = 0; i < 10; i++) {
    pump(w, FIN_MS(50));
    uint8_t buf[65536];
    ssize_t n;
    while ((n = fin_recv(w->st[1], c, buf, sizeof(buf), 0)) > 0)
      got += (size_t)n;
  }
  fin_close(w->st[1], c);
  if (o >= 0)
    fin_close(w->st[0], o);
  if (l >= 0)
    fin_close(w->st[0], l);
  pump(w, FIN_SEC(200));
  return got;
}

static void test_every_allocation_failing_once_is_survived(void **state) {
  (void)state;
  struct world w;
  /* Count the allocations of a clean run first. */
  assert_int_equal(world_open(&w, 0), 0);
  assert_int_equal(lifecycle(&w), 5 * 30000); /* the clean run carries all its data */
  size_t total = w.ta[0].total_allocs;
  fin_stack_free(w.st[0]);
  fin_stack_free(w.st[1]);
  assert_no_leaks(&w.ta[0]);
  assert_true(total > 10);
  for (size_t n = 1; n <= total + 2; n++) {
    if (world_open(&w, n) != 0) {
      assert_no_leaks(&w.ta[0]);
      continue;
    }
    lifecycle(&w);
    assert_int_equal(fin_stack_conn_count(w.st[0]), 0);
    fin_stack_free(w.st[0]);
    fin_stack_free(w.st[1]);
    assert_no_leaks(&w.ta[0]);
    assert_no_leaks(&w.ta[1]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_allocation_failing_once_is_survived),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
