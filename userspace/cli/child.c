// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The traced command as coldtrace's child: how it is started when the
 * kernel will not run its file, and where Ctrl-C/SIGTERM go.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "cli.h"

#define CT_MAX_TREE_DEPTH 4096 /* how deep signal_subtree recurses */

#ifndef P_PIDFD
#define P_PIDFD 3 /* waitid on a pidfd, Linux 5.4 */
#endif

/* The parent of pid as /proc says, or -1. */
static pid_t proc_ppid(pid_t pid)
{
	char path[64], buf[512], *p;
	long ppid;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')'); /* after comm, which may hold anything */
	if (!p || sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

struct pid_ppid {
	pid_t pid, ppid;
};

/* Signal parent's children in ps, and theirs. A child counts only if, once
 * pinned with a pidfd, /proc still names parent as its parent while both
 * are alive (not reaped): then neither pid was freed and reused in
 * between, and the pidfd signals that very process. parent_fd < 0: us. */
static int signal_subtree(const struct pid_ppid *ps, size_t n, pid_t parent, int parent_fd,
			  int sig, int depth)
{
	int sent = 0;

	if (depth > CT_MAX_TREE_DEPTH)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int fd;

		if (ps[i].ppid != parent)
			continue;
		fd = pidfd_open(ps[i].pid, 0);
		if (fd < 0)
			continue;
		if (proc_ppid(ps[i].pid) == parent && pidfd_send_signal(fd, 0, NULL, 0) == 0 &&
		    (parent_fd < 0 || pidfd_send_signal(parent_fd, 0, NULL, 0) == 0)) {
			if (pidfd_send_signal(fd, sig, NULL, 0) == 0)
				sent++;
			sent += signal_subtree(ps, n, ps[i].pid, fd, sig, depth + 1);
		}
		close(fd);
	}
	return sent;
}

/*
 * What is left of the command's tree once its root has exited is exactly
 * our descendants: we are the tree's subreaper, so whatever is orphaned in
 * it comes to us (or to a subreaper inside it), and a process never gains
 * ancestors. Walk down from us over a snapshot of /proc. The number of
 * processes signalled.
 */
static int signal_tree(int sig)
{
	struct pid_ppid *ps = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");
	int sent;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		pid_t ppid;

		if (*end || pid <= 0 || pid == getpid() || (ppid = proc_ppid((pid_t)pid)) <= 0)
			continue;
		if (n == cap) {
			struct pid_ppid *np = realloc(ps, (cap = cap ? 2 * cap : 256) * sizeof(*ps));

			if (!np)
				break;
			ps = np;
		}
		ps[n].pid = (pid_t)pid;
		ps[n++].ppid = ppid;
	}
	closedir(d);
	sent = signal_subtree(ps, n, getpid(), -1, sig, 0);
	free(ps);
	return sent;
}

/* The first Ctrl-C/SIGTERM goes to the command while its root process
 * runs (through its pidfd: once reaped, never to whoever has its pid
 * now); once the root has exited, to every process left in its tree. */
void forward_signal(int root_fd, int sig)
{
	siginfo_t si = {0};

	pidfd_send_signal(root_fd, sig, NULL, 0);
	if (waitid((idtype_t)P_PIDFD, (id_t)root_fd, &si, WEXITED | WNOHANG | WNOWAIT) || si.si_pid)
		signal_tree(sig);
}

/* execvp's way with a file the kernel will not run (ENOEXEC: no "#!", or
 * empty): /bin/sh FILE ARGS... Made before fork. */
char **sh_argv(const char *path, char **argv)
{
	char **v;
	int n = 0;

	while (argv[n])
		n++;
	v = calloc((size_t)n + 2, sizeof(*v));
	if (!v)
		die(1, "out of memory");
	v[0] = (char *)"/bin/sh";
	v[1] = (char *)path;
	for (int i = 1; i < n; i++)
		v[i + 1] = argv[i];
	return v;
}

