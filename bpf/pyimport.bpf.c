// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * coldtrace: CPython import probes (see enum ct_py_probe in coldtrace.h).
 * What `python -X importtime` prints, without the flag: for each module not
 * yet in sys.modules, when its load started and ended, on which thread and
 * how deep. One program serves the three uprobes of a binary (the cookie
 * says which fired and for which binary); a small per-thread state pairs
 * them:
 *  - ENTER pushes a level (an import call, cached or not);
 *  - CALL "_find_and_load" marks the level as loading and sends START with
 *    the module's absolute name (the call's first argument, a str);
 *  - CALL "_handle_fromlist", or RETURN, sends END if the level loads;
 *    RETURN pops the level.
 * Imports of modules already in sys.modules send nothing. Processes
 * outside the traced tree pay one hash lookup per probe hit.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "maps.bpf.h"

/* Probe hits by kind (index = enum ct_py_probe), traced or not. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CT_PY_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} py_hits SEC(".maps");

/* Binary id -> how to read its strs (struct ct_py_layout). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct ct_py_layout);
} py_layouts SEC(".maps");

/* Levels deeper than this are counted but never marked as loading. */
#define CT_PY_MAX_DEPTH 64

/* A thread's open import calls. */
struct py_thread {
	__u32 depth;    /* PyImport_ImportModuleLevelObject calls open */
	__u32 _pad;
	__u64 loading;  /* bit d-1: level d is loading a module */
};

/* tid -> its open import calls (LRU: a thread that dies inside an import
 * leaves an entry that is reclaimed in time). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct py_thread);
} py_threads SEC(".maps");

static __always_inline __u64 bit_of(__u32 depth)
{
	return 1ull << ((depth - 1) & 63);
}

/* Is the method named by the call probe's second argument @name? Compared
 * with the expected length @n first (a str's length, or the identifier's
 * C string's NUL). */
static __always_inline bool method_is(const struct ct_py_layout *l, __u64 name, const char *want,
				      __u32 n)
{
	char buf[24] = {};
	__u64 src = name;

	if (n + 2 > sizeof(buf))
		return false;
	if (l->call_ident) {
		/* struct _Py_Identifier: its const char *string at ident_off */
		if (bpf_probe_read_user(&src, sizeof(src), (void *)(name + l->ident_off)))
			return false;
		/* n + 2: a longer name reads more than n + 1 bytes */
		if (bpf_probe_read_user_str(buf, n + 2, (void *)src) != (long)n + 1)
			return false;
	} else {
		__s64 len = 0;
		__u32 state = 0;

		if (bpf_probe_read_user(&len, sizeof(len), (void *)(name + l->length_off)) || len != n)
			return false;
		if (bpf_probe_read_user(&state, sizeof(state), (void *)(name + l->state_off)))
			return false;
		if (!(state & (1 << 5)) || !(state & (1 << 6))) /* compact ASCII */
			return false;
		if (bpf_probe_read_user(buf, n, (void *)(name + l->ascii_off)))
			return false;
	}
	for (__u32 i = 0; i < n && i < sizeof(buf); i++)
		if (buf[i] != want[i])
			return false;
	return true;
}

/* The module name (a str at @s) into e. */
static __always_inline void read_name(const struct ct_py_layout *l, __u64 s, struct ct_py *e)
{
	__s64 len = 0;
	__u32 state = 0, kind, n;
	__u64 src;

	e->name_kind = CT_PYNAME_NONE;
	if (bpf_probe_read_user(&len, sizeof(len), (void *)(s + l->length_off)) ||
	    bpf_probe_read_user(&state, sizeof(state), (void *)(s + l->state_off)))
		return;
	e->name_chars = len < 0 ? 0 : (len > 0xffffffffll ? 0xffffffffu : (__u32)len);
	if (!(state & (1 << 5)))
		return; /* not compact: a legacy str, never a module name in practice */
	kind = (state >> 2) & 7;
	if (state & (1 << 6)) {
		e->name_kind = CT_PYNAME_UTF8;
		src = s + l->ascii_off;
		n = e->name_chars;
	} else {
		__u64 utf8 = 0;

		bpf_probe_read_user(&utf8, sizeof(utf8), (void *)(s + l->utf8_off));
		if (utf8) {
			long r = bpf_probe_read_user_str(e->name, sizeof(e->name), (void *)utf8);

			if (r > 0) {
				e->name_kind = CT_PYNAME_UTF8;
				e->name_len = (__u32)r - 1;
			}
			return;
		}
		if (kind != 1 && kind != 2 && kind != 4)
			return;
		e->name_kind = (__u8)kind;
		src = s + l->compact_off;
		n = e->name_chars * kind;
	}
	{
		__u64 sz = n < CT_PYMOD_LEN - 1 ? n : CT_PYMOD_LEN - 1;

		/* bounded in the register the call takes (clang would pass n) */
		barrier_var(sz);
		sz &= CT_PYMOD_LEN - 1;
		if (sz > 0 && !bpf_probe_read_user(e->name, sz, (void *)src))
			e->name_len = (__u32)sz;
	}
}

static __always_inline void send(struct pt_regs *ctx, __u32 what, __u32 bin, __u32 depth,
				 const struct ct_py_layout *l, __u64 name, __u32 sandbox)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct ct_py *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		ct_count_lost(CT_EV_PY, sandbox);
		return;
	}
	ct_fill_hdr(&e->h, CT_EV_PY, task);
	e->what = what;
	e->depth = depth;
	e->bin = bin;
	e->name_len = 0;
	e->name_chars = 0;
	e->name_kind = CT_PYNAME_NONE;
	e->_pad[0] = e->_pad[1] = e->_pad[2] = 0;
	if (what == CT_PYIMP_START && l)
		read_name(l, name, e);
	ct_read_counters(task, &e->c);
	ct_submit(e);
}

static __always_inline int py_probe(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	__u64 id = bpf_get_current_pid_tgid();
	__u32 kind = CT_COOKIE_KIND(cookie), bin = CT_COOKIE_BIN(cookie);
	__u32 tid = (__u32)id, sandbox;
	struct py_thread *st;
	__u64 *hits;

	hits = bpf_map_lookup_elem(&py_hits, &kind);
	if (hits)
		*hits += 1;
	sandbox = ct_sandbox(id >> 32);
	if (!sandbox)
		return 0;
	st = bpf_map_lookup_elem(&py_threads, &tid);
	if (kind == CT_PY_ENTER) {
		if (!st) {
			struct py_thread zero = {};

			bpf_map_update_elem(&py_threads, &tid, &zero, BPF_ANY);
			st = bpf_map_lookup_elem(&py_threads, &tid);
			if (!st)
				return 0;
		}
		st->depth++;
		if (st->depth <= CT_PY_MAX_DEPTH)
			st->loading &= ~bit_of(st->depth);
		return 0;
	}
	if (!st || !st->depth)
		return 0; /* began before its probes were attached */
	if (kind == CT_PY_CALL) {
		struct ct_py_layout *l = bpf_map_lookup_elem(&py_layouts, &bin);
		__u64 name = PT_REGS_PARM2(ctx);

		if (!l || st->depth > CT_PY_MAX_DEPTH)
			return 0;
		if (!(st->loading & bit_of(st->depth))) {
			if (method_is(l, name, "_find_and_load", 14)) {
				st->loading |= bit_of(st->depth);
				send(ctx, CT_PYIMP_START, bin, st->depth, l, PT_REGS_PARM3(ctx), sandbox);
			}
		} else if (method_is(l, name, "_handle_fromlist", 16)) {
			st->loading &= ~bit_of(st->depth);
			send(ctx, CT_PYIMP_END, bin, st->depth, NULL, 0, sandbox);
		}
		return 0;
	}
	if (kind == CT_PY_RETURN) {
		if (st->depth <= CT_PY_MAX_DEPTH && (st->loading & bit_of(st->depth))) {
			st->loading &= ~bit_of(st->depth);
			send(ctx, CT_PYIMP_END, bin, st->depth, NULL, 0, sandbox);
		}
		st->depth--;
	}
	return 0;
}

/* Attached per probe through a perf event (entry and return uprobes). */
SEC("uprobe")
int ct_py_probe(struct pt_regs *ctx)
{
	return py_probe(ctx);
}

/* The same for uprobe_multi links (Linux >= 6.6): one link for the entry
 * probes of a binary, one (BPF_F_UPROBE_MULTI_RETURN) for its return probe. */
SEC("uprobe")
int ct_py_probe_multi(struct pt_regs *ctx)
{
	return py_probe(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
