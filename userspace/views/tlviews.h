/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One sandbox's cold start as the text and jsonl views print it, from its
 * timeline (phases.h): what ct_render_text and ct_render_jsonl write per
 * timeline of ct_timelines_build. Apart so that a test can hand them a
 * timeline it built itself (extensions, gates) and check each line.
 */
#ifndef COLDTRACE_TLVIEWS_H
#define COLDTRACE_TLVIEWS_H

#include <stddef.h>

#include "jsonw.h"
#include "phases.h"
#include "render.h"

/* The text view's block of timeline idx of n (text.c): phase table, the
 * extensions and who gated INIT, the agent's figures, summary, breakdown. */
void ct_text_cold_start(struct strbuf *out, const struct ct_model *m, const struct ct_timeline *tl, size_t idx,
			size_t n, const struct ct_render_opts *o);

/* The jsonl records of sandbox t (jsonl.c): its "phase" and "milestone"
 * records, one "extension" per extension, its "timeline", its "breakdown"s. */
void ct_jsonl_timeline(struct jsonw *w, const struct ct_model *m, size_t t, const struct ct_timeline *tl);

#endif
