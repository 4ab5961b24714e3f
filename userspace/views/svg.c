// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The cold start as a picture, in the spirit of `systemd-analyze plot`: one
 * time axis with grid lines; per sandbox a row per phase; then a row per
 * process (forked / held by coldtrace / running), with marks for its HTTP
 * messages and log lines, and per Go image its package inits as a band of
 * thin bars under it, then zoomed: the init window over the plot's width,
 * a bar per package in Go's order, narrow neighbours grouped, the slowest
 * labelled (pkgband.h). Every bar has a <title> tooltip "name (1.23 ms)";
 * a legend closes it. Standalone SVG 1.1; all text is escaped.
 *
 * A CPython image's module loads (what -X importtime reports) are a band
 * under its process: the top-level loads as bars "module (cum, self)",
 * labelled when wide enough, the loads nested one and two levels deep on two
 * thinner rows under them (deeper ones folded into their ancestor).
 *
 * With the scheduler records of the kernel-level breakdown (breakdown.h), a
 * thin band under each process bar shades what its threads were doing, one
 * pixel column at a time: dark green where a thread ran, light green where
 * one waited for a CPU, orange for I/O wait, red for other uninterruptible
 * sleep, grey for sleeping or stopped (the state that held the column the
 * longest, each instant counted once as its best state over the threads);
 * a phase's tooltip ends with its breakdown.
 *
 * A cold start with Lambda extensions gets a row per extension under its
 * milestones: "register" (exec -> registered) and "init" (registered -> its
 * first event/next) bars, a thin Go-init bar when it is Go, a triangle per
 * Telemetry/Logs subscription; a failed one is outlined in red and labelled
 * with how it ended. Who INIT waited for last (the gate) is a dashed red
 * line at INIT done and a caption under the rows, and a line under the
 * title. Without extensions the picture is as before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakdown.h"
#include "exitstatus.h"
#include "phases.h"
#include "pkgband.h"
#include "render.h"
#include "tlviews.h"

#define W 1400
#define NX 12.0  /* the row names */
#define X0 262.0 /* the plot */
#define PW (W - X0 - 24.0)
#define ROW 20
#define BAR 14
#define BAND 9
#define MAX_ROWS_PROCS 300 /* processes drawn, at most */
#define MAX_MARKS 2000     /* HTTP / log marks drawn, at most */
#define MAX_EXT_ROWS 64    /* extension rows per cold start, at most */
#define TEXT_MAX 240       /* characters of a label */
#define TIP_MAX 720        /* characters of a tooltip */
#define SBAND 5            /* the thread-state band under a process bar */
#define NCOLS ((size_t)PW + 1) /* its pixel columns */

struct svg {
	struct strbuf *b;
	uint64_t t0, span; /* the axis: [t0, t0 + span] */
	uint64_t origin;   /* time 0 of its ticks and tooltips: the trace's start */
	bool cut_l, cut_r; /* the trace goes on before t0 / after t0 + span (folded) */
	double y;
	const struct ct_model *m;
	uint32_t *by_pid; /* m->tspans indexes by (pid, start); NULL: none */
	size_t nby_pid;
	double *cols;     /* NCOLS * CT_BD_NSTATES: ns per column and state */
	bool pkg_groups;  /* a zoomed package band has a group bar (legend) */
};

static uint64_t grid_step(uint64_t span);

/* XML text: escaped, control bytes (as spaces), invalid UTF-8, C1 and bidi
 * controls (as '?') replaced, at most max characters (then "..."). */
static void esc_n(struct strbuf *b, const char *s, size_t n, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, chars = 0;

	while (i < n && p[i]) {
		unsigned char c = p[i];
		size_t l = 1;

		if (chars++ >= max) {
			sb_puts(b, "...");
			return;
		}
		switch (c) {
		case '&': sb_puts(b, "&amp;"); i++; continue;
		case '<': sb_puts(b, "&lt;"); i++; continue;
		case '>': sb_puts(b, "&gt;"); i++; continue;
		case '"': sb_puts(b, "&quot;"); i++; continue;
		case '\'': sb_puts(b, "&apos;"); i++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			sb_putc(b, ' ');
			i++;
			continue;
		}
		if (c >= 0x80) {
			size_t need = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
			bool ok = need && i + need <= n && c != 0xc0 && c != 0xc1 && c < 0xf5;

			for (size_t k = 1; ok && k < need; k++)
				ok = (p[i + k] & 0xc0) == 0x80;
			if (ok && c == 0xe0 && p[i + 1] < 0xa0)
				ok = false; /* overlong */
			if (ok && c == 0xed && p[i + 1] >= 0xa0)
				ok = false; /* surrogate */
			if (ok && c == 0xf0 && p[i + 1] < 0x90)
				ok = false;
			if (ok && c == 0xf4 && p[i + 1] >= 0x90)
				ok = false;
			if (!ok) {
				sb_putc(b, '?');
				i++;
				continue;
			}
			/* C1 controls, bidi and line controls: shown as '?' too */
			if ((c == 0xc2 && p[i + 1] <= 0x9f) ||
			    (c == 0xe2 && p[i + 1] == 0x80 &&
			     (p[i + 2] == 0x8e || p[i + 2] == 0x8f || (p[i + 2] >= 0xa8 && p[i + 2] <= 0xae))) ||
			    (c == 0xe2 && p[i + 1] == 0x81 && p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9)) {
				sb_putc(b, '?');
				i += need;
				continue;
			}
			l = need;
		}
		sb_putn(b, (const char *)p + i, l);
		i += l;
	}
}

static void esc(struct strbuf *b, const char *s)
{
	esc_n(b, s ? s : "", s ? strlen(s) : 0, TEXT_MAX);
}

/* The x of ts; before the axis at its start, after it at its end. */
static double xat(const struct svg *g, uint64_t ts)
{
	if (ts <= g->t0)
		return X0;
	if (ts - g->t0 >= g->span)
		return X0 + PW;
	return X0 + (double)(ts - g->t0) * PW / (double)g->span;
}

/* ts is on the axis (a mark outside it is not drawn). */
static bool in_view(const struct svg *g, uint64_t ts)
{
	return ts >= g->t0 && ts - g->t0 <= g->span;
}

/* The width of text at 11px (DejaVu Sans, near enough): digits and capitals
 * are wider than the average letter, spaces and punctuation narrower. */
double ct_svg_text_w(const char *s, size_t n)
{
	double w = 0;

	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c & 0xc0) == 0x80)
			continue; /* inside a UTF-8 character */
		if (c >= '0' && c <= '9')
			w += 7.0;
		else if (c >= 'A' && c <= 'Z')
			w += 7.6;
		else if (c == 'm' || c == 'w' || c == 'M' || c == 'W')
			w += 9.8;
		else if (strchr(" .,:;!|'()[]/-ijlrtf", c))
			w += 4.0;
		else
			w += 6.6;
	}
	return w;
}

/* The right end of the plot for labels: before the fold at its right. */
static double text_right(const struct svg *g)
{
	return g->cut_r ? X0 + PW - 8 : W - 4;
}

/* A <text> at (x, y), anchored at its end when end; cut to maxw pixels with
 * "…" when wider, the whole text then its tooltip. */
static void put_text(struct svg *g, const char *cls, bool end, double x, double y, const char *text, double maxw)
{
	size_t n = strlen(text), cut = n;
	const char *anchor = end ? " text-anchor=\"end\"" : "";

	if (ct_svg_text_w(text, n) > maxw) {
		while (cut > 0 && ct_svg_text_w(text, cut) + 11 > maxw)
			for (cut--; cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80; cut--)
				;
		sb_puts(g->b, "<g><title>");
		esc_n(g->b, text, n, TIP_MAX);
		sb_puts(g->b, "</title>");
	}
	sb_printf(g->b, "<text class=\"%s\"%s x=\"%.2f\" y=\"%.1f\">", cls, anchor, x, y);
	esc_n(g->b, text, cut, TEXT_MAX);
	if (cut < n)
		sb_puts(g->b, "\xe2\x80\xa6</text></g>\n");
	else
		sb_puts(g->b, "</text>\n");
}

static void fmt_ms(uint64_t ns, char *buf, size_t len)
{
	snprintf(buf, len, "%.3f ms", (double)ns / 1e6);
}

/*
 * The label of a bar [x1, x2] of class cls whose baseline is at y: to its
 * right, else to its left (not before xmin), else inside it where none of
 * the marks at xs (n of them, a mark 8 pixels wide) is, else (below: not
 * NULL) on a line of its own under the bar: *below is then set, the row
 * needs BELOW more pixels; else inside, cut to the bar with the whole text
 * as its tooltip.
 */
#define BELOW 13
static void bar_label(struct svg *g, double x1, double x2, double xmin, double y, const char *cls,
		      const char *label, const double *xs, size_t n, bool *below)
{
	double tw = ct_svg_text_w(label, strlen(label));
	const char *in = strcmp(cls, "incomplete") ? "l in" : "l";

	if (x2 + 4 + tw < text_right(g)) {
		put_text(g, "l", false, x2 + 4, y, label, tw + 1);
		return;
	}
	if (x1 - 4 - tw >= xmin) {
		put_text(g, "l", true, x1 - 4, y, label, tw + 1);
		return;
	}
	/* inside: at its start, else just after a mark */
	for (size_t i = 0; i <= n; i++) {
		double s = i ? xs[i - 1] + 5 : x1 + 4;
		bool clear = s >= x1 + 4 && s + tw <= x2 - 3;

		for (size_t k = 0; k < n && clear; k++)
			clear = xs[k] < s - 4 || xs[k] > s + tw + 4;
		if (clear) {
			put_text(g, in, false, s, y, label, tw + 1);
			return;
		}
	}
	if (below) {
		*below = true;
		put_text(g, "l", false, x1 > xmin ? x1 : xmin, y + BELOW + 1, label, text_right(g) - x1);
		return;
	}
	put_text(g, in, false, x1 + 4, y, label, x2 - x1 - 8);
}

/* The end at x of a bar [y, y + h] cut by a fold (left: its start): a white
 * saw-tooth 3 pixels into it. */
static void torn(struct svg *g, double x, double y, double h, bool left)
{
	double s = left ? 1 : -1, step = h / 4;

	sb_printf(g->b, "<path class=\"torn\" d=\"M%.2f %.1f", x, y);
	for (int k = 1; k <= 4; k++)
		sb_printf(g->b, "L%.2f %.1f", x + (k % 2 ? 3 : 0) * s, y + k * step);
	sb_puts(g->b, "Z\"/>\n");
}

/* A <rect> of class cls with its tooltip. */
static void rect_title(struct strbuf *b, const char *cls, double x, double y, double w, double h, const char *tip)
{
	sb_printf(b, "<rect class=\"%s\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\"><title>", cls, x, y, w,
		  h);
	esc_n(b, tip, strlen(tip), TIP_MAX);
	sb_puts(b, "</title></rect>\n");
}

/* A bar with its tooltip; its label (NULL: none) as bar_label puts it. */
static void bar(struct svg *g, double y, double h, uint64_t a, uint64_t b, const char *cls,
		const char *tip, const char *label)
{
	double x1 = xat(g, a), x2 = xat(g, b), w = x2 - x1;

	if (w < 1)
		w = 1;
	rect_title(g->b, cls, x1, y, w, h, tip);
	/* cut by a fold: a torn end */
	if (g->cut_l && a < g->t0 && w > 6)
		torn(g, x1, y, h, true);
	if (g->cut_r && b > g->t0 + g->span && w > 6)
		torn(g, x1 + w, y, h, false);
	if (label)
		bar_label(g, x1, x1 + w, X0, y + h - 3, cls, label, NULL, 0, NULL);
}

static void heading(struct svg *g, const char *text)
{
	g->y += 8;
	sb_printf(g->b, "<text class=\"h\" x=\"%.1f\" y=\"%.1f\">", NX, g->y + 12);
	esc(g->b, text);
	sb_puts(g->b, "</text>\n");
	g->y += ROW;
}

/* The name of a row, in the left column (cut to fit it). */
static void row_name(struct svg *g, const char *text, const char *cls)
{
	sb_printf(g->b, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\">", cls, NX, g->y + BAR - 1);
	esc_n(g->b, text, strlen(text), 40);
	sb_puts(g->b, "</text>\n");
}

/* A phase's class: from its kind, lighter when nested (depth 2); a kind
 * without one here is drawn as a hand-off. */
static const char *phase_class(const struct ct_phase *ph)
{
	static const struct {
		const char *cls, *nested;
	} by_kind[] = {
		[CT_PK_HANDOFF] = {"wait", "wait"},
		[CT_PK_TOTAL] = {"total", "total"},
		[CT_PK_AGENT] = {"agent", "agentgo"},
		[CT_PK_RUNTIME] = {"runtime", "runtimego"},
		[CT_PK_AGENT_VIEW] = {"view", "view"},
		[CT_PK_INVOKE] = {"invoke", "invoke"},
		[CT_PK_EXTENSION] = {"ext", "extn"},
	};
	const char *c = NULL;

	if ((size_t)ph->kind < sizeof(by_kind) / sizeof(by_kind[0]))
		c = ph->depth == 2 ? by_kind[ph->kind].nested : by_kind[ph->kind].cls;
	return c ? c : "wait";
}

/* The rows of a Gantt chart: by start milestone, then depth (the total
 * first, a nested phase under its parent), then the table's order. */
static int by_row(const void *a, const void *b)
{
	const struct ct_phase *x = *(const struct ct_phase *const *)a;
	const struct ct_phase *y = *(const struct ct_phase *const *)b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return (int)x->id - (int)y->id;
}

/* A text at the right of x2, else at the left of x1, else (it fits neither
 * side) from xin on. */
static void side_label(struct svg *g, double x1, double x2, double xin, double y, const char *cls,
		       const char *text)
{
	double tw = ct_svg_text_w(text, strlen(text));

	if (x2 + 4 + tw < text_right(g))
		put_text(g, cls, false, x2 + 4, y, text, tw + 1);
	else if (x1 - 4 - tw >= X0)
		put_text(g, cls, true, x1 - 4, y, text, tw + 1);
	else
		put_text(g, cls, false, xin + 4, y, text, text_right(g) - xin - 4);
}

/* One bar of an extension's row: [a, b], else until it failed (red outline)
 * or until the end of the trace (incomplete). */
static void ext_bar(struct svg *g, const struct ct_extension *e, const char *what, const char *cls, double y,
		    uint64_t a, uint64_t b, uint64_t fail, uint64_t last)
{
	char tip[TIP_MAX], d[32], out[160];

	if (b) {
		fmt_ms(b > a ? b - a : 0, d, sizeof(d));
		snprintf(tip, sizeof(tip), "extension %s (pid %u): %s (%s)", e->name, e->pid, what, d);
	} else {
		ct_ext_outcome(e, out, sizeof(out));
		snprintf(tip, sizeof(tip), "extension %s (pid %u): %s, %s", e->name, e->pid, what,
			 fail ? out : "not ended at the end of the trace");
	}
	bar(g, y, BAR, a, b ? b : fail ? fail : last, b ? cls : fail ? "extfail" : "incomplete", tip, NULL);
}

/* Extension rows: one per extension of tl, under its phases. */
static void ext_rows(struct svg *g, const struct ct_timeline *tl)
{
	char label[320], tip[TIP_MAX], d[32], d2[32];

	for (size_t i = 0; i < tl->next; i++) {
		const struct ct_extension *e = &tl->ext[i];
		uint64_t start = e->exec_ts ? e->exec_ts : e->register_ts, fail = ct_ext_fail_ts(e);
		uint64_t last = g->m->last_ts > start ? g->m->last_ts : start, end = start;
		bool gate = tl->init_gate.known && !tl->init_gate.is_runtime && tl->init_gate.ext == (long)i;
		double y = g->y + (ROW - BAR) / 2.0;

		if (i == MAX_EXT_ROWS) {
			snprintf(label, sizeof(label), "  ... %zu more extensions (all of them: -f jsonl)",
				 tl->next - i);
			sb_printf(g->b, "<text class=\"l\" x=\"%.1f\" y=\"%.1f\">", NX, g->y + BAR - 1);
			esc(g->b, label);
			sb_puts(g->b, "</text>\n");
			g->y += ROW;
			break;
		}
		snprintf(label, sizeof(label), "  extension %s (pid %u)", e->name, e->pid);
		row_name(g, label, gate ? "n b" : "n");
		if (!start) {
			ct_ext_outcome(e, label, sizeof(label));
			side_label(g, X0, X0, X0, g->y + BAR - 1, "l missing", label);
			g->y += ROW;
			continue;
		}
		ext_bar(g, e, "register, exec -> registered", "ext", y, start, e->registered_ts, fail, last);
		end = e->registered_ts ? e->registered_ts : fail ? fail : last;
		if (e->registered_ts) {
			ext_bar(g, e, "init, registered -> its first event/next", "extn", y, e->registered_ts,
				e->ready_ts, fail, last);
			end = e->ready_ts ? e->ready_ts : fail ? fail : last;
		}
		if (ct_ext_go_init(e)) {
			fmt_ms(ct_ext_go_init(e), d, sizeof(d));
			snprintf(tip, sizeof(tip), "extension %s: Go init, runtime start -> main.main (%s, %zu package inits)",
				 e->name, d, e->go_image ? e->go_image->npkgs : (size_t)0);
			bar(g, y + BAR - 5, 5, e->go_rt_start, e->go_main, "extgo", tip, NULL);
		}
		for (size_t k = 0; k < e->nsubs; k++) {
			const struct ct_ext_sub *sub = &e->subs[k];
			double x = xat(g, sub->ts);

			if (!sub->ts || !in_view(g, sub->ts))
				continue;
			if (sub->status)
				snprintf(tip, sizeof(tip), "extension %s subscribed to the %s API: %d", e->name,
					 lambda_api_name(sub->api), sub->status);
			else
				snprintf(tip, sizeof(tip), "extension %s subscribed to the %s API: no answer seen",
					 e->name, lambda_api_name(sub->api));
			sb_printf(g->b, "<path class=\"sub\" d=\"M%.2f %.1fl4 -6h-8z\"><title>", x, y + 1);
			esc(g->b, tip);
			sb_puts(g->b, "</title></path>\n");
		}
		if (e->failed || e->state == CT_EXT_EXIT_ERROR) {
			ct_ext_outcome(e, label, sizeof(label));
		} else if (e->ready_ts) {
			fmt_ms(ct_ext_to_register(e), d, sizeof(d));
			fmt_ms(ct_ext_to_ready(e), d2, sizeof(d2));
			if (ct_ext_to_register(e))
				snprintf(label, sizeof(label), "registered %s, ready %s after exec", d, d2);
			else
				snprintf(label, sizeof(label), "ready %s after exec", d2);
		} else {
			ct_ext_outcome(e, label, sizeof(label));
		}
		if (gate) {
			size_t l = strlen(label);

			snprintf(label + l, sizeof(label) - l, ", gated INIT");
		}
		/* inside: on its init bar (light), else its register bar */
		side_label(g, xat(g, start), xat(g, end), xat(g, e->registered_ts ? e->registered_ts : start),
			   g->y + (ROW - BAR) / 2.0 + BAR - 3, e->failed ? "l missing" : "l", label);
		g->y += ROW;
	}
}

/* The gates: a dashed line at INIT done (from top to the current row) and
 * the captions naming who INIT and the runtime's start waited for last. */
static void gate_rows(struct svg *g, const struct ct_timeline *tl, double top)
{
	char line[400];

	if (tl->init_gate.known && tl->init_gate.ts) {
		double x = xat(g, tl->init_gate.ts);

		ct_gate_sentence(tl, &tl->init_gate, true, line, sizeof(line));
		sb_printf(g->b, "<line class=\"gate\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"><title>", x,
			  top, x, g->y);
		esc(g->b, line);
		sb_puts(g->b, "</title></line>\n");
		sb_printf(g->b, "<text class=\"l gate\" x=\"%.1f\" y=\"%.1f\">", NX, g->y + BAR - 1);
		esc(g->b, line);
		sb_puts(g->b, "</text>\n");
		g->y += ROW;
	}
	ct_gate_sentence(tl, &tl->register_gate, false, line, sizeof(line));
	if (line[0]) {
		sb_printf(g->b, "<text class=\"l\" x=\"%.1f\" y=\"%.1f\">", NX, g->y + BAR - 1);
		esc(g->b, line);
		sb_puts(g->b, "</text>\n");
		g->y += ROW;
	}
}

static void timeline_rows(struct svg *g, const struct ct_timeline *tl, size_t idx, size_t n)
{
	const struct ct_phase *rows[CT_PH_COUNT];
	char a[64], r[64], head[256], tip[1024], label[320], d[32];
	double top;

	ct_proc_label(tl->agent, a, sizeof(a));
	ct_proc_label(tl->runtime, r, sizeof(r));
	if (n > 1)
		snprintf(head, sizeof(head), "cold start #%zu: agent %s (pid %u) -> runtime %s (pid %u)", idx + 1, a,
			 tl->agent_pid, r, tl->runtime_pid);
	else
		snprintf(head, sizeof(head), "cold start: agent %s (pid %u) -> runtime %s (pid %u)", a, tl->agent_pid,
			 r, tl->runtime_pid);
	if (tl->next) {
		size_t l = strlen(head);

		snprintf(head + l, sizeof(head) - l, ", %zu extension%s%s", tl->next, tl->next == 1 ? "" : "s",
			 tl->next_failed ? " (failed)" : "");
	}
	heading(g, head);
	top = g->y;
	for (size_t i = 0; i < CT_PH_COUNT; i++)
		rows[i] = &tl->ph[i];
	qsort(rows, CT_PH_COUNT, sizeof(rows[0]), by_row);
	for (size_t i = 0; i < CT_PH_COUNT; i++) {
		const struct ct_phase *ph = rows[i];
		const char *name = ct_phase_name(ph->id);

		if (!ct_phase_applies(tl, ph))
			continue;
		snprintf(label, sizeof(label), "%s%s", ph->depth == 2 ? "    " : ph->depth == 1 ? "  " : "", name);
		row_name(g, label, ph->depth == 0 ? "n b" : "n");
		if (!ph->start) {
			sb_printf(g->b, "<text class=\"l missing\" x=\"%.1f\" y=\"%.1f\">", X0 + 4, g->y + BAR - 1);
			snprintf(label, sizeof(label), "not seen: no %s",
				 tl->ms[ph->from].state == CT_MS_SEEN ? ct_ms_name(ph->to) : ct_ms_name(ph->from));
			esc(g->b, label);
			sb_puts(g->b, "</text>\n");
			g->y += ROW;
			continue;
		}
		if (ph->complete) {
			fmt_ms(ph->dur, d, sizeof(d));
			snprintf(tip, sizeof(tip), "%s (%s): %s -> %s", name, d, ct_ms_name(ph->from), ct_ms_name(ph->to));
			if (ph->id == CT_PH_FUNC_INIT_AGENT && tl->have_init_report)
				snprintf(label, sizeof(label), "%s (the agent's INIT REPORT says %.3f ms)", d,
					 tl->init_report_ms);
			else if (ph->id == CT_PH_FUNC_INIT && tl->have_report_init)
				snprintf(label, sizeof(label), "%s (REPORT Init Duration says %.3f ms)", d,
					 tl->report_init_ms);
			else if (ph->id == CT_PH_INIT_ALL && tl->init_gate.known && !tl->init_gate.is_runtime &&
				 tl->init_gate.ext >= 0 && (size_t)tl->init_gate.ext < tl->next)
				snprintf(label, sizeof(label), "%s (waited for extension %s last)", d,
					 tl->ext[tl->init_gate.ext].name);
			else if (ph->id == CT_PH_INIT_ALL && tl->init_gate.known && tl->init_gate.is_runtime)
				snprintf(label, sizeof(label), "%s (waited for the runtime last)", d);
			else
				snprintf(label, sizeof(label), "%s", d);
			if (ph->held_ns) {
				size_t l = strlen(tip);

				fmt_ms(ph->held_ns, d, sizeof(d));
				snprintf(tip + l, sizeof(tip) - l, "; of it %s held by coldtrace", d);
			}
			{
				struct ct_bd bd;
				size_t l = strlen(tip);

				/* its breakdown: "; agent init 9.4 ms: 3 ms on CPU, ..." */
				if (!ct_bd_phase(g->m, tl, ph, &bd) && bd.valid &&
				    !(bd.sched_off && bd.files_off && bd.pcache_off) && l + 2 < sizeof(tip)) {
					snprintf(tip + l, sizeof(tip) - l, "; ");
					ct_bd_summary(&bd, name, tip + l + 2, sizeof(tip) - l - 2);
				}
			}
			bar(g, g->y + (ROW - BAR) / 2.0, ph->depth == 2 ? BAR - 4 : BAR, ph->start, ph->end,
			    phase_class(ph), tip, label);
		} else {
			snprintf(tip, sizeof(tip), "%s (incomplete: %s not seen)", name, ct_ms_name(ph->to));
			snprintf(label, sizeof(label), "incomplete: no %s", ct_ms_name(ph->to));
			bar(g, g->y + (ROW - BAR) / 2.0, BAR, ph->start, tl->t_end > ph->start ? tl->t_end : ph->start,
			    "incomplete", tip, label);
		}
		g->y += ROW;
	}
	/* the milestones, as marks on one row */
	for (int k = 0; k < CT_MS_COUNT; k++) {
		const struct ct_milestone *ms = &tl->ms[k];
		double x = xat(g, ms->ts), y = g->y + ROW / 2.0;

		if (ms->state != CT_MS_SEEN || !in_view(g, ms->ts))
			continue;
		fmt_ms(ms->ts - g->origin, d, sizeof(d));
		sb_printf(g->b, "<path class=\"ms\" d=\"M%.2f %.1fl4 5l-4 5l-4 -5z\"><title>", x, y - 5);
		snprintf(tip, sizeof(tip), "%s (at %s, pid %u)", ct_ms_name((enum ct_ms)k), d, ms->pid);
		esc(g->b, tip);
		sb_puts(g->b, "</title></path>\n");
	}
	row_name(g, "  milestones", "n");
	g->y += ROW;
	ext_rows(g, tl);
	gate_rows(g, tl, top);
	if (tl->nmissing || tl->note[0]) {
		struct strbuf sb;

		sb_init(&sb);
		if (tl->note[0])
			sb_printf(&sb, "%s. ", tl->note);
		if (tl->nmissing) {
			sb_puts(&sb, "Missing: ");
			for (size_t k = 0; k < tl->nmissing; k++)
				sb_printf(&sb, "%s%s", k ? ", " : "", ct_ms_name(tl->missing[k]));
		}
		sb_printf(g->b, "<text class=\"l missing\" x=\"%.1f\" y=\"%.1f\">", NX, g->y + BAR - 1);
		esc(g->b, sb.buf);
		sb_puts(g->b, "</text>\n");
		sb_free(&sb);
		g->y += ROW;
	}
}

/* ---- thread states: the band under a process bar ---- */

struct pid_key {
	uint32_t pid;
	uint32_t idx;
	uint64_t start;
};

static int by_pid(const void *a, const void *b)
{
	const struct pid_key *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* g->by_pid: the model's thread-state spans by (pid, start). */
static void index_spans(struct svg *g)
{
	const struct ct_model *m = g->m;
	size_t n = m->ntspans < UINT32_MAX ? m->ntspans : UINT32_MAX;
	struct pid_key *k;

	if (!n)
		return;
	k = malloc(n * sizeof(*k));
	g->by_pid = malloc(n * sizeof(*g->by_pid));
	g->cols = calloc(NCOLS * CT_BD_NSTATES, sizeof(*g->cols));
	if (!k || !g->by_pid || !g->cols) {
		free(k);
		free(g->by_pid);
		free(g->cols);
		g->by_pid = NULL;
		g->cols = NULL;
		return;
	}
	for (size_t i = 0; i < n; i++)
		k[i] = (struct pid_key){m->tspans[i].pid, (uint32_t)i, m->tspans[i].start};
	qsort(k, n, sizeof(*k), by_pid);
	for (size_t i = 0; i < n; i++)
		g->by_pid[i] = k[i].idx;
	g->nby_pid = n;
	free(k);
}

struct edge {
	uint64_t ts;
	int delta; /* +1 the state begins, -1 it ends */
	uint8_t state; /* enum ct_bd_state */
};

static int by_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->delta - y->delta;
}

/* Add [a, b) in state st to the columns. */
static void add_cols(struct svg *g, uint64_t a, uint64_t b, int st)
{
	double per = (double)g->span / (double)(NCOLS - 1); /* ns per column */
	double fa, fb;

	if (b <= g->t0 || b <= a)
		return; /* before the axis (folded) */
	fa = (double)(a > g->t0 ? a - g->t0 : 0) / per;
	fb = (double)(b - g->t0) / per;

	for (size_t c = (size_t)fa; c < NCOLS && (double)c < fb; c++) {
		double lo = fa > (double)c ? fa : (double)c, hi = fb < (double)(c + 1) ? fb : (double)(c + 1);

		if (hi > lo)
			g->cols[c * CT_BD_NSTATES + (size_t)st] += (hi - lo) * per;
	}
}

static const char *const band_class[CT_BD_NSTATES] = {
	[CT_BD_RUNNING] = "st-run", [CT_BD_RUNNABLE] = "st-rable", [CT_BD_IOWAIT] = "st-io",
	[CT_BD_DISK] = "st-d",      [CT_BD_SLEEP] = "st-sl",       [CT_BD_STOPPED] = "st-stop",
};

/*
 * The band of process p at g->y: at each instant the best state of any of
 * its threads (breakdown.h's priority: running, runnable, I/O wait, other
 * uninterruptible sleep, sleep, stopped), and per pixel column the state
 * that held it the longest. Returns false (nothing drawn) when p has no
 * thread-state span.
 */
static bool state_band(struct svg *g, const struct ct_proc *p, uint64_t from, uint64_t to)
{
	const struct ct_model *m = g->m;
	size_t lo = 0, hi = g->nby_pid, n = 0, ne = 0;
	struct edge *e;
	int cnt[CT_BD_NSTATES] = {0};
	struct ct_bd bd;
	char tip[640], label[96];

	if (!g->by_pid)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->tspans[g->by_pid[mid]].pid < p->pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < g->nby_pid && m->tspans[g->by_pid[i]].pid == p->pid; i++)
		n++;
	if (!n || !(e = malloc(2 * n * sizeof(*e))))
		return false;
	for (size_t i = lo; i < lo + n; i++) {
		const struct ct_tspan *s = &m->tspans[g->by_pid[i]];
		enum ct_bd_state st = ct_bd_of_tstate(s->state);

		/* a span of another process of the same pid, or of no state */
		if (s->start < from || s->start > to || st >= CT_BD_UNKNOWN || s->end <= s->start)
			continue;
		e[ne++] = (struct edge){s->start, 1, (uint8_t)st};
		e[ne++] = (struct edge){s->end, -1, (uint8_t)st};
	}
	if (!ne) {
		free(e);
		return false;
	}
	qsort(e, ne, sizeof(*e), by_edge);
	memset(g->cols, 0, NCOLS * CT_BD_NSTATES * sizeof(*g->cols));
	for (size_t i = 0; i < ne;) {
		uint64_t t = e[i].ts;
		int best = CT_BD_UNKNOWN;

		for (; i < ne && e[i].ts == t; i++)
			cnt[e[i].state] += e[i].delta;
		for (int k = 0; k < CT_BD_UNKNOWN && best == CT_BD_UNKNOWN; k++)
			if (cnt[k] > 0)
				best = k;
		/* within the process's life, as its bar */
		if (best != CT_BD_UNKNOWN && i < ne && e[i].ts > g->t0 && t < to)
			add_cols(g, t > g->t0 ? t : g->t0, e[i].ts < to ? e[i].ts : to, best);
	}
	free(e);

	/* the background, its tooltip the process's whole breakdown */
	ct_proc_label(p, label, sizeof(label));
	if (!ct_bd_process(m, p, &bd) && bd.valid) {
		char who[128];

		snprintf(who, sizeof(who), "%s (pid %u), its life,", label, p->pid);
		ct_bd_summary(&bd, who, tip, sizeof(tip));
	} else {
		snprintf(tip, sizeof(tip), "pid %u: thread states", p->pid);
	}
	bar(g, g->y, SBAND, from, to, "st-bg", tip, NULL);
	/* runs of columns of one state */
	for (size_t c = 0; c < NCOLS;) {
		const double *col = &g->cols[c * CT_BD_NSTATES];
		int st = CT_BD_UNKNOWN;
		double most = 0, in = 0, all = 0;
		size_t c0 = c;

		for (int k = 0; k < CT_BD_UNKNOWN; k++)
			if (col[k] > most) {
				most = col[k];
				st = k;
			}
		for (c++; st != CT_BD_UNKNOWN && c < NCOLS; c++) {
			const double *nx = &g->cols[c * CT_BD_NSTATES];
			int nst = CT_BD_UNKNOWN;
			double nm = 0;

			for (int k = 0; k < CT_BD_UNKNOWN; k++)
				if (nx[k] > nm) {
					nm = nx[k];
					nst = k;
				}
			if (nst != st)
				break;
		}
		if (st == CT_BD_UNKNOWN)
			continue;
		for (size_t k = c0; k < c; k++) {
			in += g->cols[k * CT_BD_NSTATES + (size_t)st];
			for (int j = 0; j < CT_BD_UNKNOWN; j++)
				all += g->cols[k * CT_BD_NSTATES + (size_t)j];
		}
		snprintf(tip, sizeof(tip), "%s: %s %.3f ms of the %.3f ms traced here", label,
			 ct_bd_state_words((enum ct_bd_state)st), in / 1e6, all / 1e6);
		sb_printf(g->b, "<rect class=\"%s\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\"><title>",
			  band_class[st], X0 + (double)c0 * PW / (double)(NCOLS - 1), g->y,
			  (double)(c - c0) * PW / (double)(NCOLS - 1), SBAND);
		esc(g->b, tip);
		sb_puts(g->b, "</title></rect>\n");
	}
	return true;
}

/* 1: an agent, 2: a runtime, 3: an extension, 0: another process. */
static int role_of(const struct ct_timelines *tls, const struct ct_proc *p)
{
	for (size_t i = 0; i < tls->n; i++) {
		if (tls->v[i].agent == p)
			return 1;
		if (tls->v[i].runtime == p)
			return 2;
		for (size_t k = 0; k < tls->v[i].next; k++) {
			const struct ct_extension *e = &tls->v[i].ext[k];

			if (e->proc ? e->proc == p : e->pid == p->pid)
				return 3;
		}
	}
	return 0;
}

static const char *const role_tag[] = {"", " [agent]", " [runtime]", " [extension]"};
static const char *const role_class[] = {"proc", "agent", "runtime", "ext"};

/* ---- Go package inits: the zoomed band (pkgband.h) ---- */

uint64_t ct_pkgb_end(const struct ct_pkginit *pk, uint64_t open_end)
{
	uint64_t end = pk->end ? pk->end : open_end;

	return end > pk->start ? end : pk->start;
}

void ct_pkgband_free(struct ct_pkgband *b)
{
	free(b->bars);
	free(b->labels);
	memset(b, 0, sizeof(*b));
}

/* A package's name for a label: the whole of it when short, else
 * ".../" and its last path element. */
static void pkgb_name(const char *pkg, char *buf, size_t len)
{
	const char *base = strrchr(pkg, '/');

	if (!base || ct_svg_text_w(pkg, strlen(pkg)) <= 150)
		snprintf(buf, len, "%s", pkg);
	else
		snprintf(buf, len, ".../%s", base + 1);
}

/* Bars in the order their labels are placed: the packages before the
 * groups, each by time, the longest first (then in Go's order). */
static int pkgb_by_ns(const void *a, const void *b)
{
	const struct ct_pkgb_bar *x = *(const struct ct_pkgb_bar *const *)a;
	const struct ct_pkgb_bar *y = *(const struct ct_pkgb_bar *const *)b;

	if ((x->n > 1) != (y->n > 1))
		return x->n > 1 ? 1 : -1;
	if (x->ns != y->ns)
		return x->ns > y->ns ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* Whether a label [x, x + w] on lane (its bar's middle cx) clears every
 * label placed: another on its row by CT_PKGB_GAP, the leader lines of
 * those further down, and its own leader the labels above it. */
static bool pkgb_clear(const struct ct_pkgband *b, int lane, double x, double w, double cx)
{
	for (size_t i = 0; i < b->nlabels; i++) {
		const struct ct_pkgb_label *l = &b->labels[i];

		if (l->lane < 0)
			continue;
		if (l->lane == lane && x < l->x + l->w + CT_PKGB_GAP && l->x < x + w + CT_PKGB_GAP)
			return false;
		if (l->lane > lane && l->cx >= x - 2 && l->cx <= x + w + 2)
			return false;
		if (l->lane < lane && cx >= l->x - 2 && cx <= l->x + l->w + 2)
			return false;
	}
	return true;
}

int ct_pkgband_layout(const struct ct_pkginit *pkgs, size_t n, uint64_t open_end, double x0, double width,
		      struct ct_pkgband *out)
{
	uint64_t hi = 0;
	struct ct_pkgb_bar **order;
	double scale;

	memset(out, 0, sizeof(*out));
	if (!n || width < 1)
		return -1;
	out->t0 = UINT64_MAX;
	for (size_t k = 0; k < n; k++) {
		uint64_t e = ct_pkgb_end(&pkgs[k], open_end);

		out->t0 = pkgs[k].start < out->t0 ? pkgs[k].start : out->t0;
		hi = e > hi ? e : hi;
	}
	out->span = hi - out->t0 > 1000 ? hi - out->t0 : 1000; /* 1 us at least */
	scale = width / (double)out->span;
	out->bars = calloc(n, sizeof(*out->bars));
	out->labels = calloc(n < CT_PKGB_MAX_LABELS ? n : CT_PKGB_MAX_LABELS, sizeof(*out->labels));
	order = calloc(n, sizeof(*order));
	if (!out->bars || !out->labels || !order) {
		free(order);
		ct_pkgband_free(out);
		return -1;
	}
	/* the bars, in Go's order: a narrow package joins the group before it
	 * when no wider gap than CT_PKGB_MIN_W is between them */
	for (size_t k = 0; k < n; k++) {
		const struct ct_pkginit *pk = &pkgs[k];
		uint64_t e = ct_pkgb_end(pk, open_end);
		double x1 = x0 + (double)(pk->start - out->t0) * scale, x2 = x0 + (double)(e - out->t0) * scale;
		struct ct_pkgb_bar *last = out->nbars ? &out->bars[out->nbars - 1] : NULL;
		bool narrow = x2 - x1 < CT_PKGB_MIN_W;

		if (narrow && last && x1 - last->x2 <= CT_PKGB_MIN_W && x1 >= last->x1 &&
		    (last->n > 1 || last->x2 - last->x1 < CT_PKGB_MIN_W)) {
			last->n++;
			last->x2 = x2 > last->x2 ? x2 : last->x2;
			last->ns += e - pk->start;
			continue;
		}
		out->bars[out->nbars++] = (struct ct_pkgb_bar){k, 1, x1, x2, e - pk->start};
	}
	for (size_t i = 0; i < out->nbars; i++) {
		struct ct_pkgb_bar *b = &out->bars[i];

		if (b->x2 - b->x1 < 1)
			b->x2 = b->x1 + 1;
		order[i] = b;
	}
	/* the labels, the slowest bar first */
	qsort(order, out->nbars, sizeof(*order), pkgb_by_ns);
	for (size_t i = 0; i < out->nbars && out->nlabels < CT_PKGB_MAX_LABELS; i++) {
		const struct ct_pkgb_bar *b = order[i];
		struct ct_pkgb_label *l = &out->labels[out->nlabels];
		char name[CT_PKG_LEN + 8];
		double cx = (b->x1 + b->x2) / 2;

		if (b->n > 1)
			snprintf(l->text, sizeof(l->text), "%zu pkgs %.3f ms", b->n, (double)b->ns / 1e6);
		else {
			pkgb_name(pkgs[b->first].pkg, name, sizeof(name));
			snprintf(l->text, sizeof(l->text), "%.72s %.3f ms", name, (double)b->ns / 1e6);
		}
		l->w = ct_svg_text_w(l->text, strlen(l->text));
		l->bar = (size_t)(b - out->bars);
		l->cx = cx;
		if (l->w + 6 <= b->x2 - b->x1) {
			l->lane = -1;
			l->x = b->x1 + 3;
			out->nlabels++;
			continue;
		}
		if (l->w > width)
			continue;
		l->x = cx - l->w / 2;
		l->x = l->x < x0 ? x0 : l->x + l->w > x0 + width ? x0 + width - l->w : l->x;
		for (int lane = 0; lane < CT_PKGB_LANES; lane++) {
			if (!pkgb_clear(out, lane, l->x, l->w, cx))
				continue;
			l->lane = lane;
			out->lanes = lane + 1 > out->lanes ? lane + 1 : out->lanes;
			out->nlabels++;
			break;
		}
	}
	free(order);
	return 0;
}

/* An image's end for its unfinished package inits and loads: the next
 * image's exec, else the process's exit, else the end of the trace. */
static uint64_t image_end(const struct ct_proc *p, size_t img, uint64_t last)
{
	if (img + 1 < p->nimages && p->images[img + 1].exec_ts)
		return p->images[img + 1].exec_ts;
	return p->exited ? p->exit_ts : last;
}

/* The tooltip of bar b of a zoomed band: the package and its time, or the
 * group's count and time and its packages (as many as fit). */
static void pkgb_tip(const struct ct_image *im, const struct ct_pkgb_bar *b, uint64_t open_end, char *tip,
		     size_t len)
{
	const struct ct_pkginit *pk = &im->pkgs[b->first];
	size_t l;

	if (b->n == 1) {
		if (pk->end)
			snprintf(tip, len, "%s (%.3f ms, init %zu of %zu)", pk->pkg, (double)b->ns / 1e6, b->first + 1,
				 im->npkgs);
		else
			snprintf(tip, len, "%s (did not return: drawn to the end of its image, init %zu of %zu)",
				 pk->pkg, b->first + 1, im->npkgs);
		return;
	}
	l = (size_t)snprintf(tip, len, "%zu packages, %.3f ms (inits %zu to %zu of %zu, each under %.0f px here):",
			     b->n, (double)b->ns / 1e6, b->first + 1, b->first + b->n, im->npkgs, CT_PKGB_MIN_W);
	for (size_t k = b->first; k < b->first + b->n && l < len; k++) {
		const struct ct_pkginit *q = &im->pkgs[k];
		int w = snprintf(tip + l, len - l, " %s %.3f ms%s", q->pkg,
				 (double)(ct_pkgb_end(q, open_end) - q->start) / 1e6,
				 k + 1 < b->first + b->n ? "," : "");

		if (w < 0 || (size_t)w >= len - l) {
			snprintf(tip + l, len - l, " \xe2\x80\xa6");
			break;
		}
		l += (size_t)w;
	}
}

#define ZLINK 14 /* the connector lines from the main axis down to the zoom */
#define ZTICKS 12 /* the zoom's tick labels */
#define ZLANE 13 /* a row of labels under its bars */

/*
 * The package inits of image img of p: on the main axis a band of thin
 * bars, their count and time beside it; under it the same inits zoomed to
 * the plot's width (pkgband.h), framed, with its own ticks (ms after the
 * first init started) and dashed lines from the init window on the main
 * axis to the frame's corners.
 */
static void go_image_band(struct svg *g, const struct ct_proc *p, size_t img)
{
	const struct ct_image *im = &p->images[img];
	uint64_t open_end = image_end(p, img, g->m->last_ts), first = UINT64_MAX, last = 0, step;
	char label[256], tip[TIP_MAX], d[32];
	struct ct_pkgband pb;
	double yi, yb, fh, xa, xb;

	for (size_t k = 0; k < im->npkgs; k++) {
		const struct ct_pkginit *pk = &im->pkgs[k];

		if (pk->end)
			fmt_ms(pk->end - pk->start, d, sizeof(d));
		else
			snprintf(d, sizeof(d), "did not return");
		snprintf(tip, sizeof(tip), "%s (%s)", pk->pkg, d);
		bar(g, g->y, BAND, pk->start, pk->end ? pk->end : pk->start, k % 2 ? "pkg2" : "pkg", tip, NULL);
		first = pk->start < first ? pk->start : first;
	}
	last = ct_image_last_init_end(im);
	fmt_ms(ct_image_init_total(im), d, sizeof(d));
	snprintf(label, sizeof(label), "%zu Go package inits (%s in init)", im->npkgs, d);
	if (last > first) {
		double x = xat(g, last) + 4;

		if (x + 6.2 * (double)strlen(label) < text_right(g))
			sb_printf(g->b, "<text class=\"s\" x=\"%.2f\" y=\"%.1f\">", x, g->y + BAND - 1);
		else
			sb_printf(g->b, "<text class=\"s\" text-anchor=\"end\" x=\"%.2f\" y=\"%.1f\">",
				  xat(g, first) - 4, g->y + BAND - 1);
		esc(g->b, label);
		sb_puts(g->b, "</text>\n");
	}
	if (ct_pkgband_layout(im->pkgs, im->npkgs, open_end, X0, PW, &pb)) {
		g->y += BAND + 5;
		return;
	}
	/* the zoom: lines from its window on the main axis, its frame */
	yi = g->y + BAND + ZLINK;
	yb = yi + ZTICKS + 1;
	fh = ZTICKS + 1 + BAR + 3 + pb.lanes * ZLANE + 2;
	xa = xat(g, pb.t0);
	xb = xat(g, pb.t0 + pb.span);
	sb_printf(g->b, "<line class=\"zoom\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n", xa, g->y + BAND,
		  X0, yi);
	sb_printf(g->b, "<line class=\"zoom\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n", xb, g->y + BAND,
		  X0 + PW, yi);
	fmt_ms(pb.span, d, sizeof(d));
	snprintf(tip, sizeof(tip), "pid %u: its %zu Go package inits zoomed, %s from the first init's start", p->pid,
		 im->npkgs, d);
	sb_printf(g->b, "<rect class=\"zoomf\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>", X0, yi,
		  PW, fh);
	esc(g->b, tip);
	sb_puts(g->b, "</title></rect>\n");
	if (xb - xa >= 1 && PW / (xb - xa) >= 2)
		snprintf(label, sizeof(label), "  %s inits, zoom x%.0f", im->comm[0] ? im->comm : "Go", PW / (xb - xa));
	else
		snprintf(label, sizeof(label), "  %s inits, zoomed", im->comm[0] ? im->comm : "Go");
	sb_printf(g->b, "<text class=\"n\" x=\"%.1f\" y=\"%.1f\">", NX, yb + BAR - 3);
	esc(g->b, label);
	sb_puts(g->b, "</text>\n");
	/* its ticks: ms after the first init started */
	step = grid_step(pb.span);
	for (uint64_t t = 0; t <= pb.span; t += step) {
		double x = X0 + (double)t * PW / (double)pb.span;

		sb_printf(g->b, "<line class=\"grid\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n", x,
			  yi + ZTICKS - 1, x, yb + BAR);
		sb_printf(g->b, "<text class=\"t\" x=\"%.2f\" y=\"%.1f\">%s%.*f ms</text>\n", x, yi + ZTICKS - 3,
			  t ? "+" : "", step >= 1000000 ? 0 : step >= 100000 ? 1 : step >= 10000 ? 2 : 3,
			  (double)t / 1e6);
		if (t > UINT64_MAX - step)
			break;
	}
	/* its bars, in Go's order, then their labels */
	for (size_t i = 0; i < pb.nbars; i++) {
		const struct ct_pkgb_bar *b = &pb.bars[i];
		const char *cls = b->n > 1 ? "pkgg" : !im->pkgs[b->first].end ? "pkgopen" : i % 2 ? "pkg2" : "pkg";

		pkgb_tip(im, b, open_end, tip, sizeof(tip));
		rect_title(g->b, cls, b->x1, yb, b->x2 - b->x1, BAR, tip);
		g->pkg_groups |= b->n > 1;
	}
	for (size_t i = 0; i < pb.nlabels; i++) {
		const struct ct_pkgb_label *l = &pb.labels[i];
		double y = l->lane < 0 ? yb + BAR - 3 : yb + BAR + 11 + l->lane * ZLANE;

		if (l->lane > 0)
			sb_printf(g->b, "<line class=\"lead\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n",
				  l->cx, yb + BAR, l->cx, y - 9);
		put_text(g, "l pk", false, l->x, y, l->text, l->w + 1);
	}
	g->y = yi + fh + 6;
	ct_pkgband_free(&pb);
}

/* The Go package inits of p: per Go image with inits, its band. */
static void go_band(struct svg *g, const struct ct_proc *p)
{
	for (size_t j = 0; j < p->nimages; j++)
		if (p->images[j].npkgs)
			go_image_band(g, p, j);
}

/* ---- CPython module loads ---- */

uint64_t ct_pyload_end(const struct ct_proc *p, size_t img, const struct ct_pyimport *pi, uint64_t last)
{
	uint64_t end = pi->end ? pi->end : image_end(p, img, last);

	return end > pi->start ? end : pi->start;
}

#define PYBAND 11   /* a CPython image's top-level loads */
#define PYSUB 5     /* the rows of the loads nested in them */
#define PY_LEVELS 3 /* levels drawn; a deeper load is folded into its ancestor */
#define PY_CHAR_W 5.0 /* width of a character of a bar's label (8px) */

/* The y of the row of level lv (< PY_LEVELS) of a band at y. */
static double py_row_y(double y, uint32_t lv)
{
	return lv ? y + PYBAND + 1 + (lv - 1) * (PYSUB + 1) : y;
}

/* Its tooltip: "json.decoder (cum 1.234 ms, self 0.456 ms)", and what else
 * is known of it. */
static void py_tip(const struct ct_proc *p, const struct ct_pyimport *pi, size_t folded, char *tip, size_t len)
{
	char d[32], d2[32];
	size_t l;

	if (pi->end) {
		fmt_ms(ct_pyimport_cum(pi), d, sizeof(d));
		fmt_ms(ct_pyimport_self(pi), d2, sizeof(d2));
		snprintf(tip, len, "%s%s (cum %s, self %s)", pi->name, pi->name_cut ? "..." : "", d, d2);
	} else {
		snprintf(tip, len, "%s%s (did not finish loading: drawn to the end of the image)", pi->name,
			 pi->name_cut ? "..." : "");
	}
	l = strlen(tip);
	if (pi->level && l < len)
		l += (size_t)snprintf(tip + l, len - l, ", imported %u level%s deep", pi->level, pi->level == 1 ? "" : "s");
	if (pi->tid != p->pid && l < len)
		l += (size_t)snprintf(tip + l, len - l, ", thread %u", pi->tid);
	if (folded && l < len)
		snprintf(tip + l, len - l, "; with %zu deeper load%s inside it", folded, folded == 1 ? "" : "s");
}

struct py_sum {
	size_t ntop;
	uint64_t first, right, top_cum;
};

/* The band of thread tid's loads of image img of p at g->y (its top level,
 * then a thinner row per level under it, at most PY_LEVELS); moves g->y
 * under it. */
static void py_thread_band(struct svg *g, const struct ct_proc *p, size_t img, uint32_t tid, const size_t *folded,
			   struct py_sum *sum)
{
	const struct ct_image *im = &p->images[img];
	size_t alt[PY_LEVELS] = {0};
	uint32_t levels = 1;
	char tip[TIP_MAX];

	for (size_t k = 0; k < im->npyimports; k++) {
		const struct ct_pyimport *pi = &im->pyimports[k];
		uint64_t end = ct_pyload_end(p, img, pi, g->m->last_ts);
		double y = py_row_y(g->y, pi->level < PY_LEVELS ? pi->level : 0);
		const char *cls;

		if (pi->tid != tid || pi->level >= PY_LEVELS)
			continue;
		if (pi->level + 1 > levels)
			levels = pi->level + 1;
		py_tip(p, pi, folded ? folded[k] : 0, tip, sizeof(tip));
		cls = !pi->end ? "pyopen" : alt[pi->level]++ % 2 ? "pyimp2" : "pyimp";
		bar(g, y, pi->level ? PYSUB : PYBAND, pi->start, end, cls, tip, NULL);
		if (pi->level)
			continue;
		sum->ntop++;
		sum->top_cum += ct_pyimport_cum(pi);
		if (pi->start < sum->first)
			sum->first = pi->start;
		if (end > sum->right)
			sum->right = end;
		/* the module's name on its bar, when the bar is wide enough */
		if (xat(g, end) - xat(g, pi->start) >= PY_CHAR_W * (double)strlen(pi->name) + 4) {
			sb_printf(g->b, "<text class=\"py%s\" x=\"%.2f\" y=\"%.1f\">", pi->end ? "" : " pyo",
				  xat(g, pi->start) + 2, y + PYBAND - 2.5);
			esc(g->b, pi->name);
			sb_puts(g->b, "</text>\n");
		}
	}
	g->y = py_row_y(g->y, levels - 1) + (levels > 1 ? PYSUB : PYBAND) + 3;
}

/*
 * The module loads of CPython image img of p, as -X importtime nests them:
 * per thread that loaded modules (the first one's first), its top-level
 * loads (level 0) as a band of alternating bars, labelled with the module
 * where the bar is wide enough, the loads nested one and two levels deep as
 * two thinner rows under it; a deeper load is not drawn but counted in the
 * tooltip of its ancestor two levels deep. A load that never ended is drawn
 * dashed to the end of the image. When the image is CPython but its imports
 * could not be traced, the reason instead.
 */
static void py_band(struct svg *g, const struct ct_proc *p, size_t img)
{
	const struct ct_image *im = &p->images[img];
	struct py_sum sum = {.first = UINT64_MAX};
	size_t *folded, ntids = 0;
	uint32_t *tids;
	uint64_t first = 0, right = 0;
	double top = g->y;
	char label[CT_PYNAME_MAX + 400], d[32];

	if (!im->npyimports) {
		if (im->is_python && im->py_note[0]) {
			snprintf(label, sizeof(label), "  python %s: %s", im->py_version[0] ? im->py_version : "?",
				 im->py_note);
			sb_printf(g->b, "<text class=\"l missing\" x=\"%.1f\" y=\"%.1f\">", NX, g->y + BAND - 1);
			esc(g->b, label);
			sb_puts(g->b, "</text>\n");
			g->y += BAND + 5;
		}
		return;
	}
	folded = calloc(im->npyimports, sizeof(*folded));
	tids = calloc(im->npyimports, sizeof(*tids));
	for (size_t k = 0; k < im->npyimports; k++) {
		const struct ct_pyimport *pi = &im->pyimports[k];
		int32_t a = pi->parent;
		size_t t = 0;

		while (tids && t < ntids && tids[t] != pi->tid)
			t++;
		if (tids && t == ntids)
			tids[ntids++] = pi->tid;
		if (pi->level < PY_LEVELS)
			continue;
		/* its ancestor on the last row drawn (parents start before it) */
		while (a >= 0 && (size_t)a < k && im->pyimports[a].level >= PY_LEVELS)
			a = im->pyimports[a].parent;
		if (folded && a >= 0 && (size_t)a < k)
			folded[a]++;
	}
	if (!tids) {
		sb_printf(g->b, "<text class=\"l missing\" x=\"%.1f\" y=\"%.1f\">out of memory</text>\n", NX,
			  g->y + BAND - 1);
		g->y += BAND + 5;
		free(folded);
		return;
	}
	for (size_t t = 0; t < ntids; t++) {
		if (t == 0)
			snprintf(label, sizeof(label), "  python%s%s imports", im->py_version[0] ? " " : "",
				 im->py_version);
		else
			snprintf(label, sizeof(label), "    thread %u", tids[t]);
		sb_printf(g->b, "<text class=\"n\" x=\"%.1f\" y=\"%.1f\">", NX, g->y + PYBAND - 1);
		esc(g->b, label);
		sb_puts(g->b, "</text>\n");
		py_thread_band(g, p, img, tids[t], folded, &sum);
		if (t == 0) { /* the figures go on the first band, beside its bars */
			first = sum.first;
			right = sum.right;
		}
	}
	free(folded);
	free(tids);
	fmt_ms(sum.top_cum, d, sizeof(d));
	snprintf(label, sizeof(label), "%zu module load%s, %zu top-level (%s)", im->npyimports,
		 im->npyimports == 1 ? "" : "s", sum.ntop, d);
	if (sum.ntop) {
		double x = xat(g, right) + 4;

		if (x + 6.2 * (double)strlen(label) < text_right(g))
			sb_printf(g->b, "<text class=\"s py-s\" x=\"%.2f\" y=\"%.1f\">", x, top + PYBAND - 2);
		else
			sb_printf(g->b, "<text class=\"s py-s\" text-anchor=\"end\" x=\"%.2f\" y=\"%.1f\">",
				  xat(g, first) - 4, top + PYBAND - 2);
		esc(g->b, label);
		sb_puts(g->b, "</text>\n");
	}
	g->y += 2;
}

static int by_x(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void process_rows(struct svg *g, const struct ct_model *m, const struct ct_timelines *tls)
{
	size_t n = m->nprocs < MAX_ROWS_PROCS ? m->nprocs : MAX_ROWS_PROCS, marks = 0;
	char label[256], tip[640], d[32], name[80], st[48];
	double *xs = malloc((m->nhttp + m->nlogs + 1) * sizeof(*xs)); /* a row's marks */

	heading(g, "processes");
	for (size_t i = 0; i < n; i++) {
		const struct ct_proc *p = &m->procs[i];
		uint64_t start = p->start_ts, end = p->exited ? p->exit_ts : m->last_ts, run = 0;
		int role = role_of(tls, p);
		double y = g->y + (ROW - BAR) / 2.0, x1, x2;
		size_t nxs = 0;
		bool go = false, below = false;

		for (size_t j = 0; j < p->nimages && !run; j++)
			run = p->images[j].exec_ts;
		if (!start)
			start = run;
		if (!start || end < start) {
			continue;
		}
		ct_proc_label(p, name, sizeof(name));
		if (!p->exited)
			snprintf(st, sizeof(st), "still running");
		else
			ct_exit_str(p->exit_status, CT_EXIT_SHORT, st, sizeof(st));
		fmt_ms(end - start, d, sizeof(d));
		snprintf(label, sizeof(label), "%s%s (pid %u)", name, role_tag[role], p->pid);
		row_name(g, label, role ? "n b" : "n");
		snprintf(label, sizeof(label), "%s, %s", d, st);
		/* forked, not yet exec'd */
		if (run > start) {
			fmt_ms(run - start, d, sizeof(d));
			snprintf(tip, sizeof(tip), "%s pid %u: forked, before exec (%s)", name, p->pid, d);
			bar(g, y, BAR, start, run, "forked", tip, NULL);
		}
		if (!run)
			run = start;
		fmt_ms(end - run, d, sizeof(d));
		snprintf(tip, sizeof(tip), "%s pid %u (%s): %s", name, p->pid, d, st);
		bar(g, y, BAR, run, end, role_class[role], tip, NULL);
		x1 = xat(g, run);
		x2 = xat(g, end) > x1 + 1 ? xat(g, end) : x1 + 1;
		for (size_t j = 0; j < p->nimages; j++) {
			const struct ct_image *im = &p->images[j];

			if (im->held_ns && im->exec_ts) {
				fmt_ms(im->held_ns, d, sizeof(d));
				snprintf(tip, sizeof(tip), "held by coldtrace while it attached probes (%s)", d);
				bar(g, y, BAR, im->exec_ts, im->exec_ts + im->held_ns, "held", tip, NULL);
			}
			if (im->npkgs)
				go = true;
		}
		/* marks: HTTP messages and log lines of this process */
		for (size_t k = 0; k < m->nhttp && marks < MAX_MARKS; k++) {
			const struct ct_http *h = &m->http[k];

			if (h->pid != p->pid || h->ts < start || h->ts > end || !in_view(g, h->ts))
				continue;
			if (h->kind == HTTP_REQUEST)
				snprintf(tip, sizeof(tip), "%s %s %s%s%s", h->dir == CT_IO_WRITE ? "sent" : "received",
					 http_method_name(h->method), h->path, h->hdr[HTTP_H_REQUEST_ID] ? " request-id " : "",
					 h->hdr[HTTP_H_REQUEST_ID] ? h->hdr[HTTP_H_REQUEST_ID] : "");
			else
				snprintf(tip, sizeof(tip), "%s %d %s%s%s", h->dir == CT_IO_WRITE ? "sent" : "received",
					 h->status, h->reason, h->hdr[HTTP_H_REQUEST_ID] ? " request-id " : "",
					 h->hdr[HTTP_H_REQUEST_ID] ? h->hdr[HTTP_H_REQUEST_ID] : "");
			sb_printf(g->b, "<circle class=\"http\" cx=\"%.2f\" cy=\"%.1f\" r=\"3\"><title>", xat(g, h->ts),
				  y + BAR / 2.0);
			esc(g->b, tip);
			sb_puts(g->b, "</title></circle>\n");
			if (xs)
				xs[nxs++] = xat(g, h->ts);
			marks++;
		}
		for (size_t k = 0; k < m->nlogs && marks < MAX_MARKS; k++) {
			const struct ct_log *l = &m->logs[k];

			if (l->pid != p->pid || l->ts < start || l->ts > end || l->ev->kind == LOG_GO_INIT ||
			    !in_view(g, l->ts))
				continue;
			sb_printf(g->b, "<rect class=\"log\" x=\"%.2f\" y=\"%.1f\" width=\"2\" height=\"%d\"><title>",
				  xat(g, l->ts) - 1, y - 2, BAR + 4);
			esc_n(g->b, l->ev->line, l->ev->line_len, TEXT_MAX);
			sb_puts(g->b, "</title></rect>\n");
			if (xs)
				xs[nxs++] = xat(g, l->ts);
			marks++;
		}
		/* "367.397 ms, exit 0": beside the bar, else between its marks,
		 * else on a line under it */
		if (nxs)
			qsort(xs, nxs, sizeof(*xs), by_x);
		/* left of it: not over its forked bar, but anywhere when it all
		 * comes after the axis (folded) */
		bar_label(g, x1, x2, start - g->t0 >= g->span && start > g->t0 ? X0 : xat(g, start), y + BAR - 3,
			  role_class[role], label, xs, nxs, &below);
		g->y += ROW + (below ? BELOW : 0);
		if (state_band(g, p, start, end))
			g->y += SBAND + 3;
		if (go)
			go_band(g, p);
		for (size_t j = 0; j < p->nimages; j++)
			py_band(g, p, j);
	}
	if (m->nprocs > n) {
		snprintf(label, sizeof(label), "... %zu more processes (all of them: -f jsonl)", m->nprocs - n);
		sb_printf(g->b, "<text class=\"l\" x=\"%.1f\" y=\"%.1f\">", NX, g->y + BAR - 1);
		esc(g->b, label);
		sb_puts(g->b, "</text>\n");
		g->y += ROW;
	}
	free(xs);
}

static void legend(struct svg *g, bool states, bool exts, bool py)
{
	static const struct {
		const char *cls, *text;
	} st_items[] = {
		{"st-run", "thread states: on CPU"}, {"st-rable", "runnable (waiting for a CPU)"},
		{"st-io", "I/O wait"}, {"st-d", "uninterruptible sleep"}, {"st-sl", "sleeping"},
		{"st-stop", "stopped"},
	};
	static const struct {
		const char *cls, *text;
	} items[] = {
		{"total", "cold start"},        {"agent", "agent"},
		{"runtime", "runtime / function init"}, {"wait", "waiting / hand-off"},
		{"view", "the agent's view (INIT_START -> /next)"}, {"invoke", "invocation"},
		{"pkg", "Go package init"},     {"held", "held by coldtrace (probes)"},
		{"forked", "forked, before exec"}, {"proc", "other process"},
		{"incomplete", "incomplete"},
	};
	double x = NX, y = g->y + 14;

	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		double tw = 6.2 * (double)strlen(items[i].text) + 36;

		if (x + tw > W - 10) {
			x = NX;
			y += 20;
		}
		sb_printf(g->b, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"12\"/>", items[i].cls, x,
			  y);
		sb_printf(g->b, "<text class=\"l\" x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 19, y + 10, items[i].text);
		x += tw;
	}
	sb_printf(g->b, "<path class=\"ms\" d=\"M%.1f %.1fl4 5l-4 5l-4 -5z\"/><text class=\"l\" x=\"%.1f\" y=\"%.1f\">milestone</text>\n",
		  x + 7, y + 1, x + 19, y + 10);
	x += 100;
	sb_printf(g->b, "<circle class=\"http\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/><text class=\"l\" x=\"%.1f\" y=\"%.1f\">HTTP message</text>\n",
		  x + 7, y + 6, x + 19, y + 10);
	x += 110;
	sb_printf(g->b, "<rect class=\"log\" x=\"%.1f\" y=\"%.1f\" width=\"2\" height=\"14\"/><text class=\"l\" x=\"%.1f\" y=\"%.1f\">log line</text>\n",
		  x + 6, y - 1, x + 19, y + 10);
	if (g->pkg_groups) {
		x = NX;
		y += 20;
		sb_printf(g->b, "<rect class=\"pkgg\" x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"12\"/>", x, y);
		sb_printf(g->b, "<text class=\"l\" x=\"%.1f\" y=\"%.1f\">Go package inits grouped: neighbours each under %.0f px in the zoomed band (the tooltip lists them)</text>\n",
			  x + 19, y + 10, CT_PKGB_MIN_W);
	}
	if (py) {
		static const struct {
			const char *cls, *text;
		} py_items[] = {
			{"pyimp", "Python import (a module load; nested loads on the thinner rows under it)"},
			{"pyopen", "Python import not finished"},
		};

		x = NX;
		y += 20;
		for (size_t i = 0; i < sizeof(py_items) / sizeof(py_items[0]); i++) {
			sb_printf(g->b, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"12\"/>",
				  py_items[i].cls, x, y);
			sb_printf(g->b, "<text class=\"l\" x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 19, y + 10,
				  py_items[i].text);
			x += 6.2 * (double)strlen(py_items[i].text) + 36;
		}
	}
	if (exts) {
		static const struct {
			const char *cls, *text;
		} ext_items[] = {
			{"ext", "extension: exec -> registered"},
			{"extn", "extension: registered -> ready, waiting for extensions"},
			{"extgo", "extension Go init"},
			{"extfail", "failed extension"},
		};

		x = NX;
		y += 20;
		for (size_t i = 0; i < sizeof(ext_items) / sizeof(ext_items[0]); i++) {
			sb_printf(g->b, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"12\"/>",
				  ext_items[i].cls, x, y);
			sb_printf(g->b, "<text class=\"l\" x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 19, y + 10,
				  ext_items[i].text);
			x += 6.2 * (double)strlen(ext_items[i].text) + 36;
		}
		sb_printf(g->b, "<path class=\"sub\" d=\"M%.1f %.1fl4 -6h-8z\"/><text class=\"l\" x=\"%.1f\" y=\"%.1f\">subscription (Telemetry / Logs API)</text>\n",
			  x + 7, y + 10, x + 19, y + 10);
		x += 250;
		sb_printf(g->b, "<line class=\"gate\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/><text class=\"l\" x=\"%.1f\" y=\"%.1f\">INIT done: who INIT waited for last</text>\n",
			  x + 7, y - 1, x + 7, y + 13, x + 19, y + 10);
	}
	if (states) {
		x = NX;
		y += 20;
		for (size_t i = 0; i < sizeof(st_items) / sizeof(st_items[0]); i++) {
			sb_printf(g->b, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"%d\"/>",
				  st_items[i].cls, x, y + 4, SBAND);
			sb_printf(g->b, "<text class=\"l\" x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 19, y + 10,
				  st_items[i].text);
			x += 6.2 * (double)strlen(st_items[i].text) + 36;
		}
	}
	g->y = y + 26;
}

static uint64_t grid_step(uint64_t span)
{
	static const uint64_t m125[] = {1, 2, 5};
	uint64_t p = 1000; /* 1 us */

	for (;;) {
		for (int i = 0; i < 3; i++)
			if (span / (p * m125[i]) <= 16)
				return p * m125[i];
		if (p > UINT64_MAX / 100)
			return p;
		p *= 10;
	}
}

/* The grid: a line every step of the axis, labelled with its time since
 * the trace's start (g->origin). */
static void grid(struct strbuf *b, const struct svg *g, double top, double bottom)
{
	uint64_t step = grid_step(g->span), from = g->t0 - g->origin;

	from = (from + step - 1) / step * step; /* the first multiple on the axis */
	for (uint64_t t = from; t - (g->t0 - g->origin) <= g->span; t += step) {
		double x = xat(g, g->origin + t);
		char lab[32];

		if (step >= 1000000)
			snprintf(lab, sizeof(lab), "%llu ms", (unsigned long long)(t / 1000000));
		else if (g->t0 == g->origin)
			snprintf(lab, sizeof(lab), "%.3g ms", (double)t / 1e6);
		else /* far from 0: as many decimals as the step needs */
			snprintf(lab, sizeof(lab), "%.*f ms", step >= 100000 ? 1 : step >= 10000 ? 2 : 3,
				 (double)t / 1e6);
		sb_printf(b, "<line class=\"%s\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n",
			  g->origin + t != g->t0 ? "grid" : "axis", x, top, x, bottom);
		sb_printf(b, "<text class=\"t\" x=\"%.2f\" y=\"%.1f\">%s</text>\n", x, top - 4, lab);
		sb_printf(b, "<text class=\"t\" x=\"%.2f\" y=\"%.1f\">%s</text>\n", x, bottom + 12, lab);
		if (t > UINT64_MAX - step)
			break;
	}
}

/*
 * The axis (g->t0, g->span): the whole trace with o->full or without a cold
 * start; else from the first cold start's start (its agent's exec) to the
 * last one's end (the response posted, else its last milestone), 5% more
 * each side, what the trace has before and after folded (g->cut_l, cut_r)
 * unless that is less than a quarter of the cold starts' span (then shown).
 */
static void axis(struct svg *g, const struct ct_model *m, const struct ct_timelines *tls,
		 const struct ct_render_opts *o)
{
	uint64_t lo = UINT64_MAX, hi = 0, margin;

	g->origin = g->t0 = m->first_ts;
	g->span = m->last_ts > m->first_ts ? m->last_ts - m->first_ts : 1000000;
	for (size_t i = 0; i < tls->n && !(o && o->full); i++) {
		const struct ct_timeline *tl = &tls->v[i];
		const struct ct_phase *tot = &tl->ph[CT_PH_TOTAL];
		uint64_t a = tot->start ? tot->start : tl->t0;
		uint64_t b = tot->complete ? tot->end : tl->t_end;

		if (!a || b <= a)
			continue;
		lo = a < lo ? a : lo;
		hi = b > hi ? b : hi;
	}
	if (hi <= lo || m->last_ts <= m->first_ts || lo >= m->last_ts || hi <= m->first_ts)
		return; /* none, or outside the trace: the whole of it */
	margin = (hi - lo) / 20;
	margin = margin < 100000 ? 100000 : margin; /* 0.1 ms at least */
	/* a fold that would hide less than a quarter of the cold starts is not worth it */
	lo = lo > m->first_ts + 6 * margin ? lo - margin : m->first_ts;
	hi = hi + 6 * margin < m->last_ts ? hi + margin : m->last_ts;
	if (lo <= m->first_ts)
		lo = m->first_ts;
	if (hi >= m->last_ts || hi <= lo)
		hi = m->last_ts;
	g->t0 = lo;
	g->span = hi - lo;
	g->cut_l = lo > m->first_ts;
	g->cut_r = hi < m->last_ts;
}

/* The zig-zag line of a fold at the edge x of the axis, from top to bottom,
 * just outside it (left: left of x), its tooltip what it hides; drawn under
 * the rows. */
static void fold_edge(struct strbuf *b, double x, double top, double bottom, bool left, const char *tip)
{
	double xo = left ? x - 3 : x + 3, s = left ? -1 : 1;
	int k = 0;

	sb_printf(b, "<path class=\"foldline\" d=\"M%.2f %.1f", xo, top);
	for (double y = top + 4; y <= bottom + 0.5; y += 4)
		sb_printf(b, "L%.2f %.1f", xo + (++k % 2 ? 4 : 0) * s, y);
	sb_puts(b, "\"><title>");
	esc(b, tip);
	sb_puts(b, "</title></path>\n");
}

/* Whether every process of the trace exited (the root, when it did, last). */
static bool tree_exited(const struct ct_model *m)
{
	for (size_t i = 0; i < m->nprocs; i++)
		if (!m->procs[i].exited)
			return false;
	return m->nprocs > 0;
}

/* The folds of the axis: their edges and, under the axis, what they hide. */
static void folds(struct strbuf *b, const struct svg *g, const struct ct_model *m, double top, double bottom)
{
	char lab[160], d[32];
	struct svg w = *g;

	w.b = b;
	if (g->cut_l) {
		fmt_ms(g->t0 - m->first_ts, d, sizeof(d));
		snprintf(lab, sizeof(lab), "\xe2\x80\xa6 %s before", d);
		fold_edge(b, X0, top, bottom, true, lab);
		put_text(&w, "l fold", false, X0, bottom + 27, lab, PW / 2 - 8);
	}
	if (g->cut_r) {
		fmt_ms(m->last_ts - (g->t0 + g->span), d, sizeof(d));
		snprintf(lab, sizeof(lab), "\xe2\x80\xa6 +%s until the %s (--full: all of it)", d,
			 tree_exited(m) ? "tree exited" : "trace ended");
		fold_edge(b, X0 + PW, top, bottom, false, lab);
		put_text(&w, "l fold", true, X0 + PW, bottom + 27, lab, PW / 2 - 8);
	}
}

void ct_render_svg(const struct ct_model *m, struct strbuf *out, const struct ct_render_opts *o)
{
	ct_render_timelines(m, out, o, ct_render_svg_tls);
}

void ct_render_svg_tls(const struct ct_model *m, const struct ct_timelines *tlsp, struct strbuf *out,
		       const struct ct_render_opts *o)
{
	const struct ct_timelines tls = *tlsp;
	struct strbuf body;
	struct svg g = {0};
	double top, bottom;
	char sub[512], cmd[CT_CMDLINE_MAX + 64], gate[400] = "";
	bool exts = false, py = ct_model_py_images(m) > 0;

	for (size_t i = 0; i < tls.n; i++)
		exts |= tls.v[i].next > 0;
	if (tls.n)
		ct_gate_sentence(&tls.v[0], &tls.v[0].init_gate, true, gate, sizeof(gate));
	axis(&g, m, &tls, o);
	g.m = m;
	index_spans(&g);
	sb_init(&body);
	g.b = &body;
	top = gate[0] ? 94 : 78;
	g.y = top + 4;
	for (size_t i = 0; i < tls.n; i++)
		timeline_rows(&g, &tls.v[i], i, tls.n);
	if (!tls.n)
		heading(&g, "no cold start found (no Runtime API /next, no INIT_START)");
	process_rows(&g, m, &tls);
	bottom = g.y + 4;
	g.y = bottom + 18 + (g.cut_l || g.cut_r ? 16 : 0);
	legend(&g, g.by_pid != NULL, exts, py);

	sb_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		       "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\">\n",
		  W, g.y + 10, W, g.y + 10);
	sb_puts(out, "<style type=\"text/css\">\n"
		     "text { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; font-size: 11px; fill: #222; }\n"
		     "text.title { font-size: 17px; font-weight: bold; }\n"
		     "text.sub { font-size: 12px; fill: #444; }\n"
		     "text.h { font-size: 12px; font-weight: bold; fill: #333; }\n"
		     "text.n { font-size: 11px; fill: #333; }\n"
		     "text.b { font-weight: bold; }\n"
		     "text.in { fill: #fff; }\n"
		     "text.t { font-size: 10px; fill: #777; text-anchor: middle; }\n"
		     "text.s { font-size: 9px; fill: #8a6d00; }\n"
		     "text.missing { fill: #c0392b; font-style: italic; }\n"
		     "line.grid { stroke: #e3e3e3; stroke-width: 1; }\n"
		     "line.axis { stroke: #999; stroke-width: 1; }\n"
		     "rect.total { fill: #76b7b2; }\n"
		     "rect.agent { fill: #4e79a7; }\n"
		     "rect.agentgo { fill: #a0cbe8; }\n"
		     "rect.runtime { fill: #59a14f; }\n"
		     "rect.runtimego { fill: #8cd17d; }\n"
		     "rect.wait { fill: #bab0ac; }\n"
		     "rect.view { fill: #b07aa1; }\n"
		     "rect.invoke { fill: #f28e2b; }\n"
		     "rect.proc { fill: #9db4c0; }\n"
		     "rect.forked { fill: #e8e8e8; }\n"
		     "rect.held { fill: #555; fill-opacity: 0.35; }\n"
		     "rect.pkg { fill: #edc948; }\n"
		     "rect.pkg2 { fill: #c9a227; }\n"
		     "rect.pkgg { fill: #f6e7ad; stroke: #c9a227; stroke-width: 0.6; }\n"
		     "rect.pkgopen { fill: #fff; stroke: #c9a227; stroke-width: 1; stroke-dasharray: 3 2; }\n"
		     "rect.zoomf { fill: #fdfcf6; stroke: #d8cfa0; stroke-width: 1; }\n"
		     "line.zoom { stroke: #c9a227; stroke-width: 1; stroke-dasharray: 3 2; }\n"
		     "line.lead { stroke: #b3a25a; stroke-width: 0.8; }\n"
		     "text.pk { font-size: 10px; }\n"
		     "rect.incomplete { fill: #fff; stroke: #c0392b; stroke-width: 1; stroke-dasharray: 4 2; }\n"
		     "rect.log { fill: #7b3294; }\n"
		     "circle.http { fill: #e15759; stroke: #fff; stroke-width: 0.8; }\n");
	if (g.cut_l || g.cut_r)
		sb_puts(out, "path.torn { fill: #fff; }\n"
			     "path.foldline { fill: none; stroke: #777; stroke-width: 1.2; }\n"
			     "text.fold { fill: #555; font-style: italic; }\n");
	if (exts)
		sb_puts(out, "rect.ext { fill: #9c755f; }\n"
			     "rect.extn { fill: #c9a98f; }\n"
			     "rect.extgo { fill: #ff9da7; }\n"
			     "rect.extfail { fill: #fbe3e0; stroke: #c0392b; stroke-width: 1.5; }\n"
			     "path.sub { fill: #4e79a7; }\n"
			     "line.gate { stroke: #c0392b; stroke-width: 1.5; stroke-dasharray: 5 3; }\n"
			     "text.gate { fill: #c0392b; font-weight: bold; }\n");
	if (py)
		sb_puts(out, "rect.pyimp { fill: #5b4fc4; }\n"
			     "rect.pyimp2 { fill: #8a80dc; }\n"
			     "rect.pyopen { fill: #fff; stroke: #5b4fc4; stroke-width: 1; stroke-dasharray: 3 2; }\n"
			     "text.py { font-size: 8px; fill: #fff; pointer-events: none; }\n"
			     "text.pyo { fill: #3b2f9e; }\n"
			     "text.py-s { fill: #3b2f9e; }\n");
	if (g.by_pid)
		sb_puts(out, "rect.st-bg { fill: #f4f4f4; }\n"
			     "rect.st-run { fill: #1b7837; }\n"
			     "rect.st-rable { fill: #a6dba0; }\n"
			     "rect.st-io { fill: #e66101; }\n"
			     "rect.st-d { fill: #b2182b; }\n"
			     "rect.st-sl { fill: #d9d9d9; }\n"
			     "rect.st-stop { fill: #8c8c8c; }\n");
	sb_puts(out, "path.ms { fill: #222; }\n"
		     "rect:hover, circle:hover, path:hover { stroke: #000; stroke-width: 1; }\n"
		     "</style>\n<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
	sb_printf(out, "<text class=\"title\" x=\"%.1f\" y=\"24\">coldtrace: where the cold start went</text>\n", NX);
	sb_printf(out, "<text class=\"sub\" x=\"%.1f\" y=\"42\">", NX);
	esc(out, o && o->command ? ct_redact_cmdline(o->command, cmd, sizeof(cmd)) : "");
	sb_puts(out, "</text>\n");
	if (tls.n) {
		const struct ct_timeline *tl = &tls.v[0];
		const struct ct_phase *tot = &tl->ph[CT_PH_TOTAL];

		if (tot->complete && tl->complete)
			snprintf(sub, sizeof(sub), "cold start %.3f ms (agent exec -> first response), function init %.3f ms%s%s",
				 (double)tot->dur / 1e6, (double)tl->ph[CT_PH_FUNC_INIT].dur / 1e6,
				 tl->request_id[0] ? ", request " : "", tl->request_id);
		else
			snprintf(sub, sizeof(sub), "INCOMPLETE cold start: %s", tl->note[0] ? tl->note : "see below");
		if (tls.n > 1) {
			size_t l = strlen(sub);

			snprintf(sub + l, sizeof(sub) - l, " (first of %zu cold starts)", tls.n);
		}
		sb_printf(out, "<text class=\"sub\" x=\"%.1f\" y=\"58\">", NX);
		esc(out, sub);
		sb_puts(out, "</text>\n");
		if (gate[0]) {
			sb_printf(out, "<text class=\"sub gate\" x=\"%.1f\" y=\"74\">", NX);
			esc(out, gate);
			sb_puts(out, "</text>\n");
		}
	}
	grid(out, &g, top, bottom);
	folds(out, &g, m, top, bottom);
	if (body.buf)
		sb_putn(out, body.buf, body.len);
	sb_puts(out, "</svg>\n");
	sb_free(&body);
	free(g.by_pid);
	free(g.cols);
}
