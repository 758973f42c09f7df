/* What `fin serve` and `fin connect` share: the TUN options, building the
 * runtime (TUN, fault wrapper, pcap, events), signals, and the per-connection
 * log that prints one line as each connection ends. */
#ifndef FIN_TOOLS_NETCLI_H
#define FIN_TOOLS_NETCLI_H

#include <stdbool.h>
#include <stdio.h>

#include "drivers/fault.h"
#include "drivers/pcap.h"
#include "drivers/tun.h"
#include "fin/fin.h"
#include "fin/runtime.h"

/* One connection the log follows, from its first state change to CLOSED
 * and the application letting go of its handle. */
struct conn_entry {
  uint64_t conn_id;
  struct fin_4tuple tuple;
  char path[160];
  enum fin_close_reason reason;
  int err;            /* negative errno the stack reported at CLOSED */
  int app_err;        /* first error a socket call returned to the app */
  uint64_t bytes_in;  /* read by the application */
  uint64_t bytes_out; /* accepted by fin_send */
  char note[80];      /* app detail, e.g. the sink's SHA-256 */
  bool closed, held;
};

struct conn_log {
  struct conn_entry *v; /* unordered; a CLI follows at most thousands, so a scan is fine */
  size_t n, cap;
  uint64_t ended;
  FILE *out;
};

struct netcli {
  /* options */
  const char *cmd;
  const char *tun_name;
  uint32_t addr;
  int prefix;
  const char *events_path, *pcap_path, *counters_path;
  double msl, grace, drop, delay_ms, duration;
  uint64_t seed;
  bool have_msl;
  /* running parts */
  struct fin_tun *tun;
  struct fin_fault *fault;
  struct fin_runtime *rt;
  struct fin_stack *st;
  struct fin_pcap *pcap;
  FILE *events;
  fin_time t0;
  int sigfd;
  bool stop; /* SIGINT/SIGTERM seen */
  struct conn_log log;
};

void netcli_init(struct netcli *c, const char *cmd);
/* Parses one shared option at argv[*i] (advancing *i past its value).
 * 1 = consumed, 0 = not a shared option, -1 = bad value (message printed). */
int netcli_option(struct netcli *c, int argc, char **argv, int *i);
/* Value of option argv[*i]: prints "fin CMD: OPT needs a value" and returns NULL if missing. */
const char *netcli_value(const struct netcli *c, int argc, char **argv, int *i);
int netcli_bad(const struct netcli *c, const char *opt, const char *why);
bool netcli_parse_num(const char *s, double min, double max, double *out);
bool netcli_parse_ipv4(const char *s, uint32_t *out);
/* Help text for the shared options. */
void netcli_usage_common(FILE *out);

/* Opens the TUN device, pcap, events file, signalfd, and the runtime with
 * these settings. Prints the reason and returns non-zero on failure. */
int netcli_start(struct netcli *c, struct fin_settings *s);
/* Handles a ready signalfd: sets stop on SIGINT/SIGTERM, lists connections on SIGUSR1. */
void netcli_signals(struct netcli *c);
/* K2 shutdown, final summary and counters; frees everything. Returns 0. */
int netcli_finish(struct netcli *c);
void netcli_free(struct netcli *c);
/* Seconds since start, for messages. */
double netcli_elapsed(const struct netcli *c);
void netcli_format_tuple(const struct fin_4tuple *t, char *buf, size_t cap);

/* The application's side of the log. */
struct conn_entry *conn_log_get(struct conn_log *log, uint64_t conn_id);
void conn_log_hold(struct conn_log *log, uint64_t conn_id);
/* The app closed its handle; prints the line if the connection already ended. */
void conn_log_release(struct conn_log *log, uint64_t conn_id);
void conn_log_app_error(struct conn_log *log, uint64_t conn_id, int err);
const char *errno_name(int err); /* "ECONNRESET" for 104 or -104 */
/* Every event the stack queues goes through here. */
void conn_log_event(struct conn_log *log, const struct fin_event *ev);

#endif
