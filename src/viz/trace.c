/* SPDX-License-Identifier: MIT */
/* The recorded run shared by the simulator and the renderers. */
#include "viz/trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fin/wire.h"

void fin_trace_init(struct fin_trace *tr) {
  memset(tr, 0, sizeof(*tr));
}

void fin_trace_free(struct fin_trace *tr) {
  for (size_t i = 0; i < tr->npkts; i++)
    free(tr->pkts[i].data);
  free(tr->pkts);
  free(tr->recs);
  fin_trace_init(tr);
}

void fin_trace_set_host(struct fin_trace *tr, unsigned host, uint32_t addr) {
  if (host >= FIN_TRACE_MAX_HOSTS)
    return;
  snprintf(tr->host_names[host], sizeof(tr->host_names[host]), "%c", 'a' + host);
  tr->host_addrs[host] = addr;
  if (host >= tr->host_count)
    tr->host_count = host + 1;
}

int fin_trace_add_packet(struct fin_trace *tr, const uint8_t *d, size_t len, uint32_t *pkt) {
  *pkt = 0;
  if (tr->npkts == tr->pkts_cap) {
    size_t cap = tr->pkts_cap ? tr->pkts_cap * 2 : 256;
    struct fin_trace_pkt *p = realloc(tr->pkts, cap * sizeof(*p));
    if (p == NULL)
      return -ENOMEM;
    tr->pkts = p;
    tr->pkts_cap = cap;
  }
  uint8_t *copy = malloc(len ? len : 1);
  if (copy == NULL)
    return -ENOMEM;
  memcpy(copy, d, len);
  tr->pkts[tr->npkts++] = (struct fin_trace_pkt){copy, len};
  *pkt = (uint32_t)tr->npkts;
  return 0;
}

int fin_trace_add(struct fin_trace *tr, const struct fin_trace_rec *rec) {
  if (tr->len == tr->cap) {
    size_t cap = tr->cap ? tr->cap * 2 : 256;
    struct fin_trace_rec *r = realloc(tr->recs, cap * sizeof(*r));
    if (r == NULL)
      return -ENOMEM;
    tr->recs = r;
    tr->cap = cap;
  }
  tr->recs[tr->len++] = *rec;
  return 0;
}

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t rd16(const uint8_t *p) {
  return (uint16_t)(p[0] << 8 | p[1]);
}

void fin_trace_decode(const uint8_t *d, size_t len, struct fin_trace_seg *out) {
  memset(out, 0, sizeof(*out));
  out->len = (uint32_t)len;
  if (len < 20 || (d[0] >> 4) != 4 || d[9] != FIN_IPPROTO_TCP)
    return;
  size_t ihl = (size_t)(d[0] & 0xf) * 4;
  size_t total = rd16(d + 2);
  if (total > len)
    total = len;
  if (ihl < 20 || total < ihl + 20)
    return;
  const uint8_t *t = d + ihl;
  size_t doff = (size_t)(t[12] >> 4) * 4;
  if (doff < 20 || ihl + doff > total)
    return;
  out->saddr = rd32(d + 12);
  out->daddr = rd32(d + 16);
  out->sport = rd16(t);
  out->dport = rd16(t + 2);
  out->seq = rd32(t + 4);
  out->ack = rd32(t + 8);
  out->flags = t[13];
  out->win = rd16(t + 14);
  out->len = (uint32_t)(total - ihl - doff);
  out->valid = true;
}

const char *fin_trace_flags(uint8_t flags, char *buf, size_t cap) {
  /* Wireshark's order, so the ladder reads like its Info column. */
  static const struct {
    uint8_t bit;
    const char *name;
  } names[] = {{FIN_TCP_FIN, "FIN"}, {FIN_TCP_SYN, "SYN"}, {FIN_TCP_RST, "RST"},
               {FIN_TCP_PSH, "PSH"}, {FIN_TCP_ACK, "ACK"}, {FIN_TCP_URG, "URG"},
               {FIN_TCP_ECE, "ECE"}, {FIN_TCP_CWR, "CWR"}};
  size_t n = 0;
  if (cap == 0)
    return buf;
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (!(flags & names[i].bit))
      continue;
    int w = snprintf(buf + n, cap - n, "%s%s", n ? "," : "", names[i].name);
    if (w < 0 || (size_t)w >= cap - n)
      break;
    n += (size_t)w;
  }
  if (n == 0)
    snprintf(buf, cap, "none");
  return buf;
}

const char *fin_trace_fate_name(enum fin_trace_fate f) {
  static const char *const names[FIN_FATE_COUNT] = {
      [FIN_FATE_DELIVERED] = "delivered", [FIN_FATE_CORRUPTED] = "corrupted",
      [FIN_FATE_LOST] = "lost",           [FIN_FATE_QUEUE] = "queue-full",
      [FIN_FATE_PARTITION] = "partition", [FIN_FATE_SCRIPTED] = "scripted-loss",
      [FIN_FATE_HOST_DOWN] = "host-down", [FIN_FATE_NO_ROUTE] = "no-route",
      [FIN_FATE_STACK] = "stack",
  };
  if ((unsigned)f >= FIN_FATE_COUNT)
    return "?";
  return names[f];
}

const char *fin_trace_kind_name(enum fin_trace_kind k) {
  static const char *const names[FIN_TR_KIND_COUNT] = {
      [FIN_TR_STATE] = "state", [FIN_TR_SEND] = "send",   [FIN_TR_RECV] = "recv",
      [FIN_TR_DROP] = "drop",   [FIN_TR_TIMER] = "timer", [FIN_TR_APP] = "app",
      [FIN_TR_CLOSE] = "close", [FIN_TR_RST] = "rst",
  };
  if ((unsigned)k >= FIN_TR_KIND_COUNT)
    return "?";
  return names[k];
}

void fin_rel_init(struct fin_rel *rel) {
  memset(rel, 0, sizeof(*rel));
}

static struct fin_rel_flow *rel_find(struct fin_rel *rel, uint32_t saddr, uint16_t sport,
                                     uint32_t daddr, uint16_t dport) {
  for (size_t i = 0; i < rel->count; i++) {
    struct fin_rel_flow *f = &rel->flows[i];
    if (f->saddr == saddr && f->daddr == daddr && f->sport == sport && f->dport == dport)
      return f;
  }
  return NULL;
}

static struct fin_rel_flow *rel_learn(struct fin_rel *rel, const struct fin_trace_seg *seg) {
  struct fin_rel_flow *f = rel_find(rel, seg->saddr, seg->sport, seg->daddr, seg->dport);
  if (f == NULL) {
    /* Full table: reuse the oldest slot; labels stay readable, if not exact. */
    size_t i = rel->count < FIN_REL_MAX_FLOWS ? rel->count++ : 0;
    f = &rel->flows[i];
    *f = (struct fin_rel_flow){seg->saddr, seg->daddr, seg->sport, seg->dport, seg->seq};
  }
  /* A SYN with a new sequence number is a new incarnation of the 4-tuple. */
  if (seg->flags & FIN_TCP_SYN)
    f->base = seg->seq;
  return f;
}

void fin_rel_apply(struct fin_rel *rel, const struct fin_trace_seg *seg, uint32_t *seq,
                   uint32_t *ack) {
  *seq = seg->seq;
  *ack = seg->ack;
  if (!seg->valid)
    return;
  const struct fin_rel_flow *f = rel_learn(rel, seg);
  *seq = seg->seq - f->base;
  const struct fin_rel_flow *r = rel_find(rel, seg->daddr, seg->dport, seg->saddr, seg->sport);
  if (!(seg->flags & FIN_TCP_ACK))
    *ack = 0;
  else if (r != NULL)
    *ack = seg->ack - r->base;
}

size_t fin_trace_seg_label(const struct fin_trace_seg *seg, uint32_t seq, uint32_t ack, char *buf,
                           size_t cap) {
  char fl[40];
  int n;
  if (!seg->valid)
    n = snprintf(buf, cap, "non-TCP len=%u", (unsigned)seg->len);
  else if (seg->flags & FIN_TCP_ACK)
    n = snprintf(buf, cap, "%s seq=%u ack=%u len=%u", fin_trace_flags(seg->flags, fl, sizeof fl),
                 (unsigned)seq, (unsigned)ack, (unsigned)seg->len);
  else
    n = snprintf(buf, cap, "%s seq=%u len=%u", fin_trace_flags(seg->flags, fl, sizeof fl),
                 (unsigned)seq, (unsigned)seg->len);
  return n < 0 ? 0 : (size_t)n;
}
