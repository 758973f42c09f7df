/* SPDX-License-Identifier: MIT */
/* What a SO_RCVBUF / SO_SNDBUF request becomes: the rules the settings
 * apply between the number the application asks for and the buffer the
 * connection gets. */
#ifndef FIN_ENGINE_SOCKBUF_H
#define FIN_ENGINE_SOCKBUF_H

#include <stdint.h>

struct fin_stack;

/* The buffer size for a request of `requested` bytes (>= 1, already
 * clamped to the M16 maxima). With settings.sockbuf_double it is twice
 * the request, as Linux stores it (sock_setsockopt: clamp to rmem_max,
 * then double; the other half accounts for its per-packet overhead), and
 * getsockopt reports that doubled size. */
uint32_t fin_sockbuf_size(const struct fin_stack *st, uint32_t requested);

#endif
