/* SPDX-License-Identifier: MIT */
/* Blind spoofing into a live connection (issue 12 item 5; attack catalogue
 * T31, T35, T36, T39; BEHAVIOR A5, A6, H3, I1-I3, RFC 5961). Two fin stacks
 * move data both ways (A to B 1 MB/s, B to A 250 kB/s) for 10 virtual
 * seconds while an off-path attacker who knows the 4-tuple sends `count`
 * segments, spread evenly over those seconds, each into either end at random,
 * each forging the other end's address and ports: RST, SYN, data and FIN,
 * each with and without ACK, sequence and acknowledgment numbers (and the
 * window) uniform over 2^32, no options (a blind attacker cannot know the
 * peer's timestamps). After every spoofed segment the target's output is
 * drained at once, so what it sends is the answer to that segment.
 *
 * Held to: no reset; no RST sent in answer; the answers are rate-limited
 * per connection (A6: at most one per challenge_ack_interval); the stream
 * arrives byte-exact both ways and the connection closes gracefully. The
 * segments TCP cannot refuse - data or FIN in the window with an
 * acceptable ACK - are counted before injection (a superset: the window
 * is the receive buffer's free space, the ACK range [SND.UNA - 2*rcvbuf,
 * SND.NXT], RFC 5961 §5.2 with MAX.SND.WND bounded by the peer's buffer). */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abuse.h"

#define SPAN      FIN_SEC(10) /* the attack and the transfer */
#define APP_TICK  FIN_MS(10)
#define RATE_AB   1000000u /* bytes per second, A to B */
#define RATE_BA   250000u
#define SPOOF_LEN 64 /* bytes of data in a spoofed data segment */
#define RECENT    16 /* answer times kept for the sliding one-second peak */

enum { TICK_APP, TICK_ATTACK };
enum { K_RST, K_RST_ACK, K_SYN, K_SYN_ACK, K_DATA, K_DATA_ACK, K_FIN, K_FIN_ACK, K_COUNT };
static const struct {
  const char *name;
  uint8_t flags;
  uint16_t len;
} kinds[K_COUNT] = {
    {"RST", FIN_TCP_RST, 0},          {"RST+ACK", FIN_TCP_RST | FIN_TCP_ACK, 0},
    {"SYN", FIN_TCP_SYN, 0},          {"SYN+ACK", FIN_TCP_SYN | FIN_TCP_ACK, 0},
    {"data", FIN_TCP_PSH, SPOOF_LEN}, {"data+ACK", FIN_TCP_PSH | FIN_TCP_ACK, SPOOF_LEN},
    {"FIN", FIN_TCP_FIN, 0},          {"FIN+ACK", FIN_TCP_FIN | FIN_TCP_ACK, 0},
};

enum { ANS_ACK, ANS_RST, ANS_OTHER, ANS_COUNT };

struct side {
  fin_sock s;
  uint64_t conn_id;
  uint64_t total, quota, written, received, mismatched;
  bool wr_shut, eof, closed_app;
  bool closed_ev; /* its CLOSED event came */
  enum fin_close_reason reason;
  int err;
  /* answers to spoofed segments */
  uint64_t answers[ANS_COUNT];
  fin_time last_answer, min_gap;
  fin_time recent[RECENT];
  unsigned nrecent, peak;
};

struct spoof {
  struct abuse_net n;
  const struct abuse_opts *o;
  fin_sock listener;
  struct side side[2]; /* 0: A (10.0.0.1, the client), 1: B (10.0.0.2:80) */
  struct fin_sockaddr a_local;
  uint64_t rng;
  uint64_t next; /* next spoofed segment */
  fin_time start;
  bool attacking, spoofing;
  int target;
  int cur_kind;
  uint64_t sent[K_COUNT], answered[K_COUNT], rst_answers[K_COUNT];
  uint64_t in_window[K_COUNT], injectable[K_COUNT];
  uint64_t early_closes; /* CLOSED events before the graceful close began */
  uint64_t state_changes_during_attack;
  uint32_t max_wnd; /* the ACK range's MAX.SND.WND bound */
};

/* ---- the real endpoints ---- */

static void write_quota(struct spoof *sp, int i) {
  struct side *sd = &sp->side[i];
  uint8_t buf[16384];
  int dir = i; /* direction 0: A to B, 1: B to A */
  while (sd->written < sd->quota) {
    uint64_t want = sd->quota - sd->written;
    size_t n = want < sizeof(buf) ? (size_t)want : sizeof(buf);
    for (size_t k = 0; k < n; k++)
      buf[k] = abuse_stream_byte(dir, sd->written + k);
    ssize_t r = fin_send(sp->n.st[i], sd->s, buf, n, 0);
    if (r <= 0) {
      if (r != -EAGAIN)
        abuse_fail(&sp->n, "host %d: send: %s", i, fin_strerror((int)r));
      return;
    }
    sd->written += (uint64_t)r;
  }
}

static void read_all(struct spoof *sp, int i) {
  struct side *sd = &sp->side[i];
  uint8_t buf[16384];
  int dir = 1 - i; /* what host i reads, the other one sent */
  for (int guard = 0; guard < 100000 && !sd->eof; guard++) {
    ssize_t r = fin_recv(sp->n.st[i], sd->s, buf, sizeof(buf), 0);
    if (r == -EAGAIN)
      return;
    if (r == 0) {
      sd->eof = true;
      return;
    }
    if (r < 0) {
      abuse_fail(&sp->n, "host %d: recv: %s", i, fin_strerror((int)r));
      return;
    }
    for (ssize_t k = 0; k < r; k++)
      if (buf[k] != abuse_stream_byte(dir, sd->received + (uint64_t)k))
        sd->mismatched++;
    sd->received += (uint64_t)r;
  }
}

/* A shuts down writing once all is written; B closes after EOF and its own
 * data; A closes after B's EOF (A is the active closer: TIME-WAIT). */
static void app(struct abuse_net *n) {
  struct spoof *sp = n->h.ctx;
  if (sp->side[0].s < 0 || sp->side[1].s < 0)
    return;
  for (int i = 0; i < 2; i++) {
    struct side *sd = &sp->side[i];
    if (sd->closed_app)
      continue;
    read_all(sp, i);
    if (!sd->wr_shut)
      write_quota(sp, i);
  }
  struct side *a = &sp->side[0], *b = &sp->side[1];
  if (!a->wr_shut && a->written == a->total) {
    a->wr_shut = true;
    if (fin_shutdown(n->st[0], a->s, FIN_SHUT_WR) != 0)
      abuse_fail(n, "A: shutdown failed");
  }
  if (!b->closed_app && b->eof && b->written == b->total) {
    b->closed_app = b->wr_shut = true;
    if (fin_close(n->st[1], b->s) != 0)
      abuse_fail(n, "B: close failed");
  }
  if (!a->closed_app && a->eof && a->wr_shut) {
    a->closed_app = true;
    if (fin_close(n->st[0], a->s) != 0)
      abuse_fail(n, "A: close failed");
  }
}

/* ---- the attacker ---- */

static bool in_range(uint32_t x, uint32_t lo, uint32_t len) {
  return (uint32_t)(x - lo) < len;
}

/* Whether the target would take the segment's data or FIN if its ACK is
 * acceptable: a superset of RFC 9293 §3.10.7.4's first check and RFC 5961
 * §5.2 (see the top of the file). */
static void classify(struct spoof *sp, int k, uint32_t seq, uint32_t ack) {
  struct fin_conn_info ci;
  size_t len = sizeof(ci);
  if (fin_getsockopt(sp->n.st[sp->target], sp->side[sp->target].s, FIN_TCP_INFO, &ci, &len) != 0)
    return;
  uint32_t seglen = kinds[k].len + ((kinds[k].flags & (FIN_TCP_SYN | FIN_TCP_FIN)) ? 1 : 0);
  uint32_t wnd = ci.rcv_wnd;
  bool seq_ok = in_range(seq, ci.rcv_nxt, wnd + 1) ||
                (seglen > 0 && in_range(seq + seglen - 1, ci.rcv_nxt, wnd));
  if (!seq_ok)
    return;
  sp->in_window[k]++;
  bool ack_ok =
      (kinds[k].flags & FIN_TCP_ACK) &&
      in_range(ack, ci.snd_una - sp->max_wnd, sp->max_wnd + (ci.snd_nxt - ci.snd_una) + 1);
  if (ack_ok && (kinds[k].len > 0 || (kinds[k].flags & FIN_TCP_FIN)))
    sp->injectable[k]++;
}

static void spoof_one(struct spoof *sp) {
  sp->next++;
  uint64_t pick = abuse_rand(&sp->rng);
  int target = (int)(pick & 1);
  int k = (int)((pick >> 1) % K_COUNT);
  uint64_t r = abuse_rand(&sp->rng);
  uint32_t seq = (uint32_t)r, ack = (uint32_t)(r >> 32);
  uint64_t r2 = abuse_rand(&sp->rng);
  struct fin_segment seg;
  memset(&seg, 0, sizeof(seg));
  uint16_t a_port = sp->a_local.port;
  seg.saddr = sp->n.addr[1 - target];
  seg.daddr = sp->n.addr[target];
  seg.sport = target == 1 ? a_port : 80;
  seg.dport = target == 1 ? 80 : a_port;
  seg.seq = seq;
  seg.ack = (kinds[k].flags & FIN_TCP_ACK) ? ack : 0;
  seg.flags = kinds[k].flags;
  seg.wnd = (uint16_t)r2;
  seg.ttl = 64;
  seg.ip_id = (uint16_t)(r2 >> 16);
  uint8_t payload[SPOOF_LEN];
  memset(payload, 0xee, sizeof(payload));
  uint8_t d[ABUSE_DGRAM];
  size_t len = fin_tcp_build(d, sizeof(d), &seg, NULL, 0, payload, kinds[k].len, NULL, 0);
  if (len == 0) {
    abuse_fail(&sp->n, "spoof: build failed");
    return;
  }
  sp->target = target;
  sp->cur_kind = k;
  sp->sent[k]++;
  classify(sp, k, seq, seg.ack);
  uint64_t before = sp->side[target].answers[ANS_ACK] + sp->side[target].answers[ANS_RST] +
                    sp->side[target].answers[ANS_OTHER];
  sp->spoofing = true;
  abuse_net_inject(&sp->n, target, d, len);
  sp->spoofing = false;
  uint64_t after = sp->side[target].answers[ANS_ACK] + sp->side[target].answers[ANS_RST] +
                   sp->side[target].answers[ANS_OTHER];
  if (after > before)
    sp->answered[k]++;
}

static void answer(struct spoof *sp, const struct fin_segment *seg) {
  struct side *sd = &sp->side[sp->target];
  fin_time now = sp->n.now;
  int a = ANS_OTHER;
  if (seg->flags & FIN_TCP_RST)
    a = ANS_RST;
  else if (seg->flags == FIN_TCP_ACK && seg->payload_len == 0)
    a = ANS_ACK;
  sd->answers[a]++;
  if (getenv("ABUSE_DEBUG")) {
    char f[40];
    fprintf(stderr, "t=%.6f target %d kind %s answer [%s] seq=%u ack=%u len=%u wnd=%u\n",
            (double)now / 1e9, sp->target, kinds[sp->cur_kind].name,
            fin_tcp_flags_str(seg->flags, f, sizeof(f)), seg->seq, seg->ack, seg->payload_len,
            seg->wnd);
  }
  if (a == ANS_RST)
    sp->rst_answers[sp->cur_kind]++;
  if (sd->last_answer != 0 && (sd->min_gap == 0 || now - sd->last_answer < sd->min_gap))
    sd->min_gap = now - sd->last_answer;
  sd->last_answer = now;
  sd->recent[sd->nrecent++ % RECENT] = now;
  unsigned in_last_second = 0;
  for (unsigned j = 0; j < RECENT && j < sd->nrecent; j++)
    if (now - sd->recent[j] < FIN_SEC(1))
      in_last_second++;
  if (in_last_second > sd->peak)
    sd->peak = in_last_second;
}

static void tap(struct abuse_net *n, int from, const struct fin_segment *seg) {
  struct spoof *sp = n->h.ctx;
  if (sp->spoofing && from == sp->target)
    answer(sp, seg);
}

static void tick(struct abuse_net *n, uint32_t arg) {
  struct spoof *sp = n->h.ctx;
  if (arg == TICK_ATTACK) {
    if (sp->next < sp->o->count)
      spoof_one(sp);
    if (sp->next < sp->o->count)
      abuse_net_at(n, sp->start + (fin_time)((sp->next * (uint64_t)SPAN) / sp->o->count),
                   TICK_ATTACK);
    else
      sp->attacking = false;
    return;
  }
  /* TICK_APP: the applications' send rate. */
  fin_time el = n->now - sp->start;
  for (int i = 0; i < 2; i++) {
    struct side *sd = &sp->side[i];
    uint64_t rate = i == 0 ? RATE_AB : RATE_BA;
    uint64_t q = (uint64_t)el * rate / 1000000000u;
    sd->quota = q < sd->total ? q : sd->total;
  }
  if (el < SPAN)
    abuse_net_at(n, n->now + APP_TICK, TICK_APP);
}

static void event(struct abuse_net *n, int host, const struct fin_event *ev) {
  struct spoof *sp = n->h.ctx;
  struct side *sd = &sp->side[host];
  if (ev->conn_id == 0 || ev->conn_id != sd->conn_id)
    return;
  if (ev->type == FIN_EV_STATE && sp->attacking && ev->to != FIN_ESTABLISHED &&
      !sp->side[0].wr_shut)
    sp->state_changes_during_attack++;
  if (ev->type != FIN_EV_CLOSED)
    return;
  sd->closed_ev = true;
  sd->reason = ev->reason;
  sd->err = ev->err;
  if (!sp->side[0].wr_shut)
    sp->early_closes++;
}

static bool connected(struct abuse_net *n) {
  struct spoof *sp = n->h.ctx;
  if (sp->side[1].s < 0) {
    fin_sock s = fin_accept(n->st[1], sp->listener, NULL);
    if (s >= 0)
      sp->side[1].s = s;
  }
  return sp->side[1].s >= 0 && fin_sock_state(n->st[0], sp->side[0].s) == FIN_ESTABLISHED;
}

static bool finished(struct abuse_net *n) {
  struct spoof *sp = n->h.ctx;
  return sp->side[0].closed_ev && sp->side[1].closed_ev && !sp->attacking;
}

static int setup(struct spoof *sp) {
  struct abuse_net *n = &sp->n;
  fin_sock l = fin_socket(n->st[1]);
  struct fin_sockaddr any = fin_sockaddr_v4(0, 80);
  if (l < 0 || fin_bind(n->st[1], l, &any) != 0 || fin_listen(n->st[1], l, 16) != 0)
    return -1;
  sp->listener = l;
  sp->side[1].s = -1;
  sp->side[0].s = fin_socket(n->st[0]);
  struct fin_sockaddr dst = fin_sockaddr_v4(0x0a000002u, 80);
  if (sp->side[0].s < 0 || fin_connect(n->st[0], sp->side[0].s, &dst) != -EINPROGRESS)
    return -1;
  n->h.done = connected;
  if (abuse_net_run(n, n->now + FIN_SEC(5)) != 0 || !connected(n))
    return -1;
  if (fin_close(n->st[1], l) != 0 || fin_getsockname(n->st[0], sp->side[0].s, &sp->a_local) != 0)
    return -1;
  for (int i = 0; i < 2; i++)
    sp->side[i].conn_id = fin_sock_conn_id(n->st[i], sp->side[i].s);
  return 0;
}

static uint64_t counter_sum(struct spoof *sp, size_t off) {
  uint64_t s = 0;
  for (int i = 0; i < 2; i++)
    s += *(const uint64_t *)((const uint8_t *)fin_stack_counters(sp->n.st[i]) + off);
  return s;
}
#define SUM(field) counter_sum(sp, offsetof(struct fin_counters, field))

static void figures(struct spoof *sp, struct abuse_report *rp) {
  struct fin_settings contract; /* the bounds: the defaults, whatever the stacks ran with */
  fin_settings_default(&contract);
  const struct fin_settings *set = &contract;
  fin_time iv = set->challenge_ack_interval;
  unsigned per_second = iv > 0 ? (unsigned)((FIN_SEC(1) + iv - 1) / iv) : 0;
  char b[96];
  abuse_figure(rp, "spoofed segments (either end at random)", "", "%" PRIu64, sp->next);
  abuse_figure(rp, "attack rate (virtual)", "", "%.0f/s over %.0f s",
               (double)sp->o->count / ((double)SPAN / 1e9), (double)SPAN / 1e9);
  uint64_t injectable = 0;
  for (int k = 0; k < K_COUNT; k++) {
    char name[64];
    snprintf(name, sizeof(name), "  %s: sent / answered / RST answers", kinds[k].name);
    abuse_figure(rp, name, "", "%" PRIu64 " / %" PRIu64 " / %" PRIu64, sp->sent[k], sp->answered[k],
                 sp->rst_answers[k]);
    injectable += sp->injectable[k];
  }
  uint64_t inw = 0;
  for (int k = 0; k < K_COUNT; k++)
    inw += sp->in_window[k];
  abuse_figure(rp, "spoofs with SEQ in the receive window", "(expected ~N*64K/2^32)", "%" PRIu64,
               inw);
  uint64_t injected_bytes = 0;
  for (int k = 0; k < K_COUNT; k++)
    injected_bytes += sp->injectable[k] * kinds[k].len;
  abuse_figure(rp, "injectable (data/FIN in window, ACK ok)", "TCP cannot refuse these",
               "%" PRIu64 " segments, %" PRIu64 " bytes", injectable, injected_bytes);
  for (int i = 0; i < 2; i++) {
    struct side *sd = &sp->side[i];
    char name[64];
    snprintf(name, sizeof(name), "%s: answers (ACK / RST / other)", i == 0 ? "A" : "B");
    abuse_figure(rp, name, "", "%" PRIu64 " / %" PRIu64 " / %" PRIu64, sd->answers[ANS_ACK],
                 sd->answers[ANS_RST], sd->answers[ANS_OTHER]);
    snprintf(name, sizeof(name), "%s: peak answers in any 1 s", i == 0 ? "A" : "B");
    snprintf(b, sizeof(b), "<= %u (A6: 1 per %lld ms)", per_second, (long long)(iv / 1000000));
    abuse_check(rp, iv == 0 || sd->peak <= per_second, name, b, "%u%s", sd->peak,
                sd->peak >= RECENT ? " or more" : "");
    snprintf(name, sizeof(name), "%s: shortest gap between answers", i == 0 ? "A" : "B");
    snprintf(b, sizeof(b), ">= %lld ms", (long long)(iv / 1000000));
    abuse_check(rp, sd->min_gap == 0 || sd->min_gap >= iv, name, b, "%.1f ms",
                (double)sd->min_gap / 1e6);
    abuse_check(rp, sd->answers[ANS_RST] == 0,
                i == 0 ? "A: RSTs sent in answer" : "B: RSTs sent in answer", "= 0", "%" PRIu64,
                sd->answers[ANS_RST]);
  }
  abuse_figure(rp, "TcpExtTCPChallengeACK / TcpExtTCPACKSkippedChallenge", "",
               "%" PRIu64 " / %" PRIu64, SUM(challenge_acks), SUM(ack_rate_limited));
  abuse_figure(rp, "FinDropRstOutOfWindow / FinDropRstChallenged", "", "%" PRIu64 " / %" PRIu64,
               SUM(drop_rst_out_of_window), SUM(drop_rst_challenged));
  abuse_figure(rp, "TcpExtTCPSYNChallenge / FinDropOutOfWindow", "", "%" PRIu64 " / %" PRIu64,
               SUM(syn_challenges), SUM(drop_out_of_window));
  abuse_figure(rp, "FinDropNoAckFlag / AckTooOld / TCPACKSkippedSeq", "",
               "%" PRIu64 " / %" PRIu64 " / %" PRIu64, SUM(drop_no_ack_flag), SUM(drop_ack_too_old),
               SUM(drop_ack_too_new));
  abuse_check(rp, SUM(estab_resets) == 0 && sp->early_closes == 0, "connection resets", "= 0",
              "%" PRIu64, SUM(estab_resets) + sp->early_closes);
  abuse_check(rp, sp->state_changes_during_attack == 0, "state changes during the attack", "= 0",
              "%" PRIu64, sp->state_changes_during_attack);
  abuse_figure(rp, "fast retransmits / retransmitted segments", "(lossless link)",
               "%" PRIu64 " / %" PRIu64, SUM(fast_retrans), SUM(retrans_segs));
  abuse_figure(rp, "RSTs to closed ports (A7, stack-wide)", "", "%" PRIu64 " (%u/s budget)",
               SUM(rst_no_conn), set->rst_rate_per_sec);
  for (int i = 0; i < 2; i++) {
    struct side *sd = &sp->side[i];
    char name[64];
    snprintf(name, sizeof(name), "%s to %s: bytes delivered / sent", i == 0 ? "A" : "B",
             i == 0 ? "B" : "A");
    const struct side *rx = &sp->side[1 - i];
    abuse_check(rp, rx->received == sd->total && rx->eof, name, "all, then EOF",
                "%" PRIu64 " / %" PRIu64, rx->received, sd->total);
    snprintf(name, sizeof(name), "%s to %s: bytes that differ", i == 0 ? "A" : "B",
             i == 0 ? "B" : "A");
    abuse_check(rp, rx->mismatched == 0 || injectable > 0, name, "= 0 (byte-exact)", "%" PRIu64,
                rx->mismatched);
  }
  abuse_check(rp, sp->side[0].reason == FIN_REASON_TIME_WAIT_DONE, "A ends (active closer)",
              "time-wait-done", "%s", fin_close_reason_name(sp->side[0].reason));
  abuse_check(rp, sp->side[1].reason == FIN_REASON_GRACEFUL, "B ends", "graceful", "%s",
              fin_close_reason_name(sp->side[1].reason));
  abuse_figure(rp, "peak memory A / B", "", "%zu / %zu B", sp->n.mem_peak[0], sp->n.mem_peak[1]);
}

unsigned abuse_spoof(const struct abuse_opts *o) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct spoof *sp = calloc(1, sizeof(*sp));
  if (sp == NULL)
    return 1;
  sp->o = o;
  sp->rng = o->seed * 0x2545F4914F6CDD1DULL + 1;
  struct fin_settings set;
  fin_settings_default(&set);
  set.event_mask = (1u << FIN_EV_STATE) | (1u << FIN_EV_CLOSED);
  if (o->sabotage)
    set.challenge_ack_interval = 0; /* no A6 limit: every spoof is answered */
  struct fin_settings *sets[2] = {&set, &set};
  sp->max_wnd = 2 * set.rcvbuf;
  struct abuse_net *n = &sp->n;
  struct abuse_report rp = {.out = stdout, .cmd = o->cmd};
  char title[160];
  snprintf(title, sizeof(title),
           "abuse spoof: %" PRIu64 " blind spoofed segments into a live connection (seed %" PRIu64
           ")",
           o->count, o->seed);
  abuse_report_begin(&rp, title);
  int rc = abuse_net_init(n, 2, sets, o->seed);
  n->h = (struct abuse_hooks){.ctx = sp, .tap = tap, .tick = tick, .event = event, .app = app};
  if (rc != 0 || setup(sp) != 0) {
    abuse_check(&rp, false, "connection set up", "", "%s", n->why);
    abuse_net_free(n);
    free(sp);
    abuse_report_end(&rp, 0);
    return rp.failures;
  }
  sp->start = n->now;
  sp->side[0].total = (uint64_t)RATE_AB * (uint64_t)(SPAN / FIN_SEC(1));
  sp->side[1].total = (uint64_t)RATE_BA * (uint64_t)(SPAN / FIN_SEC(1));
  sp->attacking = o->count > 0;
  n->h.done = finished;
  abuse_net_at(n, n->now, TICK_APP);
  if (o->count > 0)
    abuse_net_at(n, n->now, TICK_ATTACK);
  /* The transfer ends after SPAN; A's TIME-WAIT lasts 2*MSL after that. */
  abuse_net_run(n, n->now + SPAN + 2 * set.msl + FIN_SEC(60));
  figures(sp, &rp);
  abuse_check(&rp, !n->failed, "invariants (fin_stack_audit), bounds", "hold", "%s",
              n->failed ? n->why : "yes");
  abuse_figure(&rp, "virtual time / steps", "", "%.1f s / %" PRIu64,
               (double)(n->now - FIN_SEC(1)) / 1e9, n->steps);
  abuse_net_free(n);
  abuse_check(&rp, !n->failed, "leaks at fin_stack_free", "none", "%s",
              n->failed ? n->why : "none");
  clock_gettime(CLOCK_MONOTONIC, &t1);
  abuse_report_end(&rp, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  unsigned f = rp.failures;
  free(sp);
  return f;
}
