/* SPDX-License-Identifier: MIT */
#include "pair.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void make_stack(struct pair *p, int i, const struct fin_settings *s) {
  struct fin_settings set;
  if (s != NULL)
    set = *s;
  else
    fin_settings_default(&set);
  set.local_addrs[0] = i == 0 ? PAIR_ADDR_A : PAIR_ADDR_B;
  set.local_addr_count = 1;
  set.event_mask = FIN_EVENTS_ALL;
  struct fin_allocator a;
  struct fin_random r;
  test_alloc_init(&p->ta[i], &a);
  test_rng_init(&p->rng[i], 1234 + (uint64_t)i, &r);
  assert_int_equal(fin_stack_new(&p->st[i], &set, &a, &r, p->now), 0);
}

void pair_init(struct pair *p, const struct fin_settings *sa, const struct fin_settings *sb) {
  memset(p, 0, sizeof(*p));
  p->now = FIN_SEC(1);
  p->delay = FIN_MS(10);
  make_stack(p, 0, sa);
  make_stack(p, 1, sb);
}

void pair_free(struct pair *p) {
  for (int i = 0; i < 2; i++) {
    fin_stack_free(p->st[i]);
    assert_no_leaks(&p->ta[i]);
  }
}

static void collect_events(struct pair *p) {
  for (int i = 0; i < 2; i++) {
    struct fin_event ev;
    while (fin_stack_poll_event(p->st[i], &ev)) {
      if (p->nevents < PAIR_MAX_EVENTS) {
        p->events[p->nevents].host = i;
        p->events[p->nevents].ev = ev;
        p->nevents++;
      }
    }
  }
}

static void drain_output(struct pair *p) {
  for (int i = 0; i < 2; i++) {
    uint8_t buf[1600];
    size_t n;
    int guard = 100000;
    while ((n = fin_stack_output(p->st[i], buf, sizeof(buf), p->now)) > 0 && guard-- > 0) {
      struct fin_segment seg;
      assert_int_equal(fin_tcp_parse(buf, n, &seg), FIN_WIRE_OK);
      p->sent[i]++;
      if (p->filter != NULL && p->filter(p, i, &seg, p->filter_ctx)) {
        p->dropped[i]++;
        continue;
      }
      assert_true(p->qlen < sizeof(p->q) / sizeof(p->q[0]));
      memcpy(p->q[p->qlen].data, buf, n);
      p->q[p->qlen].len = n;
      p->q[p->qlen].to = 1 - i;
      fin_time at = p->now + p->delay;
      if (p->gap > 0 && at < p->last_at[i] + p->gap)
        at = p->last_at[i] + p->gap;
      p->last_at[i] = at;
      p->q[p->qlen].at = at;
      p->qlen++;
    }
  }
  collect_events(p);
}

static fin_time next_time(struct pair *p) {
  fin_time t = FIN_NEVER;
  for (size_t i = 0; i < p->qlen; i++)
    if (p->q[i].at < t)
      t = p->q[i].at;
  for (int i = 0; i < 2; i++) {
    fin_time d = fin_stack_next_deadline(p->st[i]);
    if (d < t)
      t = d;
  }
  return t;
}

static void deliver_due(struct pair *p) {
  size_t i = 0;
  while (i < p->qlen) {
    if (p->q[i].at > p->now) {
      i++;
      continue;
    }
    uint8_t buf[1600];
    size_t len = p->q[i].len;
    int to = p->q[i].to;
    memcpy(buf, p->q[i].data, len);
    memmove(&p->q[i], &p->q[i + 1], (p->qlen - i - 1) * sizeof(p->q[0]));
    p->qlen--;
    fin_stack_input(p->st[to], buf, len, p->now);
  }
}

/* The engine's invariants after every step (fin_stack_audit), and no
 * deadline left in the past once the timers ran. */
static void check_invariants(struct pair *p, bool timers_ran) {
  for (int i = 0; i < 2; i++) {
    struct fin_audit a;
    if (fin_stack_audit(p->st[i], &a) != 0)
      fail_msg("host %c at t=%lld: invariant broken: %s (conn %llu, %s)", 'a' + i,
               (long long)p->now, a.what, (unsigned long long)a.conn_id, fin_state_name(a.state));
    if (timers_ran && fin_stack_next_deadline(p->st[i]) <= p->now)
      fail_msg("host %c at t=%lld: a deadline in the past after on_timers", 'a' + i,
               (long long)p->now);
  }
}

void pair_run(struct pair *p, fin_time until) {
  for (int steps = 0; steps < 1000000; steps++) {
    drain_output(p);
    check_invariants(p, false);
    fin_time t = next_time(p);
    if (t > until) {
      if (p->now < until)
        p->now = until;
      for (int i = 0; i < 2; i++)
        fin_stack_set_now(p->st[i], p->now);
      return;
    }
    if (t > p->now)
      p->now = t;
    deliver_due(p);
    for (int i = 0; i < 2; i++)
      fin_stack_on_timers(p->st[i], p->now);
    drain_output(p);
    check_invariants(p, true);
  }
  fail_msg("pair_run: step bound reached at t=%lld", (long long)p->now);
}

void pair_run_for(struct pair *p, fin_time d) {
  pair_run(p, p->now + d);
}

void pair_connect(struct pair *p, uint16_t port, fin_sock *a, fin_sock *b) {
  fin_sock l = fin_socket(p->st[1]);
  assert_true(l >= 0);
  struct fin_sockaddr any = {0, port};
  assert_int_equal(fin_bind(p->st[1], l, &any), 0);
  assert_int_equal(fin_listen(p->st[1], l, 16), 0);
  *a = fin_socket(p->st[0]);
  assert_true(*a >= 0);
  struct fin_sockaddr dst = {PAIR_ADDR_B, port};
  assert_int_equal(fin_connect(p->st[0], *a, &dst), -EINPROGRESS);
  pair_run_for(p, FIN_MS(100));
  *b = fin_accept(p->st[1], l, NULL);
  assert_true(*b >= 0);
  assert_int_equal(fin_close(p->st[1], l), 0);
  assert_int_equal(fin_sock_state(p->st[0], *a), FIN_ESTABLISHED);
  assert_int_equal(fin_sock_state(p->st[1], *b), FIN_ESTABLISHED);
}

size_t pair_read_all(struct pair *p, int host, fin_sock s, uint8_t *buf, size_t cap) {
  size_t total = 0;
  while (total < cap) {
    ssize_t n = fin_recv(p->st[host], s, buf + total, cap - total, 0);
    if (n <= 0)
      break;
    total += (size_t)n;
  }
  return total;
}

const char *pair_state_path(struct pair *p, int host, uint64_t id, char *buf, size_t cap) {
  size_t pos = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < p->nevents; i++) {
    const struct pair_event *e = &p->events[i];
    if (e->host != host || e->ev.type != FIN_EV_STATE || e->ev.conn_id != id)
      continue;
    int n = snprintf(buf + pos, cap - pos, "%s%s", pos ? ">" : "", fin_state_name(e->ev.to));
    if (n < 0 || (size_t)n >= cap - pos)
      break;
    pos += (size_t)n;
  }
  return buf;
}

const struct fin_event *pair_closed_event(struct pair *p, int host, uint64_t id) {
  const struct fin_event *last = NULL;
  for (size_t i = 0; i < p->nevents; i++)
    if (p->events[i].host == host && p->events[i].ev.type == FIN_EV_CLOSED &&
        p->events[i].ev.conn_id == id)
      last = &p->events[i].ev;
  return last;
}
