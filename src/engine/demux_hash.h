/* SPDX-License-Identifier: MIT */
/* The demux hash: which bucket a 4-tuple lives in. It runs on every
 * segment, so it is NH (the universal hash of UMAC, RFC 4418 §5.2.2)
 * rather than SipHash: a sum of products of key-offset 32-bit words,
 * ε-almost-universal with ε = 2^-32 under a secret key (Black et al.,
 * "UMAC", CRYPTO '99). An attacker who cannot read the key cannot aim many
 * 4-tuples at one bucket (hash flooding); what must stay unpredictable even
 * to an observer - ISNs, SYN cookies, timestamp offsets, ephemeral ports -
 * keeps SipHash (siphash.h). */
#ifndef FIN_ENGINE_DEMUX_HASH_H
#define FIN_ENGINE_DEMUX_HASH_H

#include <stdint.h>
#include <string.h>

#include "fin/types.h"

/* Ten key words: enough for IPv6's nine data words (36 bytes). */
struct fin_nh_key {
  uint32_t k[10];
};

static inline uint32_t fin_nh_word(const uint8_t *p) {
  uint32_t w;
  memcpy(&w, p, 4);
  return w;
}

/* NH over n (even) words, then a multiply to spread the high bits into
 * the low ones the bucket mask keeps. */
static inline uint32_t fin_nh_finish(uint64_t h) {
  return (uint32_t)((h ^ (h >> 29)) * 0x9e3779b97f4a7c15ull >> 32);
}

static inline uint32_t fin_nh_tuple(const struct fin_nh_key *key, const struct fin_4tuple *t) {
  const uint32_t *k = key->k;
  uint32_t ports = (uint32_t)t->local_port << 16 | t->remote_port;
  uint32_t l3 = fin_nh_word(t->local_addr.b + 12), r3 = fin_nh_word(t->remote_addr.b + 12);
  uint64_t h = (uint64_t)(l3 + k[0]) * (r3 + k[1]) + (uint64_t)(ports + k[2]) * k[3];
  static const uint8_t mapped[4] = {0, 0, 0xff, 0xff};
  uint32_t l2 = fin_nh_word(t->local_addr.b + 8), want;
  memcpy(&want, mapped, 4);
  uint64_t hi_l, hi_r;
  memcpy(&hi_l, t->local_addr.b, 8);
  memcpy(&hi_r, t->remote_addr.b, 8);
  if (hi_l != 0 || hi_r != 0 || l2 != want) { /* IPv6: the other 24 address bytes */
    uint32_t r2 = fin_nh_word(t->remote_addr.b + 8);
    h += (uint64_t)(l2 + k[4]) * (r2 + k[5]);
    h += (uint64_t)(fin_nh_word(t->local_addr.b) + k[6]) * (fin_nh_word(t->remote_addr.b) + k[7]);
    h += (uint64_t)(fin_nh_word(t->local_addr.b + 4) + k[8]) *
         (fin_nh_word(t->remote_addr.b + 4) + k[9]);
  }
  return fin_nh_finish(h);
}

#endif
