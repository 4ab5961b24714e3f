// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * One HTML report of a run (issue 17): a single self-contained file that
 * loads nothing (htmlpage.h). The cold start's summary, the svg view's
 * picture inline (ct_render_svg_tls, as it is) with zoom on its time axis,
 * then sortable tables of what the model has: per sandbox its phases,
 * milestones and extensions; the processes; every Go package init; every
 * CPython module load (when there are any); every HTTP message head; every
 * log line. Hovering a row shows its details; hovering the picture, the
 * tooltips the svg view gives its bars. Times: ms from the trace's start
 * (as in the picture), Go inits and module loads from their image's exec
 * (after coldtrace's hold, as the text view counts them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakdown.h"
#include "exitstatus.h"
#include "htmlpage.h"
#include "phases.h"
#include "redact.h"
#include "render.h"

#define MORE "-f jsonl" /* where every row is when a table is cut */

struct page {
	struct strbuf *out;
	const struct ct_model *m;
	const struct ct_timelines *tls;
};

/* ns since the trace's first event (0 for a time before it). */
static uint64_t rel(const struct page *pg, uint64_t ts)
{
	return ts > pg->m->first_ts ? ts - pg->m->first_ts : 0;
}

static void td_at(struct hp_table *t, const struct page *pg, uint64_t ts)
{
	if (ts)
		hp_td_ms(t, rel(pg, ts));
	else
		hp_td_none(t);
}

/* A duration from a to b, "-" unless both are known and in order. */
static void td_span(struct hp_table *t, uint64_t a, uint64_t b)
{
	if (a && b >= a)
		hp_td_ms(t, b - a);
	else
		hp_td_none(t);
}

/* A duration, "-" when 0 (not seen). */
static void td_seen(struct hp_table *t, uint64_t ns)
{
	if (ns)
		hp_td_ms(t, ns);
	else
		hp_td_none(t);
}

/* ---- the head: what ran, the cold start in a sentence ---- */

static void summary(struct page *pg, const struct ct_render_opts *o)
{
	char cmd[CT_CMDLINE_MAX + 64], line[1024];

	sb_puts(pg->out, "<h1>coldtrace: where the cold start went</h1>\n");
	hp_para(pg->out, "cmd",
		o && o->command ? ct_redact_cmdline(o->command, cmd, sizeof(cmd)) : "");
	if (!pg->tls->n)
		hp_para(pg->out, "warn",
			"no cold start found (no Runtime API /next, no INIT_START)");
	for (size_t i = 0; i < pg->tls->n; i++) {
		const struct ct_timeline *tl = &pg->tls->v[i];
		const struct ct_phase *tot = &tl->ph[CT_PH_TOTAL];
		int n = 0;

		if (pg->tls->n > 1)
			n = snprintf(line, sizeof(line), "sandbox %zu: ", i);
		if (tot->complete && tl->complete)
			snprintf(line + n, sizeof(line) - (size_t)n,
				 "cold start %.3f ms (agent exec -> first response), function init "
				 "%.3f ms%s%s",
				 (double)tot->dur / 1e6, (double)tl->ph[CT_PH_FUNC_INIT].dur / 1e6,
				 tl->request_id[0] ? ", request " : "", tl->request_id);
		else
			snprintf(line + n, sizeof(line) - (size_t)n, "INCOMPLETE cold start: %s",
				 tl->note[0] ? tl->note : "see the phases");
		hp_para(pg->out, tot->complete && tl->complete ? "sum" : "warn", line);
		ct_gate_sentence(tl, &tl->init_gate, true, line, sizeof(line));
		if (line[0])
			hp_para(pg->out, "sum", line);
	}
	if (pg->m->dropped_records || pg->m->bad_events) {
		snprintf(line, sizeof(line),
			 "the trace is incomplete: %llu records not kept, %llu malformed",
			 (unsigned long long)pg->m->dropped_records,
			 (unsigned long long)pg->m->bad_events);
		hp_para(pg->out, "warn", line);
	}
	sb_puts(pg->out,
		"<nav><a href=\"#timeline\">timeline</a><a href=\"#phases\">phases</a>"
		"<a href=\"#processes\">processes</a><a href=\"#pkginits\">Go package inits</a>");
	if (ct_model_py_images(pg->m))
		sb_puts(pg->out, "<a href=\"#pyimports\">Python imports</a>");
	sb_puts(pg->out, "<a href=\"#http\">HTTP</a><a href=\"#logs\">log lines</a></nav>\n");
}

/* ---- per sandbox: phases, milestones, extensions ---- */

static void phases(struct page *pg)
{
	static const struct hp_col cols[] = {
		{"sandbox", HP_NUM, NULL},
		{"phase", HP_TEXT, NULL},
		{"from", HP_TEXT, "the milestone it starts at"},
		{"to", HP_TEXT, "the milestone it ends at"},
		{"start ms", HP_NUM, "from the trace's start"},
		{"duration ms", HP_NUM, NULL},
		{"held ms", HP_NUM, "of it, coldtrace held new binaries stopped to attach probes"},
		{"pid", HP_NUM, "whose phase it is"},
		{"adds up", HP_TEXT, "one of the consecutive phases that make up the total"},
	};
	struct hp_table t;

	hp_table_begin(&t, pg->out, "phases", cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < pg->tls->n; i++) {
		const struct ct_timeline *tl = &pg->tls->v[i];

		for (int k = 0; k < CT_PH_COUNT; k++) {
			const struct ct_phase *ph = &tl->ph[k];
			char tip[256];

			if (!ct_phase_applies(tl, ph))
				continue;
			snprintf(tip, sizeof(tip), "%s: %s -> %s%s", ct_phase_name(ph->id),
				 ct_ms_name(ph->from), ct_ms_name(ph->to),
				 ph->complete ? "" : " (an end was not seen)");
			hp_tr(&t, tip);
			hp_td_u64(&t, i);
			hp_td(&t, ct_phase_name(ph->id));
			hp_td(&t, ct_ms_name(ph->from));
			hp_td(&t, ct_ms_name(ph->to));
			td_at(&t, pg, ph->start);
			if (ph->complete)
				hp_td_ms(&t, ph->dur);
			else
				hp_td_none(&t);
			hp_td_ms(&t, ph->held_ns);
			hp_td_u64(&t, ph->pid);
			hp_td(&t, ph->in_sum ? "yes" : "");
		}
	}
	hp_table_end(&t, "Phases", NULL);
}

static void milestones(struct page *pg)
{
	static const struct hp_col cols[] = {
		{"sandbox", HP_NUM, NULL},
		{"milestone", HP_TEXT, NULL},
		{"at ms", HP_NUM, "from the trace's start"},
		{"pid", HP_NUM, "who did it"},
	};
	struct hp_table t;

	hp_table_begin(&t, pg->out, "milestones", cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < pg->tls->n; i++)
		for (int k = 0; k < CT_MS_COUNT; k++) {
			const struct ct_milestone *ms = &pg->tls->v[i].ms[k];

			if (ms->state == CT_MS_NA)
				continue;
			hp_tr(&t, ms->state == CT_MS_MISSING ? "expected, not seen" : NULL);
			hp_td_u64(&t, i);
			hp_td(&t, ct_ms_name((enum ct_ms)k));
			if (ms->state == CT_MS_SEEN) {
				td_at(&t, pg, ms->ts);
				hp_td_u64(&t, ms->pid);
			} else {
				hp_td_none(&t);
				hp_td_none(&t);
			}
		}
	hp_table_end(&t, "Milestones", NULL);
}

static void extensions(struct page *pg)
{
	static const struct hp_col cols[] = {
		{"sandbox", HP_NUM, NULL},
		{"extension", HP_TEXT, NULL},
		{"pid", HP_NUM, NULL},
		{"outcome", HP_TEXT, NULL},
		{"exec -> registered ms", HP_NUM, NULL},
		{"exec -> ready ms", HP_NUM, "its first event/next"},
		{"Go init ms", HP_NUM, "Go runtime start -> main.main"},
	};
	struct hp_table t;
	size_t n = 0;

	for (size_t i = 0; i < pg->tls->n; i++)
		n += pg->tls->v[i].next;
	if (!n)
		return;
	hp_table_begin(&t, pg->out, "extensions", cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < pg->tls->n; i++) {
		const struct ct_timeline *tl = &pg->tls->v[i];

		for (size_t k = 0; k < tl->next; k++) {
			const struct ct_extension *e = &tl->ext[k];
			char out[256];

			ct_ext_outcome(e, out, sizeof(out));
			hp_tr(&t, e->id[0] ? e->id : NULL);
			hp_td_u64(&t, i);
			hp_td(&t, e->name);
			hp_td_u64(&t, e->pid);
			hp_td(&t, out);
			td_seen(&t, ct_ext_to_register(e));
			td_seen(&t, ct_ext_to_ready(e));
			td_seen(&t, e->go_image ? ct_ext_go_init(e) : 0);
		}
	}
	hp_table_end(&t, "Lambda extensions", NULL);
}

/* ---- processes ---- */

/* "agent", "runtime", "extension NAME" or "" for p in any sandbox. */
static void role_of(const struct page *pg, const struct ct_proc *p, char *buf, size_t len)
{
	buf[0] = 0;
	for (size_t i = 0; i < pg->tls->n; i++) {
		const struct ct_timeline *tl = &pg->tls->v[i];

		if (tl->agent == p) {
			snprintf(buf, len, "agent");
			return;
		}
		if (tl->runtime == p) {
			snprintf(buf, len, "runtime");
			return;
		}
		for (size_t k = 0; k < tl->next; k++)
			if (tl->ext[k].proc == p) {
				snprintf(buf, len, "extension %s", tl->ext[k].name);
				return;
			}
	}
}

/* The last image's argv, its NULs as spaces (redacted by the model). */
static void argv_line(const struct ct_image *im, struct strbuf *sb)
{
	for (size_t i = 0; im->argv && i < im->argv_len; i++)
		sb_putc(sb, im->argv[i] ? im->argv[i] : ' ');
	while (sb->len && sb->buf[sb->len - 1] == ' ')
		sb->buf[--sb->len] = 0;
	if (im->argv_truncated)
		sb_puts(sb, " ...");
}

/* Its images, one a line: "exec PATH at MS ms (Go go1.21, held 1.2 ms)". */
static void proc_tip(const struct page *pg, const struct ct_proc *p, struct strbuf *tip)
{
	for (size_t j = 0; j < p->nimages; j++) {
		const struct ct_image *im = &p->images[j];

		if (j)
			sb_putc(tip, '\n');
		if (im->exec_ts)
			sb_printf(tip, "exec %s at %.3f ms", im->path,
				  (double)rel(pg, im->exec_ts) / 1e6);
		else
			sb_printf(tip, "inherited %s", im->comm);
		if (im->is_go)
			sb_printf(tip, " (Go %s, %zu package inits)",
				  im->go_version[0] ? im->go_version : "?", im->npkgs);
		if (im->is_python)
			sb_printf(tip, " (CPython %s, %zu module loads)", im->py_version,
				  im->npyimports);
		if (im->held_ns)
			sb_printf(tip, ", held %.3f ms by coldtrace", (double)im->held_ns / 1e6);
		if (im->go_note[0])
			sb_printf(tip, "; %s", im->go_note);
		if (im->py_note[0])
			sb_printf(tip, "; %s", im->py_note);
	}
}

static void processes(struct page *pg)
{
	static const struct hp_col cols[] = {
		{"pid", HP_NUM, NULL},
		{"ppid", HP_NUM, NULL},
		{"role", HP_TEXT, NULL},
		{"program", HP_TEXT, "the last program it exec'd"},
		{"command line", HP_TEXT, NULL},
		{"start ms", HP_NUM, "fork (or first sight), from the trace's start"},
		{"exit ms", HP_NUM, "from the trace's start"},
		{"lifetime ms", HP_NUM, NULL},
		{"ended", HP_TEXT, NULL},
		{"Go inits", HP_NUM, "Go package inits it ran"},
		{"Python loads", HP_NUM, "CPython module loads"},
		{"CPU ms", HP_NUM, "on a CPU, its threads' counters (with the scheduler records)"},
	};
	const struct ct_model *m = pg->m;
	struct hp_table t;
	struct strbuf tip, args;

	sb_init(&tip);
	sb_init(&args);
	hp_table_begin(&t, pg->out, "processes", cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct ct_proc *p = &m->procs[i];
		const struct ct_image *im = ct_proc_image_const(p);
		size_t npkgs = 0, nmods = 0;
		char label[CT_PATH_LEN + 64], role[CT_EXT_NAME_MAX + 16], st[64];

		for (size_t j = 0; j < p->nimages; j++) {
			npkgs += p->images[j].npkgs;
			nmods += p->images[j].npyimports;
		}
		sb_reset(&tip);
		proc_tip(pg, p, &tip);
		sb_reset(&args);
		if (im)
			argv_line(im, &args);
		ct_proc_label(p, label, sizeof(label));
		role_of(pg, p, role, sizeof(role));
		hp_tr(&t, tip.buf);
		hp_td_u64(&t, p->pid);
		hp_td_u64(&t, p->ppid);
		hp_td(&t, role);
		hp_td(&t, label);
		hp_tdn(&t, args.buf ? args.buf : "", args.len);
		td_at(&t, pg, p->start_ts);
		td_at(&t, pg, p->exited ? p->exit_ts : 0);
		td_span(&t, p->start_ts, p->exited ? p->exit_ts : 0);
		hp_td(&t, p->exited ? ct_exit_str(p->exit_status, CT_EXIT_SHORT, st, sizeof(st))
				    : "still running");
		hp_td_u64(&t, npkgs);
		hp_td_u64(&t, nmods);
		if (m->have_sched)
			hp_td_ms(&t, p->sum.run_ns);
		else
			hp_td_none(&t);
	}
	hp_table_end(&t, "Processes", MORE);
	sb_free(&tip);
	sb_free(&args);
}

/* ---- Go package inits, CPython module loads ---- */

static void go_inits(struct page *pg)
{
	static const struct hp_col cols[] = {
		{"pid", HP_NUM, NULL},
		{"program", HP_TEXT, NULL},
		{"#", HP_NUM, "the order Go ran it in"},
		{"package", HP_TEXT, NULL},
		{"start ms", HP_NUM, "after its exec (and coldtrace's hold)"},
		{"clock ms", HP_NUM, "first init function called -> last returned"},
		{"CPU ms", HP_NUM, "on a CPU, its thread's counters"},
		{"faults", HP_NUM, "page faults, minor + major"},
		{"functions", HP_NUM, "init functions that ran"},
	};
	const struct ct_model *m = pg->m;
	struct hp_table t;

	hp_table_begin(&t, pg->out, "pkginits", cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct ct_proc *p = &m->procs[i];

		for (size_t j = 0; j < p->nimages; j++) {
			const struct ct_image *im = &p->images[j];
			uint64_t base = ct_image_run_ts(im);
			const char *prog =
				strrchr(im->path, '/') ? strrchr(im->path, '/') + 1 : im->comm;

			for (size_t k = 0; k < im->npkgs; k++) {
				const struct ct_pkginit *pk = &im->pkgs[k];
				struct ct_bd_pkg bd;
				bool known = ct_bd_pkginit(pk, &bd);
				char tip[CT_PKG_LEN + 160];

				snprintf(tip, sizeof(tip), "%s: %s%s", pk->pkg,
					 pk->end ? "returned" : "never returned",
					 known ? (bd.cpu_from_sched
							  ? ", CPU from the scheduler's spans"
							  : ", CPU from the thread's counters")
					       : "");
				hp_tr(&t, tip);
				hp_td_u64(&t, p->pid);
				hp_td(&t, prog);
				hp_td_u64(&t, k + 1);
				hp_td(&t, pk->pkg);
				td_span(&t, base, pk->start);
				td_span(&t, pk->start, pk->end);
				if (known) {
					hp_td_ms(&t, bd.cpu_ns);
					hp_td_u64(&t, bd.min_flt + bd.maj_flt);
				} else {
					hp_td_none(&t);
					hp_td_none(&t);
				}
				hp_td_u64(&t, pk->nfns);
			}
		}
	}
	hp_table_end(&t, "Go package inits", MORE);
}

static void py_imports(struct page *pg)
{
	static const struct hp_col cols[] = {
		{"pid", HP_NUM, NULL},
		{"thread", HP_NUM, NULL},
		{"#", HP_NUM, "the order the loads started in"},
		{"module", HP_TEXT, NULL},
		{"level", HP_NUM, "loads open around it on its thread (0: top level)"},
		{"imported by", HP_TEXT, "the load it is nested in"},
		{"start ms", HP_NUM, "after its exec (and coldtrace's hold)"},
		{"cumulative ms", HP_NUM,
		 "with the loads nested in it (-X importtime's cumulative)"},
		{"self ms", HP_NUM, "without them (-X importtime's self)"},
	};
	const struct ct_model *m = pg->m;
	struct hp_table t;

	if (!ct_model_py_images(m))
		return;
	hp_table_begin(&t, pg->out, "pyimports", cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct ct_proc *p = &m->procs[i];

		for (size_t j = 0; j < p->nimages; j++) {
			const struct ct_image *im = &p->images[j];
			uint64_t base = ct_image_run_ts(im);

			for (size_t k = 0; k < im->npyimports; k++) {
				const struct ct_pyimport *pi = &im->pyimports[k];
				int32_t up = pi->parent;

				hp_tr(&t, pi->end ? (pi->name_cut ? "its name was cut" : NULL)
						  : "never ended");
				hp_td_u64(&t, p->pid);
				hp_td_u64(&t, pi->tid);
				hp_td_u64(&t, k + 1);
				hp_td(&t, pi->name);
				hp_td_u64(&t, pi->level);
				hp_td(&t, up >= 0 && (size_t)up < im->npyimports
						  ? im->pyimports[up].name
						  : "");
				td_span(&t, base, pi->start);
				if (pi->end) {
					hp_td_ms(&t, ct_pyimport_cum(pi));
					hp_td_ms(&t, ct_pyimport_self(pi));
				} else {
					hp_td_none(&t);
					hp_td_none(&t);
				}
			}
		}
	}
	hp_table_end(&t, "Python imports", MORE);
}

/* ---- I/O: HTTP message heads, log lines ---- */

static void http_tip(const struct ct_http *h, struct strbuf *tip)
{
	for (int k = 0; k < HTTP_H_COUNT; k++)
		if (h->hdr[k])
			sb_printf(tip, "%s%s: %s", tip->len ? "\n" : "", http_header_name(k),
				  h->hdr[k]);
	if (h->body_len >= 0)
		sb_printf(tip, "%sbody %lld bytes", tip->len ? "\n" : "", (long long)h->body_len);
	if (h->flags & HTTP_F_INCOMPLETE)
		sb_printf(tip, "%scut: bytes of its headers were not captured",
			  tip->len ? "\n" : "");
}

static void http(struct page *pg)
{
	static const struct hp_col cols[] = {
		{"at ms", HP_NUM, "from the trace's start"},
		{"pid", HP_NUM, NULL},
		{"dir", HP_TEXT, "sent or received by that process"},
		{"message", HP_TEXT, "request line or status"},
		{"api", HP_TEXT, "Lambda API it belongs to"},
		{"request id", HP_TEXT, NULL},
		{"local", HP_TEXT, NULL},
		{"remote", HP_TEXT, NULL},
		{"peer ms", HP_NUM, "read by the other end this much later"},
	};
	const struct ct_model *m = pg->m;
	struct hp_table t;
	struct strbuf tip, msg;

	sb_init(&tip);
	sb_init(&msg);
	hp_table_begin(&t, pg->out, "http", cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < m->nhttp; i++) {
		const struct ct_http *h = &m->http[i];
		char l[64], r[64];

		ct_endpoint_str(&h->ep, true, l, sizeof(l));
		ct_endpoint_str(&h->ep, false, r, sizeof(r));
		sb_reset(&tip);
		http_tip(h, &tip);
		sb_reset(&msg);
		if (h->kind == HTTP_REQUEST)
			sb_printf(&msg, "%s %s", http_method_name(h->method),
				  h->path ? h->path : "");
		else
			sb_printf(&msg, "%d %s", h->status, h->reason);
		hp_tr(&t, tip.buf);
		td_at(&t, pg, h->ts);
		hp_td_u64(&t, h->pid);
		hp_td(&t, h->dir == CT_IO_WRITE ? "send" : "recv");
		hp_tdn(&t, msg.buf ? msg.buf : "", msg.len);
		hp_td(&t, h->kind == HTTP_REQUEST ? lambda_api_name(h->api) : "");
		hp_td(&t, h->hdr[HTTP_H_REQUEST_ID] ? h->hdr[HTTP_H_REQUEST_ID] : "");
		hp_td(&t, l);
		hp_td(&t, r);
		if (h->peer >= 0 && h->dir == CT_IO_WRITE)
			td_span(&t, h->ts, m->http[h->peer].ts);
		else
			hp_td_none(&t);
	}
	hp_table_end(&t, "HTTP messages", MORE);
	sb_free(&tip);
	sb_free(&msg);
}

static void logs(struct page *pg)
{
	static const struct hp_col cols[] = {
		{"at ms", HP_NUM, "from the trace's start"},
		{"pid", HP_NUM, NULL},
		{"fd", HP_NUM, NULL},
		{"kind", HP_TEXT, "what coldtrace read in it"},
		{"line", HP_TEXT, NULL},
	};
	const struct ct_model *m = pg->m;
	struct hp_table t;

	hp_table_begin(&t, pg->out, "logs", cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < m->nlogs; i++) {
		const struct ct_log *l = &m->logs[i];

		hp_tr(&t,
		      l->ev->flags & (LOG_F_TRUNC | LOG_F_INCOMPLETE) ? "the line was cut" : NULL);
		td_at(&t, pg, l->ts);
		hp_td_u64(&t, l->pid);
		hp_td_u64(&t, l->fd);
		hp_td(&t, log_kind_name(l->ev->kind));
		hp_tdn(&t, l->ev->line, l->ev->line_len);
	}
	hp_table_end(&t, "Log lines", MORE);
}

void ct_render_html(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o)
{
	ct_render_timelines(m, out, o, ct_render_html_tls);
}

void ct_render_html_tls(const struct ct_model *m, const struct ct_timelines *tls,
			struct strbuf *out, const struct ct_render_opts *o)
{
	struct page pg = {.out = out, .m = m, .tls = tls};
	char cmd[CT_CMDLINE_MAX + 64], title[CT_CMDLINE_MAX + 96];
	struct strbuf svg;

	snprintf(title, sizeof(title), "coldtrace: %s",
		 o && o->command ? ct_redact_cmdline(o->command, cmd, sizeof(cmd)) : "a trace");
	hp_begin(out, title);
	summary(&pg, o);
	sb_init(&svg);
	ct_render_svg_tls(m, tls, &svg, o);
	sb_puts(out, "<h2>Timeline</h2>\n");
	hp_figure(out, "timeline", svg.buf, svg.len, true);
	if (svg.oom)
		out->oom = true;
	sb_free(&svg);
	phases(&pg);
	extensions(&pg);
	milestones(&pg);
	processes(&pg);
	go_inits(&pg);
	py_imports(&pg);
	http(&pg);
	logs(&pg);
	hp_end(out);
}
