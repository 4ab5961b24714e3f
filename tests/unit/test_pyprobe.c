// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pyprobe on real files: Debian's /usr/bin/python3.11 and its
 * libpython3.11.so.1.0 (version from the interpreter itself, probe offsets
 * computed here from the ELF's section headers, a route pyprobe does not
 * take), /bin/sh, a text file, truncated and patched copies in memory; the
 * str layouts per version; pyprobe_find_lib's search order in a temporary
 * tree (RPATH, LD_LIBRARY_PATH, RUNPATH with $ORIGIN, not found).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct_test.h"
#include "pyprobe.h"

#define PY311 "/usr/bin/python3.11"
#define LIBPY311 "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0"

/* The file offset of dynamic symbol @name, through its section header
 * (st_shndx), or 0. */
static uint64_t sym_off(const char *path, const char *name)
{
	int fd = open(path, O_RDONLY);
	Elf *elf;
	Elf_Scn *scn = NULL;
	uint64_t off = 0;

	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	while (elf && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			GElf_Shdr in;
			const char *n;

			if (!gelf_getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF)
				continue;
			n = elf_strptr(elf, sh.sh_link, s.st_name);
			if (!n || strcmp(n, name))
				continue;
			if (gelf_getshdr(elf_getscn(elf, s.st_shndx), &in))
				off = s.st_value - in.sh_addr + in.sh_offset;
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return off;
}

/* What the interpreter says it is: "3.11.2" and sys.hexversion. */
static bool py_says(char *ver, size_t len, uint32_t *hex)
{
	FILE *p = popen(PY311 " -S -c 'import sys; v = sys.version_info; print(\"%d.%d.%d %d\" % (v[0], v[1], v[2], sys.hexversion))'",
			"r");
	unsigned long h = 0;
	char v[32] = "";
	bool ok;

	if (!p)
		return false;
	ok = fscanf(p, "%31s %lu", v, &h) == 2;
	pclose(p);
	snprintf(ver, len, "%s", v);
	*hex = (uint32_t)h;
	return ok;
}

static char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return buf;
}

static int inspect_path(const char *path, struct pyprobe_plan *p, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY), rc;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -2;
	}
	rc = pyprobe_inspect(fd, path, p, err, errlen);
	close(fd);
	return rc;
}

static void check_py311(const char *path, const struct pyprobe_plan *p)
{
	char ver[32];
	uint32_t hex = 0;

	CT_TRUE(p->is_python);
	CT_TRUE(p->supported);
	CT_EQ_INT(p->minor, 11);
	CT_TRUE(py_says(ver, sizeof(ver), &hex));
	CT_EQ_STR(p->version, ver);
	CT_EQ_U64(p->version_hex, hex);
	CT_EQ_U64(p->layout.version_hex, hex);
	CT_TRUE(p->import_off != 0);
	CT_EQ_U64(p->import_off, sym_off(path, "PyImport_ImportModuleLevelObject"));
	CT_EQ_U64(p->call_off, sym_off(path, "PyObject_CallMethodObjArgs"));
	CT_EQ_INT(p->layout.call_ident, 0);
	CT_EQ_INT(p->layout.ascii_off, 48);
	CT_EQ_STR(p->note, "");
}

CT_TEST(python311)
{
	struct pyprobe_plan p;
	char err[256] = "";

	CT_EQ_INT(inspect_path(PY311, &p, err, sizeof(err)), 0);
	check_py311(PY311, &p);
	CT_EQ_STR(p.needed, ""); /* Debian's python3.11 has libpython in itself */
}

CT_TEST(libpython311)
{
	struct pyprobe_plan p;
	char err[256] = "";

	CT_EQ_INT(inspect_path(LIBPY311, &p, err, sizeof(err)), 0);
	check_py311(LIBPY311, &p);
}

CT_TEST(not_python)
{
	struct pyprobe_plan p;
	char err[256] = "", txt[] = "/tmp/ct-pyprobe-txt-XXXXXX";
	int fd;

	CT_EQ_INT(inspect_path("/bin/sh", &p, err, sizeof(err)), 0);
	CT_TRUE(!p.is_python);
	CT_TRUE(!p.supported);
	CT_EQ_STR(p.needed, "");
	CT_EQ_INT(p.minor, -1);

	fd = mkstemp(txt);
	CT_TRUE(fd >= 0);
	if (fd < 0)
		return;
	CT_TRUE(write(fd, "#!/bin/sh\necho hello\n", 21) == 21);
	err[0] = 0;
	CT_EQ_INT(pyprobe_inspect(fd, "python3.11", &p, err, sizeof(err)), -1);
	CT_TRUE(err[0] != 0);
	CT_TRUE(!p.is_python);
	close(fd);
	unlink(txt);

	/* a directory is not a regular file */
	fd = open("/tmp", O_RDONLY);
	err[0] = 0;
	CT_EQ_INT(pyprobe_inspect(fd, "/tmp", &p, err, sizeof(err)), -1);
	CT_TRUE(err[0] != 0);
	close(fd);
}

CT_TEST(memory_and_truncated)
{
	size_t size = 0, sizes[64], n = 0;
	char *img = slurp(PY311, &size);
	struct pyprobe_plan p, whole;
	char err[256];

	CT_TRUE(img != NULL);
	if (!img)
		return;
	CT_EQ_INT(pyprobe_inspect_mem(img, size, PY311, &whole, err, sizeof(err)), 0);
	check_py311(PY311, &whole);

	for (size_t s = 0; s <= 64; s += 4)
		sizes[n++] = s;
	sizes[n++] = 4096;
	sizes[n++] = size / 3;
	sizes[n++] = size / 2;
	sizes[n++] = size - 4096;
	sizes[n++] = size - 1;
	for (int i = 0; i < 20; i++)
		sizes[n++] = (size_t)(ct_rand() % size);
	for (size_t i = 0; i < n; i++) {
		char *cut = malloc(sizes[i] ? sizes[i] : 1);
		int rc;

		memcpy(cut, img, sizes[i]);
		err[0] = 0;
		rc = pyprobe_inspect_mem(cut, sizes[i], PY311, &p, err, sizeof(err));
		if (rc == 0) {
			/* what it planned is inside the bytes it was given */
			if (p.supported) {
				CT_TRUE(p.import_off < sizes[i]);
				CT_TRUE(p.call_off < sizes[i]);
			}
		} else {
			CT_EQ_INT(rc, -1);
			CT_TRUE(err[0] != 0);
			CT_TRUE(!p.is_python);
		}
		free(cut);
	}
	/* the ELF header alone, and less: errors */
	CT_EQ_INT(pyprobe_inspect_mem(img, 0, PY311, &p, err, sizeof(err)), -1);
	CT_EQ_INT(pyprobe_inspect_mem(img, 16, PY311, &p, err, sizeof(err)), -1);
	free(img);
}

/* Py_Version patched in a copy: another version, a minor coldtrace does not
 * know, or none (then the file's name tells). */
CT_TEST(patched_version)
{
	size_t size = 0;
	char *img = slurp(PY311, &size);
	uint64_t voff = sym_off(PY311, "Py_Version");
	struct pyprobe_plan p;
	char err[256];
	uint32_t v;

	CT_TRUE(img && voff && voff + 4 <= size);
	if (!img || !voff || voff + 4 > size) {
		free(img);
		return;
	}
	v = 0x030e00f0; /* 3.14.0 final */
	memcpy(img + voff, &v, 4);
	CT_EQ_INT(pyprobe_inspect_mem(img, size, PY311, &p, err, sizeof(err)), 0);
	CT_TRUE(p.is_python);
	CT_TRUE(!p.supported);
	CT_EQ_INT(p.minor, 14);
	CT_EQ_STR(p.version, "3.14.0");
	CT_TRUE(strstr(p.note, "not supported: CPython 3.14") != NULL);

	v = 0x030612f0; /* 3.6.18 */
	memcpy(img + voff, &v, 4);
	CT_EQ_INT(pyprobe_inspect_mem(img, size, PY311, &p, err, sizeof(err)), 0);
	CT_TRUE(p.is_python && !p.supported);
	CT_TRUE(strstr(p.note, "not supported: CPython 3.6") != NULL);

	v = 0x030c01f0; /* 3.12.1: the 3.12 layout, call through a str */
	memcpy(img + voff, &v, 4);
	CT_EQ_INT(pyprobe_inspect_mem(img, size, PY311, &p, err, sizeof(err)), 0);
	CT_TRUE(p.supported);
	CT_EQ_STR(p.version, "3.12.1");
	CT_EQ_INT(p.layout.ascii_off, 40);
	CT_EQ_INT(p.layout.call_ident, 0);

	v = 0; /* no usable Py_Version: the name tells 3.10 (_Py_Identifier call) */
	memcpy(img + voff, &v, 4);
	CT_EQ_INT(pyprobe_inspect_mem(img, size, "/opt/py/bin/python3.10", &p, err, sizeof(err)), 0);
	CT_TRUE(p.is_python);
	CT_EQ_INT(p.minor, 10);
	CT_EQ_STR(p.version, "3.10");
	CT_TRUE(p.supported);
	CT_EQ_INT(p.layout.call_ident, 1);
	CT_EQ_INT(p.layout.ident_off, 0);
	CT_EQ_U64(p.call_off, sym_off(PY311, "_PyObject_CallMethodIdObjArgs"));
	CT_EQ_INT(pyprobe_inspect_mem(img, size, "/opt/py/lib/libpython3.8.so.1.0", &p, err, sizeof(err)), 0);
	CT_EQ_INT(p.minor, 8);
	CT_EQ_INT(p.layout.ident_off, 8);
	CT_EQ_INT(pyprobe_inspect_mem(img, size, "/opt/py/bin/python3.13t", &p, err, sizeof(err)), 0);
	CT_TRUE(p.is_python && !p.supported);
	CT_TRUE(strstr(p.note, "free-threaded") != NULL);
	CT_EQ_INT(pyprobe_inspect_mem(img, size, "/usr/bin/mypython", &p, err, sizeof(err)), 0);
	CT_TRUE(p.is_python && !p.supported);
	CT_TRUE(strstr(p.note, "version unknown") != NULL);
	free(img);
}

CT_TEST(layouts)
{
	CT_TRUE(pyprobe_layout(6) == NULL);
	CT_TRUE(pyprobe_layout(14) == NULL);
	CT_TRUE(pyprobe_layout(-1) == NULL);
	for (int minor = 7; minor <= 13; minor++) {
		const struct ct_py_layout *l = pyprobe_layout(minor);

		CT_TRUE(l != NULL);
		if (!l)
			continue;
		/* PyASCIIObject: 48 bytes with wstr (to 3.11), 40 without */
		CT_EQ_INT(l->ascii_off, minor <= 11 ? 48 : 40);
		CT_EQ_INT(l->compact_off, minor <= 11 ? 72 : 56);
		CT_EQ_INT(l->length_off, 16);
		CT_EQ_INT(l->state_off, 32);
	}
}

/* ---- pyprobe_find_lib in a temporary tree ---- */

static char tmp[64];

static void mkfile(const char *rel)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	f = fopen(path, "w");
	CT_TRUE(f != NULL);
	if (f)
		fclose(f);
}

static void mkd(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	CT_TRUE(!mkdir(path, 0755));
}

/* pyprobe_find_lib_in (pyprobe_find_lib without a root) found @rel (the
 * same file: realpath). */
static void found_in(const char *root, const struct pyprobe_plan *p, const char *exe, const char *ldlp,
		     const char *rel)
{
	char out[PATH_MAX] = "", want[PATH_MAX], a[PATH_MAX], b[PATH_MAX];

	snprintf(want, sizeof(want), "%s/%s", tmp, rel);
	if (root)
		CT_EQ_INT(pyprobe_find_lib_in(p, root, exe, ldlp, out, sizeof(out)), 0);
	else
		CT_EQ_INT(pyprobe_find_lib(p, exe, ldlp, out, sizeof(out)), 0);
	CT_TRUE(realpath(out, a) && realpath(want, b));
	CT_EQ_STR(a, b);
}

static void found(const struct pyprobe_plan *p, const char *exe, const char *ldlp, const char *rel)
{
	found_in(NULL, p, exe, ldlp, rel);
}

CT_TEST(find_lib)
{
	struct pyprobe_plan p;
	char exe[PATH_MAX], ld[PATH_MAX * 2], out[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "/tmp/ct-pyprobe-XXXXXX");
	CT_TRUE(mkdtemp(tmp) != NULL);
	mkd("bin");
	mkd("lib");
	mkd("ld");
	mkd("rp");
	mkd("empty");
	mkd("asdir");
	mkd("asdir/libpython3.11.so.1.0"); /* a directory of that name: skipped */
	mkfile("lib/libpython3.11.so.1.0");
	mkfile("ld/libpython3.11.so.1.0");
	mkfile("rp/libpython3.11.so.1.0");
	snprintf(exe, sizeof(exe), "%s/bin/python3", tmp);

	memset(&p, 0, sizeof(p));
	snprintf(p.needed, sizeof(p.needed), "libpython3.11.so.1.0");
	/* $ORIGIN in RUNPATH */
	snprintf(p.runpath, sizeof(p.runpath), "$ORIGIN/../empty:$ORIGIN/../lib");
	found(&p, exe, NULL, "lib/libpython3.11.so.1.0");
	snprintf(p.runpath, sizeof(p.runpath), "${ORIGIN}/../asdir:${ORIGIN}/../lib");
	found(&p, exe, NULL, "lib/libpython3.11.so.1.0");
	/* LD_LIBRARY_PATH before RUNPATH */
	snprintf(ld, sizeof(ld), "%s/empty:%s/ld", tmp, tmp);
	found(&p, exe, ld, "ld/libpython3.11.so.1.0");
	/* RPATH is ignored when there is a RUNPATH */
	snprintf(p.rpath, sizeof(p.rpath), "%s/rp", tmp);
	found(&p, exe, NULL, "lib/libpython3.11.so.1.0");
	found(&p, exe, ld, "ld/libpython3.11.so.1.0");
	/* without RUNPATH: RPATH before LD_LIBRARY_PATH */
	p.runpath[0] = 0;
	found(&p, exe, ld, "rp/libpython3.11.so.1.0");
	snprintf(p.rpath, sizeof(p.rpath), "$ORIGIN/../empty");
	found(&p, exe, ld, "ld/libpython3.11.so.1.0");

	/* not found anywhere */
	memset(&p, 0, sizeof(p));
	snprintf(p.needed, sizeof(p.needed), "libpython3.99.so.1.0");
	snprintf(p.runpath, sizeof(p.runpath), "$ORIGIN/../lib");
	CT_EQ_INT(pyprobe_find_lib(&p, exe, ld, out, sizeof(out)), -1);
	/* nothing needed, or a name with a '/' */
	p.needed[0] = 0;
	CT_EQ_INT(pyprobe_find_lib(&p, exe, ld, out, sizeof(out)), -1);
	snprintf(p.needed, sizeof(p.needed), "../lib/libpython3.11.so.1.0");
	CT_EQ_INT(pyprobe_find_lib(&p, exe, ld, out, sizeof(out)), -1);
	/* the system's directories last: Debian's own libpython3.11 */
	memset(&p, 0, sizeof(p));
	snprintf(p.needed, sizeof(p.needed), "libpython3.11.so.1.0");
	CT_EQ_INT(pyprobe_find_lib(&p, exe, NULL, out, sizeof(out)), 0);
	{
		char a[PATH_MAX], b[PATH_MAX];

		CT_TRUE(realpath(out, a) && realpath(LIBPY311, b));
		CT_EQ_STR(a, b);
	}
	/* a process in a container (its root @tmp): its LD_LIBRARY_PATH and
	 * RUNPATH under that root, never this system's own copy */
	snprintf(p.runpath, sizeof(p.runpath), "/lib");
	found_in(tmp, &p, "/bin/python3", "/empty:/ld", "ld/libpython3.11.so.1.0");
	found_in(tmp, &p, "/bin/python3", NULL, "lib/libpython3.11.so.1.0");
	{
		char empty[PATH_MAX];

		snprintf(empty, sizeof(empty), "%s/empty", tmp);
		CT_EQ_INT(pyprobe_find_lib_in(&p, empty, "/bin/python3", "/ld", out, sizeof(out)), -1);
	}

	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		CT_TRUE(system(cmd) == 0);
	}
}

int main(void)
{
	CT_RUN(python311);
	CT_RUN(libpython311);
	CT_RUN(not_python);
	CT_RUN(memory_and_truncated);
	CT_RUN(patched_version);
	CT_RUN(layouts);
	CT_RUN(find_lib);
	return ct_summary();
}
