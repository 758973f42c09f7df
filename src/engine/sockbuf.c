/* SPDX-License-Identifier: MIT */
/* SO_RCVBUF / SO_SNDBUF requests (sockbuf.h). */
#include "sockbuf.h"

#include "internal.h"

uint32_t fin_sockbuf_size(const struct fin_stack *st, uint32_t requested) {
  uint32_t v = requested;
  if (st->s.sockbuf_double)
    v = v > UINT32_MAX / 2 ? UINT32_MAX : v * 2;
  return v;
}
