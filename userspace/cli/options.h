/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * options: the settings a command runs with (one struct, as retsnoop's env),
 * the options run and watch share (one table, one parser), and tables of
 * options that give both getopt_long's arrays and the --help list. Every parse error is one line and exit 2.
 */
#ifndef COLDTRACE_OPTIONS_H
#define COLDTRACE_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "render.h"

struct cli_env {
	const struct ct_view *view; /* -f; the first view unless given */
	const char *output;    /* -o; NULL: stdout */
	bool force;            /* run --force */
	bool verbose;
	bool quiet;
	bool stats;            /* run --stats */
	int top;               /* -n */
	size_t ringbuf_bytes;  /* 0: the tracer's default */
	uint32_t capture_bytes;
	int repeat;            /* run --repeat */
	uint64_t max_hold_ns;  /* 0: the tracer's default */
	bool no_cache;
	bool keep_query;
	uint64_t max_memory;   /* bytes a trace's model may keep; 0: its default */
	char **binaries;       /* run --binary PATH|GLOB: armed before CMD starts */
	size_t nbinaries;
	/* the kernel-level breakdown (issue 12) */
	bool no_sched;         /* --no-sched (or --no-breakdown): no scheduler states nor thread counters */
	bool no_files;         /* --no-files (or --no-breakdown): no files opened/read, no page-cache misses */
	bool allocs;           /* --allocs: count package inits' allocations */
	bool no_python;        /* --no-python: no CPython import probes */
	bool cold_cache;       /* run --cold-cache: evict the command's files from the page cache first */
	bool full;             /* --full: the svg's axis spans the whole trace */
	/* fleet sinks (issue 15, fleet.h) */
	const char *clickhouse;    /* --clickhouse URL */
	const char *clickhouse_db; /* --clickhouse-db NAME; NULL: "coldtrace" */
	const char *otlp;          /* --otlp URL */
	const char *spool;         /* --spool DIR; NULL: CT_SPOOL_DEFAULT_DIR */
	uint64_t spool_max;        /* --spool-max SIZE; 0: CT_SPOOL_DEFAULT_MAX */
	char **labels;             /* --label KEY=VALUE, as given */
	size_t nlabels;
};

extern struct cli_env env;

/* One option: its getopt_long entry and its --help text. */
struct cli_option {
	const char *name; /* --NAME */
	int key;          /* -K (a letter), or one of the long-only keys below */
	const char *arg;  /* its argument as --help names it; NULL: none */
	const char *help; /* "\n" starts a line, indented under the first */
};

/* Keys of options that have no one-letter form. */
enum {
	CLI_OPT_FORCE = 256,
	CLI_OPT_REPEAT,
	CLI_OPT_CAPTURE,
	CLI_OPT_RINGBUF,
	CLI_OPT_BINARY,
	CLI_OPT_MAX_HOLD,
	CLI_OPT_NO_CACHE,
	CLI_OPT_KEEP_QUERY,
	CLI_OPT_MAX_MEMORY,
	CLI_OPT_STATS,
	CLI_OPT_NO_SCHED,
	CLI_OPT_NO_FILES,
	CLI_OPT_NO_PYTHON,
	CLI_OPT_NO_BREAKDOWN,
	CLI_OPT_COLD_CACHE,
	CLI_OPT_FULL,
	CLI_OPT_ALLOCS,
	CLI_OPT_CLICKHOUSE,
	CLI_OPT_CLICKHOUSE_DB,
	CLI_OPT_LABEL,
	CLI_OPT_OTLP,
	CLI_OPT_SPOOL,
	CLI_OPT_SPOOL_MAX,
};

/* --top N: the same range and error in run, watch and report. */
#define CLI_TOP_MIN 1
#define CLI_TOP_MAX 1000000

/* Handle one of the options with the same name and meaning in run and
 * watch (-f, -n, --capture-bytes, ..., -q, -v): false if key is not one. */
bool cli_shared_option(int key, const char *arg);

/* getopt_long's arrays for a command's own options (a table ended by a
 * NULL name) followed by the shared ones. */
#define CLI_MAX_OPTIONS 48
struct cli_getopt {
	struct option longopts[CLI_MAX_OPTIONS + 1];
	char shortopts[3 * CLI_MAX_OPTIONS + 2];
};
/* in_order: stop at the first operand ("+"), as run does before CMD. */
void cli_getopt_init(struct cli_getopt *g, const struct cli_option *opts, bool in_order);

/* A command's own options, then the shared ones, as --help shows them;
 * -f lists the views (views.c). */
void cli_print_options(FILE *f, const struct cli_option *opts);
/* run's or watch's --help: about (usage, what it does), its options and the
 * shared ones, examples, what tracing needs. */
void cli_print_help(FILE *f, const char *about, const struct cli_option *opts, const char *examples);

/* --top N into *top; false after a one-line error on stderr. */
bool cli_parse_top(const char *v, int *top);

#endif
