// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * coldtrace report: aggregate saved jsonl runs (see report.h).
 *
 *   coldtrace report [--top N] [--format text|json|svg|html] [--minus-held] FILES...
 *   coldtrace report [OPTIONS] --compare A... --vs B...
 *
 * Reads each file line by line (a line longer than 1 MiB is an error, and is
 * never held in memory whole); "-" is stdin. Exit 0, 1 for bad input (a file
 * missing, unreadable, not a coldtrace/1 jsonl run), 2 for bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"
#include "report.h"
#include "reporthtml.h"
#include "strbuf.h"

static const char report_usage[] =
	"Usage: coldtrace report [--top N] [--format text|json|svg|html] [--minus-held] FILES...\n"
	"       coldtrace report [OPTIONS] --compare A.jsonl... --vs B.jsonl...\n"
	"\n"
	"Aggregate runs saved with `coldtrace run -f jsonl -o FILE`: per phase, per Go\n"
	"program (exec -> Go runtime start, -> last package init, -> main.main) and\n"
	"per package init: count, p50, p90, p99, max over all the runs (nearest-rank\n"
	"percentiles). Runs whose summary says incomplete are counted and flagged.\n"
	"Runs traced with the kernel-level breakdown add, per phase, its CPU time,\n"
	"wall-clock time per scheduler state, faults, context switches, files opened\n"
	"and MB read or brought into the page cache; per package init, its CPU time,\n"
	"faults and switches (older runs have none of these; they still load).\n"
	"Runs with Lambda extensions add, per extension name, exec -> registered,\n"
	"exec -> ready and its Go init, and how many of its starts failed or were\n"
	"the one INIT waited for last.\n"
	"\n"
	"  -n, --top N          packages listed (default 10; json: all unless given)\n"
	"  -f, --format FMT     text (default), json (one JSON object), svg (a\n"
	"                       picture: per row every run's value, p50/p90/p99;\n"
	"                       with --compare A and B side by side) or html (one\n"
	"                       self-contained page: the picture and sortable tables)\n"
	"      --minus-held     phase durations without the time coldtrace held new\n"
	"                       binaries stopped to attach probes (their held_ns)\n"
	"      --compare A...   before: the runs up to --vs\n"
	"      --vs B...        after: p50 of A and of B per phase, startup figure,\n"
	"                       extension figure and package, sorted by the absolute\n"
	"                       difference; then the breakdown's figures per phase\n"
	"                       and per package\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0, 1 if a file cannot be read or is not a coldtrace/1 jsonl run,\n"
	"2 for bad usage.\n";

static int usage_err(const char *msg, const char *arg)
{
	if (arg)
		fprintf(stderr, "coldtrace: report: %s '%s'\nTry 'coldtrace report --help'.\n", msg, arg);
	else
		fprintf(stderr, "coldtrace: report: %s\nTry 'coldtrace report --help'.\n", msg);
	return 2;
}

/*
 * Feed one file to r, line by line. A line is assembled in line (at most
 * CT_REPORT_MAX_LINE + 1 bytes: one more says "too long" without keeping the
 * rest). 0, or -1 with the message printed.
 */
static int read_run(struct ct_report *r, const char *path)
{
	static const size_t chunk = 1 << 16;
	char err[1024];
	FILE *f;
	char *buf = NULL;
	struct strbuf line;
	bool too_long = false;
	int ret = -1;

	sb_init(&line);
	if (!strcmp(path, "-")) {
		f = stdin;
	} else {
		struct stat st;
		int fd;

		/* Only regular files: a device (/dev/zero) would be read for
		 * ever, a FIFO would block the open. O_NONBLOCK means nothing
		 * to the read of a regular file. */
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "coldtrace: report: %s: %s\n", path, strerror(errno));
			return -1;
		}
		if (fstat(fd, &st)) {
			fprintf(stderr, "coldtrace: report: %s: %s\n", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			fprintf(stderr, "coldtrace: report: %s: %s\n", path,
				S_ISDIR(st.st_mode) ? "is a directory" :
				"not a regular file (a saved run is a file; - reads stdin)");
			close(fd);
			return -1;
		}
		f = fdopen(fd, "r");
		if (!f) {
			fprintf(stderr, "coldtrace: report: %s: %s\n", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	buf = malloc(chunk);
	if (!buf) {
		fprintf(stderr, "coldtrace: report: out of memory\n");
		goto out;
	}
	ct_report_begin_run(r, path);
	for (;;) {
		size_t n = fread(buf, 1, chunk, f), off = 0;

		if (n == 0) {
			if (ferror(f)) {
				fprintf(stderr, "coldtrace: report: %s: read error: %s\n", path, strerror(errno));
				goto out;
			}
			break;
		}
		while (off < n) {
			char *nl = memchr(buf + off, '\n', n - off);
			size_t k = nl ? (size_t)(nl - (buf + off)) : n - off;

			if (!too_long) {
				size_t room = CT_REPORT_MAX_LINE + 1 - line.len;

				sb_putn(&line, buf + off, k < room ? k : room);
				if (line.oom) {
					fprintf(stderr, "coldtrace: report: out of memory\n");
					goto out;
				}
				too_long = line.len > CT_REPORT_MAX_LINE;
			}
			off += k;
			if (!nl)
				break;
			off++;
			/* too long: the reader passes the limit through, and
			 * ct_report_line says so with the line number */
			if (ct_report_line(r, line.buf ? line.buf : "", line.len, err, sizeof(err))) {
				fprintf(stderr, "coldtrace: report: %s\n", err);
				goto out;
			}
			sb_reset(&line);
			too_long = false;
		}
	}
	if (line.len && ct_report_line(r, line.buf, line.len, err, sizeof(err))) {
		fprintf(stderr, "coldtrace: report: %s\n", err);
		goto out;
	}
	if (ct_report_end_run(r, err, sizeof(err))) {
		fprintf(stderr, "coldtrace: report: %s\n", err);
		goto out;
	}
	ret = 0;
out:
	if (ret)
		ct_report_abort_run(r);
	free(buf);
	sb_free(&line);
	if (f && f != stdin)
		fclose(f);
	return ret;
}

int ct_cmd_report(int argc, char **argv)
{
	struct ct_report_opts opts = {.top = 0};
	const char **files_a = calloc(argc > 0 ? (size_t)argc : 1, sizeof(char *));
	const char **files_b = calloc(argc > 0 ? (size_t)argc : 1, sizeof(char *));
	size_t na = 0, nb = 0;
	bool compare = false, vs = false, opts_done = false, minus_held = false, svg = false, html = false;
	struct ct_report *ra = NULL, *rb = NULL;
	struct strbuf out;
	int ret = 2, werr;

	sb_init(&out);
	if (!files_a || !files_b) {
		fprintf(stderr, "coldtrace: report: out of memory\n");
		ret = 1;
		goto done;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;

		if (opts_done || a[0] != '-' || !strcmp(a, "-")) {
			if (vs)
				files_b[nb++] = a;
			else
				files_a[na++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			opts_done = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(report_usage, stdout);
			ret = 0;
			goto done;
		} else if (!strcmp(a, "--minus-held")) {
			minus_held = true;
		} else if (!strcmp(a, "--compare")) {
			if (compare || na) {
				ret = usage_err(compare ? "--compare given twice" : "--compare must come before the files", NULL);
				goto done;
			}
			compare = true;
		} else if (!strcmp(a, "--vs")) {
			if (!compare || vs) {
				ret = usage_err(vs ? "--vs given twice" : "--vs without --compare", NULL);
				goto done;
			}
			vs = true;
		} else if (!strcmp(a, "--top") || !strcmp(a, "-n") || !strncmp(a, "--top=", 6)) {
			val = a[2] == 't' && a[5] == '=' ? a + 6 : i + 1 < argc ? argv[++i] : NULL;
			if (!val) {
				ret = usage_err("--top needs a number", NULL);
				goto done;
			}
			if (!cli_parse_top(val, &opts.top)) {
				ret = 2; /* the one-line error is run's, word for word */
				goto done;
			}
		} else if (!strcmp(a, "--format") || !strcmp(a, "-f") || !strncmp(a, "--format=", 9)) {
			val = a[1] == '-' && a[8] == '=' ? a + 9 : i + 1 < argc ? argv[++i] : NULL;
			if (!val) {
				ret = usage_err("--format needs text, json, svg or html", NULL);
				goto done;
			}
			opts.json = !strcmp(val, "json");
			svg = !strcmp(val, "svg");
			html = !strcmp(val, "html");
			if (!opts.json && !svg && !html && strcmp(val, "text")) {
				ret = usage_err("--format is text, json, svg or html, not", val);
				goto done;
			}
		} else {
			ret = usage_err("unknown option", a);
			goto done;
		}
	}
	if (compare && !vs) {
		ret = usage_err("--compare A... needs --vs B...", NULL);
		goto done;
	}
	if (compare && (!na || !nb)) {
		ret = usage_err(na ? "no files after --vs" : "no files after --compare", NULL);
		goto done;
	}
	if (!na) {
		ret = usage_err("no files given", NULL);
		goto done;
	}

	ret = 1;
	ra = ct_report_new();
	rb = compare ? ct_report_new() : NULL;
	if (!ra || (compare && !rb)) {
		fprintf(stderr, "coldtrace: report: out of memory\n");
		goto done;
	}
	ct_report_set_minus_held(ra, minus_held);
	if (rb)
		ct_report_set_minus_held(rb, minus_held);
	for (size_t i = 0; i < na; i++)
		if (read_run(ra, files_a[i]))
			goto done;
	for (size_t i = 0; i < nb; i++)
		if (read_run(rb, files_b[i]))
			goto done;
	if (compare && html)
		ct_report_render_compare_html(ra, rb, &out, &opts);
	else if (html)
		ct_report_render_html(ra, &out, &opts);
	else if (compare && svg)
		ct_report_render_compare_svg(ra, rb, &out, &opts);
	else if (compare)
		ct_report_render_compare(ra, rb, &out, &opts);
	else if (svg)
		ct_report_render_svg(ra, &out, &opts);
	else
		ct_report_render(ra, &out, &opts);
	if (out.oom) {
		fprintf(stderr, "coldtrace: report: out of memory\n");
		goto done;
	}
	if ((werr = sb_write_fd(&out, STDOUT_FILENO))) {
		fprintf(stderr, "coldtrace: report: writing the output: %s\n", strerror(-werr));
		goto done;
	}
	ret = 0;
done:
	ct_report_free(ra);
	ct_report_free(rb);
	sb_free(&out);
	free(files_a);
	free(files_b);
	return ret;
}
