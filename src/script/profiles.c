/* SPDX-License-Identifier: MIT */
/* Stack profiles (README §1d.2) as fin settings. */
#include "script/profiles.h"

#include <string.h>

#include "fin/types.h"

/* What every script assumes (README §1d.1): one local address, MTU 1500,
 * a 1 kHz TS clock, IW10, initial RTO 1 s. */
static void base(struct fin_settings *s) {
  fin_settings_default(s);
  s->local_addrs[0] = fin_addr_v4(0xc0a80001u); /* 192.168.0.1 */
  s->local_addr_count = 1;
  s->mtu = 1500;
  s->timestamps = true;
  s->window_scaling = true;
  s->sack_permitted = true;
  s->ts_hz = 1000;
  s->initial_cwnd_segments = 10;
  s->rto_initial = FIN_SEC(1);
  s->event_mask = 0;
}

/* google defaults.sh + Linux defaults: quick-ACK for the first 16
 * segments then a 40 ms delayed ACK; RTO = SRTT + max(4 RTTVAR, 200 ms);
 * TCP_USER_TIMEOUT and retransmission give-up are silent; an RST may kill
 * TIME-WAIT (tcp_rfc1337=0); invalid-segment ACKs 500 ms apart. */
static void linux_profile(struct fin_settings *s, uint32_t wscale_space) {
  s->option_layout = FIN_LAYOUT_LINUX;
  s->wscale_space = wscale_space; /* max(tcp_rmem[2], rmem_max) */
  s->sockbuf_double = true;       /* SO_RCVBUF/SO_SNDBUF: twice the request */
  s->rto_min = FIN_MS(200);
  s->rto_floor = FIN_RTO_FLOOR_VARIANCE;
  s->rtt_sample_passive_handshake = true;
  s->delack = FIN_MS(40);
  s->quickack_segments = 16;
  s->rfc1337 = false;
  s->timeout_rst = false;
  s->challenge_ack_interval = FIN_MS(500);
  s->msl = FIN_SEC(30);
  s->fin_timeout = FIN_SEC(60);
  s->ecn = FIN_ECN_PASSIVE;  /* tcp_ecn=2 */
  s->ecn_syn_retries = 0;    /* tcp_ecn_fallback=1 */
  s->fastopen_client = true; /* net.ipv4.tcp_fastopen=1, the kernel's default */
  /* tcp_recovery=1 (RACK), tcp_early_retrans=3 (TLP); tcp_schedule_loss_probe
   * adds TCP_RTO_MIN to the PTO of any lone segment, a FIN too; slow start
   * grows by every segment ACKed (tcp_slow_start). */
  s->recovery = FIN_RECOVERY_SACK_RACK;
  s->tlp = true;
  s->tlp_fin_no_delack = false;
  s->abc_limit = 0;
}

/* freebsd-net/tcp-testsuite preamble: recvspace 65536 rounded up to a
 * multiple of the MSS (65700), wscale 6 from maxsockbuf 2 MiB, EOL-padded
 * SYN-ACK options, 100 ms delayed ACK, RFC 1337 in TIME-WAIT, RTO floor
 * rexmit_min 30 ms, plus rexmit_slop 200 ms on every RTO but the initial. */
static void freebsd_profile(struct fin_settings *s) {
  s->option_layout = FIN_LAYOUT_FREEBSD;
  s->wscale_space = 2097152; /* kern.ipc.maxsockbuf: window scale 6 */
  s->rcvbuf = 65536;
  s->rcvbuf_round_to_mss = true;
  s->rcv_wnd_round_up = true; /* tcp_output: roundup2(recwin, 1 << rcv_scale) */
  s->sndbuf = 32768;
  s->rto_min = FIN_MS(30);
  s->rto_slop = FIN_MS(200);
  s->rto_max = FIN_SEC(64);  /* TCPTV_REXMTMAX */
  s->syn_retries = 12;       /* TCP_MAXRXTSHIFT */
  s->syn_timeout = 0;        /* no J3 floor (MUST-23): keepinit ends the attempt */
  s->keepinit = FIN_SEC(75); /* TCPTV_KEEP_INIT */
  s->rto_floor = FIN_RTO_FLOOR_TOTAL;
  s->rtt_sample_passive_handshake = true;
  s->delack = FIN_MS(100);
  s->quickack_segments = 0;
  s->delack_any_size = true; /* DELAY_ACK: a second segment is ACKed at once */
  s->rfc1337 = true;
  s->resend_fin_with_ack = true;  /* tcp_output repeats an unacknowledged FIN */
  s->rst_after_fin = false;       /* BEHAVIOR H3: no RCV.NXT-1 allowance */
  s->synfin = FIN_SYNFIN_ACCEPT;  /* net.inet.tcp.drop_synfin=0 */
  s->tolerate_missing_ts = false; /* net.inet.tcp.tolerate_missing_ts=0 */
  /* tcp_input: rcv_wnd = imax(sbspace, rcv_adv - rcv_nxt), and its RST
   * check SEQ_LT(th_seq, last_ack_sent + rcv_wnd). */
  s->rcv_wnd_space = true;
  s->listen_synack_drop = true; /* tcp_input: "(SYN|ACK) is bogus on a listen socket" */
  s->rst_right_edge_outside = true;
  s->icmp_abort = FIN_ICMP_ABORT_FREEBSD; /* net.inet.tcp.icmp_may_rst=1 */
  s->ecn = FIN_ECN_PASSIVE;               /* net.inet.tcp.ecn.enable=2 */
  s->ecn_syn_retries = 1;                 /* net.inet.tcp.ecn.maxretries=1 */
  s->msl = FIN_SEC(30);
  s->fin_timeout = FIN_SEC(60);
  /* net.inet.tcp.fastopen: client_enable=1, server_enable=0, autokey 120 s,
   * path_disable_time 900 s (the defaults; settings.fastopen_*). */
  s->fastopen_client = true;
  /* The default stack (net.inet.tcp.functions_default=freebsd): SACK
   * recovery (RFC 6675, tcp_sack.c) with PRR, no RACK nor TLP (those are
   * the rack stack's); newreno's slow start by RFC 3465 with
   * net.inet.tcp.abc_l_var=2. */
  s->recovery = FIN_RECOVERY_SACK;
  s->tlp = false;
  s->abc_limit = 2;
}

/* gVisor netstack (2020) timing: RTO floor 200 ms on the total, no RTT
 * sample from the passive handshake (README §1d.2 caveat), silent abort on
 * TCP_USER_TIMEOUT. Options and windows are unchecked by these scripts. */
static void agnostic_profile(struct fin_settings *s) {
  linux_profile(s, 6291456);
  s->rto_floor = FIN_RTO_FLOOR_TOTAL;
  s->rtt_sample_passive_handshake = false;
  s->timeout_rst = false;
}

struct profile_entry {
  const char *name;
  double tolerance_percent;
};

static const struct profile_entry entries[] = {
    {"linux", 12.5},  {"linux-ws8", 12.5}, {"linux-ws6", 12.5},
    {"freebsd", 5.0}, {"agnostic", 12.5},  {"fin", 12.5},
};

const char *fin_script_profile_names(void) {
  return "linux, linux-ws8, linux-ws6, freebsd, agnostic, fin";
}

static void apply(const char *name, struct fin_settings *set) {
  if (strcmp(name, "linux") == 0 || strcmp(name, "linux-ws8") == 0)
    linux_profile(set, 8388608); /* window scale 8 */
  else if (strcmp(name, "linux-ws6") == 0)
    linux_profile(set, 2097152); /* window scale 6 */
  else if (strcmp(name, "freebsd") == 0)
    freebsd_profile(set);
  else if (strcmp(name, "agnostic") == 0)
    agnostic_profile(set);
}

bool fin_script_profile_get(const char *name, struct fin_settings *set,
                            struct script_profile *prof) {
  for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
    if (strcmp(entries[i].name, name) != 0)
      continue;
    base(set);
    apply(name, set);
    prof->name = entries[i].name;
    prof->tolerance_percent = entries[i].tolerance_percent;
    prof->fcntl_rdwr = 0x02; /* O_RDWR */
    return true;
  }
  return false;
}
