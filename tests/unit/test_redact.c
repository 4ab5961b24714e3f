// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * redact.c: every documented secret form, query strings of request targets,
 * argv (NUL-separated), bounds and cutting, idempotence; and the terminal
 * escaping of strbuf (sb_put_esc / str_esc).
 */
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "redact.h"
#include "strbuf.h"

static char out[4096];

static const char *r(const char *s)
{
	ct_redact(out, sizeof(out), s, strlen(s), 0, NULL);
	return out;
}

static const char *rq(const char *s)
{
	ct_redact(out, sizeof(out), s, strlen(s), CT_REDACT_QUERY, NULL);
	return out;
}

CT_TEST(markers)
{
	/* key=value, any case, the key's name ending with a marker */
	CT_EQ_STR(r("password=hunter2"), "password=<redacted>");
	CT_EQ_STR(r("PassWord=hunter2 next"), "PassWord=<redacted> next");
	CT_EQ_STR(r("--password=hunter2"), "--password=<redacted>");
	CT_EQ_STR(r("db_password=x&a=1"), "db_password=<redacted>&a=1");
	CT_EQ_STR(r("token=abc;x"), "token=<redacted>;x");
	CT_EQ_STR(r("access_token=abc,x"), "access_token=<redacted>,x");
	CT_EQ_STR(r("client_secret=abc"), "client_secret=<redacted>");
	CT_EQ_STR(r("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG"), "AWS_SECRET_ACCESS_KEY=<redacted>");
	CT_EQ_STR(r("AWS_SESSION_TOKEN=FwoGZXIvYXdzE"), "AWS_SESSION_TOKEN=<redacted>");
	CT_EQ_STR(r("env AWS_ACCESS_KEY_ID=AKIA AWS_SECRET_ACCESS_KEY=s3 ./f"),
		  "env AWS_ACCESS_KEY_ID=AKIA AWS_SECRET_ACCESS_KEY=<redacted> ./f");
	CT_EQ_STR(r("x-amz-security-token=abc"), "x-amz-security-token=<redacted>");
	/* header form, JSON form, escaped JSON inside a log line */
	CT_EQ_STR(r("X-Amz-Security-Token: IQoJb3JpZ2lu"), "X-Amz-Security-Token: <redacted>");
	CT_EQ_STR(r("{\"token\": \"a b c\", \"n\": 1}"), "{\"token\": \"<redacted>\", \"n\": 1}");
	CT_EQ_STR(r("{\"log\":\"{\\\"password\\\":\\\"pw\\\"}\"}"), "{\"log\":\"{\\\"password\\\":\\\"<redacted>\\\"}\"}");
	/* option form: next word, or next argument */
	CT_EQ_STR(r("mysql --password hunter2 -u root"), "mysql --password <redacted> -u root");
	CT_EQ_STR(r("x -token\tabc"), "x -token\t<redacted>");
	/* an empty value stays empty; a word that merely contains a marker is no key */
	CT_EQ_STR(r("token= x"), "token= x");
	CT_EQ_STR(r("tokens=1 tokenize=2 password"), "tokens=1 tokenize=2 password");
	CT_EQ_STR(r("no secrets here: /usr/bin/env"), "no secrets here: /usr/bin/env");
}

CT_TEST(authorization)
{
	CT_EQ_STR(r("Authorization: Bearer eyJhbGciOi.x.y"), "Authorization: Bearer <redacted>");
	CT_EQ_STR(r("authorization: Basic dXNlcjpwYXNz"), "authorization: Basic <redacted>");
	CT_EQ_STR(r("Authorization: AWS4-HMAC-SHA256 Credential=AKIA/2023, Signature=abc"),
		  "Authorization: AWS4-HMAC-SHA256 <redacted>");
	CT_EQ_STR(r("Authorization:sekrit"), "Authorization:<redacted>");
	CT_EQ_STR(r("curl -H 'Authorization: Bearer tok' https://h/"), "curl -H 'Authorization: Bearer <redacted>' https://h/");
	CT_EQ_STR(r("Proxy-Authorization: Basic abc"), "Proxy-Authorization: Basic <redacted>");
	CT_EQ_STR(r("Cookie: session=abc; id=2"), "Cookie: <redacted>");
	/* a bare scheme and its credential anywhere */
	CT_EQ_STR(r("using bearer   abc.def now"), "using bearer   <redacted> now");
	CT_EQ_STR(r("BASIC Zm9v"), "BASIC <redacted>");
	CT_EQ_STR(r("Bearer"), "Bearer");
}

CT_TEST(urls)
{
	CT_EQ_STR(r("curl https://admin:hunter2@example.com/x"), "curl https://admin:<redacted>@example.com/x");
	CT_EQ_STR(r("https://user@example.com/"), "https://user@example.com/");
	CT_EQ_STR(r("https://example.com:8443/a"), "https://example.com:8443/a");
	/* a presigned URL keeps its other parameters, not its credentials */
	CT_EQ_STR(r("https://b.s3.amazonaws.com/obj?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F1"
		    "&X-Amz-Security-Token=IQo&X-Amz-Signature=f00d&X-Amz-Expires=60"),
		  "https://b.s3.amazonaws.com/obj?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=<redacted>"
		  "&X-Amz-Security-Token=<redacted>&X-Amz-Signature=<redacted>&X-Amz-Expires=60");
}

CT_TEST(query_values)
{
	CT_EQ_STR(rq("/obj?X-Amz-Signature=abc&a=&b=2&flag"), "/obj?X-Amz-Signature=<redacted>&a=&b=<redacted>&flag");
	CT_EQ_STR(rq("/2018-06-01/runtime/invocation/next"), "/2018-06-01/runtime/invocation/next");
	CT_EQ_STR(rq("/p?"), "/p?");
	CT_EQ_STR(rq("/p?x=1#frag"), "/p?x=<redacted>#<redacted>");
	CT_EQ_STR(rq("/p#"), "/p#");
	CT_EQ_STR(rq("/a/token=ab/c?q=1"), "/a/token=<redacted>?q=<redacted>"); /* secrets hold '/' */
	CT_EQ_STR(rq("/p?a=b=c&&d=e"), "/p?a=<redacted>&&d=<redacted>");
	/* without the flag only the secrets go */
	CT_EQ_STR(r("/obj?X-Amz-Signature=abc&a=1"), "/obj?X-Amz-Signature=<redacted>&a=1");
}

CT_TEST(argv)
{
	static const char args[] = "curl\0-H\0Authorization: Bearer tok\0--password\0pw\0-u\0x\0token=t";
	static const char want[] = "curl\0-H\0Authorization: Bearer <redacted>\0--password\0<redacted>\0-u\0x\0"
				   "token=<redacted>";
	size_t n = ct_redact(out, sizeof(out), args, sizeof(args) - 1, 0, NULL);

	CT_EQ_INT(n, sizeof(want) - 1);
	CT_TRUE(memcmp(out, want, sizeof(want)) == 0);
}

CT_TEST(bounds)
{
	char small[24], big[8192];
	bool cut = false;
	size_t n;

	/* cut, never inside the replacement, always terminated */
	n = ct_redact(small, sizeof(small), "token=abcdef and more text", 26, 0, &cut);
	CT_TRUE(cut);
	CT_EQ_STR(small, "token=<redacted> and mo");
	CT_EQ_INT(n, strlen(small));
	cut = false;
	n = ct_redact(small, 12, "password=xyz", 12, 0, &cut);
	CT_TRUE(cut);
	CT_EQ_STR(small, "password=");
	CT_EQ_INT(ct_redact(small, 1, "abc", 3, 0, NULL), 0);
	CT_EQ_STR(small, "");
	cut = false;
	ct_redact(small, sizeof(small), "short", 5, 0, &cut);
	CT_TRUE(!cut);

	/* the command line of a view: redacted first, then at most CT_CMDLINE_MAX bytes */
	memset(big, 'a', sizeof(big));
	memcpy(big, "prog --token ", 13);
	memcpy(big + 13, "SECRETSECRET ", 13);
	big[sizeof(big) - 1] = 0;
	ct_redact_cmdline(big, out, CT_CMDLINE_MAX + 64);
	CT_TRUE(strlen(out) <= CT_CMDLINE_MAX + 3);
	CT_TRUE(strncmp(out, "prog --token <redacted> aaa", 27) == 0);
	CT_TRUE(strstr(out, "SECRET") == NULL);
	CT_TRUE(strcmp(out + strlen(out) - 3, "...") == 0);
	CT_EQ_STR(ct_redact_cmdline("sh -c 'echo AWS_SESSION_TOKEN=abc'", out, 300), "sh -c 'echo AWS_SESSION_TOKEN=<redacted>'");
	CT_EQ_STR(ct_redact_cmdline(NULL, out, 300), "");

	/* in place */
	strcpy(big, "x password=pw y");
	ct_redact_str(big, sizeof(big), 0);
	CT_EQ_STR(big, "x password=<redacted> y");
}

CT_TEST(idempotent)
{
	static const char *const in[] = {
		"Authorization: Bearer x", "token=a&b=c", "https://u:p@h/", "--password p", "Basic abc",
		"{\"secret\":\"s\"}", "Cookie: a=b; c=d",
		/* a key inside an authority, its value cut before a blank: found by fuzz_redact */
		"://+i_kkeCookie:WS_b; c&r:@//", "://+i_Cokioe:WS_b>c&p+i_kkeCookie:WS_b; c&r:@//",
	};

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char once[256];

		ct_redact(once, sizeof(once), in[i], strlen(in[i]), CT_REDACT_QUERY, NULL);
		CT_EQ_STR(rq(once), once);
	}
}

CT_TEST(terminal_escapes)
{
	struct strbuf sb;
	char buf[64];

	sb_init(&sb);
	sb_puts_esc(&sb, "a\x1b]0;pwned\x07z\nb\rc\\d\te\x7f");
	CT_EQ_STR(sb.buf, "a\\x1b]0;pwned\\x07z\\nb\\rc\\\\d\te\\x7f");
	sb_reset(&sb);
	/* invalid UTF-8, an 8-bit CSI, a C1 control and a bidi override in UTF-8 */
	sb_puts_esc(&sb, "\xff\x9b" "2J \xc2\x9b \xe2\x80\xae \xc3\xa9");
	CT_EQ_STR(sb.buf, "\\xff\\x9b" "2J \\u009b \\u202e \xc3\xa9");
	sb_reset(&sb);
	sb_put_esc(&sb, "abc\ndef", 4);
	CT_EQ_STR(sb.buf, "abc\\n");
	sb_free(&sb);
	CT_EQ_STR(str_esc(buf, sizeof(buf), "x\ny"), "x\\ny");
	CT_EQ_STR(str_esc(buf, 8, "abcdefghijkl"), "abcd...");
	CT_EQ_STR(str_esc(buf, sizeof(buf), NULL), "");
}

int main(void)
{
	CT_RUN(markers);
	CT_RUN(authorization);
	CT_RUN(urls);
	CT_RUN(query_values);
	CT_RUN(argv);
	CT_RUN(bounds);
	CT_RUN(idempotent);
	CT_RUN(terminal_escapes);
	return ct_summary();
}
