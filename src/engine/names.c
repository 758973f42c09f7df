/* SPDX-License-Identifier: MIT */
/* Printable names for states, close reasons and timers (RFC spelling). */
#include "fin/stack.h"

const char *fin_state_name(enum fin_state state) {
  switch (state) {
  case FIN_CLOSED:
    return "CLOSED";
  case FIN_LISTEN:
    return "LISTEN";
  case FIN_SYN_SENT:
    return "SYN-SENT";
  case FIN_SYN_RECEIVED:
    return "SYN-RECEIVED";
  case FIN_ESTABLISHED:
    return "ESTABLISHED";
  case FIN_FIN_WAIT_1:
    return "FIN-WAIT-1";
  case FIN_FIN_WAIT_2:
    return "FIN-WAIT-2";
  case FIN_CLOSE_WAIT:
    return "CLOSE-WAIT";
  case FIN_CLOSING:
    return "CLOSING";
  case FIN_LAST_ACK:
    return "LAST-ACK";
  case FIN_TIME_WAIT:
    return "TIME-WAIT";
  case FIN_STATE_COUNT:
    break;
  }
  return "?";
}

const char *fin_close_reason_name(enum fin_close_reason r) {
  static const char *const names[FIN_REASON_COUNT] = {
      [FIN_REASON_NONE] = "none",
      [FIN_REASON_GRACEFUL] = "graceful",
      [FIN_REASON_TIME_WAIT_DONE] = "time-wait-done",
      [FIN_REASON_RESET] = "reset",
      [FIN_REASON_REFUSED] = "refused",
      [FIN_REASON_RETRANSMIT_TIMEOUT] = "retransmit-timeout",
      [FIN_REASON_USER_TIMEOUT] = "user-timeout",
      [FIN_REASON_SYN_TIMEOUT] = "syn-timeout",
      [FIN_REASON_KEEPALIVE_TIMEOUT] = "keepalive-timeout",
      [FIN_REASON_FIN_WAIT_2_TIMEOUT] = "fin-wait-2-timeout",
      [FIN_REASON_ABORT] = "abort",
      [FIN_REASON_UNREAD_DATA] = "unread-data",
      [FIN_REASON_DATA_AFTER_CLOSE] = "data-after-close",
      [FIN_REASON_MEMORY] = "memory",
      [FIN_REASON_ADMIN_KILL] = "admin-kill",
      [FIN_REASON_STACK_SHUTDOWN] = "stack-shutdown",
      [FIN_REASON_ICMP_UNREACHABLE] = "icmp-unreachable",
      [FIN_REASON_CLOSED_IN_SYN_SENT] = "closed-in-syn-sent",
      [FIN_REASON_LISTENER_CLOSED] = "listener-closed",
      [FIN_REASON_SYN_RECV_TIMEOUT] = "syn-recv-timeout",
      [FIN_REASON_TIME_WAIT_RECYCLED] = "time-wait-recycled",
      [FIN_REASON_TIME_WAIT_RESET] = "time-wait-reset",
      [FIN_REASON_TIME_WAIT_REOPENED] = "time-wait-reopened",
      [FIN_REASON_MALFORMED] = "malformed",
  };
  if ((unsigned)r >= FIN_REASON_COUNT)
    return "?";
  return names[r];
}

const char *fin_timer_name(enum fin_timer_kind k) {
  static const char *const names[FIN_TIMER_COUNT] = {
      [FIN_TIMER_NONE] = "none",
      [FIN_TIMER_RETRANSMIT] = "retransmit",
      [FIN_TIMER_PERSIST] = "persist",
      [FIN_TIMER_KEEPALIVE] = "keepalive",
      [FIN_TIMER_DELACK] = "delayed-ack",
      [FIN_TIMER_TIME_WAIT] = "time-wait",
      [FIN_TIMER_FIN_WAIT_2] = "fin-wait-2",
      [FIN_TIMER_LINGER] = "linger",
      [FIN_TIMER_SYN_RECV] = "syn-recv",
      [FIN_TIMER_USER_TIMEOUT] = "user-timeout",
  };
  if ((unsigned)k >= FIN_TIMER_COUNT)
    return "?";
  return names[k];
}

const char *fin_event_type_name(enum fin_event_type t) {
  static const char *const names[FIN_EV_TYPE_COUNT] = {[FIN_EV_STATE] = "state",
                                                       [FIN_EV_CLOSED] = "closed",
                                                       [FIN_EV_ACCEPTABLE] = "acceptable",
                                                       [FIN_EV_READABLE] = "readable",
                                                       [FIN_EV_WRITABLE] = "writable",
                                                       [FIN_EV_TIMER] = "timer",
                                                       [FIN_EV_DROP] = "drop",
                                                       [FIN_EV_RST_SENT] = "rst-sent"};
  return (unsigned)t < FIN_EV_TYPE_COUNT ? names[t] : "?";
}
