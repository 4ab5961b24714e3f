/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cli: the coldtrace command. main.c dispatches from its table of commands
 * to cmd_*.c, one file per command, each with its own --help. What they
 * share: options.h (settings and the options of run and watch), output.h
 * (output files), preflight.h (checks before tracing), child.h (the traced
 * command's signals), session.h (a tracer opened from the options).
 */
#ifndef COLDTRACE_CLI_H
#define COLDTRACE_CLI_H

#include <stdint.h>
#include <time.h>

#define CT_NS_PER_SEC 1000000000ull

/* coldtrace's own exit statuses; otherwise it exits with the command's. */
#define CLI_EXIT_USAGE 2
#define CLI_EXIT_NO_PERMISSION 77     /* sysexits' EX_NOPERM: not root, no CAP_BPF */
#define CLI_EXIT_NO_KERNEL_SUPPORT 78 /* EX_CONFIG: no BTF, no uprobes */
#define CLI_EXIT_CANNOT_EXECUTE 126   /* as the shell: found, not executable */
#define CLI_EXIT_NOT_FOUND 127        /* as the shell: command not found */

/* "coldtrace: MESSAGE" on stderr, then exit(code). */
void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static inline uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * CT_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* The commands: argv[0] is the command's name; the exit status. */
int cmd_run(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_schema(int argc, char **argv);
/* cmd_report.c: ct_cmd_report, declared in report.h */

#endif
