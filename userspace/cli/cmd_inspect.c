// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* coldtrace inspect BINARY...: the Go binary reader and probe planner (and
 * the CPython one), as the tracer would use them on each file. No BPF, no
 * root. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "goelf.h"
#include "goprobe.h"
#include "pyprobe.h"

static const char inspect_usage[] =
	"Usage: coldtrace inspect [--] BINARY...\n"
	"\n"
	"What coldtrace reads from a Go binary: Go version, architecture, pclntab\n"
	"layout, PIE or not, static or dynamic, symbols or stripped, the main\n"
	"package, and where the package-init probes go. From a CPython\n"
	"interpreter or libpython: its version and where the import probes go;\n"
	"from a program that links a libpython: which one. No root needed.\n"
	"\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0, 1 if a binary is not one coldtrace can trace, 2 for bad\n"
	"usage.\n";

/* Not Go: a CPython (or a program linking libpython) coldtrace can trace?
 * 0 if it said what the file is, 1 if the file is neither, 2 if it is
 * CPython that coldtrace cannot trace (the reason printed). */
static int inspect_python(const char *path)
{
	struct pyprobe_plan py;
	char err[160], lib[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return 1;
	rc = pyprobe_inspect(fd, path, &py, err, sizeof(err));
	close(fd);
	if (rc)
		return 1;
	if (py.is_python && !py.supported) {
		fprintf(stderr, "coldtrace: %s: %s\n", path, py.note);
		return 2;
	}
	if (py.is_python) {
		printf("%s: CPython %s; import probes:\n", path, py.version);
		printf("    %-13s file offset 0x%llx (PyImport_ImportModuleLevelObject, entry and return)\n",
		       "import", (unsigned long long)py.import_off);
		printf("    %-13s file offset 0x%llx (%s)\n", "load", (unsigned long long)py.call_off,
		       py.layout.call_ident ? "_PyObject_CallMethodIdObjArgs" : "PyObject_CallMethodObjArgs");
		return 0;
	}
	if (!py.needed[0])
		return 1;
	if (pyprobe_find_lib(&py, path, getenv("LD_LIBRARY_PATH"), lib, sizeof(lib))) {
		printf("%s: links %s (not found from here); its import probes go there\n", path, py.needed);
		return 0;
	}
	printf("%s: links %s (%s); its import probes go there\n", path, py.needed, lib);
	return inspect_python(lib);
}

static const char *arch_name(enum goelf_arch a)
{
	return a == GOELF_ARCH_X86_64 ? "x86-64" : a == GOELF_ARCH_ARM64 ? "arm64" : "unknown";
}

int cmd_inspect(int argc, char **argv)
{
	int ret = 0, first = 1;

	for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
		if (!strcmp(argv[first], "-h") || !strcmp(argv[first], "--help")) {
			fputs(inspect_usage, stdout);
			return 0;
		}
		if (!strcmp(argv[first], "--")) {
			first++;
			break;
		}
		fprintf(stderr, "coldtrace: inspect: unknown option '%s'\nTry 'coldtrace inspect --help'.\n",
			argv[first]);
		return CLI_EXIT_USAGE;
	}
	if (first >= argc)
		die(CLI_EXIT_USAGE, "inspect: no binary given: coldtrace inspect BINARY...");
	for (int i = first; i < argc; i++) {
		struct goprobe_plan plan;
		struct goelf *g = NULL;
		char err[256];
		int rc = goelf_open_file(argv[i], &g, err, sizeof(err));
		size_t plen = strlen(argv[i]);
		/* every message names the file, once */
		const char *why = !strncmp(err, argv[i], plen) && !strncmp(err + plen, ": ", 2) ?
				  err + plen + 2 : err;

		if (rc == GOELF_E_NOT_GO || rc == GOELF_E_NOT_ELF) {
			int py = rc == GOELF_E_NOT_GO ? inspect_python(argv[i]) : 1;

			if (py == 1)
				fprintf(stderr, "coldtrace: %s: not a Go binary (%s), nor CPython\n", argv[i], why);
			if (py)
				ret = 1;
			continue;
		}
		if (rc != GOELF_OK) {
			fprintf(stderr, "coldtrace: %s: %s\n", argv[i], why);
			ret = 1;
			continue;
		}
		printf("%s: %s, %s, pclntab %d layout, %zu functions, %s%s%s\n", argv[i],
		       goelf_version(g) ? goelf_version(g) : "Go version unknown",
		       arch_name(goelf_get_arch(g)), (int)goelf_pcln_format(g), goelf_func_count(g),
		       goelf_is_pie(g) ? "PIE" : "not PIE", goelf_is_static(g) ? ", static" : ", dynamic",
		       goelf_has_symtab(g) ? ", symbols" : ", stripped");
		if (goelf_main_path(g))
			printf("  main package: %s\n", goelf_main_path(g));
		if (goprobe_plan(g, &plan, err, sizeof(err))) {
			fprintf(stderr, "coldtrace: %s (%s): cannot trace package init: %s\n", argv[i],
				goelf_version(g) ? goelf_version(g) : "Go version unknown", err);
			ret = 1;
		} else {
			printf("  init runs in %s; probes:\n", plan.init_func);
			for (size_t k = 0; k < plan.n; k++) {
				const struct goprobe *p = &plan.probes[k];
				const struct goelf_func *f = goelf_func_at(g, p->vaddr);

				printf("    %-13s 0x%llx (file offset 0x%llx) %s+0x%llx\n",
				       goprobe_kind_name(p->kind), (unsigned long long)p->vaddr,
				       (unsigned long long)p->offset, f ? f->name : "?",
				       f ? (unsigned long long)(p->vaddr - f->entry) : 0ull);
			}
		}
		goelf_close(g);
	}
	return ret;
}
