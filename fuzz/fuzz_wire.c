/* SPDX-License-Identifier: MIT */
/* Fuzz harness for the wire layer: any bytes through fin_tcp_parse,
 * fin_icmp_parse, fin_ip_parse and fin_tcp_opts_parse; an accepted segment
 * of either family is rebuilt and re-parsed, and must come back identical.
 * Its options are also rewritten with fin_tcp_opts_write and must parse
 * back to the same values. Each input runs three ways: as it is; with its
 * checksums repaired (IPv4 header, TCP, ICMP, and for IPv6 the upper layer
 * found after the extension headers); and framed, where its first byte
 * chooses IPv4 or IPv6 (bit 0) and the rest becomes the payload of a valid
 * header, so mutations reach TCP, ICMPv6 and the extension header walk
 * without having to guess lengths and addresses. The first bytes are also
 * address and endpoint text (fin_addr_parse, fin_endpoint_parse): what
 * parses prints (RFC 5952) and parses back to the same address, and any 16
 * bytes print as text that parses back to them.
 *
 * Build and run with libFuzzer (clang), from the repository root:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
 *     src/wire/[a-z]*.c src/engine/[a-z]*.c fuzz/fuzz_wire.c -o build-fuzz/fuzz_wire
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
  CHECK(fin_addr_eq(&a->saddr, &b->saddr) && fin_addr_eq(&a->daddr, &b->daddr));
  CHECK(a->tos == b->tos && a->ip_id == b->ip_id && b->ttl == (a->ttl ? a->ttl : 64));
  CHECK(a->flowlabel == b->flowlabel && a->flowlabel <= 0xfffff);
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
  /* fin builds no IP options and no extension headers. */
  size_t iph = fin_addr_is_v4(&seg->saddr) ? FIN_IPV4_HDR_MIN : FIN_IPV6_HDR_LEN;
  CHECK(n == iph + seg->data_offset + seg->payload_len);
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

/* IPv6 has no header checksum; the upper layer's (TCP or ICMPv6) covers
 * a pseudo-header (RFC 8200 §8.1). fin_ip_parse finds the upper layer after
 * the extension headers; if it refuses the datagram no checksum matters. */
static void fix_checksums_v6(uint8_t *d, size_t len) {
  struct fin_ip_info ip;
  if (fin_ip_parse(d, len, &ip) != FIN_WIRE_OK)
    return;
  uint8_t *up = d + (ip.payload - d);
  uint32_t sum = ip.proto + (uint32_t)(ip.payload_len >> 16) + (uint32_t)(ip.payload_len & 0xffff);
  for (size_t i = 8; i < FIN_IPV6_HDR_LEN; i += 2) /* the two addresses */
    sum += (uint32_t)(d[i] << 8 | d[i + 1]);
  if (ip.proto == FIN_IPPROTO_TCP && ip.payload_len >= FIN_TCP_HDR_MIN)
    put_csum(up + 16, sum, up, ip.payload_len);
  if (ip.proto == FIN_IPPROTO_ICMPV6 && ip.payload_len >= 8)
    put_csum(up + 2, sum, up, ip.payload_len);
}

/* Random mutations almost never keep a checksum right; repairing them lets
 * the fuzzer reach the TCP, option and ICMP parsers behind the checks. */
static void fix_checksums(uint8_t *d, size_t len) {
  if (len >= FIN_IPV6_HDR_LEN && d[0] >> 4 == 6) {
    fix_checksums_v6(d, len);
    return;
  }
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
  e = fin_icmp_parse(data, size, &ie);
  CHECK((unsigned)e < FIN_WIRE_ERROR_COUNT);
  if (e == FIN_WIRE_OK)
    CHECK(ie.version == (data[0] >> 4) && (unsigned)ie.kind <= FIN_ICMP_TOO_BIG &&
          (ie.kind == FIN_ICMP_TOO_BIG || ie.mtu == 0));
  struct fin_ip_info ip;
  e = fin_ip_parse(data, size, &ip);
  CHECK((unsigned)e < FIN_WIRE_ERROR_COUNT);
  if (e == FIN_WIRE_OK)
    CHECK(ip.payload >= data + FIN_IPV4_HDR_MIN && ip.payload + ip.payload_len <= data + size &&
          (ip.version == 4 || ip.payload >= data + FIN_IPV6_HDR_LEN));
  struct fin_tcp_opts opts;
  e = fin_tcp_opts_parse(data, size < 60 ? size : 60, &opts);
  CHECK(e == FIN_WIRE_OK || e == FIN_WIRE_TCP_OPTION);
}

/* The framed pass: data[0] bit 0 chooses the family, bit 1 ICMP / ICMPv6
 * instead of TCP, bit 2 (IPv6) takes the next header from data[1] so the
 * payload can start with extension headers; the rest of data is the
 * payload of a valid header from 10.0.0.1 to 10.0.0.2 or fd00::1 to
 * fd00::2, checksums repaired. */
static void check_framed(const uint8_t *data, size_t size) {
  if (size < 1 || size > 65000)
    return;
  uint8_t ctl = data[0];
  bool v6 = ctl & 1, icmp = ctl & 2, chain = v6 && (ctl & 4) && size >= 2;
  size_t skip = chain ? 2 : 1, body = size - skip;
  size_t hl = v6 ? FIN_IPV6_HDR_LEN : FIN_IPV4_HDR_MIN, n = hl + body;
  uint8_t *d = malloc(n);
  CHECK(d != NULL);
  memset(d, 0, hl);
  memcpy(d + hl, data + skip, body);
  if (v6) {
    d[0] = 0x60;
    d[4] = (uint8_t)(body >> 8);
    d[5] = (uint8_t)body;
    d[6] = chain ? data[1] : icmp ? FIN_IPPROTO_ICMPV6 : FIN_IPPROTO_TCP;
    d[7] = 64;
    d[8] = d[24] = 0xfd;
    d[23] = 1;
    d[39] = 2;
  } else {
    d[0] = 0x45;
    d[2] = (uint8_t)(n >> 8);
    d[3] = (uint8_t)n;
    d[8] = 64;
    d[9] = icmp ? FIN_IPPROTO_ICMP : FIN_IPPROTO_TCP;
    d[12] = d[16] = 10;
    d[15] = 1;
    d[19] = 2;
  }
  fix_checksums(d, n);
  check_input(d, n);
  free(d);
}

/* Address text both ways (src/wire/addr.c). */
static void check_text(const uint8_t *data, size_t size) {
  char text[FIN_ENDPOINT_STRLEN + 16];
  size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
  memcpy(text, data, n);
  text[n] = '\0';
  struct fin_addr a, b;
  uint16_t port;
  char out[FIN_ENDPOINT_STRLEN];
  if (fin_addr_parse(text, &a) == 0) {
    CHECK(fin_addr_format(&a, size % 2, out, sizeof(out)) < FIN_ADDR_STRLEN);
    CHECK(fin_addr_parse(out, &b) == 0 && fin_addr_eq(&a, &b));
  }
  if (fin_endpoint_parse(text, &a, &port) == 0) {
    CHECK(port != 0 && fin_endpoint_format(&a, port, out, sizeof(out)) < FIN_ENDPOINT_STRLEN);
    uint16_t p2;
    CHECK(fin_endpoint_parse(out, &b, &p2) == 0 && fin_addr_eq(&a, &b) && p2 == port);
  }
  if (size >= 18) {
    memcpy(a.b, data, 16);
    port = (uint16_t)(data[16] << 8 | data[17]);
    fin_addr_format(&a, data[0] & 1, out, sizeof(out));
    CHECK(fin_addr_parse(out, &b) == 0 && fin_addr_eq(&a, &b));
    fin_endpoint_format(&a, port, out, sizeof(out));
    CHECK(port == 0 || (fin_endpoint_parse(out, &b, &port) == 0 && fin_addr_eq(&a, &b)));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_input(data, size);
  check_text(data, size);
  check_framed(data, size);
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
