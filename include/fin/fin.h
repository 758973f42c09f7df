/* fin — a userspace TCP/IP stack whose connection termination is exact.
 * Umbrella header: the engine, the socket-like API, counters and wire. */
#ifndef FIN_FIN_H
#define FIN_FIN_H

#include "fin/counters.h"
#include "fin/settings.h"
#include "fin/socket.h"
#include "fin/stack.h"
#include "fin/types.h"
#include "fin/wire.h"

#endif
