// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The default terminal view: per process what ran and, for Go programs,
 * where the start-up went. Fits 80 columns (the breakdown's table: 100). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakdown.h"
#include "exitstatus.h"
#include "phases.h"
#include "redact.h"
#include "render.h"
#include "tlviews.h"

/* Every string from the trace goes through str_esc / sb_put_esc (strbuf.h):
 * file names, package names, paths and log lines can hold terminal escapes
 * and newlines. ESC (for colour) only ever comes from the format strings. */
#define EB 1100 /* an escaped string of up to 256 bytes, cut beyond */

#define MS(ns) ((double)(ns) / 1e6)

static const char *c_on(const struct ct_render_opts *o, const char *code)
{
	return o && o->color ? code : "";
}

static void status_str(const struct ct_proc *p, char *buf, size_t len)
{
	if (!p->exited)
		snprintf(buf, len, "still running");
	else
		ct_exit_str(p->exit_status, CT_EXIT_SHORT, buf, len);
}

/* --allocs: what the package inits allocated, or that it was not counted. */
static void go_allocs_line(const struct ct_image *im, struct strbuf *out)
{
	uint64_t allocs = 0, bytes = 0;
	size_t counted = 0;

	for (size_t i = 0; i < im->npkgs; i++)
		if (im->pkgs[i].allocs_counted) {
			counted++;
			allocs += im->pkgs[i].allocs;
			bytes += im->pkgs[i].bytes;
		}
	if (!counted) {
		sb_puts(out, "    allocations in package inits: not counted (--allocs counts them)\n");
		return;
	}
	sb_printf(out, "    allocations in package inits: %llu allocs, %llu bytes%s (as GODEBUG=inittrace=1 counts them)\n",
		  (unsigned long long)allocs, (unsigned long long)bytes,
		  counted < im->npkgs ? ", some packages not counted" : "");
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
	bool with_counters = false;
	struct ct_bd_pkg bd;

	char eb[EB];

	if (im->go_note[0])
		sb_printf(out, "    note: %s\n", str_esc(eb, sizeof(eb), im->go_note));
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
	for (size_t i = 0; i < im->npkgs; i++)
		if (!im->pkgs[i].end)
			sb_printf(out, "    package init that never returned: %s (started %.3f ms after exec)\n",
				  str_esc(eb, sizeof(eb), im->pkgs[i].pkg), MS(im->pkgs[i].start - base));
	sorted = malloc(im->npkgs * sizeof(*sorted));
	if (!sorted)
		return;
	for (size_t i = 0; i < im->npkgs; i++)
		sorted[i] = &im->pkgs[i];
	qsort(sorted, im->npkgs, sizeof(*sorted), by_clock_desc);
	for (size_t i = 0; i < im->npkgs && (int)i < top; i++)
		if (ct_bd_pkginit(sorted[i], &bd))
			with_counters = true;
	sb_printf(out, "    slowest package inits%s:\n",
		  with_counters ? " (clock; on CPU, page faults minor/major of its thread)" : "");
	for (size_t i = 0; i < im->npkgs && (int)i < top; i++) {
		const struct ct_pkginit *pk = sorted[i];

		if (!pk->end) {
			sb_printf(out, "      %10s  %s (did not return)\n", "-", str_esc(eb, sizeof(eb), pk->pkg));
			continue;
		}
		sb_printf(out, "      %7.3f ms  ", MS(pk->end - pk->start));
		if (ct_bd_pkginit(pk, &bd)) {
			char f[32];

			snprintf(f, sizeof(f), "%llu/%llu", (unsigned long long)bd.min_flt,
				 (unsigned long long)bd.maj_flt);
			sb_printf(out, "%7.3f ms cpu %9s  ", MS(bd.cpu_ns), f);
		} else if (with_counters) {
			sb_printf(out, "%10s %13s  ", "-", ""); /* another thread ended it: unknown */
		}
		sb_printf(out, "%s\n", str_esc(eb, sizeof(eb), pk->pkg));
	}
	free(sorted);
	go_allocs_line(im, out);
}

/* ---- CPython imports (model.h struct ct_pyimport) ---- */

/* The end of the last top-level load that ended (0: none). */
static uint64_t py_imports_done(const struct ct_image *im)
{
	uint64_t last = 0;

	for (size_t k = 0; k < im->npyimports; k++)
		if (im->pyimports[k].level == 0 && im->pyimports[k].end > last)
			last = im->pyimports[k].end;
	return last;
}

/* By cumulative time, longest first; loads that never ended last, in start
 * order (the sort is of indices: ties keep the start order). */
static int by_cum_desc(const void *a, const void *b, void *ctx)
{
	const struct ct_pyimport *v = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	uint64_t x = ct_pyimport_cum(&v[i]), y = ct_pyimport_cum(&v[j]);

	if (x != y)
		return x < y ? 1 : -1;
	return i < j ? -1 : i > j;
}

/* "app > email.message": the load's enclosing loads, outermost first; more
 * than two of them: the outermost, "...", the direct parent. */
static void py_chain(struct strbuf *out, const struct ct_image *im, size_t k)
{
	int32_t chain[CT_PY_STACK];
	int n = 0;
	char eb[EB];

	for (int32_t q = im->pyimports[k].parent; q >= 0 && (size_t)q < im->npyimports && n < CT_PY_STACK;
	     q = im->pyimports[q].parent)
		chain[n++] = q;
	for (int i = n - 1; i >= 0; i--) {
		if (n > 2 && i > 0 && i < n - 1) {
			if (i == n - 2)
				sb_puts(out, "... > ");
			continue;
		}
		sb_printf(out, "%s > ", str_esc(eb, sizeof(eb), im->pyimports[chain[i]].name));
	}
	sb_puts(out, str_esc(eb, sizeof(eb), im->pyimports[k].name));
}

static void py_image(struct strbuf *out, const struct ct_proc *p, const struct ct_image *im,
		     const struct ct_render_opts *o)
{
	uint64_t base = ct_image_run_ts(im), total = 0, done = py_imports_done(im);
	int top = o && o->top > 0 ? o->top : 5;
	size_t *order, nopen = 0;
	char eb[EB];

	if (im->py_note[0])
		sb_printf(out, "    note: %s\n", str_esc(eb, sizeof(eb), im->py_note));
	if (!im->npyimports)
		return;
	for (size_t k = 0; k < im->npyimports; k++) {
		const struct ct_pyimport *pi = &im->pyimports[k];

		if (pi->level == 0)
			total += ct_pyimport_cum(pi);
		nopen += !pi->end;
	}
	sb_printf(out, "    imports: %zu module%s loaded, %.3f ms in top-level loads (cumulative)\n",
		  im->npyimports, im->npyimports == 1 ? "" : "s", MS(total));
	if (base && done > base)
		sb_printf(out, "    exec -> imports done       %10.3f ms\n", MS(done - base));
	for (size_t k = 0; k < im->npyimports && nopen; k++) {
		const struct ct_pyimport *pi = &im->pyimports[k];

		if (pi->end)
			continue;
		sb_puts(out, "    module load that never ended: ");
		py_chain(out, im, k);
		if (base && pi->start >= base)
			sb_printf(out, " (started %.3f ms after exec)", MS(pi->start - base));
		sb_putc(out, '\n');
	}
	order = malloc(im->npyimports * sizeof(*order));
	if (!order)
		return;
	for (size_t k = 0; k < im->npyimports; k++)
		order[k] = k;
	qsort_r(order, im->npyimports, sizeof(*order), by_cum_desc, im->pyimports);
	sb_puts(out, "    slowest imports (cumulative, self; enclosing imports first):\n");
	for (size_t i = 0; i < im->npyimports && (int)i < top; i++) {
		const struct ct_pyimport *pi = &im->pyimports[order[i]];

		if (!pi->end)
			sb_printf(out, "      %10s  %10s  ", "-", "-");
		else
			sb_printf(out, "      %7.3f ms  %7.3f ms  ", MS(ct_pyimport_cum(pi)), MS(ct_pyimport_self(pi)));
		py_chain(out, im, order[i]);
		if (pi->tid != p->pid)
			sb_printf(out, "  (thread %u)", pi->tid);
		if (!pi->end)
			sb_puts(out, " (did not end)");
		sb_putc(out, '\n');
	}
	free(order);
}

/* ---- the timeline: processes, listening sockets, HTTP, log lines ---- */

enum item_kind { IT_EXEC, IT_EXIT, IT_MAIN, IT_LISTEN, IT_HTTP, IT_LOG, IT_PYDONE };

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
	const char *et = h->hdr[HTTP_H_ERROR_TYPE] ? h->hdr[HTTP_H_ERROR_TYPE] : h->hdr[HTTP_H_EXT_ERROR_TYPE];
	const char *ext = h->hdr[HTTP_H_EXT_NAME];

	ct_endpoint_str(&h->ep, true, l, sizeof(l));
	ct_endpoint_str(&h->ep, false, r, sizeof(r));
	char eb[EB];

	if (h->kind == HTTP_REQUEST)
		sb_printf(out, "%s %s", http_method_name(h->method), str_esc(eb, sizeof(eb), h->path));
	else
		sb_printf(out, "%d %s", h->status, str_esc(eb, sizeof(eb), h->reason));
	if (rid)
		sb_printf(out, "  request-id %s", str_esc(eb, sizeof(eb), rid));
	if (ext)
		sb_printf(out, "  extension %s", str_esc(eb, sizeof(eb), ext));
	if (et)
		sb_printf(out, "  error-type %s", str_esc(eb, sizeof(eb), et));
	if (h->dir == CT_IO_WRITE)
		sb_printf(out, "  %s -> %s", l, r);
	else
		sb_printf(out, "  received from %s on %s", r, l);
	if (h->peer >= 0) {
		const struct ct_http *p = &m->http[h->peer];

		sb_printf(out, "  (read by pid %u after %.3f ms)", p->pid,
			  p->ts >= h->ts ? MS(p->ts - h->ts) : 0.0);
	}
	if ((h->flags & (HTTP_F_INCOMPLETE | HTTP_F_EOF)) == (HTTP_F_INCOMPLETE | HTTP_F_EOF))
		sb_puts(out, "  (cut: the stream ended inside its headers)");
	else if (h->flags & HTTP_F_INCOMPLETE)
		sb_puts(out, "  (cut: bytes of its headers were not captured)");
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
			if (py_imports_done(&p->images[j]))
				ADD(.ts = py_imports_done(&p->images[j]), .kind = IT_PYDONE, .p = p, .idx = j);
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
			char eb[EB];

			sb_printf(out, "%10.3f  pid %-7u exec    %s\n", t, x->p->pid, str_esc(eb, sizeof(eb), im->path));
			break;
		}
		case IT_MAIN:
			sb_printf(out, "%10.3f  pid %-7u go      main.main (package init done)\n", t, x->p->pid);
			break;
		case IT_PYDONE: {
			const struct ct_image *im = &x->p->images[x->idx];

			sb_printf(out, "%10.3f  pid %-7u py      imports done (%zu module%s loaded)\n", t, x->p->pid,
				  im->npyimports, im->npyimports == 1 ? "" : "s");
			break;
		}
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
			size_t len = l->ev->line_len > 120 ? 120 : l->ev->line_len;

			sb_printf(out, "%10.3f  pid %-7u log     ", t, l->pid);
			sb_put_esc(out, l->ev->line, len);
			sb_putc(out, '\n');
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

/* ---- the cold start: one timeline per sandbox (phases.h) ---- */

#define BAR_W 40

/* Print text wrapped at 79 columns; continuation lines indented by ind. */
static void wrapped(struct strbuf *out, const char *first, const char *text, int ind)
{
	int col = (int)strlen(first);
	const char *p = text;

	sb_puts(out, first);
	while (*p) {
		const char *sp = strchr(p, ' ');
		int w = sp ? (int)(sp - p) : (int)strlen(p);

		if (col > ind && col + 1 + w > 79) {
			sb_printf(out, "\n%*s", ind, "");
			col = ind;
		} else {
			sb_putc(out, ' ');
			col++;
		}
		sb_putn(out, p, (size_t)w);
		col += w;
		p += w;
		while (*p == ' ')
			p++;
	}
	sb_putc(out, '\n');
}

/* A phase's colour, from its kind (a kind without one here: grey). */
static const char *phase_color(const struct ct_phase *ph)
{
	static const char *const by_kind[] = {
		[CT_PK_TOTAL] = "\033[36m",
		[CT_PK_AGENT] = "\033[34m",
		[CT_PK_RUNTIME] = "\033[32m",
		[CT_PK_INVOKE] = "\033[33m",
		[CT_PK_EXTENSION] = "\033[35m",
	};
	const char *c = (size_t)ph->kind < sizeof(by_kind) / sizeof(by_kind[0]) ? by_kind[ph->kind] : NULL;

	return c ? c : "\033[90m";
}

/* The rows: the table's order, the total (depth 0) last as a sum line. */
static size_t phase_rows(const struct ct_timeline *tl, const struct ct_phase *rows[CT_PH_COUNT])
{
	size_t n = 0;

	for (int last = 0; last < 2; last++)
		for (int p = 0; p < CT_PH_COUNT; p++)
			if ((tl->ph[p].depth == 0) == last)
				rows[n++] = &tl->ph[p];
	return n;
}

/* The phase column: 24 characters, more for a longer name (none is cut),
 * the bar shorter by as much (the table stays within 79 columns). */
#define PHASE_W 24
#define BAR_W_MIN 24

/* The longest shown name (with its indent), at least min. */
static int phase_name_w(const struct ct_timeline *tl, const struct ct_phase *const *rows, size_t nrows, int min)
{
	int w = min;

	for (size_t i = 0; i < nrows; i++) {
		int l = (int)strlen(ct_phase_name(rows[i]->id)) + (rows[i]->depth == 2 ? 2 : 0);

		if (ct_phase_applies(tl, rows[i]) && l > w)
			w = l;
	}
	return w;
}

static void phase_row(struct strbuf *out, const struct ct_timeline *tl, const struct ct_phase *ph,
		      uint64_t t0, uint64_t t1, int nw, int bw, const struct ct_render_opts *o)
{
	char name[80];
	int c0 = 0, c1 = 0;
	uint64_t span = t1 > t0 ? t1 - t0 : 1;
	uint64_t s = ph->start, e = ph->complete ? ph->end : t1;

	(void)tl;
	snprintf(name, sizeof(name), "%s%s", ph->depth == 2 ? "  " : "", ct_phase_name(ph->id));
	if (ph->complete)
		sb_printf(out, "  %-*s%9.3f  |", nw, name, MS(ph->dur));
	else
		sb_printf(out, "  %-*s%9s  |", nw, name, "--");
	if (s && s >= t0 && e >= s) {
		c0 = (int)((double)(s - t0) * bw / (double)span);
		c1 = (int)(((double)(e - t0) * bw + (double)span - 1) / (double)span);
		if (c0 > bw - 1)
			c0 = bw - 1;
		if (c1 > bw)
			c1 = bw;
		if (c1 <= c0)
			c1 = c0 + 1;
	}
	for (int c = 0; c < bw; c++) {
		if (c == c0 && c1 > c0)
			sb_puts(out, c_on(o, phase_color(ph)));
		if (c >= c0 && c < c1)
			sb_putc(out, ph->complete ? '#' : '.');
		else
			sb_putc(out, ' ');
		if (c == c1 - 1 && c1 > c0)
			sb_puts(out, c_on(o, "\033[0m"));
	}
	sb_puts(out, "|\n");
}

/* ---- why each phase took its time: the kernel-level breakdown ---- */

#define BD_ROW "  %-*.*s%9s%9s%9s%9s%8s%7s%6s%8s%8s\n"

static void bd_cell(char *buf, size_t len, bool off, double v, int prec)
{
	if (off)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", prec, v);
}

static void bd_row(struct strbuf *out, const struct ct_phase *ph, const struct ct_bd *bd, int nw)
{
	char name[80], c[9][24];
	bool so = bd->sched_off, fo = bd->files_off;

	snprintf(name, sizeof(name), "%s%s", ph->depth == 2 ? "  " : "", ct_phase_name(ph->id));
	bd_cell(c[0], sizeof(c[0]), so, MS(bd->wall[CT_BD_RUNNING]), 3);
	bd_cell(c[1], sizeof(c[1]), so, MS(bd->wall[CT_BD_RUNNABLE]), 3);
	bd_cell(c[2], sizeof(c[2]), so, MS(bd->wall[CT_BD_SLEEP] + bd->wall[CT_BD_STOPPED]), 3);
	bd_cell(c[3], sizeof(c[3]), so, MS(bd->wall[CT_BD_IOWAIT] + bd->wall[CT_BD_DISK]), 3);
	bd_cell(c[4], sizeof(c[4]), so, (double)bd->min_flt, 0);
	bd_cell(c[5], sizeof(c[5]), so, (double)bd->maj_flt, 0);
	bd_cell(c[6], sizeof(c[6]), fo, (double)bd->files_opened, 0);
	bd_cell(c[7], sizeof(c[7]), fo, (double)bd->read_bytes / 1e6, 2);
	bd_cell(c[8], sizeof(c[8]), bd->pcache_off, (double)bd->miss_bytes / 1e6, 2);
	sb_printf(out, BD_ROW, nw, nw, name, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]);
}

static void bd_top_files(struct strbuf *out, const struct ct_bd *bd, bool whole, const struct ct_render_opts *o)
{
	int top = o && o->top > 0 ? o->top : CT_BD_TOP;
	char eb[EB], a[32], r[32], d[32];

	if (!bd->ntop)
		return;
	sb_printf(out, "  files with the most bytes (%s; read, and from disk into the cache):\n",
		  whole ? "the whole cold start" : "the part of the cold start seen");
	for (size_t i = 0; i < bd->ntop && (int)i < top; i++) {
		const struct ct_bd_file *f = &bd->top[i];

		ct_bd_bytes_str(f->bytes, a, sizeof(a));
		ct_bd_bytes_str(f->read_bytes, r, sizeof(r));
		ct_bd_bytes_str(f->miss_bytes, d, sizeof(d));
		sb_printf(out, "    %9s  %s", a, str_esc(eb, sizeof(eb), f->path));
		sb_printf(out, "  (read %s, %s from disk)\n", r, d);
	}
}

static void breakdown(struct strbuf *out, const struct ct_model *m, const struct ct_timeline *tl,
		      const struct ct_phase *const *rows, size_t nrows, const struct ct_render_opts *o)
{
	struct ct_bd bd, total;
	struct ct_phase whole;
	char line[1024], esc[4 * EB], head[64];
	bool any = false;
	int nw = phase_name_w(tl, rows, nrows, 22); /* 22, or the longest name */

	if (!m->have_sched && !m->have_files && !m->have_pcache) {
		sb_puts(out, "  breakdown: off (no scheduler, file or page-cache records in this trace)\n");
		return;
	}
	sb_printf(out, "\n  %swhy%s (the kernel's view: ms of wall clock in the best state of any thread)\n",
		  c_on(o, "\033[1m"), c_on(o, "\033[0m"));
	sb_printf(out, BD_ROW, nw, nw, "phase", "on CPU", "runnable", "blocked", "I/O wait", "minflt", "majflt", "files",
		  "MB read", "MB disk");
	for (size_t i = 0; i < nrows; i++) {
		if (!ct_phase_applies(tl, rows[i]) || !rows[i]->complete)
			continue;
		if (ct_bd_phase(m, tl, rows[i], &bd) || !bd.valid)
			continue;
		bd_row(out, rows[i], &bd, nw);
		any = true;
	}
	if (!any) {
		sb_puts(out, "  (no complete phase)\n");
		return;
	}
	snprintf(head, sizeof(head), "  %swhat dominates:%s", c_on(o, "\033[1m"), c_on(o, "\033[0m"));
	sb_puts(out, head);
	sb_putc(out, '\n');
	for (size_t i = 0; i < nrows; i++) {
		const struct ct_phase *ph = rows[i];

		if (!ph->in_sum || !ct_phase_applies(tl, ph) || !ph->complete)
			continue;
		if (ct_bd_phase(m, tl, ph, &bd) || !bd.valid)
			continue;
		ct_bd_summary(&bd, ct_phase_name(ph->id), line, sizeof(line));
		wrapped(out, "   ", str_esc(esc, sizeof(esc), line), 6);
	}
	/* the files of the whole cold start, or of what was seen of it */
	whole = tl->ph[CT_PH_TOTAL];
	if (!whole.complete && tl->t_end > tl->t0) {
		whole.start = tl->t0;
		whole.end = tl->t_end;
		whole.dur = tl->t_end - tl->t0;
		whole.complete = true;
	}
	if (!ct_bd_phase(m, tl, &whole, &total) && total.valid)
		bd_top_files(out, &total, tl->ph[CT_PH_TOTAL].complete, o);
	else
		total = bd;
	if (m->have_sched && total.incomplete)
		sb_printf(out, "  %sbreakdown incomplete:%s %llu scheduler and file records lost or not kept, "
			  "%llu state changes missed: figures are lower bounds\n",
			  c_on(o, "\033[33m"), c_on(o, "\033[0m"),
			  (unsigned long long)(m->lost[CT_EV_SCHED] + m->lost[CT_EV_OPEN] + m->lost[CT_EV_FREAD] +
					       m->lost[CT_EV_PCACHE] + m->dropped_sched + m->dropped_files),
			  (unsigned long long)m->sched_gaps);
	if (!m->have_sched)
		sb_puts(out, "  (scheduler states off: no scheduler records)\n");
	if (!m->have_files)
		sb_puts(out, "  (files off: no open or read records)\n");
}

/* ---- the extensions (phases.h struct ct_extension) and who gated INIT ---- */

#define EXT_NAME_W_MIN 9  /* "extension" */
#define EXT_NAME_W_MAX 24 /* longer names are cut in the table (the gate lines have them whole) */
#define EXT_ROWS_MAX 64   /* rows, then failed or gating ones only (a hostile trace stays readable) */

/* "12.345" ms, or "-" when not seen. */
static const char *ms_cell(char *buf, size_t len, uint64_t ns)
{
	if (ns)
		snprintf(buf, len, "%.3f", MS(ns));
	else
		snprintf(buf, len, "-");
	return buf;
}

static void ext_subs(struct strbuf *out, const struct ct_extension *e, uint64_t t0)
{
	struct strbuf sb;
	char eb[EB];

	if (!e->nsubs && !e->events[0])
		return;
	sb_init(&sb);
	if (e->events[0])
		sb_printf(&sb, "events %s", str_esc(eb, sizeof(eb), e->events));
	for (size_t k = 0; k < e->nsubs && k < CT_EXT_SUBS_MAX; k++) {
		const struct ct_ext_sub *s = &e->subs[k];

		sb_printf(&sb, "%s%s at %.3f ms", sb.len ? (k ? ", " : "; subscribed to ") : "subscribed to ",
			  lambda_api_name(s->api), s->ts >= t0 ? MS(s->ts - t0) : 0.0);
		if (s->status)
			sb_printf(&sb, " (%d)", s->status);
		else
			sb_puts(&sb, " (no answer seen)");
	}
	if (!sb.oom && sb.buf)
		wrapped(out, "     ", sb.buf, 8);
	sb_free(&sb);
}

/* A failed extension's line: how it failed, when, and the error type. */
static void ext_failure(struct strbuf *out, const struct ct_extension *e, uint64_t t0,
			const struct ct_render_opts *o)
{
	struct strbuf sb;
	char st[48], eb[EB], head[48];

	if (!e->failed && !e->error_type[0])
		return;
	sb_init(&sb);
	if (e->error_ts)
		sb_printf(&sb, "%s/error at %.3f ms", e->state == CT_EXT_EXIT_ERROR ? "exit" : "init",
			  e->error_ts >= t0 ? MS(e->error_ts - t0) : 0.0);
	if (e->exit_ts) {
		ct_exit_str(e->exit_status, CT_EXIT_SHORT, st, sizeof(st));
		sb_printf(&sb, "%s%s at %.3f ms", sb.len ? "; " : "", st, e->exit_ts >= t0 ? MS(e->exit_ts - t0) : 0.0);
		if (!e->ready_ts)
			sb_puts(&sb, ", before asking for its first event");
	} else if (e->failed) {
		sb_printf(&sb, "%sstill running at the end", sb.len ? "; " : "");
	}
	if (e->error_type[0])
		sb_printf(&sb, "%serror type %s", sb.len ? "; " : "", str_esc(eb, sizeof(eb), e->error_type));
	snprintf(head, sizeof(head), "      %s%s:%s", c_on(o, "\033[31m"), e->failed ? "failed" : "error",
		 c_on(o, "\033[0m"));
	if (!sb.oom && sb.buf)
		wrapped(out, head, sb.buf, 8);
	sb_free(&sb);
}

/* The extensions' table (ms; exec from the timeline's start, the rest from
 * each one's exec), then the sentences naming who the runtime's start and
 * INIT's end waited for. Nothing at all without extensions. */
static void extensions(struct strbuf *out, const struct ct_timeline *tl, const struct ct_render_opts *o)
{
	int w = EXT_NAME_W_MIN;
	char eb[EB], name[EB], c[4][32], line[4 * 256], head[64];
	size_t shown = 0, hidden_failed = 0;

	if (!tl->next || !tl->ext)
		return;
	for (size_t i = 0; i < tl->next; i++) {
		int l = (int)strlen(str_esc(name, sizeof(name), tl->ext[i].name));

		if (l > w)
			w = l > EXT_NAME_W_MAX ? EXT_NAME_W_MAX : l;
	}
	sb_printf(out, "  %s%-*s%s %7s%9s%9s%11s%9s  %s\n", c_on(o, "\033[1m"), w + 2, "extensions",
		  c_on(o, "\033[0m"), "pid", "exec", "Go init", "registered", "ready", "state");
	for (size_t i = 0; i < tl->next; i++) {
		const struct ct_extension *e = &tl->ext[i];
		const char *col = e->failed ? "\033[31m" : e->state != CT_EXT_READY ? "\033[33m" : "";
		bool gating = (tl->init_gate.known && tl->init_gate.ext == (long)i) ||
			      (tl->register_gate.known && tl->register_gate.ext == (long)i);

		if (shown >= 2 * EXT_ROWS_MAX || (shown >= EXT_ROWS_MAX && !e->failed && !gating)) {
			hidden_failed += e->failed;
			continue;
		}
		shown++;
		str_esc(name, (size_t)w + 1, e->name[0] ? e->name : "?"); /* cut with "..." */
		if (e->exec_ts)
			snprintf(c[0], sizeof(c[0]), "%.3f", e->exec_ts >= tl->t0 ? MS(e->exec_ts - tl->t0) : 0.0);
		else
			snprintf(c[0], sizeof(c[0]), "-");
		ms_cell(c[1], sizeof(c[1]), e->go_image ? ct_ext_go_init(e) : 0);
		ms_cell(c[2], sizeof(c[2]), ct_ext_to_register(e));
		ms_cell(c[3], sizeof(c[3]), ct_ext_to_ready(e));
		sb_printf(out, "    %-*s %7u%9s%9s%11s%9s  %s%s%s\n", w, name, e->pid, c[0], c[1], c[2], c[3],
			  c_on(o, col), ct_ext_state_name(e->state), *col ? c_on(o, "\033[0m") : "");
		ext_subs(out, e, tl->t0);
		ext_failure(out, e, tl->t0, o);
	}
	if (shown < tl->next) {
		sb_printf(out, "    ... %zu more", tl->next - shown);
		if (hidden_failed)
			sb_printf(out, ", %zu of them failed", hidden_failed);
		sb_puts(out, " (all of them: -f jsonl)\n");
	}
	sb_puts(out, "    (ms; exec and 'at': since the cold start's start; the rest: since its exec)\n");
	ct_gate_sentence(tl, &tl->register_gate, false, line, sizeof(line));
	if (line[0]) {
		snprintf(head, sizeof(head), "  %sregistration:%s", c_on(o, "\033[1m"), c_on(o, "\033[0m"));
		wrapped(out, head, str_esc(eb, sizeof(eb), line), 4);
	}
	ct_gate_sentence(tl, &tl->init_gate, true, line, sizeof(line));
	if (line[0]) {
		snprintf(head, sizeof(head), "  %scritical path:%s%s", c_on(o, "\033[1m"), c_on(o, "\033[0m"),
			 c_on(o, "\033[1m"));
		wrapped(out, head, str_esc(eb, sizeof(eb), line), 4);
		sb_puts(out, c_on(o, "\033[0m"));
	}
}

/* The runtime's CPython imports within function init (all of them when
 * that phase has no end): their top-level loads' time and the slowest. */
static void runtime_imports(struct strbuf *out, const struct ct_timeline *tl)
{
	const struct ct_phase *fi = &tl->ph[CT_PH_FUNC_INIT];
	const struct ct_pyimport *slow = NULL;
	uint64_t total = 0;
	size_t n = 0;
	char eb[EB];

	for (size_t j = 0; tl->runtime && j < tl->runtime->nimages; j++) {
		const struct ct_image *im = &tl->runtime->images[j];

		for (size_t k = 0; k < im->npyimports; k++) {
			const struct ct_pyimport *pi = &im->pyimports[k];

			if (!pi->end || (fi->complete && (pi->start < fi->start || pi->end > fi->end)))
				continue;
			n++;
			if (pi->level)
				continue;
			total += ct_pyimport_cum(pi);
			if (!slow || ct_pyimport_cum(pi) > ct_pyimport_cum(slow))
				slow = pi;
		}
	}
	if (!slow)
		return;
	sb_printf(out, "  %s: %.3f ms in CPython imports (%zu module%s; slowest top-level: %s %.3f ms)\n",
		  fi->complete ? "of function init" : "runtime", MS(total), n, n == 1 ? "" : "s",
		  str_esc(eb, sizeof(eb), slow->name), MS(ct_pyimport_cum(slow)));
}

void ct_text_cold_start(struct strbuf *out, const struct ct_model *m, const struct ct_timeline *tl, size_t idx,
			size_t n, const struct ct_render_opts *o)
{
	const struct ct_phase *rows[CT_PH_COUNT];
	size_t nrows = phase_rows(tl, rows);
	const struct ct_phase *tot = &tl->ph[CT_PH_TOTAL];
	uint64_t t0 = tl->t0, t1 = tot->complete ? tot->end : tl->t_end;
	char a[64], r[64], line[512], ax[16], eb[EB];
	struct strbuf sb;
	int nw, bw;

	ct_proc_label(tl->agent, eb, sizeof(eb));
	str_esc(a, sizeof(a), eb);
	ct_proc_label(tl->runtime, eb, sizeof(eb));
	str_esc(r, sizeof(r), eb);
	sb_printf(out, "\n%scold start%s", c_on(o, "\033[1m"), c_on(o, "\033[0m"));
	if (n > 1)
		sb_printf(out, " #%zu", idx + 1);
	if (tl->agent)
		sb_printf(out, ": agent pid %u %s", tl->agent_pid, a);
	else
		sb_printf(out, ": agent not traced (port %u)", tl->api_port);
	if (tl->runtime)
		sb_printf(out, " -> runtime pid %u %s%s", tl->runtime_pid, r, tl->runtime_guessed ? " (guessed)" : "");
	sb_putc(out, '\n');
	if (tl->request_id[0])
		sb_printf(out, "  request %s%s\n", str_esc(eb, sizeof(eb), tl->request_id),
			  tl->request_id_from_log ? " (from the agent's log)" : "");
	snprintf(ax, sizeof(ax), "%.1f ms", MS(t1 > t0 ? t1 - t0 : 0));
	nw = phase_name_w(tl, rows, nrows, PHASE_W);
	bw = BAR_W - (nw - PHASE_W) < BAR_W_MIN ? BAR_W_MIN : BAR_W - (nw - PHASE_W);
	sb_printf(out, "  %-*s%9s  |0 ms%*s|\n", nw, "phase", "ms", bw - 4, ax);
	for (size_t i = 0; i < nrows; i++)
		if (ct_phase_applies(tl, rows[i]))
			phase_row(out, tl, rows[i], t0, t1, nw, bw, o);
	extensions(out, tl, o);
	runtime_imports(out, tl);

	if (tl->have_init_report || tl->have_report_init) {
		const struct ct_phase *fa = &tl->ph[CT_PH_FUNC_INIT_AGENT], *fi = &tl->ph[CT_PH_FUNC_INIT];
		const struct ct_phase *all = &tl->ph[CT_PH_INIT_ALL];
		bool with_ext = ct_phase_applies(tl, all); /* INIT ends when the extensions are ready too */
		int fw = with_ext ? 23 : 19;

		if (with_ext) /* the agent's INIT and Init Duration then both cover it */
			fa = fi = all;
		sb_puts(out, "  the agent's own figures, beside what they claim to measure:\n");
		if (tl->have_init_report) {
			sb_printf(out, "    %-22s%9.3f ms  measured %-*s", "INIT REPORT durationMs", tl->init_report_ms,
				  fw, with_ext ? "INIT_START -> INIT done" : "INIT_START -> /next");
			if (fa->complete)
				sb_printf(out, "%9.3f\n", MS(fa->dur));
			else
				sb_printf(out, "%9s\n", "--");
		}
		if (tl->have_report_init) {
			sb_printf(out, "    %-22s%9.3f ms  measured %-*s", "REPORT Init Duration", tl->report_init_ms,
				  fw, with_ext ? "INIT_START -> INIT done" : "function init");
			if (fi->complete)
				sb_printf(out, "%9.3f\n", MS(fi->dur));
			else
				sb_printf(out, "%9s\n", "--");
		}
	}
	if (tl->held_ns) {
		struct strbuf hb;

		sb_printf(out, "  of this, coldtrace held new binaries stopped %.3f ms to attach probes\n",
			  MS(tl->held_ns));
		sb_init(&hb);
		for (size_t i = 0; i < nrows; i++) {
			const struct ct_phase *ph = rows[i];

			if (!ph->held_ns || !ph->complete || ph->dur < ph->held_ns)
				continue;
			sb_printf(&hb, "%s%s %.3f ms", hb.len ? ", " : "", ct_phase_name(ph->id),
				  MS(ph->dur - ph->held_ns));
		}
		if (hb.len)
			wrapped(out, "  (first exec of each binary only) without the holds:", hb.buf, 4);
		sb_free(&hb);
	}
	sb_init(&sb);
	for (size_t k = 0; k < tl->nmissing; k++)
		sb_printf(&sb, "%s%s", k ? ", " : "", ct_ms_name(tl->missing[k]));
	if (tl->nmissing) {
		snprintf(line, sizeof(line), "  %smissing:%s", c_on(o, "\033[31m"), c_on(o, "\033[0m"));
		wrapped(out, line, sb.buf, 4);
	}
	sb_reset(&sb);
	if (tot->complete && tl->complete) {
		const struct ct_phase *big = NULL, *second = NULL;

		for (int p = 0; p < CT_PH_COUNT; p++) {
			const struct ct_phase *ph = &tl->ph[p];

			if (!ph->in_sum || !ph->complete)
				continue;
			if (!big || ph->dur > big->dur) {
				second = big;
				big = ph;
			} else if (!second || ph->dur > second->dur) {
				second = ph;
			}
		}
		sb_printf(&sb, "cold start %.3f ms from the agent's exec to the first response", MS(tot->dur));
		if (big && tot->dur)
			sb_printf(&sb, "; %s %.0f%%", ct_phase_name(big->id), 100.0 * (double)big->dur / (double)tot->dur);
		if (second && tot->dur)
			sb_printf(&sb, ", %s %.0f%%", ct_phase_name(second->id),
				  100.0 * (double)second->dur / (double)tot->dur);
	} else {
		sb_puts(&sb, "INCOMPLETE cold start: ");
		if (tl->note[0])
			sb_puts_esc(&sb, tl->note);
		else
			sb_puts(&sb, "see what is missing");
	}
	if (!sb.oom && sb.buf) {
		snprintf(line, sizeof(line), "  %ssummary:%s", c_on(o, "\033[1m"), c_on(o, "\033[0m"));
		wrapped(out, line, sb.buf, 4);
	}
	sb_free(&sb);
	breakdown(out, m, tl, rows, nrows, o);
}

static void cold_starts(struct strbuf *out, const struct ct_model *m, const struct ct_render_opts *o)
{
	struct ct_timelines tls;

	if (ct_timelines_build(m, &tls))
		return;
	for (size_t i = 0; i < tls.n; i++)
		ct_text_cold_start(out, m, &tls.v[i], i, tls.n, o);
	ct_timelines_free(&tls);
}

void ct_render_text(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o)
{
	const struct ct_proc *root = ct_model_proc_const(m, m->root_pid);
	size_t ngo = ct_model_go_images(m), npy = ct_model_py_images(m);
	char st[48], cmd[CT_CMDLINE_MAX + 64], eb[EB], gv[160];

	if (root) {
		status_str(root, st, sizeof(st));
		sb_printf(out, "%scoldtrace:%s %s: %s", c_on(o, "\033[1m"), c_on(o, "\033[0m"),
			  o && o->command ? str_esc(eb, sizeof(eb), ct_redact_cmdline(o->command, cmd, sizeof(cmd)))
					  : "command",
			  st);
		if (root->exited && root->exit_ts > root->start_ts)
			sb_printf(out, " after %.3f ms", MS(root->exit_ts - root->start_ts));
		sb_printf(out, "; %zu process%s, %zu Go program%s with package inits", m->nprocs,
			  m->nprocs == 1 ? "" : "es", ngo, ngo == 1 ? "" : "s");
		if (npy) /* only then: the line of a trace without Python as it was */
			sb_printf(out, ", %zu CPython program%s with imports", npy, npy == 1 ? "" : "s");
		sb_putc(out, '\n');
	}
	cold_starts(out, m, o);
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct ct_proc *p = &m->procs[i];

		for (size_t j = 0; j < p->nimages; j++) {
			const struct ct_image *im = &p->images[j];

			if (!im->exec_ts && !im->is_go && !im->is_python)
				continue; /* a fork that never exec'd: nothing of its own */
			status_str(p, st, sizeof(st));
			sb_printf(out, "\n%spid %u%s  %s", c_on(o, "\033[1m"), p->pid, c_on(o, "\033[0m"),
				  str_esc(eb, sizeof(eb), im->path[0] ? im->path : im->comm));
			if (im->is_go)
				sb_printf(out, "  %s", str_esc(gv, sizeof(gv), im->go_version[0] ? im->go_version : "Go"));
			if (im->is_python)
				sb_printf(out, "  CPython%s%s", im->py_version[0] ? " " : "",
					  str_esc(gv, sizeof(gv), im->py_version));
			if (j + 1 == p->nimages)
				sb_printf(out, "  (%s)", st);
			sb_putc(out, '\n');
			if (j + 1 == p->nimages && p->nthreads) {
				sb_printf(out, "    kernel: %.3f ms on CPU, %.3f ms runnable, %u thread%s\n", MS(p->sum.run_ns),
					  MS(p->runnable_ns), p->nthreads, p->nthreads == 1 ? "" : "s");
				sb_printf(out, "            faults %llu minor, %llu major; switches %llu voluntary, %llu involuntary\n",
					  (unsigned long long)p->sum.min_flt, (unsigned long long)p->sum.maj_flt,
					  (unsigned long long)p->sum.nvcsw, (unsigned long long)p->sum.nivcsw);
			}
			if (im->exec_miss_pages)
				sb_printf(out, "    exec: %.1f MB of the binary read from disk by the kernel during execve, from %.3f ms before its exec record (before any phase that starts there)\n",
					  (double)im->exec_miss_pages * m->page_size / 1e6, MS(im->exec_ts - im->exec_miss_first));
			if (im->is_go)
				go_image(out, im, o);
			if (im->is_python)
				py_image(out, p, im, o);
		}
	}
	timeline(out, m, m->first_ts, o);
	if (ct_model_lost_total(m))
		sb_printf(out, "\n%swarning:%s %llu events were lost (ring buffer full): the trace is incomplete\n",
			  c_on(o, "\033[33m"), c_on(o, "\033[0m"), (unsigned long long)ct_model_lost_total(m));
	if (m->dropped_records) {
		sb_printf(out, "\n%swarning:%s %llu records were not kept", c_on(o, "\033[33m"), c_on(o, "\033[0m"),
			  (unsigned long long)m->dropped_records);
		if (m->dropped_budget)
			sb_printf(out, " (%llu for the memory budget of %llu MiB)", (unsigned long long)m->dropped_budget,
				  (unsigned long long)(ct_model_budget(m) >> 20));
		sb_puts(out, ": the trace is incomplete\n");
	}
}
