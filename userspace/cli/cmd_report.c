// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * coldtrace report: aggregate saved jsonl runs (see report.h).
 *
 *   coldtrace report [--top N] [--format text|json|svg|html] [--minus-held] FILES...
 *   coldtrace report [OPTIONS] --compare A... --vs B...
 *   coldtrace report [OPTIONS] --clickhouse URL [--clickhouse-db NAME] [--where SQL]
 *                    [--since TIME] [--by KEY]
 *
 * Reads each file line by line (a line longer than 1 MiB is an error, and is
 * never held in memory whole); "-" is stdin. Exit 0, 1 for bad input (a file
 * missing, unreadable, not a coldtrace/1 jsonl run), 2 for bad usage.
 * With --clickhouse the same tables come from ClickHouse's "samples" table
 * (chreport.h builds the SQL; ClickHouse computes the stats); 1 also when
 * it cannot be reached, refuses the credentials, has no coldtrace tables or
 * another schema version.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chreport.h"
#include "chrows.h"
#include "httpc.h"
#include "jsonw.h"
#include "options.h"
#include "report.h"
#include "reporthtml.h"
#include "strbuf.h"

static const char report_usage[] =
	"Usage: coldtrace report [--top N] [--format text|json|svg|html] [--minus-held] FILES...\n"
	"       coldtrace report [OPTIONS] --compare A.jsonl... --vs B.jsonl...\n"
	"       coldtrace report [OPTIONS] --clickhouse URL [--clickhouse-db NAME]\n"
	"                        [--where SQL] [--since TIME] [--by KEY]\n"
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
	"      --clickhouse URL the cold starts `watch --clickhouse` sent to ClickHouse\n"
	"                       (http://[user:pass@]host:8123/) instead of files: the\n"
	"                       same tables (text or json), computed by ClickHouse\n"
	"      --clickhouse-db NAME  its database (default coldtrace)\n"
	"      --where SQL      only the cold starts where SQL holds, on the\n"
	"                       coldstarts table's columns (host, kernel, labels...)\n"
	"      --since TIME     only those started since TIME: \"2026-11-30 12:00:00\"\n"
	"                       (UTC) or a span before now: 90s, 30m, 6h, 2d\n"
	"      --by KEY         one report per value of the label KEY (\"host\": the\n"
	"                       host column, the host label or the machine's name),\n"
	"                       each headed \"KEY=VALUE: \" (json: one object a line)\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0, 1 if a file cannot be read or is not a coldtrace/1 jsonl run\n"
	"(or ClickHouse cannot be reached, refuses, or has no coldtrace tables), 2 for\n"
	"bad usage.\n";

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

/* ---- --clickhouse ---- */

/* "--NAME VALUE" or "--NAME=VALUE" at argv[*i] into *val: true if it is that
 * option; *ret 102 if taken, 2 (the error printed) if its value is missing
 * or it was given twice. */
static bool ch_option(int argc, char **argv, int *i, const char *name, const char **val, int *ret)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	char msg[80];

	if (strncmp(a, name, n) || (a[n] && a[n] != '='))
		return false;
	if (*val) {
		snprintf(msg, sizeof(msg), "%s given twice", name);
		*ret = usage_err(msg, NULL);
		return true;
	}
	if (a[n] == '=') {
		*val = a + n + 1;
	} else if (*i + 1 < argc) {
		*val = argv[++*i];
	} else {
		snprintf(msg, sizeof(msg), "%s needs a value", name);
		*ret = usage_err(msg, NULL);
		return true;
	}
	*ret = 102;
	return true;
}

#define CH_TIMEOUT_MS 120000 /* one query; a large fleet's sort takes a while */

struct chctx {
	struct ct_url url;
	char shown[600]; /* the URL without its credentials */
	struct ct_chr_query q;
};

/* One query's answer into body (sb_init'd here). 0, or -1 with the error
 * printed. */
static int ch_ask(struct chctx *c, struct strbuf *sql, struct strbuf *body)
{
	struct ct_http_resp resp;
	char err[512], line[700];

	sb_init(body);
	if (sql->oom) {
		fprintf(stderr, "coldtrace: report: out of memory\n");
		return -1;
	}
	/* the URL's path and query go along: ?user=...&password=... work too */
	if (ct_http_request(&c->url, "POST", c->url.path, "text/plain; charset=utf-8", NULL, sql->buf, sql->len,
			    CH_TIMEOUT_MS, &resp, err, sizeof(err))) {
		fprintf(stderr, "coldtrace: report: cannot reach ClickHouse at %s: %s\n", c->shown, err);
		return -1;
	}
	if (resp.status != 200) {
		ct_chr_error_line(resp.status, resp.body.buf ? resp.body.buf : "", resp.body.len, line, sizeof(line));
		fprintf(stderr, "coldtrace: report: %s: %s\n", c->shown, line);
		sb_free(&resp.body);
		return -1;
	}
	*body = resp.body;
	if (!body->buf)
		sb_puts(body, "");
	return 0;
}

/* The database has coldtrace's tables, of the version this one reads. */
static int ch_check(struct chctx *c)
{
	struct strbuf sql, body;
	bool have[3] = {false, false, false}; /* coldstarts, samples, schema_version */
	size_t pos = 0, nf;
	char **f;
	int rc, ret = -1;
	const char *db = c->q.db;

	sb_init(&sql);
	ct_chr_tables_sql(&sql, &c->q);
	rc = ch_ask(c, &sql, &body);
	sb_free(&sql);
	if (rc)
		return -1;
	while ((rc = ct_chr_tsv_line(body.buf, body.len, &pos, &f, &nf)) > 0) {
		have[0] |= nf == 1 && !strcmp(f[0], "coldstarts");
		have[1] |= nf == 1 && !strcmp(f[0], "samples");
		have[2] |= nf == 1 && !strcmp(f[0], "schema_version");
		ct_chr_fields_free(f, nf);
	}
	sb_free(&body);
	if (!have[0] && !have[1] && !have[2]) {
		fprintf(stderr, "coldtrace: report: no coldtrace tables in database %s at %s: nothing sent there yet?\n",
			db, c->shown);
		return -1;
	}
	if (have[2]) {
		sb_init(&sql);
		ct_chr_version_sql(&sql, &c->q);
		rc = ch_ask(c, &sql, &body);
		sb_free(&sql);
		if (rc)
			return -1;
		pos = 0;
		while ((rc = ct_chr_tsv_line(body.buf, body.len, &pos, &f, &nf)) > 0) {
			bool ok = nf == 1 && !strcmp(f[0], "1");

			_Static_assert(CT_CH_SCHEMA_VERSION == 1, "the version this reads");
			if (!ok)
				fprintf(stderr,
					"coldtrace: report: database %s at %s holds coldtrace schema version %s; this "
					"coldtrace reads version %d\n",
					db, c->shown, nf ? f[0] : "?", CT_CH_SCHEMA_VERSION);
			ct_chr_fields_free(f, nf);
			if (!ok)
				goto out;
		}
	}
	if (!have[0] || !have[1]) {
		fprintf(stderr, "coldtrace: report: database %s at %s has no %s table (sent by an older coldtrace?)\n",
			db, c->shown, have[0] ? "samples" : "coldstarts");
		goto out;
	}
	ret = 0;
out:
	sb_free(&body);
	return ret;
}

/* The report of c->q's cold starts, rendered into out. 0, or -1 printed. */
static int ch_report(struct chctx *c, const struct ct_report_opts *opts, struct strbuf *out)
{
	struct strbuf sql, body;
	struct ct_chr_series *v = NULL;
	struct ct_report *r = ct_report_new();
	size_t nruns, ninc, n = 0;
	char err[256];
	int ret = -1;

	if (!r) {
		fprintf(stderr, "coldtrace: report: out of memory\n");
		return -1;
	}
	ct_report_set_minus_held(r, c->q.minus_held);
	sb_init(&sql);
	ct_chr_runs_sql(&sql, &c->q);
	if (ch_ask(c, &sql, &body))
		goto out;
	if (ct_chr_parse_runs(body.buf, body.len, &nruns, &ninc, err, sizeof(err))) {
		fprintf(stderr, "coldtrace: report: %s: %s\n", c->shown, err);
		goto out;
	}
	sb_free(&body);
	sb_reset(&sql);
	ct_chr_series_sql(&sql, &c->q);
	if (ch_ask(c, &sql, &body))
		goto out;
	if (ct_chr_parse_series(body.buf, body.len, &v, &n, err, sizeof(err))) {
		fprintf(stderr, "coldtrace: report: %s: %s\n", c->shown, err);
		goto out;
	}
	if (ct_report_put_runs(r, nruns, ninc) || ct_chr_put(r, v, n)) {
		fprintf(stderr, "coldtrace: report: out of memory\n");
		goto out;
	}
	ct_report_render(r, out, opts);
	ret = 0;
out:
	sb_free(&body);
	sb_free(&sql);
	ct_chr_series_free(v, n);
	ct_report_free(r);
	return ret;
}

/* One report, or with --by one per value (text: its first line headed
 * "KEY=VALUE: "; json: {"by":KEY,"value":VALUE,"report":{...}} a line). */
static int ch_run(struct chctx *c, const struct ct_report_opts *opts, struct strbuf *out)
{
	struct strbuf sql, body, one;
	size_t pos = 0, nf;
	char **f;
	int rc, ret = -1;

	if (ch_check(c))
		return -1;
	if (!c->q.by_key)
		return ch_report(c, opts, out);
	sb_init(&sql);
	ct_chr_by_values_sql(&sql, &c->q);
	rc = ch_ask(c, &sql, &body);
	sb_free(&sql);
	if (rc)
		return -1;
	sb_init(&one);
	while ((rc = ct_chr_tsv_line(body.buf, body.len, &pos, &f, &nf)) > 0) {
		c->q.by_value = nf ? f[0] : "";
		sb_reset(&one);
		if (ch_report(c, opts, &one)) {
			ct_chr_fields_free(f, nf);
			goto out;
		}
		if (opts->json) {
			while (one.len && one.buf[one.len - 1] == '\n')
				one.len--;
			sb_puts(out, "{\"by\":");
			jw_escape(out, c->q.by_key, strlen(c->q.by_key));
			sb_puts(out, ",\"value\":");
			jw_escape(out, c->q.by_value, strlen(c->q.by_value));
			sb_puts(out, ",\"report\":");
			sb_putn(out, one.buf ? one.buf : "{}", one.buf ? one.len : 2);
			sb_puts(out, "}\n");
		} else {
			sb_printf(out, "%s=%s: ", c->q.by_key, c->q.by_value);
			sb_putn(out, one.buf ? one.buf : "", one.len);
			sb_putc(out, '\n');
		}
		ct_chr_fields_free(f, nf);
	}
	if (rc < 0) {
		fprintf(stderr, "coldtrace: report: out of memory\n");
		goto out;
	}
	c->q.by_value = NULL;
	ret = 0;
out:
	sb_free(&one);
	sb_free(&body);
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
	const char *ch_url = NULL, *ch_db = NULL, *where = NULL, *since = NULL, *by = NULL;
	struct chctx ch = {0};

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
		} else if (ch_option(argc, argv, &i, "--clickhouse", &ch_url, &ret) ||
			   ch_option(argc, argv, &i, "--clickhouse-db", &ch_db, &ret) ||
			   ch_option(argc, argv, &i, "--where", &where, &ret) ||
			   ch_option(argc, argv, &i, "--since", &since, &ret) ||
			   ch_option(argc, argv, &i, "--by", &by, &ret)) {
			if (ret != 2 + 100)
				goto done;
			ret = 2;
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
	if (!ch_url && (ch_db || where || since || by)) {
		ret = usage_err(ch_db ? "--clickhouse-db needs --clickhouse URL"
			       : where ? "--where needs --clickhouse URL"
			       : since ? "--since needs --clickhouse URL"
				       : "--by needs --clickhouse URL",
				NULL);
		goto done;
	}
	if (ch_url) {
		char err[300];

		if (svg || html) {
			ret = usage_err("report --clickhouse gives text or json", NULL);
			goto done;
		}
		if (compare) {
			ret = usage_err("report --clickhouse cannot --compare (it needs the runs' samples)", NULL);
			goto done;
		}
		if (na) {
			ret = usage_err("report --clickhouse reads no files, not", files_a[0]);
			goto done;
		}
		if (ct_url_parse(ch_url, &ch.url, err, sizeof(err))) {
			ret = usage_err(err, NULL); /* it names the URL */
			goto done;
		}
		ct_url_show(&ch.url, ch.shown, sizeof(ch.shown));
		ch.q.db = ch_db ? ch_db : CT_CH_DEFAULT_DB;
		if (!ct_chr_db_ok(ch.q.db)) {
			ret = usage_err("--clickhouse-db takes letters, digits and _, not", ch.q.db);
			goto done;
		}
		if (where && !where[strspn(where, " \t\n")]) {
			ret = usage_err("--where needs an SQL condition", NULL);
			goto done;
		}
		ch.q.where = where;
		if (since) {
			if (ct_chr_parse_since(since, (int64_t)time(NULL), &ch.q.since_ns, err, sizeof(err))) {
				ret = usage_err(err, NULL);
				goto done;
			}
			ch.q.have_since = true;
		}
		if (by && !by[0]) {
			ret = usage_err("--by needs a label's name", NULL);
			goto done;
		}
		ch.q.by_key = by;
		ch.q.minus_held = minus_held;
		ret = 1;
		if (ch_run(&ch, &opts, &out))
			goto done;
		goto write;
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
write:
	ret = 1;
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
