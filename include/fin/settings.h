/* SPDX-License-Identifier: MIT */
/** @file fin/settings.h
 * @brief Stack settings. Fill with fin_settings_default(), change what you
 * need, pass to fin_stack_new() (or fin_stack_set_settings(), for new
 * connections). Profiles (packetdrill runner, CLI) only ever change these
 * values, never the engine's code path. */
#ifndef FIN_SETTINGS_H
#define FIN_SETTINGS_H

#include <stdbool.h>
#include "fin/addr.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Order of the options in SYN and SYN-ACK segments. Both layouts carry the
 * same information; peers and scripts differ in which they expect. */
enum fin_option_layout {
  FIN_LAYOUT_LINUX = 0, /**< mss,sackOK,TS,nop,wscale | mss,nop,nop,sackOK,nop,wscale */
  FIN_LAYOUT_FREEBSD,   /**< mss,nop,wscale,sackOK,TS | mss,sackOK,eol,eol (padding with EOL) */
};

/** Where the RTO floor applies. */
enum fin_rto_floor {
  FIN_RTO_FLOOR_TOTAL = 0, /**< RFC 6298 (2.4): RTO = max(SRTT + max(G, 4*RTTVAR), rto_min) */
  FIN_RTO_FLOOR_VARIANCE,  /**< Linux: RTO = SRTT + max(4*RTTVAR, rto_min) */
};

/** BEHAVIOR L1: what to do when the accept queue is full at the final ACK. */
enum fin_accept_overflow {
  FIN_ACCEPT_OVERFLOW_DROP = 0, /**< drop the ACK; the peer retransmits (Linux default) */
  FIN_ACCEPT_OVERFLOW_RST,      /**< answer with RST (Linux tcp_abort_on_overflow) */
};

/** BEHAVIOR J6: which ICMP errors about a SYN abort the attempt. RFC 1122
 * §4.2.3.9 and RFC 5461 leave the set to the stack. */
enum fin_icmp_abort {
  FIN_ICMP_ABORT_J6 = 0,  /**< protocol/port unreachable, SND.UNA <= seq <= SND.MAX (Linux) */
  FIN_ICMP_ABORT_FREEBSD, /**< also admin-prohibited (9, 10, 13) and TTL exceeded in transit
                           * (EHOSTUNREACH), SYN-SENT only, SND.UNA <= seq < SND.MAX
                           * (net.inet.tcp.icmp_may_rst=1) */
  FIN_ICMP_ABORT_NEVER,   /**< no ICMP error aborts (icmp_may_rst=0) */
};

/** A SYN that also carries FIN: RFC 9293 does not forbid it, stacks differ. */
enum fin_synfin {
  FIN_SYNFIN_DROP_IN_LISTEN = 0, /**< LISTEN discards it, SYN-SENT takes the SYN (Linux) */
  FIN_SYNFIN_ACCEPT,             /**< LISTEN and SYN-SENT take the SYN (FreeBSD drop_synfin=0) */
  FIN_SYNFIN_DROP, /**< LISTEN and SYN-SENT drop it silently (FreeBSD drop_synfin=1) */
};

/** ECN (RFC 3168) on new connections: Linux net.ipv4.tcp_ecn's modes
 * (FreeBSD net.inet.tcp.ecn.enable has the same three). */
enum fin_ecn {
  FIN_ECN_OFF = 0, /**< no ECN: an ECN-setup SYN is answered with a plain SYN-ACK */
  FIN_ECN_ON,      /**< ask on connect (an ECN-setup SYN) and accept when asked */
  FIN_ECN_PASSIVE, /**< accept when asked, never ask (the Linux and FreeBSD default) */
};

/** How a sender finds and repairs lost segments (docs/engine.md, Loss
 * recovery). The SACK modes need SACK on the connection (RFC 2018); without
 * it a connection recovers as NewReno. */
enum fin_recovery {
  FIN_RECOVERY_NEWRENO = 0, /**< RFC 5681 / RFC 6582: three duplicate ACKs, one hole per round
                             * trip; received SACK blocks are not used */
  FIN_RECOVERY_SACK,        /**< RFC 6675 scoreboard, DupThresh loss detection, PRR (RFC 6937):
                             * FreeBSD's default stack */
  FIN_RECOVERY_SACK_RACK,   /**< RFC 6675 scoreboard, RACK time-based loss detection (RFC 8985
                             * §6), PRR: Linux net.ipv4.tcp_recovery=1 (the default) */
};

/** Everything a stack can be told. Defaults (fin_settings_default()) are
 * Linux-like where docs/behavior.md leaves the choice; times are fin_time
 * nanoseconds; the comments name the docs/behavior.md rows a setting
 * controls. */
struct fin_settings {
  /** Addresses this stack owns, of either family (fin/addr.h); none: every
   * destination is taken as local. */
  struct fin_addr local_addrs[4];
  unsigned local_addr_count;   /**< entries used in local_addrs (0..4) */
  uint16_t mtu;                /**< IP MTU; MSS = mtu - 40 (IPv4), max(mtu, 1280) - 60 (IPv6) */
  bool bindv6only;             /**< IPV6_V6ONLY for new sockets (Linux net.ipv6.bindv6only) */
  uint16_t ephemeral_port_min; /**< inclusive */
  uint16_t ephemeral_port_max; /**< inclusive */
  uint8_t ttl;                 /**< IPv4 TTL / IPv6 hop limit of what we send (default 64) */

  /* Buffers (per connection, bytes). */
  uint32_t sndbuf;          /**< send buffer per connection, bytes (default 65536) */
  uint32_t rcvbuf;          /**< receive buffer per connection, bytes (default 65536) */
  uint32_t sndbuf_max;      /**< M16: SO_SNDBUF is clamped to this (Linux wmem_max) */
  uint32_t rcvbuf_max;      /**< M16: SO_RCVBUF is clamped to this (Linux rmem_max) */
  bool rcvbuf_round_to_mss; /**< FreeBSD: RCV buffer rounded up to a multiple of the MSS (the
                             * MSS before options, FreeBSD t_maxseg) */
  bool rcv_wnd_round_up;    /**< FreeBSD tcp_output: a scaled window is rounded up to the next
                             * multiple of 2^shift ("avoid shrinking window with window
                             * scaling"); off: rounded down, never more than the space */
  bool sockbuf_double;      /**< Linux: SO_RCVBUF/SO_SNDBUF store (and report) twice the request */
  uint8_t rcv_wscale;       /**< our window scale shift (RFC 7323 §2.3), 0..14 */
  uint32_t wscale_space;    /**< nonzero: rcv_wscale is the smallest shift whose window reaches
                             * this many bytes (FreeBSD kern.ipc.maxsockbuf, Linux
                             * max(tcp_rmem[2], rmem_max)); fin_stack_settings() then
                             * reports the shift in use. 0: rcv_wscale as given */
  uint32_t initial_cwnd_segments; /**< IW, RFC 5681 / RFC 6928 */

  /* Options offered on SYN / SYN-ACK. */
  bool timestamps;                      /**< offer RFC 7323 timestamps (default on) */
  bool window_scaling;                  /**< offer RFC 7323 window scaling (default on) */
  bool sack_permitted;                  /**< offer SACK (RFC 2018; default on) */
  enum fin_option_layout option_layout; /**< option order in SYN / SYN-ACK */
  uint32_t ts_hz;                       /**< TSval clock rate (RFC 7323 §5.4), default 1000 */

  /* ECN (RFC 3168). */
  enum fin_ecn ecn;        /**< the mode for new sockets (per socket FIN_TCP_ECN; default off) */
  uint8_t ecn_syn_retries; /**< SYN retransmissions that still ask for ECN (FreeBSD
                            * net.inet.tcp.ecn.maxretries; 0: only the first SYN, as Linux
                            * tcp_ecn_fallback=1) */

  /* Retransmission (BEHAVIOR J1, J2, J3, F4). */
  fin_time rto_initial;         /**< RTO before any RTT sample (RFC 6298 (2.1): 1 s) */
  fin_time rto_min;             /**< RTO floor (J1: 200 ms) */
  fin_time rto_max;             /**< RTO ceiling with backoff (120 s) */
  enum fin_rto_floor rto_floor; /**< where rto_min applies */
  fin_time rto_slop;            /**< FreeBSD rexmit_slop: added to every RTO from a measurement or a
                                 * backoff, not to the initial one; 0 = none (RFC 6298) */
  bool rtt_sample_passive_handshake; /**< take an RTT sample from SYN-ACK -> ACK */
  uint32_t retries_r1;               /**< R1: threshold for negative advice (counted only) */
  uint32_t retries_r2;               /**< R2: give up after this many retransmissions */
  uint32_t orphan_retries;           /**< F4: R2 for orphaned connections */
  uint32_t syn_retries;              /**< SYN retransmissions before giving up */
  fin_time syn_timeout;              /**< J3: minimum total SYN retransmission time */
  bool syn_rexmit_drop_options;      /**< FreeBSD rexmit_drop_options: the 3rd and later SYN
                                      * retransmissions carry only MSS, and wscale/TS/SACK are
                                      * then not used (a middlebox may drop options) */
  fin_time keepinit;       /**< FreeBSD keepinit: SYN-SENT gives up this long after connect
                            * (a ceiling; TCP_KEEPINIT per socket); 0 = none */
  uint32_t synack_retries; /**< SYN-ACK retransmissions before a SYN-RECEIVED gives up (5) */
  bool timeout_rst;        /**< J2: best-effort RST when giving up */

  /* Loss recovery and congestion window (RFC 5681, RFC 6675, RFC 8985, RFC 3465). */
  enum fin_recovery recovery; /**< loss detection and repair (default FIN_RECOVERY_SACK_RACK) */
  bool tlp; /**< RFC 8985 §7 tail loss probe in the SACK modes (Linux tcp_early_retrans
             * >= 3; default on) */
  bool tlp_fin_no_delack; /**< a PTO for one segment in flight that carries our FIN adds no
                           * delayed-ACK allowance (a FIN is ACKed at once: FreeBSD, fin);
                           * off: every lone segment gets it (Linux); default on */
  uint32_t abc_limit;     /**< RFC 3465 §2.2 L: slow start grows cwnd by the bytes an ACK
                           * acknowledges, at most this many segments; 0 = no limit (Linux
                           * tcp_slow_start); default 1 (one segment per ACK) */

  /* Delayed ACK (RFC 1122 4.2.3.2, RFC 9293 §3.8.6.3). */
  fin_time delack;            /**< delay; 0 = ACK every segment at once */
  uint32_t quickack_segments; /**< ACK at once for this many segments after start/idle (Linux) */
  bool delack_any_size;       /**< FreeBSD DELAY_ACK: every second segment is ACKed at once
                               * whatever its size, not every second full-sized one */
  bool nodelay;               /**< TCP_NODELAY default for new sockets */

  /* Closing (BEHAVIOR E1, E3, E7, E8, F1, A8, A9). */
  fin_time msl;             /**< TIME-WAIT lasts 2*msl */
  fin_time fin_timeout;     /**< F1: orphaned FIN-WAIT-2 */
  bool rfc1337;             /**< E3: ignore every RST in TIME-WAIT */
  bool fin_wait_2_rst;      /**< F1: reaping an orphaned FIN-WAIT-2 sends one RST (off: silent) */
  bool resend_fin_with_ack; /**< FreeBSD: an ACK sent while our FIN is unacked repeats the FIN */
  bool rst_time_wait;       /**< A8: keep a TIME-WAIT record after sending an abortive RST */
  bool strict_malformed_abort; /**< A9: in-window malformed segment aborts with RST */
  uint32_t max_time_wait;      /**< E8 cap */
  bool tw_reuse;               /**< E9: outgoing connects may reuse a TIME-WAIT 4-tuple with TS */
  fin_time shutdown_grace;     /**< K2 default grace period */

  /* What an arriving segment may do: one predicate per setting (policy.c). */
  /* RFC 793 legacy modes. DANGEROUS, off by default: RFC 5961 §3 and §4 exist
   * because with these an off-path attacker who guesses any sequence number
   * inside the window resets the connection (`fin sim blind-reset`). Only for
   * conformance with stacks that still offer them (FreeBSD insecure_rst,
   * insecure_syn). */
  bool insecure_rst; /**< any in-window RST resets (RFC 793 §3.4), not only SEG.SEQ == RCV.NXT */
  bool insecure_syn; /**< an in-window SYN resets, answered with RST (RFC 793 §3.9) */
  bool
      rst_after_fin; /**< H3: a RST at RCV.NXT-1 after the peer's FIN resets (Linux; FreeBSD off) */
  enum fin_synfin synfin;         /**< a SYN that also carries FIN (RFC 9293 leaves it open) */
  enum fin_icmp_abort icmp_abort; /**< J6: ICMP errors that abort a connection attempt */
  bool tolerate_missing_ts; /**< RFC 7323 §3.2: keep segments without TSopt once TS is negotiated
                             * (Linux); false drops them silently (SHOULD), except RSTs */
  bool listen_synack_drop;  /**< a SYN+ACK arriving in LISTEN is dropped silently (FreeBSD);
                             * off: <SEQ=SEG.ACK><CTL=RST> (A2, RFC 9293 §3.10.7.2) */
  bool rcv_wnd_space;       /**< acceptability window = max(advertised window, free receive
                             * space) outside a passive SYN-RECEIVED (FreeBSD tcp_input
                             * rcv_wnd); off: the advertised window only (BEHAVIOR M10) */
  bool rst_right_edge_outside; /**< a RST at exactly RCV.NXT+RCV.WND is outside the window and
                                * dropped (RFC 9293 §3.10.7.4 strict test, FreeBSD); off: it is
                                * accepted like any zero-length segment there (Linux) and
                                * challenged (RFC 5961 §3.2) */

  /* Rate limits (A6, A7). */
  fin_time challenge_ack_interval; /**< per connection; 0 = unlimited */
  uint32_t rst_rate_per_sec;       /**< stack-wide RSTs for closed ports; 0 = unlimited */

  /* Keep-alive (J4). */
  fin_time keepalive_idle;     /**< idle time before the first probe (J4: 7200 s) */
  fin_time keepalive_interval; /**< between probes (75 s) */
  uint32_t keepalive_probes;   /**< unanswered probes that end the connection (9) */

  /* Resources (F3, L1). */
  uint32_t max_connections;   /**< live connections at most (F3) */
  uint32_t max_orphans;       /**< orphaned connections at most; over it the oldest get RST (F3) */
  uint64_t max_buffer_memory; /**< send + receive buffer bytes of all connections (F3) */
  uint32_t syn_backlog;       /**< per-listener SYN queue cap */
  bool syn_cookies;           /**< answer with a SYN cookie when the SYN queue is full (L1) */
  bool syncookies_only;       /**< every SYN gets a cookie, no SYN-RECEIVED state kept (FreeBSD);
                               * needs syn_cookies */
  enum fin_accept_overflow accept_overflow; /**< accept queue full at the final ACK (L1) */
  fin_time syn_recv_timeout; /**< reserved, not read yet: SYN-RECEIVED ends after synack_retries */

  /* TCP Fast Open (RFC 7413), off by default. A socket opts in: a listener
   * with TCP_FASTOPEN (its queue length), a client with TCP_FASTOPEN
   * (FreeBSD), TCP_FASTOPEN_CONNECT or MSG_FASTOPEN (Linux). */
  bool fastopen_client;           /**< client TFO (Linux tcp_fastopen & 1, FreeBSD
                                   * fastopen.client_enable); off forgets every cookie */
  bool fastopen_server;           /**< server TFO (tcp_fastopen & 2, fastopen.server_enable) */
  fin_time fastopen_key_lifetime; /**< RFC 7413 §4.1.2: the cookie key is replaced this often, the
                                   * one it replaces stays valid as long again (FreeBSD autokey,
                                   * 120 s) */
  fin_time fastopen_path_disable; /**< §4.1.3.1: after a negative response no TFO towards that
                                   * server for this long (FreeBSD path_disable_time, 900 s) */
  uint32_t fastopen_cache_max;    /**< §4.1.3: destinations in the client cookie cache (LRU) */
  fin_time fastopen_cache_ttl;    /**< a destination unused this long is forgotten (1 h) */

  /** Events: bitmask of (1u << enum fin_event_type) to queue; 0 = none
   * (default FIN_EVENTS_DEFAULT). */
  uint32_t event_mask;
  uint32_t event_queue_max; /**< events beyond this are dropped and counted */
};

/** Fills settings with fin's defaults (every field; nothing is left
 * uninitialised).
 * @param s the settings to fill */
void fin_settings_default(struct fin_settings *s);

#ifdef __cplusplus
}
#endif
#endif
