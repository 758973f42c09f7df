/* SPDX-License-Identifier: MIT */
/* `fin sim --pcapng FILE`: every datagram sent, in sending order, each
 * commented with what it did. The simulator records a datagram's arrival as
 * a RECV record followed at once by the events its input caused, and an
 * application call or a timer as records just before the datagram it makes
 * a host send, so a packet's comments are:
 *   - the sender's state changes (and timers, RSTs) that preceded it;
 *   - what the network did with it if it was not simply delivered;
 *   - the receiver's state changes, drops and closes its arrival caused. */
#include <errno.h>
#include <stdlib.h>

#include "drivers/pcapng.h"
#include "viz/viz.h"

#define MAX_NOTES 16
#define NOTE_LEN  160

struct notes {
  char text[MAX_NOTES][NOTE_LEN];
  const char *ptr[MAX_NOTES];
  size_t n;
};

static void notes_add(struct notes *ns, const struct fin_trace *tr, const struct fin_trace_rec *r) {
  if (ns->n < MAX_NOTES && fin_trace_note(tr, r, ns->text[ns->n], NOTE_LEN) > 0)
    ns->n++;
}

static bool is_event(const struct fin_trace_rec *r) {
  return r->kind == FIN_TR_STATE || r->kind == FIN_TR_CLOSE || r->kind == FIN_TR_RST ||
         r->kind == FIN_TR_DROP || r->kind == FIN_TR_TIMER;
}

/* For each RECV: the events right after it (same host) are its effects.
 * cause[k] = packet number that caused record k (0 = none); first/next
 * chain each packet's effects in trace order. */
static void link_effects(const struct fin_trace *tr, uint32_t *cause, size_t *first, size_t *next) {
  size_t *last = calloc(tr->npkts + 1, sizeof(*last));
  if (last == NULL)
    return; /* the packets are still written, without their effects */
  for (size_t j = 0; j < tr->len; j++) {
    const struct fin_trace_rec *r = &tr->recs[j];
    if (r->kind != FIN_TR_RECV || r->pkt == 0)
      continue;
    for (size_t k = j + 1; k < tr->len && tr->recs[k].host == r->host && is_event(&tr->recs[k]);
         k++) {
      cause[k] = r->pkt;
      if (first[r->pkt] == SIZE_MAX)
        first[r->pkt] = k;
      else
        next[last[r->pkt]] = k;
      last[r->pkt] = k;
    }
  }
  free(last);
}

/* The sender's events that happened at the same instant just before record i. */
static void preceding(const struct fin_trace *tr, size_t i, const uint32_t *cause,
                      struct notes *ns) {
  const struct fin_trace_rec *s = &tr->recs[i];
  size_t k = i;
  while (k > 0) {
    const struct fin_trace_rec *r = &tr->recs[k - 1];
    if (r->t != s->t || cause[k - 1] != 0 || (r->host == s->host && !is_event(r)))
      break;
    k--;
  }
  for (; k < i; k++)
    if (tr->recs[k].host == s->host)
      notes_add(ns, tr, &tr->recs[k]);
}

static void network(const struct fin_trace_rec *s, struct notes *ns) {
  if (ns->n < MAX_NOTES && s->fate != FIN_FATE_DELIVERED)
    snprintf(ns->text[ns->n++], NOTE_LEN, "network: %s", fin_trace_fate_name(s->fate));
  if (ns->n < MAX_NOTES && s->dup)
    snprintf(ns->text[ns->n++], NOTE_LEN, "network: duplicated");
}

static int write_packets(struct fin_pcapng *png, const struct fin_trace *tr, const uint32_t *cause,
                         const size_t *first, const size_t *next) {
  struct notes ns;
  for (size_t i = 0; i < tr->len; i++) {
    const struct fin_trace_rec *s = &tr->recs[i];
    if (s->kind != FIN_TR_SEND || s->pkt == 0 || s->pkt > tr->npkts)
      continue;
    ns.n = 0;
    if (!s->dup) /* a link's copy: its effects are told on the original */
      preceding(tr, i, cause, &ns);
    network(s, &ns);
    for (size_t k = s->dup ? SIZE_MAX : first[s->pkt]; k != SIZE_MAX; k = next[k])
      notes_add(&ns, tr, &tr->recs[k]);
    for (size_t k = 0; k < ns.n; k++)
      ns.ptr[k] = ns.text[k];
    const struct fin_trace_pkt *p = &tr->pkts[s->pkt - 1];
    int r = fin_pcapng_write(png, p->data, p->len, s->t, FIN_PCAPNG_DIR_UNKNOWN, ns.ptr, ns.n);
    if (r != 0)
      return r;
  }
  return 0;
}

int fin_pcapng_render(FILE *out, const struct fin_trace *tr, const struct fin_viz_opts *o) {
  (void)o;
  struct fin_pcapng *png = fin_pcapng_open_stream(out, false, "sim");
  uint32_t *cause = calloc(tr->len + 1, sizeof(*cause));
  size_t *first = malloc((tr->npkts + 1) * sizeof(*first));
  size_t *next = malloc((tr->len + 1) * sizeof(*next));
  int r = -ENOMEM;
  if (png != NULL && cause != NULL && first != NULL && next != NULL) {
    for (size_t i = 0; i <= tr->npkts; i++)
      first[i] = SIZE_MAX;
    for (size_t i = 0; i <= tr->len; i++)
      next[i] = SIZE_MAX;
    link_effects(tr, cause, first, next);
    r = write_packets(png, tr, cause, first, next);
  }
  fin_pcapng_close(png);
  free(cause);
  free(first);
  free(next);
  return r != 0 ? r : ferror(out) ? -EIO : 0;
}
