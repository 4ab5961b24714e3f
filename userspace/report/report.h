/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report: aggregation of saved jsonl runs (schema "coldtrace/1") - many cold
 * starts compared.
 *
 * Per run (one file): each "phase" record's duration; per Go image (program =
 * basename of its exec path) exec -> Go runtime start, -> last package init
 * end, -> main.main (from exec + held_ns, as `coldtrace run` prints them);
 * each package's clock_ns. Across runs: per phase, per program figure and per
 * (program, package): count, p50, p90, p99, max. Percentiles are
 * nearest-rank: the ceil(p/100 * n)-th smallest of the n samples (so always
 * one of the samples; p50 of 4 samples is the 2nd smallest).
 *
 * The kernel-level breakdown (issue 12, breakdown.h): each "breakdown"
 * record's figures (CPU time, wall-clock time per scheduler state, faults,
 * switches, files opened, bytes read and missed in the page cache) are
 * samples of its phase ("phase", the key a "phase" record calls "name");
 * the figures of a "go_init" record (cpu_ns, faults, switches) samples of
 * its package. A figure a record lacks (traced without the breakdown, or
 * by an older coldtrace) is no sample: old runs load, their figures absent.
 *
 * Lambda extensions (issue 13): each "extension" record (one per extension
 * of a sandbox) is a start of its name ("name"); its "to_register_ns" (exec
 * -> the agent's reply to its registration) and "to_ready_ns" (exec -> its
 * first event/next), less the time coldtrace held its process after exec
 * (its exec record's held_ns), and "go_init_ns" (Go runtime start ->
 * main.main) are samples of that name; "failed", "gated_init" and
 * "gated_register" count its starts that failed, that INIT waited for last,
 * and that the runtime's start waited for last. A "phase" record with
 * "applies":false (a phase that cannot happen in that run: no extension, a
 * runtime that is not Go) is neither a sample nor unfinished.
 *
 * CPython imports (issue 14): each "py_import" record that ended (has
 * "cum_ns" and "self_ns") is a sample of its (program, "module"): its
 * cumulative and self times, as `python -X importtime` reports them; the
 * modules are listed by p50 of their cumulative time. A module's count is
 * its loads, so the runs that loaded it (once per process).
 *
 * A run counts fully or not at all: its records are staged and merged when
 * the run ends without error. A run whose summary says "complete":false, or
 * that has no summary, is counted and flagged as incomplete, and its samples
 * are used. A phase without an end is counted as incomplete and left out of
 * the stats.
 *
 * Pure: no I/O (cmd_report.c reads the files), no global state.
 */
#ifndef COLDTRACE_REPORT_H
#define COLDTRACE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define CT_REPORT_MAX_LINE (1u << 20) /* a longer line is an error */

struct ct_stats {
	size_t count;
	uint64_t p50, p90, p99, max;
};

/* Nearest-rank percentile of n >= 1 ascending samples: the
 * ceil(pct/100 * n)-th smallest (the smallest for pct 0; pct > 100 is 100).
 * 0 if n is 0. */
uint64_t ct_percentile(const uint64_t *sorted, size_t n, unsigned pct);
/* count, p50, p90, p99, max of v[0..n) (sorted in place). */
void ct_stats_of(uint64_t *v, size_t n, struct ct_stats *out);

struct ct_report;

struct ct_report *ct_report_new(void);
void ct_report_free(struct ct_report *r);
/* Phase durations of the runs added from now on leave out the phase's
 * held_ns (time coldtrace held new binaries stopped to attach probes). */
void ct_report_set_minus_held(struct ct_report *r, bool on);
bool ct_report_minus_held(const struct ct_report *r);

/*
 * One run, line by line: begin, every line (without or with its "\n"), end.
 * On error (0 / -1) err gets a one-line message "NAME:LINE: what" (NAME as
 * given to begin) and the run is dropped: the caller stops feeding it and
 * calls ct_report_abort_run (or begins the next run, which aborts it).
 */
void ct_report_begin_run(struct ct_report *r, const char *name);
int ct_report_line(struct ct_report *r, const char *line, size_t len, char *err, size_t errlen);
int ct_report_end_run(struct ct_report *r, char *err, size_t errlen);
void ct_report_abort_run(struct ct_report *r);
/* A whole run in memory, split at "\n" (a line may not be longer than
 * CT_REPORT_MAX_LINE). */
int ct_report_add_buffer(struct ct_report *r, const char *name, const char *data, size_t len,
			 char *err, size_t errlen);

size_t ct_report_nruns(const struct ct_report *r);
size_t ct_report_nincomplete(const struct ct_report *r);

/* Stats of one phase / one program's startup figure / one package (false if
 * not present). figure: 0 exec -> runtime start, 1 -> last init, 2 -> main. */
bool ct_report_phase_stats(struct ct_report *r, const char *name, struct ct_stats *st,
			   size_t *incomplete);
bool ct_report_startup_stats(struct ct_report *r, const char *prog, int figure, struct ct_stats *st);
bool ct_report_pkg_stats(struct ct_report *r, const char *prog, const char *pkg, struct ct_stats *st);
/* Stats of one CPython module of a program (the basename of its exec
 * path): the cumulative and self times of its loads that ended (either
 * pointer may be NULL; false if no run had it). */
bool ct_report_py_stats(struct ct_report *r, const char *prog, const char *module, struct ct_stats *cum,
			struct ct_stats *self);

/* The breakdown's figures: their jsonl keys, in this order. */
enum ct_report_fig {
	CT_RF_CPU,      /* cpu_ns: on a CPU, the threads' own counters */
	CT_RF_RUNNING,  /* wall_running_ns: wall clock, some thread running */
	CT_RF_RUNNABLE, /* wall_runnable_ns: ... waiting for a CPU */
	CT_RF_IOWAIT,   /* wall_iowait_ns */
	CT_RF_DISK,     /* wall_disk_ns: other uninterruptible sleep */
	CT_RF_SLEEP,    /* wall_sleep_ns */
	CT_RF_STOPPED,  /* wall_stopped_ns */
	CT_RF_MINFLT,   /* min_flt */
	CT_RF_MAJFLT,   /* maj_flt */
	CT_RF_NVCSW,    /* nvcsw */
	CT_RF_NIVCSW,   /* nivcsw */
	CT_RF_FILES,    /* files_opened */
	CT_RF_READ,     /* read_bytes */
	CT_RF_MISS,     /* miss_bytes: brought into the page cache */
	CT_RF_COUNT
};
/* Its jsonl key ("cpu_ns"), NULL past the enum. */
const char *ct_report_fig_key(int fig);
/* Stats of a figure of one phase / one package (false if none). */
bool ct_report_phase_fig_stats(struct ct_report *r, const char *phase, int fig, struct ct_stats *st);
bool ct_report_pkg_fig_stats(struct ct_report *r, const char *prog, const char *pkg, int fig,
			     struct ct_stats *st);

/* An extension's figures. */
enum {
	CT_REPORT_EXT_TO_REGISTER, /* exec -> registered */
	CT_REPORT_EXT_TO_READY,    /* exec -> ready (first event/next) */
	CT_REPORT_EXT_GO_INIT,     /* Go runtime start -> main.main */
	CT_REPORT_EXT_NFIG
};

struct ct_report_ext_counts {
	size_t starts, failed, gated_init, gated_register;
};

/* Stats of one figure of an extension name / its counts (false if no run
 * had it). */
bool ct_report_ext_stats(struct ct_report *r, const char *name, int figure, struct ct_stats *st);
bool ct_report_ext_counts(struct ct_report *r, const char *name, struct ct_report_ext_counts *out);

#define CT_REPORT_TOP_DEFAULT 10 /* packages listed when top is 0 */

struct ct_report_opts {
	int top;   /* packages listed (0: CT_REPORT_TOP_DEFAULT) */
	bool json; /* one JSON object instead of the terminal tables */
};

void ct_report_render(struct ct_report *r, struct strbuf *out, const struct ct_report_opts *o);
/* Before (a) / after (b): per phase, startup figure, extension figure and
 * package, p50 of a, p50 of b, difference (ms and %), sorted by absolute
 * difference (with, per extension, how often it failed or gated INIT on
 * each side); first a one-line summary. Then, where either side has them, the breakdown's
 * figures per phase (in the phases' order) and per package (the top
 * packages by the difference of their CPU time), in their units. */
void ct_report_render_compare(struct ct_report *a, struct ct_report *b, struct strbuf *out,
			      const struct ct_report_opts *o);
/* The text compare's one-line summary ("total p50 12.3 -> 10.1 ms (-18%)"),
 * without a newline. */
void ct_report_compare_headline(struct ct_report *a, struct ct_report *b, struct strbuf *out);

/*
 * The report's rows as data, for the pictures (reportsvg.c): a series is
 * one row of the text report, its samples one per run (per start, per load).
 */
enum ct_report_kind {
	CT_RK_PHASE,   /* name: the phase */
	CT_RK_STARTUP, /* prog: the Go program; fig 0-2 (as ct_report_startup_stats); name: its words */
	CT_RK_EXT,     /* prog: the extension; fig CT_REPORT_EXT_*; name: its words */
	CT_RK_PKG,     /* prog, name: the package */
	CT_RK_PY,      /* prog, name: the module; fig 0 cumulative, 1 self */
	CT_RK_COUNT
};

struct ct_report_series {
	int kind, fig;
	const char *prog, *name; /* the report's strings: valid until it is freed */
};

/* The series of one kind in the text report's order (phases as first seen,
 * programs and extensions by figure, packages by p50 then max, Python
 * modules by p50 of their cumulative time, cum then self); *v is malloc'd
 * (NULL when *n is 0). 0, or -1 out of memory. */
int ct_report_list(struct ct_report *r, int kind, struct ct_report_series **v, size_t *n);
/* The same for --compare, as ct_report_render_compare orders them: the
 * series of a, then those only in b; those on both sides first, by the
 * absolute difference of their p50s. Strings of a or b. */
int ct_report_compare_list(struct ct_report *a, struct ct_report *b, int kind, struct ct_report_series **v,
			   size_t *n);
/* The samples of s in r, ascending (ct_percentile's input): their count,
 * *sorted pointing into r (valid until r changes). 0 if r has none. */
size_t ct_report_samples(struct ct_report *r, const struct ct_report_series *s, const uint64_t **sorted);

/* The report as pictures, one standalone SVG 1.1 (reportsvg.c): per phase,
 * per Go program's startup figure, per extension figure, the top packages
 * (o->top, as the text) and Python imports, each run's value as a dot
 * over a box from p25 to p75 with p50, p90 and p99 marked (nearest-rank:
 * the text report's numbers). */
void ct_report_render_svg(struct ct_report *r, struct strbuf *out, const struct ct_report_opts *o);
/* Before (a) and after (b) side by side in two colours, per row of the text
 * compare (its selection and order: the packages and imports that moved
 * most). */
void ct_report_render_compare_svg(struct ct_report *a, struct ct_report *b, struct strbuf *out,
				  const struct ct_report_opts *o);

/*
 * The report's samples as rows, and stats computed elsewhere (issue 15:
 * `--clickhouse` sends each cold start's samples to ClickHouse's "samples"
 * table; `report --clickhouse` has ClickHouse compute count, quantilesExact
 * and max per series and renders them with this file's tables).
 *
 * A sample's kind: a series' value (PHASE: a phase's duration as the report
 * counts it, without --minus-held; STARTUP/EXT: fig as
 * ct_report_startup_stats/ct_report_ext_stats; PKG: clock; PHASE_FIG and
 * PKG_FIG: breakdown figure fig; PY_CUM/PY_SELF) or a count (value 1:
 * PHASE_INCOMPLETE, PROG_START, EXT_START, EXT_FAILED, EXT_GATED_INIT,
 * EXT_GATED_REGISTER). PHASE_HELD is a phase's held_ns (so --minus-held can
 * be computed elsewhere: dur - held, floored at 0, as this file does).
 */
enum ct_report_sample_kind {
	CT_RS_PHASE,
	CT_RS_PHASE_HELD,
	CT_RS_PHASE_INCOMPLETE,
	CT_RS_PHASE_FIG,
	CT_RS_PROG_START,
	CT_RS_STARTUP,
	CT_RS_EXT_START,
	CT_RS_EXT_FAILED,
	CT_RS_EXT_GATED_INIT,
	CT_RS_EXT_GATED_REGISTER,
	CT_RS_EXT,
	CT_RS_PKG,
	CT_RS_PKG_FIG,
	CT_RS_PY_CUM,
	CT_RS_PY_SELF,
	CT_RS_COUNT
};
/* "phase", "phase_held", ...: the samples table's kind column; NULL past
 * the enum. */
const char *ct_report_sample_kind_name(int kind);
/* kind's number from its name, or -1. */
int ct_report_sample_kind_of(const char *name);

/* prog "" where a kind has none (phases); ord: the series' index in the
 * order the report first saw it (phases, programs, extensions; packages and
 * modules too), so series of several runs can be put back in the report's
 * order (ordered by the first run that has them, then ord). */
typedef int ct_report_sample_fn(void *ctx, int kind, int fig, const char *prog, const char *name, size_t ord,
				uint64_t value);
/* Every sample of the runs added so far (for one run: that run's rows);
 * stops at cb's first non-zero and returns it; 0 when all were given. */
int ct_report_each_sample(struct ct_report *r, ct_report_sample_fn *cb, void *ctx);

/* A report made of stats computed elsewhere: the runs' counts, then one
 * call per series in the report's first-seen order (st->count is the count
 * for the count kinds; PHASE_HELD is not put). Render with
 * ct_report_render (text or json); the pictures and --compare need the
 * samples and refuse such a report. 0, or -1 out of memory. */
int ct_report_put_runs(struct ct_report *r, size_t nruns, size_t nincomplete);
int ct_report_put_stats(struct ct_report *r, int kind, int fig, const char *prog, const char *name,
			const struct ct_stats *st);

/* The CLI: argv[0] is "report". Exit status: 0, 1 bad input, 2 usage. */
int ct_cmd_report(int argc, char **argv);

#endif
