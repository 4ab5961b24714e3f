// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* jsonread: the strict one-line JSON object parser. */
#include <math.h>
#include <stdlib.h>

#include "ct_test.h"
#include "jsonread.h"

static int parse(struct jr_obj *o, const char *s, struct jr_error *e)
{
	return jr_parse(o, s, strlen(s), e);
}

CT_TEST(valid_and_invalid_table)
{
	static const struct {
		const char *json;
		bool ok;
		const char *msg; /* expected error message (prefix), if not ok */
	} cases[] = {
		{"{}", true},
		{" \t{ }\r\n", true},
		{"{\"a\":1}", true},
		{"{\"a\":\"x\",\"b\":-0,\"c\":1.5e-3,\"d\":true,\"e\":false,\"f\":null}", true},
		{"{\"a\":[1,[2,[3,{}]],{\"b\":[]}],\"c\":{\"d\":{\"e\":\"\\u00e9\"}}}", true},
		{"{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", true},
		{"{\"\":0}", true},
		{"{\"a\":1E+2,\"b\":0.0,\"c\":-1e-0}", true},
		{"{\"a\":\"h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}", true},
		/* invalid */
		{"", false, "empty line"},
		{"   ", false, "empty line"},
		{"[1]", false, "not a JSON object"},
		{"\"x\"", false, "not a JSON object"},
		{"{", false, "expected a string"},
		{"{\"a\"", false, "expected ':'"},
		{"{\"a\":", false, "unexpected end of line"},
		{"{\"a\":1", false, "expected ',' or '}'"},
		{"{\"a\":1,}", false, "expected a string"},
		{"{\"a\":1 \"b\":2}", false, "expected ',' or '}'"},
		{"{a:1}", false, "expected a string"},
		{"{'a':1}", false, "expected a string"},
		{"{\"a\":1}x", false, "trailing characters"},
		{"{\"a\":1}{}", false, "trailing characters"},
		{"{\"a\":01}", false, "expected ',' or '}'"},
		{"{\"a\":1.}", false, "invalid number"},
		{"{\"a\":.5}", false, "unexpected character"},
		{"{\"a\":+1}", false, "unexpected character"},
		{"{\"a\":1e}", false, "invalid number"},
		{"{\"a\":-}", false, "invalid number"},
		{"{\"a\":1e400}", false, "number out of range"},
		{"{\"a\":NaN}", false, "unexpected character"},
		{"{\"a\":tru}", false, "invalid literal"},
		{"{\"a\":nul}", false, "invalid literal"},
		{"{\"a\":True}", false, "unexpected character"},
		{"{\"a\":\"x}", false, "unterminated string"},
		{"{\"a\":\"x\\", false, "unterminated string"},
		{"{\"a\":\"\\x\"}", false, "invalid escape"},
		{"{\"a\":\"\\u12\"}", false, "invalid \\u escape"},
		{"{\"a\":\"\\u12g4\"}", false, "invalid \\u escape"},
		{"{\"a\":\"\\ud800\"}", false, "high surrogate"},
		{"{\"a\":\"\\ud800\\u0041\"}", false, "high surrogate"},
		{"{\"a\":\"\\udc00\"}", false, "lone low surrogate"},
		{"{\"a\":\"tab\there\"}", false, "control character"},
		{"{\"a\":\"\xff\"}", false, "invalid UTF-8"},
		{"{\"a\":\"\xc0\xaf\"}", false, "invalid UTF-8"},         /* overlong */
		{"{\"a\":\"\xed\xa0\x80\"}", false, "invalid UTF-8"},     /* surrogate */
		{"{\"a\":\"\xf4\x90\x80\x80\"}", false, "invalid UTF-8"}, /* > U+10FFFF */
		{"{\"a\":\"\xe2\x82\"}", false, "invalid UTF-8"},         /* truncated */
		{"{\"a\":1,\"a\":2}", false, "duplicate field"},
		{"{\"a\":[1,]}", false, "unexpected character"},
		{"{\"a\":[1 2]}", false, "expected ',' or ']'"},
		{"{\"a\":{\"b\"}}", false, "expected ':'"},
		{"{\"a\":[}", false, "unexpected character"},
		{"{\"a\":{]}", false, "expected a string"},
	};
	struct jr_obj o;

	jr_init(&o);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct jr_error e = {0};
		int rc = parse(&o, cases[i].json, &e);

		if ((rc == 0) != cases[i].ok) {
			CT__FAIL("case %zu %s: rc %d (%s at %zu)", i, cases[i].json, rc, e.msg ? e.msg : "-", e.pos);
			continue;
		}
		if (!cases[i].ok && (!e.msg || strncmp(e.msg, cases[i].msg, strlen(cases[i].msg))))
			CT__FAIL("case %zu %s: message \"%s\", expected \"%s\"", i, cases[i].json,
				 e.msg ? e.msg : "(null)", cases[i].msg);
		if (!cases[i].ok)
			CT_EQ_INT(o.nfields, 0);
	}
	jr_free(&o);
}

CT_TEST(error_position)
{
	struct jr_obj o;
	struct jr_error e;

	jr_init(&o);
	CT_EQ_INT(parse(&o, "{\"a\":1,\"b\":x}", &e), -1);
	CT_EQ_INT(e.pos, 11);
	CT_EQ_INT(parse(&o, "{\"a\":1}  z", &e), -1);
	CT_EQ_INT(e.pos, 9);
	CT_EQ_INT(parse(&o, "{\"k\":1,\"k\":2}", &e), -1);
	CT_EQ_INT(e.pos, 7); /* at the second key */
	CT_EQ_INT(jr_parse(&o, "{}", 2, NULL), 0); /* err may be NULL */
	CT_EQ_INT(jr_parse(&o, "{", 1, NULL), -1);
	jr_free(&o);
}

CT_TEST(escapes_and_utf8)
{
	struct jr_obj o;
	const char *s;
	size_t n;

	jr_init(&o);
	CT_EQ_INT(parse(&o, "{\"s\":\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"}", NULL), 0);
	CT_EQ_INT(jr_get_str(&o, "s", &s, &n), 0);
	CT_EQ_STR(s, "a\"b\\c/d\be\ff\ng\rh\ti");
	CT_EQ_INT(n, 17);

	CT_EQ_INT(parse(&o, "{\"s\":\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\"}", NULL), 0);
	CT_EQ_INT(jr_get_str(&o, "s", &s, &n), 0);
	CT_EQ_STR(s, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	CT_EQ_INT(n, 10);

	/* the largest code point, as a surrogate pair */
	CT_EQ_INT(parse(&o, "{\"s\":\"\\udbff\\udfff\"}", NULL), 0);
	CT_EQ_INT(jr_get_str(&o, "s", &s, &n), 0);
	CT_EQ_STR(s, "\xf4\x8f\xbf\xbf");

	/* \u0000: a NUL inside, the length says the rest */
	CT_EQ_INT(parse(&o, "{\"s\":\"a\\u0000b\"}", NULL), 0);
	CT_EQ_INT(jr_get_str(&o, "s", &s, &n), 0);
	CT_EQ_INT(n, 3);
	CT_TRUE(!memcmp(s, "a\0b", 3));

	/* escaped key names are decoded and looked up decoded */
	CT_EQ_INT(parse(&o, "{\"\\u0074ype\":\"x\",\"p\\u00e9\":1}", NULL), 0);
	CT_EQ_INT(jr_get_str(&o, "type", &s, &n), 0);
	CT_EQ_STR(s, "x");
	CT_TRUE(jr_get(&o, "p\xc3\xa9") != NULL);

	/* the most expanding escapes still fit (decoded <= source) */
	CT_EQ_INT(parse(&o, "{\"\":\"\\ud83d\\ude00\\ud83d\\ude00\"}", NULL), 0);
	CT_EQ_INT(jr_get_str(&o, "", &s, &n), 0);
	CT_EQ_INT(n, 8);
	jr_free(&o);
}

CT_TEST(numbers)
{
	struct jr_obj o;
	int64_t i;
	uint64_t u;
	double d;

	jr_init(&o);
	CT_EQ_INT(parse(&o, "{\"max\":9223372036854775807,\"min\":-9223372036854775808,"
			    "\"p63\":9223372036854775808,\"umax\":18446744073709551615,"
			    "\"big\":18446744073709551616,\"neg\":-9223372036854775809,"
			    "\"z\":-0,\"f\":1.25,\"e\":2e3,\"ts\":22902907988929}", NULL), 0);
	CT_EQ_INT(jr_get_i64(&o, "max", &i), 0);
	CT_TRUE(i == INT64_MAX);
	CT_EQ_INT(jr_get_u64(&o, "max", &u), 0);
	CT_EQ_U64(u, INT64_MAX);
	CT_EQ_INT(jr_get_i64(&o, "min", &i), 0);
	CT_TRUE(i == INT64_MIN);
	CT_EQ_INT(jr_get_u64(&o, "min", &u), -1);
	/* 2^63: exact as uint64, not an int64 */
	CT_EQ_INT(jr_get_i64(&o, "p63", &i), -1);
	CT_EQ_INT(jr_get_u64(&o, "p63", &u), 0);
	CT_EQ_U64(u, 0x8000000000000000ull);
	CT_EQ_INT(jr_get_u64(&o, "umax", &u), 0);
	CT_EQ_U64(u, UINT64_MAX);
	/* beyond: only a double */
	CT_EQ_INT(jr_get_u64(&o, "big", &u), -1);
	CT_EQ_INT(jr_get_i64(&o, "big", &i), -1);
	CT_EQ_INT(jr_get_double(&o, "big", &d), 0);
	CT_TRUE(d == 18446744073709551616.0);
	CT_EQ_INT(jr_get_i64(&o, "neg", &i), -1);
	CT_EQ_INT(jr_get_double(&o, "neg", &d), 0);
	CT_TRUE(d < -9.2e18);
	CT_EQ_INT(jr_get_i64(&o, "z", &i), 0);
	CT_EQ_INT(i, 0);
	CT_EQ_INT(jr_get_u64(&o, "z", &u), 0);
	/* fractions and exponents are doubles only */
	CT_EQ_INT(jr_get_i64(&o, "f", &i), -1);
	CT_EQ_INT(jr_get_double(&o, "f", &d), 0);
	CT_TRUE(d == 1.25);
	CT_EQ_INT(jr_get_i64(&o, "e", &i), -1);
	CT_EQ_INT(jr_get_double(&o, "e", &d), 0);
	CT_TRUE(d == 2000.0);
	CT_EQ_INT(jr_get_i64(&o, "ts", &i), 0);
	CT_EQ_INT(i, 22902907988929LL);
	CT_EQ_INT(jr_get_double(&o, "ts", &d), 0);
	CT_TRUE(d == 22902907988929.0);
	jr_free(&o);
}

CT_TEST(accessors)
{
	struct jr_obj o;
	const char *s = "untouched";
	size_t n = 99;
	int64_t i = 7;
	uint64_t u = 7;
	double d = 7;
	bool b = false;
	const struct jr_field *f;

	jr_init(&o);
	CT_EQ_INT(parse(&o, "{\"s\":\"str\",\"n\":5,\"t\":true,\"f\":false,\"z\":null,"
			    "\"o\":{\"x\":[1]},\"a\":[1, 2]}", NULL), 0);
	CT_EQ_INT(o.nfields, 7);
	CT_EQ_INT(jr_get_str(&o, "s", &s, NULL), 0);
	CT_EQ_STR(s, "str");
	CT_EQ_INT(jr_get_bool(&o, "t", &b), 0);
	CT_TRUE(b);
	CT_EQ_INT(jr_get_bool(&o, "f", &b), 0);
	CT_TRUE(!b);
	CT_EQ_INT(jr_is_null(&o, "z"), 1);
	CT_EQ_INT(jr_is_null(&o, "s"), 0);
	CT_EQ_INT(jr_is_null(&o, "missing"), 0);
	f = jr_get(&o, "o");
	CT_TRUE(f && f->type == JR_OBJECT && f->str_len == 9 && !memcmp(f->str, "{\"x\":[1]}", 9));
	f = jr_get(&o, "a");
	CT_TRUE(f && f->type == JR_ARRAY && f->str_len == 6 && !memcmp(f->str, "[1, 2]", 6));

	/* wrong type or missing: -1, outputs untouched */
	s = "untouched";
	i = 7, u = 7, d = 7, b = false;
	CT_EQ_INT(jr_get_str(&o, "n", &s, &n), -1);
	CT_EQ_INT(jr_get_str(&o, "nope", &s, &n), -1);
	CT_EQ_STR(s, "untouched");
	CT_EQ_INT(n, 99);
	CT_EQ_INT(jr_get_i64(&o, "s", &i), -1);
	CT_EQ_INT(jr_get_u64(&o, "t", &u), -1);
	CT_EQ_INT(jr_get_double(&o, "z", &d), -1);
	CT_EQ_INT(jr_get_bool(&o, "n", &b), -1);
	CT_EQ_INT(jr_get_bool(&o, "nope", &b), -1);
	CT_EQ_INT(i, 7);
	CT_EQ_INT(u, 7);
	CT_TRUE(d == 7);
	CT_TRUE(!b);
	CT_EQ_INT(jr_get_double(&o, "n", &d), 0);
	CT_TRUE(d == 5);

	/* reuse: a failed parse leaves no fields; a later good one works */
	CT_EQ_INT(parse(&o, "{\"s\":", NULL), -1);
	CT_TRUE(jr_get(&o, "s") == NULL);
	CT_EQ_INT(parse(&o, "{\"q\":\"r\"}", NULL), 0);
	CT_EQ_INT(jr_get_str(&o, "q", &s, &n), 0);
	CT_EQ_STR(s, "r");
	CT_TRUE(jr_get(&o, "s") == NULL);
	jr_free(&o);
}

CT_TEST(bounds)
{
	struct jr_obj o;
	struct jr_error e;
	size_t n = JR_MAX_LEN + 10;
	char *big = malloc(n + 1);
	int depth;

	jr_init(&o);
	CT_TRUE(big != NULL);
	if (!big)
		return;
	/* nesting: JR_MAX_DEPTH levels are fine, one more is not */
	for (int extra = 0; extra < 2; extra++) {
		size_t k = 0;

		depth = JR_MAX_DEPTH + extra;
		k += (size_t)sprintf(big + k, "{\"a\":");
		for (int i = 1; i < depth; i++)
			big[k++] = '[';
		big[k++] = '1';
		for (int i = 1; i < depth; i++)
			big[k++] = ']';
		big[k++] = '}';
		big[k] = 0;
		CT_EQ_INT(parse(&o, big, &e), extra ? -1 : 0);
		if (extra)
			CT_EQ_STR(e.msg, "nesting too deep");
	}
	/* deep garbage does not overflow the stack */
	memset(big, '[', 100000);
	memcpy(big, "{\"a\":", 5);
	big[100000] = 0;
	CT_EQ_INT(parse(&o, big, &e), -1);
	CT_EQ_STR(e.msg, "nesting too deep");

	/* a line over the limit */
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	CT_EQ_INT(jr_parse(&o, big, n, &e), -1);
	CT_EQ_STR(e.msg, "line too long");
	/* exactly the limit is fine */
	CT_EQ_INT(jr_parse(&o, big + (n - JR_MAX_LEN), JR_MAX_LEN, &e), -1); /* no '{' at the start */
	big[n - JR_MAX_LEN] = '{';
	CT_EQ_INT(jr_parse(&o, big + (n - JR_MAX_LEN), JR_MAX_LEN, &e), 0);

	/* too many fields */
	{
		size_t k = 0;

		big[k++] = '{';
		for (int i = 0; i < JR_MAX_FIELDS + 1; i++)
			k += (size_t)sprintf(big + k, "%s\"f%d\":%d", i ? "," : "", i, i);
		big[k++] = '}';
		CT_EQ_INT(jr_parse(&o, big, k, &e), -1);
		CT_EQ_STR(e.msg, "too many fields");
	}
	/* a long number */
	{
		size_t k = (size_t)sprintf(big, "{\"n\":");

		memset(big + k, '1', JR_MAX_NUM + 1);
		k += JR_MAX_NUM + 1;
		big[k++] = '}';
		CT_EQ_INT(jr_parse(&o, big, k, &e), -1);
		CT_EQ_STR(e.msg, "number too long");
	}
	/* not NUL-terminated: the parser reads only len bytes */
	memcpy(big, "{\"a\":1}xxxx", 11);
	CT_EQ_INT(jr_parse(&o, big, 7, &e), 0);
	CT_EQ_INT(jr_parse(&o, big, 5, &e), -1);
	free(big);
	jr_free(&o);
}

int main(void)
{
	CT_RUN(valid_and_invalid_table);
	CT_RUN(error_position);
	CT_RUN(escapes_and_utf8);
	CT_RUN(numbers);
	CT_RUN(accessors);
	CT_RUN(bounds);
	return ct_summary();
}
