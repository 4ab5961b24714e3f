// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * coldtrace: follow the traced process tree with the sched tracepoints.
 * A process is traced when its parent was (the loader seeds the root).
 * Untraced processes pay one hash lookup per fork/exec/exit (and a compare
 * per task freed).
 *
 * Holds. On exec of a binary userspace has not inspected yet (or one whose
 * file changed since), the process is stopped (SIGSTOP, pending before it
 * runs its first instruction) so that the loader can attach the Go uprobes
 * first. A hold is only ever taken when both the loader (events ring) and
 * the guardian (ct_hold_rb) are sure to hear of it, and only for a process
 * the loader may signal. Every hold is an entry in ct_held until released:
 * the loader (or, if the loader dies, is stopped or is too slow, its
 * guardian process) deletes it and sends SIGCONT unless another coldtrace
 * still holds the same process (userspace/hold.c). The SIGCONT itself is
 * seen at signal_generate, so the hold's end is the kernel's.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "maps.bpf.h"

#define SIGSTOP 19
#define SIGCONT 18

/* watch mode: execs of untraced processes are matched against these */
const volatile bool watch_mode = false;
/* watch: the syscall hook is attached only while a sandbox is live
 * (io_live, set by the loader). A new sandbox's root is held until it is. */
const volatile bool lazy_io = false;
volatile bool io_live = false;
/* Hold only processes the loader can signal: when it lacks CAP_KILL, those
 * whose real or saved uid is one of these (kill(2)'s rule); -1: any. */
const volatile __u32 hold_uid = (__u32)-1;
const volatile __u32 hold_ruid = (__u32)-1;

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

/* (dev, ino) of binaries userspace has inspected (Go probes attached or not
 * Go), with the file's size and times then. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ct_bin_key);
	__type(value, struct ct_bin_val);
} known_bins SEC(".maps");

/* The processes this instance holds stopped: tgid -> when. Other coldtrace
 * instances find this map by name (ct_held) before they resume a process. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} ct_held SEC(".maps");

/* Holds this instance released, until their SIGCONT is seen: tgid -> when
 * released. The SIGCONT may come from another instance that held the same
 * process longer. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} ct_resuming SEC(".maps");

/* Traced processes whose exit was sent, until their leader is freed: two
 * threads ending together may both see the group's live count at 0. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} exit_sent SEC(".maps");

/* The guardian's view of new holds (it enforces --max-hold). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} ct_hold_rb SEC(".maps");

/* The file's times, in nanoseconds, across the kernel's inode layouts. */
struct inode___tsp { /* 6.6: i_mtime and __i_ctime as timespec64 */
	struct timespec64 i_mtime;
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));
struct inode___tsp2 { /* 6.7 - 6.10 */
	struct timespec64 __i_mtime;
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));
struct inode___old { /* up to 6.5 */
	struct timespec64 i_mtime;
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

static __always_inline void inode_times(struct inode *ino, __u64 *mtime, __u64 *ctime)
{
	if (bpf_core_field_exists(ino->i_mtime_sec)) {
		*mtime = BPF_CORE_READ(ino, i_mtime_sec) * 1000000000ull + BPF_CORE_READ(ino, i_mtime_nsec);
		/* the top bit of i_ctime_nsec is a flag (I_CTIME_QUERIED,
		 * multigrain timestamps): nanoseconds fit in 30 bits */
		*ctime = BPF_CORE_READ(ino, i_ctime_sec) * 1000000000ull +
			 (BPF_CORE_READ(ino, i_ctime_nsec) & 0x3fffffff);
	} else if (bpf_core_field_exists(((struct inode___tsp2 *)ino)->__i_mtime)) {
		struct inode___tsp2 *i = (void *)ino;

		*mtime = BPF_CORE_READ(i, __i_mtime.tv_sec) * 1000000000ull + BPF_CORE_READ(i, __i_mtime.tv_nsec);
		*ctime = BPF_CORE_READ(i, __i_ctime.tv_sec) * 1000000000ull + BPF_CORE_READ(i, __i_ctime.tv_nsec);
	} else if (bpf_core_field_exists(((struct inode___tsp *)ino)->__i_ctime)) {
		struct inode___tsp *i = (void *)ino;

		*mtime = BPF_CORE_READ(i, i_mtime.tv_sec) * 1000000000ull + BPF_CORE_READ(i, i_mtime.tv_nsec);
		*ctime = BPF_CORE_READ(i, __i_ctime.tv_sec) * 1000000000ull + BPF_CORE_READ(i, __i_ctime.tv_nsec);
	} else {
		struct inode___old *i = (void *)ino;

		*mtime = BPF_CORE_READ(i, i_mtime.tv_sec) * 1000000000ull + BPF_CORE_READ(i, i_mtime.tv_nsec);
		*ctime = BPF_CORE_READ(i, i_ctime.tv_sec) * 1000000000ull + BPF_CORE_READ(i, i_ctime.tv_nsec);
	}
}

/* May the loader signal this task (kill(2)'s uid rule)? */
static __always_inline bool may_signal(struct task_struct *p)
{
	__u32 uid, suid;

	if (hold_uid == (__u32)-1)
		return true;
	uid = BPF_CORE_READ(p, real_cred, uid.val);
	suid = BPF_CORE_READ(p, real_cred, suid.val);
	return uid == hold_uid || suid == hold_uid || uid == hold_ruid || suid == hold_ruid;
}

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
	ct_mark_traced(ctgid, true);

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		ct_count_lost(CT_EV_FORK, sandbox);
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
	__u32 match = CT_MATCH_NONE, flags = 0;
	struct ct_bin_val *known;
	struct ct_hold *hold = NULL;
	struct inode *inode;
	struct ct_exec *e;
	bool stop = false, in_tree = ct_traced(tgid);

	/* run: an exec outside the traced tree costs this one lookup, no
	 * reads of its file */
	if (!in_tree && !watch_mode)
		return 0;
	inode = BPF_CORE_READ(bprm, file, f_inode);
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key.ino = BPF_CORE_READ(inode, i_ino);

	if (!in_tree) {
		char comm[CT_COMM_LEN] = {};

		if (bpf_map_lookup_elem(&watch_inodes, &key)) {
			/* a watched binary: the root of a new sandbox */
			bpf_map_update_elem(&traced, &tgid, &tgid, BPF_ANY);
			ct_mark_traced(tgid, true);
			match = CT_MATCH_INODE;
		} else {
			bpf_get_current_comm(comm, sizeof(comm));
			if (!bpf_map_lookup_elem(&watch_comms, comm))
				return 0;
			match = CT_MATCH_COMM; /* userspace checks the path */
		}
	} else {
		ct_mark_traced(tgid, true); /* run's root, traced from userspace */
	}

	known = bpf_map_lookup_elem(&known_bins, &key);
	if (known) {
		__u64 mtime, ctime;

		inode_times(inode, &mtime, &ctime);
		if (known->size != (__u64)BPF_CORE_READ(inode, i_size) || known->mtime_ns != mtime ||
		    known->ctime_ns != ctime)
			flags |= CT_EXEC_CHANGED;
	}
	stop = match == CT_MATCH_COMM || !known || (flags & CT_EXEC_CHANGED) ||
	       (known->flags & CT_BIN_HOLD_EACH) || (match == CT_MATCH_INODE && lazy_io && !io_live);

	if (allocs_on && match != CT_MATCH_COMM) {
		/* a traced image starts: its allocations are followed from the first */
		struct ct_go_allocst zero = {};

		bpf_map_update_elem(&go_allocs, &tgid, &zero, BPF_ANY);
	}

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		/* nobody would hear of a hold: never take one */
		ct_count_lost(CT_EV_EXEC, ct_sandbox(tgid));
		return 0;
	}
	if (stop && !may_signal(p)) {
		stop = false;
		flags |= CT_EXEC_NOT_HELD;
	}
	if (stop) {
		hold = bpf_ringbuf_reserve(&ct_hold_rb, sizeof(*hold), 0);
		if (!hold) {
			stop = false;
			flags |= CT_EXEC_NOT_HELD;
		}
	}

	ct_fill_hdr(&e->h, CT_EV_EXEC, p);
	e->ppid = BPF_CORE_READ(p, real_parent, tgid);
	e->dev = key.dev;
	e->ino = key.ino;
	e->stopped = 0;
	e->match = match;
	e->flags = flags;
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

	if (stop && hold) {
		__u64 ts = e->h.ts;

		if (bpf_map_update_elem(&ct_held, &tgid, &ts, BPF_ANY) == 0) {
			/* Pending before the new image runs its first instruction. */
			bpf_send_signal(SIGSTOP);
			e->stopped = 1;
			hold->tgid = tgid;
			hold->_pad = 0;
			hold->ts = ts;
			bpf_ringbuf_submit(hold, BPF_RB_FORCE_WAKEUP);
			hold = NULL;
		} else {
			e->flags |= CT_EXEC_NOT_HELD;
		}
	}
	if (hold)
		bpf_ringbuf_discard(hold, 0);
	if (e->stopped)
		ct_submit_now(e); /* the process waits for the loader */
	else
		ct_submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ct_exit, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	__u8 one = 1;
	__u32 sandbox;
	struct ct_exit *e;

	/* Only the last thread of the group ends the process. */
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	/* a held process that died (SIGKILL works on stopped ones): its hold
	 * is over, and its pid may be reused */
	bpf_map_delete_elem(&ct_held, &tgid);
	bpf_map_delete_elem(&ct_resuming, &tgid);
	if (allocs_on)
		bpf_map_delete_elem(&go_allocs, &tgid);
	sandbox = ct_sandbox(tgid);
	if (!sandbox)
		return 0;
	/* still traced until its leader is freed (ct_free): its threads go
	 * on being scheduled while they tear down (the final switches carry
	 * their final counters). One exit record per process. */
	if (bpf_map_update_elem(&exit_sent, &tgid, &one, BPF_NOEXIST) == -17 /* EEXIST */)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		ct_count_lost(CT_EV_EXIT, sandbox);
		return 0;
	}
	ct_fill_hdr(&e->h, CT_EV_EXIT, p);
	e->h.pid = tgid;
	e->h.sandbox = sandbox;
	e->code = BPF_CORE_READ(p, exit_code);
	e->_pad = 0;
	ct_submit(e);
	return 0;
}

/*
 * The process is gone: its leader's task is freed after every thread's last
 * switch and after it was reaped. (Its pid was freed a little earlier, at
 * reaping: a new process given the same pid in that gap and forked by an
 * untraced parent would look traced until then; pids are handed out in
 * turn, so this needs the whole pid space to wrap in that moment.)
 */
SEC("tp_btf/sched_process_free")
int BPF_PROG(ct_free, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	if ((__u32)BPF_CORE_READ(p, pid) == tgid && ct_maybe_traced(tgid)) {
		ct_mark_traced(tgid, false);
		bpf_map_delete_elem(&traced, &tgid);
		bpf_map_delete_elem(&exit_sent, &tgid);
	}
	return 0;
}

/*
 * SIGCONT for a process this instance holds, from anyone (the loader, its
 * guardian, another coldtrace, the user): the kernel's own time for the end
 * of the hold. The sender holds the target's siglock here, and the resumed
 * task takes it before it returns to user space, so nothing the resumed
 * process does can come before this timestamp.
 */
SEC("tp_btf/signal_generate")
int BPF_PROG(ct_signal, int sig, struct kernel_siginfo *info, struct task_struct *task, int group,
	     int result)
{
	__u32 tgid;
	struct ct_resume *e;

	if (sig != SIGCONT)
		return 0;
	tgid = BPF_CORE_READ(task, tgid);
	if (bpf_map_delete_elem(&ct_resuming, &tgid) && !bpf_map_lookup_elem(&ct_held, &tgid))
		return 0; /* not a process we held */
	/* watch traces a process held by name from userspace, once it has
	 * checked its path: its bit comes with its resumption */
	if (ct_traced(tgid))
		ct_mark_traced(tgid, true);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		ct_count_lost(CT_EV_RESUME, ct_sandbox(tgid));
		return 0;
	}
	ct_fill_hdr(&e->h, CT_EV_RESUME, task);
	e->h.pid = tgid;
	e->h.tid = tgid;
	e->h.sandbox = ct_sandbox(tgid);
	e->sender = bpf_get_current_pid_tgid() >> 32;
	e->_pad = 0;
	ct_submit(e);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
