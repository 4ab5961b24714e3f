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

#include "exitstatus.h"
#include "jsonw.h"
#include "phases.h"
#include "render.h"

#define PHASE_PID_BASE 2000000000u /* synthetic pids of the cold-start tracks */
#define PHASE_SORT_BASE (-1000)   /* their sort index: before every process */
#define MAX_PROCS 2000             /* tracks drawn, at most */
#define NS_PER_US_DIGITS 3         /* ts and dur: microseconds with three decimals */
#define ADDR_MAX 64                /* ct_endpoint_str: "[IPv6]:port" */

struct pf {
	struct jsonw w;
	uint64_t t0;
};

/* Microseconds since the first event, to the nanosecond. */
static void us(struct pf *p, const char *key, uint64_t ns)
{
	jw_key(&p->w, key);
	jw_decimal(&p->w, ns >= p->t0 ? ns - p->t0 : 0, NS_PER_US_DIGITS);
}

static void dur(struct pf *p, uint64_t a, uint64_t b)
{
	jw_key(&p->w, "dur");
	jw_decimal(&p->w, b > a ? b - a : 0, NS_PER_US_DIGITS);
}

/* Opens an event on a line of its own: {"name":...,"ph":...,"pid":...,
 * "tid":...,"ts":...; the caller adds its fields and closes it. */
static void ev(struct pf *p, const char *name, const char *ph, uint32_t pid, uint32_t tid, uint64_t ts)
{
	jw_nl(&p->w);
	jw_obj_open(&p->w);
	jw_kstr(&p->w, "name", name);
	jw_kstr(&p->w, "ph", ph);
	jw_kuint(&p->w, "pid", pid);
	jw_kuint(&p->w, "tid", tid);
	us(p, "ts", ts);
}

/* An instant event, without args: closed. */
static void instant(struct pf *p, const char *name, const char *cat, uint32_t pid, uint64_t ts)
{
	ev(p, name, "i", pid, pid, ts);
	jw_kstr(&p->w, "s", "t");
	jw_kstr(&p->w, "cat", cat);
	jw_obj_close(&p->w);
}

/* The fields after ev() up to the args object, opened. */
static void args_open(struct pf *p, const char *scope, const char *cat)
{
	if (scope)
		jw_kstr(&p->w, "s", scope);
	jw_kstr(&p->w, "cat", cat);
	jw_key(&p->w, "args");
	jw_obj_open(&p->w);
}

/* Closes the args and the event. */
static void args_close(struct pf *p)
{
	jw_obj_close(&p->w);
	jw_obj_close(&p->w);
}

static void meta(struct pf *p, const char *what, uint32_t pid, uint32_t tid, const char *key,
		 const char *sval, int ival)
{
	jw_nl(&p->w);
	jw_obj_open(&p->w);
	jw_kstr(&p->w, "name", what);
	jw_kstr(&p->w, "ph", "M");
	jw_kuint(&p->w, "pid", pid);
	jw_kuint(&p->w, "tid", tid);
	jw_kuint(&p->w, "ts", 0);
	jw_key(&p->w, "args");
	jw_obj_open(&p->w);
	if (sval)
		jw_kstr(&p->w, key, sval);
	else
		jw_kint(&p->w, key, ival);
	args_close(p);
}

static void process_track(struct pf *p, const struct ct_model *m, const struct ct_proc *pr)
{
	struct jsonw *w = &p->w;
	char label[80], name[112];
	uint64_t start = pr->start_ts, end = pr->exited ? pr->exit_ts : m->last_ts;

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
		args_open(p, NULL, "process");
		jw_kuint(w, "pid", pr->pid);
		jw_kuint(w, "ppid", pr->ppid);
		if (pr->exited) {
			struct ct_wait ex = ct_exit_decode(pr->exit_status);

			jw_kint(w, ex.signaled ? "exit_signal" : "exit_code", ex.value);
		} else {
			jw_kstr(w, "state", "still running at the end of the trace");
		}
		args_close(p);
	}
	for (size_t j = 0; j < pr->nimages; j++) {
		const struct ct_image *im = &pr->images[j];

		if (im->exec_ts) {
			ev(p, "exec", "i", pr->pid, pr->pid, im->exec_ts);
			args_open(p, "t", "process");
			jw_kstr(w, "path", im->path);
			jw_kstr(w, "comm", im->comm);
			if (im->is_go)
				jw_kstr(w, "go_version", im->go_version[0] ? im->go_version : "?");
			if (im->held_ns)
				jw_kuint(w, "held_by_coldtrace_ns", im->held_ns);
			args_close(p);
			if (im->held_ns) {
				ev(p, "held by coldtrace (attaching probes)", "X", pr->pid, pr->pid, im->exec_ts);
				dur(p, im->exec_ts, im->exec_ts + im->held_ns);
				jw_kstr(w, "cat", "coldtrace");
				jw_obj_close(w);
			}
		}
		if (im->rt_start)
			instant(p, "Go runtime start", "go", pr->pid, im->rt_start);
		for (size_t k = 0; k < im->npkgs; k++) {
			const struct ct_pkginit *pk = &im->pkgs[k];

			ev(p, pk->pkg, "X", pr->pid, pr->pid, pk->start);
			dur(p, pk->start, pk->end ? pk->end : pk->start);
			args_open(p, NULL, "go_init");
			jw_kuint(w, "seq", k);
			jw_kuint(w, "init_functions", pk->nfns);
			if (!pk->end)
				jw_kstr(w, "note", "did not return");
			if (im->rt_start && pk->start >= im->rt_start)
				jw_kuint(w, "at_ns", pk->start - im->rt_start);
			args_close(p);
		}
		if (im->main_main)
			instant(p, "main.main", "go", pr->pid, im->main_main);
	}
	if (pr->exited)
		instant(p, "exit", "process", pr->pid, pr->exit_ts);
}

static void io_events(struct pf *p, const struct ct_model *m)
{
	struct jsonw *w = &p->w;
	char l[ADDR_MAX], r[ADDR_MAX], name[HTTP_PATH_MAX + 16];

	for (size_t i = 0; i < m->nlistens; i++) {
		const struct ct_listen_rec *ls = &m->listens[i];

		ct_endpoint_str(&ls->ep, true, l, sizeof(l));
		snprintf(name, sizeof(name), "listen %s", l);
		ev(p, name, "i", ls->pid, ls->pid, ls->ts);
		args_open(p, "t", "net");
		jw_kstr(w, "address", l);
		jw_kuint(w, "tid", ls->tid);
		args_close(p);
	}
	for (size_t i = 0; i < m->nhttp; i++) {
		const struct ct_http *h = &m->http[i];
		const char *dir = h->dir == CT_IO_WRITE ? "send" : "recv";

		if (h->kind == HTTP_REQUEST)
			snprintf(name, sizeof(name), "%s %s %s", dir, http_method_name(h->method), h->path);
		else
			snprintf(name, sizeof(name), "%s %d %s", dir, h->status, h->reason);
		ct_endpoint_str(&h->ep, true, l, sizeof(l));
		ct_endpoint_str(&h->ep, false, r, sizeof(r));
		ev(p, name, "i", h->pid, h->pid, h->ts);
		args_open(p, "t", "http");
		jw_kstr(w, "dir", dir);
		if (h->kind == HTTP_REQUEST) {
			jw_kstr(w, "method", http_method_name(h->method));
			jw_kstr(w, "path", h->path);
			jw_kstr(w, "api", lambda_api_name(h->api));
		} else {
			jw_kint(w, "status", h->status);
		}
		if (h->hdr[HTTP_H_REQUEST_ID])
			jw_kstr(w, "request_id", h->hdr[HTTP_H_REQUEST_ID]);
		else if (h->api_id[0])
			jw_kstr(w, "request_id", h->api_id);
		jw_kstr(w, "local", l);
		jw_kstr(w, "remote", r);
		jw_kuint(w, "tid", h->tid);
		if (h->peer >= 0)
			jw_kuint(w, "peer_pid", m->http[h->peer].pid);
		args_close(p);
	}
	for (size_t i = 0; i < m->nlogs; i++) {
		const struct ct_log *lg = &m->logs[i];

		if (lg->ev->kind == LOG_GO_INIT)
			continue;
		ev(p, log_kind_name(lg->ev->kind), "i", lg->pid, lg->pid, lg->ts);
		args_open(p, "t", "log");
		jw_key(w, "line");
		jw_strn(w, lg->ev->line, lg->ev->line_len);
		if (lg->ev->have & LOG_HAVE_REQUEST_ID)
			jw_kstr(w, "request_id", lg->ev->request_id);
		jw_kuint(w, "fd", lg->fd);
		args_close(p);
	}
}

/* The threads of a cold-start track. */
enum { TID_TOTAL = 1, TID_PHASES, TID_NESTED, TID_MILESTONES };

static void timeline_track(struct pf *p, const struct ct_timeline *tl, size_t idx)
{
	struct jsonw *w = &p->w;
	uint32_t pid = PHASE_PID_BASE + (uint32_t)idx;
	char name[128];
	const struct ct_phase *tot = &tl->ph[CT_PH_TOTAL];

	snprintf(name, sizeof(name), "cold start #%zu (agent pid %u, runtime pid %u)", idx + 1, tl->agent_pid,
		 tl->runtime_pid);
	meta(p, "process_name", pid, TID_TOTAL, "name", name, 0);
	meta(p, "process_sort_index", pid, TID_TOTAL, "sort_index", NULL, PHASE_SORT_BASE + (int)idx);
	meta(p, "thread_name", pid, TID_TOTAL, "name", "cold start", 0);
	meta(p, "thread_name", pid, TID_PHASES, "name", "phases", 0);
	meta(p, "thread_name", pid, TID_NESTED, "name", "nested / the agent's view", 0);
	meta(p, "thread_name", pid, TID_MILESTONES, "name", "milestones", 0);
	for (int k = 0; k < CT_PH_COUNT; k++) {
		const struct ct_phase *ph = &tl->ph[k];
		uint32_t tid = ph->depth == 0 ? TID_TOTAL : ph->depth == 1 ? TID_PHASES : TID_NESTED;
		uint64_t end = ph->complete ? ph->end : tl->t_end;

		if (!ph->start || end < ph->start || !ct_phase_applies(tl, ph))
			continue;
		snprintf(name, sizeof(name), "%s%s", ct_phase_name(ph->id), ph->complete ? "" : " (incomplete)");
		ev(p, name, "X", pid, tid, ph->start);
		dur(p, ph->start, end);
		args_open(p, NULL, "phase");
		jw_kstr(w, "from", ct_ms_name(ph->from));
		jw_kstr(w, "to", ct_ms_name(ph->to));
		jw_kuint(w, "pid", ph->pid);
		if (ph->complete)
			jw_kuint(w, "dur_ns", ph->dur);
		else
			jw_kstr(w, "incomplete", "the end was not seen");
		if (ph->held_ns)
			jw_kuint(w, "held_by_coldtrace_ns", ph->held_ns);
		if (ph->id == CT_PH_FUNC_INIT_AGENT && tl->have_init_report)
			jw_kfixed(w, "agent_init_report_ms", tl->init_report_ms, 3);
		if (ph->id == CT_PH_FUNC_INIT && tl->have_report_init)
			jw_kfixed(w, "agent_report_init_duration_ms", tl->report_init_ms, 3);
		if (ph->id == CT_PH_TOTAL || (!tot->start && ph->depth == 1)) {
			if (tl->request_id[0])
				jw_kstr(w, "request_id", tl->request_id);
			jw_kbool(w, "complete", tl->complete);
			jw_key(w, "missing");
			jw_arr_open(w);
			for (size_t i = 0; i < tl->nmissing; i++)
				jw_str(w, ct_ms_name(tl->missing[i]));
			jw_arr_close(w);
			if (tl->note[0])
				jw_kstr(w, "note", tl->note);
		}
		args_close(p);
	}
	for (int k = 0; k < CT_MS_COUNT; k++) {
		const struct ct_milestone *ms = &tl->ms[k];

		if (ms->state != CT_MS_SEEN)
			continue;
		ev(p, ct_ms_name((enum ct_ms)k), "i", pid, TID_MILESTONES, ms->ts);
		args_open(p, "t", "milestone");
		jw_kuint(w, "pid", ms->pid);
		if ((k == CT_MS_INVOKE || k == CT_MS_RESPONSE || k == CT_MS_END || k == CT_MS_REPORT) &&
		    tl->request_id[0])
			jw_kstr(w, "request_id", tl->request_id);
		args_close(p);
	}
	if (tl->nmissing && tl->t0) {
		struct strbuf sb;

		sb_init(&sb);
		sb_puts(&sb, "missing: ");
		for (size_t i = 0; i < tl->nmissing; i++)
			sb_printf(&sb, "%s%s", i ? ", " : "", ct_ms_name(tl->missing[i]));
		ev(p, sb.buf ? sb.buf : "missing", "i", pid, TID_MILESTONES, tl->t0);
		args_open(p, "p", "milestone");
		jw_kstr(w, "note", tl->note);
		args_close(p);
		sb_free(&sb);
	}
}

void ct_render_perfetto(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o)
{
	struct pf p = {.t0 = m->first_ts};
	struct jsonw *w = &p.w;
	struct ct_timelines tls = {0};
	size_t n = m->nprocs < MAX_PROCS ? m->nprocs : MAX_PROCS;
	char cmd[CT_CMDLINE_MAX + 64];

	if (ct_timelines_build(m, &tls))
		tls.n = 0;
	jw_init(w, out);
	jw_obj_open(w);
	jw_kstr(w, "displayTimeUnit", "ms");
	jw_key(w, "otherData");
	jw_obj_open(w);
	jw_kstr(w, "generator", "coldtrace " COLDTRACE_VERSION);
	jw_kstr(w, "clock", "monotonic");
	jw_key(w, "origin_ns");
	jw_strf(w, "%llu", (unsigned long long)m->first_ts);
	jw_key(w, "realtime_offset_ns");
	jw_strf(w, "%llu", (unsigned long long)(o ? o->realtime_offset_ns : 0));
	jw_kstr(w, "command", o && o->command ? ct_redact_cmdline(o->command, cmd, sizeof(cmd)) : "");
	jw_obj_close(w);
	jw_key(w, "traceEvents");
	jw_arr_open(w);
	for (size_t i = 0; i < tls.n; i++)
		timeline_track(&p, &tls.v[i], i);
	for (size_t i = 0; i < n; i++)
		process_track(&p, m, &m->procs[i]);
	io_events(&p, m);
	jw_raw(w, "\n");
	jw_arr_close(w);
	jw_obj_close(w);
	ct_timelines_free(&tls);
}
