/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * httpparse: an HTTP/1.x stream parser for captured socket traffic.
 *
 * One struct http_stream per (process, socket, direction). The caller feeds
 * it the chunks the BPF side captured, in order: cap_len bytes are available,
 * len >= cap_len bytes were really transferred. The missing len - cap_len
 * bytes are skipped, never invented: they are counted against a
 * Content-Length or chunk body; anywhere else (a header block, chunk framing,
 * between messages) the parser reports lost sync and resynchronises at the
 * next plausible message start (a request or status line at the start of a
 * chunk or of a line).
 *
 * For every complete message head the callback gets a struct http_msg: the
 * start line, an ALLOWLIST of headers (see enum http_hdr; every other header,
 * e.g. Authorization, Cookie, X-Amz-Security-Token, is dropped while parsing)
 * and the body length when known. Bodies are never kept.
 *
 * Pure C: no BPF, no global state, no allocation (struct http_stream holds a
 * fixed HTTP_HEAD_MAX buffer; the caller allocates it). Not thread-safe per
 * stream. The callback must not feed the stream that called it.
 */
#ifndef COLDTRACE_HTTPPARSE_H
#define COLDTRACE_HTTPPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_HEAD_MAX 16384 /* longest header block (start line .. empty line) */
#define HTTP_PATH_MAX 256   /* request target kept, NUL included */
#define HTTP_REASON_MAX 64  /* reason phrase kept, NUL included */
#define HTTP_VALUE_MAX 256  /* each allowlisted header value kept, NUL included */
#define HTTP_ID_MAX 128     /* Lambda request id taken from a path, NUL included */

enum http_kind {
	HTTP_REQUEST = 1,
	HTTP_RESPONSE = 2,
	/* Only with HTTP_EMIT_DESYNC: the stream lost sync (see err). */
	HTTP_DESYNC = 3,
	/* Only with HTTP_EMIT_BODY_END: the body of the last message ended. */
	HTTP_BODY_END = 4,
};

enum http_method {
	HTTP_M_NONE = 0,
	HTTP_M_GET,
	HTTP_M_POST,
	HTTP_M_PUT,
	HTTP_M_DELETE,
	HTTP_M_HEAD,
	HTTP_M_PATCH,
	HTTP_M_OPTIONS,
};

/* The allowlist. Names match case-insensitively. */
enum http_hdr {
	HTTP_H_REQUEST_ID = 0,   /* Lambda-Runtime-Aws-Request-Id */
	HTTP_H_DEADLINE_MS,      /* Lambda-Runtime-Deadline-Ms */
	HTTP_H_FUNCTION_ARN,     /* Lambda-Runtime-Invoked-Function-Arn */
	HTTP_H_TRACE_ID,         /* Lambda-Runtime-Trace-Id */
	HTTP_H_ERROR_TYPE,       /* Lambda-Runtime-Function-Error-Type */
	HTTP_H_RESPONSE_MODE,    /* Lambda-Runtime-Function-Response-Mode */
	HTTP_H_EXT_NAME,         /* Lambda-Extension-Name */
	HTTP_H_EXT_ID,           /* Lambda-Extension-Identifier */
	HTTP_H_EXT_ERROR_TYPE,   /* Lambda-Extension-Function-Error-Type */
	HTTP_H_CONTENT_LENGTH,   /* Content-Length */
	HTTP_H_CONTENT_TYPE,     /* Content-Type */
	HTTP_H_TRANSFER_ENCODING, /* Transfer-Encoding */
	HTTP_H_HOST,             /* Host */
	HTTP_H_USER_AGENT,       /* User-Agent */
	HTTP_H_COUNT
};

/* Lambda Runtime / Extensions / Telemetry / Logs / Invoke API paths. */
enum lambda_api {
	LAMBDA_API_OTHER = 0,
	LAMBDA_API_NEXT,           /* GET  /2018-06-01/runtime/invocation/next */
	LAMBDA_API_RESPONSE,       /* POST /2018-06-01/runtime/invocation/{id}/response */
	LAMBDA_API_ERROR,          /* POST /2018-06-01/runtime/invocation/{id}/error */
	LAMBDA_API_INIT_ERROR,     /* POST /2018-06-01/runtime/init/error */
	LAMBDA_API_EXT_REGISTER,   /* POST /2020-01-01/extension/register */
	LAMBDA_API_EXT_NEXT,       /* GET  /2020-01-01/extension/event/next */
	LAMBDA_API_EXT_INIT_ERROR, /* POST /2020-01-01/extension/init/error */
	LAMBDA_API_EXT_EXIT_ERROR, /* POST /2020-01-01/extension/exit/error */
	LAMBDA_API_TELEMETRY,      /* PUT  /2022-07-01/telemetry */
	LAMBDA_API_LOGS,           /* PUT  /2020-08-15/logs */
	LAMBDA_API_INVOKE,         /* POST /2015-03-31/functions/function/invocations */
};

/* How the body of a message is delimited. */
enum http_body {
	HTTP_BODY_NONE = 0,    /* no body (or Content-Length: 0) */
	HTTP_BODY_LENGTH,      /* Content-Length bytes */
	HTTP_BODY_CHUNKED,     /* Transfer-Encoding: chunked */
	HTTP_BODY_UNTIL_CLOSE, /* response with neither: body runs to EOF */
	HTTP_BODY_UNKNOWN,     /* head cut (HTTP_F_INCOMPLETE): cannot tell */
};

/* Why sync was lost (struct http_msg.err, kind HTTP_DESYNC). */
enum http_err {
	HTTP_ERR_NONE = 0,
	HTTP_ERR_GAP,            /* bytes missing between messages */
	HTTP_ERR_GAP_IN_HEAD,    /* bytes missing inside a header block */
	HTTP_ERR_GAP_IN_CHUNKED, /* bytes missing inside chunk framing */
	HTTP_ERR_HEAD_TOO_LARGE, /* header block longer than HTTP_HEAD_MAX */
	HTTP_ERR_BAD_START,      /* not a request/status line where one was due */
	HTTP_ERR_BAD_HEADER,     /* malformed header line, obs-fold, bad CL/TE */
	HTTP_ERR_BAD_CHUNK,      /* malformed chunk size line or chunk end */
	HTTP_ERR_EOF_IN_HEAD,    /* http_stream_finish() inside a header block */
};

/* struct http_msg.flags */
enum http_msg_flags {
	HTTP_F_PATH_TRUNC = 1 << 0,   /* path longer than HTTP_PATH_MAX - 1 */
	HTTP_F_REASON_TRUNC = 1 << 1, /* reason longer than HTTP_REASON_MAX - 1 */
	HTTP_F_HDR_TRUNC = 1 << 2,    /* some kept value was cut (see hdr_trunc) */
	HTTP_F_RESYNCED = 1 << 3,     /* first message found after lost sync */
	HTTP_F_INCOMPLETE = 1 << 4,   /* head cut by missing bytes or by the size
				       * limit: only header lines seen in full are
				       * kept; the body is unknown; a DESYNC follows */
	HTTP_F_HEAD_RESPONSE = 1 << 5, /* response to HEAD (told by the caller) */
	HTTP_F_DUP_HEADER = 1 << 6,    /* an allowlisted header was repeated
					* (the first value is kept) */
	HTTP_F_TE_AND_CL = 1 << 7,     /* both framing headers; TE used */
	HTTP_F_BODY_SKIPPED = 1 << 8,  /* BODY_END: some body bytes were not
					* captured (counted, not seen) */
	HTTP_F_EOF = 1 << 9,           /* with INCOMPLETE: the head was cut by
					* the end of the stream
					* (http_stream_finish), not by a gap */
};

struct http_msg {
	enum http_kind kind;
	unsigned flags;       /* enum http_msg_flags */
	enum http_err err;    /* HTTP_DESYNC: why */
	uint32_t index;       /* 0, 1, 2 ...: message number on this stream */
	uint64_t ts_first;    /* ts of the chunk holding the message's 1st byte */
	uint64_t ts_head;     /* ts of the chunk completing the head (DESYNC:
			       * where sync was lost; BODY_END: body end) */
	uint32_t head_len;    /* bytes of the head, empty line included */
	uint8_t version_major; /* 1 */
	uint8_t version_minor; /* 0 or 1 */

	/* HTTP_REQUEST */
	enum http_method method;
	char path[HTTP_PATH_MAX]; /* request target, NUL-terminated */
	enum lambda_api api;     /* which Lambda API the path is */
	char api_id[HTTP_ID_MAX]; /* request id for RESPONSE/ERROR paths */

	/* HTTP_RESPONSE */
	int status;                   /* 100 .. 999 */
	char reason[HTTP_REASON_MAX]; /* NUL-terminated, may be empty */

	/* Body: body_len is the Content-Length (HTTP_BODY_LENGTH), 0 for
	 * HTTP_BODY_NONE, -1 when not known at head time. In HTTP_BODY_END it
	 * is the body's real length (chunked: sum of chunk sizes). */
	enum http_body body;
	int64_t body_len;

	/* Allowlisted headers: bit (1u << enum http_hdr) set when present. */
	uint32_t hdr_present;
	uint32_t hdr_trunc; /* value longer than HTTP_VALUE_MAX - 1, cut */
	char hdr[HTTP_H_COUNT][HTTP_VALUE_MAX]; /* trimmed, NUL-terminated */
};

enum http_state {
	HTTP_S_START = 0, /* between messages */
	HTTP_S_HEAD,
	HTTP_S_BODY_LENGTH,
	HTTP_S_CHUNK_SIZE,
	HTTP_S_CHUNK_DATA,
	HTTP_S_CHUNK_END, /* the CRLF after chunk data */
	HTTP_S_TRAILER,
	HTTP_S_BODY_EOF,
	HTTP_S_RESYNC,
	HTTP_S_NOT_HTTP, /* terminal until http_stream_reset() */
};

/* http_stream_init() emit options */
enum http_emit {
	HTTP_EMIT_DESYNC = 1 << 0,   /* call back with HTTP_DESYNC events */
	HTTP_EMIT_BODY_END = 1 << 1, /* call back with HTTP_BODY_END events */
};

/* Counters, for diagnostics. */
struct http_stats {
	uint64_t bytes;       /* len fed */
	uint64_t bytes_lost;  /* len - cap_len fed */
	uint32_t messages;    /* heads delivered */
	uint32_t desyncs;     /* times sync was lost */
	uint32_t resyncs;     /* times a message was found again after that */
};

typedef void (*http_cb)(void *ctx, const struct http_msg *m);

/* Everything below is private to httpparse.c; use the functions. */
struct http_stream {
	enum http_state state;
	unsigned emit;
	bool seen_http;     /* a valid start line was seen on this stream */
	bool tentative;     /* HEAD entered while resyncing */
	bool line_start;    /* RESYNC: next byte starts a line */
	bool line1_done;    /* HEAD: start line complete and valid */
	bool line_empty;    /* TRAILER / CHUNK_SIZE scratch */
	bool resynced;      /* flag the next message HTTP_F_RESYNCED */
	bool chunk_ext;     /* CHUNK_SIZE: inside extension / trailing space */
	bool body_gap;      /* some body bytes were not captured */
	bool te_seen;       /* HEAD: a Transfer-Encoding header was seen */
	bool te_chunked;    /* HEAD: ... and its final coding is chunked */
	bool cl_seen;       /* HEAD: a Content-Length header was seen */
	uint8_t chunk_digits;
	uint32_t head_len;
	uint32_t line_off;  /* HEAD: offset of the current line */
	uint32_t aux_len;   /* CHUNK_SIZE / TRAILER: bytes of framing read */
	uint32_t index;
	uint64_t remain;    /* BODY_LENGTH / CHUNK_DATA: bytes left */
	uint64_t body_seen; /* bytes of body so far */
	uint64_t ts_first;
	uint64_t pend_head; /* HEAD-request queue, bit i: i-th pending is HEAD */
	uint8_t pend_n;
	struct http_stats stats;
	struct http_msg msg;
	char head[HTTP_HEAD_MAX];
};

/* emit: 0 or enum http_emit bits. */
void http_stream_init(struct http_stream *s, unsigned emit);
/* Forget everything (keeps emit): the next byte must start a message.
 * The stream owns no memory: there is nothing to free; call
 * http_stream_finish() when the connection or its process ends. */
void http_stream_reset(struct http_stream *s);

/*
 * Feed one captured chunk: data[0 .. cap_len) was captured, len bytes were
 * transferred (len < cap_len is treated as len == cap_len). ts is the
 * chunk's timestamp. cb may be NULL (the stream is still parsed).
 */
void http_stream_feed(struct http_stream *s, const uint8_t *data,
		      size_t cap_len, size_t len, uint64_t ts, http_cb cb,
		      void *ctx);

/*
 * The connection closed (or its process ended): ends a body that runs to EOF
 * (BODY_END) and reports a half-received head: its start line and the header
 * lines seen in full as a message flagged HTTP_F_INCOMPLETE | HTTP_F_EOF
 * (when the start line was complete), then DESYNC with HTTP_ERR_EOF_IN_HEAD,
 * when those events are enabled. The stream is then reset.
 */
void http_stream_finish(struct http_stream *s, uint64_t ts, http_cb cb,
			void *ctx);

/*
 * Responses to HEAD have no body, but a response stream cannot know which
 * request it answers. Call this on the RESPONSE stream for every request seen
 * on the paired request stream, in order; each final (non-1xx) response
 * consumes one entry. Without calls, every response is taken as not-HEAD.
 * Remembers up to 64 outstanding requests.
 */
void http_stream_expect_response(struct http_stream *resp,
				 enum http_method req_method);

enum http_state http_stream_state(const struct http_stream *s);
bool http_stream_is_http(const struct http_stream *s); /* false: NOT_HTTP */
const struct http_stats *http_stream_stats(const struct http_stream *s);

/* Helpers. */
const char *http_method_name(enum http_method m); /* "GET", or "?" */
const char *http_header_name(enum http_hdr h);    /* canonical name, or "?" */
/* The kept value of an allowlisted header, or NULL if absent. */
const char *http_msg_header(const struct http_msg *m, enum http_hdr h);
const char *http_err_name(enum http_err e);

/*
 * Classify a request target (path[0 .. n), need not be NUL-terminated). The
 * query string and fragment are ignored; an absolute-form target
 * (http://host/...) is reduced to its path. For RESPONSE and ERROR the {id}
 * segment is copied to id (NUL-terminated, cut to idsz - 1) when id != NULL;
 * otherwise id is set to "". Matching is exact and case-sensitive.
 */
enum lambda_api lambda_api_classify(const char *path, size_t n, char *id,
				    size_t idsz);
const char *lambda_api_name(enum lambda_api a); /* "next", "response", ... */

#endif /* COLDTRACE_HTTPPARSE_H */
