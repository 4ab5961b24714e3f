// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Checks made before anything is traced, each a one-line error. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "cli.h"
#include "preflight.h"

/* Root, or the capabilities loading BPF and attaching probes take. */
static bool has_bpf_privilege(void)
{
	return ct_has_cap(CT_CAP_SYS_ADMIN) || (ct_has_cap(CT_CAP_BPF) && ct_has_cap(CT_CAP_PERFMON));
}

void preflight(void)
{
	if (!has_bpf_privilege())
		die(CLI_EXIT_NO_PERMISSION, "permission denied: loading BPF needs root (or CAP_BPF and CAP_PERFMON); try: sudo coldtrace run ...");
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		die(CLI_EXIT_NO_KERNEL_SUPPORT, "kernel BTF not found (/sys/kernel/btf/vmlinux): coldtrace needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
	if (access("/sys/bus/event_source/devices/uprobe/type", R_OK))
		die(CLI_EXIT_NO_KERNEL_SUPPORT, "uprobes are not available (no /sys/bus/event_source/devices/uprobe): a kernel with CONFIG_UPROBE_EVENTS=y is needed");
}

/* execvp's search, done up front so a bad CMD fails before any tracing. */
int resolve_cmd(const char *cmd, char *out, size_t len)
{
	const char *path = getenv("PATH");
	bool found_noexec = false;
	char buf[PATH_MAX];

	if (strchr(cmd, '/')) {
		struct stat st;

		if (stat(cmd, &st))
			return errno == ENOENT ? CLI_EXIT_NOT_FOUND : CLI_EXIT_CANNOT_EXECUTE;
		if (S_ISDIR(st.st_mode) || access(cmd, X_OK))
			return CLI_EXIT_CANNOT_EXECUTE;
		snprintf(out, len, "%s", cmd);
		return 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);
		struct stat st;

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", cmd);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(buf, X_OK) == 0) {
				snprintf(out, len, "%s", buf);
				return 0;
			}
			found_noexec = true;
		}
		path += n + (colon ? 1 : 0);
		if (!colon)
			break;
	}
	return found_noexec ? CLI_EXIT_CANNOT_EXECUTE : CLI_EXIT_NOT_FOUND;
}
