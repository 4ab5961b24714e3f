// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* coldtrace report -f html (reporthtml.h): the pictures and sortable tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "htmlpage.h"
#include "reporthtml.h"

/* Per kind of row: its table's id and title, what its name and count are. */
static const struct {
	const char *id, *title, *name, *count;
	bool prog; /* a program column */
} kinds[CT_RK_COUNT] = {
	[CT_RK_PHASE] = {"phases", "Phases", "phase", "runs", false},
	[CT_RK_STARTUP] = {"startup", "Go program startup", "figure", "starts", true},
	[CT_RK_EXT] = {"extensions", "Lambda extensions", "figure", "starts", true},
	[CT_RK_PKG] = {"pkginits", "Go package inits", "package", "runs", true},
	[CT_RK_PY] = {"pyimports", "Python imports", "module", "loads", true},
};

static const struct hp_col stat_cols[] = {
	{"p50 ms", HP_NUM, "nearest-rank percentiles: each one a sample"},
	{"p90 ms", HP_NUM, NULL},
	{"p99 ms", HP_NUM, NULL},
	{"max ms", HP_NUM, NULL},
};

static const struct hp_col cmp_cols[] = {
	{"A p50 ms", HP_NUM, "before (--compare)"},
	{"B count", HP_NUM, NULL},
	{"B p50 ms", HP_NUM, "after (--vs)"},
	{"diff ms", HP_NUM, "B p50 - A p50"},
	{"diff %", HP_NUM, NULL},
};

/* The leading columns of kind k (program, name, [figure], count) into cols;
 * then the rest. Returns the count. */
static size_t columns(int k, const struct hp_col *rest, size_t nrest, struct hp_col *cols,
		      const char *count)
{
	size_t n = 0;

	if (kinds[k].prog)
		cols[n++] =
			(struct hp_col){k == CT_RK_EXT ? "extension" : "program", HP_TEXT, NULL};
	cols[n++] = (struct hp_col){kinds[k].name, HP_TEXT, NULL};
	if (k == CT_RK_PY)
		cols[n++] =
			(struct hp_col){"time", HP_TEXT,
					"cumulative: with the imports nested in it; self: without"};
	cols[n++] = (struct hp_col){count, HP_NUM, NULL};
	for (size_t i = 0; i < nrest; i++)
		cols[n++] = rest[i];
	return n;
}

/* A row's leading cells (as columns()); count its samples. */
static void lead_cells(struct hp_table *t, const struct ct_report_series *s, size_t count)
{
	if (kinds[s->kind].prog)
		hp_td(t, s->prog);
	hp_td(t, s->name);
	if (s->kind == CT_RK_PY)
		hp_td(t, s->fig ? "self" : "cumulative");
	hp_td_u64(t, count);
}

static void stat_cells(struct hp_table *t, const uint64_t *v, size_t n)
{
	if (!n) {
		for (size_t i = 0; i < sizeof(stat_cols) / sizeof(stat_cols[0]); i++)
			hp_td_none(t);
		return;
	}
	hp_td_ms(t, ct_percentile(v, n, 50));
	hp_td_ms(t, ct_percentile(v, n, 90));
	hp_td_ms(t, ct_percentile(v, n, 99));
	hp_td_ms(t, v[n - 1]);
}

/* "N runs (M incomplete)" and whether phases lose their holds. */
static void runs_line(struct strbuf *out, const char *who, struct ct_report *r)
{
	char line[160];

	snprintf(line, sizeof(line), "%s%zu run%s%s", who, ct_report_nruns(r),
		 ct_report_nruns(r) == 1 ? "" : "s", ct_report_nincomplete(r) ? " (" : "");
	if (ct_report_nincomplete(r))
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 "%zu incomplete: their samples are used)", ct_report_nincomplete(r));
	hp_para(out, ct_report_nincomplete(r) ? "warn" : "sum", line);
}

static void nav(struct strbuf *out, const bool have[CT_RK_COUNT])
{
	sb_puts(out, "<nav><a href=\"#plots\">plots</a>");
	for (int k = 0; k < CT_RK_COUNT; k++)
		if (have[k])
			sb_printf(out, "<a href=\"#%s\">%s</a>", kinds[k].id, kinds[k].title);
	sb_puts(out, "</nav>\n");
}

static void figure(struct strbuf *out, struct strbuf *svg)
{
	sb_puts(out, "<h2>Plots</h2>\n");
	hp_figure(out, "plots", svg->buf, svg->len, false);
	if (svg->oom)
		out->oom = true;
	sb_free(svg);
}

void ct_report_render_html(struct ct_report *r, struct strbuf *out, const struct ct_report_opts *o)
{
	struct ct_report_series *v[CT_RK_COUNT] = {0};
	size_t n[CT_RK_COUNT] = {0};
	bool have[CT_RK_COUNT];
	struct strbuf svg;
	char title[64];

	for (int k = 0; k < CT_RK_COUNT; k++) {
		if (ct_report_list(r, k, &v[k], &n[k]))
			out->oom = true;
		have[k] = n[k] > 0;
	}
	snprintf(title, sizeof(title), "coldtrace report: %zu runs", ct_report_nruns(r));
	hp_begin(out, title);
	sb_puts(out, "<h1>coldtrace report</h1>\n");
	runs_line(out, "", r);
	nav(out, have);
	sb_init(&svg);
	ct_report_render_svg(r, &svg, o);
	figure(out, &svg);
	for (int k = 0; k < CT_RK_COUNT; k++) {
		struct hp_col cols[8];
		size_t nc = columns(k, stat_cols, sizeof(stat_cols) / sizeof(stat_cols[0]), cols,
				    kinds[k].count);
		struct hp_table t;

		if (!have[k])
			continue;
		hp_table_begin(&t, out, kinds[k].id, cols, nc);
		for (size_t i = 0; i < n[k]; i++) {
			const uint64_t *sv = NULL;
			size_t ns = ct_report_samples(r, &v[k][i], &sv);
			struct ct_stats st;
			size_t incomplete = 0;
			char tip[64] = "";

			if (k == CT_RK_PHASE &&
			    ct_report_phase_stats(r, v[k][i].name, &st, &incomplete) && incomplete)
				snprintf(tip, sizeof(tip), "%zu run%s without its end", incomplete,
					 incomplete == 1 ? "" : "s");
			hp_tr(&t, tip);
			lead_cells(&t, &v[k][i], ns);
			stat_cells(&t, sv, ns);
		}
		hp_table_end(&t, kinds[k].title, "-f json");
		free(v[k]);
	}
	hp_end(out);
}

void ct_report_render_compare_html(struct ct_report *a, struct ct_report *b, struct strbuf *out,
				   const struct ct_report_opts *o)
{
	struct ct_report_series *v[CT_RK_COUNT] = {0};
	size_t n[CT_RK_COUNT] = {0};
	bool have[CT_RK_COUNT];
	struct strbuf svg, head;

	for (int k = 0; k < CT_RK_COUNT; k++) {
		if (ct_report_compare_list(a, b, k, &v[k], &n[k]))
			out->oom = true;
		have[k] = n[k] > 0;
	}
	hp_begin(out, "coldtrace report --compare");
	sb_puts(out, "<h1>coldtrace report: A (--compare) vs B (--vs)</h1>\n");
	sb_init(&head);
	ct_report_compare_headline(a, b, &head);
	hp_para(out, "sum", head.buf ? head.buf : "");
	sb_free(&head);
	runs_line(out, "A: ", a);
	runs_line(out, "B: ", b);
	nav(out, have);
	sb_init(&svg);
	ct_report_render_compare_svg(a, b, &svg, o);
	figure(out, &svg);
	for (int k = 0; k < CT_RK_COUNT; k++) {
		struct hp_col cols[10];
		size_t nc = columns(k, cmp_cols, sizeof(cmp_cols) / sizeof(cmp_cols[0]), cols,
				    "A count");
		struct hp_table t;

		if (!have[k])
			continue;
		hp_table_begin(&t, out, kinds[k].id, cols, nc);
		for (size_t i = 0; i < n[k]; i++) {
			const uint64_t *sa = NULL, *sb = NULL;
			size_t na = ct_report_samples(a, &v[k][i], &sa),
			       nb = ct_report_samples(b, &v[k][i], &sb);
			uint64_t pa = na ? ct_percentile(sa, na, 50) : 0,
				 pb = nb ? ct_percentile(sb, nb, 50) : 0;

			hp_tr(&t, NULL);
			lead_cells(&t, &v[k][i], na);
			if (na)
				hp_td_ms(&t, pa);
			else
				hp_td_none(&t);
			hp_td_u64(&t, nb);
			if (nb)
				hp_td_ms(&t, pb);
			else
				hp_td_none(&t);
			if (na && nb) {
				hp_td_ms_signed(&t, (int64_t)pb - (int64_t)pa);
				if (pa)
					hp_td_double(&t,
						     ((double)pb - (double)pa) * 100.0 / (double)pa,
						     1);
				else
					hp_td_none(&t);
			} else {
				hp_td_none(&t);
				hp_td_none(&t);
			}
		}
		hp_table_end(&t, kinds[k].title, "-f json");
		free(v[k]);
	}
	hp_end(out);
}
