/* SPDX-License-Identifier: MIT */
/* The pcapng writer (drivers/pcapng.c) read back block by block: the
 * Section Header, the Interface Description (LINKTYPE_RAW, nanoseconds)
 * and Enhanced Packet Blocks with their comments and direction, every
 * length consistent and every block padded to 32 bits. tshark's reading of
 * real captures is checked in tests/sim/cli_checks.sh and the interop tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/pcapng.h"
#include "fin_test.h"

struct blob {
  char *data;
  size_t len;
};

static uint32_t u32(const struct blob *b, size_t off) {
  uint32_t v;
  assert_true(off + 4 <= b->len);
  memcpy(&v, b->data + off, 4);
  return v;
}

static uint16_t u16(const struct blob *b, size_t off) {
  uint16_t v;
  assert_true(off + 2 <= b->len);
  memcpy(&v, b->data + off, 2);
  return v;
}

/* Checks the block at off (type, equal leading and trailing lengths, 32-bit
 * padding) and returns the offset of the next one. */
static size_t block(const struct blob *b, size_t off, uint32_t type) {
  assert_int_equal(u32(b, off), type);
  uint32_t total = u32(b, off + 4);
  assert_int_equal(total % 4, 0);
  assert_true(off + total <= b->len);
  assert_int_equal(u32(b, off + total - 4), total);
  return off + total;
}

/* The option with this code in [off, end), or -1; its value length in *len. */
static long find_option(const struct blob *b, size_t off, size_t end, uint16_t code, int nth,
                        uint16_t *len) {
  while (off + 4 <= end) {
    uint16_t c = u16(b, off), l = u16(b, off + 2);
    if (c == 0)
      return -1; /* opt_endofopt */
    if (c == code && nth-- == 0) {
      *len = l;
      return (long)(off + 4);
    }
    off += 4 + ((l + 3u) & ~3u);
  }
  return -1;
}

static struct fin_pcapng *open_mem(struct blob *b, FILE **f) {
  *f = open_memstream(&b->data, &b->len);
  assert_non_null(*f);
  struct fin_pcapng *p = fin_pcapng_open_stream(*f, false, "fin0");
  assert_non_null(p);
  return p;
}

static void test_pcapng_headers(void **state) {
  (void)state;
  struct blob b = {0};
  FILE *f;
  fin_pcapng_close(open_mem(&b, &f));
  fclose(f);
  size_t next = block(&b, 0, 0x0A0D0D0Au);
  assert_int_equal(u32(&b, 8), 0x1A2B3C4Du); /* byte-order magic */
  assert_int_equal(u16(&b, 12), 1);          /* version 1.0 */
  assert_int_equal(u16(&b, 14), 0);
  size_t end = block(&b, next, 1);
  assert_int_equal(u16(&b, next + 8), 101); /* LINKTYPE_RAW */
  assert_int_equal(u32(&b, next + 12), 65535);
  uint16_t len;
  long v = find_option(&b, next + 16, end, 9, 0, &len); /* if_tsresol */
  assert_true(v > 0);
  assert_int_equal(len, 1);
  assert_int_equal((uint8_t)b.data[v], 9);         /* nanoseconds */
  v = find_option(&b, next + 16, end, 2, 0, &len); /* if_name */
  assert_true(v > 0);
  assert_int_equal(len, 4);
  assert_memory_equal(b.data + v, "fin0", 4);
  assert_int_equal(end, b.len); /* nothing else */
  free(b.data);
}

static void test_pcapng_packet_with_comments_and_direction(void **state) {
  (void)state;
  struct blob b = {0};
  FILE *f;
  struct fin_pcapng *p = open_mem(&b, &f);
  uint8_t d[41];
  for (size_t i = 0; i < sizeof(d); i++)
    d[i] = (uint8_t)i;
  const char *notes[] = {"fin conn 2: LISTEN -> SYN-RECEIVED", "odd"};
  int64_t t = 1700000000123456789LL;
  assert_int_equal(fin_pcapng_write(p, d, sizeof(d), t, FIN_PCAPNG_DIR_IN, notes, 2), 0);
  assert_int_equal(fin_pcapng_write(p, d, 20, t + 1, FIN_PCAPNG_DIR_OUT, NULL, 0), 0);
  fin_pcapng_close(p);
  fclose(f);
  size_t off = block(&b, 0, 0x0A0D0D0Au);
  off = block(&b, off, 1);
  size_t end = block(&b, off, 6);
  assert_int_equal(u32(&b, off + 8), 0); /* interface 0 */
  uint64_t ts = (uint64_t)u32(&b, off + 12) << 32 | u32(&b, off + 16);
  assert_true(ts == (uint64_t)t);
  assert_int_equal(u32(&b, off + 20), sizeof(d)); /* captured */
  assert_int_equal(u32(&b, off + 24), sizeof(d)); /* on the wire */
  assert_memory_equal(b.data + off + 28, d, sizeof(d));
  size_t opts = off + 28 + ((sizeof(d) + 3) & ~3u);
  uint16_t len;
  long v = find_option(&b, opts, end, 1, 0, &len);
  assert_true(v > 0);
  assert_int_equal(len, strlen(notes[0]));
  assert_memory_equal(b.data + v, notes[0], len);
  v = find_option(&b, opts, end, 1, 1, &len);
  assert_true(v > 0);
  assert_int_equal(len, 3);
  assert_memory_equal(b.data + v, "odd", 3);
  v = find_option(&b, opts, end, 2, 0, &len); /* epb_flags */
  assert_true(v > 0);
  assert_int_equal(u32(&b, (size_t)v), 1); /* inbound */
  /* The second packet: no comment, outbound. */
  size_t end2 = block(&b, end, 6);
  assert_int_equal(u32(&b, end + 20), 20);
  size_t opts2 = end + 28 + 20;
  assert_int_equal(find_option(&b, opts2, end2, 1, 0, &len), -1);
  v = find_option(&b, opts2, end2, 2, 0, &len);
  assert_true(v > 0);
  assert_int_equal(u32(&b, (size_t)v), 2);
  assert_int_equal(end2, b.len);
  free(b.data);
}

static void test_pcapng_refuses_oversized_datagram(void **state) {
  (void)state;
  struct blob b = {0};
  FILE *f;
  struct fin_pcapng *p = open_mem(&b, &f);
  static uint8_t big[65536];
  assert_int_equal(fin_pcapng_write(p, big, sizeof(big), 0, FIN_PCAPNG_DIR_OUT, NULL, 0), -22);
  assert_int_equal(fin_pcapng_write(NULL, big, 1, 0, FIN_PCAPNG_DIR_OUT, NULL, 0), -22);
  fin_pcapng_flush(p);
  size_t headers = b.len;
  fin_pcapng_close(p);
  fclose(f);
  assert_int_equal(b.len, headers); /* nothing written for the refused one */
  free(b.data);
}

static void test_pcapng_open_reports_bad_path(void **state) {
  (void)state;
  char err[256];
  assert_null(fin_pcapng_open("/nonexistent-dir/x.pcapng", NULL, err, sizeof(err)));
  assert_non_null(strstr(err, "/nonexistent-dir/x.pcapng"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pcapng_headers),
      cmocka_unit_test(test_pcapng_packet_with_comments_and_direction),
      cmocka_unit_test(test_pcapng_refuses_oversized_datagram),
      cmocka_unit_test(test_pcapng_open_reports_bad_path),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
