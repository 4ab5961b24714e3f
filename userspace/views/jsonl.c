// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The model as JSON lines (schema "coldtrace/1", documented in README.md).
 * Times are CLOCK_MONOTONIC nanoseconds; the header carries the offset to
 * wall-clock time. One object per line, in this order: header, then per
 * process: "process", its "exec"s, each Go image's "go_runtime",
 * "go_init" (in the order Go ran them) and "go_main"; the I/O records; per
 * sandbox (phases.h) its "phase", "milestone" and "timeline" records; last
 * "summary".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "phases.h"
#include "redact.h"
#include "render.h"

static const char *event_name(int t)
{
	switch (t) {
	case CT_EV_EXEC: return "exec";
	case CT_EV_FORK: return "fork";
	case CT_EV_EXIT: return "exit";
	case CT_EV_GO: return "go";
	case CT_EV_IO: return "io";
	case CT_EV_LISTEN: return "listen";
	case CT_EV_RESUME: return "resume";
	}
	return "other";
}

static void argv_json(struct strbuf *out, const struct ct_image *im)
{
	size_t i = 0;
	bool first = true;

	sb_putc(out, '[');
	while (im->argv && i < im->argv_len) {
		size_t n = strnlen(im->argv + i, im->argv_len - i);

		if (!first)
			sb_putc(out, ',');
		sb_json_strn(out, im->argv + i, n);
		first = false;
		i += n + 1;
	}
	sb_putc(out, ']');
}

static void http_json(struct strbuf *out, const struct ct_model *m, const struct ct_http *h)
{
	char l[64], r[64];
	bool first = true;

	ct_endpoint_str(&h->ep, true, l, sizeof(l));
	ct_endpoint_str(&h->ep, false, r, sizeof(r));
	sb_printf(out, "{\"type\":\"http\",\"ts_ns\":%llu,\"head_ns\":%llu,\"pid\":%u,\"tid\":%u,\"dir\":\"%s\",\"kind\":\"%s\"",
		  (unsigned long long)h->ts, (unsigned long long)h->ts_head, h->pid, h->tid,
		  h->dir == CT_IO_WRITE ? "send" : "recv", h->kind == HTTP_REQUEST ? "request" : "response");
	if (h->kind == HTTP_REQUEST) {
		sb_printf(out, ",\"method\":\"%s\",\"path\":", http_method_name(h->method));
		sb_json_str(out, h->path);
		sb_printf(out, ",\"api\":\"%s\"", lambda_api_name(h->api));
		if (h->api_id[0]) {
			sb_puts(out, ",\"api_id\":");
			sb_json_str(out, h->api_id);
		}
	} else {
		sb_printf(out, ",\"status\":%d,\"reason\":", h->status);
		sb_json_str(out, h->reason);
	}
	sb_printf(out, ",\"local\":\"%s\",\"remote\":\"%s\",\"sock\":\"%llx\",\"stream_index\":%u,\"headers\":{",
		  l, r, (unsigned long long)h->ep.sock_id, h->index);
	for (int k = 0; k < HTTP_H_COUNT; k++) {
		if (!h->hdr[k])
			continue;
		if (!first)
			sb_putc(out, ',');
		first = false;
		sb_json_str(out, http_header_name(k));
		sb_putc(out, ':');
		sb_json_str(out, h->hdr[k]);
	}
	sb_putc(out, '}');
	if (h->body_len >= 0)
		sb_printf(out, ",\"body_len\":%lld", (long long)h->body_len);
	if (h->peer >= 0) {
		const struct ct_http *p = &m->http[h->peer];

		sb_printf(out, ",\"peer_pid\":%u,\"peer_ts_ns\":%llu", p->pid, (unsigned long long)p->ts);
	}
	if (h->flags & (HTTP_F_RESYNCED | HTTP_F_INCOMPLETE | HTTP_F_PATH_TRUNC | HTTP_F_HDR_TRUNC))
		sb_printf(out, ",\"incomplete\":%s,\"resynced\":%s,\"truncated\":%s",
			  h->flags & HTTP_F_INCOMPLETE ? "true" : "false",
			  h->flags & HTTP_F_RESYNCED ? "true" : "false",
			  h->flags & (HTTP_F_PATH_TRUNC | HTTP_F_HDR_TRUNC) ? "true" : "false");
	sb_puts(out, "}\n");
}

static void str_field(struct strbuf *out, const char *name, const char *v)
{
	sb_printf(out, ",\"%s\":", name);
	sb_json_str(out, v);
}

static void log_json(struct strbuf *out, const struct ct_log *l)
{
	const struct log_event *ev = l->ev;

	sb_printf(out, "{\"type\":\"log\",\"ts_ns\":%llu,\"pid\":%u,\"tid\":%u,\"fd\":%u,\"kind\":\"%s\"",
		  (unsigned long long)l->ts, l->pid, l->tid, l->fd, log_kind_name(ev->kind));
	if (ev->have & LOG_HAVE_REQUEST_ID)
		str_field(out, "request_id", ev->request_id);
	if (ev->have & LOG_HAVE_VERSION)
		str_field(out, "version", ev->version);
	if (ev->have & LOG_HAVE_ARN)
		str_field(out, "arn", ev->arn);
	if (ev->have & LOG_HAVE_INIT_TYPE)
		str_field(out, "init_type", ev->init_type);
	if (ev->have & LOG_HAVE_PHASE)
		str_field(out, "phase", ev->phase);
	if (ev->have & LOG_HAVE_STATUS)
		str_field(out, "status", ev->status);
	if (ev->have & LOG_HAVE_ERROR_TYPE)
		str_field(out, "error_type", ev->error_type);
	if (ev->have & LOG_HAVE_DURATION)
		sb_printf(out, ",\"duration_ms\":%.3f", ev->duration_ms);
	if (ev->have & LOG_HAVE_INIT_DURATION)
		sb_printf(out, ",\"init_duration_ms\":%.3f", ev->init_duration_ms);
	if (ev->have & LOG_HAVE_BILLED)
		sb_printf(out, ",\"billed_ms\":%.0f", ev->billed_ms);
	if (ev->have & LOG_HAVE_MEMORY)
		sb_printf(out, ",\"memory_mb\":%llu", (unsigned long long)ev->memory_mb);
	if (ev->have & LOG_HAVE_MAX_MEMORY)
		sb_printf(out, ",\"max_memory_mb\":%llu", (unsigned long long)ev->max_memory_mb);
	if (ev->kind == LOG_GO_INIT) {
		str_field(out, "pkg", ev->pkg);
		sb_printf(out, ",\"go_at_ms\":%g,\"go_clock_ms\":%g", ev->go_at_ms, ev->go_clock_ms);
	}
	sb_puts(out, ",\"line\":");
	sb_json_strn(out, ev->line, ev->line_len);
	if (ev->flags & (LOG_F_TRUNC | LOG_F_INCOMPLETE))
		sb_puts(out, ",\"truncated\":true");
	sb_puts(out, "}\n");
}

static void listen_json(struct strbuf *out, const struct ct_listen_rec *l)
{
	char a[64];

	ct_endpoint_str(&l->ep, true, a, sizeof(a));
	sb_printf(out, "{\"type\":\"listen\",\"ts_ns\":%llu,\"pid\":%u,\"tid\":%u,\"addr\":\"%s\",\"port\":%u}\n",
		  (unsigned long long)l->ts, l->pid, l->tid, a, l->ep.lport);
}

/* The I/O records of the three kinds, merged in time order. */
static void io_records(struct strbuf *out, const struct ct_model *m)
{
	size_t h = 0, l = 0, s = 0;

	while (h < m->nhttp || l < m->nlogs || s < m->nlistens) {
		uint64_t th = h < m->nhttp ? m->http[h].ts : UINT64_MAX;
		uint64_t tl = l < m->nlogs ? m->logs[l].ts : UINT64_MAX;
		uint64_t ts = s < m->nlistens ? m->listens[s].ts : UINT64_MAX;

		if (ts <= th && ts <= tl)
			listen_json(out, &m->listens[s++]);
		else if (th <= tl)
			http_json(out, m, &m->http[h++]);
		else
			log_json(out, &m->logs[l++]);
	}
}

/* The cold-start timeline of each sandbox (phases.h). */
static void timelines_json(struct strbuf *out, const struct ct_model *m)
{
	struct ct_timelines tls;

	if (ct_timelines_build(m, &tls))
		return;
	for (size_t t = 0; t < tls.n; t++) {
		const struct ct_timeline *tl = &tls.v[t];

		for (int p = 0; p < CT_PH_COUNT; p++) {
			const struct ct_phase *ph = &tl->ph[p];

			sb_printf(out, "{\"type\":\"phase\",\"sandbox\":%zu,\"name\":\"%s\",\"label\":", t,
				  ct_phase_key(ph->id));
			sb_json_str(out, ct_phase_name(ph->id));
			if (ph->start)
				sb_printf(out, ",\"start_ns\":%llu", (unsigned long long)ph->start);
			if (ph->end)
				sb_printf(out, ",\"end_ns\":%llu", (unsigned long long)ph->end);
			if (ph->complete)
				sb_printf(out, ",\"dur_ns\":%llu", (unsigned long long)ph->dur);
			sb_printf(out, ",\"pid\":%u,\"from\":\"%s\",\"to\":\"%s\",\"complete\":%s,\"in_sum\":%s,\"held_ns\":%llu}\n",
				  ph->pid, ct_ms_key(ph->from), ct_ms_key(ph->to), ph->complete ? "true" : "false",
				  ph->in_sum ? "true" : "false", (unsigned long long)ph->held_ns);
		}
		for (int k = 0; k < CT_MS_COUNT; k++) {
			const struct ct_milestone *ms = &tl->ms[k];

			if (ms->state == CT_MS_NA)
				continue;
			sb_printf(out, "{\"type\":\"milestone\",\"sandbox\":%zu,\"name\":\"%s\",\"label\":", t,
				  ct_ms_key((enum ct_ms)k));
			sb_json_str(out, ct_ms_name((enum ct_ms)k));
			if (ms->state == CT_MS_SEEN)
				sb_printf(out, ",\"ts_ns\":%llu,\"pid\":%u,\"seen\":true}\n",
					  (unsigned long long)ms->ts, ms->pid);
			else
				sb_puts(out, ",\"seen\":false}\n");
		}
		sb_printf(out, "{\"type\":\"timeline\",\"sandbox\":%zu,\"agent_pid\":%u,\"runtime_pid\":%u,\"sender_pid\":%u,\"api_port\":%u,\"request_id\":",
			  t, tl->agent_pid, tl->runtime_pid, tl->sender_pid, tl->api_port);
		sb_json_str(out, tl->request_id[0] ? tl->request_id : NULL);
		sb_printf(out, ",\"complete\":%s,\"missing\":[", tl->complete ? "true" : "false");
		for (size_t k = 0; k < tl->nmissing; k++)
			sb_printf(out, "%s\"%s\"", k ? "," : "", ct_ms_key(tl->missing[k]));
		sb_puts(out, "]");
		if (tl->ph[CT_PH_TOTAL].complete)
			sb_printf(out, ",\"total_ns\":%llu", (unsigned long long)tl->ph[CT_PH_TOTAL].dur);
		if (tl->ph[CT_PH_FUNC_INIT].complete)
			sb_printf(out, ",\"function_init_ns\":%llu", (unsigned long long)tl->ph[CT_PH_FUNC_INIT].dur);
		if (tl->have_init_report)
			sb_printf(out, ",\"init_report_ms\":%.3f", tl->init_report_ms);
		else
			sb_puts(out, ",\"init_report_ms\":null");
		if (tl->have_report_init)
			sb_printf(out, ",\"report_init_duration_ms\":%.3f", tl->report_init_ms);
		if (tl->init_status[0]) {
			sb_puts(out, ",\"init_status\":");
			sb_json_str(out, tl->init_status);
		}
		sb_printf(out, ",\"held_ns\":%llu,\"runtime_guessed\":%s,\"agent_from_listener\":%s,\"request_id_from_log\":%s,\"answered_error\":%s",
			  (unsigned long long)tl->held_ns, tl->runtime_guessed ? "true" : "false",
			  tl->agent_from_listener ? "true" : "false", tl->request_id_from_log ? "true" : "false",
			  tl->answered_error ? "true" : "false");
		if (tl->note[0]) {
			sb_puts(out, ",\"note\":");
			sb_json_str(out, tl->note);
		}
		sb_puts(out, "}\n");
	}
	ct_timelines_free(&tls);
}

void ct_render_jsonl(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o)
{
	char cmd[CT_CMDLINE_MAX + 64];
	uint64_t lost = 0;

	sb_printf(out, "{\"type\":\"header\",\"schema\":\"coldtrace/1\",\"version\":\"%s\",\"clock\":\"monotonic\",\"realtime_offset_ns\":%llu,\"command\":",
		  COLDTRACE_VERSION, (unsigned long long)(o ? o->realtime_offset_ns : 0));
	sb_json_str(out, o && o->command ? ct_redact_cmdline(o->command, cmd, sizeof(cmd)) : NULL);
	sb_printf(out, ",\"root_pid\":%u}\n", m->root_pid);

	for (size_t i = 0; i < m->nprocs; i++) {
		const struct ct_proc *p = &m->procs[i];

		sb_printf(out, "{\"type\":\"process\",\"pid\":%u,\"ppid\":%u,\"nspid\":%u,\"root\":%s,\"start_ns\":%llu",
			  p->pid, p->ppid, p->nspid, p->is_root ? "true" : "false",
			  (unsigned long long)p->start_ts);
		if (p->exited) {
			sb_printf(out, ",\"exit_ns\":%llu", (unsigned long long)p->exit_ts);
			if (WIFSIGNALED(p->exit_status))
				sb_printf(out, ",\"exit_signal\":%d", WTERMSIG(p->exit_status));
			else
				sb_printf(out, ",\"exit_code\":%d", WEXITSTATUS(p->exit_status));
		}
		sb_puts(out, "}\n");

		for (size_t j = 0; j < p->nimages; j++) {
			const struct ct_image *im = &p->images[j];

			if (im->exec_ts) {
				sb_printf(out, "{\"type\":\"exec\",\"pid\":%u,\"ts_ns\":%llu,\"path\":", p->pid,
					  (unsigned long long)im->exec_ts);
				sb_json_str(out, im->path);
				sb_puts(out, ",\"comm\":");
				sb_json_str(out, im->comm);
				sb_puts(out, ",\"argv\":");
				argv_json(out, im);
				if (im->argv_truncated)
					sb_puts(out, ",\"argv_truncated\":true");
				if (im->held_ns)
					sb_printf(out, ",\"held_ns\":%llu", (unsigned long long)im->held_ns);
				if (im->is_go) {
					sb_puts(out, ",\"go_version\":");
					sb_json_str(out, im->go_version[0] ? im->go_version : NULL);
				}
				if (im->go_note[0]) {
					sb_puts(out, ",\"note\":");
					sb_json_str(out, im->go_note);
				}
				sb_puts(out, "}\n");
			}
			if (!im->is_go)
				continue;
			if (im->rt_start)
				sb_printf(out, "{\"type\":\"go_runtime\",\"pid\":%u,\"ts_ns\":%llu}\n", p->pid,
					  (unsigned long long)im->rt_start);
			for (size_t k = 0; k < im->npkgs; k++) {
				const struct ct_pkginit *pk = &im->pkgs[k];

				sb_printf(out, "{\"type\":\"go_init\",\"pid\":%u,\"seq\":%zu,\"pkg\":", p->pid, k);
				sb_json_str(out, pk->pkg);
				sb_printf(out, ",\"start_ns\":%llu,\"nfns\":%u", (unsigned long long)pk->start,
					  pk->nfns);
				if (pk->end)
					sb_printf(out, ",\"end_ns\":%llu,\"clock_ns\":%llu",
						  (unsigned long long)pk->end,
						  (unsigned long long)(pk->end - pk->start));
				if (im->rt_start && pk->start >= im->rt_start)
					sb_printf(out, ",\"at_ns\":%llu",
						  (unsigned long long)(pk->start - im->rt_start));
				sb_puts(out, "}\n");
			}
			if (im->main_main)
				sb_printf(out, "{\"type\":\"go_main\",\"pid\":%u,\"ts_ns\":%llu}\n", p->pid,
					  (unsigned long long)im->main_main);
		}
	}
	io_records(out, m);
	timelines_json(out, m);
	sb_puts(out, "{\"type\":\"summary\",\"lost\":{");
	for (int t = 1; t < CT_EV_MAX; t++) {
		sb_printf(out, "%s\"%s\":%llu", t > 1 ? "," : "", event_name(t),
			  (unsigned long long)m->lost[t]);
		lost += m->lost[t];
	}
	sb_printf(out, "},\"lost_total\":%llu,\"bad_events\":%llu,\"unpaired\":%llu,\"bad_tasks\":%llu,\"dropped_records\":%llu,\"dropped_over_budget\":%llu,\"memory_budget\":%llu,\"io_events\":%llu,\"io_bytes\":%llu,\"io_bytes_not_captured\":%llu,\"http_desyncs\":%llu,\"complete\":%s}\n",
		  (unsigned long long)lost, (unsigned long long)m->bad_events,
		  (unsigned long long)m->unpaired, (unsigned long long)m->bad_tasks,
		  (unsigned long long)m->dropped_records, (unsigned long long)m->dropped_budget,
		  (unsigned long long)ct_model_budget(m),
		  (unsigned long long)m->io_events, (unsigned long long)m->io_bytes,
		  (unsigned long long)m->io_bytes_lost, (unsigned long long)m->http_desyncs,
		  lost || m->dropped_records ? "false" : "true");
}
