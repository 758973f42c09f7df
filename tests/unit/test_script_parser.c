/* SPDX-License-Identifier: MIT */
/* The packetdrill-dialect parser: every upstream script parses, the
 * grammar pieces land in the AST as written, and malformed input is
 * reported with file:line:column and what was expected. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "fin_test.h"
#include "script/parser.h"

static int parse(const char *text, struct script *s, char *err, size_t cap) {
  return fin_script_parse("t.pkt", text, strlen(text), fin_script_default_defines,
                          fin_script_default_define_count, s, err, cap);
}

static void assert_parse_error(const char *text, const char *want) {
  struct script s;
  char err[512];
  assert_int_equal(parse(text, &s, err, sizeof(err)), -1);
  if (!strstr(err, want))
    fail_msg("error '%s' does not contain '%s'", err, want);
}

static void test_every_upstream_script_parses(void **state) {
  (void)state;
#ifdef FIN_UPSTREAM_SCRIPTS
  DIR *d = opendir(FIN_UPSTREAM_SCRIPTS);
  if (!d)
    fail_msg("cannot open %s (scripts/fetch-conformance.sh fetches them)", FIN_UPSTREAM_SCRIPTS);
  int count = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    if (n < 4 || strcmp(e->d_name + n - 4, ".pkt") != 0)
      continue;
    char path[4096], err[512];
    snprintf(path, sizeof(path), "%s/%s", FIN_UPSTREAM_SCRIPTS, e->d_name);
    struct script s;
    if (fin_script_parse_file(path, fin_script_default_defines, fin_script_default_define_count, &s,
                              err, sizeof(err)) != 0)
      fail_msg("%s", err);
    assert_true(s.event_count > 0);
    fin_script_free(&s);
    count++;
  }
  closedir(d);
  assert_int_equal(count, 36);
#else
  print_message("SKIPPED: upstream packetdrill scripts not found: run scripts/fetch-conformance.sh "
                "(or put the shared/ tree beside the checkout), then reconfigure\n");
  skip();
#endif
}

static void test_times_relative_absolute_any_window_and_blocking(void **state) {
  (void)state;
  struct script s;
  char err[512];
  const char *text = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                     "+.01...0.011 connect(3, ..., ...) = 0\n"
                     "* > S 0:0(0) <...>\n"
                     "+.3~+.400 > F. 1:1(0) ack 1\n"
                     "1.250 < . 1:1(0) ack 2 win 257\n";
  assert_int_equal(parse(text, &s, err, sizeof(err)), 0);
  assert_int_equal(s.event_count, 5);
  struct script_event *ev = s.events;
  assert_int_equal(ev[0].time.kind, SCRIPT_TIME_ABSOLUTE);
  assert_int_equal(ev[1].time.kind, SCRIPT_TIME_RELATIVE);
  assert_int_equal(ev[1].time.usecs, 10000);
  assert_true(ev[1].blocking);
  assert_int_equal(ev[1].end.usecs, 11000);
  assert_int_equal(ev[2].time.kind, SCRIPT_TIME_ANY);
  assert_true(ev[2].packet.opts_any);
  assert_true(ev[3].has_end && !ev[3].blocking);
  assert_int_equal(ev[3].time.usecs, 300000);
  assert_int_equal(ev[3].end.kind, SCRIPT_TIME_RELATIVE);
  assert_int_equal(ev[3].end.usecs, 400000);
  assert_int_equal(ev[4].time.usecs, 1250000);
  fin_script_free(&s);
}

static void test_packet_fields_flags_and_options(void **state) {
  (void)state;
  struct script s;
  char err[512];
  const char *text = "0 < FP. 1001:2001(1000) ack 1 win 257 <mss 1460,sackOK,TS val 100 ecr 0,"
                     "nop,wscale 8>\n"
                     "+0 > R 0:0(0) win 0\n"
                     "+0 < - 1:1001(1000) win 20000 <sack 1:2 3:4,nop,nop>\n";
  assert_int_equal(parse(text, &s, err, sizeof(err)), 0);
  struct script_packet *p = &s.events[0].packet;
  assert_true(p->inbound);
  assert_int_equal(p->flags, FIN_TCP_FIN | FIN_TCP_PSH | FIN_TCP_ACK);
  assert_int_equal(p->start, 1001);
  assert_int_equal(p->len, 1000);
  assert_int_equal(p->ack, 1);
  assert_int_equal(p->win, 257);
  assert_int_equal(p->opt_count, 5);
  assert_int_equal(p->opts[2].kind, SCRIPT_OPT_TS);
  assert_int_equal(p->opts[2].a, 100);
  assert_int_equal(p->opts[4].a, 8);
  p = &s.events[1].packet;
  assert_false(p->inbound);
  assert_int_equal(p->flags, FIN_TCP_RST);
  assert_false(p->has_ack);
  assert_int_equal(s.events[2].packet.flags, 0);
  assert_int_equal(s.events[2].packet.opts[0].sack_count, 2);
  fin_script_free(&s);
}

static void test_syscall_structs_lists_errno_and_note(void **state) {
  (void)state;
  struct script s;
  char err[512];
  const char *text =
      "0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0\n"
      "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNRESET], [4]) = 0\n"
      "+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
      "+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0\n"
      "+0 fcntl(3, F_GETFL) = 0x02 (flags O_RDWR)\n"
      "+0...0.040 poll([{fd=4,\n events=POLLOUT,\n revents=POLLOUT}], 1, 1000) = 1\n";
  assert_int_equal(parse(text, &s, err, sizeof(err)), 0);
  struct script_syscall *c = &s.events[0].call;
  assert_string_equal(c->name, "setsockopt");
  assert_int_equal(c->argc, 5);
  assert_int_equal(c->args[3]->kind, SCRIPT_EXPR_STRUCT);
  assert_string_equal(c->args[3]->items[0]->text, "onoff");
  assert_int_equal(c->args[3]->items[1]->lhs->num, 0);
  c = &s.events[1].call;
  assert_int_equal(c->args[3]->kind, SCRIPT_EXPR_LIST);
  assert_string_equal(c->args[3]->items[0]->text, "ECONNRESET");
  c = &s.events[2].call;
  assert_int_equal(c->result->num, -1);
  assert_string_equal(c->errno_name, "EINPROGRESS");
  assert_string_equal(c->note, "Operation now in progress");
  assert_int_equal(s.events[3].call.args[2]->kind, SCRIPT_EXPR_OR);
  assert_int_equal(s.events[4].call.result->num, 2);
  assert_string_equal(s.events[4].call.note, "flags O_RDWR");
  assert_true(s.events[5].blocking);
  assert_int_equal(s.events[5].call.args[0]->items[0]->count, 3);
  fin_script_free(&s);
}

static void test_ifdef_standard_kept_freebsd_skipped(void **state) {
  (void)state;
  struct script s;
  char err[512];
  const char *text = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                     "#ifdef STANDARD\n+0 close(3) = 0\n#endif\n"
                     "#ifdef FreeBSD\n+0 `tcpdrop -s TIME_WAIT`\n#endif\n";
  assert_int_equal(parse(text, &s, err, sizeof(err)), 0);
  assert_int_equal(s.event_count, 2);
  assert_string_equal(s.events[1].call.name, "close");
  fin_script_free(&s);
}

static void test_header_options_init_and_cleanup_commands(void **state) {
  (void)state;
  struct script s;
  char err[512];
  const char *text = "--tolerance_usecs=10000\n`../common/defaults.sh\n x=1\n`\n"
                     "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                     "+0 %{ assert tcpi_state == TCP_CLOSE, tcpi_state }%\n"
                     "`/tmp/sysctl_restore_${PPID}.sh`\n";
  assert_int_equal(parse(text, &s, err, sizeof(err)), 0);
  assert_int_equal(s.option_count, 1);
  assert_string_equal(s.options[0].name, "tolerance_usecs");
  assert_string_equal(s.options[0].value, "10000");
  assert_non_null(strstr(s.init_command, "defaults.sh"));
  assert_string_equal(s.cleanup_command, "/tmp/sysctl_restore_${PPID}.sh");
  assert_int_equal(s.events[1].kind, SCRIPT_EV_CODE);
  assert_string_equal(s.events[1].text, "assert tcpi_state == TCP_CLOSE, tcpi_state");
  fin_script_free(&s);
}

static void test_errors_name_line_column_and_expectation(void **state) {
  (void)state;
  assert_parse_error("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S 0:0(0)\n",
                     "t.pkt:2:1: inbound packet needs 'win N'");
  assert_parse_error("0 < S 0:5(0) win 10\n", "t.pkt:1:7: inconsistent sequence numbers");
  assert_parse_error("0 close(3)\n", "t.pkt:2:1: expected '=' and the expected result");
  assert_parse_error("0 close(3) = 0\n+0 < S. 0:0(0) ack 1 win 5 <mss 1460, foo>\n",
                     "t.pkt:2:39: TCP option 'foo' is not supported");
  assert_parse_error("1 close(3) = 0\n", "t.pkt:1:1: first event should be at time 0");
  assert_parse_error("0 close(3) = 0\n+0 < X 0:0(0) win 1\n", "t.pkt:2:6: expected TCP flags");
  assert_parse_error("0 close(3) = 0\n+0 < . 0:0(0) win 1 <...>\n",
                     "'<...>' options are only allowed on outbound packets");
  assert_parse_error("0 close(3) = 0\n+0 /* never closed\n", "t.pkt:2:4: unterminated /*");
  assert_parse_error("0 close(3) = 0\n#ifdef STANDARD\n", "#ifdef without #endif");
  assert_parse_error("0 close(3) = 0\n+0~+1 close(3) = 0\n",
                     "t.pkt:2:1: '*' and '~' times are only allowed on outbound packets");
  assert_parse_error("0 close(3) = 0\nclose(3) = 0\n",
                     "t.pkt:2:1: expected an event starting with a time");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_upstream_script_parses),
      cmocka_unit_test(test_times_relative_absolute_any_window_and_blocking),
      cmocka_unit_test(test_packet_fields_flags_and_options),
      cmocka_unit_test(test_syscall_structs_lists_errno_and_note),
      cmocka_unit_test(test_ifdef_standard_kept_freebsd_skipped),
      cmocka_unit_test(test_header_options_init_and_cleanup_commands),
      cmocka_unit_test(test_errors_name_line_column_and_expectation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
