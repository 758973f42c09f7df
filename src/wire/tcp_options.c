/* SPDX-License-Identifier: MIT */
/* TCP options: strict parsing and the two SYN layouts fin can emit
 * (RFC 9293 §3.2, RFC 7323, RFC 2018, RFC 7413). */
#include "fin/wire.h"

#include <string.h>

#include "wire_bytes.h"

#define OPT_EOL       0
#define OPT_NOP       1
#define OPT_MSS       2
#define OPT_WSCALE    3
#define OPT_SACK_PERM 4
#define OPT_SACK      5
#define OPT_TS        8
#define OPT_FASTOPEN  34  /* RFC 7413 §4.1.1 */
#define OPT_EXP       254 /* RFC 4727 experimental, shared by ExID (RFC 6994) */
#define FO_EXID       0xF989

#define OPT_MSS_LEN       4
#define OPT_WSCALE_LEN    3
#define OPT_SACK_PERM_LEN 2
#define OPT_SACK_BASE     2
#define OPT_SACK_BLOCK    8
#define OPT_TS_LEN        10
#define OPT_FO_BASE       2 /* kind, length */
#define OPT_FO_EXP_BASE   4 /* kind, length, ExID */

/* RFC 2018 §3: 2 + 8n bytes, n >= 1. Blocks past FIN_SACK_MAX_BLOCKS (only
 * possible in an area longer than 40 bytes) are ignored. */
static enum fin_wire_error opt_sack(const uint8_t *p, size_t olen, struct fin_tcp_opts *out) {
  if (olen < OPT_SACK_BASE + OPT_SACK_BLOCK || (olen - OPT_SACK_BASE) % OPT_SACK_BLOCK != 0)
    return FIN_WIRE_TCP_OPTION;
  size_t n = (olen - OPT_SACK_BASE) / OPT_SACK_BLOCK;
  if (n > FIN_SACK_MAX_BLOCKS)
    n = FIN_SACK_MAX_BLOCKS;
  for (size_t i = 0; i < n; i++) {
    out->sack[i].left = wire_get32(p + OPT_SACK_BASE + i * OPT_SACK_BLOCK);
    out->sack[i].right = wire_get32(p + OPT_SACK_BASE + i * OPT_SACK_BLOCK + 4);
  }
  out->sack_count = (uint8_t)n;
  return FIN_WIRE_OK;
}

/* RFC 7413 §4.1.1: the cookie is taken whatever its length; whether it is
 * one a cookie may be (4 to 16 bytes, even) is for the engine to judge. */
static enum fin_wire_error opt_fastopen(const uint8_t *cookie, size_t len, bool exp,
                                        struct fin_tcp_opts *out) {
  out->has_fo = true;
  out->fo_exp = exp;
  out->fo_len = (uint8_t)len;
  __builtin_memcpy(out->fo_cookie, cookie,
                   len < FIN_TCP_FO_COOKIE_MAX ? len : FIN_TCP_FO_COOKIE_MAX);
  return FIN_WIRE_OK;
}

/* The length every fixed-size option must carry; 0 for the others. */
static size_t opt_fixed_len(uint8_t kind) {
  switch (kind) {
  case OPT_MSS:
    return OPT_MSS_LEN;
  case OPT_WSCALE:
    return OPT_WSCALE_LEN;
  case OPT_SACK_PERM:
    return OPT_SACK_PERM_LEN;
  case OPT_TS:
    return OPT_TS_LEN;
  default:
    return 0;
  }
}

/* One option whose length is already known to be >= 2 and inside the area.
 * A repeated option overwrites the earlier one: last wins, as in Linux
 * tcp_parse_options(), which simply stores each occurrence it meets. */
static enum fin_wire_error opt_one(const uint8_t *p, size_t olen, struct fin_tcp_opts *out) {
  size_t fixed = opt_fixed_len(p[0]);
  if (fixed != 0 && olen != fixed)
    return FIN_WIRE_TCP_OPTION;
  switch (p[0]) {
  case OPT_MSS: /* RFC 9293 §3.7.1 */
    out->has_mss = true;
    out->mss = wire_get16(p + 2);
    return FIN_WIRE_OK;
  case OPT_WSCALE: /* RFC 7323 §2.2 */
    out->has_wscale = true;
    out->wscale = p[2];
    return FIN_WIRE_OK;
  case OPT_SACK_PERM: /* RFC 2018 §2 */
    out->sack_permitted = true;
    return FIN_WIRE_OK;
  case OPT_TS: /* RFC 7323 §3.2 */
    out->has_ts = true;
    out->ts_val = wire_get32(p + 2);
    out->ts_ecr = wire_get32(p + 6);
    return FIN_WIRE_OK;
  case OPT_SACK:
    return opt_sack(p, olen, out);
  case OPT_FASTOPEN:
    return opt_fastopen(p + OPT_FO_BASE, olen - OPT_FO_BASE, false, out);
  case OPT_EXP: /* RFC 6994 §3: an experiment is told apart by its ExID */
    if (olen >= OPT_FO_EXP_BASE && wire_get16(p + 2) == FO_EXID)
      return opt_fastopen(p + OPT_FO_EXP_BASE, olen - OPT_FO_EXP_BASE, true, out);
    return FIN_WIRE_OK;
  default: /* RFC 9293 §3.2: unknown options are skipped by their length */
    return FIN_WIRE_OK;
  }
}

enum fin_wire_error fin_tcp_opts_parse(const uint8_t *opt, size_t len, struct fin_tcp_opts *out) {
  /* The builtin: -ffreestanding would make this a library call per segment. */
  __builtin_memset(out, 0, sizeof(*out));
  /* The layout of nearly every segment after the handshake: NOP, NOP,
   * timestamps (RFC 7323 Appendix A), tested in one word as Linux does
   * (tcp_parse_aligned_timestamp). */
  if (len == 12 && wire_get32(opt) == (OPT_NOP << 24 | OPT_NOP << 16 | OPT_TS << 8 | OPT_TS_LEN)) {
    out->has_ts = true;
    out->ts_val = wire_get32(opt + 4);
    out->ts_ecr = wire_get32(opt + 8);
    return FIN_WIRE_OK;
  }
  size_t i = 0;
  while (i < len) {
    if (opt[i] == OPT_EOL) /* RFC 9293 §3.2: end of the option list */
      return FIN_WIRE_OK;
    if (opt[i] == OPT_NOP) {
      i++;
      continue;
    }
    /* RFC 9293 §3.2 and RFC 1122 §4.2.2.5: the length byte must be there,
     * count kind and length (>= 2) and stay inside the header. */
    if (len - i < 2 || opt[i + 1] < 2 || opt[i + 1] > len - i)
      return FIN_WIRE_TCP_OPTION;
    enum fin_wire_error e = opt_one(opt + i, opt[i + 1], out);
    if (e != FIN_WIRE_OK)
      return e;
    i += opt[i + 1];
  }
  return FIN_WIRE_OK;
}

static size_t put_nop_until(uint8_t *out, size_t n, size_t rem) {
  while (n % 4 != rem)
    out[n++] = OPT_NOP;
  return n;
}

static size_t put_mss(uint8_t *out, size_t n, uint16_t mss) {
  out[n] = OPT_MSS;
  out[n + 1] = OPT_MSS_LEN;
  wire_put16(out + n + 2, mss);
  return n + OPT_MSS_LEN;
}

static size_t put_wscale(uint8_t *out, size_t n, uint8_t shift) {
  out[n] = OPT_WSCALE;
  out[n + 1] = OPT_WSCALE_LEN;
  out[n + 2] = shift;
  return n + OPT_WSCALE_LEN;
}

static size_t put_sack_perm(uint8_t *out, size_t n) {
  out[n] = OPT_SACK_PERM;
  out[n + 1] = OPT_SACK_PERM_LEN;
  return n + OPT_SACK_PERM_LEN;
}

static size_t put_ts(uint8_t *out, size_t n, uint32_t val, uint32_t ecr) {
  out[n] = OPT_TS;
  out[n + 1] = OPT_TS_LEN;
  wire_put32(out + n + 2, val);
  wire_put32(out + n + 6, ecr);
  return n + OPT_TS_LEN;
}

/* RFC 7413 §4.1.1 (or its RFC 6994 experimental form): kind, length,
 * [ExID,] cookie; nothing when the area has no room left for it. */
static size_t put_fastopen(uint8_t *out, size_t n, const struct fin_tcp_opts_out *o) {
  size_t base = o->fo_exp ? OPT_FO_EXP_BASE : OPT_FO_BASE, len = base + o->fo_len;
  if (o->fo_len > FIN_TCP_FO_COOKIE_MAX || n + len > FIN_TCP_OPT_MAX)
    return n;
  out[n] = o->fo_exp ? OPT_EXP : OPT_FASTOPEN;
  out[n + 1] = (uint8_t)len;
  if (o->fo_exp)
    wire_put16(out + n + 2, FO_EXID);
  memcpy(out + n + base, o->fo_cookie, o->fo_len);
  return n + len;
}

static size_t put_sack(uint8_t *out, size_t n, const struct fin_sack_block *b, size_t count) {
  out[n] = OPT_SACK;
  out[n + 1] = (uint8_t)(OPT_SACK_BASE + count * OPT_SACK_BLOCK);
  n += OPT_SACK_BASE;
  for (size_t i = 0; i < count; i++, n += OPT_SACK_BLOCK) {
    wire_put32(out + n, b[i].left);
    wire_put32(out + n + 4, b[i].right);
  }
  return n;
}

/* Linux tcp_options_write(): TS rides in the two bytes SACK-permitted would
 * otherwise pad with NOPs, so "mss,sackOK,TS,nop,wscale" is 20 bytes. */
static size_t write_syn_linux(uint8_t *out, const struct fin_tcp_opts_out *o) {
  size_t n = 0;
  if (o->mss)
    n = put_mss(out, n, o->mss_value);
  if (o->ts) {
    n = o->sack_permitted ? put_sack_perm(out, n) : put_nop_until(out, n, 2);
    n = put_ts(out, n, o->ts_val, o->ts_ecr);
  } else if (o->sack_permitted) {
    n = put_sack_perm(out, put_nop_until(out, n, 2));
  }
  if (o->wscale)
    n = put_wscale(out, put_nop_until(out, n, 1), o->wscale_value);
  if (o->fo) /* Linux tcp_options_write: last, NOP-padded to a word */
    n = put_nop_until(out, put_fastopen(out, n, o), 0);
  return n;
}

/* FreeBSD tcp_addoptions(): options in MSS, wscale, SACK-permitted, TS
 * order, each NOP-aligned the way FreeBSD aligns it (wscale at 4n+1, SACK-
 * permitted at an even offset, TS at 4n+2), then EOL and zero padding to a
 * 4-byte boundary (RFC 9293 §3.1 "Padding": zeros). */
static size_t write_syn_freebsd(uint8_t *out, const struct fin_tcp_opts_out *o) {
  size_t n = 0;
  if (o->mss)
    n = put_mss(out, n, o->mss_value);
  if (o->wscale)
    n = put_wscale(out, put_nop_until(out, n, 1), o->wscale_value);
  if (o->sack_permitted) {
    if (n % 2 != 0)
      out[n++] = OPT_NOP;
    n = put_sack_perm(out, n);
  }
  if (o->ts)
    n = put_ts(out, put_nop_until(out, n, 2), o->ts_val, o->ts_ecr);
  if (o->fo) /* FreeBSD tcp_addoptions: unaligned, after the timestamps */
    n = put_fastopen(out, n, o);
  while (n % 4 != 0)
    out[n++] = OPT_EOL;
  return n;
}

/* Established segments, both layouts: NOP,NOP,TS then NOP,NOP,SACK so the
 * 4-byte fields stay aligned (RFC 7323 Appendix A, RFC 2018 §3). The area is
 * 40 bytes: with TS (12) room remains for 3 SACK blocks, otherwise 4. */
static size_t write_established(uint8_t *out, const struct fin_tcp_opts_out *o) {
  if (o->sack_count == 0) { /* the common segment: NOP,NOP,TS or nothing */
    if (!o->ts)
      return 0;
    out[0] = OPT_NOP;
    out[1] = OPT_NOP;
    return put_ts(out, 2, o->ts_val, o->ts_ecr);
  }
  size_t n = 0;
  size_t max_blocks = o->ts ? 3 : FIN_SACK_MAX_BLOCKS;
  size_t blocks = o->sack_count < max_blocks ? o->sack_count : max_blocks;
  if (o->ts)
    n = put_ts(out, put_nop_until(out, n, 2), o->ts_val, o->ts_ecr);
  if (blocks > 0)
    n = put_sack(out, put_nop_until(out, n, 2), o->sack, blocks);
  return n;
}

size_t fin_tcp_opts_write(uint8_t *out, const struct fin_tcp_opts_out *o,
                          enum fin_option_layout layout, bool syn) {
  if (!syn)
    return write_established(out, o);
  if (layout == FIN_LAYOUT_FREEBSD)
    return write_syn_freebsd(out, o);
  return write_syn_linux(out, o);
}
