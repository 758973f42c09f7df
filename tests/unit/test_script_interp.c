/* SPDX-License-Identifier: MIT */
/* The interpreter against a real fin stack: a passing script passes, and
 * each kind of failure prints what a person needs to act on (the script
 * line, the expected packet, what fin sent or "nothing", the virtual
 * time). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fin_test.h"
#include "script/interp.h"
#include "script/parser.h"

#define HANDSHAKE                                                                                  \
  "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"                                                  \
  "+0 bind(3, ..., ...) = 0\n"                                                                     \
  "+0 listen(3, 1) = 0\n"                                                                          \
  "+0 < S 0:0(0) win 32792 <mss 1460,sackOK,nop,nop,nop,wscale 7>\n"                               \
  "+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>\n"                                  \
  "+.1 < . 1:1(0) ack 1 win 257\n"                                                                 \
  "+0 accept(3, ..., ...) = 4\n"

/* Runs text with the linux profile; returns the exit code, *log the text. */
static int run(const char *text, char **log) {
  struct script s;
  char err[512];
  assert_int_equal(fin_script_parse("t.pkt", text, strlen(text), fin_script_default_defines,
                                    fin_script_default_define_count, &s, err, sizeof(err)),
                   0);
  size_t len;
  FILE *out = open_memstream(log, &len);
  assert_non_null(out);
  struct script_run_options o = {.profile = "linux"};
  int rc = fin_script_run(&s, &o, out);
  fclose(out);
  fin_script_free(&s);
  return rc;
}

static void assert_contains(const char *log, const char *want) {
  if (!strstr(log, want))
    fail_msg("'%s' not in:\n%s", want, log);
}

static void test_passive_close_script_passes(void **state) {
  (void)state;
  char *log;
  int rc = run(HANDSHAKE "+.01 < F. 1:1(0) ack 1 win 257\n"
                         "+0 > . 1:1(0) ack 2\n"
                         "+0 read(4, ..., 1000) = 0\n"
                         "+.01 close(4) = 0\n"
                         "+0 > F. 1:1(0) ack 2\n",
               &log);
  if (rc != 0)
    fail_msg("%s", log);
  free(log);
}

static void test_wrong_packet_prints_line_expected_actual_and_time(void **state) {
  (void)state;
  char *log;
  int rc = run(HANDSHAKE "+.01 close(4) = 0\n+0 > F. 1:1(0) ack 7\n", &log);
  assert_int_equal(rc, 1);
  assert_contains(log, "t.pkt:9:1: +0 > F. 1:1(0) ack 7");
  assert_contains(log, "ack field differs");
  assert_contains(log, "expected: > F. 1:1(0) ack 7");
  assert_contains(log, "actual:   > F. 1:1(0) ack 1");
  assert_contains(log, "virtual time: 0.110000 s");
  free(log);
}

static void test_missing_packet_prints_nothing(void **state) {
  (void)state;
  char *log;
  int rc = run(HANDSHAKE "+.01 > F. 1:1(0) ack 1\n", &log);
  assert_int_equal(rc, 1);
  assert_contains(log, "fin sent nothing");
  assert_contains(log, "actual:   nothing");
  free(log);
}

static void test_late_packet_prints_timing(void **state) {
  (void)state;
  char *log;
  int rc = run(HANDSHAKE "+0 close(4) = 0\n+.5 > F. 1:1(0) ack 1\n", &log);
  assert_int_equal(rc, 1);
  assert_contains(log, "timing: fin sent the packet at 0.100000 s, the script expects it at "
                       "0.600000 s");
  free(log);
}

static void test_wrong_errno_prints_both(void **state) {
  (void)state;
  char *log;
  int rc = run(HANDSHAKE "+0 read(4, ..., 10) = -1 ECONNRESET\n", &log);
  assert_int_equal(rc, 1);
  assert_contains(log, "read() returned -1 EAGAIN, the script expects -1 ECONNRESET");
  free(log);
}

static void test_state_probe_and_snippet(void **state) {
  (void)state;
  char *log;
  int rc = run(HANDSHAKE "+0 %{ assert tcpi_state == TCP_ESTABLISHED }%\n"
                         "+0 `sockstat -4 -P tcp -s | grep -c ESTABLISHED | grep 1`\n"
                         "+0 %{ assert tcpi_state == TCPI_CLOSING, tcpi_state }%\n",
               &log);
  assert_int_equal(rc, 1);
  assert_contains(log, "assertion failed: assert tcpi_state == TCPI_CLOSING, tcpi_state");
  assert_contains(log, "tcpi_state is ESTABLISHED");
  free(log);
}

static void test_unknown_profile_cannot_run(void **state) {
  (void)state;
  struct script s;
  char err[256], *log;
  size_t len;
  const char *text = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n";
  assert_int_equal(fin_script_parse("t.pkt", text, strlen(text), NULL, 0, &s, err, sizeof(err)), 0);
  FILE *out = open_memstream(&log, &len);
  struct script_run_options o = {.profile = "plan9"};
  assert_int_equal(fin_script_run(&s, &o, out), 2);
  fclose(out);
  assert_contains(log, "unknown profile 'plan9'");
  fin_script_free(&s);
  free(log);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_passive_close_script_passes),
      cmocka_unit_test(test_wrong_packet_prints_line_expected_actual_and_time),
      cmocka_unit_test(test_missing_packet_prints_nothing),
      cmocka_unit_test(test_late_packet_prints_timing),
      cmocka_unit_test(test_wrong_errno_prints_both),
      cmocka_unit_test(test_state_probe_and_snippet),
      cmocka_unit_test(test_unknown_profile_cannot_run),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
