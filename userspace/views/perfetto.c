// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The model and its cold-start timelines as Chrome Trace Event JSON (object
 * form), which Perfetto UI and chrome://tracing load:
 *   - a track (pid) per process: process_name / thread_name metadata, its
 *     life as a complete event, each Go package init as a complete event
 *     inside it, instants for exec, Go runtime start, main.main, listen,
 *     HTTP messages, log lines and exit; each CPython module load (what
 *     -X importtime reports) as a complete event "MODULE" (cat py_import,
 *     args self_ms, cum_ms, level) on its thread's track, nested as
 *     -X importtime indents them; one that never ended drawn to the end of
 *     its image, with a note;
 *   - a track per cold start (a synthetic pid, sorted first): the phases as
 *     complete events on three threads (total; the consecutive phases; the
 *     nested ones, with a thread more for each that would overlap another
 *     without nesting) and the milestones as instants;
 *   - under it, a thread per Lambda extension ("extension NAME"): "register"
 *     (exec -> the agent's reply to its registration), "init" (registered ->
 *     its first event/next), "Go init" (runtime start -> main.main) when it
 *     is Go, instants for its Telemetry/Logs subscriptions and its failure;
 *     who INIT waited for last (the gate) is an instant across the track at
 *     INIT done, and an arg of "INIT_START -> INIT done".
 * With the kernel-level breakdown (breakdown.h) in the model:
 *   - under each process, a track per thread (tid STATE_TID_BASE + tid,
 *     named "thread TID states") with its scheduler states as complete
 *     events named as Perfetto's own scheduling view names them: Running,
 *     Runnable, Runnable (Preempted), Sleeping, Uninterruptible Sleep (IO),
 *     Uninterruptible Sleep (non-IO), Stopped; a running slice has the
 *     thread's CPU time, faults and switches in its args;
 *   - per process, counters (ph "C"): cumulative page faults (major,
 *     minor) and MB of files read and brought into the page cache;
 *   - an instant per file opened, with its path, size and bytes read;
 *   - the phases' and package inits' args carry their breakdown (CPU time,
 *     time per state, faults, switches, files).
 * ts and dur are microseconds from the first event (fractional).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakdown.h"
#include "exitstatus.h"
#include "jsonw.h"
#include "phases.h"
#include "render.h"
#include "tlviews.h"

#define PHASE_PID_BASE 2000000000u /* synthetic pids of the cold-start tracks */
#define PHASE_SORT_BASE (-1000)   /* their sort index: before every process */
#define MAX_PROCS 2000             /* tracks drawn, at most */
#define NS_PER_US_DIGITS 3         /* ts and dur: microseconds with three decimals */
#define ADDR_MAX 64                /* ct_endpoint_str: "[IPv6]:port" */
#define STATE_TID_BASE 1000000000u /* tid of a thread's state track: + its tid
				    * (Linux tids are below 2^22) */
#define MAX_TSPANS 200000          /* thread-state slices drawn, at most */
#define MAX_OPENS 20000            /* file-open instants drawn, at most */
#define BYTES_PER_MB 1048576.0
#define NS_PER_MS 1e6

struct pf {
	struct jsonw w;
	uint64_t t0;
	const uint32_t *order; /* tspans indexes by (pid, tid, start) */
	size_t norder;
	size_t tspans_drawn, tspans_left, opens_left;
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

/* How a process ended, an arg: "exit_code" or "exit_signal". */
static void exit_arg(struct jsonw *w, int status)
{
	struct ct_wait ex = ct_exit_decode(status);

	jw_kint(w, ex.signaled ? "exit_signal" : "exit_code", ex.value);
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

static void thread_tracks(struct pf *p, const struct ct_model *m, const struct ct_proc *pr, const char *label);

/*
 * The module loads of CPython image img of pr (what -X importtime reports):
 * a complete event each on its thread's track (pid, its tid), so that
 * Perfetto nests them as -X importtime indents them; a load that never
 * ended is drawn to the end of its image, with a note. A thread other than
 * the process's own is named "LABEL thread TID (python)".
 */
static void py_slices(struct pf *p, const struct ct_model *m, const struct ct_proc *pr, size_t img,
		      const char *label)
{
	const struct ct_image *im = &pr->images[img];
	struct jsonw *w = &p->w;
	uint32_t named[CT_PY_THREADS];
	size_t nnamed = 0;
	char name[128];

	for (size_t k = 0; k < im->npyimports; k++) {
		const struct ct_pyimport *pi = &im->pyimports[k];
		uint64_t end = ct_pyload_end(pr, img, pi, m->last_ts);
		struct ct_counts c;
		size_t t = 0;

		while (t < nnamed && named[t] != pi->tid)
			t++;
		if (t == nnamed && pi->tid != pr->pid && pi->tid) {
			snprintf(name, sizeof(name), "%s thread %u (python)", label, pi->tid);
			meta(p, "thread_name", pr->pid, pi->tid, "name", name, 0);
			if (nnamed < CT_PY_THREADS)
				named[nnamed++] = pi->tid;
		}
		ev(p, pi->name, "X", pr->pid, pi->tid ? pi->tid : pr->pid, pi->start);
		dur(p, pi->start, end);
		args_open(p, NULL, "py_import");
		jw_kuint(w, "seq", k);
		jw_kuint(w, "level", pi->level);
		if (pi->parent >= 0)
			jw_kuint(w, "parent", (uint64_t)pi->parent);
		if (pi->end) {
			jw_kfixed(w, "self_ms", (double)ct_pyimport_self(pi) / NS_PER_MS, 3);
			jw_kfixed(w, "cum_ms", (double)ct_pyimport_cum(pi) / NS_PER_MS, 3);
		} else {
			jw_kstr(w, "note", "did not finish loading: drawn to the end of the image");
		}
		if (pi->name_cut)
			jw_kbool(w, "name_cut", true);
		if (ct_bd_pyimport(pi, &c))
			ct_counts_json(w, "cpu_ns", c.run_ns, c.min_flt, c.maj_flt, c.nvcsw, c.nivcsw);
		args_close(p);
	}
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
		if (pr->exited)
			exit_arg(w, pr->exit_status);
		else
			jw_kstr(w, "state", "still running at the end of the trace");
		if (m->have_sched && pr->nthreads) {
			/* the threads' own counters, added (the kernel's accounting) */
			ct_counts_json(w, "cpu_ns", pr->sum.run_ns, pr->sum.min_flt, pr->sum.maj_flt, pr->sum.nvcsw,
				       pr->sum.nivcsw);
			jw_kuint(w, "threads", pr->nthreads);
			jw_kuint(w, "runnable_ns", pr->runnable_ns);
		}
		args_close(p);
	}
	if (p->norder)
		thread_tracks(p, m, pr, label);
	for (size_t j = 0; j < pr->nimages; j++) {
		const struct ct_image *im = &pr->images[j];

		if (im->exec_ts) {
			ev(p, "exec", "i", pr->pid, pr->pid, im->exec_ts);
			args_open(p, "t", "process");
			jw_kstr(w, "path", im->path);
			jw_kstr(w, "comm", im->comm);
			if (im->is_go)
				jw_kstr(w, "go_version", im->go_version[0] ? im->go_version : "?");
			if (im->is_python) {
				jw_kstr(w, "py_version", im->py_version[0] ? im->py_version : "?");
				if (im->py_note[0])
					jw_kstr(w, "py_note", im->py_note);
			}
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
			struct ct_bd_pkg pb;

			ev(p, pk->pkg, "X", pr->pid, pr->pid, pk->start);
			dur(p, pk->start, pk->end ? pk->end : pk->start);
			args_open(p, NULL, "go_init");
			jw_kuint(w, "seq", k);
			jw_kuint(w, "init_functions", pk->nfns);
			if (!pk->end)
				jw_kstr(w, "note", "did not return");
			if (im->rt_start && pk->start >= im->rt_start)
				jw_kuint(w, "at_ns", pk->start - im->rt_start);
			if (ct_bd_pkginit(pk, &pb)) {
				/* the init thread's counters between its first and last hit */
				jw_kuint(w, "tid", pb.tid);
				jw_kuint(w, "cpu_ns", pb.cpu_ns);
				jw_kstr(w, "cpu_from", pb.cpu_from_sched ? "scheduler states" : "thread counters");
				jw_kuint(w, "min_flt", pb.min_flt);
				jw_kuint(w, "maj_flt", pb.maj_flt);
				jw_kuint(w, "nvcsw", pb.nvcsw);
				jw_kuint(w, "nivcsw", pb.nivcsw);
			}
			args_close(p);
		}
		if (im->main_main)
			instant(p, "main.main", "go", pr->pid, im->main_main);
		py_slices(p, m, pr, j, label);
	}
	if (pr->exited)
		instant(p, "exit", "process", pr->pid, pr->exit_ts);
}

/* ---- the kernel-level breakdown ---- */

/* A thread state as Perfetto's scheduling view names it. */
static const char *state_name(unsigned state, bool preempted)
{
	switch (state) {
	case CT_TS_RUNNING: return "Running";
	case CT_TS_RUNNABLE: return preempted ? "Runnable (Preempted)" : "Runnable";
	case CT_TS_SLEEP: return "Sleeping";
	case CT_TS_DISK: return "Uninterruptible Sleep (non-IO)";
	case CT_TS_IOWAIT: return "Uninterruptible Sleep (IO)";
	case CT_TS_STOPPED: return "Stopped";
	default: return "Unknown";
	}
}

/* chrome://tracing's colour of a thread state (Perfetto picks its own). */
static const char *state_cname(unsigned state)
{
	switch (state) {
	case CT_TS_RUNNING: return "thread_state_running";
	case CT_TS_RUNNABLE: return "thread_state_runnable";
	case CT_TS_SLEEP: return "thread_state_sleeping";
	case CT_TS_DISK: return "thread_state_uninterruptible";
	case CT_TS_IOWAIT: return "thread_state_iowait";
	default: return "thread_state_unknown";
	}
}

struct span_key {
	uint32_t pid, tid;
	uint64_t start;
	uint32_t idx;
};

static int by_thread(const void *a, const void *b)
{
	const struct span_key *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The model's thread-state spans by (pid, tid, start): an array of their
 * indexes (malloc'ed), NULL if none or out of memory. */
static uint32_t *spans_by_thread(const struct ct_model *m, size_t *n)
{
	struct span_key *k;
	uint32_t *order;
	size_t cnt = m->ntspans < UINT32_MAX ? m->ntspans : UINT32_MAX;

	*n = 0;
	if (!cnt)
		return NULL;
	k = malloc(cnt * sizeof(*k));
	order = malloc(cnt * sizeof(*order));
	if (!k || !order) {
		free(k);
		free(order);
		return NULL;
	}
	for (size_t i = 0; i < cnt; i++)
		k[i] = (struct span_key){m->tspans[i].pid, m->tspans[i].tid, m->tspans[i].start, (uint32_t)i};
	qsort(k, cnt, sizeof(*k), by_thread);
	for (size_t i = 0; i < cnt; i++)
		order[i] = k[i].idx;
	free(k);
	*n = cnt;
	return order;
}

/* Where pid's spans begin in p->order. */
static size_t first_of_pid(const struct pf *p, const struct ct_model *m, uint32_t pid)
{
	size_t lo = 0, hi = p->norder;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->tspans[p->order[mid]].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The process's threads, a track each, with their scheduler states. */
static void thread_tracks(struct pf *p, const struct ct_model *m, const struct ct_proc *pr, const char *label)
{
	struct jsonw *w = &p->w;
	uint64_t from = pr->start_ts, to = pr->exited ? pr->exit_ts : UINT64_MAX;
	size_t i = first_of_pid(p, m, pr->pid);
	int sort = 1;
	char name[128];

	while (i < p->norder && m->tspans[p->order[i]].pid == pr->pid) {
		uint32_t tid = m->tspans[p->order[i]].tid;
		const struct ct_tspan *prev = NULL;
		bool named = false;

		for (; i < p->norder && m->tspans[p->order[i]].pid == pr->pid && m->tspans[p->order[i]].tid == tid;
		     i++) {
			const struct ct_tspan *s = &m->tspans[p->order[i]];
			bool preempted;

			if (s->start < from || s->start > to)
				continue; /* another process of the same pid */
			if (p->tspans_drawn >= MAX_TSPANS) {
				p->tspans_left++;
				continue;
			}
			if (!named) {
				if (sort == 1) /* the process's own track first, then its threads' */
					meta(p, "thread_sort_index", pr->pid, pr->pid, "sort_index", NULL, 0);
				if (tid == pr->pid)
					snprintf(name, sizeof(name), "%s %u states", label, tid);
				else
					snprintf(name, sizeof(name), "thread %u states", tid);
				meta(p, "thread_name", pr->pid, STATE_TID_BASE + tid, "name", name, 0);
				meta(p, "thread_sort_index", pr->pid, STATE_TID_BASE + tid, "sort_index", NULL, sort++);
				named = true;
			}
			/* runnable right after running on a CPU: preempted, not woken */
			preempted = s->state == CT_TS_RUNNABLE && prev && prev->state == CT_TS_RUNNING &&
				    prev->end == s->start;
			ev(p, state_name(s->state, preempted), "X", pr->pid, STATE_TID_BASE + tid, s->start);
			dur(p, s->start, s->end);
			jw_kstr(w, "cname", state_cname(s->state));
			args_open(p, NULL, "sched");
			jw_kuint(w, "tid", tid);
			if (s->state == CT_TS_RUNNING && (s->flags & CT_TSPAN_COUNTED)) {
				ct_counts_json(w, "cpu_ns", s->run_ns, s->min_flt, s->maj_flt, s->nvcsw, s->nivcsw);
			}
			if (s->flags & CT_TSPAN_CUT)
				jw_kstr(w, "note", "cut by the process's exit or the end of the trace");
			args_close(p);
			p->tspans_drawn++;
			prev = s;
		}
	}
}

/* A phase's breakdown (breakdown.h) as an object in its args. */
static void bd_args(struct jsonw *w, const struct ct_bd *bd, const char *label)
{
	char line[512];

	if (!bd->valid || (bd->sched_off && bd->files_off && bd->pcache_off))
		return;
	jw_key(w, "breakdown");
	jw_obj_open(w);
	ct_bd_summary(bd, label, line, sizeof(line));
	jw_kstr(w, "summary", line);
	jw_kbool(w, "complete", !bd->incomplete);
	ct_bd_json_figures(w, bd);
	if (bd->ntop) {
		jw_key(w, "top_files");
		jw_arr_open(w);
		for (size_t i = 0; i < bd->ntop; i++) {
			jw_obj_open(w);
			jw_kstr(w, "path", bd->top[i].path);
			jw_kuint(w, "bytes", bd->top[i].bytes);
			jw_obj_close(w);
		}
		jw_arr_close(w);
	}
	jw_obj_close(w);
}

/* The index of pid's process record among the n drawn, or -1. */
static long drawn_proc(const struct ct_model *m, uint32_t pid, size_t n)
{
	const struct ct_proc *pr = ct_model_proc_const(m, pid);
	size_t i;

	if (!pr)
		return -1;
	i = (size_t)(pr - m->procs);
	return i < n ? (long)i : -1;
}

struct cnt_ev {
	uint64_t ts;
	size_t proc;
	uint64_t a, b;
};

static int by_ts(const void *x, const void *y)
{
	const struct cnt_ev *a = x, *b = y;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->proc < b->proc ? -1 : a->proc > b->proc;
}

static uint64_t proc_start(const struct ct_proc *pr)
{
	uint64_t start = pr->start_ts;

	for (size_t j = 0; j < pr->nimages && !start; j++)
		start = pr->images[j].exec_ts;
	return start;
}

static void counter_val(struct jsonw *w, const char *key, uint64_t v, double div)
{
	jw_key(w, key);
	if (div == 1)
		jw_uint(w, v);
	else
		jw_fixed(w, (double)v / div, 3);
}

/* One sample of a process's counter track name, with two values. */
static void counter(struct pf *p, const char *name, uint32_t pid, uint64_t ts, const char *ka, uint64_t a,
		    const char *kb, uint64_t b, double div)
{
	ev(p, name, "C", pid, pid, ts);
	jw_kstr(&p->w, "cat", "counter");
	jw_key(&p->w, "args");
	jw_obj_open(&p->w);
	counter_val(&p->w, ka, a, div);
	counter_val(&p->w, kb, b, div);
	args_close(p);
}

/*
 * Counter tracks per process: name with keys ka/kb, cumulative sums of the
 * events' a and b (div 1: counts; else MB with 3 decimals), starting at 0
 * when the process starts. Sorts v.
 */
static void counters(struct pf *p, const struct ct_model *m, struct cnt_ev *v, size_t nv, size_t nproc,
		     const char *name, const char *ka, const char *kb, double div)
{
	uint64_t *sum = calloc(nproc ? nproc * 2 : 1, sizeof(*sum));
	bool *begun = calloc(nproc ? nproc : 1, sizeof(*begun));

	if (!sum || !begun)
		goto out;
	qsort(v, nv, sizeof(*v), by_ts);
	for (size_t i = 0; i < nv; i++) {
		const struct ct_proc *pr = &m->procs[v[i].proc];
		uint64_t *s = &sum[v[i].proc * 2];

		if (!begun[v[i].proc]) {
			uint64_t t = proc_start(pr);

			counter(p, name, pr->pid, t && t < v[i].ts ? t : v[i].ts, ka, 0, kb, 0, div);
			begun[v[i].proc] = true;
		}
		s[0] += v[i].a;
		s[1] += v[i].b;
		counter(p, name, pr->pid, v[i].ts, ka, s[0], kb, s[1], div);
	}
out:
	free(sum);
	free(begun);
}

/* Page faults and file bytes as counters, file opens as instants. */
static void breakdown_events(struct pf *p, const struct ct_model *m, size_t nproc)
{
	struct jsonw *w = &p->w;
	size_t cap = m->ntspans > m->nfreads + m->nmisses ? m->ntspans : m->nfreads + m->nmisses, nv = 0;
	struct cnt_ev *v = cap ? malloc(cap * sizeof(*v)) : NULL;
	uint64_t page = m->page_size ? m->page_size : 4096;
	char name[CT_PATH_LEN + 16];
	size_t opens = 0;

	if (v && m->have_sched) {
		for (size_t i = 0; i < m->ntspans; i++) {
			const struct ct_tspan *s = &m->tspans[i];
			long k;

			if (s->state != CT_TS_RUNNING || !(s->flags & CT_TSPAN_COUNTED) || !(s->maj_flt | s->min_flt))
				continue;
			k = drawn_proc(m, s->pid, nproc);
			if (k >= 0)
				v[nv++] = (struct cnt_ev){s->end, (size_t)k, s->maj_flt, s->min_flt};
		}
		counters(p, m, v, nv, nproc, "page faults", "major", "minor", 1);
	}
	nv = 0;
	if (v && (m->have_files || m->have_pcache)) {
		for (size_t i = 0; i < m->nfreads; i++) {
			long k = drawn_proc(m, m->freads[i].pid, nproc);

			if (k >= 0 && m->freads[i].bytes)
				v[nv++] = (struct cnt_ev){m->freads[i].ts, (size_t)k, m->freads[i].bytes, 0};
		}
		for (size_t i = 0; i < m->nmisses; i++) {
			long k = drawn_proc(m, m->misses[i].pid, nproc);

			if (k >= 0 && m->misses[i].pages)
				v[nv++] = (struct cnt_ev){m->misses[i].ts, (size_t)k, 0, m->misses[i].pages * page};
		}
		counters(p, m, v, nv, nproc, "file MB", "read", "page_cache_miss", BYTES_PER_MB);
	}
	free(v);
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct ct_file *f = &m->files[i];

		if (drawn_proc(m, f->pid, nproc) < 0)
			continue;
		if (opens >= MAX_OPENS) {
			p->opens_left++;
			continue;
		}
		opens++;
		snprintf(name, sizeof(name), "open %s", f->path ? f->path : "?");
		ev(p, name, "i", f->pid, f->pid, f->ts);
		args_open(p, "t", "file");
		jw_kstr(w, "path", f->path ? f->path : "");
		jw_kuint(w, "tid", f->tid);
		jw_kint(w, "fd", f->fd);
		jw_kuint(w, "size", f->size);
		jw_kuint(w, "read_bytes", f->read_bytes);
		jw_kuint(w, "reads", f->reads);
		jw_kuint(w, "miss_bytes", f->miss_pages * page);
		args_close(p);
	}
	if (p->tspans_left || p->opens_left) {
		snprintf(name, sizeof(name), "coldtrace: %zu thread-state slices and %zu file opens not drawn (all of them: -f jsonl)",
			 p->tspans_left, p->opens_left);
		ev(p, name, "i", m->root_pid, m->root_pid, m->first_ts);
		jw_kstr(w, "s", "g");
		jw_kstr(w, "cat", "coldtrace");
		jw_obj_close(w);
	}
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

/* The threads of a cold-start track; more nested ones from TID_OVERLAP. */
enum { TID_TOTAL = 1, TID_PHASES, TID_NESTED, TID_MILESTONES, TID_OVERLAP };
#define TID_EXT_BASE 100 /* + 2 * i: extension i; + 1: its Go init, when that
			  * would overlap its register or init slice */

/* Can [b0, b1], written after [a0, a1] on the same thread, share it: they
 * are disjoint or nested, and sorting by start puts the outer one first. */
static bool nests(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return b0 >= a1 || b1 <= a0 || (a0 <= b0 && b1 <= a1) || (b0 < a0 && a1 <= b1);
}

static void ext_args(struct jsonw *w, const struct ct_extension *e)
{
	char out[160];

	jw_kstr(w, "extension", e->name);
	if (e->id[0])
		jw_kstr(w, "id", e->id);
	jw_kuint(w, "pid", e->pid);
	jw_kstr(w, "state", ct_ext_state_key(e->state));
	ct_ext_outcome(e, out, sizeof(out));
	jw_kstr(w, "outcome", out);
	if (e->events[0])
		jw_kstr(w, "events", e->events);
	if (e->error_type[0])
		jw_kstr(w, "error_type", e->error_type);
	if (e->register_status)
		jw_kint(w, "register_status", e->register_status);
	if (ct_ext_to_register(e))
		jw_kfixed(w, "to_register_ms", (double)ct_ext_to_register(e) / NS_PER_MS, 3);
	if (ct_ext_to_ready(e))
		jw_kfixed(w, "to_ready_ms", (double)ct_ext_to_ready(e) / NS_PER_MS, 3);
	if (ct_ext_go_init(e))
		jw_kfixed(w, "go_init_ms", (double)ct_ext_go_init(e) / NS_PER_MS, 3);
}

/* A slice of an extension's thread: [a, b]; without b, until it failed or
 * until the end of the trace, as its name and args say. */
static void ext_slice(struct pf *p, const struct ct_extension *e, const char *what, uint32_t pid, uint32_t tid,
		      uint64_t a, uint64_t b, uint64_t fail, uint64_t last)
{
	char name[96];

	snprintf(name, sizeof(name), "%s%s", what, b ? "" : fail ? " (failed)" : " (incomplete)");
	ev(p, name, "X", pid, tid, a);
	dur(p, a, b ? b : fail ? fail : last);
	args_open(p, NULL, "extension");
	ext_args(&p->w, e);
	if (!b)
		jw_kstr(&p->w, "note", fail ? "it failed before this ended" : "not ended at the end of the trace");
	args_close(p);
}

/* Extension e's thread: its register and init slices, its Go init, its
 * subscriptions and its failure. */
static void ext_track(struct pf *p, const struct ct_model *m, const struct ct_extension *e, uint32_t pid,
		      uint32_t tid)
{
	struct jsonw *w = &p->w;
	uint64_t start = e->exec_ts ? e->exec_ts : e->register_ts, fail = ct_ext_fail_ts(e);
	uint64_t last = m->last_ts > start ? m->last_ts : start, reg_end = 0, init_end = 0;
	char name[CT_EXT_NAME_MAX + 64];

	snprintf(name, sizeof(name), "extension %s", e->name);
	meta(p, "thread_name", pid, tid, "name", name, 0);
	if (start) {
		ext_slice(p, e, "register", pid, tid, start, e->registered_ts, fail, last);
		reg_end = e->registered_ts ? e->registered_ts : fail ? fail : last;
	}
	if (e->registered_ts) {
		ext_slice(p, e, "init", pid, tid, e->registered_ts, e->ready_ts, fail, last);
		init_end = e->ready_ts ? e->ready_ts : fail ? fail : last;
	}
	if (ct_ext_go_init(e)) {
		uint32_t gt = tid;

		if ((start && !nests(start, reg_end, e->go_rt_start, e->go_main)) ||
		    (init_end && !nests(e->registered_ts, init_end, e->go_rt_start, e->go_main))) {
			gt = tid + 1;
			snprintf(name, sizeof(name), "extension %s Go init", e->name);
			meta(p, "thread_name", pid, gt, "name", name, 0);
		}
		ev(p, "Go init", "X", pid, gt, e->go_rt_start);
		dur(p, e->go_rt_start, e->go_main);
		args_open(p, NULL, "extension");
		jw_kstr(w, "extension", e->name);
		jw_kuint(w, "pid", e->pid);
		jw_kfixed(w, "go_init_ms", (double)ct_ext_go_init(e) / NS_PER_MS, 3);
		if (e->go_image) {
			jw_kuint(w, "package_inits", e->go_image->npkgs);
			jw_kstr(w, "go_version", e->go_image->go_version[0] ? e->go_image->go_version : "?");
		}
		if (e->go_inits_done)
			jw_kuint(w, "inits_done_at_ns", e->go_inits_done - e->go_rt_start);
		args_close(p);
	}
	for (size_t i = 0; i < e->nsubs; i++) {
		const struct ct_ext_sub *sub = &e->subs[i];

		if (!sub->ts)
			continue;
		if (sub->status)
			snprintf(name, sizeof(name), "subscribe %s (%d)", lambda_api_name(sub->api), sub->status);
		else
			snprintf(name, sizeof(name), "subscribe %s", lambda_api_name(sub->api));
		ev(p, name, "i", pid, tid, sub->ts);
		args_open(p, "t", "extension");
		jw_kstr(w, "extension", e->name);
		jw_kstr(w, "api", lambda_api_name(sub->api));
		if (sub->status)
			jw_kint(w, "status", sub->status);
		else
			jw_kstr(w, "status", "no answer seen");
		if (sub->reply_ts >= sub->ts && sub->reply_ts)
			jw_kuint(w, "reply_ns", sub->reply_ts - sub->ts);
		args_close(p);
	}
	if (e->error_ts || fail) {
		ct_ext_outcome(e, name, sizeof(name));
		ev(p, name, "i", pid, tid, fail ? fail : e->error_ts);
		args_open(p, "t", "extension");
		ext_args(w, e);
		if (e->exit_ts)
			exit_arg(w, e->exit_status);
		args_close(p);
	}
}

/* Who a gate names: "runtime" or "extension". */
static void gate_args(struct jsonw *w, const struct ct_timeline *tl, const struct ct_gate *g)
{
	const struct ct_extension *e = g->ext >= 0 && (size_t)g->ext < tl->next ? &tl->ext[g->ext] : NULL;

	jw_kstr(w, "waited_for", e ? "extension" : "runtime");
	if (e)
		jw_kstr(w, "extension", e->name);
	jw_kuint(w, "pid", g->pid);
	jw_kfixed(w, "by_ms", (double)g->by_ns / NS_PER_MS, 3);
}

/* The nested phases' threads: each on the first where it nests with the
 * ones already there (lane 0: TID_NESTED). -1: not drawn. */
static void nested_lanes(const struct ct_timeline *tl, int lane[CT_PH_COUNT], int *nlanes)
{
	*nlanes = 1;
	for (int k = 0; k < CT_PH_COUNT; k++) {
		const struct ct_phase *ph = &tl->ph[k];
		uint64_t end = ph->complete ? ph->end : tl->t_end;

		lane[k] = -1;
		if (!ph->start || end < ph->start || !ct_phase_applies(tl, ph))
			continue;
		lane[k] = 0;
		if (ph->depth != 2)
			continue;
		for (bool ok = false; !ok; lane[k] += !ok) {
			ok = true;
			for (int j = 0; j < k && ok; j++) {
				const struct ct_phase *q = &tl->ph[j];

				if (q->depth == 2 && lane[j] == lane[k])
					ok = nests(q->start, q->complete ? q->end : tl->t_end, ph->start, end);
			}
		}
		if (lane[k] + 1 > *nlanes)
			*nlanes = lane[k] + 1;
	}
}

static void timeline_track(struct pf *p, const struct ct_model *m, const struct ct_timeline *tl, size_t idx)
{
	struct jsonw *w = &p->w;
	uint32_t pid = PHASE_PID_BASE + (uint32_t)idx;
	char name[320];
	const struct ct_phase *tot = &tl->ph[CT_PH_TOTAL];
	int lane[CT_PH_COUNT], nlanes;

	if (tl->next)
		snprintf(name, sizeof(name), "cold start #%zu (agent pid %u, runtime pid %u, %zu extension%s)", idx + 1,
			 tl->agent_pid, tl->runtime_pid, tl->next, tl->next == 1 ? "" : "s");
	else
		snprintf(name, sizeof(name), "cold start #%zu (agent pid %u, runtime pid %u)", idx + 1, tl->agent_pid,
			 tl->runtime_pid);
	meta(p, "process_name", pid, TID_TOTAL, "name", name, 0);
	meta(p, "process_sort_index", pid, TID_TOTAL, "sort_index", NULL, PHASE_SORT_BASE + (int)idx);
	meta(p, "thread_name", pid, TID_TOTAL, "name", "cold start", 0);
	meta(p, "thread_name", pid, TID_PHASES, "name", "phases", 0);
	meta(p, "thread_name", pid, TID_NESTED, "name", "nested / the agent's view", 0);
	meta(p, "thread_name", pid, TID_MILESTONES, "name", "milestones", 0);
	nested_lanes(tl, lane, &nlanes);
	for (int l = 1; l < nlanes; l++)
		meta(p, "thread_name", pid, TID_OVERLAP + (uint32_t)l - 1, "name", "nested (overlapping)", 0);
	for (int k = 0; k < CT_PH_COUNT; k++) {
		const struct ct_phase *ph = &tl->ph[k];
		uint32_t tid = ph->depth == 0 ? TID_TOTAL : ph->depth == 1 ? TID_PHASES : TID_NESTED;
		uint64_t end = ph->complete ? ph->end : tl->t_end;

		if (lane[k] < 0)
			continue;
		if (ph->depth == 2 && lane[k] > 0)
			tid = TID_OVERLAP + (uint32_t)lane[k] - 1;
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
		if ((ph->id == CT_PH_INIT_ALL || ph->id == CT_PH_EXT_WAIT || ph->id == CT_PH_EXT_REGISTER)) {
			const struct ct_gate *g = ph->id == CT_PH_EXT_REGISTER ? &tl->register_gate : &tl->init_gate;

			ct_gate_sentence(tl, g, g == &tl->init_gate, name, sizeof(name));
			if (name[0]) {
				jw_kstr(w, g == &tl->init_gate ? "init_gate" : "register_gate", name);
				jw_kuint(w, "gate_pid", g->pid);
			}
			jw_kuint(w, "extensions", tl->next);
			if (tl->next_failed)
				jw_kuint(w, "extensions_failed", tl->next_failed);
		}
		if (ph->complete) {
			struct ct_bd bd;

			if (!ct_bd_phase(m, tl, ph, &bd))
				bd_args(w, &bd, ct_phase_name(ph->id));
		}
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
	/* the gates: who the runtime's start and INIT's end waited for last */
	for (int k = 0; k < 2; k++) {
		const struct ct_gate *g = k ? &tl->init_gate : &tl->register_gate;

		ct_gate_sentence(tl, g, k == 1, name, sizeof(name));
		if (!name[0] || !g->ts)
			continue;
		ev(p, name, "i", pid, TID_MILESTONES, g->ts);
		args_open(p, k ? "p" : "t", "gate");
		jw_kstr(w, "gate", k ? "init" : "register");
		gate_args(w, tl, g);
		args_close(p);
	}
	for (size_t i = 0; i < tl->next; i++)
		ext_track(p, m, &tl->ext[i], pid, TID_EXT_BASE + 2 * (uint32_t)i);
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
	ct_render_timelines(m, out, o, ct_render_perfetto_tls);
}

void ct_render_perfetto_tls(const struct ct_model *m, const struct ct_timelines *tls, struct strbuf *out,
			    const struct ct_render_opts *o)
{
	struct pf p = {.t0 = m->first_ts};
	struct jsonw *w = &p.w;
	size_t n = m->nprocs < MAX_PROCS ? m->nprocs : MAX_PROCS;
	char cmd[CT_CMDLINE_MAX + 64];
	uint32_t *order;

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
	order = spans_by_thread(m, &p.norder);
	p.order = order;
	for (size_t i = 0; i < tls->n; i++)
		timeline_track(&p, m, &tls->v[i], i);
	for (size_t i = 0; i < n; i++)
		process_track(&p, m, &m->procs[i]);
	breakdown_events(&p, m, n);
	io_events(&p, m);
	jw_raw(w, "\n");
	jw_arr_close(w);
	jw_obj_close(w);
	free(order);
}
