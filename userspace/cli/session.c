// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The tracer as run and watch use it (session.h). */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include "caps.h"
#include "cli.h"
#include "options.h"
#include "session.h"

struct ct_tracer *session_open(struct ct_model *m, bool watch)
{
	struct ct_tracer_opts topts = {
		.verbose = env.verbose,
		.quiet = env.quiet,
		.ringbuf_bytes = env.ringbuf_bytes,
		.capture_bytes = env.capture_bytes,
		.watch = watch,
		.max_hold_ns = env.max_hold_ns,
		.no_cache = env.no_cache,
		/* without CAP_KILL, hold only processes of our uids */
		.hold_only_uid = !ct_has_cap(CT_CAP_KILL),
		.no_sched = env.no_sched,
		.no_files = env.no_files,
		.allocs = env.allocs,
		.no_python = env.no_python,
	};
	struct ct_tracer *tracer;
	char err[256];
	int rc = ct_tracer_open(&tracer, &topts, m, err, sizeof(err));

	if (rc)
		die(rc == -EPERM ? CLI_EXIT_NO_PERMISSION : 1, "%s", err);
	return tracer;
}

void session_model_options(struct ct_model *m)
{
	m->keep_query = env.keep_query;
	m->mem_budget = env.max_memory;
}

void session_epoll(struct ct_tracer *tracer, const sigset_t *sigs, sigset_t *oldmask,
		   int *sfd, int *efd)
{
	struct epoll_event ev = {.events = EPOLLIN};

	sigprocmask(SIG_BLOCK, sigs, oldmask);
	*sfd = signalfd(-1, sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	*efd = epoll_create1(EPOLL_CLOEXEC);
	if (*sfd < 0 || *efd < 0)
		die(1, "signalfd/epoll: %s", strerror(errno));
	ev.data.fd = *sfd;
	if (epoll_ctl(*efd, EPOLL_CTL_ADD, *sfd, &ev))
		die(1, "epoll: %s", strerror(errno));
	ev.data.fd = ct_tracer_fd(tracer);
	if (epoll_ctl(*efd, EPOLL_CTL_ADD, ev.data.fd, &ev))
		die(1, "epoll: %s", strerror(errno));
}

