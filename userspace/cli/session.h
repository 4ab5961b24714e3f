/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What run and watch both do with the tracer: open it as the options say,
 * shape their models, and wait on its ring buffer and on signals at once. */
#ifndef COLDTRACE_SESSION_H
#define COLDTRACE_SESSION_H

#include <signal.h>
#include <stdbool.h>

#include "model.h"
#include "tracer.h"

/* Load and attach, with the settings of env (options.h); watch: sandboxes
 * started by others. Exits with a one-line error if it cannot. */
struct ct_tracer *session_open(struct ct_model *m, bool watch);

/* Give a model the options that shape what it keeps (--keep-query,
 * --max-memory). */
void session_model_options(struct ct_model *m);

/* Block sigs (the previous mask to *oldmask) and make them arrive on a
 * signalfd (*sfd) in one epoll set (*efd) with the tracer's ring buffer,
 * so none is missed between checks. Exits if it cannot. */
void session_epoll(struct ct_tracer *tracer, const sigset_t *sigs, sigset_t *oldmask, int *sfd,
		   int *efd);

#endif
