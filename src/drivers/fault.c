/* SPDX-License-Identifier: MIT */
#include "fin/fault.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The delay line holds this many datagrams; more is an overflow drop, like
 * a full router queue. 4096 x 64 KiB worst case is too much, so slots are
 * sized by the largest datagram a TUN with MTU 1500 carries. */
#define FAULT_SLOTS      4096
#define FAULT_SLOT_BYTES 2048

struct fault_slot {
  fin_time due;
  uint16_t len;
  uint8_t data[FAULT_SLOT_BYTES];
};

struct fin_fault {
  struct fin_driver inner;
  struct fin_fault_config cfg;
  uint64_t rng;
  struct fin_fault_stats stats;
  struct fault_slot *slots; /* ring, FIFO: a fixed delay keeps departure order */
  size_t head, count;
};

/* xorshift64*: small, seeded, good enough for a loss pattern. */
static uint64_t fault_next(struct fin_fault *f) {
  f->rng ^= f->rng >> 12;
  f->rng ^= f->rng << 25;
  f->rng ^= f->rng >> 27;
  return f->rng * 2685821657736338717ULL;
}

static int fault_lose(struct fin_fault *f) {
  if (f->cfg.drop <= 0.0)
    return 0;
  double u = (double)(fault_next(f) >> 11) / 9007199254740992.0; /* [0, 1) */
  return u < f->cfg.drop;
}

int fin_fault_new(struct fin_fault **out, const struct fin_driver *inner,
                  const struct fin_fault_config *cfg) {
  if (cfg->drop < 0.0 || cfg->drop > 1.0 || cfg->delay < 0)
    return -EINVAL;
  struct fin_fault *f = calloc(1, sizeof(*f));
  if (f == NULL)
    return -ENOMEM;
  if (cfg->delay > 0 && (f->slots = calloc(FAULT_SLOTS, sizeof(*f->slots))) == NULL) {
    free(f);
    return -ENOMEM;
  }
  f->inner = *inner;
  f->cfg = *cfg;
  f->rng = cfg->seed ? cfg->seed : 0x9e3779b97f4a7c15ULL; /* xorshift state must be non-zero */
  *out = f;
  return 0;
}

void fin_fault_free(struct fin_fault *f) {
  if (f == NULL)
    return;
  free(f->slots);
  free(f);
}

struct fin_fault_stats fin_fault_stats(const struct fin_fault *f) {
  return f->stats;
}

static ssize_t fault_recv(void *ctx, uint8_t *buf, size_t cap, fin_time now) {
  struct fin_fault *f = ctx;
  for (;;) {
    ssize_t n = f->inner.recv(f->inner.ctx, buf, cap, now);
    if (n <= 0 || !fault_lose(f))
      return n;
    f->stats.dropped_in++;
  }
}

static int fault_enqueue(struct fin_fault *f, const uint8_t *buf, size_t len, fin_time now) {
  if (f->count == FAULT_SLOTS || len > FAULT_SLOT_BYTES) {
    f->stats.overflow++;
    return 0; /* lost in the queue: the stack's retransmission handles it */
  }
  struct fault_slot *s = &f->slots[(f->head + f->count) % FAULT_SLOTS];
  s->due = now + f->cfg.delay;
  s->len = (uint16_t)len;
  memcpy(s->data, buf, len);
  f->count++;
  f->stats.delayed++;
  return 0;
}

static int fault_send(void *ctx, const uint8_t *buf, size_t len, fin_time now) {
  struct fin_fault *f = ctx;
  if (fault_lose(f)) {
    f->stats.dropped_out++;
    return 0;
  }
  if (f->slots != NULL)
    return fault_enqueue(f, buf, len, now);
  return f->inner.send(f->inner.ctx, buf, len, now);
}

static int fault_fd(void *ctx) {
  struct fin_fault *f = ctx;
  return f->inner.fd(f->inner.ctx);
}

static fin_time fault_next_deadline(void *ctx) {
  struct fin_fault *f = ctx;
  return f->count ? f->slots[f->head].due : FIN_NEVER;
}

static void fault_on_timer(void *ctx, fin_time now) {
  struct fin_fault *f = ctx;
  while (f->count && f->slots[f->head].due <= now) {
    struct fault_slot *s = &f->slots[f->head];
    (void)f->inner.send(f->inner.ctx, s->data, s->len, now);
    f->head = (f->head + 1) % FAULT_SLOTS;
    f->count--;
  }
}

void fin_fault_driver(struct fin_fault *f, struct fin_driver *drv) {
  memset(drv, 0, sizeof(*drv));
  drv->recv = fault_recv;
  drv->send = fault_send;
  drv->fd = fault_fd;
  drv->next_deadline = fault_next_deadline;
  drv->on_timer = fault_on_timer;
  drv->ctx = f;
}
