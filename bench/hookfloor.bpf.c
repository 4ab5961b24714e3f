// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Floors for coldtrace's scheduler hooks on this machine, for
 * bench/sched_cost.sh: programs on the tracepoints those hooks use (tp_btf
 * sched_switch and sched_wakeup) that do nothing (the default), or, built
 * with -DFL_LOOKUP, only what the issue asks of the hooks for a process
 * outside the traced tree: one lookup of the task's tgid in a hash map
 * shaped as coldtrace's `traced` (empty here: every task is outside), and
 * out. What these cost per call is what any hook there costs before it
 * does anything, and with the least it must do.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#ifdef FL_LOOKUP
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u32);
} fl_traced SEC(".maps");

static __always_inline int fl_lookup(struct task_struct *t)
{
	__u32 tgid = t->tgid;
	__u32 *v = bpf_map_lookup_elem(&fl_traced, &tgid);

	return v ? (int)*v : 0;
}
#else
static __always_inline int fl_lookup(struct task_struct *t)
{
	return 0;
}
#endif

SEC("tp_btf/sched_switch")
int BPF_PROG(fl_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return fl_lookup(next) ? 1 : 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(fl_sched_wakeup, struct task_struct *p)
{
	return fl_lookup(p) ? 1 : 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
