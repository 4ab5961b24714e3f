/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * json_check: a small STRICT JSON parser (RFC 8259: no trailing commas, no
 * leading zeros, no control characters or invalid UTF-8 in strings, valid
 * escapes, one value then only whitespace) into a tree, and structural
 * checks of coldtrace's perfetto and otlp outputs. Header-only, for tests.
 *
 *   char err[256];
 *   struct jv *v = jv_parse(text, len, err, sizeof(err));
 *   if (!v || ct_check_perfetto(v, 1, err, sizeof(err))) puts(err);
 *   jv_free(v);
 */
#ifndef CT_JSON_CHECK_H
#define CT_JSON_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum jv_type { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

struct jv {
	enum jv_type t;
	bool b;
	double num;
	char *str;   /* JV_STR: decoded (NUL-terminated; \u0000 is rejected) */
	size_t n;    /* JV_ARR / JV_OBJ: number of items */
	struct jv **items;
	char **keys; /* JV_OBJ */
};

struct jv_p {
	const char *s;
	size_t len, i;
	int depth;
	char *err;
	size_t errlen;
};

static inline void jv_free(struct jv *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		jv_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

static inline void *jv__fail(struct jv_p *p, const char *what)
{
	if (p->err && !p->err[0])
		snprintf(p->err, p->errlen, "JSON error at byte %zu: %s", p->i, what);
	return NULL;
}

static inline void jv__ws(struct jv_p *p)
{
	while (p->i < p->len && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
		p->i++;
}

static inline int jv__hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static inline void jv__put(char **b, size_t *n, size_t *cap, const char *d, size_t k)
{
	if (!*b)
		return;
	if (*n + k + 1 > *cap) {
		char *nb;

		while (*n + k + 1 > *cap)
			*cap *= 2;
		nb = realloc(*b, *cap);
		if (!nb) {
			free(*b);
			*b = NULL;
			return;
		}
		*b = nb;
	}
	memcpy(*b + *n, d, k);
	*n += k;
	(*b)[*n] = 0;
}

static inline char *jv__string(struct jv_p *p)
{
	size_t n = 0, cap = 32;
	char *b = malloc(cap);

	if (!b)
		return jv__fail(p, "out of memory");
	b[0] = 0;
	p->i++; /* the quote */
	while (p->i < p->len) {
		unsigned char c = (unsigned char)p->s[p->i];

		if (c == '"') {
			p->i++;
			return b;
		}
		if (c < 0x20) {
			free(b);
			return jv__fail(p, "control character in a string");
		}
		if (c == '\\') {
			char e = p->i + 1 < p->len ? p->s[p->i + 1] : 0, o = 0;

			switch (e) {
			case '"': o = '"'; break;
			case '\\': o = '\\'; break;
			case '/': o = '/'; break;
			case 'b': o = '\b'; break;
			case 'f': o = '\f'; break;
			case 'n': o = '\n'; break;
			case 'r': o = '\r'; break;
			case 't': o = '\t'; break;
			case 'u': {
				unsigned cp = 0;
				char u[4];
				size_t k = 0;

				if (p->i + 6 > p->len) {
					free(b);
					return jv__fail(p, "short \\u escape");
				}
				for (int h = 2; h < 6; h++) {
					int x = jv__hex(p->s[p->i + h]);

					if (x < 0) {
						free(b);
						return jv__fail(p, "bad \\u escape");
					}
					cp = cp << 4 | (unsigned)x;
				}
				if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) {
					free(b);
					return jv__fail(p, "\\u0000 or a surrogate escape");
				}
				if (cp < 0x80) {
					u[k++] = (char)cp;
				} else if (cp < 0x800) {
					u[k++] = (char)(0xc0 | cp >> 6);
					u[k++] = (char)(0x80 | (cp & 0x3f));
				} else {
					u[k++] = (char)(0xe0 | cp >> 12);
					u[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
					u[k++] = (char)(0x80 | (cp & 0x3f));
				}
				jv__put(&b, &n, &cap, u, k);
				p->i += 6;
				if (!b)
					return jv__fail(p, "out of memory");
				continue;
			}
			default:
				free(b);
				return jv__fail(p, "bad escape");
			}
			jv__put(&b, &n, &cap, &o, 1);
			p->i += 2;
		} else if (c >= 0x80) {
			size_t need = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
			bool ok = need && p->i + need <= p->len && c >= 0xc2 && c < 0xf5;

			for (size_t k = 1; ok && k < need; k++)
				ok = ((unsigned char)p->s[p->i + k] & 0xc0) == 0x80;
			if (!ok) {
				free(b);
				return jv__fail(p, "invalid UTF-8 in a string");
			}
			jv__put(&b, &n, &cap, p->s + p->i, need);
			p->i += need;
		} else {
			jv__put(&b, &n, &cap, p->s + p->i, 1);
			p->i++;
		}
		if (!b)
			return jv__fail(p, "out of memory");
	}
	free(b);
	return jv__fail(p, "unterminated string");
}

static inline struct jv *jv__value(struct jv_p *p);

static inline bool jv__add(struct jv *v, struct jv *item, char *key)
{
	struct jv **ni = realloc(v->items, (v->n + 1) * sizeof(*ni));

	if (!ni)
		return false;
	v->items = ni;
	if (v->t == JV_OBJ) {
		char **nk = realloc(v->keys, (v->n + 1) * sizeof(*nk));

		if (!nk)
			return false;
		v->keys = nk;
		v->keys[v->n] = key;
	}
	v->items[v->n++] = item;
	return true;
}

static inline struct jv *jv__container(struct jv_p *p, struct jv *v, char close)
{
	bool obj = close == '}';

	p->i++;
	if (++p->depth > 64) {
		jv_free(v);
		return jv__fail(p, "nested too deep");
	}
	jv__ws(p);
	if (p->i < p->len && p->s[p->i] == close) {
		p->i++;
		p->depth--;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct jv *item;

		jv__ws(p);
		if (obj) {
			if (p->i >= p->len || p->s[p->i] != '"') {
				jv_free(v);
				return jv__fail(p, "expected a key");
			}
			key = jv__string(p);
			if (!key) {
				jv_free(v);
				return NULL;
			}
			jv__ws(p);
			if (p->i >= p->len || p->s[p->i] != ':') {
				free(key);
				jv_free(v);
				return jv__fail(p, "expected ':'");
			}
			p->i++;
		}
		item = jv__value(p);
		if (!item || !jv__add(v, item, key)) {
			free(key);
			jv_free(item);
			jv_free(v);
			return jv__fail(p, "bad value");
		}
		jv__ws(p);
		if (p->i < p->len && p->s[p->i] == ',') {
			p->i++;
			jv__ws(p);
			if (p->i < p->len && p->s[p->i] == close) {
				jv_free(v);
				return jv__fail(p, "trailing comma");
			}
			continue;
		}
		if (p->i < p->len && p->s[p->i] == close) {
			p->i++;
			p->depth--;
			return v;
		}
		jv_free(v);
		return jv__fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static inline struct jv *jv__value(struct jv_p *p)
{
	struct jv *v;
	char c;

	jv__ws(p);
	if (p->i >= p->len)
		return jv__fail(p, "unexpected end");
	v = calloc(1, sizeof(*v));
	if (!v)
		return jv__fail(p, "out of memory");
	c = p->s[p->i];
	if (c == '{') {
		v->t = JV_OBJ;
		return jv__container(p, v, '}');
	}
	if (c == '[') {
		v->t = JV_ARR;
		return jv__container(p, v, ']');
	}
	if (c == '"') {
		v->t = JV_STR;
		v->str = jv__string(p);
		if (!v->str) {
			free(v);
			return NULL;
		}
		return v;
	}
	if (p->len - p->i >= 4 && !memcmp(p->s + p->i, "true", 4)) {
		v->t = JV_BOOL;
		v->b = true;
		p->i += 4;
		return v;
	}
	if (p->len - p->i >= 5 && !memcmp(p->s + p->i, "false", 5)) {
		v->t = JV_BOOL;
		p->i += 5;
		return v;
	}
	if (p->len - p->i >= 4 && !memcmp(p->s + p->i, "null", 4)) {
		p->i += 4;
		return v;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		size_t st = p->i;
		char buf[64];

		if (p->s[p->i] == '-')
			p->i++;
		if (p->i < p->len && p->s[p->i] == '0') {
			p->i++;
		} else if (p->i < p->len && p->s[p->i] >= '1' && p->s[p->i] <= '9') {
			while (p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9')
				p->i++;
		} else {
			free(v);
			return jv__fail(p, "bad number");
		}
		if (p->i < p->len && p->s[p->i] == '.') {
			p->i++;
			if (p->i >= p->len || p->s[p->i] < '0' || p->s[p->i] > '9') {
				free(v);
				return jv__fail(p, "bad fraction");
			}
			while (p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9')
				p->i++;
		}
		if (p->i < p->len && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
			p->i++;
			if (p->i < p->len && (p->s[p->i] == '+' || p->s[p->i] == '-'))
				p->i++;
			if (p->i >= p->len || p->s[p->i] < '0' || p->s[p->i] > '9') {
				free(v);
				return jv__fail(p, "bad exponent");
			}
			while (p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9')
				p->i++;
		}
		if (p->i - st >= sizeof(buf)) {
			free(v);
			return jv__fail(p, "number too long");
		}
		memcpy(buf, p->s + st, p->i - st);
		buf[p->i - st] = 0;
		v->t = JV_NUM;
		v->num = strtod(buf, NULL);
		return v;
	}
	free(v);
	return jv__fail(p, "unexpected character");
}

/* Parse exactly one JSON value from s[0 .. len). NULL and err on failure. */
static inline struct jv *jv_parse(const char *s, size_t len, char *err, size_t errlen)
{
	struct jv_p p = {.s = s, .len = len, .err = err, .errlen = errlen};
	struct jv *v;

	if (err && errlen)
		err[0] = 0;
	v = jv__value(&p);
	if (!v)
		return NULL;
	jv__ws(&p);
	if (p.i != len) {
		jv_free(v);
		return jv__fail(&p, "data after the value");
	}
	return v;
}

static inline const struct jv *jv_get(const struct jv *o, const char *key)
{
	if (!o || o->t != JV_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return o->items[i];
	return NULL;
}

static inline int jv__err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Chrome Trace Event object form: {"traceEvents":[...]}, every event with
 * name (string), ph (string), ts (number >= 0), pid, tid (numbers); X with
 * dur >= 0; i with s in g/p/t; M with args; at least min_x X events. */
static inline int ct_check_perfetto(const struct jv *v, size_t min_x, char *err, size_t len)
{
	const struct jv *evs = jv_get(v, "traceEvents");
	size_t nx = 0;

	if (!v || v->t != JV_OBJ)
		return jv__err(err, len, "perfetto: not an object");
	if (!evs || evs->t != JV_ARR)
		return jv__err(err, len, "perfetto: no traceEvents array");
	for (size_t i = 0; i < evs->n; i++) {
		const struct jv *e = evs->items[i];
		const struct jv *name = jv_get(e, "name"), *ph = jv_get(e, "ph"), *ts = jv_get(e, "ts");
		const struct jv *pid = jv_get(e, "pid"), *tid = jv_get(e, "tid");

		if (!e || e->t != JV_OBJ)
			return jv__err(err, len, "perfetto: event %zu is not an object", i);
		if (!name || name->t != JV_STR || !ph || ph->t != JV_STR || !ts || ts->t != JV_NUM || ts->num < 0 ||
		    !pid || pid->t != JV_NUM || !tid || tid->t != JV_NUM)
			return jv__err(err, len, "perfetto: event %zu lacks name/ph/ts/pid/tid", i);
		if (!strcmp(ph->str, "X")) {
			const struct jv *d = jv_get(e, "dur");

			if (!d || d->t != JV_NUM || d->num < 0)
				return jv__err(err, len, "perfetto: X event %zu (%s) without dur >= 0", i, name->str);
			nx++;
		} else if (!strcmp(ph->str, "i")) {
			const struct jv *s = jv_get(e, "s");

			if (s && (s->t != JV_STR || strlen(s->str) != 1 || !strchr("gpt", s->str[0])))
				return jv__err(err, len, "perfetto: instant %zu has a bad scope", i);
		} else if (!strcmp(ph->str, "M")) {
			if (!jv_get(e, "args"))
				return jv__err(err, len, "perfetto: metadata %zu without args", i);
		} else if (!strcmp(ph->str, "C")) {
			/* a counter: each arg a number (a counter track each) */
			const struct jv *a = jv_get(e, "args");

			if (!a || a->t != JV_OBJ || !a->n)
				return jv__err(err, len, "perfetto: counter %zu (%s) without args", i, name->str);
			for (size_t k = 0; k < a->n; k++)
				if (a->items[k]->t != JV_NUM)
					return jv__err(err, len, "perfetto: counter %zu (%s): %s is not a number", i,
						       name->str, a->keys[k]);
		} else {
			return jv__err(err, len, "perfetto: event %zu has unexpected ph '%s'", i, ph->str);
		}
	}
	if (nx < min_x)
		return jv__err(err, len, "perfetto: %zu complete (X) events, want at least %zu", nx, min_x);
	return 0;
}

static inline bool jv__hexid(const struct jv *v, size_t n)
{
	bool nonzero = false;

	if (!v || v->t != JV_STR || strlen(v->str) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!strchr("0123456789abcdef", v->str[i]))
			return false;
		nonzero |= v->str[i] != '0';
	}
	return nonzero;
}

static inline bool jv__decimal(const struct jv *v, unsigned long long *out)
{
	char *end;

	if (!v || v->t != JV_STR || !v->str[0] || strlen(v->str) > 20)
		return false;
	for (const char *c = v->str; *c; c++)
		if (*c < '0' || *c > '9')
			return false;
	*out = strtoull(v->str, &end, 10);
	return !*end;
}

/* OTLP/JSON: resourceSpans[].scopeSpans[].spans[], 32/16-hex ids, decimal
 * string times with end >= start, parentSpanId naming a span of the same
 * trace, exactly one root per trace. *nspans gets the count (may be NULL). */
static inline int ct_check_otlp(const struct jv *v, char *err, size_t len, size_t *nspans)
{
	const struct jv *rs = jv_get(v, "resourceSpans");
	size_t total = 0;

	if (!rs || rs->t != JV_ARR)
		return jv__err(err, len, "otlp: no resourceSpans array");
	for (size_t r = 0; r < rs->n; r++) {
		const struct jv *ss = jv_get(rs->items[r], "scopeSpans");

		if (!jv_get(rs->items[r], "resource"))
			return jv__err(err, len, "otlp: resourceSpans[%zu] without resource", r);
		if (!ss || ss->t != JV_ARR)
			return jv__err(err, len, "otlp: resourceSpans[%zu] without scopeSpans", r);
		for (size_t s = 0; s < ss->n; s++) {
			const struct jv *sp = jv_get(ss->items[s], "spans");
			size_t roots = 0;

			if (!sp || sp->t != JV_ARR)
				return jv__err(err, len, "otlp: scopeSpans[%zu] without spans", s);
			for (size_t i = 0; i < sp->n; i++) {
				const struct jv *e = sp->items[i];
				const struct jv *par = jv_get(e, "parentSpanId"), *name = jv_get(e, "name");
				unsigned long long a, b;
				bool found = false;

				if (!jv__hexid(jv_get(e, "traceId"), 32) || !jv__hexid(jv_get(e, "spanId"), 16))
					return jv__err(err, len, "otlp: span %zu: bad traceId/spanId", i);
				if (!name || name->t != JV_STR)
					return jv__err(err, len, "otlp: span %zu: no name", i);
				if (!jv__decimal(jv_get(e, "startTimeUnixNano"), &a) ||
				    !jv__decimal(jv_get(e, "endTimeUnixNano"), &b))
					return jv__err(err, len, "otlp: span %zu (%s): times are not decimal strings", i,
						       name->str);
				if (b < a)
					return jv__err(err, len, "otlp: span %zu (%s): end before start", i, name->str);
				if (!jv_get(e, "attributes") || jv_get(e, "attributes")->t != JV_ARR)
					return jv__err(err, len, "otlp: span %zu: no attributes array", i);
				if (!par || (par->t == JV_STR && !par->str[0])) {
					roots++;
					continue;
				}
				if (!jv__hexid(par, 16))
					return jv__err(err, len, "otlp: span %zu: bad parentSpanId", i);
				for (size_t k = 0; k < sp->n && !found; k++) {
					const struct jv *o = sp->items[k];

					found = k != i && !strcmp(jv_get(o, "spanId")->str, par->str) &&
						jv_get(o, "traceId") &&
						!strcmp(jv_get(o, "traceId")->str, jv_get(e, "traceId")->str);
				}
				if (!found)
					return jv__err(err, len, "otlp: span %zu (%s): parent %s not found", i, name->str,
						       par->str);
			}
			for (size_t i = 0; i < sp->n; i++)
				for (size_t k = i + 1; k < sp->n; k++)
					if (!strcmp(jv_get(sp->items[i], "spanId")->str, jv_get(sp->items[k], "spanId")->str))
						return jv__err(err, len, "otlp: spans %zu and %zu share an id", i, k);
			if (sp->n && roots != 1)
				return jv__err(err, len, "otlp: %zu root spans in one scope (want 1)", roots);
			total += sp->n;
		}
	}
	if (nspans)
		*nspans = total;
	return 0;
}

#endif /* CT_JSON_CHECK_H */
