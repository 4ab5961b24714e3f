// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * coldtrace: Go runtime probes. One program serves every Go uprobe; the
 * attach cookie says which probe fired (enum ct_go_probe), which binary it
 * belongs to and which register or memory operand to read:
 *  - CT_GO_RTSTART:  runtime.main stores runtimeInitTime (its first
 *                    nanotime); the stored register holds the value;
 *  - CT_GO_TASKSTART: an init task with functions starts, before Go's own
 *                    inittrace clock starts (see userspace/capture/goprobe.c);
 *                    the register holds the task, from which the probe reads
 *                    its state, nfns and first function (which names the
 *                    package) where the binary's entry in go_layouts says;
 *  - CT_GO_TASKEND:  its init functions are done, before Go's clock stops;
 *  - CT_GO_INITCALL: the indirect call of an init function (fallback when
 *                    no task start point is known); the operand is the
 *                    function's address;
 *  - CT_GO_INITRET:  the instruction after that call (the function returned);
 *  - CT_GO_MAINMAIN: entry of main.main.
 *  - CT_GO_MALLOC:   (--allocs) runtime.mallocgc: on x86-64 the branch of
 *                    its stack check (emulated; the register the check
 *                    compared with g.stackguard0 is in the cookie, and a
 *                    call bound for morestack, which reruns mallocgc, is not
 *                    counted), else the first instruction after it; counts what GODEBUG=inittrace=1 would count for
 *                    the running init task (bpf/goalloc.h). Gated on the
 *                    thread's entry in go_allocs: one hash lookup for every
 *                    other thread and process of the binary, and for the
 *                    traced process itself once main.main started (its
 *                    entry is gone then).
 *                    Why a probe and not the runtime's own counters: the
 *                    per-P mcache statistics (tinyAllocs, smallAllocCount)
 *                    move when a span is refilled or flushed, not per
 *                    allocation, and count every goroutine that ran on the
 *                    P; only a hit per mallocgc call gives Go's figures per
 *                    package exactly. Its cost is a trap into the kernel per
 *                    allocation of every process of the binary while it is
 *                    attached (bench/allocs.sh: about 7 us a trap on the
 *                    2-CPU VM, 1 us more for the counting), so it is only
 *                    attached with --allocs.
 * Two entry points share the body: ct_go_probe (perf-event uprobes) and
 * ct_go_probe_multi (uprobe_multi links); the loader loads one.
 * No uretprobes: they corrupt Go's stack copying. Probes inside a function
 * body are never re-entered by morestack, which only replays prologues.
 * Processes outside the traced tree pay one hash lookup.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "maps.bpf.h"
#include "goalloc.h"

/* Probe hits by kind (index = enum ct_go_probe), traced or not. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CT_GO_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} go_hits SEC(".maps");

/* More dependencies than any program has: a task read wrong, not followed. */
#define CT_MAX_DEPS (1 << 20)

/* Binary id -> how its init tasks are laid out (struct ct_go_layout),
 * filled by userspace before the binary's probes are attached. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct ct_go_layout);
} go_layouts SEC(".maps");

/* Offset in pt_regs of a register named by enum ct_reg; -1 if unknown. */
static __always_inline int ct_reg_off(__u32 reg)
{
#if defined(__TARGET_ARCH_x86)
	switch (reg) {
	case CT_REG_AX: return offsetof(struct pt_regs, ax);
	case CT_REG_BX: return offsetof(struct pt_regs, bx);
	case CT_REG_CX: return offsetof(struct pt_regs, cx);
	case CT_REG_DX: return offsetof(struct pt_regs, dx);
	case CT_REG_SI: return offsetof(struct pt_regs, si);
	case CT_REG_DI: return offsetof(struct pt_regs, di);
	case CT_REG_BP: return offsetof(struct pt_regs, bp);
	case CT_REG_SP: return offsetof(struct pt_regs, sp);
	case CT_REG_R8: return offsetof(struct pt_regs, r8);
	case CT_REG_R9: return offsetof(struct pt_regs, r9);
	case CT_REG_R10: return offsetof(struct pt_regs, r10);
	case CT_REG_R11: return offsetof(struct pt_regs, r11);
	case CT_REG_R12: return offsetof(struct pt_regs, r12);
	case CT_REG_R13: return offsetof(struct pt_regs, r13);
	case CT_REG_R14: return offsetof(struct pt_regs, r14);
	case CT_REG_R15: return offsetof(struct pt_regs, r15);
	}
#elif defined(__TARGET_ARCH_arm64)
	if (reg == CT_REG_ARM64_SP)
		return offsetof(struct user_pt_regs, sp);
	if (reg >= CT_REG_X0 && reg <= CT_REG_X0 + 30)
		return offsetof(struct user_pt_regs, regs) + (reg - CT_REG_X0) * 8;
#endif
	return -1;
}

/* A register by index: the verifier forbids variable-offset ctx loads, so
 * read it with the helper. */
static __always_inline __u64 ct_reg(struct pt_regs *ctx, __u32 reg)
{
	int off = ct_reg_off(reg);
	__u64 v = 0;

	if (off >= 0)
		bpf_probe_read_kernel(&v, sizeof(v), (void *)ctx + off);
	return v;
}

/* A little-endian word of 4 or 8 bytes at a user address (0 if unreadable). */
static __always_inline __u64 read_word(__u64 addr, __u16 size)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, size == 4 ? 4 : 8, (void *)addr);
	return v;
}

/* The running goroutine (getg()) under the binary's ABI; 0 if unknown. */
static __always_inline __u64 go_g(struct pt_regs *ctx, __u32 abi)
{
	if (abi == CT_GO_ABI_X86_REG)
		return ct_reg(ctx, CT_REG_R14);
	if (abi == CT_GO_ABI_ARM64_REG)
		return ct_reg(ctx, CT_REG_X0 + 28);
#if defined(__TARGET_ARCH_x86)
	if (abi == CT_GO_ABI_X86_STACK) {
		/* Go 1.16 keeps g in TLS, at -8 from the fs base */
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		__u64 fs = BPF_CORE_READ(t, thread.fsbase);

		return read_word(fs - 8, 8);
	}
#endif
	return 0;
}

/* mallocgc(size, typ, needzero) entered on a thread with a go_allocs entry. */
static __always_inline int go_malloc(struct pt_regs *ctx, __u64 cookie)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), bin = CT_COOKIE_BIN(cookie);
	struct ct_go_allocst *st = bpf_map_lookup_elem(&go_allocs, &tid);
	struct ct_go_layout *l;
	struct ct_go_tiny tiny;
	__u64 size, typ, bytes;
	int noscan, is_tiny;

	if (!st)
		return 0;
	l = bpf_map_lookup_elem(&go_layouts, &bin);
	if (!l)
		return 0;
#if defined(__TARGET_ARCH_x86)
	if (CT_COOKIE_REG(cookie) != CT_REG_NONE) {
		/* on the stack check's jbe: taken (CF or ZF), it goes to
		 * morestack, which reruns mallocgc and this probe; count then.
		 * The flags are the compare's own outcome (g.stackguard0 read
		 * now could already be sysmon's preemption request). */
		__u64 flags = 0;

		bpf_probe_read_kernel(&flags, sizeof(flags), &ctx->flags);
		if (flags & (0x1 | 0x40)) /* CF | ZF */
			return 0;
	}
#endif
	if (l->abi == CT_GO_ABI_X86_STACK) {
		__u64 sp = ct_reg(ctx, CT_REG_SP);

		size = read_word(sp + 8, 8);
		typ = read_word(sp + 16, 8);
	} else if (l->abi == CT_GO_ABI_X86_REG) {
		size = ct_reg(ctx, CT_REG_AX);
		typ = ct_reg(ctx, CT_REG_BX);
	} else if (l->abi == CT_GO_ABI_ARM64_REG) {
		size = ct_reg(ctx, CT_REG_X0);
		typ = ct_reg(ctx, CT_REG_X0 + 1);
	} else {
		return 0;
	}
	if (size == 0)
		return 0; /* zerobase: Go counts nothing */
	/* _type.PtrBytes (ptrdata), the second word in every Go 1.16+ */
	noscan = !typ || read_word(typ + 8, 8) == 0;
	tiny.off = st->tiny_off;
	tiny.valid = st->tiny_valid;
	bytes = ct_go_alloc_bytes(l->alloc_rules, size, noscan, &tiny, &is_tiny);
	st->tiny_off = tiny.off;
	st->tiny_valid = tiny.valid;
	/* only the init goroutine's own, as Go's inittrace.id check: not
	 * what the runtime allocates for it on the system stack (g0) */
	if (st->g && go_g(ctx, l->abi) == st->g) {
		st->allocs++;
		st->bytes += bytes;
		st->tiny += is_tiny;
	}
	return 0;
}

static __always_inline int go_probe(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	__u32 kind = CT_COOKIE_KIND(cookie);
	__u32 sandbox;
	__u32 reg = CT_COOKIE_REG(cookie);
	__u64 *hits, value = 0, task = 0;
	__u32 nfns = 0, state = 0, tiny = 0, aflags = 0;
	__u64 allocs = 0, bytes = 0;
	struct ct_go_allocst *st;
	struct ct_go *e;

	hits = bpf_map_lookup_elem(&go_hits, &kind);
	if (hits)
		*hits += 1; /* per-CPU slot: no atomic needed */
	if (kind == CT_GO_MALLOC)
		return go_malloc(ctx, cookie);
	sandbox = ct_sandbox(bpf_get_current_pid_tgid() >> 32);
	if (!sandbox)
		return 0;

	if (reg != CT_REG_NONE) {
		value = ct_reg(ctx, reg);
		if (CT_COOKIE_MEM(cookie)) {
			__u64 addr = value + CT_COOKIE_DISP(cookie);

			value = 0;
			bpf_probe_read_user(&value, sizeof(value), (void *)addr);
		}
	}
	if (kind == CT_GO_TASKSTART) {
		__u32 bin = CT_COOKIE_BIN(cookie);
		struct ct_go_layout *l = bpf_map_lookup_elem(&go_layouts, &bin);
		__u64 t = value, ndeps = 0;

		if (!l)
			return 0; /* userspace fills it before it attaches */
		task = t;
		state = (__u32)read_word(t + l->state_off, l->state_size);
		/* doInit1's entry (a fallback point) also sees finished tasks */
		if (l->skip_done && state == l->done_state)
			return 0;
		if (allocs_on && l->abi) {
			__u32 tid = (__u32)bpf_get_current_pid_tgid();

			st = bpf_map_lookup_elem(&go_allocs, &tid);
			if (st) { /* a task starts: count from zero on its goroutine */
				st->g = go_g(ctx, l->abi);
				st->allocs = 0;
				st->bytes = 0;
				st->tiny = 0;
			}
		}
		nfns = (__u32)read_word(t + l->nfns_off, l->nfns_size);
		if (l->ndeps_size)
			ndeps = read_word(t + l->ndeps_off, l->ndeps_size);
		value = 0;
		if (ndeps < CT_MAX_DEPS)
			value = read_word(t + l->fns_off + ndeps * 8, 8);
	}

	if (allocs_on && (kind == CT_GO_TASKEND || kind == CT_GO_MAINMAIN)) {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();

		st = bpf_map_lookup_elem(&go_allocs, &tid);
		if (st && kind == CT_GO_TASKEND && st->g) {
			allocs = st->allocs;
			bytes = st->bytes;
			tiny = st->tiny;
			aflags = CT_GO_ALLOCS_COUNTED;
			st->g = 0;
		} else if (st && kind == CT_GO_MAINMAIN) {
			/* init is over: the probe idles (a lookup that misses) */
			bpf_map_delete_elem(&go_allocs, &tid);
		}
	}

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		ct_count_lost(CT_EV_GO, sandbox);
		return 0;
	}
	ct_fill_hdr(&e->h, CT_EV_GO, (struct task_struct *)bpf_get_current_task());
	e->cookie = cookie;
	e->ip = PT_REGS_IP(ctx);
	e->value = value;
	e->task = task;
	e->nfns = nfns;
	e->state = state;
	e->allocs = allocs;
	e->bytes = bytes;
	e->tiny = tiny;
	e->alloc_flags = aflags;
	ct_read_counters((struct task_struct *)bpf_get_current_task(), &e->c);
	ct_submit(e);
	return 0;
}

/* Attached per probe through a perf event (any kernel with uprobes). */
SEC("uprobe")
int ct_go_probe(struct pt_regs *ctx)
{
	return go_probe(ctx);
}

/* The same, loaded for uprobe_multi links (Linux >= 6.6): one link per
 * binary carries all its probes, attached and detached in one step. The
 * loader picks one of the two at run time and leaves the other unloaded
 * (its section stays "uprobe": libbpf 1.1 knows no "uprobe.multi"; the
 * loader sets the attach type). */
SEC("uprobe")
int ct_go_probe_multi(struct pt_regs *ctx)
{
	return go_probe(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
