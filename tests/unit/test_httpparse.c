/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Unit tests for userspace/model/httpparse.c: real Runtime API exchanges (Go
 * net/http, Node http, libcurl clients; the agent's responses) split at
 * every byte, merged, pipelined, cut by capture truncation; chunked bodies,
 * garbage, oversized heads, the header allowlist.
 */
#include <stdlib.h>

#include "ct_test.h"
#include "httpparse.h"

/* ---- recorder ---- */

#define MAX_EV 64

struct rec {
	int n;
	struct http_msg ev[MAX_EV];
};

static void rec_cb(void *ctx, const struct http_msg *m)
{
	struct rec *r = ctx;
	if (r->n < MAX_EV)
		r->ev[r->n] = *m;
	r->n++;
}

static struct rec R, R2; /* large: keep off the stack */
static struct http_stream S;

static void feed(struct http_stream *s, const char *d, size_t n, uint64_t ts,
		 struct rec *r)
{
	http_stream_feed(s, (const uint8_t *)d, n, n, ts, rec_cb, r);
}

static void feed_str(struct http_stream *s, const char *d, uint64_t ts,
		     struct rec *r)
{
	feed(s, d, strlen(d), ts, r);
}

/* A one-line digest of an event, to compare two runs. */
static void digest(const struct http_msg *m, char *out, size_t sz)
{
	size_t o = 0;
	o += (size_t)snprintf(out + o, sz - o, "k=%d f=%x e=%d i=%u ", m->kind,
			      m->flags, m->err, m->index);
	if (m->kind == HTTP_REQUEST || m->kind == HTTP_RESPONSE)
		o += (size_t)snprintf(out + o, sz - o,
				      "%s %s api=%d id=%s st=%d %s v=%d.%d b=%d/%lld hl=%u",
				      http_method_name(m->method), m->path, m->api,
				      m->api_id, m->status, m->reason,
				      m->version_major, m->version_minor, m->body,
				      (long long)m->body_len, m->head_len);
	if (m->kind == HTTP_BODY_END)
		o += (size_t)snprintf(out + o, sz - o, "len=%lld",
				      (long long)m->body_len);
	for (int h = 0; h < HTTP_H_COUNT && o < sz; h++)
		if (m->hdr_present & (1u << h))
			o += (size_t)snprintf(out + o, sz - o, " [%s=%s]",
					      http_header_name(h), m->hdr[h]);
}

static bool same_events(const struct rec *a, const struct rec *b)
{
	static char da[8192], db[8192];

	if (a->n != b->n) {
		printf("  event count %d != %d\n", a->n, b->n);
		return false;
	}
	for (int i = 0; i < a->n && i < MAX_EV; i++) {
		digest(&a->ev[i], da, sizeof(da));
		digest(&b->ev[i], db, sizeof(db));
		if (strcmp(da, db) != 0) {
			printf("  event %d differs:\n    %s\n    %s\n", i, da, db);
			return false;
		}
	}
	return true;
}

static bool mem_has(const void *hay, size_t hn, const char *needle, size_t nn)
{
	const char *h = hay;
	for (size_t i = 0; i + nn <= hn; i++)
		if (memcmp(h + i, needle, nn) == 0)
			return true;
	return false;
}

/* Does the byte string occur anywhere in the recorded events? */
static bool rec_contains(const struct rec *r, const char *needle)
{
	size_t nn = strlen(needle);
	for (int i = 0; i < r->n && i < MAX_EV; i++) {
		const char *b = (const char *)&r->ev[i];
		if (mem_has(b, sizeof(r->ev[i]), needle, nn))
			return true;
	}
	return false;
}

static int count_kind(const struct rec *r, enum http_kind k)
{
	int c = 0;
	for (int i = 0; i < r->n && i < MAX_EV; i++)
		c += r->ev[i].kind == k;
	return c;
}

static const struct http_msg *nth_kind(const struct rec *r, enum http_kind k,
				       int nth)
{
	for (int i = 0; i < r->n && i < MAX_EV; i++)
		if (r->ev[i].kind == k && nth-- == 0)
			return &r->ev[i];
	return NULL;
}

/* ---- real traffic ---- */

#define REQ_ID "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
#define ARN "arn:aws:lambda:us-east-1:012345678912:function:custom-runtime"
#define TRACE "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"

static const char go_next[] =
	"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"
	"Host: 127.0.0.1:9001\r\n"
	"User-Agent: Go-http-client/1.1\r\n"
	"Accept-Encoding: gzip\r\n"
	"\r\n";

static const char node_next[] =
	"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"
	"Host: 127.0.0.1:9001\r\n"
	"Connection: keep-alive\r\n"
	"\r\n";

static const char curl_next[] =
	"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"
	"Host: 127.0.0.1:9001\r\n"
	"User-Agent: AWS_Lambda_Cpp/0.2.6\r\n"
	"Accept: */*\r\n"
	"\r\n";

#define NEXT_BODY "{\"key1\":\"value1\",\"key2\":\"value2\"}"
static const char agent_next_resp[] =
	"HTTP/1.1 200 OK\r\n"
	"Content-Type: application/json\r\n"
	"Lambda-Runtime-Aws-Request-Id: " REQ_ID "\r\n"
	"Lambda-Runtime-Client-Context: \r\n"
	"Lambda-Runtime-Cognito-Identity: \r\n"
	"Lambda-Runtime-Deadline-Ms: 1700000000000\r\n"
	"Lambda-Runtime-Invoked-Function-Arn: " ARN "\r\n"
	"Lambda-Runtime-Trace-Id: " TRACE "\r\n"
	"Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
	"Content-Length: 33\r\n"
	"\r\n" NEXT_BODY;

#define RESP_BODY "{\"statusCode\":200,\"body\":\"hello\"}"
static const char node_post_resp[] =
	"POST /2018-06-01/runtime/invocation/" REQ_ID "/response HTTP/1.1\r\n"
	"Content-Type: application/json\r\n"
	"Host: 127.0.0.1:9001\r\n"
	"Connection: keep-alive\r\n"
	"Content-Length: 33\r\n"
	"\r\n" RESP_BODY;

static const char agent_202[] =
	"HTTP/1.1 202 Accepted\r\n"
	"Content-Type: application/json\r\n"
	"Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
	"Content-Length: 16\r\n"
	"\r\n"
	"{\"status\":\"OK\"}\n";

static const char curl_post_error[] =
	"POST /2018-06-01/runtime/invocation/" REQ_ID "/error HTTP/1.1\r\n"
	"Host: 127.0.0.1:9001\r\n"
	"User-Agent: AWS_Lambda_Cpp/0.2.6\r\n"
	"Accept: */*\r\n"
	"Lambda-Runtime-Function-Error-Type: Runtime.UnhandledError\r\n"
	"content-type: application/json\r\n"
	"Content-Length: 2\r\n"
	"\r\n{}";

static const char chunked_resp[] =
	"HTTP/1.1 200 OK\r\n"
	"Transfer-Encoding: chunked\r\n"
	"Content-Type: text/plain\r\n"
	"\r\n"
	"5\r\nhello\r\n"
	"1a;name=value\r\nabcdefghijklmnopqrstuvwxyz\r\n"
	"A \r\n0123456789\r\n"
	"0\r\n"
	"X-Trailer: yes\r\n"
	"\r\n";

/* ---- tests ---- */

CT_TEST(api_paths)
{
	static const struct {
		const char *path;
		enum lambda_api api;
		const char *id;
	} t[] = {
		{"/2018-06-01/runtime/invocation/next", LAMBDA_API_NEXT, ""},
		{"/2018-06-01/runtime/invocation/next?x=1", LAMBDA_API_NEXT, ""},
		{"/2018-06-01/runtime/invocation/next#f", LAMBDA_API_NEXT, ""},
		{"http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
		 LAMBDA_API_NEXT, ""},
		{"/2018-06-01/runtime/invocation/abc-123/response",
		 LAMBDA_API_RESPONSE, "abc-123"},
		{"/2018-06-01/runtime/invocation/abc-123/response?q",
		 LAMBDA_API_RESPONSE, "abc-123"},
		{"/2018-06-01/runtime/invocation/" REQ_ID "/error",
		 LAMBDA_API_ERROR, REQ_ID},
		{"/2018-06-01/runtime/invocation//response", LAMBDA_API_OTHER, ""},
		{"/2018-06-01/runtime/invocation/a/b/response", LAMBDA_API_OTHER, ""},
		{"/2018-06-01/runtime/invocation/abc/responses", LAMBDA_API_OTHER, ""},
		{"/2018-06-01/runtime/invocation/abc", LAMBDA_API_OTHER, ""},
		{"/2018-06-01/runtime/init/error", LAMBDA_API_INIT_ERROR, ""},
		{"/2020-01-01/extension/register", LAMBDA_API_EXT_REGISTER, ""},
		{"/2020-01-01/extension/event/next", LAMBDA_API_EXT_NEXT, ""},
		{"/2020-01-01/extension/init/error", LAMBDA_API_EXT_INIT_ERROR, ""},
		{"/2020-01-01/extension/exit/error", LAMBDA_API_EXT_EXIT_ERROR, ""},
		{"/2022-07-01/telemetry", LAMBDA_API_TELEMETRY, ""},
		{"/2020-08-15/logs", LAMBDA_API_LOGS, ""},
		{"/2020-08-15/logs?x", LAMBDA_API_LOGS, ""},
		{"/2015-03-31/functions/function/invocations", LAMBDA_API_INVOKE, ""},
		{"/2018-06-01/runtime/invocation/next/", LAMBDA_API_OTHER, ""},
		{"/2018-06-01/RUNTIME/invocation/next", LAMBDA_API_OTHER, ""},
		{"/", LAMBDA_API_OTHER, ""},
		{"", LAMBDA_API_OTHER, ""},
		{"*", LAMBDA_API_OTHER, ""},
		{"http://host", LAMBDA_API_OTHER, ""},
	};
	char id[HTTP_ID_MAX];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum lambda_api a = lambda_api_classify(t[i].path, strlen(t[i].path),
							id, sizeof(id));
		if (a != t[i].api || strcmp(id, t[i].id) != 0)
			CT__FAIL("%s: got %s/%s want %s/%s", t[i].path,
				 lambda_api_name(a), id, lambda_api_name(t[i].api),
				 t[i].id);
	}
	/* id cut to the buffer, NULL id accepted */
	char small[4];
	CT_EQ_INT(lambda_api_classify("/2018-06-01/runtime/invocation/abcdef/error",
				      44, small, sizeof(small)),
		  LAMBDA_API_ERROR);
	CT_EQ_STR(small, "abc");
	CT_EQ_INT(lambda_api_classify("/2018-06-01/runtime/invocation/x/error", 38,
				      NULL, 0),
		  LAMBDA_API_ERROR);
	/* not NUL-terminated: only n bytes are looked at */
	CT_EQ_INT(lambda_api_classify("/2020-08-15/logsXYZ", 16, id, sizeof(id)),
		  LAMBDA_API_LOGS);
}

CT_TEST(go_next_request)
{
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, 0);
	feed_str(&S, go_next, 42, &R);
	CT_EQ_INT(R.n, 1);
	const struct http_msg *m = &R.ev[0];
	CT_EQ_INT(m->kind, HTTP_REQUEST);
	CT_EQ_INT(m->method, HTTP_M_GET);
	CT_EQ_STR(m->path, "/2018-06-01/runtime/invocation/next");
	CT_EQ_INT(m->api, LAMBDA_API_NEXT);
	CT_EQ_INT(m->version_major, 1);
	CT_EQ_INT(m->version_minor, 1);
	CT_EQ_STR(http_msg_header(m, HTTP_H_HOST), "127.0.0.1:9001");
	CT_EQ_STR(http_msg_header(m, HTTP_H_USER_AGENT), "Go-http-client/1.1");
	CT_TRUE(http_msg_header(m, HTTP_H_CONTENT_LENGTH) == NULL);
	CT_TRUE(!rec_contains(&R, "gzip")); /* Accept-Encoding dropped */
	CT_EQ_INT(m->body, HTTP_BODY_NONE);
	CT_EQ_INT(m->body_len, 0);
	CT_EQ_U64(m->ts_first, 42);
	CT_EQ_U64(m->ts_head, 42);
	CT_EQ_INT(m->head_len, strlen(go_next));
	CT_EQ_INT(m->flags, 0);
	CT_EQ_INT(http_stream_state(&S), HTTP_S_START);
	CT_EQ_INT(http_stream_stats(&S)->messages, 1);
}

CT_TEST(agent_response_all_headers)
{
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_BODY_END);
	feed_str(&S, agent_next_resp, 7, &R);
	CT_EQ_INT(R.n, 2);
	const struct http_msg *m = &R.ev[0];
	CT_EQ_INT(m->kind, HTTP_RESPONSE);
	CT_EQ_INT(m->status, 200);
	CT_EQ_STR(m->reason, "OK");
	CT_EQ_STR(http_msg_header(m, HTTP_H_REQUEST_ID), REQ_ID);
	CT_EQ_STR(http_msg_header(m, HTTP_H_DEADLINE_MS), "1700000000000");
	CT_EQ_STR(http_msg_header(m, HTTP_H_FUNCTION_ARN), ARN);
	CT_EQ_STR(http_msg_header(m, HTTP_H_TRACE_ID), TRACE);
	CT_EQ_STR(http_msg_header(m, HTTP_H_CONTENT_TYPE), "application/json");
	CT_EQ_STR(http_msg_header(m, HTTP_H_CONTENT_LENGTH), "33");
	CT_EQ_INT(m->body, HTTP_BODY_LENGTH);
	CT_EQ_INT(m->body_len, 33);
	CT_EQ_INT(strlen(NEXT_BODY), 33);
	CT_TRUE(!rec_contains(&R, "key1"));  /* the body is never kept */
	CT_TRUE(!rec_contains(&R, "GMT"));   /* Date is not on the list */
	CT_EQ_INT(R.ev[1].kind, HTTP_BODY_END);
	CT_EQ_INT(R.ev[1].body_len, 33);
	CT_EQ_INT(R.ev[1].flags & HTTP_F_BODY_SKIPPED, 0);
	CT_EQ_INT(http_stream_state(&S), HTTP_S_START);
}

CT_TEST(post_response_and_error)
{
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, 0);
	feed_str(&S, node_post_resp, 1, &R);
	feed_str(&S, curl_post_error, 2, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[0].method, HTTP_M_POST);
	CT_EQ_INT(R.ev[0].api, LAMBDA_API_RESPONSE);
	CT_EQ_STR(R.ev[0].api_id, REQ_ID);
	CT_EQ_INT(strlen(RESP_BODY), 33);
	CT_EQ_INT(R.ev[0].body_len, 33);
	CT_EQ_INT(R.ev[0].index, 0);
	CT_EQ_INT(R.ev[1].api, LAMBDA_API_ERROR);
	CT_EQ_STR(R.ev[1].api_id, REQ_ID);
	CT_EQ_STR(http_msg_header(&R.ev[1], HTTP_H_ERROR_TYPE),
		  "Runtime.UnhandledError");
	CT_EQ_STR(http_msg_header(&R.ev[1], HTTP_H_CONTENT_TYPE),
		  "application/json"); /* lower-case name matched */
	CT_EQ_INT(R.ev[1].body_len, 2);
	CT_EQ_INT(R.ev[1].index, 1);
	CT_EQ_U64(R.ev[1].ts_first, 2);
	CT_TRUE(!rec_contains(&R, "statusCode"));
}

/* Every split of a byte stream into two chunks gives the same events as
 * one chunk, with the right timestamps. */
static void check_all_splits(const char *data, size_t n, unsigned emit)
{
	http_stream_init(&S, emit);
	memset(&R, 0, sizeof(R));
	feed(&S, data, n, 1, &R);
	CT_TRUE(R.n > 0);
	for (size_t k = 0; k <= n; k++) {
		memset(&R2, 0, sizeof(R2));
		http_stream_init(&S, emit);
		feed(&S, data, k, 1, &R2);
		feed(&S, data + k, n - k, 1, &R2);
		if (!same_events(&R, &R2)) {
			CT__FAIL("split at %zu of %zu differs", k, n);
			return;
		}
	}
}

CT_TEST(split_every_position)
{
	static char all[8192];
	const char *msgs[] = {go_next,	       node_next,      curl_next,
			      agent_next_resp, node_post_resp, agent_202,
			      curl_post_error, chunked_resp};
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		check_all_splits(msgs[i], strlen(msgs[i]),
				 HTTP_EMIT_BODY_END | HTTP_EMIT_DESYNC);
	/* a keep-alive request stream: every message back to back */
	snprintf(all, sizeof(all), "%s%s%s%s%s", node_next, node_post_resp,
		 node_next, curl_post_error, go_next);
	check_all_splits(all, strlen(all), HTTP_EMIT_BODY_END);
	CT_EQ_INT(count_kind(&R, HTTP_REQUEST), 5);
	snprintf(all, sizeof(all), "%s%s%s%s", agent_next_resp, agent_202,
		 chunked_resp, agent_next_resp);
	check_all_splits(all, strlen(all), HTTP_EMIT_BODY_END);
	CT_EQ_INT(count_kind(&R, HTTP_RESPONSE), 4);
}

/* Timestamps of a message split in two: first byte in chunk 1 (ts 1),
 * head completed by whichever chunk holds the empty line's LF. */
CT_TEST(split_timestamps)
{
	size_t n = strlen(agent_next_resp);
	size_t head_end = (size_t)(strstr(agent_next_resp, "\r\n\r\n") -
				   agent_next_resp) + 3; /* index of last LF */
	for (size_t k = 1; k < n; k++) {
		memset(&R, 0, sizeof(R));
		http_stream_init(&S, 0);
		feed(&S, agent_next_resp, k, 1, &R);
		feed(&S, agent_next_resp + k, n - k, 2, &R);
		if (R.n != 1) {
			CT__FAIL("k=%zu: %d events", k, R.n);
			return;
		}
		CT_EQ_U64(R.ev[0].ts_first, 1);
		CT_EQ_U64(R.ev[0].ts_head, head_end < k ? 1 : 2);
	}
	/* a chunk of only CRLF before the message does not count as its start */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, 0);
	feed_str(&S, "\r\n", 5, &R);
	feed_str(&S, go_next, 6, &R);
	CT_EQ_INT(R.n, 1);
	CT_EQ_U64(R.ev[0].ts_first, 6);
}

CT_TEST(one_byte_chunks)
{
	static char all[4096];
	snprintf(all, sizeof(all), "%s%s", agent_next_resp, agent_202);
	size_t n = strlen(all);
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_BODY_END);
	for (size_t i = 0; i < n; i++)
		feed(&S, all + i, 1, 1000 + i, &R);
	CT_EQ_INT(R.n, 4);
	size_t h1 = (size_t)(strstr(all, "\r\n\r\n") - all) + 3;
	size_t s2 = strlen(agent_next_resp);
	size_t h2 = (size_t)(strstr(all + s2, "\r\n\r\n") - all) + 3;
	CT_EQ_U64(R.ev[0].ts_first, 1000);
	CT_EQ_U64(R.ev[0].ts_head, 1000 + h1);
	CT_EQ_U64(R.ev[1].ts_head, 1000 + s2 - 1); /* body end */
	CT_EQ_U64(R.ev[2].ts_first, 1000 + s2);
	CT_EQ_U64(R.ev[2].ts_head, 1000 + h2);
	CT_EQ_INT(R.ev[2].status, 202);
	CT_EQ_INT(R.ev[3].body_len, 16);
}

CT_TEST(pipelined_in_one_chunk)
{
	static char all[4096];
	snprintf(all, sizeof(all), "%s%s%s%s", go_next, go_next, node_post_resp,
		 curl_next);
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, 0);
	feed_str(&S, all, 9, &R);
	CT_EQ_INT(R.n, 4);
	for (int i = 0; i < 4; i++) {
		CT_EQ_INT(R.ev[i].index, i);
		CT_EQ_U64(R.ev[i].ts_first, 9);
	}
	CT_EQ_INT(R.ev[2].api, LAMBDA_API_RESPONSE);
	CT_EQ_STR(http_msg_header(&R.ev[3], HTTP_H_USER_AGENT),
		  "AWS_Lambda_Cpp/0.2.6");
	/* a request split, then the rest of it with the next ones merged */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, 0);
	feed(&S, all, 10, 1, &R);
	feed(&S, all + 10, strlen(all) - 10, 2, &R);
	CT_EQ_INT(R.n, 4);
	CT_EQ_U64(R.ev[0].ts_first, 1);
	CT_EQ_U64(R.ev[1].ts_first, 2);
}

/* A Go agent's response with a big body, captured 4096 bytes at a time. */
CT_TEST(truncated_body)
{
	static char buf[16384];
	const size_t body = 10000;
	int hl = snprintf(buf, sizeof(buf),
			  "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: " REQ_ID
			  "\r\nContent-Length: %zu\r\n\r\n",
			  body);
	memset(buf + hl, 'x', body);
	size_t total = (size_t)hl + body;
	memcpy(buf + total, agent_202, strlen(agent_202));

	/* one write: head + body, 4096 captured */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_BODY_END | HTTP_EMIT_DESYNC);
	http_stream_feed(&S, (const uint8_t *)buf, 4096, total, 1, rec_cb, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[0].body_len, body);
	CT_EQ_INT(R.ev[1].kind, HTTP_BODY_END);
	CT_EQ_INT(R.ev[1].body_len, body);
	CT_TRUE(R.ev[1].flags & HTTP_F_BODY_SKIPPED);
	CT_EQ_INT(http_stream_state(&S), HTTP_S_START);
	/* the next message still parses: the stream stayed in sync */
	feed_str(&S, agent_202, 2, &R);
	CT_EQ_INT(R.n, 4);
	CT_EQ_INT(R.ev[2].status, 202);
	CT_EQ_INT(R.ev[2].flags & HTTP_F_RESYNCED, 0);
	CT_EQ_INT(http_stream_stats(&S)->desyncs, 0);
	CT_EQ_U64(http_stream_stats(&S)->bytes_lost, total - 4096);

	/* body over three writes, each truncated; then the next message in
	 * the tail of the last write, captured */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_BODY_END | HTTP_EMIT_DESYNC);
	size_t a = (size_t)hl + 3000, b = 4000;
	http_stream_feed(&S, (const uint8_t *)buf, (size_t)hl + 10, a, 1, rec_cb, &R);
	http_stream_feed(&S, (const uint8_t *)buf + a, 5, b, 2, rec_cb, &R);
	/* last: the rest of the body (3000 bytes) fully captured + next msg */
	size_t rest = total - a - b;
	CT_EQ_INT(rest, 3000);
	http_stream_feed(&S, (const uint8_t *)buf + a + b,
			 rest + strlen(agent_202), rest + strlen(agent_202), 3,
			 rec_cb, &R);
	CT_EQ_INT(R.n, 4);
	CT_EQ_INT(R.ev[1].body_len, body);
	CT_EQ_U64(R.ev[1].ts_head, 3);
	CT_EQ_INT(R.ev[2].status, 202);
	CT_EQ_INT(R.ev[2].flags, 0);
	CT_EQ_INT(count_kind(&R, HTTP_DESYNC), 0);
}

/* Missing bytes beyond the body: the next message's start is lost. */
CT_TEST(gap_past_body)
{
	static char buf[4096];
	int n = snprintf(buf, sizeof(buf), "%s%s", agent_202, agent_202);
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC);
	/* captured: first head only; transferred: all of it */
	size_t head = (size_t)(strstr(agent_202, "\r\n\r\n") - agent_202) + 4;
	http_stream_feed(&S, (const uint8_t *)buf, head, (size_t)n, 1, rec_cb, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[0].kind, HTTP_RESPONSE);
	CT_EQ_INT(R.ev[1].kind, HTTP_DESYNC);
	CT_EQ_INT(R.ev[1].err, HTTP_ERR_GAP);
	CT_EQ_INT(http_stream_state(&S), HTTP_S_RESYNC);
	/* the next write starts a message: found again, flagged */
	feed_str(&S, agent_next_resp, 2, &R);
	CT_EQ_INT(R.n, 3);
	CT_EQ_INT(R.ev[2].status, 200);
	CT_TRUE(R.ev[2].flags & HTTP_F_RESYNCED);
	CT_EQ_STR(http_msg_header(&R.ev[2], HTTP_H_REQUEST_ID), REQ_ID);
	CT_EQ_INT(http_stream_stats(&S)->resyncs, 1);
	/* a gap between messages, exactly at a boundary */
	http_stream_feed(&S, NULL, 0, 100, 3, rec_cb, &R);
	CT_EQ_INT(R.n, 4);
	CT_EQ_INT(R.ev[3].err, HTTP_ERR_GAP);
}

/* Missing bytes inside a header block: partial head, lost sync, resync. */
CT_TEST(truncated_head)
{
	size_t n = strlen(agent_next_resp);
	const char *cut = strstr(agent_next_resp, "Lambda-Runtime-Invoked");
	size_t cap = (size_t)(cut - agent_next_resp) + 20; /* mid-line */

	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC | HTTP_EMIT_BODY_END);
	http_stream_feed(&S, (const uint8_t *)agent_next_resp, cap, n, 5, rec_cb,
			 &R);
	CT_EQ_INT(R.n, 2);
	const struct http_msg *m = &R.ev[0];
	CT_EQ_INT(m->kind, HTTP_RESPONSE);
	CT_TRUE(m->flags & HTTP_F_INCOMPLETE);
	CT_EQ_INT(m->status, 200);
	CT_EQ_STR(http_msg_header(m, HTTP_H_REQUEST_ID), REQ_ID);
	CT_EQ_STR(http_msg_header(m, HTTP_H_DEADLINE_MS), "1700000000000");
	/* the cut line is not kept: no invented data */
	CT_TRUE(http_msg_header(m, HTTP_H_FUNCTION_ARN) == NULL);
	CT_TRUE(http_msg_header(m, HTTP_H_CONTENT_LENGTH) == NULL);
	CT_EQ_INT(m->body, HTTP_BODY_UNKNOWN);
	CT_EQ_INT(m->body_len, -1);
	CT_EQ_INT(R.ev[1].kind, HTTP_DESYNC);
	CT_EQ_INT(R.ev[1].err, HTTP_ERR_GAP_IN_HEAD);
	/* the runtime's next request is found again */
	feed_str(&S, agent_202, 6, &R);
	CT_EQ_INT(count_kind(&R, HTTP_RESPONSE), 2);
	m = nth_kind(&R, HTTP_RESPONSE, 1);
	CT_TRUE(m && m->status == 202 && (m->flags & HTTP_F_RESYNCED));

	/* cut inside the start line: nothing delivered, only the desync */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC);
	http_stream_feed(&S, (const uint8_t *)go_next, 10, strlen(go_next), 1,
			 rec_cb, &R);
	CT_EQ_INT(R.n, 1);
	CT_EQ_INT(R.ev[0].kind, HTTP_DESYNC);
	CT_EQ_INT(R.ev[0].err, HTTP_ERR_GAP_IN_HEAD);
	/* a chunk that does not start a message (the lost head's tail):
	 * skipped up to the next line that does */
	static char buf[1024];
	snprintf(buf, sizeof(buf), "ue\r\nX: y\r\n\r\n%s", node_next);
	feed_str(&S, buf, 2, &R);
	CT_EQ_INT(count_kind(&R, HTTP_REQUEST), 1);
	CT_EQ_STR(R.ev[1].path, "/2018-06-01/runtime/invocation/next");
	CT_EQ_U64(R.ev[1].ts_first, 2);

	/* a gap exactly at the end of the head keeps sync (counted as body) */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC);
	size_t head = (size_t)(strstr(node_post_resp, "\r\n\r\n") - node_post_resp) + 4;
	http_stream_feed(&S, (const uint8_t *)node_post_resp, head,
			 strlen(node_post_resp), 1, rec_cb, &R);
	feed_str(&S, node_next, 2, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[1].flags, 0);
}

CT_TEST(chunked_body)
{
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_BODY_END | HTTP_EMIT_DESYNC);
	feed_str(&S, chunked_resp, 1, &R);
	feed_str(&S, agent_202, 2, &R);
	CT_EQ_INT(R.n, 4);
	CT_EQ_INT(R.ev[0].body, HTTP_BODY_CHUNKED);
	CT_EQ_INT(R.ev[0].body_len, -1);
	CT_EQ_STR(http_msg_header(&R.ev[0], HTTP_H_TRANSFER_ENCODING), "chunked");
	CT_EQ_INT(R.ev[1].kind, HTTP_BODY_END);
	CT_EQ_INT(R.ev[1].body_len, 5 + 26 + 10);
	CT_TRUE(!rec_contains(&R, "yes"));   /* trailers are not kept */
	CT_TRUE(!rec_contains(&R, "abcdef")); /* nor chunk data */
	CT_EQ_INT(R.ev[2].status, 202);

	/* chunked request (Node streaming a response), bare-LF framing */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_BODY_END | HTTP_EMIT_DESYNC);
	feed_str(&S,
		 "POST /2018-06-01/runtime/invocation/id1/response HTTP/1.1\n"
		 "Lambda-Runtime-Function-Response-Mode: streaming\n"
		 "Transfer-Encoding: gzip, chunked\n\n"
		 "3\nabc\n0\n\n",
		 1, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[0].body, HTTP_BODY_CHUNKED);
	CT_EQ_STR(http_msg_header(&R.ev[0], HTTP_H_RESPONSE_MODE), "streaming");
	CT_EQ_INT(R.ev[1].body_len, 3);

	/* TE and CL: TE wins */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_BODY_END);
	feed_str(&S,
		 "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
		 "Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
		 1, &R);
	feed_str(&S, agent_202, 2, &R);
	CT_EQ_INT(R.n, 4);
	CT_TRUE(R.ev[0].flags & HTTP_F_TE_AND_CL);
	CT_EQ_INT(R.ev[1].body_len, 2);

	/* response with a non-chunked final coding: body until close */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_BODY_END);
	feed_str(&S, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz", 1, &R);
	CT_EQ_INT(R.ev[0].body, HTTP_BODY_UNTIL_CLOSE);
	/* ... and a request with one is unframeable */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC);
	feed_str(&S, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 1, &R);
	CT_EQ_INT(R.n, 1);
	CT_EQ_INT(R.ev[0].err, HTTP_ERR_BAD_HEADER);
}

CT_TEST(chunked_truncated)
{
	static char buf[8192];
	/* one big chunk; the capture ends inside its data: still in sync */
	int hl = snprintf(buf, sizeof(buf),
			  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			  "1388\r\n"); /* 5000 */
	memset(buf + hl, 'z', 5000);
	int n = hl + 5000;
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "\r\n0\r\n\r\n");
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_BODY_END | HTTP_EMIT_DESYNC);
	http_stream_feed(&S, (const uint8_t *)buf, 100, (size_t)hl + 5000, 1,
			 rec_cb, &R);
	feed(&S, buf + hl + 5000, (size_t)n - (size_t)hl - 5000, 2, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[1].kind, HTTP_BODY_END);
	CT_EQ_INT(R.ev[1].body_len, 5000);
	CT_TRUE(R.ev[1].flags & HTTP_F_BODY_SKIPPED);

	/* the capture hides chunk framing: lost sync, said so, resync */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_BODY_END | HTTP_EMIT_DESYNC);
	http_stream_feed(&S, (const uint8_t *)buf, 100, (size_t)n, 1, rec_cb, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[1].kind, HTTP_DESYNC);
	CT_EQ_INT(R.ev[1].err, HTTP_ERR_GAP_IN_CHUNKED);
	feed_str(&S, agent_202, 3, &R);
	CT_EQ_INT(count_kind(&R, HTTP_RESPONSE), 2);
	CT_TRUE(R.ev[2].flags & HTTP_F_RESYNCED);

	/* bad chunk sizes */
	const char *bad[] = {"zz\r\n", "\r\n", ";x\r\n",
			     "1234567890123456\r\n", "3\r\nabcX"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&R, 0, sizeof(R));
		http_stream_init(&S, HTTP_EMIT_DESYNC);
		feed_str(&S, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
			 1, &R);
		feed_str(&S, bad[i], 1, &R);
		if (R.n != 2 || R.ev[1].err != HTTP_ERR_BAD_CHUNK)
			CT__FAIL("bad chunk %zu: %d events", i, R.n);
	}
}

CT_TEST(not_http)
{
	static const struct {
		const char *data;
		size_t n;
	} t[] = {
		{"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11}, /* TLS */
		{"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24},          /* h2c */
		{"\x00\x00\x00\x00", 4},
		{"hello world\n", 12},
		{"GETX / HTTP/1.1\r\n\r\n", 19},
		{"get / HTTP/1.1\r\n\r\n", 18},
		{"GET / HTTP/2\r\n\r\n", 16},
		{"GET /\r\n\r\n", 9}, /* HTTP/0.9 */
		{"HTTP/1.1 abc\r\n\r\n", 16},
		{"{\"level\":\"info\"}\n", 17},
	};
	static uint8_t junk[1 << 16];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 7919u >> 3);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&R, 0, sizeof(R));
		http_stream_init(&S, HTTP_EMIT_DESYNC | HTTP_EMIT_BODY_END);
		feed(&S, t[i].data, t[i].n, 1, &R);
		if (http_stream_is_http(&S) || R.n != 0)
			CT__FAIL("case %zu: state %d, %d events", i,
				 http_stream_state(&S), R.n);
		/* the rest is ignored, even if it looks like HTTP */
		feed_str(&S, go_next, 2, &R);
		http_stream_feed(&S, junk, sizeof(junk), sizeof(junk), 3, rec_cb, &R);
		CT_EQ_INT(R.n, 0);
	}
	/* decided within a few bytes, even when they come one at a time */
	http_stream_init(&S, 0);
	feed(&S, "\x16", 1, 1, &R);
	CT_TRUE(!http_stream_is_http(&S));
	http_stream_init(&S, 0);
	feed(&S, "P", 1, 1, &R);
	feed(&S, "O", 1, 1, &R);
	CT_TRUE(http_stream_is_http(&S));
	feed(&S, "T", 1, 1, &R);
	CT_TRUE(!http_stream_is_http(&S));
	/* reset makes it HTTP again */
	http_stream_reset(&S);
	memset(&R, 0, sizeof(R));
	feed_str(&S, go_next, 1, &R);
	CT_EQ_INT(R.n, 1);
	/* garbage after valid HTTP: a desync, not not-HTTP; resync later */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC);
	feed_str(&S, go_next, 1, &R);
	http_stream_feed(&S, junk, 5000, 5000, 2, rec_cb, &R);
	CT_TRUE(http_stream_is_http(&S));
	CT_EQ_INT(R.ev[1].kind, HTTP_DESYNC);
	CT_EQ_INT(R.ev[1].err, HTTP_ERR_BAD_START);
	feed_str(&S, go_next, 3, &R);
	CT_EQ_INT(count_kind(&R, HTTP_REQUEST), 2);
}

CT_TEST(oversized_head)
{
	static char buf[40000];
	int n = snprintf(buf, sizeof(buf),
			 "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"
			 "Host: h\r\n");
	for (int i = 0; i < 400; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "X-Filler-%03d: %040d\r\n", i, i);
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "Content-Length: 3\r\n\r\nabc");
	CT_TRUE(n > HTTP_HEAD_MAX);
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC);
	/* in 1000-byte writes */
	for (int off = 0; off < n; off += 1000)
		feed(&S, buf + off, (size_t)(n - off < 1000 ? n - off : 1000), 1, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[0].kind, HTTP_REQUEST);
	CT_TRUE(R.ev[0].flags & HTTP_F_INCOMPLETE);
	CT_EQ_INT(R.ev[0].api, LAMBDA_API_NEXT);
	CT_EQ_STR(http_msg_header(&R.ev[0], HTTP_H_HOST), "h");
	CT_EQ_INT(R.ev[1].kind, HTTP_DESYNC);
	CT_EQ_INT(R.ev[1].err, HTTP_ERR_HEAD_TOO_LARGE);
	feed_str(&S, node_next, 2, &R);
	CT_EQ_INT(count_kind(&R, HTTP_REQUEST), 2);
	CT_TRUE(R.ev[2].flags & HTTP_F_RESYNCED);

	/* a head of exactly HTTP_HEAD_MAX bytes is fine */
	static char big[HTTP_HEAD_MAX + 1];
	const char *pre = "GET / HTTP/1.1\r\nX-Pad: ";
	size_t pl = strlen(pre);
	memcpy(big, pre, pl);
	memset(big + pl, 'p', HTTP_HEAD_MAX - pl - 4);
	memcpy(big + HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC);
	feed(&S, big, HTTP_HEAD_MAX, 1, &R);
	CT_EQ_INT(R.n, 1);
	CT_EQ_INT(R.ev[0].flags, 0);
	CT_EQ_INT(R.ev[0].head_len, HTTP_HEAD_MAX);
	/* one more byte is too many */
	big[HTTP_HEAD_MAX - 4] = 'p';
	memcpy(big + HTTP_HEAD_MAX - 3, "\r\n\r\n", 4);
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC);
	feed(&S, big, HTTP_HEAD_MAX + 1, 1, &R);
	CT_EQ_INT(count_kind(&R, HTTP_DESYNC), 1);
}

CT_TEST(secret_headers_dropped)
{
	const char *req =
		"POST /2018-06-01/runtime/invocation/" REQ_ID "/response HTTP/1.1\r\n"
		"Host: 127.0.0.1:9001\r\n"
		"Authorization: Bearer SECRET-AUTH-TOKEN\r\n"
		"Cookie: session=SECRET-COOKIE\r\n"
		"X-Amz-Security-Token: SECRET-AMZ-TOKEN\r\n"
		"x-amz-date: 20240101T000000Z-SECRETDATE\r\n"
		"X-Api-Key: SECRET-API-KEY\r\n"
		"Proxy-Authorization: Basic SECRET-PROXY\r\n"
		"Content-Length: 18\r\n"
		"\r\n"
		"SECRET-BODY-BYTES!";
	const char *resp =
		"HTTP/1.1 200 OK\r\n"
		"Set-Cookie: id=SECRET-SETCOOKIE; HttpOnly\r\n"
		"Lambda-Runtime-Client-Context: SECRET-CONTEXT\r\n"
		"Lambda-Runtime-Cognito-Identity: SECRET-COGNITO\r\n"
		"Content-Length: 0\r\n"
		"\r\n";
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_BODY_END);
	feed_str(&S, req, 1, &R);
	http_stream_init(&S, HTTP_EMIT_BODY_END);
	feed_str(&S, resp, 1, &R);
	CT_EQ_INT(R.n, 4);
	CT_TRUE(!rec_contains(&R, "SECRET"));
	CT_EQ_INT(R.ev[0].hdr_present,
		  (1u << HTTP_H_HOST) | (1u << HTTP_H_CONTENT_LENGTH));
	CT_EQ_INT(R.ev[2].hdr_present, 1u << HTTP_H_CONTENT_LENGTH);
	/* also when the head is cut and delivered partially */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC);
	http_stream_feed(&S, (const uint8_t *)req, 120, strlen(req), 1, rec_cb, &R);
	CT_EQ_INT(R.n, 2);
	CT_TRUE(!rec_contains(&R, "SECRET"));
	/* and not left in the stream's memory once the head is done with */
	CT_TRUE(!mem_has(&S, sizeof(S), "SECRET", 6));
	http_stream_init(&S, 0);
	feed_str(&S, req, 1, &R);
	CT_TRUE(!mem_has(&S, sizeof(S), "SECRET-AUTH", 11));
	CT_TRUE(!mem_has(&S, sizeof(S), "SECRET-AMZ", 10));
}

CT_TEST(no_body_responses)
{
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_BODY_END);
	feed_str(&S,
		 "HTTP/1.1 100 Continue\r\n\r\n"
		 "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
		 "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"
		 "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
		 1, &R);
	CT_EQ_INT(count_kind(&R, HTTP_RESPONSE), 4);
	const struct http_msg *m;
	m = nth_kind(&R, HTTP_RESPONSE, 0);
	CT_TRUE(m && m->status == 100 && m->body == HTTP_BODY_NONE);
	m = nth_kind(&R, HTTP_RESPONSE, 1);
	CT_TRUE(m && m->status == 204 && m->body_len == 0);
	m = nth_kind(&R, HTTP_RESPONSE, 2);
	CT_TRUE(m && m->status == 304 && m->body_len == 0);
	m = nth_kind(&R, HTTP_RESPONSE, 3);
	CT_TRUE(m && m->version_minor == 0 && m->body_len == 2);

	/* HEAD: told by the caller, in order; 1xx does not consume */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, 0);
	http_stream_expect_response(&S, HTTP_M_HEAD);
	http_stream_expect_response(&S, HTTP_M_GET);
	feed_str(&S,
		 "HTTP/1.1 100 Continue\r\n\r\n"
		 "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n"
		 "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
		 "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
		 1, &R);
	CT_EQ_INT(R.n, 4);
	CT_TRUE(R.ev[1].flags & HTTP_F_HEAD_RESPONSE);
	CT_EQ_INT(R.ev[1].body_len, 0);
	CT_EQ_STR(http_msg_header(&R.ev[1], HTTP_H_CONTENT_LENGTH), "50");
	CT_EQ_INT(R.ev[2].flags & HTTP_F_HEAD_RESPONSE, 0);
	CT_EQ_INT(R.ev[2].body_len, 3);

	/* 101: the stream is no longer HTTP */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, 0);
	feed_str(&S, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
		     "\x81\x05hello", 1, &R);
	CT_EQ_INT(R.n, 1);
	CT_TRUE(!http_stream_is_http(&S));
}

CT_TEST(body_until_close)
{
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_BODY_END);
	feed_str(&S, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nsome ", 1, &R);
	feed_str(&S, "HTTP/1.1 200 OK\r\n\r\n", 2, &R); /* body, not a message */
	http_stream_feed(&S, (const uint8_t *)"x", 1, 100, 3, rec_cb, &R);
	CT_EQ_INT(R.n, 1);
	CT_EQ_INT(R.ev[0].body, HTTP_BODY_UNTIL_CLOSE);
	CT_EQ_INT(R.ev[0].body_len, -1);
	http_stream_finish(&S, 4, rec_cb, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[1].kind, HTTP_BODY_END);
	CT_EQ_INT(R.ev[1].body_len, 5 + 19 + 100);
	CT_TRUE(R.ev[1].flags & HTTP_F_BODY_SKIPPED);
	CT_EQ_U64(R.ev[1].ts_head, 4);
	CT_EQ_INT(http_stream_state(&S), HTTP_S_START);

	/* finish inside a head */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC);
	feed_str(&S, "GET /x HTTP/1.1\r\nHost: a\r\n", 1, &R);
	http_stream_finish(&S, 2, rec_cb, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[0].kind, HTTP_REQUEST);
	CT_EQ_INT(R.ev[0].flags & (HTTP_F_INCOMPLETE | HTTP_F_EOF), HTTP_F_INCOMPLETE | HTTP_F_EOF);
	CT_EQ_STR(R.ev[0].path, "/x");
	CT_EQ_STR(http_msg_header(&R.ev[0], HTTP_H_HOST), "a");
	CT_EQ_INT(R.ev[0].body, HTTP_BODY_UNKNOWN);
	CT_EQ_U64(R.ev[0].ts_head, 2);
	CT_EQ_INT(R.ev[1].kind, HTTP_DESYNC);
	CT_EQ_INT(R.ev[1].err, HTTP_ERR_EOF_IN_HEAD);
	CT_EQ_INT(http_stream_state(&S), HTTP_S_START);

	/* finish inside a start line: nothing to deliver, the cut is reported */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC);
	feed_str(&S, "GET / HTTP/1.1\r\n\r\nGET /z HT", 1, &R);
	http_stream_finish(&S, 2, rec_cb, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[0].flags & HTTP_F_EOF, 0);
	CT_EQ_INT(R.ev[1].kind, HTTP_DESYNC);
	CT_EQ_INT(R.ev[1].err, HTTP_ERR_EOF_IN_HEAD);

	/* a cut by missing bytes is not one by the end of the stream */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC);
	http_stream_feed(&S, (const uint8_t *)"GET /y HTTP/1.1\r\n", 17, 40, 1, rec_cb, &R);
	CT_EQ_INT(R.n, 2);
	CT_TRUE(R.ev[0].flags & HTTP_F_INCOMPLETE);
	CT_EQ_INT(R.ev[0].flags & HTTP_F_EOF, 0);
	CT_EQ_INT(R.ev[1].err, HTTP_ERR_GAP_IN_HEAD);

	/* between messages, and at the end of a length-delimited body: nothing */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC);
	feed_str(&S, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab", 1, &R);
	http_stream_finish(&S, 2, rec_cb, &R);
	feed_str(&S, "GET / HTTP/1.1\r\n\r\n", 3, &R);
	http_stream_finish(&S, 4, rec_cb, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[1].kind, HTTP_REQUEST);
	CT_EQ_INT(R.ev[1].flags, 0);
}

CT_TEST(line_ends_and_bad_headers)
{
	/* bare LF */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, 0);
	feed_str(&S, "GET /2020-01-01/extension/event/next HTTP/1.1\nHost: x\n"
		     "Lambda-Extension-Identifier: ext-1\n\n", 1, &R);
	CT_EQ_INT(R.n, 1);
	CT_EQ_INT(R.ev[0].api, LAMBDA_API_EXT_NEXT);
	CT_EQ_STR(http_msg_header(&R.ev[0], HTTP_H_EXT_ID), "ext-1");
	/* leading empty lines between messages */
	feed_str(&S, "\r\n\r\nPOST /2020-01-01/extension/register HTTP/1.1\r\n"
		     "Lambda-Extension-Name: my-ext\r\n\r\n", 2, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_STR(http_msg_header(&R.ev[1], HTTP_H_EXT_NAME), "my-ext");
	/* value whitespace trimmed, names any case */
	feed_str(&S, "GET / HTTP/1.1\r\nhOsT:\t  spaced  \t\r\nuser-agent:x\r\n\r\n",
		 3, &R);
	CT_EQ_STR(http_msg_header(&R.ev[2], HTTP_H_HOST), "spaced");
	CT_EQ_STR(http_msg_header(&R.ev[2], HTTP_H_USER_AGENT), "x");
	/* empty value is present and empty */
	feed_str(&S, "GET / HTTP/1.1\r\nHost:\r\n\r\n", 4, &R);
	CT_EQ_STR(http_msg_header(&R.ev[3], HTTP_H_HOST), "");

	static const char *bad[] = {
		"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",  /* obs-fold */
		"GET / HTTP/1.1\r\nHost : a\r\n\r\n",            /* space before : */
		"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
		"GET / HTTP/1.1\r\n: novalue\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\x01b\r\n\r\n",        /* CTL */
		"POST / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length:\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&R, 0, sizeof(R));
		http_stream_init(&S, HTTP_EMIT_DESYNC);
		feed_str(&S, bad[i], 1, &R);
		if (R.n != 1 || R.ev[0].kind != HTTP_DESYNC ||
		    R.ev[0].err != HTTP_ERR_BAD_HEADER)
			CT__FAIL("bad[%zu]: %d events, kind %d err %d", i, R.n,
				 R.ev[0].kind, R.ev[0].err);
		/* and the stream recovers */
		feed_str(&S, go_next, 2, &R);
		if (count_kind(&R, HTTP_REQUEST) != 1)
			CT__FAIL("bad[%zu]: no recovery", i);
	}
	/* repeated identical Content-Length is accepted, flagged */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, 0);
	feed_str(&S, "POST / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 1\r\n"
		     "Host: a\r\nHost: b\r\n\r\nZ", 1, &R);
	CT_EQ_INT(R.n, 1);
	CT_TRUE(R.ev[0].flags & HTTP_F_DUP_HEADER);
	CT_EQ_STR(http_msg_header(&R.ev[0], HTTP_H_HOST), "a");
	CT_EQ_INT(http_stream_state(&S), HTTP_S_START);
}

CT_TEST(bounded_fields)
{
	static char buf[4096], path[600];
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	static char val[400];
	memset(val, 'v', sizeof(val) - 1);
	val[sizeof(val) - 1] = '\0';
	static char reason[200];
	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';

	snprintf(buf, sizeof(buf), "GET %s HTTP/1.1\r\nUser-Agent: %s\r\n\r\n", path,
		 val);
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, 0);
	feed_str(&S, buf, 1, &R);
	CT_EQ_INT(R.n, 1);
	CT_TRUE(R.ev[0].flags & HTTP_F_PATH_TRUNC);
	CT_TRUE(R.ev[0].flags & HTTP_F_HDR_TRUNC);
	CT_EQ_INT(strlen(R.ev[0].path), HTTP_PATH_MAX - 1);
	CT_EQ_INT(strlen(R.ev[0].hdr[HTTP_H_USER_AGENT]), HTTP_VALUE_MAX - 1);
	CT_EQ_INT(R.ev[0].hdr_trunc, 1u << HTTP_H_USER_AGENT);
	CT_EQ_INT(R.ev[0].api, LAMBDA_API_OTHER);

	/* a long id: classified on the whole target even if path is cut */
	static char lid[300];
	memset(lid, 'i', sizeof(lid) - 1);
	lid[sizeof(lid) - 1] = '\0';
	snprintf(buf, sizeof(buf),
		 "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\n\r\n", lid);
	feed_str(&S, buf, 1, &R);
	CT_EQ_INT(R.ev[1].api, LAMBDA_API_RESPONSE);
	CT_EQ_INT(strlen(R.ev[1].api_id), HTTP_ID_MAX - 1);

	snprintf(buf, sizeof(buf), "HTTP/1.1 500 %s\r\nContent-Length: 0\r\n\r\n", reason);
	http_stream_init(&S, 0);
	feed_str(&S, buf, 1, &R);
	CT_EQ_INT(R.ev[2].status, 500);
	CT_TRUE(R.ev[2].flags & HTTP_F_REASON_TRUNC);
	CT_EQ_INT(strlen(R.ev[2].reason), HTTP_REASON_MAX - 1);
	/* no reason at all */
	feed_str(&S, "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", 1, &R);
	CT_EQ_INT(R.ev[3].status, 404);
	CT_EQ_STR(R.ev[3].reason, "");
}

CT_TEST(invoke_and_extensions)
{
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, 0);
	feed_str(&S,
		 "POST /2015-03-31/functions/function/invocations HTTP/1.1\r\n"
		 "Host: localhost:8080\r\nUser-Agent: curl/7.88.1\r\n"
		 "Accept: */*\r\nContent-Type: application/x-www-form-urlencoded\r\n"
		 "Content-Length: 2\r\n\r\n{}"
		 "PUT /2022-07-01/telemetry HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
		 "PUT /2020-08-15/logs HTTP/1.1\r\n\r\n"
		 "POST /2018-06-01/runtime/init/error HTTP/1.1\r\n"
		 "Lambda-Runtime-Function-Error-Type: Runtime.ImportModuleError\r\n"
		 "Content-Length: 0\r\n\r\n"
		 "DELETE /a HTTP/1.1\r\n\r\nPATCH /b HTTP/1.1\r\n\r\n"
		 "OPTIONS * HTTP/1.1\r\n\r\nHEAD /c HTTP/1.1\r\n\r\n",
		 1, &R);
	CT_EQ_INT(R.n, 8);
	CT_EQ_INT(R.ev[0].api, LAMBDA_API_INVOKE);
	CT_EQ_INT(R.ev[1].api, LAMBDA_API_TELEMETRY);
	CT_EQ_INT(R.ev[1].method, HTTP_M_PUT);
	CT_EQ_INT(R.ev[2].api, LAMBDA_API_LOGS);
	CT_EQ_INT(R.ev[3].api, LAMBDA_API_INIT_ERROR);
	CT_EQ_INT(R.ev[4].method, HTTP_M_DELETE);
	CT_EQ_INT(R.ev[5].method, HTTP_M_PATCH);
	CT_EQ_INT(R.ev[6].method, HTTP_M_OPTIONS);
	CT_EQ_STR(R.ev[6].path, "*");
	CT_EQ_INT(R.ev[7].method, HTTP_M_HEAD);
}

/* Random splits and truncations of a long exchange never crash and, when
 * nothing is lost, always give the same events. */
CT_TEST(random_splits)
{
	static char all[16384];
	int n = snprintf(all, sizeof(all), "%s%s%s%s%s%s", agent_next_resp,
			 agent_202, chunked_resp, agent_next_resp, agent_202,
			 chunked_resp);
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_BODY_END);
	feed(&S, all, (size_t)n, 1, &R);
	unsigned seed = 12345;
	for (int iter = 0; iter < 2000; iter++) {
		memset(&R2, 0, sizeof(R2));
		http_stream_init(&S, HTTP_EMIT_BODY_END);
		int off = 0;
		while (off < n) {
			seed = seed * 1103515245u + 12345u;
			int k = 1 + (int)((seed >> 16) % 97);
			if (k > n - off)
				k = n - off;
			feed(&S, all + off, (size_t)k, 1, &R2);
			off += k;
		}
		if (!same_events(&R, &R2)) {
			CT__FAIL("iteration %d", iter);
			return;
		}
	}
	/* with truncation: no crash, and heads delivered are never invented */
	for (int iter = 0; iter < 2000; iter++) {
		memset(&R2, 0, sizeof(R2));
		http_stream_init(&S, HTTP_EMIT_BODY_END | HTTP_EMIT_DESYNC);
		int off = 0;
		while (off < n) {
			seed = seed * 1103515245u + 12345u;
			int k = 1 + (int)((seed >> 16) % 200);
			if (k > n - off)
				k = n - off;
			int cap = (seed >> 8) % 3 ? k : (int)((seed >> 4) % (unsigned)k);
			http_stream_feed(&S, (const uint8_t *)all + off, (size_t)cap,
					 (size_t)k, 1, rec_cb, &R2);
			off += k;
		}
		for (int i = 0; i < R2.n && i < MAX_EV; i++) {
			const struct http_msg *m = &R2.ev[i];
			if (m->kind == HTTP_RESPONSE && m->status != 200 &&
			    m->status != 202)
				CT__FAIL("iteration %d: invented status %d", iter,
					 m->status);
			const char *rid = http_msg_header(m, HTTP_H_REQUEST_ID);
			if (rid && strcmp(rid, REQ_ID) != 0)
				CT__FAIL("iteration %d: invented id %s", iter, rid);
		}
	}
}

CT_TEST(names_and_limits)
{
	for (int m = HTTP_M_GET; m <= HTTP_M_OPTIONS; m++)
		CT_TRUE(strcmp(http_method_name(m), "?") != 0);
	CT_EQ_STR(http_method_name(99), "?");
	for (int h = 0; h < HTTP_H_COUNT; h++)
		CT_TRUE(strcmp(http_header_name(h), "?") != 0);
	CT_EQ_STR(http_header_name(HTTP_H_COUNT), "?");
	for (int e = HTTP_ERR_GAP; e <= HTTP_ERR_EOF_IN_HEAD; e++)
		CT_TRUE(strcmp(http_err_name(e), "?") != 0);
	CT_EQ_STR(http_err_name(99), "?");
	for (int a = LAMBDA_API_OTHER; a <= LAMBDA_API_INVOKE; a++)
		CT_TRUE(strcmp(lambda_api_name(a), "?") != 0);
	CT_EQ_STR(lambda_api_name(99), "?");

	/* a chunk-size line with an endless extension, endless trailers */
	static char big[HTTP_HEAD_MAX + 100];
	const char *head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	memset(big, 'e', sizeof(big));
	memcpy(big, "5;", 2);
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC);
	feed_str(&S, head, 1, &R);
	feed(&S, big, 5000, 1, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[1].err, HTTP_ERR_BAD_CHUNK);
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, HTTP_EMIT_DESYNC);
	feed_str(&S, head, 1, &R);
	feed_str(&S, "0\r\n", 1, &R);
	memset(big, 't', sizeof(big));
	feed(&S, big, sizeof(big), 1, &R);
	CT_EQ_INT(R.n, 2);
	CT_EQ_INT(R.ev[1].err, HTTP_ERR_HEAD_TOO_LARGE);
	/* len < cap_len is taken as cap_len */
	memset(&R, 0, sizeof(R));
	http_stream_init(&S, 0);
	http_stream_feed(&S, (const uint8_t *)go_next, strlen(go_next), 0, 1,
			 rec_cb, &R);
	CT_EQ_INT(R.n, 1);
	CT_EQ_U64(http_stream_stats(&S)->bytes_lost, 0);
	/* the HEAD queue holds 64; more are taken as not-HEAD */
	http_stream_init(&S, 0);
	for (int i = 0; i < 70; i++)
		http_stream_expect_response(&S, HTTP_M_HEAD);
	memset(&R, 0, sizeof(R));
	for (int i = 0; i < 64; i++)
		feed_str(&S, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n", 1, &R);
	CT_EQ_INT(R.n, 64);
	CT_TRUE(R.ev[63].flags & HTTP_F_HEAD_RESPONSE);
	memset(&R, 0, sizeof(R));
	feed_str(&S, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n", 1, &R);
	CT_EQ_INT(R.n, 1);
	CT_EQ_INT(R.ev[0].body_len, 1);
	CT_EQ_INT(R.ev[0].flags & HTTP_F_HEAD_RESPONSE, 0);
}

int main(void)
{
	CT_RUN(api_paths);
	CT_RUN(go_next_request);
	CT_RUN(agent_response_all_headers);
	CT_RUN(post_response_and_error);
	CT_RUN(split_every_position);
	CT_RUN(split_timestamps);
	CT_RUN(one_byte_chunks);
	CT_RUN(pipelined_in_one_chunk);
	CT_RUN(truncated_body);
	CT_RUN(gap_past_body);
	CT_RUN(truncated_head);
	CT_RUN(chunked_body);
	CT_RUN(chunked_truncated);
	CT_RUN(not_http);
	CT_RUN(oversized_head);
	CT_RUN(secret_headers_dropped);
	CT_RUN(no_body_responses);
	CT_RUN(body_until_close);
	CT_RUN(line_ends_and_bad_headers);
	CT_RUN(bounded_fields);
	CT_RUN(invoke_and_extensions);
	CT_RUN(random_splits);
	CT_RUN(names_and_limits);
	return ct_summary();
}
