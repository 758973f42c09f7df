/* SPDX-License-Identifier: MIT */
/** @file fin/counters.h
 * @brief Stack counters: per drop reason, per RST-sent reason, per abort
 * reason, RFC 4022 basics and TIME-WAIT accounting. One X-macro list is the
 * single source of truth for the struct, the names and the printer. Names
 * use Linux nstat spelling where Linux has the counter, "Fin..." otherwise. */
#ifndef FIN_COUNTERS_H
#define FIN_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The counters, X(field, "name"): expand it with your own X to walk them
 * at compile time (the struct, the names and the printer are made this way). */
#define FIN_COUNTERS_LIST(X)                                                                       \
  /* RFC 4022 tcp MIB basics */                                                                    \
  X(active_opens, "TcpActiveOpens")                                                                \
  X(passive_opens, "TcpPassiveOpens")                                                              \
  X(attempt_fails, "TcpAttemptFails")                                                              \
  X(estab_resets, "TcpEstabResets")                                                                \
  X(curr_estab, "TcpCurrEstab")                                                                    \
  X(in_segs, "TcpInSegs")                                                                          \
  X(out_segs, "TcpOutSegs")                                                                        \
  X(retrans_segs, "TcpRetransSegs")                                                                \
  X(in_errs, "TcpInErrs")                                                                          \
  X(in_csum_errors, "TcpInCsumErrors")                                                             \
  X(out_rsts, "TcpOutRsts")                                                                        \
  /* IPv4 input (RFC 4293) */                                                                      \
  X(ip_in_receives, "IpInReceives")                                                                \
  X(ip_in_hdr_errors, "IpInHdrErrors")                                                             \
  X(ip_in_addr_errors, "IpInAddrErrors")                                                           \
  X(ip_in_unknown_protos, "IpInUnknownProtos")                                                     \
  X(ip_reasm_reqds, "IpReasmReqds")                                                                \
  X(ip_reasm_fails, "IpReasmFails")                                                                \
  X(ip_in_delivers, "IpInDelivers")                                                                \
  X(ip_out_requests, "IpOutRequests")                                                              \
  X(icmp_in_msgs, "IcmpInMsgs")                                                                    \
  /* IPv6 input (Linux /proc/net/snmp6 names) */                                                   \
  X(ip6_in_receives, "Ip6InReceives")                                                              \
  X(ip6_in_hdr_errors, "Ip6InHdrErrors")                                                           \
  X(ip6_in_truncated, "Ip6InTruncatedPkts")                                                        \
  X(ip6_in_addr_errors, "Ip6InAddrErrors")                                                         \
  X(ip6_in_unknown_protos, "Ip6InUnknownProtos")                                                   \
  X(ip6_reasm_reqds, "Ip6ReasmReqds")                                                              \
  X(ip6_reasm_fails, "Ip6ReasmFails")                                                              \
  X(ip6_in_delivers, "Ip6InDelivers")                                                              \
  X(ip6_out_requests, "Ip6OutRequests")                                                            \
  X(icmp6_in_msgs, "Icmp6InMsgs")                                                                  \
  /* the ECN field of datagrams received, per family (Linux IpExt, snmp6) */                       \
  X(ip_in_noect, "IpExtInNoECTPkts")                                                               \
  X(ip_in_ect1, "IpExtInECT1Pkts")                                                                 \
  X(ip_in_ect0, "IpExtInECT0Pkts")                                                                 \
  X(ip_in_ce, "IpExtInCEPkts")                                                                     \
  X(ip6_in_noect, "Ip6InNoECTPkts")                                                                \
  X(ip6_in_ect1, "Ip6InECT1Pkts")                                                                  \
  X(ip6_in_ect0, "Ip6InECT0Pkts")                                                                  \
  X(ip6_in_ce, "Ip6InCEPkts")                                                                      \
  /* ECN, RFC 3168 */                                                                              \
  X(ecn_negotiated, "FinEcnNegotiated")                                                            \
  X(ecn_cwnd_reduced, "FinEcnCwndReduced")                                                         \
  X(delivered_ce, "TcpExtTCPDeliveredCE")                                                          \
  /* drops by reason (malformed input: BEHAVIOR A9) */                                             \
  X(drop_ip_truncated, "FinDropIpTruncated")                                                       \
  X(drop_ip_version, "FinDropIpVersion")                                                           \
  X(drop_ip_header_len, "FinDropIpHeaderLen")                                                      \
  X(drop_ip_total_len, "FinDropIpTotalLen")                                                        \
  X(drop_ip_checksum, "FinDropIpChecksum")                                                         \
  X(drop_ip_options, "FinDropIpOptions")                                                           \
  X(drop_ip6_ext_header, "FinDropIp6ExtHeader")                                                    \
  X(drop_ip6_routing, "FinDropIp6Routing")                                                         \
  X(drop_ip_fragment, "FinDropIpFragment")                                                         \
  X(drop_ip_not_local, "FinDropIpNotLocal")                                                        \
  X(drop_ip_martian, "FinDropIpMartianSource")                                                     \
  X(drop_ip_protocol, "FinDropIpProtocol")                                                         \
  X(drop_tcp_truncated, "FinDropTcpTruncated")                                                     \
  X(drop_tcp_data_offset, "FinDropTcpDataOffset")                                                  \
  X(drop_tcp_checksum, "FinDropTcpChecksum")                                                       \
  X(drop_tcp_option, "FinDropTcpOption")                                                           \
  X(drop_tcp_flags, "FinDropTcpFlags")                                                             \
  X(drop_tcp_port_zero, "FinDropTcpPortZero")                                                      \
  X(drop_icmp_malformed, "FinDropIcmpMalformed")                                                   \
  /* drops by reason (protocol) */                                                                 \
  X(drop_rst_no_conn, "FinDropRstNoConn")                                                          \
  X(drop_listen_rst, "FinDropListenRst")                                                           \
  X(drop_listen_other, "FinDropListenOther")                                                       \
  X(drop_listen_overflow, "TcpExtListenOverflows")                                                 \
  X(drop_listen_syn_queue, "TcpExtListenDrops")                                                    \
  X(drop_syn_sent_bad, "FinDropSynSentBad")                                                        \
  X(drop_out_of_window, "FinDropOutOfWindow")                                                      \
  X(drop_paws, "TcpExtPAWSEstab")                                                                  \
  X(drop_paws_tw, "TcpExtPAWSTimewait")                                                            \
  X(drop_missing_ts, "FinDropMissingTs")                                                           \
  X(drop_rst_out_of_window, "FinDropRstOutOfWindow")                                               \
  X(drop_rst_challenged, "FinDropRstChallenged")                                                   \
  X(legacy_rst_resets, "FinLegacyRstResets")                                                       \
  X(legacy_syn_resets, "FinLegacySynResets")                                                       \
  X(drop_no_ack_flag, "FinDropNoAckFlag")                                                          \
  X(drop_ack_too_old, "FinDropAckTooOld")                                                          \
  X(drop_ack_too_new, "TcpExtTCPACKSkippedSeq")                                                    \
  X(drop_after_fin, "FinDropDataAfterFin")                                                         \
  X(drop_ooo_no_room, "TcpExtTCPOFODrop")                                                          \
  X(drop_zero_window, "TcpExtTCPZeroWindowDrop")                                                   \
  X(drop_rcv_no_room, "TcpExtTCPRcvQDrop")                                                         \
  X(drop_tw_segment, "FinDropTimeWaitSegment")                                                     \
  X(drop_rst_time_wait, "FinDropRstTimeWait")                                                      \
  X(drop_bad_syncookie, "TcpExtSyncookiesFailed")                                                  \
  X(drop_icmp_ignored, "FinDropIcmpIgnored")                                                       \
  X(drop_syn_land, "FinDropSynLand")                                                               \
  X(drop_syn_martian, "FinDropSynMartianSource")                                                   \
  /* RSTs sent, by reason */                                                                       \
  X(rst_no_conn, "FinRstNoConn")                                                                   \
  X(rst_listen_ack, "FinRstListenAck")                                                             \
  X(rst_syn_sent_bad_ack, "FinRstSynSentBadAck")                                                   \
  X(rst_syn_recv_bad_ack, "FinRstSynRecvBadAck")                                                   \
  X(rst_closed_socket, "FinRstClosedSocket")                                                       \
  X(rst_abort, "FinRstAbort")                                                                      \
  X(rst_timeout, "FinRstTimeout")                                                                  \
  X(rst_listen_close, "FinRstListenClose")                                                         \
  X(rst_syn_no_memory, "FinRstSynNoMemory")                                                        \
  X(rst_accept_overflow, "FinRstAcceptOverflow")                                                   \
  X(rst_malformed_strict, "FinRstMalformedStrict")                                                 \
  X(rst_rate_limited, "TcpExtTCPRstRateLimited")                                                   \
  X(rst_queue_full, "FinRstQueueFull")                                                             \
  /* aborts, by reason (Linux TcpExtTCPAbortOn*) */                                                \
  X(abort_on_close, "TcpExtTCPAbortOnClose")                                                       \
  X(abort_on_data, "TcpExtTCPAbortOnData")                                                         \
  X(abort_on_timeout, "TcpExtTCPAbortOnTimeout")                                                   \
  X(abort_on_linger, "TcpExtTCPAbortOnLinger")                                                     \
  X(abort_on_memory, "TcpExtTCPAbortOnMemory")                                                     \
  X(abort_failed, "TcpExtTCPAbortFailed")                                                          \
  X(abort_on_user, "FinAbortOnUser")                                                               \
  X(abort_on_admin, "FinAbortOnAdmin")                                                             \
  X(abort_on_shutdown, "FinAbortOnShutdown")                                                       \
  X(abort_on_icmp, "FinAbortOnIcmp")                                                               \
  X(abort_on_malformed, "FinAbortOnMalformed")                                                     \
  /* RFC 5961 and rate limits */                                                                   \
  X(challenge_acks, "TcpExtTCPChallengeACK")                                                       \
  X(syn_challenges, "TcpExtTCPSYNChallenge")                                                       \
  X(ack_rate_limited, "TcpExtTCPACKSkippedChallenge")                                              \
  /* TIME-WAIT */                                                                                  \
  X(tw_entered, "TcpExtTW")                                                                        \
  X(tw_expired, "FinTimeWaitExpired")                                                              \
  X(tw_recycled, "TcpExtTWRecycled")                                                               \
  X(tw_overflow, "TcpExtTCPTimeWaitOverflow")                                                      \
  X(tw_killed, "TcpExtTWKilled")                                                                   \
  X(tw_reopened, "FinTimeWaitReopened")                                                            \
  X(tw_restored, "FinTimeWaitRestored")                                                            \
  X(tw_fin_reacked, "FinTimeWaitFinReacked")                                                       \
  X(tw_current, "FinTimeWaitCurrent")                                                              \
  /* TCP Fast Open (RFC 7413) */                                                                   \
  X(tfo_active, "TcpExtTCPFastOpenActive")                                                         \
  X(tfo_active_fail, "TcpExtTCPFastOpenActiveFail")                                                \
  X(tfo_passive, "TcpExtTCPFastOpenPassive")                                                       \
  X(tfo_passive_fail, "TcpExtTCPFastOpenPassiveFail")                                              \
  X(tfo_passive_altkey, "TcpExtTCPFastOpenPassiveAltKey")                                          \
  X(tfo_listen_overflow, "TcpExtTCPFastOpenListenOverflow")                                        \
  X(tfo_cookie_reqd, "TcpExtTCPFastOpenCookieReqd")                                                \
  /* timers and orphans */                                                                         \
  X(fin_wait2_timeouts, "FinFinWait2Timeouts")                                                     \
  X(keepalive_probes, "FinKeepaliveProbes")                                                        \
  X(persist_probes, "FinPersistProbes")                                                            \
  X(rto_timeouts, "TcpExtTCPTimeouts")                                                             \
  X(syn_retrans, "TcpExtTCPSynRetrans")                                                            \
  X(fast_retrans, "TcpExtTCPFastRetrans")                                                          \
  X(sack_recovery, "TcpExtTCPSackRecovery")                                                        \
  X(loss_probes, "TcpExtTCPLossProbes")                                                            \
  X(loss_probe_recovery, "TcpExtTCPLossProbeRecovery")                                             \
  X(sack_reorder, "TcpExtTCPSACKReorder")                                                          \
  X(dsack_recv, "TcpExtTCPDSACKRecv")                                                              \
  X(lost_retransmit, "TcpExtTCPLostRetransmit")                                                    \
  X(sack_discard, "TcpExtTCPSACKDiscard")                                                          \
  X(delayed_acks, "TcpExtDelayedACKs")                                                             \
  X(orphans_current, "FinOrphansCurrent")                                                          \
  X(syncookies_sent, "TcpExtSyncookiesSent")                                                       \
  X(syncookies_recv, "TcpExtSyncookiesRecv")                                                       \
  X(syn_recv_timeouts, "FinSynRecvTimeouts")                                                       \
  X(embryonic_rsts, "TcpExtEmbryonicRsts")                                                         \
  X(ooo_queued, "TcpExtTCPOFOQueue")                                                               \
  X(ooo_pruned, "TcpExtOfoPruned")                                                                 \
  X(old_duplicates, "TcpExtDelayedACKLost")                                                        \
  X(pmtu_updates, "FinPathMtuUpdates")                                                             \
  X(events_dropped, "FinEventsDropped")                                                            \
  X(alloc_failures, "FinAllocFailures")

/** The counters of one stack (fin_stack_counters()): one uint64_t field per
 * FIN_COUNTERS_LIST entry, in list order, each counting since the stack was
 * created. Read them by name with fin_counters_name() / fin_counters_value()
 * or as text with fin_counters_format(). */
struct fin_counters {
/** @cond FIN_COUNTER_FIELDS (each field is named in FIN_COUNTERS_LIST) */
#define FIN_COUNTER_FIELD(field, name) uint64_t field;
  FIN_COUNTERS_LIST(FIN_COUNTER_FIELD)
#undef FIN_COUNTER_FIELD
  /** @endcond */
};

/** The number of counters.
 * @return the entries in FIN_COUNTERS_LIST */
size_t fin_counters_count(void);
/** A counter's name, in struct order.
 * @param index 0 .. fin_counters_count() - 1
 * @return "TcpActiveOpens", ... (static), or NULL past the end */
const char *fin_counters_name(size_t index);
/** A counter's value by index.
 * @param c the counters
 * @param index 0 .. fin_counters_count() - 1
 * @return the value, 0 past the end */
uint64_t fin_counters_value(const struct fin_counters *c, size_t index);

/** Writes "name value\n" lines (nstat style).
 * @param c the counters
 * @param all nonzero: every counter; 0: only those that are not zero
 * @param buf where the text goes (NUL-terminated if cap > 0)
 * @param cap its size; a short buffer truncates
 * @return the length the full text needs, without the NUL (like snprintf) */
size_t fin_counters_format(const struct fin_counters *c, int all, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
