/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The unit tests' reading of coldtrace's HTML pages (test_html,
 * test_reporthtml): well-formed enough (every element closed in order, no
 * '<' in text, every '&' an entity, <style> and <script> raw text), and
 * the rows of a table, each with as many cells as the table has columns
 * (a row that has not fails the running test).
 */
#ifndef HTML_CHECK_H
#define HTML_CHECK_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ct_test.h"

static size_t hc_count(const char *s, const char *w)
{
	size_t n = 0;

	for (const char *z = s; z && (z = strstr(z, w)) != NULL; z += strlen(w))
		n++;
	return n;
}

/* ---- well-formed enough: elements closed in order, text without '<' ---- */

static const char *const hc_voids[] = {"meta", "input", "br", "link", "img", "hr", NULL};

static bool hc_is_void(const char *name)
{
	for (int i = 0; hc_voids[i]; i++)
		if (!strcmp(hc_voids[i], name))
			return true;
	return false;
}

/* Every '&' in s[0, n) starts an entity. */
static bool hc_entities_ok(const char *s, size_t n)
{
	static const char *const ents[] = {"&amp;", "&lt;",   "&gt;", "&quot;",
					   "&#39;", "&apos;", NULL};

	for (size_t i = 0; i < n; i++) {
		int k = 0;

		if (s[i] != '&')
			continue;
		while (ents[k] &&
		       (i + strlen(ents[k]) > n || strncmp(s + i, ents[k], strlen(ents[k]))))
			k++;
		if (!ents[k])
			return false;
	}
	return true;
}

/* 0 when well-formed; else the offset of the first fault + 1. */
static size_t hc_wellformed(const char *s)
{
	char stack[64][16];
	int depth = 0;
	const char *p = s, *text = s;

	while ((p = strchr(p, '<')) != NULL) {
		char name[16] = "";
		bool closing = p[1] == '/';
		size_t n = 0;
		const char *q;

		if (!hc_entities_ok(text, (size_t)(p - text)))
			return (size_t)(text - s) + 1;
		if (!strncmp(p, "<!DOCTYPE", 9) || !strncmp(p, "<!--", 4)) {
			q = strchr(p, '>');
			if (!q)
				return (size_t)(p - s) + 1;
			p = text = q + 1;
			continue;
		}
		q = p + 1 + closing;
		while ((q[n] >= 'a' && q[n] <= 'z') || (q[n] >= 'A' && q[n] <= 'Z') ||
		       (q[n] >= '0' && q[n] <= '9'))
			n++;
		if (!n || n >= sizeof(name))
			return (size_t)(p - s) + 1; /* a '<' that starts no tag: unescaped text */
		memcpy(name, q, n);
		q += n;
		/* attributes: name="value" (a quoted '>' is no end) */
		while (*q && *q != '>') {
			if (*q == '"') {
				const char *e = strchr(q + 1, '"');

				if (!e || !hc_entities_ok(q + 1, (size_t)(e - q - 1)))
					return (size_t)(q - s) + 1;
				q = e;
			} else if (*q == '<') {
				return (size_t)(q - s) + 1;
			}
			q++;
		}
		if (!*q)
			return (size_t)(p - s) + 1;
		if (closing) {
			if (!depth || strcmp(stack[depth - 1], name))
				return (size_t)(p - s) + 1;
			depth--;
		} else if (q[-1] != '/' && !hc_is_void(name)) {
			if (depth == 64)
				return (size_t)(p - s) + 1;
			snprintf(stack[depth++], sizeof(stack[0]), "%s", name);
			if (!strcmp(name, "style") || !strcmp(name, "script")) { /* raw text */
				char end[24];
				const char *e;

				snprintf(end, sizeof(end), "</%s>", name);
				e = strstr(q, end);
				if (!e)
					return (size_t)(q - s) + 1;
				q = e - 1;
			}
		}
		p = text = q + 1;
	}
	return depth ? strlen(s) + 1 : 0;
}

/* ---- tables ---- */

/* Rows of <table id="id">'s body (-1: no such table); every row must have
 * as many cells as the table has columns. */
static long hc_table_rows(const char *html, const char *id)
{
	char open[64];
	const char *t, *body, *end, *r;
	size_t ncols, rows = 0;

	snprintf(open, sizeof(open), "<table id=\"%s\"", id);
	t = strstr(html, open);
	if (!t)
		return -1;
	body = strstr(t, "<tbody>");
	end = strstr(t, "</table>");
	CT_TRUE(body && end && body < end);
	if (!body || !end)
		return -1;
	ncols = 0;
	for (const char *h = t; (h = strstr(h, "<th")) && h < body; h += 3)
		if (h[3] == '>' || h[3] == ' ')
			ncols++;
	for (r = body; (r = strstr(r, "<tr")) && r < end; rows++) {
		const char *re = strstr(r, "</tr>");
		size_t cells = 0;

		for (const char *c = r; (c = strstr(c, "<td")) && c < re; c += 3)
			cells++;
		if (cells != ncols)
			CT__FAIL("table %s row %zu: %zu cells, %zu columns", id, rows, cells,
				 ncols);
		r = re;
	}
	return (long)rows;
}

#endif /* HTML_CHECK_H */
