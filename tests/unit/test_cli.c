// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The command line's pure parts: the view table and what is generated from
 * it, the shared option tables, --top, and each command's own --help. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ct_test.h"
#include "options.h"
#include "render.h"
#include "report.h"

/* What f(argc, argv) writes to stdout and stderr (free both), and its
 * return value. */
static int capture(int (*f)(int, char **), char **out, char **err, ...)
{
	char *argv[16], *bufs[2] = {NULL, NULL};
	size_t lens[2];
	int argc = 0, rc, saved[2];
	FILE *tmp[2];
	va_list ap;

	va_start(ap, err);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 2; i++) {
		tmp[i] = tmpfile();
		saved[i] = dup(1 + i);
		dup2(fileno(tmp[i]), 1 + i);
	}
	optind = 1;
	rc = f(argc, argv);
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 2; i++) {
		dup2(saved[i], 1 + i);
		close(saved[i]);
		lens[i] = (size_t)ftell(tmp[i]);
		bufs[i] = calloc(1, lens[i] + 1);
		rewind(tmp[i]);
		if (fread(bufs[i], 1, lens[i], tmp[i]) != lens[i])
			bufs[i][0] = 0;
		fclose(tmp[i]);
	}
	*out = bufs[0];
	*err = bufs[1];
	return rc;
}

static int top_of(int argc, char **argv)
{
	int top = -1;

	return cli_parse_top(argv[0], &top) ? top : -1;
}

CT_TEST(view_table_is_whole)
{
	CT_TRUE(ct_nviews >= 6);
	for (size_t i = 0; i < ct_nviews; i++) {
		const struct ct_view *v = &ct_views[i];

		CT_TRUE(v->name && *v->name && v->extension && *v->extension && v->render && v->about);
		CT_TRUE(ct_view_find(v->name) == v); /* names are unique */
	}
	CT_TRUE(ct_view_find("nope") == NULL);
	CT_EQ_STR(ct_views[0].name, "text"); /* the default */
	CT_EQ_STR(ct_view_find("inittrace")->extension, "inittrace.txt");
	CT_EQ_STR(ct_view_find("perfetto")->extension, "perfetto.json");
	CT_TRUE(env.view == &ct_views[0]);
}

/* Every view renders through the one signature (inittrace too). */
CT_TEST(every_view_renders_an_empty_model)
{
	struct ct_render_opts o = {.command = "true", .top = 5};
	struct ct_model m;

	ct_model_init(&m, NULL);
	ct_model_finish(&m);
	for (size_t i = 0; i < ct_nviews; i++) {
		struct strbuf sb;

		sb_init(&sb);
		ct_views[i].render(&m, &sb, &o);
		CT_TRUE(!sb.oom);
		sb_free(&sb);
	}
	ct_model_free(&m);
}

/* The help's list of formats comes from the table: every view, once. */
CT_TEST(help_lists_every_view)
{
	static const struct cli_option none[] = {{NULL, 0, NULL, NULL}};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cli_print_options(f, none);
	fclose(f);
	for (size_t i = 0; i < ct_nviews; i++) {
		char line[64];

		snprintf(line, sizeof(line), "\n        %-15s%s", ct_views[i].name, ct_views[i].about);
		CT_TRUE(strstr(text, line) != NULL);
	}
	CT_TRUE(strstr(text, "  -f, --format FMT     the output's format:\n") == text);
	CT_TRUE(strstr(text, "      --capture-bytes N  bytes copied per read/write syscall (default 512,\n"
			     "                       at most 4096; 0: no HTTP or log-line tracing)\n") != NULL);
	CT_TRUE(strstr(text, "  -h, --help           this help\n") != NULL);
	free(text);
}

CT_TEST(getopt_arrays_from_tables)
{
	static const struct cli_option own[] = {
		{"output", 'o', "FILE", "x"},
		{"force", CLI_OPT_FORCE, NULL, "y"},
		{NULL, 0, NULL, NULL},
	};
	struct cli_getopt g;
	size_t n = 0;

	cli_getopt_init(&g, own, true);
	CT_EQ_STR(g.shortopts, "+o:f:n:qvh");
	while (g.longopts[n].name)
		n++;
	CT_TRUE(n > 10);
	CT_EQ_STR(g.longopts[1].name, "force");
	CT_EQ_INT(g.longopts[1].has_arg, no_argument);
	CT_EQ_INT(g.longopts[1].val, CLI_OPT_FORCE);
	cli_getopt_init(&g, own, false);
	CT_EQ_STR(g.shortopts, "o:f:n:qvh");
}

/* --top: one range, one error, in run, watch and report. */
CT_TEST(top_range_and_error)
{
	char *out, *err;

	CT_EQ_INT(capture(top_of, &out, &err, "1", NULL), 1);
	CT_EQ_STR(err, "");
	free(out), free(err);
	CT_EQ_INT(capture(top_of, &out, &err, "1000000", NULL), 1000000);
	free(out), free(err);
	CT_EQ_INT(capture(top_of, &out, &err, "0", NULL), -1);
	CT_EQ_STR(err, "coldtrace: --top takes a number from 1 to 1000000, not '0'\n");
	free(out), free(err);
	CT_EQ_INT(capture(top_of, &out, &err, "1000001", NULL), -1);
	free(out), free(err);
	CT_EQ_INT(capture(top_of, &out, &err, "5x", NULL), -1);
	free(out), free(err);
	CT_EQ_INT(capture(top_of, &out, &err, "", NULL), -1);
	free(out), free(err);
	CT_EQ_INT(capture(top_of, &out, &err, "99999999999999999999", NULL), -1);
	free(out), free(err);

	CT_EQ_INT(capture(ct_cmd_report, &out, &err, "report", "--top", "0", "x.jsonl", NULL), 2);
	CT_EQ_STR(err, "coldtrace: --top takes a number from 1 to 1000000, not '0'\n");
	free(out), free(err);
}

CT_TEST(inspect_has_its_own_help)
{
	char *out, *err;

	CT_EQ_INT(capture(cmd_inspect, &out, &err, "inspect", "--help", NULL), 0);
	CT_TRUE(strncmp(out, "Usage: coldtrace inspect ", 25) == 0);
	CT_EQ_STR(err, "");
	free(out), free(err);
	CT_EQ_INT(capture(cmd_inspect, &out, &err, "inspect", "-h", NULL), 0);
	CT_TRUE(strncmp(out, "Usage: coldtrace inspect ", 25) == 0);
	free(out), free(err);
	CT_EQ_INT(capture(cmd_inspect, &out, &err, "inspect", "--bogus", NULL), 2);
	CT_EQ_STR(err, "coldtrace: inspect: unknown option '--bogus'\nTry 'coldtrace inspect --help'.\n");
	free(out), free(err);
	/* after --, a file name: this one does not exist */
	CT_EQ_INT(capture(cmd_inspect, &out, &err, "inspect", "--", "--help", NULL), 1);
	CT_TRUE(strncmp(err, "coldtrace: --help: ", 19) == 0);
	free(out), free(err);
}

int main(void)
{
	CT_RUN(view_table_is_whole);
	CT_RUN(every_view_renders_an_empty_model);
	CT_RUN(help_lists_every_view);
	CT_RUN(getopt_arrays_from_tables);
	CT_RUN(top_range_and_error);
	CT_RUN(inspect_has_its_own_help);
	return ct_summary();
}
