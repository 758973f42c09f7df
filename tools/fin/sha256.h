/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4) for `fin serve --app sink`: the interop loss test
 * compares digests of what each end sent and received. */
#ifndef FIN_TOOLS_SHA256_H
#define FIN_TOOLS_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
  uint32_t h[8];
  uint64_t len;
  uint8_t block[64];
  size_t used;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* Writes 64 lowercase hex digits and a NUL into hex. */
void sha256_final_hex(struct sha256 *c, char hex[65]);

#endif
