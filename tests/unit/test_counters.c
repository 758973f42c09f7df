/* SPDX-License-Identifier: MIT */
/* Counters print as nstat "name value" lines, Linux names where they exist. */
#include <string.h>

#include "fin_test.h"

static void test_counters_format_prints_nonzero_with_linux_names(void **state) {
  (void)state;
  struct fin_counters c;
  memset(&c, 0, sizeof(c));
  c.abort_on_close = 3;
  c.tw_entered = 12;
  char buf[256];
  size_t n = fin_counters_format(&c, 0, buf, sizeof(buf));
  assert_string_equal(buf, "TcpExtTCPAbortOnClose 3\nTcpExtTW 12\n");
  assert_int_equal(n, strlen(buf));
}

static void test_counters_format_truncates_and_reports_full_length(void **state) {
  (void)state;
  struct fin_counters c;
  memset(&c, 0, sizeof(c));
  c.out_rsts = 1234567;
  char buf[8];
  size_t n = fin_counters_format(&c, 0, buf, sizeof(buf));
  assert_int_equal(n, strlen("TcpOutRsts 1234567\n"));
  assert_string_equal(buf, "TcpOutR");
}

static void test_counters_names_are_unique(void **state) {
  (void)state;
  size_t n = fin_counters_count();
  assert_int_equal(n * sizeof(uint64_t), sizeof(struct fin_counters));
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      assert_true(strcmp(fin_counters_name(i), fin_counters_name(j)) != 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_counters_format_prints_nonzero_with_linux_names),
      cmocka_unit_test(test_counters_format_truncates_and_reports_full_length),
      cmocka_unit_test(test_counters_names_are_unique),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
