/* SPDX-License-Identifier: MIT */
/* A libFuzzer-free driver for the reassembly harness (fuzz/fuzz_reassembly.c),
 * so gcc builds run it under ctest (label fuzz-smoke). With file arguments
 * it replays those inputs (crash reproducers, the committed corpus); without,
 * it feeds FIN_FUZZ_INPUTS (default 3,000) seeded programs: random
 * capacities, MTUs and memory limits, then operations biased towards
 * segments around held ranges, hole fills and reads, so the store fills up
 * (pruning and refusing, M15) and drains. With --seeds DIR it writes a
 * starting corpus for libFuzzer instead. Every input sits in a heap block of
 * exactly its size so ASan catches any over-read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define INPUTS  3000
#define SEEDS   64
#define MAX_LEN 2048

static uint64_t rng_state = 0x5eedab1e;

static uint64_t rng(void) {
  uint64_t x = rng_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng_state = x;
  return x * 0x2545F4914F6CDD1DULL;
}

/* A program: header, then ops with the opcodes of fuzz_reassembly.c
 * (0 OOO, 1 in order, 2 around, 3 hole, 4 read, 5 peek, 6 fail). */
static size_t make_prog(uint8_t *b) {
  static const uint8_t weights[] = {0, 0, 0, 0, 2, 2, 2, 3, 3, 4, 4, 5, 1, 6};
  size_t n = 0;
  uint16_t cap = (uint16_t)(rng() % 4 == 0 ? rng() : 1000 + rng() % 11000);
  b[n++] = (uint8_t)(cap >> 8);
  b[n++] = (uint8_t)cap;
  b[n++] = (uint8_t)rng();
  b[n++] = rng() % 4 == 0 ? (uint8_t)(1 + rng() % 16) : 0;
  size_t ops = 1 + (size_t)(rng() % 200);
  for (size_t k = 0; k < ops && n + 8 < MAX_LEN; k++) {
    uint8_t op = weights[rng() % sizeof(weights)];
    if (op == 6 && rng() % 4 != 0)
      op = 0;
    b[n++] = op;
    uint16_t a = (uint16_t)rng(), len = (uint16_t)(rng() % 8 == 0 ? rng() : rng() % 1500);
    switch (op) {
    case 0:
      b[n++] = (uint8_t)(a >> 8);
      b[n++] = (uint8_t)a;
      /* fallthrough */
    case 1:
    case 4:
    case 5:
      b[n++] = (uint8_t)(len >> 8);
      b[n++] = (uint8_t)len;
      break;
    case 2:
      b[n++] = (uint8_t)rng();
      b[n++] = (uint8_t)(rng() % 64 - 32);
      b[n++] = (uint8_t)(rng() % 64 - 32);
      break;
    case 6:
      b[n++] = (uint8_t)(rng() % 8);
      break;
    default:
      break;
    }
  }
  return n;
}

static int write_seeds(const char *dir) {
  static uint8_t b[MAX_LEN];
  for (int i = 0; i < SEEDS; i++) {
    size_t n = make_prog(b);
    char path[4096];
    snprintf(path, sizeof(path), "%s/seed-%03d", dir, i);
    if (fin_fuzz_write(path, b, n) != 0)
      return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
    return write_seeds(argv[2]);
  if (argc > 1)
    return fin_fuzz_replay(argc, argv, fin_fuzz_run);
  static uint8_t b[MAX_LEN];
  int inputs = getenv("FIN_FUZZ_INPUTS") ? atoi(getenv("FIN_FUZZ_INPUTS")) : INPUTS;
  if (getenv("FIN_FUZZ_SEED"))
    rng_state = strtoull(getenv("FIN_FUZZ_SEED"), NULL, 0) | 1;
  for (int i = 0; i < inputs; i++) {
    size_t n;
    if (i % 8 == 7) {
      n = (size_t)(rng() % 512);
      for (size_t k = 0; k < n; k++)
        b[k] = (uint8_t)rng();
    } else {
      n = make_prog(b);
    }
    fin_fuzz_run(b, n);
  }
  printf("fuzz smoke (reassembly): %d inputs, no failure\n", inputs);
  return 0;
}
