// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Issue 10, hardening, at the unit level: real ct_exec / ct_io records fed
 * through ct_model_add_event, every view rendered.
 *   - secrets planted in argv, the exec path, the command line, an HTTP
 *     request target and its headers, log lines and a loader note appear in
 *     no view (text, inittrace, jsonl, perfetto, svg, otlp); query values
 *     are dropped unless keep_query;
 *   - terminal escapes and newlines in file and package names reach no
 *     human-readable view raw, and cannot forge an inittrace line;
 *   - the memory budget holds under a log flood and an HTTP flood: what
 *     does not fit is counted, reported, and the trace is incomplete.
 */
#include <linux/types.h>
#include <arpa/inet.h>
#include <malloc.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ct_test.h"
#include "model.h"
#include "model_build.h"
#include "render.h"

#define AGENT 100u
#define RUNTIME 200u
#define TS(ms) (1000000000ull + (uint64_t)(ms) * 1000000ull)

static struct ct_io *io_buf;
static const char *pkg_name = "example.com/p";

static const char *pkg_of(void *ctx, uint32_t bin, uint32_t kind, uint64_t ip, uint64_t fn)
{
	static char buf[128];

	(void)ctx, (void)bin, (void)kind, (void)ip;
	snprintf(buf, sizeof(buf), "%s%llu", pkg_name, (unsigned long long)(fn >> 12));
	return buf;
}

static const char *bin_version(void *ctx, uint32_t bin)
{
	(void)ctx, (void)bin;
	return "go1.19.8";
}

static const struct ct_model_ops ops = {.pkg_of = pkg_of, .bin_version = bin_version};

/* An exec with argv given as NUL-separated bytes (n of them). */
static void exec_(struct ct_model *m, uint32_t pid, uint64_t ts, const char *path, const char *comm,
		  const char *args, size_t n)
{
	struct ct_exec e;

	memset(&e, 0, sizeof(e));
	mb_hdr(&e.h, CT_EV_EXEC, pid, pid, ts);
	e.ppid = 1;
	snprintf(e.path, sizeof(e.path), "%s", path);
	snprintf(e.comm, sizeof(e.comm), "%s", comm);
	if (n > sizeof(e.args)) {
		n = sizeof(e.args);
		e.args_truncated = 1;
	}
	memcpy(e.args, args, n);
	e.args_len = (uint32_t)n;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

static void go_(struct ct_model *m, uint32_t pid, uint64_t ts, uint32_t kind, uint64_t value)
{
	struct ct_go e;

	memset(&e, 0, sizeof(e));
	mb_hdr(&e.h, CT_EV_GO, pid, pid, ts);
	e.cookie = CT_COOKIE(kind, 1, CT_REG_AX, 0, 0);
	e.ip = 0x1000;
	e.value = value;
	e.task = value + 0x100;
	e.nfns = 1;
	e.state = 1;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

static void go_start(struct ct_model *m, uint32_t pid, uint64_t at_ms, int npkgs)
{
	go_(m, pid, TS(at_ms), CT_GO_RTSTART, TS(at_ms));
	for (int i = 0; i < npkgs; i++) {
		go_(m, pid, TS(at_ms) + 100000ull * (uint64_t)(2 * i + 1), CT_GO_TASKSTART, 0x1000ull * (uint64_t)(i + 1));
		go_(m, pid, TS(at_ms) + 100000ull * (uint64_t)(2 * i + 2), CT_GO_TASKEND, 0);
	}
	go_(m, pid, TS(at_ms + 1), CT_GO_MAINMAIN, 0);
}

/* Bytes written or read by pid: on a loopback socket (sock != 0) or stdout. */
static size_t make_io(uint32_t pid, uint64_t ts, int dir, uint64_t sock, uint16_t lport, uint16_t rport,
		      const char *data, size_t n)
{
	struct ct_io *e = io_buf;

	memset(e, 0, offsetof(struct ct_io, data));
	mb_hdr(&e->h, CT_EV_IO, pid, pid, ts);
	e->dir = (uint16_t)dir;
	e->len = (uint32_t)n;
	if (n > CT_MAX_CAPTURE)
		n = CT_MAX_CAPTURE;
	e->cap_len = (uint32_t)n;
	if (sock) {
		e->fd = 5;
		e->flags = CT_IO_SOCK;
		e->family = AF_INET;
		inet_pton(AF_INET, "127.0.0.1", e->laddr);
		inet_pton(AF_INET, "127.0.0.1", e->raddr);
		e->lport = lport;
		e->rport = rport;
		e->sock_id = sock;
	} else {
		e->fd = 1;
		e->flags = CT_IO_PIPE;
	}
	if (e->cap_len < e->len)
		e->flags |= CT_IO_TRUNC;
	memcpy(e->data, data, n);
	return offsetof(struct ct_io, data) + n;
}

static void io(struct ct_model *m, uint32_t pid, uint64_t ts, int dir, uint64_t sock, uint16_t lport,
	       uint16_t rport, const char *s)
{
	CT_EQ_INT(ct_model_add_event(m, io_buf, make_io(pid, ts, dir, sock, lport, rport, s, strlen(s))), 0);
}

static void listen_(struct ct_model *m, uint32_t pid, uint64_t ts, uint16_t port)
{
	struct ct_listen e;

	memset(&e, 0, sizeof(e));
	mb_hdr(&e.h, CT_EV_LISTEN, pid, pid, ts);
	e.family = AF_INET;
	e.port = port;
	inet_pton(AF_INET, "127.0.0.1", e.addr);
	e.sock_id = 0xa000;
	CT_EQ_INT(ct_model_add_event(m, &e, sizeof(e)), 0);
}

enum view { V_TEXT, V_INITTRACE, V_JSONL, V_PERFETTO, V_SVG, V_OTLP, V_COUNT };
static const char *const view_names[V_COUNT] = {"text", "inittrace", "jsonl", "perfetto", "svg", "otlp"};

static void render(const struct ct_model *m, enum view v, const struct ct_render_opts *o, struct strbuf *out)
{
	sb_reset(out);
	switch (v) {
	case V_TEXT: ct_render_text(m, out, o); break;
	case V_INITTRACE: ct_render_inittrace(m, out, o); break;
	case V_JSONL: ct_render_jsonl(m, out, o); break;
	case V_PERFETTO: ct_render_perfetto(m, out, o); break;
	case V_SVG: ct_render_svg(m, out, o); break;
	case V_OTLP: ct_render_otlp(m, out, o); break;
	default: break;
	}
}

/* ---- secrets ---- */

/* Each one is planted somewhere below; none may be in any view. */
static const char *const secrets[] = {
	"SECRET-BEARER-1", "SECRET-PW-2", "SECRET-STS-3", "SECRET-SIG-4", "SECRET-PATH-5", "SECRET-CMD-6",
	"SECRET-CMD-7", "SECRET-CRED-8", "SECRET-UA-10", "SECRET-HDR-11", "SECRET-LOG-12", "SECRET-LOG-13",
	"SECRET-LOG-14", "SECRET-NOTE-15", "SECRET-USERINFO-16", "SECRET-BASIC-17", "SECRET-ENV-18",
};
#define QUERY_VALUE "plain-query-value-9" /* not a secret: dropped unless keep_query */

static const char agent_args[] = "/opt/agent\0--password\0SECRET-PW-2\0AWS_SESSION_TOKEN=SECRET-ENV-18";
static const char curl_args[] = "curl\0-H\0Authorization: Bearer SECRET-BEARER-1\0"
				"https://b.s3.amazonaws.com/o?X-Amz-Security-Token=SECRET-STS-3&X-Amz-Signature=SECRET-SIG-4\0"
				"https://u:SECRET-USERINFO-16@h/";

static void build_secrets(struct ct_model *m, bool keep_query)
{
	static const char next_req[] = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"
				       "Host: 127.0.0.1:9001\r\n\r\n";
	static const char next_resp[] = "HTTP/1.1 200 OK\r\n"
					"Lambda-Runtime-Aws-Request-Id: req-1\r\n"
					"Content-Length: 2\r\n\r\n{}";
	static const char obj_req[] = "GET /obj?X-Amz-Credential=SECRET-CRED-8&plain=" QUERY_VALUE " HTTP/1.1\r\n"
				      "Host: 127.0.0.1:9001\r\n"
				      "User-Agent: tool/1 token=SECRET-UA-10\r\n"
				      "Authorization: Bearer SECRET-HDR-11\r\n"
				      "X-Amz-Security-Token: SECRET-STS-3\r\n\r\n";

	ct_model_init(m, &ops);
	m->keep_query = keep_query;
	ct_model_add_root(m, AGENT, TS(0));
	exec_(m, AGENT, TS(1), "/opt/agent", "agent", agent_args, sizeof(agent_args));
	ct_model_set_go(m, AGENT, 1, "go1.19.8", "cannot trace /tmp/x token=SECRET-NOTE-15");
	go_start(m, AGENT, 2, 2);
	listen_(m, AGENT, TS(4), 9001);
	io(m, AGENT, TS(5), CT_IO_WRITE, 0, 0, 0,
	   "INIT_START Runtime Version: go:1 Runtime Version ARN: arn:x password=SECRET-LOG-13\n");
	/* the runtime: a Go program started with secrets in its path and argv */
	exec_(m, RUNTIME, TS(6), "/var/task/AWS_SECRET_ACCESS_KEY=SECRET-PATH-5/bootstrap", "bootstrap", curl_args,
	      sizeof(curl_args));
	go_start(m, RUNTIME, 7, 2);
	io(m, RUNTIME, TS(9), CT_IO_WRITE, 0x1000, 40000, 9001, obj_req);
	io(m, AGENT, TS(10), CT_IO_READ, 0x2000, 9001, 40000, obj_req);
	io(m, RUNTIME, TS(11), CT_IO_WRITE, 0x1000, 40000, 9001, next_req);
	io(m, AGENT, TS(12), CT_IO_READ, 0x2000, 9001, 40000, next_req);
	io(m, AGENT, TS(13), CT_IO_WRITE, 0x2000, 9001, 40000, next_resp);
	io(m, AGENT, TS(14), CT_IO_WRITE, 0, 0, 0,
	   "START RequestId: req-1 Version: $LATEST password=SECRET-LOG-12\n"
	   "END RequestId: req-1\n"
	   "REPORT RequestId: req-1\tDuration: 1.00 ms\tAuthorization: Basic SECRET-BASIC-17\n"
	   "REPORT RequestId: req-1\tDuration: 1.00 ms secret: SECRET-LOG-14\n");
	ct_model_finish(m);
}

static const struct ct_render_opts secret_opts = {
	.command = "env AWS_SECRET_ACCESS_KEY=SECRET-CMD-6 curl -H 'Authorization: Bearer SECRET-CMD-7' https://x/",
	.top = 5,
};

CT_TEST(no_view_shows_a_secret)
{
	struct ct_model m;
	struct strbuf sb;

	build_secrets(&m, false);
	sb_init(&sb);
	for (int v = 0; v < V_COUNT; v++) {
		render(&m, (enum view)v, &secret_opts, &sb);
		CT_TRUE(sb.len > 0);
		for (size_t k = 0; k < sizeof(secrets) / sizeof(secrets[0]); k++)
			if (sb.buf && strstr(sb.buf, secrets[k]))
				CT__FAIL("view %s shows %s", view_names[v], secrets[k]);
		if (sb.buf && strstr(sb.buf, QUERY_VALUE))
			CT__FAIL("view %s shows a query value", view_names[v]);
		/* the places they were planted did reach the view (inittrace has none) */
		if (v != V_INITTRACE && (!sb.buf || !strstr(sb.buf, v == V_SVG ? "&lt;redacted&gt;" : CT_REDACTED)))
			CT__FAIL("view %s has no %s: the planted strings never reached it", view_names[v], CT_REDACTED);
	}
	/* what is not a secret stays */
	render(&m, V_JSONL, &secret_opts, &sb);
	CT_TRUE(strstr(sb.buf, "\"path\":\"/obj?X-Amz-Credential=<redacted>&plain=<redacted>\"") != NULL);
	CT_TRUE(strstr(sb.buf, "\"argv\":[\"curl\",\"-H\",\"Authorization: Bearer <redacted>\"") != NULL);
	CT_TRUE(strstr(sb.buf, "\"argv\":[\"/opt/agent\",\"--password\",\"<redacted>\",\"AWS_SESSION_TOKEN=<redacted>\"]") != NULL);
	CT_TRUE(strstr(sb.buf, "\"User-Agent\":\"tool/1 token=<redacted>\"") != NULL);
	CT_TRUE(strstr(sb.buf, "\"request_id\":\"req-1\"") != NULL);
	CT_TRUE(strstr(sb.buf, "\"command\":\"env AWS_SECRET_ACCESS_KEY=<redacted> curl -H 'Authorization: Bearer <redacted>' https://x/\"") != NULL);
	/* the allowlist still drops Authorization and X-Amz-* headers entirely */
	CT_TRUE(strstr(sb.buf, "\"Authorization\"") == NULL);
	render(&m, V_TEXT, &secret_opts, &sb);
	CT_TRUE(strstr(sb.buf, "GET /obj?X-Amz-Credential=<redacted>&plain=<redacted>") != NULL);
	sb_free(&sb);
	ct_model_free(&m);

	/* keep_query: the plain value stays, the credential does not */
	build_secrets(&m, true);
	sb_init(&sb);
	for (int v = 0; v < V_COUNT; v++) {
		render(&m, (enum view)v, &secret_opts, &sb);
		for (size_t k = 0; k < sizeof(secrets) / sizeof(secrets[0]); k++)
			if (sb.buf && strstr(sb.buf, secrets[k]))
				CT__FAIL("keep_query: view %s shows %s", view_names[v], secrets[k]);
	}
	render(&m, V_JSONL, &secret_opts, &sb);
	CT_TRUE(strstr(sb.buf, "\"path\":\"/obj?X-Amz-Credential=<redacted>&plain=" QUERY_VALUE "\"") != NULL);
	sb_free(&sb);
	ct_model_free(&m);
}

CT_TEST(command_line_bounded)
{
	struct ct_render_opts o = {.top = 5};
	struct ct_model m;
	struct strbuf sb;
	char *cmd = malloc(100000);

	if (!cmd)
		return;
	memset(cmd, 'x', 99999);
	memcpy(cmd, "prog ", 5);
	memcpy(cmd + 500, " LATE-MARKER ", 13);
	cmd[99999] = 0;
	o.command = cmd;
	build_secrets(&m, false);
	sb_init(&sb);
	for (int v = 0; v < V_COUNT; v++) {
		if (v == V_INITTRACE)
			continue;
		render(&m, (enum view)v, &o, &sb);
		CT_TRUE(sb.buf && strstr(sb.buf, "prog xxx") != NULL);
		if (sb.buf && strstr(sb.buf, "LATE-MARKER"))
			CT__FAIL("view %s shows the command beyond %d bytes", view_names[v], CT_CMDLINE_MAX);
		if (sb.buf && sb.len > 60000)
			CT__FAIL("view %s is %zu bytes for a 100 kB command line", view_names[v], sb.len);
	}
	sb_free(&sb);
	ct_model_free(&m);
	free(cmd);
}

/* ---- terminal escapes, forged lines ---- */

#define FORGED "init forged @0 ms, 9 ms clock, 0 bytes, 0 allocs"

static void build_evil(struct ct_model *m)
{
	static const char args[] = "evil\0\x1b[2J";

	pkg_name = "evil/\x1b]0;pwn\x07\n" FORGED "\n";
	ct_model_init(m, &ops);
	ct_model_add_root(m, AGENT, TS(0));
	exec_(m, AGENT, TS(1), "/tmp/a\n" FORGED "\n\x1b[31mred\x1b]8;;http://x\x07", "a\x1b[2J\n", args, sizeof(args));
	go_start(m, AGENT, 2, 2);
	exec_(m, RUNTIME, TS(5), "/tmp/b\x9b" "2J\xc2\x9b\xe2\x80\xae", "b", args, sizeof(args));
	go_start(m, RUNTIME, 6, 1);
	io(m, AGENT, TS(9), CT_IO_WRITE, 0, 0, 0, "START RequestId: r\x1b]0;t\x07 Version: \x1b[2J\x7f\n");
	ct_model_finish(m);
	pkg_name = "example.com/p";
}

/* No byte that a terminal acts on, except the newlines the view writes. */
static bool terminal_safe(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			return false;
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f)
			return false; /* C1 control */
		if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] >= 0xaa &&
		    (unsigned char)s[i + 2] <= 0xae)
			return false; /* bidi override */
		if (c >= 0x80 && !utf8_seq_len((const unsigned char *)s + i, n - i))
			return false;
	}
	return true;
}

CT_TEST(escapes_and_forged_lines)
{
	struct ct_render_opts o = {.command = "evil\x1b]0;title\x07\ncmd", .top = 5};
	struct ct_model m;
	struct strbuf sb;
	size_t inits = 0, pkgs = 0;

	build_evil(&m);
	sb_init(&sb);
	render(&m, V_TEXT, &o, &sb);
	CT_TRUE(sb.len > 0 && terminal_safe(sb.buf, sb.len));
	if (getenv("CT_DUMP"))
		fwrite(sb.buf, 1, sb.len, stderr);
	CT_TRUE(strstr(sb.buf, "/tmp/a\\ninit forged") != NULL);
	CT_TRUE(strstr(sb.buf, "\\x1b[31mred") != NULL);
	CT_TRUE(strstr(sb.buf, "evil\\x1b]0;title\\x07\\ncmd") != NULL);
	CT_TRUE(strstr(sb.buf, "/tmp/b\\x9b2J\\u009b\\u202e") != NULL);
	CT_TRUE(strstr(sb.buf, "\n" FORGED) == NULL);

	render(&m, V_INITTRACE, &o, &sb);
	CT_TRUE(sb.len > 0 && terminal_safe(sb.buf, sb.len));
	/* every line is a header or one of the 3 real inits: nothing forged */
	for (const char *l = sb.buf; l && *l;) {
		const char *nl = strchr(l, '\n');

		if (!strncmp(l, "init ", 5))
			inits++;
		else if (strncmp(l, "# pid ", 6))
			CT__FAIL("unexpected inittrace line: %.60s", l);
		if (!strncmp(l, FORGED, strlen(FORGED)))
			CT__FAIL("forged line: %.60s", l);
		l = nl ? nl + 1 : NULL;
	}
	for (size_t i = 0; i < m.nprocs; i++)
		for (size_t j = 0; j < m.procs[i].nimages; j++)
			pkgs += m.procs[i].images[j].npkgs;
	CT_EQ_INT(pkgs, 3);
	CT_EQ_INT(inits, pkgs);
	CT_TRUE(strstr(sb.buf, "# pid 100 /tmp/a\\ninit forged @0 ms") != NULL);

	/* SVG: control bytes never raw either (XML would not even parse) */
	render(&m, V_SVG, &o, &sb);
	CT_TRUE(sb.len > 0 && terminal_safe(sb.buf, sb.len));
	sb_free(&sb);
	ct_model_free(&m);
}

/* ---- the memory budget ---- */

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* A flood of 3 KB "START RequestId:" lines, and of HTTP requests on many
 * connections; then a process that execs after it. */
static void flood(struct ct_model *m, uint64_t budget, int nlines, int nhttp)
{
	char line[3100];
	char req[400];

	ct_model_init(m, &ops);
	m->mem_budget = budget;
	ct_model_add_root(m, AGENT, TS(0));
	exec_(m, AGENT, TS(1), "/opt/agent", "agent", "agent", 6);
	memset(line, 'x', sizeof(line));
	memcpy(line, "START RequestId: ", 17);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = 0;
	for (int i = 0; i < nlines; i++)
		CT_EQ_INT(ct_model_add_event(m, io_buf, make_io(AGENT, TS(2) + (uint64_t)i, CT_IO_WRITE, 0, 0, 0, line,
								strlen(line))), 0);
	for (int i = 0; i < nhttp; i++) {
		int n = snprintf(req, sizeof(req), "GET /flood/%d?q=%d HTTP/1.1\r\nHost: h\r\nUser-Agent: u\r\n\r\n", i, i);

		/* a new connection every 16 requests */
		CT_EQ_INT(ct_model_add_event(m, io_buf, make_io(RUNTIME, TS(3) + (uint64_t)i, CT_IO_WRITE,
								0x10000 + (uint64_t)(i / 16), 40000, 9001, req, (size_t)n)),
			  0);
	}
	exec_(m, 300, TS(5), "/bin/after-the-flood", "after", "after", 6);
}

/* One flood against a small budget: kept within it, the rest counted. */
static void one_flood(uint64_t budget, int nlines, int nhttp)
{
	size_t before = heap_in_use(), after;
	struct ct_model m;
	struct strbuf sb;
	struct ct_proc *p;

	flood(&m, budget, nlines, nhttp);
	after = heap_in_use();
	CT_TRUE(m.mem_peak <= budget);
	CT_TRUE(m.mem_used <= budget);
	CT_TRUE(m.mem_peak > budget / 2); /* it was used, not refused from the start */
	/* the accounting is honest: the heap grew by about what it says */
	if (after > before + budget + budget / 8)
		CT__FAIL("heap grew by %zu bytes for a budget of %llu", after - before, (unsigned long long)budget);
	CT_TRUE(m.dropped_budget > 0);
	CT_EQ_U64(m.dropped_records, m.dropped_budget);
	if (nlines)
		CT_TRUE(m.nlogs > 100 && m.nlogs <= (size_t)nlines);
	if (nhttp && !(m.nhttp > 100 && m.nhttp < (size_t)nhttp))
		CT__FAIL("%zu of %d requests kept, %llu dropped, %zu streams, peak %llu", m.nhttp, nhttp,
			 (unsigned long long)m.dropped_records, m.streams.n, (unsigned long long)m.mem_peak);
	/* the reserve: a process that comes after the flood is still recorded */
	p = ct_model_proc(&m, 300);
	CT_TRUE(p && p->nimages == 1 && !strcmp(p->images[0].path, "/bin/after-the-flood"));
	ct_model_finish(&m);
	CT_TRUE(m.mem_peak <= budget);
	sb_init(&sb);
	ct_render_jsonl(&m, &sb, NULL);
	CT_TRUE(strstr(sb.buf, "\"dropped_over_budget\":") != NULL);
	CT_TRUE(strstr(sb.buf, "\"memory_budget\":8388608") != NULL);
	CT_TRUE(strstr(sb.buf, "\"complete\":false}\n") != NULL);
	sb_reset(&sb);
	ct_render_text(&m, &sb, NULL);
	CT_TRUE(strstr(sb.buf, "for the memory budget of 8 MiB): the trace is incomplete") != NULL);
	sb_free(&sb);
	ct_model_free(&m);
}

CT_TEST(memory_budget)
{
	struct ct_model m;

	one_flood(8ull << 20, 20000, 0);  /* 60 MB of log lines */
	one_flood(8ull << 20, 0, 200000); /* 200,000 requests on 12,500 connections */
	one_flood(8ull << 20, 1000, 50000); /* both: first come, first kept */

	/* a smaller input with the default budget: all of it fits */
	flood(&m, 0, 2000, 2000);
	CT_EQ_U64(m.dropped_records, 0);
	CT_EQ_INT(m.nlogs, 2000);
	CT_EQ_INT(m.nhttp, 2000);
	CT_EQ_U64(ct_model_budget(&m), CT_MODEL_MEM_DEFAULT);
	ct_model_free(&m);
}

/* Records are sorted in time order, stably (equal times keep arrival order). */
CT_TEST(sort_in_place_is_stable)
{
	struct ct_model m;

	ct_model_init(&m, &ops);
	ct_model_add_root(&m, AGENT, TS(0));
	io(&m, AGENT, TS(5), CT_IO_WRITE, 0, 0, 0, "START RequestId: c\nSTART RequestId: d\n");
	io(&m, AGENT, TS(3), CT_IO_WRITE, 0, 0, 0, "START RequestId: a\nSTART RequestId: b\n");
	io(&m, AGENT, TS(4), CT_IO_WRITE, 0, 0, 0, "START RequestId: x\n");
	ct_model_finish(&m);
	CT_EQ_INT(m.nlogs, 5);
	if (m.nlogs == 5) {
		CT_EQ_STR(m.logs[0].ev->request_id, "a");
		CT_EQ_STR(m.logs[1].ev->request_id, "b");
		CT_EQ_STR(m.logs[2].ev->request_id, "x");
		CT_EQ_STR(m.logs[3].ev->request_id, "c");
		CT_EQ_STR(m.logs[4].ev->request_id, "d");
	}
	ct_model_free(&m);
}

int main(void)
{
	io_buf = calloc(1, sizeof(*io_buf));
	if (!io_buf)
		return 1;
	CT_RUN(no_view_shows_a_secret);
	CT_RUN(command_line_bounded);
	CT_RUN(escapes_and_forged_lines);
	CT_RUN(memory_budget);
	CT_RUN(sort_in_place_is_stable);
	free(io_buf);
	return ct_summary();
}
