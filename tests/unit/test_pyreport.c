// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report: CPython imports (issue 14). Hand-written runs with "py_import"
 * records: per (program, module) the cumulative and self percentiles over
 * the runs that loaded it, the text and JSON tables (top N by p50 of the
 * cumulative time), --compare, and the errors of malformed records (from
 * the library and from the CLI: one line, exit status 1).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct_test.h"
#include "jsonread.h"
#include "report.h"
#include "strbuf.h"

#define MS_NS 1000000ull

/*
 * Run k: pid 20 execs /usr/bin/python3.11 and loads app (cum k*10 ms, self
 * k*4 ms) > email.message (k*3 ms, k*2 ms), app > json (1 ms, 1 ms), then
 * stuck (never ends: no sample); run 1 also loads rare (7 ms, 7 ms).
 */
static void make_run(struct strbuf *sb, unsigned k)
{
	static const char *const imp =
		"{\"type\":\"py_import\",\"pid\":20,\"tid\":20,\"seq\":%u,\"module\":\"%s\",\"level\":%u,%s"
		"\"start_ns\":%llu,\"end_ns\":%llu,\"cum_ns\":%llu,\"self_ns\":%llu,\"end_seq\":%u}\n";
	unsigned long long t = 1000 * MS_NS, K = k;

	sb_reset(sb);
	sb_puts(sb, "{\"type\":\"header\",\"schema\":\"coldtrace/1\",\"version\":\"0.1.0\",\"clock\":\"monotonic\",\"realtime_offset_ns\":5,\"command\":\"d\",\"root_pid\":20}\n");
	sb_printf(sb, "{\"type\":\"process\",\"pid\":20,\"ppid\":1,\"nspid\":20,\"root\":true,\"start_ns\":%llu}\n", t - 100);
	sb_printf(sb, "{\"type\":\"exec\",\"pid\":20,\"ts_ns\":%llu,\"path\":\"/usr/bin/python3.11\",\"comm\":\"python3.11\",\"argv\":[\"python3\"],\"py_version\":\"3.11.2\"}\n", t);
	sb_printf(sb, imp, 0, "app", 0, "", t + MS_NS, t + MS_NS + K * 10 * MS_NS, K * 10 * MS_NS, K * 4 * MS_NS, 3);
	sb_printf(sb, imp, 1, "email.message", 1, "\"parent\":0,", t + 2 * MS_NS, t + 2 * MS_NS + K * 3 * MS_NS,
		  K * 3 * MS_NS, K * 2 * MS_NS, 1);
	sb_printf(sb, imp, 2, "json", 1, "\"parent\":0,", t + 9 * MS_NS, t + 10 * MS_NS, MS_NS, MS_NS, 2);
	sb_printf(sb, "{\"type\":\"py_import\",\"pid\":20,\"tid\":20,\"seq\":3,\"module\":\"stuck\",\"level\":0,\"start_ns\":%llu}\n",
		  t + 50 * MS_NS);
	if (k == 1)
		sb_printf(sb, imp, 4, "rare", 0, "", t + 60 * MS_NS, t + 67 * MS_NS, 7 * MS_NS, 7 * MS_NS, 4);
	sb_puts(sb, "{\"type\":\"summary\",\"lost\":{\"exec\":0},\"lost_total\":0,\"bad_events\":0,\"complete\":true}\n");
}

/* Runs k = from..to into a new report. */
static struct ct_report *runs(unsigned from, unsigned to)
{
	struct ct_report *r = ct_report_new();
	struct strbuf sb;
	char err[256], name[32];

	sb_init(&sb);
	for (unsigned k = from; k <= to; k++) {
		make_run(&sb, k);
		snprintf(name, sizeof(name), "run%u.jsonl", k);
		err[0] = 0;
		if (ct_report_add_buffer(r, name, sb.buf, sb.len, err, sizeof(err)))
			CT__FAIL("run %u: %s", k, err);
	}
	sb_free(&sb);
	return r;
}

static bool has(const struct strbuf *sb, const char *needle)
{
	bool ok = sb->buf && strstr(sb->buf, needle);

	if (!ok)
		printf("  not found: \"%s\"\n", needle);
	return ok;
}

CT_TEST(per_module_stats)
{
	struct ct_report *r = runs(1, 3);
	struct ct_stats cum, self;

	CT_EQ_INT(ct_report_nruns(r), 3);
	CT_TRUE(ct_report_py_stats(r, "python3.11", "app", &cum, &self));
	CT_EQ_INT(cum.count, 3);
	CT_EQ_U64(cum.p50, 20 * MS_NS); /* 10, 20, 30: the 2nd */
	CT_EQ_U64(cum.p90, 30 * MS_NS);
	CT_EQ_U64(cum.p99, 30 * MS_NS);
	CT_EQ_U64(cum.max, 30 * MS_NS);
	CT_EQ_INT(self.count, 3);
	CT_EQ_U64(self.p50, 8 * MS_NS);
	CT_EQ_U64(self.max, 12 * MS_NS);
	CT_TRUE(ct_report_py_stats(r, "python3.11", "email.message", &cum, &self));
	CT_EQ_U64(cum.p50, 6 * MS_NS);
	CT_EQ_U64(self.p50, 4 * MS_NS);
	CT_TRUE(ct_report_py_stats(r, "python3.11", "json", &cum, NULL));
	CT_EQ_INT(cum.count, 3);
	CT_EQ_U64(cum.p50, MS_NS);
	/* counted over the runs that loaded it */
	CT_TRUE(ct_report_py_stats(r, "python3.11", "rare", &cum, &self));
	CT_EQ_INT(cum.count, 1);
	CT_EQ_U64(cum.p50, 7 * MS_NS);
	/* never ended: no sample, no module */
	CT_TRUE(!ct_report_py_stats(r, "python3.11", "stuck", &cum, &self));
	CT_TRUE(!ct_report_py_stats(r, "python3", "app", &cum, &self));
	ct_report_free(r);
}

CT_TEST(text_and_json)
{
	struct ct_report *r = runs(1, 3);
	struct ct_report_opts o = {.top = 3};
	struct strbuf sb;
	struct jr_obj jo;
	const char *a, *b, *c;
	uint64_t v;

	sb_init(&sb);
	ct_report_render(r, &sb, &o);
	if (getenv("CT_SHOW"))
		printf("--- report:\n%s---\n", sb.buf);
	CT_TRUE(has(&sb, "slowest Python imports by p50 cumulative (3 of 4 modules)\n"));
	CT_TRUE(has(&sb, "\n  python3.11  app           cum       3    20.000    30.000    30.000    30.000\n"
			 "                            self      3     8.000    12.000    12.000    12.000\n"));
	/* by p50 of cum: app 20, rare 7, email.message 6; json (1) beyond --top 3 */
	a = strstr(sb.buf, "  python3.11  app ");
	b = strstr(sb.buf, "  python3.11  rare ");
	c = strstr(sb.buf, "  python3.11  email.message ");
	CT_TRUE(a && b && c && a < b && b < c);
	CT_TRUE(!strstr(sb.buf, "  python3.11  json "));

	sb_reset(&sb);
	o.json = true;
	ct_report_render(r, &sb, &o);
	jr_init(&jo);
	CT_EQ_INT(jr_parse(&jo, sb.buf, sb.len, NULL), 0);
	CT_TRUE(!jr_get_u64(&jo, "py_imports_total", &v) && v == 4);
	CT_TRUE(jr_get(&jo, "py_imports") && jr_get(&jo, "py_imports")->type == JR_ARRAY);
	CT_TRUE(has(&sb, "{\"program\":\"python3.11\",\"module\":\"app\",\"cum\":{\"count\":3,\"p50_ns\":20000000,"
			 "\"p90_ns\":30000000,\"p99_ns\":30000000,\"max_ns\":30000000},\"self\":{\"count\":3,"
			 "\"p50_ns\":8000000,"));
	jr_free(&jo);
	sb_free(&sb);
	ct_report_free(r);
}

CT_TEST(compare)
{
	struct ct_report *a = runs(1, 3), *b = runs(4, 4);
	struct ct_report_opts o = {0};
	struct strbuf sb;
	struct jr_obj jo;

	sb_init(&sb);
	ct_report_render_compare(a, b, &sb, &o);
	if (getenv("CT_SHOW"))
		printf("--- compare:\n%s---\n", sb.buf);
	CT_TRUE(has(&sb, "\nPython import (8 of 8, by |diff|)"));
	/* app: p50 20 -> 40 ms; self 8 -> 16 */
	CT_TRUE(has(&sb, "\n  python3.11 app cum                20.000     40.000    +20.000  +100.0%  3/1\n"));
	CT_TRUE(has(&sb, "\n  python3.11 app self                8.000     16.000     +8.000  +100.0%  3/1\n"));
	CT_TRUE(has(&sb, "\n  python3.11 rare cum                7.000          -          -   only A  1/0\n"));
	sb_reset(&sb);
	o.json = true;
	ct_report_render_compare(a, b, &sb, &o);
	jr_init(&jo);
	CT_EQ_INT(jr_parse(&jo, sb.buf, sb.len, NULL), 0);
	CT_TRUE(has(&sb, "\"py_imports_total\":8,\"py_imports\":[{\"program\":\"python3.11\",\"module\":\"app\","
			 "\"figure\":\"cum\",\"a_count\":3,\"b_count\":1,\"a_p50_ns\":20000000,\"b_p50_ns\":40000000,"
			 "\"diff_ns\":20000000,\"diff_pct\":100.0}"));
	jr_free(&jo);
	sb_free(&sb);
	ct_report_free(a);
	ct_report_free(b);
}

#define HDR "{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n"

CT_TEST(malformed)
{
	static const struct {
		const char *data, *msg;
	} cases[] = {
		{HDR "{\"type\":\"py_import\",\"pid\":1,\"seq\":0,\"level\":0}\n",
		 "x.jsonl:2: py_import record: \"module\" missing or not a string"},
		{HDR "{\"type\":\"py_import\",\"pid\":1,\"seq\":0,\"level\":0,\"module\":7}\n",
		 "x.jsonl:2: py_import record: \"module\" missing or not a string"},
		{HDR "{\"type\":\"py_import\",\"pid\":1,\"seq\":0,\"level\":0,\"module\":\"\"}\n",
		 "x.jsonl:2: py_import record: \"module\" empty or with a NUL"},
		{HDR "{\"type\":\"py_import\",\"seq\":0,\"level\":0,\"module\":\"a\"}\n",
		 "x.jsonl:2: py_import record: \"pid\" missing or not a non-negative integer"},
		{HDR "{\"type\":\"py_import\",\"pid\":1,\"level\":0,\"module\":\"a\"}\n",
		 "x.jsonl:2: py_import record: \"seq\" missing or not a non-negative integer"},
		{HDR "{\"type\":\"py_import\",\"pid\":1,\"seq\":0,\"level\":0,\"module\":\"a\",\"parent\":-1}\n",
		 "x.jsonl:2: py_import record: \"parent\" missing or not a non-negative integer"},
		{HDR "{\"type\":\"py_import\",\"pid\":1,\"seq\":0,\"level\":0,\"module\":\"a\",\"cum_ns\":1.5,\"self_ns\":1}\n",
		 "x.jsonl:2: py_import record: \"cum_ns\" missing or not a non-negative integer"},
		{HDR "{\"type\":\"py_import\",\"pid\":1,\"seq\":0,\"level\":0,\"module\":\"a\",\"cum_ns\":5}\n",
		 "x.jsonl:2: py_import record: \"self_ns\" missing or not a non-negative integer"},
		{HDR "{\"type\":\"py_import\",\"pid\":1,\"seq\":0,\"level\":0,\"module\":\"a\",\"cum_ns\":5,\"self_ns\":6}\n",
		 "x.jsonl:2: py_import record: \"self_ns\" larger than \"cum_ns\""},
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ct_report *r = ct_report_new();

		err[0] = 0;
		CT_EQ_INT(ct_report_add_buffer(r, "x.jsonl", cases[i].data, strlen(cases[i].data), err, sizeof(err)),
			  -1);
		if (strcmp(err, cases[i].msg))
			CT__FAIL("case %zu: \"%s\", expected \"%s\"", i, err, cases[i].msg);
		CT_EQ_INT(ct_report_nruns(r), 0);
		ct_report_free(r);
	}
}

/* The CLI on a file with a malformed record: the message on stderr, exit 1. */
CT_TEST(cli_error)
{
	char dir[] = "/tmp/ct-pyreport-XXXXXX", path[300], epath[300], ebuf[512];
	static const char bad[] = HDR "{\"type\":\"py_import\",\"pid\":1,\"seq\":0,\"level\":0,\"module\":null}\n";
	char *argv[] = {"report", path, NULL};
	int fd, e_fd, saved, rc;
	ssize_t n;

	if (!mkdtemp(dir)) {
		CT__FAIL("mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/bad.jsonl", dir);
	snprintf(epath, sizeof(epath), "%s/err", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CT_TRUE(fd >= 0 && write(fd, bad, sizeof(bad) - 1) == (ssize_t)(sizeof(bad) - 1));
	close(fd);
	e_fd = open(epath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	saved = dup(2);
	dup2(e_fd, 2);
	rc = ct_cmd_report(2, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(e_fd, 0, SEEK_SET);
	n = read(e_fd, ebuf, sizeof(ebuf) - 1);
	ebuf[n > 0 ? n : 0] = 0;
	close(e_fd);
	CT_EQ_INT(rc, 1);
	CT_TRUE(strstr(ebuf, "bad.jsonl:2: py_import record: \"module\" missing or not a string\n") != NULL);
	if (rc != 1 || !strstr(ebuf, "py_import record"))
		printf("  stderr: %s\n", ebuf);
	unlink(path);
	unlink(epath);
	rmdir(dir);
}

int main(void)
{
	CT_RUN(per_module_stats);
	CT_RUN(text_and_json);
	CT_RUN(compare);
	CT_RUN(malformed);
	CT_RUN(cli_error);
	return ct_summary();
}
