/* SPDX-License-Identifier: MIT */
/* Cost of fin_tcp_parse on the common case: a 1460-byte data segment with
 * timestamps (NOP,NOP,TS), 1512 bytes on the wire. Prints ns per parse.
 * Usage: bench_wire [iterations] (default 10,000,000). For instructions per
 * parse: valgrind --tool=callgrind bench_wire 100000, then divide
 * fin_tcp_parse's inclusive Ir by the count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fin/wire.h"

static size_t build_segment(uint8_t *buf, size_t cap) {
  struct fin_segment seg;
  memset(&seg, 0, sizeof(seg));
  seg.saddr = 0x0a000001;
  seg.daddr = 0x0a000002;
  seg.sport = 40000;
  seg.dport = 80;
  seg.seq = 0x12345678;
  seg.ack = 0x9abcdef0;
  seg.flags = FIN_TCP_ACK | FIN_TCP_PSH;
  seg.wnd = 502;
  struct fin_tcp_opts_out o = {.ts = true, .ts_val = 1000, .ts_ecr = 2000};
  uint8_t opt[FIN_TCP_OPT_MAX], payload[1460];
  for (size_t i = 0; i < sizeof(payload); i++)
    payload[i] = (uint8_t)(i * 13 + 1);
  size_t ol = fin_tcp_opts_write(opt, &o, FIN_LAYOUT_LINUX, false);
  return fin_tcp_build(buf, cap, &seg, opt, ol, payload, sizeof(payload), NULL, 0);
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  long iters = argc > 1 ? atol(argv[1]) : 10000000L;
  static uint8_t buf[2048];
  size_t n = build_segment(buf, sizeof(buf));
  struct fin_segment seg;
  uint64_t sink = 0;
  double t0 = now_ns();
  for (long i = 0; i < iters; i++) {
    if (fin_tcp_parse(buf, n, &seg) != FIN_WIRE_OK)
      return 1;
    sink += seg.payload_len + seg.opts.ts_val;
  }
  double t1 = now_ns();
  printf("fin_tcp_parse: %zu-byte datagram, %ld iterations, %.1f ns/op (sink %llu)\n", n, iters,
         (t1 - t0) / (double)iters, (unsigned long long)sink);
  return 0;
}
