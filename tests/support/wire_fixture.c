/* SPDX-License-Identifier: MIT */
#include "wire_fixture.h"

#include <string.h>

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

void wf_segment_default(struct fin_segment *seg) {
  memset(seg, 0, sizeof(*seg));
  seg->saddr = fin_addr_v4(WF_SADDR);
  seg->daddr = fin_addr_v4(WF_DADDR);
  seg->ttl = 64;
  seg->ip_id = 0x1234;
  seg->sport = 40000;
  seg->dport = 80;
  seg->seq = 1000;
  seg->ack = 2000;
  seg->flags = FIN_TCP_ACK;
  seg->wnd = 502;
}

size_t wf_build_raw(uint8_t *buf, size_t cap, const struct fin_segment *seg, const uint8_t *opt,
                    size_t opt_len, size_t payload_len) {
  static uint8_t payload[65536];
  for (size_t i = 0; i < payload_len && i < sizeof(payload); i++)
    payload[i] = (uint8_t)(i * 7 + 3);
  return fin_tcp_build(buf, cap, seg, opt, opt_len, payload, payload_len, NULL, 0);
}

size_t wf_build_ts_segment(uint8_t *buf, size_t cap, size_t payload_len) {
  static const uint8_t ts[12] = {1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8};
  struct fin_segment seg;
  wf_segment_default(&seg);
  return wf_build_raw(buf, cap, &seg, ts, sizeof(ts), payload_len);
}

void wf_fix_ip_checksum(uint8_t *d) {
  size_t hlen = (size_t)(d[0] & 0x0f) * 4;
  put16(d + 10, 0);
  put16(d + 10, fin_csum_fold(fin_csum_add(0, d, hlen)));
}

void wf_fix_tcp_checksum(uint8_t *d) {
  size_t hlen = (size_t)(d[0] & 0x0f) * 4;
  size_t tot = (size_t)d[2] << 8 | d[3];
  size_t tlen = tot - hlen;
  uint8_t *t = d + hlen;
  uint8_t pseudo[12];
  memcpy(pseudo, d + 12, 8);
  pseudo[8] = 0;
  pseudo[9] = FIN_IPPROTO_TCP;
  put16(pseudo + 10, (uint16_t)tlen);
  put16(t + 16, 0);
  uint32_t sum = fin_csum_add(fin_csum_add(0, pseudo, sizeof(pseudo)), t, tlen);
  put16(t + 16, fin_csum_fold(sum));
}

size_t wf_insert_ip_options(uint8_t *d, size_t len, size_t cap, const uint8_t *opt,
                            size_t opt_len) {
  if (len + opt_len > cap || opt_len % 4 != 0 || opt_len > 40)
    return 0;
  memmove(d + 20 + opt_len, d + 20, len - 20);
  memcpy(d + 20, opt, opt_len);
  d[0] = (uint8_t)(0x40 | (20 + opt_len) / 4);
  put16(d + 2, (uint16_t)(len + opt_len));
  wf_fix_ip_checksum(d);
  return len + opt_len;
}

void wf_segment_default_v6(struct fin_segment *seg) {
  static const uint8_t a[16] = {0xfd, [15] = 1}, b[16] = {0xfd, [15] = 2};
  wf_segment_default(seg);
  seg->saddr = fin_addr_v6(a);
  seg->daddr = fin_addr_v6(b);
  seg->ip_id = 0;
}

size_t wf_build_ts_segment_v6(uint8_t *buf, size_t cap, size_t payload_len) {
  static const uint8_t ts[12] = {1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8};
  struct fin_segment seg;
  wf_segment_default_v6(&seg);
  return wf_build_raw(buf, cap, &seg, ts, sizeof(ts), payload_len);
}

size_t wf_insert_ipv6_ext(uint8_t *d, size_t len, size_t cap, uint8_t first_nh, const uint8_t *ext,
                          size_t ext_len) {
  size_t plen = (size_t)d[4] << 8 | d[5];
  if (len < 40 || len + ext_len > cap || plen + ext_len > 65535)
    return 0;
  memmove(d + 40 + ext_len, d + 40, len - 40);
  memcpy(d + 40, ext, ext_len);
  d[6] = first_nh;
  put16(d + 4, (uint16_t)(plen + ext_len));
  return len + ext_len;
}

void wf_fix_ipv6_checksum(uint8_t *d, size_t off, uint8_t proto) {
  size_t end = 40 + ((size_t)d[4] << 8 | d[5]);
  uint8_t pseudo[40] = {0};
  memcpy(pseudo, d + 8, 32);
  pseudo[34] = (uint8_t)((end - off) >> 8);
  pseudo[35] = (uint8_t)(end - off);
  pseudo[39] = proto;
  uint8_t *field = d + off + (proto == FIN_IPPROTO_TCP ? 16 : 2);
  put16(field, 0);
  uint32_t sum = fin_csum_add(fin_csum_add(0, pseudo, sizeof(pseudo)), d + off, end - off);
  put16(field, fin_csum_fold(sum));
}
