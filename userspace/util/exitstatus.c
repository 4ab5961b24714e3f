// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <sys/wait.h>

#include "exitstatus.h"

struct ct_wait ct_exit_decode(int wait_status)
{
	if (WIFSIGNALED(wait_status))
		return (struct ct_wait){.signaled = true, .value = WTERMSIG(wait_status)};
	return (struct ct_wait){.signaled = false, .value = WEXITSTATUS(wait_status)};
}

int ct_exit_shell_code(int wait_status)
{
	struct ct_wait e = ct_exit_decode(wait_status);

	return e.signaled ? 128 + e.value : e.value;
}

const char *ct_exit_str(int wait_status, enum ct_exit_style style, char *buf, size_t len)
{
	struct ct_wait e = ct_exit_decode(wait_status);
	static const char *const fmt[2][2] = {
		[CT_EXIT_SHORT] = {"exit %d", "killed by signal %d"},
		[CT_EXIT_SENTENCE] = {"exited with status %d", "was killed by signal %d"},
	};

	if (!buf || !len)
		return buf;
	snprintf(buf, len, fmt[style == CT_EXIT_SENTENCE][e.signaled], e.value);
	return buf;
}
