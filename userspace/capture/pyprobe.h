/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pyprobe: is an ELF file a CPython interpreter (or libpython), which
 * version, and where do its import probes go (enum ct_py_probe)? Or does it
 * link a libpython that has them? Pure: a file in, a plan out.
 *
 * Supported: CPython 3.7 to 3.13, the default (GIL) build, x86-64 and
 * arm64, as ELF files that export the C API (every python3 and libpython
 * build does: extension modules link against it). Debian 12's python3.11 is
 * tested in CI; the others where a build is at hand (see the README).
 */
#ifndef COLDTRACE_PYPROBE_H
#define COLDTRACE_PYPROBE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coldtrace.h"

#define PYPROBE_MIN_MINOR 7
#define PYPROBE_MAX_MINOR 13
#define PYPROBE_NPROBES 3 /* enter, call, return */

struct pyprobe_plan {
	bool is_python;    /* defines PyImport_ImportModuleLevelObject */
	bool supported;    /* a version and layout coldtrace knows: probes planned */
	int minor;         /* N of 3.N; -1: unknown */
	uint32_t version_hex; /* PY_VERSION_HEX (Py_Version, 3.11+), 0: unknown */
	char version[24];  /* "3.11.2", or "3.10" when only the name tells */
	uint64_t import_off; /* file offset of PyImport_ImportModuleLevelObject */
	uint64_t call_off;   /* of PyObject_CallMethodObjArgs or _PyObject_CallMethodIdObjArgs */
	struct ct_py_layout layout;
	char note[160];    /* why imports are not traced (is_python && !supported) */
	char needed[64];   /* a DT_NEEDED libpython3.N.so name, "" if none */
	char runpath[256]; /* DT_RUNPATH, "" if none */
	char rpath[256];   /* DT_RPATH, "" if none (ignored when there is a DT_RUNPATH) */
};

/*
 * Read the ELF file open at @fd (@path names it: its basename tells the
 * version when the file does not). Returns 0 with @plan filled (is_python
 * false and needed "" for any other ELF file), or -1 with a one-line reason
 * when the file is not an ELF file libelf can read.
 */
int pyprobe_inspect(int fd, const char *path, struct pyprobe_plan *plan, char *err, size_t errlen);

/* Same, from @size bytes in memory (fuzzers, unit tests). */
int pyprobe_inspect_mem(const void *data, size_t size, const char *path, struct pyprobe_plan *plan,
			char *err, size_t errlen);

/* The str layout of CPython 3.@minor (minor 7..13), or NULL. */
const struct ct_py_layout *pyprobe_layout(int minor);

/*
 * Find @plan's needed libpython as the dynamic loader would for the
 * program at @exe_path: its DT_RPATH (without a DT_RUNPATH), then
 * @ld_library_path (may be NULL), then its DT_RUNPATH ($ORIGIN expanded in
 * both), then the system's directories (ld.so.cache is not read). Returns 0
 * with the path in @out, -1 if not found.
 */
int pyprobe_find_lib(const struct pyprobe_plan *plan, const char *exe_path,
		     const char *ld_library_path, char *out, size_t outlen);

/* The same for a process whose root directory is @root (e.g.
 * "/proc/PID/root" for one in a container): every path above is taken
 * inside it, and @out is @root followed by the path found. */
int pyprobe_find_lib_in(const struct pyprobe_plan *plan, const char *root, const char *exe_path,
			const char *ld_library_path, char *out, size_t outlen);

#endif /* COLDTRACE_PYPROBE_H */
