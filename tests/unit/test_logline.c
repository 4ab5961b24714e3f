/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Unit tests for userspace/model/logline.c: the classifier on the agent's real
 * lines (AWS, RIE old and new, Go inittrace), with prefixes, colours, CR;
 * the line assembler on split, merged, overlong and truncated writes.
 */
#include "ct_test.h"
#include "logline.h"

#define REQ "8476a536-e9f4-11e8-9739-2dfe598c3fcd"

static struct log_event EV;

static bool near(double a, double b)
{
	double d = a - b, m = b < 0 ? -b : b;
	return (d < 0 ? -d : d) < 1e-9 * (m + 1);
}

#define CT_NEAR(a, b)                                                          \
	do {                                                                   \
		if (!near((a), (b)))                                           \
			CT__FAIL("%s == %s: %.9g != %.9g", #a, #b, (double)(a), \
				 (double)(b));                                 \
	} while (0)

static enum log_kind cls(const char *s)
{
	return logline_classify(s, strlen(s), &EV);
}

/* ---- classifier ---- */

CT_TEST(classify_table)
{
	static const struct {
		const char *line;
		enum log_kind kind;
	} t[] = {
		{"INIT_START Runtime Version: nodejs:18.v9 Runtime Version ARN: arn:x",
		 LOG_INIT_START},
		{"[INFO] (rapid) INIT START(type: on-demand, phase: init)",
		 LOG_RIE_INIT_START},
		{"INIT START(initType: on-demand, phase: init)", LOG_RIE_INIT_START},
		{"INIT RTDONE(status: success)", LOG_INIT_RTDONE},
		{"INIT REPORT(durationMs: 14.586000)", LOG_INIT_REPORT},
		{"START RequestId: " REQ " Version: $LATEST", LOG_START},
		{"END RequestId: " REQ, LOG_END},
		{"REPORT RequestId: " REQ "\tDuration: 1.00 ms", LOG_REPORT},
		{"init runtime @0.015 ms, 0.011 ms clock, 0 bytes, 0 allocs",
		 LOG_GO_INIT},
		/* not markers */
		{"", LOG_NONE},
		{"hello world", LOG_NONE},
		{"INIT START without parens", LOG_NONE},
		{"XSTART RequestId: abc", LOG_NONE},
		{"APPEND RequestId: abc", LOG_NONE},
		{"RESTART RequestId: abc", LOG_NONE},
		{"init runtime @x ms, 1 ms clock, 0 bytes, 0 allocs", LOG_NONE},
		{"init runtime @1 ms, 1 ms clock, 0 bytes", LOG_NONE},
		{"reinit runtime @1 ms, 1 ms clock, 0 bytes, 0 allocs", LOG_NONE},
		{"init  @1 ms, 1 ms clock, 0 bytes, 0 allocs", LOG_NONE},
		{"INIT_STARTX", LOG_NONE},
		{"XINIT_START", LOG_NONE},
		{"INIT_REPORTS", LOG_NONE},
		{"[WARN] (rapid) Cannot list external agents", LOG_NONE},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum log_kind k = cls(t[i].line);
		if (k != t[i].kind)
			CT__FAIL("\"%s\": %s, want %s", t[i].line, log_kind_name(k),
				 log_kind_name(t[i].kind));
		CT_EQ_STR(EV.line, t[i].line);
	}
}

CT_TEST(aws_init_start)
{
	CT_EQ_INT(cls("INIT_START Runtime Version: nodejs:18.v9\tRuntime Version ARN: "
		      "arn:aws:lambda:us-east-1::runtime:0123abcd"),
		  LOG_INIT_START);
	CT_EQ_STR(EV.version, "nodejs:18.v9");
	CT_EQ_STR(EV.arn, "arn:aws:lambda:us-east-1::runtime:0123abcd");
	CT_EQ_INT(EV.have, LOG_HAVE_VERSION | LOG_HAVE_ARN);
	/* without the ARN */
	CT_EQ_INT(cls("2024-01-01T00:00:00.000Z INIT_START Runtime Version: python:3.12.v1"),
		  LOG_INIT_START);
	CT_EQ_STR(EV.version, "python:3.12.v1");
	CT_EQ_INT(EV.have, LOG_HAVE_VERSION);
	/* bare marker */
	CT_EQ_INT(cls("INIT_START"), LOG_INIT_START);
	CT_EQ_INT(EV.have, 0);
}

CT_TEST(rie_init_lines)
{
	CT_EQ_INT(cls("time=\"2024-01-01T00:00:00.000\" level=info msg=\"INIT START(type: on-demand, phase: init)\""),
		  LOG_RIE_INIT_START);
	CT_EQ_STR(EV.init_type, "on-demand");
	CT_EQ_STR(EV.phase, "init");
	CT_EQ_INT(cls("01 Jan 2024 00:00:00,000 [INFO] (rapid) INIT START(initType: provisioned-concurrency, phase: init)"),
		  LOG_RIE_INIT_START);
	CT_EQ_STR(EV.init_type, "provisioned-concurrency");
	CT_EQ_STR(EV.phase, "init");
	CT_EQ_INT(cls("[INFO] (rapid) INIT RTDONE(status: success)"), LOG_INIT_RTDONE);
	CT_EQ_STR(EV.status, "success");
	CT_EQ_INT(cls("[INFO] (rapid) INIT RTDONE(status: error, errorType: Runtime.ExitError)"),
		  LOG_INIT_RTDONE);
	CT_EQ_STR(EV.status, "error");
	CT_EQ_STR(EV.error_type, "Runtime.ExitError");
	CT_EQ_INT(cls("[INFO] (rapid) INIT REPORT(durationMs: 14.586000)"), LOG_INIT_REPORT);
	CT_NEAR(EV.duration_ms, 14.586);
	CT_EQ_INT(EV.duration_us, 14586);
	CT_TRUE(EV.have & LOG_HAVE_DURATION);
	CT_EQ_INT(cls("INIT REPORT (durationMs: 0.0415, status: ok)"), LOG_INIT_REPORT);
	CT_EQ_INT(EV.duration_us, 42); /* 41.5 us rounds half up */
	CT_EQ_STR(EV.status, "ok");
	CT_EQ_INT(cls("INIT REPORT(durationMs: 1234)"), LOG_INIT_REPORT);
	CT_EQ_INT(EV.duration_us, 1234000);
	/* unterminated / odd values do not crash and keep what parsed */
	CT_EQ_INT(cls("INIT START(type: on-demand, phase: in"), LOG_RIE_INIT_START);
	CT_EQ_STR(EV.phase, "in");
	CT_EQ_INT(cls("INIT REPORT(durationMs: abc)"), LOG_INIT_REPORT);
	CT_EQ_INT(EV.have & LOG_HAVE_DURATION, 0);
	CT_EQ_INT(cls("INIT START()"), LOG_RIE_INIT_START);
	CT_EQ_INT(EV.have, 0);
	/* AWS INIT_REPORT */
	CT_EQ_INT(cls("INIT_REPORT Init Duration: 10002.89 ms\tPhase: init\tStatus: timeout"),
		  LOG_INIT_REPORT);
	CT_EQ_INT(EV.duration_us, 10002890);
	CT_EQ_STR(EV.phase, "init");
	CT_EQ_STR(EV.status, "timeout");
}

CT_TEST(request_lines)
{
	CT_EQ_INT(cls("START RequestId: " REQ " Version: $LATEST"), LOG_START);
	CT_EQ_STR(EV.request_id, REQ);
	CT_EQ_STR(EV.version, "$LATEST");
	CT_EQ_INT(cls("END RequestId: " REQ), LOG_END);
	CT_EQ_STR(EV.request_id, REQ);
	CT_EQ_INT(cls("START RequestId: abc"), LOG_START);
	CT_EQ_INT(EV.have, LOG_HAVE_REQUEST_ID);

	CT_EQ_INT(cls("REPORT RequestId: " REQ "\tInit Duration: 0.04 ms\tDuration: 45.45 ms\t"
		      "Billed Duration: 46 ms\tMemory Size: 3008 MB\tMax Memory Used: 3008 MB\t"),
		  LOG_REPORT);
	CT_EQ_STR(EV.request_id, REQ);
	CT_NEAR(EV.init_duration_ms, 0.04);
	CT_NEAR(EV.duration_ms, 45.45);
	CT_EQ_INT(EV.duration_us, 45450);
	CT_NEAR(EV.billed_ms, 46);
	CT_EQ_INT(EV.memory_mb, 3008);
	CT_EQ_INT(EV.max_memory_mb, 3008);
	CT_EQ_INT(EV.have, LOG_HAVE_REQUEST_ID | LOG_HAVE_INIT_DURATION |
				   LOG_HAVE_DURATION | LOG_HAVE_BILLED |
				   LOG_HAVE_MEMORY | LOG_HAVE_MAX_MEMORY);
	/* every field optional, any order, spaces instead of tabs */
	CT_EQ_INT(cls("REPORT RequestId: x Billed Duration: 100 ms Duration: 99.1 ms"),
		  LOG_REPORT);
	CT_NEAR(EV.duration_ms, 99.1);
	CT_NEAR(EV.billed_ms, 100);
	CT_EQ_INT(EV.have & LOG_HAVE_INIT_DURATION, 0);
	CT_EQ_INT(cls("REPORT RequestId: x Init Duration: 5 ms"), LOG_REPORT);
	CT_EQ_INT(EV.have, LOG_HAVE_REQUEST_ID | LOG_HAVE_INIT_DURATION);
	CT_EQ_INT(cls("REPORT RequestId: x Restore Duration: 5 ms"), LOG_REPORT);
	CT_EQ_INT(EV.have, LOG_HAVE_REQUEST_ID);
	CT_EQ_INT(cls("REPORT RequestId:"), LOG_REPORT);
	CT_EQ_INT(EV.have, 0);
	/* JSON-ish wrapper with escaped tabs */
	CT_EQ_INT(cls("{\"log\":\"REPORT RequestId: abc\\tDuration: 2.5 ms\\tMax Memory Used: 7 MB\\t\"}"),
		  LOG_REPORT);
	CT_EQ_STR(EV.request_id, "abc");
	CT_NEAR(EV.duration_ms, 2.5);
	CT_EQ_INT(EV.max_memory_mb, 7);
	CT_EQ_INT(cls("{\"msg\":\"START RequestId: abc Version: $LATEST\",\"x\":1}"), LOG_START);
	CT_EQ_STR(EV.request_id, "abc");
	CT_EQ_STR(EV.version, "$LATEST");
}

/* A figure is read as written (digits, one dot) or not at all: never its
 * first digits ("1e400" was 1.000 ms). */
CT_TEST(figures_as_written)
{
	static const char *const bad[] = {"1e400", "1E3", "0x10", "1.5.2", "12abc", "1.0e-3", "7_000", "+5", "-5",
					  "1..2", "inf", "NaN", "9999999999999999"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[256];

		snprintf(line, sizeof(line), "INIT_REPORT Init Duration: %s ms\tPhase: init", bad[i]);
		CT_EQ_INT(cls(line), LOG_INIT_REPORT);
		if (EV.have & LOG_HAVE_DURATION)
			CT__FAIL("INIT_REPORT %s read as %.3f", bad[i], EV.duration_ms);
		snprintf(line, sizeof(line), "REPORT RequestId: x\tInit Duration: %s ms\tDuration: %s ms\t"
			 "Billed Duration: %s ms\tMemory Size: %s MB", bad[i], bad[i], bad[i], bad[i]);
		CT_EQ_INT(cls(line), LOG_REPORT);
		if (EV.have != LOG_HAVE_REQUEST_ID)
			CT__FAIL("REPORT %s: have 0x%x, init %.3f, duration %.3f", bad[i], EV.have,
				 EV.init_duration_ms, EV.duration_ms);
		snprintf(line, sizeof(line), "INIT REPORT(durationMs: %s, status: ok)", bad[i]);
		CT_EQ_INT(cls(line), LOG_INIT_REPORT);
		CT_EQ_INT(EV.have & LOG_HAVE_DURATION, 0);
		CT_EQ_STR(EV.status, "ok");
	}
	/* a bad Init Duration does not take the next field's figure */
	CT_EQ_INT(cls("REPORT RequestId: x\tInit Duration: 1e400 ms\tDuration: 45.45 ms"), LOG_REPORT);
	CT_EQ_INT(EV.have, LOG_HAVE_REQUEST_ID | LOG_HAVE_DURATION);
	CT_EQ_INT(EV.duration_us, 45450);
	/* what agents do write still reads */
	CT_EQ_INT(cls("INIT_REPORT Init Duration: 1.000 ms"), LOG_INIT_REPORT);
	CT_EQ_INT(EV.duration_us, 1000);
	CT_EQ_INT(cls("INIT REPORT(durationMs: 14.5ms)"), LOG_INIT_REPORT);
	CT_EQ_INT(EV.duration_us, 14500);
	CT_EQ_INT(cls("INIT REPORT(durationMs: 3)"), LOG_INIT_REPORT);
	CT_EQ_INT(EV.duration_us, 3000);
	CT_EQ_INT(cls("REPORT RequestId: x\tInit Duration: 12 ms"), LOG_REPORT);
	CT_NEAR(EV.init_duration_ms, 12.0);
	CT_EQ_INT(cls("REPORT RequestId: x Init Duration: 0.5"), LOG_REPORT);
	CT_NEAR(EV.init_duration_ms, 0.5);
}

CT_TEST(go_inittrace)
{
	static const struct {
		const char *line, *pkg;
		double at, clk;
		uint64_t bytes, allocs;
	} t[] = {
		{"init internal/bytealg @0.008 ms, 0 ms clock, 0 bytes, 0 allocs",
		 "internal/bytealg", 0.008, 0, 0, 0},
		{"init runtime @0.046 ms, 0.059 ms clock, 0 bytes, 0 allocs",
		 "runtime", 0.046, 0.059, 0, 0},
		{"init go.amzn.com/lambda/rapid @2.5 ms, 0.012 ms clock, 1984 bytes, 31 allocs",
		 "go.amzn.com/lambda/rapid", 2.5, 0.012, 1984, 31},
		{"init gopkg.in/yaml%2ev3 @12 ms, 1.1 ms clock, 123456789 bytes, 4242 allocs",
		 "gopkg.in/yaml%2ev3", 12, 1.1, 123456789, 4242},
		{"2024/01/01 00:00:00 stderr: init main @100 ms, 2 ms clock, 8 bytes, 1 allocs",
		 "main", 100, 2, 8, 1},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CT_EQ_INT(cls(t[i].line), LOG_GO_INIT);
		CT_EQ_STR(EV.pkg, t[i].pkg);
		CT_NEAR(EV.go_at_ms, t[i].at);
		CT_NEAR(EV.go_clock_ms, t[i].clk);
		CT_EQ_U64(EV.go_bytes, t[i].bytes);
		CT_EQ_U64(EV.go_allocs, t[i].allocs);
	}
	/* the first "init " that does not fit is skipped for a later one */
	CT_EQ_INT(cls("init failed; init x @1 ms, 1 ms clock, 2 bytes, 3 allocs"),
		  LOG_GO_INIT);
	CT_EQ_STR(EV.pkg, "x");
}

/* The agent's per-extension line at the end of INIT (CloudWatch's format). */
CT_TEST(extension_lines)
{
	CT_EQ_INT(cls("EXTENSION\tName: ct-ext-go\tState: Ready\tEvents: [INVOKE,SHUTDOWN]"), LOG_EXTENSION);
	CT_EQ_STR(EV.ext_name, "ct-ext-go");
	CT_EQ_STR(EV.status, "Ready");
	CT_EQ_STR(EV.ext_events, "INVOKE,SHUTDOWN");
	CT_EQ_INT(EV.have, LOG_HAVE_EXT_NAME | LOG_HAVE_STATUS | LOG_HAVE_EXT_EVENTS);
	CT_EQ_INT(cls("EXTENSION\tName: crashy\tState: Crashed\tEvents: []\tError Type: Extension.Crash"),
		  LOG_EXTENSION);
	CT_EQ_STR(EV.ext_name, "crashy");
	CT_EQ_STR(EV.ext_events, "");
	CT_EQ_STR(EV.error_type, "Extension.Crash");
	CT_EQ_INT(EV.have, LOG_HAVE_EXT_NAME | LOG_HAVE_STATUS | LOG_HAVE_EXT_EVENTS | LOG_HAVE_ERROR_TYPE);
	/* an unterminated list is not taken; a line that only mentions one is not one */
	CT_EQ_INT(cls("EXTENSION Name: x State: Ready Events: [INVOKE"), LOG_EXTENSION);
	CT_EQ_INT(EV.have & LOG_HAVE_EXT_EVENTS, 0);
	CT_EQ_INT(cls("loading EXTENSION files"), LOG_NONE);
	CT_EQ_INT(cls("EXTENSIONS\tName: x"), LOG_NONE);
	CT_EQ_INT(cls("EXTENSION\tName: "), LOG_NONE);
	CT_EQ_STR(log_kind_name(LOG_EXTENSION), "extension");
}

CT_TEST(colours_and_cr)
{
	CT_EQ_INT(cls("\x1b[32m[INFO]\x1b[0m (rapid) \x1b[1mINIT\x1b[0m START(type: on-demand, phase: init)"),
		  LOG_RIE_INIT_START);
	CT_EQ_STR(EV.init_type, "on-demand");
	CT_EQ_INT(cls("\x1b[31mEND RequestId: abc\x1b[0m"), LOG_END);
	CT_EQ_STR(EV.request_id, "abc");
	CT_EQ_INT(cls("START Req\ruestId: abc\r"), LOG_START);
	CT_EQ_STR(EV.request_id, "abc");
	CT_EQ_INT(cls("\x1b]0;title\x07INIT_START Runtime Version: a"), LOG_INIT_START);
	CT_EQ_STR(EV.version, "a");
	/* the raw line keeps the colours */
	CT_TRUE(strchr(EV.line, 0x1b) != NULL);
	/* a lone ESC at the end */
	CT_EQ_INT(cls("END RequestId: q\x1b"), LOG_END);
	CT_EQ_INT(cls("\x1b[999999"), LOG_NONE);
}

CT_TEST(classify_bounds)
{
	static char big[3000];
	memset(big, 'a', sizeof(big));
	memcpy(big, "END RequestId: ", 15);
	CT_EQ_INT(logline_classify(big, sizeof(big), &EV), LOG_END);
	CT_TRUE(EV.flags & LOG_F_TRUNC);
	CT_EQ_INT(EV.line_len, LOG_LINE_MAX);
	CT_EQ_INT(strlen(EV.line), LOG_LINE_MAX);
	CT_EQ_INT(strlen(EV.request_id), LOG_ID_MAX - 1);
	CT_EQ_U64(EV.orig_len, sizeof(big));
	/* a marker beyond the kept part is not seen */
	memset(big, 'a', sizeof(big));
	memcpy(big + 2000, "END RequestId: x", 16);
	CT_EQ_INT(logline_classify(big, sizeof(big), &EV), LOG_NONE);
	/* not NUL-terminated: only n bytes read */
	CT_EQ_INT(logline_classify("END RequestId: abcdef", 17, &EV), LOG_END);
	CT_EQ_STR(EV.request_id, "ab");
	CT_EQ_INT(logline_classify("init x @1", 9, &EV), LOG_NONE);
	CT_EQ_INT(logline_classify(NULL, 0, &EV), LOG_NONE);
	/* huge numbers are refused, not overflowed */
	CT_EQ_INT(cls("INIT REPORT(durationMs: 99999999999999999999)"), LOG_INIT_REPORT);
	CT_EQ_INT(EV.have & LOG_HAVE_DURATION, 0);
}

/* ---- assembler ---- */

#define MAX_EV 64
struct rec {
	int n;
	struct log_event ev[MAX_EV];
};
static struct rec R;
static struct log_stream LS;

static void rec_cb(void *ctx, const struct log_event *ev)
{
	struct rec *r = ctx;
	if (r->n < MAX_EV)
		r->ev[r->n] = *ev;
	r->n++;
}

static void lfeed(const char *d, size_t n, uint64_t ts, struct rec *r)
{
	log_stream_feed(&LS, (const uint8_t *)d, n, n, ts, rec_cb, r);
}

static const char agent_out[] =
	"01 Jan 2024 00:00:00,000 [INFO] (rapid) exec '/var/runtime/bootstrap' (cwd=/var/task, handler=)\n"
	"01 Jan 2024 00:00:00,001 [INFO] (rapid) INIT START(type: on-demand, phase: init)\n"
	"01 Jan 2024 00:00:00,002 [INFO] (rapid) The extension's directory \"/opt/extensions\" does not exist, assuming no extensions to be loaded.\n"
	"START RequestId: 11111111-2222-3333-4444-555555555555 Version: $LATEST\n"
	"01 Jan 2024 00:00:00,020 [INFO] (rapid) INIT RTDONE(status: success)\r\n"
	"01 Jan 2024 00:00:00,020 [INFO] (rapid) INIT REPORT(durationMs: 14.586000)\n"
	"01 Jan 2024 00:00:00,021 [INFO] (rapid) INVOKE START(requestId: " REQ ")\n"
	"\n"
	"01 Jan 2024 00:00:00,066 [INFO] (rapid) INVOKE RTDONE(status: success, produced bytes: 0, duration: 45.45ms)\n"
	"END RequestId: " REQ "\n"
	"REPORT RequestId: " REQ "\tInit Duration: 0.04 ms\tDuration: 45.45 ms\tBilled Duration: 46 ms\tMemory Size: 3008 MB\tMax Memory Used: 3008 MB\t\n";

static const enum log_kind agent_kinds[] = {
	LOG_RIE_INIT_START, LOG_START, LOG_INIT_RTDONE, LOG_INIT_REPORT,
	LOG_END, LOG_REPORT,
};
#define N_AGENT_KINDS (int)(sizeof(agent_kinds) / sizeof(agent_kinds[0]))

static void check_agent(const struct rec *r)
{
	CT_EQ_INT(r->n, N_AGENT_KINDS);
	for (int i = 0; i < r->n && i < N_AGENT_KINDS; i++)
		CT_EQ_INT(r->ev[i].kind, agent_kinds[i]);
	if (r->n != N_AGENT_KINDS)
		return;
	CT_EQ_STR(r->ev[2].status, "success");
	/* the CR before LF is not part of the line */
	CT_EQ_STR(r->ev[2].line,
		  "01 Jan 2024 00:00:00,020 [INFO] (rapid) INIT RTDONE(status: success)");
	CT_EQ_INT(r->ev[3].duration_us, 14586);
	CT_EQ_STR(r->ev[5].request_id, REQ);
	CT_EQ_INT(r->ev[5].memory_mb, 3008);
	for (int i = 0; i < r->n; i++)
		CT_EQ_INT(r->ev[i].flags, 0);
}

CT_TEST(stream_one_write)
{
	memset(&R, 0, sizeof(R));
	log_stream_init(&LS, 0);
	lfeed(agent_out, strlen(agent_out), 7, &R);
	check_agent(&R);
	CT_EQ_U64(R.ev[0].ts_first, 7);
	CT_EQ_U64(R.ev[0].ts_last, 7);
	CT_EQ_U64(LS.lines, 10); /* the empty line is not counted */
}

CT_TEST(stream_split_everywhere)
{
	size_t n = strlen(agent_out);
	for (size_t k = 0; k <= n; k++) {
		memset(&R, 0, sizeof(R));
		log_stream_init(&LS, 0);
		lfeed(agent_out, k, 1, &R);
		lfeed(agent_out + k, n - k, 2, &R);
		if (R.n != N_AGENT_KINDS) {
			CT__FAIL("split at %zu: %d events", k, R.n);
			return;
		}
		check_agent(&R);
		/* the line holding position k spans both writes */
		for (int i = 0; i < R.n; i++) {
			const char *at = strstr(agent_out, R.ev[i].line);
			size_t b = (size_t)(at - agent_out);
			size_t eol = b + strlen(R.ev[i].line) +
				     (i == 2 ? 1 : 0); /* the CR */
			CT_EQ_U64(R.ev[i].ts_first, b < k ? 1 : 2);
			CT_EQ_U64(R.ev[i].ts_last, eol < k ? 1 : 2);
		}
	}
	/* one byte at a time */
	memset(&R, 0, sizeof(R));
	log_stream_init(&LS, 0);
	for (size_t i = 0; i < n; i++)
		lfeed(agent_out + i, 1, i, &R);
	check_agent(&R);
}

CT_TEST(stream_many_lines_and_all)
{
	memset(&R, 0, sizeof(R));
	log_stream_init(&LS, LOG_OPT_ALL_LINES);
	lfeed("a\nb\r\n\n\r\nc", 9, 1, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_STR(R.ev[0].line, "a");
	CT_EQ_STR(R.ev[1].line, "b");
	CT_EQ_INT(R.ev[0].kind, LOG_NONE);
	log_stream_flush(&LS, 2, rec_cb, &R);
	CT_EQ_INT(R.n, 3);
	CT_EQ_STR(R.ev[2].line, "c");
	CT_TRUE(R.ev[2].flags & LOG_F_NO_EOL);
	CT_EQ_U64(R.ev[2].ts_last, 2);
	/* flush on nothing pending does nothing */
	log_stream_flush(&LS, 3, rec_cb, &R);
	CT_EQ_INT(R.n, 3);
	/* default: only interesting lines */
	memset(&R, 0, sizeof(R));
	log_stream_init(&LS, 0);
	lfeed("a\nEND RequestId: z\nb\n", 21, 1, &R);
	CT_EQ_INT(R.n, 1);
	CT_EQ_STR(R.ev[0].request_id, "z");
}

CT_TEST(stream_overlong)
{
	static char buf[5000];
	int n = snprintf(buf, sizeof(buf), "START RequestId: long Version: 1 ");
	memset(buf + n, 'x', 3000);
	n += 3000;
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, " END RequestId: hidden\nEND RequestId: next\n");
	memset(&R, 0, sizeof(R));
	log_stream_init(&LS, 0);
	/* in 100-byte writes */
	for (int off = 0; off < n; off += 100)
		lfeed(buf + off, (size_t)(n - off < 100 ? n - off : 100),
		      (uint64_t)off, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[0].kind, LOG_START);
	CT_EQ_STR(R.ev[0].request_id, "long");
	CT_TRUE(R.ev[0].flags & LOG_F_TRUNC);
	CT_EQ_INT(R.ev[0].line_len, LOG_LINE_MAX);
	CT_EQ_U64(R.ev[0].orig_len, (size_t)(strchr(buf, '\n') - buf));
	CT_EQ_U64(R.ev[0].ts_first, 0);
	CT_EQ_U64(R.ev[0].ts_last, 3000);
	CT_EQ_INT(R.ev[1].kind, LOG_END);
	CT_EQ_STR(R.ev[1].request_id, "next");
	CT_EQ_INT(R.ev[1].flags, 0);
	/* exactly LOG_LINE_MAX bytes is not truncated */
	static char exact[LOG_LINE_MAX + 1];
	memset(exact, 'y', LOG_LINE_MAX);
	memcpy(exact, "END RequestId: e ", 17);
	exact[LOG_LINE_MAX] = '\n';
	memset(&R, 0, sizeof(R));
	lfeed(exact, sizeof(exact), 1, &R);
	CT_EQ_INT(R.n, 1);
	CT_EQ_INT(R.ev[0].flags, 0);
	CT_EQ_INT(R.ev[0].line_len, LOG_LINE_MAX);
}

CT_TEST(stream_truncated_capture)
{
	const char *w = "START RequestId: aaa Version: 1\nEND RequestId: bbb\nREPORT RequestId: ccc\tDuration: 1 ms\n";
	size_t n = strlen(w);
	size_t cut = (size_t)(strstr(w, "bbb") - w) + 1; /* inside "bbb" */
	memset(&R, 0, sizeof(R));
	log_stream_init(&LS, 0);
	log_stream_feed(&LS, (const uint8_t *)w, cut, n, 1, rec_cb, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[0].kind, LOG_START);
	CT_EQ_INT(R.ev[0].flags, 0);
	CT_EQ_INT(R.ev[1].kind, LOG_END);
	CT_TRUE(R.ev[1].flags & LOG_F_INCOMPLETE);
	CT_EQ_STR(R.ev[1].request_id, "b"); /* what was captured, no more */
	/* the next write's first line may have lost its start */
	lfeed("cut tail\nEND RequestId: ddd\n", 28, 2, &R);
	CT_EQ_INT(R.n, 3);
	CT_EQ_STR(R.ev[2].request_id, "ddd");
	CT_EQ_INT(R.ev[2].flags, 0);
	memset(&R, 0, sizeof(R));
	log_stream_init(&LS, LOG_OPT_ALL_LINES);
	log_stream_feed(&LS, (const uint8_t *)w, cut, n, 1, rec_cb, &R);
	lfeed("cut tail\nEND RequestId: ddd\n", 28, 2, &R);
	CT_EQ_INT(R.n, 4);
	CT_TRUE(R.ev[2].flags & LOG_F_AFTER_GAP);
	CT_EQ_STR(R.ev[2].line, "cut tail");
	CT_EQ_INT(R.ev[3].flags, 0);
	/* a write captured not at all, between lines */
	memset(&R, 0, sizeof(R));
	log_stream_init(&LS, LOG_OPT_ALL_LINES);
	lfeed("x\n", 2, 1, &R);
	log_stream_feed(&LS, NULL, 0, 500, 2, rec_cb, &R);
	lfeed("y\n", 2, 3, &R);
	CT_EQ_INT(R.n, 2);
	CT_TRUE(R.ev[1].flags & LOG_F_AFTER_GAP);
	/* a line joined across writes then cut by missing bytes */
	memset(&R, 0, sizeof(R));
	log_stream_init(&LS, 0);
	lfeed("INIT REPORT(dura", 16, 1, &R);
	log_stream_feed(&LS, (const uint8_t *)"tionMs: 14.5", 12, 40, 2, rec_cb, &R);
	CT_EQ_INT(R.n, 1);
	CT_EQ_INT(R.ev[0].kind, LOG_INIT_REPORT);
	CT_TRUE(R.ev[0].flags & LOG_F_INCOMPLETE);
	CT_EQ_U64(R.ev[0].ts_first, 1);
	CT_EQ_U64(R.ev[0].ts_last, 2);
	CT_EQ_INT(R.ev[0].duration_us, 14500); /* what was seen */
}

CT_TEST(go_stderr_stream)
{
	const char *w =
		"init internal/bytealg @0.006 ms, 0 ms clock, 0 bytes, 0 allocs\n"
		"init runtime @0.044 ms, 0.049 ms clock, 0 bytes, 0 allocs\n"
		"init errors @0.41 ms, 0.002 ms clock, 0 bytes, 0 allocs\n"
		"init main @0.52 ms, 0.16 ms clock, 2048 bytes, 12 allocs\n";
	memset(&R, 0, sizeof(R));
	log_stream_init(&LS, 0);
	size_t n = strlen(w);
	/* each inittrace line is written by several small writes in Go's
	 * print: emulate 7-byte writes */
	for (size_t off = 0; off < n; off += 7)
		lfeed(w + off, n - off < 7 ? n - off : 7, off, &R);
	CT_EQ_INT(R.n, 4);
	CT_EQ_STR(R.ev[3].pkg, "main");
	CT_EQ_U64(R.ev[3].go_bytes, 2048);
	CT_EQ_U64(R.ev[3].go_allocs, 12);
	CT_NEAR(R.ev[2].go_at_ms, 0.41);
}

CT_TEST(kinds_and_reset)
{
	for (int k = LOG_NONE; k < LOG_KIND_COUNT; k++)
		CT_TRUE(strcmp(log_kind_name(k), "?") != 0);
	CT_EQ_STR(log_kind_name(99), "?");
	/* quoted RIE values, OSC ended by ESC backslash */
	CT_EQ_INT(cls("INIT START(type: \"on-demand\", phase: init)"), LOG_RIE_INIT_START);
	CT_EQ_STR(EV.init_type, "on-demand");
	CT_EQ_INT(cls("\x1b]0;t\x1b\\END RequestId: o"), LOG_END);
	CT_EQ_STR(EV.request_id, "o");
	/* reset drops a pending line */
	memset(&R, 0, sizeof(R));
	log_stream_init(&LS, LOG_OPT_ALL_LINES);
	lfeed("END RequestId: gone", 19, 1, &R);
	log_stream_reset(&LS);
	lfeed("\n", 1, 2, &R);
	CT_EQ_INT(R.n, 0);
	CT_EQ_INT(LS.opts, LOG_OPT_ALL_LINES);
	/* len < cap_len is taken as cap_len: no gap */
	log_stream_feed(&LS, (const uint8_t *)"a\nb", 3, 0, 3, rec_cb, &R);
	log_stream_feed(&LS, (const uint8_t *)"c\n", 2, 2, 4, rec_cb, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_STR(R.ev[1].line, "bc");
	CT_EQ_INT(R.ev[1].flags, 0);
}

int main(void)
{
	CT_RUN(classify_table);
	CT_RUN(aws_init_start);
	CT_RUN(rie_init_lines);
	CT_RUN(request_lines);
	CT_RUN(figures_as_written);
	CT_RUN(go_inittrace);
	CT_RUN(colours_and_cr);
	CT_RUN(classify_bounds);
	CT_RUN(stream_one_write);
	CT_RUN(stream_split_everywhere);
	CT_RUN(stream_many_lines_and_all);
	CT_RUN(stream_overlong);
	CT_RUN(stream_truncated_capture);
	CT_RUN(go_stderr_stream);
	CT_RUN(kinds_and_reset);
	CT_RUN(extension_lines);
	return ct_summary();
}
