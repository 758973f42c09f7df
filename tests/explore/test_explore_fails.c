/* SPDX-License-Identifier: MIT */
/* The explorer can fail: each check it makes is shown to catch what it is
 * there for - bytes that were never sent, a TIME-WAIT that does not expire
 * in time, ends that disagree on how the connection ended, an expectation
 * that does not hold - and a failing search prints a replay line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"
#include "fin_test.h"

static void run_one(enum explore_lifecycle lc, const char *faults, const struct fin_settings *sa,
                    const struct fin_settings *sb, struct explore_result *res) {
  struct explore_config cfg;
  explore_config_default(&cfg, lc, FIN_AF_INET);
  cfg.settings[0] = sa;
  cfg.settings[1] = sb;
  struct explore_schedule s;
  assert_int_equal(explore_schedule_parse(faults, &s), 0);
  explore_run(&cfg, &s, res);
}

static void assert_fails_with(const struct explore_result *res, const char *what) {
  assert_false(res->ok);
  print_message("explorer: %s\n", res->why);
  if (strstr(res->why, what) == NULL)
    fail_msg("expected \"%s\" in \"%s\"", what, res->why);
}

/* The baseline the others break: fault free, and each FIN dropped once
 * (datagrams 7 and 9). */
static void test_graceful_schedules_pass(void **state) {
  (void)state;
  struct explore_result res;
  run_one(EXPLORE_GRACEFUL, "-", NULL, NULL, &res);
  assert_true(res.ok);
  assert_int_equal(res.reason[0][0], FIN_REASON_TIME_WAIT_DONE);
  assert_int_equal(res.reason[1][0], FIN_REASON_GRACEFUL);
  assert_string_equal(res.path[0], "SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT>CLOSED");
  run_one(EXPLORE_GRACEFUL, "7:drop,9:drop", NULL, NULL, &res);
  assert_true(res.ok);
  /* E4: the second connection's SYN takes over the server's TIME-WAIT. */
  run_one(EXPLORE_REOPEN, "-", NULL, NULL, &res);
  assert_true(res.ok);
  assert_int_equal(res.conns, 2);
  assert_int_equal(res.reason[1][0], FIN_REASON_TIME_WAIT_REOPENED);
  assert_int_equal(res.reason[0][1], FIN_REASON_TIME_WAIT_DONE);
}

/* Stream integrity: a payload byte swapped in a way the TCP checksum cannot
 * see (datagram 3 is a's data) reaches b's application. */
static void test_bytes_never_sent_are_reported(void **state) {
  (void)state;
  struct explore_result res;
  run_one(EXPLORE_GRACEFUL, "3:mangle", NULL, NULL, &res);
  assert_fails_with(&res, "host b read 300 bytes at offset 0 that host a never sent there");
}

/* Convergence: a TIME-WAIT of 2 x 20 minutes outlives the 10 minutes of
 * virtual time a run may take (BEHAVIOR E1 is 60 s). */
static void test_time_wait_past_the_time_cap_is_reported(void **state) {
  (void)state;
  struct fin_settings slow;
  fin_settings_default(&slow);
  slow.msl = FIN_SEC(1200);
  struct explore_result res;
  run_one(EXPLORE_GRACEFUL, "-", &slow, NULL, &res);
  assert_fails_with(&res, "not quiescent after 600s of virtual time: a TIME-WAIT");
}

/* Close reasons: an orphan that gives up after one retransmission of its
 * FIN (F4 misconfigured) resets a peer that closed gracefully; datagram 9
 * is b's FIN and 10 its first retransmission. */
static void test_ends_that_disagree_are_reported(void **state) {
  (void)state;
  struct fin_settings impatient;
  fin_settings_default(&impatient);
  impatient.orphan_retries = 1;
  impatient.tlp = false; /* datagram 10 is the RTO's, not a loss probe (RFC 8985 §7) */
  struct explore_result res;
  run_one(EXPLORE_GRACEFUL, "-", NULL, &impatient, &res);
  assert_true(res.ok);
  run_one(EXPLORE_GRACEFUL, "9:drop,10:drop", NULL, &impatient, &res);
  assert_fails_with(&res, "not how graceful ends");
  assert_int_equal(res.reason[1][0], FIN_REASON_RETRANSMIT_TIMEOUT);
}

/* An expectation that does not hold fails every schedule: the reason check
 * is not vacuous. */
static void test_a_broken_expectation_fails_every_schedule(void **state) {
  (void)state;
  struct explore_config cfg;
  explore_config_default(&cfg, EXPLORE_SIMULTANEOUS, FIN_AF_INET);
  cfg.expect_override[1] = 1u << FIN_REASON_RESET;
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  assert_non_null(out);
  struct explore_stats st;
  explore_search(&cfg, 1, out, 1, false, &st);
  fclose(out);
  assert_true(st.schedules == 1); /* a failing schedule is not extended */
  assert_int_equal(st.failures, 1);
  assert_non_null(strstr(buf, "explore: FAIL simultaneous/ipv4/-: "));
  assert_non_null(strstr(
      buf, "(replay: fin_explore --profile default --bytes 300 --replay simultaneous/ipv4/-)"));
  free(buf);
}

/* A search over a misconfigured stack finds the schedules that break it and
 * prints one replay line for each (up to the limit). */
static void test_search_finds_the_misconfiguration(void **state) {
  (void)state;
  struct fin_settings impatient;
  fin_settings_default(&impatient);
  impatient.orphan_retries = 1;
  impatient.tlp = false;
  struct explore_config cfg;
  explore_config_default(&cfg, EXPLORE_GRACEFUL, FIN_AF_INET);
  cfg.settings[1] = &impatient;
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  assert_non_null(out);
  struct explore_stats st;
  explore_search(&cfg, 2, out, 3, true, &st);
  fclose(out);
  assert_true(st.failures > 0);
  assert_non_null(strstr(buf, "explore: FAIL graceful/ipv4/9:drop,10:drop: "));
  assert_non_null(strstr(buf, "explore: more failures not shown"));
  assert_non_null(strstr(buf, "LAST-ACK")); /* the ladder of the first */
  free(buf);
}

static void test_schedule_text_round_trips(void **state) {
  (void)state;
  struct explore_schedule s;
  char buf[64];
  assert_int_equal(explore_schedule_parse("3:drop,7:dup,9:delay", &s), 0);
  assert_int_equal(s.n, 3);
  assert_int_equal(s.f[1].index, 7);
  assert_int_equal(s.f[1].kind, EXPLORE_DUP);
  explore_schedule_format(&s, buf, sizeof(buf));
  assert_string_equal(buf, "3:drop,7:dup,9:delay");
  assert_int_equal(explore_schedule_parse("7:dup,3:drop", &s), -EINVAL);
  assert_int_equal(explore_schedule_parse("3:lose", &s), -EINVAL);
  assert_int_equal(explore_schedule_parse("-", &s), 0);
  assert_int_equal(s.n, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_graceful_schedules_pass),
      cmocka_unit_test(test_bytes_never_sent_are_reported),
      cmocka_unit_test(test_time_wait_past_the_time_cap_is_reported),
      cmocka_unit_test(test_ends_that_disagree_are_reported),
      cmocka_unit_test(test_a_broken_expectation_fails_every_schedule),
      cmocka_unit_test(test_search_finds_the_misconfiguration),
      cmocka_unit_test(test_schedule_text_round_trips),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
