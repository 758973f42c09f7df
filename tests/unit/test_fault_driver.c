/* SPDX-License-Identifier: MIT */
/* The fault wrapper loses datagrams with the configured probability, the
 * same ones for the same seed, and delays outbound datagrams in order. */
#include <errno.h>
#include <string.h>

#include "drivers/fault.h"
#include "fin_test.h"

/* A fake inner driver: records what was sent, always has something to read. */
struct fake {
  size_t sent;
  fin_time last_sent_at;
  uint8_t last[16];
};

static ssize_t fake_recv(void *ctx, uint8_t *buf, size_t cap, fin_time now) {
  (void)ctx;
  (void)now;
  memset(buf, 0x45, cap < 20 ? cap : 20);
  return 20;
}

static int fake_send(void *ctx, const uint8_t *buf, size_t len, fin_time now) {
  struct fake *f = ctx;
  f->sent++;
  f->last_sent_at = now;
  memcpy(f->last, buf, len < 16 ? len : 16);
  return 0;
}

static int fake_fd(void *ctx) {
  (void)ctx;
  return 0;
}

static struct fin_driver fake_driver(struct fake *f) {
  memset(f, 0, sizeof(*f));
  return (struct fin_driver){.recv = fake_recv, .send = fake_send, .fd = fake_fd, .ctx = f};
}

static size_t count_sent(double drop, uint64_t seed, size_t n) {
  struct fake f;
  struct fin_driver inner = fake_driver(&f), d;
  struct fin_fault *fault;
  struct fin_fault_config cfg = {.drop = drop, .seed = seed};
  assert_int_equal(fin_fault_new(&fault, &inner, &cfg), 0);
  fin_fault_driver(fault, &d);
  uint8_t pkt[20] = {0x45};
  for (size_t i = 0; i < n; i++)
    assert_int_equal(d.send(d.ctx, pkt, sizeof(pkt), 0), 0);
  struct fin_fault_stats st = fin_fault_stats(fault);
  assert_int_equal(st.dropped_out + f.sent, n);
  fin_fault_free(fault);
  return f.sent;
}

static void test_fault_drop_rate_is_close_to_probability(void **state) {
  (void)state;
  size_t sent = count_sent(0.05, 42, 100000);
  assert_in_range(sent, 94500, 95500);
}

static void test_fault_same_seed_same_losses(void **state) {
  (void)state;
  assert_int_equal(count_sent(0.3, 7, 1000), count_sent(0.3, 7, 1000));
  assert_int_equal(count_sent(0.0, 7, 1000), 1000);
  assert_int_equal(count_sent(1.0, 7, 1000), 0);
}

static void test_fault_delay_holds_until_deadline(void **state) {
  (void)state;
  struct fake f;
  struct fin_driver inner = fake_driver(&f), d;
  struct fin_fault *fault;
  struct fin_fault_config cfg = {.delay = FIN_MS(400)};
  assert_int_equal(fin_fault_new(&fault, &inner, &cfg), 0);
  fin_fault_driver(fault, &d);
  uint8_t a[4] = {1}, b[4] = {2};
  d.send(d.ctx, a, sizeof(a), FIN_MS(10));
  d.send(d.ctx, b, sizeof(b), FIN_MS(20));
  assert_int_equal(f.sent, 0);
  assert_int_equal(d.next_deadline(d.ctx), FIN_MS(410));
  d.on_timer(d.ctx, FIN_MS(409));
  assert_int_equal(f.sent, 0);
  d.on_timer(d.ctx, FIN_MS(410));
  assert_int_equal(f.sent, 1);
  assert_int_equal(f.last[0], 1);
  d.on_timer(d.ctx, FIN_MS(500));
  assert_int_equal(f.sent, 2);
  assert_int_equal(f.last[0], 2);
  assert_int_equal(d.next_deadline(d.ctx), FIN_NEVER);
  fin_fault_free(fault);
}

static void test_fault_rejects_bad_probability(void **state) {
  (void)state;
  struct fake f;
  struct fin_driver inner = fake_driver(&f);
  struct fin_fault *fault;
  struct fin_fault_config cfg = {.drop = 1.5};
  assert_int_equal(fin_fault_new(&fault, &inner, &cfg), -EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fault_drop_rate_is_close_to_probability),
      cmocka_unit_test(test_fault_same_seed_same_losses),
      cmocka_unit_test(test_fault_delay_holds_until_deadline),
      cmocka_unit_test(test_fault_rejects_bad_probability),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
