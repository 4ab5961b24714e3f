/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * jsonw: the one streaming JSON writer of every JSON output (jsonl,
 * perfetto, otlp, report -f json), on top of a strbuf, in the manner of
 * bpftool's json_writer: open and close objects and arrays, write keys and
 * values, and the commas come by themselves.
 *
 *   jw_obj_open(&w); jw_kstr(&w, "type", "exec"); jw_kuint(&w, "pid", 7);
 *   jw_obj_close(&w);                       -> {"type":"exec","pid":7}\n
 *
 * A value at the top level ends with a newline, so that many of them make
 * JSON lines; values in it take no comma. Strings are escaped as JSON wants
 * ("\" "\\" \n \r \t, \u00XX for the other control bytes and DEL) and bytes
 * that are not valid UTF-8 are written as \u00XX of their value, so the
 * output is always valid UTF-8 JSON whatever the trace held. A NULL string
 * is null.
 *
 * Nesting deeper than JW_MAX_DEPTH still writes the brackets, but the commas
 * of the levels beyond it are not tracked (the deepest output, OTLP's
 * attribute values, is 10 levels down).
 */
#ifndef COLDTRACE_JSONW_H
#define COLDTRACE_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define JW_MAX_DEPTH 16

struct jsonw {
	struct strbuf *out;
	unsigned depth;                /* open objects and arrays */
	bool used[JW_MAX_DEPTH + 1];   /* the level has an element: the next needs a comma */
	bool after_key;                /* a key was written: its value needs no comma */
};

void jw_init(struct jsonw *w, struct strbuf *out);

void jw_obj_open(struct jsonw *w);
void jw_obj_close(struct jsonw *w);
void jw_arr_open(struct jsonw *w);
void jw_arr_close(struct jsonw *w);
/* "key": the next call writes its value. */
void jw_key(struct jsonw *w, const char *key);

void jw_str(struct jsonw *w, const char *s); /* NULL: null */
void jw_strn(struct jsonw *w, const char *s, size_t n);
void jw_strf(struct jsonw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void jw_int(struct jsonw *w, long long v);
void jw_uint(struct jsonw *w, uint64_t v);
/* v / 10^digits written exactly, e.g. 1234567 with 3 digits: 1234.567. */
void jw_decimal(struct jsonw *w, uint64_t v, unsigned digits);
/* A double with a fixed number of decimals ("%.*f"). */
void jw_fixed(struct jsonw *w, double v, int decimals);
/* A double in the shortest of %e and %f ("%g"). */
void jw_double_g(struct jsonw *w, double v);
void jw_bool(struct jsonw *w, bool v);
void jw_null(struct jsonw *w);

/* key and value in one call. */
void jw_kstr(struct jsonw *w, const char *key, const char *s);
void jw_kint(struct jsonw *w, const char *key, long long v);
void jw_kuint(struct jsonw *w, const char *key, uint64_t v);
void jw_kbool(struct jsonw *w, const char *key, bool v);
void jw_kfixed(struct jsonw *w, const char *key, double v, int decimals);

/*
 * Layout: jw_nl starts the next element of the open container on a line of
 * its own (its comma, if it needs one, goes before the newline); jw_raw
 * writes s as it is, outside the comma logic (a newline before a closing
 * bracket, say).
 */
void jw_nl(struct jsonw *w);
void jw_raw(struct jsonw *w, const char *s);

/* JSON string escaping alone: a string literal, quotes included. */
void jw_escape(struct strbuf *sb, const char *s, size_t n);

#endif
