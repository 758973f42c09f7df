/* SPDX-License-Identifier: MIT */
/* pcapng blocks (pcapng.h), written in host byte order: the Section Header's
 * byte-order magic tells readers which one that is. Every block and every
 * option value is padded to 32 bits. */
#include "drivers/pcapng.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u

#define OPT_END      0
#define OPT_COMMENT  1
#define SHB_USERAPPL 4
#define IF_NAME      2
#define IF_TSRESOL   9
#define EPB_FLAGS    2

#define LINKTYPE_RAW 101 /* bare IPv4/IPv6, as the classic pcap tap writes */
#define SNAPLEN      65535u
#define MAX_COMMENT  65000u /* an option length is 16 bits */

struct fin_pcapng {
  FILE *f;
  bool own;
  uint8_t *buf; /* one block being built */
  size_t len, cap;
  int err;
};

static void put(struct fin_pcapng *p, const void *data, size_t n) {
  if (p->err != 0)
    return;
  if (p->len + n > p->cap) {
    size_t cap = p->cap ? p->cap : 256;
    while (cap < p->len + n)
      cap *= 2;
    uint8_t *b = realloc(p->buf, cap);
    if (b == NULL) {
      p->err = -ENOMEM;
      return;
    }
    p->buf = b;
    p->cap = cap;
  }
  memcpy(p->buf + p->len, data, n);
  p->len += n;
}

static void put32(struct fin_pcapng *p, uint32_t v) {
  put(p, &v, 4);
}

static void put16(struct fin_pcapng *p, uint16_t v) {
  put(p, &v, 2);
}

static void pad(struct fin_pcapng *p) {
  static const uint8_t zero[4];
  put(p, zero, (4 - p->len % 4) % 4);
}

static void option(struct fin_pcapng *p, uint16_t code, const void *value, size_t len) {
  put16(p, code);
  put16(p, (uint16_t)len);
  put(p, value, len);
  pad(p);
}

static void block_begin(struct fin_pcapng *p, uint32_t type) {
  p->len = 0;
  put32(p, type);
  put32(p, 0); /* total length, patched in block_end */
}

/* Ends the options, repeats the total length and writes the block out. */
static int block_end(struct fin_pcapng *p) {
  put16(p, OPT_END);
  put16(p, 0);
  uint32_t total = (uint32_t)(p->len + 4);
  put32(p, total);
  if (p->err != 0)
    return p->err;
  memcpy(p->buf + 4, &total, 4);
  return fwrite(p->buf, 1, p->len, p->f) == p->len ? 0 : -EIO;
}

static int write_headers(struct fin_pcapng *p, const char *ifname) {
  static const char app[] = "fin";
  block_begin(p, BT_SHB);
  put32(p, 0x1A2B3C4Du); /* byte-order magic */
  put16(p, 1);           /* version 1.0 */
  put16(p, 0);
  put32(p, 0xFFFFFFFFu); /* section length: not given */
  put32(p, 0xFFFFFFFFu);
  option(p, SHB_USERAPPL, app, sizeof(app) - 1);
  int r = block_end(p);
  if (r != 0)
    return r;
  block_begin(p, BT_IDB);
  put16(p, LINKTYPE_RAW);
  put16(p, 0);
  put32(p, SNAPLEN);
  if (ifname != NULL && ifname[0] != '\0')
    option(p, IF_NAME, ifname, strlen(ifname));
  uint8_t nanoseconds = 9; /* timestamps count 10^-9 s */
  option(p, IF_TSRESOL, &nanoseconds, 1);
  return block_end(p);
}

struct fin_pcapng *fin_pcapng_open_stream(FILE *f, bool own, const char *ifname) {
  struct fin_pcapng *p = calloc(1, sizeof(*p));
  if (p == NULL)
    return NULL;
  p->f = f;
  p->own = own;
  if (write_headers(p, ifname) != 0) {
    free(p->buf);
    free(p);
    return NULL;
  }
  return p;
}

struct fin_pcapng *fin_pcapng_open(const char *path, const char *ifname, char *err, size_t errlen) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return NULL;
  }
  struct fin_pcapng *p = fin_pcapng_open_stream(f, true, ifname);
  if (p == NULL) {
    snprintf(err, errlen, "%s: cannot write the pcapng header", path);
    fclose(f);
  }
  return p;
}

int fin_pcapng_write(struct fin_pcapng *p, const uint8_t *dgram, size_t len, int64_t time_ns,
                     enum fin_pcapng_dir dir, const char *const *comments, size_t ncomments) {
  if (p == NULL || len > SNAPLEN)
    return -EINVAL;
  uint64_t ts = time_ns < 0 ? 0 : (uint64_t)time_ns;
  block_begin(p, BT_EPB);
  put32(p, 0); /* interface 0 */
  put32(p, (uint32_t)(ts >> 32));
  put32(p, (uint32_t)ts);
  put32(p, (uint32_t)len); /* captured */
  put32(p, (uint32_t)len); /* on the wire */
  put(p, dgram, len);
  pad(p);
  for (size_t i = 0; i < ncomments; i++) {
    size_t n = strlen(comments[i]);
    option(p, OPT_COMMENT, comments[i], n > MAX_COMMENT ? MAX_COMMENT : n);
  }
  if (dir != FIN_PCAPNG_DIR_UNKNOWN) {
    uint32_t flags = (uint32_t)dir; /* bits 0-1: 01 inbound, 10 outbound */
    option(p, EPB_FLAGS, &flags, 4);
  }
  return block_end(p);
}

int fin_pcapng_flush(struct fin_pcapng *p) {
  if (p == NULL)
    return -EINVAL;
  return fflush(p->f) == 0 ? 0 : -EIO;
}

void fin_pcapng_close(struct fin_pcapng *p) {
  if (p == NULL)
    return;
  if (p->own)
    fclose(p->f);
  else
    fflush(p->f);
  free(p->buf);
  free(p);
}
