/* SPDX-License-Identifier: MIT */
/* Fuzz harness for the wire layer: any bytes through fin_tcp_parse,
 * fin_icmp_parse and fin_tcp_opts_parse; an accepted segment is rebuilt and
 * re-parsed, and must come back identical. Its options are also rewritten
 * with fin_tcp_opts_write and must parse back to the same values.
 *
 * Build and run with libFuzzer (clang), from the repository root:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
 *     src/engine/[a-z]*.c fuzz/fuzz_wire.c -o build-fuzz/fuzz_wire
 *   ./build-fuzz/fuzz_wire -max_total_time=60 -max_len=2048
 * or simply: scripts/fuzz-wire.sh [seconds]
 * Without clang: fuzz/driver.c feeds this harness seeded random inputs
 * (ctest label fuzz-smoke, test fuzz-smoke/wire_corpus), and replays files
 * given on its command line (crash reproducers). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fin/wire.h"
#include "fuzz.h"

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond))                                                                                   \
      abort();                                                                                     \
  } while (0)

static void check_same_segment(const struct fin_segment *a, const struct fin_segment *b) {
  CHECK(a->saddr == b->saddr && a->daddr == b->daddr);
  CHECK(a->tos == b->tos && a->ip_id == b->ip_id && b->ttl == (a->ttl ? a->ttl : 64));
  CHECK(a->sport == b->sport && a->dport == b->dport);
  CHECK(a->seq == b->seq && a->ack == b->ack && a->flags == b->flags);
  CHECK(a->wnd == b->wnd && a->urg == b->urg && a->data_offset == b->data_offset);
  CHECK(memcmp(&a->opts, &b->opts, sizeof(a->opts)) == 0);
  CHECK(a->payload_len == b->payload_len);
  CHECK(a->payload_len == 0 || memcmp(a->payload, b->payload, a->payload_len) == 0);
}

/* Rebuild with the segment's own (valid) options; split the payload in two
 * at an odd point to exercise the two-piece checksum. */
static void rebuild_and_reparse(const struct fin_segment *seg) {
  static uint8_t buf[65536 + 64];
  size_t opt_len = (size_t)seg->data_offset - FIN_TCP_HDR_MIN;
  const uint8_t *opt = seg->payload - opt_len;
  size_t cut = seg->payload_len / 2 | 1;
  if (cut > seg->payload_len)
    cut = seg->payload_len;
  size_t n = fin_tcp_build(buf, sizeof(buf), seg, opt, opt_len, seg->payload, cut,
                           seg->payload + cut, seg->payload_len - cut);
  CHECK(n == FIN_IPV4_HDR_MIN + seg->data_offset + seg->payload_len);
  struct fin_segment again;
  CHECK(fin_tcp_parse(buf, n, &again) == FIN_WIRE_OK);
  check_same_segment(seg, &again);
}

static void check_opts_rewrite(const struct fin_tcp_opts *in, bool syn, int layout) {
  struct fin_tcp_opts_out o = {.mss = in->has_mss,
                               .mss_value = in->mss,
                               .wscale = in->has_wscale,
                               .wscale_value = in->wscale,
                               .sack_permitted = in->sack_permitted,
                               .ts = in->has_ts,
                               .ts_val = in->ts_val,
                               .ts_ecr = in->ts_ecr,
                               .sack_count = in->sack_count};
  memcpy(o.sack, in->sack, sizeof(o.sack));
  uint8_t area[FIN_TCP_OPT_MAX];
  size_t n = fin_tcp_opts_write(area, &o, (enum fin_option_layout)layout, syn);
  CHECK(n % 4 == 0 && n <= FIN_TCP_OPT_MAX);
  struct fin_tcp_opts out;
  CHECK(fin_tcp_opts_parse(area, n, &out) == FIN_WIRE_OK);
  CHECK(out.has_ts == in->has_ts &&
        (!in->has_ts || (out.ts_val == in->ts_val && out.ts_ecr == in->ts_ecr)));
  if (syn) {
    CHECK(out.has_mss == in->has_mss && out.mss == in->mss);
    CHECK(out.has_wscale == in->has_wscale && out.wscale == in->wscale);
    CHECK(out.sack_permitted == in->sack_permitted && out.sack_count == 0);
    return;
  }
  size_t room = in->has_ts ? 3 : 4;
  CHECK(out.sack_count == (in->sack_count < room ? in->sack_count : room));
  CHECK(memcmp(out.sack, in->sack, out.sack_count * sizeof(out.sack[0])) == 0);
}

static void put_csum(uint8_t *field, uint32_t sum, const uint8_t *p, size_t len) {
  field[0] = field[1] = 0;
  uint16_t c = fin_csum_fold(fin_csum_add(sum, p, len));
  field[0] = (uint8_t)(c >> 8);
  field[1] = (uint8_t)c;
}

/* Random mutations almost never keep a checksum right; repairing them lets
 * the fuzzer reach the TCP, option and ICMP parsers behind the checks. */
static void fix_checksums(uint8_t *d, size_t len) {
  size_t ihl = (size_t)(d[0] & 0x0f) * 4;
  if (ihl < FIN_IPV4_HDR_MIN || ihl > len)
    return;
  put_csum(d + 10, 0, d, ihl);
  size_t tot = (size_t)d[2] << 8 | d[3];
  if (tot > len || tot < ihl)
    return;
  size_t l4 = tot - ihl;
  uint32_t pseudo = (uint32_t)(d[12] << 8 | d[13]) + (uint32_t)(d[14] << 8 | d[15]) +
                    (uint32_t)(d[16] << 8 | d[17]) + (uint32_t)(d[18] << 8 | d[19]) +
                    FIN_IPPROTO_TCP + (uint32_t)l4;
  if (d[9] == FIN_IPPROTO_TCP && l4 >= FIN_TCP_HDR_MIN)
    put_csum(d + ihl + 16, pseudo, d + ihl, l4);
  if (d[9] == FIN_IPPROTO_ICMP && l4 >= 8)
    put_csum(d + ihl + 2, 0, d + ihl, l4);
}

static void check_input(const uint8_t *data, size_t size) {
  struct fin_segment seg;
  enum fin_wire_error e = fin_tcp_parse(data, size, &seg);
  CHECK((unsigned)e < FIN_WIRE_ERROR_COUNT);
  CHECK(fin_wire_error_name(e)[0] != '?');
  if (e == FIN_WIRE_OK) {
    rebuild_and_reparse(&seg);
    check_opts_rewrite(&seg.opts, true, size % 2);
    check_opts_rewrite(&seg.opts, false, size % 2);
    char flags[32];
    CHECK(fin_tcp_flags_str(seg.flags, flags, sizeof(flags))[0] != '\0');
  }
  struct fin_icmp_error ie;
  CHECK((unsigned)fin_icmp_parse(data, size, &ie) < FIN_WIRE_ERROR_COUNT);
  struct fin_tcp_opts opts;
  e = fin_tcp_opts_parse(data, size < 60 ? size : 60, &opts);
  CHECK(e == FIN_WIRE_OK || e == FIN_WIRE_TCP_OPTION);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_input(data, size);
  if (size < FIN_IPV4_HDR_MIN || size > 65535)
    return 0;
  uint8_t *fixed = malloc(size);
  CHECK(fixed != NULL);
  memcpy(fixed, data, size);
  fix_checksums(fixed, size);
  check_input(fixed, size);
  free(fixed);
  return 0;
}
