/* Fault injection that wraps any driver (the smoltcp idea): seeded random
 * loss in both directions and a fixed delay on outbound datagrams. Used by
 * the interop tests where the kernel has no sch_netem, and to make FINs
 * cross on the wire for a simultaneous close. Same seed, same drop pattern
 * for the same sequence of datagrams. */
#ifndef FIN_DRIVERS_FAULT_H
#define FIN_DRIVERS_FAULT_H

#include "fin/runtime.h"

struct fin_fault_config {
  double drop;    /* probability in [0, 1] that a datagram (in or out) is lost */
  fin_time delay; /* outbound datagrams leave this long after the stack sends them */
  uint64_t seed;
};

struct fin_fault_stats {
  uint64_t dropped_in, dropped_out, delayed, overflow;
};

struct fin_fault;

/* inner must outlive the wrapper. 0, -EINVAL or -ENOMEM. */
int fin_fault_new(struct fin_fault **out, const struct fin_driver *inner,
                  const struct fin_fault_config *cfg);
void fin_fault_free(struct fin_fault *f);
void fin_fault_driver(struct fin_fault *f, struct fin_driver *drv);
struct fin_fault_stats fin_fault_stats(const struct fin_fault *f);

#endif
