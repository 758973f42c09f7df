/* SPDX-License-Identifier: MIT */
/* The state of one script run, shared by the interpreter's parts: the
 * event loop (interp.c), packets (packets.c), system calls (syscalls.c),
 * commands (commands.c) and %{ }% snippets (tcpinfo.c). One fin stack per
 * script, on a virtual clock that starts at 0. */
#ifndef FIN_SCRIPT_RUN_H
#define FIN_SCRIPT_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fin/fin.h"
#include "script/ast.h"
#include "script/profiles.h"

/* README §1d.1: the addresses every script assumes (packetdrill's
 * config.c defaults): IPv4 192.168.0.1 (RFC 1918) -> 192.0.2.1 (RFC 5737),
 * IPv6 fd3d:fa7b:d17d::1 (a ULA, RFC 4193) -> 2001:db8::1 (RFC 3849). */
#define SCRIPT_LOCAL_ADDR  fin_addr_v4(0xc0a80001u) /* 192.168.0.1 */
#define SCRIPT_REMOTE_ADDR fin_addr_v4(0xc0000201u) /* 192.0.2.1 */
#define SCRIPT_LOCAL_ADDR6                                                                         \
  ((struct fin_addr){{0xfd, 0x3d, 0xfa, 0x7b, 0xd1, 0x7d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}})
#define SCRIPT_REMOTE_ADDR6                                                                        \
  ((struct fin_addr){{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}})
#define SCRIPT_PORT      8080  /* bind and connect port */
#define SCRIPT_PEER_PORT 47123 /* the peer's port on passive opens */

#define SCRIPT_MAX_FDS 32
#define SCRIPT_QUEUE   128
#define SCRIPT_PKT_MAX 2048
#define SCRIPT_TS_MAP  64

/* One datagram fin sent, with the virtual time it left. */
struct script_out_pkt {
  fin_time sent;
  size_t len;
  uint8_t buf[SCRIPT_PKT_MAX];
};

#define SCRIPT_EPOLL_MAX 8

/* One registration of an epoll fd (epoll_ctl). */
struct script_epoll_entry {
  int fd;
  uint32_t events;
  uint64_t data; /* the event's fd/u32/u64 field, reported by epoll_wait */
};

/* --ip_version (packetdrill's config.c): the family of the sockets and of
 * the packets on the wire. */
enum script_ip_version {
  SCRIPT_IPV4 = 0,         /* AF_INET sockets, IPv4 packets */
  SCRIPT_IPV4_MAPPED_IPV6, /* AF_INET6 sockets reaching ::ffff:a.b.c.d, IPv4 packets */
  SCRIPT_IPV6,             /* AF_INET6 sockets, IPv6 packets */
};

struct script_fd {
  bool used;
  fin_sock sock;
  bool nonblock;
  bool epoll; /* an epoll instance, not a socket: sock is unused */
  size_t ep_count;
  struct script_epoll_entry ep[SCRIPT_EPOLL_MAX];
};

/* A blocking call (S...E) in flight: retried after every step of time. */
struct script_pending {
  bool active;
  const struct script_event *ev;
  fin_time start, end; /* end: when the script says it returns */
  fin_time timeout;    /* poll: when it gives up by itself; FIN_NEVER if not */
  size_t progress;     /* write: bytes already sent */
};

struct script_run {
  const struct script *s;
  struct fin_stack *st;
  struct fin_settings set;
  struct script_profile profile;
  bool verbose;
  FILE *out;

  enum script_ip_version ip_version;
  /* --local_ip, --remote_ip (README §1d.1 defaults): the packets' addresses,
   * IPv4 ones held as ::ffff:a.b.c.d like every fin_addr. */
  struct fin_addr local_addr, remote_addr;
  uint32_t inbound_mss;   /* --mss: inbound payloads are cut into pieces this big */
  bool non_fatal_syscall; /* --non_fatal=syscall: a wrong result is reported, not fatal */
  uint32_t linux_rmem_max, linux_rmem2; /* net.core.rmem_max, tcp_rmem[2] (window scale) */

  fin_time now; /* the virtual clock, ns from 0 */
  int spin;     /* steps taken without the clock moving */
  int64_t tolerance_usecs;
  double tolerance_percent;
  int64_t ts_tick_usecs; /* 0: outbound TS val not checked */

  /* Relative times (README §1a.3). */
  fin_time last_actual, last_sched;
  bool last_was_inbound;

  struct script_fd fds[SCRIPT_MAX_FDS];
  int fd_under_test;

  /* The connection under test: one 4-tuple at a time (README §1a.6). */
  uint16_t local_port, remote_port;
  bool isn_known;
  uint32_t isn;
  /* The ISN before a SYN reopened TIME-WAIT (BEHAVIOR E4): if the new
   * incarnation dies and the TIME-WAIT record is restored, its numbers
   * are relative to this one again. */
  bool prev_isn_known;
  uint32_t prev_isn;

  /* TS ecr substitution and TS val clock check. */
  struct {
    uint32_t script, live;
  } ts_map[SCRIPT_TS_MAP];
  size_t ts_count;
  bool ts_first_known;
  uint32_t ts_script_first, ts_live_first;

  struct script_out_pkt queue[SCRIPT_QUEUE];
  size_t q_head, q_count;

  struct script_pending pending;

  const struct script_event *cur;
  bool failed;
};

/* interp.c */
bool fin_script_fail(struct script_run *r, const struct script_event *ev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void fin_script_note(struct script_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Lets fin send what it has now: queued with the current time. */
void fin_script_drain(struct script_run *r);
/* Applies r->set to the stack (sysctl-style commands). */
bool fin_script_apply_settings(struct script_run *r, const struct script_event *ev);

/* packets.c */
/* fin-side sequence space: script number -> wire number. */
uint32_t fin_script_to_live(const struct script_run *r, const struct script_packet *pk, uint32_t v);
bool fin_script_inject(struct script_run *r, const struct script_event *ev);
/* Compares one datagram fin sent with the expected packet. On mismatch
 * writes the reason into why and returns false. */
bool fin_script_packet_matches(struct script_run *r, const struct script_packet *pk,
                               const uint8_t *buf, size_t len, char *why, size_t cap);
/* Learns fin's ISN, ports and TS values from a datagram that matched. */
void fin_script_learn(struct script_run *r, const struct script_packet *pk, const uint8_t *buf,
                      size_t len);
/* After an injected packet: back to the old ISN if fin restored TIME-WAIT. */
void fin_script_isn_after_input(struct script_run *r);
/* "S. 0:0(0) ack 1 win 65535 <mss 1460,...>" (relative to fin's ISN). */
void fin_script_format_expected(const struct script_run *r, const struct script_packet *pk,
                                char *buf, size_t cap);
void fin_script_format_live(const struct script_run *r, const uint8_t *dgram, size_t len, char *buf,
                            size_t cap);

/* syscalls.c: 1 done (result checked), 0 still blocking, -1 failed.
 * `first` is true for the first attempt of a call. */
int fin_script_syscall(struct script_run *r, const struct script_event *ev, bool blocking,
                       bool first);
void fin_script_close_all(struct script_run *r);

/* icmp.c */
bool fin_script_inject_icmp(struct script_run *r, const struct script_event *ev);
/* An outbound ICMP line against what fin sent (fin sends no ICMP today). */
bool fin_script_icmp_matches(const struct script_run *r, const struct script_packet *pk,
                             const uint8_t *buf, size_t len, char *why, size_t cap);

/* header.c: --name=value lines; 0, or 2 (cannot run) with a message.
 * r->ip_version holds the default (the command line's) on entry. */
int fin_script_header_options(struct script_run *r);
/* "ipv4", "ipv6", "ipv4-mapped-ipv6": false for anything else. */
bool fin_script_ip_version_parse(const char *name, enum script_ip_version *out);
/* True when the packets are IPv6 (--ip_version=ipv6). */
static inline bool fin_script_wire_v6(const struct script_run *r) {
  return r->ip_version == SCRIPT_IPV6;
}
/* The family of the sockets: AF_INET6 in both IPv6 modes. */
static inline enum fin_family fin_script_sock_family(const struct script_run *r) {
  return r->ip_version == SCRIPT_IPV4 ? FIN_AF_INET : FIN_AF_INET6;
}
/* IP and TCP header bytes before a segment's options (20 + 20 or 40 + 20). */
static inline uint32_t fin_script_headers_len(const struct script_run *r) {
  return (fin_script_wire_v6(r) ? FIN_IPV6_HDR_LEN : FIN_IPV4_HDR_MIN) + FIN_TCP_HDR_MIN;
}

/* commands.c */
bool fin_script_command(struct script_run *r, const struct script_event *ev, const char *cmd);

/* tcpinfo.c */
bool fin_script_code(struct script_run *r, const struct script_event *ev);
/* A tcpi_* field of Linux's struct tcp_info from fin's snapshot, in Linux
 * units: 1 found, -1 a Linux field fin does not provide, 0 no such field. */
int fin_script_tcpi_field(const struct fin_conn_info *i, const char *name, int64_t *v);
/* A Linux TCP_* or nplab TCPI_* state name as fin's state. */
bool fin_script_tcpi_state(const char *name, enum fin_state *out);

#endif
