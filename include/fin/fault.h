/* SPDX-License-Identifier: MIT */
/* fin — fault injection that wraps any driver (the smoltcp idea): seeded
 * random loss in both directions and a fixed delay on outbound datagrams.
 * Used by the interop tests where the kernel has no sch_netem, and to make
 * FINs cross on the wire for a simultaneous close. Same seed, same drop
 * pattern for the same sequence of datagrams. */
#ifndef FIN_FAULT_H
#define FIN_FAULT_H

#include "fin/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

struct fin_fault_config {
  double drop;    /* probability in [0, 1] that a datagram (in or out) is lost */
  fin_time delay; /* outbound datagrams leave this long after the stack sends them */
  uint64_t seed;  /* 0 picks a fixed non-zero seed */
};

struct fin_fault_stats {
  uint64_t dropped_in, dropped_out, delayed, overflow;
};

struct fin_fault;

/* Wraps inner (copied; its ctx must outlive the wrapper). 0, -EINVAL (drop
 * outside [0, 1] or a negative delay) or -ENOMEM. A delay line holds 4096
 * datagrams of up to 2048 bytes; beyond that a datagram is lost and counted
 * as overflow. */
int fin_fault_new(struct fin_fault **out, const struct fin_driver *inner,
                  const struct fin_fault_config *cfg);
/* Frees f (NULL is a no-op); delayed datagrams not yet sent are lost. */
void fin_fault_free(struct fin_fault *f);
/* Fills drv with the wrapper's operations (valid until fin_fault_free). */
void fin_fault_driver(struct fin_fault *f, struct fin_driver *drv);
struct fin_fault_stats fin_fault_stats(const struct fin_fault *f);

#ifdef __cplusplus
}
#endif
#endif
