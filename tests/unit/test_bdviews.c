// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel-level breakdown (issue 12) in the perfetto, svg and otlp views,
 * on a model built here from scheduler, open, read and page-cache records:
 * a runtime (pid 200, threads 200 and 201) that asks the Runtime API for its
 * first invocation at 5 ms and answers at 7 ms.
 *
 * Thread 200 (ms): running 1-2, preempted 2-2.5, running 2.5-4, I/O wait
 * 4-6, woken 6-6.25, running 6.25-7, sleeping 7-9, woken 9-9.1, running
 * 9.1-10, dead. Thread 201: new 1.5, running 2-3, uninterruptible 3-3.5,
 * running 3.5-4, dead. CPU time as its counters say: 200 1, 1.5, 0.75 and
 * 0.9 ms, 201 1 and 0.5 ms. Faults: 200's first run 10 minor + 2 major, its
 * second 5 + 3; 201's first 4 + 1. A file opened at 3 ms, 8 KiB read, two
 * pages brought into the page cache. A Go package init 2.6-3.6 ms on thread
 * 200 with 1 ms of CPU, 2 minor and 2 major faults.
 */
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>

#include "breakdown.h"
#include "ct_test.h"
#include "json_check.h"
#include "model.h"
#include "model_build.h"
#include "phases.h"
#include "render.h"

#define T(ms) ((uint64_t)(1000000000ull + (uint64_t)((ms) * 1000000.0 + 0.5)))
#define STATE_TID(tid) (1000000000u + (tid)) /* perfetto.c STATE_TID_BASE */

static struct ct_model_ops ops = {.pkg_of = mb_pkg_of_ctx, .ctx = "example.com/fn/p"};

static const struct ct_render_opts ropts = {
	.command = "bootstrap",
	.top = 3,
	.realtime_offset_ns = 1700000000000000000ull,
};

/* A scheduler record; counters: CPU ms, minor and major faults so far. */
static void sched_(struct ct_model *m, uint32_t tid, double at, int what, int state, double cpu_ms,
		   uint32_t minf, uint32_t majf)
{
	struct ct_sched e = {0};

	mb_hdr(&e.h, CT_EV_SCHED, 200, tid, T(at));
	e.what = (uint8_t)what;
	e.state = (uint8_t)state;
	e.c.run_ns = (uint64_t)(cpu_ms * 1e6 + 0.5);
	e.c.min_flt = minf;
	e.c.maj_flt = majf;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

static void go_(struct ct_model *m, double at, uint32_t kind, uint64_t value, double cpu_ms, uint32_t minf,
		uint32_t majf)
{
	struct ct_go e = {0};

	mb_hdr(&e.h, CT_EV_GO, 200, 200, T(at));
	e.cookie = CT_COOKIE(kind, 2, CT_REG_AX, 0, 0);
	e.ip = 0x1000;
	e.value = value;
	e.task = value ? value + 0x100 : 0;
	e.nfns = 1;
	e.state = kind == CT_GO_TASKSTART ? 1 : 0;
	e.c.run_ns = (uint64_t)(cpu_ms * 1e6 + 0.5);
	e.c.min_flt = minf;
	e.c.maj_flt = majf;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

/* The runtime's socket to the Runtime API (127.0.0.1:9001). */
static void io_(struct ct_model *m, double at, int dir, const char *bytes)
{
	mb_io(m, 200, T(at), dir, 50000, 9001, 0xb1, bytes);
}

#define NEXT_REQ "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n\r\n"
#define NEXT_RESP                                                                                              \
	"HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: req-x\r\nLambda-Runtime-Deadline-Ms: 1700000003000\r\n" \
	"Content-Length: 2\r\n\r\n{}"
#define POST_RESP                                                                                              \
	"POST /2018-06-01/runtime/invocation/req-x/response HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n"                  \
	"Content-Length: 2\r\n\r\n{}"

/* The runtime; with_sched false: the same without any breakdown record. */
static void build(struct ct_model *m, bool with_sched)
{
	struct ct_exec ex = {0};

	ct_model_init(m, &ops);
	ct_model_add_root(m, 200, T(0));
	mb_hdr(&ex.h, CT_EV_EXEC, 200, 200, T(0.1));
	ex.ppid = 1;
	snprintf(ex.path, sizeof(ex.path), "/var/task/bootstrap");
	snprintf(ex.comm, sizeof(ex.comm), "bootstrap");
	ex.args_len = (uint32_t)snprintf(ex.args, sizeof(ex.args), "bootstrap") + 1;
	CT_EQ_INT(ct_model_add_event(m, &ex, sizeof(ex)), 0);
	if (with_sched) {
		struct ct_open op = {0};
		struct ct_fread rd = {0};
		struct ct_pcache pc = {0};

		sched_(m, 200, 1.0, CT_SCHED_IN, CT_TS_RUNNING, 0, 0, 0);
		sched_(m, 201, 1.5, CT_SCHED_NEW, CT_TS_RUNNABLE, 0, 0, 0);
		sched_(m, 200, 2.0, CT_SCHED_OUT, CT_TS_RUNNABLE, 1.0, 10, 2);
		sched_(m, 201, 2.0, CT_SCHED_IN, CT_TS_RUNNING, 0, 0, 0);
		sched_(m, 200, 2.5, CT_SCHED_IN, CT_TS_RUNNING, 1.0, 10, 2);
		go_(m, 2.55, CT_GO_RTSTART, T(2.55), 1.05, 10, 2);
		go_(m, 2.6, CT_GO_TASKSTART, 0x1000, 1.1, 11, 2);
		sched_(m, 201, 3.0, CT_SCHED_OUT, CT_TS_DISK, 1.0, 4, 1);
		mb_hdr(&op.h, CT_EV_OPEN, 200, 200, T(3.0));
		op.fd = 7;
		op.dev = 1;
		op.ino = 42;
		op.size = 8192;
		op.path_len = (uint32_t)snprintf(op.path, sizeof(op.path), "/var/task/node_modules/x/index.js");
		CT_EQ_INT(ct_model_add_event(m, &op, sizeof(op)), 0);
		mb_hdr(&pc.h, CT_EV_PCACHE, 200, 200, T(3.1));
		pc.dev = 1;
		pc.ino = 42;
		pc.pages = 2;
		CT_EQ_INT(ct_model_add_event(m, &pc, sizeof(pc)), 0);
		mb_hdr(&rd.h, CT_EV_FREAD, 200, 200, T(3.2));
		rd.fd = 7;
		rd.bytes = 8192;
		rd.dev = 1;
		rd.ino = 42;
		CT_EQ_INT(ct_model_add_event(m, &rd, sizeof(rd)), 0);
		sched_(m, 201, 3.5, CT_SCHED_IN, CT_TS_RUNNING, 1.0, 4, 1);
		go_(m, 3.6, CT_GO_TASKEND, 0, 2.1, 13, 4);
		go_(m, 3.9, CT_GO_MAINMAIN, 0, 2.4, 15, 5);
		sched_(m, 200, 4.0, CT_SCHED_OUT, CT_TS_IOWAIT, 2.5, 15, 5);
		sched_(m, 201, 4.0, CT_SCHED_OUT, CT_TS_DEAD, 1.5, 4, 1);
		sched_(m, 200, 6.0, CT_SCHED_WAKE, CT_TS_RUNNABLE, 2.5, 15, 5);
		sched_(m, 200, 6.25, CT_SCHED_IN, CT_TS_RUNNING, 2.5, 15, 5);
	}
	io_(m, 5.0, CT_IO_WRITE, NEXT_REQ);
	io_(m, 6.5, CT_IO_READ, NEXT_RESP);
	if (with_sched) {
		sched_(m, 200, 7.0, CT_SCHED_OUT, CT_TS_SLEEP, 3.25, 15, 5);
		sched_(m, 200, 9.0, CT_SCHED_WAKE, CT_TS_RUNNABLE, 3.25, 15, 5);
		sched_(m, 200, 9.1, CT_SCHED_IN, CT_TS_RUNNING, 3.25, 15, 5);
	}
	io_(m, 9.5, CT_IO_WRITE, POST_RESP);
	if (with_sched)
		sched_(m, 200, 10.0, CT_SCHED_OUT, CT_TS_DEAD, 4.15, 15, 5);
	mb_exit(m, 200, T(10.5), 0);
	ct_model_finish(m);
}

/* Perfetto's events of one track (pid, tid) of kind ph, in file order. */
static size_t events_of(const struct jv *evs, uint32_t pid, uint32_t tid, const char *ph, const struct jv **out,
			size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < evs->n && n < max; i++) {
		const struct jv *e = evs->items[i];

		if (jv_get(e, "pid")->num == pid && jv_get(e, "tid")->num == tid && !strcmp(jv_get(e, "ph")->str, ph))
			out[n++] = e;
	}
	return n;
}

static double arg_num(const struct jv *e, const char *key)
{
	const struct jv *a = jv_get(e, "args"), *v = a ? jv_get(a, key) : NULL;

	return v && v->t == JV_NUM ? v->num : -1;
}

/*
 * What Perfetto's JSON importer needs of every event, as json_check.h's
 * ct_check_perfetto checks it (name, ph, ts, pid, tid; X with dur >= 0; i
 * with a scope g/p/t; M with args), and of counters, which that checker does
 * not know: C with args of numbers only (each becomes a counter track).
 */
static int check_trace(const struct jv *v, char *err, size_t len)
{
	const struct jv *evs = jv_get(v, "traceEvents");

	if (!evs || evs->t != JV_ARR)
		return snprintf(err, len, "no traceEvents"), -1;
	for (size_t i = 0; i < evs->n; i++) {
		const struct jv *e = evs->items[i], *name = jv_get(e, "name"), *ph = jv_get(e, "ph");
		const struct jv *ts = jv_get(e, "ts"), *pid = jv_get(e, "pid"), *tid = jv_get(e, "tid");
		const struct jv *a = jv_get(e, "args"), *d = jv_get(e, "dur"), *sc = jv_get(e, "s");

		if (e->t != JV_OBJ || !name || name->t != JV_STR || !ph || ph->t != JV_STR || !ts || ts->t != JV_NUM ||
		    ts->num < 0 || !pid || pid->t != JV_NUM || !tid || tid->t != JV_NUM)
			return snprintf(err, len, "event %zu lacks name/ph/ts/pid/tid", i), -1;
		if (!strcmp(ph->str, "X")) {
			if (!d || d->t != JV_NUM || d->num < 0)
				return snprintf(err, len, "X event %zu without dur >= 0", i), -1;
		} else if (!strcmp(ph->str, "i")) {
			if (sc && (sc->t != JV_STR || strlen(sc->str) != 1 || !strchr("gpt", sc->str[0])))
				return snprintf(err, len, "instant %zu has a bad scope", i), -1;
		} else if (!strcmp(ph->str, "M")) {
			if (!a)
				return snprintf(err, len, "metadata %zu without args", i), -1;
		} else if (!strcmp(ph->str, "C")) {
			if (!a || a->t != JV_OBJ || !a->n)
				return snprintf(err, len, "counter %zu without args", i), -1;
			for (size_t k = 0; k < a->n; k++)
				if (a->items[k]->t != JV_NUM)
					return snprintf(err, len, "counter %zu: arg %s is not a number", i, a->keys[k]), -1;
		} else {
			return snprintf(err, len, "event %zu has unexpected ph '%s'", i, ph->str), -1;
		}
	}
	return 0;
}

CT_TEST(perfetto_thread_states)
{
	static const struct {
		const char *name;
		double ts, dur; /* us from the first event */
	} want200[] = {
		{"Running", 1000, 1000},
		{"Runnable (Preempted)", 2000, 500},
		{"Running", 2500, 1500},
		{"Uninterruptible Sleep (IO)", 4000, 2000},
		{"Runnable", 6000, 250},
		{"Running", 6250, 750},
		{"Sleeping", 7000, 2000},
		{"Runnable", 9000, 100},
		{"Running", 9100, 900},
	}, want201[] = {
		{"Runnable", 1500, 500},
		{"Running", 2000, 1000},
		{"Uninterruptible Sleep (non-IO)", 3000, 500},
		{"Running", 3500, 500},
	};
	struct ct_model m;
	struct strbuf sb;
	struct jv *v;
	const struct jv *evs, *got[64];
	char err[256];
	size_t n;
	double off; /* us: ts count from the first event, the exec at 0.1 ms */

	build(&m, true);
	off = (double)(m.first_ts - T(0)) / 1000.0;
	CT_TRUE(off > 99.999 && off < 100.001);
	sb_init(&sb);
	ct_render_perfetto(&m, &sb, &ropts);
	v = jv_parse(sb.buf, sb.len, err, sizeof(err));
	if (!v) {
		CT__FAIL("not JSON: %s", err);
		goto out;
	}
	if (check_trace(v, err, sizeof(err)))
		CT__FAIL("%s", err);
	evs = jv_get(v, "traceEvents");

	/* a track per thread, with its states, Perfetto's names */
	n = events_of(evs, 200, STATE_TID(200), "X", got, 64);
	CT_EQ_INT(n, sizeof(want200) / sizeof(want200[0]));
	for (size_t i = 0; i < n && i < sizeof(want200) / sizeof(want200[0]); i++) {
		CT_EQ_STR(jv_get(got[i], "name")->str, want200[i].name);
		CT_TRUE(jv_get(got[i], "ts")->num > want200[i].ts - off - 0.001 &&
			jv_get(got[i], "ts")->num < want200[i].ts - off + 0.001);
		CT_TRUE(jv_get(got[i], "dur")->num > want200[i].dur - 0.001 &&
			jv_get(got[i], "dur")->num < want200[i].dur + 0.001);
	}
	n = events_of(evs, 200, STATE_TID(201), "X", got, 64);
	CT_EQ_INT(n, sizeof(want201) / sizeof(want201[0]));
	for (size_t i = 0; i < n && i < sizeof(want201) / sizeof(want201[0]); i++) {
		CT_EQ_STR(jv_get(got[i], "name")->str, want201[i].name);
		CT_TRUE(jv_get(got[i], "dur")->num > want201[i].dur - 0.001 &&
			jv_get(got[i], "dur")->num < want201[i].dur + 0.001);
	}
	/* a running slice has its thread's counters: 200's second run */
	n = events_of(evs, 200, STATE_TID(200), "X", got, 64);
	CT_TRUE(n > 2 && arg_num(got[2], "cpu_ns") == 1500000 && arg_num(got[2], "min_flt") == 5 &&
		arg_num(got[2], "maj_flt") == 3);
	CT_TRUE(strstr(sb.buf, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":200,\"tid\":1000000201,\"ts\":0,\"args\":{\"name\":\"thread 201 states\"}}") != NULL);
	CT_TRUE(strstr(sb.buf, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":200,\"tid\":1000000200,\"ts\":0,\"args\":{\"name\":\"bootstrap 200 states\"}}") != NULL);

	/* faults: a counter track per process, cumulative; the last sample at 4 ms */
	n = events_of(evs, 200, 200, "C", got, 64);
	{
		const struct jv *last = NULL;
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (!strcmp(jv_get(got[i], "name")->str, "page faults"))
				last = got[i], k++;
		CT_EQ_INT(k, 4); /* 0 at the start, then 2, 3 and 4 ms */
		CT_TRUE(last && arg_num(last, "major") == 6 && arg_num(last, "minor") == 19);
		CT_TRUE(last && jv_get(last, "ts")->num > 3899.999 && jv_get(last, "ts")->num < 3900.001);
	}
	/* files: MB read and missed, and the open as an instant with its path */
	CT_TRUE(strstr(sb.buf, "\"name\":\"file MB\",\"ph\":\"C\",\"pid\":200,\"tid\":200,\"ts\":3100.000,\"cat\":\"counter\",\"args\":{\"read\":0.008,\"page_cache_miss\":0.008}}") != NULL);
	CT_TRUE(strstr(sb.buf, "{\"name\":\"open /var/task/node_modules/x/index.js\",\"ph\":\"i\",\"pid\":200,\"tid\":200,\"ts\":2900.000,\"s\":\"t\",\"cat\":\"file\",\"args\":{\"path\":\"/var/task/node_modules/x/index.js\",\"tid\":200,\"fd\":7,\"size\":8192,\"read_bytes\":8192,\"reads\":1,\"miss_bytes\":8192}}") != NULL);
	/* the package init: the init thread's counters between its hits */
	CT_TRUE(strstr(sb.buf, "\"cat\":\"go_init\",\"args\":{\"seq\":0,\"init_functions\":1,\"at_ns\":50000,\"tid\":200,\"cpu_ns\":1000000,\"cpu_from\":\"scheduler states\",\"min_flt\":2,\"maj_flt\":2,\"nvcsw\":0,\"nivcsw\":0}") != NULL);
	/* a phase: its breakdown in its args (function init: 0.1 -> 5 ms) */
	CT_TRUE(strstr(sb.buf, "\"breakdown\":{\"summary\":\"function init") != NULL);
	CT_TRUE(strstr(sb.buf, "\"wall_running_ns\":3000000,\"wall_runnable_ns\":0,\"wall_iowait_ns\":1000000,") != NULL);
	jv_free(v);
	if (getenv("CT_SHOW"))
		printf("%s\n", sb.buf);
out:
	sb_free(&sb);
	ct_model_free(&m);
}

/* x and width of the n-th rect of class cls (0: the first), false if none. */
static bool rect_of(const char *svg, const char *cls, int nth, double *x, double *w)
{
	char key[64];
	const char *p = svg;

	snprintf(key, sizeof(key), "<rect class=\"%s\" x=\"", cls);
	for (int i = 0; i <= nth; i++) {
		p = strstr(p, key);
		if (!p)
			return false;
		p += strlen(key);
	}
	return sscanf(p, "%lf\" y=\"%*[0-9.]\" width=\"%lf", x, w) == 2;
}

CT_TEST(svg_state_band)
{
	struct ct_model m;
	struct strbuf sb;
	double x, w, px_per_ms, x0;
	const double pw = 1400 - 262.0 - 24.0; /* svg.c PW */

	build(&m, true);
	sb_init(&sb);
	ct_render_svg(&m, &sb, &ropts);
	px_per_ms = pw / ((double)(m.last_ts - m.first_ts) / 1e6);
	x0 = 262.0 - 0.1 * px_per_ms; /* svg.c X0 is the first event, the exec at 0.1 ms */
	CT_TRUE(strstr(sb.buf, "</svg>\n") != NULL);
	CT_TRUE(strstr(sb.buf, "rect.st-io { fill:") != NULL);
	/* the band: I/O wait 4-6 ms (no thread ran then), to the pixel */
	CT_TRUE(rect_of(sb.buf, "st-io", 0, &x, &w));
	CT_TRUE(x > x0 + 4 * px_per_ms - 1.5 && x < x0 + 4 * px_per_ms + 1.5);
	CT_TRUE(w > 2 * px_per_ms - 2 && w < 2 * px_per_ms + 2);
	CT_TRUE(rect_of(sb.buf, "st-io", 1, &x, &w) && w == 14); /* then only the legend's */
	CT_TRUE(!rect_of(sb.buf, "st-io", 2, &x, &w));
	/* running 1-4 ms: any thread on a CPU (201 ran while 200 was preempted) */
	CT_TRUE(rect_of(sb.buf, "st-run", 0, &x, &w));
	CT_TRUE(x > x0 + 1 * px_per_ms - 1.5 && x < x0 + 1 * px_per_ms + 1.5);
	CT_TRUE(w > 3 * px_per_ms - 2 && w < 3 * px_per_ms + 2);
	/* runnable 6-6.25 ms, sleeping 7-9 ms */
	CT_TRUE(rect_of(sb.buf, "st-rable", 0, &x, &w));
	CT_TRUE(x > x0 + 6 * px_per_ms - 1.5 && x < x0 + 6 * px_per_ms + 1.5);
	CT_TRUE(rect_of(sb.buf, "st-sl", 0, &x, &w));
	CT_TRUE(w > 2 * px_per_ms - 2 && w < 2 * px_per_ms + 2);
	/* each run of columns says what it shows (columns are ~9.4 us wide) */
	CT_TRUE(strstr(sb.buf, "<title>bootstrap: waiting for disk 1.99") != NULL);
	CT_TRUE(strstr(sb.buf, "<title>bootstrap: on CPU 3.00") != NULL);
	/* the band's background: the process's whole life */
	CT_TRUE(strstr(sb.buf, "<rect class=\"st-bg\" x=\"262.00\" ") != NULL);
	/* the legend, and the phase's tooltip with its breakdown */
	CT_TRUE(strstr(sb.buf, ">I/O wait</text>") != NULL);
	CT_TRUE(strstr(sb.buf, "; function init 4.9") != NULL);
	if (getenv("CT_SHOW"))
		printf("%s\n", sb.buf);
	sb_free(&sb);
	ct_model_free(&m);

	/* without scheduler records: no band, no legend for it */
	build(&m, false);
	sb_init(&sb);
	ct_render_svg(&m, &sb, &ropts);
	CT_TRUE(strstr(sb.buf, "class=\"st-") == NULL);
	CT_TRUE(strstr(sb.buf, "st-run") == NULL);
	CT_TRUE(strstr(sb.buf, "I/O wait") == NULL);
	sb_free(&sb);
	ct_model_free(&m);
}

/* The string or double value of attribute key of the span named name. */
static const struct jv *span_attr(const struct jv *v, const char *name, const char *key)
{
	const struct jv *rs = jv_get(v, "resourceSpans");

	for (size_t i = 0; rs && i < rs->n; i++) {
		const struct jv *ss = jv_get(rs->items[i], "scopeSpans");

		for (size_t j = 0; ss && j < ss->n; j++) {
			const struct jv *spans = jv_get(ss->items[j], "spans");

			for (size_t k = 0; spans && k < spans->n; k++) {
				const struct jv *sp = spans->items[k], *at = jv_get(sp, "attributes");

				if (strcmp(jv_get(sp, "name")->str, name))
					continue;
				for (size_t a = 0; at && a < at->n; a++)
					if (!strcmp(jv_get(at->items[a], "key")->str, key))
						return jv_get(at->items[a], "value");
			}
		}
	}
	return NULL;
}

static double attr_num(const struct jv *v, const char *span, const char *key)
{
	const struct jv *val = span_attr(v, span, key), *d;

	if (!val)
		return -1;
	if ((d = jv_get(val, "doubleValue")))
		return d->num;
	if ((d = jv_get(val, "intValue")) && d->t == JV_STR)
		return strtod(d->str, NULL);
	return -1;
}

CT_TEST(otlp_attributes)
{
	struct ct_model m;
	struct strbuf sb;
	struct jv *v;
	char err[256];
	size_t nspans = 0;

	build(&m, true);
	sb_init(&sb);
	ct_render_otlp(&m, &sb, &ropts);
	v = jv_parse(sb.buf, sb.len, err, sizeof(err));
	if (!v || ct_check_otlp(v, err, sizeof(err), &nspans)) {
		CT__FAIL("otlp: %s", err);
		goto out;
	}
	/* function init: exec 0.1 ms -> /next 5 ms, the runtime's threads:
	 * running 1-4 (wall), I/O wait 4-5, nothing known 0.1-1; CPU 1 + 1.5
	 * (200) + 1 + 0.5 (201) ms; faults 10+5+4 minor, 2+3+1 major */
	CT_TRUE(attr_num(v, "function init", "coldtrace.running_ms") == 3.0);
	CT_TRUE(attr_num(v, "function init", "coldtrace.iowait_ms") == 1.0);
	CT_TRUE(attr_num(v, "function init", "coldtrace.unknown_ms") == 0.9);
	CT_TRUE(attr_num(v, "function init", "coldtrace.runnable_ms") == 0);
	CT_TRUE(attr_num(v, "function init", "coldtrace.cpu_ms") == 4.0);
	CT_TRUE(attr_num(v, "function init", "coldtrace.minor_faults") == 19);
	CT_TRUE(attr_num(v, "function init", "coldtrace.major_faults") == 6);
	CT_TRUE(attr_num(v, "function init", "coldtrace.files_opened") == 1);
	CT_TRUE(attr_num(v, "function init", "coldtrace.read_bytes") == 8192);
	CT_TRUE(attr_num(v, "function init", "coldtrace.page_cache_miss_bytes") == 8192);
	CT_TRUE(span_attr(v, "function init", "coldtrace.breakdown") != NULL);
	/* the process: its threads' counters; the package: its thread's */
	CT_TRUE(attr_num(v, "process bootstrap", "coldtrace.cpu_ms") == 5.65);
	CT_TRUE(attr_num(v, "process bootstrap", "coldtrace.threads") == 2);
	CT_TRUE(attr_num(v, "example.com/fn/p", "coldtrace.cpu_ms") == 1.0);
	CT_TRUE(attr_num(v, "example.com/fn/p", "coldtrace.major_faults") == 2);
	if (getenv("CT_SHOW"))
		printf("%s\n", sb.buf);
out:
	jv_free(v);
	sb_free(&sb);
	ct_model_free(&m);

	/* without the breakdown: none of its attributes */
	build(&m, false);
	sb_init(&sb);
	ct_render_otlp(&m, &sb, &ropts);
	CT_TRUE(strstr(sb.buf, "\"function init\"") != NULL);
	CT_TRUE(strstr(sb.buf, "coldtrace.cpu_ms") == NULL);
	CT_TRUE(strstr(sb.buf, "coldtrace.breakdown") == NULL);
	sb_reset(&sb);
	ct_render_perfetto(&m, &sb, &ropts);
	CT_TRUE(strstr(sb.buf, "\"ph\":\"C\"") == NULL);
	CT_TRUE(strstr(sb.buf, "states") == NULL);
	CT_TRUE(strstr(sb.buf, "\"breakdown\"") == NULL);
	sb_free(&sb);
	ct_model_free(&m);
}

int main(void)
{
	CT_RUN(perfetto_thread_states);
	CT_RUN(svg_state_band);
	CT_RUN(otlp_attributes);
	return ct_summary();
}
