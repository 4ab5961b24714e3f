/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hold: end a hold (a process BPF stopped at exec so probes could be
 * attached first) exactly once, and never resume a process that another
 * coldtrace instance still holds.
 *
 * Each instance's BPF maps: ct_held (tgid -> when held) and ct_resuming
 * (tgid -> when released, until its SIGCONT is seen). Releasing claims the
 * ct_held entry by deleting it (one of the loader and its guardian wins),
 * notes it in ct_resuming, and sends SIGCONT only if no other instance's
 * ct_held map (found by name among the kernel's maps) has the process:
 * the last instance to release resumes it.
 */
#ifndef COLDTRACE_HOLD_H
#define COLDTRACE_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ct_holds {
	int held_fd;      /* this instance's ct_held map */
	int resuming_fd;  /* its ct_resuming map */
	uint32_t own_id;  /* ct_held's map id */
};

enum ct_release {
	CT_RELEASE_NOT_OURS = 0, /* not held by us (any more): nothing done */
	CT_RELEASE_RESUMED = 1,  /* released and SIGCONT sent */
	CT_RELEASE_SHARED = 2,   /* released; another coldtrace still holds it */
};

int ct_holds_init(struct ct_holds *h, int held_fd, int resuming_fd);
void ct_holds_free(struct ct_holds *h);
/* Look at the kernel's maps once now, so that the first release (a held
 * process waiting) does not: ids of maps that are not ct_held maps are
 * remembered, process-wide. */
void ct_holds_warm(struct ct_holds *h);
/* Release our hold on tgid (thread-safe with respect to other callers of
 * other ct_holds; one ct_holds per thread or a lock around it). */
enum ct_release ct_hold_release(struct ct_holds *h, uint32_t tgid);
/* Release every hold left in ct_held; returns how many were ours. */
size_t ct_hold_release_all(struct ct_holds *h);

#endif
