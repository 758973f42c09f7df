/* SPDX-License-Identifier: MIT */
/* A libFuzzer-free driver for the whole-stack harness (fuzz/fuzz_stack.c),
 * the pattern of fuzz/driver.c: with file arguments it replays them (crash
 * reproducers, fuzz/regressions/stack-*); with --seeds DIR it writes the
 * seed corpus (valid programs: handshakes, data, every close path, each
 * over IPv4 and over IPv6, and IPv6 extension headers and ICMPv6); without
 * arguments it runs seeded inputs: the seed programs, mutations of them, and
 * random bytes (ctest fuzz-smoke/stack). Every input sits in a heap block of
 * exactly its size so ASan catches any over-read. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_stack.h"

#define INPUTS  3000
#define MAX_LEN 4096

static uint64_t rng_state = 0x5eed57ac;

static uint64_t rng(void) {
  uint64_t x = rng_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng_state = x;
  return x * 0x2545F4914F6CDD1DULL;
}

/* FIN_FUZZ_SAVE=path: each input is written there before it runs, so the
 * one that fails can be replayed (and minimised with libFuzzer). */
static void save(const uint8_t *d, size_t len) {
  const char *path = getenv("FIN_FUZZ_SAVE");
  FILE *f = path ? fopen(path, "wb") : NULL;
  if (f) {
    fwrite(d, 1, len, f);
    fclose(f);
  }
}

static void run_one(const uint8_t *d, size_t len) {
  save(d, len);
  fin_fuzz_run(d, len);
}

/* ---- seed programs ---- */

struct prog {
  uint8_t b[MAX_LEN];
  size_t n;
};

static void emit(struct prog *p, size_t k, const uint8_t *bytes) {
  for (size_t i = 0; i < k && p->n < MAX_LEN; i++)
    p->b[p->n++] = bytes[i];
}
#define E(p, ...) emit((p), sizeof((uint8_t[]){__VA_ARGS__}), (uint8_t[]){__VA_ARGS__})

enum { A = 0, B = 1, MS1 = 0, MS10 = 1, S1 = 2, MIN1 = 3 };

/* The program being written runs over IPv6 (FZ_SEED_IPV6). */
static bool seed_v6;

/* Handles: B's listener is B#0, its accepted socket B#1; A's client A#0. */
static void handshake(struct prog *p, uint8_t cfga, uint8_t cfgb) {
  p->n = 0;
  E(p, cfga, cfgb, seed_v6 ? 0x81 : 1, 2, 3, 4);
  E(p, FZ_OP_SOCKET, B, FZ_OP_BIND, B, 0, 0, 1, 0, 0, FZ_OP_LISTEN, B, 0, 16);
  E(p, FZ_OP_SOCKET, A, FZ_OP_CONNECT, A, 0, 0, 0, 0);
  E(p, FZ_OP_RUN, 100, MS1, FZ_OP_ACCEPT, B, 0, 1);
}

static void transfer(struct prog *p) {
  E(p, FZ_OP_SEND, A, 0, 0x0b, 0xb8, 0, FZ_OP_SEND, B, 1, 0x01, 0x00, 0);
  E(p, FZ_OP_RUN, 50, MS1, FZ_OP_RECV, B, 1, 0x7f, 0xff, 0, FZ_OP_RECV, A, 0, 0x7f, 0xff, 0);
}

/* Over IPv6, FZ_OP_INJECT's last argument: the extension header chain. */
static void inject_ext(struct prog *p, uint8_t chain) {
  if (seed_v6)
    E(p, chain);
}

static void seed_close(struct prog *p, int kind) {
  switch (kind) {
  case 0: /* A closes first, TIME-WAIT expires */
    E(p, FZ_OP_CLOSE, A, 0, FZ_OP_RUN, 10, MS10, FZ_OP_CLOSE, B, 1, FZ_OP_RUN, 2, MIN1);
    break;
  case 1: /* simultaneous close */
    E(p, FZ_OP_CLOSE, A, 0, FZ_OP_CLOSE, B, 1, FZ_OP_RUN, 2, MIN1);
    break;
  case 2: /* abort */
    E(p, FZ_OP_ABORT, A, 0, FZ_OP_RUN, 10, MS10, FZ_OP_RECV, B, 1, 0, 10, 0);
    break;
  case 3: /* half-close, then data the other way, then close */
    E(p, FZ_OP_SHUTDOWN, A, 0, 1, FZ_OP_RUN, 10, MS10, FZ_OP_SEND, B, 1, 0, 100, 0);
    E(p, FZ_OP_RUN, 10, MS10, FZ_OP_CLOSE, B, 1, FZ_OP_RUN, 10, MS10, FZ_OP_CLOSE, A, 0);
    E(p, FZ_OP_RUN, 2, MIN1);
    break;
  case 4: /* SO_LINGER {1,0} */
    E(p, FZ_OP_SETSOCKOPT, A, 0, 1, 0, 1, 0, 0, 0, FZ_OP_CLOSE, A, 0, FZ_OP_RUN, 10, MS10);
    break;
  case 5: /* close with unread data: RST (B7) */
    E(p, FZ_OP_CLOSE, B, 1, FZ_OP_RUN, 10, MS10, FZ_OP_SEND, A, 0, 0, 10, 0, FZ_OP_RUN, 10, S1);
    break;
  case 6: /* orphaned FIN-WAIT-2 times out (F1) */
    E(p, FZ_OP_RECV, B, 1, 0x7f, 0xff, 0, FZ_OP_CLOSE, A, 0, FZ_OP_RUN, 3, MIN1);
    break;
  case 7: /* the peer vanishes: retransmissions run out */
    E(p, FZ_OP_SEND, A, 0, 0, 100, 0, FZ_OP_STACK_SHUTDOWN, B, 0, FZ_OP_ADVANCE, 30, MIN1);
    E(p, FZ_OP_DROP, 0, 0, FZ_OP_RUN, 200, MIN1);
    break;
  case 8: /* K2 orderly shutdown of both */
    E(p, FZ_OP_STACK_SHUTDOWN, A, 20, FZ_OP_STACK_SHUTDOWN, B, 20, FZ_OP_RUN, 10, S1);
    break;
  case 9: /* B6 administrative kill, then TIME-WAIT kill */
    E(p, FZ_OP_KILL, A, 0, FZ_OP_RUN, 10, MS10, FZ_OP_KILL, B, 0);
    break;
  case 10: /* keep-alive on an idle connection, then the peer goes away */
    E(p, FZ_OP_SETSOCKOPT, A, 0, 2, 0, 1, 0, FZ_OP_SETSOCKOPT, A, 0, 11, 0, 1, 0);
    E(p, FZ_OP_RUN, 60, S1, FZ_OP_STACK_SHUTDOWN, B, 0, FZ_OP_RUN, 120, MIN1);
    break;
  case 11: /* forged in-window RST, then a SYN on the connection */
    E(p, FZ_OP_INJECT, A, 0, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    inject_ext(p, 1);
    E(p, FZ_OP_RUN, 10, MS10, FZ_OP_INJECT, B, 0, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    inject_ext(p, 2);
    E(p, FZ_OP_RUN, 10, MS10);
    break;
  case 12: /* TCP_USER_TIMEOUT with data in flight and the link cut */
    E(p, FZ_OP_SETSOCKOPT, A, 0, 9, 0xf0, 0, 0, 0x13, 0x88, 0, FZ_OP_SEND, A, 0, 0, 200, 0);
    E(p, FZ_OP_DROP, 0, 0, FZ_OP_ADVANCE, 10, S1, FZ_OP_DROP, 0, 0, FZ_OP_RUN, 10, S1);
    break;
  default: /* TIME-WAIT then a new connection on the same 4-tuple */
    E(p, FZ_OP_CLOSE, A, 0, FZ_OP_RUN, 10, MS10, FZ_OP_CLOSE, B, 1, FZ_OP_RUN, 10, MS10);
    E(p, FZ_OP_SOCKET, A, FZ_OP_CONNECT, A, 1, 0, 0, 0, FZ_OP_RUN, 100, MS1, FZ_OP_RUN, 2, MIN1);
    break;
  }
}

/* IPv6 only: data forged onto the live connection behind every extension
 * header chain; a raw SYN behind destination options (the fuzzer's own
 * next header); ICMPv6 packet too big about data in flight; ICMPv6 port
 * unreachable about a SYN. */
static void seed_v6_extras(struct prog *p, int kind) {
  seed_v6 = true;
  handshake(p, 0, 0);
  switch (kind) {
  case 0:
    for (uint8_t c = 0; c < FZ_EXT_CHAINS; c++)
      E(p, FZ_OP_INJECT, B, 0, 0x18, 0, 0, 1, 0, 0x10, 0, 1, 0, 0, 10, c, FZ_OP_RUN, 10, MS1);
    break;
  case 1:
    E(p, FZ_OP_RAW, B, 1 | 8, 0, 68);
    E(p, 0x60, 0, 0, 0, 0, 0, 60, 64);
    for (int i = 0; i < 32; i++)
      E(p, 0);
    E(p, 6 /* TCP */, 0, 1, 4, 0, 0, 0, 0);                                  /* PadN */
    E(p, 0x12, 0x34, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff); /* SYN */
    E(p, 0, 0, 0, 0, FZ_OP_RUN, 10, MS10);
    break;
  case 2:
    E(p, FZ_OP_SEND, A, 0, 0x82, 0xee, 0, FZ_OP_ICMP, 0, 1, 0, 0x05, 0x78, FZ_OP_RUN, 50, MS1);
    break;
  default:
    E(p, FZ_OP_SOCKET, A, FZ_OP_CONNECT, A, 1, 2, 0, 99, FZ_OP_ICMP, 0, 0, 4, 0, 0);
    E(p, FZ_OP_RUN, 10, S1);
    break;
  }
  seed_v6 = false;
}

#define CLOSE_KINDS 14
#define V4_SEEDS    (CLOSE_KINDS * 4)
#define V6_EXTRAS   4
#define SEEDS       (2 * V4_SEEDS + V6_EXTRAS)

/* Seeds 0..V4_SEEDS-1 over IPv4, the same programs over IPv6, then the
 * IPv6 extras. */
static void make_seed(struct prog *p, int i) {
  static const uint8_t cfgs[4][2] = {{0, 0},
                                     {FZ_CFG_NO_TS | FZ_CFG_NO_SACK, FZ_CFG_FREEBSD},
                                     {FZ_CFG_SMALL_BUF | FZ_CFG_NO_DELACK, FZ_CFG_SMALL_MTU},
                                     {FZ_CFG_FAST_TIMER, FZ_CFG_FAST_TIMER | FZ_CFG_NO_WS}};
  if (i >= 2 * V4_SEEDS) {
    seed_v6_extras(p, i - 2 * V4_SEEDS);
    return;
  }
  seed_v6 = i >= V4_SEEDS;
  i %= V4_SEEDS;
  const uint8_t *c = cfgs[(i / CLOSE_KINDS) % 4];
  handshake(p, c[0], c[1]);
  if (i % 2 == 0)
    transfer(p);
  seed_close(p, i % CLOSE_KINDS);
  seed_v6 = false;
}

/* ---- mutations for the smoke run ---- */

static void mutate(struct prog *p) {
  unsigned edits = 1 + (unsigned)(rng() % 6);
  for (unsigned k = 0; k < edits; k++) {
    size_t at = p->n ? (size_t)(rng() % p->n) : 0;
    switch (rng() % 4) {
    case 0:
      if (p->n)
        p->b[at] ^= (uint8_t)(1u << (rng() % 8));
      break;
    case 1:
      if (p->n)
        p->b[at] = (uint8_t)rng();
      break;
    case 2: /* insert a random op with random arguments */
      for (size_t j = 0, len = 2 + (size_t)(rng() % 12); j < len && p->n < MAX_LEN; j++)
        p->b[p->n++] = (uint8_t)rng();
      break;
    default:
      p->n = at > 6 ? at : p->n;
      break;
    }
  }
}

static int write_seeds(const char *dir) {
  static struct prog p;
  char path[4096];
  for (int i = 0; i < SEEDS; i++) {
    make_seed(&p, i);
    snprintf(path, sizeof(path), "%s/seed-%03d", dir, i);
    if (fin_fuzz_write(path, p.b, p.n) != 0)
      return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
    return write_seeds(argv[2]);
  if (argc > 1)
    return fin_fuzz_replay(argc, argv, run_one);
  static struct prog p;
  int inputs = getenv("FIN_FUZZ_INPUTS") ? atoi(getenv("FIN_FUZZ_INPUTS")) : INPUTS;
  if (getenv("FIN_FUZZ_SEED"))
    rng_state = strtoull(getenv("FIN_FUZZ_SEED"), NULL, 0) | 1;
  for (int i = 0; i < inputs; i++) {
    if (i % 5 == 4) {
      p.n = (size_t)(rng() % 512);
      for (size_t k = 0; k < p.n; k++)
        p.b[k] = (uint8_t)rng();
    } else {
      make_seed(&p, (int)(rng() % SEEDS));
      if (i >= SEEDS)
        mutate(&p);
    }
    run_one(p.b, p.n);
  }
  printf("fuzz smoke (stack): %d inputs, no failure\n", inputs);
  return 0;
}
