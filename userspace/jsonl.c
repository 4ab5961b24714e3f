// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The model as JSON lines (schema "coldtrace/1", documented in README.md).
 * Times are CLOCK_MONOTONIC nanoseconds; the header carries the offset to
 * wall-clock time. One object per line, in this order: header, then per
 * process: "process", its "exec"s, each Go image's "go_runtime",
 * "go_init" (in the order Go ran them) and "go_main"; last "summary".
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

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

void ct_render_jsonl(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o)
{
	uint64_t lost = 0;

	sb_printf(out, "{\"type\":\"header\",\"schema\":\"coldtrace/1\",\"version\":\"%s\",\"clock\":\"monotonic\",\"realtime_offset_ns\":%llu,\"command\":",
		  COLDTRACE_VERSION, (unsigned long long)(o ? o->realtime_offset_ns : 0));
	sb_json_str(out, o && o->command ? o->command : NULL);
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
	sb_puts(out, "{\"type\":\"summary\",\"lost\":{");
	for (int t = 1; t < CT_EV_MAX; t++) {
		sb_printf(out, "%s\"%s\":%llu", t > 1 ? "," : "", event_name(t),
			  (unsigned long long)m->lost[t]);
		lost += m->lost[t];
	}
	sb_printf(out, "},\"lost_total\":%llu,\"bad_events\":%llu,\"unpaired\":%llu,\"complete\":%s}\n",
		  (unsigned long long)lost, (unsigned long long)m->bad_events,
		  (unsigned long long)m->unpaired, lost ? "false" : "true");
}
