// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The svg view's axis focused on the cold starts (issue 17): from the agent's
 * exec to the response, 5% more each side, what the trace has before and
 * after folded at a zig-zag edge with its real duration; --full
 * (ct_render_opts.full) the whole trace; labels clear of the marks.
 *
 * The trace (ms from the driver's exec at 0): driver 100 exec 0; agent 101
 * exec 20, a log line every 2 ms from 21 to 71 and one at 200 (after the
 * cold start), exit 380; runtime 102 exec 30, exit 375; true 103 forked 200,
 * exit 210; driver exit 400. The
 * cold start: agent exec 20 -> response 70 (50 ms). A second one, with
 * TWO: agent exec 100 -> response 150. Without a timeline: no cold start.
 */
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "model.h"
#include "model_build.h"
#include "phases.h"
#include "render.h"
#include "svg_tags.h"
#include "tl_build.h"

#define DRIVER 100
#define AGENT 101
#define RUNTIME 102

/* svg.c's plot: its left end and width */
#define X0 262.0
#define PW (1400 - X0 - 24.0)

struct fixture {
	struct ct_model m;
	struct ct_timelines tls;
};

static void timeline(struct ct_timeline *tl, const struct ct_model *m, double exec, double resp)
{
	tl_base(tl, m, AGENT, RUNTIME);
	ms_(tl, CT_MS_AGENT_EXEC, exec, AGENT);
	ms_(tl, CT_MS_RUNTIME_EXEC, exec + 10, RUNTIME);
	ms_(tl, CT_MS_RESPONSE, resp, RUNTIME);
	ph_(tl, CT_PH_TOTAL, CT_MS_AGENT_EXEC, CT_MS_RESPONSE, 0, CT_PK_TOTAL, false, AGENT);
	ph_(tl, CT_PH_FUNC_INIT, CT_MS_RUNTIME_EXEC, CT_MS_RESPONSE, 1, CT_PK_RUNTIME, true, RUNTIME);
	tl->t0 = MS(exec);
	tl->t_end = MS(resp);
	tl->complete = true;
}

static void build(struct fixture *f, size_t ntl)
{
	struct ct_model *m = &f->m;

	memset(f, 0, sizeof(*f));
	ct_model_init(m, NULL);
	mb_exec(m, DRIVER, 1, MS(0.0), "/sandbox/ct-driver");
	mb_fork(m, DRIVER, AGENT, MS(19.9));
	mb_exec(m, AGENT, DRIVER, MS(20.0), "/sandbox/ct-agent");
	mb_fork(m, AGENT, RUNTIME, MS(29.9));
	mb_exec(m, RUNTIME, AGENT, MS(30.0), "/var/task/bootstrap");
	for (int i = 0; i <= 25; i++)
		mb_log(m, AGENT, MS(21.0 + 2 * i), "END RequestId: req-1");
	mb_log(m, AGENT, MS(200.0), "END RequestId: req-late");
	mb_fork(m, DRIVER, 103, MS(200.0)); /* all of it after the cold start */
	mb_exec(m, 103, DRIVER, MS(200.5), "/bin/true");
	mb_exit(m, 103, MS(210.0), 0);
	mb_exit(m, RUNTIME, MS(375.0), 0);
	mb_exit(m, AGENT, MS(380.0), 0);
	mb_exit(m, DRIVER, MS(400.0), 0);
	ct_model_finish(m);
	if (!ntl)
		return;
	f->tls.v = calloc(ntl, sizeof(*f->tls.v));
	CT_TRUE(f->tls.v != NULL);
	if (!f->tls.v)
		return;
	f->tls.n = ntl;
	timeline(&f->tls.v[0], m, 20.0, 70.0);
	if (ntl > 1)
		timeline(&f->tls.v[1], m, 100.0, 150.0);
}

static void fixture_free(struct fixture *f)
{
	free(f->tls.v);
	ct_model_free(&f->m);
}

/* CT_SVGFOCUS_SVG=DIR writes each picture there (DIR/svgfocus-N.svg). */
static void svg(const struct fixture *f, bool full, struct tags *ts, struct strbuf *sb)
{
	static int nth;
	const char *dir = getenv("CT_SVGFOCUS_SVG");
	struct ct_render_opts o = {.command = "ct-driver", .top = 3, .full = full};

	sb_init(sb);
	ct_render_svg_tls(&f->m, &f->tls, sb, &o);
	if (dir && *dir && sb->buf) {
		char path[1024];
		FILE *out;

		snprintf(path, sizeof(path), "%s/svgfocus-%d.svg", dir, ++nth);
		if ((out = fopen(path, "w"))) {
			fputs(sb->buf, out);
			fclose(out);
		}
	}
	CT_TRUE(sb->buf && strstr(sb->buf, "</svg>\n") == sb->buf + sb->len - 7);
	svg_parse(sb->buf ? sb->buf : "", ts);
}

/* The first tag name of class cls whose text starts with text. */
static const struct tag *tfind(const struct tags *ts, const char *name, const char *cls, const char *text)
{
	for (size_t i = 0; i < ts->n; i++) {
		const struct tag *t = &ts->v[i];
		const char *c = tattr(t, "class");

		if (!strcmp(t->name, name) && c && !strcmp(c, cls) && !strncmp(t->text, text, strlen(text)))
			return t;
	}
	return NULL;
}

static size_t tcount(const struct tags *ts, const char *name, const char *cls)
{
	size_t n = 0;

	for (size_t i = 0; i < ts->n; i++) {
		const char *c = tattr(&ts->v[i], "class");

		n += !strcmp(ts->v[i].name, name) && c && !strcmp(c, cls);
	}
	return n;
}

static bool near(double a, double b)
{
	return a > b - 0.02 && a < b + 0.02;
}

/* x of time ms on an axis [lo, hi] (ms) */
static double x_on(double lo, double hi, double ms)
{
	return X0 + (ms - lo) * PW / (hi - lo);
}

/* A text's box, as svg.c estimates it (at least as wide: 7.6 px a char). */
static void text_box(const struct tag *t, double *x1, double *x2)
{
	const char *a = tattr(t, "text-anchor");
	double w = 0;

	for (const unsigned char *p = (const unsigned char *)t->text; *p; p++)
		if ((*p & 0xc0) != 0x80)
			w += *p == ' ' || *p == '.' || *p == ',' ? 4.0 : 6.6;
	*x1 = a && !strcmp(a, "end") ? tnum(t, "x") - w : tnum(t, "x");
	*x2 = *x1 + w;
}

/* No label ("l" class) of the plot covers a log mark of its band. */
static void no_label_on_marks(const struct tags *ts)
{
	for (size_t i = 0; i < ts->n; i++) {
		const struct tag *t = &ts->v[i];
		const char *c = tattr(t, "class");
		double x1, x2, y = tnum(t, "y");

		if (strcmp(t->name, "text") || !c || strncmp(c, "l", 1) || tnum(t, "x") < X0)
			continue;
		text_box(t, &x1, &x2);
		for (size_t k = 0; k < ts->n; k++) {
			const struct tag *mk = &ts->v[k];
			const char *mc = tattr(mk, "class");
			double mx = tnum(mk, "x"), my = tnum(mk, "y");

			if (strcmp(mk->name, "rect") || !mc || strcmp(mc, "log"))
				continue;
			/* the mark spans [my, my + 18]; the text [y - 9, y + 2] */
			if (mx + 2 > x1 && mx < x2 && my < y + 2 && my + 18 > y - 9) {
				CT__FAIL("label \"%s\" at %.1f..%.1f, y %.1f over the log mark at x %.1f y %.1f", t->text, x1,
					 x2, y, mx, my);
				return;
			}
		}
	}
}

CT_TEST(focused_axis_and_folds)
{
	struct fixture f;
	struct tags ts;
	struct strbuf sb;
	const struct tag *t;
	double lo = 20.0 - 2.5, hi = 70.0 + 2.5; /* 5% of 50 ms each side */

	build(&f, 1);
	svg(&f, false, &ts, &sb);
	/* the cold start spans the axis but its margins */
	t = tfind(&ts, "rect", "total", "cold start (50.000 ms)");
	CT_TRUE(t != NULL);
	if (t) {
		CT_TRUE(near(tnum(t, "x"), x_on(lo, hi, 20.0)));
		CT_TRUE(near(tnum(t, "width"), 50.0 * PW / (hi - lo)));
	}
	/* the folds: what comes before and after, their real durations */
	CT_TRUE(tfind(&ts, "text", "l fold", "\xe2\x80\xa6 17.500 ms before") != NULL);
	CT_TRUE(tfind(&ts, "text", "l fold", "\xe2\x80\xa6 +327.500 ms until the tree exited") != NULL);
	CT_EQ_INT(tcount(&ts, "path", "foldline"), 2);
	/* bars cut by them torn: the driver's both ends, the agent's, the
	 * runtime's, the cold start's and the state bands' none (no spans) */
	CT_EQ_INT(tcount(&ts, "path", "torn"), 4);
	/* the agent's bar is cut at the right edge, its label its whole life */
	t = tfind(&ts, "rect", "agent", "ct-agent pid 101 (360.000 ms): exit 0");
	CT_TRUE(t != NULL);
	if (t)
		CT_TRUE(near(tnum(t, "x") + tnum(t, "width"), X0 + PW));
	CT_TRUE(tfind(&ts, "text", "l", "360.100 ms, exit 0") != NULL);
	/* the driver began before the axis: drawn from its start */
	t = tfind(&ts, "rect", "proc", "ct-driver pid 100 (400.000 ms)");
	CT_TRUE(t && near(tnum(t, "x"), X0) && near(tnum(t, "width"), PW));
	/* a process all after the axis: at its edge, labelled left of it */
	t = tfind(&ts, "text", "l", "10.000 ms, exit 0");
	CT_TRUE(t && tattr(t, "text-anchor") && tnum(t, "x") < X0 + PW);
	/* the log marks on the axis (21 .. 71), not the one at 200 ms; and
	 * the legend's */
	CT_EQ_INT(tcount(&ts, "rect", "log"), 26 + 1);
	CT_TRUE(!tfind(&ts, "rect", "log", "END RequestId: req-late"));
	/* the grid's ticks: times since the trace's start, on the axis only */
	t = tfind(&ts, "text", "t", "20 ms");
	CT_TRUE(t && near(tnum(t, "x"), x_on(lo, hi, 20.0)));
	CT_TRUE(!tfind(&ts, "text", "t", "0 ms"));
	CT_TRUE(!tfind(&ts, "text", "t", "100 ms"));
	no_label_on_marks(&ts);
	free(ts.v);
	sb_free(&sb);
	fixture_free(&f);
}

CT_TEST(label_clear_of_marks)
{
	struct fixture f;
	struct tags ts;
	struct strbuf sb;
	const struct tag *bar, *lab;

	/* marks every 2 ms along the agent's bar: no gap wide enough for its
	 * label, which goes on a line under the bar */
	build(&f, 1);
	svg(&f, false, &ts, &sb);
	bar = tfind(&ts, "rect", "agent", "ct-agent pid 101");
	lab = tfind(&ts, "text", "l", "360.100 ms, exit 0");
	CT_TRUE(bar && lab);
	if (bar && lab)
		CT_TRUE(tnum(lab, "y") - 9 >= tnum(bar, "y") + tnum(bar, "height"));
	no_label_on_marks(&ts);
	free(ts.v);
	sb_free(&sb);
	fixture_free(&f);
}

CT_TEST(full_shows_everything)
{
	struct fixture f;
	struct tags ts;
	struct strbuf sb;
	const struct tag *t;

	build(&f, 1);
	svg(&f, true, &ts, &sb);
	t = tfind(&ts, "rect", "total", "cold start (50.000 ms)");
	CT_TRUE(t && near(tnum(t, "x"), x_on(0, 400, 20.0)) && near(tnum(t, "width"), 50.0 * PW / 400));
	CT_EQ_INT(tcount(&ts, "path", "foldline"), 0);
	CT_EQ_INT(tcount(&ts, "text", "l fold"), 0);
	CT_EQ_INT(tcount(&ts, "rect", "log"), 27 + 1);
	CT_TRUE(tfind(&ts, "text", "t", "0 ms") != NULL);
	no_label_on_marks(&ts);
	free(ts.v);
	sb_free(&sb);
	fixture_free(&f);
}

CT_TEST(two_cold_starts)
{
	struct fixture f;
	struct tags ts;
	struct strbuf sb;
	const struct tag *t;
	/* 5% of 130 ms after; before, 20 ms: less than a quarter of 130, not
	 * folded */
	double lo = 0, hi = 150.0 + 6.5;

	build(&f, 2);
	svg(&f, false, &ts, &sb);
	t = tfind(&ts, "rect", "total", "cold start (50.000 ms)");
	CT_TRUE(t && near(tnum(t, "x"), x_on(lo, hi, 20.0)));
	CT_EQ_INT(tcount(&ts, "path", "foldline"), 1);
	{ /* the second cold start's bar */
		const struct tag *second = NULL;
		size_t n = 0;

		for (size_t i = 0; i < ts.n; i++)
			if (!strcmp(ts.v[i].name, "rect") && !strncmp(ts.v[i].text, "cold start (50.000 ms)", 22) &&
			    ++n == 2)
				second = &ts.v[i];
		CT_TRUE(second && near(tnum(second, "x"), x_on(lo, hi, 100.0)));
	}
	CT_TRUE(tfind(&ts, "text", "l fold", "\xe2\x80\xa6 +243.500 ms until the tree exited") != NULL);
	free(ts.v);
	sb_free(&sb);
	fixture_free(&f);
}

CT_TEST(no_cold_start_whole_trace)
{
	struct fixture f;
	struct tags ts;
	struct strbuf sb;
	const struct tag *t;

	build(&f, 0);
	svg(&f, false, &ts, &sb);
	CT_EQ_INT(tcount(&ts, "path", "foldline"), 0);
	t = tfind(&ts, "rect", "proc", "ct-driver pid 100 (400.000 ms)");
	CT_TRUE(t && near(tnum(t, "x"), X0) && near(tnum(t, "width"), PW));
	t = tfind(&ts, "rect", "proc", "ct-agent pid 101 (360.000 ms)");
	CT_TRUE(t && near(tnum(t, "x"), x_on(0, 400, 20.0)));
	free(ts.v);
	sb_free(&sb);
	fixture_free(&f);
}

int main(void)
{
	CT_RUN(focused_axis_and_folds);
	CT_RUN(label_clear_of_marks);
	CT_RUN(full_shows_everything);
	CT_RUN(two_cold_starts);
	CT_RUN(no_cold_start_whole_trace);
	return ct_summary();
}
