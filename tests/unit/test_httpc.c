// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * httpc against a tiny server thread in this process (127.0.0.1:0 and
 * [::1]:0) answering canned responses: Content-Length, chunked (byte by
 * byte), close-delimited, 100 Continue, 500, a server that never answers
 * (the deadline), a closed port, malformed answers; the request it sent
 * (Host, Basic auth, Content-Type, body); URL parsing, good and bad.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ct_test.h"
#include "httpc.h"

/* ---- the server ---- */

struct server {
	int lfd;
	char port[8];
	pthread_t th;
	pthread_mutex_t mu;
	const char *answer; /* what the next connection gets; NULL: never answer */
	bool bytewise;      /* one byte per send */
	char req[8192];     /* the last request, as received */
	size_t reqlen;
	bool quit;
};

static void read_request(struct server *s, int fd)
{
	size_t n = 0;
	char *end = NULL;
	long clen = 0;

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		if (poll(&p, 1, 3000) <= 0)
			break;
		r = recv(fd, s->req + n, sizeof(s->req) - 1 - n, 0);
		if (r <= 0)
			break;
		n += (size_t)r;
		s->req[n] = 0;
		if (!end && (end = strstr(s->req, "\r\n\r\n"))) {
			char *cl = strcasestr(s->req, "\r\nContent-Length: ");

			clen = cl && cl < end ? atol(cl + 18) : 0;
		}
		if (end && n >= (size_t)(end + 4 - s->req) + (size_t)clen)
			break;
	}
	pthread_mutex_lock(&s->mu);
	s->reqlen = n;
	pthread_mutex_unlock(&s->mu);
}

static void *serve(void *arg)
{
	struct server *s = arg;

	for (;;) {
		int fd = accept(s->lfd, NULL, NULL);
		const char *a;
		bool bytewise;

		if (fd < 0 || s->quit) {
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		read_request(s, fd);
		pthread_mutex_lock(&s->mu);
		a = s->answer;
		bytewise = s->bytewise;
		pthread_mutex_unlock(&s->mu);
		if (!a) {
			/* never answer: wait (bounded) for the client to give up */
			struct pollfd p = {.fd = fd, .events = POLLIN};
			char c;

			while (poll(&p, 1, 5000) > 0 && recv(fd, &c, 1, 0) > 0)
				;
		} else if (bytewise) {
			int one = 1;

			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			for (size_t i = 0; a[i]; i++)
				if (send(fd, a + i, 1, MSG_NOSIGNAL) != 1)
					break;
		} else {
			send(fd, a, strlen(a), MSG_NOSIGNAL);
		}
		close(fd);
	}
}

static int server_start(struct server *s, int family)
{
	struct sockaddr_storage ss = {0};
	socklen_t sl;
	int one = 1;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	s->lfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return -1;
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		sl = sizeof(*a);
	}
	if (bind(s->lfd, (struct sockaddr *)&ss, sl) || listen(s->lfd, 8) ||
	    getsockname(s->lfd, (struct sockaddr *)&ss, &sl)) {
		close(s->lfd);
		return -1;
	}
	snprintf(s->port, sizeof(s->port), "%u",
		 ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					 : ((struct sockaddr_in6 *)&ss)->sin6_port));
	return pthread_create(&s->th, NULL, serve, s) ? -1 : 0;
}

static void server_stop(struct server *s)
{
	s->quit = true;
	shutdown(s->lfd, SHUT_RDWR); /* wakes accept() */
	pthread_join(s->th, NULL);
	close(s->lfd);
}

static void server_answer(struct server *s, const char *a, bool bytewise)
{
	pthread_mutex_lock(&s->mu);
	s->answer = a;
	s->bytewise = bytewise;
	s->reqlen = 0;
	pthread_mutex_unlock(&s->mu);
}

static struct server srv4;

/* One GET to srv4 answered with a; rc, status, body (or err) back. */
static int get(const char *a, bool bytewise, int timeout_ms, int *status, char *body, size_t bsize, char *err,
	       size_t errlen)
{
	struct ct_url u;
	struct ct_http_resp resp;
	char url[64];
	int rc;

	snprintf(url, sizeof(url), "http://127.0.0.1:%s/", srv4.port);
	if (ct_url_parse(url, &u, err, errlen))
		return -9;
	server_answer(&srv4, a, bytewise);
	rc = ct_http_request(&u, "GET", "/q", NULL, NULL, NULL, 0, timeout_ms, &resp, err, errlen);
	*status = resp.status;
	snprintf(body, bsize, "%s", resp.body.buf ? resp.body.buf : "");
	sb_free(&resp.body);
	return rc;
}

/* ---- responses ---- */

/* Answers, whole or byte by byte: the status and body read from them. */
CT_TEST(answers)
{
	static const struct {
		const char *answer;
		bool bytewise;
		int status;
		const char *body;
	} cases[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhello", false, 200, "hello"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", true, 200, "abc"},
		{"HTTP/1.1 204 No Content\r\n\r\n", false, 204, ""},
		{"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n"
		 "0\r\nX-Trailer: 1\r\n\r\n",
		 true, 200, "hello world"},
		{"HTTP/1.0 200 OK\r\nServer: x\r\n\r\nuntil the close", false, 200, "until the close"},
		{"HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbyte by byte", true, 200, "byte by byte"},
		/* 100 Continue and its friends: the real answer follows */
		{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", false, 201, "ok"},
		/* an answer, whatever its status, is not a transport failure */
		{"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nboom", false, 500, "boom"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char body[256], err[256];
		int st = 0;

		CT_EQ_INT(get(cases[i].answer, cases[i].bytewise, 5000, &st, body, sizeof(body), err, sizeof(err)), 0);
		CT_EQ_INT(st, cases[i].status);
		CT_EQ_STR(body, cases[i].body);
	}
}

/* A body of many reads' worth, chunked in big chunks. */
CT_TEST(big_body)
{
	static char answer[300000], body[300000];
	char err[256];
	size_t n;
	int st = 0;

	n = (size_t)snprintf(answer, sizeof(answer), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (int c = 0; c < 4; c++) {
		n += (size_t)snprintf(answer + n, sizeof(answer) - n, "10000\r\n");
		memset(answer + n, 'a' + c, 0x10000);
		n += 0x10000;
		n += (size_t)snprintf(answer + n, sizeof(answer) - n, "\r\n");
	}
	snprintf(answer + n, sizeof(answer) - n, "0\r\n\r\n");
	CT_EQ_INT(get(answer, false, 5000, &st, body, sizeof(body), err, sizeof(err)), 0);
	CT_EQ_INT(st, 200);
	CT_EQ_INT(strlen(body), 4 * 0x10000);
	CT_TRUE(body[0] == 'a' && body[0x10000] == 'b' && body[4 * 0x10000 - 1] == 'd');
}

CT_TEST(malformed)
{
	static const struct {
		const char *answer, *want;
	} cases[] = {
		{"HTTP/1.1 2x0 OK\r\n\r\n", "malformed response: status line 'HTTP/1.1 2x0 OK'"},
		{"SSH-2.0-OpenSSH_9.2\r\n\r\n", "malformed response: status line 'SSH-2.0-OpenSSH_9.2'"},
		{"", "malformed response: the server closed the connection without answering"},
		{"HTTP/1.1 200 OK\r\nContent-Len", "malformed response: the connection closed in the headers"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
		 "malformed response: the connection closed before the end of the body"},
		{"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "malformed response: Content-Length '-1'"},
		{"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "malformed response: header 'no colon here'"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed response: chunk size 'zz'"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
		 "malformed response: Transfer-Encoding not supported 'gzip'"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n",
		 "malformed response: body over the limit of 64 MiB"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char body[256], err[256];
		int st = -1;

		CT_EQ_INT(get(cases[i].answer, false, 5000, &st, body, sizeof(body), err, sizeof(err)), -1);
		CT_EQ_STR(err, cases[i].want);
		CT_EQ_INT(st, 0);
	}
}

CT_TEST(timeout)
{
	char body[256], err[256];
	struct timespec a, b;
	long ms;
	int st;

	clock_gettime(CLOCK_MONOTONIC, &a);
	CT_EQ_INT(get(NULL, false, 300, &st, body, sizeof(body), err, sizeof(err)), -1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	CT_EQ_STR(err, "timed out after 300 ms waiting for the response");
	/* not early; late only by what a loaded machine adds */
	CT_TRUE(ms >= 290 && ms < 4000);
}

CT_TEST(cancel_deadline)
{
	_Atomic int64_t at = 0;
	struct timespec a, b;
	char body[256], err[256];
	int st;

	/* another thread would move it; here it is set before: 200 ms from now */
	clock_gettime(CLOCK_MONOTONIC, &a);
	atomic_store(&at, (int64_t)a.tv_sec * 1000000000 + a.tv_nsec + 200000000);
	ct_http_cancel_at(&at);
	CT_EQ_INT(get(NULL, false, 10000, &st, body, sizeof(body), err, sizeof(err)), -1);
	ct_http_cancel_at(NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CT_EQ_STR(err, "stopped waiting for the response: the sender's deadline passed");
	CT_TRUE((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 4000);
}

CT_TEST(refused)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	struct ct_http_resp resp;
	struct ct_url u;
	char url[64], err[256], want[128];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	/* a port that was free a moment ago and has no listener */
	CT_TRUE(fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) && !getsockname(fd, (struct sockaddr *)&a, &al));
	close(fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", ntohs(a.sin_port));
	CT_EQ_INT(ct_url_parse(url, &u, err, sizeof(err)), 0);
	CT_EQ_INT(ct_http_request(&u, "GET", "/", NULL, NULL, NULL, 0, 5000, &resp, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "cannot connect to 127.0.0.1:%u: Connection refused", ntohs(a.sin_port));
	CT_EQ_STR(err, want);
	CT_EQ_INT(resp.status, 0);
	CT_TRUE(resp.body.buf == NULL);

}

CT_TEST(by_name)
{
	struct ct_http_resp resp;
	struct ct_url u;
	char url[64], err[256];

	/* localhost from /etc/hosts (no DNS in tests): maybe ::1 first, refused
	 * there, then 127.0.0.1 */
	snprintf(url, sizeof(url), "http://localhost:%s/", srv4.port);
	CT_EQ_INT(ct_url_parse(url, &u, err, sizeof(err)), 0);
	server_answer(&srv4, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nname", false);
	CT_EQ_INT(ct_http_request(&u, "GET", "/", NULL, NULL, NULL, 0, 5000, &resp, err, sizeof(err)), 0);
	CT_EQ_STR(resp.body.buf, "name");
	sb_free(&resp.body);
}

/* ---- the request ---- */

CT_TEST(request_sent)
{
	struct ct_http_resp resp;
	struct ct_url u;
	char url[96], err[256], want[128];

	snprintf(url, sizeof(url), "http://user:pass@127.0.0.1:%s/ignored/path", srv4.port);
	CT_EQ_INT(ct_url_parse(url, &u, err, sizeof(err)), 0);
	server_answer(&srv4, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false);
	CT_EQ_INT(ct_http_request(&u, "POST", "/v1/traces?x=1", "application/json", "X-Extra: 1\r\n", "{\"a\":1}", 7,
				  5000, &resp, err, sizeof(err)), 0);
	CT_EQ_INT(resp.status, 200);
	sb_free(&resp.body);
	pthread_mutex_lock(&srv4.mu);
	CT_TRUE(!strncmp(srv4.req, "POST /v1/traces?x=1 HTTP/1.1\r\n", 30));
	snprintf(want, sizeof(want), "\r\nHost: 127.0.0.1:%s\r\n", srv4.port);
	CT_TRUE(strstr(srv4.req, want) != NULL);
	/* base64("user:pass") */
	CT_TRUE(strstr(srv4.req, "\r\nAuthorization: Basic dXNlcjpwYXNz\r\n") != NULL);
	CT_TRUE(strstr(srv4.req, "\r\nContent-Type: application/json\r\n") != NULL);
	CT_TRUE(strstr(srv4.req, "\r\nContent-Length: 7\r\n") != NULL);
	CT_TRUE(strstr(srv4.req, "\r\nX-Extra: 1\r\n") != NULL);
	CT_TRUE(strstr(srv4.req, "\r\nConnection: close\r\n") != NULL);
	CT_TRUE(srv4.reqlen > 7 && !strcmp(srv4.req + srv4.reqlen - 11, "\r\n\r\n{\"a\":1}"));
	pthread_mutex_unlock(&srv4.mu);

	/* no credentials: no Authorization */
	snprintf(url, sizeof(url), "http://127.0.0.1:%s", srv4.port);
	CT_EQ_INT(ct_url_parse(url, &u, err, sizeof(err)), 0);
	CT_EQ_INT(ct_http_request(&u, "GET", "/", NULL, NULL, NULL, 0, 5000, &resp, err, sizeof(err)), 0);
	sb_free(&resp.body);
	pthread_mutex_lock(&srv4.mu);
	CT_TRUE(strstr(srv4.req, "Authorization") == NULL);
	CT_TRUE(strstr(srv4.req, "Content-Length") == NULL);
	pthread_mutex_unlock(&srv4.mu);
}

CT_TEST(ipv6)
{
	struct server s6;
	struct ct_http_resp resp;
	struct ct_url u;
	char url[64], err[256], want[64];

	if (server_start(&s6, AF_INET6)) {
		printf("  (no IPv6 loopback here: skipped)\n");
		return;
	}
	snprintf(url, sizeof(url), "http://[::1]:%s/x", s6.port);
	CT_EQ_INT(ct_url_parse(url, &u, err, sizeof(err)), 0);
	CT_EQ_STR(u.host, "::1");
	server_answer(&s6, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6", false);
	CT_EQ_INT(ct_http_request(&u, "GET", "/x", NULL, NULL, NULL, 0, 5000, &resp, err, sizeof(err)), 0);
	CT_EQ_INT(resp.status, 200);
	CT_EQ_STR(resp.body.buf, "v6");
	sb_free(&resp.body);
	snprintf(want, sizeof(want), "\r\nHost: [::1]:%s\r\n", s6.port);
	pthread_mutex_lock(&s6.mu);
	CT_TRUE(strstr(s6.req, want) != NULL);
	pthread_mutex_unlock(&s6.mu);
	server_stop(&s6);
}

/* ---- URLs ---- */

CT_TEST(url_good)
{
	struct ct_url u;
	char err[256], shown[256];

	CT_EQ_INT(ct_url_parse("http://u%40x:p%3Ass@ch.example:8123/db?x=1#frag", &u, err, sizeof(err)), 0);
	CT_EQ_STR(u.user, "u@x");
	CT_EQ_STR(u.pass, "p:ss");
	CT_EQ_STR(u.host, "ch.example");
	CT_EQ_STR(u.port, "8123");
	CT_EQ_STR(u.path, "/db?x=1");
	ct_url_show(&u, shown, sizeof(shown));
	CT_EQ_STR(shown, "http://ch.example:8123/db?x=1");

	CT_EQ_INT(ct_url_parse("HTTP://h", &u, err, sizeof(err)), 0);
	CT_EQ_STR(u.host, "h");
	CT_EQ_STR(u.port, "80");
	CT_EQ_STR(u.path, "/");
	CT_EQ_STR(u.user, "");
	ct_url_show(&u, shown, sizeof(shown));
	CT_EQ_STR(shown, "http://h/");

	CT_EQ_INT(ct_url_parse("http://h?q=1", &u, err, sizeof(err)), 0);
	CT_EQ_STR(u.path, "/?q=1");

	CT_EQ_INT(ct_url_parse("http://[::1]:4318", &u, err, sizeof(err)), 0);
	CT_EQ_STR(u.host, "::1");
	CT_EQ_STR(u.port, "4318");
	ct_url_show(&u, shown, sizeof(shown));
	CT_EQ_STR(shown, "http://[::1]:4318/");

	CT_EQ_INT(ct_url_parse("http://user@10.0.0.1:65535/", &u, err, sizeof(err)), 0);
	CT_EQ_STR(u.user, "user");
	CT_EQ_STR(u.pass, "");
	CT_EQ_STR(u.port, "65535");
}

CT_TEST(url_bad)
{
	static const struct {
		const char *url, *want;
	} cases[] = {
		{"https://h/", "bad URL 'https://h/': https is not supported, only http://"},
		{"ftp://h/", "bad URL 'ftp://h/': not http://host[:port][/path]"},
		{"garbage", "bad URL 'garbage': not http://host[:port][/path]"},
		{"", "empty URL"},
		{"http://", "bad URL 'http://': no host"},
		{"http:///path", "bad URL 'http:///path': no host"},
		{"http://:80/", "bad URL 'http://:80/': no host"},
		{"http://u:p@/", "bad URL 'http://u:p@/': no host"},
		{"http://h:99999/", "bad URL 'http://h:99999/': port 99999 out of 1-65535"},
		{"http://h:0/", "bad URL 'http://h:0/': port 0 out of 1-65535"},
		{"http://h:123456/", "bad URL 'http://h:123456/': bad port"},
		{"http://h:/", "bad URL 'http://h:/': bad port"},
		{"http://h:x/", "bad URL 'http://h:x/': bad port"},
		{"http://h:1:2/", "bad URL 'http://h:1:2/': bad port"},
		{"http://[::1/", "bad URL 'http://[::1/': bad [IPv6] address"},
		{"http://[]:80/", "bad URL 'http://[]:80/': bad [IPv6] address"},
		{"http://[::1]x/", "bad URL 'http://[::1]x/': junk after ]"},
		{"http://h /x", "bad URL 'http://h /x': spaces or control characters"},
		{"http://a%zz@h/", "bad URL: bad user:pass@ part (empty user, a bad %-escape, or too long)"},
		{"http://:p@h/", "bad URL: bad user:pass@ part (empty user, a bad %-escape, or too long)"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ct_url u;
		char err[256];

		CT_EQ_INT(ct_url_parse(cases[i].url, &u, err, sizeof(err)), -1);
		CT_EQ_STR(err, cases[i].want);
	}
}

CT_TEST(base64)
{
	static const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	unsigned char all[256];
	char buf[400];

	for (size_t i = 0; i < 7; i++) {
		CT_EQ_INT(ct_base64(in[i], strlen(in[i]), buf, sizeof(buf)), strlen(out[i]));
		CT_EQ_STR(buf, out[i]);
	}
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	CT_EQ_INT(ct_base64(all, 256, buf, sizeof(buf)), 344);
	CT_TRUE(!strncmp(buf, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g", 44));
	CT_TRUE(!strcmp(buf + 336, "/P3+/w=="));
	CT_EQ_INT(ct_base64("foo", 3, buf, 4), 0); /* no room */
}

int main(void)
{
	if (server_start(&srv4, AF_INET)) {
		printf("cannot start the test server on 127.0.0.1\n");
		return 1;
	}
	CT_RUN(answers);
	CT_RUN(big_body);
	CT_RUN(malformed);
	CT_RUN(timeout);
	CT_RUN(cancel_deadline);
	CT_RUN(refused);
	CT_RUN(by_name);
	CT_RUN(request_sent);
	CT_RUN(ipv6);
	CT_RUN(url_good);
	CT_RUN(url_bad);
	CT_RUN(base64);
	server_stop(&srv4);
	return ct_summary();
}
