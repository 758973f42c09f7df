/* SPDX-License-Identifier: MIT */
/* Parser for the packetdrill dialect: text -> struct script (ast.h). */
#ifndef FIN_SCRIPT_PARSER_H
#define FIN_SCRIPT_PARSER_H

#include <stddef.h>

#include "script/ast.h"
#include "script/lexer.h"

/* Parses src (len bytes) named path. defines are the -D symbols and the
 * names #ifdef tests (README §1d.1: STANDARD defined, OS names not).
 * Returns 0, or -1 with "path:line:col: message" in err. On success the
 * caller frees out with fin_script_free(). */
int fin_script_parse(const char *path, const char *src, size_t len,
                     const struct script_define *defines, size_t define_count, struct script *out,
                     char *err, size_t errcap);

/* Reads a whole file and parses it. Same contract; a read error is
 * reported as "path: strerror". */
int fin_script_parse_file(const char *path, const struct script_define *defines,
                          size_t define_count, struct script *out, char *err, size_t errcap);

/* The defines every run uses: STANDARD (README §1a.9). */
extern const struct script_define fin_script_default_defines[];
extern const size_t fin_script_default_define_count;

#endif
