/* SPDX-License-Identifier: MIT */
#include "siphash.h"

#include <string.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

struct sip_state {
  uint64_t v0, v1, v2, v3;
};

static void sip_round(struct sip_state *s) {
  s->v0 += s->v1;
  s->v1 = ROTL(s->v1, 13);
  s->v1 ^= s->v0;
  s->v0 = ROTL(s->v0, 32);
  s->v2 += s->v3;
  s->v3 = ROTL(s->v3, 16);
  s->v3 ^= s->v2;
  s->v0 += s->v3;
  s->v3 = ROTL(s->v3, 21);
  s->v3 ^= s->v0;
  s->v2 += s->v1;
  s->v1 = ROTL(s->v1, 17);
  s->v1 ^= s->v2;
  s->v2 = ROTL(s->v2, 32);
}

static uint64_t load_le64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

static void sip_absorb(struct sip_state *s, uint64_t m) {
  s->v3 ^= m;
  sip_round(s);
  sip_round(s);
  s->v0 ^= m;
}

uint64_t fin_siphash(const struct fin_siphash_key *key, const void *data, size_t len) {
  const uint8_t *in = data;
  struct sip_state s = {key->k0 ^ 0x736f6d6570736575ULL, key->k1 ^ 0x646f72616e646f6dULL,
                        key->k0 ^ 0x6c7967656e657261ULL, key->k1 ^ 0x7465646279746573ULL};
  size_t full = len & ~(size_t)7;
  for (size_t i = 0; i < full; i += 8)
    sip_absorb(&s, load_le64(in + i));
  uint8_t tail[8] = {0};
  memcpy(tail, in + full, len - full);
  uint64_t last = load_le64(tail) | ((uint64_t)(len & 0xff) << 56);
  sip_absorb(&s, last);
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; i++)
    sip_round(&s);
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
