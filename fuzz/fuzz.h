/* SPDX-License-Identifier: MIT */
/* The libFuzzer entry point, shared by the harnesses and by driver.c (the
 * gcc-built smoke driver that feeds them seeded inputs under ctest). */
#ifndef FIN_FUZZ_H
#define FIN_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
