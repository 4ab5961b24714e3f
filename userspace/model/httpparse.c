/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * httpparse: HTTP/1.x stream parser for captured socket traffic. See
 * httpparse.h for the contract. The parser is a byte-driven state machine;
 * every state handler consumes at least one byte or changes state to one
 * that will, so a feed always terminates. Header lines are parsed as soon as
 * they are complete, straight into the stream's struct http_msg, so a head
 * cut by missing bytes still yields the lines that were seen in full.
 */
#include "httpparse.h"

#include <string.h>

/* ---- names ---- */

static const char *const method_names[] = {
	[HTTP_M_NONE] = "?",	   [HTTP_M_GET] = "GET",
	[HTTP_M_POST] = "POST",	   [HTTP_M_PUT] = "PUT",
	[HTTP_M_DELETE] = "DELETE", [HTTP_M_HEAD] = "HEAD",
	[HTTP_M_PATCH] = "PATCH",  [HTTP_M_OPTIONS] = "OPTIONS",
};

static const char *const header_names[HTTP_H_COUNT] = {
	[HTTP_H_REQUEST_ID] = "Lambda-Runtime-Aws-Request-Id",
	[HTTP_H_DEADLINE_MS] = "Lambda-Runtime-Deadline-Ms",
	[HTTP_H_FUNCTION_ARN] = "Lambda-Runtime-Invoked-Function-Arn",
	[HTTP_H_TRACE_ID] = "Lambda-Runtime-Trace-Id",
	[HTTP_H_ERROR_TYPE] = "Lambda-Runtime-Function-Error-Type",
	[HTTP_H_RESPONSE_MODE] = "Lambda-Runtime-Function-Response-Mode",
	[HTTP_H_EXT_NAME] = "Lambda-Extension-Name",
	[HTTP_H_EXT_ID] = "Lambda-Extension-Identifier",
	[HTTP_H_EXT_ERROR_TYPE] = "Lambda-Extension-Function-Error-Type",
	[HTTP_H_CONTENT_LENGTH] = "Content-Length",
	[HTTP_H_CONTENT_TYPE] = "Content-Type",
	[HTTP_H_TRANSFER_ENCODING] = "Transfer-Encoding",
	[HTTP_H_HOST] = "Host",
	[HTTP_H_USER_AGENT] = "User-Agent",
};

static const char *const err_names[] = {
	[HTTP_ERR_NONE] = "none",
	[HTTP_ERR_GAP] = "bytes missing between messages",
	[HTTP_ERR_GAP_IN_HEAD] = "bytes missing in a header block",
	[HTTP_ERR_GAP_IN_CHUNKED] = "bytes missing in chunk framing",
	[HTTP_ERR_HEAD_TOO_LARGE] = "header block too large",
	[HTTP_ERR_BAD_START] = "bad start line",
	[HTTP_ERR_BAD_HEADER] = "bad header",
	[HTTP_ERR_BAD_CHUNK] = "bad chunk framing",
	[HTTP_ERR_EOF_IN_HEAD] = "connection closed in a header block",
};

const char *http_method_name(enum http_method m)
{
	if ((unsigned)m < sizeof(method_names) / sizeof(method_names[0]))
		return method_names[m];
	return "?";
}

const char *http_header_name(enum http_hdr h)
{
	if ((unsigned)h < HTTP_H_COUNT)
		return header_names[h];
	return "?";
}

const char *http_err_name(enum http_err e)
{
	if ((unsigned)e < sizeof(err_names) / sizeof(err_names[0]))
		return err_names[e];
	return "?";
}

const char *http_msg_header(const struct http_msg *m, enum http_hdr h)
{
	if ((unsigned)h >= HTTP_H_COUNT || !(m->hdr_present & (1u << h)))
		return NULL;
	return m->hdr[h];
}

/* ---- small character helpers (locale-free) ---- */

static inline unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static bool eq_nocase(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return false;
	return true;
}

static inline bool is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static inline bool is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static inline int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Copy src[0..n) into dst[sz] NUL-terminated; true if it was cut. */
static bool copy_bounded(char *dst, size_t sz, const char *src, size_t n)
{
	bool cut = n > sz - 1;
	if (cut)
		n = sz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return cut;
}

/* ---- message start detection ---- */

static const struct {
	const char *s;
	size_t n;
} start_tokens[] = {
	{"GET ", 4},   {"POST ", 5},  {"PUT ", 4},	   {"DELETE ", 7},
	{"HEAD ", 5},  {"PATCH ", 6}, {"OPTIONS ", 8}, {"HTTP/1.", 7},
};
#define START_TOKEN_MAX 8

#define CL_DIGITS_MAX 18       /* Content-Length digits: 10^18 - 1 < 2^63 */
#define CHUNK_DIGITS_MAX 15    /* chunk size hex digits: 16^15 - 1 < 2^63 */
#define CHUNK_LINE_MAX 4096    /* chunk size line, extensions included */
#define PEND_MAX 64            /* expect_response queue: bits of pend_head */

/* buf[0..n) can still begin a request or status line. */
static bool start_prefix_ok(const char *buf, size_t n)
{
	for (size_t i = 0; i < sizeof(start_tokens) / sizeof(start_tokens[0]);
	     i++) {
		size_t m = n < start_tokens[i].n ? n : start_tokens[i].n;
		if (memcmp(buf, start_tokens[i].s, m) == 0)
			return true;
	}
	return false;
}

/* ---- lifecycle ---- */

void http_stream_init(struct http_stream *s, unsigned emit)
{
	memset(s, 0, sizeof(*s));
	s->emit = emit;
	s->state = HTTP_S_START;
}

void http_stream_reset(struct http_stream *s)
{
	http_stream_init(s, s->emit);
}

enum http_state http_stream_state(const struct http_stream *s)
{
	return s->state;
}

bool http_stream_is_http(const struct http_stream *s)
{
	return s->state != HTTP_S_NOT_HTTP;
}

const struct http_stats *http_stream_stats(const struct http_stream *s)
{
	return &s->stats;
}

void http_stream_expect_response(struct http_stream *resp,
				 enum http_method req_method)
{
	if (resp->pend_n >= PEND_MAX)
		return;
	if (req_method == HTTP_M_HEAD)
		resp->pend_head |= 1ull << resp->pend_n;
	resp->pend_n++;
}

static bool pop_pending_head(struct http_stream *s)
{
	bool head;

	if (!s->pend_n)
		return false;
	head = s->pend_head & 1;
	s->pend_head >>= 1;
	s->pend_n--;
	return head;
}

/* ---- events ---- */

static void begin_message(struct http_stream *s, uint64_t ts, bool tentative)
{
	s->state = HTTP_S_HEAD;
	s->tentative = tentative;
	s->line1_done = false;
	s->head_len = 0;
	s->line_off = 0;
	s->te_seen = s->te_chunked = s->cl_seen = false;
	s->ts_first = ts;
	memset(&s->msg, 0, sizeof(s->msg));
}

/* The head buffer holds raw bytes, dropped headers included: wipe it as
 * soon as the head is done with, so secrets do not linger in memory. */
static void scrub_head(struct http_stream *s)
{
	memset(s->head, 0, s->head_len);
	s->head_len = 0;
	s->line_off = 0;
}

static void to_resync(struct http_stream *s, bool line_start)
{
	s->state = HTTP_S_RESYNC;
	s->line_start = line_start;
	s->tentative = false;
}

static void desync(struct http_stream *s, enum http_err err, uint64_t ts,
		   bool line_start, http_cb cb, void *ctx)
{
	s->stats.desyncs++;
	s->resynced = true;
	to_resync(s, line_start);
	if ((s->emit & HTTP_EMIT_DESYNC) && cb) {
		struct http_msg *m = &s->msg;
		m->kind = HTTP_DESYNC;
		m->err = err;
		m->ts_first = m->ts_head = ts;
		cb(ctx, m);
	}
}

/* Not a start line where one was due. */
static void bad_start(struct http_stream *s, uint64_t ts, bool line_start,
		      http_cb cb, void *ctx)
{
	if (s->tentative) {
		to_resync(s, line_start); /* already reported */
	} else if (!s->seen_http) {
		s->state = HTTP_S_NOT_HTTP;
	} else {
		desync(s, HTTP_ERR_BAD_START, ts, line_start, cb, ctx);
	}
}

static void bad_message(struct http_stream *s, enum http_err err, uint64_t ts,
			bool line_start, http_cb cb, void *ctx)
{
	if (s->tentative)
		to_resync(s, line_start);
	else
		desync(s, err, ts, line_start, cb, ctx);
}

static void deliver_head(struct http_stream *s, uint64_t ts, unsigned flags,
			 http_cb cb, void *ctx)
{
	struct http_msg *m = &s->msg;

	m->flags |= flags;
	if (s->resynced) {
		m->flags |= HTTP_F_RESYNCED;
		s->resynced = false;
		s->stats.resyncs++;
	}
	m->index = s->index++;
	m->ts_first = s->ts_first;
	m->ts_head = ts;
	m->head_len = s->head_len;
	s->tentative = false;
	s->stats.messages++;
	if (cb)
		cb(ctx, m);
}

static void message_end(struct http_stream *s, uint64_t ts, http_cb cb,
			void *ctx)
{
	s->state = HTTP_S_START;
	if ((s->emit & HTTP_EMIT_BODY_END) && cb) {
		struct http_msg *m = &s->msg;
		m->kind = HTTP_BODY_END;
		m->body_len = (int64_t)s->body_seen;
		m->ts_head = ts;
		if (s->body_gap)
			m->flags |= HTTP_F_BODY_SKIPPED;
		cb(ctx, m);
	}
	s->body_seen = 0;
	s->body_gap = false;
	s->remain = 0;
}

/* The head was cut (missing bytes, size limit, end of stream: flags says
 * which besides HTTP_F_INCOMPLETE): hand over what was seen. */
static void deliver_partial(struct http_stream *s, uint64_t ts, unsigned flags,
			    http_cb cb, void *ctx)
{
	if (!s->line1_done)
		return;
	s->msg.body = HTTP_BODY_UNKNOWN;
	s->msg.body_len = -1;
	deliver_head(s, ts, HTTP_F_INCOMPLETE | flags, cb, ctx);
}

/* ---- start line and header lines ---- */

static bool parse_version(const char *p, size_t n, struct http_msg *m)
{
	if (n != 8 || memcmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' || p[7] > '9')
		return false;
	m->version_major = 1;
	m->version_minor = (uint8_t)(p[7] - '0');
	return true;
}

static bool parse_request_line(const char *l, size_t n, struct http_msg *m)
{
	const char *sp1, *sp2, *t;
	size_t tn;

	sp1 = memchr(l, ' ', n);
	if (!sp1)
		return false;
	m->method = HTTP_M_NONE;
	for (int i = HTTP_M_GET; i <= HTTP_M_OPTIONS; i++) {
		size_t mn = strlen(method_names[i]);
		if ((size_t)(sp1 - l) == mn && memcmp(l, method_names[i], mn) == 0)
			m->method = (enum http_method)i;
	}
	if (m->method == HTTP_M_NONE)
		return false;
	t = sp1 + 1;
	sp2 = memchr(t, ' ', (size_t)(l + n - t));
	if (!sp2 || sp2 == t)
		return false;
	tn = (size_t)(sp2 - t);
	for (size_t i = 0; i < tn; i++)
		if (is_ctl((unsigned char)t[i]))
			return false;
	if (!parse_version(sp2 + 1, (size_t)(l + n - sp2 - 1), m))
		return false;
	m->kind = HTTP_REQUEST;
	if (copy_bounded(m->path, sizeof(m->path), t, tn))
		m->flags |= HTTP_F_PATH_TRUNC;
	/* classified on the whole target, not the kept copy */
	m->api = lambda_api_classify(t, tn, m->api_id, sizeof(m->api_id));
	return true;
}

static bool parse_status_line(const char *l, size_t n, struct http_msg *m)
{
	if (n < 12 || !parse_version(l, 8, m) || l[8] != ' ')
		return false;
	for (int i = 9; i < 12; i++)
		if (l[i] < '0' || l[i] > '9')
			return false;
	m->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	if (m->status < 100)
		return false;
	if (n > 12) {
		if (l[12] != ' ')
			return false;
		for (size_t i = 13; i < n; i++)
			if (is_ctl((unsigned char)l[i]) && l[i] != '\t')
				return false;
		if (copy_bounded(m->reason, sizeof(m->reason), l + 13, n - 13))
			m->flags |= HTTP_F_REASON_TRUNC;
	}
	m->kind = HTTP_RESPONSE;
	return true;
}

static bool parse_start_line(const char *l, size_t n, struct http_msg *m)
{
	if (n >= 5 && memcmp(l, "HTTP/", 5) == 0)
		return parse_status_line(l, n, m);
	return parse_request_line(l, n, m);
}

/* Is the final coding of a Transfer-Encoding value "chunked"? */
static bool te_final_chunked(const char *v, size_t n)
{
	size_t b = n;

	while (b > 0 && v[b - 1] != ',')
		b--;
	while (b < n && (v[b] == ' ' || v[b] == '\t'))
		b++;
	return eq_nocase(v + b, n - b, "chunked");
}

/* One complete header line (no CR/LF). false: malformed. */
static bool parse_header_line(struct http_stream *s, const char *l, size_t n)
{
	struct http_msg *m = &s->msg;
	size_t nl = 0, vb, ve;
	int id = -1;

	if (n && (l[0] == ' ' || l[0] == '\t'))
		return false; /* obs-fold: rejected */
	while (nl < n && is_tchar((unsigned char)l[nl]))
		nl++;
	if (nl == 0 || nl == n || l[nl] != ':')
		return false;
	vb = nl + 1;
	ve = n;
	while (vb < ve && (l[vb] == ' ' || l[vb] == '\t'))
		vb++;
	while (ve > vb && (l[ve - 1] == ' ' || l[ve - 1] == '\t'))
		ve--;
	for (size_t i = vb; i < ve; i++)
		if (is_ctl((unsigned char)l[i]) && l[i] != '\t')
			return false;
	for (int h = 0; h < HTTP_H_COUNT; h++) {
		if (eq_nocase(l, nl, header_names[h])) {
			id = h;
			break;
		}
	}
	if (id < 0)
		return true; /* not on the allowlist: dropped */

	if (id == HTTP_H_TRANSFER_ENCODING) {
		s->te_seen = true;
		/* a later line's last coding is the final one */
		s->te_chunked = te_final_chunked(l + vb, ve - vb);
	}
	if (m->hdr_present & (1u << id)) {
		m->flags |= HTTP_F_DUP_HEADER;
		if (id == HTTP_H_CONTENT_LENGTH &&
		    (strlen(m->hdr[id]) != ve - vb ||
		     memcmp(m->hdr[id], l + vb, ve - vb) != 0))
			return false; /* conflicting lengths */
		return true;
	}
	if (id == HTTP_H_CONTENT_LENGTH)
		s->cl_seen = true;
	m->hdr_present |= 1u << id;
	if (copy_bounded(m->hdr[id], HTTP_VALUE_MAX, l + vb, ve - vb)) {
		m->hdr_trunc |= 1u << id;
		m->flags |= HTTP_F_HDR_TRUNC;
	}
	return true;
}

/* Content-Length: 1*DIGIT, at most 18 digits. */
static bool parse_content_length(const struct http_msg *m, uint64_t *out)
{
	const char *v = m->hdr[HTTP_H_CONTENT_LENGTH];
	uint64_t x = 0;
	size_t i;

	if (m->hdr_trunc & (1u << HTTP_H_CONTENT_LENGTH))
		return false;
	for (i = 0; v[i]; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= CL_DIGITS_MAX)
			return false;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (i == 0)
		return false;
	*out = x;
	return true;
}

/* The empty line was read: decide the body, deliver, move on. */
static void finish_head(struct http_stream *s, uint64_t ts, http_cb cb,
			void *ctx)
{
	struct http_msg *m = &s->msg;
	uint64_t cl = 0;
	enum http_body body = HTTP_BODY_NONE;
	bool upgrade = false;

	if (s->cl_seen && !parse_content_length(m, &cl) && !s->te_seen) {
		bad_message(s, HTTP_ERR_BAD_HEADER, ts, true, cb, ctx);
		return;
	}
	if (s->te_seen && s->cl_seen)
		m->flags |= HTTP_F_TE_AND_CL;

	if (m->kind == HTTP_REQUEST) {
		if (s->te_seen) {
			if (!s->te_chunked) {
				/* unframeable request (RFC 9112 6.3) */
				bad_message(s, HTTP_ERR_BAD_HEADER, ts, true,
					    cb, ctx);
				return;
			}
			body = HTTP_BODY_CHUNKED;
		} else if (s->cl_seen && cl > 0) {
			body = HTTP_BODY_LENGTH;
		}
	} else if (m->status < 200) {
		upgrade = m->status == 101;
	} else if (pop_pending_head(s)) {
		m->flags |= HTTP_F_HEAD_RESPONSE;
	} else if (m->status == 204 || m->status == 304) {
		body = HTTP_BODY_NONE;
	} else if (s->te_seen) {
		body = s->te_chunked ? HTTP_BODY_CHUNKED : HTTP_BODY_UNTIL_CLOSE;
	} else if (s->cl_seen) {
		body = cl > 0 ? HTTP_BODY_LENGTH : HTTP_BODY_NONE;
	} else {
		body = HTTP_BODY_UNTIL_CLOSE;
	}

	m->body = body;
	m->body_len = body == HTTP_BODY_LENGTH ? (int64_t)cl
		      : body == HTTP_BODY_NONE ? 0
					       : -1;
	s->body_seen = 0;
	s->body_gap = false;
	deliver_head(s, ts, 0, cb, ctx);

	switch (body) {
	case HTTP_BODY_NONE:
		message_end(s, ts, cb, ctx);
		if (upgrade)
			s->state = HTTP_S_NOT_HTTP; /* another protocol now */
		break;
	case HTTP_BODY_LENGTH:
		s->state = HTTP_S_BODY_LENGTH;
		s->remain = cl;
		break;
	case HTTP_BODY_CHUNKED:
		s->state = HTTP_S_CHUNK_SIZE;
		s->remain = 0;
		s->chunk_digits = 0;
		s->chunk_ext = false;
		s->aux_len = 0;
		break;
	case HTTP_BODY_UNTIL_CLOSE:
	case HTTP_BODY_UNKNOWN: /* not reached */
		s->state = HTTP_S_BODY_EOF;
		break;
	}
}

/* A line of the head ended at head[head_len - 1] == '\n'. */
static void head_line(struct http_stream *s, uint64_t ts, http_cb cb,
		      void *ctx)
{
	const char *l = s->head + s->line_off;
	size_t n = s->head_len - 1 - s->line_off;

	if (n && l[n - 1] == '\r')
		n--;
	s->line_off = s->head_len;
	if (!s->line1_done) {
		if (!parse_start_line(l, n, &s->msg)) {
			bad_start(s, ts, true, cb, ctx);
			return;
		}
		s->line1_done = true;
		s->seen_http = true;
		return;
	}
	if (n == 0) {
		finish_head(s, ts, cb, ctx);
		return;
	}
	if (!parse_header_line(s, l, n))
		bad_message(s, HTTP_ERR_BAD_HEADER, ts, true, cb, ctx);
}

/* ---- state handlers: return bytes consumed ---- */

static size_t st_start(struct http_stream *s, const uint8_t *p, size_t n,
		       uint64_t ts, http_cb cb, void *ctx)
{
	size_t i = 0;

	/* empty lines between messages are tolerated */
	while (i < n && (p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i == n)
		return n;
	if (!start_prefix_ok((const char *)p + i, 1)) {
		bad_start(s, ts, false, cb, ctx);
		return i;
	}
	begin_message(s, ts, false);
	return i;
}

static size_t st_head(struct http_stream *s, const uint8_t *p, size_t n,
		      uint64_t ts, http_cb cb, void *ctx)
{
	const uint8_t *nl;
	size_t seg;

	if (!s->line1_done && s->head_len < START_TOKEN_MAX) {
		/* the first bytes, one at a time, so garbage is cut short */
		size_t i = 0;
		while (i < n && s->head_len < START_TOKEN_MAX) {
			s->head[s->head_len] = (char)p[i];
			if (!start_prefix_ok(s->head, s->head_len + 1)) {
				bad_start(s, ts, false, cb, ctx);
				return i; /* re-read this byte */
			}
			s->head_len++;
			i++;
		}
		return i;
	}

	nl = memchr(p, '\n', n);
	seg = nl ? (size_t)(nl - p) + 1 : n;
	if (seg > HTTP_HEAD_MAX - s->head_len) {
		if (s->tentative && !s->line1_done) {
			to_resync(s, false);
			return 0;
		}
		deliver_partial(s, ts, 0, cb, ctx);
		scrub_head(s);
		desync(s, HTTP_ERR_HEAD_TOO_LARGE, ts, false, cb, ctx);
		return 0;
	}
	memcpy(s->head + s->head_len, p, seg);
	s->head_len += (uint32_t)seg;
	if (nl) {
		head_line(s, ts, cb, ctx);
		if (s->state != HTTP_S_HEAD)
			scrub_head(s);
	}
	return seg;
}

static size_t st_resync(struct http_stream *s, const uint8_t *p, size_t n,
			uint64_t ts)
{
	size_t i = 0;
	const uint8_t *nl;

	while (i < n) {
		if (s->line_start) {
			if (p[i] == '\r' || p[i] == '\n') {
				i++;
				continue;
			}
			if (start_prefix_ok((const char *)p + i, 1)) {
				begin_message(s, ts, true);
				return i;
			}
			if (!s->seen_http) {
				s->state = HTTP_S_NOT_HTTP;
				return n;
			}
			s->line_start = false;
		}
		nl = memchr(p + i, '\n', n - i);
		if (!nl)
			return n;
		i = (size_t)(nl - p) + 1;
		s->line_start = true;
	}
	return i;
}

static size_t st_body_length(struct http_stream *s, size_t n, uint64_t ts,
			     http_cb cb, void *ctx)
{
	size_t k = s->remain < n ? (size_t)s->remain : n;

	s->remain -= k;
	s->body_seen += k;
	if (s->remain == 0)
		message_end(s, ts, cb, ctx);
	return k;
}

static void chunk_error(struct http_stream *s, uint64_t ts, http_cb cb,
			void *ctx)
{
	desync(s, HTTP_ERR_BAD_CHUNK, ts, false, cb, ctx);
}

static size_t st_chunk_size(struct http_stream *s, const uint8_t *p, size_t n,
			    uint64_t ts, http_cb cb, void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		int h;

		if (++s->aux_len > CHUNK_LINE_MAX) {
			chunk_error(s, ts, cb, ctx);
			return i;
		}
		if (c == '\n') {
			if (!s->chunk_digits) {
				chunk_error(s, ts, cb, ctx);
				return i;
			}
			s->aux_len = 0;
			if (s->remain == 0) {
				s->state = HTTP_S_TRAILER;
				s->line_empty = true;
			} else {
				s->state = HTTP_S_CHUNK_DATA;
			}
			return i + 1;
		}
		if (!s->chunk_ext && (h = hexval(c)) >= 0) {
			if (s->chunk_digits >= CHUNK_DIGITS_MAX) {
				chunk_error(s, ts, cb, ctx);
				return i;
			}
			s->remain = s->remain * 16 + (uint64_t)h;
			s->chunk_digits++;
		} else if (c == ';' || c == ' ' || c == '\t' || c == '\r') {
			if (!s->chunk_digits) {
				chunk_error(s, ts, cb, ctx);
				return i;
			}
			s->chunk_ext = true;
		} else if (!s->chunk_ext || is_ctl(c)) {
			chunk_error(s, ts, cb, ctx);
			return i;
		}
	}
	return n;
}

static size_t st_chunk_data(struct http_stream *s, size_t n)
{
	size_t k = s->remain < n ? (size_t)s->remain : n;

	s->remain -= k;
	s->body_seen += k;
	if (s->remain == 0) {
		s->state = HTTP_S_CHUNK_END;
		s->aux_len = 0;
	}
	return k;
}

static size_t st_chunk_end(struct http_stream *s, const uint8_t *p,
			   uint64_t ts, http_cb cb, void *ctx)
{
	if (p[0] == '\r' && s->aux_len == 0) {
		s->aux_len = 1;
		return 1;
	}
	if (p[0] == '\n') {
		s->state = HTTP_S_CHUNK_SIZE;
		s->remain = 0;
		s->chunk_digits = 0;
		s->chunk_ext = false;
		s->aux_len = 0;
		return 1;
	}
	chunk_error(s, ts, cb, ctx);
	return 0;
}

static size_t st_trailer(struct http_stream *s, const uint8_t *p, size_t n,
			 uint64_t ts, http_cb cb, void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (++s->aux_len > HTTP_HEAD_MAX) {
			desync(s, HTTP_ERR_HEAD_TOO_LARGE, ts, false, cb, ctx);
			return i;
		}
		if (c == '\n') {
			if (s->line_empty) {
				message_end(s, ts, cb, ctx);
				return i + 1;
			}
			s->line_empty = true;
		} else if (c != '\r') {
			s->line_empty = false;
		}
	}
	return n;
}

/* ---- bytes that were transferred but not captured ---- */

static void apply_gap(struct http_stream *s, uint64_t gap, uint64_t ts,
		      http_cb cb, void *ctx)
{
	while (gap) {
		uint64_t k;

		switch (s->state) {
		case HTTP_S_NOT_HTTP:
			return;
		case HTTP_S_RESYNC:
			s->line_start = false; /* feed sets it on the next chunk */
			return;
		case HTTP_S_START:
			desync(s, HTTP_ERR_GAP, ts, false, cb, ctx);
			return;
		case HTTP_S_HEAD:
			if (s->tentative && !s->line1_done) {
				to_resync(s, false);
				return;
			}
			/* a cut start line that began like one: give the
			 * stream the benefit of the doubt */
			if (s->head_len >= 4)
				s->seen_http = true;
			deliver_partial(s, ts, 0, cb, ctx);
			scrub_head(s);
			desync(s, HTTP_ERR_GAP_IN_HEAD, ts, false, cb, ctx);
			return;
		case HTTP_S_BODY_LENGTH:
		case HTTP_S_CHUNK_DATA:
			k = gap < s->remain ? gap : s->remain;
			s->remain -= k;
			s->body_seen += k;
			s->body_gap = true;
			gap -= k;
			if (s->remain == 0) {
				if (s->state == HTTP_S_BODY_LENGTH) {
					message_end(s, ts, cb, ctx);
				} else {
					s->state = HTTP_S_CHUNK_END;
					s->aux_len = 0;
				}
			}
			break;
		case HTTP_S_BODY_EOF:
			s->body_seen += gap;
			s->body_gap = true;
			return;
		case HTTP_S_CHUNK_SIZE:
		case HTTP_S_CHUNK_END:
		case HTTP_S_TRAILER:
			desync(s, HTTP_ERR_GAP_IN_CHUNKED, ts, false, cb, ctx);
			return;
		}
	}
}

void http_stream_feed(struct http_stream *s, const uint8_t *data,
		      size_t cap_len, size_t len, uint64_t ts, http_cb cb,
		      void *ctx)
{
	size_t off = 0;

	if (len < cap_len)
		len = cap_len;
	s->stats.bytes += len;
	s->stats.bytes_lost += len - cap_len;
	if (s->state == HTTP_S_NOT_HTTP)
		return;
	if (s->state == HTTP_S_RESYNC)
		s->line_start = true; /* a new syscall may start a message */

	while (off < cap_len && s->state != HTTP_S_NOT_HTTP) {
		const uint8_t *p = data + off;
		size_t n = cap_len - off;

		switch (s->state) {
		case HTTP_S_START:
			off += st_start(s, p, n, ts, cb, ctx);
			break;
		case HTTP_S_HEAD:
			off += st_head(s, p, n, ts, cb, ctx);
			break;
		case HTTP_S_RESYNC:
			off += st_resync(s, p, n, ts);
			break;
		case HTTP_S_BODY_LENGTH:
			off += st_body_length(s, n, ts, cb, ctx);
			break;
		case HTTP_S_CHUNK_SIZE:
			off += st_chunk_size(s, p, n, ts, cb, ctx);
			break;
		case HTTP_S_CHUNK_DATA:
			off += st_chunk_data(s, n);
			break;
		case HTTP_S_CHUNK_END:
			off += st_chunk_end(s, p, ts, cb, ctx);
			break;
		case HTTP_S_TRAILER:
			off += st_trailer(s, p, n, ts, cb, ctx);
			break;
		case HTTP_S_BODY_EOF:
			s->body_seen += n;
			off = cap_len;
			break;
		case HTTP_S_NOT_HTTP:
			break;
		}
	}
	if (len > cap_len && s->state != HTTP_S_NOT_HTTP)
		apply_gap(s, (uint64_t)(len - cap_len), ts, cb, ctx);
}

void http_stream_finish(struct http_stream *s, uint64_t ts, http_cb cb,
			void *ctx)
{
	if (s->state == HTTP_S_BODY_EOF) {
		message_end(s, ts, cb, ctx);
	} else if (s->state == HTTP_S_HEAD && s->head_len > 0 &&
		   !(s->tentative && !s->line1_done)) {
		deliver_partial(s, ts, HTTP_F_EOF, cb, ctx);
		desync(s, HTTP_ERR_EOF_IN_HEAD, ts, false, cb, ctx);
	}
	scrub_head(s);
	http_stream_reset(s);
}

/* ---- Lambda API paths ---- */

static const struct {
	const char *path;
	enum lambda_api api;
} api_exact[] = {
	{"/2018-06-01/runtime/invocation/next", LAMBDA_API_NEXT},
	{"/2018-06-01/runtime/init/error", LAMBDA_API_INIT_ERROR},
	{"/2020-01-01/extension/register", LAMBDA_API_EXT_REGISTER},
	{"/2020-01-01/extension/event/next", LAMBDA_API_EXT_NEXT},
	{"/2020-01-01/extension/init/error", LAMBDA_API_EXT_INIT_ERROR},
	{"/2020-01-01/extension/exit/error", LAMBDA_API_EXT_EXIT_ERROR},
	{"/2022-07-01/telemetry", LAMBDA_API_TELEMETRY},
	{"/2020-08-15/logs", LAMBDA_API_LOGS},
	{"/2015-03-31/functions/function/invocations", LAMBDA_API_INVOKE},
};

enum lambda_api lambda_api_classify(const char *path, size_t n, char *id,
				    size_t idsz)
{
	static const char inv[] = "/2018-06-01/runtime/invocation/";
	const size_t invn = sizeof(inv) - 1;
	size_t cut;

	if (id && idsz)
		id[0] = '\0';
	if (!path)
		return LAMBDA_API_OTHER;

	/* absolute-form: http://host[:port]/path */
	if (n >= 7 && eq_nocase(path, 7, "http://")) {
		const char *sl = memchr(path + 7, '/', n - 7);
		if (!sl)
			return LAMBDA_API_OTHER;
		n -= (size_t)(sl - path);
		path = sl;
	}
	for (cut = 0; cut < n; cut++)
		if (path[cut] == '?' || path[cut] == '#' || path[cut] == '\0')
			break;
	n = cut;

	for (size_t i = 0; i < sizeof(api_exact) / sizeof(api_exact[0]); i++) {
		size_t pn = strlen(api_exact[i].path);
		if (n == pn && memcmp(path, api_exact[i].path, pn) == 0)
			return api_exact[i].api;
	}

	if (n > invn && memcmp(path, inv, invn) == 0) {
		const char *rest = path + invn;
		size_t rn = n - invn;
		const char *sl = memchr(rest, '/', rn);
		enum lambda_api a = LAMBDA_API_OTHER;
		size_t idn, sn;

		if (!sl || sl == rest)
			return LAMBDA_API_OTHER;
		idn = (size_t)(sl - rest);
		sn = rn - idn;
		if (sn == 9 && memcmp(sl, "/response", 9) == 0)
			a = LAMBDA_API_RESPONSE;
		else if (sn == 6 && memcmp(sl, "/error", 6) == 0)
			a = LAMBDA_API_ERROR;
		if (a != LAMBDA_API_OTHER && id && idsz)
			copy_bounded(id, idsz, rest, idn);
		return a;
	}
	return LAMBDA_API_OTHER;
}

const char *lambda_api_name(enum lambda_api a)
{
	switch (a) {
	case LAMBDA_API_OTHER: return "other";
	case LAMBDA_API_NEXT: return "next";
	case LAMBDA_API_RESPONSE: return "response";
	case LAMBDA_API_ERROR: return "error";
	case LAMBDA_API_INIT_ERROR: return "init/error";
	case LAMBDA_API_EXT_REGISTER: return "extension/register";
	case LAMBDA_API_EXT_NEXT: return "extension/event/next";
	case LAMBDA_API_EXT_INIT_ERROR: return "extension/init/error";
	case LAMBDA_API_EXT_EXIT_ERROR: return "extension/exit/error";
	case LAMBDA_API_TELEMETRY: return "telemetry";
	case LAMBDA_API_LOGS: return "logs";
	case LAMBDA_API_INVOKE: return "invoke";
	}
	return "?";
}
