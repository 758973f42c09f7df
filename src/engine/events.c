/* SPDX-License-Identifier: MIT */
/* The event queue: events are queued, never delivered by calling back into
 * user code. The ring grows through the injected allocator up to
 * settings.event_queue_max; beyond that events are counted and dropped. */
#include "internal.h"

static bool ev_grow(struct fin_stack *st) {
  uint32_t cap = st->ev_cap ? st->ev_cap * 2 : 64;
  if (cap > st->s.event_queue_max)
    cap = st->s.event_queue_max;
  if (cap <= st->ev_cap)
    return false;
  struct fin_event *ev = fin_mem_alloc(st, cap * sizeof(*ev));
  if (ev == NULL)
    return false;
  for (uint32_t i = 0; i < st->ev_len; i++)
    ev[i] = st->ev[(st->ev_head + i) % st->ev_cap];
  fin_mem_free(st, st->ev, st->ev_cap * sizeof(*ev));
  st->ev = ev;
  st->ev_cap = cap;
  st->ev_head = 0;
  return true;
}

static struct fin_event *ev_push(struct fin_stack *st, enum fin_event_type type) {
  if (!(st->s.event_mask & (1u << type)))
    return NULL;
  if (st->ev_len == st->ev_cap && !ev_grow(st)) {
    st->c.events_dropped++;
    return NULL;
  }
  struct fin_event *e = &st->ev[(st->ev_head + st->ev_len) % st->ev_cap];
  st->ev_len++;
  memset(e, 0, sizeof(*e));
  e->type = type;
  e->time = st->now;
  e->sock = -1;
  return e;
}

static void ev_fill_conn(const struct fin_stack *st, struct fin_event *e,
                         const struct fin_conn *c) {
  e->conn_id = c->id;
  e->tuple = c->tuple;
  if (c->slot != FIN_NONE_IDX)
    e->sock = fin_slot_handle(st, c->slot);
}

void fin_event_state_push(struct fin_stack *st, const struct fin_conn *c, enum fin_state from,
                          enum fin_state to) {
  struct fin_event *e = ev_push(st, FIN_EV_STATE);
  if (e == NULL)
    return;
  ev_fill_conn(st, e, c);
  e->from = from;
  e->to = to;
}

void fin_event_closed_push(struct fin_stack *st, const struct fin_conn *c, enum fin_state from) {
  struct fin_event *e = ev_push(st, FIN_EV_CLOSED);
  if (e == NULL)
    return;
  ev_fill_conn(st, e, c);
  e->from = from;
  e->to = FIN_CLOSED;
  e->reason = c->reason;
  e->err = c->error;
}

void fin_event_simple_push(struct fin_stack *st, const struct fin_conn *c, enum fin_event_type t) {
  struct fin_event *e = ev_push(st, t);
  if (e != NULL)
    ev_fill_conn(st, e, c);
}

void fin_event_timer_push(struct fin_stack *st, const struct fin_conn *c, enum fin_timer_kind k) {
  struct fin_event *e = ev_push(st, FIN_EV_TIMER);
  if (e == NULL)
    return;
  ev_fill_conn(st, e, c);
  e->timer = k;
}

void fin_event_counter_push(struct fin_stack *st, const struct fin_4tuple *t,
                            enum fin_event_type type, const uint64_t *counter) {
  struct fin_event *e = ev_push(st, type);
  if (e == NULL)
    return;
  if (t != NULL)
    e->tuple = *t;
  e->counter = (uint32_t)(counter - (const uint64_t *)(const void *)&st->c);
}

void fin_event_acceptable_push(struct fin_stack *st, const struct fin_conn *c,
                               uint32_t listener_slot) {
  struct fin_event *e = ev_push(st, FIN_EV_ACCEPTABLE);
  if (e == NULL)
    return;
  ev_fill_conn(st, e, c);
  e->sock = fin_slot_handle(st, listener_slot);
}

void fin_event_tw(struct fin_stack *st, const struct fin_4tuple *t, uint32_t conn_id,
                  enum fin_close_reason reason) {
  st->lifecycles_open--;
  struct fin_event *e = ev_push(st, FIN_EV_STATE);
  if (e != NULL) {
    e->conn_id = conn_id;
    e->tuple = *t;
    e->from = FIN_TIME_WAIT;
    e->to = FIN_CLOSED;
  }
  e = ev_push(st, FIN_EV_CLOSED);
  if (e != NULL) {
    e->conn_id = conn_id;
    e->tuple = *t;
    e->from = FIN_TIME_WAIT;
    e->to = FIN_CLOSED;
    e->reason = reason;
  }
}

int fin_stack_poll_event(struct fin_stack *st, struct fin_event *ev) {
  if (st->ev_len == 0)
    return 0;
  *ev = st->ev[st->ev_head];
  st->ev_head = (st->ev_head + 1) % st->ev_cap;
  st->ev_len--;
  if (st->ev_len == 0 && st->ev_cap > 64)
    fin_events_free(st); /* a burst drained: give the ring back */
  return 1;
}

void fin_events_free(struct fin_stack *st) {
  fin_mem_free(st, st->ev, st->ev_cap * sizeof(*st->ev));
  st->ev = NULL;
  st->ev_cap = st->ev_len = st->ev_head = 0;
}
