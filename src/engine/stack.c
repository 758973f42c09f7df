/* SPDX-License-Identifier: MIT */
/* The stack: lifecycle, the datagram entry point and its dispatch
 * (connection, TIME-WAIT record, listener, or nothing: RFC 9293 §3.10.7.1),
 * output, timers and tool-facing listings. */
#include "internal.h"
#include "policy.h"

int fin_settings_check(const struct fin_settings *s);
void fin_settings_store(struct fin_stack *st, const struct fin_settings *s);

void *fin_mem_alloc(struct fin_stack *st, size_t size) {
  void *p = st->alloc.alloc(st->alloc.ctx, size);
  if (p == NULL) {
    st->c.alloc_failures++;
    return NULL;
  }
  st->mem_in_use += size;
  return p;
}

void fin_mem_free(struct fin_stack *st, void *p, size_t size) {
  if (p == NULL)
    return;
  st->mem_in_use -= size;
  st->alloc.release(st->alloc.ctx, p, size);
}

static void draw_key(struct fin_stack *st, struct fin_siphash_key *k) {
  st->rnd.fill(st->rnd.ctx, k, sizeof(*k));
}

static int stack_init_tables(struct fin_stack *st) {
  int err = fin_demux_init(st);
  if (err == 0)
    err = fin_heap_init(st);
  if (err == 0)
    err = fin_tw_init(st);
  if (err == 0)
    err = fin_ctl_init(st);
  return err;
}

int fin_stack_new(struct fin_stack **out, const struct fin_settings *settings,
                  const struct fin_allocator *alloc, const struct fin_random *rnd, fin_time now) {
  if (out == NULL || settings == NULL || alloc == NULL || rnd == NULL || alloc->alloc == NULL ||
      alloc->release == NULL || rnd->fill == NULL)
    return -EINVAL;
  if (fin_settings_check(settings) != 0)
    return -EINVAL;
  struct fin_stack *st = alloc->alloc(alloc->ctx, sizeof(*st));
  if (st == NULL)
    return -ENOMEM;
  memset(st, 0, sizeof(*st));
  fin_settings_store(st, settings);
  st->alloc = *alloc;
  st->rnd = *rnd;
  st->now = now;
  st->mem_in_use = sizeof(*st);
  st->next_conn_id = 1;
  st->slot_free = FIN_NONE_IDX;
  st->rst_refill = now;
  st->rst_tokens = st->s.rst_rate_per_sec;
  st->pool.chunk = fin_pool_chunk_size(st->s.mtu);
  draw_key(st, &st->hash_key);
  draw_key(st, &st->isn_key);
  draw_key(st, &st->cookie_key);
  st->rnd.fill(st->rnd.ctx, &st->demux_key, sizeof(st->demux_key));
  int err = stack_init_tables(st);
  if (err != 0) {
    fin_stack_free(st);
    return err;
  }
  *out = st;
  return 0;
}

static void free_hashed_conns(struct fin_stack *st) {
  st->hash_walk = true; /* for good: the stack is going */
  for (uint32_t b = 0; st->conn_buckets && b <= st->conn_bucket_mask; b++) {
    struct fin_conn *c = st->conn_buckets[b];
    while (c != NULL) {
      struct fin_conn *next = c->hash_next;
      if (c->slot != FIN_NONE_IDX)
        st->slots[c->slot].obj = NULL;
      fin_conn_destroy(st, c);
      c = next;
    }
    st->conn_buckets[b] = NULL;
  }
}

void fin_stack_free(struct fin_stack *st) {
  if (st == NULL)
    return;
  free_hashed_conns(st);
  fin_slots_free(st);
  fin_tw_free_all(st);
  fin_heap_free(st);
  fin_demux_free(st);
  fin_tfo_free(st);
  fin_pool_drain(st); /* last: every ring has given its chunks back */
  fin_events_free(st);
  fin_mem_free(st, st->ctl, st->ctl_cap * sizeof(*st->ctl));
  struct fin_allocator a = st->alloc;
  a.release(a.ctx, st, sizeof(*st));
}

void fin_stack_set_now(struct fin_stack *st, fin_time now) {
  if (now > st->now)
    st->now = now;
}

fin_time fin_stack_now(const struct fin_stack *st) {
  return st->now;
}

const struct fin_counters *fin_stack_counters(const struct fin_stack *st) {
  return &st->c;
}

size_t fin_stack_memory_in_use(const struct fin_stack *st) {
  return st->mem_in_use;
}

size_t fin_stack_buffer_memory(const struct fin_stack *st) {
  return (size_t)st->buf_mem;
}

size_t fin_stack_buffer_chunk(const struct fin_stack *st) {
  return st->pool.chunk;
}

size_t fin_tcb_size(void) {
  return sizeof(struct fin_conn);
}

size_t fin_stack_conn_count(const struct fin_stack *st) {
  return st->conn_count;
}

size_t fin_stack_time_wait_count(const struct fin_stack *st) {
  return st->tw_count;
}

/* ---- input ---- */

/* Which IP MIB counter a wire error feeds (RFC 4293 for IPv4; for IPv6
 * the names of Linux /proc/net/snmp6, counted where ip6_rcv_core and
 * ip6_input_finish count them). */
enum ip_mib { MIB_NONE, MIB_HDR, MIB_TRUNC, MIB_ADDR, MIB_PROTO, MIB_REASM };

static void count_ip_mib(struct fin_counters *c, bool v6, enum ip_mib m) {
  switch (m) {
  case MIB_NONE:
    return;
  case MIB_HDR:
    v6 ? c->ip6_in_hdr_errors++ : c->ip_in_hdr_errors++;
    return;
  case MIB_TRUNC:
    /* Fewer bytes than the length field says. IPv4's InTruncatedPkts is in
     * IpExt, which fin does not keep: there it is a header error. */
    v6 ? c->ip6_in_truncated++ : c->ip_in_hdr_errors++;
    return;
  case MIB_ADDR:
    v6 ? c->ip6_in_addr_errors++ : c->ip_in_addr_errors++;
    return;
  case MIB_PROTO:
    v6 ? c->ip6_in_unknown_protos++ : c->ip_in_unknown_protos++;
    return;
  case MIB_REASM:
    /* A fragment asks for reassembly, which fin never does (RFC 8200 §4.5
     * leaves it to the host; fin refuses): each one also fails. */
    v6 ? c->ip6_reasm_reqds++ : c->ip_reasm_reqds++;
    v6 ? c->ip6_reasm_fails++ : c->ip_reasm_fails++;
    return;
  }
}

/* A datagram the IP layer handed to TCP or ICMP (InDelivers), whatever
 * that protocol then makes of it. */
static void count_delivered(struct fin_counters *c, bool v6) {
  v6 ? c->ip6_in_delivers++ : c->ip_in_delivers++;
}

/* Every wire error has its own drop counter (BEHAVIOR A9) and, at the IP
 * layer, its family's MIB counter. */
static enum ip_mib count_drop(struct fin_counters *c, enum fin_wire_error e) {
  switch (e) {
  case FIN_WIRE_OK:
  case FIN_WIRE_ERROR_COUNT:
    return MIB_NONE;
  case FIN_WIRE_IP_TRUNCATED: /* shorter than a header: Linux "inhdr_error" */
    return c->drop_ip_truncated++, MIB_HDR;
  case FIN_WIRE_IP_VERSION:
    return c->drop_ip_version++, MIB_HDR;
  case FIN_WIRE_IP_HEADER_LEN:
    return c->drop_ip_header_len++, MIB_HDR;
  case FIN_WIRE_IP_TOTAL_LEN:
    return c->drop_ip_total_len++, MIB_TRUNC;
  case FIN_WIRE_IP_CHECKSUM:
    return c->drop_ip_checksum++, MIB_HDR;
  case FIN_WIRE_IP_OPTIONS:
    return c->drop_ip_options++, MIB_HDR;
  case FIN_WIRE_IP6_EXT_HEADER:
    return c->drop_ip6_ext_header++, MIB_HDR;
  case FIN_WIRE_IP6_ROUTING:
    return c->drop_ip6_routing++, MIB_HDR;
  case FIN_WIRE_IP_FRAGMENT:
    return c->drop_ip_fragment++, MIB_REASM;
  case FIN_WIRE_IP_MARTIAN:
    return c->drop_ip_martian++, MIB_ADDR;
  case FIN_WIRE_IP_PROTOCOL:
    return c->drop_ip_protocol++, MIB_PROTO;
  case FIN_WIRE_TCP_TRUNCATED:
    return c->drop_tcp_truncated++, c->in_errs++, MIB_NONE;
  case FIN_WIRE_TCP_DATA_OFFSET:
    return c->drop_tcp_data_offset++, c->in_errs++, MIB_NONE;
  case FIN_WIRE_TCP_CHECKSUM:
    return c->drop_tcp_checksum++, c->in_errs++, c->in_csum_errors++, MIB_NONE;
  case FIN_WIRE_TCP_OPTION:
    return c->drop_tcp_option++, c->in_errs++, MIB_NONE;
  case FIN_WIRE_TCP_FLAGS:
    return c->drop_tcp_flags++, c->in_errs++, MIB_NONE;
  case FIN_WIRE_TCP_PORT_ZERO:
    return c->drop_tcp_port_zero++, c->in_errs++, MIB_NONE;
  case FIN_WIRE_ICMP_MALFORMED:
    return c->drop_icmp_malformed++, MIB_NONE;
  }
  return MIB_NONE;
}

static void count_wire_error(struct fin_stack *st, enum fin_wire_error e, bool v6) {
  count_ip_mib(&st->c, v6, count_drop(&st->c, e));
}

static bool is_own(const struct fin_stack *st, const struct fin_addr *addr) {
  for (unsigned i = 0; i < st->s.local_addr_count; i++)
    if (fin_addr_eq(&st->s.local_addrs[i], addr))
      return true;
  return false;
}

static bool is_local(const struct fin_stack *st, const struct fin_addr *addr) {
  return st->s.local_addr_count == 0 || is_own(st, addr);
}

/* BEHAVIOR A9 strict mode: a segment whose options or flags are malformed
 * but whose checksum is right and whose SEG.SEQ is exactly RCV.NXT of a
 * synchronized connection aborts that connection with RST. Off by default:
 * answering garbage is an attack vector. */
static void strict_malformed(struct fin_stack *st, const uint8_t *d, size_t len) {
  struct fin_ip_info ip;
  if (fin_ip_parse(d, len, &ip) != FIN_WIRE_OK || ip.proto != FIN_IPPROTO_TCP ||
      ip.payload_len < FIN_TCP_HDR_MIN)
    return;
  const uint8_t *th = ip.payload;
  struct fin_4tuple t = {ip.daddr, ip.saddr, (uint16_t)(th[2] << 8 | th[3]),
                         (uint16_t)(th[0] << 8 | th[1])};
  struct fin_conn *c = fin_conn_lookup(st, &t);
  uint32_t seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7];
  if (c == NULL || !fin_state_synchronized(c->state) || seq != c->rcv_nxt)
    return;
  fin_conn_abort(st, c, FIN_REASON_MALFORMED, -ECONNRESET, &st->c.abort_on_malformed);
}

/* J6 about our SYN: the path MTU is kept for the send MSS once the peer's
 * SYN-ACK comes (fin_conn_init_mss) and, over IPv6, for the MSS the SYN
 * retransmissions offer (fin_conn_adv_mss). */
static void icmp_syn_too_big(struct fin_stack *st, struct fin_conn *c, uint32_t pmtu) {
  if (pmtu >= st->s.mtu || (c->pmtu != 0 && pmtu >= c->pmtu)) {
    FIN_DROP(st, &c->tuple, drop_icmp_ignored);
    return;
  }
  c->pmtu = (uint16_t)pmtu;
  c->rcv_mss = fin_conn_adv_mss(st, c);
  st->c.pmtu_updates++;
}

/* J6 (RFC 1191, RFC 8201, RFC 1122 4.2.3.9): "fragmentation needed" / packet
 * too big lowers the path MTU: of a synchronized connection, whose data in
 * flight goes again in smaller segments, or of a connection attempt; it
 * never aborts. The floor is Linux's min_pmtu, and 1280 for IPv6. */
static void icmp_frag_needed(struct fin_stack *st, struct fin_conn *c, uint32_t mtu) {
  uint32_t floor = fin_tuple_v4(&c->tuple) ? 552 : FIN_IPV6_MIN_MTU; /* RFC 8201 §4 */
  uint32_t ts = c->ts_ok ? 12 : 0, pmtu = mtu < floor ? floor : mtu;
  if (c->state == FIN_SYN_SENT) {
    icmp_syn_too_big(st, c, pmtu);
    return;
  }
  uint32_t mss = pmtu > 65535 ? 65535 : pmtu - fin_tuple_hdr(&c->tuple) - ts;
  if (!fin_state_synchronized(c->state) || mss >= c->snd_mss) {
    FIN_DROP(st, &c->tuple, drop_icmp_ignored);
    return;
  }
  c->snd_mss = (uint16_t)mss;
  st->c.pmtu_updates++;
  if (c->snd_una != c->snd_max && !c->persist) {
    c->snd_nxt = c->snd_una; /* RFC 1191 §6.5: retransmit what was too big */
    fin_conn_output_mark(st, c);
  }
}

/* J6: ICMP about a segment in flight (RFC 5927 §4.1). Soft errors never
 * abort (MUST-56); "fragmentation needed" is soft and lowers the path MTU;
 * which hard errors abort a connection attempt is settings.icmp_abort
 * (fin_policy_icmp_abort): by default protocol or port unreachable abort
 * SYN-SENT with ECONNREFUSED and delete a passive SYN-RECEIVED child
 * silently (Linux). */
static void icmp_input(struct fin_stack *st, const uint8_t *d, size_t len) {
  struct fin_icmp_error e;
  enum fin_wire_error err = fin_icmp_parse(d, len, &e);
  bool v6 = d[0] >> 4 == 6;
  v6 ? st->c.icmp6_in_msgs++ : st->c.icmp_in_msgs++;
  count_delivered(&st->c, v6);
  if (err == FIN_WIRE_IP_PROTOCOL) {
    /* An informational type (echo, neighbour discovery): ICMP is a known
     * protocol, only the message is one fin does not act on. */
    st->c.drop_icmp_ignored++;
    return;
  }
  if (err != FIN_WIRE_OK) {
    count_wire_error(st, err, v6);
    return;
  }
  struct fin_4tuple t = {e.saddr, e.daddr, e.sport, e.dport};
  struct fin_conn *c = fin_conn_lookup(st, &t);
  int abort_err = c != NULL ? fin_policy_icmp_abort(st, c, &e) : 0;
  if (c != NULL && e.kind == FIN_ICMP_TOO_BIG && seq_in(e.seq, c->snd_una, c->snd_max + 1))
    icmp_frag_needed(st, c, e.mtu);
  else if (abort_err != 0 && c->state == FIN_SYN_RECEIVED && c->passive)
    fin_conn_terminate(st, c, FIN_REASON_ICMP_UNREACHABLE, 0); /* counted by the state */
  else if (abort_err != 0)
    fin_conn_abort(st, c, FIN_REASON_ICMP_UNREACHABLE, abort_err, &st->c.abort_on_icmp);
  else
    FIN_DROP(st, &t, drop_icmp_ignored);
}

static bool owns_loopback(const struct fin_stack *st, bool v4) {
  static const uint8_t loop6[16] = {[15] = 1};
  for (unsigned i = 0; i < st->s.local_addr_count; i++) {
    const struct fin_addr *a = &st->s.local_addrs[i];
    if (v4 ? fin_addr_is_v4(a) && a->b[12] == 127 : memcmp(a->b, loop6, 16) == 0)
      return true;
  }
  return false;
}

/* A source no real peer has: 0.0.0.0/8, or a loopback address (127/8,
 * ::1) from outside a stack that owns none. */
static bool martian_source(const struct fin_stack *st, const struct fin_addr *a) {
  static const uint8_t loop6[16] = {[15] = 1};
  if (fin_addr_is_v4(a))
    return a->b[12] == 0 || (a->b[12] == 127 && !owns_loopback(st, true));
  return memcmp(a->b, loop6, 16) == 0 && !owns_loopback(st, false);
}

/* BEHAVIOR M18: a SYN from one of our own addresses or from its own
 * destination (LAND), or from a martian source (martian_source), cannot
 * come from a real peer; it is dropped silently, counted. (Multicast,
 * broadcast, 240/4 and :: sources never get past the IP check.) */
static bool syn_source_forbidden(struct fin_stack *st, const struct fin_segment *seg) {
  if (!(seg->flags & FIN_TCP_SYN))
    return false;
  if (fin_addr_eq(&seg->saddr, &seg->daddr) || is_own(st, &seg->saddr)) {
    st->c.drop_syn_land++;
    return true;
  }
  if (martian_source(st, &seg->saddr)) {
    st->c.drop_syn_martian++;
    return true;
  }
  return false;
}

static void no_connection(struct fin_stack *st, const struct fin_segment *seg,
                          const struct fin_4tuple *t) {
  /* RFC 9293 §3.10.7.1: an incoming RST is discarded; anything else gets a RST. */
  if (seg->flags & FIN_TCP_RST) {
    FIN_DROP(st, t, drop_rst_no_conn);
    return;
  }
  fin_send_rst_for(st, seg, &st->c.rst_no_conn, true);
}

/* A TCP-level error (checksum, offset, options, flags, ports) in a datagram
 * for one of our addresses: the IP layer did deliver it; TCP refused it
 * (TcpInErrs), as Linux counts InDelivers before tcp_v4_rcv/tcp_v6_rcv. */
static bool tcp_error_delivered(const struct fin_stack *st, enum fin_wire_error e, const uint8_t *d,
                                size_t len) {
  switch (e) {
  case FIN_WIRE_TCP_TRUNCATED:
  case FIN_WIRE_TCP_DATA_OFFSET:
  case FIN_WIRE_TCP_CHECKSUM:
  case FIN_WIRE_TCP_OPTION:
  case FIN_WIRE_TCP_FLAGS:
  case FIN_WIRE_TCP_PORT_ZERO: {
    struct fin_ip_info ip;
    return fin_ip_parse(d, len, &ip) == FIN_WIRE_OK && is_local(st, &ip.daddr);
  }
  default:
    return false;
  }
}

/* RFC 3168 §5: the ECN field of every datagram with a whole header of its
 * version, counted before any other check, as Linux ip_rcv_core and
 * ip6_rcv_core count IPSTATS_MIB_NOECTPKTS + (tos & INET_ECN_MASK). */
static void count_ecn(struct fin_counters *c, const uint8_t *d, size_t len) {
  unsigned version = len > 0 ? d[0] >> 4 : 0, ecn;
  if (version == 4 && len >= FIN_IPV4_HDR_MIN && (d[0] & 0x0f) >= 5)
    ecn = d[1] & 3u;
  else if (version == 6 && len >= FIN_IPV6_HDR_LEN)
    ecn = (d[1] >> 4) & 3u; /* the traffic class straddles bytes 0 and 1 */
  else
    return;
  bool v6 = version == 6;
  switch (ecn) {
  case 0:
    v6 ? c->ip6_in_noect++ : c->ip_in_noect++;
    break;
  case 1:
    v6 ? c->ip6_in_ect1++ : c->ip_in_ect1++;
    break;
  case 2:
    v6 ? c->ip6_in_ect0++ : c->ip_in_ect0++;
    break;
  default:
    v6 ? c->ip6_in_ce++ : c->ip_in_ce++;
    break;
  }
}

/* Not TCP: ICMP or ICMPv6 is looked at, anything else counted. */
static void other_protocol(struct fin_stack *st, const uint8_t *d, size_t len, bool v6) {
  struct fin_ip_info ip;
  if (fin_ip_parse(d, len, &ip) == FIN_WIRE_OK &&
      ip.proto == (v6 ? FIN_IPPROTO_ICMPV6 : FIN_IPPROTO_ICMP)) {
    icmp_input(st, d, len);
    return;
  }
  count_wire_error(st, FIN_WIRE_IP_PROTOCOL, v6);
}

void fin_stack_input(struct fin_stack *st, const uint8_t *d, size_t len, fin_time now) {
  fin_stack_set_now(st, now);
  bool v6 = len > 0 && d[0] >> 4 == 6;
  v6 ? st->c.ip6_in_receives++ : st->c.ip_in_receives++;
  count_ecn(&st->c, d, len);
  struct fin_segment seg;
  enum fin_wire_error e = fin_tcp_parse(d, len, &seg);
  if (e == FIN_WIRE_IP_PROTOCOL) {
    other_protocol(st, d, len, v6);
    return;
  }
  if (e != FIN_WIRE_OK) {
    count_wire_error(st, e, v6);
    if (tcp_error_delivered(st, e, d, len))
      count_delivered(&st->c, v6);
    if (st->s.strict_malformed_abort && (e == FIN_WIRE_TCP_OPTION || e == FIN_WIRE_TCP_FLAGS))
      strict_malformed(st, d, len);
    return;
  }
  if (!is_local(st, &seg.daddr)) {
    st->c.drop_ip_not_local++;
    count_ip_mib(&st->c, v6, MIB_ADDR);
    return;
  }
  count_delivered(&st->c, v6);
  st->c.in_segs++;
  if (syn_source_forbidden(st, &seg))
    return;
  struct fin_4tuple t = fin_tuple_of(&seg);
  uint32_t h = fin_demux_hash(st, &t); /* both tables' bucket hash */
  struct fin_conn *c = fin_conn_lookup_hashed(st, &t, h);
  if (c != NULL) {
    fin_conn_input(st, c, &seg);
    return;
  }
  uint32_t tw = fin_tw_lookup_hashed(st, &t, h);
  if (tw != FIN_NONE_IDX) {
    fin_tw_input(st, tw, &seg);
    return;
  }
  struct fin_listener *l = fin_listener_lookup(st, &seg.daddr, seg.dport);
  if (l != NULL && !st->shutting_down) {
    fin_listen_input(st, l, &seg);
    return;
  }
  no_connection(st, &seg, &t);
}

/* ---- output ---- */

static size_t stack_output(struct fin_stack *st, uint8_t *buf, size_t cap) {
  size_t n = fin_ctl_pop(st, buf, cap);
  if (n > 0)
    return n;
  while (st->out_head != NULL) {
    struct fin_conn *c = st->out_head;
    n = fin_conn_output(st, c, buf, cap);
    fin_conn_output_unmark(st, c);
    if (n > 0) {
      /* Round robin: a connection with more to send goes to the back. */
      if (fin_conn_more_due(c))
        fin_conn_output_mark(st, c);
      st->c.out_segs++;
      return n;
    }
  }
  return 0;
}

size_t fin_stack_output(struct fin_stack *st, uint8_t *buf, size_t cap, fin_time now) {
  fin_stack_set_now(st, now);
  /* The round robin takes a connection off the list and puts it back: not
   * "output became queued", so no wake-up from in here. */
  st->in_output = true;
  size_t n = stack_output(st, buf, cap);
  st->in_output = false;
  if (n > 0)
    buf[0] >> 4 == 6 ? st->c.ip6_out_requests++ : st->c.ip_out_requests++;
  return n;
}

void fin_stack_set_wakeup(struct fin_stack *st, void (*fn)(void *ctx), void *ctx) {
  st->wake_fn = fn;
  st->wake_ctx = ctx;
}

/* ---- timers ---- */

fin_time fin_stack_next_deadline(const struct fin_stack *st) {
  /* Queued output (a socket call queued a SYN, data, a FIN or an RST) is
   * due now: a caller that sleeps until the deadline would otherwise never
   * send it (docs/runtime.md, "The loop"). */
  if (fin_output_queued(st))
    return st->now;
  return fin_stack_timer_deadline(st);
}

fin_time fin_stack_timer_deadline(const struct fin_stack *st) {
  fin_time d = st->heap_len > 0 ? st->heap[0]->deadline : FIN_NEVER;
  fin_time tw = fin_tw_next_deadline(st);
  if (tw < d)
    d = tw;
  /* K2: the grace deadline is a timer until on_timers has acted on it; the
   * RSTs it queued are output, not a deadline (a past deadline would make
   * the caller spin on on_timers). */
  if (st->shutting_down && !st->shutdown_expired && !fin_stack_shutdown_done(st) &&
      st->shutdown_deadline < d)
    d = st->shutdown_deadline;
  return d;
}

static void shutdown_expire(struct fin_stack *st);

void fin_stack_on_timers(struct fin_stack *st, fin_time now) {
  fin_stack_set_now(st, now);
  fin_tw_expire(st, now);
  /* Each firing clears or re-arms the timers that fired, so every
   * iteration makes progress; the bound is a guard, not a policy. */
  size_t guard = ((size_t)st->heap_len + 1) * (CT_COUNT + 2);
  while (st->heap_len > 0 && st->heap[0]->deadline <= now && guard-- > 0)
    fin_conn_timers_fire(st, st->heap[0], now);
  if (st->shutting_down && now >= st->shutdown_deadline) {
    shutdown_expire(st);
    st->shutdown_expired = true;
  }
}

/* ---- listings, kill, shutdown ---- */

size_t fin_stack_list(const struct fin_stack *st, size_t *cursor, struct fin_conn_info *out,
                      size_t max) {
  size_t n = 0, pos = 0;
  for (uint32_t b = 0; b <= st->conn_bucket_mask && n < max; b++)
    for (struct fin_conn *c = st->conn_buckets[b]; c != NULL && n < max; c = c->hash_next)
      if (pos++ >= *cursor)
        fin_conn_info(st, c, &out[n++]);
  n += fin_tw_list(st, *cursor, &pos, out + n, max - n);
  *cursor += n;
  return n;
}

size_t fin_stack_list_listeners(const struct fin_stack *st, size_t *cursor,
                                struct fin_listener_info *out, size_t max) {
  size_t n = 0, pos = 0;
  size_t buckets = sizeof(st->listen_buckets) / sizeof(st->listen_buckets[0]);
  for (size_t b = 0; b < buckets && n < max; b++)
    for (const struct fin_listener *l = st->listen_buckets[b]; l != NULL && n < max;
         l = l->hash_next)
      if (pos++ >= *cursor)
        out[n++] = (struct fin_listener_info){.sock = fin_slot_handle(st, l->slot),
                                              .local = l->local,
                                              .backlog = l->backlog,
                                              .syn_queued = l->syn_count,
                                              .accept_queued = l->accept_count};
  *cursor += n;
  return n;
}

int fin_stack_kill(struct fin_stack *st, const struct fin_4tuple *t) {
  struct fin_conn *c = fin_conn_lookup(st, t);
  if (c != NULL) {
    fin_conn_abort(st, c, FIN_REASON_ADMIN_KILL, -ECONNABORTED, &st->c.abort_on_admin);
    return 0;
  }
  uint32_t tw = fin_tw_lookup(st, t);
  if (tw == FIN_NONE_IDX)
    return -ENOENT;
  /* BEHAVIOR B3: no RST from TIME-WAIT. */
  st->c.abort_on_admin++;
  fin_tw_release(st, tw, FIN_REASON_ADMIN_KILL);
  return 0;
}

void fin_stack_shutdown(struct fin_stack *st, fin_time deadline) {
  st->shutting_down = true;
  st->shutdown_expired = false;
  st->shutdown_deadline = deadline;
  for (uint32_t i = 0; i < st->slot_cap; i++) {
    if (st->slots[i].kind == SLOT_FREE)
      continue;
    fin_close(st, fin_slot_handle(st, i));
  }
}

static void shutdown_expire(struct fin_stack *st) {
  st->hash_walk = true;
  for (uint32_t b = 0; b <= st->conn_bucket_mask; b++) {
    struct fin_conn *c = st->conn_buckets[b];
    while (c != NULL) {
      struct fin_conn *next = c->hash_next;
      fin_conn_abort(st, c, FIN_REASON_STACK_SHUTDOWN, -ECONNABORTED, &st->c.abort_on_shutdown);
      c = next;
    }
  }
  st->hash_walk = false;
  fin_demux_trim(st);
  for (uint32_t i; (i = fin_tw_oldest(st)) != FIN_NONE_IDX;)
    fin_tw_release(st, i, FIN_REASON_STACK_SHUTDOWN);
}

bool fin_stack_shutdown_done(const struct fin_stack *st) {
  return st->shutting_down && st->conn_count == 0 &&
         (st->tw_count == 0 || st->now >= st->shutdown_deadline) && st->ctl_len == 0 &&
         st->out_head == NULL;
}
