/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Maps and helpers shared by every coldtrace BPF object. Each .bpf.c
 * includes them as weak definitions; `bpftool gen object` links the objects
 * into one, where each map exists once (one load, one kernel BTF parse).
 */
#ifndef COLDTRACE_MAPS_BPF_H
#define COLDTRACE_MAPS_BPF_H

#include "coldtrace.h"

/* tgid -> the root tgid of its traced tree (its sandbox). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u32);
} traced SEC(".maps") __weak;

/*
 * One bit per traced tgid, set where traced gets its entry in the kernel
 * (fork, exec) and cleared with it (the leader freed): hooks that run for
 * every context switch or syscall on the machine test it first, an inlined
 * array load, and look the hash up only for processes of a traced tree.
 * Tgids past CT_TGID_BITS (pid_max is at most 4194304) fall back to the hash.
 */
#define CT_TGID_BITS (1u << 22)
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CT_TGID_BITS / 64);
	__type(key, __u32);
	__type(value, __u64);
} traced_bits SEC(".maps") __weak;

/* All events, in one ring so that their order is kept. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps") __weak;

/* Events that could not be reserved, per event type. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CT_LOST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps") __weak;

/* The same per sandbox: root tgid -> counts. Userspace deletes an entry
 * when it writes the sandbox; when the map is full, a loss is only in the
 * global counts. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct ct_lost_val);
} lost_root SEC(".maps") __weak;

/*
 * --allocs: the allocation state of a traced process's main thread (m0,
 * where Go locks the init goroutine), by tid: created at exec, so the tiny
 * block is followed from the process's first allocation; deleted when
 * main.main starts or the process exits. mallocgc's probe in any other
 * thread or process misses here: one hash lookup.
 */
struct ct_go_allocst {
	__u64 g;      /* the running init task's goroutine (0: none running) */
	__u64 allocs; /* counted for that task so far */
	__u64 bytes;
	__u32 tiny;
	__u32 tiny_off;   /* struct ct_go_tiny: the P's tiny block */
	__u32 tiny_valid;
	__u32 _pad;
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct ct_go_allocst);
} go_allocs SEC(".maps") __weak;

/* Set by the loader with --allocs. */
const volatile __u32 allocs_on __weak = 0;

/*
 * Submit without waking the loader unless the ring is filling up: a wakeup
 * costs the traced process time inside the very intervals we measure. The
 * loader polls on a short timeout anyway; events that make a process wait
 * for it (a stopped exec) use ct_submit_now().
 */
/* Set by the loader to a quarter of the ring's size. */
const volatile __u64 wakeup_bytes __weak = 256 * 1024;

static __always_inline void ct_submit(void *e)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

static __always_inline void ct_submit_now(void *e)
{
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}

static __always_inline bool ct_traced(__u32 tgid)
{
	return bpf_map_lookup_elem(&traced, &tgid) != NULL;
}

static __always_inline __u32 ct_sandbox(__u32 tgid)
{
	__u32 *v = bpf_map_lookup_elem(&traced, &tgid);

	return v ? *v : 0;
}

/* False when tgid is surely not traced (its bit is clear). */
static __always_inline bool ct_maybe_traced(__u32 tgid)
{
	__u32 k = tgid >> 6;
	__u64 *w = bpf_map_lookup_elem(&traced_bits, &k);

	return !w || (*w & (1ull << (tgid & 63)));
}

static __always_inline void ct_mark_traced(__u32 tgid, bool on)
{
	__u32 k = tgid >> 6;
	__u64 *w = bpf_map_lookup_elem(&traced_bits, &k);

	if (!w)
		return;
	if (on)
		__sync_fetch_and_or(w, 1ull << (tgid & 63));
	else
		__sync_fetch_and_and(w, ~(1ull << (tgid & 63)));
}

/* ct_sandbox for the hooks every process pays for: the bit, then the hash.
 * (A process traced from userspace, run's root, has its bit from its exec.) */
static __always_inline __u32 ct_sandbox_fast(__u32 tgid)
{
	if (!ct_maybe_traced(tgid))
		return 0;
	return ct_sandbox(tgid);
}

/* A record of @type for a process of @sandbox (0: not traced yet) could
 * not be sent. */
static __always_inline void ct_count_lost(__u32 type, __u32 sandbox)
{
	__u32 key = type; /* its own copy: type keeps its constant value */
	__u64 *n = bpf_map_lookup_elem(&lost, &key);
	struct ct_lost_val *v;

	if (n)
		__sync_fetch_and_add(n, 1);
	if (!sandbox || type >= CT_LOST_SLOTS)
		return;
	v = bpf_map_lookup_elem(&lost_root, &sandbox);
	if (!v) {
		struct ct_lost_val zero = {};

		bpf_map_update_elem(&lost_root, &sandbox, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&lost_root, &sandbox);
		if (!v)
			return;
	}
	__sync_fetch_and_add(&v->n[type], 1);
}

/* The pid of @task in its own (innermost) pid namespace. */
static __always_inline __u32 ct_ns_tgid(struct task_struct *task)
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	struct pid *pid = BPF_CORE_READ(leader, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up;

	if (bpf_core_read(&up, sizeof(up), &pid->numbers[level & 31]))
		return 0;
	return up.nr;
}

static __always_inline void ct_fill_hdr(struct ct_hdr *h, __u32 type, struct task_struct *task)
{
	__u64 id = bpf_get_current_pid_tgid();

	h->type = type;
	h->pid = id >> 32;
	h->tid = (__u32)id;
	h->nspid = ct_ns_tgid(task);
	h->ts = bpf_ktime_get_ns();
	h->sandbox = ct_sandbox(h->pid);
	h->_hpad = 0;
}

/* The open file at fd in task's table, or NULL. */
static __always_inline struct file *fd_file(struct task_struct *task, __u32 fd)
{
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(task, files, fdt, max_fds);
	struct file *f = NULL;

	if (fd >= max)
		return NULL;
	bpf_core_read(&f, sizeof(f), &fds[fd]);
	return f;
}

/* The task's own counters (struct ct_tcounters): what getrusage() sums. */
static __always_inline void ct_read_counters(struct task_struct *t, struct ct_tcounters *c)
{
	c->run_ns = BPF_CORE_READ(t, se.sum_exec_runtime);
	c->min_flt = (__u32)BPF_CORE_READ(t, min_flt);
	c->maj_flt = (__u32)BPF_CORE_READ(t, maj_flt);
	c->nvcsw = (__u32)BPF_CORE_READ(t, nvcsw);
	c->nivcsw = (__u32)BPF_CORE_READ(t, nivcsw);
}

#endif /* COLDTRACE_MAPS_BPF_H */
