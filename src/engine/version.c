/* SPDX-License-Identifier: MIT */
/* fin_version(): the version this library was built as (include/fin/version.h). */
#include "fin/version.h"

const char *fin_version(void) {
  return FIN_VERSION_STRING;
}
