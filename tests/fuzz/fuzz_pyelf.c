/* fuzz-sources: userspace/capture/pyprobe.c */
// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target for pyprobe: any bytes as an ELF file that may be a
 * CPython interpreter or libpython, under a few file names (the name tells
 * the version when Py_Version does not), then its libpython looked up with
 * the DT_NEEDED/RUNPATH/RPATH it read. Invariants: a plan is filled or a
 * one-line error is given; strings end in the buffers; a supported plan has
 * a version coldtrace knows and its probes inside the bytes given.
 *
 * Seeds (tests/fuzz/corpus/pyelf), a few hundred bytes each, made with gcc
 * -nostdlib -Wl,-z,max-page-size=0x10 and stripped:
 *   fake-libpython311: a shared object exporting Py_Version (0x030b04f0),
 *     PyImport_ImportModuleLevelObject, PyObject_CallMethodObjArgs and
 *     _PyObject_CallMethodIdObjArgs; fake-libpython39: its Py_Version 3.9.1;
 *   fake-exe-needed-runpath: a PIE whose DT_NEEDED is libpython3.11.so.1.0,
 *     DT_RUNPATH $ORIGIN/../lib;
 *   elf-header-only: the first 64 bytes of the first;
 *   regress-load-past-eof: what this fuzzer found first, fake-libpython311
 *     with a PT_LOAD whose p_filesz runs far past the end of the file and
 *     _PyObject_CallMethodIdObjArgs inside it: pyprobe planned a probe at
 *     a file offset the file does not have.
 */
#include "pyprobe.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

static bool ends(const char *s, size_t n)
{
	return memchr(s, 0, n) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "/usr/bin/python3.11", "/opt/lib/libpython3.9.so.1.0",
					      "/x/python3.13t", "prog", NULL };

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		struct pyprobe_plan p;
		char err[128], out[PATH_MAX];
		int rc;

		memset(err, 'x', sizeof(err));
		err[sizeof(err) - 1] = 0;
		rc = pyprobe_inspect_mem(data, size, names[k], &p, err, sizeof(err));
		CHECK(rc == 0 || rc == -1);
		if (rc) {
			CHECK(ends(err, sizeof(err)) && err[0] && strcmp(err, "x") && !strchr(err, '\n'));
			CHECK(!p.supported);
			return 0; /* the same for every name */
		}
		CHECK(ends(p.version, sizeof(p.version)) && ends(p.note, sizeof(p.note)));
		CHECK(ends(p.needed, sizeof(p.needed)) && ends(p.runpath, sizeof(p.runpath)));
		CHECK(ends(p.rpath, sizeof(p.rpath)));
		if (p.supported) {
			CHECK(p.is_python);
			CHECK(p.minor >= PYPROBE_MIN_MINOR && p.minor <= PYPROBE_MAX_MINOR);
			CHECK(pyprobe_layout(p.minor) != NULL);
			CHECK(p.import_off < size && p.call_off < size);
			CHECK(!p.note[0]);
		} else if (p.is_python) {
			CHECK(p.note[0] && !strchr(p.note, '\n'));
		}
		if (p.needed[0]) {
			/* a search on this machine's directories: found or not, a
			 * found path names the needed file */
			if (pyprobe_find_lib(&p, "/nonexistent/bin/python3", "/nonexistent/lib", out, sizeof(out)) == 0) {
				const char *b = strrchr(out, '/');

				CHECK(b && !strcmp(b + 1, p.needed));
			}
		}
	}
	return 0;
}
