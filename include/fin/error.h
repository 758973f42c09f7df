/* SPDX-License-Identifier: MIT */
/* fin — names for the errors fin returns. Every fin call that can fail
 * returns 0 (or a count) on success and a negative errno on failure, with
 * the host's <errno.h> values (-ECONNRESET, -EAGAIN, ...); a connection's
 * FIN_EV_CLOSED event carries the errno the application will read. */
#ifndef FIN_ERROR_H
#define FIN_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* The symbolic name of an errno, "ECONNRESET" for -ECONNRESET or
 * ECONNRESET (the sign is ignored), "0" for 0 and "E?" for a value fin
 * never returns. The string is static: never NULL, never freed. For the
 * host's description use strerror(-err). */
const char *fin_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
