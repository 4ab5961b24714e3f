// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The default terminal view: per process what ran and, for Go programs,
 * where the start-up went. Fits 80 columns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "render.h"

#define MS(ns) ((double)(ns) / 1e6)

static const char *c_on(const struct ct_render_opts *o, const char *code)
{
	return o && o->color ? code : "";
}

static void status_str(const struct ct_proc *p, char *buf, size_t len)
{
	if (!p->exited)
		snprintf(buf, len, "still running");
	else if (WIFSIGNALED(p->exit_status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(p->exit_status));
	else
		snprintf(buf, len, "exit %d", WEXITSTATUS(p->exit_status));
}

static int by_clock_desc(const void *a, const void *b)
{
	const struct ct_pkginit *x = *(const struct ct_pkginit *const *)a;
	const struct ct_pkginit *y = *(const struct ct_pkginit *const *)b;
	uint64_t dx = x->end > x->start ? x->end - x->start : 0;
	uint64_t dy = y->end > y->start ? y->end - y->start : 0;

	return dx < dy ? 1 : dx > dy ? -1 : 0;
}

static void go_image(struct strbuf *out, const struct ct_image *im, const struct ct_render_opts *o)
{
	uint64_t base = ct_image_run_ts(im);
	uint64_t last = ct_image_last_init_end(im);
	int top = o && o->top > 0 ? o->top : 5;
	const struct ct_pkginit **sorted;

	if (im->go_note[0])
		sb_printf(out, "    note: %s\n", im->go_note);
	if (im->held_ns)
		sb_printf(out, "    (held %.3f ms after exec while coldtrace attached its probes; not counted below)\n",
			  MS(im->held_ns));
	if (!base) {
		sb_puts(out, "    (exec not seen: times are not available)\n");
		return;
	}
	if (im->rt_start > base)
		sb_printf(out, "    exec -> Go runtime start   %10.3f ms\n", MS(im->rt_start - base));
	if (last > base)
		sb_printf(out, "    exec -> last package init  %10.3f ms   (%zu packages, %.3f ms in init)\n",
			  MS(last - base), im->npkgs, MS(ct_image_init_total(im)));
	if (im->main_main > base)
		sb_printf(out, "    exec -> main.main          %10.3f ms\n", MS(im->main_main - base));
	else if (im->npkgs)
		sb_puts(out, "    main.main                  not reached\n");
	if (!im->npkgs)
		return;
	sorted = malloc(im->npkgs * sizeof(*sorted));
	if (!sorted)
		return;
	for (size_t i = 0; i < im->npkgs; i++)
		sorted[i] = &im->pkgs[i];
	qsort(sorted, im->npkgs, sizeof(*sorted), by_clock_desc);
	sb_puts(out, "    slowest package inits:\n");
	for (size_t i = 0; i < im->npkgs && (int)i < top; i++) {
		const struct ct_pkginit *pk = sorted[i];

		if (!pk->end) {
			sb_printf(out, "      %10s  %s (did not return)\n", "-", pk->pkg);
			continue;
		}
		sb_printf(out, "      %7.3f ms  %s\n", MS(pk->end - pk->start), pk->pkg);
	}
	free(sorted);
}

/* ---- the timeline: processes, listening sockets, HTTP, log lines ---- */

enum item_kind { IT_EXEC, IT_EXIT, IT_MAIN, IT_LISTEN, IT_HTTP, IT_LOG };

struct item {
	uint64_t ts;
	enum item_kind kind;
	const struct ct_proc *p;
	size_t idx; /* image / http / log / listen index */
};

#define TIMELINE_MAX 300

static int by_ts(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

static void http_line(struct strbuf *out, const struct ct_model *m, const struct ct_http *h)
{
	char l[64], r[64];
	const char *rid = h->hdr[HTTP_H_REQUEST_ID];
	const char *et = h->hdr[HTTP_H_ERROR_TYPE];

	ct_endpoint_str(&h->ep, true, l, sizeof(l));
	ct_endpoint_str(&h->ep, false, r, sizeof(r));
	if (h->kind == HTTP_REQUEST)
		sb_printf(out, "%s %s", http_method_name(h->method), h->path);
	else
		sb_printf(out, "%d %s", h->status, h->reason);
	if (rid)
		sb_printf(out, "  request-id %s", rid);
	if (et)
		sb_printf(out, "  error-type %s", et);
	if (h->dir == CT_IO_WRITE)
		sb_printf(out, "  %s -> %s", l, r);
	else
		sb_printf(out, "  received from %s on %s", r, l);
	if (h->peer >= 0) {
		const struct ct_http *p = &m->http[h->peer];

		sb_printf(out, "  (read by pid %u after %.3f ms)", p->pid,
			  p->ts >= h->ts ? MS(p->ts - h->ts) : 0.0);
	}
}

static void timeline(struct strbuf *out, const struct ct_model *m, uint64_t t0,
		     const struct ct_render_opts *o)
{
	size_t n = 0, cap = 64, shown = 0;
	struct item *it = malloc(cap * sizeof(*it));

#define ADD(...)                                                                \
	do {                                                                    \
		if (n == cap) {                                                 \
			struct item *ni = realloc(it, cap * 2 * sizeof(*it));   \
			if (!ni)                                                \
				goto done;                                      \
			it = ni;                                                \
			cap *= 2;                                               \
		}                                                               \
		it[n++] = (struct item){__VA_ARGS__};                           \
	} while (0)

	if (!it)
		return;
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct ct_proc *p = &m->procs[i];

		for (size_t j = 0; j < p->nimages; j++) {
			if (p->images[j].exec_ts)
				ADD(.ts = p->images[j].exec_ts, .kind = IT_EXEC, .p = p, .idx = j);
			if (p->images[j].main_main)
				ADD(.ts = p->images[j].main_main, .kind = IT_MAIN, .p = p, .idx = j);
		}
		if (p->exited)
			ADD(.ts = p->exit_ts, .kind = IT_EXIT, .p = p);
	}
	for (size_t i = 0; i < m->nlistens; i++)
		ADD(.ts = m->listens[i].ts, .kind = IT_LISTEN, .idx = i);
	for (size_t i = 0; i < m->nhttp; i++)
		/* a message both ends saw is shown once, where it was sent */
		if (m->http[i].dir == CT_IO_WRITE || m->http[i].peer < 0)
			ADD(.ts = m->http[i].ts, .kind = IT_HTTP, .idx = i);
	for (size_t i = 0; i < m->nlogs; i++)
		if (m->logs[i].ev->kind != LOG_GO_INIT)
			ADD(.ts = m->logs[i].ts, .kind = IT_LOG, .idx = i);
	if (!n)
		goto done;
	qsort(it, n, sizeof(*it), by_ts);
	sb_printf(out, "\n%stimeline%s (ms from the first event)\n", c_on(o, "\033[1m"), c_on(o, "\033[0m"));
	for (size_t i = 0; i < n && shown < TIMELINE_MAX; i++, shown++) {
		const struct item *x = &it[i];
		double t = x->ts >= t0 ? MS(x->ts - t0) : 0;
		char st[48];

		switch (x->kind) {
		case IT_EXEC: {
			const struct ct_image *im = &x->p->images[x->idx];

			sb_printf(out, "%10.3f  pid %-7u exec    %s\n", t, x->p->pid, im->path);
			break;
		}
		case IT_MAIN:
			sb_printf(out, "%10.3f  pid %-7u go      main.main (package init done)\n", t, x->p->pid);
			break;
		case IT_EXIT:
			status_str(x->p, st, sizeof(st));
			sb_printf(out, "%10.3f  pid %-7u exit    %s\n", t, x->p->pid, st);
			break;
		case IT_LISTEN: {
			char a[64];

			ct_endpoint_str(&m->listens[x->idx].ep, true, a, sizeof(a));
			sb_printf(out, "%10.3f  pid %-7u listen  %s\n", t, m->listens[x->idx].pid, a);
			break;
		}
		case IT_HTTP:
			sb_printf(out, "%10.3f  pid %-7u http    ", t, m->http[x->idx].pid);
			http_line(out, m, &m->http[x->idx]);
			sb_putc(out, '\n');
			break;
		case IT_LOG: {
			const struct ct_log *l = &m->logs[x->idx];
			int len = (int)(l->ev->line_len > 120 ? 120 : l->ev->line_len);

			sb_printf(out, "%10.3f  pid %-7u log     %.*s\n", t, l->pid, len, l->ev->line);
			break;
		}
		}
	}
	if (n > shown)
		sb_printf(out, "  ... %zu more (all of them: -f jsonl)\n", n - shown);
done:
	free(it);
#undef ADD
}

void ct_render_text(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o)
{
	const struct ct_proc *root = ct_model_proc((struct ct_model *)m, m->root_pid);
	size_t ngo = ct_model_go_images(m);
	char st[48];

	if (root) {
		status_str(root, st, sizeof(st));
		sb_printf(out, "%scoldtrace:%s %s: %s", c_on(o, "\033[1m"), c_on(o, "\033[0m"),
			  o && o->command ? o->command : "command", st);
		if (root->exited && root->exit_ts > root->start_ts)
			sb_printf(out, " after %.3f ms", MS(root->exit_ts - root->start_ts));
		sb_printf(out, "; %zu process%s, %zu Go program%s with package inits\n", m->nprocs,
			  m->nprocs == 1 ? "" : "es", ngo, ngo == 1 ? "" : "s");
	}
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct ct_proc *p = &m->procs[i];

		for (size_t j = 0; j < p->nimages; j++) {
			const struct ct_image *im = &p->images[j];

			if (!im->exec_ts && !im->is_go)
				continue; /* a fork that never exec'd: nothing of its own */
			status_str(p, st, sizeof(st));
			sb_printf(out, "\n%spid %u%s  %s", c_on(o, "\033[1m"), p->pid, c_on(o, "\033[0m"),
				  im->path[0] ? im->path : im->comm);
			if (im->is_go)
				sb_printf(out, "  %s", im->go_version[0] ? im->go_version : "Go");
			if (j + 1 == p->nimages)
				sb_printf(out, "  (%s)", st);
			sb_putc(out, '\n');
			if (im->is_go)
				go_image(out, im, o);
		}
	}
	timeline(out, m, m->first_ts, o);
	for (int t = 1; t < CT_EV_MAX; t++)
		if (m->lost[t]) {
			uint64_t total = 0;

			for (int k = 1; k < CT_EV_MAX; k++)
				total += m->lost[k];
			sb_printf(out, "\n%swarning:%s %llu events were lost (ring buffer full): the trace is incomplete\n",
				  c_on(o, "\033[33m"), c_on(o, "\033[0m"), (unsigned long long)total);
			break;
		}
}
