/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * httpc: a small blocking HTTP/1.1 client for the fleet sinks (ClickHouse's
 * HTTP interface, an OTLP/HTTP collector): plain http:// only, one request
 * per connection ("Connection: close"), IPv4 and IPv6, a deadline for the
 * whole exchange. Credentials in the URL (http://user:pass@host:port/) go as
 * Basic authorization. The response: its status and body (Content-Length,
 * chunked, or up to the close), at most CT_HTTP_MAX_BODY bytes.
 */
#ifndef COLDTRACE_HTTPC_H
#define COLDTRACE_HTTPC_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define CT_HTTP_MAX_BODY (64u << 20)

struct ct_url {
	char host[256];  /* a name, an IPv4 address, or an IPv6 one without brackets */
	char port[8];    /* "80" unless given */
	char path[2048]; /* path and query as given, "/" if none */
	char user[128];  /* from user:pass@, percent-decoded; "" if none */
	char pass[128];
};

/* "http://[user[:pass]@]host[:port][/path][?query]"; 0, or -1 with a
 * one-line reason in err (not http, no host, a bad port, too long...). */
int ct_url_parse(const char *s, struct ct_url *u, char *err, size_t errlen);
/* The URL again without its credentials, for messages. */
void ct_url_show(const struct ct_url *u, char *buf, size_t size);

struct ct_http_resp {
	int status;          /* 200, ... */
	struct strbuf body;  /* sb_init'd by the call; the caller sb_free's it */
};

/*
 * One request: method ("GET", "POST"), target (a path with its query: the
 * URL's own path is not used, so one URL serves several endpoints),
 * content_type (NULL: none), extra_headers (NULL, or lines each ended by
 * "\r\n"), body[0..len). 0 once a response came (any status), -1 on a
 * transport failure (cannot connect, timed out, malformed response) with a
 * one-line reason in err. timeout_ms bounds the whole exchange.
 */
int ct_http_request(const struct ct_url *u, const char *method, const char *target, const char *content_type,
		    const char *extra_headers, const void *body, size_t len, int timeout_ms,
		    struct ct_http_resp *resp, char *err, size_t errlen);

/*
 * A deadline another thread may move (CLOCK_MONOTONIC ns, 0: none) that cuts
 * short every ct_http_request made by the calling thread from now on (its
 * waits look at it at least every 100 ms): the spool's sender points it at
 * its stop deadline, so ct_sender_stop returns on time even while a request
 * hangs on a server that accepted and never answers. NULL: none.
 */
void ct_http_cancel_at(const _Atomic int64_t *deadline_ns);

/* Base64 (RFC 4648, padded) of in[0..n) into out, NUL-terminated; its length,
 * or 0 (out "") when size < 4 * ceil(n / 3) + 1. */
size_t ct_base64(const void *in, size_t n, char *out, size_t size);

#endif
