/* SPDX-License-Identifier: MIT */
/* Symbols scripts use in system calls (socket constants, errno names,
 * poll bits), with Linux values. */
#ifndef FIN_SCRIPT_SYMBOLS_H
#define FIN_SCRIPT_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

/* Options other stacks have and Linux does not: values of the runner's own,
 * clear of every Linux IPPROTO_TCP option number. */
#define SCRIPT_TCP_KEEPINIT     0x10001 /* FreeBSD */
#define SCRIPT_TCP_NOOPT        0x10002 /* FreeBSD */
#define SCRIPT_TCP_PRIVATE      0x10010 /* FreeBSD options fin refuses by name */
#define SCRIPT_IPV6_USE_MIN_MTU 0x10020 /* FreeBSD (IPPROTO_IPV6), refused by name */

bool fin_script_symbol(const char *name, int64_t *value);
/* "ECONNRESET" for 104, NULL if unknown. */
const char *fin_script_errno_name(int err);

#endif
