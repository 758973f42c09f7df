/* SPDX-License-Identifier: MIT */
/* Symbol table for system-call arguments and results (README §1a.4). The
 * values are Linux's, taken from the system headers. */
#include "script/symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

struct symbol {
  const char *name;
  int64_t value;
};

#define SYM(x)                                                                                     \
  { #x, x }

static const struct symbol errnos[] = {
    SYM(EPERM),        SYM(ENOENT),      SYM(EINTR),        SYM(EIO),         SYM(EBADF),
    SYM(EAGAIN),       SYM(ENOMEM),      SYM(EACCES),       SYM(EFAULT),      SYM(EBUSY),
    SYM(EEXIST),       SYM(EINVAL),      SYM(ENFILE),       SYM(EMFILE),      SYM(ENOSPC),
    SYM(EPIPE),        SYM(ENOTSOCK),    SYM(EDESTADDRREQ), SYM(EMSGSIZE),    SYM(EPROTOTYPE),
    SYM(ENOPROTOOPT),  SYM(EOPNOTSUPP),  SYM(EAFNOSUPPORT), SYM(EADDRINUSE),  SYM(EADDRNOTAVAIL),
    SYM(ENETDOWN),     SYM(ENETUNREACH), SYM(ECONNABORTED), SYM(ECONNRESET),  SYM(ENOBUFS),
    SYM(EISCONN),      SYM(ENOTCONN),    SYM(ESHUTDOWN),    SYM(ETIMEDOUT),   SYM(ECONNREFUSED),
    SYM(EHOSTUNREACH), SYM(EALREADY),    SYM(EINPROGRESS),  SYM(EWOULDBLOCK), SYM(EHOSTDOWN),
};

static const struct symbol symbols[] = {
    SYM(AF_INET),
    SYM(AF_INET6),
    SYM(AF_UNSPEC),
    SYM(SOCK_STREAM),
    SYM(SOCK_NONBLOCK),
    SYM(IPPROTO_TCP),
    SYM(IPPROTO_IP),
    SYM(SOL_SOCKET),
    SYM(SOL_TCP),
    SYM(SO_REUSEADDR),
    SYM(SO_REUSEPORT),
    SYM(SO_LINGER),
    SYM(SO_ERROR),
    SYM(SO_RCVBUF),
    SYM(SO_SNDBUF),
    SYM(SO_KEEPALIVE),
    SYM(TCP_NODELAY),
    SYM(TCP_MAXSEG),
    SYM(TCP_KEEPIDLE),
    SYM(TCP_KEEPINTVL),
    SYM(TCP_KEEPCNT),
    SYM(TCP_SYNCNT),
    SYM(TCP_LINGER2),
    SYM(TCP_INFO),
    SYM(TCP_QUICKACK),
    SYM(TCP_USER_TIMEOUT),
    SYM(SHUT_RD),
    SYM(SHUT_WR),
    SYM(SHUT_RDWR),
    SYM(MSG_DONTWAIT),
    SYM(MSG_PEEK),
    SYM(MSG_WAITALL),
    SYM(MSG_EOR),
    SYM(MSG_NOSIGNAL),
    SYM(MSG_FASTOPEN),
    SYM(MSG_ZEROCOPY),
    SYM(MSG_ERRQUEUE),
    SYM(MSG_OOB),
    SYM(MSG_MORE),
    SYM(MSG_TRUNC),
    {"NULL", 0},
    SYM(F_GETFL),
    SYM(F_SETFL),
    SYM(O_RDWR),
    SYM(O_NONBLOCK),
    SYM(SIOCINQ),
    SYM(FIONREAD),
    SYM(POLLIN),
    SYM(POLLPRI),
    SYM(POLLOUT),
    SYM(POLLERR),
    SYM(POLLHUP),
    SYM(POLLNVAL),
    SYM(POLLRDHUP),
    SYM(TCP_CONGESTION),
    SYM(TCP_CORK),
    SYM(TCP_NOTSENT_LOWAT),
    SYM(TCP_MD5SIG),
    SYM(TCP_FASTOPEN),
    SYM(TCP_FASTOPEN_CONNECT),
    SYM(TCP_FASTOPEN_KEY),
    SYM(TCP_WINDOW_CLAMP),
    SYM(TCP_DEFER_ACCEPT),
    SYM(TCP_THIN_LINEAR_TIMEOUTS),
    SYM(TCP_ULP),
    SYM(TCP_ZEROCOPY_RECEIVE),
    SYM(SO_ZEROCOPY),
    SYM(SO_RCVLOWAT),
    SYM(SO_SNDLOWAT),
    SYM(SO_PRIORITY),
    SYM(IPPROTO_IPV6),
    SYM(SOL_IP),
    SYM(SOL_IPV6),
    SYM(IP_TTL),
    SYM(IP_TOS),
    SYM(IPV6_TCLASS),
    SYM(IPV6_UNICAST_HOPS),
    SYM(IPV6_V6ONLY),
    {"IPV6_USE_MIN_MTU", SCRIPT_IPV6_USE_MIN_MTU},
    /* RFC 2474 class selector codepoints in the TOS / traffic class byte
     * (FreeBSD's <netinet/ip.h> names). */
    {"IPTOS_DSCP_CS0", 0x00},
    {"IPTOS_DSCP_CS1", 0x20},
    {"IPTOS_DSCP_CS2", 0x40},
    {"IPTOS_DSCP_CS3", 0x60},
    {"IPTOS_DSCP_CS4", 0x80},
    {"IPTOS_DSCP_CS5", 0xa0},
    {"IPTOS_DSCP_CS6", 0xc0},
    {"IPTOS_DSCP_CS7", 0xe0},
    SYM(EPOLLIN),
    SYM(EPOLLOUT),
    SYM(EPOLLERR),
    SYM(EPOLLHUP),
    SYM(EPOLLRDHUP),
    SYM(EPOLLPRI),
    SYM(EPOLLET),
    SYM(EPOLL_CTL_ADD),
    SYM(EPOLL_CTL_MOD),
    SYM(EPOLL_CTL_DEL),
    {"TCP_REMOTE_UDP_ENCAPS_PORT", SCRIPT_TCP_PRIVATE + 0},
    {"TCP_FUNCTION_BLK", SCRIPT_TCP_PRIVATE + 1},
    {"TCP_RACK_PACE_MAX_SEG", SCRIPT_TCP_PRIVATE + 2},
    {"TCP_RACK_PACE_RATE_SS", SCRIPT_TCP_PRIVATE + 3},
    {"TCP_RACK_PACE_ALWAYS", SCRIPT_TCP_PRIVATE + 4},
    {"TCP_KEEPINIT", SCRIPT_TCP_KEEPINIT},
    {"TCP_NOOPT", SCRIPT_TCP_NOOPT},
};

static bool find(const struct symbol *t, size_t n, const char *name, int64_t *value) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(t[i].name, name) == 0) {
      *value = t[i].value;
      return true;
    }
  return false;
}

bool fin_script_symbol(const char *name, int64_t *value) {
  return find(symbols, sizeof(symbols) / sizeof(symbols[0]), name, value) ||
         find(errnos, sizeof(errnos) / sizeof(errnos[0]), name, value);
}

const char *fin_script_errno_name(int err) {
  for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
    if (errnos[i].value == err)
      return errnos[i].name;
  return NULL;
}
