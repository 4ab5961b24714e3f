// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * CPython module loads (issue 14) in the perfetto, svg and otlp views: a
 * model built from import records (model_build.h's mb_py_start/mb_py_end),
 * a cold-start timeline built here by hand (ct_render_*_tls), outputs
 * parsed (JSON; the SVG's tags) and checked load by load.
 *
 * The processes (ms from the trace's start): the driver (100) exec 0; the
 * agent 101 (Go: runtime start 1, one package init 1.5 -> 2.5, main.main 3)
 * exec 0.5; the runtime 102 exec's /var/task/bootstrap at 18, then
 * /usr/bin/python3 at 20, exits at 50. Its loads, as -X importtime nests
 * them (thread 102 unless said):
 *   encodings 21.0 -> 22.0                  cum 1.0  self 0.4
 *     codecs 21.2 -> 21.5                   cum 0.3  self 0.3
 *     encodings.aliases 21.6 -> 21.9        cum 0.3  self 0.2
 *       x.a 21.7 -> 21.8                    cum 0.1  self 0.07
 *         x.b 21.75 -> 21.78 (level 3)      cum 0.03 self 0.03
 *   app 23.0 -> 28.0                        cum 5.0  self 3.5
 *     json 23.5 -> 25.0                     cum 1.5  self 1.5
 *   worker_mod, thread 105, 24.0, never ended (drawn to the exit at 50)
 */
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "json_check.h"
#include "model.h"
#include "model_build.h"
#include "svg_tags.h"
#include "tl_build.h"
#include "phases.h"
#include "render.h"

#define DRIVER 100
#define AGENT 101
#define RUNTIME 102
#define WORKER 105 /* a thread of the runtime */
#define NLOADS 8

static struct ct_model_ops ops = {.pkg_of = mb_pkg_of_ctx, .ctx = "example.com/agent/config"};

static const struct ct_render_opts ropts = {
	.command = "ct-driver --runtime python",
	.top = 3,
	.realtime_offset_ns = 1700000000000000000ull,
};

/* The loads in start order (the model's pyimports order). */
static const struct load {
	const char *name;
	uint32_t tid, level;
	int parent;          /* index in this table, -1 */
	double start, end;   /* ms; end 0: never ended */
	double cum, self;    /* ms */
} loads[NLOADS] = {
	{"encodings", RUNTIME, 0, -1, 21.0, 22.0, 1.0, 0.4},
	{"codecs", RUNTIME, 1, 0, 21.2, 21.5, 0.3, 0.3},
	{"encodings.aliases", RUNTIME, 1, 0, 21.6, 21.9, 0.3, 0.2},
	{"x.a", RUNTIME, 2, 2, 21.7, 21.8, 0.1, 0.07},
	{"x.b", RUNTIME, 3, 3, 21.75, 21.78, 0.03, 0.03},
	{"app", RUNTIME, 0, -1, 23.0, 28.0, 5.0, 3.5},
	{"json", RUNTIME, 1, 5, 23.5, 25.0, 1.5, 1.5},
	{"worker_mod", WORKER, 0, -1, 24.0, 0, 0, 0},
};

struct fixture {
	struct ct_model m;
	struct ct_timelines tls;
};

static void build(struct fixture *f)
{
	struct ct_model *m = &f->m;
	struct ct_timeline *tl;
	const struct ct_image *py;

	memset(f, 0, sizeof(*f));
	ct_model_init(m, &ops);
	mb_exec(m, DRIVER, 1, MS(0.0), "/sandbox/ct-driver");
	mb_fork(m, DRIVER, AGENT, MS(0.2));
	mb_exec(m, AGENT, DRIVER, MS(0.5), "/sandbox/ct-agent");
	mb_go(m, AGENT, 3, MS(1.0), CT_GO_RTSTART, MS(1.0));
	mb_go(m, AGENT, 3, MS(1.5), CT_GO_TASKSTART, 0x1000);
	mb_go(m, AGENT, 3, MS(2.5), CT_GO_TASKEND, 0);
	mb_go(m, AGENT, 3, MS(3.0), CT_GO_MAINMAIN, 0);
	mb_fork(m, AGENT, RUNTIME, MS(17.9));
	mb_exec(m, RUNTIME, AGENT, MS(18.0), "/var/task/bootstrap");
	mb_exec(m, RUNTIME, AGENT, MS(20.0), "/usr/bin/python3");
	/* the records in time order */
	mb_py_start(m, RUNTIME, RUNTIME, MS(21.0), "encodings");
	mb_py_start(m, RUNTIME, RUNTIME, MS(21.2), "codecs");
	mb_py_end(m, RUNTIME, RUNTIME, MS(21.5));
	mb_py_start(m, RUNTIME, RUNTIME, MS(21.6), "encodings.aliases");
	mb_py_start(m, RUNTIME, RUNTIME, MS(21.7), "x.a");
	mb_py_start(m, RUNTIME, RUNTIME, MS(21.75), "x.b");
	mb_py_end(m, RUNTIME, RUNTIME, MS(21.78));
	mb_py_end(m, RUNTIME, RUNTIME, MS(21.8));
	mb_py_end(m, RUNTIME, RUNTIME, MS(21.9));
	mb_py_end(m, RUNTIME, RUNTIME, MS(22.0));
	mb_py_start(m, RUNTIME, RUNTIME, MS(23.0), "app");
	mb_py_start(m, RUNTIME, RUNTIME, MS(23.5), "json");
	mb_py_start(m, RUNTIME, WORKER, MS(24.0), "worker_mod");
	mb_py_end(m, RUNTIME, RUNTIME, MS(25.0));
	mb_py_end(m, RUNTIME, RUNTIME, MS(28.0));
	mb_exit(m, RUNTIME, MS(50.0), 15);
	mb_exit(m, AGENT, MS(51.0), 0);
	ct_model_finish(m);

	/* the model is as the table says, or every check below is moot */
	{
		const struct ct_proc *rt = ct_model_proc_const(m, RUNTIME);

		/* the agent's image inherited at the fork, bootstrap, python3 */
		py = rt && rt->nimages == 3 ? &rt->images[2] : NULL;
	}
	CT_TRUE(py && py->npyimports == NLOADS);
	for (size_t k = 0; py && k < py->npyimports && k < NLOADS; k++) {
		CT_EQ_STR(py->pyimports[k].name, loads[k].name);
		CT_EQ_INT(py->pyimports[k].level, loads[k].level);
		CT_EQ_INT(py->pyimports[k].parent, loads[k].parent);
	}

	f->tls.v = calloc(1, sizeof(*f->tls.v));
	CT_TRUE(f->tls.v != NULL);
	if (!f->tls.v)
		return;
	f->tls.n = 1;
	tl = &f->tls.v[0];
	tl->agent = ct_model_proc_const(m, AGENT);
	tl->runtime = ct_model_proc_const(m, RUNTIME);
	tl->agent_pid = AGENT;
	tl->runtime_pid = tl->sender_pid = RUNTIME;
	tl->api_port = 9001;
	tl->invoke_http = -1;
	snprintf(tl->request_id, sizeof(tl->request_id), "req-1");
	for (int k = 0; k < CT_MS_COUNT; k++)
		tl->ms[k].state = CT_MS_NA;
	ms_(tl, CT_MS_AGENT_EXEC, 0.5, AGENT);
	ms_(tl, CT_MS_AGENT_RT_START, 1.0, AGENT);
	ms_(tl, CT_MS_AGENT_MAIN, 3.0, AGENT);
	ms_(tl, CT_MS_AGENT_READY, 5.0, AGENT);
	ms_(tl, CT_MS_INIT_START, 10.0, AGENT);
	ms_(tl, CT_MS_RUNTIME_EXEC, 18.0, RUNTIME);
	ms_(tl, CT_MS_FIRST_NEXT, 30.0, RUNTIME);
	ms_(tl, CT_MS_INVOKE, 30.5, AGENT);
	ms_(tl, CT_MS_RESPONSE, 47.0, RUNTIME);
	ph_(tl, CT_PH_TOTAL, CT_MS_AGENT_EXEC, CT_MS_RESPONSE, 0, CT_PK_TOTAL, false, AGENT);
	ph_(tl, CT_PH_AGENT_INIT, CT_MS_AGENT_EXEC, CT_MS_AGENT_READY, 1, CT_PK_AGENT, true, AGENT);
	ph_(tl, CT_PH_AGENT_GO, CT_MS_AGENT_RT_START, CT_MS_AGENT_MAIN, 2, CT_PK_AGENT, false, AGENT);
	ph_(tl, CT_PH_WAIT_INIT, CT_MS_AGENT_READY, CT_MS_INIT_START, 1, CT_PK_HANDOFF, true, AGENT);
	ph_(tl, CT_PH_RUNTIME_START, CT_MS_INIT_START, CT_MS_RUNTIME_EXEC, 1, CT_PK_HANDOFF, true, AGENT);
	ph_(tl, CT_PH_EXT_REGISTER, CT_MS_EXT_START, CT_MS_EXT_REGISTERED, 2, CT_PK_EXTENSION, false, AGENT);
	ph_(tl, CT_PH_FUNC_INIT, CT_MS_RUNTIME_EXEC, CT_MS_FIRST_NEXT, 1, CT_PK_RUNTIME, true, RUNTIME);
	ph_(tl, CT_PH_RUNTIME_GO, CT_MS_RUNTIME_RT_START, CT_MS_RUNTIME_MAIN, 2, CT_PK_RUNTIME, false, RUNTIME);
	ph_(tl, CT_PH_FUNC_INIT_AGENT, CT_MS_INIT_START, CT_MS_FIRST_NEXT, 2, CT_PK_AGENT_VIEW, false, AGENT);
	ph_(tl, CT_PH_INIT_ALL, CT_MS_INIT_START, CT_MS_INIT_DONE, 2, CT_PK_AGENT_VIEW, false, AGENT);
	ph_(tl, CT_PH_EXT_WAIT, CT_MS_FIRST_NEXT, CT_MS_INIT_DONE, 2, CT_PK_EXTENSION, false, RUNTIME);
	ph_(tl, CT_PH_DELIVER, CT_MS_FIRST_NEXT, CT_MS_INVOKE, 1, CT_PK_INVOKE, true, AGENT);
	ph_(tl, CT_PH_INVOKE, CT_MS_INVOKE, CT_MS_RESPONSE, 1, CT_PK_INVOKE, true, RUNTIME);
	tl->t0 = MS(0.5);
	tl->t_end = MS(47.0);
	tl->complete = true;
	tl->init_gate.ext = tl->register_gate.ext = -1;
}

static void fixture_free(struct fixture *f)
{
	ct_timelines_free(&f->tls);
	ct_model_free(&f->m);
}

static bool near(double a, double b, double tol)
{
	return a > b - tol && a < b + tol;
}

static const char *jstr(const struct jv *o, const char *k)
{
	const struct jv *v = jv_get(o, k);

	return v && v->t == JV_STR ? v->str : NULL;
}

static double jnum(const struct jv *o, const char *k)
{
	const struct jv *v = jv_get(o, k);

	return v && v->t == JV_NUM ? v->num : -1;
}

static bool is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* ---- Perfetto ---- */

static struct jv *perfetto(const struct fixture *f)
{
	struct strbuf sb;
	struct jv *v;
	char err[256];

	sb_init(&sb);
	ct_render_perfetto_tls(&f->m, &f->tls, &sb, &ropts);
	v = jv_parse(sb.buf, sb.len, err, sizeof(err));
	if (!v)
		CT__FAIL("perfetto: %s", err);
	else if (ct_check_perfetto(v, 1, err, sizeof(err)))
		CT__FAIL("%s", err);
	sb_free(&sb);
	return v;
}

/* The complete events of category py_import, in the order written. */
static size_t pf_loads(const struct jv *evs, const struct jv **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; evs && i < evs->n; i++) {
		const struct jv *e = evs->items[i];

		if (!is(jstr(e, "cat"), "py_import"))
			continue;
		if (n < max)
			out[n] = e;
		n++;
	}
	return n;
}

CT_TEST(perfetto_loads)
{
	struct fixture f;
	struct jv *v;

	build(&f);
	v = perfetto(&f);
	if (v) {
		const struct jv *evs = jv_get(v, "traceEvents"), *ev[NLOADS + 4];
		size_t n = pf_loads(evs, ev, NLOADS + 4);
		bool named = false;

		CT_EQ_INT(n, NLOADS);
		for (size_t k = 0; k < n && k < NLOADS; k++) {
			const struct load *l = &loads[k];
			const struct jv *a = jv_get(ev[k], "args");
			double end = l->end ? l->end : 50.0; /* never ended: to the exit */

			CT_EQ_STR(jstr(ev[k], "name"), l->name);
			CT_EQ_STR(jstr(ev[k], "ph"), "X");
			CT_EQ_INT(jnum(ev[k], "pid"), RUNTIME);
			CT_EQ_INT(jnum(ev[k], "tid"), l->tid);
			/* microseconds from the first event (the driver's exec at 0) */
			if (!near(jnum(ev[k], "ts"), l->start * 1000.0, 0.002) ||
			    !near(jnum(ev[k], "dur"), (end - l->start) * 1000.0, 0.002))
				CT__FAIL("%s: ts %.3f dur %.3f, expected %.3f %.3f", l->name, jnum(ev[k], "ts"),
					 jnum(ev[k], "dur"), l->start * 1000.0, (end - l->start) * 1000.0);
			CT_EQ_INT(jnum(a, "level"), l->level);
			CT_EQ_INT(jnum(a, "seq"), k);
			if (l->end) {
				CT_TRUE(near(jnum(a, "cum_ms"), l->cum, 0.0006));
				CT_TRUE(near(jnum(a, "self_ms"), l->self, 0.0006));
				CT_TRUE(!jv_get(a, "note"));
			} else {
				CT_TRUE(!jv_get(a, "cum_ms") && !jv_get(a, "self_ms"));
				CT_TRUE(jstr(a, "note") && strstr(jstr(a, "note"), "did not finish"));
			}
			if (l->parent >= 0)
				CT_EQ_INT(jnum(a, "parent"), l->parent);
			else
				CT_TRUE(!jv_get(a, "parent"));
		}
		/* the worker thread is named; the main thread is the process's */
		for (size_t i = 0; evs && i < evs->n; i++) {
			const struct jv *e = evs->items[i];

			if (is(jstr(e, "ph"), "M") && is(jstr(e, "name"), "thread_name") && jnum(e, "pid") == RUNTIME &&
			    jnum(e, "tid") == WORKER)
				named = is(jstr(jv_get(e, "args"), "name"), "python3 thread 105 (python)");
		}
		CT_TRUE(named);
		/* the Go package init keeps its slice on the agent's track */
		for (size_t i = 0, go = 0; evs && i <= evs->n; i++) {
			if (i == evs->n) {
				CT_EQ_INT(go, 1);
				break;
			}
			go += is(jstr(evs->items[i], "cat"), "go_init") && jnum(evs->items[i], "pid") == AGENT;
		}
	}
	jv_free(v);
	fixture_free(&f);
}

/* ---- SVG ---- */

/* The rect whose class is one of the loads' and title starts with "NAME (". */
static const struct tag *py_rect(const struct tags *ts, const char *name)
{
	char pre[300];

	snprintf(pre, sizeof(pre), "%s (", name);
	for (size_t i = 0; i < ts->n; i++) {
		const struct tag *t = &ts->v[i];
		const char *c = tattr(t, "class");

		if (!strcmp(t->name, "rect") && c && (is(c, "pyimp") || is(c, "pyimp2") || is(c, "pyopen")) &&
		    !strncmp(t->text, pre, strlen(pre)))
			return t;
	}
	return NULL;
}

static const struct tag *text_of(const struct tags *ts, const char *cls, const char *text)
{
	for (size_t i = 0; i < ts->n; i++)
		if (!strcmp(ts->v[i].name, "text") && is(tattr(&ts->v[i], "class"), cls) &&
		    !strncmp(ts->v[i].text, text, strlen(text)))
			return &ts->v[i];
	return NULL;
}

/* CT_PYPICS_SVG=FILE writes the picture there, to look at. */
static void svg(const struct fixture *f, struct tags *ts, struct strbuf *sb)
{
	const char *path = getenv("CT_PYPICS_SVG");

	sb_init(sb);
	ct_render_svg_tls(&f->m, &f->tls, sb, &ropts);
	if (path && *path && sb->buf) {
		FILE *o = fopen(path, "w");

		CT_TRUE(o != NULL);
		if (o) {
			fputs(sb->buf, o);
			fclose(o);
			printf("  wrote %s\n", path);
		}
	}
	CT_TRUE(sb->buf && !strncmp(sb->buf, "<?xml", 5));
	CT_TRUE(sb->buf && strstr(sb->buf, "</svg>\n") == sb->buf + sb->len - 7);
	svg_parse(sb->buf ? sb->buf : "", ts);
}

CT_TEST(svg_band)
{
	struct fixture f;
	struct tags ts;
	struct strbuf sb;
	const struct tag *enc, *app, *wm, *t, *rows[NLOADS] = {0};
	size_t top = 0;

	build(&f);
	svg(&f, &ts, &sb);
	/* one bar per load of the three levels drawn; x.b (level 3) is folded
	 * into x.a, whose tooltip counts it */
	for (size_t k = 0; k < NLOADS; k++)
		rows[k] = py_rect(&ts, loads[k].name);
	for (size_t k = 0; k < NLOADS; k++) {
		if (loads[k].level >= 3) {
			CT_TRUE(!rows[k]);
			continue;
		}
		if (!rows[k]) {
			CT__FAIL("svg: no bar for %s", loads[k].name);
			continue;
		}
		/* the top level is the band; the others thinner rows under it */
		CT_TRUE(tnum(rows[k], "height") == (loads[k].level ? 5 : 11));
		CT_TRUE(tnum(rows[k], "y") > tnum(rows[0], "y") - 0.01 + (loads[k].level ? 11 : 0));
		if (loads[k].level)
			CT_TRUE(tnum(rows[k], "y") < tnum(rows[0], "y") + 11 + 6 * loads[k].level);
		top += loads[k].level == 0;
	}
	for (size_t i = 0, n = 0; i <= ts.n; i++) {
		if (i == ts.n) {
			CT_EQ_INT(n, top); /* nothing else of height 11 */
			break;
		}
		n += !strcmp(ts.v[i].name, "rect") && tnum(&ts.v[i], "height") == 11 &&
		     (is(tattr(&ts.v[i], "class"), "pyimp") || is(tattr(&ts.v[i], "class"), "pyimp2") ||
		      is(tattr(&ts.v[i], "class"), "pyopen"));
	}
	CT_EQ_INT(top, 3);
	enc = rows[0];
	app = rows[5];
	wm = rows[7];
	CT_EQ_STR(enc ? enc->text : NULL, "encodings (cum 1.000 ms, self 0.400 ms)");
	CT_EQ_STR(app ? app->text : NULL, "app (cum 5.000 ms, self 3.500 ms)");
	CT_TRUE(rows[3] && strstr(rows[3]->text, "x.a (cum 0.100 ms, self 0.070 ms)") &&
		strstr(rows[3]->text, "with 1 deeper load inside it"));
	CT_TRUE(wm && is(tattr(wm, "class"), "pyopen") && strstr(wm->text, "did not finish") &&
		strstr(wm->text, "thread 105"));
	/* the worker thread's loads on a band of their own, under the main
	 * thread's three rows, named */
	CT_TRUE(wm && rows[3] && tnum(wm, "y") > tnum(rows[3], "y") + 5);
	t = text_of(&ts, "n", "    thread 105");
	CT_TRUE(t && wm && near(tnum(t, "y"), tnum(wm, "y") + 10, 0.01));
	/* alternating colours along the top level */
	CT_TRUE(enc && app && strcmp(tattr(enc, "class"), tattr(app, "class")));
	/* on the picture's one time axis: widths as the times, app 5 ms and
	 * encodings 1 ms, app starting 2 ms after encodings ended */
	if (enc && app && wm) {
		double per_ms = tnum(enc, "width"); /* to 0.005 px: times 26, to 0.13 */

		CT_TRUE(near(tnum(app, "width"), 5 * per_ms, 0.05));
		CT_TRUE(near(tnum(app, "x") - tnum(enc, "x"), 2 * per_ms, 0.05));
		CT_TRUE(near(tnum(wm, "width"), 26 * per_ms, 0.3));
	}
	/* labels: app's bar carries its name, encodings' is too narrow */
	t = text_of(&ts, "py", "app");
	CT_TRUE(t && is(t->text, "app") && app && tnum(t, "x") > tnum(app, "x"));
	CT_TRUE(!text_of(&ts, "py", "encodings"));
	CT_TRUE(text_of(&ts, "n", "  python imports") != NULL);
	/* the figures beside the main thread's last top-level load */
	t = text_of(&ts, "s py-s", "8 module loads, 3 top-level (6.000 ms)");
	CT_TRUE(t && app && near(tnum(t, "x"), tnum(app, "x") + tnum(app, "width") + 4, 0.02));
	/* the legend, and Go's band still there */
	t = NULL;
	for (size_t i = 0; i + 1 < ts.n; i++)
		if (is(tattr(&ts.v[i], "class"), "pyimp") && tnum(&ts.v[i], "height") == 12 &&
		    !strncmp(ts.v[i + 1].text, "Python import", 13))
			t = &ts.v[i];
	CT_TRUE(t && tnum(t, "height") == 12);
	CT_TRUE(text_of(&ts, "l", "Python import (a module load") != NULL);
	CT_TRUE(text_of(&ts, "l", "Python import not finished") != NULL);
	CT_TRUE(sb.buf && strstr(sb.buf, "rect.pyimp {"));
	CT_TRUE(sb.buf && strstr(sb.buf, "<rect class=\"pkg\""));
	free(ts.v);
	sb_free(&sb);
	fixture_free(&f);
}

/* Without Python loads the picture has no Python band, legend or style. */
CT_TEST(svg_no_python)
{
	struct ct_model m;
	struct strbuf sb;

	ct_model_init(&m, &ops);
	mb_exec(&m, AGENT, 1, MS(0.5), "/sandbox/ct-agent");
	mb_exit(&m, AGENT, MS(5.0), 0);
	ct_model_finish(&m);
	sb_init(&sb);
	ct_render_svg(&m, &sb, &ropts);
	CT_TRUE(sb.buf && !strstr(sb.buf, "pyimp") && !strstr(sb.buf, "Python import"));
	sb_free(&sb);
	ct_model_free(&m);
}

/* ---- OTLP ---- */

static const struct jv *attr(const struct jv *span, const char *key)
{
	const struct jv *a = jv_get(span, "attributes");

	for (size_t i = 0; a && i < a->n; i++)
		if (is(jstr(a->items[i], "key"), key))
			return jv_get(a->items[i], "value");
	return NULL;
}

/* A span's [start, end] in ms of the trace (times are unix ns). */
static bool span_at(const struct jv *s, double from_ms, double to_ms)
{
	unsigned long long a, b, base = 1700000000000000000ull + MS(0);

	if (!s || !jv__decimal(jv_get(s, "startTimeUnixNano"), &a) || !jv__decimal(jv_get(s, "endTimeUnixNano"), &b))
		return false;
	return near((double)(a - base) / 1e6, from_ms, 1e-6) && near((double)(b - base) / 1e6, to_ms, 1e-6);
}

CT_TEST(otlp_nesting)
{
	struct fixture f;
	struct strbuf sb;
	struct jv *v;
	char err[256];
	size_t nspans = 0;

	build(&f);
	sb_init(&sb);
	ct_render_otlp_tls(&f.m, &f.tls, &sb, &ropts);
	v = jv_parse(sb.buf, sb.len, err, sizeof(err));
	if (!v)
		CT__FAIL("otlp: %s", err);
	else if (ct_check_otlp(v, err, sizeof(err), &nspans))
		CT__FAIL("%s", err);
	if (v) {
		const struct jv *rs = jv_get(v, "resourceSpans");
		const struct jv *ss = rs && rs->n ? jv_get(rs->items[0], "scopeSpans") : NULL;
		const struct jv *sp = ss && ss->n ? jv_get(ss->items[0], "spans") : NULL, *by[NLOADS] = {0};
		const char *proc = NULL;
		size_t n = 0;

		for (size_t i = 0; sp && i < sp->n; i++) {
			const struct jv *s = sp->items[i], *mod = attr(s, "python.module");

			if (is(jstr(s, "name"), "process python3"))
				proc = jstr(s, "spanId");
			if (!mod)
				continue;
			for (size_t k = 0; k < NLOADS; k++)
				if (is(jstr(mod, "stringValue"), loads[k].name) && is(jstr(s, "name"), loads[k].name))
					by[k] = s;
			n++;
		}
		CT_EQ_INT(n, NLOADS);
		CT_TRUE(proc != NULL);
		for (size_t k = 0; k < NLOADS; k++) {
			const struct load *l = &loads[k];
			const struct jv *s = by[k];
			const char *want = l->parent >= 0 && by[l->parent] ? jstr(by[l->parent], "spanId") : proc;

			if (!s) {
				CT__FAIL("otlp: no span for %s", l->name);
				continue;
			}
			/* nested under its parent load's span, else the process's */
			if (!is(jstr(s, "parentSpanId"), want))
				CT__FAIL("otlp: %s's parent is %s, not %s", l->name, jstr(s, "parentSpanId"), want);
			CT_TRUE(span_at(s, l->start, l->end ? l->end : 50.0));
			CT_EQ_STR(jstr(attr(s, "python.import.level"), "intValue"), l->level == 0 ? "0" :
							 l->level == 1 ? "1" : l->level == 2 ? "2" : "3");
			if (l->end) {
				CT_TRUE(near(jnum(attr(s, "python.import.cum_ms"), "doubleValue"), l->cum, 0.0006));
				CT_TRUE(near(jnum(attr(s, "python.import.self_ms"), "doubleValue"), l->self, 0.0006));
				CT_TRUE(!attr(s, "python.import.ended"));
			} else {
				CT_TRUE(!attr(s, "python.import.cum_ms"));
				CT_TRUE(attr(s, "python.import.ended") && !jv_get(attr(s, "python.import.ended"), "boolValue")->b);
			}
		}
		/* x.b two levels under encodings: x.b -> x.a -> encodings.aliases -> encodings */
		CT_TRUE(by[4] && by[3] && is(jstr(by[4], "parentSpanId"), jstr(by[3], "spanId")));
		CT_TRUE(by[2] && is(jstr(by[3], "parentSpanId"), jstr(by[2], "spanId")));
		CT_TRUE(by[0] && is(jstr(by[2], "parentSpanId"), jstr(by[0], "spanId")));
	}
	jv_free(v);
	sb_free(&sb);
	fixture_free(&f);
}

int main(void)
{
	CT_RUN(perfetto_loads);
	CT_RUN(svg_band);
	CT_RUN(svg_no_python);
	CT_RUN(otlp_nesting);
	return ct_summary();
}
