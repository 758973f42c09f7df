/* SPDX-License-Identifier: MIT */
/* Addresses as text (RFC 4291 §2.2 in, RFC 5952 out), without stdio: the
 * engine library links against libc memory/string functions only. */
#include "fin/addr.h"

#include <errno.h>

static int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* "a.b.c.d", each part 0..255 without leading zeros, into 4 bytes. */
static int parse_v4(const char *s, uint8_t out[4]) {
  for (int i = 0; i < 4; i++) {
    if (*s < '0' || *s > '9')
      return -EINVAL;
    unsigned v = 0, digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 4) {
      v = v * 10 + (unsigned)(*s++ - '0');
      digits++;
    }
    if (v > 255 || digits > 3 || (digits > 1 && s[-(int)digits] == '0'))
      return -EINVAL;
    out[i] = (uint8_t)v;
    if (i < 3 && *s++ != '.')
      return -EINVAL;
  }
  return *s == '\0' ? 0 : -EINVAL;
}

/* One group of up to 4 hex digits; *end after it. */
static int parse_group(const char *s, const char **end) {
  int v = 0, n = 0, d;
  while (n < 4 && (d = hex_digit(s[n])) >= 0) {
    v = v << 4 | d;
    n++;
  }
  *end = s + n;
  return n == 0 || hex_digit(s[n]) >= 0 ? -1 : v;
}

/* Whether a dotted quad starts here (before the next ':'). */
static bool v4_tail(const char *s) {
  for (; *s && *s != ':'; s++)
    if (*s == '.')
      return true;
  return false;
}

/* Groups before (or after) "::": into words, count in *n, at most max
 * words (none when max <= 0). */
static int parse_groups(const char *s, uint16_t *w, int max, int *n, const char **rest) {
  *n = 0;
  while (*s && !(s[0] == ':' && s[1] == ':')) {
    if (*n >= max)
      return -EINVAL;
    if (v4_tail(s)) {
      uint8_t q[4];
      if (*n > max - 2 || parse_v4(s, q) != 0)
        return -EINVAL;
      w[(*n)++] = (uint16_t)(q[0] << 8 | q[1]);
      w[(*n)++] = (uint16_t)(q[2] << 8 | q[3]);
      s += strlen(s);
      break;
    }
    const char *e;
    int g = parse_group(s, &e);
    if (g < 0)
      return -EINVAL;
    w[(*n)++] = (uint16_t)g;
    s = e;
    if (*s == ':' && s[1] != ':') {
      s++;
      if (*s == '\0')
        return -EINVAL;
    }
  }
  *rest = s;
  return 0;
}

static int parse_v6(const char *s, uint8_t out[16]) {
  uint16_t head[8], tail[8];
  int nh = 0, nt = 0;
  const char *rest = s;
  if (!(s[0] == ':' && s[1] == ':') && parse_groups(s, head, 8, &nh, &rest) != 0)
    return -EINVAL;
  /* RFC 4291 §2.2: "::" stands for one or more zero groups, so at most
   * seven others, and the groups after it fill what the head left. */
  bool gap = rest[0] == ':' && rest[1] == ':';
  if (gap && (nh > 7 || parse_groups(rest + 2, tail, 7 - nh, &nt, &rest) != 0))
    return -EINVAL;
  if (*rest != '\0' || (gap ? nh + nt > 7 : nh != 8))
    return -EINVAL;
  uint16_t w[8] = {0};
  for (int i = 0; i < nh; i++)
    w[i] = head[i];
  for (int i = 0; i < nt; i++)
    w[8 - nt + i] = tail[i];
  for (int i = 0; i < 8; i++) {
    out[2 * i] = (uint8_t)(w[i] >> 8);
    out[2 * i + 1] = (uint8_t)w[i];
  }
  return 0;
}

int fin_addr_parse(const char *text, struct fin_addr *out) {
  if (text == NULL || out == NULL)
    return -EINVAL;
  uint8_t b[16];
  if (strchr(text, ':') == NULL) {
    if (parse_v4(text, b) != 0)
      return -EINVAL;
    *out = fin_addr_v4((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
    return 0;
  }
  if (parse_v6(text, b) != 0)
    return -EINVAL;
  *out = fin_addr_v6(b);
  return 0;
}

/* ---- text out ---- */

struct out {
  char *buf;
  size_t cap, n;
};

static void put(struct out *o, char c) {
  if (o->n + 1 < o->cap)
    o->buf[o->n] = c;
  o->n++;
}

static void put_dec(struct out *o, unsigned v) {
  if (v >= 100)
    put(o, (char)('0' + v / 100));
  if (v >= 10)
    put(o, (char)('0' + v / 10 % 10));
  put(o, (char)('0' + v % 10));
}

static void put_quad(struct out *o, const uint8_t *q) {
  for (int i = 0; i < 4; i++) {
    if (i > 0)
      put(o, '.');
    put_dec(o, q[i]);
  }
}

static void put_hex(struct out *o, unsigned v) {
  static const char digits[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    unsigned d = (v >> shift) & 0xf;
    if (d != 0 || started || shift == 0) {
      put(o, digits[d]);
      started = true;
    }
  }
}

/* RFC 5952 §4.2: the longest run of two or more zero words becomes "::"
 * (the first such run on a tie). */
static void longest_zero_run(const uint16_t *w, int *start, int *len) {
  *start = -1;
  *len = 0;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && w[j] == 0)
      j++;
    if (j - i > *len && j - i >= 2) {
      *start = i;
      *len = j - i;
    }
    i = j > i ? j : i + 1;
  }
}

static void put_v6(struct out *o, const uint8_t *b, bool mapped) {
  uint16_t w[8];
  for (int i = 0; i < 8; i++)
    w[i] = (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
  int words = mapped ? 6 : 8, zs, zl;
  longest_zero_run(w, &zs, &zl);
  if (zs >= 0 && zs + zl > words)
    zl = words - zs;
  for (int i = 0; i < words; i++) {
    if (i == zs) {
      put(o, ':');
      put(o, ':');
      i += zl - 1;
      continue;
    }
    if (i > 0 && i != zs + zl)
      put(o, ':');
    put_hex(o, w[i]);
  }
  if (mapped) {
    if (zs < 0 || zs + zl != words)
      put(o, ':');
    put_quad(o, b + 12);
  }
}

size_t fin_addr_format(const struct fin_addr *a, bool as_v6, char *buf, size_t cap) {
  struct out o = {buf, cap, 0};
  if (fin_addr_is_v4(a) && !as_v6)
    put_quad(&o, a->b + 12);
  else
    put_v6(&o, a->b, fin_addr_is_v4(a));
  if (cap > 0)
    buf[o.n < cap ? o.n : cap - 1] = '\0';
  return o.n;
}

size_t fin_endpoint_format(const struct fin_addr *a, uint16_t port, char *buf, size_t cap) {
  struct out o = {buf, cap, 0};
  bool v6 = !fin_addr_is_v4(a);
  if (v6)
    put(&o, '[');
  if (v6)
    put_v6(&o, a->b, false);
  else
    put_quad(&o, a->b + 12);
  if (v6)
    put(&o, ']');
  put(&o, ':');
  if (port == 0) {
    put(&o, '*');
  } else {
    char digits[5];
    int n = 0;
    for (unsigned v = port; v > 0; v /= 10)
      digits[n++] = (char)('0' + v % 10);
    while (n > 0)
      put(&o, digits[--n]);
  }
  if (cap > 0)
    buf[o.n < cap ? o.n : cap - 1] = '\0';
  return o.n;
}

int fin_endpoint_parse(const char *text, struct fin_addr *addr, uint16_t *port) {
  if (text == NULL || addr == NULL || port == NULL)
    return -EINVAL;
  char host[FIN_ADDR_STRLEN];
  const char *colon, *start = text;
  size_t len;
  if (text[0] == '[') {
    const char *close = strchr(text, ']');
    if (close == NULL || close[1] != ':')
      return -EINVAL;
    start = text + 1;
    len = (size_t)(close - start);
    colon = close + 1;
  } else {
    colon = strchr(text, ':');
    if (colon == NULL || strchr(colon + 1, ':') != NULL)
      return -EINVAL; /* a bare IPv6 address needs its brackets */
    len = (size_t)(colon - text);
  }
  if (len == 0 || len >= sizeof(host))
    return -EINVAL;
  memcpy(host, start, len);
  host[len] = '\0';
  unsigned long p = 0;
  const char *d = colon + 1;
  if (*d == '\0')
    return -EINVAL;
  for (; *d; d++) {
    if (*d < '0' || *d > '9' || p > 65535)
      return -EINVAL;
    p = p * 10 + (unsigned long)(*d - '0');
  }
  /* RFC 5952 §6: IPv6 text in brackets, a dotted quad without. The text
   * decides, not the address: "[::ffff:10.0.0.1]:80" (how Linux ss shows an
   * IPv4 peer of an IPv6 socket) names the IPv4 address 10.0.0.1. */
  struct fin_addr a;
  if (p == 0 || p > 65535 || fin_addr_parse(host, &a) != 0 ||
      (text[0] == '[') != (strchr(host, ':') != NULL))
    return -EINVAL;
  *addr = a;
  *port = (uint16_t)p;
  return 0;
}
