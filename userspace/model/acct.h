/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * acct: the kernel's own accounting of the traced tree, taken in the same
 * run, and coldtrace's sums checked against it (issue 12, ground truth).
 * Pure C, no BPF, no syscalls: unit-tested.
 *
 * Two sources:
 *
 * - wait4()'s rusage of every process coldtrace reaps itself (it is the
 *   tree's subreaper: the root, and orphans re-parented to it). The kernel
 *   (wait_task_zombie, getrusage RUSAGE_BOTH) gives the process itself, all
 *   its threads, plus what its own reaped children added (signal->c*), and
 *   so on down: the process and the descendants its subtree reaped. That
 *   is the set ct_acct_check compares: a traced process not reaped by
 *   coldtrace counts toward its nearest fork ancestor that was.
 *   What rusage misses: a thread other than the leader adds its counters to
 *   signal_struct in __exit_signal (release_task from exit_notify), before
 *   its final context switch (do_task_dead -> __schedule, a voluntary one,
 *   nvcsw + 1) and the CPU time between the two; the leader, a zombie until
 *   reaped, is read whole. A process whose parent ignores SIGCHLD is
 *   reaped by the kernel: it is in nobody's rusage.
 *
 * - taskstats (genetlink "TASKSTATS"): a listener registered for every CPU
 *   gets, from taskstats_exit() in do_exit, each exiting thread's own
 *   record (TASKSTATS_TYPE_AGGR_PID): its delay accounting (cpu_count,
 *   cpu_delay_total: time runnable on a run queue, sched_info.run_delay;
 *   cpu_run_virtual_total: se.sum_exec_runtime), nvcsw/nivcsw, faults and
 *   tick-sampled utime/stime. Summed over a process's threads. A TGID query
 *   is no help: fill_stats_for_tgid skips exited threads and
 *   signal->stats is allocated only for groups that had more than one
 *   thread at some exit, and holds only the delay fields.
 *   cpu_delay_total and cpu_count come from CONFIG_SCHED_INFO and are kept
 *   whatever kernel.task_delayacct says; blkio/swapin/... delays need it on
 *   (at the thread's fork): coldtrace never changes the sysctl.
 *   The record is made before exit_mm/exit_files and the final switch: the
 *   thread's nvcsw there is at least 1 short.
 *
 * The checks (ct_acct_check), per reaped process P over its set S(P):
 *   faults: coldtrace's minor and major faults == rusage's, exactly;
 *   nivcsw: exactly;
 *   nvcsw:  coldtrace - rusage == the dead non-leader threads of S(P)
 *           whose final switch coldtrace saw (CT_ACCT_NVCSW_SLACK more
 *           allowed for a leader reaped before its last switch);
 *   CPU:    |coldtrace - (ru_utime + ru_stime)| <= CT_ACCT_CPU_TOL_NS per
 *           process + CT_ACCT_CPU_THREAD_NS per thread of S(P);
 *   runnable (taskstats on): |coldtrace runnable - cpu_delay_total| over
 *           P's own threads <= CT_ACCT_RUNNABLE_TOL_NS +
 *           CT_ACCT_RUNNABLE_REL of the larger, see acct.c for the
 *           measurements behind these. The kernel's side leaves out what
 *           the process waited before it was traced (ct_acct_pre_delay);
 *           coldtrace's leaves out what its threads waited after their
 *           taskstats records (ct_acct_finish). Not compared (n/a) for a
 *           process with a gap in its scheduler records (a switch the
 *           kernel ran without its tracepoint: then a wait's start or end
 *           is unknown); faults, switches and CPU come from the threads'
 *           own counters and are compared all the same.
 */
#ifndef COLDTRACE_ACCT_H
#define COLDTRACE_ACCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hashmap.h"

struct ct_model;
struct ct_proc;
struct jsonw;
struct strbuf;

/*
 * Tolerances, and what was measured (2-core VM, noisy; 5.x-6.18 kernel
 * code read for the sources of each difference):
 *
 * CPU: rusage's utime + stime add up to the threads' sum_exec_runtime
 * exactly (cputime_adjust scales the tick-sampled split to it), truncated
 * to microseconds. Where every final switch was seen, coldtrace - rusage
 * was +22 to +140 us (20 runs: a Go binary, the demo sandbox's 3 processes
 * and 20 threads): the non-leader threads' CPU time after __exit_signal.
 * The bound is a tick at CONFIG_HZ=250 per reaped process, plus 200 us
 * per thread: "within tick granularity".
 */
#define CT_ACCT_CPU_TOL_NS 4000000ull
#define CT_ACCT_CPU_THREAD_NS 200000ull
/* A leader reaped before its final switch (a race in the kernel) would
 * leave rusage one voluntary switch short: allowed, never seen. */
#define CT_ACCT_NVCSW_SLACK 1
/*
 * Runnable: coldtrace's time from a wakeup or preemption to the switch in,
 * against sched_info's run_delay (enqueue to arrival, rq_clock). Measured
 * on a process's own threads: -13.5 to +8.3 ms on 2 to 740 ms of runnable
 * time (at most 6% but once 22% of 37 ms). The root's waits after
 * coldtrace forked it, before it is traced, are the kernel's alone: on a
 * busy machine 10 to 100 ms that coldtrace cannot see, so they are read
 * (ct_acct_pre_delay) and left out of the comparison.
 * Tolerance: 5 ms + 10% of the larger.
 */
#define CT_ACCT_RUNNABLE_TOL_NS 5000000ull
#define CT_ACCT_RUNNABLE_REL 0.10

/* One thread's taskstats exit record, as ct_acct_parse_taskstats read it. */
struct ct_task_acct {
	uint32_t pid, tgid; /* tgid 0: the kernel's record has none (< v13) */
	bool group_dead;    /* the last thread of its process (AGROUP) */
	uint16_t version;   /* TASKSTATS_VERSION of the record */
	uint64_t cpu_count, cpu_delay_ns, run_ns;
	uint64_t blkio_count, blkio_delay_ns;
	uint64_t utime_us, stime_us;
	uint64_t min_flt, maj_flt, nvcsw, nivcsw;
};

/* What rusage says (struct rusage, reduced). */
struct ct_rusage {
	uint64_t utime_us, stime_us;
	uint64_t min_flt, maj_flt, nvcsw, nivcsw;
};

enum ct_acct_verdict {
	CT_ACCT_NA = 0,   /* nothing to compare (no figures on one side) */
	CT_ACCT_OK,
	CT_ACCT_MISMATCH,
};

/* One process the kernel accounted for. */
struct ct_acct_proc {
	uint32_t pid;
	/* wait4: coldtrace reaped it, with this status and rusage */
	bool reaped;
	int status;
	struct ct_rusage ru;
	/* taskstats: its threads' exit records, added */
	uint32_t ts_threads;
	bool ts_group_dead; /* the record of its last thread came */
	struct ct_task_acct ts;
	/* its run delay before coldtrace traced it (run's root: read from
	 * /proc/PID/schedstat while it waited to exec), left out of ts's
	 * cpu_delay_ns where runnable time is compared */
	uint64_t pre_delay_ns;
	/* coldtrace's runnable time of its threads after their taskstats
	 * records (ct_acct_finish), left out of the comparison */
	uint64_t after_record_ns;
};

/* One thread's CPU time (se.sum_exec_runtime) at its taskstats record. */
struct ct_acct_trec {
	uint32_t pid, tid;
	uint64_t run_ns;
};

/* The comparison of one reaped process (ct_acct_check). */
struct ct_acct_cmp {
	uint32_t pid;
	uint32_t nprocs;            /* processes in S(pid), itself included */
	uint32_t nthreads, dead_nonleader;
	uint64_t run_ns, min_flt, maj_flt, nvcsw, nivcsw; /* coldtrace, over S */
	uint64_t ru_cpu_ns;         /* (ru_utime + ru_stime) * 1000 */
	const struct ct_rusage *ru;
	int64_t d_cpu_ns, d_min_flt, d_maj_flt, d_nvcsw, d_nivcsw; /* coldtrace - kernel */
	uint64_t cpu_tol_ns;
	enum ct_acct_verdict faults, nvcsw_v, nivcsw_v, cpu;
	/* runnable time of the process itself (its threads) vs taskstats */
	uint64_t runnable_ns, delay_ns, runnable_tol_ns; /* runnable_ns: as delay
							  * accounting counts it */
	uint64_t unqueued_ns; /* runnable, not counted by delay accounting: queued
			       * after a preemption with a sleep state set */
	uint64_t after_record_ns; /* runnable after the threads' taskstats
				   * records (ct_acct_finish): not compared */
	uint32_t sched_gaps; /* of its own threads (struct ct_proc): runnable is
			      * then not compared (n/a) */
	int64_t d_runnable_ns;
	enum ct_acct_verdict runnable;
	enum ct_acct_verdict all; /* MISMATCH if any is; NA if all are */
};

struct ct_acct {
	struct ct_acct_proc *procs;
	size_t nprocs, cap;
	struct ct_hmap index; /* pid -> procs index */
	/* taskstats: listening (on), or why not (error, "" if not tried) */
	bool ts_on;
	char ts_error[128];
	int delayacct; /* kernel.task_delayacct at the start: 0, 1, -1 unknown */
	uint64_t ts_records, ts_lost; /* records kept; lost (ENOBUFS: the socket's buffer was full) */
	uint64_t dropped; /* processes not kept (CT_ACCT_MAX_PROCS) */
	struct ct_acct_trec *trecs; /* per thread, in arrival order */
	size_t ntrecs, trecs_cap;
};

#define CT_ACCT_MAX_PROCS 65536

void ct_acct_init(struct ct_acct *a);
void ct_acct_free(struct ct_acct *a);
/* The record of pid, added if new (NULL: out of memory or too many). */
struct ct_acct_proc *ct_acct_get(struct ct_acct *a, uint32_t pid);
const struct ct_acct_proc *ct_acct_find(const struct ct_acct *a, uint32_t pid);

/* coldtrace reaped pid (wait4): its status and rusage. */
void ct_acct_reaped(struct ct_acct *a, uint32_t pid, int status, const struct ct_rusage *ru);
/* pid's run delay before coldtrace traced it (sched_info.run_delay, as
 * /proc/PID/schedstat gives it, read while it sleeps untraced): the
 * kernel's runnable time compared with coldtrace's starts after it. */
void ct_acct_pre_delay(struct ct_acct *a, uint32_t pid, uint64_t ns);
/* The run delay of ap's threads that coldtrace could see: taskstats'
 * cpu_delay_ns less pre_delay_ns. */
uint64_t ct_acct_traced_delay(const struct ct_acct_proc *ap);
/*
 * After the trace and the last taskstats record: per process, coldtrace's
 * runnable time that came after its threads' records. A thread's record
 * is made in do_exit before exit_mm, and the last thread of a process
 * then tears its memory down (milliseconds for a big mapping) and may wait
 * for a CPU again, which taskstats never reports: on a busy machine tens
 * of ms. A runnable span is after the record when the thread's CPU time
 * at its start exceeds the record's (the switch out that began it added
 * to the counter; before the record the counter is at most the record's).
 * Needs the model's spans (none dropped) and is a no-op without them.
 */
void ct_acct_finish(struct ct_acct *a, const struct ct_model *m);
/* A thread's taskstats exit record: added to its process (t->tgid, or
 * t->pid when the record has no tgid). */
void ct_acct_thread(struct ct_acct *a, const struct ct_task_acct *t);

/*
 * The attributes of one taskstats genetlink message (after the genlmsghdr):
 * the TASKSTATS_TYPE_AGGR_PID nest's pid and struct taskstats into *t.
 * A record shorter than the kernel's struct is read as far as it goes.
 * 0, or -1 if there is no per-thread record or it is malformed.
 */
int ct_acct_parse_taskstats(const void *attrs, size_t len, struct ct_task_acct *t);

/*
 * The comparison for reaped process pid (see the top of this file): sums
 * over S(pid) of the model's processes (struct ct_proc's sum, nthreads,
 * dead_nonleader, runnable_ns). 0, or -1 if pid was not reaped.
 */
int ct_acct_check(const struct ct_model *m, const struct ct_acct *a, uint32_t pid, struct ct_acct_cmp *c);

/* "ok", "mismatch", "n/a". */
const char *ct_acct_verdict_name(enum ct_acct_verdict v);

/*
 * Outputs. jsonl: one {"type":"acct",...} record per reaped process (both
 * sides, the differences, tolerances and verdicts), then one
 * {"type":"acct_summary",...}. Text: one line, "ground truth: N processes
 * reaped, all match rusage (faults, switches exact; CPU ...)" or what did
 * not, for the verbose/--stats output. Nothing when a is NULL or empty.
 */
void ct_acct_jsonl(const struct ct_model *m, const struct ct_acct *a, struct jsonw *w);
void ct_acct_text(const struct ct_model *m, const struct ct_acct *a, struct strbuf *out);

#endif
