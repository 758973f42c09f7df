/* SPDX-License-Identifier: MIT */
/* `fin sim --states`: the RFC 9293 state machine with each host's path, as
 * SVG and as Mermaid, from real scenario runs (virtual time). The SVG must
 * be well-formed XML; the numbered path must be the run's state changes in
 * order: FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT on the active closer and
 * CLOSE-WAIT, LAST-ACK on the passive one (RFC 9293 §3.6, Figure 12), and
 * CLOSING on both sides of a simultaneous close (Figure 13). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/sim_scenarios.h"
#include "fin_test.h"
#include "viz/states.h"

/* ---- a small XML well-formedness check (no DTD, no CDATA needed) ---- */

static bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == ':' || c == '_' || c == '.';
}

/* An entity reference at s ("&lt;", "&#38;"): its length, 0 if malformed. */
static size_t entity(const char *s) {
  static const char *const names[] = {"&lt;", "&gt;", "&amp;", "&quot;", "&apos;"};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strncmp(s, names[i], strlen(names[i])) == 0)
      return strlen(names[i]);
  if (s[1] == '#') {
    size_t n = 2;
    while (s[n] >= '0' && s[n] <= '9')
      n++;
    return n > 2 && s[n] == ';' ? n + 1 : 0;
  }
  return 0;
}

/* Attributes up to '>' or "/>": name="value" pairs, values without '<' and
 * with well-formed entities. Returns the position after the tag, NULL if bad. */
static const char *attributes(const char *p, bool *empty) {
  for (;;) {
    while (*p == ' ' || *p == '\n' || *p == '\t')
      p++;
    if (p[0] == '/' && p[1] == '>') {
      *empty = true;
      return p + 2;
    }
    if (*p == '>') {
      *empty = false;
      return p + 1;
    }
    if (!name_char(*p))
      return NULL;
    while (name_char(*p))
      p++;
    if (*p++ != '=' || (*p != '"' && *p != '\''))
      return NULL;
    char q = *p++;
    while (*p != q) {
      if (*p == '\0' || *p == '<')
        return NULL;
      if (*p == '&') {
        size_t n = entity(p);
        if (n == 0)
          return NULL;
        p += n;
      } else {
        p++;
      }
    }
    p++;
  }
}

/* Well-formed: one root element, every tag closed in order, text with
 * entities only. Returns NULL or what is wrong. */
static const char *xml_check(const char *doc) {
  const char *stack[64];
  size_t len[64], depth = 0, roots = 0;
  const char *p = doc;
  while (*p) {
    if (*p == '&') {
      if (entity(p) == 0)
        return "bad entity in text";
      p += entity(p);
      continue;
    }
    if (*p != '<') {
      p++;
      continue;
    }
    if (strncmp(p, "<!--", 4) == 0 || strncmp(p, "<?", 2) == 0) {
      const char *end = strstr(p, p[1] == '!' ? "-->" : "?>");
      if (end == NULL)
        return "unterminated comment";
      p = end + 2;
      continue;
    }
    bool closing = p[1] == '/';
    const char *name = p + (closing ? 2 : 1);
    size_t n = 0;
    while (name_char(name[n]))
      n++;
    if (n == 0)
      return "bad tag name";
    if (closing) {
      if (depth == 0 || len[depth - 1] != n || strncmp(stack[depth - 1], name, n) != 0)
        return "closing tag does not match";
      depth--;
      if (name[n] != '>')
        return "bad closing tag";
      p = name + n + 1;
      continue;
    }
    bool empty;
    const char *next = attributes(name + n, &empty);
    if (next == NULL)
      return "bad attributes";
    if (depth == 0 && ++roots > 1)
      return "more than one root element";
    if (!empty) {
      if (depth == 64)
        return "too deep";
      stack[depth] = name;
      len[depth++] = n;
    }
    p = next;
  }
  return depth == 0 && roots == 1 ? NULL : "unclosed element";
}

static void test_xml_check_rejects_broken_documents(void **state) {
  (void)state;
  assert_null(xml_check("<svg a=\"1\"><g><text>x &amp; y</text></g><rect/></svg>\n"));
  assert_non_null(xml_check("<svg><g></svg></g>"));
  assert_non_null(xml_check("<svg><text>a < b</text></svg>"));
  assert_non_null(xml_check("<svg><text>a & b</text></svg>"));
  assert_non_null(xml_check("<svg x=1></svg>"));
  assert_non_null(xml_check("<svg></svg><svg></svg>"));
  assert_non_null(xml_check("<svg>"));
}

/* ---- runs ---- */

static void run(const char *scenario, struct fin_trace *tr) {
  const struct fin_scenario *sc = fin_scenario_find(scenario);
  assert_non_null(sc);
  struct fin_scenario_opts o;
  fin_scenario_opts_default(&o);
  fin_trace_init(tr);
  o.trace = tr;
  struct fin_scn_result res;
  assert_int_equal(fin_scenario_run(sc, &o, &res), 0);
  if (!res.ok)
    fail_msg("%s: %s", scenario, res.why);
}

static char *render(int (*fn)(FILE *, const struct fin_trace *, const struct fin_viz_opts *),
                    const struct fin_trace *tr, const char *title) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_non_null(f);
  struct fin_viz_opts o = {.title = title};
  assert_int_equal(fn(f, tr, &o), 0);
  assert_int_equal(fclose(f), 0);
  return buf;
}

/* The path of one host as the SVG lists it: "FROM>TO FROM>TO ...", after
 * checking the steps are numbered 1, 2, 3... in document order and each
 * starts where the one before ended. */
static void svg_path(const char *svg, const char *host, char *out, size_t cap) {
  char key[48];
  snprintf(key, sizeof key, "class=\"panel\" data-host=\"%s\"", host);
  const char *p = strstr(svg, key);
  assert_non_null(p);
  const char *end = strstr(p + 1, "class=\"panel\"");
  out[0] = '\0';
  char last_to[16] = "";
  for (int want = 1;; want++) {
    const char *s = strstr(p, "class=\"leg\"");
    if (s == NULL || (end != NULL && s > end))
      break;
    int step = 0;
    char from[16], to[16];
    const char *d = strstr(s, "data-step=");
    assert_non_null(d);
    assert_int_equal(sscanf(d,
                            "data-step=\"%d\" data-from=\"%15[A-Z0-9-]\" data-to=\"%15[A-Z0-9-]\"",
                            &step, from, to),
                     3);
    assert_int_equal(step, want);
    if (last_to[0] != '\0')
      assert_string_equal(from, last_to);
    snprintf(last_to, sizeof last_to, "%s", to);
    snprintf(out + strlen(out), cap - strlen(out), "%s%s>%s", out[0] ? " " : "", from, to);
    p = d + 1;
  }
}

/* Every step number appears once on the figure, on the edge it names. */
static void svg_numbers_cover_steps(const char *svg, const char *host, size_t steps) {
  char key[48];
  snprintf(key, sizeof key, "class=\"panel\" data-host=\"%s\"", host);
  const char *p = strstr(svg, key);
  const char *end = strstr(p + 1, "class=\"panel\"");
  int seen[FIN_STATES_MAX_STEPS + 1] = {0};
  for (const char *s = strstr(p, "data-steps=\""); s != NULL && (end == NULL || s < end);
       s = strstr(s + 1, "data-steps=\"")) {
    const char *q = s + strlen("data-steps=\"");
    while (*q != '"') {
      int n = atoi(q);
      assert_true(n >= 1 && (size_t)n <= steps);
      seen[n]++;
      while (*q >= '0' && *q <= '9')
        q++;
      if (*q == ',')
        q++;
    }
  }
  for (size_t i = 1; i <= steps; i++)
    assert_int_equal(seen[i], 1);
}

static size_t count_steps(const char *path) {
  size_t n = path[0] ? 1 : 0;
  for (const char *c = path; *c; c++)
    n += *c == ' ';
  return n;
}

static void test_svg_normal_close_paths(void **state) {
  (void)state;
  struct fin_trace tr;
  run("graceful-active", &tr);
  char *svg = render(fin_states_svg_render, &tr, "graceful-active");
  const char *err = xml_check(svg);
  if (err != NULL)
    fail_msg("not well-formed: %s", err);
  assert_true(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
  assert_null(strstr(svg, "<script"));
  assert_null(strstr(svg, "@import"));
  assert_null(strstr(svg, "href=\"http"));
  char a[512], b[512];
  svg_path(svg, "a", a, sizeof a);
  svg_path(svg, "b", b, sizeof b);
  assert_string_equal(a, "CLOSED>SYN-SENT SYN-SENT>ESTABLISHED ESTABLISHED>FIN-WAIT-1 "
                         "FIN-WAIT-1>FIN-WAIT-2 FIN-WAIT-2>TIME-WAIT TIME-WAIT>CLOSED");
  assert_string_equal(b, "LISTEN>SYN-RECEIVED SYN-RECEIVED>ESTABLISHED ESTABLISHED>CLOSE-WAIT "
                         "CLOSE-WAIT>LAST-ACK LAST-ACK>CLOSED");
  svg_numbers_cover_steps(svg, "a", count_steps(a));
  svg_numbers_cover_steps(svg, "b", count_steps(b));
  /* All eleven states are drawn in each diagram, the path's highlighted. */
  for (int s = 0; s < FIN_STATE_COUNT; s++) {
    char key[64];
    snprintf(key, sizeof key, "data-state=\"%s\"", fin_state_name((enum fin_state)s));
    assert_non_null(strstr(svg, key));
  }
  assert_non_null(strstr(svg, "class=\"node visited\" data-state=\"CLOSE-WAIT\""));
  assert_non_null(strstr(svg, "class=\"node\" data-state=\"CLOSING\""));
  free(svg);
  fin_trace_free(&tr);
}

static void test_svg_simultaneous_close_passes_closing(void **state) {
  (void)state;
  struct fin_trace tr;
  run("simultaneous", &tr);
  char *svg = render(fin_states_svg_render, &tr, "simultaneous");
  assert_null(xml_check(svg));
  char a[512], b[512];
  svg_path(svg, "a", a, sizeof a);
  svg_path(svg, "b", b, sizeof b);
  assert_non_null(strstr(a, "FIN-WAIT-1>CLOSING CLOSING>TIME-WAIT TIME-WAIT>CLOSED"));
  assert_non_null(strstr(b, "FIN-WAIT-1>CLOSING CLOSING>TIME-WAIT TIME-WAIT>CLOSED"));
  assert_null(strstr(a, "FIN-WAIT-2"));
  svg_numbers_cover_steps(svg, "a", count_steps(a));
  free(svg);
  fin_trace_free(&tr);
}

/* Mermaid: the numbers are in the transition labels, "(4) rcv FIN / snd ACK". */
static void mermaid_path(const char *mmd, const char *host, char *out, size_t cap) {
  char from[FIN_STATES_MAX_STEPS + 1][16], to[FIN_STATES_MAX_STEPS + 1][16];
  int max = 0;
  char prefix[16];
  snprintf(prefix, sizeof prefix, "    %s_", host);
  for (const char *l = mmd; l != NULL && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
    if (strncmp(l, prefix, strlen(prefix)) != 0)
      continue;
    char f[16], t[16], nums[32];
    char fmt[64];
    snprintf(fmt, sizeof fmt, "    %s_%%15[A-Z0-9_] --> %s_%%15[A-Z0-9_]: (%%31[0-9,])", host,
             host);
    if (sscanf(l, fmt, f, t, nums) != 3)
      continue;
    for (char *n = strtok(nums, ","); n != NULL; n = strtok(NULL, ",")) {
      int k = atoi(n);
      assert_true(k >= 1 && k <= FIN_STATES_MAX_STEPS);
      snprintf(from[k], sizeof from[k], "%s", f);
      snprintf(to[k], sizeof to[k], "%s", t);
      if (k > max)
        max = k;
    }
  }
  out[0] = '\0';
  for (int k = 1; k <= max; k++) {
    if (k > 1)
      assert_string_equal(from[k], to[k - 1]);
    snprintf(out + strlen(out), cap - strlen(out), "%s%s>%s", k > 1 ? " " : "", from[k], to[k]);
  }
}

static void test_mermaid_paths_numbered_in_order(void **state) {
  (void)state;
  struct fin_trace tr;
  run("graceful-active", &tr);
  char *mmd = render(fin_states_mermaid_render, &tr, "graceful-active");
  assert_non_null(strstr(mmd, "\nstateDiagram-v2\n"));
  char a[512], b[512];
  mermaid_path(mmd, "a", a, sizeof a);
  mermaid_path(mmd, "b", b, sizeof b);
  assert_string_equal(a, "CLOSED>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT_1 "
                         "FIN_WAIT_1>FIN_WAIT_2 FIN_WAIT_2>TIME_WAIT TIME_WAIT>CLOSED_END");
  assert_string_equal(b, "LISTEN>SYN_RECEIVED SYN_RECEIVED>ESTABLISHED ESTABLISHED>CLOSE_WAIT "
                         "CLOSE_WAIT>LAST_ACK LAST_ACK>CLOSED_END");
  assert_non_null(strstr(mmd, "a_FIN_WAIT_1 --> a_CLOSING: rcv FIN / snd ACK\n"));
  assert_non_null(strstr(mmd, "class a_CLOSED,a_SYN_SENT,a_ESTABLISHED,a_FIN_WAIT_1,"
                              "a_FIN_WAIT_2,a_TIME_WAIT,a_CLOSED_END visited\n"));
  free(mmd);
  fin_trace_free(&tr);

  run("simultaneous", &tr);
  mmd = render(fin_states_mermaid_render, &tr, NULL);
  assert_true(strncmp(mmd, "stateDiagram-v2\n", 16) == 0);
  mermaid_path(mmd, "a", a, sizeof a);
  mermaid_path(mmd, "b", b, sizeof b);
  assert_non_null(strstr(a, "FIN_WAIT_1>CLOSING CLOSING>TIME_WAIT"));
  assert_non_null(strstr(b, "FIN_WAIT_1>CLOSING CLOSING>TIME_WAIT"));
  free(mmd);
  fin_trace_free(&tr);
}

/* ---- path extraction on synthetic traces ---- */

static void add_state(struct fin_trace *tr, unsigned host, uint64_t conn, enum fin_state from,
                      enum fin_state to) {
  struct fin_trace_rec r = {.t = (fin_time)tr->len, .kind = FIN_TR_STATE, .host = (uint8_t)host};
  r.conn = conn;
  r.from = from;
  r.to = to;
  assert_int_equal(fin_trace_add(tr, &r), 0);
}

/* Other connections interleaved (a bulk run) do not cut the first one's
 * path short; a restart that reuses the number (a crashed host) does. */
static void test_paths_follow_the_first_connection(void **state) {
  (void)state;
  struct fin_trace tr;
  fin_trace_init(&tr);
  struct fin_addr a = fin_addr_v4(0x0a000001), b = fin_addr_v4(0x0a000002);
  fin_trace_set_host(&tr, 0, &a);
  fin_trace_set_host(&tr, 1, &b);
  add_state(&tr, 0, 1, FIN_CLOSED, FIN_SYN_SENT);
  add_state(&tr, 0, 2, FIN_CLOSED, FIN_SYN_SENT);
  add_state(&tr, 0, 1, FIN_SYN_SENT, FIN_ESTABLISHED);
  add_state(&tr, 0, 2, FIN_SYN_SENT, FIN_ESTABLISHED);
  add_state(&tr, 0, 1, FIN_ESTABLISHED, FIN_CLOSED);
  add_state(&tr, 1, 7, FIN_LISTEN, FIN_SYN_RECEIVED);
  add_state(&tr, 1, 7, FIN_SYN_RECEIVED, FIN_ESTABLISHED);
  add_state(&tr, 1, 7, FIN_CLOSED, FIN_SYN_SENT); /* restarted: a new connection 7 */
  add_state(&tr, 1, 7, FIN_SYN_SENT, FIN_ESTABLISHED);
  struct fin_states_path p[FIN_TRACE_MAX_HOSTS];
  assert_int_equal(fin_states_paths(&tr, p, FIN_TRACE_MAX_HOSTS), 2);
  assert_int_equal(p[0].count, 3);
  assert_int_equal(p[0].conns, 2);
  assert_int_equal(p[0].steps[2].to, FIN_CLOSED);
  assert_string_equal(fin_states_role(&p[0]), "active open");
  assert_int_equal(p[1].count, 2);
  assert_int_equal(p[1].conns, 2);
  assert_int_equal(p[1].steps[1].to, FIN_ESTABLISHED);
  assert_string_equal(fin_states_role(&p[1]), "passive open");
  /* An abrupt end is drawn on an extra (dashed) edge into the bottom CLOSED. */
  struct fin_fig_marks m;
  fin_fig_mark(&p[0], &m);
  assert_true(m.step_edge[2] >= 0);
  assert_true(m.edges[m.step_edge[2]].extra);
  assert_int_equal(m.edges[m.step_edge[2]].to, FIN_FIG_CLOSED_END);
  assert_string_equal(m.nums[m.step_edge[2]], "3");
  assert_true(m.visited[FIN_FIG_CLOSED_END]);
  assert_false(m.visited[FIN_TIME_WAIT]);
  fin_trace_free(&tr);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_xml_check_rejects_broken_documents),
      cmocka_unit_test(test_svg_normal_close_paths),
      cmocka_unit_test(test_svg_simultaneous_close_passes_closing),
      cmocka_unit_test(test_mermaid_paths_numbered_in_order),
      cmocka_unit_test(test_paths_follow_the_first_connection),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
