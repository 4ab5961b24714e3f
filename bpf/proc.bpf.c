// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * coldtrace: follow the traced process tree with the sched tracepoints.
 * A process is traced when its parent was (the loader seeds the root).
 * Untraced processes pay one hash lookup per fork/exec/exit.
 *
 * On exec of a binary userspace has not inspected yet, the process is
 * stopped (SIGSTOP, before it runs its first instruction) so that the
 * loader can attach the Go uprobes to it first; the loader sends SIGCONT.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "maps.bpf.h"

#define SIGSTOP 19

/* Stop each exec of an uninspected binary until userspace resumes it. */
const volatile bool stop_unknown_exec = true;
/* watch mode: execs of untraced processes are matched against these */
const volatile bool watch_mode = false;

/* (dev, ino) of watched binaries (probes attached): their exec starts a sandbox */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct ct_bin_key);
	__type(value, __u32);
} watch_inodes SEC(".maps");

/* comm names to look at (watched names, basenames of watched paths) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[CT_COMM_LEN]);
	__type(value, __u32);
} watch_comms SEC(".maps");

/* (dev, ino) of binaries userspace has inspected (Go probes attached or not Go). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ct_bin_key);
	__type(value, __u32);
} known_bins SEC(".maps");

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ct_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u32 sandbox;
	struct ct_fork *e;

	if (ctgid == ptgid)
		return 0; /* a new thread */
	sandbox = ct_sandbox(ptgid);
	if (!sandbox)
		return 0; /* not ours */
	bpf_map_update_elem(&traced, &ctgid, &sandbox, BPF_ANY);

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		ct_count_lost(CT_EV_FORK);
		return 0;
	}
	ct_fill_hdr(&e->h, CT_EV_FORK, parent);
	e->h.pid = ptgid;
	e->child = ctgid;
	e->_pad = 0;
	ct_submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ct_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct ct_bin_key key = {};
	unsigned long arg_start, arg_end, n;
	__u32 match = CT_MATCH_NONE;
	struct inode *inode;
	struct ct_exec *e;
	bool stop;

	inode = BPF_CORE_READ(bprm, file, f_inode);
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key.ino = BPF_CORE_READ(inode, i_ino);

	if (!ct_traced(tgid)) {
		char comm[CT_COMM_LEN] = {};

		if (!watch_mode)
			return 0;
		if (bpf_map_lookup_elem(&watch_inodes, &key)) {
			/* a watched binary: the root of a new sandbox */
			bpf_map_update_elem(&traced, &tgid, &tgid, BPF_ANY);
			match = CT_MATCH_INODE;
		} else {
			bpf_get_current_comm(comm, sizeof(comm));
			if (!bpf_map_lookup_elem(&watch_comms, comm))
				return 0;
			match = CT_MATCH_COMM; /* userspace checks the path */
		}
	}

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		ct_count_lost(CT_EV_EXEC);
	} else {
		ct_fill_hdr(&e->h, CT_EV_EXEC, p);
		e->ppid = BPF_CORE_READ(p, real_parent, tgid);
		e->dev = key.dev;
		e->ino = key.ino;
		e->stopped = 0;
		e->match = match;
		e->_pad = 0;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		bpf_probe_read_kernel_str(e->path, sizeof(e->path), BPF_CORE_READ(bprm, filename));
		arg_start = BPF_CORE_READ(p, mm, arg_start);
		arg_end = BPF_CORE_READ(p, mm, arg_end);
		n = arg_end - arg_start;
		e->args_truncated = n > sizeof(e->args);
		if (n > sizeof(e->args))
			n = sizeof(e->args);
		n &= 2 * CT_ARGS_LEN - 1; /* keep the verifier's bound */
		if (n > CT_ARGS_LEN)
			n = CT_ARGS_LEN;
		if (bpf_probe_read_user(e->args, n, (void *)arg_start))
			n = 0;
		e->args_len = n;
	}

	stop = match == CT_MATCH_COMM ||
	       (stop_unknown_exec && !bpf_map_lookup_elem(&known_bins, &key));
	if (stop) {
		/* Pending before the new image runs its first instruction. */
		bpf_send_signal(SIGSTOP);
		if (e)
			e->stopped = 1;
	}
	if (e) {
		if (e->stopped)
			ct_submit_now(e); /* the process waits for the loader */
		else
			ct_submit(e);
	}
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ct_exit, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	__u32 sandbox = ct_sandbox(tgid);
	struct ct_exit *e;

	if (!sandbox)
		return 0;
	/* Only the last thread of the group ends the process. */
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	bpf_map_delete_elem(&traced, &tgid);

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		ct_count_lost(CT_EV_EXIT);
		return 0;
	}
	ct_fill_hdr(&e->h, CT_EV_EXIT, p);
	e->h.pid = tgid;
	e->h.sandbox = sandbox; /* its entry is gone from the traced map now */
	e->code = BPF_CORE_READ(p, exit_code);
	e->_pad = 0;
	ct_submit(e);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
