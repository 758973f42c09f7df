/* SPDX-License-Identifier: MIT */
/** @file fin/error.h
 * @brief Names for the errors fin returns. Every fin call that can fail
 * returns 0 (or a count) on success and a negative errno on failure, with
 * the host's <errno.h> values (-ECONNRESET, -EAGAIN, ...); a connection's
 * FIN_EV_CLOSED event carries the errno the application will read
 * (docs/behavior.md G4). */
#ifndef FIN_ERROR_H
#define FIN_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/** The symbolic name of an errno. For the host's description use
 * strerror(-err).
 * @param err a negative or positive errno value (the sign is ignored), or 0
 * @return "ECONNRESET" for -ECONNRESET or ECONNRESET, "0" for 0 and "E?" for
 *         a value fin never returns; a static string, never NULL, never freed */
const char *fin_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
