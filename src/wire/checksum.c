/* SPDX-License-Identifier: MIT */
/* The Internet checksum (RFC 1071): the 16-bit one's complement of the one's
 * complement sum of the data taken as big-endian 16-bit words.
 *
 * A partial sum is a uint32_t: bits 0..30 hold the sum in big-endian word
 * order (so callers may add pseudo-header fields as host-order numbers) and
 * bit 31 records that an odd number of bytes has been summed so far. The next
 * chunk then starts in the low half of a word; RFC 1071 §2(B) (byte order
 * independence) lets us sum it as if it were aligned and swap the bytes of
 * the running sum before and after. Chained sums must be passed along, never
 * added together. */
#include "fin/wire.h"

#include "wire_ip.h"

#define CSUM_ODD 0x80000000u

#ifndef __BYTE_ORDER__
#error "checksum.c needs __BYTE_ORDER__ (GCC or clang) to know the host byte order"
#endif

/* The engine builds with -ffreestanding, which turns off the implicit
 * memcpy builtin: every fixed-size load would become a library call. The
 * explicit builtin is still a plain (unaligned-safe) load. */
#define load(dst, src, n) __builtin_memcpy((dst), (src), (n))

/* One's complement addition on 64 bits: end-around carry (add, adc). */
static inline uint64_t add64(uint64_t acc, uint64_t v) {
  uint64_t r;
  return __builtin_add_overflow(acc, v, &r) ? r + 1 : r;
}

/* A 64-bit one's complement sum folded to 16 bits: a sum of 16-bit words
 * whatever width it was accumulated in (RFC 1071 §2(A)). */
static inline uint16_t fold64(uint64_t acc) {
  uint32_t lo = (uint32_t)acc, s = lo + (uint32_t)(acc >> 32);
  s += s < lo;
  s = (s & 0xffffu) + (s >> 16);
  s = (s & 0xffffu) + (s >> 16);
  return (uint16_t)s;
}

static inline uint16_t swap16(uint16_t v) {
  return (uint16_t)(v << 8 | v >> 8);
}

/* The last 0..7 bytes as one native word; an odd last byte is the first
 * byte of a zero-padded word (RFC 1071 §4.1). */
static inline uint64_t tail_word(const uint8_t *p, size_t len) {
  uint8_t word[8] = {0};
  size_t i = 0;
  uint64_t v;
  if (len & 4) { /* fixed-size pieces: no library call for a short copy */
    load(word, p, 4);
    i = 4;
  }
  if (len & 2) {
    load(word + i, p + i, 2);
    i += 2;
  }
  if (len & 1)
    word[i] = p[i];
  load(&v, word, 8);
  return v;
}

/* The one's complement sum of the data taken as native 8-byte words,
 * unfolded: 32 bytes per round with the carries chained (add, adc), the
 * fold deferred to the end (RFC 1071 §2(C)). memcpy loads keep unaligned
 * buffers free of undefined behaviour and compile to plain loads. */
static uint64_t sum_words(const uint8_t *p, size_t len) {
  uint64_t acc = 0, a, b, c, d;
  for (; len >= 32; p += 32, len -= 32) {
    load(&a, p, 8);
    load(&b, p + 8, 8);
    load(&c, p + 16, 8);
    load(&d, p + 24, 8);
    acc = add64(add64(add64(add64(acc, a), b), c), d);
  }
  for (; len >= 8; p += 8, len -= 8) {
    load(&a, p, 8);
    acc = add64(acc, a);
  }
  return len > 0 ? add64(acc, tail_word(p, len)) : acc;
}

static inline uint32_t fin_csum_add_words(uint32_t sum, const void *data, size_t len) {
  uint32_t odd = sum & CSUM_ODD;
  uint16_t d = fold64(sum_words(data, len)); /* native word order */
  /* To big-endian word order; data that starts at an odd offset has its
   * bytes in the other halves of the words (RFC 1071 §2(B)). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (!odd)
    d = swap16(d);
#else
  if (odd)
    d = swap16(d);
#endif
  /* One fold step keeps the partial sum below 2^17, clear of bit 31. */
  uint64_t s = (uint64_t)(sum & ~CSUM_ODD) + d;
  uint32_t r = (uint32_t)((s & 0xffffu) + (s >> 16));
  return r | ((len & 1u) ? odd ^ CSUM_ODD : odd);
}

uint32_t fin_csum_add(uint32_t sum, const void *data, size_t len) {
  return fin_csum_add_words(sum, data, len);
}

uint16_t fin_csum_fold(uint32_t sum) {
  return (uint16_t)~fold64(sum & ~CSUM_ODD);
}

uint16_t fin_wire_csum(uint32_t sum, const void *data, size_t len) {
  return (uint16_t)~fold64(fin_csum_add_words(sum, data, len) & ~CSUM_ODD);
}

uint16_t fin_csum_ipv4_header(const uint8_t *h) {
  uint32_t w[5];
  load(w, h, sizeof(w));
  uint64_t acc = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
  uint16_t s = fold64(acc); /* native word order: RFC 1071 §2(B) */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  s = swap16(s);
#endif
  return (uint16_t)~s;
}
