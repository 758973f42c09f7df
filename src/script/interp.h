/* SPDX-License-Identifier: MIT */
/* The packetdrill-dialect interpreter: drives one fin stack per script on
 * virtual time (README §1a.3, §1d.4). */
#ifndef FIN_SCRIPT_INTERP_H
#define FIN_SCRIPT_INTERP_H

#include <stdbool.h>
#include <stdio.h>

#include "script/ast.h"

struct script_run_options {
  const char *profile; /* a name fin_script_profile_get() knows */
  bool verbose;        /* log every event, packet and call to out */
  /* NULL (ipv4), or a name fin_script_ip_version_known() takes: the
   * families of a script that has no --ip_version line of its own, as
   * packetdrill's command-line option (run_all.py runs each script so). */
  const char *ip_version;
};

/* "ipv4", "ipv6" or "ipv4-mapped-ipv6". */
bool fin_script_ip_version_known(const char *name);

/* Runs a parsed script. Returns 0 when every expectation held, 1 when one
 * failed (the diagnostic is written to out), 2 when the script cannot run
 * (unknown profile, unsupported header option). */
int fin_script_run(const struct script *s, const struct script_run_options *o, FILE *out);

#endif
