/* SPDX-License-Identifier: MIT */
/* The simulated network: hosts (each a fin stack) joined by links with delay,
 * jitter, rate, a queue limit, loss, duplication, reordering, corruption and
 * scheduled partitions; hosts crash and restart with a fresh stack. One
 * seeded PRNG per link and per host, a virtual clock that jumps to the next
 * thing that happens: same seed, byte-identical run. In-process only: no
 * datagram ever leaves the process. */
#ifndef FIN_DRIVERS_SIM_H
#define FIN_DRIVERS_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/pcap.h"
#include "fin/fin.h"
#include "viz/trace.h"

#define FIN_SIM_MAX_HOSTS 4
#define FIN_SIM_MAX_DOWN  8 /* scheduled partitions per link */

/* ---- PRNG: xoshiro256** seeded through splitmix64 ---- */
struct fin_sim_rng {
  uint64_t s[4];
};
void fin_sim_rng_seed(struct fin_sim_rng *r, uint64_t seed, uint64_t stream);
uint64_t fin_sim_rng_next(struct fin_sim_rng *r);
double fin_sim_rng_unit(struct fin_sim_rng *r); /* [0, 1) */
/* A struct fin_random drawing from r. */
void fin_sim_rng_random(struct fin_sim_rng *r, struct fin_random *out);

/* ---- One direction of a link ---- */
struct fin_sim_link_params {
  fin_time delay;                     /* one-way propagation delay */
  fin_time jitter;                    /* extra delay, uniform in [0, jitter]; order is kept */
  uint64_t rate_bps;                  /* serialization rate, 0 = infinite */
  uint32_t queue_limit;               /* datagrams waiting for the transmitter; 0 = no limit */
  double loss, dup, reorder, corrupt; /* probabilities per datagram */
};

struct fin_sim_link {
  struct fin_sim_link_params p;
  struct fin_sim_rng rng;
  fin_time busy_until;   /* the transmitter is serializing until then */
  fin_time last_arrival; /* FIFO delivery unless a datagram is reordered */
  fin_time *departs;     /* ring of departure times of queued datagrams */
  uint32_t qhead, qlen, qcap;
  fin_time down_from[FIN_SIM_MAX_DOWN], down_to[FIN_SIM_MAX_DOWN];
  unsigned down_count;
};

/* What the link does with one datagram. */
struct fin_sim_verdict {
  enum fin_trace_fate fate;
  fin_time arrive;
  bool corrupt;
  uint32_t corrupt_bit; /* bit index into the datagram */
  bool dup;
  fin_time dup_arrive;
};

int fin_sim_link_init(struct fin_sim_link *l, const struct fin_sim_link_params *p, uint64_t seed,
                      uint64_t id);
void fin_sim_link_free(struct fin_sim_link *l);
/* Link down during [t1, t2). 0 or -ENOSPC. */
int fin_sim_link_add_down(struct fin_sim_link *l, fin_time t1, fin_time t2);
bool fin_sim_link_is_down(const struct fin_sim_link *l, fin_time t);
void fin_sim_link_decide(struct fin_sim_link *l, fin_time now, size_t len,
                         struct fin_sim_verdict *v);

/* ---- The simulation ---- */
struct fin_sim;

/* The scenario's applications. Every hook is optional. */
struct fin_sim_app {
  void *ctx;
  /* Each event a stack queued (also recorded in the trace). */
  void (*on_event)(void *ctx, struct fin_sim *sim, unsigned host, const struct fin_event *ev);
  /* Called whenever something happened at host: poll sockets, act. */
  void (*step)(void *ctx, struct fin_sim *sim, unsigned host);
  /* Next scripted action time at host (FIN_NEVER when none). */
  fin_time (*wakeup)(void *ctx, unsigned host);
  void (*on_crash)(void *ctx, struct fin_sim *sim, unsigned host);
  void (*on_restart)(void *ctx, struct fin_sim *sim, unsigned host);
  /* true drops the datagram on purpose (a scripted loss). */
  bool (*filter)(void *ctx, struct fin_sim *sim, unsigned from, unsigned to,
                 const struct fin_trace_seg *seg);
};

struct fin_sim_config {
  uint64_t seed;
  unsigned host_count;
  /* Per host. Address (10.0.0.<i+1>) and event mask are set by the sim. */
  struct fin_settings settings[FIN_SIM_MAX_HOSTS];
  struct fin_sim_link_params link; /* every direction of every link */
  bool ipv6;                       /* hosts fd00::1, fd00::2, ... instead of 10.0.0.x */
  fin_time max_time;               /* run fails with -ETIME past this */
  uint64_t max_steps;              /* run fails with -ELOOP past this */
  struct fin_trace *trace;         /* NULL: record nothing */
  struct fin_pcap *pcap;           /* NULL: no capture */
  struct fin_sim_app app;
};

int fin_sim_new(struct fin_sim **out, const struct fin_sim_config *cfg);
/* Frees the stacks and the sim. Returns bytes the stacks leaked (0 expected). */
size_t fin_sim_free(struct fin_sim *sim);

/* Runs until nothing is left to happen: 0; -ETIME / -ELOOP when a bound
 * hit; -EPROTO when a stack broke an invariant after a step (a connection
 * with no way out, in-order data refused, an ending without its event, a
 * deadline in the past): fin_sim_failure() says which. */
int fin_sim_run(struct fin_sim *sim);
const char *fin_sim_failure(const struct fin_sim *sim);

fin_time fin_sim_now(const struct fin_sim *sim);
/* Host i's address: 10.0.0.<i+1>, or fd00::<i+1> when the run is IPv6. */
struct fin_addr fin_sim_addr(const struct fin_sim *sim, unsigned host);
/* The host's stack, NULL while it is down. */
struct fin_stack *fin_sim_stack(struct fin_sim *sim, unsigned host);
/* How many times the host (re)started: 1 for the first stack. */
unsigned fin_sim_generation(const struct fin_sim *sim, unsigned host);
struct fin_sim_link *fin_sim_link(struct fin_sim *sim, unsigned from, unsigned to);
/* Both directions between a and b down during [t1, t2). */
int fin_sim_partition(struct fin_sim *sim, unsigned a, unsigned b, fin_time t1, fin_time t2);
/* Host crashes at `at` (its stack vanishes: no FIN, no RST) and restarts
 * with a fresh stack at `restart` (FIN_NEVER: stays down). */
int fin_sim_crash(struct fin_sim *sim, unsigned host, fin_time at, fin_time restart);
/* A datagram from outside the simulated hosts (an off-path attacker
 * forging another host's address) that arrives at host `to` now, on no
 * link: no delay, no loss. Traced as received from the host whose address
 * it forges. 0, -EINVAL (no such host, too long) or -ENOMEM. */
int fin_sim_inject(struct fin_sim *sim, unsigned to, const uint8_t *d, size_t len);
/* Records an application call in the trace. */
void fin_sim_trace_app(struct fin_sim *sim, unsigned host, fin_sock s, const char *call,
                       int64_t result, bool verbose);
uint64_t fin_sim_steps(const struct fin_sim *sim);
/* Bytes host's stack holds now, by the sim's allocator accounting (0 while down). */
size_t fin_sim_host_bytes(const struct fin_sim *sim, unsigned host);

#endif
