// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report -f svg (reportsvg.c, issue 17): the runs' spread as pictures.
 *
 * Runs written here: A, 11 runs, B, 7 runs (other durations), with phases
 * (one only in B, one with a long name, one with markup and a control byte
 * in it), a Go program with 13 packages. Checked: a well-formed standalone
 * SVG 1.1 without external resources; every phase a row; each p50/p90/p99
 * mark at ct_percentile's value, placed on the row's axis as its ticks say,
 * and its number the text report's; every run a dot; --compare: both sides
 * in every row, in the text compare's order (phases, the top packages);
 * no text over another or over a dot or mark (boxes from above: DejaVu
 * Sans's advances rounded up, the whole font size high).
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "report.h"
#include "strbuf.h"
#include "svg_tags.h"

#define MS_NS 1000000ull
#define W     1400.0

static const char *const phase_names[] = {
	"total",
	"agent_init",
	"function_init",
	"runtime_start",
	"a_very_long_phase_name_that_goes_on_and_on_and_on_and_on_and_on_and_on_and_on",
	"odd<&>\\u0001name",
};
#define NPH  (sizeof(phase_names) / sizeof(phase_names[0]))
#define NPKG 13

/* Run k of side b (0 A, 1 B): durations that differ per run and side. */
static void make_run(struct strbuf *sb, unsigned k, int b)
{
	uint64_t exec = 1000 * MS_NS, t;

	sb_reset(sb);
	sb_puts(sb, "{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n");
	for (size_t i = 0; i < NPH; i++)
		sb_printf(sb, "{\"type\":\"phase\",\"name\":\"%s\",\"dur_ns\":%llu}\n",
			  i == 5 ? "odd<&>\\u0001name" : phase_names[i],
			  (unsigned long long)((i + 1) * 7 * MS_NS +
					       k * k * 131071 * (i + 1) * (b ? 3 : 2) +
					       (b && i == 1 ? 9 * MS_NS : 0)));
	if (b)
		sb_printf(sb, "{\"type\":\"phase\",\"name\":\"extensions_wait\",\"dur_ns\":%llu}\n",
			  (unsigned long long)(2 * MS_NS + k * 1000));
	sb_printf(sb,
		  "{\"type\":\"exec\",\"pid\":7,\"ts_ns\":%llu,\"path\":\"/sandbox/ct-agent\"}\n",
		  (unsigned long long)exec);
	t = exec + 300000 + k * 10000;
	sb_printf(sb, "{\"type\":\"go_runtime\",\"pid\":7,\"ts_ns\":%llu}\n",
		  (unsigned long long)t);
	for (unsigned p = 0; p < NPKG; p++) {
		uint64_t clock = (p + 1) * 20000 + k * 1000 * (b && p % 3 == 0 ? p + 3 : 1);

		sb_printf(sb,
			  "{\"type\":\"go_init\",\"pid\":7,\"pkg\":\"example.com/"
			  "pkg%02u\",\"end_ns\":%llu,\"clock_ns\":%llu}\n",
			  p, (unsigned long long)(t + clock), (unsigned long long)clock);
		t += clock;
	}
	sb_printf(sb, "{\"type\":\"go_main\",\"pid\":7,\"ts_ns\":%llu}\n",
		  (unsigned long long)(t + 5000));
	sb_puts(sb, "{\"type\":\"summary\",\"complete\":true}\n");
}

static struct ct_report *side(int b, unsigned nruns)
{
	struct ct_report *r = ct_report_new();
	struct strbuf sb;
	char err[256], name[32];

	sb_init(&sb);
	for (unsigned k = 1; k <= nruns; k++) {
		make_run(&sb, k, b);
		snprintf(name, sizeof(name), "%c%u.jsonl", b ? 'b' : 'a', k);
		if (ct_report_add_buffer(r, name, sb.buf, sb.len, err, sizeof(err)))
			CT__FAIL("%s: %s", name, err);
	}
	sb_free(&sb);
	return r;
}

/* ---- reading the picture ---- */

static bool has_cls(const struct tag *t, const char *c)
{
	const char *v = tattr(t, "class");
	size_t n = strlen(c);

	for (const char *p = v; p && (p = strstr(p, c)); p += n)
		if ((p == v || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* The dots (svg_tags.h reads no <circle>): centre, radius, tooltip. */
struct dot {
	double cx, cy, r;
	char tip[64];
};

static size_t dots_of(const char *svg, struct dot *v, size_t max)
{
	size_t n = 0;

	for (const char *p = strstr(svg, "<circle "); p && n < max; p = strstr(p + 1, "<circle ")) {
		const char *cx = strstr(p, " cx=\""), *cy = strstr(p, " cy=\""),
			   *r = strstr(p, " r=\""), *t = strstr(p, "<title>");
		const char *end = strchr(p, '>');

		if (!cx || !cy || !r || cx > end || cy > end || r > end) {
			CT__FAIL("a circle without cx, cy, r: \"%.60s\"", p);
			return n;
		}
		v[n].cx = atof(cx + 5), v[n].cy = atof(cy + 5), v[n].r = atof(r + 4);
		v[n].tip[0] = 0;
		if (t && t == end + 1)
			sscanf(t + 7, "%63[^<]", v[n].tip);
		n++;
	}
	return n;
}

/* Standalone SVG 1.1, balanced, nothing fetched from elsewhere. */
static void check_wellformed(const char *svg, struct tags *tg)
{
	CT_TRUE(!strncmp(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"", 36));
	CT_TRUE(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"") != NULL);
	CT_TRUE(strlen(svg) > 7 && !strcmp(svg + strlen(svg) - 7, "</svg>\n"));
	CT_TRUE(!strstr(svg, "href") && !strstr(svg, "url(") && !strstr(svg, "@import") &&
		!strstr(svg, "<script"));
	/* the only raw '&' are entities */
	for (const char *p = strchr(svg, '&'); p; p = strchr(p + 1, '&'))
		if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
		    strncmp(p, "&quot;", 6) && strncmp(p, "&apos;", 6)) {
			CT__FAIL("a raw & at \"%.20s\"", p);
			break;
		}
	for (const char *p = svg; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n') {
			CT__FAIL("a control byte 0x%02x in the svg", *p);
			break;
		}
	for (size_t i = 0, n = strlen(svg), l; i < n; i += l)
		if (!(l = utf8_seq_len((const unsigned char *)svg + i, n - i))) {
			CT__FAIL("not UTF-8 at \"%.20s\"", svg + i);
			break;
		}
	svg_parse(svg, tg);
}

/* A text's box, from above: DejaVu Sans's advances rounded up (as
 * reportsvg.c estimates them), the whole font size above the baseline and
 * a third under it. */
static void text_box(const struct tag *t, double b[4])
{
	bool bold = has_cls(t, "title") || has_cls(t, "h") || has_cls(t, "up") ||
		    has_cls(t, "down") || has_cls(t, "same");
	double px = has_cls(t, "title")			   ? 17
		    : has_cls(t, "h") || has_cls(t, "sub") ? 12
		    : has_cls(t, "t") || has_cls(t, "c")   ? 10
							   : 11;
	const char *anchor = tattr(t, "text-anchor");
	double w = 0, x = tnum(t, "x"), y = tnum(t, "y");

	for (const unsigned char *s = (const unsigned char *)t->text; *s; s++) {
		if ((*s & 0xc0) == 0x80)
			continue;
		w += *s >= 0x80 || strchr("mwMW%@", *s)			  ? 1.0
		     : isupper(*s)					  ? 0.8
		     : strchr("ijlft.,:;!|'()[]/- \\{}", *s)		  ? 0.42
		     : isalnum(*s) || *s == '_' || *s == '"' || *s == '*' ? 0.66
									  : 0.86;
	}
	w *= px * (bold ? 1.12 : 1.0);
	b[0] = anchor && !strcmp(anchor, "middle") ? x - w / 2
	       : anchor && !strcmp(anchor, "end")  ? x - w
						   : x;
	b[1] = y - px;
	b[2] = b[0] + w;
	b[3] = y + px / 3;
}

/* A mark's box. */
static bool mark_box(const struct tag *t, double b[4])
{
	if (!strcmp(t->name, "line") &&
	    (has_cls(t, "p50") || has_cls(t, "p90") || has_cls(t, "p99"))) {
		b[0] = tnum(t, "x1") - 1.5, b[1] = tnum(t, "y1"), b[2] = tnum(t, "x1") + 1.5,
		b[3] = tnum(t, "y2");
		return true;
	}
	return false;
}

static bool hit(const double a[4], const double b[4])
{
	return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/* No text over another text, a dot or a mark; every text in the picture. */
static void check_overlaps(const struct tags *tg, const struct dot *dv, size_t nd)
{
	size_t n = 0, bad = 0;

	for (size_t i = 0; i < tg->n; i++) {
		double a[4], b[4];

		if (strcmp(tg->v[i].name, "text"))
			continue;
		n++;
		text_box(&tg->v[i], a);
		if (a[0] < 0 || a[2] > W) {
			CT__FAIL("text \"%s\" out of the picture (%.0f-%.0f)", tg->v[i].text, a[0],
				 a[2]);
			bad++;
		}
		for (size_t j = 0; j < tg->n && bad < 5; j++) {
			if (j == i)
				continue;
			if (!strcmp(tg->v[j].name, "text") && j > i) {
				text_box(&tg->v[j], b);
				if (hit(a, b)) {
					CT__FAIL("text \"%s\" over text \"%s\"", tg->v[i].text,
						 tg->v[j].text);
					bad++;
				}
			} else if (mark_box(&tg->v[j], b) && hit(a, b)) {
				CT__FAIL("text \"%s\" over %s \"%s\"", tg->v[i].text, tg->v[j].name,
					 tg->v[j].text);
				bad++;
			}
		}
		for (size_t j = 0; j < nd && bad < 5; j++) {
			double d[4] = {dv[j].cx - dv[j].r, dv[j].cy - dv[j].r, dv[j].cx + dv[j].r,
				       dv[j].cy + dv[j].r};

			if (hit(a, d)) {
				CT__FAIL("text \"%s\" over the dot \"%s\"", tg->v[i].text,
					 dv[j].tip);
				bad++;
			}
		}
	}
	CT_TRUE(n > 20);
}

/* The row whose name (class n) starts with name, from tag *at on: its
 * index, *at past it; -1 if none. */
static long find_row(const struct tags *tg, const char *name, size_t *at)
{
	for (size_t i = *at; i < tg->n; i++)
		if (!strcmp(tg->v[i].name, "text") && has_cls(&tg->v[i], "n") &&
		    !strncmp(tg->v[i].text, name, strlen(name))) {
			*at = i + 1;
			return (long)i;
		}
	return -1;
}

/*
 * The row at index i: its ticks (text class t, "V ms") give its axis;
 * each mark of side who ("A ", "B ", "") must be at ct_percentile of the
 * samples v[0..n), its title that value as the text report prints it
 * (%.3f ms), and there must be one dot per sample.
 */
static void check_row(const struct tags *tg, const struct dot *dv, size_t nd, size_t i,
		      const char *who, const uint64_t *v, size_t n)
{
	double t0 = NAN, x0 = 0, slope = NAN, ylo = tnum(&tg->v[i], "y") - 14, yhi = ylo;
	size_t dots = 0, marks = 0;
	size_t k;

	for (k = i + 1; k < tg->n; k++) {
		const struct tag *t = &tg->v[k];

		if (!strcmp(t->name, "text") && has_cls(t, "n"))
			break; /* the next row */
		if (!strcmp(t->name, "text") && has_cls(t, "t")) {
			double val = atof(t->text), x = tnum(t, "x");

			yhi = tnum(t, "y");
			if (isnan(t0))
				t0 = val, x0 = x;
			else if (isnan(slope))
				slope = (x - x0) / (val - t0);
		}
	}
	if (isnan(slope)) {
		CT__FAIL("row \"%s\": fewer than two ticks", tg->v[i].text);
		return;
	}
	for (size_t j = i + 1; j < k; j++) {
		const struct tag *t = &tg->v[j];
		char want[64];

		if (strcmp(t->name, "line") || strncmp(t->text, who, strlen(who)))
			continue;
		for (unsigned p = 50; p <= 99; p += p == 50 ? 40 : 9) {
			char cls[8];
			uint64_t pv = ct_percentile(v, n, p);

			snprintf(cls, sizeof(cls), "p%u", p);
			if (!has_cls(t, cls))
				continue;
			marks++;
			snprintf(want, sizeof(want), "%sp%u %.3f ms", who, p, (double)pv / 1e6);
			CT_EQ_STR(t->text, want);
			if (fabs(tnum(t, "x1") - (x0 + ((double)pv / 1e6 - t0) * slope)) > 0.05)
				CT__FAIL("row \"%s\": %s at x %.2f, its axis puts %.3f ms at %.2f",
					 tg->v[i].text, want, tnum(t, "x1"), (double)pv / 1e6,
					 x0 + ((double)pv / 1e6 - t0) * slope);
		}
	}
	for (size_t j = 0; j < nd; j++)
		if (dv[j].cy > ylo && dv[j].cy < yhi && !strncmp(dv[j].tip, who, strlen(who)) &&
		    (who[0] || isdigit((unsigned char)dv[j].tip[0]))) {
			dots++;
			if (dv[j].cx < x0 - 0.01 ||
			    dv[j].cx > x0 + ((double)v[n - 1] / 1e6 - t0) * slope + 0.05)
				CT__FAIL("row \"%s\": dot %s at x %.2f off its axis", tg->v[i].text,
					 dv[j].tip, dv[j].cx);
		}
	CT_EQ_INT(marks, n ? 3 : 0);
	CT_EQ_INT(dots, n);
}

static char *render(struct ct_report *a, struct ct_report *b, const struct ct_report_opts *o)
{
	struct strbuf sb;

	sb_init(&sb);
	if (b)
		ct_report_render_compare_svg(a, b, &sb, o);
	else
		ct_report_render_svg(a, &sb, o);
	CT_TRUE(!sb.oom && sb.buf);
	return sb.buf;
}

CT_TEST(one_side)
{
	struct ct_report *r = side(0, 11);
	struct ct_report_opts o = {.top = 0};
	char *svg = render(r, NULL, &o);
	struct tags tg = {0};
	size_t at = 0, nd;
	struct ct_stats st;
	static struct dot dv[2000];

	check_wellformed(svg, &tg);
	nd = dots_of(svg, dv, 2000);
	CT_TRUE(strstr(svg, "coldtrace report: 11 runs") != NULL);
	/* every phase a row, in the text's order, its marks at its percentiles */
	for (size_t i = 0; i < NPH; i++) {
		const char *name = i == 5 ? "odd<&> name" : phase_names[i];
		struct ct_report_series s = {.kind = CT_RK_PHASE,
					     .name = i == 5 ? "odd<&>\x01name" : phase_names[i]};
		const uint64_t *v;
		size_t n = ct_report_samples(r, &s, &v);
		long row = find_row(&tg, i == 4 ? "a_very_long_phase" : name, &at);

		CT_EQ_INT(n, 11);
		CT_TRUE(row >= 0);
		if (row < 0)
			continue;
		/* the numbers are the text report's */
		CT_TRUE(ct_report_phase_stats(r, s.name, &st, NULL));
		CT_EQ_U64(ct_percentile(v, n, 50), st.p50);
		CT_EQ_U64(ct_percentile(v, n, 90), st.p90);
		CT_EQ_U64(ct_percentile(v, n, 99), st.p99);
		check_row(&tg, dv, nd, (size_t)row, "", v, n);
	}
	/* the long name cut with its whole self as the tooltip */
	CT_TRUE(strstr(svg, "<title>a_very_long_phase_name_that_goes_on_and_on_and_on_and_on_and_"
			    "on_and_on_and_on</title>") != NULL);
	/* startup figures, then the top 10 packages of 13, slowest first */
	CT_TRUE(find_row(&tg, "ct-agent: exec -> Go runtime start", &at) >= 0);
	CT_TRUE(find_row(&tg, "ct-agent: exec -> main.main", &at) >= 0);
	CT_TRUE(strstr(svg, "slowest package inits by p50 (10 of 13)") != NULL);
	for (int p = NPKG - 1; p >= NPKG - 10; p--) {
		char name[64];
		struct ct_report_series s = {.kind = CT_RK_PKG, .prog = "ct-agent", .name = name};
		const uint64_t *v;
		size_t n;
		long row;

		snprintf(name, sizeof(name), "example.com/pkg%02d", p);
		n = ct_report_samples(r, &s, &v);
		row = find_row(&tg, name, &at);
		CT_TRUE(row >= 0);
		if (row >= 0)
			check_row(&tg, dv, nd, (size_t)row, "", v, n);
	}
	CT_TRUE(!strstr(svg, "example.com/pkg02"));
	check_overlaps(&tg, dv, nd);
	free(tg.v);
	free(svg);

	/* --top 3: three packages */
	o.top = 3;
	svg = render(r, NULL, &o);
	CT_TRUE(strstr(svg, "slowest package inits by p50 (3 of 13)") != NULL);
	CT_TRUE(strstr(svg, "example.com/pkg10") && !strstr(svg, "example.com/pkg09"));
	free(svg);
	ct_report_free(r);
}

/* The names of a section of the text compare, in its order: the first
 * word (two for packages) of each row under the line starting with title. */
static size_t text_rows(const char *text, const char *title, bool two, char names[][96], size_t max)
{
	const char *p = strstr(text, title);
	size_t n = 0;

	if (!p)
		return 0;
	for (p = strchr(p, '\n'); p && p[1] == ' ' && p[2] == ' ' && n < max;
	     p = strchr(p + 1, '\n')) {
		int len = 0;

		if (two)
			sscanf(p + 3, "%*s %n", &len);
		sscanf(p + 3 + len, "%95s", names[n]);
		n++;
	}
	return n;
}

CT_TEST(compare)
{
	struct ct_report *a = side(0, 11), *b = side(1, 7);
	struct ct_report_opts o = {.top = 4};
	char *svg = render(a, b, &o), names[32][96];
	struct strbuf text;
	struct tags tg = {0};
	size_t at = 0, n, nd;
	static struct dot dv[2000];

	check_wellformed(svg, &tg);
	nd = dots_of(svg, dv, 2000);
	CT_TRUE(strstr(svg, "A, before: 11 runs") != NULL);
	CT_TRUE(strstr(svg, "B, after: 7 runs") != NULL);
	sb_init(&text);
	ct_report_render_compare(a, b, &text, &o);
	/* the headline is the text compare's */
	{
		char head[200];
		const char *nl = strchr(text.buf, '\n');

		bool found = false;

		snprintf(head, sizeof(head), "%.*s", (int)(strchr(nl + 1, '\n') - nl - 1), nl + 1);
		for (size_t i = 0; i < tg.n; i++)
			found |= !strcmp(tg.v[i].name, "text") && has_cls(&tg.v[i], "sub") &&
				 !strcmp(tg.v[i].text, head);
		if (!found)
			CT__FAIL("the headline \"%s\" is not the svg's", head);
	}
	/* phases: the text compare's order, both sides in each, marks at
	 * their percentiles */
	n = text_rows(text.buf, "phase ", false, names, 32);
	CT_EQ_INT(n, NPH + 1);
	for (size_t i = 0; i < n; i++) {
		struct ct_report_series s = {.kind = CT_RK_PHASE, .name = names[i]};
		const uint64_t *va, *vb;
		size_t na, nb;
		long row;

		if (!strncmp(names[i], "odd", 3))
			s.name = "odd<&>\x01name";
		if (!strncmp(names[i], "a_very", 6))
			s.name = phase_names[4];
		na = ct_report_samples(a, &s, &va);
		nb = ct_report_samples(b, &s, &vb);
		row = find_row(&tg,
			       !strncmp(names[i], "odd", 3)	 ? "odd<&> name"
			       : !strncmp(names[i], "a_very", 6) ? "a_very"
								 : names[i],
			       &at);
		if (row < 0) {
			CT__FAIL("phase %s: not the %zu-th row as in the text compare", names[i],
				 i + 1);
			continue;
		}
		CT_EQ_INT(nb, 7);
		CT_EQ_INT(na, strcmp(names[i], "extensions_wait") ? 11 : 0);
		check_row(&tg, dv, nd, (size_t)row, "A ", va, na);
		check_row(&tg, dv, nd, (size_t)row, "B ", vb, nb);
	}
	CT_TRUE(strstr(svg, "only in B") != NULL);
	/* the packages that moved most: the text's top 4, in its order */
	n = text_rows(text.buf, "package init (", true, names, 32);
	CT_EQ_INT(n, 4);
	CT_TRUE(strstr(svg, "package inits that moved most (4 of 13,") != NULL);
	for (size_t i = 0; i < n; i++) {
		char label[160];

		snprintf(label, sizeof(label), "%.96s", names[i]);
		CT_TRUE(find_row(&tg, label, &at) >= 0);
	}
	check_overlaps(&tg, dv, nd);
	sb_free(&text);
	free(tg.v);
	free(svg);
	ct_report_free(a);
	ct_report_free(b);
}

/* Names that are not text (a NUL, control bytes, a bidi override, C1
 * controls, markup) and durations near the largest: still a well-formed
 * picture, the numbers where they belong. */
CT_TEST(hostile)
{
	struct ct_report *r = ct_report_new();
	const char run[] =
		"{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n"
		"{\"type\":\"phase\",\"name\":\"nul\\u0000cut\\u0007bell\",\"dur_ns\":5}\n"
		"{\"type\":\"phase\",\"name\":\"rtl\\u202eevil\\u0085</"
		"text>]]>\",\"dur_ns\":18446744073709551615}\n"
		"{\"type\":\"phase\",\"name\":\"zero\",\"dur_ns\":0}\n"
		"{\"type\":\"summary\",\"complete\":true}\n";
	char err[128], *svg;
	struct tags tg = {0};
	static struct dot dv[64];
	size_t nd, at = 0;
	long row;

	for (int k = 0; k < 2; k++)
		if (ct_report_add_buffer(r, "h.jsonl", run, sizeof(run) - 1, err, sizeof(err)))
			CT__FAIL("%s", err);
	svg = render(r, NULL, NULL);
	check_wellformed(svg, &tg);
	nd = dots_of(svg, dv, 64);
	CT_EQ_INT(nd, 6 + 1); /* and the legend's */
	CT_TRUE(find_row(&tg, "nul", &at) >= 0);
	row = find_row(&tg, "rtl?evil?</text>]]>", &at);
	CT_TRUE(row >= 0);
	CT_TRUE(strstr(svg, "p50 18446744073709.551 ms") ||
		strstr(svg, "p50 18446744073709.552 ms"));
	for (size_t i = 0; i < nd; i++) /* a run's dot, on its axis */
		CT_TRUE(!dv[i].tip[0] || (dv[i].cx >= 330 - 0.01 && dv[i].cx <= 1060 + 0.01));
	check_overlaps(&tg, dv, nd);
	free(tg.v);
	free(svg);
	ct_report_free(r);
}

/* Runs with nothing in them: a picture that says so. */
CT_TEST(empty)
{
	struct ct_report *r = ct_report_new();
	const char run[] = "{\"type\":\"header\",\"schema\":\"coldtrace/"
			   "1\"}\n{\"type\":\"summary\",\"complete\":true}\n";
	char err[128], *svg;
	struct tags tg = {0};

	CT_EQ_INT(ct_report_add_buffer(r, "e.jsonl", run, sizeof(run) - 1, err, sizeof(err)), 0);
	svg = render(r, NULL, NULL);
	check_wellformed(svg, &tg);
	CT_TRUE(strstr(svg, "phases: none in these runs") != NULL);
	free(tg.v);
	free(svg);
	svg = render(r, r, NULL);
	check_wellformed(svg, &tg);
	CT_TRUE(strstr(svg, "nothing measured in both A and B") != NULL);
	free(tg.v);
	free(svg);
	ct_report_free(r);
}

int main(void)
{
	CT_RUN(one_side);
	CT_RUN(compare);
	CT_RUN(hostile);
	CT_RUN(empty);
	return ct_summary();
}
