/* SPDX-License-Identifier: MIT */
/* The settings both stacks run with: fin's defaults, or one of the
 * documented alternatives that change how a close plays out. */
#include <errno.h>
#include <string.h>

#include "explore.h"

/* FreeBSD's closing policies (docs/behavior.md, E3 rfc1337; the FIN
 * repeated with every ACK; H3 without the RCV.NXT-1 allowance; its delayed
 * ACK) on fin's defaults otherwise. */
static void bsd(struct fin_settings *s) {
  s->rfc1337 = true;
  s->resend_fin_with_ack = true;
  s->rst_after_fin = false;
  s->delack = FIN_MS(100);
  s->quickack_segments = 0;
  s->delack_any_size = true;
}

/* No TCP options (TCP_NOOPT): no timestamps, so no PAWS and no RFC 6191
 * test in TIME-WAIT; no window scaling, no SACK. */
static void noopt(struct fin_settings *s) {
  s->timestamps = false;
  s->window_scaling = false;
  s->sack_permitted = false;
}

int explore_profile(const char *name, struct fin_settings out[2]) {
  fin_settings_default(&out[0]);
  fin_settings_default(&out[1]);
  if (strcmp(name, "default") == 0)
    return 0;
  if (strcmp(name, "bsd") == 0) {
    bsd(&out[0]);
    bsd(&out[1]);
  } else if (strcmp(name, "noopt") == 0) {
    noopt(&out[0]);
    noopt(&out[1]);
  } else if (strcmp(name, "mixed") == 0) {
    bsd(&out[1]); /* a default client against a BSD-policy server */
  } else {
    return -EINVAL;
  }
  return 0;
}
