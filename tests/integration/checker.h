/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * checker.h: what the integration checkers (check_sandbox, check_extensions)
 * share: a minimal, strict walker of one-line JSON objects, enough to read
 * the members of coldtrace's jsonl records, nested objects included (pass
 * the value json_get returned as the object; no allocation), and one way
 * to report: check() prints "ok   ..." or "FAIL ...", check_finish() the
 * "N passed, N failed" line and the exit status.
 */
#ifndef CT_CHECKER_H
#define CT_CHECKER_H

#include <stdarg.h>
#include <stdio.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define JW_UNUSED __attribute__((unused))
#else
#define JW_UNUSED
#endif


static JW_UNUSED const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/* Skip a JSON string starting at '"'; returns the char after the closing
 * quote, or NULL if malformed. */
static JW_UNUSED const char *skip_string(const char *p)
{
	if (*p != '"')
		return NULL;
	for (p++; *p; p++) {
		if (*p == '\\') {
			if (!p[1])
				return NULL;
			p++;
		} else if (*p == '"') {
			return p + 1;
		} else if ((unsigned char)*p < 0x20) {
			return NULL;
		}
	}
	return NULL;
}

static JW_UNUSED const char *skip_value(const char *p, int depth);

static JW_UNUSED const char *skip_container(const char *p, int depth)
{
	char close = *p == '{' ? '}' : ']';
	bool obj = *p == '{';

	if (depth > 32)
		return NULL;
	p = ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (obj) {
			p = skip_string(p);
			if (!p)
				return NULL;
			p = ws(p);
			if (*p != ':')
				return NULL;
			p = ws(p + 1);
		}
		p = skip_value(p, depth + 1);
		if (!p)
			return NULL;
		p = ws(p);
		if (*p == ',') {
			p = ws(p + 1);
			continue;
		}
		if (*p == close)
			return p + 1;
		return NULL;
	}
}

static JW_UNUSED const char *skip_value(const char *p, int depth)
{
	p = ws(p);
	switch (*p) {
	case '"': return skip_string(p);
	case '{':
	case '[': return skip_container(p, depth);
	case 't': return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f': return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n': return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		if (*p == '-' || isdigit((unsigned char)*p)) {
			char *end;

			errno = 0;
			strtod(p, &end);
			return end == p ? NULL : end;
		}
		return NULL;
	}
}

/* Decode the JSON string at p into buf (bounded); false if p is no string. */
static JW_UNUSED bool json_str(const char *p, char *buf, size_t len)
{
	size_t n = 0;

	if (!p || *p != '"' || !len)
		return false;
	for (p++; *p && *p != '"'; p++) {
		char c = *p;

		if (c == '\\') {
			p++;
			switch (*p) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned v = 0;

				for (int i = 1; i <= 4 && isxdigit((unsigned char)p[i]); i++)
					v = v * 16 + (unsigned)(isdigit((unsigned char)p[i]) ? p[i] - '0'
											     : (tolower((unsigned char)p[i]) - 'a' + 10));
				p += 4;
				c = v < 0x80 ? (char)v : '?';
				break;
			}
			case 0: return false;
			default: c = *p; break;
			}
		}
		if (n + 1 < len)
			buf[n++] = c;
	}
	buf[n] = 0;
	return *p == '"';
}

/* The value of top-level member @key of the object at @obj, or NULL. */
static JW_UNUSED const char *json_get(const char *obj, const char *key)
{
	const char *p = ws(obj);
	size_t klen = strlen(key);

	if (*p != '{')
		return NULL;
	p = ws(p + 1);
	if (*p == '}')
		return NULL;
	for (;;) {
		const char *k = p, *e = skip_string(p);

		if (!e)
			return NULL;
		p = ws(e);
		if (*p != ':')
			return NULL;
		p = ws(p + 1);
		if ((size_t)(e - k) == klen + 2 && !memcmp(k + 1, key, klen))
			return p;
		p = skip_value(p, 1);
		if (!p)
			return NULL;
		p = ws(p);
		if (*p != ',')
			return NULL;
		p = ws(p + 1);
	}
}

static JW_UNUSED bool get_str(const char *obj, const char *key, char *buf, size_t len)
{
	buf[0] = 0;
	return json_str(json_get(obj, key), buf, len);
}

static JW_UNUSED bool get_u64(const char *obj, const char *key, uint64_t *v)
{
	const char *p = json_get(obj, key);
	char *end;

	if (!p || !isdigit((unsigned char)*p))
		return false;
	*v = strtoull(p, &end, 10);
	return end != p;
}

static JW_UNUSED bool get_i64(const char *obj, const char *key, int64_t *v)
{
	const char *p = json_get(obj, key);
	char *end;

	if (!p || !(*p == '-' || isdigit((unsigned char)*p)))
		return false;
	*v = strtoll(p, &end, 10);
	return end != p;
}

static JW_UNUSED bool get_bool(const char *obj, const char *key, bool *v)
{
	const char *p = json_get(obj, key);

	if (p && !strncmp(p, "true", 4))
		*v = true;
	else if (p && !strncmp(p, "false", 5))
		*v = false;
	else
		return false;
	return true;
}

static int ck_passed, ck_failed;

static JW_UNUSED void check(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf(cond ? "ok   " : "FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (cond)
		ck_passed++;
	else
		ck_failed++;
	fflush(stdout);
}

/* The last line, and main's return value: 1 if anything failed. */
static JW_UNUSED int check_finish(void)
{
	printf("%d passed, %d failed\n", ck_passed, ck_failed);
	return ck_failed ? 1 : 0;
}

#endif /* CT_CHECKER_H */
