// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * coldtrace: where the cold start of a sandbox goes, seen from the kernel.
 *
 *   coldtrace COMMAND [OPTIONS] ...
 *
 * main() picks the command from the table below (as bpftool's struct cmd);
 * each command parses its own options and has its own --help.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"

struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	const char *about;    /* one line for the overview */
	bool huge_pages;      /* loads BPF: worth the re-exec below */
};

static const struct cmd cmds[] = {
	{"run", cmd_run, "start a command traced and show where its start went", true},
	{"watch", cmd_watch, "trace the sandboxes someone else starts, one output each", true},
	{"report", ct_cmd_report, "aggregate runs saved with -f jsonl, or compare two sets", false},
	{"inspect", cmd_inspect, "what coldtrace reads from a Go binary (no root needed)", false},
	{"clickhouse-schema", cmd_schema, "the ClickHouse tables --clickhouse writes: SQL, or made on a server", false},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	fputs("Usage: coldtrace COMMAND [OPTIONS] ...\n"
	      "       coldtrace run [OPTIONS] -- CMD [ARGS...]\n"
	      "\n"
	      "Where the cold start of a sandbox goes, seen from the kernel: the process\n"
	      "tree and, for every Go binary, each package's init - the facts\n"
	      "GODEBUG=inittrace=1 prints, without setting GODEBUG or touching the binary.\n"
	      "\n"
	      "Commands:\n", f);
	int w = 0;

	for (size_t i = 0; i < NCMDS; i++) /* the longest name sets the column */
		if ((int)strlen(cmds[i].name) > w)
			w = (int)strlen(cmds[i].name);
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(f, "  %-*s  %s\n", w, cmds[i].name, cmds[i].about);
	fputs("\n"
	      "'coldtrace COMMAND --help' (or 'coldtrace help COMMAND'): its options.\n"
	      "\n"
	      "  -h, --help           this help\n"
	      "  -V, --version        version\n", f);
}

/*
 * Start-up is mostly libbpf parsing the kernel's BTF (~10 MB of fresh heap)
 * and, on VMs where a page fault is dear, most of that is page faults. With
 * glibc's malloc on transparent huge pages (the glibc.malloc.hugetlb
 * tunable, read only at process start) it takes a third less time and the
 * same RSS. So `run` and `watch` re-exec themselves once with it, and put the
 * environment back as it was at once: the traced commands see the user's.
 */
#define CT_TUNABLE "glibc.malloc.hugetlb=1"
#define CT_REEXEC_ENV "COLDTRACE_TUNABLES_WERE"

static void huge_pages_for_malloc(char **argv)
{
	const char *was = getenv(CT_REEXEC_ENV), *cur = getenv("GLIBC_TUNABLES");
	char buf[4096];

	if (was) {
		/* the re-exec'd one: the tunable is in force; restore */
		if (!strcmp(was, "-"))
			unsetenv("GLIBC_TUNABLES");
		else
			setenv("GLIBC_TUNABLES", was + 1, 1);
		unsetenv(CT_REEXEC_ENV);
		return;
	}
	if ((cur && strstr(cur, "glibc.malloc.hugetlb")) || getenv("COLDTRACE_NO_REEXEC"))
		return;
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", R_OK))
		return;
	snprintf(buf, sizeof(buf), "%s%s", cur ? "=" : "-", cur ? cur : "");
	if (setenv(CT_REEXEC_ENV, buf, 1))
		return;
	snprintf(buf, sizeof(buf), "%s%s%s", cur ? cur : "", cur && *cur ? ":" : "", CT_TUNABLE);
	if (setenv("GLIBC_TUNABLES", buf, 1) == 0) {
		/* by its real path: the process's name stays "coldtrace" */
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n > 0) {
			self[n] = 0;
			execv(self, argv);
		}
	}
	/* could not: go on as we are, with the environment as it was */
	if (cur)
		setenv("GLIBC_TUNABLES", cur, 1);
	else
		unsetenv("GLIBC_TUNABLES");
	unsetenv(CT_REEXEC_ENV);
}
int main(int argc, char **argv)
{
	const char *name = argc >= 2 ? argv[1] : NULL;

	if (!name) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		printf("coldtrace %s\n", COLDTRACE_VERSION);
		return 0;
	}
	if (!strcmp(name, "help") && argc >= 3) { /* help COMMAND: COMMAND --help */
		name = argv[2];
		argv[2] = (char *)"--help";
		argv[1] = (char *)name;
	} else if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < NCMDS; i++) {
		if (strcmp(name, cmds[i].name))
			continue;
		if (cmds[i].huge_pages)
			huge_pages_for_malloc(argv);
		return cmds[i].func(argc - 1, argv + 1);
	}
	fprintf(stderr, "coldtrace: unknown command '%s'\nTry 'coldtrace --help'.\n", name);
	return CLI_EXIT_USAGE;
}
