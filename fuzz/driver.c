/* SPDX-License-Identifier: MIT */
/* A libFuzzer-free driver for the fuzz harnesses, so gcc builds can run
 * them under ctest (label fuzz-smoke). With file arguments it replays those
 * inputs (e.g. crash-* files from libFuzzer); without, it feeds 20,000
 * seeded inputs: random bytes, valid segments built with fin_tcp_build, ICMP
 * errors quoting them, and mutations of those. With --seeds DIR it writes a
 * starting corpus for libFuzzer instead. Every input sits in a heap block of exactly its size
 * so ASan catches any over-read. */
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

static void run_one(const uint8_t *d, size_t len) {
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy)
    abort();
  if (len)
    memcpy(copy, d, len);
  LLVMFuzzerTestOneInput(copy, len);
  free(copy);
}

/* A valid segment with random header fields, options and payload. */
static size_t make_valid(uint8_t *buf, size_t cap) {
  struct fin_segment seg;
  memset(&seg, 0, sizeof(seg));
  seg.saddr = 0x0a000000u | (uint32_t)(rng() & 0xffff);
  seg.daddr = 0x0a010000u | (uint32_t)(rng() & 0xffff);
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

/* An ICMP error (type 3, 4, 11 or 12) quoting the first bytes of a valid
 * segment; the fuzz harness repairs checksums, so they are left zero. */
static size_t make_icmp(uint8_t *buf, size_t cap) {
  static const uint8_t types[] = {3, 4, 11, 12};
  uint8_t seg[MAX_LEN];
  size_t n = make_valid(seg, sizeof(seg));
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

/* --seeds DIR: writes a starting corpus for libFuzzer. */
static int write_seeds(const char *dir) {
  uint8_t buf[MAX_LEN];
  char path[4096];
  for (int i = 0; i < 64; i++) {
    size_t n = i % 4 == 3 ? make_icmp(buf, sizeof(buf)) : make_valid(buf, sizeof(buf));
    snprintf(path, sizeof(path), "%s/seed-%02d", dir, i);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, n, f) != n) {
      perror(path);
      return 1;
    }
    fclose(f);
  }
  return 0;
}

static int replay(int argc, char **argv) {
  static uint8_t buf[1 << 20];
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    if (!f) {
      perror(argv[i]);
      return 1;
    }
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    run_one(buf, n);
  }
  printf("replayed %d inputs\n", argc - 1);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
    return write_seeds(argv[2]);
  if (argc > 1)
    return replay(argc, argv);
  static uint8_t buf[MAX_LEN];
  for (int i = 0; i < INPUTS; i++) {
    size_t len;
    if (i % 3 == 0) {
      len = (size_t)(rng() % MAX_LEN);
      for (size_t k = 0; k < len; k++)
        buf[k] = (uint8_t)rng();
    } else {
      len = i % 7 == 1 ? make_icmp(buf, sizeof(buf)) : make_valid(buf, sizeof(buf));
      if (i % 3 == 2)
        mutate(buf, &len, sizeof(buf));
    }
    run_one(buf, len);
  }
  printf("fuzz smoke: %d inputs, no failure\n", INPUTS);
  return 0;
}
