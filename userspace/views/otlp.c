// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The cold starts as OTLP/JSON traces (what an OpenTelemetry Collector takes
 * at POST :4318/v1/traces): one resourceSpans entry and one trace per cold
 * start. The root span "cold start" has a child span per phase and per
 * process of the sandbox; each Go package init is a child of its process's
 * span. Each CPython module load (what -X importtime reports) is a span
 * named after the module (python.module, python.import.self_ms, .cum_ms,
 * .level), a child of the load it was nested in, else of its process's
 * span. Milestones are events of the root span.
 *
 * A Lambda extension is a child span of the root, "extension NAME", with
 * child spans "register" (exec -> registered), "init" (registered -> its
 * first event/next) and "Go init" (runtime start -> main.main, when Go);
 * its subscriptions and its failure are its events, and a failed one has
 * status ERROR. Who INIT (and the runtime's start) waited for last are
 * attributes coldtrace.init_gate.* (coldtrace.register_gate.*) of the root,
 * of "INIT_START -> INIT done" and of "extensions register".
 *
 * With the kernel-level breakdown (breakdown.h) in the model, the phase
 * spans and the root carry their figures as attributes (coldtrace.cpu_ms,
 * coldtrace.runnable_ms, coldtrace.iowait_ms, coldtrace.major_faults ...:
 * see bd_attrs), process spans their threads' counters, package spans the
 * init thread's CPU time, faults and switches.
 *
 * Ids are deterministic: the trace id is a hash of the agent's pid and its
 * exec time, span ids a hash of the trace id and the span's number. Times
 * are CLOCK_MONOTONIC converted with realtime_offset_ns, as decimal strings
 * (OTLP/JSON writes 64-bit integers as strings).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakdown.h"
#include "exitstatus.h"
#include "hashmap.h"
#include "jsonw.h"
#include "phases.h"
#include "render.h"
#include "tlviews.h"

#define MAX_SPANS 20000 /* per trace */
#define OTLP_SPAN_KIND_INTERNAL 1
#define OTLP_STATUS_CODE_ERROR 2

struct ot {
	struct jsonw *w;
	uint64_t off;
	uint64_t tid[2];
	uint64_t n;
};

static uint64_t span_id(const struct ot *t, uint64_t n)
{
	uint64_t id = ct_hash_u64(t->tid[0] ^ ct_hash_u64(t->tid[1] ^ n));

	return id ? id : 1;
}

/* {"key":k,"value":{"<type>Value": (the caller writes the value) */
static void attr_open(struct jsonw *w, const char *k, const char *type)
{
	jw_obj_open(w);
	jw_kstr(w, "key", k);
	jw_key(w, "value");
	jw_obj_open(w);
	jw_key(w, type);
}

static void attr_close(struct jsonw *w)
{
	jw_obj_close(w);
	jw_obj_close(w);
}

static void attr_str(struct jsonw *w, const char *k, const char *v)
{
	attr_open(w, k, "stringValue");
	jw_str(w, v ? v : "");
	attr_close(w);
}

/* OTLP/JSON writes 64-bit integers as strings. */
static void attr_int(struct jsonw *w, const char *k, long long v)
{
	attr_open(w, k, "intValue");
	jw_strf(w, "%lld", v);
	attr_close(w);
}

static void attr_dbl(struct jsonw *w, const char *k, double v)
{
	attr_open(w, k, "doubleValue");
	jw_fixed(w, v, 3);
	attr_close(w);
}

static void attr_bool(struct jsonw *w, const char *k, bool v)
{
	attr_open(w, k, "boolValue");
	jw_bool(w, v);
	attr_close(w);
}

/* How a process ended: process.exit.code or process.exit.signal. */
static void attr_exit(struct jsonw *w, int status)
{
	struct ct_wait ex = ct_exit_decode(status);

	attr_int(w, ex.signaled ? "process.exit.signal" : "process.exit.code", ex.value);
}

static void time_field(struct jsonw *w, const char *key, uint64_t ns)
{
	jw_key(w, key);
	jw_strf(w, "%llu", (unsigned long long)ns);
}

/* Opens a span on a line of its own, and its attributes; the caller writes
 * attributes, then calls span_end. */
static uint64_t span_begin(struct ot *t, const char *name, uint64_t parent, uint64_t start, uint64_t end)
{
	struct jsonw *w = t->w;
	uint64_t id = span_id(t, ++t->n);

	if (end < start)
		end = start;
	jw_nl(w);
	jw_obj_open(w);
	jw_key(w, "traceId");
	jw_strf(w, "%016llx%016llx", (unsigned long long)t->tid[0], (unsigned long long)t->tid[1]);
	jw_key(w, "spanId");
	jw_strf(w, "%016llx", (unsigned long long)id);
	if (parent) {
		jw_key(w, "parentSpanId");
		jw_strf(w, "%016llx", (unsigned long long)parent);
	}
	jw_kstr(w, "name", name);
	jw_kint(w, "kind", OTLP_SPAN_KIND_INTERNAL);
	time_field(w, "startTimeUnixNano", start + t->off);
	time_field(w, "endTimeUnixNano", end + t->off);
	jw_key(w, "attributes");
	jw_arr_open(w);
	return id;
}

/* Closes the attributes and the span. */
static void span_end(struct ot *t)
{
	jw_arr_close(t->w);
	jw_obj_close(t->w);
}

/* A span's status ERROR with message, after its attributes (and events). */
static void status_error(struct jsonw *w, const char *message)
{
	jw_key(w, "status");
	jw_obj_open(w);
	jw_kint(w, "code", OTLP_STATUS_CODE_ERROR);
	jw_kstr(w, "message", message);
	jw_obj_close(w);
}

/* Opens an event of a span's "events" at ts, and its attributes: the
 * caller adds them, closes them and the event. */
static void event_begin(struct ot *t, const char *name, uint64_t ts)
{
	jw_obj_open(t->w);
	time_field(t->w, "timeUnixNano", ts + t->off);
	jw_kstr(t->w, "name", name);
	jw_key(t->w, "attributes");
	jw_arr_open(t->w);
}

static double ms_of(uint64_t ns)
{
	return (double)ns / 1e6;
}

/*
 * A breakdown's figures as attributes: the CPU time (the threads' own
 * counters), the wall-clock time per state (ms: at each instant the best
 * state of any thread of the phase's processes; they add up to the
 * span), faults and switches; files opened, bytes read and brought into
 * the page cache. Only the parts that were traced.
 */
static void bd_attrs(struct jsonw *w, const struct ct_bd *bd, const char *scope, const char *label)
{
	char line[512];
	static const char *const wall_key[CT_BD_NSTATES] = {
		[CT_BD_RUNNING] = "coldtrace.running_ms",   [CT_BD_RUNNABLE] = "coldtrace.runnable_ms",
		[CT_BD_IOWAIT] = "coldtrace.iowait_ms",     [CT_BD_DISK] = "coldtrace.uninterruptible_ms",
		[CT_BD_SLEEP] = "coldtrace.sleep_ms",       [CT_BD_STOPPED] = "coldtrace.stopped_ms",
		[CT_BD_UNKNOWN] = "coldtrace.unknown_ms",
	};

	if (!bd->valid || (bd->sched_off && bd->files_off && bd->pcache_off))
		return;
	ct_bd_summary(bd, label, line, sizeof(line));
	attr_str(w, "coldtrace.breakdown", line);
	if (scope)
		attr_str(w, "coldtrace.breakdown.scope", scope);
	attr_bool(w, "coldtrace.breakdown.complete", !bd->incomplete);
	if (!bd->sched_off) {
		attr_dbl(w, "coldtrace.cpu_ms", ms_of(bd->cpu_ns));
		for (int k = 0; k < CT_BD_NSTATES; k++)
			if (wall_key[k])
				attr_dbl(w, wall_key[k], ms_of(bd->wall[k]));
		attr_int(w, "coldtrace.minor_faults", (long long)bd->min_flt);
		attr_int(w, "coldtrace.major_faults", (long long)bd->maj_flt);
		attr_int(w, "coldtrace.voluntary_switches", (long long)bd->nvcsw);
		attr_int(w, "coldtrace.involuntary_switches", (long long)bd->nivcsw);
		attr_int(w, "coldtrace.threads", bd->threads);
		attr_int(w, "coldtrace.processes", bd->procs);
	}
	if (!bd->files_off) {
		attr_int(w, "coldtrace.files_opened", bd->files_opened);
		attr_int(w, "coldtrace.read_bytes", (long long)bd->read_bytes);
	}
	if (!bd->pcache_off)
		attr_int(w, "coldtrace.page_cache_miss_bytes", (long long)bd->miss_bytes);
	if (bd->group[0]) {
		attr_str(w, "coldtrace.top_group", bd->group);
		attr_int(w, "coldtrace.top_group_bytes", (long long)bd->group_bytes);
	}
}

/* A gate as attributes PREFIX.waited_for, .extension, .pid, .by_ms, .summary. */
static void gate_attrs(struct jsonw *w, const struct ct_timeline *tl, const struct ct_gate *g, bool init)
{
	const struct ct_extension *e = g->ext >= 0 && (size_t)g->ext < tl->next ? &tl->ext[g->ext] : NULL;
	const char *pre = init ? "coldtrace.init_gate" : "coldtrace.register_gate";
	char key[64], line[400];

	ct_gate_sentence(tl, g, init, line, sizeof(line));
	if (!line[0])
		return;
	snprintf(key, sizeof(key), "%s.waited_for", pre);
	attr_str(w, key, e ? "extension" : "runtime");
	if (e) {
		snprintf(key, sizeof(key), "%s.extension", pre);
		attr_str(w, key, e->name);
	}
	snprintf(key, sizeof(key), "%s.pid", pre);
	attr_int(w, key, g->pid);
	snprintf(key, sizeof(key), "%s.by_ms", pre);
	attr_dbl(w, key, ms_of(g->by_ns));
	snprintf(key, sizeof(key), "%s.summary", pre);
	attr_str(w, key, line);
}

/* Closes the attributes; then the span's status ERROR with message, and
 * the span. */
static void span_end_error(struct ot *t, const char *message)
{
	struct jsonw *w = t->w;

	jw_arr_close(w);
	status_error(w, message);
	jw_obj_close(w);
}

static void ext_attrs(struct jsonw *w, const struct ct_extension *e)
{
	attr_str(w, "coldtrace.extension.name", e->name);
	if (e->id[0])
		attr_str(w, "coldtrace.extension.id", e->id);
	attr_int(w, "process.pid", e->pid);
}

/* A child span of an extension's: [a, b], else until it failed or the end. */
static void ext_child(struct ot *t, const struct ct_extension *e, const char *name, uint64_t parent, uint64_t a,
		      uint64_t b, uint64_t fail, uint64_t last)
{
	char out[160];

	span_begin(t, name, parent, a, b ? b : fail ? fail : last);
	ext_attrs(t->w, e);
	attr_bool(t->w, "coldtrace.complete", b != 0);
	if (b || !fail) {
		span_end(t);
		return;
	}
	ct_ext_outcome(e, out, sizeof(out));
	span_end_error(t, out);
}

/* Each extension: its span, its events, its children. */
static void ext_spans(struct ot *t, const struct ct_model *m, const struct ct_timeline *tl, uint64_t root)
{
	struct jsonw *w = t->w;
	char name[CT_EXT_NAME_MAX + 32], out[160];

	for (size_t i = 0; i < tl->next && t->n + 4 < MAX_SPANS; i++) {
		const struct ct_extension *e = &tl->ext[i];
		uint64_t start = e->exec_ts ? e->exec_ts : e->register_ts, fail = ct_ext_fail_ts(e);
		uint64_t last = m->last_ts > start ? m->last_ts : start;
		uint64_t end = e->ready_ts ? e->ready_ts : fail ? fail : last, id;

		if (!start)
			continue;
		snprintf(name, sizeof(name), "extension %s", e->name);
		id = span_begin(t, name, root, start, end);
		ext_attrs(w, e);
		attr_str(w, "coldtrace.role", "extension");
		attr_str(w, "coldtrace.extension.state", ct_ext_state_key(e->state));
		if (e->events[0])
			attr_str(w, "coldtrace.extension.events", e->events);
		if (e->error_type[0])
			attr_str(w, "coldtrace.extension.error_type", e->error_type);
		if (e->register_status)
			attr_int(w, "coldtrace.extension.register_status", e->register_status);
		if (ct_ext_to_register(e))
			attr_dbl(w, "coldtrace.extension.to_register_ms", ms_of(ct_ext_to_register(e)));
		if (ct_ext_to_ready(e))
			attr_dbl(w, "coldtrace.extension.to_ready_ms", ms_of(ct_ext_to_ready(e)));
		if (ct_ext_go_init(e))
			attr_dbl(w, "coldtrace.extension.go_init_ms", ms_of(ct_ext_go_init(e)));
		if (e->image && e->image->path[0])
			attr_str(w, "process.executable.path", e->image->path);
		if (e->exit_ts)
			attr_exit(w, e->exit_status);
		if (tl->init_gate.known && !tl->init_gate.is_runtime && tl->init_gate.ext == (long)i)
			attr_bool(w, "coldtrace.extension.gated_init", true);
		jw_arr_close(w);
		jw_key(w, "events");
		jw_arr_open(w);
		for (size_t k = 0; k < e->nsubs; k++) {
			const struct ct_ext_sub *sub = &e->subs[k];

			if (!sub->ts)
				continue;
			snprintf(name, sizeof(name), "subscribe %s", lambda_api_name(sub->api));
			event_begin(t, name, sub->ts);
			attr_str(w, "coldtrace.extension.api", lambda_api_name(sub->api));
			if (sub->status)
				attr_int(w, "http.response.status_code", sub->status);
			jw_arr_close(w);
			jw_obj_close(w);
		}
		ct_ext_outcome(e, out, sizeof(out));
		if (e->error_ts || fail) {
			event_begin(t, out, fail ? fail : e->error_ts);
			attr_str(w, "coldtrace.extension.state", ct_ext_state_key(e->state));
			if (e->error_type[0])
				attr_str(w, "coldtrace.extension.error_type", e->error_type);
			jw_arr_close(w);
			jw_obj_close(w);
		}
		jw_arr_close(w);
		if (e->failed)
			status_error(w, out);
		jw_obj_close(w);
		ext_child(t, e, "register", id, start, e->registered_ts, fail, last);
		if (e->registered_ts)
			ext_child(t, e, "init", id, e->registered_ts, e->ready_ts, fail, last);
		if (ct_ext_go_init(e)) {
			span_begin(t, "Go init", id, e->go_rt_start, e->go_main);
			ext_attrs(w, e);
			if (e->go_image) {
				attr_int(w, "go.init.packages", (long long)e->go_image->npkgs);
				attr_str(w, "go.version", e->go_image->go_version[0] ? e->go_image->go_version : "?");
			}
			span_end(t);
		}
	}
}

/*
 * The module loads of CPython image img of p: a span each, named after the
 * module, a child of the span of the load it was nested in (-X importtime's
 * indentation) when that one was written, else of the process's span
 * (proc). A load that never ended lasts to the end of its image (last: the
 * process span's end), python.import.ended false, without times.
 */
static void py_spans(struct ot *t, const struct ct_proc *p, size_t img, uint64_t proc, uint64_t last)
{
	const struct ct_image *im = &p->images[img];
	struct jsonw *w = t->w;
	uint64_t *ids;

	if (!im->npyimports || !(ids = calloc(im->npyimports, sizeof(*ids))))
		return;
	for (size_t k = 0; k < im->npyimports && t->n < MAX_SPANS; k++) {
		const struct ct_pyimport *pi = &im->pyimports[k];
		uint64_t parent = proc;
		struct ct_counts c;

		/* the enclosing load started before it: its span is written */
		if (pi->parent >= 0 && (size_t)pi->parent < k && ids[pi->parent])
			parent = ids[pi->parent];
		ids[k] = span_begin(t, pi->name, parent, pi->start, ct_pyload_end(p, img, pi, last));
		attr_str(w, "python.module", pi->name);
		attr_int(w, "python.import.level", pi->level);
		attr_int(w, "python.import.seq", (long long)k);
		attr_int(w, "thread.id", pi->tid);
		if (pi->end) {
			attr_dbl(w, "python.import.self_ms", ms_of(ct_pyimport_self(pi)));
			attr_dbl(w, "python.import.cum_ms", ms_of(ct_pyimport_cum(pi)));
		} else {
			attr_bool(w, "python.import.ended", false);
		}
		if (pi->name_cut)
			attr_bool(w, "python.module.cut", true);
		if (ct_bd_pyimport(pi, &c)) {
			attr_dbl(w, "coldtrace.cpu_ms", ms_of(c.run_ns));
			attr_int(w, "coldtrace.minor_faults", (long long)c.min_flt);
			attr_int(w, "coldtrace.major_faults", (long long)c.maj_flt);
			attr_int(w, "coldtrace.voluntary_switches", (long long)c.nvcsw);
			attr_int(w, "coldtrace.involuntary_switches", (long long)c.nivcsw);
		}
		span_end(t);
	}
	free(ids);
}

static void process_spans(struct ot *t, const struct ct_model *m, const struct ct_timeline *tl,
			  uint64_t root, uint64_t t_end)
{
	struct jsonw *w = t->w;
	const struct ct_proc **procs;
	size_t n = ct_timeline_procs(m, tl, &procs);
	char label[80], name[112];

	for (size_t i = 0; i < n && t->n < MAX_SPANS; i++) {
		const struct ct_proc *p = procs[i];
		const struct ct_image *im = ct_proc_image_const(p);
		uint64_t start = p->start_ts, end = p->exited ? p->exit_ts : t_end, id;
		const char *role = p == tl->agent ? "agent" : p == tl->runtime ? "runtime" : NULL;

		for (size_t k = 0; k < tl->next && !role; k++)
			if (tl->ext[k].proc == p)
				role = "extension";

		if (!start && im)
			start = im->exec_ts;
		if (!start)
			continue;
		ct_proc_label(p, label, sizeof(label));
		snprintf(name, sizeof(name), "process %s", label);
		id = span_begin(t, name, root, start, end);
		attr_int(w, "process.pid", p->pid);
		attr_int(w, "process.parent_pid", p->ppid);
		if (im && im->path[0])
			attr_str(w, "process.executable.path", im->path);
		if (role)
			attr_str(w, "coldtrace.role", role);
		if (im && im->is_go)
			attr_str(w, "go.version", im->go_version[0] ? im->go_version : "?");
		if (im && im->is_python)
			attr_str(w, "python.version", im->py_version[0] ? im->py_version : "?");
		if (im && im->held_ns)
			attr_int(w, "coldtrace.held_ns", (long long)im->held_ns);
		if (p->exited)
			attr_exit(w, p->exit_status);
		if (m->have_sched && p->nthreads) {
			/* its threads' own counters, added: the kernel's accounting */
			attr_dbl(w, "coldtrace.cpu_ms", ms_of(p->sum.run_ns));
			attr_dbl(w, "coldtrace.runnable_ms", ms_of(p->runnable_ns));
			attr_int(w, "coldtrace.minor_faults", (long long)p->sum.min_flt);
			attr_int(w, "coldtrace.major_faults", (long long)p->sum.maj_flt);
			attr_int(w, "coldtrace.voluntary_switches", (long long)p->sum.nvcsw);
			attr_int(w, "coldtrace.involuntary_switches", (long long)p->sum.nivcsw);
			attr_int(w, "coldtrace.threads", p->nthreads);
		}
		span_end(t);
		for (size_t j = 0; j < p->nimages; j++) {
			const struct ct_image *gi = &p->images[j];

			for (size_t k = 0; k < gi->npkgs && t->n < MAX_SPANS; k++) {
				const struct ct_pkginit *pk = &gi->pkgs[k];
				struct ct_bd_pkg pb;

				span_begin(t, pk->pkg, id, pk->start, pk->end ? pk->end : pk->start);
				attr_str(w, "go.package", pk->pkg);
				attr_int(w, "go.init.seq", (long long)k);
				attr_int(w, "go.init.functions", pk->nfns);
				if (!pk->end)
					attr_bool(w, "go.init.returned", false);
				if (ct_bd_pkginit(pk, &pb)) {
					attr_dbl(w, "coldtrace.cpu_ms", ms_of(pb.cpu_ns));
					attr_str(w, "coldtrace.cpu_from",
						 pb.cpu_from_sched ? "scheduler states" : "thread counters");
					attr_int(w, "coldtrace.minor_faults", (long long)pb.min_flt);
					attr_int(w, "coldtrace.major_faults", (long long)pb.maj_flt);
					attr_int(w, "coldtrace.voluntary_switches", (long long)pb.nvcsw);
					attr_int(w, "coldtrace.involuntary_switches", (long long)pb.nivcsw);
				}
				span_end(t);
			}
			py_spans(t, p, j, id, end);
		}
	}
	free(procs);
}

static void resource(struct jsonw *w, const struct ct_timeline *tl, const struct ct_render_opts *o)
{
	char label[80], cmd[CT_CMDLINE_MAX + 64];

	jw_key(w, "resource");
	jw_obj_open(w);
	jw_key(w, "attributes");
	jw_arr_open(w);
	attr_str(w, "service.name", "coldtrace");
	ct_proc_label(tl->agent, label, sizeof(label));
	attr_str(w, "coldtrace.agent", label);
	ct_proc_label(tl->runtime, label, sizeof(label));
	attr_str(w, "coldtrace.runtime", label);
	if (o && o->command)
		attr_str(w, "process.command_line", ct_redact_cmdline(o->command, cmd, sizeof(cmd)));
	jw_arr_close(w);
	jw_obj_close(w);
}

/* The root span "cold start": the timeline's facts, milestones as events. */
static uint64_t root_span(struct ot *t, const struct ct_timeline *tl, const struct ct_bd *bd, uint64_t start,
			  uint64_t end)
{
	struct jsonw *w = t->w;
	uint64_t root = span_begin(t, "cold start", 0, start, end);

	attr_int(w, "coldtrace.agent.pid", tl->agent_pid);
	attr_int(w, "coldtrace.runtime.pid", tl->runtime_pid);
	if (tl->request_id[0])
		attr_str(w, "faas.invocation_id", tl->request_id);
	attr_bool(w, "coldtrace.complete", tl->complete);
	if (tl->nmissing) {
		struct strbuf sb;

		sb_init(&sb);
		for (size_t i = 0; i < tl->nmissing; i++)
			sb_printf(&sb, "%s%s", i ? "," : "", ct_ms_key(tl->missing[i]));
		attr_str(w, "coldtrace.missing", sb.buf);
		sb_free(&sb);
	}
	if (tl->note[0])
		attr_str(w, "coldtrace.note", tl->note);
	if (tl->have_init_report)
		attr_dbl(w, "coldtrace.agent.init_report_ms", tl->init_report_ms);
	if (tl->have_report_init)
		attr_dbl(w, "coldtrace.agent.report_init_duration_ms", tl->report_init_ms);
	if (tl->held_ns)
		attr_int(w, "coldtrace.held_ns", (long long)tl->held_ns);
	if (tl->next) {
		attr_int(w, "coldtrace.extensions", (long long)tl->next);
		attr_int(w, "coldtrace.extensions_failed", (long long)tl->next_failed);
		gate_attrs(w, tl, &tl->init_gate, true);
		gate_attrs(w, tl, &tl->register_gate, false);
	}
	if (bd)
		bd_attrs(w, bd, ct_bd_scope_key(ct_bd_phase_scope(&tl->ph[CT_PH_TOTAL])),
			 ct_phase_name(CT_PH_TOTAL));
	jw_arr_close(w);
	jw_key(w, "events");
	jw_arr_open(w);
	for (int k = 0; k < CT_MS_COUNT; k++) {
		const struct ct_milestone *ms = &tl->ms[k];

		if (ms->state != CT_MS_SEEN)
			continue;
		event_begin(t, ct_ms_name((enum ct_ms)k), ms->ts);
		attr_int(w, "pid", ms->pid);
		jw_arr_close(w);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	if (!tl->complete)
		status_error(w, tl->note[0] ? tl->note : "incomplete");
	jw_obj_close(w);
	return root;
}

static void one_trace(struct jsonw *w, const struct ct_model *m, const struct ct_timeline *tl,
		      const struct ct_render_opts *o)
{
	struct ot t = {.w = w, .off = o ? o->realtime_offset_ns : 0};
	const struct ct_phase *tot = &tl->ph[CT_PH_TOTAL];
	uint64_t start = tot->start ? tot->start : tl->t0;
	uint64_t end = tot->complete ? tot->end : tl->t_end;
	uint64_t root;

	t.tid[0] = ct_hash_u64(((uint64_t)tl->agent_pid << 32) ^ tl->runtime_pid ^ ct_hash_u64(start));
	t.tid[1] = ct_hash_u64(t.tid[0] ^ start);
	if (!t.tid[0] && !t.tid[1])
		t.tid[1] = 1;
	jw_obj_open(t.w);
	resource(t.w, tl, o);
	jw_key(t.w, "scopeSpans");
	jw_arr_open(t.w);
	jw_obj_open(t.w);
	jw_key(t.w, "scope");
	jw_obj_open(t.w);
	jw_kstr(t.w, "name", "coldtrace");
	jw_kstr(t.w, "version", COLDTRACE_VERSION);
	jw_obj_close(t.w);
	jw_key(t.w, "spans");
	jw_arr_open(t.w);

	{
		struct ct_bd bd;
		bool have = tot->complete && !ct_bd_phase(m, tl, tot, &bd);

		root = root_span(&t, tl, have ? &bd : NULL, start, end);
	}
	for (int k = 0; k < CT_PH_COUNT; k++) {
		const struct ct_phase *ph = &tl->ph[k];
		uint64_t pe = ph->complete ? ph->end : end;

		if (k == CT_PH_TOTAL || !ph->start || pe < ph->start || !ct_phase_applies(tl, ph))
			continue;
		span_begin(&t, ct_phase_name(ph->id), root, ph->start, pe);
		attr_str(t.w, "coldtrace.phase", ct_phase_key(ph->id));
		attr_int(t.w, "process.pid", ph->pid);
		attr_bool(t.w, "coldtrace.complete", ph->complete);
		if (ph->held_ns)
			attr_int(t.w, "coldtrace.held_ns", (long long)ph->held_ns);
		if (ph->id == CT_PH_FUNC_INIT_AGENT && tl->have_init_report)
			attr_dbl(t.w, "coldtrace.agent.init_report_ms", tl->init_report_ms);
		if (ph->id == CT_PH_FUNC_INIT && tl->have_report_init)
			attr_dbl(t.w, "coldtrace.agent.report_init_duration_ms", tl->report_init_ms);
		if ((ph->id == CT_PH_INVOKE || ph->id == CT_PH_DELIVER) && tl->request_id[0])
			attr_str(t.w, "faas.invocation_id", tl->request_id);
		if (ph->id == CT_PH_INIT_ALL || ph->id == CT_PH_EXT_WAIT)
			gate_attrs(t.w, tl, &tl->init_gate, true);
		if (ph->id == CT_PH_EXT_REGISTER)
			gate_attrs(t.w, tl, &tl->register_gate, false);
		if (ph->complete) {
			struct ct_bd bd;

			if (!ct_bd_phase(m, tl, ph, &bd))
				bd_attrs(t.w, &bd, ct_bd_scope_key(ct_bd_phase_scope(ph)), ct_phase_name(ph->id));
		}
		span_end(&t);
	}
	ext_spans(&t, m, tl, root);
	process_spans(&t, m, tl, root, end);
	jw_raw(t.w, "\n");
	jw_arr_close(t.w); /* spans */
	jw_obj_close(t.w);
	jw_arr_close(t.w); /* scopeSpans */
	jw_obj_close(t.w);
}

void ct_render_otlp(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o)
{
	ct_render_timelines(m, out, o, ct_render_otlp_tls);
}

void ct_render_otlp_tls(const struct ct_model *m, const struct ct_timelines *tls, struct strbuf *out,
			const struct ct_render_opts *o)
{
	struct jsonw w;

	jw_init(&w, out);
	jw_obj_open(&w);
	jw_key(&w, "resourceSpans");
	jw_arr_open(&w);
	for (size_t i = 0; i < tls->n; i++) {
		if (i)
			jw_nl(&w);
		one_trace(&w, m, &tls->v[i], o);
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
}
