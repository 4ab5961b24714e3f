// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "coldtrace.h"
#include "guardian.h"
#include "hold.h"

struct pending {
	uint32_t tgid;
	uint64_t deadline;
};

struct gstate {
	struct pending *p;
	size_t n, cap;
	uint64_t max_hold_ns;
	int *fds; /* handed over by coldtrace: closed (detached) after it exits */
	size_t nfds, capfds;
};

/* Read what coldtrace sends: file descriptors (SCM_RIGHTS) to close once
 * it is gone. Returns 0 at EOF (coldtrace gone), 1 otherwise. */
static int take_fds(struct gstate *s, int sock)
{
	char data[64], cbuf[CMSG_SPACE(CT_GUARDIAN_MAX_FDS * sizeof(int))];
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

	if (n <= 0)
		return n < 0 && errno == EINTR ? 1 : 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (s->nfds == s->capfds) {
				size_t cap = s->capfds ? 2 * s->capfds : 64;
				int *nf = realloc(s->fds, cap * sizeof(*nf));

				if (!nf) {
					close(fd); /* detached now, then */
					continue;
				}
				s->fds = nf;
				s->capfds = cap;
			}
			s->fds[s->nfds++] = fd;
		}
	}
	return 1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int on_hold(void *ctx, void *data, size_t size)
{
	struct gstate *s = ctx;
	const struct ct_hold *h = data;

	if (size < sizeof(*h))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct pending *n = realloc(s->p, cap * sizeof(*n));

		if (!n)
			return 0; /* the hold still ends when coldtrace does */
		s->p = n;
		s->cap = cap;
	}
	/* the deadline counts from the exec, as the kernel stamped it */
	s->p[s->n].tgid = h->tgid;
	s->p[s->n].deadline = h->ts + s->max_hold_ns;
	s->n++;
	return 0;
}

/* Close every fd but the ones kept. */
static void close_others(const int *keep, int nkeep)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int dfd = d ? dirfd(d) : -1;

	if (!d)
		return;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name), k;

		if (de->d_name[0] < '0' || de->d_name[0] > '9' || fd == dfd)
			continue;
		for (k = 0; k < nkeep && keep[k] != fd; k++)
			;
		if (k == nkeep)
			close(fd);
	}
	closedir(d);
}

static void __attribute__((noreturn)) guardian_main(int held_fd, int resuming_fd, int hold_rb_fd,
						    int pipe_rd, uint64_t max_hold_ns)
{
	static const int ignored[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE, SIGUSR1, SIGUSR2};
	int keep[] = {held_fd, resuming_fd, hold_rb_fd, pipe_rd};
	struct gstate s = {.max_hold_ns = max_hold_ns};
	struct ring_buffer *rb;
	struct ct_holds holds;
	sigset_t none;
	int null;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	setsid();
	prctl(PR_SET_NAME, "coldtrace-guard");
	close_others(keep, 4);
	/* hold none of the user's terminals or pipes open */
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	if (ct_holds_init(&holds, held_fd, resuming_fd))
		_exit(1);
	rb = ring_buffer__new(hold_rb_fd, on_hold, &s, NULL);
	for (;;) {
		struct pollfd pfd[2] = {{.fd = pipe_rd, .events = POLLIN},
					{.fd = rb ? ring_buffer__epoll_fd(rb) : -1, .events = POLLIN}};
		uint64_t now = mono_ns(), next = UINT64_MAX;
		int timeout = -1;

		for (size_t i = 0; i < s.n;) {
			if (s.p[i].deadline <= now) {
				ct_hold_release(&holds, s.p[i].tgid);
				s.p[i] = s.p[--s.n];
				continue;
			}
			if (s.p[i].deadline < next)
				next = s.p[i].deadline;
			i++;
		}
		if (next != UINT64_MAX)
			timeout = (int)((next - now) / 1000000 + 1);
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents && !take_fds(&s, pipe_rd))
			break; /* coldtrace is gone */
		if (rb)
			ring_buffer__consume(rb);
		/* forget holds coldtrace released in time */
		for (size_t i = 0; i < s.n;) {
			uint64_t v;

			if (bpf_map_lookup_elem(held_fd, &s.p[i].tgid, &v)) {
				s.p[i] = s.p[--s.n];
				continue;
			}
			i++;
		}
	}
	ct_hold_release_all(&holds);
	/* the links coldtrace handed over: each close waits for the kernel's
	 * grace periods, which coldtrace's exit no longer does */
	for (size_t i = 0; i < s.nfds; i++)
		close(s.fds[i]);
	_exit(0);
}

int ct_guardian_start(struct ct_guardian *g, int held_fd, int resuming_fd, int hold_rb_fd,
		      uint64_t max_hold_ns)
{
	int p[2], status;
	pid_t mid;

	g->pipe_wr = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p))
		return -errno;
	/* fork twice: the guardian must not be our child */
	mid = fork();
	if (mid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (mid == 0) {
		pid_t gp = fork();

		if (gp == 0) {
			close(p[1]);
			guardian_main(held_fd, resuming_fd, hold_rb_fd, p[0], max_hold_ns);
		}
		_exit(gp > 0 ? 0 : 1);
	}
	close(p[0]);
	while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		close(p[1]);
		return -ECHILD;
	}
	g->pipe_wr = p[1];
	return 0;
}

int ct_guardian_hand_over(struct ct_guardian *g, const int *fds, size_t n)
{
	while (n) {
		size_t k = n < CT_GUARDIAN_MAX_FDS ? n : CT_GUARDIAN_MAX_FDS;
		char cbuf[CMSG_SPACE(CT_GUARDIAN_MAX_FDS * sizeof(int))] = {0};
		char byte = 'f';
		struct iovec iov = {.iov_base = &byte, .iov_len = 1};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				    .msg_controllen = CMSG_SPACE(k * sizeof(int))};
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

		if (g->pipe_wr < 0)
			return -EPIPE;
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(k * sizeof(int));
		memcpy(CMSG_DATA(c), fds, k * sizeof(int));
		if (sendmsg(g->pipe_wr, &mh, MSG_NOSIGNAL) != 1)
			return -errno;
		fds += k;
		n -= k;
	}
	return 0;
}

void ct_guardian_stop(struct ct_guardian *g)
{
	if (g->pipe_wr >= 0)
		close(g->pipe_wr);
	g->pipe_wr = -1;
}
