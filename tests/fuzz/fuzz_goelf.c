/* fuzz-sources: userspace/capture/goelf.c userspace/util/hashmap.c */
// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target for goelf: open any bytes as a Go ELF and call every
 * accessor on the result. Seeds: tests/fuzz/corpus/goelf (synthetic images
 * with each pclntab layout, written by CT_WRITE_SEEDS=dir test_goelf, and
 * the first 4 KB of real binaries).
 */
#include "goelf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[] = { "runtime.main", "main.main", "runtime.doInit",
				       "runtime.doInit1", "runtime.nanotime1", "" };
	struct goelf *g = NULL;
	char err[128], pkg[256];
	size_t n;

	if (goelf_open_mem(data, size, &g, err, sizeof(err)) != 0) {
		if (g || !memchr(err, 0, sizeof(err)))
			abort();
		return 0;
	}
	sink += goelf_get_arch(g) + goelf_pcln_format(g) + goelf_version_source(g);
	sink += goelf_has_symtab(g) + goelf_is_pie(g) + goelf_is_static(g);
	if (goelf_version(g))
		sink += strlen(goelf_version(g));
	if (goelf_main_path(g))
		sink += strlen(goelf_main_path(g));

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct goelf_func *f = goelf_find_func(g, names[i]);
		uint64_t addr = 0, sz = 0;

		if (f)
			sink += f->entry;
		if (goelf_sym_addr(g, names[i], &addr, &sz) == 0) {
			const char *s = goelf_sym_at(g, addr);

			if (!s)
				abort(); /* a symbol found by name is found by address */
			sink += strlen(s) + sz;
		}
	}

	n = goelf_func_count(g);
	for (size_t i = 0; i < n && i < 1000; i++) {
		const struct goelf_func *f = goelf_func_by_index(g, i), *at;
		const uint8_t *b;
		uint64_t off;

		if (!f || !f->name)
			abort();
		sink += strlen(f->name);
		if (goelf_pkgpath(f->name, pkg, sizeof(pkg)) >= 0)
			sink += strlen(pkg);
		at = goelf_func_at(g, f->entry);
		if (f->end > f->entry && (!at || at->entry != f->entry))
			abort(); /* sorted table: the entry maps back to its function */
		b = goelf_bytes_at(g, f->entry, 16);
		if (b)
			sink += b[0] + b[15];
		if (goelf_vaddr_to_offset(g, f->entry, &off) == 0) {
			if (off >= size)
				abort();
			sink += off;
		}
		if (goelf_find_func(g, f->name) == NULL)
			abort();
		sink += (uintptr_t)goelf_sym_at(g, f->entry);
	}
	sink += (uintptr_t)goelf_func_at(g, 0) + (uintptr_t)goelf_func_at(g, UINT64_MAX);
	sink += (uintptr_t)goelf_bytes_at(g, UINT64_MAX - 3, 8);
	goelf_close(g);
	return 0;
}
