/* SPDX-License-Identifier: MIT */
/* The tap (netcli_tap.h): a driver wrapper that writes --pcapng and the
 * packet records of --events, each packet commented with the state changes
 * that belong to it. */
#include "netcli_tap.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drivers/pcapng.h"

#define TAP_NOTES    16
#define TAP_NOTE_LEN 160

struct netcli_tap {
  struct netcli *cli;
  struct fin_driver inner;
  struct fin_pcapng *png;
  fin_time wall_offset; /* CLOCK_REALTIME - CLOCK_MONOTONIC: captures carry the wall clock */
  bool collecting;      /* notes go to the packet being annotated */
  size_t nnotes;
  char notes[TAP_NOTES][TAP_NOTE_LEN];
  /* The datagram read last, written once the events it caused are known. */
  bool holding;
  fin_time held_at;
  size_t held_len;
  uint8_t held[65536];
};

void netcli_tap_note(struct netcli_tap *t, const char *text) {
  if (!t->collecting || t->png == NULL || t->nnotes == TAP_NOTES)
    return;
  snprintf(t->notes[t->nnotes++], TAP_NOTE_LEN, "%s", text);
}

static void tap_write(struct netcli_tap *t, const uint8_t *d, size_t len, fin_time at,
                      enum fin_pcapng_dir dir) {
  if (t->png == NULL)
    return;
  const char *notes[TAP_NOTES];
  for (size_t i = 0; i < t->nnotes; i++)
    notes[i] = t->notes[i];
  (void)fin_pcapng_write(t->png, d, len, at + t->wall_offset, dir, notes, t->nnotes);
  t->nnotes = 0;
}

/* Everything the stack queued since the last datagram in or out. */
static void tap_drain(struct netcli_tap *t) {
  struct fin_stack *st = t->cli->st;
  struct fin_event ev;
  if (st == NULL)
    return;
  t->collecting = true;
  while (fin_stack_poll_event(st, &ev) == 1)
    netcli_on_event(t->cli, &ev);
  t->collecting = false;
}

static void tap_flush_held(struct netcli_tap *t) {
  if (!t->holding)
    return;
  tap_drain(t); /* the events this datagram caused */
  tap_write(t, t->held, t->held_len, t->held_at, FIN_PCAPNG_DIR_IN);
  t->holding = false;
}

static ssize_t tap_recv(void *ctx, uint8_t *buf, size_t cap, fin_time now) {
  struct netcli_tap *t = ctx;
  tap_flush_held(t);
  ssize_t n = t->inner.recv(t->inner.ctx, buf, cap, now);
  if (n <= 0)
    return n;
  netcli_packet_event(t->cli, buf, (size_t)n, now, false, false);
  if (t->png != NULL && (size_t)n <= sizeof(t->held)) {
    memcpy(t->held, buf, (size_t)n);
    t->held_len = (size_t)n;
    t->held_at = now;
    t->holding = true;
  }
  return n;
}

static int tap_send(void *ctx, const uint8_t *buf, size_t len, fin_time now) {
  struct netcli_tap *t = ctx;
  tap_flush_held(t);
  tap_drain(t); /* what happened before this datagram left: a call, a timer */
  int r = t->inner.send(t->inner.ctx, buf, len, now);
  netcli_packet_event(t->cli, buf, len, now, true, r < 0);
  tap_write(t, buf, len, now, FIN_PCAPNG_DIR_OUT);
  return r;
}

static int tap_fd(void *ctx) {
  struct netcli_tap *t = ctx;
  return t->inner.fd(t->inner.ctx);
}

static fin_time tap_next_deadline(void *ctx) {
  struct netcli_tap *t = ctx;
  return t->inner.next_deadline ? t->inner.next_deadline(t->inner.ctx) : FIN_NEVER;
}

static void tap_on_timer(void *ctx, fin_time now) {
  struct netcli_tap *t = ctx;
  if (t->inner.on_timer != NULL)
    t->inner.on_timer(t->inner.ctx, now);
}

static fin_time wall_offset(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (fin_time)ts.tv_sec * 1000000000LL + ts.tv_nsec - fin_clock_now();
}

int netcli_tap_new(struct netcli *c, struct fin_driver *drv) {
  struct netcli_tap *t = calloc(1, sizeof(*t));
  if (t == NULL) {
    fprintf(stderr, "fin %s: out of memory\n", c->cmd);
    return 1;
  }
  t->cli = c;
  t->inner = *drv;
  t->wall_offset = wall_offset();
  t->png = c->pcapng; /* opened with the other files, so a bad path is a usage error */
  c->pcapng = NULL;
  *drv = (struct fin_driver){.recv = tap_recv,
                             .send = tap_send,
                             .fd = tap_fd,
                             .next_deadline = tap_next_deadline,
                             .on_timer = tap_on_timer,
                             .ctx = t};
  c->tap = t;
  return 0;
}

void netcli_tap_free(struct netcli_tap *t) {
  if (t == NULL)
    return;
  tap_flush_held(t);
  fin_pcapng_close(t->png);
  free(t);
}
