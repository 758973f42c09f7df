/* SPDX-License-Identifier: MIT */
/* Counter names, values and the nstat-style printer. No stdio: the engine
 * links against libc memory/string functions only. */
#include "fin/counters.h"

#include <string.h>

static const char *const counter_names[] = {
#define FIN_COUNTER_NAME(field, name) name,
    FIN_COUNTERS_LIST(FIN_COUNTER_NAME)
#undef FIN_COUNTER_NAME
};

#define COUNTER_COUNT (sizeof(counter_names) / sizeof(counter_names[0]))

size_t fin_counters_count(void) {
  return COUNTER_COUNT;
}

const char *fin_counters_name(size_t index) {
  return index < COUNTER_COUNT ? counter_names[index] : NULL;
}

uint64_t fin_counters_value(const struct fin_counters *c, size_t index) {
  if (index >= COUNTER_COUNT)
    return 0;
  const uint64_t *values = (const uint64_t *)(const void *)c;
  return values[index];
}

/* Appends text, counting the full length even past cap. */
static void put(char *buf, size_t cap, size_t *pos, const char *s, size_t n) {
  if (*pos < cap) {
    size_t room = cap - *pos;
    memcpy(buf + *pos, s, n < room ? n : room);
  }
  *pos += n;
}

static size_t u64_to_dec(uint64_t v, char *out) {
  char tmp[20];
  size_t n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (size_t i = 0; i < n; i++)
    out[i] = tmp[n - 1 - i];
  return n;
}

size_t fin_counters_format(const struct fin_counters *c, int all, char *buf, size_t cap) {
  size_t pos = 0;
  char num[24];
  for (size_t i = 0; i < COUNTER_COUNT; i++) {
    uint64_t v = fin_counters_value(c, i);
    if (v == 0 && !all)
      continue;
    put(buf, cap, &pos, counter_names[i], strlen(counter_names[i]));
    put(buf, cap, &pos, " ", 1);
    put(buf, cap, &pos, num, u64_to_dec(v, num));
    put(buf, cap, &pos, "\n", 1);
  }
  if (cap > 0)
    buf[pos < cap ? pos : cap - 1] = '\0';
  return pos;
}
