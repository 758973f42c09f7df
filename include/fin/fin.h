/* SPDX-License-Identifier: MIT */
/** @file fin/fin.h
 * @brief A userspace TCP/IP stack whose connection termination is exact.
 * Umbrella header: everything public. The engine (fin/engine.h, libfin)
 * and the Linux runtime around it (libfin_net): the runtime and its
 * default allocator and randomness, the TUN driver, fault injection and the
 * pcap tap. Link with pkg-config fin, or CMake fin::net. */
#ifndef FIN_FIN_H
#define FIN_FIN_H

#include "fin/engine.h"

#include "fin/defaults.h"
#include "fin/fault.h"
#include "fin/pcap.h"
#include "fin/runtime.h"
#include "fin/tun.h"

#endif
