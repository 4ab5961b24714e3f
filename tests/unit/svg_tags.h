/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The unit tests' reading of coldtrace's SVG: its <text>, <rect>, <line> and
 * <path> tags in document order, with their attributes (entities decoded)
 * and their text (a <text>'s content, the <title> of the others); a
 * malformed attribute or an element left open fails the running test.
 */
#ifndef SVG_TAGS_H
#define SVG_TAGS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"

#define SVG_ATTRS 8

struct tag {
	char name[16];
	char key[SVG_ATTRS][16];
	char val[SVG_ATTRS][96];
	size_t nattr;
	char text[400]; /* a <text>'s content, a <rect>/<line>/<path>'s <title> */
};

struct tags {
	struct tag *v;
	size_t n;
};

static const char *tattr(const struct tag *t, const char *k)
{
	for (size_t i = 0; i < t->nattr; i++)
		if (!strcmp(t->key[i], k))
			return t->val[i];
	return NULL;
}

static double tnum(const struct tag *t, const char *k)
{
	const char *v = tattr(t, k);

	return v ? atof(v) : -1e9;
}

/* Copy s[0, n) to out, the five XML entities decoded. */
static void unescape(const char *s, size_t n, char *out, size_t len)
{
	static const struct {
		const char *ent, c;
	} ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < len;) {
		size_t k = 0;

		for (; k < sizeof(ents) / sizeof(ents[0]); k++)
			if (i + strlen(ents[k].ent) <= n && !strncmp(s + i, ents[k].ent, strlen(ents[k].ent)))
				break;
		if (k < sizeof(ents) / sizeof(ents[0])) {
			out[o++] = ents[k].c;
			i += strlen(ents[k].ent);
		} else {
			out[o++] = s[i++];
		}
	}
	out[o] = 0;
}

/* The svg's text and rect elements with their attributes and text (or
 * title). Fails the test on a malformed tag or an unbalanced element. */
static void svg_parse(const char *s, struct tags *out)
{
	size_t cap = 0;
	long open = 0;

	out->v = NULL;
	out->n = 0;
	for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<')) {
		struct tag t = {0};
		const char *q = p + 1, *end;
		size_t n = 0;

		if (q[0] == '/') {
			open--;
			continue;
		}
		while (q[n] && q[n] != ' ' && q[n] != '>' && q[n] != '/')
			n++;
		if (n == 0 || n >= sizeof(t.name) || q[0] == '?' || q[0] == '!')
			continue;
		memcpy(t.name, q, n);
		q += n;
		for (;;) {
			const char *eq, *v1;

			while (*q == ' ')
				q++;
			if (*q == '>' || *q == '/' || !*q)
				break;
			eq = strchr(q, '=');
			if (!eq || eq[1] != '"' || !(v1 = strchr(eq + 2, '"'))) {
				CT__FAIL("svg: malformed attribute at \"%.40s\"", q);
				return;
			}
			if (t.nattr < SVG_ATTRS) {
				snprintf(t.key[t.nattr], sizeof(t.key[0]), "%.*s", (int)(eq - q), q);
				unescape(eq + 2, (size_t)(v1 - eq - 2), t.val[t.nattr], sizeof(t.val[0]));
				t.nattr++;
			}
			q = v1 + 1;
		}
		if (*q != '/')
			open++; /* not self-closing */
		if (strcmp(t.name, "text") && strcmp(t.name, "rect") && strcmp(t.name, "line") && strcmp(t.name, "path"))
			continue;
		if (*q == '>') {
			const char *body = q + 1;

			if (!strcmp(t.name, "text") && (end = strstr(body, "</text>")))
				unescape(body, (size_t)(end - body), t.text, sizeof(t.text));
			else if (!strncmp(body, "<title>", 7) && (end = strstr(body, "</title>")))
				unescape(body + 7, (size_t)(end - body - 7), t.text, sizeof(t.text));
		}
		if (out->n == cap) {
			struct tag *nv = realloc(out->v, (cap ? cap * 2 : 256) * sizeof(*nv));

			if (!nv) {
				CT__FAIL("svg: out of memory");
				return;
			}
			out->v = nv;
			cap = cap ? cap * 2 : 256;
		}
		out->v[out->n++] = t;
	}
	if (open)
		CT__FAIL("svg: %ld elements left open", open);
}

#endif /* SVG_TAGS_H */
