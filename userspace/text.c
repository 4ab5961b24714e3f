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
