/* SPDX-License-Identifier: MIT */
/* A libFuzzer-free driver for the fuzz harnesses, so gcc builds can run
 * them under ctest (label fuzz-smoke). With file arguments it replays those
 * inputs (e.g. crash-* files from libFuzzer); without, it feeds 20,000
 * seeded inputs: random bytes, valid IPv4 and IPv6 segments built with
 * fin_tcp_build (the IPv6 ones often behind extension headers), ICMP and
 * ICMPv6 errors quoting them, address texts, and mutations of those. With --seeds DIR it
 * writes a starting corpus for libFuzzer instead. Every input sits in a heap block of exactly its
 * size so ASan catches any over-read. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fin/wire.h"
#include "fuzz.h"

#define INPUTS  20000
#define MAX_LEN 1600

static uint64_t rng_state = 0x5eed0f1e;

static uint64_t rng(void) {
  uint64_t x = rng_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng_state = x;
  return x * 0x2545F4914F6CDD1DULL;
}

/* fd00::/16 with random low bits: never a martian. */
static struct fin_addr random_v6(uint8_t net) {
  uint8_t b[16] = {0xfd, net};
  for (int i = 2; i < 16; i++)
    b[i] = (uint8_t)rng();
  return fin_addr_v6(b);
}

/* A valid segment of the given family with random header fields, options
 * and payload. */
static size_t make_valid_family(uint8_t *buf, size_t cap, bool v6) {
  struct fin_segment seg;
  memset(&seg, 0, sizeof(seg));
  seg.saddr = v6 ? random_v6(0) : fin_addr_v4(0x0a000000u | (uint32_t)(rng() & 0xffff));
  seg.daddr = v6 ? random_v6(1) : fin_addr_v4(0x0a010000u | (uint32_t)(rng() & 0xffff));
  seg.tos = (uint8_t)(rng() & 0xfc);
  seg.flowlabel = v6 ? (uint32_t)(rng() & 0xfffff) : 0;
  seg.sport = (uint16_t)(1 + rng() % 65535);
  seg.dport = (uint16_t)(1 + rng() % 65535);
  seg.seq = (uint32_t)rng();
  seg.ack = (uint32_t)rng();
  seg.flags = (uint8_t)(rng() & ~(uint64_t)FIN_TCP_RST);
  seg.wnd = (uint16_t)rng();
  seg.ttl = (uint8_t)rng();
  struct fin_tcp_opts_out o = {.mss = rng() & 1,
                               .mss_value = (uint16_t)rng(),
                               .wscale = rng() & 1,
                               .wscale_value = (uint8_t)rng(),
                               .sack_permitted = rng() & 1,
                               .ts = rng() & 1,
                               .ts_val = (uint32_t)rng(),
                               .ts_ecr = (uint32_t)rng(),
                               .sack_count = (uint8_t)(rng() % 5)};
  for (size_t i = 0; i < FIN_SACK_MAX_BLOCKS; i++)
    o.sack[i] = (struct fin_sack_block){(uint32_t)rng(), (uint32_t)rng()};
  uint8_t opt[FIN_TCP_OPT_MAX], payload[MAX_LEN];
  size_t ol = fin_tcp_opts_write(opt, &o, (enum fin_option_layout)(rng() & 1), rng() & 1);
  size_t pl = (size_t)(rng() % 200);
  for (size_t i = 0; i < pl; i++)
    payload[i] = (uint8_t)rng();
  return fin_tcp_build(buf, cap, &seg, opt, ol, payload, pl / 3, payload + pl / 3, pl - pl / 3);
}

/* Inserts a random chain of up to 4 extension headers (hop-by-hop first,
 * destination options, routing with segments left 0, atomic fragments; at
 * times a real fragment or a routing header with segments left) after a
 * 40-byte IPv6 header. The upper-layer checksum is unchanged (RFC 8200
 * §8.1). */
static size_t add_extensions(uint8_t *d, size_t len, size_t cap) {
  static const uint8_t kinds[] = {0, 60, 43, 44, 60};
  uint8_t ext[4 * 24];
  size_t el = 0, count = 1 + (size_t)(rng() % 4);
  uint8_t first = d[6], *prev = &first;
  for (size_t k = 0; k < count; k++) {
    uint8_t t = kinds[k == 0 ? rng() % 5 : 1 + rng() % 4];
    size_t hl = t == 44 ? 8 : 8 * (1 + (size_t)(rng() % 3));
    uint8_t *h = ext + el;
    memset(h, 0, hl);
    h[0] = *prev; /* the protocol this chain ends with, moved along */
    *prev = t;
    prev = &h[0];
    if (t == 44) {
      h[3] = rng() % 8 == 0 ? 1 : 0; /* M set: a real fragment */
    } else {
      h[1] = (uint8_t)(hl / 8 - 1);
      if (t == 43)
        h[3] = rng() % 8 == 0 ? 1 : 0; /* segments left */
      else {
        h[2] = 1; /* PadN */
        h[3] = (uint8_t)(hl - 4);
      }
    }
    el += hl;
  }
  size_t plen = (size_t)d[4] << 8 | d[5];
  if (len + el > cap || plen + el > 65535)
    return len;
  memmove(d + 40 + el, d + 40, len - 40);
  memcpy(d + 40, ext, el);
  d[6] = first;
  d[4] = (uint8_t)((plen + el) >> 8);
  d[5] = (uint8_t)(plen + el);
  return len + el;
}

/* Either family; a third of the IPv6 ones behind extension headers. */
static size_t make_valid(uint8_t *buf, size_t cap) {
  bool v6 = rng() % 2;
  size_t n = make_valid_family(buf, cap, v6);
  if (v6 && n > 0 && rng() % 3 == 0)
    n = add_extensions(buf, n, cap);
  return n;
}

/* An ICMPv6 error (types 1-4, RFC 4443) quoting the first bytes of a valid
 * IPv6 segment; checksum left zero, as for ICMP. */
static size_t make_icmp6(uint8_t *buf, size_t cap) {
  uint8_t seg[MAX_LEN];
  size_t n = make_valid_family(seg, sizeof(seg), true);
  size_t q = 48 + (size_t)(rng() % 40);
  if (q > n)
    q = n;
  if (48 + q > cap)
    return 0;
  memset(buf, 0, 48);
  buf[0] = 0x60;
  buf[4] = (uint8_t)((8 + q) >> 8);
  buf[5] = (uint8_t)(8 + q);
  buf[6] = FIN_IPPROTO_ICMPV6;
  buf[7] = 64;
  memcpy(buf + 8, seg + 24, 16); /* from the quoted destination's side */
  memcpy(buf + 24, seg + 8, 16);
  buf[40] = (uint8_t)(1 + rng() % 4);
  buf[41] = (uint8_t)(rng() % 8);
  for (int i = 44; i < 48; i++)
    buf[i] = (uint8_t)rng(); /* MTU or pointer */
  memcpy(buf + 48, seg, q);
  return 48 + q;
}

/* An ICMP error (type 3, 4, 11 or 12) quoting the first bytes of a valid
 * segment; the fuzz harness repairs checksums, so they are left zero. */
static size_t make_icmp(uint8_t *buf, size_t cap) {
  static const uint8_t types[] = {3, 4, 11, 12};
  if (rng() % 2)
    return make_icmp6(buf, cap);
  uint8_t seg[MAX_LEN];
  size_t n = make_valid_family(seg, sizeof(seg), false);
  size_t q = 28 + (size_t)(rng() % 40);
  if (q > n)
    q = n;
  if (28 + q > cap)
    return 0;
  memset(buf, 0, 28);
  buf[0] = 0x45;
  buf[2] = (uint8_t)((28 + q) >> 8);
  buf[3] = (uint8_t)(28 + q);
  buf[8] = 64;
  buf[9] = FIN_IPPROTO_ICMP;
  buf[12] = 192;
  buf[15] = 1;
  buf[16] = 10;
  buf[19] = 1;
  buf[20] = types[rng() % 4];
  buf[21] = (uint8_t)(rng() % 16);
  memcpy(buf + 28, seg, q);
  return 28 + q;
}

static void mutate(uint8_t *buf, size_t *len, size_t cap) {
  unsigned edits = 1 + (unsigned)(rng() % 4);
  for (unsigned k = 0; k<edits && * len> 0; k++)
    buf[rng() % *len] ^= (uint8_t)(1u << (rng() % 8));
  if (rng() % 4 == 0)
    *len = (size_t)(rng() % (cap + 1));
}

/* The IPv6 extension header limits, one seed each (random chains rarely
 * reach them): k = 0 a routing header with segments left, 1 a first
 * fragment, 2 nine headers (one past FIN_IPV6_EXT_MAX), 3 1,032 bytes of
 * headers (8 past the limit), 4 hop-by-hop after destination options, 5
 * the jumbo payload option. */
static size_t make_ipv6_limit(uint8_t *buf, size_t cap, int k) {
  static const uint8_t one[6][8] = {{6, 0, 4, 1, 0, 0, 0, 0},  {6, 0, 0, 1, 0, 0, 0, 7},
                                    {60, 0, 1, 4, 0, 0, 0, 0}, {6, 128, 1, 0, 0, 0, 0, 0},
                                    {0, 0, 1, 4, 0, 0, 0, 0},  {6, 0, 0xc2, 4, 0, 1, 0, 0}};
  static const uint8_t first[6] = {43, 44, 60, 60, 60, 0};
  uint8_t ext[1040];
  size_t el = 8;
  memcpy(ext, one[k], 8);
  if (k == 2) {
    for (el = 0; el < 9 * 8; el += 8)
      memcpy(ext + el, one[2], 8);
    ext[el - 8] = 6;
  } else if (k == 3) {
    el = 1032; /* 129 units of 8: PadN options of 255 bytes and one of 4 */
    memset(ext, 0, el);
    ext[0] = 6;
    ext[1] = 128;
    for (size_t o = 2; o + 257 <= el; o += 257) {
      ext[o] = 1;
      ext[o + 1] = 255;
    }
  } else if (k == 4) {
    el = 16;
    memcpy(ext + 8, one[0], 8);
    ext[8 + 2] = 1;
    ext[8 + 3] = 4;
  }
  size_t n = make_valid_family(buf, cap, true);
  size_t plen = (size_t)buf[4] << 8 | buf[5];
  if (n == 0 || n + el > cap)
    return n;
  memmove(buf + 40 + el, buf + 40, n - 40);
  memcpy(buf + 40, ext, el);
  buf[6] = first[k];
  buf[4] = (uint8_t)((plen + el) >> 8);
  buf[5] = (uint8_t)(plen + el);
  return n + el;
}

/* Address and endpoint texts for the harness's text checks; the smoke run
 * mutates them. */
static const char *const texts[] = {"10.0.0.1",
                                    "fd00::1",
                                    "::ffff:192.0.2.1",
                                    "1:2:3:4:5:6:7:8",
                                    "2001:db8::1:0:0:1",
                                    "::",
                                    "10.0.0.1:80",
                                    "[fd00::2]:65535",
                                    "[::ffff:10.0.0.1]:80",
                                    "[1:2:3:4:5:6:1.2.3.4]:1"};
#define TEXTS (sizeof(texts) / sizeof(texts[0]))

static size_t make_text(uint8_t *buf, size_t k) {
  size_t n = strlen(texts[k % TEXTS]);
  memcpy(buf, texts[k % TEXTS], n);
  return n;
}

/* Seed i of the libFuzzer corpus: 64 segments and ICMP errors, the six
 * extension header limits, the texts. */
#define SEEDS (64 + 6 + (int)TEXTS)
static size_t make_seed(uint8_t *buf, size_t cap, int i) {
  if (i >= 70)
    return make_text(buf, (size_t)i - 70);
  if (i >= 64)
    return make_ipv6_limit(buf, cap, i - 64);
  return i % 4 == 3 ? make_icmp(buf, cap) : make_valid(buf, cap);
}

/* --seeds DIR: writes a starting corpus for libFuzzer. */
static int write_seeds(const char *dir) {
  uint8_t buf[MAX_LEN];
  char path[4096];
  for (int i = 0; i < SEEDS; i++) {
    size_t n = make_seed(buf, sizeof(buf), i);
    snprintf(path, sizeof(path), "%s/seed-%02d", dir, i);
    if (fin_fuzz_write(path, buf, n) != 0)
      return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
    return write_seeds(argv[2]);
  if (argc > 1)
    return fin_fuzz_replay(argc, argv, fin_fuzz_run);
  static uint8_t buf[MAX_LEN];
  for (int i = 0; i < INPUTS; i++) {
    size_t len;
    if (i % 3 == 0) {
      len = (size_t)(rng() % MAX_LEN);
      for (size_t k = 0; k < len; k++)
        buf[k] = (uint8_t)rng();
    } else {
      len = i % 7 == 1    ? make_icmp(buf, sizeof(buf))
            : i % 97 == 5 ? make_ipv6_limit(buf, sizeof(buf), i % 6)
            : i % 11 == 4 ? make_text(buf, (size_t)i)
                          : make_valid(buf, sizeof(buf));
      if (i % 3 == 2)
        mutate(buf, &len, sizeof(buf));
    }
    fin_fuzz_run(buf, len);
  }
  printf("fuzz smoke: %d inputs, no failure\n", INPUTS);
  return 0;
}
