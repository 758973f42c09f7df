/* SPDX-License-Identifier: MIT */
/* fin_strerror(): errno names, the way fin's ladders, events and logs print
 * them. A table of <errno.h> constants: no libc call, so the engine stays
 * pure (scripts/check-engine-purity.sh). */
#include "fin/error.h"

#include <errno.h>
#include <stddef.h>

struct errno_name {
  int err;
  const char *name;
};

/* Every errno a fin call, a driver or the runtime returns, then the ones a
 * host loop around fin is likely to pass on. */
static const struct errno_name names[] = {
    {ECONNRESET, "ECONNRESET"},
    {ECONNREFUSED, "ECONNREFUSED"},
    {ECONNABORTED, "ECONNABORTED"},
    {ETIMEDOUT, "ETIMEDOUT"},
    {EPIPE, "EPIPE"},
    {EAGAIN, "EAGAIN"},
    {EINPROGRESS, "EINPROGRESS"},
    {EALREADY, "EALREADY"},
    {EISCONN, "EISCONN"},
    {ENOTCONN, "ENOTCONN"},
    {EBADF, "EBADF"},
    {EINVAL, "EINVAL"},
    {ENOMEM, "ENOMEM"},
    {ENOBUFS, "ENOBUFS"},
    {EADDRINUSE, "EADDRINUSE"},
    {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
    {EHOSTUNREACH, "EHOSTUNREACH"},
    {ENETUNREACH, "ENETUNREACH"},
    {EOPNOTSUPP, "EOPNOTSUPP"},
    {ENOPROTOOPT, "ENOPROTOOPT"},
    {ENOENT, "ENOENT"},
    {ESHUTDOWN, "ESHUTDOWN"},
    {EINTR, "EINTR"},
    {EFAULT, "EFAULT"},
    {ENOSPC, "ENOSPC"},
    {ELOOP, "ELOOP"},
    {ETIME, "ETIME"},
    {EMSGSIZE, "EMSGSIZE"},
    {EIO, "EIO"},
    {EPERM, "EPERM"},
    {EACCES, "EACCES"},
    {EEXIST, "EEXIST"},
    {ENODEV, "ENODEV"},
    {EBUSY, "EBUSY"},
    {ENOSYS, "ENOSYS"},
    {ERANGE, "ERANGE"},
    {EAFNOSUPPORT, "EAFNOSUPPORT"},
    {EDESTADDRREQ, "EDESTADDRREQ"},
    {ENOTSOCK, "ENOTSOCK"},
};

const char *fin_strerror(int err) {
  if (err < 0)
    err = -err;
  if (err == 0)
    return "0";
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (names[i].err == err)
      return names[i].name;
  return "E?";
}
