// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel-level breakdown (issue 12): the model's threads, state spans,
 * files, reads and page-cache misses, and breakdown.c's figures, on
 * synthetic records with exact expected values (worked out by hand in the
 * comments): wall-clock states sum to the interval, counter deltas, files
 * and bytes, records out of order or missing, the memory budget.
 */
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>

#include "breakdown.h"
#include "ct_test.h"
#include "json_check.h"
#include "model.h"
#include "model_build.h"
#include "phases.h"
#include "render.h"

#define US 1000ull /* times below are in microseconds */

/* counters: run in us, then min, maj, nvcsw, nivcsw */
static struct ct_tcounters C(uint64_t run_us, uint32_t mn, uint32_t mj, uint32_t vol, uint32_t inv)
{
	return (struct ct_tcounters){run_us * US, mn, mj, vol, inv};
}

static int sched(struct ct_model *m, uint32_t pid, uint32_t tid, uint64_t ts_us, uint8_t what, uint8_t state,
		 struct ct_tcounters c)
{
	return mb_sched(m, pid, tid, ts_us * US, what, state, c);
}

static void open_file(struct ct_model *m, uint32_t pid, uint64_t ts_us, int fd, uint64_t dev, uint64_t ino,
		      const char *path)
{
	struct ct_open e;

	memset(&e, 0, sizeof(e));
	mb_hdr(&e.h, CT_EV_OPEN, pid, pid, ts_us * US);
	e.fd = fd;
	e.dev = dev;
	e.ino = ino;
	e.size = 5000;
	e.path_len = (uint32_t)strlen(path);
	snprintf(e.path, sizeof(e.path), "%s", path);
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

static void fread_file(struct ct_model *m, uint32_t pid, uint64_t ts_us, int fd, uint64_t dev, uint64_t ino,
		       uint64_t bytes)
{
	struct ct_fread e;

	memset(&e, 0, sizeof(e));
	mb_hdr(&e.h, CT_EV_FREAD, pid, pid, ts_us * US);
	e.fd = fd;
	e.dev = dev;
	e.ino = ino;
	e.bytes = bytes;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

static void pcache(struct ct_model *m, uint32_t pid, uint64_t ts_us, uint64_t dev, uint64_t ino, uint32_t pages)
{
	struct ct_pcache e;

	memset(&e, 0, sizeof(e));
	mb_hdr(&e.h, CT_EV_PCACHE, pid, pid, ts_us * US);
	e.dev = dev;
	e.ino = ino;
	e.pages = pages;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

static void exec_image(struct ct_model *m, uint32_t pid, uint64_t ts_us, const char *path, uint64_t dev,
		       uint64_t ino)
{
	struct ct_exec e;

	memset(&e, 0, sizeof(e));
	mb_hdr(&e.h, CT_EV_EXEC, pid, pid, ts_us * US);
	e.dev = dev;
	e.ino = ino;
	snprintf(e.path, sizeof(e.path), "%s", path);
	snprintf(e.comm, sizeof(e.comm), "node");
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

static void fork_child(struct ct_model *m, uint32_t parent, uint32_t child, uint64_t ts_us)
{
	mb_fork(m, parent, child, ts_us * US);
}

static void exit_proc(struct ct_model *m, uint32_t pid, uint64_t ts_us)
{
	mb_exit(m, pid, ts_us * US, 0);
}

/*
 * Process 100 (exec'd at 1000 us from /var/lang/bin/node, dev 8 ino 99),
 * exits at 12000 us. Its threads:
 *   100: NEW 1000, IN 1500, OUT sleep 3500, WAKE 5500, IN 6000,
 *        OUT iowait 7000, WAKE 9000, IN 9500, OUT runnable 10000 (preempted),
 *        IN 10200, OUT dead 11000;
 *   101: first seen IN at 2000 (mid-life: counters not 0), OUT sleep 4000,
 *        nothing more: its sleep is cut at the exit (12000);
 *   102: NEW 2500, IN 3000, OUT dead 3200 (a non-leader thread's end).
 * Files: index.js (dev 8 ino 42) opened at 1600 on fd 3, 2 pages missed at
 * 1650, read 4096 + 904 bytes; libc (ino 7) on fd 4 at 6100, 832 bytes read;
 * the image missed 3 pages at 1100. Child 200 (fork at 5000) reads 100 bytes
 * of the inherited fd 3 at 5100: by (dev, ino), it is index.js.
 */
static void scenario(struct ct_model *m)
{
	ct_model_init(m, NULL);
	m->page_size = 4096;
	ct_model_add_root(m, 100, 900 * US);
	exec_image(m, 100, 1000, "/var/lang/bin/node", 8, 99);
	CT_EQ_INT(sched(m, 100, 100, 1000, CT_SCHED_NEW, CT_TS_RUNNABLE, C(0, 0, 0, 0, 0)), 0);
	pcache(m, 100, 1100, 8, 99, 3);
	CT_EQ_INT(sched(m, 100, 100, 1500, CT_SCHED_IN, CT_TS_RUNNING, C(0, 0, 0, 0, 0)), 0);
	open_file(m, 100, 1600, 3, 8, 42, "/var/task/node_modules/a/index.js");
	pcache(m, 100, 1650, 8, 42, 2);
	fread_file(m, 100, 1700, 3, 8, 42, 4096);
	fread_file(m, 100, 1800, 3, 8, 42, 904);
	sched(m, 100, 101, 2000, CT_SCHED_IN, CT_TS_RUNNING, C(100, 0, 0, 7, 0));
	sched(m, 100, 102, 2500, CT_SCHED_NEW, CT_TS_RUNNABLE, C(0, 0, 0, 0, 0));
	sched(m, 100, 102, 3000, CT_SCHED_IN, CT_TS_RUNNING, C(0, 0, 0, 0, 0));
	sched(m, 100, 102, 3200, CT_SCHED_OUT, CT_TS_DEAD, C(200, 1, 0, 1, 0));
	sched(m, 100, 100, 3500, CT_SCHED_OUT, CT_TS_SLEEP, C(2000, 10, 2, 1, 0));
	sched(m, 100, 101, 4000, CT_SCHED_OUT, CT_TS_SLEEP, C(2100, 5, 0, 8, 0));
	fork_child(m, 100, 200, 5000);
	fread_file(m, 200, 5100, 3, 8, 42, 100);
	sched(m, 100, 100, 5500, CT_SCHED_WAKE, CT_TS_RUNNABLE, C(2000, 10, 2, 1, 0));
	sched(m, 100, 100, 6000, CT_SCHED_IN, CT_TS_RUNNING, C(2000, 10, 2, 1, 0));
	open_file(m, 100, 6100, 4, 8, 7, "/usr/lib/libc.so.6");
	fread_file(m, 100, 6200, 4, 8, 7, 832);
	sched(m, 100, 100, 7000, CT_SCHED_OUT, CT_TS_IOWAIT, C(3000, 12, 5, 2, 0));
	sched(m, 100, 100, 9000, CT_SCHED_WAKE, CT_TS_RUNNABLE, C(3000, 12, 5, 2, 0));
	sched(m, 100, 100, 9500, CT_SCHED_IN, CT_TS_RUNNING, C(3000, 12, 5, 2, 0));
	sched(m, 100, 100, 10000, CT_SCHED_OUT, CT_TS_RUNNABLE, C(3500, 12, 5, 2, 1));
	sched(m, 100, 100, 10200, CT_SCHED_IN, CT_TS_RUNNING, C(3500, 12, 5, 2, 1));
	sched(m, 100, 100, 11000, CT_SCHED_OUT, CT_TS_DEAD, C(4300, 12, 5, 3, 1));
	exit_proc(m, 200, 11500);
	exit_proc(m, 100, 12000);
	ct_model_finish(m);
}

CT_TEST(model_threads_and_spans)
{
	struct ct_model m;
	const struct ct_proc *p;
	size_t nrun = 0;

	scenario(&m);
	CT_TRUE(m.have_sched && m.have_files && m.have_pcache);
	CT_EQ_INT(m.nthreads, 3);
	/* 100: 10 spans; 101: running, sleep (cut); 102: runnable, running */
	CT_EQ_INT(m.ntspans, 14);
	for (size_t i = 1; i < m.ntspans; i++)
		CT_TRUE(m.tspans[i - 1].start <= m.tspans[i].start);
	for (size_t i = 0; i < m.ntspans; i++) {
		const struct ct_tspan *s = &m.tspans[i];

		CT_TRUE(s->start <= s->end);
		if (s->tid == 100 && s->start == 6000 * US) {
			CT_EQ_INT(s->state, CT_TS_RUNNING);
			CT_EQ_U64(s->end, 7000 * US);
			CT_TRUE(s->flags & CT_TSPAN_COUNTED);
			CT_EQ_U64(s->run_ns, 1000 * US);
			CT_EQ_INT(s->min_flt, 2);
			CT_EQ_INT(s->maj_flt, 3);
			CT_EQ_INT(s->nvcsw, 1);
			CT_EQ_INT(s->nivcsw, 0);
			nrun++;
		}
		if (s->tid == 101 && s->state == CT_TS_SLEEP) {
			CT_EQ_U64(s->start, 4000 * US);
			CT_EQ_U64(s->end, 12000 * US); /* cut at the process's exit */
			CT_TRUE(s->flags & CT_TSPAN_CUT);
			nrun++;
		}
		CT_TRUE(!(s->tid == 101 && s->start < 2000 * US)); /* no start invented */
	}
	CT_EQ_INT(nrun, 2);

	p = ct_model_proc_const(&m, 100);
	CT_TRUE(p != NULL);
	/* last counters added: 100 {4300,12,5,3,1} + 101 {2100,5,0,8,0} + 102 {200,1,0,1,0} */
	CT_EQ_U64(p->sum.run_ns, 6600 * US);
	CT_EQ_U64(p->sum.min_flt, 18);
	CT_EQ_U64(p->sum.maj_flt, 5);
	CT_EQ_U64(p->sum.nvcsw, 12);
	CT_EQ_U64(p->sum.nivcsw, 1);
	CT_EQ_INT(p->nthreads, 3);
	CT_EQ_INT(p->dead_nonleader, 1); /* 102; 100 is the leader */
	/* runnable: 100: 500 + 500 + 500 + 200, 102: 500 */
	CT_EQ_U64(p->runnable_ns, 2200 * US);
	CT_EQ_U64(p->state_ns[CT_TS_RUNNING], (2000 + 1000 + 500 + 800 + 2000 + 200) * US);
	CT_EQ_U64(p->state_ns[CT_TS_SLEEP], (2000 + 8000) * US);
	CT_EQ_U64(p->state_ns[CT_TS_IOWAIT], 2000 * US);
	CT_EQ_INT(ct_model_proc_const(&m, 200)->nthreads, 0);

	/* files: reads by (pid, fd), the child's by (dev, ino); the image's dev/ino */
	CT_EQ_INT(m.nfiles, 2);
	CT_EQ_STR(m.files[0].path, "/var/task/node_modules/a/index.js");
	CT_EQ_U64(m.files[0].read_bytes, 4096 + 904 + 100);
	CT_EQ_U64(m.files[0].reads, 3);
	CT_EQ_U64(m.files[0].miss_pages, 2);
	CT_EQ_U64(m.files[1].read_bytes, 832);
	CT_EQ_INT(m.nfreads, 4);
	CT_EQ_INT(m.freads[2].pid, 200);
	CT_EQ_INT(m.freads[2].file, 0);
	CT_EQ_INT(m.nmisses, 2);
	CT_EQ_INT(m.misses[0].file, -1); /* the image: no open names it */
	CT_EQ_U64(ct_proc_image_const(p)->ino, 99);
	CT_EQ_INT(m.sched_gaps + m.sched_late + m.dropped_records + m.bad_events, 0);
	ct_model_free(&m);
}

CT_TEST(breakdown_whole_process)
{
	struct ct_model m;
	struct ct_bd bd;
	uint32_t pid = 100;
	uint64_t sum = 0;
	char line[512];

	scenario(&m);
	CT_EQ_INT(ct_bd_compute(&m, &pid, 1, 1000 * US, 12000 * US, &bd), 0);
	CT_TRUE(bd.valid && !bd.incomplete && !bd.sched_off && !bd.files_off && !bd.pcache_off);
	for (int s = 0; s < CT_BD_NSTATES; s++)
		sum += bd.wall[s];
	CT_EQ_U64(sum, 11000 * US); /* exactly the interval */
	/* running: 1500-3500 (100), 2000-4000 (101) -> 1500-4000; 6000-7000;
	 * 9500-10000; 10200-11000 */
	CT_EQ_U64(bd.wall[CT_BD_RUNNING], (2500 + 1000 + 500 + 800) * US);
	CT_EQ_U64(bd.wall[CT_BD_RUNNABLE], (500 + 500 + 500 + 200) * US);
	CT_EQ_U64(bd.wall[CT_BD_SLEEP], (1500 + 1000) * US); /* 4000-5500, 11000-12000 */
	CT_EQ_U64(bd.wall[CT_BD_IOWAIT], 2000 * US);      /* over 101's sleep */
	CT_EQ_U64(bd.wall[CT_BD_DISK] + bd.wall[CT_BD_STOPPED] + bd.wall[CT_BD_UNKNOWN], 0);
	CT_EQ_U64(bd.thread_ns[CT_BD_RUNNING], 6500 * US);
	CT_EQ_U64(bd.thread_ns[CT_BD_RUNNABLE], 2200 * US);
	CT_EQ_U64(bd.thread_ns[CT_BD_SLEEP], 10000 * US);
	CT_EQ_U64(bd.cpu_ns, 6500 * US);
	CT_EQ_U64(bd.min_flt, 10 + 2 + 5 + 1);
	CT_EQ_U64(bd.maj_flt, 5);
	CT_EQ_U64(bd.nvcsw, 1 + 1 + 1 + 1 + 1); /* 100: three; 101, 102: one each */
	CT_EQ_U64(bd.nivcsw, 1);
	CT_EQ_INT(bd.threads, 3);
	CT_EQ_INT(bd.procs, 1);

	/* files of 100 only: the child's 100 bytes are not in */
	CT_EQ_INT(bd.files_opened, 2);
	CT_EQ_U64(bd.read_bytes, 4096 + 904 + 832);
	CT_EQ_U64(bd.reads, 3);
	CT_EQ_U64(bd.miss_bytes, (3 + 2) * 4096);
	CT_EQ_INT(bd.ntop, 3);
	CT_EQ_STR(bd.top[0].path, "/var/lang/bin/node"); /* 12288 missed */
	CT_EQ_U64(bd.top[0].bytes, 12288);
	CT_EQ_STR(bd.top[1].path, "/var/task/node_modules/a/index.js");
	CT_EQ_U64(bd.top[1].read_bytes, 5000);
	CT_EQ_U64(bd.top[1].miss_bytes, 8192);
	CT_EQ_U64(bd.top[1].bytes, 8192); /* max, not the sum */
	CT_EQ_STR(bd.top[2].path, "/usr/lib/libc.so.6");
	CT_EQ_U64(bd.file_bytes, 12288 + 8192 + 832);
	CT_EQ_STR(bd.group, "/var/lang/bin");
	CT_EQ_U64(bd.group_bytes, 12288);

	ct_bd_summary(&bd, "init", line, sizeof(line));
	CT_EQ_STR(line, "init 11 ms: 4.8 ms on CPU, 2.5 ms blocked (5 major faults, 12.3 kB of /var/lang/bin from disk)");

	/* both processes: the child's read by (dev, ino) joins index.js */
	{
		uint32_t both[] = {200, 100, 200};

		CT_EQ_INT(ct_bd_compute(&m, both, 3, 1000 * US, 12000 * US, &bd), 0);
		CT_EQ_INT(bd.procs, 2);
		CT_EQ_U64(bd.read_bytes, 4096 + 904 + 832 + 100);
		CT_EQ_U64(bd.top[1].read_bytes, 5100);
	}
	ct_model_free(&m);
}

CT_TEST(breakdown_cut_interval)
{
	struct ct_model m;
	struct ct_bd bd;
	uint32_t pid = 100;
	uint64_t sum = 0;

	scenario(&m);
	/* [3000, 6000): 100 runs to 3500 (a quarter of its 1500-3500 span),
	 * 101 to 4000 (half of 2000-4000), 102 3000-3200 (whole) */
	CT_EQ_INT(ct_bd_compute(&m, &pid, 1, 3000 * US, 6000 * US, &bd), 0);
	for (int s = 0; s < CT_BD_NSTATES; s++)
		sum += bd.wall[s];
	CT_EQ_U64(sum, 3000 * US);
	CT_EQ_U64(bd.wall[CT_BD_RUNNING], 1000 * US);
	CT_EQ_U64(bd.wall[CT_BD_SLEEP], 1500 * US);
	CT_EQ_U64(bd.wall[CT_BD_RUNNABLE], 500 * US);
	CT_EQ_U64(bd.cpu_ns, (500 + 1000 + 200) * US);
	/* faults shared by time, rounded: 100: 10 * 1/4 = 2.5 -> 3, 2 * 1/4 -> 1;
	 * 101: 5 * 1/2 = 2.5 -> 3; 102: 1 */
	CT_EQ_U64(bd.min_flt, 3 + 3 + 1);
	CT_EQ_U64(bd.maj_flt, 1);
	CT_EQ_INT(bd.files_opened, 0);
	CT_EQ_U64(bd.read_bytes, 0);

	/* before any record of the set: all unknown, still the interval */
	CT_EQ_INT(ct_bd_compute(&m, &pid, 1, 100 * US, 900 * US, &bd), 0);
	CT_EQ_U64(bd.wall[CT_BD_UNKNOWN], 800 * US);
	CT_EQ_INT(bd.threads, 0);
	/* an empty interval, and a reversed one */
	CT_EQ_INT(ct_bd_compute(&m, &pid, 1, 5000 * US, 5000 * US, &bd), 0);
	CT_TRUE(bd.valid);
	CT_EQ_U64(bd.wall[CT_BD_UNKNOWN] + bd.wall[CT_BD_RUNNING], 0);
	CT_EQ_INT(ct_bd_compute(&m, &pid, 1, 6000 * US, 5000 * US, &bd), 0);
	CT_TRUE(!bd.valid);
	ct_model_free(&m);
}

/* A thread preempted after it set itself to sleep waits on the run queue:
 * runnable for coldtrace, not for the kernel's delay accounting (sched_info
 * counts TASK_RUNNING tasks only), so that part is kept apart. */
CT_TEST(model_unqueued_runnable)
{
	struct ct_model m;
	struct ct_sched e;
	const struct ct_proc *p;

	ct_model_init(&m, NULL);
	ct_model_add_root(&m, 400, 0);
	sched(&m, 400, 400, 100, CT_SCHED_IN, CT_TS_RUNNING, C(0, 0, 0, 0, 0));
	/* preempted, state word 0: queued, counted by delay accounting */
	sched(&m, 400, 400, 200, CT_SCHED_OUT, CT_TS_RUNNABLE, C(100, 0, 0, 0, 1));
	sched(&m, 400, 400, 250, CT_SCHED_IN, CT_TS_RUNNING, C(100, 0, 0, 0, 1));
	/* preempted with TASK_INTERRUPTIBLE set: queued, not counted */
	memset(&e, 0, sizeof(e));
	mb_hdr(&e.h, CT_EV_SCHED, 400, 400, 300 * US);
	e.what = CT_SCHED_OUT;
	e.state = CT_TS_RUNNABLE;
	e.task_state = 1;
	e.c = C(150, 0, 0, 0, 2);
	CT_EQ_INT(ct_model_add_event(&m, &e, sizeof(e)), 0);
	/* woken meanwhile: still the same wait, still not counted */
	sched(&m, 400, 400, 320, CT_SCHED_WAKE, CT_TS_RUNNABLE, C(150, 0, 0, 0, 2));
	sched(&m, 400, 400, 380, CT_SCHED_IN, CT_TS_RUNNING, C(150, 0, 0, 0, 2));
	sched(&m, 400, 400, 400, CT_SCHED_OUT, CT_TS_SLEEP, C(170, 0, 0, 1, 2));
	sched(&m, 400, 400, 500, CT_SCHED_WAKE, CT_TS_RUNNABLE, C(170, 0, 0, 1, 2));
	sched(&m, 400, 400, 510, CT_SCHED_IN, CT_TS_RUNNING, C(170, 0, 0, 1, 2));
	sched(&m, 400, 400, 600, CT_SCHED_OUT, CT_TS_DEAD, C(260, 0, 0, 2, 2));
	ct_model_finish(&m);

	p = ct_model_proc_const(&m, 400);
	CT_TRUE(p != NULL);
	/* runnable 200-250, 300-380, 500-510; of it 300-380 unqueued */
	CT_EQ_U64(p->runnable_ns, 140 * US);
	CT_EQ_U64(p->unqueued_ns, 80 * US);
	{
		size_t n = 0;

		for (size_t i = 0; i < m.ntspans; i++)
			if (m.tspans[i].flags & CT_TSPAN_UNQUEUED) {
				CT_EQ_U64(m.tspans[i].start, 300 * US);
				CT_EQ_U64(m.tspans[i].end, 380 * US);
				n++;
			}
		CT_EQ_INT(n, 1);
	}
	ct_model_free(&m);
}

/* A thread's CPU time only grows while it runs: a wait whose end shows
 * more of it than its start hid a run whose records were not seen, so the
 * wait is not kept (a gap), never counted as a long runnable span. */
CT_TEST(model_ran_unseen)
{
	struct ct_model m;
	const struct ct_proc *p;

	ct_model_init(&m, NULL);
	ct_model_add_root(&m, 500, 0);
	sched(&m, 500, 500, 100, CT_SCHED_IN, CT_TS_RUNNING, C(0, 0, 0, 0, 0));
	sched(&m, 500, 500, 200, CT_SCHED_OUT, CT_TS_SLEEP, C(100, 0, 0, 1, 0));
	sched(&m, 500, 500, 300, CT_SCHED_WAKE, CT_TS_RUNNABLE, C(100, 0, 0, 1, 0));
	/* switched in at 900 with 50 us more CPU: it ran between 300 and 900 */
	sched(&m, 500, 500, 900, CT_SCHED_IN, CT_TS_RUNNING, C(150, 0, 0, 2, 0));
	CT_EQ_INT(m.sched_gaps, 1);
	/* and a sleep that ends with more CPU is not kept either */
	sched(&m, 500, 500, 1000, CT_SCHED_OUT, CT_TS_SLEEP, C(250, 0, 0, 3, 0));
	sched(&m, 500, 500, 1500, CT_SCHED_WAKE, CT_TS_RUNNABLE, C(300, 0, 0, 4, 0));
	CT_EQ_INT(m.sched_gaps, 2);
	sched(&m, 500, 500, 1510, CT_SCHED_IN, CT_TS_RUNNING, C(300, 0, 0, 4, 0));
	/* a wakeup written after the switch in it led to (CT_WAKE_ARRIVED),
	 * here after the next switch out: no new wait */
	sched(&m, 500, 500, 1520, CT_SCHED_OUT, CT_TS_SLEEP, C(310, 0, 0, 5, 0));
	{
		struct ct_sched e;

		memset(&e, 0, sizeof(e));
		mb_hdr(&e.h, CT_EV_SCHED, 500, 500, 1525 * US);
		e.what = CT_SCHED_WAKE;
		e.state = CT_TS_RUNNABLE;
		e.task_state = CT_WAKE_ARRIVED;
		e.c = C(310, 0, 0, 5, 0);
		CT_EQ_INT(ct_model_add_event(&m, &e, sizeof(e)), 0);
	}
	sched(&m, 500, 500, 1580, CT_SCHED_WAKE, CT_TS_RUNNABLE, C(310, 0, 0, 5, 0));
	sched(&m, 500, 500, 1590, CT_SCHED_IN, CT_TS_RUNNING, C(310, 0, 0, 5, 0));
	sched(&m, 500, 500, 1600, CT_SCHED_OUT, CT_TS_DEAD, C(390, 0, 0, 6, 0));
	ct_model_finish(&m);

	p = ct_model_proc_const(&m, 500);
	CT_TRUE(p != NULL);
	/* kept: runnable 1500-1510 and 1580-1590; sleep 200-300 and 1520-1580 */
	CT_EQ_U64(p->runnable_ns, 20 * US);
	CT_EQ_U64(p->state_ns[CT_TS_SLEEP], 160 * US);
	ct_model_free(&m);
}

/* Out of order, lost, and nonsense records: never invented spans. */
CT_TEST(model_late_and_missing)
{
	struct ct_model m;
	struct ct_bd bd;
	uint32_t pid = 300;

	ct_model_init(&m, NULL);
	ct_model_add_root(&m, 300, 0);
	sched(&m, 300, 300, 100, CT_SCHED_IN, CT_TS_RUNNING, C(0, 0, 0, 0, 0));
	sched(&m, 300, 300, 200, CT_SCHED_OUT, CT_TS_SLEEP, C(100, 1, 0, 1, 0));
	/* late: older than the thread's newest record */
	sched(&m, 300, 300, 150, CT_SCHED_WAKE, CT_TS_RUNNABLE, C(0, 0, 0, 0, 0));
	CT_EQ_INT(m.sched_late, 1);
	/* WAKE then OUT: the IN between was lost; the runnable span's end is
	 * unknown, so it is not kept */
	sched(&m, 300, 300, 300, CT_SCHED_WAKE, CT_TS_RUNNABLE, C(100, 1, 0, 1, 0));
	sched(&m, 300, 300, 500, CT_SCHED_OUT, CT_TS_DISK, C(200, 2, 0, 2, 0));
	CT_EQ_INT(m.sched_gaps, 1);
	/* IN twice: the OUT between was lost */
	sched(&m, 300, 300, 600, CT_SCHED_IN, CT_TS_RUNNING, C(200, 2, 0, 2, 0));
	sched(&m, 300, 300, 700, CT_SCHED_IN, CT_TS_RUNNING, C(250, 2, 0, 3, 0));
	CT_EQ_INT(m.sched_gaps, 2);
	/* a wakeup of a running thread changes nothing */
	sched(&m, 300, 300, 750, CT_SCHED_WAKE, CT_TS_RUNNABLE, C(250, 2, 0, 3, 0));
	/* counters going back: the span is kept, its deltas are not */
	sched(&m, 300, 300, 800, CT_SCHED_OUT, CT_TS_SLEEP, C(10, 0, 0, 0, 0));
	/* nonsense: unknown what, OUT into running or past the enum */
	CT_EQ_INT(sched(&m, 300, 300, 900, 9, 0, C(0, 0, 0, 0, 0)), 0);
	sched(&m, 300, 300, 900, CT_SCHED_OUT, CT_TS_RUNNING, C(0, 0, 0, 0, 0));
	sched(&m, 300, 300, 900, CT_SCHED_OUT, 77, C(0, 0, 0, 0, 0));
	CT_EQ_INT(m.bad_events, 3);
	/* a tid seen again after its death is a new life */
	sched(&m, 300, 301, 950, CT_SCHED_IN, CT_TS_RUNNING, C(0, 0, 0, 0, 0));
	sched(&m, 300, 301, 960, CT_SCHED_OUT, CT_TS_DEAD, C(5, 0, 0, 1, 0));
	sched(&m, 300, 301, 960, CT_SCHED_WAKE, CT_TS_RUNNABLE, C(0, 0, 0, 0, 0)); /* same time: late */
	sched(&m, 300, 301, 970, CT_SCHED_NEW, CT_TS_RUNNABLE, C(0, 0, 0, 0, 0));
	ct_model_finish(&m);

	CT_EQ_INT(m.nthreads, 3);
	CT_EQ_INT(m.sched_late, 2);
	/* 300: run 100-200, sleep 200-300, disk 500-600, run 700-800, sleep
	 * 800-970 (cut at the last record); 301: run 950-960, then runnable
	 * 970-970 */
	CT_EQ_INT(m.ntspans, 7);
	for (size_t i = 0; i < m.ntspans; i++) {
		const struct ct_tspan *s = &m.tspans[i];

		if (s->tid == 300 && s->start == 700 * US) {
			CT_EQ_INT(s->state, CT_TS_RUNNING);
			CT_TRUE(!(s->flags & CT_TSPAN_COUNTED));
		}
		CT_TRUE(!(s->tid == 300 && s->start == 300 * US)); /* the gap's span */
		CT_TRUE(!(s->tid == 300 && s->start == 600 * US));
	}
	CT_EQ_INT(ct_bd_compute(&m, &pid, 1, 0, 1000 * US, &bd), 0);
	CT_TRUE(bd.incomplete); /* gaps: records were lost */
	/* no counters on 700-800: its wall time is the CPU time */
	CT_EQ_U64(bd.cpu_ns, 100 * US + 100 * US + 5 * US);
	CT_EQ_U64(bd.wall[CT_BD_UNKNOWN], (100 + 200 + 100 + 30) * US);
	ct_model_free(&m);
}

/* A small budget: spans are dropped, counted, and the breakdown says so. */
CT_TEST(model_budget_drops_spans)
{
	struct ct_model m;
	struct ct_bd bd;
	uint32_t pid = 400;
	char line[256];
	uint64_t t = 1;

	ct_model_init(&m, NULL);
	m.mem_budget = 16384;
	ct_model_add_root(&m, 400, 0);
	for (int i = 0; i < 2000; i++) {
		sched(&m, 400, 400, t++, CT_SCHED_IN, CT_TS_RUNNING, C(0, 0, 0, 0, 0));
		sched(&m, 400, 400, t++, CT_SCHED_OUT, CT_TS_SLEEP, C(0, 0, 0, 0, 0));
	}
	for (int i = 0; i < 500; i++)
		open_file(&m, 400, t++, 3, 1, (uint64_t)i, "/a/file/with/a/long/enough/name/to/fill/the/budget");
	ct_model_finish(&m);
	CT_TRUE(m.ntspans < 4000);
	CT_TRUE(m.dropped_sched > 0);
	CT_TRUE(m.dropped_files > 0);
	CT_TRUE(m.dropped_records >= m.dropped_sched + m.dropped_files);
	CT_TRUE(m.mem_used <= 16384);
	/* the thread's own sums keep counting past the budget */
	CT_EQ_U64(ct_model_proc_const(&m, 400)->state_ns[CT_TS_RUNNING], 2000 * US);
	CT_EQ_INT(ct_bd_compute(&m, &pid, 1, 0, t * US, &bd), 0);
	CT_TRUE(bd.incomplete);
	ct_bd_summary(&bd, "x", line, sizeof(line));
	CT_TRUE(strstr(line, "[incomplete]") != NULL);
	ct_model_free(&m);
}

/* No scheduler or file records at all: off, not zero. */
CT_TEST(breakdown_off)
{
	struct ct_model m;
	struct ct_bd bd;
	uint32_t pid = 500;
	char line[256];

	ct_model_init(&m, NULL);
	ct_model_add_root(&m, 500, 0);
	exit_proc(&m, 500, 50000);
	ct_model_finish(&m);
	CT_EQ_INT(ct_bd_compute(&m, &pid, 1, 0, 50000 * US, &bd), 0);
	CT_TRUE(bd.sched_off && bd.files_off && bd.pcache_off && !bd.incomplete);
	ct_bd_summary(&bd, "agent init", line, sizeof(line));
	CT_EQ_STR(line, "agent init 50 ms: breakdown off");
	bd.valid = false;
	ct_bd_summary(&bd, "agent init", line, sizeof(line));
	CT_EQ_STR(line, "agent init: not complete, no breakdown");
	ct_model_free(&m);
}

/* Per package: the counters at the first and last probe hit. */
CT_TEST(pkginit_counters)
{
	struct ct_model m;
	struct ct_go e;
	const struct ct_image *im;
	struct ct_bd_pkg pk;

	ct_model_init(&m, NULL);
	ct_model_add_root(&m, 600, 0);
	/* thread 600 runs 900-1500 and 2200-3100: 500 + 800 us inside the first
	 * package (1000-3000), where its counters say 1500 (a tick behind) */
	sched(&m, 600, 600, 900, CT_SCHED_IN, CT_TS_RUNNING, C(100, 0, 0, 0, 0));
	sched(&m, 600, 600, 1500, CT_SCHED_OUT, CT_TS_SLEEP, C(700, 0, 0, 1, 0));
	sched(&m, 600, 600, 1800, CT_SCHED_WAKE, CT_TS_RUNNABLE, C(700, 0, 0, 1, 0));
	sched(&m, 600, 600, 2200, CT_SCHED_IN, CT_TS_RUNNING, C(700, 0, 0, 1, 0));
	sched(&m, 600, 600, 3100, CT_SCHED_OUT, CT_TS_RUNNABLE, C(1600, 0, 0, 1, 1));
	memset(&e, 0, sizeof(e));
	mb_hdr(&e.h, CT_EV_GO, 600, 600, 1000 * US);
	e.cookie = CT_COOKIE(CT_GO_TASKSTART, 3, CT_REG_AX, 0, 0);
	e.task = 0x5000;
	e.state = 1;
	e.nfns = 1;
	e.c = C(900, 40, 1, 3, 0);
	CT_EQ_INT(ct_model_add_event(&m, &e, sizeof(e)), 0);
	mb_hdr(&e.h, CT_EV_GO, 600, 600, 3000 * US);
	e.cookie = CT_COOKIE(CT_GO_TASKEND, 3, CT_REG_AX, 0, 0);
	e.c = C(2400, 140, 7, 5, 1);
	CT_EQ_INT(ct_model_add_event(&m, &e, sizeof(e)), 0);
	/* a second package that starts on one thread and ends on another */
	mb_hdr(&e.h, CT_EV_GO, 600, 600, 3100 * US);
	e.cookie = CT_COOKIE(CT_GO_TASKSTART, 3, CT_REG_AX, 0, 0);
	e.task = 0x6000;
	CT_EQ_INT(ct_model_add_event(&m, &e, sizeof(e)), 0);
	mb_hdr(&e.h, CT_EV_GO, 600, 601, 3200 * US);
	e.cookie = CT_COOKIE(CT_GO_TASKEND, 3, CT_REG_AX, 0, 0);
	e.c = C(3000, 150, 7, 5, 1);
	CT_EQ_INT(ct_model_add_event(&m, &e, sizeof(e)), 0);
	ct_model_finish(&m);

	im = ct_proc_image_const(ct_model_proc_const(&m, 600));
	CT_TRUE(im && im->npkgs == 2);
	CT_TRUE(ct_bd_pkginit(&im->pkgs[0], &pk));
	CT_TRUE(pk.cpu_from_sched);
	CT_EQ_U64(pk.cpu_ns, 1300 * US);
	CT_EQ_U64(pk.min_flt, 100);
	CT_EQ_U64(pk.maj_flt, 6);
	CT_EQ_U64(pk.nvcsw, 2);
	CT_EQ_U64(pk.nivcsw, 1);
	CT_EQ_INT(pk.tid, 600);
	CT_TRUE(!ct_bd_pkginit(&im->pkgs[1], &pk)); /* two threads: unknown */
	CT_TRUE(!pk.known && pk.cpu_ns == 0);
	ct_model_free(&m);

	/* without scheduler records: the counters' figure */
	ct_model_init(&m, NULL);
	ct_model_add_root(&m, 600, 0);
	mb_hdr(&e.h, CT_EV_GO, 600, 600, 1000 * US);
	e.cookie = CT_COOKIE(CT_GO_TASKSTART, 3, CT_REG_AX, 0, 0);
	e.c = C(900, 40, 1, 3, 0);
	CT_EQ_INT(ct_model_add_event(&m, &e, sizeof(e)), 0);
	mb_hdr(&e.h, CT_EV_GO, 600, 600, 3000 * US);
	e.cookie = CT_COOKIE(CT_GO_TASKEND, 3, CT_REG_AX, 0, 0);
	e.c = C(2400, 140, 7, 5, 1);
	CT_EQ_INT(ct_model_add_event(&m, &e, sizeof(e)), 0);
	ct_model_finish(&m);
	im = ct_proc_image_const(ct_model_proc_const(&m, 600));
	CT_TRUE(ct_bd_pkginit(&im->pkgs[0], &pk));
	CT_TRUE(!pk.cpu_from_sched);
	CT_EQ_U64(pk.cpu_ns, 1500 * US);
	ct_model_free(&m);
}

/* A page-cache miss of a file nothing named; scheduler states off. */
CT_TEST(unnamed_files)
{
	struct ct_model m;
	struct ct_bd bd;
	uint32_t pid = 700;
	char line[256];

	ct_model_init(&m, NULL);
	m.page_size = 4096;
	ct_model_add_root(&m, 700, 0);
	pcache(&m, 700, 10, 254ull << 20, 5, 8);
	open_file(&m, 700, 20, 3, 1, 1, "/x/a");
	fread_file(&m, 700, 30, 3, 1, 1, 100);
	ct_model_finish(&m);
	CT_EQ_INT(ct_bd_compute(&m, &pid, 1, 0, 10000 * US, &bd), 0);
	CT_TRUE(bd.sched_off && !bd.files_off && !bd.pcache_off);
	CT_EQ_INT(bd.ntop, 2);
	CT_EQ_STR(bd.top[0].path, "(dev 254:0, inode 5)");
	CT_EQ_STR(bd.group, "(files not seen opened)");
	CT_TRUE(bd.group_from_disk);
	ct_bd_summary(&bd, "x", line, sizeof(line));
	CT_EQ_STR(line, "x 10 ms: scheduler states off (32.8 kB of (files not seen opened) from disk)");
	/* under 16 kB, files are not named */
	CT_EQ_INT(ct_bd_compute(&m, &pid, 1, 15 * US, 10000 * US, &bd), 0);
	ct_bd_summary(&bd, "x", line, sizeof(line));
	CT_EQ_STR(line, "x 10.0 ms: scheduler states off");
	ct_model_free(&m);
}

/* Which processes a phase covers: the agent, the runtime's subtree, all. */
CT_TEST(phase_scopes)
{
	struct ct_model m;
	struct ct_timeline tl;
	struct ct_phase ph;
	struct ct_bd bd;

	scenario(&m);
	memset(&tl, 0, sizeof(tl));
	tl.agent = ct_model_proc_const(&m, 100);
	tl.agent_pid = 100;
	tl.runtime = ct_model_proc_const(&m, 200);
	tl.runtime_pid = 200;
	memset(&ph, 0, sizeof(ph));
	ph.start = 1000 * US;
	ph.end = 12000 * US;
	ph.dur = ph.end - ph.start;
	ph.complete = true;

	ph.kind = CT_PK_AGENT;
	CT_EQ_INT(ct_bd_phase_scope(&ph), CT_BDS_AGENT);
	CT_EQ_INT(ct_bd_phase(&m, &tl, &ph, &bd), 0);
	CT_EQ_INT(bd.procs, 1);
	CT_EQ_U64(bd.read_bytes, 4096 + 904 + 832);

	ph.kind = CT_PK_RUNTIME;
	CT_EQ_STR(ct_bd_scope_key(ct_bd_phase_scope(&ph)), "runtime");
	CT_EQ_INT(ct_bd_phase(&m, &tl, &ph, &bd), 0);
	CT_EQ_INT(bd.procs, 1);
	CT_EQ_U64(bd.read_bytes, 100);
	CT_EQ_INT(bd.threads, 0);

	ph.kind = CT_PK_HANDOFF;
	CT_EQ_INT(ct_bd_phase(&m, &tl, &ph, &bd), 0);
	CT_EQ_INT(bd.procs, 2);
	CT_EQ_U64(bd.read_bytes, 4096 + 904 + 832 + 100);

	ph.complete = false;
	CT_EQ_INT(ct_bd_phase(&m, &tl, &ph, &bd), 0);
	CT_TRUE(!bd.valid);
	ct_model_free(&m);
}

CT_TEST(groups_and_words)
{
	char g[64];

	ct_bd_group_of("/var/task/node_modules/a/node_modules/b/x.js", g, sizeof(g));
	CT_EQ_STR(g, "node_modules");
	ct_bd_group_of("venv/lib/python3.12/site-packages/x.py", g, sizeof(g));
	CT_EQ_STR(g, "site-packages");
	ct_bd_group_of("/usr/lib/x86_64-linux-gnu/libc.so.6", g, sizeof(g));
	CT_EQ_STR(g, "/usr/lib/x86_64-linux-gnu");
	ct_bd_group_of("index.js", g, sizeof(g));
	CT_EQ_STR(g, ".");
	ct_bd_group_of("/node_modules", g, sizeof(g));
	CT_EQ_STR(g, "/");
	ct_bd_group_of("", g, sizeof(g));
	CT_EQ_STR(g, "");
	CT_EQ_STR(ct_bd_state_key(CT_BD_IOWAIT), "iowait");
	CT_EQ_STR(ct_bd_state_words(CT_BD_IOWAIT), "waiting for disk");
	CT_EQ_STR(ct_tstate_key(CT_TS_DEAD), "dead");
	CT_EQ_STR(ct_tstate_key(200), "unknown");
	CT_EQ_INT(ct_bd_of_tstate(CT_TS_DEAD), CT_BD_UNKNOWN);
	ct_bd_bytes_str(9100000, g, sizeof(g));
	CT_EQ_STR(g, "9.1 MB");
	ct_bd_bytes_str(832, g, sizeof(g));
	CT_EQ_STR(g, "832 B");
}

/* ---- the views: a runtime's function init, in text and jsonl ---- */

/* The runtime's socket to the Runtime API (127.0.0.1:9001). */
static void io_(struct ct_model *m, uint64_t ts_us, int dir, const char *bytes)
{
	mb_io(m, 200, ts_us * US, dir, 50000, 9001, 0xb1, bytes);
}

#define NEXT_REQ "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n\r\n"
#define NEXT_RESP                                                                                              \
	"HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: req-x\r\nLambda-Runtime-Deadline-Ms: 1700000003000\r\n" \
	"Content-Length: 2\r\n\r\n{}"
#define POST_RESP                                                                                              \
	"POST /2018-06-01/runtime/invocation/req-x/response HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n"                  \
	"Content-Length: 2\r\n\r\n{}"

/*
 * A runtime (pid 200, exec'd at 100 us) sends /next at 5000 us. Its thread:
 * IN 1000, OUT iowait 2000, WAKE 3000, IN 3500, OUT sleep 4000, WAKE 6000,
 * IN 6200, OUT dead 10000. Function init (100-5000 us): unknown 900, running
 * 1000 + 500, I/O wait 1000, runnable 500, sleep 1000; 12 minor and 2 major
 * faults; index.js opened, 8192 bytes read, 10 pages (40960 bytes) missed.
 */
static void runtime_model(struct ct_model *m, bool with_breakdown)
{
	ct_model_init(m, NULL);
	m->page_size = 4096;
	ct_model_add_root(m, 200, 0);
	exec_image(m, 200, 100, "/var/task/bootstrap", 1, 7);
	if (with_breakdown) {
		sched(m, 200, 200, 1000, CT_SCHED_IN, CT_TS_RUNNING, C(0, 0, 0, 0, 0));
		open_file(m, 200, 1200, 7, 1, 42, "/var/task/node_modules/x/index.js");
		pcache(m, 200, 1300, 1, 42, 10);
		fread_file(m, 200, 1400, 7, 1, 42, 8192);
		sched(m, 200, 200, 2000, CT_SCHED_OUT, CT_TS_IOWAIT, C(1000, 10, 2, 1, 0));
		sched(m, 200, 200, 3000, CT_SCHED_WAKE, CT_TS_RUNNABLE, C(1000, 10, 2, 1, 0));
		sched(m, 200, 200, 3500, CT_SCHED_IN, CT_TS_RUNNING, C(1000, 10, 2, 1, 0));
		sched(m, 200, 200, 4000, CT_SCHED_OUT, CT_TS_SLEEP, C(1500, 12, 2, 2, 0));
	}
	io_(m, 5000, CT_IO_WRITE, NEXT_REQ);
	if (with_breakdown) {
		sched(m, 200, 200, 6000, CT_SCHED_WAKE, CT_TS_RUNNABLE, C(1500, 12, 2, 2, 0));
		sched(m, 200, 200, 6200, CT_SCHED_IN, CT_TS_RUNNING, C(1500, 12, 2, 2, 0));
	}
	io_(m, 6500, CT_IO_READ, NEXT_RESP);
	io_(m, 9500, CT_IO_WRITE, POST_RESP);
	if (with_breakdown)
		sched(m, 200, 200, 10000, CT_SCHED_OUT, CT_TS_DEAD, C(5300, 15, 2, 3, 0));
	exit_proc(m, 200, 10500);
	ct_model_finish(m);
}

/* A key of a parsed object: -1, "" or false when it is missing. */
static double num_of(const struct jv *o, const char *k)
{
	const struct jv *v = jv_get(o, k);

	return v ? v->num : -1;
}

static const char *str_of(const struct jv *o, const char *k)
{
	const struct jv *v = jv_get(o, k);

	return v && v->str ? v->str : "";
}

static bool bool_of(const struct jv *o, const char *k)
{
	const struct jv *v = jv_get(o, k);

	return v && v->b;
}

CT_TEST(views_text_and_jsonl)
{
	struct ct_render_opts o = {.command = "bootstrap", .top = 3};
	struct ct_model m;
	struct strbuf sb;
	char row[256], err[256];
	size_t nbd = 0;
	bool func_init = false;

	runtime_model(&m, true);
	sb_init(&sb);
	ct_render_text(&m, &sb, &o);
	CT_TRUE(sb.buf && strstr(sb.buf, "why (") != NULL);
	snprintf(row, sizeof(row), "  %-22.22s%9s%9s%9s%9s%8s%7s%6s%8s%8s\n", "function init", "1.500", "0.500",
		 "1.000", "1.000", "12", "2", "1", "0.01", "0.04");
	CT_TRUE(sb.buf && strstr(sb.buf, row) != NULL);
	/* the summary, wrapped at 79 columns */
	CT_TRUE(sb.buf && strstr(sb.buf, "    function init 4.9 ms: 1.5 ms on CPU, 1.0 ms waiting for disk (2 major\n"
					 "      faults, 41.0 kB of node_modules from disk)\n") != NULL);
	CT_TRUE(sb.buf && strstr(sb.buf, "   41.0 kB  /var/task/node_modules/x/index.js  (read 8.2 kB, 41.0 kB from disk)\n"));
	CT_TRUE(sb.buf && strstr(sb.buf, "    kernel: 5.300 ms on CPU, 0.700 ms runnable, 1 thread\n"));
	CT_TRUE(sb.buf && !strstr(sb.buf, "incomplete"));
	if (ct__cur_failed && sb.buf) /* show what came instead */
		printf("%s", sb.buf);

	sb_reset(&sb);
	ct_render_jsonl(&m, &sb, &o);
	for (const char *l = sb.buf; l && *l;) {
		const char *nl = strchr(l, '\n');
		struct jv *v;
		char *line;

		if (!nl)
			break;
		line = strndup(l, (size_t)(nl - l));
		v = line ? jv_parse(line, strlen(line), err, sizeof(err)) : NULL;
		CT_TRUE(v != NULL);
		if (v && !strcmp(str_of(v, "type"), "breakdown")) {
			double sum = 0;

			nbd++;
			for (size_t k = 0; k < v->n; k++)
				if (!strncmp(v->keys[k], "wall_", 5))
					sum += v->items[k]->num;
			CT_TRUE(sum == num_of(v, "dur_ns"));
			if (!strcmp(str_of(v, "phase"), "function_init")) {
				func_init = true;
				CT_EQ_STR(str_of(v, "scope"), "runtime");
				CT_EQ_U64(num_of(v, "wall_unknown_ns"), 900 * US);
				CT_EQ_U64(num_of(v, "cpu_ns"), 1500 * US);
				CT_EQ_U64(num_of(v, "maj_flt"), 2);
				CT_EQ_U64(num_of(v, "miss_bytes"), 40960);
				CT_EQ_STR(str_of(v, "group"), "node_modules");
				CT_TRUE(jv_get(v, "top") && jv_get(v, "top")->n == 1);
				if (jv_get(v, "top") && jv_get(v, "top")->n)
					CT_EQ_STR(str_of(jv_get(v, "top")->items[0], "path"),
						  "/var/task/node_modules/x/index.js");
			}
		}
		if (v && !strcmp(str_of(v, "type"), "process")) {
			CT_EQ_U64(num_of(v, "run_ns"), 5300 * US);
			CT_EQ_U64(num_of(v, "threads"), 1);
		}
		if (v && !strcmp(str_of(v, "type"), "summary"))
			CT_TRUE(bool_of(v, "sched") && bool_of(v, "files") && bool_of(v, "pcache"));
		jv_free(v);
		free(line);
		l = nl + 1;
	}
	CT_TRUE(func_init);
	CT_TRUE(nbd >= 2);
	CT_TRUE(sb.buf && strstr(sb.buf, "{\"type\":\"tstate\",\"pid\":200,\"tid\":200,\"state\":\"iowait\",\"start_ns\":2000000,"
					 "\"end_ns\":3000000,\"cut\":false}") != NULL);
	ct_model_free(&m);

	/* the same without breakdown records: off, said once, no records */
	runtime_model(&m, false);
	sb_reset(&sb);
	ct_render_text(&m, &sb, &o);
	CT_TRUE(sb.buf && strstr(sb.buf, "  breakdown: off (") != NULL);
	CT_TRUE(sb.buf && !strstr(sb.buf, "why ("));
	sb_reset(&sb);
	ct_render_jsonl(&m, &sb, &o);
	CT_TRUE(sb.buf && !strstr(sb.buf, "\"type\":\"breakdown\"") && !strstr(sb.buf, "\"type\":\"thread\""));
	CT_TRUE(sb.buf && strstr(sb.buf, "\"sched\":false,\"files\":false,\"pcache\":false") != NULL);
	sb_free(&sb);
	ct_model_free(&m);
}

int main(void)
{
	CT_RUN(model_threads_and_spans);
	CT_RUN(breakdown_whole_process);
	CT_RUN(breakdown_cut_interval);
	CT_RUN(model_late_and_missing);
	CT_RUN(model_unqueued_runnable);
	CT_RUN(model_ran_unseen);
	CT_RUN(model_budget_drops_spans);
	CT_RUN(breakdown_off);
	CT_RUN(pkginit_counters);
	CT_RUN(unnamed_files);
	CT_RUN(phase_scopes);
	CT_RUN(groups_and_words);
	CT_RUN(views_text_and_jsonl);
	return ct_summary();
}
