/* SPDX-License-Identifier: MIT */
/* The tun driver's API is public: include/fin/tun.h. This name stays for the
 * code that included it from src/. */
#ifndef FIN_DRIVERS_TUN_H
#define FIN_DRIVERS_TUN_H
#include "fin/tun.h"
#endif
