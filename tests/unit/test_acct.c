// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* acct: taskstats records read from netlink bytes, the table, and the
 * comparison of coldtrace's sums with the kernel's over the right set. */
#include <linux/netlink.h>
#include <linux/taskstats.h>
#include <stdlib.h>
#include <string.h>

#include "acct.h"
#include "ct_test.h"
#include "jsonw.h"
#include "model.h"
#include "model_build.h"
#include "strbuf.h"

/* ---- netlink bytes as the kernel's taskstats_exit makes them ---- */

static size_t put_attr(char *buf, size_t off, uint16_t type, const void *data, size_t len)
{
	struct nlattr na = {.nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type};

	memcpy(buf + off, &na, sizeof(na));
	if (len)
		memcpy(buf + off + NLA_HDRLEN, data, len);
	return off + NLA_ALIGN(NLA_HDRLEN + len);
}

/* AGGR_PID{PID, NULL pad, STATS} then, if tgid, AGGR_TGID{TGID, STATS}. */
static size_t make_msg(char *buf, uint32_t pid, const struct taskstats *s, size_t slen, uint32_t tgid)
{
	size_t off = 0, nest = 0, in;
	struct nlattr na;

	memset(buf, 0, 4096);
	if (tgid) {
		/* a padding attribute first, as nla_reserve_64bit may put */
		off = put_attr(buf, off, TASKSTATS_TYPE_NULL, NULL, 0);
	}
	nest = off;
	in = put_attr(buf, nest + NLA_HDRLEN, TASKSTATS_TYPE_PID, &pid, sizeof(pid));
	in = put_attr(buf, in, TASKSTATS_TYPE_NULL, NULL, 0);
	in = put_attr(buf, in, TASKSTATS_TYPE_STATS, s, slen);
	na.nla_type = TASKSTATS_TYPE_AGGR_PID | NLA_F_NESTED;
	na.nla_len = (uint16_t)(in - nest);
	memcpy(buf + nest, &na, sizeof(na));
	off = in;
	if (tgid) {
		nest = off;
		in = put_attr(buf, nest + NLA_HDRLEN, TASKSTATS_TYPE_TGID, &tgid, sizeof(tgid));
		in = put_attr(buf, in, TASKSTATS_TYPE_STATS, s, slen);
		na.nla_type = TASKSTATS_TYPE_AGGR_TGID;
		na.nla_len = (uint16_t)(in - nest);
		memcpy(buf + nest, &na, sizeof(na));
		off = in;
	}
	return off;
}

static struct taskstats sample(uint32_t tid, uint32_t tgid)
{
	struct taskstats s;

	memset(&s, 0, sizeof(s));
	s.version = 13;
	s.ac_flag = 0x20; /* AGROUP */
	s.ac_pid = tid;
	s.ac_tgid = tgid;
	s.cpu_count = 7;
	s.cpu_delay_total = 1234567;
	s.cpu_run_virtual_total = 9876543;
	s.blkio_count = 2;
	s.blkio_delay_total = 555;
	s.ac_utime = 1000;
	s.ac_stime = 20;
	s.ac_minflt = 81;
	s.ac_majflt = 3;
	s.nvcsw = 5;
	s.nivcsw = 60;
	return s;
}

CT_TEST(parse_a_thread_record)
{
	char buf[4096];
	struct taskstats s = sample(11, 10);
	struct ct_task_acct t;
	size_t n = make_msg(buf, 11, &s, sizeof(s), 10);

	CT_EQ_INT(ct_acct_parse_taskstats(buf, n, &t), 0);
	CT_EQ_INT(t.pid, 11);
	CT_EQ_INT(t.tgid, 10);
	CT_TRUE(t.group_dead);
	CT_EQ_U64(t.cpu_delay_ns, 1234567);
	CT_EQ_U64(t.cpu_count, 7);
	CT_EQ_U64(t.run_ns, 9876543);
	CT_EQ_U64(t.blkio_delay_ns, 555);
	CT_EQ_U64(t.min_flt, 81);
	CT_EQ_U64(t.maj_flt, 3);
	CT_EQ_U64(t.nvcsw, 5);
	CT_EQ_U64(t.nivcsw, 60);
	CT_EQ_U64(t.utime_us + t.stime_us, 1020);
}

CT_TEST(parse_short_and_old_records)
{
	char buf[4096];
	struct taskstats s = sample(11, 10);
	struct ct_task_acct t;
	size_t n;

	/* an older kernel's shorter struct, without ac_tgid: read as far as it goes */
	s.version = 8;
	n = make_msg(buf, 11, &s, offsetof(struct taskstats, ac_tgid), 0);
	CT_EQ_INT(ct_acct_parse_taskstats(buf, n, &t), 0);
	CT_EQ_INT(t.pid, 11);
	CT_EQ_INT(t.tgid, 0);
	CT_EQ_U64(t.nvcsw, 5);
	/* too short to hold the times and counters: refused */
	n = make_msg(buf, 11, &s, offsetof(struct taskstats, ac_utime) - 8, 0);
	CT_EQ_INT(ct_acct_parse_taskstats(buf, n, &t), -1);
}

CT_TEST(parse_refuses_malformed)
{
	char buf[4096];
	struct taskstats s = sample(11, 10);
	struct ct_task_acct t;
	size_t n = make_msg(buf, 11, &s, sizeof(s), 10);
	struct nlattr *first;

	/* cut anywhere inside the per-thread nest: never read past the end */
	for (size_t cut = 0; cut < n; cut += 4)
		if (ct_acct_parse_taskstats(buf, cut, &t) == 0)
			CT_TRUE(cut >= NLA_HDRLEN + 8 + sizeof(s));
	/* a length pointing past the buffer */
	first = (struct nlattr *)(buf + NLA_HDRLEN); /* after the pad: the AGGR_PID nest */
	first->nla_len = 0xfff0;
	CT_EQ_INT(ct_acct_parse_taskstats(buf, n, &t), -1);
	/* a length below the header */
	first->nla_len = 2;
	CT_EQ_INT(ct_acct_parse_taskstats(buf, n, &t), -1);
	/* nothing but a TGID aggregate */
	CT_EQ_INT(ct_acct_parse_taskstats(buf, 0, &t), -1);
	for (int round = 0; round < 2000; round++) {
		char junk[512];

		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (char)ct_rand();
		ct_acct_parse_taskstats(junk, (size_t)(ct_rand() % sizeof(junk)), &t); /* no crash */
	}
}

CT_TEST(threads_add_up_per_process)
{
	struct ct_acct a;
	struct ct_task_acct t = {.pid = 11, .tgid = 10, .cpu_delay_ns = 100, .nvcsw = 2, .min_flt = 5};
	const struct ct_acct_proc *p;

	ct_acct_init(&a);
	ct_acct_thread(&a, &t);
	t.pid = 10;
	t.group_dead = true;
	t.cpu_delay_ns = 50;
	ct_acct_thread(&a, &t);
	t.pid = 20; /* no tgid: a record of an old kernel, its own process */
	t.tgid = 0;
	ct_acct_thread(&a, &t);
	p = ct_acct_find(&a, 10);
	CT_TRUE(p != NULL);
	if (p) {
		CT_EQ_INT(p->ts_threads, 2);
		CT_TRUE(p->ts_group_dead);
		CT_EQ_U64(p->ts.cpu_delay_ns, 150);
		CT_EQ_U64(p->ts.nvcsw, 4);
		CT_EQ_U64(p->ts.min_flt, 10);
		CT_TRUE(!p->reaped);
	}
	CT_TRUE(ct_acct_find(&a, 20) != NULL);
	CT_TRUE(ct_acct_find(&a, 11) == NULL);
	CT_EQ_U64(a.ts_records, 3);
	ct_acct_free(&a);
}

/* ---- the comparison over S(P) ---- */

static struct ct_proc *proc(struct ct_model *m, uint32_t pid, uint32_t ppid, uint64_t run_ns, uint64_t minf,
			    uint64_t majf, uint64_t nv, uint64_t niv, uint32_t threads, uint32_t dead)
{
	struct ct_proc *p;

	ct_model_add_root(m, pid, 1000);
	p = ct_model_proc(m, pid);
	p->ppid = ppid;
	p->sum.run_ns = run_ns;
	p->sum.min_flt = minf;
	p->sum.maj_flt = majf;
	p->sum.nvcsw = nv;
	p->sum.nivcsw = niv;
	p->nthreads = threads;
	p->dead_nonleader = dead;
	return p;
}

static struct ct_rusage ru(uint64_t cpu_us, uint64_t minf, uint64_t majf, uint64_t nv, uint64_t niv)
{
	return (struct ct_rusage){.utime_us = cpu_us - cpu_us / 4, .stime_us = cpu_us / 4, .min_flt = minf,
				  .maj_flt = majf, .nvcsw = nv, .nivcsw = niv};
}

/*
 * coldtrace (1) runs R (100); R forks A (101, reaped by R) and B (102,
 * orphaned when A exits: reaped by coldtrace); B's child C (103) is
 * reaped by B. S(100) = {100, 101}; S(102) = {102, 103}.
 */
static void tree(struct ct_model *m)
{
	ct_model_init(m, NULL);
	m->have_sched = true;
	proc(m, 100, 1, 10000000, 100, 1, 10, 3, 1, 0);
	proc(m, 101, 100, 5000000, 50, 2, 8, 1, 3, 2); /* 3 threads, 2 exited before the leader */
	proc(m, 102, 101, 2000000, 20, 0, 4, 0, 1, 0);
	proc(m, 103, 102, 1000000, 10, 0, 2, 1, 1, 0);
	ct_model_proc(m, 100)->runnable_ns = 3000000;
}

CT_TEST(unreaped_descendants_count_toward_the_nearest_reaped_ancestor)
{
	struct ct_model m;
	struct ct_acct a;
	struct ct_acct_cmp c;
	struct ct_rusage all = ru(18000, 180, 3, 22, 5);

	/* 102 not reaped by coldtrace (the trace was stopped, or a subreaper
	 * inside the tree took it): it and 103 count toward 100 */
	tree(&m);
	ct_acct_init(&a);
	ct_acct_reaped(&a, 100, 0, &all);
	CT_EQ_INT(ct_acct_check(&m, &a, 100, &c), 0);
	CT_EQ_INT(c.nprocs, 4);
	CT_EQ_INT(c.nthreads, 6);
	CT_EQ_INT(c.all, CT_ACCT_OK);
	ct_acct_free(&a);
	ct_model_free(&m);
}

CT_TEST(rusage_covers_the_reaped_subtree)
{
	struct ct_model m;
	struct ct_acct a;
	struct ct_acct_cmp c;
	/* rusage of 100: 100 + 101 (101's 2 dead threads' final switches missed) */
	struct ct_rusage r100 = ru(15000, 150, 3, 16, 4), r102 = ru(3000, 30, 0, 6, 1);

	tree(&m);
	ct_acct_init(&a);
	ct_acct_reaped(&a, 100, 0, &r100);
	ct_acct_reaped(&a, 102, 0, &r102);
	CT_EQ_INT(ct_acct_check(&m, &a, 100, &c), 0);
	CT_EQ_INT(c.nprocs, 2);
	CT_EQ_INT(c.nthreads, 4);
	CT_EQ_INT(c.dead_nonleader, 2);
	CT_EQ_U64(c.min_flt, 150);
	CT_EQ_INT(c.d_nvcsw, 2);
	CT_EQ_INT(c.faults, CT_ACCT_OK);
	CT_EQ_INT(c.nvcsw_v, CT_ACCT_OK);
	CT_EQ_INT(c.nivcsw_v, CT_ACCT_OK);
	CT_EQ_INT(c.cpu, CT_ACCT_OK);
	CT_EQ_INT(c.runnable, CT_ACCT_NA); /* no taskstats */
	CT_EQ_INT(c.all, CT_ACCT_OK);
	CT_EQ_INT(ct_acct_check(&m, &a, 102, &c), 0);
	CT_EQ_INT(c.nprocs, 2);
	CT_EQ_U64(c.run_ns, 3000000);
	CT_EQ_INT(c.all, CT_ACCT_OK);
	/* not reaped by coldtrace: no comparison of its own */
	CT_EQ_INT(ct_acct_check(&m, &a, 101, &c), -1);
	ct_acct_free(&a);
	ct_model_free(&m);
}

CT_TEST(mismatches_are_found)
{
	struct ct_model m;
	struct ct_acct a;
	struct ct_acct_cmp c;
	struct ct_rusage good = ru(15000, 150, 3, 16, 4), r102 = ru(3000, 30, 0, 6, 1), r;

	tree(&m);
	ct_acct_init(&a);
	ct_acct_reaped(&a, 102, 0, &r102); /* else 102 and 103 would be in S(100) */
	r = good;
	r.min_flt++; /* one fault coldtrace did not count */
	ct_acct_reaped(&a, 100, 0, &r);
	ct_acct_check(&m, &a, 100, &c);
	CT_EQ_INT(c.faults, CT_ACCT_MISMATCH);
	CT_EQ_INT(c.all, CT_ACCT_MISMATCH);
	r = good;
	r.maj_flt--;
	ct_acct_reaped(&a, 100, 0, &r);
	ct_acct_check(&m, &a, 100, &c);
	CT_EQ_INT(c.faults, CT_ACCT_MISMATCH);
	r = good;
	r.nivcsw++;
	ct_acct_reaped(&a, 100, 0, &r);
	ct_acct_check(&m, &a, 100, &c);
	CT_EQ_INT(c.nivcsw_v, CT_ACCT_MISMATCH);
	CT_EQ_INT(c.faults, CT_ACCT_OK);
	/* nvcsw: coldtrace - rusage must be the dead threads' final switches,
	 * plus at most the slack */
	r = good;
	r.nvcsw += 2; /* as if coldtrace had missed those two */
	ct_acct_reaped(&a, 100, 0, &r);
	ct_acct_check(&m, &a, 100, &c);
	CT_EQ_INT(c.nvcsw_v, CT_ACCT_MISMATCH);
	r = good;
	r.nvcsw -= CT_ACCT_NVCSW_SLACK;
	ct_acct_reaped(&a, 100, 0, &r);
	ct_acct_check(&m, &a, 100, &c);
	CT_EQ_INT(c.nvcsw_v, CT_ACCT_OK);
	r.nvcsw--;
	ct_acct_reaped(&a, 100, 0, &r);
	ct_acct_check(&m, &a, 100, &c);
	CT_EQ_INT(c.nvcsw_v, CT_ACCT_MISMATCH);
	/* CPU: within the tolerance, not beyond */
	r = good;
	ct_acct_reaped(&a, 100, 0, &r);
	ct_acct_check(&m, &a, 100, &c);
	{
		uint64_t tol = c.cpu_tol_ns / 1000;

		CT_EQ_U64(c.cpu_tol_ns, CT_ACCT_CPU_TOL_NS + CT_ACCT_CPU_THREAD_NS * 4);
		r.utime_us += tol;
		ct_acct_reaped(&a, 100, 0, &r);
		ct_acct_check(&m, &a, 100, &c);
		CT_EQ_INT(c.cpu, CT_ACCT_OK);
		r.utime_us += 1;
		ct_acct_reaped(&a, 100, 0, &r);
		ct_acct_check(&m, &a, 100, &c);
		CT_EQ_INT(c.cpu, CT_ACCT_MISMATCH);
		CT_EQ_INT(c.d_cpu_ns, -(int64_t)(tol + 1) * 1000);
	}
	ct_acct_free(&a);
	ct_model_free(&m);
}

CT_TEST(runnable_against_delay_accounting)
{
	struct ct_model m;
	struct ct_acct a;
	struct ct_acct_cmp c;
	struct ct_rusage r = ru(15000, 150, 3, 16, 4), r102 = ru(3000, 30, 0, 6, 1);
	struct ct_task_acct t = {.pid = 100, .tgid = 100, .group_dead = false};

	tree(&m);
	ct_acct_init(&a);
	ct_acct_reaped(&a, 100, 0, &r);
	ct_acct_reaped(&a, 102, 0, &r102);
	t.cpu_delay_ns = 3000000 + CT_ACCT_RUNNABLE_TOL_NS + (uint64_t)(CT_ACCT_RUNNABLE_REL * 3e6);
	ct_acct_thread(&a, &t);
	ct_acct_check(&m, &a, 100, &c);
	/* the process's last thread's record has not come: not compared */
	CT_EQ_INT(c.runnable, CT_ACCT_NA);
	t.cpu_delay_ns = 0;
	t.group_dead = true;
	t.pid = 104;
	ct_acct_thread(&a, &t);
	ct_acct_check(&m, &a, 100, &c);
	CT_EQ_INT(c.runnable, CT_ACCT_OK);
	CT_EQ_U64(c.delay_ns, 3000000 + CT_ACCT_RUNNABLE_TOL_NS + (uint64_t)(CT_ACCT_RUNNABLE_REL * 3e6));
	t.cpu_delay_ns = (uint64_t)(CT_ACCT_RUNNABLE_REL * 3e6) + 1000000;
	ct_acct_thread(&a, &t);
	ct_acct_check(&m, &a, 100, &c);
	CT_EQ_INT(c.runnable, CT_ACCT_MISMATCH);
	CT_EQ_INT(c.all, CT_ACCT_MISMATCH);
	ct_acct_free(&a);
	ct_model_free(&m);
}

CT_TEST(runnable_leaves_out_the_wait_before_tracing)
{
	struct ct_model m;
	struct ct_acct a;
	struct ct_acct_cmp c;
	struct ct_rusage r = ru(15000, 150, 3, 16, 4);
	/* coldtrace saw 3 ms runnable (tree()); the kernel counted 3 ms plus
	 * 80 ms the root waited between fork and its exec, untraced */
	struct ct_task_acct t = {.pid = 100, .tgid = 100, .group_dead = true, .cpu_delay_ns = 83000000};
	struct strbuf sb;
	struct jsonw w;

	tree(&m);
	ct_acct_init(&a);
	ct_acct_reaped(&a, 100, 0, &r);
	ct_acct_thread(&a, &t);
	ct_acct_check(&m, &a, 100, &c);
	CT_EQ_INT(c.runnable, CT_ACCT_MISMATCH);
	ct_acct_pre_delay(&a, 100, 80000000);
	ct_acct_check(&m, &a, 100, &c);
	CT_EQ_U64(c.delay_ns, 3000000);
	CT_EQ_INT(c.runnable, CT_ACCT_OK);
	sb_init(&sb);
	jw_init(&w, &sb);
	ct_acct_jsonl(&m, &a, &w);
	CT_TRUE(sb.buf && strstr(sb.buf, "\"cpu_delay_ns\":83000000,\"pre_trace_delay_ns\":80000000"));
	sb_free(&sb);
	/* more before than in all (a bad read): nothing is left, not a wrap */
	ct_acct_pre_delay(&a, 100, 90000000);
	CT_EQ_U64(ct_acct_traced_delay(ct_acct_find(&a, 100)), 0);
	ct_acct_free(&a);
	ct_model_free(&m);
}

/*
 * The last thread tears the process's memory down after its taskstats
 * record, and may wait for a CPU then: taskstats never counts that wait.
 * Thread 200: woken at 0, runs from 10 us (the record is taken in this
 * span, at 500 us of CPU), preempted at 1 ms with 990 us of CPU, waits
 * 49 ms, runs its exit to the final switch at 51 ms.
 */
CT_TEST(runnable_after_the_taskstats_record_is_left_out)
{
	struct ct_model m;
	struct ct_acct a;
	struct ct_acct_cmp c;
	struct ct_rusage r = ru(1990, 0, 0, 1, 1);
	struct ct_task_acct t = {.pid = 200, .tgid = 200, .group_dead = true, .cpu_delay_ns = 10000,
				 .run_ns = 500000};
	struct ct_tcounters zero = {0}, at_out = {.run_ns = 990000, .nivcsw = 1},
			    last = {.run_ns = 1990000, .nvcsw = 1, .nivcsw = 1};

	ct_model_init(&m, NULL);
	mb_exec(&m, 200, 1, 1, "/bin/x");
	CT_EQ_INT(mb_sched(&m, 200, 200, 1000, CT_SCHED_WAKE, CT_TS_RUNNABLE, zero), 0);
	CT_EQ_INT(mb_sched(&m, 200, 200, 11000, CT_SCHED_IN, CT_TS_RUNNING, zero), 0);
	CT_EQ_INT(mb_sched(&m, 200, 200, 1001000, CT_SCHED_OUT, CT_TS_RUNNABLE, at_out), 0);
	CT_EQ_INT(mb_sched(&m, 200, 200, 50001000, CT_SCHED_IN, CT_TS_RUNNING, at_out), 0);
	CT_EQ_INT(mb_sched(&m, 200, 200, 51001000, CT_SCHED_OUT, CT_TS_DEAD, last), 0);
	mb_exit(&m, 200, 51002000, 0);
	ct_model_finish(&m);
	ct_acct_init(&a);
	ct_acct_reaped(&a, 200, 0, &r);
	ct_acct_thread(&a, &t);
	ct_acct_check(&m, &a, 200, &c);
	/* 49.01 ms against 10 us: far apart */
	CT_EQ_INT(c.runnable, CT_ACCT_MISMATCH);
	ct_acct_finish(&a, &m);
	ct_acct_check(&m, &a, 200, &c);
	CT_EQ_U64(c.after_record_ns, 49000000);
	CT_EQ_U64(c.runnable_ns, 10000);
	CT_EQ_INT(c.runnable, CT_ACCT_OK);
	CT_EQ_INT(c.cpu, CT_ACCT_OK);
	/* a record taken after that wait (its CPU time past the preemption's):
	 * the wait was before it, and counts */
	a.trecs[0].run_ns = 1500000;
	ct_acct_finish(&a, &m);
	ct_acct_check(&m, &a, 200, &c);
	CT_EQ_U64(c.after_record_ns, 0);
	CT_EQ_INT(c.runnable, CT_ACCT_MISMATCH);
	ct_acct_free(&a);
	ct_model_free(&m);
}

/*
 * A switch in the kernel ran without its tracepoint: thread 301, preempted
 * at 2 ms, runs again unseen and dies at 9 ms. Its switch out is still
 * recorded (decided by its own tgid), with its final counters: faults,
 * switches and CPU match rusage exactly; its runnable time is not known,
 * and not compared.
 */
CT_TEST(a_switch_in_the_kernel_did_not_report)
{
	struct ct_model m;
	struct ct_acct a;
	struct ct_acct_cmp c;
	struct ct_rusage r = ru(9000, 30, 0, 1, 1);
	struct ct_task_acct t = {.pid = 300, .tgid = 300, .group_dead = true, .cpu_delay_ns = 7000000};
	struct ct_tcounters zero = {0}, pre = {.run_ns = 2000000, .min_flt = 10, .nivcsw = 1},
			    fin = {.run_ns = 4000000, .min_flt = 20, .nivcsw = 1, .nvcsw = 1},
			    lead = {.run_ns = 5000000, .min_flt = 10, .nvcsw = 1};

	ct_model_init(&m, NULL);
	mb_exec(&m, 300, 1, 1, "/bin/x");
	CT_EQ_INT(mb_sched(&m, 300, 300, 1000, CT_SCHED_IN, CT_TS_RUNNING, zero), 0);
	CT_EQ_INT(mb_sched(&m, 300, 301, 2000, CT_SCHED_NEW, CT_TS_RUNNABLE, zero), 0);
	CT_EQ_INT(mb_sched(&m, 300, 301, 3000, CT_SCHED_IN, CT_TS_RUNNING, zero), 0);
	CT_EQ_INT(mb_sched(&m, 300, 301, 2003000, CT_SCHED_OUT, CT_TS_RUNNABLE, pre), 0);
	/* its next switch in: not reported */
	CT_EQ_INT(mb_sched(&m, 300, 301, 9000000, CT_SCHED_OUT, CT_TS_DEAD, fin), 0);
	CT_EQ_INT(mb_sched(&m, 300, 300, 9500000, CT_SCHED_OUT, CT_TS_DEAD, lead), 0);
	mb_exit(&m, 300, 9600000, 0);
	ct_model_finish(&m);
	CT_EQ_U64(m.sched_gaps, 1);
	CT_EQ_INT(ct_model_proc(&m, 300)->sched_gaps, 1);
	CT_EQ_INT(ct_model_proc(&m, 300)->dead_nonleader, 1);
	ct_acct_init(&a);
	ct_acct_reaped(&a, 300, 0, &r);
	ct_acct_thread(&a, &t);
	ct_acct_finish(&a, &m);
	ct_acct_check(&m, &a, 300, &c);
	CT_EQ_INT(c.faults, CT_ACCT_OK);
	CT_EQ_INT(c.nvcsw_v, CT_ACCT_OK);
	CT_EQ_INT(c.nivcsw_v, CT_ACCT_OK);
	CT_EQ_INT(c.cpu, CT_ACCT_OK);
	CT_EQ_INT(c.runnable, CT_ACCT_NA);
	CT_EQ_INT(c.sched_gaps, 1);
	CT_EQ_INT(c.all, CT_ACCT_OK);
	ct_acct_free(&a);
	ct_model_free(&m);
}

CT_TEST(no_sched_records_nothing_to_compare)
{
	struct ct_model m;
	struct ct_acct a;
	struct ct_acct_cmp c;
	struct ct_rusage r = ru(15000, 999, 3, 16, 4);
	struct strbuf sb;

	tree(&m);
	m.have_sched = false; /* --no-sched */
	ct_acct_init(&a);
	ct_acct_reaped(&a, 100, 0, &r);
	ct_acct_check(&m, &a, 100, &c);
	CT_EQ_INT(c.faults, CT_ACCT_NA);
	CT_EQ_INT(c.all, CT_ACCT_NA);
	sb_init(&sb);
	ct_acct_text(&m, &a, &sb);
	CT_TRUE(sb.buf && strstr(sb.buf, "nothing to compare"));
	sb_free(&sb);
	ct_acct_free(&a);
	ct_model_free(&m);
}

CT_TEST(outputs)
{
	struct ct_model m;
	struct ct_acct a;
	struct ct_rusage r100 = ru(15000, 150, 3, 16, 4), r102 = ru(3000, 31, 0, 6, 1);
	struct strbuf sb;
	struct jsonw w;

	tree(&m);
	ct_acct_init(&a);
	ct_acct_reaped(&a, 100, 0, &r100);
	ct_acct_reaped(&a, 102, 9, &r102); /* one fault too many */
	sb_init(&sb);
	jw_init(&w, &sb);
	ct_acct_jsonl(&m, &a, &w);
	CT_TRUE(sb.buf != NULL);
	if (sb.buf) {
		CT_TRUE(strstr(sb.buf, "{\"type\":\"acct\",\"pid\":100,\"status\":0,\"procs\":2,\"threads\":4,\"dead_nonleader\":2,") != NULL);
		CT_TRUE(strstr(sb.buf, "\"pid\":102,\"status\":9,") != NULL);
		CT_TRUE(strstr(sb.buf, "\"diff\":{\"cpu_ns\":0,\"min_flt\":-1,") != NULL);
		CT_TRUE(strstr(sb.buf, "{\"type\":\"acct_summary\",\"reaped\":2,\"ok\":1,\"mismatch\":1,") != NULL);
		/* one record per line */
		{
			int lines = 0;

			for (const char *p = sb.buf; *p; p++)
				lines += *p == '\n';
			CT_EQ_INT(lines, 3);
		}
	}
	sb_reset(&sb);
	ct_acct_text(&m, &a, &sb);
	CT_TRUE(sb.buf && strstr(sb.buf, "1 of them MISMATCH rusage; pid 102: faults 30/0 vs 31/0"));
	sb_free(&sb);
	ct_acct_free(&a);
	ct_model_free(&m);
}

int main(void)
{
	CT_RUN(parse_a_thread_record);
	CT_RUN(parse_short_and_old_records);
	CT_RUN(parse_refuses_malformed);
	CT_RUN(threads_add_up_per_process);
	CT_RUN(rusage_covers_the_reaped_subtree);
	CT_RUN(unreaped_descendants_count_toward_the_nearest_reaped_ancestor);
	CT_RUN(mismatches_are_found);
	CT_RUN(runnable_against_delay_accounting);
	CT_RUN(runnable_leaves_out_the_wait_before_tracing);
	CT_RUN(runnable_after_the_taskstats_record_is_left_out);
	CT_RUN(a_switch_in_the_kernel_did_not_report);
	CT_RUN(no_sched_records_nothing_to_compare);
	CT_RUN(outputs);
	return ct_summary();
}
