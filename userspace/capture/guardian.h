/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * guardian: a small process of its own that makes sure no process stays
 * held because of coldtrace. It hears of every hold from BPF (ct_hold_rb)
 * and releases it (userspace/hold.c) when the hold passes its deadline
 * (--max-hold: coldtrace stopped, slow or stuck), or when coldtrace is gone
 * (exit, crash, SIGKILL: the pipe it keeps open reads EOF), then exits.
 * It runs in its own session (Ctrl-C and Ctrl-Z of coldtrace's terminal do
 * not reach it), keeps no other file open, and is not coldtrace's child
 * (coldtrace waits for its traced tree with a subreaper).
 */
#ifndef COLDTRACE_GUARDIAN_H
#define COLDTRACE_GUARDIAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ct_guardian {
	int pipe_wr; /* closed (by exit or death) = coldtrace is gone */
};

/* Start it. The map fds are ct_held, ct_resuming and ct_hold_rb. Call
 * before any hold can happen and before PR_SET_CHILD_SUBREAPER. 0 or -errno. */
int ct_guardian_start(struct ct_guardian *g, int held_fd, int resuming_fd, int hold_rb_fd,
		      uint64_t max_hold_ns);
/* Give the guardian copies of these descriptors (uprobe links): it closes
 * them after coldtrace has gone, so that coldtrace's exit does not wait for
 * the kernel's grace periods of a detach. 0 or -errno (nothing sent then
 * for the failed batch: the caller still holds its own copies). */
#define CT_GUARDIAN_MAX_FDS 250
int ct_guardian_hand_over(struct ct_guardian *g, const int *fds, size_t n);
/* coldtrace is done: the guardian releases what is left and exits. */
void ct_guardian_stop(struct ct_guardian *g);

#endif
