// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * jsonread: strict one-line JSON object parser (see jsonread.h).
 * Recursive descent, depth bounded by JR_MAX_DEPTH; all reads bounds-checked
 * against the given length (the line need not be NUL-terminated).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonread.h"
#include "strbuf.h"

struct jr_parser {
	const unsigned char *s;
	size_t len, pos;
	struct jr_obj *o;
	const char *msg;
	size_t err_pos;
};

static int fail(struct jr_parser *p, const char *msg)
{
	if (!p->msg) {
		p->msg = msg;
		p->err_pos = p->pos;
	}
	return -1;
}

void jr_init(struct jr_obj *o)
{
	memset(o, 0, sizeof(*o));
}

void jr_free(struct jr_obj *o)
{
	free(o->fields);
	free(o->arena);
	jr_init(o);
}

static void skip_ws(struct jr_parser *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->s[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static int peek(const struct jr_parser *p)
{
	return p->pos < p->len ? p->s[p->pos] : -1;
}

static int hex4(struct jr_parser *p, uint32_t *out)
{
	uint32_t v = 0;

	if (p->len - p->pos < 4)
		return fail(p, "invalid \\u escape");
	for (int i = 0; i < 4; i++) {
		unsigned char c = p->s[p->pos + i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return fail(p, "invalid \\u escape");
	}
	p->pos += 4;
	*out = v;
	return 0;
}

static size_t put_utf8(char *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | cp >> 6);
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | cp >> 12);
		d[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | cp >> 18);
	d[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	d[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * A string at p->pos (the opening quote). If store, its decoded bytes and a
 * NUL go to the arena (jr_parse reserved len + 1 bytes, and a decoded string
 * plus its NUL is never longer than its source, quotes included).
 */
static int parse_string(struct jr_parser *p, bool store, const char **out, size_t *out_len)
{
	struct jr_obj *o = p->o;
	char *d = store ? o->arena + o->arena_len : NULL;
	size_t n = 0;

	if (peek(p) != '"')
		return fail(p, "expected a string");
	p->pos++;
	for (;;) {
		unsigned char c;

		if (p->pos >= p->len)
			return fail(p, "unterminated string");
		c = p->s[p->pos];
		if (c == '"') {
			p->pos++;
			break;
		}
		if (c < 0x20)
			return fail(p, "control character in string");
		if (c == '\\') {
			char e;
			uint32_t cp;

			if (p->pos + 1 >= p->len)
				return fail(p, "unterminated string");
			p->pos++;
			c = p->s[p->pos];
			switch (c) {
			case '"': e = '"'; break;
			case '\\': e = '\\'; break;
			case '/': e = '/'; break;
			case 'b': e = '\b'; break;
			case 'f': e = '\f'; break;
			case 'n': e = '\n'; break;
			case 'r': e = '\r'; break;
			case 't': e = '\t'; break;
			case 'u':
				p->pos++;
				if (hex4(p, &cp))
					return -1;
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return fail(p, "lone low surrogate in \\u escape");
				if (cp >= 0xd800 && cp <= 0xdbff) {
					uint32_t lo;

					if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
						return fail(p, "high surrogate not followed by a low one");
					p->pos += 2;
					if (hex4(p, &lo))
						return -1;
					if (lo < 0xdc00 || lo > 0xdfff)
						return fail(p, "high surrogate not followed by a low one");
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				}
				if (store)
					n += put_utf8(d + n, cp);
				continue;
			default:
				return fail(p, "invalid escape in string");
			}
			if (store)
				d[n++] = e;
			p->pos++;
			continue;
		}
		if (c < 0x80) {
			if (store)
				d[n++] = (char)c;
			p->pos++;
		} else {
			size_t l = utf8_seq_len(p->s + p->pos, p->len - p->pos);

			if (!l)
				return fail(p, "invalid UTF-8 in string");
			if (store)
				memcpy(d + n, p->s + p->pos, l);
			n += store ? l : 0;
			p->pos += l;
		}
	}
	if (store) {
		d[n] = 0;
		o->arena_len += n + 1;
		*out = d;
		*out_len = n;
	}
	return 0;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int parse_number(struct jr_parser *p, struct jr_field *f)
{
	size_t start = p->pos, n;
	bool neg = false, integer = true;
	char buf[JR_MAX_NUM + 1];
	uint64_t mag = 0;
	bool overflow = false;
	double d;

	if (peek(p) == '-') {
		neg = true;
		p->pos++;
	}
	if (peek(p) == '0') {
		p->pos++;
	} else if (is_digit(peek(p))) {
		while (is_digit(peek(p))) {
			unsigned dig = (unsigned)(p->s[p->pos] - '0');

			if (mag > (UINT64_MAX - dig) / 10)
				overflow = true;
			else
				mag = mag * 10 + dig;
			p->pos++;
		}
	} else {
		return fail(p, "invalid number");
	}
	if (peek(p) == '.') {
		integer = false;
		p->pos++;
		if (!is_digit(peek(p)))
			return fail(p, "invalid number: no digit after '.'");
		while (is_digit(peek(p)))
			p->pos++;
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		integer = false;
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (!is_digit(peek(p)))
			return fail(p, "invalid number: no digit in exponent");
		while (is_digit(peek(p)))
			p->pos++;
	}
	n = p->pos - start;
	if (n > JR_MAX_NUM) {
		p->pos = start;
		return fail(p, "number too long");
	}
	memcpy(buf, p->s + start, n);
	buf[n] = 0;
	d = strtod(buf, NULL);
	if (!isfinite(d)) {
		p->pos = start;
		return fail(p, "number out of range");
	}
	if (f) {
		f->type = JR_NUMBER;
		f->d = d;
		f->is_int = f->is_uint = false;
		if (integer && !overflow) {
			if (!neg) {
				f->is_uint = true;
				f->u = mag;
				if (mag <= (uint64_t)INT64_MAX) {
					f->is_int = true;
					f->i = (int64_t)mag;
				}
			} else if (mag <= (uint64_t)INT64_MAX + 1) {
				f->is_int = true;
				f->i = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
				if (mag == 0) {
					f->is_uint = true;
					f->u = 0;
				}
			}
		}
	}
	return 0;
}

static int parse_literal(struct jr_parser *p, const char *lit)
{
	size_t n = strlen(lit);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, lit, n) != 0)
		return fail(p, "invalid literal");
	p->pos += n;
	return 0;
}

static int parse_value(struct jr_parser *p, int depth, struct jr_field *f);

/* A nested object or array at p->pos; depth is its own level (top = 1). */
static int parse_container(struct jr_parser *p, int depth)
{
	int open = peek(p), close = open == '{' ? '}' : ']';

	if (depth > JR_MAX_DEPTH)
		return fail(p, "nesting too deep");
	p->pos++;
	skip_ws(p);
	if (peek(p) == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		skip_ws(p);
		if (open == '{') {
			if (parse_string(p, false, NULL, NULL))
				return -1;
			skip_ws(p);
			if (peek(p) != ':')
				return fail(p, "expected ':'");
			p->pos++;
			skip_ws(p);
		}
		if (parse_value(p, depth, NULL))
			return -1;
		skip_ws(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == close) {
			p->pos++;
			return 0;
		}
		return fail(p, open == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

/* A value at p->pos (no leading whitespace); f, if given, receives it. depth
 * is the level of the container holding it. */
static int parse_value(struct jr_parser *p, int depth, struct jr_field *f)
{
	int c = peek(p);
	size_t start = p->pos;

	switch (c) {
	case '"':
		if (f) {
			f->type = JR_STRING;
			return parse_string(p, true, &f->str, &f->str_len);
		}
		return parse_string(p, false, NULL, NULL);
	case '{':
	case '[':
		if (parse_container(p, depth + 1))
			return -1;
		if (f) {
			f->type = c == '{' ? JR_OBJECT : JR_ARRAY;
			f->str = (const char *)p->s + start;
			f->str_len = p->pos - start;
		}
		return 0;
	case 't':
	case 'f':
		if (parse_literal(p, c == 't' ? "true" : "false"))
			return -1;
		if (f) {
			f->type = JR_BOOL;
			f->b = c == 't';
		}
		return 0;
	case 'n':
		if (parse_literal(p, "null"))
			return -1;
		if (f)
			f->type = JR_NULL;
		return 0;
	case -1:
		return fail(p, "unexpected end of line");
	default:
		if (c == '-' || is_digit(c))
			return parse_number(p, f);
		return fail(p, "unexpected character");
	}
}

static int add_field(struct jr_parser *p, struct jr_field **out)
{
	struct jr_obj *o = p->o;

	if (o->nfields >= JR_MAX_FIELDS)
		return fail(p, "too many fields");
	if (o->nfields == o->cap_fields) {
		size_t cap = o->cap_fields ? o->cap_fields * 2 : 16;
		struct jr_field *nf = realloc(o->fields, cap * sizeof(*nf));

		if (!nf)
			return fail(p, "out of memory");
		o->fields = nf;
		o->cap_fields = cap;
	}
	*out = &o->fields[o->nfields];
	memset(*out, 0, sizeof(**out));
	return 0;
}

static int parse_top(struct jr_parser *p)
{
	struct jr_obj *o = p->o;

	skip_ws(p);
	if (peek(p) != '{')
		return fail(p, p->pos >= p->len ? "empty line" : "not a JSON object");
	p->pos++;
	skip_ws(p);
	if (peek(p) == '}') {
		p->pos++;
		return 0;
	}
	for (;;) {
		struct jr_field *f;
		size_t key_pos;

		skip_ws(p);
		if (add_field(p, &f))
			return -1;
		key_pos = p->pos;
		if (parse_string(p, true, &f->name, &f->name_len))
			return -1;
		for (size_t i = 0; i < o->nfields; i++) {
			if (o->fields[i].name_len == f->name_len &&
			    !memcmp(o->fields[i].name, f->name, f->name_len)) {
				p->pos = key_pos;
				return fail(p, "duplicate field name");
			}
		}
		skip_ws(p);
		if (peek(p) != ':')
			return fail(p, "expected ':'");
		p->pos++;
		skip_ws(p);
		if (parse_value(p, 1, f))
			return -1;
		o->nfields++;
		skip_ws(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == '}') {
			p->pos++;
			return 0;
		}
		return fail(p, "expected ',' or '}'");
	}
}

int jr_parse(struct jr_obj *o, const char *line, size_t len, struct jr_error *err)
{
	struct jr_parser p = {.s = (const unsigned char *)line, .len = len, .o = o};

	o->nfields = 0;
	o->arena_len = 0;
	if (len > JR_MAX_LEN) {
		fail(&p, "line too long");
		p.err_pos = JR_MAX_LEN;
		goto out;
	}
	if (o->arena_cap < len + 1) {
		char *na = realloc(o->arena, len + 1);

		if (!na) {
			fail(&p, "out of memory");
			goto out;
		}
		o->arena = na;
		o->arena_cap = len + 1;
	}
	if (parse_top(&p) == 0) {
		skip_ws(&p);
		if (p.pos != p.len)
			fail(&p, "trailing characters after the object");
	}
out:
	if (p.msg) {
		o->nfields = 0;
		o->arena_len = 0;
		if (err) {
			err->pos = p.err_pos;
			err->msg = p.msg;
		}
		return -1;
	}
	return 0;
}

const struct jr_field *jr_get(const struct jr_obj *o, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < o->nfields; i++)
		if (o->fields[i].name_len == n && !memcmp(o->fields[i].name, name, n))
			return &o->fields[i];
	return NULL;
}

int jr_get_str(const struct jr_obj *o, const char *name, const char **s, size_t *len)
{
	const struct jr_field *f = jr_get(o, name);

	if (!f || f->type != JR_STRING)
		return -1;
	*s = f->str;
	if (len)
		*len = f->str_len;
	return 0;
}

int jr_get_i64(const struct jr_obj *o, const char *name, int64_t *v)
{
	const struct jr_field *f = jr_get(o, name);

	if (!f || f->type != JR_NUMBER || !f->is_int)
		return -1;
	*v = f->i;
	return 0;
}

int jr_get_u64(const struct jr_obj *o, const char *name, uint64_t *v)
{
	const struct jr_field *f = jr_get(o, name);

	if (!f || f->type != JR_NUMBER || !f->is_uint)
		return -1;
	*v = f->u;
	return 0;
}

int jr_get_double(const struct jr_obj *o, const char *name, double *v)
{
	const struct jr_field *f = jr_get(o, name);

	if (!f || f->type != JR_NUMBER)
		return -1;
	*v = f->d;
	return 0;
}

int jr_get_bool(const struct jr_obj *o, const char *name, bool *v)
{
	const struct jr_field *f = jr_get(o, name);

	if (!f || f->type != JR_BOOL)
		return -1;
	*v = f->b;
	return 0;
}

int jr_is_null(const struct jr_obj *o, const char *name)
{
	const struct jr_field *f = jr_get(o, name);

	return f && f->type == JR_NULL;
}
