/* SPDX-License-Identifier: MIT */
/* Stack profiles (README §1d.2): what each upstream stack does differently
 * on the wire, expressed only as fin settings plus the runner's timing
 * defaults. A profile never changes the engine's code path. */
#ifndef FIN_SCRIPT_PROFILES_H
#define FIN_SCRIPT_PROFILES_H

#include <stdbool.h>

#include "fin/settings.h"

struct script_profile {
  const char *name;
  double tolerance_percent; /* google 12.5, nplab on FreeBSD 5 */
  unsigned fcntl_rdwr;      /* what F_GETFL reports besides O_NONBLOCK */
};

/* Fills settings and the profile for a name used in MANIFEST.tsv (linux,
 * linux-ws6, linux-ws8, freebsd, agnostic) or "fin" (fin's own defaults).
 * false for an unknown name. */
bool fin_script_profile_get(const char *name, struct fin_settings *set,
                            struct script_profile *prof);

/* "linux, linux-ws6, ..." for usage messages. */
const char *fin_script_profile_names(void);

#endif
