// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report: percentiles, aggregation of hand-written runs (golden numbers),
 * incomplete runs and phases, the compare view, the CLI's errors and exit
 * statuses, two real runs of the demo sandbox (trimmed, from the fuzz seed
 * corpus), and the kernel-level breakdown's figures per phase and package
 * (runs without them still load).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct_test.h"
#include "jsonread.h"
#include "report.h"
#include "strbuf.h"

static char tmpdir[256];

static const char *tpath(const char *name)
{
	static char buf[8][512];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
	return buf[k];
}

static void write_file(const char *name, const char *data, size_t len)
{
	FILE *f = fopen(tpath(name), "w");

	if (!f) {
		CT__FAIL("cannot write %s", tpath(name));
		return;
	}
	fwrite(data, 1, len, f);
	fclose(f);
}

static char *read_fd_all(int fd)
{
	struct strbuf sb;
	char buf[4096];
	ssize_t n;

	sb_init(&sb);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sb_putn(&sb, buf, (size_t)n);
	if (!sb.buf)
		sb_puts(&sb, "");
	return sb.buf;
}

/* Run ct_cmd_report with the given arguments (NULL-terminated); its stdout
 * and stderr are returned (free them). */
static int run_cli(char **out, char **err, ...)
{
	char *argv[64];
	int argc = 0, rc, o_fd, e_fd, saved_o, saved_e;
	va_list ap;

	argv[argc++] = "report";
	va_start(ap, err);
	while (argc < 63 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;

	o_fd = open(tpath("cli.out"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	e_fd = open(tpath("cli.err"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	fflush(stdout);
	fflush(stderr);
	saved_o = dup(1);
	saved_e = dup(2);
	dup2(o_fd, 1);
	dup2(e_fd, 2);
	rc = ct_cmd_report(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_o, 1);
	dup2(saved_e, 2);
	close(saved_o);
	close(saved_e);
	*out = read_fd_all(o_fd);
	*err = read_fd_all(e_fd);
	close(o_fd);
	close(e_fd);
	return rc;
}

#define MS_NS 1000000ull

/*
 * One hand-written run, with k scaling its times:
 *   agent: exec at 1 s, held 0.5 ms; runtime start k*0.1 ms after exec+held;
 *   packages runtime (clock k*10 us) and example.com/a (clock k*1 ms), last
 *   init end at 2k ms, main.main at 2k ms + 10 us;
 *   phases agent_init (dur k*10 ms, held 1 ms), function_init (k*2 ms or no
 *   end), total (end - start = k*20 ms, no dur_ns);
 *   summary: complete, incomplete (lost 3) or absent.
 */
enum { SUM_OK, SUM_INCOMPLETE, SUM_NONE };

static void make_run(struct strbuf *sb, unsigned k, bool fi_done, int sum)
{
	uint64_t exec = 1000 * MS_NS, base = exec + MS_NS / 2;

	sb_reset(sb);
	sb_printf(sb, "{\"type\":\"header\",\"schema\":\"coldtrace/1\",\"version\":\"0.1.0\",\"clock\":\"monotonic\",\"realtime_offset_ns\":5,\"command\":\"d\",\"root_pid\":10,\"future\":{\"x\":[1,2]}}\n");
	sb_printf(sb, "{\"type\":\"process\",\"pid\":10,\"ppid\":1,\"nspid\":10,\"root\":true,\"start_ns\":%llu}\n",
		  (unsigned long long)exec - 100);
	sb_printf(sb, "{\"type\":\"exec\",\"pid\":10,\"ts_ns\":%llu,\"path\":\"/opt/x/agent\",\"comm\":\"agent\",\"argv\":[\"agent\",\"-v\"],\"held_ns\":%llu,\"go_version\":\"go1.19.8\"}\n",
		  (unsigned long long)exec, (unsigned long long)(MS_NS / 2));
	sb_printf(sb, "{\"type\":\"go_runtime\",\"pid\":10,\"ts_ns\":%llu}\n",
		  (unsigned long long)(base + k * MS_NS / 10));
	sb_printf(sb, "{\"type\":\"go_init\",\"pid\":10,\"seq\":0,\"pkg\":\"runtime\",\"start_ns\":%llu,\"nfns\":2,\"end_ns\":%llu,\"clock_ns\":%llu,\"at_ns\":1}\n",
		  (unsigned long long)(base + MS_NS / 2), (unsigned long long)(base + MS_NS / 2 + k * 10000),
		  (unsigned long long)(k * 10000));
	sb_printf(sb, "{\"type\":\"go_init\",\"pid\":10,\"seq\":1,\"pkg\":\"example.com/a\",\"start_ns\":%llu,\"nfns\":1,\"end_ns\":%llu,\"clock_ns\":%llu}\n",
		  (unsigned long long)(base + 2 * k * MS_NS - k * MS_NS), (unsigned long long)(base + 2 * k * MS_NS),
		  (unsigned long long)(k * MS_NS));
	/* a package init without an end: no clock, no effect on "last init" */
	sb_printf(sb, "{\"type\":\"go_init\",\"pid\":10,\"seq\":2,\"pkg\":\"example.com/unfinished\",\"start_ns\":%llu,\"nfns\":1}\n",
		  (unsigned long long)(base + 100 * MS_NS));
	sb_printf(sb, "{\"type\":\"go_main\",\"pid\":10,\"ts_ns\":%llu}\n",
		  (unsigned long long)(base + 2 * k * MS_NS + 10000));
	/* a record type this version does not know, and a blank line */
	sb_puts(sb, "{\"type\":\"io_future\",\"pid\":10,\"x\":{\"deep\":[[[]]]}}\n\n");
	sb_printf(sb, "{\"type\":\"phase\",\"sandbox\":0,\"name\":\"agent_init\",\"start_ns\":%llu,\"end_ns\":%llu,\"dur_ns\":%llu,\"pid\":10,\"complete\":true,\"held_ns\":%llu}\n",
		  (unsigned long long)exec, (unsigned long long)(exec + k * 10 * MS_NS),
		  (unsigned long long)(k * 10 * MS_NS), (unsigned long long)MS_NS);
	if (fi_done)
		sb_printf(sb, "{\"type\":\"phase\",\"name\":\"function_init\",\"start_ns\":1,\"end_ns\":%llu,\"dur_ns\":%llu,\"pid\":11,\"complete\":true}\n",
			  (unsigned long long)(1 + k * 2 * MS_NS), (unsigned long long)(k * 2 * MS_NS));
	else
		sb_puts(sb, "{\"type\":\"phase\",\"name\":\"function_init\",\"start_ns\":1,\"pid\":11,\"complete\":false}\n");
	sb_printf(sb, "{\"type\":\"phase\",\"name\":\"total\",\"start_ns\":%llu,\"end_ns\":%llu,\"pid\":10}\n",
		  (unsigned long long)exec, (unsigned long long)(exec + k * 20 * MS_NS));
	if (sum == SUM_OK)
		sb_puts(sb, "{\"type\":\"summary\",\"lost\":{\"exec\":0},\"lost_total\":0,\"bad_events\":0,\"complete\":true}\n");
	else if (sum == SUM_INCOMPLETE)
		sb_puts(sb, "{\"type\":\"summary\",\"lost\":{\"go\":3},\"lost_total\":3,\"bad_events\":0,\"complete\":false}\n");
}

CT_TEST(percentiles)
{
	uint64_t ten[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	uint64_t four[4] = {10, 20, 30, 40};
	uint64_t one[1] = {42};
	uint64_t hundred[100], big[1000];
	uint64_t shuffled[7] = {70, 10, 50, 30, 20, 60, 40};
	struct ct_stats st;

	/* nearest rank: the ceil(p/100 * n)-th smallest */
	CT_EQ_U64(ct_percentile(ten, 10, 50), 5);
	CT_EQ_U64(ct_percentile(ten, 10, 90), 9);
	CT_EQ_U64(ct_percentile(ten, 10, 99), 10);
	CT_EQ_U64(ct_percentile(ten, 10, 100), 10);
	CT_EQ_U64(ct_percentile(ten, 10, 0), 1);
	CT_EQ_U64(ct_percentile(ten, 10, 1), 1);
	CT_EQ_U64(ct_percentile(ten, 10, 11), 2);
	CT_EQ_U64(ct_percentile(ten, 10, 250), 10);
	CT_EQ_U64(ct_percentile(four, 4, 50), 20); /* rank 2: no interpolation */
	CT_EQ_U64(ct_percentile(four, 4, 51), 30);
	CT_EQ_U64(ct_percentile(four, 4, 75), 30);
	CT_EQ_U64(ct_percentile(four, 4, 76), 40);
	CT_EQ_U64(ct_percentile(one, 1, 50), 42);
	CT_EQ_U64(ct_percentile(one, 1, 99), 42);
	CT_EQ_U64(ct_percentile(NULL, 0, 50), 0);
	for (int i = 0; i < 100; i++)
		hundred[i] = (uint64_t)i + 1;
	CT_EQ_U64(ct_percentile(hundred, 100, 50), 50);
	CT_EQ_U64(ct_percentile(hundred, 100, 90), 90);
	CT_EQ_U64(ct_percentile(hundred, 100, 99), 99);
	for (int i = 0; i < 1000; i++)
		big[i] = (uint64_t)i + 1;
	CT_EQ_U64(ct_percentile(big, 1000, 99), 990);
	CT_EQ_U64(ct_percentile(big, 101, 99), 100); /* ceil(99.99) */
	CT_EQ_U64(ct_percentile(big, 101, 50), 51);  /* ceil(50.5) */

	ct_stats_of(shuffled, 7, &st);
	CT_EQ_INT(st.count, 7);
	CT_EQ_U64(st.p50, 40); /* ceil(3.5) = 4th */
	CT_EQ_U64(st.p90, 70); /* ceil(6.3) = 7th */
	CT_EQ_U64(st.p99, 70);
	CT_EQ_U64(st.max, 70);
	ct_stats_of(NULL, 0, &st);
	CT_EQ_INT(st.count, 0);
	CT_EQ_U64(st.max, 0);
}

/* Five runs k = 1..5: run 3 says incomplete, run 5 has no summary, run 2's
 * function_init has no end. */
static struct ct_report *five_runs(bool minus_held)
{
	struct ct_report *r = ct_report_new();
	struct strbuf sb;
	char err[256], name[32];

	sb_init(&sb);
	ct_report_set_minus_held(r, minus_held);
	for (unsigned k = 1; k <= 5; k++) {
		make_run(&sb, k, k != 2, k == 3 ? SUM_INCOMPLETE : k == 5 ? SUM_NONE : SUM_OK);
		snprintf(name, sizeof(name), "run%u.jsonl", k);
		err[0] = 0;
		if (ct_report_add_buffer(r, name, sb.buf, sb.len, err, sizeof(err)))
			CT__FAIL("run %u: %s", k, err);
	}
	sb_free(&sb);
	return r;
}

CT_TEST(aggregation)
{
	struct ct_report *r = five_runs(false);
	struct ct_stats st;
	size_t inc = 99;

	CT_EQ_INT(ct_report_nruns(r), 5);
	CT_EQ_INT(ct_report_nincomplete(r), 2);

	CT_TRUE(ct_report_phase_stats(r, "agent_init", &st, &inc));
	CT_EQ_INT(st.count, 5);
	CT_EQ_INT(inc, 0);
	CT_EQ_U64(st.p50, 30 * MS_NS);
	CT_EQ_U64(st.p90, 50 * MS_NS);
	CT_EQ_U64(st.p99, 50 * MS_NS);
	CT_EQ_U64(st.max, 50 * MS_NS);
	/* one without an end: counted, not in the stats (samples 2, 6, 8, 10) */
	CT_TRUE(ct_report_phase_stats(r, "function_init", &st, &inc));
	CT_EQ_INT(st.count, 4);
	CT_EQ_INT(inc, 1);
	CT_EQ_U64(st.p50, 6 * MS_NS);
	CT_EQ_U64(st.p90, 10 * MS_NS);
	/* no dur_ns: end - start */
	CT_TRUE(ct_report_phase_stats(r, "total", &st, NULL));
	CT_EQ_U64(st.p50, 60 * MS_NS);
	CT_TRUE(!ct_report_phase_stats(r, "nope", &st, NULL));

	/* startup figures from exec + held */
	CT_TRUE(ct_report_startup_stats(r, "agent", 0, &st));
	CT_EQ_INT(st.count, 5);
	CT_EQ_U64(st.p50, 3 * MS_NS / 10);
	CT_EQ_U64(st.max, 5 * MS_NS / 10);
	CT_TRUE(ct_report_startup_stats(r, "agent", 1, &st));
	CT_EQ_U64(st.p50, 6 * MS_NS);
	CT_TRUE(ct_report_startup_stats(r, "agent", 2, &st));
	CT_EQ_U64(st.p50, 6 * MS_NS + 10000);
	CT_EQ_U64(st.p90, 10 * MS_NS + 10000);
	CT_TRUE(!ct_report_startup_stats(r, "agent", 3, &st));
	CT_TRUE(!ct_report_startup_stats(r, "other", 0, &st));

	CT_TRUE(ct_report_pkg_stats(r, "agent", "example.com/a", &st));
	CT_EQ_INT(st.count, 5);
	CT_EQ_U64(st.p50, 3 * MS_NS);
	CT_TRUE(ct_report_pkg_stats(r, "agent", "runtime", &st));
	CT_EQ_U64(st.p50, 30000);
	CT_EQ_U64(st.p99, 50000);
	CT_TRUE(!ct_report_pkg_stats(r, "agent", "example.com/unfinished", &st));
	ct_report_free(r);

	/* --minus-held: phase durations without their held_ns */
	r = five_runs(true);
	CT_TRUE(ct_report_phase_stats(r, "agent_init", &st, NULL));
	CT_EQ_U64(st.p50, 29 * MS_NS);
	CT_TRUE(ct_report_phase_stats(r, "function_init", &st, NULL));
	CT_EQ_U64(st.p50, 6 * MS_NS); /* no held_ns: unchanged */
	ct_report_free(r);
}

static const char golden_text[] =
	"coldtrace report: 5 runs, 2 incomplete (flagged; their samples are included)\n"
	"  incomplete: run3.jsonl: summary says incomplete, 3 events lost\n"
	"  incomplete: run5.jsonl: no summary record (cut short?)\n"
	"\n"
	"phases                        count    p50 ms    p90 ms    p99 ms    max ms\n"
	"  agent_init                      5    30.000    50.000    50.000    50.000\n"
	"  function_init                   4     6.000    10.000    10.000    10.000   (+1 without an end, not counted)\n"
	"  total                           5    60.000   100.000   100.000   100.000\n"
	"\n"
	"Go program startup            count    p50 ms    p90 ms    p99 ms    max ms\n"
	"agent  (5 starts)\n"
	"  exec -> Go runtime start        5     0.300     0.500     0.500     0.500\n"
	"  exec -> last package init       5     6.000    10.000    10.000    10.000\n"
	"  exec -> main.main               5     6.010    10.010    10.010    10.010\n"
	"\n"
	"slowest package inits by p50 (1 of 2)\n"
	"  program   package        count    p50 ms    p90 ms    p99 ms    max ms\n"
	"  agent     example.com/a      5     3.000     5.000     5.000     5.000\n"
	"\n"
	"percentiles are nearest-rank (the ceil(p/100*n)-th smallest of n samples); times from exec\n"
	"leave out the time coldtrace held a process after exec to attach its probes; phase\n"
	"durations include it (their held_ns; --minus-held leaves it out)\n";

CT_TEST(render_text_golden)
{
	struct ct_report *r = five_runs(false);
	struct ct_report_opts o = {.top = 1};
	struct strbuf sb;

	sb_init(&sb);
	ct_report_render(r, &sb, &o);
	CT_EQ_STR(sb.buf, golden_text);
	if (sb.buf && strcmp(sb.buf, golden_text))
		printf("--- got:\n%s---\n", sb.buf);
	ct_report_free(r);
	sb_free(&sb);
}

CT_TEST(render_json)
{
	struct ct_report *r = five_runs(false);
	struct ct_report_opts o = {.json = true};
	struct strbuf sb;
	struct jr_obj jo;
	struct jr_error e;
	const struct jr_field *f;
	uint64_t u;

	sb_init(&sb);
	jr_init(&jo);
	ct_report_render(r, &sb, &o);
	CT_TRUE(sb.len > 0 && sb.buf[sb.len - 1] == '\n');
	CT_EQ_INT(jr_parse(&jo, sb.buf, sb.len, &e), 0);
	CT_EQ_INT(jr_get_u64(&jo, "runs", &u), 0);
	CT_EQ_U64(u, 5);
	CT_EQ_INT(jr_get_u64(&jo, "packages_total", &u), 0);
	CT_EQ_U64(u, 2);
	f = jr_get(&jo, "incomplete_runs");
	CT_TRUE(f && f->type == JR_ARRAY);
	CT_TRUE(strstr(sb.buf, "{\"file\":\"run3.jsonl\",\"reason\":\"summary says incomplete, 3 events lost\"}") != NULL);
	CT_TRUE(strstr(sb.buf, "{\"name\":\"function_init\",\"incomplete\":1,\"stats\":{\"count\":4,\"p50_ns\":6000000,\"p90_ns\":10000000,\"p99_ns\":10000000,\"max_ns\":10000000}}") != NULL);
	CT_TRUE(strstr(sb.buf, "\"exec_to_main\":{\"count\":5,\"p50_ns\":6010000,") != NULL);
	/* all packages unless --top, by p50 */
	CT_TRUE(strstr(sb.buf, "\"packages\":[{\"program\":\"agent\",\"pkg\":\"example.com/a\",") != NULL);
	CT_TRUE(strstr(sb.buf, "\"pkg\":\"runtime\"") != NULL);
	ct_report_free(r);
	sb_free(&sb);
	jr_free(&jo);
}

CT_TEST(compare)
{
	struct ct_report *a = ct_report_new(), *b = ct_report_new();
	struct ct_report_opts o = {0};
	struct strbuf sb, run;
	char err[256];
	struct jr_obj jo;

	sb_init(&sb);
	sb_init(&run);
	jr_init(&jo);
	/* A: k = 4, 5, 6 (p50 k=5); B: k = 2, 3, 4 (p50 k=3) */
	for (unsigned k = 4; k <= 6; k++) {
		make_run(&run, k, true, SUM_OK);
		CT_EQ_INT(ct_report_add_buffer(a, "a", run.buf, run.len, err, sizeof(err)), 0);
		make_run(&run, k - 2, true, SUM_OK);
		CT_EQ_INT(ct_report_add_buffer(b, "b", run.buf, run.len, err, sizeof(err)), 0);
	}
	/* a phase only B has */
	{
		static const char b2[] = "{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n"
					 "{\"type\":\"phase\",\"name\":\"first_invoke\",\"dur_ns\":1000}\n";

		CT_EQ_INT(ct_report_add_buffer(b, "b2", b2, sizeof(b2) - 1, err, sizeof(err)), 0);
	}
	ct_report_render_compare(a, b, &sb, &o);
	/* "total" is the headline: 100 -> 60 ms */
	CT_TRUE(strstr(sb.buf, "coldtrace report --compare: A 3 runs (0 incomplete), B 4 runs (1 incomplete)\n"
			       "total p50 100 -> 60.0 ms (-40%)\n") != NULL);
	/* sorted by |diff|: total (40), agent_init (20), function_init (4) */
	CT_TRUE(strstr(sb.buf, "phase                            A p50 ms   B p50 ms    diff ms     diff  n A/B\n"
			       "  total                           100.000     60.000    -40.000   -40.0%  3/3\n"
			       "  agent_init                       50.000     30.000    -20.000   -40.0%  3/3\n"
			       "  function_init                    10.000      6.000     -4.000   -40.0%  3/3\n"
			       "  first_invoke                          -      0.001          -   only B  0/1\n") != NULL);
	CT_TRUE(strstr(sb.buf, "  agent exec -> main.main             10.010      6.010     -4.000   -40.0%  3/3\n") != NULL);
	CT_TRUE(strstr(sb.buf, "\npackage init (2 of 2, by |diff|)   A p50 ms   B p50 ms    diff ms     diff  n A/B\n"
			       "  agent example.com/a               5.000      3.000     -2.000   -40.0%  3/3\n"
			       "  agent runtime                     0.050      0.030     -0.020   -40.0%  3/3\n") != NULL);
	if (getenv("CT_SHOW"))
		printf("--- got:\n%s---\n", sb.buf);

	sb_reset(&sb);
	o.json = true;
	ct_report_render_compare(a, b, &sb, &o);
	CT_EQ_INT(jr_parse(&jo, sb.buf, sb.len, NULL), 0);
	CT_TRUE(strstr(sb.buf, "\"summary\":\"total p50 100 -> 60.0 ms (-40%)\"") != NULL);
	CT_TRUE(strstr(sb.buf, "{\"name\":\"total\",\"a_count\":3,\"b_count\":3,\"a_p50_ns\":100000000,\"b_p50_ns\":60000000,\"diff_ns\":-40000000,\"diff_pct\":-40.0}") != NULL);
	CT_TRUE(strstr(sb.buf, "{\"name\":\"first_invoke\",\"a_count\":0,\"b_count\":1,\"a_p50_ns\":null,\"b_p50_ns\":1000,\"diff_ns\":null,\"diff_pct\":null}") != NULL);
	CT_TRUE(strstr(sb.buf, "{\"program\":\"agent\",\"name\":\"exec_to_runtime\",") != NULL);

	/* nothing in common */
	sb_reset(&sb);
	o.json = false;
	ct_report_free(b);
	b = ct_report_new();
	ct_report_render_compare(a, b, &sb, &o);
	CT_TRUE(strstr(sb.buf, "\nnothing measured in both A and B\n") != NULL);

	ct_report_free(a);
	ct_report_free(b);
	sb_free(&sb);
	sb_free(&run);
	jr_free(&jo);
}

CT_TEST(input_errors)
{
	static const struct {
		const char *data, *msg;
	} cases[] = {
		{"", "x.jsonl: empty: no coldtrace jsonl header"},
		{"\n \n", "x.jsonl: empty: no coldtrace jsonl header"},
		{"\x7f" "ELF\x02\x01", "x.jsonl:1: not a coldtrace jsonl file (not JSON: not a JSON object at byte 1)"},
		{"hello world\n", "x.jsonl:1: not a coldtrace jsonl file (not JSON: not a JSON object at byte 1)"},
		{"{\"a\":1}\n", "x.jsonl:1: not a coldtrace jsonl file (no \"type\" in the first record)"},
		{"{\"type\":\"exec\"}\n", "x.jsonl:1: not a coldtrace jsonl file (first record is \"exec\", not a header)"},
		{"{\"type\":\"header\"}\n", "x.jsonl:1: header without a \"schema\" string (expected \"coldtrace/1\")"},
		{"{\"type\":\"header\",\"schema\":\"coldtrace/2\"}\n",
		 "x.jsonl:1: schema \"coldtrace/2\" is not supported (expected \"coldtrace/1\")"},
		{"{\"type\":\"header\",\"schema\":\"coldtrace/1\\u0000x\"}\n",
		 "x.jsonl:1: schema \"coldtrace/1\" is not supported (expected \"coldtrace/1\")"},
		{"{\"type\":\"header\",\"schema\":\"a\\nb\"}\n",
		 "x.jsonl:1: schema \"a?b\" is not supported (expected \"coldtrace/1\")"},
		{"\n{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n{\"type\":\"go_init\",\"pid\":1}\n",
		 "x.jsonl:3: go_init record: \"pkg\" missing or not a string"},
		{"{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n{\"type\":\"exec\",\"pid\":-1,\"ts_ns\":1}\n",
		 "x.jsonl:2: exec record: \"pid\" missing or not a non-negative integer"},
		{"{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n{\"type\":\"go_main\",\"pid\":1,\"ts_ns\":1.5}\n",
		 "x.jsonl:2: go_main record: \"ts_ns\" missing or not a non-negative integer"},
		{"{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n{\"type\":\"phase\",\"name\":3}\n",
		 "x.jsonl:2: phase record: \"name\" missing or not a string"},
		{"{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n{\"type\":\"summary\",\"complete\":\"yes\"}\n",
		 "x.jsonl:2: summary record: \"complete\" is not true or false"},
		{"{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n{\"type\":\"exec\",\"pid\":1,\"ts_ns\":1}\n{\"type\":",
		 "x.jsonl:3: invalid JSON: unexpected end of line at byte 9"},
		{"{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n{\"type\":7}\n",
		 "x.jsonl:2: record without a \"type\" string"},
		{"{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n",
		 "x.jsonl:2: a second header (runs concatenated? give each run as its own file)"},
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ct_report *r = ct_report_new();
		size_t len = strlen(cases[i].data);

		err[0] = 0;
		CT_EQ_INT(ct_report_add_buffer(r, "x.jsonl", cases[i].data, len, err, sizeof(err)), -1);
		if (strcmp(err, cases[i].msg))
			CT__FAIL("case %zu: \"%s\", expected \"%s\"", i, err, cases[i].msg);
		CT_EQ_INT(ct_report_nruns(r), 0); /* a bad run is not counted */
		ct_report_free(r);
	}
}

CT_TEST(bad_run_does_not_count)
{
	struct ct_report *r = ct_report_new();
	struct strbuf sb;
	struct ct_stats st;
	char err[256];

	sb_init(&sb);
	make_run(&sb, 1, true, SUM_OK);
	CT_EQ_INT(ct_report_add_buffer(r, "good", sb.buf, sb.len, err, sizeof(err)), 0);
	/* the same run with garbage at the end: none of its samples stay */
	make_run(&sb, 5, true, SUM_OK);
	sb_puts(&sb, "garbage\n");
	CT_EQ_INT(ct_report_add_buffer(r, "bad", sb.buf, sb.len, err, sizeof(err)), -1);
	CT_TRUE(ct_report_phase_stats(r, "agent_init", &st, NULL));
	CT_EQ_INT(st.count, 1);
	CT_EQ_U64(st.max, 10 * MS_NS);
	CT_EQ_INT(ct_report_nruns(r), 1);
	/* line by line, then abort */
	ct_report_begin_run(r, "partial");
	CT_EQ_INT(ct_report_line(r, sb.buf, strchr(sb.buf, '\n') - sb.buf, err, sizeof(err)), 0);
	ct_report_abort_run(r);
	CT_EQ_INT(ct_report_nruns(r), 1);
	/* and a run whose records come without exec (pid 7: "(unknown)") */
	{
		static const char noexec[] =
			"{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n"
			"{\"type\":\"go_init\",\"pid\":7,\"seq\":0,\"pkg\":\"p\",\"start_ns\":1,\"nfns\":1,\"end_ns\":5,\"clock_ns\":4}\n"
			"{\"type\":\"go_main\",\"pid\":7,\"ts_ns\":9}\n";

		CT_EQ_INT(ct_report_add_buffer(r, "noexec", noexec, sizeof(noexec) - 1, err, sizeof(err)), 0);
	}
	CT_TRUE(ct_report_pkg_stats(r, "(unknown)", "p", &st));
	CT_EQ_U64(st.p50, 4);
	CT_TRUE(ct_report_startup_stats(r, "(unknown)", 2, &st));
	CT_EQ_INT(st.count, 0); /* no exec: no startup figures */
	CT_EQ_INT(ct_report_nincomplete(r), 1);
	ct_report_free(r);
	sb_free(&sb);
}

CT_TEST(cli_usage_and_errors)
{
	struct strbuf sb;
	char *out, *err, *big;
	size_t n = CT_REPORT_MAX_LINE + 100;

	sb_init(&sb);
	for (unsigned k = 1; k <= 3; k++) {
		char name[32];

		make_run(&sb, k, true, SUM_OK);
		snprintf(name, sizeof(name), "c%u.jsonl", k);
		write_file(name, sb.buf, sb.len);
	}
	write_file("schema2.jsonl", "{\"type\":\"header\",\"schema\":\"coldtrace/2\"}\n", 41);
	write_file("empty.jsonl", "", 0);

	CT_EQ_INT(run_cli(&out, &err, tpath("c1.jsonl"), tpath("c2.jsonl"), tpath("c3.jsonl"), NULL), 0);
	CT_TRUE(strstr(out, "coldtrace report: 3 runs, all complete\n") != NULL);
	CT_TRUE(strstr(out, "  agent_init                      3    20.000    30.000    30.000    30.000\n") != NULL);
	CT_EQ_STR(err, "");
	free(out), free(err);

	CT_EQ_INT(run_cli(&out, &err, "--format=json", "--top", "1", tpath("c1.jsonl"), NULL), 0);
	CT_TRUE(strncmp(out, "{\"type\":\"report\",\"runs\":1,", 26) == 0);
	CT_TRUE(strstr(out, "\"packages_total\":2,\"packages\":[{\"program\":\"agent\",\"pkg\":\"example.com/a\",\"stats\":{\"count\":1,\"p50_ns\":1000000,\"p90_ns\":1000000,\"p99_ns\":1000000,\"max_ns\":1000000}}]}\n") != NULL);
	free(out), free(err);

	CT_EQ_INT(run_cli(&out, &err, "--compare", tpath("c3.jsonl"), "--vs", tpath("c1.jsonl"), tpath("c2.jsonl"),
		      NULL), 0);
	CT_TRUE(strstr(out, "\ntotal p50 60.0 -> 20.0 ms (-67%)\n") != NULL);
	free(out), free(err);

	/* usage: exit 2 */
	CT_EQ_INT(run_cli(&out, &err, NULL), 2);
	CT_EQ_STR(err, "coldtrace: report: no files given\nTry 'coldtrace report --help'.\n");
	free(out), free(err);
	CT_EQ_INT(run_cli(&out, &err, "--bogus", tpath("c1.jsonl"), NULL), 2);
	CT_TRUE(strncmp(err, "coldtrace: report: unknown option '--bogus'\n", 44) == 0);
	free(out), free(err);
	CT_EQ_INT(run_cli(&out, &err, "--top", "0", tpath("c1.jsonl"), NULL), 2);
	free(out), free(err);
	CT_EQ_INT(run_cli(&out, &err, "--top", NULL), 2);
	free(out), free(err);
	CT_EQ_INT(run_cli(&out, &err, "--format", "xml", tpath("c1.jsonl"), NULL), 2);
	free(out), free(err);
	CT_EQ_INT(run_cli(&out, &err, "--vs", tpath("c1.jsonl"), NULL), 2);
	CT_TRUE(strncmp(err, "coldtrace: report: --vs without --compare\n", 42) == 0);
	free(out), free(err);
	CT_EQ_INT(run_cli(&out, &err, "--compare", tpath("c1.jsonl"), NULL), 2);
	free(out), free(err);
	CT_EQ_INT(run_cli(&out, &err, "--compare", tpath("c1.jsonl"), "--vs", NULL), 2);
	CT_TRUE(strncmp(err, "coldtrace: report: no files after --vs\n", 39) == 0);
	free(out), free(err);
	CT_EQ_INT(run_cli(&out, &err, "--help", NULL), 0);
	CT_TRUE(strncmp(out, "Usage: coldtrace report", 23) == 0);
	free(out), free(err);

	/* bad input: exit 1, one line naming the file */
	CT_EQ_INT(run_cli(&out, &err, tpath("c1.jsonl"), tpath("missing.jsonl"), NULL), 1);
	sb_reset(&sb);
	sb_printf(&sb, "coldtrace: report: %s: No such file or directory\n", tpath("missing.jsonl"));
	CT_EQ_STR(err, sb.buf);
	CT_EQ_STR(out, ""); /* nothing printed on error */
	free(out), free(err);
	CT_EQ_INT(run_cli(&out, &err, tpath("schema2.jsonl"), NULL), 1);
	sb_reset(&sb);
	sb_printf(&sb, "coldtrace: report: %s:1: schema \"coldtrace/2\" is not supported (expected \"coldtrace/1\")\n",
		  tpath("schema2.jsonl"));
	CT_EQ_STR(err, sb.buf);
	free(out), free(err);
	CT_EQ_INT(run_cli(&out, &err, tpath("empty.jsonl"), NULL), 1);
	free(out), free(err);
	CT_EQ_INT(run_cli(&out, &err, tmpdir, NULL), 1);
	CT_TRUE(strstr(err, ": is a directory\n") != NULL);
	free(out), free(err);
	if (geteuid() != 0) { /* root reads anything */
		write_file("noperm.jsonl", "{}", 2);
		chmod(tpath("noperm.jsonl"), 0);
		CT_EQ_INT(run_cli(&out, &err, tpath("noperm.jsonl"), NULL), 1);
		CT_TRUE(strstr(err, "Permission denied") != NULL);
		free(out), free(err);
	}

	/* a line over 1 MiB: an error naming the line, not a crash */
	big = malloc(n + 200);
	CT_TRUE(big != NULL);
	if (big) {
		size_t k = (size_t)sprintf(big, "{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n{\"type\":\"log\",\"line\":\"");

		memset(big + k, 'x', n);
		k += n;
		k += (size_t)sprintf(big + k, "\"}\n");
		write_file("long.jsonl", big, k);
		CT_EQ_INT(run_cli(&out, &err, tpath("long.jsonl"), NULL), 1);
		sb_reset(&sb);
		sb_printf(&sb, "coldtrace: report: %s:2: line longer than 1 MiB (1048576 bytes)\n", tpath("long.jsonl"));
		CT_EQ_STR(err, sb.buf);
		free(out), free(err);
		/* the same without the final newline */
		write_file("long2.jsonl", big, k - 1);
		CT_EQ_INT(run_cli(&out, &err, tpath("long2.jsonl"), NULL), 1);
		CT_TRUE(strstr(err, ":2: line longer than 1 MiB") != NULL);
		free(out), free(err);
		free(big);
	}
	sb_free(&sb);
}

/* Two real runs of the demo sandbox (ct-driver -> ct-agent -> ct-runtime-go,
 * one invoke), trimmed to the slow package inits: the fuzz seeds. */
CT_TEST(real_runs)
{
	const char *a = CT_SOURCE_DIR "/tests/fuzz/corpus/jsonl/real-demo-1.jsonl";
	const char *b = CT_SOURCE_DIR "/tests/fuzz/corpus/jsonl/real-demo-2.jsonl";
	char *out, *err;
	struct strbuf sb;
	struct ct_report *r = ct_report_new();
	FILE *f;
	struct ct_stats st;
	char e[256];

	CT_EQ_INT(run_cli(&out, &err, a, b, NULL), 0);
	CT_TRUE(strstr(out, "coldtrace report: 2 runs, all complete\n") != NULL);
	CT_TRUE(strstr(out, "\n  total                           2 ") != NULL);
	CT_TRUE(strstr(out, "\n  function_init                   2 ") != NULL);
	CT_TRUE(strstr(out, "\nct-agent  (2 starts)\n") != NULL);
	CT_TRUE(strstr(out, "\nct-runtime-go  (2 starts)\n") != NULL);
	CT_TRUE(strstr(out, "  ct-agent       example.com/ctagent/fatalerror          2 ") != NULL);
	CT_EQ_STR(err, "");
	if (!strstr(out, "ct-agent  (2 starts)"))
		printf("--- got:\n%s--- err: %s\n", out, err);
	free(out), free(err);

	CT_EQ_INT(run_cli(&out, &err, "--compare", a, "--vs", b, NULL), 0);
	CT_TRUE(strstr(out, "\ntotal p50 ") != NULL);
	free(out), free(err);

	/* the same numbers through the API: p50 of 2 samples is the smaller */
	sb_init(&sb);
	f = fopen(a, "r");
	if (f) {
		char buf[4096];
		size_t n;

		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			sb_putn(&sb, buf, n);
		fclose(f);
	}
	CT_EQ_INT(ct_report_add_buffer(r, "a", sb.buf, sb.len, e, sizeof(e)), 0);
	CT_TRUE(ct_report_phase_stats(r, "total", &st, NULL));
	CT_EQ_INT(st.count, 1);
	CT_EQ_U64(st.p50, 77435371);
	CT_TRUE(ct_report_pkg_stats(r, "ct-agent", "example.com/ctagent/fatalerror", &st));
	CT_EQ_INT(st.count, 1);
	ct_report_free(r);
	sb_free(&sb);
}


/*
 * A run with the kernel-level breakdown, k scaling its figures: function_init
 * (10k ms) with a "breakdown" record (CPU 2k ms, wall running 3k, runnable
 * k, I/O wait 5k ms, 0 uninterruptible, 100k minor and 10k major faults, k
 * voluntary switches, 0 involuntary, 3k files, k MiB read, k/2 MiB missed);
 * program "fn" with package example.com/b (clock k ms, CPU k/2 ms, 7k minor
 * faults, k major).
 */
static void make_bd_run(struct strbuf *sb, unsigned k)
{
	uint64_t exec = 1000 * MS_NS;

	sb_reset(sb);
	sb_puts(sb, "{\"type\":\"header\",\"schema\":\"coldtrace/1\",\"version\":\"0.2.0\"}\n");
	sb_printf(sb, "{\"type\":\"exec\",\"pid\":20,\"ts_ns\":%llu,\"path\":\"/var/task/fn\",\"comm\":\"fn\"}\n",
		  (unsigned long long)exec);
	sb_printf(sb, "{\"type\":\"go_init\",\"pid\":20,\"seq\":0,\"pkg\":\"example.com/b\",\"start_ns\":%llu,\"nfns\":1,\"end_ns\":%llu,\"clock_ns\":%llu,\"tid\":20,\"cpu_ns\":%llu,\"min_flt\":%u,\"maj_flt\":%u,\"nvcsw\":0,\"nivcsw\":0}\n",
		  (unsigned long long)(exec + MS_NS), (unsigned long long)(exec + MS_NS + k * MS_NS),
		  (unsigned long long)(k * MS_NS), (unsigned long long)(k * MS_NS / 2), 7 * k, k);
	sb_printf(sb, "{\"type\":\"phase\",\"sandbox\":0,\"name\":\"function_init\",\"start_ns\":%llu,\"end_ns\":%llu,\"dur_ns\":%llu,\"pid\":20,\"complete\":true}\n",
		  (unsigned long long)exec, (unsigned long long)(exec + 10 * k * MS_NS),
		  (unsigned long long)(10 * k * MS_NS));
	sb_printf(sb, "{\"type\":\"breakdown\",\"sandbox\":0,\"phase\":\"function_init\",\"scope\":\"runtime\",\"start_ns\":%llu,\"end_ns\":%llu,\"dur_ns\":%llu,\"sched\":true,\"files\":true,\"pcache\":true,\"complete\":true,"
		      "\"wall_running_ns\":%llu,\"wall_runnable_ns\":%llu,\"wall_iowait_ns\":%llu,\"wall_disk_ns\":0,\"wall_sleep_ns\":%llu,\"wall_stopped_ns\":0,\"wall_unknown_ns\":0,"
		      "\"cpu_ns\":%llu,\"min_flt\":%u,\"maj_flt\":%u,\"nvcsw\":%u,\"nivcsw\":0,\"threads\":2,\"procs\":1,"
		      "\"files_opened\":%u,\"read_bytes\":%llu,\"reads\":9,\"miss_bytes\":%llu,\"file_bytes\":1,\"group\":\"node_modules\",\"group_bytes\":1,"
		      "\"top\":[{\"path\":\"/x\",\"dev\":1,\"ino\":2,\"read_bytes\":1,\"miss_bytes\":0,\"bytes\":1}],\"summary\":\"function init ...\"}\n",
		  (unsigned long long)exec, (unsigned long long)(exec + 10 * k * MS_NS),
		  (unsigned long long)(10 * k * MS_NS), (unsigned long long)(3 * k * MS_NS),
		  (unsigned long long)(k * MS_NS), (unsigned long long)(5 * k * MS_NS), (unsigned long long)(k * MS_NS),
		  (unsigned long long)(2 * k * MS_NS), 100 * k, 10 * k, k, 3 * k, (unsigned long long)k << 20,
		  (unsigned long long)k << 19);
	sb_puts(sb, "{\"type\":\"summary\",\"lost_total\":0,\"complete\":true,\"sched\":true,\"files\":true,\"pcache\":true}\n");
}

/* Runs k = from..to with the breakdown, and one without (old): added to r. */
static void add_bd_runs(struct ct_report *r, unsigned from, unsigned to, bool old)
{
	struct strbuf sb;
	char err[256], name[32];

	sb_init(&sb);
	for (unsigned k = from; k <= to; k++) {
		make_bd_run(&sb, k);
		snprintf(name, sizeof(name), "bd%u.jsonl", k);
		err[0] = 0;
		if (ct_report_add_buffer(r, name, sb.buf, sb.len, err, sizeof(err)))
			CT__FAIL("run %u: %s", k, err);
	}
	if (old) {
		make_run(&sb, 1, true, SUM_OK);
		if (ct_report_add_buffer(r, "old.jsonl", sb.buf, sb.len, err, sizeof(err)))
			CT__FAIL("old run: %s", err);
	}
	sb_free(&sb);
}

CT_TEST(breakdown_figures)
{
	struct ct_report *r = ct_report_new();
	struct ct_stats st;

	add_bd_runs(r, 1, 5, true);
	CT_EQ_INT(ct_report_nruns(r), 6);
	/* per phase: 5 samples (the old run has none), nearest-rank */
	CT_TRUE(ct_report_phase_fig_stats(r, "function_init", CT_RF_CPU, &st));
	CT_EQ_INT(st.count, 5);
	CT_EQ_U64(st.p50, 6 * MS_NS);
	CT_EQ_U64(st.p90, 10 * MS_NS);
	CT_EQ_U64(st.max, 10 * MS_NS);
	CT_TRUE(ct_report_phase_fig_stats(r, "function_init", CT_RF_IOWAIT, &st));
	CT_EQ_U64(st.p50, 15 * MS_NS);
	CT_TRUE(ct_report_phase_fig_stats(r, "function_init", CT_RF_MAJFLT, &st));
	CT_EQ_U64(st.p50, 30);
	CT_EQ_U64(st.p99, 50);
	CT_TRUE(ct_report_phase_fig_stats(r, "function_init", CT_RF_READ, &st));
	CT_EQ_U64(st.p50, 3ull << 20);
	CT_TRUE(ct_report_phase_fig_stats(r, "function_init", CT_RF_MISS, &st));
	CT_EQ_U64(st.p90, 5ull << 19);
	CT_TRUE(ct_report_phase_fig_stats(r, "function_init", CT_RF_DISK, &st)); /* 0s are samples */
	CT_EQ_INT(st.count, 5);
	CT_EQ_U64(st.max, 0);
	/* the phase's duration has the old run's sample too */
	CT_TRUE(ct_report_phase_stats(r, "function_init", &st, NULL));
	CT_EQ_INT(st.count, 6);
	/* phases of the old run only: no figures */
	CT_TRUE(!ct_report_phase_fig_stats(r, "agent_init", CT_RF_CPU, &st));
	CT_TRUE(!ct_report_phase_fig_stats(r, "nope", CT_RF_CPU, &st));
	CT_TRUE(!ct_report_phase_fig_stats(r, "function_init", CT_RF_COUNT, &st));
	/* per package */
	CT_TRUE(ct_report_pkg_fig_stats(r, "fn", "example.com/b", CT_RF_CPU, &st));
	CT_EQ_INT(st.count, 5);
	CT_EQ_U64(st.p50, 3 * MS_NS / 2);
	CT_TRUE(ct_report_pkg_fig_stats(r, "fn", "example.com/b", CT_RF_MINFLT, &st));
	CT_EQ_U64(st.p90, 35);
	CT_TRUE(!ct_report_pkg_fig_stats(r, "fn", "example.com/b", CT_RF_IOWAIT, &st));
	CT_TRUE(!ct_report_pkg_fig_stats(r, "agent", "example.com/a", CT_RF_CPU, &st)); /* old run */
	CT_EQ_STR(ct_report_fig_key(CT_RF_MAJFLT), "maj_flt");
	CT_TRUE(ct_report_fig_key(CT_RF_COUNT) == NULL);
	ct_report_free(r);

	/* a figure that is not a number is an error with its line */
	{
		static const char bad[] = "{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n"
					  "{\"type\":\"breakdown\",\"phase\":\"x\",\"cpu_ns\":-1}\n";
		static const char nophase[] = "{\"type\":\"header\",\"schema\":\"coldtrace/1\"}\n"
					      "{\"type\":\"breakdown\",\"cpu_ns\":1}\n";
		char err[256];

		r = ct_report_new();
		CT_EQ_INT(ct_report_add_buffer(r, "b.jsonl", bad, sizeof(bad) - 1, err, sizeof(err)), -1);
		CT_EQ_STR(err, "b.jsonl:2: breakdown record: \"cpu_ns\" missing or not a non-negative integer");
		CT_EQ_INT(ct_report_add_buffer(r, "c.jsonl", nophase, sizeof(nophase) - 1, err, sizeof(err)), -1);
		CT_EQ_STR(err, "c.jsonl:2: breakdown record: \"phase\" missing or not a string");
		CT_EQ_INT(ct_report_nruns(r), 0);
		ct_report_free(r);
	}
}

static const char golden_bd_text[] =
	"phase breakdown               count       p50       p90       p99       max\n"
	"  function_init\n"
	"    on CPU ms                     5     6.000    10.000    10.000    10.000\n"
	"    running ms (wall)             5     9.000    15.000    15.000    15.000\n"
	"    runnable ms                   5     3.000     5.000     5.000     5.000\n"
	"    I/O wait ms                   5    15.000    25.000    25.000    25.000\n"
	"    sleeping ms                   5     3.000     5.000     5.000     5.000\n"
	"    minor faults                  5       300       500       500       500\n"
	"    major faults                  5        30        50        50        50\n"
	"    voluntary switches            5         3         5         5         5\n"
	"    files opened                  5         9        15        15        15\n"
	"    MB read                       5     3.000     5.000     5.000     5.000\n"
	"    MB into page cache            5     1.500     2.500     2.500     2.500\n"
	"  (wall-clock states: at each instant the best state of any thread of the phase's\n"
	"  processes; on CPU: their CPU time, which two threads on two CPUs count twice;\n"
	"  figures that are 0 in every run are left out)\n";

CT_TEST(breakdown_render)
{
	struct ct_report *r = ct_report_new(), *old = ct_report_new(), *a, *b;
	struct ct_report_opts o = {.top = 3};
	struct strbuf sb;
	struct jr_obj jo;
	const char *at;

	sb_init(&sb);
	jr_init(&jo);
	add_bd_runs(r, 1, 5, true);
	ct_report_render(r, &sb, &o);
	at = strstr(sb.buf, "phase breakdown ");
	CT_TRUE(at != NULL);
	if (at) {
		CT_TRUE(!strncmp(at, golden_bd_text, sizeof(golden_bd_text) - 1));
		if (strncmp(at, golden_bd_text, sizeof(golden_bd_text) - 1))
			printf("--- got:\n%s---\n", at);
	}
	/* after the phases table, before the programs */
	CT_TRUE(at && at > strstr(sb.buf, "\nphases ") && at < strstr(sb.buf, "\nGo program startup"));
	CT_TRUE(strstr(sb.buf, "package init breakdown, p50 (the same 3 packages)\n"
			       "  program   package          CPU ms   min flt   maj flt    vol sw  invol sw\n"
			       "  fn        example.com/b     1.500        21         3         0         0\n"
			       "  agent     example.com/a         -         -         -         -         -\n") != NULL);

	/* json: the figures in their own units, in the phase and package objects */
	sb_reset(&sb);
	o.json = true;
	ct_report_render(r, &sb, &o);
	CT_EQ_INT(jr_parse(&jo, sb.buf, sb.len, NULL), 0);
	CT_TRUE(strstr(sb.buf, "\"breakdown\":{\"cpu_ns\":{\"count\":5,\"p50\":6000000,\"p90\":10000000,\"p99\":10000000,\"max\":10000000},") != NULL);
	CT_TRUE(strstr(sb.buf, "\"maj_flt\":{\"count\":5,\"p50\":30,\"p90\":50,\"p99\":50,\"max\":50}") != NULL);
	CT_TRUE(strstr(sb.buf, "{\"program\":\"fn\",\"pkg\":\"example.com/b\",\"stats\":{\"count\":5,\"p50_ns\":3000000,\"p90_ns\":5000000,\"p99_ns\":5000000,\"max_ns\":5000000},\"breakdown\":{\"cpu_ns\":{\"count\":5,\"p50\":1500000,") != NULL);
	/* the old run's phases have no "breakdown" key */
	CT_TRUE(strstr(sb.buf, "{\"name\":\"agent_init\",\"incomplete\":0,\"stats\":{\"count\":1,\"p50_ns\":10000000,\"p90_ns\":10000000,\"p99_ns\":10000000,\"max_ns\":10000000}}") != NULL);

	/* old runs alone: no breakdown section at all */
	sb_reset(&sb);
	o.json = false;
	add_bd_runs(old, 1, 0, true);
	ct_report_render(old, &sb, &o);
	CT_TRUE(strstr(sb.buf, "breakdown") == NULL);
	sb_reset(&sb);
	o.json = true;
	ct_report_render(old, &sb, &o);
	CT_TRUE(strstr(sb.buf, "breakdown") == NULL);

	/* compare: A k = 4..6, B k = 2..4 (and the old run in both) */
	a = ct_report_new();
	b = ct_report_new();
	add_bd_runs(a, 4, 6, true);
	add_bd_runs(b, 2, 4, true);
	sb_reset(&sb);
	o.json = false;
	ct_report_render_compare(a, b, &sb, &o);
	CT_TRUE(strstr(sb.buf, "\nphase breakdown                         A p50      B p50       diff     diff  n A/B\n"
			       "  function_init on CPU ms              10.000      6.000     -4.000   -40.0%  3/3\n") != NULL);
	CT_TRUE(strstr(sb.buf, "\n  function_init major faults               50         30        -20   -40.0%  3/3\n") != NULL);
	CT_TRUE(strstr(sb.buf, "\n  function_init MB into page cache      2.500      1.500     -1.000   -40.0%  3/3\n") != NULL);
	CT_TRUE(strstr(sb.buf, "uninterruptible") == NULL); /* 0 on both sides */
	CT_TRUE(strstr(sb.buf, "\npackage init breakdown (1 of 1, by |CPU diff|)") != NULL);
	CT_TRUE(strstr(sb.buf, "\n  fn example.com/b on CPU ms                        2.500      1.500     -1.000   -40.0%  3/3\n") != NULL);
	CT_TRUE(strstr(sb.buf, "\n  fn example.com/b major faults                         5          3         -2   -40.0%  3/3\n") != NULL);
	/* the headline is still the total */
	CT_TRUE(strstr(sb.buf, "\ntotal p50 20.0 -> 20.0 ms (0%)\n") != NULL);
	if (getenv("CT_SHOW"))
		printf("--- got:\n%s---\n", sb.buf);
	sb_reset(&sb);
	o.json = true;
	ct_report_render_compare(a, b, &sb, &o);
	CT_EQ_INT(jr_parse(&jo, sb.buf, sb.len, NULL), 0);
	CT_TRUE(strstr(sb.buf, "\"phase_breakdown\":[{\"name\":\"function_init\",\"figure\":\"cpu_ns\",\"a_count\":3,\"b_count\":3,\"a_p50\":10000000,\"b_p50\":6000000,\"diff\":-4000000,\"diff_pct\":-40.0},") != NULL);
	CT_TRUE(strstr(sb.buf, "\"package_breakdown\":[{\"program\":\"fn\",\"pkg\":\"example.com/b\",\"figure\":\"cpu_ns\",") != NULL);
	/* old runs on both sides: no breakdown in the comparison */
	sb_reset(&sb);
	ct_report_render_compare(old, old, &sb, &o);
	CT_TRUE(strstr(sb.buf, "breakdown") == NULL);

	ct_report_free(a);
	ct_report_free(b);
	ct_report_free(old);
	ct_report_free(r);
	sb_free(&sb);
	jr_free(&jo);
}

int main(void)
{
	char tmpl[] = "/tmp/ct-test-report-XXXXXX";
	char cmd[600];

	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s", tmpl);
	CT_RUN(percentiles);
	CT_RUN(aggregation);
	CT_RUN(render_text_golden);
	CT_RUN(render_json);
	CT_RUN(compare);
	CT_RUN(input_errors);
	CT_RUN(bad_run_does_not_count);
	CT_RUN(cli_usage_and_errors);
	CT_RUN(real_runs);
	CT_RUN(breakdown_figures);
	CT_RUN(breakdown_render);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return ct_summary();
}
