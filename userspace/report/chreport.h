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

/* What to read: the database (CT_CH_DEFAULT_DB's "coldtrace" if NULL), the
 * cold starts it counts (where: SQL on the coldstarts table's columns;
 * since_ns: started_ns at least; by_key/by_value: only those whose label
 * by_key is by_value, "host" meaning the host column). */
struct ct_chr_query {
	const char *db;
	const char *where; /* NULL: all */
	bool have_since;
	uint64_t since_ns;
	bool minus_held;
	const char *by_key, *by_value; /* by_value NULL: no --by */
};

/* A database name ClickHouse takes unquoted-safe: [A-Za-z0-9_], 1-64. */
bool ct_chr_db_ok(const char *db);
/* s as a ClickHouse string literal ('...', \ and \' escaped). */
void ct_chr_quote(struct strbuf *out, const char *s);

/* The SQL of each question, each ending in FORMAT TabSeparated. */
/* Which of coldtrace's tables the database has: one name a line. */
void ct_chr_tables_sql(struct strbuf *out, const struct ct_chr_query *q);
/* The schema version(s) the sink recorded: one a line. */
void ct_chr_version_sql(struct strbuf *out, const struct ct_chr_query *q);
/* The runs: "count\tincomplete". */
void ct_chr_runs_sql(struct strbuf *out, const struct ct_chr_query *q);
/* The --by values of the cold starts (by_value ignored), sorted. */
void ct_chr_by_values_sql(struct strbuf *out, const struct ct_chr_query *q);
/* Per series: kind, fig, prog, name, count, p50, p90, p99, max (nearest
 * rank, exactly ct_percentile), first run's started_ns and cs_id, ord. */
void ct_chr_series_sql(struct strbuf *out, const struct ct_chr_query *q);

/*
 * The answers (TabSeparated: fields split at tabs, \t \n \\ and the other
 * escapes ClickHouse writes undone). 0, or -1 with a one-line reason in err
 * (an answer of another shape: a bug, or not ClickHouse).
 */
/* Line after line: *fields (malloc'd strings, *nf of them) of the line at
 * *pos; 1 and advances, 0 at the end, -1 out of memory. */
int ct_chr_tsv_line(const char *body, size_t len, size_t *pos, char ***fields, size_t *nf);
void ct_chr_fields_free(char **f, size_t n);
int ct_chr_parse_runs(const char *body, size_t len, size_t *nruns, size_t *nincomplete, char *err,
		      size_t errlen);
/* Series with a kind this version does not know are left out. */
int ct_chr_parse_series(const char *body, size_t len, struct ct_chr_series **v, size_t *n,
			char *err, size_t errlen);

/* --since: "YYYY-MM-DD HH:MM:SS" (UTC; "T" for the space and no seconds
 * accepted) or a span before now_s (seconds since the epoch): "90s",
 * "30m", "6h", "2d". 0, or -1 with a one-line reason. */
int ct_chr_parse_since(const char *s, int64_t now_s, uint64_t *ns, char *err, size_t errlen);

/* ClickHouse's error answer (status, body) as one line for the user:
 * bad credentials, a missing database, or its own message, first line. */
void ct_chr_error_line(int status, const char *body, size_t len, char *buf, size_t size);
/* Did ClickHouse refuse the credentials? Its HTTP status and the first line
 * of its answer (401/403, codes 192-194 unknown user, wrong or required
 * password, 516 authentication failed). The sink (chsink.c) asks the same. */
bool ct_chr_auth_refused(int status, const char *first_line);

#endif
