/* SPDX-License-Identifier: MIT */
/* SipHash-2-4 (Aumasson & Bernstein): the keyed hash behind demux buckets,
 * ISNs (RFC 6528), timestamp offsets and SYN cookies. */
#ifndef FIN_ENGINE_SIPHASH_H
#define FIN_ENGINE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct fin_siphash_key {
  uint64_t k0, k1;
};

uint64_t fin_siphash(const struct fin_siphash_key *key, const void *data, size_t len);

#endif
