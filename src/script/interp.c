/* SPDX-License-Identifier: MIT */
/* The event loop: schedules each event on the virtual clock (README
 * §1a.3), steps fin's timers in between, queues what fin sends with the
 * time it left, and checks outbound packets and blocking calls against the
 * script's times and tolerances. */
#include "script/interp.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "script/run.h"

#define US(x)      ((fin_time)(x)*1000)
#define WAIT_LIMIT FIN_SEC(2) /* an expected packet is awaited until t + 2 s */

/* ---- messages ---- */

/* The text of script line `line`, without the newline. */
static void script_line(const struct script *s, int line, const char **text, int *len) {
  const char *p = s->source ? s->source : "";
  for (int l = 1; l < line && *p; l++) {
    const char *nl = strchr(p, '\n');
    p = nl ? nl + 1 : p + strlen(p);
  }
  const char *end = strchr(p, '\n');
  *text = p;
  *len = (int)(end ? end - p : (long)strlen(p));
}

bool fin_script_fail(struct script_run *r, const struct script_event *ev, const char *fmt, ...) {
  if (r->failed)
    return false;
  r->failed = true;
  if (ev) {
    const char *text;
    int len;
    script_line(r->s, ev->loc.line, &text, &len);
    fprintf(r->out, "%s:%d:%d: %.*s\n", r->s->path, ev->loc.line, ev->loc.col, len, text);
  }
  fprintf(r->out, "  ");
  va_list ap;
  va_start(ap, fmt);
  vfprintf(r->out, fmt, ap);
  va_end(ap);
  fprintf(r->out, "\n  virtual time: %.6f s\n", (double)r->now / 1e9);
  return false;
}

void fin_script_note(struct script_run *r, const char *fmt, ...) {
  if (!r->verbose)
    return;
  fprintf(r->out, "  [%10.6f] ", (double)r->now / 1e9);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(r->out, fmt, ap);
  va_end(ap);
  fputc('\n', r->out);
}

/* ---- the stack and the clock ---- */

static void *heap_alloc(void *ctx, size_t size) {
  (void)ctx;
  return malloc(size);
}

static void heap_free(void *ctx, void *ptr, size_t size) {
  (void)ctx;
  (void)size;
  free(ptr);
}

/* Deterministic randomness: same script, same bytes (xorshift64*). */
static void fixed_random(void *ctx, void *buf, size_t len) {
  uint64_t *state = ctx;
  uint8_t *out = buf;
  for (size_t i = 0; i < len; i++) {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    out[i] = (uint8_t)((*state * 0x2545F4914F6CDD1DULL) >> 56);
  }
}

void fin_script_drain(struct script_run *r) {
  for (;;) {
    if (r->q_count == SCRIPT_QUEUE) {
      fin_script_fail(r, r->cur, "fin sent more than %d packets the script never expected",
                      SCRIPT_QUEUE);
      return;
    }
    struct script_out_pkt *p = &r->queue[(r->q_head + r->q_count) % SCRIPT_QUEUE];
    size_t n = fin_stack_output(r->st, p->buf, sizeof(p->buf), r->now);
    if (n == 0)
      return;
    p->len = n;
    p->sent = r->now;
    r->q_count++;
    if (r->verbose) {
      char text[512];
      fin_script_format_live(r, p->buf, n, text, sizeof(text));
      fin_script_note(r, "fin sent > %s", text);
    }
  }
}

bool fin_script_apply_settings(struct script_run *r, const struct script_event *ev) {
  int rc = fin_stack_set_settings(r->st, &r->set);
  if (rc < 0)
    return fin_script_fail(r, ev, "fin_stack_set_settings rejected the new settings (%d)", rc);
  return true;
}

static fin_time tolerance(const struct script_run *r, fin_time expected) {
  fin_time tol = US(r->tolerance_usecs);
  fin_time gap = expected - r->last_sched;
  fin_time pct = (fin_time)((double)gap * r->tolerance_percent / 100.0);
  return pct > tol ? pct : tol;
}

/* A blocking call returned: it must do so at its end time. */
static bool pending_done(struct script_run *r) {
  struct script_pending *p = &r->pending;
  p->active = false;
  fin_time tol = US(r->tolerance_usecs);
  fin_time diff = r->now - p->end;
  if (diff > tol || diff < -tol)
    return fin_script_fail(r, p->ev,
                           "blocking call returned at %.6f s, the script expects %.6f s "
                           "(tolerance %.3f ms)",
                           (double)r->now / 1e9, (double)p->end / 1e9, (double)tol / 1e6);
  fin_script_note(r, "blocking call returned");
  return true;
}

static bool retry_pending(struct script_run *r) {
  if (!r->pending.active || r->failed)
    return !r->failed;
  const struct script_event *saved = r->cur;
  r->cur = r->pending.ev;
  fin_stack_set_now(r->st, r->now);
  int rc = fin_script_syscall(r, r->pending.ev, true, false);
  fin_script_drain(r);
  r->cur = saved;
  if (rc < 0)
    return false;
  return rc == 0 || pending_done(r);
}

/* The next instant something can happen: a fin timer or a poll timeout. */
static fin_time next_step(const struct script_run *r) {
  fin_time d = fin_stack_next_deadline(r->st);
  if (r->pending.active && r->pending.timeout < d)
    d = r->pending.timeout;
  return d < r->now ? r->now : d;
}

/* Moves the clock to the next instant something can happen, if that is
 * no later than limit, and runs it. 1 stepped, 0 nothing due by limit,
 * -1 failed. A deadline that does not move after its timers ran counts
 * as nothing due, so a stuck timer cannot spin the runner forever. */
static int step(struct script_run *r, fin_time limit) {
  fin_time d = next_step(r);
  if (d == FIN_NEVER || d > limit)
    return 0;
  if (d == r->now && ++r->spin > 3)
    return 0;
  if (d != r->now)
    r->spin = 0;
  r->now = d;
  fin_stack_on_timers(r->st, d);
  fin_script_drain(r);
  return retry_pending(r) && !r->failed ? 1 : -1;
}

/* Runs every timer due up to t, then sets the clock to t. */
static bool advance_to(struct script_run *r, fin_time t) {
  if (t < r->now)
    t = r->now;
  int rc;
  while ((rc = step(r, t)) > 0)
    ;
  if (rc < 0)
    return false;
  if (t != r->now)
    r->spin = 0;
  r->now = t;
  fin_stack_set_now(r->st, t);
  return !r->failed;
}

/* ---- events ---- */

static fin_time event_base(const struct script_run *r, const struct script_event *ev) {
  bool inbound = ev->kind == SCRIPT_EV_PACKET && ev->packet.inbound;
  /* README §1a.3: inbound after inbound is scheduled from the previous
   * packet's scheduled time, everything else from the live time. */
  return inbound && r->last_was_inbound ? r->last_sched : r->last_actual;
}

static fin_time resolve(const struct script_time *t, fin_time base) {
  return t->kind == SCRIPT_TIME_RELATIVE ? base + US(t->usecs) : US(t->usecs);
}

static bool check_window(struct script_run *r, const struct script_event *ev, fin_time sent,
                         fin_time t1, fin_time t2) {
  if (ev->time.kind == SCRIPT_TIME_ANY)
    return true;
  fin_time tol = tolerance(r, t1);
  if (sent >= t1 - tol && sent <= t2 + tol)
    return true;
  char when[96];
  if (t2 != t1)
    snprintf(when, sizeof(when), "between %.6f and %.6f s", (double)t1 / 1e9, (double)t2 / 1e9);
  else
    snprintf(when, sizeof(when), "at %.6f s", (double)t1 / 1e9);
  return fin_script_fail(r, ev,
                         "timing: fin sent the packet at %.6f s, the script expects it %s "
                         "(tolerance %.3f ms)",
                         (double)sent / 1e9, when, (double)tol / 1e6);
}

static bool report_mismatch(struct script_run *r, const struct script_event *ev,
                            const struct script_out_pkt *p, const char *why) {
  char want[512], got[512];
  fin_script_format_expected(r, &ev->packet, want, sizeof(want));
  fin_script_format_live(r, p->buf, p->len, got, sizeof(got));
  return fin_script_fail(r, ev, "%s\n  expected: > %s\n  actual:   > %s (sent at %.6f s)", why,
                         want, got, (double)p->sent / 1e9);
}

static bool report_nothing(struct script_run *r, const struct script_event *ev, fin_time t) {
  char want[256];
  fin_script_format_expected(r, &ev->packet, want, sizeof(want));
  return fin_script_fail(r, ev, "fin sent nothing\n  expected: > %s at %.6f s\n  actual:   nothing",
                         want, (double)t / 1e9);
}

static bool expect_packet(struct script_run *r, const struct script_event *ev, fin_time t1,
                          fin_time t2) {
  bool any = ev->time.kind == SCRIPT_TIME_ANY;
  fin_time limit = any ? FIN_NEVER : t2 + WAIT_LIMIT;
  while (r->q_count == 0) {
    int rc = step(r, limit);
    if (rc < 0)
      return false;
    if (rc == 0)
      return report_nothing(r, ev, t1);
  }
  struct script_out_pkt *p = &r->queue[r->q_head];
  r->q_head = (r->q_head + 1) % SCRIPT_QUEUE;
  r->q_count--;
  char why[256];
  if (!fin_script_packet_matches(r, &ev->packet, p->buf, p->len, why, sizeof(why)))
    return report_mismatch(r, ev, p, why);
  if (!check_window(r, ev, p->sent, t1, t2))
    return false;
  fin_script_learn(r, &ev->packet, p->buf, p->len);
  if (r->now < p->sent)
    r->now = p->sent;
  return true;
}

static bool run_syscall(struct script_run *r, const struct script_event *ev, fin_time t,
                        fin_time base) {
  if (!advance_to(r, t))
    return false;
  if (!ev->blocking) {
    int rc = fin_script_syscall(r, ev, false, true);
    fin_script_drain(r);
    return rc > 0;
  }
  if (r->pending.active)
    return fin_script_fail(r, ev,
                           "a blocking call (line %d) is still in flight; the dialect allows "
                           "one at a time",
                           r->pending.ev->loc.line);
  r->pending = (struct script_pending){.active = true, .ev = ev, .start = t, .timeout = FIN_NEVER};
  r->pending.end =
      ev->time.kind == SCRIPT_TIME_RELATIVE ? base + US(ev->end.usecs) : US(ev->end.usecs);
  int rc = fin_script_syscall(r, ev, true, true);
  fin_script_drain(r);
  if (rc < 0)
    return false;
  return rc == 0 || pending_done(r);
}

static bool dispatch(struct script_run *r, const struct script_event *ev, fin_time t,
                     fin_time base) {
  switch (ev->kind) {
  case SCRIPT_EV_PACKET:
    if (!ev->packet.inbound) {
      fin_time t2 = ev->has_end ? resolve(&ev->end, base) : t;
      return expect_packet(r, ev, t, t2);
    }
    if (!advance_to(r, t) || !fin_script_inject(r, ev))
      return false;
    fin_script_isn_after_input(r);
    fin_script_drain(r);
    return retry_pending(r);
  case SCRIPT_EV_SYSCALL:
    return run_syscall(r, ev, t, base);
  case SCRIPT_EV_COMMAND:
    return advance_to(r, t) && fin_script_command(r, ev, ev->text);
  case SCRIPT_EV_CODE:
    return advance_to(r, t) && fin_script_code(r, ev);
  }
  return false;
}

static bool run_event(struct script_run *r, const struct script_event *ev) {
  r->cur = ev;
  fin_time base = event_base(r, ev);
  fin_time t = ev->time.kind == SCRIPT_TIME_ANY ? r->now : resolve(&ev->time, base);
  if (r->verbose) {
    const char *text;
    int len;
    script_line(r->s, ev->loc.line, &text, &len);
    fin_script_note(r, "line %d (at %.6f s): %.*s", ev->loc.line, (double)t / 1e9, len, text);
  }
  if (!dispatch(r, ev, t, base))
    return false;
  r->last_sched = t;
  r->last_actual = r->now > t ? r->now : t;
  if (ev->kind == SCRIPT_EV_SYSCALL && ev->blocking)
    r->last_actual = t; /* the next event starts while the call blocks */
  r->last_was_inbound = ev->kind == SCRIPT_EV_PACKET && ev->packet.inbound;
  return true;
}

/* After the last event a blocking call may still be waiting to return. */
static bool finish_pending(struct script_run *r) {
  while (r->pending.active && !r->failed) {
    int rc = step(r, r->pending.end + WAIT_LIMIT);
    if (rc < 0)
      return false;
    if (rc == 0)
      return fin_script_fail(r, r->pending.ev, "blocking call never returned (expected at %.6f s)",
                             (double)r->pending.end / 1e9);
  }
  return !r->failed;
}

/* ---- header options and the run ---- */

static int setup(struct script_run *r, const struct script_run_options *o, uint64_t *seed) {
  if (!fin_script_profile_get(o->profile, &r->set, &r->profile)) {
    fprintf(r->out, "unknown profile '%s' (known: %s)\n", o->profile, fin_script_profile_names());
    return 2;
  }
  r->tolerance_usecs = 4000;
  r->tolerance_percent = r->profile.tolerance_percent;
  r->fd_under_test = -1;
  r->local_port = SCRIPT_PORT;
  r->remote_port = SCRIPT_PEER_PORT;
  r->linux_rmem2 = r->set.wscale_space; /* the profile's max(tcp_rmem[2], rmem_max) */
  if (o->ip_version && !fin_script_ip_version_parse(o->ip_version, &r->ip_version)) {
    fprintf(r->out, "unknown IP version '%s' (known: ipv4, ipv6, ipv4-mapped-ipv6)\n",
            o->ip_version);
    return 2;
  }
  int rc = fin_script_header_options(r);
  if (rc)
    return rc;
  struct fin_allocator alloc = {heap_alloc, heap_free, NULL};
  struct fin_random rnd = {fixed_random, seed};
  rc = fin_stack_new(&r->st, &r->set, &alloc, &rnd, 0);
  if (rc < 0) {
    fprintf(r->out, "fin_stack_new failed (%d) with profile %s\n", rc, o->profile);
    return 2;
  }
  return 0;
}

int fin_script_run(const struct script *s, const struct script_run_options *o, FILE *out) {
  struct script_run *r = calloc(1, sizeof(*r));
  if (!r)
    return 2;
  r->s = s;
  r->out = out;
  r->verbose = o->verbose;
  uint64_t seed = 0x9e3779b97f4a7c15ULL;
  int rc = setup(r, o, &seed);
  if (rc == 0) {
    if (s->init_command)
      fin_script_command(r, NULL, s->init_command);
    for (size_t i = 0; i < s->event_count && !r->failed; i++)
      if (!run_event(r, &s->events[i]))
        fin_script_fail(r, &s->events[i], "event failed"); /* no-op if already reported */
    if (!r->failed)
      finish_pending(r);
    /* The cleanup command always runs, even after a failure. */
    if (s->cleanup_command) {
      bool failed = r->failed;
      fin_script_command(r, NULL, s->cleanup_command);
      r->failed = r->failed || failed;
    }
    rc = r->failed ? 1 : 0;
    fin_script_close_all(r);
  }
  if (r->st)
    fin_stack_free(r->st);
  free(r);
  return rc;
}
