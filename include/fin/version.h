/* SPDX-License-Identifier: MIT */
/** @file fin/version.h
 * @brief The version of the headers being compiled against, and of the
 * library actually linked (fin_version()). CMakeLists.txt reads the three
 * numbers from this file, so this is the one place a release changes them.
 * Before 1.0.0 a MINOR change may break the API; the shared libraries'
 * SONAME (libfin.so.0) changes when the ABI does. */
#ifndef FIN_VERSION_H
#define FIN_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

/** The headers' major version. */
#define FIN_VERSION_MAJOR 0
/** The headers' minor version. */
#define FIN_VERSION_MINOR 2
/** The headers' patch level. */
#define FIN_VERSION_PATCH 0
/** The headers' version as text. */
#define FIN_VERSION_STRING "0.2.0"

/** One number for `#if` comparisons: FIN_VERSION_NUMBER >= FIN_VERSION_ENCODE(0, 2, 0). */
#define FIN_VERSION_ENCODE(major, minor, patch) ((major)*10000 + (minor)*100 + (patch))
/** The headers' version as one number (FIN_VERSION_ENCODE). */
#define FIN_VERSION_NUMBER                                                                         \
  FIN_VERSION_ENCODE(FIN_VERSION_MAJOR, FIN_VERSION_MINOR, FIN_VERSION_PATCH)

/** The linked library's version: compare with FIN_VERSION_STRING to detect
 * a program built against other headers than the library it runs with.
 * @return "0.2.0"; a static string */
const char *fin_version(void);

#ifdef __cplusplus
}
#endif
#endif
