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

#include <string.h>

#define CSUM_ODD 0x80000000u

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

/* Whole 8-byte words (len a multiple of 8), four at a time: independent
 * loads let the CPU overlap them. memcpy loads keep unaligned buffers free of
 * undefined behaviour and compile to plain loads. */
static uint64_t sum_wide(const uint8_t *p, size_t len) {
  uint64_t acc = 0, a, b, c, d;
  for (; len >= 32; p += 32, len -= 32) {
    memcpy(&a, p, 8);
    memcpy(&b, p + 8, 8);
    memcpy(&c, p + 16, 8);
    memcpy(&d, p + 24, 8);
    acc = add64(add64(add64(add64(acc, a), b), c), d);
  }
  for (; len >= 8; p += 8, len -= 8) {
    memcpy(&a, p, 8);
    acc = add64(acc, a);
  }
  return acc;
}

/* The last 0..7 bytes; an odd last byte is the first byte of a zero-padded
 * word (RFC 1071 §4.1). */
static uint64_t sum_tail(const uint8_t *p, size_t len) {
  uint8_t word[8] = {0};
  uint64_t v;
  memcpy(word, p, len);
  memcpy(&v, word, 8);
  return v;
}

/* Sum of the data as native-endian 16-bit words, folded. */
static uint16_t sum_native(const uint8_t *p, size_t len) {
  size_t wide = len & ~(size_t)7;
  return fold64(add64(sum_wide(p, wide), sum_tail(p + wide, len - wide)));
}

/* The data's sum in big-endian word order, whatever the host order. */
static uint16_t sum_be(const uint8_t *p, size_t len) {
  uint16_t s = sum_native(p, len);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
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
