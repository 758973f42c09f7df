/* SPDX-License-Identifier: MIT */
/* fin sim — runs one scenario on the simulated network and shows it: the
 * ladder diagram (or Mermaid), an SVG, the state machine with each host's
 * path, a pcap, NDJSON events, and a summary of how every connection ended. Exit 0 when the
 * scenario's assertions hold, 1 when they do not, 2 on bad usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "drivers/sim_random.h"
#include "drivers/sim_scenarios.h"
#include "viz/states.h"
#include "viz/viz.h"

struct sim_cli {
  const char *scenario;
  struct fin_scenario_opts o;
  struct fin_viz_opts viz;
  const char *pcap, *pcapng, *events, *svg, *states;
  enum { STATES_AUTO, STATES_SVG, STATES_MERMAID } states_format;
  bool mermaid, quiet, list, help;
  unsigned long repeat;
  bool random; /* --random SEED: a generated history, not a scenario */
  uint64_t rseed;
  enum fin_dst_break brk;
};

enum opt_kind {
  OPT_FLAG,
  OPT_PROB,
  OPT_MS,
  OPT_SEC,
  OPT_BPS,
  OPT_U64,
  OPT_FILE,
  OPT_FORMAT,
  OPT_STATES_FORMAT,
  OPT_RANDOM,
  OPT_BREAK
};

struct opt {
  const char *name;
  enum opt_kind kind;
  size_t off; /* into struct sim_cli */
  const char *help;
};

#define OFF(f) offsetof(struct sim_cli, f)

static const struct opt opts[] = {
    {"--loss", OPT_PROB, OFF(o.link.loss), "P   drop each datagram with probability P (0..1)"},
    {"--dup", OPT_PROB, OFF(o.link.dup), "P    duplicate with probability P"},
    {"--reorder", OPT_PROB, OFF(o.link.reorder), "P  hold back with probability P"},
    {"--corrupt", OPT_PROB, OFF(o.link.corrupt), "P  flip one bit with probability P"},
    {"--delay", OPT_MS, OFF(o.link.delay), "MS   one-way delay (default 10)"},
    {"--jitter", OPT_MS, OFF(o.link.jitter), "MS  extra random delay up to MS"},
    {"--rate", OPT_BPS, OFF(o.link.rate_bps), "BPS   link rate in bit/s (k, M, G suffixes)"},
    {"--queue", OPT_U64, OFF(o.link.queue_limit), "N    queue limit in datagrams (with --rate)"},
    {"--seed", OPT_U64, OFF(o.seed), "N     seed of every random choice (default 1)"},
    {"--msl", OPT_SEC, OFF(o.msl), "S      maximum segment lifetime; TIME-WAIT is 2*MSL"},
    {"--time-wait", OPT_SEC, OFF(o.msl), "S TIME-WAIT duration (sets MSL to S/2)"},
    {"--fin-timeout", OPT_SEC, OFF(o.fin_timeout), "S orphaned FIN-WAIT-2 lifetime (F1)"},
    {"--bytes", OPT_U64, OFF(o.bytes), "N    bytes each way for data-then-close"},
    {"--repeat", OPT_U64, OFF(repeat), "N   run N times (seeds N, N+1, ...) and time it"},
    {"--pcap", OPT_FILE, OFF(pcap), "FILE  write every datagram sent (LINKTYPE_RAW)"},
    {"--pcapng", OPT_FILE, OFF(pcapng),
     "FILE  the same as pcapng, each packet commented with the "
     "state changes it caused"},
    {"--events", OPT_FILE, OFF(events), "FILE write NDJSON events (docs/events.md)"},
    {"--svg", OPT_FILE, OFF(svg), "FILE   write the ladder as SVG"},
    {"--format", OPT_FORMAT, OFF(mermaid), "F   ladder format: ascii (default) or mermaid"},
    {"--states", OPT_FILE, OFF(states),
     "FILE  write the RFC 9293 state machine, each host's path numbered"},
    {"--states-format", OPT_STATES_FORMAT, OFF(states_format),
     "F svg or mermaid (default: mermaid for .mmd, else svg)"},
    {"--absolute", OPT_FLAG, OFF(viz.absolute), "   absolute sequence numbers"},
    {"--full", OPT_FLAG, OFF(viz.full), "       never fold long runs of data segments"},
    {"--quiet", OPT_FLAG, OFF(quiet), "      no ladder, summary only"},
    {"--rfc1337", OPT_FLAG, OFF(o.rfc1337), "    ignore every RST in TIME-WAIT (E3)"},
    {"--rst-time-wait", OPT_FLAG, OFF(o.rst_time_wait), " keep TIME-WAIT after an abort (A8)"},
    {"--strict", OPT_FLAG, OFF(o.strict), "     malformed in-window segment aborts (A9)"},
    {"--syn-cookies", OPT_FLAG, OFF(o.syn_cookies), "SYN cookies (L1)"},
    {"--insecure-rst", OPT_FLAG, OFF(o.insecure_rst), "RFC 793 RST rule (dangerous; blind-reset)"},
    {"--ipv6", OPT_FLAG, OFF(o.ipv6), "       hosts fd00::1 and fd00::2 instead of 10.0.0.x"},
    {"--random", OPT_RANDOM, OFF(rseed),
     "SEED a random history from SEED instead of a scenario (with --repeat: SEED.."
     "SEED+N-1)"},
    {"--break", OPT_BREAK, OFF(brk),
     "KIND  --random checker self-test: stream, rst, memory or progress"},
    {"--list", OPT_FLAG, OFF(list), "       list the scenarios"},
    {"--help", OPT_FLAG, OFF(help), "       this text"},
};

static void usage(FILE *out) {
  fprintf(out, "usage: fin sim SCENARIO [options]   |   fin sim --random SEED [--repeat N] "
               "[options]   |   fin sim --list\n\noptions:\n");
  for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
    /* help is "METAVAR  text" for options with a value, "  text" for flags. */
    const char *h = opts[i].help;
    int meta = opts[i].kind == OPT_FLAG ? 0 : (int)strcspn(h, " ");
    const char *text = h + meta + strspn(h + meta, " ");
    fprintf(out, "  %s %-*.*s%*s%s\n", opts[i].name, meta, meta, h,
            22 - (int)strlen(opts[i].name) - meta, "", text);
  }
  fprintf(out, "\nExit status: 0 when the scenario's assertions hold, 1 when not, 2 on bad "
               "usage.\n");
}

static int bad_value(const char *opt, const char *val, const char *want) {
  fprintf(stderr, "fin sim: %s: expected %s, got '%s'\n", opt, want, val);
  return -EINVAL;
}

static int parse_double(const char *s, double *out) {
  char *end;
  errno = 0;
  *out = strtod(s, &end);
  return (errno || end == s || *end) ? -EINVAL : 0;
}

static int parse_bps(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  double mul = *end == 'k' ? 1e3 : *end == 'M' ? 1e6 : *end == 'G' ? 1e9 : 1;
  if (mul != 1)
    end++;
  if (errno || end == s || *end || v <= 0 || v * mul > 1e12)
    return -EINVAL;
  *out = (uint64_t)(v * mul);
  return 0;
}

static int parse_u64(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-')
    return -EINVAL;
  *out = v;
  return 0;
}

static int set_time(const struct opt *o, const char *val, fin_time *dst, double unit) {
  double v;
  if (parse_double(val, &v) != 0 || v < 0 || v > 1e7)
    return bad_value(o->name, val, unit < 1e9 ? "milliseconds >= 0" : "seconds >= 0");
  *dst = (fin_time)(v * unit);
  if (strcmp(o->name, "--time-wait") == 0)
    *dst /= 2; /* TIME-WAIT lasts 2*MSL */
  return 0;
}

static int set_value(struct sim_cli *cli, const struct opt *o, const char *val) {
  void *dst = (char *)cli + o->off;
  double p;
  uint64_t u;
  switch (o->kind) {
  case OPT_PROB:
    if (parse_double(val, &p) != 0 || p < 0 || p > 1)
      return bad_value(o->name, val, "a probability between 0 and 1");
    *(double *)dst = p;
    return 0;
  case OPT_MS:
    return set_time(o, val, dst, 1e6);
  case OPT_SEC:
    return set_time(o, val, dst, 1e9);
  case OPT_BPS:
    if (parse_bps(val, dst) != 0)
      return bad_value(o->name, val, "a rate in bit/s such as 10M");
    return 0;
  case OPT_U64:
    if (parse_u64(val, &u) != 0 || (o->off == OFF(o.link.queue_limit) && u > 1000000))
      return bad_value(o->name, val, "a non-negative integer");
    if (o->off == OFF(o.link.queue_limit))
      *(uint32_t *)dst = (uint32_t)u;
    else if (o->off == OFF(repeat))
      *(unsigned long *)dst = (unsigned long)u;
    else
      *(uint64_t *)dst = u;
    return 0;
  case OPT_FILE:
    *(const char **)dst = val;
    return 0;
  case OPT_FORMAT:
    if (strcmp(val, "ascii") != 0 && strcmp(val, "mermaid") != 0)
      return bad_value(o->name, val, "ascii or mermaid");
    *(bool *)dst = strcmp(val, "mermaid") == 0;
    return 0;
  case OPT_STATES_FORMAT:
    if (strcmp(val, "svg") != 0 && strcmp(val, "mermaid") != 0)
      return bad_value(o->name, val, "svg or mermaid");
    cli->states_format = strcmp(val, "svg") == 0 ? STATES_SVG : STATES_MERMAID;
    return 0;
  case OPT_RANDOM:
    if (parse_u64(val, &cli->rseed) != 0)
      return bad_value(o->name, val, "a non-negative integer");
    cli->random = true;
    return 0;
  case OPT_BREAK:
    if (fin_dst_break_parse(val, &cli->brk) != 0)
      return bad_value(o->name, val, "stream, rst, memory or progress");
    return 0;
  case OPT_FLAG:
    break;
  }
  return -EINVAL;
}

/* getopt_long over the table above: each entry's val is 256 + its index. */
static void long_options(struct option *lo) {
  size_t n = sizeof(opts) / sizeof(opts[0]);
  for (size_t i = 0; i < n; i++)
    lo[i] = (struct option){opts[i].name + 2,
                            opts[i].kind == OPT_FLAG ? no_argument : required_argument, NULL,
                            256 + (int)i};
  lo[n] = (struct option){NULL, 0, NULL, 0};
}

/* Accepts "--opt value" and "--opt=value", options before or after the scenario. */
static int parse_args(struct sim_cli *cli, int argc, char **argv) {
  struct option lo[sizeof(opts) / sizeof(opts[0]) + 1];
  long_options(lo);
  cli_begin();
  int c;
  while ((c = cli_next("sim", argc, argv, "h", lo)) != -1) {
    if (c == 'h') {
      cli->help = true;
      continue;
    }
    if (c < 256)
      return -EINVAL;
    const struct opt *o = &opts[c - 256];
    if (o->kind == OPT_FLAG)
      *(bool *)((char *)cli + o->off) = true;
    else if (set_value(cli, o, optarg) != 0)
      return -EINVAL;
  }
  for (int i = optind; i < argc; i++) {
    if (cli->scenario != NULL) {
      fprintf(stderr, "fin sim: unexpected argument '%s' (one scenario at a time)\n", argv[i]);
      return -EINVAL;
    }
    cli->scenario = argv[i];
  }
  return 0;
}

static void list(FILE *out) {
  for (size_t i = 0; i < fin_scenario_count(); i++) {
    const struct fin_scenario *sc = fin_scenario_at(i);
    fprintf(out, "  %-20s %s\n", sc->name, sc->desc);
  }
}

/* ---- the summary ---- */

static const char *app_saw(const struct fin_scn_conn *c, char *buf, size_t cap) {
  if (c->app_err != 0)
    snprintf(buf, cap, "%s", fin_strerror(c->app_err));
  else
    snprintf(buf, cap, "%s", c->app_eof ? "EOF" : "-");
  return buf;
}

static const char *stream_verdict(const struct fin_scn_result *res, const struct fin_scn_conn *c) {
  const struct fin_scn_conn *p = fin_scn_peer(res, c);
  if (!c->order_ok)
    return "CORRUPT";
  if (p == NULL || p->sent == 0)
    return "-";
  if (c->rcvd == p->sent && c->hash_rcvd == p->hash_sent)
    return "match";
  return "partial";
}

static void summary(FILE *out, const struct sim_cli *cli, const struct fin_scn_result *res) {
  const struct fin_sim_link_params *l = &cli->o.link;
  fprintf(out,
          "\n%s  seed %llu  loss %g dup %g reorder %g corrupt %g  delay %g ms jitter %g ms\n"
          "ended at t=%.6f s after %llu steps\n\n",
          cli->scenario, (unsigned long long)cli->o.seed, l->loss, l->dup, l->reorder, l->corrupt,
          (double)l->delay / 1e6, (double)l->jitter / 1e6, (double)res->end / 1e9,
          (unsigned long long)res->steps);
  fprintf(out, "%-4s %-8s %-12s %-19s %-12s %-11s %8s %8s  %s\n", "host", "role", "final",
          "close reason", "close errno", "app saw", "sent", "received", "stream");
  for (size_t i = 0; i < res->count; i++) {
    const struct fin_scn_conn *c = &res->conns[i];
    char saw[24];
    fprintf(out, "%-4c %-8s %-12s %-19s %-12s %-11s %8llu %8llu  %s\n", 'a' + c->host,
            c->role[0] ? c->role : "?", c->crashed ? "(crashed)" : fin_state_name(c->state),
            fin_close_reason_name(c->reason), fin_strerror(c->close_err),
            app_saw(c, saw, sizeof saw), (unsigned long long)c->sent, (unsigned long long)c->rcvd,
            stream_verdict(res, c));
  }
  fprintf(out, "\n%s%s%s\n", res->ok ? "PASS" : "FAIL: ", res->ok ? "" : res->why,
          res->leaked ? " (leak)" : "");
}

/* ---- outputs ---- */

static int write_file(const char *path, const struct fin_trace *tr, const struct fin_viz_opts *v,
                      int (*render)(FILE *, const struct fin_trace *,
                                    const struct fin_viz_opts *)) {
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    fprintf(stderr, "fin sim: %s: %s\n", path, strerror(errno));
    return -errno;
  }
  int rc = render(f, tr, v);
  if (fclose(f) != 0 && rc == 0)
    rc = -EIO;
  return rc;
}

/* --states: Mermaid when asked, or for a .mmd / .mermaid file; else SVG. */
static bool states_mermaid(const struct sim_cli *cli) {
  if (cli->states_format != STATES_AUTO)
    return cli->states_format == STATES_MERMAID;
  const char *dot = strrchr(cli->states, '.');
  return dot != NULL && (strcmp(dot, ".mmd") == 0 || strcmp(dot, ".mermaid") == 0);
}

static int outputs(const struct sim_cli *cli, const struct fin_trace *tr) {
  int rc = 0;
  if (!cli->quiet)
    rc = (cli->mermaid ? fin_mermaid_render : fin_ladder_render)(stdout, tr, &cli->viz);
  if (rc == 0 && cli->svg != NULL)
    rc = write_file(cli->svg, tr, &cli->viz, fin_svg_render);
  if (rc == 0 && cli->states != NULL)
    rc = write_file(cli->states, tr, &cli->viz,
                    states_mermaid(cli) ? fin_states_mermaid_render : fin_states_svg_render);
  if (rc == 0 && cli->events != NULL)
    rc = write_file(cli->events, tr, &cli->viz, fin_ndjson_render);
  if (rc == 0 && cli->pcapng != NULL)
    rc = write_file(cli->pcapng, tr, &cli->viz, fin_pcapng_render);
  return rc;
}

static int run_once(struct sim_cli *cli, const struct fin_scenario *sc) {
  struct fin_trace tr;
  char err[256];
  fin_trace_init(&tr);
  tr.keep_packets = cli->pcapng != NULL;
  cli->o.trace = &tr;
  cli->o.pcap = NULL;
  cli->viz.title = sc->name;
  if (cli->pcap != NULL && (cli->o.pcap = fin_pcap_open(cli->pcap, err, sizeof err)) == NULL) {
    fprintf(stderr, "fin sim: --pcap: %s\n", err);
    return 2;
  }
  struct fin_scn_result res;
  int rc = fin_scenario_run(sc, &cli->o, &res);
  fin_pcap_close(cli->o.pcap);
  if (rc != 0) {
    fprintf(stderr, "fin sim: %s: could not start: %s\n", sc->name, strerror(-rc));
    fin_trace_free(&tr);
    return 1;
  }
  rc = outputs(cli, &tr);
  fin_trace_free(&tr);
  summary(stdout, cli, &res);
  if (cli->pcap != NULL)
    printf("pcap: %s\n", cli->pcap);
  return rc == 0 && res.ok ? 0 : 1;
}

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --repeat: nothing recorded, only outcomes; reports lifecycles per second. */
static int run_repeat(struct sim_cli *cli, const struct fin_scenario *sc) {
  unsigned long fails = 0;
  uint64_t seed0 = cli->o.seed;
  double t0 = seconds();
  for (unsigned long i = 0; i < cli->repeat; i++) {
    struct fin_scn_result res;
    cli->o.seed = seed0 + i;
    if (fin_scenario_run(sc, &cli->o, &res) != 0 || !res.ok) {
      if (fails++ == 0)
        fprintf(stderr, "fin sim: seed %llu: %s\n", (unsigned long long)cli->o.seed, res.why);
    }
  }
  double dt = seconds() - t0;
  printf("%s: %lu runs (seeds %llu..%llu), %lu failed, %.3f s: %.0f lifecycles/s\n", sc->name,
         cli->repeat, (unsigned long long)seed0, (unsigned long long)(seed0 + cli->repeat - 1),
         fails, dt, dt > 0 ? (double)cli->repeat / dt : 0.0);
  return fails == 0 ? 0 : 1;
}

/* Output files are created before the run, so a bad path is a usage error
 * (exit 2) that costs no simulation. */
static int check_outputs(const struct sim_cli *cli) {
  const struct {
    const char *opt, *path;
  } outs[] = {{"--pcap", cli->pcap},
              {"--pcapng", cli->pcapng},
              {"--svg", cli->svg},
              {"--states", cli->states},
              {"--events", cli->events}};
  for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
    if (outs[i].path == NULL)
      continue;
    FILE *f = cli_open("sim", outs[i].opt, outs[i].path, "w");
    if (f == NULL)
      return -ENOENT;
    fclose(f);
  }
  return 0;
}

/* ---- --random: deterministic simulation testing ---- */

static void replay_command(FILE *out, const struct sim_cli *cli, uint64_t seed) {
  char brk[24] = "";
  static const char *const names[] = {"", "stream", "rst", "memory", "progress"};
  if (cli->brk != FIN_DST_BREAK_NONE)
    snprintf(brk, sizeof brk, " --break %s", names[cli->brk]);
  fprintf(out,
          "replay: fin sim --random %llu%s%s --pcap fin-dst-%llu.pcap --events "
          "fin-dst-%llu.ndjson > fin-dst-%llu.ladder\n",
          (unsigned long long)seed, cli->o.ipv6 ? " --ipv6" : "", brk, (unsigned long long)seed,
          (unsigned long long)seed, (unsigned long long)seed);
}

static void random_summary(FILE *out, const struct sim_cli *cli, const struct fin_dst_result *r) {
  fprintf(out,
          "\nrandom seed %llu: %s\nended at t=%.6f s after %llu steps, %u connections, "
          "peak %zu bytes on one host\nendings:",
          (unsigned long long)cli->rseed, r->desc, (double)r->end / 1e9,
          (unsigned long long)r->steps, r->conns, r->mem_peak);
  for (int i = 0; i < FIN_REASON_COUNT; i++)
    if (r->endings[i])
      fprintf(out, " %s=%llu", fin_close_reason_name((enum fin_close_reason)i),
              (unsigned long long)r->endings[i]);
  fprintf(out, "\n%s%s\n", r->ok ? "PASS" : "FAIL: ", r->ok ? "" : r->why);
  if (!r->ok)
    replay_command(out, cli, cli->rseed);
}

static int random_once(struct sim_cli *cli) {
  struct fin_trace tr;
  char err[256];
  fin_trace_init(&tr);
  tr.keep_packets = cli->pcapng != NULL;
  struct fin_dst_opts o = {.seed = cli->rseed, .ipv6 = cli->o.ipv6, .brk = cli->brk, .trace = &tr};
  char title[40];
  snprintf(title, sizeof title, "random %llu", (unsigned long long)cli->rseed);
  cli->viz.title = title;
  if (cli->pcap != NULL && (o.pcap = fin_pcap_open(cli->pcap, err, sizeof err)) == NULL) {
    fprintf(stderr, "fin sim: --pcap: %s\n", err);
    fin_trace_free(&tr);
    return 2;
  }
  struct fin_dst_result res;
  int rc = fin_dst_run(&o, &res);
  fin_pcap_close(o.pcap);
  if (rc != 0) {
    fprintf(stderr, "fin sim: random %llu: could not start: %s\n", (unsigned long long)cli->rseed,
            strerror(-rc));
    fin_trace_free(&tr);
    return 1;
  }
  rc = outputs(cli, &tr);
  fin_trace_free(&tr);
  random_summary(stdout, cli, &res);
  return rc == 0 && res.ok ? 0 : 1;
}

static void add_counts(uint64_t *to, const uint64_t *from, size_t n) {
  for (size_t i = 0; i < n; i++)
    to[i] += from[i];
}

/* A failing seed's files, from a second (identical) run that records. */
static void write_failure(struct sim_cli *cli, uint64_t seed) {
  char pcap[64], events[64], ladder[64];
  snprintf(pcap, sizeof pcap, "fin-dst-%llu.pcap", (unsigned long long)seed);
  snprintf(events, sizeof events, "fin-dst-%llu.ndjson", (unsigned long long)seed);
  snprintf(ladder, sizeof ladder, "fin-dst-%llu.ladder", (unsigned long long)seed);
  struct fin_trace tr;
  char err[256];
  fin_trace_init(&tr);
  struct fin_dst_opts o = {.seed = seed, .ipv6 = cli->o.ipv6, .brk = cli->brk, .trace = &tr};
  o.pcap = fin_pcap_open(pcap, err, sizeof err);
  struct fin_dst_result res;
  if (fin_dst_run(&o, &res) == 0) {
    FILE *f = fopen(ladder, "w");
    if (f != NULL) {
      fin_ladder_render(f, &tr, &cli->viz);
      fclose(f);
    }
    write_file(events, &tr, &cli->viz, fin_ndjson_render);
  }
  fin_pcap_close(o.pcap);
  fin_trace_free(&tr);
  fprintf(stderr, "fin sim: wrote %s, %s and %s\n", pcap, events, ladder);
}

/* --random SEED --repeat N: seeds SEED..SEED+N-1, nothing recorded; the
 * totals come out as key=value lines (scripts/dst.sh adds them up). */
static int random_repeat(struct sim_cli *cli) {
  unsigned long fails = 0;
  uint64_t seed0 = cli->rseed, steps = 0, v6 = 0, conns = 0, hosts[FIN_SIM_MAX_HOSTS + 1] = {0};
  struct fin_dst_result sum, res;
  memset(&sum, 0, sizeof sum);
  double t0 = seconds();
  for (unsigned long i = 0; i < cli->repeat; i++) {
    struct fin_dst_opts o = {.seed = seed0 + i, .ipv6 = cli->o.ipv6, .brk = cli->brk};
    if (fin_dst_run(&o, &res) != 0) {
      res.ok = false;
      snprintf(res.why, sizeof res.why, "could not start");
    }
    steps += res.steps;
    conns += res.conns;
    v6 += res.ipv6;
    hosts[res.hosts <= FIN_SIM_MAX_HOSTS ? res.hosts : 0]++;
    if (res.mem_peak > sum.mem_peak)
      sum.mem_peak = res.mem_peak;
    add_counts(sum.endings, res.endings, FIN_REASON_COUNT);
    add_counts(sum.faults, res.faults, FIN_DST_FAULT_COUNT);
    add_counts(sum.apps, res.apps, FIN_DST_APP_COUNT);
    add_counts(sum.checks, res.checks, FIN_DST_CHK_COUNT);
    if (!res.ok) {
      fprintf(stderr, "fin sim: random seed %llu: FAIL: %s\n", (unsigned long long)o.seed, res.why);
      replay_command(stderr, cli, o.seed);
      if (fails++ < 3)
        write_failure(cli, o.seed);
    }
  }
  double dt = seconds() - t0;
  printf("dst seeds=%lu first=%llu failed=%lu wall=%.3f seeds_per_hour=%.0f steps=%llu "
         "endpoints=%llu ipv6=%llu hosts2=%llu hosts3=%llu hosts4=%llu peak_bytes=%zu\n",
         cli->repeat, (unsigned long long)seed0, fails, dt,
         dt > 0 ? (double)cli->repeat * 3600.0 / dt : 0.0, (unsigned long long)steps,
         (unsigned long long)conns, (unsigned long long)v6, (unsigned long long)hosts[2],
         (unsigned long long)hosts[3], (unsigned long long)hosts[4], sum.mem_peak);
  printf("dst endings");
  for (int i = 1; i < FIN_REASON_COUNT; i++)
    printf(" %s=%llu", fin_close_reason_name((enum fin_close_reason)i),
           (unsigned long long)sum.endings[i]);
  printf("\ndst faults");
  for (int i = 0; i < FIN_DST_FAULT_COUNT; i++)
    printf(" %s=%llu", fin_dst_fault_name((enum fin_dst_fault)i),
           (unsigned long long)sum.faults[i]);
  printf("\ndst apps");
  for (int i = 0; i < FIN_DST_APP_COUNT; i++)
    printf(" %s=%llu", fin_dst_app_name((enum fin_dst_app)i), (unsigned long long)sum.apps[i]);
  printf("\ndst checks");
  for (int i = 0; i < FIN_DST_CHK_COUNT; i++)
    printf(" %s=%llu", fin_dst_check_name((enum fin_dst_check)i),
           (unsigned long long)sum.checks[i]);
  printf("\n");
  return fails == 0 ? 0 : 1;
}

int fin_cmd_sim(int argc, char **argv) {
  struct sim_cli cli;
  memset(&cli, 0, sizeof cli);
  fin_scenario_opts_default(&cli.o);
  if (parse_args(&cli, argc, argv) != 0)
    return 2;
  if (cli.help) {
    usage(stdout);
    return 0;
  }
  if (cli.list) {
    list(stdout);
    return 0;
  }
  if (cli.random && cli.scenario != NULL) {
    fprintf(stderr, "fin sim: --random takes no scenario\n");
    return 2;
  }
  if (cli.random)
    return cli.repeat > 1 ? random_repeat(&cli)
                          : (check_outputs(&cli) != 0 ? 2 : random_once(&cli));
  if (cli.scenario == NULL) {
    fprintf(stderr, "fin sim: which scenario? (fin sim --list)\n");
    return 2;
  }
  const struct fin_scenario *sc = fin_scenario_find(cli.scenario);
  if (sc == NULL) {
    fprintf(stderr, "fin sim: unknown scenario '%s'; these exist:\n", cli.scenario);
    list(stderr);
    return 2;
  }
  if (cli.repeat > 1)
    return run_repeat(&cli, sc);
  if (check_outputs(&cli) != 0)
    return 2;
  return run_once(&cli, sc);
}
