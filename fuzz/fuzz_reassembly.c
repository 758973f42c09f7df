/* SPDX-License-Identifier: MIT */
/* Differential fuzz harness for the receive path in miniature: the
 * out-of-order store (src/engine/assembler.c, BEHAVIOR M15) and the chunked
 * receive ring (src/engine/ring.c), driven the way src/engine/input_text.c
 * drives them, against a model that is correct by construction - a flat
 * array of bytes indexed by ring offset, one "held" flag and one "last
 * grown" stamp per offset beyond RCV.NXT.
 *
 * An input is: 2 bytes of ring capacity (1 + v % CAP_MAX), 1 byte of MTU
 * choice (the pool's chunk size: 2 KiB, or 4 KiB one time in four), 1 byte of buffer
 * memory limit in chunks (0: none), then operations (one opcode byte taken
 * modulo OP_COUNT and its argument bytes; past the end they read 0, so any
 * byte string is a valid program):
 *   OP_OOO     off16 len16    a segment beyond RCV.NXT, inside the window
 *   OP_INORDER len16          a segment at RCV.NXT
 *   OP_AROUND  idx8 d8 d8     a segment around a held range (edges +-128)
 *   OP_HOLE    -              the first hole, exactly
 *   OP_READ    len16          the application reads (consumes)
 *   OP_PEEK    len16          ... or peeks (MSG_PEEK)
 *   OP_FAIL    n8             the n-th allocation from now fails (0: off)
 * Every segment carries bytes that depend on its write number and stream
 * position, so an overwrite, a lost byte or a byte at the wrong place shows.
 *
 * After every operation (abort() on a difference):
 *   - the store's ranges are the model's runs of held offsets, and its
 *     result (added, duplicate, pruned, refused) the model's;
 *   - fin_asm_first_overlap names the lowest held run in a segment (D-SACK,
 *     RFC 2883 §4) and fin_asm_recent lists every range, most recently
 *     grown first (RFC 2018 §4);
 *   - the ring's len and hi are the model's, and every readable byte and
 *     every held out-of-order byte is the model's, byte for byte;
 *   - the ring holds no more chunks than its bytes span, exactly that many
 *     when nothing is held beyond len (memory follows data);
 *   - the stack's memory accounting equals the allocator's live bytes, and
 *     everything goes back at the end.
 *
 * libFuzzer: scripts/fuzz-campaign.sh. Without clang, fuzz/driver_reassembly.c
 * feeds it seeded inputs (ctest fuzz-smoke/reassembly) and replays files. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "assembler.h"
#include "fuzz.h"
#include "internal.h"
#include "ring.h"

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond))                                                                                   \
      abort();                                                                                     \
  } while (0)

#define CAP_MAX 12000u /* small: the model is scanned after every step */
#define MAX_OPS 1000

enum { OP_OOO, OP_INORDER, OP_AROUND, OP_HOLE, OP_READ, OP_PEEK, OP_FAIL, OP_COUNT };

struct rz_alloc {
  size_t live_bytes, live_blocks, total, fail_at;
};

struct model {
  uint8_t data[CAP_MAX];     /* ring offset -> byte (valid below len, and where held) */
  uint8_t held[CAP_MAX + 1]; /* offset from RCV.NXT -> 1 if held out of order */
  /* Offset from RCV.NXT -> when a range last covered it; a run's age is its
   * highest stamp (the whole run grew then). */
  uint32_t stamp[CAP_MAX];
  uint32_t clock, len, hi;
  bool have_ooo; /* the engine allocates the store lazily, frees it when empty */
};

static struct {
  const uint8_t *p;
  size_t n;
  struct rz_alloc ta;
  struct fin_stack *st;
  struct fin_ring r;
  struct fin_assembler a;
  struct model m;
  uint32_t cap, writes;
} Z;

static uint8_t take8(void) {
  if (Z.n == 0)
    return 0;
  Z.n--;
  return *Z.p++;
}

static uint16_t take16(void) {
  uint16_t hi = take8();
  return (uint16_t)(hi << 8 | take8());
}

static void *rz_alloc(void *ctx, size_t size) {
  struct rz_alloc *a = ctx;
  a->total++;
  if (a->fail_at != 0 && a->total == a->fail_at)
    return NULL;
  void *p = malloc(size ? size : 1);
  CHECK(p != NULL);
  memset(p, 0xa5, size); /* code relying on zeroed memory fails */
  a->live_bytes += size;
  a->live_blocks++;
  return p;
}

static void rz_release(void *ctx, void *ptr, size_t size) {
  struct rz_alloc *a = ctx;
  if (ptr == NULL)
    return;
  CHECK(a->live_blocks > 0 && a->live_bytes >= size);
  a->live_bytes -= size;
  a->live_blocks--;
  free(ptr);
}

static void rz_fill(void *ctx, void *buf, size_t len) {
  (void)ctx;
  memset(buf, 0x5a, len);
}

/* ---- the model ---- */

static uint32_t window(void) {
  return Z.cap - Z.m.len; /* offsets from RCV.NXT the ring can take */
}

/* Runs of held offsets below the window, in order. */
static unsigned model_runs(uint32_t *rs, uint32_t *re, unsigned max) {
  const struct model *m = &Z.m;
  unsigned n = 0;
  uint32_t w = window(), i = 0;
  while (i < w) {
    const uint8_t *one = memchr(m->held + i, 1, w - i);
    if (one == NULL)
      break;
    i = (uint32_t)(one - m->held);
    const uint8_t *zero = memchr(m->held + i, 0, w - i);
    uint32_t j = zero != NULL ? (uint32_t)(zero - m->held) : w;
    CHECK(n < max);
    rs[n] = i;
    re[n] = j;
    n++;
    i = j;
  }
  return n;
}

static bool model_touches(uint32_t s, uint32_t e) {
  uint32_t lo = s > 0 ? s - 1 : 0, hi = e < CAP_MAX ? e + 1 : CAP_MAX;
  return memchr(Z.m.held + lo, 1, hi - lo) != NULL;
}

/* M15: a range that would be a ninth makes the store forget its furthest
 * run, unless it would itself be the furthest. */
static enum fin_asm_result model_add(uint32_t s, uint32_t e) {
  struct model *m = &Z.m;
  uint32_t rs[FIN_ASM_MAX + 1], re[FIN_ASM_MAX + 1];
  unsigned n = model_runs(rs, re, FIN_ASM_MAX + 1);
  CHECK(n <= FIN_ASM_MAX);
  enum fin_asm_result res = FIN_ASM_ADDED;
  if (!model_touches(s, e) && n == FIN_ASM_MAX) {
    if (s > re[n - 1])
      return FIN_ASM_REFUSED;
    memset(&m->held[rs[n - 1]], 0, re[n - 1] - rs[n - 1]);
    res = FIN_ASM_PRUNED;
  }
  bool dup = memchr(m->held + s, 0, e - s) == NULL;
  memset(m->held + s, 1, e - s);
  /* The whole run this range now belongs to grew (or was touched): its
   * highest stamp becomes the newest. */
  m->clock++;
  for (uint32_t i = s; i < e; i++)
    m->stamp[i] = m->clock;
  return dup && res == FIN_ASM_ADDED ? FIN_ASM_DUPLICATE : res;
}

static uint32_t model_pop(void) {
  struct model *m = &Z.m;
  const uint8_t *zero = memchr(m->held, 0, CAP_MAX + 1);
  uint32_t n = (uint32_t)(zero - m->held); /* held[CAP_MAX] is never set */
  if (n == 0)
    return 0;
  memmove(m->held, m->held + n, CAP_MAX - n);
  memset(m->held + CAP_MAX - n, 0, n);
  memmove(m->stamp, m->stamp + n, (CAP_MAX - n) * sizeof(m->stamp[0]));
  memset(m->stamp + CAP_MAX - n, 0, n * sizeof(m->stamp[0]));
  return n;
}

static bool model_first_overlap(uint32_t s, uint32_t e, uint32_t *os, uint32_t *oe) {
  const uint8_t *one = memchr(Z.m.held + s, 1, e - s);
  if (one == NULL)
    return false;
  *os = (uint32_t)(one - Z.m.held);
  const uint8_t *zero = memchr(one, 0, e - *os);
  *oe = zero != NULL ? (uint32_t)(zero - Z.m.held) : e;
  return true;
}

/* ---- the comparison ---- */

static uint32_t chunks_needed(void) {
  if (Z.r.hi == 0)
    return 0;
  uint32_t c = Z.st->pool.chunk, all = (Z.r.cap + c - 1) / c;
  uint32_t n = (Z.r.head % c + Z.r.hi + c - 1) / c;
  return n < all ? n : all; /* a full ring's first and last bytes may share a chunk */
}

/* The ring's bytes at [off, off + n) equal the model's. */
static void compare_bytes(uint32_t off, uint32_t n) {
  uint32_t c = Z.st->pool.chunk;
  while (n > 0) {
    uint32_t piece = n < c ? n : c;
    const uint8_t *p1, *p2;
    uint32_t l1, l2;
    fin_ring_peek(Z.st, &Z.r, off, piece, &p1, &l1, &p2, &l2);
    CHECK(l1 + l2 == piece);
    CHECK(memcmp(p1, Z.m.data + off, l1) == 0);
    CHECK(l2 == 0 || memcmp(p2, Z.m.data + off + l1, l2) == 0);
    off += piece;
    n -= piece;
  }
}

static void compare(void) {
  const struct model *m = &Z.m;
  CHECK(Z.r.len == m->len && Z.r.hi == m->hi);
  CHECK(m->len <= m->hi && m->hi <= Z.cap);
  uint32_t rs[FIN_ASM_MAX + 1], re[FIN_ASM_MAX + 1];
  unsigned n = model_runs(rs, re, FIN_ASM_MAX + 1);
  CHECK(m->have_ooo || n == 0);
  CHECK(Z.a.count == n);
  for (unsigned i = 0; i < n; i++) {
    CHECK(Z.a.r[i].start == rs[i] && Z.a.r[i].end == re[i]);
    CHECK(m->len + re[i] <= m->hi); /* the store records only what the ring holds */
    compare_bytes(m->len + rs[i], re[i] - rs[i]);
  }
  compare_bytes(0, m->len);
  /* RFC 2018 §4: every range, most recently grown first. */
  unsigned idx[FIN_ASM_MAX];
  CHECK(fin_asm_recent(&Z.a, idx, FIN_ASM_MAX) == n);
  uint32_t age[FIN_ASM_MAX + 1] = {0};
  for (unsigned i = 0; n > 1 && i < n; i++)
    for (uint32_t k = rs[i]; k < re[i]; k++)
      age[i] = m->stamp[k] > age[i] ? m->stamp[k] : age[i];
  for (unsigned i = 0; i < n; i++) {
    CHECK(idx[i] < n);
    for (unsigned j = 0; j < i; j++)
      CHECK(idx[j] != idx[i] && (n == 1 || age[idx[j]] > age[idx[i]]));
  }
  /* Memory follows data (issue 14). */
  if (Z.r.hi == Z.r.len)
    CHECK(Z.st->pool.in_use == chunks_needed());
  else
    CHECK(Z.st->pool.in_use <= chunks_needed());
  CHECK(fin_stack_memory_in_use(Z.st) == Z.ta.live_bytes);
}

/* ---- the receive path, as input_text.c walks it ---- */

static void fill(uint8_t *buf, uint32_t pos, uint32_t n) {
  uint32_t k = ++Z.writes;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t x = (k * 0x9E3779B1u) ^ ((pos + i) * 0x85EBCA6Bu);
    x ^= x >> 15;
    buf[i] = (uint8_t)(x * 0x2C1B3C6Du >> 24);
  }
}

/* A successful write_at, in the model: last write wins. */
static void model_wrote(uint32_t at, const uint8_t *buf, uint32_t n) {
  memcpy(Z.m.data + at, buf, n);
  if (at + n > Z.m.hi)
    Z.m.hi = at + n;
}

static void ooo_release(void) {
  if (Z.a.count == 0) {
    memset(&Z.a, 0, sizeof(Z.a));
    Z.m.have_ooo = false;
    Z.m.clock = 0;
  }
}

/* An emptied ring gave its chunk map back (ring.c) and keeps its size;
 * input_text.c makes it again before a segment goes in
 * (fin_conn_rcvbuf_ready), and so does this. */
static bool ring_ready(void) {
  return Z.r.map != NULL || fin_ring_init(Z.st, &Z.r, Z.r.cap != 0 ? Z.r.cap : Z.cap) == 0;
}

static void segment_ooo(uint32_t off, uint32_t n) {
  static uint8_t buf[CAP_MAX];
  uint32_t at = Z.m.len + off;
  fill(buf, at, n);
  if (!ring_ready() || fin_ring_write_at(Z.st, &Z.r, at, buf, n) != 0)
    return; /* F3: no chunk now; the peer sends it again */
  model_wrote(at, buf, n);
  uint32_t os, oe, ms, me;
  bool got = Z.m.have_ooo && fin_asm_first_overlap(&Z.a, off, off + n, &os, &oe);
  bool want = model_first_overlap(off, off + n, &ms, &me);
  CHECK(got == want && (!got || (os == ms && oe == me)));
  Z.m.have_ooo = true;
  CHECK(fin_asm_add(&Z.a, off, off + n) == model_add(off, off + n));
}

static void segment_in_order(uint32_t n) {
  static uint8_t buf[CAP_MAX];
  fill(buf, Z.m.len, n);
  if (!ring_ready() || fin_ring_write_at(Z.st, &Z.r, Z.m.len, buf, n) != 0)
    return;
  model_wrote(Z.m.len, buf, n);
  uint32_t joined = n;
  if (Z.m.have_ooo) {
    enum fin_asm_result got = fin_asm_add(&Z.a, 0, n), want = model_add(0, n);
    CHECK(got == want && got != FIN_ASM_REFUSED); /* M15: offset 0 is always taken */
    joined = fin_asm_pop_front(&Z.a);
    CHECK(joined == model_pop());
    CHECK(joined >= n);
    ooo_release();
  }
  fin_ring_commit(&Z.r, joined);
  Z.m.len += joined;
  if (Z.m.len > Z.m.hi)
    Z.m.hi = Z.m.len;
}

static void app_read(uint32_t n, bool peek) {
  static uint8_t out[CAP_MAX];
  if (n > Z.m.len)
    n = Z.m.len;
  CHECK(fin_ring_read(Z.st, &Z.r, out, n, peek) == n);
  CHECK(memcmp(out, Z.m.data, n) == 0);
  if (peek || n == 0)
    return;
  memmove(Z.m.data, Z.m.data + n, CAP_MAX - n);
  Z.m.len -= n;
  Z.m.hi -= n;
}

static void step(uint8_t op) {
  uint32_t w = window();
  switch (op % OP_COUNT) {
  case OP_OOO: {
    uint32_t off = take16(), len = take16();
    if (w < 2)
      return;
    off = 1 + off % (w - 1);
    segment_ooo(off, 1 + len % (w - off));
    return;
  }
  case OP_INORDER: {
    uint32_t len = take16();
    if (w > 0)
      segment_in_order(1 + len % w);
    return;
  }
  case OP_AROUND: {
    uint8_t i = take8();
    int32_t ds = (int8_t)take8(), de = (int8_t)take8();
    if (Z.a.count == 0 || w < 2)
      return;
    int64_t s = (int64_t)Z.a.r[i % Z.a.count].start + ds;
    int64_t e = (int64_t)Z.a.r[i % Z.a.count].end + de;
    if (s < 0)
      s = 0;
    if (e > w)
      e = w;
    if (s >= e)
      return;
    if (s == 0)
      segment_in_order((uint32_t)e);
    else
      segment_ooo((uint32_t)s, (uint32_t)(e - s));
    return;
  }
  case OP_HOLE:
    if (Z.a.count > 0 && Z.a.r[0].start > 0)
      segment_in_order(Z.a.r[0].start);
    return;
  case OP_READ:
    app_read(take16(), false);
    return;
  case OP_PEEK:
    app_read(take16(), true);
    return;
  case OP_FAIL: {
    uint8_t k = take8();
    Z.ta.fail_at = k ? Z.ta.total + k : 0;
    return;
  }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const uint16_t mtus[] = {1500, 1500, 1500, 4000}; /* chunks of 2 or 4 KiB */
  memset(&Z, 0, sizeof(Z));
  Z.p = data;
  Z.n = size;
  Z.cap = 1 + take16() % CAP_MAX;
  struct fin_settings s;
  fin_settings_default(&s);
  s.mtu = mtus[take8() % 4];
  uint8_t limit = take8();
  struct fin_allocator al = {rz_alloc, rz_release, &Z.ta};
  struct fin_random rnd = {rz_fill, NULL};
  CHECK(fin_stack_new(&Z.st, &s, &al, &rnd, 0) == 0);
  if (limit != 0) { /* F3: the ring takes chunks only while they fit */
    s.max_buffer_memory = (uint64_t)limit * Z.st->pool.chunk;
    CHECK(fin_stack_set_settings(Z.st, &s) == 0);
  }
  CHECK(fin_ring_init(Z.st, &Z.r, Z.cap) == 0);
  compare();
  for (int k = 0; k < MAX_OPS && Z.n > 0; k++) {
    step(take8());
    compare();
  }
  Z.ta.fail_at = 0;
  fin_ring_release(Z.st, &Z.r);
  CHECK(Z.st->pool.in_use == 0);
  fin_stack_free(Z.st);
  CHECK(Z.ta.live_bytes == 0 && Z.ta.live_blocks == 0);
  return 0;
}
