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

/* Every script of the FreeBSD suite parses, IPv6 ones included (they stop
 * later, at --ip_version), except the one upstream file that starts with a
 * stray 's' before its licence header. */
static void test_every_freebsd_suite_script_parses(void **state) {
  (void)state;
#ifdef FIN_FREEBSD_SUITE
  char cmd[4200];
  snprintf(cmd, sizeof(cmd), "find '%s' -name '*.pkt' | sort", FIN_FREEBSD_SUITE);
  FILE *list = popen(cmd, "r");
  assert_non_null(list);
  char path[4096];
  int count = 0, failed = 0;
  while (fgets(path, sizeof(path), list)) {
    path[strcspn(path, "\n")] = '\0';
    char err[512];
    struct script s;
    count++;
    if (fin_script_parse_file(path, fin_script_default_defines, fin_script_default_define_count, &s,
                              err, sizeof(err)) == 0) {
      fin_script_free(&s);
      continue;
    }
    failed++;
    if (!strstr(path, "client-handle-cookie-update-of-length-17.pkt"))
      fail_msg("%s", err);
  }
  pclose(list);
  assert_int_equal(count, 817);
  assert_int_equal(failed, 1);
#else
  skip();
#endif
}

static void test_icmp_lines(void **state) {
  (void)state;
  struct script s;
  char err[512];
  const char *text = "0 < icmp unreachable port_unreachable [0:0(0)]\n"
                     "+0 <icmp unreachable frag_needed mtu 1234 [1:1461(1460)]\n"
                     "+0 < icmp time_exceeded ttl_exceeded_in_transit [4294967295:4294967295(0)]\n"
                     "+0 < icmp parameter_problem code_2\n"
                     "+0 > icmp source_quench\n";
  assert_int_equal(parse(text, &s, err, sizeof(err)), 0);
  struct script_packet *p = &s.events[0].packet;
  assert_true(p->is_icmp && p->inbound && p->icmp.has_echoed);
  assert_int_equal(p->icmp.type, 3);
  assert_int_equal(p->icmp.code, 3);
  p = &s.events[1].packet;
  assert_int_equal(p->icmp.code, 4);
  assert_true(p->icmp.has_mtu);
  assert_int_equal(p->icmp.mtu, 1234);
  assert_int_equal(p->start, 1);
  assert_int_equal(p->len, 1460);
  assert_int_equal(s.events[2].packet.icmp.type, 11);
  assert_int_equal(s.events[2].packet.start, 4294967295u);
  assert_int_equal(s.events[3].packet.icmp.code, 2);
  assert_false(s.events[3].packet.icmp.has_echoed);
  assert_false(s.events[4].packet.inbound);
  assert_int_equal(s.events[4].packet.icmp.type, 4);
  fin_script_free(&s);
}

/* packetdrill reads ICMP names as ICMPv4's or ICMPv6's by --ip_version:
 * both readings are kept, a name only one family has leaves the other
 * unset, and a name neither has is an error. */
static void test_icmp_lines_both_families(void **state) {
  (void)state;
  struct script s;
  char err[512];
  const char *text = "0 < icmp unreachable port_unreachable [0:0(0)]\n"
                     "+0 < icmp packet_too_big mtu 1300 [0:0(0)]\n"
                     "+0 < icmp parameter_problem unknown_next_header\n"
                     "+0 < icmp source_quench\n"
                     "+0 < icmp time_exceeded exceeded_hop_limit\n";
  assert_int_equal(parse(text, &s, err, sizeof(err)), 0);
  const struct script_icmp *ic = &s.events[0].packet.icmp;
  assert_true(ic->v4 && ic->v6);
  assert_int_equal(ic->type, 3);
  assert_int_equal(ic->code, 3);
  assert_int_equal(ic->type6, 1); /* RFC 4443 §3.1 */
  assert_int_equal(ic->code6, 4);
  ic = &s.events[1].packet.icmp;
  assert_true(!ic->v4 && ic->v6 && ic->has_mtu);
  assert_int_equal(ic->type6, 2);
  assert_int_equal(ic->mtu, 1300);
  ic = &s.events[2].packet.icmp;
  assert_true(!ic->v4 && ic->v6);
  assert_int_equal(ic->type6, 4);
  assert_int_equal(ic->code6, 1);
  ic = &s.events[3].packet.icmp;
  assert_true(ic->v4 && !ic->v6);
  ic = &s.events[4].packet.icmp;
  assert_true(!ic->v4 && ic->v6);
  assert_int_equal(ic->type6, 3);
  fin_script_free(&s);
}

static void test_ip_prefixes_and_ecn_marks(void **state) {
  (void)state;
  struct script s;
  char err[512];
  const char *text = "0 > (ttl 4) S 0:0(0) win 65535\n"
                     "+0 < (tos 0x10, ttl 3) [ect0] . 1:1(0) ack 1 win 100\n"
                     "+0 < [ce] (flowlabel 0x12345) . 1:1(0) ack 1 win 100\n"
                     "+0 > [noecn] . 1:1(0) ack 1\n"
                     "+0 > [ect01] (class 0x2, hlim 7) . 1:1(0) ack 1\n";
  assert_int_equal(parse(text, &s, err, sizeof(err)), 0);
  struct script_packet *p = &s.events[0].packet;
  assert_true(p->has_ttl && !p->has_tos);
  assert_int_equal(p->ttl, 4);
  assert_int_equal(p->flags, FIN_TCP_SYN);
  p = &s.events[1].packet;
  assert_true(p->has_tos && p->has_ttl);
  assert_int_equal(p->tos, 0x10);
  assert_int_equal(p->ecn, SCRIPT_ECN_ECT0);
  p = &s.events[2].packet;
  assert_int_equal(p->ecn, SCRIPT_ECN_CE);
  assert_true(p->has_flowlabel);
  assert_int_equal(p->flowlabel, 0x12345);
  assert_int_equal(s.events[3].packet.ecn, SCRIPT_ECN_NOT_ECT);
  p = &s.events[4].packet;
  assert_int_equal(p->ecn, SCRIPT_ECN_ECT01);
  assert_int_equal(p->tos, 2);
  assert_int_equal(p->ttl, 7);
  fin_script_free(&s);
}

static void test_md5_fastopen_generic_options_and_any_seq(void **state) {
  (void)state;
  struct script s;
  char err[512];
  const char *text =
      "0 < S 0:0(0) win 100 <mss 1440,sackOK,md5 valid>\n"
      "+0 < S 0:0(0) win 100 <md5 000102030405060708090a0b0c0d0e0f>\n"
      "+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,FO 0102030405060708,FO,FOEXP abcd,eol,eol>\n"
      "+0 > . ...(0) ack 1 <kind 30 deadbeef,kind 253>\n";
  assert_int_equal(parse(text, &s, err, sizeof(err)), 0);
  struct script_opt *o = s.events[0].packet.opts;
  assert_int_equal(o[2].kind, SCRIPT_OPT_MD5);
  assert_int_equal(o[2].a, 1);
  o = s.events[1].packet.opts;
  assert_int_equal(o[0].data_len, 16);
  assert_int_equal(o[0].data[15], 0x0f);
  o = s.events[2].packet.opts;
  assert_int_equal(o[2].kind, SCRIPT_OPT_FO);
  assert_int_equal(o[2].data_len, 8);
  assert_int_equal(o[2].data[7], 8);
  assert_int_equal(o[3].data_len, 0);
  assert_int_equal(o[4].kind, SCRIPT_OPT_FO_EXP);
  assert_int_equal(o[4].data[1], 0xcd);
  struct script_packet *p = &s.events[3].packet;
  assert_true(p->any_seq);
  assert_int_equal(p->opts[0].kind, SCRIPT_OPT_GENERIC);
  assert_int_equal(p->opts[0].a, 30);
  assert_int_equal(p->opts[0].data_len, 4);
  assert_int_equal(p->opts[1].data_len, 0);
  fin_script_free(&s);
}

/* What the runner does not know is named in the message. */
static void test_unknown_dialect_pieces_are_named(void **state) {
  (void)state;
  assert_parse_error("0 close(3) = 0\n+0 < S. 0:0(0) ack 1 win 5 <mss 1460, foo>\n",
                     "TCP option 'foo' is not supported by fin's runner (known: nop, eol, mss");
  assert_parse_error("0 < icmp unreachable wormhole [0:0(0)]\n",
                     "ICMP code 'wormhole' is not known for this type");
  assert_parse_error("0 < icmp teleport\n", "'teleport' is not an ICMP or ICMPv6 type");
  assert_parse_error("0 < icmp packet_too_big code_300\n",
                     "ICMP code 'code_300' is not known for this type");
  assert_parse_error("0 < F. 1:1(0) ack 1 win 5/udp(1 9811)\n",
                     "expected '>' in udp(sport > dport)");
  assert_parse_error("0 < [ect2] . 1:1(0) ack 1 win 5\n", "expected an ECN mark");
  assert_parse_error("0 < (dscp 3) . 1:1(0) ack 1 win 5\n", "expected tos N, ttl N");
  assert_parse_error("0 < S 0:0(0) win 5 <md5 0102>\n", "md5 valid, md5 invalid or 16 bytes");
  assert_parse_error("0 < S 0:0(0) win 5 <FO 012>\n", "an even number of hex digits");
  assert_parse_error("0 < . ...(0) ack 1 win 5\n", "'...(len)' only on outbound packets");
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
      cmocka_unit_test(test_every_freebsd_suite_script_parses),
      cmocka_unit_test(test_icmp_lines),
      cmocka_unit_test(test_icmp_lines_both_families),
      cmocka_unit_test(test_ip_prefixes_and_ecn_marks),
      cmocka_unit_test(test_md5_fastopen_generic_options_and_any_seq),
      cmocka_unit_test(test_unknown_dialect_pieces_are_named),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
