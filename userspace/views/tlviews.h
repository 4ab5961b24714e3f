/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One sandbox's cold start as the text and jsonl views print it, from its
 * timeline (phases.h): what ct_render_text and ct_render_jsonl write per
 * timeline of ct_timelines_build. Apart so that a test can hand them a
 * timeline it built itself (extensions, gates) and check each line.
 */
#ifndef COLDTRACE_TLVIEWS_H
#define COLDTRACE_TLVIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* CPython module loads in the picture views (perfetto.c, svg.c, otlp.c;
 * defined in svg.c). Where load pi of image img of p is drawn to: its end,
 * or, when it never ended, the end of its image (the next image's exec,
 * else the process's exit, else last); never before its start. */
uint64_t ct_pyload_end(const struct ct_proc *p, size_t img, const struct ct_pyimport *pi, uint64_t last);
/* Its thread's counters between its ends: breakdown.h's ct_bd_pyimport. */

#endif
