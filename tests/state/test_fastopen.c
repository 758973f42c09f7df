/* SPDX-License-Identifier: MIT */
/* TCP Fast Open (RFC 7413), BEHAVIOR T1-T9: what a SYN with the option earns
 * at a listener (data before the handshake completes, a cookie, or a plain
 * handshake), the server's key rotation, the client's cookie requests and
 * cache, its data on the SYN and the fallback when the SYN-ACK does not
 * acknowledge it, and a SYN carrying data and FIN. Both families. */
#include <errno.h>
#include <string.h>

#include "internal.h" /* the client cookie cache (st->tfo) */
#include "peer.h"

static const uint8_t COOKIE[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};

static struct fin_settings tfo_settings(void) {
  struct fin_settings s;
  fin_settings_default(&s);
  s.fastopen_client = true;
  s.fastopen_server = true;
  return s;
}

static void tfo_listen(struct peer *p, int qlen) {
  peer_listen(p, 8);
  assert_int_equal(fin_setsockopt(p->st, p->listener, FIN_TCP_FASTOPEN, &qlen, sizeof(qlen)), 0);
}

static size_t opts_with_fo(const struct peer *p, uint8_t *out, const uint8_t *cookie, int len,
                           bool exp) {
  struct fin_tcp_opts_out o;
  memset(&o, 0, sizeof(o));
  o.mss = true;
  o.mss_value = (uint16_t)PEER_MSS(p);
  o.fo = len >= 0;
  o.fo_exp = exp;
  o.fo_len = (uint8_t)(len > 0 ? len : 0);
  if (len > 0)
    memcpy(o.fo_cookie, cookie, (size_t)len);
  return fin_tcp_opts_write(out, &o, FIN_LAYOUT_LINUX, true);
}

/* The peer's SYN from port with a Fast Open option (len 0: a cookie
 * request), data and maybe more flags. */
static void tfo_syn(struct peer *p, uint16_t port, const uint8_t *cookie, int len, bool exp,
                    const char *data, uint8_t more) {
  uint8_t opt[40];
  size_t n = opts_with_fo(p, opt, cookie, len, exp);
  p->peer_port = port;
  peer_send_opts(p, TCP_S | more, p->irs, 0, opt, n, data, data ? strlen(data) : 0);
}

/* fin's SYN-ACK, exactly: <SEQ=ISS><ACK=ack><CTL=SYN,ACK>, no data, fin's
 * MSS, and a cookie (copied to cookie) or none. Returns the cookie's
 * length. */
static int expect_syn_ack(struct peer *p, uint32_t ack, uint8_t cookie[FIN_TFO_COOKIE_LEN]) {
  p->iss = peer_expect_syn_ack(p, ack);
  assert_int_equal(p->last.payload_len, 0);
  assert_true(p->last.opts.has_mss);
  assert_int_equal(p->last.opts.mss, PEER_MSS(p));
  if (!p->last.opts.has_fo)
    return -1;
  assert_int_equal(p->last.opts.fo_len, FIN_TFO_COOKIE_LEN);
  memcpy(cookie, p->last.opts.fo_cookie, FIN_TFO_COOKIE_LEN);
  return p->last.opts.fo_len;
}

/* A cookie request from port 41000, the embryonic child then reset. */
static void get_cookie(struct peer *p, uint8_t cookie[FIN_TFO_COOKIE_LEN]) {
  tfo_syn(p, 41000, NULL, 0, false, NULL, 0);
  assert_int_equal(expect_syn_ack(p, R(p, 1), cookie), FIN_TFO_COOKIE_LEN);
  peer_expect_nothing(p);
  peer_send(p, TCP_R, R(p, 1), 0, NULL, 0);
  peer_expect_nothing(p);
}

/* The peer resets a child of port (a TFO child, waiting in the accept
 * queue, goes with it). */
static void reset_child(struct peer *p, uint16_t port, uint32_t seq) {
  p->peer_port = port;
  peer_send(p, TCP_R, seq, 0, NULL, 0);
  peer_expect_nothing(p);
}

/* BEHAVIOR T1: a SYN with a valid cookie and data gets a SYN-ACK that
 * acknowledges both and carries no cookie; the child is acceptable at once
 * and its data readable while the handshake is still open (RFC 7413
 * §4.2.2 2A); the final ACK completes it and the reply follows. */
static void test_valid_cookie_data_delivered_before_handshake_completes(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  struct peer p;
  peer_init(&p, &s);
  tfo_listen(&p, 4);
  uint8_t cookie[8], again[8];
  get_cookie(&p, cookie);
  assert_int_equal(peer_counters(&p)->tfo_cookie_reqd, 1);
  tfo_syn(&p, 41001, cookie, 8, false, "hello", 0);
  assert_int_equal(expect_syn_ack(&p, R(&p, 6), again), -1);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->tfo_passive, 1);
  p.s = fin_accept(p.st, p.listener, NULL);
  assert_true(p.s >= 0);
  assert_int_equal(peer_state(&p), FIN_SYN_RECEIVED);
  char b[8];
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), 5);
  assert_memory_equal(b, "hello", 5);
  int v = 0;
  size_t vl = sizeof(v);
  assert_int_equal(fin_getsockopt(p.st, p.s, FIN_TCP_FASTOPEN, &v, &vl), 0);
  assert_int_equal(v, 1);
  /* §4.2.2 step 3: the reply may go before the handshake completes. */
  assert_int_equal(fin_send(p.st, p.s, "ok", 2, 0), 2);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 6), 2);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 6), L(&p, 3), NULL, 0);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* A TFO child of port 41001 whose SYN carried `data` with a valid cookie,
 * accepted (p->s) and its data read: still in SYN-RECEIVED. */
static void accept_child_with(struct peer *p, const struct fin_settings *s, const char *data) {
  peer_init(p, s);
  tfo_listen(p, 4);
  uint8_t cookie[8], none[8];
  get_cookie(p, cookie);
  uint32_t len = (uint32_t)strlen(data);
  tfo_syn(p, 41001, cookie, 8, false, data, 0);
  assert_int_equal(expect_syn_ack(p, R(p, 1 + len), none), -1);
  p->s = fin_accept(p->st, p->listener, NULL);
  assert_true(p->s >= 0);
  char b[16];
  assert_int_equal(fin_recv(p->st, p->s, b, sizeof(b), 0), (int)len);
  assert_memory_equal(b, data, len);
}

/* BEHAVIOR T1, J3: an accepted TFO child whose SYN-ACK is never answered
 * gives up after synack_retries like any SYN-RECEIVED, but the application
 * holds it: it reads ETIMEDOUT, not an end of stream the peer never sent
 * (Linux tcp_write_err on the child). */
static void test_accepted_child_synack_timeout_reports_etimedout(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  struct peer p;
  accept_child_with(&p, &s, "hello");
  char b[8];
  for (int i = 0; i < 64 && peer_state(&p) == FIN_SYN_RECEIVED; i++)
    peer_advance(&p, FIN_SEC(10)); /* SYN-ACK retransmissions, then the give-up */
  assert_int_equal(peer_state(&p), FIN_CLOSED);
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), -ETIMEDOUT);
  enum fin_close_reason reason;
  int err;
  assert_true(peer_find_closed(&p, &reason, &err));
  assert_int_equal(reason, FIN_REASON_SYN_RECV_TIMEOUT);
  assert_int_equal(err, -ETIMEDOUT);
  fin_close(p.st, p.s);
  p.s = -1;
  peer_free(&p);
}

/* The state of the connection with the peer's port, handle or not. */
static enum fin_state state_of(struct peer *p) {
  struct fin_conn_info info[8];
  size_t cursor = 0, n = fin_stack_list(p->st, &cursor, info, 8);
  for (size_t i = 0; i < n; i++)
    if (info[i].tuple.remote_port == p->peer_port)
      return info[i].state;
  return FIN_CLOSED;
}

/* BEHAVIOR T1, C3: the application answers and closes before the final
 * ACK: the reply goes at once (§4.2.2 step 3), our FIN waits for
 * ESTABLISHED (RFC 9293 §3.10.4), then FIN-WAIT-1; a lost reply goes again
 * after the SYN-ACK. */
static void test_reply_and_close_before_handshake_completes(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  struct peer p;
  accept_child_with(&p, &s, "GET");
  assert_int_equal(fin_send(p.st, p.s, "200", 3, 0), 3);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 4), 3);
  peer_expect_nothing(&p);
  assert_int_equal(state_of(&p), FIN_SYN_RECEIVED);
  peer_advance_to_deadline(&p); /* neither the SYN-ACK nor the reply arrived */
  peer_expect(&p, TCP_S | TCP_A, p.iss, R(&p, 4));
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 4), 3);
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 4), L(&p, 1), NULL, 0);
  peer_expect(&p, TCP_F | TCP_A, L(&p, 4), R(&p, 4)); /* ESTABLISHED: the FIN follows */
  peer_expect_nothing(&p);
  assert_int_equal(state_of(&p), FIN_FIN_WAIT_1);
  peer_send(&p, TCP_F | TCP_A, R(&p, 4), L(&p, 5), NULL, 0); /* D5: acks our FIN with its own */
  peer_expect(&p, TCP_A, L(&p, 5), R(&p, 5));
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  assert_int_equal(fin_stack_time_wait_count(p.st), 1);
  peer_free(&p);
}

/* BEHAVIOR T2: an invalid cookie (wrong bytes, wrong length) gets a plain
 * handshake whose SYN-ACK acknowledges only the SYN and carries the valid
 * cookie (§4.2.2 2B): the data is not taken, and it is taken when the
 * client sends it again. A SYN with data but no option gets no cookie. */
static void test_invalid_or_absent_cookie_gets_cookie_and_data_ignored(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  struct peer p;
  peer_init(&p, &s);
  tfo_listen(&p, 4);
  uint8_t cookie[8], bad[8], fresh[8];
  get_cookie(&p, cookie);
  memcpy(bad, cookie, 8);
  bad[7] ^= 1;
  tfo_syn(&p, 41001, bad, 8, false, "hello", 0);
  assert_int_equal(expect_syn_ack(&p, R(&p, 1), fresh), 8);
  assert_memory_equal(fresh, cookie, 8); /* the client address's cookie */
  peer_expect_nothing(&p);
  assert_int_equal(fin_accept(p.st, p.listener, NULL), -EAGAIN);
  assert_int_equal(peer_counters(&p)->tfo_passive_fail, 1);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 1), NULL, 0);
  p.s = fin_accept(p.st, p.listener, NULL);
  assert_true(p.s >= 0);
  char b[8];
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), -EAGAIN);
  peer_send(&p, TCP_A | TCP_P, R(&p, 1), L(&p, 1), "hello", 5); /* sent again */
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), 5);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 6));
  tfo_syn(&p, 41002, cookie, 4, false, "hi", 0); /* not a cookie fin makes */
  assert_int_equal(expect_syn_ack(&p, R(&p, 1), fresh), 8);
  assert_int_equal(peer_counters(&p)->tfo_passive_fail, 2);
  p.peer_port = 41003;
  peer_send(&p, TCP_S, p.irs, 0, "hi", 2); /* no option: no cookie offered, no data taken */
  assert_int_equal(expect_syn_ack(&p, R(&p, 1), fresh), -1);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->tfo_passive, 0);
  peer_free(&p);
}

/* BEHAVIOR T2: the experimental form (kind 254, ExID 0xF989) is answered in
 * kind, and its cookie works the same. */
static void test_experimental_option_answered_in_kind(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  struct peer p;
  peer_init(&p, &s);
  tfo_listen(&p, 4);
  uint8_t cookie[8], none[8];
  tfo_syn(&p, 41000, NULL, 0, true, NULL, 0);
  assert_int_equal(expect_syn_ack(&p, R(&p, 1), cookie), 8);
  assert_true(p.last.opts.fo_exp);
  reset_child(&p, 41000, R(&p, 1));
  tfo_syn(&p, 41001, cookie, 8, true, "abc", 0);
  assert_int_equal(expect_syn_ack(&p, R(&p, 4), none), -1);
  assert_int_equal(peer_counters(&p)->tfo_passive, 1);
  peer_free(&p);
}

/* BEHAVIOR T1, T2: nothing without both the setting and the listener's
 * TCP_FASTOPEN: the option is ignored, no cookie offered, data not taken. */
static void test_off_unless_setting_and_listener_ask(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  s.fastopen_server = false;
  struct peer p;
  peer_init(&p, &s);
  tfo_listen(&p, 4);
  uint8_t c[8];
  tfo_syn(&p, 41000, NULL, 0, false, "x", 0);
  assert_int_equal(expect_syn_ack(&p, R(&p, 1), c), -1);
  peer_free(&p);
  s.fastopen_server = true;
  peer_init(&p, &s);
  peer_listen(&p, 8); /* no TCP_FASTOPEN */
  tfo_syn(&p, 41000, NULL, 0, false, "x", 0);
  assert_int_equal(expect_syn_ack(&p, R(&p, 1), c), -1);
  assert_int_equal(peer_counters(&p)->tfo_cookie_reqd, 0);
  peer_free(&p);
}

/* BEHAVIOR T3: with TCP_FASTOPEN 1, a second valid TFO SYN while the first
 * child is still in SYN-RECEIVED gets a plain handshake: no cookie, its
 * data not acknowledged (§5.1); once the first completes, TFO is back. */
static void test_pending_limit_falls_back_to_plain_handshake(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  struct peer p;
  peer_init(&p, &s);
  tfo_listen(&p, 1);
  uint8_t cookie[8], c[8];
  get_cookie(&p, cookie);
  tfo_syn(&p, 41001, cookie, 8, false, "one", 0);
  assert_int_equal(expect_syn_ack(&p, R(&p, 4), c), -1);
  uint32_t iss1 = p.iss;
  tfo_syn(&p, 41002, cookie, 8, false, "two", 0);
  assert_int_equal(expect_syn_ack(&p, R(&p, 1), c), -1);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->tfo_listen_overflow, 1);
  assert_int_equal(peer_counters(&p)->tfo_passive, 1);
  p.peer_port = 41001;
  peer_send(&p, TCP_A, R(&p, 4), iss1 + 1, NULL, 0); /* the first child is established */
  tfo_syn(&p, 41003, cookie, 8, false, "three", 0);
  assert_int_equal(expect_syn_ack(&p, R(&p, 6), c), -1);
  assert_int_equal(peer_counters(&p)->tfo_passive, 2);
  peer_free(&p);
}

/* BEHAVIOR T8: a SYN with a valid cookie, data and FIN (a synfin policy
 * that lets SYN+FIN through LISTEN): the data and the FIN are taken, the
 * child is in CLOSE-WAIT at once and the SYN-ACK acknowledges all three
 * (RFC 9293 §3.10.7.2, eighth step); the SYN-ACK is retransmitted until
 * our SYN is ACKed. Without a valid cookie the FIN goes with the data. */
static void test_syn_data_fin_with_valid_cookie_enters_close_wait(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  s.synfin = FIN_SYNFIN_ACCEPT;
  struct peer p;
  peer_init(&p, &s);
  tfo_listen(&p, 4);
  uint8_t cookie[8], bad[8], c[8];
  get_cookie(&p, cookie);
  tfo_syn(&p, 41001, cookie, 8, false, "bye", TCP_F);
  assert_int_equal(expect_syn_ack(&p, R(&p, 5), c), -1);
  peer_expect_nothing(&p);
  p.s = fin_accept(p.st, p.listener, NULL);
  assert_true(p.s >= 0);
  assert_int_equal(peer_state(&p), FIN_CLOSE_WAIT);
  char b[8];
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), 3);
  assert_int_equal(fin_recv(p.st, p.s, b, sizeof(b), 0), 0); /* EOF */
  peer_advance_to_deadline(&p);                              /* our SYN-ACK was lost */
  peer_expect(&p, TCP_S | TCP_A, p.iss, R(&p, 5));
  peer_expect_nothing(&p);
  peer_send(&p, TCP_A, R(&p, 5), L(&p, 1), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_close(p.st, p.s), 0);
  peer_expect(&p, TCP_F | TCP_A, L(&p, 1), R(&p, 5));
  peer_send(&p, TCP_A, R(&p, 5), L(&p, 2), NULL, 0);
  peer_expect_nothing(&p);
  assert_int_equal(fin_stack_conn_count(p.st), 0);
  memcpy(bad, cookie, 8);
  bad[0] ^= 0x80;
  tfo_syn(&p, 41002, bad, 8, false, "bye", TCP_F);
  assert_int_equal(expect_syn_ack(&p, R(&p, 1), c), 8);
  peer_free(&p);
  s.synfin = FIN_SYNFIN_DROP_IN_LISTEN; /* the default: LISTEN drops SYN+FIN (Linux) */
  peer_init(&p, &s);
  tfo_listen(&p, 4);
  get_cookie(&p, cookie);
  tfo_syn(&p, 41001, cookie, 8, false, "bye", TCP_F);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR T9 (RFC 7413 §4.1.2): the key is replaced every lifetime; a
 * cookie of the previous key is still taken for one lifetime more, and its
 * SYN-ACK hands out the current cookie; after that it is refused. */
static void test_previous_key_stays_valid_one_lifetime(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  s.fastopen_key_lifetime = FIN_SEC(10);
  struct peer p;
  peer_init(&p, &s);
  tfo_listen(&p, 4);
  uint8_t old[8], fresh[8], newer[8], latest[8];
  get_cookie(&p, old);
  peer_advance(&p, FIN_SEC(12));
  tfo_syn(&p, 41001, old, 8, false, "a", 0);
  assert_int_equal(expect_syn_ack(&p, R(&p, 2), fresh), 8);
  assert_memory_not_equal(fresh, old, 8);
  assert_int_equal(peer_counters(&p)->tfo_passive_altkey, 1);
  reset_child(&p, 41001, R(&p, 2));
  peer_advance(&p, FIN_SEC(10)); /* 22 s after the first key: past its grace */
  tfo_syn(&p, 41002, old, 8, false, "b", 0);
  assert_int_equal(expect_syn_ack(&p, R(&p, 1), newer), 8);
  assert_memory_not_equal(newer, fresh, 8);
  assert_int_equal(peer_counters(&p)->tfo_passive_fail, 1);
  reset_child(&p, 41002, R(&p, 1));
  tfo_syn(&p, 41003, fresh, 8, false, "c", 0); /* the middle key, now the previous one */
  assert_int_equal(expect_syn_ack(&p, R(&p, 2), latest), 8);
  assert_memory_equal(latest, newer, 8);
  assert_int_equal(peer_counters(&p)->tfo_passive_altkey, 2);
  peer_free(&p);
}

/* ---- client ---- */

static fin_sock tfo_connect_socket(struct peer *p) {
  fin_sock s = fin_socket(p->st);
  int one = 1;
  assert_int_equal(fin_setsockopt(p->st, s, FIN_TCP_FASTOPEN_CONNECT, &one, sizeof(one)), 0);
  return s;
}

/* fin's next segment is its SYN with len bytes of data: learns ISS and
 * port. */
static const struct fin_segment *expect_syn(struct peer *p, uint32_t len) {
  size_t n = fin_stack_output(p->st, p->buf, sizeof(p->buf), p->now);
  assert_true(n > 0);
  assert_int_equal(fin_tcp_parse(p->buf, n, &p->last), FIN_WIRE_OK);
  assert_int_equal(p->last.flags, TCP_S);
  assert_int_equal(p->last.payload_len, len);
  p->iss = p->last.seq;
  p->fin_port = p->last.sport;
  return &p->last;
}

/* The peer's SYN-ACK, with a Fast Open option of len bytes (-1: none). */
static void syn_ack_with(struct peer *p, uint32_t ack, const uint8_t *cookie, int len) {
  uint8_t opt[40];
  size_t n = opts_with_fo(p, opt, cookie, len, false);
  peer_send_opts(p, TCP_S | TCP_A, p->irs, ack, opt, n, NULL, 0);
}

static void assert_cookie(const struct fin_segment *syn, const uint8_t *cookie, uint8_t len) {
  assert_true(syn->opts.has_fo && !syn->opts.fo_exp);
  assert_int_equal(syn->opts.fo_len, len);
  assert_memory_equal(syn->opts.fo_cookie, cookie, len);
}

/* A connection that asks for a cookie and gets COOKIE, then is aborted. */
static void learn_cookie(struct peer *p) {
  fin_sock s = tfo_connect_socket(p);
  struct fin_sockaddr dst = peer_remote(p);
  assert_int_equal(fin_connect(p->st, s, &dst), -EINPROGRESS); /* no cookie yet */
  const struct fin_segment *syn = expect_syn(p, 0);
  assert_true(syn->opts.has_fo && syn->opts.fo_len == 0); /* a cookie request */
  peer_expect_nothing(p);
  syn_ack_with(p, L(p, 1), COOKIE, 8);
  peer_expect(p, TCP_A, L(p, 1), R(p, 1));
  assert_int_equal(fin_abort(p->st, s), 0);
  peer_expect(p, TCP_R | TCP_A, L(p, 1), R(p, 1));
  peer_expect_nothing(p);
}

/* The next TCP_FASTOPEN_CONNECT connection, with a cookie: connect()
 * returns at once, the SYN leaves with the first data, carrying the
 * cookie. */
static fin_sock deferred_syn_with(struct peer *p, const char *data) {
  fin_sock s = tfo_connect_socket(p);
  struct fin_sockaddr dst = peer_remote(p);
  assert_int_equal(fin_connect(p->st, s, &dst), 0);
  peer_expect_nothing(p);
  assert_true(fin_poll(p->st, s) & FIN_POLLOUT);
  assert_int_equal(fin_connect(p->st, s, &dst), -EISCONN);
  assert_int_equal(fin_send(p->st, s, data, strlen(data), 0), (ssize_t)strlen(data));
  const struct fin_segment *syn = expect_syn(p, (uint32_t)strlen(data));
  assert_cookie(syn, COOKIE, 8);
  assert_memory_equal(syn->payload, data, strlen(data));
  peer_expect_nothing(p);
  return s;
}

/* BEHAVIOR T4, T7: the first connection asks for a cookie (an empty
 * option, §4.2.1) and caches the answer; the next one sends it, with its
 * data, on the SYN (§4.2.2); a SYN-ACK acknowledging the data completes
 * the handshake with a pure ACK. */
static void test_client_asks_for_cookie_then_sends_data_on_syn(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  struct peer p;
  peer_init(&p, &s);
  learn_cookie(&p);
  p.s = deferred_syn_with(&p, "hello");
  assert_int_equal(peer_state(&p), FIN_SYN_SENT);
  syn_ack_with(&p, L(&p, 6), NULL, -1);
  peer_expect(&p, TCP_A, L(&p, 6), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_ESTABLISHED);
  assert_int_equal(peer_counters(&p)->tfo_active, 1);
  assert_int_equal(peer_counters(&p)->tfo_active_fail, 0);
  peer_free(&p);
}

/* BEHAVIOR T4: a deferred connect that is shut down before any data: the
 * SYN leaves then (with the cookie, no data) and the FIN after the
 * handshake; closed before that, nothing is sent (C4). */
static void test_deferred_connect_shutdown_sends_the_syn(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  struct peer p;
  peer_init(&p, &s);
  learn_cookie(&p);
  struct fin_sockaddr dst = peer_remote(&p);
  fin_sock gone = tfo_connect_socket(&p);
  assert_int_equal(fin_connect(p.st, gone, &dst), 0);
  assert_int_equal(fin_close(p.st, gone), 0);
  peer_expect_nothing(&p);
  p.s = tfo_connect_socket(&p);
  assert_int_equal(fin_connect(p.st, p.s, &dst), 0);
  assert_int_equal(fin_shutdown(p.st, p.s, FIN_SHUT_WR), 0);
  assert_cookie(expect_syn(&p, 0), COOKIE, 8);
  syn_ack_with(&p, L(&p, 1), NULL, -1);
  peer_expect(&p, TCP_F | TCP_A, L(&p, 1), R(&p, 1));
  peer_expect_nothing(&p);
  assert_int_equal(peer_state(&p), FIN_FIN_WAIT_1);
  peer_free(&p);
}

/* BEHAVIOR T5, T6: a SYN-ACK that acknowledges only the SYN: the data goes
 * again right after the handshake, in the segment that ACKs the SYN-ACK
 * (§4.2.2 step 4); with no cookie beside it, that is a negative response
 * (§4.1.3.1): the next SYN carries no option, until path_disable is over
 * and it asks again. */
static void test_syn_ack_not_acking_data_resends_it_after_handshake(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  struct peer p;
  peer_init(&p, &s);
  learn_cookie(&p);
  p.s = deferred_syn_with(&p, "hello");
  syn_ack_with(&p, L(&p, 1), NULL, -1);
  const struct fin_segment *d = peer_expect(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1));
  assert_int_equal(d->payload_len, 5);
  assert_memory_equal(d->payload, "hello", 5);
  peer_expect_nothing(&p);
  assert_int_equal(peer_counters(&p)->tfo_active_fail, 1);
  peer_send(&p, TCP_A, R(&p, 1), L(&p, 6), NULL, 0);
  peer_expect_nothing(&p);
  fin_sock s3 = tfo_connect_socket(&p);
  struct fin_sockaddr dst = peer_remote(&p);
  assert_int_equal(fin_connect(p.st, s3, &dst), -EINPROGRESS);
  assert_false(expect_syn(&p, 0)->opts.has_fo);
  assert_int_equal(fin_abort(p.st, s3), 0); /* B2: nothing sent */
  peer_expect_nothing(&p);
  peer_advance(&p, s.fastopen_path_disable);
  fin_sock s4 = tfo_connect_socket(&p);
  assert_int_equal(fin_connect(p.st, s4, &dst), -EINPROGRESS);
  const struct fin_segment *syn = expect_syn(&p, 0);
  assert_true(syn->opts.has_fo && syn->opts.fo_len == 0);
  peer_free(&p);
}

/* BEHAVIOR T6: a server that took our data took our cookie: an option it
 * cannot have meant (5 bytes, §4.1.1) leaves the cached cookie in place,
 * and a usable new one replaces it. */
static void test_unusable_cookie_beside_acked_data_keeps_the_cached_one(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  struct peer p;
  peer_init(&p, &s);
  learn_cookie(&p);
  deferred_syn_with(&p, "a");
  const uint8_t odd[5] = {9, 9, 9, 9, 9};
  syn_ack_with(&p, L(&p, 2), odd, 5);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 1));
  deferred_syn_with(&p, "b"); /* still COOKIE */
  const uint8_t four[4] = {4, 3, 2, 1};
  syn_ack_with(&p, L(&p, 2), four, 4);
  peer_expect(&p, TCP_A, L(&p, 2), R(&p, 1));
  fin_sock s3 = tfo_connect_socket(&p);
  struct fin_sockaddr dst = peer_remote(&p);
  assert_int_equal(fin_connect(p.st, s3, &dst), 0);
  assert_int_equal(fin_send(p.st, s3, "c", 1, 0), 1);
  assert_cookie(expect_syn(&p, 1), four, 4);
  peer_free(&p);
}

/* BEHAVIOR T4: only the first SYN carries the option and the data; a
 * retransmission goes bare (a middlebox may be what dropped it), and the
 * data follows the handshake. */
static void test_retransmitted_syn_carries_no_option_or_data(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  struct peer p;
  peer_init(&p, &s);
  learn_cookie(&p);
  p.s = deferred_syn_with(&p, "hello");
  peer_advance_to_deadline(&p);
  const struct fin_segment *syn = expect_syn(&p, 0);
  assert_false(syn->opts.has_fo);
  peer_expect_nothing(&p);
  syn_ack_with(&p, L(&p, 1), NULL, -1);
  peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 5);
  peer_expect_nothing(&p);
  peer_free(&p);
}

/* BEHAVIOR T4: MSG_FASTOPEN as Linux has it on a non-blocking socket:
 * without a cookie the SYN asks for one and nothing is taken
 * (-EINPROGRESS); with one, what the SYN carries is taken (the cached MSS
 * less room for options); -EISCONN once connected; -EOPNOTSUPP when client
 * TFO is off. */
static void test_msg_fastopen_sendto(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  struct peer p;
  peer_init(&p, &s);
  struct fin_sockaddr dst = peer_remote(&p);
  fin_sock s1 = fin_socket(p.st);
  assert_int_equal(fin_sendto(p.st, s1, "hello", 5, FIN_MSG_FASTOPEN, &dst), -EINPROGRESS);
  const struct fin_segment *syn = expect_syn(&p, 0);
  assert_true(syn->opts.has_fo && syn->opts.fo_len == 0);
  syn_ack_with(&p, L(&p, 1), COOKIE, 8);
  peer_expect(&p, TCP_A, L(&p, 1), R(&p, 1));
  assert_int_equal(fin_sendto(p.st, s1, "x", 1, FIN_MSG_FASTOPEN, &dst), -EISCONN);
  static char big[3000];
  memset(big, 'b', sizeof(big));
  fin_sock s2 = fin_socket(p.st);
  uint32_t room = PEER_MSS(&p) - 40;
  assert_int_equal(fin_sendto(p.st, s2, big, sizeof(big), FIN_MSG_FASTOPEN, &dst), room);
  assert_cookie(expect_syn(&p, room), COOKIE, 8);
  peer_expect_nothing(&p);
  s.fastopen_client = false; /* off: every cookie forgotten */
  assert_int_equal(fin_stack_set_settings(p.st, &s), 0);
  assert_null(p.st->tfo.ent);
  fin_sock s3 = fin_socket(p.st);
  assert_int_equal(fin_sendto(p.st, s3, "x", 1, FIN_MSG_FASTOPEN, &dst), -EOPNOTSUPP);
  int one = 1;
  assert_int_equal(fin_setsockopt(p.st, s3, FIN_TCP_FASTOPEN_CONNECT, &one, sizeof(one)),
                   -EOPNOTSUPP);
  peer_free(&p);
}

/* BEHAVIOR T4: FreeBSD's way: TCP_FASTOPEN on the socket and sendto() with
 * an address connect with Fast Open and queue all of the data; without a
 * cookie it follows the handshake, in the segment that ACKs the SYN-ACK. */
static void test_tcp_fastopen_client_sendto_queues_everything(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  struct peer p;
  peer_init(&p, &s);
  struct fin_sockaddr dst = peer_remote(&p);
  static char data[100];
  memset(data, 'd', sizeof(data));
  for (int round = 0; round < 2; round++) {
    fin_sock fd = fin_socket(p.st);
    int one = 1;
    assert_int_equal(fin_setsockopt(p.st, fd, FIN_TCP_FASTOPEN, &one, sizeof(one)), 0);
    assert_int_equal(fin_sendto(p.st, fd, data, sizeof(data), 0, &dst), 100);
    const struct fin_segment *syn = expect_syn(&p, round == 0 ? 0 : 100);
    if (round == 0) {
      assert_true(syn->opts.has_fo && syn->opts.fo_len == 0);
      syn_ack_with(&p, L(&p, 1), COOKIE, 8);
      peer_expect_len(&p, TCP_A | TCP_P, L(&p, 1), R(&p, 1), 100);
    } else {
      assert_cookie(syn, COOKIE, 8);
      syn_ack_with(&p, L(&p, 101), NULL, -1);
      peer_expect(&p, TCP_A, L(&p, 101), R(&p, 1));
    }
    peer_expect_nothing(&p);
    assert_int_equal(fin_abort(p.st, fd), 0);
    peer_expect(&p, TCP_R | TCP_A, L(&p, 101), R(&p, 1));
  }
  peer_free(&p);
}

/* A cookie from the peer at address index i (10.0.0.10+i or fd00::10+i). */
static struct fin_addr other_peer(const struct peer *p, int i) {
  if (!p->v6)
    return fin_addr_v4(0x0a00000au + (uint32_t)i);
  uint8_t b[16] = {0xfd, 0x00};
  b[15] = (uint8_t)(0x10 + i);
  return fin_addr_v6(b);
}

/* BEHAVIOR T7: the cache holds fastopen_cache_max destinations, the least
 * recently used out first; entries unused for fastopen_cache_ttl leave, the
 * table shrinks with them and goes back to the allocator with the last. */
static void test_cookie_cache_is_bounded_and_gives_memory_back(void **state) {
  (void)state;
  struct fin_settings s = tfo_settings();
  s.fastopen_cache_max = 2;
  s.fastopen_cache_ttl = FIN_SEC(60);
  struct peer p;
  peer_init(&p, &s);
  for (int i = 0; i < 3; i++) {
    p.peer_ip = other_peer(&p, i);
    learn_cookie(&p);
  }
  assert_int_equal(p.st->tfo.count, 2);
  p.peer_ip = other_peer(&p, 0); /* the least recently used went: it asks again */
  fin_sock s0 = tfo_connect_socket(&p);
  struct fin_sockaddr dst = peer_remote(&p);
  assert_int_equal(fin_connect(p.st, s0, &dst), -EINPROGRESS);
  assert_int_equal(expect_syn(&p, 0)->opts.fo_len, 0);
  assert_int_equal(fin_abort(p.st, s0), 0);
  p.peer_ip = other_peer(&p, 2);
  deferred_syn_with(&p, "x");
  peer_free(&p);
  s.fastopen_cache_max = 64;
  peer_init(&p, &s);
  for (int i = 0; i < 20; i++) {
    p.peer_ip = other_peer(&p, i);
    learn_cookie(&p);
  }
  assert_int_equal(p.st->tfo.cap, 32);
  peer_advance(&p, FIN_SEC(40));
  for (int i = 0; i < 2; i++) { /* two stay in use */
    p.peer_ip = other_peer(&p, i);
    assert_int_equal(fin_abort(p.st, deferred_syn_with(&p, "y")), 0);
  }
  peer_advance(&p, FIN_SEC(21)); /* the other 18 are 61 s old */
  p.peer_ip = other_peer(&p, 0);
  assert_int_equal(fin_abort(p.st, deferred_syn_with(&p, "z")), 0);
  assert_int_equal(p.st->tfo.count, 2);
  assert_int_equal(p.st->tfo.cap, 8);
  peer_advance(&p, FIN_SEC(61));
  fin_sock s5 = tfo_connect_socket(&p);
  assert_int_equal(fin_connect(p.st, s5, &dst), -EINPROGRESS);
  assert_null(p.st->tfo.ent); /* all gone, the table with them */
  peer_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid_cookie_data_delivered_before_handshake_completes),
      cmocka_unit_test(test_accepted_child_synack_timeout_reports_etimedout),
      cmocka_unit_test(test_reply_and_close_before_handshake_completes),
      cmocka_unit_test(test_invalid_or_absent_cookie_gets_cookie_and_data_ignored),
      cmocka_unit_test(test_experimental_option_answered_in_kind),
      cmocka_unit_test(test_off_unless_setting_and_listener_ask),
      cmocka_unit_test(test_pending_limit_falls_back_to_plain_handshake),
      cmocka_unit_test(test_syn_data_fin_with_valid_cookie_enters_close_wait),
      cmocka_unit_test(test_previous_key_stays_valid_one_lifetime),
      cmocka_unit_test(test_client_asks_for_cookie_then_sends_data_on_syn),
      cmocka_unit_test(test_deferred_connect_shutdown_sends_the_syn),
      cmocka_unit_test(test_syn_ack_not_acking_data_resends_it_after_handshake),
      cmocka_unit_test(test_unusable_cookie_beside_acked_data_keeps_the_cached_one),
      cmocka_unit_test(test_retransmitted_syn_carries_no_option_or_data),
      cmocka_unit_test(test_msg_fastopen_sendto),
      cmocka_unit_test(test_tcp_fastopen_client_sendto_queues_everything),
      cmocka_unit_test(test_cookie_cache_is_bounded_and_gives_memory_back),
  };
  return PEER_RUN_BOTH(tests);
}
