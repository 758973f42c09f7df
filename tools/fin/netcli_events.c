/* SPDX-License-Identifier: MIT */
/* The events of `fin serve` / `fin connect` in the schema `fin sim` writes
 * (docs/events.md): each stack event and each datagram becomes a trace
 * record and goes through the same NDJSON writer (viz/ndjson.c). Host "fin"
 * is this stack; "tun" is the other end of the TUN device (the kernel). */
#include <string.h>

#include "netcli.h"
#include "netcli_tap.h"

/* The schema's record of a stack event; false for the types it leaves out
 * (acceptable, readable, writable: the application's business). */
static bool event_rec(const struct netcli *c, const struct fin_event *ev, struct fin_trace_rec *r) {
  static const enum fin_trace_kind kinds[FIN_EV_TYPE_COUNT] = {
      [FIN_EV_STATE] = FIN_TR_STATE,           [FIN_EV_CLOSED] = FIN_TR_CLOSE,
      [FIN_EV_TIMER] = FIN_TR_TIMER,           [FIN_EV_DROP] = FIN_TR_DROP,
      [FIN_EV_ACCEPTABLE] = FIN_TR_KIND_COUNT, [FIN_EV_READABLE] = FIN_TR_KIND_COUNT,
      [FIN_EV_WRITABLE] = FIN_TR_KIND_COUNT,   [FIN_EV_RST_SENT] = FIN_TR_RST};
  if ((unsigned)ev->type >= FIN_EV_TYPE_COUNT || kinds[ev->type] == FIN_TR_KIND_COUNT)
    return false;
  memset(r, 0, sizeof(*r));
  r->t = ev->time - c->t0;
  r->kind = kinds[ev->type];
  r->host = 0;
  r->conn = ev->conn_id;
  /* The engine names the connection of state events only; drops and RSTs
   * get it from the 4-tuple (the log follows every live connection). */
  if (r->conn == 0)
    r->conn = conn_log_conn_of(&c->log, &ev->tuple);
  r->tuple = ev->tuple;
  r->has_tuple = true;
  r->from = ev->from;
  r->to = ev->to;
  r->reason = ev->reason;
  r->err = ev->err;
  r->timer = ev->timer;
  r->counter = ev->counter;
  r->fate = FIN_FATE_STACK;
  r->arrive = FIN_NEVER;
  return true;
}

void netcli_on_event(void *ctx, const struct fin_event *ev) {
  struct netcli *c = ctx;
  /* The log first: a state event may be what names the connection. */
  if (ev->type != FIN_EV_CLOSED)
    conn_log_event(&c->log, ev);
  struct fin_trace_rec r;
  if ((c->events != NULL || c->tap != NULL) && event_rec(c, ev, &r)) {
    if (c->events != NULL)
      fin_ndjson_record(c->events, &c->names, &r, &c->rel);
    if (c->tap != NULL) {
      char note[160];
      if (fin_trace_note(&c->names, &r, note, sizeof(note)) > 0)
        netcli_tap_note(c->tap, note);
    }
  }
  /* CLOSED last: printing the line forgets the connection's 4-tuple. */
  if (ev->type == FIN_EV_CLOSED)
    conn_log_event(&c->log, ev);
}

void netcli_packet_event(struct netcli *c, const uint8_t *d, size_t len, fin_time now,
                         bool outbound, bool refused) {
  if (c->events == NULL)
    return;
  struct fin_trace_rec r;
  memset(&r, 0, sizeof(r));
  r.t = now - c->t0;
  r.kind = outbound ? FIN_TR_SEND : FIN_TR_RECV;
  r.host = 0;
  r.peer = 1;
  fin_trace_decode(d, len, &r.seg);
  if (r.seg.valid) {
    struct fin_4tuple t = {
        outbound ? r.seg.saddr : r.seg.daddr, outbound ? r.seg.daddr : r.seg.saddr,
        outbound ? r.seg.sport : r.seg.dport, outbound ? r.seg.dport : r.seg.sport};
    r.conn = conn_log_conn_of(&c->log, &t);
  }
  r.fate = refused ? FIN_FATE_QUEUE : FIN_FATE_DELIVERED;
  r.arrive = FIN_NEVER;
  fin_ndjson_record(c->events, &c->names, &r, &c->rel);
}
