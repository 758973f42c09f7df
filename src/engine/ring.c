/* SPDX-License-Identifier: MIT */
#include "ring.h"

#include "internal.h"

static uint32_t chunk_of(const struct fin_stack *st) {
  return st->pool.chunk;
}

static uint32_t chunks(const struct fin_stack *st, uint32_t cap) {
  return (cap + chunk_of(st) - 1) / chunk_of(st);
}

/* The span: whole chunks, so the ring wraps on a chunk boundary. */
static uint32_t span(const struct fin_stack *st, const struct fin_ring *r) {
  return chunks(st, r->cap) * chunk_of(st);
}

static uint32_t phys(const struct fin_stack *st, const struct fin_ring *r, uint32_t off) {
  uint32_t s = span(st, r), i = r->head + off;
  return i >= s ? i - s : i;
}

int fin_ring_init(struct fin_stack *st, struct fin_ring *r, uint32_t cap) {
  uint8_t **map = fin_map_get(st, chunks(st, cap));
  if (map == NULL)
    return -ENOMEM;
  *r = (struct fin_ring){map, cap, 0, 0, 0};
  return 0;
}

void fin_ring_release(struct fin_stack *st, struct fin_ring *r) {
  if (r->map == NULL) {
    *r = (struct fin_ring){NULL, 0, 0, 0, 0}; /* never used, or emptied (no chunk, no map) */
    return;
  }
  uint32_t n = chunks(st, r->cap);
  /* Chunks exist only under live bytes, [head, head + hi) of the span
   * (consume gives the rest back): only those are looked at. */
  if (r->hi > 0) {
    uint32_t c = chunk_of(st), first = r->head / c, count = (r->head % c + r->hi + c - 1) / c;
    for (uint32_t k = 0; k < count && k < n; k++) {
      uint32_t i = (first + k) % n;
      if (r->map[i] != NULL) {
        fin_chunk_put(st, r->map[i]);
        r->map[i] = NULL;
      }
    }
  }
  fin_map_put(st, r->map, n);
  *r = (struct fin_ring){NULL, 0, 0, 0, 0};
}

/* Whether chunk i of the span holds any byte of logical [0, hi). */
static bool chunk_live(const struct fin_stack *st, const struct fin_ring *r, uint32_t i) {
  if (r->hi == 0)
    return false;
  uint32_t c = chunk_of(st), s = span(st, r);
  uint32_t start = i * c, rel = start >= r->head ? start - r->head : start + s - r->head;
  /* The chunk starts rel bytes after head (mod span); it is live if that
   * is inside [0, hi), or if head itself lies inside this chunk. */
  return rel < r->hi || (r->head >= start && r->head < start + c);
}

/* Every chunk under logical [off, off + n) exists; all or nothing. */
static int ensure(struct fin_stack *st, struct fin_ring *r, uint32_t off, uint32_t n) {
  uint32_t c = chunk_of(st), nch = chunks(st, r->cap);
  uint32_t first = phys(st, r, off) / c, count = (phys(st, r, off) % c + n + c - 1) / c;
  for (uint32_t k = 0; k < count; k++) {
    uint32_t i = (first + k) % nch;
    if (r->map[i] != NULL || (r->map[i] = fin_chunk_get(st)) != NULL)
      continue;
    /* Give back what this call took: chunks exist only under [0, hi)
     * (release and consume rely on it), and these would hold no byte. */
    while (k-- > 0) {
      i = (first + k) % nch;
      if (!chunk_live(st, r, i)) {
        fin_chunk_put(st, r->map[i]);
        r->map[i] = NULL;
      }
    }
    return -ENOBUFS;
  }
  return 0;
}

static void copy_in(const struct fin_stack *st, struct fin_ring *r, uint32_t off,
                    const uint8_t *src, uint32_t n) {
  uint32_t c = chunk_of(st);
  while (n > 0) {
    uint32_t p = phys(st, r, off), o = p % c, piece = c - o < n ? c - o : n;
    memcpy(r->map[p / c] + o, src, piece);
    src += piece;
    off += piece;
    n -= piece;
  }
}

int fin_ring_write_at(struct fin_stack *st, struct fin_ring *r, uint32_t off, const void *data,
                      uint32_t n) {
  if (n == 0)
    return 0;
  uint32_t c = chunk_of(st), p = phys(st, r, off), o = p % c;
  if (o + n <= c) { /* inside one chunk: a small write, the common one */
    uint8_t **chunk = &r->map[p / c];
    if (*chunk == NULL && (*chunk = fin_chunk_get(st)) == NULL)
      return -ENOBUFS;
    memcpy(*chunk + o, data, n);
  } else {
    if (ensure(st, r, off, n) != 0)
      return -ENOBUFS;
    copy_in(st, r, off, data, n);
  }
  if (off + n > r->hi)
    r->hi = off + n;
  return 0;
}

void fin_ring_commit(struct fin_ring *r, uint32_t n) {
  r->len += n;
  if (r->len > r->hi)
    r->hi = r->len;
}

uint32_t fin_ring_write(struct fin_stack *st, struct fin_ring *r, const void *data, uint32_t n) {
  uint32_t room = fin_ring_free(r);
  if (n > room)
    n = room;
  if (n == 0 || fin_ring_write_at(st, r, r->len, data, n) != 0)
    return 0;
  r->len += n;
  return n;
}

void fin_ring_peek(const struct fin_stack *st, const struct fin_ring *r, uint32_t off, uint32_t n,
                   const uint8_t **p1, uint32_t *l1, const uint8_t **p2, uint32_t *l2) {
  uint32_t c = chunk_of(st), p = phys(st, r, off), o = p % c;
  uint32_t first = c - o < n ? c - o : n;
  *p1 = r->map[p / c] + o;
  *l1 = first;
  *p2 = first < n ? r->map[phys(st, r, off + first) / c] : NULL;
  *l2 = n - first;
}

void fin_ring_copy(const struct fin_stack *st, const struct fin_ring *r, uint32_t off, uint32_t n,
                   uint8_t *out) {
  uint32_t c = chunk_of(st);
  while (n > 0) {
    uint32_t p = phys(st, r, off), o = p % c, k = c - o < n ? c - o : n;
    memcpy(out, r->map[p / c] + o, k);
    out += k;
    off += k;
    n -= k;
  }
}

void fin_ring_consume(struct fin_stack *st, struct fin_ring *r, uint32_t n) {
  if (n > r->len)
    n = r->len;
  if (n == 0)
    return;
  uint32_t c = chunk_of(st), nch = chunks(st, r->cap);
  uint32_t first = r->head / c, passed = (r->head % c + n) / c + 1;
  r->head = phys(st, r, n);
  r->len -= n;
  r->hi -= n;
  if (r->hi == 0)
    r->head = 0; /* empty, nothing out of order held: start again at chunk 0 */
  for (uint32_t k = 0; k < passed && k < nch; k++) {
    uint32_t i = (first + k) % nch;
    if (r->map[i] != NULL && !chunk_live(st, r, i)) {
      fin_chunk_put(st, r->map[i]);
      r->map[i] = NULL;
    }
  }
  if (r->hi == 0) {
    /* Empty: no chunk is left, and the map goes back to the pool too, so
     * an idle connection holds no buffer memory at all (issue 14); the
     * capacity stays, and the next write takes a map again. */
    fin_map_put(st, r->map, nch);
    r->map = NULL;
  }
}

uint32_t fin_ring_read(struct fin_stack *st, struct fin_ring *r, void *out, uint32_t n, int peek) {
  if (n > r->len)
    n = r->len;
  uint32_t c = chunk_of(st), done = 0;
  uint8_t *dst = out;
  while (done < n) {
    uint32_t p = phys(st, r, done), o = p % c, piece = c - o < n - done ? c - o : n - done;
    memcpy(dst + done, r->map[p / c] + o, piece);
    done += piece;
  }
  if (!peek)
    fin_ring_consume(st, r, n);
  return n;
}
