/* SPDX-License-Identifier: MIT */
/* One direction of a simulated link, and the PRNG behind every random
 * choice the simulator makes. Pure: no clock, no I/O, no engine. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/sim.h"

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* Each (seed, stream) pair gets an independent xoshiro state, so adding a
 * link or a host never changes what another one draws. */
void fin_sim_rng_seed(struct fin_sim_rng *r, uint64_t seed, uint64_t stream) {
  uint64_t x = seed ^ (stream * 0xD1342543DE82EF95ULL);
  for (int i = 0; i < 4; i++)
    r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

uint64_t fin_sim_rng_next(struct fin_sim_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double fin_sim_rng_unit(struct fin_sim_rng *r) {
  return (double)(fin_sim_rng_next(r) >> 11) * 0x1.0p-53;
}

static void rng_fill(void *ctx, void *buf, size_t len) {
  uint8_t *p = buf;
  while (len > 0) {
    uint64_t v = fin_sim_rng_next(ctx);
    size_t n = len < sizeof(v) ? len : sizeof(v);
    memcpy(p, &v, n);
    p += n;
    len -= n;
  }
}

void fin_sim_rng_random(struct fin_sim_rng *r, struct fin_random *out) {
  out->fill = rng_fill;
  out->ctx = r;
}

int fin_sim_link_init(struct fin_sim_link *l, const struct fin_sim_link_params *p, uint64_t seed,
                      uint64_t id) {
  memset(l, 0, sizeof(*l));
  l->p = *p;
  fin_sim_rng_seed(&l->rng, seed, 0x4c494e4b00000000ULL + id);
  if (p->rate_bps > 0 && p->queue_limit > 0) {
    l->qcap = p->queue_limit;
    l->departs = calloc(l->qcap, sizeof(*l->departs));
    if (l->departs == NULL)
      return -ENOMEM;
  }
  return 0;
}

void fin_sim_link_free(struct fin_sim_link *l) {
  free(l->departs);
  l->departs = NULL;
}

int fin_sim_link_add_down(struct fin_sim_link *l, fin_time t1, fin_time t2) {
  if (l->down_count == FIN_SIM_MAX_DOWN)
    return -ENOSPC;
  l->down_from[l->down_count] = t1;
  l->down_to[l->down_count] = t2;
  l->down_count++;
  return 0;
}

bool fin_sim_link_is_down(const struct fin_sim_link *l, fin_time t) {
  for (unsigned i = 0; i < l->down_count; i++)
    if (t >= l->down_from[i] && t < l->down_to[i])
      return true;
  return false;
}

static bool chance(struct fin_sim_link *l, double p) {
  return p > 0 && fin_sim_rng_unit(&l->rng) < p;
}

/* Serialization: when the transmitter is busy the datagram waits in the
 * queue; a full queue drops it (tail drop). Returns the departure time or
 * -1 when dropped. */
static fin_time transmit(struct fin_sim_link *l, fin_time now, size_t len) {
  if (l->p.rate_bps == 0)
    return now;
  while (l->qlen > 0 && l->departs[l->qhead] <= now) {
    l->qhead = (l->qhead + 1) % l->qcap;
    l->qlen--;
  }
  if (l->qcap > 0 && l->qlen >= l->qcap)
    return -1;
  fin_time tx = (fin_time)((double)len * 8.0 * 1e9 / (double)l->p.rate_bps);
  fin_time depart = (l->busy_until > now ? l->busy_until : now) + tx;
  l->busy_until = depart;
  if (l->qcap > 0) {
    l->departs[(l->qhead + l->qlen) % l->qcap] = depart;
    l->qlen++;
  }
  return depart;
}

static fin_time uniform(struct fin_sim_link *l, fin_time max) {
  return max > 0 ? (fin_time)(fin_sim_rng_unit(&l->rng) * (double)max) : 0;
}

void fin_sim_link_decide(struct fin_sim_link *l, fin_time now, size_t len,
                         struct fin_sim_verdict *v) {
  memset(v, 0, sizeof(*v));
  v->arrive = FIN_NEVER;
  v->dup_arrive = FIN_NEVER;
  if (fin_sim_link_is_down(l, now)) {
    v->fate = FIN_FATE_PARTITION;
    return;
  }
  fin_time depart = transmit(l, now, len);
  if (depart < 0) {
    v->fate = FIN_FATE_QUEUE;
    return;
  }
  if (chance(l, l->p.loss)) {
    v->fate = FIN_FATE_LOST;
    return;
  }
  fin_time arrive = depart + l->p.delay + uniform(l, l->p.jitter);
  if (chance(l, l->p.reorder)) {
    /* Held back long enough for the datagrams behind it to overtake. */
    arrive += FIN_MS(1) + uniform(l, l->p.delay > FIN_MS(1) ? l->p.delay : FIN_MS(1));
  } else {
    if (arrive < l->last_arrival)
      arrive = l->last_arrival;
    l->last_arrival = arrive;
  }
  v->arrive = arrive;
  if (chance(l, l->p.dup)) {
    v->dup = true;
    v->dup_arrive = arrive + 1000 + uniform(l, l->p.delay / 4);
  }
  if (chance(l, l->p.corrupt) && len > 0) {
    v->corrupt = true;
    v->fate = FIN_FATE_CORRUPTED;
    v->corrupt_bit = (uint32_t)(fin_sim_rng_next(&l->rng) % (len * 8));
  }
}
