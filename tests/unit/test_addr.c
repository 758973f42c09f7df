/* SPDX-License-Identifier: MIT */
/* Addresses and endpoints as text (src/wire/addr.c): RFC 4291 §2.2 forms
 * in, RFC 5952 out (lower case, no leading zeros, the longest run of two
 * or more zero words as "::", the first on a tie), IPv4-mapped addresses,
 * "[IPv6]:PORT" endpoints (RFC 5952 §6), and every malformed text refused
 * with -EINVAL and the outputs untouched. */
#include <errno.h>
#include <string.h>

#include "fin_test.h"

static struct fin_addr parse_ok(const char *text) {
  struct fin_addr a;
  if (fin_addr_parse(text, &a) != 0)
    fail_msg("'%s' did not parse", text);
  return a;
}

static void assert_formats_as(const char *in, const char *want) {
  struct fin_addr a = parse_ok(in);
  char buf[FIN_ADDR_STRLEN];
  size_t n = fin_addr_format(&a, false, buf, sizeof(buf));
  if (strcmp(buf, want) != 0)
    fail_msg("'%s' formats as '%s', want '%s'", in, buf, want);
  assert_int_equal(n, strlen(want));
  /* What fin prints, fin reads back as the same address. */
  struct fin_addr b = parse_ok(buf);
  assert_true(fin_addr_eq(&a, &b));
}

static void test_rfc5952_canonical_text(void **state) {
  (void)state;
  static const char *const cases[][2] = {
      /* §4.1: leading zeros suppressed; §4.3: lower case. */
      {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
      {"2001:DB8::ABCD:EF", "2001:db8::abcd:ef"},
      {"fd00:0:0:0:0:0:0:1", "fd00::1"},
      /* §4.2.1: "::" as long as possible. */
      {"2001:db8:0:0:0:0:2:1", "2001:db8::2:1"},
      {"0:0:0:0:0:0:0:0", "::"},
      {"0:0:0:0:0:0:0:1", "::1"},
      {"1:0:0:0:0:0:0:0", "1::"},
      {"fe80:0:0:0:0:0:0:0", "fe80::"},
      {"0:0:0:0:0:0:0:8", "::8"},
      /* §4.2.2: one zero word stays "0". */
      {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
      {"1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"},
      {"0:1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7"},
      /* §4.2.3: the longest run; the first of equal runs. */
      {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
      {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
      {"1:0:0:2:0:0:3:4", "1::2:0:0:3:4"},
      {"1:0:2:0:0:3:0:4", "1:0:2::3:0:4"},
      {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
      {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
      /* Input forms RFC 4291 §2.2 allows: "::" anywhere, a trailing dotted
       * quad; an IPv4-compatible address (deprecated) is plain IPv6 out. */
      {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
      {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
      {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
      {"::10.0.0.1", "::a00:1"},
      {"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    assert_formats_as(cases[i][0], cases[i][1]);
}

/* RFC 4291 §2.5.5.2 / RFC 5952 §5: fin holds IPv4 as ::ffff:a.b.c.d, so
 * the mapped text and the dotted quad are one address; it prints as the
 * dotted quad, or in the mapped form when asked for IPv6 text. */
static void test_ipv4_and_ipv4_mapped(void **state) {
  (void)state;
  struct fin_addr v4 = parse_ok("192.0.2.1"), mapped = parse_ok("::ffff:192.0.2.1");
  assert_true(fin_addr_eq(&v4, &mapped));
  assert_true(fin_addr_is_v4(&v4));
  assert_int_equal(fin_addr_get_v4(&v4), 0xc0000201u);
  struct fin_addr built = fin_addr_v4(0xc0000201u);
  assert_true(fin_addr_eq(&mapped, &built));
  char buf[FIN_ADDR_STRLEN];
  fin_addr_format(&v4, false, buf, sizeof(buf));
  assert_string_equal(buf, "192.0.2.1");
  fin_addr_format(&v4, true, buf, sizeof(buf));
  assert_string_equal(buf, "::ffff:192.0.2.1");
  assert_formats_as("::FFFF:c000:0201", "192.0.2.1");
  struct fin_addr any = parse_ok("0.0.0.0");
  fin_addr_format(&any, true, buf, sizeof(buf));
  assert_string_equal(buf, "::ffff:0.0.0.0");
  assert_formats_as("255.255.255.255", "255.255.255.255");
  assert_formats_as("10.0.0.1", "10.0.0.1");
  assert_true(fin_addr_is_any(&any));
  struct fin_addr any6 = parse_ok("::");
  assert_true(fin_addr_is_any(&any6));
  assert_false(fin_addr_eq(&any, &any6));
  assert_false(fin_addr_is_v4(&any6));
}

static void test_malformed_addresses_are_refused(void **state) {
  (void)state;
  static const char *const bad[] = {
      "", ":", ":::", "1:::2", "1::2::3", "::1::", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:", ":1:2:3:4:5:6:7:8",
      ":1::", "1:", "1::2:", "g::1", "1::x", "::ffff:1.2.3", "::ffff:1.2.3.4.5", "::ffff:256.1.1.1",
      "::ffff:01.2.3.4", "1.2.3.4::", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0",
      " ::1", "::1 ", "[::1]", "::-1",
      /* Eight groups, then "::" and more groups than a whole address: the
       * groups after the gap once ran past their buffer (libFuzzer,
       * fuzz/regressions/wire-addr-groups-after-full-head). */
      "1:2:3:4:5:6:7:8::1", "1:2:3:4:5:6:7:8::1:2:3:4:5:6:7:8:9:a:b:c:d:e:f",
      "1:db:0:12:1:db:0:112b::d:0:b:00:12:1:db:0:b:0:1:12:1:d0:1", "1:2:3:4:5:6:7::8",
      "::1:2:3:4:5:6:7:8:1.2.3.4",
      /* IPv4 */
      "10.0.0", "10.0.0.1.", ".10.0.0.1", "10.0.0.256", "010.0.0.1", "10.0.0.01", "1..2.3",
      "1.2.3.4 ", "-1.2.3.4", "1.2.3.4/24", "0x1.2.3.4", "1234.1.1.1", "10.0.0.1:80"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct fin_addr a;
    memset(&a, 0x5a, sizeof(a));
    if (fin_addr_parse(bad[i], &a) != -EINVAL)
      fail_msg("'%s' was accepted", bad[i]);
    for (size_t k = 0; k < sizeof(a.b); k++)
      assert_int_equal(a.b[k], 0x5a);
  }
  struct fin_addr a;
  assert_int_equal(fin_addr_parse(NULL, &a), -EINVAL);
  assert_int_equal(fin_addr_parse("::1", NULL), -EINVAL);
}

/* The longest texts fit their documented buffers; a shorter buffer gets a
 * cut, terminated prefix and the length the whole text needs. */
static void test_format_lengths_and_short_buffers(void **state) {
  (void)state;
  struct fin_addr a = parse_ok("1111:2222:3333:4444:5555:6666:7777:8888");
  char buf[FIN_ENDPOINT_STRLEN];
  assert_int_equal(fin_addr_format(&a, false, buf, sizeof(buf)), 39);
  assert_int_equal(fin_endpoint_format(&a, 65535, buf, sizeof(buf)), 47);
  assert_string_equal(buf, "[1111:2222:3333:4444:5555:6666:7777:8888]:65535");
  struct fin_addr m = parse_ok("255.255.255.255");
  assert_int_equal(fin_addr_format(&m, true, buf, sizeof(buf)), 22);
  assert_true(47 < FIN_ENDPOINT_STRLEN && 39 < FIN_ADDR_STRLEN);
  memset(buf, 'z', sizeof(buf));
  assert_int_equal(fin_addr_format(&a, false, buf, 5), 39);
  assert_string_equal(buf, "1111");
  assert_int_equal(buf[5], 'z');
  assert_int_equal(fin_endpoint_format(&a, 80, buf, 1), 44);
  assert_string_equal(buf, "");
  buf[0] = 'z';
  assert_int_equal(fin_endpoint_format(&a, 80, buf, 0), 44);
  assert_int_equal(buf[0], 'z');
}

static void assert_endpoint(const char *text, const char *addr_text, uint16_t port,
                            const char *canonical) {
  struct fin_addr a;
  uint16_t p = 0;
  if (fin_endpoint_parse(text, &a, &p) != 0)
    fail_msg("'%s' did not parse", text);
  struct fin_addr want = parse_ok(addr_text);
  assert_true(fin_addr_eq(&a, &want));
  assert_int_equal(p, port);
  char buf[FIN_ENDPOINT_STRLEN];
  fin_endpoint_format(&a, p, buf, sizeof(buf));
  assert_string_equal(buf, canonical);
}

static void test_endpoints_brackets_and_ports(void **state) {
  (void)state;
  assert_endpoint("10.0.0.1:80", "10.0.0.1", 80, "10.0.0.1:80");
  assert_endpoint("0.0.0.0:1", "0.0.0.0", 1, "0.0.0.0:1");
  assert_endpoint("[fd00::1]:80", "fd00::1", 80, "[fd00::1]:80");
  assert_endpoint("[FD00:0:0::0001]:65535", "fd00::1", 65535, "[fd00::1]:65535");
  assert_endpoint("[::]:443", "::", 443, "[::]:443");
  assert_endpoint("[::1]:9", "::1", 9, "[::1]:9");
  /* How Linux ss shows an IPv4 peer of an IPv6 socket: the IPv4 address. */
  assert_endpoint("[::ffff:10.0.0.1]:80", "10.0.0.1", 80, "10.0.0.1:80");
  assert_endpoint("10.0.0.1:0080", "10.0.0.1", 80, "10.0.0.1:80");
  /* Port 0 (a listener's peer) prints as ss prints it. */
  struct fin_addr a = parse_ok("fd00::2");
  char buf[FIN_ENDPOINT_STRLEN];
  fin_endpoint_format(&a, 0, buf, sizeof(buf));
  assert_string_equal(buf, "[fd00::2]:*");
}

static void test_malformed_endpoints_are_refused(void **state) {
  (void)state;
  static const char *const bad[] = {
      "", ":", ":80", "10.0.0.1", "10.0.0.1:", "10.0.0.1:0", "10.0.0.1:65536",
      "10.0.0.1:99999999999", "10.0.0.1:-1", "10.0.0.1:+80", "10.0.0.1: 80", "10.0.0.1:80 ",
      "10.0.0.1:8o", "10.0.0.1:80:80", "10.0.0.999:80",
      "[10.0.0.1]:80", /* a dotted quad has no brackets */
      "fd00::1:80",    /* IPv6 text needs them */
      "fd00::1", "[fd00::1]", "[fd00::1]80", "[fd00::1]:", "[fd00::1:80", "fd00::1]:80", "[]:80",
      "[[fd00::1]]:80", "[fd00::1]:80:80", "[fd00::1]]:80", "[fd00::g]:80", "[fe80::1%eth0]:80",
      "[1111:2222:3333:4444:5555:6666:7777:8888:9999]:80", "[ fd00::1]:80", "[fd00::1] :80",
      "[fd00::1]:0",
      /* Short enough for the copy, and once past the groups' buffer (the
       * text fin kill and the control socket's kill command parse). */
      "[1:2:3:4:5:6:7:8::1:2:3:4:5:6:7:8:9:a:b:c:d]:80"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct fin_addr a;
    memset(&a, 0x5a, sizeof(a));
    uint16_t p = 0x5a5a;
    if (fin_endpoint_parse(bad[i], &a, &p) != -EINVAL)
      fail_msg("'%s' was accepted", bad[i]);
    assert_int_equal(p, 0x5a5a);
    for (size_t k = 0; k < sizeof(a.b); k++)
      assert_int_equal(a.b[k], 0x5a);
  }
  /* Longer than any address text: refused before it is copied. */
  char longtext[256] = "[";
  memset(longtext + 1, '1', 200);
  strcat(longtext, "]:80");
  struct fin_addr a;
  uint16_t p;
  assert_int_equal(fin_endpoint_parse(longtext, &a, &p), -EINVAL);
  assert_int_equal(fin_endpoint_parse(NULL, &a, &p), -EINVAL);
  assert_int_equal(fin_endpoint_parse("[::1]:80", NULL, &p), -EINVAL);
  assert_int_equal(fin_endpoint_parse("[::1]:80", &a, NULL), -EINVAL);
}

/* Every address fin can hold round-trips through its text: random words,
 * runs of zeros at every place, the IPv4 range. */
static void test_random_addresses_round_trip(void **state) {
  (void)state;
  struct test_rng r;
  struct fin_random fr;
  test_rng_init(&r, 5952, &fr);
  for (int i = 0; i < 20000; i++) {
    struct fin_addr a;
    uint64_t x = test_rng_next(&r), y = test_rng_next(&r), zeros = test_rng_next(&r);
    memcpy(a.b, &x, 8);
    memcpy(a.b + 8, &y, 8);
    for (int w = 0; w < 8; w++)
      if (zeros >> w & 1 && i % 3 != 0)
        a.b[2 * w] = a.b[2 * w + 1] = 0;
    if (i % 7 == 0)
      a = fin_addr_v4((uint32_t)x);
    char buf[FIN_ADDR_STRLEN], ep[FIN_ENDPOINT_STRLEN];
    size_t n = fin_addr_format(&a, i % 2 == 0, buf, sizeof(buf));
    assert_int_equal(n, strlen(buf));
    struct fin_addr b = parse_ok(buf);
    assert_true(fin_addr_eq(&a, &b));
    /* RFC 5952: no upper case, never ":::", "::" at most once. */
    for (const char *c = buf; *c; c++)
      assert_false(*c >= 'A' && *c <= 'Z');
    assert_null(strstr(buf, ":::"));
    const char *gap = strstr(buf, "::");
    assert_true(gap == NULL || strstr(gap + 1, "::") == NULL);
    uint16_t port = (uint16_t)(1 + x % 65535);
    fin_endpoint_format(&a, port, ep, sizeof(ep));
    struct fin_addr c;
    uint16_t p;
    assert_int_equal(fin_endpoint_parse(ep, &c, &p), 0);
    assert_true(fin_addr_eq(&a, &c));
    assert_int_equal(p, port);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rfc5952_canonical_text),
      cmocka_unit_test(test_ipv4_and_ipv4_mapped),
      cmocka_unit_test(test_malformed_addresses_are_refused),
      cmocka_unit_test(test_format_lengths_and_short_buffers),
      cmocka_unit_test(test_endpoints_brackets_and_ports),
      cmocka_unit_test(test_malformed_endpoints_are_refused),
      cmocka_unit_test(test_random_addresses_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
