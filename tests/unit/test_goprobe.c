// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Probe planning on the real Go 1.19 binaries built for the tests. */
#include <linux/types.h>
#include <string.h>

#include "ct_test.h"
#include "goelf.h"
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

int main(void)
{
	CT_RUN(plan_static);
	CT_RUN(plan_stripped);
	CT_RUN(plan_pie);
	CT_RUN(plan_pie_stripped);
	CT_RUN(plan_cgo);
	CT_RUN(plan_arm64);
	CT_RUN(plan_arm64_stripped);
	CT_RUN(cookie_roundtrip);
	return ct_summary();
}
