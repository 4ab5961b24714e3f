/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * chreport: `coldtrace report --clickhouse` without the HTTP (issue 15):
 * the SQL that has ClickHouse compute the report's stats from the samples
 * table (chrows.h, report.h ct_report_each_sample), the parsing of its
 * answers, and the series put back into a report in the order the report on
 * the same files would list them. Pure: no I/O.
 */
#ifndef COLDTRACE_CHREPORT_H
#define COLDTRACE_CHREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "strbuf.h"

/* One series as ClickHouse computed it: its stats, and where the report
 * first saw it: the first run that has it (by started_ns, then cs_id) and
 * the series' ord there (ct_report_each_sample). */
struct ct_chr_series {
	int kind, fig;
	char *prog, *name;
	uint64_t first_ns;
	char *first_cs;
	uint64_t ord;
	struct ct_stats st;
};

/*
 * Puts v[0..n) into r (ct_report_put_stats) in the report's first-seen
 * order: a phase, program, extension, package or module (an "entry": every
 * kind of it, e.g. a phase's durations, unfinished count and breakdown
 * figures, shares one) is created by its first run, then by its ord in that
 * run; within a run programs come before packages (a package names its
 * program). Sorts v. 0, or -1 out of memory.
 */
int ct_chr_put(struct ct_report *r, struct ct_chr_series *v, size_t n);
void ct_chr_series_free(struct ct_chr_series *v, size_t n);

#endif
