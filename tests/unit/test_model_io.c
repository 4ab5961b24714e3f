// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The model's I/O side on synthetic struct ct_io records: a loopback Lambda
 * Runtime API exchange between a runtime (pid 200) and an agent (pid 100),
 * the agent's phase log lines on stdout, a listening socket; the HTTP
 * records, their pairing, the log records, time order after
 * ct_model_finish, the allowlist (no Authorization), malformed records, and
 * the jsonl and text views of it all.
 */
#include <linux/types.h>
#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ct_test.h"
#include "model.h"
#include "render.h"

#define AGENT 100u
#define RUNTIME 200u
#define OTHER 300u
#define API_PORT 9001
#define RT_PORT 40000
#define SOCK_RT 0xffff888000001000ull /* the runtime's socket */
#define SOCK_AG 0xffff888000002000ull /* the agent's accepted socket */
#define REQ_ID "8476a536-e9f4-11e8-9739-2dfe598c3fcd"

/* One end of the loopback connection as its owner sees it. */
struct conn {
	uint16_t lport, rport;
	uint64_t sock;
};

static const struct conn rt_end = {RT_PORT, API_PORT, SOCK_RT};
static const struct conn ag_end = {API_PORT, RT_PORT, SOCK_AG};

static struct ct_io *io_buf; /* one record, reused (it is 8 KiB and more) */

/* Build a ct_io; returns its size (header + cap bytes). */
static size_t make_io(uint32_t pid, uint64_t ts, uint32_t fd, int dir, const struct conn *c,
		      const char *data, uint32_t cap, uint32_t len)
{
	struct ct_io *e = io_buf;

	memset(e, 0, offsetof(struct ct_io, data));
	e->h.type = CT_EV_IO;
	e->h.pid = pid;
	e->h.tid = pid + 1;
	e->h.nspid = pid;
	e->h.ts = ts;
	e->fd = fd;
	e->dir = (uint16_t)dir;
	e->syscall = dir == CT_IO_WRITE ? 1 : 0;
	e->len = len;
	e->cap_len = cap;
	if (c) {
		e->flags = CT_IO_SOCK;
		e->family = AF_INET;
		inet_pton(AF_INET, "127.0.0.1", e->laddr);
		inet_pton(AF_INET, "127.0.0.1", e->raddr);
		e->lport = c->lport;
		e->rport = c->rport;
		e->sock_id = c->sock;
	} else {
		e->flags = CT_IO_PIPE;
	}
	if (cap < len)
		e->flags |= CT_IO_TRUNC;
	if (data && cap <= sizeof(e->data))
		memcpy(e->data, data, cap);
	return offsetof(struct ct_io, data) + cap;
}

/* Feed bytes as transferred and fully captured. */
static void io(struct ct_model *m, uint32_t pid, uint64_t ts, uint32_t fd, int dir, const struct conn *c,
	       const char *s)
{
	uint32_t n = (uint32_t)strlen(s);

	CT_EQ_INT(ct_model_add_event(m, io_buf, make_io(pid, ts, fd, dir, c, s, n, n)), 0);
}

static const char next_req1[] = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"
				"Host: 127.0.0.1:9001\r\n";
static const char next_req2[] = "Authorization: Bearer s3cr3t-t0ken\r\n"
				"User-Agent: ct-test/1.0\r\n"
				"\r\n";
static const char next_resp[] = "HTTP/1.1 200 OK\r\n"
				"Content-Type: application/json\r\n"
				"Lambda-Runtime-Aws-Request-Id: " REQ_ID "\r\n"
				"Lambda-Runtime-Deadline-Ms: 1542409706888\r\n"
				"Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:f\r\n"
				"Set-Cookie: session=s3cr3t-c00kie\r\n"
				"Content-Length: 2\r\n"
				"\r\n"
				"{}";
static const char post_head[] = "POST /2018-06-01/runtime/invocation/" REQ_ID "/response HTTP/1.1\r\n"
				"Host: 127.0.0.1:9001\r\n"
				"Content-Type: application/json\r\n"
				"Content-Length: 600\r\n"
				"\r\n";
static const char accepted[] = "HTTP/1.1 202 Accepted\r\n"
			       "Content-Type: application/json\r\n"
			       "Content-Length: 15\r\n"
			       "\r\n"
			       "{\"status\":\"OK\"}";
static const char next_again[] = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"
				 "Host: 127.0.0.1:9001\r\n"
				 "\r\n";

static const char init_start1[] = "INIT_START Runtime Ver";
static const char init_start2[] = "sion: nodejs:18.v9 Runtime Version ARN: arn:aws:lambda:us-east-1::runtime:abc\n"
				  "just some noise\n";
static const char start_line[] = "START RequestId: " REQ_ID " Version: $LATEST\n";
static const char end_report1[] = "END RequestId: " REQ_ID "\nREPORT Requ";
static const char end_report2[] = "estId: " REQ_ID "\tDuration: 45.45 ms\tBilled Duration: 46 ms\t"
				  "Memory Size: 3008 MB\tMax Memory Used: 100 MB\t\n";

/* The whole exchange. Streams are fed in order each, but interleaved out of
 * time order (as records from several CPUs arrive), so ct_model_finish has
 * to sort. */
static void build(struct ct_model *m)
{
	struct ct_listen l = {0};
	char body[600];
	char *post;
	size_t hl = strlen(post_head);

	ct_model_init(m, NULL);

	l.h.type = CT_EV_LISTEN;
	l.h.pid = AGENT;
	l.h.tid = AGENT;
	l.h.ts = 1000;
	l.family = AF_INET;
	l.port = API_PORT;
	inet_pton(AF_INET, "127.0.0.1", l.addr);
	l.sock_id = 0xffff888000000100ull;

	/* agent's side first: it read /next at 2100 and answered at 2200 */
	io(m, AGENT, 2100, 7, CT_IO_READ, &ag_end, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"
						     "Host: 127.0.0.1:9001\r\n"
						     "Authorization: Bearer s3cr3t-t0ken\r\n"
						     "User-Agent: ct-test/1.0\r\n"
						     "\r\n");
	io(m, AGENT, 2200, 7, CT_IO_WRITE, &ag_end, next_resp);
	/* the runtime's GET /next, in two writes, 2000 and 2010 */
	io(m, RUNTIME, 2000, 5, CT_IO_WRITE, &rt_end, next_req1);
	io(m, RUNTIME, 2010, 5, CT_IO_WRITE, &rt_end, next_req2);
	/* the listen record, late */
	CT_EQ_INT(ct_model_add_event(m, &l, sizeof(l)), 0);
	/* agent stdout: INIT_START split over two writes (1100, 1150), START */
	io(m, AGENT, 1100, 1, CT_IO_WRITE, NULL, init_start1);
	io(m, AGENT, 1150, 1, CT_IO_WRITE, NULL, init_start2);
	io(m, AGENT, 2250, 1, CT_IO_WRITE, NULL, start_line);
	io(m, RUNTIME, 2300, 5, CT_IO_READ, &rt_end, next_resp);

	/* POST /response: 600 bytes of body; the runtime's one write was
	 * captured only up to 100 bytes of body */
	memset(body, 'x', sizeof(body));
	post = malloc(hl + sizeof(body));
	memcpy(post, post_head, hl);
	memcpy(post + hl, body, sizeof(body));
	CT_EQ_INT(ct_model_add_event(m, io_buf, make_io(RUNTIME, 3000, 5, CT_IO_WRITE, &rt_end, post,
							 (uint32_t)hl + 100, (uint32_t)(hl + sizeof(body)))), 0);
	/* the agent reads it in two reads: head + 300 (captured head + 100),
	 * then 300 (captured in full) */
	CT_EQ_INT(ct_model_add_event(m, io_buf, make_io(AGENT, 3010, 7, CT_IO_READ, &ag_end, post,
							 (uint32_t)hl + 100, (uint32_t)hl + 300)), 0);
	CT_EQ_INT(ct_model_add_event(m, io_buf, make_io(AGENT, 3020, 7, CT_IO_READ, &ag_end, body, 300, 300)), 0);
	free(post);
	io(m, AGENT, 3100, 7, CT_IO_WRITE, &ag_end, accepted);
	io(m, AGENT, 3150, 1, CT_IO_WRITE, NULL, end_report1);
	io(m, AGENT, 3160, 1, CT_IO_WRITE, NULL, end_report2);
	io(m, RUNTIME, 3200, 5, CT_IO_READ, &rt_end, accepted);
	/* the next /next: sent, never read by the agent (it was stopped) */
	io(m, RUNTIME, 3300, 5, CT_IO_WRITE, &rt_end, next_again);
}

static const struct ct_http *find_http(const struct ct_model *m, uint32_t pid, int dir, int kind, uint32_t index)
{
	for (size_t i = 0; i < m->nhttp; i++)
		if (m->http[i].pid == pid && m->http[i].dir == dir && m->http[i].kind == kind &&
		    m->http[i].index == index)
			return &m->http[i];
	return NULL;
}

static const struct ct_log *find_log(const struct ct_model *m, enum log_kind kind)
{
	for (size_t i = 0; i < m->nlogs; i++)
		if (m->logs[i].ev->kind == kind)
			return &m->logs[i];
	return NULL;
}

static long idx_of(const struct ct_model *m, const struct ct_http *h)
{
	return h ? (long)(h - m->http) : -2;
}

static void check_ep(const struct ct_http *h, uint16_t lport, uint16_t rport, uint64_t sock)
{
	uint8_t lo[16] = {0};

	inet_pton(AF_INET, "127.0.0.1", lo);
	CT_EQ_INT(h->ep.family, AF_INET);
	CT_EQ_INT(h->ep.lport, lport);
	CT_EQ_INT(h->ep.rport, rport);
	CT_TRUE(!memcmp(h->ep.laddr, lo, 4));
	CT_TRUE(!memcmp(h->ep.raddr, lo, 4));
	CT_EQ_U64(h->ep.sock_id, sock);
}

CT_TEST(http_records)
{
	struct ct_model m;
	const struct ct_http *h;

	build(&m);
	ct_model_finish(&m);
	CT_EQ_INT(m.nhttp, 9); /* 3 requests + 2 responses sent, 4 of them read */
	CT_EQ_INT(m.bad_events, 0);
	CT_EQ_INT(m.http_desyncs, 0);

	/* the runtime's GET /next: starts with the first write, head done by
	 * the second */
	h = find_http(&m, RUNTIME, CT_IO_WRITE, HTTP_REQUEST, 0);
	CT_TRUE(h != NULL);
	if (h) {
		CT_EQ_U64(h->ts, 2000);
		CT_EQ_U64(h->ts_head, 2010);
		CT_EQ_INT(h->tid, RUNTIME + 1);
		CT_EQ_INT(h->method, HTTP_M_GET);
		CT_EQ_STR(h->path, "/2018-06-01/runtime/invocation/next");
		CT_EQ_INT(h->api, LAMBDA_API_NEXT);
		CT_EQ_STR(h->api_id, "");
		CT_EQ_STR(h->hdr[HTTP_H_HOST], "127.0.0.1:9001");
		CT_EQ_STR(h->hdr[HTTP_H_USER_AGENT], "ct-test/1.0");
		CT_EQ_INT(h->body_len, 0);
		check_ep(h, RT_PORT, API_PORT, SOCK_RT);
	}
	/* the agent's reading of it */
	h = find_http(&m, AGENT, CT_IO_READ, HTTP_REQUEST, 0);
	CT_TRUE(h != NULL);
	if (h) {
		CT_EQ_U64(h->ts, 2100);
		CT_EQ_U64(h->ts_head, 2100);
		CT_EQ_INT(h->api, LAMBDA_API_NEXT);
		check_ep(h, API_PORT, RT_PORT, SOCK_AG);
	}
	/* the agent's 200 with the request id, and the runtime's reading */
	h = find_http(&m, AGENT, CT_IO_WRITE, HTTP_RESPONSE, 0);
	CT_TRUE(h != NULL);
	if (h) {
		CT_EQ_INT(h->status, 200);
		CT_EQ_STR(h->reason, "OK");
		CT_EQ_STR(h->hdr[HTTP_H_REQUEST_ID], REQ_ID);
		CT_EQ_STR(h->hdr[HTTP_H_DEADLINE_MS], "1542409706888");
		CT_EQ_STR(h->hdr[HTTP_H_FUNCTION_ARN], "arn:aws:lambda:us-east-1:123456789012:function:f");
		CT_EQ_STR(h->hdr[HTTP_H_CONTENT_TYPE], "application/json");
		CT_EQ_STR(h->hdr[HTTP_H_CONTENT_LENGTH], "2");
		CT_EQ_INT(h->body_len, 2);
		check_ep(h, API_PORT, RT_PORT, SOCK_AG);
	}
	h = find_http(&m, RUNTIME, CT_IO_READ, HTTP_RESPONSE, 0);
	CT_TRUE(h != NULL);
	if (h) {
		CT_EQ_U64(h->ts, 2300);
		CT_EQ_INT(h->status, 200);
		CT_EQ_STR(h->hdr[HTTP_H_REQUEST_ID], REQ_ID);
	}
	/* POST /response: the head was captured, the body only in part */
	h = find_http(&m, RUNTIME, CT_IO_WRITE, HTTP_REQUEST, 1);
	CT_TRUE(h != NULL);
	if (h) {
		CT_EQ_U64(h->ts, 3000);
		CT_EQ_INT(h->method, HTTP_M_POST);
		CT_EQ_STR(h->path, "/2018-06-01/runtime/invocation/" REQ_ID "/response");
		CT_EQ_INT(h->api, LAMBDA_API_RESPONSE);
		CT_EQ_STR(h->api_id, REQ_ID);
		CT_EQ_INT(h->body_len, 600);
		CT_EQ_INT(h->flags & (HTTP_F_INCOMPLETE | HTTP_F_RESYNCED), 0);
	}
	h = find_http(&m, AGENT, CT_IO_READ, HTTP_REQUEST, 1);
	CT_TRUE(h != NULL);
	if (h) {
		CT_EQ_U64(h->ts, 3010);
		CT_EQ_INT(h->api, LAMBDA_API_RESPONSE);
		CT_EQ_STR(h->api_id, REQ_ID);
	}
	/* the 202 on both sides, and the parsers stayed in sync past the
	 * uncaptured body: the next /next is message 2 */
	CT_TRUE(find_http(&m, AGENT, CT_IO_WRITE, HTTP_RESPONSE, 1) != NULL);
	h = find_http(&m, RUNTIME, CT_IO_READ, HTTP_RESPONSE, 1);
	CT_TRUE(h && h->status == 202 && !strcmp(h->reason, "Accepted") && h->body_len == 15);
	h = find_http(&m, RUNTIME, CT_IO_WRITE, HTTP_REQUEST, 2);
	CT_TRUE(h && h->api == LAMBDA_API_NEXT && h->ts == 3300 && !(h->flags & HTTP_F_RESYNCED));
	CT_EQ_U64(m.io_bytes_lost, 500 + 200); /* the runtime's write, the agent's first read */
	ct_model_free(&m);
}

CT_TEST(http_pairing)
{
	struct ct_model m;
	struct {
		uint32_t spid, rpid;
		int kind;
		uint32_t index;
	} pairs[] = {
		{RUNTIME, AGENT, HTTP_REQUEST, 0},
		{AGENT, RUNTIME, HTTP_RESPONSE, 0},
		{RUNTIME, AGENT, HTTP_REQUEST, 1},
		{AGENT, RUNTIME, HTTP_RESPONSE, 1},
	};
	const struct ct_http *h;

	build(&m);
	ct_model_finish(&m);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct ct_http *s = find_http(&m, pairs[i].spid, CT_IO_WRITE, pairs[i].kind, pairs[i].index);
		const struct ct_http *r = find_http(&m, pairs[i].rpid, CT_IO_READ, pairs[i].kind, pairs[i].index);

		CT_TRUE(s && r);
		if (!s || !r)
			continue;
		CT_EQ_INT(s->peer, idx_of(&m, r));
		CT_EQ_INT(r->peer, idx_of(&m, s));
		CT_EQ_INT(m.http[s->peer].pid, pairs[i].rpid);
		CT_EQ_INT(m.http[r->peer].pid, pairs[i].spid);
	}
	/* sent but never read: no peer */
	h = find_http(&m, RUNTIME, CT_IO_WRITE, HTTP_REQUEST, 2);
	CT_TRUE(h && h->peer == -1);
	ct_model_free(&m);
}

CT_TEST(log_records)
{
	struct ct_model m;
	const struct ct_log *l;

	build(&m);
	ct_model_finish(&m);
	CT_EQ_INT(m.nlogs, 4); /* INIT_START, START, END, REPORT; not the noise */

	l = find_log(&m, LOG_INIT_START);
	CT_TRUE(l != NULL);
	if (l) {
		CT_EQ_U64(l->ts, 1100); /* the write holding its first byte */
		CT_EQ_INT(l->pid, AGENT);
		CT_EQ_INT(l->tid, AGENT + 1);
		CT_EQ_INT(l->fd, 1);
		CT_EQ_STR(l->ev->version, "nodejs:18.v9");
		CT_EQ_STR(l->ev->arn, "arn:aws:lambda:us-east-1::runtime:abc");
		CT_EQ_STR(l->ev->line, "INIT_START Runtime Version: nodejs:18.v9 Runtime Version ARN: "
				       "arn:aws:lambda:us-east-1::runtime:abc");
	}
	l = find_log(&m, LOG_START);
	CT_TRUE(l && l->ts == 2250 && !strcmp(l->ev->request_id, REQ_ID) && !strcmp(l->ev->version, "$LATEST"));
	l = find_log(&m, LOG_END);
	CT_TRUE(l && l->ts == 3150 && !strcmp(l->ev->request_id, REQ_ID));
	l = find_log(&m, LOG_REPORT);
	CT_TRUE(l != NULL);
	if (l) {
		CT_EQ_U64(l->ts, 3150); /* starts in the END write */
		CT_EQ_STR(l->ev->request_id, REQ_ID);
		CT_TRUE(l->ev->have & LOG_HAVE_DURATION);
		CT_TRUE(l->ev->duration_ms > 45.44 && l->ev->duration_ms < 45.46);
		CT_TRUE(l->ev->billed_ms > 45.9 && l->ev->billed_ms < 46.1);
		CT_EQ_INT(l->ev->memory_mb, 3008);
		CT_EQ_INT(l->ev->max_memory_mb, 100);
		CT_TRUE(!(l->ev->have & LOG_HAVE_INIT_DURATION));
	}
	for (size_t i = 0; i < m.nlogs; i++)
		CT_TRUE(!strstr(m.logs[i].ev->line, "noise"));
	ct_model_free(&m);
}

CT_TEST(listen_record)
{
	struct ct_model m;
	uint8_t lo[4];

	build(&m);
	ct_model_finish(&m);
	inet_pton(AF_INET, "127.0.0.1", lo);
	CT_EQ_INT(m.nlistens, 1);
	if (m.nlistens == 1) {
		CT_EQ_U64(m.listens[0].ts, 1000);
		CT_EQ_INT(m.listens[0].pid, AGENT);
		CT_EQ_INT(m.listens[0].ep.family, AF_INET);
		CT_EQ_INT(m.listens[0].ep.lport, API_PORT);
		CT_TRUE(!memcmp(m.listens[0].ep.laddr, lo, 4));
	}
	ct_model_free(&m);
}

CT_TEST(time_order)
{
	struct ct_model m;

	build(&m);
	ct_model_finish(&m);
	for (size_t i = 1; i < m.nhttp; i++)
		CT_TRUE(m.http[i - 1].ts <= m.http[i].ts);
	for (size_t i = 1; i < m.nlogs; i++)
		CT_TRUE(m.logs[i - 1].ts <= m.logs[i].ts);
	/* fed agent-first, so sorting moved the runtime's /next to the front */
	CT_TRUE(m.nhttp > 0 && m.http[0].pid == RUNTIME && m.http[0].ts == 2000);
	CT_EQ_U64(m.first_ts, 1000);
	CT_EQ_U64(m.last_ts, 3300);
	ct_model_free(&m);
}

CT_TEST(authorization_never_kept)
{
	struct ct_model m;
	struct ct_render_opts o = {.command = "test"};
	struct strbuf sb;

	build(&m);
	ct_model_finish(&m);
	for (size_t i = 0; i < m.nhttp; i++)
		for (int k = 0; k < HTTP_H_COUNT; k++) {
			const char *v = m.http[i].hdr[k];

			CT_TRUE(!v || (!strstr(v, "s3cr3t") && !strstr(v, "Bearer")));
		}
	sb_init(&sb);
	ct_render_jsonl(&m, &sb, &o);
	ct_render_text(&m, &sb, &o);
	CT_TRUE(sb.buf && !strstr(sb.buf, "s3cr3t") && !strstr(sb.buf, "Authorization") &&
		!strstr(sb.buf, "Set-Cookie"));
	sb_free(&sb);
	ct_model_free(&m);
}

CT_TEST(malformed_io)
{
	struct ct_model m;
	static const char req[] = "GET /malformed HTTP/1.1\r\nHost: x\r\n\r\n";
	const struct conn c = {41000, API_PORT, 0xffff888000003000ull};
	uint32_t n = (uint32_t)strlen(req);
	size_t size;

	ct_model_init(&m, NULL);
	/* cap_len > len */
	size = make_io(OTHER, 100, 9, CT_IO_WRITE, &c, req, n, n - 5);
	CT_EQ_INT(m.bad_events, 0);
	ct_model_add_event(&m, io_buf, size);
	CT_EQ_INT(m.bad_events, 1);
	/* cap_len beyond the record's size */
	size = make_io(OTHER, 110, 9, CT_IO_WRITE, &c, req, n, n);
	ct_model_add_event(&m, io_buf, size - 10);
	CT_EQ_INT(m.bad_events, 2);
	/* cap_len over the hard maximum */
	size = make_io(OTHER, 120, 9, CT_IO_WRITE, &c, req, n, n);
	io_buf->cap_len = CT_MAX_CAPTURE + 1;
	io_buf->len = CT_MAX_CAPTURE + 1;
	ct_model_add_event(&m, io_buf, sizeof(*io_buf));
	CT_EQ_INT(m.bad_events, 3);
	/* shorter than the fixed part of struct ct_io */
	CT_EQ_INT(ct_model_add_event(&m, io_buf, offsetof(struct ct_io, data) - 1), -1);
	CT_EQ_INT(m.bad_events, 4);
	/* a bad stdout record is not parsed either */
	size = make_io(OTHER, 130, 1, CT_IO_WRITE, NULL, "END RequestId: bad\n", 19, 10);
	ct_model_add_event(&m, io_buf, size);
	CT_EQ_INT(m.bad_events, 5);

	ct_model_finish(&m);
	CT_EQ_INT(m.nhttp, 0);
	CT_EQ_INT(m.nlogs, 0);
	/* and a well-formed record after them still parses from its start */
	ct_model_free(&m);
	ct_model_init(&m, NULL);
	size = make_io(OTHER, 100, 9, CT_IO_WRITE, &c, req, n, n - 5);
	ct_model_add_event(&m, io_buf, size);
	io(&m, OTHER, 200, 9, CT_IO_WRITE, &c, req);
	ct_model_finish(&m);
	CT_EQ_INT(m.bad_events, 1);
	CT_EQ_INT(m.nhttp, 1);
	CT_TRUE(m.nhttp == 1 && m.http[0].ts == 200 && !strcmp(m.http[0].path, "/malformed"));
	ct_model_free(&m);
}

/* A head cut by the end of its stream is kept, flagged, and counted: when
 * its process exits inside the header block, and when the trace ends there. */
CT_TEST(head_cut_at_end_of_stream)
{
	struct ct_model m;
	struct ct_exit x = {0};
	const struct ct_http *h;

	ct_model_init(&m, NULL);
	/* the runtime sends a whole /next, then half of another, and exits */
	io(&m, RUNTIME, 2000, 5, CT_IO_WRITE, &rt_end, next_again);
	io(&m, RUNTIME, 2100, 5, CT_IO_WRITE, &rt_end, next_req1);
	CT_EQ_INT(m.nhttp, 1);
	x.h.type = CT_EV_EXIT;
	x.h.pid = RUNTIME;
	x.h.tid = RUNTIME;
	x.h.ts = 2500;
	CT_EQ_INT(ct_model_add_event(&m, &x, sizeof(x)), 0);
	CT_EQ_INT(m.nhttp, 2); /* kept at the exit, before ct_model_finish */
	CT_EQ_INT(m.http_desyncs, 1);
	/* the agent reads the start line of a response's head, then the trace ends */
	io(&m, AGENT, 2600, 7, CT_IO_READ, &ag_end, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConte");
	/* and a stream between messages ends quietly */
	io(&m, OTHER, 2700, 9, CT_IO_WRITE, &rt_end, next_again);
	ct_model_finish(&m);
	CT_EQ_INT(m.nhttp, 4);
	CT_EQ_INT(m.http_desyncs, 2);

	h = find_http(&m, RUNTIME, CT_IO_WRITE, HTTP_REQUEST, 0);
	CT_TRUE(h && !(h->flags & (HTTP_F_INCOMPLETE | HTTP_F_EOF)));
	h = find_http(&m, RUNTIME, CT_IO_WRITE, HTTP_REQUEST, 1);
	CT_TRUE(h != NULL);
	if (h) {
		CT_EQ_INT(h->flags & (HTTP_F_INCOMPLETE | HTTP_F_EOF), HTTP_F_INCOMPLETE | HTTP_F_EOF);
		CT_EQ_INT(h->api, LAMBDA_API_NEXT);
		CT_EQ_STR(h->hdr[HTTP_H_HOST], "127.0.0.1:9001");
		CT_EQ_INT(h->body_len, -1);
		CT_EQ_U64(h->ts, 2100);
		CT_EQ_U64(h->ts_head, 2500); /* where the stream ended */
	}
	h = find_http(&m, AGENT, CT_IO_READ, HTTP_RESPONSE, 0);
	CT_TRUE(h != NULL);
	if (h) {
		CT_EQ_INT(h->flags & (HTTP_F_INCOMPLETE | HTTP_F_EOF), HTTP_F_INCOMPLETE | HTTP_F_EOF);
		CT_EQ_INT(h->status, 200);
		CT_EQ_STR(h->hdr[HTTP_H_CONTENT_TYPE], "text/plain");
		CT_EQ_U64(h->ts_head, 2700);
	}
	h = find_http(&m, OTHER, CT_IO_WRITE, HTTP_REQUEST, 0);
	CT_TRUE(h && !(h->flags & HTTP_F_INCOMPLETE));
	ct_model_free(&m);
}

/* The kernel may give a new connection the address of a closed socket (the
 * same sock_id): the new connection's messages start at index 0 again, so
 * they pair with their sender's, and a head the old one cut is kept. */
CT_TEST(socket_address_reused)
{
	struct ct_model m;
	const struct conn ag1 = {API_PORT, RT_PORT, SOCK_AG}, ag2 = {API_PORT, RT_PORT + 1, SOCK_AG};
	const struct conn rt2 = {RT_PORT + 1, API_PORT, SOCK_RT + 0x100};
	const struct ct_http *h;

	ct_model_init(&m, NULL);
	io(&m, RUNTIME, 1000, 5, CT_IO_WRITE, &rt_end, next_again);
	io(&m, AGENT, 1010, 7, CT_IO_READ, &ag1, next_again);
	io(&m, AGENT, 1020, 7, CT_IO_READ, &ag1, next_req1); /* then the connection closes */
	io(&m, OTHER, 2000, 5, CT_IO_WRITE, &rt2, next_again);
	io(&m, AGENT, 2010, 7, CT_IO_READ, &ag2, next_again);
	ct_model_finish(&m);
	CT_EQ_INT(m.nhttp, 5); /* 2 sent, 2 read, 1 cut */
	h = find_http(&m, AGENT, CT_IO_READ, HTTP_REQUEST, 1);
	CT_TRUE(h != NULL);
	if (h) {
		CT_EQ_INT(h->flags & (HTTP_F_INCOMPLETE | HTTP_F_EOF), HTTP_F_INCOMPLETE | HTTP_F_EOF);
		CT_EQ_INT(h->ep.rport, RT_PORT); /* the old connection's */
		CT_EQ_U64(h->ts_head, 2010);
	}
	h = find_http(&m, OTHER, CT_IO_WRITE, HTTP_REQUEST, 0);
	CT_TRUE(h != NULL && h->peer >= 0);
	if (h && h->peer >= 0) {
		CT_EQ_INT(m.http[h->peer].pid, AGENT);
		CT_EQ_INT(m.http[h->peer].ep.rport, RT_PORT + 1);
		CT_EQ_U64(m.http[h->peer].ts, 2010);
	}
	h = find_http(&m, RUNTIME, CT_IO_WRITE, HTTP_REQUEST, 0);
	CT_TRUE(h != NULL && h->peer >= 0 && m.http[h->peer].ts == 1010);
	ct_model_free(&m);
}

static int count_str(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *c = hay; (c = strstr(c, needle)); c++)
		n++;
	return n;
}

CT_TEST(jsonl_view)
{
	struct ct_model m;
	struct ct_render_opts o = {.command = "agent"};
	struct strbuf sb;
	const char *p, *q;

	build(&m);
	ct_model_finish(&m);
	sb_init(&sb);
	ct_render_jsonl(&m, &sb, &o);
	if (getenv("CT_TEST_DUMP") && sb.buf)
		fputs(sb.buf, stdout);
	CT_TRUE(sb.buf != NULL && !sb.oom);
	if (!sb.buf) {
		ct_model_free(&m);
		return;
	}
	CT_TRUE(strstr(sb.buf, "{\"type\":\"listen\",\"ts_ns\":1000,\"pid\":100,\"tid\":100,"
			       "\"addr\":\"127.0.0.1:9001\",\"port\":9001}\n") != NULL);
	CT_TRUE(strstr(sb.buf, "{\"type\":\"http\",\"ts_ns\":2000,\"head_ns\":2010,\"pid\":200,\"tid\":201,"
			       "\"dir\":\"send\",\"kind\":\"request\",\"method\":\"GET\","
			       "\"path\":\"/2018-06-01/runtime/invocation/next\",\"api\":\"next\","
			       "\"local\":\"127.0.0.1:40000\",\"remote\":\"127.0.0.1:9001\"") != NULL);
	CT_TRUE(strstr(sb.buf, "\"peer_pid\":100,\"peer_ts_ns\":2100}") != NULL);
	CT_TRUE(strstr(sb.buf, "\"api\":\"response\",\"api_id\":\"" REQ_ID "\"") != NULL);
	CT_TRUE(strstr(sb.buf, "\"status\":200,\"reason\":\"OK\"") != NULL);
	CT_TRUE(strstr(sb.buf, "\"Lambda-Runtime-Aws-Request-Id\":\"" REQ_ID "\"") != NULL);
	CT_TRUE(strstr(sb.buf, "\"status\":202,\"reason\":\"Accepted\"") != NULL);
	CT_TRUE(strstr(sb.buf, "{\"type\":\"log\",\"ts_ns\":1100,\"pid\":100,\"tid\":101,\"fd\":1,"
			       "\"kind\":\"init_start\",\"version\":\"nodejs:18.v9\"") != NULL);
	CT_TRUE(strstr(sb.buf, "\"kind\":\"start\",\"request_id\":\"" REQ_ID "\",\"version\":\"$LATEST\"") != NULL);
	CT_TRUE(strstr(sb.buf, "\"kind\":\"end\",\"request_id\":\"" REQ_ID "\"") != NULL);
	CT_TRUE(strstr(sb.buf, "\"kind\":\"report\",\"request_id\":\"" REQ_ID "\",\"duration_ms\":45.450") != NULL);
	/* I/O records in time order: listen, INIT_START, /next ... REPORT */
	p = strstr(sb.buf, "\"type\":\"listen\"");
	q = strstr(sb.buf, "\"kind\":\"init_start\"");
	CT_TRUE(p && q && p < q);
	p = strstr(sb.buf, "\"api\":\"next\"");
	CT_TRUE(p && q < p);
	q = strstr(sb.buf, "\"kind\":\"report\"");
	CT_TRUE(q && p < q);
	CT_TRUE(strstr(sb.buf, "\"bad_events\":0,") != NULL);
	CT_TRUE(strstr(sb.buf, "\"complete\":true}\n") != NULL);
	/* one line per record: 1 listen, 9 http, 4 log (other record types,
	 * e.g. derived phases, may come and go) */
	CT_EQ_INT(count_str(sb.buf, "{\"type\":\"listen\","), 1);
	CT_EQ_INT(count_str(sb.buf, "{\"type\":\"http\","), 9);
	CT_EQ_INT(count_str(sb.buf, "{\"type\":\"log\","), 4);
	CT_EQ_INT(count_str(sb.buf, "{\"type\":\"summary\","), 1);
	sb_free(&sb);
	ct_model_free(&m);
}

CT_TEST(text_view)
{
	struct ct_model m;
	struct ct_render_opts o = {.command = "agent"};
	struct strbuf sb;

	build(&m);
	ct_model_finish(&m);
	sb_init(&sb);
	ct_render_text(&m, &sb, &o);
	if (getenv("CT_TEST_DUMP") && sb.buf)
		fputs(sb.buf, stdout);
	CT_TRUE(sb.buf != NULL);
	if (!sb.buf) {
		ct_model_free(&m);
		return;
	}
	CT_TRUE(strstr(sb.buf, "pid 100     listen  127.0.0.1:9001\n") != NULL);
	CT_TRUE(strstr(sb.buf, "pid 200     http    GET /2018-06-01/runtime/invocation/next  127.0.0.1:40000 -> "
			       "127.0.0.1:9001  (read by pid 100 after 0.000 ms)\n") != NULL);
	CT_TRUE(strstr(sb.buf, "pid 100     http    200 OK  request-id " REQ_ID "  127.0.0.1:9001 -> 127.0.0.1:40000") !=
		NULL);
	CT_TRUE(strstr(sb.buf, "http    POST /2018-06-01/runtime/invocation/" REQ_ID "/response") != NULL);
	CT_TRUE(strstr(sb.buf, "pid 100     log     INIT_START Runtime Version: nodejs:18.v9") != NULL);
	CT_TRUE(strstr(sb.buf, "log     START RequestId: " REQ_ID) != NULL);
	CT_TRUE(strstr(sb.buf, "log     END RequestId: " REQ_ID) != NULL);
	CT_TRUE(strstr(sb.buf, "log     REPORT RequestId: " REQ_ID) != NULL);
	/* a message both ends saw is shown once; the unread /next once too */
	CT_EQ_INT(count_str(sb.buf, "http    GET /2018-06-01/runtime/invocation/next"), 2);
	sb_free(&sb);
	ct_model_free(&m);
}

int main(void)
{
	io_buf = calloc(1, sizeof(*io_buf));
	if (!io_buf)
		return 1;
	CT_RUN(http_records);
	CT_RUN(http_pairing);
	CT_RUN(log_records);
	CT_RUN(listen_record);
	CT_RUN(time_order);
	CT_RUN(authorization_never_kept);
	CT_RUN(malformed_io);
	CT_RUN(head_cut_at_end_of_stream);
	CT_RUN(socket_address_reused);
	CT_RUN(jsonl_view);
	CT_RUN(text_view);
	free(io_buf);
	return ct_summary();
}
