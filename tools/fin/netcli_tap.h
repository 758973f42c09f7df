/* SPDX-License-Identifier: MIT */
/* The tap of `fin serve` / `fin connect`: a driver wrapper that sees every
 * datagram in and out (for --pcapng and the packet records of --events)
 * and, before each one, drains the stack's events itself, so that each
 * state change lands on the packet it belongs to:
 *   - events queued while a received datagram was processed are comments on
 *     that datagram (it is written only once they are known);
 *   - events queued before a datagram is sent (an application call, a
 *     timer) are comments on it.
 * Events that no datagram follows (TIME-WAIT expiring) reach netcli through
 * the runtime's sink as usual and are in --events, not in the capture. */
#ifndef FIN_TOOLS_NETCLI_TAP_H
#define FIN_TOOLS_NETCLI_TAP_H

#include "netcli.h"

/* Wraps *drv (in place), taking over c->pcapng. 0, or 1 (out of memory, printed). */
int netcli_tap_new(struct netcli *c, struct fin_driver *drv);
/* Writes the datagram still held and closes the capture. */
void netcli_tap_free(struct netcli_tap *t);
/* A note about the packet the events being drained belong to (dropped
 * when no packet is being annotated). */
void netcli_tap_note(struct netcli_tap *t, const char *text);

#endif
