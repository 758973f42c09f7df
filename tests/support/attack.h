/* SPDX-License-Identifier: MIT */
/* Helpers for the attack catalogue tests (tests/attack/, docs/attack-coverage.md)
 * on top of the peer harness: raw datagrams the peer harness cannot build
 * (urgent pointer, edited header bytes, any options), fed to fin in heap
 * blocks of exactly their length so ASan sees any read past the datagram,
 * and the catalogue's "drop" oracle: fin sent nothing, every connection and
 * TIME-WAIT record is as it was (state, sequence numbers, queues, windows,
 * deadline), no byte of memory more or less, and the counters moved by
 * exactly the ones named. */
#ifndef FIN_TEST_ATTACK_H
#define FIN_TEST_ATTACK_H

#include "peer.h"

#define ATTACK_MAX_CONNS 16

/* Everything a dropped segment must leave as it was. */
struct attack_snap {
  struct fin_counters c;
  size_t mem;
  size_t nconn;
  struct fin_conn_info conn[ATTACK_MAX_CONNS];
};

/* Empties the event queue first (events are not what these tests check). */
void attack_snap_take(struct peer *p, struct attack_snap *s);

/* Polls every queued event away. */
void attack_drain_events(struct peer *p);

/* Asserts fin has nothing to send, the connections and memory are as in s,
 * and every counter equals its value in s plus the number of times its
 * name appears in names (NULL-terminated; Linux nstat spelling, as
 * fin_counters_name gives it). */
void attack_expect_dropped_(struct peer *p, const struct attack_snap *s, const char *const *names);
#define attack_expect_dropped(p, s, ...)                                                           \
  attack_expect_dropped_((p), (s), (const char *const[]){__VA_ARGS__, NULL})

/* The same without the output and connection checks: only the counters. */
void attack_expect_counters_(struct peer *p, const struct attack_snap *s, const char *const *names);
#define attack_expect_counters(p, s, ...)                                                          \
  attack_expect_counters_((p), (s), (const char *const[]){__VA_ARGS__, NULL})

/* The name of the receive counter of the family under test. */
#define ATTACK_RX(p) ((p)->v6 ? "Ip6InReceives" : "IpInReceives")

/* A segment from the peer to fin with the peer's addresses, ports and
 * window (peer_segment_init) and these fields. */
struct fin_segment attack_seg(const struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack);

/* Builds seg with a raw options area (a multiple of 4 bytes) and len bytes
 * of data ('x' when data is NULL) into out; returns the datagram's length. */
size_t attack_build(const struct fin_segment *seg, const uint8_t *opt, size_t optlen,
                    const void *data, size_t len, uint8_t *out, size_t cap);

/* Feeds d[0..len) to fin from a heap block of exactly len bytes. */
void attack_input(struct peer *p, const uint8_t *d, size_t len);

/* attack_build + attack_input. */
void attack_send(struct peer *p, const struct fin_segment *seg, const uint8_t *opt, size_t optlen,
                 const void *data, size_t len);

/* Offsets of the TCP header in a datagram attack_build made. */
#define ATTACK_TCP_OFF(p) ((p)->v6 ? 40u : 20u)

/* Recomputes the IPv4 header checksum (IPv6 has none), and the TCP
 * checksum over the TCP bytes the IP header claims (attack_build layout:
 * no IPv4 options, no IPv6 extension headers) when they hold a TCP header. */
void attack_fix_checksums(uint8_t *d);

/* The TCP_INFO of handle s, or of the only connection when s < 0. */
struct fin_conn_info attack_info(struct peer *p, fin_sock s);

/* Reads every readable byte of p->s into buf (cap at most); returns the count. */
size_t attack_read_all(struct peer *p, uint8_t *buf, size_t cap);

/* Collects fin's output until none is due: returns how many segments came,
 * the last one in p->last. */
int attack_drain(struct peer *p);

#endif
