// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The model and its cold-start timelines as Chrome Trace Event JSON (object
 * form), which Perfetto UI and chrome://tracing load:
 *   - a track (pid) per process: process_name / thread_name metadata, its
 *     life as a complete event, each Go package init as a complete event
 *     inside it, instants for exec, Go runtime start, main.main, listen,
 *     HTTP messages, log lines and exit;
 *   - a track per cold start (a synthetic pid, sorted first): the phases as
 *     complete events on three threads (total; the consecutive phases; the
 *     nested and overlapping ones) and the milestones as instants.
 * ts and dur are microseconds from the first event (fractional).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "phases.h"
#include "render.h"

#define PHASE_PID_BASE 2000000000u /* synthetic pids of the cold-start tracks */
#define MAX_PROCS 2000             /* tracks drawn, at most */

struct pf {
	struct strbuf *out;
	uint64_t t0;
	bool first;
};

static void us(struct pf *p, const char *key, uint64_t ns)
{
	uint64_t d = ns >= p->t0 ? ns - p->t0 : 0;

	sb_printf(p->out, ",\"%s\":%llu.%03llu", key, (unsigned long long)(d / 1000),
		  (unsigned long long)(d % 1000));
}

static void dur(struct pf *p, uint64_t a, uint64_t b)
{
	uint64_t d = b > a ? b - a : 0;

	sb_printf(p->out, ",\"dur\":%llu.%03llu", (unsigned long long)(d / 1000), (unsigned long long)(d % 1000));
}

/* Opens an event: {"name":...,"ph":...,"pid":...,"tid":... (no closing brace). */
static void ev(struct pf *p, const char *name, const char *ph, uint32_t pid, uint32_t tid, uint64_t ts)
{
	sb_puts(p->out, p->first ? "\n" : ",\n");
	p->first = false;
	sb_puts(p->out, "{\"name\":");
	sb_json_str(p->out, name);
	sb_printf(p->out, ",\"ph\":\"%s\",\"pid\":%u,\"tid\":%u", ph, pid, tid);
	us(p, "ts", ts);
}

static void meta(struct pf *p, const char *what, uint32_t pid, uint32_t tid, const char *key,
		 const char *sval, int ival)
{
	sb_puts(p->out, p->first ? "\n" : ",\n");
	p->first = false;
	sb_printf(p->out, "{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"ts\":0,\"args\":{\"%s\":", what,
		  pid, tid, key);
	if (sval)
		sb_json_str(p->out, sval);
	else
		sb_printf(p->out, "%d", ival);
	sb_puts(p->out, "}}");
}

static void arg_str(struct strbuf *out, bool *first, const char *k, const char *v)
{
	sb_printf(out, "%s\"%s\":", *first ? "" : ",", k);
	sb_json_str(out, v);
	*first = false;
}

static void arg_num(struct strbuf *out, bool *first, const char *k, long long v)
{
	sb_printf(out, "%s\"%s\":%lld", *first ? "" : ",", k, v);
	*first = false;
}

static void process_track(struct pf *p, const struct ct_model *m, const struct ct_proc *pr)
{
	char label[80], name[112];
	uint64_t start = pr->start_ts, end = pr->exited ? pr->exit_ts : m->last_ts;
	bool f = true;

	ct_proc_label(pr, label, sizeof(label));
	snprintf(name, sizeof(name), "%s (pid %u)", label, pr->pid);
	meta(p, "process_name", pr->pid, pr->pid, "name", name, 0);
	meta(p, "process_sort_index", pr->pid, pr->pid, "sort_index", NULL, (int)(pr - m->procs));
	meta(p, "thread_name", pr->pid, pr->pid, "name", label, 0);
	if (!start) {
		for (size_t j = 0; j < pr->nimages && !start; j++)
			start = pr->images[j].exec_ts;
	}
	if (start && end >= start) {
		ev(p, label, "X", pr->pid, pr->pid, start);
		dur(p, start, end);
		sb_puts(p->out, ",\"cat\":\"process\",\"args\":{");
		arg_num(p->out, &f, "pid", pr->pid);
		arg_num(p->out, &f, "ppid", pr->ppid);
		if (pr->exited) {
			if (WIFSIGNALED(pr->exit_status))
				arg_num(p->out, &f, "exit_signal", WTERMSIG(pr->exit_status));
			else
				arg_num(p->out, &f, "exit_code", WEXITSTATUS(pr->exit_status));
		} else {
			arg_str(p->out, &f, "state", "still running at the end of the trace");
		}
		sb_puts(p->out, "}}");
	}
	for (size_t j = 0; j < pr->nimages; j++) {
		const struct ct_image *im = &pr->images[j];

		if (im->exec_ts) {
			f = true;
			ev(p, "exec", "i", pr->pid, pr->pid, im->exec_ts);
			sb_puts(p->out, ",\"s\":\"t\",\"cat\":\"process\",\"args\":{");
			arg_str(p->out, &f, "path", im->path);
			arg_str(p->out, &f, "comm", im->comm);
			if (im->is_go)
				arg_str(p->out, &f, "go_version", im->go_version[0] ? im->go_version : "?");
			if (im->held_ns)
				arg_num(p->out, &f, "held_by_coldtrace_ns", (long long)im->held_ns);
			sb_puts(p->out, "}}");
			if (im->held_ns) {
				ev(p, "held by coldtrace (attaching probes)", "X", pr->pid, pr->pid, im->exec_ts);
				dur(p, im->exec_ts, im->exec_ts + im->held_ns);
				sb_puts(p->out, ",\"cat\":\"coldtrace\"}");
			}
		}
		if (im->rt_start) {
			ev(p, "Go runtime start", "i", pr->pid, pr->pid, im->rt_start);
			sb_puts(p->out, ",\"s\":\"t\",\"cat\":\"go\"}");
		}
		for (size_t k = 0; k < im->npkgs; k++) {
			const struct ct_pkginit *pk = &im->pkgs[k];

			f = true;
			ev(p, pk->pkg, "X", pr->pid, pr->pid, pk->start);
			dur(p, pk->start, pk->end ? pk->end : pk->start);
			sb_puts(p->out, ",\"cat\":\"go_init\",\"args\":{");
			arg_num(p->out, &f, "seq", (long long)k);
			arg_num(p->out, &f, "init_functions", pk->nfns);
			if (!pk->end)
				arg_str(p->out, &f, "note", "did not return");
			if (im->rt_start && pk->start >= im->rt_start)
				arg_num(p->out, &f, "at_ns", (long long)(pk->start - im->rt_start));
			sb_puts(p->out, "}}");
		}
		if (im->main_main) {
			ev(p, "main.main", "i", pr->pid, pr->pid, im->main_main);
			sb_puts(p->out, ",\"s\":\"t\",\"cat\":\"go\"}");
		}
	}
	if (pr->exited) {
		ev(p, "exit", "i", pr->pid, pr->pid, pr->exit_ts);
		sb_puts(p->out, ",\"s\":\"t\",\"cat\":\"process\"}");
	}
}

static void io_events(struct pf *p, const struct ct_model *m)
{
	char l[64], r[64], name[HTTP_PATH_MAX + 16];

	for (size_t i = 0; i < m->nlistens; i++) {
		const struct ct_listen_rec *ls = &m->listens[i];
		bool f = true;

		ct_endpoint_str(&ls->ep, true, l, sizeof(l));
		snprintf(name, sizeof(name), "listen %s", l);
		ev(p, name, "i", ls->pid, ls->pid, ls->ts);
		sb_puts(p->out, ",\"s\":\"t\",\"cat\":\"net\",\"args\":{");
		arg_str(p->out, &f, "address", l);
		arg_num(p->out, &f, "tid", ls->tid);
		sb_puts(p->out, "}}");
	}
	for (size_t i = 0; i < m->nhttp; i++) {
		const struct ct_http *h = &m->http[i];
		bool f = true;

		if (h->kind == HTTP_REQUEST)
			snprintf(name, sizeof(name), "%s %s %s", h->dir == CT_IO_WRITE ? "send" : "recv",
				 http_method_name(h->method), h->path);
		else
			snprintf(name, sizeof(name), "%s %d %s", h->dir == CT_IO_WRITE ? "send" : "recv", h->status,
				 h->reason);
		ct_endpoint_str(&h->ep, true, l, sizeof(l));
		ct_endpoint_str(&h->ep, false, r, sizeof(r));
		ev(p, name, "i", h->pid, h->pid, h->ts);
		sb_puts(p->out, ",\"s\":\"t\",\"cat\":\"http\",\"args\":{");
		arg_str(p->out, &f, "dir", h->dir == CT_IO_WRITE ? "send" : "recv");
		if (h->kind == HTTP_REQUEST) {
			arg_str(p->out, &f, "method", http_method_name(h->method));
			arg_str(p->out, &f, "path", h->path);
			arg_str(p->out, &f, "api", lambda_api_name(h->api));
		} else {
			arg_num(p->out, &f, "status", h->status);
		}
		if (h->hdr[HTTP_H_REQUEST_ID])
			arg_str(p->out, &f, "request_id", h->hdr[HTTP_H_REQUEST_ID]);
		else if (h->api_id[0])
			arg_str(p->out, &f, "request_id", h->api_id);
		arg_str(p->out, &f, "local", l);
		arg_str(p->out, &f, "remote", r);
		arg_num(p->out, &f, "tid", h->tid);
		if (h->peer >= 0)
			arg_num(p->out, &f, "peer_pid", m->http[h->peer].pid);
		sb_puts(p->out, "}}");
	}
	for (size_t i = 0; i < m->nlogs; i++) {
		const struct ct_log *lg = &m->logs[i];
		bool f = true;

		if (lg->ev->kind == LOG_GO_INIT)
			continue;
		ev(p, log_kind_name(lg->ev->kind), "i", lg->pid, lg->pid, lg->ts);
		sb_puts(p->out, ",\"s\":\"t\",\"cat\":\"log\",\"args\":{\"line\":");
		sb_json_strn(p->out, lg->ev->line, lg->ev->line_len);
		f = false;
		if (lg->ev->have & LOG_HAVE_REQUEST_ID)
			arg_str(p->out, &f, "request_id", lg->ev->request_id);
		arg_num(p->out, &f, "fd", lg->fd);
		sb_puts(p->out, "}}");
	}
}

static void timeline_track(struct pf *p, const struct ct_timeline *tl, size_t idx)
{
	uint32_t pid = PHASE_PID_BASE + (uint32_t)idx;
	char name[128];
	const struct ct_phase *tot = &tl->ph[CT_PH_TOTAL];

	snprintf(name, sizeof(name), "cold start #%zu (agent pid %u, runtime pid %u)", idx + 1, tl->agent_pid,
		 tl->runtime_pid);
	meta(p, "process_name", pid, 1, "name", name, 0);
	meta(p, "process_sort_index", pid, 1, "sort_index", NULL, -1000 + (int)idx);
	meta(p, "thread_name", pid, 1, "name", "cold start", 0);
	meta(p, "thread_name", pid, 2, "name", "phases", 0);
	meta(p, "thread_name", pid, 3, "name", "nested / the agent's view", 0);
	meta(p, "thread_name", pid, 4, "name", "milestones", 0);
	for (int k = 0; k < CT_PH_COUNT; k++) {
		const struct ct_phase *ph = &tl->ph[k];
		uint32_t tid = ph->depth == 0 ? 1 : ph->depth == 1 ? 2 : 3;
		uint64_t end = ph->complete ? ph->end : tl->t_end;
		bool f = true;

		if (!ph->start || end < ph->start || !ct_phase_applies(tl, ph))
			continue;
		snprintf(name, sizeof(name), "%s%s", ct_phase_name(ph->id), ph->complete ? "" : " (incomplete)");
		ev(p, name, "X", pid, tid, ph->start);
		dur(p, ph->start, end);
		sb_puts(p->out, ",\"cat\":\"phase\",\"args\":{");
		arg_str(p->out, &f, "from", ct_ms_name(ph->from));
		arg_str(p->out, &f, "to", ct_ms_name(ph->to));
		arg_num(p->out, &f, "pid", ph->pid);
		if (ph->complete)
			arg_num(p->out, &f, "dur_ns", (long long)ph->dur);
		else
			arg_str(p->out, &f, "incomplete", "the end was not seen");
		if (ph->held_ns)
			arg_num(p->out, &f, "held_by_coldtrace_ns", (long long)ph->held_ns);
		if (ph->id == CT_PH_FUNC_INIT_AGENT && tl->have_init_report)
			sb_printf(p->out, ",\"agent_init_report_ms\":%.3f", tl->init_report_ms);
		if (ph->id == CT_PH_FUNC_INIT && tl->have_report_init)
			sb_printf(p->out, ",\"agent_report_init_duration_ms\":%.3f", tl->report_init_ms);
		if (ph->id == CT_PH_TOTAL || (!tot->start && ph->depth == 1)) {
			if (tl->request_id[0])
				arg_str(p->out, &f, "request_id", tl->request_id);
			sb_printf(p->out, ",\"complete\":%s,\"missing\":[", tl->complete ? "true" : "false");
			for (size_t i = 0; i < tl->nmissing; i++)
				sb_printf(p->out, "%s\"%s\"", i ? "," : "", ct_ms_name(tl->missing[i]));
			sb_putc(p->out, ']');
			if (tl->note[0])
				arg_str(p->out, &f, "note", tl->note);
		}
		sb_puts(p->out, "}}");
	}
	for (int k = 0; k < CT_MS_COUNT; k++) {
		const struct ct_milestone *ms = &tl->ms[k];
		bool f = true;

		if (ms->state != CT_MS_SEEN)
			continue;
		ev(p, ct_ms_name((enum ct_ms)k), "i", pid, 4, ms->ts);
		sb_puts(p->out, ",\"s\":\"t\",\"cat\":\"milestone\",\"args\":{");
		arg_num(p->out, &f, "pid", ms->pid);
		if ((k == CT_MS_INVOKE || k == CT_MS_RESPONSE || k == CT_MS_END || k == CT_MS_REPORT) &&
		    tl->request_id[0])
			arg_str(p->out, &f, "request_id", tl->request_id);
		sb_puts(p->out, "}}");
	}
	if (tl->nmissing && tl->t0) {
		struct strbuf sb;

		sb_init(&sb);
		sb_puts(&sb, "missing: ");
		for (size_t i = 0; i < tl->nmissing; i++)
			sb_printf(&sb, "%s%s", i ? ", " : "", ct_ms_name(tl->missing[i]));
		ev(p, sb.buf ? sb.buf : "missing", "i", pid, 4, tl->t0);
		sb_puts(p->out, ",\"s\":\"p\",\"cat\":\"milestone\",\"args\":{\"note\":");
		sb_json_str(p->out, tl->note);
		sb_puts(p->out, "}}");
		sb_free(&sb);
	}
}

void ct_render_perfetto(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o)
{
	struct pf p = {.out = out, .t0 = m->first_ts, .first = true};
	struct ct_timelines tls = {0};
	size_t n = m->nprocs < MAX_PROCS ? m->nprocs : MAX_PROCS;
	char cmd[CT_CMDLINE_MAX + 64];

	if (ct_timelines_build(m, &tls))
		tls.n = 0;
	sb_puts(out, "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"coldtrace " COLDTRACE_VERSION
		     "\",\"clock\":\"monotonic\",\"origin_ns\":");
	sb_printf(out, "\"%llu\",\"realtime_offset_ns\":\"%llu\",\"command\":", (unsigned long long)m->first_ts,
		  (unsigned long long)(o ? o->realtime_offset_ns : 0));
	sb_json_str(out, o && o->command ? ct_redact_cmdline(o->command, cmd, sizeof(cmd)) : "");
	sb_puts(out, "},\"traceEvents\":[");
	for (size_t i = 0; i < tls.n; i++)
		timeline_track(&p, &tls.v[i], i);
	for (size_t i = 0; i < n; i++)
		process_track(&p, m, &m->procs[i]);
	io_events(&p, m);
	sb_puts(out, "\n]}\n");
	ct_timelines_free(&tls);
}
