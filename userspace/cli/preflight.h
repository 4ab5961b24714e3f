/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Before anything is traced: privileges, the kernel, the command's file. */
#ifndef COLDTRACE_PREFLIGHT_H
#define COLDTRACE_PREFLIGHT_H

#include <stddef.h>

/* Root (or CAP_BPF and CAP_PERFMON) and a kernel with BTF and uprobes, or
 * exit 77 (permission) or 78 (kernel) with a one-line error. */
void preflight(void);

/* execvp's search for cmd, done up front so a bad CMD fails before any
 * tracing: 0 with its path in out, else CLI_EXIT_NOT_FOUND or
 * CLI_EXIT_CANNOT_EXECUTE (cli.h). */
int resolve_cmd(const char *cmd, char *out, size_t len);

#endif
