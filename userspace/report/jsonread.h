/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * jsonread: a small strict JSON parser for ONE line holding one object (RFC
 * 8259 grammar, UTF-8 validated). The top-level fields are kept and can be
 * looked up by name; nested objects and arrays are parsed for validity and
 * kept only as "an object/array" (their text span), not their contents.
 *
 * Strings are decoded (escapes, \uXXXX with surrogate pairs -> UTF-8) into
 * NUL-terminated copies; a decoded string may contain NUL bytes (\u0000), so
 * its length is given too. Integers (no fraction, no exponent) are kept
 * exactly when they fit int64 or uint64; every number also has a double.
 *
 * Bounded: at most JR_MAX_LEN bytes, JR_MAX_DEPTH levels of nesting,
 * JR_MAX_FIELDS top-level fields, numbers of at most JR_MAX_NUM characters.
 * Duplicate top-level names are an error. No global state: one struct jr_obj
 * per thread, reused line after line (its buffers are kept).
 */
#ifndef COLDTRACE_JSONREAD_H
#define COLDTRACE_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JR_MAX_LEN (1u << 20) /* 1 MiB */
#define JR_MAX_DEPTH 64
#define JR_MAX_FIELDS 1024
#define JR_MAX_NUM 256

enum jr_type { JR_NULL, JR_BOOL, JR_NUMBER, JR_STRING, JR_OBJECT, JR_ARRAY };

struct jr_field {
	const char *name; /* decoded, NUL-terminated */
	size_t name_len;
	enum jr_type type;
	/* JR_STRING: decoded, NUL-terminated; JR_OBJECT/JR_ARRAY: the raw
	 * text span in the line (not NUL-terminated) */
	const char *str;
	size_t str_len;
	bool b;          /* JR_BOOL */
	double d;        /* JR_NUMBER: always set (integers too) */
	bool is_int;     /* JR_NUMBER: an integer that fits int64 (i) */
	bool is_uint;    /* JR_NUMBER: a non-negative integer that fits uint64 (u) */
	int64_t i;
	uint64_t u;
};

struct jr_obj {
	struct jr_field *fields;
	size_t nfields, cap_fields;
	char *arena; /* decoded strings */
	size_t arena_len, arena_cap;
};

struct jr_error {
	size_t pos;      /* byte offset in the line where it went wrong */
	const char *msg; /* static string */
};

void jr_init(struct jr_obj *o);
void jr_free(struct jr_obj *o);

/* Parse line[0..len) (no NUL needed; a trailing "\n" or "\r\n" is allowed as
 * whitespace) as one JSON object. 0 on success, -1 with *err filled (err may
 * be NULL). On failure o holds no fields. */
int jr_parse(struct jr_obj *o, const char *line, size_t len, struct jr_error *err);

/* Lookup of a top-level field; NULL if absent. */
const struct jr_field *jr_get(const struct jr_obj *o, const char *name);

/* Typed accessors: 0 on success, -1 if the field is absent or of another
 * type (or, for integers, not an integer in range). Output untouched on -1. */
int jr_get_str(const struct jr_obj *o, const char *name, const char **s, size_t *len);
int jr_get_i64(const struct jr_obj *o, const char *name, int64_t *v);
int jr_get_u64(const struct jr_obj *o, const char *name, uint64_t *v);
int jr_get_double(const struct jr_obj *o, const char *name, double *v);
int jr_get_bool(const struct jr_obj *o, const char *name, bool *v);
/* 1 if the field is present and null, 0 otherwise. */
int jr_is_null(const struct jr_obj *o, const char *name);

#endif
