// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The cold starts as OTLP/JSON traces (what an OpenTelemetry Collector takes
 * at POST :4318/v1/traces): one resourceSpans entry and one trace per cold
 * start. The root span "cold start" has a child span per phase and per
 * process of the sandbox; each Go package init is a child of its process's
 * span. Milestones are events of the root span.
 *
 * Ids are deterministic: the trace id is a hash of the agent's pid and its
 * exec time, span ids a hash of the trace id and the span's number. Times
 * are CLOCK_MONOTONIC converted with realtime_offset_ns, as decimal strings
 * (OTLP/JSON writes 64-bit integers as strings).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "phases.h"
#include "render.h"

#define MAX_SPANS 20000 /* per trace */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

struct ot {
	struct strbuf *out;
	uint64_t off;
	uint64_t tid[2];
	uint64_t n;
	bool first;
};

static uint64_t span_id(const struct ot *t, uint64_t n)
{
	uint64_t id = mix(t->tid[0] ^ mix(t->tid[1] ^ n));

	return id ? id : 1;
}

static void attr_str(struct strbuf *out, bool *first, const char *k, const char *v)
{
	sb_printf(out, "%s{\"key\":\"%s\",\"value\":{\"stringValue\":", *first ? "" : ",", k);
	sb_json_str(out, v ? v : "");
	sb_puts(out, "}}");
	*first = false;
}

static void attr_int(struct strbuf *out, bool *first, const char *k, long long v)
{
	sb_printf(out, "%s{\"key\":\"%s\",\"value\":{\"intValue\":\"%lld\"}}", *first ? "" : ",", k, v);
	*first = false;
}

static void attr_dbl(struct strbuf *out, bool *first, const char *k, double v)
{
	sb_printf(out, "%s{\"key\":\"%s\",\"value\":{\"doubleValue\":%.3f}}", *first ? "" : ",", k, v);
	*first = false;
}

static void attr_bool(struct strbuf *out, bool *first, const char *k, bool v)
{
	sb_printf(out, "%s{\"key\":\"%s\",\"value\":{\"boolValue\":%s}}", *first ? "" : ",", k, v ? "true" : "false");
	*first = false;
}

/* Opens a span; the caller writes attributes, then calls span_end. */
static uint64_t span_begin(struct ot *t, const char *name, uint64_t parent, uint64_t start, uint64_t end)
{
	uint64_t id = span_id(t, ++t->n);

	if (end < start)
		end = start;
	sb_puts(t->out, t->first ? "\n" : ",\n");
	t->first = false;
	sb_printf(t->out, "{\"traceId\":\"%016llx%016llx\",\"spanId\":\"%016llx\"", (unsigned long long)t->tid[0],
		  (unsigned long long)t->tid[1], (unsigned long long)id);
	if (parent)
		sb_printf(t->out, ",\"parentSpanId\":\"%016llx\"", (unsigned long long)parent);
	sb_puts(t->out, ",\"name\":");
	sb_json_str(t->out, name);
	sb_printf(t->out, ",\"kind\":1,\"startTimeUnixNano\":\"%llu\",\"endTimeUnixNano\":\"%llu\",\"attributes\":[",
		  (unsigned long long)(start + t->off), (unsigned long long)(end + t->off));
	return id;
}

static void span_end(struct ot *t)
{
	sb_puts(t->out, "]}");
}

static void process_spans(struct ot *t, const struct ct_model *m, const struct ct_timeline *tl,
			  uint64_t root, uint64_t t_end)
{
	const struct ct_proc **procs;
	size_t n = ct_timeline_procs(m, tl, &procs);
	char label[80], name[112];

	for (size_t i = 0; i < n && t->n < MAX_SPANS; i++) {
		const struct ct_proc *p = procs[i];
		const struct ct_image *im = ct_proc_image((struct ct_proc *)p);
		uint64_t start = p->start_ts, end = p->exited ? p->exit_ts : t_end, id;
		bool f = true;
		const char *role = p == tl->agent ? "agent" : p == tl->runtime ? "runtime" : NULL;

		if (!start && im)
			start = im->exec_ts;
		if (!start)
			continue;
		ct_proc_label(p, label, sizeof(label));
		snprintf(name, sizeof(name), "process %s", label);
		id = span_begin(t, name, root, start, end);
		attr_int(t->out, &f, "process.pid", p->pid);
		attr_int(t->out, &f, "process.parent_pid", p->ppid);
		if (im && im->path[0])
			attr_str(t->out, &f, "process.executable.path", im->path);
		if (role)
			attr_str(t->out, &f, "coldtrace.role", role);
		if (im && im->is_go)
			attr_str(t->out, &f, "go.version", im->go_version[0] ? im->go_version : "?");
		if (im && im->held_ns)
			attr_int(t->out, &f, "coldtrace.held_ns", (long long)im->held_ns);
		if (p->exited) {
			if (WIFSIGNALED(p->exit_status))
				attr_int(t->out, &f, "process.exit.signal", WTERMSIG(p->exit_status));
			else
				attr_int(t->out, &f, "process.exit.code", WEXITSTATUS(p->exit_status));
		}
		span_end(t);
		for (size_t j = 0; j < p->nimages; j++) {
			const struct ct_image *gi = &p->images[j];

			for (size_t k = 0; k < gi->npkgs && t->n < MAX_SPANS; k++) {
				const struct ct_pkginit *pk = &gi->pkgs[k];

				f = true;
				span_begin(t, pk->pkg, id, pk->start, pk->end ? pk->end : pk->start);
				attr_str(t->out, &f, "go.package", pk->pkg);
				attr_int(t->out, &f, "go.init.seq", (long long)k);
				attr_int(t->out, &f, "go.init.functions", pk->nfns);
				if (!pk->end)
					attr_bool(t->out, &f, "go.init.returned", false);
				span_end(t);
			}
		}
	}
	free(procs);
}

static void one_trace(struct strbuf *out, const struct ct_model *m, const struct ct_timeline *tl,
		      const struct ct_render_opts *o)
{
	struct ot t = {.out = out, .off = o ? o->realtime_offset_ns : 0, .first = true};
	const struct ct_phase *tot = &tl->ph[CT_PH_TOTAL];
	uint64_t start = tot->start ? tot->start : tl->t0;
	uint64_t end = tot->complete ? tot->end : tl->t_end;
	uint64_t root;
	char label[80], cmd[CT_CMDLINE_MAX + 64];
	bool f = true;

	t.tid[0] = mix(((uint64_t)tl->agent_pid << 32) ^ tl->runtime_pid ^ mix(start));
	t.tid[1] = mix(t.tid[0] ^ start);
	if (!t.tid[0] && !t.tid[1])
		t.tid[1] = 1;
	sb_puts(out, "{\"resource\":{\"attributes\":[");
	attr_str(out, &f, "service.name", "coldtrace");
	ct_proc_label(tl->agent, label, sizeof(label));
	attr_str(out, &f, "coldtrace.agent", label);
	ct_proc_label(tl->runtime, label, sizeof(label));
	attr_str(out, &f, "coldtrace.runtime", label);
	if (o && o->command)
		attr_str(out, &f, "process.command_line", ct_redact_cmdline(o->command, cmd, sizeof(cmd)));
	sb_puts(out, "]},\"scopeSpans\":[{\"scope\":{\"name\":\"coldtrace\",\"version\":\"" COLDTRACE_VERSION
		     "\"},\"spans\":[");

	root = span_begin(&t, "cold start", 0, start, end);
	f = true;
	attr_int(out, &f, "coldtrace.agent.pid", tl->agent_pid);
	attr_int(out, &f, "coldtrace.runtime.pid", tl->runtime_pid);
	if (tl->request_id[0])
		attr_str(out, &f, "faas.invocation_id", tl->request_id);
	attr_bool(out, &f, "coldtrace.complete", tl->complete);
	if (tl->nmissing) {
		struct strbuf sb;

		sb_init(&sb);
		for (size_t i = 0; i < tl->nmissing; i++)
			sb_printf(&sb, "%s%s", i ? "," : "", ct_ms_key(tl->missing[i]));
		attr_str(out, &f, "coldtrace.missing", sb.buf);
		sb_free(&sb);
	}
	if (tl->note[0])
		attr_str(out, &f, "coldtrace.note", tl->note);
	if (tl->have_init_report)
		attr_dbl(out, &f, "coldtrace.agent.init_report_ms", tl->init_report_ms);
	if (tl->have_report_init)
		attr_dbl(out, &f, "coldtrace.agent.report_init_duration_ms", tl->report_init_ms);
	if (tl->held_ns)
		attr_int(out, &f, "coldtrace.held_ns", (long long)tl->held_ns);
	sb_puts(out, "],\"events\":[");
	f = true;
	for (int k = 0; k < CT_MS_COUNT; k++) {
		const struct ct_milestone *ms = &tl->ms[k];

		if (ms->state != CT_MS_SEEN)
			continue;
		sb_printf(out, "%s{\"timeUnixNano\":\"%llu\",\"name\":", f ? "" : ",",
			  (unsigned long long)(ms->ts + t.off));
		sb_json_str(out, ct_ms_name((enum ct_ms)k));
		sb_printf(out, ",\"attributes\":[{\"key\":\"pid\",\"value\":{\"intValue\":\"%u\"}}]}", ms->pid);
		f = false;
	}
	sb_puts(out, "]");
	if (!tl->complete) {
		sb_puts(out, ",\"status\":{\"code\":2,\"message\":");
		sb_json_str(out, tl->note[0] ? tl->note : "incomplete");
		sb_putc(out, '}');
	}
	sb_putc(out, '}');

	for (int k = 0; k < CT_PH_COUNT; k++) {
		const struct ct_phase *ph = &tl->ph[k];
		uint64_t pe = ph->complete ? ph->end : end;

		if (k == CT_PH_TOTAL || !ph->start || pe < ph->start || !ct_phase_applies(tl, ph))
			continue;
		f = true;
		span_begin(&t, ct_phase_name(ph->id), root, ph->start, pe);
		attr_str(out, &f, "coldtrace.phase", ct_phase_key(ph->id));
		attr_int(out, &f, "process.pid", ph->pid);
		attr_bool(out, &f, "coldtrace.complete", ph->complete);
		if (ph->held_ns)
			attr_int(out, &f, "coldtrace.held_ns", (long long)ph->held_ns);
		if (ph->id == CT_PH_FUNC_INIT_AGENT && tl->have_init_report)
			attr_dbl(out, &f, "coldtrace.agent.init_report_ms", tl->init_report_ms);
		if (ph->id == CT_PH_FUNC_INIT && tl->have_report_init)
			attr_dbl(out, &f, "coldtrace.agent.report_init_duration_ms", tl->report_init_ms);
		if ((ph->id == CT_PH_INVOKE || ph->id == CT_PH_DELIVER) && tl->request_id[0])
			attr_str(out, &f, "faas.invocation_id", tl->request_id);
		span_end(&t);
	}
	process_spans(&t, m, tl, root, end);
	sb_puts(out, "\n]}]}");
}

void ct_render_otlp(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o)
{
	struct ct_timelines tls;

	if (ct_timelines_build(m, &tls))
		tls.n = 0;
	sb_puts(out, "{\"resourceSpans\":[");
	for (size_t i = 0; i < tls.n; i++) {
		if (i)
			sb_puts(out, ",\n");
		one_trace(out, m, &tls.v[i], o);
	}
	sb_puts(out, "]}\n");
	ct_timelines_free(&tls);
}
