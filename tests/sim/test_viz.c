/* SPDX-License-Identifier: MIT */
/* The renderers on synthetic traces: no engine needed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fin_test.h"
#include "viz/viz.h"

#define A     0x0a000001u
#define B     0x0a000002u
#define ISS_A 1000u
#define ISS_B 5000u

static void set_host(struct fin_trace *tr, unsigned h, uint32_t v4) {
  struct fin_addr a = fin_addr_v4(v4);
  fin_trace_set_host(tr, h, &a);
}

/* The synthetic traces' addresses: 10.0.0.1 and 10.0.0.2 unless a test
 * names others (IPv6). */
static struct fin_addr addr_a, addr_b;

static void use_v4(void) {
  addr_a = fin_addr_v4(A);
  addr_b = fin_addr_v4(B);
}

static void use_v6(const char *a, const char *b) {
  assert_int_equal(fin_addr_parse(a, &addr_a), 0);
  assert_int_equal(fin_addr_parse(b, &addr_b), 0);
}

static void add_state(struct fin_trace *tr, fin_time t, unsigned h, enum fin_state from,
                      enum fin_state to) {
  struct fin_trace_rec r = {.t = t, .kind = FIN_TR_STATE, .host = (uint8_t)h, .conn = 1};
  r.from = from;
  r.to = to;
  assert_int_equal(fin_trace_add(tr, &r), 0);
}

static void add_send(struct fin_trace *tr, fin_time t, unsigned h, uint8_t flags, uint32_t seq,
                     uint32_t ack, uint32_t len, enum fin_trace_fate fate) {
  struct fin_trace_rec r = {.t = t, .kind = FIN_TR_SEND, .host = (uint8_t)h, .conn = 1};
  r.peer = (uint8_t)(1 - h);
  r.seg = (struct fin_trace_seg){.saddr = h ? addr_b : addr_a,
                                 .daddr = h ? addr_a : addr_b,
                                 .sport = h ? 80 : 40000,
                                 .dport = h ? 40000 : 80,
                                 .seq = seq,
                                 .ack = ack,
                                 .len = len,
                                 .win = 65535,
                                 .flags = flags,
                                 .valid = true};
  r.fate = fate;
  r.arrive = fin_fate_lost(fate) ? FIN_NEVER : t + FIN_MS(10);
  assert_int_equal(fin_trace_add(tr, &r), 0);
}

static void add_app(struct fin_trace *tr, fin_time t, unsigned h, const char *call, int64_t res) {
  struct fin_trace_rec r = {.t = t, .kind = FIN_TR_APP, .host = (uint8_t)h, .conn = 1};
  snprintf(r.call, sizeof(r.call), "%s", call);
  r.result = res;
  assert_int_equal(fin_trace_add(tr, &r), 0);
}

/* Handshake, then a four-segment close whose first FIN is lost once,
 * between addr_a and addr_b. */
static void trace_between(struct fin_trace *tr) {
  fin_trace_init(tr);
  fin_trace_set_host(tr, 0, &addr_a);
  fin_trace_set_host(tr, 1, &addr_b);
  char call[40] = "connect ";
  fin_endpoint_format(&addr_b, 80, call + 8, sizeof(call) - 8);
  add_state(tr, 0, 1, FIN_CLOSED, FIN_LISTEN);
  add_app(tr, 0, 0, call, -115);
  add_state(tr, 0, 0, FIN_CLOSED, FIN_SYN_SENT);
  add_send(tr, 0, 0, 0x02, ISS_A, 0, 0, FIN_FATE_DELIVERED);
  add_state(tr, FIN_MS(10), 1, FIN_LISTEN, FIN_SYN_RECEIVED);
  add_send(tr, FIN_MS(10), 1, 0x12, ISS_B, ISS_A + 1, 0, FIN_FATE_DELIVERED);
  add_state(tr, FIN_MS(20), 0, FIN_SYN_SENT, FIN_ESTABLISHED);
  add_send(tr, FIN_MS(20), 0, 0x10, ISS_A + 1, ISS_B + 1, 0, FIN_FATE_DELIVERED);
  add_state(tr, FIN_MS(30), 1, FIN_SYN_RECEIVED, FIN_ESTABLISHED);
  add_app(tr, FIN_MS(40), 0, "close", 0);
  add_state(tr, FIN_MS(40), 0, FIN_ESTABLISHED, FIN_FIN_WAIT_1);
  add_send(tr, FIN_MS(40), 0, 0x11, ISS_A + 1, ISS_B + 1, 0, FIN_FATE_LOST);
  add_send(tr, FIN_MS(240), 0, 0x11, ISS_A + 1, ISS_B + 1, 0, FIN_FATE_DELIVERED);
}

static void graceful_trace(struct fin_trace *tr) {
  use_v4();
  trace_between(tr);
}

static char *render(int (*fn)(FILE *, const struct fin_trace *, const struct fin_viz_opts *),
                    const struct fin_trace *tr, bool absolute) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_non_null(f);
  struct fin_viz_opts o = {.absolute = absolute};
  assert_int_equal(fn(f, tr, &o), 0);
  fclose(f);
  return buf;
}

static void test_ladder_lines_fit_in_100_columns(void **state) {
  (void)state;
  struct fin_trace tr;
  graceful_trace(&tr);
  char *text = render(fin_ladder_render, &tr, false);
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
    assert_true(strlen(line) <= 100);
  free(text);
  fin_trace_free(&tr);
}

static void test_ladder_shows_relative_seq_states_and_loss(void **state) {
  (void)state;
  struct fin_trace tr;
  graceful_trace(&tr);
  char *text = render(fin_ladder_render, &tr, false);
  assert_non_null(strstr(text, "-- SYN seq=0 len=0 "));
  assert_non_null(strstr(text, " SYN,ACK seq=0 ack=1 len=0 "));
  /* The state is written on the row of the arrow sent at that instant. */
  assert_non_null(strstr(text, "SYN-SENT | connect 10.0.0.2:80 = -EINPROGRESS"));
  assert_non_null(strstr(text, "| SYN-RECEIVED"));
  /* The lost FIN stops with an x before the other lane. */
  assert_non_null(strstr(text, "FIN,ACK seq=1 ack=1 len=0 ---"));
  char *lost = strstr(text, "  0.040000");
  assert_non_null(lost);
  char *eol = strchr(strstr(lost, "FIN,ACK"), '\n');
  assert_true(eol[-1] == 'x' || strstr(lost, "-x ") != NULL);
  assert_non_null(strstr(text, "close = 0"));
  free(text);
  fin_trace_free(&tr);
}

static void test_ladder_absolute_shows_isn(void **state) {
  (void)state;
  struct fin_trace tr;
  graceful_trace(&tr);
  char *text = render(fin_ladder_render, &tr, true);
  assert_non_null(strstr(text, "SYN seq=1000 len=0"));
  assert_non_null(strstr(text, "SYN,ACK seq=5000 ack=1001"));
  free(text);
  fin_trace_free(&tr);
}

static void test_state_without_arrow_gets_its_own_row(void **state) {
  (void)state;
  struct fin_trace tr;
  graceful_trace(&tr);
  char *text = render(fin_ladder_render, &tr, false);
  /* b became ESTABLISHED at 30 ms when nothing was sent. */
  char *row = strstr(text, "  0.030000");
  assert_non_null(row);
  char *eol = strchr(row, '\n');
  assert_non_null(strstr(row, "| ESTABLISHED"));
  assert_true(strstr(row, "| ESTABLISHED") < eol);
  free(text);
  fin_trace_free(&tr);
}

static void test_mermaid_marks_lost_with_cross(void **state) {
  (void)state;
  struct fin_trace tr;
  graceful_trace(&tr);
  char *text = render(fin_mermaid_render, &tr, false);
  assert_true(strncmp(text, "sequenceDiagram\n", 16) == 0);
  assert_non_null(strstr(text, "participant a as a 10.0.0.1"));
  assert_non_null(strstr(text, "a->>b: 0.000000 SYN seq=0 len=0"));
  assert_non_null(strstr(text, "a-xb: 0.040000 FIN,ACK seq=1 ack=1 len=0 (lost)"));
  assert_non_null(strstr(text, "Note right of b: SYN-RECEIVED"));
  free(text);
  fin_trace_free(&tr);
}

static void test_svg_is_self_contained(void **state) {
  (void)state;
  struct fin_trace tr;
  graceful_trace(&tr);
  char *text = render(fin_svg_render, &tr, false);
  assert_true(strncmp(text, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
  assert_null(strstr(text, "href"));
  assert_null(strstr(text, "<script"));
  assert_non_null(strstr(text, "SYN-RECEIVED"));
  assert_non_null(strstr(text, "</svg>\n"));
  free(text);
  fin_trace_free(&tr);
}

static void test_ndjson_one_object_per_record(void **state) {
  (void)state;
  struct fin_trace tr;
  graceful_trace(&tr);
  char *text = render(fin_ndjson_render, &tr, false);
  size_t lines = 0;
  for (char *p = text; *p; p++)
    lines += *p == '\n';
  assert_int_equal(lines, tr.len);
  assert_non_null(strstr(text, "{\"t\":0.010000000,\"host\":\"b\",\"conn\":1,\"type\":\"state\","
                               "\"from\":\"LISTEN\",\"to\":\"SYN-RECEIVED\"}"));
  assert_non_null(strstr(text, "\"type\":\"send\",\"local\":\"10.0.0.1:40000\","
                               "\"remote\":\"10.0.0.2:80\",\"peer\":\"b\",\"flags\":\"SYN\","
                               "\"seq\":1000,\"ack\":0,\"len\":0,\"win\":65535"));
  assert_non_null(strstr(text, "\"fate\":\"lost\""));
  assert_non_null(strstr(text, "\"type\":\"app\",\"call\":\"connect 10.0.0.2:80\",\"result\":-115,"
                               "\"errno\":\"EINPROGRESS\""));
  free(text);
  fin_trace_free(&tr);
}

/* One record of each kind the simulator and fin serve/connect write, and the
 * exact line of the events schema (docs/events.md) each becomes. */
static char *one_line(const struct fin_trace_rec *r) {
  struct fin_trace tr;
  fin_trace_init(&tr);
  set_host(&tr, 0, A);
  set_host(&tr, 1, B);
  struct fin_rel rel;
  fin_rel_init(&rel);
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  fin_ndjson_record(f, &tr, r, &rel);
  fclose(f);
  return text;
}

static struct fin_4tuple tuple_of_ab(void) {
  struct fin_4tuple t = {fin_addr_v4(A), fin_addr_v4(B), 40000, 80};
  return t;
}

static void expect_line(const struct fin_trace_rec *r, const char *want) {
  char *got = one_line(r);
  assert_string_equal(got, want);
  free(got);
}

static void test_ndjson_schema_every_kind(void **state) {
  (void)state;
  struct fin_trace_rec r = {.t = FIN_MS(1500), .kind = FIN_TR_STATE, .conn = 7};
  r.tuple = tuple_of_ab();
  r.has_tuple = true;
  r.from = FIN_ESTABLISHED;
  r.to = FIN_FIN_WAIT_1;
  const char *common = "{\"t\":1.500000000,\"host\":\"a\",\"conn\":7,";
  const char *ends = "\"local\":\"10.0.0.1:40000\",\"remote\":\"10.0.0.2:80\"";
  char want[512];
  snprintf(want, sizeof(want),
           "%s\"type\":\"state\",%s,\"from\":\"ESTABLISHED\","
           "\"to\":\"FIN-WAIT-1\"}\n",
           common, ends);
  expect_line(&r, want);
  r.kind = FIN_TR_CLOSE;
  r.reason = FIN_REASON_RESET;
  r.err = -104;
  snprintf(want, sizeof(want),
           "%s\"type\":\"close\",%s,\"reason\":\"reset\","
           "\"errno\":\"ECONNRESET\"}\n",
           common, ends);
  expect_line(&r, want);
  r.kind = FIN_TR_TIMER;
  r.timer = FIN_TIMER_RETRANSMIT;
  snprintf(want, sizeof(want), "%s\"type\":\"timer\",%s,\"timer\":\"retransmit\"}\n", common, ends);
  expect_line(&r, want);
  /* RST and drop events carry the connection id and why (a counter name). */
  r.kind = FIN_TR_RST;
  r.counter = 0;
  snprintf(want, sizeof(want), "%s\"type\":\"rst\",%s,\"reason\":\"%s\"}\n", common, ends,
           fin_counters_name(0));
  expect_line(&r, want);
  r.kind = FIN_TR_DROP;
  r.fate = FIN_FATE_STACK;
  snprintf(want, sizeof(want), "%s\"type\":\"drop\",%s,\"where\":\"stack\",\"reason\":\"%s\"}\n",
           common, ends, fin_counters_name(0));
  expect_line(&r, want);
}

static void test_ndjson_schema_segments_and_apps(void **state) {
  (void)state;
  struct fin_trace_rec r = {.t = 0, .kind = FIN_TR_RECV, .host = 1, .peer = 0, .conn = 3};
  r.seg = (struct fin_trace_seg){fin_addr_v4(A), fin_addr_v4(B), 40000, 80, 1000, 0, 0,
                                 65535,          0x02,           true};
  r.arrive = FIN_NEVER;
  /* A received segment: local is the receiver's side. */
  expect_line(&r, "{\"t\":0.000000000,\"host\":\"b\",\"conn\":3,\"type\":\"recv\","
                  "\"local\":\"10.0.0.2:80\",\"remote\":\"10.0.0.1:40000\",\"peer\":\"a\","
                  "\"flags\":\"SYN\",\"seq\":1000,\"ack\":0,\"len\":0,\"win\":65535,"
                  "\"rseq\":0,\"rack\":0}\n");
  struct fin_trace_rec a = {.t = 0, .kind = FIN_TR_APP, .host = 0, .conn = 0};
  snprintf(a.call, sizeof(a.call), "listen()");
  expect_line(&a, "{\"t\":0.000000000,\"host\":\"a\",\"conn\":0,\"type\":\"app\","
                  "\"call\":\"listen()\",\"result\":0,\"errno\":\"0\"}\n");
}

static void test_trace_note_names_what_the_stack_did(void **state) {
  (void)state;
  struct fin_trace tr;
  fin_trace_init(&tr);
  set_host(&tr, 0, A);
  set_host(&tr, 1, B);
  char note[160];
  struct fin_trace_rec r = {.kind = FIN_TR_STATE, .host = 1, .conn = 2};
  r.from = FIN_LISTEN;
  r.to = FIN_SYN_RECEIVED;
  assert_true(fin_trace_note(&tr, &r, note, sizeof(note)) > 0);
  assert_string_equal(note, "b conn 2: LISTEN -> SYN-RECEIVED");
  r.kind = FIN_TR_CLOSE;
  r.reason = FIN_REASON_RESET;
  r.err = -104;
  fin_trace_note(&tr, &r, note, sizeof(note));
  assert_string_equal(note, "b conn 2: closed (reset, ECONNRESET)");
  r.kind = FIN_TR_RST;
  r.conn = 0;
  r.counter = 0;
  fin_trace_note(&tr, &r, note, sizeof(note));
  assert_true(strncmp(note, "b: RST sent (", 13) == 0);
  /* What says nothing about the stack gets no note. */
  r.kind = FIN_TR_SEND;
  assert_int_equal(fin_trace_note(&tr, &r, note, sizeof(note)), 0);
  assert_string_equal(note, "");
  r.kind = FIN_TR_TIMER;
  r.timer = FIN_TIMER_DELACK;
  assert_int_equal(fin_trace_note(&tr, &r, note, sizeof(note)), 0);
}

static void test_ladder_folds_long_runs_of_data_unless_full(void **state) {
  (void)state;
  struct fin_trace tr;
  graceful_trace(&tr);
  for (uint32_t i = 0; i < 40; i++)
    add_send(&tr, FIN_MS(300), 0, 0x10, ISS_A + 1 + i * 1448, ISS_B + 1, 1448, FIN_FATE_DELIVERED);
  char *text = render(fin_ladder_render, &tr, false);
  assert_non_null(strstr(text, "... 29 more segments (--full shows them) ..."));
  assert_non_null(strstr(text, "seq=1 ack=1 len=1448"));
  assert_non_null(strstr(text, "seq=56473 ack=1 len=1448"));
  free(text);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  struct fin_viz_opts o = {.full = true};
  assert_int_equal(fin_ladder_render(f, &tr, &o), 0);
  fclose(f);
  assert_null(strstr(buf, "more segments"));
  assert_non_null(strstr(buf, "seq=28961 ack=1 len=1448"));
  free(buf);
  fin_trace_free(&tr);
}

static void test_trace_decode_reads_tcp_header(void **state) {
  (void)state;
  uint8_t d[40] = {0x45, 0, 0, 40,   0,  0, 0x40, 0, 64,   6,    0,    0,
                   10,   0, 0, 1,    10, 0, 0,    2, 0x9c, 0x40, 0,    80,
                   0,    0, 3, 0xe8, 0,  0, 0,    0, 0x50, 0x02, 0xff, 0xff};
  struct fin_trace_seg seg;
  fin_trace_decode(d, sizeof d, &seg);
  assert_true(seg.valid);
  assert_addr_v4(seg.saddr, A);
  assert_int_equal(seg.sport, 40000);
  assert_int_equal(seg.dport, 80);
  assert_int_equal(seg.seq, 1000);
  assert_int_equal(seg.flags, 0x02);
  assert_int_equal(seg.len, 0);
  fin_trace_decode(d, 10, &seg);
  assert_false(seg.valid);
}

/* The same trace between fd00::1 and fd00::2, as fin sim --ipv6 names its
 * hosts: the ladder, byte for byte. */
static const char ipv6_ladder[] =
    "  time (s)       a fd00::1                                                          b "
    "fd00::2\n"
    "                         |                                                          |\n"
    "  0.000000      SYN-SENT | connect [fd00::2]:80 = -EINPROGRESS                      | LISTEN\n"
    "  0.000000               |-- SYN seq=0 len=0 -------------------------------------->|\n"
    "  0.010000               |<-- SYN,ACK seq=0 ack=1 len=0 ----------------------------| "
    "SYN-RECEIVED\n"
    "  0.020000   ESTABLISHED |-- ACK seq=1 ack=1 len=0 -------------------------------->|\n"
    "  0.030000               |                                                          | "
    "ESTABLISHED\n"
    "  0.040000    FIN-WAIT-1 | close = 0                                                |\n"
    "  0.040000               |-- FIN,ACK seq=1 ack=1 len=0 --------x                    |\n"
    "  0.240000               |-- FIN,ACK seq=1 ack=1 len=0 ---------------------------->|\n";

static void test_ladder_ipv6_golden(void **state) {
  (void)state;
  struct fin_trace tr;
  use_v6("fd00::1", "fd00::2");
  trace_between(&tr);
  char *text = render(fin_ladder_render, &tr, false);
  if (getenv("FIN_GOLDEN_DUMP"))
    fputs(text, stderr);
  assert_string_equal(text, ipv6_ladder);
  free(text);
  fin_trace_free(&tr);
}

/* The longest IPv6 text (39 characters) does not fit beside a lane: each
 * host gets a line of its own, the header keeps "time (s)" and bare names,
 * and no line passes 100 columns. */
static void test_ladder_longest_ipv6_addresses_fit_in_100_columns(void **state) {
  (void)state;
  struct fin_trace tr;
  use_v6("2001:db8:1234:5678:9abc:def0:1234:5678", "2001:db8:1234:5678:9abc:def0:1234:5679");
  trace_between(&tr);
  char *text = render(fin_ladder_render, &tr, false);
  assert_true(strncmp(text,
                      "  a 2001:db8:1234:5678:9abc:def0:1234:5678\n"
                      "  b 2001:db8:1234:5678:9abc:def0:1234:5679\n"
                      "  time (s)               a",
                      43 * 2 + 26) == 0);
  assert_non_null(strstr(text, "connect [2001:db8:1234:"));
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
    assert_true(strlen(line) <= 100);
  free(text);
  fin_trace_free(&tr);
}

static void test_mermaid_svg_ndjson_name_ipv6_hosts(void **state) {
  (void)state;
  struct fin_trace tr;
  use_v6("fd00::1", "fd00::2");
  trace_between(&tr);
  char *m = render(fin_mermaid_render, &tr, false);
  assert_non_null(strstr(m, "participant a as a fd00::1\n"));
  assert_non_null(strstr(m, "participant b as b fd00::2\n"));
  assert_non_null(strstr(m, "a->>b: 0.000000 SYN seq=0 len=0"));
  char *svg = render(fin_svg_render, &tr, false);
  assert_non_null(strstr(svg, ">a fd00::1</text>"));
  assert_non_null(strstr(svg, ">b fd00::2</text>"));
  char *nd = render(fin_ndjson_render, &tr, false);
  assert_non_null(strstr(nd, "\"type\":\"send\",\"local\":\"[fd00::1]:40000\","
                             "\"remote\":\"[fd00::2]:80\",\"peer\":\"b\",\"flags\":\"SYN\""));
  assert_non_null(strstr(nd, "\"call\":\"connect [fd00::2]:80\""));
  free(m);
  free(svg);
  free(nd);
  fin_trace_free(&tr);
}

static void test_trace_decode_reads_ipv6_tcp_header(void **state) {
  (void)state;
  struct fin_segment s = {.sport = 40000, .dport = 80, .seq = 1000, .ack = 7, .flags = 0x12};
  assert_int_equal(fin_addr_parse("fd00::1", &s.saddr), 0);
  assert_int_equal(fin_addr_parse("fd00::2", &s.daddr), 0);
  s.wnd = 4000;
  uint8_t d[128];
  size_t n = fin_tcp_build(d, sizeof d, &s, NULL, 0, (const uint8_t *)"abc", 3, NULL, 0);
  assert_int_equal(n, 40 + 20 + 3);
  struct fin_trace_seg seg;
  fin_trace_decode(d, n, &seg);
  assert_true(seg.valid);
  assert_addr_equal(seg.saddr, s.saddr);
  assert_addr_equal(seg.daddr, s.daddr);
  assert_int_equal(seg.sport, 40000);
  assert_int_equal(seg.seq, 1000);
  assert_int_equal(seg.ack, 7);
  assert_int_equal(seg.flags, 0x12);
  assert_int_equal(seg.win, 4000);
  assert_int_equal(seg.len, 3);
  fin_trace_decode(d, 50, &seg); /* the TCP header cut short */
  assert_false(seg.valid);
  assert_int_equal(seg.len, 50);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ladder_lines_fit_in_100_columns),
      cmocka_unit_test(test_ladder_shows_relative_seq_states_and_loss),
      cmocka_unit_test(test_ladder_absolute_shows_isn),
      cmocka_unit_test(test_state_without_arrow_gets_its_own_row),
      cmocka_unit_test(test_mermaid_marks_lost_with_cross),
      cmocka_unit_test(test_svg_is_self_contained),
      cmocka_unit_test(test_ndjson_one_object_per_record),
      cmocka_unit_test(test_ndjson_schema_every_kind),
      cmocka_unit_test(test_ndjson_schema_segments_and_apps),
      cmocka_unit_test(test_trace_note_names_what_the_stack_did),
      cmocka_unit_test(test_ladder_folds_long_runs_of_data_unless_full),
      cmocka_unit_test(test_trace_decode_reads_tcp_header),
      cmocka_unit_test(test_ladder_ipv6_golden),
      cmocka_unit_test(test_ladder_longest_ipv6_addresses_fit_in_100_columns),
      cmocka_unit_test(test_mermaid_svg_ndjson_name_ipv6_hosts),
      cmocka_unit_test(test_trace_decode_reads_ipv6_tcp_header),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
