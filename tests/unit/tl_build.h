/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Timelines built by hand for the picture views' unit tests (the views'
 * _tls form, tlviews.h): a milestone seen at a time, and a phase as
 * phases.c's table has it (depth, kind, in_sum), its times from its
 * milestones; tl_base, the timeline they go on. Times: MS(ms), ms after a
 * base of 1 s.
 */
#ifndef TL_BUILD_H
#define TL_BUILD_H

#include <stdint.h>

#include "phases.h"

#define MS(x) ((uint64_t)(1000000000ull + (uint64_t)((x) * 1000000.0 + 0.5)))

static void ms_(struct ct_timeline *tl, enum ct_ms k, double at, uint32_t pid)
{
	tl->ms[k] = (struct ct_milestone){.state = CT_MS_SEEN, .ts = MS(at), .pid = pid};
}

static void ph_(struct ct_timeline *tl, enum ct_phase_id id, enum ct_ms from, enum ct_ms to, int depth,
		enum ct_phase_kind kind, bool in_sum, uint32_t pid)
{
	struct ct_phase *p = &tl->ph[id];

	*p = (struct ct_phase){.id = id, .kind = kind, .from = from, .to = to, .depth = depth, .in_sum = in_sum,
			       .pid = pid};
	if (tl->ms[from].state == CT_MS_SEEN)
		p->start = tl->ms[from].ts;
	if (tl->ms[to].state == CT_MS_SEEN)
		p->end = tl->ms[to].ts;
	p->complete = p->start && p->end && p->end >= p->start;
	if (p->complete)
		p->dur = p->end - p->start;
}

/* A timeline of agent -> runtime (their processes in m, if there) with no
 * milestone seen and no phase drawn yet (none applies: INIT_START is not
 * seen), no extension, no gate, no invoke: ms_ and ph_ fill it in. */
static inline void tl_base(struct ct_timeline *tl, const struct ct_model *m, uint32_t agent, uint32_t runtime)
{
	tl->agent = ct_model_proc_const(m, agent);
	tl->runtime = ct_model_proc_const(m, runtime);
	tl->agent_pid = agent;
	tl->runtime_pid = tl->sender_pid = runtime;
	tl->invoke_http = -1;
	tl->init_gate.ext = tl->register_gate.ext = -1;
	for (int k = 0; k < CT_MS_COUNT; k++)
		tl->ms[k].state = CT_MS_NA;
	for (int k = 0; k < CT_PH_COUNT; k++)
		tl->ph[k] = (struct ct_phase){.id = (enum ct_phase_id)k, .from = CT_MS_INIT_START, .to = CT_MS_INIT_START};
}

#endif /* TL_BUILD_H */
