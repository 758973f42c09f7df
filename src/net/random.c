/* SPDX-License-Identifier: MIT */
/* fin_random_default(): the kernel's CSPRNG. RFC 6528 ISNs, SYN cookies,
 * timestamp offsets and the demux hash key (no attacker-chosen collisions)
 * all depend on these bytes being unpredictable. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

#include "fin/defaults.h"

/* Without getrandom (ENOSYS: a kernel older than 3.17, or a seccomp filter). */
static void urandom_fill(uint8_t *p, size_t len) {
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  while (fd >= 0 && len > 0) {
    ssize_t n = read(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    p += n;
    len -= (size_t)n;
  }
  if (fd >= 0)
    close(fd);
  if (len > 0) {
    /* The engine's fill cannot fail, and guessable keys are worse than no stack. */
    fputs("fin: no randomness (getrandom and /dev/urandom both failed)\n", stderr);
    abort();
  }
}

static void random_fill(void *ctx, void *buf, size_t len) {
  (void)ctx;
  uint8_t *p = buf;
  while (len > 0) {
    ssize_t n = getrandom(p, len, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      urandom_fill(p, len);
      return;
    }
    p += n;
    len -= (size_t)n;
  }
}

void fin_random_default(struct fin_random *out) {
  *out = (struct fin_random){.fill = random_fill, .ctx = NULL};
}
