/* SPDX-License-Identifier: MIT */
/* The interpreter against a real fin stack: a passing script passes, and
 * each kind of failure prints what a person needs to act on (the script
 * line, the expected packet, what fin sent or "nothing", the virtual
 * time). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fin_test.h"
#include "script/interp.h"
#include "script/parser.h"

#define HANDSHAKE                                                                                  \
  "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"                                                  \
  "+0 bind(3, ..., ...) = 0\n"                                                                     \
  "+0 listen(3, 1) = 0\n"                                                                          \
  "+0 < S 0:0(0) win 32792 <mss 1460,sackOK,nop,nop,nop,wscale 7>\n"                               \
  "+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>\n"                                  \
  "+.1 < . 1:1(0) ack 1 win 257\n"                                                                 \
  "+0 accept(3, ..., ...) = 4\n"

/* Runs text with a profile; returns the exit code, *log the text. */
static bool verbose_run;

static int run_options(const char *text, const struct script_run_options *o, char **log) {
  struct script s;
  char err[512];
  assert_int_equal(fin_script_parse("t.pkt", text, strlen(text), fin_script_default_defines,
                                    fin_script_default_define_count, &s, err, sizeof(err)),
                   0);
  size_t len;
  FILE *out = open_memstream(log, &len);
  assert_non_null(out);
  int rc = fin_script_run(&s, o, out);
  fclose(out);
  fin_script_free(&s);
  return rc;
}

static int run_profile(const char *text, const char *profile, char **log) {
  struct script_run_options o = {.profile = profile, .verbose = verbose_run};
  return run_options(text, &o, log);
}

static int run(const char *text, char **log) {
  return run_profile(text, "linux", log);
}

static void assert_contains(const char *log, const char *want) {
  if (!strstr(log, want))
    fail_msg("'%s' not in:\n%s", want, log);
}

static void test_passive_close_script_passes(void **state) {
  (void)state;
  char *log;
  int rc = run(HANDSHAKE "+.01 < F. 1:1(0) ack 1 win 257\n"
                         "+0 > . 1:1(0) ack 2\n"
                         "+0 read(4, ..., 1000) = 0\n"
                         "+.01 close(4) = 0\n"
                         "+0 > F. 1:1(0) ack 2\n",
               &log);
  if (rc != 0)
    fail_msg("%s", log);
  free(log);
}

static void test_wrong_packet_prints_line_expected_actual_and_time(void **state) {
  (void)state;
  char *log;
  int rc = run(HANDSHAKE "+.01 close(4) = 0\n+0 > F. 1:1(0) ack 7\n", &log);
  assert_int_equal(rc, 1);
  assert_contains(log, "t.pkt:9:1: +0 > F. 1:1(0) ack 7");
  assert_contains(log, "ack field differs");
  assert_contains(log, "expected: > F. 1:1(0) ack 7");
  assert_contains(log, "actual:   > F. 1:1(0) ack 1");
  assert_contains(log, "virtual time: 0.110000 s");
  free(log);
}

static void test_missing_packet_prints_nothing(void **state) {
  (void)state;
  char *log;
  int rc = run(HANDSHAKE "+.01 > F. 1:1(0) ack 1\n", &log);
  assert_int_equal(rc, 1);
  assert_contains(log, "fin sent nothing");
  assert_contains(log, "actual:   nothing");
  free(log);
}

static void test_late_packet_prints_timing(void **state) {
  (void)state;
  char *log;
  int rc = run(HANDSHAKE "+0 close(4) = 0\n+.5 > F. 1:1(0) ack 1\n", &log);
  assert_int_equal(rc, 1);
  assert_contains(log, "timing: fin sent the packet at 0.100000 s, the script expects it at "
                       "0.600000 s");
  free(log);
}

static void test_wrong_errno_prints_both(void **state) {
  (void)state;
  char *log;
  int rc = run(HANDSHAKE "+0 read(4, ..., 10) = -1 ECONNRESET\n", &log);
  assert_int_equal(rc, 1);
  assert_contains(log, "read() returned -1 EAGAIN, the script expects -1 ECONNRESET");
  free(log);
}

static void test_state_probe_and_snippet(void **state) {
  (void)state;
  char *log;
  int rc = run(HANDSHAKE "+0 %{ assert tcpi_state == TCP_ESTABLISHED }%\n"
                         "+0 `sockstat -4 -P tcp -s | grep -c ESTABLISHED | grep 1`\n"
                         "+0 %{ assert tcpi_state == TCPI_CLOSING, tcpi_state }%\n",
               &log);
  assert_int_equal(rc, 1);
  assert_contains(log, "assertion failed: assert tcpi_state == TCPI_CLOSING, tcpi_state");
  assert_contains(log, "tcpi_state is ESTABLISHED");
  free(log);
}

static void test_unknown_profile_cannot_run(void **state) {
  (void)state;
  struct script s;
  char err[256], *log;
  size_t len;
  const char *text = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n";
  assert_int_equal(fin_script_parse("t.pkt", text, strlen(text), NULL, 0, &s, err, sizeof(err)), 0);
  FILE *out = open_memstream(&log, &len);
  struct script_run_options o = {.profile = "plan9"};
  assert_int_equal(fin_script_run(&s, &o, out), 2);
  fclose(out);
  assert_contains(log, "unknown profile 'plan9'");
  fin_script_free(&s);
  free(log);
}

#define CONNECT                                                                                    \
  "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"                                                  \
  "+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0\n"                                                \
  "+0 connect(3, ..., ...) = -1 EINPROGRESS\n"                                                     \
  "+0 > S 0:0(0) <...>\n"

static void expect_pass(const char *text, const char *profile) {
  char *log;
  if (run_profile(text, profile, &log) != 0)
    fail_msg("%s", log);
  free(log);
}

/* An ICMP port unreachable about our SYN refuses the connect (J6); one
 * about a sequence number outside the SYN changes nothing. */
static void test_icmp_line_is_acted_on(void **state) {
  (void)state;
  expect_pass(CONNECT "+.1 < icmp unreachable port_unreachable [100:100(0)]\n"
                      "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"
                      "+.1 < icmp unreachable port_unreachable [0:0(0)]\n"
                      "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0\n",
              "linux");
}

/* TTL, TOS and ECN marks are compared when written, and named. */
static void test_outbound_ip_fields_are_checked(void **state) {
  (void)state;
  expect_pass(CONNECT "+1 > (ttl 64, tos 0x0) [noecn] S 0:0(0) <...>\n", "linux");
  char *log;
  assert_int_equal(run(CONNECT "+1 > (ttl 3) S 0:0(0) <...>\n", &log), 1);
  assert_contains(log, "IP TTL is 64, the script expects 3");
  free(log);
  assert_int_equal(run(CONNECT "+1 > [ect0] S 0:0(0) <...>\n", &log), 1);
  assert_contains(log,
                  "ECN field is not-ECT, the script expects ECT(0)"); /* §6.1.1: not on a SYN */
  free(log);
}

/* Inbound TTL/TOS/ECN land in the IP header fin receives; fin acts the
 * same (a CE mark means nothing without ECN negotiated). A segment larger than --mss is cut into
 * pieces as packetdrill's GSO injection does, all delivered. */
static void test_inbound_ip_fields_and_split_payload(void **state) {
  (void)state;
  char *log;
  verbose_run = true;
  int rc =
      run("--mss=1000\n" HANDSHAKE "+0 < (ttl 3, tos 0x10) [ce] P. 1:3001(3000) ack 1 win 257\n"
          "+0 > . 1:1(0) ack 3001\n"
          "+0 read(4, ..., 5000) = 3000\n",
          &log);
  verbose_run = false;
  if (rc != 0)
    fail_msg("%s", log);
  assert_contains(log, "inject < . 1:1001(1000) ack 1 win 257");
  assert_contains(log, "inject < . 1001:2001(1000) ack 1 win 257");
  assert_contains(log, "inject < P. 2001:3001(1000) ack 1 win 257");
  free(log);
}

static void test_header_options_mtu_addresses_and_refusals(void **state) {
  (void)state;
  expect_pass("--mtu=72\n--local_ip=10.1.2.3\n--remote_ip=10.9.8.7\n"
              "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
              "+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0\n"
              "+0 connect(3, ..., ...) = -1 EINPROGRESS\n"
              "+0 > S 0:0(0) <mss 32,sackOK,TS val 1 ecr 0,nop,wscale 8>\n",
              "linux");
  char *log;
  assert_int_equal(run("--ip_version=ipv5\n0 close(3) = 0\n", &log), 2);
  assert_contains(log, "t.pkt:1: --ip_version=ipv5: expected ipv4, ipv6 or ipv4-mapped-ipv6");
  free(log);
  assert_int_equal(run("--remote_ip=2001:db8::1\n0 close(3) = 0\n", &log), 2);
  assert_contains(log, "--remote_ip=2001:db8::1: expected an IPv4 address (IPv6 addresses need "
                       "--ip_version=ipv6)");
  free(log);
  /* A netmask is IPv4's and packetdrill ignores it for IPv6; a gateway
   * must be of the packets' family. */
  expect_pass("--ip_version=ipv6\n--netmask_ip=255.255.0.0\n--gateway_ip=fd3d:fa7b:d17d::2\n"
              "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n",
              "linux");
  /* The family check holds whatever the order of the lines. */
  assert_int_equal(run("--local_ip=10.0.0.1\n--ip_version=ipv6\n0 close(3) = 0\n", &log), 2);
  assert_contains(log, "t.pkt:1: --local_ip=10.0.0.1: expected an IPv6 address");
  free(log);
  assert_int_equal(run("--udp_encapsulation=tcp\n0 close(3) = 0\n", &log), 2);
  assert_contains(log, "out of scope: FreeBSD TCP-over-UDP encapsulation");
  free(log);
  assert_int_equal(run("--wormhole=1\n0 close(3) = 0\n", &log), 2);
  assert_contains(log, "--wormhole=1: header option not supported by fin's runner");
  free(log);
  assert_int_equal(run("--mtu=20\n0 close(3) = 0\n", &log), 2);
  assert_contains(log, "--mtu=20: bad value");
  free(log);
}

static void expect_fail_with(const char *text, const char *want) {
  char *log;
  int rc = run(text, &log);
  if (rc != 1 || !strstr(log, want))
    fail_msg("rc %d, '%s' not in:\n%s", rc, want, log);
  free(log);
}

/* sendmsg/recvmsg with msghdr and iovec literals, sendto/recvfrom,
 * writev/readv: the lengths add up, payload goes out as written. */
static void test_msghdr_iovec_sendto_recvfrom(void **state) {
  (void)state;
  expect_pass(HANDSHAKE "+0 setsockopt(4, SOL_TCP, TCP_NODELAY, [1], 4) = 0\n"
                        "+0 sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 100}], "
                        "msg_flags=0}, 0) = 100\n"
                        "+0 > P. 1:101(100) ack 1\n"
                        "+0 writev(4, [{..., 50}, {iov_base=..., iov_len=50}], 2) = 100\n"
                        "+0 > P. 101:201(100) ack 1\n"
                        "+0 sendto(4, ..., 10, MSG_NOSIGNAL, ..., ...) = 10\n"
                        "+0 > P. 201:211(10) ack 1\n"
                        "+.1 < P. 1:301(300) ack 211 win 257\n"
                        "+0 recvfrom(4, ..., 100, MSG_PEEK, ..., ...) = 100\n"
                        "+0 readv(4, [{..., 50}, {..., 50}], 2) = 100\n"
                        "+0 recvmsg(4, {msg_iov(1)=[{..., 1000}], msg_flags=0}, 0) = 200\n",
              "linux");
}

/* NULL and literal buffers are the kernel's EFAULT; a length of 0 is fine. */
static void test_bad_pointers_are_efault(void **state) {
  (void)state;
  expect_pass(HANDSHAKE "+0 write(4, NULL, 10) = -1 EFAULT\n"
                        "+0 read(4, 0x1234, 10) = -1 EFAULT\n"
                        "+0 write(4, NULL, 0) = 0\n"
                        "+0 getsockopt(4, SOL_SOCKET, SO_ERROR, NULL, [4]) = -1 EFAULT\n"
                        "+0 getsockopt(4, SOL_SOCKET, SO_ERROR, [0], NULL) = -1 EFAULT\n",
              "linux");
}

/* Flags fin cannot honour are refused by name. */
static void test_msg_flags_refused_by_name(void **state) {
  (void)state;
  expect_fail_with(HANDSHAKE "+0 send(4, ..., 10, MSG_ZEROCOPY) = 10\n",
                   "send(): MSG_ZEROCOPY: not supported by fin");
  expect_fail_with(HANDSHAKE "+0 recv(4, ..., 10, 0x40000000) = 10\n",
                   "recv(): flags 0x40000000 are not known to fin's runner");
}

/* TCP Fast Open (RFC 7413) in the runner: MSG_FASTOPEN on a connected
 * socket is -EISCONN (Linux); the Linux sysctl takes the client and server
 * bits only, its key sysctl one key of 32 hex digits; TCP_FASTOPEN and
 * TCP_FASTOPEN_CONNECT reach the engine; FreeBSD's fastopen sysctls map to
 * settings or are refused by name. */
static void test_fastopen_calls_and_sysctls(void **state) {
  (void)state;
  expect_pass(HANDSHAKE "+0 sendto(4, ..., 10, MSG_FASTOPEN, ..., ...) = -1 EISCONN\n"
                        "+0 setsockopt(3, IPPROTO_TCP, TCP_FASTOPEN, [5], 4) = 0\n"
                        "+0 getsockopt(3, IPPROTO_TCP, TCP_FASTOPEN, [5], [4]) = 0\n"
                        "+0 getsockopt(4, IPPROTO_TCP, TCP_FASTOPEN, [0], [4]) = 0\n",
              "linux");
  expect_pass("0 `sysctl -w net.ipv4.tcp_fastopen=3`\n"
              "+0 `sysctl -w net.ipv4.tcp_fastopen_key=00112233-44556677-8899aabb-ccddeeff`\n"
              "+0 `sysctl -w net.inet.tcp.fastopen.autokey=0`\n"
              "+0 `sysctl -w net.inet.tcp.fastopen.path_disable_time=60`\n"
              "+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
              "+0 setsockopt(3, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, [1], 4) = 0\n"
              "+0 `sysctl -w net.ipv4.tcp_fastopen=2`\n"
              "+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4\n"
              "+0 setsockopt(4, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, [1], 4) = -1 EOPNOTSUPP\n",
              "linux");
  expect_fail_with("0 `sysctl -w net.ipv4.tcp_fastopen=0x203`\n",
                   "fin has bits 0x1 (client) and 0x2 (server) only");
  expect_fail_with("0 `sysctl -w net.ipv4.tcp_fastopen_key=0011-22`\n",
                   "expected one key of 32 hex digits");
  expect_fail_with("0 `sysctl -w net.inet.tcp.fastopen.acceptany=1`\n",
                   "fin checks every cookie (RFC 7413 §4.1.2)");
  expect_fail_with(
      "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+0 setsockopt(3, IPPROTO_TCP, TCP_FASTOPEN_KEY, \"0123456789abcdef\", 16) = 0\n",
      "TCP_FASTOPEN_KEY: not supported by fin");
}

static void test_epoll(void **state) {
  (void)state;
  expect_pass(HANDSHAKE "+0 epoll_create(1) = 5\n"
                        "+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN, fd=4}) = 0\n"
                        "+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN, fd=4}) = -1 EEXIST\n"
                        "+0 epoll_wait(5, {events=EPOLLIN, fd=4}, 1, 0) = 0\n"
                        "+0...0.2 epoll_wait(5, {events=EPOLLIN, fd=4}, 1, 5000) = 1\n"
                        "+.2 < P. 1:11(10) ack 1 win 257\n"
                        "+0 epoll_ctl(5, EPOLL_CTL_MOD, 4, {events=EPOLLOUT, u64=77}) = 0\n"
                        "+0 epoll_wait(5, [{events=EPOLLOUT, u64=77}], 1, 0) = 1\n"
                        "+0 epoll_ctl(5, EPOLL_CTL_DEL, 4, ...) = 0\n"
                        "+0 epoll_ctl(5, EPOLL_CTL_DEL, 4, ...) = -1 ENOENT\n"
                        "+0 close(5) = 0\n",
              "linux");
  expect_fail_with(HANDSHAKE "+0 epoll_create(1) = 5\n"
                             "+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT, fd=4}) = 0\n"
                             "+0 epoll_wait(5, {events=EPOLLIN, fd=4}, 1, 0) = 1\n",
                   "epoll_wait(): event 0 is POLLOUT for 4, the script expects POLLIN for 4");
}

static void test_getsockname_getpeername(void **state) {
  (void)state;
  expect_pass(HANDSHAKE "+0 getsockname(4, {sa_family=AF_INET, sin_port=htons(8080), "
                        "sin_addr=inet_addr(\"192.168.0.1\")}, [16]) = 0\n"
                        "+0 getpeername(4, {sa_family=AF_INET, sin_port=htons(47123), "
                        "sin_addr=inet_addr(\"192.0.2.1\")}, [16]) = 0\n"
                        "+0 getpeername(4, ..., ...) = 0\n",
              "linux");
  expect_fail_with(HANDSHAKE "+0 getpeername(4, {sa_family=AF_INET, sin_port=htons(1), "
                             "sin_addr=...}, [16]) = 0\n",
                   "getpeername(): sin_port is 47123, the script expects 1");
}

/* TCP_INFO as a struct, TCP_CONGESTION by name, SOL_IP TTL, options fin
 * cannot honour named with the reason. */
static void test_socket_options_tcp_info_congestion_ip(void **state) {
  (void)state;
  expect_pass(HANDSHAKE "+0 getsockopt(4, SOL_TCP, TCP_INFO, {tcpi_state=TCP_ESTABLISHED, "
                        "tcpi_snd_mss=1460, tcpi_options=6, tcpi_snd_cwnd=10}, [104]) = 0\n"
                        "+0 %{ assert tcpi_rcv_wscale == 8 and tcpi_notsent_bytes == 0 }%\n"
                        "+0 setsockopt(4, SOL_TCP, TCP_CONGESTION, \"reno\", 4) = 0\n"
                        "+0 getsockopt(4, SOL_IP, IP_TTL, [64], [4]) = 0\n"
                        "+0 setsockopt(4, SOL_IP, IP_TTL, [64], 4) = 0\n"
                        "+0 getsockopt(4, SOL_IP, IP_TOS, [0], [4]) = 0\n",
              "linux");
  expect_fail_with(HANDSHAKE "+0 getsockopt(4, SOL_TCP, TCP_INFO, {tcpi_sacked=0}, [104]) = 0\n",
                   "tcpi_sacked is a Linux tcp_info field fin does not provide");
  expect_fail_with(HANDSHAKE "+0 %{ assert tcpi_lost == 0 }%\n",
                   "tcpi_lost is a Linux tcp_info field fin does not provide");
  expect_fail_with(HANDSHAKE "+0 setsockopt(4, SOL_TCP, TCP_CONGESTION, \"cubic\", 5) = 0\n",
                   "TCP_CONGESTION \"cubic\": fin has only NewReno");
  expect_fail_with(HANDSHAKE "+0 setsockopt(4, SOL_TCP, TCP_CORK, [1], 4) = 0\n",
                   "setsockopt(): TCP_CORK: not supported by fin (no corking)");
  expect_fail_with(HANDSHAKE "+0 setsockopt(4, SOL_TCP, TCP_NOTSENT_LOWAT, [1], 4) = 0\n",
                   "TCP_NOTSENT_LOWAT: not supported by fin");
  expect_fail_with(HANDSHAKE "+0 setsockopt(4, SOL_IP, IP_TTL, [3], 4) = 0\n",
                   "IP_TTL 3: not supported by fin");
  expect_pass(HANDSHAKE "+0 setsockopt(4, SOL_IPV6, IPV6_TCLASS, [3], 4) = -1 ENOPROTOOPT\n"
                        "+0 getsockopt(4, IPPROTO_IPV6, IPV6_V6ONLY, [0], [4]) = -1 ENOPROTOOPT\n",
              "linux");
  expect_fail_with(HANDSHAKE "+0 setsockopt(4, SOL_TCP, 99, [3], 4) = 0\n",
                   "socket option (a number) (99 at level 6) is not known to fin's runner");
}

/* Quoted sysctl values with several fields; a value of the wrong shape is
 * refused. Linux's window scale follows max(tcp_rmem[2], rmem_max). */
static void test_sysctl_quoted_multi_field_values(void **state) {
  (void)state;
  expect_pass("0 `sysctl -q net.ipv4.tcp_rmem=\"4096 87380 262144\"`\n"
              "+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
              "+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0\n"
              "+0 connect(3, ..., ...) = -1 EINPROGRESS\n"
              "+0 > S 0:0(0) <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 3>\n",
              "linux-ws6");
  expect_fail_with("0 `sysctl -q net.ipv4.tcp_rmem=4096`\n",
                   "sysctl net.ipv4.tcp_rmem=4096: expected 3 value(s)");
  expect_fail_with("0 `sysctl -q 'net.ipv4.tcp_sack=1 2'`\n",
                   "sysctl net.ipv4.tcp_sack=1 2: expected one number");
  expect_fail_with("0 `sysctl -q net.ipv4.tcp_ecn=3`\n",
                   "net.ipv4.tcp_ecn=3: missing feature: Accurate ECN");
}

/* ECN (RFC 3168) through the runner: tcp_ecn=1 asks in the SYN (SEW), the
 * ECN-setup SYN-ACK (SE.) agrees, TCPI_OPT_ECN shows it (with | and & as
 * Python binds them), data goes ECT(0) and a CE mark comes back as ECE. */
static void test_sysctl_ecn_and_marks(void **state) {
  (void)state;
  expect_pass("0 `sysctl -q net.ipv4.tcp_ecn=1`\n"
              "+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
              "+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0\n"
              "+0 connect(3, ..., ...) = -1 EINPROGRESS\n"
              "+0 > SEW 0:0(0) <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 8>\n"
              "+.1 < SE. 0:0(0) ack 1 win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7>\n"
              "+0 >[noecn] . 1:1(0) ack 1\n"
              "+0 %{ assert tcpi_options & TCPI_OPT_ECN == TCPI_OPT_ECN }%\n"
              "+0 %{ assert tcpi_options == TCPI_OPT_SACK | TCPI_OPT_WSCALE | TCPI_OPT_ECN }%\n"
              "+0 write(3, ..., 10) = 10\n"
              "+0 >[ect0] P. 1:11(10) ack 1\n"
              "+.1 <[ce] P. 1:101(100) ack 11 win 257\n"
              "+0 >[noecn] E. 11:11(0) ack 101\n",
              "linux");
  expect_fail_with("0 `sysctl -q net.ipv4.tcp_ecn=2`\n"
                   "+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                   "+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0\n"
                   "+0 connect(3, ..., ...) = -1 EINPROGRESS\n"
                   "+0 > SEW 0:0(0) <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 8>\n",
                   "flags differ");
}

/* --non_fatal=syscall: a wrong result is reported and the script goes on. */
static void test_non_fatal_syscall(void **state) {
  (void)state;
  char *log;
  int rc = run("--non_fatal=syscall\n" HANDSHAKE "+0 read(4, ..., 10) = 5\n+0 close(4) = 0\n"
               "+0 > R. 1:1(0) ack 1\n",
               &log);
  if (rc != 1 || !strstr(log, "warning (--non_fatal=syscall): read() returned -1 EAGAIN"))
    fail_msg("%s", log);
  free(log);
}

/* --ip_version=ipv6 (packetdrill's config.c): IPv6 packets between
 * fd3d:fa7b:d17d::1 and 2001:db8::1, MSS 1440 from the 1500-byte MTU,
 * AF_INET6 socket addresses, the flow label, traffic class and hop limit
 * in both directions. */
#define HANDSHAKE6                                                                                 \
  "--ip_version=ipv6\n"                                                                            \
  "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"                                                  \
  "+0 bind(3, ..., ...) = 0\n"                                                                     \
  "+0 listen(3, 1) = 0\n"                                                                          \
  "+0 < (flowlabel 0x12345, hlim 3, class 0x20) S 0:0(0) win 32792 <mss 1440,sackOK,nop,nop,"      \
  "nop,wscale 7>\n"                                                                                \
  "+0 > (hlim 64, class 0x0, flowlabel 0) S. 0:0(0) ack 1 <mss 1440,nop,nop,sackOK,nop,"           \
  "wscale 8>\n"                                                                                    \
  "+.1 < . 1:1(0) ack 1 win 257\n"                                                                 \
  "+0 accept(3, ..., ...) = 4\n"

static void test_ipv6_packets_addresses_and_ip_fields(void **state) {
  (void)state;
  expect_pass(HANDSHAKE6 "+0 getsockname(4, {sa_family=AF_INET6, sin6_port=htons(8080), "
                         "sin6_addr=inet6_addr(\"fd3d:fa7b:d17d::1\")}, [28]) = 0\n"
                         "+0 getpeername(4, {sin6_family=AF_INET6, sin6_port=htons(47123), "
                         "sin6_addr=inet6_addr(\"2001:db8::1\")}, [28]) = 0\n"
                         "+0 getsockopt(4, IPPROTO_IPV6, IPV6_UNICAST_HOPS, [64], [4]) = 0\n"
                         "+0 getsockopt(4, IPPROTO_IPV6, IPV6_TCLASS, [0], [4]) = 0\n"
                         "+0 setsockopt(4, IPPROTO_IPV6, IPV6_UNICAST_HOPS, [-1], 4) = 0\n"
                         "+0 < P. 1:3001(3000) ack 1 win 257\n"
                         "+0 > . 1:1(0) ack 3001\n"
                         "+0 read(4, ..., 5000) = 3000\n",
              "linux");
  expect_fail_with(HANDSHAKE6 "+0 getpeername(4, {sa_family=AF_INET6, sin6_port=htons(47123), "
                              "sin6_addr=inet6_addr(\"2001:db8::2\")}, [28]) = 0\n",
                   "getpeername(): sin6_addr is 2001:db8::1, the script expects 2001:db8::2");
  expect_fail_with(HANDSHAKE6 "+0 getsockname(4, {sa_family=AF_INET, sin_port=htons(8080), "
                              "sin_addr=...}, [16]) = 0\n",
                   "getsockname(): sa_family is 10, the script expects 2");
  expect_fail_with(HANDSHAKE6 "+0 close(4) = 0\n+0 > (flowlabel 7) F. 1:1(0) ack 1\n",
                   "IPv6 flow label is 0x00000, the script expects 0x00007");
  expect_fail_with(HANDSHAKE6 "+0 setsockopt(4, IPPROTO_IPV6, IPV6_TCLASS, [0xe0], 4) = 0\n",
                   "IPV6_TCLASS 224: not supported by fin (every segment carries IPV6_TCLASS 0)");
  expect_fail_with(HANDSHAKE "+0 close(4) = 0\n+0 > (flowlabel 7) F. 1:1(0) ack 1\n",
                   "(flowlabel N) is IPv6's; the script runs IPv4 (--ip_version)");
}

/* In IPv6 mode a payload is cut by the IPv6 MTU (1500 - 40 - 20), and an
 * ICMPv6 line is an ICMPv6 message: packet too big lowers the MSS, port
 * unreachable (1/4, not ICMP's 3/3) refuses a connection attempt (J6). */
static void test_ipv6_split_payload_and_icmpv6(void **state) {
  (void)state;
  char *log;
  verbose_run = true;
  int rc = run(HANDSHAKE6 "+0 < P. 1:3001(3000) ack 1 win 257\n"
                          "+0 > . 1:1(0) ack 3001\n",
               &log);
  verbose_run = false;
  if (rc != 0)
    fail_msg("%s", log);
  assert_contains(log, "inject < . 1:1441(1440) ack 1 win 257");
  assert_contains(log, "inject < P. 2881:3001(120) ack 1 win 257");
  free(log);
  expect_pass(HANDSHAKE6 "+0 setsockopt(4, SOL_TCP, TCP_NODELAY, [1], 4) = 0\n"
                         "+0 write(4, ..., 2000) = 2000\n"
                         "+0 > . 1:1441(1440) ack 1\n"
                         "+0 > P. 1441:2001(560) ack 1\n"
                         "+.1 < icmp packet_too_big mtu 1280 [1:1441(1440)]\n"
                         "+0 > . 1:1221(1220) ack 1\n"
                         "+0 > P. 1221:2001(780) ack 1\n",
              "linux");
  expect_pass("--ip_version=ipv6\n" CONNECT "+.1 < icmp unreachable port_unreachable [100:100(0)]\n"
              "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"
              "+.1 < icmp unreachable port_unreachable [0:0(0)]\n"
              "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0\n",
              "linux");
  expect_fail_with("--ip_version=ipv6\n" CONNECT "+.1 < icmp source_quench [0:0(0)]\n",
                   "the ICMP line names no ICMPv6 message (its type or code is ICMPv4's)");
  expect_fail_with(CONNECT "+.1 < icmp packet_too_big mtu 1300 [0:0(0)]\n",
                   "the ICMP line names no ICMPv4 message (its type or code is ICMPv6's)");
}

/* The command line's IP version (packetdrill's --ip_version, which
 * run_all.py passes to run every script in each family) applies to a
 * script without its own line; a script's line wins. --mtu=1520 keeps an
 * IPv6 MSS of 1460, as google's IPv6 runs use it. */
static void test_command_line_ip_version_and_ipv6_mtu(void **state) {
  (void)state;
  const char *text = CONNECT "+0 < S. 0:0(0) ack 1 win 5000 <mss 1000>\n"
                             "+0 > . 1:1(0) ack 1\n"
                             "+0 getpeername(3, {sa_family=AF_INET6, sin6_port=htons(8080), "
                             "sin6_addr=inet6_addr(\"2001:db8::1\")}, [28]) = 0\n";
  char *log;
  struct script_run_options o = {.profile = "linux", .ip_version = "ipv6"};
  if (run_options(text, &o, &log) != 0)
    fail_msg("%s", log);
  free(log);
  if (run_options("--ip_version=ipv4\n" CONNECT
                  "+1 > S 0:0(0) <mss 1460,sackOK,TS val 1001 ecr 0,nop,wscale 8>\n",
                  &o, &log) != 0)
    fail_msg("%s", log);
  free(log);
  o.ip_version = "ipv5";
  assert_int_equal(run_options(CONNECT, &o, &log), 2);
  assert_contains(log, "unknown IP version 'ipv5'");
  free(log);
  expect_pass("--ip_version=ipv6\n--mtu=1520\n"
              "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
              "+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0\n"
              "+0 connect(3, ..., ...) = -1 EINPROGRESS\n"
              "+0 > S 0:0(0) <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 8>\n",
              "linux");
}

/* --ip_version=ipv4-mapped-ipv6: AF_INET6 sockets reach ::ffff:192.0.2.1,
 * the packets are IPv4 (MSS 1460). */
static void test_ipv4_mapped_ipv6(void **state) {
  (void)state;
  expect_pass("--ip_version=ipv4-mapped-ipv6\n"
              "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
              "+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0\n"
              "+0 connect(3, ..., ...) = -1 EINPROGRESS\n"
              "+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>\n"
              "+0 < S. 0:0(0) ack 1 win 5000 <mss 1460>\n"
              "+0 > . 1:1(0) ack 1\n"
              "+0 getsockname(3, {sa_family=AF_INET6, sin6_port=..., "
              "sin6_addr=inet6_addr(\"::ffff:192.168.0.1\")}, [28]) = 0\n"
              "+0 getpeername(3, {sa_family=AF_INET6, sin6_port=htons(8080), "
              "sin6_addr=\"::ffff:192.0.2.1\"}, [28]) = 0\n"
              "+0 getsockopt(3, IPPROTO_IPV6, IPV6_V6ONLY, [0], [4]) = 0\n"
              "+.1 < icmp unreachable port_unreachable [1:1(0)]\n",
              "linux");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_passive_close_script_passes),
      cmocka_unit_test(test_wrong_packet_prints_line_expected_actual_and_time),
      cmocka_unit_test(test_missing_packet_prints_nothing),
      cmocka_unit_test(test_late_packet_prints_timing),
      cmocka_unit_test(test_wrong_errno_prints_both),
      cmocka_unit_test(test_state_probe_and_snippet),
      cmocka_unit_test(test_unknown_profile_cannot_run),
      cmocka_unit_test(test_icmp_line_is_acted_on),
      cmocka_unit_test(test_outbound_ip_fields_are_checked),
      cmocka_unit_test(test_inbound_ip_fields_and_split_payload),
      cmocka_unit_test(test_header_options_mtu_addresses_and_refusals),
      cmocka_unit_test(test_msghdr_iovec_sendto_recvfrom),
      cmocka_unit_test(test_bad_pointers_are_efault),
      cmocka_unit_test(test_msg_flags_refused_by_name),
      cmocka_unit_test(test_epoll),
      cmocka_unit_test(test_getsockname_getpeername),
      cmocka_unit_test(test_socket_options_tcp_info_congestion_ip),
      cmocka_unit_test(test_sysctl_quoted_multi_field_values),
      cmocka_unit_test(test_sysctl_ecn_and_marks),
      cmocka_unit_test(test_non_fatal_syscall),
      cmocka_unit_test(test_ipv6_packets_addresses_and_ip_fields),
      cmocka_unit_test(test_ipv6_split_payload_and_icmpv6),
      cmocka_unit_test(test_ipv4_mapped_ipv6),
      cmocka_unit_test(test_command_line_ip_version_and_ipv6_mtu),
      cmocka_unit_test(test_fastopen_calls_and_sysctls),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
