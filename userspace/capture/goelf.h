/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * goelf: read what coldtrace needs from a Go ELF binary, with or without a
 * symbol table: Go version, function table from .gopclntab, symbols,
 * virtual address -> file offset. Pure C over a byte buffer (no BPF), so
 * unit tests and fuzzers drive it directly. Never trusts the input: every
 * offset is bounds-checked; corrupt files give an error, never a crash.
 */
#ifndef COLDTRACE_GOELF_H
#define COLDTRACE_GOELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum goelf_arch { GOELF_ARCH_UNKNOWN = 0, GOELF_ARCH_X86_64, GOELF_ARCH_ARM64 };

/* pclntab layouts, named after the first Go release that used them. */
enum goelf_pcln {
	GOELF_PCLN_NONE = 0,
	GOELF_PCLN_12 = 12,  /* magic 0xfffffffb, Go 1.2 .. 1.15 */
	GOELF_PCLN_116 = 116, /* magic 0xfffffffa, Go 1.16, 1.17 */
	GOELF_PCLN_118 = 118, /* magic 0xfffffff0, Go 1.18, 1.19 */
	GOELF_PCLN_120 = 120, /* magic 0xfffffff1, Go 1.20 and later */
};

/* Where the Go version string came from. */
enum goelf_version_src {
	GOELF_VER_NONE = 0,
	GOELF_VER_BUILDINFO, /* .go.buildinfo (or its magic in a segment) */
	GOELF_VER_RODATA,    /* runtime.buildVersion found by scanning rodata */
};

struct goelf_func {
	uint64_t entry; /* link-time virtual address */
	uint64_t end;   /* entry of the next function (exclusive bound) */
	const char *name; /* points into the mapped file; NUL-terminated */
};

struct goelf; /* opaque */

enum goelf_err {
	GOELF_OK = 0,
	GOELF_E_IO = -1,      /* cannot open/read/mmap the file */
	GOELF_E_NOT_ELF = -2, /* not an ELF file at all */
	GOELF_E_ELF = -3,     /* ELF, but malformed/truncated */
	GOELF_E_NOT_GO = -4,  /* a valid ELF with no Go pclntab */
	GOELF_E_PCLN = -5,    /* a pclntab we cannot parse (unknown magic, corrupt) */
	GOELF_E_ARCH = -6,    /* not x86-64 or arm64 */
	GOELF_E_NOMEM = -7,
};

/*
 * Open an in-memory image. The buffer must stay valid until goelf_close()
 * (the object points into it). On failure returns a goelf_err and, if
 * err != NULL, writes a one-line human-readable reason into err.
 */
int goelf_open_mem(const void *data, size_t size, struct goelf **out, char *err,
		   size_t errlen);
/* Open a file (mmap'ed read-only, unmapped by goelf_close). */
int goelf_open_file(const char *path, struct goelf **out, char *err, size_t errlen);
/* The same, with flags: GOELF_NO_SYMBOLS leaves the ELF symbol table
 * unread (goelf_has_symtab still says whether there is one; goelf_sym_*
 * find nothing): the probe planner needs only .gopclntab, and indexing tens
 * of thousands of symbols is most of an inspection. */
enum goelf_open_flags { GOELF_NO_SYMBOLS = 1u << 0 };
int goelf_open_file_flags(const char *path, unsigned flags, struct goelf **out, char *err,
			  size_t errlen);
void goelf_close(struct goelf *g);

enum goelf_arch goelf_get_arch(const struct goelf *g);
enum goelf_pcln goelf_pcln_format(const struct goelf *g);
/* e.g. "go1.19.8"; NULL when no version could be found. */
const char *goelf_version(const struct goelf *g);
enum goelf_version_src goelf_version_source(const struct goelf *g);
/* Main package path from build info ("path\t..." line), or NULL. */
const char *goelf_main_path(const struct goelf *g);
bool goelf_has_symtab(const struct goelf *g);
bool goelf_is_pie(const struct goelf *g); /* ET_DYN */
bool goelf_is_static(const struct goelf *g); /* no PT_INTERP */

/* Functions from .gopclntab, sorted by entry. */
size_t goelf_func_count(const struct goelf *g);
const struct goelf_func *goelf_func_by_index(const struct goelf *g, size_t i);
/*
 * Exact name match (e.g. "runtime.doInit1"); NULL if absent. A name can occur
 * twice (an assembly function and its ABIInternal wrapper, both named
 * "runtime.reflectcall"): the one with the lowest entry is returned.
 */
const struct goelf_func *goelf_find_func(const struct goelf *g, const char *name);
/* The function whose [entry, end) contains addr; NULL if none. */
const struct goelf_func *goelf_func_at(const struct goelf *g, uint64_t addr);

/*
 * ELF symbol table lookups (only with .symtab). Return 0 if found. Among
 * symbols of the same name FUNC wins, then OBJECT. If name is absent,
 * "<name>.abi0" is tried (Go's name for assembly functions in .symtab).
 */
int goelf_sym_addr(const struct goelf *g, const char *name, uint64_t *addr, uint64_t *size);
/* Name of the symbol starting exactly at addr (any type), or NULL. */
const char *goelf_sym_at(const struct goelf *g, uint64_t addr);

/* Link-time virtual address -> file offset through the PT_LOAD headers. */
int goelf_vaddr_to_offset(const struct goelf *g, uint64_t vaddr, uint64_t *off);
/*
 * Pointer to len bytes of file content at link-time vaddr, or NULL if the
 * range is not fully backed by file bytes of one PT_LOAD segment.
 */
const uint8_t *goelf_bytes_at(const struct goelf *g, uint64_t vaddr, size_t len);

/*
 * The package path Go's inittrace prints for a function name: cut at the
 * first '.' after the last '/' ("go.amzn.com/lambda/rapid.init.0" ->
 * "go.amzn.com/lambda/rapid"). Writes a NUL-terminated string; returns its
 * length, or -1 if out is too small.
 */
int goelf_pkgpath(const char *funcname, char *out, size_t outlen);

#endif /* COLDTRACE_GOELF_H */
