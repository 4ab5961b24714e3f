// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The correlation model and its views, on synthetic event streams. */
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "model.h"
#include "model_build.h"
#include "render.h"

/* A fake binary: function address -> package; the probe at ip 0x1000 is at
 * link address 0x1000 (no load bias) for every probe kind. */
static const char *fake_pkg_of(void *ctx, uint32_t bin, uint32_t kind, uint64_t ip, uint64_t fn)
{
	static char buf[64];

	(void)ctx;
	(void)kind;
	if (bin != 7)
		return NULL;
	fn -= ip - 0x1000; /* the bias */
	snprintf(buf, sizeof(buf), "example.com/p%llu", (unsigned long long)(fn >> 12));
	return buf;
}

static const char *fake_version(void *ctx, uint32_t bin)
{
	(void)ctx;
	return bin == 7 ? "go1.21.0" : NULL;
}

static struct ct_model_ops ops = {.pkg_of = fake_pkg_of, .bin_version = fake_version};

static void feed_exec(struct ct_model *m, uint32_t pid, uint64_t ts, const char *path)
{
	struct ct_exec e = {0};

	mb_hdr(&e.h, CT_EV_EXEC, pid, pid, ts);
	snprintf(e.path, sizeof(e.path), "%s", path);
	snprintf(e.comm, sizeof(e.comm), "prog");
	memcpy(e.args, "prog\0-x\0", 8);
	e.args_len = 8;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

static void feed_go(struct ct_model *m, uint32_t pid, uint64_t ts, uint32_t kind, uint64_t bias,
		    uint64_t value, uint64_t task, uint32_t nfns)
{
	struct ct_go e = {0};

	mb_hdr(&e.h, CT_EV_GO, pid, pid, ts);
	e.cookie = CT_COOKIE(kind, 7, CT_REG_AX, 0, 0);
	e.ip = 0x1000 + bias;
	e.value = value + bias;
	e.task = task;
	e.nfns = nfns;
	e.state = kind == CT_GO_TASKSTART ? 1 : 0;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

static void feed_exit(struct ct_model *m, uint32_t pid, uint64_t ts, int code)
{
	struct ct_exit e = {0};

	mb_hdr(&e.h, CT_EV_EXIT, pid, pid, ts);
	e.code = code << 8;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

/* runtime start at 1 ms; p1 runs 1.010-1.057 ms (one fn); p2 has two fns
 * 2.000-2.500 ms; doInit1's entry replayed by morestack for p3. */
static void go_program(struct ct_model *m, uint32_t pid, uint64_t bias)
{
	const uint64_t ms = 1000000;

	feed_exec(m, pid, 0 * ms + 500, "/bin/prog");
	feed_go(m, pid, 1 * ms, CT_GO_RTSTART, 0, 1 * ms, 0, 0);
	m->procs[m->nprocs - 1].images[0].rt_start = 1 * ms; /* value is not biased */
	feed_go(m, pid, 1 * ms + 10000, CT_GO_TASKSTART, bias, 0x1000, 0xa0, 1);
	feed_go(m, pid, 1 * ms + 57000, CT_GO_INITRET, bias, 0, 0, 0);
	feed_go(m, pid, 2 * ms, CT_GO_TASKSTART, bias, 0x2000, 0xb0, 2);
	feed_go(m, pid, 2 * ms + 100000, CT_GO_INITRET, bias, 0, 0, 0);
	feed_go(m, pid, 2 * ms + 500000, CT_GO_INITRET, bias, 0, 0, 0);
	feed_go(m, pid, 3 * ms, CT_GO_TASKSTART, bias, 0x3000, 0xc0, 1);
	feed_go(m, pid, 3 * ms + 20000, CT_GO_TASKSTART, bias, 0x3000, 0xc0, 1);
	feed_go(m, pid, 15 * ms, CT_GO_INITRET, bias, 0, 0, 0);
	feed_go(m, pid, 16 * ms, CT_GO_MAINMAIN, bias, 0, 0, 0);
	feed_go(m, pid, 16 * ms + 5, CT_GO_MAINMAIN, bias, 0, 0, 0); /* morestack replay */
}

CT_TEST(task_mode_packages)
{
	struct ct_model m;
	struct ct_image *im;

	ct_model_init(&m, &ops);
	ct_model_add_root(&m, 100, 1);
	go_program(&m, 100, 0x7f0000000000ull);
	feed_exit(&m, 100, 20000000, 0);
	im = ct_proc_image(ct_model_proc(&m, 100));
	CT_TRUE(im != NULL);
	if (!im)
		return;
	CT_TRUE(im->is_go);
	CT_EQ_STR(im->go_version, "go1.21.0");
	CT_EQ_INT(im->npkgs, 3);
	CT_EQ_STR(im->pkgs[0].pkg, "example.com/p1");
	CT_EQ_STR(im->pkgs[1].pkg, "example.com/p2");
	CT_EQ_STR(im->pkgs[2].pkg, "example.com/p3");
	CT_EQ_INT(im->pkgs[0].end - im->pkgs[0].start, 47000);
	CT_EQ_INT(im->pkgs[1].nfns, 2);
	CT_EQ_INT(im->pkgs[1].end - im->pkgs[1].start, 500000);
	/* the replayed entry moved p3's start, it did not open a 4th package */
	CT_EQ_INT(im->pkgs[2].start, 3020000);
	CT_EQ_INT(im->main_main, 16000000);
	CT_EQ_INT(m.unpaired, 0);
	ct_model_free(&m);
}

CT_TEST(inittrace_format)
{
	struct ct_model m;
	struct strbuf sb;

	ct_model_init(&m, &ops);
	ct_model_add_root(&m, 100, 1);
	go_program(&m, 100, 0);
	sb_init(&sb);
	ct_render_inittrace(&m, &sb, NULL);
	CT_EQ_STR(sb.buf, "init example.com/p1 @0.010 ms, 0.047 ms clock, 0 bytes, 0 allocs\n"
			  "init example.com/p2 @1.0 ms, 0.50 ms clock, 0 bytes, 0 allocs\n"
			  "init example.com/p3 @2.0 ms, 11 ms clock, 0 bytes, 0 allocs\n");
	sb_free(&sb);
	ct_model_free(&m);
}

CT_TEST(two_go_processes_have_headers)
{
	struct ct_model m;
	struct strbuf sb;
	struct ct_fork f = {0};

	ct_model_init(&m, &ops);
	ct_model_add_root(&m, 100, 1);
	feed_exec(&m, 100, 10, "/bin/sh");
	mb_hdr(&f.h, CT_EV_FORK, 100, 100, 20);
	f.child = 101;
	CT_EQ_INT(ct_model_add_event(&m, &f, sizeof(f)), 0);
	go_program(&m, 101, 0);
	f.child = 102;
	CT_EQ_INT(ct_model_add_event(&m, &f, sizeof(f)), 0);
	go_program(&m, 102, 0x555500000000ull);
	sb_init(&sb);
	ct_render_inittrace(&m, &sb, NULL);
	CT_TRUE(strstr(sb.buf, "# pid 101 /bin/prog\ninit example.com/p1 ") == sb.buf);
	CT_TRUE(strstr(sb.buf, "\n# pid 102 /bin/prog\ninit example.com/p1 ") != NULL);
	CT_EQ_INT(ct_model_proc(&m, 101)->ppid, 100);
	sb_free(&sb);
	ct_model_free(&m);
}

/* The preferred probes: a start and an end per task, whatever nfns. */
CT_TEST(task_start_end)
{
	struct ct_model m;
	struct ct_image *im;

	ct_model_init(&m, &ops);
	ct_model_add_root(&m, 5, 1);
	feed_exec(&m, 5, 100, "/x");
	feed_go(&m, 5, 1000, CT_GO_TASKSTART, 0, 0x1000, 0xa0, 3);
	feed_go(&m, 5, 5000, CT_GO_TASKEND, 0, 0, 0, 0);
	feed_go(&m, 5, 6000, CT_GO_TASKSTART, 0, 0x2000, 0xb0, 1);
	feed_go(&m, 5, 6500, CT_GO_TASKEND, 0, 0, 0, 0);
	feed_go(&m, 5, 7000, CT_GO_TASKEND, 0, 0, 0, 0); /* stray: no task running */
	im = ct_proc_image(ct_model_proc(&m, 5));
	CT_EQ_INT(im->npkgs, 2);
	CT_EQ_INT(im->pkgs[0].end - im->pkgs[0].start, 4000);
	CT_EQ_INT(im->pkgs[0].nfns, 3);
	CT_EQ_INT(im->pkgs[1].end - im->pkgs[1].start, 500);
	CT_EQ_INT(m.unpaired, 1);
	CT_EQ_INT(m.bad_tasks, 0);
	ct_model_free(&m);
}

CT_TEST(fallback_call_mode)
{
	struct ct_model m;
	struct ct_image *im;

	ct_model_init(&m, &ops);
	ct_model_add_root(&m, 5, 1);
	feed_exec(&m, 5, 100, "/x");
	/* two functions of p1, one of p2, through INITCALL/INITRET pairs */
	feed_go(&m, 5, 1000, CT_GO_INITCALL, 0, 0x1000, 0, 0);
	feed_go(&m, 5, 2000, CT_GO_INITRET, 0, 0, 0, 0);
	feed_go(&m, 5, 2100, CT_GO_INITCALL, 0, 0x1100, 0, 0);
	feed_go(&m, 5, 3000, CT_GO_INITRET, 0, 0, 0, 0);
	feed_go(&m, 5, 3100, CT_GO_INITCALL, 0, 0x2000, 0, 0);
	feed_go(&m, 5, 4000, CT_GO_INITRET, 0, 0, 0, 0);
	feed_go(&m, 5, 4100, CT_GO_INITRET, 0, 0, 0, 0); /* stray */
	im = ct_proc_image(ct_model_proc(&m, 5));
	CT_EQ_INT(im->npkgs, 2);
	CT_EQ_INT(im->pkgs[0].nfns, 2);
	CT_EQ_INT(im->pkgs[0].end - im->pkgs[0].start, 2000);
	CT_EQ_INT(m.unpaired, 1);
	ct_model_free(&m);
}

CT_TEST(malformed_events_are_counted)
{
	struct ct_model m;
	struct ct_hdr h = {0};
	char junk[3] = {1, 2, 3};

	ct_model_init(&m, &ops);
	CT_EQ_INT(ct_model_add_event(&m, junk, sizeof(junk)), -1);
	mb_hdr(&h, 999, 1, 1, 1);
	CT_EQ_INT(ct_model_add_event(&m, &h, sizeof(h)), -1);
	mb_hdr(&h, CT_EV_EXEC, 1, 1, 1); /* too short for an exec record */
	CT_EQ_INT(ct_model_add_event(&m, &h, sizeof(h)), -1);
	CT_EQ_INT(m.bad_events, 3);
	ct_model_free(&m);
}

/* One table says every record type's size and name; the model takes only
 * its own kinds (resume is the tracer's), each checked against min_size. */
CT_TEST(event_kinds_table)
{
	struct ct_model m;
	struct ct_resume r = {0};
	struct ct_fork f = {0};

	for (uint32_t t = 1; t < CT_EV_MAX; t++) {
		const struct ct_event_kind *k = ct_event_kind(t);

		CT_TRUE(k != NULL);
		CT_EQ_INT(k->type, t);
		CT_TRUE(k->min_size >= sizeof(struct ct_hdr));
		CT_EQ_STR(ct_event_name(t), k->name);
		for (uint32_t u = 1; u < t; u++)
			CT_TRUE(strcmp(ct_event_name(u), k->name) != 0);
	}
	CT_TRUE(ct_event_kind(0) == NULL);
	CT_TRUE(ct_event_kind(CT_EV_MAX) == NULL);
	CT_EQ_STR(ct_event_name(CT_EV_MAX), "other");
	CT_EQ_STR(ct_event_name(CT_EV_IO), "io");
	CT_EQ_INT(ct_event_kind(CT_EV_FORK)->min_size, sizeof(struct ct_fork));
	CT_TRUE(ct_event_kind(CT_EV_RESUME)->handler == NULL);

	ct_model_init(&m, &ops);
	mb_hdr(&r.h, CT_EV_RESUME, 1, 1, 1);
	CT_EQ_INT(ct_model_add_event(&m, &r, sizeof(r)), -1);
	mb_hdr(&f.h, CT_EV_FORK, 1, 1, 2);
	f.child = 2;
	CT_EQ_INT(ct_model_add_event(&m, &f, sizeof(f) - 1), -1);
	CT_EQ_INT(m.bad_events, 2);
	CT_EQ_INT(ct_model_add_event(&m, &f, sizeof(f)), 0);
	CT_TRUE(ct_model_proc(&m, 2) != NULL);
	m.lost[CT_EV_IO] = 4;
	m.lost[CT_EV_GO] = 3;
	CT_EQ_INT(ct_model_lost_total(&m), 7);
	ct_model_free(&m);
}

/* The read-only lookups find the same records as the mutable ones. */
CT_TEST(const_lookups)
{
	struct ct_model m;
	const struct ct_model *cm = &m;

	ct_model_init(&m, &ops);
	CT_TRUE(ct_model_proc_const(cm, 5) == NULL);
	ct_model_add_root(&m, 5, 1);
	feed_exec(&m, 5, 2, "/bin/a");
	CT_TRUE(ct_model_proc_const(cm, 5) == ct_model_proc(&m, 5));
	CT_TRUE(ct_model_proc_const(cm, 6) == NULL);
	CT_TRUE(ct_proc_image_const(ct_model_proc_const(cm, 5)) == ct_proc_image(ct_model_proc(&m, 5)));
	CT_EQ_STR(ct_proc_image_const(ct_model_proc_const(cm, 5))->path, "/bin/a");
	CT_TRUE(ct_proc_image_const(NULL) == NULL);
	ct_model_free(&m);
}

CT_TEST(pid_reuse_starts_a_new_process)
{
	struct ct_model m;

	ct_model_init(&m, &ops);
	ct_model_add_root(&m, 9, 1);
	feed_exec(&m, 9, 10, "/a");
	feed_exit(&m, 9, 20, 0);
	feed_exec(&m, 9, 30, "/b");
	CT_EQ_INT(m.nprocs, 2);
	CT_EQ_STR(ct_proc_image(ct_model_proc(&m, 9))->path, "/b");
	CT_TRUE(!ct_model_proc(&m, 9)->exited);
	ct_model_free(&m);
}

CT_TEST(many_processes)
{
	struct ct_model m;
	struct ct_fork f = {0};

	ct_model_init(&m, &ops);
	ct_model_add_root(&m, 1, 1);
	for (uint32_t i = 2; i < 20000; i++) {
		mb_hdr(&f.h, CT_EV_FORK, 1, 1, i);
		f.child = i;
		ct_model_add_event(&m, &f, sizeof(f));
		feed_exit(&m, i, i + 1, 0);
	}
	CT_EQ_INT(m.nprocs, 19999);
	CT_EQ_INT(ct_model_proc(&m, 12345)->pid, 12345);
	CT_TRUE(ct_model_proc(&m, 12345)->exited);
	ct_model_free(&m);
}

CT_TEST(fmt_ns_as_ms_matches_go)
{
	static const struct { uint64_t ns; const char *s; } cases[] = {
		{0, "0"}, {999, "0"}, {1000, "0.001"}, {47000, "0.047"}, {99999, "0.099"},
		{100000, "0.10"}, {140000, "0.14"}, {999999, "0.99"}, {1000000, "1.0"},
		{2500000, "2.5"}, {9999999, "9.9"}, {10000000, "10"}, {15700000, "15"},
		{123456789, "123"},
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ct_fmt_ns_as_ms(cases[i].ns, buf, sizeof(buf));
		CT_EQ_STR(buf, cases[i].s);
	}
}

CT_TEST(jsonl_is_escaped_and_complete)
{
	struct ct_model m;
	struct strbuf sb;
	struct ct_render_opts o = {.command = "prog \"quoted\"\n"};

	ct_model_init(&m, &ops);
	ct_model_add_root(&m, 100, 1);
	go_program(&m, 100, 0);
	m.lost[CT_EV_IO] = 4;
	sb_init(&sb);
	ct_render_jsonl(&m, &sb, &o);
	CT_TRUE(strstr(sb.buf, "\"command\":\"prog \\\"quoted\\\"\\n\"") != NULL);
	CT_TRUE(strstr(sb.buf, "\"argv\":[\"prog\",\"-x\"]") != NULL);
	CT_TRUE(strstr(sb.buf, "{\"type\":\"go_init\",\"pid\":100,\"seq\":1,\"pkg\":\"example.com/p2\",\"start_ns\":2000000,\"nfns\":2,\"end_ns\":2500000,\"clock_ns\":500000,\"at_ns\":1000000}") != NULL);
	CT_TRUE(strstr(sb.buf, "\"lost_total\":4") != NULL);
	CT_TRUE(strstr(sb.buf, "\"complete\":false") != NULL);
	sb_free(&sb);
	ct_model_free(&m);
}

CT_TEST(text_view_reports_loss_and_phases)
{
	struct ct_model m;
	struct strbuf sb;
	struct ct_render_opts o = {.command = "prog", .top = 2};

	ct_model_init(&m, &ops);
	ct_model_add_root(&m, 100, 1);
	go_program(&m, 100, 0);
	feed_exit(&m, 100, 20000000, 3);
	m.lost[CT_EV_GO] = 2;
	sb_init(&sb);
	ct_render_text(&m, &sb, &o);
	CT_TRUE(strstr(sb.buf, "prog: exit 3") != NULL);
	CT_TRUE(strstr(sb.buf, "exec -> main.main") != NULL);
	CT_TRUE(strstr(sb.buf, "11.980 ms  example.com/p3") != NULL);
	CT_TRUE(strstr(sb.buf, "example.com/p1") == NULL); /* only the top 2 */
	CT_TRUE(strstr(sb.buf, "2 events were lost") != NULL);
	sb_free(&sb);
	ct_model_free(&m);
}

int main(void)
{
	CT_RUN(task_mode_packages);
	CT_RUN(inittrace_format);
	CT_RUN(two_go_processes_have_headers);
	CT_RUN(task_start_end);
	CT_RUN(fallback_call_mode);
	CT_RUN(malformed_events_are_counted);
	CT_RUN(event_kinds_table);
	CT_RUN(const_lookups);
	CT_RUN(pid_reuse_starts_a_new_process);
	CT_RUN(many_processes);
	CT_RUN(fmt_ns_as_ms_matches_go);
	CT_RUN(jsonl_is_escaped_and_complete);
	CT_RUN(text_view_reports_loss_and_phases);
	return ct_summary();
}
