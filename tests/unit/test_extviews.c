// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Lambda extensions (issue 13) in the text view, the jsonl records and
 * `coldtrace report`.
 *
 * The views are fed timelines made here: a small model (agent pid 201, its
 * runtime pid 202 asking /next at 20 ms) gives the timeline, and the test
 * sets its extensions, gates and extension milestones/phases by hand
 * (phases.c finds them from the data; test_phases.c checks that part), so
 * each line can be checked against numbers chosen here:
 *
 *   ct-ext-go (pid 210, Go): exec 4 ms, Go runtime start 4.2, main.main 5.0,
 *     register 5.5 -> registered 5.6 (200), telemetry 5.8 -> 5.9 (200),
 *     ready 6.0: Go init 0.8 ms, to register 1.6, to ready 2.0;
 *   ct-ext-sh (pid 211): exec 4.5, register 6.5 -> registered 7.0, ready
 *     20.3 (0.3 ms after the runtime's first /next: it gated INIT) -
 *     to register 2.5, to ready 15.8; or (failed) init/error at 8.0 with
 *     Extension.ConfigInvalid, exit 1 at 8.5, never ready.
 *
 * Times in the text are ms from the timeline's start, the agent's exec (1 ms).
 * The report part reads jsonl runs written here, the jsonl view's own
 * records and a real run of the demo, with --compare.
 */
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "json_check.h"
#include "jsonread.h"
#include "model.h"
#include "model_build.h"
#include "phases.h"
#include "render.h"
#include "report.h"
#include "tlviews.h"

#define T(ms) ((uint64_t)(1000000000ull + (uint64_t)((ms) * 1000000.0 + 0.5)))
#define MS_NS 1000000ull

static struct ct_model_ops ops;

/* From the runtime's port 50000 to the agent's 9001 (to: true) or back. */
static void http_(struct ct_model *m, bool to_agent, double at, const char *bytes)
{
	if (to_agent) {
		mb_io(m, 202, T(at), CT_IO_WRITE, 50000, 9001, 0xb1, bytes);
		mb_io(m, 201, T(at + 0.01), CT_IO_READ, 9001, 50000, 0xc1, bytes);
	} else {
		mb_io(m, 201, T(at), CT_IO_WRITE, 9001, 50000, 0xc1, bytes);
		mb_io(m, 202, T(at + 0.01), CT_IO_READ, 50000, 9001, 0xb1, bytes);
	}
}

/* The agent (201) and its runtime (202): a whole cold start, no extension
 * of its own (the agent's EXTENSION log line only: a log record). */
static void build(struct ct_model *m)
{
	ct_model_init(m, &ops);
	ct_model_add_root(m, 201, T(0.5));
	mb_exec(m, 201, 1, T(1.0), "/sandbox/ct-agent");
	mb_listen(m, 201, T(2.0), 9001);
	mb_log(m, 201, T(3.0), "INIT_START Runtime Version: ct-demo:1.v1 Runtime Version ARN: arn:aws:lambda:us-east-1::runtime:x");
	mb_fork(m, 201, 202, T(9.9));
	mb_exec(m, 202, 201, T(10.0), "/var/task/bootstrap");
	http_(m, true, 20.0, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n\r\n");
	mb_log(m, 201, T(20.4), "EXTENSION\tName: ct-ext-sh\tState: Ready\tEvents: [INVOKE,SHUTDOWN]");
	http_(m, false, 20.5,
	      "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: req-1\r\nLambda-Runtime-Deadline-Ms: 1700000003000\r\n"
	      "Content-Length: 2\r\n\r\n{}");
	http_(m, true, 22.0,
	      "POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n"
	      "Content-Length: 2\r\n\r\n{}");
	http_(m, false, 22.1, "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}");
	mb_exit(m, 202, T(30.0), 15);
	mb_exit(m, 201, T(31.0), 0);
	ct_model_finish(m);
}

static struct ct_image go_img; /* an extension's Go image: only its presence counts */

static void seen(struct ct_timeline *tl, enum ct_ms k, double at, uint32_t pid)
{
	tl->ms[k].state = CT_MS_SEEN;
	tl->ms[k].ts = T(at);
	tl->ms[k].pid = pid;
}

static void phase(struct ct_timeline *tl, enum ct_phase_id p, double from, double to, uint32_t pid)
{
	struct ct_phase *ph = &tl->ph[p];

	ph->start = T(from);
	ph->end = T(to);
	ph->dur = T(to) - T(from);
	ph->complete = true;
	ph->pid = pid;
}

enum ext_case { EXT_NONE, EXT_TWO, EXT_ONE, EXT_FAILED };

/* The extensions of the file comment into tl (EXT_ONE: ct-ext-go only,
 * the runtime gating INIT). */
static void add_exts(struct ct_timeline *tl, enum ext_case c)
{
	size_t n = c == EXT_ONE ? 1 : 2;
	struct ct_extension *e = calloc(n, sizeof(*e));

	if (!e) {
		CT__FAIL("out of memory");
		return;
	}
	free(tl->ext); /* phases.c's own (none here) */
	tl->ext = e;
	tl->next = n;
	tl->next_failed = c == EXT_FAILED;

	snprintf(e[0].name, sizeof(e[0].name), "ct-ext-go");
	snprintf(e[0].id, sizeof(e[0].id), "id-go-0001");
	snprintf(e[0].events, sizeof(e[0].events), "INVOKE,SHUTDOWN");
	e[0].pid = 210;
	e[0].go_image = &go_img;
	e[0].state = CT_EXT_READY;
	e[0].register_status = 200;
	e[0].exec_ts = T(4.0);
	e[0].go_rt_start = T(4.2);
	e[0].go_main = T(5.0);
	e[0].register_ts = T(5.5);
	e[0].registered_ts = T(5.6);
	e[0].subs[0] = (struct ct_ext_sub){.api = LAMBDA_API_TELEMETRY, .ts = T(5.8), .reply_ts = T(5.9), .status = 200};
	e[0].nsubs = 1;
	e[0].ready_ts = T(6.0);
	e[0].exit_ts = T(30.5);
	e[0].exit_status = 9; /* killed at shutdown */

	seen(tl, CT_MS_EXT_START, 4.0, 210);
	phase(tl, CT_PH_EXT_REGISTER, 4.0, n == 1 ? 5.6 : 7.0, n == 1 ? 210 : 211);
	seen(tl, CT_MS_EXT_REGISTERED, n == 1 ? 5.6 : 7.0, n == 1 ? 210 : 211);
	tl->register_gate = (struct ct_gate){.known = true, .ext = n - 1, .pid = n == 1 ? 210 : 211,
					     .ts = n == 1 ? T(5.6) : T(7.0), .by_ns = n == 1 ? T(5.6) - T(3.0)
											     : T(7.0) - T(5.6)};
	if (n == 1) {
		seen(tl, CT_MS_EXT_READY, 6.0, 210);
		seen(tl, CT_MS_INIT_DONE, 20.0, 202);
		phase(tl, CT_PH_INIT_ALL, 3.0, 20.0, 201);
		phase(tl, CT_PH_EXT_WAIT, 20.0, 20.0, 202);
		tl->init_gate = (struct ct_gate){.known = true, .is_runtime = true, .ext = -1, .pid = 202,
						 .ts = T(20.0), .by_ns = T(20.0) - T(6.0)};
		return;
	}
	snprintf(e[1].name, sizeof(e[1].name), "ct-ext-sh");
	snprintf(e[1].id, sizeof(e[1].id), "id-sh-0002");
	e[1].pid = 211;
	e[1].state = CT_EXT_READY;
	e[1].register_status = 200;
	e[1].exec_ts = T(4.5);
	e[1].register_ts = T(6.5);
	e[1].registered_ts = T(7.0);
	if (c == EXT_FAILED) {
		e[1].state = CT_EXT_INIT_ERROR;
		e[1].failed = true;
		snprintf(e[1].error_type, sizeof(e[1].error_type), "Extension.ConfigInvalid");
		e[1].error_ts = T(8.0);
		e[1].exit_ts = T(8.5);
		e[1].exit_status = 1 << 8;
		tl->init_gate = (struct ct_gate){0};
		snprintf(tl->note, sizeof(tl->note), "INIT failed: extension ct-ext-sh (pid 211) reported an init error");
		tl->complete = false;
		return;
	}
	e[1].ready_ts = T(20.3);
	seen(tl, CT_MS_EXT_READY, 20.3, 211);
	seen(tl, CT_MS_INIT_DONE, 20.3, 211);
	phase(tl, CT_PH_INIT_ALL, 3.0, 20.3, 201);
	phase(tl, CT_PH_EXT_WAIT, 20.0, 20.3, 211);
	tl->init_gate = (struct ct_gate){.known = true, .ext = 1, .pid = 211, .ts = T(20.3), .by_ns = T(20.3) - T(20.0)};
}

/* The model and its one timeline; false (test failed) otherwise. */
static bool setup(struct ct_model *m, struct ct_timelines *tls)
{
	build(m);
	if (ct_timelines_build(m, tls)) {
		CT__FAIL("ct_timelines_build failed");
		ct_model_free(m);
		return false;
	}
	CT_EQ_INT(tls->n, 1);
	if (tls->n != 1) {
		ct_timelines_free(tls);
		ct_model_free(m);
		return false;
	}
	CT_EQ_INT(tls->v[0].agent_pid, 201);
	CT_EQ_INT(tls->v[0].runtime_pid, 202);
	CT_EQ_U64(tls->v[0].t0, T(1.0));
	CT_EQ_INT(tls->v[0].next, 0); /* no extension traffic in the model */
	return true;
}

static void teardown(struct ct_model *m, struct ct_timelines *tls)
{
	ct_timelines_free(tls);
	ct_model_free(m);
}

/* A view's test: the model, its one timeline, the view's text. */
struct fx {
	struct ct_model m;
	struct ct_timelines tls;
	struct strbuf sb;
};

/* setup(), an empty text and the extensions of case c (EXT_NONE: none of
 * them); false (test failed, nothing to free) otherwise. */
static bool fx_open(struct fx *f, enum ext_case c)
{
	if (!setup(&f->m, &f->tls))
		return false;
	sb_init(&f->sb);
	if (c != EXT_NONE)
		add_exts(&f->tls.v[0], c);
	return true;
}

static void fx_close(struct fx *f)
{
	teardown(&f->m, &f->tls);
	sb_free(&f->sb);
}

static const struct ct_render_opts ropts = {.command = "ct-driver", .top = 3};

/* The text view's cold-start block of f's timeline into f->sb. */
static void text_of(struct fx *f, bool color)
{
	struct ct_render_opts o = ropts;

	o.color = color;
	sb_reset(&f->sb);
	ct_text_cold_start(&f->sb, &f->m, &f->tls.v[0], 0, 1, &o);
	if (getenv("CT_SHOW"))
		printf("--- text:\n%s---\n", f->sb.buf ? f->sb.buf : "");
}

static bool has(const struct strbuf *sb, const char *needle)
{
	bool ok = sb->buf && strstr(sb->buf, needle);

	if (!ok)
		printf("  not found: \"%s\"\n", needle);
	return ok;
}

/* ---- text ---- */

CT_TEST(text_without_extensions_unchanged)
{
	struct fx f;
	struct strbuf whole;

	if (!fx_open(&f, EXT_NONE))
		return;
	sb_init(&whole);
	text_of(&f, false);
	/* the block is the one the whole view prints */
	ct_render_text(&f.m, &whole, &ropts);
	CT_TRUE(f.sb.buf && whole.buf && strstr(whole.buf, f.sb.buf) != NULL);
	CT_TRUE(!strstr(f.sb.buf, "extension"));
	CT_TRUE(!strstr(f.sb.buf, "critical path"));
	CT_TRUE(!strstr(f.sb.buf, "registration:"));
	CT_TRUE(!strstr(f.sb.buf, "INIT (runtime"));
	CT_TRUE(!strstr(f.sb.buf, "waiting for"));
	/* the phase table as before: 24-character names, a 40-column bar */
	CT_TRUE(has(&f.sb, "  phase                          ms  |0 ms                             21.0 ms|\n"));
	CT_TRUE(has(&f.sb, "\n  function init              10.000  |                 ####################   |\n"));
	fx_close(&f);
	sb_free(&whole);
}

CT_TEST(text_two_extensions)
{
	struct fx f;
	const char *ext, *ag, *gate, *tab;

	if (!fx_open(&f, EXT_TWO))
		return;
	text_of(&f, false);
	/* the new phases in the table, the longest name widening its column */
	CT_TRUE(has(&f.sb, "  phase                           ms  |0 ms                            21.0 ms|\n"));
	CT_TRUE(has(&f.sb, "\n    extensions register        3.000  |     #######                           |\n"));
	CT_TRUE(has(&f.sb, "\n    INIT_START -> INIT done   17.300  |   #################################   |\n"));
	CT_TRUE(has(&f.sb, "\n    waiting for extensions     0.300  |                                   #   |\n"));
	CT_TRUE(has(&f.sb, "\n  cold start                  21.000  |#######################################|\n"));
	/* the extensions' table, in tl->ext order */
	CT_TRUE(has(&f.sb, "\n  extensions      pid     exec  Go init registered    ready  state\n"
			   "    ct-ext-go     210    3.000    0.800      1.600    2.000  ready\n"
			   "      events INVOKE,SHUTDOWN; subscribed to telemetry at 4.800 ms (200)\n"
			   "    ct-ext-sh     211    3.500        -      2.500   15.800  ready\n"
			   "    (ms; exec and 'at': since the cold start's start; the rest: since its exec)\n"));
	/* the gates: phases.c's sentences, whole */
	CT_TRUE(has(&f.sb, "\n  registration: the runtime's start waited for extension ct-ext-sh (pid 211)"));
	CT_TRUE(has(&f.sb, "\n  critical path: INIT waited for extension ct-ext-sh (pid 211) last: ready\n"
			   "    0.300 ms after the runtime's first /next\n"));
	/* order: phase table, extensions, gates, then the agent's figures */
	tab = strstr(f.sb.buf, "  cold start ");
	ext = strstr(f.sb.buf, "\n  extensions ");
	gate = strstr(f.sb.buf, "critical path:");
	ag = strstr(f.sb.buf, "  summary:");
	CT_TRUE(tab && ext && gate && ag && tab < ext && ext < gate && gate < ag);
	/* nothing failed: no red, no "failed:" */
	CT_TRUE(!strstr(f.sb.buf, "failed:"));

	/* colours: the extension phases magenta, the critical path bold */
	text_of(&f, true);
	CT_TRUE(has(&f.sb, "\n    extensions register        3.000  |     \033[35m#######\033[0m "));
	CT_TRUE(has(&f.sb, "\n    waiting for extensions     0.300  |                                   \033[35m#\033[0m   |\n"));
	CT_TRUE(has(&f.sb, "  \033[1mcritical path:\033[0m\033[1m INIT waited for extension ct-ext-sh"));
	CT_TRUE(!strstr(f.sb.buf, "\033[31mready") && !strstr(f.sb.buf, "failed:"));
	fx_close(&f);
}

CT_TEST(text_one_extension_runtime_gates)
{
	struct fx f;

	if (!fx_open(&f, EXT_ONE))
		return;
	text_of(&f, false);
	CT_TRUE(has(&f.sb, "\n  extensions      pid     exec  Go init registered    ready  state\n"
			   "    ct-ext-go     210    3.000    0.800      1.600    2.000  ready\n"));
	CT_TRUE(!strstr(f.sb.buf, "ct-ext-sh"));
	CT_TRUE(has(&f.sb, "\n  critical path: INIT waited for the runtime (pid 202) last"));
	CT_TRUE(has(&f.sb, "\n  registration: the runtime's start waited for extension ct-ext-go (pid 210)"));
	fx_close(&f);
}

CT_TEST(text_failed_extension)
{
	struct fx f;

	if (!fx_open(&f, EXT_FAILED))
		return;
	text_of(&f, false);
	CT_TRUE(has(&f.sb, "    ct-ext-sh     211    3.500        -      2.500        -  init error\n"
			   "      failed: init/error at 7.000 ms; exit 1 at 7.500 ms, before asking for its\n"
			   "        first event; error type Extension.ConfigInvalid\n"));
	CT_TRUE(!strstr(f.sb.buf, "critical path:")); /* INIT never ended */
	CT_TRUE(has(&f.sb, "  summary: INCOMPLETE cold start: INIT failed: extension ct-ext-sh (pid 211)\n"
			   "    reported an init error\n"));
	/* red: its state and the failure line */
	text_of(&f, true);
	CT_TRUE(has(&f.sb, "  \033[31minit error\033[0m\n"));
	CT_TRUE(has(&f.sb, "      \033[31mfailed:\033[0m init/error"));
	fx_close(&f);
}

CT_TEST(text_escapes_and_cuts_names)
{
	struct fx f;

	if (!fx_open(&f, EXT_TWO))
		return;
	snprintf(f.tls.v[0].ext[1].name, sizeof(f.tls.v[0].ext[1].name),
		 "evil\033[2Jname-that-is-much-too-long-for-it");
	text_of(&f, false);
	CT_TRUE(!strchr(f.sb.buf, '\033'));
	/* cut to 24 columns in the table ... */
	CT_TRUE(has(&f.sb, "\n  extensions                     pid     exec"));
	CT_TRUE(has(&f.sb, "\n    ct-ext-go                    210    3.000"));
	CT_TRUE(has(&f.sb, "\n    evil\\x1b[2Jname-that-...     211    3.500"));
	/* ... whole in the gates' sentences */
	CT_TRUE(has(&f.sb, "\n  critical path: INIT waited for extension\n"
			   "    evil\\x1b[2Jname-that-is-much-too-long-for-it (pid 211) last: ready 0.300 ms\n"));
	fx_close(&f);
}

/* ---- jsonl ---- */

/* The line of jsonl text that starts with prefix (copied into buf), or NULL. */
static const char *line_of(const char *text, const char *prefix, char *buf, size_t len)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (!strncmp(p, prefix, strlen(prefix))) {
			snprintf(buf, len, "%.*s", (int)n, p);
			return buf;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* Every line of the text is one valid JSON object. */
static void all_valid(const char *text)
{
	const char *p = text;
	size_t n = 0;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char err[256] = "";
		struct jv *v = jv_parse(p, len, err, sizeof(err));

		if (!v || v->t != JV_OBJ)
			CT__FAIL("line %zu not a JSON object: %s: %.80s", n + 1, err, p);
		jv_free(v);
		n++;
		p = nl ? nl + 1 : NULL;
	}
	CT_TRUE(n > 0);
}

/* The jsonl records of f's timeline into f->sb, each checked to be valid JSON. */
static void jsonl_of(struct fx *f)
{
	struct jsonw w;

	sb_reset(&f->sb);
	jw_init(&w, &f->sb);
	ct_jsonl_timeline(&w, &f->m, 0, &f->tls.v[0]);
	if (getenv("CT_SHOW"))
		printf("--- jsonl:\n%s---\n", f->sb.buf ? f->sb.buf : "");
	all_valid(f->sb.buf);
}

CT_TEST(jsonl_without_extensions)
{
	struct fx f;
	char l[4096];

	if (!fx_open(&f, EXT_NONE))
		return;
	jsonl_of(&f);
	CT_TRUE(!strstr(f.sb.buf, "\"type\":\"extension\""));
	/* the new phases are there, marked as not applying; their milestones are not */
	CT_TRUE(line_of(f.sb.buf, "{\"type\":\"phase\",\"sandbox\":0,\"name\":\"extensions_register\"", l, sizeof(l)) &&
		strstr(l, ",\"complete\":false,") && strstr(l, ",\"applies\":false}"));
	CT_TRUE(line_of(f.sb.buf, "{\"type\":\"phase\",\"sandbox\":0,\"name\":\"init_all\"", l, sizeof(l)) &&
		strstr(l, ",\"applies\":false}"));
	CT_TRUE(line_of(f.sb.buf, "{\"type\":\"phase\",\"sandbox\":0,\"name\":\"function_init\"", l, sizeof(l)) &&
		!strstr(l, "applies"));
	CT_TRUE(!strstr(f.sb.buf, "\"name\":\"extensions_start\""));
	CT_TRUE(!strstr(f.sb.buf, "\"name\":\"init_done\""));
	CT_TRUE(line_of(f.sb.buf, "{\"type\":\"timeline\"", l, sizeof(l)) &&
		strstr(l, ",\"extensions\":0,\"extensions_failed\":0") && !strstr(l, "gate") &&
		!strstr(l, "init_done_ns"));
	fx_close(&f);
}

CT_TEST(jsonl_extension_records)
{
	struct fx f;
	char l[4096];
	const char *go, *sh, *ms, *tl;

	if (!fx_open(&f, EXT_TWO))
		return;
	jsonl_of(&f);
	CT_TRUE(line_of(f.sb.buf, "{\"type\":\"extension\",\"sandbox\":0,\"index\":0,", l, sizeof(l)) != NULL);
	CT_EQ_STR(l, "{\"type\":\"extension\",\"sandbox\":0,\"index\":0,\"name\":\"ct-ext-go\",\"id\":\"id-go-0001\","
		     "\"pid\":210,\"state\":\"ready\",\"failed\":false,\"events\":\"INVOKE,SHUTDOWN\","
		     "\"exec_ns\":1004000000,\"go_runtime_ns\":1004200000,\"go_main_ns\":1005000000,"
		     "\"register_ns\":1005500000,\"registered_ns\":1005600000,\"register_status\":200,"
		     "\"ready_ns\":1006000000,\"exit_ns\":1030500000,\"exit_signal\":9,"
		     "\"subscriptions\":[{\"api\":\"telemetry\",\"ts_ns\":1005800000,\"reply_ns\":1005900000,\"status\":200}],"
		     "\"to_register_ns\":1600000,\"to_ready_ns\":2000000,\"go_init_ns\":800000,"
		     "\"gated_init\":false,\"gated_register\":false}");
	CT_TRUE(line_of(f.sb.buf, "{\"type\":\"extension\",\"sandbox\":0,\"index\":1,", l, sizeof(l)) != NULL);
	CT_EQ_STR(l, "{\"type\":\"extension\",\"sandbox\":0,\"index\":1,\"name\":\"ct-ext-sh\",\"id\":\"id-sh-0002\","
		     "\"pid\":211,\"state\":\"ready\",\"failed\":false,\"exec_ns\":1004500000,"
		     "\"register_ns\":1006500000,\"registered_ns\":1007000000,\"register_status\":200,"
		     "\"ready_ns\":1020300000,\"subscriptions\":[],\"to_register_ns\":2500000,\"to_ready_ns\":15800000,"
		     "\"gated_init\":true,\"gated_register\":true}");
	CT_TRUE(line_of(f.sb.buf, "{\"type\":\"timeline\"", l, sizeof(l)) != NULL);
	CT_TRUE(strstr(l, ",\"extensions\":2,\"extensions_failed\":0,\"init_done_ns\":1020300000,"
			  "\"init_gate\":{\"role\":\"extension\",\"name\":\"ct-ext-sh\",\"pid\":211,\"ts_ns\":1020300000,"
			  "\"by_ns\":300000},\"register_gate\":{\"role\":\"extension\",\"name\":\"ct-ext-sh\",\"pid\":211,"
			  "\"ts_ns\":1007000000,\"by_ns\":1400000},"
			  "\"init_gate_text\":\"INIT waited for extension ct-ext-sh (pid 211) last: ready 0.300 ms after "
			  "the runtime's first /next\",\"register_gate_text\":\"the runtime's start waited for extension "
			  "ct-ext-sh (pid 211) to register last") != NULL);
	/* the order: milestones, the extensions, then the timeline */
	ms = strstr(f.sb.buf, "{\"type\":\"milestone\",\"sandbox\":0,\"name\":\"init_done\"");
	go = strstr(f.sb.buf, "\"name\":\"ct-ext-go\"");
	sh = strstr(f.sb.buf, "\"name\":\"ct-ext-sh\"");
	tl = strstr(f.sb.buf, "{\"type\":\"timeline\"");
	CT_TRUE(ms && go && sh && tl && ms < go && go < sh && sh < tl);
	/* the new phases and milestones like the others */
	CT_TRUE(line_of(f.sb.buf, "{\"type\":\"phase\",\"sandbox\":0,\"name\":\"extensions_wait\"", l, sizeof(l)) &&
		strstr(l, "\"dur_ns\":300000,") && strstr(l, "\"complete\":true,") && !strstr(l, "applies"));
	CT_TRUE(strstr(f.sb.buf, "{\"type\":\"milestone\",\"sandbox\":0,\"name\":\"extensions_start\",") != NULL);
	fx_close(&f);
}

CT_TEST(jsonl_failed_and_runtime_gate)
{
	struct fx f;
	char l[4096];

	if (!fx_open(&f, EXT_FAILED))
		return;
	jsonl_of(&f);
	CT_TRUE(line_of(f.sb.buf, "{\"type\":\"extension\",\"sandbox\":0,\"index\":1,", l, sizeof(l)) != NULL);
	CT_EQ_STR(l, "{\"type\":\"extension\",\"sandbox\":0,\"index\":1,\"name\":\"ct-ext-sh\",\"id\":\"id-sh-0002\","
		     "\"pid\":211,\"state\":\"init_error\",\"failed\":true,\"error_type\":\"Extension.ConfigInvalid\","
		     "\"exec_ns\":1004500000,\"register_ns\":1006500000,\"registered_ns\":1007000000,"
		     "\"register_status\":200,\"error_ns\":1008000000,\"exit_ns\":1008500000,\"exit_code\":1,"
		     "\"subscriptions\":[],\"to_register_ns\":2500000,\"gated_init\":false,\"gated_register\":true}");
	CT_TRUE(line_of(f.sb.buf, "{\"type\":\"timeline\"", l, sizeof(l)) && strstr(l, "\"extensions\":2,\"extensions_failed\":1,") &&
		!strstr(l, "\"init_gate\"") && !strstr(l, "init_gate_text") && strstr(l, "\"register_gate\":{"));
	ct_timelines_free(&f.tls);

	/* one extension: the runtime gated INIT */
	CT_EQ_INT(ct_timelines_build(&f.m, &f.tls), 0);
	if (f.tls.n == 1) {
		add_exts(&f.tls.v[0], EXT_ONE);
		jsonl_of(&f);
		CT_TRUE(line_of(f.sb.buf, "{\"type\":\"timeline\"", l, sizeof(l)) &&
			strstr(l, "\"init_gate\":{\"role\":\"runtime\",\"name\":\"bootstrap\",\"pid\":202,\"ts_ns\":1020000000,"
				  "\"by_ns\":14000000}") &&
			strstr(l, "\"init_gate_text\":\"INIT waited for the runtime (pid 202) last"));
		CT_TRUE(line_of(f.sb.buf, "{\"type\":\"extension\",\"sandbox\":0,\"index\":0,", l, sizeof(l)) &&
			strstr(l, "\"gated_init\":false,\"gated_register\":true}"));
	}
	fx_close(&f);
}

/* The agent's EXTENSION log line, through the whole view. */
CT_TEST(jsonl_extension_log_line)
{
	struct ct_model m;
	struct strbuf sb;
	char l[4096];

	build(&m);
	sb_init(&sb);
	ct_render_jsonl(&m, &sb, &ropts);
	all_valid(sb.buf);
	CT_TRUE(line_of(sb.buf, "{\"type\":\"log\",\"ts_ns\":1020400000,", l, sizeof(l)) != NULL);
	CT_TRUE(strstr(l, "\"kind\":\"extension\",\"ext_name\":\"ct-ext-sh\",\"ext_events\":\"INVOKE,SHUTDOWN\","
			  "\"state\":\"Ready\",\"line\":") != NULL);
	CT_TRUE(!strstr(l, "\"status\""));
	/* a REPORT's status keeps its key */
	ct_model_free(&m);
	sb_free(&sb);
}

/* 200 extensions: 64 rows, then only the failed ones and the one that gated
 * INIT (64 more at most), then how many are left out. */
CT_TEST(text_many_extensions_capped)
{
	struct fx f;
	struct ct_extension *e;
	size_t rows = 0;
	const char *p;

	if (!fx_open(&f, EXT_NONE))
		return;
	e = calloc(200, sizeof(*e));
	if (!e) {
		fx_close(&f);
		return;
	}
	for (size_t i = 0; i < 200; i++) {
		snprintf(e[i].name, sizeof(e[i].name), "ext-%03zu", i);
		e[i].pid = 1000 + (uint32_t)i;
		e[i].exec_ts = T(4.0);
		e[i].state = i % 50 == 7 ? CT_EXT_EXITED : CT_EXT_READY;
		e[i].failed = i % 50 == 7; /* 7, 57, 107, 157 */
	}
	free(f.tls.v[0].ext);
	f.tls.v[0].ext = e;
	f.tls.v[0].next = 200;
	f.tls.v[0].next_failed = 4;
	f.tls.v[0].init_gate = (struct ct_gate){.known = true, .ext = 150, .pid = 1150, .ts = T(20.3), .by_ns = 1};
	text_of(&f, false);
	for (p = f.sb.buf; p && (p = strstr(p, "\n    ext-")); p++)
		rows++;
	CT_EQ_INT(rows, 64 + 3); /* 0..63, then 107, 150 (INIT's gate), 157 */
	CT_TRUE(has(&f.sb, "\n    ext-063 "));
	CT_TRUE(!strstr(f.sb.buf, "\n    ext-064 "));
	CT_TRUE(has(&f.sb, "\n    ext-107 "));
	CT_TRUE(has(&f.sb, "\n    ext-150 "));
	CT_TRUE(has(&f.sb, "\n    ext-157 "));
	CT_TRUE(has(&f.sb, "\n    ... 133 more (all of them: -f jsonl)\n"));
	/* from 100 on every one failed: 64 of them shown, 36 more hidden */
	for (size_t i = 100; i < 200; i++) {
		e[i].failed = true;
		e[i].state = CT_EXT_EXITED;
	}
	text_of(&f, false);
	CT_TRUE(has(&f.sb, "\n    ext-163 "));
	CT_TRUE(!strstr(f.sb.buf, "\n    ext-164 "));
	CT_TRUE(has(&f.sb, "\n    ... 72 more, 36 of them failed (all of them: -f jsonl)\n"));
	fx_close(&f);
}

/* A real extension in the model (phases.c finds it): ct-ext-x (pid 220)
 * registers and posts init/error; the text view's timeline names it and its
 * error type, its table has its row. */
CT_TEST(text_timeline_names_extension)
{
	struct ct_model m;
	struct strbuf sb;
	struct ct_render_opts o = ropts;

	ct_model_init(&m, &ops);
	ct_model_add_root(&m, 201, T(0.5));
	mb_exec(&m, 201, 1, T(1.0), "/sandbox/ct-agent");
	mb_listen(&m, 201, T(2.0), 9001);
	mb_log(&m, 201, T(3.0), "INIT_START Runtime Version: ct-demo:1.v1 Runtime Version ARN: arn:aws:lambda:us-east-1::runtime:x");
	mb_fork(&m, 201, 220, T(3.4));
	mb_exec(&m, 220, 201, T(3.5), "/opt/extensions/ct-ext-x");
	mb_io(&m, 220, T(4.0), CT_IO_WRITE, 51000, 9001, 0xd1,
	      "POST /2020-01-01/extension/register HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nLambda-Extension-Name: ct-ext-x\r\n"
	      "Content-Length: 2\r\n\r\n{}");
	mb_io(&m, 201, T(4.1), CT_IO_WRITE, 9001, 51000, 0xd2,
	      "HTTP/1.1 200 OK\r\nLambda-Extension-Identifier: id-x\r\nContent-Length: 2\r\n\r\n{}");
	mb_io(&m, 220, T(5.0), CT_IO_WRITE, 51000, 9001, 0xd1,
	      "POST /2020-01-01/extension/init/error HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nLambda-Extension-Identifier: id-x\r\n"
	      "Lambda-Extension-Function-Error-Type: Extension.Bad\r\nContent-Length: 2\r\n\r\n{}");
	mb_exit(&m, 220, T(5.5), 1 << 8);
	mb_exit(&m, 201, T(6.0), 0);
	ct_model_finish(&m);
	sb_init(&sb);
	o.color = false;
	ct_render_text(&m, &sb, &o);
	if (getenv("CT_SHOW"))
		printf("--- text:\n%s---\n", sb.buf);
	CT_TRUE(has(&sb, "  pid 220     http    POST /2020-01-01/extension/register  extension ct-ext-x  127.0.0.1:51000 -> "));
	CT_TRUE(has(&sb, "  pid 220     http    POST /2020-01-01/extension/init/error  error-type Extension.Bad  "));
	CT_TRUE(has(&sb, "\n    ct-ext-x      220    2.500"));
	ct_model_free(&m);
	sb_free(&sb);
}

/* ---- report ---- */

/*
 * A run with the extensions ct-ext-go (Go, exec at 10 ms, held hold_ms by
 * coldtrace, to register k+hold ms, to ready 2k+hold ms, Go init k/2 ms) and
 * ct-ext-sh (to register 3k ms, to ready 10k ms, or failed: no ready),
 * which gated INIT unless it failed; the phases "extensions_register"
 * (4k ms) and "total" (100k ms), and "runtime_go_init" not applying.
 */
static void ext_run(struct strbuf *sb, unsigned k, double hold_ms, bool sh_failed)
{
	uint64_t exec = 10 * MS_NS, hold = (uint64_t)(hold_ms * 1e6);

	sb_reset(sb);
	sb_puts(sb, "{\"type\":\"header\",\"schema\":\"coldtrace/1\",\"version\":\"0.3.0\"}\n");
	sb_printf(sb, "{\"type\":\"exec\",\"pid\":210,\"ts_ns\":%llu,\"path\":\"/opt/extensions/ct-ext-go\",\"comm\":\"ct-ext-go\",\"held_ns\":%llu}\n",
		  (unsigned long long)exec, (unsigned long long)hold);
	sb_printf(sb, "{\"type\":\"phase\",\"sandbox\":0,\"name\":\"extensions_register\",\"dur_ns\":%llu,\"complete\":true}\n",
		  (unsigned long long)(4 * k * MS_NS));
	sb_puts(sb, "{\"type\":\"phase\",\"sandbox\":0,\"name\":\"runtime_go_init\",\"pid\":0,\"complete\":false,\"applies\":false}\n");
	sb_printf(sb, "{\"type\":\"phase\",\"sandbox\":0,\"name\":\"total\",\"dur_ns\":%llu,\"complete\":true}\n",
		  (unsigned long long)(100 * k * MS_NS));
	sb_printf(sb, "{\"type\":\"extension\",\"sandbox\":0,\"index\":0,\"name\":\"ct-ext-go\",\"pid\":210,\"state\":\"ready\",\"failed\":false,"
		      "\"exec_ns\":%llu,\"subscriptions\":[{\"api\":\"telemetry\",\"ts_ns\":1}],\"to_register_ns\":%llu,\"to_ready_ns\":%llu,"
		      "\"go_init_ns\":%llu,\"gated_init\":%s,\"gated_register\":false}\n",
		  (unsigned long long)exec, (unsigned long long)(k * MS_NS + hold),
		  (unsigned long long)(2 * k * MS_NS + hold), (unsigned long long)(k * MS_NS / 2),
		  "false");
	if (sh_failed)
		sb_printf(sb, "{\"type\":\"extension\",\"sandbox\":0,\"index\":1,\"name\":\"ct-ext-sh\",\"pid\":211,\"state\":\"init_error\",\"failed\":true,"
			      "\"error_type\":\"Extension.ConfigInvalid\",\"exec_ns\":%llu,\"subscriptions\":[],\"to_register_ns\":%llu,"
			      "\"gated_init\":false,\"gated_register\":true}\n",
			  (unsigned long long)exec, (unsigned long long)(3 * k * MS_NS));
	else
		sb_printf(sb, "{\"type\":\"extension\",\"sandbox\":0,\"index\":1,\"name\":\"ct-ext-sh\",\"pid\":211,\"state\":\"ready\",\"failed\":false,"
			      "\"exec_ns\":%llu,\"subscriptions\":[],\"to_register_ns\":%llu,\"to_ready_ns\":%llu,"
			      "\"gated_init\":true,\"gated_register\":true}\n",
			  (unsigned long long)exec, (unsigned long long)(3 * k * MS_NS),
			  (unsigned long long)(10 * k * MS_NS));
	sb_puts(sb, "{\"type\":\"summary\",\"lost_total\":0,\"complete\":true}\n");
}

/* Runs k = from..to into r (the last one with ct-ext-sh failed if fail_last). */
static struct ct_report *ext_runs(unsigned from, unsigned to, bool fail_last)
{
	struct ct_report *r = ct_report_new();
	struct strbuf sb;
	char err[256], name[32];

	sb_init(&sb);
	for (unsigned k = from; r && k <= to; k++) {
		ext_run(&sb, k, 0.5, fail_last && k == to);
		snprintf(name, sizeof(name), "ext%u.jsonl", k);
		err[0] = 0;
		if (ct_report_add_buffer(r, name, sb.buf, sb.len, err, sizeof(err)))
			CT__FAIL("run %u: %s", k, err);
	}
	sb_free(&sb);
	return r;
}

CT_TEST(report_extension_stats)
{
	struct ct_report *r = ext_runs(1, 3, true);
	struct ct_stats st;
	struct ct_report_ext_counts c = {0};
	size_t inc = 99;

	if (!r)
		return;
	CT_EQ_INT(ct_report_nruns(r), 3);
	/* ct-ext-go: the hold (0.5 ms) left out of the times from exec */
	CT_TRUE(ct_report_ext_stats(r, "ct-ext-go", CT_REPORT_EXT_TO_REGISTER, &st));
	CT_EQ_INT(st.count, 3);
	CT_EQ_U64(st.p50, 2 * MS_NS);
	CT_EQ_U64(st.max, 3 * MS_NS);
	CT_TRUE(ct_report_ext_stats(r, "ct-ext-go", CT_REPORT_EXT_TO_READY, &st));
	CT_EQ_U64(st.p50, 4 * MS_NS);
	CT_TRUE(ct_report_ext_stats(r, "ct-ext-go", CT_REPORT_EXT_GO_INIT, &st));
	CT_EQ_U64(st.p50, MS_NS);
	CT_EQ_U64(st.max, 3 * MS_NS / 2);
	CT_TRUE(ct_report_ext_counts(r, "ct-ext-go", &c));
	CT_EQ_INT(c.starts, 3);
	CT_EQ_INT(c.failed, 0);
	CT_EQ_INT(c.gated_init, 0);
	/* ct-ext-sh: failed in run 3 (no ready), gated INIT in 1 and 2 */
	CT_TRUE(ct_report_ext_stats(r, "ct-ext-sh", CT_REPORT_EXT_TO_READY, &st));
	CT_EQ_INT(st.count, 2);
	CT_EQ_U64(st.p50, 10 * MS_NS);
	CT_EQ_U64(st.max, 20 * MS_NS);
	CT_TRUE(ct_report_ext_stats(r, "ct-ext-sh", CT_REPORT_EXT_TO_REGISTER, &st));
	CT_EQ_INT(st.count, 3);
	CT_TRUE(ct_report_ext_stats(r, "ct-ext-sh", CT_REPORT_EXT_GO_INIT, &st));
	CT_EQ_INT(st.count, 0);
	CT_TRUE(ct_report_ext_counts(r, "ct-ext-sh", &c));
	CT_EQ_INT(c.starts, 3);
	CT_EQ_INT(c.failed, 1);
	CT_EQ_INT(c.gated_init, 2);
	CT_EQ_INT(c.gated_register, 3);
	CT_TRUE(!ct_report_ext_counts(r, "ct-ext-none", &c));
	/* a phase that does not apply is neither a sample nor unfinished */
	CT_TRUE(!ct_report_phase_stats(r, "runtime_go_init", &st, &inc));
	CT_TRUE(ct_report_phase_stats(r, "extensions_register", &st, &inc));
	CT_EQ_INT(st.count, 3);
	CT_EQ_INT(inc, 0);
	ct_report_free(r);
}

static const char ext_text[] =
	"\n"
	"Lambda extensions                count    p50 ms    p90 ms    p99 ms    max ms\n"
	"ct-ext-go  (3 starts, gated INIT in 0)\n"
	"  exec -> registered                 3     2.000     3.000     3.000     3.000\n"
	"  exec -> ready (event/next)         3     4.000     6.000     6.000     6.000\n"
	"  Go runtime start -> main.main      3     1.000     1.500     1.500     1.500\n"
	"ct-ext-sh  (3 starts, failed in 1, gated INIT in 2, the runtime's start in 3)\n"
	"  exec -> registered                 3     6.000     9.000     9.000     9.000\n"
	"  exec -> ready (event/next)         2    10.000    20.000    20.000    20.000\n"
	"\n";

CT_TEST(report_extension_render)
{
	struct ct_report *r = ext_runs(1, 3, true);
	struct ct_report_opts o = {0};
	struct strbuf sb;
	struct jr_obj jo;
	const char *ph, *ex, *fn;

	if (!r)
		return;
	sb_init(&sb);
	jr_init(&jo);
	ct_report_render(r, &sb, &o);
	if (getenv("CT_SHOW"))
		printf("--- report:\n%s---\n", sb.buf);
	CT_TRUE(has(&sb, ext_text));
	/* the phase table as wide as the extensions' */
	CT_TRUE(has(&sb, "\nphases                           count    p50 ms    p90 ms    p99 ms    max ms\n"
			 "  extensions_register                3     8.000    12.000    12.000    12.000\n"));
	CT_TRUE(!strstr(sb.buf, "runtime_go_init"));
	CT_TRUE(!strstr(sb.buf, "without an end"));
	ph = strstr(sb.buf, "\nphases ");
	ex = strstr(sb.buf, "\nLambda extensions ");
	fn = strstr(sb.buf, "\npercentiles are");
	CT_TRUE(ph && ex && fn && ph < ex && ex < fn);

	sb_reset(&sb);
	o.json = true;
	ct_report_render(r, &sb, &o);
	CT_EQ_INT(jr_parse(&jo, sb.buf, sb.len, NULL), 0);
	CT_TRUE(has(&sb, "\"extensions\":[{\"name\":\"ct-ext-go\",\"starts\":3,\"failed\":0,\"gated_init\":0,\"gated_register\":0,"
			 "\"to_register\":{\"count\":3,\"p50_ns\":2000000,\"p90_ns\":3000000,\"p99_ns\":3000000,\"max_ns\":3000000},"
			 "\"to_ready\":{\"count\":3,\"p50_ns\":4000000,"));
	CT_TRUE(has(&sb, "{\"name\":\"ct-ext-sh\",\"starts\":3,\"failed\":1,\"gated_init\":2,\"gated_register\":3,"));
	CT_TRUE(has(&sb, "\"go_init\":{\"count\":0}}]"));
	ct_report_free(r);

	/* runs without extensions: no section, an empty list */
	r = ct_report_new();
	{
		static const char run[] = "{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n"
					  "{\"type\":\"phase\",\"name\":\"total\",\"dur_ns\":1000}\n";
		char err[256];

		CT_EQ_INT(ct_report_add_buffer(r, "plain", run, sizeof(run) - 1, err, sizeof(err)), 0);
	}
	sb_reset(&sb);
	ct_report_render(r, &sb, &o);
	CT_TRUE(has(&sb, "\"extensions\":[]"));
	sb_reset(&sb);
	o.json = false;
	ct_report_render(r, &sb, &o);
	CT_TRUE(!strstr(sb.buf, "xtension"));
	ct_report_free(r);
	sb_free(&sb);
	jr_free(&jo);
}

CT_TEST(report_extension_compare)
{
	struct ct_report *a = ext_runs(4, 6, false), *b = ext_runs(1, 3, true), *c;
	struct ct_report_opts o = {0};
	struct strbuf sb;
	struct jr_obj jo;

	if (!a || !b)
		return;
	sb_init(&sb);
	jr_init(&jo);
	ct_report_render_compare(a, b, &sb, &o);
	if (getenv("CT_SHOW"))
		printf("--- compare:\n%s---\n", sb.buf);
	/* by |diff|: ct-ext-sh ready 50 -> 10, register 15 -> 6, ... */
	CT_TRUE(has(&sb, "\nLambda extension                            A p50 ms   B p50 ms    diff ms     diff  n A/B\n"
			 "  ct-ext-sh exec -> ready (event/next)        50.000     10.000    -40.000   -80.0%  3/2\n"
			 "  ct-ext-sh exec -> registered                15.000      6.000     -9.000   -60.0%  3/3\n"
			 "  ct-ext-go exec -> ready (event/next)        10.000      4.000     -6.000   -60.0%  3/3\n"
			 "  ct-ext-go exec -> registered                 5.000      2.000     -3.000   -60.0%  3/3\n"
			 "  ct-ext-go Go runtime start -> main.main      2.500      1.000     -1.500   -60.0%  3/3\n"
			 "  ct-ext-sh: failed in 0 of 3 starts -> 1 of 3, gated INIT in 3 of 3 -> 2 of 3\n\n"));
	/* between the startup and the package tables */
	CT_TRUE(strstr(sb.buf, "\nGo program startup") == NULL || strstr(sb.buf, "\nGo program startup") < strstr(sb.buf, "\nLambda extension "));
	CT_TRUE(has(&sb, "\ntotal p50 500 -> 200 ms (-60%)\n"));

	sb_reset(&sb);
	o.json = true;
	ct_report_render_compare(a, b, &sb, &o);
	CT_EQ_INT(jr_parse(&jo, sb.buf, sb.len, NULL), 0);
	CT_TRUE(has(&sb, "\"extensions\":[{\"extension\":\"ct-ext-sh\",\"name\":\"to_ready\",\"a_count\":3,\"b_count\":2,"
			 "\"a_p50_ns\":50000000,\"b_p50_ns\":10000000,\"diff_ns\":-40000000,\"diff_pct\":-80.0},"));
	CT_TRUE(has(&sb, "\"extension_counts\":[{\"name\":\"ct-ext-go\",\"a_starts\":3,\"b_starts\":3,\"a_failed\":0,\"b_failed\":0,"
			 "\"a_gated_init\":0,\"b_gated_init\":0},{\"name\":\"ct-ext-sh\",\"a_starts\":3,\"b_starts\":3,"
			 "\"a_failed\":0,\"b_failed\":1,\"a_gated_init\":3,\"b_gated_init\":2}]"));

	/* an extension only one side has */
	c = ct_report_new();
	{
		static const char run[] = "{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n"
					  "{\"type\":\"extension\",\"name\":\"ct-ext-new\",\"to_register_ns\":7000000}\n";
		char err[256];

		CT_EQ_INT(ct_report_add_buffer(c, "new", run, sizeof(run) - 1, err, sizeof(err)), 0);
	}
	sb_reset(&sb);
	o.json = false;
	ct_report_render_compare(a, c, &sb, &o);
	if (getenv("CT_SHOW"))
		printf("--- compare2:\n%s---\n", sb.buf);
	CT_TRUE(has(&sb, "\n  ct-ext-new exec -> registered                    -      7.000          -   only B  0/1\n"));
	CT_TRUE(has(&sb, "\n  ct-ext-go exec -> registered                 5.000          -          -   only A  3/0\n"));
	ct_report_free(c);

	/* neither side has any: no table (as before extensions) */
	c = ct_report_new();
	sb_reset(&sb);
	ct_report_render_compare(c, c, &sb, &o);
	CT_TRUE(!strstr(sb.buf, "xtension"));
	ct_report_free(c);
	ct_report_free(a);
	ct_report_free(b);
	sb_free(&sb);
	jr_free(&jo);
}

CT_TEST(report_extension_errors)
{
	static const struct {
		const char *rec, *msg;
	} cases[] = {
		{"{\"type\":\"extension\",\"pid\":3}", "x.jsonl:2: extension record: \"name\" missing or not a non-empty string"},
		{"{\"type\":\"extension\",\"name\":\"\"}", "x.jsonl:2: extension record: \"name\" missing or not a non-empty string"},
		{"{\"type\":\"extension\",\"name\":\"e\",\"to_ready_ns\":-1}",
		 "x.jsonl:2: extension record: \"to_ready_ns\" missing or not a non-negative integer"},
		{"{\"type\":\"extension\",\"name\":\"e\",\"go_init_ns\":\"1\"}",
		 "x.jsonl:2: extension record: \"go_init_ns\" missing or not a non-negative integer"},
		{"{\"type\":\"extension\",\"name\":\"e\",\"failed\":1}", "x.jsonl:2: extension record: \"failed\" is not true or false"},
		{"{\"type\":\"extension\",\"name\":\"e\",\"gated_init\":null}",
		 "x.jsonl:2: extension record: \"gated_init\" is not true or false"},
	};
	char err[256], run[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ct_report *r = ct_report_new();
		int n = snprintf(run, sizeof(run), "{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n%s\n", cases[i].rec);

		err[0] = 0;
		CT_EQ_INT(ct_report_add_buffer(r, "x.jsonl", run, (size_t)n, err, sizeof(err)), -1);
		if (strcmp(err, cases[i].msg))
			CT__FAIL("case %zu: \"%s\", expected \"%s\"", i, err, cases[i].msg);
		CT_EQ_INT(ct_report_nruns(r), 0);
		ct_report_free(r);
	}
}

/* The jsonl view's own records, read back by the report. */
CT_TEST(report_reads_the_jsonl_view)
{
	struct fx f;
	struct strbuf run;
	struct ct_report *r = ct_report_new();
	struct ct_stats st;
	struct ct_report_ext_counts c = {0};
	char err[256];
	size_t inc = 99;

	if (!r || !fx_open(&f, EXT_TWO)) {
		ct_report_free(r);
		return;
	}
	sb_init(&run);
	jsonl_of(&f);
	sb_puts(&run, "{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n");
	sb_putn(&run, f.sb.buf, f.sb.len);
	CT_EQ_INT(ct_report_add_buffer(r, "view", run.buf, run.len, err, sizeof(err)), 0);
	CT_TRUE(ct_report_ext_stats(r, "ct-ext-sh", CT_REPORT_EXT_TO_READY, &st));
	CT_EQ_INT(st.count, 1);
	CT_EQ_U64(st.p50, T(20.3) - T(4.5));
	CT_TRUE(ct_report_ext_stats(r, "ct-ext-go", CT_REPORT_EXT_GO_INIT, &st));
	CT_EQ_U64(st.p50, T(5.0) - T(4.2));
	CT_TRUE(ct_report_ext_counts(r, "ct-ext-sh", &c));
	CT_EQ_INT(c.gated_init, 1);
	CT_TRUE(ct_report_phase_stats(r, "extensions_wait", &st, &inc));
	CT_EQ_INT(st.count, 1);
	CT_EQ_U64(st.p50, T(20.3) - T(20.0));
	/* the runtime is not Go here: its Go init does not apply, not "unfinished" */
	CT_TRUE(!ct_report_phase_stats(r, "runtime_go_init", &st, &inc));
	fx_close(&f);
	ct_report_free(r);
	sb_free(&run);
}

/* A real run of the demo with its two extensions (ct-driver --extensions 2,
 * trimmed: a fuzz seed too): ct-ext-go was held 14.6 ms by
 * coldtrace after its exec, left out of its times from exec. */
CT_TEST(report_real_run)
{
	const char *f = CT_SOURCE_DIR "/tests/fuzz/corpus/jsonl/real-ext-two.jsonl";
	struct ct_report *r = ct_report_new();
	struct ct_stats st;
	struct ct_report_ext_counts c = {0};
	struct strbuf sb;
	char err[256], buf[4096];
	FILE *in = fopen(f, "r");
	size_t n;

	sb_init(&sb);
	CT_TRUE(in != NULL);
	while (in && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		sb_putn(&sb, buf, n);
	if (in)
		fclose(in);
	CT_EQ_INT(ct_report_add_buffer(r, "real", sb.buf, sb.len, err, sizeof(err)), 0);
	CT_TRUE(ct_report_ext_stats(r, "ct-ext-go", CT_REPORT_EXT_TO_REGISTER, &st));
	CT_EQ_U64(st.p50, 65486442ull - 14622771ull);
	CT_TRUE(ct_report_ext_stats(r, "ct-ext-go", CT_REPORT_EXT_TO_READY, &st));
	CT_EQ_U64(st.p50, 70927431ull - 14622771ull);
	CT_TRUE(ct_report_ext_stats(r, "ct-ext-go", CT_REPORT_EXT_GO_INIT, &st));
	CT_EQ_U64(st.p50, 29486838ull);
	CT_TRUE(ct_report_ext_stats(r, "ct-ext-sh", CT_REPORT_EXT_TO_READY, &st));
	CT_EQ_U64(st.p50, 167938664ull); /* a shell: not held */
	CT_TRUE(ct_report_ext_counts(r, "ct-ext-sh", &c));
	CT_EQ_INT(c.starts, 1);
	CT_EQ_INT(c.gated_init, 1);
	CT_EQ_INT(c.failed, 0);
	CT_TRUE(ct_report_phase_stats(r, "init_all", &st, NULL));
	CT_EQ_INT(st.count, 1);
	sb_reset(&sb);
	ct_report_render(r, &sb, NULL);
	CT_TRUE(has(&sb, "\nct-ext-sh  (1 start, gated INIT in 1, the runtime's start in 1)\n"
			 "  exec -> registered                 1    79.239    79.239    79.239    79.239\n"
			 "  exec -> ready (event/next)         1   167.939   167.939   167.939   167.939\n"));
	ct_report_free(r);
	sb_free(&sb);
}

int main(void)
{
	CT_RUN(text_without_extensions_unchanged);
	CT_RUN(text_two_extensions);
	CT_RUN(text_one_extension_runtime_gates);
	CT_RUN(text_failed_extension);
	CT_RUN(text_escapes_and_cuts_names);
	CT_RUN(text_many_extensions_capped);
	CT_RUN(text_timeline_names_extension);
	CT_RUN(jsonl_without_extensions);
	CT_RUN(jsonl_extension_records);
	CT_RUN(jsonl_failed_and_runtime_gate);
	CT_RUN(jsonl_extension_log_line);
	CT_RUN(report_extension_stats);
	CT_RUN(report_extension_render);
	CT_RUN(report_extension_compare);
	CT_RUN(report_extension_errors);
	CT_RUN(report_reads_the_jsonl_view);
	CT_RUN(report_real_run);
	return ct_summary();
}
