// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * goelf unit tests: the real Go test programs (tests/goprogs, built by Go
 * 1.19 here: static, stripped, PIE, cgo, arm64), synthetic ELF images with
 * the pclntab layouts we cannot build here (1.16, 1.18, 1.20+ with and
 * without textStart), and damaged inputs (truncated, bit-flipped, garbage)
 * that must give an error or a valid object, never a crash.
 *
 * CT_WRITE_SEEDS=<dir> also writes the synthetic images and a few damaged
 * prefixes there (the fuzz seed corpus, tests/fuzz/corpus/goelf).
 */
#include "ct_test.h"
#include "goelf.h"

#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROG(name) CT_BINARY_DIR "/goprogs/" name

struct variant {
	const char *path;
	enum goelf_arch arch;
	bool symtab, pie, is_static;
};

static const struct variant variants[] = {
	{ PROG("initgraph"), GOELF_ARCH_X86_64, true, false, true },
	{ PROG("initgraph-stripped"), GOELF_ARCH_X86_64, false, false, true },
	{ PROG("initgraph-pie"), GOELF_ARCH_X86_64, true, true, false },
	{ PROG("initgraph-pie-stripped"), GOELF_ARCH_X86_64, false, true, false },
	{ PROG("initgraph-cgo"), GOELF_ARCH_X86_64, true, false, false },
	{ PROG("initgraph-arm64"), GOELF_ARCH_ARM64, true, false, true },
	{ PROG("initgraph-arm64-stripped"), GOELF_ARCH_ARM64, false, false, true },
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Exercise every accessor; the result must be self-consistent. */
static void poke(const struct goelf *g)
{
	size_t n = goelf_func_count(g);
	char pkg[256];

	goelf_version(g);
	goelf_main_path(g);
	for (size_t i = 0; i < n && i < 300; i++) {
		const struct goelf_func *f = goelf_func_by_index(g, i);

		if (!f || !f->name) {
			CT_TRUE(f && f->name);
			return;
		}
		goelf_pkgpath(f->name, pkg, sizeof(pkg));
		goelf_bytes_at(g, f->entry, 16);
		if (f->end > f->entry && goelf_func_at(g, f->entry)->entry != f->entry)
			CT_TRUE(goelf_func_at(g, f->entry)->entry == f->entry);
	}
	goelf_find_func(g, "runtime.main");
	goelf_sym_at(g, 0x401000);
	goelf_sym_addr(g, "main.main", NULL, NULL);
	goelf_func_at(g, 0);
	goelf_func_at(g, UINT64_MAX);
	CT_TRUE(goelf_func_by_index(g, n) == NULL);
}

/* ---------------- real binaries ---------------- */

CT_TEST(real_variants)
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		const struct variant *var = &variants[v];
		const char *names[] = { "runtime.doInit", "runtime.main", "main.main",
					"runtime.nanotime1", "runtime.mallocgc" };
		struct goelf *g = NULL;
		char err[256];
		int ret;

		ret = goelf_open_file(var->path, &g, err, sizeof(err));
		if (ret) {
			printf("  %s: %s\n", var->path, err);
			CT_EQ_INT(ret, 0);
			continue;
		}
		CT_EQ_INT(goelf_get_arch(g), var->arch);
		CT_EQ_INT(goelf_pcln_format(g), GOELF_PCLN_118);
		CT_EQ_INT(goelf_has_symtab(g), var->symtab);
		CT_EQ_INT(goelf_is_pie(g), var->pie);
		CT_EQ_INT(goelf_is_static(g), var->is_static);
		CT_EQ_INT(goelf_version_source(g), GOELF_VER_BUILDINFO);
		CT_TRUE(goelf_version(g) && strncmp(goelf_version(g), "go1.19", 6) == 0);
		CT_EQ_STR(goelf_main_path(g), "example.com/initgraph");
		CT_TRUE(goelf_func_count(g) > 1000);
		CT_TRUE(goelf_find_func(g, "runtime.doInit1") == NULL);
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			const struct goelf_func *f = goelf_find_func(g, names[i]);

			if (!f) {
				printf("  %s: %s not found\n", var->path, names[i]);
				CT_TRUE(f != NULL);
				continue;
			}
			CT_EQ_STR(f->name, names[i]);
			CT_TRUE(f->end > f->entry);
			CT_TRUE(goelf_func_at(g, f->entry) == f);
			CT_TRUE(goelf_func_at(g, f->end - 1) == f);
			CT_TRUE(goelf_func_at(g, f->end) != f);
			CT_TRUE(goelf_bytes_at(g, f->entry, (size_t)(f->end - f->entry)) != NULL);
		}
		/* Sorted, contiguous ends. */
		for (size_t i = 0; i + 1 < goelf_func_count(g); i++) {
			const struct goelf_func *a = goelf_func_by_index(g, i),
						*b = goelf_func_by_index(g, i + 1);

			if (a->end != b->entry || a->entry > b->entry) {
				CT_EQ_U64(a->end, b->entry);
				break;
			}
		}
		goelf_close(g);
	}
}

/* Every pclntab function that has a FUNC symbol of the same name (or with
 * ".abi0") in .symtab has the same address. */
CT_TEST(symtab_agrees_with_pclntab)
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		struct goelf *g = NULL;
		size_t checked = 0, n;
		char err[256];

		if (!variants[v].symtab)
			continue;
		if (goelf_open_file(variants[v].path, &g, err, sizeof(err))) {
			CT_TRUE(!"open");
			continue;
		}
		n = goelf_func_count(g);
		for (size_t i = 0; i < n; i++) {
			const struct goelf_func *f = goelf_func_by_index(g, i);
			uint64_t addr = 0, addr0 = 0;
			char abi0[512];
			int r1, r2;

			/* ABI wrappers: the pclntab has two "runtime.reflectcall", the
			 * symtab "runtime.reflectcall" and "runtime.reflectcall.abi0". */
			snprintf(abi0, sizeof(abi0), "%s.abi0", f->name);
			r1 = goelf_sym_addr(g, f->name, &addr, NULL);
			r2 = goelf_sym_addr(g, abi0, &addr0, NULL);
			if (r1 != 0 && r2 != 0)
				continue;
			if (!(r1 == 0 && addr == f->entry) && !(r2 == 0 && addr0 == f->entry)) {
				printf("  %s: %s pclntab %#lx, symtab %#lx\n", variants[v].path,
				       f->name, (unsigned long)f->entry, (unsigned long)addr);
				CT_EQ_U64(addr, f->entry);
				break;
			}
			/* Some symbol starts there (e.g. runtime.text at the first). */
			CT_TRUE(goelf_sym_at(g, f->entry) != NULL);
			checked++;
		}
		CT_TRUE(checked > 1000);
		/* .abi0 lookups */
		{
			uint64_t a1 = 0, a2 = 0;
			const struct goelf_func *f = goelf_find_func(g, "runtime.nanotime1");

			CT_EQ_INT(goelf_sym_addr(g, "runtime.nanotime1", &a1, NULL), 0);
			CT_EQ_INT(goelf_sym_addr(g, "runtime.nanotime1.abi0", &a2, NULL), 0);
			CT_EQ_U64(a1, a2);
			CT_TRUE(f && f->entry == a1);
			CT_TRUE(goelf_sym_addr(g, "no.such.symbol", &a1, NULL) != 0);
		}
		goelf_close(g);
	}
}

/* The stripped variants give the same functions as the unstripped ones. */
CT_TEST(stripped_matches_unstripped)
{
	const char *pairs[][2] = {
		{ PROG("initgraph"), PROG("initgraph-stripped") },
		{ PROG("initgraph-pie"), PROG("initgraph-pie-stripped") },
		{ PROG("initgraph-arm64"), PROG("initgraph-arm64-stripped") },
	};

	for (size_t p = 0; p < 3; p++) {
		struct goelf *a = NULL, *b = NULL;

		if (goelf_open_file(pairs[p][0], &a, NULL, 0) ||
		    goelf_open_file(pairs[p][1], &b, NULL, 0)) {
			CT_TRUE(!"open");
			goelf_close(a);
			continue;
		}
		CT_EQ_INT(goelf_func_count(a), goelf_func_count(b));
		for (size_t i = 0; i < goelf_func_count(a) && i < goelf_func_count(b); i++) {
			const struct goelf_func *fa = goelf_func_by_index(a, i),
						*fb = goelf_func_by_index(b, i);

			if (strcmp(fa->name, fb->name) || fa->end - fa->entry != fb->end - fb->entry) {
				CT_EQ_STR(fa->name, fb->name);
				break;
			}
		}
		goelf_close(a);
		goelf_close(b);
	}
}

/* GOELF_NO_SYMBOLS: what the planner reads is the same, the symbols are
 * said to be there but not indexed. */
CT_TEST(open_without_symbols)
{
	const char *progs[] = { PROG("initgraph"), PROG("initgraph-pie"), PROG("initgraph-stripped") };

	for (size_t p = 0; p < 3; p++) {
		struct goelf *a = NULL, *b = NULL;
		uint64_t addr;

		if (goelf_open_file(progs[p], &a, NULL, 0) ||
		    goelf_open_file_flags(progs[p], GOELF_NO_SYMBOLS, &b, NULL, 0)) {
			CT_TRUE(!"open");
			goelf_close(a);
			continue;
		}
		CT_EQ_INT(goelf_has_symtab(a), goelf_has_symtab(b));
		CT_EQ_STR(goelf_version(a), goelf_version(b));
		CT_EQ_INT(goelf_func_count(a), goelf_func_count(b));
		CT_TRUE(goelf_find_func(b, "runtime.doInit") != NULL);
		CT_EQ_INT(goelf_find_func(a, "main.main")->entry, goelf_find_func(b, "main.main")->entry);
		CT_TRUE(goelf_sym_addr(b, "main.main", &addr, NULL) != 0);
		CT_TRUE(goelf_sym_at(b, goelf_find_func(b, "main.main")->entry) == NULL);
		if (goelf_has_symtab(a))
			CT_EQ_INT(goelf_sym_addr(a, "main.main", &addr, NULL), 0);
		goelf_close(a);
		goelf_close(b);
	}
}

CT_TEST(vaddr_to_offset)
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		const char *names[] = { "main.main", "runtime.doInit", "runtime.nanotime1" };
		struct goelf *g = NULL;
		uint8_t *file;
		size_t size;

		file = read_file(variants[v].path, &size);
		if (!file || goelf_open_mem(file, size, &g, NULL, 0)) {
			CT_TRUE(!"open");
			free(file);
			continue;
		}
		for (size_t i = 0; i < 3; i++) {
			const struct goelf_func *f = goelf_find_func(g, names[i]);
			const uint8_t *p;
			uint64_t off = 0;

			if (!f) {
				CT_TRUE(f != NULL);
				continue;
			}
			CT_EQ_INT(goelf_vaddr_to_offset(g, f->entry, &off), 0);
			CT_TRUE(off + 32 <= size);
			p = goelf_bytes_at(g, f->entry, 32);
			CT_TRUE(p == file + off);
			if (p && off + 32 <= size)
				CT_TRUE(memcmp(p, file + off, 32) == 0);
			/* code is in the executable segment, at a file offset != vaddr for PIE too */
			if (variants[v].arch == GOELF_ARCH_X86_64)
				CT_EQ_U64(f->entry - off, 0x400000);
		}
		CT_TRUE(goelf_vaddr_to_offset(g, 0x10, NULL) != 0);
		CT_TRUE(goelf_bytes_at(g, UINT64_MAX - 4, 8) == NULL);
		goelf_close(g);
		free(file);
	}
	/* Against the file read independently: a symbol's bytes. */
	{
		struct goelf *g = NULL;
		uint64_t addr, off;
		size_t size;
		uint8_t *file = read_file(PROG("initgraph-pie"), &size);
		FILE *f;
		uint8_t buf[64];

		if (!file || goelf_open_file(PROG("initgraph-pie"), &g, NULL, 0)) {
			CT_TRUE(!"open");
			free(file);
			return;
		}
		CT_EQ_INT(goelf_sym_addr(g, "runtime.doInit", &addr, NULL), 0);
		CT_EQ_INT(goelf_vaddr_to_offset(g, addr, &off), 0);
		f = fopen(PROG("initgraph-pie"), "rb");
		CT_TRUE(f && fseek(f, (long)off, SEEK_SET) == 0 && fread(buf, 1, 64, f) == 64);
		if (f)
			fclose(f);
		CT_TRUE(goelf_bytes_at(g, addr, 64) && memcmp(goelf_bytes_at(g, addr, 64), buf, 64) == 0);
		goelf_close(g);
		free(file);
	}
}

/* Section headers removed (e_shoff = e_shnum = e_shstrndx = 0): the pclntab
 * is found by its magic and the build info by its magic. */
CT_TEST(no_section_headers)
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		struct goelf *a = NULL, *b = NULL;
		uint8_t *file;
		size_t size;
		Elf64_Ehdr eh;
		char err[256];
		int ret;

		file = read_file(variants[v].path, &size);
		if (!file || goelf_open_mem(file, size, &a, NULL, 0)) {
			CT_TRUE(!"open");
			free(file);
			continue;
		}
		/* goelf_open_mem points into file: copy before changing it. */
		{
			uint8_t *copy = malloc(size);

			memcpy(copy, file, size);
			memcpy(&eh, copy, sizeof(eh));
			eh.e_shoff = 0;
			eh.e_shnum = 0;
			eh.e_shstrndx = 0;
			memcpy(copy, &eh, sizeof(eh));
			ret = goelf_open_mem(copy, size, &b, err, sizeof(err));
			CT_EQ_INT(ret, 0);
			if (!ret) {
				const struct goelf_func *fa = goelf_find_func(a, "runtime.doInit");
				const struct goelf_func *fb = goelf_find_func(b, "runtime.doInit");

				CT_EQ_INT(goelf_func_count(a), goelf_func_count(b));
				CT_TRUE(fa && fb && fa->entry == fb->entry && fa->end == fb->end);
				CT_EQ_STR(goelf_version(a), goelf_version(b));
				CT_EQ_INT(goelf_version_source(b), GOELF_VER_BUILDINFO);
				CT_EQ_STR(goelf_main_path(b), "example.com/initgraph");
				CT_EQ_INT(goelf_has_symtab(b), 0);
				goelf_close(b);
			} else {
				printf("  %s: %s\n", variants[v].path, err);
			}
			free(copy);
		}
		goelf_close(a);
		free(file);
	}
}

/* No build info (its magic wiped): the version comes from rodata. */
CT_TEST(version_from_rodata)
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		struct goelf *g = NULL;
		uint8_t *file, *m;
		size_t size;

		file = read_file(variants[v].path, &size);
		if (!file) {
			CT_TRUE(!"read");
			continue;
		}
		while ((m = memmem(file, size, "\xff Go buildinf:", 14)) != NULL)
			m[0] = 0;
		if (goelf_open_mem(file, size, &g, NULL, 0)) {
			CT_TRUE(!"open");
			free(file);
			continue;
		}
		CT_EQ_INT(goelf_version_source(g), GOELF_VER_RODATA);
		CT_TRUE(goelf_version(g) && strncmp(goelf_version(g), "go1.19", 6) == 0);
		CT_TRUE(goelf_main_path(g) == NULL);
		goelf_close(g);
		free(file);
	}
}

CT_TEST(open_speed)
{
	struct goelf *g = NULL;
	double t0 = now_ms(), dt;

	CT_EQ_INT(goelf_open_file(PROG("initgraph-stripped"), &g, NULL, 0), 0);
	dt = now_ms() - t0;
	CT_TRUE(dt < 100);
	goelf_close(g);
}

CT_TEST(open_errors)
{
	struct goelf *g = (struct goelf *)1;
	char err[256];
	static const uint8_t junk[64] = "not an elf file at all";

	CT_EQ_INT(goelf_open_file("/nonexistent/x", &g, err, sizeof(err)), GOELF_E_IO);
	CT_TRUE(g == NULL && err[0]);
	CT_EQ_INT(goelf_open_file("/", &g, err, sizeof(err)), GOELF_E_IO);
	CT_EQ_INT(goelf_open_mem(junk, sizeof(junk), &g, err, sizeof(err)), GOELF_E_NOT_ELF);
	CT_TRUE(strlen(err) > 0 && !strchr(err, '\n'));
	CT_EQ_INT(goelf_open_mem(junk, 0, &g, NULL, 0), GOELF_E_NOT_ELF);
	/* A C program (this test) is ELF but not Go. */
	{
		uint8_t *self;
		size_t size;
		int ret;

		self = read_file("/proc/self/exe", &size);
		if (self) {
			ret = goelf_open_mem(self, size, &g, err, sizeof(err));
			CT_EQ_INT(ret, GOELF_E_NOT_GO);
			CT_TRUE(g == NULL);
			free(self);
		}
	}
	/* 32-bit or big-endian */
	{
		size_t size;
		uint8_t *file = read_file(PROG("initgraph"), &size);

		if (file) {
			file[EI_CLASS] = ELFCLASS32;
			CT_EQ_INT(goelf_open_mem(file, size, &g, err, sizeof(err)), GOELF_E_ARCH);
			file[EI_CLASS] = ELFCLASS64;
			file[EI_DATA] = ELFDATA2MSB;
			CT_EQ_INT(goelf_open_mem(file, size, &g, err, sizeof(err)), GOELF_E_ARCH);
			file[EI_DATA] = ELFDATA2LSB;
			file[18] = 3; /* EM_386 */
			file[19] = 0;
			CT_EQ_INT(goelf_open_mem(file, size, &g, err, sizeof(err)), GOELF_E_ARCH);
			free(file);
		}
	}
	CT_TRUE(goelf_func_count(NULL) == 0 && goelf_find_func(NULL, "x") == NULL);
}

/* ---------------- pkgpath ---------------- */

CT_TEST(pkgpath_cases)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "go.amzn.com/lambda/rapid.init.0", "go.amzn.com/lambda/rapid" },
		{ "main.init", "main" },
		{ "main.main", "main" },
		{ "gopkg.in/yaml%2ev2.init", "gopkg.in/yaml%2ev2" },
		{ "internal/bytealg.init.0", "internal/bytealg" },
		{ "pkg.F[...]", "pkg" },
		{ "example.com/a/b.(*T[...]).M", "example.com/a/b" },
		{ "example.com/a/b.F[example.com/c/d.T]", "example.com/a/b" },
		{ "example.com/initgraph/dotted%2epkg.init.0", "example.com/initgraph/dotted%2epkg" },
		{ "runtime", "runtime" },
		{ "a/b", "a/b" },
		{ "", "" },
		{ ".x", "" },
		{ "/x.y", "/x" },
		{ "x/y.z/w.init", "x/y.z/w" },
		{ "type:.eq.[2]interface {}", "type:" },
	};
	char out[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = goelf_pkgpath(cases[i].in, out, sizeof(out));

		CT_EQ_STR(out, cases[i].out);
		CT_EQ_INT(n, (int)strlen(cases[i].out));
	}
	CT_EQ_INT(goelf_pkgpath("internal/bytealg.init.0", out, 16), 16 > 16 ? 0 : -1);
	CT_EQ_INT(goelf_pkgpath("internal/bytealg.init.0", out, 17), 16);
	CT_EQ_INT(goelf_pkgpath("main.init", out, 0), -1);
}

/* The escaped package of initgraph: its init function in the pclntab. */
CT_TEST(pkgpath_escaped_package)
{
	struct goelf *g = NULL;
	const struct goelf_func *f;
	char out[256];

	if (goelf_open_file(PROG("initgraph-stripped"), &g, NULL, 0)) {
		CT_TRUE(!"open");
		return;
	}
	f = goelf_find_func(g, "example.com/initgraph/dotted%2epkg.init.0");
	CT_TRUE(f != NULL);
	if (f) {
		goelf_pkgpath(f->name, out, sizeof(out));
		CT_EQ_STR(out, "example.com/initgraph/dotted%2epkg");
	}
	f = goelf_find_func(g, "example.com/initgraph/dotted%2epkg.init");
	CT_TRUE(f != NULL);
	f = goelf_find_func(g, "example.com/initgraph/alpha.init.1");
	CT_TRUE(f != NULL);
	goelf_close(g);
}

/* Every package GODEBUG=inittrace=1 prints has an init function in the
 * pclntab whose goelf_pkgpath is exactly the printed path. */
CT_TEST(pkgpath_matches_inittrace)
{
	struct goelf *g = NULL;
	char line[512], want[512], name[600], out[512];
	int lines = 0;
	FILE *p;

	if (goelf_open_file(PROG("initgraph-stripped"), &g, NULL, 0)) {
		CT_TRUE(!"open");
		return;
	}
	p = popen("GODEBUG=inittrace=1 " PROG("initgraph-stripped") " 2>&1 >/dev/null", "r");
	CT_TRUE(p != NULL);
	while (p && fgets(line, sizeof(line), p)) {
		const struct goelf_func *f = NULL;

		if (sscanf(line, "init %511s @", want) != 1)
			continue;
		lines++;
		snprintf(name, sizeof(name), "%s.init", want);
		f = goelf_find_func(g, name);
		if (!f) {
			snprintf(name, sizeof(name), "%s.init.0", want);
			f = goelf_find_func(g, name);
		}
		if (!f) {
			printf("  no init function for %s\n", want);
			CT_TRUE(f != NULL);
			continue;
		}
		goelf_pkgpath(f->name, out, sizeof(out));
		CT_EQ_STR(out, want);
	}
	if (p)
		CT_EQ_INT(pclose(p), 0);
	CT_TRUE(lines > 60);
	goelf_close(g);
}

/* ---------------- synthetic images ---------------- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static size_t put(struct buf *b, size_t off, const void *src, size_t n)
{
	if (off + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < off + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		memset(b->p + b->cap, 0, cap - b->cap);
		b->cap = cap;
	}
	memcpy(b->p + off, src, n);
	if (off + n > b->len)
		b->len = off + n;
	return off + n;
}

static size_t put64(struct buf *b, size_t off, uint64_t v)
{
	return put(b, off, &v, 8);
}

static size_t put32(struct buf *b, size_t off, uint32_t v)
{
	return put(b, off, &v, 4);
}

enum bi_style { BI_NONE, BI_INLINE, BI_POINTER };

struct synth {
	enum goelf_pcln fmt;
	bool shdrs;          /* section headers (.text, .gopclntab, .go.buildinfo) */
	enum bi_style bi;
	bool text_start_zero; /* 1.20+: textStart 0 (Go 1.26) */
	bool moduledata;     /* a runtime.firstmoduledata in the data segment */
	bool symtab;         /* .symtab/.strtab (needs shdrs) */
	uint64_t text_base;  /* address of the first function */
	const char *rodata;  /* NUL-separated extra rodata bytes (versions) */
	size_t rodata_len;
	uint16_t machine;
};

#define S_TEXT_VADDR 0x400000ull /* text PT_LOAD at file offset 0 */
#define S_RO_OFF 0x1400ull
#define S_RO_VADDR 0x403400ull
#define S_RW_OFF 0x1800ull
#define S_RW_VADDR 0x405800ull
#define S_SH_OFF 0x1c00ull

static const char *synth_names[] = {
	"internal/cpu.Initialize",
	"runtime.main",
	"runtime.doInit1",
	"example.com/x/dotted%2epkg.init.0",
	"main.main",
};
static const uint32_t synth_sizes[] = { 0x40, 0x180, 0x20, 0x100, 0x60 };
#define S_NFUNC 5

/* A minimal Go-like ELF: text (R E, includes the headers), rodata (R, the
 * pclntab and extra strings), data (RW, build info and moduledata). */
static uint8_t *synth_build(const struct synth *o, size_t *size)
{
	struct buf b = { 0 };
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph[3] = { { 0 } };
	uint64_t text = o->text_base ? o->text_base : 0x401000;
	uint64_t text_off = text - S_TEXT_VADDR;
	uint64_t entries[S_NFUNC + 1], pos, hdrsz, nameoff[S_NFUNC], fnoff, pclnoff, pclnsize;
	uint64_t rw_end, ro_end, bi_vaddr = S_RW_VADDR, bi_size = 0;
	uint32_t magic = o->fmt == GOELF_PCLN_116 ? 0xfffffffa
			 : o->fmt == GOELF_PCLN_118 ? 0xfffffff0 : 0xfffffff1;
	int nw = o->fmt == GOELF_PCLN_116 ? 7 : 8;
	uint8_t fill[0x400];

	/* text: functions filled with int3 */
	memset(fill, 0xcc, sizeof(fill));
	entries[0] = text;
	for (int i = 0; i < S_NFUNC; i++)
		entries[i + 1] = entries[i] + synth_sizes[i];
	put(&b, text_off, fill, entries[S_NFUNC] - text);

	/* pclntab at S_RO_OFF */
	hdrsz = 8 + 8 * (uint64_t)nw;
	pos = S_RO_OFF + hdrsz;
	fnoff = hdrsz;
	for (int i = 0; i < S_NFUNC; i++) {
		nameoff[i] = pos - S_RO_OFF - fnoff;
		pos = put(&b, pos, synth_names[i], strlen(synth_names[i]) + 1);
	}
	pos = (pos + 7) & ~7ull;
	pclnoff = pos - S_RO_OFF;
	{
		uint64_t w[8] = { 0 };
		uint64_t ftsz = o->fmt == GOELF_PCLN_116 ? 16 : 8;
		uint64_t funcs = pclnoff + (S_NFUNC + 1) * ftsz; /* _func records */
		uint64_t tstart = o->text_start_zero ? 0 : text;

		put32(&b, S_RO_OFF, magic);
		put(&b, S_RO_OFF + 4, "\0\0\1\10", 4); /* pad, pad, minLC 1, ptrSize 8 */
		w[0] = S_NFUNC;
		w[1] = 1;
		if (nw == 7) {
			w[2] = fnoff;
			w[3] = w[4] = w[5] = pclnoff; /* cu, file, pc tables empty */
			w[6] = pclnoff;
		} else {
			w[2] = tstart;
			w[3] = fnoff;
			w[4] = w[5] = w[6] = pclnoff;
			w[7] = pclnoff;
		}
		for (int i = 0; i < nw; i++)
			put64(&b, S_RO_OFF + 8 + 8 * i, w[i]);
		for (int i = 0; i <= S_NFUNC; i++) {
			uint64_t foff = funcs - pclnoff + 16 * (uint64_t)(i < S_NFUNC ? i : 0);
			uint64_t at = S_RO_OFF + pclnoff + ftsz * i;

			if (o->fmt == GOELF_PCLN_116) {
				put64(&b, at, entries[i]);
				put64(&b, at + 8, i < S_NFUNC ? foff : 0);
			} else {
				put32(&b, at, (uint32_t)(entries[i] - text));
				put32(&b, at + 4, i < S_NFUNC ? (uint32_t)foff : 0);
			}
			if (i == S_NFUNC)
				break;
			if (o->fmt == GOELF_PCLN_116) {
				put64(&b, S_RO_OFF + funcs + 16 * i, entries[i]);
				put32(&b, S_RO_OFF + funcs + 16 * i + 8, (uint32_t)nameoff[i]);
			} else {
				put32(&b, S_RO_OFF + funcs + 16 * i, (uint32_t)(entries[i] - text));
				put32(&b, S_RO_OFF + funcs + 16 * i + 4, (uint32_t)nameoff[i]);
			}
		}
		pclnsize = funcs + 16 * S_NFUNC;
		pos = S_RO_OFF + pclnsize;
	}
	if (o->rodata_len)
		pos = put(&b, pos + 8, o->rodata, o->rodata_len);
	ro_end = pos + 8;
	put64(&b, pos, 0);

	/* data: build info, then moduledata */
	pos = S_RW_OFF;
	if (o->bi != BI_NONE) {
		const char *ver = o->fmt == GOELF_PCLN_116 ? "go1.16.15"
				  : o->fmt == GOELF_PCLN_118 ? "go1.18.10" : "go1.26.5";
		char mod[256];
		size_t mlen, vlen = strlen(ver);

		mlen = (size_t)snprintf(mod, sizeof(mod),
					"0123456789abcdef" "path\texample.com/synth\n"
					"mod\texample.com/synth\t(devel)\t\n"
					"0123456789abcdef");
		put(&b, pos, "\xff Go buildinf:", 14);
		b.p[pos + 14] = 8;
		if (o->bi == BI_INLINE) {
			uint8_t l = (uint8_t)vlen;

			b.p[pos + 15] = 2;
			put(&b, pos + 16, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
			put(&b, pos + 32, &l, 1);
			put(&b, pos + 33, ver, vlen);
			l = (uint8_t)mlen;
			put(&b, pos + 33 + vlen, &l, 1);
			bi_size = put(&b, pos + 34 + vlen, mod, mlen) - pos;
		} else {
			/* two pointers to string headers, then the headers and bytes */
			uint64_t hv = S_RW_VADDR + 64, hm = S_RW_VADDR + 80;
			uint64_t dv = S_RW_VADDR + 96, dm = dv + vlen;

			b.p[pos + 15] = 0;
			put64(&b, pos + 16, hv);
			put64(&b, pos + 24, hm);
			put64(&b, pos + 64, dv);
			put64(&b, pos + 72, vlen);
			put64(&b, pos + 80, dm);
			put64(&b, pos + 88, mlen);
			put(&b, pos + 96, ver, vlen);
			bi_size = put(&b, pos + 96 + vlen, mod, mlen) - pos;
		}
		pos = (pos + bi_size + 31) & ~31ull;
	}
	if (o->moduledata) {
		put64(&b, pos, S_RO_VADDR);
		put64(&b, pos + 8, S_RO_VADDR + fnoff);
		put64(&b, pos + 160, text);     /* minpc */
		put64(&b, pos + 168, entries[S_NFUNC]);
		put64(&b, pos + 176, text);     /* text */
		put64(&b, pos + 184, entries[S_NFUNC]);
		pos += 512;
	}
	rw_end = put64(&b, pos, 0x1122334455667788ull);

	/* section headers: null, .text, .gopclntab, .go.buildinfo, .shstrtab,
	 * and optionally .symtab, .strtab */
	if (o->shdrs) {
		static const char shstr[] =
			"\0.text\0.gopclntab\0.go.buildinfo\0.shstrtab\0.symtab\0.strtab";
		Elf64_Shdr sh[7] = { { 0 } };
		uint64_t stroff = S_SH_OFF + sizeof(sh), symoff, symstroff, end;
		char symstr[512];
		size_t symstrlen = 1;
		Elf64_Sym syms[S_NFUNC + 2] = { { 0 } };

		sh[1].sh_name = 1;
		sh[1].sh_type = SHT_PROGBITS;
		sh[1].sh_flags = SHF_ALLOC | SHF_EXECINSTR;
		sh[1].sh_addr = text;
		sh[1].sh_offset = text_off;
		sh[1].sh_size = entries[S_NFUNC] - text;
		sh[2].sh_name = 7;
		sh[2].sh_type = SHT_PROGBITS;
		sh[2].sh_flags = SHF_ALLOC;
		sh[2].sh_addr = S_RO_VADDR;
		sh[2].sh_offset = S_RO_OFF;
		sh[2].sh_size = pclnsize;
		sh[3].sh_name = 18;
		sh[3].sh_type = o->bi != BI_NONE ? SHT_PROGBITS : SHT_NULL;
		sh[3].sh_flags = SHF_ALLOC | SHF_WRITE;
		sh[3].sh_addr = bi_vaddr;
		sh[3].sh_offset = S_RW_OFF;
		sh[3].sh_size = bi_size;
		sh[4].sh_name = 32;
		sh[4].sh_type = SHT_STRTAB;
		sh[4].sh_offset = stroff;
		sh[4].sh_size = sizeof(shstr);
		end = put(&b, stroff, shstr, sizeof(shstr));
		if (o->symtab) {
			/* the functions (doInit1 as an assembly ".abi0" symbol) and
			 * one data object */
			symstr[0] = 0;
			for (int i = 0; i <= S_NFUNC; i++) {
				Elf64_Sym *y = &syms[i + 1];
				const char *nm = i < S_NFUNC ? synth_names[i] : "runtime.firstmoduledata";

				y->st_name = (uint32_t)symstrlen;
				symstrlen += (size_t)snprintf(symstr + symstrlen, sizeof(symstr) - symstrlen,
							      "%s%s", nm, i == 2 ? ".abi0" : "") + 1;
				y->st_info = ELF64_ST_INFO(STB_GLOBAL, i < S_NFUNC ? STT_FUNC : STT_OBJECT);
				y->st_shndx = i < S_NFUNC ? 1 : 3;
				y->st_value = i < S_NFUNC ? entries[i] : S_RW_VADDR + 0x100;
				y->st_size = i < S_NFUNC ? synth_sizes[i] : 64;
			}
			symoff = (end + 7) & ~7ull;
			symstroff = put(&b, symoff, syms, sizeof(syms));
			put(&b, symstroff, symstr, symstrlen);
			sh[5].sh_name = 42;
			sh[5].sh_type = SHT_SYMTAB;
			sh[5].sh_offset = symoff;
			sh[5].sh_size = sizeof(syms);
			sh[5].sh_entsize = sizeof(Elf64_Sym);
			sh[5].sh_link = 6;
			sh[5].sh_info = 1;
			sh[5].sh_addralign = 8;
			sh[6].sh_name = 50;
			sh[6].sh_type = SHT_STRTAB;
			sh[6].sh_offset = symstroff;
			sh[6].sh_size = symstrlen;
		}
		put(&b, S_SH_OFF, sh, sizeof(sh));
		eh.e_shoff = S_SH_OFF;
		eh.e_shnum = o->symtab ? 7 : 5;
		eh.e_shstrndx = 4;
		eh.e_shentsize = sizeof(Elf64_Shdr);
	}

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = o->machine ? o->machine : EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = text;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 3;
	ph[0].p_type = PT_LOAD;
	ph[0].p_flags = PF_R | PF_X;
	ph[0].p_vaddr = ph[0].p_paddr = S_TEXT_VADDR;
	ph[0].p_filesz = ph[0].p_memsz = entries[S_NFUNC] - S_TEXT_VADDR;
	ph[0].p_align = 0x1000;
	ph[1].p_type = PT_LOAD;
	ph[1].p_flags = PF_R;
	ph[1].p_offset = S_RO_OFF;
	ph[1].p_vaddr = ph[1].p_paddr = S_RO_VADDR;
	ph[1].p_filesz = ph[1].p_memsz = ro_end - S_RO_OFF;
	ph[1].p_align = 0x1000;
	ph[2].p_type = PT_LOAD;
	ph[2].p_flags = PF_R | PF_W;
	ph[2].p_offset = S_RW_OFF;
	ph[2].p_vaddr = ph[2].p_paddr = S_RW_VADDR;
	ph[2].p_filesz = rw_end - S_RW_OFF;
	ph[2].p_memsz = ph[2].p_filesz + 0x1000;
	ph[2].p_align = 0x1000;
	put(&b, 0, &eh, sizeof(eh));
	put(&b, sizeof(eh), ph, sizeof(ph));
	*size = b.len;
	return b.p;
}

static void synth_check(const struct synth *o, const char *what, uint64_t want_text,
			const char *want_ver, enum goelf_version_src want_src)
{
	struct goelf *g = NULL;
	size_t size;
	uint8_t *img = synth_build(o, &size);
	char err[256];
	int ret;

	ret = goelf_open_mem(img, size, &g, err, sizeof(err));
	if (ret) {
		printf("  %s: %s\n", what, err);
		CT_EQ_INT(ret, 0);
		free(img);
		return;
	}
	CT_EQ_INT(goelf_pcln_format(g), o->fmt);
	CT_EQ_INT(goelf_func_count(g), S_NFUNC);
	{
		uint64_t e = want_text;

		for (size_t i = 0; i < S_NFUNC; i++) {
			const struct goelf_func *f = goelf_func_by_index(g, i);

			CT_EQ_STR(f->name, synth_names[i]);
			CT_EQ_U64(f->entry, e);
			CT_EQ_U64(f->end, e + synth_sizes[i]);
			CT_TRUE(goelf_find_func(g, synth_names[i]) == f);
			CT_TRUE(goelf_func_at(g, e + synth_sizes[i] / 2) == f);
			e += synth_sizes[i];
		}
		CT_TRUE(goelf_func_at(g, e) == NULL);
		CT_TRUE(goelf_func_at(g, want_text - 1) == NULL);
	}
	{
		const struct goelf_func *f = goelf_find_func(g, "runtime.doInit1");
		const uint8_t *p = f ? goelf_bytes_at(g, f->entry, f->end - f->entry) : NULL;

		CT_TRUE(p && p[0] == 0xcc);
	}
	CT_EQ_INT(goelf_version_source(g), want_src);
	if (want_ver)
		CT_EQ_STR(goelf_version(g), want_ver);
	else
		CT_TRUE(goelf_version(g) == NULL);
	if (o->bi != BI_NONE)
		CT_EQ_STR(goelf_main_path(g), "example.com/synth");
	CT_EQ_INT(goelf_has_symtab(g), o->symtab);
	if (o->symtab) {
		uint64_t a = 0, sz = 0, e = want_text;

		for (size_t i = 0; i < S_NFUNC; i++) {
			CT_EQ_INT(goelf_sym_addr(g, synth_names[i], &a, &sz), 0);
			CT_EQ_U64(a, e);
			CT_EQ_U64(sz, synth_sizes[i]);
			CT_TRUE(goelf_sym_at(g, e) != NULL);
			e += synth_sizes[i];
		}
		CT_EQ_STR(goelf_sym_at(g, want_text + 0x40 + 0x180), "runtime.doInit1.abi0");
		CT_EQ_INT(goelf_sym_addr(g, "runtime.firstmoduledata", &a, &sz), 0);
		CT_EQ_U64(a, S_RW_VADDR + 0x100);
		CT_EQ_STR(goelf_sym_at(g, S_RW_VADDR + 0x100), "runtime.firstmoduledata");
		CT_TRUE(goelf_sym_at(g, want_text + 1) == NULL);
	}
	CT_EQ_INT(goelf_is_static(g), 1);
	goelf_close(g);
	free(img);
}

static const char two_versions[] = "\0abc\0go1.19.2\0\x01go1.26.1\0\0go1.2x\0";

CT_TEST(synthetic_layouts)
{
	struct synth o;

	for (int sh = 0; sh < 2; sh++) {
		o = (struct synth){ .fmt = GOELF_PCLN_116, .shdrs = sh, .bi = BI_POINTER };
		synth_check(&o, "1.16 pointer buildinfo", 0x401000, "go1.16.15", GOELF_VER_BUILDINFO);
		o = (struct synth){ .fmt = GOELF_PCLN_116, .shdrs = sh, .bi = BI_INLINE,
				    .machine = EM_AARCH64, .text_base = 0x402000 };
		synth_check(&o, "1.16 arm64", 0x402000, "go1.16.15", GOELF_VER_BUILDINFO);
		o = (struct synth){ .fmt = GOELF_PCLN_118, .shdrs = sh, .bi = BI_INLINE,
				    .text_base = 0x401100, .symtab = sh };
		synth_check(&o, "1.18", 0x401100, "go1.18.10", GOELF_VER_BUILDINFO);
		o = (struct synth){ .fmt = GOELF_PCLN_120, .shdrs = sh, .bi = BI_INLINE };
		synth_check(&o, "1.20", 0x401000, "go1.26.5", GOELF_VER_BUILDINFO);
		/* Go 1.26: textStart 0, no build info (like esbuild) */
		o = (struct synth){ .fmt = GOELF_PCLN_120, .shdrs = sh, .text_start_zero = true,
				    .rodata = "\0go1.26.5\0", .rodata_len = 10 };
		synth_check(&o, "1.26 rodata", 0x401000, "go1.26.5", GOELF_VER_RODATA);
	}
	/* textStart 0 with the real text elsewhere than 0x401000: .text section,
	 * then moduledata; without either, the segment rule (p_vaddr + 4096). */
	o = (struct synth){ .fmt = GOELF_PCLN_120, .shdrs = true, .text_start_zero = true,
			    .text_base = 0x401100 };
	synth_check(&o, "1.26 .text", 0x401100, NULL, GOELF_VER_NONE);
	o = (struct synth){ .fmt = GOELF_PCLN_120, .text_start_zero = true, .moduledata = true,
			    .text_base = 0x401100, .bi = BI_INLINE };
	synth_check(&o, "1.26 moduledata", 0x401100, "go1.26.5", GOELF_VER_BUILDINFO);
	o = (struct synth){ .fmt = GOELF_PCLN_120, .text_start_zero = true, .text_base = 0x401000 };
	synth_check(&o, "1.26 segment", 0x401000, NULL, GOELF_VER_NONE);
	/* Two rodata versions: the one that fits the pclntab format wins. */
	o = (struct synth){ .fmt = GOELF_PCLN_120, .rodata = two_versions,
			    .rodata_len = sizeof(two_versions) };
	synth_check(&o, "two versions 1.20", 0x401000, "go1.26.1", GOELF_VER_RODATA);
	o = (struct synth){ .fmt = GOELF_PCLN_118, .rodata = two_versions,
			    .rodata_len = sizeof(two_versions) };
	synth_check(&o, "two versions 1.18", 0x401000, "go1.19.2", GOELF_VER_RODATA);
	o = (struct synth){ .fmt = GOELF_PCLN_116, .rodata = two_versions,
			    .rodata_len = sizeof(two_versions) };
	synth_check(&o, "two versions 1.16", 0x401000, NULL, GOELF_VER_NONE);
	o = (struct synth){ .fmt = GOELF_PCLN_118, .rodata = "\0go1.19rc1\0", .rodata_len = 11 };
	synth_check(&o, "rc", 0x401000, "go1.19rc1", GOELF_VER_RODATA);
	o = (struct synth){ .fmt = GOELF_PCLN_118, .rodata = "\0xgo1.19\0go1.20 X\0", .rodata_len = 18 };
	synth_check(&o, "not versions", 0x401000, NULL, GOELF_VER_NONE);
}

CT_TEST(synthetic_errors)
{
	struct synth o = { .fmt = GOELF_PCLN_118, .shdrs = true, .bi = BI_INLINE };
	struct goelf *g = NULL;
	size_t size;
	uint8_t *img = synth_build(&o, &size);
	char err[256];

	/* Go 1.2 magic */
	memcpy(img + S_RO_OFF, "\xfb\xff\xff\xff", 4);
	CT_EQ_INT(goelf_open_mem(img, size, &g, err, sizeof(err)), GOELF_E_PCLN);
	CT_TRUE(strstr(err, "1.16") != NULL);
	/* unknown magic with a section: E_PCLN; without: not Go */
	memcpy(img + S_RO_OFF, "\x01\x02\x03\x04", 4);
	CT_EQ_INT(goelf_open_mem(img, size, &g, err, sizeof(err)), GOELF_E_PCLN);
	free(img);
	o.shdrs = false;
	img = synth_build(&o, &size);
	memcpy(img + S_RO_OFF, "\x01\x02\x03\x04", 4);
	CT_EQ_INT(goelf_open_mem(img, size, &g, err, sizeof(err)), GOELF_E_NOT_GO);
	free(img);
	/* ptrSize 4 */
	img = synth_build(&o, &size);
	img[S_RO_OFF + 7] = 4;
	CT_EQ_INT(goelf_open_mem(img, size, &g, err, sizeof(err)), GOELF_E_NOT_GO);
	free(img);
	/* unsorted function table */
	o.shdrs = true;
	img = synth_build(&o, &size);
	{
		uint64_t pcln;

		memcpy(&pcln, img + S_RO_OFF + 8 + 7 * 8, 8);
		memset(img + S_RO_OFF + pcln + 8, 0xff, 4); /* entryoff of function 1 */
		CT_EQ_INT(goelf_open_mem(img, size, &g, err, sizeof(err)), GOELF_E_PCLN);
	}
	free(img);
	CT_TRUE(g == NULL);
}

/* ---------------- damaged inputs ---------------- */

/* Open a malloc'd exact-size copy of data[0..len) and poke the result. */
static int try_open(const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct goelf *g = NULL;
	char err[128];
	int ret;

	memcpy(copy, data, len);
	ret = goelf_open_mem(copy, len, &g, err, sizeof(err));
	if (ret == 0) {
		CT_TRUE(g != NULL);
		poke(g);
		goelf_close(g);
	} else {
		CT_TRUE(g == NULL && ret < 0 && ret >= GOELF_E_NOMEM && err[0]);
	}
	free(copy);
	return ret;
}

static size_t pcln_offset(const uint8_t *file, size_t size)
{
	/* the real pclntab's header (magic, pads, minLC 1, ptrSize 8) */
	const uint8_t *m = memmem(file, size, "\xf0\xff\xff\xff\0\0\1\x08", 8);

	if (!m)
		m = memmem(file, size, "\xf0\xff\xff\xff\0\0\4\x08", 8);
	return m ? (size_t)(m - file) : 0;
}

CT_TEST(truncated_real_binaries)
{
	const char *paths[] = { PROG("initgraph-stripped"), PROG("initgraph-arm64"),
				PROG("initgraph-pie-stripped") };

	for (size_t p = 0; p < 3; p++) {
		size_t size, pcln;
		uint8_t *file = read_file(paths[p], &size);
		int ok = 0;

		if (!file) {
			CT_TRUE(!"read");
			continue;
		}
		for (int k = 0; k <= 64; k++)
			ok += try_open(file, size * (size_t)k / 64) == 0;
		CT_TRUE(ok >= 1); /* at least the whole file */
		pcln = pcln_offset(file, size);
		CT_TRUE(pcln > 0);
		for (size_t d = 0; pcln && d < 256; d += (d < 96 ? 1 : 16))
			try_open(file, pcln + d);
		free(file);
	}
}

CT_TEST(bitflips_and_garbage)
{
	size_t size, pcln;
	uint8_t *file = read_file(PROG("initgraph-stripped"), &size);
	uint8_t *copy;

	if (!file) {
		CT_TRUE(!"read");
		return;
	}
	pcln = pcln_offset(file, size);
	copy = malloc(size);
	for (int round = 0; round < 200; round++) {
		int nflips = 1 + (int)(ct_rand() % 8);

		memcpy(copy, file, size);
		for (int i = 0; i < nflips; i++) {
			size_t at;

			switch (ct_rand() % 4) {
			case 0: /* ELF/program headers */
				at = ct_rand() % 512;
				break;
			case 1: /* pclntab header */
				at = pcln + ct_rand() % 80;
				break;
			case 2: /* pclntab function table area */
				at = pcln + ct_rand() % 0x20000;
				break;
			default:
				at = ct_rand() % size;
			}
			if (at < size)
				copy[at] ^= (uint8_t)(1u << (ct_rand() % 8));
		}
		try_open(copy, size);
	}
	/* garbage after a valid ELF identification */
	for (int round = 0; round < 200; round++) {
		size_t len = 16 + ct_rand() % 8192;
		uint8_t *g = malloc(len);

		for (size_t i = 0; i < len; i++)
			g[i] = (uint8_t)ct_rand();
		if (round % 2) {
			memcpy(g, file, len < 64 ? len : 64);
		} else {
			memcpy(g, ELFMAG, 4);
			g[EI_CLASS] = ELFCLASS64;
			g[EI_DATA] = ELFDATA2LSB;
		}
		try_open(g, len);
		free(g);
	}
	/* synthetic images with bit flips everywhere */
	for (int fmt = 0; fmt < 3; fmt++) {
		struct synth o = { .fmt = fmt == 0 ? GOELF_PCLN_116 : fmt == 1 ? GOELF_PCLN_118
									 : GOELF_PCLN_120,
				   .shdrs = fmt != 1, .bi = fmt == 0 ? BI_POINTER : BI_INLINE,
				   .text_start_zero = fmt == 2, .moduledata = true,
				   .symtab = fmt != 1 };
		size_t ssize;
		uint8_t *img = synth_build(&o, &ssize);
		uint8_t *c = malloc(ssize);

		for (int round = 0; round < 300; round++) {
			memcpy(c, img, ssize);
			for (int i = 0; i < 4; i++)
				c[ct_rand() % ssize] ^= (uint8_t)(1u << (ct_rand() % 8));
			try_open(c, ssize);
		}
		for (size_t l = 0; l < ssize; l += 97)
			try_open(img, l);
		free(c);
		free(img);
	}
	free(copy);
	free(file);
}

/* ---------------- seed corpus ---------------- */

static void write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(p, 1, n, f);
	fclose(f);
}

static void write_seeds(const char *dir)
{
	static const struct {
		const char *name;
		struct synth o;
	} seeds[] = {
		{ "synth-116-shdr", { .fmt = GOELF_PCLN_116, .shdrs = true, .bi = BI_POINTER } },
		{ "synth-116-noshdr", { .fmt = GOELF_PCLN_116, .bi = BI_INLINE, .machine = EM_AARCH64 } },
		{ "synth-118-shdr", { .fmt = GOELF_PCLN_118, .shdrs = true, .bi = BI_INLINE } },
		{ "synth-118-symtab",
		  { .fmt = GOELF_PCLN_118, .shdrs = true, .bi = BI_INLINE, .symtab = true } },
		{ "synth-118-noshdr", { .fmt = GOELF_PCLN_118, .bi = BI_INLINE } },
		{ "synth-120-shdr", { .fmt = GOELF_PCLN_120, .shdrs = true, .bi = BI_INLINE } },
		{ "synth-126-noshdr-moduledata",
		  { .fmt = GOELF_PCLN_120, .text_start_zero = true, .moduledata = true,
		    .text_base = 0x401100, .rodata = "\0go1.26.5\0", .rodata_len = 10 } },
		{ "synth-126-noshdr",
		  { .fmt = GOELF_PCLN_120, .text_start_zero = true, .rodata = two_versions,
		    .rodata_len = sizeof(two_versions) } },
	};
	size_t size;
	uint8_t *file;

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		uint8_t *img = synth_build(&seeds[i].o, &size);

		write_file(dir, seeds[i].name, img, size);
		free(img);
	}
	file = read_file(PROG("initgraph-stripped"), &size);
	if (file) {
		write_file(dir, "initgraph-first4k", file, 4096);
		free(file);
	}
	file = read_file(PROG("initgraph-arm64-stripped"), &size);
	if (file) {
		write_file(dir, "initgraph-arm64-first4k", file, 4096);
		free(file);
	}
}

int main(void)
{
	const char *seeds = getenv("CT_WRITE_SEEDS");

	if (seeds)
		write_seeds(seeds);
	CT_RUN(real_variants);
	CT_RUN(symtab_agrees_with_pclntab);
	CT_RUN(stripped_matches_unstripped);
	CT_RUN(open_without_symbols);
	CT_RUN(vaddr_to_offset);
	CT_RUN(no_section_headers);
	CT_RUN(version_from_rodata);
	CT_RUN(open_speed);
	CT_RUN(open_errors);
	CT_RUN(pkgpath_cases);
	CT_RUN(pkgpath_escaped_package);
	CT_RUN(pkgpath_matches_inittrace);
	CT_RUN(synthetic_layouts);
	CT_RUN(synthetic_errors);
	CT_RUN(truncated_real_binaries);
	CT_RUN(bitflips_and_garbage);
	return ct_summary();
}
