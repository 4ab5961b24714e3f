// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * coldtrace: the scheduler states of every thread of a traced tree, for the
 * kernel-level breakdown (running, runnable, sleeping, in uninterruptible
 * sleep, waiting for I/O), with the thread's own counters at each change:
 * time on a CPU, minor and major faults, voluntary and involuntary switches.
 * The same counters that getrusage() and taskstats add up, read where the
 * kernel keeps them, so sums over a thread's records match the kernel's.
 *
 * sched_switch runs for every context switch on the machine. A thread of
 * another process pays two inlined array loads: the tgid bits (traced_bits)
 * of the task switched out and of the task switched in; the hash is looked
 * up only for processes of a traced tree. bench/sched_cost.sh measures it.
 *
 * Each side is decided by its own task, never by what this CPU switched in
 * before: the kernel does not always pass a switch in through the
 * tracepoint (seen on 6.18 here, in ftrace as well: a thread preempted, then
 * running again and dying with no sched_switch that names it as next), and
 * a per-CPU note of "the task running here" would then go stale. A thread
 * whose switch in was not seen still has its switch out recorded, with its
 * counters (its final ones when it dies); the model counts the gap.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "maps.bpf.h"

/* Task states (include/linux/sched.h); stable across kernels. */
#define TASK_INTERRUPTIBLE 0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define __TASK_STOPPED 0x0004
#define __TASK_TRACED 0x0008
#define TASK_PARKED 0x0040
#define TASK_DEAD 0x0080
#define TASK_NOLOAD 0x0400

/* The task's state word: __state since 5.14, state before. */
struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

static __always_inline unsigned int task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return (unsigned int)BPF_CORE_READ((struct task_struct___old *)t, state);
}

static __always_inline __u8 out_state(bool preempt, unsigned int s, struct task_struct *t)
{
	if (preempt || s == 0)
		return CT_TS_RUNNABLE; /* still on the run queue */
	if (s & TASK_DEAD)
		return CT_TS_DEAD;
	if (s & (__TASK_STOPPED | __TASK_TRACED))
		return CT_TS_STOPPED;
	/* TASK_IDLE (uninterruptible but not counted as load) waits for
	 * work, as a sleep does */
	if ((s & TASK_UNINTERRUPTIBLE) && !(s & TASK_NOLOAD))
		return BPF_CORE_READ_BITFIELD_PROBED(t, in_iowait) ? CT_TS_IOWAIT : CT_TS_DISK;
	return CT_TS_SLEEP; /* interruptible, parked, idle */
}

static __always_inline void sched_event(struct task_struct *t, __u32 sandbox, __u8 what, __u8 state,
					__u32 other, __u32 task_st)
{
	struct ct_sched *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		ct_count_lost(CT_EV_SCHED, sandbox);
		return;
	}
	e->h.type = CT_EV_SCHED;
	e->h.pid = BPF_CORE_READ(t, tgid);
	e->h.tid = BPF_CORE_READ(t, pid);
	e->h.nspid = 0; /* not read here: the exec and fork records have it */
	e->h.ts = bpf_ktime_get_ns();
	e->h.sandbox = sandbox;
	e->h._hpad = 0;
	e->what = what;
	e->state = state;
	e->cpu = (__u16)bpf_get_smp_processor_id();
	e->other = other;
	e->task_state = task_st;
	e->_pad = 0;
	ct_read_counters(t, &e->c);
	ct_submit(e);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(ct_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	/* direct loads (BTF-typed arguments): every switch on the machine
	 * passes here, a helper call each costs ~5-10 ns */
	__u32 prev_sb = ct_sandbox_fast(prev->tgid);
	__u32 next_sb = ct_sandbox_fast(next->tgid);

	if (prev_sb) {
		unsigned int s = task_state(prev);

		sched_event(prev, prev_sb, CT_SCHED_OUT, out_state(preempt, s, prev),
			    BPF_CORE_READ(next, pid), s);
	}
	if (next_sb)
		sched_event(next, next_sb, CT_SCHED_IN, CT_TS_RUNNING, BPF_CORE_READ(prev, pid), 0);
	return 0;
}

static __always_inline int on_wakeup(struct task_struct *p, __u8 what)
{
	__u32 sandbox = ct_sandbox_fast(p->tgid), arrived = 0;

	if (!sandbox)
		return 0;
	/* queued by this wakeup, then already switched in on another CPU
	 * before this record is written: the switch in comes first in time,
	 * this one must not reopen a wait (CT_WAKE_ARRIVED) */
	if (bpf_core_field_exists(p->sched_info) && !BPF_CORE_READ(p, sched_info.last_queued))
		arrived = CT_WAKE_ARRIVED;
	sched_event(p, sandbox, what, CT_TS_RUNNABLE, (__u32)bpf_get_current_pid_tgid(), arrived);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(ct_sched_wakeup, struct task_struct *p)
{
	return on_wakeup(p, CT_SCHED_WAKE);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(ct_sched_wakeup_new, struct task_struct *p)
{
	return on_wakeup(p, CT_SCHED_NEW);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
