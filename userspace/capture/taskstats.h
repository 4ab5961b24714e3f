/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * taskstats: a genetlink listener of the kernel's TASKSTATS family,
 * registered for every possible CPU, so that each thread that exits
 * anywhere on the host sends us its own accounting record (delay
 * accounting, switches, faults: model/acct.h says which numbers and what
 * they miss). Needs CAP_NET_ADMIN in the initial user and pid namespaces.
 *
 * The records of every exit on the host come in; the caller keeps those of
 * the traced tree (ct_taskstats_drain's callback). Drained without blocking
 * (the socket is not in the epoll set: a busy host's exits would wake us);
 * the receive buffer is 8 MiB (SO_RCVBUFFORCE), about 10000 records, and
 * what overflows it is counted as lost.
 */
#ifndef COLDTRACE_TASKSTATS_H
#define COLDTRACE_TASKSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "acct.h"

struct ct_taskstats;

/* Open, resolve the family and register for every CPU. 0, or -errno with
 * a one-line reason in err. */
int ct_taskstats_open(struct ct_taskstats **out, char *err, size_t errlen);
/* Read every record queued, calling fn for each; returns the records read,
 * *lost += the records the kernel dropped (ENOBUFS) since the last call. */
typedef void ct_taskstats_fn(void *ctx, const struct ct_task_acct *t);
size_t ct_taskstats_drain(struct ct_taskstats *ts, ct_taskstats_fn *fn, void *ctx, uint64_t *lost);
/* Deregister and close (NULL: nothing). */
void ct_taskstats_close(struct ct_taskstats *ts);

/* kernel.task_delayacct: 0, 1, or -1 when it cannot be read. */
int ct_taskstats_delayacct(void);

#endif
