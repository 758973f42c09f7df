/* Predicates for the settings that change what an arriving segment may do
 * (policy.h). */
#include "policy.h"

#include "internal.h"

bool fin_policy_rst_in_window_resets(const struct fin_stack *st) {
  return st->s.insecure_rst;
}
