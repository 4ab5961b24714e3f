// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"

#define JW_MAX_DIGITS 19 /* 10^19 is the largest power of ten in a uint64_t */

void jw_init(struct jsonw *w, struct strbuf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

static unsigned level(const struct jsonw *w)
{
	return w->depth < JW_MAX_DEPTH ? w->depth : JW_MAX_DEPTH;
}

/* Before a value or a key: the comma, unless it follows a key or jw_nl. */
static void sep(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->depth)
		return;
	if (w->used[level(w)])
		sb_putc(w->out, ',');
	w->used[level(w)] = true;
}

/* After a value: a value at the top level is a line. */
static void end_value(struct jsonw *w)
{
	if (!w->depth)
		sb_putc(w->out, '\n');
}

static void container_open(struct jsonw *w, char c)
{
	sep(w);
	sb_putc(w->out, c);
	w->depth++;
	w->used[level(w)] = false;
}

static void container_close(struct jsonw *w, char c)
{
	w->after_key = false;
	if (w->depth)
		w->depth--;
	sb_putc(w->out, c);
	end_value(w);
}

void jw_obj_open(struct jsonw *w)
{
	container_open(w, '{');
}

void jw_obj_close(struct jsonw *w)
{
	container_close(w, '}');
}

void jw_arr_open(struct jsonw *w)
{
	container_open(w, '[');
}

void jw_arr_close(struct jsonw *w)
{
	container_close(w, ']');
}

void jw_escape(struct strbuf *sb, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	sb_putc(sb, '"');
	while (i < n) {
		unsigned char c = s[i];
		size_t l;

		switch (c) {
		case '"': sb_puts(sb, "\\\""); i++; continue;
		case '\\': sb_puts(sb, "\\\\"); i++; continue;
		case '\n': sb_puts(sb, "\\n"); i++; continue;
		case '\r': sb_puts(sb, "\\r"); i++; continue;
		case '\t': sb_puts(sb, "\\t"); i++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			sb_printf(sb, "\\u%04x", c);
			i++;
			continue;
		}
		l = utf8_seq_len(s + i, n - i);
		if (l == 0) {
			sb_printf(sb, "\\u%04x", c); /* an invalid byte, kept visible */
			i++;
			continue;
		}
		sb_putn(sb, (const char *)s + i, l);
		i += l;
	}
	sb_putc(sb, '"');
}

void jw_key(struct jsonw *w, const char *key)
{
	sep(w);
	jw_escape(w->out, key, strlen(key));
	sb_putc(w->out, ':');
	w->after_key = true;
}

void jw_strn(struct jsonw *w, const char *s, size_t n)
{
	sep(w);
	jw_escape(w->out, s, n);
	end_value(w);
}

void jw_str(struct jsonw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, strlen(s));
}

void jw_strf(struct jsonw *w, const char *fmt, ...)
{
	struct strbuf tmp;
	va_list ap;

	sb_init(&tmp);
	va_start(ap, fmt);
	sb_vprintf(&tmp, fmt, ap);
	va_end(ap);
	jw_strn(w, tmp.buf ? tmp.buf : "", tmp.len);
	sb_free(&tmp);
}

static void scalar(struct jsonw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void scalar(struct jsonw *w, const char *fmt, ...)
{
	va_list ap;

	sep(w);
	va_start(ap, fmt);
	sb_vprintf(w->out, fmt, ap);
	va_end(ap);
	end_value(w);
}

void jw_int(struct jsonw *w, long long v)
{
	scalar(w, "%lld", v);
}

void jw_uint(struct jsonw *w, uint64_t v)
{
	scalar(w, "%llu", (unsigned long long)v);
}

void jw_decimal(struct jsonw *w, uint64_t v, unsigned digits)
{
	uint64_t p = 1;

	if (digits > JW_MAX_DIGITS)
		digits = JW_MAX_DIGITS;
	for (unsigned i = 0; i < digits; i++)
		p *= 10;
	if (!digits)
		scalar(w, "%llu", (unsigned long long)v);
	else
		scalar(w, "%llu.%0*llu", (unsigned long long)(v / p), (int)digits, (unsigned long long)(v % p));
}

void jw_fixed(struct jsonw *w, double v, int decimals)
{
	scalar(w, "%.*f", decimals, v);
}

void jw_double_g(struct jsonw *w, double v)
{
	scalar(w, "%g", v);
}

void jw_bool(struct jsonw *w, bool v)
{
	scalar(w, "%s", v ? "true" : "false");
}

void jw_null(struct jsonw *w)
{
	scalar(w, "%s", "null");
}

void jw_kstr(struct jsonw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_kint(struct jsonw *w, const char *key, long long v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kuint(struct jsonw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_uint(w, v);
}

void jw_kbool(struct jsonw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void jw_kfixed(struct jsonw *w, const char *key, double v, int decimals)
{
	jw_key(w, key);
	jw_fixed(w, v, decimals);
}

void jw_nl(struct jsonw *w)
{
	if (w->depth && w->used[level(w)])
		sb_putc(w->out, ',');
	if (w->depth)
		w->used[level(w)] = true;
	sb_putc(w->out, '\n');
	w->after_key = true; /* the comma is written: the element takes none */
}

void jw_raw(struct jsonw *w, const char *s)
{
	sb_puts(w->out, s);
}
