/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * goprobe: decide where to put the Go init uprobes in one binary.
 * Pure: a goelf in, a list of (kind, address, file offset, operand) out.
 * See goprobe.c for the probe points and their fallbacks.
 */
#ifndef COLDTRACE_GOPROBE_H
#define COLDTRACE_GOPROBE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coldtrace.h"
#include "goelf.h"

#define GOPROBE_MAX 8 /* per binary */

/* Init task layouts, by Go generation. A CT_GO_TASKSTART probe's disp holds
 * one (kept in the plan and the binary cache); the tracer gives BPF its
 * struct ct_go_layout (goprobe_task_layout) in the go_layouts map. */
enum ct_task_layout {
	CT_TASK_GO116 = 0, /* Go <= 1.20: {uintptr state, ndeps, nfns; deps[ndeps]; fns[nfns]} */
	CT_TASK_GO121 = 1, /* Go >= 1.21: {uint32 state, nfns; fns[nfns]} */
	CT_TASK_LAYOUTS
};

struct goprobe {
	enum ct_go_probe kind;
	uint64_t vaddr;  /* link-time address of the probed instruction */
	uint64_t offset; /* file offset, what a uprobe takes */
	uint8_t reg;     /* enum ct_reg, CT_REG_NONE if nothing to read */
	bool mem;        /* read memory at reg + disp instead of reg */
	int32_t disp;
};

struct goprobe_plan {
	struct goprobe probes[GOPROBE_MAX];
	size_t n;
	const char *init_func; /* "runtime.doInit1" or "runtime.doInit" */
	bool has_rtstart;      /* false: runtime start time is approximated */
	bool task_start;       /* CT_GO_TASKSTART planned (else CT_GO_INITCALL) */
	bool task_end;         /* CT_GO_TASKEND planned (else CT_GO_INITRET) */
};

/* The init loop's probes, from the init function's code alone. */
struct goprobe_loop {
	struct goprobe probes[2]; /* offset not set */
	size_t n;
	bool task_start; /* CT_GO_TASKSTART found (else CT_GO_INITCALL) */
	bool task_end;   /* CT_GO_TASKEND found (else CT_GO_INITRET) */
};

/*
 * Find the init loop's probes in @len bytes of @arch code at link-time
 * address @entry: runtime.doInit1 if @go121, else runtime.doInit. The
 * branches on inittrace.active (TASKSTART + TASKEND) when found, else the
 * fallbacks. Returns 0, or -1 with a one-line reason in err.
 */
int goprobe_plan_loop(enum goelf_arch arch, const uint8_t *code, size_t len, uint64_t entry,
		      bool go121, struct goprobe_loop *loop, char *err, size_t errlen);

/*
 * Fill @plan for @g. Returns 0, or -1 with a one-line reason in err when the
 * runtime's layout is not one coldtrace knows (no doInit, no single indirect
 * call in it, unsupported architecture, ...).
 */
int goprobe_plan(const struct goelf *g, struct goprobe_plan *plan, char *err, size_t errlen);

/*
 * --allocs: the CT_GO_MALLOC probe of @g (runtime.mallocgc, the first
 * instruction after its stack check), and how BPF reads its arguments and
 * sizes an allocation: @layout's abi and alloc_rules set. Returns 0, or -1
 * with a one-line reason (a Go version or architecture coldtrace cannot
 * count allocations for, a size-specialized allocator, no mallocgc).
 */
int goprobe_plan_malloc(const struct goelf *g, struct goprobe *probe, struct ct_go_layout *layout,
			char *err, size_t errlen);

/* Go's minor version from a "go1.N[.P...]" string; -1 if not one. */
int goprobe_go_minor(const char *version);

/* The probe of @kind in @plan, or NULL. */
const struct goprobe *goprobe_find(const struct goprobe_plan *plan, enum ct_go_probe kind);

const char *goprobe_kind_name(enum ct_go_probe kind);

/* What BPF needs to read an init task of @layout (enum ct_task_layout), or
 * NULL if there is no such layout. */
const struct ct_go_layout *goprobe_task_layout(int32_t layout);

/* The layout @plan's CT_GO_TASKSTART probe reads, or NULL if it has none. */
const struct ct_go_layout *goprobe_plan_layout(const struct goprobe_plan *plan);

#endif /* COLDTRACE_GOPROBE_H */
