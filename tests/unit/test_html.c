// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The html view (views/html.c) and the page skeleton it shares with report
 * -f html (views/htmlpage.c): one self-contained page, well-formed (every
 * element closed in order, every '&' an entity, no '<' in text), the svg
 * view's picture in it as it is, one row per thing the model has in each
 * table, every string of the trace escaped (hostile package, module and
 * program names, HTTP paths, log lines), nothing loaded from elsewhere.
 *
 * The trace (ms): driver 100 exec 0; agent 101 exec 1 (Go: 3 package
 * inits, one named to break out of the page), listens on 9001 at 7,
 * INIT_START at 8; runtime 102 exec 9 of a hostile path, two Python module
 * loads (one hostile, nested), a hostile GET, /next at 12 answered at 13
 * (request req-1), its response posted at 14; END and a hostile log line;
 * exits at 20, 21, 22.
 */
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "html_check.h"
#include "htmlpage.h"
#include "model.h"
#include "model_build.h"
#include "phases.h"
#include "render.h"

#define MS(x) ((uint64_t)(1000000000ull + (uint64_t)((x)*1000000.0 + 0.5)))

#define EVIL_PKG  "evil</script><script>alert(1)</script>\"'&x"
#define EVIL_PATH "/var/task/<img src=x onerror=alert(1)>"
#define EVIL_MOD  "mod</script>\x1b[2J"
#define EVIL_URL  "/a</script><iframe/src=\"http://evil.example/\">"
#define EVIL_LOG  "END RequestId: <b/onmouseover=alert(1)>\x1b[31mred</b>https://evil.example/x.js"

static const char *pkg_of(void *ctx, uint32_t bin, uint32_t kind, uint64_t ip, uint64_t fn)
{
	static char buf[CT_PKG_LEN];

	(void)ctx, (void)bin, (void)kind, (void)ip;
	if (fn >> 12 == 2)
		return EVIL_PKG;
	snprintf(buf, sizeof(buf), "example.com/agent/p%llu", (unsigned long long)(fn >> 12));
	return buf;
}

static struct ct_model_ops ops = {.pkg_of = pkg_of};

static void msg(struct ct_model *m, uint32_t from, uint32_t to, double at, uint16_t fport,
		uint16_t tport, const char *bytes)
{
	uint16_t cp = fport > tport ? fport : tport;

	mb_io(m, from, MS(at), CT_IO_WRITE, fport, tport,
	      (fport == cp ? 0xb0000ull : 0xc0000ull) + cp, bytes);
	mb_io(m, to, MS(at + 0.05), CT_IO_READ, tport, fport,
	      (fport == cp ? 0xc0000ull : 0xb0000ull) + cp, bytes);
}

static void build(struct ct_model *m)
{
	ct_model_init(m, &ops);
	ct_model_add_root(m, 100, MS(0.0));
	mb_exec(m, 100, 1, MS(0.0), "/sandbox/ct-driver");
	mb_fork(m, 100, 101, MS(1.0));
	mb_exec(m, 101, 100, MS(1.1), "/sandbox/ct-agent");
	mb_go(m, 101, 1, MS(2.0), CT_GO_RTSTART, MS(2.0));
	for (int i = 0; i < 3; i++) {
		mb_go(m, 101, 1, MS(3.0 + i), CT_GO_TASKSTART, 0x1000ull * (uint64_t)(i + 1));
		mb_go(m, 101, 1, MS(3.5 + i), CT_GO_TASKEND, 0);
	}
	mb_go(m, 101, 1, MS(6.5), CT_GO_MAINMAIN, 0);
	mb_listen(m, 101, MS(7.0), 9001);
	mb_log(m, 101, MS(8.0),
	       "INIT_START Runtime Version: ct:1 Runtime Version ARN: "
	       "arn:aws:lambda:x::runtime:ct");
	mb_fork(m, 101, 102, MS(8.9));
	mb_exec(m, 102, 101, MS(9.0), EVIL_PATH);
	mb_py_start(m, 102, 102, MS(9.5), "json");
	mb_py_start(m, 102, 102, MS(9.6), EVIL_MOD);
	mb_py_end(m, 102, 102, MS(9.8));
	mb_py_end(m, 102, 102, MS(10.0));
	msg(m, 102, 101, 11.0, 50001, 9001, "GET " EVIL_URL " HTTP/1.1\r\nHost: x\r\n\r\n");
	msg(m, 102, 101, 12.0, 50000, 9001,
	    "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n\r\n");
	msg(m, 101, 102, 13.0, 9001, 50000,
	    "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: req-1\r\nContent-Length: "
	    "2\r\n\r\n{}");
	msg(m, 102, 101, 14.0, 50000, 9001,
	    "POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\nHost: "
	    "127.0.0.1:9001\r\n"
	    "Content-Length: 2\r\n\r\n{}");
	mb_log(m, 101, MS(15.0), "END RequestId: req-1");
	mb_log(m, 101, MS(15.5), EVIL_LOG);
	mb_exit(m, 102, MS(20.0), 0);
	mb_exit(m, 101, MS(21.0), 0);
	mb_exit(m, 100, MS(22.0), 0);
	ct_model_finish(m);
}

/* The fixture's page for the command line cmd (free m and sb). */
static void page(struct ct_model *m, struct strbuf *sb, const char *cmd)
{
	struct ct_render_opts o = {.command = cmd};

	build(m);
	sb_init(sb);
	ct_render_html(m, sb, &o);
	CT_TRUE(!sb->oom);
	CT_EQ_INT(hc_wellformed(sb->buf), 0);
}

static size_t applying_phases(const struct ct_timelines *tls)
{
	size_t n = 0;

	for (size_t i = 0; i < tls->n; i++)
		for (int k = 0; k < CT_PH_COUNT; k++)
			n += ct_phase_applies(&tls->v[i], &tls->v[i].ph[k]);
	return n;
}

CT_TEST(every_table_has_the_models_rows)
{
	struct ct_render_opts o = {.command = "ct-driver --runtime go"};
	struct ct_timelines tls = {0};
	size_t pkgs = 0, mods = 0;
	struct ct_model m;
	struct strbuf sb;

	build(&m);
	CT_EQ_INT(ct_timelines_build(&m, &tls), 0);
	for (size_t i = 0; i < m.nprocs; i++)
		for (size_t j = 0; j < m.procs[i].nimages; j++) {
			pkgs += m.procs[i].images[j].npkgs;
			mods += m.procs[i].images[j].npyimports;
		}
	/* the fixture is what the comment says */
	CT_EQ_INT(m.nprocs, 3);
	CT_EQ_INT(pkgs, 3);
	CT_EQ_INT(mods, 2);
	CT_EQ_INT(m.nhttp, 8);
	CT_EQ_INT(m.nlogs, 3);
	CT_EQ_INT(tls.n, 1);
	CT_TRUE(applying_phases(&tls) > 3);

	sb_init(&sb);
	ct_render_html(&m, &sb, &o);
	CT_TRUE(!sb.oom);
	CT_EQ_INT(hc_wellformed(sb.buf), 0);
	CT_TRUE(!strncmp(sb.buf, "<!DOCTYPE html>\n", 16));
	CT_EQ_INT(hc_table_rows(sb.buf, "phases"), applying_phases(&tls));
	CT_EQ_INT(hc_table_rows(sb.buf, "processes"), m.nprocs);
	CT_EQ_INT(hc_table_rows(sb.buf, "pkginits"), pkgs);
	CT_EQ_INT(hc_table_rows(sb.buf, "pyimports"), mods);
	CT_EQ_INT(hc_table_rows(sb.buf, "http"), m.nhttp);
	CT_EQ_INT(hc_table_rows(sb.buf, "logs"), m.nlogs);
	CT_EQ_INT(hc_table_rows(sb.buf, "extensions"), -1); /* none: no table */
	/* the headings say how many */
	CT_TRUE(strstr(sb.buf, "<h2>Processes (3)</h2>") != NULL);
	CT_TRUE(strstr(sb.buf, "<h2>Go package inits (3)</h2>") != NULL);
	/* Go ran them in this order; their clock is 0.5 ms */
	CT_TRUE(strstr(sb.buf, "<td>example.com/agent/p1</td><td class=\"num\" "
			       "data-v=\"1900000\">1.900</td>"
			       "<td class=\"num\" data-v=\"500000\">0.500</td>") != NULL);
	sb_free(&sb);
	ct_timelines_free(&tls);
	ct_model_free(&m);
}

/* The svg view's picture is in the page as it is (its XML prolog left out),
 * with the zoom's controls. */
CT_TEST(the_svg_inline_unchanged)
{
	struct ct_render_opts o = {.command = "ct-driver"};
	struct ct_model m;
	struct strbuf html, svg;
	const char *start;

	build(&m);
	sb_init(&html);
	sb_init(&svg);
	ct_render_html(&m, &html, &o);
	ct_render_svg(&m, &svg, &o);
	start = strstr(svg.buf, "<svg");
	CT_TRUE(start && start > svg.buf); /* it has a prolog */
	CT_TRUE(start && strstr(html.buf, start) != NULL);
	CT_EQ_INT(hc_count(html.buf, "<?xml"), 0);
	CT_TRUE(strstr(html.buf, "<figure id=\"timeline\" class=\"zoomable\">") != NULL);
	CT_TRUE(strstr(html.buf, "<input type=\"range\"") != NULL);
	sb_free(&svg);
	sb_free(&html);
	ct_model_free(&m);
}

/* Names from the trace are text, whatever they hold. */
CT_TEST(hostile_names_escaped)
{
	struct ct_model m;
	struct strbuf sb;

	page(&m, &sb, "sh -c '</title><script>x()</script>' --token=SECRET1");
	/* one script, ours; no element of theirs */
	CT_EQ_INT(hc_count(sb.buf, "<script"), 1);
	CT_EQ_INT(hc_count(sb.buf, "</script"), 1);
	CT_EQ_INT(hc_count(sb.buf, "</title><script"), 0);
	CT_TRUE(strstr(sb.buf, "<img") == NULL);
	CT_TRUE(strstr(sb.buf, "<iframe") == NULL);
	CT_TRUE(strstr(sb.buf, "<b/") == NULL);
	/* each one is there, as text */
	CT_TRUE(strstr(sb.buf, "<td>evil&lt;/script&gt;&lt;script&gt;alert(1)&lt;/"
			       "script&gt;&quot;&#39;&amp;x</td>"));
	CT_TRUE(strstr(sb.buf, "<td>mod&lt;/script&gt;\\x1b[2J</td>"));
	CT_TRUE(strstr(sb.buf, "<td>/var/task/&lt;img src=x onerror=alert(1)&gt;</td>"));
	CT_TRUE(strstr(
		sb.buf,
		"<td>GET "
		"/a&lt;/script&gt;&lt;iframe/src=&quot;http://evil.example/&quot;&gt;</td>"));
	CT_TRUE(strstr(sb.buf, "<td>END RequestId: "
			       "&lt;b/onmouseover=alert(1)&gt;\\x1b[31mred&lt;/b&gt;https://"
			       "evil.example/x.js</td>"));
	/* the command line: redacted, escaped, in the title and the page */
	CT_EQ_INT(hc_count(sb.buf, "SECRET1"), 0);
	CT_TRUE(strstr(sb.buf, "<title>coldtrace: sh -c "
			       "&#39;&lt;/title&gt;&lt;script&gt;x()&lt;/script&gt;&#39;"));
	/* no byte a terminal or a browser would act on */
	CT_TRUE(memchr(sb.buf, 0x1b, sb.len) == NULL);
	sb_free(&sb);
	ct_model_free(&m);
}

/* Self-contained: nothing to fetch, and the browser told so. */
CT_TEST(nothing_loaded_from_elsewhere)
{
	struct ct_model m;
	struct strbuf sb;

	page(&m, &sb, "ct-driver");
	CT_TRUE(strstr(
		sb.buf,
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
	CT_TRUE(strstr(sb.buf, "src=\"") == NULL && strstr(sb.buf, "src='") == NULL);
	for (const char *h = sb.buf; (h = strstr(h, "href=")) != NULL; h += 5)
		CT_TRUE(!strncmp(h, "href=\"#", 7)); /* links inside the page only */
	CT_TRUE(strstr(sb.buf, "url(") == NULL && strstr(sb.buf, "@import") == NULL);
	CT_TRUE(strstr(sb.buf, "<link") == NULL && strstr(sb.buf, "<object") == NULL);
	/* the only http(s):// outside the trace's text is the SVG namespace */
	CT_EQ_INT(hc_count(sb.buf, "http://") - hc_count(sb.buf, "http://www.w3.org/2000/svg") -
			  hc_count(sb.buf, "http://evil.example/"),
		  0);
	CT_EQ_INT(hc_count(sb.buf, "https://") - hc_count(sb.buf, "https://evil.example/"), 0);
	sb_free(&sb);
	ct_model_free(&m);
}

/* No cold start, no process: the page still stands, its tables say none. */
CT_TEST(empty_model)
{
	struct ct_render_opts o = {0};
	struct ct_model m;
	struct strbuf sb;

	ct_model_init(&m, NULL);
	ct_model_finish(&m);
	sb_init(&sb);
	ct_render_html(&m, &sb, &o);
	CT_EQ_INT(hc_wellformed(sb.buf), 0);
	CT_TRUE(strstr(sb.buf, "no cold start found") != NULL);
	CT_TRUE(strstr(sb.buf, "<h2>Processes (0)</h2>\n<p class=\"note\">none</p>") != NULL);
	CT_TRUE(strstr(sb.buf, "pyimports") == NULL); /* no Python: no table */
	CT_EQ_INT(hc_table_rows(sb.buf, "processes"), -1);
	sb_free(&sb);
	ct_model_free(&m);
}

/* The table writer: sort keys, missing cells, a row too many. */
CT_TEST(table_writer)
{
	static const struct hp_col cols[] = {
		{"name", HP_TEXT, "a \"name\""}, {"ms", HP_NUM, NULL}, {"n", HP_NUM, NULL}};
	struct hp_table t;
	struct strbuf sb;

	sb_init(&sb);
	hp_table_begin(&t, &sb, "t", cols, 3);
	hp_tr(&t, "tip <1>");
	hp_td(&t, "a&b");
	hp_td_ms(&t, 1234567);
	hp_td_none(&t);
	hp_td(&t, "one too many"); /* dropped */
	hp_tr(&t, NULL);
	hp_td_ms_signed(&t, -2500000);
	for (size_t i = 0; i < HP_MAX_ROWS + 5; i++) {
		hp_tr(&t, NULL);
		hp_td_u64(&t, i);
	}
	hp_table_end(&t, "T & co", "-f jsonl");
	CT_EQ_INT(hc_wellformed(sb.buf), 0);
	CT_TRUE(strstr(sb.buf, "<h2>T &amp; co (20007)</h2>\n<p class=\"note\">the first 20000 of "
			       "20007 rows "
			       "(all of them: -f jsonl)</p>") != NULL);
	CT_TRUE(strstr(sb.buf,
		       "<th title=\"a &quot;name&quot;\">name</th><th class=\"num\">ms</th>") !=
		NULL);
	CT_TRUE(strstr(sb.buf, "<tr data-tip=\"tip &lt;1&gt;\"><td>a&amp;b</td><td class=\"num\" "
			       "data-v=\"1234567\">"
			       "1.235</td><td class=\"num\">-</td></tr>") != NULL);
	CT_TRUE(strstr(
		sb.buf,
		"<tr><td class=\"num\" data-v=\"-2500000\">-2.500</td><td></td><td></td></tr>"));
	CT_TRUE(strstr(sb.buf, "one too many") == NULL);
	CT_EQ_INT(hc_table_rows(sb.buf, "t"), HP_MAX_ROWS);
	sb_free(&sb);
}

int main(void)
{
	CT_RUN(every_table_has_the_models_rows);
	CT_RUN(the_svg_inline_unchanged);
	CT_RUN(hostile_names_escaped);
	CT_RUN(nothing_loaded_from_elsewhere);
	CT_RUN(empty_model);
	CT_RUN(table_writer);
	return ct_summary();
}
