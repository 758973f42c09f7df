/* SO_RCVBUF / SO_SNDBUF requests (sockbuf.h). */
#include "sockbuf.h"

#include "internal.h"

uint32_t fin_sockbuf_size(const struct fin_stack *st, int requested) {
  uint32_t v = (uint32_t)requested;
  if (st->s.sockbuf_double)
    v = v > UINT32_MAX / 2 ? UINT32_MAX : v * 2;
  return v;
}
