// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Probe planning on the real Go 1.19 binaries built for the tests, and on
 * the init loops of real Go 1.16 .. 1.26 builds (tests/unit/goinit_*.h).
 */
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "goelf.h"
#include "goinit_arm64.h"
#include "goinit_x86.h"
#include "goprobe.h"

static void check_plan(const char *name, enum goelf_arch arch)
{
	char path[512], err[256];
	struct goelf *g = NULL;
	struct goprobe_plan plan;
	const struct goprobe *ts, *ret, *rt, *mm; /* ret: the task end */
	const struct goelf_func *doinit;

	snprintf(path, sizeof(path), "%s/goprogs/%s", CT_BINARY_DIR, name);
	if (goelf_open_file(path, &g, err, sizeof(err)) != GOELF_OK) {
		CT__FAIL("%s: %s", path, err);
		return;
	}
	CT_EQ_INT(goelf_get_arch(g), arch);
	if (goprobe_plan(g, &plan, err, sizeof(err))) {
		CT__FAIL("%s: %s", name, err);
		goelf_close(g);
		return;
	}
	CT_EQ_STR(plan.init_func, "runtime.doInit"); /* Go 1.19 */
	CT_TRUE(plan.task_start);
	CT_TRUE(plan.task_end);
	CT_TRUE(plan.has_rtstart);
	ts = goprobe_find(&plan, CT_GO_TASKSTART);
	ret = goprobe_find(&plan, CT_GO_TASKEND);
	rt = goprobe_find(&plan, CT_GO_RTSTART);
	mm = goprobe_find(&plan, CT_GO_MAINMAIN);
	CT_TRUE(ts && ret && rt && mm);
	/* the fallbacks are not used */
	CT_TRUE(goprobe_find(&plan, CT_GO_INITCALL) == NULL);
	CT_TRUE(goprobe_find(&plan, CT_GO_INITRET) == NULL);
	CT_EQ_INT(plan.n, 4);
	doinit = goelf_find_func(g, "runtime.doInit");
	if (ts && ret && doinit) {
		/* both inside doInit, the task start before the calls */
		CT_TRUE(ts->vaddr > doinit->entry && ts->vaddr < doinit->end);
		CT_TRUE(ret->vaddr > ts->vaddr && ret->vaddr < doinit->end);
		CT_TRUE(ts->reg != CT_REG_NONE && !ts->mem);
		CT_EQ_INT(ts->disp, CT_TASK_GO116);
		CT_TRUE(goprobe_plan_layout(&plan) == goprobe_task_layout(CT_TASK_GO116));
	}
	if (rt) {
		const struct goelf_func *f = goelf_func_at(g, rt->vaddr);

		CT_TRUE(f && strcmp(f->name, "runtime.main") == 0);
	}
	if (mm) {
		const struct goelf_func *f = goelf_find_func(g, "main.main");

		CT_TRUE(f && f->entry == mm->vaddr);
	}
	for (size_t i = 0; i < plan.n; i++) {
		uint64_t off;

		CT_EQ_INT(goelf_vaddr_to_offset(g, plan.probes[i].vaddr, &off), 0);
		CT_EQ_U64(off, plan.probes[i].offset);
	}
	if (arch == GOELF_ARCH_X86_64 && ts && ret) {
		/* both probes sit on conditional jumps (emulated by uprobes, no
		 * single-step): 7x rel8 or 0f 8x rel32 */
		const uint8_t *a = goelf_bytes_at(g, ts->vaddr, 2), *b = goelf_bytes_at(g, ret->vaddr, 2);

		CT_TRUE(a && ((a[0] & 0xf0) == 0x70 || (a[0] == 0x0f && (a[1] & 0xf0) == 0x80)));
		CT_TRUE(b && ((b[0] & 0xf0) == 0x70 || (b[0] == 0x0f && (b[1] & 0xf0) == 0x80)));
		CT_EQ_INT(ts->reg, CT_REG_AX); /* Go 1.19 keeps t in RAX there */
	}
	if (arch == GOELF_ARCH_ARM64 && ts && ret) {
		const uint8_t *b = goelf_bytes_at(g, ts->vaddr, 4);
		uint32_t w = b ? (uint32_t)b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24 : 0;

		/* cbz/cbnz or tbz/tbnz on the loaded flag: simulated by uprobes */
		CT_TRUE((w & 0x7c000000u) == 0x34000000u);
		CT_TRUE(ts->reg >= CT_REG_X0 && ts->reg <= CT_REG_X0 + 30);
	}
	goelf_close(g);
}

CT_TEST(plan_static) { check_plan("initgraph", GOELF_ARCH_X86_64); }
CT_TEST(plan_stripped) { check_plan("initgraph-stripped", GOELF_ARCH_X86_64); }
CT_TEST(plan_pie) { check_plan("initgraph-pie", GOELF_ARCH_X86_64); }
CT_TEST(plan_pie_stripped) { check_plan("initgraph-pie-stripped", GOELF_ARCH_X86_64); }
CT_TEST(plan_cgo) { check_plan("initgraph-cgo", GOELF_ARCH_X86_64); }
CT_TEST(plan_arm64) { check_plan("initgraph-arm64", GOELF_ARCH_ARM64); }
CT_TEST(plan_arm64_stripped) { check_plan("initgraph-arm64-stripped", GOELF_ARCH_ARM64); }

/*
 * The init loops of real builds. start and end are the conditional branches
 * on inittrace.active, read off `objdump -d` of the same bytes; pad is the
 * address of NOP padding between a compare and its branch (0: none).
 */
struct loop_fx {
	const char *what;
	const uint8_t *code;
	size_t len;
	uint64_t entry;
	bool go121;
	uint64_t start, end;
	uint64_t start_pad, end_pad;
};

#define FX(name, go121, start, end, spad, epad) \
	{ #name, fx_##name, sizeof(fx_##name), FX_##name##_ENTRY_, go121, start, end, spad, epad }
#define FX_go116_ENTRY_ FX_GO116_ENTRY
#define FX_go117_ENTRY_ FX_GO117_ENTRY
#define FX_go119_ENTRY_ FX_GO119_ENTRY
#define FX_go120_ENTRY_ FX_GO120_ENTRY
#define FX_go122_ENTRY_ FX_GO122_ENTRY
#define FX_go123_ENTRY_ FX_GO123_ENTRY
#define FX_go126_ENTRY_ FX_GO126_ENTRY

static const struct loop_fx loops[] = {
	/* cmp; nop dword [rax+rax]; jne   ...   cmp; je */
	FX(go116, false, 0x447000, 0x44708d, 0x446ffb, 0),
	/* cmp; jne   ...   cmp; nop dword [rax]; je */
	FX(go117, false, 0x4437d5, 0x4438a0, 0, 0x44389d),
	FX(go119, false, 0x445e15, 0x445ed2, 0, 0),
	FX(go120, false, 0x4456d5, 0x445792, 0, 0),
	/* cmp; jne   ...   cmp; nop dword [rax+rax]; je */
	FX(go122, true, 0x44a107, 0x44a1e0, 0, 0x44a1db),
	FX(go123, true, 0x4474c7, 0x4475a0, 0, 0x44759b),
	FX(go126, true, 0x45fa47, 0x45fb0c, 0, 0),
};

static bool is_jcc(const uint8_t *p)
{
	return (p[0] & 0xf0) == 0x70 || (p[0] == 0x0f && (p[1] & 0xf0) == 0x80);
}

/* Plan @code and expect the two branch probes at start and end, the task
 * in @reg. */
static void expect_branches(const char *what, enum goelf_arch arch, const uint8_t *code,
			    size_t len, uint64_t entry, bool go121, uint64_t start, uint64_t end,
			    uint8_t reg)
{
	struct goprobe_loop loop;
	char err[256] = "";

	if (goprobe_plan_loop(arch, code, len, entry, go121, &loop, err, sizeof(err))) {
		CT__FAIL("%s: %s", what, err);
		return;
	}
	if (loop.n != 2 || !loop.task_start || !loop.task_end ||
	    loop.probes[0].kind != CT_GO_TASKSTART || loop.probes[1].kind != CT_GO_TASKEND) {
		CT__FAIL("%s: %zu probes, first %s at 0x%llx: not the two branches", what, loop.n,
			 goprobe_kind_name(loop.probes[0].kind),
			 (unsigned long long)loop.probes[0].vaddr);
		return;
	}
	CT_EQ_U64(loop.probes[0].vaddr, start);
	CT_EQ_U64(loop.probes[1].vaddr, end);
	CT_EQ_INT(loop.probes[0].reg, reg);
	CT_TRUE(!loop.probes[0].mem);
	CT_EQ_INT(loop.probes[0].disp, go121 ? CT_TASK_GO121 : CT_TASK_GO116);
	CT_EQ_INT(loop.probes[1].reg, CT_REG_NONE);
	if (arch == GOELF_ARCH_X86_64 && start - entry + 2 <= len && end - entry + 2 <= len) {
		CT_TRUE(is_jcc(code + (start - entry)));
		CT_TRUE(is_jcc(code + (end - entry)));
	}
}

/* Go 1.16 .. 1.26 on x86-64: the branches, with or without padding. */
CT_TEST(loop_real_x86)
{
	for (size_t i = 0; i < sizeof(loops) / sizeof(loops[0]); i++) {
		const struct loop_fx *f = &loops[i];

		expect_branches(f->what, GOELF_ARCH_X86_64, f->code, f->len, f->entry, f->go121,
				f->start, f->end, CT_REG_AX);
		/* the padding is where the comments say: a NOP, right before
		 * the branch */
		if (f->start_pad)
			CT_TRUE(f->code[f->start_pad - f->entry] == 0x0f ||
				f->code[f->start_pad - f->entry] == 0x90);
		if (f->end_pad)
			CT_TRUE(f->code[f->end_pad - f->entry] == 0x0f ||
				f->code[f->end_pad - f->entry] == 0x90);
	}
}

/* A copy of @f with the @n bytes at @at replaced by @m bytes of @with.
 * Everything after moves by m - n. */
static uint8_t *patch(const struct loop_fx *f, uint64_t at, size_t n, const uint8_t *with,
		      size_t m, size_t *len)
{
	size_t off = at - f->entry;
	uint8_t *c = malloc(f->len - n + m);

	if (!c)
		return NULL;
	memcpy(c, f->code, off);
	memcpy(c + off, with, m);
	memcpy(c + off + m, f->code + off + n, f->len - off - n);
	*len = f->len - n + m;
	return c;
}

/*
 * Padding of any length and form between the compare and the end branch
 * of Go 1.17 (3 bytes, 0f 1f 00, at 0x44389d), and what is not padding.
 */
CT_TEST(loop_padding_x86)
{
	static const struct {
		const char *what;
		uint8_t bytes[40];
		size_t n;
		bool nop;
	} pads[] = {
		{ "none", {0}, 0, true },
		{ "90", {0x90}, 1, true },
		{ "66 90", {0x66, 0x90}, 2, true },
		{ "xchg ax,ax (66 87 c0)", {0x66, 0x87, 0xc0}, 3, true },
		{ "xchg rax,rax", {0x48, 0x87, 0xc0}, 3, true },
		{ "mov rbx,rbx", {0x48, 0x89, 0xdb}, 3, true },
		{ "nop dword [rax+0]", {0x0f, 0x1f, 0x40, 0x00}, 4, true },
		{ "66 2e 0f 1f 84 + 90 x3",
		  {0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x90, 0x90, 0x90}, 13,
		  true },
		{ "15 x 90, 0f 1f 80, 0f 1f 44, 66 66 90, endbr64",
		  {0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
		   0x90, 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x1f, 0x44, 0x00, 0x00, 0x66,
		   0x66, 0x90, 0xf3, 0x0f, 0x1e, 0xfa}, 34, true },
		/* not NOPs: a flag-setting test, xchg eax,eax (zeroes the
		 * upper half in 64-bit mode), a real load */
		{ "test rax,rax", {0x48, 0x85, 0xc0}, 3, false },
		{ "xchg eax,eax (87 c0)", {0x87, 0xc0}, 2, false },
		{ "mov rax,[rax]", {0x48, 0x8b, 0x00}, 3, false },
	};
	const struct loop_fx *f = &loops[1]; /* go117 */

	CT_EQ_STR(f->what, "go117");
	for (size_t i = 0; i < sizeof(pads) / sizeof(pads[0]); i++) {
		struct goprobe_loop loop;
		size_t len;
		uint8_t *c = patch(f, f->end_pad, 3, pads[i].bytes, pads[i].n, &len);
		uint64_t end = f->end - 3 + pads[i].n;
		char what[128];

		if (!c) {
			CT__FAIL("out of memory");
			return;
		}
		snprintf(what, sizeof(what), "go117, end padding %s", pads[i].what);
		if (pads[i].nop) {
			expect_branches(what, GOELF_ARCH_X86_64, c, len, f->entry, false, f->start, end,
					CT_REG_AX);
		} else {
			/* never a branch probe after a real instruction: the
			 * fallback, a probe after the init call */
			CT_EQ_INT(goprobe_plan_loop(GOELF_ARCH_X86_64, c, len, f->entry, false, &loop,
						    NULL, 0), 0);
			CT_TRUE(!loop.task_end);
			CT_TRUE(loop.n == 2 && loop.probes[1].kind == CT_GO_INITRET);
			if (loop.task_end)
				printf("  (%s taken for padding)\n", pads[i].what);
		}
		free(c);
	}
}

/*
 * A NOP's memory operand is not an access to the task. Go 1.22 sets
 * t.state = 1 (mov dword [rax], 1: c7 00 01 00 00 00 at 0x44a0fa) right
 * before the start compare; with it replaced by `nop dword [rbx+0]; 66 90`
 * the task is still found in RAX (from the earlier `mov ecx, [rax]`), not
 * in RBX.
 */
CT_TEST(loop_nop_operand_x86)
{
	static const uint8_t nops[] = {0x0f, 0x1f, 0x43, 0x00, 0x66, 0x90};
	const struct loop_fx *f = &loops[4]; /* go122 */
	size_t len;
	uint8_t *c;

	CT_EQ_STR(f->what, "go122");
	CT_TRUE(f->code[0x44a0fa - f->entry] == 0xc7 && f->code[0x44a0fb - f->entry] == 0x00);
	c = patch(f, 0x44a0fa, 6, nops, sizeof(nops), &len);
	if (!c)
		return;
	expect_branches("go122, state store replaced by NOPs", GOELF_ARCH_X86_64, c, len, f->entry,
			true, f->start, f->end, CT_REG_AX);
	free(c);
}

/* arm64 words to little-endian bytes, with @n NOPs inserted before word @at1 and before word @at2. */
static uint8_t *a64_code(size_t at1, size_t at2, size_t n, size_t *len)
{
	size_t nw = sizeof(fx_a64_go119) / 4, k = 0;
	uint8_t *c = malloc((nw + 2 * n) * 4);

	if (!c)
		return NULL;
	for (size_t i = 0; i < nw; i++) {
		for (size_t j = 0; j < ((i == at1 || i == at2) ? n : 0); j++, k++)
			memcpy(c + k * 4, "\x1f\x20\x03\xd5", 4); /* nop */
		c[k * 4] = fx_a64_go119[i] & 0xff;
		c[k * 4 + 1] = (fx_a64_go119[i] >> 8) & 0xff;
		c[k * 4 + 2] = (fx_a64_go119[i] >> 16) & 0xff;
		c[k * 4 + 3] = fx_a64_go119[i] >> 24;
		k++;
	}
	*len = k * 4;
	return c;
}

/*
 * arm64 (Go 1.19): `ldrb w1, [x27]; tbnz w1` at 0x53d30 and `ldrb w4, [x27];
 * tbz w4` at 0x53df4, as built, and with NOPs between load and branch (the
 * whole window stays in one 4 KiB page, so the adrp results do not move).
 */
CT_TEST(loop_arm64)
{
	const uint64_t e = FX_A64_GO119_ENTRY;
	const size_t s = (0x53d34 - e) / 4, t = (0x53df8 - e) / 4;

	CT_TRUE((e & ~0xfffull) == ((e + sizeof(fx_a64_go119) + 64) & ~0xfffull));
	CT_EQ_U64(fx_a64_go119[s] & 0x7f000000u, 0x37000000u); /* tbnz */
	CT_EQ_U64(fx_a64_go119[t] & 0x7f000000u, 0x36000000u); /* tbz */
	for (size_t n = 0; n <= 3; n++) {
		size_t len;
		uint8_t *c = a64_code(s, t, n, &len);
		char what[64];

		if (!c)
			return;
		snprintf(what, sizeof(what), "arm64 go1.19, %zu nops", n);
		expect_branches(what, GOELF_ARCH_ARM64, c, len, e, false, 0x53d34 + 4 * n,
				0x53df8 + 8 * n, CT_REG_X0);
		free(c);
	}
}

CT_TEST(cookie_roundtrip)
{
	uint64_t c = CT_COOKIE(CT_GO_TASKSTART, 0x123456, CT_REG_X0 + 30, 1, -8);

	CT_EQ_INT(CT_COOKIE_KIND(c), CT_GO_TASKSTART);
	CT_EQ_INT(CT_COOKIE_BIN(c), 0x123456);
	CT_EQ_INT(CT_COOKIE_REG(c), CT_REG_X0 + 30);
	CT_EQ_INT(CT_COOKIE_MEM(c), 1);
	CT_EQ_INT(CT_COOKIE_DISP(c), -8);
	c = CT_COOKIE(CT_GO_INITRET, 1, 0, 0, CT_DISP_MAX);
	CT_EQ_INT(CT_COOKIE_DISP(c), CT_DISP_MAX);
	c = CT_COOKIE(CT_GO_INITRET, 1, 0, 0, CT_DISP_MIN);
	CT_EQ_INT(CT_COOKIE_DISP(c), CT_DISP_MIN);
}

/* Read an init task as goinit.bpf.c does with a struct ct_go_layout. */
static uint64_t word(const uint8_t *t, unsigned off, unsigned size)
{
	uint64_t v = 0;

	memcpy(&v, t + off, size == 4 ? 4 : 8); /* little-endian, as BPF reads */
	return v;
}

static bool read_task(const struct ct_go_layout *l, const uint8_t *t, uint32_t *state,
		      uint32_t *nfns, uint64_t *fn)
{
	uint64_t ndeps = l->ndeps_size ? word(t, l->ndeps_off, l->ndeps_size) : 0;

	*state = (uint32_t)word(t, l->state_off, l->state_size);
	if (l->skip_done && *state == l->done_state)
		return false;
	*nfns = (uint32_t)word(t, l->nfns_off, l->nfns_size);
	*fn = word(t, l->fns_off + (unsigned)ndeps * 8, 8);
	return true;
}

CT_TEST(task_layouts)
{
	/* Go 1.20: {state, ndeps, nfns uintptr; deps [2]*initTask; fns [3]func()} */
	const uint64_t go120[] = {1, 2, 3, 0xd1, 0xd2, 0xf1, 0xf2, 0xf3};
	/* Go 1.21: {state, nfns uint32; fns [2]func()}, running, then done */
	struct {
		uint32_t state, nfns;
		uint64_t fns[2];
	} go121 = {1, 2, {0xf1, 0xf2}};
	const struct ct_go_layout *l;
	uint32_t st = 0, nfns = 0;
	uint64_t fn = 0;

	l = goprobe_task_layout(CT_TASK_GO116);
	CT_TRUE(l && read_task(l, (const uint8_t *)go120, &st, &nfns, &fn));
	CT_EQ_INT(st, 1);
	CT_EQ_INT(nfns, 3);
	CT_EQ_U64(fn, 0xf1);
	l = goprobe_task_layout(CT_TASK_GO121);
	CT_TRUE(l && read_task(l, (const uint8_t *)&go121, &st, &nfns, &fn));
	CT_EQ_INT(st, 1);
	CT_EQ_INT(nfns, 2);
	CT_EQ_U64(fn, 0xf1);
	go121.state = 2; /* done: doInit1's entry sees it again, and skips it */
	CT_TRUE(!read_task(l, (const uint8_t *)&go121, &st, &nfns, &fn));
	CT_TRUE(goprobe_task_layout(CT_TASK_LAYOUTS) == NULL);
	CT_TRUE(goprobe_task_layout(-1) == NULL);
}

int main(void)
{
	CT_RUN(plan_static);
	CT_RUN(plan_stripped);
	CT_RUN(plan_pie);
	CT_RUN(plan_pie_stripped);
	CT_RUN(plan_cgo);
	CT_RUN(plan_arm64);
	CT_RUN(plan_arm64_stripped);
	CT_RUN(loop_real_x86);
	CT_RUN(loop_padding_x86);
	CT_RUN(loop_nop_operand_x86);
	CT_RUN(loop_arm64);
	CT_RUN(cookie_roundtrip);
	CT_RUN(task_layouts);
	return ct_summary();
}
