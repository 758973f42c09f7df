/* SPDX-License-Identifier: MIT */
/* The libFuzzer entry point, shared by the harnesses and by driver.c (the
 * gcc-built smoke driver that feeds them seeded inputs under ctest). */
#ifndef FIN_FUZZ_H
#define FIN_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* driver_io.c, for the smoke drivers: one input from a heap copy of
 * exactly its length; files replayed through run (each file's bytes);
 * a seed file written (0, or 1 with the error printed). */
void fin_fuzz_run(const uint8_t *d, size_t len);
int fin_fuzz_replay(int argc, char **argv, void (*run)(const uint8_t *d, size_t len));
int fin_fuzz_write(const char *path, const uint8_t *b, size_t n);

#endif
