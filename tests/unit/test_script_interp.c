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

/* Runs text with a profile; returns the exit code, *log the text. */
static bool verbose_run;

static int run_profile(const char *text, const char *profile, char **log) {
  struct script s;
  char err[512];
  assert_int_equal(script_parse("t.pkt", text, strlen(text), script_default_defines,
                                script_default_define_count, &s, err, sizeof(err)),
                   0);
  size_t len;
  FILE *out = open_memstream(log, &len);
  assert_non_null(out);
  struct script_run_options o = {.profile = profile, .verbose = verbose_run};
  int rc = script_run(&s, &o, out);
  fclose(out);
  script_free(&s);
  return rc;
}

static int run(const char *text, char **log) {
  return run_profile(text, "linux", log);
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
  assert_int_equal(script_parse("t.pkt", text, strlen(text), NULL, 0, &s, err, sizeof(err)), 0);
  FILE *out = open_memstream(&log, &len);
  struct script_run_options o = {.profile = "plan9"};
  assert_int_equal(script_run(&s, &o, out), 2);
  fclose(out);
  assert_contains(log, "unknown profile 'plan9'");
  script_free(&s);
  free(log);
}

#define CONNECT                                                                                    \
  "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"                                                  \
  "+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0\n"                                                \
  "+0 connect(3, ..., ...) = -1 EINPROGRESS\n"                                                     \
  "+0 > S 0:0(0) <...>\n"

static void expect_pass(const char *text, const char *profile) {
  char *log;
  if (run_profile(text, profile, &log) != 0)
    fail_msg("%s", log);
  free(log);
}

/* An ICMP port unreachable about our SYN refuses the connect (J6); one
 * about a sequence number outside the SYN changes nothing. */
static void test_icmp_line_is_acted_on(void **state) {
  (void)state;
  expect_pass(CONNECT "+.1 < icmp unreachable port_unreachable [100:100(0)]\n"
                      "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"
                      "+.1 < icmp unreachable port_unreachable [0:0(0)]\n"
                      "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0\n",
              "linux");
}

/* TTL, TOS and ECN marks are compared when written, and named. */
static void test_outbound_ip_fields_are_checked(void **state) {
  (void)state;
  expect_pass(CONNECT "+1 > (ttl 64, tos 0x0) [noecn] S 0:0(0) <...>\n", "linux");
  char *log;
  assert_int_equal(run(CONNECT "+1 > (ttl 3) S 0:0(0) <...>\n", &log), 1);
  assert_contains(log, "IP TTL is 64, the script expects 3");
  free(log);
  assert_int_equal(run(CONNECT "+1 > [ect0] S 0:0(0) <...>\n", &log), 1);
  assert_contains(log, "ECN field is not-ECT, the script expects ECT(0) (fin does not do ECN");
  free(log);
}

/* Inbound TTL/TOS/ECN land in the IP header fin receives; fin acts the
 * same (it does not do ECN yet). A segment larger than --mss is cut into
 * pieces as packetdrill's GSO injection does, all delivered. */
static void test_inbound_ip_fields_and_split_payload(void **state) {
  (void)state;
  char *log;
  verbose_run = true;
  int rc =
      run("--mss=1000\n" HANDSHAKE "+0 < (ttl 3, tos 0x10) [ce] P. 1:3001(3000) ack 1 win 257\n"
          "+0 > . 1:1(0) ack 3001\n"
          "+0 read(4, ..., 5000) = 3000\n",
          &log);
  verbose_run = false;
  if (rc != 0)
    fail_msg("%s", log);
  assert_contains(log, "inject < . 1:1001(1000) ack 1 win 257");
  assert_contains(log, "inject < . 1001:2001(1000) ack 1 win 257");
  assert_contains(log, "inject < P. 2001:3001(1000) ack 1 win 257");
  free(log);
}

static void test_header_options_mtu_addresses_and_refusals(void **state) {
  (void)state;
  expect_pass("--mtu=72\n--local_ip=10.1.2.3\n--remote_ip=10.9.8.7\n"
              "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
              "+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0\n"
              "+0 connect(3, ..., ...) = -1 EINPROGRESS\n"
              "+0 > S 0:0(0) <mss 32,sackOK,TS val 1 ecr 0,nop,wscale 8>\n",
              "linux");
  char *log;
  assert_int_equal(run("--ip_version=ipv6\n0 close(3) = 0\n", &log), 2);
  assert_contains(log, "t.pkt:1: --ip_version=ipv6: missing feature: IPv6 (issue 10)");
  free(log);
  assert_int_equal(run("--remote_ip=2001:db8::1\n0 close(3) = 0\n", &log), 2);
  assert_contains(log, "--remote_ip=2001:db8::1: missing feature: IPv6 (issue 10)");
  free(log);
  assert_int_equal(run("--udp_encapsulation=tcp\n0 close(3) = 0\n", &log), 2);
  assert_contains(log, "out of scope: FreeBSD TCP-over-UDP encapsulation");
  free(log);
  assert_int_equal(run("--wormhole=1\n0 close(3) = 0\n", &log), 2);
  assert_contains(log, "--wormhole=1: header option not supported by fin's runner");
  free(log);
  assert_int_equal(run("--mtu=20\n0 close(3) = 0\n", &log), 2);
  assert_contains(log, "--mtu=20: bad value");
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
      cmocka_unit_test(test_icmp_line_is_acted_on),
      cmocka_unit_test(test_outbound_ip_fields_are_checked),
      cmocka_unit_test(test_inbound_ip_fields_and_split_payload),
      cmocka_unit_test(test_header_options_mtu_addresses_and_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
