/* SPDX-License-Identifier: MIT */
/* State-test harness (STYLE.md, smoltcp-style): one fin stack and a
 * scripted peer. Reach a state through real segments, send the stimulus,
 * then assert the exact segments out and that nothing else went out.
 * Addresses: fin is 10.0.0.1:80 (passive) or :ephemeral (active); the
 * peer is 10.0.0.2:40000 — or fd00::1 and fd00::2 when the family under
 * test is IPv6 (peer_family; PEER_RUN_BOTH runs a group once per family). Socket calls act at the
 * stack's time: after changing p->now directly, call fin_stack_set_now(p->st, p->now) before an API
 * call whose timing matters (peer_send/expect/advance do it). Sequence numbers are absolute; use
 * L(p, k) for fin's ISS + k and R(p, k) for the peer's ISN + k. */
#ifndef FIN_TEST_PEER_H
#define FIN_TEST_PEER_H

#include "fin_test.h"

#define PEER_FIN_ADDR4 0x0a000001u
#define PEER_ADDR4     0x0a000002u
#define PEER_PORT      40000
#define FIN_PORT       80

#define TCP_S FIN_TCP_SYN
#define TCP_A FIN_TCP_ACK
#define TCP_F FIN_TCP_FIN
#define TCP_R FIN_TCP_RST
#define TCP_P FIN_TCP_PSH

struct peer {
  struct fin_stack *st;
  struct test_alloc ta;
  struct test_rng rng;
  fin_time now;
  uint32_t iss;            /* fin's ISS, learnt from its SYN / SYN-ACK */
  uint32_t irs;            /* the peer's ISN */
  uint16_t fin_port;       /* fin's port of the connection under test */
  uint16_t peer_port;      /* the peer's port (PEER_PORT unless a test changes it) */
  uint16_t wnd;            /* window the peer advertises */
  uint8_t tos;             /* IP TOS / traffic class it sends (ECN field: RFC 3168 §5) */
  bool ts;                 /* peer offers timestamps (and wscale 7) */
  uint32_t ts_val;         /* the peer's next TSval */
  uint32_t fin_tsval;      /* last TSval seen from fin */
  bool v6;                 /* the family under test is IPv6 */
  struct fin_addr fin_ip;  /* fin's address: 10.0.0.1 or fd00::1 */
  struct fin_addr peer_ip; /* the peer's: 10.0.0.2 or fd00::2 */
  fin_sock listener, s;
  uint8_t buf[1600];
  struct fin_segment last;
};

/* The MSS a peer on a 1500-byte link offers: 1460 (IPv4), 1440 (IPv6). */
#define PEER_MSS(p) ((p)->v6 ? 1440u : 1460u)

#define L(p, k) ((uint32_t)((p)->iss + (uint32_t)(k)))
#define R(p, k) ((uint32_t)((p)->irs + (uint32_t)(k)))

/* The family peer_init uses (FIN_AF_INET unless a test or PEER_RUN_BOTH
 * sets it). */
extern enum fin_family peer_family;

/* Runs a cmocka group once for IPv4 and once for IPv6 (the state machine is
 * family-blind; BEHAVIOR rows hold for both). */
int peer_run_both(const char *name, const struct CMUnitTest *tests, size_t count);
#define PEER_RUN_BOTH(tests) peer_run_both(#tests, (tests), sizeof(tests) / sizeof((tests)[0]))

/* Dual stack: fin gets the other family's address too (local_addrs[1]);
 * peer_use_family then switches which family the peer speaks. */
void peer_add_other_family(struct peer *p);
void peer_use_family(struct peer *p, bool v6);

/* Addresses of the family under test. */
struct fin_addr peer_addr_of(bool v6, bool fin_side);
/* The peer's socket address (port p->peer_port) and fin's (given port). */
struct fin_sockaddr peer_remote(const struct peer *p);
struct fin_sockaddr peer_local(const struct peer *p, uint16_t port);
/* The wildcard of the family under test (0.0.0.0 or ::) with that port. */
struct fin_sockaddr peer_any(const struct peer *p, uint16_t port);
/* The connection's 4-tuple as fin sees it. */
struct fin_4tuple peer_tuple(const struct peer *p);
/* A segment header from the peer to fin (addresses, ports, ttl, window). */
void peer_segment_init(const struct peer *p, struct fin_segment *seg);

/* settings may be NULL for defaults. */
void peer_init(struct peer *p, const struct fin_settings *s);
void peer_init_ts(struct peer *p, const struct fin_settings *s); /* with timestamps */
/* Asserts the engine's invariants (fin_stack_audit); peer_expect_nothing
 * and peer_free do it too. */
void peer_audit(struct peer *p);
/* Frees the stack and asserts no leaks. */
void peer_free(struct peer *p);

/* Injects a segment from the peer (payload of len bytes filled with 'x' if
 * data is NULL). */
void peer_send(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack, const void *data,
               size_t len);
/* Same with a raw options area. */
void peer_send_opts(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack, const uint8_t *opt,
                    size_t optlen, const void *data, size_t len);
/* Next segment fin sends: asserts flags, seq, ack (ack checked only when
 * the ACK bit is expected, or when the RST is expected without ACK: then
 * it must be 0). Returns it (p->last). */
const struct fin_segment *peer_expect(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack);
#define peer_expect_len(p, flags, seq, ack, len)                                                   \
  assert_int_equal(peer_expect((p), (flags), (seq), (ack))->payload_len, (len))
/* Next segment must be a SYN-ACK acking `ack` (any seq); returns fin's ISS. */
uint32_t peer_expect_syn_ack(struct peer *p, uint32_t ack);
/* Asserts fin has nothing to send. */
void peer_expect_nothing(struct peer *p);
/* Moves time forward by dt (running timers on the way, in deadline order,
 * without collecting output). */
void peer_advance(struct peer *p, fin_time dt);
/* Advances to fin's next deadline; returns the time moved. */
fin_time peer_advance_to_deadline(struct peer *p);

/* fin listens on port 80 (p->listener) with that backlog. */
void peer_listen(struct peer *p, int backlog);
/* Passive open: fin listens on 80, the peer connects (SYN, SYN-ACK, ACK),
 * fin accepts. p->s is the accepted handle. */
void peer_establish_passive(struct peer *p);
/* fin_connect (creating p->s if < 0) and its SYN: learns ISS and fin's port. */
void peer_start_connect(struct peer *p);
/* Active open: fin connects to the peer (SYN, SYN-ACK, ACK). */
void peer_establish_active(struct peer *p);

/* An ICMP error from the peer's address quoting fin's last segment
 * (p->buf), given as IPv4 type/code (3/0 net unreachable, 3/1 host, 3/2
 * protocol, 3/3 port, 3/4 fragmentation needed with next-hop mtu, 11/x time
 * exceeded); under IPv6 the ICMPv6 equivalent (RFC 4443: 1/0, 1/3, 4/1,
 * 1/4, 2/0 packet too big with mtu, 3/x). */
void peer_send_icmp(struct peer *p, uint8_t type, uint8_t code, uint32_t mtu);
/* IPv6 only: an ICMPv6 error of exactly this type and code (RFC 4443) with
 * word in its second 32 bits (the MTU of a packet too big, the pointer of a
 * parameter problem), quoting fin's last segment. */
void peer_send_icmp6(struct peer *p, uint8_t type, uint8_t code, uint32_t word);

/* Convenience: state of p->s; counters. */
enum fin_state peer_state(struct peer *p);
const struct fin_counters *peer_counters(struct peer *p);
/* The last CLOSED event's reason/err for the connection, from the event queue. */
bool peer_find_closed(struct peer *p, enum fin_close_reason *reason, int *err);

#endif
