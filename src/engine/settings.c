/* SPDX-License-Identifier: MIT */
/* Default settings: Linux-like where docs/behavior.md leaves the choice. */
#include "internal.h"

void fin_settings_default(struct fin_settings *s) {
  memset(s, 0, sizeof(*s));
  s->mtu = 1500;
  s->ephemeral_port_min = 32768; /* Linux ip_local_port_range */
  s->ephemeral_port_max = 60999;
  s->ttl = 64;
  s->sndbuf = 65536;
  s->rcvbuf = 65536;
  s->sndbuf_max = 212992; /* BEHAVIOR M16: Linux net.core.wmem_max */
  s->rcvbuf_max = 212992; /* Linux net.core.rmem_max */
  s->rcv_wscale = 7;
  s->wscale_space = 6291456;     /* Linux tcp_rmem[2]: window scale 7 */
  s->initial_cwnd_segments = 10; /* RFC 6928 */
  s->timestamps = true;
  s->window_scaling = true;
  s->sack_permitted = true;
  s->option_layout = FIN_LAYOUT_LINUX;
  s->ts_hz = 1000;
  /* RFC 3168 stays opt-in: some paths still drop ECN-setup SYNs. */
  s->ecn = FIN_ECN_OFF;
  s->rto_initial = FIN_SEC(1); /* RFC 6298 (2.1) */
  s->rto_min = FIN_MS(200);    /* BEHAVIOR J1 */
  s->rto_max = FIN_SEC(120);
  s->rto_floor = FIN_RTO_FLOOR_TOTAL;
  s->rtt_sample_passive_handshake = true;
  s->retries_r1 = 3;  /* RFC 1122 4.2.3.5 */
  s->retries_r2 = 15; /* Linux tcp_retries2 */
  s->orphan_retries = 8;
  s->syn_retries = 7;
  s->syn_timeout = FIN_SEC(180); /* BEHAVIOR J3: MUST-23, at least 3 minutes */
  s->synack_retries = 5;
  s->timeout_rst = true;
  s->recovery = FIN_RECOVERY_SACK_RACK; /* what Linux and FreeBSD's RACK stack do */
  s->tlp = true;
  s->tlp_fin_no_delack = true;
  s->abc_limit = 1;
  s->delack = FIN_MS(40);
  s->quickack_segments = 16;    /* Linux TCP_MAX_QUICKACKS */
  s->msl = FIN_SEC(30);         /* BEHAVIOR E1 */
  s->fin_timeout = FIN_SEC(60); /* BEHAVIOR F1 */
  s->max_time_wait = 262144;
  s->tw_reuse = true;
  s->shutdown_grace = FIN_SEC(5);
  s->rst_after_fin = true;                 /* BEHAVIOR H3 (Linux) */
  s->tolerate_missing_ts = true;           /* Linux; RFC 7323 §3.2 MUST NOT abort either way */
  s->challenge_ack_interval = FIN_MS(500); /* BEHAVIOR A6 */
  s->rst_rate_per_sec = 200;               /* BEHAVIOR A7 */
  s->keepalive_idle = FIN_SEC(7200);       /* BEHAVIOR J4 */
  s->keepalive_interval = FIN_SEC(75);
  s->keepalive_probes = 9;
  s->max_connections = 1u << 22;
  s->max_orphans = 65536;
  s->max_buffer_memory = 1ull << 31;
  s->syn_backlog = 1024;
  s->syn_cookies = true;
  s->accept_overflow = FIN_ACCEPT_OVERFLOW_DROP;
  s->fastopen_key_lifetime = FIN_SEC(120); /* FreeBSD net.inet.tcp.fastopen.autokey */
  s->fastopen_path_disable = FIN_SEC(900); /* FreeBSD fastopen.path_disable_time */
  s->fastopen_cache_max = 4096;
  s->fastopen_cache_ttl = FIN_SEC(3600); /* Linux TCP_METRICS_TIMEOUT */
  s->event_mask = FIN_EVENTS_DEFAULT;
  s->event_queue_max = 65536;
}

static bool settings_valid(const struct fin_settings *s) {
  return s->mtu >= 68 && s->local_addr_count <= 4 && s->rcv_wscale <= 14 &&
         s->ephemeral_port_min > 0 && s->ephemeral_port_min <= s->ephemeral_port_max &&
         s->sndbuf >= 1 && s->rcvbuf >= 1 && s->sndbuf_max >= 1 && s->rcvbuf_max >= 1 &&
         s->rto_min > 0 && s->rto_max >= s->rto_min && s->rto_slop >= 0 && s->rto_initial > 0 &&
         s->msl >= 0 && s->ts_hz > 0 && s->ts_hz <= 1000000000u && s->initial_cwnd_segments >= 1 &&
         (!s->syncookies_only || s->syn_cookies) && (unsigned)s->ecn <= FIN_ECN_PASSIVE &&
         (unsigned)s->recovery <= FIN_RECOVERY_SACK_RACK && s->fastopen_key_lifetime > 0 &&
         s->fastopen_path_disable >= 0 && s->fastopen_cache_ttl >= 0;
}

/* RFC 7323 §2.3: the smallest shift that lets a 16-bit window reach `space`
 * (FreeBSD: while (TCP_MAXWIN << s) < sb_max; Linux: ilog2(space) - 15,
 * the same number), at most 14. */
static uint8_t wscale_for(uint32_t space) {
  uint8_t shift = 0;
  while (shift < 14 && ((uint64_t)65535 << shift) < space)
    shift++;
  return shift;
}

void fin_settings_store(struct fin_stack *st, const struct fin_settings *s);
void fin_settings_store(struct fin_stack *st, const struct fin_settings *s) {
  st->s = *s;
  if (s->wscale_space != 0)
    st->s.rcv_wscale = wscale_for(s->wscale_space);
}

int fin_stack_set_settings(struct fin_stack *st, const struct fin_settings *s) {
  if (!settings_valid(s))
    return -EINVAL;
  bool was_client = st->s.fastopen_client, was_server = st->s.fastopen_server;
  fin_settings_store(st, s);
  fin_tfo_settings_changed(st, was_client, was_server);
  return 0;
}

const struct fin_settings *fin_stack_settings(const struct fin_stack *st) {
  return &st->s;
}

int fin_settings_check(const struct fin_settings *s);
int fin_settings_check(const struct fin_settings *s) {
  return settings_valid(s) ? 0 : -EINVAL;
}
