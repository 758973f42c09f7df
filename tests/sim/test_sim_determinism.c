/* SPDX-License-Identifier: MIT */
/* Same seed, same bytes: two runs of a faulty network produce identical
 * pcap files and identical traces; another seed produces another run. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_test_util.h"
#include "viz/viz.h"

/* The trace as NDJSON text: compares every field, never struct padding. */
static char *trace_text(const struct fin_trace *tr) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_int_equal(fin_ndjson_render(f, tr, NULL), 0);
  fclose(f);
  return buf;
}

struct capture {
  char path[64];
  char *bytes;
  size_t len;
  struct fin_trace trace;
};

static void capture_run(uint64_t seed, struct capture *cap) {
  snprintf(cap->path, sizeof cap->path, "/tmp/fin-sim-det-XXXXXX");
  int fd = mkstemp(cap->path);
  assert_true(fd >= 0);
  close(fd);
  char err[128];
  struct fin_scenario_opts o;
  sim_opts_default(&o);
  o.seed = seed;
  o.bytes = 50000;
  o.link = (struct fin_sim_link_params){.delay = FIN_MS(5),
                                        .jitter = FIN_MS(2),
                                        .loss = 0.05,
                                        .dup = 0.05,
                                        .reorder = 0.05,
                                        .corrupt = 0.02};
  fin_trace_init(&cap->trace);
  o.trace = &cap->trace;
  o.pcap = fin_pcap_open(cap->path, err, sizeof err);
  assert_non_null(o.pcap);
  struct fin_scn_result res;
  assert_int_equal(fin_scenario_run(fin_scenario_find("data-then-close"), &o, &res), 0);
  sim_assert_family(&res);
  fin_pcap_close(o.pcap);
  FILE *f = fopen(cap->path, "rb");
  assert_non_null(f);
  FILE *m = open_memstream(&cap->bytes, &cap->len);
  int c;
  while ((c = fgetc(f)) != EOF)
    fputc(c, m);
  fclose(m);
  fclose(f);
  unlink(cap->path);
}

static void capture_free(struct capture *cap) {
  free(cap->bytes);
  fin_trace_free(&cap->trace);
}

static void test_same_seed_gives_identical_pcap_bytes(void **state) {
  (void)state;
  struct capture a, b;
  capture_run(7, &a);
  capture_run(7, &b);
  assert_true(a.len > 24 + 16 * 40); /* header + at least 40 datagrams */
  /* LINKTYPE_RAW (101): the first datagram starts with its version. */
  assert_int_equal((uint8_t)a.bytes[20], 101);
  assert_int_equal((uint8_t)a.bytes[24 + 16] >> 4, sim_ipv6 ? 6 : 4);
  assert_int_equal(a.len, b.len);
  assert_memory_equal(a.bytes, b.bytes, a.len);
  char *ta = trace_text(&a.trace), *tb = trace_text(&b.trace);
  assert_string_equal(ta, tb);
  free(ta);
  free(tb);
  capture_free(&a);
  capture_free(&b);
}

static void test_other_seed_gives_other_run(void **state) {
  (void)state;
  struct capture a, b;
  capture_run(7, &a);
  capture_run(8, &b);
  assert_true(a.len != b.len || memcmp(a.bytes, b.bytes, a.len) != 0);
  capture_free(&a);
  capture_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_same_seed_gives_identical_pcap_bytes),
      cmocka_unit_test(test_other_seed_gives_other_run),
  };
  return SIM_RUN_BOTH(tests);
}
