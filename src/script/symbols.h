/* SPDX-License-Identifier: MIT */
/* Symbols scripts use in system calls (socket constants, errno names,
 * poll bits), with Linux values. */
#ifndef FIN_SCRIPT_SYMBOLS_H
#define FIN_SCRIPT_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

bool fin_script_symbol(const char *name, int64_t *value);
/* "ECONNRESET" for 104, NULL if unknown. */
const char *fin_script_errno_name(int err);

#endif
