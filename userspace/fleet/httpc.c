// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * httpc: see httpc.h. Blocking in spirit but built on non-blocking sockets
 * and poll(), so one deadline bounds connect, send and receive alike (a
 * collector that accepts and then never answers must not hold coldtrace's
 * exit). Only the name lookup (getaddrinfo) is outside the deadline: libc
 * has no portable way to bound it; numeric addresses skip it.
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "httpc.h"

#define HDR_MAX (64u << 10)  /* status line and headers together */
#define LINE_MAX_CHUNK 1024 /* a chunk-size line with its extensions */
#define POLL_SLICE_MS 100   /* how often a wait looks at the thread's cancel deadline */

static __thread const _Atomic int64_t *cancel_at;

void ct_http_cancel_at(const _Atomic int64_t *deadline_ns)
{
	cancel_at = deadline_ns;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- URL ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* s[0..n) percent-decoded into out[size]; -1 on a bad escape or too long. */
static int pct_decode(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -1;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (!c || o + 1 >= size)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = 0;
	return 0;
}

static int copy_part(const char *s, size_t n, char *out, size_t size)
{
	if (n >= size)
		return -1;
	memcpy(out, s, n);
	out[n] = 0;
	return 0;
}

int ct_url_parse(const char *s, struct ct_url *u, char *err, size_t errlen)
{
	const char *auth, *end, *at, *hp, *hend, *colon = NULL;
	char shown[64];

	memset(u, 0, sizeof(*u));
	if (!s || !*s) {
		snprintf(err, errlen, "empty URL");
		return -1;
	}
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			snprintf(err, errlen, "bad URL '%s': spaces or control characters", str_esc(shown, sizeof(shown), s));
			return -1;
		}
	}
	if (strncasecmp(s, "http://", 7) != 0) {
		if (strncasecmp(s, "https://", 8) == 0)
			snprintf(err, errlen, "bad URL '%s': https is not supported, only http://",
				 str_esc(shown, sizeof(shown), s));
		else
			snprintf(err, errlen, "bad URL '%s': not http://host[:port][/path]",
				 str_esc(shown, sizeof(shown), s));
		return -1;
	}
	auth = s + 7;
	end = auth + strcspn(auth, "/?#");
	/* user[:pass]@: the last @ of the authority (a password may hold one) */
	at = NULL;
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	hp = auth;
	if (at) {
		const char *c = memchr(auth, ':', (size_t)(at - auth));
		const char *uend = c ? c : at;

		if (uend == auth || pct_decode(auth, (size_t)(uend - auth), u->user, sizeof(u->user)) ||
		    (c && pct_decode(c + 1, (size_t)(at - c - 1), u->pass, sizeof(u->pass)))) {
			snprintf(err, errlen, "bad URL: bad user:pass@ part (empty user, a bad %%-escape, or too long)");
			return -1;
		}
		hp = at + 1;
	}
	if (hp < end && *hp == '[') {
		hend = memchr(hp, ']', (size_t)(end - hp));
		if (!hend || hend == hp + 1 || copy_part(hp + 1, (size_t)(hend - hp - 1), u->host, sizeof(u->host)) ||
		    strspn(u->host, "0123456789abcdefABCDEF:.") != strlen(u->host)) {
			snprintf(err, errlen, "bad URL '%s': bad [IPv6] address", str_esc(shown, sizeof(shown), s));
			return -1;
		}
		hend++;
		if (hend < end && *hend != ':') {
			snprintf(err, errlen, "bad URL '%s': junk after ]", str_esc(shown, sizeof(shown), s));
			return -1;
		}
		colon = hend < end ? hend : NULL;
	} else {
		colon = memchr(hp, ':', (size_t)(end - hp));
		hend = colon ? colon : end;
		if (copy_part(hp, (size_t)(hend - hp), u->host, sizeof(u->host))) {
			snprintf(err, errlen, "bad URL: host name too long");
			return -1;
		}
		if (strchr(u->host, '[') || strchr(u->host, ']') || strchr(u->host, '%')) {
			snprintf(err, errlen, "bad URL '%s': bad host", str_esc(shown, sizeof(shown), s));
			return -1;
		}
	}
	if (!u->host[0]) {
		snprintf(err, errlen, "bad URL '%s': no host", str_esc(shown, sizeof(shown), s));
		return -1;
	}
	if (colon) {
		const char *p = colon + 1;
		size_t n = (size_t)(end - p);
		unsigned long port = 0;

		if (n == 0 || n > 5 || strspn(p, "0123456789") < n) {
			snprintf(err, errlen, "bad URL '%s': bad port", str_esc(shown, sizeof(shown), s));
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			port = port * 10 + (unsigned long)(p[i] - '0');
		if (port < 1 || port > 65535) {
			snprintf(err, errlen, "bad URL '%s': port %lu out of 1-65535", str_esc(shown, sizeof(shown), s),
				 port);
			return -1;
		}
		snprintf(u->port, sizeof(u->port), "%lu", port);
	} else {
		strcpy(u->port, "80");
	}
	/* the path and query, without a #fragment (never sent) */
	{
		size_t n = strcspn(end, "#");

		if (n + 2 > sizeof(u->path)) {
			snprintf(err, errlen, "bad URL: path too long");
			return -1;
		}
		if (*end != '/')
			u->path[0] = '/';
		memcpy(u->path + strlen(u->path), end, n);
	}
	return 0;
}

/* host[:port] as it goes in a Host header and in messages. */
static void host_port(const struct ct_url *u, char *buf, size_t size, bool always_port)
{
	bool v6 = strchr(u->host, ':') != NULL;
	bool port = always_port || strcmp(u->port, "80") != 0;

	snprintf(buf, size, "%s%s%s%s%s", v6 ? "[" : "", u->host, v6 ? "]" : "", port ? ":" : "", port ? u->port : "");
}

void ct_url_show(const struct ct_url *u, char *buf, size_t size)
{
	char hp[300];

	host_port(u, hp, sizeof(hp), false);
	snprintf(buf, size, "http://%s%s", hp, u->path);
}

/* ---- base64 (RFC 4648, with padding) ---- */

size_t ct_base64(const void *in, size_t n, char *out, size_t size)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = in;
	size_t o = 0;

	if (size < (n + 2) / 3 * 4 + 1) {
		if (size)
			out[0] = 0;
		return 0;
	}
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = 0;
	return o;
}

/* ---- the exchange ---- */

struct conn {
	int fd;
	int64_t deadline;   /* CLOCK_MONOTONIC ns */
	int timeout_ms;     /* as given, for the message */
	char *err;
	size_t errlen;
};

/* Wait for events on c->fd until the deadline (or the thread's cancel
 * deadline); 1 ready, 0 timed out (err set), -1 error (err set). */
static int wait_fd(struct conn *c, short events, const char *what)
{
	for (;;) {
		int64_t now = now_ns(), left = c->deadline - now;
		int64_t cancel = cancel_at ? atomic_load(cancel_at) : 0;
		struct pollfd pfd = {.fd = c->fd, .events = events};
		int ms, r;

		if (cancel && now >= cancel) {
			snprintf(c->err, c->errlen, "stopped %s: the sender's deadline passed", what);
			return 0;
		}
		if (left <= 0) {
			snprintf(c->err, c->errlen, "timed out after %d ms %s", c->timeout_ms, what);
			return 0;
		}
		ms = (int)((left + 999999) / 1000000);
		if (cancel_at && ms > POLL_SLICE_MS)
			ms = POLL_SLICE_MS;
		r = poll(&pfd, 1, ms);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR) {
			snprintf(c->err, c->errlen, "poll: %s", strerror(errno));
			return -1;
		}
	}
}

static int try_connect(struct conn *c, const struct addrinfo *ai, const char *shown)
{
	int e;
	socklen_t el = sizeof(e);

	c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (c->fd < 0) {
		snprintf(c->err, c->errlen, "cannot connect to %s: socket: %s", shown, strerror(errno));
		return -1;
	}
	if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EINTR) {
		e = errno;
		goto fail;
	}
	switch (wait_fd(c, POLLOUT, "connecting")) {
	case 1:
		break;
	case 0:
		close(c->fd);
		c->fd = -1;
		return -2; /* out of time: no other address either */
	default:
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
		e = errno;
	if (!e)
		return 0;
fail:
	snprintf(c->err, c->errlen, "cannot connect to %s: %s", shown, strerror(e));
	close(c->fd);
	c->fd = -1;
	return -1;
}

static int open_conn(struct conn *c, const struct ct_url *u)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	char shown[300];
	int r = -1, g;

	host_port(u, shown, sizeof(shown), true);
	g = getaddrinfo(u->host, u->port, &hints, &res);
	if (g) {
		snprintf(c->err, c->errlen, "cannot resolve %s: %s", u->host,
			 g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
		return -1;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		r = try_connect(c, ai, shown);
		if (r != -1)
			break;
	}
	freeaddrinfo(res);
	return r == 0 ? 0 : -1;
}

static int send_all(struct conn *c, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);

		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(c, POLLOUT, "sending the request") != 1)
				return -1;
			continue;
		}
		snprintf(c->err, c->errlen, "sending the request: %s", w < 0 ? strerror(errno) : "nothing sent");
		return -1;
	}
	return 0;
}

/* ---- the response, parsed as it comes ---- */

enum rstate { R_HEAD, R_LEN, R_CLOSE, R_CHUNK_SIZE, R_CHUNK_DATA, R_CHUNK_CRLF, R_TRAILER, R_DONE };

struct reader {
	enum rstate st;
	struct strbuf in; /* bytes received, not yet consumed from pos on */
	size_t pos;
	size_t scan;      /* R_HEAD: where to look for the blank line next */
	uint64_t left;    /* R_LEN, R_CHUNK_DATA: bytes still to come */
	bool head_only;   /* HEAD: no body whatever the headers say */
	struct ct_http_resp *resp;
	char *err;
	size_t errlen;
};

static int malformed(struct reader *r, const char *what, const char *s, size_t n)
{
	char line[80], esc[100];

	if (s) {
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, s, n);
		line[n] = 0;
		snprintf(r->err, r->errlen, "malformed response: %s '%s'", what, str_esc(esc, sizeof(esc), line));
	} else {
		snprintf(r->err, r->errlen, "malformed response: %s", what);
	}
	return -1;
}

/* The end of the line starting at p (its '\n'), NULL if not all here. */
static const char *line_end(const char *p, const char *end)
{
	return memchr(p, '\n', (size_t)(end - p));
}

static size_t trim_len(const char *s, const char *nl)
{
	size_t n = (size_t)(nl - s);

	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

/* Status line and headers in h[0..n) (the blank line excluded). */
static int parse_head(struct reader *r, const char *h, size_t n)
{
	const char *end = h + n, *nl = line_end(h, end), *p;
	size_t ln = trim_len(h, nl ? nl : end);
	bool chunked = false, have_len = false;
	uint64_t clen = 0;
	int st;

	if (ln < 12 || memcmp(h, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)h[7]) || h[8] != ' ' ||
	    !isdigit((unsigned char)h[9]) || !isdigit((unsigned char)h[10]) || !isdigit((unsigned char)h[11]) ||
	    (ln > 12 && h[12] != ' '))
		return malformed(r, "status line", h, ln);
	st = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
	if (st < 100)
		return malformed(r, "status line", h, ln);
	r->resp->status = st;
	for (p = nl ? nl + 1 : end; p < end;) {
		const char *e = line_end(p, end), *colon, *v;
		size_t len = trim_len(p, e ? e : end), vlen;

		colon = memchr(p, ':', len);
		if (!colon || colon == p)
			return malformed(r, "header", p, len);
		v = colon + 1;
		while (v < p + len && (*v == ' ' || *v == '\t'))
			v++;
		vlen = (size_t)(p + len - v);
		if ((size_t)(colon - p) == 14 && !strncasecmp(p, "Content-Length", 14)) {
			uint64_t x = 0;

			if (!vlen || vlen > 19)
				return malformed(r, "Content-Length", v, vlen);
			for (size_t i = 0; i < vlen; i++) {
				if (!isdigit((unsigned char)v[i]))
					return malformed(r, "Content-Length", v, vlen);
				x = x * 10 + (uint64_t)(v[i] - '0');
			}
			if (have_len && x != clen)
				return malformed(r, "two different Content-Lengths", NULL, 0);
			have_len = true;
			clen = x;
		} else if ((size_t)(colon - p) == 17 && !strncasecmp(p, "Transfer-Encoding", 17)) {
			/* chunked is the last coding when present (RFC 9112 6.1) */
			chunked = vlen >= 7 && !strncasecmp(v + vlen - 7, "chunked", 7);
			if (!chunked)
				return malformed(r, "Transfer-Encoding not supported", v, vlen);
		}
		p = e ? e + 1 : end;
	}
	if (st / 100 == 1) /* 100 Continue and friends: the real response follows */
		return 0;
	if (r->head_only || st == 204 || st == 304) {
		r->st = R_DONE;
	} else if (chunked) {
		r->st = R_CHUNK_SIZE;
	} else if (have_len) {
		if (clen > CT_HTTP_MAX_BODY)
			return malformed(r, "body over the limit of 64 MiB", NULL, 0);
		r->left = clen;
		r->st = clen ? R_LEN : R_DONE;
	} else {
		r->st = R_CLOSE;
	}
	return 0;
}

static int body_add(struct reader *r, const char *p, size_t n)
{
	if (r->resp->body.len + n > CT_HTTP_MAX_BODY)
		return malformed(r, "body over the limit of 64 MiB", NULL, 0);
	sb_putn(&r->resp->body, p, n);
	if (r->resp->body.oom) {
		snprintf(r->err, r->errlen, "out of memory for the response");
		return -1;
	}
	return 0;
}

/* Consume what can be consumed of r->in; -1 malformed. */
static int advance(struct reader *r)
{
	for (;;) {
		const char *p = r->in.buf + r->pos, *end = r->in.buf + r->in.len, *nl;
		size_t avail = (size_t)(end - p), n;

		switch (r->st) {
		case R_HEAD: {
			const char *b = r->in.buf + r->scan, *blank = NULL;

			/* the blank line: "\r\n\r\n" or a lenient "\n\n" */
			for (const char *q = b < p ? p : b; q < end; q++) {
				if (*q != '\n')
					continue;
				if (q + 1 < end && q[1] == '\n') {
					blank = q;
					n = 2;
					break;
				}
				if (q + 2 < end && q[1] == '\r' && q[2] == '\n') {
					blank = q;
					n = 3;
					break;
				}
			}
			if (!blank) {
				if (avail > HDR_MAX)
					return malformed(r, "headers over 64 KiB", NULL, 0);
				r->scan = avail > 3 ? r->in.len - 3 : r->pos;
				return 0;
			}
			if (parse_head(r, p, (size_t)(blank - p)))
				return -1;
			r->pos = (size_t)(blank - r->in.buf) + n;
			r->scan = r->pos;
			break;
		}
		case R_LEN:
		case R_CHUNK_DATA:
			n = avail < r->left ? avail : (size_t)r->left;
			if (!n)
				return 0;
			if (body_add(r, p, n))
				return -1;
			r->pos += n;
			r->left -= n;
			if (!r->left)
				r->st = r->st == R_LEN ? R_DONE : R_CHUNK_CRLF;
			break;
		case R_CLOSE:
			if (!avail)
				return 0;
			if (body_add(r, p, avail))
				return -1;
			r->pos += avail;
			break;
		case R_CHUNK_SIZE: {
			uint64_t x = 0;
			size_t i, ln;

			nl = line_end(p, end);
			if (!nl) {
				if (avail > LINE_MAX_CHUNK)
					return malformed(r, "chunk size line too long", NULL, 0);
				return 0;
			}
			ln = trim_len(p, nl);
			for (i = 0; i < ln && hexval((unsigned char)p[i]) >= 0; i++) {
				if (i >= 15)
					return malformed(r, "chunk size", p, ln);
				x = x * 16 + (uint64_t)hexval((unsigned char)p[i]);
			}
			if (!i || (i < ln && p[i] != ';' && p[i] != ' ' && p[i] != '\t'))
				return malformed(r, "chunk size", p, ln);
			if (x > CT_HTTP_MAX_BODY)
				return malformed(r, "body over the limit of 64 MiB", NULL, 0);
			r->pos = (size_t)(nl + 1 - r->in.buf);
			r->left = x;
			r->st = x ? R_CHUNK_DATA : R_TRAILER;
			break;
		}
		case R_CHUNK_CRLF:
			if (avail >= 1 && p[0] == '\n') {
				r->pos += 1;
			} else if (avail >= 2 && p[0] == '\r' && p[1] == '\n') {
				r->pos += 2;
			} else if (avail >= 2 || (avail == 1 && p[0] != '\r')) {
				return malformed(r, "no CRLF after a chunk", NULL, 0);
			} else {
				return 0;
			}
			r->st = R_CHUNK_SIZE;
			break;
		case R_TRAILER:
			nl = line_end(p, end);
			if (!nl) {
				if (avail > HDR_MAX)
					return malformed(r, "trailer too long", NULL, 0);
				return 0;
			}
			r->pos = (size_t)(nl + 1 - r->in.buf);
			if (!trim_len(p, nl))
				r->st = R_DONE;
			break;
		case R_DONE:
			return 0;
		}
	}
}

static int read_response(struct conn *c, struct reader *r)
{
	char buf[16384];

	for (;;) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (wait_fd(c, POLLIN, "waiting for the response") != 1)
					return -1;
				continue;
			}
			/* a reset after a complete close-delimited body is still an error:
			 * the body may be cut */
			snprintf(c->err, c->errlen, "reading the response: %s", strerror(errno));
			return -1;
		}
		if (n == 0) {
			if (r->st == R_CLOSE)
				return 0;
			if (r->st == R_HEAD && r->in.len == r->pos && r->pos == 0)
				return malformed(r, "the server closed the connection without answering", NULL, 0);
			return malformed(r, r->st == R_HEAD ? "the connection closed in the headers"
							    : "the connection closed before the end of the body",
					 NULL, 0);
		}
		sb_putn(&r->in, buf, (size_t)n);
		if (r->in.oom) {
			snprintf(c->err, c->errlen, "out of memory for the response");
			return -1;
		}
		if (advance(r))
			return -1;
		if (r->st == R_DONE)
			return 0;
		/* drop what was consumed so the buffer holds one piece at most */
		if (r->pos == r->in.len) {
			r->scan = r->scan >= r->pos ? r->scan - r->pos : 0;
			r->pos = 0;
			sb_reset(&r->in);
		} else if (r->pos > 65536) {
			memmove(r->in.buf, r->in.buf + r->pos, r->in.len - r->pos);
			r->in.len -= r->pos;
			r->scan = r->scan >= r->pos ? r->scan - r->pos : 0;
			r->pos = 0;
		}
	}
}

int ct_http_request(const struct ct_url *u, const char *method, const char *target, const char *content_type,
		    const char *extra_headers, const void *body, size_t len, int timeout_ms,
		    struct ct_http_resp *resp, char *err, size_t errlen)
{
	struct conn c = {.fd = -1, .timeout_ms = timeout_ms, .err = err, .errlen = errlen};
	struct reader r = {.st = R_HEAD, .resp = resp, .err = err, .errlen = errlen};
	struct strbuf req;
	char hp[300];
	int rc = -1;

	resp->status = 0;
	sb_init(&resp->body);
	if (errlen)
		err[0] = 0;
	c.deadline = now_ns() + (int64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000;
	r.head_only = !strcmp(method, "HEAD");
	sb_init(&r.in);

	sb_init(&req);
	host_port(u, hp, sizeof(hp), false);
	sb_printf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: coldtrace\r\nConnection: close\r\n", method,
		  target && *target ? target : "/", hp);
	if (u->user[0]) {
		char up[sizeof(u->user) + sizeof(u->pass) + 1], b64[((sizeof(up) + 2) / 3) * 4 + 1];
		int n = snprintf(up, sizeof(up), "%s:%s", u->user, u->pass);

		ct_base64(up, (size_t)n, b64, sizeof(b64));
		sb_printf(&req, "Authorization: Basic %s\r\n", b64);
		explicit_bzero(up, sizeof(up));
		explicit_bzero(b64, sizeof(b64));
	}
	if (content_type)
		sb_printf(&req, "Content-Type: %s\r\n", content_type);
	if (len || body || (strcmp(method, "GET") && strcmp(method, "HEAD")))
		sb_printf(&req, "Content-Length: %zu\r\n", len);
	if (extra_headers)
		sb_puts(&req, extra_headers);
	sb_puts(&req, "\r\n");
	if (req.oom) {
		snprintf(err, errlen, "out of memory for the request");
		goto out;
	}

	if (open_conn(&c, u))
		goto out;
	if (send_all(&c, req.buf, req.len) || (len && send_all(&c, body, len))) {
		/* the server may have answered early (a 413, a 401) and closed:
		 * its answer says more than EPIPE does */
		char keep[256];

		snprintf(keep, sizeof(keep), "%s", err);
		if (read_response(&c, &r) == 0 && resp->status) {
			rc = 0;
			goto out;
		}
		sb_reset(&resp->body);
		resp->status = 0;
		snprintf(err, errlen, "%s", keep);
		goto out;
	}
	if (read_response(&c, &r))
		goto out;
	rc = 0;
out:
	if (rc) {
		sb_free(&resp->body);
		sb_init(&resp->body);
		resp->status = 0;
	}
	if (req.buf)
		explicit_bzero(req.buf, req.len);
	sb_free(&req);
	sb_free(&r.in);
	if (c.fd >= 0)
		close(c.fd);
	return rc;
}
