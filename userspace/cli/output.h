/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Output files (-o FILE, -o DIR with --repeat or watch); env (options.h) says
 * which, and whether --force and -q are given. */
#ifndef COLDTRACE_OUTPUT_H
#define COLDTRACE_OUTPUT_H

#include "strbuf.h"

/* Refuse up front, before anything is traced, what would not be written
 * (exit 2 or 1 with a one-line error). "-o -" becomes stdout. */
void check_outputs(void);
/* Remove the temporary files a killed coldtrace left in dir: those of
 * dir/base, or with base NULL every one. */
void clean_stale_temps(const char *dir, const char *base);
/* Write out to path, atomically; on failure to stdout, saying so: 1. */
int write_file(const struct strbuf *out, const char *path);
/* Run number run's output to stdout or its file (-o, --repeat): 0 or 1. */
int write_output(const struct strbuf *out, int run);

#endif
