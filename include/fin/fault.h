/* SPDX-License-Identifier: MIT */
/** @file fin/fault.h
 * @brief Fault injection (libfin_net) that wraps any driver (the smoltcp idea): seeded
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

/** What the wrapper does to datagrams. */
struct fin_fault_config {
  double drop;    /**< probability in [0, 1] that a datagram (in or out) is lost */
  fin_time delay; /**< outbound datagrams leave this long after the stack sends them */
  uint64_t seed;  /**< of the loss pattern; 0 picks a fixed non-zero seed */
};

/** What the wrapper did (fin_fault_stats()). */
struct fin_fault_stats {
  uint64_t dropped_in;  /**< inbound datagrams lost */
  uint64_t dropped_out; /**< outbound datagrams lost */
  uint64_t delayed;     /**< outbound datagrams held in the delay line */
  uint64_t overflow;    /**< outbound datagrams lost because the delay line was full */
};

/** A fault-injecting wrapper around a driver (opaque). */
struct fin_fault;

/** Wraps a driver. A delay line holds 4096 datagrams of up to 2048 bytes;
 * beyond that a datagram is lost and counted as overflow.
 * @param out the wrapper, written on success; free it with fin_fault_free()
 * @param inner the driver wrapped (copied; its ctx must outlive the wrapper)
 * @param cfg what to do (copied)
 * @retval 0 created
 * @retval -EINVAL drop outside [0, 1] or a negative delay
 * @retval -ENOMEM out of memory */
int fin_fault_new(struct fin_fault **out, const struct fin_driver *inner,
                  const struct fin_fault_config *cfg);
/** Frees the wrapper; delayed datagrams not yet sent are lost.
 * @param f the wrapper, or NULL (no-op) */
void fin_fault_free(struct fin_fault *f);
/** The wrapper's operations, for fin_runtime_new().
 * @param f the wrapper
 * @param drv filled; valid until fin_fault_free() */
void fin_fault_driver(struct fin_fault *f, struct fin_driver *drv);
/** What the wrapper did so far.
 * @param f the wrapper
 * @return a copy of its counts */
struct fin_fault_stats fin_fault_stats(const struct fin_fault *f);

#ifdef __cplusplus
}
#endif
#endif
