// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * coldtrace report -f svg: the runs' spread as pictures (issue 17).
 *
 * One row per row of the text report (a phase, a Go program's startup
 * figure, an extension's figure, a package, a Python import): every run's
 * value as a dot, a box from p25 to p75, a whisker from the smallest to the
 * largest, and p50 (thick), p90 (thin) and p99 (dashed) as marks across the
 * strip. Percentiles are ct_percentile's (nearest-rank), so each mark is at
 * the text report's number, printed in the right column. Each row has its
 * own axis from 0 ms, ticks under it, so a 0.2 ms phase is as readable as
 * the 80 ms total.
 *
 * --compare: per row two strips on one axis, before (A, blue) over after
 * (B, orange), the p50 difference under the row's name, rows in the text
 * compare's order (by the absolute difference of the p50s; the top
 * packages and imports).
 *
 * Every text is placed where nothing else is (its width estimated from
 * above, text_w) and cut with "..." and a tooltip where it would not fit.
 * Standalone SVG 1.1, the style of the timeline (svg.c).
 * Pure: no I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "strbuf.h"

#define W	 1400
#define NX	 12.0  /* the row names */
#define X0	 330.0 /* the plot: [X0, X1] */
#define X1	 1060.0
#define PW	 (X1 - X0)
#define XR	 1100.0 /* the numbers */
#define XRW	 (W - 8 - XR)
#define STRIP	 16.0 /* one side's strip */
#define SGAP	 3.0  /* between two strips */
#define TICK_MIN 84   /* pixels between two ticks, at least */
#define MAX_ROWS 400  /* rows per section, at most */
#define TEXT_MAX 300  /* characters of a text or tooltip */

struct rsvg {
	struct strbuf *b;
	double y;
};

/* One side of a row: its samples (ascending) and its class ("a", "b"). */
struct side {
	const uint64_t *v;
	size_t n;
	const char *cls, *who; /* who: "A " / "B " / "" */
};

/* ---- text ---- */

/* XML text from the runs (names may be any bytes): the five entities,
 * control bytes as spaces, bytes that are not UTF-8, C1 and bidi/line
 * controls as '?'. At most n bytes. */
static void esc_n(struct strbuf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < n && s[i];) {
		unsigned char c = s[i];
		size_t l;
		unsigned cp;

		if (c < 0x80) {
			if (c == '&')
				sb_puts(b, "&amp;");
			else if (c == '<')
				sb_puts(b, "&lt;");
			else if (c == '>')
				sb_puts(b, "&gt;");
			else if (c == '"')
				sb_puts(b, "&quot;");
			else if (c == '\'')
				sb_puts(b, "&apos;");
			else
				sb_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
			i++;
			continue;
		}
		l = utf8_seq_len(s + i, n - i);
		if (!l) {
			sb_putc(b, '?');
			i++;
			continue;
		}
		cp = l == 2   ? (c & 0x1fu) << 6 | (s[i + 1] & 0x3fu)
		     : l == 3 ? (c & 0x0fu) << 12 | (s[i + 1] & 0x3fu) << 6 | (s[i + 2] & 0x3fu)
			      : 0x10000; /* 4 bytes: above every control */
		if (cp <= 0x9f || cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			sb_putc(b, '?');
		else
			sb_putn(b, (const char *)s + i, l);
		i += l;
	}
}

/* The width of text at px pixels, from above: DejaVu Sans's advances (the
 * font the style asks for first), rounded up, a wide one for the rest. */
static double text_w(const char *s, size_t n, double px, bool bold)
{
	double em = 0;

	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c & 0xc0) == 0x80)
			continue; /* inside a UTF-8 character */
		if (c >= 0x80)
			em += 1.0;
		else if (strchr("mwMW%@", c))
			em += 1.0;
		else if (c >= 'A' && c <= 'Z')
			em += 0.8;
		else if (strchr("ijlft.,:;!|'()[]/- \\{}", c))
			em += 0.42;
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '"' ||
			 c == '*')
			em += 0.66;
		else
			em += 0.86; /* + - < > = # & ~ ^ $ ? */
	}
	return em * px * (bold ? 1.12 : 1.0);
}

/* cls (space-separated classes) has class c. */
static bool has_class(const char *cls, const char *c)
{
	size_t n = strlen(c);

	for (const char *p = cls; (p = strstr(p, c)); p += n)
		if ((p == cls || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* A class's font: its size and weight (the style sheet's). */
static double class_px(const char *cls, bool *bold)
{
	*bold = has_class(cls, "title") || has_class(cls, "h") || has_class(cls, "up") ||
		has_class(cls, "down") || has_class(cls, "same");
	if (has_class(cls, "title"))
		return 17;
	if (has_class(cls, "h") || has_class(cls, "sub"))
		return 12;
	if (has_class(cls, "t") || has_class(cls, "c"))
		return 10;
	return 11;
}

/* A <text> of class cls at (x, y) (anchor "start", "middle", "end"), cut to
 * maxw pixels with "…" and the whole text as its tooltip. Returns its
 * width. */
static double put_text(struct rsvg *g, const char *cls, const char *anchor, double x, double y,
		       const char *text, double maxw)
{
	bool bold;
	double px = class_px(cls, &bold);
	size_t n = strlen(text), cut = n;
	double w = text_w(text, n, px, bold);

	if (n > TEXT_MAX)
		cut = n = TEXT_MAX;
	if (w > maxw) {
		while (cut > 0 && text_w(text, cut, px, bold) + px > maxw)
			for (cut--; cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80; cut--)
				;
		w = text_w(text, cut, px, bold) + px;
		sb_puts(g->b, "<g><title>");
		esc_n(g->b, text, n);
		sb_puts(g->b, "</title>");
	}
	sb_printf(g->b, "<text class=\"%s\"", cls);
	if (strcmp(anchor, "start"))
		sb_printf(g->b, " text-anchor=\"%s\"", anchor);
	sb_printf(g->b, " x=\"%.2f\" y=\"%.1f\">", x, y);
	esc_n(g->b, text, cut);
	sb_puts(g->b, cut < n ? "\xe2\x80\xa6</text></g>\n" : "</text>\n");
	return w;
}

/* ms with the text report's 3 decimals */
static const char *ms3(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%.3f", (double)ns / 1e6);
	return buf;
}

/* ---- one row ---- */

/* A tick step of 1, 2 or 5 times a power of ten (ns): at least TICK_MIN
 * pixels apart on an axis of hi ns. */
static uint64_t tick_step(uint64_t hi)
{
	uint64_t want = (uint64_t)((double)hi * TICK_MIN / PW) + 1;

	for (uint64_t p = 1;; p *= 10) {
		if (p >= want)
			return p;
		if (2 * p >= want)
			return 2 * p;
		if (5 * p >= want)
			return 5 * p;
		if (p > UINT64_MAX / 100)
			return UINT64_MAX / 10;
	}
}

static double xat(uint64_t v, uint64_t hi)
{
	return X0 + (double)v * PW / (double)hi;
}

/* The marks of a percentile: a line across the strip at top y. */
static void pmark(struct rsvg *g, const struct side *s, unsigned pct, uint64_t hi, double y)
{
	uint64_t v = ct_percentile(s->v, s->n, pct);
	double x = xat(v, hi), in = pct == 50 ? 0 : 2.5;
	char d[32];

	sb_printf(g->b,
		  "<line class=\"p%u\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" "
		  "y2=\"%.1f\"><title>%sp%u %s ms</title></line>\n",
		  pct, x, y + in, x, y + STRIP - in, s->who, pct, ms3(d, sizeof(d), v));
}

/* One side's strip at top y: box p25-p75, whisker, dots, marks; its
 * numbers in the right column. */
static void strip(struct rsvg *g, const struct side *s, uint64_t hi, double y)
{
	double mid = y + STRIP / 2;
	char line[200], a[32], b[32], c[32];

	if (!s->n) {
		put_text(g, "l none", "start", X0 + 4, y + 12, "no sample in these runs", PW - 8);
		snprintf(line, sizeof(line), "%sno sample", s->who);
		put_text(g, "l", "start", XR, y + 12, line, XRW);
		return;
	}
	sb_printf(g->b, "<line class=\"wh %s\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n",
		  s->cls, xat(s->v[0], hi), mid, xat(s->v[s->n - 1], hi), mid);
	sb_printf(g->b,
		  "<rect class=\"box %s\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
		  "height=\"%.1f\"><title>%sp25 %s ms, p75 %s ms</title></rect>\n",
		  s->cls, xat(ct_percentile(s->v, s->n, 25), hi), y + 2,
		  xat(ct_percentile(s->v, s->n, 75), hi) - xat(ct_percentile(s->v, s->n, 25), hi) +
			  0.01,
		  STRIP - 4, s->who, ms3(a, sizeof(a), ct_percentile(s->v, s->n, 25)),
		  ms3(b, sizeof(b), ct_percentile(s->v, s->n, 75)));
	for (size_t i = 0; i < s->n;
	     i++) /* spread over the strip's height: equal values stay visible */
		sb_printf(g->b,
			  "<circle class=\"run %s\" cx=\"%.2f\" cy=\"%.1f\" r=\"2.6\"><title>%s%s "
			  "ms</title></circle>\n",
			  s->cls, xat(s->v[i], hi), mid + (double)((i * 5) % 7) * 1.5 - 4.5, s->who,
			  ms3(a, sizeof(a), s->v[i]));
	pmark(g, s, 50, hi, y);
	pmark(g, s, 90, hi, y);
	pmark(g, s, 99, hi, y);
	snprintf(line, sizeof(line), "%sp50 %s  p90 %s  p99 %s ms", s->who,
		 ms3(a, sizeof(a), ct_percentile(s->v, s->n, 50)),
		 ms3(b, sizeof(b), ct_percentile(s->v, s->n, 90)),
		 ms3(c, sizeof(c), ct_percentile(s->v, s->n, 99)));
	put_text(g, s->cls[0] == 'b' ? "l bs" : "l", "start", XR, y + 12, line, XRW);
}

/*
 * A row: its name (and, under it, note: the difference) on the left, one
 * strip per side on a shared axis from 0 to the largest sample, the axis's
 * ticks under them, foot (the counts) in the right column beside them.
 */
static void row(struct rsvg *g, const char *name, const char *note, const char *note_cls,
		const struct side *s, size_t nsides, const char *foot)
{
	uint64_t hi = 0, step, t;
	double top = g->y + 2, bottom = top + (double)nsides * (STRIP + SGAP) - SGAP,
	       ty = bottom + 12;

	for (size_t k = 0; k < nsides; k++)
		if (s[k].n && s[k].v[s[k].n - 1] > hi)
			hi = s[k].v[s[k].n - 1];
	hi = hi < UINT64_MAX - hi / 25 - 1 ? hi + hi / 25 + 1
					   : UINT64_MAX; /* the largest a little in from the end */
	step = tick_step(hi);
	put_text(g, "n", "start", NX, top + 12, name, X0 - NX - 16);
	if (note)
		put_text(g, note_cls, "start", NX + 10, top + STRIP + SGAP + 12, note,
			 X0 - NX - 26);
	for (t = 0; t <= hi; t += step) {
		double x = xat(t, hi);
		int dec = step >= 1000000  ? 0
			  : step >= 100000 ? 1
			  : step >= 10000  ? 2
			  : step >= 1000   ? 3
					   : 6;
		char lab[48];

		snprintf(lab, sizeof(lab), "%.*f ms", dec, (double)t / 1e6);
		sb_printf(g->b,
			  "<line class=\"%s\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n",
			  t ? "grid" : "axis", x, top - 1, x, bottom + 2);
		put_text(g, "t", "middle", x, ty, lab, TICK_MIN - 8);
		if (t > UINT64_MAX - step)
			break;
	}
	for (size_t k = 0; k < nsides; k++)
		strip(g, &s[k], hi, top + (double)k * (STRIP + SGAP));
	if (foot)
		put_text(g, "c", "start", XR, ty, foot, XRW);
	g->y = ty + 12;
}

/* A series' name: "phase", "program: figure", "package", "module,
 * cumulative" (the program of a package or module: in the row's foot,
 * foot_prog). */
static void series_name(const struct ct_report_series *s, char *buf, size_t len)
{
	switch (s->kind) {
	case CT_RK_PHASE: snprintf(buf, len, "%s", s->name); break;
	case CT_RK_STARTUP:
	case CT_RK_EXT: snprintf(buf, len, "%s: %s", s->prog, s->name); break;
	case CT_RK_PKG: snprintf(buf, len, "%s", s->name); break;
	default: snprintf(buf, len, "%s, %s", s->name, s->fig ? "self" : "cumulative"); break;
	}
}

/* The start of a row's foot: "program; " for a package or a module. */
static const char *foot_prog(const struct ct_report_series *s, char *buf, size_t len)
{
	if (s->kind == CT_RK_PKG || s->kind == CT_RK_PY)
		snprintf(buf, len, "%s; ", s->prog);
	else if (len)
		buf[0] = 0;
	return buf;
}

static void heading(struct rsvg *g, const char *text)
{
	g->y += 10;
	put_text(g, "h", "start", NX, g->y + 12, text, W - 2 * NX);
	g->y += 22;
}

/* ---- the picture ---- */

static const char *const section_title[CT_RK_COUNT] = {
	[CT_RK_PHASE] = "phases",
	[CT_RK_STARTUP] = "Go program startup",
	[CT_RK_EXT] = "Lambda extensions",
	[CT_RK_PKG] = "slowest package inits by p50",
	[CT_RK_PY] = "slowest Python imports by p50 cumulative",
};

static const char *const cmp_title[CT_RK_COUNT] = {
	[CT_RK_PHASE] = "phases, by the difference of their p50s",
	[CT_RK_STARTUP] = "Go program startup, by the difference of their p50s",
	[CT_RK_EXT] = "Lambda extensions, by the difference of their p50s",
	[CT_RK_PKG] = "package inits that moved most",
	[CT_RK_PY] = "Python imports that moved most",
};

static void style(struct strbuf *out, double height)
{
	sb_printf(out,
		  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		  "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
		  "height=\"%.0f\" viewBox=\"0 0 %d %.0f\">\n",
		  W, height, W, height);
	sb_puts(out, "<style type=\"text/css\">\n"
		     "text { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; font-size: "
		     "11px; fill: #222; }\n"
		     "text.title { font-size: 17px; font-weight: bold; }\n"
		     "text.sub { font-size: 12px; fill: #444; }\n"
		     "text.h { font-size: 12px; font-weight: bold; fill: #333; }\n"
		     "text.n { font-size: 11px; fill: #333; }\n"
		     "text.t { font-size: 10px; fill: #777; }\n"
		     "text.c { font-size: 10px; fill: #777; }\n"
		     "text.bs { fill: #b35806; }\n"
		     "text.none { fill: #c0392b; font-style: italic; }\n"
		     "text.up { fill: #c0392b; font-weight: bold; }\n"
		     "text.down { fill: #1b7837; font-weight: bold; }\n"
		     "text.same { fill: #555; font-weight: bold; }\n"
		     "line.grid { stroke: #e3e3e3; stroke-width: 1; }\n"
		     "line.axis { stroke: #999; stroke-width: 1; }\n"
		     "line.wh { stroke-width: 1.2; }\n"
		     "line.wh.a { stroke: #4e79a7; }\n"
		     "line.wh.b { stroke: #f28e2b; }\n"
		     "rect.box.a { fill: #a0cbe8; fill-opacity: 0.8; }\n"
		     "rect.box.b { fill: #ffbe7d; fill-opacity: 0.8; }\n"
		     "circle.run { fill-opacity: 0.75; }\n"
		     "circle.run.a { fill: #4e79a7; }\n"
		     "circle.run.b { fill: #f28e2b; }\n"
		     "line.p50 { stroke: #222; stroke-width: 3; }\n"
		     "line.p90 { stroke: #222; stroke-width: 1.5; }\n"
		     "line.p99 { stroke: #222; stroke-width: 1.5; stroke-dasharray: 2 1.5; }\n"
		     "rect:hover, circle:hover, line:hover { stroke: #000; }\n"
		     "</style>\n<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" "
		     "fill=\"#ffffff\"/>\n");
}

/* The key: what a dot, the box, the whisker and the marks are; per side
 * its colour and what it is (nsides 2: A and B). */
static void legend(struct rsvg *g, const char *const *sides, size_t nsides)
{
	static const char *const cls[2] = {"a", "b"};
	double x = NX, y = g->y, mid = y + STRIP / 2;

	for (size_t k = 0; k < nsides; k++) {
		sb_printf(g->b,
			  "<rect class=\"box %s\" x=\"%.1f\" y=\"%.1f\" width=\"22\" "
			  "height=\"%.1f\"/>\n"
			  "<circle class=\"run %s\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\"/>\n",
			  cls[k], x, y + 2, STRIP - 4, cls[k], x + 11, mid);
		x += 28 +
		     put_text(g, k ? "l bs" : "l", "start", x + 28, y + 12, sides[k],
			      W / 2.0 - 40) +
		     20;
	}
	sb_printf(g->b, "<line class=\"wh a\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
		  x, mid, x + 40, mid);
	sb_printf(g->b,
		  "<rect class=\"box a\" x=\"%.1f\" y=\"%.1f\" width=\"20\" height=\"%.1f\"/>\n",
		  x + 10, y + 2, STRIP - 4);
	sb_printf(g->b, "<circle class=\"run a\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\"/>\n", x + 4,
		  mid);
	x += 48;
	x += put_text(g, "l", "start", x, y + 12,
		      "one dot per run; box p25 to p75, line from the fastest to the slowest;",
		      W - x) +
	     8;
	for (unsigned k = 0; k < 3; k++) {
		static const unsigned pct[3] = {50, 90, 99};
		char lab[8];
		double in = k ? 2.5 : 0;

		sb_printf(g->b,
			  "<line class=\"p%u\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			  pct[k], x + 3, y + in, x + 3, y + STRIP - in);
		snprintf(lab, sizeof(lab), "p%u", pct[k]);
		x += 10 + put_text(g, "l", "start", x + 10, y + 12, lab, 40) + 10;
	}
	g->y += STRIP + 6;
}

/* The whole svg: the header then body (its height g->y). */
static void finish(struct strbuf *out, struct rsvg *g, struct strbuf *body, const char *title,
		   const char *sub, const char *sub2)
{
	struct rsvg h = {out, 0};

	style(out, g->y + 14);
	put_text(&h, "title", "start", NX, 24, title, W - 2 * NX);
	put_text(&h, "sub", "start", NX, 44, sub, W - 2 * NX);
	if (sub2)
		put_text(&h, "sub", "start", NX, 62, sub2, W - 2 * NX);
	if (body->buf)
		sb_putn(out, body->buf, body->len);
	sb_puts(out, "</svg>\n");
	sb_free(body);
}

static size_t top_of(const struct ct_report_opts *o)
{
	return o && o->top > 0 ? (size_t)o->top : CT_REPORT_TOP_DEFAULT;
}

/* The number of series of kind shown: the packages' top, both figures of
 * the top Python modules, every other. */
static size_t shown(int kind, size_t n, size_t top, bool compare)
{
	size_t lim = kind == CT_RK_PKG	? top
		     : kind == CT_RK_PY ? (compare ? top : 2 * top)
					: MAX_ROWS;

	if (lim > MAX_ROWS)
		lim = MAX_ROWS;
	return n < lim ? n : lim;
}

static const char *const held_note[2] = {
	"phase durations include the time coldtrace held new binaries stopped to attach probes "
	"(--minus-held: without)",
	"phase durations without the time coldtrace held new binaries stopped (--minus-held)",
};

void ct_report_render_svg(struct ct_report *r, struct strbuf *out, const struct ct_report_opts *o)
{
	static const char *const one[1] = {"each run"};
	struct strbuf body;
	struct rsvg g;
	char title[96], sub[400], name[600], foot[400], prog[200], d[32];
	size_t top = top_of(o);

	sb_init(&body);
	g = (struct rsvg){&body, 80};
	legend(&g, one, 0);
	for (int k = 0; k < CT_RK_COUNT; k++) {
		struct ct_report_series *v;
		size_t n, m;

		if (ct_report_list(r, k, &v, &n)) {
			heading(&g, "(out of memory)");
			break;
		}
		m = shown(k, n, top, false);
		if (!n && k != CT_RK_PHASE) {
			free(v);
			continue;
		}
		if (k == CT_RK_PKG)
			snprintf(title, sizeof(title), "%s (%zu of %zu)", section_title[k], m, n);
		else if (k == CT_RK_PY)
			snprintf(title, sizeof(title), "%s (%zu of %zu modules)", section_title[k],
				 (m + 1) / 2, n / 2);
		else
			snprintf(title, sizeof(title), "%s%s", section_title[k],
				 n ? "" : ": none in these runs");
		heading(&g, title);
		for (size_t i = 0; i < m; i++) {
			struct side s = {.cls = "a", .who = ""};

			s.n = ct_report_samples(r, &v[i], &s.v);
			series_name(&v[i], name, sizeof(name));
			if (s.n)
				snprintf(foot, sizeof(foot), "%s%zu sample%s, max %s ms",
					 foot_prog(&v[i], prog, sizeof(prog)), s.n,
					 s.n == 1 ? "" : "s", ms3(d, sizeof(d), s.v[s.n - 1]));
			else
				snprintf(foot, sizeof(foot), "%sno sample",
					 foot_prog(&v[i], prog, sizeof(prog)));
			row(&g, name, NULL, NULL, &s, 1, foot);
		}
		free(v);
	}
	snprintf(title, sizeof(title), "coldtrace report: %zu run%s, run to run",
		 ct_report_nruns(r), ct_report_nruns(r) == 1 ? "" : "s");
	if (ct_report_nincomplete(r))
		snprintf(sub, sizeof(sub),
			 "%zu incomplete (flagged in the text report; their samples are included). "
			 "%s",
			 ct_report_nincomplete(r), held_note[ct_report_minus_held(r)]);
	else
		snprintf(sub, sizeof(sub), "all complete. %s", held_note[ct_report_minus_held(r)]);
	finish(out, &g, &body, title, sub,
	       "percentiles are nearest-rank (the ceil(p/100*n)-th smallest of n samples), as in "
	       "the text report; "
	       "each row has its own axis from 0 ms");
}

/* "p50 +1.234 ms (+5%)" and its class: up (slower), down, same. */
static const char *diff_note(const struct side *s, char *buf, size_t len)
{
	uint64_t a, b;
	double dms;

	if (!s[0].n || !s[1].n) {
		snprintf(buf, len, "only in %s", s[0].n ? "A" : "B");
		return "same";
	}
	a = ct_percentile(s[0].v, s[0].n, 50);
	b = ct_percentile(s[1].v, s[1].n, 50);
	dms = ((double)b - (double)a) / 1e6;
	if (a)
		snprintf(buf, len, "p50 %+.3f ms (%+.1f%%)", dms,
			 ((double)b - (double)a) * 100.0 / (double)a);
	else
		snprintf(buf, len, "p50 %+.3f ms", dms);
	return b > a ? "up" : b < a ? "down" : "same";
}

void ct_report_render_compare_svg(struct ct_report *a, struct ct_report *b, struct strbuf *out,
				  const struct ct_report_opts *o)
{
	struct strbuf body, head;
	struct rsvg g;
	char title[160], name[600], note[96], foot[400], prog[200], sa[96], sb[96];
	const char *sides[2] = {sa, sb};
	size_t top = top_of(o);

	snprintf(sa, sizeof(sa), "A, before: %zu run%s", ct_report_nruns(a),
		 ct_report_nruns(a) == 1 ? "" : "s");
	snprintf(sb, sizeof(sb), "B, after: %zu run%s", ct_report_nruns(b),
		 ct_report_nruns(b) == 1 ? "" : "s");
	sb_init(&body);
	sb_init(&head);
	g = (struct rsvg){&body, 80};
	legend(&g, sides, 2);
	for (int k = 0; k < CT_RK_COUNT; k++) {
		struct ct_report_series *v;
		size_t n, m;

		if (ct_report_compare_list(a, b, k, &v, &n)) {
			heading(&g, "(out of memory)");
			break;
		}
		m = shown(k, n, top, true);
		if (!n && k != CT_RK_PHASE && k != CT_RK_STARTUP && k != CT_RK_PKG) {
			free(v);
			continue; /* as the text: runs without extensions or Python */
		}
		if (!n)
			snprintf(title, sizeof(title), "%s: none in A or B", section_title[k]);
		else if (k == CT_RK_PKG || k == CT_RK_PY)
			snprintf(title, sizeof(title),
				 "%s (%zu of %zu, by the difference of their p50s)", cmp_title[k],
				 m, n);
		else
			snprintf(title, sizeof(title), "%s", cmp_title[k]);
		heading(&g, title);
		for (size_t i = 0; i < m; i++) {
			struct side s[2] = {{.cls = "a", .who = "A "}, {.cls = "b", .who = "B "}};
			const char *cls;

			s[0].n = ct_report_samples(a, &v[i], &s[0].v);
			s[1].n = ct_report_samples(b, &v[i], &s[1].v);
			series_name(&v[i], name, sizeof(name));
			cls = diff_note(s, note, sizeof(note));
			snprintf(foot, sizeof(foot), "%ssamples: A %zu, B %zu",
				 foot_prog(&v[i], prog, sizeof(prog)), s[0].n, s[1].n);
			if (!strcmp(cls, "up"))
				row(&g, name, note, "l up", s, 2, foot);
			else if (!strcmp(cls, "down"))
				row(&g, name, note, "l down", s, 2, foot);
			else
				row(&g, name, note, "l same", s, 2, foot);
		}
		free(v);
	}
	ct_report_compare_headline(a, b, &head);
	snprintf(title, sizeof(title), "coldtrace report --compare: before (A) and after (B)");
	finish(out, &g, &body, title, head.buf ? head.buf : "",
	       "percentiles are nearest-rank, as in the text compare; each row has its own axis "
	       "from 0 ms; "
	       "rows in the text compare's order (largest |p50 difference| first)");
	sb_free(&head);
}
