// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pyprobe: CPython's import probes in one ELF file (see pyprobe.h).
 *
 * Where they go: every import statement and __import__ call reaches
 * PyImport_ImportModuleLevelObject, exported by every CPython 3 build. A
 * module not in sys.modules yet is loaded by its static helper
 * import_find_and_load, which calls importlib's _find_and_load through
 * PyObject_CallMethodObjArgs (3.11+: the method name a str) or
 * _PyObject_CallMethodIdObjArgs (3.7-3.10: a _Py_Identifier, whose string
 * is its first field in 3.10, its second before); -X importtime
 * times that call. Both are exported, and called from few places, so the
 * BPF side tells the import calls apart by the method's name.
 *
 * Which version: Py_Version (3.11+, PY_VERSION_HEX in .rodata), else the
 * file's name (python3.N, libpython3.N[m].so). What a str looks like per
 * version is in py_layouts below (Include/cpython/unicodeobject.h):
 *   3.7-3.11: PyASCIIObject {ob_refcnt, ob_type, length, hash, state, wstr}
 *             is 48 bytes; PyCompactUnicodeObject adds utf8_length, utf8,
 *             wstr_length (data at 72);
 *   3.12+:    wstr and wstr_length are gone (40, and data at 56).
 * state: interned:2, kind:3, compact:1, ascii:1 in every one of them.
 * Free-threaded builds (3.13t) lay objects out differently: not supported.
 */
#include "pyprobe.h"

#include <ctype.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct ct_py_layout layout_311 = {
	.length_off = 16, .state_off = 32, .ascii_off = 48, .utf8_off = 56, .compact_off = 72,
};
static const struct ct_py_layout layout_312 = {
	.length_off = 16, .state_off = 32, .ascii_off = 40, .utf8_off = 48, .compact_off = 56,
};

const struct ct_py_layout *pyprobe_layout(int minor)
{
	if (minor < PYPROBE_MIN_MINOR || minor > PYPROBE_MAX_MINOR)
		return NULL;
	return minor <= 11 ? &layout_311 : &layout_312;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "python3.11", "libpython3.7m.so.1.0", "python3.13t": N and whether the
 * name says free-threaded. -1 if the name tells nothing. */
static int minor_from_name(const char *path, bool *threaded)
{
	const char *base = path ? strrchr(path, '/') : NULL, *p;
	char *end;
	long n;

	base = base ? base + 1 : path;
	*threaded = false;
	if (!base)
		return -1;
	if (!strncmp(base, "lib", 3))
		base += 3;
	if (strncmp(base, "python3.", 8))
		return -1;
	p = base + 8;
	if (!isdigit((unsigned char)*p))
		return -1;
	n = strtol(p, &end, 10);
	if (n < 0 || n > 99)
		return -1;
	*threaded = *end == 't';
	return (int)n;
}

/* File offset of link-time address @vaddr (in a PT_LOAD segment's file
 * bytes, inside the @size bytes of the file), or -1. */
static int64_t vaddr_off(Elf *elf, uint64_t vaddr, size_t size)
{
	size_t phnum = 0;

	if (elf_getphdrnum(elf, &phnum))
		return -1;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz) {
			uint64_t off = vaddr - ph.p_vaddr + ph.p_offset;

			return off < ph.p_offset || off >= size ? -1 : (int64_t)off;
		}
	}
	return -1;
}

struct found {
	uint64_t import_va, callobj_va, callid_va, version_va;
	bool import, callobj, callid, version;
};

static void scan_dynsym(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct found *f)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n;

	if (!d || !sh->sh_entsize)
		return;
	n = sh->sh_size / sh->sh_entsize;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym s;
		const char *name;

		if (!gelf_getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF || !s.st_value)
			continue;
		name = elf_strptr(elf, sh->sh_link, s.st_name);
		if (!name || (name[0] != 'P' && name[0] != '_'))
			continue;
		if (!strcmp(name, "PyImport_ImportModuleLevelObject")) {
			f->import = true;
			f->import_va = s.st_value;
		} else if (!strcmp(name, "PyObject_CallMethodObjArgs")) {
			f->callobj = true;
			f->callobj_va = s.st_value;
		} else if (!strcmp(name, "_PyObject_CallMethodIdObjArgs")) {
			f->callid = true;
			f->callid_va = s.st_value;
		} else if (!strcmp(name, "Py_Version")) {
			f->version = true;
			f->version_va = s.st_value;
		}
	}
}

static void scan_dynamic(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct pyprobe_plan *p)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n;

	if (!d || !sh->sh_entsize)
		return;
	n = sh->sh_size / sh->sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Dyn dyn;
		const char *s;

		if (!gelf_getdyn(d, (int)i, &dyn) || dyn.d_tag == DT_NULL)
			break;
		if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RUNPATH && dyn.d_tag != DT_RPATH)
			continue;
		s = elf_strptr(elf, sh->sh_link, dyn.d_un.d_val);
		if (!s)
			continue;
		if (dyn.d_tag == DT_NEEDED && !strncmp(s, "libpython3.", 11) && strlen(s) < sizeof(p->needed))
			snprintf(p->needed, sizeof(p->needed), "%s", s);
		else if (dyn.d_tag == DT_RUNPATH)
			snprintf(p->runpath, sizeof(p->runpath), "%s", s);
		else if (dyn.d_tag == DT_RPATH)
			snprintf(p->rpath, sizeof(p->rpath), "%s", s);
	}
}

/* Py_Version's value: read from the file at its offset. */
static bool read_version(Elf *elf, const char *image, size_t size, uint64_t va, uint32_t *hex)
{
	int64_t off = vaddr_off(elf, va, size);
	uint32_t v;

	if (off < 0 || (uint64_t)off + 4 > size)
		return false;
	memcpy(&v, image + off, 4); /* little-endian targets only (x86-64, arm64) */
	*hex = v;
	return true;
}

static int inspect(Elf *elf, const char *image, size_t size, const char *path, struct pyprobe_plan *p,
		   char *err, size_t errlen)
{
	struct found f = {0};
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	bool threaded;
	int name_minor;

	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		set_err(err, errlen, "not an ELF file");
		return -1;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_DYNSYM)
			scan_dynsym(elf, scn, &sh, &f);
		else if (sh.sh_type == SHT_DYNAMIC)
			scan_dynamic(elf, scn, &sh, p);
	}
	if (!f.import)
		return 0;
	p->is_python = true;
	if (eh.e_machine != EM_X86_64 && eh.e_machine != EM_AARCH64) {
		snprintf(p->note, sizeof(p->note), "CPython on an architecture coldtrace does not read (ELF machine %u): imports not traced",
			 eh.e_machine);
		return 0;
	}
	name_minor = minor_from_name(path, &threaded);
	if (f.version && read_version(elf, image, size, f.version_va, &p->version_hex) &&
	    (p->version_hex >> 24) == 3) {
		p->minor = (int)((p->version_hex >> 16) & 0xff);
		snprintf(p->version, sizeof(p->version), "3.%d.%u", p->minor, (p->version_hex >> 8) & 0xff);
	} else if (name_minor >= 0) {
		p->minor = name_minor;
		snprintf(p->version, sizeof(p->version), "3.%d", p->minor);
	} else {
		snprintf(p->note, sizeof(p->note), "CPython version unknown (no Py_Version, and the file's name does not tell): imports not traced");
		return 0;
	}
	if (threaded) {
		snprintf(p->note, sizeof(p->note), "not supported: CPython %s free-threaded build: imports not traced",
			 p->version);
		return 0;
	}
	if (!pyprobe_layout(p->minor)) {
		snprintf(p->note, sizeof(p->note), "not supported: CPython 3.%d (coldtrace knows 3.%d to 3.%d): imports not traced",
			 p->minor, PYPROBE_MIN_MINOR, PYPROBE_MAX_MINOR);
		return 0;
	}
	p->layout = *pyprobe_layout(p->minor);
	p->layout.version_hex = p->version_hex;
	p->layout.call_ident = p->minor <= 10;
	/* _Py_Identifier: {next, string, object} up to 3.9, {string, index} in 3.10 */
	p->layout.ident_off = p->minor <= 9 ? 8 : 0;
	{
		bool have = p->minor <= 10 ? f.callid : f.callobj;
		uint64_t va = p->minor <= 10 ? f.callid_va : f.callobj_va;
		int64_t io = vaddr_off(elf, f.import_va, size), co = have ? vaddr_off(elf, va, size) : -1;

		if (io < 0 || co < 0) {
			snprintf(p->note, sizeof(p->note), "CPython %s without an exported %s: imports not traced",
				 p->version, p->minor <= 10 ? "_PyObject_CallMethodIdObjArgs" : "PyObject_CallMethodObjArgs");
			return 0;
		}
		p->import_off = (uint64_t)io;
		p->call_off = (uint64_t)co;
	}
	p->supported = true;
	return 0;
}

int pyprobe_inspect_mem(const void *data, size_t size, const char *path, struct pyprobe_plan *plan,
			char *err, size_t errlen)
{
	Elf *elf;
	int rc;

	memset(plan, 0, sizeof(*plan));
	plan->minor = -1;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		set_err(err, errlen, "libelf: %s", elf_errmsg(-1));
		return -1;
	}
	elf = elf_memory((char *)data, size);
	if (!elf) {
		set_err(err, errlen, "malformed ELF: %s", elf_errmsg(-1));
		return -1;
	}
	rc = inspect(elf, data, size, path, plan, err, errlen);
	elf_end(elf);
	return rc;
}

int pyprobe_inspect(int fd, const char *path, struct pyprobe_plan *plan, char *err, size_t errlen)
{
	struct stat st;
	Elf *elf;
	char *image;
	int rc;

	memset(plan, 0, sizeof(*plan));
	plan->minor = -1;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		set_err(err, errlen, "libelf: %s", elf_errmsg(-1));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		set_err(err, errlen, "not a regular file");
		return -1;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		set_err(err, errlen, "malformed ELF: %s", elf_errmsg(-1));
		return -1;
	}
	{
		size_t n = 0;

		image = elf_rawfile(elf, &n);
		rc = inspect(elf, image, image ? n : 0, path, plan, err, errlen);
	}
	elf_end(elf);
	return rc;
}

/* @root@dir/@name exists as a regular file: its path in out. */
static bool try_dir(const char *root, const char *dir, size_t dirlen, const char *name, char *out,
		    size_t outlen)
{
	struct stat st;
	int n;

	if (!dirlen)
		return false;
	n = snprintf(out, outlen, "%s%.*s/%s", root, (int)dirlen, dir, name);
	return n > 0 && (size_t)n < outlen && !stat(out, &st) && S_ISREG(st.st_mode);
}

/* Each ':'-separated entry of @list, $ORIGIN (or ${ORIGIN}) expanded. */
static bool try_list(const char *root, const char *list, const char *origin, const char *name,
		     char *out, size_t outlen)
{
	const char *p = list;

	while (p && *p) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char dir[4096];
		size_t k = 0;

		for (size_t i = 0; i < n && k + 1 < sizeof(dir);) {
			size_t skip = !strncmp(p + i, "$ORIGIN", 7) ? 7 : !strncmp(p + i, "${ORIGIN}", 9) ? 9 : 0;

			if (skip && i + skip <= n) {
				int w = snprintf(dir + k, sizeof(dir) - k, "%s", origin);

				if (w < 0 || (size_t)w >= sizeof(dir) - k)
					break;
				k += (size_t)w;
				i += skip;
			} else {
				dir[k++] = p[i++];
			}
		}
		dir[k] = 0;
		if (try_dir(root, dir, k, name, out, outlen))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

int pyprobe_find_lib(const struct pyprobe_plan *plan, const char *exe_path,
		     const char *ld_library_path, char *out, size_t outlen)
{
	return pyprobe_find_lib_in(plan, "", exe_path, ld_library_path, out, outlen);
}

int pyprobe_find_lib_in(const struct pyprobe_plan *plan, const char *root, const char *exe_path,
			const char *ld_library_path, char *out, size_t outlen)
{
	const char *needed = plan->needed;
	static const char *const sys[] = {
#if defined(__x86_64__)
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
#elif defined(__aarch64__)
		"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
#endif
		"/usr/local/lib", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
	};
	char origin[4096];
	const char *slash;

	if (!needed || !needed[0] || strchr(needed, '/'))
		return -1;
	slash = exe_path ? strrchr(exe_path, '/') : NULL;
	snprintf(origin, sizeof(origin), "%.*s", slash ? (int)(slash - exe_path) : 1, slash ? exe_path : ".");
	if (!root)
		root = "";
	if (!plan->runpath[0] && try_list(root, plan->rpath, origin, needed, out, outlen))
		return 0;
	if (ld_library_path && try_list(root, ld_library_path, origin, needed, out, outlen))
		return 0;
	if (try_list(root, plan->runpath, origin, needed, out, outlen))
		return 0;
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (try_dir(root, sys[i], strlen(sys[i]), needed, out, outlen))
			return 0;
	return -1;
}
