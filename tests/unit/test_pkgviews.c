// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Go package inits in the picture views (issue 17): the svg's zoomed band
 * (its layout, pkgband.h: bars in Go's order, narrow packages grouped,
 * labels clear of each other; then the picture of three Go programs) and
 * perfetto's one slice per package of every Go process.
 *
 * The model (ms from the trace's start): driver 100 exec 0; agent 101 exec
 * 0.5, Go, 91 package inits from 1.0 (most 3 us, every tenth 40 us, p50
 * 300 us); extension 103 exec 11, Go, 12 inits from 11.6; runtime 102 exec
 * 18, Go, 400 inits from 18.5 (2 to 6 us, every 37th 80 us); the response
 * at 40, exits at 50.
 */
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "json_check.h"
#include "model.h"
#include "model_build.h"
#include "phases.h"
#include "pkgband.h"
#include "render.h"
#include "svg_tags.h"
#include "tl_build.h"

#define DRIVER 100
#define AGENT 101
#define RUNTIME 102
#define EXT 103

/* svg.c's plot: its left end and width */
#define X0 262.0
#define PW (1400 - X0 - 24.0)

/* ---- the layout, on packages written here ---- */

static double dabs(double x)
{
	return x < 0 ? -x : x;
}

static void pkg(struct ct_pkginit *pk, const char *name, double start_us, double end_us)
{
	memset(pk, 0, sizeof(*pk));
	snprintf(pk->pkg, sizeof(pk->pkg), "%s", name);
	pk->start = (uint64_t)(1e9 + start_us * 1e3 + 0.5);
	pk->end = end_us > 0 ? (uint64_t)(1e9 + end_us * 1e3 + 0.5) : 0;
}

/*
 * What every layout must be: bars covering pkgs[0, n) once each, in order,
 * left to right, inside [x0, x0 + w], at least 1 px; a group only of
 * packages narrower than CT_PKGB_MIN_W; their times adding up; labels
 * inside [x0, x0 + w], inside their bar or on a label row where no other
 * label is within CT_PKGB_GAP and no leader line of a lower label crosses
 * them; the slowest package labelled.
 */
static void check_layout(const struct ct_pkginit *pkgs, size_t n, uint64_t open_end, double x0, double w,
			 const struct ct_pkgband *b)
{
	size_t next = 0, slowest = 0;
	uint64_t sum = 0, bsum = 0;
	double scale = w / (double)b->span;
	bool slowest_labelled = false;

	for (size_t k = 0; k < n; k++) {
		uint64_t d = ct_pkgb_end(&pkgs[k], open_end) - pkgs[k].start;

		sum += d;
		if (d > ct_pkgb_end(&pkgs[slowest], open_end) - pkgs[slowest].start)
			slowest = k;
	}
	CT_TRUE(b->nbars > 0 && b->nbars <= n);
	for (size_t i = 0; i < b->nbars; i++) {
		const struct ct_pkgb_bar *r = &b->bars[i];

		CT_EQ_U64(r->first, next);
		CT_TRUE(r->n >= 1);
		next = r->first + r->n;
		CT_TRUE(r->x1 >= x0 - 1e-6 && r->x2 <= x0 + w + 1 + 1e-6 && r->x2 - r->x1 >= 1 - 1e-9);
		if (i)
			CT_TRUE(r->x1 >= b->bars[i - 1].x1);
		for (size_t k = r->first; r->n > 1 && k < r->first + r->n; k++)
			CT_TRUE((double)(ct_pkgb_end(&pkgs[k], open_end) - pkgs[k].start) * scale < CT_PKGB_MIN_W);
		bsum += r->ns;
	}
	CT_EQ_U64(next, n);
	CT_EQ_U64(bsum, sum);
	CT_TRUE(b->lanes >= 0 && b->lanes <= CT_PKGB_LANES);
	for (size_t i = 0; i < b->nlabels; i++) {
		const struct ct_pkgb_label *l = &b->labels[i];
		const struct ct_pkgb_bar *r = &b->bars[l->bar];

		CT_TRUE(l->bar < b->nbars);
		CT_TRUE(dabs(l->w - ct_svg_text_w(l->text, strlen(l->text))) < 1e-9);
		CT_TRUE(l->x >= x0 - 1e-6 && l->x + l->w <= x0 + w + 1e-6);
		CT_TRUE(l->lane >= -1 && l->lane < b->lanes);
		if (l->lane < 0)
			CT_TRUE(l->x >= r->x1 && l->x + l->w <= r->x2);
		else
			CT_TRUE(l->cx >= l->x && l->cx <= l->x + l->w); /* under its bar */
		if (r->n == 1 && r->first == slowest)
			slowest_labelled = true;
		for (size_t j = 0; j < b->nlabels; j++) {
			const struct ct_pkgb_label *o = &b->labels[j];

			if (j == i || o->lane < 0 || l->lane < 0)
				continue;
			if (o->lane == l->lane && (l->x < o->x + o->w + CT_PKGB_GAP && o->x < l->x + l->w + CT_PKGB_GAP))
				CT__FAIL("labels \"%s\" and \"%s\" overlap on row %d", l->text, o->text, l->lane);
			if (o->lane > l->lane && o->cx >= l->x && o->cx <= l->x + l->w)
				CT__FAIL("the leader of \"%s\" crosses \"%s\"", o->text, l->text);
		}
	}
	CT_TRUE(slowest_labelled);
}

CT_TEST(layout_wide_bars_labelled_inside)
{
	struct ct_pkginit p[4];
	struct ct_pkgband b;

	pkg(&p[0], "a", 0, 1000);
	pkg(&p[1], "b", 1000, 3000);
	pkg(&p[2], "c", 3000, 6000);
	pkg(&p[3], "d", 6000, 10000);
	CT_EQ_INT(ct_pkgband_layout(p, 4, 0, 100, 1000, &b), 0);
	CT_EQ_U64(b.t0, p[0].start);
	CT_EQ_U64(b.span, 10000000);
	CT_EQ_U64(b.nbars, 4);
	for (size_t i = 0; i < 4; i++) {
		CT_EQ_U64(b.bars[i].first, i);
		CT_EQ_U64(b.bars[i].n, 1);
	}
	CT_TRUE(dabs(b.bars[1].x1 - 200) < 1e-6 && dabs(b.bars[1].x2 - 400) < 1e-6);
	CT_TRUE(dabs(b.bars[3].x1 - 700) < 1e-6 && dabs(b.bars[3].x2 - 1100) < 1e-6);
	CT_EQ_U64(b.nlabels, 4);
	CT_EQ_STR(b.labels[0].text, "d 4.000 ms"); /* the slowest first */
	CT_EQ_STR(b.labels[3].text, "a 1.000 ms");
	for (size_t i = 0; i < 4; i++)
		CT_EQ_INT(b.labels[i].lane, -1);
	CT_EQ_INT(b.lanes, 0);
	check_layout(p, 4, 0, 100, 1000, &b);
	ct_pkgband_free(&b);
	CT_EQ_INT(ct_pkgband_layout(p, 0, 0, 100, 1000, &b), -1);
	CT_TRUE(b.bars == NULL && b.nbars == 0);
}

/* 1 px a us: narrow neighbours form a group, a gap wider than
 * CT_PKGB_MIN_W or a wide package ends it; a lone narrow one stays itself. */
CT_TEST(layout_groups)
{
	struct ct_pkginit p[7];
	struct ct_pkgband b;

	pkg(&p[0], "n0", 0, 0.5);
	pkg(&p[1], "n1", 0.6, 1.1);
	pkg(&p[2], "n2", 1.2, 1.5);
	pkg(&p[3], "n3", 500, 500.5); /* after a gap */
	pkg(&p[4], "wide", 500.6, 900);
	pkg(&p[5], "n5", 900.1, 900.4);
	pkg(&p[6], "n6", 999.5, 1000);
	CT_EQ_INT(ct_pkgband_layout(p, 7, 0, 0, 1000, &b), 0);
	CT_EQ_U64(b.nbars, 5);
	CT_EQ_U64(b.bars[0].n, 3);
	CT_EQ_U64(b.bars[0].ns, 500 + 500 + 300);
	CT_EQ_U64(b.bars[1].first, 3);
	CT_EQ_U64(b.bars[1].n, 1);
	CT_EQ_U64(b.bars[2].first, 4);
	CT_EQ_U64(b.bars[3].first, 5);
	CT_EQ_U64(b.bars[4].first, 6);
	CT_TRUE(b.bars[1].x2 - b.bars[1].x1 >= 1); /* drawn 1 px wide at least */
	CT_TRUE(!strncmp(b.labels[0].text, "wide 399.400 ms", 15) || !strncmp(b.labels[0].text, "wide 0.399", 10));
	check_layout(p, 7, 0, 0, 1000, &b);
	ct_pkgband_free(&b);
}

/* A package that never returned runs to open_end, the axis with it. */
CT_TEST(layout_open_package)
{
	struct ct_pkginit p[2];
	struct ct_pkgband b;
	uint64_t open_end = (uint64_t)(1e9 + 400e3);

	pkg(&p[0], "done", 0, 100);
	pkg(&p[1], "stuck", 100, 0);
	CT_EQ_INT(ct_pkgband_layout(p, 2, open_end, 0, 400, &b), 0);
	CT_EQ_U64(b.span, 400000);
	CT_EQ_U64(b.bars[1].ns, 300000);
	CT_TRUE(dabs(b.bars[1].x2 - 400) < 1e-6);
	check_layout(p, 2, open_end, 0, 400, &b);
	ct_pkgband_free(&b);
}

/* Long names are cut to their last path element; 400 packages of a few us
 * and a few slow ones: far fewer bars than packages, the slow ones labelled,
 * and on a narrow plot the labels still clear of each other. */
CT_TEST(layout_many_packages)
{
	size_t n = 400;
	struct ct_pkginit *p = calloc(n, sizeof(*p));
	struct ct_pkgband b;
	double t = 0;
	char name[96];

	CT_TRUE(p != NULL);
	if (!p)
		return;
	for (size_t k = 0; k < n; k++) {
		double d = k % 37 == 0 ? 80 : 2 + (double)(k % 5);

		snprintf(name, sizeof(name), "github.com/example/bigprog/internal/mod%03zu", k);
		pkg(&p[k], name, t, t + d);
		t += d + 0.5;
	}
	CT_EQ_INT(ct_pkgband_layout(p, n, 0, X0, PW, &b), 0);
	check_layout(p, n, 0, X0, PW, &b);
	CT_TRUE(b.nbars < n / 4);
	CT_TRUE(b.nlabels >= 11); /* the 11 slow ones at least */
	CT_TRUE(!strcmp(b.labels[0].text, ".../mod000 0.080 ms"));
	for (size_t i = 0; i < b.nbars; i++)
		if (b.bars[i].n == 1 && b.bars[i].ns == 80000) {
			bool found = false;

			for (size_t j = 0; j < b.nlabels; j++)
				found |= b.labels[j].bar == i;
			CT_TRUE(found);
		}
	ct_pkgband_free(&b);
	/* narrow: fewer labels, none overlapping */
	CT_EQ_INT(ct_pkgband_layout(p, n, 0, 0, 300, &b), 0);
	check_layout(p, n, 0, 0, 300, &b);
	ct_pkgband_free(&b);
	free(p);
}

/* ---- the views, on a model of three Go programs ---- */

static const char *pkg_of(void *ctx, uint32_t bin, uint32_t kind, uint64_t ip, uint64_t fn)
{
	static char buf[96];
	unsigned long long i = (fn >> 12) - 1; /* go_inits: package k has fn k + 1 */

	(void)ctx, (void)kind, (void)ip;
	if (bin == 2)
		snprintf(buf, sizeof(buf), "github.com/example/bigprog/internal/mod%03llu", i);
	else
		snprintf(buf, sizeof(buf), "example.com/%s/p%llu", bin == 1 ? "agent" : "ext", i);
	return buf;
}

static const char *go_version(void *ctx, uint32_t bin)
{
	(void)ctx, (void)bin;
	return "go1.22.0";
}

static struct ct_model_ops ops = {.pkg_of = pkg_of, .bin_version = go_version};

/* n package inits of pid's Go binary bin from at (ms), each dur_us(k) long,
 * 0.5 us apart. */
static void go_inits(struct ct_model *m, uint32_t pid, uint32_t bin, double at, size_t n, double (*dur_us)(size_t))
{
	double t = at * 1000;

	mb_go(m, pid, bin, MS(at - 0.1), CT_GO_RTSTART, MS(at - 0.1));
	for (size_t k = 0; k < n; k++) {
		mb_go(m, pid, bin, MS(t / 1000), CT_GO_TASKSTART, 0x1000ull * (k + 1));
		t += dur_us(k);
		mb_go(m, pid, bin, MS(t / 1000), CT_GO_TASKEND, 0);
		t += 0.5;
	}
	mb_go(m, pid, bin, MS(t / 1000 + 0.01), CT_GO_MAINMAIN, 0);
}

static double agent_us(size_t k)
{
	return k == 50 ? 300 : k % 10 == 0 ? 40 : 3;
}

static double runtime_us(size_t k)
{
	return k % 37 == 0 ? 80 : 2 + (double)(k % 5);
}

static double ext_us(size_t k)
{
	return 20 + 10 * (double)k;
}

struct fixture {
	struct ct_model m;
	struct ct_timelines tls;
};

static void build(struct fixture *f)
{
	struct ct_model *m = &f->m;
	struct ct_timeline *tl;
	struct ct_extension *e;

	memset(f, 0, sizeof(*f));
	ct_model_init(m, &ops);
	mb_exec(m, DRIVER, 1, MS(0.0), "/sandbox/ct-driver");
	mb_fork(m, DRIVER, AGENT, MS(0.2));
	mb_exec(m, AGENT, DRIVER, MS(0.5), "/sandbox/ct-agent");
	go_inits(m, AGENT, 1, 1.0, 91, agent_us);
	mb_fork(m, AGENT, EXT, MS(10.9));
	mb_exec(m, EXT, AGENT, MS(11.0), "/opt/extensions/ct-ext-go");
	go_inits(m, EXT, 3, 11.6, 12, ext_us);
	mb_fork(m, AGENT, RUNTIME, MS(17.9));
	mb_exec(m, RUNTIME, AGENT, MS(18.0), "/var/task/bootstrap");
	go_inits(m, RUNTIME, 2, 18.5, 400, runtime_us);
	mb_exit(m, RUNTIME, MS(50.0), 0);
	mb_exit(m, EXT, MS(50.2), 0);
	mb_exit(m, AGENT, MS(50.5), 0);
	mb_exit(m, DRIVER, MS(51.0), 0);
	ct_model_finish(m);

	f->tls.v = calloc(1, sizeof(*f->tls.v));
	e = calloc(1, sizeof(*e));
	CT_TRUE(f->tls.v != NULL && e != NULL);
	if (!f->tls.v || !e) {
		free(e);
		return;
	}
	f->tls.n = 1;
	tl = &f->tls.v[0];
	tl_base(tl, m, AGENT, RUNTIME);
	ms_(tl, CT_MS_AGENT_EXEC, 0.5, AGENT);
	ms_(tl, CT_MS_RUNTIME_EXEC, 18.0, RUNTIME);
	ms_(tl, CT_MS_RESPONSE, 40.0, RUNTIME);
	ph_(tl, CT_PH_TOTAL, CT_MS_AGENT_EXEC, CT_MS_RESPONSE, 0, CT_PK_TOTAL, false, AGENT);
	tl->t0 = MS(0.5);
	tl->t_end = MS(40.0);
	tl->complete = true;
	snprintf(e->name, sizeof(e->name), "ct-ext-go");
	e->proc = ct_model_proc_const(m, EXT);
	e->pid = EXT;
	e->image = e->go_image = e->proc ? &e->proc->images[0] : NULL;
	e->exec_ts = MS(11.0);
	tl->ext = e;
	tl->next = 1;
}

static void fixture_free(struct fixture *f)
{
	if (f->tls.v)
		free(f->tls.v[0].ext);
	free(f->tls.v);
	ct_model_free(&f->m);
}

static const struct ct_image *go_image(const struct ct_model *m, uint32_t pid)
{
	const struct ct_proc *p = ct_model_proc_const(m, pid);

	for (size_t j = 0; p && j < p->nimages; j++)
		if (p->images[j].npkgs)
			return &p->images[j];
	return NULL;
}

static bool is_pkg_bar(const struct tag *t)
{
	const char *c = tattr(t, "class");

	return !strcmp(t->name, "rect") && c &&
	       (!strcmp(c, "pkg") || !strcmp(c, "pkg2") || !strcmp(c, "pkgg") || !strcmp(c, "pkgopen"));
}

/* CT_PKGVIEWS_SVG=FILE writes the picture there. */
CT_TEST(svg_zoomed_bands)
{
	static const uint32_t pids[] = {AGENT, EXT, RUNTIME};
	static const char *const slowest[] = {"example.com/agent/p50 0.300 ms", "example.com/ext/p11 0.130 ms",
					      ".../mod000 0.080 ms"};
	struct ct_render_opts o = {.command = "ct-driver", .top = 3};
	struct fixture f;
	struct strbuf sb;
	struct tags ts;
	const char *dump = getenv("CT_PKGVIEWS_SVG");

	build(&f);
	if (!f.tls.n) {
		fixture_free(&f);
		return;
	}
	sb_init(&sb);
	ct_render_svg_tls(&f.m, &f.tls, &sb, &o);
	CT_TRUE(sb.buf != NULL);
	if (!sb.buf) {
		fixture_free(&f);
		return;
	}
	if (dump && *dump) {
		FILE *out = fopen(dump, "w");

		if (out) {
			fputs(sb.buf, out);
			fclose(out);
		}
	}
	svg_parse(sb.buf, &ts);
	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		const struct ct_image *im = go_image(&f.m, pids[i]);
		char want[64];
		size_t frame = ts.n, nbars = 0, npk = 0, main_bars = 0;
		struct ct_pkgband pb;
		bool labelled = false;

		CT_TRUE(im != NULL);
		if (!im)
			continue;
		/* its zoom frame; after it its bars (14 high), in Go's order, every package once */
		snprintf(want, sizeof(want), "pid %u: its %zu Go package inits zoomed", pids[i], im->npkgs);
		for (size_t k = 0; k < ts.n && frame == ts.n; k++)
			if (!strcmp(ts.v[k].name, "rect") && tattr(&ts.v[k], "class") &&
			    !strcmp(tattr(&ts.v[k], "class"), "zoomf") && !strncmp(ts.v[k].text, want, strlen(want)))
				frame = k;
		CT_TRUE(frame < ts.n);
		if (frame == ts.n)
			continue;
		for (size_t k = 0; k < frame; k++) /* the main axis's thin bars */
			if (is_pkg_bar(&ts.v[k]) && dabs(tnum(&ts.v[k], "height") - 9) < 1e-6 &&
			    strstr(ts.v[k].text, "example") && k + 3 * im->npkgs > frame)
				main_bars++;
		CT_TRUE(main_bars >= im->npkgs);
		CT_EQ_INT(ct_pkgband_layout(im->pkgs, im->npkgs, 0, X0, PW, &pb), 0);
		for (size_t k = frame + 1; k < ts.n; k++) {
			const struct tag *t = &ts.v[k];

			if (!strcmp(t->name, "rect") && tattr(t, "class") && !strcmp(tattr(t, "class"), "zoomf"))
				break;
			if (strcmp(t->name, "text") == 0 && tattr(t, "class") && !strcmp(tattr(t, "class"), "l pk"))
				labelled |= !strcmp(t->text, slowest[i]);
			if (!is_pkg_bar(t) || dabs(tnum(t, "height") - 14) > 1e-6)
				continue;
			if (nbars < pb.nbars) {
				const struct ct_pkgb_bar *b = &pb.bars[nbars];
				const struct ct_pkginit *pk = &im->pkgs[b->first];

				CT_TRUE(dabs(tnum(t, "x") - b->x1) < 0.01);
				if (b->n == 1) {
					CT_TRUE(!strncmp(t->text, pk->pkg, strlen(pk->pkg)) && t->text[strlen(pk->pkg)] == ' ');
				} else {
					snprintf(want, sizeof(want), "%zu packages, ", b->n);
					CT_TRUE(!strncmp(t->text, want, strlen(want)));
					CT_TRUE(strstr(t->text, pk->pkg) != NULL); /* the list, from its first */
					CT_EQ_STR(tattr(t, "class"), "pkgg");
				}
				npk += b->n;
			}
			nbars++;
		}
		CT_EQ_U64(nbars, pb.nbars);
		CT_EQ_U64(npk, im->npkgs);
		CT_TRUE(labelled);
		if (pids[i] == RUNTIME)
			CT_TRUE(pb.nbars < 100); /* 400 packages, grouped */
		ct_pkgband_free(&pb);
	}
	/* the labels of the zoomed bands clear of each other (as estimated) */
	for (size_t i = 0; i < ts.n; i++) {
		const struct tag *a = &ts.v[i];

		if (strcmp(a->name, "text") || !tattr(a, "class") || strcmp(tattr(a, "class"), "l pk"))
			continue;
		for (size_t k = i + 1; k < ts.n; k++) {
			const struct tag *b = &ts.v[k];
			double ax = tnum(a, "x"), bx = tnum(b, "x");

			if (strcmp(b->name, "text") || !tattr(b, "class") || strcmp(tattr(b, "class"), "l pk") ||
			    dabs(tnum(a, "y") - tnum(b, "y")) >= 11)
				continue;
			if (ax < bx + ct_svg_text_w(b->text, strlen(b->text)) &&
			    bx < ax + ct_svg_text_w(a->text, strlen(a->text)))
				CT__FAIL("label \"%s\" over \"%s\"", a->text, b->text);
		}
	}
	CT_TRUE(strstr(sb.buf, "91 Go package inits (") != NULL);
	CT_TRUE(strstr(sb.buf, "400 Go package inits (") != NULL);
	CT_TRUE(strstr(sb.buf, "12 Go package inits (") != NULL);
	CT_TRUE(strstr(sb.buf, "Go package inits grouped") != NULL); /* the legend */
	free(ts.v);
	sb_free(&sb);
	fixture_free(&f);
}

/* perfetto: every Go process (agent, extension, runtime) has one slice
 * (ph X, cat go_init) per package init on its own track, named after the
 * package, in Go's order (args.seq), as long as the init. */
CT_TEST(perfetto_slices_every_go_process)
{
	static const uint32_t pids[] = {AGENT, EXT, RUNTIME};
	struct ct_render_opts o = {.command = "ct-driver", .top = 3};
	struct fixture f;
	struct strbuf sb;
	struct jv *v;
	const struct jv *evs;
	char err[256];
	size_t ngo = 0;

	build(&f);
	if (!f.tls.n) {
		fixture_free(&f);
		return;
	}
	for (size_t i = 0; i < f.m.nprocs; i++)
		ngo += go_image(&f.m, f.m.procs[i].pid) != NULL;
	CT_EQ_U64(ngo, 3);
	sb_init(&sb);
	ct_render_perfetto_tls(&f.m, &f.tls, &sb, &o);
	v = jv_parse(sb.buf ? sb.buf : "", sb.len, err, sizeof(err));
	CT_TRUE(v != NULL);
	if (v && ct_check_perfetto(v, 1, err, sizeof(err)))
		CT__FAIL("%s", err);
	evs = jv_get(v, "traceEvents");
	CT_TRUE(evs && evs->t == JV_ARR);
	for (size_t i = 0; evs && i < sizeof(pids) / sizeof(pids[0]); i++) {
		const struct ct_image *im = go_image(&f.m, pids[i]);
		size_t seen = 0;

		for (size_t k = 0; im && k < evs->n; k++) {
			const struct jv *ev = evs->items[k], *cat = jv_get(ev, "cat"), *args = jv_get(ev, "args");
			const struct jv *seq = jv_get(args, "seq"), *name = jv_get(ev, "name"), *dur = jv_get(ev, "dur");
			const struct ct_pkginit *pk;

			if (!cat || cat->t != JV_STR || strcmp(cat->str, "go_init") ||
			    jv_get(ev, "pid")->num != (double)pids[i])
				continue;
			CT_EQ_STR(jv_get(ev, "ph")->str, "X");
			CT_TRUE(jv_get(ev, "tid")->num == (double)pids[i]);
			CT_TRUE(seq && seq->num == (double)seen);
			if (!seq || seq->num != (double)seen || seen >= im->npkgs)
				break;
			pk = &im->pkgs[seen];
			CT_EQ_STR(name->str, pk->pkg);
			CT_TRUE(dur && dabs(dur->num - (double)(pk->end - pk->start) / 1e3) < 0.002);
			seen++;
		}
		if (seen != (im ? im->npkgs : 1))
			CT__FAIL("pid %u: %zu package slices of %zu", pids[i], seen, im ? im->npkgs : 0);
	}
	jv_free(v);
	sb_free(&sb);
	fixture_free(&f);
}

int main(void)
{
	CT_RUN(layout_wide_bars_labelled_inside);
	CT_RUN(layout_groups);
	CT_RUN(layout_open_package);
	CT_RUN(layout_many_packages);
	CT_RUN(svg_zoomed_bands);
	CT_RUN(perfetto_slices_every_go_process);
	return ct_summary();
}
