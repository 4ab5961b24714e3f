/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A process's wait status, said one way everywhere: every view, the timeline's
 * notes and coldtrace's own exit status use these, so a signal is never told
 * as an exit code in one place and not in another.
 */
#ifndef COLDTRACE_EXITSTATUS_H
#define COLDTRACE_EXITSTATUS_H

#include <stdbool.h>
#include <stddef.h>

struct ct_wait {
	bool signaled; /* killed by a signal */
	int value;     /* the signal number if signaled, else the exit code */
};

/* Decode a wait(2) status. */
struct ct_wait ct_exit_decode(int wait_status);

/* The shell's number for it: the exit code, or 128 + the signal. */
int ct_exit_shell_code(int wait_status);

enum ct_exit_style {
	CT_EXIT_SHORT,    /* "exit 3", "killed by signal 9" (tables, pictures) */
	CT_EXIT_SENTENCE, /* "exited with status 3", "was killed by signal 9" */
};

/* Write how it ended into buf (always NUL-terminated); returns buf. */
const char *ct_exit_str(int wait_status, enum ct_exit_style style, char *buf, size_t len);

#endif
