// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report -f html (report/reporthtml.c): the report's pictures inline and
 * its tables as sortable tables, one per kind of row, every row the report
 * lists (not only its top N), the text's numbers; --compare: both sides'
 * p50 and their difference. Names from the runs are text.
 *
 * Runs written here: A, 5 runs, B, 4 runs; phases total and agent_init
 * (B's 2 ms longer), a phase of a hostile name only in B; a Go program
 * (/sandbox/ct-agent) of 12 packages, one named to break out of the page.
 */
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "html_check.h"
#include "htmlpage.h"
#include "report.h"
#include "reporthtml.h"
#include "strbuf.h"

#define MS_NS	  1000000ull
#define NPKG	  12
#define EVIL	  "evil</script><img src=x onerror=alert(1)>"
#define EVIL_JSON "evil<\\/script><img src=x onerror=alert(1)>"

static void run(struct strbuf *sb, unsigned k, int b)
{
	uint64_t t = 5000 * MS_NS;

	sb_reset(sb);
	sb_puts(sb, "{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n");
	sb_printf(sb, "{\"type\":\"phase\",\"name\":\"total\",\"dur_ns\":%llu}\n",
		  (unsigned long long)(50 * MS_NS + k * 300000 + (b ? 2 * MS_NS : 0)));
	sb_printf(sb, "{\"type\":\"phase\",\"name\":\"agent_init\",\"dur_ns\":%llu}\n",
		  (unsigned long long)(20 * MS_NS + (k % 3) * 100000));
	if (b)
		sb_printf(sb, "{\"type\":\"phase\",\"name\":\"" EVIL_JSON "\",\"dur_ns\":%llu}\n",
			  (unsigned long long)(MS_NS + k));
	sb_printf(sb,
		  "{\"type\":\"exec\",\"pid\":3,\"ts_ns\":%llu,\"path\":\"/sandbox/ct-agent\"}\n",
		  (unsigned long long)t);
	t += 200000;
	sb_printf(sb, "{\"type\":\"go_runtime\",\"pid\":3,\"ts_ns\":%llu}\n",
		  (unsigned long long)t);
	for (unsigned p = 0; p < NPKG; p++) {
		uint64_t clock = 10000 + p * 7000 + k * 500 + (b && p == 4 ? MS_NS : 0);

		t += clock;
		sb_printf(sb,
			  "{\"type\":\"go_init\",\"pid\":3,\"pkg\":\"%s%u\",\"end_ns\":%llu,"
			  "\"clock_ns\":%llu}\n",
			  p == 7 ? EVIL_JSON : "example.com/p", p, (unsigned long long)t,
			  (unsigned long long)clock);
	}
	sb_printf(sb, "{\"type\":\"go_main\",\"pid\":3,\"ts_ns\":%llu}\n",
		  (unsigned long long)(t + 3000));
	sb_puts(sb, "{\"type\":\"summary\",\"complete\":true}\n");
}

static struct ct_report *side(int b, unsigned nruns)
{
	struct ct_report *r = ct_report_new();
	struct strbuf sb;
	char err[256], name[16];

	sb_init(&sb);
	for (unsigned k = 1; k <= nruns; k++) {
		run(&sb, k, b);
		snprintf(name, sizeof(name), "%c%u", b ? 'b' : 'a', k);
		if (ct_report_add_buffer(r, name, sb.buf, sb.len, err, sizeof(err)))
			CT__FAIL("%s: %s", name, err);
	}
	sb_free(&sb);
	return r;
}

static size_t listed(struct ct_report *r, int kind)
{
	struct ct_report_series *v = NULL;
	size_t n = 0;

	CT_EQ_INT(ct_report_list(r, kind, &v, &n), 0);
	free(v);
	return n;
}

/* The page around an SVG picture: the picture is the report's own. */
static void has_svg(const char *html, const struct strbuf *svg)
{
	const char *at = svg->buf ? strstr(svg->buf, "<svg") : NULL;

	CT_TRUE(at != NULL);
	CT_TRUE(at && strstr(html, at) != NULL);
	CT_TRUE(strstr(html, "<figure id=\"plots\">") != NULL);
}

static void is_safe_page(const char *html)
{
	CT_EQ_INT(hc_wellformed(html), 0);
	CT_TRUE(!strncmp(html, "<!DOCTYPE html>\n", 16));
	CT_TRUE(strstr(html, "content=\"default-src 'none';") != NULL);
	CT_EQ_INT(hc_count(html, "<script"), 1);
	CT_TRUE(strstr(html, "<img") == NULL && strstr(html, "src=\"") == NULL);
}

CT_TEST(every_row_a_table_row)
{
	struct ct_report_opts o = {.top = 3};
	struct ct_report *r = side(1, 4);
	struct strbuf sb, svg;
	char want[200];

	sb_init(&sb);
	sb_init(&svg);
	ct_report_render_html(r, &sb, &o);
	ct_report_render_svg(r, &svg, &o);
	is_safe_page(sb.buf);
	has_svg(sb.buf, &svg);
	CT_EQ_INT(listed(r, CT_RK_PHASE), 3);
	CT_EQ_INT(hc_table_rows(sb.buf, "phases"), listed(r, CT_RK_PHASE));
	CT_EQ_INT(hc_table_rows(sb.buf, "startup"), listed(r, CT_RK_STARTUP));
	CT_EQ_INT(hc_table_rows(sb.buf, "pkginits"), NPKG); /* all, not the top 3 */
	CT_EQ_INT(hc_table_rows(sb.buf, "extensions"), -1); /* none: no table */
	CT_EQ_INT(hc_table_rows(sb.buf, "pyimports"), -1);
	/* the text's numbers: total's p50 of 52.3 52.6 52.9 53.2 ms is 52.6 */
	CT_TRUE(strstr(sb.buf, "<tr><td>total</td><td class=\"num\" data-v=\"4\">4</td>"
			       "<td class=\"num\" data-v=\"52600000\">52.600</td>") != NULL);
	snprintf(want, sizeof(want), "<td>ct-agent</td><td>%s7</td>",
		 "evil&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
	CT_TRUE(strstr(sb.buf, want) != NULL);
	CT_TRUE(strstr(sb.buf, "<h2>Go package inits (12)</h2>") != NULL);
	sb_free(&svg);
	sb_free(&sb);
	ct_report_free(r);
}

CT_TEST(compare_both_sides)
{
	struct ct_report_opts o = {0};
	struct ct_report *a = side(0, 5), *b = side(1, 4);
	struct strbuf sb, svg, head;

	sb_init(&sb);
	sb_init(&svg);
	sb_init(&head);
	ct_report_render_compare_html(a, b, &sb, &o);
	ct_report_render_compare_svg(a, b, &svg, &o);
	ct_report_compare_headline(a, b, &head);
	is_safe_page(sb.buf);
	has_svg(sb.buf, &svg);
	CT_EQ_STR(head.buf, "total p50 50.9 -> 52.6 ms (+3%)");
	sb_reset(&svg);
	hp_esc(&svg, head.buf); /* the text compare's headline, as text */
	CT_TRUE(strstr(sb.buf, "<p class=\"sum\">total p50 50.9 -&gt; 52.6 ms (+3%)</p>") != NULL);
	CT_TRUE(strstr(sb.buf, svg.buf) != NULL);
	CT_EQ_INT(hc_table_rows(sb.buf, "phases"), 3); /* the one only in B too */
	CT_EQ_INT(hc_table_rows(sb.buf, "pkginits"), NPKG);
	/* total: A p50 of 50.3 .. 51.5 ms is 50.9; B's 52.6: +1.7 ms, +3.3% */
	CT_TRUE(strstr(sb.buf, "<td>total</td><td class=\"num\" data-v=\"5\">5</td>"
			       "<td class=\"num\" data-v=\"50900000\">50.900</td><td class=\"num\" "
			       "data-v=\"4\">4</td>"
			       "<td class=\"num\" data-v=\"52600000\">52.600</td>"
			       "<td class=\"num\" data-v=\"1700000\">+1.700</td>") != NULL);
	/* only in B: no A, no difference */
	CT_TRUE(strstr(sb.buf,
		       "<td>evil&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</td>"
		       "<td class=\"num\" data-v=\"0\">0</td><td class=\"num\">-</td>") != NULL);
	sb_free(&head);
	sb_free(&svg);
	sb_free(&sb);
	ct_report_free(a);
	ct_report_free(b);
}

int main(void)
{
	CT_RUN(every_row_a_table_row);
	CT_RUN(compare_both_sides);
	return ct_summary();
}
