// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The model as JSON lines (schema CT_JSONL_SCHEMA, "coldtrace/1", documented
 * in README.md).
 * Times are CLOCK_MONOTONIC nanoseconds; the header carries the offset to
 * wall-clock time. One object per line, in this order: header, then per
 * process: "process", its "exec"s, each Go image's "go_runtime",
 * "go_init" (in the order Go ran them) and "go_main", each CPython image's
 * "py_import" records (one per module load, in the order the loads
 * started); the I/O records;
 * the kernel-level breakdown's "thread", "tstate" (by start) and "file"
 * records; per sandbox (phases.h) its "phase", "milestone", "extension"
 * (one per Lambda extension) and "timeline" records, then a "breakdown"
 * per complete phase; last "summary". The breakdown's records and keys are
 * listed in breakdown.h.
 *
 * CPython (issue 14): the "exec" of a CPython image has "py_version"
 * ("3.11.2") and, when imports could not be traced, "py_note". A module load
 * (what one line of `python -X importtime` reports) is
 *   {"type":"py_import","pid","tid","seq" (its index in start order, from 0),
 *    "module" (absolute name, UTF-8),"level" (loads open around it on its
 *    thread, 0: top level),"parent" (seq of the load it is nested in; absent
 *    at top level),"start_ns",
 *    "end_ns","cum_ns","self_ns","end_seq" (1, 2, ...: the order loads ended
 *    in, importtime's line order; these four absent if it never ended),
 *    "name_cut":true (only if the name was cut),
 *    "cpu_ns","min_flt","maj_flt","nvcsw","nivcsw" (its thread's counters
 *    between both ends, when known)}
 * cum_ns and self_ns are -X importtime's cumulative and self.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "acct.h"
#include "breakdown.h"
#include "exitstatus.h"
#include "jsonw.h"
#include "phases.h"
#include "redact.h"
#include "render.h"
#include "tlviews.h"

#define ADDR_MAX 64 /* ct_endpoint_str: "[IPv6]:port" */

static void argv_json(struct jsonw *w, const struct ct_image *im)
{
	size_t i = 0;

	jw_arr_open(w);
	while (im->argv && i < im->argv_len) {
		size_t n = strnlen(im->argv + i, im->argv_len - i);

		jw_strn(w, im->argv + i, n);
		i += n + 1;
	}
	jw_arr_close(w);
}

static const char *dir_name(uint8_t dir)
{
	return dir == CT_IO_WRITE ? "send" : "recv";
}

static void http_json(struct jsonw *w, const struct ct_model *m, const struct ct_http *h)
{
	char l[ADDR_MAX], r[ADDR_MAX];

	ct_endpoint_str(&h->ep, true, l, sizeof(l));
	ct_endpoint_str(&h->ep, false, r, sizeof(r));
	jw_obj_open(w);
	jw_kstr(w, "type", "http");
	jw_kuint(w, "ts_ns", h->ts);
	jw_kuint(w, "head_ns", h->ts_head);
	jw_kuint(w, "pid", h->pid);
	jw_kuint(w, "tid", h->tid);
	jw_kstr(w, "dir", dir_name(h->dir));
	jw_kstr(w, "kind", h->kind == HTTP_REQUEST ? "request" : "response");
	if (h->kind == HTTP_REQUEST) {
		jw_kstr(w, "method", http_method_name(h->method));
		jw_kstr(w, "path", h->path);
		jw_kstr(w, "api", lambda_api_name(h->api));
		if (h->api_id[0])
			jw_kstr(w, "api_id", h->api_id);
	} else {
		jw_kint(w, "status", h->status);
		jw_kstr(w, "reason", h->reason);
	}
	jw_kstr(w, "local", l);
	jw_kstr(w, "remote", r);
	jw_key(w, "sock");
	jw_strf(w, "%llx", (unsigned long long)h->ep.sock_id);
	jw_kuint(w, "stream_index", h->index);
	jw_key(w, "headers");
	jw_obj_open(w);
	for (int k = 0; k < HTTP_H_COUNT; k++)
		if (h->hdr[k])
			jw_kstr(w, http_header_name(k), h->hdr[k]);
	jw_obj_close(w);
	if (h->body_len >= 0)
		jw_kint(w, "body_len", (long long)h->body_len);
	if (h->peer >= 0) {
		const struct ct_http *p = &m->http[h->peer];

		jw_kuint(w, "peer_pid", p->pid);
		jw_kuint(w, "peer_ts_ns", p->ts);
	}
	if (h->flags & (HTTP_F_RESYNCED | HTTP_F_INCOMPLETE | HTTP_F_PATH_TRUNC | HTTP_F_HDR_TRUNC)) {
		jw_kbool(w, "incomplete", h->flags & HTTP_F_INCOMPLETE);
		jw_kbool(w, "resynced", h->flags & HTTP_F_RESYNCED);
		jw_kbool(w, "truncated", h->flags & (HTTP_F_PATH_TRUNC | HTTP_F_HDR_TRUNC));
	}
	jw_obj_close(w);
}

static void log_json(struct jsonw *w, const struct ct_log *l)
{
	const struct log_event *ev = l->ev;

	jw_obj_open(w);
	jw_kstr(w, "type", "log");
	jw_kuint(w, "ts_ns", l->ts);
	jw_kuint(w, "pid", l->pid);
	jw_kuint(w, "tid", l->tid);
	jw_kuint(w, "fd", l->fd);
	jw_kstr(w, "kind", log_kind_name(ev->kind));
	if (ev->have & LOG_HAVE_REQUEST_ID)
		jw_kstr(w, "request_id", ev->request_id);
	if (ev->have & LOG_HAVE_VERSION)
		jw_kstr(w, "version", ev->version);
	if (ev->have & LOG_HAVE_ARN)
		jw_kstr(w, "arn", ev->arn);
	if (ev->have & LOG_HAVE_INIT_TYPE)
		jw_kstr(w, "init_type", ev->init_type);
	if (ev->have & LOG_HAVE_PHASE)
		jw_kstr(w, "phase", ev->phase);
	if (ev->have & LOG_HAVE_EXT_NAME)
		jw_kstr(w, "ext_name", ev->ext_name);
	if (ev->have & LOG_HAVE_EXT_EVENTS)
		jw_kstr(w, "ext_events", ev->ext_events);
	if (ev->have & LOG_HAVE_STATUS) /* an extension's: its state */
		jw_kstr(w, ev->kind == LOG_EXTENSION ? "state" : "status", ev->status);
	if (ev->have & LOG_HAVE_ERROR_TYPE)
		jw_kstr(w, "error_type", ev->error_type);
	if (ev->have & LOG_HAVE_DURATION)
		jw_kfixed(w, "duration_ms", ev->duration_ms, 3);
	if (ev->have & LOG_HAVE_INIT_DURATION)
		jw_kfixed(w, "init_duration_ms", ev->init_duration_ms, 3);
	if (ev->have & LOG_HAVE_BILLED)
		jw_kfixed(w, "billed_ms", ev->billed_ms, 0);
	if (ev->have & LOG_HAVE_MEMORY)
		jw_kuint(w, "memory_mb", ev->memory_mb);
	if (ev->have & LOG_HAVE_MAX_MEMORY)
		jw_kuint(w, "max_memory_mb", ev->max_memory_mb);
	if (ev->kind == LOG_GO_INIT) {
		jw_kstr(w, "pkg", ev->pkg);
		jw_key(w, "go_at_ms");
		jw_double_g(w, ev->go_at_ms);
		jw_key(w, "go_clock_ms");
		jw_double_g(w, ev->go_clock_ms);
	}
	jw_key(w, "line");
	jw_strn(w, ev->line, ev->line_len);
	if (ev->flags & (LOG_F_TRUNC | LOG_F_INCOMPLETE))
		jw_kbool(w, "truncated", true);
	jw_obj_close(w);
}

static void listen_json(struct jsonw *w, const struct ct_listen_rec *l)
{
	char a[ADDR_MAX];

	ct_endpoint_str(&l->ep, true, a, sizeof(a));
	jw_obj_open(w);
	jw_kstr(w, "type", "listen");
	jw_kuint(w, "ts_ns", l->ts);
	jw_kuint(w, "pid", l->pid);
	jw_kuint(w, "tid", l->tid);
	jw_kstr(w, "addr", a);
	jw_kuint(w, "port", l->ep.lport);
	jw_obj_close(w);
}

/* The I/O records of the three kinds, merged in time order. */
static void io_records(struct jsonw *w, const struct ct_model *m)
{
	size_t h = 0, l = 0, s = 0;

	while (h < m->nhttp || l < m->nlogs || s < m->nlistens) {
		uint64_t th = h < m->nhttp ? m->http[h].ts : UINT64_MAX;
		uint64_t tl = l < m->nlogs ? m->logs[l].ts : UINT64_MAX;
		uint64_t ts = s < m->nlistens ? m->listens[s].ts : UINT64_MAX;

		if (ts <= th && ts <= tl)
			listen_json(w, &m->listens[s++]);
		else if (th <= tl)
			http_json(w, m, &m->http[h++]);
		else
			log_json(w, &m->logs[l++]);
	}
}

static void phase_json(struct jsonw *w, size_t t, const struct ct_timeline *tl, const struct ct_phase *ph)
{
	jw_obj_open(w);
	jw_kstr(w, "type", "phase");
	jw_kuint(w, "sandbox", t);
	jw_kstr(w, "name", ct_phase_key(ph->id));
	jw_kstr(w, "label", ct_phase_name(ph->id));
	if (ph->start)
		jw_kuint(w, "start_ns", ph->start);
	if (ph->end)
		jw_kuint(w, "end_ns", ph->end);
	if (ph->complete)
		jw_kuint(w, "dur_ns", ph->dur);
	jw_kuint(w, "pid", ph->pid);
	jw_kstr(w, "from", ct_ms_key(ph->from));
	jw_kstr(w, "to", ct_ms_key(ph->to));
	jw_kbool(w, "complete", ph->complete);
	jw_kbool(w, "in_sum", ph->in_sum);
	jw_kuint(w, "held_ns", ph->held_ns);
	if (!ct_phase_applies(tl, ph))
		jw_kbool(w, "applies", false); /* cannot happen here: no end to wait for */
	jw_obj_close(w);
}

static void milestone_json(struct jsonw *w, size_t t, enum ct_ms k, const struct ct_milestone *ms)
{
	jw_obj_open(w);
	jw_kstr(w, "type", "milestone");
	jw_kuint(w, "sandbox", t);
	jw_kstr(w, "name", ct_ms_key(k));
	jw_kstr(w, "label", ct_ms_name(k));
	if (ms->state == CT_MS_SEEN) {
		jw_kuint(w, "ts_ns", ms->ts);
		jw_kuint(w, "pid", ms->pid);
	}
	jw_kbool(w, "seen", ms->state == CT_MS_SEEN);
	jw_obj_close(w);
}

/* {"role":"runtime"|"extension","name","pid","ts_ns","by_ns"} */
static void gate_json(struct jsonw *w, const char *key, const struct ct_timeline *tl, const struct ct_gate *g)
{
	char label[CT_EXT_NAME_MAX + 64];
	const char *name = NULL;

	if (!g->known)
		return;
	if (g->is_runtime) {
		if (tl->runtime) {
			ct_proc_label(tl->runtime, label, sizeof(label));
			name = label;
		}
	} else if (g->ext >= 0 && (size_t)g->ext < tl->next) {
		name = tl->ext[g->ext].name;
	}
	jw_key(w, key);
	jw_obj_open(w);
	jw_kstr(w, "role", g->is_runtime ? "runtime" : "extension");
	if (name && name[0])
		jw_kstr(w, "name", name);
	if (g->pid)
		jw_kuint(w, "pid", g->pid);
	if (g->ts)
		jw_kuint(w, "ts_ns", g->ts);
	jw_kuint(w, "by_ns", g->by_ns);
	jw_obj_close(w);
}

static bool gated_by(const struct ct_gate *g, size_t i)
{
	return g->known && !g->is_runtime && g->ext == (long)i;
}

/* A key with a time or figure, left out when 0 (not seen). */
static void kuint_seen(struct jsonw *w, const char *key, uint64_t v)
{
	if (v)
		jw_kuint(w, key, v);
}

static void kstr_seen(struct jsonw *w, const char *key, const char *s)
{
	if (s && s[0])
		jw_kstr(w, key, s);
}

/* How a process ended: "exit_ns", then "exit_code" or "exit_signal". */
static void exit_json(struct jsonw *w, uint64_t ts, int status)
{
	struct ct_wait ex = ct_exit_decode(status);

	jw_kuint(w, "exit_ns", ts);
	jw_kint(w, ex.signaled ? "exit_signal" : "exit_code", ex.value);
}

static void extension_json(struct jsonw *w, size_t t, const struct ct_timeline *tl, size_t i)
{
	const struct ct_extension *e = &tl->ext[i];

	jw_obj_open(w);
	jw_kstr(w, "type", "extension");
	jw_kuint(w, "sandbox", t);
	jw_kuint(w, "index", i);
	jw_kstr(w, "name", e->name);
	kstr_seen(w, "id", e->id);
	jw_kuint(w, "pid", e->pid);
	jw_kstr(w, "state", ct_ext_state_key(e->state));
	jw_kbool(w, "failed", e->failed);
	kstr_seen(w, "error_type", e->error_type);
	kstr_seen(w, "events", e->events);
	kuint_seen(w, "exec_ns", e->exec_ts);
	kuint_seen(w, "go_runtime_ns", e->go_rt_start);
	kuint_seen(w, "go_inits_done_ns", e->go_inits_done);
	kuint_seen(w, "go_main_ns", e->go_main);
	kuint_seen(w, "register_ns", e->register_ts);
	kuint_seen(w, "registered_ns", e->registered_ts);
	if (e->register_status)
		jw_kint(w, "register_status", e->register_status);
	kuint_seen(w, "ready_ns", e->ready_ts);
	kuint_seen(w, "error_ns", e->error_ts);
	if (e->exit_ts)
		exit_json(w, e->exit_ts, e->exit_status);
	jw_key(w, "subscriptions");
	jw_arr_open(w);
	for (size_t k = 0; k < e->nsubs && k < CT_EXT_SUBS_MAX; k++) {
		const struct ct_ext_sub *s = &e->subs[k];

		jw_obj_open(w);
		jw_kstr(w, "api", lambda_api_name(s->api));
		kuint_seen(w, "ts_ns", s->ts);
		kuint_seen(w, "reply_ns", s->reply_ts);
		if (s->status)
			jw_kint(w, "status", s->status);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	kuint_seen(w, "to_register_ns", ct_ext_to_register(e));
	kuint_seen(w, "to_ready_ns", ct_ext_to_ready(e));
	if (e->go_image)
		kuint_seen(w, "go_init_ns", ct_ext_go_init(e));
	jw_kbool(w, "gated_init", gated_by(&tl->init_gate, i));
	jw_kbool(w, "gated_register", gated_by(&tl->register_gate, i));
	jw_obj_close(w);
}

static void timeline_json(struct jsonw *w, size_t t, const struct ct_timeline *tl)
{
	char line[1024];

	jw_obj_open(w);
	jw_kstr(w, "type", "timeline");
	jw_kuint(w, "sandbox", t);
	jw_kuint(w, "agent_pid", tl->agent_pid);
	jw_kuint(w, "runtime_pid", tl->runtime_pid);
	jw_kuint(w, "sender_pid", tl->sender_pid);
	jw_kuint(w, "api_port", tl->api_port);
	jw_kstr(w, "request_id", tl->request_id[0] ? tl->request_id : NULL);
	jw_kbool(w, "complete", tl->complete);
	jw_key(w, "missing");
	jw_arr_open(w);
	for (size_t k = 0; k < tl->nmissing; k++)
		jw_str(w, ct_ms_key(tl->missing[k]));
	jw_arr_close(w);
	if (tl->ph[CT_PH_TOTAL].complete)
		jw_kuint(w, "total_ns", tl->ph[CT_PH_TOTAL].dur);
	if (tl->ph[CT_PH_FUNC_INIT].complete)
		jw_kuint(w, "function_init_ns", tl->ph[CT_PH_FUNC_INIT].dur);
	jw_key(w, "init_report_ms");
	if (tl->have_init_report)
		jw_fixed(w, tl->init_report_ms, 3);
	else
		jw_null(w);
	if (tl->have_report_init)
		jw_kfixed(w, "report_init_duration_ms", tl->report_init_ms, 3);
	if (tl->init_status[0])
		jw_kstr(w, "init_status", tl->init_status);
	jw_kuint(w, "held_ns", tl->held_ns);
	jw_kbool(w, "runtime_guessed", tl->runtime_guessed);
	jw_kbool(w, "agent_from_listener", tl->agent_from_listener);
	jw_kbool(w, "request_id_from_log", tl->request_id_from_log);
	jw_kbool(w, "answered_error", tl->answered_error);
	jw_kuint(w, "extensions", tl->next);
	jw_kuint(w, "extensions_failed", tl->next_failed);
	if (tl->ms[CT_MS_INIT_DONE].state == CT_MS_SEEN)
		jw_kuint(w, "init_done_ns", tl->ms[CT_MS_INIT_DONE].ts);
	gate_json(w, "init_gate", tl, &tl->init_gate);
	gate_json(w, "register_gate", tl, &tl->register_gate);
	ct_gate_sentence(tl, &tl->init_gate, true, line, sizeof(line));
	kstr_seen(w, "init_gate_text", line);
	ct_gate_sentence(tl, &tl->register_gate, false, line, sizeof(line));
	kstr_seen(w, "register_gate_text", line);
	if (tl->note[0])
		jw_kstr(w, "note", tl->note);
	jw_obj_close(w);
}

/* ---- the kernel-level breakdown (breakdown.h) ---- */

static void thread_json(struct jsonw *w, const struct ct_thread *t)
{
	char key[32];

	jw_obj_open(w);
	jw_kstr(w, "type", "thread");
	jw_kuint(w, "pid", t->pid);
	jw_kuint(w, "tid", t->tid);
	jw_kbool(w, "leader", t->leader);
	jw_kbool(w, "dead", t->dead);
	jw_kuint(w, "first_ns", t->first_ts);
	jw_kuint(w, "last_ns", t->last_ts);
	ct_counts_json(w, "run_ns", t->last.run_ns, t->last.min_flt, t->last.maj_flt, t->last.nvcsw, t->last.nivcsw);
	for (unsigned s = 0; s < CT_TS_DEAD; s++) {
		snprintf(key, sizeof(key), "%s_ns", ct_tstate_key(s));
		jw_kuint(w, key, t->state_ns[s]);
	}
	jw_obj_close(w);
}

static void tstate_json(struct jsonw *w, const struct ct_tspan *sp)
{
	jw_obj_open(w);
	jw_kstr(w, "type", "tstate");
	jw_kuint(w, "pid", sp->pid);
	jw_kuint(w, "tid", sp->tid);
	jw_kstr(w, "state", ct_tstate_key(sp->state));
	jw_kuint(w, "start_ns", sp->start);
	jw_kuint(w, "end_ns", sp->end);
	jw_kbool(w, "cut", sp->flags & CT_TSPAN_CUT);
	if (sp->state == CT_TS_RUNNING && (sp->flags & CT_TSPAN_COUNTED))
		ct_counts_json(w, "run_ns", sp->run_ns, sp->min_flt, sp->maj_flt, sp->nvcsw, sp->nivcsw);
	jw_obj_close(w);
}

static void file_json(struct jsonw *w, const struct ct_model *m, const struct ct_file *f)
{
	jw_obj_open(w);
	jw_kstr(w, "type", "file");
	jw_kuint(w, "pid", f->pid);
	jw_kuint(w, "tid", f->tid);
	jw_kuint(w, "ts_ns", f->ts);
	jw_kint(w, "fd", f->fd);
	jw_kuint(w, "flags", f->flags);
	jw_kstr(w, "path", f->path);
	jw_kuint(w, "dev", f->dev);
	jw_kuint(w, "ino", f->ino);
	jw_kuint(w, "size", f->size);
	jw_kuint(w, "read_bytes", f->read_bytes);
	jw_kuint(w, "reads", f->reads);
	jw_kuint(w, "miss_bytes", f->miss_pages * m->page_size);
	jw_obj_close(w);
}

static void kernel_records(struct jsonw *w, const struct ct_model *m)
{
	for (size_t i = 0; i < m->nthreads; i++)
		thread_json(w, &m->threads[i]);
	for (size_t i = 0; i < m->ntspans; i++)
		tstate_json(w, &m->tspans[i]);
	for (size_t i = 0; i < m->nfiles; i++)
		file_json(w, m, &m->files[i]);
}

static void breakdown_json(struct jsonw *w, size_t t, const struct ct_phase *ph, const struct ct_bd *bd)
{
	char line[1024];

	jw_obj_open(w);
	jw_kstr(w, "type", "breakdown");
	jw_kuint(w, "sandbox", t);
	jw_kstr(w, "phase", ct_phase_key(ph->id));
	jw_kstr(w, "scope", ct_bd_scope_key(ct_bd_phase_scope(ph)));
	jw_kuint(w, "start_ns", bd->start);
	jw_kuint(w, "end_ns", bd->end);
	jw_kuint(w, "dur_ns", bd->end - bd->start);
	jw_kbool(w, "sched", !bd->sched_off);
	jw_kbool(w, "files", !bd->files_off);
	jw_kbool(w, "pcache", !bd->pcache_off);
	jw_kbool(w, "complete", !bd->incomplete);
	ct_bd_json_figures(w, bd);
	if (!bd->files_off || !bd->pcache_off) {
		jw_key(w, "top");
		jw_arr_open(w);
		for (size_t i = 0; i < bd->ntop; i++) {
			const struct ct_bd_file *f = &bd->top[i];

			jw_obj_open(w);
			jw_kstr(w, "path", f->path);
			jw_kuint(w, "dev", f->dev);
			jw_kuint(w, "ino", f->ino);
			jw_kuint(w, "read_bytes", f->read_bytes);
			jw_kuint(w, "miss_bytes", f->miss_bytes);
			jw_kuint(w, "bytes", f->bytes);
			jw_obj_close(w);
		}
		jw_arr_close(w);
	}
	ct_bd_summary(bd, ct_phase_name(ph->id), line, sizeof(line));
	jw_kstr(w, "summary", line);
	jw_obj_close(w);
}

/* The breakdown of each complete phase of a timeline that has any of it. */
static void breakdowns_json(struct jsonw *w, const struct ct_model *m, size_t t, const struct ct_timeline *tl)
{
	struct ct_bd bd;

	if (!m->have_sched && !m->have_files && !m->have_pcache)
		return;
	for (int p = 0; p < CT_PH_COUNT; p++) {
		const struct ct_phase *ph = &tl->ph[p];

		if (!ph->complete || !ct_phase_applies(tl, ph))
			continue;
		if (!ct_bd_phase(m, tl, ph, &bd) && bd.valid)
			breakdown_json(w, t, ph, &bd);
	}
}

void ct_jsonl_timeline(struct jsonw *w, const struct ct_model *m, size_t t, const struct ct_timeline *tl)
{
	for (int p = 0; p < CT_PH_COUNT; p++)
		phase_json(w, t, tl, &tl->ph[p]);
	for (int k = 0; k < CT_MS_COUNT; k++)
		if (tl->ms[k].state != CT_MS_NA)
			milestone_json(w, t, (enum ct_ms)k, &tl->ms[k]);
	for (size_t i = 0; tl->ext && i < tl->next; i++)
		extension_json(w, t, tl, i);
	timeline_json(w, t, tl);
	breakdowns_json(w, m, t, tl);
}

/* The cold-start timeline of each sandbox (phases.h). */
static void timelines_json(struct jsonw *w, const struct ct_model *m)
{
	struct ct_timelines tls;

	if (ct_timelines_build(m, &tls))
		return;
	for (size_t t = 0; t < tls.n; t++)
		ct_jsonl_timeline(w, m, t, &tls.v[t]);
	ct_timelines_free(&tls);
}

static void header_json(struct jsonw *w, const struct ct_model *m, const struct ct_render_opts *o)
{
	char cmd[CT_CMDLINE_MAX + 64];

	jw_obj_open(w);
	jw_kstr(w, "type", "header");
	jw_kstr(w, "schema", CT_JSONL_SCHEMA);
	jw_kstr(w, "version", COLDTRACE_VERSION);
	jw_kstr(w, "clock", "monotonic");
	jw_kuint(w, "realtime_offset_ns", o ? o->realtime_offset_ns : 0);
	jw_kstr(w, "command", o && o->command ? ct_redact_cmdline(o->command, cmd, sizeof(cmd)) : NULL);
	jw_kuint(w, "root_pid", m->root_pid);
	jw_obj_close(w);
}

static void process_json(struct jsonw *w, const struct ct_proc *p)
{
	jw_obj_open(w);
	jw_kstr(w, "type", "process");
	jw_kuint(w, "pid", p->pid);
	jw_kuint(w, "ppid", p->ppid);
	jw_kuint(w, "nspid", p->nspid);
	jw_kbool(w, "root", p->is_root);
	jw_kuint(w, "start_ns", p->start_ts);
	if (p->exited)
		exit_json(w, p->exit_ts, p->exit_status);
	if (p->nthreads) {
		ct_counts_json(w, "run_ns", p->sum.run_ns, p->sum.min_flt, p->sum.maj_flt, p->sum.nvcsw, p->sum.nivcsw);
		jw_kuint(w, "threads", p->nthreads);
		jw_kuint(w, "dead_nonleader", p->dead_nonleader);
		jw_kuint(w, "runnable_ns", p->runnable_ns);
		jw_kuint(w, "unqueued_ns", p->unqueued_ns);
	}
	jw_obj_close(w);
}

static void exec_json(struct jsonw *w, const struct ct_model *m, const struct ct_proc *p,
		      const struct ct_image *im)
{
	jw_obj_open(w);
	jw_kstr(w, "type", "exec");
	jw_kuint(w, "pid", p->pid);
	jw_kuint(w, "ts_ns", im->exec_ts);
	jw_kstr(w, "path", im->path);
	jw_kstr(w, "comm", im->comm);
	jw_key(w, "argv");
	argv_json(w, im);
	if (im->argv_truncated)
		jw_kbool(w, "argv_truncated", true);
	if (im->held_ns)
		jw_kuint(w, "held_ns", im->held_ns);
	if (im->is_go)
		jw_kstr(w, "go_version", im->go_version[0] ? im->go_version : NULL);
	if (im->go_note[0])
		jw_kstr(w, "note", im->go_note);
	if (im->is_python) {
		kstr_seen(w, "py_version", im->py_version);
		kstr_seen(w, "py_note", im->py_note);
	}
	if (im->dev || im->ino) {
		jw_kuint(w, "dev", im->dev);
		jw_kuint(w, "ino", im->ino);
	}
	if (im->exec_miss_pages) {
		jw_kuint(w, "exec_miss_bytes", im->exec_miss_pages * m->page_size);
		jw_kuint(w, "exec_miss_first_ns", im->exec_miss_first);
	}
	jw_obj_close(w);
}

/* A record of a moment of a process: {"type":TYPE,"pid":..,"ts_ns":..}. */
static void instant_json(struct jsonw *w, const char *type, uint32_t pid, uint64_t ts)
{
	jw_obj_open(w);
	jw_kstr(w, "type", type);
	jw_kuint(w, "pid", pid);
	jw_kuint(w, "ts_ns", ts);
	jw_obj_close(w);
}

static void go_init_json(struct jsonw *w, const struct ct_proc *p, const struct ct_image *im, size_t k)
{
	const struct ct_pkginit *pk = &im->pkgs[k];
	struct ct_bd_pkg bd;

	jw_obj_open(w);
	jw_kstr(w, "type", "go_init");
	jw_kuint(w, "pid", p->pid);
	jw_kuint(w, "seq", k);
	jw_kstr(w, "pkg", pk->pkg);
	jw_kuint(w, "start_ns", pk->start);
	jw_kuint(w, "nfns", pk->nfns);
	if (pk->end) {
		jw_kuint(w, "end_ns", pk->end);
		jw_kuint(w, "clock_ns", pk->end - pk->start);
	}
	if (im->rt_start && pk->start >= im->rt_start)
		jw_kuint(w, "at_ns", pk->start - im->rt_start);
	if (pk->allocs_counted) { /* --allocs; absent: not counted */
		jw_kuint(w, "bytes", pk->bytes);
		jw_kuint(w, "allocs", pk->allocs);
		jw_kuint(w, "tiny_allocs", pk->tiny);
	}
	if (ct_bd_pkginit(pk, &bd)) {
		jw_kuint(w, "tid", bd.tid);
		ct_counts_json(w, "cpu_ns", bd.cpu_ns, bd.min_flt, bd.maj_flt, bd.nvcsw, bd.nivcsw);
	}
	jw_obj_close(w);
}

static void py_import_json(struct jsonw *w, const struct ct_proc *p, const struct ct_image *im, size_t k)
{
	const struct ct_pyimport *pi = &im->pyimports[k];
	struct ct_counts c;

	jw_obj_open(w);
	jw_kstr(w, "type", "py_import");
	jw_kuint(w, "pid", p->pid);
	jw_kuint(w, "tid", pi->tid);
	jw_kuint(w, "seq", k);
	jw_kstr(w, "module", pi->name);
	jw_kuint(w, "level", pi->level);
	if (pi->parent >= 0)
		jw_kuint(w, "parent", (uint64_t)pi->parent);
	jw_kuint(w, "start_ns", pi->start);
	if (pi->end) {
		jw_kuint(w, "end_ns", pi->end);
		jw_kuint(w, "cum_ns", ct_pyimport_cum(pi));
		jw_kuint(w, "self_ns", ct_pyimport_self(pi));
		jw_kuint(w, "end_seq", pi->end_seq);
	}
	if (pi->name_cut)
		jw_kbool(w, "name_cut", true);
	if (ct_bd_pyimport(pi, &c))
		ct_counts_json(w, "cpu_ns", c.run_ns, c.min_flt, c.maj_flt, c.nvcsw, c.nivcsw);
	jw_obj_close(w);
}

static void summary_json(struct jsonw *w, const struct ct_model *m)
{
	uint64_t lost = ct_model_lost_total(m);

	jw_obj_open(w);
	jw_kstr(w, "type", "summary");
	jw_key(w, "lost");
	jw_obj_open(w);
	for (uint32_t t = 1; t < CT_EV_MAX; t++)
		jw_kuint(w, ct_event_name(t), m->lost[t]);
	jw_obj_close(w);
	jw_kuint(w, "lost_total", lost);
	jw_kuint(w, "bad_events", m->bad_events);
	jw_kuint(w, "unpaired", m->unpaired);
	jw_kuint(w, "bad_tasks", m->bad_tasks);
	jw_kuint(w, "dropped_records", m->dropped_records);
	jw_kuint(w, "dropped_over_budget", m->dropped_budget);
	jw_kuint(w, "memory_budget", ct_model_budget(m));
	jw_kuint(w, "io_events", m->io_events);
	jw_kuint(w, "io_bytes", m->io_bytes);
	jw_kuint(w, "io_bytes_not_captured", m->io_bytes_lost);
	jw_kuint(w, "http_desyncs", m->http_desyncs);
	jw_kbool(w, "sched", m->have_sched);
	jw_kbool(w, "files", m->have_files);
	jw_kbool(w, "pcache", m->have_pcache);
	jw_kuint(w, "sched_events", m->sched_events);
	jw_kuint(w, "sched_late", m->sched_late);
	jw_kuint(w, "sched_gaps", m->sched_gaps);
	jw_kuint(w, "dropped_sched", m->dropped_sched);
	jw_kuint(w, "dropped_files", m->dropped_files);
	jw_kbool(w, "complete", !lost && !m->dropped_records);
	jw_obj_close(w);
}

void ct_render_jsonl(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o)
{
	struct jsonw w;

	jw_init(&w, out);
	header_json(&w, m, o);
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct ct_proc *p = &m->procs[i];

		process_json(&w, p);
		for (size_t j = 0; j < p->nimages; j++) {
			const struct ct_image *im = &p->images[j];

			if (im->exec_ts)
				exec_json(&w, m, p, im);
			if (im->is_go) {
				if (im->rt_start)
					instant_json(&w, "go_runtime", p->pid, im->rt_start);
				for (size_t k = 0; k < im->npkgs; k++)
					go_init_json(&w, p, im, k);
				if (im->main_main)
					instant_json(&w, "go_main", p->pid, im->main_main);
			}
			for (size_t k = 0; k < im->npyimports; k++)
				py_import_json(&w, p, im, k);
		}
	}
	io_records(&w, m);
	kernel_records(&w, m);
	timelines_json(&w, m);
	if (m->acct)
		ct_acct_jsonl(m, m->acct, &w);
	summary_json(&w, m);
}
