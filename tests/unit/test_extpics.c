// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Lambda extensions (issue 13) in the perfetto, svg and otlp views, drawn
 * from timelines built here by hand (ct_render_*_tls), so every case is
 * exact: no extension, one, two (one gating INIT), one that exited before
 * being ready, one that posted init/error.
 *
 * The processes (ms from the trace's start): agent 101 exec 0.5, listening
 * 5, INIT_START 10; extension ct-ext-go (103, Go) exec 11, runtime start
 * 11.5, main.main 14, registered 15.5, telemetry subscription 16 (200),
 * ready (its first event/next) 20; extension ct-ext-sh (104) exec 11.2,
 * registered 17, ready 45: it gates INIT, 15 ms after the runtime (102,
 * exec 18) asked for its first /next at 30; invocation 45.5, response 47.
 *
 * The outputs are parsed (JSON; the SVG's tags and their attributes) and
 * checked for the right tracks, rows and spans, at the right times.
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

#define AGENT 101
#define RUNTIME 102
#define EXT_GO 103
#define EXT_SH 104

static struct ct_model_ops ops = {.pkg_of = mb_pkg_of_ctx, .ctx = "example.com/ext/config"};

static const struct ct_render_opts ropts = {
	.command = "ct-driver --runtime go",
	.top = 3,
	.realtime_offset_ns = 1700000000000000000ull,
};

/* The variants. */
enum variant {
	V_NONE,     /* no extension */
	V_ONE,      /* ct-ext-go only: the runtime gates INIT */
	V_TWO,      /* both: ct-ext-sh gates INIT */
	V_EXITED,   /* both; ct-ext-sh exits (status 2, Extension.Crash) at 25 before ready */
	V_INIT_ERR, /* both; ct-ext-go posts init/error (Extension.ConfigInvalid) at 18 */
};

struct fixture {
	struct ct_model m;
	struct ct_timelines tls;
};

static void build(struct fixture *f, enum variant v)
{
	struct ct_model *m = &f->m;
	struct ct_timeline *tl;
	bool two = v >= V_TWO, any = v != V_NONE;

	memset(f, 0, sizeof(*f));
	ct_model_init(m, &ops);
	mb_exec(m, 100, 1, MS(0.0), "/sandbox/ct-driver");
	mb_fork(m, 100, AGENT, MS(0.2));
	mb_exec(m, AGENT, 100, MS(0.5), "/sandbox/ct-agent");
	if (any) {
		mb_fork(m, AGENT, EXT_GO, MS(10.9));
		mb_exec(m, EXT_GO, AGENT, MS(11.0), "/opt/extensions/ct-ext-go");
		mb_go(m, EXT_GO, 3, MS(11.5), CT_GO_RTSTART, MS(11.5));
		mb_go(m, EXT_GO, 3, MS(12.0), CT_GO_TASKSTART, 0x1000);
		mb_go(m, EXT_GO, 3, MS(13.5), CT_GO_TASKEND, 0);
		mb_go(m, EXT_GO, 3, MS(14.0), CT_GO_MAINMAIN, 0);
	}
	if (two) {
		mb_fork(m, AGENT, EXT_SH, MS(11.1));
		mb_exec(m, EXT_SH, AGENT, MS(11.2), "/opt/extensions/ct-ext-sh");
	}
	mb_fork(m, AGENT, RUNTIME, MS(17.9));
	mb_exec(m, RUNTIME, AGENT, MS(18.0), "/var/task/bootstrap");
	if (v == V_EXITED)
		mb_exit(m, EXT_SH, MS(25.0), 2 << 8);
	if (v == V_INIT_ERR)
		mb_exit(m, EXT_GO, MS(18.5), 1 << 8);
	mb_exit(m, RUNTIME, MS(50.0), 15);
	if (two && v != V_EXITED)
		mb_exit(m, EXT_SH, MS(50.5), 0);
	if (any && v != V_INIT_ERR)
		mb_exit(m, EXT_GO, MS(50.6), 0);
	mb_exit(m, AGENT, MS(51.0), 0);
	ct_model_finish(m);

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
	ms_(tl, CT_MS_AGENT_READY, 5.0, AGENT);
	ms_(tl, CT_MS_INIT_START, 10.0, AGENT);
	ms_(tl, CT_MS_RUNTIME_EXEC, 18.0, RUNTIME);
	ms_(tl, CT_MS_FIRST_NEXT, 30.0, RUNTIME);
	ms_(tl, CT_MS_INVOKE, two ? 45.5 : 30.5, AGENT);
	ms_(tl, CT_MS_RESPONSE, 47.0, RUNTIME);
	if (any) {
		ms_(tl, CT_MS_EXT_START, 11.0, AGENT);
		ms_(tl, CT_MS_EXT_REGISTERED, two ? 17.0 : 15.5, two ? EXT_SH : EXT_GO);
		if (v == V_ONE) {
			ms_(tl, CT_MS_EXT_READY, 20.0, EXT_GO);
			ms_(tl, CT_MS_INIT_DONE, 30.0, RUNTIME);
		} else if (v == V_TWO) {
			ms_(tl, CT_MS_EXT_READY, 45.0, EXT_SH);
			ms_(tl, CT_MS_INIT_DONE, 45.0, EXT_SH);
		} else { /* failed: neither seen */
			tl->ms[CT_MS_EXT_READY].state = CT_MS_MISSING;
			tl->ms[CT_MS_INIT_DONE].state = CT_MS_MISSING;
			tl->missing[tl->nmissing++] = CT_MS_EXT_READY;
			tl->missing[tl->nmissing++] = CT_MS_INIT_DONE;
		}
	}
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
	ph_(tl, CT_PH_EXT_WAIT, CT_MS_FIRST_NEXT, CT_MS_INIT_DONE, 2, CT_PK_EXTENSION, false, EXT_SH);
	ph_(tl, CT_PH_DELIVER, CT_MS_FIRST_NEXT, CT_MS_INVOKE, 1, CT_PK_INVOKE, true, AGENT);
	ph_(tl, CT_PH_INVOKE, CT_MS_INVOKE, CT_MS_RESPONSE, 1, CT_PK_INVOKE, true, RUNTIME);
	tl->t0 = MS(0.5);
	tl->t_end = MS(47.0);
	tl->complete = v == V_NONE || v == V_ONE || v == V_TWO;
	tl->init_gate.ext = tl->register_gate.ext = -1;
	if (!any)
		return;

	tl->next = two ? 2 : 1;
	tl->ext = calloc(tl->next, sizeof(*tl->ext));
	CT_TRUE(tl->ext != NULL);
	if (!tl->ext) {
		tl->next = 0;
		return;
	}
	{
		struct ct_extension *e = &tl->ext[0];
		const struct ct_proc *p = ct_model_proc_const(m, EXT_GO);

		snprintf(e->name, sizeof(e->name), "ct-ext-go");
		snprintf(e->id, sizeof(e->id), "6f2c1a40-0000-4000-8000-00000000a001");
		snprintf(e->events, sizeof(e->events), "INVOKE,SHUTDOWN");
		e->proc = p;
		e->image = p ? &p->images[0] : NULL;
		e->go_image = e->image;
		e->pid = EXT_GO;
		e->exec_ts = MS(11.0);
		e->go_rt_start = MS(11.5);
		e->go_inits_done = MS(13.5);
		e->go_main = MS(14.0);
		e->register_ts = MS(15.0);
		e->registered_ts = MS(15.5);
		e->register_status = 200;
		e->subs[0] = (struct ct_ext_sub){.api = LAMBDA_API_TELEMETRY, .ts = MS(16.0), .reply_ts = MS(16.2),
						 .status = 200};
		e->nsubs = 1;
		if (v == V_INIT_ERR) {
			e->state = CT_EXT_INIT_ERROR;
			e->error_ts = MS(18.0);
			e->exit_ts = MS(18.5);
			e->exit_status = 1 << 8;
			e->failed = true;
			snprintf(e->error_type, sizeof(e->error_type), "Extension.ConfigInvalid");
		} else {
			e->state = CT_EXT_READY;
			e->ready_ts = MS(20.0);
			e->exit_ts = MS(50.6);
		}
	}
	if (two) {
		struct ct_extension *e = &tl->ext[1];
		const struct ct_proc *p = ct_model_proc_const(m, EXT_SH);

		snprintf(e->name, sizeof(e->name), "ct-ext-sh");
		snprintf(e->id, sizeof(e->id), "6f2c1a40-0000-4000-8000-00000000a002");
		e->proc = p;
		e->image = p ? &p->images[0] : NULL;
		e->pid = EXT_SH;
		e->exec_ts = MS(11.2);
		e->register_ts = MS(16.8);
		e->registered_ts = MS(17.0);
		e->register_status = 200;
		if (v == V_EXITED) {
			e->state = CT_EXT_EXITED;
			e->exit_ts = MS(25.0);
			e->exit_status = 2 << 8;
			e->failed = true;
			snprintf(e->error_type, sizeof(e->error_type), "Extension.Crash");
		} else {
			e->state = CT_EXT_READY;
			e->ready_ts = MS(45.0);
			e->exit_ts = MS(50.5);
		}
	}
	for (size_t i = 0; i < tl->next; i++)
		tl->next_failed += tl->ext[i].failed;
	/* the runtime's start waited for the last registration */
	tl->register_gate = (struct ct_gate){.known = true, .ext = two ? 1 : 0, .pid = two ? EXT_SH : EXT_GO,
					     .ts = two ? MS(17.0) : MS(15.5),
					     .by_ns = two ? MS(17.0) - MS(15.5) : MS(15.5) - MS(10.0)};
	if (v == V_ONE)
		tl->init_gate = (struct ct_gate){.known = true, .is_runtime = true, .ext = -1, .pid = RUNTIME,
						 .ts = MS(30.0), .by_ns = MS(30.0) - MS(20.0)};
	else if (v == V_TWO)
		tl->init_gate = (struct ct_gate){.known = true, .ext = 1, .pid = EXT_SH, .ts = MS(45.0),
						 .by_ns = MS(45.0) - MS(30.0)};
	if (tl->next_failed) {
		tl->complete = false;
		snprintf(tl->note, sizeof(tl->note), "INIT failed: extension %s (pid %u) %s",
			 v == V_EXITED ? "ct-ext-sh" : "ct-ext-go", v == V_EXITED ? EXT_SH : EXT_GO,
			 v == V_EXITED ? "exited with status 2 before its first event/next (Extension.Crash)"
				       : "reported an init error (Extension.ConfigInvalid)");
	}
}

static void fixture_free(struct fixture *f)
{
	ct_timelines_free(&f->tls);
	ct_model_free(&f->m);
}

/* ---- Perfetto ---- */

static double us_of(double ms)
{
	return ms * 1000.0 - 0.0; /* t0 is the driver's exec at 0 ms */
}

static bool near(double a, double b)
{
	return a > b - 0.002 && a < b + 0.002;
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

/* The (pid, tid) of the thread named name; false if none (or several). */
static bool pf_thread(const struct jv *evs, const char *name, double *pid, double *tid)
{
	int found = 0;

	for (size_t i = 0; i < evs->n; i++) {
		const struct jv *e = evs->items[i];
		const char *nm = jstr(jv_get(e, "args"), "name");

		if (strcmp(jstr(e, "ph"), "M") || strcmp(jstr(e, "name"), "thread_name") || !nm || strcmp(nm, name))
			continue;
		*pid = jnum(e, "pid");
		*tid = jnum(e, "tid");
		found++;
	}
	return found == 1;
}

/* The event named name (prefix if it ends with '*') of phase ph on (pid, tid). */
static const struct jv *pf_event(const struct jv *evs, double pid, double tid, const char *ph, const char *name)
{
	size_t n = strlen(name);
	bool prefix = n && name[n - 1] == '*';

	for (size_t i = 0; i < evs->n; i++) {
		const struct jv *e = evs->items[i];
		const char *nm = jstr(e, "name");

		if (jnum(e, "pid") != pid || jnum(e, "tid") != tid || strcmp(jstr(e, "ph"), ph) || !nm)
			continue;
		if (prefix ? !strncmp(nm, name, n - 1) : !strcmp(nm, name))
			return e;
	}
	return NULL;
}

/* Every thread's complete events nest (disjoint, or one inside the other,
 * the outer first when they start together): what Perfetto needs. */
static void pf_check_nesting(const struct jv *evs)
{
	for (size_t i = 0; i < evs->n; i++) {
		const struct jv *a = evs->items[i];
		double a0 = jnum(a, "ts"), a1 = a0 + jnum(a, "dur");

		if (strcmp(jstr(a, "ph"), "X"))
			continue;
		for (size_t k = i + 1; k < evs->n; k++) {
			const struct jv *b = evs->items[k];
			double b0 = jnum(b, "ts"), b1 = b0 + jnum(b, "dur");
			bool ok;

			if (strcmp(jstr(b, "ph"), "X") || jnum(a, "pid") != jnum(b, "pid") || jnum(a, "tid") != jnum(b, "tid"))
				continue;
			ok = b0 >= a1 || b1 <= a0 || (a0 <= b0 && b1 <= a1) || (b0 < a0 && a1 <= b1);
			if (!ok)
				CT__FAIL("perfetto: %s [%.3f, %.3f] and %s [%.3f, %.3f] overlap on pid %.0f tid %.0f",
					 jstr(a, "name"), a0, a1, jstr(b, "name"), b0, b1, jnum(a, "pid"), jnum(a, "tid"));
		}
	}
}

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
	if (v)
		pf_check_nesting(jv_get(v, "traceEvents"));
	return v;
}

/* The cold start's pid: the process named "cold start #1 ...". */
static double pf_cold_pid(const struct jv *evs)
{
	for (size_t i = 0; i < evs->n; i++) {
		const struct jv *e = evs->items[i];
		const char *nm = jstr(jv_get(e, "args"), "name");

		if (!strcmp(jstr(e, "name"), "process_name") && nm && !strncmp(nm, "cold start #1 ", 14))
			return jnum(e, "pid");
	}
	return -1;
}

static size_t count_named(const struct jv *evs, const char *prefix)
{
	size_t n = 0;

	for (size_t i = 0; i < evs->n; i++) {
		const char *nm = jstr(evs->items[i], "name"), *an = jstr(jv_get(evs->items[i], "args"), "name");

		n += (nm && strstr(nm, prefix)) || (an && strstr(an, prefix));
	}
	return n;
}

CT_TEST(perfetto_no_extension)
{
	struct fixture f;
	struct jv *v;

	build(&f, V_NONE);
	v = perfetto(&f);
	if (v) {
		const struct jv *evs = jv_get(v, "traceEvents");
		double pid = pf_cold_pid(evs);

		CT_TRUE(pid > 0);
		CT_EQ_INT(count_named(evs, "extension"), 0);
		CT_EQ_INT(count_named(evs, "INIT waited"), 0);
		CT_EQ_INT(count_named(evs, "nested (overlapping)"), 0);
		/* the phases that do not apply are not drawn */
		CT_TRUE(!pf_event(evs, pid, 3, "X", "INIT_START -> INIT done"));
		CT_TRUE(!pf_event(evs, pid, 3, "X", "waiting for extensions"));
		CT_TRUE(pf_event(evs, pid, 3, "X", "INIT_START -> /next") != NULL);
	}
	jv_free(v);
	fixture_free(&f);
}

CT_TEST(perfetto_two_extensions)
{
	struct fixture f;
	struct jv *v;

	build(&f, V_TWO);
	v = perfetto(&f);
	if (v) {
		const struct jv *evs = jv_get(v, "traceEvents"), *e, *a;
		double cold = pf_cold_pid(evs), pid = -1, tid = -1, pid2 = -1, tid2 = -1, gpid, gtid;

		CT_TRUE(cold > 0);
		/* a thread per extension, on the cold start's track */
		CT_TRUE(pf_thread(evs, "extension ct-ext-go", &pid, &tid));
		CT_TRUE(pf_thread(evs, "extension ct-ext-sh", &pid2, &tid2));
		CT_TRUE(pid == cold && pid2 == cold && tid != tid2);
		CT_TRUE(!pf_thread(evs, "extension ct-ext-go Go init", &gpid, &gtid)); /* it nests: same thread */
		e = pf_event(evs, pid, tid, "X", "register");
		CT_TRUE(e && near(jnum(e, "ts"), us_of(11.0)) && near(jnum(e, "dur"), 4500.0));
		a = jv_get(e, "args");
		CT_EQ_STR(jstr(a, "id"), "6f2c1a40-0000-4000-8000-00000000a001");
		CT_EQ_STR(jstr(a, "state"), "ready");
		CT_EQ_STR(jstr(a, "events"), "INVOKE,SHUTDOWN");
		CT_TRUE(near(jnum(a, "to_register_ms"), 4.5) && near(jnum(a, "to_ready_ms"), 9.0));
		CT_TRUE(near(jnum(a, "pid"), EXT_GO));
		e = pf_event(evs, pid, tid, "X", "init");
		CT_TRUE(e && near(jnum(e, "ts"), us_of(15.5)) && near(jnum(e, "dur"), 4500.0));
		e = pf_event(evs, pid, tid, "X", "Go init");
		CT_TRUE(e && near(jnum(e, "ts"), us_of(11.5)) && near(jnum(e, "dur"), 2500.0));
		e = pf_event(evs, pid, tid, "i", "subscribe telemetry (200)");
		CT_TRUE(e && near(jnum(e, "ts"), us_of(16.0)));
		CT_TRUE(e && near(jnum(jv_get(e, "args"), "status"), 200));
		/* the other: no Go init, ready at 45 */
		CT_TRUE(!pf_event(evs, pid2, tid2, "X", "Go init"));
		e = pf_event(evs, pid2, tid2, "X", "init");
		CT_TRUE(e && near(jnum(e, "ts"), us_of(17.0)) && near(jnum(e, "dur"), 28000.0));
		/* its process keeps its own track, the Go package inits on it */
		CT_TRUE(pf_event(evs, EXT_GO, EXT_GO, "X", "example.com/ext/config") != NULL);
		/* the gate: an instant across the cold start at INIT done, naming it */
		e = pf_event(evs, cold, 4, "i", "INIT waited for extension ct-ext-sh (pid 104) last*");
		CT_TRUE(e && near(jnum(e, "ts"), us_of(45.0)));
		CT_TRUE(e && !strcmp(jstr(e, "s"), "p"));
		CT_TRUE(e && !strcmp(jstr(jv_get(e, "args"), "extension"), "ct-ext-sh"));
		CT_TRUE(e && near(jnum(jv_get(e, "args"), "by_ms"), 15.0));
		e = pf_event(evs, cold, 4, "i", "the runtime's start waited for extension ct-ext-sh*");
		CT_TRUE(e && near(jnum(e, "ts"), us_of(17.0)));
		/* the new phases, like the others; INIT_START -> INIT done starts
		 * with INIT_START -> /next, so on a thread of its own */
		e = pf_event(evs, cold, 3, "X", "extensions register");
		CT_TRUE(e && near(jnum(e, "ts"), us_of(11.0)) && near(jnum(e, "dur"), 6000.0));
		e = pf_event(evs, cold, 3, "X", "waiting for extensions");
		CT_TRUE(e && near(jnum(e, "ts"), us_of(30.0)) && near(jnum(e, "dur"), 15000.0));
		CT_TRUE(pf_thread(evs, "nested (overlapping)", &gpid, &gtid) && gpid == cold);
		e = pf_event(evs, cold, gtid, "X", "INIT_START -> INIT done");
		CT_TRUE(e && near(jnum(e, "ts"), us_of(10.0)) && near(jnum(e, "dur"), 35000.0));
		CT_TRUE(e && strstr(jstr(jv_get(e, "args"), "init_gate"), "ct-ext-sh (pid 104)"));
	}
	jv_free(v);
	fixture_free(&f);
}

CT_TEST(perfetto_one_extension_runtime_gates)
{
	struct fixture f;
	struct jv *v;

	build(&f, V_ONE);
	v = perfetto(&f);
	if (v) {
		const struct jv *evs = jv_get(v, "traceEvents"), *e;
		double cold = pf_cold_pid(evs), pid, tid;

		CT_TRUE(pf_thread(evs, "extension ct-ext-go", &pid, &tid));
		CT_EQ_INT(count_named(evs, "ct-ext-sh"), 0);
		e = pf_event(evs, cold, 4, "i", "INIT waited for the runtime (pid 102) last*");
		CT_TRUE(e && near(jnum(e, "ts"), us_of(30.0)));
		CT_TRUE(e && !strcmp(jstr(jv_get(e, "args"), "waited_for"), "runtime"));
	}
	jv_free(v);
	fixture_free(&f);
}

CT_TEST(perfetto_failed_extensions)
{
	struct fixture f;
	struct jv *v;

	build(&f, V_EXITED);
	v = perfetto(&f);
	if (v) {
		const struct jv *evs = jv_get(v, "traceEvents"), *e;
		double cold = pf_cold_pid(evs), pid, tid;

		CT_TRUE(pf_thread(evs, "extension ct-ext-sh", &pid, &tid));
		e = pf_event(evs, pid, tid, "X", "init (failed)");
		CT_TRUE(e && near(jnum(e, "ts"), us_of(17.0)) && near(jnum(e, "dur"), 8000.0));
		CT_TRUE(e && !strcmp(jstr(jv_get(e, "args"), "state"), "exited"));
		CT_TRUE(e && !strcmp(jstr(jv_get(e, "args"), "error_type"), "Extension.Crash"));
		e = pf_event(evs, pid, tid, "i", "exited before ready: exit 2 (Extension.Crash)");
		CT_TRUE(e && near(jnum(e, "ts"), us_of(25.0)));
		CT_TRUE(e && near(jnum(jv_get(e, "args"), "exit_code"), 2));
		CT_EQ_INT(count_named(evs, "INIT waited"), 0); /* INIT never ended */
		CT_TRUE(!pf_event(evs, cold, 3, "X", "waiting for extensions"));
		CT_TRUE(pf_event(evs, cold, 3, "X", "waiting for extensions (incomplete)") != NULL);
	}
	jv_free(v);
	fixture_free(&f);
	build(&f, V_INIT_ERR);
	v = perfetto(&f);
	if (v) {
		const struct jv *evs = jv_get(v, "traceEvents"), *e;
		double pid, tid;

		CT_TRUE(pf_thread(evs, "extension ct-ext-go", &pid, &tid));
		e = pf_event(evs, pid, tid, "X", "init (failed)");
		CT_TRUE(e && near(jnum(e, "ts"), us_of(15.5)) && near(jnum(e, "dur"), 2500.0));
		e = pf_event(evs, pid, tid, "i", "init error (Extension.ConfigInvalid)");
		CT_TRUE(e && near(jnum(e, "ts"), us_of(18.0)));
	}
	jv_free(v);
	fixture_free(&f);
}

static struct jv *otlp(const struct fixture *f);

/* ---- SVG: its tags (svg_tags.h) ---- */

/* The first tag name of class cls (NULL: any) whose text starts with text. */
static const struct tag *tfind(const struct tags *ts, const char *name, const char *cls, const char *text)
{
	for (size_t i = 0; i < ts->n; i++) {
		const struct tag *t = &ts->v[i];
		const char *c = tattr(t, "class");

		if (strcmp(t->name, name) || (cls && (!c || strcmp(c, cls))))
			continue;
		if (!strncmp(t->text, text, strlen(text)))
			return t;
	}
	return NULL;
}

static size_t tcount(const struct tags *ts, const char *cls_prefix)
{
	size_t n = 0;

	for (size_t i = 0; i < ts->n; i++) {
		const char *c = tattr(&ts->v[i], "class");

		n += c && !strncmp(c, cls_prefix, strlen(cls_prefix));
	}
	return n;
}

/* The picture's scale, from the total's bar: x of time at (ms). */
struct scale {
	double x0, per_ms;
};

static bool svg_scale(const struct tags *ts, struct scale *sc)
{
	const struct tag *tot = tfind(ts, "rect", "total", "cold start (");

	if (!tot)
		return false;
	sc->per_ms = tnum(tot, "width") / (47.0 - 0.5);
	sc->x0 = tnum(tot, "x") - 0.5 * sc->per_ms;
	return sc->per_ms > 0;
}

static double xms(const struct scale *sc, double ms)
{
	return sc->x0 + ms * sc->per_ms;
}

static bool xnear(double a, double b)
{
	return a > b - 0.02 && a < b + 0.02;
}

/* CT_EXTPICS_SVG=DIR writes each picture there (DIR/extpics-N.svg), to look at. */
static void svg(const struct fixture *f, struct tags *ts, struct strbuf *sb)
{
	static int nth;
	const char *dir = getenv("CT_EXTPICS_SVG");

	sb_init(sb);
	ct_render_svg_tls(&f->m, &f->tls, sb, &ropts);
	if (dir && *dir && sb->buf) {
		char path[1024];
		FILE *o;

		snprintf(path, sizeof(path), "%s/extpics-%d.svg", dir, ++nth);
		o = fopen(path, "w");
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

/* The row named name: its y (its bars lie between y - BAR and y). */
static const struct tag *svg_row(const struct tags *ts, const char *name)
{
	for (size_t i = 0; i < ts->n; i++) {
		const char *c = tattr(&ts->v[i], "class");

		if (!strcmp(ts->v[i].name, "text") && c && c[0] == 'n' && (!c[1] || c[1] == ' ') &&
		    !strcmp(ts->v[i].text, name))
			return &ts->v[i];
	}
	return NULL;
}

/* The bar of class cls whose title starts with tip is on row (same band). */
static const struct tag *svg_bar(const struct tags *ts, const struct tag *row, const char *cls, const char *tip)
{
	for (size_t i = 0; row && i < ts->n; i++) {
		const struct tag *t = &ts->v[i];
		const char *c = tattr(t, "class");
		double y = tnum(t, "y"), ry = tnum(row, "y");

		if (strcmp(t->name, "rect") || !c || strcmp(c, cls) || strncmp(t->text, tip, strlen(tip)))
			continue;
		if (y > ry - 20 && y < ry)
			return t;
	}
	return NULL;
}

CT_TEST(svg_no_extension)
{
	struct fixture f;
	struct tags ts;
	struct strbuf sb;

	build(&f, V_NONE);
	svg(&f, &ts, &sb);
	CT_TRUE(svg_row(&ts, "  function init") != NULL);
	CT_EQ_INT(tcount(&ts, "ext"), 0);
	CT_EQ_INT(tcount(&ts, "gate"), 0);
	CT_EQ_INT(tcount(&ts, "sub"), 2); /* the command line and the figures, no gate line */
	CT_TRUE(!strstr(sb.buf, "extension"));
	CT_TRUE(!svg_row(&ts, "    INIT_START -> INIT done"));
	CT_TRUE(!svg_row(&ts, "    waiting for extensions"));
	free(ts.v);
	sb_free(&sb);
	fixture_free(&f);
}

CT_TEST(svg_two_extensions)
{
	struct fixture f;
	struct tags ts;
	struct strbuf sb;
	struct scale sc;

	build(&f, V_TWO);
	svg(&f, &ts, &sb);
	CT_TRUE(svg_scale(&ts, &sc));
	{
		const struct tag *go = svg_row(&ts, "  extension ct-ext-go (pid 103)");
		const struct tag *sh = svg_row(&ts, "  extension ct-ext-sh (pid 104)");
		const struct tag *fi = svg_row(&ts, "  function init"), *mi = svg_row(&ts, "  milestones");
		const struct tag *procs = tfind(&ts, "text", "h", "processes"), *b, *t;

		/* rows under the runtime's, before the processes; in exec order */
		CT_TRUE(go && sh && fi && mi && procs);
		CT_TRUE(go && fi && mi && tnum(go, "y") > tnum(fi, "y") && tnum(go, "y") > tnum(mi, "y"));
		CT_TRUE(go && sh && tnum(sh, "y") > tnum(go, "y"));
		CT_TRUE(sh && procs && tnum(sh, "y") < tnum(procs, "y"));
		/* the gating one's name in bold */
		CT_EQ_STR(tattr(sh, "class"), "n b");
		CT_EQ_STR(tattr(go, "class"), "n");
		/* bars where the times say */
		b = svg_bar(&ts, go, "ext", "extension ct-ext-go (pid 103): register, exec -> registered (4.500 ms)");
		CT_TRUE(b && xnear(tnum(b, "x"), xms(&sc, 11.0)) && xnear(tnum(b, "width"), 4.5 * sc.per_ms));
		b = svg_bar(&ts, go, "extn", "extension ct-ext-go (pid 103): init, registered -> its first event/next (4.500 ms)");
		CT_TRUE(b && xnear(tnum(b, "x"), xms(&sc, 15.5)) && xnear(tnum(b, "width"), 4.5 * sc.per_ms));
		b = svg_bar(&ts, go, "extgo", "extension ct-ext-go: Go init");
		CT_TRUE(b && xnear(tnum(b, "x"), xms(&sc, 11.5)) && xnear(tnum(b, "width"), 2.5 * sc.per_ms));
		CT_TRUE(!svg_bar(&ts, sh, "extgo", "extension ct-ext-sh"));
		b = svg_bar(&ts, sh, "extn", "extension ct-ext-sh (pid 104): init, registered -> its first event/next");
		CT_TRUE(b && xnear(tnum(b, "x") + tnum(b, "width"), xms(&sc, 45.0)));
		t = tfind(&ts, "path", "sub", "extension ct-ext-go subscribed to the telemetry API: 200");
		CT_TRUE(t && tattr(t, "d") && xnear(atof(tattr(t, "d") + 1), xms(&sc, 16.0)));
		/* the new phases, in the extensions' colour */
		CT_TRUE(svg_bar(&ts, svg_row(&ts, "    extensions register"), "extn", "extensions register (6.000 ms)"));
		CT_TRUE(svg_bar(&ts, svg_row(&ts, "    waiting for extensions"), "extn",
				"waiting for extensions (15.000 ms)"));
		b = svg_bar(&ts, svg_row(&ts, "    INIT_START -> INIT done"), "view", "INIT_START -> INIT done");
		CT_TRUE(b && xnear(tnum(b, "width"), 35.0 * sc.per_ms));
		/* the gate: a line at INIT done, a caption, a line under the title */
		t = tfind(&ts, "line", "gate", "INIT waited for extension ct-ext-sh (pid 104) last");
		CT_TRUE(t && xnear(tnum(t, "x1"), xms(&sc, 45.0)) && tnum(t, "y2") > tnum(sh, "y"));
		t = tfind(&ts, "text", "l gate", "INIT waited for extension ct-ext-sh (pid 104) last: ready 15.000 ms");
		CT_TRUE(t && tnum(t, "y") > tnum(sh, "y") && tnum(t, "y") < tnum(procs, "y"));
		CT_TRUE(tfind(&ts, "text", "sub gate", "INIT waited for extension ct-ext-sh (pid 104)") != NULL);
		CT_TRUE(tfind(&ts, "text", "l", "the runtime's start waited for extension ct-ext-sh (pid 104)") != NULL);
		/* the processes: the extensions marked, in their colour */
		t = tfind(&ts, "text", "n b", "ct-ext-sh [extension] (pid 104)");
		CT_TRUE(t && svg_bar(&ts, t, "ext", "ct-ext-sh pid 104"));
		/* the legend */
		CT_TRUE(tfind(&ts, "text", "l", "failed extension") != NULL);
		CT_TRUE(tfind(&ts, "text", "l", "extension Go init") != NULL);
	}
	free(ts.v);
	sb_free(&sb);
	fixture_free(&f);
}

CT_TEST(svg_failed_extension)
{
	struct fixture f;
	struct tags ts;
	struct strbuf sb;
	struct scale sc;

	build(&f, V_EXITED);
	svg(&f, &ts, &sb);
	CT_TRUE(svg_scale(&ts, &sc));
	{
		const struct tag *sh = svg_row(&ts, "  extension ct-ext-sh (pid 104)"), *b, *t;

		CT_TRUE(sh != NULL);
		b = svg_bar(&ts, sh, "extfail", "extension ct-ext-sh (pid 104): init, registered -> its first event/next");
		CT_TRUE(b && xnear(tnum(b, "x"), xms(&sc, 17.0)) && xnear(tnum(b, "width"), 8.0 * sc.per_ms));
		CT_TRUE(b && strstr(b->text, "exited before ready: exit 2 (Extension.Crash)"));
		t = tfind(&ts, "text", "l missing", "exited before ready: exit 2 (Extension.Crash)");
		CT_TRUE(t && sh && tnum(t, "y") > tnum(sh, "y") - 20 && tnum(t, "y") < tnum(sh, "y") + 2);
		CT_TRUE(t && xnear(tnum(t, "x"), xms(&sc, 25.0) + 4));
		CT_EQ_INT(tcount(&ts, "gate"), 1); /* the legend's only: INIT never ended */
		CT_TRUE(tfind(&ts, "text", "sub", "INCOMPLETE cold start: INIT failed: extension ct-ext-sh") != NULL);
		/* the other one is fine */
		CT_TRUE(svg_bar(&ts, svg_row(&ts, "  extension ct-ext-go (pid 103)"), "extn",
				"extension ct-ext-go (pid 103): init, registered -> its first event/next (4.500 ms)"));
	}
	free(ts.v);
	sb_free(&sb);
	fixture_free(&f);
}

/* Hundreds of extensions (a hostile or broken trace): the picture draws 64
 * rows and says how many more there are; the other views stay valid. */
CT_TEST(many_extensions)
{
	struct fixture f;
	struct tags ts;
	struct strbuf sb;
	struct ct_timeline *tl;
	struct ct_extension *nv;
	size_t rows = 0;

	build(&f, V_TWO);
	tl = &f.tls.v[0];
	nv = realloc(tl->ext, 300 * sizeof(*nv));
	CT_TRUE(nv != NULL);
	if (!nv) {
		fixture_free(&f);
		return;
	}
	tl->ext = nv;
	for (size_t i = 2; i < 300; i++) {
		tl->ext[i] = tl->ext[i % 2];
		snprintf(tl->ext[i].name, sizeof(tl->ext[i].name), "x%zu", i);
	}
	tl->next = 300;
	svg(&f, &ts, &sb);
	for (size_t i = 0; i < ts.n; i++)
		rows += !strcmp(ts.v[i].name, "text") && !strncmp(ts.v[i].text, "  extension ", 12);
	CT_EQ_INT(rows, 64);
	CT_TRUE(tfind(&ts, "text", "l", "  ... 236 more extensions (all of them: -f jsonl)") != NULL);
	free(ts.v);
	sb_free(&sb);
	jv_free(perfetto(&f));
	jv_free(otlp(&f));
	fixture_free(&f);
}

/* ---- OTLP ---- */

static const struct jv *spans_of(const struct jv *v)
{
	const struct jv *rs = jv_get(v, "resourceSpans");
	const struct jv *ss = rs && rs->n ? jv_get(rs->items[0], "scopeSpans") : NULL;

	return ss && ss->n ? jv_get(ss->items[0], "spans") : NULL;
}

static const struct jv *span_named(const struct jv *spans, const char *name, const char *parent)
{
	for (size_t i = 0; spans && i < spans->n; i++) {
		const struct jv *s = spans->items[i];

		if (strcmp(jstr(s, "name"), name))
			continue;
		if (!parent || (jstr(s, "parentSpanId") && !strcmp(jstr(s, "parentSpanId"), parent)))
			return s;
	}
	return NULL;
}

static const struct jv *attr(const struct jv *span, const char *key)
{
	const struct jv *a = jv_get(span, "attributes");

	for (size_t i = 0; a && i < a->n; i++)
		if (!strcmp(jstr(a->items[i], "key"), key))
			return jv_get(a->items[i], "value");
	return NULL;
}

static const char *attr_s(const struct jv *span, const char *key)
{
	return jstr(attr(span, key), "stringValue");
}

/* A span's [start, end] in ms of the trace (times are unix ns). */
static bool span_at(const struct jv *s, double from_ms, double to_ms)
{
	unsigned long long a, b, base = 1700000000000000000ull + MS(0);

	if (!s || !jv__decimal(jv_get(s, "startTimeUnixNano"), &a) || !jv__decimal(jv_get(s, "endTimeUnixNano"), &b))
		return false;
	return (double)(a - base) / 1e6 > from_ms - 1e-6 && (double)(a - base) / 1e6 < from_ms + 1e-6 &&
	       (double)(b - base) / 1e6 > to_ms - 1e-6 && (double)(b - base) / 1e6 < to_ms + 1e-6;
}

static struct jv *otlp(const struct fixture *f)
{
	struct strbuf sb;
	struct jv *v;
	char err[256];

	sb_init(&sb);
	ct_render_otlp_tls(&f->m, &f->tls, &sb, &ropts);
	v = jv_parse(sb.buf, sb.len, err, sizeof(err));
	if (!v)
		CT__FAIL("otlp: %s", err);
	else if (ct_check_otlp(v, err, sizeof(err), NULL))
		CT__FAIL("%s", err);
	sb_free(&sb);
	return v;
}

CT_TEST(otlp_extensions)
{
	struct fixture f;
	struct jv *v;

	build(&f, V_NONE);
	v = otlp(&f);
	if (v) {
		const struct jv *sp = spans_of(v), *root = span_named(sp, "cold start", NULL);

		CT_TRUE(root && !attr(root, "coldtrace.init_gate.summary") && !attr(root, "coldtrace.extensions"));
		for (size_t i = 0; sp && i < sp->n; i++)
			CT_TRUE(strncmp(jstr(sp->items[i], "name"), "extension", 9));
	}
	jv_free(v);
	fixture_free(&f);

	build(&f, V_TWO);
	v = otlp(&f);
	if (v) {
		const struct jv *sp = spans_of(v), *root = span_named(sp, "cold start", NULL), *e, *c, *init;
		const char *rid = root ? jstr(root, "spanId") : "";

		CT_TRUE(root != NULL);
		e = span_named(sp, "extension ct-ext-go", rid);
		CT_TRUE(span_at(e, 11.0, 20.0));
		CT_EQ_STR(attr_s(e, "coldtrace.extension.id"), "6f2c1a40-0000-4000-8000-00000000a001");
		CT_EQ_STR(attr_s(e, "coldtrace.extension.state"), "ready");
		CT_EQ_STR(attr_s(e, "coldtrace.extension.events"), "INVOKE,SHUTDOWN");
		CT_EQ_STR(jstr(attr(e, "process.pid"), "intValue"), "103");
		CT_TRUE(near(jnum(attr(e, "coldtrace.extension.to_register_ms"), "doubleValue"), 4.5));
		CT_TRUE(near(jnum(attr(e, "coldtrace.extension.to_ready_ms"), "doubleValue"), 9.0));
		CT_TRUE(!jv_get(e, "status"));
		c = e ? span_named(sp, "register", jstr(e, "spanId")) : NULL;
		CT_TRUE(span_at(c, 11.0, 15.5));
		c = e ? span_named(sp, "init", jstr(e, "spanId")) : NULL;
		CT_TRUE(span_at(c, 15.5, 20.0));
		c = e ? span_named(sp, "Go init", jstr(e, "spanId")) : NULL;
		CT_TRUE(span_at(c, 11.5, 14.0));
		{
			const struct jv *evs = jv_get(e, "events");

			CT_TRUE(evs && evs->n == 1 && !strcmp(jstr(evs->items[0], "name"), "subscribe telemetry"));
		}
		e = span_named(sp, "extension ct-ext-sh", rid);
		CT_TRUE(span_at(e, 11.2, 45.0));
		CT_TRUE(e && !span_named(sp, "Go init", jstr(e, "spanId")));
		CT_TRUE(e && attr(e, "coldtrace.extension.gated_init") &&
			jv_get(attr(e, "coldtrace.extension.gated_init"), "boolValue")->b);
		/* the gate, on the root and on INIT_START -> INIT done */
		CT_EQ_STR(attr_s(root, "coldtrace.init_gate.extension"), "ct-ext-sh");
		CT_EQ_STR(attr_s(root, "coldtrace.init_gate.waited_for"), "extension");
		CT_EQ_STR(jstr(attr(root, "coldtrace.init_gate.pid"), "intValue"), "104");
		CT_TRUE(near(jnum(attr(root, "coldtrace.init_gate.by_ms"), "doubleValue"), 15.0));
		init = span_named(sp, "INIT_START -> INIT done", rid);
		CT_TRUE(span_at(init, 10.0, 45.0));
		CT_TRUE(init && attr_s(init, "coldtrace.init_gate.summary") &&
			!strncmp(attr_s(init, "coldtrace.init_gate.summary"),
				 "INIT waited for extension ct-ext-sh (pid 104) last", 50));
		CT_EQ_STR(attr_s(span_named(sp, "extensions register", rid), "coldtrace.register_gate.extension"),
			  "ct-ext-sh");
		/* the extension's process span says its role */
		CT_EQ_STR(attr_s(span_named(sp, "process ct-ext-sh", rid), "coldtrace.role"), "extension");
	}
	jv_free(v);
	fixture_free(&f);

	build(&f, V_EXITED);
	v = otlp(&f);
	if (v) {
		const struct jv *sp = spans_of(v), *root = span_named(sp, "cold start", NULL), *e, *st, *c;

		e = root ? span_named(sp, "extension ct-ext-sh", jstr(root, "spanId")) : NULL;
		CT_TRUE(span_at(e, 11.2, 25.0));
		st = jv_get(e, "status");
		CT_TRUE(st && jnum(st, "code") == 2);
		CT_EQ_STR(jstr(st, "message"), "exited before ready: exit 2 (Extension.Crash)");
		CT_EQ_STR(attr_s(e, "coldtrace.extension.error_type"), "Extension.Crash");
		CT_EQ_STR(jstr(attr(e, "process.exit.code"), "intValue"), "2");
		c = e ? span_named(sp, "init", jstr(e, "spanId")) : NULL;
		CT_TRUE(span_at(c, 17.0, 25.0));
		CT_TRUE(c && jv_get(c, "status") && jnum(jv_get(c, "status"), "code") == 2);
		CT_TRUE(!attr(root, "coldtrace.init_gate.summary"));
		CT_EQ_STR(jstr(attr(root, "coldtrace.extensions_failed"), "intValue"), "1");
		/* the one that is fine has no status */
		e = root ? span_named(sp, "extension ct-ext-go", jstr(root, "spanId")) : NULL;
		CT_TRUE(e && !jv_get(e, "status"));
	}
	jv_free(v);
	fixture_free(&f);
}

int main(void)
{
	CT_RUN(perfetto_no_extension);
	CT_RUN(perfetto_two_extensions);
	CT_RUN(perfetto_one_extension_runtime_gates);
	CT_RUN(perfetto_failed_extensions);
	CT_RUN(svg_no_extension);
	CT_RUN(svg_two_extensions);
	CT_RUN(svg_failed_extension);
	CT_RUN(many_extensions);
	CT_RUN(otlp_extensions);
	return ct_summary();
}
