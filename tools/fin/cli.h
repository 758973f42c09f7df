/* SPDX-License-Identifier: MIT */
/* Option parsing shared by every subcommand: getopt_long with fin's own
 * messages, so that a usage error always names the option or the file and
 * exits CLI_USAGE (2), and `--help` prints the command's text on stdout. */
#ifndef FIN_TOOLS_CLI_H
#define FIN_TOOLS_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_USAGE 2 /* exit status of every usage error (bad option, bad value, missing file) */
#define CLI_HELP  1 /* a parser's "help printed, exit 0" */

/* Starts a new parse (resets getopt's state). */
void cli_begin(void);

/* The next option, like getopt_long (shortopts without the leading ':').
 * Returns -1 at the end and '?' after printing one of
 *   fin CMD: unknown option '--x' (see 'fin CMD --help')
 *   fin CMD: option '--x' needs a value
 *   fin CMD: option '--x' takes no value
 * Positional arguments are permuted to the end: argv[optind..argc). */
int cli_next(const char *cmd, int argc, char **argv, const char *shortopts,
             const struct option *longopts);

/* The option cli_next just returned, as the user wrote it ("--loss", "-l"), for messages. */
const char *cli_opt_name(void);

/* "fin CMD: WHAT: WHY" on stderr; returns CLI_USAGE. */
int cli_bad(const char *cmd, const char *what, const char *why);

/* Strict numbers: the whole string, in [min, max]. */
bool cli_parse_double(const char *s, double min, double max, double *out);
bool cli_parse_u64(const char *s, uint64_t max, uint64_t *out);
/* "A.B.C.D" and "A.B.C.D:PORT" (port 1..65535), host byte order. */
bool cli_parse_ipv4(const char *s, uint32_t *out);
bool cli_parse_endpoint(const char *s, uint32_t *addr, uint16_t *port);

/* Opens a file named on the command line; on failure prints
 * "fin CMD: OPT: PATH: reason" and returns NULL (the caller exits CLI_USAGE). */
FILE *cli_open(const char *cmd, const char *opt, const char *path, const char *mode);

#endif
