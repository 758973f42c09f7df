/* SPDX-License-Identifier: MIT */
/* Queued output is a due deadline (docs/runtime.md, "The loop"): after any
 * socket call that queues a segment, fin_stack_next_deadline() is the
 * stack's current time and the wake-up fires once; draining the output
 * makes the deadline a timer again. Calls that queue nothing leave both
 * alone. And a loop written from the documentation alone (sleep until the
 * deadline; when due, run timers and drain) completes a whole lifecycle:
 * before this contract such a loop never sent the SYN. */
#include <errno.h>
#include <string.h>

#include "pair.h"
#include "peer.h"

struct wake_count {
  int n;
};

static void count_wake(void *ctx) {
  ((struct wake_count *)ctx)->n++;
}

static void watch(struct peer *p, struct wake_count *w) {
  w->n = 0;
  fin_stack_set_wakeup(p->st, count_wake, w);
}

static void assert_output_due(struct peer *p) {
  assert_int_equal(fin_stack_next_deadline(p->st), fin_stack_now(p->st));
}

static void test_connect_makes_the_syn_due_now(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  struct wake_count w;
  watch(&p, &w);
  p.s = fin_socket(p.st);
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  struct fin_sockaddr dst = peer_remote(&p);
  assert_int_equal(fin_connect(p.st, p.s, &dst), -EINPROGRESS);
  assert_output_due(&p);
  assert_int_equal(w.n, 1);
  size_t n = fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now);
  assert_true(n > 0);
  assert_int_equal(fin_stack_output(p.st, p.buf, sizeof(p.buf), p.now), 0);
  /* Drained: now the SYN's retransmission timer (RFC 6298 (2.1): 1 s). */
  assert_int_equal(fin_stack_next_deadline(p.st), p.now + FIN_SEC(1));
  assert_int_equal(w.n, 1);
  peer_free(&p);
}

static void test_send_makes_data_due_now(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  struct wake_count w;
  watch(&p, &w);
  assert_true(fin_stack_next_deadline(p.st) > p.now);
  assert_int_equal(fin_send(p.st, p.s, "abc", 3, 0), 3);
  assert_output_due(&p);
  assert_int_equal(fin_send(p.st, p.s, "def", 3, 0), 3);
  assert_int_equal(w.n, 1); /* once until drained */
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 6);
  peer_expect_nothing(&p);
  assert_true(fin_stack_next_deadline(p.st) > p.now);
  /* Nagle (RFC 1122 §4.2.3.4) holds a small segment while data is in
   * flight: nothing is queued, so nothing is due and nobody is woken. */
  assert_int_equal(fin_send(p.st, p.s, "g", 1, 0), 1);
  assert_true(fin_stack_next_deadline(p.st) > p.now);
  assert_int_equal(w.n, 1);
  peer_expect_nothing(&p);
  /* The ACK of the 6 bytes releases it: due (and woken) from the input. */
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 7), NULL, 0);
  assert_output_due(&p);
  assert_int_equal(w.n, 2);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 7), R(&p, 1), 1);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR C1: the FIN leaves at once. */
static void test_close_makes_the_fin_due_now(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_active(&p);
  struct wake_count w;
  watch(&p, &w);
  assert_int_equal(fin_close(p.st, p.s), 0);
  assert_output_due(&p);
  assert_int_equal(w.n, 1);
  peer_expect(&p, TCP_A | TCP_F, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_true(fin_stack_next_deadline(p.st) > p.now);
  peer_free(&p);
}

/* BEHAVIOR B1: an abort queues its RST, due at once. */
static void test_abort_makes_the_rst_due_now(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  struct wake_count w;
  watch(&p, &w);
  assert_int_equal(fin_abort(p.st, p.s), 0);
  assert_output_due(&p);
  assert_int_equal(w.n, 1);
  peer_expect(&p, TCP_A | TCP_R, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  peer_free(&p);
}

/* BEHAVIOR B6: an administrative kill's RST is due at once too. */
static void test_kill_makes_the_rst_due_now(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  peer_establish_passive(&p);
  struct fin_conn_info info;
  size_t cursor = 0;
  assert_int_equal(fin_stack_list(p.st, &cursor, &info, 1), 1);
  struct wake_count w;
  watch(&p, &w);
  assert_int_equal(fin_stack_kill(p.st, &info.tuple), 0);
  assert_output_due(&p);
  assert_int_equal(w.n, 1);
  peer_expect(&p, TCP_A | TCP_R, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* What must not happen: calls that queue nothing do not make anything due
 * and do not wake the loop. */
static void test_calls_without_output_leave_the_deadline_alone(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  struct wake_count w;
  watch(&p, &w);
  fin_sock l = fin_socket(p.st);
  struct fin_sockaddr any = peer_any(&p, FIN_PORT);
  assert_int_equal(fin_bind(p.st, l, &any), 0);
  assert_int_equal(fin_listen(p.st, l, 8), 0);
  char buf[8];
  assert_int_equal(fin_accept(p.st, l, NULL), -EAGAIN);
  assert_int_equal(fin_recv(p.st, l, buf, sizeof(buf), 0) < 0, 1);
  (void)fin_poll(p.st, l);
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  assert_int_equal(w.n, 0);
  assert_int_equal(fin_close(p.st, l), 0); /* an empty listener closes silently */
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  assert_int_equal(w.n, 0);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* Input that needs an answer (an RST to a closed port, RFC 9293 §3.10.7.1)
 * wakes too; the wake-up never fires from inside fin_stack_output. */
static void test_input_reply_wakes_and_output_does_not(void **state) {
  (void)state;
  struct peer p;
  peer_init(&p, NULL);
  struct wake_count w;
  watch(&p, &w);
  p.fin_port = FIN_PORT;
  peer_send(&p, TCP_S, p.irs, 0, NULL, 0);
  assert_output_due(&p);
  assert_int_equal(w.n, 1);
  peer_expect(&p, TCP_A | TCP_R, 0, R(&p, 1));
  assert_int_equal(w.n, 1);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_next_deadline(p.st), FIN_NEVER);
  peer_free(&p);
}

/* ---- the documented loop, literally ---- */

/* docs/runtime.md: "sleep until the earliest deadline or datagram; when a
 * stack's deadline is due, run its timers and drain its output". The wire
 * is p's queue with its one-way delay; nothing else moves packets. */
static bool loop_step(struct pair *p) {
  for (int i = 0; i < 2; i++) {
    if (fin_stack_next_deadline(p->st[i]) > p->now)
      continue;
    fin_stack_on_timers(p->st[i], p->now);
    uint8_t buf[1600];
    size_t n;
    while ((n = fin_stack_output(p->st[i], buf, sizeof(buf), p->now)) > 0) {
      assert_true(p->qlen < sizeof(p->q) / sizeof(p->q[0]));
      memcpy(p->q[p->qlen].data, buf, n);
      p->q[p->qlen].len = n;
      p->q[p->qlen].to = 1 - i;
      p->q[p->qlen].at = p->now + p->delay;
      p->qlen++;
    }
  }
  fin_time t = FIN_NEVER;
  for (size_t k = 0; k < p->qlen; k++)
    t = p->q[k].at < t ? p->q[k].at : t;
  for (int i = 0; i < 2; i++) {
    fin_time d = fin_stack_next_deadline(p->st[i]);
    t = d < t ? d : t;
  }
  if (t == FIN_NEVER)
    return false; /* the loop would sleep forever */
  p->now = t > p->now ? t : p->now;
  for (size_t k = 0; k < p->qlen;) {
    if (p->q[k].at > p->now) {
      k++;
      continue;
    }
    int to = p->q[k].to;
    uint8_t buf[1600];
    size_t len = p->q[k].len;
    memcpy(buf, p->q[k].data, len);
    memmove(&p->q[k], &p->q[k + 1], (p->qlen - k - 1) * sizeof(p->q[0]));
    p->qlen--;
    fin_stack_input(p->st[to], buf, len, p->now);
  }
  return true;
}

/* Runs the loop until `done` holds; fails if the loop would sleep forever
 * first (the hang) or takes more than max steps. */
static void loop_until(struct pair *p, bool (*done)(struct pair *, fin_sock *), fin_sock *s,
                       int max) {
  for (int step = 0; step < max; step++) {
    if (done(p, s))
      return;
    if (!loop_step(p) && !done(p, s))
      fail_msg("the documented loop has nothing to wait for: it would hang");
  }
  fail_msg("no progress in %d steps", max);
}

static bool accepted(struct pair *p, fin_sock *s) {
  if (s[1] < 0)
    s[1] = fin_accept(p->st[1], s[2], NULL);
  return s[1] >= 0 && fin_sock_state(p->st[0], s[0]) == FIN_ESTABLISHED;
}

static bool six_bytes_in(struct pair *p, fin_sock *s) {
  return fin_inq(p->st[1], s[1]) == 6;
}

static bool both_gone(struct pair *p, fin_sock *s) {
  (void)s;
  return fin_stack_conn_count(p->st[0]) + fin_stack_conn_count(p->st[1]) +
             fin_stack_time_wait_count(p->st[0]) + fin_stack_time_wait_count(p->st[1]) ==
         0;
}

static void test_the_documented_loop_completes_a_lifecycle(void **state) {
  (void)state;
  static struct pair p;
  pair_init(&p, NULL, NULL);
  fin_sock s[3] = {fin_socket(p.st[0]), -1, fin_socket(p.st[1])};
  struct fin_sockaddr any = pair_any(&p, 80), dst = pair_sockaddr(&p, 1, 80);
  assert_int_equal(fin_bind(p.st[1], s[2], &any), 0);
  assert_int_equal(fin_listen(p.st[1], s[2], 8), 0);
  assert_int_equal(fin_connect(p.st[0], s[0], &dst), -EINPROGRESS);
  loop_until(&p, accepted, s, 100);
  assert_int_equal(fin_send(p.st[0], s[0], "hello!", 6, 0), 6);
  loop_until(&p, six_bytes_in, s, 100);
  char buf[8];
  assert_int_equal(fin_recv(p.st[1], s[1], buf, sizeof(buf), 0), 6);
  assert_int_equal(fin_close(p.st[0], s[0]), 0);
  assert_int_equal(fin_close(p.st[1], s[1]), 0);
  assert_int_equal(fin_close(p.st[1], s[2]), 0);
  loop_until(&p, both_gone, s, 1000); /* through TIME-WAIT (2 MSL) */
  assert_false(loop_step(&p));        /* and then the loop rests: nothing is due */
  pair_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_connect_makes_the_syn_due_now),
      cmocka_unit_test(test_send_makes_data_due_now),
      cmocka_unit_test(test_close_makes_the_fin_due_now),
      cmocka_unit_test(test_abort_makes_the_rst_due_now),
      cmocka_unit_test(test_kill_makes_the_rst_due_now),
      cmocka_unit_test(test_calls_without_output_leave_the_deadline_alone),
      cmocka_unit_test(test_input_reply_wakes_and_output_does_not),
      cmocka_unit_test(test_the_documented_loop_completes_a_lifecycle),
  };
  return PEER_RUN_BOTH(tests);
}
