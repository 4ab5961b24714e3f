// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The cold-start timeline (phases.c) and its views, on recorded-style event
 * streams built here: processes (fork/exec/exit/Go probes), listen(), and
 * the real bytes of the Runtime API and of the agent's log lines as the
 * syscall probes capture them.
 *
 * The views are compared byte for byte with tests/unit/golden/. After an
 * intended change of a view, regenerate them and review the diff:
 *     CT_UPDATE_GOLDEN=1 build/tests/test_phases && git diff tests/unit/golden
 */
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "json_check.h"
#include "model.h"
#include "model_build.h"
#include "phases.h"
#include "render.h"

#define MS(x) ((uint64_t)(1000000000ull + (uint64_t)((x) * 1000000.0 + 0.5)))

static const char *fake_pkg_of(void *ctx, uint32_t bin, uint32_t kind, uint64_t ip, uint64_t fn)
{
	static char buf[64];

	(void)ctx, (void)kind, (void)ip;
	snprintf(buf, sizeof(buf), "example.com/%s/p%llu", bin == 1 ? "agent" : "fn", (unsigned long long)(fn >> 12));
	return buf;
}

static const char *fake_version(void *ctx, uint32_t bin)
{
	(void)ctx, (void)bin;
	return "go1.19.8";
}

static struct ct_model_ops ops = {.pkg_of = fake_pkg_of, .bin_version = fake_version};

/* A Go program's start: runtime, n package inits of 1 ms with 0.5 ms gaps
 * from at, main.main. */
static void go_start(struct ct_model *m, uint32_t pid, uint32_t bin, double rt, int n, double at, double mainm)
{
	mb_go(m, pid, bin, MS(rt), CT_GO_RTSTART, MS(rt));
	for (int i = 0; i < n; i++) {
		mb_go(m, pid, bin, MS(at + 1.5 * i), CT_GO_TASKSTART, 0x1000ull * (uint64_t)(i + 1));
		mb_go(m, pid, bin, MS(at + 1.5 * i + 1.0), CT_GO_TASKEND, 0);
	}
	mb_go(m, pid, bin, MS(mainm), CT_GO_MAINMAIN, 0);
}

/* An HTTP message sent by one traced process and read by another. */
static void http_(struct ct_model *m, uint32_t from, uint32_t to, double at, uint16_t sport, uint16_t dport,
		  const char *bytes)
{
	/* one socket per end: the client's (ephemeral, higher port) and the server's */
	uint16_t cp = sport > dport ? sport : dport;
	uint64_t client = 0xb0000ull + cp, server = 0xc0000ull + cp;

	mb_io(m, from, MS(at), CT_IO_WRITE, sport, dport, sport == cp ? client : server, bytes);
	mb_io(m, to, MS(at + 0.05), CT_IO_READ, dport, sport, sport == cp ? server : client, bytes);
}

#define NEXT_REQ "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUser-Agent: rt\r\n\r\n"
#define NEXT_RESP(id)                                                                                          \
	"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: " id                  \
	"\r\nLambda-Runtime-Deadline-Ms: 1700000003000\r\nContent-Length: 2\r\n\r\n{}"
#define POST_RESP(id)                                                                                          \
	"POST /2018-06-01/runtime/invocation/" id "/response HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n"                 \
	"Content-Length: 2\r\n\r\n{}"
#define ACCEPTED "HTTP/1.1 202 Accepted\r\nContent-Length: 15\r\n\r\n{\"status\":\"OK\"}"
#define INVOKE_REQ                                                                                             \
	"POST /2015-03-31/functions/function/invocations HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"                    \
	"Content-Length: 2\r\n\r\n{}"
#define INVOKE_RESP "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"

enum runtime_kind { RT_GO, RT_SHELL, RT_CRASH, RT_GO_EXT, RT_EXT_CRASH, RT_EXT_INITERR, RT_EXT_EARLY };

#define REG_REQ(name)                                                                                          \
	"POST /2020-01-01/extension/register HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nLambda-Extension-Name: " name      \
	"\r\nContent-Length: 32\r\n\r\n{\"events\":[\"INVOKE\",\"SHUTDOWN\"]}"
#define REG_RESP(id)                                                                                           \
	"HTTP/1.1 200 OK\r\nLambda-Extension-Identifier: " id "\r\nContent-Length: 2\r\n\r\n{}"
#define EXT_NEXT(id)                                                                                           \
	"GET /2020-01-01/extension/event/next HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nLambda-Extension-Identifier: " id \
	"\r\n\r\n"
#define TELEMETRY(id)                                                                                          \
	"PUT /2022-07-01/telemetry HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nLambda-Extension-Identifier: " id          \
	"\r\nContent-Length: 2\r\n\r\n{}"
#define EXT_INIT_ERROR(id)                                                                                     \
	"POST /2020-01-01/extension/init/error HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nLambda-Extension-Identifier: " id \
	"\r\nLambda-Extension-Function-Error-Type: Extension.ConfigInvalid\r\nContent-Length: 2\r\n\r\n{}"
#define OK_RESP "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK"

/*
 * Two extensions the agent a starts after INIT START (t + 20.21): a Go one
 * (base+10: exec 20.3, Go init, registers 21.0 -> 21.1 as id-go, subscribes
 * to telemetry 21.2 -> 21.3, ready 21.5) and a shell one (base+11, its curls
 * base+12.. send its requests: registers 22.0 -> 23.0 as id-sh, the last to
 * register). RT_GO_EXT: ct-ext-sh is ready at 38.05, 0.05 ms after the runtime's
 * first /next (38.0 with the runtime 10 ms later): it gates INIT.
 * RT_EXT_CRASH: ct-ext-sh exits with status 3 after registering;
 * RT_EXT_INITERR: it posts init/error (Extension.ConfigInvalid) and exits 1;
 * RT_EXT_EARLY: it exits with status 2 before registering, and the agent
 * logs no EXTENSION line (found by its folder: ct-ext-go's, /opt/extensions).
 */
static void extensions(struct ct_model *m, uint32_t a, uint32_t base, double t, uint16_t api, enum runtime_kind rk)
{
	uint32_t g = base + 10, sh = base + 11, c1 = base + 12, c2 = base + 13;

	mb_fork(m, a, g, MS(t + 20.25));
	mb_exec(m, g, a, MS(t + 20.3), "/opt/extensions/ct-ext-go");
	go_start(m, g, 3, t + 20.4, 0, t + 20.5, t + 20.9);
	mb_fork(m, a, sh, MS(t + 20.35));
	mb_exec(m, sh, a, MS(t + 20.4), "/opt/extensions/ct-ext-sh");
	http_(m, g, a, t + 21.0, 51000, api, REG_REQ("ct-ext-go"));
	http_(m, a, g, t + 21.1, api, 51000, REG_RESP("id-go"));
	http_(m, g, a, t + 21.2, 51000, api, TELEMETRY("id-go"));
	http_(m, a, g, t + 21.3, api, 51000, OK_RESP);
	http_(m, g, a, t + 21.5, 51000, api, EXT_NEXT("id-go"));
	if (rk == RT_EXT_EARLY) {
		mb_exit(m, sh, MS(t + 21.6), 2 << 8);
		return;
	}
	mb_fork(m, sh, c1, MS(t + 21.7));
	mb_exec(m, c1, sh, MS(t + 21.8), "/usr/bin/curl");
	http_(m, c1, a, t + 22.0, 52000, api, REG_REQ("ct-ext-sh"));
	http_(m, a, c1, t + 23.0, api, 52000, REG_RESP("id-sh"));
	mb_exit(m, c1, MS(t + 23.2), 0);
	if (rk == RT_EXT_CRASH) {
		mb_exit(m, sh, MS(t + 25.0), 3 << 8);
		return;
	}
	mb_fork(m, sh, c2, MS(t + 24.0));
	mb_exec(m, c2, sh, MS(t + 24.1), "/usr/bin/curl");
	if (rk == RT_EXT_INITERR) {
		http_(m, c2, a, t + 24.5, 52001, api, EXT_INIT_ERROR("id-sh"));
		http_(m, a, c2, t + 24.6, api, 52001, ACCEPTED);
		mb_exit(m, c2, MS(t + 24.8), 0);
		mb_exit(m, sh, MS(t + 25.0), 1 << 8);
		return;
	}
	http_(m, c2, a, t + 38.05, 52001, api, EXT_NEXT("id-sh"));
}


/* One sandbox: driver D (pid base), agent base+1, runtime base+2 (shell:
 * curl base+3 sends /next, curl base+4 posts the response). Times in ms
 * from t (offset); ports from port. */
static void sandbox(struct ct_model *m, uint32_t base, double t, uint16_t port, enum runtime_kind rk,
		    bool with_root)
{
	uint32_t d = base, a = base + 1, r = base + 2;
	char line[256];
	uint16_t api = port, inv = (uint16_t)(port + 1);
	double tr = t; /* the runtime's times: later when extensions start first */

	if (with_root)
		ct_model_add_root(m, d, MS(t));
	mb_exec(m, d, 1, MS(t + 0.0), "/sandbox/ct-driver");
	mb_fork(m, d, a, MS(t + 1.0));
	mb_exec(m, a, d, MS(t + 1.1), "/sandbox/ct-agent");
	ct_model_set_resumed(m, a, MS(t + 3.1)); /* held 2 ms by coldtrace */
	go_start(m, a, 1, t + 4.0, 3, t + 5.0, t + 10.0);
	mb_listen(m, a, MS(t + 10.5), api);
	mb_listen(m, a, MS(t + 10.6), inv);
	http_(m, d, a, t + 20.0, 40000, inv, INVOKE_REQ);
	mb_log(m, a, MS(t + 20.2), "INIT_START Runtime Version: ct-demo:1.v1 Runtime Version ARN: arn:aws:lambda:us-east-1::runtime:ct-demo");
	mb_log(m, a, MS(t + 20.21), "[INFO] (rapid) INIT START(type: on-demand, phase: init)");
	if (rk == RT_GO_EXT || rk == RT_EXT_CRASH || rk == RT_EXT_INITERR || rk == RT_EXT_EARLY) {
		extensions(m, a, base, t, api, rk);
		tr = t + 10.0;
		if (rk != RT_GO_EXT) { /* INIT failed: the runtime is never started */
			mb_log(m, a, MS(t + 26.0), "[INFO] (rapid) INIT RTDONE(status: error)");
			if (rk != RT_EXT_EARLY)
				mb_log(m, a, MS(t + 26.1),
				       rk == RT_EXT_CRASH
					       ? "EXTENSION\tName: ct-ext-sh\tState: Crashed\tEvents: [INVOKE,SHUTDOWN]\tError Type: Extension.Crash"
					       : "EXTENSION\tName: ct-ext-sh\tState: InitError\tEvents: [INVOKE,SHUTDOWN]\tError Type: Extension.ConfigInvalid");
			mb_log(m, a, MS(t + 26.2), "[INFO] (rapid) INIT REPORT(durationMs: 6.000000)");
			http_(m, a, d, t + 26.5, inv, 40000, INVOKE_RESP);
			mb_exit(m, base + 10, MS(t + 27.0), 9);
			mb_exit(m, a, MS(t + 28.0), 0);
			mb_exit(m, d, MS(t + 29.0), 1 << 8);
			return;
		}
	}
	mb_fork(m, a, r, MS(tr + 20.5));
	if (rk == RT_CRASH) {
		mb_exec(m, r, a, MS(tr + 21.0), "/bin/false");
		mb_exit(m, r, MS(tr + 21.5), 1 << 8);
		mb_log(m, a, MS(tr + 21.6), "[INFO] (rapid) INIT RTDONE(status: error)");
		mb_log(m, a, MS(tr + 21.62), "[INFO] (rapid) INIT REPORT(durationMs: 1.400000)");
		mb_log(m, a, MS(tr + 21.7), "START RequestId: crash-1 Version: $LATEST");
		mb_log(m, a, MS(tr + 21.72), "END RequestId: crash-1");
		mb_log(m, a, MS(tr + 21.74), "REPORT RequestId: crash-1\tInit Duration: 1.40 ms\tDuration: 0.01 ms\tBilled Duration: 1 ms\tMemory Size: 3008 MB\tMax Memory Used: 6 MB\tStatus: error\tError Type: Runtime.ExitError\t");
		http_(m, a, d, tr + 21.8, inv, 40000, INVOKE_RESP);
		mb_exit(m, a, MS(tr + 23.0), 0);
		mb_exit(m, d, MS(tr + 24.0), 1 << 8);
		return;
	}
	if (rk == RT_GO || rk == RT_GO_EXT) {
		mb_exec(m, r, a, MS(tr + 21.0), "/var/task/bootstrap");
		ct_model_set_resumed(m, r, MS(tr + 22.0));
		go_start(m, r, 2, tr + 23.0, 2, tr + 23.5, tr + 27.0);
		http_(m, r, a, tr + 28.0, 50000, api, NEXT_REQ);
	} else {
		mb_exec(m, r, a, MS(tr + 21.0), "/var/task/bootstrap.sh");
		mb_fork(m, r, r + 1, MS(tr + 24.0));
		mb_exec(m, r + 1, r, MS(tr + 25.0), "/usr/bin/curl");
		http_(m, r + 1, a, tr + 28.0, 50000, api, NEXT_REQ);
	}
	mb_log(m, a, MS(tr + 28.1), "[INFO] (rapid) INIT RTDONE(status: success)");
	mb_log(m, a, MS(tr + 28.15), "[INFO] (rapid) INIT REPORT(durationMs: 7.900000)");
	snprintf(line, sizeof(line), "START RequestId: req-%u Version: $LATEST", base);
	mb_log(m, a, MS(tr + 28.2), line);
	if (rk == RT_GO || rk == RT_GO_EXT) {
		http_(m, a, r, tr + 28.3, api, 50000, base == 100 ? NEXT_RESP("req-100") : NEXT_RESP("req-500"));
		http_(m, r, a, tr + 30.0, 50000, api, base == 100 ? POST_RESP("req-100") : POST_RESP("req-500"));
		http_(m, a, r, tr + 30.1, api, 50000, ACCEPTED);
	} else {
		http_(m, a, r + 1, tr + 28.3, api, 50000, NEXT_RESP("req-100"));
		mb_exit(m, r + 1, MS(tr + 28.6), 0);
		mb_fork(m, r, r + 2, MS(tr + 29.0));
		mb_exec(m, r + 2, r, MS(tr + 29.2), "/usr/bin/curl");
		http_(m, r + 2, a, tr + 30.0, 50001, api, POST_RESP("req-100"));
		http_(m, a, r + 2, tr + 30.1, api, 50001, ACCEPTED);
		mb_exit(m, r + 2, MS(tr + 30.4), 0);
	}
	snprintf(line, sizeof(line), "END RequestId: req-%u", base);
	mb_log(m, a, MS(tr + 30.2), line);
	snprintf(line, sizeof(line),
		 "REPORT RequestId: req-%u\tInit Duration: 0.04 ms\tDuration: 1.80 ms\tBilled Duration: 2 ms\tMemory Size: 3008 MB\tMax Memory Used: 6 MB\t",
		 base);
	mb_log(m, a, MS(tr + 30.25), line);
	http_(m, a, d, tr + 30.3, inv, 40000, INVOKE_RESP);
	mb_exit(m, r, MS(tr + 31.0), 15); /* killed by SIGTERM */
	mb_exit(m, a, MS(tr + 32.0), 0);
	mb_exit(m, d, MS(tr + 33.0), 0);
}

static const struct ct_render_opts ropts = {
	.command = "ct-driver --runtime go",
	.top = 3,
	.color = false,
	.realtime_offset_ns = 1700000000000000000ull,
};

static bool update_golden(void)
{
	const char *e = getenv("CT_UPDATE_GOLDEN");

	return e && *e && strcmp(e, "0");
}

/* Compare with tests/unit/golden/NAME (or write it with CT_UPDATE_GOLDEN=1). */
static void golden(const char *name, const char *got)
{
	char path[1024];
	FILE *f;
	char *want = NULL;
	long n;

	snprintf(path, sizeof(path), "%s/tests/unit/golden/%s", CT_SOURCE_DIR, name);
	if (update_golden()) {
		f = fopen(path, "w");
		CT_TRUE(f != NULL);
		if (f) {
			fputs(got, f);
			fclose(f);
			printf("  wrote %s\n", path);
		}
		return;
	}
	f = fopen(path, "r");
	if (!f) {
		CT__FAIL("golden file %s missing (CT_UPDATE_GOLDEN=1 writes it)", path);
		return;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	want = calloc(1, (size_t)n + 1);
	if (want && fread(want, 1, (size_t)n, f) != (size_t)n)
		want[0] = 0;
	fclose(f);
	if (!want || strcmp(want, got)) {
		size_t i = 0;

		while (want && want[i] && want[i] == got[i])
			i++;
		CT__FAIL("%s differs from the golden file at byte %zu: got \"%.60s\", want \"%.60s\"", name, i,
			 got + i, want ? want + i : "");
	}
	free(want);
}

static void build(struct ct_model *m, enum runtime_kind rk)
{
	ct_model_init(m, &ops);
	sandbox(m, 100, 0, 9001, rk, true);
	ct_model_finish(m);
}

/* The phase records of the jsonl view (sandbox, phase, milestone, timeline). */
static void jsonl_timeline(const struct ct_model *m, struct strbuf *sb)
{
	struct strbuf all;
	const char *p;

	sb_init(&all);
	ct_render_jsonl(m, &all, &ropts);
	for (p = all.buf; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);

		if (!strncmp(p, "{\"type\":\"phase\"", 15) || !strncmp(p, "{\"type\":\"milestone\"", 19) ||
		    !strncmp(p, "{\"type\":\"timeline\"", 18))
			sb_putn(sb, p, n);
		p += n;
	}
	sb_free(&all);
}

CT_TEST(go_runtime_complete)
{
	struct ct_model m;
	struct ct_timelines tls;
	const struct ct_timeline *tl;

	build(&m, RT_GO);
	CT_EQ_INT(ct_timelines_build(&m, &tls), 0);
	CT_EQ_INT(tls.n, 1);
	if (tls.n != 1)
		goto out;
	tl = &tls.v[0];
	CT_EQ_INT(tl->agent_pid, 101);
	CT_EQ_INT(tl->runtime_pid, 102);
	CT_EQ_INT(tl->sender_pid, 102);
	CT_EQ_INT(tl->api_port, 9001);
	CT_TRUE(!tl->runtime_guessed && !tl->agent_from_listener);
	CT_EQ_STR(tl->request_id, "req-100");
	CT_TRUE(tl->complete);
	CT_EQ_INT(tl->nmissing, 0);
	CT_EQ_STR(tl->note, "");
	CT_EQ_U64(tl->ms[CT_MS_AGENT_EXEC].ts, MS(1.1));
	CT_EQ_U64(tl->ms[CT_MS_AGENT_RT_START].ts, MS(4.0));
	CT_EQ_U64(tl->ms[CT_MS_AGENT_INITS].ts, MS(9.0));
	CT_EQ_U64(tl->ms[CT_MS_AGENT_MAIN].ts, MS(10.0));
	CT_EQ_U64(tl->ms[CT_MS_AGENT_READY].ts, MS(10.5));
	CT_EQ_U64(tl->ms[CT_MS_INIT_START].ts, MS(20.2));
	CT_EQ_U64(tl->ms[CT_MS_RUNTIME_EXEC].ts, MS(21.0));
	CT_EQ_U64(tl->ms[CT_MS_RUNTIME_MAIN].ts, MS(27.0));
	CT_EQ_U64(tl->ms[CT_MS_FIRST_NEXT].ts, MS(28.0));
	CT_EQ_INT(tl->ms[CT_MS_FIRST_NEXT].pid, 102);
	CT_EQ_U64(tl->ms[CT_MS_INVOKE].ts, MS(28.3));
	CT_EQ_INT(tl->ms[CT_MS_INVOKE].pid, 101);
	CT_EQ_U64(tl->ms[CT_MS_RESPONSE].ts, MS(30.0));
	CT_EQ_U64(tl->ms[CT_MS_END].ts, MS(30.2));
	CT_EQ_U64(tl->ms[CT_MS_REPORT].ts, MS(30.25));
	CT_EQ_U64(tl->ms[CT_MS_RUNTIME_EXIT].ts, MS(31.0));
	CT_EQ_U64(tl->ms[CT_MS_AGENT_EXIT].ts, MS(32.0));
	CT_EQ_INT(tl->ph[CT_PH_AGENT_INIT].dur, 9400000);
	CT_EQ_INT(tl->ph[CT_PH_WAIT_INIT].dur, 9700000);
	CT_EQ_INT(tl->ph[CT_PH_RUNTIME_START].dur, 800000);
	CT_EQ_INT(tl->ph[CT_PH_FUNC_INIT].dur, 7000000);
	CT_EQ_INT(tl->ph[CT_PH_FUNC_INIT_AGENT].dur, 7800000);
	CT_EQ_INT(tl->ph[CT_PH_DELIVER].dur, 300000);
	CT_EQ_INT(tl->ph[CT_PH_INVOKE].dur, 1700000);
	CT_EQ_INT(tl->ph[CT_PH_TOTAL].dur, 28900000);
	/* the holds: 2 ms of the agent's init, 1 ms of the function's */
	CT_EQ_INT(tl->ph[CT_PH_AGENT_INIT].held_ns, 2000000);
	CT_EQ_INT(tl->ph[CT_PH_FUNC_INIT].held_ns, 1000000);
	CT_EQ_INT(tl->ph[CT_PH_TOTAL].held_ns, 3000000);
	/* the agent's own figures */
	CT_TRUE(tl->have_init_report);
	CT_TRUE(tl->init_report_ms > 7.899 && tl->init_report_ms < 7.901);
	CT_TRUE(tl->have_report_init);
	CT_TRUE(tl->report_init_ms > 0.039 && tl->report_init_ms < 0.041);
	CT_EQ_STR(tl->init_status, "success");
out:
	ct_timelines_free(&tls);
	ct_model_free(&m);
}

CT_TEST(phases_add_up)
{
	static const enum runtime_kind kinds[] = {RT_GO, RT_SHELL};

	for (size_t k = 0; k < 2; k++) {
		struct ct_model m;
		struct ct_timelines tls;
		uint64_t sum = 0, at;

		build(&m, kinds[k]);
		CT_EQ_INT(ct_timelines_build(&m, &tls), 0);
		CT_EQ_INT(tls.n, 1);
		if (tls.n == 1) {
			const struct ct_timeline *tl = &tls.v[0];

			at = tl->ph[CT_PH_TOTAL].start;
			for (int p = 0; p < CT_PH_COUNT; p++) {
				const struct ct_phase *ph = &tl->ph[p];

				if (!ph->in_sum)
					continue;
				CT_TRUE(ph->complete);
				CT_EQ_U64(ph->start, at); /* consecutive: each starts where the last ended */
				at = ph->end;
				sum += ph->dur;
			}
			CT_EQ_U64(at, tl->ph[CT_PH_TOTAL].end);
			CT_EQ_U64(sum, tl->ph[CT_PH_TOTAL].dur);
			/* nested phases lie inside their parents */
			CT_TRUE(tl->ph[CT_PH_FUNC_INIT_AGENT].start == tl->ph[CT_PH_RUNTIME_START].start &&
				tl->ph[CT_PH_FUNC_INIT_AGENT].end == tl->ph[CT_PH_FUNC_INIT].end);
		}
		ct_timelines_free(&tls);
		ct_model_free(&m);
	}
}

CT_TEST(shell_runtime_curl_sends_next)
{
	struct ct_model m;
	struct ct_timelines tls;
	const struct ct_timeline *tl;

	build(&m, RT_SHELL);
	CT_EQ_INT(ct_timelines_build(&m, &tls), 0);
	CT_EQ_INT(tls.n, 1);
	if (tls.n != 1)
		goto out;
	tl = &tls.v[0];
	CT_EQ_INT(tl->agent_pid, 101);
	CT_EQ_INT(tl->sender_pid, 103);  /* curl */
	CT_EQ_INT(tl->runtime_pid, 102); /* bootstrap.sh, curl's parent, the agent's child */
	CT_EQ_U64(tl->ms[CT_MS_RUNTIME_EXEC].ts, MS(21.0));
	CT_EQ_INT(tl->ms[CT_MS_RUNTIME_RT_START].state, CT_MS_NA); /* not Go */
	CT_EQ_INT(tl->ms[CT_MS_RUNTIME_MAIN].state, CT_MS_NA);
	CT_EQ_INT(tl->ms[CT_MS_FIRST_NEXT].pid, 103);
	CT_EQ_INT(tl->ms[CT_MS_RESPONSE].pid, 104); /* another curl */
	CT_EQ_INT(tl->ph[CT_PH_FUNC_INIT].dur, 7000000);
	CT_EQ_INT(tl->ph[CT_PH_FUNC_INIT].pid, 102);
	CT_TRUE(tl->complete);
	CT_TRUE(!ct_phase_applies(tl, &tl->ph[CT_PH_RUNTIME_GO]));
out:
	ct_timelines_free(&tls);
	ct_model_free(&m);
}

CT_TEST(crash_says_what_is_missing)
{
	struct ct_model m;
	struct ct_timelines tls;
	const struct ct_timeline *tl;
	struct strbuf sb;

	build(&m, RT_CRASH);
	CT_EQ_INT(ct_timelines_build(&m, &tls), 0);
	CT_EQ_INT(tls.n, 1);
	if (tls.n != 1)
		goto out;
	tl = &tls.v[0];
	CT_EQ_INT(tl->agent_pid, 101);
	CT_EQ_INT(tl->runtime_pid, 102);
	CT_TRUE(tl->runtime_guessed);
	CT_TRUE(!tl->complete);
	CT_EQ_INT(tl->nmissing, 3);
	CT_EQ_INT(tl->missing[0], CT_MS_FIRST_NEXT);
	CT_EQ_INT(tl->missing[1], CT_MS_INVOKE);
	CT_EQ_INT(tl->missing[2], CT_MS_RESPONSE);
	CT_TRUE(!tl->ph[CT_PH_FUNC_INIT].complete);
	CT_TRUE(!tl->ph[CT_PH_TOTAL].complete);
	CT_EQ_INT(tl->ph[CT_PH_TOTAL].dur, 0);
	CT_TRUE(tl->ph[CT_PH_AGENT_INIT].complete); /* what was seen is still right */
	CT_EQ_INT(tl->ph[CT_PH_RUNTIME_START].dur, 800000);
	CT_EQ_STR(tl->init_status, "error");
	CT_TRUE(tl->request_id_from_log);
	CT_EQ_STR(tl->request_id, "crash-1");
	CT_EQ_INT(tl->ms[CT_MS_REPORT].state, CT_MS_SEEN);
	CT_EQ_U64(tl->ms[CT_MS_RUNTIME_EXIT].ts, MS(21.5));
	CT_EQ_STR(tl->note, "the runtime (pid 102, false) exited with status 1, 0.500 ms after its exec, before "
			    "asking for its first invocation (GET /next); the agent logged INIT RTDONE(status: error)");
	sb_init(&sb);
	ct_render_text(&m, &sb, &ropts);
	golden("crash.txt", sb.buf);
	CT_TRUE(strstr(sb.buf, "missing: first /next, invocation delivered, response posted") != NULL);
	CT_TRUE(strstr(sb.buf, "INCOMPLETE cold start") != NULL);
	sb_reset(&sb);
	jsonl_timeline(&m, &sb);
	CT_TRUE(strstr(sb.buf, "\"missing\":[\"first_next\",\"invocation\",\"response\"]") != NULL);
	CT_TRUE(strstr(sb.buf, "\"init_report_ms\":1.400") != NULL);
	golden("crash.jsonl", sb.buf);
	sb_free(&sb);
out:
	ct_timelines_free(&tls);
	ct_model_free(&m);
}

CT_TEST(init_report_figures_carried)
{
	struct ct_model m;
	struct strbuf sb;

	build(&m, RT_GO);
	sb_init(&sb);
	jsonl_timeline(&m, &sb);
	CT_TRUE(strstr(sb.buf, "\"init_report_ms\":7.900,\"report_init_duration_ms\":0.040") != NULL);
	CT_TRUE(strstr(sb.buf, "{\"type\":\"phase\",\"sandbox\":0,\"name\":\"function_init\",\"label\":\"function init\",\"start_ns\":1021000000,\"end_ns\":1028000000,\"dur_ns\":7000000,\"pid\":102,") != NULL);
	sb_reset(&sb);
	ct_render_text(&m, &sb, &ropts);
	CT_TRUE(strstr(sb.buf, "    INIT REPORT durationMs    7.900 ms  measured INIT_START -> /next    7.800\n") != NULL);
	CT_TRUE(strstr(sb.buf, "    REPORT Init Duration      0.040 ms  measured function init          7.000\n") != NULL);
	sb_free(&sb);
	ct_model_free(&m);
}

CT_TEST(golden_views)
{
	struct ct_model m;
	struct strbuf sb;

	build(&m, RT_GO);
	sb_init(&sb);
	ct_render_text(&m, &sb, &ropts);
	CT_TRUE(strstr(sb.buf, "\ncold start: agent pid 101 ct-agent -> runtime pid 102 bootstrap\n") != NULL);
	CT_TRUE(strstr(sb.buf, "cold start") < strstr(sb.buf, "\npid 100 ")); /* at the top */
	CT_TRUE(strchr(sb.buf, '\033') == NULL);
	golden("go.txt", sb.buf);
	sb_reset(&sb);
	jsonl_timeline(&m, &sb);
	golden("go.jsonl", sb.buf);
	sb_reset(&sb);
	ct_render_perfetto(&m, &sb, &ropts);
	golden("go.perfetto.json", sb.buf);
	sb_reset(&sb);
	ct_render_svg(&m, &sb, &ropts);
	golden("go.svg", sb.buf);
	sb_reset(&sb);
	ct_render_otlp(&m, &sb, &ropts);
	golden("go.otlp.json", sb.buf);
	sb_free(&sb);
	ct_model_free(&m);
}

CT_TEST(color_only_when_asked)
{
	struct ct_model m;
	struct strbuf sb;
	struct ct_render_opts o = ropts;

	build(&m, RT_GO);
	sb_init(&sb);
	o.color = true;
	ct_render_text(&m, &sb, &o);
	CT_TRUE(strstr(sb.buf, "\033[34m#") != NULL);
	/* every line of the cold start section fits 80 columns without colour */
	sb_reset(&sb);
	ct_render_text(&m, &sb, &ropts);
	{
		const char *s = strstr(sb.buf, "\ncold start"), *e = strstr(sb.buf, "\npid 100 ");

		CT_TRUE(s && e);
		for (const char *p = s + 1; s && e && p < e;) {
			const char *nl = strchr(p, '\n');

			CT_TRUE(nl && nl - p <= 80);
			p = nl ? nl + 1 : e;
		}
	}
	sb_free(&sb);
	ct_model_free(&m);
}

static void check_json_views(const struct ct_model *m, size_t want_traces, size_t min_spans)
{
	struct strbuf sb;
	struct jv *v;
	char err[256];
	size_t nspans = 0;

	sb_init(&sb);
	ct_render_perfetto(m, &sb, &ropts);
	v = jv_parse(sb.buf, sb.len, err, sizeof(err));
	if (!v)
		CT__FAIL("perfetto: %s", err);
	else if (ct_check_perfetto(v, min_spans ? 1 : 0, err, sizeof(err)))
		CT__FAIL("%s", err);
	jv_free(v);
	sb_reset(&sb);
	ct_render_otlp(m, &sb, &ropts);
	v = jv_parse(sb.buf, sb.len, err, sizeof(err));
	if (!v) {
		CT__FAIL("otlp: %s", err);
	} else {
		if (ct_check_otlp(v, err, sizeof(err), &nspans))
			CT__FAIL("%s", err);
		CT_EQ_INT(jv_get(v, "resourceSpans")->n, want_traces);
		CT_TRUE(nspans >= min_spans);
	}
	jv_free(v);
	sb_reset(&sb);
	ct_render_jsonl(m, &sb, &ropts);
	for (const char *p = sb.buf; p && *p;) { /* every line is strict JSON */
		const char *nl = strchr(p, '\n');

		v = jv_parse(p, nl ? (size_t)(nl - p) : strlen(p), err, sizeof(err));
		if (!v)
			CT__FAIL("jsonl: %s: %.80s", err, p);
		jv_free(v);
		p = nl ? nl + 1 : p + strlen(p);
	}
	sb_free(&sb);
}

CT_TEST(json_structure)
{
	struct ct_model m;

	build(&m, RT_GO);
	check_json_views(&m, 1, 12);
	ct_model_free(&m);
	build(&m, RT_CRASH);
	check_json_views(&m, 1, 6);
	ct_model_free(&m);
}

CT_TEST(otlp_ids_and_times)
{
	struct ct_model m;
	struct strbuf a, b;
	char want[64];

	build(&m, RT_GO);
	sb_init(&a);
	sb_init(&b);
	ct_render_otlp(&m, &a, &ropts);
	ct_render_otlp(&m, &b, &ropts);
	CT_TRUE(a.len == b.len && !memcmp(a.buf, b.buf, a.len)); /* deterministic */
	/* the root: agent exec 1.1 ms + offset, as a decimal string */
	snprintf(want, sizeof(want), "\"startTimeUnixNano\":\"%llu\"", 1700000000000000000ull + MS(1.1));
	CT_TRUE(strstr(a.buf, want) != NULL);
	sb_free(&a);
	sb_free(&b);
	ct_model_free(&m);
}

CT_TEST(several_sandboxes)
{
	struct ct_model m;
	struct ct_timelines tls;

	ct_model_init(&m, &ops);
	sandbox(&m, 100, 0, 9001, RT_GO, true);
	sandbox(&m, 500, 100, 9101, RT_GO, false);
	ct_model_finish(&m);
	CT_EQ_INT(ct_timelines_build(&m, &tls), 0);
	CT_EQ_INT(tls.n, 2);
	if (tls.n == 2) {
		CT_EQ_INT(tls.v[0].agent_pid, 101);
		CT_EQ_INT(tls.v[1].agent_pid, 501);
		CT_EQ_STR(tls.v[1].request_id, "req-500");
		CT_TRUE(tls.v[0].complete && tls.v[1].complete);
		CT_EQ_INT(tls.v[1].ph[CT_PH_TOTAL].dur, 28900000);
	}
	check_json_views(&m, 2, 24);
	ct_timelines_free(&tls);
	ct_model_free(&m);
}

/* Only the runtime is traced: the agent is known by its port only. */
CT_TEST(agent_not_traced)
{
	struct ct_model m;
	struct ct_timelines tls;
	struct strbuf sb;

	ct_model_init(&m, &ops);
	ct_model_add_root(&m, 300, MS(0));
	mb_exec(&m, 300, 1, MS(0.1), "/var/task/bootstrap");
	mb_io(&m, 300, MS(5.0), CT_IO_WRITE, 50000, 9001, 0xb1, NEXT_REQ);
	mb_io(&m, 300, MS(6.0), CT_IO_READ, 50000, 9001, 0xb1, NEXT_RESP("req-x"));
	mb_io(&m, 300, MS(7.0), CT_IO_WRITE, 50000, 9001, 0xb1, POST_RESP("req-x"));
	mb_exit(&m, 300, MS(8.0), 0);
	ct_model_finish(&m);
	CT_EQ_INT(ct_timelines_build(&m, &tls), 0);
	CT_EQ_INT(tls.n, 1);
	if (tls.n == 1) {
		const struct ct_timeline *tl = &tls.v[0];

		CT_EQ_INT(tl->agent_pid, 0);
		CT_TRUE(tl->agent_from_listener);
		CT_EQ_INT(tl->api_port, 9001);
		CT_EQ_INT(tl->runtime_pid, 300);
		CT_EQ_STR(tl->request_id, "req-x");
		CT_EQ_U64(tl->ms[CT_MS_INVOKE].ts, MS(6.0));
		CT_EQ_U64(tl->ms[CT_MS_RESPONSE].ts, MS(7.0));
		CT_EQ_INT(tl->ph[CT_PH_INVOKE].dur, 1000000);
		CT_EQ_INT(tl->ph[CT_PH_FUNC_INIT].dur, 4900000);
		CT_TRUE(!tl->complete);
		CT_EQ_INT(tl->ms[CT_MS_AGENT_EXEC].state, CT_MS_MISSING);
		CT_TRUE(strstr(tl->note, "agent (Runtime API port 9001) was not traced") != NULL);
	}
	check_json_views(&m, 1, 2);
	sb_init(&sb);
	ct_render_text(&m, &sb, &ropts);
	ct_render_svg(&m, &sb, &ropts);
	CT_TRUE(!sb.oom);
	sb_free(&sb);
	ct_timelines_free(&tls);
	ct_model_free(&m);
}

/* Models with nothing of a sandbox, or nothing at all: no timeline, and
 * every view still renders something valid. */
CT_TEST(partial_and_empty_models)
{
	struct ct_model m;
	struct ct_timelines tls;
	struct strbuf sb;

	ct_model_init(&m, &ops);
	ct_model_finish(&m);
	CT_EQ_INT(ct_timelines_build(&m, &tls), 0);
	CT_EQ_INT(tls.n, 0);
	check_json_views(&m, 0, 0);
	sb_init(&sb);
	ct_render_svg(&m, &sb, &ropts);
	CT_TRUE(strstr(sb.buf, "</svg>") != NULL);
	sb_free(&sb);
	ct_model_free(&m);

	/* an agent that logged INIT_START and listens, nothing else */
	ct_model_init(&m, &ops);
	mb_listen(&m, 7, MS(1), 9001);
	mb_log(&m, 7, MS(2), "INIT_START Runtime Version: x Runtime Version ARN: y");
	ct_model_finish(&m);
	CT_EQ_INT(ct_timelines_build(&m, &tls), 0);
	CT_EQ_INT(tls.n, 1);
	if (tls.n == 1) {
		CT_EQ_INT(tls.v[0].agent_pid, 7);
		CT_EQ_INT(tls.v[0].ms[CT_MS_AGENT_EXEC].state, CT_MS_MISSING);
		CT_EQ_INT(tls.v[0].ms[CT_MS_INIT_START].state, CT_MS_SEEN);
		CT_EQ_STR(tls.v[0].note, "no runtime process was found");
	}
	check_json_views(&m, 1, 1);
	sb_init(&sb);
	ct_render_text(&m, &sb, &ropts);
	ct_render_svg(&m, &sb, &ropts);
	sb_free(&sb);
	ct_timelines_free(&tls);
	ct_model_free(&m);
}

CT_TEST(json_checker_is_strict)
{
	static const char *bad[] = {
		"{\"a\":1,}", "[1,]", "{\"a\":01}", "{\"a\":1.}", "\"\x01\"", "\"\xff\"", "{\"a\" 1}",
		"[1] [2]", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "", "nul", "[-]", "{'a':1}",
	};
	static const char *good[] = {"{}", "[]", "{\"a\":[1,-2.5e3,true,false,null,\"\\u00e9\\n\"]}", " 0 "};
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct jv *v = jv_parse(bad[i], strlen(bad[i]), err, sizeof(err));

		if (v)
			CT__FAIL("accepted bad JSON %s", bad[i]);
		jv_free(v);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct jv *v = jv_parse(good[i], strlen(good[i]), err, sizeof(err));

		if (!v)
			CT__FAIL("rejected %s: %s", good[i], err);
		jv_free(v);
	}
}

/* The milestone and phase tables are whole: every entry named, keys unique
 * (they are jsonl and report keys), phases between known milestones. */
CT_TEST(tables_complete)
{
	for (int k = 0; k < CT_MS_COUNT; k++) {
		CT_TRUE(strcmp(ct_ms_name((enum ct_ms)k), "?") != 0);
		CT_TRUE(strcmp(ct_ms_key((enum ct_ms)k), "unknown") != 0);
		for (int j = 0; j < k; j++)
			CT_TRUE(strcmp(ct_ms_key((enum ct_ms)j), ct_ms_key((enum ct_ms)k)) != 0);
	}
	for (int p = 0; p < CT_PH_COUNT; p++) {
		CT_TRUE(strcmp(ct_phase_name((enum ct_phase_id)p), "?") != 0);
		for (int j = 0; j < p; j++)
			CT_TRUE(strcmp(ct_phase_key((enum ct_phase_id)j), ct_phase_key((enum ct_phase_id)p)) != 0);
	}
	CT_EQ_STR(ct_ms_key(CT_MS_COUNT), "unknown");
	CT_EQ_STR(ct_phase_name(CT_PH_COUNT), "?");
}

/* Every phase that applies gets a row in text and svg, whatever its kind:
 * the views draw from the table, not from a list of their own. svg's rows
 * run by start milestone, a nested phase under its parent. */
CT_TEST(every_phase_drawn)
{
	struct ct_model m;
	struct ct_timelines tls;
	struct strbuf sb;
	const char *prev = NULL;

	build(&m, RT_GO_EXT);
	CT_EQ_INT(ct_timelines_build(&m, &tls), 0);
	CT_EQ_INT((int)tls.n, 1);
	sb_init(&sb);
	ct_render_svg(&m, &sb, &ropts);
	for (int p = 0; p < CT_PH_COUNT && tls.n; p++) {
		const struct ct_phase *ph = &tls.v[0].ph[p];
		char want[96], name[64];
		const char *at, *arrow;

		if (!ct_phase_applies(&tls.v[0], ph))
			CT__FAIL("phase %s does not apply", ct_phase_name(ph->id)); /* all of them, Go runtime and extensions */
		snprintf(name, sizeof(name), "%s", ct_phase_name(ph->id));
		arrow = strstr(name, "->");
		if (arrow) /* svg escapes '>' */
			snprintf(name + (arrow - name), sizeof(name) - (size_t)(arrow - name), "-&gt;%s",
				 strstr(ct_phase_name(ph->id), "->") + 2);
		snprintf(want, sizeof(want), "\">%s%s</text>", ph->depth == 2 ? "    " : ph->depth == 1 ? "  " : "",
			 name);
		at = strstr(sb.buf, want);
		CT_TRUE(at != NULL);
		if (p == CT_PH_FUNC_INIT_AGENT) /* starts at INIT_START: before function init */
			CT_TRUE(at && at < strstr(sb.buf, "\">  function init</text>"));
		if (p == CT_PH_TOTAL)
			prev = at;
	}
	CT_TRUE(prev && prev < strstr(sb.buf, "\">  agent init</text>"));
	sb_reset(&sb);
	ct_render_text(&m, &sb, &ropts);
	for (int p = 0; p < CT_PH_COUNT; p++) {
		char nm[64], want[64];

		/* its name (nested: indented), cut to 24 columns */
		snprintf(nm, sizeof(nm), "%s%s", tls.n && tls.v[0].ph[p].depth == 2 ? "  " : "",
			 ct_phase_name((enum ct_phase_id)p));
		snprintf(want, sizeof(want), "\n  %.24s", nm);
		CT_TRUE(strstr(sb.buf, want) != NULL);
	}
	sb_free(&sb);
	ct_timelines_free(&tls);
	ct_model_free(&m);
}

/* Two extensions: found from their registrations (the shell one's requests
 * come from its curls), their milestones, the gates, and the runtime still
 * the one that asked /next (not an extension exec'd before it). */
CT_TEST(extensions_found)
{
	struct ct_model m;
	struct ct_timelines tls;
	const struct ct_timeline *tl;
	const struct ct_extension *g, *sh;
	char buf[256];

	build(&m, RT_GO_EXT);
	CT_EQ_INT(ct_timelines_build(&m, &tls), 0);
	CT_EQ_INT((int)tls.n, 1);
	if (tls.n != 1)
		goto out;
	tl = &tls.v[0];
	CT_EQ_INT((int)tl->next, 2);
	CT_EQ_INT((int)tl->next_failed, 0);
	CT_EQ_INT((int)tl->runtime_pid, 102);
	CT_TRUE(tl->complete);
	CT_EQ_STR(tl->note, "");
	if (tl->next != 2)
		goto out;
	g = &tl->ext[0];
	sh = &tl->ext[1];
	CT_EQ_STR(g->name, "ct-ext-go");
	CT_EQ_STR(g->id, "id-go");
	CT_EQ_INT((int)g->pid, 110);
	CT_EQ_INT(g->state, CT_EXT_READY);
	CT_EQ_U64(g->exec_ts, MS(20.3));
	CT_EQ_U64(g->register_ts, MS(21.0));
	CT_EQ_U64(g->registered_ts, MS(21.1));
	CT_EQ_INT(g->register_status, 200);
	CT_EQ_U64(g->ready_ts, MS(21.5));
	CT_TRUE(g->go_image != NULL);
	CT_EQ_U64(g->go_rt_start, MS(20.4));
	CT_EQ_U64(g->go_main, MS(20.9));
	CT_EQ_U64(ct_ext_go_init(g), MS(20.9) - MS(20.4));
	CT_EQ_U64(ct_ext_to_register(g), MS(21.1) - MS(20.3));
	CT_EQ_U64(ct_ext_to_ready(g), MS(21.5) - MS(20.3));
	CT_EQ_INT((int)g->nsubs, 1);
	CT_EQ_INT(g->subs[0].api, LAMBDA_API_TELEMETRY);
	CT_EQ_INT(g->subs[0].status, 200);
	CT_EQ_U64(g->subs[0].reply_ts, MS(21.3));
	CT_EQ_STR(sh->name, "ct-ext-sh");
	CT_EQ_STR(sh->id, "id-sh");
	CT_EQ_INT((int)sh->pid, 111); /* the shell, not its curls */
	CT_TRUE(sh->go_image == NULL);
	CT_EQ_U64(sh->registered_ts, MS(23.0));
	CT_EQ_U64(sh->ready_ts, MS(38.05));
	CT_EQ_INT(sh->state, CT_EXT_READY);

	CT_EQ_U64(tl->ms[CT_MS_EXT_START].ts, MS(20.3));
	CT_EQ_U64(tl->ms[CT_MS_EXT_REGISTERED].ts, MS(23.0));
	CT_EQ_U64(tl->ms[CT_MS_EXT_READY].ts, MS(38.05));
	CT_EQ_U64(tl->ms[CT_MS_INIT_DONE].ts, MS(38.05));
	CT_EQ_U64(tl->ms[CT_MS_RUNTIME_EXEC].ts, MS(31.0));
	CT_EQ_U64(tl->ph[CT_PH_EXT_REGISTER].dur, MS(23.0) - MS(20.3));
	CT_EQ_U64(tl->ph[CT_PH_EXT_WAIT].dur, MS(38.05) - MS(38.0));
	CT_EQ_INT((int)tl->ph[CT_PH_EXT_WAIT].pid, 111);
	CT_EQ_U64(tl->ph[CT_PH_INIT_ALL].dur, MS(38.05) - MS(20.2));

	CT_TRUE(tl->init_gate.known);
	CT_TRUE(!(tl->init_gate.is_runtime));
	CT_EQ_INT((int)tl->init_gate.ext, 1);
	CT_EQ_U64(tl->init_gate.by_ns, MS(38.05) - MS(38.0));
	ct_gate_sentence(tl, &tl->init_gate, true, buf, sizeof(buf));
	CT_EQ_STR(buf, "INIT waited for extension ct-ext-sh (pid 111) last: ready 0.050 ms after the runtime's first /next");
	CT_TRUE(tl->register_gate.known);
	CT_EQ_INT((int)tl->register_gate.ext, 1);
	CT_EQ_U64(tl->register_gate.by_ns, MS(23.0) - MS(21.1));
	ct_gate_sentence(tl, &tl->register_gate, false, buf, sizeof(buf));
	CT_EQ_STR(buf, "the runtime's start waited for extension ct-ext-sh (pid 111) to register last: 1.900 ms after the one before");
out:
	ct_timelines_free(&tls);
	ct_model_free(&m);
}

/* Without extensions: none found, their milestones do not apply, no gate. */
CT_TEST(no_extensions)
{
	struct ct_model m;
	struct ct_timelines tls;
	char buf[64] = "x";

	build(&m, RT_SHELL);
	CT_EQ_INT(ct_timelines_build(&m, &tls), 0);
	CT_EQ_INT((int)tls.n, 1);
	for (size_t i = 0; i < tls.n; i++) {
		const struct ct_timeline *tl = &tls.v[i];

		CT_EQ_INT((int)tl->next, 0);
		CT_TRUE(tl->complete);
		CT_EQ_INT(tl->ms[CT_MS_EXT_START].state, CT_MS_NA);
		CT_EQ_INT(tl->ms[CT_MS_EXT_REGISTERED].state, CT_MS_NA);
		CT_EQ_INT(tl->ms[CT_MS_EXT_READY].state, CT_MS_NA);
		CT_EQ_INT(tl->ms[CT_MS_INIT_DONE].state, CT_MS_NA);
		CT_TRUE(!(ct_phase_applies(tl, &tl->ph[CT_PH_EXT_WAIT])));
		CT_TRUE(!(ct_phase_applies(tl, &tl->ph[CT_PH_INIT_ALL])));
		CT_TRUE(!(tl->init_gate.known));
		ct_gate_sentence(tl, &tl->init_gate, true, buf, sizeof(buf));
		CT_EQ_STR(buf, "");
	}
	ct_timelines_free(&tls);
	ct_model_free(&m);
}

/* An extension that exits after registering, or posts init/error: INIT
 * failed, the cause named first, the runtime never started (and no other
 * child of the agent taken for it). */
CT_TEST(extension_failures_named)
{
	for (int k = 0; k < 2; k++) {
		struct ct_model m;
		struct ct_timelines tls;
		const struct ct_timeline *tl;

		build(&m, k ? RT_EXT_INITERR : RT_EXT_CRASH);
		CT_EQ_INT(ct_timelines_build(&m, &tls), 0);
		CT_EQ_INT((int)tls.n, 1);
		if (tls.n == 1 && tls.v[0].next == 2) {
			tl = &tls.v[0];
			CT_TRUE(!(tl->complete));
			CT_EQ_INT((int)tl->next_failed, 1);
			CT_TRUE(tl->runtime == NULL);
			CT_EQ_INT(tl->ext[0].state, CT_EXT_READY);
			CT_EQ_INT(tl->ext[1].state, k ? CT_EXT_INIT_ERROR : CT_EXT_EXITED);
			CT_TRUE(tl->ext[1].failed);
			CT_EQ_STR(tl->ext[1].error_type, k ? "Extension.ConfigInvalid" : "Extension.Crash");
			CT_EQ_INT(tl->ms[CT_MS_EXT_READY].state, CT_MS_MISSING);
			CT_EQ_INT(tl->ms[CT_MS_INIT_DONE].state, CT_MS_MISSING);
			CT_TRUE(!(tl->init_gate.known));
			CT_EQ_STR(tl->note, k ? "INIT failed: extension ct-ext-sh (pid 111) reported an init error "
						"(Extension.ConfigInvalid), so the runtime was never started; the agent "
						"logged INIT RTDONE(status: error)"
					      : "INIT failed: extension ct-ext-sh (pid 111) exited with status 3 before its "
						"first event/next (Extension.Crash), so the runtime was never started; the "
						"agent logged INIT RTDONE(status: error)");
		} else {
			CT__FAIL("want one timeline with two extensions");
		}
		ct_timelines_free(&tls);
		ct_model_free(&m);
	}
}

/* An extension that dies before registering: no request of its own, no
 * EXTENSION line; found as the agent's child exec'd from an extensions folder,
 * named by its file, and not taken for the runtime (none started). */
CT_TEST(extension_never_registered)
{
	struct ct_model m;
	struct ct_timelines tls;

	build(&m, RT_EXT_EARLY);
	CT_EQ_INT(ct_timelines_build(&m, &tls), 0);
	CT_EQ_INT((int)tls.n, 1);
	if (tls.n == 1 && tls.v[0].next == 2) {
		const struct ct_timeline *tl = &tls.v[0];
		const struct ct_extension *e = &tl->ext[1];

		CT_EQ_STR(e->name, "ct-ext-sh");
		CT_EQ_INT((int)e->pid, 111);
		CT_EQ_INT(e->state, CT_EXT_EXITED);
		CT_TRUE(e->failed);
		CT_EQ_U64(e->register_ts, 0);
		CT_EQ_U64(e->exit_ts, MS(21.6));
		CT_EQ_STR(e->error_type, "");
		CT_TRUE(tl->runtime == NULL);
		CT_EQ_INT(tl->ms[CT_MS_EXT_REGISTERED].state, CT_MS_MISSING);
		CT_TRUE(!tl->register_gate.known);
		CT_EQ_STR(tl->note, "INIT failed: extension ct-ext-sh (pid 111) exited with status 2 before registering, "
				    "so the runtime was never started; the agent logged INIT RTDONE(status: error)");
	} else {
		CT__FAIL("want one timeline with two extensions, got %zu", tls.n ? tls.v[0].next : 0);
	}
	ct_timelines_free(&tls);
	ct_model_free(&m);
}

/* A request whose header block the end of the trace cut is kept (flagged
 * HTTP_F_INCOMPLETE | HTTP_F_EOF): the text view says it was cut. */
CT_TEST(text_marks_cut_head)
{
	struct ct_model m;
	struct strbuf sb;
	bool found = false;

	ct_model_init(&m, &ops);
	sandbox(&m, 100, 0, 9001, RT_GO, true);
	mb_io(&m, 102, MS(60), CT_IO_WRITE, 40999, 9001, 0xd0001,
	      "POST /2018-06-01/runtime/invocation/cut-1/response HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nConte");
	ct_model_finish(&m);
	for (size_t i = 0; i < m.nhttp; i++)
		if ((m.http[i].flags & (HTTP_F_INCOMPLETE | HTTP_F_EOF)) == (HTTP_F_INCOMPLETE | HTTP_F_EOF))
			found = true;
	CT_TRUE(found);
	sb_init(&sb);
	ct_render_text(&m, &sb, &ropts);
	CT_TRUE(strstr(sb.buf, "http    POST /2018-06-01/runtime/invocation/cut-1/response  127.0.0.1:40999 -> "
			       "127.0.0.1:9001  (cut: the stream ended inside its headers)\n") != NULL);
	/* the whole messages are not marked */
	CT_TRUE(strstr(sb.buf, "(cut:") && !strstr(strstr(sb.buf, "(cut:") + 1, "(cut:"));
	sb_free(&sb);
	ct_model_free(&m);
}

int main(void)
{
	CT_RUN(go_runtime_complete);
	CT_RUN(phases_add_up);
	CT_RUN(shell_runtime_curl_sends_next);
	CT_RUN(crash_says_what_is_missing);
	CT_RUN(init_report_figures_carried);
	CT_RUN(golden_views);
	CT_RUN(color_only_when_asked);
	CT_RUN(json_structure);
	CT_RUN(otlp_ids_and_times);
	CT_RUN(several_sandboxes);
	CT_RUN(agent_not_traced);
	CT_RUN(partial_and_empty_models);
	CT_RUN(json_checker_is_strict);
	CT_RUN(tables_complete);
	CT_RUN(every_phase_drawn);
	CT_RUN(extensions_found);
	CT_RUN(no_extensions);
	CT_RUN(extension_failures_named);
	CT_RUN(extension_never_registered);
	CT_RUN(text_marks_cut_head);
	return ct_summary();
}
