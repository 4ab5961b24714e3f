/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * coldtrace report -f html: one self-contained page (views/htmlpage.h) with
 * the report's pictures (reportsvg.c, inline) and its tables as sortable
 * HTML tables, one per kind of row (report.h enum ct_report_kind: phases,
 * Go program startup, Lambda extensions, package inits, Python imports),
 * every row of each (not only the text's top N). Single report: count,
 * p50, p90, p99 and max of each row (nearest-rank, the text's numbers);
 * --compare: each side's count and p50, the difference in ms and %.
 * Pure: no I/O.
 */
#ifndef COLDTRACE_REPORTHTML_H
#define COLDTRACE_REPORTHTML_H

#include "report.h"
#include "strbuf.h"

void ct_report_render_html(struct ct_report *r, struct strbuf *out, const struct ct_report_opts *o);
void ct_report_render_compare_html(struct ct_report *a, struct ct_report *b, struct strbuf *out,
				   const struct ct_report_opts *o);

#endif
