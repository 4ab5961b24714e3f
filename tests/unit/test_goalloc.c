// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * --allocs: Go's allocation size rules as the BPF probe applies them
 * (bpf/goalloc.h), and where the mallocgc probe goes (goprobe.c).
 */
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "goalloc.h"
#include "goelf.h"
#include "goprobe.h"

/* The smallest class >= size by a linear scan: what Go's size_to_class8 and
 * size_to_class128 tables encode. */
static __u64 class_ref(__u64 size)
{
	for (int i = 1; i < CT_GO_NCLASSES; i++)
		if (ct_go_class_size[i] >= size)
			return ct_go_class_size[i];
	return 0;
}

CT_TEST(size_classes)
{
	int bad = 0;

	for (__u64 s = 1; s <= CT_GO_MAX_SMALL; s++)
		if (ct_go_size_class(s) != class_ref(s) && bad++ < 5)
			CT__FAIL("size %llu: class %u, expected %llu", (unsigned long long)s,
				 ct_go_size_class(s), (unsigned long long)class_ref(s));
	CT_EQ_INT(bad, 0);
	/* classes are sorted and cover 8 .. 32768 */
	for (int i = 2; i < CT_GO_NCLASSES; i++)
		CT_TRUE(ct_go_class_size[i] > ct_go_class_size[i - 1]);
	CT_EQ_U64(ct_go_size_class(1), 8);
	CT_EQ_U64(ct_go_size_class(17), 24);
	CT_EQ_U64(ct_go_size_class(33), 48);
	CT_EQ_U64(ct_go_size_class(1025), 1152);
	CT_EQ_U64(ct_go_size_class(32768), 32768);
}

static __u64 bytes(__u32 rules, __u64 size, int noscan, struct ct_go_tiny *t, int *tiny)
{
	return ct_go_alloc_bytes(rules, size, noscan, t, tiny);
}

CT_TEST(small_and_large)
{
	struct ct_go_tiny t = {0};
	int tiny;

	/* small: the class, with pointers or not */
	CT_EQ_U64(bytes(CT_ALLOC_GO116, 100, 0, &t, &tiny), 112);
	CT_EQ_INT(tiny, 0);
	CT_EQ_U64(bytes(CT_ALLOC_GO116, 16, 1, &t, &tiny), 16); /* 16 is not tiny */
	CT_EQ_INT(tiny, 0);
	/* Go 1.22+: an 8-byte header on objects with pointers above 512 */
	CT_EQ_U64(bytes(CT_ALLOC_GO116, 1024, 0, &t, &tiny), 1024);
	CT_EQ_U64(bytes(CT_ALLOC_GO122, 1024, 0, &t, &tiny), 1152);
	CT_EQ_U64(bytes(CT_ALLOC_GO122, 1024, 1, &t, &tiny), 1024); /* no pointers: none */
	CT_EQ_U64(bytes(CT_ALLOC_GO122, 512, 0, &t, &tiny), 512);   /* heap bits in span */
	CT_EQ_U64(bytes(CT_ALLOC_GO122, 513, 0, &t, &tiny), 576);
	CT_EQ_U64(bytes(CT_ALLOC_GO122, 32760, 0, &t, &tiny), 32768);
	/* large: whole pages; 1.22+ from 32761 bytes */
	CT_EQ_U64(bytes(CT_ALLOC_GO116, 32768, 1, &t, &tiny), 32768);
	CT_EQ_U64(bytes(CT_ALLOC_GO116, 32769, 1, &t, &tiny), 40960);
	CT_EQ_U64(bytes(CT_ALLOC_GO116, 32761, 1, &t, &tiny), 32768); /* class 32768 */
	CT_EQ_U64(bytes(CT_ALLOC_GO122, 32761, 1, &t, &tiny), 32768); /* 4 pages */
	CT_EQ_U64(bytes(CT_ALLOC_GO122, 1 << 20, 0, &t, &tiny), 1 << 20);
	CT_EQ_U64(bytes(CT_ALLOC_GO122, (1 << 20) + 1, 0, &t, &tiny), (1 << 20) + 8192);
	/* none of these touched the tiny block */
	CT_EQ_INT(t.valid, 0);
	CT_EQ_INT(t.off, 0);
}

/* One allocation after another on one P: size, pointer-free or not, the
 * bytes Go counts, the tiny block's offset after it. */
struct tiny_step {
	__u32 rules;
	__u64 size;
	int noscan;
	__u64 bytes;
	__u32 off;
	const char *why;
};

CT_TEST(tiny_block)
{
	static const struct tiny_step steps[] = {
		{CT_ALLOC_GO116, 5, 1, 16, 5, "an empty mcache: a new block"},
		{CT_ALLOC_GO116, 8, 1, 0, 16, "8 aligns to 8: 8 + 8 <= 16 fits"},
		{CT_ALLOC_GO122, 1, 1, 16, 1, "full: a new block, kept (1 < 16 used)"},
		{CT_ALLOC_GO122, 2, 1, 0, 4, "2 aligns to 2: 2 + 2 fits"},
		{CT_ALLOC_GO122, 12, 1, 0, 16, "12 aligns to 4: 4 + 12 = 16 fits"},
		{CT_ALLOC_GO116, 15, 1, 16, 15, "into a full block: a new one, kept"},
		{CT_ALLOC_GO116, 3, 1, 16, 3, "15 + 3 > 16: a new block, kept (3 < 15)"},
		{CT_ALLOC_GO116, 14, 1, 16, 3, "4 + 14 > 16: a new block, not kept (14 >= 3)"},
		{CT_ALLOC_GO116, 8, 0, 8, 3, "with pointers: never tiny"},
	};
	struct ct_go_tiny t = {0};
	int tiny;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct tiny_step *s = &steps[i];
		__u64 b = bytes(s->rules, s->size, s->noscan, &t, &tiny);

		if (b != s->bytes || t.off != s->off || tiny != (s->noscan && s->size < 16))
			CT__FAIL("step %zu (%s): %llu bytes, offset %u, tiny %d", i, s->why,
				 (unsigned long long)b, t.off, tiny);
		CT_EQ_INT(t.valid, 1);
	}
}

CT_TEST(go_minor)
{
	CT_EQ_INT(goprobe_go_minor("go1.16.15"), 16);
	CT_EQ_INT(goprobe_go_minor("go1.22"), 22);
	CT_EQ_INT(goprobe_go_minor("go1.26rc1"), 26);
	CT_EQ_INT(goprobe_go_minor("devel go1.27-abc"), -1);
	CT_EQ_INT(goprobe_go_minor("go1."), -1);
	CT_EQ_INT(goprobe_go_minor(NULL), -1);
}

/* The Go 1.19 test programs: the probe after mallocgc's stack check. */
static void check_malloc_probe(const char *name, enum ct_go_abi abi)
{
	char path[512], err[256];
	struct goelf *g = NULL;
	struct ct_go_layout l = {0};
	struct goprobe p;
	const struct goelf_func *f;

	snprintf(path, sizeof(path), "%s/goprogs/%s", CT_BINARY_DIR, name);
	if (goelf_open_file(path, &g, err, sizeof(err)) != GOELF_OK) {
		CT__FAIL("%s: %s", path, err);
		return;
	}
	if (goprobe_plan_malloc(g, &p, &l, err, sizeof(err))) {
		CT__FAIL("%s: %s", name, err);
		goelf_close(g);
		return;
	}
	f = goelf_find_func(g, "runtime.mallocgc");
	CT_TRUE(f != NULL);
	CT_EQ_INT(p.kind, CT_GO_MALLOC);
	CT_EQ_INT(l.abi, abi);
	CT_EQ_INT(l.alloc_rules, CT_ALLOC_GO116); /* Go 1.19 */
	/* x86-64: cmp rsp,[r14+16] (4 bytes); jbe (2 or 6); arm64: ldr; cmp; b.ls */
	if (f)
		CT_TRUE(p.vaddr > f->entry && p.vaddr <= f->entry + 16);
	CT_TRUE(p.offset > 0);
	goelf_close(g);
}

CT_TEST(malloc_probe)
{
	check_malloc_probe("initgraph", CT_GO_ABI_X86_REG);
	check_malloc_probe("initgraph-pie-stripped", CT_GO_ABI_X86_REG);
	check_malloc_probe("initgraph-arm64-stripped", CT_GO_ABI_ARM64_REG);
}

int main(void)
{
	CT_RUN(size_classes);
	CT_RUN(small_and_large);
	CT_RUN(tiny_block);
	CT_RUN(go_minor);
	CT_RUN(malloc_probe);
	return ct_summary();
}
