// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * check_sandbox JSONL RUNTIME API_PORT
 *
 * Reads the jsonl of `coldtrace run -f jsonl -- ct-driver --runtime RUNTIME`
 * and checks, in time order, the cold start the demo sandbox must show:
 *
 *   agent exec -> agent listens on API_PORT -> INIT_START log line ->
 *   runtime exec -> runtime's first GET /next (sent by the runtime or a
 *   descendant, paired with the agent's read) -> agent's 200 response on
 *   that connection with Lambda-Runtime-Aws-Request-Id X -> POST
 *   .../invocation/X/response -> END X -> REPORT X; all processes exited,
 *   nothing lost, Go inits of the agent (and of the Go runtime).
 *
 * RUNTIME: go (ct-runtime-go), shell (bootstrap.sh + curl), python
 * (ct-runtime-py + Debian's python3: its imports checked too), node
 * (aws-lambda-ric under node). Prints "ok   ..." / "FAIL ..." lines and
 * "N passed, N failed"; exit 1 if anything failed, 2 on bad usage.
 *
 * No JSON library: a small strict walker of one-line JSON objects, enough to
 * read top-level members (and the "headers" object) of coldtrace's records.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"

/* ---- the records we need ---- */

enum rtype { R_OTHER, R_HEADER, R_PROCESS, R_EXEC, R_GO_INIT, R_GO_MAIN, R_LISTEN, R_HTTP, R_LOG, R_SUMMARY,
	     R_PY_IMPORT };

struct rec {
	int line;
	enum rtype type;
	uint32_t pid, ppid;
	uint64_t ts;     /* ts_ns (exec, listen, http, log) */
	bool has_ts;
	bool exited;     /* process: exit_code or exit_signal present */
	int64_t exit_code; /* -1: none */
	bool root;
	char path[512];  /* exec path, http path */
	char kind[32];   /* http request/response, log kind */
	char dir[8];     /* http send/recv */
	char api[32];
	char api_id[128];
	char method[16];
	char local[64], remote[64];
	uint64_t stream_index;
	int64_t status;
	char hdr_reqid[128]; /* headers.Lambda-Runtime-Aws-Request-Id */
	char request_id[128]; /* log request_id */
	uint32_t peer_pid; /* 0: none */
	uint64_t peer_ts;
	uint64_t port;   /* listen */
	char addr[64];   /* listen */
	/* py_import: module in path, start in ts */
	uint64_t level, seq, end_ns;
	int64_t parent; /* -1: top level */
	/* summary */
	uint64_t lost_total;
	bool complete, has_complete, has_lost;
};

static struct rec *recs;
static size_t nrecs;
static void note(const char *fmt, ...)
{
	va_list ap;

	printf("     ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static enum rtype type_of(const char *t)
{
	static const struct { const char *n; enum rtype t; } map[] = {
		{"header", R_HEADER}, {"process", R_PROCESS}, {"exec", R_EXEC},
		{"go_init", R_GO_INIT}, {"go_main", R_GO_MAIN}, {"listen", R_LISTEN}, {"py_import", R_PY_IMPORT},
		{"http", R_HTTP}, {"log", R_LOG}, {"summary", R_SUMMARY},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(t, map[i].n))
			return map[i].t;
	return R_OTHER;
}

static bool parse_line(const char *l, int lineno, struct rec *r)
{
	char t[32];
	uint64_t u;
	int64_t i;
	const char *h;

	memset(r, 0, sizeof(*r));
	r->line = lineno;
	r->exit_code = -1;
	r->status = -1;
	if (!get_str(l, "type", t, sizeof(t)))
		return false;
	r->type = type_of(t);
	if (get_u64(l, "pid", &u))
		r->pid = (uint32_t)u;
	if (get_u64(l, "ppid", &u))
		r->ppid = (uint32_t)u;
	if (get_u64(l, "ts_ns", &r->ts))
		r->has_ts = true;
	switch (r->type) {
	case R_PROCESS:
		get_bool(l, "root", &r->root);
		if (get_i64(l, "exit_code", &i)) {
			r->exited = true;
			r->exit_code = i;
		} else if (json_get(l, "exit_signal")) {
			r->exited = true;
		}
		break;
	case R_EXEC:
		get_str(l, "path", r->path, sizeof(r->path));
		break;
	case R_PY_IMPORT:
		get_str(l, "module", r->path, sizeof(r->path));
		get_u64(l, "level", &r->level);
		get_u64(l, "seq", &r->seq);
		get_u64(l, "end_ns", &r->end_ns);
		r->parent = get_i64(l, "parent", &i) ? i : -1;
		r->has_ts = get_u64(l, "start_ns", &r->ts);
		break;
	case R_LISTEN:
		get_u64(l, "port", &r->port);
		get_str(l, "addr", r->addr, sizeof(r->addr));
		break;
	case R_HTTP:
		get_str(l, "dir", r->dir, sizeof(r->dir));
		get_str(l, "kind", r->kind, sizeof(r->kind));
		get_str(l, "method", r->method, sizeof(r->method));
		get_str(l, "path", r->path, sizeof(r->path));
		get_str(l, "api", r->api, sizeof(r->api));
		get_str(l, "api_id", r->api_id, sizeof(r->api_id));
		get_str(l, "local", r->local, sizeof(r->local));
		get_str(l, "remote", r->remote, sizeof(r->remote));
		get_u64(l, "stream_index", &r->stream_index);
		if (get_i64(l, "status", &i))
			r->status = i;
		if (get_u64(l, "peer_pid", &u))
			r->peer_pid = (uint32_t)u;
		get_u64(l, "peer_ts_ns", &r->peer_ts);
		h = json_get(l, "headers");
		if (h)
			get_str(h, "Lambda-Runtime-Aws-Request-Id", r->hdr_reqid, sizeof(r->hdr_reqid));
		break;
	case R_LOG:
		get_str(l, "kind", r->kind, sizeof(r->kind));
		get_str(l, "request_id", r->request_id, sizeof(r->request_id));
		break;
	case R_SUMMARY:
		r->has_lost = get_u64(l, "lost_total", &r->lost_total);
		r->has_complete = get_bool(l, "complete", &r->complete);
		break;
	default:
		break;
	}
	return true;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && !strcmp(s + n - m, suf);
}

static const struct rec *proc_rec(uint32_t pid)
{
	for (size_t i = 0; i < nrecs; i++)
		if (recs[i].type == R_PROCESS && recs[i].pid == pid)
			return &recs[i];
	return NULL;
}

/* pid is anc or one of its descendants (by the process records' ppid). */
static bool in_tree(uint32_t pid, uint32_t anc)
{
	for (int hops = 0; pid && hops < 64; hops++) {
		const struct rec *p;

		if (pid == anc)
			return true;
		p = proc_rec(pid);
		if (!p || p->ppid == pid)
			return false;
		pid = p->ppid;
	}
	return false;
}

static size_t count(enum rtype t, uint32_t pid)
{
	size_t n = 0;

	for (size_t i = 0; i < nrecs; i++)
		if (recs[i].type == t && recs[i].pid == pid)
			n++;
	return n;
}

/* The first record (in time) matching pred after ts (strictly). */
#define FIRST_AFTER(out, after, cond)                                           \
	do {                                                                    \
		(out) = NULL;                                                   \
		for (size_t ix_ = 0; ix_ < nrecs; ix_++) {                      \
			const struct rec *r = &recs[ix_];                       \
			if (!r->has_ts || r->ts <= (after))                     \
				continue;                                       \
			if (!(cond))                                            \
				continue;                                       \
			if (!(out) || r->ts < (out)->ts)                        \
				(out) = r;                                      \
		}                                                               \
	} while (0)

int main(int argc, char **argv)
{
	const char *file, *rt;
	unsigned api_port;
	FILE *f;
	char *line = NULL;
	size_t cap = 0, nalloc = 0;
	ssize_t n;
	int lineno = 0, bad_lines = 0;
	const struct rec *py_exec = NULL;
	const struct rec *agent_exec, *listen, *init_start, *rt_exec, *next, *resp, *post, *end, *report,
		*summary = NULL, *header = NULL, *agent_read, *rt_read, *start;
	uint32_t A, R;
	char X[128], want[256];
	uint64_t last_io_ts = 0;
	int io_out_of_order = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: check_sandbox JSONL go|shell|node|python API_PORT\n");
		return 2;
	}
	file = argv[1];
	rt = argv[2];
	api_port = (unsigned)strtoul(argv[3], NULL, 10);
	if (strcmp(rt, "go") && strcmp(rt, "shell") && strcmp(rt, "node") && strcmp(rt, "python")) {
		fprintf(stderr, "check_sandbox: unknown runtime %s\n", rt);
		return 2;
	}
	f = fopen(file, "r");
	if (!f) {
		fprintf(stderr, "check_sandbox: %s: %s\n", file, strerror(errno));
		return 2;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		const char *end_p;

		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		end_p = line[0] == '{' ? skip_value(line, 0) : NULL;
		if (!end_p || *ws(end_p)) {
			if (bad_lines++ < 3)
				note("line %d is not one JSON object: %.200s", lineno, line);
			continue;
		}
		if (nrecs == nalloc) {
			nalloc = nalloc ? nalloc * 2 : 1024;
			recs = realloc(recs, nalloc * sizeof(*recs));
			if (!recs) {
				perror("realloc");
				return 2;
			}
		}
		if (!parse_line(line, lineno, &recs[nrecs])) {
			if (bad_lines++ < 3)
				note("line %d has no \"type\"", lineno);
			continue;
		}
		nrecs++;
	}
	free(line);
	fclose(f);

	/* ---- the file as a whole ---- */
	check(lineno > 0 && bad_lines == 0, "every line of %s is one JSON object with a type (%d lines, %d bad)",
	      file, lineno, bad_lines);
	if (nrecs) {
		header = recs[0].type == R_HEADER ? &recs[0] : NULL;
		summary = recs[nrecs - 1].type == R_SUMMARY ? &recs[nrecs - 1] : NULL;
	}
	check(header && summary, "header first, summary last");
	for (size_t i = 0; i < nrecs; i++) {
		const struct rec *r = &recs[i];

		if (r->type != R_LISTEN && r->type != R_HTTP && r->type != R_LOG)
			continue;
		if (r->ts < last_io_ts && io_out_of_order++ < 3)
			note("line %d: ts_ns %llu before the previous I/O record's %llu", r->line,
			     (unsigned long long)r->ts, (unsigned long long)last_io_ts);
		last_io_ts = r->ts;
	}
	check(io_out_of_order == 0, "listen/http/log records are in time order");

	/* ---- 1. agent exec ---- */
	FIRST_AFTER(agent_exec, 0, r->type == R_EXEC && ends_with(r->path, "/ct-agent"));
	check(agent_exec, "agent exec (path ends in /ct-agent)");
	if (!agent_exec)
		return check_finish();
	A = agent_exec->pid;
	note("agent pid %u, exec at %llu", A, (unsigned long long)agent_exec->ts);

	/* ---- 2. it listens on the Runtime API port ---- */
	FIRST_AFTER(listen, agent_exec->ts, r->type == R_LISTEN && r->pid == A && r->port == api_port);
	check(listen, "agent listens on the Runtime API port %u after its exec", api_port);
	if (listen) {
		snprintf(want, sizeof(want), "127.0.0.1:%u", api_port);
		check(!strcmp(listen->addr, want), "listen address is %s (%s)", want, listen->addr);
	}

	/* ---- 3. INIT_START ---- */
	FIRST_AFTER(init_start, listen ? listen->ts : agent_exec->ts,
		    r->type == R_LOG && r->pid == A && !strcmp(r->kind, "init_start"));
	check(init_start, "INIT_START log line (kind init_start) by the agent after it listens");
	if (!init_start)
		return check_finish();

	/* ---- 4. runtime exec ---- */
	if (!strcmp(rt, "go"))
		FIRST_AFTER(rt_exec, init_start->ts,
			    r->type == R_EXEC && r->pid != A && in_tree(r->pid, A) && ends_with(r->path, "/ct-runtime-go"));
	else if (!strcmp(rt, "shell"))
		FIRST_AFTER(rt_exec, init_start->ts,
			    r->type == R_EXEC && r->pid != A && in_tree(r->pid, A) && ends_with(r->path, "/bootstrap.sh"));
	else if (!strcmp(rt, "python"))
		FIRST_AFTER(rt_exec, init_start->ts,
			    r->type == R_EXEC && r->pid != A && in_tree(r->pid, A) && ends_with(r->path, "/ct-runtime-py"));
	else
		FIRST_AFTER(rt_exec, init_start->ts,
			    r->type == R_EXEC && r->pid != A && in_tree(r->pid, A) && ends_with(r->path, "/aws-lambda-ric"));
	check(rt_exec, "runtime exec (%s) by a child of the agent after INIT_START", rt);
	if (!rt_exec)
		return check_finish();
	R = rt_exec->pid;
	note("runtime pid %u (%s), exec at %llu", R, rt_exec->path, (unsigned long long)rt_exec->ts);
	if (!strcmp(rt, "node")) {
		const struct rec *node;

		FIRST_AFTER(node, rt_exec->ts, r->type == R_EXEC && r->pid == R && ends_with(r->path, "/node"));
		check(node, "the runtime process then execs node (the script's interpreter)");
	}
	if (!strcmp(rt, "python")) {
		FIRST_AFTER(py_exec, rt_exec->ts, r->type == R_EXEC && r->pid == R && strstr(r->path, "/python3"));
		check(py_exec, "the runtime process then execs python3 (ct-runtime-py's exec)");
	}
	if (!strcmp(rt, "shell")) {
		const struct rec *curl;

		FIRST_AFTER(curl, rt_exec->ts, r->type == R_EXEC && r->pid != R && in_tree(r->pid, R) &&
					       ends_with(r->path, "/curl"));
		check(curl, "bootstrap.sh runs curl as a child");
	}

	/* ---- 5. the runtime's first GET /next ---- */
	FIRST_AFTER(next, 0, r->type == R_HTTP && !strcmp(r->dir, "send") && !strcmp(r->kind, "request") &&
			     !strcmp(r->api, "next"));
	check(next && in_tree(next->pid, R) && next->ts > rt_exec->ts,
	      "the first GET /next is sent by the runtime (pid %u or a descendant) after its exec (sender pid %u)",
	      R, next ? next->pid : 0);
	if (!next)
		return check_finish();
	check(!strcmp(next->method, "GET") && !strcmp(next->path, "/2018-06-01/runtime/invocation/next"),
	      "it is GET /2018-06-01/runtime/invocation/next (%s %s)", next->method, next->path);
	snprintf(want, sizeof(want), "127.0.0.1:%u", api_port);
	check(!strcmp(next->remote, want), "it goes to %s (%s)", want, next->remote);
	check(next->peer_pid == A, "it is paired with the agent's reading of it (peer_pid %u, agent %u)",
	      next->peer_pid, A);
	FIRST_AFTER(agent_read, 0, /* by its time: a read can end before the send's exit */
		    r->type == R_HTTP && r->pid == A && !strcmp(r->dir, "recv") && r->ts == next->peer_ts);
	check(agent_read && !strcmp(agent_read->api, "next") && agent_read->peer_pid == next->pid &&
		      !strcmp(agent_read->local, next->remote) && !strcmp(agent_read->remote, next->local),
	      "the agent's read of /next (at peer_ts_ns) points back at the runtime's send");

	/* ---- 6. the agent's response with the request id ---- */
	FIRST_AFTER(resp, 0, /* by its connection and stream: the request's exit may come later */
		    r->type == R_HTTP && r->pid == A && !strcmp(r->dir, "send") && !strcmp(r->kind, "response") &&
			    !strcmp(r->local, next->remote) && !strcmp(r->remote, next->local) &&
			    r->stream_index == next->stream_index);
	check(resp && resp->status == 200 && resp->hdr_reqid[0],
	      "the agent answers /next on that connection: 200 with Lambda-Runtime-Aws-Request-Id (status %lld, id \"%s\")",
	      resp ? (long long)resp->status : -1LL, resp ? resp->hdr_reqid : "");
	if (!resp || !resp->hdr_reqid[0])
		return check_finish();
	snprintf(X, sizeof(X), "%s", resp->hdr_reqid);
	note("request id %s", X);
	FIRST_AFTER(rt_read, 0, /* by its time: a read can end before the send's exit */
		    r->type == R_HTTP && in_tree(r->pid, R) && !strcmp(r->dir, "recv") && !strcmp(r->kind, "response") &&
			    r->ts == resp->peer_ts);
	check(resp->peer_pid && in_tree(resp->peer_pid, R) && rt_read && !strcmp(rt_read->hdr_reqid, X),
	      "the runtime reads that response with the same request id (peer_pid %u)", resp->peer_pid);

	/* START with the same id (the demo agent uses one id for both) */
	FIRST_AFTER(start, next->ts, r->type == R_LOG && r->pid == A && !strcmp(r->kind, "start"));
	check(start && !strcmp(start->request_id, X), "START RequestId %s logged after /next (got \"%s\")", X,
	      start ? start->request_id : "");

	/* ---- 7. POST .../invocation/X/response ---- */
	FIRST_AFTER(post, resp->ts,
		    r->type == R_HTTP && in_tree(r->pid, R) && !strcmp(r->dir, "send") && !strcmp(r->kind, "request") &&
			    !strcmp(r->api, "response"));
	snprintf(want, sizeof(want), "/2018-06-01/runtime/invocation/%s/response", X);
	check(post && !strcmp(post->api_id, X) && !strcmp(post->method, "POST") && !strcmp(post->path, want),
	      "then the runtime POSTs %s (api response, api_id \"%s\")", want, post ? post->api_id : "");
	if (!post)
		return check_finish();
	check(post->peer_pid == A, "the POST is read by the agent (peer_pid %u)", post->peer_pid);

	/* ---- 8. END and REPORT ---- */
	FIRST_AFTER(end, post->ts, r->type == R_LOG && r->pid == A && !strcmp(r->kind, "end"));
	check(end && !strcmp(end->request_id, X), "END RequestId %s after the POST (got \"%s\")", X,
	      end ? end->request_id : "");
	FIRST_AFTER(report, end ? end->ts : post->ts, r->type == R_LOG && r->pid == A && !strcmp(r->kind, "report"));
	check(report && !strcmp(report->request_id, X), "REPORT RequestId %s after END (got \"%s\")", X,
	      report ? report->request_id : "");

	/* ---- 9. every process exited; nothing lost ---- */
	{
		size_t nproc = 0, nexit = 0;
		bool root_ok = false;

		for (size_t i = 0; i < nrecs; i++) {
			if (recs[i].type != R_PROCESS)
				continue;
			nproc++;
			if (recs[i].exited)
				nexit++;
			else
				note("process %u has no exit", recs[i].pid);
			if (recs[i].root && recs[i].exit_code == 0)
				root_ok = true;
		}
		check(nproc >= 3 && nexit == nproc, "all %zu processes exited (%zu with an exit status)", nproc, nexit);
		check(root_ok, "the driver (root) exited with code 0");
		check(proc_rec(A) && proc_rec(A)->exited, "the agent exited");
		check(proc_rec(R) && proc_rec(R)->exited, "the runtime exited");
	}
	check(summary && summary->has_lost && summary->lost_total == 0, "summary: lost_total 0 (%llu)",
	      summary ? (unsigned long long)summary->lost_total : 0ULL);
	check(summary && summary->has_complete && summary->complete, "summary: complete true");

	/* ---- 10. Go inits ---- */
	{
		size_t na = count(R_GO_INIT, A), nr = count(R_GO_INIT, R);

		check(na >= 80, "agent Go inits: %zu go_init records (>= 80)", na);
		check(count(R_GO_MAIN, A) == 1, "agent reached main.main once");
		if (!strcmp(rt, "go")) {
			check(nr >= 50, "runtime Go inits: %zu go_init records (>= 50)", nr);
			check(count(R_GO_MAIN, R) == 1, "runtime reached main.main once");
		} else {
			check(nr == 0, "non-Go runtime: no go_init records (%zu)", nr);
		}
	}

	/* ---- 11. Python imports: the function's init is its imports ---- */
	if (!strcmp(rt, "python") && py_exec) {
		size_t n = count(R_PY_IMPORT, R), before = 0, nested = 0;
		const struct rec *app = NULL;
		bool all_after = true, all_ended = true;

		for (size_t i = 0; i < nrecs; i++) {
			const struct rec *r = &recs[i];

			if (r->type != R_PY_IMPORT || r->pid != R)
				continue;
			all_after &= r->ts >= py_exec->ts;
			if (r->end_ns && r->end_ns <= next->ts)
				before++;
			all_ended &= r->end_ns != 0 || r->ts > next->ts;
			if (!strcmp(r->path, "app") && r->level == 0 && !app)
				app = r;
		}
		check(n >= 100, "runtime imports: %zu py_import records (>= 100: the interpreter's own and app.py's)", n);
		check(all_after, "every py_import of the runtime starts after its python3 exec");
		check(all_ended, "every load of the function's init ended");
		check(count(R_PY_IMPORT, A) == 0, "the Go agent has no py_import records");
		check(app && app->ts > init_start->ts && app->end_ns > app->ts && app->end_ns <= next->ts,
		      "the handler module 'app' is a top-level load between INIT_START and the first GET /next");
		for (size_t i = 0; app && i < nrecs; i++) {
			const struct rec *r = &recs[i];

			if (r->type == R_PY_IMPORT && r->pid == R && r->level >= 1 && r->ts >= app->ts &&
			    r->end_ns && r->end_ns <= app->end_ns &&
			    (!strcmp(r->path, "json") || !strcmp(r->path, "email.message") ||
			     !strcmp(r->path, "http.client") || !strcmp(r->path, "sqlite3") ||
			     !strcmp(r->path, "xml.etree.ElementTree") || !strcmp(r->path, "decimal")))
				nested++;
		}
		check(nested >= 4, "app's stdlib imports are nested inside its load (%zu of json, email.message, http.client, sqlite3, xml.etree.ElementTree, decimal)",
		      nested);
		check(before >= n / 2, "most loads (%zu of %zu) ended before the first GET /next", before, n);
	}
	return check_finish();
}
