/* SPDX-License-Identifier: MIT */
/* The program format of the whole-stack fuzz harness (fuzz/fuzz_stack.c),
 * shared with its seed generator (fuzz/driver_stack.c).
 *
 * An input is: 2 config bytes (host A, host B: FZ_CFG_* bits), 4 bytes of
 * random seed (big-endian; its top bit, FZ_SEED_IPV6, runs the program
 * over IPv6), then operations: one opcode byte (taken modulo FZ_OP_COUNT)
 * followed by its argument bytes. Arguments past the end read as 0, so any
 * byte string is a valid program. */
#ifndef FIN_FUZZ_STACK_H
#define FIN_FUZZ_STACK_H

/* Host configuration bits (one byte per host). */
#define FZ_CFG_NO_TS      0x01 /* timestamps off */
#define FZ_CFG_NO_WS      0x02 /* window scaling off */
#define FZ_CFG_NO_SACK    0x04
#define FZ_CFG_FREEBSD    0x08 /* FreeBSD option layout, resend FIN with ACK */
#define FZ_CFG_NO_DELACK  0x10
#define FZ_CFG_SMALL_MTU  0x20 /* MTU 576 */
#define FZ_CFG_SMALL_BUF  0x40 /* 4 KiB send / receive buffers */
#define FZ_CFG_FAST_TIMER 0x80 /* MSL 1 s, FIN timeout 2 s, keep-alive 10 s */

/* Addresses: host A is 10.0.0.1, host B 10.0.0.2; "third" is 10.0.0.3.
 * Over IPv6 they are fd00::1, fd00::2 and fd00::3. */
#define FZ_ADDR_A     0x0a000001u
#define FZ_ADDR_B     0x0a000002u
#define FZ_ADDR_THIRD 0x0a000003u

/* The seed bit that chooses IPv6: every address, the datagrams forged by
 * FZ_OP_INJECT / FZ_OP_RAW and the errors of FZ_OP_ICMP (ICMPv6 then) are
 * of that family. Over IPv6, FZ_OP_INJECT reads one more byte, extsel8:
 * the extension headers put in front of the forged segment
 * (FZ_EXT_CHAINS choices, 0 = none); FZ_OP_RAW's fix8 bit 8 keeps the
 * fuzzer's next header (so its bytes can be an extension chain). */
#define FZ_SEED_IPV6  0x80000000u
#define FZ_EXT_CHAINS 10

enum fz_op {
  FZ_OP_SOCKET = 0,     /* host */
  FZ_OP_BIND,           /* host sock addrsel portsel port16 */
  FZ_OP_LISTEN,         /* host sock backlog8 */
  FZ_OP_CONNECT,        /* host sock dstsel port16 */
  FZ_OP_ACCEPT,         /* host sock */
  FZ_OP_SEND,           /* host sock len16 flags8 */
  FZ_OP_RECV,           /* host sock len16 flags8 */
  FZ_OP_SHUTDOWN,       /* host sock how8 */
  FZ_OP_CLOSE,          /* host sock */
  FZ_OP_ABORT,          /* host sock */
  FZ_OP_SETSOCKOPT,     /* host sock opt8 valsel8 [val32] lensel8 */
  FZ_OP_GETSOCKOPT,     /* host sock opt8 lensel8 */
  FZ_OP_QUERY,          /* host sock: poll, inq, names, state, conn id */
  FZ_OP_DELIVER,        /* index8: deliver one queued datagram */
  FZ_OP_DROP,           /* index8 */
  FZ_OP_DUP,            /* index8 */
  FZ_OP_SWAP,           /* index8 index8 */
  FZ_OP_RUN,            /* amount8 scale8: deliver and fire timers for that long */
  FZ_OP_ADVANCE,        /* amount8 scale8: move time (queued datagrams wait) */
  FZ_OP_INJECT,         /* host conn8 flags8 seqsel8 delta.. acksel8 delta.. wnd16 optsel.. len16 */
  FZ_OP_RAW,            /* host fix8 len16 bytes... */
  FZ_OP_ICMP,           /* index8 type8 code8 mtu16: an ICMP error about a queued datagram */
  FZ_OP_KILL,           /* host conn8 */
  FZ_OP_STACK_SHUTDOWN, /* host grace8 (100 ms units) */
  FZ_OP_SETTINGS,       /* host which8 value8 */
  FZ_OP_ALLOC_FAIL,     /* host n8: fail the n-th allocation from now (255 = off) */
  FZ_OP_COUNT
};

/* FZ_OP_RUN / FZ_OP_ADVANCE scales (scale8 % FZ_SCALES). */
#define FZ_SCALES 5 /* 1 ms, 10 ms, 1 s, 1 min, 10 min */

/* FZ_OP_CONNECT dstsel % 5: the other host :80, :81, :port16, this host :80,
 * the third address :port16; over IPv6 dstsel % 6, 5 being the IPv4
 * address of the other host (the stack has none: ENETUNREACH). */
/* FZ_OP_BIND addrsel % 3: any, own address, the other host's address;
 * over IPv6 addrsel % 4, 3 being 0.0.0.0. portsel % 4: 0, 80, 81, port16. */

#endif
