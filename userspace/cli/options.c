// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The options of run and watch: settings, shared options, parsing, --help. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model.h" /* CT_MAX_CAPTURE */
#include "options.h"
#include "strbuf.h"

#define CLI_DEFAULT_TOP 5
#define CLI_DEFAULT_CAPTURE 512
#define CLI_HELP_COLUMN 23 /* where an option's text starts in --help */
#define MIB (1024.0 * 1024)
#define GIB (1024.0 * MIB)

struct cli_env env = {
	.view = &ct_views[0],
	.top = CLI_DEFAULT_TOP,
	.capture_bytes = CLI_DEFAULT_CAPTURE,
	.repeat = 1,
};

/* -f's text is the table of views (cli_print_options). */
static const struct cli_option shared_options[] = {
	{"format", 'f', "FMT", "the output's format:"},
	{"top", 'n', "N", "slowest package inits listed per program (default 5)"},
	{"full", CLI_OPT_FULL, NULL,
	 "svg: the time axis spans the whole trace (default:\n"
	 "the cold starts, what comes before and after folded)"},
	{"capture-bytes", CLI_OPT_CAPTURE, "N",
	 "bytes copied per read/write syscall (default 512,\n"
	 "at most 4096; 0: no HTTP or log-line tracing)"},
	{"ringbuf-size", CLI_OPT_RINGBUF, "B", "ring buffer bytes (power of 2, default 8388608)"},
	{"max-hold", CLI_OPT_MAX_HOLD, "MS",
	 "longest a new binary's exec may be held while its\n"
	 "probes are attached (default 2000); then it runs on\n"
	 "and the trace says its probes came late"},
	{"no-cache", CLI_OPT_NO_CACHE, NULL,
	 "neither read nor write the binary cache\n"
	 "($XDG_CACHE_HOME/coldtrace or ~/.cache/coldtrace)"},
	{"keep-query", CLI_OPT_KEEP_QUERY, NULL,
	 "keep the values of HTTP query strings (secrets are\n"
	 "still redacted)"},
	{"max-memory", CLI_OPT_MAX_MEMORY, "SIZE", "bytes of records kept per trace (default 64M)"},
	{"no-sched", CLI_OPT_NO_SCHED, NULL,
	 "no scheduler states, CPU time, faults nor context\n"
	 "switches (the sched_switch/sched_wakeup hooks are\n"
	 "not attached)"},
	{"no-files", CLI_OPT_NO_FILES, NULL, "no files opened or read, no page-cache misses"},
	{"no-python", CLI_OPT_NO_PYTHON, NULL,
	 "no CPython import probes (Python programs' imports\n"
	 "are not timed)"},
	{"no-breakdown", CLI_OPT_NO_BREAKDOWN, NULL,
	 "both: only the timeline, as before the breakdown"},
	{"allocs", CLI_OPT_ALLOCS, NULL,
	 "count each Go package init's allocations and bytes\n"
	 "as GODEBUG=inittrace=1 does (a uprobe on mallocgc in\n"
	 "each traced Go process until its main.main: every\n"
	 "allocation before then traps, a few us)"},
	{"clickhouse", CLI_OPT_CLICKHOUSE, "URL",
	 "also send each cold start to ClickHouse's HTTP\n"
	 "interface (http://[user:pass@]host:8123/), in batches\n"
	 "through the spool; tables created if missing"},
	{"clickhouse-db", CLI_OPT_CLICKHOUSE_DB, "NAME", "its database (default coldtrace)"},
	{"label", CLI_OPT_LABEL, "KEY=VALUE",
	 "a label on every row sent (repeatable), e.g.\n"
	 "host=web-1 or instance=m7g.large"},
	{"otlp", CLI_OPT_OTLP, "URL",
	 "also POST each sandbox's OTLP/JSON spans to a\n"
	 "collector (http://host:4318; path /v1/traces unless\n"
	 "the URL has one), through the spool"},
	{"spool", CLI_OPT_SPOOL, "DIR",
	 "where batches wait until delivered, and are retried\n"
	 "(default " "/var/spool/coldtrace" "; one coldtrace per DIR)"},
	{"spool-max", CLI_OPT_SPOOL_MAX, "SIZE",
	 "the spool's bound (default 1G); a batch over it is\n"
	 "not kept, and counted and reported"},
	{"quiet", 'q', NULL, "no warnings"},
	{"verbose", 'v', NULL, "libbpf's log"},
	{"help", 'h', NULL, "this help"},
	{NULL, 0, NULL, NULL},
};

static const struct ct_view *parse_format(const char *v)
{
	const struct ct_view *view = ct_view_find(v);
	struct strbuf names;

	if (view)
		return view;
	sb_init(&names);
	for (size_t i = 0; i < ct_nviews; i++)
		sb_printf(&names, "%s%s", i ? ", " : "", ct_views[i].name);
	die(CLI_EXIT_USAGE, "unknown format '%s' (%s)", v, names.buf ? names.buf : "");
}

bool cli_parse_top(const char *v, int *top)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < CLI_TOP_MIN || n > CLI_TOP_MAX) {
		fprintf(stderr, "coldtrace: --top takes a number from %d to %d, not '%s'\n", CLI_TOP_MIN,
			CLI_TOP_MAX, v);
		return false;
	}
	*top = (int)n;
	return true;
}

static size_t parse_ringbuf(const char *v)
{
	char *end;
	unsigned long long n = strtoull(v, &end, 0);

	if (*end || n < 4096 || n > (1ull << 30) || (n & (n - 1)))
		die(CLI_EXIT_USAGE, "--ringbuf-size takes a power of two from 4096 to 1073741824, not '%s'", v);
	return (size_t)n;
}

static uint32_t parse_capture(const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (*end || !*v || n > CT_MAX_CAPTURE)
		die(CLI_EXIT_USAGE, "--capture-bytes takes a number from 0 to %d, not '%s'", CT_MAX_CAPTURE, v);
	return (uint32_t)n;
}

static uint64_t parse_size(const char *opt, const char *v)
{
	char *end;
	double n = strtod(v, &end);
	double mult = 1;

	if (end != v && (*end == 'k' || *end == 'K'))
		mult = 1024, end++;
	else if (end != v && (*end == 'm' || *end == 'M'))
		mult = MIB, end++;
	else if (end != v && (*end == 'g' || *end == 'G'))
		mult = GIB, end++;
	if (*end || end == v || !(n * mult >= MIB && n * mult <= 64 * GIB))
		die(CLI_EXIT_USAGE, "%s takes a size from 1M to 64G (e.g. 64M), not '%s'", opt, v);
	return (uint64_t)(n * mult);
}

static uint64_t parse_max_hold(const char *v)
{
	char *end;
	double ms = strtod(v, &end);

	if (*end || !*v || !(ms >= 1 && ms <= 600000))
		die(CLI_EXIT_USAGE, "--max-hold takes milliseconds from 1 to 600000, not '%s'", v);
	return (uint64_t)(ms * 1e6);
}

bool cli_shared_option(int key, const char *arg)
{
	switch (key) {
	case 'f': env.view = parse_format(arg); break;
	case 'n':
		if (!cli_parse_top(arg, &env.top))
			exit(CLI_EXIT_USAGE);
		break;
	case CLI_OPT_CAPTURE: env.capture_bytes = parse_capture(arg); break;
	case CLI_OPT_RINGBUF: env.ringbuf_bytes = parse_ringbuf(arg); break;
	case CLI_OPT_MAX_HOLD: env.max_hold_ns = parse_max_hold(arg); break;
	case CLI_OPT_NO_CACHE: env.no_cache = true; break;
	case CLI_OPT_KEEP_QUERY: env.keep_query = true; break;
	case CLI_OPT_MAX_MEMORY: env.max_memory = parse_size("--max-memory", arg); break;
	case CLI_OPT_NO_SCHED: env.no_sched = true; break;
	case CLI_OPT_NO_FILES: env.no_files = true; break;
	case CLI_OPT_ALLOCS: env.allocs = true; break;
	case CLI_OPT_NO_PYTHON: env.no_python = true; break;
	case CLI_OPT_NO_BREAKDOWN: env.no_sched = env.no_files = true; break;
	case CLI_OPT_FULL: env.full = true; break;
	case CLI_OPT_CLICKHOUSE: env.clickhouse = arg; break;
	case CLI_OPT_CLICKHOUSE_DB: env.clickhouse_db = arg; break;
	case CLI_OPT_LABEL: {
		const char *eq = strchr(arg, '=');
		char **nl;

		if (!eq || eq == arg || strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
						(size_t)(eq - arg))
			die(CLI_EXIT_USAGE, "--label takes KEY=VALUE, KEY of letters, digits and _, not '%s'", arg);
		nl = realloc(env.labels, (env.nlabels + 1) * sizeof(*nl));
		if (!nl)
			die(1, "out of memory");
		env.labels = nl;
		env.labels[env.nlabels++] = (char *)arg;
		break;
	}
	case CLI_OPT_OTLP: env.otlp = arg; break;
	case CLI_OPT_SPOOL:
		if (!*arg)
			die(CLI_EXIT_USAGE, "--spool needs a directory");
		env.spool = arg;
		break;
	case CLI_OPT_SPOOL_MAX: env.spool_max = parse_size("--spool-max", arg); break;
	case 'q': env.quiet = true; break;
	case 'v': env.verbose = true; break;
	default: return false;
	}
	return true;
}

static void add_options(struct cli_getopt *g, size_t *n, char **s, const struct cli_option *opts)
{
	for (; opts->name; opts++) {
		if (*n == CLI_MAX_OPTIONS)
			abort(); /* a table too long for CLI_MAX_OPTIONS: a bug, found by any run */
		g->longopts[(*n)++] = (struct option){opts->name, opts->arg ? required_argument : no_argument,
						      NULL, opts->key};
		if (opts->key < 256) {
			*(*s)++ = (char)opts->key;
			if (opts->arg)
				*(*s)++ = ':';
		}
	}
}

void cli_getopt_init(struct cli_getopt *g, const struct cli_option *opts, bool in_order)
{
	size_t n = 0;
	char *s = g->shortopts;

	if (in_order)
		*s++ = '+';
	add_options(g, &n, &s, opts);
	add_options(g, &n, &s, shared_options);
	*s = 0;
	g->longopts[n] = (struct option){NULL, 0, NULL, 0};
}

/* "  -n, --top N          text", continuation lines under the text. */
static void print_option(FILE *f, const struct cli_option *o)
{
	char lhs[64];
	const char *h = o->help;
	int w;

	if (o->key < 256)
		w = snprintf(lhs, sizeof(lhs), "  -%c, --%s%s%s", o->key, o->name, o->arg ? " " : "",
			     o->arg ? o->arg : "");
	else
		w = snprintf(lhs, sizeof(lhs), "      --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
	fprintf(f, "%s%*s", lhs, w < CLI_HELP_COLUMN ? CLI_HELP_COLUMN - w : 2, "");
	for (;;) {
		const char *nl = strchr(h, '\n');

		fprintf(f, "%.*s\n", nl ? (int)(nl - h) : (int)strlen(h), h);
		if (!nl)
			break;
		h = nl + 1;
		fprintf(f, "%*s", CLI_HELP_COLUMN, "");
	}
	if (o->key == 'f')
		for (size_t i = 0; i < ct_nviews; i++)
			fprintf(f, "%*s%-15s%s%s\n", CLI_HELP_COLUMN - 15, "", ct_views[i].name, ct_views[i].about,
				i ? "" : " (default)");
}

void cli_print_options(FILE *f, const struct cli_option *opts)
{
	for (; opts->name; opts++)
		print_option(f, opts);
	for (opts = shared_options; opts->name; opts++)
		print_option(f, opts);
}

void cli_print_help(FILE *f, const char *about, const struct cli_option *opts, const char *examples)
{
	fprintf(f, "%s\nOptions:\n", about);
	cli_print_options(f, opts);
	fprintf(f, "\n%s\nNeeds root (or CAP_BPF + CAP_PERFMON) and a kernel with BTF.\n", examples);
}
