// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * CPython imports (issue 14) in the text and jsonl views: a model built
 * from import records (nested loads on two threads, one load that never
 * ended), the text view's section (its order by cumulative time, self and
 * cumulative ms, the enclosing loads, the unfinished load, the note of an
 * interpreter coldtrace does not know) and timeline line, and every field
 * of the jsonl "py_import" records, read back with jsonread.
 */
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "jsonread.h"
#include "model_build.h"
#include "render.h"
#include "strbuf.h"

#define US(us) ((uint64_t)(us) * 1000ull) /* exact: no floating point */

static struct ct_model_ops ops;

/*
 * pid 300, /usr/bin/python3.11 (CPython 3.11.2), exec at 1 ms; times in us.
 * Thread 300:                             thread 301:
 *   2000 app                 (seq 0)
 *   2500   email.message     (seq 1)
 *   3000     email.charset   (seq 2)
 *   4000     end charset
 *                                          5000 worker (seq 3)
 *                                          5500 end worker
 *   6000   end email.message
 *   6500   json              (seq 4)
 *   7000   end json
 *                                          7500 stuck (seq 5, never ends)
 *  10000 end app
 *  10500 a (seq 6) > a.b (7) > a.b.c (8) > a.b.c.d (9), starting
 *        every 100 us, ending 10900, 11000, 11100, 11200
 * cum / self (ms): app 8.0 / 4.0, email.message 3.5 / 2.5, charset 1.0 /
 * 1.0, worker 0.5 / 0.5, json 0.5 / 0.5, a 0.7 / 0.2, a.b 0.5 / 0.2, a.b.c
 * 0.3 / 0.2, a.b.c.d 0.1 / 0.1. pid 400: CPython 3.14, not supported.
 */
static void build(struct ct_model *m)
{
	ct_model_init(m, &ops);
	ct_model_add_root(m, 300, US(500));
	mb_exec(m, 300, 1, US(1000), "/usr/bin/python3.11");
	ct_model_set_python(m, 300, 1, "3.11.2", NULL);
	mb_py_start(m, 300, 300, US(2000), "app");
	mb_py_start(m, 300, 300, US(2500), "email.message");
	mb_py_start(m, 300, 300, US(3000), "email.charset");
	mb_py_end(m, 300, 300, US(4000));
	mb_py_start(m, 300, 301, US(5000), "worker");
	mb_py_end(m, 300, 301, US(5500));
	mb_py_end(m, 300, 300, US(6000));
	mb_py_start(m, 300, 300, US(6500), "json");
	mb_py_end(m, 300, 300, US(7000));
	mb_py_start(m, 300, 301, US(7500), "stuck");
	mb_py_end(m, 300, 300, US(10000));
	mb_py_start(m, 300, 300, US(10500), "a");
	mb_py_start(m, 300, 300, US(10600), "a.b");
	mb_py_start(m, 300, 300, US(10700), "a.b.c");
	mb_py_start(m, 300, 300, US(10800), "a.b.c.d");
	mb_py_end(m, 300, 300, US(10900));
	mb_py_end(m, 300, 300, US(11000));
	mb_py_end(m, 300, 300, US(11100));
	mb_py_end(m, 300, 300, US(11200));
	mb_fork(m, 300, 400, US(11500));
	mb_exec(m, 400, 300, US(11600), "/usr/bin/python3.14");
	ct_model_set_python(m, 400, 2, "3.14.0",
			    "not supported: CPython 3.14 (coldtrace knows 3.7 to 3.13): imports not traced");
	mb_exit(m, 400, US(11800), 0);
	mb_exit(m, 300, US(12000), 0);
	ct_model_finish(m);
}

static bool has(const struct strbuf *sb, const char *needle)
{
	bool ok = sb->buf && strstr(sb->buf, needle);

	if (!ok)
		printf("  not found: \"%s\"\n", needle);
	return ok;
}

/* Where needle starts in sb (SIZE_MAX: absent). */
static size_t at(const struct strbuf *sb, const char *needle)
{
	const char *p = sb->buf ? strstr(sb->buf, needle) : NULL;

	if (!p)
		printf("  not found: \"%s\"\n", needle);
	return p ? (size_t)(p - sb->buf) : SIZE_MAX;
}

static void text_of(struct ct_model *m, int top, struct strbuf *sb)
{
	struct ct_render_opts o = {.command = "python3", .top = top};

	sb_init(sb);
	ct_render_text(m, sb, &o);
	if (getenv("CT_SHOW"))
		printf("--- text:\n%s---\n", sb->buf);
}

CT_TEST(text_section)
{
	struct ct_model m;
	struct strbuf sb;
	size_t p[10];

	build(&m);
	text_of(&m, 20, &sb);
	CT_TRUE(has(&sb, "; 2 processes, 0 Go programs with package inits, 1 CPython program with imports\n"));
	CT_TRUE(has(&sb, "\npid 300  /usr/bin/python3.11  CPython 3.11.2  (exit 0)\n"));
	/* top-level loads: app 8.0 + worker 0.5 + a 0.7 (stuck never ended) */
	CT_TRUE(has(&sb, "    imports: 10 modules loaded, 9.200 ms in top-level loads (cumulative)\n"));
	CT_TRUE(has(&sb, "    exec -> imports done           10.200 ms\n"));
	CT_TRUE(has(&sb, "    module load that never ended: stuck (started 6.500 ms after exec)\n"));
	/* by cumulative time; ties (0.5 ms) in start order; the unfinished last */
	p[0] = at(&sb, "\n        8.000 ms    4.000 ms  app\n");
	p[1] = at(&sb, "\n        3.500 ms    2.500 ms  app > email.message\n");
	p[2] = at(&sb, "\n        1.000 ms    1.000 ms  app > email.message > email.charset\n");
	p[3] = at(&sb, "\n        0.700 ms    0.200 ms  a\n");
	p[4] = at(&sb, "\n        0.500 ms    0.500 ms  worker  (thread 301)\n");
	p[5] = at(&sb, "\n        0.500 ms    0.500 ms  app > json\n");
	p[6] = at(&sb, "\n        0.500 ms    0.200 ms  a > a.b\n");
	p[7] = at(&sb, "\n        0.300 ms    0.200 ms  a > a.b > a.b.c\n");
	/* three enclosing loads: the outermost, "...", the direct parent */
	p[8] = at(&sb, "\n        0.100 ms    0.100 ms  a > ... > a.b.c > a.b.c.d\n");
	p[9] = at(&sb, "\n               -           -  stuck  (thread 301) (did not end)\n");
	for (int i = 0; i < 10; i++)
		CT_TRUE(p[i] != SIZE_MAX && (i == 0 || p[i] > p[i - 1]));
	CT_TRUE(has(&sb, "\npid 400  /usr/bin/python3.14  CPython 3.14.0  (exit 0)\n"
			 "    note: not supported: CPython 3.14 (coldtrace knows 3.7 to 3.13): imports not traced\n"
			 "\n"));
	/* the timeline: imports done at the end of a, 11.2 ms (1.0: the first event) */
	CT_TRUE(has(&sb, "\n    10.200  pid 300     py      imports done (10 modules loaded)\n"));
	CT_TRUE(!strstr(sb.buf, "pid 400     py"));
	sb_free(&sb);
	ct_model_free(&m);
}

/* --top 3: the three slowest, nothing else. */
CT_TEST(text_top)
{
	struct ct_model m;
	struct strbuf sb;
	const char *s;
	int rows = 0;

	build(&m);
	text_of(&m, 3, &sb);
	s = strstr(sb.buf ? sb.buf : "", "    slowest imports (cumulative, self; enclosing imports first):\n");
	CT_TRUE(s != NULL);
	if (s) {
		s = strchr(s, '\n') + 1;
		while (!strncmp(s, "      ", 6)) {
			rows++;
			s = strchr(s, '\n') + 1;
		}
	}
	CT_EQ_INT(rows, 3);
	CT_TRUE(has(&sb, "  app > email.message > email.charset\n"));
	CT_TRUE(!strstr(sb.buf, "  app > json\n"));
	sb_free(&sb);
	ct_model_free(&m);
}

/* A trace without Python: no CPython word anywhere. */
CT_TEST(text_without_python)
{
	struct ct_model m;
	struct strbuf sb;

	ct_model_init(&m, &ops);
	ct_model_add_root(&m, 300, US(500));
	mb_exec(&m, 300, 1, US(1000), "/usr/bin/env");
	mb_exit(&m, 300, US(2000), 0);
	ct_model_finish(&m);
	text_of(&m, 0, &sb);
	CT_TRUE(has(&sb, "; 1 process, 0 Go programs with package inits\n"));
	CT_TRUE(!strstr(sb.buf, "CPython") && !strstr(sb.buf, "import"));
	sb_free(&sb);
	ct_model_free(&m);
}

/* From the runtime's port 50000 to the agent's 9001 (to_agent) or back. */
static void http_(struct ct_model *m, bool to_agent, uint64_t at, const char *bytes)
{
	if (to_agent) {
		mb_io(m, 202, at, CT_IO_WRITE, 50000, 9001, 0xb1, bytes);
		mb_io(m, 201, at + US(10), CT_IO_READ, 9001, 50000, 0xc1, bytes);
	} else {
		mb_io(m, 201, at, CT_IO_WRITE, 9001, 50000, 0xc1, bytes);
		mb_io(m, 202, at + US(10), CT_IO_READ, 50000, 9001, 0xb1, bytes);
	}
}

/* A cold start whose runtime (202) is CPython: app (6 ms, json 2 ms in it)
 * and os (1 ms) before its /next at 20 ms; handler_dep (3 ms) in the
 * invocation, not in function init. The cold start's block says what of
 * function init went to imports. */
CT_TEST(cold_start_line)
{
	struct ct_model m;
	struct strbuf sb;

	ct_model_init(&m, &ops);
	ct_model_add_root(&m, 201, US(500));
	mb_exec(&m, 201, 1, US(1000), "/sandbox/ct-agent");
	mb_listen(&m, 201, US(2000), 9001);
	mb_log(&m, 201, US(3000), "INIT_START Runtime Version: ct-demo:1.v1 Runtime Version ARN: arn:aws:lambda:us-east-1::runtime:x");
	mb_fork(&m, 201, 202, US(9900));
	mb_exec(&m, 202, 201, US(10000), "/usr/bin/python3.11");
	ct_model_set_python(&m, 202, 1, "3.11.2", NULL);
	mb_py_start(&m, 202, 202, US(11000), "os");
	mb_py_end(&m, 202, 202, US(12000));
	mb_py_start(&m, 202, 202, US(12500), "app");
	mb_py_start(&m, 202, 202, US(13000), "json");
	mb_py_end(&m, 202, 202, US(15000));
	mb_py_end(&m, 202, 202, US(18500));
	http_(&m, true, US(20000), "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n\r\n");
	http_(&m, false, US(20500),
	      "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: req-1\r\nLambda-Runtime-Deadline-Ms: 1700000003000\r\n"
	      "Content-Length: 2\r\n\r\n{}");
	mb_py_start(&m, 202, 202, US(20600), "handler_dep");
	mb_py_end(&m, 202, 202, US(23600));
	http_(&m, true, US(24000),
	      "POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n"
	      "Content-Length: 2\r\n\r\n{}");
	http_(&m, false, US(24100), "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}");
	mb_exit(&m, 202, US(30000), 15);
	mb_exit(&m, 201, US(31000), 0);
	ct_model_finish(&m);
	text_of(&m, 0, &sb);
	CT_TRUE(has(&sb, "\n  of function init: 7.000 ms in CPython imports (3 modules; slowest top-level: app 6.000 ms)\n"));
	/* the process's own section has them all */
	CT_TRUE(has(&sb, "    imports: 4 modules loaded, 10.000 ms in top-level loads (cumulative)\n"));
	sb_free(&sb);
	ct_model_free(&m);
}

/* ---- jsonl ---- */

struct want {
	const char *module;
	uint64_t tid, level;
	int64_t parent; /* -1: absent */
	uint64_t start, end, cum, self, end_seq; /* end 0: the four absent */
};

static const struct want wants[] = {
	{"app", 300, 0, -1, 2000, 10000, 8000, 4000, 5},
	{"email.message", 300, 1, 0, 2500, 6000, 3500, 2500, 3},
	{"email.charset", 300, 2, 1, 3000, 4000, 1000, 1000, 1},
	{"worker", 301, 0, -1, 5000, 5500, 500, 500, 2},
	{"json", 300, 1, 0, 6500, 7000, 500, 500, 4},
	{"stuck", 301, 0, -1, 7500, 0, 0, 0, 0},
	{"a", 300, 0, -1, 10500, 11200, 700, 200, 9},
	{"a.b", 300, 1, 6, 10600, 11100, 500, 200, 8},
	{"a.b.c", 300, 2, 7, 10700, 11000, 300, 200, 7},
	{"a.b.c.d", 300, 3, 8, 10800, 10900, 100, 100, 6},
};
#define NWANT (sizeof(wants) / sizeof(wants[0]))

static void check_import(const struct jr_obj *o, uint64_t seq)
{
	const struct want *w = &wants[seq];
	const char *s;
	size_t len;
	uint64_t v;

	CT_TRUE(!jr_get_str(o, "module", &s, &len) && !strcmp(s, w->module));
	CT_TRUE(!jr_get_u64(o, "pid", &v) && v == 300);
	CT_TRUE(!jr_get_u64(o, "tid", &v) && v == w->tid);
	CT_TRUE(!jr_get_u64(o, "level", &v) && v == w->level);
	if (w->parent < 0)
		CT_TRUE(!jr_get(o, "parent"));
	else
		CT_TRUE(!jr_get_u64(o, "parent", &v) && v == (uint64_t)w->parent);
	CT_TRUE(!jr_get_u64(o, "start_ns", &v) && v == US(w->start));
	if (!w->end) {
		CT_TRUE(!jr_get(o, "end_ns") && !jr_get(o, "cum_ns") && !jr_get(o, "self_ns") &&
			!jr_get(o, "end_seq"));
	} else {
		CT_TRUE(!jr_get_u64(o, "end_ns", &v) && v == US(w->end));
		CT_TRUE(!jr_get_u64(o, "cum_ns", &v) && v == US(w->cum));
		CT_TRUE(!jr_get_u64(o, "self_ns", &v) && v == US(w->self));
		CT_TRUE(!jr_get_u64(o, "end_seq", &v) && v == w->end_seq);
	}
	CT_TRUE(!jr_get(o, "name_cut"));
	CT_TRUE(!jr_get(o, "cpu_ns")); /* the records had no counters */
}

CT_TEST(jsonl_records)
{
	struct ct_model m;
	struct strbuf sb;
	struct jr_obj o;
	const char *s, *line;
	size_t len, n = 0, execs = 0;
	int last_type = 0; /* 1 exec of pid 300, 2 py_import */
	uint64_t v;

	build(&m);
	sb_init(&sb);
	ct_render_jsonl(&m, &sb, NULL);
	jr_init(&o);
	for (line = sb.buf; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t ll = nl ? (size_t)(nl - line) : strlen(line);

		if (jr_parse(&o, line, ll, NULL)) {
			CT__FAIL("not JSON: %.*s", (int)ll, line);
			break;
		}
		CT_TRUE(!jr_get_str(&o, "type", &s, &len));
		if (!strcmp(s, "exec")) {
			const char *ver, *note;

			execs++;
			CT_TRUE(!jr_get_str(&o, "py_version", &ver, &len));
			jr_get_u64(&o, "pid", &v);
			if (v == 300) {
				CT_EQ_STR(ver, "3.11.2");
				CT_TRUE(!jr_get(&o, "py_note"));
				last_type = 1;
			} else {
				CT_EQ_STR(ver, "3.14.0");
				CT_TRUE(!jr_get_str(&o, "py_note", &note, &len) && strstr(note, "CPython 3.14"));
			}
		} else if (!strcmp(s, "py_import")) {
			/* after pid 300's exec, before anything else, in start order */
			CT_EQ_INT(last_type, 1 + (n > 0));
			CT_TRUE(!jr_get_u64(&o, "seq", &v) && v == n);
			if (v < NWANT)
				check_import(&o, v);
			n++;
			last_type = 2;
		} else {
			last_type = 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	CT_EQ_INT(n, NWANT);
	CT_EQ_INT(execs, 2);
	jr_free(&o);
	sb_free(&sb);
	ct_model_free(&m);
}

/* A load's counters: cpu_ns and the rest, from both records' counters. */
CT_TEST(jsonl_counters)
{
	struct ct_model m;
	struct strbuf sb;
	struct ct_py e;
	const char *p;
	struct jr_obj o;
	uint64_t v;

	ct_model_init(&m, &ops);
	ct_model_add_root(&m, 300, US(500));
	mb_exec(&m, 300, 1, US(1000), "/usr/bin/python3.11");
	memset(&e, 0, sizeof(e));
	mb_hdr(&e.h, CT_EV_PY, 300, 300, US(2000));
	e.what = CT_PYIMP_START;
	e.bin = 1;
	e.name_kind = CT_PYNAME_UTF8;
	e.name_chars = 2;
	e.name_len = 2;
	memcpy(e.name, "os", 2);
	e.c = (struct ct_tcounters){.run_ns = 1000000, .min_flt = 10, .maj_flt = 1, .nvcsw = 2, .nivcsw = 3};
	CT_EQ_INT(ct_model_add_event(&m, &e, sizeof(e)), 0);
	mb_hdr(&e.h, CT_EV_PY, 300, 300, US(3000));
	e.what = CT_PYIMP_END;
	e.c = (struct ct_tcounters){.run_ns = 1700000, .min_flt = 25, .maj_flt = 1, .nvcsw = 4, .nivcsw = 3};
	CT_EQ_INT(ct_model_add_event(&m, &e, sizeof(e)), 0);
	ct_model_finish(&m);
	sb_init(&sb);
	ct_render_jsonl(&m, &sb, NULL);
	p = strstr(sb.buf, "{\"type\":\"py_import\"");
	CT_TRUE(p != NULL);
	jr_init(&o);
	if (p) {
		CT_EQ_INT(jr_parse(&o, p, (size_t)(strchr(p, '\n') - p), NULL), 0);
		CT_TRUE(!jr_get_u64(&o, "cpu_ns", &v) && v == 700000);
		CT_TRUE(!jr_get_u64(&o, "min_flt", &v) && v == 15);
		CT_TRUE(!jr_get_u64(&o, "maj_flt", &v) && v == 0);
		CT_TRUE(!jr_get_u64(&o, "nvcsw", &v) && v == 2);
		CT_TRUE(!jr_get_u64(&o, "nivcsw", &v) && v == 0);
		CT_TRUE(!jr_get_u64(&o, "cum_ns", &v) && v == US(1000));
	}
	jr_free(&o);
	sb_free(&sb);
	ct_model_free(&m);
}

int main(void)
{
	CT_RUN(text_section);
	CT_RUN(text_top);
	CT_RUN(text_without_python);
	CT_RUN(cold_start_line);
	CT_RUN(jsonl_records);
	CT_RUN(jsonl_counters);
	return ct_summary();
}
