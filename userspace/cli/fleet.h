/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fleet: run's and watch's --clickhouse, --otlp, --spool and --label
 * (issue 15). Opened before tracing starts (a bad URL, refused credentials
 * or a schema that is not ours stop coldtrace there, with one line); each
 * finished sandbox is handed over; at the end what could not be delivered
 * within FLEET_DRAIN_MS stays in the spool, said on stderr, for the next
 * coldtrace with the same --spool.
 */
#ifndef COLDTRACE_FLEET_H
#define COLDTRACE_FLEET_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

#define FLEET_DRAIN_MS 5000

/* Nothing to do without --clickhouse or --otlp. Dies on a fatal error. */
void fleet_open(void);
bool fleet_active(void);
/* One finished sandbox: root is its root pid, command what the views show. */
void fleet_sandbox(const struct ct_model *m, uint32_t root, const char *command, uint64_t realtime_offset_ns);
/* Deliver what is left (at most FLEET_DRAIN_MS), close; 0, or 1 when a
 * cold start could not be kept (the spool was full). */
int fleet_close(void);

#endif
