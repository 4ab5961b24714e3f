// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The kernel's accounting of the traced tree and the checks against it (acct.h). */
#include <linux/netlink.h>
#include <linux/taskstats.h>
#include <stdlib.h>
#include <string.h>

#include "acct.h"
#include "breakdown.h"
#include "jsonw.h"
#include "model.h"
#include "strbuf.h"

#define ACCT_MAX_DEPTH 4096 /* ancestors walked to find a reaped one */

#ifndef AGROUP
#define AGROUP 0x20 /* <linux/acct.h>: the last thread of its group */
#endif

void ct_acct_init(struct ct_acct *a)
{
	memset(a, 0, sizeof(*a));
	ct_hmap_init(&a->index, 0);
	a->delayacct = -1;
}

void ct_acct_free(struct ct_acct *a)
{
	if (!a)
		return;
	free(a->procs);
	free(a->trecs);
	ct_hmap_free(&a->index);
	memset(a, 0, sizeof(*a));
}

static bool pid_eq(const void *ctx, uintptr_t v, const void *key)
{
	return ((const struct ct_acct_proc *)ctx)[v].pid == *(const uint32_t *)key;
}

const struct ct_acct_proc *ct_acct_find(const struct ct_acct *a, uint32_t pid)
{
	uintptr_t v;

	if (!a || !ct_hmap_get(&a->index, ct_hash_u64(pid), &pid, pid_eq, a->procs, &v))
		return NULL;
	return &a->procs[v];
}

struct ct_acct_proc *ct_acct_get(struct ct_acct *a, uint32_t pid)
{
	uintptr_t v;

	if (ct_hmap_get(&a->index, ct_hash_u64(pid), &pid, pid_eq, a->procs, &v))
		return &a->procs[v];
	if (a->nprocs >= CT_ACCT_MAX_PROCS)
		goto drop;
	if (a->nprocs == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		struct ct_acct_proc *p = realloc(a->procs, cap * sizeof(*p));

		if (!p)
			goto drop;
		a->procs = p;
		a->cap = cap;
	}
	if (ct_hmap_reserve(&a->index, a->nprocs + 1))
		goto drop;
	memset(&a->procs[a->nprocs], 0, sizeof(a->procs[0]));
	a->procs[a->nprocs].pid = pid;
	if (ct_hmap_put(&a->index, ct_hash_u64(pid), &pid, pid_eq, a->procs, a->nprocs))
		goto drop;
	return &a->procs[a->nprocs++];
drop:
	a->dropped++;
	return NULL;
}

void ct_acct_reaped(struct ct_acct *a, uint32_t pid, int status, const struct ct_rusage *ru)
{
	struct ct_acct_proc *p = ct_acct_get(a, pid);

	if (!p)
		return;
	p->reaped = true;
	p->status = status;
	p->ru = *ru;
}

void ct_acct_pre_delay(struct ct_acct *a, uint32_t pid, uint64_t ns)
{
	struct ct_acct_proc *p = ct_acct_get(a, pid);

	if (p)
		p->pre_delay_ns = ns;
}

uint64_t ct_acct_traced_delay(const struct ct_acct_proc *ap)
{
	return ap->ts.cpu_delay_ns > ap->pre_delay_ns ? ap->ts.cpu_delay_ns - ap->pre_delay_ns : 0;
}

static int trec_cmp(const void *x, const void *y)
{
	const struct ct_acct_trec *a = x, *b = y;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return a->tid < b->tid ? -1 : a->tid > b->tid;
}

void ct_acct_finish(struct ct_acct *a, const struct ct_model *m)
{
	if (!a->ntrecs || m->dropped_sched)
		return;
	qsort(a->trecs, a->ntrecs, sizeof(a->trecs[0]), trec_cmp);
	for (size_t i = 0; i < a->nprocs; i++)
		a->procs[i].after_record_ns = 0;
	for (size_t i = 0; i < m->ntspans; i++) {
		const struct ct_tspan *s = &m->tspans[i];
		struct ct_acct_trec k = {s->pid, s->tid, 0};
		const struct ct_acct_trec *r;
		struct ct_acct_proc *p;

		if (s->state != CT_TS_RUNNABLE || (s->flags & CT_TSPAN_UNQUEUED))
			continue;
		r = bsearch(&k, a->trecs, a->ntrecs, sizeof(k), trec_cmp);
		if (!r || s->cpu_at_start <= r->run_ns)
			continue;
		p = ct_acct_get(a, s->pid); /* there: r is its thread's */
		if (p)
			p->after_record_ns += s->end - s->start;
	}
}

void ct_acct_thread(struct ct_acct *a, const struct ct_task_acct *t)
{
	struct ct_acct_proc *p = ct_acct_get(a, t->tgid ? t->tgid : t->pid);
	struct ct_task_acct *s;

	if (!p)
		return;
	if (a->ntrecs == a->trecs_cap) {
		size_t cap = a->trecs_cap ? 2 * a->trecs_cap : 64;
		struct ct_acct_trec *n = realloc(a->trecs, cap * sizeof(*n));

		if (n) {
			a->trecs = n;
			a->trecs_cap = cap;
		}
	}
	if (a->ntrecs < a->trecs_cap)
		a->trecs[a->ntrecs++] = (struct ct_acct_trec){p->pid, t->pid, t->run_ns};
	s = &p->ts;
	p->ts_threads++;
	p->ts_group_dead |= t->group_dead;
	s->pid = s->tgid = p->pid;
	s->version = t->version;
	s->cpu_count += t->cpu_count;
	s->cpu_delay_ns += t->cpu_delay_ns;
	s->run_ns += t->run_ns;
	s->blkio_count += t->blkio_count;
	s->blkio_delay_ns += t->blkio_delay_ns;
	s->utime_us += t->utime_us;
	s->stime_us += t->stime_us;
	s->min_flt += t->min_flt;
	s->maj_flt += t->maj_flt;
	s->nvcsw += t->nvcsw;
	s->nivcsw += t->nivcsw;
	a->ts_records++;
}

/* The attributes in [p, p + len): calls back for each well-formed one. */
static const struct nlattr *next_attr(const char **p, size_t *left)
{
	const struct nlattr *na = (const struct nlattr *)*p;
	size_t step;

	if (*left < NLA_HDRLEN)
		return NULL;
	if (na->nla_len < NLA_HDRLEN || na->nla_len > *left)
		return NULL;
	step = NLA_ALIGN(na->nla_len);
	if (step > *left)
		step = *left;
	*p += step;
	*left -= step;
	return na;
}

static void from_taskstats(struct ct_task_acct *t, const struct taskstats *s)
{
	t->version = s->version;
	t->group_dead = (s->ac_flag & AGROUP) != 0;
	t->cpu_count = s->cpu_count;
	t->cpu_delay_ns = s->cpu_delay_total;
	t->run_ns = s->cpu_run_virtual_total;
	t->blkio_count = s->blkio_count;
	t->blkio_delay_ns = s->blkio_delay_total;
	t->utime_us = s->ac_utime;
	t->stime_us = s->ac_stime;
	t->min_flt = s->ac_minflt;
	t->maj_flt = s->ac_majflt;
	t->nvcsw = s->nvcsw;
	t->nivcsw = s->nivcsw;
	/* ac_tgid came with version 12; ac_pid is the thread's own */
	if (s->version >= 12)
		t->tgid = s->ac_tgid;
}

int ct_acct_parse_taskstats(const void *attrs, size_t len, struct ct_task_acct *t)
{
	const char *p = attrs;
	const struct nlattr *na;

	memset(t, 0, sizeof(*t));
	while ((na = next_attr(&p, &len))) {
		const char *q = (const char *)na + NLA_HDRLEN;
		size_t qlen = na->nla_len - NLA_HDRLEN;
		const struct nlattr *in;
		bool have_pid = false, have_stats = false;

		if ((na->nla_type & NLA_TYPE_MASK) != TASKSTATS_TYPE_AGGR_PID)
			continue; /* the TGID aggregate, padding */
		while ((in = next_attr(&q, &qlen))) {
			const char *d = (const char *)in + NLA_HDRLEN;
			size_t dlen = in->nla_len - NLA_HDRLEN;

			if (in->nla_type == TASKSTATS_TYPE_PID && dlen >= sizeof(uint32_t)) {
				memcpy(&t->pid, d, sizeof(uint32_t));
				have_pid = true;
			} else if (in->nla_type == TASKSTATS_TYPE_STATS &&
				   dlen >= offsetof(struct taskstats, ac_utime)) {
				struct taskstats s;

				memset(&s, 0, sizeof(s));
				memcpy(&s, d, dlen < sizeof(s) ? dlen : sizeof(s));
				from_taskstats(t, &s);
				have_stats = true;
			}
		}
		if (have_pid && have_stats && t->pid)
			return 0;
		return -1;
	}
	return -1;
}

const char *ct_acct_verdict_name(enum ct_acct_verdict v)
{
	switch (v) {
	case CT_ACCT_OK: return "ok";
	case CT_ACCT_MISMATCH: return "mismatch";
	default: return "n/a";
	}
}

/* The reaped process whose rusage covers q: q itself or its nearest fork
 * ancestor that coldtrace reaped; NULL if none (still alive, or the trace
 * was stopped). */
static const struct ct_acct_proc *owner_of(const struct ct_model *m, const struct ct_acct *a,
					   const struct ct_proc *q)
{
	for (int depth = 0; q && depth < ACCT_MAX_DEPTH; depth++) {
		const struct ct_acct_proc *r = ct_acct_find(a, q->pid);

		if (r && r->reaped)
			return r;
		if (!q->ppid || q->ppid == q->pid)
			break;
		q = ct_model_proc_const(m, q->ppid);
	}
	return NULL;
}

static int64_t diff(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b);
}

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static enum ct_acct_verdict ok_if(bool ok)
{
	return ok ? CT_ACCT_OK : CT_ACCT_MISMATCH;
}

/* The runnable tolerance for r ns of coldtrace's and k of the kernel's. */
static uint64_t runnable_tol(uint64_t r, uint64_t k)
{
	return CT_ACCT_RUNNABLE_TOL_NS + (uint64_t)(CT_ACCT_RUNNABLE_REL * (double)(r > k ? r : k));
}

int ct_acct_check(const struct ct_model *m, const struct ct_acct *a, uint32_t pid, struct ct_acct_cmp *c)
{
	const struct ct_acct_proc *ap = ct_acct_find(a, pid);
	const struct ct_proc *self = ct_model_proc_const(m, pid);
	enum ct_acct_verdict *v[] = {&c->faults, &c->nvcsw_v, &c->nivcsw_v, &c->cpu, &c->runnable};
	bool any_ok = false;

	memset(c, 0, sizeof(*c));
	c->pid = pid;
	if (!ap || !ap->reaped)
		return -1;
	c->ru = &ap->ru;
	c->ru_cpu_ns = (ap->ru.utime_us + ap->ru.stime_us) * 1000;
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct ct_proc *q = &m->procs[i];

		/* the newest record of each pid (a reused pid's older one is
		 * not what the table's entry was reaped as) */
		if (ct_model_proc_const(m, q->pid) != q || owner_of(m, a, q) != ap)
			continue;
		c->nprocs++;
		c->nthreads += q->nthreads;
		c->dead_nonleader += q->dead_nonleader;
		c->run_ns += q->sum.run_ns;
		c->min_flt += q->sum.min_flt;
		c->maj_flt += q->sum.maj_flt;
		c->nvcsw += q->sum.nvcsw;
		c->nivcsw += q->sum.nivcsw;
	}
	c->d_cpu_ns = diff(c->run_ns, c->ru_cpu_ns);
	c->d_min_flt = diff(c->min_flt, ap->ru.min_flt);
	c->d_maj_flt = diff(c->maj_flt, ap->ru.maj_flt);
	c->d_nvcsw = diff(c->nvcsw, ap->ru.nvcsw);
	c->d_nivcsw = diff(c->nivcsw, ap->ru.nivcsw);
	c->cpu_tol_ns = CT_ACCT_CPU_TOL_NS + CT_ACCT_CPU_THREAD_NS * c->nthreads;
	if (m->have_sched && self && c->nthreads) {
		c->faults = ok_if(!c->d_min_flt && !c->d_maj_flt);
		c->nivcsw_v = ok_if(!c->d_nivcsw);
		c->nvcsw_v = ok_if(c->d_nvcsw >= (int64_t)c->dead_nonleader &&
				   c->d_nvcsw <= (int64_t)c->dead_nonleader + CT_ACCT_NVCSW_SLACK);
		c->cpu = ok_if(absdiff(c->run_ns, c->ru_cpu_ns) <= c->cpu_tol_ns);
	}
	c->sched_gaps = self ? self->sched_gaps : 0;
	/* runnable time is known only where every wait's start and end were
	 * seen: a gap (a switch the kernel did not report) leaves a wait out */
	if (m->have_sched && self && self->nthreads && ap->ts_threads && ap->ts_group_dead && !c->sched_gaps) {
		/* as delay accounting counts it: not the spans queued after a
		 * preemption with a sleep state set (CT_TSPAN_UNQUEUED) */
		c->runnable_ns = self->runnable_ns - self->unqueued_ns;
		c->after_record_ns = ap->after_record_ns < c->runnable_ns ? ap->after_record_ns : c->runnable_ns;
		c->runnable_ns -= c->after_record_ns;
		c->unqueued_ns = self->unqueued_ns;
		c->delay_ns = ct_acct_traced_delay(ap);
		c->d_runnable_ns = diff(c->runnable_ns, c->delay_ns);
		c->runnable_tol_ns = runnable_tol(c->runnable_ns, c->delay_ns);
		c->runnable = ok_if(absdiff(c->runnable_ns, c->delay_ns) <= c->runnable_tol_ns);
	}
	c->all = CT_ACCT_NA;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (*v[i] == CT_ACCT_MISMATCH)
			c->all = CT_ACCT_MISMATCH;
		any_ok |= *v[i] == CT_ACCT_OK;
	}
	if (c->all != CT_ACCT_MISMATCH && any_ok)
		c->all = CT_ACCT_OK;
	return 0;
}

/* Every traced process's own runnable time against its threads' cpu delay
 * (taskstats), over those whose last thread's record came. */
struct acct_totals {
	uint32_t reaped, ok, mismatch, na;
	uint32_t ts_procs;
	uint64_t runnable_ns, delay_ns;
	int64_t d_nvcsw_extra; /* sum of d_nvcsw - dead_nonleader */
	uint64_t max_cpu_diff_ns;
	uint32_t first_bad; /* pid of the first mismatch, 0 */
};

static void totals(const struct ct_model *m, const struct ct_acct *a, struct acct_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < a->nprocs; i++) {
		const struct ct_acct_proc *ap = &a->procs[i];
		struct ct_acct_cmp c;

		if (ap->reaped && !ct_acct_check(m, a, ap->pid, &c)) {
			t->reaped++;
			if (c.all == CT_ACCT_OK)
				t->ok++;
			else if (c.all == CT_ACCT_MISMATCH) {
				t->mismatch++;
				if (!t->first_bad)
					t->first_bad = ap->pid;
			} else {
				t->na++;
			}
			if (c.nvcsw_v != CT_ACCT_NA)
				t->d_nvcsw_extra += c.d_nvcsw - (int64_t)c.dead_nonleader;
			if (c.cpu != CT_ACCT_NA && absdiff(c.run_ns, c.ru_cpu_ns) > t->max_cpu_diff_ns)
				t->max_cpu_diff_ns = absdiff(c.run_ns, c.ru_cpu_ns);
		}
		if (ap->ts_threads && ap->ts_group_dead) {
			const struct ct_proc *p = ct_model_proc_const(m, ap->pid);

			if (p && p->nthreads) {
				t->ts_procs++;
				uint64_t r = p->runnable_ns - p->unqueued_ns;

				t->runnable_ns += r - (ap->after_record_ns < r ? ap->after_record_ns : r);
				t->delay_ns += ct_acct_traced_delay(ap);
			}
		}
	}
}

static void jw_verdict(struct jsonw *w, const char *key, enum ct_acct_verdict v)
{
	jw_kstr(w, key, ct_acct_verdict_name(v));
}

void ct_acct_jsonl(const struct ct_model *m, const struct ct_acct *a, struct jsonw *w)
{
	struct acct_totals t;

	if (!a || (!a->nprocs && !a->ts_on))
		return;
	for (size_t i = 0; i < a->nprocs; i++) {
		const struct ct_acct_proc *ap = &a->procs[i];
		struct ct_acct_cmp c;

		if (!ap->reaped || ct_acct_check(m, a, ap->pid, &c))
			continue;
		jw_obj_open(w);
		jw_kstr(w, "type", "acct");
		jw_kuint(w, "pid", ap->pid);
		jw_kint(w, "status", ap->status);
		jw_kuint(w, "procs", c.nprocs);
		jw_kuint(w, "threads", c.nthreads);
		jw_kuint(w, "dead_nonleader", c.dead_nonleader);
		jw_key(w, "coldtrace");
		jw_obj_open(w);
		ct_counts_json(w, "cpu_ns", c.run_ns, c.min_flt, c.maj_flt, c.nvcsw, c.nivcsw);
		jw_kuint(w, "runnable_ns", c.runnable_ns);
		jw_kuint(w, "unqueued_ns", c.unqueued_ns);
		if (c.after_record_ns)
			jw_kuint(w, "after_record_ns", c.after_record_ns);
		if (c.sched_gaps)
			jw_kuint(w, "sched_gaps", c.sched_gaps);
		jw_obj_close(w);
		jw_key(w, "rusage");
		jw_obj_open(w);
		jw_kuint(w, "utime_us", ap->ru.utime_us);
		jw_kuint(w, "stime_us", ap->ru.stime_us);
		ct_counts_json(w, "cpu_ns", c.ru_cpu_ns, ap->ru.min_flt, ap->ru.maj_flt, ap->ru.nvcsw,
			       ap->ru.nivcsw);
		jw_obj_close(w);
		if (ap->ts_threads) {
			jw_key(w, "taskstats");
			jw_obj_open(w);
			jw_kuint(w, "threads", ap->ts_threads);
			jw_kbool(w, "complete", ap->ts_group_dead);
			jw_kuint(w, "cpu_delay_ns", ap->ts.cpu_delay_ns);
			if (ap->pre_delay_ns)
				jw_kuint(w, "pre_trace_delay_ns", ap->pre_delay_ns);
			jw_kuint(w, "cpu_count", ap->ts.cpu_count);
			jw_kuint(w, "run_ns", ap->ts.run_ns);
			jw_kuint(w, "blkio_delay_ns", ap->ts.blkio_delay_ns);
			jw_kuint(w, "blkio_count", ap->ts.blkio_count);
			jw_kuint(w, "min_flt", ap->ts.min_flt);
			jw_kuint(w, "maj_flt", ap->ts.maj_flt);
			jw_kuint(w, "nvcsw", ap->ts.nvcsw);
			jw_kuint(w, "nivcsw", ap->ts.nivcsw);
			jw_obj_close(w);
		}
		jw_key(w, "diff");
		jw_obj_open(w);
		jw_kint(w, "cpu_ns", c.d_cpu_ns);
		jw_kint(w, "min_flt", c.d_min_flt);
		jw_kint(w, "maj_flt", c.d_maj_flt);
		jw_kint(w, "nvcsw", c.d_nvcsw);
		jw_kint(w, "nivcsw", c.d_nivcsw);
		if (c.runnable != CT_ACCT_NA)
			jw_kint(w, "runnable_ns", c.d_runnable_ns);
		jw_obj_close(w);
		jw_key(w, "tolerance");
		jw_obj_open(w);
		jw_kuint(w, "cpu_ns", c.cpu_tol_ns);
		jw_kuint(w, "nvcsw_min", c.dead_nonleader);
		jw_kuint(w, "nvcsw_max", c.dead_nonleader + CT_ACCT_NVCSW_SLACK);
		if (c.runnable != CT_ACCT_NA)
			jw_kuint(w, "runnable_ns", c.runnable_tol_ns);
		jw_obj_close(w);
		jw_key(w, "verdict");
		jw_obj_open(w);
		jw_verdict(w, "faults", c.faults);
		jw_verdict(w, "nvcsw", c.nvcsw_v);
		jw_verdict(w, "nivcsw", c.nivcsw_v);
		jw_verdict(w, "cpu", c.cpu);
		jw_verdict(w, "runnable", c.runnable);
		jw_verdict(w, "all", c.all);
		jw_obj_close(w);
		jw_obj_close(w);
	}
	totals(m, a, &t);
	jw_obj_open(w);
	jw_kstr(w, "type", "acct_summary");
	jw_kuint(w, "reaped", t.reaped);
	jw_kuint(w, "ok", t.ok);
	jw_kuint(w, "mismatch", t.mismatch);
	jw_kuint(w, "na", t.na);
	jw_kstr(w, "taskstats", a->ts_on ? "on" : "off");
	if (!a->ts_on && a->ts_error[0])
		jw_kstr(w, "taskstats_error", a->ts_error);
	jw_kint(w, "task_delayacct", a->delayacct);
	jw_kuint(w, "taskstats_records", a->ts_records);
	jw_kuint(w, "taskstats_lost", a->ts_lost);
	jw_kuint(w, "dropped", a->dropped);
	jw_kuint(w, "runnable_procs", t.ts_procs);
	jw_kuint(w, "runnable_ns", t.runnable_ns);
	jw_kuint(w, "cpu_delay_ns", t.delay_ns);
	jw_kstr(w, "verdict", t.mismatch ? "mismatch" : t.ok ? "ok" : "n/a");
	jw_obj_close(w);
}

void ct_acct_text(const struct ct_model *m, const struct ct_acct *a, struct strbuf *out)
{
	struct acct_totals t;

	if (!a || !a->nprocs)
		return;
	totals(m, a, &t);
	sb_printf(out, "ground truth: %u process%s reaped", t.reaped, t.reaped == 1 ? "" : "es");
	if (!t.ok && !t.mismatch) {
		sb_printf(out, ", nothing to compare (%s)\n",
			  m->have_sched ? "no scheduler records of them" : "no scheduler records: --no-sched?");
		return;
	}
	if (!t.mismatch)
		sb_printf(out, ": faults and switches equal rusage (nvcsw %+lld beyond exited threads' final switches), CPU within %.3f ms",
			  (long long)t.d_nvcsw_extra, (double)t.max_cpu_diff_ns / 1e6);
	else {
		struct ct_acct_cmp c;

		ct_acct_check(m, a, t.first_bad, &c);
		sb_printf(out, ": %u of them MISMATCH rusage; pid %u: faults %llu/%llu vs %llu/%llu, nvcsw %llu vs %llu (+%u expected), nivcsw %llu vs %llu, CPU %.3f vs %.3f ms",
			  t.mismatch, t.first_bad, (unsigned long long)c.min_flt, (unsigned long long)c.maj_flt,
			  (unsigned long long)c.ru->min_flt, (unsigned long long)c.ru->maj_flt,
			  (unsigned long long)c.nvcsw, (unsigned long long)c.ru->nvcsw, c.dead_nonleader,
			  (unsigned long long)c.nivcsw, (unsigned long long)c.ru->nivcsw, (double)c.run_ns / 1e6,
			  (double)c.ru_cpu_ns / 1e6);
	}
	if (t.ts_procs)
		sb_printf(out, "; runnable %.3f ms vs delay accounting's %.3f ms", (double)t.runnable_ns / 1e6,
			  (double)t.delay_ns / 1e6);
	else if (!a->ts_on && a->ts_error[0])
		sb_printf(out, "; no taskstats (%s)", a->ts_error);
	if (a->ts_lost)
		sb_printf(out, " (%llu taskstats overflows)", (unsigned long long)a->ts_lost);
	sb_putc(out, '\n');
}
