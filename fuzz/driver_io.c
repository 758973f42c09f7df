/* SPDX-License-Identifier: MIT */
/* What the three gcc smoke drivers (driver.c, driver_stack.c,
 * driver_reassembly.c) share: running one input from a heap block of
 * exactly its length (so ASan sees any read past it, as libFuzzer would),
 * replaying files, writing seed files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

void fin_fuzz_run(const uint8_t *d, size_t len) {
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy)
    abort();
  if (len)
    memcpy(copy, d, len);
  LLVMFuzzerTestOneInput(copy, len);
  free(copy);
}

int fin_fuzz_replay(int argc, char **argv, void (*run)(const uint8_t *d, size_t len)) {
  static uint8_t buf[1 << 20];
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    if (!f) {
      perror(argv[i]);
      return 1;
    }
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    run(buf, n);
  }
  printf("replayed %d inputs\n", argc - 1);
  return 0;
}

int fin_fuzz_write(const char *path, const uint8_t *b, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(b, 1, n, f) != n) {
    perror(path);
    if (f)
      fclose(f);
    return 1;
  }
  fclose(f);
  return 0;
}
