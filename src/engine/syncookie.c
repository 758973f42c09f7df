/* SPDX-License-Identifier: MIT */
/* SYN cookies (RFC 4987 §3.6; BEHAVIOR L1): when the SYN or accept queue
 * is full, the SYN-ACK's sequence number encodes what the handshake needs,
 * and no state is kept until a valid ACK returns. Layout of the ISS:
 * bits 31-27 a 64-second time counter, 26-25 an MSS index, 24-0 a SipHash
 * MAC over the 4-tuple, the peer's ISN and the counter. Window scaling,
 * SACK and timestamps are not encoded: a cookie connection runs without. */
#include "internal.h"

static const uint16_t cookie_mss[4] = {536, 1220, 1440, 1460};
#define COOKIE_PERIOD FIN_SEC(64)

static uint32_t cookie_mac(struct fin_stack *st, const struct fin_4tuple *t, uint32_t peer_isn,
                           uint32_t counter, uint32_t mss_idx) {
  uint8_t k[24];
  memcpy(k, t, sizeof(*t));
  memcpy(k + 12, &peer_isn, 4);
  memcpy(k + 16, &counter, 4);
  memcpy(k + 20, &mss_idx, 4);
  return (uint32_t)fin_siphash(&st->cookie_key, k, sizeof(k)) & 0x1ffffff;
}

uint32_t fin_syncookie_make(struct fin_stack *st, const struct fin_4tuple *t, uint32_t peer_isn,
                            uint16_t mss) {
  uint32_t idx = 0;
  for (uint32_t i = 0; i < 4; i++)
    if (cookie_mss[i] <= mss)
      idx = i;
  uint32_t counter = (uint32_t)(st->now / COOKIE_PERIOD) & 0x1f;
  return counter << 27 | idx << 25 | cookie_mac(st, t, peer_isn, counter, idx);
}

/* Valid for the current and the previous period (64-128 s). */
bool fin_syncookie_check(struct fin_stack *st, const struct fin_4tuple *t, uint32_t cookie,
                         uint32_t peer_isn, uint16_t *mss) {
  uint32_t counter = cookie >> 27, idx = (cookie >> 25) & 3;
  uint32_t now_counter = (uint32_t)(st->now / COOKIE_PERIOD) & 0x1f;
  uint32_t age = (now_counter - counter) & 0x1f;
  if (age > 1 || cookie_mac(st, t, peer_isn, counter, idx) != (cookie & 0x1ffffff))
    return false;
  *mss = cookie_mss[idx];
  return true;
}
