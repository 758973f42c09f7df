/* SPDX-License-Identifier: MIT */
/** @file fin/engine.h
 * @brief The engine alone: the sans-IO stack, the socket-like API, settings,
 * counters, the wire layer, error names and the version. Needs a C11
 * compiler and libc headers only; link libfin (pkg-config fin-engine,
 * CMake fin::engine). */
#ifndef FIN_ENGINE_H
#define FIN_ENGINE_H

#include "fin/addr.h"
#include "fin/counters.h"
#include "fin/error.h"
#include "fin/settings.h"
#include "fin/socket.h"
#include "fin/stack.h"
#include "fin/types.h"
#include "fin/version.h"
#include "fin/wire.h"

#endif
