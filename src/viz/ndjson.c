/* SPDX-License-Identifier: MIT */
/* `--events FILE`: one JSON object per trace record, the schema of
 * docs/events.md shared by fin sim, fin serve and fin connect. Every object
 * has t (seconds), host, conn and type, local/remote when the connection is
 * known; the rest depends on the type. Sequence numbers are absolute here
 * (machines read this), with rseq/rack beside. */
#include <errno.h>

#include "viz/viz.h"

static void json_str(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(out, "\\%c", c);
    else if (c < 0x20)
      fprintf(out, "\\u%04x", c);
    else
      fputc(c, out);
  }
  fputc('"', out);
}

static void endpoint(FILE *out, const char *key, uint32_t a, uint16_t port) {
  fprintf(out, ",\"%s\":\"%u.%u.%u.%u:%u\"", key, a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
          port);
}

/* The connection's two ends from the host's side: the event's 4-tuple, or
 * the segment's addresses (outbound for SEND, inbound otherwise). */
static void ends(FILE *out, const struct fin_trace_rec *r) {
  const struct fin_trace_seg *g = &r->seg;
  if (r->has_tuple) {
    endpoint(out, "local", r->tuple.local_addr, r->tuple.local_port);
    endpoint(out, "remote", r->tuple.remote_addr, r->tuple.remote_port);
  } else if (g->valid && r->kind == FIN_TR_SEND) {
    endpoint(out, "local", g->saddr, g->sport);
    endpoint(out, "remote", g->daddr, g->dport);
  } else if (g->valid && (r->kind == FIN_TR_RECV || r->kind == FIN_TR_DROP)) {
    endpoint(out, "local", g->daddr, g->dport);
    endpoint(out, "remote", g->saddr, g->sport);
  }
}

static void seg_fields(FILE *out, const struct fin_trace *tr, const struct fin_trace_rec *r,
                       struct fin_rel *rel) {
  char fl[40];
  if (!r->seg.valid && r->kind == FIN_TR_DROP)
    return; /* a stack's drop: the segment is the RECV just before */
  uint32_t rseq, rack;
  fin_rel_apply(rel, &r->seg, &rseq, &rack);
  fprintf(out, ",\"peer\":");
  json_str(out, r->peer < tr->host_count ? tr->host_names[r->peer] : "?");
  fprintf(out,
          ",\"flags\":\"%s\",\"seq\":%u,\"ack\":%u,\"len\":%u,\"win\":%u,\"rseq\":%u,\"rack\":%u",
          fin_trace_flags(r->seg.flags, fl, sizeof fl), (unsigned)r->seg.seq, (unsigned)r->seg.ack,
          (unsigned)r->seg.len, (unsigned)r->seg.win, (unsigned)rseq, (unsigned)rack);
}

static void kind_fields(FILE *out, const struct fin_trace *tr, const struct fin_trace_rec *r,
                        struct fin_rel *rel) {
  switch (r->kind) {
  case FIN_TR_STATE:
    fprintf(out, ",\"from\":\"%s\",\"to\":\"%s\"", fin_state_name(r->from), fin_state_name(r->to));
    break;
  case FIN_TR_SEND:
    seg_fields(out, tr, r, rel);
    fprintf(out, ",\"fate\":\"%s\",\"dup\":%s", fin_trace_fate_name(r->fate),
            r->dup ? "true" : "false");
    if (r->arrive != FIN_NEVER)
      fprintf(out, ",\"arrive\":%.9f", (double)r->arrive / 1e9);
    break;
  case FIN_TR_RECV:
    seg_fields(out, tr, r, rel);
    break;
  case FIN_TR_DROP:
    seg_fields(out, tr, r, rel);
    fprintf(
        out, ",\"where\":\"%s\",\"reason\":\"%s\"", r->fate == FIN_FATE_STACK ? "stack" : "link",
        r->fate == FIN_FATE_STACK ? fin_counters_name(r->counter) : fin_trace_fate_name(r->fate));
    break;
  case FIN_TR_TIMER:
    fprintf(out, ",\"timer\":\"%s\"", fin_timer_name(r->timer));
    break;
  case FIN_TR_APP:
    fprintf(out, ",\"call\":");
    json_str(out, r->call);
    fprintf(out, ",\"result\":%lld,\"errno\":\"%s\"", (long long)r->result,
            r->result < 0 ? fin_strerror((int)r->result) : "0");
    break;
  case FIN_TR_CLOSE:
    fprintf(out, ",\"reason\":\"%s\",\"errno\":\"%s\"", fin_close_reason_name(r->reason),
            fin_strerror(r->err));
    break;
  case FIN_TR_RST:
    fprintf(out, ",\"reason\":\"%s\"", fin_counters_name(r->counter));
    break;
  case FIN_TR_KIND_COUNT:
    break;
  }
}

void fin_ndjson_record(FILE *out, const struct fin_trace *tr, const struct fin_trace_rec *r,
                       struct fin_rel *rel) {
  fprintf(out, "{\"t\":%.9f,\"host\":", (double)r->t / 1e9);
  json_str(out, r->host < tr->host_count ? tr->host_names[r->host] : "?");
  fprintf(out, ",\"conn\":%llu,\"type\":\"%s\"", (unsigned long long)r->conn,
          fin_trace_kind_name(r->kind));
  ends(out, r);
  kind_fields(out, tr, r, rel);
  fputs("}\n", out);
}

int fin_ndjson_render(FILE *out, const struct fin_trace *tr, const struct fin_viz_opts *o) {
  (void)o;
  struct fin_rel rel;
  fin_rel_init(&rel);
  for (size_t i = 0; i < tr->len; i++)
    fin_ndjson_record(out, tr, &tr->recs[i], &rel);
  return ferror(out) ? -EIO : 0;
}
