/* SPDX-License-Identifier: MIT */
#include "siphash.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

struct sip_state {
  uint64_t v0, v1, v2, v3;
};

/* Inlined: sixteen rounds per 4-tuple, and a call each cost a fifth more. */
static inline __attribute__((always_inline)) void sip_round(struct sip_state *s) {
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

/* One plain load (the builtin: the engine builds with -ffreestanding). */
static inline uint64_t load_le64(const uint8_t *p) {
  uint64_t v;
  __builtin_memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

static inline __attribute__((always_inline)) void sip_absorb(struct sip_state *s, uint64_t m) {
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
  /* The last 0..7 bytes, little-endian, under the length byte. */
  uint64_t last = (uint64_t)(len & 0xff) << 56;
  for (size_t i = len - full; i-- > 0;)
    last |= (uint64_t)in[full + i] << (8 * i);
  sip_absorb(&s, last);
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; i++)
    sip_round(&s);
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
