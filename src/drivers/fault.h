/* SPDX-License-Identifier: MIT */
/* The fault driver's API is public: include/fin/fault.h. This name stays for the
 * code that included it from src/. */
#ifndef FIN_DRIVERS_FAULT_H
#define FIN_DRIVERS_FAULT_H
#include "fin/fault.h"
#endif
