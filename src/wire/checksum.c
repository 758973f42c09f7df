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

#define CSUM_ODD 0x80000000u

#ifndef __BYTE_ORDER__
#error "checksum.c needs __BYTE_ORDER__ (GCC or clang) to know the host byte order"
#endif

/* The engine builds with -ffreestanding, which turns off the implicit
 * memcpy builtin: every fixed-size load would become a library call. The
 * explicit builtin is still a plain (unaligned-safe) load. */
#define load(dst, src, n) __builtin_memcpy((dst), (src), (n))

/* One's complement addition on 64 bits: end-around carry. */
static inline uint64_t add64(uint64_t acc, uint64_t v) {
  acc += v;
  return acc + (acc < v);
}

static uint16_t fold64(uint64_t acc) {
  acc = (acc & 0xffffffffu) + (acc >> 32);
  acc = (acc & 0xffffffffu) + (acc >> 32);
  acc = (acc & 0xffffu) + (acc >> 16);
  acc = (acc & 0xffffu) + (acc >> 16);
  return (uint16_t)acc;
}

static uint16_t swap16(uint16_t v) {
  return (uint16_t)(v << 8 | v >> 8);
}

/* Whole 8-byte words (len a multiple of 8), 32 bytes per round. Each word
 * is added as two 32-bit halves into 64-bit accumulators: no carry to
 * propagate per add (2^32 halves fit before overflow, far beyond 64 KB), and
 * independent accumulators let the adds run in parallel. Deferring the
 * carries to the final fold is RFC 1071 §2(C). memcpy loads keep unaligned
 * buffers free of undefined behaviour and compile to plain loads. */
static uint64_t sum_wide(const uint8_t *p, size_t len) {
  uint64_t s0 = 0, s1 = 0, a, b, c, d;
  for (; len >= 32; p += 32, len -= 32) {
    load(&a, p, 8);
    load(&b, p + 8, 8);
    load(&c, p + 16, 8);
    load(&d, p + 24, 8);
    s0 += (a & 0xffffffffu) + (a >> 32) + (b & 0xffffffffu) + (b >> 32);
    s1 += (c & 0xffffffffu) + (c >> 32) + (d & 0xffffffffu) + (d >> 32);
  }
  for (; len >= 8; p += 8, len -= 8) {
    load(&a, p, 8);
    s0 += (a & 0xffffffffu) + (a >> 32);
  }
  return add64(s0, s1);
}

/* The last 0..7 bytes; an odd last byte is the first byte of a zero-padded
 * word (RFC 1071 §4.1). */
static uint64_t sum_tail(const uint8_t *p, size_t len) {
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
  return (v & 0xffffffffu) + (v >> 32);
}

/* Sum of the data as native-endian 16-bit words, folded. */
static uint16_t sum_native(const uint8_t *p, size_t len) {
  size_t wide = len & ~(size_t)7;
  return fold64(add64(sum_wide(p, wide), sum_tail(p + wide, len - wide)));
}

/* The data's sum in big-endian word order, whatever the host order. */
static uint16_t sum_be(const uint8_t *p, size_t len) {
  uint16_t s = sum_native(p, len);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  s = swap16(s);
#endif
  return s;
}

uint32_t fin_csum_add(uint32_t sum, const void *data, size_t len) {
  uint32_t odd = sum & CSUM_ODD;
  uint16_t acc = fold64(sum & ~CSUM_ODD);
  if (odd)
    acc = swap16(acc);
  acc = fold64((uint64_t)acc + sum_be(data, len));
  if (odd)
    acc = swap16(acc);
  return acc | ((len & 1u) ? odd ^ CSUM_ODD : odd);
}

uint16_t fin_csum_fold(uint32_t sum) {
  return (uint16_t)~fold64(sum & ~CSUM_ODD);
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
