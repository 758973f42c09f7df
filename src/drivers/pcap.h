/* SPDX-License-Identifier: MIT */
/* The pcap driver's API is public: include/fin/pcap.h. This name stays for the
 * code that included it from src/. */
#ifndef FIN_DRIVERS_PCAP_H
#define FIN_DRIVERS_PCAP_H
#include "fin/pcap.h"
#endif
