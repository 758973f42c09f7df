/* SPDX-License-Identifier: MIT */
/* The connection-establishment timeout (FreeBSD TCP_KEEPINIT and
 * net.inet.tcp.keepinit): a connection still in SYN-SENT that long after
 * connect() gives up with ETIMEDOUT, whatever the SYN retransmission count.
 * BEHAVIOR J3's minimum (syn_timeout, MUST-23) is a floor; this is a
 * ceiling the application or profile asks for. */
#ifndef FIN_ENGINE_KEEPINIT_H
#define FIN_ENGINE_KEEPINIT_H

#include <stdbool.h>

#include "fin/types.h"

struct fin_stack;
struct fin_conn;

/* The limit for this connection: its TCP_KEEPINIT, else settings.keepinit;
 * 0 = none. */
fin_time fin_keepinit(const struct fin_stack *st, const struct fin_conn *c);
/* A retransmission deadline `at` moved no later than the limit. */
fin_time fin_keepinit_clamp(const struct fin_stack *st, const struct fin_conn *c, fin_time at);
/* The limit has passed: the SYN timer gives up. */
bool fin_keepinit_expired(const struct fin_stack *st, const struct fin_conn *c);

#endif
