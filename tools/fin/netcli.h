/* SPDX-License-Identifier: MIT */
/* What `fin serve` and `fin connect` share: the TUN options, building the
 * runtime (TUN, fault wrapper, pcap, pcapng, events, control socket),
 * signals, the per-connection log, and the orderly finish. */
#ifndef FIN_TOOLS_NETCLI_H
#define FIN_TOOLS_NETCLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "conn_log.h"
#include "drivers/fault.h"
#include "drivers/pcap.h"
#include "drivers/tun.h"
#include "fin/fin.h"
#include "fin/runtime.h"
#include "viz/viz.h"

struct control;
struct fin_pcapng;
struct netcli_tap;

struct netcli {
  /* options */
  const char *cmd;
  const char *tun_name;
  /* --addr, at most one per family: fin's own addresses on the TUN subnets */
  struct fin_addr addr[2];
  int prefix[2];
  unsigned naddr;
  const char *events_path, *pcap_path, *pcapng_path, *counters_path, *control_path;
  double msl, grace, drop, delay_ms, duration;
  int ecn; /* --ecn: enum fin_ecn, -1 = the settings' */
  uint64_t seed;
  bool have_msl, no_control;
  bool offload; /* --offload: TUN segmentation offload (IFF_VNET_HDR, TSO/GRO) */
  /* running parts */
  struct fin_tun *tun;
  struct fin_fault *fault;
  struct fin_runtime *rt;
  struct fin_stack *st;
  struct fin_pcap *pcap;
  struct fin_pcapng *pcapng; /* until the tap takes it over */
  struct netcli_tap *tap;    /* --pcapng and packet events (netcli_tap.c) */
  struct control *control;
  FILE *events, *counters;
  fin_time t0;
  int sigfd;
  int stop_signal;  /* the first SIGINT/SIGTERM: stop in order (K2) */
  int force_signal; /* a second one: exit now, without the orderly shutdown */
  fin_time stop_at; /* when the first one came */
  bool stop;
  struct conn_log log;
  struct fin_trace names; /* host names of the events schema: "fin", "tun" */
  struct fin_rel rel;     /* relative sequence numbers of packet events */
  /* The server's listener, for `fin ss` (FIN_NONE-like -1 when none). */
  fin_sock listener;
};

/* The shared options, spliced into each command's getopt_long table. */
enum {
  NETCLI_OPT_TUN = 1000,
  NETCLI_OPT_ADDR,
  NETCLI_OPT_EVENTS,
  NETCLI_OPT_PCAP,
  NETCLI_OPT_PCAPNG,
  NETCLI_OPT_COUNTERS,
  NETCLI_OPT_CONTROL,
  NETCLI_OPT_NO_CONTROL,
  NETCLI_OPT_MSL,
  NETCLI_OPT_GRACE,
  NETCLI_OPT_DROP,
  NETCLI_OPT_DELAY,
  NETCLI_OPT_SEED,
  NETCLI_OPT_DURATION,
  NETCLI_OPT_ECN,
  NETCLI_OPT_OFFLOAD,
  NETCLI_OPT_NO_OFFLOAD,
};
#define NETCLI_LONG_OPTIONS                                                                        \
  {"tun", required_argument, NULL, NETCLI_OPT_TUN},                                                \
      {"addr", required_argument, NULL, NETCLI_OPT_ADDR},                                          \
      {"events", required_argument, NULL, NETCLI_OPT_EVENTS},                                      \
      {"pcap", required_argument, NULL, NETCLI_OPT_PCAP},                                          \
      {"pcapng", required_argument, NULL, NETCLI_OPT_PCAPNG},                                      \
      {"counters", required_argument, NULL, NETCLI_OPT_COUNTERS},                                  \
      {"control", required_argument, NULL, NETCLI_OPT_CONTROL},                                    \
      {"no-control", no_argument, NULL, NETCLI_OPT_NO_CONTROL},                                    \
      {"msl", required_argument, NULL, NETCLI_OPT_MSL},                                            \
      {"grace", required_argument, NULL, NETCLI_OPT_GRACE},                                        \
      {"drop", required_argument, NULL, NETCLI_OPT_DROP},                                          \
      {"delay", required_argument, NULL, NETCLI_OPT_DELAY},                                        \
      {"seed", required_argument, NULL, NETCLI_OPT_SEED},                                          \
      {"duration", required_argument, NULL, NETCLI_OPT_DURATION},                                  \
      {"ecn", required_argument, NULL, NETCLI_OPT_ECN},                                            \
      {"offload", no_argument, NULL, NETCLI_OPT_OFFLOAD}, {                                        \
    "no-offload", no_argument, NULL, NETCLI_OPT_NO_OFFLOAD                                         \
  }

void netcli_init(struct netcli *c, const char *cmd);
/* Handles one shared option (opt from cli_next). 1 = handled, 0 = not a
 * shared option, -1 = bad value (message printed, exit 2). */
int netcli_option(struct netcli *c, int opt, const char *arg);
/* Help text for the shared options. */
void netcli_usage_common(FILE *out);

/* Opens the output files (exit 2 when one cannot be created), the TUN
 * device, signalfd, control socket and the runtime with these settings.
 * Prints the reason and returns 0, 1 (runtime failure) or 2 (usage). */
int netcli_start(struct netcli *c, struct fin_settings *s);
/* A watched fd is ready: signals (sets stop on SIGINT/SIGTERM, lists
 * connections on SIGUSR1) and control-socket requests. */
void netcli_service(struct netcli *c);
/* K2 shutdown (grace; 0 = at once), then the summary and --counters; frees
 * everything. Returns 0, or 128+signal after a forced exit. */
int netcli_finish(struct netcli *c, fin_time grace);
/* The grace of an orderly stop: --grace, else the stack's setting. */
fin_time netcli_grace(const struct netcli *c);
void netcli_free(struct netcli *c);
/* Seconds since start, for messages. */
double netcli_elapsed(const struct netcli *c);
/* Every event of the stack, whoever drained it (the runtime or the tap):
 * the log, --events and the tap's packet comments (netcli_events.c). */
void netcli_on_event(void *ctx, const struct fin_event *ev);
/* A datagram in or out, for --events (refused: the device did not take it). */
void netcli_packet_event(struct netcli *c, const uint8_t *d, size_t len, fin_time now,
                         bool outbound, bool refused);
/* Counters in nstat's layout ("#fin", then name, value, rate per second). */
void netcli_counters_text(const struct netcli *c, FILE *out, bool zeros, int npat,
                          char *const *pat);
void netcli_counters_json(const struct netcli *c, FILE *out, bool zeros, int npat,
                          char *const *pat);

#endif
